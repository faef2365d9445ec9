#!/usr/bin/env bash
# CLI tests for the numbers `pcsim run` prints (issue #14): usage:
# run_numbers_tests.sh PCSIM_BINARY SOURCE_DIR
#
# - a strategy without a completed task has no cost per completed task
#   (null / empty / n/a, never 0), every summary shows its n, and a CI over
#   fewer than two trials has no value;
# - --trials auto says whether it converged; --trials above the maximum is a
#   usage error;
# - Ctrl-C stops a run inside one long trial; --progress prints lines with an
#   ETA on a stderr that is not a terminal.
# Same case kinds as run_cli_tests.sh (cli_lib.sh).
set -u

# shellcheck source=cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh" "$@" || exit 2

CATALOG=tests/data/prices/catalog.json
NEVER=$DATA/scenarios/never_completes.json
HUGE=$DATA/scenarios/huge_trial.json

# json_ok EXPRESSION: evaluates a Python expression over the JSON report d
# (the last stdout); fails with the expression when it is false.
json_ok() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$WORK/out" "$1" || { why="not true of the JSON report: $1"; return 1; }
}

check_no_completion_json() {
    run run --prices "$CATALOG" --format json "$NEVER"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    json_ok 'd["strategies"][1]["cost_per_completed_task"] == {"n": 0, "mean": None, "sd": None, "p5": None, "p50": None, "p95": None, "p99": None, "ci95": None}' || return 1
    json_ok 'd["strategies"][1]["trials_with_completion"] == 0 and d["strategies"][1]["trials"] == 5' || return 1
    json_ok 'd["strategies"][1]["vs_first"]["n"] == 0 and d["strategies"][1]["vs_first"]["mean_difference"] is None and d["strategies"][1]["vs_first"]["ci95"] is None and d["strategies"][1]["vs_first"]["p_cheaper"] is None' || return 1
    json_ok 'd["strategies"][0]["cost_per_completed_task"]["n"] == 5 and d["strategies"][0]["cost_per_completed_task"]["mean"] > 0' || return 1
}

check_no_completion_csv() {
    run run --prices "$CATALOG" --format csv "$NEVER"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    python3 - "$WORK/out" <<'PY' || { why="$(cat "$WORK/why" 2>/dev/null)"; return 1; }
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
mini = rows[1]
bad = [k for k in ("n", "cost_per_completed_task_mean", "sd", "ci95_low", "ci95_high", "p5", "p50", "p95", "p99",
                   "difference_n", "difference_vs_first", "difference_ci95_low", "difference_ci95_high", "p_cheaper")
       if k not in mini or (mini[k] != "" and k not in ("n", "difference_n"))]
if bad or mini["n"] != "0" or mini["difference_n"] != "0" or rows[0]["n"] != "5":
    open(sys.argv[1] + "", "a")
    import os
    open(os.path.join(os.path.dirname(sys.argv[1]), "why"), "w").write(f"mini-only row {mini}; bad fields {bad}")
    sys.exit(1)
PY
}

check_no_completion_text() {
    run run --prices "$CATALOG" "$NEVER"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local row
    row=$(grep -A3 '^cost per completed task' "$WORK/out" | grep '^  mini-only')
    case $row in *0.00*) why="mini-only shows a zero: '$row'"; return 1 ;; esac
    [ "$(printf '%s' "$row" | grep -o 'n/a' | wc -l)" -ge 7 ] || { why="mini-only row lacks n/a: '$row'"; return 1; }
    grep -q '^cost per completed task, USD, across n trials with a completed task (of 5 run):' "$WORK/out" ||
        { why="the heading does not say 'trials with a completed task': $(grep '^cost per' "$WORK/out")"; return 1; }
    row=$(grep -A3 '^against full-only' "$WORK/out" | grep '^  mini-only')
    case $row in *0.00*|*0.0%*) why="the paired row shows zeros: '$row'"; return 1 ;; esac
}

check_no_completion_html() {
    run run --prices "$CATALOG" --html "$WORK/never.html" "$NEVER"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    python3 - "$WORK/never.html" <<'PY' || { why="the HTML row of mini-only is not n/a (see the page)"; return 1; }
import re, sys
page = open(sys.argv[1]).read()
rows = [r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "mini-only" in r]
cells = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in rows]
cost = [c for c in cells if len(c) == 9]
sys.exit(0 if cost and cost[0][1] == "0" and all(x == "n/a" for x in cost[0][2:]) else 1)
PY
}

check_one_trial_ci() {
    run run --prices "$CATALOG" --format json --trials 1 "$NEVER"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    json_ok 'd["strategies"][0]["cost_per_completed_task"]["n"] == 1 and d["strategies"][0]["cost_per_completed_task"]["ci95"] is None and d["strategies"][0]["cost_per_completed_task"]["sd"] is None and d["strategies"][0]["cost_per_completed_task"]["mean"] > 0' || return 1
    run run --prices "$CATALOG" --trials 1 "$NEVER"
    grep -A2 '^cost per completed task' "$WORK/out" | grep '^  full-only' | grep -q 'n/a' ||
        { why="text: full-only's CI over one trial is not n/a: $(grep -A2 '^cost per' "$WORK/out")"; return 1; }
}

check_auto_not_converged() {
    run run --format json --trials auto --max-trials 60 --threads 2 scenarios/mini-vs-full.json
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    json_ok 'd["trials"] == 60 and d["converged"] is False and d["half_width_reached"] > d["target_relative_half_width"]' || return 1
    run run --trials auto --max-trials 60 --threads 2 scenarios/mini-vs-full.json
    grep -q 'did not converge' "$WORK/out" || { why="the text does not say it did not converge"; return 1; }
}

