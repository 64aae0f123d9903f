# Shared by the scripts: where builds go, which features the one build uses, and logging.

# One target directory outside the clone, shared by your shell, the scripts and CI, so that
# nothing is built twice.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/concord-target}"
# Every script builds with the same features, so that running the node and running the tests
# reuse one build. `runtime-benchmarks` compiles the benchmarks into the node and runtime:
# needed to test them and to regenerate weights.
export CONCORD_FEATURES="concord-node/runtime-benchmarks,pallet-providers/runtime-benchmarks,pallet-jobs/runtime-benchmarks"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
# The runtime's WebAssembly is built by a nested cargo in the target directory; this points it
# back at our Cargo.lock, so it compiles exactly the locked versions.
export WASM_BUILD_WORKSPACE_HINT="$REPO_ROOT"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Whether something on this machine accepts connections on TCP port $1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Stops with an error naming the first of the ports after $1 that is in use; $1 says what
# that probably is and why it matters.
refuse_busy_ports() {
	local why="$1" port
	shift
	for port in "$@"; do
		if port_in_use "$port"; then die "port $port is in use ($why): stop it first"; fi
	done
}

# The development chains' genesis providers (runtime/dev-providers.txt), one per line:
# `<dev account name> <libp2p port> <HTTP port>`.
dev_providers() {
	local file="$REPO_ROOT/runtime/dev-providers.txt"
	[ -r "$file" ] || die "cannot read $file, the dev providers' list"
	tr -d '\r' <"$file" | grep -Ev '^[[:space:]]*(#|$)'
}

# Every port the dev providers' genesis endpoints name.
dev_provider_ports() { dev_providers | awk '{ print $2; print $3 }'; }

# A file name for dev account $1: `Alice//stash` becomes `alice-stash`.
dev_file_name() { echo "$1" | tr '/' '-' | tr -s '-' | tr '[:upper:]' '[:lower:]'; }
