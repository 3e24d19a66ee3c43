"""The model registry: models/manifest.toml -> which backend serves each task and language pair."""

from __future__ import annotations

import functools
import importlib.util
import logging
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dragoman.backends.base import Seq2Seq
from dragoman.config import Settings
from dragoman.domain import SUPPORTED_LANGUAGES, ModelStatus
from dragoman.errors import InvalidInput, ModelUnavailable

log = logging.getLogger(__name__)

PIVOT = "en"
FORMATS = ("ctranslate2", "transformers")
TASKS = ("translate", "summarize")
# What each format's backend imports. torch and transformers are the `hf` extra: a slim install
# (scripts/install.sh --slim, the Dockerfile's variant=slim) serves CTranslate2 models only.
BACKEND_PACKAGES = {
    "ctranslate2": ("ctranslate2", "sentencepiece"),
    "transformers": ("torch", "transformers"),
}
HF_EXTRA = "install dragoman with its hf extra (pip install 'dragoman[hf]', or scripts/install.sh)"


def missing_packages(fmt: str) -> list[str]:
    """The packages the backend for `fmt` needs that this install lacks (nothing is imported;
    each package is looked up once per process: every translation route asks)."""
    return [p for p in BACKEND_PACKAGES.get(fmt, ()) if not _installed_package(p)]


@functools.cache
def _installed_package(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


@dataclass(frozen=True)
class ManifestEntry:
    """One [[model]] table of the manifest."""

    name: str
    task: str
    source: str
    target: str
    hub_id: str
    revision: str
    license: str
    format: str
    path: str
    max_input_tokens: int = 256
    # Marian multi-target models want a target token first (">>ara<<"); BART/T5 may want a prefix.
    source_prefix: str = ""

    def folder(self, models_dir: Path) -> Path:
        p = Path(self.path)
        return p if p.is_absolute() else models_dir / p

    def installed(self, models_dir: Path) -> bool:
        folder = self.folder(models_dir)
        if self.format == "ctranslate2":
            return (folder / "model.bin").exists() and (folder / "source.spm").exists()
        return (folder / "config.json").exists()

    def backend_hint(self) -> str:
        """Why an installed model cannot load here ("" when it can)."""
        missing = missing_packages(self.format)
        if not missing:
            return ""
        hint = HF_EXTRA if self.format == "transformers" else "install " + ", ".join(missing)
        return (
            f"model {self.name} is in {self.format} format, whose backend needs "
            f"{' and '.join(missing)}, not installed here: {hint}, or install a ctranslate2 "
            "model for the same task"
        )

    def usable(self, models_dir: Path) -> bool:
        return self.installed(models_dir) and not missing_packages(self.format)

    def why_unusable(self, models_dir: Path) -> str:
        if not self.installed(models_dir):
            return self.install_hint(models_dir)
        return self.backend_hint()

    def shown_path(self) -> str:
        """Where the model goes, as callers may see it: under the models folder setting, never
        the server's own paths."""
        p = Path(self.path)
        return (
            f"the manifest's path for {self.name}"
            if p.is_absolute()
            else f"$DRAGOMAN_MODELS_DIR/{p}"
        )

    def install_hint(self, models_dir: Path) -> str:
        return (
            f"run `dragoman models pull {self.name}` where the Hugging Face hub is reachable, or "
            f"place a {self.format} model folder at {self.shown_path()} (DRAGOMAN_MODELS_DIR is "
            "the server's models folder setting)"
        )


# Format -> how to load it. A short explicit table, one backend file per family.
Loader = Callable[[ManifestEntry, Path, Settings], Seq2Seq]


def _device(setting: str, has_cuda: Callable[[], bool], missing: str) -> str:
    """The device for the `device` setting (cpu | cuda | auto): `has_cuda` asks the backend
    (called only when the setting is not cpu); `missing` says what cuda needs."""
    if setting == "cpu":
        return "cpu"
    if has_cuda():
        return "cuda"
    if setting == "auto":
        return "cpu"
    raise ModelUnavailable(f"device is cuda but {missing}; set DRAGOMAN_DEVICE=cpu or auto")


def ct2_device(setting: str) -> str:
    """The CTranslate2 device for the `device` setting (cpu | cuda | auto)."""

    def has_cuda() -> bool:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count()) > 0

    return _device(
        setting,
        has_cuda,
        "CTranslate2 sees no CUDA device (it needs an NVIDIA driver and the CUDA 12 cuBLAS "
        "libraries)",
    )


