#!/usr/bin/env bash
# CLI tests for the hardening of issue #6: usage: hardening_tests.sh PCSIM_BINARY SOURCE_DIR
#
# - limits: a line longer than 64 MiB, JSON nested deeper than the scanner allows,
#   subagents nested deeper than 8, token counts past 2^32, --max-memory;
# - output files (--output, --html, --requests) are written whole or not at all: a
#   location that cannot be written, a full disk (a file-size limit: ulimit -f), an old
#   file kept intact when a run fails;
# - outputs never destroy (DESIGN section 6): a character device (one made with mknod, then
#   /dev/null), a FIFO, a symlink and a descriptor (/dev/fd/1) are written through or have
#   their target replaced, never turned into a regular file; an output that is an input
#   (by any spelling, a link, inside an input directory) or another output is a usage error
#   before any work, with the files' types and contents checked afterwards;
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
    # The rows are the same but for their source: the third request is line 4 of the swapped file.
    cmp -s <(cut -d, -f1-11 "$WORK/sorted/requests.csv") <(cut -d, -f1-11 "$WORK/swapped/requests.csv") ||
        { why="the per-request rows differ"; return 1; }
    [ "$(sed -n 4p "$WORK/swapped/requests.csv" | cut -d, -f12)" = "trace.jsonl:4" ] ||
        { why="the third row's source is not trace.jsonl:4"; return 1; }
    [ "$(wc -l <"$WORK/swapped/requests.csv")" -eq 250001 ] || { why="not 250000 rows"; return 1; }
}

# ------------------------------------------------ outputs that never destroy

RUN_SCENARIO=tests/mc/scenarios/identical.json
RUN_PRICES=tests/data/prices/catalog.json

# is_char_dev PATH MAJOR MINOR: PATH is still that character device.
is_char_dev() {
    [ -c "$1" ] && [ "$(stat -c '%t,%T' "$1")" = "$(printf '%x,%x' "$2" "$3")" ]
}

# The same output options on every command that writes files; each run must
# leave the device a device, and no temporary file beside it.
device_case() {
    local dev=$1
    run replay --no-cost --output "$dev" --html "$WORK/beside.html" --requests "$WORK/beside.csv" "$MOONCAKE"
    [ "$rc" -eq 0 ] || { why="replay --output $dev: exit $rc"; return 1; }
    run replay --no-cost --requests "$dev" --format json "$MOONCAKE"
    [ "$rc" -eq 0 ] || { why="replay --requests $dev: exit $rc"; return 1; }
    run replay --no-cost --html "$dev" "$MOONCAKE"
    [ "$rc" -eq 0 ] || { why="replay --html $dev: exit $rc"; return 1; }
    run sweep --no-cost --ttl 60,300 --output "$dev" "$MOONCAKE"
    [ "$rc" -eq 0 ] || { why="sweep --output $dev: exit $rc"; return 1; }
    run sweep --no-cost --ttl 60,300 --html "$dev" "$MOONCAKE"
    [ "$rc" -eq 0 ] || { why="sweep --html $dev: exit $rc"; return 1; }
    run run --trials 2 --prices "$RUN_PRICES" --output "$dev" --html "$WORK/beside.run.html" "$RUN_SCENARIO"
    [ "$rc" -eq 0 ] || { why="run --output $dev: exit $rc"; return 1; }
    run run --trials 2 --prices "$RUN_PRICES" --html "$dev" "$RUN_SCENARIO"
    [ "$rc" -eq 0 ] || { why="run --html $dev: exit $rc"; return 1; }
    is_char_dev "$dev" 1 3 || { why="$dev is no longer the null device: $(stat -c %F "$dev" 2>&1)"; return 1; }
    ! compgen -G "$dev.tmp.*" >/dev/null || { why="a temporary file was left beside $dev"; return 1; }
}

# A character device is written through. First one of our own (mknod: the
# null device's numbers), and only when that stays a device the machine's
# /dev/null, so a binary that renames over devices never reaches it.
check_output_device() {
    if ! mknod "$WORK/null" c 1 3 2>/dev/null; then
        why="mknod is not allowed here"
        return 77
    fi
    device_case "$WORK/null" || return 1
    device_case /dev/null
}

