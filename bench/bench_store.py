"""Store benchmark: staging, applying runs, the index's change feed, export and import, at
scale, on SQLite and on PostgreSQL in one run.

    python -m bench.bench_store [--records 100000] [--backends sqlite,postgresql] [--keep DIR]
    python -m bench.bench_store --quick

PostgreSQL is the server at ``--postgres`` (default: the local one, user postgres); the
benchmark creates a database of its own there and drops it at the end.

1. Stages N synthetic records (bench.synthetic) in batches of 500, as crawl processes do, and
   applies the run (all added).
2. A second run fetches the same pages again: every page unchanged (no record writes).
3. A third run: 1% of the pages changed, 0.5% gone, the rest answered 304.
4. ``index_changes`` over the whole history.
5. ``ojp-search export`` to JSONL and CSV in a child process each: wall time, rows/s and the
   child's peak RSS (export streams in batches, so its memory should not grow with N).
6. ``import_records`` of that JSONL into a new, empty store of the same backend (one run: staged
   in batches, applied in one transaction).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from bench.machine import describe_machine
from bench.synthetic import synthetic_records
from index.datadir import DataDir
from index.records import CrawlSummary, FetchResult, Record
from index.store import Store
from index.store_file import store_location
from index.transfer import import_records

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"

REPO_ROOT = Path(__file__).resolve().parents[1]
BATCH = 500
#: Runs one export, then prints its own peak RSS in MiB.
CHILD_EXPORT = """
import sys, search_cli
from bench.bench_store import peak_rss_mib
code = search_cli.main(sys.argv[1:])
print(peak_rss_mib())
sys.exit(code)
"""


def log(message: str) -> None:
    sys.stderr.write(message + "\n")


def stage_run(
    store: Store, n: int, result_for: Callable[[int, Record], FetchResult]
) -> tuple[int, float]:
    """Start a run, stage one result per synthetic record; returns (run id, seconds)."""
    run_id = store.start_run(["bench"])
    started = time.perf_counter()
    batch: list[FetchResult] = []
    for i, record in enumerate(synthetic_records(n)):
        batch.append(result_for(i, replace(record, site="bench")))
        if len(batch) == BATCH:
            store.stage_results(run_id, "bench", batch)
            batch = []
    if batch:
        store.stage_results(run_id, "bench", batch)
    store.save_crawl_summary(run_id, CrawlSummary(site="bench", complete=True, requests=n))
    return run_id, time.perf_counter() - started


def apply_timed(store: Store, run_id: int) -> tuple[float, str]:
    started = time.perf_counter()
    changes = store.apply_run(run_id, max_removal_share=0.10)
    seconds = time.perf_counter() - started
    store.finish_run(run_id, status="completed")
    summary = (
        f"{len(changes.added)} added, {len(changes.changed)} changed, "
        f"{len(changes.removed)} removed"
    )
    return seconds, summary


def fetched(_: int, record: Record) -> FetchResult:
    return FetchResult(url=record.url, outcome="fetched", record=record, etag='"v1"')


def third_run(i: int, record: Record) -> FetchResult:
    if i % 100 == 0:
        edited = replace(record, summary=record.summary + " Updated.").with_hash()
        return FetchResult(url=record.url, outcome="fetched", record=edited, etag='"v2"')
    if i % 200 == 1:
        return FetchResult(url=record.url, outcome="gone", http_status=404)
    return FetchResult(url=record.url, outcome="not_modified")


def export_in_child(data_dir: DataDir, fmt: str, target: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``ojp-search export`` process."""
    command = [
        sys.executable,
        "-c",
        CHILD_EXPORT,
        "export",
        "--format",
        fmt,
        "-o",
        str(target),
        "--data-dir",
        str(data_dir.root),
    ]
    started = time.perf_counter()
    child = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"export --format {fmt} failed: {child.stderr}")
    return seconds, float(child.stdout.split()[-1])


