#!/usr/bin/env bash
# Benchmark: the cost of --encryption-key-file (issue 10, "backup throughput with and without
# encryption"). Prints figures; never passes or fails on time.
#
# The same BENCH_ENC_MIB MiB (default 1024) of random data in BENCH_ENC_FILES files (default 8)
# is backed up to a new local directory without and with a 32-byte key, and restored from each;
# BENCH_ENC_ROUNDS rounds (default 2) alternate the two so both see the same page cache and
# machine load, and the best time of each is printed side by side with the ratio
# encrypted / plain.
#
#   bench/backup/bench_encryption.sh                       # from the repo root, after a build
#   BENCH_ENC_MIB=256 bench/backup/bench_encryption.sh     # small run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source bench/lib.sh
M="$B/metactl/metactl"
[[ -x "$M" ]] || { echo "metactl not found at $M: build it first" >&2; exit 1; }
mib="${BENCH_ENC_MIB:-1024}"
files="${BENCH_ENC_FILES:-8}"
rounds="${BENCH_ENC_ROUNDS:-2}"
bench_init encryption

per=$(( mib / files ))
total_mib=$(( per * files ))
mkdir -p "$W/data"
for i in $(seq 1 "$files"); do head -c $(( per * 1024 * 1024 )) /dev/urandom >"$W/data/file-$i.bin"; done
head -c 32 /dev/urandom >"$W/key" && chmod 600 "$W/key"
sync
echo "data: $files files x $per MiB random; $rounds round(s), best time of each; $(nproc) cores"

declare -A best
timeit() {  # timeit NAME CMD...: keeps the best wall time of NAME
  local name="$1" t0 t1 s; shift
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$W/err" || { echo "$name failed:"; cat "$W/err"; exit 1; }
  t1=$(date +%s.%N)
  s=$(echo "$t1 - $t0" | bc -l)
  if [[ -z "${best[$name]:-}" ]] || (( $(echo "$s < ${best[$name]}" | bc -l) )); then best[$name]=$s; fi
}

for r in $(seq 1 "$rounds"); do
  for mode in plain encrypted; do
    key=()
    [[ $mode == encrypted ]] && key=(--encryption-key-file "$W/key")
    rm -rf "$W/loc-$mode" "$W/out-$mode"
    timeit "backup_$mode" bash -c "'$M' backup '$W/loc-$mode' --data '$W/data' ${key[*]} && sync"
    timeit "restore_$mode" bash -c "'$M' restore '$W/loc-$mode' --latest --data-to '$W/out-$mode' --confirm ${key[*]} && sync"
    cmp -s "$W/data/file-1.bin" "$W/out-$mode/file-1.bin" || { echo "$mode restore differs"; exit 1; }
    rm -rf "$W/out-$mode"
  done
done

rate() { echo "scale=1; $total_mib / $1" | bc -l; }
printf '\n%-9s %10s %12s %12s %16s %10s\n' "($total_mib MiB)" "plain s" "plain MiB/s" "encrypted s" \
  "encrypted MiB/s" "enc/plain"
for op in backup restore; do
  p=${best[${op}_plain]} e=${best[${op}_encrypted]}
  printf '%-9s %10.2f %12s %12.2f %16s %10.2f\n' "$op" "$p" "$(rate "$p")" "$e" "$(rate "$e")" \
    "$(echo "$e / $p" | bc -l)"
done
echo "location sizes: plain $(du -sh "$W/loc-plain" | cut -f1), encrypted $(du -sh "$W/loc-encrypted" | cut -f1)"
