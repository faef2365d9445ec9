#!/usr/bin/env bash
# `pcsim replay --shard` in one process (the default build, or the MPI build without mpirun): the
# sharded replay's whole path with one rank of one — the part read, the requests dealt and fed back
# in the trace's order, the caches played, and rank 0's accounting from the usages given — reports
# byte for byte what `pcsim replay` reports, with the same notes, --requests rows and --html page,
# on every preset and on every input format. (Under mpirun: tests/mpi/mpi_tests.sh.)
# Usage: shard_tests.sh PCSIM_BINARY SOURCE_DIR
# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# same_as_plain NAME ARGS...: replay ARGS, then replay --shard ARGS (@OUT@ in an argument names
# an output file, one per side).
same_as_plain() {
    local name=$1
    shift
    local args=("$@")
    "$PCSIM" replay "${args[@]//@OUT@/$WORK/plain}" >"$WORK/plain" 2>"$WORK/plain.err"
    local plain_rc=$?
    "$PCSIM" replay --shard "${args[@]//@OUT@/$WORK/shard}" >"$WORK/shard" 2>"$WORK/shard.err"
    local shard_rc=$?
    if [ "$plain_rc" -ne "$shard_rc" ]; then
        fail "$name" "exit status $shard_rc, plain replay $plain_rc: $(head -2 "$WORK/shard.err")"
    elif ! [ -s "$WORK/plain" ] && [ "$plain_rc" -eq 0 ]; then
        fail "$name" "no report"
    elif ! cmp -s "$WORK/plain" "$WORK/shard" || ! cmp -s "$WORK/plain.err" "$WORK/shard.err"; then
        fail "$name" "differs from plain replay: $(diff "$WORK/plain" "$WORK/shard" | head -4)"
    elif [ -e "$WORK/plain.rows" ] && ! cmp -s "$WORK/plain.rows" "$WORK/shard.rows"; then
        fail "$name" "other --requests rows"
    elif [ -e "$WORK/plain.html" ] && ! cmp -s "$WORK/plain.html" "$WORK/shard.html"; then
        fail "$name" "another --html page"
    else
        pass "$name"
    fi
    rm -f "$WORK"/plain.* "$WORK"/shard.*
}

MOONCAKE=scenarios/traces/mooncake_synthetic_trace.jsonl
for policy in openai openai-24h openai-bp anthropic-5m anthropic-1h gemini deepseek ttl breakpoint ideal auto none; do
    same_as_plain "shard $policy" --policy "$policy" --format json "$MOONCAKE" "$DATA/native_segments.jsonl" \
        "$DATA/native_ttl_markers.jsonl" "$DATA/native_visible_after.jsonl"
done
same_as_plain "shard lru (one rank: one server)" --policy lru --capacity 3M "$MOONCAKE"
same_as_plain "shard claude-code sessions" --policy anthropic-5m --format csv scenarios/traces/claude-code
same_as_plain "shard request logs with observed usage" --policy auto --format json "$DATA/logs" \
    "$DATA/native_log_fields.jsonl" "$DATA/reconcile_prices.jsonl"
same_as_plain "shard Claude Code transcripts" --policy auto "$DATA/claude_code_log"
same_as_plain "shard mixed formats" --policy openai "$DATA/azure_tiny.csv" "$DATA/mooncake_tiny.jsonl" \
    "$DATA/claude_code_tiny.json" "$DATA/deepseek_units.jsonl"
same_as_plain "shard --requests --html" --policy anthropic-5m --requests @OUT@.rows --html @OUT@.html \
    "$DATA/native_ttl_markers.jsonl" "$DATA/native_segments.jsonl"
same_as_plain "shard --lenient" --policy ttl --lenient "$DATA/lenient_mixed.jsonl" "$DATA/lenient_late_bad.jsonl"
same_as_plain "shard tasks and tiers" --policy openai --format json "$DATA/gen/tiny_trace_ttft.jsonl" "$DATA/fit_tiny.jsonl" "$DATA/native_blocks.jsonl"
same_as_plain "shard routing" --policy openai --overflow-rpm 1 --format json "$DATA/native_visible_after.jsonl" \
    "$DATA/native_lookback.jsonl"
same_as_plain "shard a bad record" --policy ttl "$BAD/native_bad_cache.jsonl"
same_as_plain "shard nothing valid" --policy ttl --lenient "$DATA/lenient_all_bad.jsonl"

finish
