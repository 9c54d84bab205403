#!/usr/bin/env bash
# Acceptance 1-3 on a local directory: back up a raft dir and a 200-file data dir, restore with
# --confirm into new dirs (metadata exports equal, files byte-identical with the same mode);
# a second backup after changing one file writes only its changed block; a flipped byte is found
# by verify --read-data and makes a restore fail naming the block and the file, targets untouched.
source "$(dirname "$0")/lib.sh"
start=$SECONDS
make_raft_dir "$T/raft"
gen_data "$T/data"
repo="$T/repo"

out=$("$METACTL" backup "$repo" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 1MiB --json)
echo "backup 1: $out"
[[ -f "$repo/README.md" ]] || fail "no README.md at the location"
grep -q "metactl restore" "$repo/README.md" || fail "README.md does not say how to restore"
[[ $(count_objects "$repo/manifests") == 1 ]] || fail "expected one manifest"
[[ $(count_objects "$repo/locks") == 0 ]] || fail "lock left behind"
ok "backup to a directory"
tree_listing "$T/data" >"$T/listing-1"   # what the first backup holds

"$METACTL" backups "$repo"
"$METACTL" backups "$repo" --json | grep -q '"metadata_records":167' || fail "backups --json"

# Dry run: checks, prints, changes nothing.
"$METACTL" restore "$repo" --latest --raft-dir "$T/raft2" --data-to "$T/data2" >"$T/dry.txt"
cat "$T/dry.txt"
grep -q "dry run" "$T/dry.txt" || fail "dry run not announced"
[[ ! -e "$T/raft2" && ! -e "$T/data2" ]] || fail "dry run created a target"
ok "restore dry run changes nothing"

"$METACTL" restore "$repo" --latest --raft-dir "$T/raft2" --data-to "$T/data2" --confirm
diff <(export_of "$T/raft") <(export_of "$T/raft2") >/dev/null || fail "metadata exports differ"
diff <(tree_listing "$T/data") <(tree_listing "$T/data2") || fail "restored data differs"
alloc=$(du -k "$T/data2/sparse-50M.img" | cut -f1)
[[ "$alloc" -lt 10240 ]] || fail "sparse file restored dense ($alloc KiB allocated)"
ok "restore: metadata export equal, 200+ files byte-identical with modes (sparse stays sparse)"

# restore --bump-seq N passes through to the import: the key sequence becomes 159 + 1000
# (databend's fixture: largest key seq and sequence 159).
"$METACTL" restore "$repo" --latest --raft-dir "$T/raft-bumped" --bump-seq 1000 --confirm >/dev/null
"$METACTL" export --raft-dir "$T/raft-bumped" --db "$T/bumped.jsonl" 2>/dev/null
grep -q '^\["state_machine/0",{"Sequences":{"key":"generic-kv","value":1159}}\]$' "$T/bumped.jsonl" || fail "restore --bump-seq 1000 did not set the sequence to 1159"
ok "restore --bump-seq 1000: sequence 159 + 1000"

# No change: nothing read, nothing written.
out=$("$METACTL" backup "$repo" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 1MiB --json)
echo "backup 2: $out"
[[ $(json_field "$out" files_read) == 0 ]] || fail "unchanged files were read again"
[[ $(json_field "$out" new_blocks) == 0 ]] || fail "no-change backup wrote blocks"

# Change one byte of one file: exactly one new block (counted at the location).
before=$(count_objects "$repo/data")
ls "$repo/data" | sort >"$T/blocks-before"
flip_byte "$T/data/a/b/medium-9.bin" 1500000
out=$("$METACTL" backup "$repo" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 1MiB --json)
echo "backup 3: $out"
after=$(count_objects "$repo/data")
[[ $(( after - before )) == 1 ]] || fail "expected 1 new block object, got $(( after - before ))"
[[ $(json_field "$out" new_blocks) == 1 ]] || fail "new_blocks != 1"
[[ $(json_field "$out" files_read) == 1 ]] || fail "files_read != 1"
[[ $(count_objects "$repo/manifests") == 3 ]] || fail "expected 3 manifests"
ok "incremental: one changed file -> one new block"

"$METACTL" verify "$repo" --read-data || fail "verify of a healthy repo"
"$METACTL" verify "$repo" --read-data-subset 10% || fail "verify subset"

# Flip a byte in the changed block (only the latest backup's medium-9.bin uses it).
blk=$(comm -13 "$T/blocks-before" <(ls "$repo/data" | sort))
[[ -n "$blk" ]] || fail "cannot find the new block"
flip_byte "$repo/data/$blk"
if "$METACTL" verify "$repo" --read-data >"$T/verify.txt" 2>&1; then fail "verify missed a flipped byte"; fi
cat "$T/verify.txt"
grep -q "$blk" "$T/verify.txt" || fail "verify does not name the block"
grep -q "medium-9.bin" "$T/verify.txt" || fail "verify does not name the file"
ok "verify --read-data finds the flipped byte"

mkdir "$T/data3"
if "$METACTL" restore "$repo" --latest --raft-dir "$T/raft3" --data-to "$T/data3" --confirm 2>"$T/restore.txt"; then
  fail "restore with a damaged block succeeded"
fi
cat "$T/restore.txt"
grep -q "$blk" "$T/restore.txt" || fail "restore error does not name the block"
grep -q "medium-9.bin" "$T/restore.txt" || fail "restore error does not name the file"
[[ ! -e "$T/raft3" ]] || fail "raft dir target touched"
[[ -z "$(ls -A "$T/data3")" ]] || fail "data target touched"
[[ ! -e "$T/data3.restore-staging" ]] || fail "staging dir left behind"
ok "restore with a damaged block fails naming block and file; targets untouched"

# An older backup that does not need that block still restores.
first=$(ls "$repo/manifests" | sed -n 1p); first=${first%.manifest}
"$METACTL" restore "$repo" --backup "$first" --raft-dir "$T/raft4" --data-to "$T/data4" --confirm >/dev/null
diff "$T/listing-1" <(tree_listing "$T/data4") || fail "the older backup restored other content than it holds"
diff <(export_of "$T/raft") <(export_of "$T/raft4") >/dev/null || fail "the older backup's metadata differs"
ok "older backup still restores, byte-identical to what it backed up"

# A truncated block (a damaged upload) is not reused by the next backup: its listed size is
# not its content's, so it is written again, and the new backup verifies and restores.
truncate -s 100 "$repo/data/$blk"
"$METACTL" backup "$repo" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 1MiB --json >/dev/null 2>"$T/rebackup.err" \
  || { cat "$T/rebackup.err"; fail "the backup after a truncated block failed"; }
grep -q "block data/$blk at .* is 100 bytes where this backup stores [0-9]* ([0-9]* plain): damaged" "$T/rebackup.err" \
  || { cat "$T/rebackup.err"; fail "no warning naming the truncated block"; }
[[ $(stat -c %s "$repo/data/$blk") -gt 100 ]] || fail "the truncated block was reused, not written again"
"$METACTL" verify "$repo" --read-data >"$T/verify2.txt" 2>&1 || { cat "$T/verify2.txt"; fail "verify after the rewrite failed"; }
mkdir "$T/data5"
"$METACTL" restore "$repo" --latest --raft-dir "$T/raft5" --data-to "$T/data5" --confirm >/dev/null
diff <(tree_listing "$T/data") <(tree_listing "$T/data5") || fail "the backup after the rewrite restored other content"
ok "a truncated block is written again by the next backup (not reused); it verifies and restores"
echo "e2e_local: all checks passed in $(( SECONDS - start )) s"
