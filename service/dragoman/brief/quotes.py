"""Quotes: direct speech in paired quotation marks and reported speech ("X said that ..."),
attributed to the subject of their speech verb - never to "the nearest name".

How a quote gets its speaker, in order:
1. The subject of the speech verb in the quote's own sentence: "X said", "said X", "— сказал X",
   "по словам X", "according to X", "قال X", "X قال", "حسب X", "نقلت ... عن X". A spokesman's
   words are the spokesman's ("Kremlin spokesman Dmitry Peskov said" -> Peskov; "the spokesman
   for President X, Y, said" -> Y; "the spokesman for President X said" -> nobody named). A
   surname the entity finder missed at the subject position is the person named by it earlier in
   the article ("Abboud said" after "Marwan Abboud").
2. A pronoun subject ("he said", "заявил он", "по его словам", an Arabic verb with no subject
   before "أن") and a role that introduced the last speaker ("the spokesman said", "по словам
   пресс-секретаря") -> the speaker of the last attributed sentence, at most three sentences back.
3. A quote whose sentence has no speech verb -> the speaker of the sentence before it that has one
   (or of the one after it, "…," Peskov said.); when both have one, they must agree.
Anything else - a subject that names nobody ("the official said", "сообщили спасатели"), an
Arabic subject no entity stands at - gets no speaker: a missing speaker is better than a wrong one.

Quotation marks pair within a sentence («…», “…”, „…“, "…", nested ones inside outer ones); text
between the closing mark of one quote and the opening mark of the next is never a quote, and a
mark without its partner gives none. A short phrase in quotation marks ("very little", «Вагнер»)
is a quote only when its sentence credits it to a speaker.

Reported speech is a sentence whose speech verb has a named subject, split where the clause of
another speaker starts; "Об этом сообщил X" makes the sentence before it X's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum

from dragoman.brief.entities import Mention
from dragoman.brief.types import EntityType, QuoteKind
from dragoman.cancel import Check, never


@dataclass(frozen=True)
class FoundQuote:
    text: str
    kind: QuoteKind
    speaker: Mention | None
    sentence_index: int
    start: int = 0  # where `text` starts and ends in its sentence
    end: int = 0


# -- quotation marks ------------------------------------------------------------------------------
_LEFT_EDGE = set("([{«—–-:;,/")
_RIGHT_EDGE = set(".,;:!?)]}»—–-؟،…")


def _straight_opens(s: str, i: int, inside: bool) -> bool:
    """Whether the straight quote at `i` opens a quote (space before it, a letter after it) or
    closes one; when both sides look alike, it closes an open quote, else it opens one."""
    left = i == 0 or s[i - 1].isspace() or s[i - 1] in _LEFT_EDGE
    right = i + 1 >= len(s) or s[i + 1].isspace() or s[i + 1] in _RIGHT_EDGE
    return left if left != right else not inside


def quote_spans(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of the words inside each outermost pair of quotation marks, in order."""
    stack: list[tuple[str, int]] = []  # opening marks and their offsets
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(sentence):
        if ch == '"':
            if _straight_opens(sentence, i, any(m == '"' for m, _ in stack)):
                stack.append((ch, i))
                continue
            closes = '"'
        elif ch in "«„":
            stack.append((ch, i))
            continue
        elif ch == "“":
            if not (stack and stack[-1][0] == "„"):  # “ opens, unless it closes „ (ru, de)
                if stack and stack[-1][0] == "“":
                    stack.pop()  # “ … “ : the first one has no partner
                stack.append((ch, i))
                continue
            closes = "„"
        elif ch == "»":
            closes = "«"
        elif ch == "”":
            closes = "“„"
        else:
            continue
        # a closing mark pairs with the innermost opening mark of its kind; unpaired marks opened
        # inside that pair are dropped
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0] in closes:
                pairs.append((stack[k][1] + 1, i))
                del stack[k:]
                break
    outer: list[tuple[int, int]] = []
    for s, e in sorted(pairs):
        if not outer or s >= outer[-1][1]:  # nested pairs stay inside their outer quote
            outer.append((s, e))
    return outer


def _mask(sentence: str, spans: list[tuple[int, int]]) -> str:
    """The sentence with its quotations (marks included) blanked out, offsets kept."""
    chars = list(sentence)
    for s, e in spans:
        chars[s - 1 : e + 1] = " " * (e - s + 2)
    return "".join(chars)


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


_SHORT = 5  # a quotation of fewer words is a term or a name unless a speaker is credited


def _is_name(sentence: str, qs: int, qe: int, found: list[Mention], lang: str) -> bool:
    """A short quotation that is a name, not speech: «Белые каски», ЧВК «Вагнер», the "Hamas"
    movement (a name found in it, or a capital letter in mid-sentence that no colon introduces)."""
    if _words(sentence[qs:qe]) >= _SHORT:
        return False
    if any(m.start < qe and qs < m.end for m in found):
        return True
    text = sentence[qs:qe].strip()
    lead = sentence[: qs - 1].rstrip()
    return lang in ("en", "ru") and text[:1].isupper() and bool(lead) and lead[-1] not in ":.!?"


# -- speech cues ----------------------------------------------------------------------------------
class _Subject(Enum):
    NAMED = 1  # an entity mention is the subject
    PRONOUN = 2  # he/she/он/она/an Arabic verb with no subject: the speaker just before
    UNNAMED = 3  # a subject that names nobody we know ("the official", "спасатели")
    CONTINUE = 4  # "..., adding that": the subject of the sentence's previous cue


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    subject: _Subject
    speaker: Mention | None
    clause: int  # where the attribution's clause starts (where reported speech is split)
    cataphoric: bool = False  # "Об этом заявил X": the words are the sentence before
    role: str = ""  # an unnamed subject that is a role ("the spokesman", "пресс-секретаря")


