"""Bounded load and soak against a dragoman server: N concurrent clients for D seconds over a mix
of rpcs, and a soak of many small requests watching the server's resident memory.

    .venv/bin/python -m bench.load                     # starts `dragoman serve` (embedded models)
    .venv/bin/python -m bench.load --server HOST:PORT  # an already running server
    .venv/bin/python -m bench.load --clients 8 --duration 20 --soak 10000 \
        --out bench/results-load.txt

The mix: DetectLanguage (one short text), ListModels, Brief of three small articles written for
this bench (en/ru/ar, one story), and Translate ru->en when the server lists that pair. Reported
per rpc: calls, p50 and p99 latency of the answered ones, errors by status, RESOURCE_EXHAUSTED
(admission control refusing, with grpc-retry-pushback-ms; the client waits that long, capped at
1 s, as a well-behaved client does).

Soak: `--soak N` sends N small requests (DetectLanguage and ListModels in turn) from the same
clients and samples the server's RSS every 1,000 requests (psutil): memory should stay flat.
RSS needs the server's pid: known when this script starts the server, else `--pid PID` (or the
local process listening on the port, when psutil may see it).

The clients run in this process on one event loop: on a small machine they compete with the
server for the cores, so the figures are a floor for what the server does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import psutil

from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc

ROOT = Path(__file__).resolve().parents[1]

# Three small articles about one (invented) story, one per language.
ARTICLES = [
    pb.Article(
        id="load-en",
        outlet="Bench Wire",
        language="en",
        title="Ceasefire in Aleppo collapses after a week",
        text=(
            "The ceasefire in Aleppo collapsed on Monday after a week of relative calm, the Syrian "
            "army said. At least 32 people were killed in overnight shelling, according to the "
            "Syrian Observatory for Human Rights. Kremlin spokesman Dmitry Peskov said Moscow "
            "still hoped the truce could be saved. Aid convoys waiting at the Turkish border "
            "were told to turn back."
        ),
    ),
    pb.Article(
        id="load-ru",
        outlet="Бенч-Новости",
        language="ru",
        title="Перемирие в Алеппо сорвано",
        text=(
            "Перемирие в Алеппо сорвано в понедельник после недели относительного затишья, "
            "заявила сирийская армия. По данным Сирийской обсерватории по правам человека, при "
            "ночных обстрелах погибли по меньшей мере 32 человека. Пресс-секретарь Кремля "
            "Дмитрий Песков заявил, что в Москве надеются сохранить перемирие."
        ),
    ),
    pb.Article(
        id="load-ar",
        outlet="نشرة الاختبار",
        language="ar",
        title="انهيار الهدنة في حلب",
        text=(
            "انهارت الهدنة في حلب يوم الاثنين بعد أسبوع من الهدوء النسبي، بحسب الجيش السوري. "
            "وقتل 32 شخصا على الأقل في قصف ليلي، وفقا للمرصد السوري لحقوق الإنسان. وقال المتحدث "
            "باسم الكرملين دميتري بيسكوف إن موسكو ما زالت تأمل في إنقاذ الهدنة."
        ),
    ),
]
DETECT_TEXTS = [
    "Песков заявил журналистам, что надежды мало.",
    "The army said the ceasefire was over.",
    "قال الجيش إن الهدنة انتهت.",
]
TRANSLATE_TEXTS = ["Песков заявил журналистам, что надежды на перемирие мало."]
RSS_EVERY = 1000


@dataclass
class Stats:
    """Per rpc: latencies of answered calls (seconds) and every call's status."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    codes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def record(self, rpc: str, code: grpc.StatusCode, seconds: float) -> None:
        self.codes[rpc][code.name] += 1
        if code is grpc.StatusCode.OK:
            self.latencies[rpc].append(seconds)


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


Call = Callable[[], Awaitable[Any]]


def _calls(stub: Any, translate: bool, timeout_s: float) -> dict[str, Call]:
    """The mix, by rpc name (Translate only when the server has ru-en)."""
    brief = pb.BriefRequest(articles=ARTICLES, target_language="en")
    calls: dict[str, Call] = {
        "DetectLanguage": lambda: stub.DetectLanguage(
            pb.DetectLanguageRequest(texts=[random.choice(DETECT_TEXTS)]), timeout=timeout_s
        ),
        "ListModels": lambda: stub.ListModels(pb.ListModelsRequest(), timeout=timeout_s),
        "Brief": lambda: stub.Brief(brief, timeout=timeout_s),
    }
    if translate:
        calls["Translate"] = lambda: stub.Translate(
            pb.TranslateRequest(texts=TRANSLATE_TEXTS, source_language="ru", target_language="en"),
            timeout=timeout_s,
        )
    return calls


