#!/usr/bin/env bash
# Issue 13, point 5: one vocabulary. Every backup command takes the location as its first
# argument (`backup --to` and `restore --from` are hidden aliases that warn); the server address
# is --grpc-api-address (`backup --meta-grpc` a hidden alias); an unknown subcommand is named
# with the nearest real one (exit 2).
. "$(dirname "$0")/lib.sh"
: "${TESTDATA_DIR:?}"

# Unknown subcommands: named, with a suggestion, exit 2 (also after a main option and its value).
expect_fail 2 "^metactl: unknown command 'put'; did you mean 'upsert'\?" "$METACTL" put foo bar
expect_fail 2 "unknown command 'lst'; did you mean 'list'\?" "$METACTL" --log-level debug lst --prefix a
expect_fail 2 "unknown command 'backpu'; did you mean 'backup'\?" "$METACTL" backpu /tmp/x
expect_fail 2 "unknown command 'restor'; did you mean 'restore'\?" "$METACTL" restor
expect_fail 2 "unknown command 'frobnicate' \(metactl --help" "$METACTL" frobnicate
pass "unknown subcommands: 'put' -> 'upsert', 'lst' -> 'list', typos and prefixes; exit 2"

# LOCATION first, everywhere; after a repeatable option too (CLI11 leaves it to LOCATION).
"$METACTL" import --allow-no-footer --raft-dir "$WORK/src" --db "$TESTDATA_DIR/own_v004.jsonl" 2>/dev/null
mkdir -p "$WORK/d1" "$WORK/d2"; echo one >"$WORK/d1/f"; echo two >"$WORK/d2/g"
"$METACTL" backup --meta-raft-dir "$WORK/src" --data "$WORK/d1" "$WORK/d2" "$WORK/repo" >/dev/null 2>"$WORK/err"
[[ ! -s "$WORK/err" ]] || { cat "$WORK/err"; fail "backup LOCATION wrote to stderr"; }
"$METACTL" backups "$WORK/repo" --json | grep -q '"files":2' || fail "backup --data d1 d2 LOCATION did not back up both dirs"
"$METACTL" verify "$WORK/repo" >/dev/null
"$METACTL" restore "$WORK/repo" --latest --data-to "$WORK/out" --confirm >/dev/null
[[ $(cat "$WORK/out/d2/g") == two ]] || fail "restore LOCATION did not restore"
"$METACTL" vacuum "$WORK/repo" --max-backups 1 >/dev/null
pass "backup, backups, verify, restore, vacuum all take LOCATION first (backup --data d1 d2 LOCATION too)"

# The old spellings work, warn, and are not in --help.
"$METACTL" backup --to "$WORK/repo" --meta-raft-dir "$WORK/src" --data "$WORK/d1" "$WORK/d2" >/dev/null 2>"$WORK/err"
grep -q "^\[warning\] metactl backup: --to is an old spelling, accepted until the next release: give the location as the first argument" "$WORK/err" \
  || { cat "$WORK/err"; fail "backup --to: no warning"; }
"$METACTL" restore --from "$WORK/repo" --latest --data-to "$WORK/out2" --confirm >/dev/null 2>"$WORK/err"
grep -q "^\[warning\] metactl restore: --from is an old spelling" "$WORK/err" || { cat "$WORK/err"; fail "restore --from: no warning"; }
[[ $(cat "$WORK/out2/d2/g") == two ]] || fail "restore --from did not restore"
expect_fail 2 "the location is given twice" "$METACTL" restore "$WORK/repo" --from "$WORK/repo" --latest --data-to "$WORK/x"
expect_fail 2 "location is required" "$METACTL" backup --meta-raft-dir "$WORK/src"
# --meta-grpc: the alias of --grpc-api-address (warned); it reaches the same code (the address is
# checked, and what follows is the live export: a closed port gives its connection error).
expect_fail 2 "^--meta-grpc: \"nonsense\": no port" "$METACTL" backup "$WORK/repo" --meta-grpc nonsense
expect_fail 2 "^metactl backup: --meta-grpc excludes --meta-raft-dir" "$METACTL" backup "$WORK/repo" --meta-grpc 127.0.0.1:1 --meta-raft-dir "$WORK/src"
"$METACTL" backup "$WORK/repo" --meta-grpc 127.0.0.1:1 >/dev/null 2>"$WORK/err" && fail "backup from a closed port succeeded"
grep -q "^\[warning\] metactl backup: --meta-grpc is an old spelling, accepted until the next release: use --grpc-api-address" "$WORK/err" \
  || { cat "$WORK/err"; fail "backup --meta-grpc: no warning"; }
grep -q "127.0.0.1:1" "$WORK/err" || { cat "$WORK/err"; fail "backup --meta-grpc did not try the address"; }
for c in backup restore; do
  "$METACTL" "$c" --help >"$WORK/help"
  ! grep -Eq -- "--(to|from|meta-grpc)\b" "$WORK/help" || fail "$c --help shows an old spelling"
done
grep -q -- "--grpc-api-address" <("$METACTL" backup --help) || fail "backup --help has no --grpc-api-address"
pass "--to, --from, --meta-grpc: accepted with a warning naming the new spelling, hidden from --help"
done_checks
