"""One settings object; every option is a CLI flag and a DRAGOMAN_* environment variable."""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]  # service/dragoman/config.py in a checkout


def _default_models_dir() -> Path:
    """The checkout's models/ (a development install), else a per-user data folder."""
    if (REPO_ROOT / "models" / "manifest.toml").exists():
        return REPO_ROOT / "models"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "dragoman" / "models"


PACKAGED_MANIFEST = Path(__file__).parent / "manifest.toml"
MiB = 1024 * 1024


def _default_threads() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """Server and pipeline settings. Field metadata holds the help text shown by --help."""

    host: str = field(
        default="localhost",
        metadata={"help": "address to listen on (loopback; [::] or 0.0.0.0 opens it)"},
    )
    port: int = field(default=50051, metadata={"help": "port to listen on (0 picks a free one)"})
    models_dir: Path = field(
        default_factory=_default_models_dir,
        metadata={
            "help": "folder holding model folders (one per manifest entry; default: the "
            "checkout's models/, else $XDG_DATA_HOME/dragoman/models)"
        },
    )
    manifest: Path | None = field(
        default=None,
        metadata={
            "help": "model manifest (default: MODELS_DIR/manifest.toml, else the one dragoman "
            "ships: models/manifest.toml of the repo)"
        },
    )
    prefer_format: str = field(
        default="ctranslate2",
        metadata={
            "help": "backend format preferred when both are installed (ctranslate2, transformers)"
        },
    )
    max_message_bytes: int = field(
        default=16 * MiB, metadata={"help": "largest request/response message in bytes"}
    )
    max_texts: int = field(default=1024, metadata={"help": "most texts in one request"})
    max_text_chars: int = field(default=50_000, metadata={"help": "longest text in characters"})
    max_request_chars: int = field(
        default=1_000_000, metadata={"help": "most characters in all texts of one request"}
    )
    max_articles: int = field(default=200, metadata={"help": "most articles in one Brief"})
    max_article_chars: int = field(
        default=200_000, metadata={"help": "longest article (and Summarize text) in characters"}
    )
    # -- cost budget: checked before any work, RESOURCE_EXHAUSTED saying how to split --
    brief_max_chars: int = field(
        default=300_000,
        metadata={"help": "budget: most characters in all articles of one Brief"},
    )
    brief_max_sentences: int = field(
        default=2_000, metadata={"help": "budget: most sentences in all articles of one Brief"}
    )
    summarize_max_sentences: int = field(
        default=3_000, metadata={"help": "budget: most sentences in one Summarize text"}
    )
    batch_max_items: int = field(
        default=32, metadata={"help": "most sentences/chunks in one model batch"}
    )
    batch_max_tokens: int = field(
        default=4096, metadata={"help": "most source tokens in one model batch"}
    )
    batch_max_wait_ms: float = field(
        default=5.0, metadata={"help": "how long a batch waits for more requests to join"}
    )
    queue_max_items: int = field(
        default=20_000, metadata={"help": "queued items per model before RESOURCE_EXHAUSTED"}
    )
    ct2_inter_threads: int = field(
        default=1, metadata={"help": "CTranslate2 batches run in parallel (per model)"}
    )
    ct2_intra_threads: int = field(
        default_factory=_default_threads,
        metadata={"help": "CTranslate2 threads per batch (default: all cores)"},
    )
    ct2_compute_type: str = field(
        default="int8",
        metadata={
            "help": "CTranslate2 compute type (int8, int8_float32, float32; on cuda also "
            "int8_float16, float16)"
        },
    )
    device: str = field(
        default="cpu",
        metadata={
            "help": "where translation and summarisation models run: cpu, cuda (fails at "
            "load without a visible CUDA device), or auto (cuda when there is one); the "
            "embedded models and the brief stay on the CPU",
            "choices": ("cpu", "cuda", "auto"),
        },
    )
    torch_threads: int = field(
        default_factory=_default_threads, metadata={"help": "torch intra-op threads"}
    )
    beam_size: int = field(default=1, metadata={"help": "beam size for translation (1 = greedy)"})
    max_output_tokens: int = field(
        default=512,
        metadata={"help": "most tokens generated per chunk (chunks hold at most 256 input tokens)"},
    )
    summary_max_tokens: int = field(
        default=142, metadata={"help": "most tokens of an abstractive summary (per chunk)"}
    )
    min_output_tokens: int = field(
        default=0,
        metadata={"help": "force at least this many generated tokens (benchmarks: equal work)"},
    )
    embedded: bool = field(
        default=True,
        metadata={"help": "load the embedded models (e5 embeddings, NER) at start"},
    )
    grace_s: float = field(default=10.0, metadata={"help": "seconds to finish calls on SIGTERM"})
    log_json: bool = field(default=False, metadata={"help": "log as JSON lines"})
    log_level: str = field(default="INFO", metadata={"help": "log level"})
    # -- security: TLS and API keys (service/dragoman/api/security.py) --
    tls_cert: Path | None = field(
        default=None, metadata={"help": "PEM server certificate chain; with --tls-key, serve TLS"}
    )
    tls_key: Path | None = field(default=None, metadata={"help": "PEM private key of --tls-cert"})
    tls_client_ca: Path | None = field(
        default=None,
        metadata={"help": "PEM CA bundle: clients must present a certificate it signed (mTLS)"},
    )
    api_keys_file: Path | None = field(
        default=None,
        metadata={
            "help": "file of API keys, one per line: KEY or NAME:KEY or NAME:KEY:Rpc1,Rpc2; "
            "callers send 'authorization: Bearer KEY'"
        },
    )
    api_keys: str = field(
        default="",
        metadata={"help": "API keys as in --api-keys-file, comma-separated (prefer the env var)"},
    )
    # -- admission control (service/dragoman/api/admission.py) --
    max_concurrent_briefs: int = field(
        default=2, metadata={"help": "Brief calls worked on at once (CPU-bound)"}
    )
    max_concurrent_requests: int = field(
        default=64, metadata={"help": "calls of each other rpc worked on at once"}
    )
    max_waiting_requests: int = field(
        default=64,
        metadata={"help": "calls of each rpc waiting for a slot before RESOURCE_EXHAUSTED"},
    )
    max_connection_age_s: float = field(
        default=0.0,
        metadata={
            "help": "close client connections after this many seconds (with a grace of the "
            "same length) so long-lived clients rebalance across replicas; 0: never"
        },
    )
    cache_path: str = field(
        default="~/.cache/dragoman/cache.sqlite",
        metadata={
            "help": "persistent cache of model outputs (sentence embeddings, translations, "
            "NER results), shared by the server and `dragoman batch`; '' turns it off"
        },
    )
    cache_max_mb: int = field(default=1024, metadata={"help": "size cap of the cache (LRU)"})
    # -- observability (service/dragoman/api/metrics.py) --
    metrics_port: int = field(
        default=9464,
        metadata={"help": "port of the Prometheus /metrics endpoint (-1: off, 0: any free port)"},
    )
    health_port: int = field(
        default=-1,
        metadata={
            "help": "a plaintext port serving only grpc.health.v1, for probes that cannot speak "
            "TLS (Kubernetes' grpc probes); -1: off (health is on the main port too), 0: any"
        },
    )
    otel: bool = field(
        default=False,
        metadata={"help": "OpenTelemetry span per call (needs the otel extra installed)"},
    )

    @property
    def manifest_path(self) -> Path:
        """The manifest to read: the explicit one, MODELS_DIR's own, else the one the package
        ships (dragoman/manifest.toml, a link to the repo's models/manifest.toml that a wheel
        holds as a copy, so a plain `pip install` has it too)."""
        if self.manifest is not None:
            return self.manifest
        own = self.models_dir / "manifest.toml"
        return own if own.exists() else PACKAGED_MANIFEST

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def _env_name(name: str) -> str:
    return "DRAGOMAN_" + name.upper()


