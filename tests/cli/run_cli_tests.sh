#!/usr/bin/env bash
# CLI tests for `pcsim replay`: usage: run_cli_tests.sh PCSIM_BINARY SOURCE_DIR
#
# Every case runs the binary from SOURCE_DIR on the tiny traces in tests/data/
# (never ../shared/data, so the suite runs on a fresh clone) and states what it
# checks. Case kinds, one helper each:
#
#   golden      stdout byte-for-byte equal to tests/golden/NAME, and the exit code
#   totals      the `total` row of --format csv equals a count computed by hand
#               (the arithmetic, following DESIGN §3, is in a comment above it)
#   data_error  exit 1, stdout empty, stderr names the place (file:line or the
#               request path) and the field
#   usage_error exit 2, stdout empty, stderr names the offending argument
#   check       anything else: a function check_NAME that sets $why on failure
#
# Prints one line per case, then exactly one line `N passed, M failed`; exits 1
# if any case failed. With PCSIM_UPDATE_GOLDENS=1 (see update_goldens.sh) the
# golden cases rewrite their files instead, and the other cases are not run.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

# ------------------------------------------------------------ check bodies

check_version() {
    local want
    want=$(sed -n 's/^project(pcsim VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
    local flag
    for flag in --version -V; do
        run "$flag"
        if [ "$rc" -ne 0 ] || [ "$(cat "$WORK/out")" != "pcsim $want" ]; then
            why="pcsim $flag: exit $rc, stdout '$(head -c 80 "$WORK/out")', want 'pcsim $want'"
            return 1
        fi
    done
}

check_no_command() {
    run
    if [ "$rc" -ne 2 ] || [ -s "$WORK/out" ] || ! stderr_has "Usage: pcsim"; then
        why="exit $rc (want 2), help must go to stderr and stdout stay empty"
        return 1
    fi
}

# A count of one takes the singular: "1 request from 1 file", "1 bad record".
check_singular_counts() {
    head -n 1 "$DATA/native_segments.jsonl" >"$WORK/one.jsonl"
    printf 'not json\n' >>"$WORK/one.jsonl"
    run replay --lenient "$WORK/one.jsonl"
    if [ "$rc" -ne 0 ] || ! grep -qx 'pcsim replay: 1 request from 1 file' "$WORK/out" ||
        ! grep -q '^skipped: 1 bad record ' "$WORK/out"; then
        why="exit $rc; first lines: '$(head -n 3 "$WORK/out" | tr '\n' '|')'"
        return 1
    fi
    # The CLI's own notes: native_segments.jsonl has one priority request for a model whose
    # provider sells no priority tier, and mooncake_tiny.jsonl's model is not in the catalog.
    run replay --policy anthropic-5m "$DATA/native_segments.jsonl"
    if [ "$rc" -ne 0 ] || ! stderr_has "its 1 priority request is priced at the standard tier"; then
        why="exit $rc; the priority note is not in the singular"
        return 1
    fi
    head -n 1 "$DATA/mooncake_tiny.jsonl" >"$WORK/one_mooncake.jsonl"
    run replay "$WORK/one_mooncake.jsonl"
    if [ "$rc" -ne 0 ] || ! stderr_has "its 1 request is left out of the cost"; then
        why="exit $rc; the unpriced-model note is not in the singular"
        return 1
    fi
}

# Each money column of the text cost table prints all its amounts with one
# number of decimals, so the column aligns and reads like money.
check_money_columns() {
    run replay --policy anthropic-5m "$DATA/native_segments.jsonl"
    local column decimals
    for column in 3 4 5 6; do
        # The rows after the header up to the first blank line: the column's
        # amounts, counted from the right (the model name has no spaces).
        decimals=$(sed -n '/with cache  without cache/,/^$/p' "$WORK/out" | sed '1d;/^$/d' |
            grep -v '^not priced' | grep -v '^with cache, by part' |
            awk -v c="$column" '{ n = NF - 7 + c; split($n, p, "."); print length(p[2]) }' | sort -u)
        if [ -z "$decimals" ] || [ "$(printf '%s\n' "$decimals" | wc -l)" -ne 1 ]; then
            why="column $column of the cost table has decimals '$(printf '%s' "$decimals" | tr '\n' ' ')'"
            return 1
        fi
    done
}

# Every line of the CSV report has as many fields as its header.
check_csv_rectangular() {
    run replay --policy breakpoint --format csv "$DATA/claude_code_tiny.json"
    local header line n want
    header=$(head -n 1 "$WORK/out")
    want=$(printf '%s' "$header" | tr -cd , | wc -c)
    n=0
    while IFS= read -r line; do
        n=$((n + 1))
        if [ "$(printf '%s' "$line" | tr -cd , | wc -c)" -ne "$want" ]; then
            why="line $n has a different field count from the header: '$line'"
            return 1
        fi
    done <"$WORK/out"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
}

# requests_sums REPLAY_ARGS...: --requests FILE has the header, one row per request,
# rows in time order, and columns that sum to the report's totals: tokens
# exactly, cost_usd (where priced) to a relative 1e-9.
requests_sums() {
    local file=$WORK/requests.csv
    rm -f "$file"
    run replay --format csv --requests "$file" "$@"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    [ -f "$file" ] || { why="$file was not written"; return 1; }
    local header
    header=$(head -n 1 "$file")
    if [ "$header" != "t_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd,observed_cache_read,observed_cache_write,observed_cache_write_1h,source" ]; then
        why="header is '$header'"
        return 1
    fi
    local t model input read write output write_1h cost
    local rows=0 sum_input=0 sum_read=0 sum_write=0 sum_output=0 sum_write_1h=0 last_t=-1
    while IFS=, read -r t model input read write output write_1h cost; do
        rows=$((rows + 1))
        if [ "$t" -lt "$last_t" ]; then
            why="row $rows: t_ms $t is earlier than the row before ($last_t)"
            return 1
        fi
        last_t=$t
        sum_input=$((sum_input + input))
        sum_read=$((sum_read + read))
        sum_write=$((sum_write + write))
        sum_output=$((sum_output + output))
        sum_write_1h=$((sum_write_1h + write_1h))
    done < <(tail -n +2 "$file")
    local requests total_input total_read total_write total_write_1h total_output total_cost rest
    IFS=, read -r _ _ requests total_input total_read total_write total_write_1h _ total_output _ total_cost rest \
        <<<"$(total_row)"
    local got="$rows,$sum_input,$sum_read,$sum_write,$sum_write_1h,$sum_output"
    local want="$requests,$total_input,$total_read,$total_write,$total_write_1h,$total_output"
    if [ "$got" != "$want" ]; then
        why="rows,input,cache_read,cache_write,cache_write_1h,output: file sums $got, report totals $want"
        return 1
    fi
    local sum_cost
    sum_cost=$(tail -n +2 "$file" | awk -F, '$8 != "" { s += $8 } END { printf "%.12g", s }')
    if [ -n "$total_cost" ] && ! python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-9 * max(abs(b), 1e-12))' "$sum_cost" "$total_cost"; then
        why="cost_usd: rows sum to $sum_cost, report total $total_cost"
        return 1
    fi
}

check_requests_mooncake() { requests_sums --policy lru --capacity 1100 "$DATA/mooncake_tiny.jsonl"; }
check_requests_claude_code() { requests_sums --policy breakpoint "$DATA/claude_code_tiny.json"; }
check_requests_native() { requests_sums --policy breakpoint "$DATA/native_segments.jsonl" "$DATA/native_blocks.jsonl"; }

# Azure times by hand: 2023-11-16 18:17:03 UTC is 1700158623 s since 1970;
# .9799600 s rounds to 980 ms, .0319600 to 32 ms; the out-of-order third row
# (18:17:02.5) sorts first.
check_requests_azure_exact() {
    local file=$WORK/requests.csv
    rm -f "$file"
    run replay --no-cost --model gpt-4o --requests "$file" "$DATA/azure_tiny.csv"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    printf '%s\n' "t_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd,observed_cache_read,observed_cache_write,observed_cache_write_1h,source" \
        "1700158622500,gpt-4o,100,0,0,1,0,,,,,$DATA/azure_tiny.csv:4" \
        "1700158623980,gpt-4o,4808,0,0,10,0,,,,,$DATA/azure_tiny.csv:2" \
        "1700158624032,gpt-4o,3180,0,0,8,0,,,,,$DATA/azure_tiny.csv:3" >"$WORK/want.csv"
    if ! diff -u "$WORK/want.csv" "$file" >"$WORK/diff"; then
        why="per-request CSV differs: $(tr '\n' ' ' <"$WORK/diff" | head -c 400)"
        return 1
    fi
}

