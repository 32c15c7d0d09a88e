"""Benchmark: how fast a refresh is, end to end and phase by phase, on a large synthetic site.

    python -m bench.bench_refresh --pages 10000 --runs 3     # the figures in bench/RESULTS.md
    python -m bench.bench_refresh --quick                    # 2,000 pages, one run, a smoke test

Serves ``bench.synthetic_site`` on 127.0.0.1 and drives the real pipeline into a fresh data dir,
three refreshes per run:

1. **full**: the first refresh of an empty data dir (every page is fetched, normalized, stored
   and indexed);
2. **no change**: the same site again (targets: it requests the sitemaps and at most 1/30 of the
   pages, and takes at most 5 % of the full refresh);
3. **1 % changed**: after ``set_version`` changed 1 % of the pages (target: at most 10 %).

``--mode steps`` (default) calls the steps the refresh flow calls (``Store.start_run``,
``crawlers.runner.crawl_site``, ``Store.apply_run``, ``index.fulltext.writer.update_index``,
``Store.finish_run``) and times each; ``--mode flow`` runs ``flows.refresh.refresh`` under an
ephemeral Prefect server; ``--mode both`` does both. Normalization is timed apart, in process,
over a sample of the served pages, and the full index build (``rebuild_index``) runs in a child
process whose peak RSS is reported. Figures are medians over ``--runs``.

The crawl step fetches, normalizes and stages in one child process. It is split into crawl
(fetching: Scrapy, Twisted, HTTP), normalize and store with the sampled ``normalize_page`` time
times the pages, and the share of ``Store.stage_results`` in one more full crawl (of
``--profile-pages`` pages) run under cProfile, whose heaviest functions are listed too.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import describe_machine
from bench.synthetic_pages import CONTENT_TYPES, SyntheticSite
from bench.synthetic_site import (
    REVALIDATE_DAYS,
    SITE_NAME,
    RequestCounts,
    SyntheticSiteServer,
    sites_toml,
)

QUICK_PAGES = 2_000
PROFILE_PAGES = 2_000
PROFILE_TOP = 8
NORMALIZE_SAMPLE = 300
TARGET_UNCHANGED_SHARE = 0.05
TARGET_CHANGED_SHARE = 0.10
TARGET_UNCHANGED_PAGE_REQUESTS = 1 / 30
TARGET_PEAK_RSS_MB = 1024


@dataclass
class Refresh:
    """One refresh: its phases (seconds), the requests it sent and what it changed."""

    label: str
    mode: str  # "steps" or "flow"
    phases: dict[str, float]  # wall seconds
    cpu: dict[str, float]  # CPU seconds of this process and its children, by phase
    requests: RequestCounts
    added: int = 0
    changed: int = 0
    removed: int = 0
    crawl: dict[str, Any] = field(default_factory=dict)  # the CrawlSummary, as data

    @property
    def wall(self) -> float:
        return sum(self.phases.values())


@dataclass
class NormalizeTiming:
    pages: int
    mean_ms: float
    p95_ms: float
    by_kind_ms: dict[str, float]
    cpu_mean_ms: float = 0.0  # CPU time of this thread: what other load on the machine cannot add


@dataclass
class RebuildTiming:
    seconds: float
    documents: int
    peak_rss_mb: float


@dataclass
class CrawlProfile:
    """Where one profiled full crawl child spent its time."""

    pages: int
    seconds: float  # profiled time of the child (cProfile slows it down)
    shares: dict[str, float]  # component -> share of the child's time
    top: list[tuple[str, float, float]]  # heaviest functions: (where, own s, cumulative s)


#: Crawl child components found by (file path fragment, function name) in the profile.
PROFILE_COMPONENTS = {
    "normalize": ("crawlers/normalize/", "normalize_page"),
    "store": ("index/store.py", "stage_results"),
}


@dataclass
class Measurements:
    """Everything one benchmark invocation measured."""

    pages: int
    runs: str  # "3 steps run(s) and 1 flow run(s)"
    results: list[Refresh]
    normalize: NormalizeTiming
    rebuild: RebuildTiming
    crawl_peak_mb: float | None  # the largest child's peak RSS after the steps crawls
    load: tuple[float, float]  # 1-minute load average before and after
    profile: CrawlProfile | None = None  # the crawl child's profile, when one was taken
    bench_peak_mb: float | None = None  # this process's peak RSS after the steps runs
    slice_pages: int | None = None  # pages in today's revalidation slice, for these URLs


def cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children so far."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@contextmanager
def timed(phases: dict[str, float], cpu: dict[str, float], name: str) -> Iterator[None]:
    start, start_cpu = time.perf_counter(), cpu_seconds()
    try:
        yield
    finally:
        phases[name] = time.perf_counter() - start
        cpu[name] = cpu_seconds() - start_cpu


# -- memory ------------------------------------------------------------------------------------


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's own peak RSS (VmHWM). Not ``ru_maxrss``: a child inherits its parent's high-water
    mark through fork and exec, so a small child of a large parent would read large."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_pids() -> list[int]:
    """This process's children, from /proc (Linux)."""
    me = os.getpid()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:  # the field after the state is the parent's pid
            pids.append(int(entry.name))
    return pids


