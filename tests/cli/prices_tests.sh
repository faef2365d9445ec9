#!/usr/bin/env bash
# CLI tests for `pcsim prices`: usage: prices_tests.sh PCSIM_BINARY SOURCE_DIR
#
# Exact figures use the hand-written catalog tests/data/prices/catalog.json,
# so they do not move when the shipped catalog is regenerated; a few cases
# check the shipped catalog's resolution and the issue's GPT-5.4 mini example.
# Case kinds are those of run_cli_tests.sh (tests/cli/cli_lib.sh), plus
# `cost`, which compares one field of `prices cost --format json`.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

CATALOG=tests/data/prices/catalog.json
BAD_CATALOG=tests/data/prices/bad

# json_field PATH: a value of the last stdout's JSON, by a Python expression
# path such as ["parts"]["input"].
json_field() {
    python3 -c 'import json,sys; print(repr(eval("json.load(sys.stdin)" + sys.argv[1])))' "$1" <"$WORK/out"
}

# cost DESCRIPTION FIELD EXPECTED ARGS...: `prices cost ARGS --format json`
# exits 0 and FIELD (a JSON path) equals EXPECTED within 1e-9 relative.
cost() {
    local what=$1 field=$2 want=$3
    shift 3
    [ "$UPDATE" = 1 ] && return
    run prices --prices "$CATALOG" cost --format json "$@"
    local got
    got=$(json_field "$field" 2>/dev/null)
    if [ "$rc" -ne 0 ]; then
        fail "cost: $what" "exit $rc, want 0"
    elif ! python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-9 * max(abs(b), 1e-12))' "$got" "$want"; then
        fail "cost: $what" "$field is $got, want $want"
    else
        pass "cost: $what"
    fi
}

# ------------------------------------------------------------ check bodies

check_shipped_dated_id() {
    run prices cost claude-opus-4-5-20251101 --input 1000 --output 0 --format json --price-date 2026-11-23
    local model
    model=$(json_field '["model"]')
    [ "$rc" -eq 0 ] && [ "$model" = "'claude-opus-4-5'" ] || { why="exit $rc, model $model"; return 1; }
}

check_shipped_gpt54_mini_uplift() {
    # The issue's example: $0.75 / $4.50 with a 10% regional uplift is $0.825 / $4.95.
    run prices cost gpt-5.4-mini --input 1M --output 1M --region-uplift 10% --format json --price-date 2026-11-23
    local input output
    input=$(json_field '["unit_prices"]["input_mtok"]')
    output=$(json_field '["unit_prices"]["output_mtok"]')
    [ "$rc" -eq 0 ] && python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - 0.825) > 1e-12 or abs(float(sys.argv[2]) - 4.95) > 1e-12)' "$input" "$output" ||
        { why="exit $rc, unit prices $input / $output, want 0.825 / 4.95"; return 1; }
}

check_shipped_gpt54_requests() {
    # The issue's figures: 15M input and 30M output over 300,000 requests is 50 input tokens a request,
    # far below GPT-5.4's long-context start (271,999): 15 x $2.50 + 30 x $15 = $487.50, not the
    # long-context 15 x $5 + 30 x $22.50 = $750 that one request of 15M tokens costs.
    run prices cost gpt-5.4 --input 15M --output 30M --requests 300000 --format json --price-date 2026-11-23
    local total
    total=$(json_field '["total"]')
    [ "$rc" -eq 0 ] && python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - 487.5) > 1e-9)' "$total" ||
        { why="exit $rc, total $total, want 487.5"; return 1; }
    run prices cost gpt-5.4 --input 15M --output 30M --format json --price-date 2026-11-23
    total=$(json_field '["total"]')
    [ "$rc" -eq 0 ] && python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - 750) > 1e-9)' "$total" ||
        { why="one request: exit $rc, total $total, want 750"; return 1; }
}

check_uplift_spellings() {
    local spelling total first=""
    for spelling in 1.1 0.1 10%; do
        run prices --prices "$CATALOG" cost acme-mini --input 1M --output 1M --region-uplift "$spelling" --format json
        total=$(json_field '["total"]')
        [ "$rc" -eq 0 ] || { why="--region-uplift $spelling: exit $rc"; return 1; }
        [ -z "$first" ] && first=$total
        [ "$total" = "$first" ] || { why="--region-uplift $spelling gives $total, 1.1 gives $first"; return 1; }
    done
    python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - 5.775) > 1e-12)' "$first" || { why="total $first, want 5.775"; return 1; }
}

