"""Search benchmark: index build speed, query latency, cold start and memory on synthetic records.

    python -m bench.bench_search [--records 100000] [--queries 40] [--procs 1] [--keep DIR]

1. Writes N synthetic records (bench.synthetic) into a real store, then builds the index three
   ways from the store: ``rebuild_index`` (the tuned writer), plain Whoosh (same schema, default
   ``ix.writer()``), and the tuned writer with body text stored in the index. Prints docs/s, the
   ratio to plain Whoosh, and index sizes (what storing the body costs).
2. Runs a query mix (one term, two terms, phrase, fielded + filter, date range, wildcard,
   misspelling) through ``index.searcher.search`` with snippets and facets on, in a separate
   process so that its peak RSS is the query process's own; prints p50 / p95 per kind.
3. Cold start: median of 10 runs of ``ojp-search search`` (a subprocess) against the same index,
   beside ``python -c "import whoosh"``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.machine import describe_machine
from bench.synthetic import DOMAIN, synthetic_records
from index.datadir import DataDir
from index.records import CrawlSummary, FetchResult
from index.schema import build_schema, record_document
from index.store import Store
from index.writer import build_index, rebuild_index

REPO = Path(__file__).resolve().parents[1]
KINDS = (
    "one term",
    "two terms",
    "phrase",
    "fielded+filter",
    "date range",
    "wildcard",
    "misspelling",
)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fill_store(data_dir: DataDir, n: int) -> float:
    """Sync ``n`` synthetic records into the store as one run; returns seconds."""
    start = time.perf_counter()
    with Store.open(data_dir) as store:
        run = store.start_run(["bench"])
        batch: list[FetchResult] = []
        for record in synthetic_records(n):
            batch.append(FetchResult(url=record.url, outcome="fetched", record=record))
            if len(batch) == 1000:
                store.stage_results(run, "bench", batch)
                batch = []
        store.stage_results(run, "bench", batch)
        store.save_crawl_summary(run, CrawlSummary(site="bench", complete=True))
        store.apply_run(run)
        store.finish_run(run, status="completed")
    return time.perf_counter() - start


def build_plain(data_dir: DataDir, path: Path) -> float:
    """Plain Whoosh: the same schema and documents, ``ix.writer()`` with its defaults."""
    from whoosh import index as whoosh_index

    start = time.perf_counter()
    ix = whoosh_index.create_in(str(path), build_schema())
    writer = ix.writer()
    with Store.open(data_dir) as store:
        for record in store.iter_records():
            writer.add_document(**record_document(record))
    writer.commit()
    return time.perf_counter() - start


def build_all(data_dir: DataDir, n: int, procs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with Store.open(data_dir) as store:
        start = time.perf_counter()
        update = rebuild_index(store, data_dir, procs=procs)
        out["tuned_s"] = time.perf_counter() - start
    out["tuned_bytes"] = folder_size(data_dir.index_dir.resolve())
    out["generation"] = update.generation
    scratch = Path(tempfile.mkdtemp(dir=data_dir.root))
    try:
        plain = scratch / "plain"
        plain.mkdir()
        out["plain_s"] = build_plain(data_dir, plain)
        out["plain_bytes"] = folder_size(plain)
        stored = scratch / "stored"
        stored.mkdir()
        start = time.perf_counter()
        with Store.open(data_dir) as store:
            build_index(stored, store.iter_records(), procs=procs, store_body=True)
        out["stored_s"] = time.perf_counter() - start
        out["stored_bytes"] = folder_size(stored)
    finally:
        shutil.rmtree(scratch)
    for key in ("tuned", "plain", "stored"):
        out[f"{key}_docs_per_s"] = n / out[f"{key}_s"]
    return out


def make_queries(per_kind: int, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """(kind, SearchRequest kwargs) pairs, deterministic."""
    rng = random.Random(seed)
    words = [w for w in DOMAIN if w.isalpha() and len(w) > 4]
    queries: list[tuple[str, dict[str, Any]]] = []
    for _ in range(per_kind):
        a, b = rng.sample(words, 2)
        year = rng.randint(1990, 2020)
        typo = a[:2] + a[3] + a[2] + a[4:]
        queries += [
            ("one term", {"query": a}),
            ("two terms", {"query": f"{a} {b}"}),
            ("phrase", {"query": f'"{a} {b}"'}),
            ("fielded+filter", {"query": f"title:{a}", "agency": ("NIJ",), "since": "2010"}),
            ("date range", {"query": f"{a} published:{year}..{year + 4}"}),
            ("wildcard", {"query": a[:3] + "*"}),
            ("misspelling", {"query": typo}),
        ]
    return queries


def run_queries(data_dir: DataDir, per_kind: int) -> dict[str, Any]:
    """The query phase (run in its own process): latency per kind and this process's peak RSS."""
    from index.searcher import SearchRequest, search

    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    search(data_dir, SearchRequest("justice"))  # warm the OS cache, not the process
    for kind, kwargs in make_queries(per_kind):
        start = time.perf_counter()
        search(data_dir, SearchRequest(**kwargs))
        times[kind].append((time.perf_counter() - start) * 1000)
    every = [t for values in times.values() for t in values]
    report = {kind: percentiles(values) for kind, values in times.items()}
    report["all"] = percentiles(every)
    report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(ordered), "p95_ms": p95, "n": len(ordered)}


