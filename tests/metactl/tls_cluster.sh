#!/usr/bin/env bash
# Issue 10 acceptance 1 and 2 (docs/security.md), certificates made by openssl
# (tests/tls/make_certs.sh):
#  1. a 3-node cluster (--single, then two --join) with client TLS + --client-cert-auth and
#     mutual peer TLS elects, replicates (writes to a follower are forwarded to the leader's TLS
#     client port with the node's own certificate), survives a killed leader; a live export over
#     TLS equals the stopped dirs' export; that export imported into 3 new dirs
#     (--initial-cluster) starts as a TLS cluster that serves every key;
#  2. a node with certificates of another CA cannot join (it exits saying why) nor exchange raft
#     messages (a member restarted with them: the leader logs why, the other two keep serving);
#     a plaintext metactl gets a clear error;
#  3. with auth enabled, a call without a token is the user its client certificate's CN names
#     (docs/auth.md): CN writer may write, also through a follower (which forwards a token it
#     issues for the user); CN reader may read and is refused a write, naming the user; a CN
#     that names no user is refused; a --user login wins over the certificate.
. "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"
. "$(dirname "$0")/serve.sh"
declare -A PID G
trap 'for p in "${PID[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
# metasrv's private copies of its TLS files go under $TMPDIR; a node killed with -9 leaves them:
# here they go with $WORK.
export TMPDIR=$WORK
C=$WORK/certs
bash "$(dirname "$0")/../tls/make_certs.sh" "$C"
export METACTL_CACERT=$C/ca.pem METACTL_CERT=$C/client.pem METACTL_KEY=$C/client.key

