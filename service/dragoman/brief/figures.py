"""Figures (numbers with what they count) in ru/ar/en sentences.

A figure is a number written with digits or words ("2,750", "2 750", "٢٧٥٠", "4 тыс.", "four
thousand", "ثلاثة آلاف") together with what it counts, read from the sentence: the noun after the
number ("2,750 tonnes", "2750 тонн", "2750 طنا"), or the verb or noun around it ("killing 62",
"62 человека погибли", "مقتل 62 شخصا", "the death toll rose to 1,498"). A qualifier is kept as a
bound ("at least", "более", "أكثر من"); "between 200,000 and 250,000" and "3–5 млрд" give a lower
(at_least) and an upper (up_to) figure.

Precision comes first: a number is a figure only when what it counts is recognised. Dates, clock
times, years, ages, ordinals, percentages, magnitudes, phone numbers, numbers inside URLs and
model names ("Ми-8", "Bell 212") are never figures, and neither are "dozens", "сотни", "آلاف".

All matching runs on a folded copy of the sentence (lower case, Arabic-Indic digits as ASCII,
Arabic diacritics and tatweel dropped, alef forms unified) that maps back to the sentence's
code-point offsets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dragoman.brief.dates import find_dates
from dragoman.brief.spans import Spans

BOUNDS = ("exact", "at_least", "more_than", "about", "up_to", "less_than")
# "about 4,000" stands for anything within this share of 4,000.
ABOUT_TOLERANCE = 0.1
# Measures (distances, durations): two values in one story usually measure different things (a
# depth and a distance to a town), so they are best compared only within one claim.
MEASURES = frozenset({"km", "miles", "metres", "hours", "days"})


@dataclass(frozen=True)
class FoundFigure:
    value: float
    text: str  # as written, qualifier included: "at least 78", "по меньшей мере 100"
    counted: str  # a short English key: killed, wounded, tonnes, dollars, soldiers killed ...
    bound: str = "exact"  # exact | at_least | more_than | about | up_to | less_than
    start: int = 0  # code-point offsets of `text` in the sentence
    end: int = 0


def compatible(a: FoundFigure, b: FoundFigure) -> bool:
    """True when both can be true at once: they count different things, or the values their
    bounds allow overlap ("at least 78" and "100"; "about 4,000" and "4,100")."""
    if a.counted != b.counted:
        return True
    lo1, hi1, lo1_open, hi1_open = _interval(a)
    lo2, hi2, lo2_open, hi2_open = _interval(b)
    if lo1 != lo2:
        lo, lo_open = (lo1, lo1_open) if lo1 > lo2 else (lo2, lo2_open)
    else:
        lo, lo_open = lo1, lo1_open or lo2_open
    if hi1 != hi2:
        hi, hi_open = (hi1, hi1_open) if hi1 < hi2 else (hi2, hi2_open)
    else:
        hi, hi_open = hi1, hi1_open or hi2_open
    if lo < hi:
        return True
    return lo == hi and not lo_open and not hi_open


def clashing(items: Sequence[tuple[str, FoundFigure]]) -> set[int]:
    """Of (source, figure) items counting one thing, those incompatible with an item of another
    source - what testing every pair with `compatible` gives, in n log n: two figures are
    incompatible when the values one allows all lie below those the other allows, so each item
    is compared with the lowest upper end and the highest lower end among other sources."""
    if len(items) < 2:
        return set()
    # Ends on one line: an open end lies just inside a closed one at the same value, so "x ends
    # before y starts" is `upper(x) < lower(y)` (equal closed ends touch: compatible).
    lower: list[tuple[float, int]] = []
    upper: list[tuple[float, int]] = []
    for _, f in items:
        lo, hi, lo_open, hi_open = _interval(f)
        lower.append((lo, 2 if lo_open else 1))
        upper.append((hi, 0 if hi_open else 1))

    def two_best(keys: list[tuple[float, int]], sign: int) -> list[tuple[tuple[float, int], str]]:
        """The best key (lowest for sign 1, highest for -1) of each of the two best sources."""
        best: list[tuple[tuple[float, int], str]] = []
        for k in sorted(range(len(items)), key=lambda k: (sign * keys[k][0], sign * keys[k][1])):
            if not best or items[k][0] != best[0][1]:
                best.append((keys[k], items[k][0]))
                if len(best) == 2:
                    break
        return best

    low_ends, high_starts = two_best(upper, 1), two_best(lower, -1)
    out = set()
    for k, (source, _) in enumerate(items):
        end = next((key for key, s in low_ends if s != source), None)
        start = next((key for key, s in high_starts if s != source), None)
        if (end is not None and end < lower[k]) or (start is not None and upper[k] < start):
            out.add(k)
    return out


def _interval(f: FoundFigure) -> tuple[float, float, bool, bool]:
    """(low, high, low is open, high is open): the values a figure allows."""
    v = f.value
    if f.bound == "at_least":
        return v, math.inf, False, True
    if f.bound == "more_than":
        return v, math.inf, True, True
    if f.bound == "about":
        return v * (1 - ABOUT_TOLERANCE), v * (1 + ABOUT_TOLERANCE), False, False
    if f.bound == "up_to":
        return 0.0, v, False, False
    if f.bound == "less_than":
        return 0.0, v, False, True
    return v, v, False, False


# Every pattern that reads the text before a number is anchored at the number (`...\s*$`) and
# every one that reads after it at the number's end, so a window this wide gives what the whole
# prefix or suffix gives and keeps a long run-on sentence linear (searching the whole prefix for
# each number took 52 s on a 48,000-character sentence).
_REACH = 400


def _ends_at(rx: re.Pattern[str], t: str, pos: int) -> re.Match[str] | None:
    """`rx.search(t[:pos])` for a pattern anchored at its end, reading at most _REACH characters
    (searched in place: lookbehinds still see the text before the window)."""
    return rx.search(t, max(0, pos - _REACH), pos)


# -- folding -----------------------------------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_LETTERS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ё": "е"}
_DROP = re.compile("[\u064b-\u065f\u0670\u0640\u00ad\u200b-\u200f]")


def _fold(sentence: str) -> tuple[str, list[int]]:
    """The folded sentence and, for each of its characters, its offset in the sentence (plus a
    last entry: the sentence's length)."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(sentence):
        if _DROP.match(ch):
            continue
        ch = ch.translate(_DIGITS)
        low = ch.lower()
        chars.append(_LETTERS.get(low, low) if len(low) == 1 else ch)
        where.append(i)
    where.append(len(sentence))
    return "".join(chars), where


def _p(pattern: str) -> str:
    """A pattern written with ordinary Arabic/Russian letters, folded like the text."""
    return "".join(_LETTERS.get(ch, ch) for ch in pattern)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(_p(words).split())


# Word edges for every script; Arabic words may carry attached particles: و/ف (and), ب/ل/ك
# (with, for, as), ال (the).
_B = r"(?<![^\W\d_])"
_E = r"(?![^\W\d_])"
_AR = r"(?<![^\W\d_])(?:[وف]?(?:ب|ل|ك)?(?:ال|ل)?)"


def _word_re(lang: str, body: str) -> str:
    """Whole words of the alternation `body` (Arabic ones with their attached particles)."""
    lead = _AR if lang == "ar" else _B
    return f"{lead}(?:{_p(body)}){_E}"


# -- numbers ------------------------------------------------------------------------------------

# "2,750" "2.750" "2 750" (groups of three), or a plain or decimal number; never a piece of a
# longer run of digits and separators (dates, clock times, URL paths).
_DIGIT_NUMBER = re.compile(
    r"(?<![\d.,:/])"
    r"(?:(?P<grouped>\d{1,3}(?P<sep>[,.\u00a0\u202f\u2009 ])\d{3}(?:(?P=sep)\d{3})*)"
    r"|(?P<plain>\d+(?:[.,]\d+)?))"
    r"(?![\d]|[.,:/]\d)"
)

_SCALE_WORDS: dict[str, list[tuple[str, float]]] = {
    "en": [
        (r"thousand", 1e3),
        (r"millions?|mn|mln", 1e6),
        (r"billions?|bn|bln", 1e9),
        (r"trillions?|tn", 1e12),
    ],
    "ru": [
        (r"тыс\.?|тысяч[аиуе]?|тысячами|тысячам", 1e3),
        (r"млн\.?|миллион(?:а|ов|ам|ами|е)?", 1e6),
        (r"млрд\.?|миллиард(?:а|ов|ам|ами|е)?", 1e9),
        (r"трлн\.?|триллион(?:а|ов)?", 1e12),
    ],
    "ar": [
        (r"ألف|ألفا|آلاف|ألوف", 1e3),
        (r"مليون|مليونا|ملايين", 1e6),
        (r"مليار|مليارا|مليارات|بليون", 1e9),
    ],
}
_SCALE_AFTER = {
    lang: re.compile(
        r"\s*\[?\s*(?:"
        + "|".join(f"(?P<s{i}>{_p(p)})" for i, (p, _) in enumerate(items))
        + r")(?:(?<=\.)|(?![^\W\d_]))\]?"
    )
    for lang, items in _SCALE_WORDS.items()
}

_EN_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip


def _forms(table: Iterable[tuple[str, int]]) -> dict[str, int]:
    return {w: v for forms, v in table for w in _wordset(forms)}


_RU_WORDS = _forms(
    (
        ("один одна одно одного одной одному одним", 1),
        ("два две двух двум двумя", 2),
        ("три трех трем тремя", 3),
        ("четыре четырех четырем четырьмя", 4),
        ("пять пяти пятью", 5),
        ("шесть шести шестью", 6),
        ("семь семи семью", 7),
        ("восемь восьми восемью", 8),
        ("девять девяти девятью", 9),
        ("десять десяти десятью", 10),
        ("двое двоих", 2),
        ("трое троих", 3),
        ("четверо четверых", 4),
        ("пятеро пятерых", 5),
        ("шестеро шестерых", 6),
        ("семеро семерых", 7),
        ("восьмеро восьмерых", 8),
        ("девятеро девятерых", 9),
        ("десятеро десятерых", 10),
        ("одиннадцать одиннадцати", 11),
        ("двенадцать двенадцати", 12),
        ("тринадцать тринадцати", 13),
        ("четырнадцать четырнадцати", 14),
        ("пятнадцать пятнадцати", 15),
        ("шестнадцать шестнадцати", 16),
        ("семнадцать семнадцати", 17),
        ("восемнадцать восемнадцати", 18),
        ("девятнадцать девятнадцати", 19),
        ("двадцать двадцати", 20),
        ("тридцать тридцати", 30),
        ("сорок сорока", 40),
        ("пятьдесят пятидесяти", 50),
        ("шестьдесят шестидесяти", 60),
        ("семьдесят семидесяти", 70),
        ("восемьдесят восьмидесяти", 80),
        ("девяносто девяноста", 90),
        ("сто ста", 100),
        ("двести двухсот двумстам двухстах", 200),
        ("триста трехсот тремстам трехстах", 300),
        ("четыреста четырехсот четыремстам четырехстах", 400),
        ("пятьсот пятисот пятистам пятистах", 500),
        ("шестьсот шестисот шестистам шестистах", 600),
        ("семьсот семисот семистам семистах", 700),
        ("восемьсот восьмисот восьмистам восьмистах", 800),
        ("девятьсот девятисот девятистам девятистах", 900),
    )
)
_AR_NUMBERS = (
    ("واحد واحدة", 1),
    ("اثنان اثنين اثنتان اثنتين اثنا اثني", 2),
    ("ثلاث ثلاثة", 3),
    ("أربع أربعة", 4),
    ("خمس خمسة", 5),
    ("ست ستة", 6),
    ("سبع سبعة", 7),
    ("ثمان ثماني ثمانية", 8),
    ("تسع تسعة", 9),
    ("عشر عشرة", 10),
    ("عشرون عشرين", 20),
    ("ثلاثون ثلاثين", 30),
    ("أربعون أربعين", 40),
    ("خمسون خمسين", 50),
    ("ستون ستين", 60),
    ("سبعون سبعين", 70),
    ("ثمانون ثمانين", 80),
    ("تسعون تسعين", 90),
    ("مئة مائة", 100),
    ("مئتان مئتين مئتي مائتان مائتين مائتي", 200),
    ("ثلاثمئة ثلاثمائة", 300),
    ("أربعمئة أربعمائة", 400),
    ("خمسمئة خمسمائة", 500),
    ("ستمئة ستمائة", 600),
    ("سبعمئة سبعمائة", 700),
    ("ثمانمئة ثمانمائة ثمانيمئة", 800),
    ("تسعمئة تسعمائة", 900),
)
_AR_WORDS = _forms(_AR_NUMBERS)
_WORD_VALUES = {"en": _EN_WORDS, "ru": _RU_WORDS, "ar": _AR_WORDS}
_AR_SCALES = ("ألف ألفا آلاف", "مليون مليونا ملايين", "مليار مليارا مليارات")
# Vague counts ("thousands", "dozens"): no figure reads them; listed for arabic_number_words().
_AR_VAGUE = "الآلاف ألوف عشرات العشرات مئات المئات الملايين"


def arabic_number_words() -> list[str]:
    """The Arabic words of numbers, scales and vague counts as written ("ثلاثة", "آلاف",
    "عشرات"), for other stages' lists of words that are never names."""
    words = [w for group, _ in _AR_NUMBERS for w in group.split()]
    return words + " ".join(_AR_SCALES).split() + _AR_VAGUE.split()


# Scale words after number words; "hundred" multiplies one group only.
_WORD_SCALES: dict[str, dict[str, float]] = {
    "en": {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9},
    "ru": {
        **dict.fromkeys(_wordset("тысяча тысячи тысяч тысячу тысячей тысячам тысячами тыс"), 1e3),
        **dict.fromkeys(_wordset("миллион миллиона миллионов миллионам млн"), 1e6),
        **dict.fromkeys(_wordset("миллиард миллиарда миллиардов млрд"), 1e9),
    },
    "ar": {
        **dict.fromkeys(_wordset(_AR_SCALES[0]), 1e3),
        **dict.fromkeys(_wordset(_AR_SCALES[1]), 1e6),
        **dict.fromkeys(_wordset(_AR_SCALES[2]), 1e9),
    },
}
# Scale words that are a number on their own ("тысяча человек", "ألف شخص", "a thousand");
# plurals ("thousands", "тысячи", "آلاف") and "dozens" are vague and never figures.
_LONE_SCALES: dict[str, dict[str, float]] = {
    "en": {},
    "ru": {"тысяча": 1e3, "тысячу": 1e3, "миллион": 1e6, "миллиард": 1e9},
    "ar": {
        _p(w): v
        for w, v in (
            ("ألف", 1e3),
            ("ألفين", 2e3),
            ("ألفان", 2e3),
            ("مليون", 1e6),
            ("مليونين", 2e6),
            ("مليار", 1e9),
            ("مليارين", 2e9),
            ("ملياري", 2e9),
        )
    },
}
_WORD_TOKEN = re.compile(r"[^\W\d_]+")


@dataclass
class _Head:
    kind: str
    key: str
    start: int
    end: int
    adjacent: bool  # no word between the number and the noun


@dataclass
class _Num:
    start: int  # folded offsets (scale word included)
    end: int
    value: float
    words: bool  # written in words
    year_like: bool  # four bare digits 1800-2100
    decimal: bool
    scale: float  # the scale word's value, 1 without one
    noun: _Head | None = None  # the counted noun when it comes first: "المهاجمون الأربعة"


_MILLION_M = re.compile(r"m(?![^\W\d_])")


def _digit_numbers(t: str, lang: str) -> list[_Num]:
    out = []
    scale_re = _SCALE_AFTER[lang]
    for m in _DIGIT_NUMBER.finditer(t):
        raw = m.group(0)
        end = m.end()
        scale = 1.0
        sm = scale_re.match(t, end)
        if sm:
            scale = next(v for i, (_, v) in enumerate(_SCALE_WORDS[lang]) if sm.group(f"s{i}"))
            end = sm.end()
        elif (
            lang == "en"
            and t[m.start() - 1 : m.start()] in ("$", "€", "£")
            and _MILLION_M.match(t, end)
        ):
            scale, end = 1e6, end + 1  # "$5m"
        if m.group("grouped"):
            if m.group("sep") in ",." and scale != 1.0 and "." not in raw[:-4]:
                value, decimal = float(raw.replace(",", ".")), True  # "2.750 млн"
            else:
                value, decimal = float(re.sub(r"\D", "", raw)), False
        else:
            decimal = bool(re.search(r"[.,]", raw))
            value = float(raw.replace(",", "."))
        year_like = bool(re.fullmatch(r"\d{4}", raw)) and 1800 <= value <= 2100 and scale == 1
        out.append(_Num(m.start(), end, value * scale, False, year_like, decimal, scale))
    return out


def _word_tokens(t: str, lang: str) -> list[tuple[str, int, int]]:
    values, scales, lone = _WORD_VALUES[lang], _WORD_SCALES[lang], _LONE_SCALES[lang]
    tokens = []
    for m in _WORD_TOKEN.finditer(t):
        w, start = m.group(0), m.start()
        known = w in values or w in scales or w in lone
        if lang == "ar" and not known and len(w) > 3 and w[0] in "وبلف":
            rest = w[1:]  # an attached particle: "وخمسة", "بثلاثة"
            if rest in values or rest in scales or rest in lone:
                w, start = rest, start + 1
        tokens.append((w, start, m.end()))
    return tokens


def _word_numbers(t: str, lang: str) -> list[_Num]:
    """Numbers written in words: "four thousand", "двести пятьдесят", "ثلاثة آلاف"."""
    values, scales, lone = _WORD_VALUES[lang], _WORD_SCALES[lang], _LONE_SCALES[lang]
    tokens = _word_tokens(t, lang)
    out: list[_Num] = []
    i = 0
    while i < len(tokens):
        w, s, _ = tokens[i]
        a_scale = lang == "en" and w in scales and i > 0 and tokens[i - 1][0] == "a"
        if w not in values and w not in lone and not a_scale:
            i += 1
            continue
        start = tokens[i - 1][1] if a_scale else s
        total = cur = last = 0.0
        scale_seen = 1.0
        end = s
        j = i
        while j < len(tokens):
            wj, sj, ej = tokens[j]
            if wj == "and" and lang == "en":
                j += 1  # judged with the next word: "two hundred and fifty"
                continue
            if j > i:
                gap = t[end:sj]
                joiner = gap.strip()
                if lang == "ar" and t[sj - 1 : sj] == "و" and gap.strip() == "و":
                    joiner = "و"
                if joiner not in ("", "-", "and", "و") or "\n" in gap:
                    break
                if joiner == "and" and not (lang == "en" and last == 100 and wj in values):
                    break
                if joiner == "و":
                    vj = values.get(wj, 0)
                    # "خمسة وعشرون" (25), "مئة وخمسون" (150); "ثلاثة وخمسة" is two numbers
                    if not ((0 < cur < 10 and 20 <= vj < 100) or (cur >= 100 and 0 < vj < 100)):
                        break
            if wj in scales and wj not in values:
                sv = scales[wj]
                if j == i and not a_scale:
                    total, last, scale_seen = lone.get(wj, sv), sv, sv
                elif sv == 100:
                    cur, last = (cur or 1) * 100, 100
                else:
                    if sv >= scale_seen and total and not cur:
                        break
                    total, cur, last, scale_seen = total + (cur or 1) * sv, 0.0, sv, sv
                end = ej
                j += 1
                if j == i + 1 and not a_scale and wj in lone:
                    break  # a lone "тысяча" or "ألف" takes no more words
                continue
            if wj not in values:
                break
            vj = values[wj]
            if lang == "ar" and vj == 10 and 0 < cur < 10:
                cur += 10  # "خمسة عشر"
            elif lang == "ar" and vj == 100 and 0 < cur < 10:
                cur *= 100  # "ثلاث مئة"
            elif _adds_up(cur, vj, lang):
                cur += vj
            else:
                break
            last = vj
            end = ej
            j += 1
        value = total + cur
        single_one = j == i + 1 and value == 1
        if value > 0 and not single_one:
            out.append(_Num(start, end, value, True, False, False, scale_seen))
        i = max(j, i + 1)
    return out


def _adds_up(cur: float, v: int, lang: str) -> bool:
    """Whether number word `v` continues a number that stands at `cur`: "сто двадцать",
    "twenty five", "خمسة وعشرون"; "три четыре" are two numbers."""
    if cur == 0 or (cur % 100 == 0 and v < 100) or (cur % 10 == 0 and cur < 100 and v < 10):
        return True
    return lang == "ar" and 0 < cur < 10 and 20 <= v < 100


def _numbers(t: str, lang: str) -> list[_Num]:
    nums = _digit_numbers(t, lang)
    spans = Spans((n.start, n.end) for n in nums)
    words = _word_numbers(t, lang)
    nums += [n for n in words if not spans.overlaps(n.start, n.end)]
    if lang == "ar":
        nums += _ar_definite(t)
    nums.sort(key=lambda n: n.start)
    return nums


_AR_DEFINITE = re.compile(_p(r"(?<![^\W\d_])([وف]?ال[^\W\d_]+)\s+(ال([^\W\d_]+))(?![^\W\d_])"))


def _ar_definite(t: str) -> list[_Num]:
    """Arabic puts a definite number after its noun: "المهاجمون الأربعة" (the four attackers)."""
    out = []
    for m in _AR_DEFINITE.finditer(t):
        value = float(_AR_WORDS.get(m.group(3), 0))
        if not 3 <= value <= 10:  # "الاثنين" is Monday
            continue
        for kind, key, rx in _HEAD_RES["ar"]:
            if kind != "times" and rx.fullmatch(m.group(1)):
                noun = _Head(kind, key, m.start(1), m.end(1), True)
                out.append(_Num(m.start(2), m.end(2), value, True, False, False, 1.0, noun))
                break
    return out


# -- what a number counts -----------------------------------------------------------------------

# Kinds of head noun (the noun a number counts):
#   status  the noun says what happened ("deaths", "погибших", "قتيلا"): its key
#   people  people in general ("people", "человек", "شخصا"): what happened to them, else "people"
#   vague   "others", "members", "آخرين": only what happened to them
#   group   a kind of people ("soldiers"): "soldiers killed" when the sentence says, else "soldiers"
#   thing   anything else counted or measured ("tonnes", "km", "buildings"): its key
#   times   "300 times": a count of violations or attacks when the verb says so
_HEADS: dict[str, list[tuple[str, str, str]]] = {
    "en": [
        ("status", "killed", r"dead|deaths?|fatalities|killed|lives|victims|bodies"),
        ("status", "wounded", r"injured|wounded|injuries|hurt"),
        ("status", "missing", r"missing"),
        ("status", "homeless", r"homeless"),
        ("status", "displaced", r"(?:internally )?displaced(?: people| persons)?"),
        ("status", "detained", r"detained|arrested|arrests|detentions|detainees"),
        ("status", "rescued", r"rescued|survivors"),
        ("status", "evacuated", r"evacuated|evacuees"),
        ("status", "casualties", r"casualties"),
        ("status", "trapped", r"trapped"),
        ("group", "rescuers", r"rescue (?:workers|personnel|teams|crews)|rescuers"),
        ("group", "civilians", r"civilians"),
        ("group", "soldiers", r"soldiers|troops|servicemen|service ?members|military personnel"),
        ("group", "children", r"children|kids|minors"),
        ("group", "women", r"women"),
        ("group", "firefighters", r"firefighters|firemen|fire ?fighters"),
        ("group", "police", r"police ?officers|policemen|police|security officers"),
        ("group", "fighters", r"fighters|militants|rebels|insurgents|mercenaries"),
        ("group", "attackers", r"gunmen|attackers|assailants|terrorists"),
        ("group", "workers", r"workers|employees|staff"),
        ("group", "passengers", r"passengers"),
        ("group", "crew", r"crew ?members|crew"),
        ("group", "pilgrims", r"pilgrims"),
        ("group", "tourists", r"tourists"),
        ("group", "migrants", r"migrants"),
        ("group", "refugees", r"refugees"),
        ("group", "hostages", r"hostages"),
        ("group", "suspects", r"suspects"),
        ("group", "prisoners", r"prisoners|inmates"),
        ("group", "students", r"students|pupils"),
        ("group", "patients", r"patients"),
        ("group", "medics", r"doctors|medics|nurses|paramedics"),
        ("group", "journalists", r"journalists|reporters"),
        ("group", "generals", r"generals"),
        ("group", "officials", r"officials"),
        ("group", "volunteers", r"volunteers"),
        ("group", "families", r"families|households"),
        ("people", "people", r"people|persons|person|individuals|residents|inhabitants|citizens"),
        ("vague", "", r"others|members|nationals"),
        ("thing", "tonnes", r"(?:metric )?(?:tonnes|tons|tonne|ton)"),
        ("thing", "dollars", r"(?:us )?dollars|usd"),
        ("thing", "euros", r"euros|eur"),
        ("thing", "roubles", r"roubles|rubles"),
        ("thing", "buildings", r"buildings|structures|high-rises"),
        ("thing", "homes", r"homes|houses|apartments|dwellings|flats"),
        ("thing", "km", r"km|kilometers|kilometres|kilometer|kilometre"),
        ("thing", "miles", r"miles|mile"),
        ("thing", "metres", r"meters|metres|meter|metre"),
        ("thing", "hours", r"hours|hour"),
        ("thing", "days", r"days|day"),
        ("thing", "aftershocks", r"aftershocks"),
        ("thing", "earthquakes", r"earthquakes|quakes|tremors"),
        ("thing", "provinces", r"provinces"),
        ("thing", "regions", r"regions"),
        ("thing", "cities", r"cities|towns"),
        ("thing", "villages", r"villages"),
        ("thing", "countries", r"countries|nations"),
        ("thing", "districts", r"districts"),
        ("thing", "helicopters", r"helicopters|choppers"),
        ("thing", "drones", r"drones"),
        ("thing", "aircraft", r"aircraft|planes|jets|warplanes|airplanes"),
        ("thing", "missiles", r"missiles|rockets"),
        ("thing", "tanks", r"tanks"),
        ("thing", "trucks", r"trucks|lorries"),
        ("thing", "vehicles", r"vehicles|cars"),
        ("thing", "ships", r"ships|boats|vessels"),
        ("thing", "hospitals", r"hospitals"),
        ("thing", "schools", r"schools"),
        ("thing", "flights", r"flights"),
        ("thing", "airstrikes", r"air ?strikes|airstrikes|strikes|raids"),
        ("times", "", r"times"),
    ],
    "ru": [
        ("status", "killed", r"погибш\w*|погибл[иоа]|погиб|убит\w*|жертв\w*|умерш\w*|скончал\w*"),
        ("status", "wounded", r"раненн?\w*|пострадавш\w*|пострадал[иоа]?|травмирован\w*"),
        ("status", "missing", r"(?:без вести )?пропавш\w*(?: без вести)?|пропал\w* без вести"),
        ("status", "homeless", r"бездомн\w*"),
        ("status", "displaced", r"(?:вынужденн\w* )?переселенц\w*"),
        ("status", "detained", r"задержанн?\w*|арестованн?\w*"),
        ("status", "rescued", r"спасенн?\w*"),
        ("status", "evacuated", r"эвакуированн?\w*"),
        ("status", "hospitalised", r"госпитализированн?\w*"),
        ("group", "civilians", r"мирн\w+ (?:жител|граждан|населени)\w*"),
        ("group", "rescuers", r"спасател\w*"),
        ("group", "soldiers", r"военнослужащ\w*|военн(?:ых|ые|ым|ыми)|солдат\w*"),
        ("group", "fighters", r"бойц\w*|боевик\w*|наемник\w*|наёмник\w*"),
        ("group", "children", r"дет(?:ей|и|ям|ьми)|ребен\w*|несовершеннолетн\w*"),
        ("group", "women", r"женщин\w*"),
        ("group", "firefighters", r"пожарн(?:ых|ые)"),
        ("group", "police", r"полицейск\w*|сотрудник\w* (?:полиции|охраны|дпс)|силовик\w*"),
        ("group", "attackers", r"террорист\w*|нападавш\w*|стрелк\w*"),
        ("group", "workers", r"рабоч\w*|сотрудник\w*"),
        ("group", "passengers", r"пассажир\w*"),
        ("group", "crew", r"член\w* экипажа"),
        ("group", "pilgrims", r"паломник\w*"),
        ("group", "tourists", r"турист\w*"),
        ("group", "migrants", r"мигрант\w*"),
        ("group", "refugees", r"беженц\w*"),
        ("group", "hostages", r"заложник\w*"),
        ("group", "suspects", r"подозреваем\w*"),
        ("group", "prisoners", r"заключенн\w*|пленн\w*"),
        ("group", "students", r"студент\w*|школьник\w*"),
        ("group", "patients", r"пациент\w*"),
        ("group", "medics", r"врач\w*|медик\w*"),
        ("group", "journalists", r"журналист\w*"),
        ("group", "generals", r"генерал\w*"),
        ("group", "officials", r"чиновник\w*"),
        ("group", "volunteers", r"доброволь\w*|волонтер\w*"),
        ("group", "families", r"сем(?:ей|ьи|ьям|ьями)"),
        ("people", "people", r"человек[а]?|людей|люди|лиц|граждан\w*|жител\w*"),
        ("vague", "", r"член\w*"),
        ("thing", "tonnes", r"тонн\w*"),
        ("thing", "dollars", r"доллар\w*|долл\.?"),
        ("thing", "euros", r"евро"),
        ("thing", "roubles", r"рубл\w*|руб\.?"),
        ("thing", "buildings", r"здани\w*|строени\w*|сооружени\w*"),
        ("thing", "homes", r"(?:жил\w* )?дом(?:а|ов)?|квартир\w*|многоэтаж\w*"),
        ("thing", "km", r"км|километр\w*"),
        ("thing", "miles", r"мил[ьи]\w*"),
        ("thing", "metres", r"метр\w*"),
        ("thing", "hours", r"час(?:а|ов)?"),
        ("thing", "days", r"дн(?:я|ей|и)|день|сут(?:ки|ок)"),
        ("thing", "aftershocks", r"афтершок\w*"),
        ("thing", "tremors", r"(?:подземн\w* )?толч(?:ок|ка|ков|ки)"),
        ("thing", "earthquakes", r"землетрясени\w*"),
        ("thing", "provinces", r"провинци\w*|вилайет\w*"),
        ("thing", "regions", r"регион\w*|област\w*"),
        ("thing", "cities", r"город\w*|населенн\w+ пункт\w*"),
        ("thing", "villages", r"сел(?:о|а|ах)|сёл|деревн\w*"),
        ("thing", "countries", r"стран\w*|государств\w*"),
        ("thing", "districts", r"район\w*"),
        ("thing", "helicopters", r"вертолет\w*"),
        ("thing", "aircraft", r"самолет\w*"),
        ("thing", "drones", r"беспилотник\w*|дрон\w*|бпла"),
        ("thing", "missiles", r"ракет\w*"),
        ("thing", "tanks", r"танк\w*"),
        ("thing", "trucks", r"грузовик\w*|фур\w*"),
        ("thing", "vehicles", r"машин\w*|автомобил\w*"),
        ("thing", "hospitals", r"больниц\w*|госпитал\w*"),
        ("thing", "schools", r"школ\w*"),
        ("thing", "flights", r"рейс\w*"),
        ("thing", "teams", r"отряд\w*|бригад\w*|групп\w*"),
        ("thing", "airstrikes", r"авиаудар\w*|удар\w*"),
        ("times", "", r"раз"),
    ],
    "ar": [
        ("status", "killed", r"قتيل\w*|قتلى|ضحية|ضحايا|جثة|جثث|شهيد\w*|شهداء|وفاة|وفيات"),
        ("status", "wounded", r"جريح\w*|جرحى|مصاب\w*|إصابة|إصابات"),
        ("status", "missing", r"مفقود\w*"),
        ("status", "homeless", r"مشرد\w*"),
        ("status", "displaced", r"نازح\w*|مهجر\w*"),
        ("status", "detained", r"معتقل\w*|موقوف\w*|محتجز\w*"),
        ("status", "rescued", r"ناج|ناجيا|ناجين|ناجون"),
        (
            "group",
            "rescuers",
            r"(?:عناصر|عنصر|رجال|فرق|فريق) (?:ال)?(?:بحث و)?(?:ال)?إنقاذ|منقذ\w*",
        ),
        ("group", "police", r"(?:عناصر|رجال|رجل) (?:ال)?(?:شرطة|أمن)|شرطي\w*"),
        ("group", "firefighters", r"(?:رجال|رجل) (?:ال)?إطفاء|إطفائي\w*"),
        ("group", "civilians", r"مدني\w*"),
        ("group", "soldiers", r"جندي\w*|جنود|عسكري\w*"),
        ("group", "children", r"طفل\w*|أطفال"),
        ("group", "women", r"امرأة|نساء|سيدة|سيدات"),
        ("group", "fighters", r"مقاتل\w*|مسلح\w*|مرتزق\w*"),
        ("group", "attackers", r"مهاجم\w*|إرهابي\w*"),
        ("group", "workers", r"عامل\w*|عمال|موظف\w*"),
        ("group", "passengers", r"راكب\w*|ركاب"),
        ("group", "pilgrims", r"حاج|حجاج"),
        ("group", "tourists", r"سائح\w*|سياح"),
        ("group", "migrants", r"مهاجر\w*"),
        ("group", "refugees", r"لاجئ\w*"),
        ("group", "hostages", r"رهينة|رهائن"),
        ("group", "suspects", r"مشتبه\w*"),
        ("group", "prisoners", r"سجين\w*|سجناء|أسير\w*|أسرى"),
        ("group", "students", r"طالب\w*|طلاب"),
        ("group", "journalists", r"صحفي\w*|صحافي\w*"),
        ("group", "generals", r"جنرال\w*"),
        ("group", "officials", r"مسؤول\w*"),
        ("group", "volunteers", r"متطوع\w*"),
        ("group", "families", r"عائلة|عائلات|أسرة|أسر"),
        ("people", "people", r"شخص\w*|أشخاص|مواطن\w*|نسمة|سكان\w*|ساكن\w*"),
        ("vague", "", r"آخر(?:ين|ون)|عنصر\w*|عناصر|فرد\w*|أفراد"),
        ("thing", "tonnes", r"طن|طنا|أطنان"),
        ("thing", "dollars", r"دولار\w*"),
        ("thing", "euros", r"يورو"),
        ("thing", "buildings", r"مبنى|مباني|مبان|أبنية|بناية|بنايات|عمارة|عمارات"),
        ("thing", "homes", r"منزل\w*|منازل|بيت|بيوت|مسكن|مساكن|شقة|شقق"),
        ("thing", "km", r"كيلومتر\w*|كلم|كم"),
        ("thing", "miles", r"ميل|أميال"),
        ("thing", "metres", r"متر|مترا|أمتار"),
        ("thing", "hours", r"ساعة|ساعات"),
        ("thing", "days", r"يوم|يوما|أيام"),
        ("thing", "aftershocks", r"هز(?:ة|ات) ارتدادية"),
        ("thing", "earthquakes", r"زلزال|زلازل|هزة|هزات"),
        ("thing", "provinces", r"ولاية|ولايات|محافظة|محافظات"),
        ("thing", "regions", r"منطقة|مناطق"),
        ("thing", "cities", r"مدينة|مدن"),
        ("thing", "villages", r"قرية|قرى"),
        ("thing", "countries", r"دولة|دول|بلد|بلدان"),
        ("thing", "helicopters", r"(?:طائرة |طائرات )?مروحي(?:ة|ات)"),
        ("thing", "drones", r"(?:طائرة |طائرات )?مسير(?:ة|ات)"),
        ("thing", "aircraft", r"طائرة|طائرات"),
        ("thing", "missiles", r"صاروخ\w*|صواريخ"),
        ("thing", "tanks", r"دبابة|دبابات"),
        ("thing", "trucks", r"شاحنة|شاحنات"),
        ("thing", "vehicles", r"سيارة|سيارات|آلية|آليات|مركبة|مركبات"),
        ("thing", "hospitals", r"مستشفى|مستشفيات"),
        ("thing", "schools", r"مدرسة|مدارس"),
        ("thing", "flights", r"رحلة|رحلات"),
        ("thing", "airstrikes", r"غارة|غارات"),
        ("times", "", r"مرة|مرات"),
    ],
}
_HEAD_RES = {
    lang: [(kind, key, re.compile(_word_re(lang, body))) for kind, key, body in rows]
    for lang, rows in _HEADS.items()
}
_UNITS = {"tonnes", "dollars", "euros", "roubles", "km", "miles", "metres", "hours", "days"}
_TIME_UNITS = {"hours", "days"}
_CURRENCY = {"$": "dollars", "€": "euros", "£": "pounds", "₽": "roubles"}

# Words that may stand between a number and its noun ("62 Syrian soldiers", "2,818 collapsed
# buildings", "62 сирийских военнослужащих"); Arabic puts adjectives after the noun.
_EN_NOT_MODIFIER = _wordset(
    "of the a an and or in on at to from by for with was were is are have has had been be being "
    "that which who as after before since during while but per than this these those its their "
    "his her it they he she we there not no all some many most more other also into over under "
    "about around near across among between within without against up down out off through "
    "will would could may might can should said says say according"
)
# Capitalised words before a number that are no name ("Between 200 and 250", "Только 5").
_FUNCTION_WORDS = _wordset(
    "between only just another additional all some nearly almost about around over more less "
    "at least up killing killed and but while whereas then now still total "
    "между от около более менее почти свыше только лишь всего еще и но а по до"
)
_RU_ADJECTIVE = re.compile(
    r"[^\W\d_]+(?:ых|их|ые|ие|ый|ий|ой|ая|яя|ое|ее|ого|его|ому|ему|ым|им|ую|юю|ыми|ими)"
)

# What happened to what is counted, read around the number: (key, pattern).
_STATUS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("killed", r"kill(?:ed|ing|s)?|dead|died|die|deaths?|lives|perish\w*|fatalit\w*"),
        ("wounded", r"wound\w*|injur\w*|hurt"),
        ("missing", r"missing|unaccounted"),
        ("homeless", r"homeless|lost (?:their|his|her) homes?|without (?:a )?(?:home|shelter)"),
        ("displaced", r"displac\w*|fled|forced to flee"),
        ("evacuated", r"evacuat\w*"),
        ("detained", r"arrest\w*|detain\w*|in custody"),
        ("rescued", r"rescued|pulled (?:out )?alive"),
        ("trapped", r"trapped|under (?:the )?rubble"),
        ("hospitalised", r"hospitali[sz]ed"),
    ],
    "ru": [
        ("killed", r"погиб\w*|гибел\w*|убит\w*|убил\w*|жертв\w*|скончал\w*|умер\w*|унес\w* жизн"),
        ("wounded", r"ранен\w*|ранени\w*|пострада\w*|травм\w*"),
        ("missing", r"без вести|пропавш\w*"),
        ("homeless", r"без (?:крова|жилья|крыши над головой)|бездомн\w*"),
        ("displaced", r"переселен\w*|покинул\w* (?:свои )?дома"),
        ("evacuated", r"эвакуир\w*"),
        ("detained", r"задерж\w*|арест\w*"),
        ("rescued", r"спас(?:ен|ли|ено|ены|ён)\w*|извлечен\w* живыми"),
        ("trapped", r"под (?:завал|обломк)\w*"),
        ("hospitalised", r"госпитализ\w*"),
    ],
    "ar": [
        (
            "killed",
            r"مقتل|قتل\w*|قتيل\w*|مصرع\w*|حتف\w*|وفاة|وفيات|توفي\w*|ضحايا|ضحية|شهيد\w*|شهداء|"
            r"استشهاد|جثث|جثة",
        ),
        ("wounded", r"إصاب\w*|أصيب\w*|جرح\w*|جريح\w*|جرحى|مصاب\w*|بجروح"),
        ("missing", r"مفقود\w*|فقدان"),
        ("homeless", r"مشرد\w*|تشريد|شرد\w*|(?:بلا|دون|بدون|من دون) (?:مأوى|مسكن|منازل|مساكن)"),
        ("displaced", r"نزوح|نازح\w*|تهجير|مهجر\w*"),
        ("evacuated", r"إجلاء|أجلي\w*"),
        ("detained", r"اعتقال\w*|اعتقل\w*|توقيف|أوقف\w*|القبض|احتجاز|احتجز\w*|معتقل\w*|موقوف\w*"),
        ("rescued", r"إنقاذ\w*|أنقذ\w*"),
        ("trapped", r"تحت (?:ال)?أنقاض|عالق\w*"),
    ],
}
_STATUS_RES = {
    lang: [(key, re.compile(_word_re(lang, body))) for key, body in rows]
    for lang, rows in _STATUS.items()
}
# A verb or noun that takes the count as its object, right before it: "killing 62", "погибли 62",
# "مقتل 62".
_LEFT_CUES: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("killed", r"killing|killed|kills|lives of|death toll of|death toll at|toll of"),
        ("wounded", r"injuring|injured|wounding|wounded|injures|wounds"),
        ("displaced", r"displacing|displaced"),
        ("evacuated", r"evacuating|evacuated"),
        ("rescued", r"rescuing|rescued"),
        ("detained", r"arresting|arrested|detaining|detained"),
    ],
    "ru": [
        ("killed", r"погибли|погибло|погиб|погибших|убиты|убито|убили|унесл[аи] жизни|унес жизни"),
        ("wounded", r"ранены|ранено|ранили|пострадали|пострадало|пострадавших|раненых"),
        ("detained", r"задержаны|задержано|задержали|арестованы|арестовали|задержанных"),
        ("evacuated", r"эвакуированы|эвакуировали|эвакуировано"),
        ("rescued", r"спасены|спасли|спасено"),
        ("hospitalised", r"госпитализированы|госпитализировано|госпитализировали"),
        ("missing", r"пропали без вести|пропавших без вести"),
    ],
    "ar": [
        ("killed", r"مقتل|قتل|مصرع|وفاة|استشهاد|سقوط"),
        ("wounded", r"إصابة|جرح|أصيب|أصيبوا|أصيبت"),
        ("homeless", r"تشريد|شرد|شردت"),
        ("displaced", r"نزوح|تهجير"),
        ("detained", r"اعتقال|اعتقل|اعتقلت|توقيف|أوقف|أوقفت|احتجاز"),
        ("rescued", r"إنقاذ|أنقذ|أنقذت"),
        ("evacuated", r"إجلاء"),
        ("missing", r"فقدان"),
    ],
}
_LEFT_CUE_RES = {
    lang: [(key, re.compile(_word_re(lang, body) + r"\s*$")) for key, body in rows]
    for lang, rows in _LEFT_CUES.items()
}
# "the death toll rose to 1,498", "число погибших превысило 76", "عدد القتلى ارتفع إلى 1498": a
# frame word, then within a few words what is counted, then a verb just before the number.
_FRAME_WORD = {
    "en": re.compile(r"\b(?:toll|number of|tally)\b"),
    "ru": re.compile(r"(?<![^\W\d_])(?:числ[оау]|количеств[оау])(?![^\W\d_])"),
    "ar": re.compile(_p(_AR + r"(?:عدد|حصيلة)" + _E)),
}
_FRAME_VERB = {
    "en": re.compile(
        r"\b(?:reached|rose to|risen to|climbed to|jumped to|increased to|stood at|stands at|"
        r"hit|is|was|at|of|to|now|reaching|rising to|climbing to|has reached|had reached)\s*$"
    ),
    "ru": re.compile(
        r"(?:составил[оа]?|составляет|достиг\w*|возросл?[оа]?(?: до)?|вырос(?:л[оа]?)?(?: до)?|"
        r"увеличил\w*(?: до)?|превысил[оа]?|превышает|до|[—–:-])\s*$"
    ),
    "ar": re.compile(
        _p(
            r"(?:بلغ\w*|وصل\w*(?: إلى)?|ارتفع\w*(?: إلى)?|إلى|الى|تجاوز\w*|تخطى\w*|تخطت|ناهز\w*|"
            r"قارب\w*|:)\s*$"
        )
    ),
}
_TOLL = re.compile(_p("toll|tally|حصيلة"))  # a toll says deaths unless it says otherwise

