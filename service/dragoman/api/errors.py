"""The one place that turns domain exceptions into gRPC status codes."""

from __future__ import annotations

import grpc

from dragoman.errors import (
    DeadlineExceeded,
    DragomanError,
    InputTooLarge,
    InvalidInput,
    ModelUnavailable,
    NotReady,
    Overloaded,
)

# Most specific first.
STATUS_OF: tuple[tuple[type[DragomanError], grpc.StatusCode], ...] = (
    (InvalidInput, grpc.StatusCode.INVALID_ARGUMENT),
    (InputTooLarge, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (Overloaded, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (ModelUnavailable, grpc.StatusCode.FAILED_PRECONDITION),
    (NotReady, grpc.StatusCode.UNAVAILABLE),
    (DeadlineExceeded, grpc.StatusCode.DEADLINE_EXCEEDED),
)


def status_for(exc: DragomanError) -> grpc.StatusCode:
    for kind, code in STATUS_OF:
        if isinstance(exc, kind):
            return code
    return grpc.StatusCode.INTERNAL
