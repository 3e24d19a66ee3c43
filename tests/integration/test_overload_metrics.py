"""Admission control and metrics on a real server: past its slots and queue a call is
RESOURCE_EXHAUSTED with grpc-retry-pushback-ms, and /metrics reports what happened."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import grpc

from dragoman.config import Settings
from dragoman.domain import Detection
from dragoman.engine import Engine
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import create_server
from tests.integration.conftest import wait_serving


class GatedEngine(Engine):
    """DetectLanguage waits for a gate: calls pile up as under load."""

    gate: asyncio.Event

    async def detect(self, texts: Sequence[str]) -> list[Detection]:
        await self.gate.wait()
        return await super().detect(texts)


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
        return str(resp.read().decode())


async def test_overload_is_resource_exhausted_with_pushback_and_metrics(tmp_path: Path) -> None:
    settings = Settings(
        host="127.0.0.1",
        port=0,
        models_dir=tmp_path,
        embedded=False,
        max_concurrent_requests=2,
        max_waiting_requests=1,
        metrics_port=0,
    )
    engine = GatedEngine(settings)
    engine.gate = asyncio.Event()
    running = await create_server(settings, engine)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            await wait_serving(ch)
            stub = pb_grpc.DragomanStub(ch)
            req = pb.DetectLanguageRequest(texts=["Песков заявил журналистам в Кремле."])
            admitted = [asyncio.ensure_future(stub.DetectLanguage(req)) for _ in range(3)]
            await asyncio.sleep(0.3)  # two run, one waits
            text = _scrape(running.metrics_port)
            assert 'dragoman_request_running{method="DetectLanguage"} 2.0' in text
            assert 'dragoman_request_waiting{method="DetectLanguage"} 1.0' in text

            refused = stub.DetectLanguage(req)
            try:
                await refused
                raise AssertionError("expected RESOURCE_EXHAUSTED")
            except grpc.aio.AioRpcError as err:
                assert err.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
                assert "2 DetectLanguage calls running and 1 waiting" in (err.details() or "")
                pushback = dict(err.trailing_metadata() or ())
                assert int(pushback["grpc-retry-pushback-ms"]) >= 100
            # other rpcs are not starved by a busy one
            assert (await stub.ListModels(pb.ListModelsRequest(), timeout=10)).models

            engine.gate.set()
            for call in admitted:
                assert (await call).detections[0].language == "ru"

        text = _scrape(running.metrics_port)
        assert 'dragoman_request_total{code="OK",method="DetectLanguage"} 3.0' in text
        assert (
            'dragoman_request_total{code="RESOURCE_EXHAUSTED",method="DetectLanguage"} 1.0' in text
        )
        assert 'dragoman_request_duration_seconds_count{method="DetectLanguage"} 4.0' in text
        assert 'dragoman_request_queue_duration_seconds_count{method="DetectLanguage"} 3.0' in text
        assert "dragoman_ready 1.0" in text
        assert 'dragoman_request_running{method="DetectLanguage"} 0.0' in text
    finally:
        await running.stop(0)


async def test_client_retries_after_the_servers_pushback(tmp_path: Path) -> None:
    """The Python client retries RESOURCE_EXHAUSTED (and UNAVAILABLE) by itself, after the
    server's grpc-retry-pushback-ms, so a briefly busy server is no error for its callers."""
    from dragoman.client import Client

    settings = Settings(
        host="127.0.0.1",
        port=0,
        models_dir=tmp_path,
        embedded=False,
        max_concurrent_requests=1,
        max_waiting_requests=0,
        metrics_port=0,
    )
    engine = GatedEngine(settings)
    engine.gate = asyncio.Event()
    running = await create_server(settings, engine)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            await wait_serving(ch)
            stub = pb_grpc.DragomanStub(ch)
            holder = asyncio.ensure_future(
                stub.DetectLanguage(pb.DetectLanguageRequest(texts=["Песков заявил."]))
            )
            await asyncio.sleep(0.3)  # the one slot is taken, no waiting room
            client = Client(f"127.0.0.1:{running.port}", timeout_s=30)
            asyncio.get_running_loop().call_later(0.8, engine.gate.set)
            req = pb.DetectLanguageRequest(texts=["Peskov said so."])
            # the client's channel: refused, retried after the pushback, then answered
            got = await asyncio.to_thread(client._stub.DetectLanguage, req, timeout=30)
            assert got.detections[0].language == "en"
            await holder
            client.close()
        text = _scrape(running.metrics_port)
        assert 'dragoman_request_total{code="RESOURCE_EXHAUSTED",method="DetectLanguage"}' in text
    finally:
        await running.stop(0)