def torch_device(setting: str) -> str:
    """The torch device for the `device` setting (cpu | cuda | auto)."""

    def has_cuda() -> bool:
        from dragoman.loaders import import_torch

        return bool(import_torch().cuda.is_available())

    return _device(
        setting,
        has_cuda,
        "torch sees no CUDA device (install a CUDA build of torch on a machine with an NVIDIA GPU)",
    )


def _load_ct2(entry: ManifestEntry, folder: Path, settings: Settings) -> Seq2Seq:
    from dragoman.backends.marian_ct2 import CT2Translator

    return CT2Translator(
        entry.name,
        folder,
        device=ct2_device(settings.device),
        compute_type=settings.ct2_compute_type,
        inter_threads=settings.ct2_inter_threads,
        intra_threads=settings.ct2_intra_threads,
        max_input_tokens=entry.max_input_tokens,
        target_prefix=entry.source_prefix,
    )


def _load_hf(entry: ManifestEntry, folder: Path, settings: Settings) -> Seq2Seq:
    from dragoman.backends.hf_seq2seq import HFSeq2Seq

    return HFSeq2Seq(
        entry.name,
        folder,
        device=torch_device(settings.device),
        threads=settings.torch_threads,
        max_input_tokens=entry.max_input_tokens,
        source_prefix=entry.source_prefix,
    )


LOADERS: dict[str, Loader] = {"ctranslate2": _load_ct2, "transformers": _load_hf}


