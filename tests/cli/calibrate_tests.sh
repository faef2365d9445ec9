#!/usr/bin/env bash
# CLI tests for `pcsim calibrate`: usage: calibrate_tests.sh PCSIM_BINARY SOURCE_DIR
#
# Error curves computed by hand from DESIGN §3 and §9 on the tiny traces of
# tests/data/calibrate_*.jsonl (the arithmetic is above each case), the tie
# rule for the best TTL, the interval and its tolerance edge, errors, the
# help golden, every output format, and the round trip (observed usage from
# a replay at 7 min must calibrate back to it: calibrate_round_trip.py).
# Prints one line per case, then `N passed, M failed`.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

# json_is DESCRIPTION PYTHON_EXPRESSION ARGS...: runs `pcsim calibrate --format
# json ARGS...`, then the expression over the document `d` must be true.
json_is() {
    local what=$1 expression=$2
    shift 2
    [ "$UPDATE" = 1 ] && return
    run calibrate --format json "$@"
    if [ "$rc" -ne 0 ]; then
        fail "$what" "exit $rc, want 0"
        return
    fi
    local verdict
    verdict=$(python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
print('yes' if ($expression) else 'no: ' + json.dumps({k: d[k] for k in ('points', 'best', 'nominal') if k in d}))" \
        "$WORK/out" 2>&1)
    if [ "$verdict" = yes ]; then
        pass "$what"
    else
        fail "$what" "$expression: $verdict"
    fi
}

CURVE=$DATA/calibrate_curve.jsonl
TOLERANCE=$DATA/calibrate_tolerance.jsonl
BREAKPOINT=$DATA/calibrate_breakpoint.jsonl

# calibrate_curve.jsonl, policy ttl (refresh on use; alive iff gap < TTL), blocks of 100 tokens:
#   r1 t=0    [1,2,3]  observed read 0      nothing cached: read 0 at every TTL
#   r2 t=100  [1,2,3]  observed read 300    gaps 100: read 300 when TTL > 100, else 0
#   r3 t=400  [1,2,4]  observed read 200    [1,2] gap 300: read 200 when TTL > 300, else 0
#   r4 t=1000 [1,2,3]  observed read 100    [1,2] gap 600, [3] gap 900: 300 when TTL > 900,
#                                            200 when 600 < TTL <= 900, else 0
#   r5 t=1001 [9]      no observed usage    replayed, not part of E
# The ttl policy writes nothing, so the deviation is |sim read - observed read|, over an
# observed input of 4 x 300 = 1200 tokens:
#   TTL   60: 0+300+200+100 = 600  E 0.5       TTL 350: 0+0+0+100   = 100  E 0.083333
#   TTL  200: 0+0+200+100   = 300  E 0.25      TTL 450: 0+0+0+100   = 100  E 0.083333
#   TTL  300: 0+0+200+100   = 300  E 0.25      TTL 700: 0+0+0+|200-100| = 100
#   (gap 300 is not < 300)                     TTL 1000: 0+0+0+|300-100| = 200  E 0.166667
# Least E 100/1200 at 350, 450 and 700: the best is the smallest, 350 s. The tolerance is
# 0.001 x 1200 = 1.2 tokens: the interval runs from 350 to 700 (200 and 1000 are 100 and more
# tokens away). The ttl preset's own TTL is 300 s: E 0.25.
ASKED=1000,700,450,350,300,200,60
json_is "curve: E at every TTL, in the order asked" \
    "[(p['ttl_s'], p['deviation'], p['error']) for p in d['points']] == [(1000, 200, 0.166667), (700, 100, 0.083333),
     (450, 100, 0.083333), (350, 100, 0.083333), (300, 300, 0.25), (200, 300, 0.25), (60, 600, 0.5)]" \
    --ttl $ASKED $CURVE
json_is "curve: simulated reads of the observed requests per point" \
    "[p['cache_read'] for p in d['points']] == [800, 700, 500, 500, 300, 300, 0]
     and all(p['cache_write'] == 0 for p in d['points'])" \
    --ttl $ASKED $CURVE
json_is "tie rule: the best TTL is the smallest with the least E, not the first asked" \
    "d['best']['ttl_s'] == 350 and d['best']['error'] == 0.083333" --ttl $ASKED $CURVE
json_is "interval: the TTLs around the best within 0.001 of its E" \
    "d['best']['interval'] == [350, 700]" --ttl $ASKED $CURVE
json_is "nominal: E at the ttl preset's own 300 s, also when it is not a point" \
    "d['nominal'] == {'ttl_s': 300, 'error': 0.25}" --ttl 60,350 $CURVE
