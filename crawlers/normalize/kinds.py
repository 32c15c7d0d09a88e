"""What a URL is: the kind of page (a Record content type), the agency of its host, and the
agencies a text names."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from index.records import AGENCIES

#: URL path patterns, tried in order with ``re.search`` so that a mirror prefix
#: (``/nij/topics/articles/x`` on a local copy) still matches.
KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("archive", r"/sites/g/files/[^/]+/files/archives/.+\.html?$"),
        ("publication", r"/txtfiles\d*/"),
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
        ("news", r"/press-releases?/[^/?#]+"),
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


_NCJRS_LIBRARY = re.compile(
    r"/ncjrs/virtual-library/|/app/publications/abstract\.aspx|^https?://(?:www\.)?ncjrs\.gov/",
    re.I,
)
#: A bureau's folder in a legacy file path: ``/txtfiles1/nij/sl000583.txt``, ``/pdffiles1/bja/``.
_BUREAU_FOLDER = re.compile(r"/(?:txt|pdf)files\d*/(nij|ovc|ojjdp|bja|bjs|smart)/", re.I)


def path_agency(url: str) -> str | None:
    """The agency a URL's path implies: a bureau's folder of legacy files is that bureau's; an
    abstract in the NCJRS Virtual Library (or any legacy ncjrs.gov file) is NCJRS's."""
    folder = _BUREAU_FOLDER.search(urlsplit(url).path)
    if folder:
        return folder.group(1).upper()
    if _NCJRS_LIBRARY.search(url):
        return "NCJRS"
    return None


_NAME_PATTERN = "|".join(
    re.escape(name).replace(r"\ ", r"\s+")
    for name in sorted(AGENCY_NAMES, key=len, reverse=True)
    if name not in ("smart office", "ncjrs virtual library")
)
#: An agency named in running text: a full name, then an optional "(ACRONYM)", or an acronym.
_AGENCY_MENTION = re.compile(
    rf"\b(?:(?P<name>{_NAME_PATTERN})(?:\s*\((?P<paren>[A-Z]{{2,6}})\))?"
    r"|(?P<acronym>NIJ|OVC|OJJDP|BJA|BJS|SMART|NCJRS|OJP))\b",
    re.I,
)


def agencies_named(text: str) -> list[tuple[str, re.Match[str]]]:
    """Every agency ``text`` names, in order, with the match that names it ("U.S. Bureau of
    Justice Statistics (BJS)" → BJS; "NIJ's" → NIJ). Acronyms count only in upper case."""
    found = []
    for match in _AGENCY_MENTION.finditer(text):
        if match["acronym"]:
            if match["acronym"] != match["acronym"].upper():
                continue
            found.append((match["acronym"], match))
        else:
            found.append((AGENCY_NAMES[" ".join(match["name"].lower().split())], match))
    return found


def most_specific_agency(text: str) -> str | None:
    """The first bureau ``text`` names, else OJP or NCJRS when it names only those: in
    "U.S. Department of Justice, Office of Justice Programs, National Institute of Justice" the
    bureau is NIJ."""
    named = [agency for agency, _ in agencies_named(text)]
    bureaus = [agency for agency in named if agency not in ("OJP", "NCJRS")]
    found = bureaus or named
    return found[0] if found else None
