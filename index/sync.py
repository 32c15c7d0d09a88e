"""Applying one run's staged crawl results to the store: the sync rules.

Runs inside the single transaction ``Store.apply_run`` opens, so a crash leaves the store as it
was. The rules, per staged ``FetchResult`` (the latest one per URL when a crawl was retried):

- ``not_modified``, ``skipped`` and a ``fetched`` page with the same content hash write nothing
  to ``records`` (only sync-state bookkeeping) and log no change.
- A new URL is ``added``; a new content hash is ``changed`` (+ history).
- ``gone`` (404/410/soft 404) removes the record at once; ``excluded`` (the page became noindex
  or stopped being a resource) removes it too; a redirect from a record's URL to another page
  removes the old record (the new one is added, and the old URL becomes its alias).
- A URL missing from ``miss_limit`` complete crawls of its site is removed. A site whose crawl
  was incomplete or staged nothing counts no misses.
- ``failed`` (5xx, timeout) never removes: the record stays live and the error is kept.
- ``document`` (a linked document read for its page) keeps the document's validators; a record
  of kind document at its URL is removed, as the page now carries its text.
- When a site's removals would exceed ``max_removal_share`` of its live records, and are more
  than ``removal_floor`` records, none of them happen and the run reports them as withheld (a
  small site could otherwise never lose a record); ``confirm_removals`` applies them anyway, for
  an operator who has checked them.
- Dedupe: a new page whose NCJ number (or opportunity id) matches a live record with another id
  is merged into that record: the older record keeps its id, URL and content, and the page's URL
  becomes an alias. Results are applied in URL order, so the outcome is deterministic.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection

from index.database import execute, execute_many
from index.records import CrawlSummary, FetchResult, Record

log = logging.getLogger(__name__)

BATCH = 200
#: How a URL's last error begins while the safety valve withholds its record's removal.
WITHHELD_PREFIX = "removal withheld: "
#: Failed URLs listed in a run report (the counts stay exact; the store lists every failing URL).
MAX_ERRORS = 200


#: Per-site counters of a run report, in display order.
COUNT_KEYS = (
    "fetched",
    "not_modified",
    "skipped",
    "added",
    "changed",
    "unchanged",
    "removed",
    "failed",
    "excluded",
    "gone",
)


@dataclass(frozen=True)
class RunChanges:
    """The record ids a run added, changed and removed, and the removals it withheld."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    withheld: dict[str, int] = field(default_factory=dict)