_Found = tuple[_Subject, Mention | None]

# Nouns "claims", "notes", "states", "reports" are left out: "US claims that ..." is no speech.
_EN_VERBS = (
    r"said|says|say|told|tells|stressed|stresses|added|adds|noted|stated|declared|warned|warns|"
    r"insisted|insists|claimed|announced|announces|reported|revealed|confirmed|confirms|"
    r"explained|urged|urges|vowed|wrote|writes|tweeted|posted|labell?ed|"
    r"(?<!so-)called(?!\s+(?:off|in|up|back|out)\b)|accused|denied|denies|recounted|recounts|"
    r"acknowledged|admitted|argued|argues|underlined|emphasi[sz]ed|pledged|promised|threatened|"
    r"estimated|predicted|asserted|replied|blamed"
)
_EN_GERUNDS = r"saying|adding|stressing|noting|warning|insisting|claiming|calling|urging"
_EN_CUE = re.compile(
    rf"\b(?:(?P<verb>{_EN_VERBS})|(?P<ger>{_EN_GERUNDS})|(?P<src>according to|citing))\b",
    re.IGNORECASE,
)
_RU_STEMS = (
    "заявил|сказал|отметил|подчеркнул|добавил|сообщил|указал|назвал|пояснил|уточнил|рассказал|"
    "признал|предупредил|подтвердил|объявил|призвал|оценил|объяснил|написал|заверил|пообещал|"
    "обвинил|опроверг|возразил|констатировал|напомнил|сообщал|заявлял|говорил"
)
_RU_CUE = re.compile(
    rf"(?<!\w)(?:(?P<verb>(?:{_RU_STEMS})(?:а|о|и)?|заявляет|заявляют|говорит|говорят|сообщает|"
    r"сообщают|пишет|пишут|передает|передаёт|передают|приводит|цитирует)"
    r"|(?P<src>по\s+(?:(?P<pron>его|её|ее|их)\s+)?(?:(?:последним|предварительным|"
    r"официальным|уточненным|уточнённым|новым)\s+)?(?:словам|данным|информации|сообщению|"
    r"оценке|оценкам|мнению)|со\s+ссылкой\s+на|ссылаясь\s+на)"
    r"|(?P<ger>добавив|подчеркнув|отметив|заявив|пояснив|сообщив|уточнив))(?!\w)",
    re.IGNORECASE,
)

_AR_MARKS = "[\u064b-\u065f\u0670\u0640]*"  # harakat, dagger alef, tatweel between letters
_AR_LETTER = {"ا": "[اأإآ]", "أ": "[اأإآ]", "إ": "[اأإآ]", "ى": "[ىي]", "ي": "[يى]", "ة": "[ةه]"}


def _ar(words: str) -> str:
    """An alternation of Arabic words that tolerates diacritics and alef/ya/ta marbuta forms."""
    forms = sorted(words.split(), key=len, reverse=True)
    return "|".join(
        "".join(_AR_LETTER.get(ch, re.escape(ch)) + _AR_MARKS for ch in w) for w in forms
    )


_AR_VERBS = _ar(
    "قال قالت يقول تقول أكد أكدت يؤكد تؤكد أضاف أضافت يضيف أشار أشارت يشير أعلن أعلنت يعلن "
    "تعلن صرح صرحت اعتبر اعتبرت نفى نفت أوضح أوضحت كشف كشفت أفاد أفادت ذكر ذكرت لفت لفتت "
    "تابع تابعت وصف وصفت دعا دعت شدد شددت نقل نقلت بين بينت حذر حذرت طالب طالبت أبلغ أبلغت "
    "رأى رأت اتهم اتهمت"
)
_AR_CUE = re.compile(
    rf"(?<!\w)(?:[وف]{_AR_MARKS})?(?:(?P<verb>{_AR_VERBS})"
    rf"|(?P<src>{_ar('حسب بحسب حسبما وفق وفقا وفقاً نقلا نقلاً طبقا')}))(?!\w)"
)
_CUE = {"en": _EN_CUE, "ru": _RU_CUE, "ar": _AR_CUE}

# Who speaks for someone else (a spokesman, an office) or heads something: the words are theirs,
# not their principal's ("the spokesman for President X said": not X; "глава МИД заявил": not
# the ministry).
_EN_ROLES = (
    r"spokesm[ae]n|spokeswom[ae]n|spokesperson|spokespeople|press secretary|press service|"
    r"press office|office|aides?|advisers?|advisors?|representatives?|head|chief|leader|"
    r"director|minister|governor|president|chairman|officials?|envoy"
)
_RU_ROLES = (
    "пресс-секретар|пресс-служб|представител|помощни|советни|офис|аппарат|канцеляри|спикер|"
    "глав|руководител|председател|директор|начальник|командующ|министр|губернатор|мэр|"
    "президент|лидер"
)
_AR_ROLES = _ar(
    "المتحدث المتحدثة الناطق الناطقة مكتب الخدمة المكتب رئيس الرئيس وزير محافظ قائد مدير "
    "زعيم الأمين أمين"
)
_ROLE_BEFORE = {
    "en": re.compile(
        rf"\b(?:{_EN_ROLES})\s+(?:for|of|to|with)\s+(?:the\s+)?(?:[A-Z][\w.’'-]*\s+){{0,3}}$"
    ),
    "ru": re.compile(rf"(?<!\w)(?:{_RU_ROLES})\w*\s+(?:\w+\s+){{0,3}}$", re.IGNORECASE),
    "ar": re.compile(rf"(?<!\w)[وف]?(?:{_AR_ROLES})(?!\w)(?:\s+\S+){{0,4}}\s*[(،,]?\s*$"),
}
# ... and where that role makes the name after it a principal, never the speaker
_PRINCIPAL = {
    "en": re.compile(r"."),  # _ROLE_BEFORE["en"] has "for", "of" in it
    "ru": re.compile(r"пресс-служб|офис|аппарат|канцеляри", re.IGNORECASE),
    "ar": re.compile(rf"(?<!\w)(?:{_ar('باسم مكتب الخدمة')})"),
}
_ROLE_AFTER = re.compile(rf"^(?:’s|'s)?\s*(?:{_EN_ROLES}|пресс-\w+)\b", re.IGNORECASE)

