#!/usr/bin/env bash
# etcd 3.4 and metasrv side by side, one client program for both (../shared/bench/write-bench.js:
# C concurrent loops of single-key puts, 100-byte values, unique keys): 1 node and a 3-node
# cluster (127.0.0.1, free ports, data in a temp dir), 1/16/64/256 clients, writes sent to the
# leader. Prints writes/s and p50/p99 latency of each and the throughput ratio metasrv/etcd.
# Figures only, never pass/fail. Run it alone on the machine (other load makes it noise).
#   bench/write_bench.sh [SECONDS]     (default 10 per row; build first: scripts/build.sh)
# Env: WRITE_BENCH_CLIENTS (default "1 16 64 256"), WRITE_BENCH_NODES (default "1 3").
# Installs its dependencies with scripts/install-bench-deps.sh (etcd-server, the npm clients).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CLIENTS=${WRITE_BENCH_CLIENTS:-1 16 64 256}
NODES=${WRITE_BENCH_NODES:-1 3}
bash scripts/install-bench-deps.sh
source bench/lib.sh
bench_init write
export NODE_PATH=$PWD/bench/node/node_modules
CLIENT=$(cd ../shared/bench 2>/dev/null && pwd)/write-bench.js
[ -f "$CLIENT" ] || { echo "write_bench: ../shared/bench/write-bench.js not found (the shared client of the side-by-side benchmarks)" >&2; exit 2; }

# run SERVER NODES: starts that server, runs every client count against its leader, stops it.
run() {
  local server=$1 nodes=$2 c
  if [ "$nodes" = 1 ]; then "${server}_single" "$W/$server-$nodes"; else "${server}_cluster3" "$W/$server-$nodes"; fi
  for c in $CLIENTS; do
    printf '%s %s ' "$server" "$nodes" >>"$W/results"
    node "$CLIENT" "$server" "$ADDR" "$c" "$DURATION" proto/meta.proto 2>>"$W/client.log" >>"$W/results"
  done
  stop_all
  rm -rf "${W:?}/$server-$nodes"
}

for n in $NODES; do
  run etcd "$n"
  run metasrv "$n"
done

python3 - "$W/results" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    server, nodes, js = line.split(" ", 2)
    r = json.loads(js)
    rows.setdefault((int(nodes), r["clients"]), {})[server] = r
print("| nodes | clients | etcd writes/s | p50 ms | p99 ms | metasrv writes/s | p50 ms | p99 ms | ratio |")
print("|---|---|---|---|---|---|---|---|---|")
for (nodes, clients), s in sorted(rows.items()):
    e, m = s.get("etcd", {}), s.get("metasrv", {})
    ratio = "%.2fx" % (m["per_s"] / e["per_s"]) if e.get("per_s") and m.get("per_s") else "-"
    cell = lambda r: "%s | %s | %s" % (r.get("per_s", "-"), r.get("p50_ms", "-"), r.get("p99_ms", "-"))
    errs = sum(r.get("errors", 0) for r in s.values())
    print("| %d | %d | %s | %s | %s |%s" % (nodes, clients, cell(e), cell(m), ratio,
                                           " (%d errors)" % errs if errs else ""))
PY
