#!/usr/bin/env python3
"""`pcsim gen` -> `pcsim replay` gives the trial's own figures (docs/gen.md).

usage: gen_replay.py PCSIM_BINARY SOURCE_DIR

For every shipped scenario (scenarios/*.json, a trace workload among them) and
the hand-written ones of tests/data/gen/ (failures, redos, escalation, two
aliases of one model, breakpoint caches that write, a batch tier, a sweep; a
trace workload with all of these, route entries "trace" on the trace's own
models and a model_map; models with a latency), every strategy, trials 0 and 3: the trace `pcsim gen` writes, replayed with the strategy's cache preset
as --policy, gives exactly the trial's tokens (input, cache read, cache write,
1-hour write, output; per model and in total), its attempts, tasks and
completed tasks, and its dollars (to 1e-9), as the summary of the trial
(--summary) states them. The summary itself is the trial `pcsim run` plays:
trial 0's spend, attempts, tasks and cached ratio equal `pcsim run --trials 1`'s,
strategy by strategy
(tests/unit/test_gen.c checks every trial's outcome field by field against the
engine's). The same command twice gives the same bytes.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

if len(sys.argv) != 3:
    print(__doc__, file=sys.stderr)
    sys.exit(2)
PCSIM = os.path.abspath(sys.argv[1])
os.chdir(sys.argv[2])
env = dict(os.environ, LC_ALL="C")
for line in open("tests/pinned.env"):
    line = line.strip()
    if line and not line.startswith("#") and "=" in line:
        key, value = line.split("=", 1)
        env[key] = value

passed = failed = 0
work = tempfile.mkdtemp(prefix="pcsim-gen.")


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)


def pcsim(*args):
    done = subprocess.run([PCSIM, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("pcsim %s: exit %d: %s" % (" ".join(args), done.returncode, done.stderr.strip()))
    return done.stdout


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


TOKENS = ("input", "cache_read", "cache_write", "cache_write_1h", "uncached", "output")


def compare(label, summary, replay):
    """Replay's report against the trial's summary."""
    check(replay["requests"] == summary["attempts"] == summary["lines"],
          "%s: replay %d requests, trial %d attempts, %d lines"
          % (label, replay["requests"], summary["attempts"], summary["lines"]))
    for key in TOKENS:
        check(replay["tokens"][key] == summary["tokens"][key],
              "%s: %s: replay %d, trial %d" % (label, key, replay["tokens"][key], summary["tokens"][key]))
    # Aliases of one catalog model are one model to the replay: their sums.
    want = {}
    for share in summary["by_model"]:
        if share["attempts"] == 0:
            continue
        slot = want.setdefault(share["model"], {"requests": 0, **{k: 0 for k in TOKENS}})
        slot["requests"] += share["attempts"]
        for key in TOKENS:
            slot[key] += share["tokens"][key]
    got = {m["model"]: {"requests": m["requests"], **m["tokens"]} for m in replay["by_model"]}
    check(got == want, "%s: per model: replay %s, trial %s" % (label, got, want))
    tasks = replay.get("tasks") or {}
    check(tasks.get("tasks") == summary["tasks"] and tasks.get("completed") == summary["completed"],
          "%s: tasks: replay %s, trial %d tasks, %d completed" % (label, tasks, summary["tasks"], summary["completed"]))
    total = replay["cost"]["total"]
    check(close(total, summary["spend"]), "%s: dollars: replay %r, trial %r" % (label, total, summary["spend"]))
    check(close(tasks.get("spend", -1), summary["spend"]), "%s: task spend %r" % (label, tasks.get("spend")))


def gen_and_replay(scenario, strategy, trial, extra=()):
    label = "%s [%s] trial %d%s" % (scenario, strategy["name"], trial, " " + " ".join(extra) if extra else "")
    trace = os.path.join(work, "trace.jsonl")
    summary_path = os.path.join(work, "summary.json")
    pcsim("gen", "--strategy", strategy["name"], "--trial", str(trial), "--output", trace,
          "--summary", summary_path, *extra, scenario)
    summary = json.load(open(summary_path))
    check(summary["schema"] == "pcsim.gen.v1" and summary["trial"] == trial
          and summary["strategy"]["name"] == strategy["name"], label + ": summary header")
    # Every scenario here sends something in these trials: an empty trace is a wrong one.
    check(summary["lines"] > 0 and os.path.getsize(trace) > 0,
          "%s: an empty trace (%d lines)" % (label, summary["lines"]))
    if summary["lines"] == 0:
        return summary, trace
    uplift = [a for a in extra if a.startswith("--region-uplift")]
    policy = strategy.get("cache", "auto")
    replay = json.loads(pcsim("replay", "--policy", policy, "--format", "json", *uplift, trace))
    compare(label, summary, replay)
    return summary, trace


scenarios = [p for p in sorted(glob.glob("scenarios/*.json")) if not p.endswith("prices.json")]
scenarios += ["tests/data/gen/escalation.json", "tests/data/gen/trace_escalation.json", "tests/data/gen/latency.json"]
for scenario in scenarios:
    spec = json.load(open(scenario))
    run = json.loads(pcsim("run", "--trials", "1", "--threads", "1", "--format", "json", scenario))
    for index, strategy in enumerate(spec["strategies"]):
        for trial in (0, 3):
            summary, trace = gen_and_replay(scenario, strategy, trial)
            if index == 0 and trial == 0:
                # The same command twice: the same bytes.
                again = os.path.join(work, "again.jsonl")
                pcsim("gen", "--output", again, scenario)
                check(open(trace, "rb").read() == open(again, "rb").read(), scenario + ": not byte-identical")
            if trial == 0:
                # Trial 0 is the trial `pcsim run --trials 1` plays.
                label = "%s [%s]" % (scenario, strategy["name"])
                played = run["points"][0]["strategies"][index]
                check(played["name"] == strategy["name"], "%s: run's strategy %r" % (label, played["name"]))
                check(played["requests"] == summary["attempts"] and played["tasks_per_trial"] == summary["tasks"],
                      "%s: run: %d requests, %r tasks; gen %d, %d" % (label, played["requests"],
                                                                      played["tasks_per_trial"],
                                                                      summary["attempts"], summary["tasks"]))
                check(close(played["spend_per_horizon"]["mean"], summary["spend"]),
                      "%s: run spend %r, gen %r" % (label, played["spend_per_horizon"]["mean"], summary["spend"]))
                ratio = summary["tokens"]["cache_read"] / max(1, summary["tokens"]["input"])
                check(close(played["cached_ratio"]["mean"], ratio),
                      "%s: run cached ratio %r, gen %r" % (label, played["cached_ratio"]["mean"], ratio))

# Prices move the dollars on both sides alike.
escalation = json.load(open("tests/data/gen/escalation.json"))
gen_and_replay("tests/data/gen/escalation.json", escalation["strategies"][1], 1, ("--region-uplift=1.1",))
# A sweep point: --point I plays point I's scenario.
sweep = json.load(open("tests/data/gen/sweep.json"))
small, _ = gen_and_replay("tests/data/gen/sweep.json", sweep["strategies"][0], 0, ("--point", "1"))
large, _ = gen_and_replay("tests/data/gen/sweep.json", sweep["strategies"][0], 0, ("--point", "2"))
check(small["point"] == "workload.tasks_per_hour=30" and large["point"] == "workload.tasks_per_hour=120",
      "sweep points: %r, %r" % (small["point"], large["point"]))
check(large["tasks"] > 2 * small["tasks"], "sweep: %d tasks at 120/h, %d at 30/h" % (large["tasks"], small["tasks"]))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