# Offices that speak for their principal: "пресс-служба Лукашенко сообщила", "Lukashenko's press
# service said", "أعلنت الخدمة الصحافية للرئيس البيلاروسي X". The speaker is the office, named
# after its principal ("Alexander Lukashenko press service"), linked to the principal's entity.
_AR_PRESS = _ar("الصحفية الصحافية الصحفي الصحافي الإعلامي الاعلامي الإعلامية الاعلامية")
_OFFICE_BEFORE = {
    "en": re.compile(
        r"\b(?P<office>press\s+service|press\s+office|office)\s+(?:of|for)\s+(?:the\s+)?"
        r"(?:[A-Z][\w.’'-]*\s+){0,3}$",
        re.IGNORECASE,
    ),
    "ru": re.compile(
        r"(?<!\w)(?P<office>пресс-служб|пресс-центр|офис|аппарат|канцеляри)\w*\s+(?:\w+\s+){0,3}$",
        re.IGNORECASE,
    ),
    "ar": re.compile(
        rf"(?<!\w)[وف]?(?P<office>(?:{_ar('الخدمة المكتب مكتب')})(?:\s+(?:{_AR_PRESS}))?)"
        r"(?!\w)(?:\s+\S+){0,4}\s*[(،,]?\s*$"
    ),
}
_OFFICE_AFTER = re.compile(
    r"^(?:’s|'s)?\s*(?P<office>press\s+service|press\s+office|office)\b", re.IGNORECASE
)


def _office_name(office: str) -> str:
    """The English label of an office word: press service, press office, office."""
    low = _fold_ar(office.casefold())
    if re.search(r"press\s+service|пресс-служб|пресс-центр|الخدمه", low):
        return "press service"
    if re.search(r"press\s+office|صحف|صحاف|اعلام", low):
        return "press office"
    return "office"


def _office(m: Mention, office: str) -> Mention:
    """The office of `m` as a speaker: its principal's entity, the office's name."""
    return replace(m, name=f"{m.name} {_office_name(office)}", type=EntityType.ORGANIZATION)


_PREPOSITION = {
    "en": re.compile(
        r"(?:^|(?P<prev>\S+)\s+)(?:in|at|from|of|for|with|by|to|on|into|about|against|near|after)"
        r"\s+(?:the\s+)?(?:[A-Z][\w.’'-]*\s+){0,2}$"
    ),
    "ru": re.compile(
        r"(?<!\w)(?:в|во|на|с|со|к|ко|по|о|об|от|у|из|для|при|за|после|до|против|между|над|под|"
        r"перед|через|без)\s+(?:\w+\s+)?$",
        re.IGNORECASE,
    ),
    "ar": re.compile(r"(?<!\w)[وف]?(?:في|من|إلى|الى|على|عن|مع|ضد|بين|لدى|عند)\s+(?:\S+\s+)?$"),
}


def _after_preposition(text: str, lang: str) -> bool:
    """Whether a name starting right after `text` is a preposition's object ("in Lebanon",
    "for President X") - not when "of" is part of a title ("Secretary of State John Kerry")."""
    hit = _PREPOSITION[lang].search(text)
    if hit is None:
        return False
    prev = hit.groupdict().get("prev") or ""
    title = lang == "en" and prev[:1].isupper() and re.search(r"\bof\s+\S+\s+$", hit.group(0))
    return not title