# Qualifiers right before the number -> bound.
_QUALIFIERS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("at_least", r"at least|no fewer than|no less than|not less than|a minimum of"),
        (
            "more_than",
            r"more than|well over|just over|over|above|upwards of|in excess of|exceeding|"
            r"exceeded|surpassed|topped|greater than",
        ),
        (
            "about",
            r"about|around|approximately|roughly|some|nearly|almost|close to|an estimated|"
            r"estimated|approx\.|circa|an approximate|more or less",
        ),
        ("up_to", r"up to|as many as|as much as|at most|no more than|not more than"),
        ("less_than", r"less than|fewer than|just under|under|below"),
    ],
    "ru": [
        (
            "at_least",
            r"по меньшей мере|по крайней мере|не менее чем|не менее|не меньше|как минимум|минимум",
        ),
        (
            "more_than",
            r"более чем|более|больше чем|больше|свыше|превысил[оа]?|превышает|превысит|"
            r"превышающ\w*|перевалил[оа]?(?: за)?",
        ),
        (
            "about",
            r"около|почти|примерно|порядка|приблизительно|практически|ориентировочно|"
            r"едва ли не|почти что",
        ),
        ("up_to", r"вплоть до|не более чем|не более|не больше|до"),
        ("less_than", r"менее чем|менее|меньше чем|меньше"),
    ],
    "ar": [
        ("at_least", r"ما لا يقل عن|لا يقل عن|لا تقل عن|على الأقل"),
        (
            "more_than",
            r"أكثر من|ما يزيد على|ما يزيد عن|يزيد على|يزيد عن|تزيد على|تزيد عن|يتجاوز|تتجاوز|"
            r"تجاوز|تجاوزت|يتخطى|تتخطى|تخطى|تخطت|يفوق|تفوق|فاق|فاقت|ما يربو على|يربو على|"
            r"ما فوق|فوق",
        ),
        (
            "about",
            r"نحو|حوالي|حوالى|قرابة|زهاء|ما يقرب من|ما يقارب|يقارب|تقارب|قارب|قاربت|"
            r"ما يناهز|يناهز|تناهز|ناهز|ناهزت",
        ),
        ("up_to", r"ما يصل إلى|يصل إلى|تصل إلى|حتى"),
        ("less_than", r"أقل من|ما دون|دون"),
    ],
}
_QUALIFIER_RES = {
    lang: [(bound, re.compile(_word_re(lang, body) + r"\s*[$€£₽]?\s*$")) for bound, body in rows]
    for lang, rows in _QUALIFIERS.items()
}
# "до 100" is "up to 100" unless it says where a count rose to.
_RU_RISE_TO = re.compile(
    r"(?:возрос\w*|вырос\w*|увеличил\w*|достиг\w*|снизил\w*|сократил\w*|подскочил\w*|поднял\w*|"
    r"уточнил\w*|с [\d\s.,]+)\s+до\s*$"
)
_POST_QUALIFIERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "en": [
        ("at_least", re.compile(r"^\s*(?:or more|and more|plus)\b")),
        ("about", re.compile(r"^\s*or so\b")),
    ],
    "ru": [("at_least", re.compile(r"^\s*(?:и|или) (?:более|больше)(?![^\W\d_])"))],
    "ar": [
        ("at_least", re.compile(_p(r"^\s*(?:على الأقل|فأكثر|أو أكثر)(?![^\W\d_])"))),
        ("about", re.compile(_p(r"^\s*تقريبا(?![^\W\d_])"))),
    ],
}

