#!/usr/bin/env bash
# Issue 17, 6c: two backups started at the same second to one location (a directory, then S3)
# with `metactl vacuum --confirm` running beside them, and an S3 endpoint that drops the
# connection after N PUTs (flaky_s3_proxy.js, in front of s3rver). The locking documented in
# docs/backup.md ("Locking"): backups take shared locks and run side by side; a vacuum that
# finds a backup running refuses (exit 1, "is in use", names the backup's lock), and so does a
# backup that finds a vacuum running; neither waits. Checked: each run succeeds or fails cleanly
# (exit 1, a clear message, no manifest, no lock left), `backups` lists exactly the runs that
# succeeded, `verify --read-data` passes, every listed backup restores byte-identical to its
# sources (data files and metadata export), and the rerun after the flaky failure re-uses the
# blocks the failed run uploaded (its --json: reused_blocks; the proxy's log: not sent again).
source "$(dirname "$0")/lib.sh"
: "${GEN_KEYS:?GEN_KEYS must point at gen_keys}"
start=$SECONDS
proxy_js="$(cd "$(dirname "$0")" && pwd)/flaky_s3_proxy.js"
BS=16KiB

# Sources: two raft dirs with different metadata, three data dirs (d1 and d2 share a file, so
# the two concurrent backups store some of the same blocks at the same time).
"$METACTL" import --raft-dir "$T/r1" --db "$TESTDATA_DIR/own_v004.jsonl" --allow-no-footer 2>/dev/null ||
  fail "import own_v004.jsonl"
"$GEN_KEYS" --keys 2000 | "$METACTL" import --raft-dir "$T/r2" --id 1 \
  --initial-cluster 1=127.0.0.1:1 2>/dev/null || fail "import of gen_keys"
head -c $(( 1024 * 1024 )) /dev/urandom >"$T/shared.bin"
mkdata() {  # mkdata DIR MIB: MIB MiB of random files, the shared file, a sub-dir and a symlink
  mkdir -p "$1/sub"
  local i
  for i in $(seq 1 "$2"); do head -c $(( 1024 * 1024 - i * 1000 )) /dev/urandom >"$1/sub/f$i.bin"; done
  cp "$T/shared.bin" "$1/shared.bin"; : >"$1/empty"; ln -s sub/f1.bin "$1/link"
}
mkdata "$T/d1" 4; mkdata "$T/d2" 4; mkdata "$T/d3" 3
declare -A SRC_RAFT SRC_DATA   # backup id -> its sources, for the restores at the end

# check_run NAME RC OUT_FILE ERR_FILE: a run that succeeded printed its JSON; one that failed
# exited 1 (never a crash or a usage error) and said why. Prints the id of a successful run.
check_run() {
  local name=$1 rc=$2 out=$3 err=$4
  if [[ $rc == 0 ]]; then
    local id; id=$(json_field "$(cat "$out")" id)
    [[ -n "$id" ]] || fail "$name: exit 0 without an id: $(cat "$out")"
    echo "$id"
  else
    [[ $rc == 1 ]] || fail "$name: exit $rc (want 0 or 1): $(cat "$err")"
    grep -q "no manifest was written" "$err" || fail "$name failed without saying so: $(cat "$err")"
  fi
}

# listed LOC -> the ids `metactl backups` lists, one a line, sorted
listed() { "$METACTL" backups "$1" --json | grep -o '"id":"[^"]*"' | cut -d'"' -f4 | sort; }