# The observed columns carry each request's "observed" usage (absent members
# are 0), and source its line; a request without observed usage leaves them empty.
check_requests_observed() {
    local file=$WORK/requests.csv
    rm -f "$file"
    printf '%s\n' '{"t": 900, "model": "gpt-4o", "input_tokens": 1500, "output_tokens": 1, "segments": [{"id": "Z", "tokens": 1500}]}' \
        >"$WORK/no_observed.jsonl"
    run replay --no-cost --policy ttl --ttl 300 --requests "$file" "$DATA/reconcile_ttl.jsonl" "$WORK/no_observed.jsonl"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local got
    got=$( (head -n 4 "$file" && tail -n 1 "$file") | cut -d, -f1,9-12 | tr '\n' ' ')
    local want="t_ms,observed_cache_read,observed_cache_write,observed_cache_write_1h,source "
    want+="0,0,0,0,$DATA/reconcile_ttl.jsonl:1 60000,1024,0,0,$DATA/reconcile_ttl.jsonl:2 "
    want+="400000,1792,0,0,$DATA/reconcile_ttl.jsonl:3 900000,,,,$WORK/no_observed.jsonl:1 "
    [ "$got" = "$want" ] || { why="rows '$got', want '$want'"; return 1; }
}

# Claude-Code times: a subagent request's time is entry.t + t: 12.0 + 3.5 s =
# 15500 ms, which sorts after the top-level request at 14 s.
check_requests_subagent_times() {
    local file=$WORK/requests.csv
    rm -f "$file"
    run replay --requests "$file" "$DATA/claude_code_tiny.json"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local times
    times=$(cut -d, -f1,2 "$file" | tail -n +2 | tr '\n' ' ')
    local want="0,claude-sonnet-4-5 10000,claude-sonnet-4-5 12000,claude-haiku-4-5 14000,claude-sonnet-4-5 15500,claude-haiku-4-5 400000,claude-sonnet-4-5 "
    [ "$times" = "$want" ] || { why="t_ms,model rows: '$times', want '$want'"; return 1; }
}

# A data error leaves neither FILE nor FILE.tmp.* behind, and an existing FILE
# is left as it was.
check_requests_no_leftovers() {
    local dir=$WORK/leftovers
    rm -rf "$dir"
    mkdir "$dir"
    run replay --requests "$dir/per_request.csv" "$BAD/bad_negative.jsonl"
    if [ "$rc" -ne 1 ] || [ -n "$(ls -A "$dir")" ]; then
        why="exit $rc (want 1); left in the directory: $(ls -A "$dir" | tr '\n' ' ')"
        return 1
    fi
    echo "old contents" >"$dir/per_request.csv"
    run replay --requests "$dir/per_request.csv" "$BAD/truncated.jsonl"
    if [ "$rc" -ne 1 ] || [ "$(ls -A "$dir")" != "per_request.csv" ] ||
        [ "$(cat "$dir/per_request.csv")" != "old contents" ]; then
        why="exit $rc (want 1); an existing FILE must stay untouched: $(ls -A "$dir" | tr '\n' ' ')"
        return 1
    fi
}

# --lenient on lenient_mixed.jsonl (mooncake_tiny.jsonl with a negative
# input_length at line 3 and malformed JSON at line 7) reports the same
# numbers as mooncake_tiny.jsonl, and says it skipped 2 records and where.
check_lenient_skips() {
    run replay --format csv "$DATA/mooncake_tiny.jsonl"
    [ "$rc" -eq 0 ] || { why="mooncake_tiny.jsonl: exit $rc"; return 1; }
    cp "$WORK/out" "$WORK/good_only.csv"
    run replay --lenient --format csv "$DATA/lenient_mixed.jsonl"
    if [ "$rc" -ne 0 ]; then
        why="exit $rc, want 0"
        return 1
    fi
    if ! stderr_has "skipped 2" "lenient_mixed.jsonl:3" "lenient_mixed.jsonl:7"; then
        why="stderr lacks 'skipped 2' or the places lenient_mixed.jsonl:3 and :7"
        return 1
    fi
    if ! cmp -s "$WORK/good_only.csv" "$WORK/out"; then
        why="report differs from the run on the good lines alone"
        return 1
    fi
}

# An override the policy does not use is named on stderr; the result is unchanged.
# Every record bad (no time readable): the run fails, but still shows the first reasons,
# in file order (lenient_all_bad.jsonl: a string time, a negative one, none).
check_lenient_all_bad() {
    run replay --lenient "$DATA/lenient_all_bad.jsonl"
    [ "$rc" -eq 1 ] || { why="exit $rc, want 1"; return 1; }
    local places
    places=$(grep -o 'lenient_all_bad.jsonl:[0-9]*: field [a-z_]*' "$WORK/err" | tr '\n' ' ')
    [ "$places" = "lenient_all_bad.jsonl:1: field timestamp lenient_all_bad.jsonl:2: field timestamp lenient_all_bad.jsonl:3: field timestamp " ] ||
        { why="reasons shown: '$places'"; return 1; }
}

# Skipped lines are listed in file order, whichever pass found them and whatever the
# records' times: lenient_late_bad.jsonl has a bad field at a late time (line 2), a bad
# time (3) and a bad field at an early time (4); lenient_mixed.jsonl lines 3 and 7.
check_lenient_file_order() {
    run replay --lenient "$DATA/lenient_late_bad.jsonl" "$DATA/lenient_mixed.jsonl"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local places
    places=$(grep '^pcsim: skipped:' "$WORK/err" | grep -o '[a-z_]*\.jsonl:[0-9]*' | tr '\n' ' ')
    [ "$places" = "lenient_late_bad.jsonl:2 lenient_late_bad.jsonl:3 lenient_late_bad.jsonl:4 lenient_mixed.jsonl:3 lenient_mixed.jsonl:7 " ] ||
        { why="order: $places"; return 1; }
    run replay --lenient "$DATA/lenient_late_bad.jsonl"
    places=$(grep '^pcsim: skipped:' "$WORK/err" | grep -o '[a-z_]*\.jsonl:[0-9]*' | tr '\n' ' ')
    [ "$places" = "lenient_late_bad.jsonl:2 lenient_late_bad.jsonl:3 lenient_late_bad.jsonl:4 " ] ||
        { why="one file (streamed): order $places"; return 1; }
}

check_unused_override_noted() {
    run replay --format csv --policy ideal "$DATA/mooncake_tiny.jsonl"
    cp "$WORK/out" "$WORK/plain.csv"
    run replay --format csv --policy ideal --ttl 5 --capacity 3 "$DATA/mooncake_tiny.jsonl"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    if ! stderr_has "--ttl has no effect on policy ideal" "--capacity has no effect on policy ideal"; then
        why="stderr does not name the unused --ttl and --capacity"
        return 1
    fi
    cmp -s "$WORK/plain.csv" "$WORK/out" || { why="the report changed"; return 1; }
}

# One thread or two (a reader thread ahead of the cache): byte-identical reports
# and per-request rows, on every format and on a policy with breakpoints.
check_threads_identical() {
    local args
    for args in "--policy openai $DATA/mooncake_tiny.jsonl scenarios/traces/mooncake_synthetic_trace.jsonl" \
                "--policy anthropic-5m $DATA/claude_code_tiny.json scenarios/traces/claude-code/trace_0276.json" \
                "--policy breakpoint $DATA/native_segments.jsonl $DATA/native_blocks.jsonl" \
                "--policy lru --capacity 2M scenarios/traces/claude-code/trace_0126.json $DATA/azure_tiny.csv"; do
        # shellcheck disable=SC2086
        run replay --format json --threads 1 --requests "$WORK/one.csv" $args
        [ "$rc" -eq 0 ] || { why="--threads 1 $args: exit $rc"; return 1; }
        cp "$WORK/out" "$WORK/one.json"
        # shellcheck disable=SC2086
        run replay --format json --threads 2 --requests "$WORK/two.csv" $args
        [ "$rc" -eq 0 ] || { why="--threads 2 $args: exit $rc"; return 1; }
        cmp -s "$WORK/one.json" "$WORK/out" || { why="reports differ for $args"; return 1; }
        cmp -s "$WORK/one.csv" "$WORK/two.csv" || { why="per-request rows differ for $args"; return 1; }
    done
}

# --ttl accepts seconds with or without a unit: 300 = 300s = 5m.
# --policy auto: each model gets its provider's preset, so the top level says
# auto (not the base config's none) and each model names its own policy.
check_auto_policy_json() {
    run replay --policy auto --format json "$DATA/native_segments.jsonl"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local got
    got=$(python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["policy"]["name"], r["policy"]["policy"], " ".join(sorted(m["model"] + "=" + m["policy"]["policy"] for m in r["by_model"])))' <"$WORK/out")
    [ "$got" = "auto auto claude-sonnet-4-5=breakpoint gpt-5.4=openai" ] ||
        { why="policy: $got"; return 1; }
}

