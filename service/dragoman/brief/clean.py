"""Page clean-up: strip scraped furniture (players, share lines, related headlines, tag lines,
comment/cookie banners, captions and credits, bylines, page dates and counters, tickers, menus,
embedded tweets) from ru/ar/en articles line by line, keeping real sentences and paragraphs.

The rules describe how outlets' templates look, not the strings of any one page: a line is
dropped when it is short and starts like furniture, when it holds no words at all (a date, a
time, a view counter, a currency ticker), when it is a label (one or two words standing alone),
a caption or credit, a byline, a repeat of the headline, or a link to another story.
"""

from __future__ import annotations

import html
import re
import unicodedata

# -- matching key ---------------------------------------------------------------------------------
# Arabic diacritics and the tatweel stretch ("إقــــرأ") and alef/yo variants are folded before
# matching, in the patterns too, so one spelling of a pattern covers them all.
_AR_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ё": "е", "Ё": "Е"})


def _key(text: str) -> str:
    return _AR_MARKS.sub("", text).translate(_FOLD)


def _compile(patterns: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(_key(p) for p in patterns) + ")", flags)


# A line is furniture when one of these matches at its start and the line is short: real
# sentences that happen to start the same way are long.
_FURNITURE = [
    # English
    r"listen live",
    r"get short url",
    r"short url",
    r"share( this( article| story| page)?)?( on \w+)?$",
    r"comment via",
    r"community standards",
    r"discussion$",
    r"comments?( \(\d+\))?$",
    r"subscribe( to| now)?\b",
    r"follow us( on)?",
    r"read (more|also|next)\b",
    r"continue reading",
    r"related( stories| news| articles| coverage| content| topics)?:?$",
    r"see also\b",
    r"tags?:",
    r"we use cookies",
    r"(accept|reject)( all)? cookies",
    r"cookie (policy|settings)",
    r"this (site|website) uses cookies",
    r"all rights reserved",
    r"advertisement$",
    r"(photo|image|video|picture)( credit)?s?:",
    r"(photo|image|picture|video)s? (by|courtesy)\b",
    r"(.{0,40} )?(click|tap) here\b",
    r"now (reading|playing)\b",
    r"no comments(\s*:|\s+yet\b|$)",
    r"(back|return) to top\b",
    r"skip to (main )?content\b",
    r"print$",
    r"e-?mail$",
    r"(last )?updated\s*(:|\d|on\b|at\b)",
    r"(posted|published|modified)\s*(:|on\b|at\b)?\s*\d",
    r"(posted|published) by\b",
    r"sign up\b",
    r"more on this topic",
    r"trending( now)?:?$",
    r"©",
    r"copyright\s*(©|\(c\)|\d)",
    r"(author|authors|written by|reporting by|editing by|edited by|editor|text)\s*:",
    r"(reporting|writing|editing) by\b",
    r"read(ing)? time\b",
    r"\d+\s*(min|minute)s? read\b",
    r"leave a (reply|comment)",
    r"dmca\b",
    r"support us\b",
    r"(font|text) size\b",
    r"most (read|popular|viewed)\s*(:|$)",
    r"(top|more|latest) (stories|news)$",
    r"you (may|might) also (like|be interested)",
    r"recommended( for you)?:?$",
    r"(watch|video):",
    r"report (an? )?(error|typo)\b",
    # Russian
    r"слушать( в)? (прямой )?эфир",
    r"прямой эфир$",
    r"получить короткую ссылку",
    r"короткая ссылка",
    r"поделиться",
    r"комментари(и|ев|й)( \(\d+\))?$",
    r"комментировать(\s+(через|в)\s.{0,30})?$",
    r"оставьте комментарий",
    r"подпи(саться|сывайтесь|шитесь)\b",
    r"поддержите (нас|редакцию|проект)\b",
    r"читайте (также|нас|далее)",
    r"читать (далее|полностью|также)",
    r"подробнее(\s*[—–:-]|$| читайте| в материале| здесь| по ссылке)",
    r"по теме:?$",
    r"новости по теме",
    r"теги( по теме)?:?",
    r"мы используем (файлы )?cookie",
    r"(этот )?сайт использует (файлы )?cookie",
    r"правила сообщества",
    r"обсуждение$",
    r"фото(графия)?:",
    r"видео:",
    r"реклама$",
    r"все права защищены",
    r"(принять|согласен)$",
    r"смотрите также",
    r"главное за день",
    r"ещё по теме",
    r"автор(ы)?( текста)?:",
    r"текст:",
    r"редактор:",
    r"время чтения",
    r"(опубликовано|обновлено|изменено|дата публикации|дата обновления)\s*:?\s*\d",
    r"(опубликовано|обновлено|изменено|дата публикации|дата обновления):",
    r"самое (читаемое|популярное)\s*(:|$)",
    r"размер шрифта",
    r"сообщить об ошибке",
    r"(.{0,40} )?нажмите (здесь|сюда)\b",
    r"наверх$",
    r"перейти к (содержанию|основному содержанию)",
    r"на (фото|снимке)\s*:",
    # Arabic
    r"استمع(\s+(الى\s+)?(لل|ال)(مقال|خبر|بث|حلقة)\w*)?(\s+المباشر)?\s*$",
    r"البث المباشر$",
    r"احصل على رابط مختصر",
    r"رابط مختصر",
    r"شارك(ها|وا)?(\s+(الخبر|المقال|على|عبر)\b.{0,30})?$",
    r"اقرا (ايضا|ايضاً|المزيد)",
    r"للمزيد\b",
    r"مواضيع ذات صلة",
    r"اخبار ذات صلة",
    r"الوسوم",
    r"كلمات مفتاحية",
    r"نستخدم ملفات تعريف الارتباط",
    r"ملفات تعريف الارتباط",
    r"التعليق عبر",
    r"معايير المجتمع",
    r"تعليقات?$",
    r"اعلان$",
    r"تابعونا",
    r"جميع الحقوق محفوظة",
    r"اشترك(\s*$|\s+(الان|معنا)|\s+في\s+(النشرة|القناة|قناتنا|نشرتنا))",
    r"المزيد من الاخبار",
    r"(صورة|فيديو|المصدر|تصوير):",
    r"بقلم\b",
    r"اخر تحديث",
    r"(تاريخ )?النشر\s*:",
    r"نشر في\s*:?\s*\d",
    r"(حجم )?الخط$",
    r"مدة القراءة",
    r"الاكثر (قراءة|مشاهدة)",
    r"اترك (تعليقا|ردا)",
    r"(.{0,40} )?(اضغط|انقر) هنا",
    r"(زر )?(الذهاب|العودة) الى الاعلى",
    r"تخط(ى|ي) الى المحتوى",
    r"في الصورة\s*:",
]
_FURNITURE_RE = re.compile(r"^\s*" + _compile(_FURNITURE).pattern, re.IGNORECASE)
_MAX_FURNITURE_WORDS = 10
# Furniture that runs longer: live-blog and caption boilerplate.
_LONG_FURNITURE_RE = re.compile(
    r"^\s*"
    + _key(
        r"(?:related( stories| news| articles| coverage| content| topics)?\s*:|"
        r"if you( a|’|')re just joining us|in this (\w+ )?(photo|image|picture|video|handout"
        r"|file photo)\b|(here is|here’s|here's) (a|our) (roundup|summary|recap) of|"
        r"(your )?e-?mail address will not be published|this (site|website) uses\b|"
        r"ваш (e-?mail|адрес электронной почты) не будет опубликован|этот сайт использует\b|"
        r"لن يتم نشر عنوان بريدك|هذا الموقع يستخدم)"
    ),
    re.IGNORECASE,
)
_MAX_LONG_FURNITURE_WORDS = 60
# "A drone photo shows ...", "Handout picture taken on ...": a caption when it has no full stop
_PHOTO_SHOWS = re.compile(
    r"^(an? |this |the )?(\w+ )?(photo|picture|image|handout)( \w+)? (shows|showing|taken|"
    r"provided|released|obtained)\b",
    re.IGNORECASE,
)
# A weather widget: "Moscow +5°C", "-2 °"
_WEATHER = re.compile(r"[+\-−–]?\d+\s*°")
_TERMINAL = re.compile(r"[.!…:»\"”'’)\]]\s*$|[.!?؟…]\s*[»\"”']?\s*$")
_SENTENCE_END = re.compile(r"[.!?؟…]\s*[»\"”'’)]*\s*$")
# A dateline before the first sentence: "MOSCOW (Sputnik) — ", "ДАМАСК, 20 сен — РИА Новости. ",
# "TEHRAN, (Agency - 20th May, 2024) ", "Gazette Online - ", "بيروت - ".
_DATELINE = re.compile(
    r"^\s*[A-ZА-ЯЁ][A-ZА-ЯЁ .,/-]{2,40}(\s*\([^)]{2,40}\))?\s*[—–]\s+"
    r"|^\s*[A-ZА-ЯЁ][A-ZА-ЯЁ -]{2,30}, \d{1,2} [а-яё]{3,9}\.?\s*[—–]\s*[^.]{2,40}\.\s+"
    r"|^\s*[A-ZА-ЯЁ][\w'’-]+(?: [A-ZА-ЯЁ][\w'’-]+)?,\s*\([^()]{2,80}\)\s*(?:[—–-]\s*)?"
    r"|^\s*[A-ZА-ЯЁ][\w'’-]*(?:,? [A-ZА-ЯЁ][\w'’-]*){0,4}\s*\([^()]{2,60}\)\s*(?:[—–-]|--)\s*"
    r"|^\s*[A-ZА-ЯЁ]{3,}[A-ZА-ЯЁ .'-]*(?:, [A-Z][\w.]*(?: [A-Z][\w.]*)?)? --\s+"
    r"|^\s*[A-ZА-ЯЁ][\w'’.&]*(?: [A-ZА-ЯЁ][\w'’.&]*){0,2} [—–-] (?=[A-ZА-ЯЁ\"“«])"
    r"|^\s*[\u0621-\u064a]+(?: [\u0621-\u064a]+){0,2}\s?[—–-]\s+(?=[\u0621-\u064a])"
)

