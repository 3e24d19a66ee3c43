"""Ingest: validate the articles of a brief, clean their pages, detect their language, and fold
duplicates - byte-identical texts and near-duplicates (an article mostly contained in another:
a wire copy, a shortened reprint) - into one source each."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from dragoman.brief.clean import clean_page
from dragoman.brief.entities import Mention
from dragoman.budget import BriefBudget
from dragoman.cancel import Check, never
from dragoman.domain import SUPPORTED_LANGUAGES, Article
from dragoman.errors import InvalidInput, shown
from dragoman.languages import UNDETERMINED, LanguageDetector, normalize_code
from dragoman.text import check_text

# An article whose word 5-grams lie this much inside another article is folded into it.
NEAR_DUPLICATE = 0.8
SHINGLE = 5


@dataclass
class Doc:
    """One distinct input article while it is being processed."""

    article: Article
    ids: list[str]  # the article's id first, then its duplicates'
    text: str
    language: str
    confidence: float
    key: str
    sentences: list[str] = field(default_factory=list)
    mentions: list[list[Mention]] = field(default_factory=list)
    fed: set[str] = field(default_factory=set)
    near_duplicates: list[str] = field(default_factory=list)

    @property
    def published(self) -> date | None:
        return published_date(self.article.published)


def published_date(value: str) -> date | None:
    """The calendar date of an RFC 3339 time ("" or out of range: None)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def content_hash(*parts: str, n: int = 16) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\x00")
    return h.hexdigest()[:n]


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.casefold())
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def fold_near_duplicates(docs: list[Doc], check: Check = never) -> list[Doc]:
    """Docs (ordered by key) with each near-duplicate folded into the article containing it; the
    container is the longer text (ties: the smaller key), so the fold is order-independent.

    Shared shingles are counted through an index of the kept articles' shingles, so the cost is
    the shingles the articles share, not every pair of articles times their length."""
    shingles = [_shingles(d.text) for d in docs]
    order = sorted(range(len(docs)), key=lambda i: (-len(shingles[i]), docs[i].key))
    kept: list[int] = []
    holders: dict[str, list[int]] = defaultdict(list)  # shingle -> kept articles holding it
    for i in order:
        check()
        mine = shingles[i]
        shared: Counter[int] = Counter()
        for sh in mine:
            shared.update(holders.get(sh, ()))
        host = next(
            (
                k
                for k in kept
                if docs[k].language == docs[i].language
                and mine
                and shared[k] / len(mine) >= NEAR_DUPLICATE
            ),
            None,
        )
        if host is None:
            kept.append(i)
            for sh in mine:
                holders[sh].append(i)
        else:  # listed with the host's duplicates; the note says they were near, not identical
            docs[host].ids.extend(docs[i].ids)
            docs[host].near_duplicates.extend(docs[i].ids)
    out = sorted((docs[k] for k in kept), key=lambda d: d.key)
    for d in out:
        d.near_duplicates.sort()
    return out


def ingest(
    articles: Sequence[Article],
    detector: LanguageDetector,
    notes: list[str],
    *,
    max_articles: int,
    max_article_chars: int,
    budget: BriefBudget | None = None,
    check: Check = never,
) -> tuple[list[Doc], list[Doc]]:
    """(docs to analyse ordered by content hash, docs in unsupported languages). Every article is
    validated and the whole checked against `budget` before any is cleaned."""
    if not articles:
        raise InvalidInput(f"articles is empty; send 1 to {max_articles} articles")
    if len(articles) > max_articles:
        raise InvalidInput(
            f"articles has {len(articles)} items; the maximum is "
            f"{max_articles}: split the story into several briefs"
        )
    langs = []
    for i, a in enumerate(articles):
        check_text(a.text, f"articles[{i}].text", max_article_chars)
        langs.append(normalize_code(a.language, f"articles[{i}].language", allow_empty=True))
    if budget is not None:
        budget.check([a.text for a in articles])
    seen_ids: dict[str, int] = {}
    by_text: dict[str, Doc] = {}
    skipped: list[Doc] = []
    for i, (a, lang) in enumerate(zip(articles, langs, strict=True)):
        check()
        text = clean_page(a.text)
        if not text.strip():
            raise InvalidInput(
                f"articles[{i}].text holds only page furniture (share "
                "buttons, tag lines...); send the article body"
            )
        aid = a.id or "a-" + content_hash(text, a.url, a.title, a.outlet, n=12)
        if aid in seen_ids:
            raise InvalidInput(
                f"articles[{i}].id {shown(aid)} repeats articles[{seen_ids[aid]}].id; "
                "ids must be unique"
            )
        seen_ids[aid] = i
        article = Article(
            id=aid,
            text=a.text,
            url=a.url,
            title=a.title,
            language=lang,
            outlet=a.outlet,
            published=a.published,
        )
        text_key = content_hash(text)
        if text_key in by_text:  # a duplicate: counted once, both ids kept
            by_text[text_key].ids.append(aid)
            continue
        confidence = 1.0
        if not lang:
            det = detector.detect(text)
            lang, confidence = det.language, det.confidence
        doc = Doc(
            article, [aid], text, lang, confidence, content_hash(text, a.title, a.outlet, a.url)
        )
        if lang not in SUPPORTED_LANGUAGES:
            what = "could not be identified" if lang == UNDETERMINED else f"is in {lang!r}"
            notes.append(
                f"article {aid} {what}; only {', '.join(SUPPORTED_LANGUAGES)} "
                "articles are analysed, so it is listed in sources but fed nothing"
            )
            skipped.append(doc)
            continue
        by_text[text_key] = doc
    docs = sorted(by_text.values(), key=lambda d: d.key)
    for d in docs:
        primary = min(d.ids)  # the same primary id whatever the input order
        d.ids = [primary, *sorted(x for x in d.ids if x != primary)]
        if len(d.ids) > 1:
            notes.append(f"articles {', '.join(d.ids)} have the same text; counted once")
    docs = fold_near_duplicates(docs, check)
    for d in docs:
        if d.near_duplicates:
            notes.append(
                f"article(s) {', '.join(d.near_duplicates)} are mostly contained in "
                f"{d.ids[0]}; counted once, as {d.ids[0]}"
            )
    return docs, sorted(skipped, key=lambda d: d.key)
