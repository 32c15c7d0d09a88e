"""A refresh driver for kill tests: ``python -m tests.kill_harness refresh ...``.

It runs the refresh flow's steps without Prefect (start the run → crawl each site in its own
process, in parallel → apply the run → update the index → finish the run), so that a test can
SIGKILL it cheaply, and it can stop at a chosen point and wait there to be killed:

- ``apply:N``: before the N-th SQL statement of ``Store.apply_run`` (inside its transaction;
  statement 1 is the ``BEGIN``), ``finish:N`` likewise in ``Store.finish_run``;
- ``index:docs:N``: after N documents were handed to the Whoosh writer, ``index:toc`` before the
  new table of contents is written, ``index:state`` after the Whoosh commit but before the index
  state file is written;
- ``rebuild:docs:N`` / ``rebuild:swap`` / ``rebuild:clean`` in ``rebuild_index``.

Stdout carries one line per step (``phase crawl``, ``phase apply``, ...), ``paused <point>``
when it stops, ``count apply <n>`` (the statements ``apply_run`` ran) and ``done <run id>``.
``--stop-after crawl`` ends cleanly after the crawls, leaving the run open (``crawled <run id>
<seconds>``); ``--resume RUN``
applies such a run. The parent decides when to kill; nothing here kills anything.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

#: How long a paused driver waits for its kill before giving up (seconds).
PAUSE_SECONDS = 120.0


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def pause(point: str) -> None:
    """Report the point and wait to be killed."""
    say(f"paused {point}")
    time.sleep(PAUSE_SECONDS)
    raise SystemExit(f"paused at {point} but nobody killed this process")


class StatementCounter:
    """Counts the SQL statements a store connection runs while ``phase`` is set, and pauses
    before statement ``stop_at`` of the phase named ``stop_phase``."""

    def __init__(self, stop_phase: str | None, stop_at: int | None) -> None:
        self.stop_phase = stop_phase
        self.stop_at = stop_at
        self.phase: str | None = None
        self.count = 0

    def trace(self, statement: str) -> None:
        if self.phase is None:
            return
        self.count += 1
        if self.phase == self.stop_phase and self.count == self.stop_at:
            pause(f"{self.phase}:{self.count} {statement.split()[0]}")

    def counting(self, phase: str, body: Callable[[], Any]) -> Any:
        self.phase, self.count = phase, 0
        try:
            return body()
        finally:
            self.phase = None


def install_statement_hook(counter: StatementCounter) -> None:
    """Every store connection reports its statements to ``counter``."""
    import index.store

    original = index.store.connect

    def connect(path: Path) -> sqlite3.Connection:
        conn = original(path)
        conn.set_trace_callback(counter.trace)
        return conn

    index.store.connect = connect


def install_index_hooks(point: str) -> None:
    """Pause inside ``update_index`` / ``rebuild_index`` at ``point`` (see the module doc)."""
    from whoosh.writing import SegmentWriter

    import index.fulltext.writer
    from index.fulltext.builder import IndexBuilder

    kind, _, rest = point.partition(":")
    name, _, number = rest.partition(":")
    if name == "docs":
        limit = int(number)
        method = "update_document" if kind == "index" else "add_document"
        cls: Any = SegmentWriter if kind == "index" else IndexBuilder
        original_doc = getattr(cls, method)
        calls = {"n": 0}

        def counted(self: Any, **fields: Any) -> None:
            original_doc(self, **fields)
            calls["n"] += 1
            if calls["n"] == limit:
                pause(point)

        setattr(cls, method, counted)
    elif name == "toc":
        original_toc = SegmentWriter._commit_toc

        def commit_toc(self: Any, segments: Any) -> None:
            pause(point)
            original_toc(self, segments)

        SegmentWriter._commit_toc = commit_toc  # type: ignore[method-assign]
    elif name == "state":
        original_state = index.fulltext.writer.write_state

        def write_state(path: Path, last_seq: int) -> None:
            pause(point)
            original_state(path, last_seq)

        index.fulltext.writer.write_state = write_state
    elif name == "swap":
        original_swap = index.fulltext.writer.swap_live_index

        def swap(data_dir: Any, path: Path) -> None:
            pause(point)
            original_swap(data_dir, path)

        index.fulltext.writer.swap_live_index = swap
    elif name == "clean":
        original_clean = index.fulltext.writer.remove_old_generations

        def clean(data_dir: Any, *, keep: Path, previous: Path | None = None) -> None:
            pause(point)
            original_clean(data_dir, keep=keep, previous=previous)

        index.fulltext.writer.remove_old_generations = clean
    else:
        raise SystemExit(f"unknown index point {point!r}")


def crawl_sites(
    names: Sequence[str], sites_file: Path, data_dir: Any, run_id: int, *, full: bool = False
) -> list[str]:
    """Crawl the sites in parallel child processes (as the flow does); the failed ones."""
    from crawlers.runner import CrawlError, crawl_site

    def crawl(name: str) -> str | None:
        try:
            crawl_site(name, sites_file=sites_file, data_dir=data_dir, run_id=run_id, full=full)
        except CrawlError as exc:
            return f"{name}: {exc}"
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        return [failure for failure in pool.map(crawl, names) if failure]


def run_refresh(args: argparse.Namespace) -> int:
    from crawlers.sites import load_sites
    from index.datadir import DataDir
    from index.lock import hold_refresh_lock
    from index.store import Store

    stop = args.stop_at or ""
    phase, _, number = stop.partition(":")
    counted = phase in ("apply", "finish")
    counter = StatementCounter(phase if counted else None, int(number) if counted else None)
    install_statement_hook(counter)
    if phase in ("index", "rebuild"):
        install_index_hooks(stop)
    data_dir = DataDir(Path(args.data_dir)).ensure()
    crawl = load_sites(Path(args.sites_file)).crawl
    with hold_refresh_lock(data_dir), Store.open(data_dir) as store:
        return refresh_steps(args, data_dir, store, counter, crawl)


def refresh_steps(
    args: argparse.Namespace, data_dir: Any, store: Any, counter: StatementCounter, crawl: Any
) -> int:
    from index.fulltext.writer import update_index

    failures: list[str] = []
    if args.resume:
        run_id = args.resume
    else:
        say("phase start")
        run_id = store.start_run(args.site, full=args.full)
        say(f"run {run_id}")
        say("phase crawl")
        started = time.monotonic()
        failures = crawl_sites(args.site, Path(args.sites_file), data_dir, run_id, full=args.full)
        if args.stop_after == "crawl":
            say(f"crawled {run_id} {time.monotonic() - started:.3f}")
            return 0
    say("phase apply")
    counter.counting(
        "apply",
        lambda: store.apply_run(
            run_id, miss_limit=crawl.miss_limit, max_removal_share=crawl.max_removal_share
        ),
    )
    say(f"count apply {counter.count}")
    say("phase index")
    update_index(store, data_dir)
    say("phase finish")
    status = "failed" if failures else "completed"
    counter.counting(
        "finish",
        lambda: store.finish_run(run_id, status=status, error="; ".join(failures) or None),
    )
    say(f"done {run_id} {status}")
    return 0


def run_rebuild(args: argparse.Namespace) -> int:
    from index.datadir import DataDir
    from index.fulltext.writer import rebuild_index
    from index.store import Store

    if args.stop_at:
        install_index_hooks(args.stop_at)
    data_dir = DataDir(Path(args.data_dir))
    say("phase rebuild")
    with Store.open(data_dir) as store:
        update = rebuild_index(store, data_dir)
    say(f"done rebuild {update.documents}")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.kill_harness")
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh")
    refresh.add_argument("--data-dir", required=True)
    refresh.add_argument("--sites-file", required=True)
    refresh.add_argument("--site", action="append", required=True)
    refresh.add_argument("--full", action="store_true")
    refresh.add_argument("--stop-at", help="apply:N, finish:N, index:docs:N, index:toc...")
    refresh.add_argument("--stop-after", choices=["crawl"])
    refresh.add_argument("--resume", type=int, help="apply this crawled run")
    rebuild = commands.add_parser("rebuild")
    rebuild.add_argument("--data-dir", required=True)
    rebuild.add_argument("--stop-at", help="rebuild:docs:N, rebuild:swap, rebuild:clean")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return run_refresh(args) if args.command == "refresh" else run_rebuild(args)


if __name__ == "__main__":
    sys.exit(main())
