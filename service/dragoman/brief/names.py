"""Names across scripts: consonant skeletons that match one name's Latin spellings and its
Russian transliterations (Yevgeny ~ Evgeny ~ Евгений, Hassan ~ Khasan), and Latin/Cyrillic
names found in Arabic text (Prigozhin ~ بريغوجين, Gaziantep ~ غازي عنتاب) through the consonants
each Latin letter may be written with in Arabic, long vowels optional, with the attached
و/ف/ب/ل/ك and ال/لل prefixes an Arabic word may carry. Rule-based: no model, no data file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# -- Latin ---------------------------------------------------------------------------------------
_LATIN_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th"})


def fold_latin(text: str) -> str:
    """Lower-case ASCII letters of a Latin name (Şanlıurfa -> sanliurfa); other characters kept."""
    text = unicodedata.normalize("NFKD", text.translate(_LATIN_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


_VOWELS = set("aeiouy")


def latin_skeleton(token: str) -> str:
    """The consonants of a Latin-script name word in one spelling-neutral alphabet: Yevgeny and
    Evgeny -> vgn, Hassan and Khasan -> hsn, Prigozhin and Prigojine -> prgjn, George and
    Dzhordzh -> jrj. Vowels and doubled letters drop out."""
    s = re.sub(r"[^a-z]", "", fold_latin(token))
    for a, b in (
        ("shch", "s"),
        ("dzh", "j"),
        ("tch", "c"),
        ("dj", "j"),
        ("zh", "j"),
        ("kh", "h"),
        ("gh", "g"),
        ("sh", "s"),
        ("ch", "c"),
        ("ph", "f"),
        ("th", "t"),
        ("dh", "d"),
        ("ts", "s"),
        ("tz", "s"),
        ("ck", "k"),
        ("ks", "x"),
        ("w", "v"),
        ("q", "k"),
    ):
        s = s.replace(a, b)
    s = re.sub(r"c(?=[eiy])", "s", s)
    s = re.sub(r"g(?=[ei])", "j", s)
    s = s.replace("c", "k").replace("x", "ks")
    s = re.sub(r"(?<=[aeiouy])h$", "", s)  # Kettaneh ~ Kettani
    out = [c for c in s if c not in _VOWELS]
    return re.sub(r"(.)\1+", r"\1", "".join(out))


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def skeletons_match(a: str, b: str) -> bool:
    """Two name words' skeletons are one name: equal, or one letter apart when both have 4+."""
    if a == b:
        return bool(a)
    return min(len(a), len(b)) >= 4 and edit_distance(a, b) <= 1


# -- Russian --------------------------------------------------------------------------------------
# Case endings of a name word natasha could not normalise (Эбрахима, Пригожиным, Хасана).
_RU_CASE = re.compile(r"(ами|ями|ого|его|ому|ему|ым|им|ом|ем|ой|ей|ую|юю|ая|яя|а|я|у|ю|е|ы)$")
_RU_ADJ = re.compile(r"(?<=[а-яё]{4})(ск|цк)(ий|ого|ому|им|ом|ая|ой|ую|ое|ие|их)$")


def russian_stems(word: str) -> list[str]:
    """The word and its forms without a case ending or an adjective suffix (Эрзинджанского ->
    Эрзинджан): the candidates a Russian name word is compared by."""
    low = word.lower()
    out = [word]
    adj = _RU_ADJ.sub("", low)
    if adj != low:
        out.append(adj)
    stem = _RU_CASE.sub("", low)
    if stem != low and len(stem) >= 3:
        out.append(stem)
    return out


def russian_base(word: str) -> str:
    """A Russian place adjective's place (Эрзинджанского -> эрзинджан); other words as they are."""
    low = word.lower()
    adj = _RU_ADJ.sub("", low)
    return adj if adj != low else word


# -- Arabic ---------------------------------------------------------------------------------------
_AR_DIACRITICS = re.compile(r"[\u064B-\u065F\u0670\u0640]")
_AR_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ی": "ي",
        "ک": "ك",
        "گ": "غ",
        "پ": "ب",
        "چ": "ج",
        "ژ": "ج",
        "ڤ": "ف",
    }
)
AR_WORD = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u064B-\u065F\u0670\u0640]+")


def fold_ar(word: str) -> str:
    return _AR_DIACRITICS.sub("", word).translate(_AR_FOLD)


