"""The batch bench's synthetic feed: every story its own people and places (names no other story
of the feed has, not even in consonants), as unrelated real stories have."""

from __future__ import annotations

import re

from bench.batch import Generator


def test_invented_names_are_unique_per_feed_even_in_consonants() -> None:
    stories = Generator(seed=1, sentences=10, days=3.0, repeat=0.6).stories(3000)
    names = [p[0] for s in stories for p in (*s["places"], *(x[1] for x in s["people"]))]
    keys = [re.sub("[aeiou]", "", n.lower()) for n in names]
    assert len(stories) > 500
    assert len(set(keys)) == len(keys)
