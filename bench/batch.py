"""Speed and memory of `dragoman batch`, in one run: a synthetic mixed feed, the cold run, the
floor (the feed's distinct sentences embedded once), warm re-runs, wire copy, Ray.

    .venv/bin/python -m bench.batch [--articles 10000] [--out bench/results-batch.txt]
                                    [--skip cold,warm,floor,dups,ray,scale] [--keep]

  1. feed: N articles (JSON Lines under bench/.cache/batch/) built from the repo's fixture
     articles (examples/ceasefire, tests/fixtures/{feed,parallel,unrelated}): story kinds in
     ru/en/ar, each story its own cast (people, invented places, figures) substituted into the
     fixture sentences and into filler sentences (bench/synthetic.py's templates and a few of
     this file's), sentence order and length varied, attributed to outlets so that sentences
     are distinct, page furniture kept, published_time spread over --days; story sizes from
     1 to 40 (about half single articles). Deterministic for --seed; written as generated.
  2. cold: `dragoman batch FEED --out DIR --cache-path FILE` in a fresh process, fresh output
     and cache: wall seconds, articles/s, peak RSS (wait4 ru_maxrss), where the time goes.
  3. floor: every distinct sentence of the feed (split as the pipeline splits: clean_page,
     split_sentences, cap_sentences; plus the titles clustering embeds) embedded once by the
     same E5Embedder (1 thread, as the batch) in a fresh process; floor / cold.
  4. warm: the same command again (state and cache there): seconds and cold / warm; then the
     output folder removed but the cache kept (cache-only): seconds.
  5. dups: the same feed with ~30% of the sentences an agency's wire copy repeated across a
     story's articles vs the feed without repeats (the same draws, each sentence distinct):
     cold seconds of each and the ratio. --repeat is the share of article sentences that take
     the wire's (6 a story and language); 0.6 makes ~30% of the feed's sentences repeats.
  6. ray: when `dragoman batch --help` lists --ray, the cold run with --ray-args (default
     `--ray`): throughput and overhead vs local; else skipped.
  7. scale (below 10,000 articles only): clustering alone on the cold run's real features
     replicated up to 10,000 articles (distinct actors per copy, so copies are other stories),
     each size doubling until one runs past --scale-cap: seconds per size, to see how fast it
     grows with the feed.

The batch processes run as an installed package does (bytecode in bench/.cache/pycache), with
no translation model (--models none, the default: briefs are embedded models only; --models
installed uses the configured ones), metrics off. Each is `python -m bench.batch _batch ...`,
which times the phases (features: clean+split, e5, entities; clustering; briefs) around
`dragoman.cli.main` - the same code path as the `dragoman` script (--plain runs the script).
Every timed part also prints what it would take for 10,000 articles when run smaller: its
fixed cost (start, model loads) plus the rest scaled linearly, clustering as the scale part
extrapolates it (rough).

Time: --articles 150 takes ~6 min on 2 cores. At 10,000 count hours: the floor alone is ~1 h
(e5, ~32 ms a sentence), and the cold, warm, cache-only, wire-copy and --ray runs each cluster
the whole feed again; --articles 2500 or --skip ray,dups first shows what a full run will cost.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import pickle
import platform
import random
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
WORK = CACHE / "batch"
PY = sys.executable
TEN_K = 10_000
MB = 1024 * 1024
TARGETS = {"rss_mb": 2048.0, "floor": 0.7, "warm": 10.0, "dups": 1.3}
PARTS = ("cold", "warm", "floor", "dups", "ray", "scale")
LANGS = ("en", "ru", "ar")
LANG_WEIGHTS = {"en": 0.4, "ru": 0.35, "ar": 0.25}
EPOCH = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
MAX_STORY = 40
POOL = 6  # sentences of a story's wire copy per language

# -- the feed ----------------------------------------------------------------------------------

# Fixture articles by story kind (feed.jsonl by id prefix).
KIND_FILES: dict[str, list[str]] = {
    "ceasefire": ["examples/ceasefire/*.json", "tests/fixtures/parallel/*.json"],
    "sport": ["tests/fixtures/unrelated/football.json"],
    "recipe": ["tests/fixtures/unrelated/recipe.json"],
    "weather": ["tests/fixtures/unrelated/weather.json"],
}
FEED_KINDS = {"flood": "flood", "vote": "vote", "mine": "mine", "match": "sport", "phone": "phone"}
KIND_WEIGHTS = {
    "ceasefire": 0.3,
    "flood": 0.14,
    "vote": 0.14,
    "mine": 0.14,
    "sport": 0.1,
    "phone": 0.06,
    "recipe": 0.06,
    "weather": 0.06,
}
NEWS_KINDS = {"ceasefire", "flood", "vote", "mine"}  # filled with bench/synthetic.py's templates

# Invented place names, the same in three scripts: syllables and a final consonant (a Russian
# masculine noun: declined by endings).
SYLLABLES = [
    ("ka", "ка", "كا"),
    ("ro", "ро", "رو"),
    ("mi", "ми", "مي"),
    ("ta", "та", "تا"),
    ("le", "ле", "لي"),
    ("no", "но", "نو"),
    ("sa", "са", "سا"),
    ("vi", "ви", "في"),
    ("do", "до", "دو"),
    ("ra", "ра", "را"),
    ("lu", "лу", "لو"),
    ("be", "бе", "بي"),
    ("ze", "зе", "زي"),
    ("ha", "ха", "ها"),
    ("mo", "мо", "مو"),
    ("ni", "ни", "ني"),
    ("to", "то", "تو"),
    ("ga", "га", "غا"),
]
FINALS = [
    ("n", "н", "ن"),
    ("r", "р", "ر"),
    ("l", "л", "ل"),
    ("sk", "ск", "سك"),
    ("d", "д", "د"),
    ("v", "в", "ف"),
    ("m", "м", "م"),
    ("t", "т", "ت"),
]
FEM_TO_MASC = {"а": "", "у": "", "ы": "а", "е": "е"}
SAME = {"": "", "а": "а", "у": "у", "е": "е", "ом": "ом"}

# The fixtures' names -> the story's cast: (pattern, replacement, Russian ending map or None).
Rule = tuple[str, str, dict[str, str] | None]
RULES: dict[str, dict[str, list[Rule]]] = {
    "ceasefire": {
        "en": [
            (r"\bJohn Kerry\b", "{A}", None),
            (r"\bDmitry Peskov\b", "{B}", None),
            (r"\bPeskov\b", "{B_last}", None),
            (r"\bKerry\b", "{A_last}", None),
            (r"\bAleppo\b", "{P1}", None),
            (r"\bDeir ez-Zor\b", "{P2}", None),
        ],
        "ru": [
            (r"Дмитрий Песков", "{B}", None),
            (r"Игорь Конашенков", "{C}", None),
            (r"Песков(?:а|ым|у)?", "{B_last}", None),
            (r"Керри", "{A_last}", None),
            (r"Алеппо", "{P1}", None),
            (r"Дейр-эз-Зор(ом|а|е)?", "{P2}{end}", SAME),
        ],
        "ar": [
            (r"جون كيري", "{A}", None),
            (r"دميتري بيسكوف", "{B}", None),
            (r"إيغور كوناشينكوف", "{C}", None),
            (r"بيسكوف", "{B_last}", None),
            (r"كيري", "{A_last}", None),
            (r"حلب", "{P1}", None),
            (r"دير الزور", "{P2}", None),
        ],
    },
    "flood": {
        "en": [
            (r"\bAnton Krell\b", "{A}", None),
            (r"\bKrell\b", "{A_last}", None),
            (r"\bValmora\b", "{P1}", None),
            (r"\bHessel\b", "{P2}", None),
        ],
        "ru": [
            (r"Антон Крелл", "{A}", None),
            (r"Вальмор(а|у|ы|е)", "{P1}{end}", FEM_TO_MASC),
            (r"Хессельской плотины", "плотины {P2_gen}", None),
        ],
        "ar": [(r"أنطون كريل", "{A}", None), (r"فالمورا", "{P1}", None), (r"هيسل", "{P2}", None)],
    },
    "vote": {
        "en": [
            (r"\bMira Oston\b", "{A}", None),
            (r"\bPavel Dunaj\b", "{B}", None),
            (r"\bDunaj\b", "{B_last}", None),
            (r"\bKarstad\b", "{P1}", None),
        ],
        "ru": [
            (r"Мира Остон", "{A}", None),
            (r"Павлом Дунаем", "{B}", None),
            (r"Карстад(е|а|у)?", "{P1}{end}", SAME),
        ],
        "ar": [
            (r"ميرا أوستون", "{A}", None),
            (r"بافل دوناي", "{B}", None),
            (r"كارستاد", "{P1}", None),
        ],
    },
    "mine": {
        "en": [
            (r"\bLena Sarik\b", "{A}", None),
            (r"\bDravna\b", "{P1}", None),
            (r"\bNordkohle\b", "{P2_en} Coal", None),
        ],
        "ru": [
            (r"Лена Сарик", "{A}", None),
            (r"Дравна", "{P1}", None),
            (r"Nordkohle", "{P2_en} Coal", None),
        ],
        "ar": [
            (r"لينا ساريك", "{A}", None),
            (r"درافنا", "{P1}", None),
            (r"نوردكوله", "{P2}", None),
        ],
    },
    "sport": {
        "en": [
            (r"\bTom Ellery\b", "{A}", None),
            (r"\bWestbury\b", "{P1}", None),
            (r"\bHarbour City\b", "{P2} City", None),
        ]
    },
    "phone": {"ru": [(r"Lumio", "{P1_en}", None)]},
    "weather": {"ru": [(r"Москв(е|а|у|ы)", "{P1}{end}", FEM_TO_MASC)]},
}

# Filler sentences of the kinds bench/synthetic.py's (war news) templates do not fit.
SOFT_TEMPLATES: dict[str, list[str]] = {
    "sport": [
        "{A} scored in the {n2}th minute as {P1} beat {P2} at home on {day} {month}.",
        "The {P1} manager {B} said his side had worked for {n2} days on set pieces.",
        "A crowd of {n} watched the match in {P1}, the club said.",
        "{P2} coach {C} said the defeat would not change the team's plans for the cup.",
        "{A_last} has now scored {n2} goals in {n} appearances for {P1}.",
    ],
    "recipe": [
        "شاركت الطاهية {A} من {P1} وصفة تقدمها عائلتها منذ {n2} عاما.",
        "تحتاج الوصفة إلى {n} غراما من البرغل و{n2} غراما من اللحم بحسب {A}.",
        "وقالت {B} إن الطبق يقدم في {P1} في المناسبات العائلية منذ {day} {month}.",
        "ويستغرق التحضير نحو {n2} دقيقة في مطبخ {C} في {P2}.",
    ],
    "weather": [
        "По прогнозу синоптиков, в {P1_prep} выпадет до {n2} сантиметров снега.",
        "Руководитель гидрометцентра {A} предупредил о гололёде на дорогах {P1_gen}.",
        "В {P1_prep} на уборку снега выведут {n} единиц техники, сообщил {B}.",
        "Морозы продержатся не менее {n2} дней, заявил {C} {day} {month}.",
    ],
    "phone": [
        "Генеральный директор {P1_en} {A} заявил, что продажи начнутся {day} {month}.",
        "Смартфон получит экран диагональю {n2} см и камеру на {n} мегапикселей.",
        "Аналитик {B} считает, что компания продаст не менее {n} тысяч устройств.",
        "Презентация прошла в {P2_prep}, сообщила пресс-служба {P1_en}, добавил {C}.",
    ],
}

# How an outlet attributes a sentence (the sentence's final full stop replaced).
ATTRIBUTIONS: dict[str, list[str]] = {
    "en": [", {src} reported.", ", according to {src}.", ", {src} said on {weekday}."],
    "ru": [", сообщает {src}.", ", передаёт {src}.", ", пишет {src} в {weekday}."],
    "ar": ["، بحسب {src}.", "، وفق ما نقلت {src}.", "، كما أفادت {src} يوم {weekday}."],
}
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "ru": ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье"],
    "ar": ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"],
}
# The agency whose wire copy outlets repeat (the dups feed).
WIRES = {"en": "Global Wire", "ru": "агентство «Новости Москвы»", "ar": "وكالة الأنباء العربية"}
OUTLET_NOUNS = {
    "en": ["Herald", "Times", "Post", "Courier", "Observer", "Gazette", "Tribune", "Daily"],
    "ru": ["Вестник", "Курьер", "Новости", "Листок", "Обозреватель", "Хроника"],
    "ar": ["صحيفة", "وكالة", "قناة", "موقع", "جريدة", "إذاعة"],
}
TITLE_CREDIT = {"en": " | {o}", "ru": " — {o}", "ar": " - {o}"}


@dataclass(frozen=True)
class Seed:
    """One fixture article, cleaned and split."""

    kind: str
    language: str  # as declared ('' in a fixture without one: the batch detects it)
    real_language: str
    title: str
    sentences: tuple[str, ...]
    header: tuple[str, ...]  # page furniture before the body, as the fixture has it
    footer: tuple[str, ...]


@dataclass
class FeedStats:
    articles: int = 0
    stories: int = 0
    sentences: int = 0  # as generated (the pipeline's split may differ a little)
    repeated: int = 0  # sentences that occur earlier in the feed
    chars: int = 0
    by_language: Counter[str] = field(default_factory=Counter)
    story_sizes: Counter[int] = field(default_factory=Counter)


def _fixture_articles() -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, patterns in KIND_FILES.items():
        for pattern in patterns:
            for path in sorted(ROOT.glob(pattern)):
                data = json.loads(path.read_text(encoding="utf-8"))
                for d in data if isinstance(data, list) else [data]:
                    yield kind, d
    for line in (ROOT / "tests" / "fixtures" / "feed" / "feed.jsonl").read_text().splitlines():
        if line.strip():
            d = json.loads(line)
            yield FEED_KINDS[d["id"].split("-")[0]], d


def load_seeds() -> dict[str, dict[str, list[Seed]]]:
    """kind -> language -> its fixture articles."""
    from dragoman.brief.clean import clean_page, clean_title
    from dragoman.text import split_sentences

    seeds: dict[str, dict[str, list[Seed]]] = defaultdict(lambda: defaultdict(list))
    for kind, d in _fixture_articles():
        declared = d.get("language", "")
        lang = declared or "en"  # the one fixture without a language is English
        clean = clean_page(d["text"])
        title = clean_title(d.get("title", ""))
        sentences = [s.text for s in split_sentences(clean, lang)]
        if title and sentences and sentences[0].startswith(title):
            sentences = sentences[1:]
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", d["text"]) if p.strip()]
        kept = [i for i, p in enumerate(paragraphs) if p.split("\n")[0][:40] in clean]
        first, last = (kept[0], kept[-1]) if kept else (0, len(paragraphs) - 1)
        seeds[kind][lang].append(
            Seed(
                kind,
                declared,
                lang,
                d.get("title", ""),
                tuple(sentences),
                tuple(paragraphs[:first]),
                tuple(paragraphs[last + 1 :]),
            )
        )
    return {k: dict(v) for k, v in seeds.items()}


def _place(rng: random.Random, taken: set[str] | None = None) -> tuple[str, str, str]:
    """An invented name in three scripts. With `taken`, one whose consonants no earlier name
    of the feed has (v3: in v2 names were drawn freely, and at 10,000 articles each two-syllable
    name, 2,592 of them, fell to three or four stories, so unrelated stories shared their
    people and places - and names alike in consonants are one name to any matcher)."""
    for attempt in range(1000):
        syllables = rng.choice((2, 2, 3)) + attempt // 50  # longer when the short ones run out
        parts = [rng.choice(SYLLABLES) for _ in range(syllables)] + [rng.choice(FINALS)]
        en, ru, ar = ("".join(p[i] for p in parts) for i in range(3))
        key = re.sub("[aeiou]", "", en)
        if taken is None or key not in taken:
            if taken is not None:
                taken.add(key)
            return en.capitalize(), ru.capitalize(), ar
    raise RuntimeError("no new name left")


class Generator:
    """The feed's stories and articles; each article from its own seeded random stream, so the
    feeds with and without wire copy differ only in the wire-copy sentences."""

    def __init__(self, seed: int, sentences: int, days: float, repeat: float) -> None:
        from bench import synthetic

        self.syn = synthetic
        self.seed = seed
        self.mean = sentences
        self.days = days
        self.repeat = repeat
        self.seeds = load_seeds()
        rng = random.Random(f"outlets-{seed}")
        self.outlets: dict[str, list[str]] = {}
        for lang in LANGS:
            names = []
            for _ in range(150):
                p = _place(rng)
                noun = rng.choice(OUTLET_NOUNS[lang])
                names.append(
                    f"The {p[0]} {noun}"
                    if lang == "en"
                    else f"«{noun} {p[1]}а»"
                    if lang == "ru"
                    else f"{noun} {p[2]}"
                )
            self.outlets[lang] = names
        self.outlet_weights = [1.0 / (i + 1) ** 0.8 for i in range(150)]
        self.first = {lang: synthetic.FIRST[lang].split() for lang in LANGS}

    # -- stories --------------------------------------------------------------------------------
    def stories(self, n_articles: int) -> list[dict[str, Any]]:
        """Lightweight story records (kind, cast, article times and languages) up to n."""
        rng = random.Random(f"stories-{self.seed}")
        kinds = list(KIND_WEIGHTS)
        weights = list(KIND_WEIGHTS.values())
        span_h = self.days * 24.0
        out: list[dict[str, Any]] = []
        taken: set[str] = set()
        total = 0
        while total < n_articles:
            size = min(MAX_STORY, int(rng.paretovariate(1.1)), n_articles - total)
            kind = rng.choices(kinds, weights)[0]
            langs = list(self.seeds[kind])
            w = [LANG_WEIGHTS[x] for x in langs]
            start = rng.uniform(0, max(1.0, span_h - 2))
            times = [start] + [
                min(span_h, start + rng.expovariate(1 / 6.0)) for _ in range(size - 1)
            ]
            out.append(
                {
                    "i": len(out),
                    "kind": kind,
                    "langs": [rng.choices(langs, w)[0] for _ in range(size)],
                    "times": times,
                    "places": (_place(rng, taken), _place(rng, taken)),
                    # given names from the shared list, surnames invented as places are:
                    # each story its own people, as real stories have (with 20 shared
                    # surnames, thousands of stories shared their actors and chained)
                    "people": [
                        (rng.randrange(len(self.first["en"])), _place(rng, taken)) for _ in "ABC"
                    ],
                }
            )
            total += size
        return out

    def cast(self, story: dict[str, Any], lang: str) -> dict[str, str]:
        k = LANGS.index(lang)
        (p1, p2), people = story["places"], story["people"]
        c = {"P1": p1[k], "P2": p2[k], "P1_en": p1[0], "P2_en": p2[0]}
        for name, p in (("P1", p1), ("P2", p2)):
            c[f"{name}_gen"] = p[1] + "а" if lang == "ru" else p[k]
            c[f"{name}_prep"] = p[1] + "е" if lang == "ru" else p[k]
        for name, (i, surname) in zip("ABC", people, strict=True):
            c[f"{name}_last"] = surname[k]
            c[name] = f"{self.first[lang][i]} {surname[k]}"
        return c

    # -- sentences ------------------------------------------------------------------------------
    def substitute(self, text: str, kind: str, lang: str, cast: dict[str, str]) -> str:
        """The fixture's names -> the story's cast, in one pass (placeholders first)."""
        values: list[str] = []
        for pattern, template, ends in RULES.get(kind, {}).get(lang, []):

            def hold(m: re.Match[str], template: str = template, ends: Any = ends) -> str:
                end = ends.get(m.group(1) or "", "") if ends is not None else ""
                values.append(template.format(end=end, **cast))
                return f"\x00{len(values) - 1}\x00"

            text = re.sub(pattern, hold, text)
        return re.sub(r"\x00(\d+)\x00", lambda m: values[int(m.group(1))], text)

    def numbers(self, text: str, story: int, rng: random.Random) -> str:
        """Every figure the story's own (consistent across its articles); now and then an
        outlet's figure differs (10%)."""

        def new(m: re.Match[str]) -> str:
            v = int(m.group())
            jitter = rng.random() < 0.1  # drawn for every figure: the same draws in both feeds
            if 1900 <= v <= 2100 or len(m.group()) > 6:
                return m.group()
            r = rng if jitter else random.Random(f"{self.seed}-{story}-{v}")
            return str(max(1, round(v * r.uniform(0.4, 2.5))))

        return re.sub(r"\d+", new, text)

    def templates(self, kind: str, lang: str) -> list[str]:
        return list(self.syn.TEMPLATES[lang] if kind in NEWS_KINDS else SOFT_TEMPLATES[kind])

    def filler(
        self, kind: str, lang: str, cast: dict[str, str], rng: random.Random, template: int
    ) -> str:
        """A sentence of the story's cast from one of the kind's filler templates."""
        names = [cast["A"], cast["B"], cast["C"]]
        values = {
            **cast,
            "person": rng.choice(names),
            "person2": rng.choice(names),
            "place": rng.choice((cast["P1_prep"], cast["P2_prep"])),
            "org": rng.choice(self.syn.ORGS[lang]),
            "n": rng.randint(2, 990),
            "n2": rng.randint(2, 90),
            "day": rng.randint(1, 28),
            "month": rng.choice(self.syn.MONTHS[lang]),
        }
        templates = self.templates(kind, lang)
        return templates[template % len(templates)].format(**values)

    def pool(self, story: dict[str, Any], lang: str) -> list[str]:
        """The agency's wire copy of a story in one language: sentences outlets repeat (none
        of them a fixture sentence, so an article never holds one twice)."""
        rng = random.Random(f"pool-{self.seed}-{story['i']}-{lang}")
        cast = self.cast(story, lang)
        n = len(self.templates(story["kind"], lang))
        order = [t % n for t in rng.sample(range(max(n, POOL)), POOL)]
        return [self.filler(story["kind"], lang, cast, rng, t) for t in order]

    # -- articles -------------------------------------------------------------------------------
    def article(
        self, story: dict[str, Any], k: int, wire: bool, seen: set[int], stats: FeedStats
    ) -> dict[str, str]:
        """Article k of a story. `wire`: the agency slots repeat the agency's sentence verbatim;
        else each is attributed to this outlet (distinct). `seen`: digests of the sentences
        so far (every other sentence is made distinct of them)."""
        kind, lang, i = story["kind"], story["langs"][k], story["i"]
        rng = random.Random(f"article-{self.seed}-{i}-{k}")
        cast = self.cast(story, lang)
        seed = rng.choice(self.seeds[kind][lang])
        outlet = rng.choices(self.outlets[lang], self.outlet_weights)[0]
        n = max(3, min(3 * self.mean, round(rng.gauss(self.mean, self.mean / 3))))
        body = [self.numbers(self.substitute(s, kind, lang, cast), i, rng) for s in seed.sentences]
        lead, rest = body[:1], [s for s in body[1:] if rng.random() > 0.15]
        for j in range(len(rest) - 1):  # a light reordering
            if rng.random() < 0.3:
                rest[j], rest[j + 1] = rest[j + 1], rest[j]
        slots = lead + rest
        while len(slots) < n:
            slots.insert(rng.randint(min(2, len(slots)), len(slots)), "")  # filler, below
        slots = slots[:n]
        pool = self.pool(story, lang)
        picks = rng.sample(range(len(pool)), len(pool))
        order = rng.sample(range(len(self.templates(kind, lang))), len(self.templates(kind, lang)))
        sentences: list[str] = []
        for j, s in enumerate(slots):
            agency = j > 0 and rng.random() < self.repeat and bool(picks)
            # drawn for every slot (used when the slot is empty): the same draws in both feeds
            filler = self.filler(kind, lang, cast, rng, order[j % len(order)])
            weekday = rng.randrange(7)
            if agency:
                s = pool[picks.pop()]
                if wire:
                    s = self.attribute(s, lang, WIRES[lang], 0, weekday)
                    digest = _digest(s)
                    stats.repeated += digest in seen
                    seen.add(digest)
                    sentences.append(s)
                    continue
            sentences.append(self.distinct(s or filler, lang, outlet, weekday, seen, agency))
        title = self.numbers(self.substitute(seed.title, kind, lang, cast), i, rng)
        if rng.random() < 0.3:
            title += TITLE_CREDIT[lang].format(o=outlet)
        paragraphs: list[str] = []
        j = 0
        while j < len(sentences):
            step = rng.randint(1, 3)
            paragraphs.append(" ".join(sentences[j : j + step]))
            j += step
        if rng.random() < 0.5:
            paragraphs = list(seed.header) + paragraphs + list(seed.footer)
        hours = story["times"][k]
        published = EPOCH + dt.timedelta(hours=hours, seconds=rng.randrange(3600))
        declared = seed.language if rng.random() > 0.05 else ""
        stats.sentences += len(sentences)
        stats.by_language[lang] += 1
        text = "\n\n".join(paragraphs)
        stats.chars += len(text)
        return {
            "id": f"syn-{i}-{k}",
            "language": declared,
            "published_time": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "title": title,
            "outlet": outlet,
            "url": f"https://example.org/{lang}/{i}/{k}",
            "text": text,
        }

    def attribute(self, s: str, lang: str, src: str, variant: int, weekday: int) -> str:
        forms = ATTRIBUTIONS[lang]
        tail = forms[variant % len(forms)].format(src=src, weekday=WEEKDAYS[lang][weekday])
        if variant >= len(forms):  # every form taken: the update's time makes it distinct
            tail = tail[:-1] + f" ({variant // len(forms):02d}:{variant % 60:02d})."
        return s[:-1] + tail if s.endswith(".") else f"{s} ({tail.strip(' ,،.')})"

    def distinct(
        self, s: str, lang: str, outlet: str, weekday: int, seen: set[int], attributed: bool
    ) -> str:
        """The sentence as it is (`attributed`: attributed to the outlet) if it is new, else
        attributed to the outlet in another way (deterministic: no random draw, so the two
        feeds keep drawing alike)."""
        out, variant = (self.attribute(s, lang, outlet, 0, weekday), 1) if attributed else (s, 0)
        while _digest(out) in seen:
            out = self.attribute(s, lang, outlet, variant, weekday)
            variant += 1
        seen.add(_digest(out))
        return out


