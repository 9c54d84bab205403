#!/usr/bin/env bash
# Issue 13 points 2 and 3, as a user sees them:
#  - progress: on a terminal (a pseudo-terminal made by script(1)) import and export draw a line
#    with done / total and %, ended by a newline before the final message; with stderr on a pipe
#    only the messages appear; --progress=always shows the lines on a pipe too.
#  - signals: SIGINT during export, import, backup and restore exits 130 with one line saying
#    what was left, and leaves no .part file, staging dir, temp file or lock; targets unchanged.
#    (verify's interruption: tests/raftstore/backup/interrupt_test.cc.)
# A job is signalled only once it is visibly working (its progress line, --progress=always, is
# on stderr); the inputs are large enough that seconds of work remain then.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "SKIP: script(1) (util-linux) is absent"; exit 77; }
: "${GEN_KEYS:?GEN_KEYS must point at the gen_keys binary (ctest sets it)}"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"

# ~95 MiB of lines; fewer under the sanitizers (each step is ~10x slower there).
"$GEN_KEYS" --keys "${PROGRESS_KEYS:-200000}" >"$WORK/big.jsonl"
"$METACTL" import --raft-dir "$WORK/src" --db "$WORK/big.jsonl" 2>/dev/null

# Colour codes of the log level removed, carriage returns kept (they are the redraws).
strip_colour() { sed 's/\x1b\[[0-9;]*m//g'; }

# ---------------------------------------------------------------- progress on a terminal
script -qec "'$METACTL' import --raft-dir '$WORK/t1' --db '$WORK/big.jsonl'" /dev/null | strip_colour |
  tr -d '\r' >"$WORK/tty_import"
# Redraws are "ESC[K<line>" on one physical line; its last state is the line's end.
grep -q 'import [0-9.]* [KMG]iB / [0-9.]* MiB ([0-9]*%)' "$WORK/tty_import" ||
  { cat -v "$WORK/tty_import"; fail "no import progress line with done / total and % on a terminal"; }
grep -B1 '^\[info\] imported' "$WORK/tty_import" | head -1 | grep -Eq 'import [0-9.]+ MiB / [0-9.]+ MiB \(100%\), .*/s, ETA 0:00$' ||
  { cat -v "$WORK/tty_import"; fail "the import's progress line does not end (100%, newline) before the final message"; }
pass "import --db FILE on a terminal: bytes read / file size with %, rate, ETA; the line ends before 'imported ...'"

script -qec "'$METACTL' export --raft-dir '$WORK/src' --db '$WORK/e1'" /dev/null | strip_colour | tr -d '\r' >"$WORK/tty_export"
grep -B1 '^\[info\] exported' "$WORK/tty_export" | head -1 | grep -Eq 'export [0-9]+ / [0-9]+ records \(100%\), [0-9]+ records/s, ETA 0:00$' ||
  { cat -v "$WORK/tty_export"; fail "no export progress line ending (100%) before the final message"; }
pass "export --raft-dir on a terminal: records / total with %, ended before 'exported ...'"

script -qec "'$METACTL' export --raft-dir '$WORK/src' --db '$WORK/e2' --progress=never" /dev/null | strip_colour |
  tr -d '\r' >"$WORK/tty_never"
! grep -q 'records/s' "$WORK/tty_never" || { cat -v "$WORK/tty_never"; fail "--progress=never drew a line"; }
pass "--progress=never on a terminal: no progress line"

# ---------------------------------------------------------------- stderr on a pipe
"$METACTL" import --raft-dir "$WORK/t2" --db "$WORK/big.jsonl" 2>&1 >/dev/null | cat >"$WORK/pipe_import"
[ "$(grep -cv '^\[' "$WORK/pipe_import")" = 0 ] || { cat -v "$WORK/pipe_import"; fail "a progress line on a pipe"; }
grep -q '^\[info\] imported' "$WORK/pipe_import" || fail "no final message on a pipe"
pass "stderr on a pipe: the messages only"

"$METACTL" import --raft-dir "$WORK/t3" --db "$WORK/big.jsonl" --progress=always 2>&1 >/dev/null | cat >"$WORK/always"
grep -Eq '^import [0-9.]+ MiB / [0-9.]+ MiB \(100%\), .*ETA 0:00$' "$WORK/always" ||
  { cat -v "$WORK/always"; fail "--progress=always on a pipe: no progress line"; }
! grep -q $'\x1b' "$WORK/always" || fail "--progress=always on a pipe: escape codes written"
pass "--progress=always on a pipe: one plain line per update"
expect_fail 2 "--progress: .*sometimes" "$METACTL" export --raft-dir "$WORK/src" --progress=sometimes
pass "--progress=sometimes: usage error"