_ADVERBS_EN = (
    r"(?:(?:also|later|earlier|then|had|has|have|previously|separately|again|further|now|"
    r"recently|once|repeatedly|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
    r"Sunday)|\w+ly)\s+)*"
)
_ADVERBS_RU = (
    r"(?:(?:также|ранее|уже|вновь|тогда|позже|затем|неоднократно|лично|впоследствии|накануне|"
    r"сегодня|вчера|в\s+\w+)\s+)*"
)
# "X (Y) said", "X, the minister, said", "X, a woman living in A, in the district of B, recounts"
_APPOSITION = r"(?:\s*\([^()]*\))?(?:\s*,\s*[^,;:.!?]{1,110}(?:,\s*[^,;:.!?]{1,60})?,)?\s*"
_GAP = {  # what may stand between a subject and its verb
    "en": re.compile(rf"^{_APPOSITION}{_ADVERBS_EN}$", re.IGNORECASE),
    "ru": re.compile(rf"^{_APPOSITION}{_ADVERBS_RU}$", re.IGNORECASE),
}
_EN_LEAD_GAP = re.compile(r"^\s*,\s*[^,;:.!?]{1,60}\s$")  # "Raoul Nehme, the minister said"
# An organisation's name with a descriptor before its verb: "Russia's FSB security service said"
_EN_DESCRIBED = re.compile(
    r"^\s+(?:[a-z]+\s+){0,2}(?:service|agency|ministry|committee|council|authority|forces|"
    rf"police|army|group|government|office)\s+{_ADVERBS_EN}$"
)
_EN_AFTER_GAP = re.compile(  # "said Peskov", "says Kremlin spokesman Dmitry Peskov"
    rf"^\s*(?:(?:the|a|an|its|his|her|their)\s+|[A-Z][\w.’'-]*\s+|(?:{_EN_ROLES}|senior|deputy|"
    r"former|foreign|defen[cs]e|interior|health|prime|state|chief|top)\s+)*$"
)
_PRONOUN_BEFORE = {
    "en": re.compile(rf"\b(?:he|she)\s+{_ADVERBS_EN}$", re.IGNORECASE),
    "ru": re.compile(r"(?<!\w)(?:он|она)\s+(?:(?:также|ранее|уже|вновь|затем)\s+)*$", re.I),
}
_PRONOUN_AFTER = {
    "en": re.compile(r"^\s*(?:he|she)\b", re.IGNORECASE),
    "ru": re.compile(r"^\s*(?:(?:он|она)(?!\w)|(?:его|её|ее)\s+слова)", re.IGNORECASE),
}
# Where the subject follows its verb: after a comma or a dash (", said Peskov", "», — сказал
# Песков": the quotation itself is blanked out), "как сообщает X", "об этом заявил X".
_INVERSION = {
    "en": re.compile(r"(?:^|[,:;—–-])\s*$"),
    "ru": re.compile(r"(?:^|[,:;—–-]|(?<!\w)как|(?<!\w)[Оо]б\s+этом)\s*$"),
}
_RU_CATAPHORA = re.compile(r"(?<!\w)[Оо]б\s+этом\s+(?:\w+\s+){0,2}$")
_AR_THAT = rf"(?:[أإا]{_AR_MARKS}ن{_AR_MARKS}|ب{_AR_MARKS}[أا]{_AR_MARKS}ن{_AR_MARKS})"
_AR_CLAUSE_END = re.compile(rf"(?<!\w)(?:{_AR_THAT}(?!\w)|:)|[«\"“]")
_AR_PRONOUN = re.compile(  # "وأضاف أن", "وتابع:", "ونقلت ... عنه"
    rf"^\s*(?:(?:{_ar('إلى')})\s+)?(?:{_AR_THAT}(?!\w)|:|عن{_AR_MARKS}(?:ه|ها)(?!\w))"
)
_AR_SVO = re.compile(rf"(?<!\w)[وف]?ب?{_AR_THAT}(?!\w)\s*(?:[^\s.،:؛]+\s+){{1,8}}$")
_AR_SUBJECT_GAP = re.compile(rf"^\s*(?:(?:{_ar('قد لقد')})\s+)?$")  # "الأمم المتحدة قد أعلنت"
_POSSESSOR = re.compile(r"^(?:’s|'s|’|')")  # "Lebanon's interior minister": not Lebanon

# Words an entity finder may take for an organisation that name no one ("местные СМИ сообщают").
_NOBODY = {"сми", "media"}
_SPEAKER_TYPES = (EntityType.PERSON, EntityType.ORGANIZATION, EntityType.ARMED_GROUP)
_REACH = 90  # how far (characters) a subject may stand from its verb


def _adjacent_person(mentions: list[Mention], m: Mention, outside: str) -> Mention | None:
    """The person named right after `m` ("President X, Y", "Путина Дмитрий Песков")."""
    for n in mentions:
        if n.start >= m.end and n.type is EntityType.PERSON:
            gap = outside[m.end : n.start]
            if re.fullmatch(r"\s*[),،]?\s*(?:[\w’'-]+\s+){0,2}?|\s*\)?\s*[,،]\s*", gap):
                return n
            return None
    return None


def _refine(m: Mention, mentions: list[Mention], outside: str, lang: str, floor: int = 0) -> _Found:
    """A spokesman speaks for himself: "the spokesman for President X, Y" -> Y; "the spokesman
    for President X" -> nobody named; "Kremlin spokesman Dmitry Peskov" -> Peskov."""
    before = outside[max(floor, m.start - 60) : m.start]
    if _ROLE_BEFORE[lang].search(before):
        n = _adjacent_person(mentions, m, outside)
        if n is not None:
            return _Subject.NAMED, n
        if m.type is EntityType.PERSON and not _PRINCIPAL[lang].search(before):
            return _Subject.NAMED, m  # "пресс-секретарь Дмитрий Песков", "قال الرئيس التركي X"
        office = _OFFICE_BEFORE[lang].search(before)
        if office is not None and m.type in _SPEAKER_TYPES:
            return _Subject.NAMED, _office(m, office.group("office"))
        return _Subject.UNNAMED, None
    after = outside[m.end : m.end + 40]
    if _ROLE_AFTER.match(after):  # "a Kremlin spokesman (Dmitry Peskov)"
        n = _adjacent_person(mentions, m, outside)
        if n is None and (office := _OFFICE_AFTER.match(after)) is not None:
            return _Subject.NAMED, _office(m, office.group("office"))  # "X's press service"
        return (_Subject.NAMED, n) if n else (_Subject.UNNAMED, None)
    return _Subject.NAMED, m


