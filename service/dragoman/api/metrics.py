"""Prometheus metrics on their own port (`--metrics-port`), named in the style of TGI/TEI:
requests by rpc and status, latency and admission-wait histograms, calls running and waiting,
model queue depth, batches, items and tokens, embedding cache hits, model load state."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from dragoman.api.admission import Admission
    from dragoman.engine import Engine

log = logging.getLogger(__name__)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class _EngineCollector(Collector):
    """Read at scrape time from the engine and the admission gates: nothing to keep in sync."""

    def __init__(self, engine: Engine, admission: Admission) -> None:
        self.engine = engine
        self.admission = admission

    def collect(self) -> Iterator[Metric]:
        running = GaugeMetricFamily(
            "dragoman_request_running", "Calls being worked on", labels=["method"]
        )
        waiting = GaugeMetricFamily(
            "dragoman_request_waiting", "Calls waiting for an admission slot", labels=["method"]
        )
        for method, (r, w) in sorted(self.admission.state().items()):
            running.add_metric([method], r)
            waiting.add_metric([method], w)
        yield running
        yield waiting

        queue = GaugeMetricFamily(
            "dragoman_queue_size", "Items queued for a model batch", labels=["model"]
        )
        batches = CounterMetricFamily("dragoman_batch", "Model batches run", labels=["model"])
        items = CounterMetricFamily(
            "dragoman_batch_items", "Items run in batches", labels=["model"]
        )
        tokens = CounterMetricFamily(
            "dragoman_batch_input_tokens", "Source tokens run in batches", labels=["model"]
        )
        dropped = CounterMetricFamily(
            "dragoman_batch_dropped_items",
            "Items dropped before running (caller left or deadline passed)",
            labels=["model", "reason"],
        )
        for sched in self.engine.pool.all():
            name = sched.model.name
            queue.add_metric([name], sched.queued)
            batches.add_metric([name], sched.stats.batches)
            items.add_metric([name], sched.stats.items)
            tokens.add_metric([name], sched.stats.tokens)
            dropped.add_metric([name, "cancelled"], sched.stats.dropped_cancelled)
            dropped.add_metric([name, "expired"], sched.stats.dropped_expired)
        yield from (queue, batches, items, tokens, dropped)

        cache = CounterMetricFamily(
            "dragoman_embedding_cache", "Sentence embedding cache look-ups", labels=["result"]
        )
        embedder = self.engine.embedder_if_loaded()
        cache.add_metric(["hit"], embedder.cache_hits if embedder else 0)
        cache.add_metric(["miss"], embedder.cache_misses if embedder else 0)
        yield cache

        ready = GaugeMetricFamily("dragoman_ready", "1 once every model is loaded")
        ready.add_metric([], 1 if self.engine.ready else 0)
        yield ready
        installed = GaugeMetricFamily(
            "dragoman_model_installed",
            "1 for each installed (and, once ready, loaded) model",
            labels=["model", "task", "format"],
        )
        for m in self.engine.models().models:
            installed.add_metric([m.name, m.task, m.format], 1 if m.installed else 0)
        yield installed


class Metrics:
    """One registry per server (tests run several servers in one process)."""

    def __init__(self, engine: Engine, admission: Admission) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "dragoman_request",
            "Calls answered, by rpc and gRPC status",
            ["method", "code"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "dragoman_request_duration_seconds",
            "Time from a call's arrival to its answer",
            ["method"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.admission_wait = Histogram(
            "dragoman_request_queue_duration_seconds",
            "Time a call waited for an admission slot",
            ["method"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_EngineCollector(engine, admission))
        self._server: Any = None
        self.port = -1

    def observe(self, method: str, code: str, seconds: float) -> None:
        self.requests.labels(method, code).inc()
        self.duration.labels(method).observe(seconds)

    def serve(self, host: str, port: int) -> int:
        """Start the /metrics HTTP endpoint; the port it listens on."""
        addr = host.strip("[]") or "localhost"
        server, _thread = start_http_server(port, addr=addr, registry=self.registry)
        self._server = server
        self.port = int(server.server_port)
        log.info("metrics on http://%s:%d/metrics", host, self.port)
        return self.port

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
