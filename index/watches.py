"""Saved searches ("watches"): a named search whose new matches each refresh reports.

A watch is a ``SearchRequest`` (query and filters) kept in the store under a name, so it survives
a rebuild of the index and moves with the store (``store copy``, PostgreSQL). The store also keeps
the records it matched when it was last checked. After each refresh has updated the index,
``check_watches`` runs every watch and compares:

- **new**: records that match now and did not (added, or changed into a match);
- **changed**: records that matched before and still do, and changed in the meantime;
- **stopped**: records that matched and no longer do (removed, or changed out of it).

Each of those is an *event* of the run, unseen until ``take_unseen`` hands it out (``watch show
--new``). A watch's first check only records what it matches: what it finds at once is not news.
A check that does not happen (the refresh died after its index commit) is made up by the next one:
it compares with the last recorded matches, whatever happened in between.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from index.database import execute, execute_many
from index.errors import ErrorKind, NextStep, OjpError, UsageError
from index.fulltext.query import SearchRequest, check_request, compile_query
from index.records import Record

if TYPE_CHECKING:
    from index.datadir import DataDir
    from index.store import Store

log = logging.getLogger(__name__)

EVENTS = ("new", "changed", "stopped")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,59}$")
NAME_RULE = "1 to 60 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit"
#: Request fields a watch keeps (paging and sorting are the viewer's choice, not the search's).
KEPT_FIELDS = tuple(
    f.name for f in fields(SearchRequest) if f.name not in ("sort", "limit", "page")
)
#: Events listed per watch in a run report before "... and N more".
REPORTED_EVENTS = 20


class WatchError(OjpError):
    """A saved search that does not exist, or one that cannot be saved."""

    kind = ErrorKind.NOT_FOUND
    next_step = NextStep.NONE


@dataclass(frozen=True)
class Watch:
    name: str
    request: SearchRequest
    created: str
    checked: str | None  # when a refresh last compared its matches (None: not yet)
    matches: int = 0  # records it matched at that check
    unseen: int = 0  # events not yet shown by ``watch show --new``

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "watch",
            "name": self.name,
            "query": self.request.query,
            "filters": request_filters(self.request),
            "created": self.created,
            "checked": self.checked,
            "matches": self.matches,
            "unseen": self.unseen,
        }


@dataclass(frozen=True)
class WatchEvent:
    """One record that became, stayed (and changed) or stopped being a match of a watch."""

    watch: str
    event: str  # one of EVENTS
    record_id: str
    title: str
    url: str
    run_id: int | None
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": "event", **asdict(self)}


def request_filters(request: SearchRequest) -> dict[str, Any]:
    """The filters of a request that are set, by request field name."""
    data = asdict(request)
    return {
        name: list(value) if isinstance(value, tuple | list) else value
        for name, value in data.items()
        if name in KEPT_FIELDS and name != "query" and value not in (None, False, (), [])
    }


def encode_request(request: SearchRequest) -> str:
    data = {name: getattr(request, name) for name in KEPT_FIELDS}
    return json.dumps(
        {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}, sort_keys=True
    )


def decode_request(text: str) -> SearchRequest:
    data = json.loads(text)
    known: dict[str, Any] = {
        k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in KEPT_FIELDS
    }
    return SearchRequest(**known)


def check_name(name: str) -> str:
    name = name.strip()
    if not NAME.match(name):
        raise UsageError(f"bad saved search name {name!r}: use {NAME_RULE}.")
    return name


# -- the store side ------------------------------------------------------------------------------


def add_watch(store: Store, data_dir: DataDir, name: str, request: SearchRequest) -> Watch:
    """Save a search under ``name``; with an index, record what it matches now (no events)."""
    name = check_name(name)
    request = check_request(request)
    matches = current_matches(data_dir, request)
    with store.write() as conn:
        if execute(conn, "SELECT 1 FROM watches WHERE name = :n", {"n": name}).fetchone():
            raise WatchError(
                f"a saved search named {name!r} exists; remove it first (watch rm) or "
                "choose another name.",
                kind=ErrorKind.USAGE,
            )
        now = store.now()
        execute(
            conn,
            "INSERT INTO watches (name, request, created, checked, last_seq) "
            "VALUES (:n, :r, :now, :checked, :seq)",
            {
                "n": name,
                "r": encode_request(request),
                "now": now,
                "checked": now if matches is not None else None,
                "seq": last_change(conn) if matches is not None else None,
            },
        )
        insert_matches(conn, name, matches or ())
    return get_watch(store, name)


def current_matches(data_dir: DataDir, request: SearchRequest) -> set[str] | None:
    """What ``request`` matches in the index now; None when there is no index yet (the query is
    then checked without one)."""
    from index.fulltext.searcher import IndexMissingError, matching_ids

    try:
        return matching_ids(data_dir, request)
    except IndexMissingError:
        check_query_alone(request)
        return None


def check_query_alone(request: SearchRequest) -> None:
    """Compile the query against an empty in-memory index (a mistake is told before saving)."""
    from whoosh.filedb.filestore import RamStorage

    from index.fulltext.schema import build_schema

    ix = RamStorage().create_index(build_schema())
    with ix.searcher() as searcher:
        compile_query(searcher, request)


def last_change(conn: Any) -> int:
    return int(execute(conn, "SELECT COALESCE(MAX(seq), 0) FROM changes").scalar() or 0)


def insert_matches(conn: Any, name: str, ids: Iterable[str]) -> None:
    rows = [{"w": name, "r": record_id} for record_id in sorted(ids)]
    execute_many(conn, "INSERT INTO watch_matches (watch, record_id) VALUES (:w, :r)", rows)


def remove_watch(store: Store, name: str) -> None:
    with store.write() as conn:
        require_watch(conn, name)
        for table in ("watch_events", "watch_matches"):
            execute(conn, f"DELETE FROM {table} WHERE watch = :n", {"n": name})
        execute(conn, "DELETE FROM watches WHERE name = :n", {"n": name})


def require_watch(conn: Any, name: str) -> None:
    if not execute(conn, "SELECT 1 FROM watches WHERE name = :n", {"n": name}).fetchone():
        known = [row[0] for row in execute(conn, "SELECT name FROM watches ORDER BY name")]
        listed = f" Saved searches: {', '.join(known)}." if known else " There are none yet."
        raise WatchError(f"no saved search named {name!r}.{listed}")


def list_watches(store: Store) -> list[Watch]:
    with store.read() as conn:
        rows = execute(
            conn,
            "SELECT w.name, w.request, w.created, w.checked, "
            "(SELECT COUNT(*) FROM watch_matches m WHERE m.watch = w.name), "
            "(SELECT COUNT(*) FROM watch_events e WHERE e.watch = w.name AND e.seen = 0) "
            "FROM watches w ORDER BY w.name",
        ).fetchall()
    return [
        Watch(name, decode_request(req), created, checked, int(matches), int(unseen))
        for name, req, created, checked, matches, unseen in rows
    ]


def get_watch(store: Store, name: str) -> Watch:
    with store.read() as conn:
        require_watch(conn, name)
    return next(w for w in list_watches(store) if w.name == name)


def read_events(conn: Any, where: str, params: Mapping[str, Any]) -> list[WatchEvent]:
    """Events with their record's title and URL (the record stays in the store when removed)."""
    rows = execute(
        conn,
        "SELECT e.watch, e.event, e.record_id, r.data, e.run_id, e.at FROM watch_events e "
        f"LEFT JOIN records r ON r.id = e.record_id WHERE {where} ORDER BY e.id",
        params,
    ).fetchall()
    events = []
    for watch, event, record_id, data, run_id, at in rows:
        record = Record.from_json(data) if data else None
        title = record.title if record else ""
        url = record.url if record else ""
        events.append(WatchEvent(watch, event, record_id, title, url, run_id, at))
    return events


