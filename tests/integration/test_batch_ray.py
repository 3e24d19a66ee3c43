"""`dragoman batch --ray` as users run it, on a Ray instance this machine starts (its CPUs, 2
here): the same stories, index, story files and errors as a local run of the same feed, a
story that cannot be briefed is an error line (the run goes on), and a re-run rebuilds nothing;
the same over Ray Client (ray://) to a head started like a cluster's.
Also what needs no Ray: --ray with --server, an address that is a path, Ray not installed, and
the KubeRay recipe (deploy/ray/raycluster.yaml) against the Kubernetes schemas and the pin."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FEED = ROOT / "tests" / "fixtures" / "feed" / "feed.jsonl"
RAYCLUSTER = ROOT / "deploy" / "ray" / "raycluster.yaml"


def _batch(
    *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dragoman.cli", "batch", *args],
        env={
            **os.environ,
            "DRAGOMAN_METRICS_PORT": "-1",
            "DRAGOMAN_TORCH_THREADS": "1",
            **(env or {}),
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _extra(folder: Path) -> Path:
    """Bad items beside the feed: a broken line, an empty text, and an article that clusters but
    cannot be briefed (a control character: the brief refuses it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "extra.jsonl"
    bell = {
        "id": "bell-en",
        "language": "en",
        "published_time": "2026-03-10T12:00:00Z",
        "title": "Museum bell rings again",
        "text": "A museum in Orlin rang its old bell\x07 at noon for the first time in a century. "
        "Curators said the bell had been restored over two years.",
    }
    path.write_text(
        json.dumps(bell) + "\n{not json\n" + json.dumps({"id": "empty-en", "text": "  "}) + "\n",
        encoding="utf-8",
    )
    return path


def _index(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (out / "index.jsonl").read_text().splitlines()]


def _errors(out: Path) -> list[tuple[str, str]]:
    rows = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    return sorted((e["item"], e["reason"]) for e in rows)  # story errors come as they finish


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("ray.data")
    tmp = tmp_path_factory.mktemp("batch-ray")
    extra = _extra(tmp / "in")
    outs = {"local": tmp / "local", "ray": tmp / "ray", "extra": extra}
    local = _batch(str(FEED), str(extra), "--out", str(outs["local"]))
    assert local.returncode == 0, local.stderr[-3000:]
    on_ray = _batch(str(FEED), str(extra), "--out", str(outs["ray"]), "--ray")
    assert on_ray.returncode == 0, on_ray.stderr[-3000:]
    assert "articles  12" in on_ray.stderr and "5 built" in on_ray.stderr, on_ray.stderr[-3000:]
    return outs


@pytest.mark.slow
def test_ray_run_forms_and_briefs_the_same_stories_as_a_local_run(runs: dict[str, Path]) -> None:
    local, on_ray = _index(runs["local"]), _index(runs["ray"])
    assert [r["articles"] for r in on_ray] == [r["articles"] for r in local]
    assert on_ray == local  # the same story ids, languages and headlines too
    assert len(local) == 5 and all(r["articles"] for r in local)
    for row in on_ray:
        for ext in (".json", ".md"):
            name = f"{row['story']}{ext}"
            assert (runs["ray"] / "stories" / name).read_text() == (
                runs["local"] / "stories" / name
            ).read_text()
    assert not list(runs["ray"].glob("**/.*.tmp-*"))


@pytest.mark.slow
def test_bad_items_and_a_failed_story_are_error_lines(runs: dict[str, Path]) -> None:
    errors = _errors(runs["ray"])
    assert errors == _errors(runs["local"])
    reasons = dict(errors)
    assert len(errors) == 3, errors
    assert "control character" in reasons["bell-en"] and reasons["bell-en"].startswith("story s-")
    assert any("not valid JSON" in r for r in reasons.values())
    assert any("empty text" in r for r in reasons.values())
    placed = {a for row in _index(runs["ray"]) for a in row["articles"]}
    assert "bell-en" not in placed and len(placed) == 11


@pytest.mark.slow
def test_a_second_ray_run_rebuilds_nothing(runs: dict[str, Path]) -> None:
    out = runs["ray"]
    before = {p.name: p.stat().st_mtime_ns for p in (out / "stories").iterdir()}
    again = _batch(str(FEED), str(runs["extra"]), "--out", str(out), "--ray")
    assert again.returncode == 0, again.stderr[-3000:]
    # the failed story is tried again (and fails again); the built ones are kept as they were
    assert "0 built, 5 unchanged" in again.stderr, again.stderr[-3000:]
    assert {p.name: p.stat().st_mtime_ns for p in (out / "stories").iterdir()} == before
    assert _index(out) == _index(runs["local"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_over_ray_client_the_same_stories(runs: dict[str, Path], tmp_path: Path) -> None:
    """`--ray ray://HEAD:PORT` (Ray Client, where Ray Data cannot run: the datasets run in a
    relay actor in the cluster) against a head started here as `ray start` starts a cluster's."""
    client = _free_port()
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    start = [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block"]
    start += ["--num-cpus=2", "--disable-usage-stats", "--include-dashboard=false"]
    start += ["--node-ip-address=127.0.0.1", f"--port={_free_port()}"]
    start += [f"--ray-client-server-port={client}", f"--dashboard-agent-listen-port={_free_port()}"]
    head = subprocess.Popen(
        start,
        env={
            **os.environ,
            **auth,
            # a client's server is a process of its own, which a loaded machine starts slowly
            "RAY_CLIENT_SERVER_CHECK_CHANNEL_TIMEOUT_S": "180",
            # the client proxy starting it could abort in gRPC's fork handlers (seen once here)
            "GRPC_ENABLE_FORK_SUPPORT": "0",
        },
        start_new_session=True,  # its processes are one group: stopped together below
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", client), 1).close()
                break
            except OSError:
                assert head.poll() is None and time.monotonic() < deadline, "no Ray head"
                time.sleep(0.5)
        out = tmp_path / "client"
        address = f"--ray=ray://127.0.0.1:{client}"
        done = _batch(str(FEED), str(runs["extra"]), "--out", str(out), address, env=auth)
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)  # its own shutdown takes half a minute
            head.wait(30)
    assert _index(out) == _index(runs["local"])
    assert _errors(out) == _errors(runs["local"])


def test_ray_and_server_exclude_each_other(tmp_path: Path) -> None:
    done = _batch(str(FEED), "--out", str(tmp_path / "out"), "--ray", "--server", "h:1", timeout=60)
    assert done.returncode == 2
    assert "--ray and --server exclude each other" in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_address_that_is_a_path_says_where_to_put_ray(tmp_path: Path) -> None:
    done = _batch("--ray", str(FEED), str(FEED), "--out", str(tmp_path / "out"), timeout=60)
    assert done.returncode == 2 and "put --ray after the inputs" in done.stderr, done.stderr


def test_without_ray_it_says_what_to_install(tmp_path: Path) -> None:
    hide = (
        "import sys; sys.modules['ray'] = None; from dragoman.cli import main; "
        f"sys.exit(main(['batch', {str(FEED)!r}, '--out', {str(tmp_path / 'out')!r}, '--ray']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", hide], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "install dragoman[ray]" in done.stderr, done.stderr


# -- the KubeRay recipe ---------------------------------------------------------------------------


def _raycluster() -> dict[str, Any]:
    (obj,) = [d for d in yaml.safe_load_all(RAYCLUSTER.read_text()) if d]
    assert isinstance(obj, dict)
    return obj


def _groups(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [obj["spec"]["headGroupSpec"], *obj["spec"]["workerGroupSpecs"]]


def test_raycluster_runs_the_pinned_ray_in_the_dragoman_image() -> None:
    obj = _raycluster()
    assert (obj["apiVersion"], obj["kind"]) == ("ray.io/v1", "RayCluster")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (pin,) = project["optional-dependencies"]["ray"]
    version = re.fullmatch(r"ray\[data\]==([\d.]+)", pin)
    assert version, pin
    assert obj["spec"]["rayVersion"] == version.group(1)  # the client's Ray must be the cluster's
    images = {c["image"] for g in _groups(obj) for c in g["template"]["spec"]["containers"]}
    assert len(images) == 1 and images.pop().startswith("dragoman:"), images
    head_ports = {
        p["name"]: p["containerPort"]
        for p in obj["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["ports"]
    }
    assert head_ports["client"] == 10001  # `--ray ray://HEAD:10001`
    for worker in obj["spec"]["workerGroupSpecs"]:
        assert worker["minReplicas"] <= worker["replicas"] <= worker["maxReplicas"]


def test_raycluster_pod_templates_match_the_kubernetes_schemas() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for group in _groups(_raycluster()):
        template = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"}}
        template["template"] = group["template"]
        for version in ("1.30.0", "1.37.0"):
            try:
                kubernetes_validate.validate(template, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                where = ".".join(str(p) for p in exc.path)
                pytest.fail(f"{version} {where}: {exc.message}")
