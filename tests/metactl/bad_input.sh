#!/usr/bin/env bash
# Acceptance 5: bad input gives exit 1, a message naming the line, and leaves DIR as it was.
. "$(dirname "$0")/lib.sh"
# 33 lines, no footer; lines 6..15 are log entries 3..12, 16 the sequence (42), 17 LastApplied (12),
# 18 LastMembership (voters 2,3,4, learner 5), 19..22 nodes 2..5, 23..26 expire entries, 27..33 keys.
SRC="$TESTDATA_DIR/own_v004.jsonl"
DIR="$WORK/dir"
"$METACTL" import --allow-no-footer --raft-dir "$DIR" --db "$SRC" 2>/dev/null
"$METACTL" export --raft-dir "$DIR" --db "$WORK/footed.jsonl" 2>/dev/null   # 34 lines, footer last
BEFORE=$(tree_digest "$DIR")

# check NAME REGEX FILE [FLAG...]: importing FILE over DIR (with --allow-no-footer unless FLAG is
# given; the fixtures have no footer) fails with exit 1 and REGEX; DIR is unchanged.
check() {
  local name=$1 pattern=$2 file=$3; shift 3
  [ $# -gt 0 ] || set -- --allow-no-footer
  expect_fail 1 "$pattern" "$METACTL" import --raft-dir "$DIR" --force --db "$file" "$@"
  [ "$(tree_digest "$DIR")" = "$BEFORE" ] || fail "$name: DIR changed"
  [ ! -e "$DIR.import-staging" ] || fail "$name: staging dir left behind"
  pass "$name: exit 1, /$pattern/, DIR byte-for-byte as before"
}
line() { sed -n "${1}p" "$SRC"; }
replace_line() { awk -v n="$1" -v s="$2" 'NR==n{print s; next}{print}' "$SRC"; }

: >"$WORK/empty"; check "empty stream" "empty stream" "$WORK/empty"
head -c -40 "$SRC" >"$WORK/cut"; check "truncated last line" "line 33: last line is cut short.*invalid JSON" "$WORK/cut"
replace_line 10 '{"not json' >"$WORK/badjson"; check "invalid JSON" "line 10: invalid JSON" "$WORK/badjson"
replace_line 8 "$(line 8 | sed 's/^\["raft_log"/["raft_lg"/')" >"$WORK/tree"; check "unknown tree" 'line 8: unknown tree "raft_lg"' "$WORK/tree"
replace_line 8 "$(line 8 | sed 's/"LogEntry"/"LogEntri"/')" >"$WORK/kind"; check "unknown kind" 'line 8: .*unknown kind "LogEntri"' "$WORK/kind"
replace_line 27 "$(line 27 | sed 's/"seq"/"sequence"/')" >"$WORK/field"; check "unknown field" 'line 27: state_machine/0 GenericKV: value: unknown field "sequence"' "$WORK/field"
replace_line 8 "$(line 8 | sed 's/,"index":5//')" >"$WORK/missing"; check "missing field" 'line 8: raft_log LogEntry: log_id: missing field "index"' "$WORK/missing"
replace_line 1 '["header",{"DataHeader":{"key":"header","value":{"version":"V001"}}}]' >"$WORK/v001"
check "version V001" "line 1: version V001 is not supported; supported versions are V002, V003 and V004" "$WORK/v001"
replace_line 1 '["header",{"DataHeader":{"key":"header","value":{"version":"V999"}}}]' >"$WORK/v999"
check "unknown version" "line 1: version V999 is not supported" "$WORK/v999"
tail -n +2 "$SRC" >"$WORK/noheader"; check "no header (V0)" "line 1: expected the header line first.*V0 or V001" "$WORK/noheader"
sed '32s/"data":\[1,2\]/"data":[1,3]/' "$WORK/footed.jsonl" >"$WORK/altered"
cmp -s "$WORK/altered" "$WORK/footed.jsonl" && fail "test setup: alteration did not apply"
check "footer checksum mismatch" "line 34: footer checksum .* does not match" "$WORK/altered"
sed '12d' "$WORK/footed.jsonl" >"$WORK/dropped"; check "footer record count mismatch" "line 33: footer says 33 records but 32 precede it" "$WORK/dropped"
{ cat "$WORK/footed.jsonl"; line 20; } >"$WORK/after"; check "data after footer" "line 35: data after the footer" "$WORK/after"
awk 'NR==9{print; print; next}{print}' "$SRC" >"$WORK/repeat"; check "repeated log index" "line 9 and line 10: log index 6 appears twice" "$WORK/repeat"
awk 'NR==9{hold=$0; next} NR==10{print; print hold; next}{print}' "$SRC" >"$WORK/order"
check "log index out of order" "line 10: log index 6 is out of order \(the previous entry, at line 9, has index 7\)" "$WORK/order"
awk 'NR==2{print; print; next}{print}' "$SRC" >"$WORK/twice"; check "repeated NodeId" "line 3: NodeId repeats \(first at line 2\)" "$WORK/twice"
awk 'NR==5{print; print ""; next}{print}' "$SRC" >"$WORK/blank"; check "empty line" "line 6: empty line" "$WORK/blank"

# Issue 11: the cross-line checks (raftstore/transfer/import_checks.h).
awk 'NR==27{print; print; next}{print}' "$SRC" >"$WORK/dupkey"; check "key twice" 'line 27 and line 28: key "a" appears twice' "$WORK/dupkey"
awk 'NR==19{print; print; next}{print}' "$SRC" >"$WORK/dupnode"; check "node id twice" "line 19 and line 20: node id 2 appears twice" "$WORK/dupnode"
awk 'NR==23{print; print; next}{print}' "$SRC" >"$WORK/dupexp"
check "expire entry twice" "line 23 and line 24: expire index entry \(time_ms 1900000000000, seq 39\) appears twice" "$WORK/dupexp"
# The same key further away, out of order: found among the written keys, the later line named.
{ cat "$SRC"; line 27; } >"$WORK/dupfar"
check "key twice, out of order" 'line 34: key "a" appears twice \(also at an earlier line' "$WORK/dupfar"
replace_line 16 "$(line 16 | sed 's/"value":42/"value":10/')" >"$WORK/lowseq"
check "sequence below a key's seq" 'line 16: the generic-kv sequence is 10, below seq 42 of key "x/1" at line 32: .*add --repair-seq .*--bump-seq N' "$WORK/lowseq"
replace_line 24 "$(line 24 | sed 's/"key":"c\/expiring"/"key":"c\/gone"/')" >"$WORK/expkey"
check "expire entry naming no key" 'line 24: expire index entry \(time_ms 1900000000000, seq 40\) names key "c/gone", which the stream does not hold' "$WORK/expkey"
replace_line 24 "$(line 24 | sed 's/"seq":40/"seq":41/')" >"$WORK/expseq"
check "expire entry with another seq" 'line 24: expire index entry \(time_ms 1900000000000, seq 41\) names key "c/expiring", which has seq 40, not 41' "$WORK/expseq"
replace_line 17 "$(line 17 | sed 's/"index":12/"index":20/')" >"$WORK/applied"
check "LastApplied beyond the log" "line 17: LastApplied is index 20, beyond the log: the last log entry is index 12 \(line 15\) and the log is purged only up to index 2" "$WORK/applied"
sed '21d' "$SRC" >"$WORK/nonode"; check "membership names a missing node" "line 18: LastMembership names node\(s\) 4 that have no Nodes record" "$WORK/nonode"
# Cut at a line boundary (the last lines and the footer lost): refused unless --allow-no-footer.
head -n 30 "$WORK/footed.jsonl" >"$WORK/headcut"
check "cut at a line boundary" "no integrity footer: the stream may be cut short; if it is a databend-metactl export, add --allow-no-footer" "$WORK/headcut" --repair-seq
check "footer-less own_v004 without the flag" "no integrity footer: the stream may be cut short" "$SRC" --repair-seq

# --repair-seq repairs the low sequence, with a warning; nothing else is repaired.
"$METACTL" import --allow-no-footer --repair-seq --raft-dir "$WORK/repaired" --db "$WORK/lowseq" 2>"$WORK/repair.err"
grep -q "the generic-kv sequence is 10, below seq 42.*--repair-seq sets it to 42" "$WORK/repair.err" || { cat "$WORK/repair.err"; fail "no repair warning"; }
"$METACTL" export --raft-dir "$WORK/repaired" --no-footer | grep -qx '\["state_machine/0",{"Sequences":{"key":"generic-kv","value":42}}\]' || fail "sequence not repaired to 42"
pass "--repair-seq sets the sequence to the largest key seq (42), with a warning"
check "--repair-seq repairs only the sequence" 'line 27 and line 28: key "a" appears twice' "$WORK/dupkey" --allow-no-footer --repair-seq

# A non-empty DIR without --force is refused before reading, and left alone.
expect_fail 1 "is not empty; importing would replace it: pass --force" "$METACTL" import --raft-dir "$DIR" --db "$SRC"
[ "$(tree_digest "$DIR")" = "$BEFORE" ] || fail "refusal changed DIR"
pass "non-empty DIR without --force refused, unchanged"
# Export of something that is not a raft dir, and of a missing one.
mkdir -p "$WORK/notraft"; echo hi >"$WORK/notraft/file"
expect_fail 1 "is not a raft dir" "$METACTL" export --raft-dir "$WORK/notraft"
expect_fail 1 "does not exist" "$METACTL" export --raft-dir "$WORK/absent"
expect_fail 1 "does not exist" "$METACTL" export --raft-dir "$WORK/absent" --db "$WORK/x.jsonl"
[ ! -e "$WORK/x.jsonl" ] && [ ! -e "$WORK/x.jsonl.part" ] || fail "a failed export left a file"
pass "export of a missing or foreign dir fails clearly and leaves no output file"
done_checks