def _subject_before(
    pool: list[Mention], mentions: list[Mention], outside: str, vs: int, lang: str
) -> _Found | None:
    """The nearest speaker before the verb with only an apposition or adverbs between ("Peskov
    said", "Italy, one of the contributors, said", "Песков также заявил")."""
    for m in sorted(pool, key=lambda m: -m.end):
        if m.end > vs or vs - m.end > _REACH + 20:
            continue
        gap = outside[m.end : vs]
        lead = outside[: m.start].rstrip()
        if lead.endswith(("«", '"', "“", "„")):  # a name in quotation marks: «Белые каски»
            gap, lead = gap.lstrip('»"”“'), lead[:-1].rstrip()
        at_start = not lead or lead[-1] in ".;:•—–-\n"
        ok = (
            _GAP[lang].match(gap)
            or (lang == "en" and at_start and _EN_LEAD_GAP.match(gap))
            or (lang == "en" and m.type is EntityType.ORGANIZATION and _EN_DESCRIBED.match(gap))
            or (gap.strip() == "," and lead.endswith(","))  # "The official, George Kettaneh, said"
        )
        office = _OFFICE_AFTER.match(gap) if lang == "en" else None
        if office is not None and re.fullmatch(rf"\s+{_ADVERBS_EN}", gap[office.end() :]):
            return _Subject.NAMED, _office(m, office.group("office"))  # "X's press service said"
        if not ok or _POSSESSOR.match(gap) or _after_preposition(outside[: m.start], lang):
            continue
        if m.type is EntityType.LOCATION and not (at_start or not gap.strip()):
            continue  # a state speaks only from the subject position itself
        return _refine(m, mentions, outside, lang)
    return None


def _subject_after(
    pool: list[Mention], mentions: list[Mention], outside: str, ve: int, lang: str, *, src: bool
) -> _Found | None:
    """The first speaker named after the verb in its clause, people first ("заявил губернатор
    Ливана Марван Аббуд": the governor, not Lebanon; "по словам министра X"; "قال X إن")."""
    if lang == "ar":
        end = _AR_CLAUSE_END.search(outside, ve)
        stop = end.start() if end else len(outside)
    else:
        end = re.compile(r"[.;:!?،,]\s|\s(?:that|что|чтобы)\s|[\"«“„]").search(outside, ve)
        stop = end.start() if end else len(outside)
    stop = min(stop, ve + _REACH)
    inside = [m for m in pool if ve <= m.start and m.end <= stop + 1]
    if lang == "en" and not src:
        inside = [m for m in inside if _EN_AFTER_GAP.match(outside[ve : m.start])]
    if lang == "ar" and not src:  # the subject is the first noun phrase after the verb
        inside = [m for m in inside if _ar_subject_gap(outside[ve : m.start])]
    people = [m for m in inside if m.type is EntityType.PERSON]
    for m in people or inside:
        if not src and _after_preposition(outside[ve : m.start], lang):
            continue
        if _POSSESSOR.match(outside[m.end :]):
            continue
        if m.type is EntityType.LOCATION and outside[ve : m.start].strip():
            continue
        return _refine(m, mentions, outside, lang, ve)
    return None


_AR_ROLE_WORD = re.compile(rf"^[وف]?(?:{_AR_ROLES})$")


def _ar_subject_gap(gap: str) -> bool:
    """Whether a name after an Arabic verb can be its subject: at most three words between them
    ("قال وزير الداخلية التركي X"), more only after a role ("أعلن المتحدث باسم الرئاسة الروسية
    (الكرملين)، X"); "وأعلن التلفزيون الرسمي الإيراني وفاة رئيسي": not Raisi."""
    words = gap.split()
    return len(words) <= 3 or bool(_AR_ROLE_WORD.match(words[0]))


def _fold(word: str) -> str:
    return word.casefold().replace("ё", "е").strip("’'")


def _key(m: Mention) -> str:
    """The last word of a name: one key for "Дмитрий Песков" and "Песков"."""
    words = m.name.split()
    return _fold(words[-1]) if words else ""


def _same_name(word: str, known: str) -> bool:
    """A surname and a known name's last word, up to Russian case endings (Песков ~ Пескова)."""
    a, b = _fold(word), _fold(known)
    stem = min(len(a), len(b)) - 2
    return a == b or (stem >= 4 and a[:stem] == b[:stem] and abs(len(a) - len(b)) <= 2)


def _known_subject(
    outside: str, vs: int, ve: int, lang: str, found: list[Mention], known: dict[str, Mention]
) -> Mention | None:
    """A capitalised word at the subject position that the entity finder missed here but that is
    the last word of a person or organisation named earlier in the article ("Abboud said" after
    "Marwan Abboud"): that entity, at this place."""
    if lang not in _GAP:
        return None
    word = r"([A-ZА-ЯЁ][\w’'-]{2,})"
    adverbs = _ADVERBS_EN if lang == "en" else _ADVERBS_RU
    offset = 0
    hit = re.search(rf"{word}\s+{adverbs}$", outside[:vs])
    if hit is None and _INVERSION[lang].search(outside[:vs]):
        hit, offset = re.match(rf"\s+{word}\s*(?:[,.;:!?]|$)", outside[ve:]), ve
    if hit is None:
        return None
    start, end = hit.start(1) + offset, hit.end(1) + offset
    if any(m.start < end and start < m.end for m in found):
        return None
    for m in reversed(known.values()):
        words = m.surface.split()
        if words and _same_name(hit.group(1), words[-1]):
            return replace(m, surface=hit.group(1), start=start, end=end)
    return None