def take_unseen(store: Store, name: str, *, mark_seen: bool = True) -> list[WatchEvent]:
    """The events of ``name`` not shown before, oldest first; then they are marked seen."""
    with store.write() if mark_seen else store.read() as conn:
        require_watch(conn, name)
        events = read_events(conn, "e.watch = :n AND e.seen = 0", {"n": name})
        if mark_seen and events:
            execute(conn, "UPDATE watch_events SET seen = 1 WHERE watch = :n", {"n": name})
    return events


def recent_events(store: Store, name: str, limit: int = 100) -> list[WatchEvent]:
    """The latest ``limit`` events of a watch, newest first, seen or not (its feed)."""
    with store.read() as conn:
        require_watch(conn, name)
        newest = execute(
            conn,
            "SELECT MIN(id) FROM (SELECT id FROM watch_events WHERE watch = :n "
            "ORDER BY id DESC LIMIT :k) AS latest",
            {"n": name, "k": limit},
        ).scalar()
        events = read_events(
            conn, "e.watch = :n AND e.id >= :first", {"n": name, "first": newest or 0}
        )
    return events[::-1]


def run_events(store: Store, run_id: int) -> dict[str, dict[str, Any]]:
    """What each saved search found in a run, for its report: per watch and event, the first
    ``REPORTED_EVENTS`` records (title, URL, id) and how many there were."""
    with store.read() as conn:
        events = read_events(conn, "e.run_id = :r", {"r": run_id})
    report: dict[str, dict[str, Any]] = {}
    for event in events:
        kinds = report.setdefault(event.watch, {})
        entry = kinds.setdefault(event.event, {"count": 0, "records": []})
        entry["count"] += 1
        if len(entry["records"]) < REPORTED_EVENTS:
            entry["records"].append({"id": event.record_id, "title": event.title, "url": event.url})
    return report


