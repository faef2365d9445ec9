#!/usr/bin/env bash
# Real traces through pcsim and through the plain Python simulator in tools/bench
# (an independent per-bound implementation of DESIGN §3): every policy must agree token
# for token. Runs on the shipped Claude-Code sessions always, and on the 28 sessions and
# the Mooncake trace of ../shared/data when present.
# Usage: against_baseline.sh PCSIM SOURCE_DIR SHARED_DATA
set -u
pcsim=$1
source_dir=$2
shared=$3
baseline=$source_dir/tools/bench/replay_baseline.py
passed=0
failed=0

compare() { # compare "POLICY ARGS" FILES...
    local args=$1
    shift
    local ours theirs
    # shellcheck disable=SC2086
    ours=$("$pcsim" replay $args --format json "$@" | python3 -c '
import json, sys
r = json.load(sys.stdin)
t = r["tokens"]
print(r["requests"], t["input"], t["cache_read"], t["cache_write"], t["output"])')
    # shellcheck disable=SC2086
    theirs=$(python3 "$baseline" $args "$@" | python3 -c '
import json, sys
r = json.load(sys.stdin)
t = r["tokens"]
print(r["requests"], t["input"], t["cache_read"], t["cache_write"], t["output"])')
    if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $args on $# files: pcsim [$ours] baseline [$theirs]" >&2
    fi
}

policies=("--policy ideal" "--policy ttl --ttl 300" "--policy ttl --ttl 30"
          "--policy openai --ttl 300 --min-tokens 1024 --granularity 128"
          "--policy breakpoint --ttl 300 --min-tokens 1024" "--policy breakpoint --ttl 3600 --min-tokens 4096"
          "--policy lru --capacity 200000" "--policy lru --capacity 2000000" "--policy none")

for p in "${policies[@]}"; do
    compare "$p" "$source_dir"/scenarios/traces/claude-code/*.json
done
if [ -d "$shared/claude-code" ]; then
    for p in "${policies[@]}"; do
        compare "$p" "$shared"/claude-code/*.json
    done
    compare "--policy lru --capacity 1000000" "$shared/mooncake_synthetic_trace.jsonl"
else
    echo "note: $shared is absent; compared the shipped sessions only" >&2
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
