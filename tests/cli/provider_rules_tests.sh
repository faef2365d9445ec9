#!/usr/bin/env bash
# CLI tests of provider rules kept in scenarios/rules/cache_rules.json:
# DeepSeek's whole prefix units (DESIGN §7), and "sweeps price what is sold"
# (docs/design.md §9, DESIGN §3): a TTL sweep or calibration under a breakpoint preset prices each point's
# writes at the write price of the shortest TTL class the provider sells at
# least as long as the point's TTL, and marks the points no class covers.
# Usage: provider_rules_tests.sh PCSIM_BINARY SOURCE_DIR
#
# tests/data/ttl_sale.jsonl: claude-sonnet-4-5 (input $3, cache_read $0.30,
# cache_write $3.75, cache_write_1h $6 per million; minimum 1024) sends one
# 2,000-token segment at t = 0 and again at t = 400 s. Anthropic sells 5 min
# (1.25x) and 1 h (2x) (scenarios/rules/cache_rules.json). By hand:
#   5 min:  the entry expires at 300 s < 400 s: two writes of 2,000 at the
#           5-minute price: 4,000 x 3.75 / 1e6 = $0.015
#   10 min: sold as the 1-hour class: one write of 2,000 at $6 and one read
#           of 2,000 at $0.30: 0.012 + 0.0006 = $0.0126 (at the 5-minute
#           price it would be 0.0075 + 0.0006 = $0.0081)
#   2 h:    longer than every class: not sold, marked; written with a TTL
#           of an hour or more, so at the 1-hour price: $0.0126
# Prints one line per case, then `N passed, M failed`.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

TRACE=$DATA/ttl_sale.jsonl

