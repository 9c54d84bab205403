#!/usr/bin/env bash
# Acceptance 4 through the CLI: vacuum with each flag never deletes a block a kept manifest
# needs (verify --read-data and restores of kept backups pass), never goes below --min-backups,
# a dry run changes nothing, an empty policy is refused. (Ages over days are covered by the
# unit test BackupTest.VacuumKeepsWhatKeptManifestsNeed, which sets backup times.)
source "$(dirname "$0")/lib.sh"
start=$SECONDS
repo="$T/repo"
mkdir -p "$T/data"
head -c 200000 /dev/urandom >"$T/data/stable.bin"
for i in 1 2 3 4 5 6; do
  head -c 100000 /dev/urandom >"$T/data/changing.bin"
  head -c 50000 /dev/urandom >"$T/data/only-$i.bin"
  "$METACTL" backup "$repo" --data "$T/data" --block-size 16KiB >/dev/null
  cp "$T/data/changing.bin" "$T/changing-$i.bin"
done
[[ $(count_objects "$repo/manifests") == 6 ]] || fail "expected 6 backups"
snapshot() { (cd "$repo" && find . -type f | sort | xargs sha256sum); }

check_kept() {
  "$METACTL" verify "$repo" --read-data >/dev/null || fail "verify after vacuum: $*"
  local id
  for id in $(ls "$repo/manifests"); do
    id=${id%.manifest}
    rm -rf "$T/out"
    "$METACTL" restore "$repo" --backup "$id" --data-to "$T/out" --confirm >/dev/null ||
      fail "restore of kept backup $id after: $*"
  done
}

if "$METACTL" vacuum "$repo" --confirm 2>"$T/err"; then fail "empty policy accepted"; fi
rc=0; "$METACTL" vacuum "$repo" --confirm 2>/dev/null || rc=$?
[[ $rc == 2 ]] || fail "empty policy: exit $rc, want 2"
grep -q "empty vacuum policy" "$T/err" || fail "empty policy message"
ok "empty policy refused (exit 2)"

before=$(snapshot)
"$METACTL" vacuum "$repo" --max-backups 1 | tail -1
"$METACTL" vacuum "$repo" --retention-days 0 --min-backups 0 | tail -1
[[ "$(snapshot)" == "$before" ]] || fail "dry run changed the location"
ok "dry runs change nothing"

"$METACTL" vacuum "$repo" --max-backups 5 --confirm
[[ $(count_objects "$repo/manifests") == 5 ]] || fail "--max-backups 5"
check_kept "--max-backups 5"
ok "--max-backups 5 keeps 5"

"$METACTL" vacuum "$repo" --max-backups 1 --min-backups 3 --confirm
[[ $(count_objects "$repo/manifests") == 3 ]] || fail "--min-backups 3"
check_kept "--min-backups 3"
ok "--min-backups 3 wins over --max-backups 1"

# All backups are seconds old: --min-retention-days 1 protects every one.
"$METACTL" vacuum "$repo" --retention-days 0 --min-backups 0 --min-retention-days 1 --confirm
[[ $(count_objects "$repo/manifests") == 3 ]] || fail "--min-retention-days 1"
ok "--min-retention-days protects young backups"

# --retention-days 0 (older than the newest) with the default --min-backups 1.
newest_before=$(ls "$repo/manifests" | tail -1)
blocks_before=$(count_objects "$repo/data")
"$METACTL" vacuum "$repo" --retention-days 0 --confirm --json
n=$(count_objects "$repo/manifests")
[[ "$n" == 1 ]] || fail "--retention-days 0 with the default --min-backups 1 must keep exactly the newest; kept $n"
[[ "$(ls "$repo/manifests")" == "$newest_before" ]] || fail "kept $(ls "$repo/manifests"), not the newest $newest_before"
blocks_after=$(count_objects "$repo/data")
[[ "$blocks_after" -lt "$blocks_before" ]] || fail "vacuum deleted no block ($blocks_before before, $blocks_after after)"
check_kept "--retention-days 0"
# Only blocks of the kept backups remain: the newest content restores, older unique data is gone.
newest=$(ls "$repo/manifests" | tail -1); newest=${newest%.manifest}
rm -rf "$T/out"
"$METACTL" restore "$repo" --backup "$newest" --data-to "$T/out" --confirm >/dev/null
cmp "$T/out/changing.bin" "$T/changing-6.bin" || fail "newest backup content"
out=$("$METACTL" verify "$repo")
echo "$out"
echo "$out" | grep -q " 0 unreferenced" || fail "unreferenced blocks left after vacuum"
ok "--retention-days 0 keeps the newest; no unreferenced blocks left"
echo "vacuum_cli: all checks passed in $(( SECONDS - start )) s"
