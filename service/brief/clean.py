"""Page clean-up: strip scraped furniture (players, share lines, related headlines, tag lines,
comment/cookie banners) from ru/ar/en articles line by line, keeping real sentences and paragraphs.
"""

from __future__ import annotations

import html
import re
import unicodedata

# A line is furniture when one of these matches at its start and the line is short: real
# sentences that happen to start the same way are long.
_FURNITURE = [
    # English
    r"listen live",
    r"get short url",
    r"short url",
    r"share( this( article| story)?)?( on \w+)?$",
    r"comment via",
    r"community standards",
    r"discussion$",
    r"comments?( \(\d+\))?$",
    r"subscribe( to| now)?",
    r"follow us( on)?",
    r"read (more|also)\b",
    r"related( stories| news)?:?$",
    r"tags?:",
    r"we use cookies",
    r"(accept|reject)( all)? cookies",
    r"cookie (policy|settings)",
    r"this (site|website) uses cookies",
    r"all rights reserved",
    r"advertisement$",
    r"(photo|image|video)( credit)?:",
    r"click here",
    r"print$",
    r"e-?mail$",
    r"updated:? ",
    r"sign up for",
    r"more on this topic",
    r"trending( now)?:?$",
    r"©",
    r"copyright\b",
    # Russian
    r"слушать( в)? (прямой )?эфир",
    r"прямой эфир$",
    r"получить короткую ссылку",
    r"короткая ссылка",
    r"поделиться",
    r"комментари(и|ев|й)( \(\d+\))?$",
    r"комментировать",
    r"подпис(аться|ывайтесь)",
    r"читайте (также|нас)",
    r"по теме:?$",
    r"новости по теме",
    r"теги:",
    r"мы используем (файлы )?cookie",
    r"(этот )?сайт использует (файлы )?cookie",
    r"правила сообщества",
    r"обсуждение$",
    r"фото:",
    r"видео:",
    r"реклама$",
    r"все права защищены",
    r"(принять|согласен)$",
    r"смотрите также",
    r"главное за день",
    r"ещё по теме",
    # Arabic
    r"استمع",
    r"البث المباشر$",
    r"احصل على رابط مختصر",
    r"رابط مختصر",
    r"شارك(ها|وا)?\b",
    r"اقرأ أيضا",
    r"اقرأ أيضاً",
    r"مواضيع ذات صلة",
    r"أخبار ذات صلة",
    r"الوسوم",
    r"كلمات مفتاحية",
    r"نستخدم ملفات تعريف الارتباط",
    r"ملفات تعريف الارتباط",
    r"التعليق عبر",
    r"معايير المجتمع",
    r"تعليقات?$",
    r"إعلان$",
    r"تابعونا",
    r"جميع الحقوق محفوظة",
    r"اشترك",
    r"المزيد من الأخبار",
    r"(صورة|فيديو|المصدر):",
]
_FURNITURE_RE = re.compile(r"^\s*(?:" + "|".join(_FURNITURE) + ")", re.IGNORECASE)
_MAX_FURNITURE_WORDS = 10
# Page time stamps such as "05:33 GMT29 January 2020" (page metadata, not the story's dates).
_TIMESTAMP = re.compile(r"^\s*\d{1,2}:\d{2}\s*(GMT|UTC|MSK|МСК)?[\s\d\w.,]*$", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!…:»\"”'’)\]]\s*$|[.!?؟…]\s*[»\"”']?\s*$")
# A dateline before the first sentence: "MOSCOW (Sputnik) — ", "ДАМАСК, 20 сен — РИА Новости. "
_DATELINE = re.compile(
    r"^\s*[A-ZА-ЯЁ][A-ZА-ЯЁ .,-]{2,40}(\s*\([^)]{2,40}\))?\s*[—–]\s+"
    r"|^\s*[A-ZА-ЯЁ][A-ZА-ЯЁ -]{2,30}, \d{1,2} [а-яё]{3,9}\.?\s*[—–]\s*[^.]{2,40}\.\s+"
)


# Lines that introduce a list of related headlines; the short lines after them go too.
_RELATED_INTRO = re.compile(
    r"^\s*(related( stories| news)?|read (more|also)|more on this( topic)?|see also|читайте также|"
    r"по теме|новости по теме|смотрите также|ещё по теме|اقرأ أيضا|اقرأ أيضاً|مواضيع ذات صلة|"
    r"أخبار ذات صلة)\b.{0,3}$",
    re.IGNORECASE,
)


def _words(line: str) -> int:
    return len(line.split())


def _is_tag_line(line: str) -> bool:
    """'ceasefire, Al-Nusra Front, Dmitry Peskov, Russia, Syria': a list of short labels."""
    if _TERMINAL.search(line):
        return False
    items = [i.strip() for i in re.split(r"[,،;|]", line)]
    return len(items) >= 3 and all(0 < _words(i) <= 4 for i in items)


def _headline_like(line: str) -> bool:
    text = line.strip()
    return 0 < _words(text) <= 16 and not re.search(r"[.!…»\"”]\s*$", text)


_HTML_TAG = re.compile(
    r"<(p|div|br|span|a|h[1-6]|li|ul|ol|article|section|strong|em)\b[^>]*>", re.IGNORECASE
)
_HTML_BLOCK = re.compile(
    r"</?(p|div|br|h[1-6]|li|ul|ol|article|section|blockquote)\b[^>]*>", re.IGNORECASE
)
_HTML_DROP = re.compile(
    r"<(script|style|nav|footer|aside|form)\b.*?</\1>", re.IGNORECASE | re.DOTALL
)


def html_to_text(text: str) -> str:
    """Scraped HTML fragments become text: scripts, navigation and footers go, block elements
    become paragraph breaks, entities are decoded. Plain text passes through unchanged."""
    if not _HTML_TAG.search(text):
        return html.unescape(text) if "&" in text else text
    text = _HTML_DROP.sub("", text)
    text = _HTML_BLOCK.sub("\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def clean_page(text: str) -> str:
    """The article text without page furniture; paragraphs separated by one blank line."""
    text = html_to_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    lines = [ln.strip() for ln in text.split("\n")]
    keep: list[str] = []
    in_related = False
    for ln in lines:
        if not ln:
            keep.append("")
            in_related = False
            continue
        if _RELATED_INTRO.match(ln):
            in_related = True
            continue
        if in_related and _headline_like(ln):
            continue
        in_related = False
        if (
            (_FURNITURE_RE.match(ln) and _words(ln) <= _MAX_FURNITURE_WORDS)
            or (_TIMESTAMP.match(ln) and _words(ln) <= 8)
            or _is_tag_line(ln)
        ):
            continue
        keep.append(ln)
    # Related-headline lists: a block of 2+ consecutive short lines, none ending like a sentence.
    blocks: list[list[str]] = [[]]
    for ln in keep:
        if ln:
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    out_blocks = []
    for block in blocks:
        if not block:
            continue
        if len(block) >= 2 and sum(_headline_like(b) for b in block) >= len(block) - 0:
            continue
        out_blocks.append(
            " ".join(block)
            if len(block) > 1 and all(not _TERMINAL.search(b) for b in block[:-1])
            else "\n".join(block)
        )
    paragraphs = []
    for i, para in enumerate(out_blocks):
        if i <= 1:
            para = _DATELINE.sub("", para, count=1)
        paragraphs.append(para)
    return "\n\n".join(p for p in paragraphs if p.strip())


def is_blank(text: str) -> bool:
    return not clean_page(text).strip()
