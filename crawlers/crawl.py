"""The child side of a crawl: ``python -m crawlers.crawl --site NAME --data-dir D --run-id N``.

Scrapy's reactor runs once per process, so every crawl gets its own (``crawlers.runner``, the
parent side, starts it). Results go to the store's staging area as they come, the crawl summary
when the spider closes. What the two sides exchange (progress lines on stdout, exit statuses)
is in ``crawlers.handover``; logs go to stderr.

``--deadline`` is the time (seconds since the epoch) by which the whole run must end: the crawl
stops at it, or after the sites file's ``max_site_seconds`` when that comes first, and its
summary then says it is incomplete.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from crawlers.handover import (
    EXIT_DONE,
    EXIT_FAILED,
    EXIT_USAGE,
    progress_line,
    save_incomplete_summary,
)
from crawlers.sites import SiteConfigError
from index.datadir import DataDir

#: Seconds between two progress lines (the last count is always printed).
PROGRESS_INTERVAL = 0.5


class ChildProgress:
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
            sys.stdout.write(progress_line(self.count))
            sys.stdout.flush()
            self.printed = self.count


def parse_child_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawlers.crawl", description=__doc__)
    parser.add_argument("--site", required=True, help="the site definition to crawl")
    parser.add_argument("--sites-file", help="a sites file (TOML) overriding the built-ins")
    parser.add_argument("--data-dir", required=True, help="the data dir holding the store")
    parser.add_argument("--run-id", required=True, type=int, help="the store run to stage into")
    parser.add_argument("--store", help="the store's URL, when it is not the data dir's own")
    parser.add_argument("--full", action="store_true", help="ignore sitemap lastmod and validators")
    parser.add_argument(
        "--deadline", type=float, help="when the run must end (seconds since the epoch)"
    )
    return parser.parse_args(argv)


def end_with_parent(parent: int, every: float = 1.0) -> None:
    """End this process when the parent that started it is gone (killed with -9, say): a
    crawl never goes on for nobody. A daemon thread checks the parent once a second."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(EXIT_FAILED)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_child_args(argv)
    end_with_parent(os.getppid())
    from crawlers.spiders.ojp import resolve_job
    from index.store import StoreError

    try:
        job = resolve_job(
            args.site,
            sites_file=args.sites_file,
            data_dir=DataDir.resolve(args.data_dir, store=args.store),
            run_id=args.run_id,
            full=args.full,
            deadline=args.deadline,
        )
    except (SiteConfigError, StoreError) as exc:
        sys.stderr.write(f"Error: {exc}\n")
        return EXIT_USAGE
    return crawl_in_child(job)


def crawl_in_child(job: Any) -> int:
    """Crawl ``job`` (a ``CrawlJob``) to the end in this process; the exit status."""
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawlers.settings import crawl_settings
    from crawlers.spiders.ojp import OjpSpider

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.update(crawl_settings(job.crawl), priority="cmdline")
    settings.set("CLOSESPIDER_TIMEOUT", job.limit.seconds, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(OjpSpider)
    progress = ChildProgress()
    crawler.signals.connect(progress.item_scraped, signal=signals.item_scraped)
    process.crawl(crawler, job=job)
    process.start()
    progress.emit()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if stats.get("store/errors"):
        sys.stderr.write(f"Error: the crawl of {job.site.name} could not hand its results over.\n")
        return EXIT_FAILED
    if crawler.spider is None or "finish_reason" not in stats:
        error = "the crawl did not start (see the log above)"
        save_incomplete_summary(job.data_dir, job.run_id, job.site.name, error)
        sys.stderr.write(f"Error: the crawl of {job.site.name} did not start.\n")
        return EXIT_FAILED
    return EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
