#!/usr/bin/env bash
# CLI tests for `pcsim gen`: usage: gen_tests.sh PCSIM_BINARY SOURCE_DIR
#
# Case kinds as in run_cli_tests.sh (cli_lib.sh). That a generated trace
# replays to the trial's own figures is tests/gen/gen_replay.py, and the
# attempts themselves (worked out by hand) tests/unit/test_gen.c; here: the
# help, the choice of strategy, trial and sweep point, the usage errors, and
# what an output may and may not overwrite.
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

GEN=tests/data/gen

# ------------------------------------------------------------ check bodies

# Without --output the trace goes to stdout, one line per attempt; --output -
# is the same; the first line is the first attempt of task 0, at its arrival.
check_stdout() {
    run gen "$GEN/sweep.json" --point 1
    cp "$WORK/out" "$WORK/first.jsonl"
    run gen --output - --point 1 "$GEN/sweep.json"
    if [ "$rc" -ne 0 ] || [ ! -s "$WORK/out" ] || ! cmp -s "$WORK/out" "$WORK/first.jsonl"; then
        why="exit $rc; stdout and --output - differ or are empty"
        return 1
    fi
    if ! head -n 1 "$WORK/out" | grep -q '^{"t":[0-9.]*,"model":"gpt-5.4-mini","input_tokens":2200,"output_tokens":100,"task":"0","attempt":1'; then
        why="first line: $(head -n 1 "$WORK/out" | cut -c 1-160)"
        return 1
    fi
}

# --trial, --seed and --strategy each change the trace; the same ones give it back.
check_choices() {
    run gen --point 2 "$GEN/sweep.json"
    cp "$WORK/out" "$WORK/base.jsonl"
    local args
    for args in "--trial 1" "--seed 10"; do
        # shellcheck disable=SC2086
        run gen --point 2 $args "$GEN/sweep.json"
        if [ "$rc" -ne 0 ] || cmp -s "$WORK/out" "$WORK/base.jsonl"; then
            why="$args: exit $rc, or the same trace as without it"
            return 1
        fi
    done
    run gen --point 2 --trial 0 --seed 9 "$GEN/sweep.json"
    if ! cmp -s "$WORK/out" "$WORK/base.jsonl"; then
        why="--trial 0 --seed 9 (the scenario's) is not the default trace"
        return 1
    fi
    run gen --strategy batch-1h "$GEN/escalation.json"
    if [ "$rc" -ne 0 ] || ! grep -q '"tier":"batch"' "$WORK/out" || grep -qv '"tier":"batch"' "$WORK/out"; then
        why="--strategy batch-1h: exit $rc, or a line without tier batch"
        return 1
    fi
}

# A sweep needs --point; the message says how many and where to see them.
check_sweep_needs_point() {
    run gen "$GEN/sweep.json"
    if [ "$rc" -ne 2 ] || [ -s "$WORK/out" ] || ! stderr_has "sweep of 2 points" "--point 1 to 2" "pcsim validate"; then
        why="exit $rc, want 2 with the number of points and how to choose"
        return 1
    fi
    run gen --point 3 "$GEN/sweep.json"
    if [ "$rc" -ne 2 ] || ! stderr_has "--point 3" "has 2 points"; then
        why="--point 3: exit $rc, want 2"
        return 1
    fi
}

# An unknown strategy names the ones there are.
check_unknown_strategy() {
    run gen --strategy nope "$GEN/escalation.json"
    if [ "$rc" -ne 2 ] || [ -s "$WORK/out" ] || ! stderr_has 'no strategy "nope"' '"batch-1h"' '"ttl-sonnet"'; then
        why="exit $rc, want 2 listing the strategies"
        return 1
    fi
}

# An output that is the scenario is refused and the scenario stays; a failed
# run keeps an old output as it was.
check_outputs() {
    cp "$GEN/sweep.json" "$WORK/s.json"
    run gen --point 1 --output "$WORK/s.json" "$WORK/s.json"
    if [ "$rc" -ne 2 ] || ! cmp -s "$GEN/sweep.json" "$WORK/s.json"; then
        why="--output SCENARIO: exit $rc (want 2), or the scenario changed"
        return 1
    fi
    echo old >"$WORK/old.jsonl"
    run gen --output "$WORK/old.jsonl" "$WORK/s.json"
    if [ "$rc" -ne 2 ] || [ "$(cat "$WORK/old.jsonl")" != old ] || ls "$WORK"/old.jsonl.tmp.* >/dev/null 2>&1; then
        why="a refused run: exit $rc, or the old output replaced, or a temporary left"
        return 1
    fi
    run gen --point 1 --output "$WORK/t.jsonl" --summary "$WORK/t.jsonl" "$WORK/s.json"
    if [ "$rc" -ne 2 ] || ! stderr_has "--summary"; then
        why="--output and --summary one file: exit $rc, want 2"
        return 1
    fi
}

