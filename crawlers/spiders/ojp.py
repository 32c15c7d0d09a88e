"""The generic site spider: sitemaps first, then links, every response to one ``FetchResult``.

The spider fetches; ``crawlers.normalize.normalize_page`` decides what a page means. Each URL the
crawl touches ends as one ``FetchResult`` (an item), which the store pipeline stages:

- ``fetched``: a page and its Record; ``not_modified``: a 304 to the stored validators;
- ``skipped``: not requested, as its sitemap ``lastmod`` is unchanged since its last fetch;
- ``excluded``: not a resource (noindex, robots.txt, over the size cap, a redirect off the site,
  a document...); ``gone``: 404, 410 or a soft 404; ``failed``: 5xx or timeout after retries;
- ``document``: a PDF a fetched page links, read into that page's record (its validators are
  kept). The page's result waits for its documents (``crawlers.document_fetcher``); a PDF that
  only the sitemap lists becomes a record of its own, kind ``document``, once the pages are done.

Run it with ``python -m crawlers.crawl`` (what ``crawlers.runner.crawl_site`` does), or from the
repository root with ``scrapy crawl ojp -a site=nij [-a data_dir=DIR] [-a sites_file=F]
[-a run_id=N] [-a full=1]``. The data dir resolves as everywhere (flag, then
``OJP_SEARCH_DATA_DIR``, then the platform default); without ``run_id`` the spider starts a run
of its own in the store, which stays staged until applied (``Store.apply_run``).
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit, urlunsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, StopDownload
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawlers.document_fetcher import DocumentFetcher
from crawlers.documents import document_record, is_document_response
from crawlers.history import CrawlHistory
from crawlers.history import in_revalidation_slice as in_revalidation_slice  # long importable here
from crawlers.normalize import Skip, normalize_page
from crawlers.normalize.caps import cap_record
from crawlers.responses import (
    HANDLED_STATUSES,
    Arrival,
    classify_error,
    describe,
    header_map,
    is_page_type,
    media_type_of,
    read_arrival,
)
from crawlers.settings import crawl_settings
from crawlers.sitemaps import SitemapEntry, SitemapTooLarge, UnreadableSitemap, read_sitemap
from crawlers.sites import CrawlSettings, Site, load_sites, origin_of
from crawlers.time_limits import PageTimeout, time_limit
from index.datadir import DataDir
from index.records import Attachment, FetchResult, Record, record_id
from index.store import Store
from index.urls import canonical_url

logger = logging.getLogger(__name__)

#: Links to files with these extensions are attachments of the linking page, not pages to crawl
#: (the normalizer lists them; ``crawlers.document_fetcher`` reads the PDFs among them).
DOCUMENT_SUFFIXES = (
    ".pdf", ".doc", ".docx", ".rtf", ".xls", ".xlsx", ".csv", ".ppt", ".pptx", ".zip",
    ".jpg", ".jpeg", ".png", ".gif", ".svg", ".mp3", ".mp4", ".wav", ".mov", ".epub",
)  # fmt: skip

#: A sitemap index may lead to at most this many sitemaps (a loop or a trap otherwise).
MAX_SITEMAPS = 500

UNCHANGED_LASTMOD = "unchanged lastmod"
#: Skip reasons of pages whose links are not followed either: reading them any further would
#: cost what the skip saved.
RUNAWAY = ("too deeply nested",)


@dataclass(frozen=True)
class TimeLimit:
    """How long a crawl may run, and what stops it then."""

    seconds: float
    reason: str  # the crawl summary's error when the crawl is stopped at the limit

    @classmethod
    def of(cls, crawl: CrawlSettings, deadline: float | None = None) -> TimeLimit:
        """``max_site_seconds``, or the time left before the run's ``deadline`` (seconds since
        the epoch) when that is shorter."""
        site_limit = cls(
            crawl.max_site_seconds, f"stopped at max_site_seconds ({crawl.max_site_seconds:g} s)"
        )
        if deadline is None or deadline - time.time() >= crawl.max_site_seconds:
            return site_limit
        return cls(
            max(deadline - time.time(), 0.001), "stopped at the run's deadline (max_run_seconds)"
        )


@dataclass(frozen=True)
class CrawlJob:
    """Everything one crawl needs, resolved once before the spider opens."""

    site: Site
    crawl: CrawlSettings
    data_dir: DataDir
    run_id: int
    full: bool = False
    time_limit: TimeLimit | None = None  # None: the crawl's max_site_seconds

    @property
    def limit(self) -> TimeLimit:
        return self.time_limit or TimeLimit.of(self.crawl)


def resolve_job(
    site: str,
    *,
    sites_file: str | Path | None,
    data_dir: str | Path | DataDir | None,
    run_id: int | str | None,
    full: bool | str = False,
    deadline: float | None = None,
) -> CrawlJob:
    """The job for ``site``: its definition and crawl settings (validated), the data dir, the run
    and the time limit (``deadline``: when the whole run must end, in seconds since the epoch).

    Without ``run_id``, a run is started for this one site (the ``scrapy crawl`` path).
    """
    config = load_sites(Path(sites_file) if sites_file else None)
    (chosen,) = config.select([site])
    resolved = data_dir if isinstance(data_dir, DataDir) else DataDir.resolve(data_dir)
    is_full = full if isinstance(full, bool) else full.lower() in ("1", "true", "yes")
    with Store.open(resolved.ensure()) as store:
        if run_id is None:
            run_id = store.start_run([chosen.name], full=is_full)
            logger.info("Started run %d for site %s", run_id, chosen.name)
        else:
            store.require_run(int(run_id))
    limit = TimeLimit.of(config.crawl, deadline)
    return CrawlJob(chosen, config.crawl, resolved, int(run_id), is_full, limit)


@dataclass
class CrawlTally:
    """What happened in one crawl, beyond Scrapy's own stats."""

    pages: int = 0  # page requests scheduled
    outcomes: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> pages not kept
    capped: bool = False  # stopped scheduling at max_pages
    queue_full: bool = False  # stopped reading sitemaps at max_queued_urls
    problems: list[str] = field(default_factory=list)  # why discovery may have missed pages


