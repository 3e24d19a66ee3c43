"""`dragoman batch --ray [ADDRESS]`: the batch's model work on Ray Data actor pools.

run() (runner.py) stays the driver: it reads the feed, keeps the SQLite state, writes every
file, so exactly-once and resume work as in a local run. What moves to Ray is what needs models:

- features: the feed's articles -> `map_batches(FeatureActor)` on an autoscaling actor pool;
  each actor loads the e5 embedder and language detector once and returns the articles' story
  vectors, computed by the same `leads` and `lead_vectors` as a local run. The actors named in
  the articles are joined across languages over the whole feed at once (`feed_actors`, as
  locally), so that pass is one Ray task over the whole feed, run beside the pool. The driver
  puts the features together in the feed's order and clusters them with the same `cluster()`
  call as `local_group`.
- briefs: one row per story to build -> `map_batches(BriefActor)`, one story per call, on a
  second pool; each actor holds an Engine (models load once, on first use) and answers a
  story's json, markdown and headline, or why it has none (a failed story is a row, never the
  end of the run). The driver yields the rows to run() as they come.

Over Ray Client (`--ray ray://head:10001`) Ray Data cannot run in the driver, so a Relay actor in
the cluster (no CPU) runs both datasets and the driver pulls from it; run() does not change.
Ray is an optional extra (`pip install 'dragoman[ray]'`); nothing imports it before --ray.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dragoman.batch.cluster import ArticleFeatures, cluster
from dragoman.batch.features import feed_actors, lead_vectors, leads
from dragoman.batch.runner import Briefed, BriefMany, Group, local_brief
from dragoman.brief.ingest import published_date
from dragoman.config import Settings
from dragoman.domain import Article
from dragoman.errors import DragomanError

if TYPE_CHECKING:
    from dragoman.engine import Engine

LOCAL = "local"  # `--ray` without an address: a Ray instance on this machine, for this run
FEATURE_BATCH = 64  # most articles in one FeatureActor call

Batch = dict[str, NDArray[Any]]


class RayNotInstalled(DragomanError):
    """--ray was asked for but Ray Data is not installed."""


class StoryFailed(DragomanError):
    """A story a BriefActor could not brief; `status` names the error, as a local run counts
    it (InvalidInput, ...)."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[type[StoryFailed], tuple[str, str]]:
        return StoryFailed, (self.status, str(self))


