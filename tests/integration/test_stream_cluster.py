"""ClusterStories and BriefStream against the live server with a real client."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import grpc
import pytest

from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import Running

FEED = Path(__file__).resolve().parents[1] / "fixtures" / "feed" / "feed.jsonl"


def _feed() -> list[pb.Article]:
    out = []
    for line in FEED.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        a = pb.Article(
            id=d["id"], text=d["text"], title=d["title"], language=d["language"], outlet=d["outlet"]
        )
        a.published_time.FromJsonString(d["published_time"])
        out.append(a)
    return out


async def test_cluster_stories(stub: pb_grpc.DragomanStub) -> None:
    resp = await stub.ClusterStories(pb.ClusterStoriesRequest(articles=_feed()), timeout=120)
    groups = {tuple(s.article_ids) for s in resp.stories}
    assert ("flood-ar", "flood-en", "flood-ru") in groups
    assert ("match-en",) in groups and ("phone-ru",) in groups
    flood = next(s for s in resp.stories if "flood-en" in s.article_ids)
    assert list(flood.languages) == ["ar", "en", "ru"] and flood.story_id.startswith("s-")
    again = await stub.ClusterStories(pb.ClusterStoriesRequest(articles=_feed()[::-1]))
    assert [s.story_id for s in again.stories] == [s.story_id for s in resp.stories]

    for req, needle in [
        (pb.ClusterStoriesRequest(), "articles is empty"),
        (pb.ClusterStoriesRequest(articles=_feed(), threshold=7), "threshold is 7"),
        (pb.ClusterStoriesRequest(articles=_feed()[:1] * 2), "repeats articles[0].id"),
    ]:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.ClusterStories(req)
        assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert needle in (err.value.details() or "")


def _item(custom_id: str, articles: list[pb.Article], target: str = "en") -> pb.BriefStreamRequest:
    return pb.BriefStreamRequest(
        custom_id=custom_id, request=pb.BriefRequest(articles=articles, target_language=target)
    )


async def test_brief_stream_answers_every_item_with_its_own_status(
    stub: pb_grpc.DragomanStub,
) -> None:
    feed = {a.id: a for a in _feed()}
    items = [
        _item("flood", [feed["flood-en"], feed["flood-ru"], feed["flood-ar"]]),
        _item("empty", []),
        _item("bad-language", [feed["vote-en"]], target="xx"),
        _item("vote", [feed["vote-en"], feed["vote-ru"]], target="ru"),
    ]
    answers = {}
    async for resp in stub.BriefStream(iter(items), timeout=300):
        answers[resp.custom_id] = resp
    assert set(answers) == {"flood", "empty", "bad-language", "vote"}
    assert answers["flood"].WhichOneof("result") == "response"
    assert {s.language for s in answers["flood"].response.brief.sources} == {"ar", "en", "ru"}
    assert answers["vote"].response.brief.language == "ru"
    for bad in ("empty", "bad-language"):
        err = answers[bad].error
        assert err.status == "INVALID_ARGUMENT" and err.code == 3 and err.message


async def test_leaving_a_stream_stops_it_and_the_server_goes_on(
    stub: pb_grpc.DragomanStub,
) -> None:
    feed = _feed()
    call = stub.BriefStream(iter([_item(f"i{n}", feed[:3]) for n in range(40)]))
    first = await call.read()
    assert first.custom_id.startswith("i")
    call.cancel()
    await asyncio.sleep(0.5)
    resp = await stub.ListModels(pb.ListModelsRequest(), timeout=10)
    assert resp.models


async def test_batch_against_the_server(server: Running, tmp_path: Path) -> None:
    """`dragoman batch --server` clusters with ClusterStories and briefs with BriefStream."""
    out = tmp_path / "out"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "dragoman.cli",
        "batch",
        str(FEED),
        "--out",
        str(out),
        "--server",
        f"ipv4:127.0.0.1:{server.port}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 300)
    assert proc.returncode == 0, err.decode()[-2000:]
    index = [json.loads(x) for x in (out / "index.jsonl").read_text().splitlines()]
    placed = sorted(a for row in index for a in row["articles"])
    assert placed == sorted(a.id for a in _feed())
    flood = next(r for r in index if "flood-en" in r["articles"])
    brief = json.loads((out / "stories" / f"{flood['story']}.json").read_text())
    assert brief["headline"] and (out / "stories" / f"{flood['story']}.md").read_text()
