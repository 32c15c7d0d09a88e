"""The normalizer: golden pages (HTML in, reviewed record out), dates, decoding, skips."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from crawlers.normalize import Skip, normalize_page, normalize_text_document
from crawlers.normalize.boilerplate import is_banner_text
from crawlers.normalize.dates import find_date, parse_date, parse_date_range, reconcile_dates
from crawlers.normalize.kinds import detect_kind, host_agency
from index.records import AGENCIES, CONTENT_TYPES, Record

PAGES = Path(__file__).parent / "fixtures" / "pages"
FETCHED_AT = "2026-01-01T00:00:00+00:00"
UPDATE_GOLDEN = os.environ.get("OJP_UPDATE_GOLDEN") == "1"
_META_COMMENT = re.compile(rb"^<!-- normalize: (\{.*?\}) -->")


def fixture_inputs() -> list[Path]:
    return sorted(p for p in PAGES.iterdir() if p.suffix in (".html", ".txt"))


def load_case(path: Path) -> tuple[dict[str, Any], str | bytes]:
    """The fixture's input (url, headers, hints) and the body to normalize."""
    raw = path.read_bytes()
    meta_file = path.with_suffix(".meta.json")
    if meta_file.exists():
        meta = json.loads(meta_file.read_text())
    else:
        match = _META_COMMENT.match(raw)
        assert match, f"{path.name}: first line must be <!-- normalize: {{...}} -->"
        meta = json.loads(match.group(1))
    body: str | bytes = raw if meta.get("bytes") else raw.decode("utf-8")
    return meta, body


def run_case(path: Path) -> Record | Skip:
    meta, body = load_case(path)
    normalize = normalize_text_document if path.suffix == ".txt" else normalize_page
    kwargs: dict[str, Any] = {"site": meta.get("site", ""), "agency": meta.get("agency")}
    kwargs["kind"] = meta.get("kind")
    return normalize(meta["url"], body, meta.get("headers"), fetched_at=FETCHED_AT, **kwargs)


def as_golden(result: Record | Skip) -> dict[str, Any]:
    if isinstance(result, Skip):
        return {"skip": result.reason}
    data = result.to_dict()
    data.pop("fetched_at")
    return data


def test_there_are_enough_golden_pages() -> None:
    assert len(fixture_inputs()) >= 44


@pytest.mark.parametrize("path", fixture_inputs(), ids=lambda p: p.stem)
def test_golden_page(path: Path) -> None:
    expected_file = path.with_suffix(".expected.json")
    actual = as_golden(run_case(path))
    if UPDATE_GOLDEN:
        expected_file.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert expected_file.exists(), f"no golden for {path.name}: run with OJP_UPDATE_GOLDEN=1"
    assert actual == json.loads(expected_file.read_text())


# -- dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1998", "1998"),
        ("June 2019", "2019-06"),
        ("June, 2011", "2011-06"),
        ("June 1, 2019", "2019-06-01"),
        ("Friday, October 1, 2010", "2010-10-01"),
        ("Sept. 2006", "2006-09"),
        ("09/01/2006", "2006-09-01"),
        ("2019-06-01", "2019-06-01"),
    ],
)
def test_parse_date_keeps_the_precision_the_page_gives(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_parse_date_refuses_sentences_and_impossible_dates() -> None:
    assert parse_date("In 1998 NIJ funded 40 studies") is None
    assert parse_date("February 30, 2019") is None
    assert parse_date("") is None
    assert find_date("Date Published: June 1, 2019") == "2019-06-01"
    assert find_date("Grants.gov Deadline: April 25, 2023 8:59 pm ET") == "2023-04-25"


def test_header_month_and_footer_day_reconcile_to_the_day() -> None:
    assert reconcile_dates(parse_date("June 2019"), parse_date("June 1, 2019")) == "2019-06-01"
    assert reconcile_dates("2019", "2019-06") == "2019-06"
    assert reconcile_dates("2019-06-01", "2019-06") == "2019-06-01"
    assert reconcile_dates(None, "1998") == "1998"


def test_disagreeing_dates_keep_the_first_reading() -> None:
    assert reconcile_dates("2011-10", "2019-06-01") == "2011-10"


def test_event_date_ranges_become_iso_intervals() -> None:
    assert parse_date_range("September 18–19, 2023") == "2023-09-18/2023-09-19"
    assert parse_date_range("May 30 - June 1, 2023") == "2023-05-30/2023-06-01"
    assert parse_date_range("July 18, 2023 to July 20, 2023") == "2023-07-18/2023-07-20"
    assert parse_date_range("October 2, 2024") == "2024-10-02"


# -- kinds and agencies --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.ojp.gov/library/publications/ojjdp-overview", "publication"),
        (
            "https://www.ojp.gov/ncjrs/virtual-library/abstracts/what-office-victims-crime",
            "publication",
        ),
        ("https://www.ncjrs.gov/App/Publications/abstract.aspx?ID=259387", "publication"),
        ("http://127.0.0.1:8000/nij/topics/articles/what-labor-trafficking", "article"),
        ("https://www.ojp.gov/feature/elder-abuse/additional", "feature"),
        ("https://nij.ojp.gov/taxonomy/term/labor-trafficking?page=2", "topic"),
        ("https://bja.ojp.gov/funding/opportunities/o-bja-2023-171861", "funding"),
        ("https://nij.ojp.gov/funding", "funding"),
        ("https://ojp.gov/events/conference-2023", "event"),
        ("https://ovc.ojp.gov/announcement/new-center", "announcement"),
        ("https://ovc.ojp.gov/program/vtt/about-the-toolkit", "program"),
        ("https://ojp.gov/txtfiles/155063.txt", "document"),
        ("https://nij.ojp.gov/media/image/31571", "page"),
    ],
)
def test_kind_comes_from_the_url_path(url: str, kind: str) -> None:
    assert detect_kind(url) == kind
    assert kind in CONTENT_TYPES


