"""Summarisation application service: extractive always, abstractive when a model is installed.

A text's sentences are checked against the budget before any work; the CPU-bound steps (LexRank,
aligning a generated summary to its sources) run in a worker thread that stops when the caller
leaves or its deadline passes (service/dragoman/cancel.py)."""

from __future__ import annotations

import numpy as np

from dragoman.backends.e5_embedder import E5Embedder
from dragoman.backends.extractive import LexRankExtractive
from dragoman.budget import TextBudget
from dragoman.cancel import Check, run_stoppable
from dragoman.domain import (
    Span,
    SummarizeJob,
    SummaryMethod,
    SummaryResult,
    TranslateJob,
)
from dragoman.errors import InvalidInput, ModelUnavailable
from dragoman.languages import normalize_code
from dragoman.registry import Registry
from dragoman.text import check_text, plan_chunks, split_sentences
from dragoman.translate import SchedulerPool, TranslationService

DEFAULT_SENTENCES = 3
MAX_SENTENCES = 50


class SummarizationService:
    """Summarise one text, in its language or translated into another."""

    def __init__(
        self,
        registry: Registry,
        pool: SchedulerPool,
        translator: TranslationService,
        embedder: E5Embedder,
        *,
        max_chars: int,
        budget: TextBudget | None = None,
    ) -> None:
        self._registry = registry
        self._pool = pool
        self._translator = translator
        self._embedder = embedder
        self._extractive = LexRankExtractive()
        self._max_chars = max_chars
        self._budget = budget

    def _length(self, job: SummarizeJob, n_sentences: int) -> int:
        if job.max_sentences is not None:
            if not 1 <= job.max_sentences <= MAX_SENTENCES:
                raise InvalidInput(
                    f"max_sentences is {job.max_sentences}; use 1 to {MAX_SENTENCES}"
                )
            return job.max_sentences
        if job.ratio is not None:
            if not 0 < job.ratio <= 1:
                raise InvalidInput(f"ratio is {job.ratio}; use a fraction in (0, 1]")
            return max(1, round(job.ratio * n_sentences))
        return DEFAULT_SENTENCES

    async def summarize(self, job: SummarizeJob, deadline: float | None = None) -> SummaryResult:
        check_text(job.text, "text", self._max_chars)
        source = normalize_code(job.source_language, "source_language", allow_empty=True)
        target = normalize_code(job.target_language, "target_language", allow_empty=True)
        text = job.text  # not normalised: span offsets point into the caller's text
        if not source:
            source, _ = self._translator.detect_source(text, 0)
        target = target or source
        if target != source:
            # Fail before doing any work if the translation leg is missing.
            self._registry.translation_route(source, target)
        sentences = split_sentences(text, source)
        k = self._length(job, len(sentences))
        if self._budget is not None:
            self._budget.check(len(sentences), len(text))

        method = job.method
        entry = self._registry.summarizer(source)
        if method is SummaryMethod.ABSTRACTIVE and entry is None:
            raise ModelUnavailable(self._registry.summarizer_missing_message(source))
        if method is SummaryMethod.AUTO:
            method = SummaryMethod.ABSTRACTIVE if entry is not None else SummaryMethod.EXTRACTIVE

        models: list[str] = []
        if method is SummaryMethod.EXTRACTIVE:
            texts = [s.text for s in sentences]
            picked = await run_stoppable(
                lambda stop: self._extractive.select(texts, k, source, stop),
                deadline,
                "the summary",
            )
            spans = tuple(
                Span(sentences[i].start, sentences[i].end, sentences[i].text, score)
                for i, score in picked
            )
            summary = " ".join(s.text for s in spans)
            models.append(self._extractive.name)
        else:
            assert entry is not None
            scheduler = self._pool.get(entry)
            layout = plan_chunks(
                text, source, scheduler.model.count_tokens, scheduler.model.max_input_tokens
            )
            outputs = await scheduler.submit(list(layout.chunks), deadline)
            summary = " ".join(o.strip() for o in outputs if o.strip())
            spans = await run_stoppable(
                lambda stop: self._align(summary, source, sentences, stop), deadline, "the summary"
            )
            models.append(entry.name)

        language = source
        if target != source and summary:
            result = await self._translator.translate(
                TranslateJob((summary,), source, target), deadline
            )
            summary = result[0].text
            language = target
            models.append(result[0].model)
        return SummaryResult(summary, language, source, method, spans, tuple(models))

    def _align(
        self, summary: str, language: str, sentences: list[Span], check: Check
    ) -> tuple[Span, ...]:
        """For a generated summary: the input sentence closest to each summary sentence."""
        if not sentences or not summary.strip():
            return ()
        outs = [s.text for s in split_sentences(summary, language)]
        inputs = self._embedder.embed_checked([s.text for s in sentences], check)
        sims = self._embedder.embed(outs) @ inputs.T
        best = sorted({int(np.argmax(row)) for row in sims})
        return tuple(
            Span(
                sentences[i].start,
                sentences[i].end,
                sentences[i].text,
                round(float(sims[:, i].max()), 4),
            )
            for i in best
        )
