"""Search benchmark: index build speed, query latency, cold start and memory on synthetic records.

    python -m bench.bench_search                     # 100,000 records, 40 queries per kind
    python -m bench.bench_search --quick             # 2,000 records, 5 queries per kind
    python -m bench.bench_search --keep DIR          # keep the data dir (store and index) ...
    python -m bench.bench_search --keep DIR --build none   # ... and time queries on it again
    python -m bench.bench_search --records 100000,250000 --keep 'DIR-{n}' --build tuned

1. Writes N synthetic records (bench.synthetic) into a real store (skipped when ``--keep DIR``
   already holds one). Several sizes separated by commas run one after the other, each in its
   own data dir (``{n}`` in ``--keep`` is the size).
2. Builds the index from the store, each build in its own process (its wall time, CPU time and
   peak RSS): ``rebuild_index`` (``IndexBuilder`` in ``index.fulltext.builder``, the live index,
   with its facet table and impact lists), plain Whoosh (the same schema and documents through
   ``ix.writer()`` with its defaults), and the builder with the body stored in the index. The
   last one also times the snippet text of a page of 10 hits read from the store (what
   ``search`` does) against reading it from the index's stored body. ``--build tuned`` builds
   only the live index, ``--build none`` reuses the one in ``--keep DIR``.
3. Runs a query mix (one, two and three terms, phrase, fielded + filter, date range, wildcard,
   misspelling) through ``index.fulltext.searcher.search`` with snippets and facets on, warm,
   in one process per ranking: ``current`` (Whoosh scores every candidate, phrases matched from
   positions: the ranking before impact lists), ``fast`` (impact lists and word pairs, what
   ``search`` does now, opening the index for each search as the CLI does) and ``warm`` (fast,
   with the index and its tables kept open between searches, as ``serve`` does). Prints p50 /
   p95 per kind for each, how many rankings the impact lists answered, and on how many queries
   the fast first page equals the exhaustive one.
4. Cold start: median of 10 runs of ``ojp-search search`` (a subprocess) against the same index,
   for one record by NCJ number (start-up) and for two frequent words (start-up and a broad
   search), under both rankings (``current``: the impact lists moved aside for the runs),
   beside ``python -c "import whoosh"`` and ``python -c pass``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.machine import describe_machine
from bench.synthetic import fitted_words, synthetic_records
from index.datadir import DataDir
from index.fulltext.schema import build_schema, record_document
from index.fulltext.writer import build_index, rebuild_index
from index.records import CrawlSummary, FetchResult
from index.store import Store

REPO = Path(__file__).resolve().parents[1]
KINDS = (
    "one term",
    "two terms",
    "three terms",
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
QUERY_WORDS = 300  # queries draw their words from this many most frequent content words


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


def query_words(count: int = QUERY_WORDS) -> list[str]:
    """The most frequent content words of the synthetic vocabulary (real OJP word counts)."""
    from whoosh.analysis import STOP_WORDS

    head, _ = fitted_words()
    return [w for w, _ in head if w.isalpha() and len(w) > 4 and w not in STOP_WORDS][:count]


def make_queries(per_kind: int, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """(kind, SearchRequest kwargs) pairs, deterministic."""
    rng = random.Random(seed)
    words = query_words()
    queries: list[tuple[str, dict[str, Any]]] = []
    for _ in range(per_kind):
        a, b, c = rng.sample(words, 3)
        year = rng.randint(1990, 2020)
        typo = a[:2] + a[3] + a[2] + a[4:]
        queries += [
            ("one term", {"query": a}),
            ("two terms", {"query": f"{a} {b}"}),
            ("three terms", {"query": f"{a} {b} {c}"}),
            ("phrase", {"query": f'"{a} {b}"'}),
            ("fielded+filter", {"query": f"title:{a}", "agency": ("NIJ",), "since": "2010"}),
            ("date range", {"query": f"{a} published:{year}..{year + 4}"}),
            ("wildcard", {"query": a[:3] + "*"}),
            ("misspelling", {"query": typo}),
        ]
    return queries


RANKINGS = {
    "current": "Whoosh scores every candidate (the ranking before impact lists)",
    "fast": "impact lists and word pairs, Whoosh when they cannot prove the top",
    "warm": "fast, with the index and its tables kept open between searches, as serve does",
}


@contextmanager
def ranking(name: str) -> Iterator[dict[str, int]]:
    """Search with one ranking; yields the count of fast-path answers and fallbacks.

    ``current``: no impact lists (every candidate scored by Whoosh) and phrases matched from
    positions, as searches ran before the impact lists; ``fast``: what ``search`` does now."""
    from index.fulltext import searcher as module
    from index.fulltext import snapshot

    counts = {"fast": 0, "fallback": 0}
    saved = snapshot.load_impact_table, module.match_query, module.top_hits

    def counted(*args: Any) -> Any:
        found = saved[2](*args)
        counts["fast" if found is not None else "fallback"] += 1
        return found

    if name == "current":
        snapshot.load_impact_table = lambda path, reader: None
        module.match_query = lambda q, schema: q
    module.top_hits = counted
    try:
        yield counts
    finally:
        snapshot.load_impact_table, module.match_query, module.top_hits = saved


def run_queries(data_dir: DataDir, per_kind: int, ranking_name: str) -> dict[str, Any]:
    """The query phase under one ranking: latency per kind, fast-path answers per kind, and
    this process's peak RSS."""
    from index.fulltext.searcher import SearchRequest, search
    from index.fulltext.snapshot import keep_warm, result_cache

    if ranking_name == "warm":
        keep_warm(data_dir)
        cache = result_cache(data_dir)
        if cache is not None:  # every search is timed in full: a repeated query is not a hit
            cache.size = 0
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    fast: dict[str, list[int]] = {kind: [0, 0] for kind in KINDS}
    with ranking(ranking_name) as counts:
        search(data_dir, SearchRequest("justice"))  # warm the OS cache and the imports
        for kind, kwargs in make_queries(per_kind):
            before = dict(counts)
            start = time.perf_counter()
            search(data_dir, SearchRequest(**kwargs))
            times[kind].append((time.perf_counter() - start) * 1000)
            fast[kind][0] += counts["fast"] - before["fast"]
            fast[kind][1] += counts["fallback"] - before["fallback"]
    every = [t for values in times.values() for t in values]
    report: dict[str, Any] = {kind: percentiles(values) for kind, values in times.items()}
    report["all"] = percentiles(every)
    report["fast_path"] = fast
    report["peak_rss_mb"] = peak_rss_mb()
    if ranking_name in ("fast", "warm"):
        report["exact"] = compare_rankings(data_dir, per_kind)
    return report


