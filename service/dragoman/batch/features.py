"""Articles of a feed -> what story clustering compares: the mean e5 vector of the title and lead
sentences, and the actors named anywhere in the first sentences (entities joined across
scripts, as the brief finds them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from dragoman.backends.e5_embedder import E5Embedder
from dragoman.batch.cluster import LEAD_SENTENCES, ArticleFeatures
from dragoman.brief.clean import clean_page, clean_title
from dragoman.brief.entities import EntityFinder
from dragoman.brief.ingest import published_date
from dragoman.domain import SUPPORTED_LANGUAGES, Article
from dragoman.languages import LanguageDetector
from dragoman.text import split_sentences

ACTOR_SENTENCES = 30  # sentences read for actors: the lead names a story's actors
EMBED_CALL = 256  # sentences per embedding call (the caller is checked between calls)


def _checked(n: int, check: Callable[[], None]) -> Iterator[int]:
    for i in range(0, n, EMBED_CALL):
        check()
        yield i


def features(
    articles: Sequence[Article],
    embedder: E5Embedder,
    detector: LanguageDetector,
    entities: EntityFinder,
    check: Callable[[], None] = lambda: None,
) -> list[ArticleFeatures]:
    """One ArticleFeatures per article, in order. Articles in unsupported languages get a
    vector of their text all the same (e5 is multilingual) and no actors."""
    leads: list[list[str]] = []
    langs: list[str] = []
    for a in articles:
        check()
        text = clean_page(a.text)
        lang = a.language or detector.detect(text).language
        sentences = [s.text for s in split_sentences(text, lang)][:ACTOR_SENTENCES]
        title = clean_title(a.title)
        if title and sentences and sentences[0].startswith(title):
            sentences = sentences[1:]
        leads.append(([title] if title else []) + sentences)
        langs.append(lang)
    # Entities over the whole feed at once, so names join across languages and scripts: in a
    # thread, beside the embeddings (NER and e5 each keep one core busy).
    by_lang: dict[str, list[str]] = {}
    where: list[tuple[str, int, int]] = []  # article -> (language, first sentence, count)
    for lead, lang in zip(leads, langs, strict=True):
        if lang not in SUPPORTED_LANGUAGES:
            where.append((lang, 0, 0))
            continue
        pool = by_lang.setdefault(lang, [])
        where.append((lang, len(pool), len(lead)))
        pool.extend(lead)
    check()
    with ThreadPoolExecutor(1, thread_name_prefix="features-ner") as pool_:
        finding = pool_.submit(entities.find, by_lang, check=check) if by_lang else None
        # the title and lead of every article in few large calls, then one mean per article
        texts = [t for lead in leads for t in (lead[: LEAD_SENTENCES + 1] or [" "])]
        rows = (
            np.concatenate(
                [embedder.embed(texts[i : i + EMBED_CALL]) for i in _checked(len(texts), check)]
            )
            if texts
            else np.zeros((0, embedder.dim), dtype=np.float32)
        )
        found = finding.result() if finding is not None else {}
    vectors = []
    at = 0
    for lead in leads:
        n = len(lead[: LEAD_SENTENCES + 1] or [" "])
        mean = rows[at : at + n].mean(axis=0)
        at += n
        vectors.append((mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32))
    out = []
    for a, vec, (lang, start, count) in zip(articles, vectors, where, strict=True):
        mentions = found.get(lang, [])[start : start + count]
        actors = frozenset(m.entity_id for row in mentions for m in row)
        out.append(ArticleFeatures(a.id, vec, actors, published_date(a.published)))
    return out
