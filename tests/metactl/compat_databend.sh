#!/usr/bin/env bash
# Acceptance 1: databend's fixture imports, and exports again byte for byte as databend does.
. "$(dirname "$0")/lib.sh"
need_shared
D="$SHARED_DIR/compat/databend"
# databend-metactl writes no footer: refused as possibly cut short, unless --allow-no-footer.
expect_fail 1 "no integrity footer: the stream may be cut short; if it is a databend-metactl export, add --allow-no-footer" \
  "$METACTL" import --raft-dir "$WORK/raft" --db "$D/meta_v004.txt"
[ ! -e "$WORK/raft" ] || fail "a refused import created the raft dir"
pass "meta_v004.txt without --allow-no-footer: refused, nothing written"
"$METACTL" import --allow-no-footer --raft-dir "$WORK/raft" --db "$D/meta_v004.txt" 2>"$WORK/import.err"
grep -q "no integrity footer" "$WORK/import.err" || fail "a footer-less import must warn"
pass "meta_v004.txt imports with --allow-no-footer (with the no-footer warning)"
"$METACTL" export --raft-dir "$WORK/raft" --no-footer >"$WORK/out.txt"
cmp "$WORK/out.txt" "$D/want_exported_v004" || fail "export differs from want_exported_v004"
pass "export --no-footer equals want_exported_v004 byte for byte"
# And the same through a file with a footer, re-imported.
"$METACTL" export --raft-dir "$WORK/raft" --db "$WORK/with-footer.jsonl"
head -n -1 "$WORK/with-footer.jsonl" | cmp - "$D/want_exported_v004" || fail "footer file body differs"
tail -n 1 "$WORK/with-footer.jsonl" | grep -q '^\["footer",{"Footer":{"records":167,"sha256":"[0-9a-f]\{64\}"}}\]$' \
  || fail "footer line malformed: $(tail -n 1 "$WORK/with-footer.jsonl")"
pass "export --db adds a footer of 167 records"
done_checks