# Ranges: "between 200,000 and 250,000", "от 3 до 5", "3–5", "بين 250 و300".
_RANGE_START = {
    "en": re.compile(r"\b(?:between|from)\s*[$€£]?\s*$"),
    "ru": re.compile(r"(?<![^\W\d_])(?:между|от)\s*[$€£₽]?\s*$"),
    "ar": re.compile(_p(_AR + r"(?:بين|من)\s*[«\"“]?\s*[$]?\s*$")),
}
_RANGE_JOIN = {
    "en": re.compile(r"^\s*(?:and|to|[-–—])\s*[$€£]?\s*$"),
    "ru": re.compile(r"^\s*(?:и|до|[-–—])\s*[$€£₽]?\s*$"),
    "ar": re.compile(_p(r"^\s*(?:و|إلى|الى|حتى|[-–—])\s*$")),
}
_CHANGE_VERB = {
    "en": re.compile(
        r"\b(?:rose|risen|rising|increased|climbed|jumped|fell|dropped|grew|revised|raised|"
        r"lowered|up|down)\b[^,;.]{0,30}$"
    ),
    "ru": re.compile(r"(?!)"),
    "ar": re.compile(_p(r"(?:ارتفع|ارتفعت|زاد|زادت|تراجع|تراجعت|انخفض|انخفضت)\w*\s+من\s*$")),
}
_TIME_OFFSET = re.compile(_p(r"\s*(?:later|ago|earlier|назад|спустя|раньше|позже)(?![^\W\d_])"))
_DASH_JOIN = re.compile(r"^\s*[$€£₽]?[-–—]\s*[$€£₽]?$")

