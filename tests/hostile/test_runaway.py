"""Runaway pages and tarpits cannot hang a refresh: a page nested tens of thousands of levels
deep and a page too slow to read are skipped with their reason; a tarpit that answers a byte a
second costs a request its timeout; a site full of tarpits stops at the run's deadline (or its
own), incomplete, and the refresh finishes and releases its lock."""

from __future__ import annotations

import random
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawlers.runner import crawl_site
from index.datadir import DataDir
from index.store import Store
from index.urls import canonical_url
from tests.crawl_server import CrawlServer, Route, page
from tests.hostile.refresh import Refresh, refresh

pytestmark = pytest.mark.xdist_group("hostile")

TARPITS = 40  # pages that answer one byte a second, more than the deadline lets the crawl try
TIMEOUT = 2.0


def nested_page(depth: int) -> bytes:
    return (
        "<html><head><title>Deep</title></head><body><main><h1>Deep</h1>"
        + "<div>x" * depth
        + "</div>" * depth
        + "</main></body></html>"
    ).encode()


def wordy_page(size: int) -> bytes:
    """A page of ``size`` bytes of distinct made-up words."""
    rng = random.Random(7)
    words = ["".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(size // 9 + 1)]
    paragraphs = "".join(
        "<p>" + " ".join(words[i : i + 200]) + "</p>" for i in range(0, len(words), 200)
    )
    return (
        f"<html><head><title>Wordy</title></head><body><main><h1>Wordy</h1>{paragraphs}"
        "</main></body></html>"
    ).encode()


def tarpit_routes() -> dict[str, Route]:
    return {f"/tar/{n}": Route(page(f"Tarpit {n}"), trickle=1.0) for n in range(TARPITS)}


def write_sites(path: Path, base: str, crawl: str) -> Path:
    path.write_text(
        f"""
[crawl]
download_delay = 0
autothrottle = false
retries = 0
concurrency_per_host = 4
timeout = {TIMEOUT}
max_page_bytes = 10000000
max_page_seconds = 0.5
{crawl}

[[site]]
name = "hostile"
agency = "NIJ"
start_urls = ["{base}/"]
allowed_hosts = ["127.0.0.1"]
""",
        encoding="utf-8",
    )
    return path


@dataclass
class Runaway:
    base: str
    run: Refresh
    tarpit_hits: int


@pytest.fixture(scope="module")
def runaway(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> Iterator[Runaway]:
    root = tmp_path_factory.mktemp("runaway")
    with CrawlServer() as site:
        links = ("/a", "/deep", "/wordy", "/tarpit", *(f"/tar/{n}" for n in range(TARPITS)))
        site.routes.update(
            {
                "/": Route(page("Home", links=links)),
                "/a": Route(page("Page A")),
                "/deep": Route(nested_page(5_000)),  # far past the 512-level cap, quick to read
                "/wordy": Route(wordy_page(8_000_000)),
                "/tarpit": Route(page("Tarpit", "x" * 200), trickle=1.0),
                **tarpit_routes(),
            }
        )
        sites = write_sites(root / "sites.toml", site.base_url, "max_run_seconds = 8")
        run = refresh(sites, root / "data", prefect_api=prefect_api)
        hits = len([path for path in site.paths() if path.startswith("/tar")])
        yield Runaway(site.base_url, run, hits)


def test_the_refresh_finishes_and_keeps_what_it_found(runaway: Runaway) -> None:
    assert runaway.run.code == 0, runaway.run.err
    assert canonical_url(f"{runaway.base}/a") in runaway.run.records


def test_a_deeply_nested_page_is_skipped_with_its_reason(runaway: Runaway) -> None:
    assert runaway.run.summaries["hostile"].skipped["too deeply nested"] == 1
    assert canonical_url(f"{runaway.base}/deep") not in runaway.run.records


def test_a_page_too_slow_to_read_is_skipped_with_its_reason(runaway: Runaway) -> None:
    assert runaway.run.summaries["hostile"].skipped["over parse time cap"] == 1


def test_tarpits_stop_at_the_runs_deadline(runaway: Runaway) -> None:
    summary = runaway.run.summaries["hostile"]
    assert not summary.complete  # so nothing it did not reach is marked gone
    assert summary.error == "stopped at the run's deadline (max_run_seconds)"
    assert runaway.tarpit_hits < TARPITS + 1


def test_a_site_crawl_stops_at_max_site_seconds(tmp_path: Path) -> None:
    with CrawlServer() as site:
        links = tuple(f"/tar/{n}" for n in range(TARPITS))
        site.routes.update({"/": Route(page("Home", links=links)), **tarpit_routes()})
        sites = write_sites(tmp_path / "sites.toml", site.base_url, "max_site_seconds = 4")
        data_dir = DataDir(tmp_path / "data").ensure()
        with Store.open(data_dir) as store:
            run_id = store.start_run(["hostile"])
        started = time.monotonic()
        summary = crawl_site("hostile", sites_file=sites, data_dir=data_dir, run_id=run_id)
        elapsed = time.monotonic() - started
    assert (summary.complete, summary.error) == (False, "stopped at max_site_seconds (4 s)")
    assert elapsed < TARPITS / 4 * TIMEOUT  # well before it could have tried every tarpit
