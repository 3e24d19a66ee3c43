#!/usr/bin/env bash
# One install step for dev machines, CI and the Dockerfile: a venv with dragoman (and, unless
# --slim, the CPU torch and transformers: the `hf` extra).
# Usage: scripts/install.sh [--dev | --slim] [VENV_DIR]   (default VENV_DIR=.venv)
#   (none)  dragoman[hf]: every model format, `dragoman models pull`
#   --dev   dragoman[dev] (includes hf): tests, linters, bench
#   --slim  dragoman: CTranslate2 models and the embedded brief only, no torch (~1 GB smaller)
set -euo pipefail
extras="[hf]"
case "${1:-}" in
  --dev) extras="[dev]"; shift ;;
  --slim) extras=""; shift ;;
esac
venv="${1:-.venv}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python3.11 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade "pip<27"
if [ -n "$extras" ]; then
  # The CPU build of torch: pinned so pip takes it (from local disk here, from the PyTorch CPU
  # index elsewhere) before anything can pull a multi-GB CUDA build.
  # Set TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu where PyPI's default build is CUDA.
  "$venv/bin/python" -m pip install --quiet "torch==2.13.0" ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"}
fi
# Editable for development; DRAGOMAN_EDITABLE=0 (the Dockerfile) installs a plain copy.
if [ "${DRAGOMAN_EDITABLE:-1}" = "1" ]; then
  "$venv/bin/python" -m pip install --quiet -e "$here$extras"
else
  # setuptools builds in the tree's build/ and would ship files left there by an older layout
  rm -rf "$here/build"
  "$venv/bin/python" -m pip install --quiet "$here$extras"
  rm -rf "$here/build"
fi
echo "installed dragoman${extras} into $venv"
