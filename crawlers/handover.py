"""What the two sides of a crawl hand each other.

A crawl runs in a child process (``crawlers.crawl``, the child side) that a flow or a test starts
and watches (``crawlers.runner``, the parent side). Results travel through the store: the child
stages them and saves the crawl summary. Besides that, the child writes ``progress <n>`` lines on
stdout (results staged so far), its log on stderr, and ends with one of the exit statuses below.
When the child cannot save its summary, either side saves an incomplete one, so that the run
marks nothing of the site gone.
"""

from __future__ import annotations

import logging

from index.datadir import DataDir
from index.records import CrawlSummary
from index.store import Store

logger = logging.getLogger(__name__)

#: The crawl ran; its results and summary are in the store (pages that failed are results too).
EXIT_DONE = 0
#: The crawl could not run, or could not hand its results over.
EXIT_FAILED = 1
#: Bad arguments or a bad sites file (one ``Error: ...`` line on stderr).
EXIT_USAGE = 2

PROGRESS_WORD = "progress"


def progress_line(count: int) -> str:
    return f"{PROGRESS_WORD} {count}\n"


def read_progress_line(line: str) -> int | None:
    """The count of a ``progress <n>`` line, else None (any other output)."""
    word, _, value = line.strip().partition(" ")
    return int(value) if word == PROGRESS_WORD and value.isdigit() else None


def save_incomplete_summary(data_dir: DataDir, run_id: int, site: str, error: str) -> None:
    """Record the crawl of ``site`` as incomplete (with ``error``), so the run marks nothing of
    the site gone. Never raises: the store itself may be the problem."""
    try:
        with Store.open(data_dir) as store:
            store.save_crawl_summary(run_id, CrawlSummary(site=site, complete=False, error=error))
    except Exception as exc:
        logger.warning("Could not save the incomplete summary of %s: %s", site, exc)
