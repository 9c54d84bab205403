#!/usr/bin/env bash
# Installs what scripts/fuzz.sh needs on top of the build's dependencies: clang 14 and its
# runtime libraries (libFuzzer, ASan, UBSan). Idempotent, like install-deps.sh.
set -euo pipefail
exec bash "$(dirname "$0")/install-deps.sh" clang-14 libclang-rt-14-dev
