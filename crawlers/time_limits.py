"""A time limit on work done in the crawl's own thread (reading one page), by an alarm signal.

Pages are parsed and normalized in the reactor's thread, between downloads. A page that takes
longer than its limit is abandoned where it is: the alarm raises ``PageTimeout`` in that thread,
and the crawl goes on with the next response. Where alarms are not available (not the main
thread, or a platform without ``SIGALRM``), the work runs without a limit.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class PageTimeout(BaseException):
    """The time limit ran out. A BaseException, so that no ``except Exception`` in the work
    being timed can swallow it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``PageTimeout`` in the block when it runs longer than ``seconds``."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise PageTimeout(f"over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
