"""Run one site crawl in a child process and read its summary back from the store.

Scrapy's reactor cannot restart within a process, so each crawl is ``python -m crawlers.crawl``
in a process of its own: a flow or a test session can crawl again and again. Results travel
through the store (staging + crawl summary), never through memory.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO

from index.datadir import DataDir
from index.records import CrawlSummary
from index.store import Store

logger = logging.getLogger(__name__)

#: Lines of the child's log kept to explain a failure.
TAIL_LINES = 40

#: The folder that holds the ``crawlers`` package: the child imports it from there.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CrawlError(RuntimeError):
    """A crawl process that failed; the message says which site and why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def crawl_site(
    site_name: str,
    *,
    sites_file: Path | None,
    data_dir: DataDir,
    run_id: int,
    full: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> CrawlSummary:
    """Crawl one site in a child process that stages its results in run ``run_id``.

    ``on_progress`` receives the number of results staged so far, as the crawl goes. Returns the
    summary the crawl saved; raises ``CrawlError`` when the child failed (its summary is then
    saved as incomplete, so the run marks nothing of the site gone).
    """
    command = crawl_command(site_name, sites_file, data_dir, run_id, full)
    logger.info("Crawling %s (run %d)", site_name, run_id)
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=child_environment(),
    )
    assert process.stdout is not None and process.stderr is not None
    drain = threading.Thread(target=forward_log, args=(process.stderr, tail), daemon=True)
    drain.start()
    try:
        read_progress(process.stdout, on_progress)
        code = process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    drain.join()
    if code != 0:
        message = failure_message(site_name, code, tail)
        save_incomplete(data_dir, run_id, site_name, message)
        raise CrawlError(message)
    with Store.open(data_dir) as store:
        summary = store.crawl_summaries(run_id).get(site_name)
    if summary is None:
        message = f"the crawl of {site_name} ended without a summary"
        save_incomplete(data_dir, run_id, site_name, message)
        raise CrawlError(message)
    return summary


def crawl_command(
    site_name: str, sites_file: Path | None, data_dir: DataDir, run_id: int, full: bool
) -> list[str]:
    command = [sys.executable, "-m", "crawlers.crawl", "--site", site_name]
    command += ["--data-dir", str(data_dir.root), "--run-id", str(run_id)]
    if sites_file is not None:
        command += ["--sites-file", str(sites_file)]
    if full:
        command.append("--full")
    return command


def child_environment() -> dict[str, str]:
    """This process's environment, with the project importable in the child."""
    env = dict(os.environ)
    paths = [str(PROJECT_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def read_progress(stream: IO[str], on_progress: Callable[[int], None] | None) -> None:
    for line in stream:
        word, _, value = line.strip().partition(" ")
        if word == "progress" and value.isdigit() and on_progress is not None:
            on_progress(int(value))


def forward_log(stream: IO[str], tail: deque[str]) -> None:
    """The child's log lines, to this process's log (debug) and to ``tail``."""
    for line in stream:
        line = line.rstrip()
        if line:
            tail.append(line)
            logger.debug("crawl: %s", line)


def failure_message(site_name: str, code: int, tail: deque[str]) -> str:
    """One sentence: the child's own ``Error:`` line when it wrote one, else its last line."""
    errors = [line.removeprefix("Error: ") for line in tail if line.startswith("Error: ")]
    reason = errors[-1] if errors else (tail[-1] if tail else "no output")
    return f"the crawl of {site_name} failed (exit status {code}): {reason.rstrip('.')}."


def save_incomplete(data_dir: DataDir, run_id: int, site_name: str, message: str) -> None:
    try:
        with Store.open(data_dir) as store:
            store.save_crawl_summary(
                run_id, CrawlSummary(site=site_name, complete=False, error=message)
            )
    except Exception as exc:
        logger.warning("Could not save the incomplete summary of %s: %s", site_name, exc)
