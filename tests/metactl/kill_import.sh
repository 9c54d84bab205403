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

# Feed half the stream through a FIFO whose write end stays open: the import is certainly
# mid-stream when killed (no EOF yet). `head` returns only once the import has read all but at
# most a pipe buffer (64 KiB) of the first half, so no sleep is needed to know it got that far.
FIFO="$WORK/feed"
mkfifo "$FIFO"
"$METACTL" import --raft-dir "$DIR" --force <"$FIFO" 2>"$WORK/import.err" &
IMPORT_PID=$!
exec 3>"$FIFO"
head -n "$HALF" "$WORK/big.jsonl" >&3
kill -0 "$IMPORT_PID" 2>/dev/null || { cat "$WORK/import.err"; fail "import ended before it was killed"; }
kill -9 "$IMPORT_PID"
wait "$IMPORT_PID" 2>/dev/null || true
exec 3>&-
[ -d "$DIR.import-staging" ] || fail "expected the killed import's staging dir to be left (to test its cleanup)"
[ "$(tree_digest "$DIR")" = "$BEFORE" ] || fail "DIR changed after kill -9"
pass "kill -9 mid-stream (after $HALF of $LINES lines were fed): DIR byte-for-byte as before"

"$METACTL" import --raft-dir "$DIR" --force --db "$WORK/big.jsonl" 2>"$WORK/retry.err"
grep -q "removing .*import-staging left by an earlier import" "$WORK/retry.err" || fail "leftover staging dir not reported"
[ ! -e "$DIR.import-staging" ] || fail "staging dir still there"
"$METACTL" export --raft-dir "$DIR" | cmp - "$WORK/big.jsonl" || fail "the retried import differs from the stream"
pass "the next import succeeds, clears the leftover, and holds all $LINES lines"

# A raft dir held by another process: an export of DIR into a FIFO that this script holds open
# and does not drain blocks once the pipe is full, holding DIR open. Reading its first byte
# shows it has opened DIR (it writes only after opening it).
HOLD="$WORK/hold"
mkfifo "$HOLD"
exec 4<>"$HOLD"
"$METACTL" export --raft-dir "$DIR" >"$HOLD" 2>/dev/null &
HOLDER_PID=$!
read -r -t 60 -N 1 _ <&4 || fail "the holding export did not start"
expect_fail 1 "is in use by another process" "$METACTL" export --raft-dir "$DIR"
expect_fail 1 "is in use by another process" "$METACTL" import --raft-dir "$DIR" --force --db "$TESTDATA_DIR/own_v004.jsonl"
kill "$HOLDER_PID"
wait "$HOLDER_PID" 2>/dev/null || true
exec 4<&-
pass "a raft dir in use gives a clear error, not a crash"
done_checks