# Lines that introduce a list of related headlines; the short lines after them go too.
_RELATED_INTRO = re.compile(
    r"^\s*"
    + _compile(
        [
            r"(related( stories| news| articles| coverage| topics)?|read (more|also)|"
            r"more on this( topic)?|see also|also read|you may also like|most read|"
            r"читайте также|по теме|новости по теме|теги по теме|смотрите также|ещё по теме|"
            r"самое читаемое|اقرا ايضا|اقرا ايضاً|مواضيع ذات صلة|اخبار ذات صلة|"
            r"الاكثر قراءة)\b.{0,3}$"
        ]
    ).pattern,
    re.IGNORECASE,
)

# -- lines without words: dates, times, counters, tickers -----------------------------------------
# Words that do not make a line prose: month and weekday names and their abbreviations, time
# zones, "date", view-counter words and currency codes.
_MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?|"
    r"январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]|июн[ья]?|июл[ья]?|август\w*|сентябр\w*|"
    r"октябр\w*|ноябр\w*|декабр\w*|янв|фев|мар|апр|авг|сен|окт|ноя|дек|"
    r"يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر|"
    r"كانون|شباط|اذار|نيسان|ايار|حزيران|تموز|اب|ايلول|تشرين"
)
_NOT_WORDS = _compile(
    [
        _MONTHS,
        r"mon(day)?|tue(sday)?|wed(nesday)?|thu(rsday)?|fri(day)?|sat(urday)?|sun(day)?|"
        r"понедельник|вторник|сред[ау]|четверг|пятниц[ау]|суббот[ау]|воскресенье|"
        r"пн|вт|ср|чт|чтв|пт|птн|сб|сбт|вс|"
        r"السبت|الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعة|الاول|الثاني",
        r"gmt|utc|msk|мск|est|edt|cet|cest|am|pm|date|дата|год[а]?",
        r"views?|reads?|просмотр\w*|vizualiz\w*|مشاهد\w*",
        r"usd|eur|gbp|cny|jpy|rub|aed|sar|btc|oil|brent",
    ]
)
_NOT_WORDS_RE = re.compile("^" + _NOT_WORDS.pattern + "$", re.IGNORECASE)
_LETTERS = re.compile(r"[^\W\d_]+")
_TICKER = re.compile(r"\b(USD|EUR|GBP|CNY|JPY|RUB|BTC|OIL|BRENT)\s*\d", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,/:]\d+)*")
# "Read Time:48 Second", "3 min read"
_READ_TIME = re.compile(r"\bread(ing)? time\b|\bmin(ute)?s? read\b", re.IGNORECASE)


