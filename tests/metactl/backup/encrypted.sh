#!/usr/bin/env bash
# Issue 10, acceptance 5: encrypted backups (--encryption-key-file) to a directory and to S3
# (s3rver). For each location: a backup with a 32-byte key restores equal to the source (export
# and files); without the key and with a wrong key, backups/restore/verify/vacuum fail at once
# naming the location and the flag, and the restore targets stay as they were; no block or
# manifest holds a 64-byte run of the plaintext (known lines of the metadata export and of the
# data files; the same grep does find them in an unencrypted backup, so it can fail); a flipped
# byte is reported by verify --read-data and restore, naming the block and the file; encrypted
# and unencrypted backups are not mixed; a key file readable by others is refused; a passphrase
# file works and its text appears nowhere in the output or the location.
source "$(dirname "$0")/lib.sh"
start=$SECONDS

make_raft_dir "$T/raft"
mkdir -p "$T/data/sub"
for i in $(seq 1 300); do
  printf 'known-plaintext-%04d: the quick brown fox jumps over the lazy dog, again and again.\n' "$i"
done >"$T/data/known.txt"
cp "$T/data/known.txt" "$T/data/sub/known-copy.txt"
head -c 3000000 /dev/urandom >"$T/data/sub/random.bin"
export_of "$T/raft" >"$T/source.export"
# Patterns: 64-byte pieces of the export's lines and of known.txt (text, so grep -F fits).
awk '{ for (i = 1; i + 63 <= length($0); i += 64) print substr($0, i, 64) }' \
  "$T/source.export" "$T/data/known.txt" >"$T/patterns"
[[ $(wc -l <"$T/patterns") -gt 100 ]] || fail "too few plaintext patterns"

head -c 32 /dev/urandom >"$T/key" && chmod 600 "$T/key"
head -c 32 /dev/urandom >"$T/wrong-key" && chmod 600 "$T/wrong-key"
pass_text="long passphrase: violet-umbrella-meadow-9137"
echo "$pass_text" >"$T/pass" && chmod 600 "$T/pass"

# expect_refusal WHAT PATTERN CMD...: CMD fails, its output (stdout: verify's problems; stderr:
# the error line) matches PATTERN.
expect_refusal() {
  local what="$1" pattern="$2"; shift 2
  if "$@" >"$T/out" 2>"$T/err"; then fail "$what: succeeded"; fi
  grep -q -- "$pattern" "$T/err" "$T/out" || { cat "$T/out" "$T/err"; fail "$what: no \"$pattern\" in the output"; }
}

manifests_in() {  # manifests_in OBJECTS_DIR: manifest objects (s3rver keeps .json and .md5 files beside each)
  find "$1/manifests" -type f \( -name '*.manifest' -o -name '*.manifest._S3rver_object' \) | wc -l
}

