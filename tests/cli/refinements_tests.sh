#!/usr/bin/env bash
# CLI tests for the breakpoint policy's refinements (DESIGN §3, docs/design.md §3):
# --visible-after and --lookback, by hand from their rules on tiny native traces.
# usage: refinements_tests.sh PCSIM_BINARY SOURCE_DIR
#
# Totals are requests,input,cache_read,cache_write,cache_write_1h,uncached,output.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

BP=(--policy breakpoint --min-tokens 0)
VISIBLE=$DATA/native_visible_after.jsonl
LOOKBACK=$DATA/native_lookback.jsonl
BLOCKS=$DATA/native_lookback_blocks.jsonl

# native_visible_after.jsonl: one 2000-token prompt at 0, 1 and 3 s, each with ttft 2 s.
# Off: written at 0, read at 1 and 3. On: the write at 0 is readable from 2 s, so the
# request at 1 s writes again (billed); the one at 3 s reads.
totals "visible-after off: the parallel request reads" "3,6000,4000,2000,0,0,3" "${BP[@]}" --visible-after off "$VISIBLE"
totals "visible-after on: it writes again, both billed" "3,6000,2000,4000,0,0,3" "${BP[@]}" --visible-after on "$VISIBLE"
totals "visible-after 1 is on" "3,6000,2000,4000,0,0,3" "${BP[@]}" --visible-after 1 "$VISIBLE"
totals "visible-after by default off" "3,6000,4000,2000,0,0,3" "${BP[@]}" "$VISIBLE"

# native_lookback.jsonl: segments b0..b8 (100 tokens each) at 0 s write an entry at bound
# 8 (900); at 10 s segments b0..b29, whose only breakpoint is bound 29: 21 bounds back.
totals "lookback off: found anywhere" "2,3900,900,3000,0,0,2" "${BP[@]}" "$LOOKBACK"
totals "lookback 20: 21 back is not found" "2,3900,0,3900,0,0,2" "${BP[@]}" --lookback 20 "$LOOKBACK"
totals "lookback 21: found" "2,3900,900,3000,0,0,2" "${BP[@]}" --lookback 21 "$LOOKBACK"
# The same prompts as hash_ids blocks: exempt, found.
totals "lookback 20 on a block trace: exempt" "2,3900,900,3000,0,0,2" "${BP[@]}" --lookback 20 "$BLOCKS"

# The sweep's lanes and calibrate honour them: the sweep's 300 s point is the replay's.
check_sweep() {
    run sweep --format csv "${BP[@]}" --ttl 300 --visible-after on "$VISIBLE"
    local row
    row=$(grep '^300,' "$WORK/out" | cut -d, -f2-8)
    [ "$rc" -eq 0 ] && [ "$row" = "3,6000,2000,4000,0,0,3" ] || { why="exit $rc, point $row"; return 1; }
}
check sweep "sweep --visible-after on: the 300 s point as replay gives it"

# Echoed when on, in text and JSON; absent when off, so reports of presets without them
# read as before.
check_echo() {
    run replay "${BP[@]}" --visible-after on --lookback 20 "$LOOKBACK"
    grep -q "min 0 tokens, readable after first token, lookback 20, writes at breakpoints" "$WORK/out" ||
        { why="text echo: $(grep -m1 '^policy' "$WORK/out")"; return 1; }
    run replay --format json "${BP[@]}" --visible-after on --lookback 20 "$LOOKBACK"
    grep -q '"visible_after":	1' "$WORK/out" && grep -q '"lookback":	20' "$WORK/out" ||
        { why="JSON echo lacks the members"; return 1; }
    run replay --format json "${BP[@]}" "$LOOKBACK"
    ! grep -q '"visible_after"\|"lookback"' "$WORK/out" || { why="echoed while off"; return 1; }
    run calibrate --ttl 60,300 "${BP[@]}" --lookback 5 --no-cost "$DATA/calibrate_breakpoint.jsonl"
    grep -q "lookback 5" "$WORK/out" || { why="calibrate does not echo"; return 1; }
}
check echo "the refinements are echoed when on, and only then"

check_note() {
    run replay --policy ttl --lookback 20 --visible-after on "$LOOKBACK"
    [ "$rc" -eq 0 ] && stderr_has "note: --visible-after has no effect on policy ttl" \
        "note: --lookback has no effect on policy ttl" || { why="exit $rc, no notes"; return 1; }
}
check note "another policy notes that they have no effect"

# A scenario strategy's "cache" object changes its preset's refinements (run). On
# cache_object.json every task is one 3,050-token request on one 3,000-token prefix, 1,200
# an hour: unrouted, every request but a trial's first reads floor(3000 / 128) * 128 = 2944,
# so the cached ratio is 2944/3050 (1 - 1/n), n ~ 1,200 tasks; routed (15 a minute: two or
# three machines) each new machine misses once more. The preset and the same value given
# are one configuration: equal to the last digit.
check_run_cache_object() {
    run run --format json "$DATA/scenarios/cache_object.json"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local verdict
    verdict=$(python3 - "$WORK/out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
points = doc.get("points")
strategies = points[0]["strategies"] if points else doc["strategies"]
by = {s["name"]: s for s in strategies}
preset, given, unrouted = by["preset"], by["as given"], by["unrouted"]
ceiling = 2944 / 3050
if given.get("cache_parameters") != {"overflow_rpm": 15} or unrouted.get("cache_parameters") != {"overflow_rpm": 0}:
    print("cache_parameters echo: %r %r" % (given.get("cache_parameters"), unrouted.get("cache_parameters")))
elif "cache_parameters" in preset:
    print("a plain preset echoes cache_parameters")
elif preset["cached_ratio"] != given["cached_ratio"] or preset["cost_per_completed_task"] != given["cost_per_completed_task"]:
    print("the preset and the same value given differ")
elif not ceiling * (1 - 1 / 1000) <= unrouted["cached_ratio"]["mean"] < ceiling:
    print("unrouted cached ratio %r outside [%r, %r)" % (unrouted["cached_ratio"]["mean"], ceiling * 0.999, ceiling))
elif not preset["cached_ratio"]["mean"] < unrouted["cached_ratio"]["mean"]:
    print("routing did not cost a read: %r vs %r" % (preset["cached_ratio"]["mean"], unrouted["cached_ratio"]["mean"]))
else:
    print("ok")
PY
)
    [ "$verdict" = "ok" ] || { why=$verdict; return 1; }
    run run "$DATA/scenarios/cache_object.json"
    grep -q 'cache openai, overflow_rpm 0$' "$WORK/out" || { why="text report lacks 'cache openai, overflow_rpm 0'"; return 1; }
}
check run_cache_object "run: a strategy's cache object turns overflow routing off, and 15 given equals the preset"

usage_error "--visible-after takes on, off, 1 or 0" "--visible-after: expected on, off, 1 or 0, got 'yes'" \
    replay --visible-after yes "$VISIBLE"
usage_error "--lookback takes a count" "--lookback: expected a count of units (0: off), got '-1'" \
    replay --lookback -1 "$VISIBLE"

finish
