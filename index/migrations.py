"""The store's schema, as a list of forward migrations.

Each step takes the database from version ``n`` to ``n + 1``; ``STORE_VERSION`` is the number of
steps. A step is a tuple of plain SQL statements, or a function of the connection when existing
rows must be rewritten. The version lives in the ``meta`` table (key ``schema_version``), so the
same scheme works on any SQL database. Never edit a released step: append a new one.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

Step = Sequence[str] | Callable[[sqlite3.Connection], None]

#: Version 1: records, per-URL sync state, aliases, history, runs, staging, changes log.
#: ``records.last_seen`` is when the stored version was last written (an unchanged page writes
#: nothing to ``records``); ``url_state.last_seen`` is when a crawl last confirmed the URL.
V1 = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE records (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        site TEXT NOT NULL,
        agency TEXT NOT NULL,
        content_type TEXT NOT NULL,
        published TEXT,
        ncj_number TEXT,
        status TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_changed TEXT NOT NULL,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX records_ncj ON records (ncj_number)",
    "CREATE INDEX records_site_status ON records (site, status)",
    """CREATE TABLE url_state (
        url TEXT PRIMARY KEY,
        site TEXT NOT NULL,
        record_id TEXT REFERENCES records (id),
        etag TEXT,
        last_modified TEXT,
        sitemap_lastmod TEXT,
        content_hash TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        last_changed TEXT,
        last_fetched TEXT,
        status TEXT NOT NULL,
        misses INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    )""",
    "CREATE INDEX url_state_site ON url_state (site)",
    """CREATE TABLE aliases (
        url TEXT PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES records (id)
    )""",
    "CREATE INDEX aliases_record ON aliases (record_id)",
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        ended TEXT,
        sites TEXT NOT NULL,
        full_crawl INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        applied INTEGER NOT NULL DEFAULT 0,
        counts TEXT NOT NULL DEFAULT '{}',
        errors TEXT NOT NULL DEFAULT '[]',
        withheld TEXT NOT NULL DEFAULT '{}',
        error TEXT
    )""",
    """CREATE TABLE history (
        id INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES records (id),
        run_id INTEGER NOT NULL REFERENCES runs (id),
        change TEXT NOT NULL,
        content_hash TEXT,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX history_record ON history (record_id)",
    """CREATE TABLE staging (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        site TEXT NOT NULL,
        url TEXT NOT NULL,
        outcome TEXT NOT NULL,
        result TEXT NOT NULL
    )""",
    "CREATE INDEX staging_run ON staging (run_id)",
    """CREATE TABLE crawl_summaries (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        site TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (run_id, site)
    )""",
    """CREATE TABLE changes (
        seq INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        record_id TEXT NOT NULL REFERENCES records (id),
        change TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX changes_run ON changes (run_id)",
)

#: Version 2: funding opportunities dedupe by opportunity id; export filters by date.
V2_SQL = (
    "ALTER TABLE records ADD COLUMN opportunity_id TEXT",
    "CREATE INDEX records_opportunity ON records (opportunity_id)",
    "CREATE INDEX records_published ON records (published)",
    "CREATE INDEX changes_at ON changes (at)",
)


def backfill_opportunity_ids(conn: sqlite3.Connection) -> None:
    """Fill ``records.opportunity_id`` from the stored record JSON."""
    rows = conn.execute("SELECT id, data FROM records").fetchall()
    for record_id, data in rows:
        opportunity_id = json.loads(data).get("opportunity_id")
        if opportunity_id:
            conn.execute(
                "UPDATE records SET opportunity_id = :oid WHERE id = :id",
                {"oid": opportunity_id, "id": record_id},
            )


MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    (V1,),
    (V2_SQL, backfill_opportunity_ids),
)

STORE_VERSION = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    """The database was written by a newer program."""


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's schema version (0 for an empty database)."""
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
    ).fetchone()
    if not has_meta:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection, *, target: int = STORE_VERSION) -> int:
    """Apply the missing steps up to ``target`` in one transaction; returns the new version.

    ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(conn)
        if current > STORE_VERSION:
            raise SchemaTooNewError(
                f"store schema version {current} is newer than this program ({STORE_VERSION})"
            )
        for version in range(current + 1, target + 1):
            for step in MIGRATIONS[version - 1]:
                run_step(conn, step)
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', :v) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                {"v": str(version)},
            )
            log.info("store migrated to schema version %d", version)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return max(current, target)


def run_step(conn: sqlite3.Connection, step: Step) -> None:
    if callable(step):
        step(conn)
        return
    for statement in step:
        conn.execute(statement)
