"""Heavy libraries and models, loaded fast: spaCy without torch and with its tokenizer built once,
and torch itself under one lock.

spaCy imports thinc, and thinc probes `import torch` when it is imported (for its PyTorch
shims, which spaCy's CPU pipelines such as en_core_web_sm never use): 3 s and ~300 MB for
nothing when CTranslate2 serves the translations. `spacy_without_torch()` imports spaCy with
torch marked unavailable (`sys.modules["torch"] = None` makes `import torch` raise ImportError,
which thinc takes as "no torch") and takes the mark away afterwards, so a later `import torch`
(the transformers backend) works as usual; thinc keeps `has_torch = False`, which only its torch
shims read. When torch is already imported the mark is not set and spaCy sees torch as usual.
The mark is process-wide: every import of torch by dragoman goes through `import_torch()`,
which holds the same lock, so no thread of ours imports torch while the mark is up.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

# Held while torch is marked unavailable, and by every import of torch.
_TORCH_LOCK = threading.RLock()
# A tokenizer factory that builds an empty tokenizer (below).
_EMPTY_TOKENIZER = "dragoman.empty_tokenizer.v1"


def spacy_without_torch() -> ModuleType:
    """`import spacy`, with torch kept out of the process unless it is there already."""
    with _TORCH_LOCK:
        if "spacy" in sys.modules or "torch" in sys.modules:
            return importlib.import_module("spacy")
        sys.modules["torch"] = None  # type: ignore[assignment]
        try:
            return importlib.import_module("spacy")
        finally:
            if "torch" in sys.modules and sys.modules["torch"] is None:
                del sys.modules["torch"]


def import_torch() -> ModuleType:
    """`import torch` (never while spaCy is being imported without it)."""
    with _TORCH_LOCK:
        return importlib.import_module("torch")


def spacy_pipeline(package: str, exclude: Sequence[str]) -> Any:
    """`spacy.load(package, exclude=exclude)` (imported without torch), its tokenizer built once.

    `spacy.load` first builds the language's default tokenizer (its ~2,700 special cases and
    affix regexes), then replaces every part of it with the one saved in the package; starting
    from an empty tokenizer gives the same tokenizer (the same serialised bytes, tokens and
    entities: tested) 0.2-0.4 s sooner."""
    spacy = spacy_without_torch()
    with _TORCH_LOCK:  # registering is check-then-act
        if _EMPTY_TOKENIZER not in spacy.registry.tokenizers:
            spacy.registry.tokenizers.register(_EMPTY_TOKENIZER, func=_empty_tokenizer)
    return spacy.load(
        package,
        exclude=list(exclude),
        config={"nlp": {"tokenizer": {"@tokenizers": _EMPTY_TOKENIZER}}},
    )


def _empty_tokenizer() -> Callable[[Any], Any]:
    from spacy.tokenizer import Tokenizer

    def create(nlp: Any) -> Any:
        return Tokenizer(nlp.vocab)

    return create
