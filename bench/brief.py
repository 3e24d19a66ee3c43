"""Embedded-default brief speed and memory: one ~600-word article, and 20 articles, after warm-up,
with no downloaded weights (e5 embeddings, natasha, spaCy, gazetteer, extractive summary).

    .venv/bin/python -m bench.brief

Targets (speed issue for briefs): 1 article < 1 s, 20 articles < 10 s, resident memory < 1.5 GB.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

from dragoman.articles import read_articles
from dragoman.brief import types as bt
from dragoman.config import Settings
from dragoman.domain import Article
from dragoman.engine import Engine

ROOT = Path(__file__).resolve().parents[1]


def examples() -> list[Article]:
    return read_articles(
        [ROOT / "examples" / "ceasefire", ROOT / "tests" / "fixtures" / "parallel"]
    )


def long_article(base: list[Article], words: int = 600) -> Article:
    """An English article of about `words` words built from the example paragraphs."""
    paragraphs: list[str] = []
    for a in base:
        if a.language in ("en", ""):
            paragraphs += [p for p in a.text.split("\n\n") if len(p.split()) > 8]
    text: list[str] = []
    i = 0
    while sum(len(p.split()) for p in text) < words:
        text.append(paragraphs[i % len(paragraphs)] + ("" if i < len(paragraphs) else f" ({i})"))
        i += 1
    return Article(id="long-en", text="\n\n".join(text), language="en", outlet="Bench Wire")


def twenty(base: list[Article]) -> list[Article]:
    """20 distinct articles in ru/ar/en: the examples plus variants with an extra paragraph."""
    out = list(base)
    n = 0
    while len(out) < 20:
        a = base[n % len(base)]
        out.append(
            Article(
                id=f"{a.id}-v{n}",
                text=a.text + f"\n\nUpdate {n}: " + a.text[:300],
                language=a.language,
                outlet=f"{a.outlet} {n}",
                title=a.title,
            )
        )
        n += 1
    return out


def rss_mb() -> tuple[float, float]:
    cur = peak = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            cur = int(line.split()[1]) / 1024
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    return cur, peak


def main() -> None:
    base = examples()
    engine = Engine(
        Settings(
            models_dir=ROOT / "bench" / ".cache" / "no-models",
            manifest=ROOT / "models" / "manifest.toml",
            cache_path="",  # no persistent cache: every run does its work
        )
    )
    t0 = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - t0

    def timed(arts: list[Article], repeats: int) -> float:
        runs = []
        for _ in range(repeats):
            engine.embedder._cache.clear()  # no help from the embedding cache between runs
            start = time.perf_counter()
            asyncio.run(engine.brief(bt.BriefJob(tuple(arts), "en")))
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    one = long_article(base)
    timed([one], 1)  # warm-up
    one_s = timed([one], 5)
    many = twenty(base)
    many_s = timed(many, 3)
    cur, peak = rss_mb()
    words = len(one.text.split())
    print(f"\nembedded default (no downloaded weights), load {load_s:.1f} s\n")
    print("| case | median s | target | met |")
    print("|---|---|---|---|")
    print(f"| 1 article, {words} words | {one_s:.2f} | < 1 s | {'yes' if one_s < 1 else 'NO'} |")
    print(
        f"| 20 articles, ru/ar/en, {sum(len(a.text.split()) for a in many)} words | "
        f"{many_s:.2f} | < 10 s | {'yes' if many_s < 10 else 'NO'} |"
    )
    print(
        f"| resident memory (peak) | {peak:.0f} MB (now {cur:.0f}) | < 1536 MB | "
        f"{'yes' if peak < 1536 else 'NO'} |"
    )


if __name__ == "__main__":
    main()
