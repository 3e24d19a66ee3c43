"""The brief with the embedded default (no downloaded weights): content, consistency, bad input."""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from dragoman.brief import types as bt
from dragoman.client import local_brief_json
from dragoman.config import Settings
from dragoman.domain import Article
from dragoman.engine import Engine
from dragoman.errors import InvalidInput
from tests.conftest import FIXTURES, ceasefire_gazetteer, load_articles

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def engine(empty_models: Settings) -> AsyncIterator[Engine]:
    e = Engine(empty_models)
    e.load()
    yield e
    await e.close()


async def brief(
    engine: Engine, articles: list[Article], target: str = "en", points: int = 8
) -> bt.Brief:
    # the fixtures are of the 2016 ceasefire: its story gazetteer is passed, as a caller would
    return await engine.brief(bt.BriefJob(tuple(articles), target, points, ceasefire_gazetteer()))


async def test_brief_content_on_the_examples(
    engine: Engine, example_articles: list[Article]
) -> None:
    b = await brief(engine, example_articles, points=20)
    assert b.single_story and b.headline and b.summary and b.language == "en"
    # ranked by languages covered first: the language with most articles does not win
    assert [len(k.languages) for k in b.key_points] == sorted(
        (len(k.languages) for k in b.key_points), reverse=True
    )
    assert not re.search("[\u0400-\u04ff\u0600-\u06ff]", b.summary)  # all in English
    # claims shared by all three sides, and claims only some report
    coverages = {k.coverage for k in b.key_points}
    assert bt.Coverage.ALL_LANGUAGES in coverages
    top = b.key_points[0]
    assert top.article_count >= 4 and set(top.languages) == {"ar", "en", "ru"}
    # no model installed: a claim with no English support stays in its language, marked
    for k in b.key_points:
        assert (k.language == "en") == (k.rendering == "original")
        assert k.rendering in ("original", "untranslated")
    assert any(k.rendering == "untranslated" for k in b.key_points)
    assert any("untranslated" in n for n in b.notes)
    # one canonical entity across languages and case forms
    peskov = next(e for e in b.entities if e.id == "dmitry-peskov")
    forms = {f.language: set(f.forms) for f in peskov.surface_forms}
    assert {"Песков", "Дмитрий Песков"} <= forms["ru"] and "بيسكوف" in forms["ar"]
    assert "Peskov" in forms["en"] and peskov.type is bt.EntityType.PERSON
    assert any(e.type is bt.EntityType.ARMED_GROUP and e.id == "al-nusra-front" for e in b.entities)
    # conflicting casualty figures are flagged, with each source
    conflict = next(c for c in b.figure_conflicts if c.counted == "soldiers killed")
    assert {f.value for f in conflict.figures} == {62.0, 80.0}
    assert len({f.article_id for f in conflict.figures}) >= 4
    # quotes: attributed, original language kept, untranslated without a model
    peskov_quotes = [
        q
        for q in b.quotes
        if q.speaker_entity_id == "dmitry-peskov" and q.kind is bt.QuoteKind.DIRECT
    ]
    assert {q.language for q in peskov_quotes} == {"ar", "en", "ru"}
    assert all(q.translation == "" for q in b.quotes)
    # dates: the year comes from the publication date; relative ones are resolved against it
    # and keep their text and how they were resolved
    assert any(d.iso_date == "2016-09-12" and not d.relative for d in b.dates)
    monday = [d for d in b.dates if d.text.lower() == "on monday"]
    assert monday and all(d.relative and d.iso_date == "2016-09-19" for d in monday)
    assert all("Monday before publication date Tue 2016-09-20" in d.resolution for d in monday)
    # a dated timeline, oldest first, and when each key point was first reported
    assert b.timeline and [e.date for e in b.timeline] == sorted(e.date for e in b.timeline)
    assert all(k.first_reported.startswith("2016-09-2") for k in b.key_points)
    # sources: every article, detected language, what each fed
    assert len(b.sources) == 6
    moscow = next(s for s in b.sources if s.article_id == "en-moscow-desk-0920")
    assert moscow.language == "en" and moscow.language_confidence > 0.5  # detected
    assert "key_points" in moscow.fed and moscow.published == "2016-09-20T11:02:00Z"
    # provenance
    assert b.pipeline_version and any(m.task == "embed" for m in b.models)