def median_run(args: list[str], times: int = 10) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        subprocess.run(args, cwd=REPO, check=True, capture_output=True)
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def cold_start(data_dir: DataDir) -> dict[str, float]:
    cli = [sys.executable, str(REPO / "search_cli.py"), "search", "victim services", "--json"]
    return {
        "ojp_search_ms": median_run([*cli, "--data-dir", str(data_dir.root)]),
        "import_whoosh_ms": median_run([sys.executable, "-c", "import whoosh"]),
        "python_ms": median_run([sys.executable, "-c", "pass"]),
    }


def print_report(
    n: int, build: dict[str, Any], queries: dict[str, Any], cold: dict[str, float], store_s: float
) -> None:
    mb = 1024 * 1024
    print(f"\nrecords: {n:,}   store fill: {store_s:.1f} s")
    print("index build (from the store)       time     docs/s   size")
    for key, label in (
        ("tuned", "rebuild_index (tuned)"),
        ("plain", "plain Whoosh writer()"),
        ("stored", "tuned + body stored"),
    ):
        print(
            f"  {label:<30} {build[key + '_s']:7.1f} s {build[key + '_docs_per_s']:8.0f}"
            f"  {build[key + '_bytes'] / mb:7.1f} MB"
        )
    ratio = build["tuned_docs_per_s"] / build["plain_docs_per_s"]
    print(f"  tuned / plain docs/s ratio: {ratio:.2f}")
    print(
        f"  storing the body: +{(build['stored_bytes'] / build['tuned_bytes'] - 1) * 100:.0f}% "
        f"size, +{(build['stored_s'] / build['tuned_s'] - 1) * 100:.0f}% build time"
    )
    print("query latency (search() with facets and snippets, index opened per query)")
    for kind in (*KINDS, "all"):
        q = queries[kind]
        print(f"  {kind:<16} p50 {q['p50_ms']:7.1f} ms   p95 {q['p95_ms']:7.1f} ms   n={q['n']}")
    print(f"  query process peak RSS: {queries['peak_rss_mb']:.0f} MB")
    print("cold start (median of 10)")
    print(f"  ojp-search search:   {cold['ojp_search_ms']:.0f} ms")
    print(
        f"  python -c 'import whoosh': {cold['import_whoosh_ms']:.0f} ms"
        f"   python -c pass: {cold['python_ms']:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=40, help="queries per kind")
    parser.add_argument("--procs", type=int, default=1, help="writer processes for the build")
    parser.add_argument("--keep", type=Path, help="data dir to keep (reused when it has a store)")
    parser.add_argument("--query-phase", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.query_phase:
        print(json.dumps(run_queries(DataDir(args.query_phase), args.queries)))
        return 0

    print(
        "command:",
        " ".join(
            [
                Path(sys.executable).name,
                "-m",
                "bench.bench_search",
                *(argv if argv is not None else sys.argv[1:]),
            ]
        ),
    )
    print("machine:", describe_machine().summary())
    root = args.keep or Path(tempfile.mkdtemp(prefix="ojp-bench-"))
    data_dir = DataDir(root).ensure()
    try:
        store_s = 0.0 if data_dir.store_path.exists() else fill_store(data_dir, args.records)
        build = build_all(data_dir, args.records, args.procs)
        phase = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.bench_search",
                "--query-phase",
                str(root),
                "--queries",
                str(args.queries),
            ],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )
        queries = json.loads(phase.stdout.splitlines()[-1])
        cold = cold_start(data_dir)
        print_report(args.records, build, queries, cold, store_s)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
