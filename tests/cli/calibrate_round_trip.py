#!/usr/bin/env python3
"""Round trip of `pcsim calibrate` (issue #16): a trace whose observed usage is a replay's at a
known TTL must calibrate back to that TTL.

Generates a native trace of conversations (seeded: the same trace every run) whose turns come
after gaps from 10 s to 40 min, so that the TTL matters; replays it at 420 s (7 min) with
`--requests`; writes the trace again with each request's replayed usage as its "observed" usage;
then calibrates it over a range of TTLs that holds 420 s. For every policy tried, the best error
must be 0, the interval must hold 420 s, E at 420 s must be 0, and E at the smallest TTL must not be
(the curve says something).

Usage: calibrate_round_trip.py PCSIM SOURCE_DIR. Exit 0 on success, 1 on a failed check.
"""
import csv
import json
import os
import random
import subprocess
import sys
import tempfile

PCSIM, SOURCE = sys.argv[1], sys.argv[2]
TRUE_TTL_S = 420
# 105 s times powers of two: 105, 210, 420, ..., 6720 (log-spaced, exact).
RANGE = "105..6720:7"
POLICIES = ["ttl", "openai", "breakpoint", "anthropic-5m"]
ENV = dict(os.environ, LC_ALL="C", TZ="UTC")


def generate(path):
    rng = random.Random(16)
    lines = []
    block = 128
    for session in range(40):
        t = rng.uniform(0, 7200)
        ids = [1, 2, 3, 4, 5, 6, 7, 8]  # a shared system prompt of 1,024 tokens
        next_id = 1000 * (session + 1)
        for _turn in range(rng.randint(3, 12)):
            grow = rng.randint(1, 6)
            ids = ids + list(range(next_id, next_id + grow))
            next_id += grow
            lines.append((t, {"t": round(t, 3), "model": "m", "input_tokens": len(ids) * block - rng.randint(0, 60),
                              "output_tokens": 10, "hash_ids": ids, "block_tokens": block,
                              "session": f"s{session}"}))
            t += rng.choice([10, 30, 90, 200, 300, 380, 460, 600, 900, 1500, 2400])
    lines.sort(key=lambda pair: pair[0])  # stable: equal times keep their order
    with open(path, "w", encoding="utf-8") as f:
        for _, record in lines:
            f.write(json.dumps(record) + "\n")
    return [record for _, record in lines]


def pcsim(*args):
    result = subprocess.run([PCSIM, *args], cwd=SOURCE, env=ENV, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"round trip: pcsim {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        trace = os.path.join(work, "trace.jsonl")
        records = generate(trace)
        for policy in POLICIES:
            rows_path = os.path.join(work, f"{policy}.csv")
            pcsim("replay", "--policy", policy, "--ttl", str(TRUE_TTL_S), "--no-cost", "--requests", rows_path,
                  trace)
            with open(rows_path, encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            if len(rows) != len(records):
                sys.exit(f"round trip: {len(rows)} request rows for {len(records)} requests")
            observed = os.path.join(work, f"{policy}.jsonl")
            with open(observed, "w", encoding="utf-8") as f:
                for record, row in zip(records, rows):
                    if int(row["input"]) != record["input_tokens"]:
                        sys.exit("round trip: request rows are not in the trace's order")
                    record = dict(record, observed={"cache_read": int(row["cache_read"]),
                                                    "cache_write": int(row["cache_write"]),
                                                    "cache_write_1h": int(row["cache_write_1h"])})
                    f.write(json.dumps(record) + "\n")
            doc = json.loads(pcsim("calibrate", "--policy", policy, "--ttl", RANGE, "--no-cost", "--format", "json",
                                   observed))
            errors = {p["ttl_s"]: p["error"] for p in doc["points"]}
            low, high = doc["best"]["interval"]
            checks = [
                (doc["best"]["error"] == 0, f"best error {doc['best']['error']}, want 0"),
                (low <= TRUE_TTL_S <= high, f"interval [{low}, {high}] does not hold {TRUE_TTL_S}"),
                (errors.get(TRUE_TTL_S) == 0, f"E at {TRUE_TTL_S} s is {errors.get(TRUE_TTL_S)}, want 0"),
                (errors[105] > 0, "E at 105 s is 0: the trace does not tell TTLs apart"),
                (doc["observed_requests"] == len(records), "not every request carries observed usage"),
            ]
            bad = [why for ok, why in checks if not ok]
            for why in bad:
                print(f"FAIL {policy}: {why}")
            if not bad:
                print(f"ok   {policy}: best {doc['best']['ttl_s']} s, interval [{low}, {high}], "
                      f"E at 105 s {errors[105]}, nominal {doc['nominal']}")
            failures += bool(bad)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
