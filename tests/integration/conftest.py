"""A real server on port 0 with the tiny models, and a real client channel to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest_asyncio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from dragoman.config import Settings
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import Running, create_server


async def wait_serving(channel: grpc.aio.Channel, timeout_s: float = 120.0) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while True:
        resp = await stub.Check(health_pb2.HealthCheckRequest())
        if resp.status == health_pb2.HealthCheckResponse.SERVING:
            return
        if loop.time() > end:
            raise TimeoutError("server never became SERVING")
        await asyncio.sleep(0.1)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def server(settings: Settings) -> AsyncIterator[Running]:
    running = await create_server(settings)
    yield running
    await running.stop(0.5)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def channel(server: Running) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as ch:
        await wait_serving(ch)
        yield ch


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stub(channel: grpc.aio.Channel) -> pb_grpc.DragomanStub:
    return pb_grpc.DragomanStub(channel)