# tls CERTNAME: every TLS flag of a node with certificate CERTNAME of CA (default ca).
tls() {
  local ca=${2:-ca}
  echo --cert-file "$C/$1.pem" --key-file "$C/$1.key" --trusted-ca-file "$C/$ca.pem" --client-cert-auth \
    --peer-cert-file "$C/$1.pem" --peer-key-file "$C/$1.key" --peer-trusted-ca-file "$C/$ca.pem"
}
# start N DIR GRPC RAFT FLAGS...: starts node N in the background; waits for its address file.
start() {
  local n=$1 dir=$2 g=$3 r=$4; shift 4
  serve_member "$dir" "$g" "$r" --id "$n" --raft-tick-ms 50 "$@"
  PID[$n]=$SERVE_PID
  G[$n]=$SERVE_GRPC
}
# status_field ADDR KEY
status_field() {
  "$METACTL" status --grpc-api-address "$1" --json --timeout 2 2>/dev/null |
    python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(",".join(map(str,v)) if isinstance(v,list) else v)' "$2"
}
# wait_for DESCRIPTION COMMAND...: until COMMAND succeeds (30 s bound).
wait_for() {
  local what=$1; shift
  for _ in $(seq 1 150); do "$@" && return 0; sleep 0.2; done
  tail -n 5 "$WORK"/*.log >&2; fail "timed out waiting for $what"
}
voters_are() { [ "$(status_field "$1" voters)" = "$2" ]; }
leader_of() { status_field "$1" leader_id; }
has_leader() { local l; l=$(leader_of "$1") && [ -n "$l" ] && [ "$l" != 0 ]; }

# --- 1. the cluster ---------------------------------------------------------------------------
start 1 "$WORK/n1" 127.0.0.1:0 127.0.0.1:0 --single $(tls n1)
wait_for "node 1 to lead" has_leader "${G[1]}"
start 2 "$WORK/n2" 127.0.0.1:0 127.0.0.1:0 --join "${G[1]}" $(tls n2)
wait_for "node 2 to be a voter" voters_are "${G[1]}" 1,2
start 3 "$WORK/n3" 127.0.0.1:0 127.0.0.1:0 --join "${G[1]}" $(tls n3)
wait_for "node 3 to be a voter" voters_are "${G[1]}" 1,2,3
pass "3 nodes with client TLS + --client-cert-auth and mutual peer TLS: node 1 leads, 2 and 3 joined over TLS"
# The peer port is always mutual: a TLS client without a certificate is refused at the handshake.
R1=$(sed -n 's/^raft_address=//p' "$WORK/n1.addr")
expect_fail 1 "metasrv at $R1: the server requires a client certificate" \
  env -u METACTL_CERT -u METACTL_KEY "$METACTL" status --grpc-api-address "$R1"
pass "the peer port refuses a TLS client without a certificate"

for i in $(seq 1 20); do "$METACTL" upsert --grpc-api-address "${G[$((i % 3 + 1))]}" --key "k/$i" --value "v$i" >/dev/null \
  || fail "upsert k/$i via node $((i % 3 + 1))"; done
applied_at_least() { [ "$(status_field "$1" last_applied)" -ge "$2" ]; }
want=$(status_field "${G[1]}" last_applied)
for n in 2 3; do wait_for "node $n to apply $want" applied_at_least "${G[$n]}" "$want"; done
[ "$("$METACTL" get --grpc-api-address "${G[3]}" --key k/7 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"]["text"])')" = v7 ] \
  || fail "node 3 does not serve k/7"
pass "20 writes through all three nodes (followers forward to the leader over TLS); every node applied them"

leader=$(leader_of "${G[1]}")
kill -9 "${PID[$leader]}"; wait "${PID[$leader]}" 2>/dev/null || true; unset "PID[$leader]"
others=(); for n in 1 2 3; do [ "$n" = "$leader" ] || others+=("$n"); done
new_leader() { local l; l=$(leader_of "${G[${others[0]}]}") && [ -n "$l" ] && [ "$l" != 0 ] && [ "$l" != "$leader" ]; }
wait_for "a new leader" new_leader
"$METACTL" upsert --grpc-api-address "${G[${others[0]}]}" --grpc-api-address "${G[${others[1]}]}" --key after/kill --value yes >/dev/null \
  || fail "write after the leader was killed"
pass "leader $leader killed: node $(leader_of "${G[${others[0]}]}") leads, writes go on"

# --- 2. a node of another CA ------------------------------------------------------------------
rc=0
timeout 60 "$METASRV" --id 4 --raft-dir "$WORK/n4" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0 \
  --join "${G[${others[0]}]}" $(tls other ca2) >/dev/null 2>"$WORK/n4.log" || rc=$?
[ "$rc" -eq 1 ] || { cat "$WORK/n4.log"; fail "a node of another CA: exit $rc, want 1"; }
grep -q "${G[${others[0]}]}: the server's certificate is not signed by a CA in --trusted-ca-file $C/ca2.pem" "$WORK/n4.log" \
  || { cat "$WORK/n4.log"; fail "the refused join does not say why"; }
[ "$(status_field "${G[${others[0]}]}" voters)" = 1,2,3 ] || fail "the membership changed: $(status_field "${G[${others[0]}]}" voters)"
pass "a node with certificates of another CA cannot join (exit 1, names the address and the CA); membership unchanged"

# The killed leader comes back with a peer certificate of another CA (its client API as before).
old=$leader
start "$old" "$WORK/n$old" "${G[$old]}" "$(sed -n 's/^raft_address=//p' "$WORK/n$old.addr")" \
  --cert-file "$C/n$old.pem" --key-file "$C/n$old.key" --trusted-ca-file "$C/ca.pem" --client-cert-auth \
  --peer-cert-file "$C/other.pem" --peer-key-file "$C/other.key" --peer-trusted-ca-file "$C/ca.pem"
L=$(leader_of "${G[${others[0]}]}")
logs_why() { grep -q "raft peer $old at .*: the server's certificate is not signed by a CA in --peer-trusted-ca-file $C/ca.pem" "$WORK/n$L.log"; }
wait_for "leader $L to log why node $old is unreachable" logs_why
"$METACTL" upsert --grpc-api-address "${G[$L]}" --key during/bad-peer --value yes >/dev/null || fail "write with a bad peer"
[ "$(status_field "${G[$old]}" last_applied)" -lt "$(status_field "${G[$L]}" last_applied)" ] \
  || fail "node $old applied entries although its peer certificate is of another CA"
pass "a member restarted with a peer certificate of another CA gets no raft messages (leader $L logs why); the other two serve writes"
kill "${PID[$old]}"; wait "${PID[$old]}" 2>/dev/null || true
start "$old" "$WORK/n$old" "${G[$old]}" "$(sed -n 's/^raft_address=//p' "$WORK/n$old.addr")" $(tls "n$old")
want=$(status_field "${G[$L]}" last_applied)
wait_for "node $old to catch up with the right certificate" applied_at_least "${G[$old]}" "$want"

expect_fail 1 "metasrv at ${G[$L]}: the server speaks TLS and this client does not: give --cacert" \
  env -u METACTL_CACERT -u METACTL_CERT -u METACTL_KEY "$METACTL" get --grpc-api-address "${G[$L]}" --key k/1
pass "plaintext metactl: exit 1, 'the server speaks TLS and this client does not'"

# --- 1. export over TLS = stopped dirs' export; import into 3 dirs; a TLS cluster again --------
"$METACTL" export --grpc-api-address "${G[$L]}" --cacert "$C/ca.pem" --cert "$C/client.pem" --key-file "$C/client.key" \
  --db "$WORK/live.jsonl" 2>/dev/null || fail "live export over TLS"
for n in 1 2 3; do kill "${PID[$n]}"; wait "${PID[$n]}" 2>/dev/null || true; done
PID=()
"$METACTL" export --raft-dir "$WORK/n$L" --db "$WORK/stopped.jsonl" 2>/dev/null
sm() { grep -E '"(GenericKV|Expire|Sequences)"' "$1"; }
diff <(sm "$WORK/live.jsonl") <(sm "$WORK/stopped.jsonl") >/dev/null || fail "live export over TLS differs from the stopped dir's"
[ "$(sm "$WORK/live.jsonl" | grep -c '"GenericKV"')" -eq 22 ] || fail "the export does not hold the 22 keys"
pass "metactl export --grpc-api-address --cacert --cert --key-file equals the stopped dir's export (22 keys)"

declare -A GP RP
for n in 1 2 3; do
  GP[$n]=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  RP[$n]=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
done
peers=(); for n in 1 2 3; do peers+=("$n=127.0.0.1:${RP[$n]},127.0.0.1:${GP[$n]}"); done
for n in 1 2 3; do
  "$METACTL" import --db "$WORK/live.jsonl" --raft-dir "$WORK/m$n" --id "$n" --initial-cluster "${peers[@]}" 2>/dev/null \
    || fail "import into m$n"
  start "$n" "$WORK/m$n" "127.0.0.1:${GP[$n]}" "127.0.0.1:${RP[$n]}" $(tls "n$n")
done
wait_for "the imported cluster to elect" has_leader "${G[1]}"
"$METACTL" upsert --grpc-api-address "${G[2]}" --key new/cluster --value yes >/dev/null || fail "write to the imported cluster"
for n in 1 2 3; do
  "$METACTL" list --grpc-api-address "${G[$n]}" --prefix k/ --json >"$WORK/list$n.json" || fail "list on node $n"
  [ "$(grep -o '"key":"k/[0-9]*"' "$WORK/list$n.json" | wc -l)" -eq 20 ] || { cat "$WORK/list$n.json"; fail "node $n does not serve the 20 keys"; }
done
pass "live export -> import --initial-cluster into 3 dirs -> a TLS cluster that elects, takes writes and serves every key on each node"

# --- 3. certificate users -----------------------------------------------------------------------
L=$(leader_of "${G[1]}")
F=1; [ "$L" = 1 ] && F=2
umask 077
echo root-password >"$WORK/root.pw"; echo writer-password >"$WORK/writer.pw"
for u in root:root writer:readwrite reader:readonly; do
  "$METACTL" user add "${u%%:*}" --role "${u#*:}" --grpc-api-address "${G[$L]}" --new-password-file "$WORK/root.pw"     >/dev/null || fail "user add ${u%%:*}"
done
"$METACTL" user passwd writer --grpc-api-address "${G[$L]}" --new-password-file "$WORK/writer.pw" >/dev/null
"$METACTL" auth enable --grpc-api-address "${G[$L]}" >/dev/null || fail "auth enable"
# as CN ADDR ARGS...: metactl with the client certificate CN, no token
as() { local cn=$1 addr=$2; shift 2; "$METACTL" "$@" --grpc-api-address "$addr" --cert "$C/$cn.pem" --key-file "$C/$cn.key"; }
as writer "${G[$F]}" upsert --key cert/w --value by-writer >/dev/null || fail "CN writer: write through follower $F"
got=$(as reader "${G[$L]}" get --key cert/w --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"]["text"])')
[ "$got" = by-writer ] || fail "CN reader: read cert/w on the leader: got '$got'"
expect_fail 1 "PERMISSION_DENIED.*user \"reader\" .role readonly. may not call Upsert" \
  as reader "${G[$F]}" upsert --key cert/w --value by-reader
expect_fail 1 "UNAUTHENTICATED.*certificate's CN \"client\" names no user" as client "${G[$F]}" get --key cert/w
as reader "${G[$F]}" upsert --key cert/w --value by-login --user writer --password-file "$WORK/writer.pw" >/dev/null \
  || fail "--user writer with the reader's certificate"
got=$(as writer "${G[$L]}" get --key cert/w --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"]["text"])')
[ "$got" = by-login ] || fail "after the login write: got '$got'"
pass "auth on: CN writer writes through a follower; CN reader reads, is refused a write naming it; CN client (no user) refused; --user wins over the CN"

# A member removed and joined back with auth on: a root user named after its certificate's CN
# (n$F) lets its --join (AddMember on the leader's client port, made with the node's own
# certificate) in. The status polls go as CN reader.
export METACTL_CERT=$C/reader.pem METACTL_KEY=$C/reader.key
root() { "$METACTL" "$@" --grpc-api-address "${G[$L]}" --user root --password-file "$WORK/root.pw"; }
root user add "n$F" --role root --new-password-file "$WORK/root.pw" >/dev/null || fail "user add n$F"
root members remove --id "$F" >/dev/null || fail "members remove $F"
kill "${PID[$F]}"; wait "${PID[$F]}" 2>/dev/null || true
rm -rf "$WORK/m$F"
start "$F" "$WORK/m$F" "127.0.0.1:${GP[$F]}" "127.0.0.1:${RP[$F]}" $(tls "n$F") --join "${G[$L]}"
wait_for "node $F to join back as a voter with auth on" voters_are "${G[$L]}" "1,2,3"
pass "auth on: a removed member joins back with --join, let in by its certificate's CN (a root user)"
done_checks