def read_manifest(path: Path) -> list[ManifestEntry]:
    """Parse and check the manifest; errors name the entry and field."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"cannot read model manifest {path}: {exc}") from exc
    entries = []
    seen: set[str] = set()
    for i, table in enumerate(data.get("model", [])):
        try:
            entry = ManifestEntry(**table)
        except TypeError as exc:
            raise InvalidInput(f"{path}: model[{i}] is malformed: {exc}") from exc
        if entry.format not in FORMATS:
            raise InvalidInput(
                f"{path}: model {entry.name!r} has format {entry.format!r}; "
                f"use one of {', '.join(FORMATS)}"
            )
        if entry.task not in TASKS:
            raise InvalidInput(
                f"{path}: model {entry.name!r} has task {entry.task!r}; "
                f"use one of {', '.join(TASKS)}"
            )
        if entry.name in seen:
            raise InvalidInput(f"{path}: model name {entry.name!r} appears twice")
        seen.add(entry.name)
        entries.append(entry)
    return entries


class Registry:
    """Knows the manifest, which entries are installed, and holds the loaded models."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.models_dir = settings.models_dir
        self.entries = read_manifest(settings.manifest_path)
        self._loaded: dict[str, Seq2Seq] = {}
        self._load_lock = threading.Lock()

    # -- what is there ------------------------------------------------------------------
    def status(self) -> list[ModelStatus]:
        out = []
        for e in self.entries:
            installed = e.installed(self.models_dir)
            out.append(
                ModelStatus(
                    name=e.name,
                    task=e.task,
                    source_language=e.source,
                    target_language=e.target,
                    hub_id=e.hub_id,
                    revision=e.revision,
                    license=e.license,
                    format=e.format,
                    installed=installed,
                    local_path=e.shown_path(),
                    install_hint=e.why_unusable(self.models_dir),
                )
            )
        return out

    def entry(self, name: str) -> ManifestEntry:
        for e in self.entries:
            if e.name == name:
                return e
        known = ", ".join(e.name for e in self.entries)
        raise InvalidInput(f"model {name!r} is not in the manifest; known: {known}")

    def _candidates(self, task: str, source: str, target: str) -> list[ManifestEntry]:
        found = [
            e for e in self.entries if e.task == task and e.source == source and e.target == target
        ]
        # The preferred format first (CTranslate2 int8 on CPU), then manifest order.
        return sorted(found, key=lambda e: (e.format != self.settings.prefer_format,))

    def _installed(self, task: str, source: str, target: str) -> ManifestEntry | None:
        for e in self._candidates(task, source, target):
            if e.usable(self.models_dir):
                return e
        return None

    def translation_route(self, source: str, target: str) -> list[ManifestEntry]:
        """The models to chain for source -> target: direct, else via English."""
        direct = self._installed("translate", source, target)
        if direct:
            return [direct]
        if PIVOT not in (source, target):
            first = self._installed("translate", source, PIVOT)
            second = self._installed("translate", PIVOT, target)
            if first and second:
                return [first, second]
        raise ModelUnavailable(self._missing_message(source, target))

    def _missing_message(self, source: str, target: str) -> str:
        wanted = self._candidates("translate", source, target)
        if not wanted and PIVOT not in (source, target):
            wanted = [
                *self._candidates("translate", source, PIVOT)[:1],
                *self._candidates("translate", PIVOT, target)[:1],
            ]
        missing = [e for e in wanted if not e.usable(self.models_dir)]
        if not missing:
            return f"no translation model for {source}->{target} is in the manifest"
        hints = "; ".join(f"{e.name}: {e.why_unusable(self.models_dir)}" for e in missing)
        return f"translation {source}->{target} needs model(s) not usable here: {hints}"

    def translation_pairs(self) -> list[str]:
        pairs = []
        for s in SUPPORTED_LANGUAGES:
            for t in SUPPORTED_LANGUAGES:
                if s == t:
                    continue
                try:
                    route = self.translation_route(s, t)
                except ModelUnavailable:
                    continue
                pairs.append(f"{s}-{t}" if len(route) == 1 else f"{s}-{t} (via {PIVOT})")
        return pairs

    def summarizer(self, language: str) -> ManifestEntry | None:
        """An installed abstractive summariser for `language`, if any."""
        return self._installed("summarize", language, language)

    def summarizer_missing_message(self, language: str) -> str:
        wanted = self._candidates("summarize", language, language)
        if not wanted:
            return (
                f"no abstractive summariser for {language!r} is in the manifest; "
                "use method EXTRACTIVE or AUTO"
            )
        e = wanted[0]
        return f"abstractive summaries in {language} need model {e.name}: " + e.why_unusable(
            self.models_dir
        )

    # -- loading ----------------------------------------------------------------------------
    def load_installed(self) -> list[str]:
        """Load every installed model once (the server is NOT_SERVING until this returns)."""
        for e in self.entries:
            if not e.installed(self.models_dir):
                continue
            if hint := e.backend_hint():
                log.warning("not loading %s: %s", e.name, hint)
                continue
            self.model(e)
        return sorted(self._loaded)

    def loaded(self) -> list[str]:
        """Names of the models loaded so far."""
        return sorted(self._loaded)

    def model(self, entry: ManifestEntry) -> Seq2Seq:
        """The loaded backend for an entry (loads it on first use if it was installed later)."""
        with self._load_lock:
            return self._model(entry)

    def _model(self, entry: ManifestEntry) -> Seq2Seq:
        if entry.name not in self._loaded:
            if not entry.installed(self.models_dir):
                raise ModelUnavailable(
                    f"model {entry.name} is not installed: " + entry.install_hint(self.models_dir)
                )
            if hint := entry.backend_hint():
                raise ModelUnavailable(hint)
            folder = entry.folder(self.models_dir)
            log.info("loading model %s (%s) from %s", entry.name, entry.format, folder)
            self._loaded[entry.name] = LOADERS[entry.format](entry, folder, self.settings)
        return self._loaded[entry.name]

    def close(self) -> None:
        for m in self._loaded.values():
            m.close()
        self._loaded.clear()
