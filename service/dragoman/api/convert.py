"""protobuf <-> domain objects. Nothing outside service/dragoman/api sees a protobuf message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from google.protobuf.descriptor import EnumDescriptor
from google.protobuf.timestamp_pb2 import Timestamp

from dragoman.batch.service import ClusterJob, StoryGroup
from dragoman.brief import types as bt
from dragoman.brief.entities import gazetteer_entry, story_gazetteer
from dragoman.domain import (
    Article,
    Detection,
    GlossaryTerm,
    ModelsReport,
    SummarizeJob,
    SummaryMethod,
    SummaryResult,
    TranslateJob,
    TranslationResult,
)
from dragoman.errors import InvalidInput
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.text import check_text

_METHOD_IN = {
    pb.SUMMARIZE_METHOD_AUTO: SummaryMethod.AUTO,
    pb.SUMMARIZE_METHOD_EXTRACTIVE: SummaryMethod.EXTRACTIVE,
    pb.SUMMARIZE_METHOD_ABSTRACTIVE: SummaryMethod.ABSTRACTIVE,
}
_METHOD_OUT = {v: k for k, v in _METHOD_IN.items()}
# Longest glossary term (source or target) and do-not-translate term, in characters.
MAX_TERM_CHARS = 200


def _enum_in(value: int, field_name: str, enum: EnumDescriptor) -> None:
    """Proto3 enums are open: a number the contract does not define arrives as is. Refuse it,
    naming the field and the values it takes, rather than guess what the caller meant."""
    if value not in enum.values_by_number:
        known = ", ".join(
            f"{v.name} ({v.number})" for v in enum.values if not v.name.endswith("_UNSPECIFIED")
        )
        raise InvalidInput(f"{field_name} is {value}, which is not defined; use one of {known}")


def translate_job(req: pb.TranslateRequest) -> TranslateJob:
    glossary = []
    for i, g in enumerate(req.glossary):
        if g.target_term:  # empty is allowed: the term is dropped from the translation
            check_text(g.target_term, f"glossary[{i}].target_term", MAX_TERM_CHARS)
        glossary.append(GlossaryTerm(g.source_term, g.target_term))
    for i, t in enumerate(req.do_not_translate):
        # Checked here: TranslationService sees one list and would name glossary[n].
        check_text(t, f"do_not_translate[{i}]", MAX_TERM_CHARS)
        glossary.append(GlossaryTerm(t, t))
    return TranslateJob(tuple(req.texts), req.source_language, req.target_language, tuple(glossary))


def translate_response(results: list[TranslationResult]) -> pb.TranslateResponse:
    return pb.TranslateResponse(
        translations=[
            pb.Translation(
                translated_text=r.text,
                detected_source_language=r.source_language,
                detected_language_confidence=r.confidence,
                model=r.model,
            )
            for r in results
        ]
    )


def detect_response(detections: list[Detection]) -> pb.DetectLanguageResponse:
    return pb.DetectLanguageResponse(
        detections=[
            pb.LanguageDetection(
                language=d.language, confidence=d.confidence, supported=d.supported
            )
            for d in detections
        ]
    )


def summarize_job(req: pb.SummarizeRequest) -> SummarizeJob:
    _enum_in(req.method, "method", pb.SummarizeMethod.DESCRIPTOR)
    which = req.WhichOneof("length")
    return SummarizeJob(
        text=req.text,
        source_language=req.source_language,
        target_language=req.target_language,
        max_sentences=req.max_sentences if which == "max_sentences" else None,
        ratio=req.ratio if which == "ratio" else None,
        method=_METHOD_IN[req.method],
    )


def summarize_response(r: SummaryResult) -> pb.SummarizeResponse:
    return pb.SummarizeResponse(
        summary=r.summary,
        language=r.language,
        source_language=r.source_language,
        method=_METHOD_OUT[r.method],
        models=list(r.models),
        sources=[
            pb.SourceSpan(start_char=s.start, end_char=s.end, text=s.text, score=s.score)
            for s in r.sources
        ],
    )


def models_response(report: ModelsReport) -> pb.ListModelsResponse:
    lim = report.limits
    return pb.ListModelsResponse(
        models=[
            pb.ModelInfo(
                name=m.name,
                task=m.task,
                source_language=m.source_language,
                target_language=m.target_language,
                hub_id=m.hub_id,
                revision=m.revision,
                license=m.license,
                format=m.format,
                installed=m.installed,
                local_path=m.local_path,
                install_hint=m.install_hint,
            )
            for m in report.models
        ],
        translation_pairs=list(report.translation_pairs),
        limits=pb.Limits(
            max_texts=lim.max_texts,
            max_text_chars=lim.max_text_chars,
            max_request_chars=lim.max_request_chars,
            max_articles=lim.max_articles,
            max_article_chars=lim.max_article_chars,
            max_message_bytes=lim.max_message_bytes,
            brief_max_chars=lim.brief_max_chars,
            brief_max_sentences=lim.brief_max_sentences,
            summarize_max_sentences=lim.summarize_max_sentences,
        ),
    )


# Timestamps a brief can date events by: years 1000-9999 (RFC 3339 needs four-digit years).
_MIN_SECONDS = int(datetime(1000, 1, 1, tzinfo=UTC).timestamp())
_MAX_SECONDS = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


def _rfc3339(ts: Timestamp, where: str = "published_time") -> str:
    if ts.seconds == 0 and ts.nanos == 0:
        return ""
    if not _MIN_SECONDS <= ts.seconds <= _MAX_SECONDS:
        raise InvalidInput(
            f"{where} is out of range (seconds {ts.seconds}): use a time in the years 1000 to "
            "9999 (seconds since 1970-01-01T00:00:00Z), or leave it unset"
        )
    if not 0 <= ts.nanos < 1_000_000_000:
        raise InvalidInput(
            f"{where}.nanos is {ts.nanos}; use 0 to 999,999,999 (a Timestamp's fraction of a "
            "second is never negative)"
        )
    return datetime.fromtimestamp(ts.seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamp(text: str) -> Timestamp | None:
    if not text:
        return None
    ts = Timestamp()
    ts.FromDatetime(datetime.fromisoformat(text.replace("Z", "+00:00")))
    return ts


def brief_job(req: pb.BriefRequest) -> bt.BriefJob:
    _enum_in(req.format, "format", pb.BriefFormat.DESCRIPTOR)
    articles = tuple(
        Article(
            id=a.id,
            text=a.text,
            url=a.url,
            title=a.title,
            language=a.language,
            outlet=a.outlet,
            published=_rfc3339(a.published_time, f"articles[{i}].published_time"),
        )
        for i, a in enumerate(req.articles)
    )
    return bt.BriefJob(articles, req.target_language, req.max_key_points, _gazetteer(req))


MAX_GAZETTEER_ENTRIES = 2000
_ENTITY_TYPES = {t.value for t in bt.EntityType if t.value}


def _gazetteer(req: pb.BriefRequest) -> bt.Gazetteer | None:
    if not req.gazetteer:
        return None
    if len(req.gazetteer) > MAX_GAZETTEER_ENTRIES:
        raise InvalidInput(
            f"gazetteer has {len(req.gazetteer)} entries; the maximum is {MAX_GAZETTEER_ENTRIES}"
        )
    for n, g in enumerate(req.gazetteer):
        if g.type != pb.ENTITY_TYPE_UNSPECIFIED:  # unset: gazetteer_entry says what to give
            _enum_in(g.type, f"gazetteer[{n}].type", pb.EntityType.DESCRIPTOR)
    entries = [
        gazetteer_entry(
            g.id,
            g.name,
            bt.EntityType(g.type) if g.type in _ENTITY_TYPES else "",
            {"en": list(g.en), "ru": list(g.ru), "ar": list(g.ar)},
            f"gazetteer[{n}]",
        )
        for n, g in enumerate(req.gazetteer)
    ]
    if len({e.id for e in entries}) < len(entries):
        raise InvalidInput("gazetteer ids must be unique")
    return story_gazetteer(entries, req.gazetteer_version[:100])


def gazetteer_messages(g: bt.Gazetteer) -> list[pb.GazetteerEntry]:
    return [
        pb.GazetteerEntry(
            id=e.id,
            name=e.name,
            type=_enum(e.type),
            en=list(e.forms.get("en", ())),
            ru=list(e.forms.get("ru", ())),
            ar=list(e.forms.get("ar", ())),
        )
        for e in g.entries
    ]


def brief_message(b: bt.Brief) -> pb.Brief:
    return pb.Brief(
        id=b.id,
        language=b.language,
        headline=b.headline,
        summary=b.summary,
        key_points=[
            pb.KeyPoint(
                id=k.id,
                text=k.text,
                language=k.language,
                rendering=k.rendering,
                support=[
                    pb.Support(
                        article_id=s.article_id,
                        outlet=s.outlet,
                        language=s.language,
                        sentence=s.sentence,
                    )
                    for s in k.support
                ],
                languages=list(k.languages),
                outlet_count=k.outlet_count,
                article_count=k.article_count,
                coverage=_enum(k.coverage),
                entity_ids=list(k.entity_ids),
                first_reported=_timestamp(k.first_reported),
                figure_note=k.figure_note,
            )
            for k in b.key_points
        ],
        quotes=[
            pb.Quote(
                id=q.id,
                speaker_entity_id=q.speaker_entity_id,
                speaker=q.speaker,
                text=q.text,
                language=q.language,
                translation=q.translation,
                kind=_enum(q.kind),
                article_id=q.article_id,
            )
            for q in b.quotes
        ],
        entities=[
            pb.Entity(
                id=e.id,
                name=e.name,
                type=_enum(e.type),
                surface_forms=[
                    pb.SurfaceForms(language=f.language, forms=list(f.forms))
                    for f in e.surface_forms
                ],
                mention_count=e.mention_count,
                article_ids=list(e.article_ids),
            )
            for e in b.entities
        ],
        dates=[
            pb.DateMention(
                text=d.text,
                language=d.language,
                iso_date=d.iso_date,
                relative=d.relative,
                article_id=d.article_id,
                resolution=d.resolution,
            )
            for d in b.dates
        ],
        timeline=[
            pb.TimelineEvent(
                date=e.date,
                text=e.text,
                key_point_id=e.key_point_id,
                date_text=e.date_text,
                resolution=e.resolution,
                article_id=e.article_id,
            )
            for e in b.timeline
        ],
        figures=[_figure(f) for f in b.figures],
        figure_conflicts=[
            pb.FigureConflict(counted=c.counted, figures=[_figure(f) for f in c.figures])
            for c in b.figure_conflicts
        ],
        sources=[
            pb.Source(
                article_id=s.article_id,
                duplicate_ids=list(s.duplicate_ids),
                url=s.url,
                title=s.title,
                outlet=s.outlet,
                language=s.language,
                language_confidence=s.language_confidence,
                published_time=_timestamp(s.published),
                fed=list(s.fed),
            )
            for s in b.sources
        ],
        provenance=pb.Provenance(
            pipeline_version=b.pipeline_version,
            models=[pb.ModelRef(name=m.name, task=m.task, revision=m.revision) for m in b.models],
        ),
        single_story=b.single_story,
        notes=list(b.notes),
    )


def _enum(value: IntEnum) -> Any:
    """A domain IntEnum as the protobuf enum value of the same number."""
    return int(value)


def _figure(f: bt.Figure) -> pb.Figure:
    return pb.Figure(
        value=f.value,
        text=f.text,
        counted=f.counted,
        article_id=f.article_id,
        language=f.language,
        sentence=f.sentence,
        bound=f.bound,
    )


def cluster_job(req: pb.ClusterStoriesRequest) -> ClusterJob:
    articles = tuple(
        Article(
            id=a.id,
            text=a.text,
            url=a.url,
            title=a.title,
            language=a.language,
            outlet=a.outlet,
            published=_rfc3339(a.published_time, f"articles[{i}].published_time"),
        )
        for i, a in enumerate(req.articles)
    )
    return ClusterJob(articles, req.threshold, req.window_days)


def cluster_response(groups: Sequence[StoryGroup]) -> pb.ClusterStoriesResponse:
    return pb.ClusterStoriesResponse(
        stories=[
            pb.Story(
                story_id=g.story_id, article_ids=list(g.article_ids), languages=list(g.languages)
            )
            for g in groups
        ]
    )
