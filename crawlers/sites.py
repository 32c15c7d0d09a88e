"""Site definitions: which hosts to crawl, where to start, which URLs to keep, how politely.

Built-in definitions cover the OJP family; a sites file (TOML) overrides or adds sites. A file is
validated field by field before any request, and a bad one raises ``SiteConfigError`` naming the
file, the site and the field.

A sites file looks like this::

    [crawl]                      # optional: any CrawlSettings field
    download_delay = 2.0
    user_agent = "ojp-search/0.1 (+https://example.org/contact)"

    [[site]]                     # one table per site
    name = "nij"                 # same name as a built-in: the fields given here replace its own
    deny = ["^/media/", "^/multimedia/"]

    [[site]]                     # a new name: agency, start_urls and allowed_hosts are required
    name = "mirror"
    agency = "NIJ"
    start_urls = ["http://127.0.0.1:8000/nij/"]
    allowed_hosts = ["127.0.0.1"]
    sitemaps = ["http://127.0.0.1:8000/nij/sitemap.xml"]
    allow = ["^/nij/"]
    kinds = [["^/nij/library/publications/", "publication"], ["^/nij/events/", "event"]]

``allow``, ``deny`` and the ``kinds`` patterns are regular expressions searched in the URL's path
plus query (``/topics?page=2``). ``kinds`` may also be written as a table
(``kinds = { "^/events/" = "event" }``); the first matching rule gives the page kind.

Which sites a refresh crawls (``SiteConfig.select(None)``): with a sites file, the sites the file
defines; without one (or when the file only has a ``[crawl]`` table), every built-in site. Named
sites can be any built-in or file site.
"""

from __future__ import annotations

import ipaddress
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from index.records import AGENCIES, CONTENT_TYPES
from index.urls import DEFAULT_PORTS


class SiteConfigError(ValueError):
    """A sites file that cannot be used; the message names the file, the site and the field."""


@dataclass(frozen=True)
class CrawlSettings:
    """Politeness and bounds shared by every site of a run (a sites file's ``[crawl]`` table)."""

    user_agent: str = "ojp-search/0.1 (+https://github.com/ojp-search/ojp-search; resource index)"
    download_delay: float = 1.0  # seconds between requests to one host
    concurrency_per_host: int = 1
    autothrottle: bool = True
    timeout: float = 15.0  # seconds
    max_page_bytes: int = 15 * 1024 * 1024
    max_pages: int = 50_000  # per site and run
    depth_limit: int = 8
    retries: int = 2  # on 5xx and timeouts only
    obey_robots: bool = True
    revalidate_days: int = 30  # every page is requested at least once in this many days
    miss_limit: int = 3  # complete crawls a page may be missing from before it is gone
    max_removal_share: float = 0.10  # a run that would remove more of a site removes nothing
    removal_floor: int = 3  # ... unless it removes this many records or fewer
    fetch_documents: bool = True  # read the text of PDFs that crawled pages link
    max_documents: int = 50_000  # documents read per site and run (then stored text is kept)
    max_document_bytes: int = 15 * 1024 * 1024  # larger documents are listed, not downloaded
    max_document_pages: int = 200  # pages read per document (reports run to a few hundred)
    max_document_seconds: float = 20.0  # reading time per document: one odd PDF cannot stall
    max_page_seconds: float = 10.0  # reading time per page (parse and normalize)
    max_nesting_depth: int = 512  # deeper pages are skipped (browsers stop nesting at 512 too)
    max_body_chars: int = 500_000  # page text kept per record, like a document's
    max_record_terms: int = 25_000  # distinct words kept per record (page and its documents)
    max_queued_urls: int = 100_000  # sitemap URLs held per site and run
    max_crawl_memory_mb: int = 1024  # a site crawl that grows past this stops, incomplete
    max_site_seconds: float = 12 * 3600.0  # a site crawl stops (incomplete) after this long
    max_run_seconds: float = 23 * 3600.0  # a refresh starts no crawl after this, stops the rest


