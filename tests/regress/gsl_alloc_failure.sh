#!/usr/bin/env bash
# A GSL failure is an error, not an abort (STYLE: gsl_set_error_handler_off()
# once in main). GSL's default handler aborts the process; the one GSL call of
# pcsim that can fail in practice is gsl_rng_alloc, and only when memory runs
# out, which no input provokes on cue. So gdb makes it fail: it stops in
# gsl_rng_alloc, makes its first malloc return NULL, and lets pcsim run on.
# pcsim must exit 1 with "out of memory", not die of SIGABRT.
# usage: gsl_alloc_failure.sh PCSIM_BINARY SOURCE_DIR
# Exits 77 (skipped) without gdb or when gdb cannot trace a process here.
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 PCSIM_BINARY SOURCE_DIR" >&2
    exit 2
fi
pcsim=$1
source_dir=$2
command -v gdb >/dev/null 2>&1 || { echo "gdb not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/fail.gdb" <<'GDB'
set pagination off
set confirm off
set print thread-events off
break gsl_rng_alloc
run
break malloc
continue
return (void *)0
delete
continue
GDB
# LeakSanitizer cannot run under ptrace: in the sanitizer build, leaks are
# left to the other tests.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout 300 gdb -q -batch -x "$work/fail.gdb" --args "$pcsim" run --trials 2 --threads 1 \
    "$source_dir/scenarios/mini-vs-full.json" >"$work/log" 2>&1
if ! grep -q "^Breakpoint 1, .*gsl_rng_alloc" "$work/log"; then
    echo "gdb could not stop pcsim in gsl_rng_alloc: skipped"
    sed -n 1,20p "$work/log"
    exit 77
fi
if grep -q "exited with code 01" "$work/log" && grep -q "pcsim run: .*out of memory" "$work/log" &&
    ! grep -q "SIGABRT\|Default GSL error handler" "$work/log"; then
    echo "ok   gsl_rng_alloc failing: pcsim run exits 1 with 'out of memory'"
    echo "1 passed, 0 failed"
    exit 0
fi
echo "FAIL gsl_rng_alloc failing: want exit 1 with 'out of memory', got:"
grep -v "^\[" "$work/log" | tail -8
echo "0 passed, 1 failed"
exit 1
