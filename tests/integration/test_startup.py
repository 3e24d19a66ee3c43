"""The server loads every model before it says SERVING (one-off commands load on first use)."""

from __future__ import annotations

import dataclasses

import grpc

from dragoman.config import Settings
from dragoman.server import create_server
from tests.integration.conftest import wait_serving


async def test_the_server_preloads_everything_before_serving(settings: Settings) -> None:
    running = await create_server(dataclasses.replace(settings, metrics_port=-1))
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            await wait_serving(channel)
            # no call has been made: whatever is loaded now was loaded before SERVING
            engine = running.engine
            entities = engine.brief_builder.entities
            assert engine.detector.loaded
            assert engine.embedder_if_loaded() is not None
            assert entities.ner_loaded() == ["en", "ru"]
            assert entities.gazetteer.prepared() == ["ar", "en", "ru"]
            assert entities.agencies.prepared() == ["ar", "en", "ru"]
            registry = engine.registry
            installed = [e.name for e in registry.entries if e.installed(registry.models_dir)]
            assert len(installed) >= 4
            assert registry.loaded() == sorted(installed)
    finally:
        await running.stop(0.5)
