"""`ojp-search refresh`, `schedule` and `demo` from the command line: what the user sees, the exit
codes, and the one-line errors."""

from __future__ import annotations

import itertools
import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

import flows.refresh
import search_cli
from crawlers.sample_site import sites_toml
from flows.schedule import DEPLOYMENT_NAME, LocalPrefectServer
from index.datadir import DataDir
from index.fulltext.writer import live_index_path
from index.store import Store

REPO = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bad_sites_file_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text('[[site]]\nname = "nij"\nagency = "FBI"\n')
    data = tmp_path / "data"

    code, out, err = run_cli(
        capsys, "refresh", "--sites-file", str(sites_file), "--data-dir", str(data)
    )

    assert code == search_cli.ExitCode.USAGE
    assert out == ""
    assert err.startswith(f"Error: {sites_file}: site 'nij': field 'agency'")
    assert err.count("\n") == 1
    assert not data.exists()


def test_an_unknown_site_is_refused_with_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "refresh", "--site", "fbi", "--data-dir", str(tmp_path))

    assert code == search_cli.ExitCode.USAGE
    assert err == (
        "Error: unknown site 'fbi'. Known sites: ojp, nij, ovc, ojjdp, bja, bjs, smart.\n"
    )


def test_a_refresh_is_refused_while_another_runs(
    tmp_path: Path,
    sample_sites_file: Path,
    refresh_lock_holder: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = DataDir(tmp_path / "data")
    holder = refresh_lock_holder(data)

    code, out, err = run_cli(
        capsys, "refresh", "--sites-file", str(sample_sites_file), "--data-dir", str(data.root)
    )

    assert code == search_cli.ExitCode.BUSY
    assert out == ""
    assert err == (
        f"Error: another refresh is running on {data.root} (pid {holder.pid}). "
        "Wait for it to finish, or stop it.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cron", "5 o'clock"], 'Error: "5 o\'clock" is not a valid cron expression.'),
        (["--interval", "-5"], "Error: the interval must be a positive number of seconds"),
    ],
)
def test_schedule_refuses_a_bad_schedule(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "schedule", *args, "--data-dir", str(tmp_path))

    assert code == search_cli.ExitCode.USAGE
    assert err.startswith(message)
    assert err.count("\n") == 1


@pytest.mark.xdist_group("prefect")
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.parametrize(
    ("retries", "attempts"),
    [(None, ["ovc: retrying (attempt 2)", "ovc: retrying (attempt 3)"]), ("0", [])],
    ids=["default-retries", "retries-0"],
)
def test_a_refresh_with_a_site_down_reports_it_and_exits_failed(
    tmp_path: Path,
    editable_site: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    retries: str | None,
    attempts: list[str],
) -> None:
    """A site that does not answer is crawled again as often as the sites file's ``retries``
    says (2 by default), then reported failed."""
    from crawlers.sample_site import sites_toml

    monkeypatch.setattr(flows.refresh, "CRAWL_RETRY_DELAYS", (0.0,))  # no back-off in tests
    sites_file = tmp_path / "sites.toml"
    text = sites_toml(editable_site.base_url)
    if retries is not None:
        text = text.replace("[crawl]\n", f"[crawl]\nretries = {retries}\n", 1)
    sites_file.write_text(text)
    editable_site.site.stop()

    code, out, err = run_cli(
        capsys,
        "refresh",
        "--site",
        "ovc",
        "--sites-file",
        str(sites_file),
        "--data-dir",
        str(tmp_path / "data"),
    )

    assert code == search_cli.ExitCode.FAILED
    assert out.startswith("Refresh run 1: failed")
    assert "Failures:\n  ovc: no answer to" in out
    lines = [line for line in err.splitlines() if not line.startswith(("Refreshing ", "Starting "))]
    assert lines[: 1 + len(attempts)] == ["ovc: crawling", *attempts]
    assert lines[1 + len(attempts)].startswith("ovc: failed: the site is down or unreachable")
    assert lines[-1].startswith("Error: refresh run 1 failed: ovc: no answer to")
    assert "Traceback" not in err


