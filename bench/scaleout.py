"""Scale-out on one machine: `dragoman batch --server` against 1 server process vs 3.

    .venv/bin/python -m bench.scaleout [--runs 3] [--processes 1,3] [--out FILE]

Starts N `dragoman serve` processes on loopback (embedded models, no translation model: the
brief's own work), waits until each is SERVING and has made one brief, then times
`dragoman batch FEED --out NEW --server ipv4:127.0.0.1:P1,...` (ClusterStories on one server,
the stories dealt over 4 concurrent BriefStreams that round_robin spreads over the servers).
Each configuration runs --runs times, alternating, on fresh servers each time (a server keeps
the embeddings it computed); medians. The feed is the real-article dev
set when it is present (bench/quality/data/, git-ignored), else the repo's fixtures.

On a 2-core machine more processes cannot add cores; what they can add is parallelism the GIL
denies one process (a brief is mostly Python). The per-replica figure is the 1-process one: a
replica with the same 2 cores does that much, and replicas on their own cores add up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
DEV_SET = ROOT / "bench" / "quality" / "data"
FIXTURES = [ROOT / "examples" / "ceasefire", ROOT / "tests" / "fixtures" / "feed" / "feed.jsonl"]


def feed_file() -> tuple[Path, str, int]:
    """A JSONL feed: the dev set's articles (with their publication times) or the fixtures'."""
    out = CACHE / "scaleout-feed.jsonl"
    CACHE.mkdir(parents=True, exist_ok=True)
    pages = sorted(DEV_SET.glob("*/*.json"))
    if pages:
        rows = [json.loads(p.read_text(encoding="utf-8")) for p in pages]
        stories = len({p.parent for p in pages})
        source = f"the real-article dev set ({len(rows)} pages, {stories} stories)"
    else:
        from dragoman.articles import read_articles

        rows = [
            {
                "id": a.id,
                "title": a.title,
                "text": a.text,
                "language": a.language,
                "outlet": a.outlet,
                "published_time": a.published,
            }
            for a in read_articles(FIXTURES)
        ]
        source = f"the repo's fixtures ({len(rows)} articles)"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return out, source, len(rows)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRAGOMAN_")}
    env.update(
        DRAGOMAN_MODELS_DIR=str(CACHE / "no-models"),
        DRAGOMAN_MANIFEST=str(ROOT / "models" / "manifest.toml"),
        DRAGOMAN_CACHE_PATH="",  # every run does the work
        DRAGOMAN_METRICS_PORT="-1",
        DRAGOMAN_LOG_LEVEL="WARNING",
        DRAGOMAN_HOST="127.0.0.1",
    )
    return env


def start_servers(n: int) -> tuple[list[subprocess.Popen[bytes]], list[int]]:
    ports = [free_port() for _ in range(n)]
    procs = []
    for port in ports:
        env = {**environment(), "DRAGOMAN_PORT": str(port)}
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "dragoman.cli", "serve"],
                env=env,
                stderr=subprocess.DEVNULL,
                cwd=ROOT,
            )
        )
    from dragoman.client import Client

    for port in ports:
        with Client(f"127.0.0.1:{port}") as client:
            client.wait_ready(300)
    return procs, ports


WARM_UP = (
    "The city council met on Tuesday to discuss the new budget. The mayor said the plan would "
    "fund two schools and repair the main bridge before winter."
)


def warm_up(ports: list[int]) -> None:
    """One brief per server of a text that is not in the feed: every model loaded and used."""
    from dragoman.client import Client
    from dragoman.domain import Article

    for port in ports:
        with Client(f"127.0.0.1:{port}") as client:
            client.brief([Article(id="warm-up", text=WARM_UP, language="en")], "en", False)


def batch_seconds(ports: list[int], feed: Path) -> float:
    target = "ipv4:" + ",".join(f"127.0.0.1:{p}" for p in ports)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        command = [sys.executable, "-m", "dragoman.cli", "batch", str(feed), "--out", tmp]
        done = subprocess.run(
            [*command, "--server", target],
            env=environment(),
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        seconds = time.perf_counter() - began
        if done.returncode != 0:
            raise RuntimeError(f"batch failed:\n{done.stderr[-3000:]}")
        index = (Path(tmp) / "index.jsonl").read_text().splitlines()
        if not index:
            raise RuntimeError("batch wrote no story")
    return seconds


def rss_mb(procs: list[subprocess.Popen[bytes]]) -> float:
    return sum(psutil.Process(p.pid).memory_info().rss for p in procs) / 2**20


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(30)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--processes", default="1,3")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results-scaleout.txt")
    a = p.parse_args()
    counts = [int(x) for x in a.processes.split(",")]
    feed, source, n_articles = feed_file()
    load = [os.getloadavg()[0]]
    times: dict[int, list[float]] = {n: [] for n in counts}
    memory: dict[int, float] = {}
    for r in range(a.runs):
        for n in counts:
            # fresh servers every run: a server remembers the embeddings of what it has seen
            print(f"  run {r + 1}/{a.runs}: {n} process(es) ...", flush=True)
            procs, ports = start_servers(n)
            try:
                warm_up(ports)
                times[n].append(batch_seconds(ports, feed))
                memory[n] = max(memory.get(n, 0.0), rss_mb(procs))
            finally:
                stop(procs)
        load.append(os.getloadavg()[0])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    lines = [
        f"bench.scaleout {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit {commit}, "
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        f"feed: {source}; medians of {a.runs} runs, alternating, fresh servers each run; "
        "load average (1 min) at start and after each round: "
        + " -> ".join(f"{x:.1f}" for x in load),
        "",
        "| servers | batch wall s (min-max) | articles/s | vs 1 server | servers' peak RSS MB |",
        "|---|---|---|---|---|",
    ]
    base = statistics.median(times[counts[0]])
    for n in counts:
        med = statistics.median(times[n])
        lines.append(
            f"| {n} | {med:.1f} ({min(times[n]):.1f}-{max(times[n]):.1f}) | "
            f"{n_articles / med:.2f} | {base / med:.2f}x | {memory[n]:.0f} |"
        )
    per_replica = n_articles / base
    lines += [
        "",
        f"per replica (1 server process on these {os.cpu_count()} cores): {per_replica:.2f} "
        f"articles/s; k replicas on their own cores: about k x {per_replica:.2f} articles/s.",
    ]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    a.out.write_text(text)
    print(f"written to {a.out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
