"""Overlap tests against a set of spans in O(log n), so a sentence with many numbers, dates or
URLs is read in n log n rather than testing every number against every span."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable


class Spans:
    """Half-open (start, end) spans, fixed once made."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        items = sorted(spans)
        self._starts = [s for s, _ in items]
        # the furthest end among the spans sorted up to here
        self._reach = list(itertools.accumulate((e for _, e in items), max))

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some span (s, e) has s < end and start < e (as `any(...)` over all)."""
        k = bisect.bisect_left(self._starts, end)
        return k > 0 and self._reach[k - 1] > start


class Taken:
    """Spans taken one by one, none overlapping another (dates, entity matches): whether a new
    span overlaps one already taken, in O(log n)."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        # Taken spans never overlap, so sorted by start their ends rise too: of the spans that
        # start before `end`, the last reaches furthest.
        k = bisect.bisect_left(self._spans, (end, -1))
        return k > 0 and self._spans[k - 1][1] > start

    def add(self, start: int, end: int) -> None:
        bisect.insort(self._spans, (start, end))

    def take(self, start: int, end: int) -> bool:
        """Add the span unless it overlaps one taken; whether it was added."""
        if self.overlaps(start, end):
            return False
        self.add(start, end)
        return True
