#!/usr/bin/env bash
# Sets up, builds and runs every test under ctest (what CI runs, via .ci/run).
# The run ends with ctest's summary; the exit code is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh "$@"
bash scripts/install-test-servers.sh
# The servers above are installed by this script, so a test that finds one missing fails here
# instead of reporting itself skipped (a plain `ctest` elsewhere still skips it, visibly).
export METASRV_TEST_REQUIRE_SERVERS=1
cd "${BUILD_DIR:-build}"
ctest -j"$(nproc)" --output-on-failure --timeout 900
