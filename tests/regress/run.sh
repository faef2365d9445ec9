#!/usr/bin/env bash
# Inputs the fuzz harnesses found (tests/fuzz), kept so the bugs stay fixed:
# usage: run.sh PCSIM_BINARY SOURCE_DIR
#
# Each case runs the normal pcsim binary on one file of tests/data/regress/
# (its README says what each one broke) and expects a clean data error: exit
# 1, nothing on stdout, stderr naming the file, the place and the field; never
# a crash or a sanitizer report. Prints one line per case, then
# `N passed, M failed`.
set -u

# shellcheck source=../cli/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cli/cli_lib.sh" "$@" || exit 2
REGRESS=tests/data/regress

# ------------------------------------------------------------ check bodies

# --lenient skips the record (its message kept) instead of failing.
check_nul_model_lenient() {
    run replay --lenient "$REGRESS/nul_model.jsonl"
    if [ "$rc" -ne 0 ] || ! stderr_has "skipped: $REGRESS/nul_model.jsonl:1: field model: model name contains"; then
        why="exit $rc, want 0 and the skipped record's message"
        return 1
    fi
}

# ------------------------------------------------------------------ cases

data_error "model name \\u0000 (fuzz_trace)" "$REGRESS/nul_model.jsonl:1" "field model: model name contains" \
    replay "$REGRESS/nul_model.jsonl"
check nul_model_lenient "model name \\u0000 with --lenient: the record is skipped"
data_error "litellm: startTime twice (fuzz_trace)" "$REGRESS/litellm_start_twice.jsonl:2" \
    "field startTime: appears twice" replay "$REGRESS/litellm_start_twice.jsonl"
data_error "catalog model with cache_preset lru (fuzz_catalog)" "$REGRESS/lru_preset_catalog.json" \
    "providers[0].models[0].cache_preset: a model's cache cannot be lru" \
    prices --prices "$REGRESS/lru_preset_catalog.json" list

# ------------------------------------------------------------------ summary
finish
