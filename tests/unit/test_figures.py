"""Figures: numbers with what they count, their bound and place, in en/ru/ar sentences.

Every sentence here is written for these tests, modelled on what news pages do (qualifiers,
thousand words, Arabic-Indic digits, date/time/furniture numbers that must not count)."""

from __future__ import annotations

import pytest

from dragoman.brief.figures import FoundFigure, compatible, find_figures


def found(sentence: str, lang: str) -> list[tuple[float, str, str]]:
    figures = find_figures(sentence, lang)
    for f in figures:
        assert sentence[f.start : f.end] == f.text  # offsets point at the text as written
    return [(f.value, f.counted, f.bound) for f in figures]


@pytest.mark.parametrize(
    "sentence,lang,expected",
    [
        # what is counted: the noun after the number, or the verb/noun around it
        (
            "At least 80 people were killed when the dam gave way, the ministry said.",
            "en",
            [(80, "killed", "at_least")],
        ),
        (
            "Floods swept the valley, killing 62 and injuring 140.",
            "en",
            [(62, "killed", "exact"), (140, "wounded", "exact")],
        ),
        ("The death toll rose to 1,215 on Friday.", "en", [(1215, "killed", "exact")]),
        ("Police said 14 suspects had been detained.", "en", [(14, "detained", "exact")]),
        (
            "Officials said 37 soldiers died in the ambush.",
            "en",
            [(37, "soldiers killed", "exact")],
        ),
        (
            "В результате обрушения 12 человек погибли, ещё 30 получили ранения.",
            "ru",
            [(12, "killed", "exact"), (30, "wounded", "exact")],
        ),
        ("По данным МЧС, пострадали не менее 45 человек.", "ru", [(45, "wounded", "at_least")]),
        (
            "أسفر الحريق عن مقتل 62 شخصا وإصابة 140 آخرين.",
            "ar",
            [(62, "killed", "exact"), (140, "wounded", "exact")],
        ),
        ("وارتفع عدد القتلى إلى 215 بحسب الدفاع المدني.", "ar", [(215, "killed", "exact")]),
        # units and things
        (
            "Customs seized 2,750 tonnes of fertiliser at the border post.",
            "en",
            [(2750, "tonnes", "exact")],
        ),
        ("На складе хранились 2750 тонн удобрений.", "ru", [(2750, "tonnes", "exact")]),
        ("На складе хранились 2 750 тонн удобрений.", "ru", [(2750, "tonnes", "exact")]),
        (
            "Im Hafen lagerten 2.750 tonnes; the port said 2.750 tonnes.",
            "en",
            [(2750, "tonnes", "exact"), (2750, "tonnes", "exact")],
        ),
        (
            "The storm damaged more than 3,100 buildings in the province.",
            "en",
            [(3100, "buildings", "more_than")],
        ),
        ("The epicentre lay about 25 km from the coast.", "en", [(25, "km", "about")]),
        # thousand/million/billion words and number words
        (
            "По предварительным данным, 4 тыс. пострадавших доставлены в больницы.",
            "ru",
            [(4000, "wounded", "exact")],
        ),
        ("Около 1,5 млн жителей остались без крова.", "ru", [(1_500_000, "homeless", "about")]),
        (
            "Шесть тысяч человек эвакуированы из прибрежных сел.",
            "ru",
            [(6000, "evacuated", "exact")],
        ),
        ("The tremor left four thousand people homeless.", "en", [(4000, "homeless", "exact")]),
        (
            "وخلف الزلزال أربعة آلاف جريح في ثلاث محافظات.",
            "ar",
            [(4000, "wounded", "exact"), (3, "provinces", "exact")],
        ),
        ("بات أكثر من 4 آلاف شخص بلا مأوى.", "ar", [(4000, "homeless", "more_than")]),
        ("The agency put the damage at $2.4 billion.", "en", [(2.4e9, "dollars", "exact")]),
        # Arabic-Indic digits and Arabic separators
        ("أعلنت الوزارة مقتل ٧٨ شخصا.", "ar", [(78, "killed", "exact")]),
        ("تم تخزين ٢٬٧٥٠ طنا في المستودع.", "ar", [(2750, "tonnes", "exact")]),
        # qualifiers become bounds
        ("Nearly 500 people were rescued from the rubble.", "en", [(500, "rescued", "about")]),
        (
            "Up to 300 families were displaced by the fighting.",
            "en",
            [(300, "families displaced", "up_to")],
        ),
        ("About 300 cattle died in the flood.", "en", []),  # not a count known here
        ("Up to 300 people were displaced by the fighting.", "en", [(300, "displaced", "up_to")]),
        ("Свыше 200 человек задержаны после беспорядков.", "ru", [(200, "detained", "more_than")]),
        ("قتل ما لا يقل عن 33 شخصا في الانفجار.", "ar", [(33, "killed", "at_least")]),
        ("أصيب نحو 90 شخصا بجروح.", "ar", [(90, "wounded", "about")]),
        # ranges: a lower and an upper figure
        (
            "Between 20,000 and 25,000 residents lost their homes.",
            "en",
            [(20000, "homeless", "at_least"), (25000, "homeless", "up_to")],
        ),
        (
            "Ущерб оценивается в $2–4 млрд.",
            "ru",
            [(2e9, "dollars", "at_least"), (4e9, "dollars", "up_to")],
        ),
        (
            "تتراوح الخسائر بين 2 و4 مليارات دولار.",
            "ar",
            [(2e9, "dollars", "at_least"), (4e9, "dollars", "up_to")],
        ),
        # "dozens" and the like are not figures
        ("Dozens were hurt and thousands fled the town.", "en", []),
        ("Сотни людей пострадали, десятки пропали без вести.", "ru", []),
        ("وأصيب العشرات ونزح الآلاف.", "ar", []),
    ],
)
def test_figures_are_read_from_the_sentence(
    sentence: str, lang: str, expected: list[tuple[float, str, str]]
) -> None:
    assert found(sentence, lang) == expected


