#!/usr/bin/env bash
# metasrv benchmarks (figures only, never pass/fail):
#  1. one-node write throughput and p50/p99 latency at 1, 16 and 64 concurrent clients;
#  2. export of N keys (default 1,000,000) over gRPC: keys/s, MB/s, peak RSS of server and client.
#   bench/metasrv_bench.sh [KEYS]     (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${1:-1000000}
B=${BUILD_DIR:-build}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-metasrv.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

start() {  # start DIR GRPC RAFT [flags]: starts metasrv, waits until it is the leader
  local dir=$1 g=$2 r=$3; shift 3
  "$B/raftstore/server/metasrv" --raft-dir "$dir" --grpc-api-address "127.0.0.1:$g" --raft-address "127.0.0.1:$r" "$@" \
    2>"$dir.log" &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    "$B/metactl/metactl" status --grpc-api-address "127.0.0.1:$g" 2>/dev/null | grep -Eq "^role: +leader$" && return 0
    sleep 0.2
  done
  echo "metasrv did not start: $(cat "$dir.log")" >&2; exit 1
}

echo "== one-node writes (Upsert, 100-byte values; every write synced before the reply)"
G=$(port); R=$(port)
start "$W/writes" "$G" "$R" --single
for c in 1 16 64; do
  ops=$((c == 1 ? 2000 : 20000))
  "$B/bench/write_load" --addr "127.0.0.1:$G" --clients "$c" --ops "$ops"
done
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true

echo "== export of $KEYS keys over gRPC"
G=$(port); R=$(port)
"$B/bench/gen_keys" --keys "$KEYS" | "$B/metactl/metactl" import --raft-dir "$W/big" --id 1 \
  --initial-cluster "1=127.0.0.1:$R" 2>/dev/null
start "$W/big" "$G" "$R"
SERVER_PID=${PIDS[-1]}
/usr/bin/time -f "%e %M" -o "$W/time" "$B/metactl/metactl" export --grpc-api-address "127.0.0.1:$G" \
  --db "$W/export.jsonl" 2>/dev/null
read -r secs client_kb <"$W/time"
server_kb=$(awk '/VmHWM/{print $2}' "/proc/$SERVER_PID/status")
bytes=$(stat -c %s "$W/export.jsonl")
awk -v s="$secs" -v k="$KEYS" -v b="$bytes" -v c="$client_kb" -v sv="$server_kb" 'BEGIN{
  if (s < 0.001) s = 0.001;
  printf "export %d keys: %.2f s, %.0f keys/s, %.1f MB/s; peak RSS server %.1f MiB, client %.1f MiB\n",
         k, s, k/s, b/1048576/s, sv/1024, c/1024 }'
