"""gRPC handlers for dragoman.v1.Dragoman: parse bytes, convert, call the engine, map errors."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError, Message

from dragoman.api import convert
from dragoman.api.admission import Admission
from dragoman.api.errors import status_for
from dragoman.api.metrics import Metrics
from dragoman.batch.service import cluster_stories
from dragoman.brief.render import to_markdown
from dragoman.engine import Engine
from dragoman.errors import DragomanError, InvalidInput, Overloaded
from dragoman.gen.dragoman.v1 import dragoman_pb2 as pb
from dragoman.logs import REQUEST_ID

log = logging.getLogger(__name__)

SERVICE_NAME = "dragoman.v1.Dragoman"

Handler = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Message]]

# A caller's x-request-id goes on every log line of its call (and into INTERNAL messages): cut it,
# so that 8 KiB of metadata cannot become 8 KiB on each line.
MAX_REQUEST_ID_CHARS = 64


def _request_id(metadata: dict[str, Any]) -> str:
    given = metadata.get("x-request-id")
    # gRPC keeps ASCII metadata printable, so no line breaks can reach the log
    return str(given)[:MAX_REQUEST_ID_CHARS] if given else uuid.uuid4().hex[:12]


def _deadline(context: grpc.aio.ServicerContext[Any, Any]) -> float | None:
    remaining: float | None = context.time_remaining()
    if remaining is None:
        return None
    return asyncio.get_running_loop().time() + remaining


class DragomanServicer:
    """The rpc implementations; each takes a parsed request and returns a response message."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def Translate(self, req: pb.TranslateRequest, ctx: Any) -> pb.TranslateResponse:
        results = await self.engine.translate(convert.translate_job(req), _deadline(ctx))
        return convert.translate_response(results)

    async def DetectLanguage(
        self, req: pb.DetectLanguageRequest, ctx: Any
    ) -> pb.DetectLanguageResponse:
        return convert.detect_response(await self.engine.detect(list(req.texts)))

    async def Summarize(self, req: pb.SummarizeRequest, ctx: Any) -> pb.SummarizeResponse:
        result = await self.engine.summarize(convert.summarize_job(req), _deadline(ctx))
        return convert.summarize_response(result)

    async def Brief(self, req: pb.BriefRequest, ctx: Any) -> pb.BriefResponse:
        brief = await self.engine.brief(convert.brief_job(req), _deadline(ctx))
        markdown = to_markdown(brief) if req.format == pb.BRIEF_FORMAT_MARKDOWN else ""
        return pb.BriefResponse(brief=convert.brief_message(brief), markdown=markdown)

    async def ListModels(self, req: pb.ListModelsRequest, ctx: Any) -> pb.ListModelsResponse:
        return convert.models_response(self.engine.models(req.task))

    async def ClusterStories(
        self, req: pb.ClusterStoriesRequest, ctx: Any
    ) -> pb.ClusterStoriesResponse:
        groups = await cluster_stories(self.engine, convert.cluster_job(req), _deadline(ctx))
        return convert.cluster_response(groups)


MAX_CUSTOM_ID_CHARS = 200


