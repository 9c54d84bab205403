#!/usr/bin/env bash
# Builds the tests with AddressSanitizer + UndefinedBehaviorSanitizer into ./build-asan and
# runs them under ctest. Slower than scripts/test.sh; the simulation runs fewer seeds there.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=build-asan
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec bash scripts/test.sh -DMETASRV_SANITIZE=ON "$@"
