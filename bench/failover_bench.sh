#!/usr/bin/env bash
# Failover, side by side (issue 12): a 3-node metasrv cluster and a 3-member etcd 3.4 cluster,
# each with its leader killed (kill -9) ROUNDS times (default 5; the killed node is restarted
# and the cluster settles between rounds). For each kill it measures, from the kill:
#   leader - a surviving node reports a new leader (a later term), polled every ~20 ms;
#   read   - the first successful linearizable read of a key through the survivors;
#   write  - the first successful write through the survivors;
# where read and write are client commands started at the kill and repeated until one succeeds
# (metactl get/upsert --timeout 5 with both survivors' addresses; etcdctl get/put with both
# survivors' endpoints), so each figure includes the client process start (a few ms, alike for
# both). Prints the median of each, and metasrv/etcd (below 1: metasrv is faster). Figures
# only, never pass/fail. Each system keeps its default timing: metasrv ticks every 100 ms with
# an election timeout of 6-12 ticks (0.6-1.2 s); etcd heartbeats every 100 ms with a 1 s
# election timeout (randomized up to 2 s).
#   bench/failover_bench.sh [ROUNDS]   (build first; etcd from scripts/install-bench-deps.sh;
#                                       run under the machine lock on a shared machine)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
ROUNDS=${1:-5}
command -v etcd >/dev/null && command -v etcdctl >/dev/null || bash scripts/install-bench-deps.sh
export ETCDCTL_API=3
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-failover.XXXXXX")
declare -A PID
cleanup() {
  for p in "${PID[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
METACTL="$B/metactl/metactl"

# ---- metasrv ------------------------------------------------------------------------------
declare -A G R
PEERS=()
for n in 1 2 3; do G[$n]=$(port); R[$n]=$(port); PEERS+=("$n=127.0.0.1:${R[$n]},127.0.0.1:${G[$n]}"); done
ms_start() {
  "$B/raftstore/server/metasrv" --id "$1" --raft-dir "$W/m$1" --grpc-api-address "127.0.0.1:${G[$1]}" \
    --raft-address "127.0.0.1:${R[$1]}" >/dev/null 2>>"$W/m$1.log" &
  PID[m$1]=$!
}
# "ROLE LEADER_ID TERM" of node $1 (nothing when it does not answer).
ms_status() {
  "$METACTL" status --timeout 1 --grpc-api-address "127.0.0.1:${G[$1]}" 2>/dev/null |
    awk '$1 == "role:" {r = $2} $1 == "leader_id:" {l = $2} $1 == "term:" {t = $2} END {if (r != "") print r, l, t}' || true
}
ms_addrs() { local a=""; for n in "$@"; do a+=" --grpc-api-address 127.0.0.1:${G[$n]}"; done; echo "$a"; }
ms_read() { shift; "$METACTL" get --timeout 5 $(ms_addrs "$@") --key bench/k >/dev/null 2>&1; }
ms_write() { local r=$1; shift; "$METACTL" upsert --timeout 5 $(ms_addrs "$@") --key "failover/$r" --value x >/dev/null 2>&1; }

# ---- etcd ---------------------------------------------------------------------------------
declare -A EC EP
IC=""
for n in 1 2 3; do EC[$n]=$(port); EP[$n]=$(port); IC+="${IC:+,}e$n=http://127.0.0.1:${EP[$n]}"; done
et_start() {
  etcd --name "e$1" --data-dir "$W/e$1" --listen-client-urls "http://127.0.0.1:${EC[$1]}" \
    --advertise-client-urls "http://127.0.0.1:${EC[$1]}" --listen-peer-urls "http://127.0.0.1:${EP[$1]}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${EP[$1]}" --initial-cluster "$IC" \
    --initial-cluster-state new --initial-cluster-token bench-failover 2>>"$W/e$1.log" &
  PID[e$1]=$!
}
# "ROLE LEADER_ID TERM" of member $1, as ms_status.
et_status() {
  etcdctl --endpoints "127.0.0.1:${EC[$1]}" --command-timeout 1s endpoint status -w json 2>/dev/null |
    python3 -c 'import json,sys
s=json.load(sys.stdin)[0]["Status"]; h=s["header"]
print("leader" if s["leader"] == h["member_id"] else "follower", s["leader"], h["raft_term"])' 2>/dev/null || true
}
et_eps() { local a=""; for n in "$@"; do a+="${a:+,}127.0.0.1:${EC[$n]}"; done; echo "$a"; }
et_read() { shift; etcdctl --endpoints "$(et_eps "$@")" --command-timeout 5s get bench/k >/dev/null 2>&1; }
et_write() { local r=$1; shift; etcdctl --endpoints "$(et_eps "$@")" --command-timeout 5s put "failover/$r" x >/dev/null 2>&1; }

# ---- one system's rounds ------------------------------------------------------------------
# The node that leads (its number) once all three agree on one leader; waits up to 30 s.
settled_leader() {
  local sys=$1 leader
  for _ in $(seq 1 150); do
    leader=""
    local agree=1 ids=""
    for n in 1 2 3; do
      read -r role lid term <<<"$("${sys}_status" "$n")"
      [ -n "${lid:-}" ] && [ "$lid" != 0 ] || { agree=0; break; }
      ids+=" $lid"
      [ "$role" = leader ] && leader=$n
    done
    if [ "$agree" = 1 ] && [ -n "$leader" ] && [ "$(tr ' ' '\n' <<<"$ids" | sort -u | grep -c .)" = 1 ]; then
      echo "$leader"; return 0
    fi
    sleep 0.2
  done
  echo "$sys: no settled leader in 30 s" >&2; return 1
}

# Repeats "$@" until it succeeds (at most 30 s), then writes the ms since $T0 to $OUT.
first_ok() {
  local out=$1; shift
  local until=$(($(now_ms) + 30000))
  until "$@"; do
    [ "$(now_ms)" -lt "$until" ] || { echo never >"$out"; return 0; }
    sleep 0.02
  done
  echo $(($(now_ms) - T0)) >"$out"
}

new_leader_of() {  # survivors... ; succeeds once one reports itself leader at a term > OLD_TERM
  local sys=$1; shift
  for n in "$@"; do
    read -r role lid term <<<"$("${sys}_status" "$n")"
    [ "${role:-}" = leader ] && [ "${term:-0}" -gt "$OLD_TERM" ] && return 0
  done
  return 1
}

run_rounds() {
  local sys=$1
  for n in 1 2 3; do "${sys}_start" "$n"; done
  local leader
  leader=$(settled_leader "$sys")
  # The key the reads ask for.
  if [ "$sys" = ms ]; then "$METACTL" upsert --grpc-api-address "127.0.0.1:${G[$leader]}" --key bench/k --value v >/dev/null
  else etcdctl --endpoints "127.0.0.1:${EC[$leader]}" put bench/k v >/dev/null; fi
  for r in $(seq 1 "$ROUNDS"); do
    leader=$(settled_leader "$sys")
    read -r _ _ OLD_TERM <<<"$("${sys}_status" "$leader")"
    local survivors=()
    for n in 1 2 3; do [ "$n" = "$leader" ] || survivors+=("$n"); done
    kill -9 "${PID[${sys:0:1}$leader]}" 2>/dev/null || true
    wait "${PID[${sys:0:1}$leader]}" 2>/dev/null || true
    T0=$(now_ms)
    first_ok "$W/leader" new_leader_of "$sys" "${survivors[@]}" &
    local p1=$!
    first_ok "$W/read" "${sys}_read" "$r" "${survivors[@]}" &
    local p2=$!
    first_ok "$W/write" "${sys}_write" "$r" "${survivors[@]}" &
    local p3=$!
    wait "$p1" "$p2" "$p3"
    echo "$sys round $r: killed node $leader (term $OLD_TERM): new leader $(cat "$W/leader") ms," \
         "first read $(cat "$W/read") ms, first write $(cat "$W/write") ms" >&2
    echo "$sys $(cat "$W/leader") $(cat "$W/read") $(cat "$W/write")" >>"$W/results"
    "${sys}_start" "$leader"
  done
  settled_leader "$sys" >/dev/null
  for n in 1 2 3; do kill -9 "${PID[${sys:0:1}$n]}" 2>/dev/null || true; wait "${PID[${sys:0:1}$n]}" 2>/dev/null || true; done
}

"$B/bench/gen_keys" --keys 100 >"$W/seed.jsonl"
for n in 1 2 3; do
  "$METACTL" import --raft-dir "$W/m$n" --db "$W/seed.jsonl" --id "$n" --initial-cluster "${PEERS[@]}" 2>/dev/null
done
echo "== metasrv: 3 nodes, $ROUNDS kills of the leader" >&2
run_rounds ms
echo "== etcd $(etcd --version | awk '/etcd Version/ {print $3}'): 3 members, $ROUNDS kills of the leader" >&2
run_rounds et

python3 - "$W/results" "$ROUNDS" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def med(sys_, col):
    v = [int(r[col]) for r in rows if r[0] == sys_ and r[col] != "never"]
    missing = sum(1 for r in rows if r[0] == sys_ and r[col] == "never")
    return (statistics.median(v) if v else None), missing
print(f"failover after kill -9 of the leader, median of {sys.argv[2]} kills (ms from the kill)")
print(f"{'':28}{'etcd':>10}{'metasrv':>10}{'metasrv/etcd':>14}")
for col, name in ((1, "new leader"), (2, "first successful read"), (3, "first successful write")):
    e, em = med("et", col)
    m, mm = med("ms", col)
    ratio = f"{m / e:.2f}x" if e and m is not None else "-"
    note = f"  ({em} etcd, {mm} metasrv rounds never succeeded)" if em or mm else ""
    print(f"{name:28}{e if e is not None else '-':>10}{m if m is not None else '-':>10}{ratio:>14}{note}")
EOF
