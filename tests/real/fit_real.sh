#!/usr/bin/env bash
# fit -> run lands within 10% of the trace's own cached ratio (issue #17):
# usage: fit_real.sh PCSIM_BINARY SOURCE_DIR SHARED_DATA_DIR
# The shipped Claude-Code sessions and Mooncake trace always; the 28 real
# sessions of SHARED_DATA_DIR when it is there. Each written scenario must
# pass 'pcsim validate'. Prices are pinned (tests/pinned.env).
set -u
PCSIM=$1
SRC=$2
SHARED=${3:-}
export PCSIM_PRICE_DATE=2026-11-23
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failed=0

# fit_case NAME LIMIT_PERCENT ARGS...: fits, validates, checks |difference| <= limit.
fit_case() {
    local name=$1 limit=$2
    shift 2
    if ! "$PCSIM" fit --output "$WORK/$name.json" --report "$WORK/$name.txt" "$@" 2>"$WORK/$name.err"; then
        echo "FAIL $name: pcsim fit failed: $(head -n 3 "$WORK/$name.err")"
        failed=1
        return
    fi
    if ! "$PCSIM" validate "$WORK/$name.json" >/dev/null 2>"$WORK/$name.verr"; then
        echo "FAIL $name: the scenario does not validate: $(head -n 3 "$WORK/$name.verr")"
        failed=1
        return
    fi
    local line difference
    line=$(grep 'relative difference' "$WORK/$name.txt")
    difference=$(echo "$line" | sed -E 's/.*difference +([-+][0-9.]+)%.*/\1/')
    if awk -v d="$difference" -v l="$limit" 'BEGIN { exit !(d <= l && d >= -l) }'; then
        echo "ok   $name: $(grep -E 'trace replay|fitted scenario' "$WORK/$name.txt" | tr -s ' ' | tr '\n' ' ')difference $difference%"
    else
        echo "FAIL $name: difference $difference% is beyond $limit%"
        cat "$WORK/$name.txt"
        failed=1
    fi
}

fit_case claude_code_shipped 10 "$SRC/scenarios/traces/claude-code"
fit_case mooncake_shipped 10 --model gpt-5.4 "$SRC/scenarios/traces/mooncake_synthetic_trace.jsonl"
fit_case mooncake_shipped_ttl 10 --model gpt-5.4 --policy ttl "$SRC/scenarios/traces/mooncake_synthetic_trace.jsonl"
if [ -n "$SHARED" ] && [ -d "$SHARED/claude-code" ]; then
    fit_case claude_code_28 10 "$SHARED/claude-code"
else
    echo "skip claude_code_28: no $SHARED/claude-code"
fi
exit $failed
