#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a development chain whose twelve
# registered providers (runtime/dev-providers.txt) take jobs: Alice inside the node
# (`--provider`), the other eleven as `concord worker run` daemons (a job of three replicas is
# drawn from a pool of six, and each of its escalations from those not yet on it), and the
# dashboard at http://127.0.0.1:8080. Alice authors and finalizes blocks. Ctrl-C stops
# everything.
# Extra arguments go to concord-node (e.g. --base-path ~/.concord to keep the chain's state).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$REPO_ROOT/scripts/setup.sh"
"$REPO_ROOT/scripts/build.sh"

bin="$CARGO_TARGET_DIR/release"
# Providers keep the salts they committed to here, so a restarted worker can still reveal.
state="${CONCORD_DEV_STATE:-$(mktemp -d -t concord-dev.XXXXXX)}"
mkdir -p "$state"
# Mesa's software Vulkan (lavapipe) when there is no GPU; set WGPU_BACKEND to choose another.
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"

# Another chain on these ports would take our workers: refuse to start beside it.
mapfile -t ports < <(dev_provider_ports)
refuse_busy_ports "another dev chain or its providers? its workers would join that chain" \
	9944 30333 "${ports[@]}" 8080

step "Starting the development chain, with provider Alice inside the node"
note "JSON-RPC and WebSocket: ws://127.0.0.1:9944"
note "Polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944"
note "Prometheus metrics: http://127.0.0.1:9615/metrics"
trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT INT TERM
"$bin/concord-node" --dev --provider //Alice --provider-state-dir "$state/alice" "$@" &
node=$!

mapfile -t workers < <(dev_providers | awk '$1 != "Alice" { print $1 }')
[ "${#workers[@]}" -gt 0 ] || die "runtime/dev-providers.txt lists no provider besides Alice"
step "Starting providers ${workers[*]} (concord worker run)"
for worker in "${workers[@]}"; do
	name="$(dev_file_name "$worker")"
	"$bin/concord" worker run --key "//$worker" --state-dir "$state/$name" \
		2>"$state/$name.log" &
	note "$worker: log $state/$name.log"
done

step "Serving the dashboard"
note "http://127.0.0.1:8080 (it talks to ws://127.0.0.1:9944; choose Dave to submit jobs)"
(cd "$REPO_ROOT/ui" && exec ./node_modules/.bin/vite preview --host 127.0.0.1 --port 8080 --strictPort \
	>"$state/dashboard.log" 2>&1) &

step "Ready for jobs; stop with Ctrl-C"
note "submit one as Dave and wait for its verdict:"
note "  $bin/concord job submit --key //Dave --kernel matmul-i8 --params 64,64,64 --random-input 7 --wait"
wait "$node"
