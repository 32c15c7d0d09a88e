"""``normalize_page``: one fetched HTML page → one Record (or a Skip saying why not)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from crawlers.normalize import kinds
from crawlers.normalize.agency import choose_agency
from crawlers.normalize.boilerplate import (
    is_banner_text,
    is_boilerplate_line,
    scrub_banner,
    strip_chrome,
)
from crawlers.normalize.dates import find_date
from crawlers.normalize.document import (
    PageHead,
    decode_html,
    find_main,
    lower_keys,
    nests_deeper_than,
    parse_html,
    read_head,
    robots_noindex,
)
from crawlers.normalize.fields import FieldValue, extract_drupal_fields, extract_text_fields
from crawlers.normalize.kind_fields import (
    COMMON_KEYS,
    KIND_KEYS,
    Extraction,
    build_record,
    byline_names,
)
from crawlers.normalize.links import (
    DOWNLOAD_HEADINGS,
    extract_attachments,
    extract_listing_items,
    extract_related_sections,
    extract_topics,
    find_headings,
    remove_sections,
    take_topic_sections,
)
from crawlers.normalize.text import element_text, iter_blocks, repair_text
from crawlers.normalize.textfile import normalize_text_document
from index.records import Link, Record, record_id
from index.urls import canonical_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Skip:
    """A fetched page that is not a resource (noindex, soft 404, empty), with the reason."""

    reason: str


_SOFT_404 = re.compile(
    r"^(?:page not found|not found|404\b|error 404|the (?:requested )?page (?:you requested )?"
    r"(?:could not be|was not) found)",
    re.I,
)


def normalize_page(
    url: str,
    html: str | bytes,
    headers: Mapping[str, str] | None = None,
    *,
    site: str = "",
    agency: str | None = None,
    kind: str | None = None,
    fetched_at: str | None = None,
    max_depth: int | None = None,
) -> Record | Skip:
    """Turn one fetched page into a Record, or a Skip for pages that are not resources.

    ``url`` is the final response URL; ``agency`` and ``kind`` are hints from the site
    definition (the kind hint wins over the URL; the page's own agency facts win over the hint).
    A page whose elements nest more than ``max_depth`` levels deep is skipped (no real page
    does; a runaway one would make every later step slow). Pure: no I/O, and no clock read when
    ``fetched_at`` is given.
    """
    header_map = lower_keys(headers)
    if robots_noindex(header_map.get("x-robots-tag", "")):
        return Skip("noindex: X-Robots-Tag header")
    content_type = header_map.get("content-type", "")
    if "text/plain" in content_type.lower() or re.search(r"/txtfiles\d*/", url, re.I):
        return normalize_text_document(
            url, html, headers, site=site, agency=agency, kind=kind, fetched_at=fetched_at
        )
    soup = parse_html(decode_html(html, content_type))
    if max_depth is not None and nests_deeper_than(soup, max_depth):
        return Skip(f"too deeply nested: over {max_depth} levels")
    head = read_head(soup)
    if robots_noindex(head.robots):
        return Skip("noindex: meta robots")
    record_url, aliases = _record_url(url, head.canonical)
    skip = _later_listing_page(url) or _later_listing_page(record_url)
    if skip is not None:
        return skip
    page_kind = kind or kinds.detect_kind(record_url)
    parent = _parent_crumb(soup, record_url) if page_kind in ("feature", "program") else ""
    main = find_main(soup)
    strip_chrome(soup, main)
    skip = _soft_404(_first_heading(main), head)
    if skip is None:
        extraction = _extract(main, record_url, page_kind, head, parent)
        skip = _empty(extraction)
    if skip is not None:
        logger.debug("Skipped %s: %s", url, skip.reason)
        return skip
    record = build_record(extraction, page_kind, head)
    choice = choose_agency(
        extraction.fields,
        record_url=record_url,
        fetched_url=url,
        hint=agency,
        site_agency=head.site_agency,
        kind=page_kind,
        texts=(("annotation", record.get("summary", "")), ("abstract", record.get("body", ""))),
    )
    if choice.evidence:
        record["details"] = {**record["details"], "agency_evidence": choice.evidence}
    return Record(
        id=record_id(record_url),
        url=record_url,
        site=site,
        agency=choice.agency,
        content_type=page_kind,
        language=head.language,
        aliases=aliases,
        fetched_at=fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
        **record,
    ).with_hash()


def _later_listing_page(url: str) -> Skip | None:
    """A Skip for page 2, 3... of a listing (Drupal's 0-based ``?page=N``): a listing is one
    record, its first page; the later pages are crawled for their links only."""
    parts = urlsplit(url)
    if not parts.query or "page=" not in parts.query:
        return None
    pages = parse_qs(parts.query).get("page", [])
    if len(pages) == 1 and pages[0].isdigit() and int(pages[0]) > 0:
        first = parts._replace(query="", fragment="").geturl()
        return Skip(f"listing page: page {int(pages[0]) + 1} of {first}")
    return None


_SUBPAGE = re.compile(r"/(feature|programs?)/([^/?#]+)/[^/?#]+/?$")
_CRUMBS = "nav.usa-breadcrumb a[href], .usa-breadcrumb a[href], .breadcrumb a[href]"


def _parent_path(url: str) -> str:
    """ "/feature/elder-abuse" for a feature's (or program's) subpage URL, else ""."""
    match = _SUBPAGE.search(urlsplit(url).path)
    return f"/{match[1]}/{match[2]}" if match else ""


def _parent_crumb(soup: BeautifulSoup, url: str) -> str:
    """The name the breadcrumbs give a subpage's feature or program (read before the
    breadcrumbs go with the rest of the chrome)."""
    parent = _parent_path(url)
    if not parent:
        return ""
    for anchor in soup.select(_CRUMBS):
        if urlsplit(str(anchor["href"])).path.rstrip("/").endswith(parent):
            return _title_text(anchor.get_text(" "))
    return ""


def _record_url(url: str, canonical_href: str) -> tuple[str, tuple[str, ...]]:
    """The canonical URL (a same-site ``<link rel=canonical>`` or the fetched URL) and aliases."""
    fetched = canonical_url(url)
    if canonical_href:
        candidate = canonical_url(urljoin(url, canonical_href))
        fetched_host = kinds.site_host(fetched)
        candidate_host = kinds.site_host(candidate)
        same_site = candidate_host == fetched_host or (
            kinds.is_family_host(candidate_host) and kinds.is_family_host(fetched_host)
        )
        if same_site and urlsplit(candidate).scheme in ("http", "https"):
            return candidate, (() if candidate == fetched else (fetched,))
    return fetched, ()


def _soft_404(heading: str, head: PageHead) -> Skip | None:
    """A Skip when the page's heading or title says it was not found."""
    for candidate in (heading, head.og_title, _strip_site_suffix(head.title)):
        if candidate and _SOFT_404.match(candidate):
            return Skip(f"soft-404: page title is {candidate!r}")
    return None