class ChildPeakWatcher:
    """Samples the peak RSS of this process's children (the crawl processes) while it runs."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="child-rss", daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in child_pids():
                peak = peak_rss_mb(pid)
                if peak == peak:  # not NaN: the child may have ended meanwhile
                    self.peak_mb = max(self.peak_mb, peak)

    def __enter__(self) -> ChildPeakWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- one refresh ---------------------------------------------------------------------------------


Timings = tuple[dict[str, float], dict[str, float]]


def refresh_by_steps(data_dir: Path, sites_file: Path) -> tuple[Timings, Any]:
    """The refresh flow's steps, called directly and timed one by one."""
    from crawlers.runner import crawl_site
    from index.datadir import DataDir
    from index.fulltext.writer import update_index
    from index.store import Store

    home = DataDir(data_dir).ensure()
    phases: dict[str, float] = {}
    cpu: dict[str, float] = {}
    with timed(phases, cpu, "start"), Store.open(home) as store:
        run_id = store.start_run([SITE_NAME])
    with timed(phases, cpu, "crawl"):
        summary = crawl_site(SITE_NAME, sites_file=sites_file, data_dir=home, run_id=run_id)
    with timed(phases, cpu, "apply"), Store.open(home) as store:
        changes = store.apply_run(run_id)
    with timed(phases, cpu, "index"), Store.open(home) as store:
        update_index(store, home)
    with timed(phases, cpu, "finish"), Store.open(home) as store:
        store.finish_run(run_id, status="completed")
    return (phases, cpu), (changes, asdict(summary))


def refresh_by_flow(data_dir: Path, sites_file: Path) -> tuple[Timings, Any]:
    """``flows.refresh.refresh`` for the synthetic site, timed as a whole."""
    from flows.refresh import refresh

    phases: dict[str, float] = {}
    cpu: dict[str, float] = {}
    with timed(phases, cpu, "flow"):
        report = refresh(sites=[SITE_NAME], sites_file=str(sites_file), data_dir=str(data_dir))
    changes = report.get("changes", {})
    crawl = report.get("crawls", {}).get(SITE_NAME, {})
    return (phases, cpu), (changes, crawl)


def measure_refresh(
    label: str,
    mode: str,
    server: SyntheticSiteServer,
    data_dir: Path,
    sites_file: Path,
) -> Refresh:
    runner = refresh_by_steps if mode == "steps" else refresh_by_flow
    server.reset_counts()
    (phases, cpu), (changes, crawl) = runner(data_dir, sites_file)
    if not isinstance(changes, dict):
        changes = asdict(changes)
    result = Refresh(
        label=label,
        mode=mode,
        phases=phases,
        cpu=cpu,
        requests=server.counts(),
        added=len(changes.get("added", [])),
        changed=len(changes.get("changed", [])),
        removed=len(changes.get("removed", [])),
        crawl=crawl,
    )
    log_progress(
        f"{mode} {label}: {result.wall:.1f} s, {result.requests.total} requests "
        f"({result.requests.page} pages), +{result.added} ~{result.changed} -{result.removed}"
    )
    return result


def run_cycle(
    server: SyntheticSiteServer, work: Path, sites_file: Path, mode: str, number: int
) -> list[Refresh]:
    """Full, no-change and 1 %-changed refreshes into a fresh data dir."""
    data_dir = work / f"{mode}-{number}"
    results = [measure_refresh("full", mode, server, data_dir, sites_file)]
    results.append(measure_refresh("no change", mode, server, data_dir, sites_file))
    server.set_version(server.site.version + 1)
    results.append(measure_refresh("1 % changed", mode, server, data_dir, sites_file))
    return results


