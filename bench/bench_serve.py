"""Web service benchmark: throughput and latency of ``ojp-search serve`` under concurrent
clients, beside the same queries through the cold CLI, and the server's memory.

    python -m bench.bench_serve                        # 100,000 records, 8 clients
    python -m bench.bench_serve --quick                # 2,000 records, 8 clients, short phases
    python -m bench.bench_serve --keep DIR             # keep (or reuse) the data dir in DIR

1. Fills a store with synthetic records (``bench.synthetic``, as ``bench_search`` does) and
   builds the index with ``rebuild_index``; ``--keep DIR`` reuses a data dir that has both
   (``python -m bench.bench_search --keep DIR`` makes one too).
2. Starts ``ojp-search serve`` on 127.0.0.1 (a child process) and warms it with every query.
3. For ``/api/search`` and then the HTML search page: ``--clients`` threads each send the query
   mix of ``bench_search`` (one term, two terms, phrase, fielded + filter, date range, wildcard,
   misspelling) for ``--seconds``; requests per second and p50 / p95 latency as the clients see
   them. The clients run on the same machine as the server.
4. The same queries through the cold CLI (``ojp-search search --json``, one process per query),
   one after another: p50 / p95 per call.
5. The server's resident memory after the load (``VmRSS``) and its peak (``VmHWM``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.bench_search import fill_store, make_queries, percentiles
from bench.machine import describe_machine
from index.datadir import DataDir

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys, search_cli; sys.exit(search_cli.main())"]


def progress(message: str) -> None:
    print(f"[bench_serve] {message}", file=sys.stderr, flush=True)


def prepare_data(root: Path, records: int) -> DataDir:
    """A data dir with ``records`` synthetic records and their index (kept when present)."""
    from index.fulltext.writer import rebuild_index
    from index.store import Store

    data_dir = DataDir(root)
    if data_dir.store_path.exists() and data_dir.index_dir.exists():
        progress(f"reusing the store and index in {root}")
        return data_dir
    data_dir.ensure()
    if data_dir.store_path.exists():
        progress(f"reusing the store in {root}")
    else:
        progress(f"writing {records:,} synthetic records")
        fill_store(data_dir, records)
    progress("building the index")
    with Store.open(data_dir) as store:
        rebuild_index(store, data_dir)
    return data_dir


def query_strings(per_kind: int) -> list[str]:
    """The benchmark's queries as URL query strings (the CLI's flags as parameters)."""
    out = []
    for _, kwargs in make_queries(per_kind):
        params = [("q", kwargs["query"])]
        params += [("agency", a) for a in kwargs.get("agency", ())]
        if kwargs.get("since"):
            params.append(("since", kwargs["since"]))
        out.append(urlencode(params))
    return out


def cli_args(query_string: str) -> list[str]:
    from urllib.parse import parse_qsl

    args: list[str] = []
    for key, value in parse_qsl(query_string):
        args += [value] if key == "q" else [f"--{key}", value]
    return args


class Server:
    def __init__(self, data_dir: DataDir) -> None:
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", "0", "--data-dir", str(data_dir.root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.process.stderr is not None
        line = self.process.stderr.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        if not found:
            self.stop()
            raise SystemExit(f"serve did not start: {line!r}")
        self.url = found.group(1)

    def memory_mb(self) -> dict[str, float]:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, flags=re.M))
        return {key: int(value) / 1024 for key, value in values.items()}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def fetch(url: str) -> None:
    with urllib.request.urlopen(url, timeout=120) as answer:
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{url}: {answer.status}")


def load(base: str, queries: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` threads sending the queries in turn for ``seconds``."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(offset: int) -> None:
        for n in itertools.count(offset):
            if time.perf_counter() >= stop_at:
                return
            start = time.perf_counter()
            try:
                fetch(base + queries[n % len(queries)])
            except Exception as exc:
                with lock:
                    failures.append(str(exc))
                continue
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(n * 7,)) for n in range(clients)
    ]  # each starts elsewhere in the mix
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {
        **percentiles(latencies),
        "requests_per_s": len(latencies) / elapsed,
        "failures": len(failures),
    }


def cold_cli(data_dir: DataDir, queries: list[str]) -> dict[str, Any]:
    spent = []
    for query_string in queries:
        start = time.perf_counter()
        subprocess.run(
            [*CLI, "search", *cli_args(query_string), "--json", "--data-dir", str(data_dir.root)],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        spent.append((time.perf_counter() - start) * 1000)
    return {**percentiles(spent), "requests_per_s": 1000 / statistics.mean(spent)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="per load phase")
    parser.add_argument("--per-kind", type=int, default=5, help="queries of each kind in the mix")
    parser.add_argument("--cli-queries", type=int, default=16, help="cold CLI calls")
    parser.add_argument("--keep", type=Path, help="data dir to keep (or reuse)")
    parser.add_argument("--quick", action="store_true", help="2,000 records, 8 s phases")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.records, args.seconds, args.cli_queries = 2_000, 8.0, 8
    root = args.keep or Path(tempfile.mkdtemp(prefix="ojp-bench-serve-"))
    try:
        data_dir = prepare_data(root, args.records)
        queries = query_strings(args.per_kind)
        server = Server(data_dir)
        try:
            for query_string in queries:  # warm: imports, OS cache, facet tables
                fetch(f"{server.url}api/search?{query_string}")
            figures: dict[str, Any] = {}
            progress(f"/api/search: {args.clients} clients for {args.seconds:g} s")
            figures["api"] = load(f"{server.url}api/search?", queries, args.clients, args.seconds)
            progress(f"HTML page: {args.clients} clients for {args.seconds:g} s")
            figures["html"] = load(f"{server.url}?", queries, args.clients, args.seconds)
            figures["memory_mb"] = server.memory_mb()
        finally:
            server.stop()
        progress(f"cold CLI: {args.cli_queries} calls")
        figures["cli"] = cold_cli(data_dir, queries[: args.cli_queries])
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    report(args, figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def report(args: argparse.Namespace, figures: dict[str, Any]) -> None:
    shown = " ".join(sys.argv[1:]) if sys.argv[1:] else ""
    print(f"### Web service: {args.records:,} records, {args.clients} concurrent clients\n")
    print(f"Command: `python -m bench.bench_serve {shown}`".rstrip() + "  ")
    print(f"Machine: {describe_machine().summary()}\n")
    print("| what | requests/s | p50 ms | p95 ms | requests | failed |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, label in (
        ("api", f"`GET /api/search`, warm server, {args.clients} clients"),
        ("html", f"`GET /?q=…` (HTML page), warm server, {args.clients} clients"),
        ("cli", "`ojp-search search --json`, cold process each, one at a time"),
    ):
        row = figures[key]
        print(
            f"| {label} | {row['requests_per_s']:.1f} | {row['p50_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {row['n']} | {row.get('failures', 0)} |"
        )
    memory = figures["memory_mb"]
    print(
        f"\nServer memory after the load: {memory.get('VmRSS', 0):.0f} MB resident, "
        f"peak {memory.get('VmHWM', 0):.0f} MB."
    )


if __name__ == "__main__":
    sys.exit(main())