# A FIFO is written through to its reader and stays a FIFO.
check_output_fifo() {
    mkfifo "$WORK/fifo" || { why="mkfifo failed"; return 1; }
    local kind
    for kind in --output --html --requests; do
        timeout 20 cat "$WORK/fifo" >"$WORK/fifo.out" &
        local reader=$!
        run replay --no-cost --format json "$kind" "$WORK/fifo" "$MOONCAKE"
        # A binary that renamed over the FIFO left the reader waiting.
        [ -p "$WORK/fifo" ] || kill "$reader" 2>/dev/null
        wait "$reader"
        [ "$rc" -eq 0 ] || { why="$kind FIFO: exit $rc"; return 1; }
        [ -p "$WORK/fifo" ] || { why="$kind: the FIFO became a $(stat -c %F "$WORK/fifo")"; return 1; }
        ! compgen -G "$WORK/fifo.tmp.*" >/dev/null || { why="$kind: a temporary file was left behind"; return 1; }
        case $kind in
        --output) python3 -c 'import json, sys; sys.exit(json.load(open(sys.argv[1]))["tokens"]["input"] != 61194628)' \
            "$WORK/fifo.out" ;;
        --html) grep -q '</html>' "$WORK/fifo.out" ;;
        --requests) [ "$(head -n 1 "$WORK/fifo.out")" = "t_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd,observed_cache_read,observed_cache_write,observed_cache_write_1h,source" ] &&
            [ "$(wc -l <"$WORK/fifo.out")" -eq 3994 ] ;;
        esac || { why="$kind: the reader did not get the output: $(head -c 100 "$WORK/fifo.out")"; return 1; }
    done
}

# A symlink to a regular file: the target is replaced whole and keeps its
# permission bits; the link stays a link. A dangling link gets its target.
check_output_symlink() {
    mkdir -p "$WORK/links/real"
    echo "the previous report" >"$WORK/links/real/report.json"
    chmod 640 "$WORK/links/real/report.json"
    ln -s real/report.json "$WORK/links/report.json"
    ln -s report.json "$WORK/links/chain.json"
    ln -s real/new.csv "$WORK/links/dangling.csv"
    run replay --no-cost --format json --output "$WORK/links/chain.json" --requests "$WORK/links/dangling.csv" "$MOONCAKE"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    [ -L "$WORK/links/chain.json" ] && [ "$(readlink "$WORK/links/chain.json")" = report.json ] &&
        [ -L "$WORK/links/report.json" ] && [ "$(readlink "$WORK/links/report.json")" = real/report.json ] ||
        { why="a link was replaced: $(ls -l "$WORK/links" | tr '\n' ' ')"; return 1; }
    [ -f "$WORK/links/real/report.json" ] && [ "$(stat -c %a "$WORK/links/real/report.json")" = 640 ] ||
        { why="the target is not a regular file with mode 640: $(ls -l "$WORK/links/real" | tr '\n' ' ')"; return 1; }
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(d["tokens"]["input"] != 61194628)' \
        "$WORK/links/real/report.json" || { why="the target does not hold the report"; return 1; }
    [ -L "$WORK/links/dangling.csv" ] && [ "$(wc -l <"$WORK/links/real/new.csv")" -eq 3994 ] ||
        { why="the dangling link's target was not written through the link"; return 1; }
    ! compgen -G "$WORK/links/*.tmp.*" >/dev/null && ! compgen -G "$WORK/links/real/*.tmp.*" >/dev/null ||
        { why="a temporary file was left behind"; return 1; }
}

# A descriptor of the process (/dev/fd/1, /proc/self/fd/1) is written
# through at its offset: a shell's >> still appends.
check_output_descriptor() {
    echo "the first line" >"$WORK/append.txt"
    "$PCSIM" replay --no-cost --format csv --output /dev/fd/1 "$MOONCAKE" >>"$WORK/append.txt" 2>"$WORK/err"
    rc=$?
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    [ "$(head -n 1 "$WORK/append.txt")" = "the first line" ] && grep -q '^total,' "$WORK/append.txt" ||
        { why="not appended to stdout: $(head -c 200 "$WORK/append.txt")"; return 1; }
    "$PCSIM" replay --no-cost --requests /proc/self/fd/1 "$MOONCAKE" 2>"$WORK/err" | head -n 1 >"$WORK/head.txt"
    [ "$(cat "$WORK/head.txt")" = "t_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd,observed_cache_read,observed_cache_write,observed_cache_write_1h,source" ] ||
        { why="--requests /proc/self/fd/1 did not reach the pipe: $(cat "$WORK/head.txt")"; return 1; }
}