@dataclass(frozen=True)
class Site:
    """One crawlable site (usually one host)."""

    name: str  # short id: "nij", "ojp"...
    agency: str  # default agency of its pages (one of index.records.AGENCIES)
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    sitemaps: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()  # regexes searched in path+query; empty = allow all
    deny: tuple[str, ...] = ()  # regexes searched in path+query; deny wins over allow
    kinds: tuple[tuple[str, str], ...] = ()  # (regex, content_type) page-kind rules, first wins

    @cached_property
    def schemes_and_ports(self) -> frozenset[tuple[str, int]]:
        """The (scheme, port) pairs of the site's origins: those its start URLs and sitemaps
        name, or http on 80 and https on 443 when those name only default ports."""
        named = {(o[0], o[2]) for o in map(origin_of, (*self.start_urls, *self.sitemaps)) if o}
        defaults = frozenset(DEFAULT_PORTS.items())
        return defaults if named <= defaults else frozenset(named)

    @cached_property
    def ports(self) -> frozenset[int]:
        return frozenset(port for _, port in self.schemes_and_ports)

    def allows_host(self, url: str) -> bool:
        """True when ``url`` is on one of the site's origins: scheme, host and port (default
        ports made explicit), each host an exact name of ``allowed_hosts``."""
        origin = origin_of(url)
        return (
            origin is not None
            and origin[1] in self.allowed_hosts
            and (origin[0], origin[2]) in self.schemes_and_ports
        )

    def allows(self, url: str) -> bool:
        """True when ``url`` is on an allowed host and passes the allow and deny rules."""
        if not self.allows_host(url):
            return False
        target = path_and_query(url)
        if any(re.search(pattern, target) for pattern in self.deny):
            return False
        return not self.allow or any(re.search(pattern, target) for pattern in self.allow)

    def kind_of(self, url: str) -> str | None:
        """The content type the first matching ``kinds`` rule gives ``url``, else None."""
        target = path_and_query(url)
        for pattern, kind in self.kinds:
            if re.search(pattern, target):
                return kind
        return None


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL, the default port made explicit; None for other
    schemes and for ports that cannot be."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    return scheme, host, DEFAULT_PORTS[scheme] if port is None else port


