#!/usr/bin/env bash
# Installs what is missing, builds, checks formatting, lints (clippy) and docs (no broken
# link), and runs every test: pallet unit and property tests, kernels against their CPU
# references on Mesa's lavapipe, the runtime's benchmarks, and @polkadot/api end-to-end tests
# against a real dev node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

started=$(date +%s)
"$REPO_ROOT/scripts/setup.sh" --tests
"$REPO_ROOT/scripts/build.sh"
built=$(date +%s)

cd "$REPO_ROOT"
step "Checking formatting"
cargo fmt --all --check
step "Checking the dashboard's formatting (Prettier; \`npm run format\` in ui/ mends it)"
(cd ui && ./node_modules/.bin/prettier --check --log-level warn .)
# Lints and docs check the code without building it, in a target directory of their own and
# without the runtime's WebAssembly: in the build's, their runs of the runtime's build script
# made the next build compile the runtime, the node and the worker again (about 3 minutes).
lint() {
	SKIP_WASM_BUILD=1 CARGO_TARGET_DIR="$CARGO_TARGET_DIR/lints" "$@"
}
step "Linting (clippy, every warning an error)"
lint cargo clippy --locked --release --workspace --features "$CONCORD_FEATURES" --all-targets \
	-- -D warnings
step "Building the docs (a broken link is an error)"
RUSTDOCFLAGS="-D warnings" lint cargo doc --locked --release --workspace \
	--features "$CONCORD_FEATURES" --no-deps
linted=$(date +%s)

# GPU tests run on Vulkan: lavapipe where there is no GPU.
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"

step "Running the tests"
log="$CARGO_TARGET_DIR/concord-test.log"
set +e
cargo nextest run --locked --release --workspace --features "$CONCORD_FEATURES" --no-fail-fast \
	2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
bench=0
if [ "$status" -eq 0 ]; then
	step "Benchmarking the data plane (a short run of scripts/blob-bench.sh)"
	"$REPO_ROOT/scripts/blob-bench.sh" 64 || bench=$?
fi
finished=$(date +%s)
note "setup and build: $((built - started)) s, formatting, lints and docs: $((linted - built)) s, tests: $((finished - linted)) s"
# The test runner's own summary is the closing line, unless the benchmark then failed.
tail -n 1 "$log"
if [ "$bench" -ne 0 ]; then
	printf 'The data plane benchmark failed (exit status %s): the tests passed, the run did not.\n' "$bench"
	status=$bench
fi
exit "$status"
