"""The real-article quality harness: briefs the git-ignored dev set (bench/quality/data/<story>/)
with the embedded default and scores every stage against the committed annotations
(bench/quality/annotations/<story>.json).

    .venv/bin/python -m bench.quality [--stories a,b] [--json bench/results/quality.json]

Per story and in all it prints: claim-join precision/recall across languages (sentence pairs of
different articles in different languages: same gold claim vs same brief cluster), entity recall
per language, the cross-script join rate and the share of brief entities that match no annotated
name (junk), figure precision/recall and how many same-thing disagreements are flagged, quote
recall and attribution accuracy, furniture leaks (annotated furniture that reaches the headline,
summary, key points, quotes or entities), whether headline and summary are in the target language
(briefed into en, ru and ar), and the time per brief.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.quality.annotate import ANNOTATIONS, DATA, span_hash, text_hash

__all__ = ["ANNOTATIONS", "DATA", "ROOT", "load_story", "main", "overlap"]
from dragoman.brief import types as bt
from dragoman.config import Settings
from dragoman.domain import Article
from dragoman.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
TARGETS = ("en", "ru", "ar")
VERBOSE = False

# What a figure counts, folded to one key so "dead", "deaths" and "killed" compare equal.
_COUNT_GROUPS = {
    "killed": ("kill", "dead", "death", "died", "fatalit", "toll", "victim", "bodies", "body"),
    "wounded": ("wound", "injur", "hurt", "casualt"),
    "missing": ("missing",),
    "homeless": ("homeless", "displac", "shelter"),
    "tonnes": ("tonne", "ton"),
    "dollars": ("dollar", "usd", "$"),
    "arrested": ("arrest", "detain", "suspect"),
    "rescued": ("rescu", "saved", "survivor"),
    "km": ("kilomet", "km"),
}


_MEASURES = {
    "km",
    "kilometres",
    "kilometers",
    "miles",
    "metres",
    "days",
    "hours",
    "years",
    "magnitude",
}


def _interval(value: float, bound: str) -> tuple[float, float]:
    """The values an annotated figure allows ("about" within 10%)."""
    return {
        "at_least": (value, float("inf")),
        "more_than": (value + 1e-9, float("inf")),
        "up_to": (0.0, value),
        "less_than": (0.0, value - 1e-9),
        "about": (value * 0.9, value * 1.1),
    }.get(bound, (value, value))


def gold_compatible(a: tuple[float, str], b: tuple[float, str]) -> bool:
    """Two annotated figures of one thing can both be true (the harness's own judgement, kept
    apart from the product's `compatible`)."""
    (lo1, hi1), (lo2, hi2) = _interval(*a), _interval(*b)
    return max(lo1, lo2) <= min(hi1, hi2)


def count_key(counted: str) -> str:
    low = counted.lower()
    for key, stems in _COUNT_GROUPS.items():
        if any(s in low for s in stems):
            return key
    words = re.findall(r"\w+", low)
    return words[-1] if words else ""


_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ـ": ""})


def norm(text: str) -> str:
    """Case-, accent- and Arabic-letter-folded text with single spaces (for matching only)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_AR_FOLD)
    text = re.sub(r"[\u064B-\u065F\u0670]", "", text)
    text = text.replace("ё", "е")
    return " ".join(re.findall(r"\w+", text))


def tokens(text: str) -> set[str]:
    return set(norm(text).split())


def overlap(gold: str, found: str) -> float:
    """Share of the gold span's words that `found` contains."""
    g = tokens(gold)
    return len(g & tokens(found)) / len(g) if g else 0.0


def _form_matches(gold: str, found: str) -> bool:
    """Same name up to case, inflection and attached Arabic particles: one form's words are the
    other's, compared on their first letters (Пескова ~ Песков, وبيروت ~ بيروت)."""
    a, b = norm(gold), norm(found)
    if not a or not b:
        return False
    if a == b or a in b or b in a:
        return True
    ta, tb = a.split(), b.split()

    def stem(w: str) -> str:
        return w[: max(4, len(w) - 2)]

    sa, sb = {stem(w) for w in ta}, {stem(w) for w in tb}
    return bool(sa & sb) and (sa <= sb or sb <= sa)


_NAME_FILLER = {"of", "the", "and", "al", "news", "agency", "group"}


def _name_matches(gold: str, found: str) -> bool:
    """The brief's name is the annotated one, shares its last word (a surname), or is a part of
    it ("Tasnim" for "Tasnim News Agency", "Russian Investigative Committee" for "Investigative
    Committee of Russia"): words compared on their first five letters."""
    a, b = norm(gold), norm(found)
    if not a or not b:
        return a == b
    if a == b or a.split()[-1] == b.split()[-1]:
        return True
    wa = {w[:5] for w in a.split() if w not in _NAME_FILLER}
    wb = {w[:5] for w in b.split() if w not in _NAME_FILLER}
    return bool(wa and wb) and (wa <= wb or wb <= wa)


@dataclass
class Gold:
    story: str
    claims: dict[str, str]
    articles: list[dict[str, Any]]
    texts: dict[str, str]

    def span(self, aid: str, row: dict[str, Any]) -> str:
        return self.texts[aid][row["start"] : row["end"]]


MISSING: list[str] = []  # annotated pages not in DATA, named in the report


def load_story(story: str) -> tuple[Gold, list[Article]]:
    ann = json.loads((ANNOTATIONS / f"{story}.json").read_text(encoding="utf-8"))
    folder = DATA / story
    raw = {}
    for f in sorted(folder.glob("*.json")):
        if f.name != "draft.json":
            a = json.loads(f.read_text(encoding="utf-8"))
            raw[a["id"]] = a
    texts: dict[str, str] = {}
    articles: list[Article] = []
    kept: list[dict[str, Any]] = []
    for item in ann["articles"]:
        a = raw.get(item["id"])
        if a is None:
            # A page the store no longer returns: scored without it, and said so.
            MISSING.append(f"{item['id']} ({item['url']})")
            continue
        if text_hash(a["text"]) != item["sha256"]:
            raise SystemExit(f"{story}: the text of {item['id']} differs from the annotated one")
        kept.append(item)
        for kind in ("claims", "entities", "figures", "quotes", "furniture"):
            for row in item[kind]:
                if span_hash(a["text"][row["start"] : row["end"]]) != row["sha"]:
                    raise SystemExit(f"{story}: {item['id']} {kind} span {row} does not match")
        texts[item["id"]] = a["text"]
        articles.append(
            Article(
                id=a["id"],
                text=a["text"],
                url=a.get("url", ""),
                title=a.get("title", ""),
                language=a.get("language", ""),
                outlet=a.get("outlet", ""),
                published=a.get("published_time", ""),
            )
        )
    if not articles:
        raise SystemExit(f"{story}: no annotated article is in {folder} (see GATHERING.md)")
    return Gold(story, ann.get("claims", {}), kept, texts), articles


@dataclass
class Tally:
    """Counts that add up over stories."""

    n: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, key: str, value: float = 1.0) -> None:
        self.n[key] += value

    def ratio(self, num: str, den: str) -> float | None:
        return self.n[num] / self.n[den] if self.n[den] else None