# Never figures: what the number sits in.
_MONTHS = {
    "en": r"january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec",
    "ru": r"январ\w*|феврал\w*|март\w*|апрел\w*|ма[йяею]|июн\w*|июл\w*|август\w*|сентябр\w*|"
    r"октябр\w*|ноябр\w*|декабр\w*",
    "ar": _p(
        r"يناير|فبراير|مارس|أبريل|إبريل|ابريل|مايو|يونيو|يونيه|يوليو|يوليه|أغسطس|سبتمبر|أكتوبر|"
        r"نوفمبر|ديسمبر|كانون|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين|جانفي|فيفري|"
        r"أفريل|ماي|جوان|جويلية|أوت"
    ),
}
_MONTH_AFTER = {
    lang: re.compile(r"^(?:st|nd|rd|th)?[\s,./-]*(?:of\s+)?" + _word_re(lang, body))
    for lang, body in _MONTHS.items()
}
_MONTH_BEFORE = {
    lang: re.compile(_word_re(lang, body) + r"\.?[\s/-]*$") for lang, body in _MONTHS.items()
}
_NOT_AFTER = {  # what follows the number
    "en": re.compile(
        r"^(?:\s*(?:%|percent\b|per cent\b|pct\b|a\.?m\b|p\.?m\b|gmt\b|utc\b|est\b|edt\b|cet\b|"
        r"bst\b|local time\b|o'clock\b|hrs\b|h\b|-?magnitude\b|on the richter\b|-?years? old\b|"
        r"-?year-old\b|degrees\b|°)|(?:st|nd|rd|th|s)\b|-[^\W\d_])"
    ),
    "ru": re.compile(
        r"^(?:\s*(?:%|процент\w*|проц\.|ч\.|час\w*\s+(?:утра|дня|вечера|ночи)|утра\b|вечера\b|"
        r"ночи\b|(?:час\w*\s+)?(?:по москв\w*|по московск\w*|по местному|мск\b)|балл\w*|"
        r"по шкале|магнитуд\w*|лет от роду|год\w*|г\.|гг\.|градус\w*|°)|-?[^\W\d_])"
    ),
    "ar": re.compile(
        _p(
            r"^\s*(?:%|٪|في ?الم[ئا]ة|بالم[ئا]ة|صباحا|مساء|ظهرا|فجرا|ليلا|بتوقيت|ت\s?غ|"
            r"غرينتش|درج\w*|على مقياس|ريختر|من العمر|عاما من العمر|هـ|م(?![^\W\d_]))"
        )
    ),
}
_NOT_BEFORE = {  # the words before the number
    "en": re.compile(
        r"\b(?:magnitude|magnitude of|aged|age of|ages of|no\.|number|flight|route|article|"
        r"category|level|grade|paragraph|page|chapter|room|gate|platform|unit|block|model|"
        r"resolution|code|version|channel)\s*$"
    ),
    "ru": re.compile(
        r"(?<![^\W\d_])(?:магнитуд\w*|силой|мощностью|в возрасте|возрастом|номер\w*|рейс\w*|"
        r"стать[яеи]|пункт\w*|резолюци\w*|код\w*|канал\w*)\s*$"
    ),
    "ar": re.compile(
        _p(
            _AR + r"(?:قوة|قوته|قوتها|شدة|شدته|شدتها|عمر|عمره|عمرها|العمر|الساعة|ساعة|رقم|"
            r"المادة|القرار|الفقرة|رحلة)\s*$"
        )
    ),
}
# Before a year: "in 2014", "в 2014", "عام 2014".
_YEAR_BEFORE = re.compile(
    _p(
        r"(?:\b(?:in|since|of|by|from|until|year|early|late|mid|spring|summer|autumn|fall|winter)|"
        r"(?<![^\W\d_])(?:в|с|до|к|по|году|год|года)|" + _AR + r"(?:عام|سنة|منذ|العام))\s*$"
    )
)
_TOKEN = re.compile(r"\S+")
_URL_MARK = re.compile(r"https?:|www\.|\.com|\.org|\.net|\.ru|/|@|=|\?\w")
_NUMERIC_DATE = re.compile(r"\b\d{4}-\d{1,2}(?:-\d{1,2})?\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
_PHONE = re.compile(r"\+?\(?\d{1,4}\)?(?:[\s-]\(?\d{2,4}\)?){2,}(?:-\d{2,4})+")
_CLAUSE_BREAK = re.compile(r"[,;:!?،؛؟()\[\]«»\"“”„|\n]|\.(?:\s|$)")
_BREAK = re.compile(r"[,;:!?،؛؟()\[\]{}«»\"“”„|\n]|\s[-–—]\s|\.(?:\s|$)")
_CONJ = {
    "en": re.compile(r"\b(?:and|but|while|whereas|as well as|including)\b"),
    "ru": re.compile(r"(?<![^\W\d_])(?:и|а|но|тогда как|в том числе)(?![^\W\d_])"),
    "ar": re.compile(
        _p(r"(?<![^\W\d_])(?:بينما|فيما|في حين|بينهم|منهم|و(?!فاة|فيات)[^\W\d_]{2,})")
    ),
}
_TIMES_VERB = {
    "en": [
        ("violations", r"violat\w*|breach\w*|broke|broken"),
        ("attacks", r"attack\w*|struck|shelled"),
    ],
    "ru": [("violations", r"наруш\w*"), ("attacks", r"атак\w*|обстрел\w*")],
    "ar": [("violations", r"خرق\w*|انتهاك\w*|انتهك\w*"), ("attacks", r"هاجم\w*|هجوم\w*|قصف\w*")],
}
_TIMES_VERB_RES = {
    lang: [(key, re.compile(_word_re(lang, body))) for key, body in rows]
    for lang, rows in _TIMES_VERB.items()
}
# Helper words between a bare number and what happened to it: "4,000 were wounded".
_AUX_LEAD = {
    lang: re.compile(
        r"\s*(?:(?:"
        + _p(words)
        + r")(?![^\W\d_])\s*)*"
        + _p(r"(?:(?:без|without|under|بلا|دون|بدون|تحت)\s+)?[^\W\d_]*")
    )
    for lang, words in {
        "en": r"were|was|are|is|have|has|had|been|being|also|reportedly|more|others|other|"
        r"people|later|since|now|so far|left|rendered|been left",
        "ru": r"были|было|был|была|также|еще|ещё|уже|человек|человека|людей|получили|получил|"
        r"оказались|стали|остал\w*|оставш\w*",
        "ar": r"قد|تم|باتوا|أصبحوا|صاروا|لقوا|آخرون|آخرين|من|قتيل|جريح|مصاب|آخر",
    }.items()
}
# A relative clause that makes the counted people the doers: "four gunmen who killed 100".
_AGENT = {
    "en": re.compile(
        r"\s*,?\s*(?:who|that)\s+(?:had\s+|have\s+|has\s+)?(?:kill|injur|wound|shot|attack|murder|"
        r"stabb|abduct|kidnapp)"
    ),
    "ru": re.compile(r"\s*,?\s*котор\w+\s+(?:убил|ранил|расстрелял|напал|атаковал|похитил)"),
    "ar": re.compile(r"(?!)"),
}
# "..., including three children": the part shares what happened to the whole.
_AMONG = {
    "en": re.compile(r"\b(?:including|among them|among whom|of whom|of them)\s*$"),
    "ru": re.compile(r"(?<![^\W\d_])(?:в том числе|среди них|среди которых|из них|из которых)\s*$"),
    "ar": re.compile(_p(_AR + r"(?:بينهم|منهم|من بينهم|بينها|منها)\s*$")),
}
_PERSON_STATUSES = {
    "killed",
    "wounded",
    "missing",
    "homeless",
    "displaced",
    "evacuated",
    "detained",
    "rescued",
    "trapped",
    "hospitalised",
}
_TOTAL_BEFORE = {
    "en": re.compile(r"\d\s+(?:of|out of)\s*$"),
    "ru": re.compile(r"(?:^|[\s,;:(])из\s*$"),
    "ar": re.compile(_p(_AR + r"(?:من أصل|من بين)\s*$")),
}


# -- finding ------------------------------------------------------------------------------------


_SPACES = re.compile(r"\s*")
_WORD_AT = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_NAME_BEFORE = re.compile(r"([^\W\d_]+)\s+$")


def _head(t: str, pos: int, lang: str) -> _Head | None:
    """The noun the number at `pos` counts: right after it, or after up to two modifiers."""
    at = pos
    for skipped in range(3):
        m_space = _SPACES.match(t, at)
        at = m_space.end() if m_space else at
        for kind, key, rx in _HEAD_RES[lang]:
            m = rx.match(t, at)
            if m:
                if kind == "status" and lang == "ar" and skipped:
                    return None  # "5 من المصابين": five of the wounded, a part
                return _Head(kind, key, m.start(), m.end(), skipped == 0)
        word = _WORD_AT.match(t, at)
        if not word:
            return None
        w = word.group(0)
        if lang == "en":
            if w in _EN_NOT_MODIFIER or w.endswith("ly") or w in _EN_WORDS:
                return None
        elif lang == "ru":
            if not _RU_ADJECTIVE.fullmatch(w):
                return None
        elif w != "من" or skipped:
            return None
        if any(rx.fullmatch(w) for _, rx in _STATUS_RES[lang]):
            return None
        at += len(w)
    return None


def _right_text(t: str, pos: int, limit: int, lang: str, stop: int) -> str:
    """What follows `pos` up to a clause break, the next number or `limit` words."""
    text = t[pos:stop]
    cut = len(text)
    for rx in (_BREAK, _CONJ[lang]):
        m = rx.search(text)
        if m and m.start() < cut:
            cut = m.start()
    text = text[:cut]
    words = list(re.finditer(r"\S+", text))
    if len(words) > limit:
        text = text[: words[limit - 1].end()]
    return text


def _status_right(text: str, lang: str) -> str:
    best: tuple[int, str] | None = None
    for key, rx in _STATUS_RES[lang]:
        m = rx.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), key)
    return best[1] if best else ""


