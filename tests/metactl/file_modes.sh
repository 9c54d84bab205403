#!/usr/bin/env bash
# Issue 10 acceptance 6 (docs/security.md, "Files"): under a permissive umask (022, the usual
# default) what metactl and metasrv create is private: a raft dir made by import and by metasrv
# 0700, an export (--db) 0600, every object and directory of a local backup location 0600/0700;
# metasrv started on a 0755 raft dir refuses (exit 1) with the chmod that fixes it, and the dir
# is left as it was.
. "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"
SERVE_PID=""
trap '[ -z "$SERVE_PID" ] || { kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/serve.sh"
umask 022
mode() { stat -c %a "$1"; }
# private_tree DIR: every directory under DIR (itself included) 700, every file 600.
private_tree() {
  local bad
  bad=$(find "$1" \( -type d ! -perm 700 \) -o \( -type f ! -perm 600 \) -printf '%m %p\n')
  [ -z "$bad" ] || fail "not private under $1: $bad"
}

"$METACTL" import --raft-dir "$WORK/imported" --db "$TESTDATA_DIR/own_v004.jsonl" --allow-no-footer --id 1 \
  --initial-cluster 1=127.0.0.1:29001 2>/dev/null
[ "$(mode "$WORK/imported")" = 700 ] || fail "imported raft dir has mode $(mode "$WORK/imported")"
private_tree "$WORK/imported"
"$METACTL" export --raft-dir "$WORK/imported" --db "$WORK/out.jsonl" 2>/dev/null
[ "$(mode "$WORK/out.jsonl")" = 600 ] || fail "export --db file has mode $(mode "$WORK/out.jsonl")"
pass "umask 022: metactl import makes a 0700 raft dir of 0600 files; export --db a 0600 file"

"$METACTL" backup "$WORK/repo" --meta-raft-dir "$WORK/imported" >/dev/null 2>&1 || fail "backup to a directory"
[ -n "$(find "$WORK/repo" -type f)" ] || fail "the backup wrote no objects"
private_tree "$WORK/repo"
pass "umask 022: every object of a local backup location is 0600, every directory 0700"

serve "$WORK/fresh" --single
[ "$(mode "$WORK/fresh")" = 700 ] || fail "metasrv's fresh raft dir has mode $(mode "$WORK/fresh")"
[ "$(mode "$WORK/fresh.addr")" = 600 ] || fail "--address-file has mode $(mode "$WORK/fresh.addr")"
kill "$SERVE_PID"; wait "$SERVE_PID" || true; SERVE_PID=""
pass "umask 022: metasrv creates its raft dir 0700 (and --address-file 0600)"

chmod 755 "$WORK/fresh"
"$METACTL" export --raft-dir "$WORK/fresh" --db "$WORK/before.jsonl" 2>/dev/null
expect_fail 1 "^.*raft dir $WORK/fresh has mode 0755: group or others may read it, and it holds every key; run \`chmod 700 $WORK/fresh\` and start again$" \
  "$METASRV" --raft-dir "$WORK/fresh" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0
[ "$(mode "$WORK/fresh")" = 755 ] || fail "the refused start changed the dir's mode"
"$METACTL" export --raft-dir "$WORK/fresh" --db "$WORK/after.jsonl" 2>/dev/null
cmp -s "$WORK/before.jsonl" "$WORK/after.jsonl" || fail "the refused start changed the dir"
chmod 750 "$WORK/fresh"
expect_fail 1 "has mode 0750: group or others may read it" \
  "$METASRV" --raft-dir "$WORK/fresh" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0
pass "metasrv on a 0755 (or 0750) raft dir: exit 1 with the chmod 700 that fixes it; the dir unchanged"
done_checks
