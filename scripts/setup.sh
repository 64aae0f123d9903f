#!/usr/bin/env bash
# Installs what building, running and testing Concord needs, and only what is missing:
# running it again does nothing but check. Usage: scripts/setup.sh [--tests]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_tests=false
[ "${1:-}" = "--tests" ] && want_tests=true

# Debian packages: protoc for the networking crates, OpenSSL headers for WebRTC support,
# Mesa's lavapipe (a software Vulkan device) so GPU kernels run without a GPU, Node.js to build
# the dashboard and for the @polkadot/api tests, Chromium for the dashboard's browser tests,
# GNU time, whose peak-memory report the data plane's memory test reads, and netcat, the plain
# TCP copy the data plane's benchmark measures itself against.
packages=(build-essential pkg-config protobuf-compiler libssl-dev git mesa-vulkan-drivers libvulkan1 nodejs npm)
$want_tests && packages+=(chromium time netcat-openbsd)

step "Checking Debian packages"
missing=()
for package in "${packages[@]}"; do
	if [ "$package" = nodejs ] || [ "$package" = npm ]; then
		# Any Node.js 18 or newer will do, however it was installed.
		if command -v node >/dev/null && command -v npm >/dev/null &&
			[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]; then
			continue
		fi
	fi
	dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
	note "installing: ${missing[*]}"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
	note "all present"
fi

step "Checking the Rust toolchain"
if ! command -v cargo >/dev/null; then
	if apt-cache show rustup >/dev/null 2>&1; then
		note "installing rustup from Debian"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rustup
		rustup default stable
	else
		die "Rust is not installed. Install rustup (https://rustup.rs), then run this again."
	fi
fi
note "$(cargo --version)"
# The runtime is compiled to WebAssembly for the `wasm32v1-none` target, with the standard
# library's sources.
if ! rustup target list --installed | grep -qx wasm32v1-none; then
	note "adding the wasm32v1-none target"
	rustup target add wasm32v1-none
fi
if ! rustup component list --installed | grep -q '^rust-src'; then
	note "adding the rust-src component"
	rustup component add rust-src
fi
note "wasm32v1-none and rust-src present"
# The test command checks formatting and lints.
for component in rustfmt clippy; do
	if ! rustup component list --installed | grep -q "^$component"; then
		note "adding the $component component"
		rustup component add "$component"
	fi
done
note "rustfmt and clippy present"

# The dashboard's dependencies, from its lock file (reinstalled only when it changed).
npm_install() {
	local dir="$REPO_ROOT/$1" what="$2"
	if [ -f "$dir/node_modules/.concord-lock" ] && cmp -s "$dir/package-lock.json" "$dir/node_modules/.concord-lock"; then
		note "$what present"
	else
		note "installing $what (npm ci)"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
		cp "$dir/package-lock.json" "$dir/node_modules/.concord-lock"
	fi
}
step "Checking the dashboard's dependencies"
npm_install ui "the dashboard's dependencies (@polkadot/api, Vite, Playwright)"

if $want_tests; then
	step "Checking test tools"
	# The tests run under cargo-nextest only: it gives each test its time limit and runs the
	# tests on the genesis ports one at a time (.config/nextest.toml), which cargo test cannot.
	nextest_version=0.9.143
	if ! cargo nextest --version >/dev/null 2>&1; then
		note "installing cargo-nextest $nextest_version from crates.io (about 7 minutes on 2 cores, once)"
		# Built in a directory of its own, not the project's target directory.
		env -u CARGO_TARGET_DIR cargo install --locked cargo-nextest --version "$nextest_version"
	fi
	note "$(cargo nextest --version | head -n1)"
	npm_install tests/polkadot-js "@polkadot/api test dependencies"
fi