# py_check EXPRESSION: the expression over the JSON document `d` in $WORK/out.
py_check() {
    local verdict
    verdict=$(python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
print('yes' if ($1) else 'no')" "$WORK/out" 2>&1)
    [ "$verdict" = yes ] || { why="$1: $verdict"; return 1; }
}

check_sweep_json() {
    run sweep --policy anthropic-5m --ttl 5m,10m,2h --format json "$TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    py_check "[round(p['cost'], 9) for p in d['points']] == [0.015, 0.0126, 0.0126]" &&
        py_check "[p['sold'] for p in d['points']] == [True, True, False]" &&
        py_check "[p.get('sold_as', {}).get('ttl_s') for p in d['points']] == [300, 3600, None]" &&
        py_check "d['points'][1]['sold_as']['write_multiplier'] == 2 and d['points'][0]['sold_as']['write_multiplier'] == 1.25" &&
        py_check "'TTLs sold with anthropic-5m: 5 min (writes 1.25x input), 1 h (writes 2x input)' in d['ttl_sales']"
}
check sweep_json "sweep JSON: 5 min at the 5-minute price, 10 min at the 1-hour price, 2 h not sold"

check_sweep_text() {
    run sweep --policy anthropic-5m --ttl 5m,10m,2h "$TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    grep -qE '^2 h \* ' "$WORK/out" || { why="the 2 h row is not marked *"; return 1; }
    grep -qE '^10 min ' "$WORK/out" && ! grep -qE '^(10 min|5 min) \*' "$WORK/out" ||
        { why="a sold point is marked"; return 1; }
    grep -q "^TTLs sold with anthropic-5m: 5 min (writes 1.25x input), 1 h (writes 2x input); " "$WORK/out" ||
        { why="no note of the classes sold"; return 1; }
}
check sweep_text "sweep text: the unsold 2 h point carries * and a note lists the classes sold"

check_sweep_csv() {
    run sweep --policy anthropic-5m --ttl 5m,10m,2h --format csv "$TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    head -1 "$WORK/out" | grep -q '^ttl_s,sold_as_ttl_s,requests,' || { why="no sold_as_ttl_s column"; return 1; }
    grep -q '^300,300,.*,0.015$' "$WORK/out" && grep -q '^600,3600,.*,0.0126$' "$WORK/out" &&
        grep -q '^7200,,.*,0.0126$' "$WORK/out" || { why="rows: $(tr '\n' ' ' <"$WORK/out")"; return 1; }
}
check sweep_csv "sweep CSV: sold_as_ttl_s 300, 3600 and empty for the unsold 2 h"

check_sweep_html() {
    run sweep --policy anthropic-5m --ttl 5m,10m,2h --html "$WORK/sale.html" "$TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    grep -q '(7200 s) \*' "$WORK/sale.html" && grep -q 'TTLs sold with anthropic-5m' "$WORK/sale.html" ||
        { why="the HTML table does not mark 2 h or lacks the note"; return 1; }
}
check sweep_html "sweep HTML: the unsold point marked, the note present"

check_generic_unmarked() {
    run sweep --policy breakpoint --ttl 5m,10m,2h --format csv "$TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    head -1 "$WORK/out" | grep -q '^ttl_s,requests,' || { why="a generic policy got a sale column"; return 1; }
    # No provider: writes are billed by the TTL written (10 min at the 5-minute price).
    grep -q '^600,.*,0.0081$' "$WORK/out" || { why="the generic breakpoint's 10 min point moved"; return 1; }
}
check generic_unmarked "the generic breakpoint policy is no provider's: no marks, writes priced as written"

check_openai_bp() {
    # OpenAI GPT-5.6+ breakpoints take 30 min or 12 h, both at 1.25x:
    # 10 min is sold as 30 min, 1 h as 12 h, 24 h is not sold. The model
    # is claude-sonnet-4-5 (the preset is what sells): 10 min and 1 h both
    # read the second request (one write of 2,000 at $3.75: the 12-hour
    # class is billed as an hour or more, at the 1-hour price the catalog
    # has, $6: 0.012 + 0.0006 = $0.0126); 10 min: 0.0075 + 0.0006 = $0.0081.
    run sweep --policy openai-bp --ttl 10m,1h,24h --format json "$TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    py_check "[p['sold'] for p in d['points']] == [True, True, False]" &&
        py_check "d['points'][0]['sold_as'] == {'ttl_s': 1800, 'write_multiplier': 1.25}" &&
        py_check "d['points'][1]['sold_as'] == {'ttl_s': 43200, 'write_multiplier': 1.25}" &&
        py_check "[round(p['cost'], 9) for p in d['points']] == [0.0081, 0.0126, 0.0126]"
}
check openai_bp "openai-bp: 10 min sold as 30 min, 1 h as 12 h, 24 h not sold"

check_calibrate() {
    # E: at 300 s the second request misses (deviation 2,000 + 2,000); at
    # 600 s and 2 h both agree: tau* = 600 s. anthropic-5m at 600 s is sold
    # as 1 h: $0.0126 as above; openai-bp as 30 min: $0.0081.
    run calibrate --policy anthropic-5m --ttl 600,2h --format json "$TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    py_check "d['best']['ttl_s'] == 600" &&
        py_check "{p['preset']: round(p['cost'], 9) for p in d['costs']['presets']}['anthropic-5m'] == 0.0126" &&
        py_check "[p['sold_as']['ttl_s'] for p in d['costs']['presets'] if p['preset'] in ('anthropic-5m', 'openai-bp')] == [1800, 3600]" &&
        py_check "all('sold' not in p for p in d['costs']['presets'] if p['preset'] in ('ttl', 'openai', 'breakpoint'))"
    run calibrate --policy anthropic-5m --ttl 600,2h "$TRACE"
    grep -q '^anthropic-5m .*(sold as 3600 s, writes 2x input)' "$WORK/out" ||
        { why="the text report does not say anthropic-5m is sold as the 1-hour class"; return 1; }
}
check calibrate "calibrate: at tau* = 600 s anthropic-5m's writes are priced as the 1-hour class"

check_prices_show() {
    # The rules file's ttl_classes rows for the model's preset, each with
    # its source and date: Anthropic sells 5 min at 1.25x and 1 h at 2x.
    run prices show claude-sonnet-4-5
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    grep -q '^  TTL sold        5 min, writes 1.25x input (anthropic): https://.* (as of [0-9-]*)$' "$WORK/out" &&
        grep -q '^  TTL sold        1 h, writes 2x input (anthropic): https://' "$WORK/out" ||
        { why="no TTL sold lines: $(grep -i ttl "$WORK/out" | tr '\n' '|')"; return 1; }
    run prices show deepseek-chat --format json
    py_check "[(c['seller'], c['ttl_s'], c['write_multiplier']) for c in d['model']['ttl_classes']] == [('deepseek', None, 0)]" &&
        py_check "all(c['source'] and len(c['as_of']) == 10 for c in d['model']['ttl_classes'])"
}
check prices_show "prices show: the TTL classes sold with their write multipliers, sources and dates"

check_deepseek_units() {
    # tests/data/deepseek_units.jsonl, preset deepseek (DESIGN §7: a hit
    # needs a whole prefix unit; no minimum, no 64-token rounding):
    #   r1 t=0   system 100 + report 500: nothing cached, read 0
    #   r2 t=10  system 100 + the report one token short (499, another unit):
    #            only the system unit is whole: read 100 (64 under the old
    #            64-token rule)
    #   r3 t=20  system + report + question 30: both units whole: read 600
    #            (576 under the old rule)
    run replay --policy deepseek --no-cost --requests "$WORK/units.csv" "$DATA/deepseek_units.jsonl"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local reads
    reads=$(tail -n +2 "$WORK/units.csv" | cut -d, -f4 | tr '\n' ' ')
    [ "$reads" = "0 100 600 " ] || { why="cache_read per request: $reads, want 0 100 600"; return 1; }
}
check deepseek_units "deepseek: a unit one token short misses that unit, a whole unit hits in full"

finish
