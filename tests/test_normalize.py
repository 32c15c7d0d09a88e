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
from crawlers.normalize.document import decode_html
from crawlers.normalize.kinds import detect_kind, host_agency
from crawlers.normalize.text import repair_text
from index.records import AGENCIES, CONTENT_TYPES, Record
from index.store import Store
from index.urls import canonical_url
from tests.store_builders import fetched, run_crawl

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
    assert len(fixture_inputs()) >= 87


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
        ("https://ojp.gov/txtfiles/155063.txt", "publication"),
        ("https://bjs.ojp.gov/press-release/bjs-releases-criminal-victimization-2022", "news"),
        ("https://ojjdp.ojp.gov/news/press-releases/ojjdp-awards", "news"),
        (
            "https://www.ojp.gov/sites/g/files/xyckuh241/files/archives/pressreleases/2012/ojp12026.htm",
            "archive",
        ),
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


def chrome_of(fixture: str, pattern: str) -> str:
    match = re.search(pattern, (PAGES / fixture).read_text(encoding="utf-8"), re.S)
    assert match, (fixture, pattern)
    return match.group()


BANNER_BLOCK = r'<section class="usa-banner".*?</section>'
#: The three banner wordings the sites use, and one banner without the USWDS classes.
BANNERS = (
    chrome_of("article_nij_drupal.html", BANNER_BLOCK),  # short form
    chrome_of("funding_legacy_query_old_banner.html", BANNER_BLOCK),  # "The .gov means..."
    chrome_of("news_release_ojp.html", BANNER_BLOCK),  # "Official websites use .gov"
    chrome_of(
        "page_banner_without_classes_og_title.html", r'<div id="gov-banner".*?</div>\n</div>'
    ),
)


@pytest.mark.parametrize(
    "fixture", ["article_nij_drupal.html", "feature_elder_abuse_additional_resources.html"]
)
def test_chrome_changes_are_not_content_changes(fixture: str) -> None:
    """Another banner wording, footer, navigation, breadcrumb trail, skip link, share widget or
    image credit leaves the content hash as it was; an edit to the text changes it."""
    meta, body = load_case(PAGES / fixture)
    assert isinstance(body, str)
    url = meta["url"]
    original = normalize_page(url, body, fetched_at=FETCHED_AT)
    assert isinstance(original, Record)
    banner = chrome_of(fixture, BANNER_BLOCK)
    variants = [body.replace(banner, other) for other in BANNERS if other != banner]
    variants.append(
        body.replace("Privacy Policy", "Privacy Policy and FOIA")
        .replace("999 N. Capitol St. NE", "810 Seventh Street NW")
        .replace("<span>News</span>", "<span>Newsroom</span></a></li><li><a href='/x'>Careers")
        .replace(
            "<span>Home</span></a></li>",
            '<span>Home</span></a></li><li><a href="/t">Topics</a></li>',
        )
        .replace("Skip to main content", "Skip to content")
        .replace("Share this page", "Share")
        .replace("fizkes/Shutterstock.com", "Getty Images")
    )
    assert all(variant != body for variant in variants)
    for variant in variants:
        again = normalize_page(url, variant, fetched_at="2026-02-02T00:00:00+00:00")
        assert isinstance(again, Record)
        assert again.content_hash == original.content_hash
    edited = normalize_page(url, body.replace("</main>", "<p>A new paragraph.</p></main>"))
    assert isinstance(edited, Record) and edited.content_hash != original.content_hash


def test_banner_sentences_run_into_the_content_are_removed() -> None:
    """Broken markup can glue the banner's sentences to real text, in the body, in a Drupal
    field, or in the meta description that becomes the summary."""
    glued = "Here’s how you knowAn official website of the United States government."
    main = (
        f"<h1>Forensic DNA</h1><p>DNA evidence is powerful.{glued}</p>"
        '<div class="field field--name-field-dek"><div class="field__item">'
        f"Official websites use .gov {glued}</div></div><p>{glued}</p><p>Second paragraph.</p>"
    )
    page = minimal_page(main).replace(
        "</head>", f'<meta name="description" content="The .gov means it’s official. {glued}">'
    )
    record = normalize_page("https://nij.ojp.gov/topics/articles/forensic-dna", page)
    assert isinstance(record, Record)
    assert record.body == "DNA evidence is powerful.\n\nSecond paragraph."
    assert record.summary == ""
    page = page.replace('<div class="field__item">', '<div class="field__item">Short dek. ')
    record = normalize_page("https://nij.ojp.gov/topics/articles/forensic-dna", page)
    assert isinstance(record, Record) and record.summary == "Short dek."


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


