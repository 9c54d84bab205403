#!/usr/bin/env bash
# Acceptance 3: kill -9 during a backup leaves no manifest; the next backup succeeds and re-uses
# the blocks already written. The dead backup's lock is reported stale and --break-lock clears it.
source "$(dirname "$0")/lib.sh"
start=$SECONDS
mkdir -p "$T/data"
for i in 1 2 3 4; do head -c $(( 16 * 1024 * 1024 )) /dev/urandom >"$T/data/f$i.bin"; done
repo="$T/repo"

# Small blocks and one worker: thousands of synced writes, slow enough to be killed midway.
"$METACTL" backup "$repo" --data "$T/data" --block-size 8KiB --workers 1 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 400); do
  [[ $(count_objects "$repo/data") -ge 200 ]] && break
  sleep 0.025
done
kill -9 "$pid" 2>/dev/null || fail "backup finished before it could be killed"
wait "$pid" 2>/dev/null || true
written=$(count_objects "$repo/data")
echo "killed after $written blocks"
[[ "$written" -ge 200 ]] || fail "backup was not under way when killed"
[[ $(count_objects "$repo/manifests") == 0 ]] || fail "a killed backup left a manifest"
listed=$("$METACTL" backups "$repo" --json) || fail "backups failed on the killed backup's location"
[[ "$listed" == "[]" ]] || fail "backups lists the killed backup: $listed"
ok "kill -9: no manifest"

out=$("$METACTL" backup "$repo" --data "$T/data" --block-size 8KiB --json)
echo "$out"
total=$(json_field "$out" blocks)  # the blocks the backup references
[[ "$total" -gt 4000 ]] || fail "64 MiB in 8 KiB average blocks gave only $total blocks"
new=$(json_field "$out" new_blocks)
reused=$(json_field "$out" reused_blocks)
[[ $(( new + reused )) == "$total" ]] || fail "blocks: new $new + reused $reused != $total"
[[ "$reused" -ge "$written" ]] || fail "the next backup re-used only $reused of $written blocks"
[[ $(count_objects "$repo/manifests") == 1 ]] || fail "no manifest after the second backup"
"$METACTL" restore "$repo" --latest --data-to "$T/out" --confirm >/dev/null
diff <(tree_listing "$T/data") <(tree_listing "$T/out") || fail "restore after kill differs"
ok "next backup succeeds, re-uses $reused blocks, restores identical"

# The dead backup's shared lock blocks vacuum until broken.
[[ $(count_objects "$repo/locks") == 1 ]] || fail "expected the dead backup's lock"
if "$METACTL" vacuum "$repo" --max-backups 1 --confirm 2>"$T/err"; then fail "vacuum ignored a lock"; fi
cat "$T/err"
grep -q "stale" "$T/err" || fail "lock not reported stale"
grep -q -- "--break-lock" "$T/err" || fail "message does not mention --break-lock"
"$METACTL" vacuum "$repo" --max-backups 1 --confirm --break-lock
[[ $(count_objects "$repo/locks") == 0 ]] || fail "lock not removed"
"$METACTL" verify "$repo" --read-data >/dev/null || fail "verify after vacuum"
ok "stale lock reported, removed with --break-lock; vacuum then ran"
echo "kill_backup: all checks passed in $(( SECONDS - start )) s"