#: Holds the live index's write lock, as another index writer would, until killed.
HOLD_INDEX_LOCK = """
import sys, time
from pathlib import Path
from index.datadir import DataDir
from index.fulltext.writer import hold_write_lock, live_index_path, open_index
data = DataDir(Path(sys.argv[1]))
with hold_write_lock(open_index(data), live_index_path(data)):
    print("holding", flush=True)
    time.sleep(300)
"""


@pytest.mark.xdist_group("prefect")
@pytest.mark.usefixtures("prefect_harness")
def test_a_refresh_whose_index_is_busy_fails_in_one_line_and_the_next_catches_up(
    tmp_path: Path, editable_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from index.fulltext.searcher import SearchRequest, search

    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(sites_toml(editable_site.base_url))
    data = DataDir(tmp_path / "data")
    args = [
        "refresh",
        "--site",
        "ovc",
        "--sites-file",
        str(sites_file),
        "--data-dir",
        str(data.root),
    ]
    assert run_cli(capsys, *args)[0] == search_cli.ExitCode.OK
    editable_site.edit("/ovc/about", "About OVC</span>", "About OVC Quillwort</span>")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_INDEX_LOCK, str(data.root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"

        code, out, err = run_cli(capsys, *args)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()

    assert code == search_cli.ExitCode.FAILED
    assert out.startswith("Refresh run 2: failed")
    assert err.splitlines()[-1] == (
        f"Error: refresh run 2 failed: the search index in {live_index_path(data)} is being "
        f"updated by another process (process {holder.pid}). Wait for it to finish and try "
        "again."
    )
    assert "Traceback" not in err
    with Store.open(data) as store:  # the store kept the run's changes
        assert store.get(editable_site.url("/ovc/about")).title == "About OVC Quillwort"
    assert search(data, SearchRequest(query="quillwort")).total == 0

    code, out, _ = run_cli(capsys, *args)

    assert code == search_cli.ExitCode.OK
    assert [hit.title for hit in search(data, SearchRequest(query="quillwort")).hits] == [
        "About OVC Quillwort"
    ]


class Terminal:
    """A pseudo-terminal: ``file`` is its writing end (a tty); ``screen()`` is what it showed."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        self.file = os.fdopen(slave, "w", encoding="utf-8", buffering=1)
        self.chunks: list[bytes] = []
        self.reader = threading.Thread(target=self.drain, daemon=True)
        self.reader.start()

    def drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the writing end is closed
                return
            if not data:
                return
            self.chunks.append(data)

    def screen(self) -> str:
        """Everything written, once the terminal is closed."""
        self.file.close()
        self.reader.join(timeout=10)
        os.close(self.master)
        return b"".join(self.chunks).decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.xdist_group("prefect")
@pytest.mark.usefixtures("prefect_harness")
def test_refresh_on_a_terminal_shows_a_progress_line_per_site(
    tmp_path: Path,
    sample_sites_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal.file)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    sites = ["--site", "ovc", "--site", "smart", "--sites-file", str(sample_sites_file)]

    code = search_cli.main(["refresh", *sites, "--data-dir", str(tmp_path / "data")])

    screen = terminal.screen()
    out = capsys.readouterr().out
    assert code == search_cli.ExitCode.OK, screen
    assert "\x1b[" in screen  # drawn and redrawn in place, not printed line by line
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).replace("\r", "\n")
    for site in ("ovc", "smart"):
        assert re.search(rf"^\S+ {site}\s+0 pages .* waiting\s*$", plain, re.M)
        assert re.search(rf"^\S+ {site}\s+[1-9]\d* pages [\d:]+ done\s*$", plain, re.M)
    assert "ovc: crawling" not in plain  # the plain lines are for logs and pipes
    assert out.startswith("Refresh run 1: completed")  # the report goes to stdout


@pytest.mark.xdist_group("prefect")
@pytest.mark.usefixtures("prefect_harness")
def test_demo_crawls_the_sample_site_and_shows_searches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_dir = tmp_path / "demo"

    code, out, err = run_cli(capsys, "demo", "--data-dir", str(demo_dir))

    assert code == search_cli.ExitCode.OK, err
    assert out.startswith("Refresh run 1: completed")
    for site in ("ojp", "nij", "ovc", "ojjdp", "bja", "bjs", "smart"):
        assert f"\n{site} " in out
    searches = out.split("$ ojp-search search ")[1:]
    assert searches[0].startswith("'human trafficking'\n")
    assert "The Fight Against Human Trafficking (NIJ, publication, 2019-06-01)" in searches[0]
    assert f"ojp-search status --data-dir {demo_dir}" in out
    assert (demo_dir / "store.sqlite3").exists()

    code, out, _ = run_cli(capsys, "status", "--json", "--data-dir", str(demo_dir))
    assert set(json.loads(out)["by_agency"]) >= {"OJP", "NIJ", "OVC", "BJA", "BJS", "SMART"}


def test_demo_refuses_a_folder_it_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")

    code, _, err = run_cli(capsys, "demo", "--data-dir", str(tmp_path))

    assert code == search_cli.ExitCode.USAGE
    assert err.startswith(f"Error: {tmp_path} is not empty and was not made by the demo.")
    assert (tmp_path / "notes.txt").read_text() == "mine"


# -- schedule, served for real ------------------------------------------------------------------

#: A page every nij crawl asks for; delayed so that each run outlasts the schedule's interval.
SLOW_PAGE = "/nij/topics/corrections"


def wait_for(probe: Callable[[], T | None], what: str, timeout: float = 120.0) -> T:
    """Call ``probe`` until it returns something other than None (exceptions count as None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = probe()
        except Exception:  # the server is not up yet, the object not made yet
            found = None
        if found is not None:
            return found
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting for {what}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def state_name(run: Any) -> str | None:
    return run.state_type.value if run.state_type is not None else None


def prefect_servers_of(data: DataDir) -> list[int]:
    """The pids of ``prefect server start`` processes with their home in ``data``."""
    home = f"PREFECT_HOME={data.prefect_home}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
            if {b"server", b"start"} <= set(args) and home in (entry / "environ").read_bytes():
                pids.append(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return pids


class ScheduleProcess:
    """``ojp-search schedule`` in a child process, its stderr collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "search_cli", "schedule", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self.collect, daemon=True)
        self.reader.start()

    def collect(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def line_starting(self, prefix: str) -> str | None:
        return next((line for line in list(self.lines) if line.startswith(prefix)), None)

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.reader.join(timeout=10)
        return code


def test_schedule_serves_the_refresh_from_a_local_prefect_server(
    tmp_path: Path, editable_site: Any
) -> None:
    """Without PREFECT_API_URL, `schedule` starts its own Prefect server, creates the scheduled
    deployment there and serves it, one run at a time; SIGTERM stops the runner and the server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    data = DataDir(tmp_path / "data")
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(sites_toml(editable_site.base_url))
    editable_site.delay(SLOW_PAGE, 3)  # every run takes longer than the 2 s interval
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "client-home"), PREFECT_RUNNER_POLL_FREQUENCY="1")
    args = ["--interval", "2", "--site", "nij", "--sites-file", str(sites_file)]
    child = ScheduleProcess([*args, "--data-dir", str(data.root)], env)
    try:
        said = wait_for(lambda: child.line_starting("Local Prefect server: "), "the server")
        base_url = said.split()[3]
        port = int(base_url.rsplit(":", 1)[1])
        assert base_url == f"http://127.0.0.1:{port}"
        assert child.lines[0] == (
            "PREFECT_API_URL is not set: starting a local Prefect server "
            f"(database and log in {data.prefect_home})..."
        )
        assert said.endswith("(stopped on exit).")
        with (
            temporary_settings(updates={PREFECT_API_URL: f"{base_url}/api"}),
            get_client(sync_client=True) as client,
        ):
            deployment = wait_for(
                lambda: client.read_deployment_by_name(f"refresh/{DEPLOYMENT_NAME}"),
                "the deployment",
            )
            assert [s.schedule.interval.total_seconds() for s in deployment.schedules] == [2]
            assert all(s.active for s in deployment.schedules)
            assert deployment.parameters["sites"] == ["nij"]
            assert deployment.parameters["data_dir"] == str(data.root.resolve())
            assert deployment.global_concurrency_limit is not None
            assert deployment.global_concurrency_limit.limit == 1
            settings = client.request("GET", "/admin/settings").json()
            assert settings["server"]["analytics_enabled"] is False
            of_deployment = DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))

            def two_completed() -> list[Any] | None:
                runs = client.read_flow_runs(deployment_filter=of_deployment)
                done = [r for r in runs if state_name(r) == "COMPLETED"]
                return runs if len(done) >= 2 else None

            runs = wait_for(two_completed, "two served runs")
        finished = sorted((r for r in runs if r.end_time is not None), key=lambda r: r.start_time)
        assert {r.name for r in finished} == {"refresh nij"}
        assert {state_name(r) for r in finished} == {"COMPLETED"}  # none refused as busy
        for earlier, later in itertools.pairwise(finished):
            assert later.start_time >= earlier.end_time  # one run at a time
        with Store.open(data) as store:
            assert store.count_records() > 10

        assert child.stop() == search_cli.ExitCode.TERMINATED
        assert child.lines[-1] == "Stopped."
        assert not answers(f"{base_url}/api/health")
        assert prefect_servers_of(data) == []
        assert (data.prefect_home / "prefect.db").is_file()
    finally:
        stop_for_good(child, data)