def in_furniture(article: dict[str, Any], row: dict[str, Any]) -> bool:
    return any(f["start"] <= row["start"] and row["end"] <= f["end"] for f in article["furniture"])


# -- claims ---------------------------------------------------------------------------------------
def score_claims(gold: Gold, groups: list[list[tuple[str, str]]], t: Tally) -> None:
    """Pairs of annotated sentences of different articles: gold-joined when they share a claim
    (a sentence may state several), predicted-joined when the brief put them in one group."""
    cluster_of: dict[tuple[str, str], int] = {}
    by_article: dict[str, list[str]] = defaultdict(list)
    for n, g in enumerate(groups):
        for aid, sentence in g:
            cluster_of[(aid, sentence)] = n
            by_article[aid].append(sentence)
    lang = {a["id"]: a["language"] for a in gold.articles}
    labels: dict[tuple[str, str], set[str]] = defaultdict(set)  # (article, sentence) -> claims
    for a in gold.articles:
        for k, row in enumerate(a["claims"]):
            span = gold.span(a["id"], row)
            best = max(by_article[a["id"]], key=lambda s: overlap(span, s), default=None)
            if best is not None and overlap(span, best) >= 0.5:
                labels[(a["id"], best)].add(row["claim"])
            else:  # the sentence did not survive (clean-up, split): it can join nothing
                t.add("claim_spans_unmatched")
                labels[(a["id"], f"\x00missing {k}")].add(row["claim"])
    items = sorted(labels.items())
    # Claim level: a claim the annotators found in 2+ languages is found when one brief group
    # holds sentences of 2+ languages that state it.
    claim_langs: dict[str, set[str]] = defaultdict(set)
    for (aid, _), cs in items:
        for c in cs:
            claim_langs[c].add(lang[aid])
    found: set[str] = set()
    members: dict[int, list[tuple[str, set[str]]]] = defaultdict(list)
    for (aid, sentence), cs in items:
        where = cluster_of.get((aid, sentence))
        if where is not None:
            members[where].append((lang[aid], cs))
    for group in members.values():
        for c in {c for _, cs in group for c in cs}:
            if len({lg for lg, cs in group if c in cs}) >= 2:
                found.add(c)
    for c, langs in claim_langs.items():
        if len(langs) >= 2:
            t.add("claim_shared_gold")
            t.add("claim_shared_found", c in found)
    for i, ((a1, s1), c1) in enumerate(items):
        for (a2, s2), c2 in items[i + 1 :]:
            if a1 == a2:
                continue
            key = "x" if lang[a1] != lang[a2] else "s"
            p1, p2 = cluster_of.get((a1, s1)), cluster_of.get((a2, s2))
            gold_same = bool(c1 & c2)
            pred_same = p1 is not None and p1 == p2
            t.add(f"claim_{key}_gold", gold_same)
            t.add(f"claim_{key}_pred", pred_same)
            t.add(f"claim_{key}_tp", gold_same and pred_same)


