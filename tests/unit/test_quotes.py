"""Quotes: speaker = subject of the speech verb in the quote's own sentence, spokesmen speak for
themselves, quotation marks pair within a sentence, Arabic attribution through the entities of
the whole input. Own sentences, modelled on patterns seen on real pages of the dev set."""

from __future__ import annotations

import pytest

from dragoman.brief.entities import EntityFinder, Gazetteer
from dragoman.brief.quotes import FoundQuote, find_quotes, quote_spans
from dragoman.brief.types import QuoteKind


@pytest.fixture(scope="module")
def finder() -> EntityFinder:
    return EntityFinder(Gazetteer())


def _quotes(finder: EntityFinder, sentences: list[str], lang: str) -> list[FoundQuote]:
    return find_quotes(sentences, finder.mentions(sentences, lang), lang)


def _who(q: FoundQuote) -> str:
    return q.speaker.name if q.speaker is not None else ""


@pytest.mark.parametrize(
    "sentence,spans",
    [
        (
            'He called it "a crime". Later "we will rebuild every street," she said.',
            ["a crime", "we will rebuild every street,"],
        ),
        (
            "«Мы сделаем всё, что нужно», — сказал он, назвав ЧВК «Вагнер» угрозой.",
            ["Мы сделаем всё, что нужно", "Вагнер"],
        ),
        ("„Надежды мало“, — сказал он.", ["Надежды мало"]),
        ('An opening mark with no partner: "we will never return.', []),
        ("«Внешняя «Вагнер» группа», — сказал он.", ["Внешняя «Вагнер» группа"]),
    ],
)
def test_quotation_marks_pair_within_the_sentence(sentence: str, spans: list[str]) -> None:
    assert [sentence[s:e] for s, e in quote_spans(sentence)] == spans


def test_text_between_two_unrelated_quotations_is_never_a_quote(finder: EntityFinder) -> None:
    sentences = [
        'The mayor called the blast "a catastrophe" and the minister promised a "full '
        'investigation" of the port authority by the end of the week.'
    ]
    quotes = _quotes(finder, sentences, "en")
    assert all("and the minister promised" not in q.text for q in quotes)
    assert not any(q.kind is QuoteKind.DIRECT for q in quotes)


def test_spokesman_words_are_the_spokesmans(finder: EntityFinder) -> None:
    named = [
        "The spokesman for President Vladimir Putin, Dmitry Peskov, said the criminal case "
        "against the fighters would be dropped."
    ]
    assert [_who(q) for q in _quotes(finder, named, "en")] == ["Dmitry Peskov"]
    unnamed = [
        "A spokesman for President Vladimir Putin said the deal had been agreed late on "
        "Saturday evening."
    ]
    assert all(_who(q) != "Vladimir Putin" for q in _quotes(finder, unnamed, "en"))


def test_pronoun_takes_the_last_named_speaker(finder: EntityFinder) -> None:
    sentences = [
        "Kremlin spokesman Dmitry Peskov said the talks with Kyiv had stalled for now.",
        '"We see no basis for new negotiations at this stage," he told reporters.',
    ]
    quotes = _quotes(finder, sentences, "en")
    direct = [q for q in quotes if q.kind is QuoteKind.DIRECT]
    assert [(q.text, _who(q)) for q in direct] == [
        ("We see no basis for new negotiations at this stage", "Dmitry Peskov")
    ]


def test_each_sentence_credits_its_own_speaker(finder: EntityFinder) -> None:
    """An official's words are not the words of the person quoted just before."""
    sentences = [
        'Governor Marwan Abboud wrote on Twitter: "Beirut is a devastated city."',
        "Health Minister Hamad Hassan said hospitals were overwhelmed and "
        '"we need field hospitals now."',
    ]
    quotes = _quotes(finder, sentences, "en")
    by_text = {q.text: _who(q) for q in quotes if q.kind is QuoteKind.DIRECT}
    assert by_text == {
        "Beirut is a devastated city.": "Marwan Abboud",
        "we need field hospitals now.": "Hamad Hassan",
    }


def test_russian_dash_attribution_and_po_slovam(finder: EntityFinder) -> None:
    direct = [
        "«Мы не видим оснований для переговоров на этом этапе», — сказал пресс-секретарь "
        "президента Дмитрий Песков."
    ]
    (q,) = _quotes(finder, direct, "ru")
    assert q.kind is QuoteKind.DIRECT and q.text.startswith("Мы не видим")
    assert "Peskov" in _who(q)
    reported = [
        "По словам губернатора Бейрута Марвана Аббуда, без крова остались 300 тысяч человек."
    ]
    (r,) = _quotes(finder, reported, "ru")
    assert r.kind is QuoteKind.REPORTED and "Abbud" in _who(r)


