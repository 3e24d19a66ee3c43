"""Translation speed: naive transformers loop vs batched transformers vs CTranslate2 int8 (at the
batch size of the bench and at 16, the batch 16 concurrent clients form) vs dragoman over gRPC
(1, 4, 16 clients), on a random-weight opus-mt-size Marian, fixed output length.

    .venv/bin/python -m bench.translate [--sentences 64] [--out-tokens 48]

Prints a table of target tokens/s, peak RSS, and the ratios the speed issue asks for.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
PY = sys.executable


def build_models(vocab: int) -> tuple[Path, Path]:
    """Real-size random Marian (cached): the transformers folder and its CT2 int8 conversion."""
    from bench.modelgen import OPUS_MT, MarianSize, build_marian, convert_marian_to_ct2

    size = MarianSize(**{**OPUS_MT.__dict__, "vocab": vocab})
    hf = CACHE / f"marian-{vocab}"
    ct2 = CACHE / f"marian-{vocab}-ct2"
    if not (hf / "config.json").exists():
        print(f"building a random-weight opus-mt-size Marian (vocab {vocab}) ...", flush=True)
        build_marian(hf, size)
    if not (ct2 / "model.bin").exists():
        convert_marian_to_ct2(hf, ct2, "int8")
    return hf, ct2


def make_sentences(model_dir: Path, n: int, tokens: int) -> list[str]:
    """n sentences of about `tokens` source tokens each, from the model's own vocabulary."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
    rng = random.Random(0)
    pieces = [sp.id_to_piece(i) for i in range(3, sp.get_piece_size())]
    out = []
    for _ in range(n):
        words = [p for p in rng.sample(pieces, tokens * 2) if p.startswith("▁")][:tokens]
        text = sp.decode(words)
        while len(sp.encode(text)) > tokens - 1:
            text = text.rsplit(" ", 1)[0]
        out.append(text)
    return out