def _no_words(line: str) -> bool:
    """'05 August 2020', '23.03.2024, 16:34', 'Чтв, 28', '1 143 views', '• 982', 'ЦБ USD 108.01
    2.95 28/11': digits and no word that could make a sentence."""
    if not re.search(r"\d", line):
        return False
    words = [w for w in _LETTERS.findall(_key(line)) if len(w) >= 3]
    if not any(not _NOT_WORDS_RE.match(w) for w in words):
        return True
    # a currency or commodity ticker: a code and two or more numbers, few words
    return bool(_TICKER.search(line)) and len(_NUMBER.findall(line)) >= 2 and _words(line) <= 10


# A page date before the text: " date 2024-05-20 " opening the page.
_LEADING_META = re.compile(
    r"^\s*(?:date|дата|التاريخ)\s*:?\s*\d{4}(?:-\d{2}){0,2}(?:[T ][\d:]+Z?)?\s*", re.IGNORECASE
)
# Sentences a page glued together without a space: "... he said.Russia's FSB said ..."
_GLUED_SENTENCE = re.compile(r"(?<=[a-zа-яё]{2}[.!?])(?=[A-ZА-ЯЁ][a-zа-яё])")
# A page date glued to the sentence after it: "August 3, 2014Officials said ..."
_GLUED_DATE = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December) \d{1,2}, \d{4}(?=[A-Z])"
)


