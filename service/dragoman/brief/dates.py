"""Dates in ru/ar/en sentences, resolved against the article's publication date.

Absolute dates keep the year the text gives; a day and month without a year take the year that
puts them nearest before (or shortly after) publication. Relative dates (weekdays, yesterday,
вчера, أمس ...) resolve against the publication date by the news convention: a bare weekday is the
most recent such day on or before publication. Without a publication date relative dates stay
unresolved (iso "") and a yearless date is "--MM-DD". Every found date says in plain English how
its ISO date was obtained, and where it sits in the sentence (code-point offsets).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

from dragoman.brief.spans import Taken

# Arabic-Indic and Extended (Persian) digits: one code point for one, so offsets are unchanged.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# How far after publication a yearless "day month" may fall (announced dates); beyond it, the
# date is taken to be in the past.
AHEAD_DAYS = 61

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class FoundDate:
    text: str  # as written in the sentence
    # "YYYY-MM-DD" when known or resolved; "--MM-DD" when no year can be known; "" when a
    # relative date cannot be resolved
    iso: str
    relative: bool  # the text was relative ("on Monday", "yesterday", "в среду", "أمس")
    resolution: str  # how iso was obtained, in plain English; "" when unresolved
    start: int  # code-point offsets of text in the sentence
    end: int


def timeline_date(found: FoundDate) -> str:
    """The date to place on a dated timeline: a full ISO date, or "" when there is none."""
    return found.iso if re.fullmatch(r"\d{4}-\d{2}-\d{2}", found.iso) else ""


# -- month names ------------------------------------------------------------------------------

_EN_MONTHS = (
    ("January", "Jan"),
    ("February", "Feb"),
    ("March", "Mar"),
    ("April", "Apr"),
    ("May",),
    ("June", "Jun"),
    ("July", "Jul"),
    ("August", "Aug"),
    ("September", "Sept", "Sep"),
    ("October", "Oct"),
    ("November", "Nov"),
    ("December", "Dec"),
)
_RU_MONTHS = (
    ("января",),
    ("февраля",),
    ("марта",),
    ("апреля",),
    ("мая",),
    ("июня",),
    ("июля",),
    ("августа",),
    ("сентября",),
    ("октября",),
    ("ноября",),
    ("декабря",),
)
_AR_MONTHS = (
    ("يناير", "كانون الثاني", "جانفي"),
    ("فبراير", "شباط", "فيفري"),
    ("مارس", "آذار"),
    ("أبريل", "ابريل", "إبريل", "نيسان", "أفريل"),
    ("مايو", "أيار", "ماي"),
    ("يونيو", "يونيه", "حزيران", "جوان"),
    ("يوليو", "يوليه", "تموز", "جويلية", "يوليوز"),
    ("أغسطس", "اغسطس", "آب", "أوت", "غشت"),
    ("سبتمبر", "أيلول", "ايلول", "شتنبر"),
    ("أكتوبر", "اكتوبر", "تشرين الأول", "تشرين الاول"),
    ("نوفمبر", "تشرين الثاني", "نونبر"),
    ("ديسمبر", "كانون الأول", "كانون الاول", "دجنبر"),
)


# Arabic short vowels, shadda, sukun and tatweel: written now and then inside words ("السّبت")
_AR_MARKS = "\u064b-\u0652\u0640"
_AR_MARKS_RE = re.compile(f"[{_AR_MARKS}]")


def _plain(word: str) -> str:
    """Lower case, single spaces, no Arabic vowel marks."""
    return " ".join(_AR_MARKS_RE.sub("", word).lower().split())


def _ar(pattern: str) -> str:
    """An Arabic word-list pattern that also matches the words written with vowel marks."""
    return re.sub(r"([\u0621-\u064a])", rf"\1[{_AR_MARKS}]*", pattern)


def _key(name: str) -> str:
    return _plain(name).rstrip(".")


def _month_table(months: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    return {_key(name): n for n, names in enumerate(months, start=1) for name in names}


def _alternation(names: list[str]) -> str:
    # longest first so that "Sept" wins over "Sep"; spaces inside names match any whitespace
    ordered = sorted(names, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(p) for p in n.split()) for n in ordered)


_MONTH_NUMBER = {
    "en": _month_table(_EN_MONTHS),
    "ru": _month_table(_RU_MONTHS),
    "ar": _month_table(_AR_MONTHS),
}

_YEAR = r"(?:19|20)\d{2}"
# a day number that is not part of a larger number, a decimal, a clock time or a numeric date
_DAY = r"(?<![\d.,:/])(?P<d>[0-3]?\d)"

_EN_MONTH = (
    rf"(?P<m>(?:{_alternation([names[0] for names in _EN_MONTHS])})(?![a-z])"
    rf"|(?:{_alternation([n for names in _EN_MONTHS for n in names[1:]])})(?![a-z])\.?)"
)
_EN_ABSOLUTE = [
    # September 20 / Sept. 20 / Sep 20, 2016 / September 20th
    re.compile(
        rf"(?<![\w]){_EN_MONTH}\s+{_DAY}(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(?P<y>{_YEAR}))?(?!\d)"
    ),
    # 20 September / 20th of September 2016
    re.compile(rf"{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_MONTH}(?:,?\s+(?P<y>{_YEAR})(?!\d))?"),
]
_RU_ABSOLUTE = [
    # 20 сентября / 20-го сентября 2016 года / 20 сентября 2016 г.
    re.compile(
        rf"{_DAY}(?:-?го|-е)?\s+(?P<m>{_alternation([n for (n,) in _RU_MONTHS])})(?![а-яё])"
        rf"(?:\s+(?P<y>{_YEAR})(?!\d)(?:\s*(?:года(?![а-яё])|г\.|г(?![а-яё])))?)?",
        re.IGNORECASE,
    ),
    # 20.09.2016
    re.compile(rf"{_DAY}\.(?P<mo>[01]?\d)\.(?P<y>{_YEAR})(?![\d])"),
]
_AR_MONTH = _ar(_alternation([n for names in _AR_MONTHS for n in names]))
_AR_ABSOLUTE = [
    # 20 سبتمبر / 20 من أيلول / 24 مارس (آذار) 2024 / 17 أغسطس/آب 1999 / 20 سبتمبر عام 2016
    re.compile(
        rf"{_DAY}\s+(?:من\s+)?(?:شهر\s+)?(?P<m>{_AR_MONTH})(?!\w)"
        rf"(?:\s*[/-]\s*(?:{_AR_MONTH})(?!\w)|\s*\(\s*(?:{_AR_MONTH})\s*\))?"
        rf"(?:\s+(?:عام\s+|سنة\s+)?(?P<y>{_YEAR})(?!\d)م?)?"
    ),
]
# English month names are unambiguous (capitalised) and turn up in ru/ar pages too.
_ABSOLUTE = {
    "en": _EN_ABSOLUTE,
    "ru": [*_RU_ABSOLUTE, *_EN_ABSOLUTE],
    "ar": [*_AR_ABSOLUTE, *_EN_ABSOLUTE],
}


# -- relative dates ---------------------------------------------------------------------------

_EN_RELATIVE = [
    re.compile(
        r"(?<![\w-])(?P<t>(?:(?i:on)\s+)?"
        r"(?:(?P<mod>(?i:this\s+coming|this\s+past|last|next|this|coming|past))\s+)?"
        r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
        r"(?:\s+(?i:night|morning|evening|afternoon))?)(?!\w)"
    ),
    re.compile(
        r"(?<![\w-])(?P<t>(?P<dw>the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|"
        r"yesterday|today|tonight|tomorrow|last\s+night))(?!\w)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?<![\w-])(?P<t>(?:earlier|later)\s+this\s+(?:week|month)|(?:last|this|next)\s+week|"
        r"(?:last|next)\s+month)(?!\w)",
        re.IGNORECASE,
    ),
]
_RU_TIME_OF_DAY = r"(?:утром|днём|днем|вечером|ночью)"
_RU_RELATIVE = [
    re.compile(
        rf"(?<!\w)(?P<t>(?:{_RU_TIME_OF_DAY}\s+)?"
        r"(?:(?P<prep>в\s+ночь\s+(?:с\s+\w+\s+)?на|во|в|на|к|ко|до|с|со)\s+)?"
        r"(?:(?P<mod>прошл\w*|минувш\w*|следующ\w*|ближайш\w*|будущ\w*|эт[аиоу]\w?)\s+)?"
        r"(?P<wd>понедельник(?:а|у|ом)?|вторник(?:а|у|ом)?|среду|четверг(?:а|у|ом)?|"
        r"пятниц(?:а|у|ы|е|ей)|суббот(?:а|у|ы|е|ой)|воскресень(?:е|я|ю|ем))"
        rf"(?:\s+{_RU_TIME_OF_DAY})?)(?!\w)",
        re.IGNORECASE,
    ),
    re.compile(r"(?<!\w)(?P<t>(?P<dw>позавчера|вчера|сегодня|послезавтра|завтра))(?!\w)", re.I),
    re.compile(
        r"(?<!\w)(?P<t>на\s+(?:прошлой|минувшей|этой|следующей|будущей)\s+неделе|"
        r"в\s+(?:прошлом|этом|следующем)\s+месяце)(?!\w)",
        re.IGNORECASE,
    ),
]
_AR_WEEKDAYS = _ar(
    "الاثنين|الإثنين|الأثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|الجمعه|السبت|الأحد|الاحد"
)
_AR_DAY_WORD = _ar(r"(?P<dw>أول\s+من\s+أمس|أول\s+أمس|أمس\s+الأول|بعد\s+غد|الأمس|أمس|اليوم|غدا|غد)")
_AR_PART_OF_DAY = _ar(r"(?:(?P<pod>مساء|صباح|ليلة|ليل|فجر|ظهيرة|ظهر|عصر|نهار|منتصف\s+ليل)\s+)")
_AR_MOD = _ar(
    r"(?P<mod>المقبلة|المقبل|القادمة|القادم|الماضية|الماضي|المنصرمة|المنصرم|الفائتة|الفائت)"
)
_AR_RELATIVE = [
    re.compile(
        # an optional proclitic (و ف ب) outside the text, then: [evening of] [day] yesterday/today
        # [(Monday)] | [evening of] [day] Monday [next/last]
        rf"(?<!\w)[وفب]?(?P<t>{_AR_PART_OF_DAY}?(?:(?P<yawm>{_ar('يومه|يوم')})\s+)?"
        rf"(?:{_AR_DAY_WORD}(?:\s*\(\s*(?P<wd2>{_AR_WEEKDAYS})\s*\)|\s+(?P<wd3>{_AR_WEEKDAYS}))?"
        rf"|(?P<wd>{_AR_WEEKDAYS}))"
        rf"(?:\s+{_AR_MOD})?)(?!\w)"
    ),
    re.compile(
        r"(?<!\w)[وفب]?(?P<t>"
        + _ar(
            r"(?:الأسبوع|الاسبوع|الشهر)\s+(?:الماضي|المقبل|القادم|الفائت|المنصرم)"
            r"|هذا\s+(?:الأسبوع|الاسبوع|الشهر)"
        )
        + r")(?!\w)"
    ),
]
_RELATIVE = {"en": _EN_RELATIVE, "ru": _RU_RELATIVE, "ar": _AR_RELATIVE}

_DAY_WORD_OFFSET = {
    "the day before yesterday": -2,
    "yesterday": -1,
    "last night": -1,
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "the day after tomorrow": 2,
    "позавчера": -2,
    "вчера": -1,
    "сегодня": 0,
    "завтра": 1,
    "послезавтра": 2,
    "أول من أمس": -2,
    "أول أمس": -2,
    "أمس الأول": -2,
    "أمس": -1,
    "الأمس": -1,
    "اليوم": 0,
    "غدا": 1,
    "غد": 1,
    "بعد غد": 2,
}
_OFFSET_WORDS = {
    -2: "two days before publication date",
    -1: "day before publication date",
    0: "publication date",
    1: "day after publication date",
    2: "two days after publication date",
}
_LAST = ("last", "past", "this past", "прошл", "минувш", "الماضي", "المنصرم", "الفائت")
_NEXT = ("next", "coming", "this coming", "следующ", "ближайш", "будущ", "المقبل", "القادم")

# "Good Friday", "the Mail on Sunday", "Sunday Times": names, not dates
_EN_NOT_BEFORE = re.compile(
    r"(?:\b(?:Good|Black|Bloody|Palm|Easter|Ash|Super|Cyber|Holy|Maundy|Mail on))\s+$"
)
_EN_NOT_AFTER = re.compile(r"^\s+(?:Times|Telegraph|Express|Mirror|Herald|Post|Mail)\b")
_EN_TODAY_NAME = re.compile(r"\b(?:USA|Russia)\s+$")  # "USA Today", "Russia Today"
# "اليوم" that is "the day", not "today": "طوال اليوم" (all day), "اليوم التالي" (the next day)
# and "روسيا اليوم" / "لبنان اليوم" as the name of a channel or site ("قناة روسيا اليوم",
# "- لبنان اليوم -")
_AR_DAY_NOT_BEFORE = re.compile(
    r"(?:(?:^|\s)[وفب]?(?:طوال|ذلك|نفس|ذات|هذا|ذاك|خلال)"
    r"|(?:قناة|موقع|صحيفة|جريدة|مجلة|شبكة|وكالة|[-–|])\s*[\u0621-\u064a]+)\s+$"
)
_AR_DAY_NOT_AFTER = re.compile(
    r"^\s*[-–|]|^\s+(?:التالي|السابق|الأول|الثاني|الثالث|الرابع|الخامس|الأخير|العالمي|الوطني|الدولي|"
    r"نفسه|ذاته)(?!\w)"
)


def _weekday_number(word: str) -> int:
    w = _plain(word)
    for n, stems in enumerate(
        (
            ("mon", "понедельник", "الاثنين", "الإثنين", "الأثنين"),
            ("tue", "вторник", "الثلاثاء"),
            ("wed", "сред", "الأربعاء", "الاربعاء"),
            ("thu", "четверг", "الخميس"),
            ("fri", "пятниц", "الجمعة", "الجمعه"),
            ("sat", "суббот", "السبت"),
            ("sun", "воскресен", "الأحد", "الاحد"),
        )
    ):
        if any(w.startswith(s) for s in stems):
            return n
    raise ValueError(word)


def _modifier(word: str | None) -> str:
    if not word:
        return ""
    w = _plain(word)
    if any(w.startswith(s) for s in _NEXT):
        return "next"
    if any(w.startswith(s) for s in _LAST):
        return "last"
    return ""


def _day(d: datetime.date) -> str:
    return f"{d:%a} {d.isoformat()}"


# -- finding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    iso: str
    resolution: str
    weekday: int | None = None  # a weekday relative date not moved by "next"/"last"


def _year_for(month: int, day: int, published: datetime.date) -> datetime.date | None:
    """The latest valid date with this day and month no more than AHEAD_DAYS after publication."""
    for year in range(published.year + 1, published.year - 8, -1):
        try:
            d = datetime.date(year, month, day)
        except ValueError:
            continue
        if (d - published).days <= AHEAD_DAYS:
            return d
    return None


def _absolute(
    m: re.Match[str], lang: str, published: datetime.date | None
) -> tuple[str, str] | None:
    day = int(m.group("d"))
    groups = m.groupdict()
    if groups.get("mo"):
        month = int(groups["mo"])
    else:
        table = _MONTH_NUMBER["en"] if m.re in _EN_ABSOLUTE else _MONTH_NUMBER[lang]
        month = table[_key(m.group("m"))]
    year = groups.get("y")
    if year:
        try:
            return datetime.date(int(year), month, day).isoformat(), "as written"
        except ValueError:
            return None
    try:
        datetime.date(2000, month, day)  # a leap year: 29 February is a valid day and month
    except ValueError:
        return None
    if published is None:
        return f"--{month:02d}-{day:02d}", "as written"
    found = _year_for(month, day, published)
    if found is None:
        return f"--{month:02d}-{day:02d}", "as written"
    return found.isoformat(), f"year from publication date {published.isoformat()}"


def _relative(
    m: re.Match[str], text: str, lang: str, published: datetime.date | None
) -> _Hit | None:
    """A relative date, or None when the match is not a date after all."""
    start, end = m.span("t")
    groups = m.groupdict()
    wd_text = groups.get("wd") or groups.get("wd2") or groups.get("wd3")
    dw_text = groups.get("dw")
    if dw_text == "Today" and _EN_TODAY_NAME.search(text[max(0, start - 8) : start]):
        return None
    if wd_text is not None and lang == "en":
        wd_start, wd_end = m.span("wd")
        if _EN_NOT_BEFORE.search(text[max(0, wd_start - 12) : wd_start]) or _EN_NOT_AFTER.match(
            text[wd_end : wd_end + 12]
        ):
            return None
    # "среду" without в/на is more often "environment" than Wednesday
    if (
        lang == "ru"
        and (wd_text or "").lower() == "среду"
        and (groups.get("prep") or "").lower() not in ("в", "на")
    ):
        return None
    if (
        lang == "ar"
        and _plain(dw_text or "") == "اليوم"
        and not wd_text
        and not groups.get("pod")
        and not groups.get("yawm")
        and (
            _AR_DAY_NOT_BEFORE.search(text[max(0, start - 24) : start])
            or _AR_DAY_NOT_AFTER.match(text[end : end + 12])
        )
    ):
        return None
    if dw_text is not None:
        offset = _DAY_WORD_OFFSET[_plain(dw_text)]
        if published is None:
            return _Hit(start, end, "", "")
        d = published + datetime.timedelta(days=offset)
        if dw_text.lower().startswith("last"):
            words = f"night before publication date {published.isoformat()}"
        else:
            words = f"{_OFFSET_WORDS[offset]} {published.isoformat()}"
        return _Hit(start, end, d.isoformat(), words)
    if wd_text is None:  # "last week", "на прошлой неделе", "الأسبوع الماضي"
        return _Hit(start, end, "", "")
    weekday = _weekday_number(wd_text)
    mod = _modifier(groups.get("mod"))
    if published is None:
        return _Hit(start, end, "", "", None if mod else weekday)
    if mod == "next":
        delta = (weekday - published.weekday()) % 7 or 7
    elif mod == "last":
        delta = -((published.weekday() - weekday) % 7 or 7)
    else:
        delta = -((published.weekday() - weekday) % 7)
    d = published + datetime.timedelta(days=delta)
    name = _WEEKDAYS[weekday]
    if delta < 0:
        words = f"{name} before publication date {_day(published)}"
    elif delta > 0:
        words = f"{name} after publication date {_day(published)}"
    else:
        words = f"{name}, the publication date {_day(published)}"
    return _Hit(start, end, d.isoformat(), words, None if mod else weekday)


def _take(hits: list[_Hit], taken: Taken) -> list[_Hit]:
    """Non-overlapping hits, earliest first, the longest where two start together."""
    return [
        h
        for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
        if taken.take(h.start, h.end)
    ]


def _beside(text: str, a: _Hit, b: _Hit) -> bool:
    """Are the two hits written next to each other ("Monday, September 19", "الاثنين 19 أيلول")?"""
    first, second = (a, b) if a.start < b.start else (b, a)
    return (
        first.end <= second.start
        and re.fullmatch(r"[\s,،(]{0,3}", text[first.end : second.start]) is not None
    )


def find_dates(sentence: str, lang: str, published: datetime.date | None = None) -> list[FoundDate]:
    """Dates in a sentence: absolute ones first, then relative ones, each in text order.

    With `published` (the article's publication date) yearless dates take a year and relative
    dates resolve to a day; without it they stay "--MM-DD" and "" respectively.
    """
    if isinstance(published, datetime.datetime):
        published = published.date()
    text = sentence.translate(_DIGITS)
    taken = Taken()

    absolute = []
    for pat in _ABSOLUTE.get(lang, []):
        for m in pat.finditer(text):
            got = _absolute(m, lang, published)
            if got is not None:
                absolute.append(_Hit(m.start(), m.end(), *got))
    absolute = _take(absolute, taken)

    relative = []
    for pat in _RELATIVE.get(lang, []):
        for m in pat.finditer(text):
            hit = _relative(m, text, lang, published)
            if hit is not None:
                relative.append(hit)
    relative = _take(relative, taken)

    if published is not None:
        # a weekday written beside a full date of that weekday is that date, however far back
        by_start: dict[int, list[int]] = defaultdict(list)
        by_end: dict[int, list[int]] = defaultdict(list)
        for n, a in enumerate(absolute):
            by_start[a.start].append(n)
            by_end[a.end].append(n)
        relative = [_beside_date(text, r, absolute, by_start, by_end) for r in relative]

    def found(h: _Hit, is_relative: bool) -> FoundDate:
        return FoundDate(
            sentence[h.start : h.end], h.iso, is_relative, h.resolution, h.start, h.end
        )

    return [found(h, False) for h in absolute] + [found(h, True) for h in relative]


def _beside_date(
    text: str,
    rel: _Hit,
    absolute: list[_Hit],
    by_start: dict[int, list[int]],
    by_end: dict[int, list[int]],
) -> _Hit:
    if rel.weekday is None:
        return rel
    # only dates at most three characters away can be beside it (see _beside)
    near = {n for gap in range(4) for n in by_start.get(rel.end + gap, ())}
    near |= {n for gap in range(4) for n in by_end.get(rel.start - gap, ())}
    for a in (absolute[n] for n in sorted(near)):
        if len(a.iso) != 10 or not _beside(text, rel, a):
            continue
        d = datetime.date.fromisoformat(a.iso)
        if d.weekday() == rel.weekday:
            words = f"{_WEEKDAYS[rel.weekday]} written beside the date {d.isoformat()}"
            return _Hit(rel.start, rel.end, a.iso, words, rel.weekday)
    return rel
