#!/usr/bin/env bash
# metasrv benchmarks (figures only, never pass/fail):
#  1. one-node write throughput and p50/p99 latency at 1, 16 and 64 concurrent clients;
#  2. export of N keys (default 1,000,000) over gRPC: keys/s, MB/s, peak RSS of server and client.
#   bench/metasrv_bench.sh [KEYS]     (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${1:-1000000}
source bench/lib.sh
bench_init metasrv

echo "== one-node writes (Upsert, 100-byte values; every write synced before the reply)"
metasrv_single "$W/writes"
for c in 1 16 64; do
  ops=$((c == 1 ? 2000 : 20000))
  "$B/bench/write_load" --addr "$ADDR" --clients "$c" --ops "$ops"
done
stop_all

echo "== export of $KEYS keys over gRPC"
G=$(port); R=$(port)
"$B/bench/gen_keys" --keys "$KEYS" | "$B/metactl/metactl" import --raft-dir "$W/big" --id 1 \
  --initial-cluster "1=127.0.0.1:$R" 2>/dev/null
"$B/raftstore/server/metasrv" --raft-dir "$W/big" --grpc-api-address "127.0.0.1:$G" --raft-address "127.0.0.1:$R" \
  >/dev/null 2>"$W/big.log" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
metasrv_leader "127.0.0.1:$G" >/dev/null
/usr/bin/time -f "%e %M" -o "$W/time" "$B/metactl/metactl" export --grpc-api-address "127.0.0.1:$G" \
  --db "$W/export.jsonl" 2>/dev/null
read -r secs client_kb <"$W/time"
server_kb=$(awk '/VmHWM/{print $2}' "/proc/$SERVER_PID/status")
bytes=$(stat -c %s "$W/export.jsonl")
awk -v s="$secs" -v k="$KEYS" -v b="$bytes" -v c="$client_kb" -v sv="$server_kb" 'BEGIN{
  if (s < 0.001) s = 0.001;
  printf "export %d keys: %.2f s, %.0f keys/s, %.1f MB/s; peak RSS server %.1f MiB, client %.1f MiB\n",
         k, s, k/s, b/1048576/s, sv/1024, c/1024 }'
