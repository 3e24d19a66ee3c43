"""Typed domain exceptions; service/dragoman/api/errors.py alone maps them to gRPC status codes."""

from __future__ import annotations

# Caller values quoted back in messages are cut to this many characters: a 100,000-character
# language code must come back as INVALID_ARGUMENT, not as a metadata-size error.
SHOWN_CHARS = 40


def shown(value: str, limit: int = SHOWN_CHARS) -> str:
    """A caller's value for an error message: repr'd, and cut with its length when long."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} characters)"


class DragomanError(Exception):
    """Base of every error dragoman reports to callers; the message says what to fix."""


class InvalidInput(DragomanError):
    """The request is malformed (empty, bad field value, bad characters)."""


class UnsupportedLanguage(InvalidInput):
    """A language code dragoman cannot serve."""


class InputTooLarge(DragomanError):
    """A size budget of the request is exceeded (maps to RESOURCE_EXHAUSTED)."""


class Overloaded(DragomanError):
    """The server's queues are full; retry later (after `retry_after_ms`, sent to the caller as
    grpc-retry-pushback-ms)."""

    def __init__(self, message: str, retry_after_ms: int = 1000) -> None:
        super().__init__(message)
        self.retry_after_ms = retry_after_ms


class ModelUnavailable(DragomanError):
    """A model the request needs is not installed (maps to FAILED_PRECONDITION)."""


class NotReady(DragomanError):
    """Models are still loading."""


class DeadlineExceeded(DragomanError):
    """The caller's deadline passed before the work was done."""