@pytest.mark.parametrize(
    ("url", "agency"),
    [
        ("https://nij.ojp.gov/x", "NIJ"),
        ("https://ovc.ojp.gov./about", "OVC"),
        ("https://ojjdp.ojp.gov/x", "OJJDP"),
        ("https://bja.ojp.gov/x", "BJA"),
        ("https://bjs.ojp.gov/x", "BJS"),
        ("https://smart.ojp.gov/x", "SMART"),
        ("https://www.ncjrs.gov/App/Publications/abstract.aspx?ID=1", "NCJRS"),
        ("https://www.ojp.gov/about", "OJP"),
        ("http://127.0.0.1:8000/nij/about", None),
    ],
)
def test_host_gives_the_agency(url: str, agency: str | None) -> None:
    assert host_agency(url) == agency


# -- whole pages -----------------------------------------------------------------------------------
def minimal_page(
    main: str, *, banner: str = "", title: str = "T | National Institute of Justice"
) -> str:
    return (
        f'<html lang="en"><head><title>{title}</title></head><body>{banner}'
        '<header class="usa-header"><em class="usa-logo__text">National Institute of Justice</em>'
        '<nav><a href="/topics">Topics</a></nav></header>'
        f'<main id="main-content">{main}</main>'
        '<footer class="usa-footer"><a href="/privacy">Privacy Policy</a></footer></body></html>'
    )


ARTICLE = "<h1>Forensic DNA</h1><p>Date Published: May 2, 2022</p><p>DNA evidence is powerful.</p>"


def test_banner_wording_and_footer_changes_do_not_change_the_content_hash() -> None:
    url = "https://nij.ojp.gov/topics/articles/forensic-dna"
    old = normalize_page(url, minimal_page(ARTICLE, banner=BANNER_OLD), fetched_at=FETCHED_AT)
    new = minimal_page(ARTICLE, banner=BANNER_NEW).replace("Privacy Policy", "Privacy & FOIA")
    changed = normalize_page(url, new, fetched_at="2026-02-02T00:00:00+00:00")
    assert isinstance(old, Record) and isinstance(changed, Record)
    assert old.content_hash == changed.content_hash
    edited = normalize_page(url, minimal_page(ARTICLE.replace("powerful", "strong")))
    assert isinstance(edited, Record) and edited.content_hash != old.content_hash


BANNER_OLD = (
    '<section class="usa-banner"><p>An official website of the United States government, '
    "Department of Justice.</p><p>The .gov means it’s official.</p></section>"
)
BANNER_NEW = (
    "<div><p>An official website of the United States government, Department of Justice.</p>"
    "<p>Here’s how you know</p><p>Official websites use .gov</p>"
    "<p>Secure .gov websites use HTTPS</p></div>"
)


