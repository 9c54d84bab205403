# Starting metasrv from a shell test (source it after lib.sh or backup/lib.sh: it uses fail(),
# $METASRV and $METACTL). No port is picked and then released before metasrv binds it (issue 17):
#
#   serve DIR [flags]          a fresh DIR (pass --single): metasrv listens on port 0 and the
#                              ports it got are read from its --address-file.
#   serve_member DIR GRPC RAFT [flags]
#                              a cluster member (--join, a restart): waits for its address file only.
#   serve_seeded DIR SEED [flags]
#                              a DIR that must record its own raft address (metactl import or
#                              restore --initial-cluster) needs the port before metasrv starts:
#                              the ports are picked, `SEED DIR RAFT_PORT` seeds DIR, metasrv
#                              starts; if it exits 3 (metasrv's typed "cannot listen" code: the
#                              port was taken in between) DIR is removed and all is redone with
#                              new ports, up to 5 times, so that race cannot fail the test.
#
# Both wait (bounded) until `metactl status` answers as leader and set SERVE_PID (the caller
# stops it: kill, wait) and SERVE_GRPC (HOST:PORT of the client API). metasrv's stderr goes to
# DIR.log.

_free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# _launch DIR GRPC RAFT [flags]: starts metasrv and waits for its address file; returns 0 then
# (SERVE_PID and SERVE_GRPC set), 3 if metasrv exited 3, else fails.
_launch() {
  local dir=$1 g=$2 r=$3; shift 3
  rm -f "$dir.addr"
  "$METASRV" --raft-dir "$dir" --grpc-api-address "$g" --raft-address "$r" --address-file "$dir.addr" "$@" \
    >/dev/null 2>"$dir.log" &
  SERVE_PID=$!
  local rc
  # The address file appears, whole, once metasrv serves (30 s bound for a slow machine).
  for _ in $(seq 1 300); do
    [ -s "$dir.addr" ] && break
    if ! kill -0 "$SERVE_PID" 2>/dev/null; then
      rc=0; wait "$SERVE_PID" || rc=$?
      [ "$rc" -eq 3 ] && return 3
      cat "$dir.log" >&2; fail "metasrv on $dir exited with $rc while starting"
    fi
    sleep 0.1
  done
  [ -s "$dir.addr" ] || { cat "$dir.log" >&2; fail "metasrv on $dir wrote no address file in 30 s"; }
  SERVE_GRPC=$(sed -n 's/^grpc_api_address=//p' "$dir.addr")
}

# _start DIR GRPC RAFT [flags]: returns 0 once leader, 3 if metasrv exited 3, else fails.
_start() {
  local dir=$1
  _launch "$@" || return $?
  for _ in $(seq 1 150); do
    "$METACTL" status --grpc-api-address "$SERVE_GRPC" 2>/dev/null | grep -Eq "^role: +leader$" && return 0
    sleep 0.2
  done
  cat "$dir.log" >&2; fail "metasrv on $dir did not become leader"
}

serve() {
  local dir=$1; shift
  _start "$dir" 127.0.0.1:0 127.0.0.1:0 "$@" || { cat "$dir.log" >&2; fail "metasrv on $dir cannot listen on port 0"; }
}

# serve_member DIR GRPC RAFT FLAGS...: a node of a cluster (--join, or a restart at its old
# addresses): waits only for its address file (it may follow a leader, or wait for one). Sets
# SERVE_PID and SERVE_GRPC.
serve_member() {
  _launch "$@" || { cat "$1.log" >&2; fail "metasrv on $1 cannot listen (exit 3)"; }
}

serve_seeded() {
  local dir=$1 seed=$2; shift 2
  local attempt g r rc
  for attempt in 1 2 3 4 5; do
    g=$(_free_port); r=$(_free_port)
    "$seed" "$dir" "$r"
    rc=0; _start "$dir" "127.0.0.1:$g" "127.0.0.1:$r" "$@" || rc=$?
    [ "$rc" -eq 0 ] && return 0
    echo "a picked port was taken before metasrv bound it; new ports (attempt $((attempt + 1)))" >&2
    rm -rf "$dir"
  done
  cat "$dir.log" >&2; fail "metasrv on $dir could not listen in 5 attempts"
}
