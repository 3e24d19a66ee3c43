"""Text checks, sentence splitting with offsets, and packing sentences into model-sized chunks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dragoman.domain import Span
from dragoman.errors import InputTooLarge, InvalidInput

# C0/C1 controls other than tab, newline, carriage return and form feed; U+FFFD marks bytes that
# were not valid UTF-8 somewhere upstream.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:،؛])\s+")


def check_text(text: str, field_name: str, max_chars: int) -> None:
    """Raise InvalidInput naming `field_name` for empty, too long or bad-character text."""
    if not text.strip():
        raise InvalidInput(f"{field_name} is empty; send non-blank text")
    if len(text) > max_chars:
        raise InvalidInput(
            f"{field_name} has {len(text):,} characters; the maximum is {max_chars:,}: "
            "split it into several texts (the server's limit is a setting, see ListModels.limits)"
        )
    bad = _BAD_CHARS.search(text)
    if bad:
        char = bad.group()
        what = "U+FFFD (malformed UTF-8 upstream)" if char == "\ufffd" else f"U+{ord(char):04X}"
        raise InvalidInput(
            f"{field_name} contains the control character {what} at offset {bad.start()}; "
            "remove control characters (tab, newline and carriage return are allowed)"
        )


def check_texts(
    texts: Sequence[str], field_name: str, max_items: int, max_chars: int, max_total: int
) -> None:
    """Validate a repeated text field as a whole and each item."""
    if not texts:
        raise InvalidInput(f"{field_name} is empty; send between 1 and {max_items} texts")
    if len(texts) > max_items:
        raise InvalidInput(
            f"{field_name} has {len(texts)} items; the maximum is {max_items}: split the request"
        )
    for i, text in enumerate(texts):
        check_text(text, f"{field_name}[{i}]", max_chars)
    total = sum(len(t) for t in texts)
    if total > max_total:
        raise InputTooLarge(
            f"{field_name} holds {total:,} characters in all; the maximum per request is "
            f"{max_total:,}: split the request"
        )


def normalize(text: str) -> str:
    """NFC-normalise and unify line endings (what every pipeline stage sees)."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def split_sentences(text: str, language: str) -> list[Span]:
    """Sentences of `text` with code-point offsets (sentencex; whitespace trimmed from spans)."""
    from sentencex import segment

    spans: list[Span] = []
    for para_start, para in _paragraphs(text):
        cursor = 0
        for piece in segment(language or "en", para):
            idx = para.find(piece, cursor)
            if idx < 0:  # sentencex normalised something; fall back to the running cursor
                idx = cursor
            cursor = idx + len(piece)
            stripped = piece.strip()
            if not stripped:
                continue
            lead = len(piece) - len(piece.lstrip())
            start = para_start + idx + lead
            spans.append(Span(start, start + len(stripped), stripped))
    return spans


def cap_sentences(sentences: Sequence[str], max_chars: int) -> list[str]:
    """The sentences, each longer than `max_chars` (a table or list without full stops) cut into
    pieces of at most `max_chars` characters at the last space before the limit where there is
    one: per-sentence work is then bounded per piece, whatever the input."""
    out: list[str] = []
    for s in sentences:
        while len(s) > max_chars:
            cut = s.rfind(" ", max_chars // 2, max_chars + 1)
            cut = cut if cut > 0 else max_chars
            out.append(s[:cut].rstrip())
            s = s[cut:].lstrip()
        if s:
            out.append(s)
    return out


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, paragraph) pairs; paragraphs are separated by blank lines."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        out.append((start, text[start : m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return [(s, p) for s, p in out if p.strip()]


@dataclass(frozen=True)
class Layout:
    """How to put translated chunks back together: chunk texts and the separators between them."""

    chunks: tuple[str, ...]
    # separators[i] goes after chunks[i]; the last one is the text's trailing whitespace.
    separators: tuple[str, ...]
    leading: str

    def join(self, translated: Sequence[str]) -> str:
        parts = [self.leading]
        for chunk, sep in zip(translated, self.separators, strict=True):
            parts.append(chunk)
            parts.append(sep)
        return "".join(parts)


def plan_chunks(
    text: str, language: str, count_tokens: Callable[[str], int], max_tokens: int
) -> Layout:
    """Pack sentences into chunks of at most `max_tokens`, keeping paragraph breaks.

    A sentence longer than the limit is cut at clause breaks, then between words; nothing is
    ever dropped. A single word longer than the limit is cut into pieces.
    """
    leading = text[: len(text) - len(text.lstrip())]
    chunks: list[str] = []
    seps: list[str] = []
    paragraphs = _paragraphs(text)
    for p_idx, (p_start, para) in enumerate(paragraphs):
        p_end = p_start + len(para.rstrip())
        next_start = paragraphs[p_idx + 1][0] if p_idx + 1 < len(paragraphs) else len(text)
        para_sep = text[p_end:next_start]
        pieces: list[str] = []
        for span in split_sentences(para, language):
            pieces.extend(_fit(span.text, count_tokens, max_tokens))
        current: list[str] = []
        current_tokens = 0
        para_chunks: list[str] = []
        for piece in pieces:
            n = count_tokens(piece)
            if current and current_tokens + n > max_tokens:
                para_chunks.append(" ".join(current))
                current, current_tokens = [], 0
            current.append(piece)
            current_tokens += n
        if current:
            para_chunks.append(" ".join(current))
        for i, chunk in enumerate(para_chunks):
            chunks.append(chunk)
            seps.append(para_sep if i == len(para_chunks) - 1 else " ")
    return Layout(tuple(chunks), tuple(seps), leading)


def _fit(sentence: str, count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    clauses = _CLAUSE_BREAK.split(sentence)
    if len(clauses) > 1:
        return _pack(clauses, count_tokens, max_tokens)
    words = sentence.split()
    if len(words) > 1:
        return _pack(words, count_tokens, max_tokens)
    # One enormous "word": cut it by characters.
    size = max(1, len(sentence) // (count_tokens(sentence) // max_tokens + 1))
    return [sentence[i : i + size] for i in range(0, len(sentence), size)]


def _pack(parts: list[str], count_tokens: Callable[[str], int], max_tokens: int) -> list[str]:
    out: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current} {part}" if current else part
        if current and count_tokens(candidate) > max_tokens:
            out.append(current)
            candidate = part
        current = candidate
    if current:
        out.append(current)
    # A piece over the limit is a single part: cut it with the next, finer splitter.
    return [
        p
        for piece in out
        for p in (
            _fit(piece, count_tokens, max_tokens) if count_tokens(piece) > max_tokens else [piece]
        )
    ]
