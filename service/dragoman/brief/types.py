"""Domain objects of a brief (mirrors protos/dragoman/v1 Brief, without protobuf)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from dragoman.domain import Article


class Coverage(IntEnum):
    UNSPECIFIED = 0
    SINGLE_SOURCE = 1
    ONE_LANGUAGE = 2
    SOME_LANGUAGES = 3
    ALL_LANGUAGES = 4


class EntityType(IntEnum):
    UNSPECIFIED = 0
    PERSON = 1
    ORGANIZATION = 2
    LOCATION = 3
    ARMED_GROUP = 4


class QuoteKind(IntEnum):
    UNSPECIFIED = 0
    DIRECT = 1
    REPORTED = 2


@dataclass(frozen=True)
class Support:
    article_id: str
    outlet: str
    language: str
    sentence: str


@dataclass(frozen=True)
class KeyPoint:
    id: str
    text: str
    language: str
    rendering: str  # original | translated | untranslated
    support: tuple[Support, ...]
    languages: tuple[str, ...]
    outlet_count: int
    article_count: int
    coverage: Coverage
    entity_ids: tuple[str, ...]
    first_reported: str = ""  # RFC 3339 publication time of the earliest supporting article
    figure_note: str = ""  # "sources differ on killed: ..." when the support gives other values


@dataclass(frozen=True)
class Quote:
    id: str
    speaker_entity_id: str
    speaker: str
    text: str
    language: str
    translation: str
    kind: QuoteKind
    article_id: str


@dataclass(frozen=True)
class SurfaceForms:
    language: str
    forms: tuple[str, ...]


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    type: EntityType
    surface_forms: tuple[SurfaceForms, ...]
    mention_count: int
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class DateMention:
    text: str
    language: str
    iso_date: str
    relative: bool
    article_id: str
    resolution: str = ""  # how iso_date was obtained ("as written", "year from publication ...")


@dataclass(frozen=True)
class Figure:
    value: float
    text: str
    counted: str
    article_id: str
    language: str
    sentence: str
    bound: str = "exact"  # exact | at_least | more_than | about | up_to | less_than


@dataclass(frozen=True)
class FigureConflict:
    counted: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class TimelineEvent:
    """A key point placed on a date its supporting sentences give."""

    date: str  # YYYY-MM-DD
    text: str  # the key point
    key_point_id: str
    date_text: str  # the date as written
    resolution: str  # how the date was obtained
    article_id: str  # where the date was read


@dataclass(frozen=True)
class Source:
    article_id: str
    duplicate_ids: tuple[str, ...]
    url: str
    title: str
    outlet: str
    language: str
    language_confidence: float
    published: str
    fed: tuple[str, ...]


@dataclass(frozen=True)
class ModelRef:
    name: str
    task: str
    revision: str


@dataclass(frozen=True)
class Brief:
    id: str
    language: str
    headline: str
    summary: str
    key_points: tuple[KeyPoint, ...]
    quotes: tuple[Quote, ...]
    entities: tuple[Entity, ...]
    dates: tuple[DateMention, ...]
    figures: tuple[Figure, ...]
    figure_conflicts: tuple[FigureConflict, ...]
    sources: tuple[Source, ...]
    pipeline_version: str
    models: tuple[ModelRef, ...]
    single_story: bool
    notes: tuple[str, ...]
    timeline: tuple[TimelineEvent, ...] = ()


@dataclass(frozen=True)
class GazetteerEntry:
    """A named entity with its forms per language (built-in, or a caller's story gazetteer)."""

    id: str
    name: str
    type: EntityType
    forms: dict[str, tuple[str, ...]]  # language -> surface forms


@dataclass(frozen=True)
class Gazetteer:
    """A caller's story gazetteer: entries and a version for provenance."""

    entries: tuple[GazetteerEntry, ...]
    version: str  # declared version plus a content hash
    declared: str = ""  # the version the file or request declared


@dataclass(frozen=True)
class BriefJob:
    articles: tuple[Article, ...]
    target_language: str = "en"
    max_key_points: int = 8
    gazetteer: Gazetteer | None = None  # story-specific names; None: built-in entries only
