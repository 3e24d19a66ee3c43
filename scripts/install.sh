#!/usr/bin/env bash
# One install step for dev machines, CI and the Dockerfile: a venv with the CPU torch and dragoman.
# Usage: scripts/install.sh [--dev] [VENV_DIR]   (default VENV_DIR=.venv)
set -euo pipefail
extras=""
if [ "${1:-}" = "--dev" ]; then extras="[dev]"; shift; fi
venv="${1:-.venv}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python3.11 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade "pip<27"
# The CPU build of torch: pinned so pip takes it (from local disk here, from the PyTorch CPU index
# elsewhere) before anything can pull a multi-GB CUDA build.
# Set TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu where PyPI's default build is CUDA.
"$venv/bin/python" -m pip install --quiet "torch==2.13.0" ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"}
# Editable for development; DRAGOMAN_EDITABLE=0 (the Dockerfile) installs a plain copy.
if [ "${DRAGOMAN_EDITABLE:-1}" = "1" ]; then
  "$venv/bin/python" -m pip install --quiet -e "$here$extras"
else
  "$venv/bin/python" -m pip install --quiet "$here$extras"
fi
echo "installed dragoman into $venv"
