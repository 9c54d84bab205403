#!/usr/bin/env bash
# Acceptance 2: the project's own fixtures round-trip; old versions upgrade to V004.
. "$(dirname "$0")/lib.sh"
T="$TESTDATA_DIR"
"$METACTL" import --allow-no-footer --raft-dir "$WORK/v4" --db "$T/own_v004.jsonl" 2>/dev/null
"$METACTL" export --raft-dir "$WORK/v4" --no-footer >"$WORK/v4.out"
cmp "$WORK/v4.out" "$T/own_v004.jsonl" || { diff "$WORK/v4.out" "$T/own_v004.jsonl" | head; fail "own_v004 does not round-trip"; }
pass "own_v004 (joint membership, learners, transactions, TTLs, bytes 0..255, non-ASCII keys) round-trips"
for v in v003 v002; do
  "$METACTL" import --allow-no-footer --raft-dir "$WORK/$v" --db "$T/own_$v.jsonl" 2>"$WORK/$v.err"
  "$METACTL" export --raft-dir "$WORK/$v" --no-footer >"$WORK/$v.out"
  cmp "$WORK/$v.out" "$T/old_versions_as_v004.jsonl" || { diff "$WORK/$v.out" "$T/old_versions_as_v004.jsonl"; fail "$v does not upgrade as expected"; }
  pass "$v imports and exports as V004"
done
grep -q "Initialized carries nothing" "$WORK/v002.err" || fail "V002's obsolete record must be reported"
pass "V002's obsolete Initialized record is reported, not silently dropped"
# Export with footer -> import verifies it -> export again: same bytes.
"$METACTL" export --raft-dir "$WORK/v4" --db "$WORK/a.jsonl"
"$METACTL" import --raft-dir "$WORK/v4b" --db "$WORK/a.jsonl" 2>"$WORK/b.err"
grep -q "footer verified" "$WORK/b.err" || fail "footer not verified"
"$METACTL" export --raft-dir "$WORK/v4b" --db "$WORK/b.jsonl"
cmp "$WORK/a.jsonl" "$WORK/b.jsonl" || fail "second generation export differs"
pass "export -> import -> export is stable, footer verified"
[ ! -e "$WORK/a.jsonl.part" ] || fail "export left a .part file"
pass "no .part file left behind"
done_checks
