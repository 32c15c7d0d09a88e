"""The crawler against a real HTTP server on 127.0.0.1: politeness, bounds, edge cases, increments.

Every crawl runs in a child process (``crawlers.runner.crawl_site``), as in production; outcomes
are read back from the store (staged results, crawl summaries, applied records) and from the
server's own request log.
"""

from __future__ import annotations

import gzip
import ipaddress
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawlers.history import in_revalidation_slice
from crawlers.middlewares import BackoffRetryMiddleware
from crawlers.runner import CrawlError, crawl_site
from crawlers.sites import CrawlSettings, load_sites
from crawlers.spiders.ojp import CrawlJob, OjpSpider
from index.datadir import DataDir
from index.store import Store
from index.urls import canonical_url
from tests.crawl_server import (
    REVALIDATE_DAYS,
    SIZE_CAP,
    TIMEOUT,
    Crawl,
    CrawlServer,
    Hit,
    Route,
    page,
    run_crawl,
    sitemap_gz,
    sites_file,
    staged,
)

pytestmark = pytest.mark.xdist_group("crawler")

REPO_ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "ojp-search-test/1.0 (+https://example.org/crawler-contact)"


def private_host_name() -> str | None:
    """This machine's host name when it resolves to a non-public address (it usually resolves
    to a loopback or private one), else None."""
    name = socket.gethostname().lower().rstrip(".")
    try:
        address = ipaddress.ip_address(socket.gethostbyname(name))
    except (OSError, ValueError):
        return None
    if name == "localhost" or not re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", name):
        return None  # localhost is exempt (a local mirror); odd names are not valid hosts
    return name if address.is_private or address.is_loopback else None


ACCENTED = "Café au lait – a naïve résumé"


def cp1252_page(title: str, head: str = "") -> bytes:
    html = (
        f"<html><head>{head}<title>{title}</title></head><body><main><h1>{title}</h1>"
        f"<p>{ACCENTED}.</p></main></body></html>"
    )
    return html.encode("cp1252")


# -- one site with every edge case, crawled twice ------------------------------------------------


