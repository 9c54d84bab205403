#!/usr/bin/env bash
# etcd 3.4 and metasrv side by side, one client program for both (../shared/bench/write-bench.js:
# C concurrent loops of single-key puts, 100-byte values, unique keys): 1 node and a 3-node
# cluster (127.0.0.1, free ports, data in a temp dir), 1/16/64/256 clients, writes sent to the
# leader. Prints writes/s and p50/p99 latency of each and the throughput ratio metasrv/etcd.
# Figures only, never pass/fail. Run it alone on the machine (other load makes it noise).
#   bench/write_bench.sh [SECONDS]     (default 10 per row; build first: scripts/build.sh)
# Env: WRITE_BENCH_CLIENTS (default "1 16 64 256"), WRITE_BENCH_NODES (default "1 3"),
#   WRITE_BENCH_ROUNDS (default 3). On a small shared machine one run of a row moves by a
#   third between runs, so the servers are measured in rounds, alternating which goes first;
#   the table shows the medians, the ratio of the medians, and the lowest and highest ratio of
#   a single round.
# Installs its dependencies with scripts/install-bench-deps.sh (etcd-server, the npm clients).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CLIENTS=${WRITE_BENCH_CLIENTS:-1 16 64 256}
NODES=${WRITE_BENCH_NODES:-1 3}
ROUNDS=${WRITE_BENCH_ROUNDS:-3}
bash scripts/install-bench-deps.sh
source bench/lib.sh
bench_init write
export NODE_PATH=$PWD/bench/node/node_modules
CLIENT=$(cd ../shared/bench 2>/dev/null && pwd)/write-bench.js
[ -f "$CLIENT" ] || { echo "write_bench: ../shared/bench/write-bench.js not found (the shared client of the side-by-side benchmarks)" >&2; exit 2; }

# run SERVER NODES ROUND: starts that server, runs every client count against its leader, stops it.
run() {
  local server=$1 nodes=$2 round=$3 c
  if [ "$nodes" = 1 ]; then "${server}_single" "$W/$server-$nodes"; else "${server}_cluster3" "$W/$server-$nodes"; fi
  for c in $CLIENTS; do
    printf '%s %s %s ' "$round" "$server" "$nodes" >>"$W/results"
    node "$CLIENT" "$server" "$ADDR" "$c" "$DURATION" proto/meta.proto 2>>"$W/client.log" >>"$W/results"
  done
  stop_all
  rm -rf "${W:?}/$server-$nodes"
}

for round in $(seq 1 "$ROUNDS"); do
  for n in $NODES; do
    if (( round % 2 )); then order="etcd metasrv"; else order="metasrv etcd"; fi
    for server in $order; do run "$server" "$n" "$round"; done
  done
  echo "write_bench: round $round of $ROUNDS done" >&2
done

python3 - "$W/results" "$ROUNDS" <<'PY'
import json, statistics, sys
runs = {}  # (nodes, clients) -> server -> round -> result
for line in open(sys.argv[1]):
    rnd, server, nodes, js = line.split(" ", 3)
    r = json.loads(js)
    runs.setdefault((int(nodes), r["clients"]), {}).setdefault(server, {})[int(rnd)] = r
print("medians of %s rounds" % sys.argv[2])
print("| nodes | clients | etcd writes/s | p50 ms | p99 ms | metasrv writes/s | p50 ms | p99 ms | ratio | ratio range |")
print("|---|---|---|---|---|---|---|---|---|---|")
for (nodes, clients), s in sorted(runs.items()):
    med = {}
    for server, by_round in s.items():
        med[server] = {k: statistics.median(r[k] for r in by_round.values()) for k in ("per_s", "p50_ms", "p99_ms")}
    e, m = med.get("etcd", {}), med.get("metasrv", {})
    ratio = "%.2fx" % (m["per_s"] / e["per_s"]) if e.get("per_s") and m.get("per_s") else "-"
    per_round = [s["metasrv"][k]["per_s"] / s["etcd"][k]["per_s"]
                 for k in s.get("metasrv", {}) if k in s.get("etcd", {}) and s["etcd"][k]["per_s"]]
    spread = "%.2f-%.2fx" % (min(per_round), max(per_round)) if per_round else "-"
    cell = lambda r: "%s | %s | %s" % tuple(("%g" % r[k]) if k in r else "-" for k in ("per_s", "p50_ms", "p99_ms"))
    errs = sum(r.get("errors", 0) for by_round in s.values() for r in by_round.values())
    print("| %d | %d | %s | %s | %s | %s |%s" % (nodes, clients, cell(e), cell(m), ratio, spread,
                                                " (%d errors)" % errs if errs else ""))
PY
