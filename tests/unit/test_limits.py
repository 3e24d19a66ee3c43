"""Cost limits: the budget checked before any work, stopping between small steps, and stages
whose work grows linearly with their input (counted, never timed)."""

from __future__ import annotations

import itertools
import random
import threading
import time
import tracemalloc

import numpy as np
import pytest

from dragoman.backends.extractive import LexRankExtractive
from dragoman.brief import claims
from dragoman.brief.claims import Sent
from dragoman.brief.entities import EntityFinder, Gazetteer, _Span
from dragoman.brief.figures import BOUNDS, FoundFigure, clashing, compatible, find_figures
from dragoman.brief.ingest import Doc, fold_near_duplicates
from dragoman.brief.spans import Spans, Taken
from dragoman.brief.types import EntityType
from dragoman.budget import BriefBudget, TextBudget, sentence_estimate
from dragoman.cancel import Abandoned, Stop, checker
from dragoman.domain import Article
from dragoman.errors import DeadlineExceeded, InputTooLarge
from dragoman.text import cap_sentences, split_sentences


class After:
    """A check that stops the work after `n` calls."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
        if self.calls > self.n:
            raise Abandoned


def _sentences(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    people = ["Peskov", "Kerry", "Lavrov", "Haddad", "Nasser", "Orlov", "Ward", "Berg"]
    places = ["Aleppo", "Homs", "Idlib", "Hama", "Raqqa", "Geneva", "Moscow", "Beirut"]
    return [
        f"{rng.choice(people)} said {rng.randint(2, 900)} people were killed in "
        f"{rng.choice(places)} on {rng.choice(['Monday', 'Friday'])}, and {rng.randint(2, 90)} "
        f"trucks of {rng.choice(['food', 'medicine', 'fuel'])} reached {rng.choice(places)}."
        for _ in range(n)
    ]


# -- the budget ----------------------------------------------------------------------------------
def test_sentence_estimate_counts_like_the_splitter() -> None:
    text = "\n\n".join(" ".join(_sentences(4, seed)) for seed in range(30))
    assert sentence_estimate(text) == len(split_sentences(text, "en")) == 120
    assert sentence_estimate("") == 0
    assert sentence_estimate("No full stop") == 1
    assert sentence_estimate("Heading\n\nBody one. Body two.") == 3
    assert sentence_estimate("«Всё просто», — сказал он. Он ушёл!") == 2


def test_a_brief_over_the_budget_says_how_to_split_it() -> None:
    budget = BriefBudget(max_chars=100_000, max_sentences=100)
    texts = [" ".join(_sentences(40, seed)) for seed in range(3)]
    cost = BriefBudget(10**9, 10**9).check(texts)
    assert (cost.texts, cost.sentences) == (3, 120)
    with pytest.raises(InputTooLarge) as err:
        budget.check(texts)
    msg = str(err.value)
    assert f"this Brief has 120 sentences in {cost.chars:,} characters (3 articles)" in msg
    assert "the budget is 100 sentences and 100,000 characters per Brief" in msg
    assert "split the articles into briefs of at most 2 articles" in msg
    # characters count too
    with pytest.raises(InputTooLarge, match="at most 1 articles"):
        BriefBudget(max_chars=cost.chars // 2, max_sentences=10**6).check(texts)
    # one article alone over the budget
    with pytest.raises(InputTooLarge, match=r"articles\[1\] alone has 120 sentences"):
        budget.check(["Short.", " ".join(_sentences(120))])
    assert budget.check(texts[:2]).sentences == 80


def test_a_summarize_text_over_the_budget() -> None:
    TextBudget(30).check(30, 3000)
    with pytest.raises(InputTooLarge, match="text has 31 sentences in 3,100 characters"):
        TextBudget(30).check(31, 3100)


# -- stopping ------------------------------------------------------------------------------------
def test_stop_raises_once_set_or_past_its_deadline() -> None:
    stop = Stop()
    stop()
    stop.set()
    with pytest.raises(Abandoned):
        stop()
    with pytest.raises(DeadlineExceeded, match="deadline passed while the brief"):
        Stop(time.monotonic() - 1, "the brief")()
    Stop(time.monotonic() + 60)()
    event = threading.Event()
    check = checker(event)
    check()
    event.set()
    with pytest.raises(Abandoned):
        check()


def test_lexrank_stops_between_blocks_and_ranks_in_linear_work() -> None:
    lex = LexRankExtractive(block=64)
    sentences = _sentences(640)
    with pytest.raises(Abandoned):
        lex.select(sentences, 3, "en", After(3))
    work = []
    for n in (160, 320, 640):
        lex.ranked = 0
        picked = lex.select(sentences[:n], 3, "en")
        assert len(picked) == 3
        work.append(lex.ranked)
    # sentences put into graphs (each graph at most 64): linear, not quadratic
    assert work[1] <= 2.2 * work[0] and work[2] <= 2.2 * work[1]


def test_lexrank_within_one_block_is_unchanged() -> None:
    sentences = _sentences(50)
    small, large = LexRankExtractive(block=8), LexRankExtractive()
    assert large.select(sentences, 3, "en") == LexRankExtractive(block=50).select(
        sentences, 3, "en"
    )
    assert len(small.select(sentences, 3, "en")) == 3


def _clustered(n: int, seed: int = 0) -> tuple[list[Sent], np.ndarray]:
    """n sentences of 4 articles in 2 languages: claims of 4 near-identical vectors each."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n // 4 + 1, 64))
    sents, rows = [], []
    for i in range(n):
        doc, claim = i % 4, i // 4
        sents.append(Sent(doc, i // 4, f"s{i}", "en" if doc % 2 else "ru", (), frozenset()))
        rows.append(centres[claim] + rng.normal(scale=0.05, size=64))
    vectors = np.asarray(rows, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return sents, vectors


def test_claims_are_blocked_and_grow_linearly(monkeypatch: pytest.MonkeyPatch) -> None:
    sents, vectors = _clustered(200)
    whole = claims.cluster(sents, vectors)
    monkeypatch.setattr(claims, "BLOCK_CELLS", 250)  # blocks of 2 rows: the same groups
    assert claims.cluster(sents, vectors) == whole
    with pytest.raises(Abandoned):
        claims.cluster(sents, vectors, After(5))

    scored = []
    original = claims._Scorer.normalised

    def counting(self: claims._Scorer, i: int, j: int) -> float | None:
        scored[-1] += 1
        return original(self, i, j)

    monkeypatch.setattr(claims._Scorer, "normalised", counting)
    for n in (200, 400, 800):
        scored.append(0)
        claims.cluster(*_clustered(n))
    # pair scores computed: linear in the sentences (an all-pairs scorer would be 4x per step)
    assert scored[1] <= 2.3 * scored[0] and scored[2] <= 2.3 * scored[1]


def test_claims_memory_stays_flat_whatever_the_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claims, "BLOCK_CELLS", 200_000)
    peaks = []
    for n in (500, 2000):
        sents, vectors = _clustered(n)
        tracemalloc.start()
        claims.cluster(sents, vectors)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # an n x n float32 matrix of 2,000 sentences alone is 16 MB
    assert peaks[1] < 8 * 1024 * 1024
    assert peaks[1] < 6 * peaks[0]


def test_entity_names_are_compared_within_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    finder = EntityFinder(Gazetteer())
    rng = random.Random(0)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70

    def name() -> str:  # two words of four syllables: few names share a word by chance
        return " ".join("".join(rng.choice(syllables) for _ in range(4)).title() for _ in range(2))

    def spans(n: int) -> dict[str, list[list[_Span]]]:
        rows = [[_Span("en", i, 0, 5, "x", EntityType.PERSON, "", name())] for i in range(n)]
        return {"en": rows}

    calls = [0]
    same = EntityFinder._same

    def counting(a: object, b: object) -> bool:
        calls[0] += 1
        return same(a, b)  # type: ignore[arg-type]

    monkeypatch.setattr(EntityFinder, "_same", staticmethod(counting))
    work = []
    for n in (300, 600, 1200):
        calls[0] = 0
        records = finder._records(spans(n), finder.gazetteer)
        groups = finder._cluster(records)
        assert sum(len(g) for g in groups) == len(records)
        work.append(calls[0])
    # only names sharing a word's skeleton (or one a letter from it) are compared: a few in a
    # hundred of the 45k, 180k, 720k pairs
    for n, done in zip((300, 600, 1200), work, strict=True):
        assert done <= 0.05 * n * (n - 1) / 2
    with pytest.raises(Abandoned):
        finder._cluster(finder._records(spans(300), finder.gazetteer), After(2))


def test_near_duplicate_folding_stops_between_articles() -> None:
    docs = [
        Doc(Article(f"a{i}", t), [f"a{i}"], t, "en", 1.0, f"k{i}")
        for i, t in enumerate(" ".join(_sentences(20, seed)) for seed in range(6))
    ]
    assert len(fold_near_duplicates(docs)) == 6
    with pytest.raises(Abandoned):
        fold_near_duplicates(docs, After(2))


# -- exactness of the faster forms ---------------------------------------------------------------
def test_clashing_figures_are_the_pairwise_conflicts() -> None:
    rng = random.Random(0)
    values = [0.0, 1.0, 5.0, 9.0, 10.0, 11.0, 90.0, 100.0, 110.0]
    for _ in range(2000):
        items = [
            (rng.choice("abc"), FoundFigure(rng.choice(values), "", "killed", rng.choice(BOUNDS)))
            for _ in range(rng.randint(0, 8))
        ]
        pairwise = set()
        for x, y in itertools.combinations(range(len(items)), 2):
            if items[x][0] != items[y][0] and not compatible(items[x][1], items[y][1]):
                pairwise |= {x, y}
        assert clashing(items) == pairwise


def test_span_overlaps_are_the_pairwise_overlaps() -> None:
    rng = random.Random(1)
    for _ in range(500):
        spans = [(s, s + rng.randint(0, 6)) for s in (rng.randint(0, 40) for _ in range(8))]
        fixed = Spans(spans)
        taken, kept = Taken(), []
        for s, e in spans:
            free = not any(s < b and a < e for a, b in kept)
            if free:
                kept.append((s, e))
            assert taken.take(s, e) == free
        for _ in range(20):
            a = rng.randint(0, 45)
            b = a + rng.randint(0, 8)
            assert fixed.overlaps(a, b) == any(s < b and a < e for s, e in spans)


def test_run_on_sentences_are_capped_and_read_in_linear_time() -> None:
    run_on = ", ".join(s.rstrip(".") for s in _sentences(400))  # one 40,000-character sentence
    pieces = cap_sentences([run_on], 2000)
    assert all(len(p) <= 2000 for p in pieces) and " ".join(pieces) == run_on
    assert cap_sentences(["short one", ""], 2000) == ["short one"]
    # the figures of a long sentence: those of its numbers, none lost to the window
    figures = find_figures(run_on, "en")
    assert len(figures) >= 400
