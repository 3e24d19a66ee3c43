"""Page furniture never reaches the brief; real prose always does. Every line here is written for
the test (no third-party text): one case per kind of furniture seen on real outlets' templates,
then prose that looks like furniture and must survive."""

from __future__ import annotations

import pytest

from dragoman.brief.clean import clean_page, clean_title

EN_LEAD = "The regional governor said on Tuesday that 40 families had been moved from the valley."
EN_TAIL = "Rescue teams expect to finish searching the damaged houses by Friday evening."
RU_LEAD = "Губернатор области сообщил во вторник, что из долины эвакуированы 40 семей."
RU_TAIL = "Спасатели рассчитывают закончить осмотр поврежденных домов к вечеру пятницы."
AR_LEAD = "قال محافظ المنطقة يوم الثلاثاء إن 40 عائلة نقلت من الوادي إلى مراكز إيواء."
AR_TAIL = "وتتوقع فرق الإنقاذ أن تنهي تفتيش المنازل المتضررة بحلول مساء الجمعة."
LEADS = {"en": (EN_LEAD, EN_TAIL), "ru": (RU_LEAD, RU_TAIL), "ar": (AR_LEAD, AR_TAIL)}


def page(lang: str, *middle: str) -> str:
    lead, tail = LEADS[lang]
    return "\n\n".join([lead, *middle, tail])


def assert_clean(out: str, lang: str, gone: str) -> None:
    lead, tail = LEADS[lang]
    assert lead in out and tail in out
    assert gone not in out, out


# (language, furniture line(s) placed between two prose paragraphs, a fragment that must go)
FURNITURE = [
    # related stories and links
    ("en", "Related: Flood waters recede from the northern valley towns", "Flood waters"),
    ("en", "Related stories\nDam inspectors to visit the valley\nWho pays for the repairs?", "Dam"),
    (
        "en",
        "Officials promise new dams for the valleyOfficials promise new dams for the valley",
        "new dams",
    ),
    ("en", "Read more", "Read more"),
    ("en", "Click here to read the full story", "Click here"),
    (
        "en",
        "- Valley farmers count losses after the storm\n- Insurers brace for a wave of "
        "claims this spring\n- Schools in the valley reopen next week",
        "Insurers",
    ),
    ("ru", "Читайте также\nВ долине открылись пункты обогрева", "пункты обогрева"),
    ("ru", "Теги по теме\nПаводок в долине: главное к этому час", "главное к этому"),
    ("ru", "Последствия паводка в долине. Фоторепортаж", "Фоторепортаж"),
    ("ar", "اقرأ أيضا\nافتتاح مراكز إيواء جديدة في الوادي", "مراكز إيواء جديدة"),
    ("ar", "إقــــرأ المزيد", "المزيد"),
    ("ar", "اضغط هنا لقراءة الخبر كاملا", "اضغط"),
    # page dates, times, counters, tickers, weather
    ("en", "Posted 12 March 2021 Modified 13 March 2021", "Posted"),
    ("ru", "Изменено: 31 марта 2021, 08:12", "Изменено"),
    ("ru", "Опубликовано 30 марта, изменено 31 марта", "изменено"),
    ("en", "05 March 2021 16:41", "16:41"),
    ("en", "Read Time: 3 min", "Read Time"),
    ("en", "1 204", "1 204"),
    ("en", "• 873 views", "873"),
    ("en", "+5°C", "°"),
    ("ru", "04.03.2021", "04.03.2021"),
    ("ru", "Опубликовано: 04.03.2021, 10:15", "Опубликовано"),
    ("ru", "Чтв, 11\nПтн, 12\nСбт, 13", "Птн"),
    ("ru", "ЦБ USD 92.10 0.45 04/03\nНал. EUR 99.20 / 101.40 03/03 18:20", "USD"),
    ("ru", "Время чтения: 2 минуты", "Время чтения"),
    ("ar", "آخر تحديث 09:30", "تحديث"),
    ("ar", "السبت 06 مارس 2021 - 10:15", "مارس 2021"),
    # captions and credits
    (
        "en",
        "In this photo provided by the regional press office, rescuers carry a stretcher near "
        "the river bank, Monday, March 1, 2021. (Regional Press Office via AP)",
        "stretcher",
    ),
    ("en", "A rescuer walks past a damaged bridge in the valley. (AP Photo/Jane Roe)", "rescuer"),
    (
        "en",
        "A drone photo shows flooded streets in the valley town of Exampleton, March 3",
        "drone",
    ),
    (
        "en",
        "Volunteers pile sandbags along the embankment next to the old mill on the northern "
        "edge of the town on the second night of the flood",
        "sandbags",
    ),
    ("en", "Reuters", "Reuters"),
    ("ru", "Фото: Иван Петров/Пример Медиа", "Иван Петров"),
    ("ru", "Набережная после паводка. Фото: Пример Медиа", "Набережная"),
    ("ru", "Разрушенный мост в долине. Кадр местного телеканала", "мост"),
    ("ru", "Мост через реку. Обложка © Пример", "Обложка"),
    ("ar", "جسر مدمر في الوادي يوم الاثنين. (فرانس برس)", "جسر مدمر"),
    ("ar", "أ ف ب", "أ ف ب"),
    # bylines
    ("en", "By John Smith", "John Smith"),
    ("en", "By Jane Doe and Omar Said, Reuters", "Jane Doe"),
    ("ru", "Автор: Мария Иванова", "Мария Иванова"),
    ("ar", "بقلم: أحمد علي", "أحمد علي"),
    # tweets
    (
        "en",
        "Water everywhere in the old town tonight #flood #valley pic.twitter.com/AbCdEf123 — "
        "Local Reporter (@localrep) March 4, 2021",
        "Water everywhere",
    ),
    ("en", "Roads are closed. Stay home tonight.#ValleyFlood", "Stay home"),
    # menus, section labels, controls, prompts
    ("en", "Home | World | Business | Sport | Culture", "Business"),
    ("en", "World News", "World News"),
    ("en", "Sign up for our morning newsletter", "newsletter"),
    ("en", "Leave a Reply", "Leave a Reply"),
    ("en", "DMCA", "DMCA"),
    ("en", "Skip to content", "Skip"),
    ("en", "If you're just joining us, here is a summary of what we know so far:", "joining"),
    ("ru", "Общество", "Общество"),
    ("ru", "Лента новостей", "Лента"),
    ("ru", "Подпишитесь на наш канал", "Подпишитесь"),
    ("ru", "Поддержите нас", "Поддержите"),
    ("ar", "+ الخط -", "الخط"),
    ("ar", "المدينة - وكالات:", "وكالات"),
    ("ar", "تخطى إلى المحتوى", "المحتوى"),
    ("ar", "زر الذهاب إلى الأعلى", "الذهاب"),
]


