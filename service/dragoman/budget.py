"""What a request may cost, estimated before any work and checked against the server's budget.

The work of a brief grows with its sentences (one embedding, one NER pass, one row of claim
candidates each) and its characters (cleaning, figures, dates, quotes); a Summarize text with
its sentences. Both are counted in one pass over the raw text, so a request over the budget is
refused in milliseconds (RESOURCE_EXHAUSTED, saying how to split it) instead of running for
minutes and growing the server by gigabytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dragoman.errors import InputTooLarge

# A sentence end: terminal punctuation (closing quotes or brackets may follow) before a space or
# the text's end, or a paragraph break. On news text the count is within a few per cent of what
# the sentence splitter finds, a little above it (abbreviations count).
_SENTENCE_END = re.compile(
    r"[.!?…؟。]+[\"'»”’)\]]*(?=\s|$)|(?<![.!?…؟。\"'»”’)\]])[ \t]*\n[ \t]*\n(?=\s*\S)"
)


def sentence_estimate(text: str) -> int:
    """About how many sentences `text` holds (at least one when it holds anything)."""
    stripped = text.strip()
    if not stripped:
        return 0
    ends = len(_SENTENCE_END.findall(stripped))
    # the last sentence counts even without its full stop
    return ends + (0 if re.search(r"[.!?…؟。][\"'»”’)\]]*$", stripped) else 1)


@dataclass(frozen=True)
class Cost:
    """The estimated size of some texts."""

    texts: int
    chars: int
    sentences: int


def cost(texts: Sequence[str]) -> Cost:
    return Cost(len(texts), sum(len(t) for t in texts), sum(sentence_estimate(t) for t in texts))


@dataclass(frozen=True)
class BriefBudget:
    """The most one Brief may cost: characters and sentences of all its articles."""

    max_chars: int
    max_sentences: int

    def check(self, texts: Sequence[str]) -> Cost:
        """The cost of a Brief of these article texts; InputTooLarge when over the budget, saying
        how many articles a brief may hold instead."""
        each = [cost([t]) for t in texts]
        total = Cost(len(texts), sum(c.chars for c in each), sum(c.sentences for c in each))
        if total.chars <= self.max_chars and total.sentences <= self.max_sentences:
            return total
        budget = f"the budget is {self.max_sentences:,} sentences and {self.max_chars:,} characters"
        for i, c in enumerate(each):
            if c.chars > self.max_chars or c.sentences > self.max_sentences:
                raise InputTooLarge(
                    f"articles[{i}] alone has {c.sentences:,} sentences in {c.chars:,} characters;"
                    f" {budget} per Brief: send a shorter text of it (or Summarize it first)"
                )
        raise InputTooLarge(
            f"this Brief has {total.sentences:,} sentences in {total.chars:,} characters "
            f"({total.texts} articles); {budget} per Brief: split the articles into briefs of "
            f"at most {self.fit(each)} articles"
        )

    def fit(self, each: Sequence[Cost]) -> int:
        """How many articles a brief may hold so that any that many of these fit: as many as
        the largest ones (by characters, and by sentences) fit."""
        k = 0
        chars = sorted((c.chars for c in each), reverse=True)
        sentences = sorted((c.sentences for c in each), reverse=True)
        while (
            k < len(each)
            and sum(chars[: k + 1]) <= self.max_chars
            and sum(sentences[: k + 1]) <= self.max_sentences
        ):
            k += 1
        return max(k, 1)


@dataclass(frozen=True)
class TextBudget:
    """The most one Summarize text may cost, in sentences."""

    max_sentences: int

    def check(self, sentences: int, chars: int, field_name: str = "text") -> None:
        if sentences > self.max_sentences:
            raise InputTooLarge(
                f"{field_name} has {sentences:,} sentences in {chars:,} characters; the budget is "
                f"{self.max_sentences:,} sentences per text: split it into texts of at most "
                f"{self.max_sentences:,} sentences and summarise each"
            )