def count_revalidation_slice(site: SyntheticSite, base_url: str) -> int:
    """How many of the site's pages fall in today's revalidation slice: the pages a no-change
    refresh re-requests whatever their lastmod (``1/REVALIDATE_DAYS`` of them on average; the
    slice is a hash of the URL, so its size varies by day and by host)."""
    from crawlers.spiders.ojp import in_revalidation_slice
    from index.urls import canonical_url

    today = datetime.now(UTC).date()
    return sum(
        in_revalidation_slice(canonical_url(base_url + page.path), today, REVALIDATE_DAYS)
        for page in site.pages
    )


# -- normalize and rebuild -----------------------------------------------------------------------


def measure_normalize(site: SyntheticSite, base_url: str, sample: int) -> NormalizeTiming:
    """``normalize_page`` over ``sample`` pages spread over the site, timed in process."""
    from crawlers.normalize import normalize_page

    step = max(1, site.size // sample)
    times: list[float] = []
    cpu_ms = 0.0
    by_kind: dict[str, list[float]] = {}
    for number in range(0, site.size, step)[:sample]:
        spec = site.pages[number]
        response = site.respond(spec.path, base_url)
        headers = {
            "Content-Type": response.content_type,
            "ETag": response.etag or "",
            "Last-Modified": response.last_modified.isoformat() if response.last_modified else "",
        }
        start, start_cpu = time.perf_counter(), time.thread_time()
        normalize_page(
            base_url + spec.path,
            response.body,
            headers,
            site=SITE_NAME,
            agency="OJP",
            kind=CONTENT_TYPES[spec.kind],
            fetched_at="2026-01-01T00:00:00Z",
        )
        elapsed = (time.perf_counter() - start) * 1000
        cpu_ms += (time.thread_time() - start_cpu) * 1000
        times.append(elapsed)
        by_kind.setdefault(spec.kind, []).append(elapsed)
    times.sort()
    return NormalizeTiming(
        pages=len(times),
        mean_ms=statistics.fmean(times),
        p95_ms=times[int(0.95 * (len(times) - 1))],
        by_kind_ms={kind: statistics.fmean(v) for kind, v in sorted(by_kind.items())},
        cpu_mean_ms=cpu_ms / len(times),
    )


def measure_rebuild(data_dir: Path) -> RebuildTiming:
    """``rebuild_index`` from the store in a child process, with the child's peak RSS."""
    command = [sys.executable, "-m", "bench.bench_refresh", "--rebuild-child", str(data_dir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"index rebuild failed:\n{done.stderr[-2000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return RebuildTiming(**data)


def rebuild_in_this_process(data_dir: Path) -> None:
    """The child side of ``measure_rebuild``: rebuild, then print time, size and peak RSS."""
    from index.datadir import DataDir
    from index.fulltext.writer import rebuild_index
    from index.store import Store

    home = DataDir(data_dir)
    start = time.perf_counter()
    with Store.open(home) as store:
        update = rebuild_index(store, home)
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "documents": update.documents, "peak_rss_mb": peak_rss_mb()}
    sys.stdout.write(json.dumps(result) + "\n")


def profile_crawl(pages: int, seed: int, work: Path) -> CrawlProfile:
    """One full crawl of a site of ``pages`` pages, its child process run under cProfile."""
    from crawlers.runner import child_environment, crawl_command
    from index.datadir import DataDir
    from index.store import Store

    home = DataDir(work / "profile").ensure()
    output = work / "crawl.prof"
    with SyntheticSiteServer(SyntheticSite(pages, seed=seed)) as server:
        sites_file = work / "profile-sites.toml"
        sites_file.write_text(sites_toml(server.base_url, max_pages=10 * pages + 1000))
        with Store.open(home) as store:
            run_id = store.start_run([SITE_NAME])
        command = crawl_command(SITE_NAME, sites_file, home, run_id, full=False)
        command[1:2] = ["-m", "cProfile", "-o", str(output), "-m"]  # -m cProfile ... -m crawlers
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, env=child_environment()
        )
    if done.returncode != 0:
        raise RuntimeError(f"profiled crawl failed:\n{done.stderr[-2000:]}")
    return read_profile(output, pages)


def read_profile(path: Path, pages: int) -> CrawlProfile:
    stats: dict[Any, Any] = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in stats.values())
    shares = {name: 0.0 for name in PROFILE_COMPONENTS}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.items():
        for name, (fragment, wanted) in PROFILE_COMPONENTS.items():
            if function == wanted and fragment in filename.replace(os.sep, "/"):
                shares[name] += cumulative / total
    heaviest = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:PROFILE_TOP]
    top = [(describe_function(key), row[2], row[3]) for key, row in heaviest]
    return CrawlProfile(pages=pages, seconds=total, shares=shares, top=top)


