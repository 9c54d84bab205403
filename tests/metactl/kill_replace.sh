#!/usr/bin/env bash
# kill -9 across the whole run of the two commands that replace a non-empty target: `import
# --force` (the raft dir) and `restore --confirm --force` (the raft dir and --data-to). After
# every kill each target is exactly the old tree (same digest) or exactly the complete new one
# (its export equals the stream; the data tree equals the backed-up one), never a mix or
# missing; then the next run succeeds and leaves no staging behind.
#
# The kill points are picked by progress, not by time (a 2-core machine shared with other
# tests runs a command anywhere from 0.5x to 3x as fast as it did a moment ago): one run is
# traced with strace (reads of the input, fsyncs, renames, removals of the main thread), and
# each later run is killed by strace itself with SIGKILL on entry to the N-th call of one of
# those syscalls (`-e inject=SYSCALL:signal=SIGKILL:when=N`, before the call runs). The points
# are spread evenly over the whole run, plus every call around each swap of a staging dir onto
# its target, around each table file import links into its staging dir (the ingest), and the
# last calls (removing the old content), so the swap and the ingest are always covered.
. "$(dirname "$0")/lib.sh"
KEYS=${KILL_REPLACE_KEYS:-10000}
if ! strace -qq -o /dev/null true 2>/dev/null; then
  [ -z "${METASRV_TEST_REQUIRE_SERVERS:-}" ] || fail "strace is required (METASRV_TEST_REQUIRE_SERVERS is set) but cannot trace here"
  echo "SKIP: strace is not installed or cannot trace here; the kill points need it"
  exit 77
fi
SYSCALLS=read,fsync,fdatasync,rename,renameat2,unlink,unlinkat,rmdir,link,linkat

# kill_points TRACE: "SYSCALL:N" per chosen call of the traced main thread (the first line's
# thread; strace counts `when` per thread), in the order they happen.
kill_points() {
  awk -v spread=4 '
    NR == 1 { main = $1 }
    $1 != main || /resumed>/ { next }
    {
      name = $2; sub(/\(.*/, "", name)
      n++; ev[n] = name ":" (++count[name])
      # A staging dir itself (not a file in it) renamed or exchanged onto its target.
      if (name ~ /^rename/ && $0 ~ /-staging"[,)]/) anchor[n] = 1
      # A sorted table file linked into the staging dir (bulk_ingest.h): the ingest, and its syncs.
      if (name ~ /^link/) anchor[n] = 1
    }
    END {
      for (i = 1; i <= n; i++) {
        pick = (i % int(n / spread + 1) == 0) || i > n - 2
        for (d = -2; d <= 2; d++) if ((i + d) in anchor) pick = 1
        if (pick) print ev[i]
      }
    }' "$1"
}
# Runs "$@" under strace, which kills it (SIGKILL) on entry to call $1 ("SYSCALL:N"); sets
# KILLED (1: it was killed) and RC (its exit code when it ended on its own, the call never came).
run_and_kill() {
  local point=$1; shift
  RC=0
  # (The braces' 2>/dev/null only keeps bash's "Killed" notice out of the log.)
  { "${STRACE[@]}" -f -qq -o /dev/null -e trace="${point%%:*}" \
      -e inject="${point%%:*}:signal=SIGKILL:when=${point##*:}" "$@" >/dev/null 2>"$WORK/killed.err"; } 2>/dev/null ||
    RC=$?
  KILLED=0
  if [ "$RC" = 137 ]; then KILLED=1; elif [ "$RC" != 0 ]; then cat "$WORK/killed.err" >&2; fail "the run ended with $RC"; fi
}
# Traces a whole run of "$@" into $WORK/trace.
trace_run() {
  "${STRACE[@]}" -f --seccomp-bpf -qq -o "$WORK/trace" -e trace="$SYSCALLS" "$@" >/dev/null 2>"$WORK/trace.err" ||
    { cat "$WORK/trace.err" >&2; fail "the traced run failed: $*"; }
}

# ---------------------------------------------------------------- import --force
"$GEN_KEYS" --keys "$KEYS" >"$WORK/new.jsonl"
"$METACTL" import --allow-no-footer --raft-dir "$WORK/old-raft" --db "$TESTDATA_DIR/own_v004.jsonl" 2>/dev/null
OLD_RAFT=$(tree_digest "$WORK/old-raft")
DIR="$WORK/raft"

# "old" or "new" for raft dir $1 (new: its export is the stream $2, byte for byte); fails
# otherwise.
raft_state() {
  [ -d "$1" ] || fail "$1 is missing (kill at ${point:-none})"
  if [ "$(tree_digest "$1")" = "$OLD_RAFT" ]; then echo old; return; fi
  "$METACTL" export --raft-dir "$1" >"$WORK/state.jsonl" 2>"$WORK/state.err" ||
    { cat "$WORK/state.err" >&2; fail "$1 is neither the old tree nor a readable new one (kill at ${point:-none})"; }
  cmp -s "$WORK/state.jsonl" "$2" || fail "$1 is neither the old tree nor the complete new one: a mix (kill at ${point:-none})"
  echo new
}

cp -a "$WORK/old-raft" "$DIR"
trace_run "$METACTL" import --raft-dir "$DIR" --force --db "$WORK/new.jsonl"
[ "$(raft_state "$DIR" "$WORK/new.jsonl")" = new ] || fail "the uninterrupted import did not replace $DIR"
POINTS=$(kill_points "$WORK/trace")

seen=""
for point in $POINTS; do
  rm -rf "$DIR"
  cp -a "$WORK/old-raft" "$DIR"
  run_and_kill "$point" "$METACTL" import --raft-dir "$DIR" --force --db "$WORK/new.jsonl"
  state=$(raft_state "$DIR" "$WORK/new.jsonl")
  [ "$KILLED" = 1 ] || [ "$state" = new ] || fail "import exited 0 but $DIR is the old tree"
  seen="$seen $point=$state$([ "$KILLED" = 1 ] || echo '(done)')"
  "$METACTL" import --raft-dir "$DIR" --force --db "$WORK/new.jsonl" 2>"$WORK/rerun.err" ||
    { cat "$WORK/rerun.err" >&2; fail "the import after a kill at $point failed"; }
  [ "$(raft_state "$DIR" "$WORK/new.jsonl")" = new ] || fail "the import after a kill at $point left the old tree"
  [ ! -e "$DIR.import-staging" ] || fail "the import after a kill at $point left $DIR.import-staging"
done
echo "kill points (syscall:N=state of $DIR):$seen"
case "$seen" in *=old*) ;; *) fail "no kill left the old tree: the kill points missed the run";; esac
case "$seen" in *=new\ *|*=new) ;; *) fail "no kill came after the swap (new tree, run not finished)";; esac
pass "import --force killed at $(echo "$POINTS" | wc -l) points: always the old or the complete new dir; each rerun succeeds"

