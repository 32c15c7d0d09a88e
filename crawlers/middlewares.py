"""Downloader middlewares: where a request may go, what it tells the server, how it is retried."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import TYPE_CHECKING, Any, Protocol

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached

from crawlers.sites import origin_of
from index.urls import canonical_url, is_ip_or_local

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from crawlers.history import CrawlHistory
    from crawlers.sites import Site

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OffsiteRequest(IgnoreRequest):
    """A request (usually a redirect) to a host or scheme the site does not allow."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the request's redirect chain."""


class PrivateAddress(IgnoreRequest):
    """A host name that resolved to a private, loopback or link-local address."""


class SiteSpider(Protocol):
    """What the middlewares need from the spider."""

    site: Site
    history: CrawlHistory


def spider_of(crawler: Crawler) -> SiteSpider | None:
    spider = crawler.spider
    return spider if hasattr(spider, "site") else None  # type: ignore[return-value]


class HostGuardMiddleware:
    """Nothing leaves the site: every request, each redirect hop, meta refresh and robots.txt
    included, must be on one of the site's origins (scheme, exact host name and port, see
    ``Site.allows_host``); redirect loops stop at the first repeat.

    A host name that resolves to a non-public address (private, loopback, link-local, carrier-
    grade NAT, NAT64, IPv4-mapped, ... see ``is_non_public``) is refused before any connection is
    made, unless the site names that address itself (a local mirror on 127.0.0.1 does). The
    name is resolved with the crawl's own caching resolver, so the connection that follows uses
    the address checked; responses are checked again on arrival.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.addresses: dict[str, IPAddress | None] = {}  # host name -> address (None: unknown)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        spider = spider_of(self.crawler)
        if spider is None:
            return
        host = urlparse_cached(request).hostname or ""
        if not spider.site.allows_host(request.url):
            via = " (redirect)" if request.meta.get("redirect_urls") else ""
            logger.info("Not following %s%s: not on the site", request.url, via)
            raise OffsiteRequest(offsite_reason(spider.site, request.url, host))
        chain = request.meta.get("redirect_urls") or []
        if chain and canonical_url(request.url) in {canonical_url(url) for url in chain}:
            logger.info("Redirect loop at %s after %d redirects", request.url, len(chain))
            raise RedirectLoop(f"redirect loop at {request.url}")
        if is_ip_or_local(host):
            return  # an address or localhost the site lists itself
        address = await self.resolve(host)
        if address is not None and is_non_public(address):
            logger.warning(
                "Not requesting %s: %s resolves to non-public %s", request.url, host, address
            )
            raise PrivateAddress(f"{host} resolves to non-public address {address}")

    async def resolve(self, host: str) -> IPAddress | None:
        """The address ``host`` resolves to (None when it does not resolve: the download will
        report that itself)."""
        if host not in self.addresses:
            from twisted.internet import reactor

            resolver: Any = reactor
            try:
                text = await maybe_deferred_to_future(resolver.resolve(host))
                self.addresses[host] = ipaddress.ip_address(text)
            except Exception as exc:  # DNS failures take several forms
                logger.debug("Could not resolve %s: %s", host, exc)
                self.addresses[host] = None
        return self.addresses[host]

    def process_response(self, request: Request, response: Response) -> Response:
        spider = spider_of(self.crawler)
        address = response.ip_address
        if spider is None or address is None:
            return response
        host = urlparse_cached(request).hostname or ""
        if is_non_public(address) and not (
            is_ip_or_local(host) and host in spider.site.allowed_hosts
        ):
            logger.warning("Dropped %s: %s resolves to non-public %s", request.url, host, address)
            raise PrivateAddress(f"{host} resolves to non-public address {address}")
        return response


def offsite_reason(site: Site, url: str, host: str) -> str:
    if host and host.rstrip(".") in site.allowed_hosts:
        origin = origin_of(url)
        where = f"{origin[0]}://{host}:{origin[2]}" if origin else url
        return f"offsite: {where} is not an allowed origin"
    return f"offsite: {host or url} is not an allowed host"


#: The IANA special-purpose ranges a public web site never lives in, and the ranges that reach
#: other addresses through translation (NAT64, 6to4, Teredo).
NON_PUBLIC_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/127",  # unspecified and loopback
        "::ffff:0:0/96",  # IPv4-mapped
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo among them)
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "ff00::/8",  # multicast
    )
)


def is_non_public(address: IPAddress) -> bool:
    """True for any address outside the public internet (see ``NON_PUBLIC_NETWORKS``)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return True
    return not address.is_global or any(
        address.version == network.version and address in network for network in NON_PUBLIC_NETWORKS
    )


class ConditionalRequestMiddleware:
    """Sends the stored ETag and Last-Modified of a page as If-None-Match / If-Modified-Since, so
    an unchanged page answers 304 with no body. Documents get them too when their request is
    marked ``conditional`` (a stored copy of their text can stand in for the body). Every
    (re)request gets the validators of its own URL: a redirect does not carry the previous URL's
    validators along."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        request.headers.pop(b"If-None-Match", None)
        request.headers.pop(b"If-Modified-Since", None)
        spider = spider_of(self.crawler)
        if spider is None or not (request.meta.get("page") or request.meta.get("conditional")):
            return
        etag, last_modified = spider.history.validators(request.url)
        if etag:
            request.headers[b"If-None-Match"] = etag
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (5xx, 408, 429 and network errors), each one waiting twice as long as the
    one before: ``RETRY_BACKOFF_BASE`` seconds, then twice that, up to ``RETRY_BACKOFF_MAX``."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 0.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self.wait_before(result)
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Any:  # type: ignore[override]
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self.wait_before(result)
        return result

    async def wait_before(self, retry: Request) -> None:
        delay = self.backoff_delay(retry.meta.get("retry_times", 1))
        if delay > 0:
            await asyncio.sleep(delay)

    def backoff_delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        return min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)