def test_unnamed_subject_gets_no_speaker(finder: EntityFinder) -> None:
    sentences = [
        "Peskov met reporters in Moscow on Sunday.",
        "A senior official said the border crossings would reopen on Monday morning.",
    ]
    quotes = _quotes(finder, sentences, "en")
    assert all(_who(q) != "Peskov" for q in quotes if "border" in q.text)


def test_arabic_speaker_through_names_of_other_languages(finder: EntityFinder) -> None:
    ar = ["وقال مروان عبود إن نحو 300 ألف شخص أصبحوا بلا مأوى بعد الانفجار في المرفأ."]
    mentions = finder.find({"en": ["Marwan Abboud said the port was destroyed."], "ar": ar})
    (q,) = find_quotes(ar, mentions["ar"], "ar")
    assert q.kind is QuoteKind.REPORTED and _who(q) == "Marwan Abboud"


def test_pronoun_names_the_subject_of_its_own_sentence(finder: EntityFinder) -> None:
    sentences = [
        'Volker Türk said at a news conference: "The attacks must stop everywhere now."',
        "Jacinda Ardern linked what she called “a cowardly act of terror” to the gunmen.",
        'The attackers, she said, had "planned every step of it for many months in advance."',
    ]
    quotes = _quotes(finder, sentences, "en")
    by_text = {q.text: _who(q) for q in quotes if q.kind is QuoteKind.DIRECT}
    assert by_text["a cowardly act of terror"] == "Jacinda Ardern"
    assert by_text["planned every step of it for many months in advance."] == "Jacinda Ardern"


def test_quotation_standing_alone_keeps_the_speaker_before_it(finder: EntityFinder) -> None:
    sentences = [
        '"We share your grief," Jacinda Ardern said in an address to the nation.',
        '"The whole country stands with the families tonight."',
        "The group claimed the attack, but Ardern said nothing about it.",
    ]
    quotes = _quotes(finder, sentences, "en")
    alone = next(q for q in quotes if q.text.startswith("The whole country"))
    assert _who(alone) == "Jacinda Ardern"


def test_russian_title_after_the_verb_is_the_last_speaker(finder: EntityFinder) -> None:
    sentences = [
        "Агентство со ссылкой на президента Турции Реджепа Тайипа Эрдогана сообщило о "
        "900 погибших.",
        "«Это самое крупное бедствие в истории страны с 1939 года», — сказал турецкий лидер.",
    ]
    quotes = _quotes(finder, sentences, "ru")
    direct = [q for q in quotes if q.kind is QuoteKind.DIRECT]
    assert len(direct) == 1 and "Erdogan" in _who(direct[0])


def _ar_quotes(finder: EntityFinder, en: list[str], ar: list[str]) -> list[FoundQuote]:
    mentions = finder.find({"en": en, "ar": ar})
    return find_quotes(ar, mentions["ar"], "ar")


def test_arabic_verb_without_subject_continues_the_last_speaker(finder: EntityFinder) -> None:
    en = ["Marwan Abboud said the damage was huge."]
    ar = [
        "وقال مروان عبود إن الأضرار كبيرة جدا في المدينة.",
        "وأضاف «نعمل على إغاثة الأهالي عبر تأمين المأكل والمسكن لهم».",
        "ونقلت قناة محلية عنه القول «ما بين مئتي ألف ومئتين وخمسين ألف شخص باتوا بلا مسكن».",
    ]
    quotes = _ar_quotes(finder, en, ar)
    direct = [q for q in quotes if q.kind is QuoteKind.DIRECT]
    assert len(direct) == 2 and all(_who(q) == "Marwan Abboud" for q in direct)


def test_arabic_name_after_the_verb_that_is_not_its_subject(finder: EntityFinder) -> None:
    en = ["Vladimir Putin was told of the arrests.", "Ebrahim Raisi died in the crash."]
    ar = [
        "وأعلن التلفزيون الرسمي الإيراني وفاة إبراهيم رئيسي في تحطم طائرة هليكوبتر في الجبال.",
        "وأفاد بيان بأن مدير جهاز الأمن أبلغ الرئيس فلاديمير بوتين «بتوقيف أحد عشر شخصا بينهم "
        "المهاجمون الأربعة».",
    ]
    quotes = _ar_quotes(finder, en, ar)
    assert all(_who(q) not in ("Ebrahim Raisi", "Vladimir Putin") for q in quotes)


