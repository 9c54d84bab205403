#!/usr/bin/env bash
# Issue 15, acceptance 4 and 5 with real processes: a live one-node metasrv holding 200,000 keys
# is backed up over gRPC (default: 1 MiB average content-defined blocks, zstd:3). The metadata
# export is stored smaller than it is and restores byte-identical; after one upsert, the next
# backup writes at most 3 new blocks (the export's changes are the new log entries near the
# top, the key itself, and the sequence/last-applied records: each costs the block around it).
# With fixed-size blocks the new log lines would shift every block after them (~20 new blocks).
source "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary}"
: "${GEN_KEYS:?GEN_KEYS must point at gen_keys}"
start=$SECONDS
source "$(dirname "$0")/../serve.sh"

seed() { "$GEN_KEYS" --keys 200000 --ttl-percent 0 | "$METACTL" import --raft-dir "$1" --id 1 --initial-cluster "1=127.0.0.1:$2" 2>/dev/null; }
serve_seeded "$T/live" seed
CLEANUPS+=("kill $SERVE_PID 2>/dev/null; wait $SERVE_PID 2>/dev/null")
G=$SERVE_GRPC
repo="$T/repo"

out=$("$METACTL" backup "$repo" --grpc-api-address "$G" --json) || fail "first backup"
echo "backup 1: $out"
logical=$(json_field "$out" logical_bytes); stored=$(json_field "$out" new_stored_bytes)
[[ "$logical" -gt 15000000 ]] || fail "a 200k-key export of only $logical bytes"
[[ "$stored" -lt $(( logical / 2 )) ]] || fail "the export was stored in $stored bytes of $logical: not compressed"
"$METACTL" export --grpc-api-address "$G" --db "$T/live-1.jsonl" 2>/dev/null
"$METACTL" restore "$repo" --latest --raft-dir "$T/restored" --confirm >/dev/null 2>&1 || fail "restore"
"$METACTL" export --raft-dir "$T/restored" --db "$T/restored.jsonl" 2>/dev/null
cmp "$T/live-1.jsonl" "$T/restored.jsonl" || fail "restored metadata differs from the live export"
ok "200k keys: export of $logical bytes stored compressed in $stored bytes; restores byte-identical"

# A flipped byte in a compressed block: verify --read-data names the block and the metadata.
victim=$(find "$repo/data" -type f -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
cp "$victim" "$T/victim.orig"
flip_byte "$victim"
if "$METACTL" verify "$repo" --read-data >"$T/verify.txt" 2>&1; then fail "verify --read-data missed a flipped byte in a compressed block"; fi
grep -q "$(basename "$victim").*(used by backup .* metadata)" "$T/verify.txt" || { cat "$T/verify.txt"; fail "verify does not name the block and the metadata"; }
cp "$T/victim.orig" "$victim"
"$METACTL" verify "$repo" --read-data >/dev/null || fail "verify after the repair"
ok "a flipped byte in a compressed block is found by verify --read-data, naming the block and the metadata"

"$METACTL" upsert --grpc-api-address "$G" --key cdc/one-more --value "one write" >/dev/null || fail "upsert"
out=$("$METACTL" backup "$repo" --grpc-api-address "$G" --json) || fail "second backup"
echo "backup 2: $out"
new=$(json_field "$out" new_blocks); blocks=$(json_field "$out" blocks)
[[ "$blocks" -ge 10 ]] || fail "only $blocks blocks: the test needs an export of many blocks"
[[ "$new" -le 3 ]] || fail "one upsert cost $new new blocks of $blocks (want <= 3)"
[[ "$new" -ge 1 ]] || fail "the upsert changed no block"
"$METACTL" export --grpc-api-address "$G" --db "$T/live-2.jsonl" 2>/dev/null
"$METACTL" restore "$repo" --latest --raft-dir "$T/restored-2" --confirm >/dev/null 2>&1 || fail "restore 2"
"$METACTL" export --raft-dir "$T/restored-2" --db "$T/restored-2.jsonl" 2>/dev/null
grep -q '"cdc/one-more"' "$T/restored-2.jsonl" || fail "the new key is not in the latest backup"
cmp "$T/live-2.jsonl" "$T/restored-2.jsonl" || fail "the second backup restores other metadata than the live export"
ok "one upsert: $new new blocks of $blocks; the backup restores byte-identical with the new key"
echo "cdc_compression: all checks passed in $(( SECONDS - start )) s"
