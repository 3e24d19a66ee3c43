"""Claims: sentences of different articles that state the same thing, grouped without chaining.

Raw e5 cosine does not separate claims on real coverage: within one story, sentences that state
the same claim in two languages score 0.79-0.86 and sentences that state different claims
0.76-0.86 (bench/quality, 5 stories, 45 ru/en/ar pages). What does separate them:
- a *margin* score (as in LASER bitext mining): the cosine relative to the mean cosine of each
  sentence's k nearest neighbours *in the other sentence's language*, which cancels the
  per-sentence and per-language-pair offsets of the model;
- a shared number (values are language-independent) as a bonus; a figure of the same counted
  thing with an incompatible value as a veto (62 killed and 80 killed are never one claim);
- average linkage: a group grows only while the mean normalised score of all its cross pairs
  stays above zero, so one strong pair cannot chain unrelated sentences together.
Thresholds are per language pair, calibrated on the dev set (`python -m bench.quality.calibrate`).
Cost: blocked top-k, never an n x n matrix - the similarities of a block of rows against one
language's sentences at a time (at most BLOCK_CELLS of them: ~16 MB), each block reduced to its
top k before the next; O(n) memory. The products are O(n^2 * dim) flops but run as BLAS matrix
products (a 10,000-sentence brief: ~1 s); grouping tries each candidate edge once per pair of
groups, so it is O(n * CANDIDATES * log) too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dragoman.brief.figures import FoundFigure, compatible

# k nearest neighbours (in the other language) that the margin is relative to.
MARGIN_K = 4
# Candidates kept per sentence and language before grouping.
CANDIDATES = 8
# Added to the margin for each number two sentences share (at most two): values are
# language-independent evidence. Fitted with the thresholds (logistic fit on the dev set).
NUMBER_BONUS = 0.064
# Margin a pair of sentences must reach, per (sorted) language pair: calibrated on the dev set
# for pairwise precision >= 0.9 (see README "Claim matching" for the figures).
THRESHOLDS: dict[tuple[str, str], float] = {
    ("ar", "en"): 1.018,
    ("ar", "ru"): 1.018,
    ("en", "ru"): 1.025,
    ("ar", "ar"): 1.027,
    ("en", "en"): 1.027,
    ("ru", "ru"): 1.027,
}
DEFAULT_THRESHOLD = 1.027
# The margin is relative: between unrelated articles a sentence's best neighbour still stands out
# from the rest. No pair below this cosine is one claim (the lowest same-claim pair the
# thresholds accept on the dev set is 0.80; a football report and a recipe scored 0.78).
COSINE_FLOOR = 0.80
# Similarities computed at once (rows x sentences of one language): ~16 MB of float32, so the
# memory of the claim step stays flat whatever the number of sentences.
BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class Sent:
    """One sentence of a distinct input article."""

    doc: int
    index: int
    text: str
    language: str
    figures: tuple[FoundFigure, ...]
    entities: frozenset[str]


def threshold(a: str, b: str) -> float:
    key = (a, b) if a <= b else (b, a)
    return THRESHOLDS.get(key, DEFAULT_THRESHOLD)


def figures_conflict(a: Sequence[FoundFigure], b: Sequence[FoundFigure]) -> bool:
    """Two sentences give incompatible values for the same counted thing ("62 killed" and "80
    killed"; "at least 78 killed" and "100 killed" are compatible)."""
    return any(not compatible(x, y) for x in a for y in b if x.counted == y.counted)


@dataclass
class _Scorer:
    sents: Sequence[Sent]
    vectors: NDArray[np.float32]
    knn: dict[str, NDArray[np.float32]]  # language -> mean cosine to k nearest in it

    def margin(self, i: int, j: int) -> float:
        a, b = self.sents[i], self.sents[j]
        cos = float(self.vectors[i] @ self.vectors[j])
        denom = (float(self.knn[b.language][i]) + float(self.knn[a.language][j])) / 2
        score = cos / max(denom, 1e-6)
        shared = {f.value for f in a.figures} & {f.value for f in b.figures}
        score += NUMBER_BONUS * min(len(shared), 2)
        return round(score, 4)

    def normalised(self, i: int, j: int) -> float | None:
        """Score minus the pair's threshold; None when the pair may never be one claim."""
        a, b = self.sents[i], self.sents[j]
        if a.doc == b.doc or figures_conflict(a.figures, b.figures):
            return None
        if float(self.vectors[i] @ self.vectors[j]) < COSINE_FLOOR:
            return round(-1.0, 4)
        return round(self.margin(i, j) - threshold(a.language, b.language), 4)


def _neighbours(
    sents: Sequence[Sent], vectors: NDArray[np.float32], check: Callable[[], None]
) -> tuple[dict[str, NDArray[np.float32]], list[tuple[int, int]]]:
    """Per language: each sentence's mean cosine to its k nearest sentences of other articles in
    that language, and candidate pairs (each sentence's top CANDIDATES there)."""
    n = len(sents)
    doc = np.array([s.doc for s in sents])
    langs = np.array([s.language for s in sents])
    knn: dict[str, NDArray[np.float32]] = {}
    pairs: set[tuple[int, int]] = set()
    for lang in sorted(set(langs.tolist())):
        cols = np.flatnonzero(langs == lang)
        out = np.zeros(n, dtype=np.float32)
        block = max(1, BLOCK_CELLS // max(1, len(cols)))
        col_vectors, col_docs = vectors[cols].T, doc[cols][None, :]
        for start in range(0, n, block):
            check()
            rows = np.arange(start, min(n, start + block))
            sim = vectors[rows] @ col_vectors
            sim[doc[rows][:, None] == col_docs] = -1.0  # other articles only
            k = min(MARGIN_K, len(cols))
            if k == 0:
                continue
            top = -np.partition(-sim, k - 1, axis=1)[:, :k]
            valid = top > -1.0
            count = valid.sum(axis=1)
            total = np.where(valid, top, 0.0).sum(axis=1)
            out[rows] = np.where(count > 0, total / np.maximum(count, 1), 0.0)
            c = min(CANDIDATES, len(cols))
            best = np.argpartition(-sim, c - 1, axis=1)[:, :c]
            for r, row in enumerate(rows.tolist()):
                for p in best[r].tolist():
                    col = int(cols[p])
                    if sim[r, p] > -1.0:
                        pairs.add((min(row, col), max(row, col)))
        knn[lang] = out
    return knn, sorted(pairs)


def link(
    n: int,
    doc_of: Sequence[int],
    edges: Sequence[tuple[float, int, int]],
    score: Callable[[int, int], float | None],
    check: Callable[[], None] = lambda: None,
) -> list[list[int]]:
    """Average-linkage grouping of n items along `edges` (normalised score, i, j), strongest
    first: two groups merge when they share no article, no cross pair is vetoed (score None) and
    the mean score of all their cross pairs is >= 0 - so a chain a~b~c with a and c unrelated
    does not become one group."""
    group = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    # Two groups that did not merge will not merge on another edge between them while neither
    # has changed: the test reads only their members. Each group's version says when it did.
    version = [0] * n
    refused: set[tuple[int, int, int, int]] = set()
    for step, (_, i, j) in enumerate(sorted(edges, key=lambda e: (-e[0], e[1], e[2]))):
        if step % 256 == 0:
            check()
        a, b = group[i], group[j]
        if a == b:
            continue
        tried = (a, version[a], b, version[b]) if a < b else (b, version[b], a, version[a])
        if tried in refused:
            continue
        ma, mb = members[a], members[b]
        if {doc_of[x] for x in ma} & {doc_of[y] for y in mb}:
            refused.add(tried)
            continue
        total = 0.0
        vetoed = False
        for x in ma:
            for y in mb:
                s = score(x, y)
                if s is None:
                    vetoed = True
                    break
                total += s
            if vetoed:
                break
        if vetoed or total / (len(ma) * len(mb)) < 0:
            refused.add(tried)
            continue
        keep, drop = min(a, b), max(a, b)
        version[keep] += 1
        members[keep] = sorted(members[keep] + members.pop(drop))
        for x in members[keep]:
            group[x] = keep
    return [m for _, m in sorted(members.items())]


def cluster(
    sents: Sequence[Sent], vectors: NDArray[np.float32], check: Callable[[], None] = lambda: None
) -> list[list[int]]:
    """Groups of sentence indices stating one claim; at most one sentence per article in each."""
    if not sents:
        return []
    knn, candidates = _neighbours(sents, vectors, check)
    scorer = _Scorer(sents, vectors, knn)
    edges = []
    for i, j in candidates:
        s = scorer.normalised(i, j)
        if s is not None and s >= 0:
            edges.append((s, i, j))
    return link(len(sents), [s.doc for s in sents], edges, scorer.normalised, check)
