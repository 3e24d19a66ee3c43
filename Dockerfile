# dragoman: multi-stage image. The builder runs the same install script as CI (CPU torch),
# the runtime copies the venv, runs as a non-root user, and reads models from a volume.
#
#   docker build -t dragoman .
#   docker run -p 50051:50051 -v "$PWD/models:/models" dragoman
#
# Bake models into the image instead: docker build --build-arg models="opus-mt-ru-en opus-mt-ar-en" .
# (needs hub access at build time; each name is a [[model]] of models/manifest.toml)

FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
WORKDIR /app
COPY pyproject.toml README.md ./
COPY scripts ./scripts
COPY service ./service
COPY protos ./protos
COPY models/manifest.toml ./models/manifest.toml
# The venv lives where the runtime will run it from (venvs are not relocatable).
RUN DRAGOMAN_EDITABLE=0 scripts/install.sh /opt/venv
ARG models=""
RUN mkdir -p /models && cp models/manifest.toml /models/ && for m in $models; do \
      /opt/venv/bin/dragoman models pull --models-dir /models "$m"; done

FROM python:3.11-slim AS runtime
RUN useradd --create-home --uid 10001 dragoman
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder --chown=dragoman /models /models
ENV PATH=/opt/venv/bin:$PATH \
    DRAGOMAN_HOST=[::] DRAGOMAN_PORT=50051 DRAGOMAN_MODELS_DIR=/models \
    HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
USER dragoman
VOLUME ["/models"]
EXPOSE 50051 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD python -c "import grpc,sys; from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g; \
s=g.HealthStub(grpc.insecure_channel('127.0.0.1:50051')).Check(h.HealthCheckRequest(), timeout=3); \
sys.exit(0 if s.status == h.HealthCheckResponse.SERVING else 1)"
ENTRYPOINT ["dragoman", "serve"]