check_location() {  # check_location NAME LOCATION OBJECTS_DIR PLAIN_LOCATION PLAIN_OBJECTS_DIR
  local name="$1" loc="$2" objs="$3" plain="$4" plain_objs="$5" k="--encryption-key-file=$T/key"
  local r="$T/$name"
  mkdir -p "$r"

  chmod 644 "$T/key"
  expect_refusal "$name: backup with a 0644 key file" "chmod 600 $T/key" \
    "$METACTL" backup "$loc" --data "$T/data" "$k"
  chmod 600 "$T/key"
  "$METACTL" backup "$loc" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 1MiB "$k" \
    >"$r/backup.out" 2>&1 || { cat "$r/backup.out"; fail "$name: encrypted backup"; }
  [[ $(manifests_in "$objs") == 1 ]] || fail "$name: expected one manifest"
  ok "$name: encrypted backup"

  # No plaintext at rest; the same grep finds it in an unencrypted backup of the same source.
  "$METACTL" backup "$plain" --meta-raft-dir "$T/raft" --data "$T/data" --block-size 64KiB --compression none >/dev/null 2>&1 \
    || fail "$name: unencrypted backup"
  grep -rqaF -f "$T/patterns" "$plain_objs/data" || fail "$name: the plaintext grep finds nothing in an unencrypted backup"
  if grep -rlaF -f "$T/patterns" "$objs/data" "$objs/manifests"; then
    fail "$name: plaintext found in an encrypted object"
  fi
  ok "$name: no block or manifest holds 64 bytes of the plaintext (the unencrypted backup does)"

  # Without the key, with a wrong one: refused at once, naming the location and the flag.
  for cmd in "backups" "verify --read-data" "vacuum --max-backups 1" "inspect --latest"; do
    # shellcheck disable=SC2086
    expect_refusal "$name: $cmd without key" "is encrypted.*--encryption-key-file" "$METACTL" $cmd "$loc"
    grep -q "location .*$(basename "$objs")" "$T/err" || { cat "$T/err"; fail "$name: $cmd: location not named"; }
    # shellcheck disable=SC2086
    expect_refusal "$name: $cmd with a wrong key" "--encryption-key-file $T/wrong-key is not the key of location" \
      "$METACTL" $cmd "$loc" --encryption-key-file "$T/wrong-key"
  done
  mkdir -p "$r/old-data" && echo old >"$r/old-data/keep"
  for kf in "" "--encryption-key-file=$T/wrong-key"; do
    # shellcheck disable=SC2086
    expect_refusal "$name: restore ${kf:-without key}" "encryption-key-file" \
      "$METACTL" restore "$loc" --latest --raft-dir "$r/raft2" --data-to "$r/old-data" --force --confirm $kf
    [[ ! -e "$r/raft2" && $(ls "$r/old-data") == keep && $(cat "$r/old-data/keep") == old ]] \
      || fail "$name: a refused restore touched its targets"
  done
  ok "$name: no key / wrong key: every command refused, restore targets untouched"

  "$METACTL" backups "$loc" "$k" | grep -q "^[0-9]\{8\}_" || fail "$name: backups with the key"
  "$METACTL" verify "$loc" --read-data "$k" >/dev/null || fail "$name: verify --read-data with the key"
  "$METACTL" restore "$loc" --latest --raft-dir "$r/raft2" --data-to "$r/data2" --confirm "$k" >/dev/null \
    || fail "$name: restore with the key"
  diff "$T/source.export" <(export_of "$r/raft2") >/dev/null || fail "$name: restored metadata differs"
  diff <(tree_listing "$T/data") <(tree_listing "$r/data2") || fail "$name: restored data differs"
  "$METACTL" vacuum "$loc" --max-backups 1 "$k" >/dev/null || fail "$name: vacuum with the key"
  ok "$name: with the key: backups, verify --read-data, vacuum; restore equals the source"

  expect_refusal "$name: unencrypted backup into the encrypted location" "is encrypted" \
    "$METACTL" backup "$loc" --data "$T/data"
  expect_refusal "$name: encrypted backup into an unencrypted location" "holds unencrypted backups" \
    "$METACTL" backup "$plain" --data "$T/data" "$k"
  [[ $(manifests_in "$objs") == 1 ]] || fail "$name: a refused backup wrote a manifest"
  ok "$name: encrypted and unencrypted backups are not mixed"

  # A flipped byte in a full 1 MiB block: only random.bin (3 MB) has any. The metadata export
  # (~114 KB) and known.txt are one partial block each, so the victim's file is known.
  local victim hex
  victim=$(find "$objs/data" -type f -size +1024k -print -quit)
  [[ -n "$victim" ]] || fail "$name: no full block found"
  hex=$(basename "$victim" ._S3rver_object)
  flip_byte "$victim"
  expect_refusal "$name: verify --read-data with a flipped byte" "data/$hex.*authentication failed" \
    "$METACTL" verify "$loc" --read-data "$k"
  grep -q "used by .*sub/random.bin" "$T/err" "$T/out" || { cat "$T/out" "$T/err"; fail "$name: verify does not name the file"; }
  expect_refusal "$name: restore with a flipped byte" "data/$hex.*sub/random.bin" \
    "$METACTL" restore "$loc" --latest --data-to "$r/data3" --confirm "$k"
  [[ ! -e "$r/data3" ]] || fail "$name: a failed restore left its target"
  ok "$name: a flipped byte is named (block and file) by verify --read-data and restore"
}

check_passphrase() {  # check_passphrase NAME LOCATION OBJECTS_DIR
  local name="$1" loc="$2" objs="$3" r="$T/$1-pass"
  mkdir -p "$r"
  "$METACTL" backup "$loc" --meta-raft-dir "$T/raft" --data "$T/data" --encryption-key-file "$T/pass" \
    >"$r/log" 2>&1 || { cat "$r/log"; fail "$name: passphrase backup"; }
  echo "a different passphrase" >"$T/pass2" && chmod 600 "$T/pass2"
  expect_refusal "$name: wrong passphrase" "is not the key of location" \
    "$METACTL" restore "$loc" --latest --data-to "$r/data2" --confirm --encryption-key-file "$T/pass2"
  cat "$T/err" >>"$r/log"
  "$METACTL" restore "$loc" --latest --raft-dir "$r/raft2" --data-to "$r/data2" --confirm \
    --encryption-key-file "$T/pass" >>"$r/log" 2>&1 || { cat "$r/log"; fail "$name: passphrase restore"; }
  diff <(tree_listing "$T/data") <(tree_listing "$r/data2") || fail "$name: passphrase restore differs"
  diff "$T/source.export" <(export_of "$r/raft2") >/dev/null || fail "$name: passphrase metadata differs"
  grep -q "kdf pbkdf2-hmac-sha256" "$objs"/encryption* || fail "$name: descriptor does not name the KDF"
  if grep -rqF "violet-umbrella" "$r/log" "$objs"; then fail "$name: the passphrase leaked"; fi
  ok "$name: a passphrase file works; its text is in no output and no object"
}

check_location dir "$T/loc" "$T/loc" "$T/plain-loc" "$T/plain-loc"
grep -q "ENCRYPTED" "$T/loc/README.md" || fail "the README does not say the location is encrypted"
grep -q "encryption-key-file" "$T/loc/README.md" || fail "the README does not say what restoring needs"
check_passphrase dir "$T/pass-loc" "$T/pass-loc"
echo "directory half passed in $(( SECONDS - start )) s"

rc=0; start_s3rver bkt || rc=$?
if [[ $rc == 77 ]]; then echo "SKIP: the S3 half (s3rver is not installed)"; exit 77; fi
[[ $rc == 0 ]] || fail "s3rver did not start"
export AWS_ENDPOINT_URL="$endpoint"
s3="$T/s3/store/bkt"
check_location s3 "s3://bkt/enc" "$s3/enc" "s3://bkt/plain" "$s3/plain"
check_passphrase s3 "s3://bkt/pass" "$s3/pass"
echo "encrypted backups: all checks passed in $(( SECONDS - start )) s"