@pytest.mark.parametrize(
    "sentence,lang",
    [
        ("The ceasefire took effect on September 17th.", "en"),
        ("The first shock came at 8:00 p.m local time.", "en"),
        ("The convoy left at 6 p.m. on Monday.", "en"),
        ("Толчок произошел в 04:17 по местному времени.", "ru"),
        ("Встреча назначена на 20-го числа.", "ru"),
        ("The plant was built in 1986 and closed in 2011.", "en"),
        ("Завод построили в 1986 году.", "ru"),
        ("افتتح المصنع عام 1986.", "ar"),
        ("وقع الانفجار الساعة 6 مساء يوم 4 آب.", "ar"),
        ("Turnout reached 64% in the capital and 58 percent elsewhere.", "en"),
        ("Явка составила 64 процента.", "ru"),
        ("A magnitude 6.4 earthquake struck the coast.", "en"),
        ("Произошло землетрясение магнитудой 6,4.", "ru"),
        ("ضرب زلزال بقوة 6.4 درجات على مقياس ريختر.", "ar"),
        ("The 63-year-old mayor, aged 63, resigned.", "en"),
        ("Мэр в возрасте 63 лет подал в отставку.", "ru"),
        ("For details call +44 20 7946 0958 or see https://example.org/story/4521.", "en"),
        ("Горячая линия: 8-800-555-35-35.", "ru"),
        ("The plane, a Boeing 737, was on its 3rd flight of the day.", "en"),
        ("Вертолет Ми-8 вылетел в 10 часов утра.", "ru"),
        ("He was the 17th president of the republic.", "en"),
        ("The team won 2-1 on Sunday.", "en"),
        ("Комментарии (12)", "ru"),
        ("Updated 2023-02-06 14:05 GMT", "en"),
        ("The index rose 3.2 points.", "en"),  # counts nothing recognisable: skipped
    ],
)
def test_no_figure(sentence: str, lang: str) -> None:
    assert find_figures(sentence, lang) == []


def test_text_keeps_the_qualifier_and_offsets_in_code_points() -> None:
    s = "قالت الوزارة إن أكثر من ٤ آلاف شخص أصيبوا."
    (f,) = find_figures(s, "ar")
    assert f.text == "أكثر من ٤ آلاف" and s[f.start : f.end] == f.text
    assert (f.value, f.counted, f.bound) == (4000, "wounded", "more_than")
    s = "По меньшей мере 100 человек погибли."
    (f,) = find_figures(s, "ru")
    assert f.text == "По меньшей мере 100" and (f.start, f.end) == (0, 19)


def test_a_year_next_to_a_count_is_not_a_figure_but_the_count_is() -> None:
    assert found("In 2019, 2,300 people were evacuated.", "en") == [(2300, "evacuated", "exact")]


def fig(value: float, counted: str = "killed", bound: str = "exact") -> FoundFigure:
    return FoundFigure(value, str(value), counted, bound)


@pytest.mark.parametrize(
    "a,b,ok",
    [
        (fig(62), fig(80), False),
        (fig(62), fig(62), True),
        (fig(78, bound="at_least"), fig(100), True),
        (fig(100, bound="at_least"), fig(78), False),
        (fig(80, bound="more_than"), fig(80), False),
        (fig(80, bound="more_than"), fig(81), True),
        (fig(4000, bound="about"), fig(4100), True),
        (fig(4000, bound="about"), fig(5000), False),
        (fig(300, bound="up_to"), fig(250), True),
        (fig(300, bound="less_than"), fig(300), False),
        (fig(100, bound="at_least"), fig(90, bound="up_to"), False),
        (fig(100, bound="at_least"), fig(120, bound="about"), True),
        (fig(62), fig(80, counted="wounded"), True),  # different things
    ],
)
def test_compatible(a: FoundFigure, b: FoundFigure, ok: bool) -> None:
    assert compatible(a, b) is ok
    assert compatible(b, a) is ok
