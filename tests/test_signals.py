"""Signals through the real command: SIGTERM and Ctrl-C stop a refresh while it crawls (exit 143
and 130, the run marked cancelled, the lock released, one line said), and after kill -9 of the
refresh nothing it started is alive 10 s later; the next refresh converges."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crawlers.sample_site import sites_toml
from index.datadir import DataDir
from index.lock import check_refresh_free
from index.store import Store
from search_cli import ExitCode

REPO = Path(__file__).resolve().parents[1]
SLOW_PAGES = ("/nij/topics/corrections", "/nij/topics/forensics")

pytestmark = pytest.mark.slow
#: A signalled refresh stops at once: a few seconds here, more on a loaded 2-core machine, where
#: Prefect's teardown (its task threads, its local server) competes with the other tests.
STOP_WITHIN_S = 30


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Refresh:
    """``ojp-search refresh`` as its own process group, its stderr collected line by line."""

    def __init__(self, data: DataDir, sites_file: Path, home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env["PREFECT_HOME"] = str(home)
        args = ["refresh", "--site", "nij", "--sites-file", str(sites_file)]
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "search_cli", *args, "--data-dir", str(data.root)],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: what it starts stays in it
            # Ctrl-C at its default, as a terminal starts a command: a runner started in the
            # background by a shell (CI) ignores SIGINT, and children inherit that.
            preexec_fn=default_sigint,
        )
        threading.Thread(target=self.collect, daemon=True).start()

    def collect(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def group(self) -> list[int]:
        """The processes still alive in the refresh's process group."""
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[2]) == self.process.pid and stat[0] != "Z":
                alive.append(int(entry.name))
        return alive


def wait_for(check: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def slow_site(editable_site: Any, tmp_path: Path) -> tuple[Any, Path]:
    for path in SLOW_PAGES:
        editable_site.delay(path, 40)
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(sites_toml(editable_site.base_url))
    return editable_site, sites_file


def crawling(refresh: Refresh) -> bool:
    return any(line.startswith("nij: crawling") for line in refresh.lines)


@pytest.mark.parametrize(
    ("sent", "code", "said"),
    [
        (signal.SIGTERM, ExitCode.TERMINATED, "SIGTERM"),
        (signal.SIGINT, ExitCode.INTERRUPTED, "Ctrl-C"),
    ],
)
def test_a_signal_stops_a_crawling_refresh_and_marks_its_run_cancelled(
    tmp_path: Path, slow_site: tuple[Any, Path], sent: int, code: int, said: str
) -> None:
    data = DataDir(tmp_path / "data")
    refresh = Refresh(data, slow_site[1], tmp_path / "home")
    try:
        wait_for(lambda: crawling(refresh), "the crawl to start")
        time.sleep(2)
        refresh.process.send_signal(sent)
        sent_at = time.monotonic()
        try:
            exit_code = refresh.process.wait(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {STOP_WITHIN_S} s after {said}: {refresh.lines[-8:]}")
        print(f"stopped {time.monotonic() - sent_at:.1f} s after {said}")
        assert exit_code == code, refresh.lines
        time.sleep(0.5)
        assert refresh.lines[-1].startswith(f"Error: refresh stopped by {said}: run 1 is marked")
        with Store.open(data) as store:
            assert [(run.run_id, run.status) for run in store.last_runs(3)] == [(1, "cancelled")]
            assert store.count_records() == 0  # nothing of the cancelled run was applied
        check_refresh_free(data)  # the lock was released
        assert wait_for(lambda: not refresh.group() or None, "the group to end", 10)
    finally:
        for pid in refresh.group():
            os.kill(pid, signal.SIGKILL)


def test_after_kill_9_nothing_it_started_lives_on_and_the_next_refresh_converges(
    tmp_path: Path, slow_site: tuple[Any, Path]
) -> None:
    site, sites_file = slow_site
    data = DataDir(tmp_path / "data")
    refresh = Refresh(data, sites_file, tmp_path / "home")
    try:
        wait_for(lambda: crawling(refresh), "the crawl to start")
        time.sleep(2)
        assert len(refresh.group()) > 1  # the crawl process and Prefect's server beside it
        refresh.process.kill()
        refresh.process.wait()
        time.sleep(10)
        assert refresh.group() == []
    finally:
        for pid in refresh.group():
            os.kill(pid, signal.SIGKILL)
    for path in SLOW_PAGES:
        site.delay(path, 0)
    again = Refresh(data, sites_file, tmp_path / "home")
    assert again.process.wait(timeout=240) == ExitCode.OK, again.lines
    with Store.open(data) as store:
        runs = [(run.run_id, run.status) for run in store.last_runs(3)]
        assert runs[0] == (2, "completed") and runs[1][1] in ("failed", "cancelled")
        assert store.count_records() > 10
