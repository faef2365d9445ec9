#!/usr/bin/env bash
# Runs tests/tokens/parity.mjs: pcsim's token ids against the npm package
# gpt-tokenizer on the corpus of tests/data/tokens. Installs the pinned
# package with npm first (tools/tokenizer/install); skipped (77) when node or
# npm is missing or the registry cannot be reached, with a note saying so.
# Usage: parity.sh TOKEN_IDS REPO_ROOT [SLICES]
set -uo pipefail
token_ids=$1
repo=$2
slices=${3:-300}
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "parity: skipped: node and npm are needed (tools/setup --node installs them)"
    exit 77
fi
if ! "$repo/tools/tokenizer/install" >&2; then
    echo "parity: skipped: could not install gpt-tokenizer with npm"
    exit 77
fi
exec node "$repo/tests/tokens/parity.mjs" "$token_ids" "$repo/tests/data/tokens" "$slices"