# -- captions, credits, bylines, embeds -----------------------------------------------------------
def _loose(pattern: str) -> str:
    """An Arabic pattern written with bare alef that also matches hamza and madda forms."""
    return pattern.replace("ا", "[اأإآ]")


_AGENCY = _loose(
    r"AP|AFP|Reuters|EPA|Getty( Images)?|Anadolu|TASS|ТАСС|РИА Новости|Sputnik|Xinhua|"
    r"Фото|Photo|via|Shutterstock|Reporting by|Editing by|Writing by|"
    r"فرانس برس|رويترز|ا ف ب|الاناضول|وكالات|سانا|ارشيف|ارشيفية"
)
# "(AP Photo/Hussein Malla)", "(Azin Haghighi, Moj News Agency via AP )", "(فرانس برس)"
_CREDIT_TAIL = re.compile(
    r"\((?=[^()]{0,80}\)\s*$)[^()]*(?<!\w)(?:" + _AGENCY + r")(?!\w)[^()]*\)\s*$",
    re.IGNORECASE,
)
# A caption's last sentence naming the picture's source: "... . Фото: РБК", "... . Кадр LBC",
# "... . Фоторепортаж", "... . Photo: Reuters"
_CREDIT_SENTENCE = re.compile(
    r"(?:(?<=[.!?])\s+|\s[|/•]\s*)(?:фото\w*|кадр\w*|скриншот\w*|обложка|видео\w*|"
    r"инфографик\w*|photo\w*|image\w*|picture\w*|video|gallery|in pictures|infographic|"
    r"screenshot|صور\w*|فيديو|المصدر|تصوير)\b[^.!?؟]{0,60}$",
    re.IGNORECASE,
)
# "By John Smith", "By Jane Doe and Ali Hassan, Reuters"
_BYLINE = re.compile(r"^By\s+[A-Z][\w'’.-]*(?:\s*(?:[A-Z][\w'’.-]*|and|&|,))*\s*$")
# "John Smith Published May 20, 2024 | 03:10 PM", "Posted 5 May Modified 6 May"
_DATE = re.compile(
    r"\d{1,2}:\d{2}|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}|"
    r"\b(19|20)\d{2}\b|\b\d{1,2}(st|nd|rd|th)?\s*(" + _key(_MONTHS) + r")\b|"
    r"\b(" + _key(_MONTHS) + r")\.?\s*\d{1,2}\b",
    re.IGNORECASE,
)
_META = _compile(
    [r"\b(published|posted|updated|modified|опубликовано|обновлено|изменено|نشر|تحديث)\b"]
)
# An embedded tweet: "<text> pic.twitter.com/xyz — Name (@handle) February 6, 2023".
_TWEET_SIG = r"[—–-]\s*[^\n]{1,60}?\(@\w+\)\s*\w+\s+\d{1,2},\s*\d{4}"
_TWEET = re.compile(
    r"(?:(?<=[.!?؟]\s)|^)(?:[^.!?؟\n]|[.!?؟](?!\s))*?"
    r"(?:(?:pic\.twitter\.com|twitter\.com|x\.com)/\S+(?:\s*"
    + _TWEET_SIG
    + r")?|"
    + _TWEET_SIG
    + r")\s*"
)
_HASHTAG = re.compile(r"(?<!\w)#\w+")
# "scale.#Turkey", "south#Turkey": a hashtag glued to the text before it, as tweets are scraped
_GLUED_HASHTAG = re.compile(r"[^\s\w#]#[^\W\d_]|[^\W\d_]{2}#[^\W\d_]{2}")
# A quoted source credit after a headline: 'Headline “Compiled – Some News”'.
_QUOTED_CREDIT = re.compile(r"(?<=[^:\s])\s*[“\"«]\w+(?: \w+)?\s[-–]\s[^“”\"«»:]{1,40}[”\"»]\s*$")
# A dash between words (not a hyphen inside one): "City - Agencies:", "Site name -", "City- Site"
_LOOSE_DASH = re.compile(r"\s[-–—]|[-–—]\s|[-–—]$")