def describe_function(key: tuple[str, int, str]) -> str:
    filename, line, function = key
    if filename == "~":  # a built-in
        return function
    parts = Path(filename).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else filename
    return f"{short}:{line} {function}"


# -- report --------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pick(results: list[Refresh], label: str, mode: str) -> list[Refresh]:
    return [r for r in results if r.label == label and r.mode == mode]


def figure(name: str, value: str, target: str = "", verdict: str = "") -> str:
    return f"| {name} | {value} | {target} | {verdict} |"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report_mode(results: list[Refresh], mode: str, pages: int) -> list[str]:
    full, same, changed = (pick(results, label, mode) for label in LABELS)
    full_wall = median([r.wall for r in full])
    lines = [
        figure(
            f"{mode}: full refresh, {pages:,} pages",
            f"{full_wall:.1f} s = {pages / full_wall:.0f} pages/s",
        )
    ]
    if mode == "steps":
        for phase in ("start", "crawl", "apply", "index", "finish"):
            seconds = median([r.phases[phase] for r in full])
            cpu = median([r.cpu[phase] for r in full])
            lines.append(
                figure(
                    f"steps: full, {phase}",
                    f"{seconds:.2f} s ({seconds / full_wall:.0%}); CPU {cpu:.2f} s",
                )
            )
    for rows, target, title in (
        (same, TARGET_UNCHANGED_SHARE, "no change"),
        (changed, TARGET_CHANGED_SHARE, "1 % changed"),
    ):
        wall = median([r.wall for r in rows])
        share = wall / full_wall
        requests = median([r.requests.total for r in rows])
        page_requests = median([r.requests.page for r in rows])
        lines.append(
            figure(
                f"{mode}: {title} refresh",
                f"{wall:.2f} s = {share:.1%} of full",
                f"≤ {target:.0%}",
                verdict(share <= target),
            )
        )
        limit = pages * TARGET_UNCHANGED_PAGE_REQUESTS
        lines.append(
            figure(
                f"{mode}: {title}, requests",
                f"{requests:.0f} ({median([r.requests.sitemap for r in rows]):.0f} sitemap, "
                f"{page_requests:.0f} page = {page_requests / pages:.1%} of {pages:,} pages, "
                f"{median([r.requests.not_modified for r in rows]):.0f} × 304)",
                f"pages ≤ {limit:.0f}" if title == "no change" else "",
                verdict(page_requests <= limit) if title == "no change" else "",
            )
        )
        lines.append(
            figure(
                f"{mode}: {title}, records",
                " ".join(
                    f"{sign}{median([getattr(r, name) for r in rows]):.0f}"
                    for sign, name in (("+", "added"), ("~", "changed"), ("-", "removed"))
                ),
            )
        )
    return lines


LABELS = ("full", "no change", "1 % changed")


def report_split(
    results: list[Refresh], normalize_timing: NormalizeTiming, profile: CrawlProfile, pages: int
) -> list[str]:
    """The full refresh (steps) as crawl, normalize, store and index. The crawl step holds the
    other three's crawl-side work: normalize takes the share of the crawl's CPU time that
    ``normalize_page``'s sampled CPU time times the pages makes (no profiler, and other load on
    the machine does not inflate it), staging ``stage_results``'s profiled share, and fetching
    what remains."""
    full = pick(results, "full", "steps")
    full_wall = median([r.wall for r in full])
    crawl = median([r.phases["crawl"] for r in full])
    crawl_cpu = median([r.cpu["crawl"] for r in full])
    staging = crawl * profile.shares["store"]
    normalize_cpu = normalize_timing.cpu_mean_ms * pages / 1000
    normalize = min(crawl * normalize_cpu / crawl_cpu, crawl - staging) if crawl_cpu > 0 else 0
    store = staging + sum(median([r.phases[p] for r in full]) for p in ("start", "apply", "finish"))
    parts = {
        "crawl (fetch: Scrapy, Twisted, HTTP)": crawl - normalize - staging,
        "normalize (normalize_page)": normalize,
        "store (staging, apply, start, finish)": store,
        "index (update_index: full build)": median([r.phases["index"] for r in full]),
    }
    return [
        figure(
            f"steps: full split, {name}",
            f"{seconds:.1f} s ({seconds / full_wall:.0%}) = {pages / seconds:.0f} pages/s",
        )
        for name, seconds in parts.items()
    ]


