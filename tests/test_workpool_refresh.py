"""The refresh fanned out on a Prefect work pool: a real Prefect server, a process work pool, two
workers in processes of their own, and the store on PostgreSQL.

A refresh of the sample site crawls its sites on both workers and ends with the records and
search results of a one-process refresh on SQLite. A worker SIGKILLed in the middle of a crawl
loses nothing: its crawl is taken for lost and retried on the other worker, and the run still
ends with the same records. Every process the test starts is killed at its end.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from crawlers.sample_site import SampleSite, copy_site, sites_toml
from index.datadir import DataDir
from index.fulltext.searcher import SearchRequest, search
from index.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workpool")]

ROOT = Path(__file__).resolve().parent.parent
POOL = "ojp-search-crawl"
DEPLOYMENT = "crawl-site/ojp-search-crawl"
WORKERS = ("worker-a", "worker-b")
SITES = ["nij", "ovc", "bja"]
QUERIES = ["crime", "victims", "forensic evidence", "justice programs", "sexual assault"]

#: Runs the refresh flow against the server in PREFECT_API_URL and prints, as one JSON line, its
#: final state, the run report and the names of the task runs of its crawl subflows.
DRIVER = """
import json, sys
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter, FlowRunFilterId, FlowRunFilterParentFlowRunId,
)
from flows.refresh import refresh

options = json.loads(sys.argv[1])
state = refresh(**options, return_state=True)
report = state.result(raise_on_failure=False)
parent = state.state_details.flow_run_id
with get_client(sync_client=True) as client:
    children = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent]))
    )
    tasks = client.read_task_runs(
        flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[c.id for c in children]))
    ) if children else []
    crawls = sorted((c.name, c.state.name) for c in children)
