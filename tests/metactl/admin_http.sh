#!/usr/bin/env bash
# Issue 15, point 6/7 and acceptance 3 (metasrv's side; docs/metrics.md): a 3-node cluster, each
# node with --admin-address (port 0, read back from --address-file) and --http-token-file.
#  - /metrics passes `promtool check metrics` on every node, without a token;
#  - /healthz is 200 on every node once a leader is known;
#  - /v1/status is 401 without the token (or with a wrong one), 200 JSON with it;
#  - values move: after 20 writes the leader's proposals and every node's applied index grew;
#    after the leader is killed (-9) the survivors report a higher term and a leader change;
#  - a token file readable by others is refused at start (naming the chmod);
#  - with TLS (--cert-file ... --client-cert-auth) the endpoint is HTTPS and wants a client
#    certificate.
. "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"
. "$(dirname "$0")/serve.sh"
command -v promtool >/dev/null || fail "promtool not found: scripts/install-deps.sh installs Debian's prometheus"
declare -A PID G A
trap 'for p in "${PID[@]}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
export TMPDIR=$WORK
TOKEN=$WORK/admin.token
head -c 24 /dev/urandom | base64 >"$TOKEN" && chmod 600 "$TOKEN"

start() {  # start N DIR FLAGS...: node N on port 0 with --admin-address; sets PID, G and A.
  local n=$1 dir=$2; shift 2
  serve_member "$dir" 127.0.0.1:0 127.0.0.1:0 --id "$n" --admin-address 127.0.0.1:0 --raft-tick-ms 50 "$@"
  PID[$n]=$SERVE_PID
  G[$n]=$SERVE_GRPC
  A[$n]=$(sed -n 's/^admin_address=//p' "$dir.addr")
  [ -n "${A[$n]}" ] || fail "node $n: no admin_address in its address file"
}
wait_for() {  # wait_for WHAT CMD...
  local what=$1; shift
  for _ in $(seq 1 150); do "$@" && return 0; sleep 0.2; done
  tail -n 5 "$WORK"/*.log >&2; fail "timed out waiting for $what"
}
metric() {  # metric NODE NAME -> its value (the first series with that exact name)
  curl -sf "http://${A[$1]}/metrics" | awk -v m="$2" '$1 == m && !done { print $2; done = 1 }'
}
healthy() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://${A[$1]}/healthz")" = 200 ]; }
voters() { [ "$(metric "$1" metasrv_voters)" = "$2" ]; }

start 1 "$WORK/n1" --single --http-token-file "$TOKEN"
wait_for "node 1 to be healthy" healthy 1
start 2 "$WORK/n2" --join "${G[1]}" --http-token-file "$TOKEN"
wait_for "node 2 to join" voters 1 2
start 3 "$WORK/n3" --join "${G[1]}" --http-token-file "$TOKEN"
wait_for "node 3 to join" voters 1 3
for n in 1 2 3; do wait_for "node $n to be healthy" healthy "$n"; done
pass "3 nodes with --admin-address: /healthz is 200 on each once a leader is known"

for n in 1 2 3; do
  curl -sf "http://${A[$n]}/metrics" >"$WORK/m$n.txt" || fail "node $n: GET /metrics (no token) failed"
  promtool check metrics <"$WORK/m$n.txt" || fail "node $n: promtool check metrics"
done
grep -q '^metasrv_log_persist_seconds_bucket{le="+Inf"}' "$WORK/m1.txt" || fail "no fsync latency histogram"
pass "/metrics of every node passes promtool check metrics, no token needed"

code=$(curl -s -o "$WORK/body" -w '%{http_code}' "http://${A[2]}/v1/status")
[ "$code" = 401 ] || fail "/v1/status without a token: HTTP $code"
grep -q '"error"' "$WORK/body" || fail "the 401 has no JSON error: $(cat "$WORK/body")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong" "http://${A[2]}/v1/status")
[ "$code" = 401 ] || fail "/v1/status with a wrong token: HTTP $code"
curl -sf -H "Authorization: Bearer $(cat "$TOKEN")" "http://${A[2]}/v1/status" >"$WORK/status.json" ||
  fail "/v1/status with the token"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["id"]=="2" and s["voters"]==["1","2","3"], s' \
  "$WORK/status.json" || fail "/v1/status is not node 2's status"
pass "/v1/status: 401 without or with a wrong token, node 2's status JSON with it"

leader=$(metric 1 metasrv_leader_id)
p0=$(metric "$leader" metasrv_proposals_total)
for i in $(seq 1 20); do "$METACTL" upsert --grpc-api-address "${G[1]}" --key "k/$i" --value "v$i" >/dev/null; done
p1=$(metric "$leader" metasrv_proposals_total)
[ "$p1" -ge $((p0 + 20)) ] || fail "leader $leader: proposals $p0 -> $p1 after 20 writes"
for n in 1 2 3; do
  applied_grew() { [ "$(metric "$n" metasrv_applied_index)" -ge $((p0 + 20)) ]; }
  wait_for "node $n to apply the writes" applied_grew
done
pass "20 writes: the leader's proposals_total grew by >= 20, every node's applied_index followed"

term0=$(metric "$leader" metasrv_term)
declare -A CH
for n in 1 2 3; do CH[$n]=$(metric "$n" metasrv_leader_changes_total); done
kill -9 "${PID[$leader]}"; wait "${PID[$leader]}" 2>/dev/null || true; unset "PID[$leader]"
survivors=(); for n in 1 2 3; do [ "$n" != "$leader" ] && survivors+=("$n"); done
s=${survivors[0]}
new_leader() { local l; l=$(metric "$s" metasrv_leader_id) && [ -n "$l" ] && [ "$l" != 0 ] && [ "$l" != "$leader" ]; }
wait_for "a new leader after killing node $leader" new_leader
for n in "${survivors[@]}"; do
  t=$(metric "$n" metasrv_term); c=$(metric "$n" metasrv_leader_changes_total)
  [ "$t" -gt "$term0" ] || fail "node $n: term $t after the kill (was $term0)"
  [ "$c" -gt "${CH[$n]}" ] || fail "node $n: leader_changes_total $c (was ${CH[$n]})"
done
pass "leader $leader killed: the survivors' term rose above $term0 and their leader_changes_total grew"

chmod 644 "$TOKEN"
expect_fail 1 "chmod 600 $TOKEN" "$METASRV" --raft-dir "$WORK/n9" --single --grpc-api-address 127.0.0.1:0 \
  --raft-address 127.0.0.1:0 --admin-address 127.0.0.1:0 --http-token-file "$TOKEN"
chmod 600 "$TOKEN"
pass "a token file readable by others is refused at start"

C=$WORK/certs
bash "$(dirname "$0")/../tls/make_certs.sh" "$C" >/dev/null
start 7 "$WORK/n7" --single --cert-file "$C/n1.pem" --key-file "$C/n1.key" --trusted-ca-file "$C/ca.pem" --client-cert-auth
https_ok() { curl -sf --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" "https://${A[7]}/healthz" >/dev/null; }
wait_for "HTTPS /healthz with a client certificate" https_ok
curl -sf --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" "https://${A[7]}/metrics" | promtool check metrics ||
  fail "/metrics over HTTPS"
if curl -sf --cacert "$C/ca.pem" "https://${A[7]}/healthz" >/dev/null 2>&1; then fail "HTTPS without a client certificate was let in"; fi
if curl -sf "http://${A[7]}/healthz" >/dev/null 2>&1; then fail "plain HTTP answered on a TLS admin endpoint"; fi
pass "with the TLS flags the admin endpoint is HTTPS and wants a client certificate"
done_checks
