#!/usr/bin/env bash
# Regenerates tests/golden/ from the golden cases of the CLI test scripts, so
# a change in pcsim's output shows up as a diff to review:
#   tests/cli/update_goldens.sh build/pcsim .  &&  git diff tests/golden
# usage: update_goldens.sh PCSIM_BINARY SOURCE_DIR
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 PCSIM_BINARY SOURCE_DIR" >&2
    exit 2
fi
dir=$(dirname "$0")
status=0
for script in run_cli_tests.sh prices_tests.sh tokens_tests.sh reconcile_tests.sh calibrate_tests.sh convert_tests.sh fit_tests.sh gen_tests.sh; do
    PCSIM_UPDATE_GOLDENS=1 bash "$dir/$script" "$1" "$2" || status=1
done
exit $status
