#!/usr/bin/env bash
# Issue 11, acceptance 6: every malformed --initial-cluster value and every malformed address
# flag (metactl and metasrv) is a usage error: exit 2, a message naming the flag and showing the
# right form, and nothing written (an absent target stays absent, an existing one byte-for-byte
# the same).
. "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"
SRC="$TESTDATA_DIR/own_v004.jsonl"
PEER_FORM='the form is ID=HOST:PORT\[,GRPC_HOST:PORT\], one node per --initial-cluster'

# A raft dir that a refused import with --force would replace, and its digest.
"$METACTL" import --raft-dir "$WORK/existing" --db "$SRC" --allow-no-footer --id 1 --initial-cluster 1=127.0.0.1:48101 2>/dev/null
# A backup of it, for restore (taken first: reading a raft dir opens it, which touches its files).
"$METACTL" backup "$WORK/repo" --meta-raft-dir "$WORK/existing" >/dev/null 2>&1
tree_digest "$WORK/existing" >"$WORK/existing.digest"
unchanged() {
  [ ! -e "$WORK/absent" ] || fail "$1: $WORK/absent was created"
  tree_digest "$WORK/existing" | cmp -s - "$WORK/existing.digest" || fail "$1: the existing raft dir changed"
  ! ls "$WORK" | grep -q -- '-staging\|\.import' || { ls "$WORK"; fail "$1: a staging dir was left"; }
}

# --- import --initial-cluster: each malformed value or set, and the message it gets ---------
ETCD_LIST=1=127.0.0.1:48101,127.0.0.1:49191,2=127.0.0.1:48102,127.0.0.1:49192
ETCD_FIX='give one --initial-cluster per node: --initial-cluster 1=127.0.0.1:48101,127.0.0.1:49191 --initial-cluster 2=127.0.0.1:48102,127.0.0.1:49192'
check_peers() {  # <want stderr regex> <--initial-cluster values...>
  local want=$1; shift
  local args=() v
  for v in "$@"; do args+=(--initial-cluster "$v"); done
  expect_fail 2 "$want" "$METACTL" import --raft-dir "$WORK/absent" --db "$SRC" --id 1 "${args[@]}"
  expect_fail 2 "$want" "$METACTL" import --raft-dir "$WORK/existing" --force --db "$SRC" --id 1 "${args[@]}"
  unchanged "import --initial-cluster $*"
}
check_peers "\"$ETCD_LIST\": names 2 nodes in one value; $ETCD_FIX" "$ETCD_LIST"
pass "an etcd-style list is refused, showing one --initial-cluster per node"
check_peers "names 2 nodes in one value; give one --initial-cluster per node: --initial-cluster 1=127.0.0.1:48101 --initial-cluster 2=127.0.0.1:48102" \
  "1=127.0.0.1:48101,,2=127.0.0.1:48102"
pass "1=...,,2=... is refused the same way"
check_peers 'raft address: expected HOST:PORT without a scheme, e.g. "127.0.0.1:48101" instead of "http://127.0.0.1:48101"; '"$PEER_FORM" \
  1=http://127.0.0.1:48101
check_peers 'gRPC address: expected HOST:PORT without a scheme.*; '"$PEER_FORM" 1=127.0.0.1:48101,http://127.0.0.1:49191
pass "a scheme (http://) in a raft or gRPC address is refused"
for bad in 1=127.0.0.1 1=127.0.0.1:0 1=127.0.0.1:70000 1=127.0.0.1:48101,127.0.0.1 1=127.0.0.1:48101, 0=127.0.0.1:1 \
           x=127.0.0.1:1 127.0.0.1:48101 "1=127.0.0.1:48101,127.0.0.1:49191,127.0.0.1:49192"; do
  check_peers "^\[error\] --initial-cluster \"$bad\": .*; $PEER_FORM" "$bad"
done
pass "no port, port 0 or 70000, an empty or extra gRPC address, id 0 or x, no id: each refused with the form"
check_peers 'address 127.0.0.1:48101 is given twice \(node 1.s raft address and node 2.s raft address\)' \
  1=127.0.0.1:48101 2=127.0.0.1:48101
check_peers 'address 127.0.0.1:49191 is given twice \(node 1.s gRPC address and node 2.s gRPC address\)' \
  1=127.0.0.1:48101,127.0.0.1:49191 2=127.0.0.1:48102,127.0.0.1:49191
check_peers 'node id 1 is given twice' 1=127.0.0.1:48101 1=127.0.0.1:48102
pass "two nodes with one raft address, one gRPC address or one id are refused"

