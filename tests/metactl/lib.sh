# Shared helpers for the metactl end-to-end tests. Source it; it sets `set -euo pipefail`,
# makes $WORK (removed on exit) and checks that $METACTL is set.
set -euo pipefail
: "${METACTL:?METACTL must point at the metactl binary (ctest sets it)}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/metactl-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CHECKS=0

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
# "${STRACE[@]}" ARGS...: strace, for the tests that trace. LeakSanitizer cannot work under
# ptrace (an ASan build run under strace aborts at exit: "LeakSanitizer does not work under
# ptrace"), so leak checking is off for the traced process only (a later ASAN_OPTIONS flag wins);
# every other check stays on. An array, not a function: `"${STRACE[@]}" ... &` is then the
# strace process itself (env execs it), whose child is the traced command.
STRACE=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace)
done_checks() { echo "$CHECKS checks passed"; }

# A digest of every file name, size and content under DIR: equal digests = byte-identical trees.
tree_digest() {
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum; find . | sort)
}

# Runs "$@", expecting exit code $1 (shifted away) and stderr matching regex $2.
expect_fail() {
  local want_rc=$1 pattern=$2; shift 2
  local rc=0
  "$@" 2>"$WORK/stderr" >/dev/null || rc=$?
  [ "$rc" -eq "$want_rc" ] || { cat "$WORK/stderr" >&2; fail "expected exit $want_rc from: $*; got $rc"; }
  grep -Eq -- "$pattern" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "stderr of '$*' does not match /$pattern/"; }
}

need_shared() {
  if [ ! -f "${SHARED_DIR:-}/compat/databend/meta_v004.txt" ]; then
    echo "SKIP: ../shared/compat/databend is absent (SHARED_DIR=${SHARED_DIR:-unset}); databend fixtures not checked"
    exit 77
  fi
}
