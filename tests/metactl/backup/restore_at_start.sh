#!/usr/bin/env bash
# Issue 15, acceptance 6 (docs/backup-service.md, "Restore at start"): three metasrv nodes
# started with --restore-from LOCATION --id N --initial-cluster ... seed their empty raft dirs
# from the newest backup and form a cluster that serves the backed-up keys; a restart with the
# same --restore-version does not restore again (a key written since survives); a higher
# --restore-version restores again (the newer backup's keys, the key written since gone); a dir
# that holds data it did not restore is refused; a dir without a leftover staging dir after all.
source "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary}"
: "${GEN_KEYS:?GEN_KEYS must point at gen_keys}"
source "$(dirname "$0")/../serve.sh"
start=$SECONDS
LOC="$T/backups"

# The source: one node with 2,000 keys and src/1; backup 1. Later src/2 and backup 2.
seed() { "$GEN_KEYS" --keys 2000 --ttl-percent 0 | "$METACTL" import --raft-dir "$1" --id 1 --initial-cluster "1=127.0.0.1:$2" 2>/dev/null; }
serve_seeded "$T/src" seed; SRC_PID=$SERVE_PID; SRC=$SERVE_GRPC
CLEANUPS+=("kill $SRC_PID 2>/dev/null; wait $SRC_PID 2>/dev/null")
"$METACTL" upsert --grpc-api-address "$SRC" --key src/1 --value one >/dev/null
"$METACTL" backup "$LOC" --grpc-api-address "$SRC" >/dev/null 2>&1 || fail "backup 1"
"$METACTL" upsert --grpc-api-address "$SRC" --key src/2 --value two >/dev/null
"$METACTL" export --grpc-api-address "$SRC" --db "$T/src-2.jsonl" 2>/dev/null
"$METACTL" backup "$LOC" --grpc-api-address "$SRC" --json >"$T/backup2.json" 2>/dev/null || fail "backup 2"
"$METACTL" vacuum "$LOC" --max-backups 1 --confirm >/dev/null  # only backup 2 for now
b2=$(json_field "$(cat "$T/backup2.json")" id)
kill "$SRC_PID"; wait "$SRC_PID" 2>/dev/null || true

declare -A PID RP GP
members=()
# start_node N VERSION: node N with --restore-from; its log in $T/n$N.log.
start_node() {
  "$METASRV" --id "$1" --raft-dir "$T/n$1" --raft-address "127.0.0.1:${RP[$1]}" --grpc-api-address "127.0.0.1:${GP[$1]}" \
    --raft-tick-ms 50 --restore-from "$LOC" --restore-version "$2" "${members[@]}" >/dev/null 2>"$T/n$1.log" &
  PID[$1]=$!
}
stop_nodes() { local n; for n in 1 2 3; do kill "${PID[$n]}" 2>/dev/null || true; wait "${PID[$n]}" 2>/dev/null || true; done; }
CLEANUPS+=("stop_nodes")
leader_serves() {  # leader_serves KEY VALUE: some node answers the key with the value
  local n
  for _ in $(seq 1 150); do
    for n in 1 2 3; do
      [[ $("$METACTL" get --grpc-api-address "127.0.0.1:${GP[$n]}" --key "$1" 2>/dev/null) == *"$2"* ]] && return 0
    done
    sleep 0.2
  done
  tail -n 3 "$T"/n?.log >&2; fail "the cluster does not serve $1=$2"
}
# Ports are picked, then bound by metasrv: a port taken in between makes a node exit 3, and
# then everything is redone with new ports (as serve_seeded does).
for attempt in 1 2 3 4 5; do
  members=()
  for n in 1 2 3; do RP[$n]=$(_free_port); GP[$n]=$(_free_port); done
  for n in 1 2 3; do members+=(--initial-cluster "$n=127.0.0.1:${RP[$n]},127.0.0.1:${GP[$n]}"); done
  for n in 1 2 3; do start_node "$n" 1; done
  sleep 1
  taken=0
  for n in 1 2 3; do
    if ! kill -0 "${PID[$n]}" 2>/dev/null; then rc=0; wait "${PID[$n]}" || rc=$?; [[ $rc == 3 ]] && taken=1 || { cat "$T/n$n.log"; fail "node $n exited $rc"; }; fi
  done
  [[ $taken == 0 ]] && break
  stop_nodes; rm -rf "$T"/n1 "$T"/n2 "$T"/n3
