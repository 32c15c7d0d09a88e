"""Store benchmark: staging, applying runs, the index's change feed and export, at scale.

    python -m bench.bench_store [--records 100000] [--keep DIR]
    python -m bench.bench_store --quick

1. Stages N synthetic records (bench.synthetic) in batches of 500, as crawl processes do, and
   applies the run (all added).
2. A second run fetches the same pages again: every page unchanged (no record writes).
3. A third run: 1% of the pages changed, 0.5% gone, the rest answered 304.
4. ``index_changes`` over the whole history.
5. ``ojp-search export`` to JSONL and CSV in a child process each: wall time, rows/s and the
   child's peak RSS (export streams in batches, so its memory should not grow with N).
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


def run_benchmark(n: int, root: Path, command: str) -> str:
    data_dir = DataDir(root).ensure()
    load_before = os.getloadavg()[0]
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
    store_size = data_dir.store_path.stat().st_size / 2**20
    return (
        f"## Store: {n:,} records (store file {store_size:,.0f} MiB)\n\n"
        f"Command: `{command}`  \n"
        f"Machine: {describe_machine().summary()}  \n"
        f"Load average before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}.\n\n"
        f"{rows(iter(out))}\n\n"
        f"Peak RSS of the benchmark process (generating, staging, applying): "
        f"{peak_rss_mib():,.0f} MiB\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="3,000 records: a smoke test")
    parser.add_argument("--keep", type=Path, help="build the store here and keep it")
    args = parser.parse_args(argv)
    n = 3_000 if args.quick else args.records
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        arguments = sys.argv[1:] if argv is None else argv
        command = shlex.join(["python", "-m", "bench.bench_store", *arguments])
        sys.stdout.write(run_benchmark(n, root, command))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
