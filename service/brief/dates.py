"""Dates in ru/ar/en sentences: absolute when the text gives them, relative ones kept as written."""

from __future__ import annotations

import re
from dataclasses import dataclass

_AR_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")

_MONTHS = {
    "en": [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    "ru": [
        "январ",
        "феврал",
        "март",
        "апрел",
        "ма[йя]",
        "июн",
        "июл",
        "август",
        "сентябр",
        "октябр",
        "ноябр",
        "декабр",
    ],
    "ar": [
        "(?:يناير|كانون الثاني)",
        "(?:فبراير|شباط)",
        "(?:مارس|آذار)",
        "(?:أبريل|نيسان)",
        "(?:مايو|أيار)",
        "(?:يونيو|حزيران)",
        "(?:يوليو|تموز)",
        "(?:أغسطس|آب)",
        "(?:سبتمبر|أيلول)",
        "(?:أكتوبر|تشرين الأول)",
        "(?:نوفمبر|تشرين الثاني)",
        "(?:ديسمبر|كانون الأول)",
    ],
}
_RELATIVE = {
    "en": r"\b(?:on |late |early |last |next |this )?(?:monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)\b|\b(?:yesterday|today|tomorrow|last week|last month|this week)\b",
    "ru": r"\b(?:в |во )?(?:понедельник|вторник|сред[уа]|четверг|пятниц[уа]|суббот[уа]|"
    r"воскресенье)\b|\b(?:вчера|сегодня|завтра|на прошлой неделе|на этой неделе)\b",
    "ar": r"(?:يوم |مساء |صباح )?(?:الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد)"
    r"|(?:أمس|اليوم|غدا|الأسبوع الماضي)",
}


@dataclass(frozen=True)
class FoundDate:
    text: str
    iso: str
    relative: bool


def find_dates(sentence: str, lang: str) -> list[FoundDate]:
    """Absolute dates (ISO with a year, --MM-DD without) and relative ones as written."""
    text = sentence.translate(_AR_DIGITS)
    out: list[FoundDate] = []
    months = _MONTHS.get(lang, [])
    taken: list[tuple[int, int]] = []
    for n, month in enumerate(months, start=1):
        if lang == "en":
            pats = [
                rf"\b(?P<m>{month})\s+(?P<d>\d{{1,2}})(?:,\s*(?P<y>\d{{4}}))?\b",
                rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{month})(?:\s+(?P<y>\d{{4}}))?\b",
            ]
        elif lang == "ru":
            pats = [
                rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{month}[а-я]*)(?:\s+(?P<y>\d{{4}})(?:\s*г(?:ода|\.)?)?)?"
            ]
        else:
            pats = [rf"(?P<d>\d{{1,2}})\s+(?:من\s+)?(?P<m>{month})(?:\s+(?P<y>\d{{4}}))?"]
        for pat in pats:
            for m in re.finditer(pat, text, re.IGNORECASE):
                if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                    continue
                day = int(m.group("d"))
                if not 1 <= day <= 31:
                    continue
                year = m.group("y")
                iso = f"{year}-{n:02d}-{day:02d}" if year else f"--{n:02d}-{day:02d}"
                taken.append((m.start(), m.end()))
                out.append(FoundDate(sentence[m.start() : m.end()], iso, False))
    rel = _RELATIVE.get(lang)
    if rel:
        for m in re.finditer(rel, sentence, re.IGNORECASE):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(FoundDate(m.group(0).strip(), "", True))
    return out
