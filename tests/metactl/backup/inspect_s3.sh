#!/usr/bin/env bash
# metactl inspect s3://... --backup ID|--latest against s3rver on 127.0.0.1 (tests/s3): the
# summary of the backup's metadata equals the summary of an export of the same raft dir.
# The S3 flags are given as flags here (the environment is the other way, e2e_s3.sh).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/inspect_lib.sh"
start_s3rver bkt || exit $?
loc="s3://bkt/inspect"
inspect_setup
"$METACTL" backup "$loc" --s3-endpoint "$endpoint" --meta-raft-dir "$T/raft" --block-size 4KiB >/dev/null
# latest_id and inspect_checks call metactl without --s3-endpoint: give it through the environment.
export AWS_ENDPOINT_URL="$endpoint"
inspect_checks "$loc" "s3://bkt/inspect at $endpoint"
unset AWS_ENDPOINT_URL
"$METACTL" inspect "$loc" --latest --json --s3-endpoint "$endpoint" --s3-region us-east-1 \
  | python3 -c 'import json, sys; sys.exit(json.load(sys.stdin)["footer"]["status"] != "verified")' \
  || fail "inspect with --s3-endpoint"
ok "inspect on S3 with the endpoint as a flag"
