#!/usr/bin/env bash
# The time a new node needs to catch up KEYS keys (default 1,000,000) by snapshot: a cluster
# seeded by `metactl import --initial-cluster` (so its log starts after the imported index and
# a new node cannot be caught up by log) takes a node that starts with `metasrv --join`; it is
# sent the leader's state machine, installs it, and becomes a voter. Prints figures only.
#   bench/snapshot_catchup.sh [KEYS]      (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
KEYS=${1:-1000000}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-snapshot.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
field() { "$B/metactl/metactl" status --grpc-api-address "$1" 2>/dev/null | awk -v k="$2:" '$1 == k {print $2}'; }

G1=$(port) R1=$(port) G2=$(port) R2=$(port)
echo "== generating $KEYS keys (100-byte values) and seeding node 1"
"$B/bench/gen_keys" --keys "$KEYS" --ttl-percent 0 >"$W/seed.jsonl"
"$B/metactl/metactl" import --raft-dir "$W/n1" --db "$W/seed.jsonl" --id 1 \
  --initial-cluster "1=127.0.0.1:$R1,127.0.0.1:$G1" 2>/dev/null
"$B/raftstore/server/metasrv" --id 1 --raft-dir "$W/n1" --grpc-api-address "127.0.0.1:$G1" \
  --raft-address "127.0.0.1:$R1" 2>"$W/n1.log" &
PIDS+=($!)
for _ in $(seq 1 100); do [ "$(field "127.0.0.1:$G1" role)" = leader ] && break; sleep 0.2; done
[ "$(field "127.0.0.1:$G1" role)" = leader ] || { echo "node 1 did not become the leader" >&2; cat "$W/n1.log" >&2; exit 1; }
target=$(field "127.0.0.1:$G1" last_applied)
echo "leader: node 1, $(field "127.0.0.1:$G1" num_keys) keys, applied $target, log purged up to $(field "127.0.0.1:$G1" purged)"

echo "== node 2 joins (metasrv --join) and catches up by snapshot"
t0=$(now_ms)
"$B/raftstore/server/metasrv" --id 2 --raft-dir "$W/n2" --grpc-api-address "127.0.0.1:$G2" \
  --raft-address "127.0.0.1:$R2" --join "127.0.0.1:$G1" 2>"$W/n2.log" &
PID2=$!
PIDS+=($PID2)
applied_at="" rss_kib=0
for _ in $(seq 1 6000); do
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$PID2/status" 2>/dev/null || echo 0)
  [ "${rss:-0}" -gt "$rss_kib" ] && rss_kib=$rss
  a=$(field "127.0.0.1:$G2" last_applied || true)
  if [ -z "$applied_at" ] && [ -n "$a" ] && [ "$a" -ge "$target" ]; then applied_at=$(now_ms); fi
  grep -q "is a voter" "$W/n2.log" && [ -n "$applied_at" ] && break
  if ! kill -0 "$PID2" 2>/dev/null; then echo "node 2 exited" >&2; cat "$W/n2.log" >&2; exit 1; fi
  sleep 0.1
done
[ -n "$applied_at" ] || { echo "node 2 did not catch up" >&2; tail -20 "$W/n2.log" >&2; exit 1; }
voter_at=$(now_ms)
keys2=$(field "127.0.0.1:$G2" num_keys)
echo "leader:   $(grep -o 'sent snapshot .*' "$W/n1.log" | tail -1)"
echo "follower: $(grep -o 'received snapshot .*' "$W/n2.log" | tail -1)"
echo "follower: $(grep -o 'installed snapshot .*' "$W/n2.log" | tail -1)"
awk -v k="$KEYS" -v a="$((applied_at - t0))" -v v="$((voter_at - t0))" -v n="$keys2" -v r="$rss_kib" 'BEGIN {
  printf "caught up %s keys (node 2 reads %s) in %.1f s from process start = %.0f keys/s; voter after %.1f s; peak RSS %.0f MiB\n",
    k, n, a / 1000, k / (a / 1000), v / 1000, r / 1024 }'