async def _one(stats: Stats, rpc: str, call: Call) -> None:
    began = time.perf_counter()
    try:
        await call()
        stats.record(rpc, grpc.StatusCode.OK, time.perf_counter() - began)
    except grpc.aio.AioRpcError as err:
        stats.record(rpc, err.code(), time.perf_counter() - began)
        if err.code() is grpc.StatusCode.RESOURCE_EXHAUSTED:
            pushback = dict(err.trailing_metadata() or ()).get("grpc-retry-pushback-ms", "100")
            await asyncio.sleep(min(int(str(pushback)), 1000) / 1000)


async def load(
    target: str, clients: int, duration_s: float, metadata: tuple[tuple[str, str], ...]
) -> tuple[Stats, list[str], float]:
    """`clients` clients, each on its own channel, calling the mix in turn for `duration_s`."""
    async with grpc.aio.insecure_channel(target) as probe:
        models = await pb_grpc.DragomanStub(probe).ListModels(
            pb.ListModelsRequest(), metadata=metadata, timeout=30
        )
    translate = "ru-en" in models.translation_pairs
    stats = Stats()
    end = time.monotonic() + duration_s

    async def client(n: int) -> None:
        async with grpc.aio.insecure_channel(target) as channel:
            stub = pb_grpc.DragomanStub(channel)
            calls = _calls(_Authed(stub, metadata), translate, timeout_s=60)
            order = list(calls)
            i = n  # clients start at different rpcs
            while time.monotonic() < end:
                rpc = order[i % len(order)]
                await _one(stats, rpc, calls[rpc])
                i += 1

    began = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    rpcs = ["DetectLanguage", "ListModels", "Brief", *(["Translate"] if translate else [])]
    return stats, rpcs, time.monotonic() - began


class _Authed:
    """A stub whose calls carry the given metadata (an API key)."""

    def __init__(self, stub: pb_grpc.DragomanStub, metadata: tuple[tuple[str, str], ...]) -> None:
        self._stub = stub
        self._metadata = metadata

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._stub, name)
        return lambda req, **kw: method(req, metadata=self._metadata or None, **kw)


async def soak(
    target: str,
    clients: int,
    total: int,
    pid: int | None,
    metadata: tuple[tuple[str, str], ...],
) -> tuple[Stats, list[tuple[int, float]], float]:
    """`total` small requests from `clients` clients; server RSS (MB) every RSS_EVERY requests."""
    proc = psutil.Process(pid) if pid else None
    stats = Stats()
    samples: list[tuple[int, float]] = []
    sent = 0

    def sample() -> None:
        if proc is not None:
            samples.append((sent, proc.memory_info().rss / 2**20))

    sample()

    async def client() -> None:
        nonlocal sent
        async with grpc.aio.insecure_channel(target) as channel:
            stub = _Authed(pb_grpc.DragomanStub(channel), metadata)
            calls = _calls(stub, translate=False, timeout_s=60)
            while sent < total:
                sent += 1
                n = sent
                rpc = "DetectLanguage" if n % 2 else "ListModels"
                await _one(stats, rpc, calls[rpc])
                if n % RSS_EVERY == 0:
                    sample()

    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return stats, samples, time.monotonic() - began