def path_and_query(url: str) -> str:
    """The part of ``url`` that allow, deny and kind rules are matched against."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


# -- built-in OJP sites --------------------------------------------------------------------------

#: Pager cap: listing pages beyond ``?page=49`` are endless archives the sitemap already covers.
MAX_LISTING_PAGE = 49

#: URLs no OJP site should spend requests on.
COMMON_DENY = (
    r"^/media/image/",  # image media pages: a picture and a caption
    r"^/multimedia/",  # audio/video pages and their transcripts
    r"(^|/)search(/|$|\?)",  # site-search result pages
    r"\?(?!page=\d+$)",  # faceted listings: any query other than a bare ?page=N
    r"[?&]page=([5-9]\d|\d{3,})$",  # endless pagers beyond MAX_LISTING_PAGE
    r"(^|/)calendar(/|$)",  # calendar views generate a page per day, forever
    r"^/events/\d{4}-\d{2}(-\d{2})?$",  # date-archive event views
    r"^/(user|admin)(/|$)",  # Drupal account and admin pages
    r"^/node/\d+/",  # Drupal node sub-pages (edit, revisions)
    r"^/(es|fr|zh-hans|vi)/",  # machine-translated duplicates of English pages
    # the file tree holds documents and images, not pages; archived HTML pages there are pages
    r"^/sites/g/files/(?![^/]+/files/archives/[^?#]+\.html?$)",
)

#: Page-kind rules shared by every bureau host; first match wins.
BUREAU_KINDS = (
    (r"^/library/publications/", "publication"),
    (r"^/ncjrs/virtual-library/abstracts/", "publication"),
    (r"^/topics/articles/", "article"),
    (r"^/(taxonomy/term|topics)(/|$)", "topic"),
    (r"^/funding(/|$)", "funding"),
    (r"^/events(/|$)", "event"),
    (r"^/news/(news-releases?|press-releases?)(/|$)", "news"),
    (r"^/(news/)?(ojp)?blogs?(/|$)", "blog"),
    (r"^/announcements?(/|$)", "announcement"),
    (r"^/(programs?|about)(/|$)", "program"),
    (r"^/feature/", "feature"),
)


def bureau_site(name: str, agency: str, host: str, *listings: str) -> Site:
    """A bureau site on ``host``: its home page and ``listings`` as start URLs, its sitemap."""
    base = f"https://{host}"
    return Site(
        name=name,
        agency=agency,
        start_urls=(f"{base}/", *(f"{base}{path}" for path in listings)),
        allowed_hosts=(host,),
        sitemaps=(f"{base}/sitemap.xml",),
        deny=COMMON_DENY,
        kinds=BUREAU_KINDS,
    )


BUILTIN_SITES: tuple[Site, ...] = (
    replace(
        bureau_site(
            "ojp",
            "OJP",
            "www.ojp.gov",
            "/library/publications",
            "/ncjrs/virtual-library/abstracts",
            "/news/ojp-blogs",
            "/events",
            "/funding",
        ),
        allowed_hosts=("www.ojp.gov", "ojp.gov"),
        kinds=(
            (r"^/news/news-releases?/", "news"),
            (r"^/news/(ojp-?blogs|infocus)", "blog"),
            (r"^/archives/ojp-blogs", "blog"),
            *BUREAU_KINDS,
        ),
    ),
    bureau_site("nij", "NIJ", "nij.ojp.gov", "/library/publications", "/topics", "/funding"),
    bureau_site("ovc", "OVC", "ovc.ojp.gov", "/library/publications", "/funding", "/news"),
    bureau_site("ojjdp", "OJJDP", "ojjdp.ojp.gov", "/library/publications", "/funding"),
    bureau_site("bja", "BJA", "bja.ojp.gov", "/library/publications", "/funding", "/topics"),
    bureau_site("bjs", "BJS", "bjs.ojp.gov", "/library/publications", "/topics"),
    bureau_site("smart", "SMART", "smart.ojp.gov", "/library/publications", "/funding"),
)


# -- the loaded configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class SiteConfig:
    """The sites a run may crawl, and the crawl settings they share."""

    sites: dict[str, Site]
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    file_sites: tuple[str, ...] = ()  # names the sites file defines, in file order
    path: Path | None = None

    def select(self, names: Sequence[str] | None = None) -> list[Site]:
        """The named sites; ``None`` means the sites the file defines, else (no file, or a file
        with only a ``[crawl]`` table) every site."""
        if names is None:
            chosen = list(self.file_sites or self.sites)
        else:
            chosen = list(dict.fromkeys(names))
        unknown = [name for name in chosen if name not in self.sites]
        if unknown:
            raise SiteConfigError(
                f"unknown site '{unknown[0]}'. Known sites: {', '.join(self.sites)}."
            )
        return [self.sites[name] for name in chosen]


def load_sites(path: Path | None = None) -> SiteConfig:
    """The built-in sites, overridden and extended by the sites file at ``path`` if given."""
    builtins = {site.name: site for site in BUILTIN_SITES}
    if path is None:
        return SiteConfig(sites=builtins)
    document = read_toml(path)
    label = str(path)
    unknown = sorted(set(document) - {"site", "crawl"})
    if unknown:
        raise SiteConfigError(
            f"{label}: unknown table '{unknown[0]}'. Tables: [[site]] and [crawl]."
        )
    crawl = parse_crawl_settings(label, document.get("crawl", {}))
    tables = document.get("site", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise SiteConfigError(f"{label}: 'site' must be an array of tables, written [[site]].")
    sites = dict(builtins)
    file_sites: list[str] = []
    for number, table in enumerate(tables, start=1):
        site = parse_site(label, number, table, builtins)
        if site.name in file_sites:
            raise SiteConfigError(f"{label}: site '{site.name}': defined twice.")
        file_sites.append(site.name)
        sites[site.name] = site
    return SiteConfig(sites=sites, crawl=crawl, file_sites=tuple(file_sites), path=path)


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed sites file, or a SiteConfigError naming the file (and the line when syntax)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SiteConfigError(f"{path}: no such sites file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteConfigError(f"{path}: cannot read the sites file ({exc}).") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, where = split_toml_error(str(exc))
        raise SiteConfigError(f"{path}: {where}: not valid TOML: {message}.") from None
    except RecursionError:
        raise SiteConfigError(
            f"{path}: not a sites file: arrays or tables nested too deeply."
        ) from None


def split_toml_error(text: str) -> tuple[str, str]:
    """("Invalid value", "line 3") from tomllib's "Invalid value (at line 3, column 7)"."""
    match = re.search(r"\s*\(at (?:line (\d+), column \d+|(end of document))\)$", text)
    if match is None:
        return text, "somewhere"
    where = f"line {match.group(1)}" if match.group(1) else "end of file"
    return text[: match.start()], where