# -- entities -------------------------------------------------------------------------------------
# News outlets and agencies the annotators marked as organisations. The brief never makes an
# outlet an entity (a byline or "Reuters reported" is a source, not an actor), so they are not
# expected; every other organisation is.
OUTLETS = frozenset(
    {
        "AFP", "Agence France-Presse", "Al Arabiya", "Al Jazeera", "Al Mayadeen",
        "Anadolu Agency", "Associated Press", "Associated Press of Pakistan", "BelTA",
        "Haberturk", "IRNA", "Islam Times", "Kommersant", "LBCI", "Lebanon Today", "MTV Lebanon",
        "Matryoshka News", "Mehr News Agency", "Moj News Agency", "North Press Agency",
        "Office Life", "Pakistan Point News", "RBC", "RIA Novosti", "Report.az", "Reuters",
        "Sky News Arabia", "TASS", "Tasnim News Agency", "UrduPoint", "ZUMA Press",
    }
)  # fmt: skip


def score_entities(gold: Gold, brief: bt.Brief, t: Tally) -> None:
    lang = {a["id"]: a["language"] for a in gold.articles}
    want: dict[tuple[str, str], list[str]] = defaultdict(list)  # (article, name) -> forms
    names_langs: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in gold.articles:
        for row in a["entities"]:
            if in_furniture(a, row) or row["name"] in OUTLETS:
                continue  # names in captions and bylines, and outlets, are not expected
            form = gold.span(a["id"], row)
            want[(a["id"], row["name"])].append(form)
            names_langs[row["name"]][a["language"]].append(form)
    found: list[tuple[bt.Entity, str, str]] = []  # entity, article, form
    for e in brief.entities:
        by_lang = {sf.language: sf.forms for sf in e.surface_forms}
        for aid in e.article_ids:
            for f in by_lang.get(lang.get(aid, ""), ()):
                found.append((e, aid, f))
    for (aid, _name), forms in want.items():
        hit = any(a == aid and any(_form_matches(g, f) for g in forms) for _, a, f in found)
        t.add(f"ent_{lang[aid]}_gold")
        t.add(f"ent_{lang[aid]}_hit", hit)
    # Cross-script: a name annotated in 2+ languages is joined when one brief entity carries a
    # matching form in each of them.
    for _name, per_lang in names_langs.items():
        if len(per_lang) < 2:
            continue
        t.add("ent_cross_gold")
        joined = any(
            all(
                any(
                    _form_matches(g, f)
                    for sf in e.surface_forms
                    if sf.language == lg
                    for f in sf.forms
                    for g in gforms
                )
                for lg, gforms in per_lang.items()
            )
            for e in brief.entities
        )
        t.add("ent_cross_hit", joined)
    every_form = [f for forms in want.values() for f in forms]
    for e in brief.entities:
        t.add("ent_found")
        mine = [f for sf in e.surface_forms for f in sf.forms]
        if not any(_form_matches(g, f) for g in every_form for f in mine):
            t.add("ent_junk")


