#!/usr/bin/env bash
# Times metactl import and export of N generated keys (default 1,000,000; 100-byte values,
# databend-like key shapes, 5% with a TTL) and prints keys/s, MB/s and peak RSS.
# Prints figures only; it never passes or fails on time.
#   bench/export_import.sh [KEYS]      (build first: scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${1:-1000000}
BIN=${METACTL:-build/metactl/metactl}
GEN=${GEN_KEYS:-build/bench/gen_keys}
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-export-import.XXXXXX")
trap 'rm -rf "$W"' EXIT

"$GEN" --keys "$KEYS" >"$W/in.jsonl"
BYTES=$(stat -c %s "$W/in.jsonl")
MB=$(awk -v b="$BYTES" 'BEGIN{printf "%.1f", b/1048576}')

# run NAME CMD...: runs CMD under GNU time; prints seconds, keys/s, MB/s, peak RSS.
run() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$W/time" "$@"
  read -r secs rss_kb <"$W/time"
  awk -v n="$name" -v s="$secs" -v k="$KEYS" -v b="$BYTES" -v r="$rss_kb" 'BEGIN{
    if (s < 0.001) s = 0.001;
    printf "%-26s %8.2f s %12.0f keys/s %8.1f MB/s   peak RSS %6.1f MiB\n", n, s, k/s, b/1048576/s, r/1024 }'
}

echo "metactl export/import, $KEYS keys, stream of $MB MiB"
run "import --db FILE" "$BIN" import --raft-dir "$W/raft" --db "$W/in.jsonl" 2>/dev/null
run "export --db FILE" "$BIN" export --raft-dir "$W/raft" --db "$W/out.jsonl" 2>/dev/null
run "export > stdout" sh -c "'$BIN' export --raft-dir '$W/raft' 2>/dev/null >/dev/null"
run "export | import (pipe)" sh -c "'$BIN' export --raft-dir '$W/raft' 2>/dev/null | '$BIN' import --raft-dir '$W/raft2' 2>/dev/null"
cmp -s "$W/in.jsonl" "$W/out.jsonl" && echo "(export equals the generated stream byte for byte)"
echo "raft dir size: $(du -sh "$W/raft" | cut -f1)"
