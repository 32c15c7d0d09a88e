"""A real ``ojp-search refresh`` in a child process, as an operator runs it, and what it did:
its exit status, output and duration, the crawl summaries and results it left in the store, and
the peak memory of its crawl processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from index.datadir import DataDir
from index.records import CrawlSummary, Record
from index.store import Store

OJP_SEARCH = Path(sys.executable).with_name("ojp-search")


@dataclass
class Refresh:
    code: int
    out: str
    err: str
    seconds: float
    summaries: dict[str, CrawlSummary]
    crawl_peak_mb: float = 0.0  # the largest peak resident memory of a crawl process
    records: dict[str, Record] = field(default_factory=dict)  # live records by URL


def crawl_processes(root: int) -> list[int]:
    """The crawl processes (``crawlers.crawl``) among the descendants of ``root``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"crawlers.crawl" in command and is_descendant(parent, root):
            found.append(int(entry.name))
    return found


def is_descendant(pid: int, root: int) -> bool:
    while pid > 1:
        if pid == root:
            return True
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
    return False


def peak_mb(pid: int) -> float:
    """The peak resident memory (VmHWM) of ``pid`` so far, in MB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class MemoryWatch:
    """Samples the peak memory of the crawl processes under ``root`` until stopped."""

    def __init__(self, root: int):
        self.root = root
        self.peak = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def watch(self) -> None:
        while not self.done.wait(0.05):
            for pid in crawl_processes(self.root):
                self.peak = max(self.peak, peak_mb(pid))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak


def refresh(
    sites: Path, data_dir: Path, *extra: str, prefect_api: str | None = None, timeout: float = 300
) -> Refresh:
    """Run ``ojp-search refresh --sites-file SITES --data-dir DATA_DIR [EXTRA...]`` to its end,
    reporting to the Prefect server at ``prefect_api`` (None: a local one it starts itself)."""
    env = dict(os.environ)
    env["PREFECT_HOME"] = str(data_dir.parent / "prefect-home")
    env.pop("PREFECT_API_URL", None)
    if prefect_api is not None:
        env["PREFECT_API_URL"] = prefect_api
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"  # a busy machine is slow
    command = [str(OJP_SEARCH), "refresh", "--sites-file", str(sites), "--data-dir", str(data_dir)]
    started = time.monotonic()
    process = subprocess.Popen(
        [*command, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watch = MemoryWatch(process.pid)
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        peak = watch.stop()
    seconds = time.monotonic() - started
    with Store.open(DataDir(data_dir)) as store:
        last = store.last_runs(1)
        summaries = store.crawl_summaries(last[0].run_id) if last else {}
        records = {record.url: record for record in store.iter_records()}
    return Refresh(process.returncode, out, err, seconds, summaries, peak, records)