def _words(line: str) -> int:
    return len(line.split())


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", _key(text).casefold())


def _is_tag_line(line: str) -> bool:
    """'ceasefire, Al-Nusra Front, Dmitry Peskov, Russia, Syria': a list of short labels (a
    sentence cut short that has quotes in it is not one)."""
    if _TERMINAL.search(line) or re.search(r"[\"“”«»]", line):
        return False
    items = [i.strip() for i in re.split(r"[,،;|›•·]|\s/\s|\s>\s", line)]
    return len(items) >= 3 and all(0 < _words(i) <= 4 for i in items)


def _headline_like(line: str) -> bool:
    text = line.strip()
    return 0 < _words(text) <= 16 and not re.search(r"[.!…»\"”]\s*$", text)


def _sentences(text: str) -> int:
    starts = re.findall(r"[.!?؟…][»\"”’)]*\s+[\"«“(]?[A-ZА-ЯЁ\u0621-\u064a\d]", text)
    return len(starts) + 1 if text.strip() else 0


def _is_tweet(line: str) -> bool:
    return (
        "pic.twitter.com" in line
        or len(_HASHTAG.findall(line)) >= 3
        or (bool(_HASHTAG.search(line)) and bool(_GLUED_HASHTAG.search(line)))
    )


def _strip_fragments(line: str, last: bool) -> str:
    """Furniture inside a line: an embedded tweet within a paragraph, a credit after a caption,
    a quoted source after a headline. A caption of one sentence goes whole with its credit; a
    paragraph (or the page's last line) keeps its text and loses the credit only."""
    if "twitter.com" in line or "(@" in line:
        line = _TWEET.sub("", line).strip()
    line = _GLUED_DATE.sub("", line)
    line = _GLUED_SENTENCE.sub(" ", line)
    for find in (_CREDIT_TAIL.search, _credit_sentence):
        credit = find(line)
        if credit:
            body = line[: credit.start()].rstrip()
            line = body if (last or _sentences(body) > 1 or _words(body) > 50) else ""
    if line and not _SENTENCE_END.search(line) and ":" not in line:
        line = _QUOTED_CREDIT.sub("", line)
    return line


