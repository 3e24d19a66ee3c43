"""ClusterStories for the server: validate, extract features off the event loop, cluster."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dragoman.batch.cluster import DEFAULT_THRESHOLD, DEFAULT_WINDOW_DAYS, cluster
from dragoman.batch.features import features
from dragoman.batch.runner import content_id, story_id
from dragoman.domain import Article
from dragoman.errors import DeadlineExceeded, InvalidInput, NotReady, shown
from dragoman.text import check_text

if TYPE_CHECKING:
    from dragoman.engine import Engine

MAX_FEED_ARTICLES = 2000


@dataclass(frozen=True)
class ClusterJob:
    articles: tuple[Article, ...]
    threshold: float = 0.0
    window_days: int = 0


@dataclass(frozen=True)
class StoryGroup:
    story_id: str
    article_ids: tuple[str, ...]
    languages: tuple[str, ...]


def _validate(job: ClusterJob, max_chars: int) -> list[Article]:
    if not job.articles:
        raise InvalidInput(f"articles is empty; send 1 to {MAX_FEED_ARTICLES} articles")
    if len(job.articles) > MAX_FEED_ARTICLES:
        raise InvalidInput(
            f"articles has {len(job.articles)} items; the maximum is {MAX_FEED_ARTICLES}: "
            "send the feed in parts of one time window each"
        )
    if job.threshold < 0 or job.threshold > 3:
        raise InvalidInput(f"threshold is {job.threshold}; use 0 (default) or up to 3")
    out: list[Article] = []
    seen: dict[str, int] = {}
    for i, a in enumerate(job.articles):
        check_text(a.text, f"articles[{i}].text", max_chars)
        aid = a.id or "a-" + content_id(a)
        if aid in seen:
            raise InvalidInput(
                f"articles[{i}].id {shown(aid)} repeats articles[{seen[aid]}].id; "
                "ids must be unique"
            )
        seen[aid] = i
        out.append(a if a.id else dataclasses.replace(a, id=aid))
    return out


async def cluster_stories(
    engine: Engine, job: ClusterJob, deadline: float | None = None
) -> list[StoryGroup]:
    """Stories of a feed; the work stops when the deadline passes or the caller leaves."""
    articles = _validate(job, engine.settings.max_article_chars)
    if not engine.ready:
        raise NotReady("models are still loading; retry in a few seconds")
    stop = threading.Event()
    loop = asyncio.get_running_loop()

    def check() -> None:
        if stop.is_set() or (deadline is not None and loop.time() > deadline):
            raise DeadlineExceeded("the deadline passed while stories were being formed")

    langs: dict[str, str] = {}

    def work() -> list[list[str]]:
        for a in articles:
            langs[a.id] = a.language or engine.detector.detect(a.text[:2000]).language
        feats = features(
            articles, engine.embedder, engine.detector, engine.brief_builder.entities, check
        )
        return cluster(
            feats,
            threshold=job.threshold or DEFAULT_THRESHOLD,
            window_days=job.window_days or DEFAULT_WINDOW_DAYS,
            check=check,
        )

    try:
        groups = await asyncio.to_thread(work)
    finally:
        stop.set()  # the caller left (cancelled) or the work ended
    by_id = {a.id: a for a in articles}
    return [_group([by_id[i] for i in g], langs) for g in groups]


def _group(members: Sequence[Article], langs: dict[str, str]) -> StoryGroup:
    return StoryGroup(
        story_id(members),
        tuple(sorted(a.id for a in members)),
        tuple(sorted({langs[a.id] for a in members if langs.get(a.id)})),
    )