# Arabic letter -> class; "" is a vowel letter (skipped by the skeleton).
_AR_CLASS = {
    "ب": "B",
    "ت": "T",
    "ط": "T",
    "ث": "S",
    "ج": "J",
    "ح": "H",
    "ه": "H",
    "خ": "X",
    "د": "D",
    "ض": "D",
    "ذ": "Z",
    "ر": "R",
    "ز": "Z",
    "ظ": "Z",
    "س": "S",
    "ص": "S",
    "ش": "C",
    "غ": "G",
    "ف": "F",
    "ق": "K",
    "ك": "K",
    "ل": "L",
    "م": "M",
    "ن": "N",
    "ا": "",
    "و": "",
    "ي": "",
    "ع": "",
    "ء": "",
}


def arabic_skeleton(stem: str) -> tuple[str, int]:
    """Consonant classes of a folded Arabic word (a final ه is a vowel: ta marbuta) and how many
    vowel letters it writes."""
    if stem.endswith("ه"):
        stem = stem[:-1] + "ا"
    out: list[str] = []
    vowels = 0
    prev = ""
    for ch in stem:
        c = _AR_CLASS.get(ch)
        if c is None:
            return "", 0
        if c:
            if not (ch == "ل" and prev == "ل"):  # الله, اللهيان: one L as Latin writes it
                out.append(c)
        else:
            vowels += 1
        prev = ch
    return "".join(out), vowels


def arabic_stems(folded: str) -> list[tuple[str, str]]:
    """(prefix, stem) readings of a folded Arabic word: as written, without an attached
    conjunction/preposition, without the article (والكرملين -> الكرملين, كرملين)."""
    out = [("", folded)]
    seen = {folded}
    for conj in ("", "و", "ف"):
        for prep in ("", "ب", "ل", "ك"):
            p = conj + prep
            if p and folded.startswith(p) and len(folded) - len(p) >= 3:
                rest = folded[len(p) :]
                if rest not in seen:
                    seen.add(rest)
                    out.append((p, rest))
                if prep == "ل" and rest.startswith("ل") and len(rest) >= 4:  # لل = ل + ال
                    r2 = rest[1:]
                    if r2 not in seen:
                        seen.add(r2)
                        out.append((p + "ل", r2))
    for p, s in list(out):
        if s.startswith("ال") and len(s) >= 4 and s[2:] not in seen:
            seen.add(s[2:])
            out.append((p + "ال", s[2:]))
    return out


# Latin unit -> the classes Arabic may write it with ("" = may be left out).
_UNITS: list[tuple[str, tuple[str, ...]]] = [
    ("shch", ("C",)),
    ("dzh", ("J",)),
    ("tch", ("C", "TC")),
    ("kh", ("X", "H")),
    ("gh", ("G", "K")),
    ("sh", ("C",)),
    ("ch", ("C", "TC", "J", "K")),
    ("zh", ("J", "Z")),
    ("dj", ("J",)),
    ("th", ("S", "T", "Z")),
    ("dh", ("Z", "D")),
    ("ph", ("F",)),
    ("ts", ("TS",)),
    ("tz", ("TS",)),
    ("ck", ("K",)),
    ("ou", ("",)),
    ("oo", ("",)),
    ("ee", ("",)),
    ("b", ("B",)),
    ("p", ("B",)),
    ("f", ("F",)),
    ("v", ("F", "")),
    ("w", ("", "F")),
    ("t", ("T",)),
    ("d", ("D", "Z")),
    ("s", ("S", "C")),
    ("z", ("Z", "S")),
    ("j", ("J",)),
    ("c", ("K", "S", "J")),
    ("k", ("K",)),
    ("q", ("K",)),
    ("g", ("G", "J", "K")),
    ("x", ("KS",)),
    ("h", ("H", "")),
    ("l", ("L",)),
    ("m", ("M",)),
    ("n", ("N",)),
    ("r", ("R",)),
    ("y", ("",)),
    ("a", ("",)),
    ("e", ("",)),
    ("i", ("",)),
    ("o", ("",)),
    ("u", ("",)),
]
_MAX_KEYS = 512