def _credit_sentence(line: str) -> re.Match[str] | None:
    if _SENTENCE_END.search(line) or _words(line) > 60:
        return None
    m = _CREDIT_SENTENCE.search(line)
    return m if m and _words(m.group()) <= 6 else None


def _is_furniture(line: str) -> bool:
    key = _key(line)
    n = _words(line)
    if _FURNITURE_RE.match(key) and n <= _MAX_FURNITURE_WORDS:
        return True
    if _LONG_FURNITURE_RE.match(key) and n <= _MAX_LONG_FURNITURE_WORDS:
        return True
    if _is_tag_line(line) or _no_words(line) or (_WEATHER.search(line) and n <= 3):
        return True
    if (n <= 6 and _READ_TIME.search(line)) or (_BYLINE.match(line) and n <= 8):
        return True
    if ("©" in line and n <= 25) or (_is_tweet(line) and n <= 80):
        return True
    # "أ ف ب", "A.P.": an agency's initials standing alone
    if 2 <= n <= 4 and all(len(re.sub(r"\W", "", w)) == 1 for w in line.split()):
        return True
    terminal = bool(_SENTENCE_END.search(line))
    if not terminal and n <= _MAX_LONG_FURNITURE_WORDS and _PHOTO_SHOWS.match(line):
        return True
    # "Name Published May 20, 2024 | 03:10 PM": a byline or a date line
    if not terminal and n <= 14 and _META.search(key) and _DATE.search(key):
        return True
    # "City - Agencies:", "Site name -", "City- Site name": a dateline or source line
    return (
        not terminal
        and n <= 4
        and not re.search(r"\d", line)
        and bool(_LOOSE_DASH.search(line.rstrip(": ")))
    )


def _is_label(line: str, next_line: str) -> bool:
    """A section name, menu item, site name or font control standing alone: one or two words,
    no digits, no sentence punctuation (unless the next line continues it: a wrapped line)."""
    words = [w for w in line.split() if re.search(r"\w", w)]
    if not 0 < len(words) <= 2 or re.search(r"\d", line) or _TERMINAL.search(line):
        return False
    return not (next_line[:1].islower() or re.search(r"(,|\w-)$", line))


# -- structure ------------------------------------------------------------------------------------
_BULLET = re.compile(r"^[-–—•·*▪►]\s+")
# Reporting words: a long line holding one is prose (that lost its full stop), not a caption.
_REPORTING = _compile(
    [
        r"\b(said|says|told|reported|according to|announced|stated)\b",
        r"\b(заяви|сообщи|сказа|рассказа|передает|передаёт|по словам|по данным)\w*",
        r"(^|\s)(و|ف)?(قال|قالت|اعلن|اعلنت|اكد|اكدت|افاد|افادت|ذكر|ذكرت|وفق|بحسب|حسب)(\s|$)",
    ]
)