@dataclass
class TwoRuns:
    base: str
    first: Crawl
    second: Crawl
    other_host_hits: list[Hit]
    data_dir: DataDir
    private_name: str | None  # a host name of the site that resolves to a private address


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoRuns]:
    root = tmp_path_factory.mktemp("crawler")
    with CrawlServer() as server, CrawlServer() as other:
        base = server.base_url
        elsewhere = f"http://localhost:{other.port}"
        other.routes["/x"] = Route(page("Elsewhere"))
        private_name = private_host_name()
        by_name = f"http://{private_name or 'unresolvable.invalid'}:{server.port}"
        links = (
            "/a",
            "/b",
            "/moved",
            "/private/secret",
            "/members/list",
            f"{elsewhere}/x",
            "/away",
            "/broken",
            "/slow",
            "/loop1",
            "/big",
            "/big-stream",
            "/latin1",
            "/meta-charset",
            "/mislabelled",
            "/malformed",
            "/files/report.pdf",
            "/report",
            "/gone",
            "/noindex",
            "/nofollow",
            "/refresh",
            "/refresh-away",
            "/library/item?sort=asc",
            "mailto:someone@example.org",
            "#top",
            "file:///etc/hostname",
            "/to-file",
            f"{by_name}/by-name",
            "/to-name",
            "/x-robots",
            "/soft-404",
            "/print-view",
            "/flaky",
        )
        server.routes.update(
            {
                "/robots.txt": Route(
                    b"User-agent: *\nDisallow: /private/\n\n"
                    b"User-agent: ojp-search\nDisallow: /private/\nDisallow: /members/\n\n"
                    + f"Sitemap: {base}/sitemap-index.xml\n".encode(),
                    "text/plain",
                ),
                "/sitemap-index.xml": Route(
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<sitemap><loc>{base}/sitemap.xml.gz</loc></sitemap></sitemapindex>".encode(),
                    "application/xml",
                ),
                "/sitemap.xml.gz": Route(
                    sitemap_gz(base, {"/a": "2024-01-01", "/c": "2024-02-01"}),
                    "application/gzip",
                ),
                "/": Route(page("Home", links=links)),
                "/a": Route(page("Page A")),
                "/b": Route(page("Page B")),
                "/c": Route(page("Page C", "Only the sitemap lists this page.")),
                "/moved": Route(status=301, location="/b"),
                "/private/secret": Route(page("Secret")),
                "/members/list": Route(page("Members")),
                "/away": Route(status=302, location=f"{elsewhere}/y"),
                "/broken": Route(page("Broken"), status=500),
                "/slow": Route(page("Slow"), delay=TIMEOUT + 1.5),
                "/loop1": Route(status=302, location="/loop2"),
                "/loop2": Route(status=302, location="/loop1"),
                "/big": Route(page("Big", "x" * (SIZE_CAP * 2))),
                "/big-stream": Route(page("Big stream", "y" * (SIZE_CAP * 2)), streamed=True),
                "/latin1": Route(cp1252_page("Latin one"), "text/html; charset=windows-1252"),
                "/meta-charset": Route(
                    cp1252_page("Meta charset", '<meta charset="windows-1252">'), "text/html"
                ),
                "/mislabelled": Route(cp1252_page("Mislabelled"), "text/html; charset=utf-8"),
                "/malformed": Route(
                    b"<html><head><title>Broken markup</title><body><main><h1>Broken <b>markup"
                    b"</h1><p>Unclosed paragraph <div>text & more<p>Second part</main></span>"
                ),
                "/files/report.pdf": Route(b"%PDF-1.4 not really", "application/pdf"),
                "/report": Route(b"%PDF-1.4 " + b"0" * 5000, "application/pdf"),
                "/gone": Route(page("Gone"), status=404),
                "/noindex": Route(page("Hidden", head='<meta name="robots" content="noindex">')),
                "/nofollow": Route(
                    page(
                        "No follow",
                        links=("/behind-nofollow",),
                        head='<meta name="robots" content="index, nofollow">',
                    )
                ),
                "/behind-nofollow": Route(page("Behind")),
                "/refresh": Route(
                    page("Refresh", head='<meta http-equiv="refresh" content="0; url=/d">')
                ),
                "/d": Route(page("Page D")),
                "/refresh-away": Route(
                    page("Away", head=f'<meta http-equiv="refresh" content="0; url={elsewhere}/z">')
                ),
                "/to-file": Route(status=302, location="file:///etc/passwd"),
                "/by-name": Route(page("Reached by name")),
                "/to-name": Route(status=302, location=f"{by_name}/by-name-redirected"),
                "/by-name-redirected": Route(page("Reached by name after a redirect")),
                "/x-robots": Route(page("Header noindex"), headers={"X-Robots-Tag": "noindex"}),
                "/soft-404": Route(page("Page Not Found", "Sorry, that page is not here.")),
                "/print-view": Route(
                    page("Printable", head=f'<link rel="canonical" href="{base}/e">')
                ),
                "/flaky": Route(page("Flaky", "Up on the first run, down on the second.")),
            }
        )
        data_dir = DataDir(root / "data").ensure()
        hosts = ("127.0.0.1", private_name) if private_name else ("127.0.0.1",)
        crawl = f'user_agent = "{USER_AGENT}"'
        sites = sites_file(root / "sites.toml", base, crawl=crawl, hosts=hosts)
        first = run_crawl(server, data_dir, sites)
        server.routes["/flaky"] = Route(page("Flaky"), status=500)
        second = run_crawl(server, data_dir, sites)
        yield TwoRuns(base, first, second, list(other.hits), data_dir, private_name)
    shutil.rmtree(root, ignore_errors=True)


def test_pages_are_fetched_and_normalized(two_runs: TwoRuns) -> None:
    results = two_runs.first.by_path(two_runs.base)
    for path, title in [("/", "Home"), ("/a", "Page A"), ("/b", "Page B")]:
        assert results[path].outcome == "fetched"
        assert results[path].record is not None
        assert results[path].record.title == title
        assert results[path].etag  # validators are kept for the next run
    assert results["/a"].record.site == "test"


def test_robots_txt_disallow_is_respected(two_runs: TwoRuns) -> None:
    paths = two_runs.first.paths()
    assert not [p for p in paths if p.startswith(("/private/", "/members/"))]
    results = two_runs.first.by_path(two_runs.base)
    for path in ("/private/secret", "/members/list"):  # "*" and our own product token's group
        assert (results[path].outcome, results[path].error) == (
            "excluded",
            "disallowed by robots.txt",
        )