# ---------------------------------------------------------------- SIGINT
# The signal must come while the job is working, whatever the machine's speed: each job runs
# under strace, which delays every read, pread64, write and writev it makes by 1 ms, so it is
# mid-run when the first progress line shows. The stream's reads bound an import; an export
# reads its raft dir in 2 MiB blocks and writes 1 MiB chunks, too few to slow it, so it also
# waits 50 ms before each chunk it writes (the export-write-chunk failpoint; backup's metadata
# export too). Restore's metadata import reads a file in large blocks: it waits 50 ms before
# each 256 KiB batch of lines (import-read-batch). Without them, on a fast machine the job
# could end before the signal. The assertions are about what the signal leaves, not about time.
command -v strace >/dev/null || { [ "${METASRV_TEST_REQUIRE_SERVERS:-0}" = 1 ] && fail "strace is missing (scripts/install-deps.sh installs it)"; echo "SKIP: no strace"; exit 77; }

# Starts "$@" slowed (above) in the background (stderr to $WORK/err), waits until its stderr
# matches $1, sends SIGINT to the job itself (not to strace). finish_job then waits for it and
# sets $RC to its exit code (strace exits with its tracee's code).
interrupt_when() {
  local pattern=$1; shift
  # Job control on: a background job of a script otherwise starts with SIGINT ignored.
  set -m
  "${STRACE[@]}" -f -qq -o /dev/null -e trace=read,pread64,write,writev \
    -e inject=read,pread64,write,writev:delay_enter=1000 "$@" 2>"$WORK/err" >/dev/null &
  JOB=$!
  set +m
  # Up to 120 s for the first progress line (a fraction of a second on an idle machine).
  for _ in $(seq 1200); do
    grep -q -- "$pattern" "$WORK/err" && break
    kill -0 "$JOB" 2>/dev/null || break
    sleep 0.1
  done
  grep -q -- "$pattern" "$WORK/err" || { cat "$WORK/err"; fail "no progress line from: $*"; }
  local target
  target=$(pgrep -P "$JOB" | head -n 1)
  [ -n "$target" ] || { cat "$WORK/err"; fail "the job ended before SIGINT: $*"; }
  # env runs the command in its own process (exec): the child of strace is the command.
  kill -INT "$target" 2>/dev/null || { cat "$WORK/err"; fail "the job ended before SIGINT: $*"; }
}
finish_job() {
  RC=0
  wait "$JOB" || RC=$?
}

METASRV_FAILPOINTS='export-write-chunk=delay(50)' \
  interrupt_when '^export ' "$METACTL" export --raft-dir "$WORK/src" --db "$WORK/out.jsonl" --progress=always
finish_job
[ "$RC" = 130 ] || { cat "$WORK/err"; fail "export: exit $RC after SIGINT, expected 130"; }
grep -q "^metactl export: interrupted: removed $WORK/out.jsonl.part; $WORK/out.jsonl not written\$" "$WORK/err" ||
  { cat "$WORK/err"; fail "export: no 'interrupted' message"; }
[ ! -e "$WORK/out.jsonl.part" ] && [ ! -e "$WORK/out.jsonl" ] || fail "export: .part or output left"
pass "SIGINT during export --db: exit 130, 'removed F.part; F not written', neither file left"

# Import from a FIFO whose write end stays open: whatever the machine's speed, the import is
# mid-stream when signalled; closing the FIFO afterwards lets it read on and see the signal.
"$METACTL" import --allow-no-footer --raft-dir "$WORK/dst" --db "$TESTDATA_DIR/own_v004.jsonl" 2>/dev/null
BEFORE=$(tree_digest "$WORK/dst")
mkfifo "$WORK/feed"
exec 3<>"$WORK/feed"
head -n 100000 "$WORK/big.jsonl" >&3 &
FEEDER=$!
interrupt_when '^import ' "$METACTL" import --raft-dir "$WORK/dst" --force --progress=always --db "$WORK/feed"
# No writer left: the import reads what is buffered, then the end of the stream.
kill "$FEEDER" 2>/dev/null || true
wait "$FEEDER" 2>/dev/null || true
exec 3>&-
finish_job
[ "$RC" = 130 ] || { cat "$WORK/err"; fail "import: exit $RC after SIGINT, expected 130"; }
grep -q "^metactl import: interrupted: removed the staging dir; raft dir $WORK/dst left unchanged\$" "$WORK/err" ||
  { cat "$WORK/err"; fail "import: no 'interrupted' message"; }
[ ! -e "$WORK/dst.import-staging" ] || fail "import: staging dir left"
[ "$(tree_digest "$WORK/dst")" = "$BEFORE" ] || fail "import: the raft dir changed"
pass "SIGINT during import: exit 130, staging dir removed, raft dir byte-for-byte as before"