@lru_cache(maxsize=4096)
def latin_arabic_keys(token: str) -> frozenset[str]:
    """Every consonant-class skeleton an Arabic spelling of a Latin name word may have
    (Prigozhin -> BRGJN, BRGZN, BRJJN, ...), bounded in number."""
    s = re.sub(r"[^a-z]", "", fold_latin(token))
    s = re.sub(r"(.)\1+", r"\1", s)
    s = re.sub(r"(?<=[aeiouy])h$", "", s)
    keys = {""}
    i = 0
    while i < len(s):
        unit = next((u for u in _UNITS if s.startswith(u[0], i)), None)
        if unit is None:
            i += 1
            continue
        i += len(unit[0])
        keys = {k + o for k in keys for o in unit[1]}
        if len(keys) > _MAX_KEYS:
            keys = set(sorted(keys)[:_MAX_KEYS])
    return frozenset(re.sub(r"(.)\1+", r"\1", k) for k in keys)


_CLASS_LETTERS = {
    "B": "ب",
    "T": "تط",
    "S": "سصث",
    "J": "ج",
    "H": "حه",
    "X": "خ",
    "D": "دض",
    "Z": "زظذ",
    "R": "ر",
    "C": "ش",
    "G": "غ",
    "F": "ف",
    "K": "كق",
    "L": "ل",
    "M": "م",
    "N": "ن",
}
_VOWEL_LETTERS = {"a": "اىع", "e": "يا", "i": "ي", "o": "و", "u": "و", "y": "ي"}  # folded ئ is ي


@lru_cache(maxsize=4096)
def latin_arabic_regex(token: str) -> re.Pattern[str]:
    """A strict regex of the folded Arabic spellings of a short Latin name word: its
    consonants in order, and long vowels only where the Latin writes a vowel (Russia matches
    روسيا, not رئاسة; Hama matches حماة, not هم)."""
    s = re.sub(r"[^a-z]", "", fold_latin(token))
    s = re.sub(r"(.)\1+", r"\1", s)
    parts: list[str] = []
    i = 0
    while i < len(s):
        unit = next((u for u in _UNITS if s.startswith(u[0], i)), None)
        if unit is None:
            i += 1
            continue
        text, options = unit
        i += len(text)
        if text[0] in _VOWEL_LETTERS and options == ("",):
            while i < len(s) and s[i] in _VOWEL_LETTERS:  # the whole vowel group
                text += s[i]
                i += 1
            letters = set("".join(_VOWEL_LETTERS[c] for c in text if c in _VOWEL_LETTERS))
            letters |= set("اع") if not parts else set()
            letters |= set("ه") if i >= len(s) and text[-1] in "ae" else set()
            least = 1 if i >= len(s) and text[-1] in "iyou" else 0  # Raisi: رئيسي, not رئيس
            parts.append(f"[{''.join(sorted(letters))}]{{{least},{len(text) + 1}}}")
            continue
        alts = [
            "".join(f"[{_CLASS_LETTERS[c]}]" + ("+" if c == "L" else "") for c in o)
            for o in options
            if o
        ]
        body = "(?:" + "|".join(alts) + ")"
        parts.append(body + "?" if "" in options else body)
    return re.compile("".join(parts))


def latin_vowels(token: str) -> int:
    return len(re.findall(r"[aeiouy]+", fold_latin(token)))


# -- Arabic -> Latin (for a canonical name of a name seen only in Arabic) -------------------------
_AR_LATIN = {
    "ا": "a",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "و": "u",
    "ي": "i",
    "ء": "",
}


def romanize_ar(text: str) -> str:
    """A readable Latin spelling of an Arabic-script name (فؤاد أوقطاي -> Fuad Awqtay): for
    display only; matching goes through skeletons."""
    words = []
    for w in AR_WORD.findall(text):
        f = fold_ar(w)
        f = f[:-1] + "a" if f.endswith("ه") else f
        out = []
        for n, ch in enumerate(f):
            lat = _AR_LATIN.get(ch, ch if ch.isascii() else "")
            if ch == "و" and (n == 0 or f[n - 1] == "ا"):
                lat = "w"
            if ch == "ي" and (n == 0 or f[n - 1] == "ا"):
                lat = "y"
            out.append(lat)
        word = "".join(out)
        word = re.sub(r"^al(?=.)", "al-", word)
        if word:
            words.append(word[:1].upper() + word[1:])
    return " ".join(words)


def tokens(name: str) -> list[str]:
    """Name words of a Latin or Cyrillic name (hyphens and apostrophes split words)."""
    return [t for t in re.split(r"[\s\-‐–'’.]+", name) if any(c.isalpha() for c in t)]


def unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out