def _echoes(line: str, title: str) -> bool:
    """'Site - Headline', 'Headline' again, or the headline of a sibling story that shares most of
    its words: a headline-like line that repeats the page's title."""
    if not title or _SENTENCE_END.search(line) or _words(line) > 30:
        return False
    a, b = set(_tokens(title)), set(_tokens(line))
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / min(len(a), len(b)) >= 0.75 and shared >= 3 and len(b - a) <= 3


def _doubled(line: str) -> bool:
    """'Story headlineStory headline': a link whose text is rendered twice (image alt + anchor)."""
    s = re.sub(r"\s+", "", line)
    half = len(s) // 2
    return len(s) >= 12 and len(s) % 2 == 0 and s[:half] == s[half:]


def _stem(word: str) -> str:
    if re.match(r"[\u0621-\u064a]", word):
        word = re.sub(r"^(و|ف|ب|ل)?(ال)?", "", word) or word
    return word[:5]


def _restated(line: str, following: str) -> bool:
    """A mid-page headline whose words the next sentence repeats: the heading of the next item
    (or a teaser of it); the sentence carries the facts, the heading adds nothing."""
    if _SENTENCE_END.search(line) or not 4 <= _words(line) <= 20 or not following:
        return False
    first = re.split(r"(?<=[.!?؟])\s+", following, maxsplit=1)[0]
    head = {_stem(t) for t in _tokens(line)}
    body = {_stem(t) for t in _tokens(first)}
    return len(head & body) / len(head) >= 0.85


def _next_lines(lines: list[str]) -> list[str]:
    """For each line, the next non-empty line after it ('' when there is none)."""
    out = [""] * len(lines)
    nxt = ""
    for i in range(len(lines) - 1, -1, -1):
        out[i] = nxt
        nxt = lines[i] or nxt
    return out


def _drop_lines(lines: list[str]) -> list[str]:
    """Line by line: furniture lines become nothing, blank lines stay as paragraph breaks."""
    last = max((i for i, ln in enumerate(lines) if ln), default=-1)
    stripped = [_strip_fragments(ln, i == last) if ln else "" for i, ln in enumerate(lines)]
    following = _next_lines(stripped)
    keep: list[str] = []
    in_related = False
    for i, ln in enumerate(stripped):
        if not ln:
            if not lines[i]:  # a blank line; a line emptied by _strip_fragments leaves nothing
                keep.append("")
                in_related = False
            continue
        if _RELATED_INTRO.match(_key(ln)):
            in_related = True
            continue
        if in_related and _headline_like(ln):
            continue
        in_related = False
        if _is_furniture(ln) or _doubled(ln) or _is_label(ln, following[i]):
            continue
        keep.append(ln)
    return keep


def _title_of(lines: list[str]) -> str:
    """The first line kept, when it reads as a headline (no sentence end, not continued by a
    wrapped line): a title repeated as the page's first line."""
    i = next((i for i, ln in enumerate(lines) if ln), -1)
    if i < 0 or _SENTENCE_END.search(lines[i]) or _words(lines[i]) > 30 or _BULLET.match(lines[i]):
        return ""
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    return "" if nxt[:1].islower() else lines[i]


def _content(text: str) -> set[str]:
    return {_stem(t) for t in _tokens(text) if len(t) >= 4}


def _is_caption(lines: list[str], i: int, title: str, following: str) -> bool:
    """A photo caption without a credit: one long sentence standing alone between paragraphs
    with no final punctuation (prose sentences end with one; headings are shorter). A standfirst
    under the title shares the title's words and stays."""
    ln = lines[i]
    alone = (i == 0 or not lines[i - 1]) and (i + 1 >= len(lines) or not lines[i + 1])
    if not alone or _TERMINAL.search(ln) or not 20 <= _words(ln) <= 60 or _sentences(ln) > 1:
        return False
    if _REPORTING.search(_key(ln)):  # "..., officials said": prose that lost its full stop
        return False
    if not following:  # the page's last line: cut short, not a caption
        return False
    return len(_content(ln) & _content(title)) < 2


