"""One writer at a time per data dir: a refresh or a rebuild.

The lock is an ``fcntl.flock`` on ``DataDir.refresh_lock``: the kernel releases it when the
holding process ends, however it ends, so a killed refresh never leaves the data dir stuck. The
file holds the pid of the current holder and what it is doing, for the message a second writer
prints.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from index.datadir import DataDir
from index.errors import ErrorKind, NextStep, OjpError


class RefreshBusyError(OjpError):
    """Another refresh (or rebuild) holds the data dir."""

    kind = ErrorKind.BUSY

    def __init__(self, root: Path, pid: int | None, what: str = "refresh") -> None:
        holder = f" (pid {pid})" if pid else ""
        super().__init__(
            f"another {what} is running on {root}{holder}. Wait for it to finish, or stop it."
        )
        self.root = root
        self.pid = pid


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_holder(lock_path: Path) -> tuple[int | None, str]:
    """The pid and the work written by the writer holding (or last holding) the lock."""
    try:
        pid, _, what = lock_path.read_text().strip().partition(" ")
    except OSError:
        pid, what = "", ""
    if not pid:  # the holder has not written itself down yet
        return None, "refresh or rebuild"
    return (int(pid) if pid.isdigit() else None), what or "refresh"


def read_holder_pid(lock_path: Path) -> int | None:
    """The pid written by the writer holding (or last holding) the lock, if readable."""
    return read_holder(lock_path)[0]


def _acquire(data_dir: DataDir, what: str) -> IO[str]:
    try:
        data_dir.ensure()
        handle = data_dir.refresh_lock.open("a+")
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise OjpError(
                f"the data dir {data_dir.root} is read-only.",
                kind=ErrorKind.READ_ONLY,
                next_step=NextStep.CHECK_PERMISSIONS,
            ) from None
        raise
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        pid, holder = read_holder(data_dir.refresh_lock)
        raise RefreshBusyError(data_dir.root, pid, holder) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()} {what}\n")
    handle.flush()
    return handle


_HELD: dict[Path, int] = {}  # data dirs this process holds, and how deeply
_HELD_GUARD = threading.Lock()


@contextmanager
def hold_refresh_lock(data_dir: DataDir, what: str = "refresh") -> Iterator[None]:
    """Hold the data dir's writer lock for the block (``what``: refresh or rebuild); raise
    ``RefreshBusyError`` at once if another process holds it. Re-entrant within a process: a
    command that takes the lock before Prefect starts runs the flow that takes it again."""
    key = data_dir.root.resolve()
    with _HELD_GUARD:
        if _HELD.get(key):
            _HELD[key] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _HELD_GUARD:
                _HELD[key] -= 1
        return
    handle = _acquire(data_dir, what)
    with _HELD_GUARD:
        _HELD[key] = 1
    try:
        yield
    finally:
        with _HELD_GUARD:
            _HELD.pop(key, None)
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def holds_refresh_lock(data_dir: DataDir) -> bool:
    """Whether this process holds the data dir's writer lock."""
    with _HELD_GUARD:
        return bool(_HELD.get(data_dir.root.resolve()))


def check_refresh_free(data_dir: DataDir) -> None:
    """Raise ``RefreshBusyError`` when a refresh holds the data dir (a quick check before
    starting one; the refresh itself takes the lock)."""
    if not data_dir.refresh_lock.exists() or holds_refresh_lock(data_dir):
        return
    with hold_refresh_lock(data_dir):
        pass
