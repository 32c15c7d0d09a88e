"""Downloader middlewares: where a request may go, what it tells the server, how it is retried."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import TYPE_CHECKING, Any, Protocol

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from crawlers.urls import canonical_url, is_ip_or_local

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from crawlers.sites import Site

logger = logging.getLogger(__name__)


class OffsiteRequest(IgnoreRequest):
    """A request (usually a redirect) to a host or scheme the site does not allow."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL already in the request's redirect chain."""


class PrivateAddress(IgnoreRequest):
    """A host name that resolved to a private, loopback or link-local address."""


class SiteSpider(Protocol):
    """What the middlewares need from the spider."""

    site: Site

    def validators_for(self, url: str) -> tuple[str | None, str | None]: ...


def spider_of(crawler: Crawler) -> SiteSpider | None:
    spider = crawler.spider
    return spider if hasattr(spider, "site") else None  # type: ignore[return-value]


class HostGuardMiddleware:
    """Nothing leaves the site: every request, redirects and robots.txt included, must be http(s)
    on one of the site's ``allowed_hosts`` (exact names); redirect loops stop at the first repeat;
    a response from a private or link-local address is dropped unless the site names that
    address itself (a local mirror on 127.0.0.1 does)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = spider_of(self.crawler)
        if spider is None:
            return
        if not spider.site.allows_host(request.url):
            host = urlparse_cached(request).hostname or request.url
            via = " (redirect)" if request.meta.get("redirect_urls") else ""
            logger.info("Not following %s%s: host %s is not allowed", request.url, via, host)
            raise OffsiteRequest(f"offsite: {host} is not an allowed host")
        chain = request.meta.get("redirect_urls") or []
        if chain and canonical_url(request.url) in {canonical_url(url) for url in chain}:
            logger.info("Redirect loop at %s after %d redirects", request.url, len(chain))
            raise RedirectLoop(f"redirect loop at {request.url}")

    def process_response(self, request: Request, response: Response) -> Response:
        spider = spider_of(self.crawler)
        address = response.ip_address
        if spider is None or address is None:
            return response
        host = urlparse_cached(request).hostname or ""
        if is_non_public(address) and not (
            is_ip_or_local(host) and host in spider.site.allowed_hosts
        ):
            logger.warning("Dropped %s: %s resolved to non-public %s", request.url, host, address)
            raise PrivateAddress(f"{host} resolved to non-public address {address}")
        return response


def is_non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_private or address.is_loopback or address.is_link_local


class ConditionalRequestMiddleware:
    """Sends the stored ETag and Last-Modified of a page as If-None-Match / If-Modified-Since, so
    an unchanged page answers 304 with no body. Every (re)request gets the validators of its own
    URL: a redirect does not carry the previous URL's validators along."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        request.headers.pop(b"If-None-Match", None)
        request.headers.pop(b"If-Modified-Since", None)
        spider = spider_of(self.crawler)
        if spider is None or not request.meta.get("page"):
            return
        etag, last_modified = spider.validators_for(request.url)
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
        attempt = retry.meta.get("retry_times", 1)
        delay = min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)
        if delay > 0:
            await asyncio.sleep(delay)
