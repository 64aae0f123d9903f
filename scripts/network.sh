#!/usr/bin/env bash
# A Concord network on this machine, on loopback: four validators (Alice, Bob, Charlie and
# Dave: GRANDPA keeps finalizing with one of them down), each its own concord-node process with
# its own data directory, ports and fixed node key, joined through the first one as bootnode;
# and the twelve dev providers (runtime/dev-providers.txt), each a `concord worker run` process
# with its own key and state directory, spread over the validators' RPC endpoints. It submits
# a demo job of every kernel as Dave (each through another validator), prints each attested
# result beside the hash the CPU reference computes here, fetches each output from the
# providers that computed it, and stops everything it started.
#
# Usage: scripts/network.sh [--keep]
#   --keep   leave the network running after the demo, until Ctrl-C
# CONCORD_SKIP_BUILD=1 skips setup and build (the test that runs this script has built).
# Ports: RPC 9944-9947, p2p 30333-30336, Prometheus 9615-9618, providers 40333-40344 and
# 41333-41344 (their genesis endpoints, from runtime/dev-providers.txt). State and logs go to
# a temporary directory, printed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

keep=false
case "${1:-}" in
	"") ;;
	--keep) keep=true ;;
	*) die "unknown argument $1 (usage: scripts/network.sh [--keep])" ;;
esac

if [ "${CONCORD_SKIP_BUILD:-}" != 1 ]; then
	"$REPO_ROOT/scripts/setup.sh"
	"$REPO_ROOT/scripts/build.sh"
fi

bin="$CARGO_TARGET_DIR/release"
dir="$(mktemp -d -t concord-network.XXXXXX)"
# Mesa's software Vulkan (lavapipe) when there is no GPU; set WGPU_BACKEND to choose another.
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"

mapfile -t provider_ports < <(dev_provider_ports)
refuse_busy_ports "a dev chain, or another network?" \
	994{4..7} 3033{3..6} 961{5..8} "${provider_ports[@]}"

started=()
stop_all() {
	if [ "${#started[@]}" -gt 0 ]; then
		kill "${started[@]}" 2>/dev/null || true
		wait "${started[@]}" 2>/dev/null || true
	fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Waits up to 120 s for a TCP port to accept connections.
wait_for_port() {
	local port="$1" what="$2"
	for _ in $(seq 1200); do
		port_in_use "$port" && return 0
		sleep 0.1
	done
	die "$what did not open port $port; see $dir/*.log"
}

validators=(alice bob charlie dave)
count="${#validators[@]}"
step "Starting $count validators (state and logs in $dir)"
bootnode=""
for i in "${!validators[@]}"; do
	name="${validators[$i]}"
	mkdir -p "$dir/$name"
	# A fixed ed25519 secret per node, so its peer id (and the bootnode address) is known.
	printf '%064x' "$((i + 1))" >"$dir/$name/node-key"
	args=(--chain network "--$name" --base-path "$dir/$name"
		--node-key-file "$dir/$name/node-key"
		--port "$((30333 + i))" --rpc-port "$((9944 + i))" --prometheus-port "$((9615 + i))"
		--no-mdns --no-telemetry)
	[ -n "$bootnode" ] && args+=(--bootnodes "$bootnode")
	"$bin/concord-node" "${args[@]}" 2>"$dir/$name.log" &
	started+=("$!")
	if [ -z "$bootnode" ]; then
		peer="$("$bin/concord-node" key inspect-node-key --file "$dir/$name/node-key")"
		bootnode="/ip4/127.0.0.1/tcp/30333/p2p/$peer"
	fi
	note "$name: ws://127.0.0.1:$((9944 + i)), p2p 127.0.0.1:$((30333 + i)), log $dir/$name.log"
done
for i in "${!validators[@]}"; do wait_for_port "$((9944 + i))" "validator ${validators[$i]}"; done

mapfile -t providers < <(dev_providers)
[ "${#providers[@]}" -gt 0 ] || die "runtime/dev-providers.txt lists no provider"
step "Starting ${#providers[@]} providers (concord worker run), each through one of the validators"
for i in "${!providers[@]}"; do
	read -r provider p2p_port _ <<<"${providers[$i]}"
	name="$(dev_file_name "$provider")-provider"
	rpc="ws://127.0.0.1:$((9944 + i % count))"
	"$bin/concord" worker run --rpc "$rpc" --key "//$provider" --state-dir "$dir/$name" \
		2>"$dir/$name.log" &
	started+=("$!")
	note "$provider: via $rpc, serving on 127.0.0.1:$p2p_port, log $dir/$name.log"
done

step "Submitting a demo job of every kernel as Dave"
demos=(
	"matmul-i8 32,32,32"
	"mlp-i8 4,2,16,32,8"
	"mandelbrot-q12 96,64,64,-10240,-4096,128"
	"stencil2d-i32 32,32,8"
	"sort-u32 4096"
	"sha256-batch 64,32"
)
jobs_submitted=()
for i in "${!demos[@]}"; do
	read -r kernel params <<<"${demos[$i]}"
	rpc="ws://127.0.0.1:$((9944 + i % count))"
	job="$("$bin/concord" job submit --rpc "$rpc" --key //Dave \
		--kernel "$kernel" --params "$params" --random-input 7)"
	jobs_submitted+=("$job")
	note "job $job: $kernel $params, submitted through $rpc"
done

step "Results (each attested by a quorum of providers, checked here against the CPU reference)"
failed=0
for i in "${!demos[@]}"; do
	read -r kernel params <<<"${demos[$i]}"
	job="${jobs_submitted[$i]}"
	rpc="ws://127.0.0.1:$((9944 + (i + 1) % count))"
	if ! attested="$("$bin/concord" job wait --rpc "$rpc" "$job" 2>"$dir/wait-$job.log")"; then
		note "job $job ($kernel): $(tail -n1 "$dir/wait-$job.log")"
		failed=1
		continue
	fi
	local_hash="$("$bin/concord" kernel run --cpu --kernel "$kernel" --params "$params" \
		--random-input 7 2>/dev/null)"
	"$bin/concord" job fetch --rpc "$rpc" --key //Dave "$job" --output "$dir/output-$job" \
		>/dev/null 2>"$dir/fetch-$job.log" || {
		note "job $job ($kernel): attested $attested, but the fetch failed: $(tail -n1 "$dir/fetch-$job.log")"
		failed=1
		continue
	}
	bytes="$(stat -c %s "$dir/output-$job")"
	if [ "$attested" = "$local_hash" ]; then
		verdict="= the CPU reference"
	else
		verdict="!= the CPU reference $local_hash"
		failed=1
	fi
	printf '    %-15s job %-3s attested %s %s, %s bytes fetched\n' \
		"$kernel" "$job" "$attested" "$verdict" "$bytes"
done
[ "$failed" = 0 ] || die "some demo jobs did not end as they should; logs in $dir"

if $keep; then
	step "The network keeps running; stop it with Ctrl-C"
	note "submit a job: $bin/concord job submit --rpc ws://127.0.0.1:9945 --key //Dave --kernel matmul-i8 --params 64,64,64 --random-input 7 --wait"
	wait "${started[0]}"
else
	step "Stopping the network"
fi
