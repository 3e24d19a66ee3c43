"""Sentence splitting with offsets and chunk packing: nothing lost, limits kept, paragraphs kept."""

from __future__ import annotations

import pytest

from dragoman.errors import InputTooLarge, InvalidInput
from dragoman.text import check_texts, plan_chunks, split_sentences


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(
    "lang,text",
    [
        (
            "en",
            'Mr. Peskov said the U.N. convoy was hit. "It is simple." Next one.\n\nA second '
            "paragraph, with clauses; and more words here. Short.",
        ),
        ("ru", "С. В. Лавров, т.ч. и США, ответил. Песков заявил: «Всё просто».\n\nВторой абзац."),
        ("ar", "قال بيسكوف إن الهدنة انتهت. هل ستستأنف؟ لا أحد يعرف، قال المسؤول.\n\nفقرة ثانية."),
    ],
)
@pytest.mark.parametrize("limit", [3, 6, 50])
def test_chunks_fit_keep_every_word_and_paragraphs(lang: str, text: str, limit: int) -> None:
    layout = plan_chunks(text, lang, words, limit)
    assert all(words(c) <= limit for c in layout.chunks)
    joined = layout.join(list(layout.chunks))
    assert joined.split() == text.split()
    assert joined.count("\n\n") == text.count("\n\n")


def test_one_huge_word_is_cut_not_dropped() -> None:
    text = "x" * 1000
    layout = plan_chunks(text, "en", lambda t: len(t) // 10 + 1, 20)
    # cut pieces are translated separately and rejoined with spaces: no character is lost
    assert "".join(layout.join(list(layout.chunks)).split()) == text
    assert all(len(c) // 10 + 1 <= 20 for c in layout.chunks)


def test_sentence_offsets_point_into_the_text() -> None:
    text = "  First one here. Second one!\n\nThird."
    spans = split_sentences(text, "en")
    assert [s.text for s in spans] == ["First one here.", "Second one!", "Third."]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_check_texts_messages() -> None:
    with pytest.raises(InvalidInput, match=r"texts\[1\] is empty"):
        check_texts(["a", ""], "texts", 10, 100, 1000)
    with pytest.raises(InvalidInput, match="U\\+FFFD"):
        check_texts(["bad \ufffd here"], "texts", 10, 100, 1000)
    with pytest.raises(InputTooLarge):
        check_texts(["a" * 60, "a" * 60], "texts", 10, 100, 100)
    check_texts(["tabs\tand\nnewlines\r\nare fine"], "texts", 10, 100, 1000)
