"""One refresh at a time per data dir.

The lock is an ``fcntl.flock`` on ``DataDir.refresh_lock``: the kernel releases it when the
holding process ends, however it ends, so a killed refresh never leaves the data dir stuck. The
file holds the pid of the current holder, for the message a second refresh prints.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from index.datadir import DataDir
from index.errors import ErrorKind, OjpError


class RefreshBusyError(OjpError):
    """Another refresh holds the data dir."""

    kind = ErrorKind.BUSY

    def __init__(self, root: Path, pid: int | None) -> None:
        holder = f" (pid {pid})" if pid else ""
        super().__init__(
            f"another refresh is running on {root}{holder}. Wait for it to finish, or stop it."
        )
        self.root = root
        self.pid = pid


def read_holder_pid(lock_path: Path) -> int | None:
    """The pid written by the refresh holding (or last holding) the lock, if readable."""
    try:
        text = lock_path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _acquire(data_dir: DataDir) -> IO[str]:
    data_dir.ensure()
    handle = data_dir.refresh_lock.open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RefreshBusyError(data_dir.root, read_holder_pid(data_dir.refresh_lock)) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


@contextmanager
def hold_refresh_lock(data_dir: DataDir) -> Iterator[None]:
    """Hold the data dir's refresh lock for the block; raise ``RefreshBusyError`` at once if
    another refresh holds it."""
    handle = _acquire(data_dir)
    try:
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def check_refresh_free(data_dir: DataDir) -> None:
    """Raise ``RefreshBusyError`` when a refresh holds the data dir (a quick check before
    starting one; the refresh itself takes the lock)."""
    if not data_dir.refresh_lock.exists():
        return
    with hold_refresh_lock(data_dir):
        pass