def _status_left(t: str, pos: int, lang: str) -> str:
    """The status a cue right before `pos` gives ("killing 62")."""
    for key, rx in _LEFT_CUE_RES[lang]:
        if _ends_at(rx, t, pos):
            return key
    return ""


def _status_frame(t: str, q_start: int, floor: int, lang: str) -> str:
    window = t[max(floor, q_start - 160) : q_start]
    if not _FRAME_VERB[lang].search(window) or re.search(r"[.;!?](?:\s|$)", window):
        return ""
    frames = list(_FRAME_WORD[lang].finditer(window))
    if not frames:
        return ""
    f = frames[-1]
    status = _status_right(window[f.end() : f.end() + 60], lang)
    if status:
        return status
    return "killed" if _TOLL.search(f.group(0)) else ""


def _status_clause(t: str, q_start: int, floor: int, lang: str) -> str:
    """A status said earlier in the number's clause: "без крова остались около 300 тыс. человек"."""
    clause = t[max(floor, q_start - 100) : q_start]
    clause = clause[max((m.end() for m in _CLAUSE_BREAK.finditer(clause)), default=0) :]
    best: tuple[int, str] | None = None
    for key, rx in _STATUS_RES[lang]:
        for m in rx.finditer(clause):
            if best is None or m.start() > best[0]:
                best = (m.start(), key)
    return best[1] if best else ""


