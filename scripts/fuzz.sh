#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang 14 under ASan+UBSan into ./build-fuzz and runs
# each for SECONDS (default 30). Reports per target: runs, coverage, crashes.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# The corpus grows across runs in build-fuzz/fuzz-corpus/<target>/ (seeded at each run from the
# fixtures by fuzz/make_seeds.py). A crashing input is kept in build-fuzz/fuzz-crashes/<target>/;
# the exit code is then 1. After the fix, copy it into fuzz/regressions/<target>/: the regular
# suite replays it (ctest fuzz_replay_<target>).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-30}
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(line_codec import_stream manifest s3_list client_api payload_codec)

bash scripts/install-fuzz-deps.sh
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMETASRV_FUZZ=ON >/dev/null
fi
cmake --build "$BUILD_DIR" -j"$(nproc)" --target "${TARGETS[@]/#/fuzz_}" | grep -v '^\[' || true
for t in "${TARGETS[@]}"; do
  [[ -x "$BUILD_DIR/fuzz/fuzz_$t" ]] || { echo "fuzz: $BUILD_DIR/fuzz/fuzz_$t was not built" >&2; exit 2; }
done

SEEDS="$BUILD_DIR/fuzz-seeds"
rm -rf "$SEEDS"
python3 fuzz/make_seeds.py "$SEEDS" testdata ../shared/compat/databend
[[ -d ../shared/compat/databend ]] || echo "fuzz: ../shared/compat/databend absent: seeds from testdata/ only"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
printf '%-14s %10s %8s %8s %s\n' target runs cov ft crashes
for t in "${TARGETS[@]}"; do
  corpus="$BUILD_DIR/fuzz-corpus/$t" crashes="$BUILD_DIR/fuzz-crashes/$t" log="$BUILD_DIR/fuzz-$t.log"
  mkdir -p "$corpus" "$crashes" "$SEEDS/$t"
  dirs=("$corpus" "$SEEDS/$t")
  [[ -d fuzz/regressions/$t ]] && dirs+=("fuzz/regressions/$t")
  stamp="$BUILD_DIR/fuzz-$t.started"
  touch "$stamp"
  rc=0
  "$BUILD_DIR/fuzz/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$crashes/" "${dirs[@]}" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  kept=$(find "$crashes" -type f -newer "$stamp" | wc -l)  # this run's
  printf '%-14s %10s %8s %8s %s\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$kept"
  if ((rc != 0)); then
    failed+=("$t")
    echo "fuzz: $t failed (exit $rc); its log: $log; crashing input(s) kept in $crashes/:" >&2
    grep -aE 'ERROR|property broken|runtime error|Test unit written' "$log" | head -5 >&2 || true
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: crashes in ${failed[*]}; fix, then copy the input into fuzz/regressions/<target>/" >&2
  exit 1
fi
