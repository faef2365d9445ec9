# Shared plumbing of the CLI test scripts (run_cli_tests.sh, prices_tests.sh);
# sourced, not run. The sourcing script passes its own arguments:
#   source cli_lib.sh PCSIM_BINARY SOURCE_DIR
# It checks them, enters SOURCE_DIR, and defines the case kinds (golden,
# totals, data_error, usage_error, check) and finish, which prints the
# summary line `N passed, M failed` and returns non-zero if a case failed.
if [ $# -ne 2 ]; then
    echo "usage: $0 PCSIM_BINARY SOURCE_DIR" >&2
    exit 2
fi
PCSIM=$1
case $PCSIM in /*) ;; *) PCSIM=$PWD/$PCSIM ;; esac
cd "$2" || exit 2
if [ ! -x "$PCSIM" ]; then
    echo "$0: $PCSIM is not an executable" >&2
    exit 2
fi
export LC_ALL=C
# The pinned date (tests/pinned.env), also when a script is run by hand.
set -a
# shellcheck source=../pinned.env
source tests/pinned.env
set +a

UPDATE=${PCSIM_UPDATE_GOLDENS:-0}
DATA=tests/data
BAD=tests/data/bad
GOLDEN=tests/golden
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pcsim-cli.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
updated=0
rc=0

# ------------------------------------------------------------------ plumbing

# run ARGS...: runs pcsim; stdout in $WORK/out, stderr in $WORK/err, exit in $rc.
run() {
    "$PCSIM" "$@" >"$WORK/out" 2>"$WORK/err"
    rc=$?
}

pass() {
    passed=$((passed + 1))
    echo "ok   $1"
}

# fail DESCRIPTION WHY: also shows the start of the last run's stderr.
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
    echo "     $2"
    if [ -s "$WORK/err" ]; then
        head -n 5 "$WORK/err" | sed 's/^/     stderr: /'
    fi
}

# stderr_has TEXT...: every TEXT occurs (as a fixed string) in the last stderr.
stderr_has() {
    local text
    for text in "$@"; do
        grep -qF -- "$text" "$WORK/err" || return 1
    done
    return 0
}

# The usage table's total row (the first: a reconciliation table follows it when the requests
# carry observed usage).
total_row() {
    grep -m1 '^total,' "$WORK/out"
}

# ------------------------------------------------------------- case kinds

# golden NAME EXIT DESCRIPTION ARGS...
golden() {
    local name=$1 want_rc=$2 what=$3
    shift 3
    run "$@"
    if [ "$UPDATE" = 1 ]; then
        if [ "$rc" -ne "$want_rc" ]; then
            fail "golden $name: $what" "exit $rc, want $want_rc: not updated"
            return
        fi
        mkdir -p "$GOLDEN"
        cp "$WORK/out" "$GOLDEN/$name"
        updated=$((updated + 1))
        echo "updated $GOLDEN/$name"
        return
    fi
    if [ "$rc" -ne "$want_rc" ]; then
        fail "golden $name: $what" "exit $rc, want $want_rc"
    elif [ ! -f "$GOLDEN/$name" ]; then
        fail "golden $name: $what" "$GOLDEN/$name is missing (run tests/cli/update_goldens.sh)"
    elif ! diff -u "$GOLDEN/$name" "$WORK/out" >"$WORK/diff"; then
        fail "golden $name: $what" "stdout differs from $GOLDEN/$name:"
        head -n 30 "$WORK/diff" | sed 's/^/     /'
    else
        pass "golden $name: $what"
    fi
}

# totals DESCRIPTION EXPECTED REPLAY_ARGS...
# EXPECTED is requests,input,cache_read,cache_write,cache_write_1h,uncached,output
# (cached_ratio and the costs are left to the goldens). ARGS are replay's; `replay --format csv`
# is put in front of them.
totals() {
    local what=$1 want=$2
    shift 2
    [ "$UPDATE" = 1 ] && return
    run replay --format csv "$@"
    local row
    row=$(total_row | cut -d, -f3-9)
    if [ "$rc" -ne 0 ]; then
        fail "totals: $what" "exit $rc, want 0"
    elif [ "$row" != "$want" ]; then
        fail "totals: $what" "total row $row, want $want"
    else
        pass "totals: $what"
    fi
}

# data_error DESCRIPTION PLACE FIELD ARGS...: exit 1, nothing on stdout, and
# stderr contains PLACE ("file.jsonl:2" or "file.json: requests[1]") and FIELD.
data_error() {
    local what=$1 place=$2 field=$3
    shift 3
    [ "$UPDATE" = 1 ] && return
    run "$@"
    if [ "$rc" -ne 1 ]; then
        fail "data error: $what" "exit $rc, want 1"
    elif [ -s "$WORK/out" ]; then
        fail "data error: $what" "stdout is not empty"
    elif ! stderr_has "$place" "$field"; then
        fail "data error: $what" "stderr lacks '$place' or '$field'"
    else
        pass "data error: $what"
    fi
}

# usage_error DESCRIPTION TEXT ARGS...: exit 2, nothing on stdout, stderr has TEXT.
usage_error() {
    local what=$1 text=$2
    shift 2
    [ "$UPDATE" = 1 ] && return
    run "$@"
    if [ "$rc" -ne 2 ]; then
        fail "usage error: $what" "exit $rc, want 2"
    elif [ -s "$WORK/out" ]; then
        fail "usage error: $what" "stdout is not empty"
    elif ! stderr_has "$text"; then
        fail "usage error: $what" "stderr lacks '$text'"
    else
        pass "usage error: $what"
    fi
}

# check NAME DESCRIPTION: runs check_NAME, which returns non-zero and sets $why
# on failure, or returns 77 to skip.
check() {
    local name=$1 what=$2
    [ "$UPDATE" = 1 ] && return
    why=""
    : >"$WORK/err"
    "check_$name"
    local status=$?
    if [ "$status" -eq 77 ]; then
        echo "skip $what: $why"
    elif [ "$status" -ne 0 ]; then
        fail "$what" "$why"
    else
        pass "$what"
    fi
}

# finish: the summary line; non-zero if any case failed.
finish() {
    if [ "$UPDATE" = 1 ]; then
        echo "updated $updated golden files"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