# The report says whether a marked trace's markers stand or the TTL overrides them.
check_ttl_markers_reported() {
    run replay --policy anthropic-1h "$DATA/native_ttl_markers.jsonl"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    grep -q "markers stand: .*policy TTL 3600 s applies to unmarked breakpoints" "$WORK/out" ||
        { why="no 'markers stand' line without --ttl"; return 1; }
    run replay --policy anthropic-1h --ttl 1h --format json "$DATA/native_ttl_markers.jsonl"
    local markers
    markers=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["policy"].get("ttl_markers"))' <"$WORK/out")
    [ "$markers" = "overridden" ] || { why="JSON policy.ttl_markers with --ttl 1h: $markers"; return 1; }
    run replay --policy anthropic-1h --html "$WORK/markers.html" "$DATA/native_ttl_markers.jsonl"
    grep -q "markers stand: .*policy TTL 3600 s applies to unmarked breakpoints" "$WORK/markers.html" ||
        { why="the HTML report lacks the 'markers stand' line"; return 1; }
    run replay --policy anthropic-1h "$DATA/mooncake_tiny.jsonl"
    ! grep -q "markers" "$WORK/out" || { why="a trace without markers mentions them"; return 1; }
}

# A TTL sweep overrides markers at every point, so its points move on a marked trace
# (the three --ttl totals above: reads 0, 2000, 4000).
check_ttl_sweep_marked() {
    run sweep --no-cost --policy anthropic-5m --ttl 5m,11m,1h --format json "$DATA/native_ttl_markers.jsonl"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local reads
    reads=$(python3 -c 'import json,sys; print(" ".join(str(p["tokens"]["cache_read"]) + "/" + str(p["tokens"]["cache_write_1h"]) for p in json.load(sys.stdin)["points"]))' <"$WORK/out")
    [ "$reads" = "0/0 2000/0 4000/2000" ] || { why="cache_read/cache_write_1h by point: $reads, want 0/0 2000/0 4000/2000"; return 1; }
    grep -q '"ttl_markers":[[:space:]]*"overridden"' "$WORK/out" || { why="sweep JSON lacks policy.ttl_markers overridden"; return 1; }
    run sweep --no-cost --policy anthropic-5m --ttl 5m,11m,1h --html "$WORK/sweep_markers.html" \
        "$DATA/native_ttl_markers.jsonl"
    grep -q "markers overridden: each point" "$WORK/out" && grep -q "markers overridden: each point" "$WORK/sweep_markers.html" ||
        { why="the sweep's text or HTML report lacks the 'markers overridden' line"; return 1; }
}

check_ttl_units() {
    run replay --format csv --ttl 300 "$DATA/mooncake_tiny.jsonl"
    [ "$rc" -eq 0 ] || { why="--ttl 300: exit $rc"; return 1; }
    cp "$WORK/out" "$WORK/ttl_300.csv"
    local spelling
    for spelling in 300s 5m 0.0833333333333h; do
        run replay --format csv --ttl "$spelling" "$DATA/mooncake_tiny.jsonl"
        if [ "$rc" -ne 0 ] || ! cmp -s "$WORK/ttl_300.csv" "$WORK/out"; then
            why="--ttl $spelling: exit $rc or a report different from --ttl 300"
            return 1
        fi
    done
}

check_deterministic() {
    run replay --policy anthropic-1h --format json "$DATA/claude_code_tiny.json" "$DATA/native_segments.jsonl"
    [ "$rc" -eq 0 ] && [ -s "$WORK/out" ] || { why="exit $rc or no output"; return 1; }
    cp "$WORK/out" "$WORK/first.json"
    run replay --policy anthropic-1h --format json "$DATA/claude_code_tiny.json" "$DATA/native_segments.jsonl"
    cmp -s "$WORK/first.json" "$WORK/out" || { why="two runs differ"; return 1; }
}

# A failed write to stdout is an error (exit 1), not silent success.
check_stdout_full() {
    if [ ! -w /dev/full ]; then
        why="no /dev/full"
        return 77
    fi
    "$PCSIM" replay "$DATA/mooncake_tiny.jsonl" >/dev/full 2>"$WORK/err"
    rc=$?
    [ "$rc" -eq 1 ] || { why="replay >/dev/full: exit $rc, want 1"; return 1; }
    "$PCSIM" --help >/dev/full 2>"$WORK/err"
    rc=$?
    [ "$rc" -eq 1 ] || { why="--help >/dev/full: exit $rc, want 1"; return 1; }
}

# --- inputs: streams, compressed files, directories (DESIGN §6)

# gz SOURCE DEST: DEST is SOURCE gzip-compressed (python3, no gzip tool needed).
gz() {
    python3 -c 'import gzip, shutil, sys
with open(sys.argv[1], "rb") as i, gzip.open(sys.argv[2], "wb") as o: shutil.copyfileobj(i, o)' "$1" "$2"
}

# same_as_plain HOW FEED ARGS...: `replay ARGS` prints what `replay` of the
# plain mooncake_tiny.jsonl prints (text and csv reports: they do not name
# files). FEED is what each run gets on stdin: "-" nothing, "<PATH" the file
# redirected, "|PATH" the file through a pipe; "@PATH" adds <(cat PATH)
# after ARGS instead.
same_as_plain() {
    local how=$1 feed=$2 format
    shift 2
    for format in text csv; do
        "$PCSIM" replay --format "$format" "$DATA/mooncake_tiny.jsonl" >"$WORK/plain" 2>/dev/null
        case $feed in
            "<"*) run replay --format "$format" "$@" <"${feed#<}" ;;
            "|"*) run replay --format "$format" "$@" < <(cat "${feed#|}") ;;
            "@"*) run replay --format "$format" "$@" <(cat "${feed#@}") ;;
            *) run replay --format "$format" "$@" ;;
        esac
        if [ "$rc" -ne 0 ] || ! cmp -s "$WORK/plain" "$WORK/out"; then
            why="$how, --format $format: exit $rc, report differs from the plain file's"
            return 1
        fi
    done
}

check_input_stdin() {
    local f=$DATA/mooncake_tiny.jsonl
    same_as_plain "- redirected from the file" "<$f" - || return 1
    same_as_plain "- from a pipe" "|$f" - || return 1
    same_as_plain "/dev/stdin from a pipe" "|$f" /dev/stdin || return 1
    same_as_plain "a process substitution" "@$f" || return 1
}

check_input_fifo() {
    mkfifo "$WORK/fifo" || { why="mkfifo failed"; return 77; }
    local format status=0
    for format in text csv; do
        "$PCSIM" replay --format "$format" "$DATA/mooncake_tiny.jsonl" >"$WORK/plain" 2>/dev/null
        # The writer gives up if pcsim never opens the FIFO.
        timeout 20 sh -c 'cat "$1" >"$2"' sh "$DATA/mooncake_tiny.jsonl" "$WORK/fifo" &
        run replay --format "$format" "$WORK/fifo"
        wait
        if [ "$rc" -ne 0 ] || ! cmp -s "$WORK/plain" "$WORK/out"; then
            why="a FIFO, --format $format: exit $rc, report differs from the plain file's"
            status=1
            break
        fi
    done
    rm -f "$WORK/fifo"
    return $status
}

check_input_compressed() {
    gz "$DATA/mooncake_tiny.jsonl" "$WORK/tiny.jsonl.gz" || { why="python3 gzip failed"; return 1; }
    same_as_plain "a .gz file" - "$WORK/tiny.jsonl.gz" || return 1
    same_as_plain "a .zst file" - "$DATA/mooncake_tiny.jsonl.zst" || return 1
    # Told by its bytes, not its name; and from standard input.
    cp "$WORK/tiny.jsonl.gz" "$WORK/tiny_gz.jsonl"
    same_as_plain "gzip data named .jsonl" - "$WORK/tiny_gz.jsonl" || return 1
    same_as_plain "gzip data through a pipe" "|$WORK/tiny.jsonl.gz" - || return 1
    # Two gzip members one after the other are one text.
    head -n 3 "$DATA/mooncake_tiny.jsonl" >"$WORK/part1"
    tail -n +4 "$DATA/mooncake_tiny.jsonl" >"$WORK/part2"
    gz "$WORK/part1" "$WORK/p1.gz" && gz "$WORK/part2" "$WORK/p2.gz"
    cat "$WORK/p1.gz" "$WORK/p2.gz" >"$WORK/members.gz"
    same_as_plain "a .gz of two members" - "$WORK/members.gz"
}

