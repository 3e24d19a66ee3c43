"""The small contracts every backend implements; nothing here knows about gRPC."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Generation:
    """Decoding options for one batch."""

    max_new_tokens: int = 256
    # > 0 forces at least this many tokens (benchmarks use min == max for equal work).
    min_new_tokens: int = 0
    beam_size: int = 1


class Seq2Seq(ABC):
    """A text-to-text model: a translator or an abstractive summariser."""

    #: Manifest name, e.g. "opus-mt-ru-en".
    name: str
    #: Longest input in model tokens; callers pack chunks under it.
    max_input_tokens: int

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Number of source tokens `text` becomes (including special tokens)."""

    @abstractmethod
    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        """One output per input text, in order. Blocking: callers run it in a thread."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""