# ---------------------------------------------------------------- restore --confirm --force
# The backup: the new raft dir's metadata and a data tree (many files: the data commit's swap
# has work to do); the old targets: the old raft dir and another tree.
mkdir -p "$WORK/src/sub" "$WORK/old-data/x"
for i in $(seq 1 60); do head -c $((i * 97 + 1)) /dev/urandom >"$WORK/src/sub/f$i"; done
head -c $((2 * 1024 * 1024)) /dev/urandom >"$WORK/src/big.bin"
for i in $(seq 1 60); do echo "old $i" >"$WORK/old-data/x/o$i"; done
"$METACTL" backup "$WORK/repo" --meta-raft-dir "$DIR" --data "$WORK/src" >/dev/null
"$METACTL" export --raft-dir "$DIR" >"$WORK/meta.jsonl" 2>/dev/null
OLD_DATA=$(tree_digest "$WORK/old-data")
NEW_DATA=$(tree_digest "$WORK/src")
RDIR="$WORK/r-raft" DATA="$WORK/r-data"

data_state() {
  [ -d "$1" ] || fail "$1 is missing (kill at ${point:-none})"
  case "$(tree_digest "$1")" in
    "$OLD_DATA") echo old ;;
    "$NEW_DATA") echo new ;;
    *) fail "$1 is neither the old tree nor the complete restored one: a mix (kill at ${point:-none})" ;;
  esac
}
RESTORE=("$METACTL" restore "$WORK/repo" --latest --raft-dir "$RDIR" --data-to "$DATA" --confirm --force)
reset_targets() {
  rm -rf "$RDIR" "$DATA"
  cp -a "$WORK/old-raft" "$RDIR"
  cp -a "$WORK/old-data" "$DATA"
}

reset_targets
trace_run "${RESTORE[@]}"
[ "$(raft_state "$RDIR" "$WORK/meta.jsonl")/$(data_state "$DATA")" = new/new ] || fail "the uninterrupted restore"
POINTS=$(kill_points "$WORK/trace")

seen=""
for point in $POINTS; do
  reset_targets
  run_and_kill "$point" "${RESTORE[@]}"
  # Each target on its own is old or new. The raft dir is committed first, --data-to last, so
  # a kill between the two leaves new/old (docs/backup.md); never old/new.
  state="$(raft_state "$RDIR" "$WORK/meta.jsonl")/$(data_state "$DATA")"
  [ "$state" != old/new ] || fail "restore committed --data-to before the raft dir"
  [ "$KILLED" = 1 ] || [ "$state" = new/new ] || fail "restore exited 0 but the targets are $state"
  seen="$seen $point=$state$([ "$KILLED" = 1 ] || echo '(done)')"
  "${RESTORE[@]}" >/dev/null 2>"$WORK/rerun.err" ||
    { cat "$WORK/rerun.err" >&2; fail "the restore after a kill at $point failed"; }
  [ "$(raft_state "$RDIR" "$WORK/meta.jsonl")/$(data_state "$DATA")" = new/new ] ||
    fail "the restore after a kill at $point"
  for left in "$RDIR.import-staging" "$RDIR.restore-metadata" "$DATA.restore-staging"; do
    [ ! -e "$left" ] || fail "the restore after a kill at $point left $left"
  done
done
echo "kill points (syscall:N=raft dir/data):$seen"
case "$seen" in *=old/old*) ;; *) fail "no kill left the old targets: the kill points missed the run";; esac
case "$seen" in *=new/old*) ;; *) fail "no kill came between the raft dir's swap and the data's";; esac
case "$seen" in *=new/new\ *|*=new/new) ;; *) fail "no kill came after the data's swap (run not finished)";; esac
pass "restore --confirm --force killed at $(echo "$POINTS" | wc -l) points: each target old or complete new; each rerun succeeds"
done_checks