json_is "requests: 4 with observed usage, 1 without (not part of E), input 1200" \
    "(d['requests'], d['observed_requests'], d['unobserved_requests'], d['observed']['input'],
      d['observed']['cache_read']) == (5, 4, 1, 1200, 600)
     and any('1 request without it' in n for n in d['notes'])" \
    --ttl $ASKED $CURVE
json_is "every point overrides breakpoint markers, and the report says so" \
    "d['policy']['ttl_markers'] == 'overridden' and any('what-if' in n for n in d['notes'])" --ttl $ASKED $CURVE

# calibrate_tolerance.jsonl: calibrate_curve.jsonl plus one request of 98,800 tokens read by no
# TTL and observed reading none: deviations unchanged, input 100,000, tolerance exactly 100
# tokens. 1000 s (200) is exactly 0.001 above the best (100): within, so the interval is
# [350, 1000]; 300 s and 200 s (300) are not.
json_is "tolerance: an error exactly 0.001 above the best is within" \
    "d['best'] == {'ttl_s': 350, 'error': 0.001, 'interval': [350, 1000], 'tolerance': 0.001}
     and [p['error'] for p in d['points']] == [0.002, 0.001, 0.001, 0.001, 0.003, 0.003, 0.006]" \
    --ttl $ASKED $TOLERANCE
# calibrate_two_valleys.jsonl, policy ttl: chain [1] read back after 100 s is observed missing
# (100 tokens off when TTL > 100), chain [2] read back after 500 s is observed hitting (100 off
# when TTL <= 500). Input 400: E is 100/400 at 60 s, 200/400 at 300 s, 100/400 at 1000 s. The
# best is 60 s; 1000 s has the same E but 300 s lies between: the interval is [60, 60], and a
# note says that a point outside it is within the tolerance too.
json_is "interval: a run around the best, not the extremes of the points within the tolerance" \
    "[p['error'] for p in d['points']] == [0.25, 0.5, 0.25] and d['best']['interval'] == [60, 60]
     and any('1 point outside the interval is within' in n for n in d['notes'])" \
    --ttl 60,300,1000 $DATA/calibrate_two_valleys.jsonl

# calibrate_breakpoint.jsonl, policy breakpoint (min 0; the last bound written when none is
# marked): r1 writes 300 (observed write 300); r2 100 s later reads 300 if alive (observed read
# 300), else misses and writes 300 again. TTL 60: r2 deviates |0-300| + |300-0| = 600, over an
# input of 600: E 1. TTL 200: 0. The preset's 300 s: 0.
json_is "breakpoint: writes count in E" \
    "[(p['ttl_s'], p['error'], p['cache_read'], p['cache_write']) for p in d['points']]
     == [(60, 1.0, 0, 600), (200, 0.0, 300, 300)] and d['best']['interval'] == [200, 200]
     and d['nominal'] == {'ttl_s': 300, 'error': 0.0}" \
    --policy breakpoint --ttl 60,200 $BREAKPOINT

# calibrate_markers.jsonl: native_ttl_markers.jsonl (a 2,000-token system segment marked "5m",
# re-sent after 600 s and 3,000 s more) with what a provider keeping the marker's 5 minutes
# reports: a write of 2,000 each time. Every point overrides the marker (DESIGN §3), policy
# breakpoint (min 0; only the marked breakpoint is written): TTL 60 and 300 expire before each
# re-send, as observed: E 0. TTL 900: the second request reads 2,000 and writes none (4,000
# off), the third (gap 3,000) writes again: 4,000 / 6,300 = 0.634921. TTL 3600: both re-sends
# read: 8,000 / 6,300 = 1.269841. Were the marker to stand, every TTL would fit.
json_is "markers: every point overrides them, and the report counts the marked requests" \
    "[(p['ttl_s'], p['error']) for p in d['points']] == [(60, 0.0), (300, 0.0), (900, 0.634921), (3600, 1.269841)]
     and d['best']['interval'] == [60, 300] and d['marked_requests'] == 3
     and any('markers overridden' in n and '3 requests' in n for n in d['notes'])" \
    --policy breakpoint --ttl 60,300,900,3600 $DATA/calibrate_markers.jsonl

# A Claude Code transcript has no prompt text: its prefixes come from token counts alone
# (DESIGN §8), and the calibration says so, as replay does.
json_is "counts only: the report states the assumption" \
    "any('from token counts alone' in n for n in d['notes'])" \
    --ttl 60,300 $DATA/claude_code_log/project
json_is "content: no counts-only note" \
    "not any('from token counts alone' in n for n in d['notes'])" \
    --ttl 60,300 $CURVE

