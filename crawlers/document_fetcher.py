"""Linked documents in a crawl: the PDFs a fetched page links, read into the page's record.

For each PDF a page lists as an attachment (on one of the site's hosts), ``DocumentFetcher``
downloads the file through the same downloader as pages (robots.txt, the host guard, the polite
delay, retries), within ``max_document_bytes``, and reads its text with ``crawlers.documents``
(page and time caps) in a worker thread, so the crawl keeps going meanwhile. The page's result
waits for its documents: one record carries the page and the text of what it links.

Requests are conditional like pages: when the page's stored record already holds a document's
text, the stored ETag / Last-Modified go along and a 304 keeps that text. A document that
cannot be had for a passing reason (5xx, timeout, the ``max_documents`` cap) keeps its stored
text too; one that cannot be read (encrypted, corrupt, scanned, over the size cap) is kept with
its reason in ``Attachment.error``. Nothing a document does fails the page or the run.

Each download also yields a ``FetchResult`` of its own, so the store keeps the document's
validators (outcome ``document``), marks it gone (404 / 410) or lists it as failing.
"""

from __future__ import annotations

import logging
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from urllib.parse import urldefrag, urlsplit

from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from crawlers.documents import (
    Caps,
    Extraction,
    is_readable_document_url,
    merge_attachment,
    read_document,
    readable_size,
)
from crawlers.history import CrawlHistory
from crawlers.responses import GONE_STATUSES, classify_error, header_map, response_validators
from crawlers.sites import CrawlSettings, Site
from index.records import Attachment, FetchResult, Record
from index.urls import canonical_url

logger = logging.getLogger(__name__)

#: Documents read in this crawl, kept for other pages that link them (a few reports are linked
#: from many pages; the text of the rest is not worth the memory).
RECENT_DOCUMENTS = 64

#: How the fetcher downloads: the crawl engine's ``download_async`` (robots.txt, the host
#: guard, the polite delay and retries all apply).
Download = Callable[[Request], Awaitable[Response]]


def is_pdf_url(url: str) -> bool:
    """True for links to PDF files. Plain-text files are crawled as pages of their own."""
    return is_readable_document_url(url) and urlsplit(url).path.lower().endswith(".pdf")


