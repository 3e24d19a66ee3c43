"""The batch runner with stand-in features and briefs (fast): exactly once, resumable, only the
stories new articles touch are rebuilt, per-item errors, a second run on the same output refuses,
its own output is never input."""

from __future__ import annotations

import fcntl
import io
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dragoman.batch.cluster import ArticleFeatures, cluster
from dragoman.batch.runner import (
    LOCK,
    Batch,
    BatchError,
    BriefLimits,
    representative,
    run,
    sequential,
)
from dragoman.domain import Article

AXES = {"flood": 0, "vote": 1, "mine": 2, "match": 3, "phone": 4}


def fake_features(articles: list[Article]) -> list[ArticleFeatures]:
    out = []
    for a in articles:
        v = np.zeros(8, dtype=np.float32)
        v[AXES[a.id.split("-")[0]]] = 1.0
        story = a.id.split("-")[0]
        out.append(ArticleFeatures(a.id, v, frozenset({f"x-{story}"}), date(2026, 3, 10)))
    return out


def group(articles: list[Article]) -> list[list[str]]:
    return cluster(fake_features(articles))


class FakeBrief:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, members: Sequence[Article], target: str) -> tuple[str, str, str]:
        ids = sorted(a.id for a in members)
        self.calls.append(ids)
        return json.dumps({"articles": ids}), f"# {ids[0]}\n", ids[0]


def _feed(folder: Path, ids: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "feed.jsonl", "w", encoding="utf-8") as f:
        for i in ids:
            f.write(json.dumps({"id": i, "text": f"text of {i}", "language": "en"}) + "\n")
    return folder


def _index(out: Path) -> dict[str, list[str]]:
    rows = [json.loads(x) for x in (out / "index.jsonl").read_text().splitlines()]
    return {r["story"]: r["articles"] for r in rows}


def _exactly_once(out: Path, ids: list[str]) -> None:
    placed = [a for arts in _index(out).values() for a in arts]
    assert sorted(placed) == sorted(ids)
    for sid in _index(out):
        assert (out / "stories" / f"{sid}.json").exists() and (
            out / "stories" / f"{sid}.md"
        ).exists()
    assert not list(out.glob("**/.*.tmp-*"))


def test_one_brief_per_story_then_nothing_rebuilt(tmp_path: Path) -> None:
    ids = ["flood-1", "flood-2", "vote-1", "vote-2", "match-1"]
    feed, out = _feed(tmp_path / "in", ids), tmp_path / "out"
    brief = FakeBrief()
    report = run([str(feed)], out, group, sequential(brief))
    assert (report.articles, report.stories, report.built) == (5, 3, 3)
    assert sorted(brief.calls) == [["flood-1", "flood-2"], ["match-1"], ["vote-1", "vote-2"]]
    _exactly_once(out, ids)
    again = FakeBrief()
    shown = io.StringIO()
    report = run([str(feed)], out, group, sequential(again), progress=shown)
    assert again.calls == [] and report.reused == 3
    # each phase says where it is: what was read, the stories formed, what is left to brief
    assert "read 5 articles (0 items unusable)" in shown.getvalue()
    assert "3 stories in" in shown.getvalue() and "0 to brief, 3 unchanged" in shown.getvalue()


def test_new_articles_rebuild_only_the_stories_they_touch(tmp_path: Path) -> None:
    feed, out = _feed(tmp_path / "in", ["flood-1", "vote-1"]), tmp_path / "out"
    run([str(feed)], out, group, sequential(FakeBrief()))
    before = _index(out)
    _feed(tmp_path / "in2", ["flood-2", "mine-1"])
    brief = FakeBrief()
    run([str(feed), str(tmp_path / "in2")], out, group, sequential(brief))
    assert sorted(brief.calls) == [["flood-1", "flood-2"], ["mine-1"]]
    after = _index(out)
    vote = [s for s, a in before.items() if a == ["vote-1"]]
    assert vote and vote[0] in after  # untouched story kept as it was
    old_flood = next(s for s, a in before.items() if a == ["flood-1"])
    assert old_flood not in after and not (out / "stories" / f"{old_flood}.json").exists()
    _exactly_once(out, ["flood-1", "flood-2", "vote-1", "mine-1"])


