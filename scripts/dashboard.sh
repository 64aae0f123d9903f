#!/usr/bin/env bash
# Builds the dashboard (ui/) and serves it at http://127.0.0.1:8080 until Ctrl-C. The page talks
# to the node in its Node field: ws://127.0.0.1:9944 (the dev chain) unless it was given another,
# as ?rpc=ws://host:port in its address or in the field, which it remembers.
# scripts/run-dev.sh serves it too, beside the dev chain.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
step "Building the dashboard (ui/dist)"
(cd "$REPO_ROOT/ui" && npm run --silent build)
port="${CONCORD_DASHBOARD_PORT:-8080}"
step "Serving the dashboard at http://127.0.0.1:$port (Ctrl-C stops it)"
cd "$REPO_ROOT/ui"
exec ./node_modules/.bin/vite preview --host 127.0.0.1 --port "$port" --strictPort
