"""The record store, the source of truth for records, sync state and runs: SQLite (WAL) in the
data dir, or PostgreSQL when several machines share it (``index.database``).

Crawl processes stage their results (``stage_results``, several processes, on several machines,
at once); the refresh flow then applies the whole run in one transaction (``apply_run``, see
``index.sync``) and the index step reads what changed (``index_changes``). The SQL is plain
(named parameters, ``ON CONFLICT ... DO UPDATE``, ``RETURNING``) and runs unchanged on both
backends; their differences stay in ``index.database`` and ``connect``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, inspect
from sqlalchemy.exc import DBAPIError

from index.database import (
    BUSY_TIMEOUT_MS,
    Database,
    execute,
    execute_many,
    is_busy,
    reason,
)
from index.datadir import DataDir
from index.errors import ErrorKind, NextStep, OjpError
from index.migrations import (
    STORE_VERSION,
    ForeignDatabaseError,
    SchemaTooNewError,
    migrate,
    schema_version,
)
from index.records import OUTCOMES, CrawlSummary, FetchResult, Record
from index.store_file import ENTRIES_SQL, connect, store_location
from index.sync import (
    COUNT_KEYS,
    WITHHELD_PREFIX,
    RunChanges,
    RunSync,
    fetch_result_to_json,
    summary_from_json,
    summary_to_json,
)

if TYPE_CHECKING:
    from index.export import RecordFilter

log = logging.getLogger(__name__)

RUN_STATUSES = ("running", "completed", "failed", "cancelled")
CHUNK = 500


class StoreError(OjpError):
    """A store failure the user can act on (one sentence; its kind and next step say more)."""


@dataclass(frozen=True, slots=True)
class KnownUrl:
    """What the crawler needs to know about a URL it crawled before."""

    url: str
    etag: str | None
    last_modified: str | None
    sitemap_lastmod: str | None
    last_fetched: str | None
    status: str  # live / gone / error


@dataclass(frozen=True)
class IndexChanges:
    """What the index must apply after ``seq``: collapsed to each record's final state."""

    last_seq: int
    upsert_ids: list[str]
    delete_ids: list[str]


@dataclass(frozen=True)
class RunReport:
    """One run, as the run log keeps it."""

    run_id: int
    status: str
    started: str
    ended: str | None
    duration_s: float | None
    sites: list[str]
    counts: dict[str, dict[str, int]]
    totals: dict[str, int]
    errors: list[dict[str, str]]
    withheld: dict[str, int]
    full: bool
    error: str | None = None
    crawls: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Per saved search, what the run changed for it (``index.watches.run_events``).
    watches: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FailingUrl:
    url: str
    site: str
    status: str
    last_error: str | None
    last_fetched: str | None


@dataclass(frozen=True)
class StoreStatus:
    """What ``ojp-search status`` shows."""

    live: int
    gone: int
    by_agency: dict[str, int]
    by_type: dict[str, int]
    runs: list[RunReport]
    failing: list[FailingUrl]
    failing_total: int
    #: Live URLs whose removal the safety valve withheld (``refresh --confirm-removals``).
    withheld: list[FailingUrl] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["runs"] = [run.to_dict() for run in self.runs]
        return out


@dataclass(frozen=True)
class StoreChange:
    """One row of the changes log, with the record's facts for display."""

    seq: int
    run_id: int
    at: str
    change: str  # added / changed / removed
    record_id: str
    agency: str
    content_type: str
    title: str
    url: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and a ``Z``: sorts as text."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def refuse_read_only(root: Path) -> None:
    """A writer in a folder it cannot write to says so (not that the store is damaged)."""
    if root.exists() and not os.access(root, os.W_OK):
        raise StoreError(
            f"the data dir {root} is read-only.",
            kind=ErrorKind.READ_ONLY,
            next_step=NextStep.CHECK_PERMISSIONS,
        )


def refuse_empty_file(path: Path) -> None:
    """An existing zero-byte file is not taken for a new store (it may be a truncated one)."""
    with contextlib.suppress(FileNotFoundError):
        wal = path.with_name(path.name + "-wal")
        if path.stat().st_size == 0 and not wal.exists():
            raise StoreError(
                f"{path} is an empty file, not an ojp-search store; move it aside and run a "
                "refresh.",
                kind=ErrorKind.CORRUPT,
            )


def no_such_run(run_id: int, path: Path | str) -> StoreError:
    return StoreError(
        f"no run {run_id} in {path}.", kind=ErrorKind.NOT_FOUND, next_step=NextStep.STATUS
    )


