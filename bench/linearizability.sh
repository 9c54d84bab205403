#!/usr/bin/env bash
# The linearizability workload of tests/linearizability/cluster_history_test.cc (a 3-node
# cluster under kill -9, SIGSTOP, partitions, leader transfers and a member removed and added
# back with an empty dir; docs/testing.md) for longer than CI's 30 s: default 300 s per round,
# ROUNDS rounds (default 1), each with a new cluster.
# Prints per round the operations checked and the verdict; a failing history is saved as JSON
# in the current directory (the path is printed).
#   bench/linearizability.sh [SECONDS]   (build first; run under the machine lock when shared)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
SECONDS_PER_ROUND=${1:-300}
ROUNDS=${ROUNDS:-1}
BIN="$B/tests/linearizability/linearizability_cluster_tests"
[[ -x "$BIN" ]] || { echo "build first: $BIN is missing (bash scripts/build.sh)" >&2; exit 2; }
failed=0
for ((r = 1; r <= ROUNDS; r++)); do
  echo "round $r: ${SECONDS_PER_ROUND} s"
  rc=0
  out=$(LIN_SECONDS=$SECONDS_PER_ROUND "$BIN" 2>&1) || rc=$?
  grep -E "operations|Failure|not linearizable|saved to|OK \]|FAILED \]" <<<"$out" || true
  [[ $rc -eq 0 ]] || failed=$((failed + 1))
done
echo "$ROUNDS round(s), $failed failed"
[[ $failed -eq 0 ]]
