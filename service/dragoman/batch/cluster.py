"""Story clustering of a mixed feed across languages, as Europe Media Monitor groups news: each
article becomes a vector (the mean e5 embedding of its title and lead sentences) and a set of
named actors (entities joined across scripts); articles are taken in publication order and each
joins the story whose centroid it is most similar to, within a time window, or starts a new one;
a second pass merges stories that came out alike. One-off articles stay alone.

similarity(article, story) = cosine(article vector, story centroid)
                             + ENTITY_WEIGHT x weighted overlap of their actors (rare names count
                             more than names every story carries)
and an article joins when it reaches `threshold` (calibrated on the real-article dev set mixed
into one feed: bench/quality/cluster.py).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray

# Calibrated on the dev set (bench/quality/cluster.py): the highest B-cubed F1 with precision 1.
DEFAULT_THRESHOLD = 1.075
ENTITY_WEIGHT = 0.5
DEFAULT_WINDOW_DAYS = 3
LEAD_SENTENCES = 6


@dataclass(frozen=True)
class ArticleFeatures:
    """What clustering needs of one article."""

    id: str
    vector: NDArray[np.float32]  # unit vector
    actors: frozenset[str]  # entity ids of people, organisations, groups and places
    published: date | None = None


@dataclass
class Story:
    """A group of articles; `centroid` is the normalised mean of their vectors."""

    members: list[ArticleFeatures] = field(default_factory=list)
    total: NDArray[np.float32] | None = None
    actors: Counter[str] = field(default_factory=Counter)
    first: date | None = None
    last: date | None = None

    def add(self, a: ArticleFeatures) -> None:
        self.members.append(a)
        self.total = a.vector.copy() if self.total is None else self.total + a.vector
        self.actors.update(a.actors)
        if a.published is not None:
            self.first = min(self.first or a.published, a.published)
            self.last = max(self.last or a.published, a.published)

    def absorb(self, other: Story) -> None:
        for a in other.members:
            self.add(a)

    @property
    def centroid(self) -> NDArray[np.float32]:
        assert self.total is not None
        norm = float(np.linalg.norm(self.total))
        return self.total / max(norm, 1e-12)

    @property
    def ids(self) -> list[str]:
        return sorted(a.id for a in self.members)


def _idf(articles: Sequence[ArticleFeatures]) -> Callable[[str], float]:
    df: Counter[str] = Counter()
    for a in articles:
        df.update(a.actors)
    n = max(1, len(articles))
    return lambda e: math.log(1 + n / df[e]) if df[e] else 0.0


def _overlap(actors: frozenset[str], story: Story, idf: Callable[[str], float]) -> float:
    """How much of the article's actors (weighted by rarity) the story's articles name, each
    actor counting by the share of the story's articles that name it (0..1): a big story that
    names everything does not attract every article."""
    if not actors or not story.members:
        return 0.0
    total = sum(idf(e) for e in actors)
    n = len(story.members)
    shared = sum(idf(e) * story.actors[e] / n for e in actors)
    return shared / total if total else 0.0


def _story_overlap(x: Story, y: Story, idf: Callable[[str], float]) -> float:
    """Weighted Jaccard of two stories' actor shares (0..1)."""
    nx, ny = len(x.members), len(y.members)
    keys = set(x.actors) | set(y.actors)
    low = sum(idf(e) * min(x.actors[e] / nx, y.actors[e] / ny) for e in keys)
    high = sum(idf(e) * max(x.actors[e] / nx, y.actors[e] / ny) for e in keys)
    return low / high if high else 0.0


def _in_window(a: date | None, story: Story, window_days: int) -> bool:
    if a is None or story.first is None or story.last is None:
        return True
    return (story.first - a).days <= window_days and (a - story.last).days <= window_days


def _story_in_window(x: Story, y: Story, window_days: int) -> bool:
    if None in (x.first, x.last, y.first, y.last):
        return True
    assert x.first and x.last and y.first and y.last
    return (y.first - x.last).days <= window_days and (x.first - y.last).days <= window_days


def cluster(
    articles: Sequence[ArticleFeatures],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: int = DEFAULT_WINDOW_DAYS,
    check: Callable[[], None] = lambda: None,
) -> list[list[str]]:
    """Stories as sorted lists of article ids, largest first; deterministic for a given input
    whatever its order."""
    if not articles:
        return []
    ordered = sorted(articles, key=lambda a: (a.published or date.min, a.id))
    idf = _idf(ordered)
    stories: list[Story] = []
    for a in ordered:
        check()
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
    # Merge stories that came out alike once complete (order effects of the first pass).
    merged = True
    while merged:
        merged = False
        check()
        for i in range(len(stories)):
            for j in range(i + 1, len(stories)):
                x, y = stories[i], stories[j]
                if not _story_in_window(x, y, window_days):
                    continue
                overlap = _story_overlap(x, y, idf)
                if float(x.centroid @ y.centroid) + ENTITY_WEIGHT * overlap >= threshold:
                    x.absorb(y)
                    del stories[j]
                    merged = True
                    break
            if merged:
                break
    return sorted((s.ids for s in stories), key=lambda ids: (-len(ids), ids))


def bcubed(predicted: Sequence[Sequence[str]], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering against gold labels (article -> story)."""
    cluster_of = {a: i for i, c in enumerate(predicted) for a in c}
    items = [a for a in gold if a in cluster_of]
    if not items:
        return 0.0, 0.0, 0.0
    members: dict[int, list[str]] = {}
    for a in items:
        members.setdefault(cluster_of[a], []).append(a)
    by_gold: Counter[str] = Counter(gold[a] for a in items)
    p = r = 0.0
    for a in items:
        same_cluster = members[cluster_of[a]]
        correct = sum(1 for b in same_cluster if gold[b] == gold[a])
        p += correct / len(same_cluster)
        r += correct / by_gold[gold[a]]
    p, r = p / len(items), r / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