check_input_directory() {
    local dir=$WORK/tracedir
    mkdir -p "$dir/b" "$dir/a"
    cp "$DATA/native_blocks.jsonl" "$dir/b/native.jsonl"
    cp "$DATA/mooncake_tiny.jsonl" "$dir/a/z.jsonl"
    cp "$DATA/claude_code_tiny.json" "$dir/a-session.json"
    gz "$DATA/azure_tiny.csv" "$dir/c.csv.gz"
    echo 'not a trace' >"$dir/.hidden"
    # Name order (bytes, each directory in its place): a/ < a-session.json < b/ < c.csv.gz.
    "$PCSIM" replay --format json "$dir/a/z.jsonl" "$dir/a-session.json" "$dir/b/native.jsonl" \
        "$dir/c.csv.gz" >"$WORK/listed" 2>/dev/null
    run replay --format json "$dir"
    if [ "$rc" -ne 0 ] || ! cmp -s "$WORK/listed" "$WORK/out"; then
        why="the directory's report (exit $rc) differs from its files listed in name order"
        return 1
    fi
    if ! stderr_has "$dir/.hidden: skipped: a hidden entry"; then
        why="the hidden entry's skip is not noted on stderr"
        return 1
    fi
    run replay --format json "$dir/"
    if [ "$rc" -ne 0 ] || ! cmp -s "$WORK/listed" "$WORK/out"; then
        why="DIR/ (trailing slash) is reported differently from DIR"
        return 1
    fi
}

check_input_claude_code_projects() {
    run replay --format csv "$DATA/claude_code_log/project"
    if [ "$rc" -ne 0 ] || ! stderr_has "agent-x1.meta.json: skipped: a Claude Code subagent's metadata" \
        "tool-results: skipped: a Claude Code session's tool outputs" \
        "project/memory: skipped: a Claude Code project's memory notes" \
        "sessions-index.json: skipped: a Claude Code project's session index"; then
        why="exit $rc; the companions of the transcripts are not skipped with a note each"
        return 1
    fi
    if ! grep -q '^total,,13,' "$WORK/out"; then
        why="the three transcripts (the subagent's included) do not give 13 requests"
        return 1
    fi
}

check_counts_only_note() {
    local project=$DATA/claude_code_log/project note="prefixes come from token counts alone"
    local args
    for args in "replay" "sweep --ttl 1m,5m"; do
        # shellcheck disable=SC2086
        run $args "$project"
        if [ "$rc" -ne 0 ] || ! grep -qF "$note" "$WORK/out"; then
            why="pcsim $args on transcripts (exit $rc): the text report does not state the counts-only assumption"
            return 1
        fi
    done
    run replay --format json "$project"
    if [ "$rc" -ne 0 ] || ! grep -q '"prefixes_from_counts":[[:space:]]*true' "$WORK/out"; then
        why="the JSON report on transcripts lacks prefixes_from_counts (exit $rc)"
        return 1
    fi
    run replay --format json "$DATA/native_segments.jsonl"
    if grep -q 'prefixes_from_counts' "$WORK/out"; then
        why="a native trace's JSON report says prefixes_from_counts"
        return 1
    fi
}

check_input_stdin_once() {
    "$PCSIM" replay - - <"$DATA/mooncake_tiny.jsonl" >"$WORK/out" 2>"$WORK/err"
    rc=$?
    if [ "$rc" -ne 2 ] || [ -s "$WORK/out" ] || ! stderr_has "given twice"; then
        why="replay - -: exit $rc, want 2 and 'given twice' on stderr"
        return 1
    fi
}

check_input_errors_located() {
    gz "$BAD/bad_negative.jsonl" "$WORK/bad_negative.jsonl.gz"
    run replay "$WORK/bad_negative.jsonl.gz"
    if [ "$rc" -ne 1 ] || ! stderr_has "bad_negative.jsonl.gz:2" "field input_length"; then
        why="an error inside a .gz: exit $rc, want 1 and 'bad_negative.jsonl.gz:2' 'field input_length'"
        return 1
    fi
    run replay - <"$BAD/bad_negative.jsonl"
    if [ "$rc" -ne 1 ] || ! stderr_has "<stdin>:2" "field input_length"; then
        why="an error on stdin: exit $rc, want 1 and '<stdin>:2' 'field input_length'"
        return 1
    fi
    # Cut short: 60 of its bytes (the text of line 1 is 57 bytes long).
    gz "$DATA/mooncake_tiny.jsonl" "$WORK/whole.gz"
    head -c 60 "$WORK/whole.gz" >"$WORK/cut.jsonl.gz"
    run replay "$WORK/cut.jsonl.gz"
    if [ "$rc" -ne 1 ] || [ -s "$WORK/out" ] || ! stderr_has "cut.jsonl.gz:" "gzip data is truncated"; then
        why="a truncated .gz: exit $rc, want 1 and 'cut.jsonl.gz:' 'gzip data is truncated'"
        return 1
    fi
    # A flipped byte inside the deflate data; the header stays valid.
    python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[20] ^= 0xff; open(sys.argv[2], "wb").write(b)' \
        "$WORK/whole.gz" "$WORK/flipped.jsonl.gz"
    run replay "$WORK/flipped.jsonl.gz"
    if [ "$rc" -ne 1 ] || [ -s "$WORK/out" ] || ! stderr_has "flipped.jsonl.gz:" "gzip data is"; then
        why="a corrupt .gz: exit $rc, want 1 and 'flipped.jsonl.gz:' 'gzip data is'"
        return 1
    fi
    cat "$WORK/whole.gz" >"$WORK/trailing.gz"
    printf 'garbage' >>"$WORK/trailing.gz"
    run replay "$WORK/trailing.gz"
    if [ "$rc" -ne 1 ] || ! stderr_has "trailing.gz:" "trailing bytes"; then
        why="bytes after the gzip stream: exit $rc, want 1 and 'trailing bytes'"
        return 1
    fi
    head -c 40 "$DATA/mooncake_tiny.jsonl.zst" >"$WORK/cut.jsonl.zst"
    run replay "$WORK/cut.jsonl.zst"
    if [ "$rc" -ne 1 ] || ! stderr_has "cut.jsonl.zst:" "zstd data is"; then
        why="a truncated .zst: exit $rc, want 1 and 'cut.jsonl.zst:' 'zstd data is'"
        return 1
    fi
}

# Request logs: each detected by its shape (a Mooncake-like "timestamp" first does
# not fool it), --input-format forces one, and a log without prompts says what
# it assumed.
check_api_logs() {
    local f want
    for f in openai_chat:openai-log anthropic:anthropic-log litellm:litellm; do
        run replay --format json "$DATA/logs/${f%%:*}.jsonl"
        want="\"${f#*:}\""
        if [ "$rc" -ne 0 ] || ! grep -q "$want" "$WORK/out"; then
            why="${f%%:*}.jsonl: exit $rc, or the report does not name the format $want"
            return 1
        fi
    done
    run replay "$DATA/logs/litellm.jsonl"
    if [ "$rc" -ne 0 ] || ! grep -q "^note: a LiteLLM log trace holds no prompt text: prefixes come from token counts alone" "$WORK/out"; then
        why="litellm.jsonl: exit $rc, or no note of the counts-only assumption"
        return 1
    fi
    run replay "$DATA/logs/openai_chat.jsonl"
    if [ "$rc" -ne 0 ] || grep -q "prefixes come from token counts alone" "$WORK/out"; then
        why="openai_chat.jsonl carries its prompts: exit $rc, or a counts-only note"
        return 1
    fi
    run replay --input-format litellm "$DATA/logs/openai_chat.jsonl"
    if [ "$rc" -ne 1 ] || ! stderr_has "openai_chat.jsonl:1" "field startTime"; then
        why="forced litellm on an OpenAI log: exit $rc, want 1 and 'openai_chat.jsonl:1' 'field startTime'"
        return 1
    fi
}

# When no format fits, the message names every format tried and what the first line is.
check_input_detect_failure() {
    printf '{"prompt": "hi", "n": 3}\n' >"$WORK/unknown.jsonl"
    run replay "$WORK/unknown.jsonl"
    if [ "$rc" -ne 1 ] || ! stderr_has "unknown.jsonl:1" "mooncake (" "claude-code (" "native (" "azure (" \
        '"prompt", "n"' "--input-format"; then
        why="exit $rc; the message lacks a format tried, the first record's keys or the hint"
        return 1
    fi
    printf 'a,b,c\n1,2,3\n' >"$WORK/unknown.csv"
    run replay "$WORK/unknown.csv"
    if [ "$rc" -ne 1 ] || ! stderr_has "unknown.csv:1" "azure (a CSV header with ContextTokens)" '("a,b,c")'; then
        why="exit $rc; a CSV without the columns: the message lacks the formats or the first line"
        return 1
    fi
}

# ------------------------------------------------------------------ cases

# --- top-level program
golden main_help.txt 0 "pcsim --help prints the command list to stdout" --help
golden main_help.txt 0 "pcsim -h is --help" -h
golden replay_help.txt 0 "pcsim replay --help prints the options to stdout" replay --help
golden replay_help.txt 0 "pcsim replay -h is --help" replay -h
golden sweep_help.txt 0 "pcsim sweep --help prints the options to stdout, --threads among them" sweep --help
check version "pcsim --version and -V print 'pcsim X.Y.Z' matching CMakeLists.txt"
check no_command "pcsim without a command: help on stderr, exit 2"
usage_error "unknown command" "'bogus'" bogus
check stdout_full "a failed write to stdout exits 1"

