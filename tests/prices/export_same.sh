#!/usr/bin/env bash
# tools/prices/export.mjs reads each model's cache preset and minimum from
# the hand-kept scenarios/rules/cache_rules.json: exported again with the
# shipped catalog's own date and package, it reproduces scenarios/prices.json
# byte for byte (a rule that moves a model's preset is a change of the rules
# file, seen in the catalog's diff, never of code). Skipped (77) without node
# or without the pinned package installed (tools/prices/install).
# Usage: export_same.sh REPO_ROOT
set -uo pipefail
repo=$1
if ! command -v node >/dev/null 2>&1; then
    echo "export_same: skipped: node is needed (tools/setup --node installs it)"
    exit 77
fi
if [ ! -d "$repo/tools/prices/node_modules/@pydantic/genai-prices" ]; then
    echo "export_same: skipped: tools/prices/install has not installed the pinned package"
    exit 77
fi
catalog=$repo/scenarios/prices.json
date=$(node -p "JSON.parse(require('fs').readFileSync('$catalog', 'utf8')).source.exported")
out=$(mktemp)
trap 'rm -f "$out" "$out.tmp"' EXIT
node "$repo/tools/prices/export.mjs" "$out" "$date" 2>/dev/null || { echo "FAIL export.mjs failed"; exit 1; }
if cmp -s "$out" "$catalog"; then
    echo "ok   export.mjs with the rules file reproduces scenarios/prices.json ($date)"
    exit 0
fi
echo "FAIL export.mjs with the rules file differs from scenarios/prices.json:"
diff "$catalog" "$out" | head -20
exit 1
