"""Keep the Whoosh index in step with the store, and find it on disk.

Layout in the data dir: ``index`` is a symlink to ``indexes/<generation>``; each generation folder
holds a Whoosh index and ``ojp-state.json`` (the last store change seq applied, written atomically
after the commit). ``update_index`` applies the store's changes since that seq in one commit
(documents are updated by unique id, so re-applying after a kill is harmless) and opens no writer
when nothing changed. ``rebuild_index`` builds a new generation aside with ``IndexBuilder``
(``index.fulltext.builder``: the same index files as Whoosh's writer, several times faster)
and swaps the
symlink.

The write lock is Whoosh's ``MAIN_WRITELOCK``, an ``flock``: the kernel releases it when its holder
dies. Beside it ``WRITER.pid`` names the holder, so a lock still held after its holder died (an
orphaned child inherited the descriptor) is recognised and cleared, and a live holder is reported.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from index.datadir import DataDir
from index.errors import ErrorKind, NextStep, OjpError
from index.fulltext.builder import IndexBuilder
from index.fulltext.facets import write_facet_table
from index.fulltext.impact import write_impact_table
from index.fulltext.schema import INDEX_VERSION, build_schema, record_document
from index.lock import process_alive
from index.records import Record

if TYPE_CHECKING:
    from index.store import Store

log = logging.getLogger(__name__)

STATE_FILE = "ojp-state.json"
OWNER_FILE = "WRITER.pid"
LOCK_NAME = "WRITELOCK"
BATCH_SIZE = 500
TOC_ATTEMPTS = 5  # reads of the table of contents while commits replace it


class SearchError(OjpError):
    """A search or index failure the user can act on; the message is one sentence."""

    kind = ErrorKind.USAGE


class IndexMissingError(SearchError):
    kind = ErrorKind.MISSING

    def __init__(self, where: Path, *, has_store: bool = False) -> None:
        stored = ", but the records are stored" if has_store else ""
        super().__init__(
            f"no search index in {where}{stored}.",
            next_step=NextStep.REBUILD if has_store else NextStep.REFRESH,
        )


class IndexCorruptError(SearchError):
    kind = ErrorKind.CORRUPT
    next_step = NextStep.REBUILD

    def __init__(self, where: Path) -> None:
        super().__init__(f"the search index in {where} is damaged.")


class IndexBusyError(SearchError):
    kind = ErrorKind.BUSY

    def __init__(self, where: Path, pid: int | None) -> None:
        holder = f" (process {pid})" if pid else ""
        super().__init__(
            f"the search index in {where} is being updated by another process{holder}. "
            "Wait for it to finish and try again."
        )


@dataclass(frozen=True)
class IndexUpdate:
    """What one update or rebuild did."""

    generation: str  # the folder name under indexes/
    upserted: int = 0
    deleted: int = 0
    last_seq: int = 0
    documents: int = 0  # documents in the index afterwards
    committed: bool = False  # False: nothing changed, no writer was opened
    rebuilt: bool = False


# -- the index on disk ---------------------------------------------------------------------------


def live_index_path(data_dir: DataDir) -> Path:
    """The current generation folder, following the ``index`` symlink.

    Raises IndexMissingError when there is no index, IndexCorruptError when the link is dangling.
    """
    link = data_dir.index_dir
    if not link.is_symlink() and not link.exists():
        raise IndexMissingError(link, has_store=data_dir.store_path.exists())
    try:
        target = link.resolve(strict=False)
    except (RuntimeError, OSError):  # a link that loops, or cannot be followed
        raise IndexCorruptError(link) from None
    if not target.is_dir():
        raise IndexCorruptError(link)
    return target


def followed(link: Path) -> Path:
    """Where ``link`` leads (itself when it loops or cannot be followed)."""
    try:
        return link.resolve()
    except (RuntimeError, OSError):
        return link


def open_index(data_dir: DataDir) -> whoosh_index.Index:
    """Open the live index, or raise IndexMissingError / IndexCorruptError."""
    path = live_index_path(data_dir)
    try:
        empty = not any(path.iterdir())  # the link is only ever swapped to a committed index
    except FileNotFoundError:  # a rebuild removed this generation after the link moved on
        empty = True
    if empty:
        raise IndexCorruptError(data_dir.index_dir)
    for attempt in range(TOC_ATTEMPTS):
        try:
            ix = whoosh_index.open_dir(str(path))
            names = set(ix.schema.names())
            ix.doc_count_all()
            break
        except FileNotFoundError as exc:
            # A refresh's commit replaced the newest table of contents between finding it and
            # reading it: read the new one.
            if attempt + 1 < TOC_ATTEMPTS:
                time.sleep(0.02)
                continue
            raise IndexCorruptError(data_dir.index_dir) from exc
        except Exception as exc:
            log.debug("cannot open the index in %s: %s: %s", path, type(exc).__name__, exc)
            raise IndexCorruptError(data_dir.index_dir) from exc
    if names != set(build_schema().names()):
        raise IndexCorruptError(data_dir.index_dir)
    return ix


@contextmanager
def open_searcher(data_dir: DataDir, attempts: int = 3) -> Iterator[Any]:
    """A Whoosh searcher on the live index: a snapshot that later commits cannot disturb.

    A rebuild may swap the ``index`` link and delete the generation a reader has just resolved;
    when opening fails and the link has moved meanwhile, the new generation is opened instead.
    A refresh commits in place, and a commit that merges segments deletes the merged ones'
    files: a file gone while opening means another commit, so the newest one is opened instead.
    """
    for attempt in range(attempts):
        path = followed(data_dir.index_dir)
        try:
            ix = open_index(data_dir)
            searcher = ix.searcher()
        except (IndexCorruptError, IndexMissingError, OSError, whoosh_index.IndexError):
            if attempt + 1 < attempts and followed(data_dir.index_dir) != path:
                continue
            raise
        try:
            hold_segment_files(searcher)
        except OSError:
            searcher.close()
            if attempt + 1 < attempts:
                continue
            raise
        break
    try:
        yield searcher
    finally:
        searcher.close()


def searcher_path(searcher: Any) -> Path:
    """The generation folder a searcher from ``open_searcher`` reads (the link may have moved
    since)."""
    return Path(searcher._ix.storage.folder)


def hold_segment_files(searcher: Any) -> None:
    """Open every per-document file of the searcher's segments now.

    Whoosh opens a segment's column files (stored fields, field lengths, sort columns) on first
    use. A commit that merges segments deletes the merged ones' files, so a searcher opened just
    before it would find them gone halfway through a search (a sort, a page of stored fields).
    A file already open stays readable after it is deleted (POSIX), so holding them all makes
    the searcher a snapshot of the commit it opened.
    """
    schema = searcher.schema
    for leaf, _ in searcher.reader().leaf_readers():
        if not leaf.doc_count_all():
            continue
        leaf.stored_fields(0)
        perdoc = leaf._perdoc
        for name, field in schema.items():
            if field.scorable:
                leaf.doc_field_length(0, name)
            if field.column_type is not None and leaf.has_column(name):
                if hasattr(perdoc, "_colfiles") and hasattr(perdoc, "_get_column_file"):
                    # The file only: a reader of a column of variable-length values reads
                    # every document's offset first, ~0.3 ms per 1,000 documents.
                    if name not in perdoc._colfiles:
                        perdoc._colfiles[name] = perdoc._get_column_file(name)
                else:
                    leaf.column_reader(name)


def read_state(path: Path) -> dict[str, Any]:
    """The state beside an index: ``last_seq`` and the index version."""
    try:
        return dict(json.loads((path / STATE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def write_state(path: Path, last_seq: int) -> None:
    """Write the state file atomically (temp file, fsync, rename)."""
    tmp = path / f".{STATE_FILE}.{os.getpid()}.tmp"
    data = {"last_seq": last_seq, "index_version": INDEX_VERSION}
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path / STATE_FILE)


# -- the write lock ------------------------------------------------------------------------------


def _read_owner(path: Path) -> int | None:
    try:
        return int((path / OWNER_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


@contextmanager
def hold_write_lock(ix: whoosh_index.Index, path: Path) -> Iterator[None]:
    """Hold the index write lock for a block, clearing a lock whose holder is gone."""
    lock = ix.lock(LOCK_NAME)
    owner = _read_owner(path)
    if not lock.acquire():
        if owner is None or process_alive(owner):
            raise IndexBusyError(path, owner)
        log.warning(
            "cleared a stale index write lock in %s: its holder (process %d) is gone",
            path,
            owner,
        )
        os.unlink(lock.filename)
        lock = ix.lock(LOCK_NAME)
        if not lock.acquire():
            raise IndexBusyError(path, None)
    elif owner is not None and owner != os.getpid() and not process_alive(owner):
        log.warning(
            "an index update by process %d was interrupted; its uncommitted changes were discarded",
            owner,
        )
    (path / OWNER_FILE).write_text(str(os.getpid()))
    try:
        yield
    finally:
        (path / OWNER_FILE).unlink(missing_ok=True)
        lock.release()


# -- update --------------------------------------------------------------------------------------


def update_index(store: Store, data_dir: DataDir) -> IndexUpdate:
    """Apply the store's changes since the last applied seq: one commit, or none at all.

    With no index yet (or a damaged one) this rebuilds from the store instead.
    """
    try:
        ix = open_index(data_dir)
    except IndexMissingError:
        log.info("no index in %s yet: building it from the store", data_dir.index_dir)
        return rebuild_index(store, data_dir)
    except IndexCorruptError:
        log.warning("the index in %s is damaged: rebuilding it from the store", data_dir.index_dir)
        return rebuild_index(store, data_dir)
    path = live_index_path(data_dir)
    last_seq = int(read_state(path).get("last_seq", 0))
    changes = store.index_changes(last_seq)
    upsert_ids, delete_ids = list(changes.upsert_ids), list(changes.delete_ids)
    if not upsert_ids and not delete_ids:
        if changes.last_seq != last_seq:
            write_state(path, changes.last_seq)
        log.info("index up to date at change %d (%d documents)", changes.last_seq, _count(ix))
        return IndexUpdate(path.name, last_seq=changes.last_seq, documents=_count(ix))
    with hold_write_lock(ix, path):
        writer = SegmentWriter(ix, _lk=False, limitmb=128, compound=False)  # see IndexBuilder
        try:
            upserted, missing = _upsert(writer, store, upsert_ids)
            for record_id in [*delete_ids, *missing]:
                writer.delete_by_term("id", record_id)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        write_facets(ix, path)
    write_state(path, changes.last_seq)
    documents = _count(ix)
    log.info(
        "index updated to change %d: %d upserted, %d deleted, %d documents",
        changes.last_seq,
        upserted,
        len(delete_ids) + len(missing),
        documents,
    )
    return IndexUpdate(
        path.name,
        upserted=upserted,
        deleted=len(delete_ids) + len(missing),
        last_seq=changes.last_seq,
        documents=documents,
        committed=True,
    )


def _count(ix: whoosh_index.Index) -> int:
    return int(ix.doc_count())


def _upsert(writer: SegmentWriter, store: Store, ids: Sequence[str]) -> tuple[int, list[str]]:
    """Update the documents of ``ids``; returns the count and the ids the store no longer has."""
    done = 0
    missing: list[str] = []
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        entries = store.index_entries(batch)
        found = {record.id for record, _ in entries}
        missing.extend(i for i in batch if i not in found)
        for record, added in entries:
            writer.update_document(**record_document(record, added=added))
            done += 1
    return done, missing


# -- rebuild -------------------------------------------------------------------------------------


def rebuild_index(store: Store, data_dir: DataDir, *, limitmb: int = 256) -> IndexUpdate:
    """Build a new generation from the store's live records and swap it in atomically."""
    last_seq = store.index_changes(0).last_seq
    path = new_generation_dir(data_dir)
    try:
        count = build_index(path, store.iter_index_entries(), limitmb=limitmb)
        write_state(path, last_seq)
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    previous = followed(data_dir.index_dir) if data_dir.index_dir.is_symlink() else None
    swap_live_index(data_dir, path)
    remove_old_generations(data_dir, keep=path, previous=previous)
    log.info("rebuilt the index: %d documents in generation %s", count, path.name)
    return IndexUpdate(
        path.name,
        upserted=count,
        last_seq=last_seq,
        documents=count,
        committed=True,
        rebuilt=True,
    )