def _bound(t: str, start: int, lang: str) -> tuple[str, int]:
    """The bound a qualifier right before `start` gives, and where the qualifier begins."""
    for bound, rx in _QUALIFIER_RES[lang]:
        m = _ends_at(rx, t, start)
        if m:
            if lang == "ru" and bound == "up_to" and _ends_at(_RU_RISE_TO, t, start):
                continue
            qs = m.start()
            while qs < start and not t[qs].isalpha():
                qs += 1
            return bound, qs
    return "exact", start


def _excluded(t: str, n: _Num, lang: str, sentence: str, where: list[int], text_from: int) -> bool:
    """Never a figure: a date, clock time, ordinal, percentage, magnitude, age, model name...
    (`text_from`: where the sentence's first non-space character is)."""
    # only the ends next to the number are read (see _REACH)
    before, after = t[max(0, n.start - _REACH) : n.start], t[n.end : n.end + _REACH]
    prev = before[-1:]
    # letters glued to the number: "GMT09", "A320"; Arabic particles are fine: "و300"
    if prev.isalpha() and not (lang == "ar" and prev in "وبلفك" and not before[-2:-1].isalpha()):
        return True
    if prev and (prev in "#№+" or (prev == "-" and before[-2:-1].isalpha())):
        return True
    if lang == "ar" and before.endswith(("ال", "الـ")):
        return True
    if _NOT_AFTER[lang].match(after) or _ends_at(_NOT_BEFORE[lang], t, n.start):
        return True
    if _MONTH_AFTER[lang].match(after) or _ends_at(_MONTH_BEFORE[lang], t, n.start):
        return True
    if before.endswith("(") and after.startswith(")"):
        return True  # "(68)", "Комментарии (12)"
    if not n.words and re.match(r"[^\W\d_]", after) and not _unit_glued(after):
        return True  # "1990s", "17th", "5G"
    if lang in ("en", "ru"):
        # a name right before the number ("Bell 212", "Boeing 737"), not at the sentence start
        m = _ends_at(_NAME_BEFORE, sentence, where[n.start])
        if m and m.group(1)[0].isupper() and text_from < m.start():
            word = m.group(1).lower()
            if not (
                word in _EN_NOT_MODIFIER
                or word in _FUNCTION_WORDS
                or any(rx.search(word + " ") for _, rx in _QUALIFIER_RES[lang])
                or _status_left(word, len(word), lang)
            ):
                return True
    return False


