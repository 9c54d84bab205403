#!/usr/bin/env bash
# The main job, end to end on this machine: make a raft dir with data, export it, import the
# export with --initial-cluster into three dirs (a new 3-node cluster of ids 4, 5, 6), export
# one of them and show it. Everything happens under ./_demo (removed first).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
BIN=build/metactl/metactl
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
PEERS=(4=127.0.0.1:29104,127.0.0.1:9104 5=127.0.0.1:29105,127.0.0.1:9105 6=127.0.0.1:29106,127.0.0.1:9106)
for n in 4 5; do
  "$BIN" import --raft-dir "$DEMO/new/$n" --db "$DEMO/backup.jsonl" --id "$n" --initial-cluster "${PEERS[@]}"
done
"$BIN" export --raft-dir "$DEMO/source" | "$BIN" import --raft-dir "$DEMO/new/6" --id 6 --initial-cluster "${PEERS[@]}"

say "4. node 5's dir, exported: its id, the new members and membership, then the first keys"
"$BIN" export --raft-dir "$DEMO/new/5" --db "$DEMO/node5.jsonl"
grep -vE '"(GenericKV|Expire)"' "$DEMO/node5.jsonl"
grep -m 3 '"GenericKV"' "$DEMO/node5.jsonl" | cut -c1-160
say "keys in the source: $(grep -c '"GenericKV"' "$DEMO/backup.jsonl"), in node 5's dir: $(grep -c '"GenericKV"' "$DEMO/node5.jsonl")"
