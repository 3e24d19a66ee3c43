"""The asyncio gRPC server: TLS and API keys, admission control, metrics, health, reflection,
graceful stop; models load after it listens."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from dragoman.api.admission import Admission
from dragoman.api.metrics import Metrics
from dragoman.api.security import ApiKeyInterceptor, load_keys, server_credentials
from dragoman.api.servicer import SERVICE_NAME, DragomanServicer, generic_handler
from dragoman.api.tracing import otel_interceptor
from dragoman.config import Settings
from dragoman.engine import Engine

log = logging.getLogger(__name__)


@dataclass
class Running:
    """A started server and what it serves."""

    server: grpc.aio.Server
    port: int
    engine: Engine
    health: HealthServicer
    loading: asyncio.Task[None]
    metrics: Metrics | None = None
    tls: bool = False
    health_server: grpc.aio.Server | None = None
    health_port: int = -1  # the plaintext health-only port (-1: none)

    @property
    def metrics_port(self) -> int:
        return self.metrics.port if self.metrics is not None else -1

    async def stop(self, grace_s: float | None = None) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace_s)
        if self.health_server is not None:  # probes see NOT_SERVING until the end
            await self.health_server.stop(None)
        self.loading.cancel()
        await self.engine.close()
        if self.metrics is not None:
            self.metrics.close()


async def _load(engine: Engine, health: HealthServicer) -> None:
    """Load models off the event loop, then flip health to SERVING."""
    try:
        await asyncio.to_thread(engine.load)
    except Exception:
        log.exception("loading models failed; the server stays NOT_SERVING")
        return
    for name in ("", SERVICE_NAME):
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("models loaded; serving")


async def create_server(settings: Settings, engine: Engine | None = None) -> Running:
    """Start listening on settings.host:settings.port (0 = any free port) and begin loading.
    Raises SecurityConfigError when the TLS or API key settings cannot be used, OtelNotInstalled
    when --otel is set without its extra."""
    credentials = server_credentials(settings)
    keys = load_keys(settings)
    # Tracing outermost, so a call refused for its key still gets a span.
    interceptors: list[grpc.aio.ServerInterceptor] = []
    if settings.otel:
        interceptors.append(otel_interceptor())
    if keys:
        interceptors.append(ApiKeyInterceptor(keys))
    engine = engine or Engine(settings)
    admission = Admission(settings)
    metrics = Metrics(engine, admission) if settings.metrics_port >= 0 else None
    options: list[tuple[str, int]] = [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
    ]
    if settings.max_connection_age_s > 0:  # gRFC A9: clients reconnect and rebalance
        age_ms = int(settings.max_connection_age_s * 1000)
        options += [
            ("grpc.max_connection_age_ms", age_ms),
            ("grpc.max_connection_age_grace_ms", age_ms),
        ]
    server = grpc.aio.server(interceptors=interceptors or None, options=options)
    server.add_generic_rpc_handlers(
        (generic_handler(DragomanServicer(engine), admission, metrics),)
    )
    health = HealthServicer()
    for name in ("", SERVICE_NAME):
        await health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    reflection.enable_server_reflection(
        (
            SERVICE_NAME,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ),
        server,
    )
    address = f"{settings.host}:{settings.port}"
    if credentials is None:
        port = server.add_insecure_port(address)
    else:
        port = server.add_secure_port(address, credentials)
    if port == 0:
        raise OSError(f"cannot listen on {address}")
    await server.start()
    log.info(
        "listening on %s:%d (%s%s)",
        settings.host,
        port,
        "TLS" if credentials else "plaintext",
        f", {len(keys)} API keys" if keys else ", no API keys",
    )
    health_server, health_port = None, -1
    if settings.health_port >= 0:
        # The same health servicer on its own plaintext server: nothing else is reachable there.
        health_server = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(health, health_server)
        health_address = f"{settings.host}:{settings.health_port}"
        health_port = health_server.add_insecure_port(health_address)
        if health_port == 0:
            await server.stop(None)
            raise OSError(f"cannot listen on {health_address}")
        await health_server.start()
        log.info("health (plaintext, grpc.health.v1 only) on %s:%d", settings.host, health_port)
    if metrics is not None:
        metrics.serve(settings.host, settings.metrics_port)
    loading = asyncio.get_running_loop().create_task(_load(engine, health))
    return Running(
        server,
        port,
        engine,
        health,
        loading,
        metrics,
        credentials is not None,
        health_server,
        health_port,
    )


async def serve(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT, then finish in-flight calls within settings.grace_s."""
    running = await create_server(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping: finishing in-flight calls (grace %.1fs)", settings.grace_s)
    await running.stop(settings.grace_s)
    log.info("stopped")