def peak_rss_mib() -> float:
    """This process's own peak RSS (VmHWM: not inherited from the parent, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rows(runs: Iterator[tuple[str, str, str]]) -> str:
    lines = ["| step | time | figures |", "|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in runs]
    return "\n".join(lines)


def run_benchmark(
    n: int, root: Path, command: str, backend: str, new_store: Callable[[str], str]
) -> tuple[str, dict[str, float]]:
    data_dir = DataDir(root).ensure()
    if backend != "sqlite":
        data_dir.remember("store", url=new_store(backend))
    load_before = os.getloadavg()[0]
    rates: dict[str, float] = {}
    out: list[tuple[str, str, str]] = []
    with Store.open(data_dir) as store:
        for label, result_for in (
            ("run 1: all new", fetched),
            ("run 2: all unchanged", fetched),
            ("run 3: 1% changed, 0.5% gone, rest 304", third_run),
        ):
            log(f"{label}: staging {n} results")
            run_id, staging = stage_run(store, n, result_for)
            log(f"{label}: applying")
            seconds, summary = apply_timed(store, run_id)
            out.append(
                (f"{label}: generate + stage", f"{staging:.1f} s", f"{n / staging:,.0f} results/s")
            )
            out.append((f"{label}: apply", f"{seconds:.1f} s", f"{n / seconds:,.0f}/s; {summary}"))
            rates[f"{label}: apply"] = n / seconds
        started = time.perf_counter()
        changes = store.index_changes(0)
        seconds = time.perf_counter() - started
        out.append(
            (
                "index_changes(0)",
                f"{seconds:.2f} s",
                f"{len(changes.upsert_ids)} upserts, {len(changes.delete_ids)} deletes",
            )
        )
        live = store.count_records()
    for fmt in ("jsonl", "csv"):
        target = root / f"export.{fmt}"
        log(f"export {fmt}")
        seconds, rss = export_in_child(data_dir, fmt, target)
        size = target.stat().st_size / 2**20
        out.append(
            (
                f"export --format {fmt}",
                f"{seconds:.1f} s",
                f"{live / seconds:,.0f} records/s, {size:,.0f} MiB file, peak RSS {rss:,.0f} MiB",
            )
        )
        rates[f"export --format {fmt}"] = live / seconds
    log("import jsonl")
    with Store(new_store(backend)) as into, (root / "export.jsonl").open(encoding="utf-8") as f:
        started = time.perf_counter()
        imported = import_records(into, f, source="export.jsonl")
        seconds = time.perf_counter() - started
    out.append(
        (
            "import (export.jsonl into an empty store)",
            f"{seconds:.1f} s",
            f"{imported.records / seconds:,.0f} records/s; {imported.report.totals['added']} added",
        )
    )
    rates["import"] = imported.records / seconds
    where = store_location(data_dir)
    footprint = (
        f"store file {data_dir.store_path.stat().st_size / 2**20:,.0f} MiB"
        if isinstance(where, Path)
        else "PostgreSQL on 127.0.0.1"
    )
    markdown = (
        f"## Store on {backend}: {n:,} records ({footprint})\n\n"
        f"Command: `{command}`  \n"
        f"Machine: {describe_machine().summary()}  \n"
        f"Load average before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}.\n\n"
        f"{rows(iter(out))}\n\n"
        f"Peak RSS of the benchmark process so far (generating, staging, applying): "
        f"{peak_rss_mib():,.0f} MiB\n"
    )
    return markdown, rates


class Databases:
    """PostgreSQL databases made for this run (unique names), dropped at its end."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.names: list[str] = []

    def new_store(self, backend: str) -> str:
        import uuid

        import psycopg
        from sqlalchemy.engine import make_url

        if backend == "sqlite":
            path = Path(tempfile.mkdtemp(prefix="bench-store-import-")) / "store.sqlite3"
            return f"sqlite:///{path}"
        name = f"ojp_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return make_url(self.server).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        import psycopg

        if self.names:
            with psycopg.connect(self.server, autocommit=True) as conn:
                for name in self.names:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def side_by_side(rates: dict[str, dict[str, float]]) -> str:
    backends = list(rates)
    lines = ["| step | " + " | ".join(f"{b} (per s)" for b in backends) + " |"]
    lines.append("|---|" + "---:|" * len(backends))
    for step in rates[backends[0]]:
        lines.append(
            f"| {step} | " + " | ".join(f"{rates[b].get(step, 0):,.0f}" for b in backends) + " |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="3,000 records: a smoke test")
    parser.add_argument("--keep", type=Path, help="build the stores here and keep them")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL server URL")
    args = parser.parse_args(argv)
    n = 3_000 if args.quick else args.records
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-store-"))
    databases = Databases(args.postgres)
    rates: dict[str, dict[str, float]] = {}
    try:
        arguments = sys.argv[1:] if argv is None else argv
        command = shlex.join(["python", "-m", "bench.bench_store", *arguments])
        for backend in args.backends.split(","):
            markdown, rates[backend] = run_benchmark(
                n, root / backend, command, backend, databases.new_store
            )
            sys.stdout.write(markdown + "\n")
        sys.stdout.write(f"## Side by side: {n:,} records\n\n{side_by_side(rates)}")
    finally:
        if args.keep is None:
            databases.drop_all()
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
