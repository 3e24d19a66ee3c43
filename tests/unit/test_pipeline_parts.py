"""Page clean-up, entity linking, quotes, figures and dates, one language at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.brief.clean import clean_page
from dragoman.brief.dates import find_dates
from dragoman.brief.entities import EntityFinder, Gazetteer, transliterate_ru
from dragoman.brief.figures import find_figures
from dragoman.brief.quotes import find_quotes
from dragoman.brief.types import QuoteKind
from tests.conftest import ceasefire_gazetteer

SHARED_EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "examples"


@pytest.fixture(scope="module")
def finder() -> EntityFinder:
    story = ceasefire_gazetteer()
    return EntityFinder(Gazetteer().with_story(story))


@pytest.mark.parametrize(
    "page,kept,gone",
    [
        (
            "05:33 GMT29 January 2020\nListen Live\n    Get short URL\n\n    Peskov said the truce "
            "was over.\n\nShare this article\nRelated stories\nUS and Russia talk\n"
            "What next for Syria?"
            "\n\nceasefire, Al-Nusra Front, Dmitry Peskov, Russia\nCommunity standardsDiscussion\n"
            "Comment via FacebookComment via Sputnik\nWe use cookies to improve your experience.",
            ["Peskov said the truce was over."],
            [
                "Listen",
                "short URL",
                "GMT",
                "Related",
                "US and Russia talk",
                "ceasefire, Al-Nusra",
                "Community",
                "Comment via",
                "cookies",
            ],
        ),
        (
            "Слушать в эфире\nПолучить короткую ссылку\n\nМОСКВА, 20 сен — РИА Новости. Песков "
            "заявил, что надежды мало.\n\nЧитайте также\nЛавров и Керри обсудят Сирию\n\n"
            "Теги: Сирия, перемирие\nКомментарии (12)\nМы используем файлы cookie. Принять",
            ["Песков заявил, что надежды мало."],
            [
                "Слушать",
                "короткую",
                "МОСКВА",
                "Читайте",
                "Лавров и Керри",
                "Теги",
                "Комментарии",
                "cookie",
            ],
        ),
        (
            "استمع للبث المباشر\nاحصل على رابط مختصر\n\n"
            "قال بيسكوف إن الأمل ضئيل جدا.\n\nاقرأ أيضا\n"
            "لافروف وكيري يبحثان الوضع في سوريا\n\n"
            "الوسوم: سوريا، الهدنة، روسيا\nالتعليق عبر فيسبوك",
            ["قال بيسكوف إن الأمل ضئيل جدا."],
            ["استمع", "رابط مختصر", "اقرأ", "لافروف وكيري", "الوسوم", "التعليق"],
        ),
    ],
)
def test_clean_page(page: str, kept: list[str], gone: list[str]) -> None:
    out = clean_page(page)
    for k in kept:
        assert k in out
    for g in gone:
        assert g not in out, g


def test_clean_keeps_real_sentences_that_look_like_furniture() -> None:
    page = (
        "Share prices in Moscow fell sharply on Tuesday after the Kremlin said the truce "
        "would not resume.\n\nComments by the minister, made on Monday in Geneva, were "
        "widely reported across the region and abroad."
    )
    assert clean_page(page) == page


@pytest.mark.skipif(not SHARED_EXAMPLE.exists(), reason="shared examples not mounted")
def test_clean_the_reference_page() -> None:
    out = clean_page((SHARED_EXAMPLE / "sputnik-ceasefire-en.txt").read_text())
    assert out.startswith("Terrorists should stop attacking")
    assert out.rstrip().endswith('make a corresponding statement."')
    assert out.count("\n\n") == 9


def test_one_entity_across_languages_and_case_forms(finder: EntityFinder) -> None:
    ru = finder.mentions(["Песков заявил, что у Пескова и Пескову нет надежды."], "ru")[0]
    ar = finder.mentions(["وقال بيسكوف ولبيسكوف إن الأمل ضئيل."], "ar")[0]
    en = finder.mentions(["Kremlin spokesman Dmitry Peskov said Peskov's view was clear."], "en")[0]
    for found in (ru, ar, en):
        assert {m.entity_id for m in found} >= {"dmitry-peskov"}
    assert len([m for m in ru if m.entity_id == "dmitry-peskov"]) == 3
    assert len([m for m in ar if m.entity_id == "dmitry-peskov"]) == 2


def test_unknown_names_align_by_transliteration(finder: EntityFinder) -> None:
    ru = finder.mentions(["Губернатор Иван Петров сказал, что всё спокойно."], "ru")[0]
    # natasha normalises case forms: "Ивана Петрова" is the same person
    ru_gen = finder.mentions(["Слова губернатора Ивана Петрова подтвердили."], "ru")[0]
    assert "x-ivan-petrov" in {m.entity_id for m in ru_gen}
    en = finder.mentions(["Governor Ivan Petrov said all was calm."], "en")[0]
    assert "x-ivan-petrov" in {m.entity_id for m in ru} & {m.entity_id for m in en}
    assert transliterate_ru("Дмитрий") == "Dmitry"


def test_abbreviations_are_case_sensitive(finder: EntityFinder) -> None:
    found = finder.mentions(["Let us say it is what the US and the UN said."], "en")[0]
    assert [m.entity_id for m in found] == ["united-states", "united-nations"]


def test_quotes_direct_and_reported(finder: EntityFinder) -> None:
    sentences = [
        '"It is very simple: the terrorists need to stop attacking," Peskov stressed.',
        "Peskov said the United States had failed to separate the opposition.",
        '"very little" hope remains.',
    ]
    quotes = find_quotes(sentences, finder.mentions(sentences, "en"), "en")
    kinds = [(q.kind, q.speaker.entity_id if q.speaker else "") for q in quotes]
    assert kinds == [(QuoteKind.DIRECT, "dmitry-peskov"), (QuoteKind.REPORTED, "dmitry-peskov")]
    ru = ["«Всё очень просто: террористы должны прекратить атаки», — сказал Песков."]
    q = find_quotes(ru, finder.mentions(ru, "ru"), "ru")
    assert q[0].text.startswith("Всё очень просто") and q[0].speaker is not None
    low = ["„Надежды на возобновление перемирия очень мало“, — сказал Песков журналистам."]
    q = find_quotes(low, finder.mentions(low, "ru"), "ru")
    assert q[0].text.startswith("Надежды") and q[0].speaker.entity_id == "dmitry-peskov"


@pytest.mark.parametrize(
    "sentence,lang,expected",
    [
        (
            "Russia's Defence Ministry said 62 Syrian soldiers were killed.",
            "en",
            [(62.0, "soldiers killed")],
        ),
        ("Over a week, the opposition attacked some 300 times.", "en", [(300.0, "attacks")]),
        ("погибли 62 сирийских военнослужащих", "ru", [(62.0, "soldiers killed")]),
        ("ما أسفر عن مقتل ٨٠ جنديا", "ar", [(80.0, "soldiers killed")]),
        (
            "The UN said 18 of 31 trucks were destroyed.",
            "en",
            [(18.0, "trucks"), (31.0, "trucks (total)")],
        ),
        ("The war began in 2011 and the truce on September 12.", "en", []),
    ],
)
def test_figures(sentence: str, lang: str, expected: list[tuple[float, str]]) -> None:
    assert [(f.value, f.counted) for f in find_figures(sentence, lang)] == expected


@pytest.mark.parametrize(
    "sentence,lang,expected",
    [
        (
            "The truce took effect on September 12, 2016, and ended on Monday.",
            "en",
            [("September 12, 2016", "2016-09-12", False), ("on Monday", "", True)],
        ),
        (
            "19 сентября 2016 года, в понедельник, и вчера",
            "ru",
            [
                ("19 сентября 2016 года", "2016-09-19", False),
                ("в понедельник", "", True),
                ("вчера", "", True),
            ],
        ),
        (
            "أعلن الجيش يوم الاثنين 19 أيلول",
            "ar",
            [("19 أيلول", "--09-19", False), ("يوم الاثنين", "", True)],
        ),
    ],
)
def test_dates(sentence: str, lang: str, expected: list[tuple[str, str, bool]]) -> None:
    assert [(d.text, d.iso, d.relative) for d in find_dates(sentence, lang)] == expected


def test_extractive_agrees_across_languages_and_ranks_longer_articles() -> None:
    import json

    from dragoman.backends.extractive import LexRankExtractive
    from dragoman.brief.clean import clean_page
    from dragoman.text import split_sentences

    lex = LexRankExtractive()
    root = Path(__file__).resolve().parents[1] / "fixtures" / "parallel"
    picks = []
    for lang in ("en", "ru", "ar"):
        text = json.loads((root / f"{lang}.json").read_text())["text"]
        sentences = [s.text for s in split_sentences(text, lang)]
        picks.append([i for i, _ in lex.select(sentences, 3, lang)])
    assert picks[0] == picks[1] == picks[2]  # the en/ru/ar versions agree
    # a longer article: LexRank tells sentences apart (short ones tie and keep text order)
    wire = Path(__file__).resolve().parents[2] / "examples" / "ceasefire" / "en-wire.json"
    sentences = [
        s.text for s in split_sentences(clean_page(json.loads(wire.read_text())["text"]), "en")
    ]
    scores = lex.scores(sentences, "en")
    assert len(set(scores)) > 1 and max(scores) == 1.0
    assert [i for i, _ in lex.select(sentences, 3, "en")] == [1, 2, 6]


def test_clean_html_fragments() -> None:
    page = (
        "<div class='player'>Listen Live</div><script>var x = 1;</script>"
        "<p>Peskov said the truce&nbsp;was over &amp; could not resume.</p>"
        "<p>The army said rebels <a href='/x'>broke</a> it 300 times.</p>"
        "<footer>All rights reserved</footer>"
    )
    assert clean_page(page) == (
        "Peskov said the truce was over & could not resume.\n\n"
        "The army said rebels broke it 300 times."
    )