# -- checking after a refresh ---------------------------------------------------------------------


@dataclass(frozen=True)
class WatchCheck:
    name: str
    new: Sequence[str]
    changed: Sequence[str]
    stopped: Sequence[str]
    error: str | None = None


def check_watches(store: Store, data_dir: DataDir, run_id: int | None) -> list[WatchCheck]:
    """Run every saved search against the index and record its events under ``run_id``. A watch
    whose search or record fails is reported with its error and left as it was (its next check
    catches up); the refresh does not fail for it."""
    from index.fulltext.searcher import matching_ids

    checks = []
    for watch in list_watches(store):
        try:
            now_matching = matching_ids(data_dir, watch.request)
            checks.append(record_check(store, watch.name, now_matching, run_id))
        except OjpError as exc:  # a query the index no longer takes, a busy store
            log.warning("saved search %r could not be checked: %s", watch.name, exc)
            checks.append(WatchCheck(watch.name, (), (), (), str(exc)))
    return checks


def record_check(store: Store, name: str, now_matching: set[str], run_id: int | None) -> WatchCheck:
    """Compare a watch's matches with the last recorded ones; write the events and the matches
    in one transaction."""
    with store.write() as conn:
        row = execute(
            conn, "SELECT checked, last_seq FROM watches WHERE name = :n", {"n": name}
        ).fetchone()
        if row is None:  # removed meanwhile
            return WatchCheck(name, (), (), ())
        first_check = row[0] is None
        before = {
            r[0]
            for r in execute(
                conn, "SELECT record_id FROM watch_matches WHERE watch = :n", {"n": name}
            )
        }
        seq = last_change(conn)
        changed_ids = {
            r[0]
            for r in execute(
                conn,
                "SELECT DISTINCT record_id FROM changes WHERE seq > :after AND change = 'changed'",
                {"after": int(row[1] or 0)},
            )
        }
        new = [] if first_check else sorted(now_matching - before)
        stopped = [] if first_check else sorted(before - now_matching)
        changed = [] if first_check else sorted(now_matching & before & changed_ids)
        now = store.now()
        events = [
            {"w": name, "run": run_id, "r": record_id, "e": kind, "at": now}
            for kind, ids in (("new", new), ("changed", changed), ("stopped", stopped))
            for record_id in ids
        ]
        execute_many(
            conn,
            "INSERT INTO watch_events (watch, run_id, record_id, event, at) "
            "VALUES (:w, :run, :r, :e, :at)",
            events,
        )
        if new or stopped or first_check:
            execute(conn, "DELETE FROM watch_matches WHERE watch = :n", {"n": name})
            insert_matches(conn, name, now_matching)
        execute(
            conn,
            "UPDATE watches SET checked = :now, last_seq = :seq WHERE name = :n",
            {"now": now, "seq": seq, "n": name},
        )
    log.info(
        "saved search %r: %d new, %d changed, %d stopped matching",
        name,
        len(new),
        len(changed),
        len(stopped),
    )
    return WatchCheck(name, new, changed, stopped)
