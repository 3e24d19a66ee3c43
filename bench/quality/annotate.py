"""Turn a draft annotation (git-ignored, holds verbatim snippets) into the committed form: every
snippet becomes character offsets into the article text plus a short hash, so no third-party
sentence enters the repository.

    .venv/bin/python -m bench.quality.annotate [STORY ...]   # default: every story in data/
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ANNOTATIONS = HERE / "annotations"
KINDS = ("claims", "entities", "figures", "quotes", "furniture")


def span_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def load_articles(story_dir: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for f in sorted(story_dir.glob("*.json")):
        if f.name == "draft.json":
            continue
        a = json.loads(f.read_text(encoding="utf-8"))
        out[a["id"]] = a
    return out


def convert(story_dir: Path) -> tuple[dict[str, Any], list[str]]:
    """The committed annotation of one story and the problems found (snippets not in the text)."""
    draft = json.loads((story_dir / "draft.json").read_text(encoding="utf-8"))
    articles = load_articles(story_dir)
    problems: list[str] = []
    out_articles = []
    for aid, a in sorted(articles.items()):
        text = a["text"]
        ann = draft.get("articles", {}).get(aid, {})
        item: dict[str, Any] = {
            "id": aid,
            "url": a.get("url", ""),
            "language": a.get("language", ""),
            "outlet": a.get("outlet", ""),
            "published_time": a.get("published_time", ""),
            "has_title": bool(a.get("title", "").strip()),
            "chars": len(text),
            "sha256": text_hash(text),
        }
        for kind in KINDS:
            rows = []
            cursor: dict[str, int] = {}
            for raw in ann.get(kind, []):
                snippet = raw.get("snippet", "")
                # Repeated snippets point at successive occurrences.
                start = text.find(snippet, cursor.get(snippet, 0)) if snippet else -1
                if start < 0 and snippet:
                    start = text.find(snippet)
                if start < 0:
                    problems.append(f"{aid} {kind}: snippet not in text: {snippet[:60]!r}")
                    continue
                end = start + len(snippet)
                cursor[snippet] = end
                row = {k: v for k, v in raw.items() if k != "snippet"}
                row.update(start=start, end=end, sha=span_hash(snippet))
                rows.append(row)
            item[kind] = rows
        out_articles.append(item)
    missing = set(draft.get("articles", {})) - set(articles)
    problems += [f"draft names article {m!r}, which has no file" for m in sorted(missing)]
    return {
        "story": draft.get("story", story_dir.name),
        "claims": draft.get("claims", {}),
        "articles": out_articles,
    }, problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("stories", nargs="*")
    args = p.parse_args(argv)
    stories = args.stories or sorted(d.name for d in DATA.iterdir() if (d / "draft.json").exists())
    ANNOTATIONS.mkdir(exist_ok=True)
    bad = 0
    for story in stories:
        result, problems = convert(DATA / story)
        for line in problems:
            print(f"{story}: {line}", file=sys.stderr)
        bad += len(problems)
        path = ANNOTATIONS / f"{story}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        counts = {k: sum(len(a[k]) for a in result["articles"]) for k in KINDS}
        print(f"{story}: {len(result['articles'])} articles, {counts} -> {path.name}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