# vacuum_beside LOC PID1 PID2: runs `vacuum --confirm` (keeping every backup: only blocks no
# manifest references may go) again and again while either backup runs. Each run either
# succeeds or refuses with exit 1 because a backup holds its shared lock. Sets $refused.
vacuum_beside() {
  local loc=$1 rc n=0; refused=0
  while kill -0 "$2" 2>/dev/null || kill -0 "$3" 2>/dev/null; do
    n=$((n + 1)); rc=0
    "$METACTL" vacuum "$loc" --max-backups 1000 --confirm >"$T/vac.out" 2>"$T/vac.err" || rc=$?
    if [[ $rc == 1 ]]; then
      grep -q "is in use: shared lock .* held by backup on host" "$T/vac.err" ||
        fail "vacuum $n refused for another reason: $(cat "$T/vac.err")"
      refused=$((refused + 1))
    elif [[ $rc != 0 ]]; then
      fail "vacuum $n: exit $rc: $(cat "$T/vac.err")"
    fi
  done
  echo "vacuum ran $n times beside the backups, refused $refused times"
}

# two_backups LOC WAIT_LOCKS: starts a backup of (r1, d1) and one of (r2, d2) at the
# same moment, waits (WAIT_LOCKS) until both hold their shared lock, then runs vacuum beside
# them. Both must succeed: shared locks do not exclude each other.
two_backups() {
  local loc=$1 wait_locks=$2
  local p1 p2 rc1=0 rc2=0 id1 id2
  # Each block upload waits 20 ms (failpoint): ~300 blocks on 2 workers hold each lock for
  # seconds, so both are seen held together however late one process starts (without it,
  # compressed 16 KiB blocks let one backup end before a slow start of the other).
  METASRV_FAILPOINTS="backup-upload=delay(20)" "$METACTL" backup "$loc" --meta-raft-dir "$T/r1" --data "$T/d1" \
    --block-size $BS --workers 2 --json >"$T/b1.out" 2>"$T/b1.err" & p1=$!
  METASRV_FAILPOINTS="backup-upload=delay(20)" "$METACTL" backup "$loc" --meta-raft-dir "$T/r2" --data "$T/d2" \
    --block-size $BS --workers 2 --json >"$T/b2.out" 2>"$T/b2.err" & p2=$!
  # Both locks taken (bounded: 30 s for two process starts on a loaded machine).
  for _ in $(seq 1 600); do $wait_locks && break; sleep 0.05; done
  $wait_locks || fail "the two backups did not both take their lock: $(cat "$T/b1.err" "$T/b2.err")"
  # One vacuum while both are held still (SIGSTOP) with their shared locks: it must be refused.
  # Without the stop, on a fast run both backups may end before a vacuum process has started.
  local vrc=0
  kill -STOP $p1 $p2
  "$METACTL" vacuum "$loc" --max-backups 1000 --confirm >"$T/vac.out" 2>"$T/vac.err" || vrc=$?
  kill -CONT $p1 $p2
  [[ $vrc == 1 ]] && grep -q "is in use: shared lock .* held by backup on host" "$T/vac.err" ||
    fail "a vacuum beside two running backups: exit $vrc (want 1, refused): $(cat "$T/vac.err")"
  vacuum_beside "$loc" $p1 $p2
  wait $p1 || rc1=$?; wait $p2 || rc2=$?
  [[ $rc1 == 0 && $rc2 == 0 ]] || fail "concurrent backups: exit $rc1 and $rc2: $(cat "$T/b1.err" "$T/b2.err")"
  id1=$(check_run "backup 1" $rc1 "$T/b1.out" "$T/b1.err")
  id2=$(check_run "backup 2" $rc2 "$T/b2.out" "$T/b2.err")
  [[ "$id1" != "$id2" ]] || fail "two successful backups with one id $id1"
  listed "$loc" | grep -qx "$id1" || fail "backup 1 succeeded ($id1) but its manifest is not listed"
  listed "$loc" | grep -qx "$id2" || fail "backup 2 succeeded ($id2) but its manifest is not listed"
  SRC_RAFT[$loc/$id1]=$T/r1; SRC_DATA[$loc/$id1]=$T/d1
  SRC_RAFT[$loc/$id2]=$T/r2; SRC_DATA[$loc/$id2]=$T/d2
  ok "$loc: two backups at once both succeed ($id1, $id2); vacuum beside them refused $((refused + 1)) times"
}