# "-" as an output is the standard output, never a file named "-"; two of them are one output.
check_output_dash() {
    mkdir -p "$WORK/dash" && cd "$WORK/dash" || { why="cannot enter $WORK/dash"; return 1; }
    "$PCSIM" replay --no-cost --format csv --output - "$OLDPWD/$MOONCAKE" >"$WORK/dash.out" 2>"$WORK/err"
    rc=$?
    local made=0
    [ -e "$WORK/dash/-" ] && made=1
    "$PCSIM" replay --no-cost --output - --html - "$OLDPWD/$MOONCAKE" >/dev/null 2>"$WORK/err2"
    local rc2=$?
    cd "$OLDPWD" || return 1
    [ "$rc" -eq 0 ] && [ "$made" -eq 0 ] && grep -q '^total,' "$WORK/dash.out" ||
        { why="--output -: exit $rc, a file named '-' made: $made, stdout: $(head -c 120 "$WORK/dash.out")"; return 1; }
    [ "$rc2" -eq 2 ] || { why="--output - --html -: exit $rc2, want 2 (one output twice)"; return 1; }
}

# unchanged FILE COPY: FILE is still a regular file equal to COPY.
unchanged() {
    [ -f "$1" ] && [ ! -L "$1" ] && cmp -s "$1" "$2"
}

# clash_case DESCRIPTION TEXT ARGS...: exit 2 with TEXT, nothing on stdout.
clash_case() {
    local what=$1 text=$2
    shift 2
    run "$@"
    [ "$rc" -eq 2 ] && [ ! -s "$WORK/out" ] && stderr_has "$text" ||
        { why="$what: exit $rc, want 2 naming '$text'"; return 1; }
}

# An output that names an input, however spelled, is a usage error before
# any work; the input is left as it was.
check_input_as_output() {
    mkdir -p "$WORK/in/sub/deeper"
    cp "$MOONCAKE" "$WORK/in/trace.jsonl"
    cp "$MOONCAKE" "$WORK/in/sub/deeper/part.jsonl"
    cp "$RUN_SCENARIO" "$WORK/in/scenario.json"
    cp "$RUN_PRICES" "$WORK/in/catalog.json"
    ln -s trace.jsonl "$WORK/in/alias.jsonl"
    cp -r "$WORK/in" "$WORK/orig"
    clash_case "replay --output the trace" "--output $WORK/in/trace.jsonl is the same file as the trace" \
        replay --no-cost --output "$WORK/in/trace.jsonl" "$WORK/in/trace.jsonl" || return 1
    clash_case "another spelling" "is the same file as the trace" \
        replay --no-cost --requests "$WORK/in/sub/../trace.jsonl" "$WORK/in/./trace.jsonl" || return 1
    clash_case "a link to the trace" "--html $WORK/in/alias.jsonl is the same file as the trace" \
        replay --no-cost --html "$WORK/in/alias.jsonl" "$MOONCAKE" "$WORK/in/trace.jsonl" || return 1
    clash_case "a file inside an input directory" "is a file inside the trace directory $WORK/in" \
        replay --no-cost --output "$WORK/in/sub/deeper/part.jsonl" "$WORK/in" || return 1
    clash_case "stdin redirected from the output" "--output $WORK/in/trace.jsonl is the same file as the standard input" \
        replay --no-cost --output "$WORK/in/trace.jsonl" - <"$WORK/in/trace.jsonl" || return 1
    clash_case "sweep --output the trace" "is the same file as the trace" \
        sweep --no-cost --ttl 60,300 --output "$WORK/in/trace.jsonl" "$WORK/in/trace.jsonl" || return 1
    clash_case "replay --output the catalog" "is the same file as the --prices $WORK/in/catalog.json" \
        replay --prices "$WORK/in/catalog.json" --output "$WORK/in/catalog.json" "$MOONCAKE" || return 1
    PCSIM_PRICES=$WORK/in/catalog.json clash_case "\$PCSIM_PRICES" "is the same file as the \$PCSIM_PRICES" \
        sweep --ttl 60,300 --html "$WORK/in/catalog.json" "$MOONCAKE" || return 1
    clash_case "run --html the scenario" "--html $WORK/in/scenario.json is the same file as the scenario" \
        run --trials 2 --prices "$RUN_PRICES" --html "$WORK/in/scenario.json" "$WORK/in/scenario.json" || return 1
    clash_case "run --output the catalog" "is the same file as the --prices" \
        run --trials 2 --prices "$WORK/in/catalog.json" --output "$WORK/in/catalog.json" "$RUN_SCENARIO" || return 1
    local file
    for file in trace.jsonl sub/deeper/part.jsonl scenario.json catalog.json; do
        unchanged "$WORK/in/$file" "$WORK/orig/$file" || { why="$file was changed"; return 1; }
    done
    [ -L "$WORK/in/alias.jsonl" ] || { why="the link to the trace was replaced"; return 1; }
    ! compgen -G "$WORK/in/*.tmp.*" >/dev/null || { why="a temporary file was left behind"; return 1; }
    # Not a clash: --no-cost reads no catalog; a new file in an input directory.
    run replay --no-cost --output "$WORK/in/catalog.json" "$MOONCAKE"
    [ "$rc" -eq 0 ] || { why="--no-cost --output the catalog path: exit $rc"; return 1; }
}