def test_a_story_over_the_brief_limit_is_briefed_from_a_spread_of_its_articles(
    tmp_path: Path,
) -> None:
    """A big story (a 10,000-article feed chained one of 2,000 once) must still get its brief:
    the brief reads `max_brief_articles` of them; the index keeps every article and says
    which ones the brief read."""
    ids = [f"flood-{i:02d}" for i in range(12)] + ["vote-1"]
    feed, out = _feed(tmp_path / "in", ids), tmp_path / "out"
    brief = FakeBrief()
    report = run([str(feed)], out, group, sequential(brief), limits=BriefLimits(articles=5))
    assert report.failures == {} and report.built == 2
    big = next(c for c in brief.calls if c[0].startswith("flood"))
    assert big == ["flood-00", "flood-02", "flood-05", "flood-08", "flood-11"]
    rows = [json.loads(x) for x in (out / "index.jsonl").read_text().splitlines()]
    flood = next(r for r in rows if r["articles"][0] == "flood-00")
    assert len(flood["articles"]) == 12 and flood["briefed"] == big
    assert "briefed" not in next(r for r in rows if r["articles"] == ["vote-1"])
    _exactly_once(out, ids)
    again = FakeBrief()
    assert (
        run([str(feed)], out, group, sequential(again), limits=BriefLimits(articles=5)).reused == 2
    )
    assert again.calls == []


def test_representative_reads_every_language_spread_over_time_within_the_budget() -> None:
    def art(i: int, lang: str, hour: int, sentences: int = 1) -> Article:
        text = " ".join(f"Sentence {k} of {i}." for k in range(sentences))
        return Article(f"a{i}", text, language=lang, published=f"2026-03-10T{hour:02d}:00:00Z")

    members = [art(i, "en", i) for i in range(10)] + [art(10, "ar", 3), art(11, "ru", 5)]
    picked = representative(members, BriefLimits(articles=4))
    assert [a.id for a in picked] == ["a0", "a9", "a10", "a11"]  # en: first and latest
    assert representative(members, BriefLimits(articles=12)) == members
    six = representative(members, BriefLimits(articles=6))
    assert [a.id for a in six] == ["a0", "a2", "a4", "a9", "a10", "a11"]  # then between
    # the brief's sentence budget binds before the article limit: long articles are skipped
    # for ones that still fit, and the part never exceeds the budget
    long = [art(i, "en", i, sentences=30 if i % 2 else 3) for i in range(10)]
    part = representative(long, BriefLimits(articles=200, sentences=40))
    assert [a.id for a in part] == ["a0", "a2", "a4", "a9"]  # 3 + 3 + 3 + 30 of 40 sentences


def test_state_of_an_earlier_version_gains_the_briefed_column(tmp_path: Path) -> None:
    import sqlite3

    out = tmp_path / "out"
    out.mkdir()
    db = sqlite3.connect(out / ".dragoman-batch.sqlite")
    db.execute(
        "CREATE TABLE story (id TEXT PRIMARY KEY, articles TEXT NOT NULL, "
        "languages TEXT NOT NULL, headline TEXT NOT NULL)"
    )
    db.execute("INSERT INTO story VALUES ('s-1', '[\"a\"]', '[\"en\"]', 'H')")
    db.commit()
    db.close()
    b = Batch(out)
    try:
        assert b.done() == {"s-1": (["a"], ["en"], "H", [])}
    finally:
        b.close()


