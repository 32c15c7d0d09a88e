"""Site chrome that must never reach a record: the USWDS gov banner, skip links, navigation,
breadcrumbs, the footer, share widgets, image credits, archival notices and "Date Created" lines.

Two layers: whole elements removed by selector before any text is read, then text lines removed
by pattern (for chrome that arrives without its usual markup).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

#: Classes of elements removed wherever they are (banner, skip links, navigation, breadcrumbs,
#: footer identifier, share widgets, credits, notices, facet filters).
CHROME_CLASSES = frozenset(
    {
        "usa-banner",
        "usa-skipnav",
        "skip-link",
        "usa-nav",
        "usa-breadcrumb",
        "breadcrumb",
        "breadcrumbs",
        "usa-identifier",
        "usa-footer",
        "share-buttons",
        "share-widget",
        "social-share",
        "social-sharing",
        "addtoany",
        "a2a_kit",
        "addthis_toolbox",
        "print-share",
        "usa-alert--archive",
        "archival-notice",
        "image-credit",
        "views-exposed-form",
        "facets",
        "block-facets",
        "back-to-top",
        "usa-sidenav",
    }
)
#: Elements removed only when they are not inside the main content (a site header/footer; an
#: ``<article>`` may have its own ``<header>`` holding the title).
OUTER_TAGS = frozenset({"header", "footer"})
OUTER_ROLES = frozenset({"banner", "contentinfo"})


_LINE_PATTERNS = [
    r"U\.S\. flag",
    r"An official website of the United States government.*",
    r"Here[’']s how you know\.?",
    r"Official websites use \.gov",
    r"A \.gov website belongs to an official government organization.*",
    r"Secure \.gov websites use HTTPS",
    r"A lock \(.*",
    r"\)? ?or https:// means you[’']ve safely connected.*",
    r"Lock|A locked padlock|Dot gov|Https",
    r"The \.gov means it[’']s official\.?",
    r"Federal government websites (?:always|often) (?:use|end in) .*",
    r"The site is secure\.?",
    r"The https:// ensures that you are connecting .*",
    r"Skip to (?:main )?(?:content|navigation)",
    r".{0,200}\(see reuse policy\)\.?",
    r"Archival Notice",
    r"This file is provided for reference purposes only\..*",
    r"#{3}",
    r"Special Feature",
    r"This is an archive (?:page|of an Office of Justice Programs) .*",
    r"Review the YouTube Terms of Service and the Google Privacy Policy\.?",
    r"Select Filters",
    r"Back to top\.?",
    r"Description:?",
    r"Share(?: this page)?:?",
    r"NCJRS Virtual Library",
    r"The Virtual Library houses over [\d,]+ criminal justice resources.*",
    r"Click here to search the NCJRS Virtual Library\.?",
]
_BOILERPLATE_LINE = re.compile("^(?:" + "|".join(_LINE_PATTERNS) + ")$", re.I)
_BANNER_WORDING = re.compile(r"official website of the United States government", re.I)
_BANNER_TEXT = re.compile(
    r"official website of the United States government|\.gov means it[’']s official"
    r"|Official websites use \.gov|Secure \.gov websites use HTTPS|^U\.S\. flag$"
    r"|^Skip to main content$|^(?:Here[’']s how you know|Special Feature|Archival Notice"
    r"|NCJRS Virtual Library)$",
    re.I,
)


def is_boilerplate_line(line: str) -> bool:
    """True for a line of site chrome (banner wording, credits, notices...)."""
    return bool(_BOILERPLATE_LINE.match(line))


#: The banner's sentences wherever they stand, even run into other text by broken markup.
_BANNER_SENTENCE = re.compile(
    r"(?:an\s+)?official\s+website\s+of\s+the\s+United\s+States\s+government"
    r"(?:\s*,\s*Department\s+of\s+Justice)?\.?"
    r"|Here[’']s\s+how\s+you\s+know\.?|The\s+\.gov\s+means\s+it[’']s\s+official\.?"
    r"|Official\s+websites\s+use\s+\.gov|Secure\s+\.gov\s+websites\s+use\s+HTTPS",
    re.I,
)


def scrub_banner(text: str) -> str:
    """``text`` without the banner's sentences (which no resource's own text needs); paragraph
    breaks are kept."""
    if not ("fficial" in text or ".gov" in text or "how you know" in text):
        return text  # a cheap test first: almost no text holds banner wording
    paragraphs = (" ".join(_BANNER_SENTENCE.sub(" ", p).split()) for p in text.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def is_banner_text(text: str) -> bool:
    """True when ``text`` is banner or section chrome and so can never be a title."""
    return bool(_BANNER_TEXT.search(text))


def strip_chrome(soup: BeautifulSoup, main: Tag) -> None:
    """Remove the site chrome from ``soup`` in place; ``main`` is the main content element
    (the body when the page has none), whose own header and footer stay.

    One walk of the tree, linear in its size however deep it nests: a removed element's subtree
    is not visited, and whether an element is inside the main content or an ``<article>`` is
    carried down the walk rather than looked up among its parents.
    """
    container = None if main.name in ("body", "html", "[document]") else main
    ancestors = set(map(id, main.parents))
    chrome: list[Tag] = []
    # (element, inside the main content, inside an <article>)
    stack: list[tuple[Tag, bool, bool]] = [(child, False, False) for child in _tags(soup)]
    while stack:
        element, in_main, in_article = stack.pop()
        if element is not main and id(element) not in ancestors:
            if _is_chrome(element):
                chrome.append(element)
                continue
            if element.name in OUTER_TAGS or element.get("role") in OUTER_ROLES:
                inside = in_main if container is not None else in_article
                if not inside:
                    chrome.append(element)
                    continue
        in_main = in_main or element is container
        in_article = in_article or element.name == "article"
        stack.extend((child, in_main, in_article) for child in _tags(element))
    for element in chrome:
        element.decompose()
    _strip_banner_blocks(soup, container)


def _tags(element: Tag) -> list[Tag]:
    """The element's child tags, last first (so that a stack pops them in document order)."""
    return [child for child in reversed(element.contents) if isinstance(child, Tag)]


def _is_chrome(element: Tag) -> bool:
    if element.name == "nav" or element.get("role") == "navigation":
        return True
    classes = element.get("class") or ()
    return any(css_class in CHROME_CLASSES for css_class in classes) or (
        element.name == "a" and "visually-hidden" in classes and "focusable" in classes
    )


def _strip_banner_blocks(soup: BeautifulSoup, container: Tag | None) -> None:
    """A gov banner without the USWDS classes: the smallest block outside the main content
    holding its wording."""
    for string in soup.find_all(string=_BANNER_WORDING):
        if getattr(string, "parent", None) is None:  # gone with a block decomposed before
            continue
        if container is not None and any(parent is container for parent in string.parents):
            continue
        block = string.find_parent(["section", "div", "aside"])
        if block is None or block is container or block.decomposed:
            continue
        if len(block.get_text(" ", strip=True)) < 1200 and not block.find(
            ["h1", "main", "article"]
        ):
            block.decompose()
