"""The benchmark's synthetic site: deterministic pages, conditional requests, the 1 % change knob,
sitemaps that list every page, and a sites file the crawler accepts."""

from __future__ import annotations

import gzip
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.synthetic_pages import CONTENT_TYPES, SyntheticSite
from bench.synthetic_site import SITE_NAME, SyntheticSiteServer, sites_toml
from crawlers.sites import load_sites

BASE = "http://127.0.0.1:9"


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def locs(xml: bytes) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", xml.decode())


@pytest.fixture(scope="module")
def served() -> Iterator[SyntheticSiteServer]:
    with SyntheticSiteServer(SyntheticSite(1000, seed=7, sitemap_size=400)) as server:
        yield server


def test_same_seed_renders_the_same_bytes_and_another_seed_does_not() -> None:
    first, again, other = SyntheticSite(300, seed=5), SyntheticSite(300, seed=5), SyntheticSite(300)
    assert [p.path for p in first.pages] == [p.path for p in again.pages]
    path = first.pages[42].path
    assert first.respond(path, BASE).body == again.respond(path, BASE).body
    assert first.etag(42) == again.etag(42)
    assert other.pages[42].path != path


def test_every_page_kind_is_generated_with_its_labels() -> None:
    site = SyntheticSite(400)
    kinds = {page.kind for page in site.pages}
    assert kinds == set(CONTENT_TYPES)
    publication = next(p for p in site.pages if p.kind == "publication")
    html = site.render_page(publication.number, BASE)
    assert f'<link rel="canonical" href="{BASE}{publication.path}">' in html
    for label in ("NCJ Number", "Date Published", "Length", "Annotation", "Abstract"):
        assert f'<div class="field__label">{label}</div>' in html
    funding = next(p for p in site.pages if p.kind == "funding")
    assert re.search(r">O-[A-Z]+-\d{4}-\d+<", site.render_page(funding.number, BASE))


def test_served_page_matches_the_rendered_page_and_is_gzipped_on_request(
    served: SyntheticSiteServer,
) -> None:
    page = served.site.pages[3]
    status, headers, body = fetch(served.base_url + page.path, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body).decode() == served.site.render_page(3, served.base_url)


def test_validators_answer_304_and_a_stale_etag_gets_the_page(served: SyntheticSiteServer) -> None:
    url = served.base_url + served.site.pages[10].path
    _, headers, _ = fetch(url)
    served.reset_counts()
    assert fetch(url, {"If-None-Match": headers["ETag"]})[:3:2] == (304, b"")
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"stale"'})[0] == 200
    counts = served.counts()
    assert (counts.page, counts.not_modified, counts.by_status) == (3, 2, {200: 1, 304: 2})


def test_sitemaps_list_every_page_once_with_lastmod(served: SyntheticSiteServer) -> None:
    served.reset_counts()
    status, _, index = fetch(served.base_url + "/sitemap.xml")
    children = locs(index)
    assert status == 200 and len(children) == 3  # 1000 pages, 400 per sitemap
    urls = []
    for child in children:
        _, _, xml = fetch(child)
        assert xml.decode().count("<lastmod>") == len(locs(xml)) <= 400
        urls += locs(xml)
    assert sorted(urls) == sorted(served.base_url + p.path for p in served.site.pages)
    assert served.counts().sitemap == 4
    status, _, robots = fetch(served.base_url + "/robots.txt")
    assert f"Sitemap: {served.base_url}/sitemap.xml" in robots.decode()


def test_unknown_path_is_a_counted_404(served: SyntheticSiteServer) -> None:
    served.reset_counts()
    assert fetch(served.base_url + "/library/publications/no-such-page")[0] == 404
    assert served.counts().missing == 1


def test_each_version_step_changes_exactly_one_percent_of_pages() -> None:
    site = SyntheticSite(1000, seed=3)
    before = {n: (site.etag(n), site.lastmod(n), site.render_page(n, BASE)) for n in range(1000)}
    site.set_version(1)
    changed = [n for n in range(1000) if site.etag(n) != before[n][0]]
    assert changed == site.changed_pages(1)
    assert len(changed) == 10
    for n in range(1000):
        same = (site.etag(n), site.lastmod(n), site.render_page(n, BASE)) == before[n]
        assert same is (n not in changed)
    site.set_version(2)
    assert len(site.changed_pages(2)) == 10
    assert not set(site.changed_pages(2)) & set(changed)


