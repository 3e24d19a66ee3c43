#!/usr/bin/env bash
# Set up (dev extras) and run the whole test suite: lint, types, generated-code check, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --dev
.venv/bin/ruff check service tests bench scripts
.venv/bin/ruff format --check service tests bench scripts
.venv/bin/mypy service/dragoman
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