def _role(outside: str, vs: int, ve: int, lang: str) -> str:
    """The role word of a subject that names nobody ("the spokesman said", "по словам
    пресс-секретаря"), to be matched against the words that introduced the last speaker."""
    hit: re.Match[str] | None = None
    if lang == "en":
        hit = re.search(
            rf"\bthe\s+(?:\w+\s+)?({_EN_ROLES})\s+{_ADVERBS_EN}$", outside[:vs], re.IGNORECASE
        ) or re.match(rf"^\s*the\s+(?:\w+\s+)?({_EN_ROLES})\b", outside[ve:], re.IGNORECASE)
    elif lang == "ru":
        hit = re.search(
            rf"(?<!\w)({_RU_ROLES})\w*\s+{_ADVERBS_RU}$", outside[:vs], re.IGNORECASE
        ) or re.match(
            rf"^\s*(?:\w+\s+)?({_RU_ROLES})\w*(?:\s+\w+)?\s*(?:[,.;:!?]|$)",
            outside[ve:],
            re.IGNORECASE,
        )
        if hit is not None and re.match(r"глав\w*\s+государств", hit.group(0).strip(), re.I):
            return "президент"  # "добавил глава государства"
        if hit is None:
            # "», — сообщили спасатели" after «Спасательная организация "Белые каски"»: a plain
            # noun that names the last speaker by what it is; its stem is matched against the
            # words that introduced that speaker
            noun = re.match(r"^\s*([а-яё]{6,})\s*(?:[,.;:!?]|$)", outside[ve:])
            if noun is not None and _INVERSION["ru"].search(outside[:vs]):
                return noun.group(1)[:5]
    elif lang == "ar":  # "وأردف الرئيس الروسي: «…»", "وأكد الرئيس التركي ..."
        hit = re.match(rf"^\s*[وف]?((?:{_AR_ROLES}))(?!\w)", outside[ve:])
        if hit is not None:
            return _fold_ar(hit.group(1))
    return hit.group(1).casefold() if hit else ""


# Titles that name the one person holding them in a story ("по словам президента", "сказал
# турецкий лидер" right after that person spoke)
_TITLES = re.compile(r"^(?:president|leader|президент|лидер|الرئيس|الزعيم)")


def _fold_ar(text: str) -> str:
    """Arabic without diacritics and with one alef, ya and ta marbuta form (role matching)."""
    text = re.sub("[\u064b-\u065f\u0670\u0640]", "", text)
    return text.translate(str.maketrans("أإآىة", "اايةه"))


def _subject(
    c: re.Match[str], outside: str, pool: list[Mention], found: list[Mention], lang: str
) -> _Found | None:
    """Who speaks the cue `c`, before pronouns are resolved."""
    vs, ve = c.start(), c.end()
    before, after = outside[:vs], outside[ve:]
    if c.group("src") is not None:  # "according to X", "по словам X", "حسب X"
        if c.groupdict().get("pron"):
            return _Subject.PRONOUN, None  # "по его словам"
        return _subject_after(pool, found, outside, ve, lang, src=True)
    if c.groupdict().get("ger"):
        return _Subject.CONTINUE, None  # "..., adding that"
    if lang == "ar":
        subject = [
            m
            for m in pool
            if m.end <= vs
            and _AR_SUBJECT_GAP.match(outside[m.end : vs])
            and not _after_preposition(outside[: m.start], lang)
        ]
        if subject:  # "X قال", "الأمم المتحدة قد أعلنت"
            return _refine(subject[-1], found, outside, lang)
        if _AR_PRONOUN.match(after):  # "وأضاف أن": no subject of its own
            return _Subject.PRONOUN, None
        if _AR_SVO.search(before):
            # "بأن مدير جهاز الأمن أبلغ الرئيس X": after "أن" the subject comes first; it names
            # nobody here, and the name after the verb is its object
            return _Subject.UNNAMED, None
        if re.match(_ar("نقل نقلت"), c.group("verb") or "") or re.match(
            rf"[وف]{_AR_MARKS}(?:{_ar('نقل نقلت')})", c.group(0)
        ):
            source = re.search(r"(?<!\w)عن(?!\w)", after)  # "نقلت الوكالة عن X"
            if source is not None:
                return _subject_after(pool, found, outside, ve + source.end(), lang, src=True)
            if re.search(rf"(?<!\w)عن{_AR_MARKS}(?:ه|ها)(?!\w)", after[:80]):
                return _Subject.PRONOUN, None  # "ونقلت قناة X عنه القول"
        found_after = _subject_after(pool, found, outside, ve, lang, src=False)
        if found_after is None and re.match(r"^\s*[:،,]?\s{3,}", after):
            return _Subject.PRONOUN, None  # "وأضاف «…»": the quotation (blanked) right after
        return found_after
    if lang == "en":
        rel = re.search(rf",\s*who\s+{_ADVERBS_EN}$", before)
        if rel is not None:  # "X, who also warned that ..."
            named = [
                m for m in pool if m.end <= rel.start() and not before[m.end : rel.start()].strip()
            ]
            return _refine(named[-1], found, outside, lang) if named else (_Subject.CONTINUE, None)
    if _PRONOUN_BEFORE[lang].search(before):
        return _Subject.PRONOUN, None
    if _INVERSION[lang].search(before):
        if _PRONOUN_AFTER[lang].match(after):  # "— подчеркнул он", "приводит его слова"
            return _Subject.PRONOUN, None
        return _subject_after(pool, found, outside, ve, lang, src=False) or _subject_before(
            pool, found, outside, vs, lang
        )
    if lang == "ru" and _PRONOUN_AFTER[lang].match(after):  # "приводит его слова агентство"
        return _Subject.PRONOUN, None
    res = _subject_before(pool, found, outside, vs, lang)
    if res is None and lang == "ru":
        right = [m for m in pool if m.start >= ve and not outside[ve : m.start].strip()]
        if right:  # "Вчера заявил Песков"
            return _refine(right[0], found, outside, lang, ve)
    return res


