"""Key points: claim groups ranked by how widely they are reported (languages, then outlets, then
articles, then centrality), each represented in the target language when an article in it
carries the claim, translated when a model serves the pair, else kept as written."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dragoman.brief import types as bt
from dragoman.brief.claims import Sent
from dragoman.brief.ingest import Doc, content_hash

MIN_CLAIM_WORDS = 5

# translate(texts, source, target) -> translations, or None when no model serves the pair.
Translate = Callable[[Sequence[str], str, str], Awaitable[list[str] | None]]


async def translate_grouped(
    items: Sequence[tuple[str, str]], target: str, translate: Translate
) -> list[str | None]:
    """Translate (language, text) items into `target`, one call per source language; None where
    no model serves the pair (or the item is already in the target language)."""
    out: list[str | None] = [None] * len(items)
    by_lang: dict[str, list[int]] = defaultdict(list)
    for n, (lang, _) in enumerate(items):
        if lang != target:
            by_lang[lang].append(n)
    for lang, idx in sorted(by_lang.items()):
        result = await translate([items[n][1] for n in idx], lang, target)
        if result is not None:
            for n, text in zip(idx, result, strict=True):
                out[n] = text
    return out


@dataclass(frozen=True)
class Ranked:
    """A claim group with what ranking and rendering need."""

    members: tuple[int, ...]
    languages: tuple[str, ...]
    outlets: int
    articles: int
    reps: tuple[int, ...]  # members long enough to stand for the claim


def rank(
    docs: Sequence[Doc],
    sents: Sequence[Sent],
    vectors: NDArray[np.float32],
    groups: list[list[int]],
) -> list[Ranked]:
    """Groups that can stand as key points, most widely reported first."""
    if not groups:
        return []
    centroid = vectors.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    keyed = []
    for g in groups:
        reps = tuple(i for i in g if len(sents[i].text.split()) >= MIN_CLAIM_WORDS)
        if not reps:
            continue
        langs = tuple(sorted({sents[i].language for i in g}))
        outlets = len({docs[sents[i].doc].article.outlet or docs[sents[i].doc].ids[0] for i in g})
        n_docs = len({sents[i].doc for i in g})
        central = round(float(np.mean([vectors[i] @ centroid for i in g])), 4)
        # First sentences carry the news in this genre.
        lead = round(float(np.mean([1.0 / (1 + sents[i].index) for i in g])), 4)
        key = (
            -len(langs),
            -outlets,
            -n_docs,
            -round(central + 0.05 * lead, 4),
            min(docs[sents[i].doc].key + f"{sents[i].index:05d}" for i in g),
        )
        keyed.append((key, Ranked(tuple(g), langs, outlets, n_docs, reps)))
    keyed.sort(key=lambda r: r[0])
    return [r for _, r in keyed]


def _coverage(r: Ranked, all_langs: Sequence[str]) -> bt.Coverage:
    if r.articles == 1:
        return bt.Coverage.SINGLE_SOURCE
    if len(r.languages) == 1:
        return bt.Coverage.ONE_LANGUAGE
    if len(all_langs) >= 2 and list(r.languages) == list(all_langs):
        return bt.Coverage.ALL_LANGUAGES
    return bt.Coverage.SOME_LANGUAGES


def _figure_note(docs: Sequence[Doc], sents: Sequence[Sent], members: Sequence[int]) -> str:
    """'sources differ on killed: at least 78 (a), 100 (b)' when supporting sentences give
    different (compatible) values for the same counted thing."""
    by_thing: dict[str, set[tuple[str, str, float]]] = defaultdict(set)
    for i in members:
        d = docs[sents[i].doc]
        for f in sents[i].figures:
            by_thing[f.counted].add((f.text, d.article.outlet or d.ids[0], f.value))
    parts = []
    for thing, found in sorted(by_thing.items()):
        if len({v for _, _, v in found}) > 1:
            shown = ", ".join(f"{t} ({o})" for t, o, _ in sorted(found, key=lambda x: (x[2], x[1])))
            parts.append(f"{thing}: {shown}")
    return "sources differ on " + "; ".join(parts) if parts else ""


async def key_points(
    docs: Sequence[Doc],
    sents: Sequence[Sent],
    vectors: NDArray[np.float32],
    ranked: Sequence[Ranked],
    target: str,
    translate: Translate,
    notes: list[str],
) -> list[bt.KeyPoint]:
    """The chosen groups as key points in the target language where possible."""
    all_langs = sorted({d.language for d in docs})
    texts: list[tuple[str, str, str]] = []  # text, rendering, language
    pending: list[tuple[str, str]] = []
    pending_at: list[int] = []
    for n, r in enumerate(ranked):
        in_target = [i for i in r.reps if sents[i].language == target]
        pool = in_target or list(r.reps)
        cvec = vectors[list(r.members)].mean(axis=0)
        rep = max(pool, key=lambda i: (round(float(vectors[i] @ cvec), 4), -i))
        texts.append((sents[rep].text, "original", sents[rep].language))
        if not in_target:
            pending.append((sents[rep].language, sents[rep].text))
            pending_at.append(n)
    translated = await translate_grouped(pending, target, translate)
    untranslated = 0
    for n, tr in zip(pending_at, translated, strict=True):
        if tr is None:
            texts[n] = (texts[n][0], "untranslated", texts[n][2])
            untranslated += 1
        else:
            texts[n] = (tr, "translated", target)
    if untranslated:
        notes.append(
            f"{untranslated} key point(s) are kept in their original language "
            f"(marked untranslated): no model translates them into {target!r}; "
            "see `dragoman models list`"
        )
    points = []
    for r, (text, rendering, language) in zip(ranked, texts, strict=True):
        members = sorted(r.members, key=lambda i: (docs[sents[i].doc].ids[0], sents[i].index))
        support = []
        for i in members:
            d = docs[sents[i].doc]
            d.fed.add("key_points")
            support.append(bt.Support(d.ids[0], d.article.outlet, d.language, sents[i].text))
        published = sorted(
            docs[sents[i].doc].article.published
            for i in members
            if docs[sents[i].doc].article.published
        )
        points.append(
            bt.KeyPoint(
                id="k-"
                + content_hash(
                    *sorted(f"{docs[sents[i].doc].key}:{sents[i].index}" for i in members), n=12
                ),
                text=text,
                language=language,
                rendering=rendering,
                support=tuple(support),
                languages=r.languages,
                outlet_count=r.outlets,
                article_count=r.articles,
                coverage=_coverage(r, all_langs),
                entity_ids=tuple(sorted({e for i in members for e in sents[i].entities})),
                first_reported=published[0] if published else "",
                figure_note=_figure_note(docs, sents, members),
            )
        )
    return points
