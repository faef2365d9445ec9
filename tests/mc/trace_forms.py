#!/usr/bin/env python3
"""Trace workloads and batch timing (DESIGN §10) against closed forms, with
the hand-written test catalog (tests/data/prices/catalog.json); the traces
and scenarios are written here into a temporary directory:

1. every request a task of its own (task "request"), 1000 tokens in, 500
   out, no cache; mini once, then full, p_mini = 0.3, p_full = 0: the mean
   cost per request = c_mini + p_mini c_full (inside the run's own 95% CI,
   and within 2%);
2. two identical strategies on a trace (uncertain time_scale and failure
   rates, correlated failures, the "trace" model) differ by exactly 0, a
   different one does not; a model_map runs the same attempts on another
   model; a redo on the same model under another name reads what the
   failed attempt wrote, on another model nothing;
3. --threads 1 and 2 give byte-identical output (text, JSON and CSV);
4. batch timing: groups of K = 4 requests sent at one instant share a
   1000-token prefix (24 tokens of their own after it), the groups 2 h
   apart; ttl cache (idle TTL tau = 300 s, refreshed on every access).
   Standard timing: the first of a group writes, the other three read, a
   cached ratio of 3 x 1000 / (4 x 1024). Batch timing (window W = 1 h):
   the four run at uniform times in the window; one reads iff the run
   before it was within tau, and each of the K - 1 gaps between K uniform
   points exceeds tau with probability (1 - tau/W)^K, so the cached ratio
   is (K - 1)(1 - (1 - tau/W)^K) x 1000 / (4 x 1024) (within 4 standard
   errors of the run's mean). The same requests marked batch in the trace
   wait alike under a strategy without a tier (the same draws), and run at
   once under a strategy whose tier is standard;
5. batch_window_hours 0 is standard timing exactly: the batch strategy's
   cached ratio and attempts equal the standard one's, its cost is the
   batch price (half) of it; the same for a synthetic workload
   (scenarios/nightly-batch.json), whose batch strategy reads less from
   its cache than standard with the default 24 h window.

Usage: trace_forms.py PCSIM SOURCE_DIR. Prints one line per check and
`N passed, M failed`; exits 1 on any failure.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

PCSIM, SOURCE = sys.argv[1], sys.argv[2]
CATALOG = os.path.join(SOURCE, "tests/data/prices/catalog.json")
passed = failed = 0


def run_file(path, *args, catalog=CATALOG):
    command = [PCSIM, "run", "--price-date", "2026-11-23", *args, path]
    if catalog:
        command[2:2] = ["--prices", catalog]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def check(what, ok, detail):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}: {detail}")


def write_lines(path, records):
    with open(path, "w") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def scenario(directory, name, body):
    path = os.path.join(directory, name)
    with open(path, "w") as out:
        json.dump({"schema": "pcsim.scenario.v1", "name": name, **body}, out)
    return path


work = tempfile.TemporaryDirectory()
tmp = work.name

# 1. acme-small: $0.15 / $0.60; acme-large: $5 / $15 per million.
#    c_mini = (1000 x 0.15 + 500 x 0.60) / 1e6 = 0.00045
#    c_full = (1000 x 5 + 500 x 15) / 1e6 = 0.0125
#    E = 0.00045 + 0.3 x 0.0125 = 0.0042
write_lines(os.path.join(tmp, "flat.jsonl"),
            [{"t": i * 7.5, "model": "acme-small", "input_tokens": 1000, "output_tokens": 500,
              "segments": [{"id": "sys", "tokens": 1000}]} for i in range(3000)])
path = scenario(tmp, "redo.json", {
    "seed": 11, "trials": 40,
    "models": {"mini": "acme-small", "full": "acme-large"},
    "workload": {"trace": "flat.jsonl", "task": "request"},
    "failure": {"p": {"mini": 0.3, "full": 0}, "correlation": 0},
    "strategies": [{"name": "mini-then-full", "cache": "none",
                    "route": [{"model": "mini", "attempts": 1}, {"model": "full", "attempts": 1}]}]})
report = json.loads(run_file(path, "--format", "json"))
strategy = report["strategies"][0]
cost = strategy["cost_per_completed_task"]
expected = 0.00045 + 0.3 * 0.0125
check("1: mean cost per request = c_mini + p_mini c_full (inside the 95% CI)",
      cost["ci95"][0] <= expected <= cost["ci95"][1], f"mean {cost['mean']}, CI {cost['ci95']}, expected {expected}")
check("1: ... and within 2%", abs(cost["mean"] - expected) <= 0.02 * expected, f"mean {cost['mean']}")
check("1: every request is a task, and every task completes",
      strategy["tasks_per_trial"] == 3000 and strategy["completion_rate"] == 1, strategy)
check("1: a trace's horizon is its span", abs(report["horizon_hours"] - 2999 * 7.5 / 3600) < 1e-9,
      report["horizon_hours"])

# 2. Identical strategies, common random numbers per request and attempt.
sessions = []
for s in range(30):
    for step in range(8):
        sessions.append({"t": s * 200 + step * 20, "model": "acme-small", "output_tokens": 200,
                         "segments": [{"id": "sys", "tokens": 2000}, {"id": f"s{s}", "tokens": 300 * (step + 1)}],
                         "task": f"task-{s}"})
sessions.sort(key=lambda r: r["t"])
write_lines(os.path.join(tmp, "sessions.jsonl"), sessions)
identical = scenario(tmp, "identical.json", {
    "seed": 5, "trials": 30,
    "models": {"full": "acme-large"},
    "workload": {"trace": ["sessions.jsonl"], "task": "task",
                 "time_scale": {"dist": "uniform", "min": 0.5, "max": 2}},
    "failure": {"p": {"trace": {"dist": "beta", "a": 2, "b": 8}, "full": 0.05}, "correlation": 0.5,
                "retry_delay_seconds": 30},
    "strategies": [
        {"name": "a", "route": [{"model": "trace", "attempts": 2}, {"model": "full", "attempts": 1}], "cache": "ttl"},
        {"name": "b", "route": [{"model": "trace", "attempts": 2}, {"model": "full", "attempts": 1}], "cache": "ttl"},
        {"name": "c", "route": [{"model": "trace", "attempts": 1}, {"model": "full", "attempts": 1}], "cache": "ttl"},
        {"name": "a-on-mini", "model_map": {"acme-small": "acme-mini"},
         "route": [{"model": "trace", "attempts": 2}, {"model": "full", "attempts": 1}], "cache": "ttl"}]})
report = json.loads(run_file(identical, "--format", "json"))
paired = report["strategies"][1]["vs_first"]
check("2: two identical strategies differ by exactly 0",
      paired["mean_difference"] == 0 and paired["ci95"] == [0, 0] and paired["p_cheaper"] == 0, paired)
check("2: ... and a different one does not", report["strategies"][2]["vs_first"]["mean_difference"] != 0,
      report["strategies"][2]["vs_first"])
a, mapped = report["strategies"][0], report["strategies"][3]
check("2: a model_map runs the same attempts on another model",
      a["attempts_per_task"] == mapped["attempts_per_task"] and a["cached_ratio"] == mapped["cached_ratio"]
      and mapped["cost_per_completed_task"]["mean"] > a["cost_per_completed_task"]["mean"], (a, mapped))

# 2. Caches per model: a redo of the same prompt on the same model (by another name) reads what the
#    failed attempt wrote; on another model it reads nothing. Every prompt is new: 1000 tokens.
write_lines(os.path.join(tmp, "distinct.jsonl"),
            [{"t": i * 60, "model": "acme-small", "input_tokens": 1000, "output_tokens": 10,
              "segments": [{"id": f"p{i}", "tokens": 1000}]} for i in range(50)])
path = scenario(tmp, "redo_cache.json", {
    "trials": 2, "models": {"mini": "acme:acme-small", "full": "acme-large"},
    "workload": {"trace": "distinct.jsonl"},
    "failure": {"p": {"trace": 1}},
    "strategies": [
        {"name": "same model", "route": [{"model": "trace"}, {"model": "mini"}], "cache": "ttl"},
        {"name": "other model", "route": [{"model": "trace"}, {"model": "full"}], "cache": "ttl"}]})
same, other = json.loads(run_file(path, "--format", "json"))["strategies"]
check("2: a redo on the same model reads the failed attempt's prompt, on another model nothing",
      same["cached_ratio"]["mean"] == 0.5 and other["cached_ratio"]["mean"] == 0,
      (same["cached_ratio"], other["cached_ratio"]))

# 3. Threads do not change a byte.
for fmt in ("text", "json", "csv"):
    one = run_file(identical, "--threads", "1", "--format", fmt)
    two = run_file(identical, "--threads", "2", "--format", fmt)
    check(f"3: --threads 1 and 2 give identical {fmt} output on a trace workload", one == two, "outputs differ")

# 4. Batch timing on a hot shared prefix.
K, GROUPS, TAU, WINDOW = 4, 500, 300.0, 3600.0
groups = []
for g in range(GROUPS):
    for i in range(K):
        groups.append({"t": g * 7200, "model": "acme-small", "output_tokens": 10,
                       "segments": [{"id": "hot", "tokens": 1000}, {"id": f"g{g}-{i}", "tokens": 24}]})
write_lines(os.path.join(tmp, "groups.jsonl"), groups)


def batch_scenario(name, window_hours):
    return scenario(tmp, name, {
        "seed": 9, "trials": 20, "batch_window_hours": window_hours,
        "models": {"mini": "acme-small"},
        "workload": {"trace": "groups.jsonl", "task": "request"},
        "strategies": [{"name": "standard", "route": [{"model": "mini", "attempts": 1}], "cache": "ttl"},
                       {"name": "batch", "route": [{"model": "mini", "attempts": 1}], "cache": "ttl",
                        "tier": "batch"}]})


report = json.loads(run_file(batch_scenario("batch.json", WINDOW / 3600), "--format", "json"))
standard, batch = report["strategies"][0]["cached_ratio"], report["strategies"][1]["cached_ratio"]
standard_expected = (K - 1) * 1000 / (K * 1024)
batch_expected = (K - 1) * (1 - (1 - TAU / WINDOW) ** K) * 1000 / (K * 1024)
se = batch["sd"] / math.sqrt(batch["n"])
check("4: standard timing: all but the first of a group read the prefix",
      abs(standard["mean"] - standard_expected) < 1e-12 and standard["sd"] == 0,
      f"{standard['mean']} vs {standard_expected}")
check("4: batch timing: (K-1)(1 - (1 - tau/W)^K) of the prefix reads (within 4 standard errors)",
      abs(batch["mean"] - batch_expected) <= 4 * se, f"{batch['mean']} vs {batch_expected} (se {se:.2g})")

# 4. A trace's own batch requests (a strategy without a tier) wait as a batch strategy's do, with the
#    same draws; a strategy's tier replaces theirs.
write_lines(os.path.join(tmp, "groups_batch.jsonl"), [dict(record, tier="batch") for record in groups])
path = scenario(tmp, "own_tier.json", {
    "seed": 9, "trials": 20, "batch_window_hours": 1,
    "models": {"mini": "acme-small"},
    "workload": {"trace": "groups_batch.jsonl", "task": "request"},
    "strategies": [{"name": "standard", "route": [{"model": "mini"}], "cache": "ttl", "tier": "standard"},
                   {"name": "batch", "route": [{"model": "mini"}], "cache": "ttl", "tier": "batch"},
                   {"name": "own", "route": [{"model": "mini"}], "cache": "ttl"}]})
standard, batch_own, own = json.loads(run_file(path, "--format", "json"))["strategies"]
check("4: a trace's batch requests wait as a batch strategy's, with the same draws",
      own["cached_ratio"] == batch_own["cached_ratio"] == batch and own["cost_per_completed_task"] ==
      batch_own["cost_per_completed_task"], (own["cached_ratio"], batch))
check("4: ... and a strategy's standard tier runs them at once",
      abs(standard["cached_ratio"]["mean"] - standard_expected) < 1e-12, standard["cached_ratio"])

# 5. A zero window is standard timing.
report = json.loads(run_file(batch_scenario("batch0.json", 0), "--format", "json"))
standard, batch = report["strategies"]
check("5: batch_window_hours 0: the batch strategy reads what standard reads",
      batch["cached_ratio"] == standard["cached_ratio"] and batch["attempts_per_task"] == standard["attempts_per_task"],
      (batch["cached_ratio"], standard["cached_ratio"]))
check("5: ... at the batch price (half)",
      abs(batch["cost_per_completed_task"]["mean"] - 0.5 * standard["cost_per_completed_task"]["mean"])
      <= 1e-12 * standard["cost_per_completed_task"]["mean"],
      (batch["cost_per_completed_task"], standard["cost_per_completed_task"]))
with open(os.path.join(SOURCE, "scenarios/nightly-batch.json")) as source:
    nightly = json.load(source)
nightly["trials"] = 10
for window, name in ((None, "nightly.json"), (0, "nightly0.json")):
    if window is not None:
        nightly["batch_window_hours"] = window
    with open(os.path.join(tmp, name), "w") as out:
        json.dump(nightly, out)
wide = json.loads(run_file(os.path.join(tmp, "nightly.json"), "--format", "json", catalog=None))
zero = json.loads(run_file(os.path.join(tmp, "nightly0.json"), "--format", "json", catalog=None))
ratios = lambda r: {s["name"]: s["cached_ratio"]["mean"] for s in r["strategies"]}
check("5: synthetic, window 0: batch reads what standard reads",
      ratios(zero)["batch"] == ratios(zero)["standard"], ratios(zero))
check("5: synthetic, the default 24 h window: batch reads less than standard",
      ratios(wide)["batch"] < ratios(wide)["standard"] and ratios(wide)["flex"] == ratios(wide)["standard"],
      ratios(wide))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
