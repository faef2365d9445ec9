#!/usr/bin/env bash
# tools/prices/stale.mjs (run by tools/update-prices): a cache rule whose
# as_of is older than the file's stale_before is reported, one a day newer or
# equal is not; the shipped rules file has a stale_before and a date on every
# row. The dates are in the files, never the clock. Skipped (77) without node.
# Usage: stale.sh REPO_ROOT
set -uo pipefail
repo=$1
if ! command -v node >/dev/null 2>&1; then
    echo "stale: skipped: node is needed (tools/setup --node installs it)"
    exit 77
fi
fixture=$repo/tests/prices/cache_rules_stale.json
failed=0
out=$(node "$repo/tools/prices/stale.mjs" "$fixture") || { echo "FAIL stale.mjs exited $? on $fixture"; exit 1; }
expect() { # expect DESCRIPTION GREP_ARGS...
    local what=$1
    shift
    if grep -q "$@" <<<"$out"; then echo "ok   $what"; else echo "FAIL $what"; failed=1; fi
}
expect "a row a day older than stale_before is reported" -F "presets[0] (old): as_of 2026-05-31 is older than stale_before 2026-06-01; re-check https://example.org/old"
expect "a min_tokens row is reported by its family" -F "min_tokens[0] (ancient): as_of 2025-01-01"
expect "a row dated stale_before itself is not" -v -F "(edge)"
expect "a row newer than stale_before is not" -v -F "(new)"
expect "a ttl_classes row is reported by its seller" -F "ttl_classes[0] (vendor): as_of 2026-01-01"
expect "the summary counts 3 of 5" -x -F "3 of 5 cache rules older than 2026-06-01"
# A row without a date is an error naming it.
broken=$(mktemp)
trap 'rm -f "$broken"' EXIT
sed 's/, "as_of": "2026-06-02"//' "$fixture" >"$broken"
if err=$(node "$repo/tools/prices/stale.mjs" "$broken" 2>&1); then
    echo "FAIL a row without as_of should fail"; failed=1
elif grep -qF "presets[2].as_of: must be a date YYYY-MM-DD" <<<"$err"; then
    echo "ok   a row without as_of is an error naming presets[2].as_of"
else
    echo "FAIL a row without as_of: $err"; failed=1
fi
# The shipped file: every row dated, a stale_before set.
if node "$repo/tools/prices/stale.mjs" "$repo/scenarios/rules/cache_rules.json" >/dev/null; then
    echo "ok   the shipped rules file has stale_before and a date and a source on every row"
else
    echo "FAIL the shipped rules file"; failed=1
fi
exit $failed
