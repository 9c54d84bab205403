#!/usr/bin/env bash
# The cost of TLS (issue 10, docs/security.md): 1-node and 3-node write throughput (write_load,
# C concurrent clients of single-key Upserts to the leader) and the time of a live export
# (metactl export --grpc-api-address) of the same data, with TLS off and on (client TLS with
# --client-cert-auth, mutual peer TLS; certificates of tests/tls/make_certs.sh), side by side.
# Figures only, never pass/fail. Run it alone on the machine.
#   bench/tls_bench.sh [OPS] [CLIENTS]    (defaults 20000 writes, 16 clients; build first)
set -euo pipefail
cd "$(dirname "$0")/.."
OPS=${1:-20000}
CLIENTS=${2:-16}
source bench/lib.sh
bench_init tls
METASRV=$B/raftstore/server/metasrv
METACTL=$B/metactl/metactl
bash tests/tls/make_certs.sh "$W/certs"
C=$W/certs

# start_cluster DIR NODES TLS(0|1): NODES seeded nodes (1 or 3); sets ADDR to the leader.
start_cluster() {
  local dir=$1 nodes=$2 tls=$3 n peers=() addrs=() flags
  local -A g r
  mkdir -p "$dir"
  for n in $(seq 1 "$nodes"); do
    g[$n]=$(port); r[$n]=$(port)
    peers+=("$n=127.0.0.1:${r[$n]},127.0.0.1:${g[$n]}")
    addrs+=("127.0.0.1:${g[$n]}")
  done
  "$B/bench/gen_keys" --keys 20000 >"$dir/seed.jsonl"
  for n in $(seq 1 "$nodes"); do
    flags=()
    [ "$tls" = 1 ] && flags=(--cert-file "$C/n$n.pem" --key-file "$C/n$n.key" --trusted-ca-file "$C/ca.pem" --client-cert-auth
                             --peer-cert-file "$C/n$n.pem" --peer-key-file "$C/n$n.key" --peer-trusted-ca-file "$C/ca.pem")
    "$METACTL" import --raft-dir "$dir/n$n" --db "$dir/seed.jsonl" --id "$n" --initial-cluster "${peers[@]}" 2>/dev/null
    "$METASRV" --id "$n" --raft-dir "$dir/n$n" --grpc-api-address "127.0.0.1:${g[$n]}" \
      --raft-address "127.0.0.1:${r[$n]}" "${flags[@]}" >/dev/null 2>"$dir/n$n.log" &
    PIDS+=($!)
  done
  ADDR=$(metasrv_leader "${addrs[@]}") || { tail "$dir"/n*.log >&2; return 1; }
}

for tls in 0 1; do
  if [ "$tls" = 1 ]; then
    export METACTL_CACERT=$C/ca.pem METACTL_CERT=$C/client.pem METACTL_KEY=$C/client.key
    TLSARGS=(--cacert "$C/ca.pem" --cert "$C/client.pem" --key-file "$C/client.key")
  else
    unset METACTL_CACERT METACTL_CERT METACTL_KEY
    TLSARGS=()
  fi
  for nodes in 1 3; do
    start_cluster "$W/c$tls-$nodes" "$nodes" "$tls"
    w=$("$B/bench/write_load" --addr "$ADDR" --clients "$CLIENTS" --ops "$OPS" "${TLSARGS[@]}" |
        sed -n 's/.* \([0-9]*\) writes\/s.*/\1/p')
    t0=$(date +%s.%N)
    "$METACTL" export --grpc-api-address "$ADDR" --db "$W/export.jsonl" 2>/dev/null
    t1=$(date +%s.%N)
    echo "$tls $nodes $w $(python3 -c "print('%.2f' % ($t1 - $t0))") $(wc -l <"$W/export.jsonl")" >>"$W/results"
    stop_all
    rm -rf "${W:?}/c$tls-$nodes" "$W/export.jsonl"
  done
done

python3 - "$W/results" "$OPS" "$CLIENTS" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    tls, nodes, w, secs, lines = line.split()
    rows.setdefault(int(nodes), {})[int(tls)] = (int(w), float(secs), int(lines))
print("%s writes, %s clients; live export of ~%s lines" % (sys.argv[2], sys.argv[3], rows[1][0][2]))
print("| nodes | writes/s TLS off | writes/s TLS on | on/off | export s TLS off | export s TLS on | on/off |")
print("|---|---|---|---|---|---|---|")
for nodes in sorted(rows):
    off, on = rows[nodes][0], rows[nodes][1]
    print("| %d | %d | %d | %.2f | %.2f | %.2f | %.2f |" % (nodes, off[0], on[0], on[0] / off[0], off[1], on[1],
                                                           on[1] / off[1] if off[1] else 0))
PY
