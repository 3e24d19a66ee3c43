"""`dragoman serve` as users run it: starts, becomes SERVING, answers, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import grpc

from dragoman.client import Client
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_then_sigterm_stops_gracefully(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DRAGOMAN_PORT": str(port),
        "DRAGOMAN_HOST": "127.0.0.1",
        "DRAGOMAN_MODELS_DIR": str(tmp_path),
        "DRAGOMAN_EMBEDDED": "false",
        "DRAGOMAN_GRACE_S": "2",
        "DRAGOMAN_LOG_JSON": "true",
        "DRAGOMAN_METRICS_PORT": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "dragoman.cli", "serve"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        Client(f"127.0.0.1:{port}").wait_ready(120)
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.DragomanStub(channel)
            resp = stub.ListModels(pb.ListModelsRequest(), timeout=10)
            assert not any(m.installed for m in resp.models if m.format != "package")
            try:
                stub.Translate(
                    pb.TranslateRequest(texts=["Песков заявил."], target_language="en"), timeout=10
                )
                raise AssertionError("expected FAILED_PRECONDITION")
            except grpc.RpcError as err:
                assert err.code() == grpc.StatusCode.FAILED_PRECONDITION  # type: ignore[attr-defined]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    log = proc.stderr.read() if proc.stderr else ""
    assert '"message": "stopped"' in log and '"request_id"' in log


async def test_not_serving_and_unavailable_until_models_load(tmp_path: Path) -> None:
    import asyncio
    import threading

    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from dragoman.config import Settings
    from dragoman.engine import Engine
    from dragoman.server import create_server

    gate = threading.Event()

    class SlowEngine(Engine):
        def load(self) -> None:
            gate.wait(30)
            super().load()

    settings = Settings(
        host="127.0.0.1", port=0, models_dir=tmp_path, embedded=False, metrics_port=-1
    )
    running = await create_server(settings, SlowEngine(settings))
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            health = health_pb2_grpc.HealthStub(ch)
            status = (await health.Check(health_pb2.HealthCheckRequest())).status
            assert status == health_pb2.HealthCheckResponse.NOT_SERVING
            stub = pb_grpc.DragomanStub(ch)
            try:
                await stub.DetectLanguage(pb.DetectLanguageRequest(texts=["Песков"]))
                raise AssertionError("expected UNAVAILABLE")
            except grpc.aio.AioRpcError as err:
                assert err.code() == grpc.StatusCode.UNAVAILABLE
                assert "still loading" in (err.details() or "")
            gate.set()
            for _ in range(300):
                status = (await health.Check(health_pb2.HealthCheckRequest())).status
                if status == health_pb2.HealthCheckResponse.SERVING:
                    break
                await asyncio.sleep(0.1)
            assert status == health_pb2.HealthCheckResponse.SERVING
            resp = await stub.DetectLanguage(pb.DetectLanguageRequest(texts=["Песков"]))
            assert resp.detections[0].language == "ru"
    finally:
        gate.set()
        await running.stop(0.5)


async def test_message_over_the_limit_is_resource_exhausted(tmp_path: Path) -> None:
    from dragoman.config import Settings
    from dragoman.server import create_server

    settings = Settings(
        host="127.0.0.1",
        port=0,
        models_dir=tmp_path,
        embedded=False,
        max_message_bytes=4096,
        metrics_port=-1,
    )
    running = await create_server(settings)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            stub = pb_grpc.DragomanStub(ch)
            try:
                await stub.DetectLanguage(pb.DetectLanguageRequest(texts=["Песков " * 1000]))
                raise AssertionError("expected RESOURCE_EXHAUSTED")
            except grpc.aio.AioRpcError as err:
                assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                assert "4096" in (err.details() or "")
    finally:
        await running.stop(0.5)