# -- figures --------------------------------------------------------------------------------------
def score_figures(gold: Gold, brief: bt.Brief, t: Tally) -> None:
    want: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in gold.articles:
        for row in a["figures"]:
            if not in_furniture(a, row):
                want[a["id"]].append(row)
    hit_gold: set[tuple[str, int]] = set()
    for f in brief.figures:
        t.add("fig_found")
        ok = False
        for k, row in enumerate(want.get(f.article_id, [])):
            if abs(float(row["value"]) - f.value) < 1e-6 and count_key(row["counts"]) == count_key(
                f.counted
            ):
                ok = True
                hit_gold.add((f.article_id, k))
        t.add("fig_correct", ok)
    t.add("fig_gold", sum(len(v) for v in want.values()))
    t.add("fig_gold_hit", len(hit_gold))
    # Same-thing disagreements between articles: counts (not measures such as km or days) that
    # two articles give with incompatible values and bounds; the brief should flag each.
    by_key: dict[str, list[tuple[str, tuple[float, str]]]] = defaultdict(list)
    for aid, rows in want.items():
        for row in rows:
            # Annotated as the same thing: "firefighters killed" is not "killed" (a sub-count).
            key = count_key(row["counts"])
            if key not in _MEASURES:
                fig = (float(row["value"]), str(row.get("bound", "exact")))
                by_key[norm(row["counts"])].append((aid, fig))
    flagged = {
        (count_key(c.counted), f.article_id, f.value)
        for c in brief.figure_conflicts
        for f in c.figures
    }
    for thing, vals in by_key.items():
        key = count_key(thing)
        pairs = {
            ((a, x[0]), (b, y[0]))
            for a, x in vals
            for b, y in vals
            if a < b and not gold_compatible(x, y)
        }
        for p, q in pairs:
            if VERBOSE and not ((key, *p) in flagged and (key, *q) in flagged):
                print(f"    unflagged {key}: {p} vs {q}")
            t.add("fig_disagree")
            t.add(
                "fig_disagree_flagged",
                (key, p[0], p[1]) in flagged and (key, q[0], q[1]) in flagged,
            )


# -- quotes ---------------------------------------------------------------------------------------
def score_quotes(gold: Gold, brief: bt.Brief, t: Tally) -> None:
    for a in gold.articles:
        mine = [q for q in brief.quotes if q.article_id == a["id"]]
        for row in a["quotes"]:
            if in_furniture(a, row):
                continue
            span = gold.span(a["id"], row)
            t.add("quote_gold")
            best = max(mine, key=lambda q: overlap(span, q.text), default=None)
            if best is None or overlap(span, best.text) < 0.5:
                continue
            t.add("quote_found")
            t.add("quote_speaker_ok", _name_matches(row.get("speaker", ""), best.speaker))