#: Site chrome the golden pages carry around (and sometimes inside) their main content.
CHROME = (
    "official website of the united states",
    ".gov means it",
    "official websites use .gov",
    "secure .gov websites use https",
    "here’s how you know",
    "skip to main content",
    "see reuse policy",
    "archival notice",
    "this is an archive",
    "share this page",
    "date created",
    "return to top",
    "legal policies & disclaimers",
    "primary navigation",
    "youtube terms of service",
    "ncjrs virtual library",
    "click here to search",
)


def test_one_publication_at_several_urls_becomes_one_stored_record(tmp_path: Path) -> None:
    """The library page and the NCJRS abstract of NCJ 252984 (fetched at the legacy
    abstract.aspx URL, whose ID is not the NCJ number) are one record with two aliases."""
    library = run_case(PAGES / "publication_fight_ojp.html")
    _, body = load_case(PAGES / "ncjrs_fight_same_ncj_as_library.html")
    legacy = "https://www.ncjrs.gov/App/Publications/abstract.aspx?ID=268443"
    abstract = normalize_page(legacy, body, site="ojp", fetched_at=FETCHED_AT)
    assert isinstance(library, Record) and isinstance(abstract, Record)
    assert library.ncj_number == abstract.ncj_number == "252984"
    assert abstract.url.endswith("/ncjrs/virtual-library/abstracts/fight-against-human-trafficking")
    assert abstract.aliases == (canonical_url(legacy),)
    with Store(tmp_path / "store.sqlite3") as store:
        _, changes = run_crawl(store, [fetched(abstract), fetched(library)], site="ojp")
        assert changes.added == [library.id]
        (stored,) = store.iter_records()
        assert (stored.id, stored.url, stored.title) == (library.id, library.url, library.title)
        assert set(stored.aliases) == {abstract.url, canonical_url(legacy)}
        for url in (abstract.url, canonical_url(legacy), library.url):
            found = store.get(url)
            assert found is not None and found.id == library.id
        _, again = run_crawl(store, [fetched(library), fetched(abstract)], site="ojp")
        assert again.added == again.changed == again.removed == []


def listing_page(main: str, site_name: str = "Office of Justice Programs") -> str:
    return minimal_page(main, title=f"Courts | {site_name}").replace(
        "National Institute of Justice", site_name
    )


#: Teasers of one listing in the markups the sites (or a theme change) may use, each printing
#: agencies that are not the page's.
TEASERS = {
    "drupal node teasers": (
        '<article class="node node--view-mode-teaser"><header><h2><a href="/p/a">A</a></h2>'
        '</header><div class="field field--name-field-agencies"><div class="field__label">'
        'Agencies</div><div class="field__item">OJJDP</div></div></article>'
        '<article class="node node--view-mode-teaser"><header><h2><a href="/p/b">B</a></h2>'
        '</header><div class="field field--name-field-agencies"><div class="field__label">'
        'Agencies</div><div class="field__item">BJS</div></div></article>'
    ),
    "labelled list items": (
        '<ul><li><a href="/p/a">A</a><p>NCJ Number 247896</p><p>Agencies OJJDP</p></li>'
        '<li><a href="/p/b">B</a><p>Agencies: BJS</p></li></ul>'
    ),
    "bare articles": (
        '<div><article><header><h3><a href="/p/a">A</a></h3></header><p>Agencies</p>'
        "<p>OJJDP</p></article><article><h3><a href='/p/b'>B</a></h3><dl><dt>Agencies</dt>"
        "<dd>BJS</dd></dl></article></div>"
    ),
    "cards": (
        '<div class="usa-card-group"><div class="usa-card"><h3 class="usa-card__heading">'
        '<a href="/p/a">A</a></h3><div>Agencies</div><div>OJJDP</div></div>'
        '<div class="usa-card"><h3 class="usa-card__heading"><a href="/p/b">B</a></h3>'
        "<p>Agencies: BJS</p></div></div>"
    ),
}


