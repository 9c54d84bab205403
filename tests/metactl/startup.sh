#!/usr/bin/env bash
# Starting both binaries (issue 13 points 1 and 5, issue 17 point 3), each case with the exact
# command an operator types:
#  - --log-level: any case, "warning" for warn; a bad level is a usage error (exit 2) listing
#    the valid ones, on both binaries; an error that ends a run is printed at any level.
#  - --version (version, git commit, build type) and --help showing defaults.
#  - metasrv on port 0: it reports the ports it got (stdout line, --address-file) and records
#    and advertises them; port 0 is refused on a dir that already holds a node.
#  - a port in use: one line naming the address and flag, exit 3, no raft dir left behind.
#  - --join on a dir that holds a cluster: refused (exit 1) saying what to do, dir unchanged.
. "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/serve.sh"

LEVELS='expected one of trace, debug, info, warn, error \(any case; warning is warn\)'

# --- log levels --------------------------------------------------------------------------------
for level in verbose off fatal ''; do
  # Bounded: a metasrv that took the level would start and serve (exit 124 then).
  expect_fail 2 "^--log-level: unknown log level \"$level\": $LEVELS\$" \
    timeout 30 "$METASRV" --log-level "$level" --single --raft-dir "$WORK/lvl" --grpc-api-address 127.0.0.1:0 \
    --raft-address 127.0.0.1:0
  [ ! -e "$WORK/lvl" ] || fail "metasrv --log-level $level created the raft dir"
  expect_fail 2 "^--log-level: unknown log level \"$level\": $LEVELS\$" \
    "$METACTL" --log-level "$level" export --raft-dir "$WORK/lvl"
done
pass "--log-level verbose/off/fatal/'': exit 2 listing the valid levels, on metasrv and metactl"
# Accepted in any case; the error that ends the run is shown at every accepted level.
for level in INFO Error warning DEBUG Trace; do
  expect_fail 1 "raft dir $WORK/empty is empty: start with --single" \
    "$METASRV" --log-level "$level" --raft-dir "$WORK/empty" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0
  expect_fail 1 "$WORK/missing" "$METACTL" --log-level "$level" export --raft-dir "$WORK/missing"
done
pass "--log-level INFO/Error/warning/DEBUG/Trace accepted; the fatal error is printed (exit 1) on both binaries"
printf 'log_level = "loud"\n' >"$WORK/bad.toml"
expect_fail 2 "^--log-level: unknown log level \"loud\"" "$METASRV" --config "$WORK/bad.toml" --single --raft-dir "$WORK/lvl"
pass "log_level in metasrv's --config file is checked the same way"

# --- --version and --help ---------------------------------------------------------------------
for bin in metasrv metactl; do
  exe=$METASRV; [ $bin = metactl ] && exe=$METACTL
  out=$("$exe" --version) || fail "$bin --version exited $?"
  [[ $out =~ ^$bin\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ ([0-9a-f]{12}|unknown),\ [A-Za-z]+\)$ ]] \
    || fail "$bin --version printed '$out'"
  commit=${BASH_REMATCH[1]}
  # The commit is the checkout's, read when the build was configured: HEAD or an ancestor of it.
  if git -C "$SOURCE_DIR" rev-parse HEAD >/dev/null 2>&1; then
    [ "$commit" != unknown ] || fail "$bin --version says commit unknown in a git checkout"
    git -C "$SOURCE_DIR" merge-base --is-ancestor "$commit" HEAD || fail "$bin --version: $commit is not in this checkout"
  fi
done
pass "--version: '$out' on both binaries (commit from the checkout)"
"$METASRV" --help >"$WORK/help" || fail "metasrv --help exited $?"
for want in '--raft-dir TEXT=\./\.metasrv ' '--grpc-api-address TEXT=127\.0\.0\.1:9191$' \
            '--raft-address TEXT=127\.0\.0\.1:28103$' '--log-level TEXT=info ' '--id UINT:NONNEGATIVE=1 ' \
            '--max-value-bytes UINT:NONNEGATIVE=1048576$' '--request-timeout-ms UINT:NONNEGATIVE=10000$' '--version '; do
  grep -Eq -- "$want" "$WORK/help" || { cat "$WORK/help"; fail "metasrv --help: no /$want/"; }
done
pass "metasrv --help shows each setting's default (raft dir, addresses, log level, limits) and --version"
"$METACTL" export --help >"$WORK/help" || fail "metactl export --help exited $?"
grep -Eq -- '--chunk-size UINT=0 ' "$WORK/help" && grep -Eq -- '--timeout INT:INT in \[1 - 86400\]=10$' "$WORK/help" || { cat "$WORK/help"; fail "metactl export --help: no default of --chunk-size or --timeout"; }
pass "metactl export --help shows defaults"

