#!/usr/bin/env bash
# Issue 14: one line is limited by --max-line-bytes (default 64 MiB). A longer line is refused
# with a message naming the line and the flag, before it is all in memory, and the target is
# left as it was; a large value under the limit imports, in bounded memory.
. "$(dirname "$0")/lib.sh"
SRC="$TESTDATA_DIR/own_v004.jsonl"   # 33 lines; line 28 is the key "b/bytes"

# stream OUT BYTES [B]: own_v004 with a GenericKV line "b/big" of a BYTES-byte value (every byte
# B, default 65 ('A'): 3 bytes of text each, "65,") as line 28, and its footer.
stream() {
  local b=${3:-65}
  { head -n 27 "$SRC"
    printf '["state_machine/0",{"GenericKV":{"key":"b/big","value":{"seq":3,"meta":{},"data":['
    head -n $(($2 - 1)) < <(yes "$b,") | tr -d '\n'   # (yes's SIGPIPE must not end the script)
    printf '%s]}}}]\n' "$b"
    tail -n +28 "$SRC"; } >"$WORK/body"
  { cat "$WORK/body"
    printf '["footer",{"Footer":{"records":%s,"sha256":"%s"}}]\n' "$(wc -l <"$WORK/body")" \
      "$(sha256sum <"$WORK/body" | cut -d' ' -f1)"; } >"$1"
  rm -f "$WORK/body"
}

# A line over a limit given on the command line: refused, the line and the flag named, and a
# dir that was there is byte-for-byte what it was.
stream "$WORK/small.jsonl" 3000
len=$(sed -n 28p "$WORK/small.jsonl" | tr -d '\n' | wc -c)   # 9086 bytes
"$METACTL" import --raft-dir "$WORK/dir" --db "$SRC" --allow-no-footer 2>/dev/null || fail "the fixture does not import"
before=$(tree_digest "$WORK/dir")
expect_fail 1 "line 28: longer than the limit" "$METACTL" import --raft-dir "$WORK/dir" --force --db "$WORK/small.jsonl" --max-line-bytes $((len - 1))
grep -Fq "small.jsonl: line 28: longer than the limit of $((len - 1)) bytes; if the stream is genuine (a value that large), raise the limit with --max-line-bytes" "$WORK/stderr" \
  || { cat "$WORK/stderr" >&2; fail "the refusal does not name the line and the flag"; }
[ "$(tree_digest "$WORK/dir")" = "$before" ] || fail "the refused import changed the raft dir"
pass "a line of $len bytes over --max-line-bytes $((len - 1)): exit 1, line 28 and the flag named, raft dir unchanged"
"$METACTL" import --raft-dir "$WORK/dir2" --db "$WORK/small.jsonl" --max-line-bytes "$len" 2>"$WORK/err" \
  || { cat "$WORK/err" >&2; fail "a line exactly at the limit was refused"; }
pass "the same line at --max-line-bytes $len (its length) imports"

# The default limit, 64 MiB: a line one byte longer (not even JSON: it is never parsed) is
# refused, and no target is made.
{ head -n 1 "$SRC"; head -c $((64 * 1048576 + 1)) /dev/zero | tr '\0' x; echo; } >"$WORK/huge.jsonl"
expect_fail 1 "line 2: longer than the limit" "$METACTL" import --raft-dir "$WORK/none" --db "$WORK/huge.jsonl"
grep -Fq "huge.jsonl: line 2: longer than the limit of 67108864 bytes" "$WORK/stderr" \
  || { cat "$WORK/stderr" >&2; fail "the default limit is not 64 MiB or not named"; }
[ ! -e "$WORK/none" ] || fail "a refused import left $WORK/none behind"
pass "a line of 64 MiB + 1 byte is refused by default (67108864 named); no raft dir made"
rm -f "$WORK/huge.jsonl"