@pytest.mark.parametrize("lang,middle,gone", FURNITURE)
def test_furniture_goes(lang: str, middle: str, gone: str) -> None:
    assert_clean(clean_page(page(lang, middle)), lang, gone)


def test_inline_tweet_goes_and_its_paragraph_stays() -> None:
    para = (
        "Roads into the valley were closed on Monday. Water over the bridge tonight #flood "
        "pic.twitter.com/Zz9Yy8Xx — Valley Desk (@valleydesk) March 1, 2021 The army sent "
        "boats to the lower villages."
    )
    out = clean_page(page("en", para))
    assert "Roads into the valley were closed on Monday." in out
    assert "The army sent boats to the lower villages." in out
    assert "twitter" not in out and "Water over the bridge" not in out


def test_leading_page_date_and_datelines() -> None:
    out = clean_page(" date 2021-03-04 " + EN_LEAD + "\n\n" + EN_TAIL)
    assert out.startswith(EN_LEAD)
    out = clean_page("Valletta, (Example Wire - 4th March, 2021) " + EN_LEAD + "\n\n" + EN_TAIL)
    assert out.startswith(EN_LEAD)
    out = clean_page("Example Times - " + EN_LEAD + "\n\n" + EN_TAIL)
    assert out.startswith(EN_LEAD)
    out = clean_page("March 4, 2021" + EN_LEAD + "\n\n" + EN_TAIL)
    assert out.startswith(EN_LEAD)


def test_title_repeated_as_first_line_is_harmless() -> None:
    title = "Floods force 40 families from valley homes"
    text = f"{title}\n{title}\nExample News - {title}\n{EN_LEAD}\n{EN_TAIL}"
    out = clean_page(text)
    # the title stays once, as its own paragraph, never glued to the lead sentence
    assert out.split("\n\n")[0] == title
    assert out.count("Floods force") == 1
    assert EN_LEAD in out and EN_TAIL in out
    # a title and a one-sentence lead are not joined into one sentence either
    assert clean_page(f"{title}\n{EN_LEAD}") == f"{title}\n\n{EN_LEAD}"


def test_title_with_a_quoted_source_credit() -> None:
    title = "فيضانات تجبر عشرات العائلات على مغادرة منازلها"
    out = clean_page(f"{title} “متابعات – موقع المثال”\n{AR_LEAD}")
    assert out.startswith(title) and "متابعات" not in out and AR_LEAD in out


