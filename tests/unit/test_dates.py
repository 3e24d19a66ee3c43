"""Dates resolved against the publication date (made-up sentences, no article text)."""

from __future__ import annotations

import datetime

import pytest

from dragoman.brief.dates import FoundDate, find_dates, timeline_date

TUE = datetime.date(2016, 9, 20)  # a Tuesday
NEW_YEAR = datetime.date(2017, 1, 2)  # a Monday


def dates(sentence: str, lang: str, published: datetime.date | None = None) -> list[FoundDate]:
    found = find_dates(sentence, lang, published)
    for f in found:  # offsets always point at the text as written
        assert sentence[f.start : f.end] == f.text
    return found


def brief(
    sentence: str, lang: str, published: datetime.date | None = None
) -> list[tuple[str, str]]:
    return [(f.text, f.iso) for f in dates(sentence, lang, published)]


# -- absolute dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence,lang,expected",
    [
        (
            "The talks opened on September 14, 2015 in Oslo.",
            "en",
            [("September 14, 2015", "2015-09-14")],
        ),
        ("The vote is set for 3 October 2016.", "en", [("3 October 2016", "2016-10-03")]),
        ("Filed Sep 9, 2016 by a clerk.", "en", [("Sep 9, 2016", "2016-09-09")]),
        (
            "Заседание прошло 14 сентября 2015 года в Осло.",
            "ru",
            [("14 сентября 2015 года", "2015-09-14")],
        ),
        ("Документ подписан 09.09.2016 в столице.", "ru", [("09.09.2016", "2016-09-09")]),
        ("عقد الاجتماع في 14 سبتمبر 2015 في أوسلو.", "ar", [("14 سبتمبر 2015", "2015-09-14")]),
        ("وقع الحادث في 17 أغسطس/آب 1999 شرقا.", "ar", [("17 أغسطس/آب 1999", "1999-08-17")]),
    ],
)
def test_absolute_dates_with_a_year_are_as_written(
    sentence: str, lang: str, expected: list[tuple[str, str]]
) -> None:
    found = dates(sentence, lang, TUE)
    assert [(f.text, f.iso) for f in found] == expected
    assert all(f.resolution == "as written" and not f.relative for f in found)


@pytest.mark.parametrize(
    "sentence,lang,text",
    [
        ("The convoy left on September 19.", "en", "September 19"),
        ("The convoy left on Sept. 19 at dawn.", "en", "Sept. 19"),
        ("The convoy left on 19 September.", "en", "19 September"),
        ("The convoy left on the 19th of September.", "en", "19th of September"),
        ("Колонна вышла 19 сентября.", "ru", "19 сентября"),
        ("Колонна вышла 19-го сентября.", "ru", "19-го сентября"),
        ("غادرت القافلة في 19 سبتمبر.", "ar", "19 سبتمبر"),
        ("غادرت القافلة في 19 أيلول.", "ar", "19 أيلول"),
        ("غادرت القافلة في ١٩ سبتمبر.", "ar", "١٩ سبتمبر"),
        ("غادرت القافلة في 19 من شهر أيلول.", "ar", "19 من شهر أيلول"),
    ],
)
def test_day_and_month_take_the_year_from_publication(sentence: str, lang: str, text: str) -> None:
    (found,) = dates(sentence, lang, TUE)
    assert found.text == text
    assert found.iso == "2016-09-19"
    assert not found.relative
    assert found.resolution == "year from publication date 2016-09-20"


@pytest.mark.parametrize(
    "sentence,lang,published,iso",
    [
        # December in an article of early January: last year
        ("The offer was made on 20 December.", "en", NEW_YEAR, "2016-12-20"),
        ("Предложение сделано 20 декабря.", "ru", NEW_YEAR, "2016-12-20"),
        ("قدم العرض في 20 كانون الأول.", "ar", NEW_YEAR, "2016-12-20"),
        # an announced date up to about two months ahead stays in the coming weeks
        ("Elections are due on 10 November.", "en", TUE, "2016-11-10"),
        ("The summit will be held on January 10.", "en", datetime.date(2016, 11, 15), "2017-01-10"),
        # further ahead than that is read as the past
        ("The plan dates from 25 December.", "en", TUE, "2015-12-25"),
        # 29 February goes to the last leap year
        ("The ruling came on 29 February.", "en", datetime.date(2021, 3, 1), "2020-02-29"),
    ],
)
def test_year_is_the_one_nearest_publication(
    sentence: str, lang: str, published: datetime.date, iso: str
) -> None:
    (found,) = dates(sentence, lang, published)
    assert found.iso == iso