def report_profile(profile: CrawlProfile) -> list[str]:
    shares = ", ".join(
        f"{PROFILE_COMPONENTS[name][1]} {share:.1%}" for name, share in profile.shares.items()
    )
    rest = 1 - sum(profile.shares.values())
    lines = [
        "",
        f"Crawl child profile (cProfile, one full crawl of {profile.pages:,} pages, "
        f"{profile.seconds:.1f} s profiled): {shares}, fetching and the rest {rest:.0%}. "
        "Heaviest functions by own time:",
        "",
        "| function | own s | cumulative s |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| `{where}` | {own:.2f} | {cumulative:.2f} |" for where, own, cumulative in profile.top
    ]
    return lines


def render_report(command: str, measured: Measurements) -> str:
    machine = describe_machine()
    pages, results, load = measured.pages, measured.results, measured.load
    normalize, rebuild = measured.normalize, measured.rebuild
    modes = [m for m in ("steps", "flow") if pick(results, "full", m)]
    lines = [
        "## Refresh",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine.summary()}  ",
        f"Medians of {measured.runs}; synthetic site of {pages:,} pages served on 127.0.0.1. "
        f"Load average before / after: {load[0]:.2f} / {load[1]:.2f}.",
        "",
        "| figure | value | target | verdict |",
        "|---|---|---|---|",
    ]
    if measured.slice_pages is not None:
        lines.append(
            figure(
                "today's revalidation slice (re-requested whatever their lastmod)",
                f"{measured.slice_pages} pages = {measured.slice_pages / pages:.2%} "
                f"(1/{REVALIDATE_DAYS} on average: {pages / REVALIDATE_DAYS:.0f}); "
                "plus the start URL, which no sitemap lists",
            )
        )
    for mode in modes:
        lines += report_mode(results, mode, pages)
        if mode == "steps" and measured.profile is not None:
            lines += report_split(results, normalize, measured.profile, pages)
    if normalize.pages:
        projected = normalize.mean_ms * pages / 1000
        lines.append(
            figure(
                f"normalize_page, {normalize.pages} sampled pages (in process)",
                f"{normalize.mean_ms:.2f} ms/page mean, {normalize.p95_ms:.2f} p95 = "
                f"{1000 / normalize.mean_ms:.0f} pages/s; {projected:.1f} s for {pages:,} pages; "
                f"CPU {normalize.cpu_mean_ms:.2f} ms/page",
            )
        )
        kinds = ", ".join(f"{k} {v:.2f}" for k, v in normalize.by_kind_ms.items())
        lines.append(figure("normalize_page by kind (ms)", kinds))
    server_cpu = median([r.requests.cpu_seconds for r in pick(results, "full", "steps")])
    if server_cpu == server_cpu:  # not NaN
        lines.append(figure("synthetic server CPU during the full crawl", f"{server_cpu:.1f} s"))
    if measured.crawl_peak_mb is not None:
        lines.append(
            figure("crawl child peak RSS (steps runs)", f"{measured.crawl_peak_mb:.0f} MB")
        )
    if measured.bench_peak_mb is not None:
        lines.append(
            figure(
                "benchmark process peak RSS after the steps runs (server, apply, update_index)",
                f"{measured.bench_peak_mb:.0f} MB",
            )
        )
    lines.append(
        figure(
            f"rebuild_index, {rebuild.documents:,} records (child process)",
            f"{rebuild.seconds:.1f} s = {rebuild.documents / rebuild.seconds:.0f} records/s, "
            f"peak RSS {rebuild.peak_rss_mb:.0f} MB",
            f"RSS ≤ {TARGET_PEAK_RSS_MB} MB",
            verdict(rebuild.peak_rss_mb <= TARGET_PEAK_RSS_MB),
        )
    )
    if measured.profile is not None:
        lines += report_profile(measured.profile)
    return "\n".join(lines) + "\n"