# Two outputs on one file (the same spelling, another spelling of a new
# file, a link to an existing one) are a usage error; nothing is written.
check_two_outputs() {
    mkdir -p "$WORK/two/sub"
    echo "the previous report" >"$WORK/two/old.txt"
    ln -s old.txt "$WORK/two/link.txt"
    clash_case "--output x --html x" "--output $WORK/two/x and --html $WORK/two/x are the same file" \
        replay --no-cost --output "$WORK/two/x" --html "$WORK/two/x" "$MOONCAKE" || return 1
    clash_case "a new file spelled twice" "are the same file" \
        replay --no-cost --requests "$WORK/two/sub/../y.csv" --output "$WORK/two/./y.csv" "$MOONCAKE" || return 1
    clash_case "a link to an existing output" "--output $WORK/two/old.txt and --html $WORK/two/link.txt are the same file" \
        sweep --no-cost --ttl 60,300 --output "$WORK/two/old.txt" --html "$WORK/two/link.txt" "$MOONCAKE" || return 1
    clash_case "run --output x --html x" "are the same file" \
        run --trials 2 --prices "$RUN_PRICES" --output "$WORK/two/r" --html "$WORK/two/r" "$RUN_SCENARIO" || return 1
    [ ! -e "$WORK/two/x" ] && [ ! -e "$WORK/two/y.csv" ] && [ ! -e "$WORK/two/r" ] ||
        { why="an output was written"; return 1; }
    [ "$(cat "$WORK/two/old.txt")" = "the previous report" ] && [ -L "$WORK/two/link.txt" ] ||
        { why="the old file or its link was changed"; return 1; }
}

# The same trace with --requests to a FIFO: rows written through cannot be
# taken back, so replay reads it with an index from the start; the reader
# gets every row once, as a regular file would.
check_requests_through_one_pass() {
    mkdir -p "$WORK/through"
    big_trace "$WORK/through/sorted.jsonl" 250000
    awk 'NR == 3 { held = $0; next } NR == 4 { print; print held; next } { print }' \
        "$WORK/through/sorted.jsonl" >"$WORK/through/swapped.jsonl"
    run replay --no-cost --requests "$WORK/through/file.csv" "$WORK/through/swapped.jsonl"
    [ "$rc" -eq 0 ] || { why="to a file: exit $rc"; return 1; }
    mkfifo "$WORK/through/fifo" || { why="mkfifo failed"; return 1; }
    timeout 30 cat "$WORK/through/fifo" >"$WORK/through/fifo.csv" &
    local reader=$!
    timeout 30 "$PCSIM" replay --no-cost --requests "$WORK/through/fifo" "$WORK/through/swapped.jsonl" \
        >"$WORK/out" 2>"$WORK/err"
    rc=$?
    wait "$reader"
    [ "$rc" -eq 0 ] || { why="to a FIFO: exit $rc (124: waited for a second reader)"; return 1; }
    cmp -s "$WORK/through/file.csv" "$WORK/through/fifo.csv" ||
        { why="the FIFO's reader got $(wc -l <"$WORK/through/fifo.csv") lines, not the file's rows"; return 1; }
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
check output_device "a character device (mknod, then /dev/null) is written through and stays a device"
check output_fifo "a FIFO is written through to its reader and stays a FIFO (--output, --html, --requests)"
check output_symlink "a symlink's target is replaced whole (its mode kept), the link kept; a dangling link's target made"
check output_dash "--output - is the standard output, not a file named '-'; - twice is a usage error"
check output_descriptor "/dev/fd/1 and /proc/self/fd/1 write through the descriptor (>> appends)"
check input_as_output "an output that is an input (any spelling, a link, in an input directory, the catalog, the scenario): exit 2"
check two_outputs "two outputs on one file (same spelling, another spelling, a link): exit 2, nothing written"
check one_pass_starts_over "a large trace whose times go back: read again with an index, the same report"
check requests_through_one_pass "--requests to a FIFO with a large trace whose times go back: every row once"
check interrupt_replay "Ctrl-C during replay: a partial report, marked, exit 130"
check interrupt_run "Ctrl-C during run: the trials done, marked partial, exit 130"

finish
