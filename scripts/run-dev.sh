#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a development chain. Alice authors
# and finalizes blocks; Alice, Bob and Charlie are registered providers of every kernel.
# Extra arguments go to concord-node (e.g. --base-path ~/.concord to keep the chain's state).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
"$REPO_ROOT/scripts/build.sh"

step "Starting the development chain"
note "JSON-RPC and WebSocket: ws://127.0.0.1:9944"
note "Polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944"
note "Prometheus metrics: http://127.0.0.1:9615/metrics"
note "stop with Ctrl-C"
exec "$CARGO_TARGET_DIR/release/concord-node" --dev "$@"
