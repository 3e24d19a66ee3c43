"""Figures (numbers with what they count) in ru/ar/en sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

_AR_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ ,\u00a0]\d{3})+|\d+(?:[.,]\d+)?)(?![\d])")

# What a number counts: a word stem near it -> an English key. Checked in the few words after
# the number (and, for "killing 62", before it).
_COUNTED: dict[str, list[tuple[str, str]]] = {
    "en": [
        (r"soldier|troop|servicem", "soldiers"),
        (r"civilian|people|person", "civilians"),
        (r"truck|lorr|vehicle", "trucks"),
        (r"times|attack|violation|breach", "violations"),
        (r"day", "days"),
        (r"airstrike|strike|raid", "airstrikes"),
        (r"fighter|militant|rebel", "fighters"),
    ],
    "ru": [
        (r"военнослужащ|солдат|военн|бойц", "soldiers"),
        (r"мирн|жител|человек", "civilians"),
        (r"грузовик|машин", "trucks"),
        (r"раз\b|нарушени|атак", "violations"),
        (r"дн|сут", "days"),
        (r"удар|авиаудар", "airstrikes"),
        (r"боевик", "fighters"),
    ],
    "ar": [
        (r"جندي|جنود|عسكري", "soldiers"),
        (r"مدني|شخص|أشخاص", "civilians"),
        (r"شاحن", "trucks"),
        (r"مرة|خرق|انتهاك|هجوم", "violations"),
        (r"يوم|أيام", "days"),
        (r"غار", "airstrikes"),
        (r"مسلح|مقاتل", "fighters"),
    ],
}
_KILLED = {
    "en": r"\b(kill|dead|died|death)",
    "ru": r"(погиб|убит|жертв|гибел)",
    "ar": r"(مقتل|قتل|قتلى|قتلوا|مصرع)",
}
_WOUNDED = {"en": r"\b(wound|injur)", "ru": r"(ранен|ранени|пострада)", "ar": r"(جرح|إصاب|جريح)"}
_CASUALTY_KEYS = {"soldiers", "civilians", "fighters"}


@dataclass(frozen=True)
class FoundFigure:
    value: float
    text: str
    counted: str


def _value(raw: str) -> float:
    digits = re.sub(r"[ ,\u00a0]", "", raw) if re.search(r"[ ,\u00a0]\d{3}$", raw) else raw
    return float(digits.replace(",", "."))


def find_figures(sentence: str, lang: str) -> list[FoundFigure]:
    """Numbers that count something in the lexicon; years and other bare numbers are skipped."""
    text = sentence.translate(_AR_DIGITS)
    lexicon = _COUNTED.get(lang, [])
    out = []
    for m in _NUMBER.finditer(text):
        value = _value(m.group(1))
        after = " ".join(text[m.end() :].split()[:3]).lower()
        before = " ".join(text[: m.start()].split()[-2:]).lower()
        if 1900 <= value <= 2100 and not after.startswith(("soldier", "военнослуж", "جندي")):
            continue
        counted = ""
        for pattern, key in lexicon:
            if re.search(pattern, after):
                counted = key
                break
        if not counted:
            continue
        if counted in _CASUALTY_KEYS:
            around = before + " " + after + " " + text.lower()
            if re.search(_KILLED[lang], around):
                counted += " killed"
            elif re.search(_WOUNDED[lang], around):
                counted += " wounded"
        start = m.start()
        # "18 of 31 trucks", "из 31 грузовика", "من أصل 31": the second number is a total.
        if re.search(r"(\bof|\bout of|\bиз|من أصل|من)\s*$", text[:start], re.IGNORECASE):
            counted += " (total)"
        # Keep qualifiers as written: "some 300", "около 300", "أكثر من 300".
        qual = re.search(
            r"(some|about|around|more than|over|nearly|около|более|свыше|почти|"
            r"нескольк\w*|أكثر من|نحو|حوالي)\s*$",
            sentence[:start],
            re.IGNORECASE,
        )
        shown = (qual.group(0) if qual else "") + sentence[start : m.end()]
        out.append(FoundFigure(value, shown.strip(), counted))
    return out