def test_other_hosts_are_never_fetched(two_runs: TwoRuns) -> None:
    assert two_runs.other_host_hits == []  # neither the link nor the redirect reached it
    result = two_runs.first.by_path(two_runs.base)["/away"]
    assert result.outcome == "excluded"
    assert result.error == "redirect off the site (offsite: localhost is not an allowed host)"
    assert two_runs.first.paths().count("/away") == 1


def test_file_urls_are_never_followed(two_runs: TwoRuns) -> None:
    results = two_runs.first.by_path(two_runs.base)
    assert (results["/to-file"].outcome, results["/to-file"].error) == (
        "excluded",
        "redirect off the site (to file:///etc/passwd)",
    )
    assert not [r for r in two_runs.first.results if r.url.startswith("file:")]


def test_allowed_host_name_resolving_to_a_private_address_is_never_requested(
    two_runs: TwoRuns,
) -> None:
    name = two_runs.private_name
    if name is None:
        pytest.skip("this machine's host name does not resolve to a private address")
    paths = two_runs.first.paths()
    assert "/by-name" not in paths  # refused before connecting: the server never saw it
    assert "/by-name-redirected" not in paths
    assert paths.count("/to-name") == 1
    reason = f"private address ({name} resolves to non-public address 127.0.0.1)"
    by_url = {r.url: r for r in two_runs.first.results}
    port = two_runs.base.rsplit(":", 1)[1]
    link = by_url[canonical_url(f"http://{name}:{port}/by-name")]
    assert (link.outcome, link.error) == ("excluded", reason)
    redirect = two_runs.first.by_path(two_runs.base)["/to-name"]
    assert (redirect.outcome, redirect.error) == ("excluded", reason)


def test_requests_identify_the_crawler(two_runs: TwoRuns) -> None:
    agents = {hit.headers.get("User-Agent") for hit in two_runs.first.hits}
    assert agents == {USER_AGENT}


def test_meta_refresh_is_followed_within_the_site_only(two_runs: TwoRuns) -> None:
    base = two_runs.base
    results = two_runs.first.by_path(base)
    assert results["/d"].outcome == "fetched"
    assert canonical_url(f"{base}/refresh") in results["/d"].aliases
    assert results["/refresh-away"].outcome == "excluded"
    assert two_runs.other_host_hits == []


def test_nofollow_pages_are_kept_but_not_followed(two_runs: TwoRuns) -> None:
    assert two_runs.first.by_path(two_runs.base)["/nofollow"].outcome == "fetched"
    assert "/behind-nofollow" not in two_runs.first.paths()


def test_urls_outside_the_rules_are_never_requested(two_runs: TwoRuns) -> None:
    paths = two_runs.first.paths()
    assert not [p for p in paths if "?" in p]  # denied by the site's rules


def test_linked_pdf_is_read_as_an_attachment_not_crawled_as_a_page(two_runs: TwoRuns) -> None:
    base, first = two_runs.base, two_runs.first
    assert first.paths().count("/files/report.pdf") == 1
    home = first.by_path(base)["/"].record
    assert home is not None
    (report,) = [a for a in home.attachments if a.url == f"{base}/files/report.pdf"]
    assert report.error is not None and report.error.startswith("corrupt")
    assert first.by_path(base)["/files/report.pdf"].outcome == "document"
    assert not [r for r in first.results if r.record and r.record.url.endswith("report.pdf")]


def test_server_error_is_retried_then_failed(two_runs: TwoRuns) -> None:
    assert two_runs.first.paths().count("/broken") == 2  # retries = 1
    result = two_runs.first.by_path(two_runs.base)["/broken"]
    assert (result.outcome, result.http_status, result.error) == ("failed", 500, "HTTP 500")


def test_server_error_keeps_the_previous_record(two_runs: TwoRuns) -> None:
    base = two_runs.base
    assert two_runs.first.by_path(base)["/flaky"].outcome == "fetched"
    assert two_runs.second.paths().count("/flaky") == 2  # retried
    failed = two_runs.second.by_path(base)["/flaky"]
    assert (failed.outcome, failed.error) == ("failed", "HTTP 500")
    with Store.open(two_runs.data_dir) as store:
        record = store.get(canonical_url(base + "/flaky"))
        assert record is not None
        assert "Up on the first run" in record.body
        assert store.record_status(record.id) == "live"


