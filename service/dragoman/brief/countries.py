"""Country names in English, Russian and Arabic from pycountry's ISO 3166-1 data and its
translations (the iso-codes project's gettext catalogues), as gazetteer entries: Lebanon / Ливан /
لبنان, Belarus / Беларусь / روسيا البيضاء. A few common English short names that the ISO list does
not carry (Turkey, Russia, South Korea...) are added; forms that are everyday words in a language
(Russian "Того" = "of that", Arabic "مالي" = "financial") are left out.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from dragoman.brief.types import EntityType, GazetteerEntry

# Common English names the ISO short and official names lack (alpha-2 -> names).
_EN_EXTRA: dict[str, tuple[str, ...]] = {
    "TR": ("Turkey",),
    "RU": ("Russia",),
    "KR": ("South Korea",),
    "KP": ("North Korea",),
    "GB": ("Britain", "Great Britain"),
    "CZ": ("Czech Republic",),
    "CI": ("Ivory Coast",),
    "VA": ("Vatican",),
    "PS": ("Palestinian territories",),
}
# Forms that are common words in their language.
_SKIP = {"ru": {"Того"}, "ar": {"مالي"}, "en": set()}


def _clean(form: str) -> str:
    form = unicodedata.normalize("NFC", form.replace("\u0301", ""))
    return re.sub(r"^the\s+", "", form.strip(), flags=re.IGNORECASE)


def _short(form: str) -> str:
    """'Iran, Islamic Republic of' -> 'Iran'; 'إيران، الجمهوريّة...' -> 'إيران'."""
    return re.split(r"\s*[,،]\s*", form, maxsplit=1)[0]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@lru_cache(maxsize=1)
def country_entries() -> tuple[GazetteerEntry, ...]:
    """Every ISO 3166-1 country as a location entry with its en/ru/ar names (id: the slug of
    its common English name)."""
    import pycountry

    catalogues = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in ("ru", "ar")
    }
    raw: list[tuple[str, str, dict[str, list[str]]]] = []
    for c in pycountry.countries:
        names = [c.name] + [
            getattr(c, a) for a in ("common_name", "official_name") if hasattr(c, a)
        ]
        forms: dict[str, list[str]] = {"en": [], "ru": [], "ar": []}
        for n in names:
            for lang in ("en", "ru", "ar"):
                text = n if lang == "en" else catalogues[lang].gettext(n)
                if lang != "en" and text == n:
                    continue  # no translation
                for f in (_clean(text), _clean(_short(text))):
                    if f and f not in forms[lang]:
                        forms[lang].append(f)
        forms["en"] += [e for e in _EN_EXTRA.get(c.alpha_2, ()) if e not in forms["en"]]
        common = _EN_EXTRA.get(c.alpha_2, (getattr(c, "common_name", _short(c.name)),))[0]
        raw.append((c.alpha_2, _clean(common), forms))
    # A short form two countries would share (Korea, Congo) belongs to neither, unless it is one
    # country's own name.
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for code, _, forms in raw:
        for lang, fs in forms.items():
            for f in fs:
                owners[(lang, f.casefold())].add(code)
    out = []
    for _code, name, forms in raw:
        kept: dict[str, tuple[str, ...]] = {}
        for lang, fs in forms.items():
            kept[lang] = tuple(
                f
                for f in fs
                if f not in _SKIP[lang]
                and (len(owners[(lang, f.casefold())]) == 1 or f == name)
                and len(f) > 2
            )
        out.append(GazetteerEntry(_slug(name), name, EntityType.LOCATION, kept))
    return tuple(out)
