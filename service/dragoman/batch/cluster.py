"""Story clustering of a mixed feed across languages, as Europe Media Monitor groups news: each
article becomes a vector (the mean e5 embedding of its title and lead sentences) and a set of
named actors (entities joined across scripts); articles are taken in publication order and each
joins the story whose centroid it is most similar to, within a time window, or starts a new one;
a second pass merges stories that came out alike. One-off articles stay alone.

similarity(article, story) = cosine(article vector, story centroid)
                             + ENTITY_WEIGHT x weighted overlap of their actors (rare names count
                             more than names every story carries)
and an article joins when it reaches `threshold` (calibrated on the real-article dev set mixed
into one feed: bench/quality/cluster.py) - and, when it names actors, only a story that names
at least MIN_SHARED of them (weighted overlap): the vectors are centered on their language
(features.py), and without that gate articles that read alike but are about other people and
places (two earthquakes, two matches, wire copy on two events) would join on text alone.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Calibrated on the dev set (bench/quality/cluster.py): the highest B-cubed F1 with precision 1.
DEFAULT_THRESHOLD = 0.75
ENTITY_WEIGHT = 0.5
# An article that names actors joins only a story naming this weighted share of them; two
# stories that both name actors merge only at this overlap (calibrated with the threshold).
MIN_SHARED = 0.2
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
    """A group of articles and the actors they name (how many of its articles name each); its
    vector total and dates live in _Stories' arrays."""

    members: list[ArticleFeatures] = field(default_factory=list)
    actors: Counter[str] = field(default_factory=Counter)

    def add(self, a: ArticleFeatures) -> None:
        self.members.append(a)
        self.actors.update(a.actors)

    @property
    def ids(self) -> list[str]:
        return sorted(a.id for a in self.members)


def _idf(articles: Sequence[ArticleFeatures]) -> Callable[[str], float]:
    df: Counter[str] = Counter()
    for a in articles:
        df.update(a.actors)
    n = max(1, len(articles))
    return lambda e: math.log(1 + n / df[e]) if df[e] else 0.0


def _story_overlap(x: Story, y: Story, idf: Callable[[str], float]) -> float:
    """Weighted Jaccard of two stories' actor shares (0..1)."""
    nx, ny = len(x.members), len(y.members)
    keys = set(x.actors) | set(y.actors)
    low = sum(idf(e) * min(x.actors[e] / nx, y.actors[e] / ny) for e in keys)
    high = sum(idf(e) * max(x.actors[e] / nx, y.actors[e] / ny) for e in keys)
    return low / high if high else 0.0


_DENSE_AFTER = 32  # an actor named in more stories than this gets a count per story in an array


class _Stories:
    """The stories of one clustering run as arrays: their vector totals and norms (a centroid is
    total / norm), first and last dates, member counts, and per actor the stories that name it
    (a set, or for an actor many stories name, an array of counts), so that an article is
    scored against every story at once."""

    def __init__(self, dim: int, idf: Callable[[str], float]) -> None:
        self.idf = idf
        self.totals = np.zeros((64, dim), dtype=np.float32)
        self.norms = np.ones(64, dtype=np.float32)
        self.members = np.zeros(64, dtype=np.float32)
        self.first = np.zeros(64, dtype=np.int64)
        self.last = np.zeros(64, dtype=np.int64)
        self.dated = np.zeros(64, dtype=bool)
        self.alive = np.zeros(64, dtype=bool)
        self.stories: list[Story] = []
        self.by_actor: dict[str, set[int]] = {}
        self.dense: dict[str, NDArray[np.float32]] = {}

    def __len__(self) -> int:
        return len(self.stories)

    def _grow(self) -> None:
        n = len(self.norms) * 2

        def grown(old: NDArray[Any], fill: float = 0) -> NDArray[Any]:
            new = np.full((n, *old.shape[1:]), fill, dtype=old.dtype)
            new[: len(old)] = old
            return new

        self.totals, self.norms = grown(self.totals), grown(self.norms, 1)
        self.members, self.first, self.last = (
            grown(self.members),
            grown(self.first),
            grown(self.last),
        )
        self.dated, self.alive = grown(self.dated), grown(self.alive)
        self.dense = {e: grown(c) for e, c in self.dense.items()}

    def new(self) -> int:
        if len(self.stories) == len(self.norms):
            self._grow()
        self.stories.append(Story())
        k = len(self.stories) - 1
        self.alive[k] = True
        return k

    def add(self, k: int, a: ArticleFeatures) -> None:
        story = self.stories[k]
        story.add(a)
        self.members[k] += 1
        self.totals[k] += a.vector
        self.norms[k] = max(float(np.linalg.norm(self.totals[k])), 1e-12)
        if a.published is not None:
            day = a.published.toordinal()
            if self.dated[k]:
                self.first[k], self.last[k] = min(self.first[k], day), max(self.last[k], day)
            else:
                self.first[k] = self.last[k] = day
                self.dated[k] = True
        for e in a.actors:
            named = self.by_actor.setdefault(e, set())
            named.add(k)
            if e in self.dense:
                self.dense[e][k] += 1
            elif len(named) > _DENSE_AFTER:
                counts = np.zeros(len(self.norms), dtype=np.float32)
                for j in named:
                    counts[j] = self.stories[j].actors[e]
                self.dense[e] = counts

    def absorb(self, k: int, j: int) -> None:
        """Story j joins story k and is gone."""
        for a in self.stories[j].members:
            self.add(k, a)
        for e in self.stories[j].actors:
            self.by_actor[e].discard(j)
            if e in self.dense:
                self.dense[e][j] = 0
        self.alive[j], self.members[j], self.dated[j] = False, 0, False
        self.stories[j] = Story()

    def pair_in_window(self, i: int, j: int, window_days: int) -> bool:
        """Whether stories i and j lie within the window of each other (undated: yes)."""
        if not (self.dated[i] and self.dated[j]):
            return True
        return bool(
            self.first[j] - self.last[i] <= window_days
            and self.first[i] - self.last[j] <= window_days
        )

    def cosines(self, vector: NDArray[np.float32], upto: int) -> NDArray[np.float32]:
        out: NDArray[np.float32] = (self.totals[:upto] @ vector) / self.norms[:upto]
        return out

    def in_window(self, day: date | None, upto: int, window_days: int) -> NDArray[np.bool_]:
        ok = self.alive[:upto].copy()
        if day is not None:
            d = day.toordinal()
            near = (self.first[:upto] - d <= window_days) & (d - self.last[:upto] <= window_days)
            ok &= ~self.dated[:upto] | near
        return ok

    def shares(self, weights: dict[str, float], upto: int, *, presence: bool) -> NDArray[Any]:
        """Per story below `upto`: the sum over the actors e of weights[e] x the share of the
        story's articles that name e (presence: x 1 when the story names e at all)."""
        out = np.zeros(upto, dtype=np.float64)
        size = np.maximum(self.members[:upto], 1)
        for e, w in weights.items():
            if e in self.dense:
                counts = self.dense[e][:upto]
                out += w * ((counts > 0) if presence else counts / size)
                continue
            for k in self.by_actor.get(e, ()):
                if k < upto:
                    out[k] += w if presence else w * self.stories[k].actors[e] / size[k]
        return out

    def overlaps(self, actors: frozenset[str], upto: int) -> NDArray[Any]:
        """_overlap(actors, story) for every story below `upto` (0 where none is shared)."""
        weights = {e: self.idf(e) for e in actors}
        total = sum(weights.values())
        if not total:
            return np.zeros(upto)
        out: NDArray[Any] = self.shares(weights, upto, presence=False) / total
        return out


