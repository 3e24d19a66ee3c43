"""Dynamic batching through the live server and with the tiny real models: each caller gets its
own results in order under concurrency, mixed language pairs in one window, cancellation mid-batch.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from dragoman.backends.base import Generation, Seq2Seq
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.scheduler import BatchLimits, BatchScheduler
from dragoman.server import Running

pytestmark = pytest.mark.asyncio(loop_scope="session")

WORDS = [
    "Песков",
    "заявил",
    "армия",
    "перемирие",
    "конвой",
    "Алеппо",
    "США",
    "ООН",
    "удар",
    "надежды",
    "мало",
    "Сирия",
]


def ru_text(n: int) -> str:
    return " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(3 + n % 6)) + "."


async def test_many_clients_mixed_pairs_get_their_own_results(
    stub: pb_grpc.DragomanStub, server: Running
) -> None:
    reg = server.engine.registry
    ru_en = reg.model(reg.entry("opus-mt-ru-en"))
    ar_en = reg.model(reg.entry("opus-mt-ar-en-hf"))
    opts = Generation(max_new_tokens=8)
    before = {s.model.name: s.stats.batches for s in server.engine.pool.all()}

    async def client(c: int) -> None:
        if c % 3 == 2:  # Arabic -> English through the transformers backend
            texts = [("قال بيسكوف إن الأمل ضئيل جدا " * (1 + c % 2)).strip(), "الأمم المتحدة"]
            resp = await stub.Translate(
                pb.TranslateRequest(texts=texts, source_language="ar", target_language="en")
            )
            expected = [ar_en.generate([t], opts)[0] for t in texts]
        else:
            texts = [ru_text(c * 3 + i) for i in range(3)]
            resp = await stub.Translate(
                pb.TranslateRequest(texts=texts, source_language="ru", target_language="en")
            )
            expected = [ru_en.generate([t], opts)[0] for t in texts]
        assert [t.translated_text for t in resp.translations] == expected

    await asyncio.gather(*(client(c) for c in range(16)))
    after = {s.model.name: s.stats for s in server.engine.pool.all()}
    ct2 = after["opus-mt-ru-en"]
    ct2_batches = ct2.batches - before.get("opus-mt-ru-en", 0)
    # 11 Russian clients sent 33 texts: they were merged into far fewer model batches
    assert ct2_batches < 11
    assert max(list(ct2.batch_sizes)[-ct2_batches:]) > 3


class _Slow(Seq2Seq):
    """A tiny real model that takes its time, so a batch is still running when callers cancel."""

    def __init__(self, inner: Seq2Seq) -> None:
        self.inner = inner
        self.name = inner.name
        self.max_input_tokens = inner.max_input_tokens
        self.seen: list[str] = []
        self.running = threading.Event()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        self.running.set()
        threading.Event().wait(0.3)
        self.seen.extend(texts)
        return self.inner.generate(texts, options)


async def test_cancellation_mid_batch_with_a_tiny_model(server: Running) -> None:
    reg = server.engine.registry
    model = _Slow(reg.model(reg.entry("opus-mt-ru-en")))
    sched = BatchScheduler(
        model, Generation(max_new_tokens=8), BatchLimits(max_items=4, max_wait_s=0.01)
    )
    first = asyncio.create_task(sched.submit([ru_text(i) for i in range(4)]))
    await asyncio.get_running_loop().run_in_executor(None, model.running.wait, 5)
    # these queue behind the running batch; one caller gives up while it runs
    doomed = asyncio.create_task(sched.submit([f"{ru_text(i)} отмена" for i in range(8)]))
    keeper = asyncio.create_task(sched.submit([ru_text(20)]))
    await asyncio.sleep(0.05)
    doomed.cancel()
    direct = model.inner.generate([ru_text(20)], Generation(max_new_tokens=8))
    assert await keeper == direct
    assert len(await first) == 4
    with pytest.raises(asyncio.CancelledError):
        await doomed
    assert not any("отмена" in t for t in model.seen)
    assert sched.stats.dropped_cancelled == 8
    await sched.close()


async def test_a_leg_chunks_texts_over_the_model_limit(server: Running) -> None:
    """A pivot's intermediate text longer than the next model's limit is chunked, not cut."""
    from dragoman.text import plan_chunks

    reg = server.engine.registry
    entry = reg.entry("opus-mt-ru-en")
    model = reg.model(entry)
    long_text = " ".join(ru_text(i) for i in range(12))
    assert model.count_tokens(long_text) > model.max_input_tokens
    [out] = await server.engine.translation._leg(entry, [long_text], None)
    layout = plan_chunks(long_text, "ru", model.count_tokens, model.max_input_tokens)
    assert len(layout.chunks) >= 2
    opts = Generation(max_new_tokens=8)
    assert out == layout.join([model.generate([c], opts)[0] for c in layout.chunks])
