#!/usr/bin/env bash
# The main job: set up (if needed), start the real gRPC server, brief the example articles
# through it, and stop the server.  Usage: scripts/demo.sh [ARTICLES...] (default examples/ceasefire)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/dragoman ] || scripts/install.sh
# A free port unless DRAGOMAN_DEMO_PORT says which.
port="${DRAGOMAN_DEMO_PORT:-$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
log="$(mktemp)"
.venv/bin/dragoman serve --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
# The examples come with their story gazetteer (people, groups and places of the 2016 ceasefire).
if [ "$#" -eq 0 ]; then set -- --gazetteer examples/ceasefire/gazetteer.toml examples/ceasefire; fi
if ! .venv/bin/dragoman brief --server "127.0.0.1:$port" --wait 180 "$@"; then
  echo "--- server log ---" >&2; cat "$log" >&2; exit 1
fi
