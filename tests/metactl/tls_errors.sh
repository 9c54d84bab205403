#!/usr/bin/env bash
# Issue 10, transport errors and rotation (docs/security.md), with certificates made by openssl
# (tests/tls/make_certs.sh):
#  - metasrv and metactl refuse at start a missing or mismatched certificate/key/CA, naming the
#    file; metasrv refuses half a set of TLS flags, and different TLS settings on one shared port;
#  - against a one-node metasrv with client TLS + --client-cert-auth: a plaintext client, a wrong
#    CA, no client certificate, a client certificate of another CA, each fail with exit 1 and one
#    line naming the address and what failed; export --db writes nothing;
#  - a server with an expired / a wrong-host certificate, a TLS client against a plaintext port:
#    the same;
#  - SIGHUP re-reads the files: after the server's certificate is replaced by one of another CA and
#    SIGHUP, a client trusting only that CA connects; a broken replacement is refused and the old
#    certificate stays in use.
. "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/serve.sh"
# metasrv's private copies of its TLS files go under $TMPDIR; a node killed with -9 leaves them:
# here they go with $WORK.
export TMPDIR=$WORK
C=$WORK/certs
bash "$(dirname "$0")/../tls/make_certs.sh" "$C"

# --- refused at start ------------------------------------------------------------------------
expect_fail 1 "--cert-file $C/missing.pem: cannot read" \
  "$METASRV" --single --raft-dir "$WORK/r0" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0 \
  --cert-file "$C/missing.pem" --key-file "$C/n1.key" --trusted-ca-file "$C/ca.pem"
expect_fail 1 "--key-file $C/n2.key is not the key of --cert-file $C/n1.pem" \
  "$METASRV" --single --raft-dir "$WORK/r0" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0 \
  --cert-file "$C/n1.pem" --key-file "$C/n2.key" --trusted-ca-file "$C/ca.pem"
expect_fail 1 "--peer-trusted-ca-file $C/n1.key: no PEM certificate" \
  "$METASRV" --single --raft-dir "$WORK/r0" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0 \
  --peer-cert-file "$C/n1.pem" --peer-key-file "$C/n1.key" --peer-trusted-ca-file "$C/n1.key"
expect_fail 2 "peer TLS is mutual" \
  "$METASRV" --single --raft-dir "$WORK/r0" --peer-cert-file "$C/n1.pem" --peer-key-file "$C/n1.key"
expect_fail 2 "one port .* one TLS setting" \
  "$METASRV" --single --raft-dir "$WORK/r0" --grpc-api-address 127.0.0.1:29999 --raft-address 127.0.0.1:29999 \
  --cert-file "$C/n1.pem" --key-file "$C/n1.key" --trusted-ca-file "$C/ca.pem"
[ ! -e "$WORK/r0" ] || fail "a refused metasrv created its raft dir"
pass "metasrv refuses a missing file, a key of another certificate, a CA file without a certificate, half a peer set, two settings on one port (naming each), raft dir untouched"

expect_fail 1 "--cacert $C/missing.pem: cannot read" "$METACTL" status --cacert "$C/missing.pem"
expect_fail 1 "METACTL_CACERT $C/missing.pem: cannot read" env METACTL_CACERT="$C/missing.pem" "$METACTL" status
expect_fail 1 "--key-file $C/n1.key is not the key of --cert $C/client.pem" \
  "$METACTL" get --key k --cacert "$C/ca.pem" --cert "$C/client.pem" --key-file "$C/n1.key"
expect_fail 1 "--cert $C/expired.pem: the certificate expired on" \
  "$METACTL" get --key k --cacert "$C/ca.pem" --cert "$C/expired.pem" --key-file "$C/expired.key"
pass "metactl refuses a missing CA file (flag or METACTL_CACERT), a key of another certificate, an expired certificate"

# --- one node: client TLS with --client-cert-auth ----------------------------------------------
export METACTL_CACERT=$C/ca.pem METACTL_CERT=$C/client.pem METACTL_KEY=$C/client.key
TLS1=(--cert-file "$C/n1.pem" --key-file "$C/n1.key" --trusted-ca-file "$C/ca.pem" --client-cert-auth)
serve "$WORK/a" --single "${TLS1[@]}"
PIDS+=("$SERVE_PID")
A=$SERVE_GRPC
"$METACTL" upsert --grpc-api-address "$A" --key k --value v >/dev/null
[ "$("$METACTL" get --grpc-api-address "$A" --key k --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"]["text"])')" = v ] \
  || fail "get over TLS"
pass "client TLS + --client-cert-auth: upsert and get with certificates from METACTL_CACERT/METACTL_CERT/METACTL_KEY"
# A flag wins over the variable: a wrong --cacert fails although METACTL_CACERT is right.
expect_fail 1 "metasrv at $A.*the server's certificate is not signed by a CA in --cacert $C/ca2.pem" \
  "$METACTL" get --grpc-api-address "$A" --key k --cacert "$C/ca2.pem"
pass "wrong CA (--cacert wins over METACTL_CACERT): the address and 'not signed by a CA in --cacert FILE'"
expect_fail 1 "metasrv at $A: the server speaks TLS and this client does not: give --cacert" \
  env -u METACTL_CACERT -u METACTL_CERT -u METACTL_KEY "$METACTL" get --grpc-api-address "$A" --key k
