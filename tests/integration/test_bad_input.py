"""Bad input against the live server: the right status, a message that says what to fix, and the
server keeps serving afterwards."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import grpc
import pytest

from dragoman.client import article_message
from dragoman.domain import Article
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc

pytestmark = pytest.mark.asyncio(loop_scope="session")
INVALID = grpc.StatusCode.INVALID_ARGUMENT


async def _fails(call: object, code: grpc.StatusCode, *needles: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call  # type: ignore[misc]
    assert err.value.code() == code, err.value.details()
    details = err.value.details() or ""
    for needle in needles:
        assert needle in details, details
    return details


def tr(texts: list[str], src: str = "ru", tgt: str = "en") -> pb.TranslateRequest:
    return pb.TranslateRequest(texts=texts, source_language=src, target_language=tgt)


@pytest.mark.parametrize(
    ("request_", "code", "needles"),
    [
        (tr([]), INVALID, ["texts is empty", "between 1 and 1024"]),
        (tr(["ok text", "  "]), INVALID, ["texts[1] is empty"]),
        (tr(["х" * 50_001]), INVALID, ["texts[0] has 50,001 characters", "maximum is 50,000"]),
        (tr(["х"] * 1025), INVALID, ["texts has 1025 items", "maximum is 1024"]),
        (
            tr(["х" * 40_000] * 30),
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            ["1,200,000 characters", "maximum per request is 1,000,000"],
        ),
        (tr(["текст"], "xx_1"), INVALID, ["source_language 'xx_1' is not a language code"]),
        (
            tr(["текст"], "ru", "uk"),
            INVALID,
            ["target_language 'uk' is not supported", "supported: ar, en, ru"],
        ),
        (tr(["текст"], "ru", ""), INVALID, ["target_language is required"]),
        (tr(["текст"], "ru", "ru"), INVALID, ["source_language and target_language are both"]),
        (
            tr(["Bonjour tout le monde, je suis ici"], "", "en"),
            INVALID,
            ["texts[0] looks like 'fr'", "supported: ar, en, ru"],
        ),
        (tr(["Песков\x00заявил"]), INVALID, ["texts[0] contains the control character U+0000"]),
        (
            tr(["The army said so."], "en", "ru"),
            grpc.StatusCode.FAILED_PRECONDITION,
            ["opus-mt-en-ru", "dragoman models pull opus-mt-en-ru", "DRAGOMAN_MODELS_DIR"],
        ),
    ],
    ids=[
        "empty-list",
        "empty-string",
        "too-long",
        "too-many",
        "too-much-in-all",
        "bad-code",
        "unsupported-target",
        "missing-target",
        "same-language",
        "unsupported-detected",
        "control-char",
        "model-missing",
    ],
)
async def test_translate_bad_input(
    stub: pb_grpc.DragomanStub,
    request_: pb.TranslateRequest,
    code: grpc.StatusCode,
    needles: list[str],
) -> None:
    await _fails(stub.Translate(request_), code, *needles)
    # the server keeps serving
    ok = await stub.Translate(tr(["Песков заявил."]))
    assert len(ok.translations) == 1


async def test_malformed_utf8_is_invalid_argument(channel: grpc.aio.Channel) -> None:
    raw = channel.unary_unary(
        "/dragoman.v1.Dragoman/Translate", request_serializer=None, response_deserializer=None
    )
    # field 1 (texts) holding the bytes FF FE, which are not UTF-8; field 3 = "en"
    payload = b"\x0a\x02\xff\xfe" + b"\x1a\x02en"
    details = await _fails(
        raw(payload), INVALID, "TranslateRequest could not be parsed", "valid UTF-8"
    )
    assert details


async def test_long_caller_values_are_cut_in_messages(stub: pb_grpc.DragomanStub) -> None:
    code = "x" * 100_000
    details = await _fails(
        stub.Translate(tr(["текст"], "ru", code)), INVALID, "100,000 characters", "not a language"
    )
    assert len(details) < 400
    long_id = "i" * 100_000
    dup = [
        pb.Article(id=long_id, text="The port reopened today."),
        pb.Article(id=long_id, text="B."),
    ]
    details = await _fails(stub.Brief(pb.BriefRequest(articles=dup)), INVALID, "ids must be unique")
    assert len(details) < 400


async def test_bad_summarize_and_detect_input(stub: pb_grpc.DragomanStub) -> None:
    await _fails(stub.Summarize(pb.SummarizeRequest(text="")), INVALID, "text is empty")
    await _fails(
        stub.Summarize(pb.SummarizeRequest(text="Песков заявил.", max_sentences=99)),
        INVALID,
        "max_sentences is 99",
    )
    await _fails(
        stub.Summarize(pb.SummarizeRequest(text="Песков заявил.", ratio=1.5)),
        INVALID,
        "ratio is 1.5",
    )
    await _fails(stub.DetectLanguage(pb.DetectLanguageRequest()), INVALID, "texts is empty")


def _article(i: int, text: str, **kw: str) -> pb.Article:
    return pb.Article(id=f"a{i}", text=text, **kw)


async def test_bad_brief_input(stub: pb_grpc.DragomanStub) -> None:
    await _fails(stub.Brief(pb.BriefRequest()), INVALID, "articles is empty")
    ok_article = _article(0, "The Syrian army said the ceasefire was over on Monday.")
    for seconds in (-(10**12), 10**13, -62_135_596_800 + 86_400 * 400):  # out of range; year 2
        bad_time = pb.Article(id="t", text=ok_article.text)
        bad_time.published_time.seconds = seconds
        await _fails(
            stub.Brief(pb.BriefRequest(articles=[bad_time])),
            INVALID,
            "articles[0].published_time is out of range",
        )
    for entry, needle in (
        (pb.GazetteerEntry(id="Peskov!", name="P", type=1, en=["P"]), "gazetteer[0]: id must"),
        (pb.GazetteerEntry(id="p", name="", type=1, en=["P"]), "name must be a non-empty"),
        (pb.GazetteerEntry(id="p", name="P", en=["P"]), "type must be one of"),
        (pb.GazetteerEntry(id="p", name="P", type=1), "give at least one en, ru or ar form"),
    ):
        await _fails(
            stub.Brief(pb.BriefRequest(articles=[ok_article], gazetteer=[entry])), INVALID, needle
        )
    await _fails(
        stub.Brief(pb.BriefRequest(articles=[_article(0, "")])),
        INVALID,
        "articles[0].text is empty",
    )
    await _fails(
        stub.Brief(pb.BriefRequest(articles=[_article(0, "Listen Live\nGet short URL")])),
        INVALID,
        "articles[0].text holds only page furniture",
    )
    big = "The Syrian army said the ceasefire was over. " * 23_000  # ~1 MB
    await _fails(
        stub.Brief(pb.BriefRequest(articles=[_article(0, big)])),
        INVALID,
        "articles[0].text has 1,035,000 characters",
        "maximum is 200,000",
    )
    await _fails(
        stub.Brief(pb.BriefRequest(articles=[_article(0, "Песков заявил.", language="de")])),
        INVALID,
        "articles[0].language 'de' is not supported",
    )
    await _fails(
        stub.Brief(
            pb.BriefRequest(
                articles=[_article(0, "Песков заявил."), _article(0, "Another text here.")]
            )
        ),
        INVALID,
        "articles[1].id 'a0' repeats articles[0].id",
    )
    await _fails(
        stub.Brief(pb.BriefRequest(articles=[_article(0, "Песков заявил.")], max_key_points=99)),
        INVALID,
        "max_key_points",
    )


async def test_deadline_exceeded_then_still_serving(
    stub: pb_grpc.DragomanStub, example_articles: list[Article]
) -> None:
    req = pb.BriefRequest(articles=[article_message(a) for a in example_articles])
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.Brief(req, timeout=0.001)
    assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    resp = await stub.Brief(req)
    assert resp.brief.summary


async def test_cancelled_call_then_still_serving(
    stub: pb_grpc.DragomanStub, example_articles: list[Article]
) -> None:
    # Text no earlier test sent, so no in-memory cache answers it before the cancel lands
    # (a repeated request could finish inside the wait, and cancel() then does nothing).
    nonce = uuid.uuid4().hex
    fresh = [
        replace(a, id=f"{a.id}-{nonce}", text=f"{a.text}\n\nRef {nonce} {i}.")
        for i, a in enumerate(example_articles)
    ]
    req = pb.BriefRequest(articles=[article_message(a) for a in fresh])
    call = stub.Brief(req)
    await asyncio.sleep(0.01)
    assert call.cancel(), "the brief finished before it could be cancelled"
    with pytest.raises(asyncio.CancelledError):
        await call
    assert call.cancelled() and (await call.code()) == grpc.StatusCode.CANCELLED
    ok = await stub.Translate(tr(["Песков заявил."]))
    assert ok.translations[0].translated_text


async def test_unknown_enum_values_name_the_field(stub: pb_grpc.DragomanStub) -> None:
    """Proto3 enums are open: an undefined number arrives as is and must be refused, not
    guessed (it used to become AUTO / no Markdown / 'type must be one of')."""
    text = "The Syrian army said the ceasefire was over."
    await _fails(
        stub.Summarize(pb.SummarizeRequest(text=text, method=7)),  # type: ignore[arg-type]
        INVALID,
        "method is 7, which is not defined",
        "SUMMARIZE_METHOD_EXTRACTIVE (1)",
    )
    article = _article(0, text)
    await _fails(
        stub.Brief(pb.BriefRequest(articles=[article], format=-1)),  # type: ignore[arg-type]
        INVALID,
        "format is -1, which is not defined",
        "BRIEF_FORMAT_MARKDOWN (1)",
    )
    entry = pb.GazetteerEntry(id="p", name="P", type=9, en=["P"])  # type: ignore[arg-type]
    details = await _fails(
        stub.Brief(pb.BriefRequest(articles=[article], gazetteer=[entry])),
        INVALID,
        "gazetteer[0].type is 9, which is not defined",
        "ENTITY_TYPE_ARMED_GROUP (4)",
    )
    assert "UNSPECIFIED" not in details


async def test_timestamp_seconds_and_nanos_are_checked(stub: pb_grpc.DragomanStub) -> None:
    def brief(seconds: int, nanos: int) -> pb.BriefRequest:
        a = _article(0, "The Syrian army said the ceasefire was over.")
        a.published_time.seconds, a.published_time.nanos = seconds, nanos
        return pb.BriefRequest(articles=[_article(1, "Песков заявил."), a])

    for nanos in (-1, 1_000_000_000):
        await _fails(
            stub.Brief(brief(1_474_329_600, nanos)),
            INVALID,
            f"articles[1].published_time.nanos is {nanos}; use 0 to 999,999,999",
        )
    await _fails(
        stub.Brief(brief(2**62, 0)),
        INVALID,
        f"articles[1].published_time is out of range (seconds {2**62})",
    )
    ok = await stub.Brief(brief(1_474_329_600, 999_999_999))  # 2016-09-20T00:00:00.999999999Z
    assert ok.brief.sources


async def test_glossary_terms_are_checked_and_bounded(stub: pb_grpc.DragomanStub) -> None:
    await _fails(
        stub.Translate(
            pb.TranslateRequest(
                texts=["Песков заявил."], target_language="en", do_not_translate=["Песков", " "]
            )
        ),
        INVALID,
        "do_not_translate[1] is empty",
    )
    bad_target = pb.GlossaryEntry(source_term="Песков", target_term="Peskov\x00")
    await _fails(
        stub.Translate(
            pb.TranslateRequest(
                texts=["Песков заявил."], target_language="en", glossary=[bad_target]
            )
        ),
        INVALID,
        "glossary[0].target_term contains the control character U+0000",
    )
    many = [pb.GlossaryEntry(source_term=f"term{i}", target_term="x") for i in range(1001)]
    await _fails(
        stub.Translate(
            pb.TranslateRequest(texts=["Песков заявил."], target_language="en", glossary=many)
        ),
        INVALID,
        "glossary and do_not_translate hold 1,001 terms in all; the maximum is 1,000",
    )
    ok = await stub.Translate(
        pb.TranslateRequest(texts=["Песков заявил."], target_language="en", glossary=many[:1000])
    )
    assert len(ok.translations) == 1