def _empty(extraction: Extraction) -> Skip | None:
    """A Skip when the main content yielded nothing, or nothing to call it by."""
    x = extraction
    if not (x.lines or x.fields or x.related or x.attachments):
        return Skip("empty: no main content")
    if not x.title:
        return Skip("empty: no title in the page")
    return None


def _first_heading(main: Tag) -> str:
    for h1 in main.find_all("h1"):
        text = _title_text(h1.get_text(" "))
        if text:
            return text
    return ""


def _title_text(text: str) -> str:
    """``text`` cleaned for use as a title, or "" when it is banner or section chrome (banner
    sentences glued into a real title are cut out of it)."""
    text = scrub_banner(repair_text(text))
    return "" if is_banner_text(text) else text


def _strip_site_suffix(title: str) -> str:
    """``<title>`` without its " | Site name" suffix."""
    return repair_text(title.rsplit(" | ", 1)[0]) if " | " in title else repair_text(title)


def _extract(main: Tag, page_url: str, kind: str, head: PageHead, crumb: str = "") -> Extraction:
    feature_name = _take_feature_name(main) if kind == "feature" else ""
    program_name = _take_program_name(main) if kind == "program" else ""
    title = _take_title(main, head)
    byline_date, byline_authors = _take_byline(main)
    related = extract_related_sections(main, page_url)
    if kind in ("topic", "feature"):
        related.extend(extract_listing_items(main, page_url))
    attachments = extract_attachments(main, page_url)
    topics = take_topic_sections(main)
    topics.extend(t for t in extract_topics(main) if t not in topics)
    keys = KIND_KEYS.get(kind, COMMON_KEYS)
    fields = extract_drupal_fields(main, keys)
    remove_sections(main, DOWNLOAD_HEADINGS)
    parent, subheading = "", ""
    if kind == "feature":
        parent, subheading, title = _feature_titles(
            main, page_url, head, feature_name, title, crumb
        )
    elif kind == "program" and _parent_path(page_url):
        parent = program_name or crumb or _title_first(head.title)
        parent = "" if parent.lower() == title.lower() else parent
        subheading = title if parent else ""
    blocks = (scrub_banner(line) for line in iter_blocks(main) if not is_boilerplate_line(line))
    lines = [line for line in blocks if line]
    while lines and lines[0] == title:
        lines.pop(0)
    text_fields, rest, preamble = extract_text_fields(lines, keys)
    for key, values in text_fields.items():
        fields.setdefault(key, []).extend(values)
    if byline_date:
        fields.setdefault("published", []).append(FieldValue(text=byline_date, items=[byline_date]))
    if byline_authors and "authors" not in fields:
        fields["authors"] = [FieldValue(text="; ".join(byline_authors), items=byline_authors)]
    for value in fields.get("topics", []):
        for item in value.items:
            topics.extend(t for t in _topic_names(item) if t not in topics)
    return Extraction(
        url=page_url,
        title=title,
        lines=rest,
        preamble=preamble,
        fields=fields,
        related=_unique_links(related),
        attachments=attachments,
        topics=topics,
        subheading=subheading,
        parent=parent,
    )


