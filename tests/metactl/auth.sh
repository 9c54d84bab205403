#!/usr/bin/env bash
# metactl user/auth against a live metasrv (docs/auth.md; issue 10 acceptance 3 and 4): users
# are made and auth enabled with metactl; the refusals come back with their codes and change
# nothing; the users, kept as reserved keys, survive export -> import -> start and
# backup -> restore -> start (a user made before logs in on the new cluster); the export shows
# their hashes, never a password.
source "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary}"
source "$(dirname "$0")/serve.sh"
CLEANUPS=()
trap 'for c in "${CLEANUPS[@]}"; do eval "$c" || true; done; rm -rf "$WORK"' EXIT

serve "$WORK/live" --single
CLEANUPS+=("kill $SERVE_PID 2>/dev/null; wait $SERVE_PID 2>/dev/null")
G=$SERVE_GRPC
mc() { "$METACTL" "$@" --grpc-api-address "$G"; }
umask 077
for u in root writer reader; do echo "$u-password" >"$WORK/$u.pw"; done

mc user add root --role root --new-password-file "$WORK/root.pw" >/dev/null
echo "writer-password" | mc user add writer --role readwrite >/dev/null  # stdin, not a terminal
mc user add reader --role readonly --new-password-file "$WORK/reader.pw" >/dev/null
expect_fail 1 "ALREADY_EXISTS.*user \"reader\" exists" mc user add reader --role root --new-password-file "$WORK/reader.pw"
expect_fail 2 "role" mc user add x --role admin --new-password-file "$WORK/reader.pw"
mc upsert --key app/a --value one >/dev/null
pass "users added (password from a file and from stdin)"

mc auth status | grep -qx "auth disabled" || fail "auth status before enable"
mc user remove root >/dev/null
expect_fail 1 "no user has role root" mc auth enable
mc user add root --role root --new-password-file "$WORK/root.pw" >/dev/null
mc auth enable | grep -qx "auth enabled" || fail "auth enable"
mc auth status | grep -qx "auth enabled" || fail "auth status needs no login"
pass "auth enable refuses without a root user; auth status needs no login"

as() { local u=$1; shift; "$METACTL" "$@" --grpc-api-address "$G" --user "$u" --password-file "$WORK/$u.pw"; }
as root export --db "$WORK/before.jsonl" 2>/dev/null
expect_fail 1 "UNAUTHENTICATED.*needs a token" mc get --key app/a
expect_fail 1 "PERMISSION_DENIED.*user \"reader\".*Upsert" as reader upsert --key app/a --value two
expect_fail 1 "PERMISSION_DENIED.*user \"writer\".*Export" as writer export --db "$WORK/writer.jsonl"
[ ! -e "$WORK/writer.jsonl" ] || fail "a refused export left a file"
expect_fail 1 "PERMISSION_DENIED.*user \"writer\".*AddMember" \
  as writer members add --id 9 --learner --raft-address 127.0.0.1:1 --grpc-address 127.0.0.1:1
expect_fail 1 "PERMISSION_DENIED.*user \"writer\".*UserList" as writer user list
expect_fail 1 "UNAUTHENTICATED.*wrong user name or password" \
  "$METACTL" get --key app/a --grpc-api-address "$G" --user reader --password-file "$WORK/writer.pw"
as root export --db "$WORK/after.jsonl" 2>/dev/null
cmp -s "$WORK/before.jsonl" "$WORK/after.jsonl" || fail "a refused call changed the state machine"
pass "refusals: UNAUTHENTICATED, PERMISSION_DENIED naming user and call; export before == after"

