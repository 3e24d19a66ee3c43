"""TLS credentials and API keys: one interceptor decides who may call what.

Keys come from `--api-keys-file` and/or `--api-keys` (`DRAGOMAN_API_KEYS`): `KEY`, `NAME:KEY` or
`NAME:KEY:Rpc1,Rpc2` (a key limited to some rpcs). Callers send `authorization: Bearer KEY`.
Keys are compared in constant time against every configured key and never logged; a caller is
named in the log by its key's NAME. Health checks need no key, so probes work.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from dragoman.config import Settings

log = logging.getLogger(__name__)

OPEN_SERVICES = ("/grpc.health.v1.Health/",)


class SecurityConfigError(ValueError):
    """The TLS or API key settings cannot be used; the message says which and why."""


@dataclass(frozen=True)
class ApiKey:
    name: str
    digest: bytes  # sha256 of the key: what is compared (same length for every key)
    rpcs: frozenset[str]  # method names it may call; empty: all


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def parse_keys(text: str, where: str) -> list[ApiKey]:
    """Keys from lines (or comma-separated items) of `KEY`, `NAME:KEY` or `NAME:KEY:Rpc1,Rpc2`."""
    keys: list[ApiKey] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":")
        if len(parts) > 3 or not parts[-1 if len(parts) < 3 else 1].strip():
            raise SecurityConfigError(
                f"{where} line {n}: expected KEY, NAME:KEY or NAME:KEY:Rpc1,Rpc2"
            )
        if len(parts) == 1:
            name, key, rpcs = f"key{len(keys) + 1}", parts[0], ""
        elif len(parts) == 2:
            name, key, rpcs = parts[0], parts[1], ""
        else:
            name, key, rpcs = parts
        key = key.strip()
        if len(key) < 16:
            raise SecurityConfigError(
                f"{where} line {n} ({name.strip()!r}): a key needs at least 16 characters"
            )
        allowed = frozenset(r.strip() for r in rpcs.split(",") if r.strip())
        keys.append(ApiKey(name.strip() or f"key{len(keys) + 1}", _digest(key), allowed))
    return keys


def load_keys(settings: Settings) -> list[ApiKey]:
    """Every configured key; an empty list means no authentication."""
    keys: list[ApiKey] = []
    if settings.api_keys_file is not None:
        try:
            text = Path(settings.api_keys_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise SecurityConfigError(
                f"--api-keys-file cannot be read ({exc.strerror or exc})"
            ) from None
        keys += parse_keys(text, "--api-keys-file")
        if not keys:
            raise SecurityConfigError("--api-keys-file holds no key")
    if settings.api_keys.strip():
        keys += parse_keys(settings.api_keys.replace(",", "\n"), "--api-keys")
    names = [k.name for k in keys]
    if len(set(names)) != len(names):
        raise SecurityConfigError("API key names must be unique")
    return keys


def server_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    """TLS credentials when --tls-cert and --tls-key are set (mTLS with --tls-client-ca)."""
    if settings.tls_cert is None and settings.tls_key is None:
        if settings.tls_client_ca is not None:
            raise SecurityConfigError("--tls-client-ca needs --tls-cert and --tls-key")
        return None
    if settings.tls_cert is None or settings.tls_key is None:
        raise SecurityConfigError("TLS needs both --tls-cert and --tls-key")

    def read(path: Path, flag: str) -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise SecurityConfigError(f"{flag} cannot be read ({exc.strerror or exc})") from None

    cert, key = read(settings.tls_cert, "--tls-cert"), read(settings.tls_key, "--tls-key")
    ca = read(settings.tls_client_ca, "--tls-client-ca") if settings.tls_client_ca else None
    return grpc.ssl_server_credentials(
        [(key, cert)], root_certificates=ca, require_client_auth=ca is not None
    )


def _method_name(full: str) -> str:
    return full.rsplit("/", 1)[-1]


class ApiKeyInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """UNAUTHENTICATED without a valid key, PERMISSION_DENIED for an rpc the key may not call."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self.keys = keys

    def identify(self, metadata: tuple[tuple[str, str | bytes], ...]) -> ApiKey | None:
        header = next((v for k, v in metadata if k == "authorization"), None)
        if not isinstance(header, str) or not header.lower().startswith("bearer "):
            return None
        given = _digest(header[7:].strip())
        found: ApiKey | None = None
        for key in self.keys:  # every key is compared: the time does not say which one matched
            if hmac.compare_digest(given, key.digest):
                found = key
        return found

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method: str = details.method
        if method.startswith(OPEN_SERVICES):
            return await continuation(details)
        metadata = tuple(details.invocation_metadata or ())
        has_header = any(k == "authorization" for k, _ in metadata)
        key = self.identify(metadata)
        if key is None:
            reason = (
                "the API key is not valid"
                if has_header
                else "this server needs an API key: send metadata 'authorization: Bearer <key>'"
            )
            return _deny(grpc.StatusCode.UNAUTHENTICATED, reason, method)
        rpc = _method_name(method)
        if key.rpcs and rpc not in key.rpcs:
            log.debug("key %s may not call %s", key.name, rpc)
            return _deny(
                grpc.StatusCode.PERMISSION_DENIED,
                f"API key {key.name!r} may not call {rpc}; "
                f"it may call {', '.join(sorted(key.rpcs))}",
                method,
            )
        return await continuation(details)


def _streaming_methods() -> frozenset[str]:
    from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb

    service = pb.DESCRIPTOR.services_by_name["Dragoman"]
    return frozenset(
        f"/{service.full_name}/{m.name}" for m in service.methods if m.client_streaming
    )


def _deny(code: grpc.StatusCode, message: str, method: str) -> grpc.RpcMethodHandler:
    async def abort(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        await context.abort(code, message)

    if method in _streaming_methods():
        return grpc.stream_stream_rpc_method_handler(abort)
    return grpc.unary_unary_rpc_method_handler(abort)
