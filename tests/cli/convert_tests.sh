#!/usr/bin/env bash
# CLI tests for `pcsim convert`: usage: convert_tests.sh PCSIM_BINARY SOURCE_DIR
#
# Case kinds as in run_cli_tests.sh (cli_lib.sh). That a converted trace replays
# as its input does, for every preset, is tests/convert/roundtrip.py; here: the
# lines themselves (written by hand from docs/formats.md), the notes, the errors
# and what an output may and may not overwrite.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

# ------------------------------------------------------------ check bodies

# mooncake_tiny.jsonl by hand: lines in time order (800 twice: file order), t in
# seconds, the model given by --model, bound i ending at min(512 (i + 1),
# input_length) so segments of 512 and the rest, ids in hex, no session
# (Mooncake ids are global: namespace 0), and content_blocks false (blocks, not
# content blocks: lookback does not apply to them).
check_mooncake_lines() {
    cat >"$WORK/want" <<'EOF'
{"t":0,"model":"gpt-4o","input_tokens":1200,"output_tokens":10,"content_blocks":false,"segments":[{"id":"1","tokens":512},{"id":"2","tokens":512},{"id":"3","tokens":176}]}
{"t":1,"model":"gpt-4o","input_tokens":1100,"output_tokens":20,"content_blocks":false,"segments":[{"id":"1","tokens":512},{"id":"2","tokens":512},{"id":"4","tokens":76}]}
{"t":400,"model":"gpt-4o","input_tokens":1536,"output_tokens":5,"content_blocks":false,"segments":[{"id":"1","tokens":512},{"id":"2","tokens":512},{"id":"3","tokens":512}]}
{"t":500,"model":"gpt-4o","input_tokens":700,"output_tokens":7,"content_blocks":false,"segments":[{"id":"1","tokens":512},{"id":"2","tokens":188}]}
{"t":800,"model":"gpt-4o","input_tokens":512,"output_tokens":1,"content_blocks":false,"segments":[{"id":"1","tokens":512}]}
{"t":800,"model":"gpt-4o","input_tokens":1000,"output_tokens":3,"content_blocks":false,"segments":[{"id":"1","tokens":512},{"id":"5","tokens":488}]}
EOF
    run convert --model gpt-4o "$DATA/mooncake_tiny.jsonl"
    if [ "$rc" -ne 0 ] || ! cmp -s "$WORK/want" "$WORK/out"; then
        why="exit $rc; $(diff "$WORK/want" "$WORK/out" | head -n 4 | tr '\n' ' ')"
        return 1
    fi
}

# claude_code_tiny.json by hand: the subagent's requests at 12 + 0 and 12 + 3.5 s
# in their place in time, blocks of 100 tokens, the tail after the last full
# block left in input_tokens only, and the file's namespace (1) as session "1".
check_claude_code_lines() {
    cat >"$WORK/want" <<'EOF'
{"t":0,"model":"claude-sonnet-4-5","session":"1","input_tokens":350,"output_tokens":40,"content_blocks":false,"segments":[{"id":"1","tokens":100},{"id":"2","tokens":100},{"id":"3","tokens":100}]}
{"t":10,"model":"claude-sonnet-4-5","session":"1","input_tokens":520,"output_tokens":30,"content_blocks":false,"segments":[{"id":"1","tokens":100},{"id":"2","tokens":100},{"id":"3","tokens":100},{"id":"4","tokens":100},{"id":"5","tokens":100}]}
{"t":12,"model":"claude-haiku-4-5","session":"1","input_tokens":250,"output_tokens":5,"content_blocks":false,"segments":[{"id":"1","tokens":100},{"id":"2","tokens":100}]}
{"t":14,"model":"claude-sonnet-4-5","session":"1","input_tokens":640,"output_tokens":50,"content_blocks":false,"segments":[{"id":"1","tokens":100},{"id":"2","tokens":100},{"id":"3","tokens":100},{"id":"4","tokens":100},{"id":"5","tokens":100},{"id":"6","tokens":100}]}
{"t":15.5,"model":"claude-haiku-4-5","session":"1","input_tokens":260,"output_tokens":6,"content_blocks":false,"segments":[{"id":"1","tokens":100},{"id":"2","tokens":100}]}
{"t":400,"model":"claude-sonnet-4-5","session":"1","input_tokens":700,"output_tokens":20,"content_blocks":false,"segments":[{"id":"1","tokens":100},{"id":"2","tokens":100},{"id":"3","tokens":100},{"id":"4","tokens":100},{"id":"5","tokens":100},{"id":"6","tokens":100},{"id":"7","tokens":100}]}
EOF
    run convert "$DATA/claude_code_tiny.json"
    if [ "$rc" -ne 0 ] || ! cmp -s "$WORK/want" "$WORK/out"; then
        why="exit $rc; $(diff "$WORK/want" "$WORK/out" | head -n 4 | tr '\n' ' ')"
        return 1
    fi
}

# --output writes a file whole; replaying it gives the input's totals.
check_output_file() {
    run convert --output "$WORK/trace.jsonl" "$DATA/native_segments.jsonl"
    if [ "$rc" -ne 0 ] || [ -s "$WORK/out" ] || [ ! -s "$WORK/trace.jsonl" ]; then
        why="exit $rc, stdout $(wc -c <"$WORK/out") bytes, file missing or empty"
        return 1
    fi
    local lines
    lines=$(wc -l <"$WORK/trace.jsonl")
    if [ "$lines" -ne 6 ]; then
        why="$lines lines, want 6 (one per request)"
        return 1
    fi
    if grep -q '"meta"' "$WORK/trace.jsonl"; then
        why="free-form meta was copied"
        return 1
    fi
}

