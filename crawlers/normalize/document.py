"""Bytes to a parsed page: decoding that honours the declared charset, and the page-level facts
read before any chrome is removed (title, language, canonical link, robots, site name)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import soupsieve
from bs4 import BeautifulSoup, Tag
from w3lib.encoding import html_to_unicode

from crawlers.normalize.kinds import agency_from_name
from crawlers.normalize.text import collapse_whitespace

#: Where the main content lives, most specific first.
MAIN_SELECTORS = (
    "main",
    "[role=main]",
    "#main-content",
    "#main",
    ".main-content",
    ".region-content",
    "#content",
    "article",
)
SITE_NAME_SELECTORS = (
    ".usa-logo__text",
    ".site-name",
    ".site-branding__name",
    ".usa-logo a[title]",
    ".navbar-brand",
)


@dataclass
class PageHead:
    """Facts about the page as a whole."""

    title: str = ""  # the <title> text
    og_title: str = ""
    description: str = ""
    canonical: str = ""
    language: str | None = None
    robots: str = ""
    site_agency: str | None = None  # from the site-name header


def decode_html(body: str | bytes, content_type: str = "") -> str:
    """Text of a response body: the Content-Type charset, then ``<meta charset>`` /
    http-equiv, then UTF-8, falling back to windows-1252 when the bytes are not UTF-8.

    A declared single-byte charset (windows-1252, Latin-1) over bytes that are valid UTF-8 with
    multi-byte sequences is a mislabelled UTF-8 page: real windows-1252 text is practically never
    valid UTF-8, and reading it as declared would print "â€™" for "’".
    """
    if isinstance(body, str):
        return body
    encoding, text = html_to_unicode(
        content_type or None, body, default_encoding="utf-8", auto_detect_fun=_utf8_or_cp1252
    )
    # w3lib reports windows-1252, Latin-1 and ASCII declarations alike as cp1252.
    if encoding == "cp1252" and not body.isascii():
        try:
            return body.decode("utf-8-sig")
        except UnicodeDecodeError:
            return text
    if "\ufffd" in text and encoding.replace("-", "").lower() == "utf8":
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return body.decode("cp1252", errors="replace")
    return text


def _utf8_or_cp1252(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def parse_html(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "lxml")


def nests_deeper_than(soup: BeautifulSoup, limit: int) -> bool:
    """True when elements nest more than ``limit`` levels deep (one walk, without recursion,
    that stops at the first element past the limit)."""
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element.contents if isinstance(child, Tag))
    return False


def read_head(soup: BeautifulSoup) -> PageHead:
    """The head facts, and the site name from the page header."""
    head = PageHead()
    if soup.title is not None:
        head.title = collapse_whitespace(soup.title.get_text(" "))
    head.og_title = _meta(soup, "og:title")
    head.description = _meta(soup, "description") or _meta(soup, "og:description")
    head.robots = " ".join(
        str(tag.get("content", "")) for tag in soup.find_all("meta", attrs={"name": _ROBOTS})
    ).lower()
    link = soup.find("link", rel=lambda value: bool(value) and "canonical" in value)
    if isinstance(link, Tag) and link.get("href"):
        head.canonical = str(link["href"]).strip()
    html = soup.find("html")
    if isinstance(html, Tag) and html.get("lang"):
        head.language = str(html["lang"]).strip().split("-")[0].lower() or None
    head.site_agency = _site_agency(soup, head.title)
    return head


_ROBOTS = re.compile(r"^(?:robots|googlebot)$", re.I)


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    if isinstance(tag, Tag):
        return collapse_whitespace(str(tag.get("content", "")))
    return ""


class PrioritySelector:
    """Several CSS selectors, most wanted first, matched in one walk over the page (a walk per
    selector costs more than the rest of reading a page's head)."""

    def __init__(self, selectors: tuple[str, ...]) -> None:
        self.any = soupsieve.compile(", ".join(selectors))
        self.each = [soupsieve.compile(selector) for selector in selectors]

    def select(self, soup: BeautifulSoup | Tag) -> list[Tag]:
        """The matching elements, those of the first selector first, each in page order."""
        found = self.any.select(soup)
        rank = {id(element): self._rank(element) for element in found}
        return sorted(found, key=lambda element: rank[id(element)])  # stable: page order kept

    def _rank(self, element: Tag) -> int:
        return next(n for n, selector in enumerate(self.each) if selector.match(element))


_SITE_NAMES = PrioritySelector(SITE_NAME_SELECTORS)
_MAINS = PrioritySelector(MAIN_SELECTORS)


def _site_agency(soup: BeautifulSoup, title: str) -> str | None:
    for element in _SITE_NAMES.select(soup):
        for text in (element.get_text(" "), str(element.get("title", ""))):
            agency = agency_from_name(collapse_whitespace(text))
            if agency:
                return agency
    og_site = _meta(soup, "og:site_name")
    if og_site and agency_from_name(og_site):
        return agency_from_name(og_site)
    if " | " in title:
        return agency_from_name(title.rsplit(" | ", 1)[1])
    return None


def find_main(soup: BeautifulSoup) -> Tag:
    """The main content element (an empty skip-link target does not count), else the body."""
    for element in _MAINS.select(soup):
        if element.name != "a" and element.get_text(strip=True):
            return element
    return soup.body or soup


def robots_noindex(value: str) -> bool:
    """True when a robots directive (meta or X-Robots-Tag) forbids indexing."""
    return bool(re.search(r"\b(?:noindex|none)\b", value, re.I))


def lower_keys(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in (headers or {}).items()}