def test_timeout_is_retried_then_failed(two_runs: TwoRuns) -> None:
    assert two_runs.first.paths().count("/slow") == 2
    result = two_runs.first.by_path(two_runs.base)["/slow"]
    assert (result.outcome, result.error) == ("failed", f"timeout after {TIMEOUT:g} s")


def test_redirect_loop_is_stopped(two_runs: TwoRuns) -> None:
    paths = two_runs.first.paths()
    assert (paths.count("/loop1"), paths.count("/loop2")) == (1, 1)
    result = two_runs.first.by_path(two_runs.base)["/loop1"]
    assert (result.outcome, result.error) == ("failed", "redirect loop")


def test_redirect_target_remembers_the_old_url(two_runs: TwoRuns) -> None:
    base = two_runs.base
    moved = [r for r in two_runs.first.results if canonical_url(f"{base}/moved") in r.aliases]
    assert [(r.url, r.outcome) for r in moved] == [(f"{base}/b", "fetched")]


@pytest.mark.parametrize("path", ["/big", "/big-stream"])  # with and without Content-Length
def test_page_over_the_size_cap_is_skipped_with_a_logged_reason(
    two_runs: TwoRuns, path: str
) -> None:
    result = two_runs.first.by_path(two_runs.base)[path]
    assert (result.outcome, result.error) == ("excluded", f"over size cap ({SIZE_CAP} bytes)")
    assert any(
        line.endswith(f"{path}: over size cap ({SIZE_CAP} bytes)") for line in two_runs.first.log
    )
    assert two_runs.first.summary.skipped["over size cap"] == 2


@pytest.mark.parametrize("path", ["/latin1", "/meta-charset", "/mislabelled"])
def test_legacy_charsets_are_decoded(two_runs: TwoRuns, path: str) -> None:
    record = two_runs.first.by_path(two_runs.base)[path].record
    assert record is not None
    assert ACCENTED in record.body


def test_malformed_html_still_yields_a_record(two_runs: TwoRuns) -> None:
    record = two_runs.first.by_path(two_runs.base)["/malformed"].record
    assert record is not None
    assert record.title == "Broken markup"
    assert "Second part" in record.body


def test_noindex_header_soft_404_and_canonical_link(two_runs: TwoRuns) -> None:
    base = two_runs.base
    results = two_runs.first.by_path(base)
    assert (results["/x-robots"].outcome, results["/x-robots"].error) == (
        "excluded",
        "noindex: X-Robots-Tag header",
    )
    assert results["/soft-404"].outcome == "gone"
    assert results["/soft-404"].error.startswith("soft-404")
    canonical = results["/e"]  # /print-view names /e as its canonical URL
    assert canonical.outcome == "fetched"
    assert canonical.record is not None and canonical.record.url == f"{base}/e"
    assert canonical_url(f"{base}/print-view") in canonical.aliases
    assert "/e" not in two_runs.first.paths()  # the record came from /print-view


def test_documents_and_error_pages(two_runs: TwoRuns) -> None:
    results = two_runs.first.by_path(two_runs.base)
    assert (results["/report"].outcome, results["/report"].error) == (
        "excluded",
        "document (application/pdf)",
    )
    assert (results["/gone"].outcome, results["/gone"].http_status) == ("gone", 404)
    assert results["/noindex"].outcome == "excluded"
    assert results["/noindex"].error.startswith("noindex")


def test_sitemap_index_and_gzipped_sitemap_from_robots_txt_are_read(two_runs: TwoRuns) -> None:
    results = two_runs.first.by_path(two_runs.base)
    paths = two_runs.first.paths()
    assert paths.index("/sitemap-index.xml") < paths.index("/sitemap.xml.gz") < paths.index("/c")
    assert results["/c"].outcome == "fetched"  # no page links it: only the sitemap does
    assert results["/c"].sitemap_lastmod == "2024-02-01"


def test_first_summary_and_progress(two_runs: TwoRuns) -> None:
    first = two_runs.first
    summary = first.summary
    assert summary.site == "test"
    assert summary.complete, summary.error
    assert summary.requests == len(first.hits)
    assert summary.responses["200"] >= 10
    assert summary.responses["500"] == 2
    assert summary.bytes > 0
    assert summary.skipped["disallowed by robots.txt"] == 2
    assert first.progress == sorted(first.progress)
    assert first.progress[-1] == len(first.results)