def compare_rankings(data_dir: DataDir, per_kind: int) -> dict[str, list[int]]:
    """Per kind: [queries whose first page (10 hits, after the re-rank of the top 50) is the
    exhaustive ranking's, queries compared]. Ties aside: hits of equal score may swap."""
    from index.fulltext.facets import live_docs, load_facet_table
    from index.fulltext.impact import load_impact_table
    from index.fulltext.query import compile_query
    from index.fulltext.searcher import SearchContext, SearchRequest, _ranked
    from index.fulltext.writer import live_index_path, open_searcher

    found: dict[str, list[int]] = {kind: [0, 0] for kind in KINDS}
    with open_searcher(data_dir) as searcher:
        reader = searcher.reader()
        path = live_index_path(data_dir)
        table, impacts = load_facet_table(path, reader), load_impact_table(path, reader)
        live = live_docs(reader)
        for kind, kwargs in make_queries(per_kind):
            compiled = compile_query(searcher, SearchRequest(**kwargs))
            fast = _ranked(SearchContext(searcher, table, live, None, impacts), compiled)[1]
            slow = _ranked(SearchContext(searcher, table, live, None, None), compiled)[1]
            found[kind][0] += same_page(fast, slow)
            found[kind][1] += 1
    return found


def same_page(fast: list[tuple[int, float]], slow: list[tuple[int, float]]) -> bool:
    """The same hits in the same order, where scores differ by more than float rounding."""
    if len(fast) != len(slow):
        return False
    for (doc, score), (want, want_score) in zip(fast, slow, strict=True):
        if abs(score - want_score) > 1e-9 * max(1.0, abs(want_score)):
            return False
        if doc != want and not any(
            d == doc and abs(s - want_score) <= 1e-9 * max(1.0, abs(want_score)) for d, s in slow
        ):
            return False
    return True


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(ordered), "p95_ms": p95, "n": len(ordered)}


# -- cold start --------------------------------------------------------------------------------


def median_run(args: list[str], times: int) -> float:
    """The median wall time of ``times`` runs; a run that fails (the whole-index ranking can
    pass the search time limit on a busy machine) counts with the time it took, and is said."""
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        done = subprocess.run(args, cwd=REPO, check=False, capture_output=True, text=True)
        spent.append(time.perf_counter() - start)
        if done.returncode:
            progress(f"{' '.join(args[-5:])}: exit {done.returncode}: {done.stderr.strip()}")
    return statistics.median(spent) * 1000


