#!/usr/bin/env bash
# metactl inspect on an export file and on stdin (text and --json, the JSON parsed by python3),
# a stream without a footer, a stream whose footer does not match (exit 1, both hashes), bad
# input, usage errors, and memory that does not grow with the stream.
# (Inspecting a backup, in a directory and on S3: tests/metactl/backup/inspect_*.sh.)
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to parse --json"; exit 77; }
SRC="$TESTDATA_DIR/own_v004.jsonl"   # 33 lines, no footer
"$METACTL" import --raft-dir "$WORK/dir" --db "$SRC" --allow-no-footer 2>/dev/null
"$METACTL" export --raft-dir "$WORK/dir" --db "$WORK/footed.jsonl" 2>/dev/null   # 34 lines

# jcheck FILE PYTHON-EXPR...: each expression, with j = the JSON in FILE, must be true.
jcheck() {
  local file=$1; shift
  python3 - "$file" "$@" <<'EOF' || fail "JSON check failed on $file"
import json, sys
j = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    if not eval(expr):
        print("false: " + expr, file=sys.stderr); sys.exit(1)
EOF
}

# --- an export file, --json -------------------------------------------------------------------
"$METACTL" inspect "$WORK/footed.jsonl" --json >"$WORK/file.json"
sha=$(head -n 33 "$WORK/footed.jsonl" | sha256sum | cut -c1-64)
vbytes=$(python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)[1]
    if "GenericKV" in r: n += len(r["GenericKV"]["value"]["data"])
print(n)' "$SRC")
jcheck "$WORK/file.json" \
  'list(j) == ["source","backup_id","version","records","records_per_kind","footer","node_id","vote","committed","purged","last_applied","log_index","membership","nodes","keys","value_bytes","keys_with_ttl","seq","prefixes"]' \
  'j["source"].endswith("/footed.jsonl") and j["backup_id"] is None and j["version"] == "V004" and j["records"] == 33' \
  'j["records_per_kind"]["GenericKV"] == 7 and j["records_per_kind"]["LogEntry"] == 10 and j["records_per_kind"]["Expire"] == 4' \
  'sum(j["records_per_kind"].values()) == 33 and "Footer" not in j["records_per_kind"]' \
  "j['footer'] == {'status': 'verified', 'records': 33, 'sha256': '$sha', 'computed_records': 33, 'computed_sha256': '$sha'}" \
  'j["node_id"] == 2 and j["vote"] == {"leader_id": {"term": 5, "node_id": 2}, "committed": True}' \
  'j["last_applied"]["index"] == 12 and j["committed"]["index"] == 12 and j["purged"]["index"] == 2' \
  'j["log_index"] == {"first": 3, "last": 12}' \
  'j["membership"]["membership"]["configs"] == [[2, 3, 4]] and j["membership"]["log_id"]["index"] == 4' \
  '[n["node_id"] for n in j["nodes"]] == [2, 3, 4, 5] and j["nodes"][2]["endpoint"] == {"addr": "host-4.example", "port": 28403}' \
  "j['keys'] == 7 and j['value_bytes'] == $vbytes and j['keys_with_ttl'] == 4" \
  'j["seq"] == {"min_key_seq": 1, "max_key_seq": 42, "sequences": {"generic-kv": 42}}' \
  'j["prefixes"]["distinct"] == 7 and j["prefixes"]["other"] == {"keys": 0, "value_bytes": 0}' \
  'j["prefixes"]["top_by_value_bytes"][0] == {"prefix": "b/", "keys": 1, "value_bytes": 256}' \
  '{"prefix": "ключ/日本語/", "keys": 1, "value_bytes": 16} in j["prefixes"]["top_by_keys"]' \
  'sum(p["keys"] for p in j["prefixes"]["top_by_keys"]) == 7'
pass "inspect FILE --json: counts, footer verified ($sha), raft state, membership, nodes, seqs, prefixes"

"$METACTL" inspect "$WORK/footed.jsonl" >"$WORK/file.txt"
grep -Eq "^footer +verified: 33 records, sha256 $sha$" "$WORK/file.txt" || { cat "$WORK/file.txt"; fail "text: footer line"; }
grep -Eq '^keys +7, 4 with TTL$' "$WORK/file.txt" || fail "text: keys line"
grep -Eq '^membership +voters 2,3,4; learners 5; ' "$WORK/file.txt" || fail "text: membership line"
grep -Eq '^ +1 +256 +"b/"$' "$WORK/file.txt" || fail "text: prefix table"
pass "inspect FILE: the text table"

# --- stdin ------------------------------------------------------------------------------------
"$METACTL" inspect --json <"$WORK/footed.jsonl" >"$WORK/stdin.json"
"$METACTL" export --raft-dir "$WORK/dir" 2>/dev/null | "$METACTL" inspect - --json >"$WORK/pipe.json"
for f in stdin pipe; do
  jcheck "$WORK/$f.json" 'j["source"] == "stdin"'
  python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop("source"); b.pop("source")
sys.exit(a != b)' "$WORK/file.json" "$WORK/$f.json" || fail "inspect of stdin ($f) differs from inspect of the file"
done
pass "inspect < FILE and export | inspect -: the same summary as the file's"

