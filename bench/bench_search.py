"""Search benchmark: index build speed, query latency, cold start and memory on synthetic records.

    python -m bench.bench_search                     # 100,000 records, 40 queries per kind
    python -m bench.bench_search --quick             # 2,000 records, 5 queries per kind
    python -m bench.bench_search --keep DIR          # keep the data dir (store and index) ...
    python -m bench.bench_search --keep DIR --build none   # ... and time queries on it again

1. Writes N synthetic records (bench.synthetic) into a real store (skipped when ``--keep DIR``
   already holds one).
2. Builds the index from the store, each build in its own process (its wall time, CPU time and
   peak RSS): ``rebuild_index`` (``IndexBuilder`` in ``index.fulltext.builder``, the live index),
   plain Whoosh (the
   same schema and documents through ``ix.writer()`` with its defaults), and the builder with the
   body stored in the index. The last one also times the snippet text of a page of 10 hits read
   from the store (what ``search`` does) against reading it from the index's stored body: the
   figures behind storing the body or not. ``--build tuned`` builds only the live index,
   ``--build none`` reuses the one in ``--keep DIR``.
3. Runs a query mix (one term, two terms, phrase, fielded + filter, date range, wildcard,
   misspelling) through ``index.fulltext.searcher.search`` with snippets and facets on, in its
   own process
   (each query opens the index, as a CLI call does); prints p50 / p95 per kind and the process's
   peak RSS.
4. Cold start: median of 10 runs of ``ojp-search search`` (a subprocess) against the same index,
   for one record by NCJ number (start-up) and for two frequent words (start-up and a broad
   search), beside ``python -c "import whoosh"`` and ``python -c pass``.
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
from index.fulltext.schema import build_schema, record_document
from index.fulltext.writer import build_index, rebuild_index
from index.records import CrawlSummary, FetchResult
from index.store import Store

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
BUILDS = {
    "tuned": "rebuild_index (IndexBuilder)",
    "plain": "plain Whoosh ix.writer()",
    "stored": "IndexBuilder, body stored",
}
SNIPPET_PAGES = 200  # pages of 10 hits timed for the snippet-source comparison


def progress(message: str) -> None:
    sys.stderr.write(f"[bench_search] {message}\n")
    sys.stderr.flush()


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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


# -- builds (each in its own process) ----------------------------------------------------------


def build_plain(data_dir: DataDir, path: Path) -> None:
    """Plain Whoosh: the same schema and documents, ``ix.writer()`` with its defaults."""
    from whoosh import index as whoosh_index

    writer = whoosh_index.create_in(str(path), build_schema()).writer()
    with Store.open(data_dir) as store:
        for record in store.iter_records():
            writer.add_document(**record_document(record))
    writer.commit()


def snippet_sources(data_dir: DataDir, stored_index: Path) -> dict[str, dict[str, float]]:
    """Milliseconds to get the snippet text of a page of 10 hits: from the store (what ``search``
    does: open the store, read 10 records) or from the body stored in the index."""
    from whoosh import index as whoosh_index

    from index.fulltext.searcher import snippet_texts

    ix = whoosh_index.open_dir(str(stored_index))
    with ix.searcher() as searcher:
        count = searcher.doc_count_all()
        rng = random.Random(5)
        pages = [rng.sample(range(count), min(10, count)) for _ in range(SNIPPET_PAGES)]
        id_pages = [[searcher.stored_fields(n)["id"] for n in page] for page in pages]
    from_store, from_index = [], []
    for page, ids in zip(pages, id_pages, strict=True):
        start = time.perf_counter()
        snippet_texts(data_dir, ids)
        from_store.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        with whoosh_index.open_dir(str(stored_index)).searcher() as searcher:
            [searcher.stored_fields(n).get("body", "") for n in page]
        from_index.append((time.perf_counter() - start) * 1000)
    return {"store": percentiles(from_store), "index": percentiles(from_index)}


def run_build(kind: str, data_dir: DataDir) -> dict[str, Any]:
    """One build, in this (child) process: seconds, CPU seconds, peak RSS, index size."""
    out: dict[str, Any] = {}
    start, cpu = time.perf_counter(), cpu_seconds()
    if kind == "tuned":
        with Store.open(data_dir) as store:
            out["documents"] = rebuild_index(store, data_dir).documents
        path = data_dir.index_dir.resolve()
    else:
        path = Path(tempfile.mkdtemp(dir=data_dir.root, prefix=f"bench-{kind}-"))
        if kind == "plain":
            build_plain(data_dir, path)
        else:
            with Store.open(data_dir) as store:
                out["documents"] = build_index(path, store.iter_records(), store_body=True)
    out.update(
        seconds=time.perf_counter() - start,
        cpu_seconds=cpu_seconds() - cpu,
        peak_rss_mb=peak_rss_mb(),
        bytes=folder_size(path),
    )
    if kind == "stored":
        out["snippets"] = snippet_sources(data_dir, path)
    if kind != "tuned":
        shutil.rmtree(path)
    return out


# -- queries (in their own process) ------------------------------------------------------------


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
    """The query phase: latency per kind and this process's peak RSS."""
    from index.fulltext.searcher import SearchRequest, search

    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    search(data_dir, SearchRequest("justice"))  # warm the OS cache and the imports
    for kind, kwargs in make_queries(per_kind):
        start = time.perf_counter()
        search(data_dir, SearchRequest(**kwargs))
        times[kind].append((time.perf_counter() - start) * 1000)
    every = [t for values in times.values() for t in values]
    report: dict[str, Any] = {kind: percentiles(values) for kind, values in times.items()}
    report["all"] = percentiles(every)
    report["peak_rss_mb"] = peak_rss_mb()
    return report


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(ordered), "p95_ms": p95, "n": len(ordered)}