as reader get --key app/a | grep -q one || fail "reader cannot get"
as writer upsert --key app/b --value two >/dev/null
METACTL_USER=writer METACTL_PASSWORD=writer-password mc get --key app/b | grep -q two || fail "env login"
as root user list >"$WORK/users.txt"
diff <(printf 'reader\treadonly\nroot\troot\nwriter\treadwrite\n') "$WORK/users.txt" || fail "user list"
expect_fail 1 "PERMISSION_DENIED.*reserved" as root get --key __metasrv/auth/users/root
expect_fail 1 "PERMISSION_DENIED.*reserved" as root upsert --key __metasrv/auth/enabled --value 0
as root list --prefix "" >"$WORK/list.txt"
! grep -q __metasrv "$WORK/list.txt" || fail "list \"\" shows reserved keys"
expect_fail 1 "last root user" as root user remove root
pass "roles allow what they should; the reserved keys are out of reach; the last root stays"

# Acceptance 4, export -> import -> start: the export holds the users' hashes, never a password.
as root export --db "$WORK/users.jsonl" 2>/dev/null
grep -q '__metasrv/auth/users/reader' "$WORK/users.jsonl" || fail "export lacks the users"
# Values are byte arrays in V004: decode every one (state machine and raft log) to look inside.
values_text() {
  python3 -c '
import json, sys
def walk(v, out):
    if isinstance(v, list) and v and all(isinstance(x, int) and 0 <= x < 256 for x in v):
        out.append(bytes(v).decode("latin-1"))
    elif isinstance(v, list):
        for x in v: walk(x, out)
    elif isinstance(v, dict):
        for x in v.values(): walk(x, out)
for line in open(sys.argv[1]):
    out = []
    walk(json.loads(line), out)
    print("\n".join(out))
' "$1"
}
values_text "$WORK/users.jsonl" >"$WORK/values.txt"
grep -q 'pbkdf2-sha256\$200000\$' "$WORK/values.txt" || fail "export lacks the hashes"
! grep -q -- '-password' "$WORK/values.txt" "$WORK/users.jsonl" || fail "a password is in the export"
seed_import() { "$METACTL" import --raft-dir "$1" --id 1 --initial-cluster "1=127.0.0.1:$2" --db "$WORK/users.jsonl" 2>/dev/null; }
export METACTL_USER=reader METACTL_PASSWORD=reader-password  # serve.sh's `metactl status` logs in
serve_seeded "$WORK/imported" seed_import
CLEANUPS+=("kill $SERVE_PID 2>/dev/null; wait $SERVE_PID 2>/dev/null")
"$METACTL" get --key app/a --grpc-api-address "$SERVE_GRPC" | grep -q one || fail "reader on the imported cluster"
expect_fail 1 "UNAUTHENTICATED" env -u METACTL_USER "$METACTL" get --key app/a --grpc-api-address "$SERVE_GRPC"
pass "export -> import -> start: auth still enabled, a user made before logs in"

# Backup (live, --meta-grpc as root) -> restore -> start.
bk() { local u=$1; shift; "$METACTL" backup "$@" --meta-grpc "$G" --user "$u" --password-file "$WORK/$u.pw"; }
bk root "$WORK/repo" >/dev/null 2>&1 || fail "backup --meta-grpc as root"
expect_fail 1 "PERMISSION_DENIED.*Export" bk reader "$WORK/repo2"
seed_restore() { "$METACTL" restore "$WORK/repo" --latest --raft-dir "$1" --id 1 --initial-cluster "1=127.0.0.1:$2" --confirm >/dev/null 2>&1; }
serve_seeded "$WORK/restored" seed_restore
CLEANUPS+=("kill $SERVE_PID 2>/dev/null; wait $SERVE_PID 2>/dev/null")
"$METACTL" get --key app/b --grpc-api-address "$SERVE_GRPC" | grep -q two || fail "reader on the restored cluster"
"$METACTL" user list --grpc-api-address "$SERVE_GRPC" --user root --password-file "$WORK/root.pw" | grep -q writer \
  || fail "root on the restored cluster"
pass "backup -> restore -> start: the users log in"
unset METACTL_USER METACTL_PASSWORD

as root auth disable | grep -qx "auth disabled" || fail "auth disable"
mc get --key app/a | grep -q one || fail "no login needed after auth disable"
pass "auth disable"
done_checks