def not_a_store(shown: str) -> StoreError:
    return StoreError(
        f"{shown} is not an ojp-search store; move it aside and run a refresh.",
        kind=ErrorKind.CORRUPT,
    )


def connect_sqlite(path: Path, **options: Any) -> sqlite3.Connection:
    """``connect`` as this module holds it when called (a test may wrap it)."""
    return connect(path, **options)


class Store:
    """The record store. One instance per thread; several processes may share it.

    ``location`` is a SQLite file (a ``Path``) or a store URL (``sqlite:///...``,
    ``postgresql://...``). A writer (``Store.open``) creates the schema, or migrates it when it
    is behind; a reader (``Store.open_reader``) never takes the write lock, so it answers at
    once from the last committed state while a refresh applies a run.
    """

    def __init__(
        self,
        location: Path | str,
        *,
        clock: Callable[[], datetime] = utc_now,
        readonly: bool = False,
    ) -> None:
        self.clock = clock
        self.readonly = readonly
        self.database = Database(location, readonly=readonly, sqlite_connect=connect_sqlite)
        self.location = location
        #: The SQLite file, or the URL (without its password) of a PostgreSQL store.
        self.path: Path | str = self.database.path or self.database.shown
        sqlite_file = self.database.path
        if sqlite_file is not None and readonly and not sqlite_file.is_file():
            raise StoreError(
                f"no store in {sqlite_file.parent}.",
                kind=ErrorKind.MISSING,
                next_step=NextStep.REFRESH,
            )
        if sqlite_file is not None and not readonly:
            refuse_read_only(sqlite_file.parent)
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            refuse_empty_file(sqlite_file)
        try:
            self._conn: Connection = self.database.connect()
            try:
                if readonly:
                    self._check_reader_schema()
                else:
                    with self.write() as conn:
                        migrate(conn)
            except BaseException:
                self._conn.close()
                raise
        except SchemaTooNewError as exc:
            raise StoreError(
                f"{exc}; {self.path} was written by a newer ojp-search.",
                kind=ErrorKind.CORRUPT,
                next_step=NextStep.UPGRADE,
            ) from exc
        except ForeignDatabaseError as exc:
            raise not_a_store(str(self.path)) from exc
        except DBAPIError as exc:
            raise self.open_error(exc) from exc

    def open_error(self, exc: DBAPIError) -> StoreError:
        if not self.database.is_sqlite:
            return StoreError(
                f"cannot open the store {self.path} ({reason(exc)}).",
                kind=ErrorKind.BUSY if is_busy(exc) else ErrorKind.FAILED,
                next_step=NextStep.WAIT if is_busy(exc) else NextStep.NONE,
            )
        if isinstance(exc.orig, sqlite3.OperationalError):
            if "readonly" in str(exc.orig) or "read-only" in str(exc.orig):
                return StoreError(
                    f"the store {self.path} is read-only.",
                    kind=ErrorKind.READ_ONLY,
                    next_step=NextStep.CHECK_PERMISSIONS,
                )
            busy = is_busy(exc)
            return StoreError(
                f"cannot open the store {self.path} ({reason(exc)}).",
                kind=ErrorKind.BUSY if busy else ErrorKind.FAILED,
                next_step=NextStep.WAIT if busy else NextStep.NONE,
            )
        return StoreError(
            f"cannot open the store {self.path} ({reason(exc)}); move it aside and run a refresh.",
            kind=ErrorKind.CORRUPT,
        )

    def _check_reader_schema(self) -> None:
        """A reader's schema check: a store from an older version is migrated once by a writer
        (the only time a reader waits for the write lock); an empty or foreign one is refused."""
        with self.read() as conn:
            version = schema_version(conn)
            empty = version == 0 and not self.database.is_sqlite and not has_tables(conn)
        if version == STORE_VERSION:
            return
        if empty:
            raise StoreError(
                f"no store in {self.path}.", kind=ErrorKind.MISSING, next_step=NextStep.REFRESH
            )
        if version == 0:
            if self.database.path is not None:
                refuse_empty_file(self.database.path)
            raise not_a_store(str(self.path))
        if version < STORE_VERSION:
            self._conn.close()
            Store(self.location, clock=self.clock).close()
            self._conn = self.database.connect()
            return
        raise SchemaTooNewError(
            f"store schema version {version} is newer than this program ({STORE_VERSION})"
        )

    @classmethod
    def open(cls, data_dir: DataDir) -> Store:
        """The store of ``data_dir`` for writing (created when missing, migrated when behind)."""
        return cls(store_location(data_dir))

    @classmethod
    def open_reader(cls, data_dir: DataDir) -> Store:
        """The existing store of ``data_dir`` for reading: never takes the write lock, never
        creates anything."""
        return cls(store_location(data_dir), readonly=True)

    @property
    def engine(self) -> Any:
        """The SQLAlchemy engine (for tests and tools that watch the statements)."""
        return self.database.engine

    def close(self) -> None:
        self._conn.close()
        self.database.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def now(self) -> str:
        return format_time(self.clock())

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, taken at once: concurrent writers queue (for at most
        ``BUSY_TIMEOUT_MS``), readers go on reading the last committed state."""
        if self._conn.in_transaction():
            yield self._conn
            return
        try:
            with self.database.writing(self._conn) as conn:
                yield conn
        except DBAPIError as exc:
            if not is_busy(exc):
                raise
            raise StoreError(
                f"the store {self.path} is busy: another process held its write lock for "
                f"{BUSY_TIMEOUT_MS // 1000} s.",
                kind=ErrorKind.BUSY,
                next_step=NextStep.WAIT,
            ) from exc

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One consistent snapshot for several queries (inside a write: that transaction)."""
        if self._conn.in_transaction():
            yield self._conn
            return
        with self.database.reading(self._conn) as conn:
            yield conn

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The rows of one query, read in a transaction of its own (or the current one)."""
        with self.read() as conn:
            return list(execute(conn, sql, params).fetchall())

    # -- runs ----------------------------------------------------------------------------------
    def start_run(self, sites: Sequence[str], *, full: bool = False) -> int:
        """Open a run. Runs left running by a crash are marked failed and their staging cleared."""
        now = self.now()
        with self.write() as conn:
            stale = [
                row[0] for row in execute(conn, "SELECT id FROM runs WHERE status = 'running'")
            ]
            for run_id in stale:
                execute(conn, "DELETE FROM staging WHERE run_id = :r", {"r": run_id})
                execute(
                    conn,
                    "UPDATE runs SET status = 'failed', ended = :now, "
                    "error = 'interrupted: the run never finished' WHERE id = :r",
                    {"now": now, "r": run_id},
                )
            if stale:
                log.warning("marked %d unfinished run(s) as failed: %s", len(stale), stale)
            execute(  # rows a late crawl process staged into a run that had ended
                conn,
                "DELETE FROM staging WHERE run_id IN "
                "(SELECT id FROM runs WHERE status <> 'running')",
            )
            rows = execute(
                conn,
                "INSERT INTO runs (started, sites, full_crawl, status) "
                "VALUES (:started, :sites, :full, 'running') RETURNING id",
                {"started": now, "sites": json.dumps(list(sites)), "full": int(full)},
            ).fetchall()
        return int(rows[0][0])

    def cancel_running_runs(self, reason: str) -> list[int]:
        """Mark the runs still running as cancelled (a refresh stopped by a signal), and drop
        what they staged: the store stays at its last committed run."""
        now = self.now()
        with self.write() as conn:
            running = [
                row[0] for row in execute(conn, "SELECT id FROM runs WHERE status = 'running'")
            ]
            for run_id in running:
                execute(conn, "DELETE FROM staging WHERE run_id = :r", {"r": run_id})
                execute(
                    conn,
                    "UPDATE runs SET status = 'cancelled', ended = :now, error = :error "
                    "WHERE id = :r",
                    {"now": now, "error": reason, "r": run_id},
                )
        return running

    def finish_run(self, run_id: int, *, status: str, error: str | None = None) -> RunReport:
        if status not in ("completed", "failed"):
            raise ValueError(f"a run finishes as completed or failed, not {status!r}")
        with self.write() as conn:
            self.require_run(run_id)
            execute(
                conn,
                "UPDATE runs SET status = :status, ended = :now, error = :error WHERE id = :r",
                {"status": status, "now": self.now(), "error": error, "r": run_id},
            )
        return self.run_report(run_id)

    def require_run(self, run_id: int, *, running: bool = False) -> None:
        """Raise StoreError when the run does not exist (or, with ``running``, has ended)."""
        rows = self.query("SELECT status FROM runs WHERE id = :r", {"r": run_id})
        if not rows:
            raise no_such_run(run_id, self.path)
        row = rows[0]
        if running and row[0] != "running":
            raise StoreError(
                f"run {run_id} has ended ({row[0]}); start a new refresh to crawl again."
            )

    def run_report(self, run_id: int) -> RunReport:
        with self.read() as conn:
            run = execute(conn, "SELECT * FROM runs WHERE id = :r", {"r": run_id}).mappings()
            row = run.fetchone()
            if row is None:
                raise no_such_run(run_id, self.path)
            return self.build_report(dict(row))

    def build_report(self, run: dict[str, Any]) -> RunReport:
        from index.watches import run_events

        sites: list[str] = json.loads(run["sites"])
        counts: dict[str, dict[str, int]] = json.loads(run["counts"])
        for site in sites:
            counts.setdefault(site, dict.fromkeys(COUNT_KEYS, 0))
        totals = {key: sum(c.get(key, 0) for c in counts.values()) for key in COUNT_KEYS}
        errors = list(json.loads(run["errors"]))
        crawls: dict[str, dict[str, Any]] = {}
        for summary in self.crawl_summaries(run["id"]).values():
            crawls[summary.site] = {
                "complete": summary.complete,
                "requests": summary.requests,
                "error": summary.error,
            }
            if summary.error and not any(
                e["url"] == "" and e["site"] == summary.site for e in errors
            ):
                errors.append({"site": summary.site, "url": "", "error": summary.error})
        ended = run["ended"]
        duration = (
            round((parse_time(ended) - parse_time(run["started"])).total_seconds(), 3)
            if ended
            else None
        )
        return RunReport(
            run_id=int(run["id"]),
            status=run["status"],
            started=run["started"],
            ended=ended,
            duration_s=duration,
            sites=sites,
            counts=counts,
            totals=totals,
            errors=errors,
            withheld=json.loads(run["withheld"]),
            full=bool(run["full_crawl"]),
            error=run["error"],
            crawls=crawls,
            watches=run_events(self, int(run["id"])),
        )

    def last_runs(self, limit: int = 10) -> list[RunReport]:
        with self.read() as conn:
            sql = "SELECT * FROM runs ORDER BY id DESC LIMIT :n"
            rows = [dict(row) for row in execute(conn, sql, {"n": limit}).mappings()]
            return [self.build_report(run) for run in rows]

    # -- crawl side ----------------------------------------------------------------------------
    def crawl_targets(self, site: str) -> list[KnownUrl]:
        rows = self.query(
            "SELECT url, etag, last_modified, sitemap_lastmod, last_fetched, status "
            "FROM url_state WHERE site = :site ORDER BY url",
            {"site": site},
        )
        return [KnownUrl(*row) for row in rows]

    def stage_results(self, run_id: int, site: str, results: Sequence[FetchResult]) -> None:
        """Stage one batch of a crawl's results (one short transaction)."""
        for result in results:
            if result.outcome not in OUTCOMES:
                raise ValueError(f"{result.url}: unknown outcome {result.outcome!r}")
        rows = [
            {
                "run": run_id,
                "site": site,
                "url": r.url,
                "outcome": r.outcome,
                "result": fetch_result_to_json(r),
            }
            for r in results
        ]
        with self.write() as conn:
            self.require_run(run_id, running=True)
            execute_many(
                conn,
                "INSERT INTO staging (run_id, site, url, outcome, result) "
                "VALUES (:run, :site, :url, :outcome, :result)",
                rows,
            )

    def save_crawl_summary(self, run_id: int, summary: CrawlSummary) -> None:
        with self.write() as conn:
            execute(
                conn,
                "INSERT INTO crawl_summaries (run_id, site, summary) VALUES (:r, :site, :s) "
                "ON CONFLICT (run_id, site) DO UPDATE SET summary = excluded.summary",
                {"r": run_id, "site": summary.site, "s": summary_to_json(summary)},
            )

    def crawl_summaries(self, run_id: int) -> dict[str, CrawlSummary]:
        rows = self.query(
            "SELECT site, summary FROM crawl_summaries WHERE run_id = :r ORDER BY site",
            {"r": run_id},
        )
        return {site: summary_from_json(text) for site, text in rows}

    def staged_count(self, run_id: int) -> int:
        rows = self.query("SELECT COUNT(*) FROM staging WHERE run_id = :r", {"r": run_id})
        return int(rows[0][0])

    # -- sync ----------------------------------------------------------------------------------
    def apply_run(
        self,
        run_id: int,
        *,
        miss_limit: int = 3,
        max_removal_share: float = 0.10,
        removal_floor: int = 0,
        confirm_removals: bool = False,
    ) -> RunChanges:
        """Apply a run's staged results in ONE transaction (rules: ``index.sync``).

        A site's removals beyond ``max_removal_share`` of its live records are withheld, unless
        they are ``removal_floor`` records or fewer, or ``confirm_removals`` says an operator
        checked them.

        Applying a run twice is harmless: the second call returns the first call's changes.
        """
        with self.write() as conn:
            if self.is_applied(run_id):
                return self.recorded_changes(run_id)
            self.require_run(run_id, running=True)
            sync = RunSync(
                conn,
                run_id,
                now=self.now(),
                miss_limit=miss_limit,
                max_removal_share=max_removal_share,
                removal_floor=removal_floor,
                confirm_removals=confirm_removals,
            )
            changes = sync.apply()
        log.info(
            "run %d applied: %d added, %d changed, %d removed, withheld %s",
            run_id,
            len(changes.added),
            len(changes.changed),
            len(changes.removed),
            changes.withheld or "none",
        )
        return changes

    def is_applied(self, run_id: int) -> bool:
        rows = self.query("SELECT applied FROM runs WHERE id = :r", {"r": run_id})
        return bool(rows and rows[0][0])

    def recorded_changes(self, run_id: int) -> RunChanges:
        with self.read() as conn:
            rows = execute(
                conn,
                "SELECT record_id, change FROM changes WHERE run_id = :r ORDER BY seq",
                {"r": run_id},
            ).fetchall()
            withheld = execute(
                conn, "SELECT withheld FROM runs WHERE id = :r", {"r": run_id}
            ).scalar_one()
        out = RunChanges(withheld=json.loads(withheld))
        for record_id, change in rows:
            getattr(out, change).append(record_id)
        return out

    def index_changes(self, after_seq: int) -> IndexChanges:
        """Record ids to upsert into / delete from the index since ``after_seq``."""
        with self.read() as conn:
            last = execute(conn, "SELECT MAX(seq) FROM changes").scalar()
            rows = execute(
                conn,
                "SELECT id, status FROM records WHERE id IN "
                "(SELECT record_id FROM changes WHERE seq > :after) ORDER BY id",
                {"after": after_seq},
            ).fetchall()
        upsert = [rid for rid, status in rows if status == "live"]
        delete = [rid for rid, status in rows if status != "live"]
        return IndexChanges(
            last_seq=max(int(last or 0), after_seq), upsert_ids=upsert, delete_ids=delete
        )

    # -- reading records -----------------------------------------------------------------------
    def get(self, id_or_url: str) -> Record | None:
        """A record by id, canonical URL or alias; a URL finds a live record before a gone one
        (a moved page's old URL finds the new record)."""
        key = id_or_url.strip()
        by_alias = (
            "SELECT r.data FROM aliases a JOIN records r ON r.id = a.record_id WHERE a.url = :k"
        )
        with self.read() as conn:
            for sql in (
                "SELECT data FROM records WHERE id = :k",
                "SELECT data FROM records WHERE url = :k AND status = 'live'",
                f"{by_alias} AND r.status = 'live'",
                "SELECT data FROM records WHERE url = :k",
                by_alias,
            ):
                row = execute(conn, sql, {"k": key}).fetchone()
                if row:
                    return Record.from_json(row[0])
        return None

    def record_status(self, record_id: str) -> str | None:
        rows = self.query("SELECT status FROM records WHERE id = :id", {"id": record_id})
        return rows[0][0] if rows else None

    def get_many(self, ids: Sequence[str]) -> list[Record]:
        """The records with these ids, in the given order (unknown ids are left out)."""
        return [record for record, _ in self.index_entries(ids)]

    def index_entries(self, ids: Sequence[str]) -> list[tuple[Record, str]]:
        """(record, first seen) for these ids, in the given order (unknown ids are left out):
        what the search index holds of a record ("date added" is when it was first seen)."""
        found: dict[str, tuple[Record, str]] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            params = {f"i{n}": value for n, value in enumerate(chunk)}
            marks = ", ".join(f":{name}" for name in params)
            rows = self.query(ENTRIES_SQL.format(marks=marks), params)
            found.update((rid, (Record.from_json(data), seen)) for rid, data, seen in rows)
        return [found[i] for i in ids if i in found]

    def iter_records(
        self,
        *,
        live_only: bool = True,
        batch_size: int = 500,
        where: RecordFilter | None = None,
    ) -> Iterator[Record]:
        """Every record (ordered by id), read in batches: constant memory at any size."""
        for record, _ in self.iter_index_entries(
            live_only=live_only, batch_size=batch_size, where=where
        ):
            yield record

    def iter_index_entries(
        self,
        *,
        live_only: bool = True,
        batch_size: int = 500,
        where: RecordFilter | None = None,
    ) -> Iterator[tuple[Record, str]]:
        """(record, first seen) of every record (ordered by id), read in batches."""
        clauses, params = where.sql() if where else ([], {})
        if live_only:
            clauses.append("status = 'live'")
        last_id = ""
        while True:
            sql = " AND ".join(["id > :after", *clauses])
            rows = self.query(
                f"SELECT id, data, first_seen FROM records WHERE {sql} ORDER BY id LIMIT :n",
                {**params, "after": last_id, "n": batch_size},
            )
            for _, data, seen in rows:
                yield Record.from_json(data), seen
            if len(rows) < batch_size:
                return
            last_id = rows[-1][0]

    def count_records(self, *, live_only: bool = True) -> int:
        sql = "SELECT COUNT(*) FROM records" + (" WHERE status = 'live'" if live_only else "")
        return int(self.query(sql)[0][0])

    # -- reports -------------------------------------------------------------------------------
    def status(self, *, runs: int = 5, failing: int = 20) -> StoreStatus:
        failing_sql = (
            "FROM url_state WHERE status = 'error' OR (status = 'live' AND last_error IS NOT NULL "
            f"AND last_error NOT LIKE '{WITHHELD_PREFIX}%')"
        )
        withheld_sql = (
            "SELECT url, site, status, last_error, last_fetched FROM url_state "
            f"WHERE status = 'live' AND last_error LIKE '{WITHHELD_PREFIX}%' ORDER BY site, url"
        )
        with self.read() as conn:
            by_status = count_rows(conn, "SELECT status, COUNT(*) FROM records GROUP BY status")
            by_agency = count_rows(
                conn,
                "SELECT agency, COUNT(*) FROM records WHERE status = 'live' "
                "GROUP BY agency ORDER BY agency",
            )
            by_type = count_rows(
                conn,
                "SELECT content_type, COUNT(*) FROM records WHERE status = 'live' "
                "GROUP BY content_type ORDER BY content_type",
            )
            failing_rows = execute(
                conn,
                f"SELECT url, site, status, last_error, last_fetched {failing_sql} "
                "ORDER BY last_fetched DESC, url LIMIT :n",
                {"n": failing},
            ).fetchall()
            failing_total = execute(conn, f"SELECT COUNT(*) {failing_sql}").scalar_one()
            withheld_rows = execute(conn, withheld_sql).fetchall()
            recent = self.last_runs(runs)
        return StoreStatus(
            live=int(by_status.get("live", 0)),
            gone=int(by_status.get("gone", 0)),
            by_agency=by_agency,
            by_type=by_type,
            runs=recent,
            failing=[FailingUrl(*row) for row in failing_rows],
            failing_total=int(failing_total),
            withheld=[FailingUrl(*row) for row in withheld_rows],
        )

    def changes(self, *, since: str | None = None, run_id: int | None = None) -> list[StoreChange]:
        """Changes, newest first: of one run, since a date (ISO prefix), or of the last
        completed run by default."""
        params: dict[str, Any] = {}
        if run_id is not None:
            condition, params["r"] = "c.run_id = :r", run_id
        elif since is not None:
            condition, params["since"] = "c.at >= :since", since
        else:
            last = self.query(
                "SELECT MAX(id) FROM runs WHERE status = 'completed' AND applied = 1"
            )[0][0]
            if last is None:
                return []
            condition, params["r"] = "c.run_id = :r", last
        rows = self.query(
            "SELECT c.seq, c.run_id, c.at, c.change, c.record_id, r.agency, r.content_type, "
            f"r.url, r.data FROM changes c JOIN records r ON r.id = c.record_id WHERE {condition} "
            "ORDER BY c.seq DESC",
            params,
        )
        return [
            StoreChange(
                seq=seq,
                run_id=rid,
                at=at,
                change=change,
                record_id=record_id,
                agency=agency,
                content_type=kind,
                title=json.loads(data).get("title", ""),
                url=url,
            )
            for seq, rid, at, change, record_id, agency, kind, url, data in rows
        ]


def count_rows(conn: Connection, sql: str) -> dict[str, int]:
    """``{name: count}`` of a two-column query, in its order."""
    return {name: int(count) for name, count in execute(conn, sql)}


def has_tables(conn: Connection) -> bool:
    return bool(inspect(conn).get_table_names())
