# Shared by inspect_local.sh and inspect_s3.sh (sourced after lib.sh).
command -v python3 >/dev/null || { echo "skip: python3 is needed to parse --json"; exit 77; }

# A raft dir from the project's own fixture, and the --json summary of its export.
inspect_setup() {
  "$METACTL" import --raft-dir "$T/raft" --db "$TESTDATA_DIR/own_v004.jsonl" --allow-no-footer 2>/dev/null
  "$METACTL" export --raft-dir "$T/raft" 2>/dev/null | "$METACTL" inspect --json >"$T/export.json"
}

latest_id() {
  "$METACTL" backups "$1" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["id"])'
}

# inspect_checks LOCATION DESCRIBE: --latest and --backup ID give, in JSON, the summary of the
# export (but for source and backup_id), the text form exits 0 with the footer verified.
inspect_checks() {
  local loc=$1 describe=$2 id
  id=$(latest_id "$loc")
  "$METACTL" inspect "$loc" --latest --json >"$T/latest.json"
  "$METACTL" inspect "$loc" --backup "$id" --json >"$T/byid.json"
  for f in latest byid; do
    python3 - "$T/export.json" "$T/$f.json" "$id" "$describe" <<'PY' || fail "inspect $loc ($f) differs from inspect of the export"
import json, sys
e, b = (json.load(open(f)) for f in sys.argv[1:3])
assert b["backup_id"] == sys.argv[3], b["backup_id"]
assert b["source"] == "backup %s metadata at %s" % (sys.argv[3], sys.argv[4]), b["source"]
assert b["footer"]["status"] == "verified" and b["keys"] == 7 and b["node_id"] == 2
for k in ("source", "backup_id"):
    e.pop(k); b.pop(k)
assert e == b, (e, b)
PY
  done
  "$METACTL" inspect "$loc" --latest >"$T/text.txt"
  grep -Eq '^footer +verified: 33 records' "$T/text.txt" || { cat "$T/text.txt"; fail "text: footer"; }
  ok "inspect $loc --latest / --backup $id: the export's summary, footer verified"
}
