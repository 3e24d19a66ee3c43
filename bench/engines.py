"""One engine measured per process (so peak RSS is its own): prints one JSON line.

python -m bench.engines naive|hf|ct2 --model DIR --sentences FILE --out-tokens N [--batch B]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: ru_maxrss survives exec, so a child of a
    big parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_hf(
    model_dir: Path, sentences: list[str], out_tokens: int, batch: int, threads: int
) -> float:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    torch.set_num_threads(threads)
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir)).eval()

    def go(items: list[str]) -> None:
        enc = tok(items, return_tensors="pt", padding=True)
        with torch.inference_mode():
            model.generate(
                **enc,
                max_new_tokens=out_tokens,
                min_new_tokens=out_tokens,
                num_beams=1,
                do_sample=False,
            )

    go(sentences[:1])  # warm-up
    start = time.perf_counter()
    for i in range(0, len(sentences), batch):
        go(sentences[i : i + batch])
    return time.perf_counter() - start


def run_ct2(
    model_dir: Path, sentences: list[str], out_tokens: int, batch: int, threads: int
) -> float:
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
    translator = ctranslate2.Translator(
        str(model_dir), device="cpu", compute_type="int8", inter_threads=1, intra_threads=threads
    )
    tokens = [[*sp.encode(s, out_type=str), "</s>"] for s in sentences]

    def go(items: list[list[str]]) -> None:
        translator.translate_batch(
            items, beam_size=1, max_decoding_length=out_tokens, min_decoding_length=out_tokens
        )

    go(tokens[:1])
    start = time.perf_counter()
    for i in range(0, len(tokens), batch):
        go(tokens[i : i + batch])
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("engine", choices=["naive", "hf", "ct2"])
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--sentences", type=Path, required=True)
    p.add_argument("--out-tokens", type=int, required=True)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0)
    a = p.parse_args()
    sentences = json.loads(a.sentences.read_text())
    if a.limit:
        sentences = sentences[: a.limit]
    if a.engine == "ct2":
        seconds = run_ct2(a.model, sentences, a.out_tokens, a.batch, a.threads)
    else:
        batch = 1 if a.engine == "naive" else a.batch
        seconds = run_hf(a.model, sentences, a.out_tokens, batch, a.threads)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "items": len(sentences),
                "tokens": len(sentences) * a.out_tokens,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