# --- port 0 -----------------------------------------------------------------------------------
"$METASRV" --single --raft-dir "$WORK/a" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0 \
  --address-file "$WORK/a.addr" >"$WORK/a.out" 2>"$WORK/a.log" &
PIDS+=($!)
for _ in $(seq 1 300); do [ -s "$WORK/a.addr" ] && break; sleep 0.1; done  # appears once serving
G=$(sed -n 's/^grpc_api_address=//p' "$WORK/a.addr")
R=$(sed -n 's/^raft_address=//p' "$WORK/a.addr")
[[ $G =~ ^127\.0\.0\.1:[1-9][0-9]*$ && $R =~ ^127\.0\.0\.1:[1-9][0-9]*$ && $G != "$R" ]] \
  || { cat "$WORK/a.log"; fail "address file: '$(cat "$WORK/a.addr")'"; }
[ "$(cat "$WORK/a.out")" = "metasrv node 1 ready: grpc-api-address $G raft-address $R" ] \
  || fail "stdout: '$(cat "$WORK/a.out")'"
for _ in $(seq 1 150); do "$METACTL" status --grpc-api-address "$G" 2>/dev/null | grep -Eq "^role: +leader$" && break; sleep 0.2; done
"$METACTL" status --grpc-api-address "$G" | grep -Eq "^raft_address: +$R$" || fail "status does not report raft address $R"
"$METACTL" members --grpc-api-address "$G" >"$WORK/members"
grep -Eq "^1 +1 +voter +$R +$G\$" "$WORK/members" || { cat "$WORK/members"; fail "membership does not record $R and $G"; }
pass "port 0: stdout says 'metasrv node 1 ready: grpc-api-address $G raft-address $R', the address file too; status and the membership record the bound ports"

# --- a port in use: one line, exit 3, no raft dir ---------------------------------------------
for flag in --grpc-api-address --raft-address; do
  addr=$G; [ $flag = --raft-address ] && addr=$R
  other=--raft-address; [ $flag = --raft-address ] && other=--grpc-api-address
  expect_fail 3 "cannot listen on $addr \\($flag\\): the port is in use; choose another $flag\$" \
    "$METASRV" --single --raft-dir "$WORK/b" "$flag" "$addr" "$other" 127.0.0.1:0
  [ "$(wc -l <"$WORK/stderr")" -eq 1 ] || { cat "$WORK/stderr"; fail "$flag in use: more than one line on stderr"; }
  [ ! -e "$WORK/b" ] || fail "$flag in use: the raft dir $WORK/b was created"
done
mkdir -m 700 "$WORK/c"
expect_fail 3 "cannot listen on $G" "$METASRV" --single --raft-dir "$WORK/c" --grpc-api-address "$G" --raft-address 127.0.0.1:0
[ -z "$(ls -A "$WORK/c")" ] || fail "the empty raft dir $WORK/c is no longer empty"
pass "metasrv --single on a port in use: exit 3, one line naming the address and flag, no raft dir created or written"

# --- restarting on port 0, --join on a cluster's dir -----------------------------------------
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" || fail "metasrv did not stop cleanly"; unset 'PIDS[-1]'
"$METACTL" export --raft-dir "$WORK/a" --db "$WORK/a-before.jsonl" 2>/dev/null
expect_fail 1 "^.*--grpc-api-address \"127.0.0.1:0\": port 0 \(any free port\) is only for a fresh raft dir; $WORK/a already holds a node" \
  "$METASRV" --raft-dir "$WORK/a" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0
pass "port 0 on a dir that holds a node: refused (exit 1)"
expect_fail 1 "--join: raft dir $WORK/a already holds a cluster \(voters 1\), with node 1 as a voter: to restart this node, start it without --join; to join another cluster, give a fresh \(missing or empty\) --raft-dir" \
  "$METASRV" --raft-dir "$WORK/a" --join "$G" --grpc-api-address 127.0.0.1:0 --raft-address 127.0.0.1:0
[ "$(wc -l <"$WORK/stderr")" -eq 1 ] || { cat "$WORK/stderr"; fail "--join refusal: more than one line"; }
"$METACTL" export --raft-dir "$WORK/a" --db "$WORK/a-after.jsonl" 2>/dev/null
cmp "$WORK/a-before.jsonl" "$WORK/a-after.jsonl" || fail "the refused --join changed the dir's data"
pass "metasrv --join on a bootstrapped dir: refused (exit 1) saying to start without --join or use a fresh dir; data unchanged"
done_checks
