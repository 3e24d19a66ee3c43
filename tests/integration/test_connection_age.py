"""--max-connection-age-s: the server closes client connections after their age (gRFC A9), so a
long-lived client reconnects (and, behind a headless service, rebalances); calls keep working."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc

from dragoman.config import Settings
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import create_server


async def test_connections_are_closed_after_their_age_and_calls_go_on(tmp_path: Path) -> None:
    settings = Settings(
        host="127.0.0.1",
        port=0,
        models_dir=tmp_path,
        embedded=False,
        metrics_port=-1,
        max_connection_age_s=0.5,
    )
    running = await create_server(settings)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            stub = pb_grpc.DragomanStub(ch)
            await stub.ListModels(pb.ListModelsRequest(), timeout=10)
            assert ch.get_state() is grpc.ChannelConnectivity.READY
            seen_idle = False
            for _ in range(40):  # age 0.5 s + grace 0.5 s: the server sends GOAWAY
                await asyncio.sleep(0.1)
                if ch.get_state() is not grpc.ChannelConnectivity.READY:
                    seen_idle = True
                    break
            assert seen_idle, "the connection outlived its maximum age"
            await stub.ListModels(pb.ListModelsRequest(), timeout=10)  # reconnects
    finally:
        await running.stop(0)
