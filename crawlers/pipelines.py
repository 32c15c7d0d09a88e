"""The store hand-off: FetchResults are staged in batches; the crawl summary is saved at the end."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals

from index.records import CrawlSummary, FetchResult
from index.store import Store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawlers.spiders.ojp import OjpSpider

logger = logging.getLogger(__name__)

#: Results staged per store transaction: few commits, little lost if the process dies.
BATCH_SIZE = 100


class StorePipeline:
    """Stages every FetchResult of the crawl with ``Store.stage_results`` (one short transaction
    per batch, so parallel crawls of other sites interleave), and saves the ``CrawlSummary`` when
    the spider closes. A batch that cannot be staged makes the crawl incomplete."""

    def __init__(self, crawler: Crawler, batch_size: int = BATCH_SIZE):
        self.crawler = crawler
        self.batch_size = batch_size
        self.batch: list[FetchResult] = []
        self.staged = 0
        self.store: Store | None = None
        self.handoff_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.save_summary, signal=signals.spider_closed)
        return pipeline

    @property
    def spider(self) -> OjpSpider:
        return self.crawler.spider  # type: ignore[return-value]

    def open_spider(self) -> None:
        self.store = Store.open(self.spider.job.data_dir)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchResult):
            self.batch.append(item)
            if len(self.batch) >= self.batch_size:
                self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        if not self.batch or self.store is None:
            return
        batch, self.batch = self.batch, []
        try:
            self.store.stage_results(self.spider.job.run_id, self.spider.site.name, batch)
        except Exception as exc:
            self.handoff_error = f"staging results failed: {exc}"
            self.crawler.stats.inc_value("store/errors")  # type: ignore[union-attr]
            logger.error("Could not stage %d result(s): %s", len(batch), exc)
            return
        self.staged += len(batch)
        logger.debug("Staged %d result(s), %d so far", len(batch), self.staged)

    def save_summary(self, spider: Any, reason: str) -> None:
        summary = self.summary(reason)
        try:
            if self.store is None:
                self.store = Store.open(self.spider.job.data_dir)
            self.store.save_crawl_summary(self.spider.job.run_id, summary)
        except Exception as exc:
            logger.error("Could not save the crawl summary of %s: %s", summary.site, exc)
            self.handoff_error = self.handoff_error or f"saving the summary failed: {exc}"
            self.crawler.stats.inc_value("store/errors")  # type: ignore[union-attr]
        finally:
            if self.store is not None:
                self.store.close()
                self.store = None
        logger.info(
            "%s: %s; %d result(s) staged, %d request(s), skipped %s",
            summary.site,
            "complete" if summary.complete else f"incomplete ({summary.error})",
            self.staged,
            summary.requests,
            dict(summary.skipped),
        )

    def summary(self, reason: str) -> CrawlSummary:
        """The crawl's figures from Scrapy's stats and the spider's tally."""
        spider = self.spider
        stats = self.crawler.stats
        assert stats is not None
        prefix = "downloader/response_status_count/"
        responses = {
            key.removeprefix(prefix): int(value)
            for key, value in stats.get_stats().items()
            if key.startswith(prefix)
        }
        error = crawl_problem(
            spider, reason, self.handoff_error, stats.get_value("spider_exceptions/count", 0)
        )
        return CrawlSummary(
            site=spider.site.name,
            complete=error is None,
            requests=int(stats.get_value("downloader/request_count", 0)),
            responses=dict(sorted(responses.items())),
            not_modified=spider.tally.outcomes["not_modified"],
            skipped=dict(sorted(spider.tally.skipped.items())),
            bytes=int(stats.get_value("downloader/response_bytes", 0)),
            error=error,
        )


def crawl_problem(
    spider: OjpSpider, reason: str, handoff_error: str | None, exceptions: int
) -> str | None:
    """Why the crawl is not complete (None when it is): a complete crawl may mark missing pages
    gone, so anything that could have hidden a page makes it incomplete."""
    tally = spider.tally
    if handoff_error:
        return handoff_error
    if reason == "closespider_timeout":
        return spider.job.limit.reason
    if reason == "memusage_exceeded":
        return f"stopped at max_crawl_memory_mb ({spider.job.crawl.max_crawl_memory_mb} MB)"
    if reason != "finished":
        return f"crawl stopped: {reason}"
    if tally.queue_full:
        return f"the sitemaps list more than max_queued_urls ({spider.job.crawl.max_queued_urls})"
    if tally.capped:
        return f"stopped at max_pages ({spider.job.crawl.max_pages})"
    if exceptions:
        return f"{exceptions} page(s) raised errors in the spider"
    if tally.problems:
        return tally.problems[0]
    if not any(tally.outcomes[o] for o in ("fetched", "not_modified", "skipped")):
        return "no page could be fetched"
    return None