def _digest(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")


def write_feed(path: Path, n: int, a: argparse.Namespace, wire: bool) -> FeedStats:
    """The feed, in publication order, written as generated; cached by its parameters."""
    meta = path.with_suffix(".stats.json")
    if path.exists() and meta.exists():
        d = json.loads(meta.read_text())
        return FeedStats(
            d["articles"],
            d["stories"],
            d["sentences"],
            d["repeated"],
            d["chars"],
            Counter(d["by_language"]),
            Counter({int(k): v for k, v in d["story_sizes"].items()}),
        )
    gen = Generator(a.seed, a.sentences, a.days, a.repeat)
    stories = gen.stories(n)
    stats = FeedStats(stories=len(stories))
    for s in stories:
        stats.story_sizes[len(s["langs"])] += 1
    order = sorted((t, s["i"], k) for s in stories for k, t in enumerate(s["times"]))
    seen: set[int] = set()
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for _, i, k in order:
            f.write(json.dumps(gen.article(stories[i], k, wire, seen, stats), ensure_ascii=False))
            f.write("\n")
            stats.articles += 1
    tmp.replace(path)
    meta.write_text(
        json.dumps(
            {
                "articles": stats.articles,
                "stories": stats.stories,
                "sentences": stats.sentences,
                "repeated": stats.repeated,
                "chars": stats.chars,
                "by_language": dict(stats.by_language),
                "story_sizes": {str(k): v for k, v in stats.story_sizes.items()},
            }
        )
    )
    return stats


# -- child processes ---------------------------------------------------------------------------


class Phases:
    """Seconds spent in the batch's parts, by wrapping its functions (`phase: what` keys; the
    e5 and entity times of briefs overlap: the brief embeds on the other core)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.phase = "start"
        self.marks: dict[str, float] = {}
        self.failed: list[str] = []
        self.embedders: list[Any] = []
        self.caches: list[Any] = []
        self._lock = threading.Lock()

    def add(self, key: str, seconds: float) -> None:
        with self._lock:
            self.seconds[key] += seconds
            self.calls[key] += 1

    def timed(self, key: str | Callable[[], str], fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            name = key() if callable(key) else key
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t)

        return wrapper

    def patch(self, features_dump: str) -> None:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("runner", self._runner),
            ("features", lambda: self._features(features_dump)),
            ("e5", self._e5),
            ("entities", self._entities),
            ("cache", self._cache),
            ("cli", self._cli),
        ]
        for name, step in steps:
            try:
                step()
            except (AttributeError, ImportError) as exc:
                self.failed.append(f"{name}: {exc}")

    def _set(self, phase: str) -> None:
        self.phase = phase
        self.marks.setdefault(phase, time.time())

    def _runner(self) -> None:
        from dragoman.batch import runner

        run, read, cluster, local_brief = (
            runner.run,
            runner.read_feed,
            runner.cluster,
            runner.local_brief,
        )

        def run_(*args: Any, **kwargs: Any) -> Any:
            self._set("read")
            t = time.perf_counter()
            try:
                return run(*args, **kwargs)
            finally:
                self.add("run", time.perf_counter() - t)
                self._set("end")

        def read_(*args: Any, **kwargs: Any) -> Iterator[Any]:
            it = read(*args, **kwargs)
            while True:
                t = time.perf_counter()
                try:
                    item = next(it)
                except StopIteration:
                    self.add("read", time.perf_counter() - t)
                    return
                self.add("read", time.perf_counter() - t)
                yield item

        def cluster_(*args: Any, **kwargs: Any) -> Any:
            self._set("cluster")
            return self.timed("cluster", cluster)(*args, **kwargs)

        def local_brief_(engine: Any) -> Any:
            brief = local_brief(engine)

            def each(*args: Any, **kwargs: Any) -> Any:
                self._set("briefs")
                return self.timed("briefs", brief)(*args, **kwargs)

            return each

        runner.run = run_
        runner.read_feed = read_
        runner.cluster = cluster_
        runner.local_brief = local_brief_
        try:  # --ray clusters in the driver too (its features and briefs run in actors)
            from dragoman.batch import ray_runner
        except Exception:  # not there, or not importable: --ray untimed
            return
        if hasattr(ray_runner, "cluster"):
            ray_runner.cluster = cluster_

    def _features(self, dump: str) -> None:
        from dragoman.batch import features as f

        features = f.features

        def features_(*args: Any, **kwargs: Any) -> Any:
            self._set("features")
            out = self.timed("features", features)(*args, **kwargs)
            if dump:
                with open(dump, "wb") as fh:
                    rows = [(x.id, x.vector.tobytes(), sorted(x.actors), x.published) for x in out]
                    pickle.dump(rows, fh)
            return out

        f.features = features_
        f.split_sentences = self.timed("features: clean+split", f.split_sentences)
        f.clean_page = self.timed("features: clean+split", f.clean_page)

    def _e5(self) -> None:
        from dragoman.backends.e5_embedder import E5Embedder

        init, embed = E5Embedder.__init__, E5Embedder.embed

        def init_(obj: Any, *args: Any, **kwargs: Any) -> None:
            self.timed("e5 load", init)(obj, *args, **kwargs)
            self.embedders.append(obj)

        E5Embedder.__init__ = init_  # type: ignore[method-assign]
        E5Embedder.embed = self.timed(lambda: f"{self.phase}: e5", embed)  # type: ignore[method-assign]

    def _entities(self) -> None:
        from functools import cached_property

        from dragoman.brief.entities import EntityFinder

        EntityFinder.find = self.timed(lambda: f"{self.phase}: entities", EntityFinder.find)  # type: ignore[method-assign]
        for attr in ("_spacy", "_natasha"):
            prop = EntityFinder.__dict__.get(attr)
            if isinstance(prop, cached_property):
                new = cached_property(self.timed("NER model loads", prop.func))
                new.__set_name__(EntityFinder, attr)
                setattr(EntityFinder, attr, new)

    def _cache(self) -> None:
        from dragoman.cache import Cache

        init = Cache.__init__

        def init_(obj: Any, *args: Any, **kwargs: Any) -> None:
            init(obj, *args, **kwargs)
            self.caches.append(obj)

        Cache.__init__ = init_  # type: ignore[method-assign]
        Cache.get_many = self.timed(lambda: f"{self.phase}: cache", Cache.get_many)  # type: ignore[method-assign]
        Cache.put_many = self.timed(lambda: f"{self.phase}: cache", Cache.put_many)  # type: ignore[method-assign]

    def _cli(self) -> None:
        from dragoman import cli

        cli._engine = self.timed("engine", cli._engine)

    def write(self, path: str, launched: float) -> None:
        counts: dict[str, int] = defaultdict(int)
        for e in self.embedders:
            for attr in ("computed", "cache_hits", "cache_misses"):
                counts[f"e5 {attr}"] += int(getattr(e, attr, 0))
        for c in self.caches:
            counts["store hits"] += int(getattr(c, "hits", 0))
            counts["store misses"] += int(getattr(c, "misses", 0))
        marks = {k: v - launched for k, v in self.marks.items()}
        Path(path).write_text(
            json.dumps(
                {
                    "seconds": dict(self.seconds),
                    "calls": dict(self.calls),
                    "marks": marks,
                    "counts": counts,
                    "failed": self.failed,
                }
            )
        )


def child_batch(phases: str, argv: list[str]) -> int:
    """`dragoman ARGV` in this process, its phases timed into `phases` (JSON)."""
    launched = float(os.environ.get("BENCH_BATCH_LAUNCHED", time.time()))
    p = Phases()
    p.patch(os.environ.get("BENCH_BATCH_FEATURES", ""))
    from dragoman.cli import main

    try:
        return main(argv)
    finally:
        p.write(phases, launched)


def child_floor(feed: str, result: str) -> int:
    """The feed's distinct sentences (as the batch splits them) embedded once; JSON result."""
    t0 = time.perf_counter()
    from dragoman.backends.e5_embedder import E5Embedder
    from dragoman.batch.cluster import LEAD_SENTENCES
    from dragoman.batch.features import ACTOR_SENTENCES
    from dragoman.brief.clean import clean_page, clean_title
    from dragoman.brief.pipeline import MAX_SENTENCE_CHARS
    from dragoman.domain import SUPPORTED_LANGUAGES
    from dragoman.languages import LanguageDetector
    from dragoman.text import cap_sentences, split_sentences

    detector = LanguageDetector()
    texts: dict[str, None] = {}  # distinct, in first-seen order
    total = 0
    t1 = time.perf_counter()
    with open(feed, encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            text = clean_page(a["text"])
            lang = a.get("language", "").strip().lower() or detector.detect(text).language
            sentences = [s.text for s in split_sentences(text, lang)]
            title = clean_title(a.get("title", ""))
            lead = sentences[:ACTOR_SENTENCES]  # what clustering embeds: title and lead
            if title and lead and lead[0].startswith(title):
                lead = lead[1:]
            lead = (([title] if title else []) + lead)[: LEAD_SENTENCES + 1] or [" "]
            briefed = (
                cap_sentences(sentences, MAX_SENTENCE_CHARS) if lang in SUPPORTED_LANGUAGES else []
            )
            for s in lead + briefed:
                texts[s] = None
            total += len(lead) + len(briefed)
    split_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    embedder = E5Embedder(cache_size=0, store=None)
    embedder.embed(["warm up"])
    load_s = time.perf_counter() - t2
    distinct = list(texts)
    t3 = time.perf_counter()
    for start in range(0, len(distinct), 64):
        embedder.embed(distinct[start : start + 64])
    embed_s = time.perf_counter() - t3
    Path(result).write_text(
        json.dumps(
            {
                "distinct": len(distinct),
                "total": total,
                "chars": sum(len(t) for t in distinct),
                "imports_s": t1 - t0,
                "split_s": split_s,
                "load_s": load_s,
                "embed_s": embed_s,
            }
        )
    )
    return 0


def child_scale(features: str, result: str, target: int, cap_s: float) -> int:
    """cluster() on the features replicated to sizes up to `target` (copy c's actors renamed,
    its vectors nudged: other stories of the same kind), each size stopped past `cap_s` CPU
    seconds."""
    import numpy as np

    from dragoman.batch.cluster import ArticleFeatures, cluster

    with open(features, "rb") as fh:
        rows = pickle.load(fh)
    base = [
        ArticleFeatures(i, np.frombuffer(v, dtype=np.float32).copy(), frozenset(acts), when)
        for i, v, acts, when in rows
    ]
    sizes = []
    n = len(base)
    while n < target:
        sizes.append(n)
        n *= 2
    sizes.append(target)
    out: list[dict[str, Any]] = []
    for size in sizes:
        feats = []
        for j in range(size):
            c, a = divmod(j, len(base))
            b = base[a]
            if c == 0:
                feats.append(b)
                continue
            noise = np.random.default_rng([c, a]).normal(0, 0.02, b.vector.shape)
            v = b.vector + noise.astype(np.float32)  # copy c alike at every size
            v /= np.linalg.norm(v)
            actors = frozenset(f"{e}~{c}" for e in b.actors)
            feats.append(ArticleFeatures(f"{b.id}~{c}", v, actors, b.published))
        began = time.process_time()  # CPU seconds: what other work on the machine leaves alone

        def check(began: float = began) -> None:
            if time.process_time() - began > cap_s:
                raise TimeoutError

        try:
            groups = cluster(feats, check=check)
            spent = time.process_time() - began
            out.append({"articles": size, "seconds": spent, "stories": len(groups)})
        except TimeoutError:
            out.append({"articles": size, "seconds": None, "stories": 0})
            break
        print(f"    cluster {size} articles: {spent:.2f} CPU s", flush=True)
    Path(result).write_text(json.dumps(out))
    return 0


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Run:
    """One timed process."""

    seconds: float
    cpu: float  # user + system CPU seconds of the process (and the children it waited for)
    rss_mb: float  # the process's own peak (wait4 ru_maxrss)
    tree_mb: float  # the peak of its process tree's summed RSS (sampled every 0.5 s)
    rc: int
    phases: dict[str, Any] = field(default_factory=dict)
    log: str = ""


def environment(a: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "DRAGOMAN_METRICS_PORT": "-1",
        "DRAGOMAN_LOG_LEVEL": "WARNING",
        "PYTHONPYCACHEPREFIX": str(CACHE / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if a.models == "none":
        (CACHE / "no-models").mkdir(parents=True, exist_ok=True)
        env["DRAGOMAN_MODELS_DIR"] = str(CACHE / "no-models")
        env["DRAGOMAN_MANIFEST"] = str(ROOT / "models" / "manifest.toml")
    return env


def timed_process(
    cmd: list[str], env: dict[str, str], log: Path
) -> tuple[float, float, float, int]:
    """Run `cmd`: (wall seconds, own peak RSS MB, process tree peak RSS MB, exit code)."""
    import psutil

    peak = [0.0]
    stop = threading.Event()
    with open(log, "w") as out:
        began = time.perf_counter()
        env = {**env, "BENCH_BATCH_LAUNCHED": repr(time.time())}
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

        def sample() -> None:
            try:
                root = psutil.Process(proc.pid)
            except psutil.Error:
                return
            while not stop.wait(0.5):
                try:
                    procs = [root, *root.children(recursive=True)]
                    total = 0
                    for p in procs:
                        with contextlib.suppress(psutil.Error):
                            total += p.memory_info().rss
                except psutil.Error:
                    return
                peak[0] = max(peak[0], total / MB)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - began
        stop.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = usage.ru_maxrss / 1024.0
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, rss, max(peak[0], rss), proc.returncode


def batch(
    a: argparse.Namespace,
    name: str,
    feed: Path,
    out: Path,
    cache: Path,
    extra: list[str] | None = None,
    features_dump: Path | None = None,
) -> Run:
    """`dragoman batch FEED --out OUT --cache-path CACHE` in a fresh process."""
    args = ["batch", str(feed), "--out", str(out), "--cache-path", str(cache), *(extra or [])]
    phases = WORK / f"{name}.phases.json"
    phases.unlink(missing_ok=True)
    if a.plain:
        cmd = [str(Path(PY).parent / "dragoman"), *args]
    else:
        cmd = [PY, "-m", "bench.batch", "_batch", str(phases), *args]
    env = environment(a)
    if features_dump is not None:
        env["BENCH_BATCH_FEATURES"] = str(features_dump)
    log = WORK / f"{name}.log"
    print(f"  {name}: {shlex.join(['dragoman', *args])}", flush=True)
    seconds, cpu, rss, tree, rc = timed_process(cmd, env, log)
    text = log.read_text(errors="replace")
    if rc != 0:
        print(text[-3000:])
        raise RuntimeError(f"{name}: dragoman batch exited {rc} (log: {log})")
    run = Run(seconds, cpu, rss, tree, rc, log=text)
    if phases.exists():
        run.phases = json.loads(phases.read_text())
    closing = [ln for ln in text.replace("\r", "\n").splitlines() if ln.strip()][-4:]
    print(
        f"  {name}: {seconds:.1f} s (CPU {cpu:.1f} s), peak RSS {rss:.0f} MB; "
        + " / ".join(closing),
        flush=True,
    )
    return run


def fresh(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
        for side in (p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
            side.unlink(missing_ok=True)


def output_stats(out: Path) -> dict[str, Any]:
    """The stories a batch wrote, and how they match the generated ones (B-cubed)."""
    from dragoman.batch.cluster import bcubed

    stories: list[list[str]] = []
    multi = 0
    index = out / "index.jsonl"
    if index.exists():
        for line in index.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                stories.append(d["articles"])
                multi += len(d["languages"]) > 1
    sizes = [len(x) for x in stories]
    gold = {aid: aid.rsplit("-", 1)[0] for x in stories for aid in x}
    errors = out / "errors.jsonl"
    reasons: Counter[str] = Counter()
    if errors.exists():
        for line in errors.read_text(encoding="utf-8").splitlines():
            if line.strip():
                reason = json.loads(line)["reason"]
                reasons[re.sub(r"^story s-\w+: ", "", reason)[:60]] += 1
    return {
        "stories": len(sizes),
        "largest": max(sizes, default=0),
        "single": sum(1 for s in sizes if s == 1),
        "multilingual": multi,
        "errors": sum(reasons.values()),
        "reasons": reasons.most_common(3),
        "bcubed": bcubed(stories, gold),
    }


def fixed_seconds(run: Run) -> float:
    """What a run pays whatever the feed's size: start to the first article read, and the
    model loads."""
    p = run.phases
    s = p.get("seconds", {})
    start = p.get("marks", {}).get("read", 0.0)
    return float(start + s.get("e5 load", 0.0) + s.get("NER model loads", 0.0))


def project(run: Run, n: int, cluster10k: float | None) -> float:
    """Seconds for 10,000 articles: the fixed part, clustering as the scale part measured it
    (else linear), the rest linear."""
    if n >= TEN_K:
        return run.seconds
    scale = TEN_K / n
    fixed = min(fixed_seconds(run), run.seconds)
    clustering = float(run.phases.get("seconds", {}).get("cluster", 0.0))
    rest = max(0.0, run.seconds - fixed - clustering)
    return fixed + rest * scale + (clustering * scale if cluster10k is None else cluster10k)


def cluster_at_10k(rows: list[dict[str, Any]], cap_s: float) -> tuple[float | None, str]:
    """Clustering seconds at 10,000 articles from the scale part: measured, or extrapolated at
    the growth fitted over the last three sizes timed (or the steeper growth the first size
    past the cap implies). Rough: the merge pass rescans every pair of stories after a merge."""
    timed = [x for x in rows if x["seconds"] is not None]
    if timed and timed[-1]["articles"] >= TEN_K:
        return float(timed[-1]["seconds"]), "measured"
    if len(timed) < 2:
        return None, "too few sizes timed"

    def growth(x0: dict[str, Any], s0: float, x1: dict[str, Any], s1: float) -> float:
        return math.log(max(s1, 1e-3) / max(s0, 1e-3)) / math.log(x1["articles"] / x0["articles"])

    # the slope of log(seconds) over log(articles), the last three sizes timed
    fit = timed[-3:]
    xs = [math.log(x["articles"]) for x in fit]
    ys = [math.log(max(x["seconds"], 1e-3)) for x in fit]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    g = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    x1 = timed[-1]
    base, at = float(x1["seconds"]), int(x1["articles"])
    how = f"n^{g:.2f} over {', '.join(str(x['articles']) for x in fit)} articles"
    if len(timed) < len(rows):  # the next size ran past the cap: at least this steep
        over = rows[len(timed)]
        g_over = growth(x1, x1["seconds"], over, cap_s)
        if g_over > g:
            g, how = g_over, f"n^{g_over:.2f} or more from {at} to {over['articles']} articles"
        base, at = cap_s, int(over["articles"])
    return base * (TEN_K / at) ** g, "extrapolated at " + how


def loadavg() -> str:
    return "{:.2f}/{:.2f}/{:.2f}".format(*os.getloadavg())


def git(*args: str) -> str:
    r = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT, check=False)
    return r.stdout.strip()


def fmt_s(x: float) -> str:
    if x >= 3600:
        return f"{x / 3600:.1f} h ({x:.0f} s)"
    if x >= 120:
        return f"{x / 60:.1f} min ({x:.0f} s)"
    return f"{x:.1f} s"


# -- the run -----------------------------------------------------------------------------------


@dataclass
class Results:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)

    def row(self, figure: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.rows.append((figure, value, target, "" if met is None else "yes" if met else "NO"))

    def load(self, part: str) -> None:
        self.loads.append(f"{part} {loadavg()}")


def phase_table(run: Run) -> list[str]:
    s = run.phases.get("seconds", {})
    if not s:
        return []
    marks = run.phases.get("marks", {})
    counts = run.phases.get("counts", {})
    total = run.seconds
    lines = [
        "| phase | seconds | share of wall |",
        "|---|---|---|",
    ]

    def line(label: str, sec: float) -> None:
        lines.append(f"| {label} | {sec:.1f} | {100 * sec / total:.0f}% |")

    line("start: imports, engine (to the first article read)", float(marks.get("read", 0.0)))
    for key, label in (
        ("read", "read and parse the feed"),
        ("features", "features (clustering's input), of which:"),
        ("features: clean+split", "- clean and split"),
        ("features: e5", "- e5 embeddings of titles and leads"),
        ("features: entities", "- entities of the first 30 sentences, whole feed at once"),
        ("features: cache", "- persistent cache reads/writes"),
        ("cluster", "clustering"),
        ("briefs", "briefs, of which (overlapping: e5 runs on the other core):"),
        ("briefs: e5", "- e5 embeddings"),
        ("briefs: entities", "- entities"),
        ("briefs: cache", "- persistent cache reads/writes"),
        ("e5 load", "E5Embedder construction (within the above)"),
        ("NER model loads", "spaCy/natasha loads (within the above)"),
    ):
        if key in s:
            line(label, float(s[key]))
    run_s = float(s.get("run", 0.0))
    accounted = sum(float(s.get(k, 0.0)) for k in ("read", "features", "cluster", "briefs"))
    if run_s:
        line("writing outputs, index, state, the rest of run()", max(0.0, run_s - accounted))
    if counts:
        lines.append("")
        lines.append(
            "counts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v is not None)
        )
    if run.phases.get("failed"):
        lines.append("not timed (code changed): " + "; ".join(run.phases["failed"]))
    return lines


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        mode, rest = sys.argv[1], sys.argv[2:]
        if mode == "_batch":
            sys.exit(child_batch(rest[0], rest[1:]))
        if mode == "_floor":
            sys.exit(child_floor(rest[0], rest[1]))
        if mode == "_scale":
            sys.exit(child_scale(rest[0], rest[1], int(rest[2]), float(rest[3])))
        sys.exit(f"unknown mode {mode}")
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--articles", type=int, default=TEN_K, help="articles in the feed")
    p.add_argument("--dups-articles", type=int, default=0, help="dups feeds' size (0: --articles)")
    p.add_argument("--sentences", type=int, default=10, help="mean sentences per article")
    p.add_argument("--days", type=float, default=3.0, help="days the feed's times spread over")
    p.add_argument("--repeat", type=float, default=0.6, help="wire-copy slot share (dups feed)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--models", choices=["none", "installed"], default="none")
    p.add_argument(
        "--skip", default="", help="comma-separated: " + ",".join(PARTS) + " (warm runs cold)"
    )
    p.add_argument("--ray-args", default="--ray", help="the batch's options for the ray part")
    p.add_argument("--scale-cap", type=float, default=60.0, help="CPU s per clustering size")
    p.add_argument("--plain", action="store_true", help="run the dragoman script, phases untimed")
    p.add_argument("--keep", action="store_true", help="keep outputs and caches under WORK")
    p.add_argument("--out", default=str(ROOT / "bench" / "results-batch.txt"))
    a = p.parse_args()
    skip = set(a.skip.split(",")) - {""}
    unknown = skip - set(PARTS)
    if unknown:
        p.error(f"--skip: unknown part(s) {', '.join(sorted(unknown))}; parts: {', '.join(PARTS)}")
    n = a.articles
    n_dups = a.dups_articles or n
    WORK.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    res = Results()
    res.load("start")
    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "service")
    print(f"bench.batch: {n} articles, {os.cpu_count()} cores, load {loadavg()}", flush=True)

    # 1. the feeds
    tag = f"v3-s{a.seed}-m{a.sentences}-d{a.days:g}-r{a.repeat:g}"  # v3: names unique per feed
    feed = WORK / f"feed-{n}-{tag}.jsonl"
    print(f"[feed] {feed.relative_to(ROOT)} ...", flush=True)
    t = time.perf_counter()
    stats = write_feed(feed, n, a, wire=False)
    gen_s = time.perf_counter() - t
    print(
        f"[feed] {stats.articles} articles, {stats.stories} stories, {stats.sentences} sentences, "
        f"{stats.chars / 1e6:.1f} M chars, {feed.stat().st_size / MB:.1f} MB, in {gen_s:.1f} s",
        flush=True,
    )
    res.load("feed")
    env = environment(a)
    # bytecode for the child processes (an installed package has it)
    subprocess.run(
        [PY, "-c", "import dragoman.cli, dragoman.engine, dragoman.batch.features, bench.batch"],
        cwd=ROOT,
        env=env,
        check=True,
    )

    cold: Run | None = None
    cold_out, cold_cache = WORK / "out-cold", WORK / "cache-cold.sqlite"
    features_dump = WORK / "features.pickle"
    cluster10k: float | None = None
    scale_rows: list[dict[str, Any]] = []
    scale_row: tuple[str, str] | None = None
    if "cold" not in skip or "warm" not in skip:
        print("[cold] end to end, fresh process, output and cache ...", flush=True)
        fresh(cold_out, cold_cache, features_dump)
        cold = batch(a, "cold", feed, cold_out, cold_cache, features_dump=features_dump)
        res.load("cold")
    if cold is not None and "scale" not in skip and n < TEN_K and features_dump.exists():
        print(f"[scale] clustering the cold run's features replicated to {TEN_K} ...", flush=True)
        result = WORK / "scale.json"
        result.unlink(missing_ok=True)
        scale_args = [str(features_dump), str(result), str(TEN_K), str(a.scale_cap)]
        r = subprocess.run(
            [PY, "-m", "bench.batch", "_scale", *scale_args], cwd=ROOT, env=env, check=False
        )
        if r.returncode == 0:
            scale_rows = json.loads(result.read_text())
            cluster10k, how = cluster_at_10k(scale_rows, a.scale_cap)
            if cluster10k is not None:
                print(f"[scale] clustering {TEN_K} articles: {fmt_s(cluster10k)} ({how})")
                scale_row = (f"clustering alone, {TEN_K} articles", f"{fmt_s(cluster10k)} ({how})")
        res.load("scale")

    if cold is not None:
        o = output_stats(cold_out)
        proj = project(cold, n, cluster10k)
        print(
            f"[cold] {cold.seconds:.1f} s, {n / cold.seconds:.2f} articles/s, "
            f"RSS {cold.rss_mb:.0f} MB; stories {o['stories']} (largest {o['largest']}, "
            f"{o['single']} single, {o['multilingual']} multilingual), errors {o['errors']}; "
            f"projected for {TEN_K}: {fmt_s(proj)}",
            flush=True,
        )
        res.row(f"cold batch, {n} articles: wall", f"{fmt_s(cold.seconds)} (CPU {fmt_s(cold.cpu)})")
        res.row("cold batch: throughput", f"{n / cold.seconds:.2f} articles/s")
        res.row(
            "cold batch: peak RSS (wait4 ru_maxrss)",
            f"{cold.rss_mb:.0f} MB",
            "< 2 GB",
            cold.rss_mb < TARGETS["rss_mb"],
        )
        if n < TEN_K:
            res.row(f"cold batch: projected for {TEN_K} articles", fmt_s(proj))
        if scale_row is not None:
            res.row(*scale_row)
        res.notes.append(
            f"cold run's stories: {o['stories']} (largest {o['largest']} articles, "
            f"{o['single']} single-article, {o['multilingual']} in more than one language); "
            f"articles not briefed: {o['errors']}"
            + (f" ({o['reasons']})" if o["reasons"] else "")
            + ", against the generated stories: B-cubed precision {:.2f}, recall {:.2f}, "
            "F1 {:.2f}".format(*o["bcubed"])
        )

    floor: dict[str, Any] | None = None
    if "floor" not in skip:
        print("[floor] the feed's distinct sentences embedded once, fresh process ...", flush=True)
        result = WORK / "floor.json"
        result.unlink(missing_ok=True)
        secs, _, _, _, rc = timed_process(
            [PY, "-m", "bench.batch", "_floor", str(feed), str(result)], env, WORK / "floor.log"
        )
        if rc != 0:
            print((WORK / "floor.log").read_text()[-3000:])
            raise RuntimeError("floor failed")
        floor = json.loads(result.read_text())
        fe = floor["embed_s"]
        print(
            f"[floor] {floor['distinct']} distinct of {floor['total']} sentences embedded in "
            f"{fe:.1f} s ({1000 * fe / max(1, floor['distinct']):.1f} ms each); model load "
            f"{floor['load_s']:.1f} s, split {floor['split_s']:.1f} s; process {secs:.1f} s; "
            f"projected for {TEN_K}: {fmt_s(fe * TEN_K / n)}",
            flush=True,
        )
        res.row(
            "floor: distinct sentences embedded once (e5, 1 thread)",
            f"{fmt_s(fe)} ({floor['distinct']} sentences, "
            f"{1000 * fe / max(1, floor['distinct']):.1f} ms each)",
        )
        if n < TEN_K:
            res.row(f"floor: projected for {TEN_K} articles", fmt_s(fe * TEN_K / n))
        if cold is not None:
            ratio = fe / cold.seconds
            res.row("floor / cold batch", f"{ratio:.2f}", ">= 0.7", ratio >= TARGETS["floor"])
            if n < TEN_K:
                pr = fe * TEN_K / n / project(cold, n, cluster10k)
                res.row(
                    f"floor / cold batch, projected for {TEN_K}",
                    f"{pr:.2f}",
                    ">= 0.7",
                    pr >= TARGETS["floor"],
                )
        res.load("floor")

    if cold is not None and "warm" not in skip:
        print("[warm] the same command again (state and cache there) ...", flush=True)
        warm = batch(a, "warm", feed, cold_out, cold_cache)
        ratio = cold.seconds / warm.seconds
        print(
            f"[warm] {warm.seconds:.1f} s, cold/warm {ratio:.1f}x; projected for {TEN_K}: "
            f"{fmt_s(project(warm, n, cluster10k))}",
            flush=True,
        )
        res.row(
            "warm re-run (state and cache): wall", f"{fmt_s(warm.seconds)} (CPU {fmt_s(warm.cpu)})"
        )
        res.row("cold / warm", f"{ratio:.1f}x", ">= 10x", ratio >= TARGETS["warm"])
        if n < TEN_K:
            pw = project(warm, n, cluster10k)
            pr = project(cold, n, cluster10k) / pw
            res.row(f"warm re-run: projected for {TEN_K}", fmt_s(pw))
            res.row(
                f"cold / warm, projected for {TEN_K}", f"{pr:.1f}x", ">= 10x", pr >= TARGETS["warm"]
            )
        res.load("warm")
        print("[warm] output removed, cache kept ...", flush=True)
        cache_out = WORK / "out-cacheonly"
        fresh(cache_out)
        conly = batch(a, "cache-only", feed, cache_out, cold_cache)
        res.row(
            "cache-only re-run (state removed, cache kept): wall",
            f"{fmt_s(conly.seconds)} (cold / this {cold.seconds / conly.seconds:.1f}x)",
        )
        if n < TEN_K:
            res.row(
                f"cache-only re-run: projected for {TEN_K}", fmt_s(project(conly, n, cluster10k))
            )
        res.load("cache-only")
        res.notes.append("warm re-run, where the time goes:")
        res.notes += phase_table(warm)
        res.notes.append("")
        res.notes.append("cache-only re-run, where the time goes:")
        res.notes += phase_table(conly)
        if not a.keep:
            fresh(cache_out)

    if "dups" not in skip:
        dups_feed = WORK / f"feed-{n_dups}-{tag}-wire.jsonl"
        print(f"[dups] {dups_feed.relative_to(ROOT)} ...", flush=True)
        dstats = write_feed(dups_feed, n_dups, a, wire=True)
        share = dstats.repeated / max(1, dstats.sentences)
        print(
            f"[dups] {dstats.articles} articles, {dstats.sentences} sentences, "
            f"{100 * share:.0f}% repeat an earlier one, {dstats.chars / 1e6:.1f} M chars",
            flush=True,
        )
        if cold is not None and n_dups == n:
            plain_run = cold
            plain_stats = stats
        else:
            plain_feed = WORK / f"feed-{n_dups}-{tag}.jsonl"
            plain_stats = write_feed(plain_feed, n_dups, a, wire=False)
            out, cache = WORK / "out-plain", WORK / "cache-plain.sqlite"
            fresh(out, cache)
            plain_run = batch(a, "no-repeats", plain_feed, out, cache)
            if not a.keep:
                fresh(out, cache)
        out, cache = WORK / "out-wire", WORK / "cache-wire.sqlite"
        fresh(out, cache)
        wire_run = batch(a, "wire-copy", dups_feed, out, cache)
        ratio = plain_run.seconds / wire_run.seconds
        print(
            f"[dups] no repeats {plain_run.seconds:.1f} s / repeats {wire_run.seconds:.1f} s "
            f"= {ratio:.2f}x",
            flush=True,
        )
        res.row(
            f"feed with wire copy ({100 * share:.0f}% of sentences repeat): cold wall",
            f"{fmt_s(wire_run.seconds)} (CPU {fmt_s(wire_run.cpu)}; "
            f"{dstats.chars / 1e6:.2f} M chars)",
        )
        res.row(
            "same feed without repeats: cold wall",
            f"{fmt_s(plain_run.seconds)} (CPU {fmt_s(plain_run.cpu)}; "
            f"{plain_stats.chars / 1e6:.2f} M chars)",
        )
        res.row("no repeats / repeats", f"{ratio:.2f}x", ">= 1.3x", ratio >= TARGETS["dups"])
        if n_dups < TEN_K:
            pw = project(wire_run, n_dups, cluster10k)
            pr = project(plain_run, n_dups, cluster10k) / pw
            res.row(f"with repeats: projected for {TEN_K}", fmt_s(pw))
            res.row(
                f"no repeats / repeats, projected for {TEN_K}",
                f"{pr:.2f}x",
                ">= 1.3x",
                pr >= TARGETS["dups"],
            )
        res.notes.append("")
        res.notes.append("feed with wire copy, cold, where the time goes:")
        res.notes += phase_table(wire_run)
        if not a.keep:
            fresh(out, cache)
        res.load("dups")

    if "ray" not in skip:
        help_text = subprocess.run(
            [PY, "-m", "dragoman.cli", "batch", "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=False,
        ).stdout
        if "--ray" not in help_text:
            print("[ray] skipped: `dragoman batch --help` lists no --ray option", flush=True)
            res.row("--ray", "skipped: `dragoman batch --help` lists no --ray option")
        else:
            ray_lines = [ln.strip() for ln in help_text.splitlines() if "ray" in ln.lower()]
            print("[ray] cold with " + a.ray_args + "; help: " + " / ".join(ray_lines), flush=True)
            out, cache = WORK / "out-ray", WORK / "cache-ray.sqlite"
            fresh(out, cache)
            ray = batch(a, "ray", feed, out, cache, extra=shlex.split(a.ray_args))
            res.row(f"cold batch {a.ray_args}: wall", fmt_s(ray.seconds))
            res.row(f"cold batch {a.ray_args}: throughput", f"{n / ray.seconds:.2f} articles/s")
            res.row(
                f"cold batch {a.ray_args}: peak RSS, driver / process tree (sampled)",
                f"{ray.rss_mb:.0f} MB / {ray.tree_mb:.0f} MB",
            )
            if cold is not None:
                over = ray.seconds / cold.seconds - 1
                res.row("--ray overhead vs local", f"{100 * over:+.0f}% wall")
            if n < TEN_K:
                has_cluster = "cluster" in ray.phases.get("seconds", {})
                pray = project(ray, n, cluster10k if has_cluster else None)
                res.row(f"cold batch {a.ray_args}: projected for {TEN_K}", fmt_s(pray))
                if cold is not None:
                    over = pray / project(cold, n, cluster10k) - 1
                    res.row(
                        f"--ray overhead vs local, projected for {TEN_K}", f"{100 * over:+.0f}%"
                    )
            o = output_stats(out)
            res.notes.append(
                f"--ray run's stories: {o['stories']} (largest {o['largest']}), "
                f"errors {o['errors']}; help lines: " + " / ".join(ray_lines)
            )
            if not a.keep:
                fresh(out, cache)
        res.load("ray")

    if cold is not None:
        res.notes.append("")
        res.notes.append("cold run, where the time goes:")
        res.notes += phase_table(cold)
    if scale_rows:
        res.notes.append("")
        res.notes.append(
            "clustering alone, the cold run's features replicated (each copy's actors renamed: "
            f"other stories), CPU seconds, cap {a.scale_cap:.0f} s a size:"
        )
        res.notes.append(
            "  "
            + ", ".join(
                f"{x['articles']} articles "
                + (f"{x['seconds']:.2f} s ({x['stories']} stories)" if x["seconds"] else "> cap")
                for x in scale_rows
            )
        )
    if cold is not None and not a.keep:
        fresh(cold_out, cold_cache)

    took = time.perf_counter() - began
    langs = ", ".join(f"{k} {v}" for k, v in sorted(stats.by_language.items()))
    header = [
        f"bench.batch {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}"
        f"{' + uncommitted service/ changes' if dirty else ''}, {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}; this run took {fmt_s(took)}",
        f"feed: {stats.articles} articles ({langs}), "
        f"{stats.stories} generated stories (largest {max(stats.story_sizes, default=0)}, "
        f"{stats.story_sizes.get(1, 0)} single), {stats.sentences} sentences, "
        f"{stats.chars / 1e6:.1f} M chars over {a.days:g} days, seed {a.seed}; "
        f"translation models: {a.models}",
        "load average (1/5/15 min) at each step: " + " -> ".join(res.loads),
        "",
        "| figure | value | target | met |",
        "|---|---|---|---|",
    ]
    text = "\n".join(
        header + [f"| {f} | {v} | {t} | {m} |" for f, v, t, m in res.rows] + [""] + res.notes
    )
    print("\n" + text)
    if a.out:
        Path(a.out).write_text(text + "\n")
        print(f"\nwritten to {a.out}")


if __name__ == "__main__":
    main()
