"""One site crawl in this process: ``python -m crawlers.crawl --site NAME --data-dir D --run-id N``.

Scrapy's reactor runs once per process, so every crawl gets its own (``crawlers.runner`` starts
it). Results go to the store's staging area as they come, the crawl summary when the spider
closes. Stdout carries only ``progress <n>`` lines (results so far); logs go to stderr.

Exit status: 0 when the crawl ran and its results and summary are in the store (pages that
failed are results too), 1 when the crawl could not run or hand its results over, 2 for bad
arguments or a bad sites file (one ``Error: ...`` line on stderr).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from crawlers.sites import SiteConfigError

#: Seconds between two progress lines (the last count is always printed).
PROGRESS_INTERVAL = 0.5

EXIT_FAILED = 1
EXIT_USAGE = 2


class ProgressPrinter:
    """Prints ``progress <n>`` on stdout as results are staged, at most every interval."""

    def __init__(self, interval: float = PROGRESS_INTERVAL):
        self.interval = interval
        self.count = 0
        self.printed = -1
        self.last = 0.0

    def item_scraped(self, **_: Any) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.emit()
            self.last = now

    def emit(self) -> None:
        if self.count != self.printed:
            sys.stdout.write(f"progress {self.count}\n")
            sys.stdout.flush()
            self.printed = self.count


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawlers.crawl", description=__doc__)
    parser.add_argument("--site", required=True, help="the site definition to crawl")
    parser.add_argument("--sites-file", help="a sites file (TOML) overriding the built-ins")
    parser.add_argument("--data-dir", required=True, help="the data dir holding the store")
    parser.add_argument("--run-id", required=True, type=int, help="the store run to stage into")
    parser.add_argument("--full", action="store_true", help="ignore sitemap lastmod and validators")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from crawlers.spiders.ojp import resolve_job
    from index.store import StoreError

    try:
        job = resolve_job(
            args.site,
            sites_file=args.sites_file,
            data_dir=args.data_dir,
            run_id=args.run_id,
            full=args.full,
        )
    except (SiteConfigError, StoreError) as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return EXIT_USAGE
    return run_crawl(job)


def run_crawl(job: Any) -> int:
    """Crawl ``job`` (a ``CrawlJob``) to the end; the exit status (see the module docstring)."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawlers.settings import crawl_settings
    from crawlers.spiders.ojp import OjpSpider

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.update(crawl_settings(job.crawl), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(OjpSpider)
    progress = ProgressPrinter()
    crawler.signals.connect(progress.item_scraped, signal=signals.item_scraped)
    process.crawl(crawler, job=job)
    process.start()
    progress.emit()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if stats.get("store/errors"):
        sys.stderr.write(f"Error: the crawl of {job.site.name} could not hand its results over.\n")
        return EXIT_FAILED
    if crawler.spider is None or "finish_reason" not in stats:
        save_failure(job, "the crawl did not start (see the log above)")
        sys.stderr.write(f"Error: the crawl of {job.site.name} did not start.\n")
        return EXIT_FAILED
    return 0


def save_failure(job: Any, error: str) -> None:
    """Record an incomplete crawl, so the run marks nothing of this site gone."""
    from index.records import CrawlSummary
    from index.store import Store

    try:
        with Store.open(job.data_dir) as store:
            store.save_crawl_summary(
                job.run_id, CrawlSummary(site=job.site.name, complete=False, error=error)
            )
    except Exception as exc:  # the store itself may be the problem; the exit status says enough
        sys.stderr.write(f"could not save the crawl summary: {exc}\n")


if __name__ == "__main__":
    sys.exit(main())