# --- golden reports, one per input format and output format
golden replay_mooncake_ttl.txt 0 "text report, default policy (ttl 300 s), Mooncake" \
    replay "$DATA/mooncake_tiny.jsonl"
golden replay_mooncake_openai.json 0 "JSON report, openai preset, Mooncake" \
    replay --policy openai --format json "$DATA/mooncake_tiny.jsonl"
golden replay_mooncake_lru.csv 0 "CSV report, lru with a capacity, Mooncake" \
    replay --policy lru --capacity 1100 --format csv "$DATA/mooncake_tiny.jsonl"
golden replay_claude_code_breakpoint.csv 0 "CSV report, breakpoint policy, Claude-Code with a subagent" \
    replay --policy breakpoint --format csv "$DATA/claude_code_tiny.json"
golden replay_claude_code_anthropic_1h.json 0 "JSON report, anthropic-1h, Claude-Code" \
    replay --policy anthropic-1h --min-tokens 0 --format json "$DATA/claude_code_tiny.json"
golden replay_native_segments_anthropic_5m.txt 0 "text report, anthropic-5m, native segments with 5m/1h markers" \
    replay --policy anthropic-5m "$DATA/native_segments.jsonl"
golden replay_native_blocks_deepseek.json 0 "JSON report, deepseek preset, native hash_ids + block_tokens" \
    replay --policy deepseek --format json "$DATA/native_blocks.jsonl"
golden replay_azure.txt 0 "text report, Azure CSV (no prefix identity) with --model" \
    replay --model gpt-4o "$DATA/azure_tiny.csv"
golden replay_lenient.json 0 "JSON report with --lenient shows skipped: 2" \
    replay --lenient --format json "$DATA/lenient_mixed.jsonl"
golden replay_two_files.txt 0 "text report over two files of different formats" \
    replay "$DATA/mooncake_tiny.jsonl" "$DATA/native_blocks.jsonl"
golden replay_claude_code_log_anthropic_5m.txt 0 "text report, anthropic-5m, a Claude Code projects directory" \
    replay --policy anthropic-5m "$DATA/claude_code_log/project"

# --- totals computed by hand (DESIGN §3; alive iff t < u + ttl)
#
# mooncake_tiny.jsonl, 512-token blocks, bound i ends at min(512(i+1), input).
# In time order (lines 4 and 3 are out of order in the file):
#   r1 t=0       in 1200 out 10 ids [1,2,3] ends 512,1024,1200
#   r2 t=1000    in 1100 out 20 ids [1,2,4] ends 512,1024,1100
#   r3 t=400000  in 1536 out 5  ids [1,2,3] ends 512,1024,1536
#   r4 t=500000  in 700  out 7  ids [1,2]   ends 512,700
#   r5 t=800000  in 512  out 1  ids [1]     ends 512
#   r6 t=800000  in 1000 out 3  ids [1,5]   ends 512,1000   (after r5: file order)
# input 1200+1100+1536+700+512+1000 = 6048; output 10+20+5+7+1+3 = 46.
#
# ttl 300 s: r1 0; r2 [1,2] alive (1000 < 0+300000): 1024; r3 [1] last used at
# 1000, 1000+300000 <= 400000: dead, 0; r4 [1,2] used at 400000: 700;
# r5 [1] used at 500000, 500000+300000 = 800000 is not > 800000: dead, 0;
# r6 [1] just written by r5: 512. read 0+1024+0+700+0+512 = 2236.
totals "Mooncake, ttl 300 s: prefix reuse and expiry exactly at u + ttl" \
    "6,6048,2236,0,0,3812,46" "$DATA/mooncake_tiny.jsonl"
# ideal: r3 finds [1,2,3] from r1: 1536 (its own end); r5 512.
# read 0+1024+1536+700+512+512 = 4284.
totals "Mooncake, ideal: nothing expires" \
    "6,6048,4284,0,0,1764,46" --policy ideal "$DATA/mooncake_tiny.jsonl"
totals "Mooncake, none: nothing cached" \
    "6,6048,0,0,0,6048,46" --policy none "$DATA/mooncake_tiny.jsonl"
# Request logs (tests/data/logs, docs/formats.md "Request logs").
# litellm.jsonl: LiteLLM payloads without their prompt (redacted), one session,
# at 0.5, 30.5, 60.5, 90.5 s with prompt_tokens 1500, 1800, 1300, 1400 and 20 out:
# counts alone chain them: r1 [1500]; r2 r1's unit + one of 300, reads 1500;
# r3 shrank: a new chain [1300], 0; r4 its unit + 100, reads 1300.
# read 2800 of 6000; output 80.
totals "litellm, counts alone: a chain per session, a new one when the input shrinks" \
    "4,6000,2800,0,0,3200,80" --policy ttl "$DATA/logs/litellm.jsonl"
# openai (ttl 300 s, min 1024, granularity 128): matched as ttl, then
# r2 in 1100 >= 1024, matched 1024 >= 1024: 1024; r4 in 700 < 1024: 0;
# r6 matched 512 < 1024: 0. read 1024.
totals "Mooncake, openai: min 1024 on input and on the match" \
    "6,6048,1024,0,0,5024,46" --policy openai "$DATA/mooncake_tiny.jsonl"
# openai --ttl 1h: r3 [1,2,3] from r1 alive: 1536 = 12*128; r4 700 < 1024: 0.
# read 1024+1536 = 2560.
totals "Mooncake, openai with --ttl 1h overriding the preset" \
    "6,6048,2560,0,0,3488,46" --policy openai --ttl 1h "$DATA/mooncake_tiny.jsonl"
# openai --min-tokens 512 --granularity 100: r2 floor(1024/100)*100 = 1000;
# r3 0 (expired); r4 in 700 >= 512, matched 700: 700; r5 0 (expired);
# r6 in 1000, matched 512: 500. read 1000+700+500 = 2200.
totals "Mooncake, openai with --min-tokens and --granularity overrides" \
    "6,6048,2200,0,0,3848,46" --policy openai --min-tokens 512 --granularity 100 "$DATA/mooncake_tiny.jsonl"
# Overflow routing (DESIGN §3): every request's routing key is block 1 (its
# first bound ends at 512 > 256). ttl 300 s, --overflow-rpm 1: r1 t=0 r=1,
# machine 0, writes; r2 t=1 s r=2 m=2 c=1: machine 1, cold: 0 (unrouted
# 1024); r3 t=400 s r=1: machine 0, [1,2,3] expired: 0; r4 t=500 s r=1
# machine 0, [1,2] alive from r3: 700; r5 t=800 s r=1 machine 0, [1] used at
# 500 s: dead at exactly u + ttl: 0; r6 t=800 s r=2 m=2 c=5: machine 1, whose
# [1] is r2's, long dead: 0 (unrouted 512). read 700. At 2 a minute every
# window holds at most 2: one machine, the unrouted 2236.
totals "Mooncake, ttl with --overflow-rpm 1: the second request a minute goes to a cold machine" \
    "6,6048,700,0,0,5348,46" --policy ttl --overflow-rpm 1 "$DATA/mooncake_tiny.jsonl"
totals "Mooncake, ttl with --overflow-rpm 2: one machine, as unrouted" \
    "6,6048,2236,0,0,3812,46" --policy ttl --overflow-rpm 2 "$DATA/mooncake_tiny.jsonl"
totals "Mooncake, openai with --overflow-rpm 0: unrouted" \
    "6,6048,1024,0,0,5024,46" --policy openai --overflow-rpm 0 "$DATA/mooncake_tiny.jsonl"
# lru, capacity 1100 tokens, an entry costs end_k - end_{k-1} at insertion:
# r1 inserts [1] 512, [1,2] 512, [1,2,3] 176 = 1200 > 1100: evict the least
#    recent, [1,2,3] (touched deepest first): 1024 held.
# r2 reads 1024; inserts [1,2,4] 76: 1100 held.
# r3 reads [1,2]: 1024; inserts [1,2,3] 1536-1024 = 512: 1612; evict [1,2,4]
#    (76, least recent) then [1,2,3] (512): 1024 held.
# r4 700; r5 512; r6 512 (inserts [1,5] 488, evicts [1,2]).
# read 0+1024+1024+700+512+512 = 3772.
totals "Mooncake, lru --capacity 1100: eviction by recency, costs per bound" \
    "6,6048,3772,0,0,2276,46" --policy lru --capacity 1100 "$DATA/mooncake_tiny.jsonl"

