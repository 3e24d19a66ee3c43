"""The live server: health, reflection, every rpc end to end through both backends."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from dragoman.api.convert import gazetteer_messages
from dragoman.backends.base import Generation
from dragoman.client import article_message
from dragoman.config import REPO_ROOT as ROOT
from dragoman.domain import Article
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import Running
from tests.conftest import ceasefire_gazetteer

pytestmark = pytest.mark.asyncio(loop_scope="session")

RU = [
    "Песков заявил, что надежды мало.",
    "В ООН сообщили об ударе по конвою.",
    "Сирийская армия объявила о завершении перемирия.",
]


async def test_health_is_serving_and_reflection_lists_services(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "dragoman.v1.Dragoman"):
        resp = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert resp.status == health_pb2.HealthCheckResponse.SERVING
    refl = reflection_pb2_grpc.ServerReflectionStub(channel)

    async def one() -> reflection_pb2.ServerReflectionResponse:
        async for r in refl.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        ):
            return r
        raise AssertionError("no reflection answer")

    names = {s.name for s in (await one()).list_services_response.service}
    assert {"dragoman.v1.Dragoman", "grpc.health.v1.Health"} <= names


async def test_translate_ctranslate2_keeps_order_and_matches_the_model(
    stub: pb_grpc.DragomanStub, server: Running
) -> None:
    resp = await stub.Translate(
        pb.TranslateRequest(texts=RU, source_language="ru", target_language="en")
    )
    assert len(resp.translations) == len(RU)
    model = server.engine.registry.model(server.engine.registry.entry("opus-mt-ru-en"))
    direct = [model.generate([t], Generation(max_new_tokens=8))[0] for t in RU]
    assert [t.translated_text for t in resp.translations] == direct
    assert len(set(direct)) > 1  # the tiny model tells inputs apart, so order is checked
    assert all(
        t.model == "opus-mt-ru-en" and t.detected_source_language == "ru" for t in resp.translations
    )


async def test_translate_detects_source_per_text(stub: pb_grpc.DragomanStub) -> None:
    resp = await stub.Translate(
        pb.TranslateRequest(
            texts=[
                RU[0],
                "قال بيسكوف إن الأمل في استئناف الهدنة ضئيل جدا.",
                "The Syrian army said the ceasefire was over.",
            ],
            target_language="en",
        )
    )
    got = [(t.detected_source_language, t.model) for t in resp.translations]
    assert got == [("ru", "opus-mt-ru-en"), ("ar", "opus-mt-ar-en-hf"), ("en", "identity")]
    assert resp.translations[2].translated_text == "The Syrian army said the ceasefire was over."
    assert 0.5 < resp.translations[0].detected_language_confidence <= 1.0


async def test_translate_pivots_ru_to_ar_through_english(stub: pb_grpc.DragomanStub) -> None:
    resp = await stub.Translate(
        pb.TranslateRequest(texts=RU[:1], source_language="ru", target_language="ar")
    )
    assert resp.translations[0].model == "opus-mt-ru-en+opus-mt-en-ar"
    assert resp.translations[0].translated_text.strip()


async def test_long_text_is_chunked_and_paragraphs_are_kept(
    stub: pb_grpc.DragomanStub, server: Running
) -> None:
    para = " ".join(RU * 6)
    text = f"{para}\n\n{para}\n\n{RU[0]}"
    model = server.engine.registry.model(server.engine.registry.entry("opus-mt-ru-en"))
    assert model.count_tokens(para) > model.max_input_tokens  # really needs chunking
    resp = await stub.Translate(
        pb.TranslateRequest(texts=[text], source_language="ru", target_language="en")
    )
    out = resp.translations[0].translated_text
    assert out.count("\n\n") == 2
    # every chunk was translated: at least one output piece per sentence-sized chunk
    assert len(out.split("\n\n")[0].split(" ")) >= 6


async def test_do_not_translate_terms_survive(stub: pb_grpc.DragomanStub) -> None:
    resp = await stub.Translate(
        pb.TranslateRequest(
            texts=["Песков заявил, что надежды мало."],
            source_language="ru",
            target_language="en",
            do_not_translate=["Песков"],
            glossary=[pb.GlossaryEntry(source_term="надежды", target_term="hope")],
        )
    )
    out = resp.translations[0].translated_text
    assert out.startswith("Песков") and "hope" in out


async def test_summarize_extractive_and_abstractive(
    stub: pb_grpc.DragomanStub, example_articles: list[Article]
) -> None:
    text = next(a.text for a in example_articles if a.id == "en-wire-0920")
    ext = await stub.Summarize(
        pb.SummarizeRequest(text=text, max_sentences=2, method=pb.SUMMARIZE_METHOD_EXTRACTIVE)
    )
    assert ext.method == pb.SUMMARIZE_METHOD_EXTRACTIVE and ext.language == "en"
    assert len(ext.sources) == 2
    for span in ext.sources:
        assert text[span.start_char : span.end_char] == span.text
        assert span.text in ext.summary
    auto = await stub.Summarize(pb.SummarizeRequest(text=text, max_sentences=2))
    assert auto.method == pb.SUMMARIZE_METHOD_ABSTRACTIVE  # tiny BART is installed for en
    assert auto.models == ["tiny-bart"] and auto.sources


async def test_summarize_into_another_language_translates(stub: pb_grpc.DragomanStub) -> None:
    text = " ".join(RU)
    resp = await stub.Summarize(
        pb.SummarizeRequest(text=text, source_language="ru", target_language="en", ratio=0.5)
    )
    assert resp.language == "en" and resp.source_language == "ru"
    assert resp.models == ["extractive-lexrank", "opus-mt-ru-en"]


async def test_summarize_needs_missing_model(stub: pb_grpc.DragomanStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Summarize(
            pb.SummarizeRequest(
                text="The Syrian army said the ceasefire was over after many attacks.",
                target_language="ru",
            )
        )
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    details = err.value.details() or ""
    assert "opus-mt-en-ru" in details and "at $DRAGOMAN_MODELS_DIR/" in details
    assert "/tmp" not in details and str(ROOT) not in details  # no server paths
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Summarize(
            pb.SummarizeRequest(
                text=RU[0], source_language="ru", method=pb.SUMMARIZE_METHOD_ABSTRACTIVE
            )
        )
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_detect_language(stub: pb_grpc.DragomanStub) -> None:
    resp = await stub.DetectLanguage(
        pb.DetectLanguageRequest(
            texts=[RU[0], "دمشق", "Bonjour tout le monde, je suis ici", "12345"]
        )
    )
    got = [(d.language, d.supported) for d in resp.detections]
    assert got == [("ru", True), ("ar", True), ("fr", False), ("und", False)]


async def test_list_models(stub: pb_grpc.DragomanStub) -> None:
    resp = await stub.ListModels(pb.ListModelsRequest())
    by_name = {m.name: m for m in resp.models}
    assert by_name["opus-mt-ru-en"].installed and by_name["opus-mt-ru-en"].format == "ctranslate2"
    assert not by_name["opus-mt-en-ru"].installed
    assert "dragoman models pull opus-mt-en-ru" in by_name["opus-mt-en-ru"].install_hint
    assert all(m.local_path.startswith("$DRAGOMAN_MODELS_DIR/") for m in resp.models if m.hub_id)
    assert "ru-ar (via en)" in resp.translation_pairs and "ru-en" in resp.translation_pairs
    assert resp.limits.max_texts == 1024
    # the cost budget is part of the limits a client can read
    assert (resp.limits.brief_max_chars, resp.limits.brief_max_sentences) == (300_000, 2_000)
    assert resp.limits.summarize_max_sentences == 3_000
    only = await stub.ListModels(pb.ListModelsRequest(task="summarize"))
    assert {m.task for m in only.models} == {"summarize"}


async def test_brief_over_grpc_with_markdown_and_translation(
    stub: pb_grpc.DragomanStub, example_articles: list[Article]
) -> None:
    resp = await stub.Brief(
        pb.BriefRequest(
            articles=[article_message(a) for a in example_articles],
            target_language="en",
            format=pb.BRIEF_FORMAT_MARKDOWN,
            max_key_points=20,
            gazetteer=gazetteer_messages(ceasefire_gazetteer()),
            gazetteer_version="2016-09-syria-ceasefire.2",
        )
    )
    b = resp.brief
    assert b.summary and b.headline and len(b.sources) == len(example_articles)
    assert {s.language for s in b.sources} == {"ru", "ar", "en"}
    assert resp.markdown.startswith("# ")
    # translation models are installed for ru/ar -> en: no key point stays untranslated
    assert all(k.rendering in ("original", "translated") for k in b.key_points)
    translated = [k for k in b.key_points if k.rendering == "translated"]
    assert translated, "the examples have a claim no English article carries"
    used = {m.name for m in b.provenance.models if m.task == "translate"}
    assert used and used <= {"opus-mt-ru-en", "opus-mt-ar-en-hf"}
    assert all(q.translation for q in b.quotes if q.language != "en")
    # the caller's story gazetteer is used and cited
    assert any(e.id == "dmitry-peskov" for e in b.entities)
    story = [m for m in b.provenance.models if m.name == "story gazetteer"]
    assert story and story[0].revision.startswith("2016-09-syria-ceasefire.2 sha256:")
    # the JSON mapping round-trips
    again = json_format.Parse(json_format.MessageToJson(b), pb.Brief())
    assert again == b