expect_fail 1 "metasrv at $A.*speaks TLS" \
  env -u METACTL_CACERT -u METACTL_CERT -u METACTL_KEY "$METACTL" export --grpc-api-address "$A" --db "$WORK/x.jsonl"
[ ! -e "$WORK/x.jsonl" ] && [ ! -e "$WORK/x.jsonl.part" ] || fail "a failed export left a file"
pass "plaintext metactl against the TLS port: 'the server speaks TLS', exit 1; export --db leaves no file"
expect_fail 1 "metasrv at $A: the server requires a client certificate: give --cert and --key-file" \
  env -u METACTL_CERT -u METACTL_KEY "$METACTL" status --grpc-api-address "$A"
expect_fail 1 "metasrv at $A: the server refused --cert $C/other.pem .*: it must be signed by the CA the server trusts" \
  "$METACTL" members --grpc-api-address "$A" --cacert "$C/ca.pem" --cert "$C/other.pem" --key-file "$C/other.key"
pass "--client-cert-auth: no client certificate, and one of another CA, each refused with the reason"

# --- SIGHUP: rotate to a certificate of another CA ---------------------------------------------
cp "$C/n1.pem" "$WORK/srv.pem"; cp "$C/n1.key" "$WORK/srv.key"
serve "$WORK/b" --single --cert-file "$WORK/srv.pem" --key-file "$WORK/srv.key" --trusted-ca-file "$C/ca.pem"
PIDS+=("$SERVE_PID")
B=$SERVE_GRPC B_PID=$SERVE_PID
NEW=(--grpc-api-address "$B" --cacert "$C/ca2.pem")
expect_fail 1 "not signed by a CA in --cacert $C/ca2.pem" "$METACTL" status "${NEW[@]}"
# A broken replacement (the new certificate with the old key) is refused; the old one stays.
cp "$C/n1new.pem" "$WORK/srv.pem"
kill -HUP "$B_PID"
for _ in $(seq 1 100); do grep -q "TLS files not reloaded" "$WORK/b.log" && break; sleep 0.1; done
grep -q "TLS files not reloaded.*--key-file $WORK/srv.key is not the key of --cert-file $WORK/srv.pem" "$WORK/b.log" \
  || { cat "$WORK/b.log"; fail "a mismatched reload was not refused with the reason"; }
"$METACTL" status --grpc-api-address "$B" >/dev/null || fail "the old certificate is no longer served after a refused reload"
cp "$C/n1new.key" "$WORK/srv.key"
# Without SIGHUP nothing changes (the files are read on start and SIGHUP only)...
expect_fail 1 "not signed by a CA in --cacert $C/ca2.pem" "$METACTL" status "${NEW[@]}"
kill -HUP "$B_PID"
# ...after it, new handshakes use the new pair within about a second (gRPC's refresh).
ok=0
for _ in $(seq 1 50); do
  "$METACTL" status "${NEW[@]}" --timeout 2 >/dev/null 2>&1 && { ok=1; break; }
  sleep 0.2
done
[ $ok = 1 ] || { cat "$WORK/b.log"; fail "after SIGHUP a client trusting only the new CA cannot connect"; }
expect_fail 1 "not signed by a CA in --cacert $C/ca.pem" "$METACTL" status --grpc-api-address "$B" --cacert "$C/ca.pem"
pass "SIGHUP: a mismatched pair is refused (old one kept); a new pair of another CA is served after SIGHUP only"
kill "$B_PID"; wait "$B_PID" 2>/dev/null || true

# --- expired and wrong-host server certificates; TLS client against a plaintext port ----------
# start_bg DIR FLAGS...: a one-node metasrv, waiting for its address file only (no client can
# talk to these); sets G.
start_bg() {
  local dir=$1; shift
  "$METASRV" --single --raft-dir "$dir" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0 \
    --address-file "$dir.addr" "$@" >/dev/null 2>"$dir.log" &
  PIDS+=("$!")
  for _ in $(seq 1 300); do [ -s "$dir.addr" ] && break; sleep 0.1; done
  [ -s "$dir.addr" ] || { cat "$dir.log"; fail "metasrv on $dir did not start"; }
  G=$(sed -n 's/^grpc_api_address=//p' "$dir.addr")
}
start_bg "$WORK/e" --cert-file "$C/expired.pem" --key-file "$C/expired.key" --trusted-ca-file "$C/ca.pem"
grep -q "warn.*--cert-file $C/expired.pem: the certificate expired on" "$WORK/e.log" || { cat "$WORK/e.log"; fail "no warning for an expired certificate"; }
expect_fail 1 "metasrv at $G: the server's certificate has expired" "$METACTL" status --grpc-api-address "$G"
start_bg "$WORK/w" --cert-file "$C/wronghost.pem" --key-file "$C/wronghost.key" --trusted-ca-file "$C/ca.pem"
expect_fail 1 "metasrv at $G: the server's certificate is not for 127.0.0.1" "$METACTL" status --grpc-api-address "$G"
start_bg "$WORK/p"
expect_fail 1 "metasrv at $G: the server did not answer the TLS handshake \(a plaintext port\?\)" \
  "$METACTL" export --grpc-api-address "$G" --db "$WORK/p.jsonl"
[ ! -e "$WORK/p.jsonl" ] && [ ! -e "$WORK/p.jsonl.part" ] || fail "a failed export left a file"
pass "expired server certificate (metasrv warns at start), wrong-host certificate, TLS client against a plaintext port: each named"
done_checks