def test_second_run_sends_validators_and_gets_304(two_runs: TwoRuns) -> None:
    second = two_runs.second
    home = [hit for hit in second.hits if hit.path == "/"]
    assert len(home) == 1
    assert home[0].headers.get("If-None-Match")  # the ETag stored by the first run
    results = second.by_path(two_runs.base)
    assert results["/"].outcome == "not_modified"
    assert results["/b"].outcome == "not_modified"  # seeded from the store: a 304 has no links
    assert second.summary.not_modified == sum(r.outcome == "not_modified" for r in second.results)
    assert second.summary.responses["304"] == second.summary.not_modified


def test_second_run_skips_pages_whose_sitemap_lastmod_is_unchanged(two_runs: TwoRuns) -> None:
    base, second = two_runs.base, two_runs.second
    today = datetime.now(UTC).date()
    unchanged = [
        path
        for path in ("/a", "/c")
        if not in_revalidation_slice(canonical_url(base + path), today, REVALIDATE_DAYS)
    ]
    assert unchanged  # at most one page in 100,000 is in today's slice
    for path in unchanged:
        assert path not in second.paths()
        assert second.by_path(base)[path].outcome == "skipped"
    assert second.summary.skipped["unchanged lastmod"] == len(unchanged)
    assert second.summary.complete, second.summary.error


def test_second_run_keeps_the_records(two_runs: TwoRuns) -> None:
    with Store.open(two_runs.data_dir) as store:
        for path in ("/a", "/b", "/c", "/latin1"):
            record = store.get(canonical_url(two_runs.base + path))
            assert record is not None, path
        assert store.get(canonical_url(two_runs.base + "/moved")) is not None  # an alias


# -- small crawls of their own -------------------------------------------------------------------


@pytest.fixture
def small_site() -> Iterator[CrawlServer]:
    with CrawlServer() as server:
        base = server.base_url
        server.routes.update(
            {
                "/robots.txt": Route(f"Sitemap: {base}/sitemap.xml.gz\n".encode(), "text/plain"),
                "/sitemap.xml.gz": Route(sitemap_gz(base, {"/p1": "2024-01-01"}), "text/gzip"),
                "/": Route(page("Home", links=("/p1", "/p2", "/p3", "/p4"))),
                **{f"/p{n}": Route(page(f"Page {n}")) for n in range(1, 5)},
            }
        )
        yield server


