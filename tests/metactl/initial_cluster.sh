#!/usr/bin/env bash
# Acceptance 4: --initial-cluster with 3 peers into 3 dirs (ids 4, 5, 6).
. "$(dirname "$0")/lib.sh"
SRC="$TESTDATA_DIR/own_v004.jsonl"
PEERS=(4=127.0.0.1:29004 5=127.0.0.1:29005,127.0.0.1:9005 6=localhost:29006)
sm_data() { grep -E '"(GenericKV|Expire|Sequences)"' "$1"; }
for n in 4 5 6; do
  "$METACTL" import --allow-no-footer --raft-dir "$WORK/new/$n" --db "$SRC" --id "$n" --initial-cluster "${PEERS[@]}" 2>/dev/null
  "$METACTL" export --raft-dir "$WORK/new/$n" --no-footer >"$WORK/$n.out"
  grep -qx "\[\"raft_log\",{\"NodeId\":$n}\]" "$WORK/$n.out" || fail "dir $n: node id is not $n"
  grep '"Nodes"' "$WORK/$n.out" >"$WORK/$n.nodes"
  cat >"$WORK/want.nodes" <<'NODES'
["state_machine/0",{"Nodes":{"key":4,"value":{"name":"4","endpoint":{"addr":"127.0.0.1","port":29004},"grpc_api_advertise_address":null}}}]
["state_machine/0",{"Nodes":{"key":5,"value":{"name":"5","endpoint":{"addr":"127.0.0.1","port":29005},"grpc_api_advertise_address":"127.0.0.1:9005"}}}]
["state_machine/0",{"Nodes":{"key":6,"value":{"name":"6","endpoint":{"addr":"localhost","port":29006},"grpc_api_advertise_address":null}}}]
NODES
  cmp "$WORK/$n.nodes" "$WORK/want.nodes" || { cat "$WORK/$n.nodes"; fail "dir $n: nodes are not exactly 4, 5, 6"; }
  grep -q '"LastMembership".*"membership":{"configs":\[\[4,5,6\]\],"nodes":{"4":{},"5":{},"6":{}}}' "$WORK/$n.out" \
    || fail "dir $n: membership is not [[4,5,6]]"
  ! grep -q '"LogEntry"' "$WORK/$n.out" || fail "dir $n: old log entries (with old memberships) survived"
  diff <(sm_data "$WORK/$n.out") <(sm_data "$SRC") >/dev/null || fail "dir $n: keys or values differ from the source"
  pass "dir $n: node id $n, nodes and membership exactly 4,5,6, no old log, same keys/values/sequences"
done

# Membership entries after last applied must not survive: uncommitted tail is dropped.
python3 - "$SRC" "$WORK/tail.jsonl" <<'PY'
import sys
out = []
for line in open(sys.argv[1]):
    if '"Committed"' in line: line = '["raft_log",{"Committed":null}]\n'
    if '"LastApplied"' in line: line = line.replace('"index":12', '"index":2')
    out.append(line)
open(sys.argv[2], "w").write("".join(out))
PY
"$METACTL" import --allow-no-footer --raft-dir "$WORK/tail" --db "$WORK/tail.jsonl" --id 4 --initial-cluster "${PEERS[@]}" 2>"$WORK/tail.err"
grep -q "dropping log entries 3..12" "$WORK/tail.err" || { cat "$WORK/tail.err"; fail "uncommitted tail not reported"; }
"$METACTL" export --raft-dir "$WORK/tail" >"$WORK/tail.out" || fail "export of the imported dir failed"
grep -q '"LastApplied"' "$WORK/tail.out" || fail "export of the imported dir is incomplete"
if grep -q '"Membership":{"configs":\[\[1' "$WORK/tail.out"; then fail "an old membership entry survived"; fi
pass "membership entries after last applied (never committed) are dropped with a warning"

# Committed entries not yet applied (6..12) are applied during the import: no acknowledged
# write is lost. Entry 6 upserts the non-ASCII key with bytes 0..255, so it gets seq 43.
sed 's/"LastApplied","value":{"LogId":{"leader_id":{"term":5,"node_id":2},"index":12}/"LastApplied","value":{"LogId":{"leader_id":{"term":2,"node_id":2},"index":5}/' \
  "$SRC" >"$WORK/unapplied.jsonl"
cmp -s "$SRC" "$WORK/unapplied.jsonl" && fail "test setup: LastApplied not rewritten"
"$METACTL" import --allow-no-footer --raft-dir "$WORK/unapplied" --db "$WORK/unapplied.jsonl" --id 4 --initial-cluster "${PEERS[@]}" 2>"$WORK/unapplied.err"
grep -q "applied log entries 6..12" "$WORK/unapplied.err" || { cat "$WORK/unapplied.err"; fail "tail not applied"; }
"$METACTL" export --raft-dir "$WORK/unapplied" --no-footer >"$WORK/unapplied.out"
grep -q '"LastApplied","value":{"LogId":{"leader_id":{"term":5,"node_id":2},"index":12}}' "$WORK/unapplied.out" || fail "last applied is not 12"
python3 - "$WORK/unapplied.out" <<'PY' || fail "entry 6 was not applied to the state machine"
import json, sys
kv = {}
for line in open(sys.argv[1]):
    tree, body = json.loads(line)
    if "GenericKV" in body: kv[body["GenericKV"]["key"]] = body["GenericKV"]["value"]
v = kv["ключ/日本語/🔑"]
assert v["seq"] == 43 and v["data"] == list(range(256)), v
PY
grep -q '"Nodes":{"key":1,' "$WORK/unapplied.out" && fail "old node came back"
! grep -q '"LogEntry"' "$WORK/unapplied.out" || fail "log not emptied"
pass "committed-but-unapplied entries are applied during import; nodes still exactly 4,5,6"

# Malformed peers are reported before anything is read: stdin is a pipe that stays silent for
# 30 s, so an import that read first would be stopped by `timeout` (exit 124).
silent_stdin_import() {
  local rc=0
  timeout 10 "$METACTL" import --raft-dir "$WORK/p" "$@" 2>"$WORK/p.err" < <(exec sleep 30 2>/dev/null) || rc=$?
  kill $! 2>/dev/null || true
  return $rc
}
for bad in "5=host" "x=host:1" "5=host:0" "5=host:99999" "=host:1"; do
  rc=0; silent_stdin_import --id 5 --initial-cluster "$bad" || rc=$?
  [ "$rc" -eq 2 ] || fail "peer '$bad': exit $rc, want 2 (usage) without reading stdin"
  grep -q -- "--initial-cluster \"$bad\"" "$WORK/p.err" || fail "peer '$bad': message does not name it"
done
pass "malformed peers refused with exit 2 before reading input"
rc=0; silent_stdin_import --id 4 --initial-cluster 4=a:1 4=b:2 || rc=$?
[ "$rc" -eq 2 ] && grep -q "node id 4 is given twice" "$WORK/p.err" || fail "duplicate ids: rc=$rc"
rc=0; silent_stdin_import --id 7 --initial-cluster 4=a:1 5=b:2 || rc=$?
[ "$rc" -eq 2 ] && grep -q "is not among the --initial-cluster ids" "$WORK/p.err" || fail "--id not among peers: rc=$rc"
rc=0; silent_stdin_import --initial-cluster 4=a:1 || rc=$?
[ "$rc" -eq 2 ] && grep -q "needs --id" "$WORK/p.err" || fail "--initial-cluster without --id: rc=$rc"
pass "duplicate ids, --id not among peers, missing --id: refused before reading"
done_checks
