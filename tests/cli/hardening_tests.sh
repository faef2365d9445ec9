#!/usr/bin/env bash
# CLI tests for the hardening of issue #6: usage: hardening_tests.sh PCSIM_BINARY SOURCE_DIR
#
# - limits: a line longer than 64 MiB, JSON nested deeper than the scanner allows,
#   subagents nested deeper than 8, token counts past 2^32, --max-memory;
# - output files (--output, --html, --requests) are written whole or not at all: a
#   location that cannot be written, a full disk (a file-size limit: ulimit -f), an old
#   file kept intact when a run fails;
# - a large trace whose times go back, which replay first reads in one pass, gives the
#   report of the same trace in order;
# - Ctrl-C (SIGINT) during replay and run prints the partial result marked PARTIAL and
#   exits 130.
# Case kinds are those of run_cli_tests.sh (tests/cli/cli_lib.sh).
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

MOONCAKE=scenarios/traces/mooncake_synthetic_trace.jsonl
CLAUDE=(scenarios/traces/claude-code/*.json)
UNWRITABLE=/proc/pcsim-cannot-write-here  # even root cannot create files in /proc

# big_trace FILE LINES: a Mooncake-format trace of LINES requests (conversations of 100).
big_trace() {
    awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "{\"timestamp\": %d, \"input_length\": 1024, \"output_length\": 8, \"hash_ids\": [%d, %d]}\n", i, i % 100, i }' >"$1"
}

# no_leftovers PATH: neither PATH nor a PATH.tmp.* sibling exists.
no_leftovers() {
    [ ! -e "$1" ] && ! compgen -G "$1.tmp.*" >/dev/null
}

# ------------------------------------------------------------ check bodies

check_long_line() {
    python3 -c 'import sys; sys.stdout.write("{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [], \"pad\": \"" + "x" * (65 << 20) + "\"}\n")' >"$WORK/long.jsonl"
    run replay "$WORK/long.jsonl"
    [ "$rc" -eq 1 ] && stderr_has "long.jsonl:1" "MiB" || { why="exit $rc; want 1 naming line 1 and the limit"; return 1; }
}

check_deep_json() {
    python3 -c 'print("{\"t\": 0, \"model\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1, \"meta\": " + "[" * 200 + "]" * 200 + "}")' >"$WORK/deep.jsonl"
    run replay --no-cost "$WORK/deep.jsonl"
    [ "$rc" -eq 1 ] && stderr_has "deep.jsonl:1" || { why="exit $rc; want 1 naming line 1"; return 1; }
}

check_deep_subagents() {
    python3 - "$WORK/nested.json" <<'PY'
import json, sys
inner = {"t": 0, "model": "claude-opus-4-5", "in": 100, "out": 1, "hash_ids": []}
entry = inner
for depth in range(12):
    entry = {"type": "subagent", "t": 1, "requests": [entry]}
json.dump({"block_size": 64, "requests": [entry]}, open(sys.argv[1], "w"))
PY
    run replay --no-cost "$WORK/nested.json"
    [ "$rc" -eq 1 ] && stderr_has "nested.json" || { why="exit $rc; want 1 naming the file"; return 1; }
}

check_tokens_past_32_bits() {
    printf '{"timestamp": 0, "input_length": 4294967296, "output_length": 1, "hash_ids": [1]}\n' >"$WORK/big_tokens.jsonl"
    run replay "$WORK/big_tokens.jsonl"
    [ "$rc" -eq 1 ] && stderr_has "big_tokens.jsonl:1" "input_length" || { why="exit $rc"; return 1; }
}

check_max_memory() {
    if [ -n "${ASAN_OPTIONS:-}" ]; then
        why="the sanitizer build reserves its own memory: --max-memory is checked in the plain build"
        return 77
    fi
    big_trace "$WORK/memory.jsonl" 200000
    run replay --no-cost --max-memory 4M "$WORK/memory.jsonl"
    [ "$rc" -eq 1 ] && [ ! -s "$WORK/out" ] && stderr_has "memory" "--max-memory" ||
        { why="exit $rc; want 1 with a hint to raise --max-memory"; return 1; }
    run replay --no-cost --max-memory 2G "$WORK/memory.jsonl"
    [ "$rc" -eq 0 ] || { why="with 2G: exit $rc"; return 1; }
}

check_output_unwritable() {
    run replay --no-cost --output "$UNWRITABLE/report.txt" "$MOONCAKE"
    [ "$rc" -eq 1 ] && stderr_has "cannot write" || { why="--output: exit $rc"; return 1; }
    run replay --no-cost --html "$UNWRITABLE/report.html" "$MOONCAKE"
    [ "$rc" -eq 1 ] && stderr_has "cannot write" || { why="--html: exit $rc"; return 1; }
    run sweep --no-cost --ttl 60,300 --output "$UNWRITABLE/sweep.txt" "$MOONCAKE"
    [ "$rc" -eq 1 ] && stderr_has "cannot write" || { why="sweep --output: exit $rc"; return 1; }
}

# A full disk: writes fail past a 1 KiB file-size limit (SIGXFSZ ignored, so
# write returns EFBIG as it would return ENOSPC).
full_disk_case() {
    local what=$1 file=$2
    shift 2
    (ulimit -f 1; trap '' XFSZ; "$PCSIM" "$@" >/dev/null 2>"$WORK/err")
    rc=$?
    if [ "$rc" -ne 1 ] || ! stderr_has "write failed"; then
        why="$what: exit $rc, want 1 with 'write failed'"
        return 1
    fi
    no_leftovers "$file" || { why="$what: $file or a temporary file was left behind"; return 1; }
}

check_full_disk() {
    full_disk_case "--output json" "$WORK/full.json" replay --format json --output "$WORK/full.json" "${CLAUDE[@]}" ||
        return 1
    full_disk_case "--requests" "$WORK/full.csv" replay --requests "$WORK/full.csv" "${CLAUDE[@]}" || return 1
    full_disk_case "--html" "$WORK/full.html" replay --html "$WORK/full.html" "${CLAUDE[@]}" || return 1
    full_disk_case "run --output" "$WORK/run.json" run --trials 2 --format json --output "$WORK/run.json" \
        --prices tests/data/prices/catalog.json tests/mc/scenarios/identical.json
}

check_old_file_kept() {
    echo "the previous report" >"$WORK/kept.txt"
    run replay --output "$WORK/kept.txt" tests/data/bad/truncated.jsonl
    [ "$rc" -eq 1 ] || { why="exit $rc"; return 1; }
    [ "$(cat "$WORK/kept.txt")" = "the previous report" ] || { why="the old file was changed"; return 1; }
    ! compgen -G "$WORK/kept.txt.tmp.*" >/dev/null || { why="a temporary file was left behind"; return 1; }
}

check_output_written() {
    run replay --no-cost --format json --output "$WORK/report.json" "$MOONCAKE"
    [ "$rc" -eq 0 ] && [ ! -s "$WORK/out" ] || { why="exit $rc, or stdout not empty"; return 1; }
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["tokens"]["input"] != 61194628)' \
        "$WORK/report.json" || { why="the written report is not the replay's"; return 1; }
}

# interrupt_case SECONDS ARGS...: sends SIGINT after SECONDS; output in $WORK/out.
interrupt_case() {
    local after=$1
    shift
    "$PCSIM" "$@" >"$WORK/out" 2>"$WORK/err" &
    local pid=$!
    sleep "$after"
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
}

check_interrupt_replay() {
    big_trace "$WORK/long_trace.jsonl" 3000000
    interrupt_case 1 replay --no-cost --threads 1 --format json "$WORK/long_trace.jsonl"
    [ "$rc" -eq 130 ] || { why="exit $rc, want 130 (interrupted: the trace may have been too short)"; return 1; }
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not (d["partial"] and 0 < d["requests"] < 3000000))' \
        "$WORK/out" || { why="the report is not marked partial with fewer requests: $(head -c 200 "$WORK/out")"; return 1; }
    stderr_has "PARTIAL" || { why="stderr does not say PARTIAL"; return 1; }
}

check_interrupt_run() {
    interrupt_case 2 run --trials 100000 --threads 2 --format json scenarios/mini-vs-full.json
    [ "$rc" -eq 130 ] || { why="exit $rc, want 130"; return 1; }
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(not (d["partial"] and 0 < d["trials"] < 100000))' \
        "$WORK/out" || { why="the report is not marked partial: $(head -c 200 "$WORK/out")"; return 1; }
}

# A file large enough to be read in one pass whose times go back (two lines
# swapped): the replay starts over with an index and reports what it
# reports for the file in order, to the byte, per-request rows included.
check_one_pass_starts_over() {
    mkdir -p "$WORK/sorted" "$WORK/swapped"
    big_trace "$WORK/sorted/trace.jsonl" 250000
    [ "$(stat -c %s "$WORK/sorted/trace.jsonl")" -ge $((16 << 20)) ] || { why="the trace is under 16 MiB"; return 1; }
    awk 'NR == 3 { held = $0; next } NR == 4 { print; print held; next } { print }' \
        "$WORK/sorted/trace.jsonl" >"$WORK/swapped/trace.jsonl"
    local dir
    for dir in sorted swapped; do
        (cd "$WORK/$dir" && "$PCSIM" replay --format json --requests requests.csv trace.jsonl >report.json 2>err) ||
            { why="$dir: exit $?: $(head -c 300 "$WORK/$dir/err")"; return 1; }
    done
    cmp -s "$WORK/sorted/report.json" "$WORK/swapped/report.json" || { why="the reports differ"; return 1; }
    cmp -s "$WORK/sorted/requests.csv" "$WORK/swapped/requests.csv" || { why="the per-request rows differ"; return 1; }
    [ "$(wc -l <"$WORK/swapped/requests.csv")" -eq 250001 ] || { why="not 250000 rows"; return 1; }
}

# ------------------------------------------------------------------ cases
check long_line "limit: a line longer than 64 MiB is an error naming the line"
check deep_json "limit: JSON nested 200 deep is an error naming the line"
check deep_subagents "limit: subagents nested 12 deep are an error naming the file"
check tokens_past_32_bits "limit: a token count of 2^32 is an error naming the line and field"
check max_memory "--max-memory: fails early with a hint instead of growing; enough memory passes"
check output_unwritable "an output that cannot be created: exit 1, the path named"
check full_disk "a full disk: exit 1, 'write failed', nothing left behind (--output, --requests, --html, run)"
check old_file_kept "a failed run keeps the old --output file as it was"
check output_written "--output writes the report to the file, nothing to stdout"
check one_pass_starts_over "a large trace whose times go back: read again with an index, the same report"
check interrupt_replay "Ctrl-C during replay: a partial report, marked, exit 130"
check interrupt_run "Ctrl-C during run: the trials done, marked partial, exit 130"

finish