# --- restore --initial-cluster: the same parser ---------------------------------------------
for args in "$ETCD_LIST" "1=127.0.0.1:48101 2=127.0.0.1:48101" 1=http://127.0.0.1:48101; do
  # shellcheck disable=SC2086 # word splitting makes one flag per value
  set -- $args
  flags=(); for v in "$@"; do flags+=(--initial-cluster "$v"); done
  expect_fail 2 "^metactl restore: .*--initial-cluster" \
    "$METACTL" restore "$WORK/repo" --latest --raft-dir "$WORK/absent" --id 1 "${flags[@]}" --confirm
  expect_fail 2 "^metactl restore: .*--initial-cluster" \
    "$METACTL" restore "$WORK/repo" --latest --raft-dir "$WORK/existing" --force --id 1 "${flags[@]}" --confirm
  unchanged "restore --initial-cluster $args"
done
pass "restore refuses the same peers (etcd list, repeated raft address, scheme) and writes nothing"

# --- every address flag of metactl ------------------------------------------------------------
# Each malformed address, the regex of its message after `FLAG: "VALUE": `.
BAD_ADDRS=(127.0.0.1 127.0.0.1:0 127.0.0.1:70000 http://127.0.0.1:9191 127.0.0.1:9191,127.0.0.1:9192)
why() {
  case $1 in
    127.0.0.1) echo 'no port: expected HOST:PORT, e.g. "127.0.0.1:9191"' ;;
    *:0 | *:70000)
      if [ "${LISTEN:-0}" = 1 ]; then echo 'port must be a number from 0 \(any free port\) to 65535'
      else echo 'port must be a number from 1 to 65535'; fi ;;
    http://*) echo 'expected HOST:PORT without a scheme, e.g. "127.0.0.1:9191" instead of "http://127.0.0.1:9191"' ;;
    *,*) echo 'expected one HOST:PORT, not a list: give each address as a value of its own \(repeat the flag\)' ;;
  esac
}
check_flag() {  # <binary> <flag> <command words and other flags...>; the flag comes last
  local bin=$1 flag=$2 bad; shift 2
  for bad in "${BAD_ADDRS[@]}"; do
    # Port 0 is valid where metasrv listens (its own addresses): tests/metactl/startup.sh.
    [ "${LISTEN:-0}" = 1 ] && [ "$bad" = 127.0.0.1:0 ] && continue
    expect_fail 2 "^$flag: \"$bad\": $(why "$bad")" "$bin" "$@" "$flag" "$bad"
  done
}
declare -A NEEDS=([get]="--key k" [list]="--prefix p" [watch]="--prefix p" [upsert]="--key k --value v" [delete]="--key k")
for cmd in status members get list watch upsert delete trigger-snapshot transfer-leader; do
  # shellcheck disable=SC2086 # the command's other flags, word-split
  check_flag "$METACTL" --grpc-api-address "$cmd" ${NEEDS[$cmd]:-}
done
check_flag "$METACTL" --raft-address members add --id 9 --grpc-api-address 127.0.0.1:1
check_flag "$METACTL" --grpc-address members add --id 9 --grpc-api-address 127.0.0.1:1
pass "--grpc-api-address of every live command and members add's addresses: exit 2 with the form"
check_flag "$METACTL" --grpc-api-address export --db "$WORK/absent"
unchanged "export --grpc-api-address"
check_flag "$METACTL" --grpc-api-address backup "$WORK/absent"
unchanged "backup --grpc-api-address"
check_flag "$METACTL" --meta-grpc backup "$WORK/absent"
unchanged "backup --meta-grpc"
pass "export --grpc-api-address, backup --grpc-api-address (and its old --meta-grpc): exit 2, no file and no backup location written"

# --- every address flag of metasrv (and its TOML file) ---------------------------------------
declare -A GOOD=([--grpc-api-address]=127.0.0.1:1 [--raft-address]=127.0.0.1:2)
for flag in --grpc-api-address --raft-address --join; do
  others=(--raft-dir "$WORK/absent")
  for f in "${!GOOD[@]}"; do [ "$f" = "$flag" ] || others+=("$f" "${GOOD[$f]}"); done
  [ "$flag" = --join ] || others+=(--single)
  LISTEN=0; [ "$flag" = --join ] || LISTEN=1
  check_flag "$METASRV" "$flag" "${others[@]}"
  LISTEN=0
  unchanged "metasrv $flag"
done
printf 'raft_address = "http://127.0.0.1:9191"\n' >"$WORK/bad.toml"
expect_fail 2 '^--raft-address: "http://127.0.0.1:9191": expected HOST:PORT without a scheme' \
  "$METASRV" --raft-dir "$WORK/absent" --single --config "$WORK/bad.toml"
printf 'join = ["127.0.0.1:9191", "127.0.0.1"]\n' >"$WORK/bad.toml"
expect_fail 2 '^--join: "127.0.0.1": no port' "$METASRV" --raft-dir "$WORK/absent" --config "$WORK/bad.toml"
unchanged "metasrv --config"
pass "metasrv --grpc-api-address, --raft-address (port 0 allowed), --join (flags and TOML): exit 2 with the form, no raft dir made"
done_checks
