"""The cost budget through a real server: a Brief or Summarize text over it is refused before any
work with RESOURCE_EXHAUSTED and a message saying how to split it; the server keeps serving."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio

from dragoman.config import Settings
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import create_server
from tests.integration.conftest import wait_serving

pytestmark = pytest.mark.asyncio(loop_scope="session")
EXHAUSTED = grpc.StatusCode.RESOURCE_EXHAUSTED


def _text(sentences: int, seed: int = 0) -> str:
    places = ["Aleppo", "Homs", "Idlib", "Hama", "Raqqa"]
    return " ".join(
        f"Officials said {seed * 1000 + i} people left {places[i % 5]} on day {i + 1}."
        for i in range(sentences)
    )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def small_budget(empty_models: Settings) -> AsyncIterator[pb_grpc.DragomanStub]:
    """A server whose budget is 100 sentences and 20,000 characters per Brief and 30 sentences
    per Summarize text (embedded models load on first use: a refusal never needs them)."""
    settings = empty_models.replace(
        embedded=False,
        brief_max_sentences=100,
        brief_max_chars=20_000,
        summarize_max_sentences=30,
    )
    running = await create_server(settings)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            await wait_serving(channel)
            yield pb_grpc.DragomanStub(channel)
    finally:
        await running.stop(0.5)


async def _refused(call: object) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call  # type: ignore[misc]
    assert err.value.code() == EXHAUSTED, err.value.details()
    return err.value.details() or ""


def _brief(*texts: str) -> pb.BriefRequest:
    return pb.BriefRequest(
        articles=[pb.Article(id=f"a{i}", text=t, language="en") for i, t in enumerate(texts)],
        target_language="en",
    )


async def test_a_brief_over_the_budget_is_refused_with_how_to_split_it(
    small_budget: pb_grpc.DragomanStub,
) -> None:
    texts = [_text(40, seed) for seed in range(3)]
    chars = sum(len(t) for t in texts)
    details = await _refused(small_budget.Brief(_brief(*texts), timeout=30))
    assert f"this Brief has 120 sentences in {chars:,} characters (3 articles)" in details
    assert "the budget is 100 sentences and 20,000 characters per Brief" in details
    assert "split the articles into briefs of at most 2 articles" in details


async def test_one_article_over_the_budget_is_named(small_budget: pb_grpc.DragomanStub) -> None:
    details = await _refused(small_budget.Brief(_brief("Short.", _text(150)), timeout=30))
    assert "articles[1] alone has 150 sentences" in details and "shorter text" in details


async def test_a_summarize_text_over_the_budget_is_refused(
    small_budget: pb_grpc.DragomanStub,
) -> None:
    text = _text(31)
    details = await _refused(
        small_budget.Summarize(pb.SummarizeRequest(text=text, source_language="en"), timeout=30)
    )
    assert f"text has 31 sentences in {len(text):,} characters" in details
    assert "the budget is 30 sentences per text" in details
    # within the budget it is summarised, and the server kept serving
    resp = await small_budget.Summarize(
        pb.SummarizeRequest(text=_text(12), source_language="en", max_sentences=2), timeout=60
    )
    assert len(resp.sources) == 2
