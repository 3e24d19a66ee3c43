"""Optional OpenTelemetry tracing of every rpc (`--otel`; the `otel` extra installs it)."""

from __future__ import annotations

from typing import Any


class OtelNotInstalled(RuntimeError):
    """--otel was asked for but opentelemetry-instrumentation-grpc is not installed."""


def otel_interceptor(tracer_provider: Any = None) -> Any:
    """OpenTelemetry's aio server interceptor: one span per call, on `tracer_provider` or the
    process's global one (a no-op until an SDK is configured, e.g. under
    `opentelemetry-instrument`). Imported here, on demand: the package is an optional extra."""
    try:
        from opentelemetry.instrumentation.grpc import aio_server_interceptor
    except ImportError as exc:
        raise OtelNotInstalled(
            "--otel needs the OpenTelemetry gRPC instrumentation: pip install 'dragoman[otel]' "
            "(or opentelemetry-instrumentation-grpc), or leave DRAGOMAN_OTEL unset"
        ) from exc
    return aio_server_interceptor(tracer_provider=tracer_provider)
