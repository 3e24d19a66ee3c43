"""Plain domain objects passed between the API layer, the application services and backends."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

SUPPORTED_LANGUAGES: tuple[str, ...] = ("ar", "en", "ru")


@dataclass(frozen=True)
class GlossaryTerm:
    """A source term with a fixed translation (target == source for do-not-translate)."""

    source: str
    target: str


@dataclass(frozen=True)
class TranslateJob:
    """A Translate request after conversion from protobuf."""

    texts: tuple[str, ...]
    source_language: str  # "" = detect per text
    target_language: str
    glossary: tuple[GlossaryTerm, ...] = ()


@dataclass(frozen=True)
class Detection:
    """A language guess."""

    language: str
    confidence: float

    @property
    def supported(self) -> bool:
        return self.language in SUPPORTED_LANGUAGES


@dataclass(frozen=True)
class TranslationResult:
    """One translated text."""

    text: str
    source_language: str
    confidence: float
    model: str


class SummaryMethod(Enum):
    AUTO = "auto"
    EXTRACTIVE = "extractive"
    ABSTRACTIVE = "abstractive"


@dataclass(frozen=True)
class SummarizeJob:
    """A Summarize request after conversion from protobuf."""

    text: str
    source_language: str = ""
    target_language: str = ""
    max_sentences: int | None = None
    ratio: float | None = None
    method: SummaryMethod = SummaryMethod.AUTO


@dataclass(frozen=True)
class Span:
    """A sentence of an input text with its code-point offsets."""

    start: int
    end: int
    text: str
    score: float = 0.0


@dataclass(frozen=True)
class SummaryResult:
    summary: str
    language: str
    source_language: str
    method: SummaryMethod
    sources: tuple[Span, ...]
    models: tuple[str, ...]


@dataclass(frozen=True)
class ModelStatus:
    """A manifest entry (or embedded model) and whether it is installed."""

    name: str
    task: str
    source_language: str
    target_language: str
    hub_id: str
    revision: str
    license: str
    format: str
    installed: bool
    local_path: str
    install_hint: str


@dataclass(frozen=True)
class Limits:
    max_texts: int
    max_text_chars: int
    max_request_chars: int
    max_articles: int
    max_article_chars: int
    max_message_bytes: int
    brief_max_chars: int
    brief_max_sentences: int
    summarize_max_sentences: int


@dataclass(frozen=True)
class ModelsReport:
    models: tuple[ModelStatus, ...]
    translation_pairs: tuple[str, ...]
    limits: Limits


@dataclass(frozen=True)
class Article:
    """One input article of a brief."""

    id: str
    text: str
    url: str = ""
    title: str = ""
    language: str = ""
    outlet: str = ""
    published: str = ""  # RFC 3339, "" when unknown
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
