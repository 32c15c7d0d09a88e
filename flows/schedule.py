"""The refresh on a schedule: a Prefect deployment of the refresh flow, served by this process.

Prefect's ephemeral mode cannot fire schedules, so with no ``PREFECT_API_URL`` the ``schedule``
command starts a local Prefect server (``LocalPrefectServer``, its database in the data dir) for
as long as it serves. With a server of your own, set ``PREFECT_API_URL``; for workers on a work
pool, see ``prefect.yaml``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from prefect import serve
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.refresh import refresh
from index.datadir import DataDir
from index.errors import ErrorKind, OjpError, UsageError

log = logging.getLogger(__name__)

DEPLOYMENT_NAME = "ojp-search-refresh"
DEFAULT_CRON = "0 5 * * *"
SERVER_START_TIMEOUT = 90.0  # seconds; a first start creates the database
#: Settings a local server must not inherit: its database is always the one under its home.
DATABASE_SETTING_PREFIXES = ("PREFECT_SERVER_DATABASE_", "PREFECT_API_DATABASE_")


class ScheduleError(UsageError, ValueError):
    """A schedule that cannot be used (bad cron expression or interval)."""


class ServerStartError(OjpError):
    """The local Prefect server did not come up."""

    kind = ErrorKind.FAILED


def refresh_parameters(
    sites: list[str] | None, sites_file: Path | None, data_dir: DataDir
) -> dict[str, Any]:
    """The refresh flow's parameters for scheduled runs (absolute paths: runs start elsewhere)."""
    return {
        "sites": list(sites) if sites else None,
        "full": False,
        "sites_file": str(sites_file.expanduser().resolve()) if sites_file else None,
        "data_dir": str(data_dir.root.expanduser().resolve()),
    }


def build_deployment(
    *,
    data_dir: DataDir,
    cron: str | None = None,
    interval: float | None = None,
    sites: list[str] | None = None,
    sites_file: Path | None = None,
    name: str = DEPLOYMENT_NAME,
) -> RunnerDeployment:
    """The refresh deployment: on ``cron`` (default 05:00 daily) or every ``interval`` seconds,
    with at most one run at a time."""
    if cron and interval:
        raise ScheduleError("give either a cron expression or an interval, not both.")
    if interval is not None and interval <= 0:
        raise ScheduleError(f"the interval must be a positive number of seconds, not {interval}.")
    schedule: dict[str, Any] = (
        {"interval": timedelta(seconds=interval)} if interval else {"cron": cron or DEFAULT_CRON}
    )
    try:
        deployment = refresh.to_deployment(
            name=name,
            parameters=refresh_parameters(sites, sites_file, data_dir),
            concurrency_limit=1,
            description="Refresh the ojp-search store and index from the OJP sites.",
            tags=["ojp-search"],
            entrypoint_type=EntrypointType.MODULE_PATH,
            **schedule,
        )
    except ValueError as exc:  # croniter and pydantic reject bad schedules with ValueErrors
        raise ScheduleError(
            f'"{cron}" is not a valid cron expression. Use five fields, e.g. "0 5 * * *".'
        ) from exc
    return cast(RunnerDeployment, deployment)  # called from sync code: not a coroutine


def configured_api_url() -> str | None:
    """The Prefect API URL set in the environment or the active Prefect profile, if any."""
    return PREFECT_API_URL.value() or None


def serve_refresh(deployment: RunnerDeployment, api_url: str | None = None) -> None:
    """Create the deployment and run its scheduled refreshes until interrupted (one at a time)."""
    if api_url is None:
        serve(deployment, limit=1, print_starting_message=False)
        return
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        serve(deployment, limit=1, print_starting_message=False)


@contextlib.contextmanager
def prefect_api(data_dir: DataDir, say: Callable[[str], None]) -> Iterator[str]:
    """The Prefect API a schedule is served against: ``PREFECT_API_URL`` when set, else a local
    server (database and log under the data dir) for as long as the block runs, stopped on the
    way out whatever ends it. ``say`` tells the person what is happening, one line at a time."""
    api_url = configured_api_url()
    if api_url:
        yield api_url
        return
    server = LocalPrefectServer(data_dir.prefect_home)
    say(
        "PREFECT_API_URL is not set: starting a local Prefect server "
        f"(database and log in {server.home})..."
    )
    with server:
        say(f"Local Prefect server: {server.api_url.removesuffix('/api')} (stopped on exit).")
        yield server.api_url


