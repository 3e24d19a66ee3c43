"""Shared fixtures: tiny random-weight models (built once per session) and settings using them."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest

from dragoman.articles import read_articles
from dragoman.brief import types as bt
from dragoman.brief.entities import parse_gazetteer
from dragoman.config import Settings
from dragoman.domain import Article

warnings.filterwarnings("ignore", message="pkg_resources is deprecated")

# `dragoman` processes the tests start use a cache of this session, never the user's
# ~/.cache/dragoman (nor does a cache left by an earlier session hide a model run).
os.environ.setdefault(
    "DRAGOMAN_CACHE_PATH",
    str(Path(tempfile.mkdtemp(prefix="dragoman-tests-")) / "cache.sqlite"),
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "ceasefire"
FIXTURES = Path(__file__).parent / "fixtures"

# ru->en (CTranslate2), en->ar (CTranslate2, a Marian multi-target prefix), ar->en (transformers),
# a summariser (transformers BART) - and en->ru listed but not installed.
TEST_MANIFEST = """
[[model]]
name = "opus-mt-ru-en"
task = "translate"
source = "ru"
target = "en"
hub_id = "Helsinki-NLP/opus-mt-ru-en"
revision = "test"
license = "CC-BY-4.0"
format = "ctranslate2"
path = "ru-en-ct2"
max_input_tokens = 48

[[model]]
name = "opus-mt-ru-en-hf"
task = "translate"
source = "ru"
target = "en"
hub_id = "Helsinki-NLP/opus-mt-ru-en"
revision = "test"
license = "CC-BY-4.0"
format = "transformers"
path = "ru-en-hf"
max_input_tokens = 48

[[model]]
name = "opus-mt-en-ar"
task = "translate"
source = "en"
target = "ar"
hub_id = "Helsinki-NLP/opus-mt-en-ar"
revision = "test"
license = "CC-BY-4.0"
format = "ctranslate2"
path = "en-ar-ct2"
source_prefix = ">>ara<<"
max_input_tokens = 48

[[model]]
name = "opus-mt-ar-en-hf"
task = "translate"
source = "ar"
target = "en"
hub_id = "Helsinki-NLP/opus-mt-ar-en"
revision = "test"
license = "CC-BY-4.0"
format = "transformers"
path = "ar-en-hf"
max_input_tokens = 48

[[model]]
name = "opus-mt-en-ru"
task = "translate"
source = "en"
target = "ru"
hub_id = "Helsinki-NLP/opus-mt-en-ru"
revision = "test"
license = "CC-BY-4.0"
format = "ctranslate2"
path = "en-ru-ct2-not-installed"

[[model]]
name = "tiny-bart"
task = "summarize"
source = "en"
target = "en"
hub_id = "sshleifer/distilbart-cnn-12-6"
revision = "test"
license = "Apache-2.0"
format = "transformers"
path = "bart"
max_input_tokens = 200
"""


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with tiny random-weight models and their manifest."""
    from bench.modelgen import build_bart, build_marian, convert_marian_to_ct2

    root = tmp_path_factory.mktemp("models")
    marian = build_marian(root / "ru-en-hf", init_std=0.3)
    shutil.copytree(marian, root / "ar-en-hf")
    convert_marian_to_ct2(marian, root / "ru-en-ct2", "int8")
    convert_marian_to_ct2(
        build_marian(root / "_en-ar-src", seed=1, init_std=0.3), root / "en-ar-ct2", "int8"
    )
    build_bart(root / "bart", init_std=0.3)
    (root / "manifest.toml").write_text(TEST_MANIFEST)
    return root


@pytest.fixture(scope="session")
def settings(tiny_models: Path) -> Settings:
    return Settings(
        host="127.0.0.1",
        port=0,
        models_dir=tiny_models,
        manifest=tiny_models / "manifest.toml",
        max_output_tokens=8,
        ct2_intra_threads=1,
        torch_threads=1,
        batch_max_wait_ms=20.0,
        grace_s=1.0,
        metrics_port=0,
        cache_path=str(tiny_models / "cache.sqlite"),
    )


@pytest.fixture(scope="session")
def empty_models(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings with the repo's manifest and no model installed (the embedded default)."""
    return Settings(
        host="127.0.0.1",
        port=0,
        models_dir=tmp_path_factory.mktemp("none"),
        manifest=ROOT / "models" / "manifest.toml",
        metrics_port=0,
        cache_path="",  # no persistent cache: every test runs the models (tests that test the
        # cache give their own path); never the user's ~/.cache
    )


def load_articles(folder: Path) -> list[Article]:
    return read_articles([folder])


@pytest.fixture(scope="session")
def example_articles() -> list[Article]:
    return load_articles(EXAMPLES)


def ceasefire_gazetteer() -> bt.Gazetteer:
    """The examples' story gazetteer (people, groups and places of the 2016 ceasefire)."""
    path = EXAMPLES / "gazetteer.toml"
    return parse_gazetteer(path.read_text(encoding="utf-8"), str(path))


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments), line continuations joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#") or (not line.strip() and not pending):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        word, _, rest = pending.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        pending = ""
    return out