# A 16 MiB value (a 48 MiB line) imports with the default limit and comes back byte for byte;
# memory stays under 200 MiB (the DOM decoder took ~900 MiB for it).
stream "$WORK/big.jsonl" $((16 * 1048576))
if [ "${MEASURE_MEMORY:-1}" = 0 ]; then
  "$METACTL" import --raft-dir "$WORK/big" --db "$WORK/big.jsonl" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "import failed"; }
  note="memory not measured in the sanitizer build"
else
  /usr/bin/time -f %M -o "$WORK/rss" "$METACTL" import --raft-dir "$WORK/big" --db "$WORK/big.jsonl" 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; fail "import of a 16 MiB value failed"; }
  rss=$(tail -n 1 "$WORK/rss")
  echo "max RSS importing a 48 MiB line: $((rss / 1024)) MiB"
  [ "$rss" -lt $((200 * 1024)) ] || fail "importing a 48 MiB line took $((rss / 1024)) MiB (bound: 200 MiB)"
  note="max RSS $((rss / 1024)) MiB < 200 MiB"
fi
"$METACTL" export --raft-dir "$WORK/big" --db "$WORK/back.jsonl" 2>/dev/null || fail "export failed"
cmp -s "$WORK/big.jsonl" "$WORK/back.jsonl" || fail "the 16 MiB value did not come back byte for byte"
pass "a 16 MiB value imports under the default limit and exports byte for byte ($note)"
rm -f "$WORK/big.jsonl" "$WORK/back.jsonl"; rm -rf "$WORK/big"

# A 32 MiB value (bytes of value 1: a line of 64 MiB + 87 bytes, so --max-line-bytes is raised to
# it): imports, comes back byte for byte, and the line costs at most 2x its size on top of what
# importing the small fixture takes, under 200 MiB in all (before: the line stayed held while
# its value was written, and the write batch kept the value's buffer: 2.5x, 191 MiB).
stream "$WORK/big32.jsonl" $((32 * 1048576)) 1
len=$(sed -n 28p "$WORK/big32.jsonl" | wc -c)   # with its newline
if [ "${MEASURE_MEMORY:-1}" = 0 ]; then
  "$METACTL" import --raft-dir "$WORK/big" --db "$WORK/big32.jsonl" --max-line-bytes "$len" 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; fail "import failed"; }
  note="memory not measured in the sanitizer build"
else
  /usr/bin/time -f %M -o "$WORK/rss0" "$METACTL" import --raft-dir "$WORK/base" --db "$SRC" --allow-no-footer 2>/dev/null \
    || fail "the fixture does not import"
  /usr/bin/time -f %M -o "$WORK/rss" "$METACTL" import --raft-dir "$WORK/big" --db "$WORK/big32.jsonl" \
    --max-line-bytes "$len" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "import of a 32 MiB value failed"; }
  base=$(tail -n 1 "$WORK/rss0"); rss=$(tail -n 1 "$WORK/rss")
  echo "max RSS importing a $((len / 1048576)) MiB line: $((rss / 1024)) MiB (the fixture alone: $((base / 1024)) MiB)"
  [ "$rss" -lt $((200 * 1024)) ] || fail "importing a $((len / 1048576)) MiB line took $((rss / 1024)) MiB (bound: 200 MiB)"
  [ $(((rss - base) * 1024)) -le $((2 * len)) ] \
    || fail "the $((len / 1048576)) MiB line cost $(((rss - base) / 1024)) MiB (bound: 2x its size)"
  note="max RSS $((rss / 1024)) MiB: the line cost $(((rss - base) / 1024)) MiB <= 2x its size"
fi
"$METACTL" export --raft-dir "$WORK/big" --db "$WORK/back.jsonl" 2>/dev/null || fail "export failed"
cmp -s "$WORK/big32.jsonl" "$WORK/back.jsonl" || fail "the 32 MiB value did not come back byte for byte"
pass "a 32 MiB value imports and exports byte for byte ($note)"
done_checks
