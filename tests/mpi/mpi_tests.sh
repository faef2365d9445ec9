#!/usr/bin/env bash
# The MPI build's scale-out (docs/design.md §11): usage: mpi_tests.sh PCSIM_BINARY SOURCE_DIR MPIRUN
#
# - `mpirun -n N pcsim run|sweep|calibrate ...` writes byte for byte what one process writes, for
#   N = 1, 2, 3, 4 (3 and 4 oversubscribed on a small machine): the shipped scenarios, --trials auto,
#   a scenario sweep, TTL and capacity curves, calibrations (with more ranks than points too);
# - a stopped run (SIGUSR1, which mpirun forwards, and SIGINT, on which mpirun ends the job with
#   SIGTERM) stops every rank and prints one PARTIAL report, from rank 0, of an unbroken run of
#   trials; exit status 130 (SIGUSR1);
# - a rank that fails alone ends the job, naming its rank, within seconds: never a hang;
# - `mpirun -n N pcsim replay --shard ...` reports byte for byte what `pcsim replay ...` reports
#   (and writes the same --requests rows and --html page) for every policy but lru, whose report
#   says each rank is one server.
# Ends with `N passed, M failed`.
set -u
if [ $# -ne 3 ]; then
    echo "usage: $0 PCSIM_BINARY SOURCE_DIR MPIRUN" >&2
    exit 2
fi
PCSIM=$1
case $PCSIM in /*) ;; *) PCSIM=$PWD/$PCSIM ;; esac
cd "$2" || exit 2
MPIRUN=$3
export LC_ALL=C
set -a
# shellcheck source=../pinned.env
source tests/pinned.env
set +a
# Root in a container or CI job; more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pcsim-mpi.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*" >&2
}

# same_for_every_n NAME ARGS...: pcsim ARGS alone, then under mpirun -n 1..4, byte for byte.
same_for_every_n() {
    local name=$1
    shift
    if ! "$PCSIM" "$@" >"$WORK/one" 2>"$WORK/one.err"; then
        fail "$name: one process failed: $(head -3 "$WORK/one.err")"
        return
    fi
    for n in 1 2 3 4; do
        if ! timeout 300 "$MPIRUN" -n "$n" "$PCSIM" "$@" >"$WORK/many" 2>"$WORK/many.err"; then
            fail "$name: mpirun -n $n failed: $(grep -m3 pcsim "$WORK/many.err")"
        elif ! cmp -s "$WORK/one" "$WORK/many"; then
            fail "$name: mpirun -n $n differs from one process"
            diff "$WORK/one" "$WORK/many" | head -10 >&2
        else
            pass
        fi
    done
}

# ---------------------------------------------------------------- run
same_for_every_n "run mini-vs-full" run --trials 24 --threads 1 scenarios/mini-vs-full.json
same_for_every_n "run support-bot-cache json" run --trials 24 --format json scenarios/support-bot-cache.json
same_for_every_n "run nightly-batch csv" run --trials 24 --threads 2 --format csv scenarios/nightly-batch.json
same_for_every_n "run claude-code-what-if" run --trials 4 scenarios/claude-code-what-if.json
# Several rounds: --trials auto checks, and so exchanges, every 50 trials.
same_for_every_n "run --trials auto" run --trials auto --max-trials 300 --threads 1 --format csv \
    scenarios/support-bot-cache.json
same_for_every_n "run scenario sweep" run --trials 4 --format json tests/data/scenarios/issue_example.json

# ---------------------------------------------------------------- sweep
MOONCAKE=scenarios/traces/mooncake_synthetic_trace.jsonl
same_for_every_n "sweep openai ttl" sweep --ttl 60..3600:7 --policy openai --format json "$MOONCAKE"
same_for_every_n "sweep anthropic-5m ttl" sweep --ttl 60,300,1h --policy anthropic-5m --format csv \
    scenarios/traces/claude-code
same_for_every_n "sweep lru capacity" sweep --capacity 1M,3M,10M,30M,100M "$MOONCAKE"

# ---------------------------------------------------------------- calibrate
same_for_every_n "calibrate ttl" calibrate --ttl 60..3600:13 --format json tests/data/calibrate_curve.jsonl
same_for_every_n "calibrate anthropic-5m" calibrate --ttl 60..1200:9 --policy anthropic-5m \
    tests/data/calibrate_breakpoint.jsonl
same_for_every_n "calibrate two points" calibrate --ttl 300,600 --format csv tests/data/calibrate_two_valleys.jsonl

# ---------------------------------------------------------------- stop
# stopped SIGNAL EXPECTED_STATUS: a long run, stopped once every rank has played trials.
stopped() {
    local signal=$1 expected=$2
    "$MPIRUN" -n 2 "$PCSIM" run --threads 1 --trials 1000000 --format csv scenarios/mini-vs-full.json \
        >"$WORK/partial" 2>"$WORK/partial.err" &
    local pid=$!
    sleep 4
    kill -s "$signal" "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ $waited -lt 60 ]; do
        sleep 1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -s KILL "$pid"
        fail "stop by SIG$signal: the job still ran 60 s later"
        return
    fi
    wait "$pid"
    local status=$?
    if [ -n "$expected" ] && [ "$status" -ne "$expected" ]; then
        fail "stop by SIG$signal: exit status $status, expected $expected"
    else
        pass
    fi
    # One report (rank 0's), PARTIAL, of trials 0..K-1 with K >= 1, the same K in every row.
    local reports rows trials
    reports=$(grep -c '^point,strategy,trials' "$WORK/partial")
    rows=$(grep -c '^"",' "$WORK/partial")
    trials=$(grep '^"",' "$WORK/partial" | cut -d, -f3 | sort -u)
    if [ "$reports" -ne 1 ] || [ "$rows" -ne 3 ] || [ "$(echo "$trials" | wc -l)" -ne 1 ] || [ "${trials:-0}" -lt 1 ]; then
        fail "stop by SIG$signal: expected one report of 3 strategies over the same trials, got $reports reports, $rows rows, trials '$trials'"
    elif ! grep -q 'PARTIAL' "$WORK/partial.err"; then
        fail "stop by SIG$signal: stderr does not say PARTIAL"
    elif [ "$(grep -c 'reporting the trials finished so far' "$WORK/partial.err")" -ne 1 ]; then
        fail "stop by SIG$signal: the PARTIAL notice should come from rank 0 alone"
    else
        pass
    fi
}
stopped USR1 130
stopped INT ""

# ---------------------------------------------------------------- a failed rank
# Rank 1 reads a malformed scenario while rank 0 waits for it in the first exchange.
started=$SECONDS
timeout 60 "$MPIRUN" -n 1 "$PCSIM" run --threads 1 --trials 100000 scenarios/mini-vs-full.json : \
    -n 1 "$PCSIM" run tests/data/bad/anthropic_unknown_role.jsonl >"$WORK/failed" 2>"$WORK/failed.err"
status=$?
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
    fail "a failed rank: exit status $status (124: the job hung)"
elif ! grep -q 'rank 1 of 2 failed' "$WORK/failed.err"; then
    fail "a failed rank: the error does not name rank 1: $(grep -m3 pcsim "$WORK/failed.err")"
elif [ $((SECONDS - started)) -gt 30 ]; then
    fail "a failed rank: the job took $((SECONDS - started)) s to end"
else
    pass
fi

# ---------------------------------------------------------------- replay --shard
# sharded_same NAME ARGS...: `pcsim replay ARGS` alone, then `mpirun -n N pcsim replay --shard
# ARGS` for N = 1..4: the same report, notes and (when ARGS write them) files, byte for byte.
sharded_same() {
    local name=$1
    shift
    local args=("$@")
    if ! "$PCSIM" replay "${args[@]//@OUT@/$WORK/one}" >"$WORK/one" 2>"$WORK/one.err"; then
        fail "$name: one process failed: $(head -3 "$WORK/one.err")"
        return
    fi
    for n in 1 2 3 4; do
        if ! timeout 300 "$MPIRUN" -n "$n" "$PCSIM" replay --shard "${args[@]//@OUT@/$WORK/many}" \
            >"$WORK/many" 2>"$WORK/many.err"; then
            fail "$name: mpirun -n $n replay --shard failed: $(grep -m3 pcsim "$WORK/many.err")"
        elif ! cmp -s "$WORK/one" "$WORK/many" || ! cmp -s "$WORK/one.err" "$WORK/many.err"; then
            fail "$name: mpirun -n $n replay --shard differs from one process"
            diff "$WORK/one" "$WORK/many" | head -6 >&2
            diff "$WORK/one.err" "$WORK/many.err" | head -4 >&2
        elif [ -e "$WORK/one.rows" ] && ! cmp -s "$WORK/one.rows" "$WORK/many.rows"; then
            fail "$name: mpirun -n $n replay --shard wrote other --requests rows"
        elif [ -e "$WORK/one.html" ] && ! cmp -s "$WORK/one.html" "$WORK/many.html"; then
            fail "$name: mpirun -n $n replay --shard wrote another --html page"
        else
            pass
        fi
    done
}

# A native trace large enough that every rank reads some of it: sessions sharing a system prompt,
# conversations growing turn by turn, two models, blank lines, times out of order in places.
awk 'BEGIN {
    for (i = 0; i < 6000; i++) {
        s = i % 37; turn = int(i / 37);
        printf "{\"t\": %d.%03d, \"model\": \"%s\", \"session\": \"s%d\", \"segments\": [", \
            int(i / 4) + (i % 11 == 3 ? 5 : 0), (i * 37) % 1000, (s % 3 ? "gpt-4o" : "claude-sonnet-4"), s % 5;
        printf "{\"id\": \"sys%d\", \"tokens\": 1100, \"cache\": true}", s % 2;
        for (k = 0; k <= turn % 9; k++) printf ", {\"id\": \"c%d-%d\", \"tokens\": %d}", s, k, 120 + (k * 31) % 200;
        printf "], \"output_tokens\": %d}\n", 20 + i % 50;
        if (i % 97 == 5) printf "\n";
    }
}' >"$WORK/sessions.jsonl"

for policy in openai openai-bp anthropic-5m anthropic-1h gemini deepseek ttl breakpoint ideal auto none; do
    sharded_same "replay --shard $policy" --policy "$policy" --format json "$WORK/sessions.jsonl" \
        scenarios/traces/mooncake_synthetic_trace.jsonl tests/data/native_segments.jsonl
done
sharded_same "replay --shard claude-code sessions" --policy anthropic-5m scenarios/traces/claude-code
sharded_same "replay --shard request logs" --policy auto --format csv tests/data/logs \
    tests/data/native_log_fields.jsonl tests/data/claude_code_tiny.json
sharded_same "replay --shard mixed formats" --policy openai tests/data/azure_tiny.csv tests/data/mooncake_tiny.jsonl \
    tests/data/claude_code_tiny.json "$WORK/sessions.jsonl"
sharded_same "replay --shard --requests --html" --policy anthropic-5m --requests @OUT@.rows --html @OUT@.html \
    "$WORK/sessions.jsonl"
sharded_same "replay --shard tasks" --policy openai --format json tests/data/gen/tiny_trace_ttft.jsonl \
    tests/data/fit_tiny.jsonl "$WORK/sessions.jsonl"
sharded_same "replay --shard --lenient" --policy ttl --lenient tests/data/lenient_mixed.jsonl "$WORK/sessions.jsonl"
sharded_same "replay --shard routing and refinements" --policy openai --overflow-rpm 2 --format json \
    tests/data/native_visible_after.jsonl tests/data/native_lookback.jsonl "$WORK/sessions.jsonl"
if [ -d ../shared/data/claude-code ]; then
    sharded_same "replay --shard real sessions" --policy auto --format json ../shared/data/claude-code
fi

# lru: each rank is one server with the capacity of its own, and the report says so.
if "$MPIRUN" -n 2 "$PCSIM" replay --shard --policy lru --capacity 2M "$WORK/sessions.jsonl" >"$WORK/lru" 2>&1 &&
    grep -q '^sharded: 2 ranks, each one server' "$WORK/lru"; then
    pass
else
    fail "replay --shard lru: the report does not say each rank is one server: $(head -5 "$WORK/lru")"
fi
# Under mpirun without --shard every rank would replay everything: refused.
if "$MPIRUN" -n 2 "$PCSIM" replay "$WORK/sessions.jsonl" >"$WORK/noshard" 2>&1; then
    fail "replay under mpirun without --shard: accepted"
elif ! grep -q 'give --shard' "$WORK/noshard"; then
    fail "replay under mpirun without --shard: $(head -3 "$WORK/noshard")"
else
    pass
fi
# Standard input reaches rank 0 only: refused, with the reason.
if "$MPIRUN" -n 2 "$PCSIM" replay --shard - <"$WORK/sessions.jsonl" >"$WORK/stream" 2>&1; then
    fail "replay --shard -: accepted"
elif ! grep -q 'is a stream' "$WORK/stream"; then
    fail "replay --shard -: $(head -3 "$WORK/stream")"
else
    pass
fi
# A bad record in strict mode, read by the last rank: the job ends naming it, never hangs.
{ cat "$WORK/sessions.jsonl"; echo '{"t": 1, "model": "m", "segments": "oops"}'; } >"$WORK/bad.jsonl"
bad_line=$(wc -l <"$WORK/bad.jsonl")
started=$SECONDS
timeout 60 "$MPIRUN" -n 2 "$PCSIM" replay --shard "$WORK/bad.jsonl" >"$WORK/failed" 2>"$WORK/failed.err"
status=$?
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ]; then
    fail "replay --shard, a bad record: exit status $status (124: the job hung)"
elif ! grep -q "bad.jsonl:$bad_line" "$WORK/failed.err" || ! grep -q 'rank 1 of 2 failed' "$WORK/failed.err"; then
    fail "replay --shard, a bad record: the error names neither its line nor rank 1: $(grep -m3 pcsim "$WORK/failed.err")"
else
    pass
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