async def test_furniture_never_reaches_the_brief(
    engine: Engine, example_articles: list[Article]
) -> None:
    text = local_brief_json(await brief(engine, example_articles))
    for furniture in (
        "Listen Live",
        "Get short URL",
        "Comment via",
        "cookies",
        "Tags:",
        "Слушать в эфире",
        "Читайте также",
        "Комментарии",
        "استمع للبث",
        "اقرأ أيضا",
        "Who Sabotaged",
        "لافروف وكيري يبحثان",
    ):
        assert furniture not in text, furniture


async def test_identical_input_gives_byte_identical_brief_across_restarts(
    engine: Engine, empty_models: Settings, example_articles: list[Article]
) -> None:
    first = local_brief_json(await brief(engine, example_articles))
    assert local_brief_json(await brief(engine, example_articles)) == first
    fresh = Engine(empty_models)  # a "restart": new models, new caches
    fresh.load()
    assert local_brief_json(await brief(fresh, example_articles)) == first
    await fresh.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_shuffled_input_gives_the_same_brief(
    engine: Engine, seed: int, example_articles: list[Article]
) -> None:
    shuffled = list(example_articles)
    random.Random(seed).shuffle(shuffled)
    assert shuffled != example_articles
    assert local_brief_json(await brief(engine, shuffled)) == local_brief_json(
        await brief(engine, example_articles)
    )


async def test_three_language_versions_agree(engine: Engine) -> None:
    parallel = load_articles(FIXTURES / "parallel")
    alone = [await brief(engine, [a]) for a in parallel]
    ids = [{e.id for e in b.entities} for b in alone]
    core = {
        "dmitry-peskov",
        "kremlin",
        "syria",
        "syrian-army",
        "deir-ez-zor",
        "aleppo",
        "united-nations",
        "al-nusra-front",
        "washington",
        "us-led-coalition",
    }
    for found in ids:
        assert core <= found, core - found
    together = await brief(engine, parallel)
    # each of the five claims is found in all three languages
    assert len(together.key_points) == 5
    for k in together.key_points:
        assert set(k.languages) == {"ar", "en", "ru"}, k.text
        assert k.coverage is bt.Coverage.ALL_LANGUAGES and k.language == "en"
    # the Russian target picks the Russian sentences
    ru = await brief(engine, parallel, "ru")
    assert all(k.language == "ru" and k.rendering == "original" for k in ru.key_points)
    assert ru.headline == "В Кремле почти не видят надежды на перемирие в Сирии"


async def test_headline_is_a_target_language_title_when_one_is_in_the_input(
    engine: Engine,
) -> None:
    # Real pages: an English brief's headline was a Russian or Arabic sentence although an
    # English article with a title was in the input. Here two Russian and one Arabic article
    # carry the claims; the one English article is short but titled.
    parallel = load_articles(FIXTURES / "parallel")
    en = next(a for a in parallel if a.language == "en")
    short_en = dataclasses.replace(
        en, text="Diplomats in Geneva said more talks on the region were planned for next month."
    )
    others = [a for a in parallel if a.language != "en"]
    b = await brief(engine, [*others, short_en])
    top = {s.article_id for s in b.key_points[0].support}
    assert short_en.id not in top  # the English article does not carry the top claim...
    assert b.headline == en.title  # ...and its title is still the English brief's headline
    # without an English article the headline is not a foreign title
    b = await brief(engine, others)
    assert b.headline not in {a.title for a in others}


async def test_unrelated_articles_are_not_linked(engine: Engine) -> None:
    b = await brief(engine, load_articles(FIXTURES / "unrelated"))
    assert not b.single_story
    assert all(k.article_count == 1 for k in b.key_points)
    assert any("do not appear to cover one story" in n for n in b.notes)


async def test_duplicates_count_once_and_keep_both_ids(
    engine: Engine, example_articles: list[Article]
) -> None:
    dup = dataclasses.replace(example_articles[0], id="zz-copy")
    b = await brief(engine, [*example_articles, dup])
    source = next(s for s in b.sources if s.article_id == example_articles[0].id)
    assert source.duplicate_ids == ("zz-copy",)
    assert len(b.sources) == len(example_articles)
    assert max(k.article_count for k in b.key_points) <= len(example_articles)


async def test_unsupported_language_is_listed_not_analysed(
    engine: Engine, example_articles: list[Article]
) -> None:
    fr = Article(
        id="fr-1",
        text="Le porte-parole du Kremlin a déclaré mardi que l'espoir de "
        "voir reprendre la trêve en Syrie était très faible.",
    )
    b = await brief(engine, [*example_articles, fr])
    source = next(s for s in b.sources if s.article_id == "fr-1")
    assert source.language == "fr" and source.fed == ()
    assert any("fr-1 is in 'fr'" in n for n in b.notes)


