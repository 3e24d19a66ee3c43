"""The install step the Dockerfile runs, into a fresh prefix: the slim variant (no torch).

The Dockerfile's own `RUN ... scripts/install.sh ... /opt/venv` line is read and run as
`docker build --build-arg variant=slim` runs it in the builder stage, with a new prefix for
/opt/venv, from this machine's package indexes. Then that venv's `dragoman` briefs articles in
one process, and its server starts, reports SERVING, translates with a CTranslate2 model, says
what to install for the transformers models it cannot load, and stops cleanly on SIGTERM. (The
full variant is the install every CI run makes: scripts/test.sh runs the same script.)
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import grpc
import pytest

from dragoman.client import Client
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from tests.conftest import dockerfile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "ceasefire"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dockerfile_healthcheck() -> list[str]:
    """The runtime stage's HEALTHCHECK command (exec form)."""
    [check] = [a for i, a in dockerfile() if i == "HEALTHCHECK"]
    command: list[str] = json.loads(check[check.index("CMD ") + 4 :])
    return command


def dockerfile_install_step() -> str:
    """The builder's RUN instruction that runs scripts/install.sh."""
    steps = [a for i, a in dockerfile() if i == "RUN" and "scripts/install.sh" in a]
    assert len(steps) == 1, steps
    return steps[0]


@pytest.fixture(scope="module")
def slim_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("slim") / "venv"
    step = dockerfile_install_step()
    assert "/opt/venv" in step and "$variant" in step
    env = {**os.environ, "variant": "slim"}  # the build arg, as RUN sees it
    env.pop("PYTHONPATH", None)
    env.pop("DRAGOMAN_EDITABLE", None)
    done = subprocess.run(
        ["sh", "-c", step.replace("/opt/venv", str(venv))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return venv


def _clean_env(models: Path, **extra: str) -> dict[str, str]:
    """Run the slim venv's dragoman from outside the checkout (never this tree's service/);
    the manifest is MODELS_DIR's own when it has one, else the one the package ships."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRAGOMAN_", "PYTHON"))}
    env.update(
        DRAGOMAN_MODELS_DIR=str(models),
        DRAGOMAN_CACHE_PATH="",
        DRAGOMAN_METRICS_PORT="-1",
        **extra,
    )
    return env


@pytest.mark.timeout(1800)
def test_slim_install_has_no_torch_and_briefs(slim_venv: Path, tmp_path: Path) -> None:
    py = slim_venv / "bin" / "python"
    probe = subprocess.run(
        [
            str(py),
            "-c",
            "import importlib.util as u, dragoman; from dragoman.client import AsyncClient, Client;"
            " print(u.find_spec('torch'), u.find_spec('transformers'), u.find_spec('service'),"
            " dragoman.__file__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    torch_spec, transformers_spec, service_spec, where = probe.stdout.split()
    assert (torch_spec, transformers_spec) == ("None", "None")
    assert service_spec == "None"  # the import package is `dragoman`, nothing named `service`
    assert str(slim_venv) in where  # a plain install, not this checkout
    done = subprocess.run(
        [str(slim_venv / "bin" / "dragoman"), "brief", "--format", "json", str(EXAMPLES)],
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    brief = json.loads(done.stdout)
    assert brief["keyPoints"] and brief["entities"]
    listed = subprocess.run(
        [str(slim_venv / "bin" / "dragoman"), "models", "list"],
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert "opus-mt-ru-en" in listed.stdout  # the manifest the package ships


@pytest.mark.timeout(1800)
def test_slim_server_serves_ct2_and_names_the_hf_extra(
    slim_venv: Path, tiny_models: Path, tmp_path: Path
) -> None:
    port, health_port = _free_port(), _free_port()
    env = _clean_env(
        tiny_models,
        DRAGOMAN_HOST="127.0.0.1",
        DRAGOMAN_PORT=str(port),
        DRAGOMAN_HEALTH_PORT=str(health_port),
        DRAGOMAN_MAX_OUTPUT_TOKENS="8",
        DRAGOMAN_GRACE_S="2",
    )
    proc = subprocess.Popen(
        [str(slim_venv / "bin" / "dragoman"), "serve"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        Client(f"127.0.0.1:{port}").wait_ready(180)
        # the image's HEALTHCHECK, run with the image's python (the venv's), passes
        check = dockerfile_healthcheck()
        assert check[0] == "python"
        probe = subprocess.run(
            [str(slim_venv / "bin" / "python"), *check[1:]], env=env, timeout=60, check=False
        )
        assert probe.returncode == 0
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.DragomanStub(channel)
            models = {m.name: m for m in stub.ListModels(pb.ListModelsRequest(), timeout=10).models}
            assert models["tiny-bart"].installed
            assert "dragoman[hf]" in models["tiny-bart"].install_hint
            assert models["opus-mt-ru-en"].installed and models["opus-mt-ru-en"].install_hint == ""
            out = stub.Translate(
                pb.TranslateRequest(
                    texts=["Песков заявил."], source_language="ru", target_language="en"
                ),
                timeout=60,
            )
            assert out.translations[0].translated_text
            assert out.translations[0].model == "opus-mt-ru-en"
            with pytest.raises(grpc.RpcError) as refused:
                stub.Translate(
                    pb.TranslateRequest(
                        texts=["قال المتحدث إن الهدنة انهارت."],
                        source_language="ar",
                        target_language="en",
                    ),
                    timeout=60,
                )
            err = refused.value
            assert err.code() == grpc.StatusCode.FAILED_PRECONDITION  # type: ignore[attr-defined]
            assert "dragoman[hf]" in err.details()  # type: ignore[attr-defined]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    log = proc.stderr.read() if proc.stderr else ""
    assert "not loading tiny-bart" in log and "Traceback" not in log