@pytest.mark.parametrize("markup", TEASERS)
@pytest.mark.parametrize(
    ("url", "hint", "agency"),
    [
        ("https://www.ojp.gov/taxonomy/term/courts", None, "OJP"),
        ("https://bja.ojp.gov/taxonomy/term/courts", None, "BJA"),
        ("http://127.0.0.1:8000/nij/taxonomy/term/courts", "nij", "NIJ"),
    ],
)
def test_listing_agency_is_the_sites_never_a_teasers(
    markup: str, url: str, hint: str | None, agency: str
) -> None:
    page = listing_page(f"<h1>Courts</h1><p>Resources on courts.</p>{TEASERS[markup]}")
    record = normalize_page(url, page, agency=hint, fetched_at=FETCHED_AT)
    assert isinstance(record, Record) and record.content_type == "topic"
    assert record.agency == agency
    assert "agencies" not in record.details
    assert [(link.title, link.agency) for link in record.related] == [("A", "OJJDP"), ("B", "BJS")]
    assert record.body == "Resources on courts."


def test_listing_pages_own_agencies_label_counts() -> None:
    own = (
        '<div class="field field--name-field-agencies"><div class="field__label">Agencies</div>'
        '<div class="field__item">BJA</div></div>'
    )
    page = listing_page(f"<h1>Courts</h1>{own}{TEASERS['drupal node teasers']}")
    record = normalize_page("https://www.ojp.gov/taxonomy/term/courts", page)
    assert isinstance(record, Record) and record.agency == "BJA"
    assert [link.agency for link in record.related] == ["OJJDP", "BJS"]


@pytest.mark.parametrize(
    ("header", "title", "feature"),
    [
        (  # the feature name as the page's <h1>, the subpage as the next heading
            '<div class="feature-header"><h1>Elder Abuse</h1><p>Special Feature</p></div>'
            "<h2>Research</h2>",
            "Elder Abuse: Research",
            "Elder Abuse",
        ),
        (  # the subpage as the <h1>, the feature name in its own element
            '<p class="feature-header__name">Elder Abuse</p><h1>Research</h1>',
            "Elder Abuse: Research",
            "Elder Abuse",
        ),
        (  # the subpage as the <h1> and nothing else: the feature's name from the URL
            "<h1>Research</h1>",
            "Elder Abuse: Research",
            "Elder Abuse",
        ),
        (  # the feature's landing page: no subpage
            '<div class="feature-header"><h1>Elder Abuse</h1><p>Special Feature</p></div>',
            "Elder Abuse",
            "Elder Abuse",
        ),
    ],
    ids=["h1-feature-h2-subpage", "h1-subpage", "h1-subpage-only", "landing-page"],
)
def test_feature_title_names_the_feature_and_the_subpage(
    header: str, title: str, feature: str
) -> None:
    page = listing_page(f"{header}<p>Studies of elder abuse.</p>")
    record = normalize_page("https://www.ojp.gov/feature/elder-abuse/research", page)
    assert isinstance(record, Record) and record.content_type == "feature"
    assert record.title == title
    assert record.details["feature"] == feature
    assert record.body == "Studies of elder abuse."


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        ("Victimsâ€™ Rights", "Victims’ Rights"),
        ("â€œNowâ€\x9d â€” cafÃ©", "“Now” — café"),
        ("â€œNowâ€\ufffd", "“Now”"),
        ("a\u00c2\u00a0b", "a b"),
        ("Justice?s programs don?t", "Justice's programs don't"),
        ("her own.??A teenager", "her own. A teenager"),
        ("está más cerca: naïve façade, Ñandú", "está más cerca: naïve façade, Ñandú"),
        ("Is it? Yes?? Really", "Is it? Yes?? Really"),
    ],
)
def test_mis_decoded_characters_are_repaired(text: str, repaired: str) -> None:
    assert repair_text(text) == repaired


def test_utf8_bytes_declared_windows_1252_read_as_utf8() -> None:
    text = "<p>Victims’ “Rights” — café</p>"
    declared = "text/html; charset=windows-1252"
    assert decode_html(text.encode("utf-8"), declared) == text
    assert decode_html(text.encode("cp1252"), declared) == text


def test_every_golden_record_is_valid() -> None:
    for path in fixture_inputs():
        result = run_case(path)
        if isinstance(result, Skip):
            continue
        assert result.agency in AGENCIES, path.name
        assert result.content_type in CONTENT_TYPES, path.name
        assert result.title and not is_banner_text(result.title), path.name
        assert result.content_hash == result.compute_hash(), path.name
        assert result.ncj_number is None or result.ncj_number.isdigit(), path.name
        assert Record.from_dict(result.to_dict()) == result, path.name
        for text in (result.title, result.summary, result.body):
            assert not [c for c in CHROME if c in text.lower()], path.name
            assert "â€" not in text and "Ã" not in text and "??" not in text, path.name


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
