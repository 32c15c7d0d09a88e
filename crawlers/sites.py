"""Site definitions: which hosts to crawl, where to start, which URLs to keep, how politely.

Built-in definitions cover the OJP family; a sites file (TOML) overrides or adds sites. A file is
validated field by field before any request, and a bad one raises ``SiteConfigError`` naming the
file, the site and the field.
"""

from __future__ import annotations

from dataclasses import dataclass


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
