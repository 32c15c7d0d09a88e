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
- When a site's removals would exceed ``max_removal_share`` of its live records, none of them
  happen and the run reports them as withheld.
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


RECORD_COLUMNS = "id, url, site, status, content_hash, data"


class RunSync:
    """One run's application. Use once: ``RunSync(conn, run_id, ...).apply()``."""

    def __init__(
        self,
        conn: Connection,
        run_id: int,
        *,
        now: str,
        miss_limit: int,
        max_removal_share: float,
    ) -> None:
        self.conn = conn
        self.run_id = run_id
        self.now = now
        self.miss_limit = miss_limit
        self.max_removal_share = max_removal_share
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.errors: list[dict[str, str]] = []
        self.seen: set[str] = set()
        self.candidates: dict[str, dict[str, Removal]] = defaultdict(dict)
        self.changes = RunChanges()

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
        for site, result in self.staged_results():
            self.apply_result(site, result)
        self.count_misses()
        withheld = self.apply_removals(live_before)
        self.save_run(withheld)
        return replace(self.changes, withheld=withheld)

    def staged_results(self) -> Iterator[tuple[str, FetchResult]]:
        """The latest staged result per URL: removals first, then by URL.

        Only the staging ids are sorted; the results are read in batches in that order.
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
            for staging_id in chunk:
                site, text = by_id[staging_id]
                yield site, fetch_result_from_json(text)

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
        own = self.find_record("id = :k", record.id) or self.find_record("url = :k", record.url)
        if own is not None:
            return own
        owner = self.find_record(
            "id = (SELECT record_id FROM aliases WHERE url = :k) AND status = 'live'", record.url
        )
        if owner is not None:
            return owner
        for column, value in (
            ("ncj_number", record.ncj_number),
            ("opportunity_id", record.opportunity_id),
        ):
            if not value:
                continue
            rows = execute(
                self.conn,
                f"SELECT {RECORD_COLUMNS} FROM records WHERE {column} = :v AND status = 'live' "
                "ORDER BY first_seen, id",
                {"v": value},
            ).fetchall()
            for row in rows:
                duplicate = StoredRecord(*row)
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
        execute(
            self.conn,
            "UPDATE records SET site = :site, agency = :agency, content_type = :kind, "
            "published = :published, ncj_number = :ncj, opportunity_id = :oid, "
            "content_hash = :hash, last_seen = :now, last_changed = :now, data = :data "
            "WHERE id = :id",
            {**record_columns(replace(record, aliases=merged)), "now": self.now},
        )
        return "changed"

    def write_record(self, record: Record, previous: StoredRecord | None) -> None:
        """Insert a new record, or bring back one that was gone."""
        params = {**record_columns(record), "now": self.now}
        execute(self.conn, "DELETE FROM aliases WHERE url = :url", {"url": record.url})
        if previous is None:
            execute(
                self.conn,
                "INSERT INTO records (id, url, site, agency, content_type, published, ncj_number, "
                "opportunity_id, status, content_hash, first_seen, last_seen, last_changed, data) "
                "VALUES (:id, :url, :site, :agency, :kind, :published, :ncj, :oid, 'live', "
                ":hash, :now, :now, :now, :data)",
                params,
            )
            return
        execute(
            self.conn,
            "UPDATE records SET url = :url, site = :site, agency = :agency, content_type = :kind, "
            "published = :published, ncj_number = :ncj, opportunity_id = :oid, status = 'live', "
            "content_hash = :hash, last_seen = :now, last_changed = :now, data = :data "
            "WHERE id = :id",
            params,
        )

    def add_aliases(self, stored: StoredRecord, urls: set[str]) -> None:
        """Add alias URLs to a record's JSON (not a content change: no change is logged)."""
        record = stored.record()
        merged = merge_aliases(record, {*record.aliases, *urls})
        if set(merged) != set(record.aliases):
            execute(
                self.conn,
                "UPDATE records SET data = :data WHERE id = :id",
                {"data": replace(record, aliases=merged).to_json(), "id": stored.id},
            )
        self.map_aliases(stored.id, urls - {stored.url})

    def map_aliases(self, record_id: str, urls: set[str]) -> None:
        execute_many(
            self.conn,
            "INSERT INTO aliases (url, record_id) VALUES (:url, :id) "
            "ON CONFLICT (url) DO UPDATE SET record_id = excluded.record_id",
            [{"url": url, "id": record_id} for url in sorted(urls)],
        )

    def confirm_unchanged(self, result: FetchResult) -> None:
        """A 304: the URL is alive and its record current; keep validators the reply omits."""
        values: dict[str, Any] = {"last_fetched": self.now, "misses": 0, "last_error": None}
        values.update({k: v for k, v in validators(result).items() if v})
        self.update_url_state(result.url, **values)
        execute(
            self.conn,
            "UPDATE url_state SET status = 'live' WHERE url = :url AND status = 'error' "
            "AND record_id IN (SELECT id FROM records WHERE status = 'live')",
            {"url": result.url},
        )

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
        has_live = self.live_record_at(result.url) or self.find_record(
            "id = (SELECT record_id FROM url_state WHERE url = :k) AND status = 'live'", result.url
        )
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
        for site, removals in sorted(self.candidates.items()):
            if len(removals) > self.max_removal_share * live_before.get(site, 0):
                withheld[site] = len(removals)
                log.warning(
                    "site %s: withheld %d removals (more than %.0f%% of %d live records)",
                    site,
                    len(removals),
                    self.max_removal_share * 100,
                    live_before.get(site, 0),
                )
                for removal in removals.values():
                    self.update_url_state(
                        removal.url, last_error=f"removal withheld: {removal.reason}"
                    )
                continue
            for removal in removals.values():
                self.remove(site, removal)
        return withheld

    def remove(self, site: str, removal: Removal) -> None:
        execute(
            self.conn,
            "UPDATE records SET status = 'gone', last_changed = :now WHERE id = :id",
            {"now": self.now, "id": removal.record_id},
        )
        self.update_url_state(
            removal.url, status="gone", last_error=removal.reason, etag=None, last_modified=None
        )
        self.counts[site]["removed"] += 1
        self.log_change(removal.record_id, "removed", None)

    # -- bookkeeping ---------------------------------------------------------------------------
    def log_change(self, record_id: str, change: str, content_hash: str | None) -> None:
        params = {
            "r": self.run_id,
            "id": record_id,
            "change": change,
            "hash": content_hash,
            "at": self.now,
        }
        execute(
            self.conn,
            "INSERT INTO history (record_id, run_id, change, content_hash, at) "
            "VALUES (:id, :r, :change, :hash, :at)",
            params,
        )
        execute(
            self.conn,
            "INSERT INTO changes (run_id, record_id, change, at) VALUES (:r, :id, :change, :at)",
            params,
        )
        getattr(self.changes, change).append(record_id)

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

    def find_record(self, condition: str, key: str) -> StoredRecord | None:
        row = execute(
            self.conn, f"SELECT {RECORD_COLUMNS} FROM records WHERE {condition}", {"k": key}
        ).fetchone()
        return StoredRecord(*row) if row else None

    def live_record_at(self, url: str) -> StoredRecord | None:
        """The live record whose canonical URL is ``url``."""
        return self.find_record("url = :k AND status = 'live'", url)

    def save_url_state(self, url: str, site: str, values: dict[str, Any]) -> None:
        """Insert or update a URL's sync state (first_seen is set once)."""
        columns = {"site": site, "last_seen": self.now, **values}
        names = ["url", "first_seen", *columns]
        updates = ", ".join(f"{name} = excluded.{name}" for name in columns)
        execute(
            self.conn,
            f"INSERT INTO url_state ({', '.join(names)}) "
            f"VALUES ({', '.join(':' + n for n in names)}) "
            f"ON CONFLICT (url) DO UPDATE SET {updates}",
            {"url": url, "first_seen": self.now, **columns},
        )

    def update_url_state(self, url: str, **values: Any) -> None:
        """Update a known URL's sync state (unknown URLs are left unknown)."""
        values = {"last_seen": self.now, **values}
        sets = ", ".join(f"{name} = :{name}" for name in values)
        execute(self.conn, f"UPDATE url_state SET {sets} WHERE url = :url", {**values, "url": url})


OUTCOME_KEYS = ("fetched", "not_modified", "skipped", "excluded", "gone", "failed")


def removal_of(record: StoredRecord, reason: str) -> Removal:
    return Removal(record.id, record.url, reason)


def validators(result: FetchResult) -> dict[str, str | None]:
    """The validators a response sent (kept for the next conditional request)."""
    return {"etag": result.etag, "last_modified": result.last_modified}


def merge_aliases(record: Record, urls: set[str]) -> tuple[str, ...]:
    return tuple(sorted(url for url in urls if url and url != record.url))


def record_columns(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "url": record.url,
        "site": record.site,
        "agency": record.agency,
        "kind": record.content_type,
        "published": record.published,
        "ncj": record.ncj_number,
        "oid": record.opportunity_id,
        "hash": record.content_hash,
        "data": record.to_json(),
    }
