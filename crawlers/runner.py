"""The parent side of a crawl: start the child process, watch it, read its summary back.

Scrapy's reactor cannot restart within a process, so each crawl is ``python -m crawlers.crawl``
(the child side) in a process of its own: a flow or a test session can crawl again and again.
Results travel through the store (staging + crawl summary), never through memory; what else the
sides exchange is in ``crawlers.handover``.

The child stops itself at its time limit (the sites file's ``max_site_seconds``, or the run's
deadline when that comes first). Should it hang past that, the parent ends it a grace period
later; either way the crawl counts as incomplete, keeps what it staged, and is not retried.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO

from crawlers.handover import read_progress_line, save_incomplete_summary
from crawlers.sites import CrawlSettings, SiteConfigError, load_sites
from index.datadir import DataDir
from index.records import CrawlSummary
from index.store import Store

logger = logging.getLogger(__name__)

#: Lines of the child's log kept to explain a failure.
TAIL_LINES = 40

#: Seconds the child gets past its time limit to close down (finish the requests under way,
#: save its summary) before the parent ends it.
KILL_GRACE_SECONDS = 60.0

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
    deadline: float | None = None,
) -> CrawlSummary:
    """Crawl one site in a child process that stages its results in run ``run_id``.

    ``on_progress`` receives the number of results staged so far, as the crawl goes;
    ``deadline`` (seconds since the epoch) is when the whole run must end. Returns the summary
    the crawl saved (incomplete when the crawl ran out of time); raises ``CrawlError`` when the
    child failed (its summary is then saved as incomplete, so the run marks nothing of the site
    gone).
    """
    seconds = time_limit(sites_file, deadline)
    if seconds <= 0:
        logger.warning("Not crawling %s: the run's deadline has passed", site_name)
        return incomplete(data_dir, run_id, site_name, "not crawled: the run's deadline passed")
    if CHILDREN.cancelled.is_set():
        raise CrawlCancelledError(f"the crawl of {site_name} was not started: the refresh stopped")
    command = crawl_command(site_name, sites_file, data_dir, run_id, full, deadline)
    logger.info("Crawling %s (run %d)", site_name, run_id)
    code, tail, killed = run_child(command, on_progress, seconds + KILL_GRACE_SECONDS)
    if CHILDREN.cancelled.is_set():
        save_incomplete_summary(data_dir, run_id, site_name, "stopped: the refresh was cancelled")
        raise CrawlCancelledError(f"the crawl of {site_name} was stopped: the refresh stopped")
    if killed:
        error = f"stopped: still running {seconds + KILL_GRACE_SECONDS:g} s after it started"
        return incomplete(data_dir, run_id, site_name, error)
    if code != 0:
        message = child_failure_message(site_name, code, tail)
        save_incomplete_summary(data_dir, run_id, site_name, message)
        raise CrawlError(message)
    with Store.open(data_dir) as store:
        summary = store.crawl_summaries(run_id).get(site_name)
    if summary is None:
        message = f"the crawl of {site_name} ended without a summary"
        save_incomplete_summary(data_dir, run_id, site_name, message)
        raise CrawlError(message)
    return summary


def time_limit(sites_file: Path | None, deadline: float | None) -> float:
    """Seconds the crawl may run: ``max_site_seconds``, or less when the run's deadline is
    nearer. (A bad sites file gets the default: the child reports what is wrong with it.)"""
    try:
        seconds = load_sites(sites_file).crawl.max_site_seconds
    except SiteConfigError:
        seconds = CrawlSettings().max_site_seconds
    return seconds if deadline is None else min(seconds, deadline - time.time())


def incomplete(data_dir: DataDir, run_id: int, site_name: str, error: str) -> CrawlSummary:
    save_incomplete_summary(data_dir, run_id, site_name, error)
    return CrawlSummary(site=site_name, complete=False, error=error)


def crawl_command(
    site_name: str,
    sites_file: Path | None,
    data_dir: DataDir,
    run_id: int,
    full: bool,
    deadline: float | None = None,
) -> list[str]:
    """The command line of the child side."""
    command = [sys.executable, "-m", "crawlers.crawl", "--site", site_name]
    command += ["--data-dir", str(data_dir.root), "--run-id", str(run_id)]
    if data_dir.store:
        command += ["--store", data_dir.store]
    if sites_file is not None:
        command += ["--sites-file", str(sites_file)]
    if full:
        command.append("--full")
    if deadline is not None:
        command += ["--deadline", repr(deadline)]
    return command


def child_environment() -> dict[str, str]:
    """This process's environment, with the project importable in the child."""
    env = dict(os.environ)
    paths = [str(PROJECT_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


class Children:
    """The crawl processes this process has running, so that a refresh that is stopped can
    stop them at once; once ``cancel`` is called, no new crawl starts."""

    def __init__(self) -> None:
        self._running: set[subprocess.Popen[str]] = set()
        self._guard = threading.Lock()
        self.cancelled = threading.Event()

    def add(self, process: subprocess.Popen[str]) -> None:
        with self._guard:
            self._running.add(process)
        if self.cancelled.is_set():
            self.stop(process)

    def discard(self, process: subprocess.Popen[str]) -> None:
        with self._guard:
            self._running.discard(process)

    def cancel(self) -> int:
        """Stop every running crawl and refuse new ones; how many were stopped."""
        self.cancelled.set()
        with self._guard:
            running = list(self._running)
        for process in running:
            self.stop(process)
        return len(running)

    @staticmethod
    def stop(process: subprocess.Popen[str]) -> None:
        """At once: the run is cancelled and its staged results dropped, so nothing a crawl
        was writing is kept (a staging batch is its own transaction)."""
        if process.poll() is None:
            process.kill()


CHILDREN = Children()


class CrawlCancelledError(CrawlError):
    """The refresh was stopped: the crawl was not started, or was stopped."""


def run_child(
    command: list[str], on_progress: Callable[[int], None] | None, kill_after: float
) -> tuple[int, deque[str], bool]:
    """Run the child to its end: (exit status, last log lines, whether it had to be killed)."""
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
    CHILDREN.add(process)
    assert process.stdout is not None and process.stderr is not None
    drain = threading.Thread(target=forward_child_log, args=(process.stderr, tail), daemon=True)
    drain.start()
    killed = threading.Event()
    timer = threading.Timer(kill_after, kill_child, args=(process, killed))
    timer.daemon = True
    timer.start()
    try:
        read_child_progress(process.stdout, on_progress)
        code = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        CHILDREN.discard(process)
    drain.join()
    return code, tail, killed.is_set()


def kill_child(process: subprocess.Popen[str], killed: threading.Event) -> None:
    if process.poll() is None:
        logger.warning("Ending crawl process %d: past its time limit", process.pid)
        killed.set()
        process.kill()


def read_child_progress(stream: IO[str], on_progress: Callable[[int], None] | None) -> None:
    for line in stream:
        count = read_progress_line(line)
        if count is not None and on_progress is not None:
            on_progress(count)


def forward_child_log(stream: IO[str], tail: deque[str]) -> None:
    """The child's log lines, to this process's log (debug) and to ``tail``."""
    for line in stream:
        line = line.rstrip()
        if line:
            tail.append(line)
            logger.debug("crawl: %s", line)


def child_failure_message(site_name: str, code: int, tail: deque[str]) -> str:
    """One sentence: the child's own ``Error:`` line when it wrote one, else its last line."""
    errors = [line.removeprefix("Error: ") for line in tail if line.startswith("Error: ")]
    reason = errors[-1] if errors else (tail[-1] if tail else "no output")
    return f"the crawl of {site_name} failed (exit status {code}): {reason.rstrip('.')}."
