"""The brief pipeline: ingest -> detect -> split -> embed -> entities -> quotes -> claims ->
figures/dates -> summary -> brief. Deterministic: inputs are ordered by content hash, every tie is
broken by a stable key and scores are rounded before they are compared."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from service.backends.e5_embedder import E5Embedder
from service.brief import types as bt
from service.brief.clean import clean_page
from service.brief.dates import find_dates
from service.brief.entities import EntityFinder, Mention
from service.brief.figures import FoundFigure, find_figures
from service.brief.quotes import find_quotes
from service.domain import SUPPORTED_LANGUAGES, Article
from service.errors import InvalidInput
from service.languages import UNDETERMINED, LanguageDetector, normalize_code
from service.text import check_text, split_sentences

log = logging.getLogger(__name__)

PIPELINE_VERSION = "dragoman-brief/1.0"
DEFAULT_KEY_POINTS = 8
MAX_KEY_POINTS = 50
# Two sentences of different articles state the same claim when their score reaches this. The
# score is the e5 cosine plus small bonuses for shared entities and shared numbers; tuned on the
# ceasefire fixtures (same-claim pairs 0.86-0.95 across ru/ar/en, different claims of the same
# story up to ~0.88) - see README "How the brief is made".
CLAIM_THRESHOLD = 0.895
ENTITY_BONUS = 0.04
NUMBER_BONUS = 0.03
MIN_CLAIM_WORDS = 5
SUMMARY_POINTS = 3
EMBED_STEP = 256  # sentences embedded between checks that the caller is still there

# translate(texts, source, target) -> translations, or None when no model serves the pair.
Translate = Callable[[Sequence[str], str, str], Awaitable[list[str] | None]]


@dataclass
class _Doc:
    """One distinct input article while it is being processed."""

    article: Article
    ids: list[str]  # the article's id first, then its duplicates'
    text: str
    language: str
    confidence: float
    key: str
    sentences: list[str] = field(default_factory=list)
    mentions: list[list[Mention]] = field(default_factory=list)
    fed: set[str] = field(default_factory=set)


class _Abandoned(Exception):
    """The caller is gone; stop analysing."""


@dataclass
class _Draft:
    """A key point's text while translations come in."""

    text: str
    rendering: str  # original | translated | untranslated
    language: str


@dataclass(frozen=True)
class _Sent:
    doc: int
    index: int
    text: str
    language: str
    figures: tuple[FoundFigure, ...]  # found once; used for claims and for the figures list


