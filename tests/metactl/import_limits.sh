#!/usr/bin/env bash
# Issue 11, point 7: keys that a metasrv with the default limits would refuse to write (longer
# than --max-key-bytes 4096) are imported, with a warning naming each one and its line.
. "$(dirname "$0")/lib.sh"
SRC="$TESTDATA_DIR/own_v004.jsonl"   # 33 lines; line 27 is the key "b/bytes", 28 "c/expiring"
DIR="$WORK/dir"

# kv KEY SEQ: a GenericKV line.
kv() { printf '["state_machine/0",{"GenericKV":{"key":"%s","value":{"seq":%s,"meta":{},"data":[1]}}}]\n' "$1" "$2"; }
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; }
AT_LIMIT="b/w$(rep w 4093)"   # 4096 bytes: fits
LONG1="b/x$(rep x 4997)"      # 5000 bytes
LONG2="b/y$(rep y 4094)"      # 4097 bytes
{
  head -n 27 "$SRC"
  kv "$AT_LIMIT" 3; kv "$LONG1" 4; kv "$LONG2" 6   # lines 28..30, in key order
  tail -n +28 "$SRC"
} >"$WORK/body"
# footed FILE: FILE and its footer (the records before it and the SHA-256 of their bytes).
footed() {
  cat "$1"
  printf '["footer",{"Footer":{"records":%s,"sha256":"%s"}}]\n' "$(wc -l <"$1")" "$(sha256sum <"$1" | cut -d' ' -f1)"
}
footed "$WORK/body" >"$WORK/long.jsonl"

"$METACTL" import --raft-dir "$DIR" --db "$WORK/long.jsonl" 2>"$WORK/err" || { cat "$WORK/err" >&2; fail "import failed"; }
pass "a stream with keys over 4096 bytes imports (exit 0)"
grep -Fq "long.jsonl: 2 keys exceed the limits metasrv puts on client writes by default (--max-key-bytes 4096" "$WORK/err" \
  || { cat "$WORK/err" >&2; fail "no warning counting the long keys"; }
grep -Fq "long.jsonl: line 29: key \"b/x$(rep x 61)...\" is 5000 bytes (--max-key-bytes)" "$WORK/err" \
  || { cat "$WORK/err" >&2; fail "the 5000-byte key is not named with its line"; }
grep -Fq "long.jsonl: line 30: key \"b/y$(rep y 61)...\" is 4097 bytes (--max-key-bytes)" "$WORK/err" \
  || { cat "$WORK/err" >&2; fail "the 4097-byte key is not named with its line"; }
! grep -Fq "line 28:" "$WORK/err" || { cat "$WORK/err" >&2; fail "the 4096-byte key (at the limit) is named"; }
pass "the warning names each key over the limit with its line, and not the one at the limit"
"$METACTL" export --raft-dir "$DIR" --db "$WORK/back.jsonl" 2>/dev/null
for k in "$AT_LIMIT" "$LONG1" "$LONG2"; do
  grep -Fq "\"key\":\"$k\"" "$WORK/back.jsonl" || fail "a key of ${#k} bytes was not imported"
done
pass "every key was imported"

footed "$SRC" >"$WORK/short.jsonl"
"$METACTL" import --raft-dir "$WORK/short" --db "$WORK/short.jsonl" 2>"$WORK/err2" >/dev/null
! grep -Fq "exceed the limits" "$WORK/err2" || { cat "$WORK/err2" >&2; fail "a stream without long keys warns"; }
pass "a stream without long keys imports without the warning"
done_checks
