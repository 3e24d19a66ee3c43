"""Story clustering of a mixed feed: the algorithm on vectors we control, B-cubed, and the real
features (e5 + entities) on a self-written feed of three stories in three languages plus
one-off articles (tests/fixtures/feed/feed.jsonl)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from dragoman.articles import read_articles
from dragoman.batch.cluster import DEFAULT_THRESHOLD, ArticleFeatures, bcubed, cluster

FEED = Path(__file__).resolve().parents[1] / "fixtures" / "feed"


def _unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def _feat(aid: str, v: list[float], actors: set[str], day: int | None = 10) -> ArticleFeatures:
    published = date(2026, 3, day) if day is not None else None
    return ArticleFeatures(aid, _unit(v), frozenset(actors), published)


def test_stories_form_one_offs_stay_alone_and_order_does_not_matter() -> None:
    feed = [
        _feat("a1", [1, 0.05, 0], {"x-krell", "valmora"}),
        _feat("a2", [1, 0, 0.05], {"x-krell"}),
        _feat("a3", [1, 0.02, 0.02], {"valmora"}),
        _feat("b1", [0, 1, 0.05], {"x-oston"}),
        _feat("b2", [0.05, 1, 0], {"x-oston", "x-dunaj"}),
        _feat("c1", [0, 0, 1], set()),  # a one-off
    ]
    want = [["a1", "a2", "a3"], ["b1", "b2"], ["c1"]]
    assert cluster(feed, threshold=0.9) == want
    shuffled = feed[:]
    random.Random(7).shuffle(shuffled)
    assert cluster(shuffled, threshold=0.9) == want


def test_time_window_keeps_far_apart_articles_apart() -> None:
    feed = [_feat("x", [1, 0, 0], {"e"}, day=1), _feat("y", [1, 0, 0], {"e"}, day=20)]
    assert cluster(feed, threshold=0.9, window_days=3) == [["x"], ["y"]]
    assert cluster(feed, threshold=0.9, window_days=30) == [["x", "y"]]
    undated = [_feat("x", [1, 0, 0], {"e"}, day=None), _feat("y", [1, 0, 0], {"e"}, day=None)]
    assert cluster(undated, threshold=0.9) == [["x", "y"]]


def test_shared_rare_actors_join_what_text_alone_would_not() -> None:
    a = _feat("a", [1, 0.6, 0], {"x-sarik", "x-dravna"})
    b = _feat("b", [0.6, 1, 0], {"x-sarik", "x-dravna"})
    c = _feat("c", [0.6, 1, 0.1], {"x-oston"})
    assert cluster([a, b, c], threshold=1.2) == [["a", "b"], ["c"]]


def test_bcubed() -> None:
    gold = {"a": "A", "b": "A", "c": "B", "d": "B"}
    assert bcubed([["a", "b"], ["c", "d"]], gold) == (1.0, 1.0, 1.0)
    p, r, f = bcubed([["a", "b", "c", "d"]], gold)
    assert (p, r) == (0.5, 1.0) and f == pytest.approx(2 / 3)
    p, r, _ = bcubed([["a"], ["b"], ["c"], ["d"]], gold)
    assert (p, r) == (1.0, 0.5)


def test_real_features_on_a_mixed_feed() -> None:
    from dragoman.backends.e5_embedder import E5Embedder
    from dragoman.batch.features import features
    from dragoman.brief.entities import EntityFinder, Gazetteer
    from dragoman.languages import LanguageDetector

    articles = read_articles([FEED / "feed.jsonl"])
    detector = LanguageDetector()
    detector.load()
    feats = features(articles, E5Embedder(), detector, EntityFinder(Gazetteer()))
    groups = cluster(feats, threshold=DEFAULT_THRESHOLD)
    gold = {a.id: a.id.split("-")[0] for a in articles}
    p, r, _ = bcubed(groups, gold)
    assert p == 1.0, groups  # unrelated stories never merge
    assert ["match-en"] in groups and ["phone-ru"] in groups  # one-offs stay alone
    assert r >= 0.7, groups


def _reference(
    articles: list[ArticleFeatures], threshold: float, window_days: int
) -> list[list[str]]:
    """The algorithm as the module docstring states it, pair by pair (slow, obviously right)."""
    from dragoman.batch.cluster import (
        ENTITY_WEIGHT,
        Story,
        _idf,
        _in_window,
        _overlap,
        _story_in_window,
        _story_overlap,
    )

    ordered = sorted(articles, key=lambda a: (a.published or date.min, a.id))
    idf = _idf(ordered)
    stories: list[Story] = []
    for a in ordered:
        best, best_score = None, threshold
        for s in stories:
            if not _in_window(a.published, s, window_days):
                continue
            score = float(a.vector @ s.centroid) + ENTITY_WEIGHT * _overlap(a.actors, s, idf)
            if score >= best_score:
                best, best_score = s, score
        if best is None:
            best = Story()
            stories.append(best)
        best.add(a)
    merged = True
    while merged:
        merged = False
        for i in range(len(stories)):
            j = i + 1
            while j < len(stories):
                x, y = stories[i], stories[j]
                score = float(x.centroid @ y.centroid) + ENTITY_WEIGHT * _story_overlap(x, y, idf)
                if _story_in_window(x, y, window_days) and score >= threshold:
                    x.absorb(y)
                    del stories[j]
                    merged = True
                    j = i + 1
                    continue
                j += 1
    return sorted((s.ids for s in stories), key=lambda ids: (-len(ids), ids))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_fast_clustering_is_the_algorithm_pair_by_pair(seed: int) -> None:
    """Scoring every story at once and skipping pairs that cannot reach the threshold changes
    nothing: a feed with shared common actors ("Russia" in every story) and near-threshold
    pairs clusters exactly as the pair-by-pair reference does."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, 32)).astype(np.float32)
    feed = []
    for i in range(160):
        s = int(rng.integers(12))
        v = centres[s] + rng.normal(scale=0.9, size=32).astype(np.float32) + 1.5
        actors = {f"s{s}-{int(k)}" for k in rng.integers(0, 5, size=2)}
        actors |= {f"common-{int(rng.integers(4))}"}
        feed.append(
            ArticleFeatures(
                f"a{i:03d}",
                (v / np.linalg.norm(v)).astype(np.float32),
                frozenset(actors),
                date(2025, 3, 1 + int(rng.integers(6))),
            )
        )
    fast = cluster(feed, threshold=DEFAULT_THRESHOLD, window_days=3)
    assert fast == _reference(feed, DEFAULT_THRESHOLD, 3)
    assert 1 < len(fast) < len(feed)  # the feed exercises both joining and staying apart