def group_alive(pgid: int) -> bool:
    """Whether any process of the process group ``pgid`` is still running."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class LocalPrefectServer:
    """``prefect server start`` on 127.0.0.1 as a child process, its database under ``home``
    (``DataDir.prefect_home``), analytics off; stopped when the block ends."""

    def __init__(self, home: Path, *, port: int | None = None) -> None:
        self.home = home
        self.port = port or free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.log_path = home / "server.log"
        self.database_path = home / "prefect.db"
        self._process: subprocess.Popen[bytes] | None = None

    def environment(self) -> dict[str, str]:
        """The server's environment: no API URL or database settings inherited, its SQLite
        database in ``home``, no telemetry."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k != "PREFECT_API_URL" and not k.startswith(DATABASE_SETTING_PREFIXES)
        }
        env.update(
            PREFECT_HOME=str(self.home),
            PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{self.database_path}",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
            PREFECT_UI_API_URL=self.api_url,
        )
        return env

    def start(self, timeout: float = SERVER_START_TIMEOUT) -> str:
        """Start the server and wait until it answers; returns its API URL."""
        self.home.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "prefect", "server", "start"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log_path.open("ab") as server_log:
            self._process = subprocess.Popen(
                command,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=server_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            )
        try:
            self.wait_healthy(timeout)
        except BaseException:  # Ctrl-C or SIGTERM while it starts: no server is left behind
            self.stop()
            raise
        log.info("local Prefect server at %s (pid %d)", self.api_url, self._process.pid)
        return self.api_url

    def wait_healthy(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerStartError(
                    f"the local Prefect server stopped at start (exit {self._process.returncode});"
                    f" see {self.log_path}."
                )
            if self.is_healthy():
                return
            time.sleep(0.5)
        self.stop()
        raise ServerStartError(
            f"the local Prefect server did not answer within {timeout:.0f} s; see {self.log_path}."
        )

    def is_healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 15.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # its own session: the server and its children
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # The server's own children may outlast it by a moment: wait for the whole group.
        deadline = time.monotonic() + timeout
        while group_alive(process.pid) and time.monotonic() < deadline + timeout:
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            time.sleep(0.1)

    def __enter__(self) -> LocalPrefectServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def next_run_time(cron: str | None, interval: float | None, after: datetime) -> datetime:
    """When the schedule next fires after ``after`` (UTC): the cron expression's next match,
    or ``after`` plus the interval."""
    if interval:
        return after + timedelta(seconds=interval)
    from cronsim import CronSim

    return next(CronSim(cron or DEFAULT_CRON, after.astimezone(UTC)))


class RunWatcher(threading.Thread):
    """Tells ``say`` one line as each refresh of the data dir finishes (read from the store's
    run log every ``every`` seconds), then when the next one is due."""

    def __init__(
        self,
        data_dir: DataDir,
        say: Callable[[str], None],
        due: Callable[[datetime], datetime],
        every: float = 2.0,
    ) -> None:
        super().__init__(name="run-watcher", daemon=True)
        self.data_dir, self.say, self.due, self.every = data_dir, say, due, every
        self.stopped = threading.Event()
        self.seen = self.last_finished()

    def last_finished(self) -> int:
        from index.store import Store, StoreError

        try:
            with Store.open_reader(self.data_dir) as store:
                runs = [run for run in store.last_runs(5) if run.status != "running"]
        except StoreError:
            return 0
        return max((run.run_id for run in runs), default=0)

    def run(self) -> None:
        from index.store import Store, StoreError

        while not self.stopped.wait(self.every):
            try:
                with Store.open_reader(self.data_dir) as store:
                    runs = store.last_runs(5)
            except StoreError:
                continue
            for run in sorted(runs, key=lambda r: r.run_id):
                if run.run_id > self.seen and run.status != "running":
                    self.seen = run.run_id
                    self.say(run_line(run.to_dict()))
                    self.say(f"Next refresh: {self.due(datetime.now(UTC)):%Y-%m-%d %H:%M} UTC.")


def run_line(report: dict[str, Any]) -> str:
    """One line for a finished run: its status, what it changed and how long it took."""
    totals = report.get("totals", {})
    took = report.get("duration_s")
    changed = ", ".join(f"{totals.get(key, 0)} {key}" for key in ("added", "changed", "removed"))
    seconds = f" in {took:.1f} s" if took is not None else ""
    return f"Refresh run {report['run_id']}: {report['status']}{seconds} ({changed})."
