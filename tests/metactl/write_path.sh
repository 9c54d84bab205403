#!/usr/bin/env bash
# The write path counters of `metactl status` (issue 12 point 4; docs/cluster.md "Write path"):
# after N acknowledged writes to a one-node metasrv, its status shows at least N proposals,
# entries persisted and applied, at least one batch and fsync of each, and at most one fsync per
# batch of entries (a Ready that only moves the commit index is not synced). Both forms
# (--json and text) show them.
. "$(dirname "$0")/lib.sh"
: "${METASRV:?METASRV must point at the metasrv binary (ctest sets it)}"
SERVE_PID=""
trap '[ -z "$SERVE_PID" ] || { kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null; }; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/serve.sh"

KEYS=(proposals ready_batches persist_batches entries_persisted entries_per_batch fsyncs apply_batches entries_applied
      apply_us apply_us_avg)
# counters NAME: NAME_<key>=value for each of KEYS, from `metactl status --json`.
counters() {
  local json
  json=$("$METACTL" status --grpc-api-address "$SERVE_GRPC" --json) || fail "metactl status --json failed"
  eval "$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
for k in sys.argv[3:]:
    print("%s_%s=%s" % (sys.argv[2], k, d[k]))' "$json" "$1" "${KEYS[@]}")"
}

serve "$WORK/n1" --single
"$METACTL" upsert --grpc-api-address "$SERVE_GRPC" --key w/first --value v >/dev/null
counters before

# 10 writes one after the other, then 20 at once (separate processes).
for i in $(seq 1 10); do
  "$METACTL" upsert --grpc-api-address "$SERVE_GRPC" --key "w/s$i" --value v >/dev/null || fail "upsert w/s$i"
done
pids=()
for i in $(seq 1 20); do
  "$METACTL" upsert --grpc-api-address "$SERVE_GRPC" --key "w/p$i" --value v >/dev/null &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent upsert failed"; done
counters after
N=30

d() { echo $(($(eval echo "\$after_$1") - $(eval echo "\$before_$1"))); }
[ "$(d proposals)" -ge $N ] || fail "proposals went up by $(d proposals) after $N writes"
[ "$(d entries_persisted)" -ge $N ] || fail "entries_persisted went up by $(d entries_persisted) after $N writes"
[ "$(d entries_applied)" -ge $N ] || fail "entries_applied went up by $(d entries_applied) after $N writes"
pass "after $N writes: +$(d proposals) proposals, +$(d entries_persisted) entries persisted, +$(d entries_applied) applied"

[ "$(d persist_batches)" -ge 1 ] && [ "$(d persist_batches)" -le "$(d entries_persisted)" ] ||
  fail "persist_batches +$(d persist_batches) for +$(d entries_persisted) entries"
[ "$(d apply_batches)" -ge 1 ] && [ "$(d apply_batches)" -le "$(d entries_applied)" ] ||
  fail "apply_batches +$(d apply_batches) for +$(d entries_applied) entries"
[ "$(d ready_batches)" -ge "$(d persist_batches)" ] || fail "ready_batches +$(d ready_batches) < persist_batches"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 1 else 1)" "$after_entries_per_batch" ||
  fail "entries_per_batch is $after_entries_per_batch"
[ "$(d apply_us)" -gt 0 ] || fail "apply_us did not move"
pass "batches: +$(d persist_batches) persists ($after_entries_per_batch entries each on average), +$(d apply_batches) applies ($after_apply_us_avg us each)"

# One synced write per batch of entries: the Ready that only moves the commit index (every
# write's second Ready on one node) is not synced.
[ "$(d fsyncs)" -ge 1 ] && [ "$(d fsyncs)" -le "$(d persist_batches)" ] ||
  fail "fsyncs +$(d fsyncs) for +$(d persist_batches) batches of entries"
pass "fsyncs: +$(d fsyncs) for +$(d persist_batches) batches of entries"

text=$("$METACTL" status --grpc-api-address "$SERVE_GRPC")
grep -Eq "^write_path: +[0-9]+ proposals, [0-9]+ readies, [0-9]+ persists \([0-9]+\.[0-9]{2} entries each\), [0-9]+ fsyncs$" \
  <<<"$text" || fail "no write_path line in: $text"
grep -Eq "^apply: +[0-9]+ batches, [0-9]+ entries, [0-9]+\.[0-9]{2} us per batch$" <<<"$text" ||
  fail "no apply line in: $text"
pass "the text form shows the write_path and apply lines"
done_checks
