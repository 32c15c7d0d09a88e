"""Links a page lists: related items (similar publications, feature resources, listing items),
document attachments, and taxonomy topics."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urljoin, urlsplit

from bs4 import NavigableString, Tag

from crawlers.normalize.dates import find_date, parse_date
from crawlers.normalize.fields import label_key
from crawlers.normalize.kinds import agency_from_name
from crawlers.normalize.text import collapse_whitespace, element_text, iter_blocks
from index.records import Attachment, Link

#: Headings that introduce a list of related links rather than body text.
DOWNLOAD_HEADINGS = re.compile(r"^downloads?:?$", re.I)
RELATED_HEADINGS = re.compile(
    r"^(?:similar publications|related publications|related datasets|related resources"
    r"|related content|additional resources|publications and resources|related links"
    r"|see also|more resources):?$",
    re.I,
)
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_TOPIC_PATH = re.compile(r"/taxonomy/term/[^/?#]+$|/topics/(?!articles(?:/|$))[^?#]+$", re.I)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SPONSOR = re.compile(r"^(?P<agency>.+?)(?:,\s*|\s+[-–—|]\s+)(?P<date>[^,]*\d{4})\s*$")


def absolute_url(page_url: str, href: str) -> str:
    """``href`` resolved against the page URL, without its fragment ("" for an href that is not
    a URL at all, such as ``http://[bad``)."""
    try:
        return urljoin(page_url, href.strip()).split("#", 1)[0]
    except ValueError:
        return ""


def url_path(href: str) -> str:
    """The path of ``href`` ("" when it is not a URL at all)."""
    try:
        return urlsplit(href).path
    except ValueError:
        return ""


def extract_related_sections(main: Tag, page_url: str) -> list[Link]:
    """Links under a "Similar Publications"-style heading; the section is removed from ``main``."""
    links: list[Link] = []
    for heading in find_headings(main, RELATED_HEADINGS):
        if heading.decomposed:
            continue
        section = _section_after(heading)
        for element in section:
            links.extend(_links_in(element, page_url))
        for element in [heading, *section]:
            if not element.decomposed:
                element.decompose()
    return links


def remove_sections(main: Tag, pattern: re.Pattern[str]) -> None:
    """Remove each section whose heading matches ``pattern`` (e.g. "Downloads")."""
    for heading in find_headings(main, pattern):
        if heading.decomposed:
            continue
        for element in [heading, *_section_after(heading)]:
            if not element.decomposed:
                element.decompose()


def find_headings(main: Tag, pattern: re.Pattern[str]) -> list[Tag]:
    """The block elements whose whole text matches ``pattern`` (a heading, a field label, a
    bold line)."""
    headings: list[Tag] = []
    for string in main.find_all(string=lambda s: bool(s) and bool(pattern.match(s.strip()))):
        if string.find_parent("li") is not None:
            continue  # a list item that links to "Additional Resources" is not a heading
        element = string.parent
        while element is not None and element.name in ("a", "span", "strong", "b", "em"):
            if element.parent is None or collapse_whitespace(element.parent.get_text(" ")) != (
                collapse_whitespace(string)
            ):
                break
            element = element.parent
        if element is not None and element is not main and all(h is not element for h in headings):
            headings.append(element)
    return headings


def _section_after(heading: Tag) -> list[Tag]:
    """The elements a heading introduces: its following siblings up to the next heading (or, for
    a heading alone in a wrapper, the wrapper's following siblings)."""
    anchor = heading
    while (
        anchor.parent is not None
        and not anchor.find_next_sibling()
        and anchor.parent.name
        in (
            "div",
            "header",
            "span",
        )
    ):
        anchor = anchor.parent
    section: list[Tag] = []
    for sibling in anchor.find_next_siblings():
        if sibling.name in (*_HEADINGS, "footer") or sibling.find("a", href=True) is None:
            break
        section.append(sibling)
    return section


def _links_in(element: Tag, page_url: str) -> list[Link]:
    items = element.find_all("li") or [element]
    links = []
    for item in items:
        anchor = item if item.name == "a" and item.has_attr("href") else item.find("a", href=True)
        if anchor is None:
            continue
        title = collapse_whitespace(anchor.get_text(" "))
        if title and absolute_url(page_url, str(anchor["href"])):
            links.append(_described_link(item, anchor, title, page_url))
    return links


def _described_link(item: Tag, anchor: Tag, title: str, page_url: str) -> Link:
    """A link with the agency and date its item prints ("NIJ-Sponsored, February 2020")."""
    date: str | None = None
    time = item.find("time")
    if time is not None:
        date = parse_date(collapse_whitespace(time.get_text(" "))) or find_date(
            str(time.get("datetime", ""))
        )
    agency, printed = _describe([line for line in iter_blocks(item) if line != title])
    return Link(
        url=absolute_url(page_url, str(anchor["href"])),
        title=title,
        agency=agency,
        date=date or printed,
    )


def _describe(lines: list[str]) -> tuple[str | None, str | None]:
    """The agency and date that an item's lines print: "Agencies" / "Date Published" labels
    (on their own line or inline), a date line, or an "NIJ-Sponsored, February 2020" line."""
    agency: str | None = None
    date: str | None = None
    for i, line in enumerate(lines):
        key = label_key(line)
        if key == "agencies" and i + 1 < len(lines):
            agency = agency or _agency_of(lines[i + 1])
        elif key == "published" and i + 1 < len(lines):
            date = date or parse_date(lines[i + 1])
        elif line.lower().startswith(("agencies ", "agencies:")):
            agency = agency or _agency_of(line[len("agencies") :].lstrip(": "))
        elif parse_date(line):
            date = date or parse_date(line)
        elif line.lower().startswith("date published"):
            date = date or parse_date(line[len("date published") :].lstrip(": "))
        else:
            sponsor = _SPONSOR.match(line)
            if sponsor and parse_date(sponsor["date"]) and len(sponsor["agency"]) <= 120:
                agency = agency or _agency_of(sponsor["agency"])
                date = date or parse_date(sponsor["date"])
    return agency, date


def _agency_of(text: str) -> str:
    """An agency code when the text names a known one, else the text itself (minus
    "-Sponsored")."""
    first = re.split(r"[;,]", text)[0].strip()
    return agency_from_name(first) or re.sub(r"[-\s]*sponsored$", "", first, flags=re.I).strip()


#: Markup of one listed item: Drupal views rows and teasers, USWDS cards and collections.
ITEM_SELECTOR = (
    ".views-row, .resource-list > li, ul.resources > li, .teaser, .node--view-mode-teaser,"
    " .usa-card, .usa-collection__item, .search-result"
)
#: Labels that mark a list item as a listed resource ("NCJ Number", "Agencies"...).
_ITEM_LABEL = re.compile(r"^(?:ncj number|date published|agencies)\b", re.I)
_LISTING_HEADINGS = ("h2", "h3", "h4")
#: Text a teaser may print before its title (a date or a type line), and its whole length.
_TEASER_LEAD = 40
_TEASER_SIZE = 1500


def extract_listing_items(main: Tag, page_url: str) -> list[Link]:
    """The items of a listing (teasers, cards, resource lists, labelled list items, or linked
    headings), removed from ``main`` so that nothing an item prints (its "Agencies", its dates)
    is read as the page's own."""
    position = {id(element): n for n, element in enumerate(main.find_all(True))}
    rows: list[Tag] = main.select(ITEM_SELECTOR)
    rows.extend(item for item in main.find_all("li") if _is_labelled_item(item))
    row_ids = {id(row) for row in rows}
    rows = [row for row in rows if not any(id(parent) in row_ids for parent in row.parents)]
    found: list[tuple[Tag, Link]] = []
    for row in rows:
        anchor = _item_anchor(row)
        if anchor is not None:
            title = collapse_whitespace(anchor.get_text(" "))
            if title:
                found.append((row, _described_link(row, anchor, title, page_url)))
        row.decompose()
    for view in main.select(".view-content, .views-element-container"):
        if not element_text(view):
            view.decompose()
    found.extend(_linked_headings(main, page_url))
    found.sort(key=lambda pair: position[id(pair[0])])
    return [link for _, link in found]


def _is_labelled_item(item: Tag) -> bool:
    if item.find("a", href=True) is None:
        return False
    return any(_ITEM_LABEL.match(line) for line in iter_blocks(item))


def _item_anchor(row: Tag) -> Tag | None:
    for heading in row.find_all(_HEADINGS):
        anchor = heading.find("a", href=True)
        if anchor is not None:
            return anchor
    return row.find("a", href=True)


def _linked_headings(main: Tag, page_url: str) -> list[tuple[Tag, Link]]:
    """Listing items without teaser markup: headings that are links, each with the element that
    wraps it alone (an ``<article>``, a card), or else the date line and teaser that follow."""
    linked = [
        (heading, anchor, _teaser_of(heading, main))
        for heading in main.find_all(_LISTING_HEADINGS)
        if (anchor := heading.find("a", href=True)) is not None
    ]  # every teaser found before any is removed: a removal changes what wraps the rest
    found: list[tuple[Tag, Link]] = []
    for heading, anchor, wrapper in linked:
        title = collapse_whitespace(anchor.get_text(" "))
        if not title or heading.decomposed:
            continue
        if wrapper is not None:
            found.append((wrapper, _described_link(wrapper, anchor, title, page_url)))
            wrapper.decompose()
            continue
        followers = []
        for sibling in heading.find_next_siblings():
            if sibling.name in _HEADINGS:
                break
            followers.append(sibling)
        agency, date = _describe([line for f in followers for line in iter_blocks(f)])
        url = absolute_url(page_url, str(anchor["href"]))
        if url:
            found.append((heading, Link(url=url, title=title, agency=agency, date=date)))
        for element in [heading, *followers]:
            element.decompose()
    return found


def _teaser_of(heading: Tag, main: Tag) -> Tag | None:
    """The largest element below ``main`` that wraps ``heading`` as one teaser: no other linked
    heading in it, at most a short line before the heading, and a teaser's length."""
    teaser = None
    element = heading
    while element.parent is not None and element.parent is not main:
        parent = element.parent
        linked = sum(1 for h in parent.find_all(_LISTING_HEADINGS) if h.find("a", href=True))
        if linked > 1 or _text_before(parent, heading) > _TEASER_LEAD:
            break
        if len(parent.get_text()) > _TEASER_SIZE:
            break
        teaser = element = parent
    return teaser


def _text_before(container: Tag, element: Tag) -> int:
    """How many characters of text ``container`` holds before ``element``."""
    size = 0
    for previous in element.previous_elements:
        if previous is container:
            break
        if type(previous) is NavigableString:
            size += len(previous.strip())
    return size


def extract_attachments(main: Tag, page_url: str) -> list[Attachment]:
    """Links to documents (.pdf, .doc, .docx, .txt, .csv, .xlsx) in the main content."""
    attachments: dict[str, Attachment] = {}
    for anchor in main.find_all("a", href=True):
        url = absolute_url(page_url, str(anchor["href"]))
        if not url:
            continue
        extension = posixpath.splitext(urlsplit(url).path.lower())[1]
        media_type = MEDIA_TYPES.get(extension)
        if media_type is None or url in attachments:
            continue
        title = collapse_whitespace(anchor.get_text(" ")) or str(anchor.get("title", "")).strip()
        attachments[url] = Attachment(
            url=url,
            title=title or posixpath.basename(urlsplit(url).path),
            media_type=media_type,
        )
    return list(attachments.values())


def extract_topics(main: Tag) -> list[str]:
    """Names of the taxonomy terms the main content links to."""
    topics: list[str] = []
    for anchor in main.find_all("a", href=True):
        if _TOPIC_PATH.search(url_path(str(anchor["href"]))):
            name = collapse_whitespace(anchor.get_text(" "))
            if name and name not in topics:
                topics.append(name)
    return topics


_TOPIC_HEADING = re.compile(r"^related\s+topics:?$", re.I)


def take_topic_sections(main: Tag) -> list[str]:
    """The names under a "Related Topics" heading (a sidebar block or a section of the page:
    one name per link or list item, never the heading glued to them); the section is removed."""
    topics: list[str] = []
    for heading in find_headings(main, _TOPIC_HEADING):
        if heading.decomposed:
            continue
        anchor = heading
        while (
            anchor.parent is not None
            and anchor.parent is not main
            and (not anchor.find_next_sibling() and anchor.parent.name in ("div", "header", "span"))
        ):
            anchor = anchor.parent
        section = []
        for sibling in anchor.find_next_siblings():
            if sibling.name in _HEADINGS or label_key(element_text(sibling)):
                break
            section.append(sibling)
        for element in section:
            items = element.find_all("li") or element.find_all("a", href=True) or [element]
            for item in items:
                name = collapse_whitespace(item.get_text(" "))
                if name and len(name) <= 120 and name not in topics:
                    topics.append(name)
        for element in [heading, *section]:
            if not element.decomposed:
                element.decompose()
    return topics
