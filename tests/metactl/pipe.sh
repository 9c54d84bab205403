#!/usr/bin/env bash
# Acceptance 3: export | import through a pipe; import from stdin; export to stdout.
. "$(dirname "$0")/lib.sh"
"$METACTL" import --allow-no-footer --raft-dir "$WORK/src" <"$TESTDATA_DIR/own_v004.jsonl" 2>/dev/null
pass "import from stdin"
"$METACTL" export --raft-dir "$WORK/src" | "$METACTL" import --raft-dir "$WORK/dst" 2>"$WORK/pipe.err"
grep -q "footer verified" "$WORK/pipe.err" || fail "piped import did not verify the footer"
pass "export | import through a pipe, footer verified"
"$METACTL" export --raft-dir "$WORK/dst" --no-footer >"$WORK/out" 2>"$WORK/export.err"
cmp "$WORK/out" "$TESTDATA_DIR/own_v004.jsonl" || fail "piped copy differs from the source"
grep -q "exported 33 records" "$WORK/export.err" || fail "export must print 'exported N records' on stderr"
if grep -q '^\["' "$WORK/export.err"; then fail "export wrote data lines to stderr"; fi
pass "export to stdout: data on stdout only, summary on stderr"
# A larger stream through the pipe (enough to span many write batches).
"$GEN_KEYS" --keys 30000 | "$METACTL" import --raft-dir "$WORK/big" 2>/dev/null
"$METACTL" export --raft-dir "$WORK/big" | cmp - <("$GEN_KEYS" --keys 30000) || fail "30000-key stream differs after the pipe"
pass "30000 keys through stdin and stdout unchanged"
done_checks
