"""gRPC interop-style cases against the live server (after grpc's interop test descriptions):
empty_unary, large_unary, cancel_after_begin, timeout_on_sleeping_server, and a server stopped
by SIGTERM with a call in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest

from dragoman.client import Client, article_message
from dragoman.domain import Article
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import Running
from tests.conftest import TEST_MANIFEST

# asyncio_mode = "auto" (pyproject) runs the async tests on the session loop of the server.


def _metric(port: int, line_start: str) -> float:
    """A value from the server's /metrics (0 when the series is not there yet)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith(line_start + " "):
                return float(line.split()[-1])
    return 0.0


async def _running(server: Running, method: str) -> float:
    """Calls of `method` the server is working on now (its admission slots in use)."""
    line = f'dragoman_request_running{{method="{method}"}}'
    return await asyncio.to_thread(_metric, server.metrics_port, line)


async def _eventually(condition: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    end = time.monotonic() + timeout_s
    while not await condition():
        assert time.monotonic() < end, "condition never held"
        await asyncio.sleep(0.02)


# -- empty_unary -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "request_", "needle"),
    [
        ("Translate", pb.TranslateRequest(), "texts is empty"),
        ("DetectLanguage", pb.DetectLanguageRequest(), "texts is empty"),
        ("Summarize", pb.SummarizeRequest(), "text is empty"),
        ("Brief", pb.BriefRequest(), "articles is empty"),
    ],
)
async def test_empty_request_is_invalid_argument(
    stub: pb_grpc.DragomanStub, method: str, request_: object, needle: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await getattr(stub, method)(request_, timeout=10)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert needle in (err.value.details() or "")


async def test_empty_list_models_request_lists_everything(stub: pb_grpc.DragomanStub) -> None:
    resp = await stub.ListModels(pb.ListModelsRequest(), timeout=10)
    assert {"translate", "summarize", "embed"} <= {m.task for m in resp.models}
    assert resp.limits.max_request_chars == 1_000_000


# -- large_unary -------------------------------------------------------------------------------
async def test_request_at_the_character_limits_is_served(stub: pb_grpc.DragomanStub) -> None:
    """20 texts of exactly 50,000 characters (1,000,000 in all: both limits, about 1 MB on the
    wire each way). They are already in the target language, so they come back unchanged
    (identity) and the case measures the transport and checks, not the tiny model."""
    word = "ceasefire "
    texts = [(f"Text {i} says the truce is over. " + word * 5000)[:50_000] for i in range(20)]
    assert sum(map(len, texts)) == 1_000_000
    resp = await stub.Translate(pb.TranslateRequest(texts=texts, target_language="en"), timeout=60)
    assert [t.translated_text for t in resp.translations] == texts
    assert {t.model for t in resp.translations} == {"identity"}

    one_more = [*texts[:19], texts[19] + "x"]
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Translate(pb.TranslateRequest(texts=one_more, target_language="en"), timeout=60)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "texts[19] has 50,001 characters" in (err.value.details() or "")


async def test_large_text_is_translated_whole(stub: pb_grpc.DragomanStub) -> None:
    """A long Russian text goes through chunking, batching and reassembly: every paragraph of
    it comes back, in order."""
    paragraph = "Песков заявил журналистам, что надежды на перемирие мало. " * 20
    text = "\n\n".join([paragraph.strip()] * 25)  # ~30,000 characters, 25 paragraphs
    resp = await stub.Translate(
        pb.TranslateRequest(texts=[text], source_language="ru", target_language="en"), timeout=120
    )
    out = resp.translations[0]
    assert out.model == "opus-mt-ru-en" and out.translated_text.count("\n\n") == 24


# -- cancel_after_begin ------------------------------------------------------------------------
async def test_cancel_after_the_brief_began(
    stub: pb_grpc.DragomanStub, server: Running, example_articles: list[Article]
) -> None:
    req = pb.BriefRequest(articles=[article_message(a) for a in example_articles])
    cancelled = 'dragoman_request_total{code="CANCELLED",method="Brief"}'
    was = await asyncio.to_thread(_metric, server.metrics_port, cancelled)
    call = stub.Brief(req, timeout=60)

    async def began() -> bool:  # the server has admitted the call and works on it
        return await _running(server, "Brief") == 1

    async def gone() -> bool:  # the server has seen the cancellation and freed the slot
        return await _running(server, "Brief") == 0

    await _eventually(began)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert await call.code() == grpc.StatusCode.CANCELLED
    await _eventually(gone)
    assert await asyncio.to_thread(_metric, server.metrics_port, cancelled) == was + 1
    resp = await stub.Brief(pb.BriefRequest(articles=req.articles[:2]), timeout=60)
    assert resp.brief.sources


# -- timeout_on_sleeping_server ----------------------------------------------------------------
async def test_one_millisecond_deadline_on_a_slow_call(stub: pb_grpc.DragomanStub) -> None:
    text = "The army said the truce was over and the talks would go on. " * 400
    req = pb.SummarizeRequest(
        text=text, source_language="en", method=pb.SUMMARIZE_METHOD_ABSTRACTIVE
    )
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Summarize(req, timeout=0.001)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    short = pb.SummarizeRequest(text="The army said the truce was over.", source_language="en")
    resp = await stub.Summarize(short, timeout=60)
    assert resp.method == pb.SUMMARIZE_METHOD_ABSTRACTIVE


async def test_deadline_passing_mid_call_drops_its_work(
    stub: pb_grpc.DragomanStub, server: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deadline that passes while the model works through the call's batches:
    DEADLINE_EXCEEDED, the chunks still queued never reach the model, and the server answers
    the next call. Each batch of the tiny model is slowed to 30 ms so that the call needs about
    a second whatever the machine's speed."""

    def ru_en(texts: list[str]) -> pb.TranslateRequest:
        return pb.TranslateRequest(texts=texts, source_language="ru", target_language="en")

    assert (await stub.Translate(ru_en(["Песков заявил."]), timeout=30)).translations
    sched = next(s for s in server.engine.pool.all() if s.model.name == "opus-mt-ru-en")
    generate = sched.model.generate

    def slow_generate(texts: Any, options: Any) -> list[str]:
        time.sleep(0.03)
        return generate(texts, options)

    monkeypatch.setattr(sched.model, "generate", slow_generate)
    texts = [f"Песков заявил {i}." for i in range(1024)]  # one chunk each: 32 batches
    ran = sched.stats.items
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Translate(ru_en(texts), timeout=0.25)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED

    async def settled() -> bool:  # nothing queued and no batch finishing for a while
        before = sched.stats.items
        await asyncio.sleep(0.3)
        return sched.queued == 0 and sched.stats.items == before

    await _eventually(settled)
    assert sched.stats.items - ran < len(texts) / 2, sched.stats
    resp = await stub.Translate(ru_en(["Песков заявил."]), timeout=30)
    assert resp.translations[0].translated_text


# -- SIGTERM with a call in flight -------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigterm_with_a_call_in_flight(tiny_models: Path, tmp_path: Path) -> None:
    """`dragoman serve` gets SIGTERM while a Translate that needs far longer than the grace
    period runs: the call ends (OK, or UNAVAILABLE/CANCELLED) within the grace period, new calls
    are refused, and the process exits 0 soon after."""
    grace_s = 1.0
    port = _free_port()
    # only the CTranslate2 ru->en model: the server starts without importing torch
    manifest = TEST_MANIFEST.split("[[model]]")[1]
    assert 'format = "ctranslate2"' in manifest and 'source = "ru"' in manifest
    (tmp_path / "manifest.toml").write_text("[[model]]" + manifest)
    env = {
        **os.environ,
        "DRAGOMAN_PORT": str(port),
        "DRAGOMAN_HOST": "127.0.0.1",
        "DRAGOMAN_MODELS_DIR": str(tiny_models),
        "DRAGOMAN_MANIFEST": str(tmp_path / "manifest.toml"),
        "DRAGOMAN_EMBEDDED": "false",
        "DRAGOMAN_GRACE_S": str(grace_s),
        "DRAGOMAN_METRICS_PORT": "0",
        # small batches of long outputs: the call below needs ~10 s, far more than the grace
        "DRAGOMAN_MAX_OUTPUT_TOKENS": "64",
        "DRAGOMAN_CT2_INTRA_THREADS": "1",
        "DRAGOMAN_BATCH_MAX_ITEMS": "8",
        "DRAGOMAN_CACHE_PATH": "",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "dragoman.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        Client(f"127.0.0.1:{port}").wait_ready(120)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.DragomanStub(channel)
            # every sentence distinct: a repeated one would run once (and the cache is off)
            texts = [
                " ".join(f"Песков заявил журналистам {i}-{k}, что надежды мало." for k in range(10))
                for i in range(1024)
            ]
            call = stub.Translate.future(
                pb.TranslateRequest(texts=texts, source_language="ru", target_language="en"),
                timeout=120,
            )
            time.sleep(1.0)  # planned and batching: in flight
            assert not call.done(), "the call ended before SIGTERM; make it longer"
            proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            try:
                call.result(timeout=grace_s + 5)
                outcome = grpc.StatusCode.OK
            except grpc.RpcError as err:
                outcome = err.code()  # type: ignore[attr-defined]
            ended_s = time.monotonic() - signalled
            assert outcome in {
                grpc.StatusCode.OK,
                grpc.StatusCode.UNAVAILABLE,
                grpc.StatusCode.CANCELLED,
            }, outcome
            assert ended_s < grace_s + 1.0, f"the in-flight call took {ended_s:.1f}s to end"
            # the server is stopping (or gone): a new call is refused
            with pytest.raises(grpc.RpcError) as refused:
                stub.ListModels(pb.ListModelsRequest(), timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE  # type: ignore[attr-defined]
        assert proc.wait(grace_s + 5) == 0
        exit_s = time.monotonic() - signalled
        assert exit_s < grace_s + 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = proc.stderr.read() if proc.stderr else ""
    assert "stopping: finishing in-flight calls" in log and "stopped" in log, log[-2000:]
