#!/usr/bin/env bash
# Issue 11 point 4 (acceptance 4): --include-prefix / --exclude-prefix on export (a stopped dir
# and a live server, which filters itself), import, backup and restore. A filtered stream has
# exactly the keys the filter keeps, the expire entries of those keys, and every other record
# of the unfiltered stream, in the same order; its footer covers what was written.
. "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"
: "${GEN_KEYS:?GEN_KEYS must point at gen_keys (ctest sets it)}"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/serve.sh"
stop_last() { local p=${PIDS[-1]}; kill "$p"; wait "$p" 2>/dev/null || true; unset 'PIDS[-1]'; }

# want FULL MODE PREFIX... > OUT: the lines of FULL (its footer dropped) that the filter keeps,
# computed independently of metactl: keys by prefix, expire entries by the key they point to.
want() {
  python3 - "$@" <<'PY'
import json, sys
full, mode, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
for line in open(full, encoding="utf-8"):
    tree, body = json.loads(line)
    if "Footer" in body: continue
    key = None
    if "GenericKV" in body: key = body["GenericKV"]["key"]
    if "Expire" in body: key = body["Expire"]["value"]["key"]
    if key is not None and any(key.startswith(p) for p in prefixes) != (mode == "include"): continue
    sys.stdout.write(line)
PY
}
# body FILE: FILE without its footer line, checking that the footer counts the lines before it.
body() {
  python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").readlines()
tree, f = json.loads(lines[-1])
assert tree == "footer", "no footer at the end of " + sys.argv[1]
assert f["Footer"]["records"] == len(lines) - 1, (f, len(lines) - 1)
sys.stdout.write("".join(lines[:-1]))
PY
}
keys_of() { grep -o '"GenericKV":{"key":"[^"]*"' "$1" | sed 's/.*"key":"//; s/"$//' | tr '\n' ' '; }

# A live one-node metasrv: 300 generated keys (30% with a TTL far in the future) and a few
# written over gRPC, among them keys that share a prefix with "a/" without being under it.
seed_live() { "$GEN_KEYS" --keys 300 --ttl-percent 30 | "$METACTL" import --raft-dir "$1" --id 1 --initial-cluster "1=127.0.0.1:$2" 2>/dev/null; }
serve_seeded "$WORK/live" seed_live
PIDS+=("$SERVE_PID")
G=$SERVE_GRPC
A=(--grpc-api-address "$G")
"$METACTL" upsert "${A[@]}" --key a/1 --value one >/dev/null
"$METACTL" upsert "${A[@]}" --key a/2 --value two --ttl 2d >/dev/null
"$METACTL" upsert "${A[@]}" --key a --value not-under-a/ >/dev/null
"$METACTL" upsert "${A[@]}" --key ab/x --value not-under-a/ --ttl 2d >/dev/null
"$METACTL" upsert "${A[@]}" --key b/1 --value b --ttl 2d >/dev/null

# --- live export: the server filters --------------------------------------------------------
"$METACTL" export "${A[@]}" --db "$WORK/live-full.jsonl" 2>/dev/null
"$METACTL" export "${A[@]}" --include-prefix a/ --db "$WORK/live-a.jsonl" 2>"$WORK/live-a.err"
grep -q "exported .* records .* to $WORK/live-a.jsonl (filtered: --include-prefix a/)" "$WORK/live-a.err" \
  || { cat "$WORK/live-a.err"; fail "live export: the summary line does not say it is filtered"; }
[ "$(keys_of "$WORK/live-a.jsonl")" = "a/1 a/2 " ] || fail "live export: keys are $(keys_of "$WORK/live-a.jsonl" | cut -c1-300), want a/1 a/2"
grep -q '"Expire":.*"key":"a/2"' "$WORK/live-a.jsonl" || fail "live export: the expire entry of a/2 is missing"
diff <(body "$WORK/live-a.jsonl") <(want "$WORK/live-full.jsonl" include a/) \
  || fail "live export --include-prefix a/: not exactly the a/ keys, their expire entries and every other record"
