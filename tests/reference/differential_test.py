#!/usr/bin/env python3
"""Differential test: `pcsim replay` against the per-bound Python reference.

    differential_test.py PCSIM_BINARY [--cases N] [--first-seed S] [--jobs J] [--keep DIR]

For N random traces (random_traces.py, seeds S..S+N-1) and every policy with a few
parameter sets (CONFIGS), runs `pcsim replay --policy P ... --format json TRACE` and
reference_sim.py on the same trace and compares every token field, overall and per
model, and the request counts. On a mismatch it prints the seed, the policy and a
reproducer shrunk by dropping lines while pcsim and the reference still disagree,
with both sides' numbers. The last line is "N passed, M failed" (N, M count seed x
configuration cases); the exit code is 1 if anything failed. Standard library only.
"""

import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import random_traces  # noqa: E402
import reference_sim  # noqa: E402

# (policy, ttl seconds, min_tokens, granularity, capacity); None = not passed.
# The TTLs are random_traces.TEST_TTLS, so arrivals land exactly on expiries.
CONFIGS = (
    ("none", None, None, None, None),
    ("ideal", None, None, None, None),
    ("ttl", 1, None, None, None),
    ("ttl", 7.5, None, None, None),
    ("ttl", 60, None, None, None),
    ("openai", 5, 0, 1, None),
    ("openai", 60, 5, 16, None),
    ("openai", 7.5, 64, 16, None),
    ("openai", 1, 64, 1, None),
    ("breakpoint", 5, 0, None, None),
    ("breakpoint", 60, 5, None, None),
    ("breakpoint", 1, 64, None, None),
    ("breakpoint", 7.5, 0, None, None),
    ("breakpoint", 3600, 5, None, None),  # unmarked writes billed at the 1-hour rate
    # Without --ttl the markers stand (the policy's 300 s covers unmarked breakpoints);
    # with one, as in the configurations above, it overrides them (DESIGN section 3).
    ("breakpoint", None, 0, None, None),
    ("breakpoint", None, 5, None, None),
    ("lru", None, None, None, 10),
    ("lru", None, None, None, 64),
    ("lru", None, None, None, 200),
    ("lru", None, None, None, 1000),
)
FIELDS = reference_sim.TOKEN_FIELDS


def describe(config):
    policy, ttl, min_tokens, granularity, capacity = config
    parts = [policy]
    for name, value in (("ttl", ttl), ("min", min_tokens), ("gran", granularity), ("cap", capacity)):
        if value is not None:
            parts.append(f"{name}={value:g}")
    return " ".join(parts)


def pcsim_command(binary, config, path):
    policy, ttl, min_tokens, granularity, capacity = config
    command = [binary, "replay", "--policy", policy, "--input-format", "native", "--format", "json"]
    # The reference does not route yet (DESIGN §3 overflow_rpm, on in the openai
    # presets): compare unrouted caches; tests/unit/test_routing.c checks routing.
    command += ["--overflow-rpm", "0"]
    if ttl is not None:
        command += ["--ttl", f"{ttl:g}"]
    if min_tokens is not None:
        command += ["--min-tokens", str(min_tokens)]
    if granularity is not None:
        command += ["--granularity", str(granularity)]
    if capacity is not None:
        command += ["--capacity", str(capacity)]
    return command + [path]


def summarize(report):
    """{"": (requests, tokens...), model: (...)} from a pcsim or reference report."""
    out = {"": (report["requests"],) + tuple(report["tokens"].get(f) for f in FIELDS)}
    for entry in report["by_model"]:
        out[entry["model"]] = (entry["requests"],) + tuple(entry["tokens"].get(f) for f in FIELDS)
    return out


def run_pcsim(binary, config, path):
    try:
        result = subprocess.run(pcsim_command(binary, config, path), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"error": f"cannot run pcsim: {error}"}
    if result.returncode != 0:
        return {"error": f"exit {result.returncode}: {result.stderr.strip()}"}
    try:
        return summarize(json.loads(result.stdout))
    except (ValueError, KeyError, TypeError) as error:
        return {"error": f"unreadable output ({error}): {result.stdout[:200]}"}