# -- validation ----------------------------------------------------------------------------------

SITE_FIELDS = tuple(f.name for f in fields(Site))
REQUIRED_SITE_FIELDS = ("agency", "start_urls", "allowed_hosts")
HOST_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")


def parse_site(
    label: str, number: int, table: dict[str, Any], builtins: Mapping[str, Site]
) -> Site:
    """One ``[[site]]`` table as a Site; fields a built-in of the same name has may be omitted."""
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise SiteConfigError(f"{label}: site #{number}: field 'name': missing or not a string.")
    where = f"{label}: site '{name}'"
    if not NAME_PATTERN.match(name):
        raise SiteConfigError(
            f"{where}: field 'name': use lower-case letters, digits, '-' and '_' only."
        )
    unknown = [key for key in table if key not in SITE_FIELDS]
    if unknown:
        raise SiteConfigError(
            f"{where}: unknown field '{unknown[0]}'. Fields: {', '.join(SITE_FIELDS)}."
        )
    base = builtins.get(name)
    if base is None:
        missing = [key for key in REQUIRED_SITE_FIELDS if key not in table]
        if missing:
            raise SiteConfigError(f"{where}: field '{missing[0]}': missing (a new site needs it).")
    values: dict[str, Any] = {"name": name}
    agency = table.get("agency", base.agency if base else None)
    values["agency"] = check_agency(where, agency)
    for key in ("allowed_hosts", "start_urls", "sitemaps", "allow", "deny"):
        if key in table:
            values[key] = check_strings(where, key, table[key])
        else:
            values[key] = getattr(base, key) if base else ()
    values["allowed_hosts"] = check_hosts(where, values["allowed_hosts"])
    if not values["allowed_hosts"]:
        raise SiteConfigError(f"{where}: field 'allowed_hosts': list at least one host.")
    for key in ("start_urls", "sitemaps"):
        check_urls(where, key, values[key], values["allowed_hosts"])
    if not values["start_urls"] and not values["sitemaps"]:
        raise SiteConfigError(f"{where}: field 'start_urls': list at least one URL.")
    for key in ("allow", "deny"):
        for pattern in values[key]:
            check_regex(where, key, pattern)
    values["kinds"] = (
        check_kinds(where, table["kinds"]) if "kinds" in table else (base.kinds if base else ())
    )
    return Site(**values)


def check_agency(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SiteConfigError(
            f"{where}: field 'agency': expected a string, got {kind_name(value)}."
        )
    if value not in AGENCIES:
        raise SiteConfigError(
            f"{where}: field 'agency': unknown agency '{value}'. Agencies: {', '.join(AGENCIES)}."
        )
    return value


def check_strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SiteConfigError(
            f"{where}: field '{key}': expected a list of strings, got {kind_name(value)}."
        )
    return tuple(value)


def check_hosts(where: str, hosts: Iterable[str]) -> tuple[str, ...]:
    checked = []
    for host in hosts:
        if not (HOST_PATTERN.match(host) or is_ip_address(host)) or host != host.lower():
            raise SiteConfigError(
                f"{where}: field 'allowed_hosts': bad host '{host}': "
                "write a lower-case host name or IP address, without scheme, port or path."
            )
        checked.append(host)
    return tuple(checked)


def check_urls(where: str, key: str, urls: Iterable[str], hosts: Sequence[str]) -> None:
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SiteConfigError(
                f"{where}: field '{key}': bad URL '{url}': write an absolute http(s) URL."
            )
        if parts.hostname.rstrip(".") not in hosts:
            raise SiteConfigError(
                f"{where}: field '{key}': '{url}' is not on an allowed host "
                f"({', '.join(hosts)}); add its host to allowed_hosts."
            )


def check_regex(where: str, key: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise SiteConfigError(
            f"{where}: field '{key}': bad regular expression '{pattern}': {exc.msg}"
        ) from None


def check_kinds(where: str, value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, dict):
        pairs: list[Any] = list(value.items())
    elif isinstance(value, list):
        pairs = value
    else:
        pairs = [value]
    rules = []
    for pair in pairs:
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(part, str) for part in pair)
        ):
            raise SiteConfigError(
                f"{where}: field 'kinds': expected [regex, content type] pairs, got {pair!r}."
            )
        pattern, kind = pair
        check_regex(where, "kinds", pattern)
        if kind not in CONTENT_TYPES:
            raise SiteConfigError(
                f"{where}: field 'kinds': unknown content type '{kind}'. "
                f"Types: {', '.join(CONTENT_TYPES)}."
            )
        rules.append((pattern, kind))
    return tuple(rules)