def cold_start(data_dir: DataDir, times: int, ranking_name: str = "fast") -> dict[str, float]:
    """The installed ``ojp-search`` console script (else ``python -m search_cli``). The
    ``current`` ranking runs with the impact lists moved aside (put back afterwards)."""
    from index.fulltext.impact import IMPACT_FILE
    from index.fulltext.writer import live_index_path

    script = Path(sys.executable).with_name("ojp-search")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "search_cli"]
    where = ["--json", "--data-dir", str(data_dir.root)]
    lists = live_index_path(data_dir) / IMPACT_FILE
    aside = lists.with_name(lists.name + ".aside")
    if ranking_name == "current" and lists.exists():
        os.replace(lists, aside)
    try:
        return {
            # One record by NCJ number: start-up, opening the index and the store, little search.
            "ojp_search_ms": median_run([*cli, "search", "ncj:100007", *where], times),
            # Two frequent words: start-up plus a search matching most of the index.
            "ojp_search_broad_ms": median_run([*cli, "search", "victim services", *where], times),
            "import_whoosh_ms": median_run([sys.executable, "-c", "import whoosh"], times),
            "python_ms": median_run([sys.executable, "-c", "pass"], times),
        }
    finally:
        if aside.exists():
            os.replace(aside, lists)


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
    print(f"load average at the start of the queries: {queries['load']}\n")
    print("### Query latency, warm (search() with facets and snippets, in one process)\n")
    print(
        "| kind | current p50 ms | current p95 ms | fast p50 ms | fast p95 ms "
        "| warm p50 ms | warm p95 ms | answered from the lists | top 10 = exhaustive | n |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    current, fast, warm = queries["current"], queries["fast"], queries["warm"]
    for kind in (*KINDS, "all"):
        c, f, w = current[kind], fast[kind], warm[kind]
        if kind == "all":
            answered = [sum(v[0] for v in fast["fast_path"].values())]
            answered.append(answered[0] + sum(v[1] for v in fast["fast_path"].values()))
            exact = [sum(v[0] for v in fast["exact"].values())]
            exact.append(sum(v[1] for v in fast["exact"].values()))
        else:
            answered = [fast["fast_path"][kind][0], sum(fast["fast_path"][kind])]
            exact = fast["exact"][kind]
        print(
            f"| {kind} | {c['p50_ms']:.1f} | {c['p95_ms']:.1f} | {f['p50_ms']:.1f} "
            f"| {f['p95_ms']:.1f} | {w['p50_ms']:.1f} | {w['p95_ms']:.1f} "
            f"| {answered[0]} of {answered[1]} | {exact[0]} of {exact[1]} "
            f"| {f['n']} |"
        )
    print(
        f"\nQuery process peak RSS: current {current['peak_rss_mb']:.0f} MB, fast "
        f'{fast["peak_rss_mb"]:.0f} MB. "Answered from the lists": rankings the impact lists '
        "proved (the others fell back to Whoosh; a misspelling ranks the typed and the "
        "corrected query, a wildcard alone ranks nothing).\n"
    )
    print(f"### Cold start, `ojp-search search` in a new process (median of {cold_runs})\n")
    print("| command | current ms | fast ms |")
    print("|---|---:|---:|")
    labels = {
        "ojp_search_ms": "`ojp-search search ncj:100007`",
        "ojp_search_broad_ms": "`ojp-search search 'victim services'`",
        "import_whoosh_ms": "`python -c 'import whoosh'`",
        "python_ms": "`python -c pass`",
    }
    for key, label in labels.items():
        print(f"| {label} | {cold['current'][key]:.0f} | {cold['fast'][key]:.0f} |")


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
    parser.add_argument(
        "--records", default="100000", help="records, or sizes separated by commas: 100000,250000"
    )
    parser.add_argument("--queries", type=int, default=40, help="queries per kind")
    parser.add_argument(
        "--keep",
        help="data dir to keep (its store is reused); {n} in it stands for the size",
    )
    parser.add_argument(
        "--build",
        choices=("all", "tuned", "none"),
        default="all",
        help="all: the three builds; tuned: the live index only; none: reuse the --keep index",
    )
    parser.add_argument("--quick", action="store_true", help="2,000 records, 5 queries per kind")
    parser.add_argument("--build-phase", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--query-phase", nargs=2, metavar=("RANKING", "DIR"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.build_phase:
        kind, root = args.build_phase
        print(json.dumps(run_build(kind, DataDir(Path(root)))))
        return 0
    if args.query_phase:
        name, root = args.query_phase
        print(json.dumps(run_queries(DataDir(Path(root)), args.queries, name)))
        return 0
    if args.build == "none" and not args.keep:
        parser.error("--build none needs --keep DIR (a data dir with an index)")
    sizes = [2_000] if args.quick else [int(n) for n in args.records.split(",")]
    if len(sizes) > 1 and args.keep and "{n}" not in args.keep:
        parser.error("with several sizes, --keep needs {n} in it (one data dir per size)")
    shown = " ".join(["python -m bench.bench_search", *(argv if argv else sys.argv[1:])])
    for n in sizes:
        keep = Path(args.keep.replace("{n}", str(n))) if args.keep else None
        run_size(n, keep, args, shown)
    return 0


def run_size(n: int, keep: Path | None, args: argparse.Namespace, shown: str) -> None:
    """Fill (or reuse), build and time one size."""
    per_kind = 5 if args.quick else args.queries
    cold_runs = 3 if args.quick else 10
    print(f"## bench_search: {n:,} synthetic records\n")
    print(f"Command: `{shown}`  \nMachine: {describe_machine().summary()}")
    root = keep or Path(tempfile.mkdtemp(prefix="ojp-bench-"))
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
        queries: dict[str, Any] = {"load": load_average()}
        cold = {}
        for name in RANKINGS:
            progress(f"queries, {name} ranking: {per_kind} per kind")
            queries[name] = child(["--query-phase", name, str(root), "--queries", str(per_kind)])
            if name != "warm":  # a new process has nothing kept open
                progress(f"cold start, {name} ranking")
                cold[name] = cold_start(data_dir, cold_runs, name)
        print_report(n, store_s, builds, queries, cold, cold_runs)
        print(f"\nload average at the end: {load_average()}\n")
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
