#!/usr/bin/env bash
# CLI tests for `pcsim tokens`: usage: tokens_tests.sh PCSIM_BINARY SOURCE_DIR
#
# Counts were taken from the npm package gpt-tokenizer 4.0.0 (tests/tokens
# compares every id against it); here the command line around them: files,
# standard input, the total, --model, JSON, and its errors. Case kinds are
# those of tests/cli/cli_lib.sh.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

TOKENS=tests/data/tokens

# "hello world" is 2 tokens in both encodings; "I'm here" is 2 in o200k_base and 3 in cl100k_base
# ("I" "'m" " here"), so --model picks the encoding visibly.
check_stdin_and_model() {
    rc=0
    local out
    out=$(printf 'hello world' | "$PCSIM" tokens) || rc=$?
    [ "$rc" -eq 0 ] && [ "$out" = "         2  -" ] || { why="stdin: exit $rc, '$out'"; return 1; }
    out=$(printf "I'm here" | "$PCSIM" tokens --model gpt-4-0613 -) || rc=$?
    [ "$out" = "         3  -" ] || { why="--model gpt-4-0613: '$out', want 3 (cl100k_base)"; return 1; }
    out=$(printf "I'm here" | "$PCSIM" tokens --model gpt-4o -) || rc=$?
    [ "$out" = "         2  -" ] || { why="--model gpt-4o: '$out', want 2 (o200k_base)"; return 1; }
    out=$(printf "I'm here" | "$PCSIM" tokens --encoding cl100k_base) || rc=$?
    [ "$out" = "         3  -" ] || { why="--encoding cl100k_base: '$out', want 3"; return 1; }
}

# A compressed file counts as its text.
check_compressed() {
    gzip -c "$TOKENS/prose.txt" >"$WORK/prose.txt.gz"
    run tokens "$TOKENS/prose.txt"
    local plain
    plain=$(awk '{print $1}' "$WORK/out")
    run tokens "$WORK/prose.txt.gz"
    [ "$rc" -eq 0 ] && [ "$(awk '{print $1}' "$WORK/out")" = "$plain" ] ||
        { why="exit $rc, gz count $(cat "$WORK/out"), plain $plain"; return 1; }
}

# Five million spaces then x, in cl100k_base: its "\s+$" alternative backtracked over the whole run
# and ran out of the regular expression engine's stack ("text too long to split"); it is
# possessive now. 20,000 spaces then x are 158 tokens in gpt-tokenizer: 19,999 = 156 x 128 + 31
# spaces, one token per 128, one for the 31, one for " x". So 4,999,999 = 39,062 x 128 + 63
# gives 39,064.
check_long_space_run() {
    python3 -c 'import sys; sys.stdout.write(" " * 5000000 + "x")' >"$WORK/spaces.txt"
    local encoding
    for encoding in cl100k_base o200k_base; do
        run tokens --encoding "$encoding" "$WORK/spaces.txt"
        [ "$rc" -eq 0 ] && [ "$(awk '{ print $1 }' "$WORK/out")" = 39064 ] ||
            { why="$encoding: exit $rc, '$(cat "$WORK/out")', want 39064"; return 1; }
    done
}

golden tokens_help.txt 0 "pcsim tokens --help prints the options to stdout" tokens --help
golden tokens_files.txt 0 "counts per file and the total" \
    tokens "$TOKENS/prose.txt" "$TOKENS/cjk.txt" "$TOKENS/invalid.bin" "$TOKENS/empty.txt"
golden tokens_files.json 0 "JSON: pcsim.tokens.v1" \
    tokens --format json --encoding cl100k_base "$TOKENS/code.txt" "$TOKENS/emoji.txt"
check stdin_and_model "standard input, --model and --encoding choose the encoding"
check compressed "a .gz file counts as its text"
check long_space_run "five million spaces split and count in both encodings"
data_error "a file that is not there" "$WORK/missing.txt" "missing.txt" tokens "$WORK/missing.txt"
usage_error "an unknown encoding" "--encoding" tokens --encoding p50k_base "$TOKENS/prose.txt"
usage_error "--encoding and --model" "not both" tokens --encoding o200k_base --model gpt-4 "$TOKENS/prose.txt"
usage_error "--format xml" "--format" tokens --format xml "$TOKENS/prose.txt"
usage_error "standard input twice" "once" tokens - -

finish