check_unknown_model_nearest() {
    run prices --prices "$CATALOG" show acme-smal
    [ "$rc" -eq 1 ] && [ ! -s "$WORK/out" ] && stderr_has "unknown model 'acme-smal'" "acme-small" ||
        { why="exit $rc, want 1 with the nearest name acme-small on stderr"; return 1; }
}

# The shipped deepseek preset's rule as scenarios/rules/cache_rules.json
# states it (DESIGN §7: whole prefix units, no minimum), with its source and date.
check_shipped_cache_rule() {
    run prices show deepseek-chat --price-date 2026-11-23
    [ "$rc" -eq 0 ] &&
        grep -qxF '  cache rule      openai policy, idle TTL 21600 s, min prefix 0, granularity 1' "$WORK/out" &&
        grep -qE '^  rule source     https://api-docs.deepseek.com/guides/kv_cache \(.*whole unit.*\) \(as of 2026-12-07\)$' "$WORK/out" ||
        { why="exit $rc; want the deepseek rule and its source in: $(grep rule "$WORK/out" | tr '\n' '|')"; return 1; }
    run prices show claude-haiku-4-5 --price-date 2026-11-23 --format json
    python3 -c '
import json, sys
rule = json.load(open(sys.argv[1]))["model"]["cache_rule"]
sys.exit(not (rule["preset"] == "anthropic-5m" and rule["ttl_s"] == 300 and rule["per_model"] is True
              and rule["source"].startswith("https://platform.claude.com/") and rule["as_of"] == "2026-12-07"))' "$WORK/out" ||
        { why="the JSON cache_rule of claude-haiku-4-5 is not anthropic-5m, 300 s, per model, sourced, dated"; return 1; }
}

check_shipped_unknown_model() {
    run prices cost gpt-5.4-mnii --input 1
    [ "$rc" -eq 1 ] && stderr_has "unknown model 'gpt-5.4-mnii'" "gpt-5.4-mini" ||
        { why="exit $rc, want 1 naming gpt-5.4-mini as nearest"; return 1; }
}

check_env_catalog() {
    PCSIM_PRICES=$CATALOG run prices cost acme-large --input 1M --format json
    local total
    total=$(json_field '["total"]')
    [ "$rc" -eq 0 ] && [ "$total" = "5" ] || { why="PCSIM_PRICES: exit $rc, total $total, want 5"; return 1; }
}

# Today's noon UTC by this process's clock (under faketime, `date -u` prints local time).
utc_noon_today() {
    python3 -c 'import time; print(time.strftime("%Y-%m-%dT12:00:00Z", time.gmtime()))'
}

# $PCSIM_PRICE_DATE is the default date; --price-date wins over it; a bad
# value is a usage error naming the variable; unset, the date is today's noon.
check_env_price_date() {
    PCSIM_PRICE_DATE=2026-06-30 run prices --prices "$CATALOG" cost acme-dated --input 1M --format json
    local total when
    total=$(json_field '["total"]')
    [ "$rc" -eq 0 ] && [ "$total" = "1" ] || { why="PCSIM_PRICE_DATE=2026-06-30: exit $rc, total $total, want 1"; return 1; }
    PCSIM_PRICE_DATE=2026-06-30 run prices --prices "$CATALOG" cost acme-dated --input 1M --format json \
        --price-date 2026-07-01
    total=$(json_field '["total"]')
    [ "$rc" -eq 0 ] && [ "$total" = "2" ] || { why="--price-date over the variable: exit $rc, total $total, want 2"; return 1; }
    PCSIM_PRICE_DATE=2026-13-01 run prices --prices "$CATALOG" list
    [ "$rc" -eq 2 ] && stderr_has '$PCSIM_PRICE_DATE' "2026-13-01" ||
        { why="a bad PCSIM_PRICE_DATE: exit $rc, want 2 naming the variable"; return 1; }
    # Today by the same clock (faked or not); read on both sides of the run in case it crosses midnight.
    local before after
    before=$(utc_noon_today)
    (unset PCSIM_PRICE_DATE; run prices --prices "$CATALOG" cost acme-dated --input 1M --format json
     printf '%s\n' "$rc" >"$WORK/rc")
    after=$(utc_noon_today)
    rc=$(cat "$WORK/rc")
    when=$(json_field '["price_time"]' | tr -d "'")
    [ "$rc" -eq 0 ] && { [ "$when" = "$before" ] || [ "$when" = "$after" ]; } ||
        { why="unset: exit $rc, price_time $when, want today at noon UTC ($before)"; return 1; }
}

