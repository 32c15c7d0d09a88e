"""The bundled sample site and its server behave like the real OJP sites a crawler meets."""

from __future__ import annotations

import gzip
import http.client
import io
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pypdf
import pytest
from bs4 import BeautifulSoup

from crawlers.normalize import normalize_page
from crawlers.sample_site import SITE_ROOT, SampleSite, sites_toml
from crawlers.sample_site.builder import build_files, load_content
from crawlers.sample_site.editor import EditableSite
from crawlers.sample_site.pdfdoc import make_pdf
from crawlers.sample_site.server import placeholder_values, substitute_placeholders
from crawlers.sites import load_sites
from index.records import Record

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
HTML_SUFFIXES = {".html", ".htm"}
ABSTRACTS = "/ncjrs/virtual-library/abstracts/"
SPANISH_ABSTRACT = ABSTRACTS + "que-puede-hacer-si-usted-es-victima-de-un-delito"
OPEN_OPPORTUNITY = "/bja/funding/opportunities/o-bja-2026-172614"
UPCOMING_EVENT = "/events/cossup-national-forum"


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Response:
    """One request, redirects not followed, any status returned (never raised)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target or "/", headers=headers or {})
        response = conn.getresponse()
        return Response(response.status, dict(response.getheaders()), response.read())
    finally:
        conn.close()


def html_files() -> list[Path]:
    return sorted(p for p in SITE_ROOT.rglob("*") if p.suffix in HTML_SUFFIXES)


def served_record(site: SampleSite, path: str) -> Record:
    """The record the normalizer makes of one page as the server sends it."""
    response = fetch(site.url(path))
    assert response.status == 200, path
    record = normalize_page(site.url(path), response.body, response.headers)
    assert isinstance(record, Record), path
    return record


def sitemap_entries(site: SampleSite) -> dict[str, str]:
    """Every <loc> of every child sitemap, with its <lastmod>."""
    index = ET.fromstring(fetch(site.url("/sitemap.xml")).body)
    entries: dict[str, str] = {}
    for child in index.findall("sm:sitemap/sm:loc", SITEMAP_NS):
        body = fetch(child.text or "").body
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        for url in ET.fromstring(body).findall("sm:url", SITEMAP_NS):
            loc = url.find("sm:loc", SITEMAP_NS)
            lastmod = url.find("sm:lastmod", SITEMAP_NS)
            assert loc is not None and lastmod is not None
            entries[loc.text or ""] = lastmod.text or ""
    return entries


# -- the pages ------------------------------------------------------------------------------------


def test_the_site_has_at_least_sixty_html_pages() -> None:
    assert len(html_files()) >= 64


@pytest.mark.parametrize("path", html_files(), ids=lambda p: str(p.relative_to(SITE_ROOT)))
def test_every_page_has_a_language_the_gov_banner_and_one_h1(path: Path) -> None:
    soup = BeautifulSoup(path.read_bytes(), "lxml")
    spanish = path == SITE_ROOT / (SPANISH_ABSTRACT.lstrip("/") + ".html")
    assert soup.html is not None and soup.html.get("lang") == ("es" if spanish else "en")
    banner = soup.select_one("section.usa-banner")
    assert banner is not None
    assert "An official website of the United States government" in banner.get_text()
    assert len(soup.find_all("h1")) == 1
    assert soup.title is not None and soup.title.get_text(strip=True)


def test_pages_vary_across_all_three_banner_wordings() -> None:
    texts = [p.read_bytes().decode("utf-8", "replace") for p in html_files()]
    older = [t for t in texts if "The .gov means it’s official." in t]
    newer = [t for t in texts if "Secure .gov websites use HTTPS" in t]
    newer_howto = [t for t in newer if "Here’s how you know" in t]
    short = [t for t in texts if "usa-banner__guidance" not in t]
    assert older and newer and short
    assert 0 < len(newer_howto) < len(newer)


def test_one_publication_is_published_at_two_urls_with_the_same_ncj_number() -> None:
    pages = [
        SITE_ROOT / "library/publications/fight-against-human-trafficking.html",
        SITE_ROOT / "nij/library/publications/fight-against-human-trafficking.html",
    ]
    for page in pages:
        soup = BeautifulSoup(page.read_bytes(), "lxml")
        ncj = soup.select_one(".field--name-field-ncj-number .field__item")
        assert ncj is not None and ncj.get_text() == "252984"


def test_committed_files_are_what_the_builder_writes() -> None:
    expected = build_files(load_content())
    committed = {
        str(p.relative_to(SITE_ROOT)): p.read_bytes() for p in SITE_ROOT.rglob("*") if p.is_file()
    }
    assert sorted(committed) == sorted(expected)
    stale = [name for name, data in expected.items() if committed[name] != data]
    assert stale == [], "run: python -m crawlers.sample_site.builder"


def test_linked_pdf_reports_have_extractable_text(sample_site: SampleSite) -> None:
    pdf_links = set()
    for path in html_files():
        pdf_links.update(re.findall(r'href="([^"]+\.pdf)"', path.read_text(errors="replace")))
    assert len(pdf_links) >= 3
    for link in pdf_links:
        response = fetch(sample_site.url(link))
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(response.body))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert reader.metadata is not None and reader.metadata.title
        assert reader.metadata.title.split(":")[0] in text


def test_the_library_abstracts_cover_citations_series_full_text_and_spanish(
    sample_site: SampleSite,
) -> None:
    abstracts = [
        served_record(sample_site, "/" + p.relative_to(SITE_ROOT).as_posix().removesuffix(".html"))
        for p in sorted((SITE_ROOT / ABSTRACTS.strip("/")).glob("*.html"))
    ]
    cited = [
        r for r in abstracts if {"journal", "volume", "issue", "journal_pages"} <= r.details.keys()
    ]
    assert len(cited) >= 2
    assert [r for r in abstracts if r.details.get("series") and r.details.get("length_pages")]
    linked = [r for r in abstracts if any(a.url.endswith(".pdf") for a in r.attachments)]
    assert linked and len(linked) < len(abstracts)
    for record in linked:
        for attachment in record.attachments:
            assert fetch(attachment.url).headers["Content-Type"] == "application/pdf"
    assert [r.url for r in abstracts if r.language == "es"] == [sample_site.url(SPANISH_ABSTRACT)]


def test_the_open_opportunity_and_the_upcoming_event_stay_ahead_of_today(
    sample_site: SampleSite,
) -> None:
    today = datetime.now(UTC).date().isoformat()
    opportunity = served_record(sample_site, OPEN_OPPORTUNITY)
    assert opportunity.details["posting_date"] < today < opportunity.details["closing_date"]
    assert opportunity.details["grants_gov_deadline"] > today
    closed = served_record(sample_site, "/bja/funding/opportunities/o-bja-2023-171861")
    assert closed.details["closing_date"] < today
    event = served_record(sample_site, UPCOMING_EVENT)
    assert event.details["event_dates"].split("/")[0] > today
    assert event.details["location"] and event.details["address"]


def test_make_pdf_writes_one_page_per_string_with_its_text_and_title() -> None:
    data = make_pdf(
        ["First page (with parentheses) \\ and a backslash", "Second — page"], title="A Report"
    )
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert [p.extract_text().strip() for p in reader.pages] == [
        "First page (with parentheses) \\ and a backslash",
        "Second — page",
    ]
    assert reader.metadata is not None and reader.metadata.title == "A Report"


# -- the server -----------------------------------------------------------------------------------

PAGE = "/nij/topics/articles/overview-human-trafficking-and-nijs-role"


def test_pages_carry_an_etag_and_last_modified_and_answer_304_to_either_validator(
    sample_site: SampleSite,
) -> None:
    first = fetch(sample_site.url(PAGE))
    assert first.status == 200
    assert first.headers["Content-Type"] == "text/html; charset=utf-8"
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]+"', etag)
    mtime = (SITE_ROOT / (PAGE.lstrip("/") + ".html")).stat().st_mtime
    assert parsedate_to_datetime(last_modified).timestamp() == int(mtime)

    by_etag = fetch(sample_site.url(PAGE), headers={"If-None-Match": etag})
    assert (by_etag.status, by_etag.body, by_etag.headers["ETag"]) == (304, b"", etag)
    by_date = fetch(sample_site.url(PAGE), headers={"If-Modified-Since": last_modified})
    assert by_date.status == 304
    older = formatdate(int(mtime) - 3600, usegmt=True)
    assert fetch(sample_site.url(PAGE), headers={"If-Modified-Since": older}).status == 200
    assert fetch(sample_site.url(PAGE), headers={"If-None-Match": '"other"'}).status == 200


def test_head_sends_the_headers_of_get_without_a_body(sample_site: SampleSite) -> None:
    get = fetch(sample_site.url(PAGE))
    head = fetch(sample_site.url(PAGE), method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.body))


def test_an_edited_page_gets_a_new_etag_last_modified_and_sitemap_lastmod(
    editable_site: EditableSite,
) -> None:
    path = "/library/publications/ojjdp-overview"
    before = fetch(editable_site.url(path))
    lastmod_before = sitemap_entries(editable_site.site)[editable_site.url(path)]
    editable_site.edit(path, "OJJDP: An Overview", "OJJDP: A Revised Overview")
    after = fetch(editable_site.url(path), headers={"If-None-Match": before.headers["ETag"]})
    assert after.status == 200
    assert "OJJDP: A Revised Overview" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]
    assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(
        before.headers["Last-Modified"]
    )
    assert sitemap_entries(editable_site.site)[editable_site.url(path)] > lastmod_before


def test_legacy_urls_redirect_to_modern_pages(sample_site: SampleSite) -> None:
    legacy = fetch(sample_site.url("/ncjrs/App/Publications/abstract.aspx?ID=259387"))
    assert legacy.status == 301
    target = legacy.headers["Location"]
    assert target == sample_site.url(
        "/ncjrs/virtual-library/abstracts/united-states-department-justices-elder-abuse-initiatives"
    )
    page = fetch(target)
    assert page.status == 200 and ">252538<" in page.text and "259387" not in page.text
    assert fetch(sample_site.url("/ncjrs/App/Publications/abstract.aspx?ID=1")).status == 404
    help_page = fetch(sample_site.url("/ovc/grants/help.html"))
    assert help_page.headers["Location"] == sample_site.url("/ovc/funding/funding-resources")
    with urllib.request.urlopen(sample_site.url("/ovc/grants/help.html")) as followed:
        assert followed.url == sample_site.url("/ovc/funding/funding-resources")


def test_a_moved_page_says_so_with_a_meta_refresh(sample_site: SampleSite) -> None:
    soup = BeautifulSoup(fetch(sample_site.url("/humantrafficking/index.html")).body, "lxml")
    refresh = soup.find("meta", attrs={"http-equiv": "refresh"})
    assert refresh is not None
    assert refresh["content"] == "0; url=/feature/human-trafficking/overview"


def test_a_removed_page_is_still_in_the_sitemap_but_answers_404(sample_site: SampleSite) -> None:
    removed = sample_site.url("/library/publications/equity-research-priorities-2022")
    assert removed in sitemap_entries(sample_site)
    assert fetch(removed).status == 404


def test_remove_fail_and_restore_take_effect_on_the_next_request(
    editable_site: EditableSite,
) -> None:
    path = "/ovc/about"
    assert fetch(editable_site.url(path)).status == 200
    editable_site.remove(path)
    assert fetch(editable_site.url(path)).status == 404
    editable_site.fail(path, 503)
    assert fetch(editable_site.url(path)).status == 503
    editable_site.restore(path)
    assert fetch(editable_site.url(path)).status == 200


def test_a_delay_route_holds_the_response(editable_site: EditableSite) -> None:
    editable_site.delay("/ovc/about", 0.3)
    started = time.monotonic()
    assert fetch(editable_site.url("/ovc/about")).status == 200
    assert time.monotonic() - started >= 0.3


def test_a_pager_query_maps_to_its_own_file_and_unknown_queries_are_ignored(
    sample_site: SampleSite,
) -> None:
    listing = "/taxonomy/term/human-trafficking"
    pages = [fetch(sample_site.url(listing + q)).text for q in ("", "?page=1", "?page=2")]
    assert len(set(pages)) == 3
    assert "page=1" not in pages[0].split("canonical")[1].split(">")[0]
    assert 'rel="next"' in pages[1] and 'rel="prev"' in pages[1]
    assert fetch(sample_site.url(listing + "?utm_source=govdelivery")).text == pages[0]


def test_folders_redirect_to_their_slash_form_and_are_never_listed(sample_site: SampleSite) -> None:
    folder = fetch(sample_site.url("/nij"))
    assert (folder.status, folder.headers["Location"]) == (301, sample_site.url("/nij/"))
    assert "National Institute of Justice" in fetch(sample_site.url("/nij/")).text
    assert fetch(sample_site.url("/library/")).status == 404
    assert fetch(sample_site.url("/no/such/page")).status == 404


@pytest.mark.parametrize(
    "raw_path", ["/../server.py", "/%2e%2e/server.py", "/nij/../../server.py", "/_routes.json"]
)
def test_paths_outside_the_root_and_private_files_are_not_served(
    sample_site: SampleSite, raw_path: str
) -> None:
    assert fetch(sample_site.base_url + raw_path).status == 404


def test_the_windows_1252_page_declares_its_charset_only_in_meta(sample_site: SampleSite) -> None:
    response = fetch(sample_site.url("/archives/ojp-blogs/2017/2017_blog_trafficking.htm"))
    assert response.headers["Content-Type"] == "text/html"
    assert b'<meta charset="windows-1252">' in response.body
    assert "Trafficking victims don’t" in response.body.decode("cp1252")


def test_content_types_follow_the_file_extension(sample_site: SampleSite) -> None:
    assert fetch(sample_site.url("/txtfiles/155063.txt")).headers["Content-Type"] == (
        "text/plain; charset=utf-8"
    )
    assert fetch(sample_site.url("/sitemap.xml")).headers["Content-Type"] == "application/xml"
    gz = fetch(sample_site.url("/nij/sitemap.xml.gz"))
    assert gz.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in gz.headers


def test_the_gzipped_sitemap_lists_its_prefix_with_absolute_urls_and_lastmods(
    sample_site: SampleSite,
) -> None:
    body = gzip.decompress(fetch(sample_site.url("/nij/sitemap.xml.gz")).body)
    urls = ET.fromstring(body).findall("sm:url", SITEMAP_NS)
    assert len(urls) >= 10
    for url in urls:
        loc, lastmod = url.find("sm:loc", SITEMAP_NS), url.find("sm:lastmod", SITEMAP_NS)
        assert loc is not None and (loc.text or "").startswith(sample_site.url("/nij/"))
        assert lastmod is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", lastmod.text or "")


def test_the_sitemaps_list_most_pages_but_not_all(sample_site: SampleSite) -> None:
    listed = sitemap_entries(sample_site)
    live = [u for u in listed if fetch(u).status == 200]
    assert len(live) == len(listed) - 1  # the removed page
    assert len(html_files()) * 0.6 < len(listed) < len(html_files())


def test_base_url_is_substituted_in_served_text(sample_site: SampleSite) -> None:
    page = fetch(sample_site.url("/feature/human-trafficking/overview")).text
    expected = (
        f'<link rel="canonical" href="{sample_site.url("/feature/human-trafficking/overview")}">'
    )
    assert expected in page
    for path in ("/robots.txt", "/sitemap.xml", "/feature/human-trafficking/overview"):
        assert "{{BASE_URL}}" not in fetch(sample_site.url(path)).text
    assert b"{{BASE_URL}}" not in gzip.decompress(
        fetch(sample_site.url("/nij/sitemap.xml.gz")).body
    )


def test_next_year_is_filled_in_when_served_and_kept_as_a_placeholder_in_the_file(
    sample_site: SampleSite,
) -> None:
    before = datetime.now(UTC).year + 1
    page = fetch(sample_site.url(OPEN_OPPORTUNITY)).text
    after = datetime.now(UTC).year + 1
    assert "{{NEXT_YEAR}}" not in page
    assert any(f"March 3, {year}" in page for year in {before, after})
    committed = (SITE_ROOT / (OPEN_OPPORTUNITY.lstrip("/") + ".html")).read_text()
    assert "March 3, {{NEXT_YEAR}}" in committed


def test_placeholders_are_filled_in_inside_gzipped_files_too() -> None:
    values = placeholder_values("http://127.0.0.1:9", datetime(2030, 12, 31, 23, 59, tzinfo=UTC))
    body = gzip.compress(b"<loc>{{BASE_URL}}/x</loc> {{NEXT_YEAR}}", mtime=0)
    filled = gzip.decompress(substitute_placeholders(body, ".gz", values))
    assert filled == b"<loc>http://127.0.0.1:9/x</loc> 2031"
    assert substitute_placeholders(b"{{NEXT_YEAR}}", ".pdf", values) == b"{{NEXT_YEAR}}"


def test_robots_txt_disallows_search_and_private_and_names_the_sitemap(
    sample_site: SampleSite,
) -> None:
    robots = RobotFileParser()
    robots.parse(fetch(sample_site.url("/robots.txt")).text.splitlines())
    assert not robots.can_fetch("ojp-search", sample_site.url("/search?keys=trafficking"))
    assert not robots.can_fetch("ojp-search", sample_site.url("/private/draft-fy25-grant-guidance"))
    assert robots.can_fetch("ojp-search", sample_site.url("/library/publications/ojjdp-overview"))
    assert robots.site_maps() == [sample_site.url("/sitemap.xml")]
    assert fetch(sample_site.url("/private/draft-fy25-grant-guidance")).status == 200


def test_requests_are_not_logged_to_stderr(
    sample_site: SampleSite, capfd: pytest.CaptureFixture[str]
) -> None:
    fetch(sample_site.url("/"))
    fetch(sample_site.url("/no/such/page"))
    assert capfd.readouterr().err == ""


def test_base_url_needs_a_started_server() -> None:
    with pytest.raises(RuntimeError, match="start"):
        _ = SampleSite().base_url


# -- the sites file -------------------------------------------------------------------------------


def test_sites_file_defines_one_valid_site_per_prefix(sample_sites_file: Path) -> None:
    config = load_sites(sample_sites_file)
    names = ["ojp", "nij", "ovc", "ojjdp", "bja", "bjs", "smart"]
    sites = config.select(names)
    assert [s.name for s in sites] == names
    assert config.crawl.download_delay == 0 and config.crawl.autothrottle is False
    assert config.crawl.concurrency_per_host == 8
    for site in sites:
        assert site.allowed_hosts == ("127.0.0.1",)
        assert all(site.allows(url) for url in site.start_urls)
        assert all(fetch(url).status == 200 for url in site.sitemaps)


def test_each_site_keeps_to_its_prefix(sample_site: SampleSite, sample_sites_file: Path) -> None:
    sites = load_sites(sample_sites_file).sites
    nij_page = sample_site.url(PAGE)
    ojp_page = sample_site.url("/library/publications/ojjdp-overview")
    assert sites["nij"].allows(nij_page) and not sites["ojp"].allows(nij_page)
    assert sites["ojp"].allows(ojp_page) and not sites["nij"].allows(ojp_page)
    assert sites["nij"].kind_of(nij_page) == "article"
    assert not sites["nij"].allows(sample_site.url("/nij/media/image/31571"))


def test_sites_toml_uses_the_given_base_url() -> None:
    text = sites_toml("http://127.0.0.1:9999/")
    assert "http://127.0.0.1:9999/nij/sitemap.xml.gz" in text
    assert "//nij" not in text


def test_the_module_serves_the_site_from_the_command_line(tmp_path: Path) -> None:
    sites_file = tmp_path / "sites.toml"
    command = [
        sys.executable,
        "-m",
        "crawlers.sample_site",
        "--port",
        "0",
        "--sites-file",
        str(sites_file),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        base_url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert base_url is not None
        assert "Sites file:" in process.stdout.readline()
        assert base_url.group(0) in sites_file.read_text()
        with urllib.request.urlopen(base_url.group(0) + "/robots.txt") as robots:
            assert b"Disallow: /private/" in robots.read()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_module_rejects_a_missing_root_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawlers.sample_site", "--root", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_urlopen_sees_404_for_missing_pages(sample_site: SampleSite) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(sample_site.url("/missing"))
    assert raised.value.code == 404
