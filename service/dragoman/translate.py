"""Translation application service: validate, detect, route (pivot), chunk, batch, reassemble."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dragoman.backends.base import Generation, Seq2Seq
from dragoman.cache import Cache, cache_key
from dragoman.domain import SUPPORTED_LANGUAGES, GlossaryTerm, TranslateJob, TranslationResult
from dragoman.errors import InvalidInput, UnsupportedLanguage, shown
from dragoman.languages import UNDETERMINED, LanguageDetector, normalize_code
from dragoman.registry import ManifestEntry, Registry
from dragoman.scheduler import BatchLimits, BatchScheduler
from dragoman.text import Layout, check_text, check_texts, plan_chunks

# Requests up to this many characters are planned (language id, sentence split, tokenisation:
# well under a millisecond) on the event loop; a thread hand-off would cost more than it saves
# and, under many small concurrent requests, thin out the batches.
INLINE_PLAN_CHARS = 4000
# The same for glossaries: compiling a few terms into one pattern takes microseconds, but a
# thousand long ones take a good part of a second, which must not stall the event loop.
INLINE_GLOSSARY_TERMS = 20
# Most glossary + do_not_translate terms in one request: every chunk is matched against all.
MAX_GLOSSARY_TERMS = 1000

# A chunk cut around glossary terms: [(is_term, text)], terms already replaced.
_Pieces = list[tuple[bool, str]]


@dataclass(frozen=True)
class _Plan:
    index: int
    source: str
    confidence: float
    route: tuple[ManifestEntry, ...]
    layout: Layout


class SchedulerPool:
    """One BatchScheduler per loaded model, created on first use."""

    def __init__(
        self,
        registry: Registry,
        limits: BatchLimits,
        options: Callable[[ManifestEntry], Generation],
    ) -> None:
        self._registry = registry
        self._limits = limits
        self._options = options
        self._schedulers: dict[str, BatchScheduler] = {}

    def get(self, entry: ManifestEntry) -> BatchScheduler:
        if entry.name not in self._schedulers:
            model: Seq2Seq = self._registry.model(entry)
            self._schedulers[entry.name] = BatchScheduler(model, self._options(entry), self._limits)
        return self._schedulers[entry.name]

    def all(self) -> list[BatchScheduler]:
        return list(self._schedulers.values())

    async def close(self) -> None:
        for s in self._schedulers.values():
            await s.close()


class TranslationService:
    """Translate many texts; the heavy lifting is queued on per-model batch schedulers."""

    def __init__(
        self,
        registry: Registry,
        detector: LanguageDetector,
        pool: SchedulerPool,
        *,
        max_texts: int,
        max_text_chars: int,
        max_request_chars: int,
        store: Cache | None = None,
    ) -> None:
        """`store`: the persistent cache of model outputs (shared with other processes): a
        chunk translated before by the same model, revision and decoding options is not run."""
        self._registry = registry
        self._detector = detector
        self._pool = pool
        self._store = store
        self._max_texts = max_texts
        self._max_text_chars = max_text_chars
        self._max_request_chars = max_request_chars

    def validate(self, job: TranslateJob) -> tuple[str, str]:
        """Check the request; return the normalised (source, target) codes."""
        check_texts(
            job.texts, "texts", self._max_texts, self._max_text_chars, self._max_request_chars
        )
        source = normalize_code(job.source_language, "source_language", allow_empty=True)
        target = normalize_code(job.target_language, "target_language", allow_empty=False)
        if source and source == target:
            raise InvalidInput(
                f"source_language and target_language are both {shown(target)}; choose a different "
                "target_language or leave source_language empty to detect it per text"
            )
        if len(job.glossary) > MAX_GLOSSARY_TERMS:
            raise InvalidInput(
                f"glossary and do_not_translate hold {len(job.glossary):,} terms in all; the "
                f"maximum is {MAX_GLOSSARY_TERMS:,}"
            )
        for i, term in enumerate(job.glossary):
            if not term.source.strip():
                raise InvalidInput(f"glossary[{i}].source_term is empty")
            check_text(term.source, f"glossary[{i}].source_term", 200)
        return source, target

    def detect_source(self, text: str, index: int) -> tuple[str, float]:
        d = self._detector.detect(text)
        if d.language == UNDETERMINED:
            raise InvalidInput(
                f"the language of texts[{index}] could not be detected (confidence "
                f"{d.confidence:.2f}); set source_language to one of "
                f"{', '.join(SUPPORTED_LANGUAGES)}"
            )
        if not d.supported:
            raise UnsupportedLanguage(
                f"texts[{index}] looks like {d.language!r} (confidence {d.confidence:.2f}), "
                f"which is not supported; supported: {', '.join(SUPPORTED_LANGUAGES)}"
            )
        return d.language, d.confidence

    def _plan(
        self, job: TranslateJob, source: str, target: str
    ) -> tuple[list[_Plan], dict[int, tuple[str, float]]]:
        """Detect, route and chunk every text (blocking: language id and tokenisation)."""
        plans: list[_Plan] = []
        identity: dict[int, tuple[str, float]] = {}
        routes: dict[str, tuple[ManifestEntry, ...]] = {}  # one lookup per source language
        for i, text in enumerate(job.texts):
            src, conf = (source, 1.0) if source else self.detect_source(text, i)
            if src == target:
                identity[i] = (src, conf)
                continue
            if src not in routes:
                routes[src] = tuple(self._registry.translation_route(src, target))
            route = routes[src]
            first = self._registry.model(route[0])
            layout = plan_chunks(text, src, first.count_tokens, first.max_input_tokens)
            plans.append(_Plan(i, src, conf, route, layout))
        return plans, identity

    def _prepare(
        self, job: TranslateJob, source: str, target: str
    ) -> tuple[list[_Plan], dict[int, tuple[str, float]], dict[int, list[_Pieces]]]:
        """Plan every text and cut its chunks around the glossary terms (blocking)."""
        plans, identity = self._plan(job, source, target)
        split_terms = _term_splitter(job.glossary)
        pieces = {p.index: [split_terms(c) for c in p.layout.chunks] for p in plans}
        return plans, identity, pieces

    async def _leg(
        self,
        entry: ManifestEntry,
        texts: list[str],
        deadline: float | None,
        *,
        planned: bool = False,
    ) -> list[str]:
        """Run texts through one model. Unless they were `planned` for it (the first leg's
        chunks), a text over its input limit (a pivot's intermediate English can be) is chunked
        and put back together, never cut."""
        scheduler = self._pool.get(entry)
        model = scheduler.model
        layouts = [
            None
            if planned or model.count_tokens(t) <= model.max_input_tokens
            else plan_chunks(t, entry.source, model.count_tokens, model.max_input_tokens)
            for t in texts
        ]
        flat = [
            c for t, lay in zip(texts, layouts, strict=True) for c in (lay.chunks if lay else [t])
        ]
        outputs = iter(await self._run(entry, scheduler, flat, deadline))
        return [
            lay.join([next(outputs) for _ in lay.chunks]) if lay else next(outputs)
            for lay in layouts
        ]

    async def _run(
        self,
        entry: ManifestEntry,
        scheduler: BatchScheduler,
        chunks: list[str],
        deadline: float | None,
    ) -> list[str]:
        """Each chunk's translation: the same chunk once per call (agency copy repeats itself
        across articles), and from the persistent cache when it was translated before."""
        unique = list(dict.fromkeys(chunks))
        done: dict[str, str] = {}
        keys: dict[str, str] = {}
        if self._store is not None:
            opts = scheduler.options
            revision = (
                f"{entry.revision}/{entry.format}/{opts.max_new_tokens}/{opts.min_new_tokens}"
                f"/{opts.beam_size}/{entry.source_prefix}"
            )
            keys = {c: cache_key(f"translate:{entry.name}", revision, c) for c in unique}
            found = await asyncio.to_thread(self._store.get_many, list(keys.values()))
            done = {c: found[k].decode() for c, k in keys.items() if k in found}
        todo = [c for c in unique if c not in done]
        if todo:
            fresh = await scheduler.submit(todo, deadline)
            done.update(zip(todo, fresh, strict=True))
            if self._store is not None:
                new = {keys[c]: done[c].encode() for c in todo}
                await asyncio.to_thread(self._store.put_many, new)
        return [done[c] for c in chunks]

    async def translate(
        self, job: TranslateJob, deadline: float | None = None
    ) -> list[TranslationResult]:
        source, target = self.validate(job)
        if (
            sum(len(t) for t in job.texts) <= INLINE_PLAN_CHARS
            and len(job.glossary) <= INLINE_GLOSSARY_TERMS
        ):
            plans, identity, pieces = self._prepare(job, source, target)
        else:  # big requests plan in a thread so the event loop keeps serving others
            plans, identity, pieces = await asyncio.to_thread(self._prepare, job, source, target)

        # Group by route so every leg is one submit per route (more items per batch).
        by_route: dict[tuple[str, ...], list[_Plan]] = {}
        for p in plans:
            by_route.setdefault(tuple(e.name for e in p.route), []).append(p)
        outputs: dict[int, str] = {}

        async def run_route(group: list[_Plan]) -> None:
            route = group[0].route
            pieces_per_plan = [pieces[p.index] for p in group]
            # Translate only the non-term parts; terms are put back verbatim.
            texts = [
                part
                for chunks in pieces_per_plan
                for parts in chunks
                for is_term, part in parts
                if not is_term and part.strip()
            ]
            for leg, entry in enumerate(route):
                texts = await self._leg(entry, texts, deadline, planned=leg == 0)
            it = iter(texts)
            for p, chunks in zip(group, pieces_per_plan, strict=True):
                translated_chunks = []
                for parts in chunks:
                    out = []
                    for is_term, part in parts:
                        if is_term:
                            out.append(part)
                        elif part.strip():
                            out.append(next(it))
                    translated_chunks.append(" ".join(x.strip() for x in out if x.strip()))
                outputs[p.index] = p.layout.join(translated_chunks)

        await asyncio.gather(*(run_route(g) for g in by_route.values()))
        results = []
        plan_by_index = {p.index: p for p in plans}
        for i, text in enumerate(job.texts):
            if i in identity:
                src, conf = identity[i]
                results.append(TranslationResult(text, src, conf, "identity"))
            else:
                p = plan_by_index[i]
                results.append(
                    TranslationResult(
                        outputs[i],
                        p.source,
                        round(p.confidence, 4),
                        "+".join(e.name for e in p.route),
                    )
                )
        return results


def _term_splitter(glossary: Sequence[GlossaryTerm]) -> Callable[[str], _Pieces]:
    """A function that cuts a chunk around glossary terms into [(is_term, text)], the terms
    already replaced by their fixed translation (the pattern is compiled once per request)."""
    if not glossary:
        return lambda chunk: [(False, chunk)]
    table = {g.source: g.target for g in glossary}
    pattern = re.compile(
        r"(?<!\w)("
        + "|".join(re.escape(s) for s in sorted(table, key=len, reverse=True))
        + r")(?!\w)"
    )

    def split(chunk: str) -> _Pieces:
        parts: _Pieces = []
        pos = 0
        for m in pattern.finditer(chunk):
            if m.start() > pos:
                parts.append((False, chunk[pos : m.start()]))
            parts.append((True, table[m.group(1)]))
            pos = m.end()
        if pos < len(chunk):
            parts.append((False, chunk[pos:]))
        return parts

    return split
