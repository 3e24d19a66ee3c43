"""dragoman's Python client, blocking (`Client`) and asyncio (`AsyncClient`), as the CLI's
`--server` uses it:

    from dragoman.client import Client, AsyncClient

    with Client("dns:///dragoman.ns.svc:50051", api_key=KEY, tls=True) as client:
        print(client.translate(["Песков заявил."], "ru", "en"))

    async with AsyncClient("localhost:50051") as client:
        await client.wait_ready(60)
        async for custom_id, result in client.brief_stream(stories, "en"):
            ...

Every call has a deadline (`timeout_s`, per client, or per call); calls refused as UNAVAILABLE
or RESOURCE_EXHAUSTED are retried by gRPC itself, after the server's grpc-retry-pushback-ms
when it sends one; several servers (`dns:///`, `ipv4:a,b`) share the calls round-robin.
Errors are grpc.RpcError (grpc.aio.AioRpcError), whose code() and details() say what to fix.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import grpc
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from dragoman.brief import types as bt
from dragoman.domain import Article
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc


def _timestamp_field(a: Article) -> dict[str, str]:
    return {"publishedTime": a.published} if a.published else {}


def article_message(a: Article) -> pb.Article:
    msg = pb.Article(
        id=a.id, url=a.url, title=a.title, text=a.text, language=a.language, outlet=a.outlet
    )
    if a.published:
        msg.published_time.FromJsonString(a.published)
    return msg


def brief_json(brief: pb.Brief) -> str:
    """The proto3 JSON mapping of a brief (stable key order as declared in the proto)."""
    return json.dumps(
        json_format.MessageToDict(brief, preserving_proto_field_name=False),
        ensure_ascii=False,
        indent=2,
    )


def local_brief_json(brief: bt.Brief) -> str:
    from dragoman.api.convert import brief_message

    return brief_json(brief_message(brief))


# gRPC's own retries: a call refused as UNAVAILABLE (models loading, a replica going away) or
# RESOURCE_EXHAUSTED (the server's admission control) is tried again with exponential backoff,
# or after the server's grpc-retry-pushback-ms when it sends one; within the call's deadline.
RETRY_SERVICE_CONFIG = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{"service": "dragoman.v1.Dragoman"}],
                "retryPolicy": {
                    "maxAttempts": 5,
                    "initialBackoff": "0.5s",
                    "maxBackoff": "10s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE", "RESOURCE_EXHAUSTED"],
                },
            }
        ]
    }
)


BriefResult = tuple[str, str, str]  # (brief JSON, Markdown, headline)
StreamError = tuple[str, str]  # (status code name, message)


def _channel_options() -> list[tuple[str, Any]]:
    return [
        ("grpc.max_receive_message_length", 64 * 1024 * 1024),
        ("grpc.max_send_message_length", 64 * 1024 * 1024),
        # several servers ("dns:///dragoman.ns.svc:50051", "ipv4:10.0.0.1:50051,10.0.0.2:50051")
        # share the calls; one server is one address either way
        ("grpc.lb_policy_name", "round_robin"),
        ("grpc.enable_retries", 1),
        ("grpc.service_config", RETRY_SERVICE_CONFIG),
    ]


class _Calls:
    """Requests and results, shared by the blocking and the asyncio client."""

    def __init__(self, timeout_s: float, api_key: str) -> None:
        self._timeout = timeout_s
        self._metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()

    def _deadline(self, timeout_s: float | None) -> float:
        return self._timeout if timeout_s is None else timeout_s

    @staticmethod
    def _translate_request(texts: Sequence[str], source: str, target: str) -> pb.TranslateRequest:
        return pb.TranslateRequest(
            texts=list(texts), source_language=source, target_language=target
        )

    @staticmethod
    def _summarize_request(
        text: str, source: str, target: str, sentences: int
    ) -> pb.SummarizeRequest:
        return pb.SummarizeRequest(
            text=text, source_language=source, target_language=target, max_sentences=sentences
        )

    @staticmethod
    def _brief_request(
        articles: Sequence[Article], target: str, as_json: bool, gazetteer: bt.Gazetteer | None
    ) -> pb.BriefRequest:
        from dragoman.api.convert import gazetteer_messages

        return pb.BriefRequest(
            articles=[article_message(a) for a in articles],
            target_language=target,
            format=pb.BRIEF_FORMAT_MESSAGE if as_json else pb.BRIEF_FORMAT_MARKDOWN,
            gazetteer=gazetteer_messages(gazetteer) if gazetteer else [],
            gazetteer_version=gazetteer.declared if gazetteer else "",
        )

    @staticmethod
    def _brief_result(resp: pb.BriefResponse, as_json: bool) -> str:
        return brief_json(resp.brief) if as_json else resp.markdown

    @staticmethod
    def _cluster_request(
        articles: Sequence[Article], threshold: float, window_days: int
    ) -> pb.ClusterStoriesRequest:
        return pb.ClusterStoriesRequest(
            articles=[article_message(a) for a in articles],
            threshold=threshold,
            window_days=window_days,
        )

    @staticmethod
    def _stream_requests(
        stories: Sequence[tuple[str, Sequence[Article]]], target: str
    ) -> Iterator[pb.BriefStreamRequest]:
        for cid, members in stories:
            yield pb.BriefStreamRequest(
                custom_id=cid,
                request=pb.BriefRequest(
                    articles=[article_message(a) for a in members],
                    target_language=target,
                    format=pb.BRIEF_FORMAT_MARKDOWN,
                ),
            )

    @staticmethod
    def _stream_result(resp: pb.BriefStreamResponse) -> tuple[str, BriefResult | StreamError]:
        if resp.WhichOneof("result") == "response":
            b = resp.response
            return resp.custom_id, (brief_json(b.brief), b.markdown, b.brief.headline)
        return resp.custom_id, (resp.error.status, resp.error.message)

    @staticmethod
    def _models_json(resp: pb.ListModelsResponse) -> str:
        return json.dumps(json_format.MessageToDict(resp), ensure_ascii=False, indent=2)


def _credentials(tls: bool, tls_ca: bytes | None) -> grpc.ChannelCredentials | None:
    if tls or tls_ca is not None:
        return grpc.ssl_channel_credentials(root_certificates=tls_ca)
    return None


class Client(_Calls):
    """Blocking calls to a dragoman server (one channel; thread-safe)."""

    def __init__(
        self,
        target: str,
        timeout_s: float = 300.0,
        *,
        api_key: str = "",
        tls_ca: bytes | None = None,
        tls: bool = False,
    ) -> None:
        """`target`: "host:port", "dns:///name:port" or "ipv4:a:port,b:port"; `timeout_s`: the
        deadline of each call unless the call gives its own; `api_key` is sent as
        'authorization: Bearer KEY'; `tls` (or a `tls_ca` bundle to trust instead of the
        system's) makes the channel TLS."""
        super().__init__(timeout_s, api_key)
        creds = _credentials(tls, tls_ca)
        if creds is not None:
            self._channel = grpc.secure_channel(target, creds, options=_channel_options())
        else:
            self._channel = grpc.insecure_channel(target, options=_channel_options())
        self._stub = pb_grpc.DragomanStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wait_ready(self, timeout_s: float) -> None:
        """Block until the server reports SERVING (models loaded)."""
        import time

        end = time.monotonic() + timeout_s
        while True:
            try:
                status = self._health.Check(
                    health_pb2.HealthCheckRequest(), timeout=2, metadata=self._metadata
                ).status
                if status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            if time.monotonic() > end:
                raise TimeoutError(f"the server was not SERVING within {timeout_s:.0f}s")
            time.sleep(0.3)

    def translate(
        self, texts: Sequence[str], source: str, target: str, *, timeout_s: float | None = None
    ) -> list[str]:
        """Each text in `target`; `source` "" detects each text's language."""
        resp = self._stub.Translate(
            self._translate_request(texts, source, target),
            timeout=self._deadline(timeout_s),
            metadata=self._metadata,
        )
        return [t.translated_text for t in resp.translations]

    def summarize(
        self,
        text: str,
        source: str,
        target: str,
        sentences: int,
        *,
        timeout_s: float | None = None,
    ) -> str:
        resp = self._stub.Summarize(
            self._summarize_request(text, source, target, sentences),
            timeout=self._deadline(timeout_s),
            metadata=self._metadata,
        )
        return str(resp.summary)

    def brief(
        self,
        articles: Sequence[Article],
        target: str,
        as_json: bool,
        gazetteer: bt.Gazetteer | None = None,
        *,
        timeout_s: float | None = None,
    ) -> str:
        """One brief of `articles` in `target`: its JSON (as_json) or Markdown."""
        resp = self._stub.Brief(
            self._brief_request(articles, target, as_json, gazetteer),
            timeout=self._deadline(timeout_s),
            metadata=self._metadata,
        )
        return self._brief_result(resp, as_json)

    def cluster(
        self,
        articles: Sequence[Article],
        threshold: float = 0.0,
        window_days: int = 0,
        *,
        timeout_s: float | None = None,
    ) -> list[list[str]]:
        """Stories of a feed (ClusterStories) as lists of article ids."""
        resp = self._stub.ClusterStories(
            self._cluster_request(articles, threshold, window_days),
            timeout=self._deadline(timeout_s),
            metadata=self._metadata,
        )
        return [list(s.article_ids) for s in resp.stories]

    def brief_stream(
        self, stories: Sequence[tuple[str, Sequence[Article]]], target: str
    ) -> Iterator[tuple[str, BriefResult | StreamError]]:
        """BriefStream: (custom id, (json, markdown, headline)) for each brief as it finishes,
        or (custom id, (status, message)) for one the server could not make. No deadline: the
        stream lasts as long as the work; stopping the iteration cancels the server's work."""
        call = self._stub.BriefStream(
            self._stream_requests(stories, target), metadata=self._metadata
        )
        try:
            for resp in call:
                yield self._stream_result(resp)
        finally:
            call.cancel()  # a consumer that stops early stops the server's work too

    def models(self, *, timeout_s: float | None = None) -> str:
        """ListModels as JSON."""
        resp = self._stub.ListModels(
            pb.ListModelsRequest(), timeout=self._deadline(timeout_s), metadata=self._metadata
        )
        return self._models_json(resp)

    def close(self) -> None:
        self._channel.close()


class AsyncClient(_Calls):
    """The same calls for asyncio (grpc.aio); create it inside the event loop that uses it."""

    def __init__(
        self,
        target: str,
        timeout_s: float = 300.0,
        *,
        api_key: str = "",
        tls_ca: bytes | None = None,
        tls: bool = False,
    ) -> None:
        """As Client's."""
        super().__init__(timeout_s, api_key)
        creds = _credentials(tls, tls_ca)
        if creds is not None:
            self._channel = grpc.aio.secure_channel(target, creds, options=_channel_options())
        else:
            self._channel = grpc.aio.insecure_channel(target, options=_channel_options())
        self._stub = pb_grpc.DragomanStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def wait_ready(self, timeout_s: float) -> None:
        """Wait until the server reports SERVING (models loaded)."""
        import asyncio

        loop = asyncio.get_running_loop()
        end = loop.time() + timeout_s
        while True:
            try:
                reply = await self._health.Check(
                    health_pb2.HealthCheckRequest(), timeout=2, metadata=self._metadata
                )
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            if loop.time() > end:
                raise TimeoutError(f"the server was not SERVING within {timeout_s:.0f}s")
            await asyncio.sleep(0.3)

    async def translate(
        self, texts: Sequence[str], source: str, target: str, *, timeout_s: float | None = None
    ) -> list[str]:
        resp = await self._stub.Translate(
            self._translate_request(texts, source, target),
            timeout=self._deadline(timeout_s),
            metadata=self._metadata,
        )
        return [t.translated_text for t in resp.translations]

    async def summarize(
        self,
        text: str,
        source: str,
        target: str,
        sentences: int,
        *,
        timeout_s: float | None = None,
    ) -> str:
        resp = await self._stub.Summarize(
            self._summarize_request(text, source, target, sentences),
            timeout=self._deadline(timeout_s),
            metadata=self._metadata,
        )
        return str(resp.summary)

    async def brief(
        self,
        articles: Sequence[Article],
        target: str,
        as_json: bool,
        gazetteer: bt.Gazetteer | None = None,
        *,
        timeout_s: float | None = None,
    ) -> str:
        resp = await self._stub.Brief(
            self._brief_request(articles, target, as_json, gazetteer),
            timeout=self._deadline(timeout_s),
            metadata=self._metadata,
        )
        return self._brief_result(resp, as_json)

    async def cluster(
        self,
        articles: Sequence[Article],
        threshold: float = 0.0,
        window_days: int = 0,
        *,
        timeout_s: float | None = None,
    ) -> list[list[str]]:
        resp = await self._stub.ClusterStories(
            self._cluster_request(articles, threshold, window_days),
            timeout=self._deadline(timeout_s),
            metadata=self._metadata,
        )
        return [list(s.article_ids) for s in resp.stories]

    async def brief_stream(
        self, stories: Sequence[tuple[str, Sequence[Article]]], target: str
    ) -> AsyncIterator[tuple[str, BriefResult | StreamError]]:
        """As Client.brief_stream; leaving the loop early cancels the server's work."""
        call = self._stub.BriefStream(
            self._stream_requests(stories, target), metadata=self._metadata
        )
        try:
            async for resp in call:
                yield self._stream_result(resp)
        finally:
            call.cancel()

    async def models(self, *, timeout_s: float | None = None) -> str:
        resp = await self._stub.ListModels(
            pb.ListModelsRequest(), timeout=self._deadline(timeout_s), metadata=self._metadata
        )
        return self._models_json(resp)

    async def close(self) -> None:
        await self._channel.close()
