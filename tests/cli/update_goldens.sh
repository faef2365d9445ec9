#!/usr/bin/env bash
# Regenerates tests/golden/ from the golden cases of run_cli_tests.sh, so a
# change in pcsim's output shows up as a diff to review:
#   tests/cli/update_goldens.sh build/pcsim .  &&  git diff tests/golden
# usage: update_goldens.sh PCSIM_BINARY SOURCE_DIR
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 PCSIM_BINARY SOURCE_DIR" >&2
    exit 2
fi
PCSIM_UPDATE_GOLDENS=1 exec bash "$(dirname "$0")/run_cli_tests.sh" "$1" "$2"
