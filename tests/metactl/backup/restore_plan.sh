#!/usr/bin/env bash
# Issue 13, point 4: restore tells the truth. The exact commands of the three cases:
#   1. `restore LOC --latest --raft-dir R --confirm` (no --data-to): the plan (printed before the
#      work, so also when the work then fails) says the data files are not restored, and the
#      summary counts only what was restored (metadata N records, no data files);
#   2. `restore LOC --latest --data-to NONEMPTY` (dry run) fails with the message and exit code
#      of the same command with --confirm, instead of saying every block is present;
#   3. `restore LOC --latest --raft-dir R` (dry run, no --initial-cluster) names the node the dir
#      will be and warns that it keeps the backed-up node's identity (suggesting --id and
#      --initial-cluster); with them, no warning and the new membership is named.
source "$(dirname "$0")/lib.sh"
: "${TESTDATA_DIR:?TESTDATA_DIR must point at testdata/}"

# A raft dir of node 1 in a 3-member cluster (addresses stored only: nothing listens on them).
"$METACTL" import --allow-no-footer --raft-dir "$T/src" --db "$TESTDATA_DIR/own_v004.jsonl" --id 1 \
  --initial-cluster 1=127.0.0.1:29001 2=127.0.0.1:29002 3=127.0.0.1:29003 2>/dev/null
mkdir -p "$T/data/sub"
head -c 100000 /dev/urandom >"$T/data/a.bin"
head -c 30000 /dev/urandom >"$T/data/sub/b.bin"
"$METACTL" backup "$T/repo" --meta-raft-dir "$T/src" --data "$T/data" --block-size 4KiB >/dev/null
records=$("$METACTL" backups "$T/repo" --json | sed -n 's/.*"metadata_records":\([0-9]*\).*/\1/p')
[[ -n "$records" && "$records" -gt 0 ]] || fail "no metadata records in the backup"

# 1. Metadata only: the summary counts what was restored.
"$METACTL" restore "$T/repo" --latest --raft-dir "$T/r1" --confirm >"$T/out1" 2>"$T/err1"
cat "$T/out1"
grep -qx "2 data files (127.0 KiB): not restored (no --data-to)" "$T/out1" || fail "the plan does not say the data files are not restored"
grep -Eqx "restored backup [0-9_]+: metadata $records records, no data files" "$T/out1" \
  || fail "the summary does not count what was restored"
[[ $(tail -n 1 "$T/out1") == "restored backup "* ]] || fail "the summary is not the last line"
ok "restore --raft-dir --confirm without --data-to: summary 'metadata $records records, no data files'"

# The plan is printed before the work: a damaged block fails the work, after the plan.
blk=$(ls "$T/repo/data" | head -n 1)
cp "$T/repo/data/$blk" "$T/block.keep"
printf 'X' | dd of="$T/repo/data/$blk" bs=1 seek=10 conv=notrunc status=none
rc=0; "$METACTL" restore "$T/repo" --latest --raft-dir "$T/r2" --data-to "$T/d2" --confirm >"$T/out2" 2>"$T/err2" || rc=$?
[[ $rc == 1 ]] || { cat "$T/err2"; fail "restore with a damaged block: exit $rc, want 1"; }
grep -q "^restore 2 files (127.0 KiB), 1 directories and 0 symlinks into $T/d2" "$T/out2" || { cat "$T/out2"; fail "no plan before the failed work"; }
! grep -q "^restored backup" "$T/out2" || fail "a failed restore printed a summary"
cp "$T/block.keep" "$T/repo/data/$blk"
ok "the plan is printed before the work (also when the work then fails), no summary on failure"

# 2. A dry run into a non-empty --data-to fails as the real run does.
mkdir -p "$T/busy"; echo keep >"$T/busy/x"
rc_dry=0; "$METACTL" restore "$T/repo" --latest --data-to "$T/busy" >"$T/dry.out" 2>"$T/dry.err" || rc_dry=$?
rc_real=0; "$METACTL" restore "$T/repo" --latest --data-to "$T/busy" --confirm >/dev/null 2>"$T/real.err" || rc_real=$?
cat "$T/dry.err"
[[ $rc_dry == 1 && $rc_real == 1 ]] || fail "non-empty --data-to: dry run exit $rc_dry, real run exit $rc_real; want 1 and 1"
cmp "$T/dry.err" "$T/real.err" || fail "the dry run's message differs from the real run's"
grep -q "is not an empty directory" "$T/dry.err" || fail "the message does not say the target is not empty"
! grep -q "every block of the backup is present" "$T/dry.out" || fail "the failing dry run still says all is well"
[[ $(cat "$T/busy/x") == keep ]] || fail "the target was changed"
ok "dry run into a non-empty --data-to: exit 1 with the real run's message"

# 3. The node identity: without --initial-cluster a warning, with it none.
"$METACTL" restore "$T/repo" --latest --raft-dir "$T/r3" >"$T/id.out" 2>"$T/id.err"
cat "$T/id.out" "$T/id.err"
grep -qx "the restored raft dir will be node 1 with the backed-up membership: 1 at 127.0.0.1:29001, 2 at 127.0.0.1:29002, 3 at 127.0.0.1:29003" "$T/id.out" \
  || fail "the dry run does not name the node identity"
grep -q "^\[warning\] metactl restore: without --initial-cluster the restored node keeps the backed-up cluster's identity (node 1, peers 1 at 127.0.0.1:29001, 2 at 127.0.0.1:29002, 3 at 127.0.0.1:29003)" "$T/id.err" \
  || fail "no warning about the cloned identity"
grep -q "give --id N and --initial-cluster" "$T/id.err" || fail "the warning does not say what to give"
[[ ! -e "$T/r3" ]] || fail "the dry run wrote the raft dir"
"$METACTL" restore "$T/repo" --latest --raft-dir "$T/r4" --id 4 --initial-cluster 4=127.0.0.1:29004 5=127.0.0.1:29005 \
  >"$T/id4.out" 2>"$T/id4.err"
grep -qx "the restored raft dir will be node 4 of a new cluster of 2 member(s): 4 at 127.0.0.1:29004, 5 at 127.0.0.1:29005" "$T/id4.out" \
  || { cat "$T/id4.out"; fail "the new identity is not named"; }
! grep -q "warning" "$T/id4.err" || { cat "$T/id4.err"; fail "a warning with --initial-cluster"; }
ok "dry run names the resulting node; warns (with --id/--initial-cluster) only when it clones the backed-up one"

# --json: the plan on stderr, one object on stdout, counting what was restored.
"$METACTL" restore "$T/repo" --latest --raft-dir "$T/r5" --confirm --json >"$T/j.out" 2>"$T/j.err"
[[ $(wc -l <"$T/j.out") == 1 ]] || { cat "$T/j.out"; fail "restore --json printed more than one line on stdout"; }
grep -q '"files_restored":0,"bytes_restored":0,"metadata_restored":true,"metadata_records":'"$records" "$T/j.out" \
  || { cat "$T/j.out"; fail "restore --json does not count what was restored"; }
grep -q "not restored (no --data-to)" "$T/j.err" || fail "restore --json: no plan on stderr"
ok "restore --json: plan on stderr, result on stdout"
