"""A small client for the CLI: domain-ish calls over a gRPC channel (protobuf stays in api/)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import grpc
from google.protobuf import json_format
from grpc_health.v1 import health_pb2, health_pb2_grpc

from service.brief import types as bt
from service.domain import Article
from service.gen.dragoman.v1 import dragoman_pb2 as pb
from service.gen.dragoman.v1 import dragoman_pb2_grpc as pb_grpc


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
    from service.api.convert import brief_message

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


class Client:
    """Blocking calls to a dragoman server."""

    def __init__(
        self,
        target: str,
        timeout_s: float = 300.0,
        *,
        api_key: str = "",
        tls_ca: bytes | None = None,
        tls: bool = False,
    ) -> None:
        """`api_key` is sent as 'authorization: Bearer KEY'; `tls` (or a `tls_ca` bundle to
        trust instead of the system's) makes the channel TLS."""
        options: list[tuple[str, Any]] = [
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            ("grpc.max_send_message_length", 64 * 1024 * 1024),
            # several servers ("dns:///dragoman.ns.svc:50051", "ipv4:10.0.0.1:50051,10.0.0.2:50051")
            # share the calls; one server is one address either way
            ("grpc.lb_policy_name", "round_robin"),
            ("grpc.enable_retries", 1),
            ("grpc.service_config", RETRY_SERVICE_CONFIG),
        ]
        if tls or tls_ca is not None:
            creds = grpc.ssl_channel_credentials(root_certificates=tls_ca)
            self._channel = grpc.secure_channel(target, creds, options=options)
        else:
            self._channel = grpc.insecure_channel(target, options=options)
        self._metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
        self._stub = pb_grpc.DragomanStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)
        self._timeout = timeout_s

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

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        resp = self._stub.Translate(
            pb.TranslateRequest(texts=list(texts), source_language=source, target_language=target),
            timeout=self._timeout,
            metadata=self._metadata,
        )
        return [t.translated_text for t in resp.translations]

    def summarize(self, text: str, source: str, target: str, sentences: int) -> str:
        resp = self._stub.Summarize(
            pb.SummarizeRequest(
                text=text, source_language=source, target_language=target, max_sentences=sentences
            ),
            timeout=self._timeout,
            metadata=self._metadata,
        )
        return str(resp.summary)

    def brief(
        self,
        articles: Sequence[Article],
        target: str,
        as_json: bool,
        gazetteer: bt.Gazetteer | None = None,
    ) -> str:
        from service.api.convert import gazetteer_messages

        resp = self._stub.Brief(
            pb.BriefRequest(
                articles=[article_message(a) for a in articles],
                target_language=target,
                format=pb.BRIEF_FORMAT_MESSAGE if as_json else pb.BRIEF_FORMAT_MARKDOWN,
                gazetteer=gazetteer_messages(gazetteer) if gazetteer else [],
                gazetteer_version=gazetteer.declared if gazetteer else "",
            ),
            timeout=self._timeout,
            metadata=self._metadata,
        )
        return brief_json(resp.brief) if as_json else resp.markdown

    def cluster(
        self, articles: Sequence[Article], threshold: float = 0.0, window_days: int = 0
    ) -> list[list[str]]:
        """Stories of a feed (ClusterStories) as lists of article ids."""
        resp = self._stub.ClusterStories(
            pb.ClusterStoriesRequest(
                articles=[article_message(a) for a in articles],
                threshold=threshold,
                window_days=window_days,
            ),
            timeout=self._timeout,
            metadata=self._metadata,
        )
        return [list(s.article_ids) for s in resp.stories]

    def brief_stream(
        self, stories: Sequence[tuple[str, Sequence[Article]]], target: str
    ) -> Iterator[tuple[str, tuple[str, str, str] | tuple[str, str]]]:
        """BriefStream: (custom id, (json, markdown, headline)) for each brief as it finishes,
        or (custom id, (status, message)) for one the server could not make."""
        requests = (
            pb.BriefStreamRequest(
                custom_id=cid,
                request=pb.BriefRequest(
                    articles=[article_message(a) for a in members],
                    target_language=target,
                    format=pb.BRIEF_FORMAT_MARKDOWN,
                ),
            )
            for cid, members in stories
        )
        call = self._stub.BriefStream(requests, metadata=self._metadata)
        try:
            for resp in call:
                if resp.WhichOneof("result") == "response":
                    b = resp.response
                    yield resp.custom_id, (brief_json(b.brief), b.markdown, b.brief.headline)
                else:
                    yield resp.custom_id, (resp.error.status, resp.error.message)
        finally:
            call.cancel()  # a consumer that stops early stops the server's work too

    def models(self) -> str:
        resp = self._stub.ListModels(
            pb.ListModelsRequest(), timeout=self._timeout, metadata=self._metadata
        )
        return json.dumps(json_format.MessageToDict(resp), ensure_ascii=False, indent=2)

    def close(self) -> None:
        self._channel.close()
