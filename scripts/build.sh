#!/usr/bin/env bash
# Builds every crate, test and benchmark of the workspace in release mode, once, into
# $CARGO_TARGET_DIR, and the dashboard into ui/dist. The dev chain and the tests both use this
# build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

step "Building the workspace (release, features: $CONCORD_FEATURES)"
note "target directory: $CARGO_TARGET_DIR"
note "a first build takes about 21 minutes on 2 cores; later ones reuse it"
cd "$REPO_ROOT"
cargo build --locked --release --workspace --all-targets --features "$CONCORD_FEATURES"

step "Building the dashboard (ui/dist)"
(cd "$REPO_ROOT/ui" && npm run --silent build)