def stop_for_good(child: ScheduleProcess, data: DataDir) -> None:
    """Whatever a failed test left running: the command, and the server it started."""
    if child.process.poll() is None:
        child.process.kill()
        child.process.wait()
    for pid in prefect_servers_of(data):
        os.kill(pid, signal.SIGKILL)


def test_schedule_stopped_while_its_server_starts_leaves_no_server(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(tmp_path / "client-home"))
    child = ScheduleProcess(["--data-dir", str(data.root)], env)
    try:
        wait_for(lambda: child.line_starting("PREFECT_API_URL is not set: "), "the first line")
        wait_for(lambda: prefect_servers_of(data) or None, "the server process")

        assert child.stop() == search_cli.ExitCode.TERMINATED
        assert child.lines[-1] == "Stopped."
        assert not any(line.startswith("Local Prefect server: ") for line in child.lines)
        assert prefect_servers_of(data) == []
    finally:
        stop_for_good(child, data)


# -- no telemetry --------------------------------------------------------------------------------

#: Imports the entry module, then Prefect (through the refresh flow), and prints whether Prefect
#: would send anything: its client's usage events, and its server's analytics.
TELEMETRY_CHECK = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
import flows.refresh
from prefect.analytics import is_telemetry_enabled
from prefect.settings import get_current_settings
print(json.dumps([is_telemetry_enabled(), get_current_settings().server.analytics_enabled]))
"""
#: Variables by which Prefect recognises a CI machine (where it sends nothing anyway).
CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "TF_BUILD")


@pytest.mark.parametrize("entry", ["search_cli", "flows"])
def test_prefect_telemetry_is_off_whatever_the_environment_says(tmp_path: Path, entry: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES}
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="true", DO_NOT_TRACK="0", PREFECT_HOME=str(tmp_path)
    )

    child = subprocess.run(
        [sys.executable, "-c", TELEMETRY_CHECK, entry],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout) == [False, False]


def test_the_local_server_keeps_its_database_home_and_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://elsewhere/db")
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "true")
    home = tmp_path / "prefect"

    env = LocalPrefectServer(home).environment()

    assert "PREFECT_API_URL" not in env
    assert "PREFECT_API_DATABASE_CONNECTION_URL" not in env
    assert env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] == (
        f"sqlite+aiosqlite:///{home / 'prefect.db'}"
    )
    assert env["PREFECT_HOME"] == str(home)
    assert (env["PREFECT_SERVER_ANALYTICS_ENABLED"], env["DO_NOT_TRACK"]) == ("false", "1")
