"""What a response (or a failed request) says before its body is read: status, redirects,
validators, media type, and the reason a request ended in an error.

Shared by every page, document and sitemap a crawl fetches; no state, no store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from crawlers.history import Validators
from crawlers.middlewares import OffsiteRequest, PrivateAddress, RedirectLoop
from crawlers.sites import CrawlSettings
from index.urls import canonical_url

#: Statuses the page and document callbacks handle themselves; other errors go to the errback.
HANDLED_STATUSES = [304, 404, 410]

#: Statuses that say the resource is no longer there.
GONE_STATUSES = (404, 410)


@dataclass(frozen=True)
class Arrival:
    """A response as its status and headers describe it, before its body is read."""

    url: str  # canonical final URL
    chain: list[str]  # canonical URLs redirected from
    common: dict[str, Any]  # result fields every outcome carries
    etag: str | None
    last_modified: str | None
    settled: str | None  # the outcome when the status alone decides it (304, 404, 410)


def read_arrival(response: Response, stored: Validators) -> Arrival:
    """What a page or document response says before its body is read; ``stored`` are the
    validators the request was sent with."""
    chain = [canonical_url(url) for url in response.meta.get("redirect_urls", [])]
    common: dict[str, Any] = {
        "http_status": response.status,
        "sitemap_lastmod": response.meta.get("sitemap_lastmod"),
    }
    etag, last_modified = response_validators(response, stored)
    settled = None
    if response.status == 304:
        settled = "not_modified"
    elif response.status in GONE_STATUSES:
        settled = "gone"
    return Arrival(canonical_url(response.url), chain, common, etag, last_modified, settled)


def header_map(response: Response) -> dict[str, str]:
    """Response headers as ``{name: value}``; repeated headers joined with ", "."""
    return {
        key.decode("latin-1"): ", ".join(v.decode("latin-1") for v in values)
        for key, values in response.headers.items()
    }


def response_validators(response: Response, stored: Validators) -> Validators:
    """The response's ETag and Last-Modified; on a 304 without them, the stored ones."""
    etag = response.headers.get(b"ETag")
    last_modified = response.headers.get(b"Last-Modified")
    if response.status != 304:
        stored = (None, None)
    return (
        etag.decode("latin-1") if etag else stored[0],
        last_modified.decode("latin-1") if last_modified else stored[1],
    )


def media_type_of(headers: Mapping[str, str]) -> str:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value.split(";", 1)[0].strip().lower()
    return ""


def is_page_type(media_type: str) -> bool:
    """HTML, plain text (legacy text documents), or no declared type (the body decides)."""
    return media_type in ("", "text/html", "application/xhtml+xml", "text/plain")


def classify_error(exc: BaseException | None, crawl: CrawlSettings) -> tuple[str, str, int | None]:
    """(outcome, error, HTTP status) for a request that ended in ``exc``."""
    if isinstance(exc, HttpError):
        status = exc.response.status
        location = exc.response.headers.get(b"Location")
        if 300 <= status < 400 and location:  # a scheme the redirect may not go to (file:)
            target = location.decode("latin-1")[:200]
            return "excluded", f"redirect off the site (to {target})", status
        return "failed", f"HTTP {status}", status
    if isinstance(exc, OffsiteRequest):
        return "excluded", f"redirect off the site ({exc})", None
    if isinstance(exc, RedirectLoop):
        return "failed", "redirect loop", None
    if isinstance(exc, PrivateAddress):
        return "excluded", f"private address ({exc})", None
    if isinstance(exc, DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in str(exc):
        return "excluded", f"over size cap ({crawl.max_page_bytes} bytes)", None
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "excluded", "disallowed by robots.txt", None
        if "max redirections" in text:
            return "failed", "too many redirects", None
        return "excluded", text or "ignored", None
    if isinstance(exc, DownloadTimeoutError | TwistedTimeoutError):
        return "failed", f"timeout after {crawl.timeout:g} s", None
    return "failed", describe(exc) if exc is not None else "unknown error", None


def describe(exc: BaseException) -> str:
    """A short reason for a failed download."""
    if isinstance(exc, DownloadTimeoutError | TwistedTimeoutError):
        return "timeout"
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}"[:200] if text else name
