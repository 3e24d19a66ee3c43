"""Abstractive summarisation speed: naive transformers loop vs batched transformers vs dragoman's
Summarize over gRPC (serial vs concurrent clients, merged by the batching scheduler), on a
random-weight distilbart-cnn-6-6-size BART, fixed output length.

    .venv/bin/python -m bench.summarize [--articles 8] [--src-tokens 400] [--out-tokens 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from pathlib import Path

from bench.translate import CACHE, run_engine, server_peak_rss_mb, start_server, wait_serving


def build(path: Path) -> Path:
    from bench.modelgen import DISTILBART_6_6, build_bart

    if not (path / "config.json").exists():
        print("building a random-weight distilbart-cnn-6-6-size BART ...", flush=True)
        build_bart(path, DISTILBART_6_6)
    return path


def make_articles(model: Path, n: int, tokens: int) -> list[str]:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model))
    from bench.modelgen import DEFAULT_CORPUS

    rng = random.Random(0)
    words = " ".join(DEFAULT_CORPUS[:3]).split()
    out = []
    for _ in range(n):
        text = ""
        while len(tok(text)["input_ids"]) < tokens:
            text += " " + " ".join(rng.sample(words, 8)) + "."
        ids = tok(text)["input_ids"][1 : tokens - 1]
        out.append(tok.decode(ids))
    return out


async def client_load(port: int, articles: list[str], clients: int) -> float:
    import grpc

    from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
    from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc

    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = pb_grpc.DragomanStub(channel)

        async def one(mine: list[str]) -> None:
            for text in mine:
                r = await stub.Summarize(
                    pb.SummarizeRequest(
                        text=text, source_language="en", method=pb.SUMMARIZE_METHOD_ABSTRACTIVE
                    )
                )
                assert r.method == pb.SUMMARIZE_METHOD_ABSTRACTIVE

        await one(articles[:1])  # warm-up
        start = time.perf_counter()
        await asyncio.gather(*(one(articles[c::clients]) for c in range(clients)))
        return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--articles", type=int, default=8)
    p.add_argument("--src-tokens", type=int, default=400)
    p.add_argument("--out-tokens", type=int, default=32)
    p.add_argument("--port", type=int, default=50178)
    a = p.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    model = build(CACHE / "distilbart-6-6")
    articles = make_articles(model, a.articles, a.src_tokens)
    afile = CACHE / "articles.json"
    afile.write_text(json.dumps(articles))
    rows: dict[str, dict[str, float]] = {}
    print("measuring: naive loop ...", flush=True)
    rows["1. transformers naive loop (batch 1)"] = run_engine(
        "naive", model, afile, a.out_tokens, 1
    )
    print("measuring: transformers batched ...", flush=True)
    rows[f"2. transformers batched ({a.articles})"] = run_engine(
        "hf", model, afile, a.out_tokens, a.articles
    )
    entry = (
        '[[model]]\nname = "bench-bart"\ntask = "summarize"\nsource = "en"\n'
        'target = "en"\nhub_id = "random/distilbart-6-6-size"\nrevision = "local"\n'
        'license = "none"\nformat = "transformers"\npath = "model"\n'
        "max_input_tokens = 1024\n"
    )
    server = start_server(
        model,
        entry,
        a.port,
        DRAGOMAN_SUMMARY_MAX_TOKENS=str(a.out_tokens),
        DRAGOMAN_MIN_OUTPUT_TOKENS=str(a.out_tokens),
        DRAGOMAN_BATCH_MAX_ITEMS=str(a.articles),
        DRAGOMAN_BATCH_MAX_TOKENS="100000",
        DRAGOMAN_BATCH_MAX_WAIT_MS="10",
    )
    try:
        wait_serving(a.port)
        for name, clients in [
            ("3a. dragoman gRPC Summarize, serial", 1),
            (f"3b. dragoman gRPC Summarize, {a.articles} clients", a.articles),
        ]:
            print(f"measuring: {name} ...", flush=True)
            seconds = asyncio.run(client_load(a.port, articles, clients))
            rows[name] = {
                "seconds": seconds,
                "items": len(articles),
                "tokens": len(articles) * a.out_tokens,
                "peak_rss_mb": server_peak_rss_mb(server.pid),
            }
    finally:
        server.terminate()
        server.wait(30)
    print(
        f"\ndistilbart-cnn-6-6-size BART (random weights), {a.articles} articles of "
        f"{a.src_tokens} tokens, {a.out_tokens} summary tokens each, greedy, "
        f"{os.cpu_count()} cores\n"
    )
    print(f"| {'engine':<44} | {'articles/s':>10} | {'target tok/s':>12} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 14}|{'-' * 13}|")
    for name, r in rows.items():
        print(
            f"| {name:<44} | {r['items'] / r['seconds']:>10.2f} | "
            f"{r['tokens'] / r['seconds']:>12.1f} | {r['peak_rss_mb']:>11.0f} |"
        )
    names = list(rows)
    speed = {n: rows[n]["tokens"] / rows[n]["seconds"] for n in names}
    print(
        f"\nconcurrent / serial through dragoman: {speed[names[3]] / speed[names[2]]:.2f}x; "
        f"dragoman concurrent / naive loop: {speed[names[3]] / speed[names[0]]:.2f}x"
    )


if __name__ == "__main__":
    main()
