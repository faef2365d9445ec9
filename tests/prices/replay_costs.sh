#!/usr/bin/env bash
# Replay dollars against calcPrice row by row (replay_costs.mjs), with the
# anthropic-5m and anthropic-1h presets, on the Claude-Code sessions shipped in
# scenarios/traces and, when present, on all of ../shared/data/claude-code.
# Skipped (77) without node and npm.
# Usage: replay_costs.sh PCSIM REPO_ROOT SHARED_DATA
set -uo pipefail
pcsim=$1
repo=$2
shared=$3
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "replay costs: skipped: node and npm are needed (tools/setup --node installs them)"
    exit 77
fi
"$repo/tools/prices/install" >&2 || { echo "replay costs: skipped: npm could not install the package"; exit 77; }
status=0
sets=("$repo/scenarios/traces/claude-code")
[ -d "$shared/claude-code" ] && sets+=("$shared/claude-code")
for dir in "${sets[@]}"; do
    for policy in anthropic-5m anthropic-1h; do
        echo "== $dir"
        node "$repo/tests/prices/replay_costs.mjs" "$pcsim" "$policy" "$dir"/*.json || status=1
    done
done
exit $status