def test_fetched_at_defaults_to_now_only_when_not_given() -> None:
    url = "https://nij.ojp.gov/topics/articles/forensic-dna"
    given = normalize_page(url, minimal_page(ARTICLE), fetched_at=FETCHED_AT)
    defaulted = normalize_page(url, minimal_page(ARTICLE))
    assert isinstance(given, Record) and given.fetched_at == FETCHED_AT
    assert isinstance(defaulted, Record) and defaulted.fetched_at.startswith("20")
    assert defaulted.fetched_at != FETCHED_AT and defaulted.fetched_at.endswith("+00:00")


def test_kind_and_agency_hints() -> None:
    mirror = "http://127.0.0.1:9000/x/some/page"
    hinted = normalize_page(mirror, minimal_page(ARTICLE), agency="bja", kind="article")
    assert isinstance(hinted, Record)
    assert (hinted.agency, hinted.content_type) == ("BJA", "article")
    from_header = normalize_page(mirror, minimal_page(ARTICLE))
    assert isinstance(from_header, Record) and from_header.agency == "NIJ"
    bare = normalize_page(
        mirror, minimal_page(ARTICLE).replace("National Institute of Justice", "")
    )
    assert isinstance(bare, Record) and bare.agency == "OJP" and bare.content_type == "page"
    on_host = normalize_page("https://ovc.ojp.gov/about", minimal_page(ARTICLE), agency="BJA")
    assert isinstance(on_host, Record) and on_host.agency == "OVC"


def test_canonical_link_on_another_site_is_ignored() -> None:
    html = minimal_page(ARTICLE).replace(
        "</head>", '<link rel="canonical" href="https://evil.example.com/x"></head>'
    )
    record = normalize_page("https://nij.ojp.gov/topics/articles/forensic-dna?utm_source=x", html)
    assert isinstance(record, Record)
    assert record.url == "https://nij.ojp.gov/topics/articles/forensic-dna"
    assert record.aliases == ()


def test_same_site_canonical_link_makes_the_fetched_url_an_alias() -> None:
    html = minimal_page(ARTICLE).replace(
        "</head>", '<link rel="canonical" href="/topics/articles/forensic-dna"></head>'
    )
    record = normalize_page("https://nij.ojp.gov/node/123", html)
    assert isinstance(record, Record)
    assert record.url == "https://nij.ojp.gov/topics/articles/forensic-dna"
    assert record.aliases == ("https://nij.ojp.gov/node/123",)


@pytest.mark.parametrize(
    ("charset", "headers"),
    [
        ('<meta charset="windows-1252">', None),
        ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', None),
        ("", {"Content-Type": "text/html; charset=windows-1252"}),
        ("", None),  # undeclared: not UTF-8, so windows-1252
    ],
)
def test_windows_1252_bytes_decode_whatever_declares_them(
    charset: str, headers: dict[str, str] | None
) -> None:
    html = minimal_page("<h1>Victims’ Rights — “Now”</h1><p>OJP’s text</p>")
    body = html.replace("<head>", f"<head>{charset}").encode("cp1252")
    record = normalize_page("https://ojp.gov/news/x", body, headers)
    assert isinstance(record, Record)
    assert record.title == "Victims’ Rights — “Now”"
    assert record.body == "OJP’s text"


def test_content_type_charset_wins_over_meta() -> None:
    body = minimal_page("<h1>Café</h1><p>x</p>").replace("<head>", '<head><meta charset="cp1252">')
    record = normalize_page(
        "https://ojp.gov/x", body.encode("utf-8"), {"content-type": "text/html; charset=utf-8"}
    )
    assert isinstance(record, Record) and record.title == "Café"


def test_title_falls_back_to_og_title_then_title_tag_never_the_banner() -> None:
    no_h1 = minimal_page("<p>Body text only.</p>", banner=BANNER_NEW)
    record = normalize_page("https://nij.ojp.gov/x", no_h1)
    assert isinstance(record, Record) and record.title == "T"
    with_og = no_h1.replace("</head>", '<meta property="og:title" content="OG Title"></head>')
    record = normalize_page("https://nij.ojp.gov/x", with_og)
    assert isinstance(record, Record) and record.title == "OG Title"
    banner_h1 = minimal_page(
        "<h1>An official website of the United States government</h1><p>Body.</p>"
    )
    record = normalize_page("https://nij.ojp.gov/x", banner_h1)
    assert isinstance(record, Record) and record.title == "T"