pass "live export --include-prefix a/: keys a/1 a/2, their expire entry, every non-key record; footer counts the lines"

"$METACTL" export "${A[@]}" --exclude-prefix a/ --exclude-prefix __fd_ --no-footer >"$WORK/live-x.jsonl" 2>/dev/null
diff "$WORK/live-x.jsonl" <(want "$WORK/live-full.jsonl" exclude a/ __fd_) || fail "live export --exclude-prefix"
[ "$(keys_of "$WORK/live-x.jsonl")" = "a ab/x b/1 " ] || fail "live export --exclude-prefix: keys $(keys_of "$WORK/live-x.jsonl" | cut -c1-300)"
pass "live export --exclude-prefix a/ --exclude-prefix __fd_ (repeated flag): keys a ab/x b/1 and every non-key record"

# --- backup of the live server with --exclude-prefix (the server filters) --------------------
"$METACTL" backup "$WORK/repo" --grpc-api-address "$G" --exclude-prefix a/ >"$WORK/backup.out"
grep -q "metadata .* records (filtered: --exclude-prefix a/)" "$WORK/backup.out" || { cat "$WORK/backup.out"; fail "backup summary"; }
"$METACTL" restore "$WORK/repo" --latest --raft-dir "$WORK/restored" >"$WORK/plan.out"
grep -q "from grpc:$G (filtered: --exclude-prefix a/)" "$WORK/plan.out" || { cat "$WORK/plan.out"; fail "restore plan does not show the backup's filter"; }
"$METACTL" restore "$WORK/repo" --latest --raft-dir "$WORK/restored" --confirm >/dev/null
"$METACTL" export --raft-dir "$WORK/restored" --db "$WORK/restored.jsonl" 2>/dev/null
diff <(body "$WORK/restored.jsonl") <(want "$WORK/live-full.jsonl" exclude a/) \
  || fail "restore of a backup made with --exclude-prefix a/: not the source without the a/ keys"
keys_of "$WORK/restored.jsonl" | grep -Eq '(^| )a/' && fail "restored dir holds a/ keys"
pass "backup --grpc-api-address --exclude-prefix a/ restores without the a/ keys (and their expire entries), all else equal"

stop_last  # the dir exports below read the stopped dir

# --- export of a stopped dir ----------------------------------------------------------------
"$METACTL" export --raft-dir "$WORK/live" --db "$WORK/dir-full.jsonl" 2>/dev/null
"$METACTL" export --raft-dir "$WORK/live" --include-prefix a/ --db "$WORK/dir-a.jsonl" 2>"$WORK/dir-a.err"
grep -q "(filtered: --include-prefix a/)" "$WORK/dir-a.err" || { cat "$WORK/dir-a.err"; fail "dir export: summary"; }
diff <(body "$WORK/dir-a.jsonl") <(want "$WORK/dir-full.jsonl" include a/) || fail "dir export --include-prefix a/"
pass "export --raft-dir --include-prefix a/: the a/ keys, their expire entry, every non-key record; footer counts the lines"

# --- the filtered export imports and starts as a cluster -------------------------------------
seed_new() {
  "$METACTL" import --raft-dir "$1" --db "$WORK/live-a.jsonl" --id 5 --initial-cluster "5=127.0.0.1:$2" 2>"$WORK/new.err" \
    || { cat "$WORK/new.err"; fail "import of the filtered export"; }
  grep -q "footer verified" "$WORK/new.err" || fail "the filtered export's footer was not verified on import"
}
serve_seeded "$WORK/new" seed_new --id 5
PIDS+=("$SERVE_PID")
G2=$SERVE_GRPC
"$METACTL" list --grpc-api-address "$G2" --prefix "" 2>/dev/null | cut -d' ' -f1 >"$WORK/new.keys"
printf 'a/1\na/2\n' | cmp -s - "$WORK/new.keys" || { cat "$WORK/new.keys"; fail "the new cluster serves other keys than a/1 a/2"; }
"$METACTL" upsert --grpc-api-address "$G2" --key a/3 --value three >/dev/null || fail "the new cluster refuses a write"
pass "the filtered export imports with --initial-cluster and serves exactly a/1 a/2 (and takes writes)"
stop_last

