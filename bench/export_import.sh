#!/usr/bin/env bash
# Side-by-side export/import benchmark: metactl against etcd 3.4 on the same generated keys
# (default 1,000,000; 100-byte values, databend-like key shapes, 5% with a TTL).
#   bench/export_import.sh [KEYS]        (build first: scripts/build.sh)
#   ROUNDS=3 bench/export_import.sh      (alternating rounds; medians of seconds, max of RSS)
# Run it under the machine lock (flock /tmp/metasrv-build.lock bash bench/export_import.sh):
# a build on the other core makes the figures noise.
#
# The etcd anchor: the generic-kv keys of the stream are loaded into a 1-node etcd through the
# npm etcd3 client (bench/node/etcd_load.js; scripts/install-bench-deps.sh installs both), then
# `etcdctl snapshot save` and `etcdctl snapshot restore` (into a 3-member cluster) are timed.
# Each metactl row prints its ratio to the etcd row it competes with: imports to snapshot
# restore, exports to snapshot save, export | import to save + restore. MB/s is of the bytes
# each tool moves: the V004 stream for metactl, the snapshot file for etcd.
# The floor row copies the V004 stream with cp and syncs the copy: what writing an export's
# bytes durably costs on this disk, whatever the tool.
# Prints figures only; it never passes or fails on time.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${1:-${KEYS:-1000000}}
ROUNDS=${ROUNDS:-1}
B=${BUILD_DIR:-build}
BIN=${METACTL:-$B/metactl/metactl}
GEN=${GEN_KEYS:-$B/bench/gen_keys}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-export-import.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
[[ -d bench/node/node_modules/etcd3 ]] || bash scripts/install-bench-deps.sh
export ETCDCTL_API=3

"$GEN" --keys "$KEYS" >"$W/in.jsonl"
BYTES=$(stat -c %s "$W/in.jsonl")
mkdir "$W/res"

# timed NAME FILE CMD...: runs CMD under GNU time, appends "seconds rss_kb bytes" to res/NAME,
# bytes being FILE's size after the run (the bytes the job moved). Each job starts after a
# sync: the kernel's writeback of the last job's files (an import writes 500 MB) would
# otherwise take CPU from the next one, whichever tool it is.
timed() {
  local name=$1 file=$2; shift 2
  sync
  /usr/bin/time -f "%e %M" -o "$W/time" "$@"
  echo "$(cat "$W/time") $(stat -c %s "$file")" >>"$W/res/$name"
}

# --- etcd: one node, loaded with the stream's keys --------------------------------------------
EC=$(port); EP=$(port)
etcd --name e1 --data-dir "$W/etcd" --listen-client-urls "http://127.0.0.1:$EC" \
  --advertise-client-urls "http://127.0.0.1:$EC" --listen-peer-urls "http://127.0.0.1:$EP" \
  --initial-advertise-peer-urls "http://127.0.0.1:$EP" --initial-cluster "e1=http://127.0.0.1:$EP" \
  --max-txn-ops 1000 --quota-backend-bytes $((8 << 30)) >"$W/etcd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do  # up to 20 s for etcd to serve
  etcdctl --endpoints "127.0.0.1:$EC" endpoint health >/dev/null 2>&1 && break
  sleep 0.2
done
load=$(node bench/node/etcd_load.js "127.0.0.1:$EC" "$W/in.jsonl" 1000 8)
ETCD_KEYS=$(etcdctl --endpoints "127.0.0.1:$EC" get "" --from-key --keys-only --limit 1 -w json | python3 -c "import json,sys; print(json.load(sys.stdin)[\"count\"])")

# --- metasrv: one node on an imported dir, for the live export -------------------------------
G=$(port); R=$(port)
"$BIN" import --raft-dir "$W/live" --db "$W/in.jsonl" --id 1 --initial-cluster "1=127.0.0.1:$R" 2>/dev/null
"$B/raftstore/server/metasrv" --raft-dir "$W/live" --grpc-api-address "127.0.0.1:$G" --raft-address "127.0.0.1:$R" \
  >/dev/null 2>"$W/live.log" &
SERVER_PID=$!
PIDS+=($SERVER_PID)
for _ in $(seq 1 150); do  # up to 30 s for the node to open the dir and lead
  "$BIN" status --grpc-api-address "127.0.0.1:$G" 2>/dev/null | grep -Eq "^role: +leader$" && break
  sleep 0.2
done

PEERS=(--id 1 --initial-cluster "1=127.0.0.1:$(port)" --initial-cluster "2=127.0.0.1:$(port)"
       --initial-cluster "3=127.0.0.1:$(port)")