def run_reference(config, path):
    policy, ttl, min_tokens, granularity, capacity = config
    defaults = reference_sim.DEFAULTS[policy]
    ttl_s = ttl if ttl is not None else defaults[0]
    ttl_ms = None if ttl_s is None else reference_sim.round_half_away(ttl_s * 1000.0)
    try:
        requests = reference_sim.load([path])
    except reference_sim.TraceError as error:
        return {"error": f"reference rejects the trace: {error}"}
    report = reference_sim.replay(
        requests,
        policy,
        ttl_ms,
        min_tokens if min_tokens is not None else defaults[1],
        granularity if granularity is not None else defaults[2],
        capacity,
        ttl_overrides_markers=ttl is not None,
    )
    return summarize(report)


def differs(binary, config, records, directory):
    """(mismatch?, pcsim summary, reference summary) for one trace."""
    fd, path = tempfile.mkstemp(suffix=".jsonl", dir=directory)
    os.close(fd)
    try:
        random_traces.write_trace(records, path)
        got = run_pcsim(binary, config, path)
        want = run_reference(config, path)
    finally:
        os.unlink(path)
    return got != want, got, want


def shrink(binary, config, records, directory):
    """Drops chunks of lines, then single lines, while the mismatch persists."""
    chunk = max(1, len(records) // 2)
    while True:
        index = 0
        changed = False
        while index < len(records):
            candidate = records[:index] + records[index + chunk :]
            if candidate and differs(binary, config, candidate, directory)[0]:
                records = candidate
                changed = True
            else:
                index += chunk
        if chunk == 1 and not changed:
            return records
        if not changed:
            chunk = max(1, chunk // 2)


def format_summary(summary):
    if "error" in summary:
        return "  " + summary["error"]
    lines = []
    for model, values in sorted(summary.items()):
        fields = ", ".join(f"{name}={value}" for name, value in zip(("requests",) + FIELDS, values))
        lines.append(f"  {model or 'total'}: {fields}")
    return "\n".join(lines)


def check_seed(binary, seed, directory):
    """Runs every configuration on one seed's trace; returns (passed, [failure reports])."""
    records = random_traces.generate(seed)
    fd, path = tempfile.mkstemp(suffix=".jsonl", dir=directory)
    os.close(fd)
    failures = []
    passed = 0
    try:
        random_traces.write_trace(records, path)
        for config in CONFIGS:
            got = run_pcsim(binary, config, path)
            want = run_reference(config, path)
            if got == want:
                passed += 1
                continue
            small = shrink(binary, config, records, directory)
            _, small_got, small_want = differs(binary, config, small, directory)
            text = [
                f"FAIL seed {seed}, policy {describe(config)}",
                "  command: " + " ".join(pcsim_command(binary, config, "TRACE.jsonl")),
                f"  minimized reproducer ({len(small)} of {len(records)} lines):",
            ]
            text += ["    " + json.dumps(record) for record in small]
            text += ["  pcsim:", format_summary(small_got), "  reference:", format_summary(small_want)]
            failures.append("\n".join(text))
    finally:
        os.unlink(path)
    return passed, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pcsim")
    parser.add_argument("--cases", type=int, default=300, help="random traces (default 300)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--max-reports", type=int, default=20, help="failures printed in full")
    options = parser.parse_args()
    binary = os.path.abspath(options.pcsim)
    if not os.access(binary, os.X_OK):
        print(f"differential_test: {binary} is not executable", file=sys.stderr)
        return 2
    seeds = range(options.first_seed, options.first_seed + options.cases)
    passed = failed = reported = 0
    with tempfile.TemporaryDirectory(prefix="pcsim-diff-") as directory:
        with concurrent.futures.ThreadPoolExecutor(max_workers=options.jobs) as pool:
            # Threads suffice: most of the time goes to pcsim subprocesses.
            for seed_passed, failures in pool.map(lambda s: check_seed(binary, s, directory), seeds):
                passed += seed_passed
                failed += len(failures)
                for failure in failures:
                    if reported < options.max_reports:
                        print(failure, flush=True)
                        reported += 1
    if failed > reported:
        print(f"({failed - reported} more failures not shown)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
