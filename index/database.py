"""Where the store lives and how to reach it: SQLite (a file in the data dir, the default) or
PostgreSQL (a database several machines share), through one SQLAlchemy Core engine.

The store's SQL is plain text with named parameters that both backends run unchanged
(``execute``); what differs lives here, in ``Database``:

- SQLite: WAL, a busy timeout, foreign keys; a write transaction is ``BEGIN IMMEDIATE`` (writers
  queue on the busy timeout); a reader's connection refuses writes (``query_only``).
- PostgreSQL: a write transaction first takes one advisory lock, so writers queue exactly as on
  SQLite (for at most ``BUSY_TIMEOUT_MS``); a reader's transactions are read-only snapshots
  (``REPEATABLE READ``), which never wait on a writer. Text columns use the ``C`` collation, so
  that ids, URLs and dates sort as they do on SQLite.

Where the store is, resolved once (``index.store_file.store_location``): the ``--store`` flag,
else ``OJP_SEARCH_STORE_URL``, else ``[store] url`` in the data dir's ``config.toml``, else
``store.sqlite3`` in the data dir.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, TextClause, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from index.errors import ErrorKind, OjpError
from index.store_file import BUSY_TIMEOUT_MS

#: The advisory lock every PostgreSQL write transaction takes first (one store per database).
WRITE_LOCK_KEY = 0x6F6A7073  # "ojps"
BACKENDS = ("sqlite", "postgresql")

#: Marks a connection whose next transaction writes (read by the SQLite ``begin`` hook).
WRITING = "ojp_search_writing"


class StoreUrlError(OjpError):
    """A store URL that names no backend ojp-search can use."""

    kind = ErrorKind.USAGE


def parse_location(location: Path | str) -> tuple[str, URL | Path]:
    """(backend, URL or SQLite file) of a store location; a plain path is a SQLite file."""
    if isinstance(location, Path) or "://" not in location:
        return "sqlite", Path(location).expanduser()
    try:
        url = make_url(location)
    except ArgumentError as exc:
        raise StoreUrlError(f"{location!r} is not a store URL.") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreUrlError(f"{location!r} names no SQLite file; use sqlite:///PATH.")
        return "sqlite", Path(url.database).expanduser()
    if backend in ("postgresql", "postgres"):
        return "postgresql", url.set(drivername="postgresql+psycopg")
    raise StoreUrlError(
        f"unsupported store URL {url.render_as_string(hide_password=True)!r}; "
        "use sqlite:///PATH or postgresql://HOST/DATABASE."
    )


def shown_location(location: Path | str) -> str:
    """A location as messages show it: a SQLite file's path, a URL without its password."""
    _, where = parse_location(location)
    if isinstance(where, Path):
        return str(where)
    return where.set(drivername="postgresql").render_as_string(hide_password=True)


@functools.lru_cache(maxsize=2048)
def statement(sql: str) -> TextClause:
    return text(sql)


def execute(conn: Connection, sql: str, params: Mapping[str, Any] | None = None) -> CursorResult:
    """Run one statement of plain SQL with ``:named`` parameters."""
    return conn.execute(statement(sql), dict(params or {}))


def execute_many(conn: Connection, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run one statement once per parameter set (nothing when there are none)."""
    if rows:
        conn.execute(statement(sql), [dict(row) for row in rows])


def is_busy(exc: DBAPIError) -> bool:
    """The other backend's way of saying "another writer holds the lock"."""
    text_ = str(exc.orig).lower()
    return any(word in text_ for word in ("locked", "busy", "lock timeout", "lock_timeout"))


def reason(exc: DBAPIError) -> str:
    """The driver's own first line, without SQLAlchemy's decoration."""
    return (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]


class Database:
    """One store's engine: connections, and transactions that behave alike on both backends."""

    def __init__(
        self,
        location: Path | str,
        *,
        readonly: bool = False,
        sqlite_connect: Callable[..., Any] | None = None,
    ) -> None:
        self.backend, where = parse_location(location)
        self.readonly = readonly
        self.shown = shown_location(location)
        self.path: Path | None = where if isinstance(where, Path) else None
        if isinstance(where, Path):
            self.engine = sqlite_engine(where, readonly, sqlite_connect)
        else:
            self.engine = postgresql_engine(where, readonly)

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    def connect(self) -> Connection:
        return self.engine.connect()

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def writing(self, conn: Connection) -> Iterator[Connection]:
        """One write transaction; writers queue for at most ``BUSY_TIMEOUT_MS``."""
        conn.info[WRITING] = True
        try:
            transaction = conn.begin()
        finally:
            conn.info[WRITING] = False
        with transaction:
            if self.backend == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            yield conn

    @contextmanager
    def reading(self, conn: Connection) -> Iterator[Connection]:
        """One consistent snapshot for several queries; never waits on a writer."""
        with conn.begin():
            if self.backend == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield conn

    def reset_sequences(self, conn: Connection, tables: dict[str, str]) -> None:
        """After rows were inserted with their ids: the next id follows the largest one."""
        if self.backend != "postgresql":
            return  # SQLite's rowid already does
        for table, column in tables.items():
            execute(
                conn,
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
            )


def sqlite_engine(path: Path, readonly: bool, connect: Callable[..., Any] | None) -> Engine:
    """An engine over connections made by ``connect(path)`` (autocommit DBAPI connections);
    transactions are begun here, ``BEGIN IMMEDIATE`` for a writer."""
    if connect is None:
        raise ValueError("a SQLite store needs its connect function")

    def creator() -> Any:
        return connect(path, readonly=True) if readonly else connect(path)

    engine = create_engine("sqlite://", creator=creator, poolclass=NullPool)

    @event.listens_for(engine, "begin")
    def begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(WRITING) else "BEGIN")

    return engine


def postgresql_engine(url: URL, readonly: bool) -> Engine:
    options = "-c default_transaction_read_only=on" if readonly else ""
    connect_args: dict[str, Any] = {"connect_timeout": 10, "application_name": "ojp-search"}
    if options:
        connect_args["options"] = options
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)