# claude_code_tiny.json, block_size 100, bound i ends at 100(i+1):
#   [0]   t=0    sonnet in 350 out 40 ids [1,2,3]       ends 100..300 (tail 50 never cached)
#   [1]   t=10   sonnet in 520 out 30 ids [1..5]        ends 100..500
#   [2]   subagent at t=12:
#     .0  t=12   haiku  in 250 out 5  ids [1,2]         ends 100,200
#     .1  t=15.5 haiku  in 260 out 6  ids [1,2]
#   [3]   t=14   sonnet in 640 out 50 ids [1..6]        ends 100..600
#   [4]   t=400  sonnet in 700 out 20 ids [1..7]        ends 100..700
# input 350+520+250+260+640+700 = 2720; output 40+30+5+6+50+20 = 151.
# ttl 300 s, caches per model: [0] 0; [1] 300; .0 0 (haiku cache empty);
# [3] (t=14) 500; .1 (t=15.5) 200; [4] 400 >= 14+300: 0. read 1000.
totals "Claude-Code, ttl: full blocks only, per-model caches, subagent times" \
    "6,2720,1000,0,0,1720,151" "$DATA/claude_code_tiny.json"
# ideal: as ttl but [4] reads [1..6]: 600. read 1600.
totals "Claude-Code, ideal" \
    "6,2720,1600,0,0,1120,151" --policy ideal "$DATA/claude_code_tiny.json"
# breakpoint (ttl 300 s, min 0; no markers, so the last bound is the breakpoint):
# [0] read 0, write 300; [1] read entry [1,2,3] 300, write 500-300 = 200;
# .0 read 0, write 200; [3] read entry [1..5] 500, write 100;
# .1 read entry [1,2] 200, write 0 (200 is not > 200);
# [4] t=400: every entry last used by t=14, dead: read 0, write 700.
# read 1000; write 300+200+200+100+0+700 = 1500; uncached 2720-1000-1500 = 220.
totals "Claude-Code, breakpoint: writes at the last bound, end_b - read" \
    "6,2720,1000,1500,0,220,151" --policy breakpoint "$DATA/claude_code_tiny.json"
# anthropic-1h --min-tokens 0: as breakpoint, but [4] (400 < 14+3600) reads
# [1..6] 600 and writes 100. read 1600; write 300+200+200+100+0+100 = 900,
# all at a 1-hour TTL, so cache_write_1h 900.
totals "Claude-Code, anthropic-1h: writes billed as 1h" \
    "6,2720,1600,900,900,220,151" --policy anthropic-1h --min-tokens 0 "$DATA/claude_code_tiny.json"
# --model-map haiku=sonnet: one cache; .0 (t=12) now reads [1,2] written by
# [1] at t=10: 200. read 1000+200 = 1200.
totals "Claude-Code, --model-map merges two models into one cache" \
    "6,2720,1200,0,0,1520,151" --model-map claude-haiku-4-5=claude-sonnet-4-5 "$DATA/claude_code_tiny.json"
# The same file twice: one namespace per file, so the copies share nothing:
# ideal read 2 * 1600 = 3200.
totals "Claude-Code, the same session file twice: ids are local to each file" \
    "12,5440,3200,0,0,2240,302" --policy ideal "$DATA/claude_code_tiny.json" "$DATA/claude_code_tiny.json"

# native_segments.jsonl (a bound at the end of each segment, a breakpoint
# where "cache" is set; input_tokens defaults to the segments' sum):
#   r1 t=0    sonnet sys 1000 (1h) | doc-a 500 (5m) | q1 50   in 1550 out 10
#   r2 t=100  sonnet sys (1h) | doc-a (5m) | q2 80, input_tokens 1600  out 20
#   r3 t=500  sonnet sys (1h) | doc-b 700 (5m) | 3 30         in 1730 out 30
#   r4 t=1000 sonnet sys (1h) | doc-a (5m) | q4 40            in 1540 out 40
#   r5 t=4600 sonnet sys (1h) | q5 200                        in 1200 out 50
#   r6 t=4600 gpt-5.4 sys 1000 | q6 100 (no markers)          in 1100 out 60
# input 1550+1600+1730+1540+1200+1100 = 8720; output 210.
# breakpoint (min 0; an entry lives by its marker's TTL):
# r1 writes sys (1000, 1h) and doc-a (500, 5m): write 1500, of it 1h 1000.
# r2 reads doc-a (0+300 > 100): 1500, no write; refreshes doc-a and sys (u=100).
# r3 reads sys (100+3600 > 500): 1000; writes doc-b 700 (5m); sys u=500.
# r4 doc-a dead (100+300 <= 1000): reads sys 1000; writes doc-a 500; sys u=1000.
# r5 sys dead (1000+3600 = 4600 is not > 4600): read 0; writes sys 1000 (1h).
# r6 other model: read 0; writes its last bound 1100 at the policy TTL (5 min).
# read 1500+1000+1000 = 3500; write 1500+700+500+1000+1100 = 4800;
# 1h 1000+1000 = 2000; uncached 8720-3500-4800 = 420.
totals "native segments, breakpoint: 5m/1h markers set TTL and billing" \
    "6,8720,3500,4800,2000,420,210" --policy breakpoint "$DATA/native_segments.jsonl"
# anthropic-5m (min 1024): sys ends at 1000 < 1024, never written.
# r1 writes doc-a end 1500: 1500 (5m). r2 reads it: 1500. r3 no entry on its
# chain: read 0, writes doc-b end 1700: 1700. r4 doc-a dead: read 0, write 1500.
# r5 nothing to write (sys < 1024), read 0. r6 writes 1100.
# read 1500; write 1500+1700+1500+1100 = 5800; uncached 8720-1500-5800 = 1420.
totals "native segments, anthropic-5m: breakpoints below min_tokens are not written" \
    "6,8720,1500,5800,0,1420,210" --policy anthropic-5m "$DATA/native_segments.jsonl"
# ideal: r2 1500; r3 sys 1000; r4 sys+doc-a 1500; r5 sys 1000; r6 0. read 5000.
totals "native segments, ideal" \
    "6,8720,5000,0,0,3720,210" --policy ideal "$DATA/native_segments.jsonl"

# native_ttl_markers.jsonl: claude-sonnet-4-5 (min 1024), every breakpoint marked "5m":
#   r1 t=0    system 2000 (5m) | q1 100    in 2100 out 10
#   r2 t=600  system 2000 (5m) | q2 100    in 2100 out 10
#   r3 t=3600 system 2000 (5m) | q3 100    in 2100 out 10
# DESIGN §3: markers stand unless the user asks a what-if with --ttl.
# anthropic-1h without --ttl: the entry lives 5 min (its marker): r2 (0+300 <= 600)
# and r3 miss; each writes 2000 at the 5-minute price. read 0, write 6000, 1h 0.
totals "TTL markers stand without --ttl: a 5m marker beats anthropic-1h's 3600 s" \
    "3,6300,0,6000,0,300,30" --policy anthropic-1h "$DATA/native_ttl_markers.jsonl"
# --ttl 1h overrides the markers: r1 writes 2000 billed at the 1-hour price; r2 reads
# it (0+3600 > 600) and refreshes it; r3 reads it (600+3600 > 3600). read 4000,
# write 2000, of it 1h 2000, uncached 300.
totals "--ttl 1h overrides 5m markers: entries live 1 h and writes bill at 1 h" \
    "3,6300,4000,2000,2000,300,30" --policy anthropic-1h --ttl 1h "$DATA/native_ttl_markers.jsonl"
# --ttl 11m: r2 reads (0+660 > 600); r3 misses (600+660 <= 3600) and writes 2000.
# read 2000, write 4000 (5-minute price: 11 min is under an hour).
totals "--ttl 11m overrides 5m markers" \
    "3,6300,2000,4000,0,300,30" --policy anthropic-5m --ttl 11m "$DATA/native_ttl_markers.jsonl"

# native_breakpoint_rules.jsonl, breakpoint policy (ttl 300 s, min 0).
# Model m1, 100-token blocks, unmarked (the last bound is the breakpoint):
#   t=0 [1,2,3] write 300; t=1 [1,2,4] no entry at [1,2]: read 0, write 300;
#   t=2 [1,2,5] read 0, write 300; t=3 [1,2] read 0, write 200;
#   t=4 [1,2,6] read entry [1,2] 200, write 100.  in 1400, read 200, write 1200.
# Model m2, segments of 100 (s1, s2) and 50:
#   t=0   s1(5m) s2(5m): write 200.
#   t=200 s1 s2(5m) s3: reads s2 200; refreshes s2 only (s1 is neither served
#         nor a breakpoint of this request).
#   t=400 s1(5m) x: s1 last used at 0, dead: read 0, write 100.
#   t=450 s1(5m) s2(5m): s2 (used at 200) alive: read 200.   in 800, read 400, write 300.
# Total: 9 requests, input 2200, read 600, write 1500, uncached 100, output 9.
totals "native, breakpoint: entries only where written; only served/marked entries refreshed" \
    "9,2200,600,1500,0,100,9" --policy breakpoint "$DATA/native_breakpoint_rules.jsonl"