def test_bad_items_go_to_errors_and_the_rest_is_briefed(tmp_path: Path) -> None:
    folder = _feed(tmp_path / "in", ["flood-1"])
    with open(folder / "more.jsonl", "w", encoding="utf-8") as f:
        f.write("{not json\n")
        f.write(json.dumps({"id": "flood-9", "text": "   "}) + "\n")
        f.write(json.dumps({"id": "vote-1", "text": "ok", "published_time": "yesterday"}) + "\n")
    out = tmp_path / "out"
    report = run([str(folder), str(tmp_path / "missing")], out, group, sequential(FakeBrief()))
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    reasons = " | ".join(e["reason"] for e in errors)
    assert len(errors) == 4, reasons
    assert "not valid JSON" in reasons and "empty text" in reasons
    assert "RFC 3339" in reasons and "no such file" in reasons
    assert report.articles == 1 and report.built == 1


def test_own_output_is_never_input(tmp_path: Path) -> None:
    folder = _feed(tmp_path, ["flood-1"])
    out = tmp_path / "out"  # inside the input folder
    run([str(folder)], out, group, sequential(FakeBrief()))
    (out / "stories" / "extra.json").write_text(json.dumps({"id": "vote-7", "text": "x"}))
    report = run([str(folder)], out, group, sequential(FakeBrief()))
    assert report.articles == 1


def test_second_run_on_the_same_output_refuses(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(BatchError, match="another dragoman batch is writing"):
            Batch(out)
    Batch(out).close()  # free again once the other run ends


def test_remote_deals_stories_over_concurrent_streams() -> None:
    """Stories go out over several BriefStreams at once (round_robin spreads the streams over
    the servers); every result comes back once; a stream that fails ends the run loudly."""
    import threading

    from dragoman.batch.runner import RemoteError, remote

    class FakeClient:
        def __init__(self, fail: bool = False) -> None:
            self.calls: list[list[str]] = []
            self.together = threading.Barrier(3, timeout=10)  # all three streams at once
            self.fail = fail

        def brief_stream(self, part: list[tuple[str, list[Article]]], target: str) -> Any:
            self.calls.append([sid for sid, _ in part])
            self.together.wait()
            for sid, members in part:
                if self.fail and sid == "s4":
                    raise ConnectionError("server gone")
                if sid == "s2":
                    yield sid, ("INVALID_ARGUMENT", "no text")
                else:
                    yield sid, (f'{{"n": {len(members)}}}', f"# {sid}", f"{sid} {target}")

    stories = [(f"s{i}", [Article(id=f"a{i}", text="x")]) for i in range(7)]
    client = FakeClient()
    _, many = remote(client, 1.0, 3, streams=3)
    got = dict(many(stories, "en"))
    assert sorted(client.calls) == [["s0", "s3", "s6"], ["s1", "s4"], ["s2", "s5"]]
    assert set(got) == {sid for sid, _ in stories}
    assert isinstance(got["s2"], RemoteError) and got["s2"].status == "INVALID_ARGUMENT"
    assert got["s5"] == ('{"n": 1}', "# s5", "s5 en")
    _, failing = remote(FakeClient(fail=True), 1.0, 3, streams=3)
    with pytest.raises(ConnectionError, match="server gone"):
        list(failing(stories, "en"))


def test_batch_command_takes_the_brief_limits_from_its_settings() -> None:
    from dragoman import cli, config

    args = cli.build_parser().parse_args(
        ["batch", "feed/", "--out", "o", "--max-articles", "50", "--brief-max-sentences", "900"]
    )
    limits = cli._brief_limits(config.from_namespace(args))
    assert limits == BriefLimits(articles=50, chars=300_000, sentences=900)


def test_batch_command_defaults_are_the_calibrated_ones() -> None:
    from dragoman import cli
    from dragoman.batch.cluster import DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS

    args = cli.build_parser().parse_args(["batch", "feed/", "--out", "o"])
    assert (args.threshold, args.window_days) == (DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS)
