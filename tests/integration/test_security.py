"""TLS, mTLS and API keys against a real server (throwaway CA from trustme), and the settings
that cannot work refused with a message naming the flag."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
import trustme
from grpc_health.v1 import health_pb2, health_pb2_grpc

from dragoman.api.security import SecurityConfigError, parse_keys
from dragoman.config import Settings
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc
from dragoman.server import Running, create_server
from tests.integration.conftest import wait_serving

KEY_ALL = "all-rpcs-0123456789abcdef"
KEY_LIST = "list-only-0123456789abcdef"


def _base(tmp_path: Path, **kw: object) -> Settings:
    return Settings(
        host="127.0.0.1", port=0, models_dir=tmp_path, embedded=False, metrics_port=-1
    ).replace(**kw)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def pki(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pki")
    server = ca.issue_cert("localhost", "127.0.0.1")
    client = ca.issue_cert("client@example.org")
    paths = {
        "ca": folder / "ca.pem",
        "cert": folder / "server.pem",
        "key": folder / "server.key",
        "client_cert": folder / "client.pem",
        "client_key": folder / "client.key",
    }
    ca.cert_pem.write_to_path(str(paths["ca"]))
    server.private_key_pem.write_to_path(str(paths["key"]))
    (paths["cert"]).write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    client.private_key_pem.write_to_path(str(paths["client_key"]))
    (paths["client_cert"]).write_bytes(b"".join(blob.bytes() for blob in client.cert_chain_pems))
    return paths


@pytest_asyncio.fixture
async def keyed(tmp_path: Path) -> AsyncIterator[Running]:
    keys = tmp_path / "keys.txt"
    keys.write_text(f"# team keys\nanalysts:{KEY_ALL}\nprobe:{KEY_LIST}:ListModels\n")
    running = await create_server(_base(tmp_path, api_keys_file=keys))
    yield running
    await running.stop(0)


async def _code(call: object) -> tuple[grpc.StatusCode, str]:
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as err:
        return err.code(), err.details() or ""
    return grpc.StatusCode.OK, ""


async def test_api_keys(keyed: Running, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{keyed.port}") as ch:
        stub = pb_grpc.DragomanStub(ch)
        req = pb.ListModelsRequest()
        code, msg = await _code(stub.ListModels(req))
        assert code is grpc.StatusCode.UNAUTHENTICATED and "authorization: Bearer" in msg
        bad = (("authorization", "Bearer not-a-key-at-all-000000"),)
        code, msg = await _code(stub.ListModels(req, metadata=bad))
        assert code is grpc.StatusCode.UNAUTHENTICATED and "not valid" in msg
        good = (("authorization", f"Bearer {KEY_ALL}"),)
        assert (await stub.ListModels(req, metadata=good)).models
        limited = (("authorization", f"Bearer {KEY_LIST}"),)
        assert (await stub.ListModels(req, metadata=limited)).models
        detect = pb.DetectLanguageRequest(texts=["Песков заявил журналистам."])
        code, msg = await _code(stub.DetectLanguage(detect, metadata=limited))
        assert code is grpc.StatusCode.PERMISSION_DENIED
        assert "'probe' may not call DetectLanguage" in msg and "ListModels" in msg
        # streaming rpcs are guarded too
        # (no request is written: a write racing the server's refusal fails on the client's
        # side with INTERNAL, which would say nothing about the server)
        stream = pb_grpc.DragomanStub(ch).BriefStream()
        assert await stream.code() is grpc.StatusCode.UNAUTHENTICATED
        # probes need no key
        health = health_pb2_grpc.HealthStub(ch)
        await health.Check(health_pb2.HealthCheckRequest())
    assert KEY_ALL not in caplog.text and KEY_LIST not in caplog.text
    assert "not-a-key-at-all" not in caplog.text


async def test_tls_and_mtls(tmp_path: Path, pki: dict[str, Path]) -> None:
    ca_pem = pki["ca"].read_bytes()
    running = await create_server(_base(tmp_path, tls_cert=pki["cert"], tls_key=pki["key"]))
    try:
        assert running.tls
        creds = grpc.ssl_channel_credentials(root_certificates=ca_pem)
        async with grpc.aio.secure_channel(f"localhost:{running.port}", creds) as ch:
            assert (await pb_grpc.DragomanStub(ch).ListModels(pb.ListModelsRequest())).models
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            code, _ = await _code(
                pb_grpc.DragomanStub(ch).ListModels(pb.ListModelsRequest(), timeout=5)
            )
            assert code is grpc.StatusCode.UNAVAILABLE  # plaintext to a TLS port
    finally:
        await running.stop(0)

    running = await create_server(
        _base(tmp_path, tls_cert=pki["cert"], tls_key=pki["key"], tls_client_ca=pki["ca"])
    )
    try:
        anonymous = grpc.ssl_channel_credentials(root_certificates=ca_pem)
        async with grpc.aio.secure_channel(f"localhost:{running.port}", anonymous) as ch:
            code, _ = await _code(
                pb_grpc.DragomanStub(ch).ListModels(pb.ListModelsRequest(), timeout=5)
            )
            assert code is grpc.StatusCode.UNAVAILABLE  # no client certificate
        mutual = grpc.ssl_channel_credentials(
            root_certificates=ca_pem,
            private_key=pki["client_key"].read_bytes(),
            certificate_chain=pki["client_cert"].read_bytes(),
        )
        async with grpc.aio.secure_channel(f"localhost:{running.port}", mutual) as ch:
            assert (await pb_grpc.DragomanStub(ch).ListModels(pb.ListModelsRequest())).models
    finally:
        await running.stop(0)


def test_blocking_client_with_tls_and_key(tmp_path: Path, pki: dict[str, Path]) -> None:
    import asyncio
    import threading

    from dragoman.client import Client

    keys = tmp_path / "keys"
    keys.write_text(KEY_ALL + "\n")
    settings = _base(tmp_path, tls_cert=pki["cert"], tls_key=pki["key"], api_keys_file=keys)
    loop = asyncio.new_event_loop()
    running = loop.run_until_complete(create_server(settings))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        client = Client(f"localhost:{running.port}", api_key=KEY_ALL, tls_ca=pki["ca"].read_bytes())
        assert '"models"' in client.models()
        client.close()
        anonymous = Client(f"localhost:{running.port}", tls_ca=pki["ca"].read_bytes())
        with pytest.raises(grpc.RpcError) as err:
            anonymous.models()
        assert err.value.code() is grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
        anonymous.close()
    finally:
        asyncio.run_coroutine_threadsafe(running.stop(0), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@pytest.mark.parametrize(
    "change,needle",
    [
        ({"tls_cert": Path("/nonexistent/cert.pem")}, "both --tls-cert and --tls-key"),
        ({"tls_client_ca": Path("/nonexistent/ca.pem")}, "--tls-client-ca needs --tls-cert"),
        ({"api_keys": "short"}, "at least 16 characters"),
        ({"api_keys": f"a:{KEY_ALL},a:{KEY_LIST}"}, "names must be unique"),
        ({"api_keys_file": Path("/nonexistent/keys")}, "--api-keys-file cannot be read"),
    ],
)
async def test_unusable_settings_are_refused(
    tmp_path: Path, change: dict[str, object], needle: str
) -> None:
    with pytest.raises(SecurityConfigError, match=needle.replace("-", r"\-")):
        await create_server(_base(tmp_path, **change))


def test_key_lines() -> None:
    keys = parse_keys(f"{KEY_ALL}\nprobe:{KEY_LIST}:ListModels, Translate\n\n# c\n", "test")
    assert [(k.name, sorted(k.rpcs)) for k in keys] == [
        ("key1", []),
        ("probe", ["ListModels", "Translate"]),
    ]
    with pytest.raises(SecurityConfigError, match="line 1"):
        parse_keys("a:b:c:d", "test")


async def test_plaintext_health_port_beside_tls_and_keys(
    tmp_path: Path, pki: dict[str, Path]
) -> None:
    """Kubernetes' grpc probes speak neither TLS nor API keys: --health-port serves
    grpc.health.v1 alone, in plaintext; the Dragoman service is not reachable there."""
    keys = tmp_path / "keys"
    keys.write_text(KEY_ALL + "\n")
    running = await create_server(
        _base(
            tmp_path,
            tls_cert=pki["cert"],
            tls_key=pki["key"],
            api_keys_file=keys,
            health_port=0,
        )
    )
    try:
        assert running.tls and running.health_port > 0 and running.health_port != running.port
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.health_port}") as ch:
            health = health_pb2_grpc.HealthStub(ch)
            await wait_serving(ch, 60)  # (the engine loads nothing: embedded off)
            status = (await health.Check(health_pb2.HealthCheckRequest(), timeout=5)).status
            assert status == health_pb2.HealthCheckResponse.SERVING
            stub = pb_grpc.DragomanStub(ch)
            code, _ = await _code(stub.ListModels(pb.ListModelsRequest(), timeout=5))
            assert code is grpc.StatusCode.UNIMPLEMENTED
            # while stopping, probes read NOT_SERVING on that port until the end
            await running.health.enter_graceful_shutdown()
            status = (await health.Check(health_pb2.HealthCheckRequest(), timeout=5)).status
            assert status == health_pb2.HealthCheckResponse.NOT_SERVING
    finally:
        await running.stop(0)