#: CrawlSettings fields and the TOML value types each accepts.
CRAWL_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "float": (int, float),
    "int": (int,),
    "bool": (bool,),
}

#: The range of every number in the [crawl] table, (lowest, highest), both included, except
#: for the fields in POSITIVE_FIELDS, which must be more than their lowest (0).
CRAWL_RANGES: dict[str, tuple[float, float]] = {
    "download_delay": (0, 60),
    "concurrency_per_host": (1, 64),
    "timeout": (0, 600),
    "max_page_bytes": (1, 1024**3),
    "max_pages": (1, 10_000_000),
    "depth_limit": (0, 1000),
    "retries": (0, 10),
    "revalidate_days": (1, 1_000_000),
    "miss_limit": (1, 1000),
    "max_removal_share": (0, 1),
    "removal_floor": (0, 1_000_000),
    "max_documents": (0, 10_000_000),
    "max_document_bytes": (1, 1024**3),
    "max_document_pages": (1, 100_000),
    "max_document_seconds": (0, 3600),
    "max_page_seconds": (0, 600),
    "max_nesting_depth": (16, 100_000),
    "max_body_chars": (1, 100_000_000),
    "max_record_terms": (1, 10_000_000),
    "max_queued_urls": (1, 100_000_000),
    "max_crawl_memory_mb": (64, 1_000_000),
    "max_site_seconds": (0, 7 * 24 * 3600),
    "max_run_seconds": (0, 7 * 24 * 3600),
}
POSITIVE_FIELDS = frozenset(
    {"timeout", "max_document_seconds", "max_page_seconds", "max_site_seconds", "max_run_seconds"}
)


def parse_crawl_settings(label: str, table: Any) -> CrawlSettings:
    """The ``[crawl]`` table as CrawlSettings (unset fields keep their defaults)."""
    where = f"{label}: [crawl]"
    if not isinstance(table, dict):
        raise SiteConfigError(f"{where}: must be a table, written [crawl].")
    known = {f.name: str(f.type) for f in fields(CrawlSettings)}
    values: dict[str, Any] = {}
    value: Any
    for key, value in table.items():
        if key not in known:
            raise SiteConfigError(f"{where}: unknown field '{key}'. Fields: {', '.join(known)}.")
        accepted = CRAWL_FIELD_TYPES[known[key]]
        if not isinstance(value, accepted) or (isinstance(value, bool) and bool not in accepted):
            raise SiteConfigError(
                f"{where}: field '{key}': expected {known[key]}, got {kind_name(value)}."
            )
        check_crawl_range(where, key, value)
        values[key] = float(cast(float, value)) if known[key] == "float" else value
    return CrawlSettings(**values)


def check_crawl_range(where: str, key: str, value: Any) -> None:
    """Every number finite and in its range (``CRAWL_RANGES``); the user agent not empty."""
    if key == "user_agent" and not value.strip():
        raise SiteConfigError(f"{where}: field 'user_agent': must not be empty.")
    if key not in CRAWL_RANGES:
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise SiteConfigError(f"{where}: field '{key}': must be a finite number, got {value}.")
    lowest, highest = CRAWL_RANGES[key]
    if key == "max_removal_share" and not lowest <= value <= highest:
        raise SiteConfigError(
            f"{where}: field 'max_removal_share': must be between 0 and 1, got {value}."
        )
    if key in POSITIVE_FIELDS and value <= lowest:
        raise SiteConfigError(f"{where}: field '{key}': must be more than {lowest}, got {value}.")
    if value < lowest:
        raise SiteConfigError(f"{where}: field '{key}': must be at least {lowest}, got {value}.")
    if value > highest:
        raise SiteConfigError(
            f"{where}: field '{key}': must be at most {highest:,}, got {shorten(value)}."
        )


def shorten(value: float) -> str:
    """A number as an error message shows it: a huge integer as its first digits."""
    text = str(value)
    return text if len(text) <= 20 else f"{text[:12]}... ({len(text)} digits)"


def kind_name(value: Any) -> str:
    """How a TOML value's type is named in error messages."""
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a float"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
