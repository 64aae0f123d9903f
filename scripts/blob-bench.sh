#!/usr/bin/env bash
# Measures the data plane on this machine, side by side in one run with what it stands beside:
#  - hashing a blob into its BLAKE3 tree (`concord blob add`) against BLAKE2b (`b2sum`, the hash
#    family of inline inputs and of today's outputs);
#  - a verified fetch over loopback (`concord blob fetch`: Noise, yamux, BLAKE3 checks of every
#    16 KiB group, writes to disk) against a plain local copy of the file (`cp`);
#  - the fetch's peak resident memory, which must stay under 64 MiB whatever the blob's size.
# Usage: scripts/blob-bench.sh [MiB]   (default 1024; the test command runs 64)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mib="${1:-1024}"
concord="$CARGO_TARGET_DIR/release/concord"
[ -x "$concord" ] || "$REPO_ROOT/scripts/build.sh"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: run scripts/setup.sh --tests"

work="$(mktemp -d)"
server=""
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v mib="$mib" -v s="$1" 'BEGIN { printf "%.0f", mib / (s > 0 ? s : 0.001) }'; }
field() { sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"; }

step "Writing $mib MiB of random bytes"
head -c "$((mib << 20))" /dev/urandom >"$work/blob.bin"
sync

step "Hashing: BLAKE3 tree (concord blob add) against BLAKE2b (b2sum)"
t0="$(now)"
blob="$("$concord" --json blob add --store "$work/source" "$work/blob.bin" | field blob)"
t1="$(now)"
b2sum "$work/blob.bin" >/dev/null
t2="$(now)"
add_s="$(seconds "$t0" "$t1")"
b2_s="$(seconds "$t1" "$t2")"
note "blob $blob"

step "Fetching over loopback (concord blob fetch) against a local copy (cp)"
# The server's first line is the address it listens on: read as soon as it is printed.
exec 3< <(exec "$concord" --json blob serve --listen /ip4/127.0.0.1/tcp/0 --store "$work/source" \
	2>"$work/serve.err")
server=$!
read -r -t 30 -u 3 first || die "the server printed no address: $(cat "$work/serve.err")"
address="$(echo "$first" | field serving_at)"
[ -n "$address" ] || die "the server printed no address"
/usr/bin/time -v "$concord" --json blob fetch --from "$address" --store "$work/sink" "$blob" \
	>"$work/fetch.out" 2>"$work/fetch.err" || die "the fetch failed: $(cat "$work/fetch.err")"
fetch_s="$(field seconds <"$work/fetch.out")"
peak_kib="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/fetch.err")"
fetched="$(field path <"$work/fetch.out")"
cmp -s "$work/blob.bin" "$fetched" || die "the fetched blob differs from its source"
t3="$(now)"
cp "$work/blob.bin" "$work/copy.bin"
sync
t4="$(now)"
cp_s="$(seconds "$t3" "$t4")"

step "Results ($mib MiB, $(date -u +%Y-%m-%d), $(nproc) cores)"
printf '    %-34s %8s s %7s MiB/s\n' "BLAKE3 tree (blob add)" "$add_s" "$(rate "$add_s")"
printf '    %-34s %8s s %7s MiB/s\n' "BLAKE2b (b2sum)" "$b2_s" "$(rate "$b2_s")"
printf '    %-34s %8s s %7s MiB/s\n' "verified fetch over loopback" "$(printf %.2f "$fetch_s")" "$(rate "$fetch_s")"
printf '    %-34s %8s s %7s MiB/s\n' "local copy (cp, synced)" "$cp_s" "$(rate "$cp_s")"
awk -v a="$b2_s" -v b="$add_s" -v f="$fetch_s" -v c="$cp_s" 'BEGIN {
	printf "    BLAKE3 tree / BLAKE2b time: %.2f; fetch / copy time: %.2f\n", b / a, f / c }'
note "fetch peak resident memory: $((peak_kib / 1024)) MiB"
[ "$peak_kib" -lt $((64 * 1024)) ] || die "the fetch peaked at $peak_kib KiB, over 64 MiB"