def _drop_link_lists(lines: list[str]) -> list[str]:
    """Three or more bulleted lines in a row, each a headline of four or more words without
    a full stop: links to other stories ('- Analyst names the floor for the rouble')."""
    out = list(lines)
    i = 0
    while i < len(lines):
        j = i
        while (
            j < len(lines)
            and _BULLET.match(lines[j])
            and _headline_like(lines[j])
            and _words(lines[j]) >= 5
        ):
            j += 1
        if j - i >= 3:
            out[i:j] = [""] * (j - i)
        i = max(j, i + 1)
    return [ln for ln, orig in zip(out, lines, strict=True) if ln or not orig]


def _drop_repeats(lines: list[str]) -> list[str]:
    """The first line kept stays (it is the title or the lead); later headline-like lines that
    repeat the title or an earlier line, that the next sentence restates, captions without a
    credit and links whose text is doubled go."""
    title = _title_of(lines)
    following = _next_lines(lines)
    out: list[str] = []
    seen: set[str] = set()
    first = True
    for i, ln in enumerate(lines):
        if not ln:
            out.append(ln)
            continue
        norm = " ".join(_tokens(ln))
        headline = not _SENTENCE_END.search(ln)
        if first:
            first = False
        else:
            if (
                (headline and norm in seen)
                or _echoes(ln, title)
                or _restated(ln, following[i])
                or _is_caption(lines, i, title, following[i])
            ):
                continue
        if headline:
            seen.add(norm)
        out.append(ln)
    return out


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
    text = _LEADING_META.sub("", text, count=1)
    keep = _drop_repeats(_drop_link_lists(_drop_lines([ln.strip() for ln in text.split("\n")])))
    title = _title_of(keep)
    blocks: list[list[str]] = [[]]
    for ln in keep:
        if ln:
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    out_blocks = []
    for n, block in enumerate(blocks):
        if not block:
            continue
        if n == 0 and title and block[0] == title:  # the title stands alone, never joined
            out_blocks.append(title)
            block = block[1:]
            if not block:
                continue
        # Related-headline lists: a block of 2+ consecutive short lines, none ending like a
        # sentence.
        elif len(block) >= 2 and all(_headline_like(b) for b in block):
            continue
        out_blocks.append(
            " ".join(block)
            if len(block) > 1 and all(not _TERMINAL.search(b) for b in block[:-1])
            else "\n".join(block)
        )
    paragraphs = []
    first = 1 if title else 0  # a dateline opens the first paragraph or two under the title
    for i, para in enumerate(out_blocks):
        if first <= i <= first + 1:
            para = _DATELINE.sub("", para, count=1)
        paragraphs.append(para)
    return "\n\n".join(p for p in paragraphs if p.strip())


# A date label a page puts before its headline: "date 2024-05-20 Iran mourns ...", "Published
# 20.05.2024 ...", "20 May 2024 |"
_DATE_LEAD = re.compile(
    r"^(?:(?:date|published|updated|опубликовано|дата|تاريخ(?:\s+النشر)?)\s*:?\s*)?"
    r"(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    r"\s*[|:–—-]?\s+(?=\S)",
    re.IGNORECASE,
)


def clean_title(title: str) -> str:
    """A title without the source or credit a page glues to it ("… “متابعات – Site”",
    "… (AFP)") or the date label before it ("date 2024-05-20 …")."""
    line = " ".join(title.split())
    line = _DATE_LEAD.sub("", line)
    line = _CREDIT_TAIL.sub("", line).strip()
    return _QUOTED_CREDIT.sub("", line).strip()


def is_blank(text: str) -> bool:
    return not clean_page(text).strip()
