"""Entities of one input across scripts, with no story gazetteer: names NER finds in English or
Russian are found in the Arabic sentences, Russian names take the input's English forms,
spellings and case forms of one person join, outlets never become entities, countries come
from the ISO 3166-1 dataset in all three scripts. The sentences are our own."""

from __future__ import annotations

import pytest

from dragoman.brief import names
from dragoman.brief.entities import EntityFinder, Gazetteer, Mention


@pytest.fixture(scope="module")
def finder() -> EntityFinder:
    return EntityFinder(Gazetteer())


def ids(found: dict[str, list[list[Mention]]], lang: str) -> set[str]:
    return {m.entity_id for row in found[lang] for m in row}


def by_surface(found: dict[str, list[list[Mention]]], lang: str) -> dict[str, Mention]:
    return {m.surface: m for row in found[lang] for m in row}


def test_a_name_found_in_english_and_russian_is_found_in_arabic(finder: EntityFinder) -> None:
    found = finder.find(
        {
            "en": ["Governor Oleg Markov said the bridge would reopen on Friday."],
            "ru": ["Губернатор Олег Марков заявил, что мост откроют в пятницу."],
            "ar": [
                "وقال الحاكم أوليغ ماركوف إن الجسر سيفتح يوم الجمعة.",
                "وأضاف ماركوف أن الأعمال انتهت.",
            ],
        }
    )
    en, ru, ar = (by_surface(found, lang) for lang in ("en", "ru", "ar"))
    markov = en["Oleg Markov"]
    assert markov.entity_id == ru["Олег Марков"].entity_id == ar["أوليغ ماركوف"].entity_id
    assert ar["ماركوف"].entity_id == markov.entity_id  # the surname alone
    assert ar["أوليغ ماركوف"].name == "Oleg Markov"  # the English name, not a transliteration
    assert markov.type is ar["ماركوف"].type


def test_everyday_arabic_words_are_not_names_that_spell_alike(finder: EntityFinder) -> None:
    """Seen on real pages: آلاف (thousands) was found as Ilham Aliyev (a Russian page named
    him), العامة (public) as Hama, الوقت الحالي (the present time) as Crocus City Hall; in a feed
    the false name joined stories that share nothing else. The real Hama still is found."""
    found = finder.find(
        {
            "ru": ["Президент Ильхам Алиев встретился с губернатором Олегом Марковым."],
            "en": ["Aid reached Hama and the Crocus City Hall reopened, Oleg Markov said."],
            "ar": [
                "وأصيب أكثر من أربعة آلاف شخص بحسب النيابة العامة.",
                "ونزح الآلاف في الوقت الحالي وفق ماركوف.",
                "ووصلت المساعدات إلى حماة.",
            ],
        }
    )
    aliyev = by_surface(found, "ru")["Ильхам Алиев"].entity_id
    en = by_surface(found, "en")
    hama, crocus = en["Hama"].entity_id, en["the Crocus City Hall"].entity_id
    ar = [{m.entity_id for m in row} for row in found["ar"]]
    assert not {aliyev, hama, crocus} & (ar[0] | ar[1])
    assert by_surface(found, "ru")["Олегом Марковым"].entity_id in ar[1]  # names still found
    assert hama in ar[2]


def test_names_a_letter_apart_in_one_script_are_two_people(finder: EntityFinder) -> None:
    """Over a feed of thousands of articles, names one letter apart joined in a chain (Nogask ~
    Nilusk ~ Belesk ~ Sarosk ...) until one entity stood for 1,151 of 3,000 articles. A letter
    apart joins names in two scripts only, never two names of one script, not even through a
    third spelling; a surname alone joins the full name spelled alike."""
    found = finder.find(
        {
            "en": [
                "Mayor Viktor Nogask met Governor Viktor Nilusk on Monday.",
                "Nilusk said the roads were closed.",
            ],
            "ru": ["Мэр Виктор Ногаск встретился с губернатором Виктором Нилуском."],
        }
    )
    en, ru = by_surface(found, "en"), by_surface(found, "ru")
    nogask, nilusk = en["Viktor Nogask"].entity_id, en["Viktor Nilusk"].entity_id
    assert nogask != nilusk
    assert ru["Виктор Ногаск"].entity_id == nogask
    assert ru["Виктором Нилуском"].entity_id == nilusk
    assert en["Nilusk"].entity_id == nilusk


