"""Typed domain exceptions; service/api/errors.py alone maps them to gRPC status codes."""

from __future__ import annotations


class DragomanError(Exception):
    """Base of every error dragoman reports to callers; the message says what to fix."""


class InvalidInput(DragomanError):
    """The request is malformed (empty, bad field value, bad characters)."""


class UnsupportedLanguage(InvalidInput):
    """A language code dragoman cannot serve."""


class InputTooLarge(DragomanError):
    """A size budget of the request is exceeded (maps to RESOURCE_EXHAUSTED)."""


class Overloaded(DragomanError):
    """The server's queues are full; retry later."""


class ModelUnavailable(DragomanError):
    """A model the request needs is not installed (maps to FAILED_PRECONDITION)."""


class NotReady(DragomanError):
    """Models are still loading."""


class DeadlineExceeded(DragomanError):
    """The caller's deadline passed before the work was done."""