def test_without_publication_a_day_and_month_is_yearless() -> None:
    for sentence, lang in [
        ("It ended on 19 September.", "en"),
        ("Всё закончилось 19 сентября.", "ru"),
        ("انتهى كل شيء في ١٩ أيلول.", "ar"),
    ]:
        (found,) = dates(sentence, lang)
        assert found.iso == "--09-19"
        assert found.resolution == "as written"
        assert timeline_date(found) == ""


@pytest.mark.parametrize(
    "sentence,lang",
    [
        ("Nothing happened on 32 September or 31 September.", "en"),
        ("Nothing happened on September 32.", "en"),
        ("Ничего не случилось 32 сентября.", "ru"),
        ("لم يحدث شيء في 32 سبتمبر.", "ar"),
        ("The vote was on 30 February 2016.", "en"),
    ],
)
def test_invalid_days_are_ignored(sentence: str, lang: str) -> None:
    assert dates(sentence, lang, TUE) == []


def test_clock_times_and_numbers_are_not_dates() -> None:
    assert brief("At 16:34 on 19 September the count rose to 2,700.", "en", TUE) == [
        ("19 September", "2016-09-19")
    ]
    assert brief("The blast came at 6 p.m. and 4:17 a.m. local time.", "en", TUE) == []
    assert brief("В 16:34 погибли 20 человек, в 2016 году тоже.", "ru", TUE) == []
    assert brief("the toll may 20 rise", "en", TUE) == []  # "may", not May


def test_english_month_names_in_ru_and_ar_pages() -> None:
    assert brief("Обновлено 05 August 2016", "ru", TUE) == [("05 August 2016", "2016-08-05")]
    assert brief("نشر في August 5, 2016", "ar", TUE) == [("August 5, 2016", "2016-08-05")]


# -- weekdays ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence,lang,text",
    [
        ("The army withdrew on Monday.", "en", "on Monday"),
        ("The army withdrew Monday night.", "en", "Monday night"),
        ("Армия отошла в понедельник.", "ru", "в понедельник"),
        ("انسحب الجيش الاثنين.", "ar", "الاثنين"),
        ("انسحب الجيش يوم الاثنين.", "ar", "يوم الاثنين"),
        ("انسحب الجيش مساء الإثنين.", "ar", "مساء الإثنين"),
    ],
)
def test_weekday_is_the_one_before_publication(sentence: str, lang: str, text: str) -> None:
    (found,) = dates(sentence, lang, TUE)
    assert found.text == text
    assert found.relative
    assert found.iso == "2016-09-19"
    assert found.resolution == "Monday before publication date Tue 2016-09-20"


@pytest.mark.parametrize(
    "sentence,lang,text,iso",
    [
        ("Talks resumed on Sunday.", "en", "on Sunday", "2016-09-18"),
        ("Talks resumed on Wednesday.", "en", "on Wednesday", "2016-09-14"),
        ("Переговоры возобновились во вторник.", "ru", "во вторник", "2016-09-20"),
        ("Переговоры возобновились в среду.", "ru", "в среду", "2016-09-14"),
        ("Переговоры возобновились в пятницу вечером.", "ru", "в пятницу вечером", "2016-09-16"),
        ("Переговоры возобновились в ночь на субботу.", "ru", "в ночь на субботу", "2016-09-17"),
        ("استؤنفت المحادثات الأحد.", "ar", "الأحد", "2016-09-18"),
        ("استؤنفت المحادثات مساء الأحد.", "ar", "مساء الأحد", "2016-09-18"),
        ("استؤنفت المحادثات يوم الثلاثاء.", "ar", "يوم الثلاثاء", "2016-09-20"),
        ("استؤنفت المحادثات صباح اليوم السّبت.", "ar", "صباح اليوم السّبت", "2016-09-20"),
    ],
)
def test_weekdays_resolve_on_or_before_publication(
    sentence: str, lang: str, text: str, iso: str
) -> None:
    (found,) = dates(sentence, lang, TUE)
    assert (found.text, found.iso, found.relative) == (text, iso, True)