def test_one_script_variants_of_a_name_still_join(finder: EntityFinder) -> None:
    """What the rule above must not split, seen on the dev set's pages: Russian outlets write
    Ибрагим and Эбрахим Раиси (first names a letter apart), Hassan Hamad and Hamad Hassan
    (swapped), Amir-Abdollahian alone for Hossein Amirabdollahian."""
    found = finder.find(
        {
            "en": [
                "Health Minister Hassan Hamad said the toll would rise.",
                "Hamad Hassan added that hospitals were full.",
                "Foreign Minister Hossein Amirabdollahian was also on board.",
                "Hossein Amir-Abdollahian had visited Baku.",
                "Amir-Abdollahian was 60.",
            ],
            "ru": [
                "Президент Ирана Ибрагим Раиси погиб.",
                "Президент Ирана Эбрахим Раиси летел из Азербайджана.",
            ],
        }
    )
    en, ru = by_surface(found, "en"), by_surface(found, "ru")
    assert en["Hassan Hamad"].entity_id == en["Hamad Hassan"].entity_id
    assert ru["Ибрагим Раиси"].entity_id == ru["Эбрахим Раиси"].entity_id
    assert len({en[s].entity_id for s in en if "Abdollahian" in s or "abdollahian" in s}) == 1


def test_a_conjunction_before_a_word_is_no_vowel_of_a_name(finder: EntityFinder) -> None:
    """ووصف ("and described") read as Yusuf, the و taken for its u; a name that begins with a
    w (ويلسون, Wilson) and a name after the conjunction (ويوسف) are still found."""
    found = finder.find(
        {
            "en": [
                "Yusuf Moradot said the talks would go on.",
                "Governor Tom Wilson agreed.",
            ],
            "ar": [
                "ووصف المسؤول الهجوم بأنه خطير.",
                "وقال يوسف مورادوت إن المحادثات ستستمر.",
                "وأضاف ويلسون أن الطريق مغلق ويوسف مورادوت في طريقه.",
            ],
        }
    )
    en = by_surface(found, "en")
    ar = [{m.surface: m.entity_id for m in row} for row in found["ar"]]
    yusuf, wilson = en["Yusuf Moradot"].entity_id, en["Tom Wilson"].entity_id
    assert not ar[0]
    assert yusuf in ar[1].values()
    assert ar[2].get("ويلسون") == wilson and ar[2].get("ويوسف مورادوت") == yusuf


def test_russian_names_take_the_english_forms_of_the_input(finder: EntityFinder) -> None:
    found = finder.find(
        {
            "en": ["Volunteers in Beirut, Lebanon, worked alongside the Red Cross all night."],
            "ru": [
                "Добровольцы в Бейруте всю ночь помогали Красному Кресту, сообщили власти Ливана."
            ],
        }
    )
    en, ru = by_surface(found, "en"), by_surface(found, "ru")
    assert ru["Бейруте"].name == "Beirut" and ru["Бейруте"].entity_id == en["Beirut"].entity_id
    assert ru["Ливана"].name == "Lebanon" and ru["Ливана"].entity_id == en["Lebanon"].entity_id
    cross = next(m for s, m in ru.items() if s.startswith("Красн"))
    assert cross.entity_id == en["Red Cross"].entity_id


def test_national_red_cross_society_is_not_the_movement(finder: EntityFinder) -> None:
    found = finder.find(
        {
            "ru": ["Красный Крест Ливана сообщил о 100 погибших."],
            "ar": ["وأعلن الصليب الأحمر اللبناني ارتفاع عدد القتلى."],
            "en": ["The Red Cross sent teams to the port."],
        }
    )
    ids = {lang: {m.entity_id for row in found[lang] for m in row} for lang in found}
    assert ids["ru"] == ids["ar"] == {"lebanese-red-cross"}
    assert ids["en"] == {"red-cross-red-crescent"}


