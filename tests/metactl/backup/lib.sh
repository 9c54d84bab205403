# Helpers shared by the backup test scripts (sourced).
set -euo pipefail
: "${METACTL:?METACTL must point at the metactl binary}"
T="$(mktemp -d "${TMPDIR:-/tmp}/backup-test.XXXXXX")"
CLEANUPS=()
cleanup() {
  local c
  for c in "${CLEANUPS[@]}"; do eval "$c" || true; done
  rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# start_s3rver BUCKET: starts s3rver (tests/s3) with BUCKET for this test, stopped when it
# ends; sets $endpoint and exports s3rver's fixed credentials. The endpoint is the caller's to
# pass (by --s3-endpoint or AWS_ENDPOINT_URL). Returns s3server.sh's exit code: 77 when s3rver
# is not installed (a skip), 1 when it is required (METASRV_TEST_REQUIRE_SERVERS) or failed.
start_s3rver() {
  : "${S3_HELPER:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../s3" && pwd)/s3server.sh}"
  local rc=0
  endpoint=$(bash "$S3_HELPER" start "$T/s3" "$1") || rc=$?
  [[ $rc == 0 ]] || return $rc
  CLEANUPS+=("bash '$S3_HELPER' stop '$T/s3'")
  unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_SESSION_TOKEN
  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
}
ok() { echo "ok: $*"; }
json_field() {  # json_field JSON NAME -> value of a top-level number/string field
  echo "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# A raft dir made from databend's V004 fixture (skips the test when the fixture is absent).
make_raft_dir() {
  local dir="$1"
  local fixture="${SHARED_DIR:-}/compat/databend/meta_v004.txt"
  if [[ ! -f "$fixture" ]]; then echo "skip: no fixture $fixture"; exit 77; fi
  "$METACTL" import --allow-no-footer --raft-dir "$dir" --db "$fixture" 2>/dev/null || fail "import $fixture"
}

# gen_data DIR: 200 entries' worth of files: empty, small, medium, 50 MB, identical copies,
# sparse files, several modes, nested dirs, a symlink.
gen_data() {
  local d="$1" i
  mkdir -p "$d/a/b/c" "$d/empty-dir" "$d/copies"
  for i in $(seq 1 5); do : >"$d/empty-$i"; done
  for i in $(seq 1 160); do
    head -c $(( (i * 7919) % 65536 + 1 )) /dev/urandom >"$d/a/small-$i.bin"
  done
  for i in $(seq 1 10); do
    head -c $(( i * 300000 + 12345 )) /dev/urandom >"$d/a/b/medium-$i.bin"
  done
  head -c $(( 50 * 1024 * 1024 )) /dev/urandom >"$d/a/b/c/big-50M.bin"
  for i in $(seq 1 20); do cp "$d/a/small-$i.bin" "$d/copies/copy-$i.bin"; done
  cp "$d/a/b/medium-3.bin" "$d/copies/medium-copy.bin"
  # Sparse: holes with a little data in between and at the end.
  truncate -s 50M "$d/sparse-50M.img"
  printf 'middle' | dd of="$d/sparse-50M.img" bs=1 seek=$((20*1024*1024)) conv=notrunc status=none
  truncate -s 30M "$d/a/sparse-30M.img"
  printf 'tail' | dd of="$d/a/sparse-30M.img" bs=1 seek=$((30*1024*1024 - 4)) conv=notrunc status=none
  truncate -s 7M "$d/a/all-hole.img"
  chmod 600 "$d/a/small-1.bin"; chmod 755 "$d/a/small-2.bin"; chmod 640 "$d/a/b/medium-1.bin"
  chmod 444 "$d/copies/copy-3.bin"; chmod 700 "$d/a/b/c"
  ln -s a/small-5.bin "$d/link-to-small-5"
  local n
  n=$(find "$d" -type f | wc -l)
  [[ "$n" -ge 200 ]] || fail "gen_data made only $n files"
}

# One line per entry: path, type, mode, size, content hash (files).
tree_listing() {
  (cd "$1" && find . -mindepth 1 -printf '%P %y %m %s\n' | sort | while read -r p y m s; do
     if [[ "$y" == f ]]; then echo "$p $y $m $s $(sha256sum <"$p" | cut -c1-64)";
     elif [[ "$y" == d ]]; then echo "$p $y $m";
     else echo "$p $y $(readlink "$p")"; fi
   done)
}

export_of() { "$METACTL" export --raft-dir "$1" 2>/dev/null; }

count_objects() {  # count_objects DIR -> regular files below DIR (0 when absent)
  if [[ -d "$1" ]]; then find "$1" -type f ! -name '*.tmp-*' | wc -l; else echo 0; fi
}

# Flips one byte of a file in place (the middle one, or the one at offset $2).
flip_byte() {
  local f="$1" size off b
  size=$(stat -c %s "$f"); off=${2:-$(( size / 2 ))}
  b=$(dd if="$f" bs=1 skip="$off" count=1 status=none | od -An -tu1 | tr -d ' ')
  printf "$(printf '\\%03o' $(( b ^ 1 )))" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}
