"""What every view shares: the data dir, the templates, the schedule served, and the worker
threads that run library calls under the time limit.

A search cannot hang the service: each call runs in a worker thread and the view answers 503
when it takes longer than ``timeout_s``. The thread finishes its call in the background; with
every worker busy, later calls wait for one within their own time limit, so the load stays
bounded.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from index.datadir import DataDir
from index.fulltext.snapshot import keep_warm, stop_keeping_warm
from web.errors import WebError
from web.presenters import FILTERS
from web.schedule import ScheduleInfo

T = TypeVar("T")

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_WORKERS = 8


def template_environment() -> jinja2.Environment:
    """Jinja2 with autoescape on for every template (HTML and the Atom feed)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "atom", "xml"), default=True, default_for_string=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


class Service:
    def __init__(
        self,
        data_dir: DataDir,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        workers: int = DEFAULT_WORKERS,
        schedule: ScheduleInfo | None = None,
    ) -> None:
        self.data_dir = data_dir
        keep_warm(data_dir)  # each worker thread keeps the index open between searches
        self.timeout_s = timeout_s
        self.schedule = schedule
        self.templates = template_environment()
        self.pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="search")

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(data_dir, *args)`` in a worker thread, within the time limit."""
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.pool, function, self.data_dir, *args)
        try:
            return await asyncio.wait_for(future, self.timeout_s)
        except TimeoutError:
            raise WebError(
                f"the search did not finish within {self.timeout_s:g} seconds.", "timeout"
            ) from None

    def render(self, name: str, **context: Any) -> str:
        return self.templates.get_template(name).render(schedule=self.schedule, **context)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        stop_keeping_warm(self.data_dir)
