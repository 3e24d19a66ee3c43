"""Dynamic batching: results go to the right caller in order, batches merge callers, cancelled and
expired items never reach the model, and batches respect their bounds."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from dragoman.backends.base import Generation, Seq2Seq
from dragoman.errors import DeadlineExceeded, Overloaded
from dragoman.scheduler import BatchLimits, BatchScheduler


class Reverser(Seq2Seq):
    """A deterministic text-to-text model: reverses each text; records every batch it saw."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.name = "reverser"
        self.max_input_tokens = 1000
        self.batches: list[list[str]] = []
        self.delay_s = delay_s
        self.started = threading.Event()

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        self.started.set()
        if self.delay_s:
            threading.Event().wait(self.delay_s)
        self.batches.append(list(texts))
        return [t[::-1] for t in texts]


def _sched(model: Reverser, **kw: float) -> BatchScheduler:
    limits = BatchLimits(**{"max_items": 8, "max_tokens": 10_000, "max_wait_s": 0.02, **kw})
    return BatchScheduler(model, Generation(), limits)


async def test_concurrent_callers_get_their_own_results_in_order() -> None:
    model = Reverser()
    sched = _sched(model)
    requests = [
        [f"client {c} text {i} " + "w " * ((c * 7 + i) % 5) for i in range(5)] for c in range(16)
    ]
    results = await asyncio.gather(*(sched.submit(r) for r in requests))
    for req, res in zip(requests, results, strict=True):
        assert res == [t[::-1] for t in req]
    # 80 items from 16 callers were merged: far fewer batches than callers, none over the bound
    assert len(model.batches) < 16
    assert all(len(b) <= 8 for b in model.batches)
    assert any(len({t.split()[1] for t in b}) > 1 for b in model.batches)  # mixed callers
    await sched.close()


async def test_batches_are_sorted_by_length_and_bounded_by_tokens() -> None:
    model = Reverser()
    sched = _sched(model, max_items=100, max_tokens=40)
    texts = ["w " * n for n in (9, 1, 5, 3, 7, 2, 8, 4, 6, 10)]
    await sched.submit(texts)
    for batch in model.batches:
        lengths = [len(t.split()) for t in batch]
        assert lengths == sorted(lengths)
        assert max(lengths) * len(lengths) <= 40
    assert sorted(t for b in model.batches for t in b) == sorted(texts)
    await sched.close()


async def test_cancelled_callers_items_are_dropped() -> None:
    model = Reverser(delay_s=0.2)
    sched = _sched(model, max_items=2)
    first = asyncio.create_task(sched.submit(["busy a", "busy b"]))
    await asyncio.get_running_loop().run_in_executor(None, model.started.wait, 5)
    doomed = asyncio.create_task(sched.submit([f"doomed {i}" for i in range(6)]))
    survivor = asyncio.create_task(sched.submit(["survivor"]))
    await asyncio.sleep(0.01)
    doomed.cancel()
    assert await survivor == ["rovivrus"]
    await first
    with pytest.raises(asyncio.CancelledError):
        await doomed
    seen = [t for b in model.batches for t in b]
    assert not any(t.startswith("doomed") for t in seen)
    assert sched.stats.dropped_cancelled == 6
    await sched.close()


async def test_expired_items_fail_with_deadline_exceeded() -> None:
    model = Reverser(delay_s=0.1)
    sched = _sched(model, max_items=1)
    loop = asyncio.get_running_loop()
    busy = asyncio.create_task(sched.submit(["busy"]))
    await asyncio.sleep(0.01)
    with pytest.raises(DeadlineExceeded):
        await sched.submit(["late"], deadline=loop.time() + 0.02)
    await busy
    assert "late" not in [t for b in model.batches for t in b]
    await sched.close()


async def test_full_queue_is_overloaded() -> None:
    sched = _sched(Reverser(), queue_max_items=3)
    with pytest.raises(Overloaded, match="retry later"):
        await sched.submit(["a", "b", "c", "d"])
    await sched.close()


async def test_model_failure_reaches_every_caller_and_scheduler_survives() -> None:
    class Broken(Reverser):
        def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
            if any("boom" in t for t in texts):
                raise RuntimeError("model exploded")
            return super().generate(texts, options)

    sched = _sched(Broken(), max_items=1)
    with pytest.raises(RuntimeError):
        await sched.submit(["boom"])
    assert await sched.submit(["fine"]) == ["enif"]
    await sched.close()


async def test_the_next_batch_waits_for_the_callers_the_last_one_answered() -> None:
    # 8 callers, each translating 4 sentences one after another with its own think time
    # (0-21 ms): more than max_wait_s apart, so only the return wait keeps their batches whole.
    model = Reverser(delay_s=0.1)
    sched = _sched(model, max_wait_s=0.001, return_wait_share=1.0)

    async def caller(c: int) -> None:
        for i in range(4):
            await asyncio.sleep(c * 0.003)
            assert await sched.submit([f"caller {c} text {i}"]) == [f"caller {c} text {i}"[::-1]]

    await asyncio.gather(*(caller(c) for c in range(8)))
    sizes = [len(b) for b in model.batches]
    assert sum(sizes) == 32
    # at most the first round is cut (by the 1 ms window for new callers); every later round
    # is one batch of all 8 callers
    assert len(sizes) <= 5, sizes
    assert sorted(sizes)[-3:] == [8, 8, 8], sizes
    assert sched.stats.return_waits >= 3
    await sched.close()


async def test_a_caller_that_does_not_come_back_is_waited_for_once() -> None:
    model = Reverser(delay_s=0.05)
    sched = _sched(model, max_wait_s=0.001, return_wait_share=1.0, return_wait_max_s=0.05)
    await asyncio.gather(sched.submit(["a 1"]), sched.submit(["b 1"]))  # b never returns
    assert await asyncio.wait_for(sched.submit(["a 2"]), 5) == ["2 a"]  # after the window
    assert await asyncio.wait_for(sched.submit(["a 3"]), 5) == ["3 a"]
    assert [len(b) for b in model.batches] == [2, 1, 1]
    await sched.close()


async def test_a_lone_serial_caller_is_not_kept_waiting() -> None:
    # A new caller waits max_wait_s for company; the caller a batch answered is expected back,
    # so its next request runs as soon as it arrives (before: max_wait_s every time).
    loop = asyncio.get_running_loop()
    sched = _sched(Reverser(), max_wait_s=0.5, max_items=8)
    began = loop.time()
    for i in range(5):
        assert await sched.submit([f"text {i}"]) == [f"text {i}"[::-1]]
    assert loop.time() - began < 1.5  # one wait of 0.5 s, not five
    await sched.close()