def _unit_glued(after: str) -> bool:
    """Letters right after the digits that are still a count: "17.9km", "$3bn", "4тыс."."""
    return bool(re.match(r"(?:km|kg|bn|mn|m|км|тыс|млн|млрд)(?![^\W\d_])", after))


def _blocked(t: str) -> list[tuple[int, int]]:
    """Folded spans that hold no figure: URLs, e-mail addresses, phone numbers."""
    # a token holding a URL mark, as `\S*(?:mark)\S*` would find it, without its quadratic
    # backtracking over a long token with no mark
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(t) if _URL_MARK.search(m.group())]
    spans += [(m.start(), m.end()) for m in _PHONE.finditer(t)]
    spans += [(m.start(), m.end()) for m in _NUMERIC_DATE.finditer(t)]
    return spans


def _counted(
    t: str, nums: list[_Num], i: int, j: int, lang: str, q_start: int
) -> tuple[str, _Head | None]:
    """What numbers i..j (one number, or the two ends of a range) count; "" when not known."""
    last = nums[j]
    stop = nums[j + 1].start if j + 1 < len(nums) else len(t)
    head = last.noun or _head(t, last.end, lang)
    currency = _CURRENCY.get(t[nums[i].start - 1 : nums[i].start], "")
    if currency and not (head and head.kind == "thing" and head.key == currency):
        return currency, None
    floor = nums[i - 1].end if i > 0 else 0
    if head is None or head.kind in ("people", "vague", "group"):
        after = last.end if head is None or last.noun else head.end
        if head and head.kind == "group" and _AGENT[lang].match(t, after):
            return head.key, head  # "the four gunmen who killed ...": they did it
        status = _status_left(t, q_start, lang)
        if not status:
            right = _right_text(t, after, 8 if head else 3, lang, stop)
            if head is None:
                # "4,000 were wounded", "4 тыс. ранены": only helper words before the status;
                # "300 families were displaced" counts families, not known here
                lead = _AUX_LEAD[lang].match(right)
                right = lead.group(0) if lead else ""
            status = _status_right(right, lang)
        if not status:
            status = _status_frame(t, q_start, floor, lang)
        if not status and head is not None:
            status = _status_clause(t, q_start, floor, lang)
        if head is None or head.kind in ("vague", "people"):
            return status, head
        if status:
            if head.key == "suspects" and status == "detained":
                return status, head
            return f"{head.key} {status}", head
        return head.key, head
    if head.kind == "times":
        clause = t[max(floor, q_start - 80) : q_start]
        for key, rx in _TIMES_VERB_RES[lang]:
            if rx.search(clause):
                return key, head
        return "", head
    return head.key, head


