#!/usr/bin/env bash
# Issue 15, acceptance 1-3 (the agent's side; docs/backup-service.md), real processes on
# loopback: a 3-node metasrv cluster, s3rver, `metactl agent`.
#  1. An agent with a 2 s interval makes >= 4 backups while writes go on; retention keeps exactly
#     --max-backups 3; /backup/list and /backup/latest agree with `metactl backups`; each kept
#     backup restores to an export whose LastApplied is the recorded index and whose keys are
#     exactly the writes up to some point (k/1..k/m, no gap, values and seqs in write order).
#     SIGTERM stops the agent with exit 0, no lock left, every manifest readable.
#  2. POST /backups answers STARTED at once and polling reaches SUCCESS; a POST while it runs
#     gets 409 naming the running id; bad bodies get 400; without the token 401 and nothing
#     starts. A scheduled backup that fails (s3rver stopped mid-way) is FAILED with its error,
#     backup_failure_count_total goes up, /healthz turns 503, and after s3rver is back the next
#     try succeeds (healthz 200) and no manifest exists for the failed one.
#  3. /metrics passes `promtool check metrics`; backup_count_total equals the SUCCESS runs.
source "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary}"
source "$(dirname "$0")/../serve.sh"
command -v promtool >/dev/null || fail "promtool not found: scripts/install-deps.sh installs Debian's prometheus"
start=$SECONDS
rc=0; start_s3rver bkt || rc=$?
[[ $rc == 77 ]] && { echo "skip: s3rver is not installed"; exit 77; }
[[ $rc == 0 ]] || fail "s3rver did not start"
export AWS_ENDPOINT_URL="$endpoint" AWS_MAX_ATTEMPTS=2
s3_port=${endpoint##*:}
LOC=s3://bkt/svc

serve "$T/n1" --id 1 --single --raft-tick-ms 50; P1=$SERVE_PID; G1=$SERVE_GRPC
CLEANUPS+=("kill $P1 2>/dev/null; wait $P1 2>/dev/null")
serve_member "$T/n2" 127.0.0.1:0 127.0.0.1:0 --id 2 --join "$G1" --raft-tick-ms 50; P2=$SERVE_PID; G2=$SERVE_GRPC
CLEANUPS+=("kill $P2 2>/dev/null; wait $P2 2>/dev/null")
serve_member "$T/n3" 127.0.0.1:0 127.0.0.1:0 --id 3 --join "$G1" --raft-tick-ms 50; P3=$SERVE_PID; G3=$SERVE_GRPC
CLEANUPS+=("kill $P3 2>/dev/null; wait $P3 2>/dev/null")
for _ in $(seq 1 150); do
  "$METACTL" status --grpc-api-address "$G1" --json 2>/dev/null | grep -q '"voters":\[1,2,3\]' && break
  sleep 0.2
done
"$METACTL" status --grpc-api-address "$G1" --json | grep -q '"voters":\[1,2,3\]' || fail "the cluster did not reach 3 voters"
CLUSTER=(--grpc-api-address "$G1" --grpc-api-address "$G2" --grpc-api-address "$G3")
mkdir -p "$T/data"; head -c 3000000 /dev/urandom >"$T/data/blob.bin"
head -c 24 /dev/urandom | base64 >"$T/token"; chmod 600 "$T/token"
AUTH=(-H "Authorization: Bearer $(cat "$T/token")")

# start_agent NAME FLAGS...: runs the agent in the background; sets AGENT_PID and H (its API).
start_agent() {
  local name=$1; shift
  rm -f "$T/$name.addr"
  "$METACTL" agent "$LOC" "${CLUSTER[@]}" --data "$T/data" --http-address 127.0.0.1:0 \
    --address-file "$T/$name.addr" --http-token-file "$T/token" "$@" 2>"$T/$name.log" &
  AGENT_PID=$!
  CLEANUPS+=("kill $AGENT_PID 2>/dev/null; wait $AGENT_PID 2>/dev/null")
  for _ in $(seq 1 100); do [[ -s "$T/$name.addr" ]] && break; sleep 0.1; done
  [[ -s "$T/$name.addr" ]] || { cat "$T/$name.log"; fail "agent $name wrote no address file"; }
  H=http://$(sed -n 's/^http_address=//p' "$T/$name.addr")
}
metric() { curl -sf "$H/metrics" | awk -v m="$1" '$1 == m && !done { print $2; done = 1 }'; }
wait_metric_at_least() {  # wait_metric_at_least NAME N SECONDS
  local v
  for _ in $(seq 1 $(( $3 * 5 ))); do
    v=$(metric "$1"); [[ -n "$v" ]] && awk -v v="$v" -v n="$2" 'BEGIN { exit !(v >= n) }' && return 0
    sleep 0.2
  done
  fail "$1 did not reach $2 in $3 s (last: ${v:-none})"
}
stop_agent() {  # SIGTERM; expects exit 0
  kill -TERM "$AGENT_PID"; local rc=0; wait "$AGENT_PID" || rc=$?
  [[ $rc == 0 ]] || { cat "$T/$1.log"; fail "agent $1 exited $rc on SIGTERM"; }
}
ids_of() { python3 -c 'import json,sys; print(" ".join(b["id"] for b in json.load(sys.stdin)))'; }

# --- 1. scheduled backups while writes go on -------------------------------------------------
( i=1; while [[ ! -e "$T/stop-writer" ]]; do
    "$METACTL" upsert --grpc-api-address "$G1" --key "k/$i" --value "v$i" >/dev/null 2>&1 && i=$((i + 1))
  done ) &
WRITER=$!
CLEANUPS+=("touch '$T/stop-writer'; wait $WRITER 2>/dev/null")
start_agent a --interval 2s --max-backups 3
code=$(curl -s -o "$T/body" -w '%{http_code}' -X POST "$H/backups" -d '{"id":"no-token"}')
[[ $code == 401 ]] || fail "POST /backups without the token: HTTP $code"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$H/backup/list") == 401 ]] || fail "/backup/list without the token was served"
wait_metric_at_least backup_count_total 4 60
curl -sf "$H/metrics" | promtool check metrics || fail "agent /metrics: promtool check metrics"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$H/healthz") == 200 ]] || fail "/healthz after successful backups"
curl -sf "${AUTH[@]}" "$H/backups" | python3 -c '
import json, sys
runs = json.load(sys.stdin)
assert not any(r["id"] == "no-token" for r in runs), "a POST without the token started a run"
ok = [r for r in runs if r["status"] == "SUCCESS"]
assert all(r["trigger"] == "schedule" for r in runs), runs
print(len(ok))' >"$T/ok-runs" || fail "GET /backups"
touch "$T/stop-writer"; wait "$WRITER" || true
stop_agent a
ok "agent: >= 4 scheduled backups while writing; 401 without the token; promtool passes; SIGTERM exits 0"

[[ $("$METACTL" backups "$LOC" --json | ids_of | wc -w) == 3 ]] || fail "retention kept $("$METACTL" backups "$LOC" --json | ids_of) (want 3)"
"$METACTL" verify "$LOC" >/dev/null || fail "verify after the agent stopped"
[[ -z $(find "$T/s3/store/bkt" -path '*locks*' -name '*.lock*' 2>/dev/null) ]] || fail "the agent left a lock"
start_agent b --interval 0 --max-backups 3 --block-size 64KiB
curl -sf "${AUTH[@]}" "$H/backup/list" >"$T/list.json" || fail "GET /backup/list"
"$METACTL" backups "$LOC" --json >"$T/backups.json"
python3 - "$T/list.json" "$T/backups.json" <<'PY' || fail "/backup/list differs from metactl backups --json"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a == b, (a, b)
assert len(a) == 3
PY
curl -sf "${AUTH[@]}" "$H/backup/latest" | python3 -c 'import json,sys; l=json.load(sys.stdin); b=json.load(open(sys.argv[1])); assert l == b[-1], (l, b[-1])' "$T/backups.json" ||
  fail "/backup/latest is not the newest of metactl backups"
ok "retention kept exactly 3; /backup/list and /backup/latest agree with metactl backups"

for id in $("$METACTL" backups "$LOC" --json | ids_of); do
  "$METACTL" restore "$LOC" --backup "$id" --raft-dir "$T/r-$id" --confirm >/dev/null 2>&1 || fail "restore $id"
  export_of "$T/r-$id" >"$T/r-$id.jsonl"
  python3 - "$T/r-$id.jsonl" "$T/backups.json" "$id" <<'PY' || fail "backup $id is not the cluster at its recorded applied index"
import json, sys, base64
lines = [json.loads(l) for l in open(sys.argv[1])]
summary = next(b for b in json.load(open(sys.argv[2])) if b["id"] == sys.argv[3])
applied = [l[1]["StateMachineMeta"]["value"]["LogId"]["index"] for l in lines
           if "StateMachineMeta" in l[1] and l[1]["StateMachineMeta"]["key"] == "LastApplied"]
assert applied == [summary["metadata_last_applied"]], (applied, summary["metadata_last_applied"])
kv = {}
for l in lines:
    g = l[1].get("GenericKV")
    if g and g["key"].startswith("k/"):
        kv[int(g["key"][2:])] = g["value"]
n = sorted(kv)
assert n == list(range(1, len(n) + 1)), "keys are not k/1..k/m: %s" % n[:20]
seqs = [kv[i]["seq"] for i in n]
assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "seqs not in write order"
for i in n:
    data = bytes(kv[i]["data"]) if isinstance(kv[i]["data"], list) else kv[i]["data"].encode()
    assert data == ("v%d" % i).encode(), (i, kv[i])
print("backup", sys.argv[3], "applied", applied[0], "keys", len(n))
PY
done
ok "each kept backup restores to the cluster's state at its recorded applied index (keys, values, seqs)"

# --- 2. backups on request -------------------------------------------------------------------
stop_agent b
# Each block upload takes 400 ms (failpoint), and 16 MiB of new data make ~16 blocks: the
# backup runs for seconds, long enough to be asked about while it runs.
export METASRV_FAILPOINTS="backup-upload=delay(400)"
head -c $(( 16 * 1024 * 1024 )) /dev/urandom >"$T/data/new-1.bin"
start_agent c --interval 0
t0=$(date +%s%N)
curl -sf "${AUTH[@]}" -X POST "$H/backups" -d '{"id":"api-1"}' >"$T/post.json" || fail "POST /backups"
t1=$(date +%s%N)
grep -q '"status":"STARTED"' "$T/post.json" || fail "POST /backups answered $(cat "$T/post.json")"
(( (t1 - t0) / 1000000 < 1000 )) || fail "POST /backups took $(( (t1 - t0) / 1000000 )) ms: not at once"
code=$(curl -s -o "$T/409.json" -w '%{http_code}' "${AUTH[@]}" -X POST "$H/backups" -d '{"id":"api-2"}')
[[ $code == 409 ]] || fail "a POST while api-1 runs: HTTP $code $(cat "$T/409.json")"
grep -q '"running_id":"api-1"' "$T/409.json" || fail "the 409 does not name api-1: $(cat "$T/409.json")"
for body in '{"id":"bad id!"}' '{"colour":"red"}' '{"include":["a/"],"exclude":["b/"]}' 'not json'; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" -X POST "$H/backups" -d "$body")
  [[ $code == 400 || $code == 409 ]] || fail "POST $body: HTTP $code (want 400)"
done
seen=""
for _ in $(seq 1 300); do
  curl -sf "${AUTH[@]}" "$H/backups/api-1" >"$T/run.json"
  st=$(json_field "$(cat "$T/run.json")" status); seen="$seen $st"
  [[ $st == SUCCESS || $st == FAILED ]] && break
  sleep 0.1
done
[[ $st == SUCCESS ]] || fail "api-1 ended $st: $(cat "$T/run.json")"
[[ $seen == *TRANSFERRING* ]] || fail "api-1 was never seen TRANSFERRING (states:$seen)"
code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" -X POST "$H/backups" -d '{"id":"bad id!"}')
[[ $code == 400 ]] || fail "POST with a bad id: HTTP $code"
ok "POST /backups: STARTED at once, 409 naming api-1 while it runs, 400 for bad bodies, polled to SUCCESS via TRANSFERRING"

# A restore over the API: a dry run unless confirm.
curl -sf "${AUTH[@]}" -X POST "$H/backups/latest/restore" -d "{\"raft_dir\":\"$T/api-r\",\"data_to\":\"$T/api-d\"}" >/dev/null ||
  fail "POST restore (dry run)"
for _ in $(seq 1 100); do
  st=$(json_field "$(curl -sf "${AUTH[@]}" "$H/backups/latest/restore")" status)
  [[ $st == SUCCESS || $st == FAILED ]] && break; sleep 0.1
done
[[ $st == SUCCESS && ! -e "$T/api-r" && ! -e "$T/api-d" ]] || fail "the dry-run restore ($st) wrote its targets"
curl -sf "${AUTH[@]}" -X POST "$H/backups/latest/restore" -d "{\"raft_dir\":\"$T/api-r\",\"data_to\":\"$T/api-d\",\"confirm\":true}" >/dev/null ||
  fail "POST restore"
for _ in $(seq 1 300); do
  curl -sf "${AUTH[@]}" "$H/backups/latest/restore" >"$T/restore.json"
  st=$(json_field "$(cat "$T/restore.json")" status)
  [[ $st == SUCCESS || $st == FAILED ]] && break; sleep 0.1
done
[[ $st == SUCCESS ]] || fail "restore over the API: $(cat "$T/restore.json")"
diff <(tree_listing "$T/data") <(tree_listing "$T/api-d") || fail "the API restore's data differs"
ok "POST /backups/latest/restore: a dry run writes nothing; with confirm the data restores identical"
stop_agent c

# A scheduled backup that fails: s3rver stops while it uploads.
n_before=$("$METACTL" backups "$LOC" --json | ids_of | wc -w)
head -c $(( 16 * 1024 * 1024 )) /dev/urandom >"$T/data/new-2.bin"
start_agent d --interval 2s
running() { [[ $(metric backup_running) == 1 ]]; }
for _ in $(seq 1 100); do running && break; sleep 0.05; done
running || fail "the first scheduled backup did not start"
sleep 1
bash "$S3_HELPER" stop "$T/s3"
wait_metric_at_least backup_failure_count_total 1 60
code=$(curl -s -o "$T/health.json" -w '%{http_code}' "$H/healthz")
[[ $code == 503 ]] || fail "/healthz after a failed scheduled backup: HTTP $code $(cat "$T/health.json")"
curl -sf "${AUTH[@]}" "$H/backups" | python3 -c '
import json, sys
runs = json.load(sys.stdin)
failed = [r for r in runs if r["status"] == "FAILED"]
assert failed and all(r["error"] for r in failed), runs
print(failed[0]["error"])' || fail "no FAILED run with its error"
bash "$S3_HELPER" start "$T/s3" bkt "$s3_port" >/dev/null || fail "s3rver did not come back on port $s3_port"
wait_metric_at_least backup_count_total 1 60
[[ $(curl -s -o /dev/null -w '%{http_code}' "$H/healthz") == 200 ]] || fail "/healthz after the retry succeeded"
stop_agent d
n_after=$("$METACTL" backups "$LOC" --json | ids_of | wc -w)
ok_d=$(grep -c "metactl agent: backup .* done:" "$T/d.log" || true)
[[ $n_after == $(( n_before + ok_d )) ]] || fail "$n_after manifests after $ok_d successful backups on top of $n_before: the failed one left one?"
"$METACTL" verify "$LOC" >/dev/null || fail "verify after the outage"
ok "a scheduled backup failing mid-way (s3rver stopped): FAILED with its error, failure count up, healthz 503; after s3rver is back the next try succeeds; no manifest for the failed one"
# --config: the settings of the flags in a TOML file; mistakes stop the agent at start.
printf 'location = "%s"\ninterval = "soon"\n' "$T/cfg-repo" >"$T/bad-value.toml"
printf 'location = "%s"\ncolour = "red"\n' "$T/cfg-repo" >"$T/bad-key.toml"
rc=0; "$METACTL" agent --config "$T/bad-value.toml" --data "$T/data" 2>"$T/cfg.err" || rc=$?
[[ $rc == 2 ]] && grep -q -- "--interval soon" "$T/cfg.err" || { cat "$T/cfg.err"; fail "a bad interval in the file: exit $rc"; }
rc=0; "$METACTL" agent --config "$T/bad-key.toml" --data "$T/data" 2>"$T/cfg.err" || rc=$?
[[ $rc == 2 ]] && grep -q "$T/bad-key.toml: unknown setting \"colour\"" "$T/cfg.err" || { cat "$T/cfg.err"; fail "an unknown key: exit $rc"; }
printf 'location = "%s"\ninterval = "1s"\nhttp_address = "127.0.0.1:0"\naddress_file = "%s"\nmax_backups = 1\n' \
  "$T/cfg-repo" "$T/cfg.addr" >"$T/agent.toml"
"$METACTL" agent --config "$T/agent.toml" --data "$T/data" 2>"$T/cfg.log" &
CFG_PID=$!
for _ in $(seq 1 100); do [[ -s "$T/cfg.addr" ]] && break; sleep 0.1; done
H=http://$(sed -n 's/^http_address=//p' "$T/cfg.addr")
wait_metric_at_least backup_count_total 2 30
kill -TERM "$CFG_PID"; wait "$CFG_PID" || fail "the configured agent did not exit 0"
[[ $(ls "$T/cfg-repo/manifests" | wc -l) == 1 ]] || fail "max_backups = 1 from the file was not applied"
ok "--config: the file's settings apply (location, interval, HTTP, retention); a bad value or key stops the agent naming it"
# TLS on the HTTP API: HTTPS with the agent's certificate; a client certificate is required.
C=$T/certs
bash "$(dirname "$0")/../../tls/make_certs.sh" "$C" >/dev/null
rm -f "$T/tls.addr"
"$METACTL" agent "$T/tls-repo" --data "$T/data" --interval 0 --http-address 127.0.0.1:0 --address-file "$T/tls.addr" \
  --http-cert-file "$C/n1.pem" --http-key-file "$C/n1.key" --http-trusted-ca-file "$C/ca.pem" --http-client-cert-auth \
  2>"$T/tls.log" &
TLS_PID=$!
CLEANUPS+=("kill $TLS_PID 2>/dev/null; wait $TLS_PID 2>/dev/null")
for _ in $(seq 1 100); do [[ -s "$T/tls.addr" ]] && break; sleep 0.1; done
HT=$(sed -n 's/^http_address=//p' "$T/tls.addr")
curl -sf --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" "https://$HT/healthz" >/dev/null ||
  { cat "$T/tls.log"; fail "HTTPS /healthz with a client certificate"; }
curl -sf --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key" "https://$HT/metrics" | promtool check metrics ||
  fail "/metrics over HTTPS"
if curl -sf --cacert "$C/ca.pem" "https://$HT/healthz" >/dev/null 2>&1; then fail "HTTPS without a client certificate was let in"; fi
TLS_CURL=(curl -s --cacert "$C/ca.pem" --cert "$C/client.pem" --key "$C/client.key")
[[ $("${TLS_CURL[@]}" "https://$HT/backup/list") == "[]" ]] || fail "/backup/list of a location with no backup yet is not []"
[[ $("${TLS_CURL[@]}" -o /dev/null -w '%{http_code}' "https://$HT/backup/latest") == 404 ]] || fail "/backup/latest with no backup is not 404"
[[ ! -e "$T/tls-repo" ]] || fail "listing a location created it"
if curl -sf "http://$HT/healthz" >/dev/null 2>&1; then fail "plain HTTP answered on the TLS API"; fi
kill -TERM "$TLS_PID"; wait "$TLS_PID" || fail "the TLS agent did not exit 0"
ok "--http-cert-file ... --http-client-cert-auth: the API is HTTPS and wants a client certificate; a location with no backup lists [] and is not created by listing"
echo "agent_service: all checks passed in $(( SECONDS - start )) s"