class EmptyRebuildError(SearchError):
    """A rebuild that would replace an index of records with an empty one."""

    kind = ErrorKind.USAGE
    next_step = NextStep.FORCE


def rebuild_from_store(data_dir: DataDir, *, force: bool = False) -> IndexUpdate:
    """Rebuild the index from the store under the data dir's writer lock (one refresh or rebuild
    at a time). A store without live records never empties an index that has some, unless
    ``force``: an empty or truncated store must not wipe a good index."""
    from index.lock import hold_refresh_lock
    from index.store import Store

    with hold_refresh_lock(data_dir, "rebuild"), Store.open_reader(data_dir) as store:
        if not force and next(iter(store.iter_records(batch_size=1)), None) is None:
            indexed = live_document_count(data_dir)
            if indexed:
                raise EmptyRebuildError(
                    f"the store {store.path} holds no live records, and rebuilding would empty "
                    f"the search index of its {indexed:,} records."
                )
        return rebuild_index(store, data_dir)


def live_document_count(data_dir: DataDir) -> int:
    """Documents in the live index (0 when there is none, or it cannot be read)."""
    try:
        ix = open_index(data_dir)
    except SearchError:
        return 0
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


def new_generation_dir(data_dir: DataDir) -> Path:
    """A fresh, empty folder under ``indexes/``, named so that names sort by creation time."""
    data_dir.indexes_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(1000):
        path = data_dir.indexes_dir / f"{stamp}-{os.getpid()}-{n}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free generation name in {data_dir.indexes_dir}")


