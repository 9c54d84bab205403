#!/usr/bin/env bash
# Acceptance 6: kill -9 of an import halfway through a large stream leaves DIR as it was;
# the next import succeeds (and clears the staging dir left behind). Also: a raft dir in use
# by another process is refused with a clear error.
. "$(dirname "$0")/lib.sh"
DIR="$WORK/dir"
"$METACTL" import --allow-no-footer --raft-dir "$DIR" --db "$TESTDATA_DIR/own_v004.jsonl" 2>/dev/null
BEFORE=$(tree_digest "$DIR")
# 200,000 keys (~95 MiB); fewer under the sanitizers, which are ~10x slower.
"$GEN_KEYS" --keys "${KILL_IMPORT_KEYS:-200000}" >"$WORK/big.jsonl"
LINES=$(wc -l <"$WORK/big.jsonl")
HALF=$((LINES / 2))

# Feed half the stream, then hold the pipe open: the import is certainly mid-stream when killed.
( head -n "$HALF" "$WORK/big.jsonl"; sleep 60 ) | "$METACTL" import --raft-dir "$DIR" --force 2>"$WORK/import.err" &
PIPE_PID=$!
# The import is mid-stream until the pipe closes (60 s); give it 2 s to take in the first half.
for _ in $(seq 1 300); do
  IMPORT_PID=$(pgrep -f "metactl import --raft-dir $DIR --force" || true)
  [ -n "$IMPORT_PID" ] && [ -d "$DIR.import-staging" ] && break
  sleep 0.1
done
[ -n "$IMPORT_PID" ] || fail "import did not start"
sleep 2
kill -9 $IMPORT_PID
pkill -f "sleep 60" || true
wait $PIPE_PID 2>/dev/null || true
[ -d "$DIR.import-staging" ] || fail "expected the killed import's staging dir to be left (to test its cleanup)"
[ "$(tree_digest "$DIR")" = "$BEFORE" ] || fail "DIR changed after kill -9"
pass "kill -9 mid-stream (after $HALF of $LINES lines were fed): DIR byte-for-byte as before"

"$METACTL" import --raft-dir "$DIR" --force --db "$WORK/big.jsonl" 2>"$WORK/retry.err"
grep -q "removing .*import-staging left by an earlier import" "$WORK/retry.err" || fail "leftover staging dir not reported"
[ ! -e "$DIR.import-staging" ] || fail "staging dir still there"
"$METACTL" export --raft-dir "$DIR" | cmp - "$WORK/big.jsonl" || fail "the retried import differs from the stream"
pass "the next import succeeds, clears the leftover, and holds all $LINES lines"

# A raft dir held by another process (a running import holds its staging dir; use a reader):
( "$METACTL" export --raft-dir "$DIR" | (sleep 3; cat >/dev/null) ) &
sleep 0.5
expect_fail 1 "is in use by another process" "$METACTL" export --raft-dir "$DIR"
expect_fail 1 "is in use by another process" "$METACTL" import --raft-dir "$DIR" --force --db "$TESTDATA_DIR/own_v004.jsonl"
wait
pass "a raft dir in use gives a clear error, not a crash"
done_checks
