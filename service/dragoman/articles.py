"""Reading articles from files: plain text, JSON (one article or a list) and JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from dragoman.domain import Article
from dragoman.errors import InvalidInput, shown

SUFFIXES = (".txt", ".json", ".jsonl")


def parse_article(data: dict[str, Any], where: str) -> Article:
    """One article from a JSON object (InvalidInput naming `where` when it is not one)."""
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise InvalidInput(f"{where}: an article needs a string field 'text'")

    def s(*keys: str) -> str:
        for k in keys:
            if isinstance(data.get(k), str):
                return str(data[k])
        return ""

    published = s("published_time", "publishedTime", "published")
    if published:
        try:
            datetime.fromisoformat(published.replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidInput(
                f"{where}: published_time {shown(published)} is not an RFC 3339 time "
                "(e.g. 2016-09-20T08:15:00Z)"
            ) from exc
    return Article(
        id=s("id"),
        text=data["text"],
        url=s("url"),
        title=s("title"),
        language=s("language"),
        outlet=s("outlet"),
        published=published,
    )


def read_articles(paths: Iterable[Path]) -> list[Article]:
    """Articles from files and folders (folders: every .txt/.json/.jsonl inside, sorted)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file())
        elif p.exists():
            files.append(p)
        else:
            raise InvalidInput(f"{p}: no such file or folder")
    out: list[Article] = []
    for f in files:
        raw = f.read_text(encoding="utf-8", errors="strict")
        if f.suffix == ".jsonl":
            for n, line in enumerate(raw.splitlines(), start=1):
                if line.strip():
                    out.append(parse_article(_loads(line, f"{f}:{n}"), f"{f}:{n}"))
        elif f.suffix == ".json":
            data = _loads(raw, str(f))
            items = data if isinstance(data, list) else [data]
            out += [parse_article(d, str(f)) for d in items]
        else:
            out.append(Article(id=f.stem, text=raw))
    return out


def _loads(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not valid JSON ({exc})") from exc