def test_spellings_and_case_forms_of_one_person_join(finder: EntityFinder) -> None:
    found = finder.find(
        {
            "en": [
                "Yevgeny Sorokin, the plant's director, left the city on Monday.",
                "Sorokin did not comment.",
            ],
            "ru": [
                "Директор завода Евгений Сорокин уехал из города в понедельник.",
                "С Евгением Сорокиным связаться не удалось.",
                "Пресс-служба Сорокина отказалась от комментариев.",
            ],
        }
    )
    people = {m.entity_id for lang in ("en", "ru") for row in found[lang] for m in row}
    assert len(people) == 1, people
    (person,) = people
    names_seen = {m.name for lang in ("en", "ru") for row in found[lang] for m in row}
    assert names_seen == {"Yevgeny Sorokin"}
    assert person == "x-yevgeny-sorokin"


def test_outlets_and_agencies_never_become_entities(finder: EntityFinder) -> None:
    sentence = "The Northern Courier said, citing Reuters, that the mayor of Oslo had resigned."
    # the English NER does tag both: the filters, not the model, keep them out
    tagged = {sentence[s:e] for s, e, _, _ in finder._ner([sentence], "en")[0]}
    assert "Reuters" in tagged
    found = finder.find({"en": [sentence]}, outlets=["northerncourier.com"])
    surfaces = {m.surface for row in found["en"] for m in row}
    assert not any("Reuters" in s or "Courier" in s for s in surfaces), surfaces
    assert "oslo" in ids(found, "en") or any("Oslo" in s for s in surfaces)
    ar = finder.find({"ar": ["وذكرت وكالة رويترز أن الاجتماع تأجل (أ ف ب)."]})
    assert not ids(ar, "ar")


def test_countries_come_from_the_dataset_in_all_three_scripts(finder: EntityFinder) -> None:
    found = finder.find(
        {
            "en": ["Talks between Norway and Belarus resumed."],
            "ru": ["Переговоры Норвегии и Беларуси возобновились."],
            "ar": ["واستؤنفت المحادثات بين النرويج وروسيا البيضاء."],
        }
    )
    for lang in ("en", "ru", "ar"):
        assert {"norway", "belarus"} <= ids(found, lang), (lang, found[lang])
    # a country the built-in list already has keeps its id
    assert Gazetteer().lookup("Сирия", "ru") == "syria"
    # dataset forms match case-sensitively: "того" (of that) is not Togo
    assert not finder.mentions(["После того как мост закрыли, движение встало."], "ru")[0]


def test_a_name_seen_only_in_arabic_is_an_entity(finder: EntityFinder) -> None:
    found = finder.find({"ar": ["وقال سليمان قرطاي إن فرق الإنقاذ وصلت إلى المدينة."]})
    (m,) = [m for row in found["ar"] for m in row]
    assert m.surface == "سليمان قرطاي" and m.entity_id.startswith("x-")


def test_name_skeletons_and_arabic_spellings() -> None:
    assert names.latin_skeleton("Yevgeny") == names.latin_skeleton("Evgeny")
    assert names.latin_skeleton("Hassan") == names.latin_skeleton("Khasan")
    assert names.latin_skeleton("George") == names.latin_skeleton("Dzhordzh")
    assert names.skeletons_match(names.latin_skeleton("Kettaneh"), names.latin_skeleton("Kettani"))
    folded = names.fold_ar("بريغوجين")
    assert names.arabic_skeleton(folded)[0] in names.latin_arabic_keys("Prigozhin")
    russia = names.latin_arabic_regex("Russia")
    assert russia.fullmatch(names.fold_ar("روسيا"))
    assert not russia.fullmatch(names.fold_ar("رئاسة"))  # "presidency" is not Russia
    assert ("وال", "كرملين") in names.arabic_stems(names.fold_ar("والكرملين"))


def test_news_agencies_quoted_in_prose_are_no_entities(finder: EntityFinder) -> None:
    found = finder.find(
        {
            "ru": ["По данным иранского агентства Tasnim, вертолёт упал в горах."],
            "en": ["Mehr News Agency said rescuers reached the site, Al-Mayadeen reported."],
            "ar": ["وذكرت وكالة بيلتا أن المحادثات استمرت طوال اليوم في الشرق الأوسط."],
        }
    )
    names = {m.name for lang in found for row in found[lang] for m in row}
    assert not names & {"Tasnim", "Tasnim News Agency", "Mehr News Agency", "Al Mayadeen", "BelTA"}
