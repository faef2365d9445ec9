#!/usr/bin/env bash
# Runs tests/prices/parity.mjs: pcsim prices cost against the package's own
# calcPrice on random usage vectors. Installs the pinned package with npm
# first (tools/prices/install); skipped (77) when node or npm is missing or
# the registry cannot be reached, with a note saying so.
# Usage: parity.sh PCSIM REPO_ROOT [VECTORS]
set -uo pipefail
pcsim=$1
repo=$2
vectors=${3:-1200}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "parity: skipped: node and npm are needed (tools/setup --node installs them)"
    exit 77
fi
if ! "$repo/tools/prices/install" >&2; then
    echo "parity: skipped: could not install @pydantic/genai-prices with npm"
    exit 77
fi
exec node "$repo/tests/prices/parity.mjs" "$pcsim" "$vectors" 1
