"""dragoman.client against the live server: the asyncio client, call for call as the blocking
one (the blocking one also runs through the CLI's --server tests), errors, deadlines, and a
stream left early."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import grpc
import pytest

from dragoman.articles import read_articles
from dragoman.client import AsyncClient, Client
from dragoman.server import Running

ROOT = Path(__file__).resolve().parents[2]
FEED = ROOT / "tests" / "fixtures" / "feed" / "feed.jsonl"
EXAMPLES = ROOT / "examples" / "ceasefire"


async def test_async_client_calls(server: Running) -> None:
    feed = read_articles([FEED])
    async with AsyncClient(f"127.0.0.1:{server.port}", timeout_s=120) as client:
        await client.wait_ready(60)
        [text] = await client.translate(["Песков заявил журналистам."], "ru", "en")
        assert text.strip()
        summary = await client.summarize(
            "The ceasefire collapsed on Monday. Aid trucks were hit near Aleppo. "
            "Russia and the United States traded blame. The UN suspended convoys.",
            "en",
            "en",
            2,
        )
        assert summary.strip()
        brief = json.loads(await client.brief(read_articles([EXAMPLES]), "en", as_json=True))
        assert brief["keyPoints"] and brief["headline"]
        stories = await client.cluster(feed)
        assert sorted(["flood-ar", "flood-en", "flood-ru"]) in [sorted(s) for s in stories]
        listed = json.loads(await client.models())
        assert {m["name"] for m in listed["models"]} >= {"opus-mt-ru-en"}
        flood = [a for a in feed if a.id.startswith("flood")]
        results = [r async for r in client.brief_stream([("flood", flood), ("none", [])], "en")]
        by_id = dict(results)
        assert set(by_id) == {"flood", "none"}
        json_text, markdown, headline = by_id["flood"]
        assert json.loads(json_text)["headline"] == headline and headline in markdown
        status, message = by_id["none"]
        assert status == "INVALID_ARGUMENT" and "article" in message


async def test_async_client_errors_say_what_to_fix(server: Running) -> None:
    async with AsyncClient(f"127.0.0.1:{server.port}", timeout_s=60) as client:
        with pytest.raises(grpc.aio.AioRpcError) as bad:
            await client.translate(["text"], "ru", "xx")
        assert bad.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "xx" in (bad.value.details() or "")
        # a per-call deadline (here one that has passed before the call is sent) is honoured
        long = ["Песков заявил журналистам, что надежды на перемирие мало."] * 400
        with pytest.raises(grpc.aio.AioRpcError) as late:
            await client.translate(long, "ru", "en", timeout_s=0.0001)
        assert late.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED


async def test_async_stream_left_early_cancels(server: Running) -> None:
    feed = read_articles([FEED])
    stories = [(f"s{i}", feed) for i in range(6)]
    async with AsyncClient(f"127.0.0.1:{server.port}", timeout_s=60) as client:
        stream = client.brief_stream(stories, "en")
        async for _custom_id, _result in stream:
            break
        await stream.aclose()  # runs the generator's finally: the call is cancelled
        # the server is free for the next call at once
        [text] = await asyncio.wait_for(client.translate(["Да."], "ru", "en"), 60)
        assert text is not None


async def test_blocking_client_context_and_deadline(server: Running) -> None:
    def calls() -> None:  # in a thread: the server runs on this test's event loop
        with Client(f"127.0.0.1:{server.port}", timeout_s=60) as client:
            client.wait_ready(60)
            assert client.translate(["Да."], "ru", "en", timeout_s=30)
            with pytest.raises(grpc.RpcError) as late:
                client.translate(["Песков заявил журналистам."] * 400, "ru", "en", timeout_s=0.0001)
            code = late.value.code()  # type: ignore[attr-defined]
            assert code is grpc.StatusCode.DEADLINE_EXCEEDED

    await asyncio.to_thread(calls)
