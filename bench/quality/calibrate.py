"""Calibrate the claim-matching thresholds (dragoman/brief/claims.py THRESHOLDS) per language pair
on the real-article dev set: for every pair of annotated claim sentences of different articles,
the margin score the pipeline computes, and whether the annotators gave both the same claim.
Prints, per language pair, the lowest threshold whose pairwise precision reaches the target,
with its recall; the held-out story (crocus-2024 by default) is left out of the fit and scored
with the fitted thresholds.

    .venv/bin/python -m bench.quality.calibrate [--precision 0.9] [--held-out crocus-2024]
"""

from __future__ import annotations

import argparse
import threading
from collections import defaultdict

from bench.quality.harness import ANNOTATIONS, DATA, ROOT, load_story, overlap
from dragoman.brief import claims
from dragoman.config import Settings
from dragoman.engine import Engine

Pair = tuple[str, bool, float]  # language pair, same gold claim, score


def story_pairs(engine: Engine, story: str) -> list[Pair]:
    gold, articles = load_story(story)
    builder = engine.brief_builder
    docs, _ = builder.ingest(articles, [])
    a = builder.analyse(docs, threading.Event())
    knn, _ = claims._neighbours(a.sents, a.vectors, lambda: None)
    scorer = claims._Scorer(a.sents, a.vectors, knn)
    label: dict[int, set[str]] = defaultdict(set)
    for art in gold.articles:
        mine = [i for i, s in enumerate(a.sents) if docs[s.doc].ids[0] == art["id"]]
        for row in art["claims"]:
            span = gold.span(art["id"], row)
            best = max(mine, key=lambda i: overlap(span, a.sents[i].text), default=None)
            if best is not None and overlap(span, a.sents[best].text) >= 0.5:
                label[best].add(row["claim"])
    out: list[Pair] = []
    idx = sorted(label)
    for n, i in enumerate(idx):
        for j in idx[n + 1 :]:
            si, sj = a.sents[i], a.sents[j]
            if si.doc == sj.doc:
                continue
            lp = "-".join(sorted((si.language, sj.language)))
            same = bool(label[i] & label[j])
            if claims.figures_conflict(si.figures, sj.figures):
                out.append((lp, same, -1.0))
            else:
                out.append((lp, same, scorer.margin(i, j)))
    return out


def fit(pairs: list[Pair], precision: float) -> dict[str, tuple[float, float, float, int]]:
    """language pair -> (threshold, precision, recall, positives)."""
    by_lp: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    for lp, same, score in pairs:
        by_lp[lp].append((same, score))
    out = {}
    for lp, items in sorted(by_lp.items()):
        pos = sum(s for s, _ in items)
        best = (9.9, 0.0, 0.0, pos)
        for t in sorted({round(sc, 3) for _, sc in items}):
            chosen = [s for s, sc in items if sc >= t]
            tp = sum(chosen)
            if chosen and tp / len(chosen) >= precision and len(chosen) >= 3:
                best = (t, tp / len(chosen), tp / max(pos, 1), pos)
                break
        out[lp] = best
    return out


def score(pairs: list[Pair], thresholds: dict[str, float]) -> tuple[float, float]:
    tp = fp = pos = 0
    for lp, same, sc in pairs:
        hit = sc >= thresholds.get(lp, 9.9)
        tp += same and hit
        fp += hit and not same
        pos += same
    return tp / max(tp + fp, 1), tp / max(pos, 1)


def main() -> None:
    p = argparse.ArgumentParser(description="Fit claim thresholds on the dev set.")
    p.add_argument("--precision", type=float, default=0.9)
    p.add_argument("--held-out", default="crocus-2024")
    args = p.parse_args()
    engine = Engine(
        Settings(
            models_dir=ROOT / "bench" / ".cache" / "no-models",
            manifest=ROOT / "models" / "manifest.toml",
        )
    )
    engine.load()
    stories = sorted(f.stem for f in ANNOTATIONS.glob("*.json") if (DATA / f.stem).is_dir())
    per_story = {s: story_pairs(engine, s) for s in stories}
    dev = [x for s, ps in per_story.items() if s != args.held_out for x in ps]
    fitted = fit(dev, args.precision)
    print("| language pair | threshold | precision | recall | same-claim pairs |")
    print("|---|---|---|---|---|")
    for lp, (t, pr, rc, pos) in fitted.items():
        print(f"| {lp} | {t:.3f} | {pr:.2f} | {rc:.2f} | {pos} |")
    thresholds = {lp: v[0] for lp, v in fitted.items()}
    for s, ps in per_story.items():
        cross = [x for x in ps if x[0].split("-")[0] != x[0].split("-")[1]]
        pr, rc = score(cross, thresholds)
        print(
            f"{s}{' (held out)' if s == args.held_out else ''}: cross-language pairwise "
            f"precision {pr:.2f} recall {rc:.2f}"
        )


if __name__ == "__main__":
    main()
