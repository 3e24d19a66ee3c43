"""Extractive summariser: sumy's LexRank over our own sentence split and word tokenizer (sumy's
default needs NLTK data no registry ships), with NLTK's Snowball stemmers for ru/ar/en.

Chosen over an e5 centroid + MMR selector, TextRank, LSA and lead-3 by `python -m bench.summarizers`
(README, Benchmarks): as central and as little redundant as the best, the same picks for the ru,
ar and en versions of one article, and a millisecond per article.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

_STEMMERS = {"ru": "russian", "ar": "arabic", "en": "english"}
_WORD = re.compile(r"\w+")


class _Tokenizer:
    """sumy's word tokenizer protocol (sentences come from sentencex)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(w.lower() for w in _WORD.findall(sentence))


class LexRankExtractive:
    """Picks the k most central sentences (LexRank) and returns them in text order."""

    name = "extractive-lexrank"

    def __init__(self) -> None:
        self._summarizers: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _summarizer(self, language: str) -> Any:
        with self._lock:
            if language not in self._summarizers:
                from nltk.stem.snowball import SnowballStemmer
                from sumy.summarizers.lex_rank import LexRankSummarizer

                stem = SnowballStemmer(_STEMMERS.get(language, "english")).stem
                self._summarizers[language] = LexRankSummarizer(stem)
            return self._summarizers[language]

    def scores(self, sentences: Sequence[str], language: str) -> list[float]:
        """LexRank centrality of each sentence, scaled so the best is 1."""
        if not sentences:
            return []
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

        # Built directly: sumy's parser would re-split what sentencex already split.
        tokenizer = _Tokenizer(language)
        doc = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
        lex = self._summarizer(language)
        words = [lex._to_words_set(s) for s in doc.sentences]
        tf = lex._compute_tf(words)
        idf = lex._compute_idf(words)
        matrix = lex._create_matrix(words, lex.threshold, tf, idf)
        raw = [float(x) for x in lex.power_method(matrix, lex.epsilon)]
        top = max(raw) or 1.0
        return [round(x / top, 6) for x in raw]

    def select(self, sentences: Sequence[str], k: int, language: str) -> list[tuple[int, float]]:
        """Indices (in text order) and scores of the k sentences to keep; ties: the earlier."""
        if not sentences or k <= 0:
            return []
        scores = self.scores(sentences, language)
        best = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))[:k]
        return [(i, scores[i]) for i in sorted(best)]
