"""Story clustering on the real-article dev set mixed into one feed.

    python -m bench.quality.cluster            # sweep the threshold, B-cubed P/R/F1

All annotated stories' pages (git-ignored, bench/quality/data/) become one feed with their
publication times removed - a day's feed in which every story happened at once, so only the text
separates them (the time window would separate these stories by itself: they are years apart).
Also scored: each story's pages alone (one story must stay one) and the held-out story
(crocus-2024) among the others.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from bench.quality.harness import ANNOTATIONS, MISSING, ROOT, load_story
from dragoman.batch.cluster import DEFAULT_THRESHOLD, ENTITY_WEIGHT, bcubed, cluster
from dragoman.batch.features import CENTERING, features, lead_vectors, leads
from dragoman.brief.entities import EntityFinder, Gazetteer
from dragoman.config import Settings
from dragoman.domain import Article
from dragoman.engine import Engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--low", type=float, default=0.60)
    parser.add_argument("--high", type=float, default=1.00)
    args = parser.parse_args()
    engine = Engine(
        Settings(
            models_dir=ROOT / "bench" / ".cache" / "no-models",
            manifest=ROOT / "models" / "manifest.toml",
            metrics_port=-1,
        )
    )
    engine.load()
    stories = sorted(p.stem for p in ANNOTATIONS.glob("*.json"))
    feed: list[Article] = []
    gold: dict[str, str] = {}
    for story in stories:
        _, articles = load_story(story)
        for a in articles:
            feed.append(dataclasses.replace(a, published=""))
            gold[a.id] = story
    t0 = time.perf_counter()
    feats = features(feed, engine.embedder, engine.detector, EntityFinder(Gazetteer()))
    t_feat = time.perf_counter() - t0
    print(f"{len(feed)} pages of {len(stories)} stories; features {t_feat:.1f} s")
    print(
        f"entity weight {ENTITY_WEIGHT}; language centering {CENTERING}; "
        f"default threshold {DEFAULT_THRESHOLD}"
    )
    print("threshold  stories  B3-precision  B3-recall  B3-F1")
    best = (0.0, 0.0)
    steps = round((args.high - args.low) / 0.01)
    for k in range(steps + 1):
        th = round(args.low + 0.01 * k, 2)
        groups = cluster(feats, threshold=th)
        p, r, f = bcubed(groups, gold)
        mark = " <- default" if abs(th - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(f"{th:9.2f}  {len(groups):7d}  {p:12.3f}  {r:9.3f}  {f:5.3f}{mark}")
        if p >= 0.999 and f > best[1]:
            best = (th, f)
    print(f"highest F1 with precision 1: threshold {best[0]:.2f}, F1 {best[1]:.3f}")
    groups = cluster(feats, threshold=DEFAULT_THRESHOLD)
    p, r, f = bcubed(groups, gold)
    print(f"at the default: precision {p:.3f} recall {r:.3f} F1 {f:.3f}; stories:")
    for g in groups:
        print("  ", sorted({gold[a] for a in g}), len(g))
    # The same features without language centering (the vectors as before it): best threshold
    # with precision 1 on this scale, and the old default.
    texts, _ = leads(feed, engine.detector)
    plain = [
        dataclasses.replace(f, vector=v)
        for f, v in zip(feats, lead_vectors(texts, engine.embedder, langs=None), strict=True)
    ]
    best = (0.0, 0.0)
    for k in range(0, 41):
        th = round(0.90 + 0.01 * k, 2)
        p, r, f = bcubed(cluster(plain, threshold=th), gold)
        if p >= 0.999 and f > best[1]:
            best = (th, f)
    p, r, f = bcubed(cluster(plain, threshold=1.075), gold)
    print(
        f"without language centering: at 1.075 (the default before it) precision {p:.3f} "
        f"recall {r:.3f} F1 {f:.3f}; highest F1 with precision 1: threshold {best[0]:.2f}, "
        f"F1 {best[1]:.3f}"
    )
    held = {a: s for a, s in gold.items() if s == "crocus-2024"}
    crocus = [g for g in groups if any(a in held for a in g)]
    print(f"held-out crocus-2024: in {len(crocus)} stories, sizes {[len(g) for g in crocus]}")
    if MISSING:
        print(f"scored without {len(MISSING)} pages no longer served:", *MISSING, sep="\n  ")


if __name__ == "__main__":
    main()
