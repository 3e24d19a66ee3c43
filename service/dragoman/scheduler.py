"""Dynamic batching: merges work from concurrent callers into model batches, one queue per model.

Items (sentences or chunks) wait at most `max_wait_s` for company; a batch is bounded by item
count and by source tokens and sorted by length to cut padding. Results go back to each caller's
future; a cancelled caller's items are dropped before they reach the model, and items whose
deadline has passed are failed instead of run.

Callers a batch answered usually come straight back (a client translating sentence after
sentence): the next batch waits for them too, until as many requests arrived as callers were
answered, for at most `return_wait_share` of the last batch's model time. Without it, 16 clients
sending one sentence each came back over ~60 ms (their gRPC round trips, one after another on
the event loop), the 5 ms window cut them into batches of 5 and 11, and throughput fell to 0.75x
of CTranslate2 at batch 16. A caller that does not come back costs that wait once; a lone
serial caller is not kept waiting at all (its request is the one expected).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from dragoman.backends.base import Generation, Seq2Seq
from dragoman.errors import DeadlineExceeded, Overloaded

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchLimits:
    max_items: int = 32
    max_tokens: int = 4096
    max_wait_s: float = 0.005
    queue_max_items: int = 20_000
    # How long the next batch may wait for the callers the last one answered: this share of the
    # last batch's model time (idle time spent to fill batches), at least max_wait_s and at most
    # return_wait_max_s.
    return_wait_share: float = 0.1
    return_wait_max_s: float = 0.25


@dataclass(eq=False)
class _Request:
    """One submit call: how many of its items are still to be answered."""

    left: int


@dataclass(eq=False)
class _Item:
    text: str
    tokens: int
    future: asyncio.Future[str]
    deadline: float | None  # loop.time() value
    seq: int = 0
    request: _Request = field(default_factory=lambda: _Request(1))


@dataclass
class SchedulerStats:
    """What the scheduler did; tests and logs read it."""

    batches: int = 0
    items: int = 0
    tokens: int = 0  # source tokens of the items run
    dropped_cancelled: int = 0
    dropped_expired: int = 0
    return_waits: int = 0  # batches that waited for the callers the last batch answered
    batch_sizes: collections.deque[int] = field(
        default_factory=lambda: collections.deque(maxlen=10_000)
    )


class BatchScheduler:
    """One per loaded model. `submit` is called from the event loop; the model runs in a thread."""

    def __init__(self, model: Seq2Seq, options: Generation, limits: BatchLimits) -> None:
        self.model = model
        self.options = options
        self.limits = limits
        self.stats = SchedulerStats()
        self._pending: collections.deque[_Item] = collections.deque()
        self._wakeup = asyncio.Event()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"model-{model.name}"
        )
        self._task: asyncio.Task[None] | None = None
        self._seq = 0
        # Callers answered lately and not back yet (each request that arrives counts as one
        # back), and until when (a time.monotonic() value) the next batch waits for them.
        self._expected = 0
        self._return_until = 0.0
        self._arrival = 0.0  # time.monotonic() of the latest request

    @property
    def queued(self) -> int:
        """Items waiting for a batch."""
        return len(self._pending)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"batcher-{self.model.name}"
            )

    async def submit(self, texts: Sequence[str], deadline: float | None = None) -> list[str]:
        """Queue texts (each already under the model's input limit); their outputs, in order."""
        if not texts:
            return []
        if len(self._pending) + len(texts) > self.limits.queue_max_items:
            raise Overloaded(
                f"model {self.model.name} has {len(self._pending)} items queued (limit "
                f"{self.limits.queue_max_items}); retry later or send smaller requests"
            )
        loop = asyncio.get_running_loop()
        request = _Request(len(texts))
        items = []
        for t in texts:
            self._seq += 1
            items.append(
                _Item(
                    t,
                    self.model.count_tokens(t),
                    loop.create_future(),
                    deadline,
                    self._seq,
                    request,
                )
            )
        self._pending.extend(items)
        self._expected = max(0, self._expected - 1)
        self._arrival = time.monotonic()
        self._ensure_running()
        self._wakeup.set()
        try:
            return list(await asyncio.gather(*(i.future for i in items)))
        finally:
            for i in items:  # on cancellation or a sibling's failure, drop the rest
                if not i.future.done():
                    i.future.cancel()

    def _take_window(self) -> list[_Item]:
        """Live items from the head of the queue, at most a few batches' worth (FIFO fairness)."""
        loop_time = asyncio.get_running_loop().time()
        window: list[_Item] = []
        cap = self.limits.max_items * 4
        while self._pending and len(window) < cap:
            item = self._pending.popleft()
            if item.future.done():
                self.stats.dropped_cancelled += 1
                continue
            if item.deadline is not None and loop_time >= item.deadline:
                self.stats.dropped_expired += 1
                item.future.set_exception(
                    DeadlineExceeded("the deadline passed while the request waited for the model")
                )
                continue
            window.append(item)
        return window

    def _batches(self, window: list[_Item]) -> list[list[_Item]]:
        """Sort by length and cut into batches bounded by count and by padded tokens."""
        ordered = sorted(window, key=lambda i: (i.tokens, i.seq))
        batches: list[list[_Item]] = []
        current: list[_Item] = []
        for item in ordered:
            longest = max([item.tokens, *(i.tokens for i in current)])
            if current and (
                len(current) + 1 > self.limits.max_items
                or longest * (len(current) + 1) > self.limits.max_tokens
            ):
                batches.append(current)
                current = []
            current.append(item)
        if current:
            batches.append(current)
        # The batch holding the oldest item runs first.
        batches.sort(key=lambda b: min(i.seq for i in b))
        return batches

    async def _wait_for_company(self) -> None:
        """Before a batch: while callers answered lately are expected back (within the return
        window), wait for them; else wait for new callers until none came for `max_wait_s`
        (at most `return_wait_max_s`). Never once the queue holds a full batch."""
        limits = self.limits
        now = time.monotonic()
        returning = self._expected > 0 and now < self._return_until
        if returning:
            self.stats.return_waits += 1
        else:
            self._expected = 0
        cap = now + limits.return_wait_max_s
        while len(self._pending) < limits.max_items:
            if returning and self._expected == 0:
                return
            # New callers: max_wait_s after the latest one (a burst joins whole), up to the cap.
            end = self._return_until if returning else min(cap, self._arrival + limits.max_wait_s)
            remaining = end - time.monotonic()
            if remaining <= 0:
                break
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                break
        if returning:  # the window closed: whoever has not come back is not expected any more
            self._expected = 0

    def _expect_returns(self, answered: int, model_s: float) -> None:
        """After a batch: `answered` callers got their last result; the next batch may wait for
        them for a share of the `model_s` seconds the model just ran."""
        limits = self.limits
        wait = min(limits.return_wait_max_s, limits.return_wait_share * model_s)
        self._expected += answered
        self._return_until = time.monotonic() + max(limits.max_wait_s, wait)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
            await self._wait_for_company()
            for batch in self._batches(self._take_window()):
                live = [i for i in batch if not i.future.done()]
                self.stats.dropped_cancelled += len(batch) - len(live)
                if not live:
                    continue
                self.stats.batches += 1
                self.stats.items += len(live)
                self.stats.tokens += sum(i.tokens for i in live)
                self.stats.batch_sizes.append(len(live))
                began = time.monotonic()
                answered = 0
                try:
                    outputs = await loop.run_in_executor(
                        self._executor, self.model.generate, [i.text for i in live], self.options
                    )
                except Exception as exc:  # the model failed: every caller in the batch hears it
                    log.exception("model %s failed on a batch of %d", self.model.name, len(live))
                    for i in live:
                        if not i.future.done():
                            i.future.set_exception(exc)
                    continue
                for i, out in zip(live, outputs, strict=True):
                    if not i.future.done():
                        i.future.set_result(out)
                        i.request.left -= 1
                        answered += i.request.left == 0
                self._expect_returns(answered, time.monotonic() - began)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=False, cancel_futures=True)