# SIGTERM to an import whose stdin stalls: its writer stays open and writes nothing more (the
# import itself holds the FIFO's write end too, so no end of stream ever comes). The read that
# waits sees the signal (before, a blocked read ignored it until input moved).
mkfifo "$WORK/stall"
exec 4<>"$WORK/stall"
head -n 50 "$WORK/big.jsonl" >&4  # ~25 KB: fits in the pipe, so nobody needs to read it yet
"$METACTL" import --raft-dir "$WORK/stalled" <"$WORK/stall" 2>"$WORK/err" >/dev/null &
JOB=$!
for _ in $(seq 300); do [ -e "$WORK/stalled.import-staging" ] && break; sleep 0.1; done  # it runs
[ -e "$WORK/stalled.import-staging" ] || { cat "$WORK/err"; fail "the stalled import did not start"; }
kill -TERM "$JOB"
for _ in $(seq 300); do kill -0 "$JOB" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$JOB" 2>/dev/null; then kill -9 "$JOB"; fail "import on a stalled stdin ignored SIGTERM for 30 s"; fi
RC=0; wait "$JOB" || RC=$?
exec 4>&-
[ "$RC" = 130 ] || { cat "$WORK/err"; fail "stalled import: exit $RC after SIGTERM, expected 130"; }
grep -q "^metactl import: interrupted: removed the staging dir" "$WORK/err" || { cat "$WORK/err"; fail "stalled import: no 'interrupted' message"; }
[ ! -e "$WORK/stalled.import-staging" ] && [ ! -e "$WORK/stalled" ] || fail "stalled import: staging dir or target left"
pass "SIGTERM to an import whose stdin stalls: exit 130, staging dir removed"

# Backup: signalled in its metadata phase; its temp export (in TMPDIR) and its lock go away.
mkdir -p "$WORK/tmp"
METASRV_FAILPOINTS='export-write-chunk=delay(50)' \
  interrupt_when '^backup-metadata ' env TMPDIR="$WORK/tmp" "$METACTL" backup "$WORK/loc" --meta-raft-dir "$WORK/src" --progress=always
finish_job
[ "$RC" = 130 ] || { cat "$WORK/err"; fail "backup: exit $RC after SIGINT, expected 130"; }
grep -q "^metactl backup: interrupted: no manifest was written to .* and its lock was released" "$WORK/err" ||
  { cat "$WORK/err"; fail "backup: no 'interrupted' message"; }
[ -z "$(ls -A "$WORK/loc/locks" 2>/dev/null)" ] || fail "backup: lock left: $(ls "$WORK/loc/locks")"
[ -z "$(ls -A "$WORK/loc/manifests" 2>/dev/null)" ] || fail "backup: manifest written"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "backup: temp export left: $(ls "$WORK/tmp")"
"$METACTL" backup "$WORK/loc" --meta-raft-dir "$WORK/src" >/dev/null 2>&1 || fail "backup after the interrupted one failed"
pass "SIGINT during backup: exit 130, no manifest, no temp file, lock released (the next backup works)"

# Restore: signalled while its metadata import runs; nothing appears at the targets.
METASRV_FAILPOINTS='import-read-batch=delay(50)' \
  interrupt_when '^import ' "$METACTL" restore "$WORK/loc" --latest --raft-dir "$WORK/restored" --confirm --progress=always
finish_job
[ "$RC" = 130 ] || { cat "$WORK/err"; fail "restore: exit $RC after SIGINT, expected 130"; }
grep -q "^metactl restore: interrupted: removed the staging dirs; raft dir $WORK/restored left unchanged\$" "$WORK/err" ||
  { cat "$WORK/err"; fail "restore: no 'interrupted' message"; }
[ ! -e "$WORK/restored" ] && [ ! -e "$WORK/restored.import-staging" ] && [ ! -e "$WORK/restored.restore-metadata" ] ||
  fail "restore: left $(ls -d "$WORK"/restored* )"
pass "SIGINT during restore: exit 130, no staging dir or temp export, target not created"

# A live export: its line has no total (the server gives none); SIGINT cancels the stream.
. "$(dirname "$0")/serve.sh"
seed_live() { "$METACTL" import --raft-dir "$1" --id 1 --initial-cluster "1=127.0.0.1:$2" --db "$WORK/big.jsonl" 2>/dev/null; }
# The server sends each 1 MiB chunk 300 ms late (a failpoint): the export is mid-stream when
# signalled whatever the machine's speed (strace on metactl cannot slow a gRPC stream enough).
METASRV_FAILPOINTS='export-send-chunk=delay(300)' serve_seeded "$WORK/live" seed_live
SRV=$SERVE_PID
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$WORK"' EXIT
G=${SERVE_GRPC#127.0.0.1:}
interrupt_when '^export ' "$METACTL" export --grpc-api-address "127.0.0.1:$G" --db "$WORK/live.jsonl" --progress=always
finish_job
[ "$RC" = 130 ] || { cat "$WORK/err"; fail "live export: exit $RC after SIGINT, expected 130"; }
grep -Eq '^export [0-9]+ records, [0-9]+ records/s$' "$WORK/err" || { cat "$WORK/err"; fail "live export: no 'N records, R records/s' line"; }
grep -q "^metactl export: interrupted: removed $WORK/live.jsonl.part; $WORK/live.jsonl not written\$" "$WORK/err" ||
  { cat "$WORK/err"; fail "live export: no 'interrupted' message"; }
[ ! -e "$WORK/live.jsonl.part" ] && [ ! -e "$WORK/live.jsonl" ] || fail "live export: .part or output left"
pass "SIGINT during a live export: records and rate (no %), exit 130, no .part left"
done_checks