def _parse_bool(text: str) -> bool:
    low = text.strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true/false, got {text!r}")


def _converter(f: dataclasses.Field[Any]) -> Any:
    kind = str(f.type)
    if "bool" in kind:
        return _parse_bool
    if "Path" in kind:
        return Path
    if "int" in kind:
        return int
    if "float" in kind:
        return float
    return str


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    factory: Any = f.default_factory
    return factory()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one --flag per setting; its default comes from DRAGOMAN_<NAME> when set."""
    for f in fields(Settings):
        env = _env_name(f.name)
        conv = _converter(f)
        default = _default(f)
        if env in os.environ:
            try:
                default = conv(os.environ[env])
            except ValueError as exc:
                parser.error(f"{env}={os.environ[env]!r} is not valid: {exc}")
        flag = "--" + f.name.replace("_", "-")
        help_text = f"{f.metadata.get('help', '')} (env {env}; default: %(default)s)"
        choices = f.metadata.get("choices")
        if choices is not None and default not in choices:
            parser.error(f"{env}={default!r} is not valid: use one of {', '.join(choices)}")
        parser.add_argument(
            flag, dest=f.name, type=conv, default=default, choices=choices, help=help_text
        )


def from_namespace(ns: argparse.Namespace) -> Settings:
    """Build Settings from parsed arguments."""
    return Settings(**{f.name: getattr(ns, f.name) for f in fields(Settings)})


def from_env() -> Settings:
    """Settings from DRAGOMAN_* variables alone (library use)."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return from_namespace(parser.parse_args([]))
