#!/usr/bin/env python3
"""The Monte Carlo engine against closed forms (issue #4), on tests/mc/scenarios/
with the hand-written test catalog (tests/data/prices/catalog.json):

1. mini once, then full, no cache, constant tokens, independent failures,
   p_full = 0: mean cost per completed task = c_mini + p_mini * c_full
   (inside the run's own 95% CI, and within 2% of it);
2. mini up to k times: completion = 1 - p^k, attempts per task =
   (1 - p^k) / (1 - p) (within 4 standard errors);
3. one global prefix, Poisson arrivals at rate lambda, idle TTL tau, one step
   per task: the share of arrivals that find the prefix alive is
   1 - exp(-lambda tau) (within 4 standard errors);
4. two identical strategies: the paired difference is exactly 0;
5. --threads 1 and 2 give byte-identical output (text, JSON and CSV), and a
   run's first trials equal a shorter run's.

Usage: closed_forms.py PCSIM SOURCE_DIR. Prints one line per check and
`N passed, M failed`; exits 1 on any failure.
"""
import json
import math
import os
import subprocess
import sys

PCSIM, SOURCE = sys.argv[1], sys.argv[2]
CATALOG = os.path.join(SOURCE, "tests/data/prices/catalog.json")
SCENARIOS = os.path.join(SOURCE, "tests/mc/scenarios")
passed = failed = 0


def run(name, *args):
    command = [PCSIM, "run", "--prices", CATALOG, "--price-date", "2026-11-23", *args,
               os.path.join(SCENARIOS, name)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def check(what, ok, detail):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}: {detail}")


# 1. acme-small: $0.15 / $0.60; acme-large: $5 / $15 per million.
#    c_mini = (1000 x 0.15 + 500 x 0.60) / 1e6 = 0.00045
#    c_full = (1000 x 5 + 500 x 15) / 1e6 = 0.0125
#    E = 0.00045 + 0.3 x 0.0125 = 0.0042
report = json.loads(run("redo_cost.json", "--format", "json"))
strategy = report["strategies"][0]
cost = strategy["cost_per_completed_task"]
expected = 0.00045 + 0.3 * 0.0125
check("1: mean cost per completed task = c_mini + p_mini c_full (inside the 95% CI)",
      cost["ci95"][0] <= expected <= cost["ci95"][1], f"mean {cost['mean']}, CI {cost['ci95']}, expected {expected}")
check("1: ... and within 2%", abs(cost["mean"] - expected) <= 0.02 * expected, f"mean {cost['mean']}")
check("1: every task completes when p_full = 0", strategy["completion_rate"] == 1, strategy["completion_rate"])

# 2. p = 0.4, k = 3: completion 1 - 0.064 = 0.936; attempts 0.936 / 0.6 = 1.56.
report = json.loads(run("retries.json", "--format", "json"))
strategy = report["strategies"][0]
tasks = strategy["tasks_per_trial"] * strategy["trials"]
p, k = 0.4, 3
completion = 1 - p ** k
attempts = (1 - p ** k) / (1 - p)
se_completion = math.sqrt(completion * (1 - completion) / tasks)
# attempts per task: a truncated geometric count, variance by its moments
second_moment = sum(j * j * (p ** (j - 1)) * (1 - p) for j in range(1, k)) + k * k * p ** (k - 1)
se_attempts = math.sqrt((second_moment - attempts ** 2) / tasks)
check("2: completion = 1 - p^k", abs(strategy["completion_rate"] - completion) <= 4 * se_completion,
      f"{strategy['completion_rate']} vs {completion} (se {se_completion:.2g})")
check("2: attempts per task = (1 - p^k) / (1 - p)", abs(strategy["attempts_per_task"] - attempts) <= 4 * se_attempts,
      f"{strategy['attempts_per_task']} vs {attempts} (se {se_attempts:.2g})")

# 3. lambda = 6/h = 1/600 s, tau = 300 s: 1 - e^-0.5 = 0.3935 of arrivals hit;
#    a hit reads the 1000-token prefix of a 1001-token prompt.
report = json.loads(run("ttl_hits.json", "--format", "json"))
strategy = report["strategies"][0]
tasks = strategy["tasks_per_trial"] * strategy["trials"]
hit = 1 - math.exp(-6 / 3600 * 300)
ratio = strategy["cached_ratio"]["mean"]
se_ratio = math.sqrt(hit * (1 - hit) / tasks) * 1000 / 1001
check("3: share of arrivals finding the prefix alive = 1 - exp(-lambda tau)",
      abs(ratio - hit * 1000 / 1001) <= 4 * se_ratio, f"cached ratio {ratio} vs {hit * 1000 / 1001} (se {se_ratio:.2g})")

# 4. Strategies a and b are the same: common random numbers make them equal.
report = json.loads(run("identical.json", "--format", "json"))
paired = report["strategies"][1]["vs_first"]
check("4: two identical strategies differ by exactly 0",
      paired["mean_difference"] == 0 and paired["ci95"] == [0, 0] and paired["p_cheaper"] == 0, paired)
check("4: ... and a different one does not",
      report["strategies"][2]["vs_first"]["mean_difference"] != 0, report["strategies"][2]["vs_first"])

# 5. Threads do not change a byte; trial t is the same in any run.
for fmt in ("text", "json", "csv"):
    one = run("identical.json", "--threads", "1", "--format", fmt)
    two = run("identical.json", "--threads", "2", "--format", fmt)
    check(f"5: --threads 1 and 2 give identical {fmt} output", one == two, "outputs differ")
short = json.loads(run("identical.json", "--threads", "2", "--trials", "10", "--format", "json"))
again = json.loads(run("identical.json", "--threads", "1", "--trials", "10", "--seed", "5", "--format", "json"))
check("5: the same seed gives the same trials", short == again, "outputs differ")
other = json.loads(run("identical.json", "--trials", "10", "--seed", "6", "--format", "json"))
check("5: another seed gives other trials", other["strategies"] != short["strategies"], "identical")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