class BriefStreamer:
    """BriefStream: items in, results out as each finishes; at most `limit` briefs at once per
    stream; a bad item answers with its own status; leaving the stream cancels what runs."""

    def __init__(
        self, servicer: DragomanServicer, admission: Admission, metrics: Metrics | None
    ) -> None:
        self.servicer = servicer
        self.admission = admission
        self.metrics = metrics
        self.limit = max(1, servicer.engine.settings.max_concurrent_briefs)

    async def _item(self, raw: bytes, context: Any) -> pb.BriefStreamResponse:
        custom_id = ""
        try:
            try:
                item = pb.BriefStreamRequest.FromString(raw)
            except DecodeError as exc:
                raise InvalidInput(
                    f"BriefStreamRequest could not be parsed ({exc}); string fields must hold "
                    "valid UTF-8"
                ) from None
            custom_id = item.custom_id
            if len(custom_id) > MAX_CUSTOM_ID_CHARS:
                custom_id = custom_id[:MAX_CUSTOM_ID_CHARS]
                raise InvalidInput(f"custom_id is longer than {MAX_CUSTOM_ID_CHARS} characters")
            async with self.admission.slot("Brief", _deadline(context)):
                resp = await self.servicer.Brief(item.request, context)
            return pb.BriefStreamResponse(custom_id=custom_id, response=resp)
        except DragomanError as exc:
            code = status_for(exc)
            log.debug("BriefStream item %r -> %s: %s", custom_id[:40], code.name, exc)
            return pb.BriefStreamResponse(
                custom_id=custom_id,
                error=pb.ItemError(code=code.value[0], status=code.name, message=str(exc)),
            )
        except Exception:
            log.exception("BriefStream item %r failed", custom_id[:40])
            code = grpc.StatusCode.INTERNAL
            return pb.BriefStreamResponse(
                custom_id=custom_id,
                error=pb.ItemError(
                    code=code.value[0],
                    status=code.name,
                    message=f"internal error (request id {REQUEST_ID.get()}); the server log "
                    "has the details",
                ),
            )

    async def __call__(
        self, requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[pb.BriefStreamResponse]:
        token = REQUEST_ID.set(_request_id(dict(context.invocation_metadata() or ())))
        began = time.monotonic()
        code = grpc.StatusCode.OK
        running: set[asyncio.Task[pb.BriefStreamResponse]] = set()
        reading: asyncio.Task[bytes] | None = None
        source = requests.__aiter__()
        more = True
        try:
            while True:
                if more and reading is None and len(running) < self.limit:
                    reading = asyncio.ensure_future(source.__anext__())
                waiting: set[asyncio.Future[Any]] = set(running)
                if reading is not None:
                    waiting.add(reading)
                if not waiting:
                    break
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if reading is not None and reading in done:
                    try:
                        raw = reading.result()
                    except StopAsyncIteration:
                        more = False
                    else:
                        running.add(asyncio.create_task(self._item(raw, context)))
                    reading = None
                for task in done:
                    if task in running:
                        running.discard(task)
                        yield task.result()
        except asyncio.CancelledError:
            code = grpc.StatusCode.CANCELLED
            log.info("BriefStream cancelled by the caller")
            raise
        finally:
            for task in running:
                task.cancel()
            if reading is not None:
                reading.cancel()
            if self.metrics is not None:
                self.metrics.observe("BriefStream", code.name, time.monotonic() - began)
            REQUEST_ID.reset(token)


def _wrap(
    name: str,
    request_cls: type[Message],
    impl: Handler,
    admission: Admission,
    metrics: Metrics | None,
) -> Callable[..., Any]:
    async def handler(raw: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> Message:
        metadata = dict(context.invocation_metadata() or ())
        token = REQUEST_ID.set(_request_id(metadata))
        began = time.monotonic()
        code = grpc.StatusCode.OK
        try:
            try:
                request = request_cls.FromString(raw)
            except DecodeError as exc:
                # grpcio would answer INTERNAL for a request it cannot parse; the caller sent it,
                # so say what is wrong.
                code = grpc.StatusCode.INVALID_ARGUMENT
                await context.abort(
                    code,
                    f"{request_cls.DESCRIPTOR.name} could not be parsed ({exc}); string fields "
                    "must hold valid UTF-8",
                )
            async with admission.slot(name, _deadline(context)) as waited:
                if metrics is not None:
                    metrics.admission_wait.labels(name).observe(waited)
                return await impl(request, context)
        except grpc.aio.AbortError:
            raise
        except DragomanError as exc:
            code = status_for(exc)
            # The caller's mistake (or a missing model the caller asked for), not ours: at
            # DEBUG, so a client repeating a bad request cannot flood the log.
            log.debug("%s -> %s: %s", name, code.name, exc)
            if isinstance(exc, Overloaded):
                context.set_trailing_metadata(
                    (("grpc-retry-pushback-ms", str(exc.retry_after_ms)),)
                )
            await context.abort(code, str(exc))
        except asyncio.CancelledError:
            code = grpc.StatusCode.CANCELLED
            log.info("%s cancelled by the caller", name)
            raise
        except Exception:
            code = grpc.StatusCode.INTERNAL
            log.exception("%s failed", name)
            await context.abort(
                code,
                f"internal error (request id {REQUEST_ID.get()}); the server log has the details",
            )
        finally:
            if metrics is not None:
                metrics.observe(name, code.name, time.monotonic() - began)
            REQUEST_ID.reset(token)
        raise AssertionError("unreachable")

    return handler


def generic_handler(
    servicer: DragomanServicer, admission: Admission, metrics: Metrics | None = None
) -> grpc.GenericRpcHandler:
    """Method handlers built from the service descriptor, taking raw request bytes."""
    service = pb.DESCRIPTOR.services_by_name["Dragoman"]
    handlers = {}
    for method in service.methods:
        if method.client_streaming and method.server_streaming:
            handlers[method.name] = grpc.stream_stream_rpc_method_handler(
                BriefStreamer(servicer, admission, metrics).__call__,  # an async generator
                request_deserializer=None,
                response_serializer=lambda m: m.SerializeToString(),
            )
            continue
        request_cls = getattr(pb, method.input_type.name)
        impl = getattr(servicer, method.name)
        handlers[method.name] = grpc.unary_unary_rpc_method_handler(
            _wrap(method.name, request_cls, impl, admission, metrics),
            request_deserializer=None,
            response_serializer=lambda m: m.SerializeToString(),
        )
    return grpc.method_handlers_generic_handler(SERVICE_NAME, handlers)