# interrupt_within SIGNALS SECONDS: starts the long run, waits a second, sends
# SIGINT SIGNALS times, and gives it SECONDS to exit (bounded: never hangs).
interrupt_within() {
    local signals=$1 seconds=$2 waited=0 i
    "$PCSIM" run --prices "$CATALOG" --threads 1 --format json "$HUGE" >"$WORK/out" 2>"$WORK/err" &
    local pid=$!
    sleep 1
    for ((i = 0; i < signals; i++)); do
        kill -INT "$pid" 2>/dev/null
    done
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((seconds * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        why="still running $seconds s after Ctrl-C"
        return 1
    fi
    wait "$pid"
    rc=$?
    [ "$rc" -eq 130 ] || { why="exit $rc, want 130"; return 1; }
}

# The one trial takes about 18 s on the 2-core machine (plain build); Ctrl-C
# after 1 s, while its traffic is generated or played, must end the run within
# 6 s (generous: it stops within milliseconds, then frees its memory).
check_interrupt_inside_trial() {
    interrupt_within 1 6 || return 1
    stderr_has "interrupted" || { why="stderr does not say interrupted"; return 1; }
}

check_second_interrupt() {
    interrupt_within 2 6
}

check_progress_lines() {
    PCSIM_PROGRESS_INTERVAL_MS=100 run run --progress --trials 40 --threads 1 scenarios/mini-vs-full.json
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    grep -Eq '^pcsim run: [0-9]+/40 trials, [0-9.]+%, ETA ([0-9]+h)?[0-9]+m[0-9]{2}s$' "$WORK/err" ||
        { why="no progress line with an ETA on stderr: $(head -c 300 "$WORK/err")"; return 1; }
    grep -q $'\r' "$WORK/err" && { why="carriage returns on a stderr that is not a terminal"; return 1; }
    run run --trials 5 --threads 1 scenarios/mini-vs-full.json
    [ -s "$WORK/err" ] && { why="progress without --progress on a non-terminal"; return 1; }
    return 0
}

# Every strategy completes tasks in the same 7 of 12 trials (the others draw no task): the
# heading names that count, and the n column agrees with it.
check_same_n_heading() {
    run run --prices "$CATALOG" "$DATA/scenarios/sparse_tasks.json"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    local heading ns
    heading=$(grep '^cost per completed task' "$WORK/out")
    ns=$(sed -n '/^cost per completed task/,/^$/p' "$WORK/out" | awk '$1 ~ /-only$/ { print $2 }' | sort -u)
    [ "$heading" = "cost per completed task, USD, across $ns trials with a completed task (of 12 run):" ] ||
        { why="heading '$heading', n column '$ns'"; return 1; }
    [ "$ns" -lt 12 ] && [ "$ns" -gt 1 ] || { why="n $ns: the scenario no longer has trials without a task"; return 1; }
}

# No trial draws a task: nothing to report but n 0 and no values, and no undefined behaviour on
# the way (a trial without arrivals once sorted a NULL array: the sanitizer build catches it).
check_no_tasks() {
    run run --prices "$CATALOG" --format json --threads 2 "$DATA/scenarios/no_tasks.json"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    python3 - "$WORK/out" <<'PY' || { why=$(cat "$WORK/why"); return 1; }
import json, os, sys
doc = json.load(open(sys.argv[1]))
bad = [s["name"] for s in doc["strategies"]
       if s["cost_per_completed_task"]["n"] != 0 or s["cost_per_completed_task"]["mean"] is not None]
if bad:
    open(os.path.join(os.path.dirname(sys.argv[1]), "why"), "w").write(f"strategies with a value: {bad}")
    sys.exit(1)
PY
}

# Every trial with a task caches exactly half its input; the 5 of 12 trials without one have no
# cached ratio, so they neither pull the mean towards 0 nor count in its n.
check_cached_ratio_skips_empty_trials() {
    run run --prices "$CATALOG" --format json "$DATA/scenarios/half_cached.json"
    [ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
    json_ok 'd["strategies"][0]["cached_ratio"]["mean"] == 0.5 and d["strategies"][0]["cached_ratio"]["n"] == 7'
}

check no_completion_json "JSON: no completed task: cost per completed task null, n 0; paired null"
check no_completion_csv "CSV: no completed task: empty fields, n 0"
check no_completion_text "text: no completed task: n/a, never 0.00; the heading says trials with a completed task"
check no_completion_html "HTML: no completed task: n/a in the table"
check no_tasks "no trial draws a task: n 0 and null for every strategy, no undefined behaviour"
check cached_ratio_skips_empty_trials "a trial without input has no cached ratio: not 0 in the mean, not in its n"
check same_n_heading "text: the same n for every strategy: the heading says 'across N trials with a completed task'"
check one_trial_ci "one trial: n 1, the CI and sd have no value"
check auto_not_converged "--trials auto stopped at the cap: converged false, half-width reached"
usage_error "--trials above the maximum" "--trials" run --trials 100000001 scenarios/mini-vs-full.json
usage_error "--max-trials above the maximum" "--max-trials" run --trials auto --max-trials 100000001 scenarios/mini-vs-full.json
check interrupt_inside_trial "Ctrl-C inside one long trial stops within seconds"
check second_interrupt "a second Ctrl-C exits at once (130)"
check progress_lines "--progress: lines with an ETA on a non-terminal stderr"

finish