def test_full_crawl_ignores_validators_and_lastmod(small_site: CrawlServer, tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data").ensure()
    sites = sites_file(tmp_path / "sites.toml", small_site.base_url)
    run_crawl(small_site, data_dir, sites)
    full = run_crawl(small_site, data_dir, sites, full=True)
    assert not [hit for hit in full.hits if "If-None-Match" in hit.headers]
    assert "/p1" in full.paths()  # requested despite its unchanged lastmod
    assert {r.outcome for r in full.results} == {"fetched"}
    assert full.summary.skipped == {}


def test_several_crawls_in_one_process(small_site: CrawlServer, tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data").ensure()
    sites = sites_file(tmp_path / "sites.toml", small_site.base_url)
    crawls = [run_crawl(small_site, data_dir, sites) for _ in range(3)]  # no reactor restart
    assert [crawl.summary.complete for crawl in crawls] == [True, True, True]
    assert crawls[0].by_path(small_site.base_url)["/p2"].outcome == "fetched"
    assert [c.by_path(small_site.base_url)["/p2"].outcome for c in crawls[1:]] == [
        "not_modified",
        "not_modified",
    ]


def test_todays_revalidation_slice_is_requested_despite_its_lastmod(
    small_site: CrawlServer, tmp_path: Path
) -> None:
    base, days = small_site.base_url, 2  # half the pages are due on any one day
    today = datetime.now(UTC).date()
    candidates = [f"/r{n}" for n in range(20)]
    due = [p for p in candidates if in_revalidation_slice(canonical_url(base + p), today, days)]
    rest = [p for p in candidates if p not in due]
    due, rest = due[:2], rest[:2]
    assert due and rest  # 20 URLs all in (or all out of) today's half: about 1 in 500,000
    small_site.routes["/"] = Route(page("Home"))  # only the sitemap leads to the pages
    small_site.routes["/sitemap.xml.gz"] = Route(
        sitemap_gz(base, dict.fromkeys(due + rest, "2024-01-01")), "text/gzip"
    )
    small_site.routes.update({p: Route(page(f"Page {p}")) for p in due + rest})
    data_dir = DataDir(tmp_path / "data").ensure()
    sites = sites_file(tmp_path / "sites.toml", base, revalidate_days=days)
    run_crawl(small_site, data_dir, sites)
    second = run_crawl(small_site, data_dir, sites)
    results = second.by_path(base)
    assert sorted(p for p in due + rest if p in second.paths()) == sorted(due)
    assert {results[p].outcome for p in due} == {"not_modified"}
    assert {results[p].outcome for p in rest} == {"skipped"}
    assert second.summary.skipped == {"unchanged lastmod": len(rest)}


def test_max_pages_cap_makes_the_crawl_incomplete(small_site: CrawlServer, tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data").ensure()
    sites = sites_file(tmp_path / "sites.toml", small_site.base_url, crawl="max_pages = 2")
    crawl = run_crawl(small_site, data_dir, sites, apply=False)
    pages = [p for p in crawl.paths() if p not in ("/robots.txt", "/sitemap.xml.gz")]
    assert len(pages) == 2
    assert not crawl.summary.complete
    assert crawl.summary.error == "stopped at max_pages (2)"


def test_failed_start_url_makes_the_crawl_incomplete(
    small_site: CrawlServer, tmp_path: Path
) -> None:
    small_site.routes["/"] = Route(page("Down"), status=503)
    data_dir = DataDir(tmp_path / "data").ensure()
    sites = sites_file(tmp_path / "sites.toml", small_site.base_url)
    crawl = run_crawl(small_site, data_dir, sites, apply=False)
    assert crawl.paths().count("/") == 2  # retried once
    assert not crawl.summary.complete  # pages only the home page links may have been missed
    assert crawl.summary.error == (
        f"start URL {canonical_url(small_site.base_url + '/')} failed: HTTP 503"
    )


def test_failed_child_raises_crawl_error(small_site: CrawlServer, tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data").ensure()
    sites = sites_file(tmp_path / "sites.toml", small_site.base_url)
    with Store.open(data_dir) as store:
        run_id = store.start_run(["nope"])
    with pytest.raises(CrawlError) as caught:
        crawl_site("nope", sites_file=sites, data_dir=data_dir, run_id=run_id)
    assert caught.value.message == (
        "the crawl of nope failed (exit status 2): unknown site 'nope'. "
        "Known sites: ojp, nij, ovc, ojjdp, bja, bjs, smart, test."
    )
    with Store.open(data_dir) as store:
        summary = store.crawl_summaries(run_id)["nope"]
    assert not summary.complete
    assert small_site.hits == []


def test_scrapy_crawl_command_works_from_the_repository_root(
    small_site: CrawlServer, tmp_path: Path
) -> None:
    data_dir = DataDir(tmp_path / "data")
    sites = sites_file(tmp_path / "sites.toml", small_site.base_url)
    command = [sys.executable, "-m", "scrapy", "crawl", "ojp", "-a", "site=test"]
    command += ["-a", f"sites_file={sites}", "-a", f"data_dir={data_dir.root}"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    with Store.open(data_dir) as store:
        (run,) = store.last_runs()
        assert run.sites == ["test"]
        assert store.crawl_summaries(run.run_id)["test"].complete
    fetched = {r.url for r in staged(data_dir, run.run_id) if r.outcome == "fetched"}
    assert fetched == {
        canonical_url(small_site.base_url + p) for p in ("/", "/p1", "/p2", "/p3", "/p4")
    }


def test_gzip_and_xml_bombs_are_defused(small_site: CrawlServer, tmp_path: Path) -> None:
    base = small_site.base_url
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    laughs = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [{entities}]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/only&lol9;</loc></url></urlset>"
    )
    bomb = gzip.compress(b"<urlset>" + b" " * (SIZE_CAP * 50) + b"</urlset>")
    page_bomb = gzip.compress(b"<html><body><p>" + b"a" * (SIZE_CAP * 50) + b"</p></body></html>")
    sitemaps = ("bomb.xml.gz", "laughs.xml", "sitemap.xml.gz")
    small_site.routes.update(
        {
            "/robots.txt": Route(
                "".join(f"Sitemap: {base}/{name}\n" for name in sitemaps).encode(), "text/plain"
            ),
            "/bomb.xml.gz": Route(bomb, "application/gzip"),
            "/laughs.xml": Route(laughs.encode(), "application/xml"),
            "/": Route(b'<html><body><main><h1>Home</h1><a href="/zipped">z</a></main></body>'),
            "/zipped": Route(page_bomb, headers={"Content-Encoding": "gzip"}),
        }
    )
    data_dir = DataDir(tmp_path / "data").ensure()
    crawl = run_crawl(small_site, data_dir, sites_file(tmp_path / "sites.toml", base))
    assert len(bomb) < SIZE_CAP < SIZE_CAP * 50  # small on the wire, huge once decompressed
    assert any("bomb.xml.gz: over the size cap once decompressed" in line for line in crawl.log)
    zipped = crawl.by_path(base)["/zipped"]  # a page that inflates past the cap is skipped
    assert (zipped.outcome, zipped.error) == ("excluded", f"over size cap ({SIZE_CAP} bytes)")
    assert not [path for path in crawl.paths() if path.startswith("/only")]  # never expanded
    assert crawl.by_path(base)["/p1"].sitemap_lastmod == "2024-01-01"  # the sound sitemap
    assert crawl.summary.complete, crawl.summary.error


def test_unknown_run_is_refused_before_any_request(small_site: CrawlServer, tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data").ensure()
    sites = sites_file(tmp_path / "sites.toml", small_site.base_url)
    with pytest.raises(CrawlError) as caught:
        crawl_site("test", sites_file=sites, data_dir=data_dir, run_id=99)
    assert caught.value.message.startswith(
        f"the crawl of test failed (exit status 2): no run 99 in {data_dir.store_path}"
    )
    assert small_site.hits == []


# -- spider parts that need no server ------------------------------------------------------------


def test_known_urls_are_requested_on_the_sites_spelling_of_the_host(tmp_path: Path) -> None:
    ojp = load_sites().sites["ojp"]
    spider = OjpSpider(job=CrawlJob(ojp, CrawlSettings(), DataDir(tmp_path), run_id=1))
    canonical = "https://ojp.gov/library/publications/ojjdp-overview"
    assert (
        spider.request_url(canonical) == "https://www.ojp.gov/library/publications/ojjdp-overview"
    )
    first = spider.page_request(canonical)
    assert first is not None
    assert spider.page_request("https://www.ojp.gov/library/publications/ojjdp-overview#x") is None
    assert spider.page_request("https://www.ojp.gov/sites/g/files/xyckuh241/files/a.pdf") is None
    assert spider.page_request("https://nij.ojp.gov/topics") is None  # another site's host


def test_every_url_is_revalidated_once_per_period() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC).date()
    days = [start + timedelta(days=n) for n in range(30)]
    for n in range(50):
        url = f"https://nij.ojp.gov/topics/articles/{n}"
        assert sum(in_revalidation_slice(url, day, 30) for day in days) == 1


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://WWW.NIJ.OJP.GOV./topics/", "https://nij.ojp.gov/topics/"),
        ("http://ojp.gov:80/a?utm_source=x&b=2&a=1#part", "https://ojp.gov/a?a=1&b=2"),
        ("https://www.ojp.gov/library?fbclid=abc", "https://ojp.gov/library"),
        ("https://bjs.ojp.gov", "https://bjs.ojp.gov/"),
        ("http://127.0.0.1:8000/nij/?utm_medium=email", "http://127.0.0.1:8000/nij/"),
        ("https://ojp.gov/a%7eb/caf%C3%A9", "https://ojp.gov/a~b/caf%C3%A9"),
    ],
)
def test_canonical_urls(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_retries_back_off_exponentially_up_to_a_maximum() -> None:
    settings = Settings({"RETRY_ENABLED": True, "RETRY_BACKOFF_BASE": 1.5, "RETRY_BACKOFF_MAX": 5})
    middleware = BackoffRetryMiddleware(settings)
    assert [middleware.backoff_delay(n) for n in (1, 2, 3, 4)] == [1.5, 3.0, 5.0, 5.0]
    assert 500 in middleware.retry_http_codes and 404 not in middleware.retry_http_codes