done
leader_serves src/2 two
for n in 1 2 3; do
  grep -q "restored backup $b2 .* (restore version 1)" "$T/n$n.log" || { cat "$T/n$n.log"; fail "node $n did not log its restore"; }
  [[ -f "$T/n$n/RESTORED_FROM_BACKUP" && ! -e "$T/n$n.restore-staging" ]] || fail "node $n: no marker, or a staging dir left"
done
ok "3 nodes --restore-from: each seeded its raft dir from backup $b2; the cluster serves its keys"

"$METACTL" upsert --grpc-api-address "127.0.0.1:${GP[1]}" --key after/1 --value since >/dev/null || fail "write to the restored cluster"
applied() { "$METACTL" status --grpc-api-address "127.0.0.1:${GP[$1]}" --json 2>/dev/null | sed -n 's/.*"last_applied":\([0-9]*\).*/\1/p'; }
want=$(applied 1)
for _ in $(seq 1 100); do [[ $(applied 2) -ge $want ]] && break; sleep 0.1; done
[[ $(applied 2) -ge $want ]] || fail "node 2 did not apply after/1"
kill "${PID[2]}"; wait "${PID[2]}" 2>/dev/null || true
start_node 2 1
for _ in $(seq 1 100); do grep -q "not restoring again" "$T/n2.log" && break; sleep 0.1; done
grep -q "raft dir .* was restored from backup $b2 at restore version 1: not restoring again" "$T/n2.log" ||
  { cat "$T/n2.log"; fail "node 2's restart did not say it keeps its dir"; }
stop_nodes
export_of "$T/n2" >"$T/n2-restarted.jsonl"
grep -q '"after/1"' "$T/n2-restarted.jsonl" || fail "the restart with the same version lost the key written since"
ok "a restart with the same --restore-version does not restore again (after/1 kept)"

# Backup 3 (src/3) becomes the newest; version 2 restores it again, replacing what was there.
serve "$T/src2" --single; SRC2=$SERVE_PID
"$METACTL" upsert --grpc-api-address "$SERVE_GRPC" --key src/3 --value three >/dev/null
sleep 1.1  # backup ids are seconds
"$METACTL" backup "$LOC" --grpc-api-address "$SERVE_GRPC" --json >"$T/backup3.json" 2>/dev/null || fail "backup 3"
kill "$SRC2"; wait "$SRC2" 2>/dev/null || true
b3=$(json_field "$(cat "$T/backup3.json")" id)
for n in 1 2 3; do start_node "$n" 2; done
leader_serves src/3 three
for n in 1 2 3; do grep -q "restored backup $b3 .* (restore version 2)" "$T/n$n.log" || { cat "$T/n$n.log"; fail "node $n did not restore again at version 2"; }; done
stop_nodes
for n in 1 2 3; do
  export_of "$T/n$n" >"$T/n$n.jsonl"
  grep -q '"after/1"' "$T/n$n.jsonl" && fail "node $n still holds after/1 after restoring again"
  grep -q '"src/2"' "$T/n$n.jsonl" && fail "node $n holds src/2, which backup 3 does not"
  grep -q '^version=2$' "$T/n$n/RESTORED_FROM_BACKUP" || fail "node $n did not record version 2"
done
ok "--restore-version 2 restores again: backup $b3's keys, the old dir's content replaced"

serve "$T/plain" --single; kill "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
rc=0
"$METASRV" --id 1 --raft-dir "$T/plain" --raft-address 127.0.0.1:0 --grpc-api-address 127.0.0.1:0 --restore-from "$LOC" \
  --initial-cluster "1=127.0.0.1:1" >/dev/null 2>"$T/plain.err" || rc=$?
[[ $rc == 1 ]] || fail "a dir with data it did not restore: exit $rc"
grep -q "holds data that was not restored from a backup" "$T/plain.err" || { cat "$T/plain.err"; fail "no reason given"; }
ok "a raft dir holding data it did not restore is refused (exit 1, says why)"
echo "restore_at_start: all checks passed in $(( SECONDS - start )) s"
