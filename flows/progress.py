"""How a refresh shows its progress: crawl tasks report to ``notify``, which passes the news on
to the displays listening in this process (the command line's progress bars or plain lines).

A refresh served by a Prefect runner or worker has no listener; its progress is in its logs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Protocol, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from index.safe_text import one_line


class CrawlProgress(Protocol):
    """What a display is told about each site's crawl."""

    def site_started(self, site: str, attempt: int) -> None: ...

    def site_progressed(self, site: str, pages: int) -> None: ...

    def site_finished(self, site: str, error: str | None) -> None: ...


class ProgressHub:
    """Passes crawl progress on to every listener registered in this process."""

    def __init__(self) -> None:
        self._listeners: list[CrawlProgress] = []
        self._lock = threading.Lock()

    @contextmanager
    def listening(self, listener: CrawlProgress) -> Iterator[None]:
        with self._lock:
            self._listeners.append(listener)
        try:
            yield
        finally:
            with self._lock:
                self._listeners.remove(listener)

    def _current(self) -> list[CrawlProgress]:
        with self._lock:
            return list(self._listeners)

    def site_started(self, site: str, attempt: int) -> None:
        for listener in self._current():
            listener.site_started(site, attempt)

    def site_progressed(self, site: str, pages: int) -> None:
        for listener in self._current():
            listener.site_progressed(site, pages)

    def site_finished(self, site: str, error: str | None) -> None:
        for listener in self._current():
            listener.site_finished(site, error)


#: The hub the refresh flow's tasks report to.
notify = ProgressHub()


class TerminalProgress:
    """A progress line per site (spinner, pages so far, state), for a terminal."""

    def __init__(self, sites: tuple[str, ...], console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(finished_text="•"),
            TextColumn("[bold]{task.description:<8}"),
            TextColumn("{task.completed:>6.0f} pages"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[state]}"),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._pages: dict[str, int] = {}
        for site in sites:
            self._task(site)

    def __enter__(self) -> TerminalProgress:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def _task(self, site: str) -> TaskID:
        if site not in self._tasks:
            self._tasks[site] = self._progress.add_task(
                site, total=None, start=False, state="waiting"
            )
        return self._tasks[site]

    def site_started(self, site: str, attempt: int) -> None:
        task = self._task(site)
        self._progress.start_task(task)
        state = "crawling" if attempt <= 1 else f"[yellow]retrying (attempt {attempt})"
        self._pages[site] = 0
        self._progress.update(task, completed=0, state=state)

    def site_progressed(self, site: str, pages: int) -> None:
        self._pages[site] = pages
        self._progress.update(self._task(site), completed=pages)

    def site_finished(self, site: str, error: str | None) -> None:
        task = self._task(site)
        pages = self._pages.get(site, 0)
        state = f"[red]failed: {escape(one_line(error))}" if error else "[green]done"
        self._progress.update(task, total=pages, completed=pages, state=state)


class LineProgress:
    """Plain lines (start, retry, end of each site), for logs and pipes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pages: dict[str, int] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stream.flush()

    def _say(self, line: str) -> None:
        with self._lock:
            self._stream.write(one_line(line) + "\n")
            self._stream.flush()

    def site_started(self, site: str, attempt: int) -> None:
        self._pages[site] = 0
        self._say(f"{site}: crawling" if attempt <= 1 else f"{site}: retrying (attempt {attempt})")

    def site_progressed(self, site: str, pages: int) -> None:
        self._pages[site] = pages

    def site_finished(self, site: str, error: str | None) -> None:
        if error:
            self._say(f"{site}: failed: {error}")
        else:
            self._say(f"{site}: done, {self._pages.get(site, 0)} pages")


class PrefectConsoleFilter(logging.Filter):
    """Lets through everything but Prefect's own records below CRITICAL."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("prefect") or record.levelno >= logging.CRITICAL


#: The one filter ``mute_prefect_console`` installs.
PREFECT_CONSOLE_FILTER = PrefectConsoleFilter()


def mute_prefect_console() -> None:
    """Keep Prefect's run logs (and the tracebacks of failed tasks) off the terminal from now on,
    up to the ephemeral server's goodbye at exit.

    The logs still reach the Prefect API; the command prints its own progress and report.
    """
    for handler in logging.getLogger().handlers:
        if PREFECT_CONSOLE_FILTER not in handler.filters:
            handler.addFilter(PREFECT_CONSOLE_FILTER)
