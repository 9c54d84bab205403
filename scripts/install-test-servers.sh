#!/usr/bin/env bash
# Installs the servers the tests start on 127.0.0.1: s3rver (npm) for the backup tests.
# Idempotent and quiet when already installed: `npm ci` runs only when tests/s3/node_modules is
# missing or older than package-lock.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
s3="$root/tests/s3"
stamp="$s3/node_modules/.installed-stamp"
if [[ -f "$stamp" && "$stamp" -nt "$s3/package-lock.json" && -f "$s3/node_modules/s3rver/bin/s3rver.js" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "install-test-servers: npm not found; install Debian's nodejs and npm (apt-get install -y nodejs npm)" >&2
  exit 1
fi
echo "install-test-servers: npm ci in tests/s3 (s3rver)" >&2
(cd "$s3" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
touch "$stamp"
