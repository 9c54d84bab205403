#!/usr/bin/env bash
# Sets up, builds and runs every test under ctest (what CI runs, via .ci/run).
# The run ends with ctest's summary; the exit code is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh "$@"
if [ -f scripts/install-test-servers.sh ]; then bash scripts/install-test-servers.sh; fi
cd "${BUILD_DIR:-build}"
ctest -j"$(nproc)" --output-on-failure --timeout 900
