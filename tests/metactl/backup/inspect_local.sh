#!/usr/bin/env bash
# metactl inspect LOCATION --backup ID|--latest on a directory: the summary of a backup's
# metadata equals the summary of an export of the same raft dir (the JSON parsed by python3);
# a damaged metadata block is named (exit 1); a backup without metadata is refused (exit 1).
# The same on S3: inspect_s3.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/inspect_lib.sh"
repo="$T/repo"
inspect_setup
"$METACTL" backup "$repo" --meta-raft-dir "$T/raft" --block-size 4KiB --json >/dev/null
inspect_checks "$repo" "directory $(cd "$repo" && pwd)"

# A damaged block of the metadata: named, exit 1 (no summary of a partial stream).
id=$(latest_id "$repo")
manifest_blocks=$(find "$repo/data" -type f | wc -l)
[[ "$manifest_blocks" -ge 2 ]] || fail "expected several metadata blocks, got $manifest_blocks"
victim=$(find "$repo/data" -type f -print -quit)
flip_byte "$victim"
rc=0; "$METACTL" inspect "$repo" --backup "$id" >"$T/out" 2>"$T/err" || rc=$?
[[ $rc == 1 ]] || fail "damaged block: exit $rc, want 1"
grep -q "block data/$(basename "$victim") of the metadata export of backup $id (offset [0-9]*): content does not match its SHA-256" "$T/err" \
  || { cat "$T/err"; fail "damaged block not named"; }
[[ ! -s "$T/out" ]] || fail "a summary was printed for a damaged backup"
ok "a damaged metadata block: exit 1, the block named, nothing on stdout"

# A backup of data only has no metadata to inspect.
mkdir -p "$T/data" && echo x >"$T/data/f"
"$METACTL" backup "$T/repo2" --data "$T/data" --json >/dev/null
rc=0; "$METACTL" inspect "$T/repo2" --latest 2>"$T/err" || rc=$?
[[ $rc == 1 ]] && grep -q "has no metadata" "$T/err" || { cat "$T/err"; fail "backup without metadata: exit $rc"; }
rc=0; "$METACTL" inspect "$T/repo2" --backup 19990101_000000 2>"$T/err" || rc=$?
[[ $rc == 1 ]] && grep -q "backup 19990101_000000 not found" "$T/err" || { cat "$T/err"; fail "unknown backup: exit $rc"; }
ok "a backup without metadata and an unknown id: exit 1, said so"