@pytest.mark.parametrize(
    ("html", "headers", "reason"),
    [
        (minimal_page(ARTICLE), {"X-Robots-Tag": "googlebot: noindex, nofollow"}, "noindex"),
        (
            minimal_page(ARTICLE).replace("<head>", '<head><meta name="robots" content="NOINDEX">'),
            None,
            "noindex",
        ),
        (minimal_page("<h1>Page Not Found</h1><p>Sorry.</p>"), None, "soft-404"),
        (minimal_page("<p>x</p>", title="404 | National Institute of Justice"), None, "soft-404"),
        (minimal_page(""), None, "empty"),
        ("", None, "empty"),
    ],
)
def test_pages_that_are_not_resources_are_skipped(
    html: str, headers: dict[str, str] | None, reason: str
) -> None:
    result = normalize_page("https://nij.ojp.gov/x", html, headers)
    assert isinstance(result, Skip)
    assert result.reason.startswith(reason)


def test_legacy_abstract_id_is_never_the_ncj_number() -> None:
    html = minimal_page("<h1>An Abstract</h1><p>NCJ Number</p><p>Date Published</p><p>1999</p>")
    record = normalize_page("https://www.ncjrs.gov/App/Publications/abstract.aspx?ID=259387", html)
    assert isinstance(record, Record)
    assert record.ncj_number is None
    assert record.content_type == "publication" and record.published == "1999"


def test_every_golden_record_is_valid() -> None:
    for path in fixture_inputs():
        result = run_case(path)
        if isinstance(result, Skip):
            continue
        assert result.agency in AGENCIES, path.name
        assert result.content_type in CONTENT_TYPES, path.name
        assert result.title and "official website" not in result.title.lower(), path.name
        assert result.content_hash == result.compute_hash(), path.name
        assert result.ncj_number is None or result.ncj_number.isdigit(), path.name
        assert Record.from_dict(result.to_dict()) == result, path.name


# -- the bundled sample site ---------------------------------------------------------------------
SAMPLE_BUREAUS = ("nij", "ovc", "ojjdp", "bja", "bjs", "smart")


def sample_page_paths(root: Path) -> list[str]:
    """URL paths of every HTML page of the sample site (the server's file-name rule reversed)."""
    paths = []
    for file in sorted(root.rglob("*.html")):
        relative = file.relative_to(root).as_posix()
        if any(part.startswith("_") for part in relative.split("/")):
            continue
        if relative.endswith("index.html"):
            path = "/" + relative[: -len("index.html")]
        else:
            path = "/" + relative[: -len(".html")]
        paths.append(path.replace("@", "?"))
    return paths


def test_every_sample_site_page_normalizes_cleanly(sample_site: Any) -> None:
    """Each served page becomes a Skip with a reason, or a Record with a real title and no
    banner, chrome or credit text anywhere a reader would see it."""
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    from crawlers.sample_site import SITE_ROOT

    records = []
    for path in sample_page_paths(SITE_ROOT):
        prefix = path.split("/")[1]
        try:
            with urlopen(Request(sample_site.base_url + path), timeout=10) as response:
                url, body, headers = response.url, response.read(), dict(response.headers)
        except HTTPError:
            continue  # a page the site's routes deliberately answer with an error
        result = normalize_page(
            url,
            body,
            headers,
            site=prefix if prefix in SAMPLE_BUREAUS else "ojp",
            agency=prefix.upper() if prefix in SAMPLE_BUREAUS else None,
        )
        if isinstance(result, Skip):
            assert result.reason, path
            continue
        records.append(result)
        assert result.title.strip(), path
        assert not is_banner_text(result.title), path
        for text in (result.title, result.summary, result.body):
            lowered = text.lower()
            for chrome in (
                "official website of the united states",
                "see reuse policy",
                "here’s how you know",
                "skip to main content",
                "date created",
                "archival notice",
                "share this page",
            ):
                assert chrome not in lowered, (path, chrome)
    assert len(records) >= 50
    by_url = {record.url.split("/", 3)[3]: record for record in records}
    both = [r for r in records if r.ncj_number == "252984"]
    assert len(both) == 2 and {r.agency for r in both} == {"NIJ"}
    assert by_url["nij/topics/articles/overview-human-trafficking-and-nijs-role"].content_type == (
        "article"
    )
    assert all(r.content_type == "topic" for k, r in by_url.items() if "taxonomy/term" in k)
