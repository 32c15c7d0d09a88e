"""One commit of the live index, open for searching: its searcher, facet table, impact lists
and live documents, all of the same commit.

The CLI opens a snapshot per search and closes it. A long-running process (``ojp-search
serve``) calls ``keep_warm(data_dir)`` once: each thread then keeps its snapshot open between
searches and opens a new one only when the live index has moved on (a refresh's commit, the
facet or impact files written after it, or a rebuild's new generation). A search then pays
neither the opening of the index nor the loading of its tables. Whoosh's searchers read their
files with seek-and-read, so a snapshot is never shared between threads.

A kept data dir also has a small cache of finished searches (``ResultCache``), shared by its
threads and keyed by the commit a search ran on, the day (``--open``, ``--upcoming`` and the
recency lift depend on it) and the whole checked request: the same search again (the page a
colleague shared, the back button, paging back) costs a dictionary lookup until the index moves
on, and a new commit's searches never see an older commit's results. Each thread of a kept data
dir also keeps a reader of the store for the hits' text (``store_reader``: opening one checks
the store's schema, a few milliseconds a search otherwise), and its snapshot keeps the words
spelling corrections are looked for in, read at its first misspelled query.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.datadir import DataDir
from index.errors import OjpError
from index.fulltext.facets import FACET_FILE, FacetTable, live_docs, load_facet_table
from index.fulltext.impact import IMPACT_FILE, ImpactTable, load_impact_table
from index.fulltext.suggest import spelling_words
from index.fulltext.writer import followed, open_searcher, searcher_path

#: Data dirs whose snapshots are kept open, each with its threads' snapshots.
_WARM: dict[Path, threading.local] = {}
#: Finished searches kept per data dir (``ResultCache``).
RESULTS_KEPT = 256


class ResultCache:
    """The last ``size`` finished searches of one data dir, least recently used out first."""

    def __init__(self, size: int = RESULTS_KEPT) -> None:
        self.size = size
        self.hits = self.misses = 0
        self._found: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._found.get(key)
            if found is None:
                self.misses += 1
                return None
            self._found.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._found[key] = value
            self._found.move_to_end(key)
            while len(self._found) > self.size:
                self._found.popitem(last=False)


_RESULTS: dict[Path, ResultCache] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    """What tells a rewritten table file from the one loaded: its inode and change time."""
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns


@dataclass
class Snapshot:
    searcher: Any  # whoosh.searching.Searcher
    path: Path  # the generation folder
    facets: FacetTable
    impacts: ImpactTable | None  # None: rank exhaustively
    live: int  # the match set of every document not deleted
    tables: tuple[tuple[int, int] | None, ...]  # the table files' stamps when loaded
    _close: Any = None
    kept: bool = False  # kept open between searches (``keep_warm``)
    _spelling: list[str] | None = None

    def spelling(self) -> list[str] | None:
        """The ``spell`` terms in memory for a kept snapshot (read at its first misspelling);
        None for a snapshot opened for one search, which searches the dictionary on disk."""
        if self.kept and self._spelling is None:
            self._spelling = spelling_words(self.searcher)
        return self._spelling

    def is_current(self, data_dir: DataDir) -> bool:
        """Whether this is still the live index's newest commit, with the tables written for
        it."""
        return (
            followed(data_dir.index_dir) == self.path
            and self.searcher.up_to_date()
            and table_stamps(self.path) == self.tables
        )

    def key(self, request: Hashable) -> Hashable:
        """What identifies a search on this commit today (``ResultCache``)."""
        return self.path, self.facets.key, self.tables, dt.date.today(), request

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None


def table_stamps(path: Path) -> tuple[tuple[int, int] | None, ...]:
    return _stamp(path / FACET_FILE), _stamp(path / IMPACT_FILE)


def load_snapshot(data_dir: DataDir) -> Snapshot:
    """Open the live index's newest commit and its tables."""
    opening = open_searcher(data_dir)
    searcher = opening.__enter__()
    try:
        path = searcher_path(searcher)
        stamps = table_stamps(path)
        reader = searcher.reader()
        facets = load_facet_table(path, reader)
        impacts = load_impact_table(path, reader)
        live = live_docs(reader)
    except BaseException:
        opening.__exit__(None, None, None)
        raise
    return Snapshot(
        searcher,
        path,
        facets,
        impacts,
        live,
        stamps,
        _close=lambda: opening.__exit__(None, None, None),
    )


def keep_warm(data_dir: DataDir) -> None:
    """Keep snapshots of ``data_dir``'s index open between searches, one per thread, and a cache
    of finished searches."""
    root = data_dir.root.resolve()
    _WARM.setdefault(root, threading.local())
    _RESULTS.setdefault(root, ResultCache())


def stop_keeping_warm(data_dir: DataDir) -> None:
    """Open a snapshot per search again; the kept ones close as their threads let go."""
    root = data_dir.root.resolve()
    _WARM.pop(root, None)
    _RESULTS.pop(root, None)


def result_cache(data_dir: DataDir) -> ResultCache | None:
    """The cache of finished searches of a kept data dir (None when it is not kept warm)."""
    return _RESULTS.get(data_dir.root.resolve()) if _RESULTS else None


def is_kept(data_dir: DataDir) -> bool:
    """Whether ``data_dir``'s index is kept open between searches (``keep_warm``)."""
    return bool(_WARM) and data_dir.root.resolve() in _WARM


@contextmanager
def store_reader(data_dir: DataDir) -> Iterator[Any]:
    """A reader of the data dir's store (``index.store.Store``): this thread's kept one when
    the data dir is kept warm, else one opened for the call. A kept reader is opened again
    when its SQLite file was replaced (a restored copy) or after a failed read;
    each read is a transaction of its own, so a kept reader holds no snapshot between
    searches."""
    from index.store import Store  # the store's imports only when hits are shown

    kept = _WARM.get(data_dir.root.resolve()) if _WARM else None
    if kept is None:
        with Store.open_reader(data_dir) as store:
            yield store
        return
    found = getattr(kept, "store", None)
    if found is not None and _file_stamp(found) != kept.store_stamp:
        found.close()
        found = kept.store = None
    if found is None:
        found = Store.open_reader(data_dir)
        kept.store, kept.store_stamp = found, _file_stamp(found)
    try:
        yield found
    except BaseException:
        kept.store = None
        found.close()
        raise


def _file_stamp(store: Any) -> int | None:
    """The inode of a SQLite store's file (None for a server's store)."""
    path = store.database.path
    try:
        return path.stat().st_ino if path is not None else None
    except OSError:
        return -1


@contextmanager
def open_snapshot(data_dir: DataDir) -> Iterator[Snapshot]:
    """The live index for one search: this thread's kept snapshot while it is current, else a
    newly opened one (closed afterwards unless ``keep_warm`` was called for the data dir)."""
    kept = _WARM.get(data_dir.root.resolve()) if _WARM else None
    if kept is None:
        opened = load_snapshot(data_dir)
        try:
            yield opened
        finally:
            opened.close()
        return
    found: Snapshot | None = getattr(kept, "snapshot", None)
    if found is not None and not found.is_current(data_dir):
        found.close()
        found = kept.snapshot = None
    snapshot = found if found is not None else load_snapshot(data_dir)
    snapshot.kept = True
    kept.snapshot = snapshot
    try:
        yield snapshot
    except OjpError:  # a mistake in the request, a time limit: the snapshot is sound
        raise
    except BaseException:
        # Anything else may have left the searcher half-read: the next search starts anew.
        kept.snapshot = None
        snapshot.close()
        raise
