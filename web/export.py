"""Export from the page: the records of a query, streamed in the bytes ``ojp-search export
--query Q --format F`` writes (``index.export.write_records``), in the search's order.

The request is checked first (within the search's time limit, so a bad query is a 400 before any
byte is sent); the records are then read from the store in batches and written by a producer
thread into a bounded queue of chunks, which the response sends as they come.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace

from index.datadir import DataDir
from index.export import (
    INDEX_FILTERS,
    RecordFilter,
    export_search,
    select_records,
    write_records,
)
from index.filters import Filters
from index.fulltext.searcher import SearchRequest, search
from index.records import Record
from index.store import Store
from web.readers import reading_store

CHUNK_CHARS = 64 * 1024
PUT_TIMEOUT_S = 1.0
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@dataclass(frozen=True)
class ExportPlan:
    """What to export: the records a search matches (None: every record) under the store
    filter ``ojp-search export --agency --type --since --until`` builds."""

    search: SearchRequest | None
    where: RecordFilter
    fmt: str


def plan_export(data_dir: DataDir, request: SearchRequest, fmt: str) -> ExportPlan:
    """Check the filters, the store and the query before any byte is sent: a bad query is a
    400 and a missing store a 503, not a response cut short."""
    filters = Filters.checked(
        agencies=request.agency, types=request.type, since=request.since, until=request.until
    )
    with reading_store(data_dir):
        pass
    wanted = export_search(
        request.query, **{name: getattr(request, name) for name in INDEX_FILTERS}
    )
    if wanted is not None:
        search(data_dir, replace(wanted, limit=1))
    return ExportPlan(wanted, RecordFilter.from_filters(filters), fmt)


def planned_records(store: Store, data_dir: DataDir, plan: ExportPlan) -> Iterator[Record]:
    """The records, as ``select_records`` gives them to ``ojp-search export``."""
    return select_records(store, plan.where, data_dir, plan.search)


class _Stopped(Exception):
    """The client went away: the producer stops."""


class ChunkWriter:
    """A text stream that hands ~64 KB chunks of UTF-8 to a queue."""

    def __init__(self, chunks: queue.Queue[object], stop: threading.Event) -> None:
        self.chunks = chunks
        self.stop = stop
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> int:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= CHUNK_CHARS:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.parts:
            self.put("".join(self.parts).encode("utf-8"))
            self.parts, self.size = [], 0

    def put(self, item: object) -> None:
        while not self.stop.is_set():
            try:
                self.chunks.put(item, timeout=PUT_TIMEOUT_S)
                return
            except queue.Full:
                continue
        raise _Stopped


_DONE = object()


def stream_export(data_dir: DataDir, plan: ExportPlan) -> Iterator[bytes]:
    """The export's bytes, chunk by chunk."""
    chunks: queue.Queue[object] = queue.Queue(maxsize=8)
    stop = threading.Event()

    def produce() -> None:
        writer = ChunkWriter(chunks, stop)
        try:
            with reading_store(data_dir) as store:
                records = planned_records(store, data_dir, plan)
                write_records(records, plan.fmt, writer)  # type: ignore[arg-type]
            writer.flush()
            writer.put(_DONE)
        except _Stopped:
            return
        except Exception as exc:  # sent on so the response ends short, not silently
            try:
                writer.put(exc)
            except _Stopped:
                return

    threading.Thread(target=produce, name="export", daemon=True).start()
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                return
            if isinstance(item, Exception):
                raise item
            assert isinstance(item, bytes)
            yield item
    finally:
        stop.set()