# check_location LOC EXPECTED_IDS: lists exactly EXPECTED_IDS, no lock left,
# verify --read-data passes, each backup restores byte-identical to its sources.
check_location() {
  local loc=$1 want=$2 id n=0
  [[ "$(listed "$loc")" == "$want" ]] || fail "$loc lists $(listed "$loc" | tr '\n' ' '), want $want"
  "$METACTL" verify "$loc" --read-data >"$T/verify.out" 2>&1 ||
    fail "verify --read-data: $(cat "$T/verify.out")"
  for id in $want; do
    n=$((n + 1))
    local raft=()
    [[ -n "${SRC_RAFT[$loc/$id]:-}" ]] && raft=(--raft-dir "$T/rr-$n")
    "$METACTL" restore "$loc" --backup "$id" "${raft[@]}" --data-to "$T/rd-$n" \
      --confirm >/dev/null 2>"$T/restore.err" || fail "restore $id: $(cat "$T/restore.err")"
    diff <(tree_listing "${SRC_DATA[$loc/$id]}") <(tree_listing "$T/rd-$n") >/dev/null ||
      fail "backup $id: restored data differs from ${SRC_DATA[$loc/$id]}"
    if [[ -n "${SRC_RAFT[$loc/$id]:-}" ]]; then
      cmp <(export_of "${SRC_RAFT[$loc/$id]}") <(export_of "$T/rr-$n") ||
        fail "backup $id: restored metadata differs from ${SRC_RAFT[$loc/$id]}"
    fi
    rm -rf "$T/rr-$n" "$T/rd-$n"
  done
  ok "$loc: lists exactly $(echo $want), verify --read-data passes, each restores byte-identical"
}

# ---- A directory location.
repo="$T/repo"
mkdir -p "$repo"
dir_locks() { [[ $(find "$repo/locks" -name 'shared-*.lock' 2>/dev/null | wc -l) -ge 2 ]]; }
two_backups "$repo" dir_locks
[[ $(count_objects "$repo/locks") == 0 ]] || fail "a lock is left in $repo/locks"
check_location "$repo" "$(printf '%s\n' "${!SRC_DATA[@]}" | sed "s|^$repo/||" | sort)"