def cluster(
    articles: Sequence[ArticleFeatures],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: int = DEFAULT_WINDOW_DAYS,
    check: Callable[[], None] = lambda: None,
) -> list[list[str]]:
    """Stories as sorted lists of article ids, largest first; deterministic for a given input
    whatever its order. Each article is scored against every story at once (one matrix
    product; the actor overlap only for the stories that share an actor with it), so a day's
    feed of thousands of articles clusters in seconds."""
    if not articles:
        return []
    ordered = sorted(articles, key=lambda a: (a.published or date.min, a.id))
    idf = _idf(ordered)
    st = _Stories(len(ordered[0].vector), idf)
    for a in ordered:
        check()
        n = len(st)
        best = -1
        if n:
            overlap = st.overlaps(a.actors, n)
            score = st.cosines(a.vector, n) + ENTITY_WEIGHT * overlap
            score[~st.in_window(a.published, n, window_days)] = -np.inf
            if any(st.idf(e) for e in a.actors):
                score[overlap < MIN_SHARED] = -np.inf
            top = float(score.max())
            if top >= threshold:
                best = int(np.flatnonzero(score == top)[-1])  # ties: the later story
        if best < 0:
            best = st.new()
        st.add(best, a)
    _merge(st, threshold, window_days, check)
    stories = [s for k, s in enumerate(st.stories) if st.alive[k]]
    return sorted((s.ids for s in stories), key=lambda ids: (-len(ids), ids))


def _merge(st: _Stories, threshold: float, window_days: int, check: Callable[[], None]) -> None:
    """Merge stories that came out alike once complete (order effects of the first pass): a
    pair qualifies when cosine + ENTITY_WEIGHT x their actor overlap reaches the threshold
    (and, when both name actors, the overlap reaches MIN_SHARED).
    The overlap of x and y is at most the share of x's weighted actors that y names, so only
    pairs whose cosine plus that bound reaches the threshold are looked at. Passes repeat
    until no pair qualifies; within a pass a story takes in every later story that qualifies
    with it."""
    merged = True
    while merged:
        merged = False
        for i in range(len(st)):
            if not st.alive[i]:
                continue
            check()
            again = True
            while again:
                again = False
                x = st.stories[i]
                n = len(st)
                size = len(x.members)
                weights = {e: st.idf(e) * c / size for e, c in x.actors.items()}
                mass = sum(weights.values())
                if not mass:
                    break
                bound = st.shares(weights, n, presence=True) / mass
                cos = (st.totals[:n] @ st.totals[i]) / (st.norms[:n] * st.norms[i])
                hope = (cos + ENTITY_WEIGHT * bound >= threshold) & st.alive[:n]
                hope[: i + 1] = False
                for j in np.flatnonzero(hope):
                    y = st.stories[int(j)]
                    if not st.pair_in_window(i, int(j), window_days):
                        continue
                    overlap = _story_overlap(x, y, st.idf)
                    if y.actors and overlap < MIN_SHARED:
                        continue
                    if float(cos[j]) + ENTITY_WEIGHT * overlap >= threshold:
                        st.absorb(i, int(j))
                        merged = again = True
                        break


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