def _cues(outside: str, found: list[Mention], lang: str, known: dict[str, Mention]) -> list[_Cue]:
    """The speech verbs of a sentence (quotations blanked out) and their subjects."""
    pattern = _CUE.get(lang)
    if pattern is None:
        return []
    found = sorted(found, key=lambda m: m.start)
    pool = [
        m
        for m in found
        if m.type in (*_SPEAKER_TYPES, EntityType.LOCATION)
        and outside[m.start : m.end].strip()
        and m.surface.casefold() not in _NOBODY
    ]
    cues: list[_Cue] = []
    for c in pattern.finditer(outside):
        vs, ve = c.start(), c.end()
        if any(m.start <= vs < m.end for m in found):
            continue  # a word of a name
        res = _subject(c, outside, pool, found, lang)
        role = ""
        if res is None or res[0] is _Subject.UNNAMED:
            again = _known_subject(outside, vs, ve, lang, found, known)
            if again is not None:
                res = (_Subject.NAMED, again)
            else:
                res, role = (_Subject.UNNAMED, None), _role(outside, vs, ve, lang)
        subject, speaker = res
        clause = speaker.start if speaker is not None and speaker.end <= vs else vs
        cataphoric = lang == "ru" and bool(_RU_CATAPHORA.search(outside[:vs]))
        cues.append(_Cue(vs, ve, subject, speaker, clause, cataphoric, role))
    return cues


# -- the article ----------------------------------------------------------------------------------
@dataclass
class _Sentence:
    spans: list[tuple[int, int]]  # its quotations
    cues: list[_Cue]
    speakers: list[Mention | None]  # per cue, pronouns, roles and continuations resolved
    speaker: Mention | None = None  # whom the sentence's speech is by (None: nobody named)
    speaks: bool = False  # it has a speech verb, or stands by one (then `speaker` is its answer)


_CONTEXT = 3  # sentences a pronoun may look back for its speaker


def find_quotes(
    sentences: list[str], mentions: list[list[Mention]], lang: str, check: Check = never
) -> list[FoundQuote]:
    """Quotes of one article, in text order (`check` is called before each sentence)."""
    info: list[_Sentence] = []
    context: Mention | None = None  # the last speaker named
    context_at = -_CONTEXT - 1
    # people and organisations named so far: the latest mention of each last word, latest last
    # (what a search back through every mention finds first, without one)
    known: dict[str, Mention] = {}
    intro: dict[str, str] = {}  # name -> the words before its mentions ("пресс-секретарь ...")
    for i, (sentence, found) in enumerate(zip(sentences, mentions, strict=True)):
        check()
        spans = [
            (qs, qe)
            for qs, qe in quote_spans(sentence)
            if sentence[qs:qe].strip() and not _is_name(sentence, qs, qe, found, lang)
        ]
        outside = _mask(sentence, spans)
        cues = _cues(outside, found, lang, known)
        recent = context if i - context_at <= _CONTEXT else None
        speakers: list[Mention | None] = []
        for c in cues:
            who = None
            if c.subject is _Subject.NAMED:
                who = c.speaker
            elif c.subject is _Subject.PRONOUN:  # "X said ... “…,” he said": X
                before = [
                    m
                    for m in found
                    if m.type is EntityType.PERSON
                    and m.end <= c.start
                    and outside[m.start : m.end].strip()
                ]
                said = next((w for w in reversed(speakers) if w is not None), None)
                if before and (said is None or said.type is not EntityType.PERSON):
                    # the sentence's subject: "Putin linked what he called ...", "..., but
                    # Putin ..., who he said ...", "глава ФСБ X доложил Путину ..., по его словам"
                    who = before[0]
                else:
                    who = said or recent
            elif c.subject is _Subject.CONTINUE:
                who = speakers[-1] if speakers else None
            elif (
                c.role
                and recent is not None
                and (
                    c.role in intro.get(_key(recent), "")
                    or (recent.type is EntityType.PERSON and _TITLES.match(c.role))
                )
            ):
                # "the spokesman said" after "Kremlin spokesman Dmitry Peskov"; "по словам
                # президента" right after the president spoke
                who = recent
            speakers.append(who)
        s = _Sentence(spans, cues, speakers)
        if cues:
            # a person speaks, not the agency relaying him ("..., заявил X, передает ТАСС")
            people = [w for w in speakers if w is not None and w.type is EntityType.PERSON]
            s.speaker, s.speaks = (people[-1] if people else speakers[-1]), True
            context, context_at = s.speaker, i
        for m in found:
            if m.type in _SPEAKER_TYPES:
                last = m.surface.split()[-1:]
                if last:
                    known.pop(last[0], None)
                    known[last[0]] = m
                words = sentence[max(0, m.start - 60) : m.start].casefold()
                if lang == "ar":
                    words = _fold_ar(words)
                intro[_key(m)] = intro.get(_key(m), "") + " " + words
        info.append(s)

    # A quotation standing alone is by the speaker of the speech sentence next to it.
    for i, s in enumerate(info):
        if s.cues or not s.spans:
            continue
        prev = info[i - 1] if i > 0 else None
        nxt = info[i + 1] if i + 1 < len(info) else None
        if prev is not None and prev.speaks:
            # the next sentence contradicts only when it quotes too ("…" "…," Y said)
            agree = nxt is None or not (nxt.cues and nxt.spans) or nxt.speaker == prev.speaker
            s.speaker, s.speaks = (prev.speaker if agree else None), True
        elif nxt is not None and nxt.cues and nxt.spans:
            s.speaker, s.speaks = nxt.speaker, True

    out: list[FoundQuote] = []
    for i, (sentence, s) in enumerate(zip(sentences, info, strict=True)):
        for qs, qe in s.spans:
            text = sentence[qs:qe].strip().rstrip(",;:").strip()
            speaker = _nearest(s, qs, qe) if s.cues else s.speaker
            if _words(text) < _SHORT and (speaker is None or not s.cues):
                continue  # a term in quotation marks ("very little") unless someone said it
            out.append(FoundQuote(text, QuoteKind.DIRECT, speaker, i, qs, qe))
        out.extend(_reported(sentences, info, i, lang))
    out.sort(key=lambda q: (q.sentence_index, q.start))
    return out