async def test_brief_input_errors(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="articles is empty"):
        await brief(engine, [])
    with pytest.raises(InvalidInput, match=r"target_language 'fr' is not supported"):
        await brief(engine, [Article(id="a", text="Peskov said so.")], "fr")


async def test_ids_are_stable_content_hashes(
    engine: Engine, example_articles: list[Article]
) -> None:
    no_ids = [dataclasses.replace(a, id="") for a in example_articles]
    b1 = await brief(engine, no_ids)
    b2 = await brief(engine, list(reversed(no_ids)))
    assert [s.article_id for s in b1.sources] == [s.article_id for s in b2.sources]
    assert all(s.article_id.startswith("a-") for s in b1.sources)
    assert b1.id == b2.id and [k.id for k in b1.key_points] == [k.id for k in b2.key_points]


async def test_markdown_is_labelled_in_the_brief_language(
    engine: Engine, example_articles: list[Article]
) -> None:
    from dragoman.brief.render import to_markdown

    en = to_markdown(await brief(engine, example_articles, points=20))
    assert "## Key points" in en and "_(untranslated)_" in en and "## Conflicting figures" in en
    assert "## Timeline" in en and "- 2016-09-19: " in en
    # direct speech in quotation marks, reported speech labelled and never in them
    quotes = en.split("## Quotes")[1].split("\n## ")[0].splitlines()
    assert any(": “" in ln and "reported speech" not in ln for ln in quotes)
    reported = [ln for ln in quotes if "reported speech:" in ln]
    assert reported and not any("“" in ln for ln in reported)
    ru = to_markdown(await brief(engine, example_articles, "ru"))
    assert ru.startswith("# В Кремле") and "## Главное" in ru and "## Key points" not in ru
    ar = to_markdown(await brief(engine, example_articles, "ar"))
    assert "## أبرز النقاط" in ar


async def test_analysis_gives_up_when_the_caller_leaves(
    engine: Engine, example_articles: list[Article]
) -> None:
    import threading

    from dragoman.brief.pipeline import _Abandoned

    builder = engine.brief_builder
    docs, _ = builder.ingest(example_articles, [])
    stop = threading.Event()
    stop.set()
    with pytest.raises(_Abandoned):
        builder.analyse(docs, stop)
    a = builder.analyse(docs, threading.Event())
    assert len(a.sents) == len(a.vectors) and a.groups


class _After:
    """A check that stops the work after `n` calls, noting which function called it."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.callers: list[str] = []

    def __call__(self) -> None:
        import sys

        from dragoman.cancel import Abandoned

        self.callers.append(sys._getframe(1).f_code.co_name)
        if len(self.callers) > self.n:
            raise Abandoned


async def test_every_stage_checks_and_stops_where_it_is_told(
    engine: Engine, example_articles: list[Article]
) -> None:
    from dragoman.cancel import Abandoned

    builder = engine.brief_builder
    job = bt.BriefJob(tuple(example_articles), "en", 8, ceasefire_gazetteer())
    full = _After(10**9)
    work = builder._work(job, 8, full)
    # every stage looks: per article, per sentence, per batch or block
    assert {
        "ingest",
        "fold_near_duplicates",
        "analyse",
        "_tag",
        "_spans",
        "_cluster",
        "_project",
        "_titled",
        "embed_checked",
        "_neighbours",
        "link",
        "_work",
        "find_quotes",
        "_figures",
        "_dates",
        "_timeline_dates",
    } <= set(full.callers)
    assert len(full.callers) >= 3 * len(work.analysis.sents)
    # told to stop at any check, it stops right there (the embedding thread at its next one)
    total = len(full.callers)
    for n in sorted({0, 1, total // 5, total // 3, total // 2, 2 * total // 3, total - 1}):
        stop = _After(n)
        with pytest.raises(Abandoned):
            builder._work(job, 8, stop)
        assert n + 1 <= len(stop.callers) <= n + 2


async def test_a_passed_deadline_stops_brief_and_summary(
    engine: Engine, example_articles: list[Article]
) -> None:
    import asyncio

    from dragoman.domain import SummarizeJob, SummaryMethod
    from dragoman.errors import DeadlineExceeded

    past = asyncio.get_running_loop().time() - 1
    with pytest.raises(DeadlineExceeded, match="deadline passed while the brief"):
        await engine.brief(bt.BriefJob(tuple(example_articles), "en"), past)
    text = example_articles[0].text
    with pytest.raises(DeadlineExceeded, match="deadline passed while the summary"):
        await engine.summarize(SummarizeJob(text, method=SummaryMethod.EXTRACTIVE), past)
