"""The brief pipeline, a thin orchestrator over its stages: ingest (clean, detect, fold duplicates)
-> split -> embed -> entities -> claims -> key points -> quotes -> figures -> dates/timeline ->
summary -> brief. Deterministic: inputs are ordered by content hash, every tie is broken by a
stable key and scores are rounded before they are compared."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from service.backends.e5_embedder import E5Embedder
from service.brief import claims
from service.brief import types as bt
from service.brief.clean import clean_title
from service.brief.dates import find_dates
from service.brief.entities import EntityFinder
from service.brief.figures import MEASURES, FoundFigure, find_figures
from service.brief.ingest import Doc, content_hash, ingest
from service.brief.keypoints import Ranked, Translate, key_points, rank, translate_grouped
from service.brief.quotes import find_quotes
from service.domain import SUPPORTED_LANGUAGES, Article
from service.errors import InvalidInput
from service.languages import LanguageDetector, normalize_code
from service.text import split_sentences

log = logging.getLogger(__name__)

PIPELINE_VERSION = "dragoman-brief/2.0"
DEFAULT_KEY_POINTS = 8
MAX_KEY_POINTS = 50
SUMMARY_POINTS = 3
EMBED_STEP = 256  # sentences embedded between checks that the caller is still there
_TERMINAL = re.compile(r"[.!?…؟。»\"”)]\s*$")

__all__ = ["PIPELINE_VERSION", "BriefBuilder", "Translate"]


class _Abandoned(Exception):
    """The caller is gone; stop analysing."""


@dataclass
class Analysis:
    """What the blocking part of the pipeline produced."""

    docs: list[Doc]
    sents: list[claims.Sent]
    vectors: NDArray[np.float32]
    groups: list[list[int]]


class BriefBuilder:
    """Builds briefs; holds the loaded embedded models (embeddings, NER, language id)."""

    def __init__(
        self,
        embedder: E5Embedder,
        entities: EntityFinder,
        detector: LanguageDetector,
        *,
        max_articles: int,
        max_article_chars: int,
    ) -> None:
        self.embedder = embedder
        self.entities = entities
        self.detector = detector
        self.max_articles = max_articles
        self.max_article_chars = max_article_chars

    def ingest(self, articles: Sequence[Article], notes: list[str]) -> tuple[list[Doc], list[Doc]]:
        return ingest(
            articles,
            self.detector,
            notes,
            max_articles=self.max_articles,
            max_article_chars=self.max_article_chars,
        )

    def claim_groups(
        self, articles: Sequence[Article], story: bt.Gazetteer | None = None
    ) -> list[list[tuple[str, str]]]:
        """The claim groups of some articles as (article id, sentence) lists - every group, not
        only the ranked key points (for the quality harness)."""
        docs, _ = self.ingest(articles, [])
        a = self.analyse(docs, threading.Event(), story)
        return [[(docs[a.sents[i].doc].ids[0], a.sents[i].text) for i in g] for g in a.groups]

    # -- the whole pipeline ----------------------------------------------------------------------
    async def build(
        self, job: bt.BriefJob, translate: Translate, models: Sequence[bt.ModelRef]
    ) -> bt.Brief:
        target = normalize_code(job.target_language, "target_language", allow_empty=True) or "en"
        if job.max_key_points > MAX_KEY_POINTS:
            raise InvalidInput(
                f"max_key_points is {job.max_key_points}; use 0 (default "
                f"{DEFAULT_KEY_POINTS}) to {MAX_KEY_POINTS}"
            )
        max_points = job.max_key_points or DEFAULT_KEY_POINTS
        notes: list[str] = []
        docs, skipped = self.ingest(job.articles, notes)
        used_models: dict[str, bt.ModelRef] = {m.name: m for m in models}

        # The CPU-heavy part (NER, embeddings, claims) runs off the event loop.
        stop = threading.Event()
        try:
            a = await asyncio.to_thread(self.analyse, docs, stop, job.gazetteer)
        except asyncio.CancelledError:
            stop.set()  # the caller left (cancelled, deadline): the thread stops at its next step
            raise
        sents = a.sents
        single_story = len(docs) < 2 or any(len({sents[i].doc for i in g}) >= 2 for g in a.groups)
        if not single_story:
            notes.append(
                "the articles share no claim: they do not appear to cover one story, "
                "so no links between them are drawn"
            )
        entities = self._entities(docs)
        ranked = rank(docs, sents, a.vectors, a.groups)[:max_points]
        points = await key_points(docs, sents, a.vectors, ranked, target, translate, notes)
        quotes = await self._quotes(docs, target, translate)
        figures, conflicts = self._figures(docs, sents, a.groups)
        dates = self._dates(docs)
        timeline = self._timeline(docs, sents, ranked, points)
        # The summary speaks the target language: its top key points rendered in it; only when
        # none is (no model, no article in that language) the top ones as written, with a note.
        in_target = [k for k in points if k.language == target]
        summary_points = (in_target or points)[:SUMMARY_POINTS]
        if points and not in_target:
            notes.append(
                f"the summary is not in {target!r}: no article is in it and no model "
                "translates into it"
            )
        summary = " ".join(_sentence(k.text) for k in summary_points)
        by_id = {d.ids[0]: d for d in docs}
        for k in summary_points:
            for s in k.support:
                by_id[s.article_id].fed.add("summary")
        headline = self._headline(docs, points, target)
        sources = [self._source(d) for d in docs] + [self._source(d) for d in skipped]
        sources.sort(key=lambda s: s.article_id)
        brief_id = "b-" + content_hash(
            PIPELINE_VERSION,
            target,
            str(max_points),
            *sorted(d.key + "|" + ",".join(d.ids) for d in docs),
            *sorted(d.key for d in skipped),
        )
        return bt.Brief(
            id=brief_id,
            language=target,
            headline=headline,
            summary=summary,
            key_points=tuple(points),
            quotes=tuple(quotes),
            entities=tuple(entities),
            dates=tuple(dates),
            figures=tuple(figures),
            figure_conflicts=tuple(conflicts),
            sources=tuple(sources),
            pipeline_version=PIPELINE_VERSION,
            models=tuple(sorted(used_models.values(), key=lambda m: (m.task, m.name))),
            single_story=single_story,
            notes=tuple(notes),
            timeline=tuple(timeline),
        )

    def analyse(
        self, docs: list[Doc], stop: threading.Event, story: bt.Gazetteer | None = None
    ) -> Analysis:
        """Split, find entities, embed and group claims (blocking; gives up when `stop` is set)."""

        def check() -> None:
            if stop.is_set():
                raise _Abandoned

        for d in docs:
            d.sentences = [s.text for s in split_sentences(d.text, d.language)]
        check()
        by_lang = {
            lang: [s for d in docs if d.language == lang for s in d.sentences]
            for lang in SUPPORTED_LANGUAGES
        }
        outlets = sorted({d.article.outlet for d in docs if d.article.outlet})
        found = self.entities.find(
            {k: v for k, v in by_lang.items() if v}, story=story, outlets=outlets
        )
        for lang in SUPPORTED_LANGUAGES:
            pos = 0
            for d in docs:
                if d.language == lang:
                    d.mentions = found[lang][pos : pos + len(d.sentences)]
                    pos += len(d.sentences)
        sents: list[claims.Sent] = []
        for n, d in enumerate(docs):
            check()
            sents.extend(
                claims.Sent(
                    n,
                    i,
                    s,
                    d.language,
                    tuple(find_figures(s, d.language)),
                    frozenset(m.entity_id for m in d.mentions[i]),
                )
                for i, s in enumerate(d.sentences)
            )
        parts = []
        for start in range(0, len(sents), EMBED_STEP):
            check()
            parts.append(self.embedder.embed([s.text for s in sents[start : start + EMBED_STEP]]))
        vectors = np.concatenate(parts) if parts else self.embedder.embed([])
        groups = claims.cluster(sents, vectors, check)
        return Analysis(docs, sents, vectors, groups)

    # -- entities -------------------------------------------------------------------------------
    def _entities(self, docs: list[Doc]) -> list[bt.Entity]:
        forms: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        count: dict[str, int] = defaultdict(int)
        arts: dict[str, set[str]] = defaultdict(set)
        meta: dict[str, tuple[str, bt.EntityType]] = {}
        for d in docs:
            for sentence_mentions in d.mentions:
                for m in sentence_mentions:
                    forms[m.entity_id][m.language].add(m.surface)
                    count[m.entity_id] += 1
                    arts[m.entity_id].add(d.ids[0])
                    meta.setdefault(m.entity_id, (m.name, m.type))
                    d.fed.add("entities")
        out = []
        for eid in sorted(count, key=lambda e: (-count[e], e)):
            name, etype = meta[eid]
            out.append(
                bt.Entity(
                    id=eid,
                    name=name,
                    type=etype,
                    surface_forms=tuple(
                        bt.SurfaceForms(lang, tuple(sorted(f)))
                        for lang, f in sorted(forms[eid].items())
                    ),
                    mention_count=count[eid],
                    article_ids=tuple(sorted(arts[eid])),
                )
            )
        return out

    # -- quotes ---------------------------------------------------------------------------------
    async def _quotes(self, docs: list[Doc], target: str, translate: Translate) -> list[bt.Quote]:
        found = [(d, q) for d in docs for q in find_quotes(d.sentences, d.mentions, d.language)]
        translations = await translate_grouped(
            [(d.language, q.text) for d, q in found], target, translate
        )
        quotes = []
        for (d, q), tr in zip(found, translations, strict=True):
            d.fed.add("quotes")
            quotes.append(
                bt.Quote(
                    id="q-" + content_hash(d.key, str(q.sentence_index), q.text, n=12),
                    speaker_entity_id=q.speaker.entity_id if q.speaker else "",
                    speaker=q.speaker.name if q.speaker else "",
                    text=q.text,
                    language=d.language,
                    translation=tr or "",
                    kind=q.kind,
                    article_id=d.ids[0],
                )
            )
        quotes.sort(
            key=lambda q: (
                q.kind,
                q.speaker_entity_id == "",
                q.speaker_entity_id,
                q.article_id,
                q.id,
            )
        )
        return quotes

    # -- figures, dates, timeline ---------------------------------------------------------------
    def _figures(
        self, docs: list[Doc], sents: list[claims.Sent], groups: list[list[int]]
    ) -> tuple[list[bt.Figure], list[bt.FigureConflict]]:
        """Every figure; a conflict for each counted thing on which articles give incompatible
        values, so a disputed toll is never shown as consensus. Counts (killed, tonnes...) are
        compared story-wide; measures (km, days...) only within one claim, as two distances of
        one story are usually two different distances."""
        group_of = {i: n for n, g in enumerate(groups) for i in g}
        figures: list[bt.Figure] = []
        found: dict[tuple[str, int], list[tuple[bt.Figure, FoundFigure]]] = defaultdict(list)
        for k, s in enumerate(sents):
            d = docs[s.doc]
            for f in s.figures:
                fig = bt.Figure(f.value, f.text, f.counted, d.ids[0], s.language, s.text, f.bound)
                figures.append(fig)
                scope = group_of.get(k, -1) if f.counted in MEASURES else -1
                found[(f.counted, scope)].append((fig, f))
                d.fed.add("figures")
        conflicts = []
        for (counted, _), items in sorted(found.items()):
            clash: set[int] = set()
            for x in range(len(items)):
                for y in range(x + 1, len(items)):
                    (fa, ra), (fb, rb) = items[x], items[y]
                    if fa.article_id != fb.article_id and claims.figures_conflict([ra], [rb]):
                        clash |= {x, y}
            if clash:
                figs = sorted(
                    {items[k][0] for k in clash}, key=lambda f: (f.value, f.article_id, f.text)
                )
                conflicts.append(bt.FigureConflict(counted, tuple(figs)))
        figures.sort(key=lambda f: (f.counted, f.value, f.article_id, f.text))
        return figures, conflicts

    def _dates(self, docs: list[Doc]) -> list[bt.DateMention]:
        out = []
        seen = set()
        for d in docs:
            for s in d.sentences:
                for found in find_dates(s, d.language, d.published):
                    key = (found.text, d.ids[0])
                    if key in seen:
                        continue
                    seen.add(key)
                    d.fed.add("dates")
                    out.append(
                        bt.DateMention(
                            found.text,
                            d.language,
                            found.iso,
                            found.relative,
                            d.ids[0],
                            found.resolution,
                        )
                    )
        out.sort(key=lambda x: (x.relative, x.iso_date, x.article_id, x.text))
        return out

    def _timeline(
        self,
        docs: list[Doc],
        sents: list[claims.Sent],
        ranked: Sequence[Ranked],
        points: Sequence[bt.KeyPoint],
    ) -> list[bt.TimelineEvent]:
        """Each key point on the full date its supporting sentences give most often (ties: the
        earliest), oldest first."""
        events = []
        for r, k in zip(ranked, points, strict=True):
            seen: list[tuple[str, str, str, str]] = []
            for i in r.members:
                d = docs[sents[i].doc]
                for f in find_dates(sents[i].text, d.language, d.published):
                    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", f.iso):
                        seen.append((f.iso, f.text, f.resolution, d.ids[0]))
            if not seen:
                continue
            counts = Counter(iso for iso, _, _, _ in seen)
            best = min(counts, key=lambda iso: (-counts[iso], iso))
            iso, text, how, aid = min(x for x in seen if x[0] == best)
            events.append(bt.TimelineEvent(iso, k.text, k.id, text, how, aid))
        events.sort(key=lambda e: (e.date, e.key_point_id))
        return events

    # -- headline and sources -------------------------------------------------------------------
    def _headline(self, docs: list[Doc], points: list[bt.KeyPoint], target: str) -> str:
        """A title of a target-language article (one that carries the top claims first), else
        the top key point in the target language, else the top key point."""
        titled = [d for d in docs if d.language == target and clean_title(d.article.title)]
        if titled:
            weight: Counter[str] = Counter()
            for n, k in enumerate(points):
                for s in k.support:
                    weight[s.article_id] += len(points) - n
            best = min(titled, key=lambda d: (-weight[d.ids[0]], d.key))
            return clean_title(best.article.title)
        in_target = [k for k in points if k.language == target]
        top = (in_target or points)[:1]
        return _shorten(top[0].text) if top else ""

    def _source(self, d: Doc) -> bt.Source:
        a = d.article
        return bt.Source(
            d.ids[0],
            tuple(d.ids[1:]),
            a.url,
            a.title,
            a.outlet,
            d.language,
            round(d.confidence, 4),
            a.published,
            tuple(sorted(d.fed)),
        )


def _sentence(text: str) -> str:
    """A key point as a sentence of the summary: it ends with its punctuation."""
    text = text.strip()
    return text if _TERMINAL.search(text) else text + "."


def _shorten(text: str, words: int = 16) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"
