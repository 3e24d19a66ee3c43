"""Extractive summariser: LexRank (sumy's formulation) over our own sentence split and word
tokenizer (sumy's default needs NLTK data no registry ships), with NLTK's Snowball stemmers for
ru/ar/en.

Chosen over an e5 centroid + MMR selector, TextRank, LSA and lead-3 by `python -m bench.summarizers`
(README, Benchmarks): as central and as little redundant as the best, the same picks for the ru,
ar and en versions of one article, and a millisecond per article.

Cost: sumy builds the n x n similarity matrix in Python loops and its idf in O(terms x n): a
200,000-character text took 79 s. Here the same numbers come from matrix products, and the
graph is never larger than BLOCK sentences: a longer text is ranked in blocks of consecutive
sentences, the best of each block go on to a final round (a tournament), so the cost is linear
in the sentences. Texts of up to BLOCK sentences get exactly sumy's LexRank (tested).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from dragoman.cancel import Check, never

_STEMMERS = {"ru": "russian", "ar": "arabic", "en": "english"}
_WORD = re.compile(r"\w+")
# sumy's LexRank settings
THRESHOLD = 0.1
EPSILON = 0.1
# The most sentences ranked in one graph (a few hundredths of a second each).
BLOCK = 256


def to_words(sentence: str) -> tuple[str, ...]:
    """The word tokens of a sentence, lower case (what sumy's tokenizer protocol is given)."""
    return tuple(w.lower() for w in _WORD.findall(sentence))


def lexrank(words: Sequence[Sequence[str]]) -> NDArray[np.float64]:
    """LexRank centrality of sentences given as stemmed words: sumy's LexRankSummarizer (tf over
    the sentence's most frequent term, idf log(n / (1 + df)), idf-modified cosine, edges above
    THRESHOLD, power method to EPSILON), computed with matrix products."""
    n = len(words)
    counts = [Counter(w) for w in words]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    vocab = {t: k for k, t in enumerate(sorted(df))}
    idf = np.array([math.log(n / (1 + df[t])) for t in sorted(df)], dtype=np.float64)
    tf = np.zeros((n, len(vocab)), dtype=np.float64)
    for r, c in enumerate(counts):
        top = max(c.values()) if c else 1
        for t, k in c.items():
            tf[r, vocab[t]] = k / top
    weighted = tf * idf
    norms = np.sqrt((weighted**2).sum(axis=1))
    sims = weighted @ weighted.T
    ok = norms > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        sims = np.where(ok[:, None] & ok[None, :], sims / np.outer(norms, norms), 0.0)
    edges = (sims > THRESHOLD).astype(np.float64)
    degrees = edges.sum(axis=1)
    degrees[degrees == 0] = 1
    matrix = edges / degrees[:, None]
    # sumy's power method, step for step
    transposed = matrix.T
    p = np.array([1.0 / n] * n)
    change = 1.0
    while change > EPSILON:
        nxt = np.dot(transposed, p)
        norm = np.linalg.norm(nxt)
        if norm == 0:  # no sentence has a word: all alike (sumy would give NaN)
            break
        nxt /= norm
        change = float(np.linalg.norm(np.subtract(nxt, p)))
        p = nxt
    return np.asarray(p, dtype=np.float64)


def _scaled(raw: NDArray[np.float64]) -> list[float]:
    values = [float(x) for x in raw]
    top = max(values) or 1.0
    return [round(x / top, 6) for x in values]


def _blocks(n: int, size: int) -> list[range]:
    """`n` items in consecutive blocks of nearly equal size, none over `size`."""
    count = max(1, math.ceil(n / size))
    bounds = [round(i * n / count) for i in range(count + 1)]
    return [range(a, b) for a, b in itertools.pairwise(bounds)]


class LexRankExtractive:
    """Picks the k most central sentences (LexRank) and returns them in text order."""

    name = "extractive-lexrank"

    def __init__(self, block: int = BLOCK) -> None:
        self.block = block
        self.ranked = 0  # sentences ranked in graphs so far (tests read it: linear work)

    def _words(self, sentences: Sequence[str], language: str) -> list[list[str]]:
        """Stemmed words of each sentence. NLTK's Arabic stemmer keeps state from one word to
        the next, so each text gets a fresh one and its words are stemmed in text order, never
        from a cache: a text's summary never depends on what was summarised before it."""
        from nltk.stem.snowball import SnowballStemmer

        stem: Callable[[str], str] = SnowballStemmer(_STEMMERS.get(language, "english")).stem
        return [[stem(w.lower()) for w in to_words(s.strip())] for s in sentences]

    def _rank(self, words: Sequence[Sequence[str]]) -> list[float]:
        self.ranked += len(words)
        return _scaled(lexrank(words))

    def scores(self, sentences: Sequence[str], language: str, check: Check = never) -> list[float]:
        """LexRank centrality of each sentence, scaled so the best is 1 (of its block, when the
        text has more than `block` sentences)."""
        if not sentences:
            return []
        words = self._words(sentences, language)
        out: list[float] = []
        for b in _blocks(len(words), self.block):
            check()
            out += self._rank([words[i] for i in b])
        return out

    def select(
        self, sentences: Sequence[str], k: int, language: str, check: Check = never
    ) -> list[tuple[int, float]]:
        """Indices (in text order) and scores of the k sentences to keep; ties: the earlier.
        Over `block` sentences, the k best of each block go on to the next round, until one
        block holds them all."""
        if not sentences or k <= 0:
            return []
        words = self._words(sentences, language)
        alive = list(range(len(sentences)))
        while True:
            check()
            if len(alive) <= self.block:
                scores = self._rank([words[i] for i in alive])
                order = sorted(range(len(alive)), key=lambda n: (-scores[n], n))[:k]
                return [(alive[n], scores[n]) for n in sorted(order)]
            kept = []
            for b in _blocks(len(alive), self.block):
                check()
                scores = self._rank([words[alive[i]] for i in b])
                best = sorted(range(len(b)), key=lambda n: (-scores[n], n))[:k]
                kept += [alive[b[n]] for n in sorted(best)]
            if len(kept) >= len(alive):  # k too large to narrow the field: rank blocks alone
                scores_all = self.scores([sentences[i] for i in alive], language, check)
                order = sorted(range(len(alive)), key=lambda n: (-scores_all[n], n))[:k]
                return [(alive[n], scores_all[n]) for n in sorted(order)]
            alive = kept