def _nearest(s: _Sentence, qs: int, qe: int) -> Mention | None:
    """The speaker of the cue nearest the quotation in its sentence."""

    def distance(k: int) -> int:
        c = s.cues[k]
        return qs - c.end if c.end <= qs else c.start - qe if c.start >= qe else 0

    k = min(range(len(s.cues)), key=distance)
    if s.speakers[k] is None:
        # "X said in a statement that an official told Y «…»": the named source that frames it
        framing = [w for w in s.speakers[:k] if w is not None]
        if framing:
            return framing[-1]
    return s.speakers[k]


# A conjunction and a plain plural subject right before a speech verb: a clause of its own.
_OWN_CLAUSE = {
    "en": re.compile(
        r"\b(?:after|as|while|before|when|since|but|and)\s+(?P<subj>(?:the\s+)?(?:local\s+|state\s+)?"
        r"(?:authorities|officials|police|rescuers|witnesses|residents|investigators|"
        r"prosecutors|doctors|medics|sources))\s+(?:had\s+|have\s+)?$",
        re.IGNORECASE,
    ),
}
# A complementiser (and at most two words: "إن مديرها X") right before a clause's subject: that
# clause is inside the words reported by the clause before it.
_INNER = {
    "en": re.compile(r"\bthat\s+(?:\S+\s+){0,2}$", re.IGNORECASE),
    "ru": re.compile(r"(?<!\w)что\s+(?:\S+\s+){0,2}$", re.IGNORECASE),
    "ar": re.compile(rf"(?<!\w)[وف]?{_AR_THAT}(?!\w)\s*(?:\S+\s+){{0,2}}$"),
}


def _reported(sentences: list[str], info: list[_Sentence], i: int, lang: str) -> list[FoundQuote]:
    """Reported speech of sentence `i`: its clauses whose speech verb has a named subject, split
    where the clause of another subject starts ("Putin had vowed ..., Peskov said ..."); with "Об
    этом заявил X", the sentence before it (it says only who spoke)."""
    sentence, s = sentences[i], info[i]
    out: list[FoundQuote] = []
    for c, who in zip(s.cues, s.speakers, strict=True):
        if c.cataphoric:
            prev = sentences[i - 1] if i > 0 else ""
            if (
                who is not None
                and _words(prev) >= 4
                and not (info[i - 1].spans or info[i - 1].cues)
            ):
                out.append(FoundQuote(prev.strip(), QuoteKind.REPORTED, who, i - 1, 0, len(prev)))
            return out
    bounds: list[tuple[int, Mention | None]] = []
    said_end = 0  # where the verb of the last clause ends
    for c, who in zip(s.cues, s.speakers, strict=True):
        if c.subject is _Subject.CONTINUE:
            continue
        if bounds and (bounds[-1][1] == who or c.clause <= bounds[-1][0]):
            continue
        if who is None and any(w is not None for _, w in bounds):
            # a verb inside the reported words ("X said the attackers had warned") - unless a
            # conjunction opens a clause of its own there ("X vowed ..., after authorities
            # said ..."): those words are nobody's we know, and not X's
            own = _OWN_CLAUSE.get(lang)
            hit = own.search(sentence[: c.start]) if own else None
            if hit is not None and hit.start("subj") > bounds[-1][0]:
                bounds.append((hit.start("subj"), None))
            continue
        if (
            bounds
            and bounds[-1][1] is not None
            and _INNER[lang].search(sentence[said_end : c.clause])
        ):
            # the reported words themselves name who told whom: "the FSB said that its director
            # X informed Putin ...", "وقالت الهيئة إن مديرها X أبلغ ..."
            continue
        said_end = c.end
        start = 0
        if bounds:
            start = c.clause
            cut = max(sentence.rfind(",", 0, start), sentence.rfind(";", 0, start))
            if cut > bounds[-1][0] and start - cut < 60:
                start = cut + 1
        bounds.append((start, who))
    outside = _mask(sentence, s.spans)
    for k, (start, who) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(sentence)
        text = sentence[start:end].strip().strip(",;").strip()
        if who is None or _words(text) < 6:
            continue
        if s.spans and _words(outside[start:end]) < 9:
            continue  # the quotation is the speech, its attribution no reported speech
        out.append(FoundQuote(text, QuoteKind.REPORTED, who, i, start, end))
    return out
