# dragoman: multi-stage image. The builder runs the same install script as CI (CPU torch),
# the runtime copies the venv, runs as a non-root user (uid/gid 10001), and reads models from a
# volume. docker-compose.yml and deploy/k8s/ run this image; tests/unit/test_deploy.py lints it
# (hadolint, plus the project's own rules: pinned base, numeric non-root USER, HEALTHCHECK).
#
#   docker build -t dragoman:0.1.0 .
#   docker run -p 50051:50051 -p 9464:9464 -v "$PWD/models:/models" dragoman:0.1.0
#
# Without torch/transformers (CTranslate2 models only): docker build --build-arg variant=slim -t dragoman:0.1.0-slim .
# Bake models into the image instead: docker build --build-arg models="opus-mt-ru-en opus-mt-ar-en" .
# (needs hub access at build time; each name is a [[model]] of models/manifest.toml)

# Both stages use the same exact base: the venv is not relocatable across Python builds.
FROM python:3.11.14-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
WORKDIR /app
COPY pyproject.toml README.md ./
COPY scripts ./scripts
COPY service ./service
COPY protos ./protos
COPY models/manifest.toml ./models/manifest.toml
# The venv lives where the runtime will run it from (venvs are not relocatable).
# variant=slim leaves out torch and transformers (the hf extra): CTranslate2 models and the
# embedded brief only, about 1 GB smaller; transformers-format models then report how to enable them.
ARG variant=full
RUN if [ "$variant" = slim ]; then slim=--slim; else slim=; fi && \
    DRAGOMAN_EDITABLE=0 scripts/install.sh $slim /opt/venv
ARG models=""
RUN mkdir -p /models && cp models/manifest.toml /models/ && for m in $models; do \
      /opt/venv/bin/dragoman models pull --models-dir /models "$m"; done

FROM python:3.11.14-slim-bookworm AS runtime
RUN groupadd --gid 10001 dragoman && useradd --create-home --uid 10001 --gid 10001 dragoman
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder --chown=10001:10001 /models /models
# A second copy of the manifest outside /models: a volume mounted on /models (a Kubernetes PVC)
# hides the image's, and the manifest is part of the code version (deploy/ sets
# DRAGOMAN_MANIFEST to this path).
COPY models/manifest.toml /opt/dragoman/manifest.toml
ENV PATH=/opt/venv/bin:$PATH \
    DRAGOMAN_HOST=[::] DRAGOMAN_PORT=50051 DRAGOMAN_MODELS_DIR=/models \
    HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# Numeric, so that Kubernetes' runAsNonRoot can verify it without a runAsUser.
USER 10001:10001
VOLUME ["/models"]
EXPOSE 50051 9464
# gRPC health (the server is NOT_SERVING until its models are loaded), in plaintext: on
# DRAGOMAN_HEALTH_PORT when set (health alone, so it works with TLS and API keys on the main
# port; docker-compose and Kubernetes set it), else on DRAGOMAN_PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import grpc, os, sys; from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g; p = os.environ.get('DRAGOMAN_HEALTH_PORT', '-1'); p = p if p.isdigit() and p != '0' else os.environ.get('DRAGOMAN_PORT', '50051'); c = grpc.insecure_channel('127.0.0.1:' + p); s = g.HealthStub(c).Check(h.HealthCheckRequest(), timeout=3); sys.exit(s.status != h.HealthCheckResponse.SERVING)"]
ENTRYPOINT ["dragoman", "serve"]