# Formats: CSV in the order asked, with the fit; text and HTML say the answer.
check_csv() {
    run calibrate --format csv --ttl 60,350,700,1000 "$CURVE"
    local want
    want=$(printf '%s\n' "ttl_s,error,deviation,cache_read,cache_write,fit" "60,0.500000,600,0,0," \
        "350,0.083333,100,500,0,best" "700,0.083333,100,700,0,interval" "1000,0.166667,200,800,0,")
    [ "$rc" -eq 0 ] && [ "$(cat "$WORK/out")" = "$want" ] || {
        why="exit $rc, got: $(tr '\n' '|' <"$WORK/out")"
        return 1
    }
}
check csv "csv: one row per point, in the order asked"

check_text() {
    run calibrate --ttl $ASKED "$CURVE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    grep -qF "best TTL: 350 s, E = 0.083333; interval 350..700 s" "$WORK/out" &&
        grep -qF "the preset's own TTL: 300 s, E = 0.250000" "$WORK/out" || {
        why="the answer lines are missing: $(head -n 12 "$WORK/out" | tr '\n' '|')"
        return 1
    }
}
check text "text: the best TTL, its interval and the preset's own TTL"

check_html() {
    run calibrate --ttl $ASKED --prices "$DATA/prices/catalog.json" --model-map m=acme-small \
        --html "$WORK/curve.html" "$CURVE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    python3 - "$WORK/curve.html" <<'EOF' >"$WORK/html" 2>&1 || { why=$(tr '\n' '|' <"$WORK/html"); return 1; }
import pathlib, sys
sys.path.insert(0, "tests/report")
import check_html  # the checks every HTML report passes: XML, no scripts or links, charts and labels
root, svgs = check_html.check_document(pathlib.Path(sys.argv[1]))
assert root is not None and not check_html.failures, check_html.failures
assert len(svgs) == 1, f"{len(svgs)} charts, want the error curve"
text = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
assert "Best TTL: 350 s" in text and "interval 350..700 s" in text, "the answer is missing"
assert "Cost with the best TTL (350 s)" in text and "the cache of openai" in text, "the costs are missing"
EOF
}
check html "html: well-formed, the error curve, no scripts, the answer and the costs"

check_priced() {
    run calibrate --format json --prices "$DATA/prices/catalog.json" --model-map m=acme-small --ttl 60,350 "$CURVE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    python3 - "$WORK/out" <<'EOF' || { why="costs: $(jq -c .costs "$WORK/out")"; return 1; }
import json, sys
d = json.load(open(sys.argv[1]))
c = d["costs"]
assert c["ttl_s"] == 350
names = [p["preset"] for p in c["presets"]]
assert "openai" in names and "anthropic-5m" in names and "ttl" in names, names
same = {p["preset"]: p["same_cache_as"] for p in c["presets"]}
assert same["openai-24h"] == "openai" and same["anthropic-1h"] == "anthropic-5m", same
ttl = next(p for p in c["presets"] if p["preset"] == "ttl")
assert c["ideal_cost"] <= ttl["cost"] <= c["without_cache_cost"], c
EOF
}
check priced "costs: every preset at the best TTL, equal caches named, between ideal and none"

# Errors.
check_no_observed() {
    run calibrate --ttl 60,300 "$DATA/native_blocks.jsonl"
    [ "$rc" -eq 1 ] && [ ! -s "$WORK/out" ] && stderr_has "no request carries observed usage" || {
        why="exit $rc, stderr: $(head -c 200 "$WORK/err")"
        return 1
    }
}
check no_observed "error: no request with observed usage, exit 1"
usage_error "calibrate: --ttl is required" "give the TTLs to try with --ttl" calibrate "$CURVE"
usage_error "calibrate: a range that runs backwards" "--ttl: expected a list" calibrate --ttl 5m..1m "$CURVE"
usage_error "calibrate: a TTL that is not a duration" "--ttl: expected a list" calibrate --ttl 60,soon "$CURVE"
usage_error "calibrate: a zero TTL" "--ttl: expected a list" calibrate --ttl 0,60 "$CURVE"
usage_error "calibrate: lru has no TTL curve" "not 'lru'" calibrate --policy lru --ttl 60 "$CURVE"
usage_error "calibrate: an unknown policy" "unknown policy 'nope'" calibrate --policy nope --ttl 60 "$CURVE"
usage_error "calibrate: no trace" "no trace file given" calibrate --ttl 60
data_error "calibrate: a bad record is located" "bad_negative.jsonl:" "input_length" \
    calibrate --ttl 60 --input-format mooncake "$BAD/bad_negative.jsonl"

golden calibrate_help.txt 0 "pcsim calibrate --help prints the options to stdout" calibrate --help

check_round_trip() {
    python3 tests/cli/calibrate_round_trip.py "$PCSIM" . >"$WORK/round" 2>&1 || {
        why=$(tail -n 3 "$WORK/round" | tr '\n' '|')
        return 1
    }
}
check round_trip "round trip: observed from a replay at 7 min calibrates to an interval holding 420 s, E = 0"

finish
