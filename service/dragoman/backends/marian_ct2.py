"""CTranslate2 backend for Marian (opus-mt) translation models: int8 on CPU by default.

Tokenisation goes through sentencepiece directly: importing transformers for its tokenizer would
add ~240 MB to the process for nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from dragoman.backends.base import Generation, Seq2Seq


class CT2Translator(Seq2Seq):
    """A CTranslate2-converted Marian model with source.spm / target.spm beside it."""

    def __init__(
        self,
        name: str,
        path: Path,
        *,
        device: str = "cpu",
        compute_type: str = "int8",
        inter_threads: int = 1,
        intra_threads: int = 0,
        max_input_tokens: int = 256,
        target_prefix: str = "",
    ) -> None:
        import ctranslate2
        import sentencepiece as spm

        self.name = name
        self.max_input_tokens = max_input_tokens
        self._prefix = target_prefix.split() if target_prefix else []
        self._translator = ctranslate2.Translator(
            str(path),
            device=device,
            compute_type=compute_type,
            inter_threads=inter_threads,
            intra_threads=intra_threads,
        )
        self._src = spm.SentencePieceProcessor(model_file=str(path / "source.spm"))
        target = path / "target.spm"
        self._tgt = spm.SentencePieceProcessor(
            model_file=str(target if target.exists() else path / "source.spm")
        )
        self._lock = threading.Lock()

    def _encode(self, text: str) -> list[str]:
        # Marian-style source-side target-language tokens (">>ara<<") go first.
        pieces: list[str] = self._src.encode(text, out_type=str)
        return [*self._prefix, *pieces, "</s>"]

    def count_tokens(self, text: str) -> int:
        return len(self._encode(text))

    def generate(self, texts: Sequence[str], options: Generation) -> list[str]:
        batch = [self._encode(t) for t in texts]
        with self._lock:
            results = self._translator.translate_batch(
                batch,
                beam_size=options.beam_size,
                max_decoding_length=options.max_new_tokens,
                min_decoding_length=options.min_new_tokens,
                max_batch_size=0,
            )
        out = []
        for r in results:
            tokens = [t for t in r.hypotheses[0] if t not in ("</s>", "<pad>")]
            out.append(self._tgt.decode(tokens))
        return out

    def close(self) -> None:
        del self._translator
