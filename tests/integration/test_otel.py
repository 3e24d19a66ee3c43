"""`--otel`: OpenTelemetry's gRPC interceptor opens a span per call and leaves status codes and
messages as they were; without the extra, the server refuses to start with a clear message."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import grpc
import pytest

import dragoman.server
from dragoman.api.tracing import OtelNotInstalled, otel_interceptor
from dragoman.config import Settings
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import create_server
from tests.integration.conftest import wait_serving


async def test_otel_spans_and_unchanged_statuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = pytest.importorskip("opentelemetry.trace")  # installed by the dev extra

    names: list[str] = []

    class Recording(trace.NoOpTracer):  # type: ignore[misc]
        def start_as_current_span(self, name: str, *args: Any, **kwargs: Any) -> Any:
            names.append(name)
            return super().start_as_current_span(name, *args, **kwargs)

    class Provider(trace.NoOpTracerProvider):  # type: ignore[misc]
        def get_tracer(self, *args: Any, **kwargs: Any) -> Any:
            return Recording()

    monkeypatch.setattr(
        dragoman.server, "otel_interceptor", lambda: otel_interceptor(tracer_provider=Provider())
    )
    settings = Settings(
        host="127.0.0.1", port=0, models_dir=tmp_path, embedded=False, metrics_port=-1, otel=True
    )
    running = await create_server(settings)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            await wait_serving(ch)
            stub = pb_grpc.DragomanStub(ch)
            resp = await stub.DetectLanguage(pb.DetectLanguageRequest(texts=["Песков заявил."]))
            assert resp.detections[0].language == "ru"
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.DetectLanguage(pb.DetectLanguageRequest())
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "texts is empty" in (err.value.details() or "")
            raw = ch.unary_unary(
                "/dragoman.v1.Dragoman/Translate",
                request_serializer=None,
                response_deserializer=None,
            )
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await raw(b"\x0a\x01\xff")
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert names.count("/dragoman.v1.Dragoman/DetectLanguage") == 2
        assert "/dragoman.v1.Dragoman/Translate" in names
    finally:
        await running.stop(0)


async def test_otel_without_the_extra_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.instrumentation.grpc", None)  # not installed
    settings = Settings(host="127.0.0.1", port=0, models_dir=tmp_path, metrics_port=-1, otel=True)
    with pytest.raises(OtelNotInstalled, match=r"pip install 'dragoman\[otel\]'"):
        await create_server(settings)