def is_document_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(DOCUMENT_SUFFIXES)


class OjpSpider(Spider):
    """Crawls one site definition; see the module docstring."""

    name = "ojp"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> OjpSpider:
        job = kwargs.pop("job", None)
        if job is None:  # `scrapy crawl ojp -a site=...`: resolve here, apply the [crawl] table
            job = resolve_job(
                kwargs.pop("site", ""),
                sites_file=kwargs.pop("sites_file", None),
                data_dir=kwargs.pop("data_dir", None),
                run_id=kwargs.pop("run_id", None),
                full=kwargs.pop("full", False),
            )
            crawler.settings.update(crawl_settings(job.crawl), priority="spider")
        spider = super().from_crawler(crawler, *args, job=job, **kwargs)
        crawler.signals.connect(spider.stop_unwanted_download, signal=signals.headers_received)
        crawler.signals.connect(spider.request_sitemap_documents, signal=signals.spider_idle)
        return spider

    def __init__(self, job: CrawlJob, **kwargs: Any):
        super().__init__(**kwargs)
        self.job = job
        self.site = job.site
        self.tally = CrawlTally()
        self.history = CrawlHistory(
            job.data_dir, job.site.name, full=job.full, revalidate_days=job.crawl.revalidate_days
        )
        self.seen: set[str] = set()  # canonical URLs requested, skipped or already recorded
        self.start_keys = {canonical_url(url) for url in self.site.start_urls}
        self.fetcher = DocumentFetcher(self.site, job.crawl, self.history, self.download)
        #: PDFs the sitemaps list: records of their own unless a page links them.
        self.sitemap_documents: dict[str, tuple[str, str | None]] = {}
        self.sitemap_documents_requested = False
        #: Page URL -> its sitemap lastmod, kept with the page however it is reached.
        self.sitemap_lastmods: dict[str, str | None] = {}

    # -- start: store, sitemaps, start URLs ----------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        self.history.load()
        entries = await self.read_sitemaps()
        self.sitemap_lastmods = {key: lastmod for key, (_, lastmod) in entries.items()}
        for url in self.site.start_urls:
            request = self.page_request(url)
            if request is not None:
                yield request
        for key, (loc, lastmod) in entries.items():
            if key in self.seen:
                continue
            if self.history.is_unchanged(key, lastmod):
                self.seen.add(key)
                yield self.skipped_result(key, lastmod)
                continue
            request = self.page_request(loc, sitemap_lastmod=lastmod)
            if request is not None:
                yield request
        for key, (_, lastmod) in self.sitemap_documents.items():
            if self.history.is_unchanged(key, lastmod) and self.history.is_standalone_document(key):
                self.seen.add(key)
                yield self.skipped_result(key, lastmod)
        # A 304 carries no links: pages known from earlier runs are requested directly.
        for key, stored_url in self.history.urls():
            request = self.page_request(self.request_url(stored_url))
            if request is None and key not in self.seen:
                logger.debug("Known URL %s is no longer allowed by site %s", key, self.site.name)
            if request is not None:
                yield request
        logger.info(
            "%s: %d start URL(s), %d sitemap entries, %d known URL(s), %d skipped as unchanged",
            self.site.name,
            len(self.site.start_urls),
            len(entries),
            len(self.history),
            self.tally.skipped[UNCHANGED_LASTMOD],
        )

    async def download(self, request: Request) -> Response:
        """``request`` through the crawl's downloader (robots.txt, the host guard, the delay)."""
        assert self.crawler.engine is not None
        return await self.crawler.engine.download_async(request)

    def skipped_result(self, key: str, lastmod: str | None) -> FetchResult:
        known = self.history.known[key]
        self.tally.skipped[UNCHANGED_LASTMOD] += 1
        self.tally.outcomes["skipped"] += 1
        return FetchResult(
            url=key,
            outcome="skipped",
            etag=known.etag,
            last_modified=known.last_modified,
            sitemap_lastmod=lastmod,
            error=UNCHANGED_LASTMOD,
        )

    async def read_sitemaps(self) -> dict[str, tuple[str, str | None]]:
        """Every page URL the site's sitemaps list: canonical URL -> (URL, lastmod), up to
        ``max_queued_urls`` (page and document URLs together; past that the crawl is
        incomplete)."""
        queue = deque(self.site.sitemaps)
        done: set[str] = set()
        entries: dict[str, tuple[str, str | None]] = {}
        cap = self.job.crawl.max_queued_urls
        while queue and len(done) < MAX_SITEMAPS:
            url = queue.popleft()
            if url in done or not self.site.allows_host(url):
                continue
            done.add(url)
            body = await self.download_sitemap(url)
            if body is None:
                continue
            if urlsplit(url).path.endswith("/robots.txt"):
                queue.extend(sitemap_urls_from_robots(body, base_url=url))
                continue
            try:
                for entry in read_sitemap(body, self.job.crawl.max_page_bytes):
                    if entry.is_sitemap:
                        if len(done) + len(queue) < MAX_SITEMAPS:
                            queue.append(entry.loc)
                        continue
                    if len(entries) + len(self.sitemap_documents) >= cap:
                        logger.warning(
                            "%s: stopped reading sitemaps at max_queued_urls (%d)",
                            self.site.name,
                            cap,
                        )
                        self.tally.queue_full = True
                        queue.clear()
                        break
                    self.add_sitemap_entry(entry, entries)
            except SitemapTooLarge:
                logger.warning("Ignoring sitemap %s: over the size cap once decompressed", url)
            except UnreadableSitemap as exc:
                logger.warning("Ignoring unreadable sitemap %s: %s", url, exc)
        logger.info(
            "%s: %d sitemap(s) read, %d page URLs, %d documents",
            self.site.name,
            len(done),
            len(entries),
            len(self.sitemap_documents),
        )
        return entries

    def add_sitemap_entry(
        self, entry: SitemapEntry, entries: dict[str, tuple[str, str | None]]
    ) -> None:
        """A page the sitemap lists goes to ``entries``, a document to ``sitemap_documents``."""
        if self.site.allows(entry.loc) and not is_document_url(entry.loc):
            entries[canonical_url(entry.loc)] = (entry.loc, entry.lastmod)
        elif self.fetcher.wants(entry.loc):
            self.sitemap_documents[canonical_url(entry.loc)] = (entry.loc, entry.lastmod)

    async def download_sitemap(self, url: str) -> bytes | None:
        """The sitemap's body as it came (maybe gzipped), or None when it cannot be had."""
        request = Request(url, callback=NO_CALLBACK, meta={"sitemap": True})
        try:
            response = await self.download(request)
        except IgnoreRequest as exc:
            logger.info("Sitemap %s not fetched: %s", url, exc)
            return None
        except Exception as exc:
            self.tally.problems.append(f"sitemap {url} failed: {describe(exc)}")
            logger.warning("Sitemap %s failed: %s", url, describe(exc))
            return None
        if response.status in (404, 410):
            logger.info("No sitemap at %s (HTTP %d)", url, response.status)
            return None
        if response.status != 200:
            self.tally.problems.append(f"sitemap {url} answered HTTP {response.status}")
            logger.warning("Sitemap %s answered HTTP %d", url, response.status)
            return None
        return response.body

    # -- requests ------------------------------------------------------------------------------
    def request_url(self, url: str) -> str:
        """The URL to request for a canonical URL: on the site's spelling of its host
        (``ojp.gov`` is requested as ``www.ojp.gov`` when the site lists that first)."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        for allowed in self.site.allowed_hosts:
            if allowed in (host, f"www.{host}"):
                netloc = allowed if parts.port is None else f"{allowed}:{parts.port}"
                return urlunsplit(parts._replace(scheme=self.scheme_for(url), netloc=netloc))
        return url

    def scheme_for(self, url: str) -> str:
        """The scheme the site uses on the port of ``url`` (a canonical URL says https for
        every named host; a mirror on a port of its own may serve http only)."""
        origin = origin_of(url)
        if origin is None or (origin[0], origin[2]) in self.site.schemes_and_ports:
            return urlsplit(url).scheme
        schemes = sorted(
            scheme for scheme, port in self.site.schemes_and_ports if port == origin[2]
        )
        return schemes[0] if schemes else origin[0]

    def page_request(self, url: str, *, sitemap_lastmod: str | None = None) -> Request | None:
        """A request for the page at ``url``, or None when the site's rules, the cap or an
        earlier request rule it out. Every page request is fetched at most once per crawl."""
        url = urldefrag(url)[0]
        if not self.site.allows(url) or is_document_url(url):
            return None
        key = canonical_url(url)
        if key in self.seen:
            return None
        if sitemap_lastmod is None and key in self.sitemap_lastmods:
            sitemap_lastmod = self.sitemap_lastmods[key]
            if self.history.is_unchanged(key, sitemap_lastmod):
                return None  # a link to it: the sitemap pass records it as unchanged
        if self.tally.pages >= self.job.crawl.max_pages:
            if not self.tally.capped:
                logger.warning("%s: stopped at max_pages (%d)", self.site.name, self.tally.pages)
            self.tally.capped = True
            return None
        self.seen.add(key)
        self.tally.pages += 1
        return Request(
            url,
            callback=self.parse_page,
            errback=self.record_failure,
            dont_filter=True,  # dedup is by canonical URL (above); loops end in the host guard
            meta={
                "page": True,
                "handle_httpstatus_list": HANDLED_STATUSES,
                "sitemap_lastmod": sitemap_lastmod,
            },
        )

    def stop_unwanted_download(
        self, headers: Any, body_length: int, request: Request, **_: Any
    ) -> None:
        """Stop a page request that turns out to be a document or an image (its headers say all
        a page crawl needs), and a document whose declared size is over the cap (its size is
        recorded; an undeclared size is cut at the cap by the downloader)."""
        if request.meta.get("page"):
            raw = headers.get(b"Content-Type") or b""
            media_type = raw.decode("latin-1").split(";", 1)[0].strip().lower()
            if not is_page_type(media_type):
                raise StopDownload(fail=False)
        elif (
            request.meta.get("document")
            and isinstance(body_length, int)  # not Twisted's UNKNOWN_LENGTH (a string)
            and body_length > self.job.crawl.max_document_bytes
        ):
            raise StopDownload(fail=False)

    # -- responses -----------------------------------------------------------------------------
    def arrival(self, response: Response) -> tuple[Arrival, FetchResult | None]:
        """What a page or document response says before its body is read, and its result when
        the status alone decides it (304, 404, 410)."""
        arrived = read_arrival(response, self.history.validators(response.url))
        if arrived.settled == "not_modified":
            etag, last_modified = arrived.etag, arrived.last_modified
            settled = self.result(
                arrived.url,
                "not_modified",
                arrived.chain,
                etag=etag,
                last_modified=last_modified,
                **arrived.common,
            )
        elif arrived.settled == "gone":
            error = f"HTTP {response.status}"
            settled = self.result(arrived.url, "gone", arrived.chain, error=error, **arrived.common)
        else:
            return arrived, None
        return arrived, settled

    async def parse_page(self, response: Response) -> AsyncIterator[FetchResult | Request]:
        arrived, settled = self.arrival(response)
        if settled is not None:
            yield settled
            return
        url, chain, common = arrived.url, arrived.chain, arrived.common
        etag, last_modified = arrived.etag, arrived.last_modified
        headers = header_map(response)
        if "download_stopped" in response.flags or not is_page_type(media_type_of(headers)):
            yield self.handle_document(response, headers, chain)
            return
        crawl = self.job.crawl
        try:
            with time_limit(crawl.max_page_seconds):
                page = normalize_page(
                    response.url,
                    response.body,
                    headers,
                    site=self.site.name,
                    agency=self.site.agency,
                    kind=self.site.kind_of(response.url),
                    max_depth=crawl.max_nesting_depth,
                )
        except PageTimeout:  # the last good record stays: a busy machine may be the cause
            reason = f"over parse time cap ({crawl.max_page_seconds:g} s)"
            logger.warning("Skipped %s: %s", response.url, reason)
            self.tally.skipped["over parse time cap"] += 1
            yield self.result(url, "failed", chain, error=reason, **common)
            return
        except Exception as exc:  # one odd page must not cost the crawl its completeness
            logger.exception("Could not normalize %s", response.url)
            yield self.result(
                url, "failed", chain, error=f"not normalized: {describe(exc)}", **common
            )
            return
        if isinstance(page, Skip):
            outcome = "gone" if page.reason.startswith("soft-404") else "excluded"
            if outcome == "excluded":
                self.tally.skipped[page.reason.split(":", 1)[0]] += 1
            yield self.result(url, outcome, chain, error=page.reason, **common)
            if outcome == "gone" or page.reason.startswith(RUNAWAY):
                return
        else:
            page = self.keep_on_site(page, url)
            self.seen.add(page.url)
            record, documents = await self.fetcher.attach(page)
            record = cap_record(
                record, max_chars=crawl.max_body_chars, max_terms=crawl.max_record_terms
            )
            aliases = [*chain, url]
            yield self.result(
                page.url,
                "fetched",
                aliases,
                record=record,
                etag=etag,
                last_modified=last_modified,
                **common,
            )
            for document in documents:
                yield document
        if not self.forbids_following(response, headers):
            for request in self.follow_links(response):
                yield request

    def keep_on_site(self, record: Record, fetched: str) -> Record:
        """``record`` under its fetched URL when its canonical link names a port the site does
        not use (another server on the same host is not this site)."""
        origin = origin_of(record.url)
        if origin is None or origin[2] in self.site.ports:
            return record
        logger.info("Ignoring the canonical link of %s to %s: not on the site", fetched, record.url)
        aliases = tuple(alias for alias in record.aliases if alias != fetched)
        return replace(record, id=record_id(fetched), url=fetched, aliases=aliases).with_hash()

    def handle_document(
        self, response: Response, headers: Mapping[str, str], chain: list[str]
    ) -> FetchResult:
        """Where a document (PDF...) or other non-page response lands. Its text is not read in
        a page crawl: the linking page lists it as an attachment, and document fetching reads
        it (``crawlers.documents``)."""
        media_type = media_type_of(headers) or "unknown type"
        kind = "document" if is_document_response(response.url, headers) else "not a page"
        self.tally.skipped[kind] += 1
        return self.result(
            canonical_url(response.url),
            "excluded",
            chain,
            http_status=response.status,
            error=f"{kind} ({media_type})",
        )

    def forbids_following(self, response: Response, headers: Mapping[str, str]) -> bool:
        """True for ``nofollow`` in the robots meta tag or the X-Robots-Tag header."""
        directives = [value for name, value in headers.items() if name.lower() == "x-robots-tag"]
        directives += response.xpath(
            "//meta[translate(@name, 'ROBOTS', 'robots')='robots']/@content"
        ).getall()
        tokens = {token for value in directives for token in re.split(r"[\s,:]+", value.lower())}
        return bool(tokens & {"nofollow", "none"})

    def follow_links(self, response: Response) -> Iterator[Request]:
        hrefs = response.xpath(
            "//a[@href][not(contains(concat(' ', normalize-space(@rel), ' '), ' nofollow '))]/@href"
        ).getall()
        for href in hrefs:
            href = href.strip()
            if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
                continue
            request = self.page_request(response.urljoin(href))
            if request is not None:
                yield request

    def result(self, url: str, outcome: str, aliases: list[str], **fields: Any) -> FetchResult:
        self.tally.outcomes[outcome] += 1
        kept = tuple(dict.fromkeys(alias for alias in aliases if alias != url))
        return FetchResult(url=url, outcome=outcome, aliases=kept, **fields)

    # -- documents no page links ---------------------------------------------------------------
    def request_sitemap_documents(self) -> None:
        """Once the pages are done: the sitemap's PDFs that no page links become records of
        their own (kind ``document``), fetched like pages."""
        if self.sitemap_documents_requested:
            return
        self.sitemap_documents_requested = True
        assert self.crawler.engine is not None
        wanted = [
            (key, loc, lastmod)
            for key, (loc, lastmod) in self.sitemap_documents.items()
            if key not in self.seen
            and key not in self.fetcher.attached
            and self.history.is_standalone_document(key)
        ]
        scheduled = 0
        for key, loc, lastmod in wanted:
            if self.fetcher.requested >= self.job.crawl.max_documents:
                logger.warning("%s: documents beyond max_documents not read", self.site.name)
                break
            self.fetcher.requested += 1
            self.seen.add(key)
            request = self.fetcher.document_request(loc, conditional=True)
            request = request.replace(
                callback=self.parse_document,
                errback=self.record_failure,
                meta={
                    **request.meta,
                    "handle_httpstatus_list": HANDLED_STATUSES,
                    "sitemap_lastmod": lastmod,
                },
            )
            self.crawler.engine.crawl(request)
            scheduled += 1
        if scheduled:
            logger.info("%s: %d document(s) no page links", self.site.name, scheduled)
            raise DontCloseSpider

    async def parse_document(self, response: Response) -> AsyncIterator[FetchResult]:
        """A document of its own: a record of kind ``document`` holding its text."""
        arrived, settled = self.arrival(response)
        if settled is not None:
            yield settled
            return
        url, chain, common = arrived.url, arrived.chain, arrived.common
        etag, last_modified = arrived.etag, arrived.last_modified
        extraction = await self.fetcher.extract(Attachment(url=response.url), response)
        record = document_record(
            extraction.attachment,
            site=self.site.name,
            agency=self.site.agency,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        yield self.result(
            record.url,
            "fetched",
            [*chain, url],
            record=record,
            etag=etag,
            last_modified=last_modified,
            **common,
        )

    def closed(self, reason: str) -> None:
        self.history.close()
        if self.fetcher.counts:
            logger.info("%s: documents %s", self.site.name, self.fetcher.summary())

    # -- errors --------------------------------------------------------------------------------
    def record_failure(self, failure: Failure) -> Iterator[FetchResult]:
        """The outcome of a page request that ended in an error (after any retries)."""
        request: Request = failure.request  # type: ignore[attr-defined]
        chain = request.meta.get("redirect_urls") or []
        url = canonical_url(chain[0] if chain else request.url)
        outcome, error, status = classify_error(failure.value, self.job.crawl)
        level = logging.INFO if outcome == "excluded" else logging.WARNING
        logger.log(level, "%s %s: %s", outcome.capitalize(), request.url, error)
        if outcome == "excluded":
            self.tally.skipped[error.split(" (", 1)[0]] += 1
        elif url in self.start_keys:
            self.tally.problems.append(f"start URL {url} failed: {error}")
        yield self.result(
            url,
            outcome,
            [],
            http_status=status,
            error=error,
            sitemap_lastmod=request.meta.get("sitemap_lastmod"),
        )