def _feature_titles(
    main: Tag, page_url: str, head: PageHead, name: str, heading: str, crumb: str
) -> tuple[str, str, str]:
    """(feature name, subpage heading, the heading taken as title) of a special feature page.

    The name comes from the feature header (or the element before its "Special Feature" label),
    else the breadcrumbs, the ``<title>``'s first part, or the URL; the subpage heading is the
    page's own heading, or the heading after the feature name when that name is the ``<h1>``."""
    if name and name != heading:
        return name, _title_text(heading), heading
    if name:
        subpage = _take_subheading(main) or _title_middle(head.title)
        return name, _title_text(subpage), heading
    if not _parent_path(page_url):
        return heading, "", heading
    parent = crumb or _title_first(head.title) or _name_from_slug(page_url)
    if parent.lower() == heading.lower():
        return parent, _title_text(_take_subheading(main) or _title_middle(head.title)), heading
    return parent, heading, heading


def _topic_names(item: str) -> list[str]:
    """A topics value's names: one per item, a "Related Topics" heading glued to them dropped."""
    item = re.sub(r"^(?:related\s+)?topics:?\s+", "", item, flags=re.I).strip()
    return [item] if item else []


_PROGRAM_NAME = ".program-header__name, .program-name, .program-title"


def _take_program_name(main: Tag) -> str:
    """The name of a program shown above its subpage (a program header), removed."""
    element = main.select_one(_PROGRAM_NAME)
    if element is None:
        return ""
    name = element_text(element)
    element.decompose()
    return _title_text(name)


def _title_first(title: str) -> str:
    """ "Human Trafficking | Overview | Office of Justice Programs" → "Human Trafficking"."""
    parts = [part.strip() for part in title.split(" | ")]
    return _title_text(parts[0]) if len(parts) >= 3 else ""


_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "for", "in", "of", "on", "or", "the", "to"})


def _name_from_slug(url: str) -> str:
    """ "/feature/elder-abuse/overview" → "Elder Abuse" (the last resort for a feature's name)."""
    match = _SUBPAGE.search(urlsplit(url).path)
    if not match:
        return ""
    words = match[2].replace("_", "-").split("-")
    return " ".join(
        w if n and w in _SMALL_WORDS else w.capitalize() for n, w in enumerate(words) if w
    )


_BYLINE_SELECTOR = (
    ".byline, .field--name-byline, .submitted, .node__submitted, .blog-date, .post-date,"
    " .article-date"
)


def _take_byline(main: Tag) -> tuple[str | None, list[str]]:
    """The date and the authors a post's byline element prints ("January 11, 2017", "By Jane
    Doe, Director"), the element removed."""
    date: str | None = None
    authors: list[str] = []
    for element in main.select(_BYLINE_SELECTOR):
        if element.decomposed:
            continue
        text = element_text(element)
        if not text or len(text) > 200:
            continue
        date = date or find_date(text)
        authors = authors or byline_names(text)
        element.decompose()
    return date, authors


def _take_title(main: Tag, head: PageHead) -> str:
    """The title: the main content's ``<h1>``, else og:title, else ``<title>`` minus its site
    suffix, else the first ``<h2>``; never banner text. The chosen heading is removed."""
    for h1 in main.find_all("h1"):
        text = _title_text(h1.get_text(" "))
        if text:
            h1.decompose()
            return text
    for candidate in (head.og_title, _strip_site_suffix(head.title)):
        text = _title_text(candidate)
        if text:
            return text
    for h2 in main.find_all("h2"):
        text = _title_text(h2.get_text(" "))
        if text:
            h2.decompose()
            return text
    return ""


_FEATURE_LABEL = re.compile(r"^Special Feature$", re.I)


def _take_feature_name(main: Tag) -> str:
    """The name of a special feature: a ``feature-header__name`` element, or the element just
    before the "Special Feature" label (left in place when it is the page's ``<h1>``)."""
    element = main.select_one(".feature-header__name, .feature-name")
    if element is None:
        for label in find_headings(main, _FEATURE_LABEL):
            element = label.find_previous_sibling()
            if element is not None:
                break
    if element is None:
        return ""
    name = element_text(element)
    if element.name != "h1":
        element.decompose()
    return _title_text(name)


def _title_middle(title: str) -> str:
    """ "Human Trafficking | Overview | Office of Justice Programs" → "Overview"."""
    parts = [part.strip() for part in title.split(" | ")]
    return repair_text(parts[1]) if len(parts) >= 3 else ""


def _take_subheading(main: Tag) -> str:
    element = main.select_one(".subpage-title, .feature-subpage-title") or main.find("h2")
    if element is None:
        return ""
    text = element_text(element)
    element.decompose()
    return text


def _unique_links(links: list[Link]) -> list[Link]:
    seen: set[str] = set()
    unique = []
    for link in links:
        if link.url not in seen:
            seen.add(link.url)
            unique.append(link)
    return unique
