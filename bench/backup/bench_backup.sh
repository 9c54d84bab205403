#!/usr/bin/env bash
# Benchmark of the block copier (prints figures; never passes or fails on time).
#
# Full backup, no-change backup and restore of BENCH_BACKUP_MIB MiB (default 1024) of random data
# in BENCH_BACKUP_FILES files (default 8) to a local directory, side by side with restic (same
# data, local repo) and `cp -r` + `sync` as the floor. Ratios are against cp -r + sync.
#
#   METACTL=build/metactl/metactl bench/backup/bench_backup.sh
#   BENCH_BACKUP_MIB=64 bench/backup/bench_backup.sh        # small run
# BENCH_BACKUP_DIR picks the scratch dir (default: a temp dir; needs ~4x the data size free).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
METACTL="${METACTL:-$root/build/metactl/metactl}"
[[ -x "$METACTL" ]] || { echo "metactl not found at $METACTL: build it, or set METACTL" >&2; exit 1; }
mib="${BENCH_BACKUP_MIB:-1024}"
files="${BENCH_BACKUP_FILES:-8}"
base="${BENCH_BACKUP_DIR:-${TMPDIR:-/tmp}}"
T="$(mktemp -d "$base/bench-backup.XXXXXX")"
trap 'rm -rf "$T"' EXIT

per=$(( mib / files ))
echo "data: $files files x $per MiB random in $T/data"
mkdir -p "$T/data"
for i in $(seq 1 "$files"); do
  head -c $(( per * 1024 * 1024 )) /dev/urandom >"$T/data/file-$i.bin"
done
sync
total_mib=$(( per * files ))

declare -A secs
timeit() {  # timeit NAME CMD...
  local name="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$T/err.$name" || { echo "$name failed:"; cat "$T/err.$name"; exit 1; }
  t1=$(date +%s.%N)
  secs[$name]=$(echo "$t1 - $t0" | bc -l)
}

# Floor: cp -r + sync.
timeit cp bash -c "cp -r '$T/data' '$T/cp-copy' && sync"
rm -rf "$T/cp-copy"

# metactl.
timeit metactl_full "$METACTL" backup "$T/repo-metactl" --data "$T/data"
timeit metactl_nochange "$METACTL" backup "$T/repo-metactl" --data "$T/data"
timeit metactl_restore bash -c "'$METACTL' restore '$T/repo-metactl' --latest --data-to '$T/restore-metactl' --confirm && sync"
cmp -s "$T/data/file-1.bin" "$T/restore-metactl/file-1.bin" || { echo "metactl restore differs"; exit 1; }
rm -rf "$T/restore-metactl"

# restic (Debian package), if installed.
have_restic=0
if command -v restic >/dev/null; then
  have_restic=1
  export RESTIC_PASSWORD=bench RESTIC_REPOSITORY="$T/repo-restic" RESTIC_CACHE_DIR="$T/restic-cache"
  restic init --quiet >/dev/null
  timeit restic_full bash -c "restic backup --quiet '$T/data' && sync"
  timeit restic_nochange bash -c "restic backup --quiet '$T/data' && sync"
  timeit restic_restore bash -c "restic restore latest --target '$T/restore-restic' --quiet && sync"
  rm -rf "$T/restore-restic"
fi

rate() { echo "scale=1; $total_mib / ${secs[$1]}" | bc -l; }
ratio() { echo "scale=2; ${secs[$1]} / ${secs[cp]}" | bc -l; }
printf '\n%-22s %10s %10s %12s\n' "operation ($total_mib MiB)" "seconds" "MiB/s" "x cp+sync"
for n in cp metactl_full metactl_nochange metactl_restore restic_full restic_nochange restic_restore; do
  [[ -n "${secs[$n]:-}" ]] || continue
  printf '%-22s %10.2f %10s %12s\n' "$n" "${secs[$n]}" "$(rate "$n")" "$(ratio "$n")"
done
if [[ $have_restic == 1 ]]; then
  echo
  for op in full nochange restore; do
    printf 'metactl/restic %-9s %s\n' "$op" "$(echo "scale=2; ${secs[metactl_$op]} / ${secs[restic_$op]}" | bc -l)"
  done
fi
echo "repo sizes: metactl $(du -sh "$T/repo-metactl" | cut -f1)$([[ $have_restic == 1 ]] && echo ", restic $(du -sh "$T/repo-restic" | cut -f1)")"
