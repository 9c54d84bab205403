#!/usr/bin/env bash
# Start/stop s3rver (an S3-compatible server) on 127.0.0.1 for the backup tests.
#   s3server.sh start DIR BUCKET [PORT]
#                                  -> starts it with data in DIR/store, bucket BUCKET created;
#                                     prints the endpoint (http://127.0.0.1:PORT); pid in DIR/pid.
#                                     PORT (default 0: any free port) restarts a server stopped
#                                     before on its old port, keeping DIR/store (an outage).
#   s3server.sh stop DIR           -> stops the server started with DIR (by its pid only)
# Credentials are s3rver's fixed ones: AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER.
# Exit 77 (ctest "skipped") when s3rver is not installed: run scripts/install-test-servers.sh;
# exit 1 instead when METASRV_TEST_REQUIRE_SERVERS=1 (set by scripts/test.sh, which installs it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/node_modules/s3rver/bin/s3rver.js"
cmd="${1:-}"
case "$cmd" in
  start)
    dir="$2"; bucket="$3"; want_port="${4:-0}"
    if [[ ! -f "$bin" ]] || ! command -v node >/dev/null; then
      echo "s3rver is not installed: run scripts/install-test-servers.sh" >&2
      # The test command (scripts/test.sh, CI) installs it, so there its absence is a failure.
      [[ "${METASRV_TEST_REQUIRE_SERVERS:-0}" == 1 ]] && exit 1
      exit 77
    fi
    mkdir -p "$dir/store"
    # Port 0: the kernel picks a free port and s3rver prints it ("S3rver listening on A:P"), so
    # no other process can take the port between choosing and binding it.
    # Node 20's OpenSSL 3 needs the legacy provider for s3rver's continuation tokens.
    NODE_OPTIONS=--openssl-legacy-provider node "$bin" -d "$dir/store" -a 127.0.0.1 -p "$want_port" \
      --silent --configure-bucket "$bucket" >"$dir/log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 300); do
      port=$(sed -n 's/^S3rver listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$dir/log")
      if [[ -n "$port" ]]; then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
      sleep 0.1
    done
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    echo "s3rver did not start; log:" >&2
    cat "$dir/log" >&2
    exit 1
    ;;
  stop)
    dir="$2"
    if [[ -f "$dir/pid" ]]; then
      pid="$(cat "$dir/pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/pid"
    fi
    ;;
  *)
    echo "usage: $0 start DIR BUCKET | stop DIR" >&2
    exit 2
    ;;
esac
