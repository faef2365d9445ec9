#!/usr/bin/env python3
"""One-pass curves against separate replays, token for token (issue #5):
for the ttl, openai and breakpoint policies over a list of TTLs (each point,
like replay --ttl, overriding a trace's "5m"/"1h" markers), and for lru
over a list of capacities, every point of `pcsim sweep` must equal `pcsim
replay` with that TTL or capacity (input, cache_read, cache_write,
cache_write_1h, uncached, output, per model too), and the ideal row must
equal `pcsim replay --policy ideal`.

Traces: the shipped real ones (scenarios/traces: the Mooncake trace and the
Claude-Code sessions) and the tiny ones in tests/data.
Usage: exact.py PCSIM SOURCE_DIR
"""
import json
import os
import subprocess
import sys

PCSIM, SOURCE = sys.argv[1], sys.argv[2]
MOONCAKE = [os.path.join(SOURCE, "scenarios/traces/mooncake_synthetic_trace.jsonl")]
CLAUDE = sorted(os.path.join(SOURCE, "scenarios/traces/claude-code", f)
                for f in os.listdir(os.path.join(SOURCE, "scenarios/traces/claude-code")) if f.endswith(".json"))
NATIVE = [os.path.join(SOURCE, "tests/data/native_segments.jsonl"), os.path.join(SOURCE, "tests/data/native_blocks.jsonl")]
# Every breakpoint marked "5m": a sweep point, like replay --ttl, overrides the markers (DESIGN section 3).
MARKED = [os.path.join(SOURCE, "tests/data/native_ttl_markers.jsonl")]
passed = failed = 0


def pcsim(*args):
    result = subprocess.run([PCSIM, *args, "--no-cost", "--format", "json"], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"pcsim {' '.join(args)} failed: {result.stderr}")
    return json.loads(result.stdout)


def check(what, got, want):
    global passed, failed
    if got == want:
        passed += 1
        print(f"ok   {what}")
    else:
        failed += 1
        print(f"FAIL {what}: sweep {got}, replay {want}")


TTLS = ["1", "30", "59.999", "60", "299", "300", "301", "600", "1800", "3600", "21600", "86400"]
CASES = [("ttl", MOONCAKE), ("openai", MOONCAKE), ("ttl", CLAUDE), ("openai", CLAUDE), ("deepseek", CLAUDE),
         ("breakpoint", MOONCAKE), ("anthropic-5m", CLAUDE), ("anthropic-1h", CLAUDE), ("gemini", CLAUDE),
         ("ttl", NATIVE), ("breakpoint", NATIVE), ("anthropic-1h", NATIVE), ("anthropic-5m", MARKED),
         ("anthropic-1h", MARKED)]
for policy, traces in CASES:
    name = f"{policy} on {os.path.basename(traces[0])}{' and more' if len(traces) > 1 else ''}"
    sweep = pcsim("sweep", "--policy", policy, "--ttl", ",".join(TTLS), *traces)
    for point, ttl in zip(sweep["points"], TTLS):
        replay = pcsim("replay", "--policy", policy, "--ttl", ttl, *traces)
        check(f"{name}, ttl {ttl} s", point["tokens"], replay["tokens"])
    ideal = pcsim("replay", "--policy", "ideal", *traces)
    check(f"{name}: the ideal ceiling", sweep["ideal"]["tokens"], ideal["tokens"])

# On the marked trace the curve must move with the TTL (it was flat while markers won).
marked_reads = {point["tokens"]["cache_read"]
                for point in pcsim("sweep", "--policy", "anthropic-1h", "--ttl", ",".join(TTLS), *MARKED)["points"]}
check("anthropic-1h on the marked trace: the points differ", len(marked_reads) > 1, True)

CAPACITIES = ["1", "511", "512", "1000", "4096", "100000", "1000000", "3000000", "10000000", "100000000"]
for traces in (MOONCAKE, CLAUDE, NATIVE):
    name = f"lru on {os.path.basename(traces[0])}"
    sweep = pcsim("sweep", "--capacity", ",".join(CAPACITIES), *traces)
    for point, capacity in zip(sweep["points"], CAPACITIES):
        replay = pcsim("replay", "--policy", "lru", "--capacity", capacity, *traces)
        check(f"{name}, capacity {capacity}", point["tokens"], replay["tokens"])

mooncake_3m = pcsim("sweep", "--capacity", "3M", *MOONCAKE)["points"][0]["tokens"]["cache_read"]
check("the issue's figure: Mooncake, lru 3M reads 19,414,048", mooncake_3m, 19414048)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
