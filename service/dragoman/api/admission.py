"""Admission control above the model queues: a bound on calls worked on at once per rpc and on
calls waiting for a slot (as TGI's max_concurrent_requests). Past it, Overloaded ->
RESOURCE_EXHAUSTED with a retry pushback hint, before any work starts."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from dragoman.config import Settings
from dragoman.errors import DeadlineExceeded, Overloaded


@dataclass
class _Gate:
    limit: int
    max_waiting: int
    running: int = 0
    waiters: collections.deque[asyncio.Future[None]] = field(default_factory=collections.deque)
    recent_s: collections.deque[float] = field(
        default_factory=lambda: collections.deque(maxlen=32)
    )  # how long recent calls held a slot: the retry hint

    def retry_after_ms(self) -> int:
        typical = sorted(self.recent_s)[len(self.recent_s) // 2] if self.recent_s else 1.0
        ahead = (len(self.waiters) + 1) / max(1, self.limit)
        return max(100, min(60_000, int(1000 * typical * ahead)))


class Admission:
    """Slots per rpc kind. Brief has its own (small) bound; every other rpc shares one size."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._gates: dict[str, _Gate] = {}

    def _gate(self, rpc: str) -> _Gate:
        gate = self._gates.get(rpc)
        if gate is None:
            s = self.settings
            limit = s.max_concurrent_briefs if rpc == "Brief" else s.max_concurrent_requests
            gate = self._gates[rpc] = _Gate(max(1, limit), max(0, s.max_waiting_requests))
        return gate

    def state(self) -> dict[str, tuple[int, int]]:
        """rpc -> (calls running, calls waiting): metrics read it."""
        return {rpc: (g.running, len(g.waiters)) for rpc, g in self._gates.items()}

    @asynccontextmanager
    async def slot(self, rpc: str, deadline: float | None) -> AsyncIterator[float]:
        """Hold a slot of `rpc` for the body; yields the seconds spent waiting for it."""
        gate = self._gate(rpc)
        loop = asyncio.get_running_loop()
        began = loop.time()
        if gate.running >= gate.limit:
            if len(gate.waiters) >= gate.max_waiting:
                raise Overloaded(
                    f"the server is busy: {gate.running} {rpc} calls running and "
                    f"{len(gate.waiters)} waiting; retry in {gate.retry_after_ms()} ms",
                    retry_after_ms=gate.retry_after_ms(),
                )
            waiter: asyncio.Future[None] = loop.create_future()
            gate.waiters.append(waiter)
            timeout = None if deadline is None else max(0.0, deadline - loop.time())
            try:
                await asyncio.wait_for(asyncio.shield(waiter), timeout)
            except BaseException as exc:  # the deadline passed, or the caller left
                if waiter.done():  # a slot was handed over just as the call left: pass it on
                    gate.running -= 1
                    _wake(gate)
                else:
                    waiter.cancel()
                    gate.waiters.remove(waiter)
                if isinstance(exc, TimeoutError):
                    raise DeadlineExceeded(
                        f"the deadline passed while the call waited for one of {gate.limit} "
                        f"{rpc} slots; retry with a longer deadline or later"
                    ) from None
                raise
        else:
            gate.running += 1
        waited = loop.time() - began
        start = time.monotonic()
        try:
            yield waited
        finally:
            gate.recent_s.append(time.monotonic() - start)
            gate.running -= 1
            _wake(gate)


def _wake(gate: _Gate) -> None:
    """Hand freed slots to the oldest waiters (the slot is counted as theirs at once)."""
    while gate.running < gate.limit and gate.waiters:
        waiter = gate.waiters.popleft()
        if not waiter.done():
            gate.running += 1
            waiter.set_result(None)