check_list_provider() {
    run prices --prices "$CATALOG" list cachers --format json
    local count
    count=$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["models"]))' <"$WORK/out")
    [ "$rc" -eq 0 ] && [ "$count" = 3 ] || { why="exit $rc, $count models, want the 3 of provider cachers"; return 1; }
}

# ------------------------------------------------------------------ cases

# --- goldens
golden prices_help.txt 0 "pcsim prices --help teaches the three actions" prices --help
golden prices_cost.txt 0 "cost text: parts, unit prices after tier and uplift" \
    prices --prices "$CATALOG" cost acme-long --input 250k --cache-read 100k --cache-write 20k \
    --cache-write-1h 5k --output 1k --tier batch --region-uplift 1.1 --price-date 2026-11-23
golden prices_cost.json 0 "cost JSON (schema pcsim.prices.v1)" \
    prices --prices "$CATALOG" cost acme-long --input 250k --cache-read 100k --cache-write 20k \
    --cache-write-1h 5k --output 1k --tier batch --region-uplift 1.1 --price-date 2026-11-23 --format json
golden prices_list.txt 0 "list: every model with its prices at the date" \
    prices --prices "$CATALOG" list --price-date 2026-11-23
golden prices_list.json 0 "list JSON" prices --prices "$CATALOG" list acme --price-date 2026-11-23 --format json
golden prices_show.txt 0 "show: a model with dated and timed prices" \
    prices --prices "$CATALOG" show acme-dated --price-date 2026-11-23
golden prices_show.json 0 "show JSON" prices --prices "$CATALOG" show acme-long --price-date 2026-11-23 --format json

# --- hand-checked costs (USD)
# 10,000 chats a day for 30 days of 50 input and 100 output tokens: 15M input, 30M output.
# At $0.15 / $0.60 per million: 15 x 0.15 + 30 x 0.60 = 2.25 + 18 = 20.25.
cost "a month of chats at \$0.15/\$0.60 costs \$20.25" '["total"]' 20.25 acme-small --input 15M --output 30M
# At $5 / $15: 15 x 5 + 30 x 15 = 75 + 450 = 525.
cost "the same month at \$5/\$15 costs \$525" '["total"]' 525 acme-large --input 15M --output 30M
# $0.75 / $4.50 with a 10% regional uplift: $0.825 / $4.95 per million.
cost "10% uplift: input \$0.825 per million" '["unit_prices"]["input_mtok"]' 0.825 acme-mini --input 1M --output 1M --region-uplift 10%
cost "10% uplift: output \$4.95 per million" '["unit_prices"]["output_mtok"]' 4.95 acme-mini --input 1M --output 1M --region-uplift 10%
# Batch halves both: 0.375 + 2.25.
cost "batch halves input and output" '["total"]' 2.625 acme-mini --input 1M --output 1M --tier batch
cost "flex halves too" '["total"]' 2.625 acme-mini --input 1M --output 1M --tier flex
cost "priority doubles" '["total"]' 10.5 acme-mini --input 1M --output 1M --tier priority
# Cached input bills at the cache read price: 1M input of which 1M read = $0.075.
cost "cached input bills at the cache read price" '["total"]' 0.075 acme-mini --input 1M --cache-read 1M
# 400k cached of 1M: 600k x 0.75 + 400k x 0.075 = 0.45 + 0.03.
cost "a partly cached prompt" '["total"]' 0.48 acme-mini --input 1M --cache-read 400k
# Writes: 1M input, 200k read, 300k written of which 100k for 1 hour:
# 500k x 3 + 200k x 0.3 + 200k x 3.75 + 100k x 6 = 1.5 + 0.06 + 0.75 + 0.6 = 2.91.
cost "5-minute and 1-hour writes at their own prices" '["total"]' 2.91 \
    cacher-writes --input 1M --cache-read 200k --cache-write 300k --cache-write-1h 100k