ETCD3=(--name e1 --initial-cluster "e1=http://127.0.0.1:1,e2=http://127.0.0.1:2,e3=http://127.0.0.1:3"
       --initial-advertise-peer-urls "http://127.0.0.1:1")
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$W/snap.db" "$W/restored" "$W/raft" "$W/raft3" "$W/raft-pipe" "$W/out.jsonl" "$W/live.jsonl"
  timed "etcdctl snapshot save" "$W/snap.db" etcdctl --endpoints "127.0.0.1:$EC" snapshot save "$W/snap.db" >/dev/null 2>&1
  SNAP=$(stat -c %s "$W/snap.db")
  timed "etcdctl snapshot restore" "$W/snap.db" etcdctl snapshot restore "$W/snap.db" --data-dir "$W/restored" \
    "${ETCD3[@]}" >/dev/null 2>&1
  timed "import --db FILE" "$W/in.jsonl" "$BIN" import --raft-dir "$W/raft" --db "$W/in.jsonl" 2>/dev/null
  timed "import, 3-member cluster" "$W/in.jsonl" "$BIN" import --raft-dir "$W/raft3" --db "$W/in.jsonl" "${PEERS[@]}" 2>/dev/null
  timed "cp + sync (floor)" "$W/in.jsonl" sh -c "cp '$W/in.jsonl' '$W/copy.jsonl' && sync '$W/copy.jsonl'"
  rm -f "$W/copy.jsonl"
  timed "export stopped dir" "$W/in.jsonl" "$BIN" export --raft-dir "$W/raft" --db "$W/out.jsonl" 2>/dev/null
  timed "export live (gRPC)" "$W/in.jsonl" "$BIN" export --grpc-api-address "127.0.0.1:$G" --db "$W/live.jsonl" 2>/dev/null
  timed "export | import (pipe)" "$W/in.jsonl" sh -c "'$BIN' export --raft-dir '$W/raft' 2>/dev/null | '$BIN' import --raft-dir '$W/raft-pipe' 2>/dev/null"
done
SERVER_KB=$(awk '/VmHWM/{print $2}' "/proc/$SERVER_PID/status")

# median NAME: "seconds max_rss_kb bytes" over the rounds.
median() { sort -n "$W/res/$1" | awk '{s[NR]=$1; if ($2>r) r=$2; b=$3} END{print s[int((NR+1)/2)], r, b}'; }
read -r SAVE _ _ < <(median "etcdctl snapshot save")
read -r RESTORE _ _ < <(median "etcdctl snapshot restore")

echo "export/import of $KEYS keys: V004 stream $(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1048576}') MiB," \
  "etcd snapshot $(awk -v b="$SNAP" 'BEGIN{printf "%.1f", b/1048576}') MiB ($ETCD_KEYS keys; load $load);" \
  "$ROUNDS round(s), medians"
printf "%-28s %8s %8s %11s %9s  %s\n" job seconds MB/s keys/s "RSS MiB" "ratio to etcd"
row() {  # row NAME ANCHOR_SECONDS ANCHOR_NAME
  read -r s r b < <(median "$1")
  awk -v n="$1" -v s="$s" -v r="$r" -v b="$b" -v k="$KEYS" -v a="$2" -v an="$3" 'BEGIN{
    if (s < 0.001) s = 0.001;
    printf "%-28s %8.2f %8.1f %11.0f %9.1f  %s\n", n, s, b/1048576/s, k/s, r/1024,
           (an == "" ? "(anchor)" : sprintf("%.2fx %s", s/a, an)) }'
}
row "etcdctl snapshot save" "" ""
row "etcdctl snapshot restore" "" ""
row "import --db FILE" "$RESTORE" "of snapshot restore"
row "import, 3-member cluster" "$RESTORE" "of snapshot restore (goal <= 0.5x)"
row "cp + sync (floor)" "$SAVE" "of snapshot save: the stream's bytes copied and synced"
row "export stopped dir" "$SAVE" "of snapshot save (goal <= 0.5x)"
row "export live (gRPC)" "$SAVE" "of snapshot save (goal <= 0.7x)"
row "export | import (pipe)" "$(awk -v a="$SAVE" -v b="$RESTORE" 'BEGIN{print a+b}')" "of save + restore"
echo "live export: server peak RSS $(awk -v k="$SERVER_KB" 'BEGIN{printf "%.1f", k/1024}') MiB"
cmp -s "$W/in.jsonl" "$W/out.jsonl" && echo "(stopped-dir export equals the generated stream byte for byte)"
cmp -s "$W/in.jsonl" "$W/live.jsonl" || echo "(live export differs from the generated stream: its raft state and membership are the live node's)"