# native_blocks.jsonl, bound i ends at min(block_tokens(i+1), input_tokens):
#   r1 t=0   gpt-4.1 session a  [10,11,12] /256 in 600 ends 256,512,600
#   r2 t=1.5 gpt-4.1 session a  [10,11,13] /256 in 700: reads 512
#   r3 t=2   gpt-4.1 session b  [10,11,12]: other session, 0
#   r4 t=2.5 gpt-4.1 no session [10,11,12]: global namespace, 0
#   r5 t=3   gpt-4.1 session a  [10,11,12]: 600
#   r6 t=4   gpt-4.1-mini session a [10,11,12] /100 in 300: other model, 0
#   r7 t=5   gpt-4.1 session 7  [10,11] /512 in 1000: other session, 0
# input 600+700+600+600+600+300+1000 = 4400; output 5+6+...+11 = 56;
# ttl read 512+600 = 1112.
totals "native hash_ids + block_tokens, ttl: sessions make ids local" \
    "7,4400,1112,0,0,3288,56" "$DATA/native_blocks.jsonl"
# deepseek (whole units, no minimum, ttl 6 h; DESIGN §7): r2 reads units 10, 11
# whole (512); r5 reads all three, the last a whole 88-token unit (600), not
# rounded to 64 tokens (576, the rule of late 2025). read 1112.
totals "native hash_ids, deepseek: whole units, no 64-token rounding" \
    "7,4400,1112,0,0,3288,56" --policy deepseek "$DATA/native_blocks.jsonl"

# azure_tiny.csv: no prefix identity; input 4808+3180+100 = 8088, output 10+8+1 = 19.
totals "Azure CSV, ttl: nothing is cached" \
    "3,8088,0,0,0,8088,19" --model gpt-4o "$DATA/azure_tiny.csv"
totals "Azure CSV, ideal: still nothing is cached" \
    "3,8088,0,0,0,8088,19" --policy ideal "$DATA/azure_tiny.csv"

# Two files of different formats share no prefixes (model default vs gpt-4.1):
# the sums of both: 6+7 requests, 6048+4400 input, 2236+1112 read, 46+56 output.
totals "two files merged by time: totals add up" \
    "13,10448,3348,0,0,7100,102" "$DATA/mooncake_tiny.jsonl" "$DATA/native_blocks.jsonl"
# claude_code_bad_subagent.json with --lenient skips requests[2].requests[0]:
#   t=0 [1,2,3] in 300: 0; t=1 [1..4] in 400: 300; t=3 haiku [1,2] in 200: 0;
#   t=5 [1..5] in 500: 400. 4 requests, input 1400, read 700, output 20.
totals "Claude-Code, --lenient skips only the bad subagent request" \
    "4,1400,700,0,0,700,20" --lenient "$BAD/claude_code_bad_subagent.json"

# claude_code_log/project (docs/formats.md, "Claude Code transcripts"; the
# requests are worked out in tests/unit/test_claude_code_log.c):
#   session-a.jsonl, sonnet: t=0 [2010]; t=4 [2010,2315]; t=10 [..,2416];
#     t=600.5 [2604] (after the compaction); t=660 [2604,2656];
#     t=720 [..,2656,2700]; t=780 [..,2656,2759] (a branch); t=840 [800].
#   agent-x1.jsonl, haiku: t=7 [1500]; t=11 [1500,1520].
#   session-b.jsonl, sonnet: t=3600 [5000]; t=3605 [6000] (a sidechain);
#     t=3660 [5000,5100].
# input 37380, output 422. ttl 300 s: reads 2010, 2315, 1500, 2604, 2656,
# 2656 (the branch shares two units), 5000 = 18741.
totals "Claude Code transcripts, ttl: chains from counts, compaction, branch, sidechain" \
    "13,37380,18741,0,0,18639,422" "$DATA/claude_code_log/project"
# anthropic-5m (min 1024 for sonnet, 4096 for haiku; the last bound is the
# breakpoint): sonnet writes 2010, reads 2010 + writes 305, reads 2315 +
# writes 101; 2604; reads 2604 + 52; reads 2656 + 44; reads 2656 + 103; 800
# is below the minimum (nothing); 5000; 6000; reads 5000 + 100. haiku: 1500
# and 1520 are below 4096. read 17241, write 16319, uncached 3820.
totals "Claude Code transcripts, anthropic-5m: per-model minimums at the chains' breakpoints" \
    "13,37380,17241,16319,0,3820,422" --policy anthropic-5m "$DATA/claude_code_log/project"

# --- per-request CSV and --lenient
check unused_override_noted "an override the policy ignores is noted on stderr"
check threads_identical "--threads 1 and 2 give byte-identical reports and rows"
check requests_mooncake "--requests: header, one row per request, sums = totals (Mooncake, lru)"
check requests_claude_code "--requests: sums = totals with cache writes (Claude-Code, breakpoint)"
check requests_native "--requests: sums = totals over two native files"
check requests_azure_exact "--requests: Azure times to ms, rounded, in time order"
check requests_observed "--requests: observed usage and source file:line per request, empty when none"
check requests_subagent_times "--requests: subagent times are entry.t + t, merged in time order"
check requests_no_leftovers "--requests: a data error leaves no FILE or FILE.tmp.*, keeps an old FILE"
check lenient_skips "--lenient: 2 bad lines skipped and reported; totals = the good lines alone"
check lenient_all_bad "--lenient, every record bad: exit 1 showing the first reasons in file order"
check lenient_file_order "--lenient lists skipped lines in file order across files and passes"
check csv_rectangular "--format csv: every row has the header's number of fields"
check auto_policy_json "--policy auto --format json: top level auto, each model its own"
check ttl_markers_reported "the report says whether TTL markers stand or --ttl overrides them"
check ttl_sweep_marked "a TTL sweep over a marked trace moves: every point overrides the markers"
check ttl_units "--ttl 300 = 300s = 5m = 1/12 h"
check deterministic "the same inputs give byte-identical output"
check singular_counts "a count of one takes the singular noun (1 request, 1 file, 1 bad record, the CLI's notes)"
check money_columns "each money column of the text cost table has one precision"

# --- inputs: -, FIFOs, /dev/stdin, <(...), .gz/.zst, directories
check input_stdin "- (redirected, piped), /dev/stdin and <(cat f) report as the plain file"
check input_fifo "a FIFO reports as the plain file (read once)"
check input_compressed ".gz (also misnamed, on stdin, two members) and .zst report as the plain file"
check input_directory "a directory reports as its files listed in name order; a hidden file is noted"
check input_claude_code_projects "a Claude Code projects/ directory: transcripts read, companions noted and skipped"
check counts_only_note "replay and sweep on transcripts state the counts-only assumption; other traces do not"
check input_stdin_once "'-' twice is a usage error"
check input_errors_located "errors in .gz/stdin name file:line; truncated/corrupt .gz and .zst are located errors"
check input_detect_failure "an unknown format: every format tried, and what the first line is"
check api_logs "request logs: detected by shape, forced by --input-format, the counts-only note"

# --- malformed input: exit 1, the place and the field on stderr, stdout empty
data_error "malformed JSON mid-line" "malformed_json.jsonl:2" "malformed JSON" \
    replay "$BAD/malformed_json.jsonl"
data_error "missing field" "missing_field.jsonl:3" "field output_length" \
    replay "$BAD/missing_field.jsonl"
data_error "negative token count" "bad_negative.jsonl:2" "field input_length" \
    replay "$BAD/bad_negative.jsonl"
data_error "duplicate field" "mooncake_duplicate_field.jsonl:2" "field input_length" \
    replay "$BAD/mooncake_duplicate_field.jsonl"
# line 1: 3 ids for 1025 tokens is fine (ceil(1025/512) = 3); line 2: 1024 tokens allow 2.
data_error "Mooncake: more hash_ids than ceil(input_length/512)" "mooncake_too_many_ids.jsonl:2" "field hash_ids" \
    replay "$BAD/mooncake_too_many_ids.jsonl"
# requests[0]: 3 * 100 = 300 <= 300 is fine; requests[1]: 300 > 299.
data_error "Claude-Code: block_size * len(hash_ids) > in" "claude_code_too_many_ids.json: requests[1]" "field hash_ids" \
    replay "$BAD/claude_code_too_many_ids.json"
data_error "native: more hash_ids than ceil(input_tokens/block_tokens)" "native_too_many_ids.jsonl:1" "field hash_ids" \
    replay "$BAD/native_too_many_ids.jsonl"
data_error "hash id 1.5" "id_fraction.jsonl:2" "field hash_ids[1]" \
    replay "$BAD/id_fraction.jsonl"