def fetch_result_to_json(result: FetchResult) -> str:
    data = {
        "url": result.url,
        "outcome": result.outcome,
        "record": result.record.to_dict() if result.record else None,
        "http_status": result.http_status,
        "etag": result.etag,
        "last_modified": result.last_modified,
        "sitemap_lastmod": result.sitemap_lastmod,
        "error": result.error,
        "aliases": list(result.aliases),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def fetch_result_from_json(text: str) -> FetchResult:
    data = json.loads(text)
    record = Record.from_dict(data["record"]) if data.get("record") else None
    return FetchResult(
        url=data["url"],
        outcome=data["outcome"],
        record=record,
        http_status=data.get("http_status"),
        etag=data.get("etag"),
        last_modified=data.get("last_modified"),
        sitemap_lastmod=data.get("sitemap_lastmod"),
        error=data.get("error"),
        aliases=tuple(data.get("aliases") or ()),
    )


def summary_to_json(summary: CrawlSummary) -> str:
    data = {
        "site": summary.site,
        "complete": summary.complete,
        "requests": summary.requests,
        "responses": dict(summary.responses),
        "not_modified": summary.not_modified,
        "skipped": dict(summary.skipped),
        "bytes": summary.bytes,
        "error": summary.error,
    }
    return json.dumps(data, separators=(",", ":"))


def summary_from_json(text: str) -> CrawlSummary:
    return CrawlSummary(**json.loads(text))


@dataclass(frozen=True, slots=True)
class StoredRecord:
    id: str
    url: str
    site: str
    status: str
    content_hash: str
    data: str

    def record(self) -> Record:
        return Record.from_json(self.data)


@dataclass(frozen=True, slots=True)
class Removal:
    record_id: str
    url: str
    reason: str


RECORD_FIELDS = (
    "id",
    "url",
    "site",
    "agency",
    "content_type",
    "published",
    "ncj_number",
    "opportunity_id",
    "status",
    "content_hash",
    "first_seen",
    "last_seen",
    "last_changed",
    "data",
)
URL_STATE_FIELDS = (
    "url",
    "site",
    "record_id",
    "etag",
    "last_modified",
    "sitemap_lastmod",
    "content_hash",
    "first_seen",
    "last_seen",
    "last_changed",
    "last_fetched",
    "status",
    "misses",
    "last_error",
)
#: The columns a page can be found by when it duplicates a live record.
DEDUPE_COLUMNS = ("ncj_number", "opportunity_id")
#: Values in one ``IN (...)`` list.
IN_LIMIT = 500


class ChunkState:
    """The rows one chunk of staged results reads and writes, held in memory.

    ``load`` reads every row the chunk's rules can look at in a few ``IN (...)`` queries; the
    rules then read and change these rows as if they were the tables, and ``flush`` writes what
    changed with one executemany statement per kind of write. Every lookup the rules make is by
    a key ``load`` was given, so the rows in memory answer exactly as the tables would.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.records: dict[str, dict[str, Any]] = {}
        self.record_at: dict[str, str] = {}  # url -> record id
        self.dedupe: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.new_records: set[str] = set()
        self.dirty_records: set[str] = set()
        self.aliases: dict[str, str | None] = {}  # url -> record id (None: no alias)
        self.dirty_aliases: set[str] = set()
        self.url_states: dict[str, dict[str, Any]] = {}
        self.new_urls: set[str] = set()
        self.dirty_urls: set[str] = set()
        self.logs: list[dict[str, Any]] = []

    # -- reading -------------------------------------------------------------------------------
    def load(self, results: list[tuple[str, FetchResult]]) -> None:
        urls = {result.url for _, result in results}
        record_urls = set(urls)
        ids: set[str] = set()
        dedupe: dict[str, set[str]] = {column: set() for column in DEDUPE_COLUMNS}
        for _, result in results:
            record_urls.update(result.aliases)
            if result.record is not None:
                ids.add(result.record.id)
                record_urls.add(result.record.url)
                dedupe["ncj_number"].add(result.record.ncj_number or "")
                dedupe["opportunity_id"].add(result.record.opportunity_id or "")
        self.load_records("id", ids)
        self.load_records("url", record_urls)
        for column, values in dedupe.items():
            self.load_records(column, values - {""}, live_only=True)
        for url, record_id in self.select_in(
            "SELECT url, record_id FROM aliases", "url", record_urls
        ):
            self.aliases[url] = record_id
        for url in record_urls:
            self.aliases.setdefault(url, None)
        columns = ", ".join(URL_STATE_FIELDS)
        for row in self.select_in(f"SELECT {columns} FROM url_state", "url", urls):
            self.url_states[row[0]] = dict(zip(URL_STATE_FIELDS, row, strict=True))
        owners = {rid for rid in self.aliases.values() if rid}
        owners |= {state["record_id"] for state in self.url_states.values() if state["record_id"]}
        self.load_records("id", owners - set(self.records))

    def load_records(self, column: str, values: set[str], *, live_only: bool = False) -> None:
        sql = f"SELECT {', '.join(RECORD_FIELDS)} FROM records"
        live = " AND status = 'live'" if live_only else ""
        for row in self.select_in(sql, column, values, live):
            if row[0] not in self.records:
                self.put_record(dict(zip(RECORD_FIELDS, row, strict=True)))

    def select_in(self, sql: str, column: str, values: set[str], extra: str = "") -> list[Any]:
        rows: list[Any] = []
        ordered = sorted(values)
        for start in range(0, len(ordered), IN_LIMIT):
            params = {f"v{n}": value for n, value in enumerate(ordered[start : start + IN_LIMIT])}
            marks = ", ".join(f":{name}" for name in params)
            rows += execute(self.conn, f"{sql} WHERE {column} IN ({marks}){extra}", params)
        return rows

    def stored(self, record_id: str | None) -> StoredRecord | None:
        row = self.records.get(record_id or "")
        if row is None:
            return None
        return StoredRecord(*(row[name] for name in StoredRecord.__slots__))

    def record_by_id(self, record_id: str) -> StoredRecord | None:
        return self.stored(record_id)

    def record_by_url(self, url: str) -> StoredRecord | None:
        return self.stored(self.record_at.get(url))

    def live(self, record: StoredRecord | None) -> StoredRecord | None:
        return record if record is not None and record.status == "live" else None

    def alias_owner(self, url: str) -> str | None:
        return self.aliases.get(url)

    def duplicates(self, column: str, value: str) -> list[StoredRecord]:
        """Live records with this NCJ number (or opportunity id), oldest first."""
        rows = [self.records[rid] for rid in self.dedupe.get((column, value), ())]
        rows = sorted((r for r in rows if r["status"] == "live"), key=first_seen_order)
        return [StoredRecord(*(row[name] for name in StoredRecord.__slots__)) for row in rows]

    def url_state(self, url: str) -> dict[str, Any] | None:
        return self.url_states.get(url)

    # -- writing -------------------------------------------------------------------------------
    def put_record(self, row: dict[str, Any]) -> None:
        old = self.records.get(row["id"])
        if old is not None:
            if self.record_at.get(old["url"]) == old["id"]:
                del self.record_at[old["url"]]
            for column in DEDUPE_COLUMNS:
                self.dedupe[(column, old[column])].discard(old["id"])
        self.records[row["id"]] = row
        self.record_at[row["url"]] = row["id"]
        for column in DEDUPE_COLUMNS:
            if row[column]:
                self.dedupe[(column, row[column])].add(row["id"])

    def insert_record(self, row: dict[str, Any]) -> None:
        self.put_record(row)
        self.new_records.add(row["id"])

    def update_record(self, record_id: str, **values: Any) -> None:
        self.put_record({**self.records[record_id], **values})
        self.dirty_records.add(record_id)

    def set_alias(self, url: str, record_id: str | None) -> None:
        self.aliases[url] = record_id
        self.dirty_aliases.add(url)

    def save_url_state(self, url: str, values: dict[str, Any]) -> None:
        state = self.url_states.get(url)
        if state is None:
            state = dict.fromkeys(URL_STATE_FIELDS)
            state.update(url=url, first_seen=values["last_seen"], misses=0)
            self.url_states[url] = state
            self.new_urls.add(url)
        state.update(values)
        self.dirty_urls.add(url)

    def update_url_state(self, url: str, values: dict[str, Any]) -> None:
        if url in self.url_states:
            self.save_url_state(url, values)

    def log_change(self, params: dict[str, Any]) -> None:
        self.logs.append(params)

    def flush(self) -> None:
        """Write what the chunk changed: parents before children, one statement per kind."""
        names = ", ".join(RECORD_FIELDS)
        marks = ", ".join(f":{name}" for name in RECORD_FIELDS)
        execute_many(
            self.conn,
            f"INSERT INTO records ({names}) VALUES ({marks})",
            [self.records[rid] for rid in sorted(self.new_records)],
        )
        sets = ", ".join(f"{name} = :{name}" for name in RECORD_FIELDS[1:])
        execute_many(
            self.conn,
            f"UPDATE records SET {sets} WHERE id = :id",
            [self.records[rid] for rid in sorted(self.dirty_records - self.new_records)],
        )
        aliases = [{"url": url, "id": self.aliases[url]} for url in sorted(self.dirty_aliases)]
        execute_many(
            self.conn,
            "DELETE FROM aliases WHERE url = :url",
            [row for row in aliases if row["id"] is None],
        )
        execute_many(
            self.conn,
            "INSERT INTO aliases (url, record_id) VALUES (:url, :id) "
            "ON CONFLICT (url) DO UPDATE SET record_id = excluded.record_id",
            [row for row in aliases if row["id"] is not None],
        )
        names = ", ".join(URL_STATE_FIELDS)
        marks = ", ".join(f":{name}" for name in URL_STATE_FIELDS)
        execute_many(
            self.conn,
            f"INSERT INTO url_state ({names}) VALUES ({marks})",
            [self.url_states[url] for url in sorted(self.new_urls)],
        )
        sets = ", ".join(f"{name} = :{name}" for name in URL_STATE_FIELDS[1:])
        execute_many(
            self.conn,
            f"UPDATE url_state SET {sets} WHERE url = :url",
            [self.url_states[url] for url in sorted(self.dirty_urls - self.new_urls)],
        )
        write_logs(self.conn, self.logs)


def first_seen_order(row: dict[str, Any]) -> tuple[str, str]:
    return (row["first_seen"], row["id"])


def write_logs(conn: Connection, logs: list[dict[str, Any]]) -> None:
    """The history and changes rows of record changes, in the order they happened.

    The changes log is written one row per statement: it is the feed the index follows, and a
    watcher of the statements (a test that stops the process mid-run) counts its rows there."""
    execute_many(
        conn,
        "INSERT INTO history (record_id, run_id, change, content_hash, at) "
        "VALUES (:id, :r, :change, :hash, :at)",
        logs,
    )
    for row in logs:
        execute(
            conn,
            "INSERT INTO changes (run_id, record_id, change, at) VALUES (:r, :id, :change, :at)",
            row,
        )


class RunSync:
    """One run's application. Use once: ``RunSync(conn, run_id, ...).apply()``.

    Staged results are applied a chunk at a time: the chunk's rows are read in a few queries
    (``ChunkState``), the rules run on them in memory, in URL order, and the chunk's writes go
    out in executemany statements before the next chunk is read.
    """

    def __init__(
        self,
        conn: Connection,
        run_id: int,
        *,
        now: str,
        miss_limit: int,
        max_removal_share: float,
        removal_floor: int = 0,
        confirm_removals: bool = False,
    ) -> None:
        self.conn = conn
        self.removal_floor = removal_floor
        self.confirm_removals = confirm_removals
        self.run_id = run_id
        self.now = now
        self.miss_limit = miss_limit
        self.max_removal_share = max_removal_share
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.errors: list[dict[str, str]] = []
        self.seen: set[str] = set()
        self.candidates: dict[str, dict[str, Removal]] = defaultdict(dict)
        self.changes = RunChanges()
        self.chunk = ChunkState(conn)

    # -- the run -------------------------------------------------------------------------------
    def apply(self) -> RunChanges:
        live_before = dict(
            execute(
                self.conn, "SELECT site, COUNT(*) FROM records WHERE status = 'live' GROUP BY site"
            ).all()
        )
        sites = json.loads(
            execute(
                self.conn, "SELECT sites FROM runs WHERE id = :r", {"r": self.run_id}
            ).scalar_one()
        )
        for site in sites:
            self.counts[site].update(dict.fromkeys(COUNT_KEYS, 0))
        for chunk in self.staged_chunks():
            self.chunk = ChunkState(self.conn)
            self.chunk.load(chunk)
            for site, result in chunk:
                self.apply_result(site, result)
            self.chunk.flush()
        self.count_misses()
        withheld = self.apply_removals(live_before)
        self.save_run(withheld)
        return replace(self.changes, withheld=withheld)

    def staged_chunks(self) -> Iterator[list[tuple[str, FetchResult]]]:
        """The latest staged result per URL, removals first, then by URL, in chunks.

        Only the staging ids are sorted; the results are read a chunk at a time in that order.
        """
        ids = [
            row[0]
            for row in execute(
                self.conn,
                "SELECT id FROM staging WHERE id IN "
                "(SELECT MAX(id) FROM staging WHERE run_id = :r GROUP BY url) "
                "ORDER BY CASE WHEN outcome IN ('gone', 'excluded') THEN 0 ELSE 1 END, url",
                {"r": self.run_id},
            )
        ]
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            params = {f"i{n}": value for n, value in enumerate(chunk)}
            marks = ", ".join(f":{name}" for name in params)
            rows = execute(
                self.conn, f"SELECT id, site, result FROM staging WHERE id IN ({marks})", params
            ).fetchall()
            by_id = {staging_id: (site, text) for staging_id, site, text in rows}
            yield [
                (by_id[staging_id][0], fetch_result_from_json(by_id[staging_id][1]))
                for staging_id in chunk
            ]

    def apply_result(self, site: str, result: FetchResult) -> None:
        self.seen.add(result.url)
        self.counts[site][result.outcome] += 1
        if result.outcome == "fetched" and result.record is not None:
            self.apply_fetched(site, result, result.record)
        elif result.outcome == "fetched":
            self.apply_failed(site, replace(result, error="fetched without a record"))
        elif result.outcome == "not_modified":
            self.confirm_unchanged(result)
        elif result.outcome == "skipped":
            lastmod = {"sitemap_lastmod": result.sitemap_lastmod} if result.sitemap_lastmod else {}
            self.update_url_state(result.url, misses=0, **lastmod)
        elif result.outcome in ("gone", "excluded"):
            self.apply_gone(result)
        elif result.outcome == "document":
            self.confirm_document(site, result)
        else:
            self.apply_failed(site, result)

    # -- outcomes ------------------------------------------------------------------------------
    def apply_fetched(self, site: str, result: FetchResult, record: Record) -> None:
        if not record.content_hash:
            record = record.with_hash()
        for alias in result.aliases:
            self.seen.add(alias)
            moved = self.live_record_at(alias)
            if moved is not None and moved.id != record.id:
                self.add_candidate(moved.site, removal_of(moved, f"moved to {record.url}"))
        target = self.resolve_target(record)
        if target is not None and target.url == record.url:
            record = replace(record, id=target.id)
        new_aliases = {*record.aliases, *result.aliases}
        if target is None or target.status != "live":
            change = "added"
            self.write_record(replace(record, aliases=merge_aliases(record, new_aliases)), target)
            record_id = record.id
        elif target.id == record.id:
            change = self.refresh_record(target, record, new_aliases)
            record_id = target.id
        else:
            change = "unchanged"
            self.add_aliases(target, {record.url, *new_aliases})
            record_id = target.id
        self.counts[site][change] += 1
        if change in ("added", "changed"):
            self.log_change(record_id, change, record.content_hash)
        state: dict[str, Any] = {
            "record_id": record_id,
            "content_hash": record.content_hash,
            "last_fetched": self.now,
            "status": "live",
            "misses": 0,
            "last_error": None,
            "sitemap_lastmod": result.sitemap_lastmod,
            **validators(result),
        }
        if change in ("added", "changed"):
            state["last_changed"] = self.now
        self.save_url_state(result.url, site, state)
        self.map_aliases(record_id, new_aliases - {result.url})

    def resolve_target(self, record: Record) -> StoredRecord | None:
        """The stored record this page updates: its own, a live alias owner, or a duplicate."""
        chunk = self.chunk
        own = chunk.record_by_id(record.id) or chunk.record_by_url(record.url)
        if own is not None:
            return own
        owner = chunk.live(chunk.record_by_id(chunk.alias_owner(record.url) or ""))
        if owner is not None:
            return owner
        for column, value in zip(
            DEDUPE_COLUMNS, (record.ncj_number, record.opportunity_id), strict=True
        ):
            if not value:
                continue
            for duplicate in chunk.duplicates(column, value):
                if not self.is_candidate(duplicate):
                    return duplicate
        return None

    def refresh_record(self, stored: StoredRecord, record: Record, aliases: set[str]) -> str:
        """Update a live record fetched at its own URL; returns changed or unchanged."""
        if stored.content_hash == record.content_hash:
            if aliases:
                self.add_aliases(stored, aliases)
            return "unchanged"
        merged = merge_aliases(record, {*stored.record().aliases, *aliases})
        row = record_row(replace(record, aliases=merged))
        del row["url"]
        self.chunk.update_record(stored.id, **row, last_seen=self.now, last_changed=self.now)
        return "changed"

    def write_record(self, record: Record, previous: StoredRecord | None) -> None:
        """Insert a new record, or bring back one that was gone."""
        row = {**record_row(record), "status": "live", "last_seen": self.now}
        row["last_changed"] = self.now
        self.chunk.set_alias(record.url, None)
        if previous is None:
            self.chunk.insert_record({**row, "first_seen": self.now})
        else:
            self.chunk.update_record(record.id, **row)

    def add_aliases(self, stored: StoredRecord, urls: set[str]) -> None:
        """Add alias URLs to a record's JSON (not a content change: no change is logged)."""
        record = stored.record()
        merged = merge_aliases(record, {*record.aliases, *urls})
        if set(merged) != set(record.aliases):
            self.chunk.update_record(stored.id, data=replace(record, aliases=merged).to_json())
        self.map_aliases(stored.id, urls - {stored.url})

    def map_aliases(self, record_id: str, urls: set[str]) -> None:
        for url in urls:
            self.chunk.set_alias(url, record_id)

    def confirm_unchanged(self, result: FetchResult) -> None:
        """A 304: the URL is alive and its record current; keep validators the reply omits."""
        values: dict[str, Any] = {"last_fetched": self.now, "misses": 0, "last_error": None}
        values.update({k: v for k, v in validators(result).items() if v})
        self.update_url_state(result.url, **values)
        state = self.chunk.url_state(result.url)
        owner = self.chunk.record_by_id(state["record_id"] or "") if state else None
        if state is not None and state["status"] == "error" and self.chunk.live(owner):
            self.update_url_state(result.url, status="live")

    def confirm_document(self, site: str, result: FetchResult) -> None:
        """A document read (or confirmed by a 304) for the page that links it: its validators are
        kept for the next conditional request. A record of its own at that URL (kind document)
        is redundant now that a page carries its text."""
        own = self.live_record_at(result.url)
        if own is not None and own.record().content_type == "document":
            self.add_candidate(own.site, removal_of(own, "now an attachment of a page"))
        state = {"status": "live", "last_fetched": self.now, "misses": 0, "last_error": None}
        self.save_url_state(result.url, site, {**state, **validators(result)})

    def apply_gone(self, result: FetchResult) -> None:
        reason = result.error or (
            f"HTTP {result.http_status}" if result.http_status else result.outcome
        )
        record = self.live_record_at(result.url)
        if record is not None:
            self.add_candidate(record.site, removal_of(record, reason))
            self.update_url_state(result.url, last_fetched=self.now, misses=0)
            return
        self.update_url_state(
            result.url,
            status="gone",
            last_fetched=self.now,
            last_error=reason,
            misses=0,
            etag=None,
            last_modified=None,
        )

    def apply_failed(self, site: str, result: FetchResult) -> None:
        error = result.error or (f"HTTP {result.http_status}" if result.http_status else "failed")
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"site": site, "url": result.url, "error": error})
        state = self.chunk.url_state(result.url)
        owner = self.chunk.record_by_id(state["record_id"] or "") if state else None
        has_live = self.live_record_at(result.url) or self.chunk.live(owner)
        self.save_url_state(
            result.url,
            site,
            {
                "status": "live" if has_live else "error",
                "last_fetched": self.now,
                "last_error": error,
                "misses": 0,
            },
        )

    # -- misses and removals -------------------------------------------------------------------
    def count_misses(self) -> None:
        """Count a miss for every known URL a complete crawl of its site did not report."""
        rows = execute(
            self.conn,
            "SELECT site, summary FROM crawl_summaries WHERE run_id = :r",
            {"r": self.run_id},
        ).fetchall()
        for site, text in rows:
            staged = sum(self.counts[site][key] for key in OUTCOME_KEYS)
            if summary_from_json(text).complete and staged:
                self.count_site_misses(site)

    def count_site_misses(self, site: str) -> None:
        rows = execute(
            self.conn,
            "SELECT u.url, u.misses, r.id, r.url, r.site, r.status "
            "FROM url_state u LEFT JOIN records r ON r.id = u.record_id "
            "WHERE u.site = :site AND u.status <> 'gone'",
            {"site": site},
        ).fetchall()
        updates, gone = [], []
        for url, misses, record_id, record_url, record_site, record_status in rows:
            if url in self.seen:
                continue
            misses += 1
            updates.append({"url": url, "misses": misses})
            if misses < self.miss_limit:
                continue
            if record_status == "live" and record_url == url:
                removal = Removal(record_id, url, f"missing from {misses} complete crawls")
                self.add_candidate(record_site, removal)
            else:
                gone.append({"url": url})
        execute_many(self.conn, "UPDATE url_state SET misses = :misses WHERE url = :url", updates)
        execute_many(
            self.conn,
            "UPDATE url_state SET status = 'gone', etag = NULL, last_modified = NULL "
            "WHERE url = :url",
            gone,
        )

    def add_candidate(self, site: str, removal: Removal) -> None:
        self.candidates[site].setdefault(removal.record_id, removal)

    def is_candidate(self, record: StoredRecord) -> bool:
        return record.id in self.candidates.get(record.site, {})

    def apply_removals(self, live_before: dict[str, int]) -> dict[str, int]:
        """Remove the candidates, except on sites where they are too many; returns withheld."""
        withheld: dict[str, int] = {}
        held: list[dict[str, Any]] = []
        removed: list[Removal] = []
        for site, removals in sorted(self.candidates.items()):
            if self.withholds(len(removals), live_before.get(site, 0)):
                withheld[site] = len(removals)
                log.warning(
                    "site %s: withheld %d removals (more than %.0f%% of %d live records)",
                    site,
                    len(removals),
                    self.max_removal_share * 100,
                    live_before.get(site, 0),
                )
                held += [
                    {"url": r.url, "error": WITHHELD_PREFIX + r.reason} for r in removals.values()
                ]
                continue
            removed += removals.values()
            self.counts[site]["removed"] += len(removals)
        execute_many(
            self.conn,
            "UPDATE url_state SET last_seen = :now, last_error = :error WHERE url = :url",
            [{**row, "now": self.now} for row in held],
        )
        self.remove(removed)
        return withheld

    def withholds(self, removals: int, live: int) -> bool:
        """Whether the safety valve holds back a site's removals this run."""
        if self.confirm_removals or removals <= self.removal_floor:
            return False
        return removals > self.max_removal_share * live

    def remove(self, removals: list[Removal]) -> None:
        execute_many(
            self.conn,
            "UPDATE records SET status = 'gone', last_changed = :now WHERE id = :id",
            [{"now": self.now, "id": removal.record_id} for removal in removals],
        )
        execute_many(
            self.conn,
            "UPDATE url_state SET last_seen = :now, status = 'gone', last_error = :reason, "
            "etag = NULL, last_modified = NULL WHERE url = :url",
            [{"now": self.now, "url": r.url, "reason": r.reason} for r in removals],
        )
        logs = [self.change_row(removal.record_id, "removed", None) for removal in removals]
        write_logs(self.conn, logs)

    # -- bookkeeping ---------------------------------------------------------------------------
    def change_row(self, record_id: str, change: str, content_hash: str | None) -> dict[str, Any]:
        """A history and changes row (the change is listed in the run's changes too)."""
        getattr(self.changes, change).append(record_id)
        return {
            "r": self.run_id,
            "id": record_id,
            "change": change,
            "hash": content_hash,
            "at": self.now,
        }

    def log_change(self, record_id: str, change: str, content_hash: str | None) -> None:
        self.chunk.log_change(self.change_row(record_id, change, content_hash))

    def save_run(self, withheld: dict[str, int]) -> None:
        counts = {
            site: {key: counter[key] for key in COUNT_KEYS} for site, counter in self.counts.items()
        }
        execute(self.conn, "DELETE FROM staging WHERE run_id = :r", {"r": self.run_id})
        execute(
            self.conn,
            "UPDATE runs SET applied = 1, counts = :counts, errors = :errors, "
            "withheld = :withheld WHERE id = :r",
            {
                "counts": json.dumps(counts),
                "errors": json.dumps(self.errors),
                "withheld": json.dumps(withheld),
                "r": self.run_id,
            },
        )

    def live_record_at(self, url: str) -> StoredRecord | None:
        """The live record whose canonical URL is ``url``."""
        return self.chunk.live(self.chunk.record_by_url(url))

    def save_url_state(self, url: str, site: str, values: dict[str, Any]) -> None:
        """Insert or update a URL's sync state (first_seen is set once)."""
        self.chunk.save_url_state(url, {"site": site, "last_seen": self.now, **values})

    def update_url_state(self, url: str, **values: Any) -> None:
        """Update a known URL's sync state (unknown URLs are left unknown)."""
        self.chunk.update_url_state(url, {"last_seen": self.now, **values})


OUTCOME_KEYS = ("fetched", "not_modified", "skipped", "excluded", "gone", "failed")


def removal_of(record: StoredRecord, reason: str) -> Removal:
    return Removal(record.id, record.url, reason)


def validators(result: FetchResult) -> dict[str, str | None]:
    """The validators a response sent (kept for the next conditional request)."""
    return {"etag": result.etag, "last_modified": result.last_modified}


def merge_aliases(record: Record, urls: set[str]) -> tuple[str, ...]:
    return tuple(sorted(url for url in urls if url and url != record.url))


def record_row(record: Record) -> dict[str, Any]:
    """A record's columns in the records table (without status and times)."""
    return {
        "id": record.id,
        "url": record.url,
        "site": record.site,
        "agency": record.agency,
        "content_type": record.content_type,
        "published": record.published,
        "ncj_number": record.ncj_number,
        "opportunity_id": record.opportunity_id,
        "content_hash": record.content_hash,
        "data": record.to_json(),
    }
