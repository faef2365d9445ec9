#!/usr/bin/env bash
# pcsim replay's reconciliation (DESIGN §9): requests that carry observed
# usage add observed against simulated to every report. Goldens for text,
# JSON and CSV; the dollars of both sides by hand on the test catalog; the
# same report for any thread count; the HTML section; bad observed usage
# refused with file:line and field. The token arithmetic of the traces is in
# tests/unit/test_reconciliation.c.
#   usage: reconcile_tests.sh PCSIM_BINARY SOURCE_DIR
# shellcheck source=cli_lib.sh
source "$(dirname "$0")/cli_lib.sh" "$@"

TTL_TRACE=$DATA/reconcile_ttl.jsonl
BP_TRACE=$DATA/reconcile_breakpoint.jsonl
PRICED_TRACE=$DATA/reconcile_prices.jsonl
PRICES=$DATA/prices/catalog.json

golden replay_reconcile_ttl.txt 0 "text report with a reconciliation (ttl, priced)" \
    replay --policy ttl "$TTL_TRACE"
golden replay_reconcile_openai.json 0 "JSON report with a reconciliation (openai, priced)" \
    replay --policy openai --format json "$TTL_TRACE"
golden replay_reconcile_breakpoint.csv 0 "CSV report with a reconciliation (breakpoint, 1h writes)" \
    replay --policy breakpoint --format csv "$BP_TRACE"

# csv_field SCOPE MODEL COLUMN: the reconciliation table's field (the table
# after the blank line of a replay CSV in $WORK/out).
csv_field() {
    python3 - "$WORK/out" "$1" "$2" "$3" <<'EOF'
import csv, sys
text = open(sys.argv[1]).read()
usage, _, section = text.partition("\n\n")
rows = list(csv.DictReader(section.splitlines()))
for row in rows:
    if row["scope"] == sys.argv[2] and row["model"] == sys.argv[3]:
        print(row[sys.argv[4]])
        break
EOF
}

# reconcile_prices.jsonl on the test catalog (acme-small: input 0.15, cache
# read 0.075, output 0.6 USD per million; no uplift by default). Line 1:
# 2000 input, 100 output, nothing cached on either side. Line 2: 3000 input,
# 100 output; observed read 1000, simulated (ttl: A, B alive) read 2000.
# Observed: (4000 x 0.15 + 1000 x 0.075 + 200 x 0.6) / 1e6 = 0.000795 USD;
# simulated: (3000 x 0.15 + 2000 x 0.075 + 200 x 0.6) / 1e6 = 0.00072 USD.
# E = |2000 - 1000| / 5000 = 0.2; line 2 disagrees (1000 > 128).
check_priced_by_hand() {
    run replay --policy ttl --format csv --prices "$PRICES" "$PRICED_TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local observed simulated error share
    observed=$(csv_field total "" observed_cost_usd)
    simulated=$(csv_field total "" simulated_cost_usd)
    error=$(csv_field total "" error)
    share=$(csv_field total "" agreement_share)
    python3 -c 'import sys; o, s = map(float, sys.argv[1:3]); sys.exit(not (abs(o - 0.000795) < 1e-12 and abs(s - 0.00072) < 1e-12))' \
        "$observed" "$simulated" || { why="observed $observed, simulated $simulated USD; want 0.000795 and 0.00072"; return 1; }
    [ "$error" = "0.200000" ] || { why="error $error, want 0.200000"; return 1; }
    [ "$share" = "0.500000" ] || { why="agreement share $share, want 0.500000"; return 1; }
    [ "$(csv_field model acme-small observed_cost_usd)" = "$observed" ] || { why="the model's dollars differ from the total"; return 1; }
    # With reconcile_ttl.jsonl beside it, whose models the test catalog does not know: their tokens
    # count, their dollars do not, and the text says so.
    run replay --policy ttl --format csv --prices "$PRICES" "$PRICED_TRACE" "$TTL_TRACE"
    [ "$(csv_field total "" requests)" = 8 ] || { why="total requests $(csv_field total "" requests), want 8"; return 1; }
    [ "$(csv_field total "" observed_cost_usd)" = "$observed" ] || { why="unpriced models changed the dollars"; return 1; }
    [ -z "$(csv_field model gpt-4o observed_cost_usd)" ] || { why="an unpriced model has dollars"; return 1; }
    run replay --policy ttl --prices "$PRICES" "$PRICED_TRACE" "$TTL_TRACE"
    grep -qF "not priced: gpt-4o (4 requests): left out of the USD totals" "$WORK/out" ||
        { why="the text does not say which models are left out of the dollars"; return 1; }
}
check priced_by_hand "observed and simulated dollars priced by the replay's catalog, by hand"

# Every thread count gives the same report, byte for byte.
check_threads() {
    run replay --policy openai --format json --threads 1 "$TTL_TRACE" "$BP_TRACE"
    cp "$WORK/out" "$WORK/one.json"
    run replay --policy openai --format json --threads 2 "$TTL_TRACE" "$BP_TRACE"
    cmp -s "$WORK/one.json" "$WORK/out" || { why="--threads 1 and 2 differ"; return 1; }
}
check threads "the reconciliation does not depend on the thread count"

# Requests without observed usage are said, never silently dropped.
check_without_observed() {
    run replay --policy ttl --no-cost "$TTL_TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    grep -qF "6 of 7 requests carry observed usage; the 1 without it is left out of this section" "$WORK/out" ||
        { why="the text does not say how many lack observed usage"; return 1; }
    run replay --policy ttl --no-cost --format json "$TTL_TRACE" "$DATA/native_segments.jsonl"
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["reconciliation"]; sys.exit(not (r["requests"] == 6 and r["requests_without_observed"] == 1 + 6))' \
        "$WORK/out" || { why="requests_without_observed is not 5 over both files"; return 1; }
}
check without_observed "requests without observed usage are counted and said"

# A replay without observed usage has no reconciliation anywhere.
check_no_observed() {
    run replay --format json "$DATA/native_segments.jsonl"
    ! grep -q reconciliation "$WORK/out" || { why="JSON has a reconciliation"; return 1; }
    run replay --format csv "$DATA/native_segments.jsonl"
    ! grep -q "^$" "$WORK/out" || { why="CSV has a second table"; return 1; }
}
check no_observed "no observed usage: no reconciliation"

# The HTML page: well-formed, the section, its table and chart.
check_html() {
    run replay --policy ttl --html "$WORK/page.html" "$TTL_TRACE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    python3 - "$WORK/page.html" <<'EOF' || { why="the HTML section is missing or malformed"; return 1; }
import sys, xml.etree.ElementTree as ET
raw = open(sys.argv[1], encoding="utf-8").read()
root = ET.fromstring(raw.partition("\n")[2])
text = "".join(root.itertext())
assert "Observed against simulated" in text
tables = [t for t in root.iter() if t.tag.endswith("table") and "reconcile" in t.get("class", "")]
assert len(tables) == 2, len(tables)
assert "reconcile_ttl.jsonl:3 (gpt-4o)" in text
assert any(e.get("aria-label") == "observed and simulated cache tokens" for e in root.iter())
EOF
}
check html "the HTML report has the reconciliation table, chart and worst list"

# Observed usage that cannot be (more cached than the prompt) is refused,
# naming the place and the field, for every output.
data_error "observed cache_read + cache_write over input_tokens" "observed_over_input.jsonl:2" "field observed" \
    replay "$BAD/observed_over_input.jsonl"
data_error "the same in JSON" "observed_over_input.jsonl:2" "field observed" \
    replay --format json "$BAD/observed_over_input.jsonl"

finish