# --- no footer --------------------------------------------------------------------------------
"$METACTL" inspect "$SRC" --json >"$WORK/nofooter.json"
jcheck "$WORK/nofooter.json" 'j["footer"]["status"] == "absent" and j["footer"]["sha256"] is None and j["records"] == 33'
"$METACTL" inspect "$SRC" | grep -Eq '^footer +absent' || fail "text: absent footer"
pass "a stream without a footer: footer absent, exit 0"

# --- a footer that does not match -------------------------------------------------------------
sed '32s/"data":\[1,2\]/"data":[1,3]/' "$WORK/footed.jsonl" >"$WORK/altered"
cmp -s "$WORK/altered" "$WORK/footed.jsonl" && fail "test setup: alteration did not apply"
actual=$(head -n 33 "$WORK/altered" | sha256sum | cut -c1-64)
rc=0; "$METACTL" inspect "$WORK/altered" --json >"$WORK/bad.json" 2>"$WORK/bad.err" || rc=$?
[ "$rc" -eq 1 ] || fail "mismatching footer: exit $rc, want 1"
grep -q "footer does not match the content: it says 33 records with sha256 $sha, the lines before it are 33 records with sha256 $actual" "$WORK/bad.err" \
  || { cat "$WORK/bad.err"; fail "mismatch message lacks the two hashes"; }
jcheck "$WORK/bad.json" "j['footer'] == {'status': 'mismatch', 'records': 33, 'sha256': '$sha', 'computed_records': 33, 'computed_sha256': '$actual'}"
rc=0; "$METACTL" inspect "$WORK/altered" >"$WORK/bad.txt" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "mismatching footer (text): exit $rc, want 1"
grep -Eq "^footer +MISMATCH: the footer says 33 records, sha256 $sha; the lines before it are 33 records, sha256 $actual$" "$WORK/bad.txt" \
  || { cat "$WORK/bad.txt"; fail "text: mismatch line"; }
sed '12d' "$WORK/footed.jsonl" >"$WORK/dropped"
rc=0; "$METACTL" inspect "$WORK/dropped" --json >"$WORK/dropped.json" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "a line dropped: exit $rc, want 1"
jcheck "$WORK/dropped.json" 'j["footer"]["status"] == "mismatch" and j["footer"]["records"] == 33 and j["footer"]["computed_records"] == 32'
pass "a footer that does not match: exit 1, both hashes on stderr, in the text and in the JSON"

# --- bad input and usage errors ---------------------------------------------------------------
awk 'NR==10{print "{\"not json"; next}{print}' "$SRC" >"$WORK/badjson"
expect_fail 1 "metactl inspect $WORK/badjson: line 10: invalid JSON" "$METACTL" inspect "$WORK/badjson"
{ cat "$WORK/footed.jsonl"; sed -n 20p "$SRC"; } >"$WORK/after"
expect_fail 1 "line 35: data after the footer" "$METACTL" inspect "$WORK/after"
expect_fail 1 "cannot open" "$METACTL" inspect "$WORK/absent.jsonl"
expect_fail 2 "is a backup location, not an export file: add --backup ID or --latest" "$METACTL" inspect "$WORK"
expect_fail 2 "need the backup LOCATION" "$METACTL" inspect --latest
expect_fail 2 "the --s3-\* options need --backup ID or --latest" "$METACTL" inspect "$SRC" --s3-region x
pass "bad lines exit 1 naming the line; a location without --backup/--latest and the reverse exit 2"

# --- memory does not grow with the stream -----------------------------------------------------
# gen_keys' keys fall under 196 prefixes (__fd_table_by_id/, __fd_database/tenant_N/, ...).
"$GEN_KEYS" --keys 2000 >"$WORK/small.jsonl"
"$GEN_KEYS" --keys 200000 --value-size 100 >"$WORK/big.jsonl"   # ~80 MB
"$METACTL" inspect "$WORK/big.jsonl" --json >"$WORK/big.json"
jcheck "$WORK/big.json" 'j["keys"] == 200000 and j["value_bytes"] == 200000 * 100 and j["keys_with_ttl"] == 10000' \
  'j["prefixes"]["distinct"] == 196 and j["footer"]["status"] == "verified"' \
  '[p["prefix"] for p in j["prefixes"]["top_by_keys"][:2]] == ["__fd_table_by_id/", "__fd_table_id_to_name/"]' \
  'j["prefixes"]["top_by_keys"][0]["keys"] == 50000 and len(j["prefixes"]["top_by_keys"]) == 20'
if [ "${MEASURE_MEMORY:-1}" = 0 ]; then
  # Set under the sanitizers: ASan's quarantine keeps freed memory, so RSS grows with what was
  # allocated, not with what is live. The normal build (CI) measures it.
  pass "200000 keys: exact counts (memory not measured in the sanitizer build)"
elif [ -x /usr/bin/time ]; then
  rss() { /usr/bin/time -f %M "$METACTL" inspect "$1" 2>&1 >/dev/null | tail -n 1; }
  small=$(rss "$WORK/small.jsonl"); big=$(rss "$WORK/big.jsonl")
  echo "max RSS: $small KiB for 2000 keys, $big KiB for 200000 keys ($(( $(stat -c %s "$WORK/big.jsonl") / 1048576 )) MiB)"
  [ "$big" -lt $(( small + 8192 )) ] || fail "inspect's memory grew with the stream: $small KiB -> $big KiB"
  pass "200000 keys: exact counts; memory as for 2000 keys (within 8 MiB)"
else
  pass "200000 keys: exact counts (no /usr/bin/time: memory not measured)"
fi
done_checks
