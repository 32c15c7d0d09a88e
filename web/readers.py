"""What the web face reads beside a search: records and their status from the store, the live
index's generation and size, the passages of a record's documents that match a query, and the
changes that match a query. Each opens what it needs for one request and closes it.

These are library reads the CLI does not make yet; they belong in ``index/`` when it grows them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.datadir import DataDir
from index.fulltext.query import compile_query
from index.fulltext.searcher import SearchRequest, search_ids
from index.fulltext.snippets import marked_fragments
from index.fulltext.writer import live_index_path, open_index, open_searcher
from index.records import Record
from index.store import Store, StoreChange


@contextmanager
def reading_store(data_dir: DataDir) -> Iterator[Store]:
    """The store, for reading: never takes the write lock, never creates a file ("missing"
    when there is none)."""
    store = Store.open_reader(data_dir)
    try:
        yield store
    finally:
        store.close()


@dataclass(frozen=True)
class IndexInfo:
    generation: str
    documents: int
    size_bytes: int

    def to_dict(self) -> dict[str, str | int]:
        return {
            "generation": self.generation,
            "documents": self.documents,
            "size_bytes": self.size_bytes,
        }


def index_info(data_dir: DataDir) -> IndexInfo:
    """The live index's generation folder name, document count and size on disk."""
    path = live_index_path(data_dir)
    ix = open_index(data_dir)
    try:
        documents = ix.doc_count()
    finally:
        ix.close()
    return IndexInfo(path.name, documents, folder_size(path))


def folder_size(path: Path) -> int:
    """The bytes of the files in ``path``; a file a commit deletes meanwhile counts nothing."""
    size = 0
    try:
        entries = list(os.scandir(path))
    except FileNotFoundError:  # a rebuild removed this generation meanwhile
        return 0
    for entry in entries:
        try:
            if entry.is_file():
                size += entry.stat().st_size
        except FileNotFoundError:
            continue
    return size


def live_generation(data_dir: DataDir) -> str | None:
    """The name of the live index generation (None without an index)."""
    link = data_dir.index_dir
    return link.resolve().name if link.is_symlink() or link.exists() else None


def record_with_status(data_dir: DataDir, id_or_url: str) -> tuple[Record, str | None] | None:
    """A record as ``ojp-search show`` finds it (id, URL, alias, NCJ number, opportunity ID)
    and its status."""
    from index.lookup import find_record

    with reading_store(data_dir) as store:
        record = find_record(store, data_dir, id_or_url)
        if record is None:
            return None
        return record, store.record_status(record.id)


def document_passages(data_dir: DataDir, record: Record, text: str) -> dict[str, str]:
    """For each linked document of ``record`` whose text has the words of the query ``text``:
    the matching passage, words marked with ``[[ ]]`` as in a hit's snippet."""
    documents = [a for a in record.attachments if a.text]
    if not documents or not text.strip():
        return {}
    with open_searcher(data_dir) as searcher:
        terms = compile_query(searcher, SearchRequest(query=text)).highlight
    passages = {}
    for attachment in documents:
        marked = marked_fragments(" ".join(attachment.text[:100_000].split()), terms)
        if marked:
            passages[attachment.url] = marked
    return passages


def changes_matching(
    data_dir: DataDir, changes: Sequence[StoreChange], text: str
) -> list[StoreChange]:
    """The changes whose records match the query ``text`` (all of them for no query). A removed
    record is no longer in the index, so a query leaves removals out."""
    if not text.strip():
        return list(changes)
    wanted = {change.record_id for change in changes}
    if not wanted:
        return []
    found = {rid for rid in search_ids(data_dir, SearchRequest(query=text)) if rid in wanted}
    return [change for change in changes if change.record_id in found]
