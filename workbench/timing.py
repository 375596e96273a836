"""Wall and CPU time, measured one way everywhere.

CPU time is user + system time of this process *and* of its finished children: a standalone
simulation runs as a child process (``./main``), so its CPU time is only in ``RUSAGE_CHILDREN``.
``thread=True`` counts the calling thread instead of the whole process (a Dask worker runs its
event loop and heartbeats in other threads).  CPU time does not grow with the machine's load (wall
time does), so speed figures quote it.
"""
from __future__ import annotations

import resource
import time
from datetime import datetime, timezone

__all__ = ["cpu_seconds", "now_iso", "Timer"]


def cpu_seconds(children: bool = True, thread: bool = False) -> float:
    """User + system CPU seconds of this process, or of the calling thread with ``thread=True``,
    plus (by default) those of its finished child processes (compiler, standalone binary, git)."""
    if thread:
        total = time.thread_time()
    else:
        own = resource.getrusage(resource.RUSAGE_SELF)
        total = own.ru_utime + own.ru_stime
    if children:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += kids.ru_utime + kids.ru_stime
    return total


def now_iso() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Timer:
    """Wall-clock and CPU timer: ``with Timer() as t: ...`` then ``t.wall``, ``t.cpu`` (seconds),
    ``t.start_iso``, ``t.end_iso``."""

    def __init__(self, children: bool = True, thread: bool = False):
        self.children = children
        self.thread = thread

    def __enter__(self):
        self.start_iso = now_iso()
        self._t0 = time.perf_counter()
        self._c0 = cpu_seconds(self.children, self.thread)
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._t0
        self.cpu = cpu_seconds(self.children, self.thread) - self._c0
        self.end_iso = now_iso()
        return False