# Without a cache_write price, writes bill as input: 1M x 2 = 2.
cost "no cache_write price: writes bill at the input price" '["total"]' 2 cacher-nowrite --input 1M --cache-write 1M
# Without any cache price, reads bill as input too: 1M x 1 = 1.
cost "no cache_read price: reads bill at the input price" '["total"]' 1 cacher-plain --input 1M --cache-read 1M
# Long context: above 200,000 prompt tokens every price takes its tier.
# 250k input (100k read): 150k x 6 + 100k x 0.6 + 1k output x 22.5 + 1 request x 2/1000.
cost "long-context tier above 200k tokens" '["total"]' 0.9845 acme-long --input 250k --cache-read 100k --output 1k
# Exactly 200,000 is not above the start: 200k x 3 = 0.6, plus the request fee.
cost "a prompt of exactly the tier start pays the base price" '["total"]' 0.602 acme-long --input 200000
cost "--requests multiplies the per-request fee" '["parts"]["requests"]' 0.02 acme-long --input 0 --requests 10
# --requests N: the long-context tier follows each request's prompt, input / N (equal requests
# assumed). 15M over 300,000 requests is 50 tokens each: 15 x 3 = $45, not 15 x 6.
cost "--requests: tier by the average prompt (below the start)" '["parts"]["input"]' 45 \
    acme-long --input 15M --requests 300000
# 3M over 10 requests is 300,000 each, above 200,000: 3 x 6 + 0.001 x 22.5 + 10 x 2 / 1000
# = 18 + 0.0225 + 0.02.
cost "--requests: tier by the average prompt (above the start)" '["total"]' 18.0425 \
    acme-long --input 3M --output 1k --requests 10
# 2,000,001 over 10 averages 200,000.1, more than the start: 2.000001 x 6.
cost "--requests: an average just above the start takes the tier" '["parts"]["input"]' 12.000006 \
    acme-long --input 2000001 --requests 10
cost "--requests: an average of exactly the start pays the base" '["parts"]["input"]' 6 \
    acme-long --input 2M --requests 10
# Dated and timed prices: 1 before 2026-07-01, 2 from then, 0.5 daily 16:30-00:30 UTC.
cost "price before its start date" '["total"]' 1 acme-dated --input 1M --price-date 2026-06-30
cost "price from its start date" '["total"]' 2 acme-dated --input 1M --price-date 2026-07-01
cost "time-of-day price inside its window (wraps midnight)" '["total"]' 0.5 acme-dated --input 1M \
    --price-date 2026-07-01T23:59:00Z
cost "time-of-day window ends at its end time" '["total"]' 2 acme-dated --input 1M --price-date 2026-07-02T00:30:00Z
# Resolution: match rules, dates rewritten, fallback providers, case.
cost "a regex rule matches a dated id" '["total"]' 0.15 acme-small-20250101 --input 1M
cost "names compare case-insensitively" '["total"]' 0.15 ACME-Small --input 1M
cost "-YYYYMMDD is retried as -YYYY-MM-DD" '["total"]' 1 acme-20250601 --input 1M
cost "a fallback provider's model" '["total"]' 0.15 acme-small --provider router --input 1M
cost "PROVIDER:MODEL names the provider" '["total"]' 0.15 router:acme-small --input 1M

check shipped_dated_id "shipped catalog: claude-opus-4-5-20251101 resolves to claude-opus-4-5"
check shipped_gpt54_mini_uplift "shipped catalog: GPT-5.4 mini with 10% uplift is \$0.825/\$4.95"
check shipped_gpt54_requests "shipped catalog: GPT-5.4, 15M in / 30M out over 300,000 requests is \$487.50, not \$750"
check uplift_spellings "--region-uplift 1.1, 0.1 and 10% agree"
check unknown_model_nearest "an unknown model is an error naming the nearest"
check shipped_cache_rule "show: the preset's cache rule with its source and date (text and JSON)"
check shipped_unknown_model "shipped catalog: a misspelt model names the nearest"
check env_catalog "PCSIM_PRICES chooses the catalog"
check env_price_date "PCSIM_PRICE_DATE pins the default date; --price-date wins; a bad one names it"
check list_provider "list PROVIDER lists that provider's models"

# --- errors
data_error "unknown provider for list" "unknown provider 'nobody'" "acme" \
    prices --prices "$CATALOG" list nobody
data_error "a tier the provider does not sell" "no batch tier" "standard" \
    prices --prices "$CATALOG" cost cacher-plain --input 1 --tier batch