class DocumentFetcher:
    """Reads the documents of one site crawl; see the module docstring."""

    def __init__(self, site: Site, crawl: CrawlSettings, history: CrawlHistory, download: Download):
        self.site = site
        self.crawl = crawl
        self.history = history
        self.download_response = download
        self.caps = Caps(
            max_pages=crawl.max_document_pages,
            max_seconds=crawl.max_document_seconds,
            max_bytes=crawl.max_document_bytes,
        )
        self.counts: Counter[str] = Counter()  # what happened to the documents, for the log
        self.requested = 0
        self.attached: set[str] = set()  # canonical URLs of documents that fetched pages link
        self.recent: OrderedDict[str, Attachment] = OrderedDict()
        self.waiting: dict[str, list[Deferred[Attachment]]] = {}  # pages awaiting a download

    # -- which documents ---------------------------------------------------------------------------
    def wants(self, url: str) -> bool:
        """True for a PDF on one of the site's hosts, when the crawl reads documents."""
        return self.crawl.fetch_documents and self.site.allows_host(url) and is_pdf_url(url)

    # -- a page's documents ------------------------------------------------------------------------
    async def attach(self, record: Record) -> tuple[Record, list[FetchResult]]:
        """``record`` with the text of the PDFs it links, and the documents' own results."""
        targets = [a for a in record.attachments if self.wants(a.url)]
        self.attached.update(canonical_url(a.url) for a in targets)
        if not targets:
            return record, []
        previous = self.history.previous_attachments(record.url)
        results: list[FetchResult] = []
        for attachment in targets:
            read, result = await self.read(attachment, previous.get(canonical_url(attachment.url)))
            record = merge_attachment(record, read)
            if result is not None:
                results.append(result)
        return record, results

    async def read(
        self, attachment: Attachment, previous: Attachment | None
    ) -> tuple[Attachment, FetchResult | None]:
        """The attachment read (or kept from ``previous``), and the document's own result."""
        key = canonical_url(attachment.url)
        if key in self.recent:
            self.recent.move_to_end(key)
            return self.recent[key], None
        if key in self.waiting:  # another page is downloading it right now
            waiter: Deferred[Attachment] = Deferred()
            self.waiting[key].append(waiter)
            return await maybe_deferred_to_future(waiter), None
        self.waiting[key] = []
        read = previous or attachment
        try:
            read, result = await self.download(attachment, previous, key)
        finally:
            for waiter in self.waiting.pop(key):
                waiter.callback(read)
        return read, result

    async def download(
        self, attachment: Attachment, previous: Attachment | None, key: str
    ) -> tuple[Attachment, FetchResult | None]:
        """Download and read one document, within the ``max_documents`` cap."""
        if self.requested >= self.crawl.max_documents:
            if not self.counts["over max_documents"]:
                logger.warning(
                    "%s: stopped reading documents at max_documents (%d)",
                    self.site.name,
                    self.requested,
                )
            self.counts["over max_documents"] += 1
            return previous or attachment, None
        self.requested += 1
        request = self.document_request(attachment.url, conditional=previous is not None)
        try:
            response = await self.download_response(request)
        except Exception as exc:
            return self.failed(attachment, previous, key, exc)
        read, result = await self.answer(attachment, previous, response)
        self.remember(key, read)
        return read, result

    def document_request(self, url: str, *, conditional: bool) -> Request:
        crawl = self.crawl
        return Request(
            urldefrag(url)[0],
            callback=NO_CALLBACK,
            meta={
                "document": True,
                "conditional": conditional,
                "download_maxsize": crawl.max_document_bytes,
                "download_warnsize": max(crawl.max_document_bytes // 3, 1),
            },
        )

    async def answer(
        self, attachment: Attachment, previous: Attachment | None, response: Response
    ) -> tuple[Attachment, FetchResult]:
        """The attachment and result for a document's response (any status)."""
        url = canonical_url(response.url)
        stored = self.history.validators(response.url)
        etag, last_modified = response_validators(response, stored)
        if response.status == 304 and previous is not None:
            self.counts["not modified"] += 1
            return previous, FetchResult(
                url, "document", http_status=304, etag=etag, last_modified=last_modified
            )
        if response.status in GONE_STATUSES:
            self.counts["gone"] += 1
            error = f"HTTP {response.status}"
            logger.info("Document %s: %s", response.url, error)
            return replace(attachment, error=error), FetchResult(
                url, "gone", http_status=response.status, error=error
            )
        if not 200 <= response.status < 300:
            error = f"HTTP {response.status}"
            self.counts["failed"] += 1
            logger.warning("Document %s failed: %s", response.url, error)
            kept = previous or replace(attachment, error=error)
            return kept, FetchResult(url, "failed", http_status=response.status, error=error)
        extraction = await self.extract(attachment, response)
        read = extraction.attachment
        result = FetchResult(
            url,
            "document",
            http_status=response.status,
            etag=etag,
            last_modified=last_modified,
            error=read.error,
        )
        return replace(read, url=attachment.url), result

    async def extract(self, attachment: Attachment, response: Response) -> Extraction:
        """The document's text, read in a worker thread (the reactor keeps downloading)."""
        headers: Mapping[str, str] = header_map(response)
        deferred = deferToThread(
            read_document,
            response.url,
            response.body,
            headers,
            title=attachment.title,
            caps=self.caps,
        )
        extraction: Extraction = await maybe_deferred_to_future(deferred)
        read = extraction.attachment
        self.counts["unreadable" if read.error and not read.text else "read"] += 1
        logger.debug(
            "Document %s: %d of %s pages read%s",
            response.url,
            extraction.pages_read,
            extraction.attachment.pages,
            f" ({extraction.attachment.error})" if extraction.attachment.error else "",
        )
        return extraction

    def failed(
        self, attachment: Attachment, previous: Attachment | None, key: str, exc: Exception
    ) -> tuple[Attachment, FetchResult | None]:
        """A download that raised: refused (robots.txt, off the site), too big, or failed."""
        if isinstance(exc, IgnoreRequest):  # never requested: the document is not ours to read
            reason = classify_error(exc, self.crawl)[1]
            self.counts[reason.split(" (", 1)[0]] += 1
            logger.info("Document %s not fetched: %s", attachment.url, reason)
            return replace(attachment, text="", pages=None, error=reason), None
        if isinstance(exc, DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in str(exc):
            reason = f"over size cap ({readable_size(self.caps.max_bytes)})"
            self.counts["over size cap"] += 1
            logger.info("Document %s skipped: %s", attachment.url, reason)
            return replace(attachment, text="", pages=None, error=reason), None
        _, reason, status = classify_error(exc, self.crawl)
        self.counts["failed"] += 1
        logger.warning("Document %s failed: %s", attachment.url, reason)
        kept = previous or replace(attachment, error=reason)
        return kept, FetchResult(key, "failed", http_status=status, error=reason)

    def remember(self, key: str, attachment: Attachment) -> None:
        self.recent[key] = attachment
        self.recent.move_to_end(key)
        while len(self.recent) > RECENT_DOCUMENTS:
            self.recent.popitem(last=False)

    def summary(self) -> dict[str, int]:
        """What happened to the crawl's documents: {"read": 12, "not modified": 30, ...}."""
        return dict(sorted(self.counts.items()))
