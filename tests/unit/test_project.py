"""Generated code is fresh, settings come from flags and DRAGOMAN_* variables, the CLI works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dragoman import cli, config

ROOT = Path(__file__).resolve().parents[2]


def test_generated_protobuf_code_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_protos.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_setting_is_a_flag_and_an_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAGOMAN_PORT", "6000")
    monkeypatch.setenv("DRAGOMAN_EMBEDDED", "false")
    parser = cli.build_parser()
    args = parser.parse_args(["serve", "--batch-max-wait-ms", "2.5"])
    s = config.from_namespace(args)
    assert (s.port, s.embedded, s.batch_max_wait_ms) == (6000, False, 2.5)
    help_text = parser._subparsers._group_actions[0].choices["serve"].format_help()  # type: ignore[union-attr]
    for f in config.fields(config.Settings):
        assert "--" + f.name.replace("_", "-") in help_text
        assert "DRAGOMAN_" + f.name.upper() in help_text


def test_bad_env_var_says_which(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DRAGOMAN_PORT", "many")
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["serve"])
    assert "DRAGOMAN_PORT='many' is not valid" in capsys.readouterr().err


def test_models_pull_fails_fast_without_a_hub(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DRAGOMAN_HUB_ENDPOINT": "http://127.0.0.1:9",
        "DRAGOMAN_MODELS_DIR": str(tmp_path),
    }
    env.pop("HF_ENDPOINT", None)
    r = subprocess.run(
        [sys.executable, "-m", "dragoman.cli", "models", "pull", "opus-mt-ru-en"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 2
    assert "cannot be reached" in r.stderr and "DRAGOMAN_MODELS_DIR" in r.stderr
    assert not any(tmp_path.iterdir())
    r = subprocess.run(
        [sys.executable, "-m", "dragoman.cli", "models", "pull", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 2 and "not in the manifest" in r.stderr


def test_models_list_shows_missing_with_hint(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "dragoman.cli", "models", "list", "--models-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0
    assert "opus-mt-ru-en" in r.stdout and "MISSING" in r.stdout
    assert "translation pairs available: none" in r.stdout


def test_cli_brief_reads_files_and_prints_markdown(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        (ROOT / "tests" / "fixtures" / "unrelated" / "football.json").read_text()
    )
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "dragoman.cli",
            "brief",
            "--format",
            "json",
            str(ROOT / "tests" / "fixtures" / "parallel"),
            "--models-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    import json

    data = json.loads(r.stdout)
    assert data["language"] == "en" and len(data["sources"]) == 3
    assert data["keyPoints"][0]["coverage"] == "COVERAGE_ALL_LANGUAGES"
    # no story gazetteer given: none is cited, and its story names are not built in
    names = {m["name"] for m in data["provenance"]["models"]}
    assert "story gazetteer" not in names and "built-in entities" in names
    assert "dmitry-peskov" not in {e["id"] for e in data["entities"]}


def test_cli_brief_with_a_story_gazetteer(tmp_path: Path) -> None:
    gazetteer = ROOT / "examples" / "ceasefire" / "gazetteer.toml"
    base = [sys.executable, "-m", "dragoman.cli", "brief", "--format", "json"]
    where = [str(ROOT / "tests" / "fixtures" / "parallel"), "--models-dir", str(tmp_path)]
    r = subprocess.run(
        [*base, "--gazetteer", str(gazetteer), *where], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    import json

    data = json.loads(r.stdout)
    story = [m for m in data["provenance"]["models"] if m["name"] == "story gazetteer"]
    assert story and story[0]["revision"].startswith("2016-09-syria-ceasefire.2 sha256:")
    peskov = next(e for e in data["entities"] if e["id"] == "dmitry-peskov")
    assert {f["language"] for f in peskov["surfaceForms"]} == {"ar", "en", "ru"}
    bad = tmp_path / "bad.toml"
    bad.write_text('[[entity]]\nid = "Bad Id"\nname = "X"\ntype = "person"\nen = ["X"]\n')
    r = subprocess.run(
        [*base, "--gazetteer", str(bad), *where], capture_output=True, text=True, timeout=300
    )
    assert r.returncode != 0 and "id must be lower-case letters" in r.stderr


def test_readme_documents_every_setting_and_rpc() -> None:
    readme = (ROOT / "README.md").read_text()
    for f in config.fields(config.Settings):
        assert f"`DRAGOMAN_{f.name.upper()}`" in readme, f.name
    from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb

    for method in pb.DESCRIPTOR.services_by_name["Dragoman"].methods:
        assert f"`{method.name}`" in readme, method.name


def test_read_articles_formats_and_errors(tmp_path: Path) -> None:
    from dragoman.articles import read_articles
    from dragoman.errors import InvalidInput

    (tmp_path / "one.txt").write_text("Peskov said the truce was over.")
    (tmp_path / "two.jsonl").write_text(
        '{"id": "a", "text": "x", "publishedTime": "2016-09-20T08:15:00Z"}\n\n'
        '{"id": "b", "text": "y", "language": "ru"}\n'
    )
    got = read_articles([tmp_path])
    assert [(a.id, a.language, a.published) for a in got] == [
        ("one", "", ""),
        ("a", "", "2016-09-20T08:15:00Z"),
        ("b", "ru", ""),
    ]
    (tmp_path / "bad.json").write_text('{"id": "c", "text": "z", "published_time": "Monday"}')
    with pytest.raises(InvalidInput, match=r"bad\.json: published_time 'Monday' is not"):
        read_articles([tmp_path / "bad.json"])
    (tmp_path / "bad.json").write_text('{"id": "c"}')
    with pytest.raises(InvalidInput, match="needs a string field 'text'"):
        read_articles([tmp_path / "bad.json"])
    with pytest.raises(InvalidInput, match="no such file"):
        read_articles([tmp_path / "missing.txt"])


def test_pull_pins_the_manifest_to_the_commit_it_got(tmp_path: Path) -> None:
    from dragoman.pull import pin_revision
    from dragoman.registry import read_manifest

    manifest = tmp_path / "manifest.toml"
    manifest.write_text((ROOT / "models" / "manifest.toml").read_text())
    sha = "0123456789abcdef0123456789abcdef01234567"
    assert pin_revision(manifest, "opus-mt-ar-en", sha)
    revisions = {e.name: e.revision for e in read_manifest(manifest)}
    assert revisions["opus-mt-ar-en"] == sha
    assert revisions["opus-mt-ru-en"] == "main"  # only that entry
    assert not pin_revision(manifest, "opus-mt-ar-en", "f" * 40)  # a commit stays pinned
    assert not pin_revision(manifest, "no-such-model", sha)


def test_shipped_health_proto_matches_the_served_one(tmp_path: Path) -> None:
    """protos/grpc/health/v1/health.proto (for non-Python clients) describes what the server
    serves: the same package, messages, fields and methods as grpcio-health-checking's."""
    from google.protobuf import descriptor_pb2
    from grpc_health.v1 import health_pb2
    from grpc_tools import protoc

    out = tmp_path / "health.pb"
    code = protoc.main(
        [
            "protoc",
            f"-I{ROOT / 'protos'}",
            f"--descriptor_set_out={out}",
            "grpc/health/v1/health.proto",
        ]
    )
    assert code == 0
    shipped = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file[0]
    served = descriptor_pb2.FileDescriptorProto()
    health_pb2.DESCRIPTOR.CopyToProto(served)

    def shape(f: descriptor_pb2.FileDescriptorProto) -> object:
        msgs = {m.name: [(x.name, x.number, x.type) for x in m.field] for m in f.message_type}
        methods = {
            (s.name, m.name, m.input_type, m.output_type, m.server_streaming)
            for s in f.service
            for m in s.method
        }
        return f.package, msgs, methods

    pkg, msgs, methods = shape(shipped)
    pkg2, msgs2, methods2 = shape(served)
    assert pkg == pkg2 and all(msgs2[k] == v for k, v in msgs.items())
    assert methods <= methods2
