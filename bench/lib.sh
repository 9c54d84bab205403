# Shared pieces of the bench/*.sh scripts (source it after `cd` to the repo root):
# a work dir removed at exit, processes killed by pid at exit, free ports, and starting metasrv
# (one node, or a 3-node cluster seeded by `metactl import --initial-cluster`) and etcd (one
# node or three) on 127.0.0.1. Figures only: nothing here passes or fails on time.
#   bench_init NAME        sets W (the work dir) and the exit trap
#   port                   prints a free TCP port on 127.0.0.1
#   metasrv_single DIR     starts `metasrv --single` on port 0; sets ADDR to its leader's client address
#   metasrv_cluster3 DIR   starts 3 seeded nodes; sets ADDR to the leader's client address
#   etcd_single DIR / etcd_cluster3 DIR   the same for etcd (ADDR: the leader's client URL's host:port)
#   stop_all               kills what was started so far (by pid) and waits for it
B=${BUILD_DIR:-build}
PIDS=()

bench_init() {
  W=$(mktemp -d "${TMPDIR:-/tmp}/bench-$1.XXXXXX")
  trap 'stop_all; rm -rf "$W"' EXIT
}

stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  PIDS=()
}

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# metasrv_leader ADDR...: prints the first address whose node says it is the leader; waits up
# to 20 s (an election takes about a second; the bound is for a loaded machine).
metasrv_leader() {
  local a
  for _ in $(seq 1 100); do
    for a in "$@"; do
      "$B/metactl/metactl" status --grpc-api-address "$a" 2>/dev/null | grep -Eq "^role: +leader$" && {
        echo "$a"
        return 0
      }
    done
    sleep 0.2
  done
  echo "no metasrv leader among $*" >&2
  return 1
}

metasrv_single() {
  local dir=$1
  mkdir -p "$dir"
  "$B/raftstore/server/metasrv" --single --raft-dir "$dir/data" --grpc-api-address 127.0.0.1:0 \
    --raft-address 127.0.0.1:0 --address-file "$dir/addr" >/dev/null 2>"$dir/log" &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$dir/addr" ] && break; sleep 0.2; done
  [ -s "$dir/addr" ] || { echo "metasrv did not start: $(cat "$dir/log")" >&2; return 1; }
  ADDR=$(metasrv_leader "$(sed -n 's/^grpc_api_address=//p' "$dir/addr")")
}

metasrv_cluster3() {
  local dir=$1 n peers=() addrs=()
  local -A g r
  mkdir -p "$dir"
  for n in 1 2 3; do
    g[$n]=$(port); r[$n]=$(port)
    peers+=("$n=127.0.0.1:${r[$n]},127.0.0.1:${g[$n]}")
    addrs+=("127.0.0.1:${g[$n]}")
  done
  "$B/bench/gen_keys" --keys 1000 >"$dir/seed.jsonl"
  for n in 1 2 3; do
    "$B/metactl/metactl" import --raft-dir "$dir/n$n" --db "$dir/seed.jsonl" --id "$n" \
      --initial-cluster "${peers[@]}" 2>/dev/null
    "$B/raftstore/server/metasrv" --id "$n" --raft-dir "$dir/n$n" --grpc-api-address "127.0.0.1:${g[$n]}" \
      --raft-address "127.0.0.1:${r[$n]}" >/dev/null 2>"$dir/n$n.log" &
    PIDS+=($!)
  done
  ADDR=$(metasrv_leader "${addrs[@]}") || { tail "$dir"/n*.log >&2; return 1; }
}

# etcd_leader HOST:PORT...: prints the one whose member id is the leader's; waits up to 20 s.
etcd_leader() {
  local eps
  eps=$(IFS=,; echo "$*")
  for _ in $(seq 1 100); do
    if etcdctl --endpoints "$eps" endpoint status -w json 2>/dev/null | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    st = s["Status"]
    if st.get("leader") and st["header"]["member_id"] == st["leader"]:
        print(s["Endpoint"].split("//")[-1]); sys.exit(0)
sys.exit(1)'; then
      return 0
    fi
    sleep 0.2
  done
  echo "no etcd leader among $*" >&2
  return 1
}

# etcd_start DIR COUNT: COUNT members (1 or 3) on free ports, data in DIR.
etcd_start() {
  local dir=$1 count=$2 n cluster="" clients=()
  local -A c p
  mkdir -p "$dir"
  for n in $(seq 1 "$count"); do
    c[$n]=$(port); p[$n]=$(port)
    cluster+="${cluster:+,}e$n=http://127.0.0.1:${p[$n]}"
    clients+=("127.0.0.1:${c[$n]}")
  done
  for n in $(seq 1 "$count"); do
    etcd --name "e$n" --data-dir "$dir/e$n" \
      --listen-client-urls "http://127.0.0.1:${c[$n]}" --advertise-client-urls "http://127.0.0.1:${c[$n]}" \
      --listen-peer-urls "http://127.0.0.1:${p[$n]}" --initial-advertise-peer-urls "http://127.0.0.1:${p[$n]}" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "bench-$$" \
      >"$dir/e$n.log" 2>&1 &
    PIDS+=($!)
  done
  ADDR=$(etcd_leader "${clients[@]}") || { tail "$dir"/e*.log >&2; return 1; }
}
etcd_single() { etcd_start "$1" 1; }
etcd_cluster3() { etcd_start "$1" 3; }
