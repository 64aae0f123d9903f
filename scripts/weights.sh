#!/usr/bin/env bash
# Regenerates the weights of Concord's pallets from their benchmarks, run in the real runtime.
# Usage: scripts/weights.sh [REPEAT] [STEPS]   (default 10 repetitions of 50 steps each)
# Run it on the reference machine, on an otherwise idle system, after any change to a call.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

repeat="${1:-10}"
steps="${2:-50}"
"$REPO_ROOT/scripts/build.sh"
wasm="$(find "$CARGO_TARGET_DIR/release/wbuild/concord-runtime" -maxdepth 1 -name 'concord_runtime.compact.compressed.wasm' | head -n1)"
[ -n "$wasm" ] || die "the runtime's wasm was not built"

for pallet in providers jobs; do
	step "Benchmarking pallet_$pallet ($steps steps, $repeat repetitions)"
	"$CARGO_TARGET_DIR/release/concord-node" benchmark pallet \
		--runtime "$wasm" \
		--genesis-builder=runtime --genesis-builder-preset=development \
		--pallet "pallet_$pallet" --extrinsic '*' \
		--steps "$steps" --repeat "$repeat" \
		--heap-pages 4096 \
		--template "$REPO_ROOT/scripts/frame-weight-template.hbs" \
		--output "$REPO_ROOT/pallets/$pallet/src/weights.rs"
done
