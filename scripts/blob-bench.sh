#!/usr/bin/env bash
# Measures the data plane on this machine, side by side in one run with what it stands beside:
#  - hashing a blob into its BLAKE3 tree (`concord blob add`) against BLAKE2-256 (`b2sum -l 256`,
#    the hash of inline inputs);
#  - a verified fetch over loopback (`concord blob fetch`: Noise, yamux, BLAKE3 checks of every
#    16 KiB group, writes to disk) from one, two and three servers at once, each against a plain
#    TCP copy of the same bytes to disk (`nc`, then `sync`);
#  - the fetches' peak resident memory, which must stay under 64 MiB whatever the blob's size.
# Usage: scripts/blob-bench.sh [MiB]   (default 1024; the test command runs 64)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mib="${1:-1024}"
concord="$CARGO_TARGET_DIR/release/concord"
[ -x "$concord" ] || "$REPO_ROOT/scripts/build.sh"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing: run scripts/setup.sh --tests"
command -v nc >/dev/null || die "nc is missing: run scripts/setup.sh --tests"

work="$(mktemp -d)"
servers=()
cleanup() {
	[ ${#servers[@]} -gt 0 ] && kill "${servers[@]}" 2>/dev/null
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

step "Hashing: BLAKE3 tree (concord blob add) against BLAKE2-256 (b2sum -l 256)"
t0="$(now)"
blob="$("$concord" --json blob add --store "$work/source" "$work/blob.bin" | field blob)"
t1="$(now)"
b2sum -l 256 "$work/blob.bin" >/dev/null
t2="$(now)"
add_s="$(seconds "$t0" "$t1")"
b2_s="$(seconds "$t1" "$t2")"
note "blob $blob"

step "Starting three servers of it (concord blob serve)"
for i in 1 2 3; do
	# A server's first line is the address it listens on: read as soon as it is printed.
	exec {out}< <(exec "$concord" --json blob serve --listen /ip4/127.0.0.1/tcp/0 \
		--store "$work/source" 2>"$work/serve$i.err")
	servers+=($!)
	read -r -t 30 -u "$out" first || die "server $i printed no address: $(cat "$work/serve$i.err")"
	address="$(echo "$first" | field serving_at)"
	[ -n "$address" ] || die "server $i printed no address"
	addresses+=(--from "$address")
done

# A plain TCP copy of the blob to disk over loopback, synced: what a fetch is measured against.
tcp_copy() {
	local port=$((20000 + RANDOM % 20000))
	nc -l 127.0.0.1 "$port" >"$work/copy.bin" &
	local receiver=$!
	local t0
	t0="$(now)"
	# The receiver may not listen yet: try again until it does.
	until nc -N 127.0.0.1 "$port" <"$work/blob.bin" 2>/dev/null; do
		kill -0 "$receiver" 2>/dev/null || die "nc could not listen on port $port"
		sleep 0.05
	done
	wait "$receiver"
	sync
	seconds "$t0" "$(now)"
	cmp -s "$work/blob.bin" "$work/copy.bin" || die "the TCP copy differs"
	rm -f "$work/copy.bin"
}

peak_mib=0
for n in 1 2 3; do
	step "Fetching from $n server(s) at once (concord blob fetch), and a TCP copy (nc)"
	/usr/bin/time -v "$concord" --json blob fetch "${addresses[@]:0:$((2 * n))}" \
		--store "$work/sink$n" "$blob" >"$work/fetch$n.out" 2>"$work/fetch$n.err" ||
		die "the fetch failed: $(cat "$work/fetch$n.err")"
	fetch_s[n]="$(printf %.2f "$(field seconds <"$work/fetch$n.out")")"
	kib="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/fetch$n.err")"
	[ $((kib / 1024)) -gt "$peak_mib" ] && peak_mib=$((kib / 1024))
	cmp -s "$work/blob.bin" "$(field path <"$work/fetch$n.out")" ||
		die "the blob fetched from $n server(s) differs from its source"
	rm -rf "$work/sink$n"
	tcp_s[n]="$(tcp_copy)"
done

step "Results ($mib MiB, $(date -u +%Y-%m-%d), $(nproc) cores, loopback)"
printf '    %-36s %8s s %7s MiB/s\n' "BLAKE3 tree (blob add)" "$add_s" "$(rate "$add_s")"
printf '    %-36s %8s s %7s MiB/s\n' "BLAKE2-256 (b2sum -l 256)" "$b2_s" "$(rate "$b2_s")"
for n in 1 2 3; do
	printf '    %-36s %8s s %7s MiB/s   TCP copy %6s s, ratio %s\n' \
		"verified fetch from $n server(s)" "${fetch_s[n]}" "$(rate "${fetch_s[n]}")" "${tcp_s[n]}" \
		"$(awk -v f="${fetch_s[n]}" -v c="${tcp_s[n]}" 'BEGIN { printf "%.2f", f / (c > 0 ? c : 0.001) }')"
done
awk -v a="$b2_s" -v b="$add_s" 'BEGIN { printf "    BLAKE3 tree / BLAKE2-256 time: %.2f\n", b / a }'
note "fetch peak resident memory (the largest of the three): $peak_mib MiB"
[ "$peak_mib" -lt 64 ] || die "a fetch peaked at $peak_mib MiB, over 64 MiB"