def build_index(
    path: Path,
    records: Iterable[Record | tuple[Record, str | None]],
    *,
    limitmb: int = 256,
    store_body: bool = False,
) -> int:
    """Write ``records`` into a new Whoosh index in ``path``; returns the document count. An
    item is a record, or a record and when it was first seen (its "date added").

    ``limitmb`` bounds the postings held in memory; past it they are spilled to run files.
    """
    ix = whoosh_index.create_in(str(path), build_schema(store_body=store_body))
    writer = IndexBuilder(ix, limitmb=limitmb)
    count = 0
    try:
        for item in records:
            record, added = item if isinstance(item, tuple) else (item, None)
            writer.add_document(**record_document(record, added=added))
            count += 1
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    write_facets(ix, path)
    return count


def write_facets(ix: whoosh_index.Index, path: Path) -> None:
    """The facet table (``index.fulltext.facets``) and the impact lists
    (``index.fulltext.impact``) of the committed index: searches count facets and find the top
    hits from them. Each is written beside the index and renamed into place; should one not be
    written (a kill just after the commit), searches compute the facets themselves and score
    exhaustively."""
    with ix.reader() as reader:
        write_facet_table(path, reader)
    with ix.searcher() as searcher:
        lists = write_impact_table(path, searcher)
    log.info("wrote %d impact lists in %s", lists, path.name)


def swap_live_index(data_dir: DataDir, path: Path) -> None:
    """Point the ``index`` symlink at ``path`` with one atomic rename."""
    link = data_dir.index_dir
    if link.is_dir() and not link.is_symlink():
        log.warning("replacing the index folder %s with a link to %s", link, path.name)
        shutil.rmtree(link)
    tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(path, link.parent), tmp)
    os.replace(tmp, link)


def remove_old_generations(data_dir: DataDir, *, keep: Path, previous: Path | None = None) -> None:
    """Delete every generation folder but ``keep`` and the ``previous`` live one.

    Readers that already opened an old generation keep its files (POSIX); the previous one is
    kept until the next rebuild so that a reader that resolved the link just before the swap
    can still open it.
    """
    spared = {keep.name} | ({previous.name} if previous is not None else set())
    for old in data_dir.indexes_dir.iterdir():
        if old.is_dir() and old.name not in spared:
            shutil.rmtree(old, ignore_errors=True)
            log.info("removed old index generation %s", old.name)
