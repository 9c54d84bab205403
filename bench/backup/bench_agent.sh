#!/usr/bin/env bash
# Issue 15's benchmark (prints figures; never passes or fails on time): `metactl agent` backing
# up a live one-node metasrv holding BENCH_KEYS keys (default 1,000,000) plus BENCH_DATA_MIB MiB
# of data (default 1024: half random, half text that compresses), to a local directory.
#  1. One full backup through the agent's API (POST /backups, polled to SUCCESS), with zstd:3
#     and with --compression none: the duration split into prepare (metadata export and walk),
#     compression and upload (both summed over the 4 worker threads), from the agent's
#     /metrics; the sizes before and after compression, and the ratio.
#  2. One upsert, then the next backup: the new blocks and bytes it writes (content-defined
#     chunking; the goal is <= 2 MB after one write to a 1M-key store).
#  3. The impact of a live backup: metasrv's write throughput (../shared/bench/write-bench.js,
#     BENCH_CLIENTS clients, BENCH_SECONDS s) without a backup, then while a full backup runs.
#
#   bench/backup/bench_agent.sh                       (from the repo root, after scripts/build.sh)
#   BENCH_KEYS=100000 BENCH_DATA_MIB=128 bench/backup/bench_agent.sh     a small run
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/install-bench-deps.sh
source bench/lib.sh
bench_init agent
export NODE_PATH=$PWD/bench/node/node_modules
CLIENT=$(cd ../shared/bench 2>/dev/null && pwd)/write-bench.js
[ -f "$CLIENT" ] || { echo "bench_agent: ../shared/bench/write-bench.js not found" >&2; exit 2; }
KEYS=${BENCH_KEYS:-1000000}; MIB=${BENCH_DATA_MIB:-1024}; CLIENTS=${BENCH_CLIENTS:-16}; SECS=${BENCH_SECONDS:-10}
METACTL=$B/metactl/metactl

echo "seeding metasrv with $KEYS keys; $MIB MiB of data (half random, half text)"
g=$(port); r=$(port)
"$B/bench/gen_keys" --keys "$KEYS" | "$METACTL" import --raft-dir "$W/meta" --id 1 --initial-cluster "1=127.0.0.1:$r" 2>/dev/null
"$B/raftstore/server/metasrv" --id 1 --raft-dir "$W/meta" --grpc-api-address "127.0.0.1:$g" --raft-address "127.0.0.1:$r" \
  >/dev/null 2>"$W/metasrv.log" &
PIDS+=($!)
ADDR=$(metasrv_leader "127.0.0.1:$g")
mkdir -p "$W/data"
half=$(( MIB / 2 ))
for i in 1 2 3 4; do head -c $(( half * 1024 * 1024 / 4 )) /dev/urandom >"$W/data/random-$i.bin"; done
"$B/bench/gen_keys" --keys $(( half * 1024 * 1024 / 400 )) >"$W/data/text.jsonl"
truncate -s $(( half * 1024 * 1024 )) "$W/data/text.jsonl"
sync

# agent NAME FLAGS...: an API-only agent backing up to $W/loc-NAME (or $W/loc-$LOC_OF); sets H.
agent() {
  local name=$1; shift
  "$METACTL" agent "$W/loc-${LOC_OF:-$name}" --grpc-api-address "$ADDR" --data "$W/data" --interval 0 \
    --http-address 127.0.0.1:0 --address-file "$W/$name.addr" "$@" 2>"$W/$name.log" &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$W/$name.addr" ] && break; sleep 0.1; done
  H=http://$(sed -n 's/^http_address=//p' "$W/$name.addr")
}
# backup_once: POST /backups, waits for the run to end; prints its wall seconds.
backup_once() {
  local id=$1 t0 st
  t0=$(date +%s.%N)
  curl -sf -X POST "$H/backups" -d "{\"id\":\"$id\"}" >/dev/null
  for _ in $(seq 1 6000); do
    st=$(curl -sf "$H/backups/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [[ $st == SUCCESS || $st == FAILED ]] && break
    sleep 0.1
  done
  [[ $st == SUCCESS ]] || { echo "backup $id: $st" >&2; curl -s "$H/backups/$id" >&2; exit 1; }
  python3 -c "import sys; print('%.1f' % ($(date +%s.%N) - $t0))"
}
metric() { curl -sf "$H/metrics" | awk -v m="$1" '$1 == m && !done { print $2; done = 1 }'; }

declare -A wall prep comp up logical stored
for c in zstd:3 none; do
  agent "${c%%:*}" --compression "$c"
  wall[$c]=$(backup_once full)
  prep[$c]=$(metric backup_execution_time_prepare_total); comp[$c]=$(metric backup_execution_time_compression_total)
  up[$c]=$(metric backup_execution_time_upload_total)
  logical[$c]=$(metric backup_size_non_compressed); stored[$c]=$(metric backup_size_compressed)
done
echo
echo "| compression | wall s | prepare (export+walk) s | compression s (4 workers) | upload s (4 workers) | logical MiB | stored MiB | stored/logical |"
echo "|---|---|---|---|---|---|---|---|"
for c in zstd:3 none; do
  python3 -c "
c, w, p, z, u, l, s = '$c', $(echo "${wall[$c]}"), ${prep[$c]}, ${comp[$c]}, ${up[$c]}, ${logical[$c]}, ${stored[$c]}
print('| %s | %.1f | %.1f | %.1f | %.1f | %.0f | %.0f | %.2f |' % (c, w, p, z, u, l / 2**20, s / 2**20, s / l))"
done

# Incremental: one upsert to the store, then the next backup (zstd:3 location, content-defined
# blocks). Goal (issue 15): <= 2 MB of new blocks after one write to a 1M-key store.
LOC_OF=zstd agent incr --compression zstd:3
H_INCR=$H
"$METACTL" upsert --grpc-api-address "$ADDR" --key bench/one-more --value "one write" >/dev/null
backup_once after-one-write >/dev/null
curl -sf "$H_INCR/backups/after-one-write" | python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
print("\nafter one upsert: %d new blocks of %d, %.2f MB new (%.2f MB stored after zstd), %d blocks reused"
      % (r["new_blocks"], r["blocks"], r["new_bytes"] / 1e6, r["new_stored_bytes"] / 1e6, r["reused_blocks"]))'

echo
echo "write throughput of metasrv ($CLIENTS clients, $SECS s), without and during a full backup:"
node "$CLIENT" metasrv "$ADDR" "$CLIENTS" "$SECS" proto/meta.proto 2>>"$W/client.log" >"$W/idle.json"
agent live
( sleep 1; backup_once live >"$W/live-wall" ) &
bp=$!
node "$CLIENT" metasrv "$ADDR" "$CLIENTS" "$SECS" proto/meta.proto 2>>"$W/client.log" >"$W/busy.json"
wait "$bp"
python3 - "$W/idle.json" "$W/busy.json" "$(cat "$W/live-wall")" <<'PY'
import json, sys
i, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("| | writes/s | p50 ms | p99 ms |")
print("|---|---|---|---|")
print("| no backup | %s | %s | %s |" % (i["per_s"], i["p50_ms"], i["p99_ms"]))
print("| during a full backup (%s s) | %s | %s | %s |" % (sys.argv[3], b["per_s"], b["p50_ms"], b["p99_ms"]))
print("ratio during/without: %.2fx" % (b["per_s"] / i["per_s"]))
PY
