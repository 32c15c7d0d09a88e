"""``normalize_page``: one fetched HTML page → one Record (or a Skip saying why not)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from bs4 import Tag

from crawlers.normalize import kinds
from crawlers.normalize.boilerplate import (
    is_banner_text,
    is_boilerplate_line,
    scrub_banner,
    strip_chrome,
)
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
from crawlers.normalize.fields import Fields, extract_drupal_fields, extract_text_fields
from crawlers.normalize.kind_fields import COMMON_KEYS, KIND_KEYS, Extraction, build_record
from crawlers.normalize.links import (
    DOWNLOAD_HEADINGS,
    extract_attachments,
    extract_listing_items,
    extract_related_sections,
    extract_topics,
    find_headings,
    remove_sections,
)
from crawlers.normalize.text import element_text, iter_blocks, repair_text
from crawlers.normalize.textfile import normalize_text_document
from index.records import AGENCIES, Link, Record, record_id
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
    page_kind = kind or kinds.detect_kind(record_url)
    main = find_main(soup)
    strip_chrome(soup, main)
    skip = _soft_404(_first_heading(main), head)
    if skip is None:
        extraction = _extract(main, record_url, page_kind, head)
        skip = _empty(extraction)
    if skip is not None:
        logger.debug("Skipped %s: %s", url, skip.reason)
        return skip
    record = build_record(extraction, page_kind, head)
    return Record(
        id=record_id(record_url),
        url=record_url,
        site=site,
        agency=_choose_agency(extraction.fields, record_url, url, agency, head),
        content_type=page_kind,
        language=head.language,
        aliases=aliases,
        fetched_at=fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
        **record,
    ).with_hash()


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


def _extract(main: Tag, page_url: str, kind: str, head: PageHead) -> Extraction:
    feature_name = _take_feature_name(main) if kind == "feature" else ""
    title = _take_title(main, head)
    related = extract_related_sections(main, page_url)
    if kind in ("topic", "feature"):
        related.extend(extract_listing_items(main, page_url))
    attachments = extract_attachments(main, page_url)
    topics = extract_topics(main)
    keys = KIND_KEYS.get(kind, COMMON_KEYS)
    fields = extract_drupal_fields(main, keys)
    remove_sections(main, DOWNLOAD_HEADINGS)
    subheading = ""
    if kind == "feature":
        if feature_name and feature_name != title:
            title, subheading = feature_name, title
        else:
            subheading = _take_subheading(main) or _title_middle(head.title)
        subheading = _title_text(subheading)
    blocks = (scrub_banner(line) for line in iter_blocks(main) if not is_boilerplate_line(line))
    lines = [line for line in blocks if line]
    while lines and lines[0] == title:
        lines.pop(0)
    text_fields, rest, preamble = extract_text_fields(lines, keys)
    for key, values in text_fields.items():
        fields.setdefault(key, []).extend(values)
    for value in fields.get("topics", []):
        topics.extend(item for item in value.items if item not in topics)
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
    )


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


def _choose_agency(
    fields: Fields, record_url: str, fetched_url: str, hint: str | None, head: PageHead
) -> str:
    """The page's "Agencies" label, then its host, then the site's hint, then the site-name
    header, then OJP."""
    for value in fields.get("agencies", []):
        for item in value.items or [value.text]:
            for part in re.split(r"[;,]\s*|\s+and\s+", item):
                agency = kinds.agency_from_name(part)
                if agency:
                    return agency
    for candidate in (
        kinds.host_agency(record_url),
        kinds.host_agency(fetched_url),
        hint.upper() if hint and hint.upper() in AGENCIES else None,
        head.site_agency,
    ):
        if candidate:
            return candidate
    return "OJP"