data_error "hash id \"7\" (a string)" "id_string.jsonl:2" "field hash_ids[1]" \
    replay "$BAD/id_string.jsonl"
data_error "hash id -3" "id_negative.jsonl:2" "field hash_ids[1]" \
    replay "$BAD/id_negative.jsonl"
data_error "25-digit hash id" "id_overflow.jsonl:2" "field hash_ids[1]" \
    replay "$BAD/id_overflow.jsonl"
data_error "token count 4294967296 (above 4294967295)" "tokens_overflow.jsonl:2" "field input_length" \
    replay "$BAD/tokens_overflow.jsonl"
data_error "empty file" "empty.jsonl" "empty" \
    replay "$BAD/empty.jsonl"
data_error "--lenient does not excuse an empty file" "empty.jsonl" "empty" \
    replay --lenient "$BAD/empty.jsonl"
data_error "truncated last line, no newline" "truncated.jsonl:3" "field hash_ids" \
    replay "$BAD/truncated.jsonl"
data_error "Claude Code: malformed JSON on a line" "cclog_malformed.jsonl:3" "malformed JSON" \
    replay "$BAD/cclog_malformed.jsonl"
data_error "Claude Code: an assistant line without usage" "cclog_missing_usage.jsonl:2" "field message.usage" \
    replay "$BAD/cclog_missing_usage.jsonl"
data_error "Claude Code: a negative count" "cclog_negative.jsonl:2" "field message.usage.cache_read_input_tokens" \
    replay "$BAD/cclog_negative.jsonl"
data_error "Claude Code: a response whose parent is missing" "cclog_orphan.jsonl:2" "field parentUuid" \
    replay "$BAD/cclog_orphan.jsonl"
data_error "Claude Code: the 5m/1h split disagrees with cache_creation_input_tokens" "cclog_split.jsonl:2" \
    "field message.usage.cache_creation" replay "$BAD/cclog_split.jsonl"
data_error "Claude Code: an unknown role" "cclog_unknown_role.jsonl:1" "field message.role" \
    replay "$BAD/cclog_unknown_role.jsonl"
data_error "binary garbage" "binary_garbage.bin:1" "trace format" \
    replay "$BAD/binary_garbage.bin"
data_error "NUL bytes inside a JSONL line" "nul_bytes.jsonl:2" "malformed JSON" \
    replay "$BAD/nul_bytes.jsonl"
data_error "Claude-Code: bad request inside a subagent names its path" \
    "claude_code_bad_subagent.json: requests[2].requests[0]" "field in" \
    replay "$BAD/claude_code_bad_subagent.json"
data_error "Claude-Code: malformed JSON inside a request" "claude_code_malformed.json: requests[1]" "malformed JSON" \
    replay "$BAD/claude_code_malformed.json"
data_error "Claude-Code: no block_size" "claude_code_missing_block_size.json" "field block_size" \
    replay "$BAD/claude_code_missing_block_size.json"
data_error "native: unknown field" "native_unknown_field.jsonl:2" "field input_token" \
    replay "$BAD/native_unknown_field.jsonl"
data_error "native: unknown tier" "native_unknown_tier.jsonl:2" "field tier" \
    replay "$BAD/native_unknown_tier.jsonl"
data_error "native: cache marker other than 5m/1h" "native_bad_cache.jsonl:2" "field segments[0].cache" \
    replay "$BAD/native_bad_cache.jsonl"
data_error "native: segments longer than input_tokens" "native_segments_exceed.jsonl:1" "field segments" \
    replay "$BAD/native_segments_exceed.jsonl"
data_error "native: hash_ids and segments together" "native_both_prompts.jsonl:1" "field segments" \
    replay "$BAD/native_both_prompts.jsonl"
data_error "native: hash_ids without block_tokens" "native_no_block_tokens.jsonl:1" "field block_tokens" \
    replay "$BAD/native_no_block_tokens.jsonl"
data_error "native: attempt 0" "native_attempt_zero.jsonl:1" "field attempt" \
    replay "$BAD/native_attempt_zero.jsonl"
data_error "native: t is a string" "native_bad_time.jsonl:2" "field t" \
    replay "$BAD/native_bad_time.jsonl"
data_error "Azure: bad timestamp (month 13)" "azure_bad_timestamp.csv:3" "field TIMESTAMP" \
    replay "$BAD/azure_bad_timestamp.csv"
data_error "Azure: header lacks a column" "azure_missing_column.csv:1" "field GeneratedTokens" \
    replay "$BAD/azure_missing_column.csv"
data_error "Azure: a row lacks a column" "azure_short_row.csv:3" "columns" \
    replay "$BAD/azure_short_row.csv"
data_error "without --lenient the first bad line stops the run" "lenient_mixed.jsonl:3" "field input_length" \
    replay "$DATA/lenient_mixed.jsonl"
data_error "a bad second file is named" "bad_negative.jsonl:2" "field input_length" \
    replay "$DATA/mooncake_tiny.jsonl" "$BAD/bad_negative.jsonl"
data_error "--input-format forces a format" "mooncake_tiny.jsonl:1" "TIMESTAMP" \
    replay --input-format azure "$DATA/mooncake_tiny.jsonl"
data_error "openai-log: cached tokens above the input" "openai_cached_above_input.jsonl:1" "field response.usage" \
    replay "$BAD/openai_cached_above_input.jsonl"
data_error "anthropic-log: an unknown role" "anthropic_unknown_role.jsonl:2" "field request.messages[1].role" \
    replay "$BAD/anthropic_unknown_role.jsonl"
data_error "openai-log: a response without its request" "openai_no_request.jsonl:1" "field request" \
    replay "$BAD/openai_no_request.jsonl"
data_error "nonexistent file" "does_not_exist.jsonl" "cannot open" \
    replay "$DATA/does_not_exist.jsonl"
mkdir -p "$WORK/empty_dir/.git"
data_error "an empty directory (a hidden one inside) is named" "$WORK/empty_dir" "no files" \
    replay "$WORK/empty_dir"
data_error "an error inside a .zst names the file and line" "bad_negative.jsonl.zst:2" "field input_length" \
    replay "$BAD/bad_negative.jsonl.zst"
data_error "--requests into a missing directory" "$WORK/missing/per_request.csv" "cannot write" \
    replay --requests "$WORK/missing/per_request.csv" "$DATA/mooncake_tiny.jsonl"

# --- usage errors: exit 2, stdout empty
usage_error "unknown policy" "'bogus'" replay --policy bogus "$DATA/mooncake_tiny.jsonl"
usage_error "usage errors come before data errors" "'bogus'" replay --policy bogus "$BAD/empty.jsonl"
usage_error "--policy lru without --capacity" "the lru policy needs --capacity TOKENS" \
    replay --policy lru "$DATA/mooncake_tiny.jsonl"
usage_error "--capacity 0" "--capacity" replay --policy lru --capacity 0 "$DATA/mooncake_tiny.jsonl"
usage_error "--ttl abc" "--ttl" replay --ttl abc "$DATA/mooncake_tiny.jsonl"
usage_error "--ttl 0" "--ttl" replay --ttl 0 "$DATA/mooncake_tiny.jsonl"
usage_error "--ttl -5" "--ttl" replay --ttl -5 "$DATA/mooncake_tiny.jsonl"
usage_error "--ttl 5x (unknown unit)" "--ttl" replay --ttl 5x "$DATA/mooncake_tiny.jsonl"
usage_error "--ttl without a value" "--ttl" replay "$DATA/mooncake_tiny.jsonl" --ttl
usage_error "--min-tokens -1" "--min-tokens" replay --min-tokens -1 "$DATA/mooncake_tiny.jsonl"
usage_error "--overflow-rpm abc" "--overflow-rpm" replay --overflow-rpm abc "$DATA/mooncake_tiny.jsonl"
usage_error "--overflow-rpm on a capacity curve" "capacity curves do not route" \
    sweep --capacity 1M --overflow-rpm 15 "$DATA/mooncake_tiny.jsonl"
usage_error "--granularity 0" "--granularity" replay --granularity 0 "$DATA/mooncake_tiny.jsonl"
usage_error "--format xml" "--format" replay --format xml "$DATA/mooncake_tiny.jsonl"
usage_error "--input-format xml" "--input-format" replay --input-format xml "$DATA/mooncake_tiny.jsonl"
usage_error "--model-map without =" "--model-map" replay --model-map foo "$DATA/mooncake_tiny.jsonl"
usage_error "no trace file" "no trace file" replay
usage_error "no trace file after options" "no trace file" replay --policy ideal
usage_error "unknown long option" "--bogus" replay --bogus "$DATA/mooncake_tiny.jsonl"
usage_error "unknown short option" "-x" replay -x "$DATA/mooncake_tiny.jsonl"

# ------------------------------------------------------------------ summary
finish