# A scenario that does not load: exit 1 with the field's path.
check_bad_scenario() {
    printf '{"schema": "pcsim.scenario.v1", "name": "x", "models": {"m": "gpt-5.4"}, "strategies": []}\n' >"$WORK/bad.json"
    run gen "$WORK/bad.json"
    if [ "$rc" -ne 1 ] || [ -s "$WORK/out" ] || ! stderr_has "bad.json"; then
        why="exit $rc, want 1 naming the file"
        return 1
    fi
}

# Latency (docs/scenario.md#latency), worked out by hand: in latency.json's
# "escalate" strategy mini (ttft 0.8 s, 5 s in all) fails every attempt and
# full (1.5 s, 12 s) none, a redo waits 2 s, the gap is 10 s. So each task's
# lines are mini at its arrival a, full at a + 5 + 2, mini again at
# a + 7 + 12 + 10 = a + 29, full at a + 36; each with its model's ttft.
check_latency() {
    run gen "$GEN/latency.json"
    if [ "$rc" -ne 0 ] || [ ! -s "$WORK/out" ]; then
        why="exit $rc, or no trace"
        return 1
    fi
    why=$(python3 - "$WORK/out" <<'PY'
import json, sys
tasks = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    tasks.setdefault(r["task"], []).append((round(r["t"] * 1000), r["model"], r.get("ttft"), r.get("ok", True)))
want = [(0, "gpt-5.4-mini", 0.8, False), (7000, "gpt-5.4", 1.5, True),
        (29000, "gpt-5.4-mini", 0.8, False), (36000, "gpt-5.4", 1.5, True)]
for task, lines in tasks.items():
    got = [(t - lines[0][0], m, ttft, ok) for t, m, ttft, ok in lines]
    if got != want:
        print(f"task {task}: {got}")
        break
else:
    if len(tasks) < 2:
        print(f"{len(tasks)} tasks, want at least 2")
PY
)
    [ -z "$why" ]
}

# pcsim run with latency: each escalate task takes 48 s by hand (above:
# full's second attempt is sent at a + 36 and ends 12 s later), the mean
# task duration in JSON and text; none without latency. The same run on
# one thread and on two: the same bytes.
check_latency_run() {
    run run --trials 3 --format json "$GEN/latency.json"
    if [ "$rc" -ne 0 ] || ! grep -q '"task_duration_s":	48,' "$WORK/out"; then
        why="exit $rc, or escalate's task_duration_s is not 48"
        return 1
    fi
    run run --trials 3 "$GEN/latency.json"
    if ! grep -q '^task duration, seconds' "$WORK/out" || ! grep -qE '^  escalate +48\.0$' "$WORK/out"; then
        why="the text report has no task duration of 48.0 for escalate"
        return 1
    fi
    run run --trials 3 --format json "$GEN/escalation.json"
    if [ "$rc" -ne 0 ] || grep -q 'task_duration' "$WORK/out"; then
        why="exit $rc, or a task duration without latency"
        return 1
    fi
    local format
    for format in text json; do
        run run --trials 6 --threads 1 --format "$format" "$GEN/latency.json"
        cp "$WORK/out" "$WORK/one"
        run run --trials 6 --threads 2 --format "$format" "$GEN/latency.json"
        if [ "$rc" -ne 0 ] || [ ! -s "$WORK/out" ] || ! cmp -s "$WORK/out" "$WORK/one"; then
            why="--format $format: exit $rc, or --threads 1 and 2 differ"
            return 1
        fi
    done
}

# --------------------------------------------------------------- the cases

golden gen_help.txt 0 "pcsim gen --help prints the options to stdout" gen --help
golden gen_help.txt 0 "pcsim gen -h is --help" gen -h

usage_error "gen without a scenario" "no scenario file given" gen
usage_error "gen with two scenarios" "one scenario file at a time" gen a.json b.json
usage_error "gen --trial not a number" "--trial: expected a trial from 0" gen --trial x scenarios/mini-vs-full.json
usage_error "gen --trial past the most trials" "--trial: expected a trial from 0" gen --trial 100000000 scenarios/mini-vs-full.json
usage_error "gen --point 0" "--point: expected a point number from 1" gen --point 0 scenarios/mini-vs-full.json
usage_error "gen --region-uplift catalog (a trial has one uplift)" "--region-uplift" gen --region-uplift catalog scenarios/mini-vs-full.json
usage_error "gen with an unknown option" "--bogus" gen --bogus scenarios/mini-vs-full.json

check stdout "the trace on stdout (also --output -): one line per attempt, task 0 first"
check choices "--trial, --seed and --strategy choose the trial; the defaults are trial 0, the scenario's seed, the first strategy"
check sweep_needs_point "a scenario with a sweep needs --point, and says so"
check unknown_strategy "an unknown --strategy lists the scenario's strategies"
check outputs "outputs never overwrite the scenario, each other, or an old file on failure"
check bad_scenario "a scenario that does not load: exit 1 naming it"
check latency "latency: each attempt sent at the previous one's end plus the redo delay or gap, with its ttft"
check latency_run "latency: pcsim run reports the hand-computed task duration, the same bytes on 1 and 2 threads"

finish
