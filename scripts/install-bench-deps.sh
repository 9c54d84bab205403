#!/usr/bin/env bash
# Installs what the side-by-side benchmarks compare against and drive with: etcd 3.4 (Debian's
# etcd-server and etcd-client) and the npm clients of ../shared/bench/write-bench.js (etcd3,
# @grpc/grpc-js, @grpc/proto-loader) into bench/node/node_modules. Idempotent and quiet when
# everything is present. Tests never need this; only bench/*.sh call it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh" etcd-server etcd-client
# The package enables a system etcd on 127.0.0.1:2379; the benchmarks start their own.
if command -v systemctl >/dev/null && systemctl is-active --quiet etcd 2>/dev/null; then
  [[ $(id -u) -eq 0 ]] && systemctl stop etcd || sudo systemctl stop etcd || true
fi

node_dir="$root/bench/node"
stamp="$node_dir/node_modules/.installed-stamp"
# The stamp holds the hash of the package-lock.json installed (not a time: a worktree checked
# out after the install has a newer lock file with the same content).
want=$(sha256sum <"$node_dir/package-lock.json")
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
if [[ -L "$node_dir/node_modules" ]]; then
  # A link to another checkout's install (worktrees share main's): npm ci here would empty the
  # linked dir under that checkout. Use it as installed there, or say what to do.
  [[ -f "$stamp" ]] && exit 0
  echo "install-bench-deps: $node_dir/node_modules is a symlink to $(readlink "$node_dir/node_modules"), which is not installed; run this script in that checkout, or remove the link" >&2
  exit 1
fi
echo "install-bench-deps: npm ci in bench/node (etcd3, @grpc/grpc-js, @grpc/proto-loader)" >&2
(cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
echo "$want" >"$stamp"
