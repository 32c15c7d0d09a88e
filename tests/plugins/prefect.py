"""Fixtures for running refreshes: one Prefect test harness per session, and another process
holding a data dir's refresh lock.

Tests that run flows request ``prefect_harness``: each pytest-xdist worker starts the harness
once, at its first such test. A module whose tests share a module fixture carries an
``xdist_group`` of its own, so that ``pytest -n 2 --dist loadgroup`` keeps it on one worker while
the modules spread over both.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.datadir import DataDir

PROJECT_ROOT = Path(__file__).resolve().parents[2]

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from index.lock import hold_refresh_lock
    from index.datadir import DataDir
    with hold_refresh_lock(DataDir(Path(sys.argv[1]))):
        print("holding", flush=True)
        time.sleep(300)
    """
)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def prefect_api(prefect_harness: None) -> str:
    """The harness's Prefect API, for ``ojp-search`` commands run as child processes: they
    report to this one server (``PREFECT_API_URL``) instead of each starting a local one, which
    takes 15 s or more apiece. Tests of that start itself leave it out."""
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())


@pytest.fixture
def refresh_lock_holder() -> Iterator[Callable[[DataDir], subprocess.Popen[str]]]:
    """Starts another process that holds a data dir's refresh lock, as a running refresh does;
    the process is killed at the end of the test (if the test has not killed it)."""
    holders: list[subprocess.Popen[str]] = []

    def hold(data_dir: DataDir) -> subprocess.Popen[str]:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(data_dir.root)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
        )
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        return holder

    yield hold
    for holder in holders:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
