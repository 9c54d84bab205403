#!/usr/bin/env bash
# The main job, end to end on this machine: make a raft dir with data, export it, import the
# export with --initial-cluster into three dirs (a new 3-node cluster of ids 4, 5, 6), export
# one of them and show it; then start the three nodes on 127.0.0.1: they elect a leader and
# serve the same keys. Everything happens under ./_demo (removed first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
BIN=build/metactl/metactl
SRV=build/raftstore/server/metasrv
GEN=build/bench/gen_keys
DEMO=_demo
rm -rf "$DEMO"; mkdir -p "$DEMO"
say() { printf '\n== %s\n' "$*"; }

say "1. a source raft dir with 1,000 keys (some expiring) of a 3-node cluster (ids 1, 2, 3)"
"$GEN" --keys 1000 --value-size 32 --ttl-percent 10 | "$BIN" import --raft-dir "$DEMO/source"

say "2. export it (with the integrity footer)"
"$BIN" export --raft-dir "$DEMO/source" --db "$DEMO/backup.jsonl"
tail -n 1 "$DEMO/backup.jsonl"

say "3. import it into three dirs that seed a new cluster 4, 5, 6 (node 6 through a pipe)"
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
declare -A RAFT GRPC
PEERS=()
for n in 4 5 6; do
  RAFT[$n]=$(port); GRPC[$n]=$(port)
  PEERS+=("$n=127.0.0.1:${RAFT[$n]},127.0.0.1:${GRPC[$n]}")
done
for n in 4 5; do
  "$BIN" import --raft-dir "$DEMO/new/$n" --db "$DEMO/backup.jsonl" --id "$n" --initial-cluster "${PEERS[@]}"
done
"$BIN" export --raft-dir "$DEMO/source" | "$BIN" import --raft-dir "$DEMO/new/6" --id 6 --initial-cluster "${PEERS[@]}"

say "4. node 5's dir, exported: its id, the new members and membership, then the first keys"
"$BIN" export --raft-dir "$DEMO/new/5" --db "$DEMO/node5.jsonl"
grep -vE '"(GenericKV|Expire)"' "$DEMO/node5.jsonl"
grep -m 3 '"GenericKV"' "$DEMO/node5.jsonl" | cut -c1-160
say "keys in the source: $(grep -c '"GenericKV"' "$DEMO/backup.jsonl"), in node 5's dir: $(grep -c '"GenericKV"' "$DEMO/node5.jsonl")"

say "5. start nodes 4, 5 and 6 from those dirs (no --single, no --join): they form the new cluster"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
for n in 4 5 6; do
  "$SRV" --id "$n" --raft-dir "$DEMO/new/$n" --grpc-api-address "127.0.0.1:${GRPC[$n]}" \
    --raft-address "127.0.0.1:${RAFT[$n]}" 2>"$DEMO/node$n.log" &
  PIDS+=($!)
done
ALL=(--grpc-api-address "127.0.0.1:${GRPC[4]}" --grpc-api-address "127.0.0.1:${GRPC[5]}" --grpc-api-address "127.0.0.1:${GRPC[6]}")
for _ in $(seq 1 100); do
  "$BIN" status "${ALL[@]}" 2>/dev/null | grep -Eq "^leader_id: +[456]$" && break
  sleep 0.2
done
for n in 4 5 6; do
  "$BIN" status --grpc-api-address "127.0.0.1:${GRPC[$n]}" | grep -E "^(id|role|leader_id|term|voters|num_keys):" | tr -s ' ' | paste -sd' '
done
"$BIN" members --grpc-api-address "127.0.0.1:${GRPC[5]}"

say "6. read a key from node 6, write one through node 4 (forwarded to the leader if needed), read it on node 5"
KEY=$(grep -m 1 -o '"GenericKV":{"key":"[^"]*"' "$DEMO/backup.jsonl" | cut -d'"' -f6)
"$BIN" get --grpc-api-address "127.0.0.1:${GRPC[6]}" --key "$KEY" | head -3
"$BIN" upsert --grpc-api-address "127.0.0.1:${GRPC[4]}" --key demo/hello --value "written to the new cluster"
"$BIN" get --grpc-api-address "127.0.0.1:${GRPC[5]}" --key demo/hello
say "7. node 7 joins the new cluster (metasrv --join): its log starts after the imported index, so the leader sends it a snapshot"
RAFT[7]=$(port); GRPC[7]=$(port)
"$SRV" --id 7 --raft-dir "$DEMO/new/7" --grpc-api-address "127.0.0.1:${GRPC[7]}" \
  --raft-address "127.0.0.1:${RAFT[7]}" --join "127.0.0.1:${GRPC[4]}" 2>"$DEMO/node7.log" &
PIDS+=($!)
for _ in $(seq 1 150); do grep -q "is a voter" "$DEMO/node7.log" && break; sleep 0.2; done
grep -E "received snapshot|installed snapshot|is a voter" "$DEMO/node7.log" | cut -d' ' -f3-
"$BIN" status --grpc-api-address "127.0.0.1:${GRPC[7]}" | grep -E "^(id|role|voters|num_keys|snapshots):" | tr -s ' ' | paste -sd' '
"$BIN" get --grpc-api-address "127.0.0.1:${GRPC[7]}" --key demo/hello
say "done: the old dir ($DEMO/source) is untouched; the new cluster stops when this script ends"
