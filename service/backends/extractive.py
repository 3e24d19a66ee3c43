"""Extractive summariser: sentence embeddings, centroid salience, MMR for diversity, lead bonus."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from service.backends.e5_embedder import E5Embedder

# Weights chosen on the project's ceasefire fixtures (see README "Summaries"): news puts the
# essentials first, so position helps; MMR's lambda keeps near-duplicates out.
LEAD_WEIGHT = 0.15
MMR_LAMBDA = 0.7


class ExtractiveSummarizer:
    """Picks k sentences: centroid similarity + lead bonus, re-ranked by MMR, in text order."""

    name = "extractive-e5"

    def __init__(self, embedder: E5Embedder) -> None:
        self._embedder = embedder

    def scores(self, sentences: Sequence[str]) -> list[float]:
        """Salience of each sentence in [0, 1]."""
        if not sentences:
            return []
        vecs = self._embedder.embed(sentences)
        centroid = vecs.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        sim = vecs @ centroid
        lead = np.array([1.0 / (1 + i) for i in range(len(sentences))])
        raw = (1 - LEAD_WEIGHT) * sim + LEAD_WEIGHT * lead
        return [round(float(x), 6) for x in np.clip(raw, 0.0, 1.0)]

    def select(self, sentences: Sequence[str], k: int) -> list[tuple[int, float]]:
        """Indices (in text order) and scores of the k sentences to keep."""
        if not sentences or k <= 0:
            return []
        vecs = self._embedder.embed(sentences)
        scores = self.scores(sentences)
        chosen: list[int] = []
        candidates = list(range(len(sentences)))
        while candidates and len(chosen) < k:

            def mmr(i: int) -> tuple[float, int]:
                redundancy = max((float(vecs[i] @ vecs[j]) for j in chosen), default=0.0)
                value = MMR_LAMBDA * scores[i] - (1 - MMR_LAMBDA) * redundancy
                return (round(value, 6), -i)  # ties: the earlier sentence

            best = max(candidates, key=mmr)
            chosen.append(best)
            candidates.remove(best)
        return [(i, scores[i]) for i in sorted(chosen)]