def test_same_weekday_as_publication_is_the_publication_day() -> None:
    for sentence, lang in [
        ("The talks collapsed on Tuesday.", "en"),
        ("Переговоры сорвались во вторник.", "ru"),
        ("انهارت المحادثات الثلاثاء.", "ar"),
    ]:
        (found,) = dates(sentence, lang, TUE)
        assert found.iso == "2016-09-20"
        assert found.resolution == "Tuesday, the publication date Tue 2016-09-20"


@pytest.mark.parametrize(
    "sentence,lang,iso,resolution",
    [
        ("They met last Tuesday.", "en", "2016-09-13", "Tuesday before publication date"),
        ("They meet next Tuesday.", "en", "2016-09-27", "Tuesday after publication date"),
        ("They meet next Monday.", "en", "2016-09-26", "Monday after publication date"),
        ("Они встретились в прошлый вторник.", "ru", "2016-09-13", "Tuesday before"),
        ("Они встретятся в следующую пятницу.", "ru", "2016-09-23", "Friday after"),
        ("Они встретились в минувшую субботу.", "ru", "2016-09-17", "Saturday before"),
        ("التقيا الثلاثاء الماضي.", "ar", "2016-09-13", "Tuesday before"),
        ("يلتقيان الثلاثاء المقبل.", "ar", "2016-09-27", "Tuesday after"),
        ("يلتقيان الجمعة المقبلة.", "ar", "2016-09-23", "Friday after"),
    ],
)
def test_next_and_last_move_the_weekday(
    sentence: str, lang: str, iso: str, resolution: str
) -> None:
    (found,) = dates(sentence, lang, TUE)
    assert found.iso == iso
    assert found.resolution.startswith(resolution)


def test_weekday_written_beside_a_date_takes_that_date() -> None:
    found = dates("The deal was signed on Monday, September 5.", "en", TUE)
    assert [(f.text, f.iso) for f in found] == [
        ("September 5", "2016-09-05"),
        ("on Monday", "2016-09-05"),
    ]
    assert found[1].resolution == "Monday written beside the date 2016-09-05"
    # a weekday that does not fit the date beside it falls back to the news convention
    found = dates("The deal was signed on Friday, September 5.", "en", TUE)
    assert found[1].iso == "2016-09-16"


def test_names_are_not_weekdays() -> None:
    assert dates("The Good Friday agreement held.", "en", TUE) == []
    assert dates("He told the Mail on Sunday and the Sunday Times.", "en", TUE) == []
    assert dates("She spoke to USA Today and Russia Today.", "en", TUE) == []
    # "среду" without a preposition is "environment"
    assert dates("Они загрязняют окружающую среду.", "ru", TUE) == []


def test_weekday_plurals_are_habits_not_dates() -> None:
    assert dates("The market opens on Mondays.", "en", TUE) == []
    assert dates("Рынок работает по понедельникам.", "ru", TUE) == []


# -- yesterday / today / tomorrow ---------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence,lang,text,iso,resolution",
    [
        ("The minister resigned yesterday.", "en", "yesterday", "2016-09-19", "day before"),
        ("The minister resigns today.", "en", "today", "2016-09-20", "publication date"),
        ("The minister resigns tomorrow.", "en", "tomorrow", "2016-09-21", "day after"),
        ("Shots were heard last night.", "en", "last night", "2016-09-19", "night before"),
        ("Министр ушёл вчера.", "ru", "вчера", "2016-09-19", "day before"),
        ("Министр уходит сегодня.", "ru", "сегодня", "2016-09-20", "publication date"),
        ("Министр уйдёт завтра.", "ru", "завтра", "2016-09-21", "day after"),
        ("Министр ушёл позавчера.", "ru", "позавчера", "2016-09-18", "two days before"),
        ("استقال الوزير أمس.", "ar", "أمس", "2016-09-19", "day before"),
        ("استقال الوزير بالأمس.", "ar", "الأمس", "2016-09-19", "day before"),
        ("يستقيل الوزير اليوم.", "ar", "اليوم", "2016-09-20", "publication date"),
        ("يستقيل الوزير غدا.", "ar", "غدا", "2016-09-21", "day after"),
        ("يستقيل الوزير غداً.", "ar", "غداً", "2016-09-21", "day after"),
        ("استقال الوزير مساء أمس (الاثنين).", "ar", "مساء أمس (الاثنين)", "2016-09-19", "day"),
    ],
)
def test_day_words(sentence: str, lang: str, text: str, iso: str, resolution: str) -> None:
    (found,) = dates(sentence, lang, TUE)
    assert (found.text, found.iso, found.relative) == (text, iso, True)
    assert found.resolution.startswith(resolution)
    assert found.resolution.endswith("publication date 2016-09-20")