print(json.dumps({
    "state": state.name,
    "report": report if isinstance(report, dict) else getattr(report, "report", str(report)),
    "tasks": sorted(t.name for t in tasks),
    "crawls": crawls,
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children of children too), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class Processes:
    """Processes of the test, each in a session of its own; ``kill_all`` ends every one of them
    and everything they started."""

    logs: Path
    started: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    files: list[IO[bytes]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        self.files.append(log)
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-4000:]

    def kill_tree(self, name: str) -> None:
        process = self.started[name]
        for pid in [process.pid, *descendants(process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)

    def kill_all(self) -> None:
        for name in list(self.started):
            self.kill_tree(name)
        for log in self.files:
            log.close()


@dataclass
class Pool:
    processes: Processes
    env: dict[str, str]

    def run_refresh(self, name: str, **options: Any) -> subprocess.Popen[bytes]:
        args = [sys.executable, "-c", DRIVER, json.dumps(options)]
        return self.processes.start(name, args, self.env)

    def result(self, name: str, timeout: float) -> dict[str, Any]:
        process = self.processes.started[name]
        process.wait(timeout=timeout)
        lines = self.processes.log(name).strip().splitlines()
        assert process.returncode == 0 and lines, self.processes.log(name)
        return json.loads(lines[-1])


def wait_until_up(url: str, seconds: float, processes: Processes) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the Prefect server did not start:\n" + processes.log("server"))


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    """A Prefect server, a process work pool with the crawl deployment, two workers."""
    root = tmp_path_factory.mktemp("workpool")
    processes = Processes(root)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "OJP_SEARCH_"))}
    api = f"http://127.0.0.1:{free_port()}/api"
    env = {
        **base,
        "PREFECT_HOME": str(root / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_HEARTBEAT_SECONDS": "5",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    prefect = str(Path(sys.executable).with_name("prefect"))
    try:
        port = api.rsplit(":", 1)[1].split("/")[0]
        server_env = {**env, "PREFECT_API_URL": ""}
        processes.start(
            "server",
            [prefect, "server", "start", "--host", "127.0.0.1", "--port", port],
            server_env,
        )
        wait_until_up(api, 90, processes)
        for args in (
            [prefect, "work-pool", "create", POOL, "--type", "process"],
            [prefect, "--no-prompt", "deploy", "--name", "ojp-search-crawl"],
        ):
            done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=120)
            assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()
        for name in WORKERS:
            data = root / name
            worker_env = {**env, "OJP_SEARCH_DATA_DIR": str(data)}
            args = [prefect, "worker", "start", "--pool", POOL, "--name", name, "--limit", "1"]
            processes.start(name, args, worker_env)
        yield Pool(processes, env)
    finally:
        processes.kill_all()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The sample site served on 127.0.0.1: a sites file to crawl it fast, one to crawl slowly."""
    root = tmp_path_factory.mktemp("workpool-site")
    with SampleSite(copy_site(root / "site")) as served:
        fast = root / "fast.toml"
        fast.write_text(sites_toml(served.base_url), encoding="utf-8")
        slow = root / "slow.toml"
        slow.write_text(
            sites_toml(served.base_url)
            .replace("download_delay = 0\n", "download_delay = 0.25\n")
            .replace("concurrency_per_host = 8\n", "concurrency_per_host = 1\n"),
            encoding="utf-8",
        )
        yield fast, slow


def records_of(data: DataDir, sites: list[str]) -> dict[str, dict[str, Any]]:
    """The live records of ``sites``, without the time each was fetched."""
    with Store.open_reader(data) as store:
        found = {}
        for record in store.iter_records():
            if record.site in sites:
                found[record.id] = {k: v for k, v in record.to_dict().items() if k != "fetched_at"}
        return found


def hits(data: DataDir, query: str) -> list[tuple[str, str, float]]:
    results = search(data, SearchRequest(query=query, limit=100))
    return [(hit.id, hit.title, round(hit.score, 4)) for hit in results.hits]


def test_a_refresh_crawls_on_both_workers_and_a_killed_worker_loses_nothing(
    pool: Pool,
    sample: tuple[Path, Path],
    postgres_databases: Any,
    tmp_path: Path,
) -> None:
    fast, slow = sample
    # The reference: one process, the store on SQLite.
    reference = DataDir(tmp_path / "reference")
    pool.run_refresh("reference", sites=SITES, sites_file=str(fast), data_dir=str(reference.root))
    # The same refresh with its crawls on the pool and the store on PostgreSQL.
    shared = DataDir(tmp_path / "shared").ensure()
    shared.remember("store", url=postgres_databases.create())
    options = {"crawl_deployment": DEPLOYMENT, "crawl_retry_delays": [0.0]}
    pool.run_refresh(
        "pooled", sites=SITES, sites_file=str(fast), data_dir=str(shared.root), **options
    )
    expected = pool.result("reference", timeout=120)
    pooled = pool.result("pooled", timeout=120)
    assert expected["state"] == pooled["state"] == "Completed", pooled
    crawled_on = {name.rsplit(" on ", 1)[1] for name in pooled["tasks"]}
    assert crawled_on == set(WORKERS), pooled["tasks"]
    assert records_of(shared, SITES) == records_of(reference, SITES)
    assert len(records_of(shared, SITES)) >= 30
    for query in QUERIES:
        assert hits(shared, query) == hits(reference, query), query

    # A worker SIGKILLed in the middle of a crawl: the crawl is retried on the other one.
    killed = DataDir(tmp_path / "killed").ensure()
    killed_url = postgres_databases.create()
    killed.remember("store", url=killed_url)
    pool.run_refresh(
        "killed",
        sites=["nij", "ovc"],
        sites_file=str(slow),
        data_dir=str(killed.root),
        crawl_attempt_seconds=18.0,
        **options,
    )
    victim = kill_a_worker_mid_crawl(pool, killed_url, site="nij")
    outcome = pool.result("killed", timeout=150)
    assert outcome["state"] == "Completed", outcome
    survivor = next(name for name in WORKERS if name != victim)
    assert f"crawl nij on {survivor}" in outcome["tasks"], outcome
    assert "Crashed" in {state for _, state in outcome["crawls"]}, outcome["crawls"]
    assert records_of(killed, ["nij", "ovc"]) == records_of(reference, ["nij", "ovc"])


def kill_a_worker_mid_crawl(pool: Pool, store_url: str, *, site: str) -> str:
    """Wait until a worker's crawl of ``site`` has staged some pages, then SIGKILL that worker
    and every process under it; returns its name."""
    import psycopg

    end = time.monotonic() + 90
    while time.monotonic() < end:
        for name in WORKERS:
            crawls = [
                pid
                for pid in descendants(pool.processes.started[name].pid)
                if "crawlers.crawl" in command_line(pid) and f"--site {site}" in command_line(pid)
            ]
            if crawls and staged(psycopg, store_url, site) >= 3:
                pool.processes.kill_tree(name)
                return name
        time.sleep(0.2)
    raise AssertionError("no worker was seen crawling " + site)


def staged(psycopg: Any, url: str, site: str) -> int:
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT COUNT(*) FROM staging WHERE site = %s", (site,)).fetchone()
            return int(row[0])
    except psycopg.Error:
        return 0  # the schema is not there yet