data_error "a model the provider lacks" "unknown model 'acme-small'" "at provider cachers" \
    prices --prices "$CATALOG" cost acme-small --provider cachers --input 1
data_error "malformed catalog JSON: line and column" "malformed.json:3:26" "malformed JSON" \
    prices --prices "$BAD_CATALOG/malformed.json" list
data_error "empty catalog" "empty.json" "empty" prices --prices "$BAD_CATALOG/empty.json" list
data_error "trailing garbage after the catalog" "trailing_garbage.json" "malformed JSON" \
    prices --prices "$BAD_CATALOG/trailing_garbage.json" list
data_error "a key given twice at the top" "duplicate_key_top.json: providers" "given twice" \
    prices --prices "$BAD_CATALOG/duplicate_key_top.json" list
data_error "a key given twice deep inside" "duplicate_key_nested.json: providers[0].models[1].prices.input_mtok" \
    "given twice" prices --prices "$BAD_CATALOG/duplicate_key_nested.json" list
data_error "wrong schema" "wrong_schema.json: schema" "pcsim.catalog.v1" prices --prices "$BAD_CATALOG/wrong_schema.json" list
data_error "negative price" "negative_price.json: providers[0].models[0].prices.input_mtok" ">= 0" \
    prices --prices "$BAD_CATALOG/negative_price.json" list
data_error "misspelt price key" "prices.inptu_mtok" "unknown field" \
    prices --prices "$BAD_CATALOG/unknown_price_key.json" list
data_error "fallback to a provider not in the catalog" "fallback_model_providers[0]" "not the id" \
    prices --prices "$BAD_CATALOG/unknown_fallback.json" list
data_error "unsupported regex" "match.regex" "lookbehind" prices --prices "$BAD_CATALOG/bad_regex.json" list
data_error "1-hour write price without a write price" "models[0].prices" "cache_write_mtok" \
    prices --prices "$BAD_CATALOG/write_1h_alone.json" list
data_error "fractional tier start" "tiers[0].start" "whole number" \
    prices --prices "$BAD_CATALOG/fractional_tier_start.json" list
data_error "impossible date" "constraint.start_date" "YYYY-MM-DD" prices --prices "$BAD_CATALOG/bad_date.json" list
data_error "unknown cache preset: the presets it could be, no command's help" "cache_preset" \
    "(expected one of: openai, openai-24h, openai-bp, anthropic-5m, anthropic-1h, gemini, deepseek, ttl, breakpoint, ideal, none)" \
    prices --prices "$BAD_CATALOG/unknown_preset.json" list
data_error "duplicate provider id" "providers[1].id" "comes earlier" \
    prices --prices "$BAD_CATALOG/duplicate_provider.json" list
data_error "unknown tier name" "tiers.turbo" "unknown tier" prices --prices "$BAD_CATALOG/unknown_tier.json" list
data_error "missing catalog file" "no_such_catalog.json" "cannot open" prices --prices "$WORK/no_such_catalog.json" list

usage_error "no action" "expected list" prices
usage_error "unknown action" "unknown action 'price'" prices price gpt-4o
usage_error "cost without --input" "--input" prices --prices "$CATALOG" cost acme-small --output 5
usage_error "cost without a model" "one model" prices cost --input 5
usage_error "--tier bogus" "--tier" prices --prices "$CATALOG" cost acme-small --input 5 --tier bogus
usage_error "--region-uplift abc" "--region-uplift" prices --prices "$CATALOG" cost acme-small --input 5 --region-uplift abc
usage_error "--input -5" "--input" prices --prices "$CATALOG" cost acme-small --input -5
usage_error "--input 1.5 (tokens are whole)" "--input" prices --prices "$CATALOG" cost acme-small --input 1.5
usage_error "cache_read above input" "exceeds the input tokens" prices --prices "$CATALOG" cost acme-small --input 5 --cache-read 6
usage_error "1-hour writes above writes" "exceeds cache_write" \
    prices --prices "$CATALOG" cost acme-small --input 5 --cache-write 1 --cache-write-1h 2
usage_error "usage counts on list" "belong to 'prices cost'" prices list --input 5
usage_error "--price-date in a bad shape" "--price-date" prices --prices "$CATALOG" list --price-date 2026-13-01
usage_error "--format xml" "--format" prices list --format xml

# ------------------------------------------------------------------ summary
finish
