"""Size bombs cannot swell a refresh: a sitemap index of huge sitemaps is read as it streams and
within ``max_queued_urls``, so a crawl's memory stays bounded (measured: the peak resident
memory of the crawl process); a 14 MB page of distinct words is kept to its first 500,000
characters and 25,000 distinct words, and its record says so."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.normalize.caps import TRUNCATED
from index.urls import canonical_url
from tests.crawl_server import CrawlServer, Route, page
from tests.hostile.refresh import Refresh, refresh
from tests.hostile.test_runaway import wordy_page

pytestmark = pytest.mark.xdist_group("hostile")

SITEMAPS = 8
ENTRIES = 50_000  # the most a sitemap may list
MEMORY_BOUND_MB = 250


def big_sitemap(base: str, number: int) -> bytes:
    urls = "".join(
        f"<url><loc>{base}/p/{number}/{n}</loc><lastmod>2024-01-01</lastmod></url>"
        for n in range(ENTRIES)
    )
    xmlns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    return gzip.compress(f'<?xml version="1.0"?><urlset {xmlns}>{urls}</urlset>'.encode(), 1)


def sitemap_index(base: str) -> bytes:
    entries = "".join(
        f"<sitemap><loc>{base}/sitemap-{n}.xml.gz</loc></sitemap>" for n in range(SITEMAPS)
    )
    xmlns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    return f'<?xml version="1.0"?><sitemapindex {xmlns}>{entries}</sitemapindex>'.encode()


def write_sites(path: Path, base: str, crawl: str = "") -> Path:
    path.write_text(
        f"""
[crawl]
download_delay = 0
autothrottle = false
retries = 0
concurrency_per_host = 4
max_page_bytes = 16000000
max_page_seconds = 120
{crawl}

[[site]]
name = "hostile"
agency = "NIJ"
start_urls = ["{base}/"]
sitemaps = ["{base}/robots.txt"]
allowed_hosts = ["127.0.0.1"]
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def sitemap_bomb(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> Iterator[Refresh]:
    root = tmp_path_factory.mktemp("sitemaps")
    with CrawlServer() as site:
        base = site.base_url
        site.routes.update(
            {
                "/robots.txt": Route(f"Sitemap: {base}/index.xml\n".encode(), "text/plain"),
                "/index.xml": Route(sitemap_index(base), "application/xml"),
                "/": Route(page("Home")),
                **{
                    f"/sitemap-{n}.xml.gz": Route(big_sitemap(base, n), "application/gzip")
                    for n in range(SITEMAPS)
                },
            }
        )
        sites = write_sites(root / "sites.toml", base, "max_pages = 20")
        yield refresh(sites, root / "data", prefect_api=prefect_api)


@pytest.mark.slow
def test_refresh_over_a_sitemap_index_of_400k_urls_stays_under_250_mb(
    sitemap_bomb: Refresh,
) -> None:
    assert sitemap_bomb.code == 0, sitemap_bomb.err
    assert 0 < sitemap_bomb.crawl_peak_mb < MEMORY_BOUND_MB


@pytest.mark.slow
def test_urls_past_max_queued_urls_make_the_crawl_incomplete(sitemap_bomb: Refresh) -> None:
    summary = sitemap_bomb.summaries["hostile"]
    assert not summary.complete  # so nothing the crawl did not list is marked gone
    assert summary.error == "the sitemaps list more than max_queued_urls (100000)"


def test_a_14_mb_page_is_capped_and_says_so(tmp_path: Path, prefect_api: str) -> None:
    body = wordy_page(14 * 1024 * 1024)
    with CrawlServer() as site:
        site.routes.update({"/": Route(page("Home", links=("/huge",))), "/huge": Route(body)})
        sites = write_sites(tmp_path / "sites.toml", site.base_url)
        run = refresh(sites, tmp_path / "data", prefect_api=prefect_api)
        huge_url = canonical_url(f"{site.base_url}/huge")
    assert run.code == 0, run.err
    record = run.records[huge_url]
    assert len(record.body) <= 500_000
    assert record.details[TRUNCATED].startswith("body: first ")
    assert record.details[TRUNCATED].endswith("; body: cut at 25,000 distinct words")
    assert len({word.lower() for word in record.body.split()}) <= 25_000