def test_a_version_bump_turns_304s_into_200s_only_for_changed_pages() -> None:
    site = SyntheticSite(500, seed=11, sitemap_size=500)
    with SyntheticSiteServer(site) as server:
        etags = {n: fetch(server.base_url + p.path)[1]["ETag"] for n, p in enumerate(site.pages)}
        _, _, old_sitemap = fetch(server.base_url + "/sitemaps/sitemap-0.xml")
        server.set_version(1)
        server.reset_counts()
        statuses = {
            n: fetch(server.base_url + p.path, {"If-None-Match": etags[n]})[0]
            for n, p in enumerate(site.pages)
        }
        _, _, new_sitemap = fetch(server.base_url + "/sitemaps/sitemap-0.xml")
    refetched = sorted(n for n, status in statuses.items() if status == 200)
    assert refetched == site.changed_pages(1) and len(refetched) == 5
    assert server.counts().not_modified == 495
    old_rows = set(old_sitemap.decode().splitlines())
    new_rows = [row for row in new_sitemap.decode().splitlines() if row not in old_rows]
    assert len(new_rows) == 5  # only the changed pages' lastmod moved


def test_sites_toml_is_a_valid_sites_file_whose_kind_rules_match_the_pages(
    tmp_path: Path,
) -> None:
    site = SyntheticSite(300)
    path = tmp_path / "sites.toml"
    path.write_text(sites_toml(BASE), encoding="utf-8")
    config = load_sites(path)
    (synthetic,) = config.select(None)
    assert synthetic.name == SITE_NAME
    assert config.crawl.download_delay == 0 and config.crawl.autothrottle is False
    assert config.crawl.max_pages >= 100_000 and config.crawl.revalidate_days == 30
    for page in site.pages:
        assert synthetic.kind_of(BASE + page.path) == CONTENT_TYPES[page.kind]


def test_refresh_requests_only_the_sitemaps_the_start_url_the_slice_and_changed_pages(
    tmp_path: Path,
) -> None:
    """A no-change refresh re-requests no page outside today's revalidation slice, however the
    full crawl first reached each page (sitemap or link); a 1 % change fetches just those pages."""
    from bench.bench_refresh import refresh_by_steps
    from crawlers.spiders.ojp import in_revalidation_slice

    site = SyntheticSite(200, seed=4)
    with SyntheticSiteServer(site) as server:
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text(sites_toml(server.base_url), encoding="utf-8")
        days = {datetime.now(UTC).date()}
        refresh_by_steps(tmp_path / "data", sites_file)
        server.reset_counts()
        refresh_by_steps(tmp_path / "data", sites_file)
        unchanged = server.requested()
        server.set_version(1)
        server.reset_counts()
        _, (changes, _) = refresh_by_steps(tmp_path / "data", sites_file)
        after_change = server.requested()
        days.add(datetime.now(UTC).date())

    def due(path: str) -> bool:
        return path == "/" or any(
            in_revalidation_slice(server.base_url + path, day, 30) for day in days
        )

    sitemaps = ["/robots.txt", "/sitemap.xml", "/sitemaps/sitemap-0.xml"]
    assert sorted(
        path for path, _ in unchanged if path.endswith(".xml") or path == "/robots.txt"
    ) == sorted(sitemaps)
    pages = [path for path, _ in unchanged if path not in sitemaps]
    assert pages and all(due(path) for path in pages)
    assert {status for path, status in unchanged if path != "/"} <= {200, 304}
    changed_paths = {site.pages[n].path for n in site.changed_pages(1)}
    fetched = {path for path, status in after_change if status == 200 and path not in sitemaps}
    assert fetched - {"/"} == changed_paths
    assert all(
        due(path) or path in changed_paths for path, _ in after_change if path not in sitemaps
    )
    assert len(changes.changed) == len(changed_paths) == 2
