"""Which extractive summariser the brief uses: e5 centroid + MMR (ours) vs sumy LexRank / TextRank /
LSA (with our own sentence and word tokenizer, since sumy's needs NLTK data) vs a lead-3 baseline.

    .venv/bin/python -m bench.summarizers

No reference summaries exist for our fixtures, so the judgement is what a brief needs:
  * central: the share of picked sentences that state a claim at least two *other* articles also
    report (the claim clusters of the brief pipeline over all fixture articles) - a summary
    should carry the story's shared facts, not a side remark;
  * redundancy: the mean of the highest e5 similarity between two picked sentences (lower is
    better: three sentences saying one thing waste the summary);
  * consistency: the ru, ar and en versions of one article (tests/fixtures/parallel, sentence
    for sentence translations) should give the same summary: the mean Jaccard overlap of the
    sentence positions each version picks (1.0 = the same sentences in every language);
  * ms per article.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.brief import ROOT, examples
from dragoman.backends.e5_embedder import E5Embedder
from dragoman.brief import types as bt
from dragoman.config import Settings
from dragoman.engine import Engine
from dragoman.text import split_sentences

K = 3
LEAD_WEIGHT = 0.15
MMR_LAMBDA = 0.7


class CentroidMMR:
    """The e5 alternative: centroid similarity + lead bonus, re-ranked by MMR."""

    def __init__(self, embedder: E5Embedder) -> None:
        self._embedder = embedder

    def select(self, sentences: list[str], k: int) -> list[int]:
        vecs = self._embedder.embed(sentences)
        centroid = vecs.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        lead = np.array([1.0 / (1 + i) for i in range(len(sentences))])
        scores = (1 - LEAD_WEIGHT) * (vecs @ centroid) + LEAD_WEIGHT * lead
        chosen: list[int] = []
        candidates = list(range(len(sentences)))
        while candidates and len(chosen) < k:

            def mmr(i: int) -> tuple[float, int]:
                redundancy = max((float(vecs[i] @ vecs[j]) for j in chosen), default=0.0)
                return (round(MMR_LAMBDA * float(scores[i]) - (1 - MMR_LAMBDA) * redundancy, 6), -i)

            best = max(candidates, key=mmr)
            chosen.append(best)
            candidates.remove(best)
        return sorted(chosen)


class _Tokenizer:
    """sumy's tokenizer protocol, with sentencex sentences and regex words (no NLTK)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, text: str) -> tuple[str, ...]:
        return tuple(s.text for s in split_sentences(text, self.language))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(w.lower() for w in re.findall(r"\w+", sentence))


def sumy_pick(kind: str, stem: bool = False) -> Callable[[list[str], str], list[int]]:
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    cls: Any = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer}[
        kind
    ]

    def pick(sentences: list[str], lang: str) -> list[int]:
        parser = PlaintextParser.from_string("\n".join(sentences), _Tokenizer(lang))
        if stem:
            from nltk.stem.snowball import SnowballStemmer

            names = {"ru": "russian", "ar": "arabic", "en": "english"}
            summarizer = cls(SnowballStemmer(names[lang]).stem)
        else:
            summarizer = cls()
        chosen = {str(s) for s in summarizer(parser.document, K)}
        return [i for i, s in enumerate(sentences) if s in chosen][:K]

    return pick


def main() -> None:
    engine = Engine(
        Settings(
            models_dir=ROOT / "bench" / ".cache" / "no-models",
            manifest=ROOT / "models" / "manifest.toml",
        )
    )
    engine.load()
    articles = examples()
    brief = asyncio.run(engine.brief(bt.BriefJob(tuple(articles), "en", 50)))
    # sentence -> number of other articles carrying the same claim
    shared: dict[str, int] = {}
    for k in brief.key_points:
        for s in k.support:
            shared[s.sentence] = k.article_count - 1
    centroid = CentroidMMR(engine.embedder)
    methods: dict[str, Callable[[list[str], str], list[int]]] = {
        "e5 centroid + MMR + lead": lambda s, _l: centroid.select(s, K),
        "sumy LexRank": sumy_pick("lexrank"),
        "sumy LexRank + Snowball stems (kept)": sumy_pick("lexrank", stem=True),
        "sumy TextRank": sumy_pick("textrank"),
        "sumy LSA": sumy_pick("lsa"),
        "lead-3": lambda s, _l: list(range(min(K, len(s)))),
    }
    docs = []
    for a in articles:
        d = next(src for src in brief.sources if src.article_id == a.id)
        from dragoman.brief.clean import clean_page

        sentences = [s.text for s in split_sentences(clean_page(a.text), d.language)]
        docs.append((sentences, d.language))
    print(f"\n{len(docs)} articles (ru/ar/en), {K} sentences each\n")
    parallel = []
    for lang in ("en", "ru", "ar"):
        a = next(x for x in articles if x.id == f"par-{lang}")
        parallel.append(([s.text for s in split_sentences(a.text, lang)], lang))
    print("| method | central | redundancy | consistency ru/ar/en | ms/article |")
    print("|---|---|---|---|---|")
    for name, pick in methods.items():
        central, redundant, times = [], [], []
        for sentences, lang in docs:
            engine.embedder._cache.clear()  # the e5 selector pays for its embeddings here
            start = time.perf_counter()
            idx = pick(sentences, lang)
            times.append((time.perf_counter() - start) * 1000)
            picked = [sentences[i] for i in idx]
            central.append(np.mean([shared.get(s, 0) >= 2 for s in picked]) if picked else 0)
            vecs = engine.embedder.embed(picked)
            sim = vecs @ vecs.T - np.eye(len(picked)) * 2
            redundant.append(float(sim.max()) if len(picked) > 1 else 0.0)
        picks = [set(pick(sents, lang)) for sents, lang in parallel]
        overlaps = [len(x & y) / len(x | y) for i, x in enumerate(picks) for y in picks[i + 1 :]]
        print(
            f"| {name} | {statistics.mean(central):.2f} | {statistics.mean(redundant):.3f} | "
            f"{statistics.mean(overlaps):.2f} | {statistics.median(times):.1f} |"
        )


if __name__ == "__main__":
    main()
