"""The store's SQLite file without SQLAlchemy: where the store is, the connection every SQLite
store opens, and the one read the hits of a search need.

``ojp-search search`` starts, searches once and exits; SQLAlchemy's import is a large part of
its start-up, for one ``SELECT`` of ten records. ``read_index_entries`` reads them straight from
the default SQLite store with the connection ``index.store`` itself uses. Anything unusual (a
store URL, another schema version, a busy, missing or damaged file) returns None, and the caller
opens ``index.store.Store``, which migrates, waits or explains.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from index.datadir import DataDir
from index.records import Record

STORE_URL_ENV = "OJP_SEARCH_STORE_URL"
BUSY_TIMEOUT_MS = 30_000
#: The schema version this program reads and writes (``index.migrations`` checks it is the
#: number of its steps).
STORE_VERSION = 3
#: Records per ``IN (...)`` list.
CHUNK = 500
#: (record, first seen) by id: what the search index and a hit hold of a record.
ENTRIES_SQL = "SELECT id, data, first_seen FROM records WHERE id IN ({marks})"


def store_location(data_dir: DataDir) -> Path | str:
    """The store of ``data_dir``: a URL (flag, environment, config) or the SQLite file."""
    for url in (data_dir.store, os.environ.get(STORE_URL_ENV), configured_url(data_dir)):
        if url:
            return url
    return data_dir.store_path


def configured_url(data_dir: DataDir) -> str | None:
    """``[store] url`` of the data dir's ``config.toml`` (None when there is none)."""
    return data_dir.read_config().get("store", {}).get("url") or None


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, busy timeout, FKs.

    A ``readonly`` one refuses every write (``query_only``) and leaves the journal mode alone;
    in a folder that cannot be written (a read-only mount) it opens the file as immutable, the
    only way SQLite reads a WAL database there. Text that is not valid UTF-8 reads back with
    replacement characters instead of failing the read."""
    uri = f"file:{quote(str(path))}"
    if readonly and not os.access(path.parent, os.W_OK):
        uri += "?immutable=1"
    conn = sqlite3.connect(
        uri,
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.text_factory = decode_text
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    else:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def decode_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def read_index_entries(data_dir: DataDir, ids: Sequence[str]) -> list[tuple[Record, str]] | None:
    """(record, first seen) for these ids, in the given order (unknown ids left out), read from
    the default SQLite store in one read transaction; None when the store is elsewhere or
    anything is unusual (the caller then asks ``index.store.Store``)."""
    location = store_location(data_dir)
    if not isinstance(location, Path) or not location.is_file():
        return None
    try:
        conn = connect(location, readonly=True)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None or int(row[0]) != STORE_VERSION:
            return None
        found: dict[str, tuple[Record, str]] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            rows = conn.execute(ENTRIES_SQL.format(marks=", ".join("?" * len(chunk))), chunk)
            found.update((rid, (Record.from_json(data), seen)) for rid, data, seen in rows)
        return [found[i] for i in ids if i in found]
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        return None
    finally:
        conn.close()