# -- furniture ------------------------------------------------------------------------------------
def _outputs(brief: bt.Brief) -> Iterable[tuple[str, str]]:
    yield "headline", brief.headline
    yield "summary", brief.summary
    for k in brief.key_points:
        yield "key_point", k.text
        for s in k.support:
            yield "support", s.sentence
    for q in brief.quotes:
        yield "quote", q.text


def furniture_leaks(gold: Gold, brief: bt.Brief) -> list[str]:
    """Annotated furniture found in the brief. A furniture line that repeats the article's own
    prose (a headline printed twice) is not a leak when the prose copy is what reached the brief,
    so only text that occurs in furniture alone counts."""
    leaks = []
    lang = {a["id"]: a["language"] for a in gold.articles}
    for a in gold.articles:
        text = gold.texts[a["id"]]
        spans = [(r["start"], r["end"]) for r in a["furniture"]]
        prose = list(text)
        for s, e in spans:
            prose[s:e] = " " * (e - s)
        prose_norm = norm("".join(prose))
        for r in a["furniture"]:
            piece = norm(gold.span(a["id"], r))
            if len(piece) < 6 or piece in prose_norm:
                continue
            for where, out in _outputs(brief):
                o = norm(out)
                # A one-word furniture line ("Istanbul") may also be a word of prose: only
                # longer pieces count when found inside an output.
                if (len(piece.split()) >= 3 and piece in o) or (
                    len(o) >= 12 and o in piece and o not in prose_norm
                ):
                    leaks.append(f"{a['id']} -> {where}: {piece[:50]}")
        # An entity whose every occurrence (any of its forms) in this article lies in furniture
        # came from it.
        for e in brief.entities:
            if a["id"] not in e.article_ids:
                continue
            places = [
                m.start()
                for sf in e.surface_forms
                if sf.language == lang[a["id"]]
                for f in sf.forms
                for m in re.finditer(re.escape(f), text)
            ]
            if places and all(any(s <= p < e_ for s, e_ in spans) for p in places):
                leaks.append(f"{a['id']} -> entity {e.name!r}")
    return leaks


# -- output language ------------------------------------------------------------------------------
def _script_language(text: str) -> str:
    ar = len(re.findall(r"[\u0600-\u06FF]", text))
    ru = len(re.findall(r"[\u0400-\u04FF]", text))
    en = len(re.findall(r"[A-Za-z]", text))
    return max((ar, "ar"), (ru, "ru"), (en, "en"))[1] if (ar or ru or en) else ""


def score_language(brief: bt.Brief, target: str, langs: set[str], t: Tally) -> None:
    if target not in langs:
        return
    for part in ("headline", "summary"):
        text = getattr(brief, part)
        t.add(f"{part}_lang_checked")
        t.add(f"{part}_lang_ok", _script_language(text) == target)


# -- running -------------------------------------------------------------------------------------
async def run_story(engine: Engine, story: str, verbose: bool) -> tuple[Tally, list[str]]:
    gold, articles = load_story(story)
    t = Tally()
    builder = engine.brief_builder
    t0 = time.perf_counter()
    groups = await asyncio.to_thread(builder.claim_groups, articles)
    score_claims(gold, groups, t)
    briefs: dict[str, bt.Brief] = {}
    for target in TARGETS:
        s = time.perf_counter()
        briefs[target] = await engine.brief(bt.BriefJob(tuple(articles), target, 8))
        t.add("brief_s", time.perf_counter() - s)
        t.add("briefs")
        score_language(briefs[target], target, {a.language for a in articles}, t)
    t.add("total_s", time.perf_counter() - t0)
    en = briefs["en"]
    score_entities(gold, en, t)
    score_figures(gold, en, t)
    score_quotes(gold, en, t)
    leaks = sorted({leak for b in briefs.values() for leak in furniture_leaks(gold, b)})
    t.add("furniture_gold", sum(len(a["furniture"]) for a in gold.articles))
    t.add("furniture_leaks", len(leaks))
    t.add("articles", len(articles))
    if verbose:
        print(f"--- {story}: en headline: {en.headline}")
        for leak in leaks:
            print(f"    leak {leak}")
    return t, leaks


def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:5.2f}"