# ---- S3: s3rver behind the proxy.
start_s3rver bkt || exit $?
mkdir -p "$T/proxy"; : >"$T/proxy/control"; : >"$T/proxy/log"
# control TEXT: the proxy's rules (flaky_s3_proxy.js), replaced in one rename (it reads the file
# on every request, so it must never see half of it).
control() { printf '%b' "$1" >"$T/proxy/control.tmp"; mv "$T/proxy/control.tmp" "$T/proxy/control"; }
node "$proxy_js" "${endpoint##*:}" "$T/proxy/control" "$T/proxy/log" >"$T/proxy/out" 2>&1 &
proxy_pid=$!
CLEANUPS+=("kill $proxy_pid")
for _ in $(seq 1 100); do  # node's start: up to 10 s on a loaded machine
  pport=$(sed -n 's/^proxy listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$T/proxy/out")
  [[ -n "$pport" ]] && break; sleep 0.1
done
[[ -n "$pport" ]] || fail "the proxy did not start: $(cat "$T/proxy/out")"
export AWS_ENDPOINT_URL="http://127.0.0.1:$pport"   # every command goes through the proxy
loc="s3://bkt/site"
echo "s3rver at $endpoint, proxy at 127.0.0.1:$pport"
s3_objects() {  # s3_objects DIR: objects s3rver holds under site/DIR
  if [[ -d "$T/s3/store/bkt/site/$1" ]]; then find "$T/s3/store/bkt/site/$1" -name '*._S3rver_object' | wc -l; else echo 0; fi
}
puts_ok() { grep -c "^PUT /bkt/site/$1.* 200 at " "$T/proxy/log" || true; }

# Two backups at once, with vacuum beside them: the proxy holds each one's lock PUT until the
# other's arrives, so they start together.
control 'pair PUT /locks/shared-\n'
s3_locks() { [[ $(puts_ok locks/shared-) -ge 2 ]]; }
two_backups "$loc" s3_locks
control ""

# Two small backups that start together finish in the same second and want the same manifest
# id; the proxy also holds each one's manifest HEAD until the other's arrives, so both would
# find the id free (s3rver, like some S3 stores, ignores If-None-Match). Both must succeed with
# their own manifest: the second to claim the id sees the first one's claim in its lock and
# takes a later second. Rounds until they met (a round where they finished in different
# seconds proves nothing).
mkdir -p "$T/s1" "$T/s2"
met=0
for round in 1 2 3 4 5; do
  control "# round $round\npair PUT /locks/shared-\npair HEAD /manifests/\n"
  head -c 5000 /dev/urandom >"$T/s1/r$round"; head -c 5000 /dev/urandom >"$T/s2/r$round"
  cp -a "$T/s1" "$T/s1-$round"; cp -a "$T/s2" "$T/s2-$round"
  "$METACTL" backup "$loc" --data "$T/s1-$round" --json >"$T/m1.out" 2>"$T/m1.err" & p1=$!
  "$METACTL" backup "$loc" --data "$T/s2-$round" --json >"$T/m2.out" 2>"$T/m2.err" & p2=$!
  rc1=0; rc2=0; wait $p1 || rc1=$?; wait $p2 || rc2=$?
  cat "$T/m1.err" "$T/m2.err"
  [[ $rc1 == 0 && $rc2 == 0 ]] || fail "same-second backups: exit $rc1 and $rc2: $(cat "$T/m1.err" "$T/m2.err")"
  id1=$(check_run "backup 1" $rc1 "$T/m1.out" "$T/m1.err")
  id2=$(check_run "backup 2" $rc2 "$T/m2.out" "$T/m2.err")
  [[ "$id1" != "$id2" ]] || fail "two successful backups with one id $id1 (round $round)"
  listed "$loc" | grep -qx "$id1" || fail "backup 1 succeeded ($id1) but its manifest is not listed"
  listed "$loc" | grep -qx "$id2" || fail "backup 2 succeeded ($id2) but its manifest is not listed"
  SRC_DATA[$loc/$id1]=$T/s1-$round; SRC_DATA[$loc/$id2]=$T/s2-$round
  if cat "$T/m1.err" "$T/m2.err" |
       grep -q "backup id .* is taken (manifest .* is being written by the backup of shared lock"; then
    met=$round; break
  fi
done
control ""
[[ $met -gt 0 ]] || fail "in 5 rounds the two backups never wanted the same manifest id"
ok "same second on S3: both succeed with their own manifest ($id1, $id2; round $met)"

# A backup that finds a vacuum running refuses: the proxy holds the vacuum's lock release
# until this test sends its partner request.
control 'pair DELETE /locks/exclusive-\n'
vlocks=$(puts_ok locks/exclusive-)
"$METACTL" vacuum "$loc" --max-backups 1000 --confirm >/dev/null 2>"$T/vac.err" & vpid=$!
# Its lock is written (bounded: 30 s).
for _ in $(seq 1 600); do [[ $(puts_ok locks/exclusive-) -gt $vlocks ]] && break; sleep 0.05; done
[[ $(puts_ok locks/exclusive-) -gt $vlocks ]] || fail "the vacuum did not take its lock: $(cat "$T/vac.err")"
rc=0
"$METACTL" backup "$loc" --data "$T/d3" --block-size $BS --json >"$T/b.out" 2>"$T/b.err" || rc=$?
# The partner that lets the vacuum's DELETE go (unsigned: s3rver refuses it, which is fine).
( exec 3<>"/dev/tcp/127.0.0.1/$pport"
  printf 'DELETE /bkt/site/locks/exclusive-partner HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
  cat <&3 >/dev/null ) || true
wait $vpid || fail "vacuum: $(cat "$T/vac.err")"
control ""
[[ $rc == 1 ]] || fail "a backup beside a running vacuum: exit $rc: $(cat "$T/b.err")"
check_run "backup beside vacuum" $rc "$T/b.out" "$T/b.err"
grep -q "is in use: exclusive lock .* held by vacuum on host .*: wait for it to finish" "$T/b.err" ||
  fail "backup beside vacuum: $(cat "$T/b.err")"
[[ $(s3_objects locks) == 0 ]] || fail "a lock is left after the vacuum and the refused backup"
[[ $(s3_objects manifests) == $(listed "$loc" | wc -l) ]] || fail "manifest objects differ from the list"
ok "a backup that finds a vacuum running refuses (exit 1, names the vacuum's lock)"

# The flaky endpoint: after 40 more PUTs every PUT loses its connection. The backup retries
# (docs/backup.md, "S3 settings"), gives up, exits 1 and leaves no manifest and no lock.
before=$(listed "$loc")
log_lines=$(wc -l <"$T/proxy/log")
control "drop_puts_after $(( $(grep -c '^PUT ' "$T/proxy/log") + 40 ))\n"
rc=0
"$METACTL" backup "$loc" --meta-raft-dir "$T/r1" --data "$T/d3" --block-size $BS \
  --workers 2 --json >"$T/f.out" 2>"$T/f.err" || rc=$?
control ""
cat "$T/f.err"
check_run "flaky backup" $rc "$T/f.out" "$T/f.err" >/dev/null
[[ $rc == 1 ]] || fail "the backup through the flaky endpoint did not fail"
grep -q "write block data/.*PUT .*(after 8 attempts)" "$T/f.err" || fail "message does not name the PUT"
[[ "$(listed "$loc")" == "$before" ]] || fail "the failed backup changed the list of backups"
[[ $(s3_objects locks) == 0 ]] || fail "the failed backup left its lock"
tail -n +$(( log_lines + 1 )) "$T/proxy/log" >"$T/flaky.log"
grep -q ' dropped at ' "$T/flaky.log" || fail "the proxy dropped nothing"
grep '^PUT /bkt/site/data/.* 200 at ' "$T/flaky.log" | cut -d' ' -f2 | sort -u >"$T/uploaded"
uploaded=$(wc -l <"$T/uploaded")
[[ $uploaded -ge 20 ]] || fail "the failed backup uploaded only $uploaded blocks"
ok "flaky endpoint: the backup exits 1 after its retries, no manifest, $uploaded blocks uploaded"

log_lines=$(wc -l <"$T/proxy/log")
"$METACTL" backup "$loc" --meta-raft-dir "$T/r1" --data "$T/d3" --block-size $BS \
  --workers 2 --json >"$T/g.out" 2>"$T/g.err" || fail "rerun: $(cat "$T/g.err")"
out=$(cat "$T/g.out"); echo "rerun: $out"
id3=$(json_field "$out" id)
SRC_RAFT[$loc/$id3]=$T/r1; SRC_DATA[$loc/$id3]=$T/d3
reused=$(json_field "$out" reused_blocks)
[[ $reused -ge $uploaded ]] || fail "the rerun re-used $reused blocks, the failed run uploaded $uploaded"
tail -n +$(( log_lines + 1 )) "$T/proxy/log" | grep '^PUT /bkt/site/data/' | cut -d' ' -f2 | sort -u \
  >"$T/reuploaded"
again=$(comm -12 "$T/uploaded" "$T/reuploaded" | wc -l)
[[ $again == 0 ]] || fail "the rerun uploaded $again blocks again that the failed run had stored"
ok "rerun succeeds and re-uses the $uploaded blocks the failed run uploaded (reused_blocks $reused)"

"$METACTL" vacuum "$loc" --max-backups 1000 --confirm >/dev/null
check_location "$loc" "$(printf '%s\n' "${!SRC_DATA[@]}" | grep "^$loc/" | sed "s|^$loc/||" | sort)"
echo "concurrent_flaky: all checks passed in $(( SECONDS - start )) s"
