#!/usr/bin/env bash
# Installs dependencies (when missing) and builds everything into ./build (Release with debug info).
# Extra arguments are passed to CMake's configure step, e.g. -DMETASRV_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
# ccache (from install-deps.sh) makes a rebuild of unchanged sources cheap, also in another
# clone of the repo: paths are hashed relative to the repo root.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
