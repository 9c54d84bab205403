#!/usr/bin/env bash
# Acceptance 1, 2, 3 (verify) and 5 on S3: s3rver on 127.0.0.1 (it checks SigV4 signatures).
# Back up a raft dir + 200-file data dir with 64 KiB blocks (> 1,000 blocks, so every listing
# pages), restore with --confirm (exports equal, files identical with modes), a no-change backup
# re-uses every block (proves paginated listing), a one-file change writes one block (counted in
# the server's store), a flipped byte in a stored object is found by verify --read-data, vacuum.
source "$(dirname "$0")/lib.sh"
start=$SECONDS
start_s3rver bkt || exit $?
echo "s3rver at $endpoint"
export AWS_ENDPOINT_URL="$endpoint"
loc="s3://bkt/backups/prod"
store="$T/s3/store/bkt/backups/prod"   # where s3rver keeps the objects
objects() { if [[ -d "$store/$1" ]]; then find "$store/$1" -name '*._S3rver_object' | wc -l; else echo 0; fi; }

make_raft_dir "$T/raft"
gen_data "$T/data"
out=$("$METACTL" backup "$loc" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 64KiB --json)
echo "backup 1: $out"
nblocks=$(objects data)
[[ "$nblocks" -gt 1000 ]] || fail "only $nblocks blocks: listing would not page"
[[ $(objects manifests) == 1 ]] || fail "expected one manifest object"
[[ $(objects locks) == 0 ]] || fail "lock left behind"
"$METACTL" backups "$loc"
ok "backup to S3: $nblocks block objects"

"$METACTL" restore "$loc" --latest --raft-dir "$T/raft2" --data-to "$T/data2" >/dev/null
[[ ! -e "$T/raft2" && ! -e "$T/data2" ]] || fail "dry run created a target"
"$METACTL" restore "$loc" --latest --raft-dir "$T/raft2" --data-to "$T/data2" --confirm
diff <(export_of "$T/raft") <(export_of "$T/raft2") >/dev/null || fail "metadata exports differ"
diff <(tree_listing "$T/data") <(tree_listing "$T/data2") || fail "restored data differs"
ok "restore from S3: exports equal, files identical with modes"

out=$("$METACTL" backup "$loc" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 64KiB --json --full-scan)
echo "backup 2 (full scan, no change): $out"
[[ $(json_field "$out" new_blocks) == 0 ]] || fail "no-change backup wrote blocks: paginated listing incomplete?"
ok "no-change full-scan backup finds all $nblocks blocks through paginated listing"

flip_byte "$T/data/a/b/medium-7.bin" 70000
b0=$(objects data); m0=$(objects manifests)
out=$("$METACTL" backup "$loc" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 64KiB --json)
echo "backup 3: $out"
[[ $(( $(objects data) - b0 )) == 1 ]] || fail "expected one new block object, got $(( $(objects data) - b0 ))"
[[ $(( $(objects manifests) - m0 )) == 1 ]] || fail "expected one new manifest"
[[ $(json_field "$out" files_read) == 1 ]] || fail "files_read != 1"
ok "one changed file -> one new block object on S3"

"$METACTL" verify "$loc" --read-data-subset 20% || fail "verify subset"
# Damage one stored block (s3rver keeps the object bytes in *._S3rver_object).
victim=$(find "$store/data" -name '*._S3rver_object' -size +60k -print -quit)
cp "$victim" "$T/victim.orig"
flip_byte "$victim"
hex=$(basename "$victim" ._S3rver_object)
if "$METACTL" verify "$loc" --read-data >"$T/verify.txt" 2>&1; then fail "verify missed a flipped byte"; fi
grep -q "$hex" "$T/verify.txt" || { cat "$T/verify.txt"; fail "verify does not name the block"; }
ok "verify --read-data finds a flipped byte on S3"
cp "$T/victim.orig" "$victim"   # repair it, so what follows checks vacuum alone

# Vacuum keeps the newest backup only: the block the flip replaced goes, verify --read-data of
# what is left passes, and the kept backup restores byte-identical to the data it backed up.
b0=$(objects data)
"$METACTL" vacuum "$loc" --max-backups 1 --confirm
[[ $(objects manifests) == 1 ]] || fail "vacuum --max-backups 1"
[[ $(objects data) -lt "$b0" ]] || fail "vacuum deleted no block ($b0 before, $(objects data) after)"
"$METACTL" verify "$loc" --read-data || fail "verify --read-data after vacuum"
"$METACTL" restore "$loc" --latest --raft-dir "$T/raft5" --data-to "$T/data5" --confirm >/dev/null
diff <(tree_listing "$T/data") <(tree_listing "$T/data5") || fail "restore after vacuum differs"
diff <(export_of "$T/raft") <(export_of "$T/raft5") >/dev/null || fail "metadata after vacuum differs"
ok "vacuum on S3: old block gone, verify passes, the kept backup restores identical"
echo "s3 e2e: all checks passed in $(( SECONDS - start )) s"
