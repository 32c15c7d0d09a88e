"""Finding one record from what a person has in hand: its id, its URL (any spelling, or an old
URL that redirects to it), its NCJ number or its funding opportunity ID."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.records import Record
from index.urls import canonical_url

if TYPE_CHECKING:
    from index.datadir import DataDir
    from index.store import Store


def find_record(store: Store, data_dir: DataDir, key: str) -> Record | None:
    """The record ``key`` names, or None: an id, a URL or alias (canonicalized), an NCJ number
    (``252984``, ``NCJ 252984``) or an opportunity ID (``O-BJA-2023-171861``)."""
    record = store.get(key)
    if record is None and "://" in key:
        record = store.get(canonical_url(key))
    if record is None:
        record_id = indexed_id(data_dir, key)
        record = store.get(record_id) if record_id else None
    return record


def indexed_id(data_dir: DataDir, key: str) -> str | None:
    """The id of the record whose NCJ number or opportunity ID ``key`` is, from the index."""
    from index.fulltext.query import exact_key
    from index.fulltext.writer import SearchError, open_searcher

    found = exact_key(key)
    if found is None:
        return None
    try:
        with open_searcher(data_dir) as searcher:
            docnum = searcher.document_number(**{found[0]: found[1]})
            return None if docnum is None else str(searcher.stored_fields(docnum)["id"])
    except SearchError:  # no index yet: the store alone answers
        return None