def import_ray() -> Any:
    """The ray module, or RayNotInstalled saying what to install."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise RayNotInstalled(
            f"--ray needs Ray Data, an optional extra ({exc}): install dragoman[ray] "
            "(pip install 'dragoman[ray]')"
        ) from None
    return ray


# -- rows: articles travel as JSON text (no Arrow schema to agree on, nothing to unpickle) ------
def _dumps(articles: Sequence[Article]) -> str:
    return json.dumps([dataclasses.asdict(a) for a in articles], ensure_ascii=False)


def _loads(raw: object) -> list[Article]:
    return [Article(**d) for d in json.loads(str(raw))]


def _engine(settings: Settings) -> Engine:
    from dragoman.engine import Engine

    return Engine.on_demand(settings)


class FeatureActor:
    """Ray Data actor: the story vectors of a batch of articles (`leads` and `lead_vectors`, as
    a local run computes them); the embedder and the language detector load once, here."""

    def __init__(self, settings: Settings) -> None:
        self.engine = _engine(settings)
        self.engine.embedder.embed(["warm up"])

    def __call__(self, batch: Batch) -> Batch:
        articles = [a for raw in batch["article"] for a in _loads(raw)]
        texts, langs = leads(articles, self.engine.detector)
        vectors = lead_vectors(texts, self.engine.embedder, langs=langs)
        return {"i": np.asarray(batch["i"]), "vector": np.stack(vectors)}


def feed_features_without_vectors(settings: Settings, feed: str) -> list[ArticleFeatures]:
    """The actors every article of the feed names, joined across languages over the whole feed
    (`feed_actors`, as a local run finds them), and their dates; vectors are left empty."""
    engine = _engine(settings)
    articles = _loads(feed)
    texts, langs = leads(articles, engine.detector)
    named = feed_actors(texts, langs, engine.brief_builder.entities)
    empty = np.zeros(0, dtype=np.float32)
    return [
        ArticleFeatures(a.id, empty, actors, published_date(a.published))
        for a, actors in zip(articles, named, strict=True)
    ]


class BriefActor:
    """Ray Data actor: the brief of each story of a batch, or its error; an Engine per actor
    (models load on first use and stay)."""

    def __init__(self, settings: Settings) -> None:
        self.brief = local_brief(_engine(settings))

    def __call__(self, batch: Batch) -> Batch:
        cols: dict[str, list[str]] = {
            k: [] for k in ("sid", "json", "markdown", "headline", "status", "message")
        }
        for sid, raw, target in zip(batch["sid"], batch["articles"], batch["target"], strict=True):
            as_json = markdown = headline = status = message = ""
            try:
                as_json, markdown, headline = self.brief(_loads(raw), str(target))
            except Exception as exc:  # one story's failure is its row, never the run's end
                status = str(getattr(exc, "status", "") or type(exc).__name__)
                message = str(exc)
            for k, v in (
                ("sid", str(sid)),
                ("json", as_json),
                ("markdown", markdown),
                ("headline", headline),
                ("status", status),
                ("message", message),
            ):
                cols[k].append(v)
        return {k: np.asarray(v, dtype=object) for k, v in cols.items()}


def pool_size(ray: Any, work: int) -> int:
    """Actors of a pool: one per CPU of the cluster (each asks for one), never more than there
    are units of work."""
    return max(1, min(int(ray.cluster_resources().get("CPU", 1)), work))


def _pool(ray: Any, size: int) -> Any:
    return ray.data.ActorPoolStrategy(min_size=1, max_size=size, initial_size=size)


def feed_features(ray: Any, settings: Settings, articles: list[Article]) -> list[ArticleFeatures]:
    """Features of the feed's articles, in its order: vectors from the FeatureActor pool,
    actors from one task over the whole feed, run beside it."""
    named_ref = ray.remote(num_cpus=1)(feed_features_without_vectors).remote(
        settings, _dumps(articles)
    )
    actors = pool_size(ray, len(articles))
    per_batch = min(FEATURE_BATCH, math.ceil(len(articles) / actors))
    batches = math.ceil(len(articles) / per_batch)
    rows = [{"i": n, "article": _dumps([a])} for n, a in enumerate(articles)]
    vectors = (
        ray.data.from_items(rows, override_num_blocks=batches)
        .map_batches(
            FeatureActor,
            compute=_pool(ray, min(actors, batches)),
            batch_size=per_batch,
            fn_constructor_kwargs={"settings": settings},
            num_cpus=1,
        )
        .take_all()
    )
    ordered = [r["vector"] for r in sorted(vectors, key=lambda r: int(r["i"]))]
    named: list[ArticleFeatures] = ray.get(named_ref)
    if len(ordered) != len(articles) or len(named) != len(articles):
        raise DragomanError(
            f"Ray returned the vectors of {len(ordered)} articles and the actors of "
            f"{len(named)} for {len(articles)}"
        )
    return [
        dataclasses.replace(f, vector=np.asarray(v, dtype=np.float32))
        for f, v in zip(named, ordered, strict=True)
    ]


def brief_rows(
    ray: Any, settings: Settings, stories: list[tuple[str, list[Article]]], target: str
) -> Iterator[dict[str, str]]:
    """A row per story (sid, json, markdown, headline, status, message) from the BriefActor
    pool, as each is done."""
    rows = [{"sid": sid, "articles": _dumps(members), "target": target} for sid, members in stories]
    results = (
        ray.data.from_items(rows, override_num_blocks=len(rows))
        .map_batches(
            BriefActor,
            compute=_pool(ray, pool_size(ray, len(rows))),
            batch_size=1,
            fn_constructor_kwargs={"settings": settings},
            num_cpus=1,
        )
        .iter_rows()
    )
    for row in results:
        yield {k: str(v) for k, v in row.items()}


def _briefed(row: dict[str, str]) -> tuple[str, Briefed]:
    if row["status"]:
        return row["sid"], StoryFailed(row["status"], row["message"])
    return row["sid"], (row["json"], row["markdown"], row["headline"])


class Relay:
    """A Ray actor (no CPU) that runs the datasets inside the cluster for a driver connected by
    Ray Client (ray://), where Ray Data cannot run: the driver calls it, it drives the pools."""

    def __init__(self, settings: Settings) -> None:
        import ray

        _configure_data(ray)
        self.settings = settings
        self.results: Iterator[dict[str, str]] = iter(())

    def features(self, articles: list[Article]) -> list[ArticleFeatures]:
        import ray

        return feed_features(ray, self.settings, articles)

    def start(self, stories: list[tuple[str, list[Article]]], target: str) -> None:
        import ray

        self.results = brief_rows(ray, self.settings, stories, target)

    def next(self) -> dict[str, str] | None:
        """The next story's row as it is done; None after the last."""
        return next(self.results, None)


def ray_pipeline(
    ray: Any, settings: Settings, threshold: float, window_days: int, *, relay: bool = False
) -> tuple[Group, BriefMany]:
    """A Group and a BriefMany for run() on the connected Ray cluster; with `relay` (a Ray
    Client connection) through a Relay actor in the cluster. The actors get the driver's
    settings (so paths in them must be the workers' paths) with one model thread each: every
    actor holds one CPU."""
    settings = dataclasses.replace(
        settings, ct2_inter_threads=1, ct2_intra_threads=1, torch_threads=1
    )
    relayed = ray.remote(num_cpus=0)(Relay).remote(settings) if relay else None

    def group(articles: list[Article]) -> list[list[str]]:
        if relayed is None:
            feats = feed_features(ray, settings, articles)
        else:
            feats = ray.get(relayed.features.remote(articles))
        return cluster(feats, threshold=threshold, window_days=window_days)

    def many(
        stories: list[tuple[str, list[Article]]], target: str
    ) -> Iterator[tuple[str, Briefed]]:
        if not stories:
            return
        if relayed is None:
            for row in brief_rows(ray, settings, stories, target):
                yield _briefed(row)
            return
        ray.get(relayed.start.remote(stories, target))
        while (row := ray.get(relayed.next.remote())) is not None:
            yield _briefed(row)

    return group, many


def _configure_data(ray: Any) -> None:
    """No progress bars (run() draws its own); Ray Data's console lines from WARNING up (its
    INFO lines stay in the session's ray-data.log), less the note that the bars are off."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    for handler in logging.getLogger("ray.data").handlers:
        if handler.get_name() == "console":
            handler.setLevel(logging.WARNING)
            handler.addFilter(lambda r: not r.getMessage().startswith("Progress bars disabled"))


@contextmanager
def on_ray(
    address: str, settings: Settings, threshold: float, window_days: int
) -> Iterator[tuple[Group, BriefMany]]:
    """Connect to Ray at `address` (LOCAL or "": start an instance on this machine with its
    CPUs) for the length of the block; what was started here is shut down after it."""
    if address not in ("", LOCAL) and os.path.exists(address):
        raise DragomanError(
            f"--ray took {address!r} (a file or folder) for a Ray address: put --ray after the "
            "inputs, or write --ray=ADDRESS"
        )
    ray = import_ray()
    if address in ("", LOCAL):
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        # "local": a new instance even where RAY_ADDRESS or a `ray start` on this machine
        # would be found (`--ray auto` connects to those)
        ray.init(address=LOCAL, num_cpus=cpus, include_dashboard=False, configure_logging=False)
    else:
        ray.init(address=address, configure_logging=False)
    try:
        _configure_data(ray)
        client = address.startswith("ray://")  # Ray Data does not run over Ray Client
        yield ray_pipeline(ray, settings, threshold, window_days, relay=client)
    finally:
        ray.shutdown()