# An output that is one of the inputs (also through a link) is refused before
# anything is read or written; the input is left as it was.
check_refuse_input() {
    cp "$DATA/mooncake_tiny.jsonl" "$WORK/in.jsonl"
    ln -sf "$WORK/in.jsonl" "$WORK/link.jsonl"
    local target
    for target in "$WORK/in.jsonl" "$WORK/link.jsonl"; do
        run convert --output "$target" "$WORK/in.jsonl"
        if [ "$rc" -ne 2 ] || ! stderr_has "--output" "in.jsonl"; then
            why="--output $target: exit $rc, want 2 naming the clash"
            return 1
        fi
        if ! cmp -s "$DATA/mooncake_tiny.jsonl" "$WORK/in.jsonl"; then
            why="the input was changed"
            return 1
        fi
    done
}

# A bad record stops the run with its place; a file output is not written (an
# old one stays as it was).
check_error_keeps_output() {
    echo "old" >"$WORK/old.jsonl"
    run convert --output "$WORK/old.jsonl" "$BAD/missing_field.jsonl"
    if [ "$rc" -ne 1 ] || ! stderr_has "missing_field.jsonl:3" "field output_length"; then
        why="exit $rc, want 1 naming missing_field.jsonl:3 and the field"
        return 1
    fi
    if [ "$(cat "$WORK/old.jsonl")" != "old" ]; then
        why="the old output was replaced"
        return 1
    fi
    if ls "$WORK"/old.jsonl.tmp.* >/dev/null 2>&1; then
        why="a temporary file was left"
        return 1
    fi
}

# --lenient: the good records are written, the bad ones counted and shown.
check_lenient() {
    run convert --lenient --model gpt-4o "$DATA/lenient_mixed.jsonl"
    if [ "$rc" -ne 0 ] || [ "$(wc -l <"$WORK/out")" -ne 6 ]; then
        why="exit $rc, $(wc -l <"$WORK/out") lines, want 0 and 6"
        return 1
    fi
    if ! stderr_has "skipped 2 bad records (--lenient)" "lenient_mixed.jsonl:3" "lenient_mixed.jsonl:7"; then
        why="the skips are not reported"
        return 1
    fi
}

# Azure CSV has no prompts: lines without segments, and a note that says so.
check_azure_note() {
    run convert --model gpt-4o "$DATA/azure_tiny.csv"
    if [ "$rc" -ne 0 ] || [ "$(wc -l <"$WORK/out")" -ne 3 ] || grep -q segments "$WORK/out"; then
        why="exit $rc; want 3 lines without segments"
        return 1
    fi
    if ! stderr_has "Azure CSV traces carry no prefix identity"; then
        why="no note on the missing prefix identity"
        return 1
    fi
}

# Claude Code transcripts hold no prompt: their prompts are rebuilt from counts, convert
# says so once, and writes them with each last unit a breakpoint on the policy's TTL.
check_counts_note() {
    run convert "$DATA/claude_code_log/project"
    if [ "$rc" -ne 0 ] || ! stderr_has "prefixes come from token counts alone" "the trace written holds those prompts"; then
        why="exit $rc; no note that the prompts come from counts"
        return 1
    fi
    if ! grep -q '"cache":true}]' "$WORK/out" || grep -q '"cache":"5m"' "$WORK/out"; then
        why="the last units are not breakpoints without a marker"
        return 1
    fi
}

# The same inputs give the same bytes, for one thread and two.
check_stable() {
    run convert --threads 1 "$DATA/native_blocks.jsonl" "$DATA/claude_code_tiny.json"
    cp "$WORK/out" "$WORK/once.jsonl"
    run convert --threads 2 "$DATA/native_blocks.jsonl" "$DATA/claude_code_tiny.json"
    if [ "$rc" -ne 0 ] || [ ! -s "$WORK/out" ] || ! cmp -s "$WORK/out" "$WORK/once.jsonl"; then
        why="two conversions of the same files differ"
        return 1
    fi
}

# --------------------------------------------------------------- the cases

golden convert_help.txt 0 "pcsim convert --help prints the options to stdout" convert --help
golden convert_help.txt 0 "pcsim convert -h is --help" convert -h

check mooncake_lines "Mooncake: one line per request in time order, segments from the 512-token blocks"
check claude_code_lines "Claude-Code: subagent times, full blocks only, the file's session"
check output_file "--output writes the file whole, one line per request, no meta"
check refuse_input "an output that is an input (or links to one) is a usage error; the input stays"
check error_keeps_output "a bad record: exit 1 with its place, the old output kept, no temporary left"
check lenient "--lenient writes the good records and reports the skipped ones"
check azure_note "Azure CSV: lines without prompts and a note"
check stable "the same inputs give the same bytes on one thread and two"
check counts_note "a log without prompts: a note, and last units written as \"cache\": true"

usage_error "no trace" "no trace file given" convert
usage_error "cost options mean nothing to convert" "--tier" convert --tier batch "$DATA/mooncake_tiny.jsonl"
usage_error "unknown input format" "--input-format" convert --input-format nope "$DATA/mooncake_tiny.jsonl"
data_error "a missing file" "no_such_file.jsonl" "" convert --output "$WORK/x.jsonl" "$DATA/no_such_file.jsonl"
data_error "a bad field, written to a file" "native_unknown_tier.jsonl:" "field tier" \
    convert --output "$WORK/x.jsonl" "$BAD/native_unknown_tier.jsonl"

finish