def find_figures(sentence: str, lang: str) -> list[FoundFigure]:
    """Numbers that count something recognisable in `sentence` (written in `lang`: en, ru, ar),
    each with its bound and place; years, dates, times and numbers counting nothing known are
    skipped."""
    if lang not in _HEADS or not re.search(r"[\d٠-٩۰-۹]|[^\W\d_]", sentence):
        return []
    t, where = _fold(sentence)
    nums = _numbers(t, lang)
    if not nums:
        return []
    blocked = Spans(_blocked(t))
    dates = Spans(_date_spans(sentence, lang))
    text_from = len(sentence) - len(sentence.lstrip())
    bad = []
    for n in nums:
        o_start, o_end = where[n.start], where[n.end - 1] + 1
        bad.append(
            _excluded(t, n, lang, sentence, where, text_from)
            or blocked.overlaps(n.start, n.end)
            or dates.overlaps(o_start, o_end)
        )
    out: list[FoundFigure] = []
    i = 0
    while i < len(nums):
        j = i
        if i + 1 < len(nums) and _is_range(t, nums[i], nums[i + 1], lang):
            j = i + 1
        if any(bad[i : j + 1]):
            i = j + 1
            continue
        if (
            j > i
            and nums[i].scale == 1 < nums[j].scale
            and nums[i].value <= nums[j].value / nums[j].scale
        ):
            nums[i].value *= nums[j].scale  # "3–5 млрд", "بين 250 و300 ألف"
        if j > i and nums[i].value >= nums[j].value:
            j = i
        first, last = nums[i], nums[j]
        lead = first.start - (1 if t[first.start - 1 : first.start] in _CURRENCY else 0)
        if j > i:
            bound, q_start = "range", lead
            rs = _ends_at(_RANGE_START[lang], t, lead)
            if rs:
                q_start = rs.start()
                while q_start < lead and not t[q_start].isalpha():
                    q_start += 1
        else:
            bound, q_start = _bound(t, lead, lang)
        counted, head = _counted(t, nums, i, j, lang, q_start)
        # "18 of 31 trucks": the 18 counts trucks too; the 31 is a total
        if (
            not counted
            and j == i
            and lang == "en"
            and i + 1 < len(nums)
            and re.fullmatch(r"\s*(?:of|out of)\s*", t[first.end : nums[i + 1].start])
        ):
            nxt = _head(t, nums[i + 1].end, lang)
            if nxt and nxt.kind in ("thing", "group", "people"):
                counted = nxt.key
        if out and _ends_at(_AMONG[lang], t, q_start):
            status = out[-1].counted.split()[-1]
            if status in _PERSON_STATUSES and (
                not counted or (head is not None and head.kind == "group" and counted == head.key)
            ):
                counted = f"{counted} {status}".strip()
        if _ends_at(_TOTAL_BEFORE[lang], t, q_start) and j == i:
            if counted and lang != "ar":
                counted += " (total)"
            elif not counted and lang == "ar" and out:
                counted = out[-1].counted + " (total)"
        if not counted:
            i = j + 1
            continue
        if first.year_like and not (
            head
            and head.adjacent
            and head.key not in _TIME_UNITS
            and not _ends_at(_YEAR_BEFORE, t, q_start)
        ):
            i = j + 1
            continue
        if any(n.decimal and n.scale == 1 for n in (first, last)) and not (
            (head and head.key in _UNITS) or counted in _CURRENCY.values()
        ):
            i = j + 1
            continue
        if head and head.key in _TIME_UNITS and _TIME_OFFSET.match(t, head.end):
            i = j + 1  # "12 hours later", "два дня назад": a point in time
            continue
        end = last.end
        if bound == "exact":
            tail_from = head.end if head else last.end
            for post_bound, rx in _POST_QUALIFIERS[lang]:
                pm = rx.match(t, last.end) or rx.match(t, tail_from)
                if pm:
                    bound, end = post_bound, pm.end()
                    break
        o_start, o_end = where[q_start], where[end - 1] + 1
        text = sentence[o_start:o_end]
        o_start += len(text) - len(text.lstrip())
        o_end -= len(text) - len(text.rstrip())
        text = sentence[o_start:o_end]
        if j > i:
            for n, b in ((first, "at_least"), (last, "up_to")):
                out.append(FoundFigure(n.value, text, counted, b, o_start, o_end))
        else:
            out.append(FoundFigure(first.value, text, counted, bound, o_start, o_end))
        i = j + 1
    return out


_EN_FROM = re.compile(r"\bfrom\s*[$€£]?\s*$")
_RU_FROM = re.compile(r"от\s*[$€£₽]?\s*$")
_AR_FROM = re.compile(_p(r"من\s*$"))
_AR_BETWEEN = re.compile(_p(r"بين\s*$"))


def _is_range(t: str, a: _Num, b: _Num, lang: str) -> bool:
    gap = t[a.end : b.start]
    if _DASH_JOIN.match(gap) and not a.words and not b.words:
        return True
    if not _RANGE_JOIN[lang].match(gap):
        return False
    pos = a.start - (1 if t[a.start - 1 : a.start] in _CURRENCY else 0)
    if _ends_at(_CHANGE_VERB[lang], t, pos):
        return False
    if not _ends_at(_RANGE_START[lang], t, pos):
        # "12 to 15 people": a range in English without "between" or "from"
        return lang == "en" and bool(re.fullmatch(r"\s*to\s*[$€£]?\s*", gap))
    if lang == "en" and _ends_at(_EN_FROM, t, pos):
        return bool(re.match(r"\s*to\b", gap))
    if lang == "ru" and _ends_at(_RU_FROM, t, pos):
        return bool(re.match(r"\s*до\b", gap))
    if lang == "ar" and _ends_at(_AR_FROM, t, pos) and not _ends_at(_AR_BETWEEN, t, pos):
        return bool(re.match(_p(r"\s*(?:إلى|الى)"), gap))
    return True


def _date_spans(sentence: str, lang: str) -> list[tuple[int, int]]:
    return [(d.start, d.end) for d in find_dates(sentence, lang) if not d.relative]
