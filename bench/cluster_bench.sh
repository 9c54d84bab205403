#!/usr/bin/env bash
# 3-node write throughput and p50/p99 latency at 1, 16 and 64 concurrent clients, against the
# leader of a cluster seeded by `metactl import --initial-cluster` (figures only, never pass/fail).
#   bench/cluster_bench.sh      (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_init cluster
metasrv_cluster3 "$W/c"
echo "== 3-node cluster, writes to the leader ($ADDR); 100-byte Upserts, each committed on a quorum and synced"
for c in 1 16 64; do
  "$B/bench/write_load" --addr "$ADDR" --clients "$c" --ops $((c == 1 ? 1000 : 10000))
done
