"""`dragoman models pull`: download a manifest model from the hub and convert it for CTranslate2."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
import urllib.parse
from pathlib import Path

from dragoman.errors import ModelUnavailable
from dragoman.registry import HF_EXTRA, ManifestEntry, missing_packages

DEFAULT_HUB = "https://huggingface.co"


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT") or os.environ.get("DRAGOMAN_HUB_ENDPOINT") or DEFAULT_HUB


def check_hub(endpoint: str, timeout_s: float = 3.0) -> None:
    """Fail fast, with what to do instead, when the hub cannot be reached."""
    url = urllib.parse.urlparse(endpoint)
    host = url.hostname or ""
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return
    except OSError as exc:
        raise ModelUnavailable(
            f"the model hub {endpoint} cannot be reached ({exc.__class__.__name__}: {exc}). "
            "Download the model on a machine with access (`dragoman models pull NAME` there), "
            "then copy its folder into DRAGOMAN_MODELS_DIR on this one"
        ) from exc


_SHA = re.compile(r"^[0-9a-f]{40}$")


def pin_revision(manifest: Path, name: str, sha: str) -> bool:
    """Write `sha` as the revision of model `name` in the manifest, when it is not already a
    commit (a branch such as "main" moves; a commit does not). Returns whether it changed."""
    text = manifest.read_text()
    blocks = re.split(r"(?m)^(?=\[\[model\]\])", text)
    for i, block in enumerate(blocks):
        if re.search(rf'(?m)^name\s*=\s*"{re.escape(name)}"\s*$', block):
            current = re.search(r'(?m)^revision\s*=\s*"([^"]*)"', block)
            if current is None or _SHA.match(current.group(1)):
                return False
            blocks[i] = block[: current.start(1)] + sha + block[current.end(1) :]
            manifest.write_text("".join(blocks))
            return True
    return False


def pull(entry: ManifestEntry, models_dir: Path, manifest: Path | None = None) -> Path:
    """Download `entry` at its revision into its folder (CTranslate2 entries are converted to
    int8) and pin the manifest to the commit that was downloaded."""
    if entry.format == "ctranslate2" and (missing := missing_packages("transformers")):
        # the converter reads the transformers checkpoint (the model then runs without them)
        raise ModelUnavailable(
            f"pulling {entry.name} converts a transformers checkpoint to CTranslate2, which needs "
            f"{' and '.join(missing)}: {HF_EXTRA}; or convert elsewhere and place the folder at "
            f"{entry.shown_path()}"
        )
    endpoint = hub_endpoint()
    check_hub(endpoint)
    from huggingface_hub import snapshot_download

    target = entry.folder(models_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        src = Path(
            snapshot_download(
                entry.hub_id, revision=entry.revision, local_dir=tmp, endpoint=endpoint
            )
        )
        from huggingface_hub import HfApi

        resolved = HfApi(endpoint=endpoint).model_info(entry.hub_id, revision=entry.revision).sha
        staging = Path(tmp) / "out"
        if entry.format == "ctranslate2":
            convert_to_ct2(src, staging)
        else:
            shutil.copytree(src, staging, ignore=shutil.ignore_patterns(".cache", "out"))
        (staging / "dragoman-model.json").write_text(
            json.dumps(
                {
                    "name": entry.name,
                    "hub_id": entry.hub_id,
                    "revision": resolved,
                    "format": entry.format,
                },
                indent=2,
            )
        )
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    if manifest is not None and resolved:
        pin_revision(manifest, entry.name, resolved)
    return target


def convert_to_ct2(src: Path, out: Path, quantization: str = "int8") -> None:
    """Convert a transformers Marian folder to CTranslate2 and copy its sentencepiece models."""
    import ctranslate2

    ctranslate2.converters.TransformersConverter(str(src)).convert(
        str(out), quantization=quantization, force=True
    )
    for name in ("source.spm", "target.spm"):
        if (src / name).exists():
            shutil.copy(src / name, out / name)
