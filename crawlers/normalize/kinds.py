"""What a URL is: the kind of page (a Record content type) and the agency of its host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from index.records import AGENCIES

#: URL path patterns, tried in order with ``re.search`` so that a mirror prefix
#: (``/nij/topics/articles/x`` on a local copy) still matches.
KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("document", r"/txtfiles\d*/"),
        ("publication", r"/library/publications/(?!list(?:$|[/?]))[^/?#]+"),
        ("publication", r"/ncjrs/virtual-library/abstracts/[^/?#]+"),
        ("publication", r"/app/publications/abstract\.aspx"),
        ("article", r"/topics/articles/[^/?#]+"),
        ("feature", r"/feature/[^/?#]+"),
        ("topic", r"/taxonomy/term/[^/?#]+"),
        ("topic", r"/topics(?:/[^?#]*)?/?(?:$|\?)"),
        ("topic", r"/(?:news/ojp-?blogs|blogs|archives/ojp-blogs(?:/\d+)?)/?(?:$|\?)"),
        ("topic", r"/library/publications(?:/list)?/?(?:$|\?)"),
        ("funding", r"/funding(?:/|$|\?)"),
        ("event", r"/events/[^/?#]+"),
        ("news", r"/news/(?:news-releases?|press-releases?)/[^/?#]+"),
        ("news", r"/(?:newsroom/)?pressreleases/"),
        ("blog", r"/(?:blogs?|ojp-?blogs(?:/\d{4})?)/[^/?#]+"),
        ("announcement", r"/announcements?/[^/?#]+"),
        ("program", r"/programs?/[^/?#]+"),
        ("program", r"/about(?:/|$|\?)"),
    )
)

#: Host (www. and a trailing dot removed) → agency.
HOST_AGENCIES = {
    "nij.ojp.gov": "NIJ",
    "ovc.ojp.gov": "OVC",
    "ojjdp.ojp.gov": "OJJDP",
    "bja.ojp.gov": "BJA",
    "bjs.ojp.gov": "BJS",
    "smart.ojp.gov": "SMART",
    "ncjrs.gov": "NCJRS",
    "ojp.gov": "OJP",
}

#: Full names (as in a site-name header or an "Agencies" value) → agency.
AGENCY_NAMES = {
    "office of justice programs": "OJP",
    "national institute of justice": "NIJ",
    "office for victims of crime": "OVC",
    "office of juvenile justice and delinquency prevention": "OJJDP",
    "bureau of justice assistance": "BJA",
    "bureau of justice statistics": "BJS",
    "office of sex offender sentencing, monitoring, apprehending, registering, and tracking": (
        "SMART"
    ),
    "smart office": "SMART",
    "national criminal justice reference service": "NCJRS",
    "ncjrs virtual library": "NCJRS",
}

_NCJRS_PATH = re.compile(r"/ncjrs/", re.I)


def detect_kind(url: str) -> str:
    """The content type a URL path suggests; "page" when no pattern matches."""
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(target):
            return kind
    return "page"


def site_host(url: str) -> str:
    """The host of ``url`` in lower case, without ``www.`` or a trailing dot."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


def host_agency(url: str) -> str | None:
    """The agency of a known OJP-family host, else None (a mirror, an unknown host)."""
    host = site_host(url)
    agency = HOST_AGENCIES.get(host)
    if agency == "OJP" and _NCJRS_PATH.search(urlsplit(url).path):
        return "NCJRS"
    return agency


def is_family_host(host: str) -> bool:
    """True for ojp.gov, its bureau subdomains and ncjrs.gov (one publisher)."""
    return any(host == known or host.endswith("." + known) for known in ("ojp.gov", "ncjrs.gov"))


def agency_from_name(text: str) -> str | None:
    """An agency code from an acronym or a full name ("NIJ", "National Institute of
    Justice-Sponsored", "Office for Victims of Crime (OVC)"), else None."""
    cleaned = re.sub(r"[-\s]*sponsored$", "", text.strip(), flags=re.I).strip(" .,;")
    if cleaned.upper() in AGENCIES:
        return cleaned.upper()
    acronym = re.search(r"\(([A-Z]{2,6})\)$", cleaned)
    if acronym and acronym.group(1) in AGENCIES:
        return acronym.group(1)
    cleaned = re.sub(r"\s*\([^)]*\)$", "", cleaned).lower()
    cleaned = re.sub(r"^(?:the|u\.s\. department of justice,?)\s+", "", cleaned)
    return AGENCY_NAMES.get(cleaned)
