"""The sites file (TOML) that crawls a served sample site: one ``[[site]]`` per bureau prefix.

Each table takes the built-in site's deny and kind rules (``crawlers.sites``) and moves them
under the mirror's path prefix, so a crawl of the sample site follows the production rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from crawlers.sites import Site, load_sites

BUREAUS = ("nij", "ovc", "ojjdp", "bja", "bjs", "smart")


@dataclass(frozen=True)
class SamplePrefix:
    """One mirrored host: its site name, agency, path prefix and sitemap."""

    name: str
    agency: str
    prefix: str  # "/" for www.ojp.gov, "/nij/" for nij.ojp.gov...
    sitemap: str


PREFIXES = (
    SamplePrefix("ojp", "OJP", "/", "/sitemap-ojp.xml"),
    SamplePrefix("nij", "NIJ", "/nij/", "/nij/sitemap.xml.gz"),
    SamplePrefix("ovc", "OVC", "/ovc/", "/ovc/sitemap.xml"),
    SamplePrefix("ojjdp", "OJJDP", "/ojjdp/", "/ojjdp/sitemap.xml"),
    SamplePrefix("bja", "BJA", "/bja/", "/bja/sitemap.xml"),
    SamplePrefix("bjs", "BJS", "/bjs/", "/bjs/sitemap.xml"),
    SamplePrefix("smart", "SMART", "/smart/", "/smart/sitemap.xml"),
)


def under_prefix(pattern: str, prefix: str) -> str:
    """A host-relative rule (``^/events/``) moved under a mirror prefix (``^/nij/events/``)."""
    if prefix != "/" and pattern.startswith("^/"):
        return "^" + prefix + pattern[2:]
    return pattern


def toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def site_table(base_url: str, prefix: SamplePrefix, builtin: Site) -> str:
    """The ``[[site]]`` table of one prefix: the built-in site's rules, moved under the prefix."""
    deny = tuple(under_prefix(p, prefix.prefix) for p in builtin.deny)
    if prefix.prefix == "/":
        allow: tuple[str, ...] = ()
        deny = ("^/(" + "|".join(BUREAUS) + ")/", *deny)
    else:
        allow = (f"^{prefix.prefix}",)
    kinds = ", ".join(
        toml_list((under_prefix(pattern, prefix.prefix), kind)) for pattern, kind in builtin.kinds
    )
    lines = [
        "[[site]]",
        f"name = {json.dumps(prefix.name)}",
        f"agency = {json.dumps(prefix.agency)}",
        f"start_urls = {toml_list([base_url + prefix.prefix])}",
        f"sitemaps = {toml_list([base_url + prefix.sitemap])}",
        'allowed_hosts = ["127.0.0.1"]',
        f"allow = {toml_list(allow)}",
        f"deny = {toml_list(deny)}",
        f"kinds = [{kinds}]",
    ]
    return "\n".join(lines) + "\n"


def sites_toml(base_url: str) -> str:
    """A sites file crawling the sample site at ``base_url`` quickly (no delay, no throttle)."""
    base_url = base_url.rstrip("/")
    header = (
        "# Sites file for the bundled sample site served at " + base_url + "\n"
        "[crawl]\n"
        "download_delay = 0\n"
        "autothrottle = false\n"
        "obey_robots = true\n"
        "concurrency_per_host = 8\n"
        "revalidate_days = 30\n"
    )
    builtins = load_sites().sites
    tables = "".join("\n" + site_table(base_url, p, builtins[p.name]) for p in PREFIXES)
    return header + tables
