"""Quotes: direct speech in quotation marks and reported speech by speech verbs, attributed to the
nearest person (or organisation) mentioned around it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.brief.entities import Mention
from service.brief.types import EntityType, QuoteKind

_DIRECT = re.compile(r"«([^«»]{12,})»|“([^“”]{12,})”|„([^„“”]{12,})[“”]|\"([^\"]{12,})\"")
_SPEECH_VERBS = {
    "en": r"\b(said|says|told|stressed|added|noted|stated|declared|warned|insisted|claimed)\b",
    "ru": r"\b(заявил[аи]?|сказал[аи]?|отметил[аи]?|подчеркнул[аи]?|добавил[аи]?|сообщил[аи]?|"
    r"указал[аи]?|назвал[аи]?|заявляет|говорит)\b",
    "ar": r"(?<!\w)(و?قال|و?أكد|و?أضاف|و?أشار|و?أعلن|و?صرح|و?اعتبر|و?نفى|يقول|"
    r"قالت|أكدت|أعلنت|نفت)(?!\w)",
}
_SPEECH = {k: re.compile(v, re.IGNORECASE) for k, v in _SPEECH_VERBS.items()}
_SPEAKER_TYPES = (EntityType.PERSON, EntityType.ORGANIZATION, EntityType.ARMED_GROUP)


@dataclass(frozen=True)
class FoundQuote:
    text: str
    kind: QuoteKind
    speaker: Mention | None
    sentence_index: int


# How far (characters) a reported-speech speaker may stand from its verb: "Kremlin spokesman
# Dmitry Peskov said", "قال المتحدث باسم الكرملين دميتري بيسكوف".
_SUBJECT_REACH = 45


def _speaker(mentions: list[Mention], near: int) -> Mention | None:
    people = [m for m in mentions if m.type is EntityType.PERSON]
    pool = people or [m for m in mentions if m.type in _SPEAKER_TYPES]
    if not pool:
        return None
    return min(pool, key=lambda m: (abs(m.start - near), m.start))


def _subject(mentions: list[Mention], verb_start: int, verb_end: int, lang: str) -> Mention | None:
    """The speaker of reported speech: right before the verb in English and Russian
    ("Peskov said", "Песков заявил"), right after it in Arabic ("قال بيسكوف"). Nothing when no
    entity stands there ("The army said ..." names no linked speaker)."""
    pool = [m for m in mentions if m.type in _SPEAKER_TYPES]
    if lang == "ar":
        after = [m for m in pool if 0 <= m.start - verb_end <= _SUBJECT_REACH]
        people = [m for m in after if m.type is EntityType.PERSON]
        return min(people or after, key=lambda m: m.start, default=None)
    before = [m for m in pool if 0 <= verb_start - m.end <= _SUBJECT_REACH]
    people = [m for m in before if m.type is EntityType.PERSON]
    return max(people or before, key=lambda m: m.end, default=None)


def find_quotes(sentences: list[str], mentions: list[list[Mention]], lang: str) -> list[FoundQuote]:
    """Quotes of one article, in text order."""
    out: list[FoundQuote] = []
    last_person: Mention | None = None
    verb = _SPEECH.get(lang)
    for i, (sentence, found) in enumerate(zip(sentences, mentions, strict=True)):
        direct = list(_DIRECT.finditer(sentence))
        verb_match = verb.search(sentence) if verb else None
        here = _speaker(found, verb_match.start() if verb_match else len(sentence))
        if direct:
            for m in direct:
                text = next(g for g in m.groups() if g).strip()
                if len(text.split()) < 3:
                    continue  # scare quotes such as "very little"
                speaker = here
                if speaker is None and i + 1 < len(sentences) and not verb_match:
                    # "…" followed by "Peskov said." in the next sentence
                    nxt = mentions[i + 1]
                    if verb and verb.search(sentences[i + 1]):
                        speaker = _speaker(nxt, 0)
                speaker = speaker or last_person
                out.append(FoundQuote(text, QuoteKind.DIRECT, speaker, i))
        elif verb_match and len(sentence.split()) >= 6:
            subject = _subject(found, verb_match.start(), verb_match.end(), lang)
            if subject is not None:
                out.append(FoundQuote(sentence.strip(), QuoteKind.REPORTED, subject, i))
        people = [m for m in found if m.type is EntityType.PERSON]
        if people:
            last_person = people[-1]
    return out