def _hash(*parts: str, n: int = 16) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\x00")
    return h.hexdigest()[:n]


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

    # -- 1. ingest ------------------------------------------------------------------------------
    def _ingest(
        self, articles: Sequence[Article], notes: list[str]
    ) -> tuple[list[_Doc], list[_Doc]]:
        if not articles:
            raise InvalidInput(f"articles is empty; send 1 to {self.max_articles} articles")
        if len(articles) > self.max_articles:
            raise InvalidInput(
                f"articles has {len(articles)} items; the maximum is "
                f"{self.max_articles}: split the story into several briefs"
            )
        seen_ids: dict[str, int] = {}
        by_text: dict[str, _Doc] = {}
        skipped: list[_Doc] = []
        for i, a in enumerate(articles):
            check_text(a.text, f"articles[{i}].text", self.max_article_chars)
            lang = normalize_code(a.language, f"articles[{i}].language", allow_empty=True)
            text = clean_page(a.text)
            if not text.strip():
                raise InvalidInput(
                    f"articles[{i}].text holds only page furniture (share "
                    "buttons, tag lines...); send the article body"
                )
            aid = a.id or "a-" + _hash(text, a.url, a.title, a.outlet, n=12)
            if aid in seen_ids:
                raise InvalidInput(
                    f"articles[{i}].id {aid!r} repeats articles[{seen_ids[aid]}]"
                    ".id; ids must be unique"
                )
            seen_ids[aid] = i
            article = Article(
                id=aid,
                text=a.text,
                url=a.url,
                title=a.title,
                language=lang,
                outlet=a.outlet,
                published=a.published,
            )
            text_key = _hash(text)
            if text_key in by_text:  # a duplicate: counted once, both ids kept
                by_text[text_key].ids.append(aid)
                continue
            confidence = 1.0
            if not lang:
                det = self.detector.detect(text)
                lang, confidence = det.language, det.confidence
            doc = _Doc(
                article, [aid], text, lang, confidence, _hash(text, a.title, a.outlet, a.url)
            )
            if lang not in SUPPORTED_LANGUAGES:
                what = "could not be identified" if lang == UNDETERMINED else f"is in {lang!r}"
                notes.append(
                    f"article {aid} {what}; only {', '.join(SUPPORTED_LANGUAGES)} "
                    "articles are analysed, so it is listed in sources but fed nothing"
                )
                skipped.append(doc)
                continue
            by_text[text_key] = doc
        docs = sorted(by_text.values(), key=lambda d: d.key)
        for d in docs:
            primary = min(d.ids)  # the same primary id whatever the input order
            d.ids = [primary, *sorted(x for x in d.ids if x != primary)]
            if len(d.ids) > 1:
                notes.append(f"articles {', '.join(d.ids)} have the same text; counted once")
        return docs, sorted(skipped, key=lambda d: d.key)

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
        docs, skipped = self._ingest(job.articles, notes)
        used_models: dict[str, bt.ModelRef] = {m.name: m for m in models}

        # The CPU-heavy part (NER, embeddings, clustering) runs off the event loop.
        stop = threading.Event()
        try:
            sents, vectors, clusters = await asyncio.to_thread(self._analyse, docs, stop)
        except asyncio.CancelledError:
            stop.set()  # the caller left (cancelled, deadline): the thread stops at its next step
            raise
        single_story = len(docs) < 2 or any(len({sents[i].doc for i in c}) >= 2 for c in clusters)
        if not single_story:
            notes.append(
                "the articles share no claim: they do not appear to cover one story, "
                "so no links between them are drawn"
            )

        entities = self._entities(docs)
        key_points = await self._key_points(
            docs, sents, vectors, clusters, target, max_points, translate, used_models, notes
        )
        quotes = await self._quotes(docs, target, translate)
        figures, conflicts = self._figures(docs, sents, clusters)
        dates = self._dates(docs)
        # The summary speaks the target language: its top key points rendered in it; only when
        # none is (no model, no article in that language) the top ones as written, with a note.
        in_target = [k for k in key_points if k.language == target]
        summary_points = (in_target or key_points)[:SUMMARY_POINTS]
        if key_points and not in_target:
            notes.append(
                f"the summary is not in {target!r}: no article is in it and no model "
                "translates into it"
            )
        summary = " ".join(k.text for k in summary_points)
        by_id = {d.ids[0]: d for d in docs}
        for k in summary_points:
            for s in k.support:
                by_id[s.article_id].fed.add("summary")
        headline = self._headline(docs, key_points, target)
        sources = [self._source(d) for d in docs] + [self._source(d) for d in skipped]
        sources.sort(key=lambda s: s.article_id)
        brief_id = "b-" + _hash(
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
            key_points=tuple(key_points),
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
        )

    def claim_groups(self, articles: Sequence[Article]) -> list[list[tuple[str, str]]]:
        """The claim clusters of some articles as (article id, sentence) lists - every cluster,
        not only the ranked key points (for the quality harness)."""
        docs, _ = self._ingest(articles, [])
        sents, _, clusters = self._analyse(docs, threading.Event())
        return [[(docs[sents[i].doc].ids[0], sents[i].text) for i in c] for c in clusters]

    def _analyse(
        self, docs: list[_Doc], stop: threading.Event
    ) -> tuple[list[_Sent], np.ndarray, list[list[int]]]:
        """Split, find entities, embed and cluster (blocking; gives up when `stop` is set)."""

        def check() -> None:
            if stop.is_set():
                raise _Abandoned

        sents: list[_Sent] = []
        for n, d in enumerate(docs):
            d.sentences = [s.text for s in split_sentences(d.text, d.language)]
            sents.extend(
                _Sent(n, i, s, d.language, tuple(find_figures(s, d.language)))
                for i, s in enumerate(d.sentences)
            )
        for lang in SUPPORTED_LANGUAGES:
            group = [d for d in docs if d.language == lang]
            flat = [s for d in group for s in d.sentences]
            check()
            found = self.entities.mentions(flat, lang) if flat else []
            pos = 0
            for d in group:
                d.mentions = found[pos : pos + len(d.sentences)]
                pos += len(d.sentences)

        parts = []
        for start in range(0, len(sents), EMBED_STEP):
            check()
            parts.append(self.embedder.embed([s.text for s in sents[start : start + EMBED_STEP]]))
        vectors = np.concatenate(parts) if parts else self.embedder.embed([])
        check()
        clusters = self._claims(docs, sents, vectors)
        return sents, vectors, clusters

    # -- claims ----------------------------------------------------------------------------------
    def _claims(self, docs: list[_Doc], sents: list[_Sent], vectors: np.ndarray) -> list[list[int]]:
        """Clusters of sentence indices; at most one sentence per article in a cluster."""
        if not sents:
            return []
        eids = [frozenset(m.entity_id for m in docs[s.doc].mentions[s.index]) for s in sents]
        nums = [frozenset(f.value for f in s.figures) for s in sents]
        sim = vectors @ vectors.T
        doc_of = np.array([s.doc for s in sents])
        # Only pairs that the bonuses could lift over the threshold, from different articles.
        reachable = sim >= CLAIM_THRESHOLD - ENTITY_BONUS - NUMBER_BONUS - 0.001
        reachable &= doc_of[:, None] != doc_of[None, :]
        edges: list[tuple[float, int, int]] = []
        for i, j in np.argwhere(np.triu(reachable, 1)).tolist():
            score = float(sim[i, j])
            union = eids[i] | eids[j]
            if union:
                score += ENTITY_BONUS * len(eids[i] & eids[j]) / len(union)
            if nums[i] & nums[j]:
                score += NUMBER_BONUS
            score = round(score, 4)
            if score >= CLAIM_THRESHOLD:
                edges.append((score, i, j))
        edges.sort(key=lambda e: (-e[0], e[1], e[2]))
        parent = list(range(len(sents)))
        members: dict[int, set[int]] = {i: {i} for i in range(len(sents))}
        docs_of: dict[int, set[int]] = {i: {sents[i].doc} for i in range(len(sents))}

        def root(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for _, i, j in edges:
            a, b = root(i), root(j)
            if a == b or docs_of[a] & docs_of[b]:
                continue
            a, b = min(a, b), max(a, b)
            parent[b] = a
            members[a] |= members.pop(b)
            docs_of[a] |= docs_of.pop(b)
        return [sorted(m) for _, m in sorted(members.items())]

    async def _key_points(
        self,
        docs: list[_Doc],
        sents: list[_Sent],
        vectors: np.ndarray,
        clusters: list[list[int]],
        target: str,
        max_points: int,
        translate: Translate,
        used: dict[str, bt.ModelRef],
        notes: list[str],
    ) -> list[bt.KeyPoint]:
        if not clusters:
            return []
        centroid = vectors.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        all_langs = sorted({d.language for d in docs})
        ranked = []
        for c in clusters:
            rep_candidates = [i for i in c if len(sents[i].text.split()) >= MIN_CLAIM_WORDS]
            if not rep_candidates:
                continue
            n_docs = len({sents[i].doc for i in c})
            langs = sorted({sents[i].language for i in c})
            central = round(float(np.mean([vectors[i] @ centroid for i in c])), 4)
            # First sentences carry the news in this genre.
            lead = round(float(np.mean([1.0 / (1 + sents[i].index) for i in c])), 4)
            ranked.append(
                (
                    (
                        -n_docs,
                        -len(langs),
                        -round(central + 0.05 * lead, 4),
                        min(docs[sents[i].doc].key + f"{sents[i].index:05d}" for i in c),
                    ),
                    c,
                    langs,
                    rep_candidates,
                )
            )
        ranked.sort(key=lambda r: r[0])
        chosen = ranked[:max_points]
        points: list[bt.KeyPoint] = []
        pending: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        drafts: list[_Draft] = []
        for n, (_, c, _langs, reps) in enumerate(chosen):
            in_target = [i for i in reps if sents[i].language == target]
            pool = in_target or reps
            cvec = vectors[c].mean(axis=0)
            rep = max(pool, key=lambda i: (round(float(vectors[i] @ cvec), 4), -i))
            if not in_target:
                pending[(sents[rep].language, target)].append((n, sents[rep].text))
            drafts.append(_Draft(sents[rep].text, "original", sents[rep].language))
        untranslated = 0
        for (src, tgt), items in sorted(pending.items()):
            out = await translate([t for _, t in items], src, tgt)
            outputs: list[str | None] = list(out) if out is not None else [None] * len(items)
            for (n, _), tr in zip(items, outputs, strict=True):
                if tr is None:
                    drafts[n].rendering = "untranslated"
                    untranslated += 1
                else:
                    drafts[n] = _Draft(tr, "translated", tgt)
        if untranslated:
            notes.append(
                f"{untranslated} key point(s) are kept in their original language "
                f"(marked untranslated): no model translates them into {target!r}; "
                "see `dragoman models list`"
            )
        for (_, c, langs, _), draft in zip(chosen, drafts, strict=True):
            support = []
            for i in sorted(c, key=lambda i: (docs[sents[i].doc].ids[0], sents[i].index)):
                d = docs[sents[i].doc]
                d.fed.add("key_points")
                support.append(bt.Support(d.ids[0], d.article.outlet, d.language, sents[i].text))
            outlets = {docs[sents[i].doc].article.outlet or docs[sents[i].doc].ids[0] for i in c}
            n_docs = len({sents[i].doc for i in c})
            if n_docs == 1:
                coverage = bt.Coverage.SINGLE_SOURCE
            elif len(langs) == 1:
                coverage = bt.Coverage.ONE_LANGUAGE
            elif len(all_langs) >= 2 and langs == all_langs:
                coverage = bt.Coverage.ALL_LANGUAGES
            else:
                coverage = bt.Coverage.SOME_LANGUAGES
            entity_ids = sorted(
                {m.entity_id for i in c for m in docs[sents[i].doc].mentions[sents[i].index]}
            )
            points.append(
                bt.KeyPoint(
                    id="k-"
                    + _hash(*sorted(f"{docs[sents[i].doc].key}:{sents[i].index}" for i in c), n=12),
                    text=draft.text,
                    language=draft.language,
                    rendering=draft.rendering,
                    support=tuple(support),
                    languages=tuple(langs),
                    outlet_count=len(outlets),
                    article_count=n_docs,
                    coverage=coverage,
                    entity_ids=tuple(entity_ids),
                )
            )
        return points

    # -- entities -------------------------------------------------------------------------------
    def _entities(self, docs: list[_Doc]) -> list[bt.Entity]:
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
    async def _quotes(self, docs: list[_Doc], target: str, translate: Translate) -> list[bt.Quote]:
        found = []
        for d in docs:
            for q in find_quotes(d.sentences, d.mentions, d.language):
                found.append((d, q))
        translations: dict[int, str] = {}
        by_lang: dict[str, list[int]] = defaultdict(list)
        for n, (d, _) in enumerate(found):
            if d.language != target:
                by_lang[d.language].append(n)
        for lang, idx in sorted(by_lang.items()):
            out = await translate([found[n][1].text for n in idx], lang, target)
            if out is not None:
                translations.update(zip(idx, out, strict=True))
        quotes = []
        for n, (d, q) in enumerate(found):
            d.fed.add("quotes")
            quotes.append(
                bt.Quote(
                    id="q-" + _hash(d.key, str(q.sentence_index), q.text, n=12),
                    speaker_entity_id=q.speaker.entity_id if q.speaker else "",
                    speaker=q.speaker.name if q.speaker else "",
                    text=q.text,
                    language=d.language,
                    translation=translations.get(n, ""),
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

    # -- figures and dates ----------------------------------------------------------------------
    def _figures(
        self, docs: list[_Doc], sents: list[_Sent], clusters: list[list[int]]
    ) -> tuple[list[bt.Figure], list[bt.FigureConflict]]:
        figures: list[bt.Figure] = []
        cluster_of = {i: n for n, c in enumerate(clusters) for i in c}
        grouped: dict[tuple[str, str], list[bt.Figure]] = defaultdict(list)
        for k, s in enumerate(sents):
            d = docs[s.doc]
            for f in s.figures:
                fig = bt.Figure(f.value, f.text, f.counted, d.ids[0], s.language, s.text)
                figures.append(fig)
                d.fed.add("figures")
                # Casualty counts of one story are compared story-wide; other counts only inside
                # one claim (two "days" figures of different claims are not a conflict).
                scope = (
                    "story"
                    if f.counted.endswith(("killed", "wounded"))
                    else str(cluster_of.get(k, -1))
                )
                grouped[(scope, f.counted)].append(fig)
        conflicts = []
        for (_, counted), figs in sorted(grouped.items()):
            values = {f.value for f in figs}
            if len(values) > 1 and len({f.article_id for f in figs}) > 1:
                conflicts.append(
                    bt.FigureConflict(
                        counted, tuple(sorted(figs, key=lambda f: (f.value, f.article_id, f.text)))
                    )
                )
        figures.sort(key=lambda f: (f.counted, f.value, f.article_id, f.text))
        return figures, conflicts

    def _dates(self, docs: list[_Doc]) -> list[bt.DateMention]:
        out = []
        seen = set()
        for d in docs:
            for s in d.sentences:
                for found in find_dates(s, d.language):
                    key = (found.text, d.ids[0])
                    if key in seen:
                        continue
                    seen.add(key)
                    d.fed.add("dates")
                    out.append(
                        bt.DateMention(found.text, d.language, found.iso, found.relative, d.ids[0])
                    )
        out.sort(key=lambda x: (x.relative, x.iso_date, x.article_id, x.text))
        return out

    # -- headline and sources -------------------------------------------------------------------
    def _headline(self, docs: list[_Doc], points: list[bt.KeyPoint], target: str) -> str:
        if points:
            top = points[0]
            supporting = {s.article_id for s in top.support}
            titled = [
                d
                for d in docs
                if d.ids[0] in supporting and d.language == target and d.article.title.strip()
            ]
            if titled:
                return min(titled, key=lambda d: d.key).article.title.strip()
            return _shorten(top.text)
        titled = [d for d in docs if d.language == target and d.article.title.strip()]
        return min(titled, key=lambda d: d.key).article.title.strip() if titled else ""

    def _source(self, d: _Doc) -> bt.Source:
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


def _shorten(text: str, words: int = 16) -> str:
    parts = text.split()
    return text if len(parts) <= words else " ".join(parts[:words]) + " …"