def test_arabic_day_that_is_not_today() -> None:
    assert dates("استمرت المفاوضات طوال اليوم.", "ar", TUE) == []
    assert dates("وفي اليوم التالي عاد الوفد.", "ar", TUE) == []
    assert dates("قال موقع لبنان اليوم إن الوفد عاد.", "ar", TUE) == []


def test_weeks_and_months_are_listed_unresolved() -> None:
    for sentence, lang, text in [
        ("Prices rose last week.", "en", "last week"),
        ("Цены выросли на прошлой неделе.", "ru", "на прошлой неделе"),
        ("ارتفعت الأسعار الأسبوع الماضي.", "ar", "الأسبوع الماضي"),
    ]:
        (found,) = dates(sentence, lang, TUE)
        assert (found.text, found.iso, found.relative, found.resolution) == (text, "", True, "")


def test_without_publication_relative_dates_are_unresolved() -> None:
    for sentence, lang in [
        ("The army withdrew on Monday and yesterday.", "en"),
        ("Армия отошла в понедельник и вчера.", "ru"),
        ("انسحب الجيش يوم الاثنين وأمس.", "ar"),
    ]:
        found = dates(sentence, lang)
        assert len(found) == 2
        assert all(f.relative and f.iso == "" and f.resolution == "" for f in found)


def test_two_argument_call_and_order() -> None:
    # absolute dates first, then relative ones, each in text order
    found = find_dates("Late on Monday the truce of September 12, 2016 ended.", "en")
    assert [(f.text, f.iso, f.relative) for f in found] == [
        ("September 12, 2016", "2016-09-12", False),
        ("on Monday", "", True),
    ]


# -- offsets ------------------------------------------------------------------------------------


def test_offsets_are_code_points_in_the_sentence() -> None:
    sentence = "وأعلن الجيش والأحد أن ٢٠ سبتمبر موعد"
    found = dates(sentence, "ar", TUE)
    assert [(f.text, f.start, f.end) for f in found] == [
        ("٢٠ سبتمبر", sentence.index("٢٠"), sentence.index("٢٠") + len("٢٠ سبتمبر")),
        ("الأحد", sentence.index("الأحد"), sentence.index("الأحد") + len("الأحد")),
    ]
    assert found[0].iso == "2016-09-20"
    sentence = "Вчера, 19 сентября, в понедельник"
    found = dates(sentence, "ru", TUE)
    assert [(f.text, f.start, f.end) for f in found] == [
        ("19 сентября", 7, 18),
        ("Вчера", 0, 5),
        ("в понедельник", 20, 33),
    ]


def test_published_may_be_a_datetime() -> None:
    stamp = datetime.datetime(2016, 9, 20, 16, 41, tzinfo=datetime.UTC)
    (found,) = dates("It happened yesterday.", "en", stamp)
    assert found.iso == "2016-09-19"


def test_timeline_date() -> None:
    assert [timeline_date(f) for f in dates("Monday, or 19 September.", "en", TUE)] == [
        "2016-09-19",
        "2016-09-19",
    ]
    assert [timeline_date(f) for f in dates("On Monday, last week.", "en")] == ["", ""]


def test_unknown_language_finds_nothing() -> None:
    assert find_dates("19 septembre", "fr", TUE) == []
