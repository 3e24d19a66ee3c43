"""Stopping CPU-bound work when its caller leaves or its deadline passes.

Blocking stages (NER, figures, embedding batches, claim blocks, LexRank blocks...) run in a
worker thread, which asyncio cannot interrupt. They call a `Check` between small steps (a
sentence, a batch, a block of rows: well under 0.2 s of work each) and it raises: `Abandoned`
once the caller is gone (cancelled, disconnected, the server stopping), `DeadlineExceeded` once
the caller's deadline has passed. So a call outlives its caller by a step, never by minutes.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from dragoman.errors import DeadlineExceeded

T = TypeVar("T")

# What stages call between steps; raises to stop the work.
Check = Callable[[], None]


def never() -> None:
    """A Check that never stops (library use, tests)."""


class Abandoned(Exception):
    """The caller is gone; nobody will read the result."""


class Stop:
    """A Check: raises once `set()` was called or the deadline passed. The deadline is a
    `time.monotonic()` value, the clock of asyncio's `loop.time()` that request deadlines use."""

    def __init__(self, deadline: float | None = None, what: str = "the work") -> None:
        self._event = threading.Event()
        self.deadline = deadline
        self.what = what
        self.checks = 0  # how often the work looked (tests read it)

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> None:
        self.checks += 1
        if self._event.is_set():
            raise Abandoned
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise DeadlineExceeded(
                f"the deadline passed while {self.what} was in progress; send less or allow "
                "more time"
            )


def checker(stop: threading.Event | Check) -> Check:
    """A Check from a threading.Event (set: the caller left) or a Check itself."""
    if isinstance(stop, threading.Event):
        event = stop

        def check() -> None:
            if event.is_set():
                raise Abandoned

        return check
    return stop


async def run_stoppable(
    work: Callable[[Stop], T], deadline: float | None = None, what: str = "the work"
) -> T:
    """`work(stop)` in a worker thread; when this coroutine is cancelled (the caller left, the
    server is stopping) the work stops at its next check instead of running on unseen."""
    stop = Stop(deadline, what)
    try:
        return await asyncio.to_thread(work, stop)
    except asyncio.CancelledError:
        stop.set()
        raise