def test_headline_of_the_next_item_restated_by_its_lead() -> None:
    heading = "Governor and mayor agree on a joint flood relief fund"
    nxt = "The governor and the mayor agree on a joint flood relief fund, officials said."
    out = clean_page(page("en", f"{heading}\n{nxt}"))
    assert heading not in out and nxt in out


# Prose that resembles furniture: each line must come through whole.
PROSE = [
    ("en", "He resigned."),
    ("en", "At least 40 people died."),
    ("en", "The toll rose to 1,204 on Monday, the ministry said."),
    ("en", "1,500 dead"),
    ("en", "Death toll rises to 40"),
    ("en", "How many people were killed?"),
    ("en", "May 5 was the deadliest day of the year."),
    ("en", "Related talks in Geneva ended without an agreement on Tuesday."),
    ("en", "Related to the flooding, three roads remain closed."),
    ("en", "By Monday, the water had receded from most streets."),
    ("en", "Share prices fell 3% after the announcement."),
    ("en", "Published figures show 40 people were evacuated"),
    ("en", "Posted guards stopped the convoy near the border."),
    ("en", "Subscribers to the water service lost access for two days."),
    ("en", "No comments were made by the ministry on Tuesday."),
    ("en", "A video shows soldiers carrying sandbags, the agency said."),
    ("en", "Photos from the scene showed collapsed roofs, the agency said."),
    (
        "en",
        "Earlier on Tuesday, local media said rescue workers had reached the upper valley "
        "where the number of casualties was still unknown",
    ),
    ("ru", "Все погибли."),
    ("ru", "В 2020 году погибли 78 человек."),
    ("ru", "Как завершился паводок"),
    ("ru", "Комментировать ситуацию в правительстве отказались."),
    ("ru", "Видео с места событий опубликовал местный телеканал."),
    ("ru", "Подписка на сервис подорожала на 10%."),
    ("ar", "انتهى الاجتماع."),
    ("ar", "قتل 113 شخصا على الأقل."),
    ("ar", "نداء لدعم دولي"),
    ("ar", "شارك آلاف المتطوعين في تنظيف الشوارع."),
    ("ar", "اشترك أربعة مسلحين في الهجوم على المركز."),
    ("ar", "استمع الحاضرون إلى كلمة المحافظ في القاعة."),
    ("ar", 'وأعلنت السلطات، الثلاثاء، المنطقة "منطقة منكوبة"، عقب'),
]


@pytest.mark.parametrize("lang,line", PROSE)
def test_prose_survives(lang: str, line: str) -> None:
    lead, tail = LEADS[lang]
    out = clean_page(page(lang, line))
    assert line in out and lead in out and tail in out


def test_prose_survives_at_the_page_edges() -> None:
    # a page cut short mid-sentence keeps its last words; a caption-like last line is prose
    cut = "The river rose again overnight and the mayor ordered the lower districts to"
    assert clean_page(f"{EN_LEAD}\n\n{cut}").endswith(cut)
    assert clean_page("Все погибли.") == "Все погибли."


def test_bullets_with_facts_stay() -> None:
    facts = "• The river peaked at 6.2 metres on Monday.\n• 40 families were moved.\n• Two died."
    out = clean_page(page("en", facts))
    for fact in ("6.2 metres", "40 families were moved", "Two died"):
        assert fact in out


@pytest.mark.parametrize(
    "title,clean",
    [
        ("انهيار مبنى في وسط المدينة “متابعات – موقع الأخبار”", "انهيار مبنى في وسط المدينة"),
        ("Dam collapse: toll rises to 40 (AFP)", "Dam collapse: toll rises to 40"),
        ('Mayor says "we will rebuild"', 'Mayor says "we will rebuild"'),
        ("date 2025-03-02 Floods close the coast road", "Floods close the coast road"),
        ("Опубликовано: 02.03.2025 Паводок закрыл дорогу", "Паводок закрыл дорогу"),
        ("2025 budget passes the lower house", "2025 budget passes the lower house"),
        ("2025-03-02", "2025-03-02"),
    ],
)
def test_titles_lose_glued_credits(title: str, clean: str) -> None:
    """Real pages glue their source to the headline; the brief's headline must not carry it."""
    assert clean_title(title) == clean


def test_sentences_glued_without_a_space_come_apart() -> None:
    page = (
        'In an address, the mayor said the dam had held. "We were lucky," he said.The water '
        "agency said two villages were flooded.Власти сообщили о двух погибших.Спасатели "
        "работают на месте."
    )
    text = clean_page(page)
    assert "he said. The water agency" in text
    assert "flooded. Власти" in text and "погибших. Спасатели" in text