ROWS: Sequence[tuple[str, str, str]] = (
    ("claim x-lang precision", "claim_x_tp", "claim_x_pred"),
    ("claim x-lang recall", "claim_x_tp", "claim_x_gold"),
    ("shared claims found across languages", "claim_shared_found", "claim_shared_gold"),
    ("claim same-lang precision", "claim_s_tp", "claim_s_pred"),
    ("claim same-lang recall", "claim_s_tp", "claim_s_gold"),
    ("entity recall en", "ent_en_hit", "ent_en_gold"),
    ("entity recall ru", "ent_ru_hit", "ent_ru_gold"),
    ("entity recall ar", "ent_ar_hit", "ent_ar_gold"),
    ("entity cross-script join", "ent_cross_hit", "ent_cross_gold"),
    ("entity junk share", "ent_junk", "ent_found"),
    ("figure precision", "fig_correct", "fig_found"),
    ("figure recall", "fig_gold_hit", "fig_gold"),
    ("disagreements flagged", "fig_disagree_flagged", "fig_disagree"),
    ("quote recall", "quote_found", "quote_gold"),
    ("quote attribution accuracy", "quote_speaker_ok", "quote_found"),
    ("headline in target language", "headline_lang_ok", "headline_lang_checked"),
    ("summary in target language", "summary_lang_ok", "summary_lang_checked"),
)


def table(tallies: dict[str, Tally]) -> tuple[str, dict[str, dict[str, float | None]]]:
    total = Tally()
    for tl in tallies.values():
        for k, v in tl.n.items():
            total.add(k, v)
    cols = {**tallies, "ALL": total}
    out: dict[str, dict[str, float | None]] = {c: {} for c in cols}
    width = max(len(r[0]) for r in ROWS) + 2
    lines = ["".ljust(width) + "".join(c[:12].rjust(13) for c in cols)]
    for label, num, den in ROWS:
        vals = [tl.ratio(num, den) for tl in cols.values()]
        for c, r in zip(cols, vals, strict=True):
            out[c][label] = r
        lines.append(label.ljust(width) + "".join(_fmt(r).rjust(13) for r in vals))
    for label, key in (("furniture leaks", "furniture_leaks"), ("articles", "articles")):
        vals2 = [tl.n[key] for tl in cols.values()]
        for c, v2 in zip(cols, vals2, strict=True):
            out[c][label] = v2
        lines.append(label.ljust(width) + "".join(f"{v:5.0f}".rjust(13) for v in vals2))
    vals3 = [tl.ratio("brief_s", "briefs") for tl in cols.values()]
    for c, v3 in zip(cols, vals3, strict=True):
        out[c]["seconds per brief"] = v3
    lines.append("seconds per brief".ljust(width) + "".join(_fmt(v).rjust(13) for v in vals3))
    return "\n".join(lines), out


async def main_async(stories: list[str], out: Path | None, verbose: bool) -> None:
    engine = Engine(
        Settings(
            models_dir=ROOT / "bench" / ".cache" / "no-models",
            manifest=ROOT / "models" / "manifest.toml",
            cache_path="",  # "seconds per brief" of a cold brief, not of the last run's cache
        )
    )
    engine.load()
    tallies = {}
    for story in stories:
        tallies[story], _ = await run_story(engine, story, verbose)
    text, data = table(tallies)
    if MISSING:
        text += f"\nscored without {len(MISSING)} annotated pages not in {DATA}:\n  "
        text += "\n  ".join(MISSING)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, indent=1) + "\n")
    await engine.close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Score the brief on the real-article dev set.")
    p.add_argument("--stories", default="", help="comma-separated; default: every annotated one")
    p.add_argument("--json", type=Path, default=RESULTS / "quality.json")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    global VERBOSE
    VERBOSE = args.verbose
    stories = (
        args.stories.split(",")
        if args.stories
        else sorted(f.stem for f in ANNOTATIONS.glob("*.json") if (DATA / f.stem).is_dir())
    )
    asyncio.run(main_async(stories, args.json, args.verbose))