def test_an_office_speaks_as_itself_linked_to_its_principal(finder: EntityFinder) -> None:
    """ "The press service of President X announced": the press service speaks (not X, not
    nobody), linked to X's entity; a later subject-less verb continues it."""
    en = ["Alexander Lukashenko spoke to the Wagner chief on Saturday."]
    ar = [
        "وأعلنت الخدمة الصحافية للرئيس البيلاروسي ألكسندر لوكاشينكو، أن «المحادثات استمرت طوال "
        "اليوم وانتهت باتفاق».",
        "وأشارت إلى أن «الاتفاق يشمل ضمانات أمنية للمقاتلين».",
    ]
    quotes = _ar_quotes(finder, en, ar)
    direct = [q for q in quotes if q.kind is QuoteKind.DIRECT]
    assert [_who(q) for q in direct] == ["Alexander Lukashenko press service"] * 2
    lukashenko = finder.find({"en": en})["en"][0][0].entity_id
    assert all(q.speaker is not None and q.speaker.entity_id == lukashenko for q in direct)
    ru = ["Пресс-служба Лукашенко сообщила, что переговоры с Пригожиным шли весь день."]
    (q,) = _quotes(finder, ru, "ru")
    assert _who(q).endswith("press service") and "Lukashenko" in _who(q)
    en_office = ["Lukashenko's press service said the talks had lasted the whole day."]
    (q,) = _quotes(finder, en_office, "en")
    assert _who(q).endswith("press service") and "Lukashenko" in _who(q)


def test_a_name_inside_the_reported_words_is_not_a_new_speaker(finder: EntityFinder) -> None:
    """ "The FSB said that its director X informed the president ...": the FSB's words."""
    ar = [
        "وقالت هيئة الأمن الفيدرالية الروسية إن مديرها ألكسندر بورتنيكوف أبلغ الرئيس فلاديمير "
        "بوتين باعتقال أحد عشر شخصا بينهم أربعة مهاجمين."
    ]
    en = ["Alexander Bortnikov briefed Vladimir Putin."]
    quotes = _ar_quotes(finder, en, ar)
    assert quotes and all(_who(q) == "Federal Security Service" for q in quotes)
    described = ["Russia's FSB security service said the gunmen were captured near the border."]
    (q,) = _quotes(finder, described, "en")
    assert _who(q) == "Federal Security Service"


def test_a_surname_ner_missed_is_the_person_it_found_elsewhere(finder: EntityFinder) -> None:
    """NER misses "аятолла Али Хаменеи" in one sentence and finds "Хаменеи" in the next: the
    speaker of "Об этом заявил ..." is that person."""
    ru = [
        "В стране объявлен пятидневный траур в связи с гибелью президента.",
        "Об этом заявил руководитель и духовный лидер страны аятолла Али Хаменеи.",
        "Хаменеи также выразил соболезнования семьям погибших.",
    ]
    quotes = _quotes(finder, ru, "ru")
    assert any(q.sentence_index == 0 and _who(q) == "Khamenei" for q in quotes)


def test_a_speech_verb_is_never_taken_for_an_agency_name(finder: EntityFinder) -> None:
    """ "وأفاد" (and reported) is a verb, not AFAD; the Kremlin frames the quotation."""
    ar = [
        'وأفاد الكرملين في بيان، بأن مدير جهاز الأمن الفدرالي "إف إس بي" أبلغ الرئيس فلاديمير '
        'بوتين، "بتوقيف 11 شخصا، بينهم الإرهابيون الأربعة الضالعون مباشرة في الهجوم".'
    ]
    mentions = finder.mentions(ar, "ar")
    assert "AFAD" not in {m.name for m in mentions[0]}
    direct = [q for q in find_quotes(ar, mentions, "ar") if q.kind is QuoteKind.DIRECT]
    assert direct and all(_who(q) == "Kremlin" for q in direct)


def test_a_plain_noun_after_the_verb_names_the_organisation_just_introduced(
    finder: EntityFinder,
) -> None:
    """«...», — сообщили спасатели, after «Спасательная организация "Белые каски"»: theirs."""
    ru = [
        'Спасательная организация "Белые каски" назвала ситуацию в пострадавших районах '
        "катастрофической.",
        "Она также призвала международное сообщество помочь пострадавшим районам.",
        '"Только после рассвета стали ясны масштабы трагедии. Мы работаем без перерыва", '
        "– сообщили спасатели.",
    ]
    quotes = _quotes(finder, ru, "ru")
    direct = [q for q in quotes if q.kind is QuoteKind.DIRECT]
    assert [_who(q) for q in direct] == ["White Helmets"]


def test_words_after_a_conjunction_and_an_unnamed_subject_are_not_the_first_speakers(
    finder: EntityFinder,
) -> None:
    """ "X has vowed to punish ..., after authorities said ...": X's words stop there."""
    en = [
        "Russian President Vladimir Putin has vowed to punish those behind the attack on the "
        "concert hall, after authorities said the four main suspects were caught near the border."
    ]
    quotes = _quotes(finder, en, "en")
    assert quotes and all(_who(q) == "Vladimir Putin" for q in quotes)
    assert all("suspects were caught" not in q.text for q in quotes)
