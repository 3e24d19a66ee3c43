"""transformers seq2seq backend (Marian translation, BART/T5 summaries): the reference."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dragoman.backends.base import Generation, Seq2Seq


class HFSeq2Seq(Seq2Seq):
    """Any AutoModelForSeq2SeqLM with its tokenizer in a local folder."""

    def __init__(
        self,
        name: str,
        path: Path,
        *,
        threads: int = 0,
        device: str = "cpu",
        max_input_tokens: int = 512,
        source_prefix: str = "",
    ) -> None:
        from dragoman.loaders import import_torch

        torch = import_torch()  # first, and under the lock that keeps spaCy's import torch-free
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        if threads > 0:
            torch.set_num_threads(threads)
        self.name = name
        self._prefix = source_prefix
        self._tokenizer: Any = AutoTokenizer.from_pretrained(str(path))
        self._model: Any = AutoModelForSeq2SeqLM.from_pretrained(str(path)).to(device)
        self._model.eval()
        self._device = device
        limit = getattr(self._model.config, "max_position_embeddings", None) or max_input_tokens
        self.max_input_tokens = min(max_input_tokens, int(limit))
        self._torch = torch
        self._lock = threading.Lock()

    def _with_prefix(self, text: str) -> str:
        return f"{self._prefix} {text}" if self._prefix else text

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(self._with_prefix(text))["input_ids"])

    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        enc = self._tokenizer(
            [self._with_prefix(t) for t in texts], return_tensors="pt", padding=True
        ).to(self._device)
        kwargs: dict[str, Any] = {
            "max_new_tokens": options.max_new_tokens,
            "num_beams": options.beam_size,
            "do_sample": False,
        }
        if options.min_new_tokens:
            kwargs["min_new_tokens"] = options.min_new_tokens
        with self._lock, self._torch.inference_mode():
            out = self._model.generate(**enc, **kwargs)
        decoded: list[str] = self._tokenizer.batch_decode(out, skip_special_tokens=True)
        return [d.strip() for d in decoded]