def log_progress(message: str) -> None:
    sys.stderr.write(f"[bench_refresh] {message}\n")
    sys.stderr.flush()


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="site size (10000)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; medians (3)")
    parser.add_argument(
        "--mode",
        choices=("steps", "flow", "both"),
        default="both",
        help="time the flow's steps, the Prefect flow, or both (both)",
    )
    parser.add_argument("--flow-runs", type=int, default=1, help="repetitions of the flow (1)")
    parser.add_argument("--seed", type=int, default=1, help="synthetic site seed (1)")
    parser.add_argument(
        "--profile-pages",
        type=int,
        default=PROFILE_PAGES,
        help=f"pages of the profiled crawl that splits the crawl step; 0: none ({PROFILE_PAGES})",
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PAGES} pages, one run")
    parser.add_argument("--work-dir", type=Path, help="where data dirs go (a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs")
    parser.add_argument("--json", type=Path, help="also write every measurement as JSON here")
    parser.add_argument("--rebuild-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.pages, args.runs, args.flow_runs = min(args.pages, QUICK_PAGES), 1, 1
        args.profile_pages = min(args.profile_pages, args.pages // 4)
    return args


def flow_harness(mode: str) -> AbstractContextManager[Any]:
    if mode == "steps":
        return nullcontext()
    from prefect.testing.utilities import prefect_test_harness

    return prefect_test_harness(server_startup_timeout=120)


def describe_runs(args: argparse.Namespace) -> str:
    steps = f"{args.runs} steps run(s)" if args.mode != "flow" else ""
    flows = f"{args.flow_runs} flow run(s)" if args.mode != "steps" else ""
    return " and ".join(filter(None, [steps, flows]))


def run_benchmark(args: argparse.Namespace, work: Path) -> Measurements:
    load_before = os.getloadavg()[0]
    site = SyntheticSite(args.pages, seed=args.seed)
    modes = ("steps", "flow") if args.mode == "both" else (args.mode,)
    results: list[Refresh] = []
    crawl_peak_mb: float | None = None
    bench_peak_mb: float | None = None
    with SyntheticSiteServer(site) as server:
        sites_file = work / "sites.toml"
        sites_file.write_text(sites_toml(server.base_url, max_pages=10 * args.pages + 1000))
        for mode in modes:
            with flow_harness(mode), ChildPeakWatcher() as children:
                for number in range(args.runs if mode == "steps" else args.flow_runs):
                    results += run_cycle(server, work, sites_file, mode, number)
            if mode == "steps":
                crawl_peak_mb, bench_peak_mb = children.peak_mb, peak_rss_mb()
        normalize = measure_normalize(site, server.base_url, min(NORMALIZE_SAMPLE, args.pages))
        slice_pages = count_revalidation_slice(site, server.base_url)
    rebuild = measure_rebuild(work / f"{modes[0]}-0")
    profile = None
    if args.profile_pages and "steps" in modes:
        log_progress(f"profiling one full crawl of {args.profile_pages:,} pages")
        profile = profile_crawl(args.profile_pages, args.seed, work)
    return Measurements(
        pages=args.pages,
        runs=describe_runs(args),
        results=results,
        normalize=normalize,
        rebuild=rebuild,
        crawl_peak_mb=crawl_peak_mb,
        profile=profile,
        slice_pages=slice_pages,
        bench_peak_mb=bench_peak_mb,
        load=(load_before, os.getloadavg()[0]),
    )


def write_json(path: Path, measured: Measurements) -> None:
    data = asdict(measured) | {"machine": describe_machine().to_dict()}
    for row, refresh in zip(data["results"], measured.results, strict=True):
        row["wall"] = refresh.wall
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.rebuild_child:
        rebuild_in_this_process(args.rebuild_child)
        return 0
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    work = Path(tempfile.mkdtemp(prefix="ojp-bench-", dir=args.work_dir))
    try:
        measured = run_benchmark(args, work)
        if args.json:
            write_json(args.json, measured)
        arguments = sys.argv[1:] if argv is None else argv
        command = shlex.join(["python", "-m", "bench.bench_refresh", *arguments])
        sys.stdout.write(render_report(command, measured))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log_progress(f"data dirs kept in {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
