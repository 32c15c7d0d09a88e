"""The store's schema, as a list of forward migrations, the same on SQLite and PostgreSQL.

Each step takes the database from version ``n`` to ``n + 1``; ``STORE_VERSION`` is the number of
steps. A step is a tuple of plain SQL statements both backends run, or a function of the
connection (SQLAlchemy Core) when tables are created or existing rows rewritten. The version
lives in the ``meta`` table (key ``schema_version``). Never edit a released step: append a new
one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    inspect,
)

from index import store_file
from index.database import execute

log = logging.getLogger(__name__)

Step = Sequence[str] | Callable[[Connection], None]

#: Text compares and sorts byte by byte on both backends (SQLite's own rule; ``C`` on PostgreSQL).
TEXT = Text().with_variant(Text(collation="C"), "postgresql")
#: A row id the database assigns: SQLite's rowid, a ``BIGSERIAL`` on PostgreSQL.
ROW_ID = Integer().with_variant(BigInteger(), "postgresql")
ZERO = "0"


def text_column(name: str, *args: object, **kwargs: object) -> Column:
    return Column(name, TEXT, *args, **kwargs)  # type: ignore[arg-type]


#: Version 1: records, per-URL sync state, aliases, history, runs, staging, changes log.
#: ``records.last_seen`` is when the stored version was last written (an unchanged page writes
#: nothing to ``records``); ``url_state.last_seen`` is when a crawl last confirmed the URL.
V1 = MetaData()
Table("meta", V1, text_column("key", primary_key=True), text_column("value", nullable=False))
Table(
    "records",
    V1,
    text_column("id", primary_key=True),
    text_column("url", nullable=False, unique=True),
    text_column("site", nullable=False),
    text_column("agency", nullable=False),
    text_column("content_type", nullable=False),
    text_column("published"),
    text_column("ncj_number"),
    text_column("status", nullable=False),
    text_column("content_hash", nullable=False),
    text_column("first_seen", nullable=False),
    text_column("last_seen", nullable=False),
    text_column("last_changed", nullable=False),
    text_column("data", nullable=False),
    Index("records_ncj", "ncj_number"),
    Index("records_site_status", "site", "status"),
)
Table(
    "url_state",
    V1,
    text_column("url", primary_key=True),
    text_column("site", nullable=False),
    text_column("record_id", ForeignKey("records.id")),
    text_column("etag"),
    text_column("last_modified"),
    text_column("sitemap_lastmod"),
    text_column("content_hash"),
    text_column("first_seen", nullable=False),
    text_column("last_seen", nullable=False),
    text_column("last_changed"),
    text_column("last_fetched"),
    text_column("status", nullable=False),
    Column("misses", Integer, nullable=False, server_default=ZERO),
    text_column("last_error"),
    Index("url_state_site", "site"),
)
Table(
    "aliases",
    V1,
    text_column("url", primary_key=True),
    text_column("record_id", ForeignKey("records.id"), nullable=False),
    Index("aliases_record", "record_id"),
)
Table(
    "runs",
    V1,
    Column("id", ROW_ID, primary_key=True),
    text_column("started", nullable=False),
    text_column("ended"),
    text_column("sites", nullable=False),
    Column("full_crawl", Integer, nullable=False, server_default=ZERO),
    text_column("status", nullable=False),
    Column("applied", Integer, nullable=False, server_default=ZERO),
    text_column("counts", nullable=False, server_default="{}"),
    text_column("errors", nullable=False, server_default="[]"),
    text_column("withheld", nullable=False, server_default="{}"),
    text_column("error"),
)
Table(
    "history",
    V1,
    Column("id", ROW_ID, primary_key=True),
    text_column("record_id", ForeignKey("records.id"), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    text_column("change", nullable=False),
    text_column("content_hash"),
    text_column("at", nullable=False),
    Index("history_record", "record_id"),
)
Table(
    "staging",
    V1,
    Column("id", ROW_ID, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    text_column("site", nullable=False),
    text_column("url", nullable=False),
    text_column("outcome", nullable=False),
    text_column("result", nullable=False),
    Index("staging_run", "run_id"),
)
Table(
    "crawl_summaries",
    V1,
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    text_column("site", nullable=False),
    text_column("summary", nullable=False),
    PrimaryKeyConstraint("run_id", "site"),
)
Table(
    "changes",
    V1,
    Column("seq", ROW_ID, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    text_column("record_id", ForeignKey("records.id"), nullable=False),
    text_column("change", nullable=False),
    text_column("at", nullable=False),
    Index("changes_run", "run_id"),
)


def create_v1_tables(conn: Connection) -> None:
    V1.create_all(conn, checkfirst=False)


#: Version 2: funding opportunities dedupe by opportunity id; export filters by date.
V2_SQL = (
    "ALTER TABLE records ADD COLUMN opportunity_id TEXT",
    "CREATE INDEX records_opportunity ON records (opportunity_id)",
    "CREATE INDEX records_published ON records (published)",
    "CREATE INDEX changes_at ON changes (at)",
)


def backfill_opportunity_ids(conn: Connection) -> None:
    """Fill ``records.opportunity_id`` from the stored record JSON."""
    rows = execute(conn, "SELECT id, data FROM records").fetchall()
    for record_id, data in rows:
        opportunity_id = json.loads(data).get("opportunity_id")
        if opportunity_id:
            execute(
                conn,
                "UPDATE records SET opportunity_id = :oid WHERE id = :id",
                {"oid": opportunity_id, "id": record_id},
            )


#: Version 3: saved searches (``index.watches``): each one's request, the records it matched at
#: its last check, and what changed for it (new, changed, stopped matches), seen or not.
V3 = MetaData()
Table(
    "watches",
    V3,
    text_column("name", primary_key=True),
    text_column("request", nullable=False),
    text_column("created", nullable=False),
    text_column("checked"),
    Column("last_seq", Integer),
)
Table(
    "watch_matches",
    V3,
    text_column("watch", ForeignKey("watches.name"), nullable=False),
    text_column("record_id", nullable=False),
    PrimaryKeyConstraint("watch", "record_id"),
)
Table(
    "watch_events",
    V3,
    Column("id", ROW_ID, primary_key=True),
    text_column("watch", ForeignKey("watches.name"), nullable=False),
    Column("run_id", Integer),
    text_column("record_id", nullable=False),
    text_column("event", nullable=False),
    text_column("at", nullable=False),
    Column("seen", Integer, nullable=False, server_default=ZERO),
    Index("watch_events_watch", "watch", "seen"),
    Index("watch_events_run", "run_id"),
)


def create_v3_tables(conn: Connection) -> None:
    V3.create_all(conn, checkfirst=False)


MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    (create_v1_tables,),
    (V2_SQL, backfill_opportunity_ids),
    (create_v3_tables,),
)

STORE_VERSION = len(MIGRATIONS)
if STORE_VERSION != store_file.STORE_VERSION:  # the reader without SQLAlchemy must agree
    raise ImportError(f"index.store_file reads store version {store_file.STORE_VERSION}")

#: Every table of the current schema, parents before children (the order a copy writes them).
TABLES = (
    "meta",
    "runs",
    "records",
    "url_state",
    "aliases",
    "history",
    "staging",
    "crawl_summaries",
    "changes",
    "watches",
    "watch_matches",
    "watch_events",
)
#: Tables whose id the database assigns, and that id's column.
ROW_IDS = {
    "runs": "id",
    "history": "id",
    "staging": "id",
    "changes": "seq",
    "watch_events": "id",
}


class SchemaTooNewError(Exception):
    """The database was written by a newer program."""


class ForeignDatabaseError(Exception):
    """The database holds tables but no ojp-search schema version."""


def schema_version(conn: Connection) -> int:
    """The database's schema version (0 for an empty database)."""
    if not inspect(conn).has_table("meta"):
        return 0
    row = execute(conn, "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: Connection, *, target: int = STORE_VERSION) -> int:
    """Apply the missing steps up to ``target``; returns the new version.

    Runs inside the caller's write transaction, so a failing step leaves the old version.
    """
    current = schema_version(conn)
    if current > STORE_VERSION:
        raise SchemaTooNewError(
            f"store schema version {current} is newer than this program ({STORE_VERSION})"
        )
    if current == 0 and inspect(conn).get_table_names():
        raise ForeignDatabaseError("the database holds tables of another program")
    for version in range(current + 1, target + 1):
        for step in MIGRATIONS[version - 1]:
            run_step(conn, step)
        execute(
            conn,
            "INSERT INTO meta (key, value) VALUES ('schema_version', :v) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            {"v": str(version)},
        )
        log.info("store migrated to schema version %d", version)
    return max(current, target)


def run_step(conn: Connection, step: Step) -> None:
    if callable(step):
        step(conn)
        return
    for sql in step:
        execute(conn, sql)
