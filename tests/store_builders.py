"""Builders for store tests: records, fetch results and whole crawls applied as one run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from index.records import CrawlSummary, FetchResult, Record, record_id
from index.store import RunChanges, Store

BASE = "https://nij.ojp.gov/library/publications/"


def make_record(slug: str, *, site: str = "nij", **fields: Any) -> Record:
    """A hashed record at ``BASE + slug`` (fields override the defaults)."""
    url = fields.pop("url", BASE + slug)
    values: dict[str, Any] = {
        "agency": "NIJ",
        "content_type": "publication",
        "title": f"Publication {slug}",
        "summary": f"Summary of {slug}.",
        "body": f"Body text of {slug}.",
        "published": "2019-06-01",
        "fetched_at": "2026-01-01T00:00:00Z",
        **fields,
    }
    return Record(id=record_id(url), url=url, site=site, **values).with_hash()


def fetched(record: Record, **fields: Any) -> FetchResult:
    return FetchResult(url=record.url, outcome="fetched", record=record, http_status=200, **fields)


def outcome(url_or_record: str | Record, outcome: str, **fields: Any) -> FetchResult:
    url = url_or_record if isinstance(url_or_record, str) else url_or_record.url
    return FetchResult(url=url, outcome=outcome, **fields)


def edited(record: Record, **fields: Any) -> Record:
    return replace(record, **fields).with_hash()


def run_crawl(
    store: Store,
    results: Sequence[FetchResult],
    *,
    site: str = "nij",
    complete: bool = True,
    miss_limit: int = 3,
    max_removal_share: float = 1.0,
) -> tuple[int, RunChanges]:
    """One whole run of one site: stage, save the summary, apply, finish."""
    run_id = store.start_run([site])
    if results:
        store.stage_results(run_id, site, results)
    store.save_crawl_summary(
        run_id, CrawlSummary(site=site, complete=complete, requests=len(results))
    )
    changes = store.apply_run(run_id, miss_limit=miss_limit, max_removal_share=max_removal_share)
    store.finish_run(run_id, status="completed")
    return run_id, changes