# --- import with a filter ---------------------------------------------------------------------
"$METACTL" import --raft-dir "$WORK/imp" --db "$WORK/dir-full.jsonl" --include-prefix a/ --include-prefix b/ 2>"$WORK/imp.err"
grep -q "imported [0-9]* of [0-9]* records (.*, 3 keys) into $WORK/imp; footer verified (filtered: --include-prefix a/ --include-prefix b/)" "$WORK/imp.err" \
  || { cat "$WORK/imp.err"; fail "import summary"; }
"$METACTL" export --raft-dir "$WORK/imp" --db "$WORK/imp.jsonl" 2>/dev/null
diff <(body "$WORK/imp.jsonl") <(want "$WORK/dir-full.jsonl" include a/ b/) || fail "import --include-prefix a/ --include-prefix b/"
pass "import --include-prefix a/ --include-prefix b/: keys a/1 a/2 b/1, their expire entries, every non-key record"

# restore with a filter, from a backup made without one.
"$METACTL" backup "$WORK/repo2" --meta-raft-dir "$WORK/live" >/dev/null
"$METACTL" restore "$WORK/repo2" --latest --raft-dir "$WORK/restored2" --include-prefix a/ --confirm >"$WORK/r2.out"
grep -q "metadata [0-9]* records (filtered: --include-prefix a/)" "$WORK/r2.out" || { cat "$WORK/r2.out"; fail "restore summary"; }
"$METACTL" export --raft-dir "$WORK/restored2" --db "$WORK/restored2.jsonl" 2>/dev/null
diff <(body "$WORK/restored2.jsonl") <(want "$WORK/dir-full.jsonl" include a/) || fail "restore --include-prefix a/"
pass "restore --include-prefix a/ of an unfiltered backup: only the a/ keys, every non-key record"

# --- usage errors: exit 2, nothing written ----------------------------------------------------
BOTH=(--include-prefix a/ --exclude-prefix b/)
MSG="--include-prefix and --exclude-prefix cannot be combined"
expect_fail 2 "$MSG" "$METACTL" export --raft-dir "$WORK/live" "${BOTH[@]}" --db "$WORK/u.jsonl"
expect_fail 2 "$MSG" "$METACTL" export --grpc-api-address "$G" "${BOTH[@]}" --db "$WORK/u.jsonl"
expect_fail 2 "$MSG" "$METACTL" import --raft-dir "$WORK/u" --db "$WORK/dir-full.jsonl" "${BOTH[@]}"
expect_fail 2 "$MSG" "$METACTL" backup "$WORK/u-repo" --meta-raft-dir "$WORK/live" "${BOTH[@]}"
before=$(tree_digest "$WORK/repo2")
expect_fail 2 "$MSG" "$METACTL" restore "$WORK/repo2" --latest --raft-dir "$WORK/u" --confirm "${BOTH[@]}"
[ "$(tree_digest "$WORK/repo2")" = "$before" ] || fail "a refused restore changed the backup location"
for f in u.jsonl u.jsonl.part u u-repo; do [ ! -e "$WORK/$f" ] || fail "a refused command wrote $WORK/$f"; done
pass "both flags together: export (dir and live), import, backup and restore exit 2, nothing written"
expect_fail 2 'an empty prefix matches every key' "$METACTL" export --raft-dir "$WORK/live" --exclude-prefix "" --db "$WORK/u.jsonl"
expect_fail 2 'filter the metadata: give --grpc-api-address or --meta-raft-dir' "$METACTL" backup "$WORK/u-repo" --data "$WORK/live" --include-prefix a/
expect_fail 2 'filter the metadata: give --raft-dir' "$METACTL" restore "$WORK/repo2" --latest --data-to "$WORK/u" --include-prefix a/
for f in u.jsonl u u-repo; do [ ! -e "$WORK/$f" ] || fail "a refused command wrote $WORK/$f"; done
pass "an empty prefix, and a filter without metadata to filter, are usage errors"
done_checks