# -- cold start --------------------------------------------------------------------------------


def median_run(args: list[str], times: int) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        subprocess.run(args, cwd=REPO, check=True, capture_output=True)
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def cold_start(data_dir: DataDir, times: int) -> dict[str, float]:
    """The installed ``ojp-search`` console script (else ``python -m search_cli``)."""
    script = Path(sys.executable).with_name("ojp-search")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "search_cli"]
    where = ["--json", "--data-dir", str(data_dir.root)]
    return {
        # One record by NCJ number: start-up, opening the index and the store, little search.
        "ojp_search_ms": median_run([*cli, "search", "ncj:100007", *where], times),
        # Two frequent words: start-up plus a search matching most of the index.
        "ojp_search_broad_ms": median_run([*cli, "search", "victim services", *where], times),
        "import_whoosh_ms": median_run([sys.executable, "-c", "import whoosh"], times),
        "python_ms": median_run([sys.executable, "-c", "pass"], times),
    }


# -- report ------------------------------------------------------------------------------------


def print_report(
    n: int,
    store_s: float,
    builds: dict[str, dict[str, Any]],
    queries: dict[str, Any],
    cold: dict[str, float],
    cold_runs: int,
) -> None:
    mb = 1024 * 1024
    print(f"\nrecords: {n:,}   store fill: {store_s:.1f} s (0 = reused)\n")
    if builds:
        print("### Index build (from the store, one process each)\n")
        print("| build | wall s | CPU s | docs/s (wall) | docs/s (CPU) | peak RSS MB | size MB |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for kind, label in BUILDS.items():
            if kind in builds:
                b = builds[kind]
                print(
                    f"| {label} | {b['seconds']:.1f} | {b['cpu_seconds']:.1f} "
                    f"| {n / b['seconds']:.0f} | {n / b['cpu_seconds']:.0f} "
                    f"| {b['peak_rss_mb']:.0f} | {b['bytes'] / mb:.1f} |"
                )
        if "plain" in builds:
            tuned, plain = builds["tuned"], builds["plain"]
            print(
                f"\nIndexBuilder / plain Whoosh: {plain['seconds'] / tuned['seconds']:.2f}x "
                f"(wall), {plain['cpu_seconds'] / tuned['cpu_seconds']:.2f}x (CPU)"
            )
        if "stored" in builds:
            tuned, stored = builds["tuned"], builds["stored"]
            snip = stored["snippets"]
            size = (stored["bytes"] / tuned["bytes"] - 1) * 100
            build = (stored["seconds"] / tuned["seconds"] - 1) * 100
            print(
                f"\nStoring the body in the index: {size:+.0f}% index size, {build:+.0f}% build "
                "time. Snippet text for a page of 10 hits: from the store p50 "
                f"{snip['store']['p50_ms']:.1f} ms / p95 {snip['store']['p95_ms']:.1f} ms, from "
                f"the index p50 {snip['index']['p50_ms']:.1f} ms / p95 "
                f"{snip['index']['p95_ms']:.1f} ms."
            )
    print("\n### Query latency (search() with facets and snippets, index opened per query)\n")
    print("| kind | p50 ms | p95 ms | n |")
    print("|---|---:|---:|---:|")
    for kind in (*KINDS, "all"):
        q = queries[kind]
        print(f"| {kind} | {q['p50_ms']:.1f} | {q['p95_ms']:.1f} | {q['n']} |")
    print(f"\nQuery process peak RSS: {queries['peak_rss_mb']:.0f} MB\n")
    print(f"### Cold start (median of {cold_runs})\n")
    print(f"- `ojp-search search ncj:100007`: {cold['ojp_search_ms']:.0f} ms")
    print(f"- `ojp-search search 'victim services'`: {cold['ojp_search_broad_ms']:.0f} ms")
    print(f"- `python -c 'import whoosh'`: {cold['import_whoosh_ms']:.0f} ms")
    print(f"- `python -c pass`: {cold['python_ms']:.0f} ms")


def child(args: list[str]) -> dict[str, Any]:
    """Run this module with ``args`` in a new process; its last stdout line is JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_search", *args],
        cwd=REPO,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=40, help="queries per kind")
    parser.add_argument("--keep", type=Path, help="data dir to keep (its store is reused)")
    parser.add_argument(
        "--build",
        choices=("all", "tuned", "none"),
        default="all",
        help="all: the three builds; tuned: the live index only; none: reuse the --keep index",
    )
    parser.add_argument("--quick", action="store_true", help="2,000 records, 5 queries per kind")
    parser.add_argument("--build-phase", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--query-phase", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_phase:
        kind, root = args.build_phase
        print(json.dumps(run_build(kind, DataDir(Path(root)))))
        return 0
    if args.query_phase:
        print(json.dumps(run_queries(DataDir(args.query_phase), args.queries)))
        return 0
    if args.build == "none" and not args.keep:
        parser.error("--build none needs --keep DIR (a data dir with an index)")
    n = 2_000 if args.quick else args.records
    per_kind = 5 if args.quick else args.queries
    cold_runs = 3 if args.quick else 10

    shown = " ".join(["python -m bench.bench_search", *(argv if argv else sys.argv[1:])])
    print(f"## bench_search: {n:,} synthetic records\n")
    print(f"Command: `{shown}`  \nMachine: {describe_machine().summary()}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="ojp-bench-"))
    data_dir = DataDir(root).ensure()
    try:
        store_s = 0.0
        if not data_dir.store_path.exists():
            progress(f"filling the store with {n:,} records")
            store_s = fill_store(data_dir, n)
        with Store.open(data_dir) as store:
            n = store.count_records()
        kinds = {"all": list(BUILDS), "tuned": ["tuned"], "none": []}[args.build]
        builds = {}
        for kind in kinds:
            progress(f"build: {BUILDS[kind]}")
            builds[kind] = child(["--build-phase", kind, str(root)])
        progress(f"queries: {per_kind} per kind")
        queries = child(["--query-phase", str(root), "--queries", str(per_kind)])
        progress("cold start")
        cold = cold_start(data_dir, cold_runs)
        print_report(n, store_s, builds, queries, cold, cold_runs)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