# -- the server this script starts when no --server is given -----------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def started_server(models_dir: Path | None, extra: list[str]) -> Iterator[tuple[str, int]]:
    """`dragoman serve` on a free loopback port with the embedded models loaded at start;
    yields (target, pid) once it is SERVING and stops it with SIGTERM afterwards."""
    from dragoman.client import Client

    port = _free_port()
    env = {
        **os.environ,
        "DRAGOMAN_EMBEDDED": "true",
        "DRAGOMAN_METRICS_PORT": "-1",
        "DRAGOMAN_LOG_LEVEL": "WARNING",
    }
    if models_dir is not None:
        env["DRAGOMAN_MODELS_DIR"] = str(models_dir)
    cmd = [
        sys.executable,
        "-m",
        "dragoman.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen([*cmd, *extra], env=env, cwd=ROOT)
    try:
        Client(f"127.0.0.1:{port}").wait_ready(300)
        yield f"127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _listening_pid(target: str) -> int | None:
    """The local process listening on the target's port, when psutil may see it."""
    port = int(target.rsplit(":", 1)[1])
    with contextlib.suppress(psutil.Error, PermissionError):
        for conn in psutil.net_connections("tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                return conn.pid
    return None


# -- report ------------------------------------------------------------------------------------
def _commit() -> str:
    """The checkout's commit (+ when it has uncommitted changes), for the report header."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + ("+" if dirty else "")


def _table(stats: Stats, rpcs: list[str], elapsed_s: float) -> list[str]:
    lines = [
        "| rpc | calls | calls/s | p50 ms | p99 ms | errors by status | RESOURCE_EXHAUSTED |",
        "|---|---|---|---|---|---|---|",
    ]
    for rpc in rpcs:
        codes = stats.codes.get(rpc, Counter())
        lat = stats.latencies.get(rpc, [])
        calls = sum(codes.values())
        errors = ", ".join(f"{c} {n}" for c, n in sorted(codes.items()) if c != "OK") or "none"
        lines.append(
            f"| {rpc} | {calls} | {calls / elapsed_s:.1f} | {_quantile(lat, 0.5) * 1000:.1f} | "
            f"{_quantile(lat, 0.99) * 1000:.1f} | {errors} | "
            f"{codes.get('RESOURCE_EXHAUSTED', 0)} |"
        )
    return lines


async def run(args: argparse.Namespace, target: str, pid: int | None) -> list[str]:
    metadata = (("authorization", f"Bearer {args.api_key}"),) if args.api_key else ()
    server = args.server or "started by the bench (embedded models)"
    if args.serve_arg:
        server += " with " + " ".join(args.serve_arg)
    out = [
        f"bench.load {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {_commit()}, "
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        f"server: {server}",
        "",
    ]
    if args.duration > 0:
        stats, rpcs, elapsed = await load(target, args.clients, args.duration, metadata)
        if "Translate" not in rpcs:
            out.append("Translate: skipped (the server has no ru-en model installed)")
        out += [
            f"load: {args.clients} concurrent clients for {elapsed:.1f} s, the mix in turn",
            "",
            *_table(stats, rpcs, elapsed),
            "",
        ]
    if args.soak > 0:
        stats, samples, elapsed = await soak(target, args.clients, args.soak, pid, metadata)
        out += [
            f"soak: {args.soak} small requests (DetectLanguage and ListModels in turn) from "
            f"{args.clients} clients in {elapsed:.1f} s",
            "",
            *_table(stats, ["DetectLanguage", "ListModels"], elapsed),
            "",
        ]
        if samples:
            rss = [mb for _, mb in samples]
            out += [
                f"server RSS every {RSS_EVERY} requests (MB): "
                + " ".join(f"{mb:.0f}" for mb in rss),
                f"server RSS first {rss[0]:.0f} MB, last {rss[-1]:.0f} MB, max {max(rss):.0f} MB "
                f"(last - first: {rss[-1] - rss[0]:+.0f} MB)",
            ]
        else:
            out.append("server RSS: not sampled (no pid: pass --pid)")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--server", help="HOST:PORT of a running server (default: start one)")
    parser.add_argument("--pid", type=int, help="the server's pid, for RSS (with --server)")
    parser.add_argument("--api-key", default=os.environ.get("DRAGOMAN_API_KEY", ""))
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--duration", type=float, default=20.0, help="load seconds (0: none)")
    parser.add_argument("--soak", type=int, default=0, help="small requests to soak with (0: none)")
    parser.add_argument("--models-dir", type=Path, help="models folder of the started server")
    parser.add_argument(
        "--serve-arg",
        action="append",
        default=[],
        help="extra `dragoman serve` argument for the started server, e.g. "
        "--serve-arg=--max-waiting-requests=4 (repeatable)",
    )
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    random.seed(0)

    with contextlib.ExitStack() as stack:
        if args.server:
            target, pid = args.server, args.pid or _listening_pid(args.server)
        else:
            target, pid = stack.enter_context(started_server(args.models_dir, args.serve_arg))
        report = asyncio.run(run(args, target, pid))
    text = "\n".join(report) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
