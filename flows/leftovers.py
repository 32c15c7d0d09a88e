"""No process outlives the refresh that started it.

A refresh starts processes of its own (a crawl per site) and Prefect starts one more (its
temporary server, about 200 MB). Each inherits ``OWNER_VARIABLE`` = the refresh's pid. A small
reaper process, started beside the refresh, waits for that pid to end, however it ends (even
kill -9), and then ends every process still carrying it; a later refresh also ends any such
process whose owner is gone. Linux only (``/proc``); elsewhere nothing is done.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from index.lock import process_alive

OWNER_VARIABLE = "OJP_SEARCH_REFRESH_PID"
PROC = Path("/proc")


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (which only waits for its parent to read its
    status)."""
    if not process_alive(pid):
        return False
    with contextlib.suppress(OSError):
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def owned_processes() -> dict[int, int]:
    """pid → owner pid of every process that carries the owner variable."""
    found: dict[int, int] = {}
    marker = f"{OWNER_VARIABLE}=".encode()
    for entry in PROC.iterdir() if PROC.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for item in environ:
            if item.startswith(marker) and item[len(marker) :].isdigit():
                found[int(entry.name)] = int(item[len(marker) :])
    return found


def end_processes(pids: list[int], grace: float = 3.0) -> None:
    """SIGTERM, then SIGKILL what is still there after ``grace`` seconds."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.1)
    for pid in pids:
        if alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def end_orphans() -> int:
    """End the processes whose refresh is gone (what a killed refresh left); how many."""
    orphans = [pid for pid, owner in owned_processes().items() if not alive(owner)]
    end_processes(orphans)
    return len(orphans)


def own_descendants() -> None:
    """Mark every process this one starts from now on, and start the reaper that ends them when
    this process ends."""
    if not PROC.is_dir() or os.environ.get(OWNER_VARIABLE) == str(os.getpid()):
        return
    os.environ[OWNER_VARIABLE] = str(os.getpid())
    env = {k: v for k, v in os.environ.items() if k != OWNER_VARIABLE}
    subprocess.Popen(
        [sys.executable, "-m", "flows.leftovers", str(os.getpid())],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not in the refresh's process group: it must outlive it
    )


def reap_after(owner: int, every: float = 0.5) -> None:
    """Wait for ``owner`` to end, then end what it started."""
    while alive(owner):
        time.sleep(every)
    end_processes([pid for pid, mark in owned_processes().items() if mark == owner])


if __name__ == "__main__":
    reap_after(int(sys.argv[1]))