def run_engine(
    engine: str,
    model: Path,
    sentences_file: Path,
    out_tokens: int,
    batch: int,
    limit: int = 0,
    threads: int = 0,
) -> dict[str, float]:
    """One bench.engines run in its own process (`threads` 0: its default)."""
    cmd = [
        PY,
        "-m",
        "bench.engines",
        engine,
        "--model",
        str(model),
        "--sentences",
        str(sentences_file),
        "--out-tokens",
        str(out_tokens),
        "--batch",
        str(batch),
    ]
    if limit:
        cmd += ["--limit", str(limit)]
    if threads:
        cmd += ["--threads", str(threads)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{r.stderr[-3000:]}")
    result: dict[str, float] = json.loads(r.stdout.strip().splitlines()[-1])
    return result


def start_server(model: Path, entry: str, port: int, **env_extra: str) -> subprocess.Popen[bytes]:
    """`dragoman serve` with one model: `entry` is its manifest table (path = "model")."""
    models = CACHE / f"server-{model.name}"
    models.mkdir(exist_ok=True)
    link = models / "model"
    if not link.exists():
        link.symlink_to(model)
    (models / "manifest.toml").write_text(entry)
    env = {
        **os.environ,
        "DRAGOMAN_MODELS_DIR": str(models),
        "DRAGOMAN_EMBEDDED": "false",
        "DRAGOMAN_LOG_LEVEL": "WARNING",
        **env_extra,
    }
    return subprocess.Popen(
        [str(Path(PY).parent / "dragoman"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
    )


def server_peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


async def client_load(port: int, sentences: list[str], clients: int, per_request: int) -> float:
    """`clients` concurrent clients share the sentences, each sending requests one at a time."""
    import grpc

    from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
    from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc

    requests = [sentences[i : i + per_request] for i in range(0, len(sentences), per_request)]
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = pb_grpc.DragomanStub(channel)

        async def one_client(mine: list[list[str]]) -> None:
            for texts in mine:
                resp = await stub.Translate(
                    pb.TranslateRequest(texts=texts, source_language="ru", target_language="en")
                )
                assert len(resp.translations) == len(texts)

        await one_client(requests[:1])  # warm-up
        start = time.perf_counter()
        await asyncio.gather(*(one_client(requests[c::clients]) for c in range(clients)))
        return time.perf_counter() - start


def wait_serving(port: int, timeout_s: float = 120) -> None:
    from dragoman.client import Client

    Client(f"127.0.0.1:{port}").wait_ready(timeout_s)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sentences", type=int, default=64)
    p.add_argument(
        "--naive-sentences",
        type=int,
        default=16,
        help="the naive loop is slow: it runs on the first N sentences",
    )
    p.add_argument("--src-tokens", type=int, default=25)
    p.add_argument("--out-tokens", type=int, default=48)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--vocab", type=int, default=58_000)
    p.add_argument("--port", type=int, default=50177)
    a = p.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    hf, ct2 = build_models(a.vocab)
    sentences = make_sentences(hf, a.sentences, a.src_tokens)
    sfile = CACHE / "sentences.json"
    sfile.write_text(json.dumps(sentences, ensure_ascii=False))
    rows: dict[str, dict[str, float]] = {}
    print("measuring: naive loop ...", flush=True)
    rows["1. transformers naive loop (batch 1)"] = run_engine(
        "naive", hf, sfile, a.out_tokens, 1, a.naive_sentences
    )
    print("measuring: transformers batched ...", flush=True)
    rows[f"2. transformers batched ({a.batch})"] = run_engine(
        "hf", hf, sfile, a.out_tokens, a.batch
    )
    print("measuring: CTranslate2 int8 ...", flush=True)
    rows[f"3. CTranslate2 int8 direct ({a.batch})"] = run_engine(
        "ct2", ct2, sfile, a.out_tokens, a.batch
    )
    # what 16 one-sentence clients can reach at best: CT2 at the batch size they form
    rows["3b. CTranslate2 int8 direct (16)"] = run_engine("ct2", ct2, sfile, a.out_tokens, 16)
    entry = (
        '[[model]]\nname = "bench-marian"\ntask = "translate"\nsource = "ru"\n'
        'target = "en"\nhub_id = "random/opus-mt-size"\nrevision = "local"\n'
        'license = "none"\nformat = "ctranslate2"\npath = "model"\n'
        "max_input_tokens = 256\n"
    )
    server = start_server(
        ct2,
        entry,
        a.port,
        DRAGOMAN_MAX_OUTPUT_TOKENS=str(a.out_tokens),
        DRAGOMAN_MIN_OUTPUT_TOKENS=str(a.out_tokens),
        DRAGOMAN_BATCH_MAX_ITEMS=str(a.batch),
        DRAGOMAN_BATCH_MAX_WAIT_MS="5",
    )
    try:
        wait_serving(a.port)
        loads = [
            ("4a. dragoman gRPC, 1 client, 1 request", 1, len(sentences)),
            ("4b. dragoman gRPC, serial 1-sentence requests", 1, 1),
            ("4c. dragoman gRPC, 4 clients, 1-sentence requests", 4, 1),
            ("4d. dragoman gRPC, 16 clients, 1-sentence requests", 16, 1),
        ]
        for name, clients, per in loads:
            print(f"measuring: {name} ...", flush=True)
            seconds = asyncio.run(client_load(a.port, sentences, clients, per))
            rows[name] = {
                "seconds": seconds,
                "items": len(sentences),
                "tokens": len(sentences) * a.out_tokens,
                "peak_rss_mb": server_peak_rss_mb(server.pid),
            }
    finally:
        server.terminate()
        server.wait(30)

    def tps(name: str) -> float:
        return rows[name]["tokens"] / rows[name]["seconds"]

    print(
        f"\nopus-mt-size Marian (random weights, vocab {a.vocab}), {a.src_tokens}-token "
        f"sentences, {a.out_tokens} output tokens each, greedy, {os.cpu_count()} cores\n"
    )
    print(f"| {'engine':<52} | {'target tok/s':>12} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 54}|{'-' * 14}|{'-' * 13}|")
    for name, r in rows.items():
        print(f"| {name:<52} | {tps(name):>12.1f} | {r['peak_rss_mb']:>11.0f} |")
    names = list(rows)
    naive, hf_b, ct2_n, ct2_16 = names[0], names[1], names[2], names[3]
    one, serial, c16 = names[4], names[5], names[7]
    best_grpc = max(tps(n) for n in names[4:])
    ratios = [
        ("dragoman gRPC (best) / naive loop", best_grpc / tps(naive), 5.0),
        ("dragoman 1 client / CTranslate2 direct", tps(one) / tps(ct2_n), 0.9),
        ("16 concurrent clients / same requests serially", tps(c16) / tps(serial), 3.0),
        ("16 concurrent clients / CTranslate2 direct (16)", tps(c16) / tps(ct2_16), 0.9),
        (
            "CT2 direct RSS / transformers batched RSS",
            rows[ct2_n]["peak_rss_mb"] / rows[hf_b]["peak_rss_mb"],
            0.4,
        ),
    ]
    print(f"\n| {'ratio':<48} | {'measured':>8} | {'target':>8} | met |")
    print(f"|{'-' * 50}|{'-' * 10}|{'-' * 10}|-----|")
    for label, value, target in ratios:
        ok = value <= target if "RSS" in label else value >= target
        sign = "<=" if "RSS" in label else ">="
        print(
            f"| {label:<48} | {value:>8.2f} | {sign}{target:>6.2f} | {'yes' if ok else 'NO':<3} |"
        )


if __name__ == "__main__":
    main()
