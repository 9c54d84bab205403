#!/usr/bin/env bash
# 3-node write throughput and p50/p99 latency at 1, 16 and 64 concurrent clients, against the
# leader of a cluster seeded by `metactl import --initial-cluster` (figures only, never pass/fail).
#   bench/cluster_bench.sh      (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-cluster.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

declare -A G R
PEERS=()
for n in 1 2 3; do G[$n]=$(port); R[$n]=$(port); PEERS+=("$n=127.0.0.1:${R[$n]},127.0.0.1:${G[$n]}"); done
"$B/bench/gen_keys" --keys 1000 >"$W/seed.jsonl"
for n in 1 2 3; do
  "$B/metactl/metactl" import --raft-dir "$W/n$n" --db "$W/seed.jsonl" --id "$n" --initial-cluster "${PEERS[@]}" 2>/dev/null
  "$B/raftstore/server/metasrv" --id "$n" --raft-dir "$W/n$n" --grpc-api-address "127.0.0.1:${G[$n]}" \
    --raft-address "127.0.0.1:${R[$n]}" 2>"$W/n$n.log" &
  PIDS+=($!)
done
leader=""
for _ in $(seq 1 100); do
  for n in 1 2 3; do
    if "$B/metactl/metactl" status --grpc-api-address "127.0.0.1:${G[$n]}" 2>/dev/null | grep -Eq "^role: +leader$"; then
      leader=$n; break 2
    fi
  done
  sleep 0.2
done
[ -n "$leader" ] || { echo "no leader elected" >&2; tail "$W"/n*.log >&2; exit 1; }
echo "== 3-node cluster, writes to the leader (node $leader); 100-byte Upserts, each committed on a quorum and synced"
for c in 1 16 64; do
  "$B/bench/write_load" --addr "127.0.0.1:${G[$leader]}" --clients "$c" --ops $((c == 1 ? 1000 : 10000))
done
