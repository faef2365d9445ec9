#!/usr/bin/env bash
# CLI tests for `pcsim fit`: usage: fit_tests.sh PCSIM_BINARY SOURCE_DIR
#
# Case kinds as in run_cli_tests.sh (cli_lib.sh). What is fitted is
# tests/unit/test_fit.c; fit -> run on real traces is tests/real/fit_real.sh;
# here: the help, the usage errors, the scenario written and its report.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

# The scenario goes to --output whole; it validates; the report on stderr
# says what was fitted (the hand-made trace's 5 tasks, 2 variants).
check_scenario_written() {
    run fit --task task --trials 3 --output "$WORK/tiny.json" "$DATA/fit_tiny.jsonl"
    if [ "$rc" -ne 0 ] || [ -s "$WORK/out" ]; then
        why="exit $rc, or something on stdout"
        return 1
    fi
    if ! stderr_has "8 requests, 5 tasks" "2 distinct shared prefixes over 4 tasks -> 2 variants" "relative difference"; then
        why="the report lacks the counts or the check: $(head -n 3 "$WORK/err" | tr '\n' ' ')"
        return 1
    fi
    if ! "$PCSIM" validate "$WORK/tiny.json" >/dev/null 2>&1; then
        why="the scenario written does not validate"
        return 1
    fi
}

# --output - writes the scenario to stdout; --no-check leaves the check out.
check_stdout() {
    run fit --task task --no-check --output - "$DATA/fit_tiny.jsonl"
    if [ "$rc" -ne 0 ] || ! grep -q '"pcsim.scenario.v1"' "$WORK/out"; then
        why="exit $rc, or no scenario on stdout"
        return 1
    fi
    if stderr_has "relative difference"; then
        why="--no-check still checked"
        return 1
    fi
}

# A model the catalog does not know: exit 1, the loader's error and the hint.
check_unknown_model() {
    run fit --no-check --output "$WORK/m.json" "$DATA/mooncake_tiny.jsonl"
    if [ "$rc" -ne 1 ] || ! stderr_has "models.main" "--model"; then
        why="exit $rc; $(head -n 2 "$WORK/err" | tr '\n' ' ')"
        return 1
    fi
    if [ -e "$WORK/m.json" ]; then
        why="a scenario was written"
        return 1
    fi
}

# --------------------------------------------------------------- the cases

golden fit_help.txt 0 "pcsim fit --help prints the options to stdout" fit --help
golden fit_help.txt 0 "pcsim fit -h is --help" fit -h

usage_error "no --output" "--output FILE is required" fit "$DATA/fit_tiny.jsonl"
usage_error "no trace" "no trace file given" fit --output "$WORK/x.json"
usage_error "an unknown --task" "--task: expected session, task or request" fit --task turn --output "$WORK/x.json" "$DATA/fit_tiny.jsonl"
usage_error "--policy lru" "needs a capacity" fit --policy lru --output "$WORK/x.json" "$DATA/fit_tiny.jsonl"
usage_error "--trials 0" "--trials" fit --trials 0 --output "$WORK/x.json" "$DATA/fit_tiny.jsonl"
usage_error "an output that is the input" "--output" fit --output "$DATA/fit_tiny.jsonl" "$DATA/fit_tiny.jsonl"

check scenario_written "the scenario goes to --output, validates, and the report says what was fitted"
check stdout "--output - writes to stdout; --no-check leaves the check out"
check unknown_model "a model the catalog does not know: exit 1 with a hint, nothing written"

finish
