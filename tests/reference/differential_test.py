#!/usr/bin/env python3
"""Differential test: `pcsim replay` against the per-bound Python reference.

    differential_test.py PCSIM_BINARY [--cases N] [--refinement-cases R] [--first-seed S] [--jobs J]

For N random traces (random_traces.py, seeds S..S+N-1) and every policy with a few
parameter sets (CONFIGS), runs `pcsim replay --policy P ... --format json TRACE` and
reference_sim.py on the same trace and compares every token field, overall and per
model, and the request counts. Then the same for R refinement traces
(random_traces.generate_refinements; default N / 3) and REFINEMENT_CONFIGS: overflow
routing, visible_after and lookback (DESIGN section 3), each alone and combined. A row
whose refinement flag `pcsim replay --help` does not list is skipped, with a line
"skipped: pcsim has no --FLAG"; the traces then lose the fields only that flag's
pcsim reads (cache_key for --overflow-rpm, ttft for --visible-after, content_blocks
for --lookback).
On a mismatch it prints the seed, the policy and a reproducer shrunk by dropping
lines while pcsim and the reference still disagree, with both sides' numbers. The
last line is "N passed, M failed" (N, M count trace x configuration cases); the exit
code is 1 if anything failed. Standard library only.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import random_traces  # noqa: E402
import reference_sim  # noqa: E402

# policy, ttl seconds, min_tokens, granularity, capacity; then the refinements
# overflow_rpm, visible_after ("on"/"off"), lookback. None = not passed. A refinement
# given as off (0, "off") is passed when pcsim knows its flag (a preset may default it
# on: openai's overflow_rpm) and left out when it does not (off is all it knows then).
Config = collections.namedtuple(
    "Config",
    "policy ttl min_tokens granularity capacity overflow_rpm visible_after lookback",
    defaults=(None, None, None),
)
REFINEMENT_FLAGS = (("overflow_rpm", "--overflow-rpm"), ("visible_after", "--visible-after"), ("lookback", "--lookback"))
# The trace fields only a pcsim with the flag reads.
REFINEMENT_FIELDS = {"--overflow-rpm": ("cache_key",), "--visible-after": ("ttft",), "--lookback": ("content_blocks",)}

# The TTLs are random_traces.TEST_TTLS, so arrivals land exactly on expiries.
CONFIGS = tuple(Config(*row) for row in (
    ("none", None, None, None, None),
    ("ideal", None, None, None, None),
    ("ttl", 1, None, None, None),
    ("ttl", 7.5, None, None, None),
    ("ttl", 60, None, None, None),
    ("openai", 5, 0, 1, None, 0),  # overflow routing off, as the rows above and below
    ("openai", 60, 5, 16, None, 0),
    ("openai", 7.5, 64, 16, None, 0),
    ("openai", 1, 64, 1, None, 0),
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
))
# On refinement traces (hot prefixes around the 256-token routing boundary, cache_key,
# parallel requests with ttft, conversations growing 15-25 segments a turn, segments
# and hash_ids files mixed): each refinement alone, then combined, where DESIGN
# section 3 applies it (overflow routing: any policy; the others: breakpoint).
# 15 is OpenAI's documented rate and 20 Anthropic's lookback; small values move the edges.
REFINEMENT_CONFIGS = tuple(Config(*row) for row in (
    ("ttl", 60, None, None, None, 0),  # all off: cache_key and ttft change nothing
    ("breakpoint", 300, 0, None, None, 0, "off", 0),
    ("ttl", 60, None, None, None, 15),
    ("ttl", 300, None, None, None, 4),
    ("openai", 300, 0, 1, None, 15),
    ("openai", 60, 128, 16, None, 2),
    ("breakpoint", 300, 0, None, None, 15),
    ("lru", None, None, None, 200, 15),  # the machines are namespaces of one cache: one capacity
    ("breakpoint", 300, 0, None, None, None, "on"),
    ("breakpoint", 5, 64, None, None, None, "on"),
    ("breakpoint", None, 0, None, None, None, "on"),  # the 5m/1h markers stand
    ("breakpoint", 300, 0, None, None, None, None, 20),
    ("breakpoint", None, 5, None, None, None, None, 20),
    ("breakpoint", 60, 0, None, None, None, None, 3),
    ("breakpoint", 300, 0, None, None, None, "on", 20),  # anthropic-5m's pair
    ("breakpoint", None, 0, None, None, 15, "on", 20),
    ("breakpoint", 60, 5, None, None, 2, "on", 5),
))
FIELDS = reference_sim.TOKEN_FIELDS


def is_off(value):
    return value in (0, "off")


def describe(config):
    parts = [config.policy]
    for name, value in (("ttl", config.ttl), ("min", config.min_tokens), ("gran", config.granularity),
                        ("cap", config.capacity), ("overflow", config.overflow_rpm), ("lookback", config.lookback)):
        if value is not None:
            parts.append(f"{name}={value:g}")
    if config.visible_after is not None:
        parts.append(f"visible_after={config.visible_after}")
    return " ".join(parts)


def missing_flags(config, supported):
    """The refinement flags config turns on that this pcsim does not list."""
    return [flag for field, flag in REFINEMENT_FLAGS
            if getattr(config, field) is not None and not is_off(getattr(config, field)) and flag not in supported]


def pcsim_command(binary, config, paths, supported=frozenset()):
    command = [binary, "replay", "--policy", config.policy, "--input-format", "native", "--format", "json"]
    if config.ttl is not None:
        command += ["--ttl", f"{config.ttl:g}"]
    if config.min_tokens is not None:
        command += ["--min-tokens", str(config.min_tokens)]
    if config.granularity is not None:
        command += ["--granularity", str(config.granularity)]
    if config.capacity is not None:
        command += ["--capacity", str(config.capacity)]
    for field, flag in REFINEMENT_FLAGS:
        value = getattr(config, field)
        if value is not None and (flag in supported or not is_off(value)):
            command += [flag, str(value)]
    return command + list(paths)


def summarize(report):
    """{"": (requests, tokens...), model: (...)} from a pcsim or reference report."""
    out = {"": (report["requests"],) + tuple(report["tokens"].get(f) for f in FIELDS)}
    for entry in report["by_model"]:
        out[entry["model"]] = (entry["requests"],) + tuple(entry["tokens"].get(f) for f in FIELDS)
    return out


def run_pcsim(binary, config, paths, supported):
    try:
        result = subprocess.run(pcsim_command(binary, config, paths, supported), capture_output=True, text=True,
                                timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"error": f"cannot run pcsim: {error}"}
    if result.returncode != 0:
        return {"error": f"exit {result.returncode}: {result.stderr.strip()}"}
    try:
        return summarize(json.loads(result.stdout))
    except (ValueError, KeyError, TypeError) as error:
        return {"error": f"unreadable output ({error}): {result.stdout[:200]}"}


def run_reference(config, paths):
    defaults = reference_sim.DEFAULTS[config.policy]
    ttl_s = config.ttl if config.ttl is not None else defaults[0]
    ttl_ms = None if ttl_s is None else reference_sim.round_half_away(ttl_s * 1000.0)
    try:
        requests = reference_sim.load(paths)
    except reference_sim.TraceError as error:
        return {"error": f"reference rejects the trace: {error}"}
    report = reference_sim.replay(
        requests,
        config.policy,
        ttl_ms,
        config.min_tokens if config.min_tokens is not None else defaults[1],
        config.granularity if config.granularity is not None else defaults[2],
        config.capacity,
        ttl_overrides_markers=config.ttl is not None,
        overflow_rpm=config.overflow_rpm or 0,
        visible_after=config.visible_after == "on",
        lookback=config.lookback or 0,
    )
    return summarize(report)


def write_case(records, split, directory):
    """Writes the case's files (random_traces.split_files; empty ones left out); returns their paths."""
    paths = []
    for part in random_traces.split_files(records, split):
        if not part and paths:
            continue
        fd, path = tempfile.mkstemp(suffix=".jsonl", dir=directory)
        os.close(fd)
        random_traces.write_trace(part, path)
        paths.append(path)
    return paths


def differs(binary, config, records, split, directory, supported):
    """(mismatch?, pcsim summary, reference summary) for one trace."""
    paths = write_case(records, split, directory)
    try:
        got = run_pcsim(binary, config, paths, supported)
        want = run_reference(config, paths)
    finally:
        for path in paths:
            os.unlink(path)
    return got != want, got, want


def shrink(binary, config, records, split, directory, supported):
    """Drops chunks of lines, then single lines, while the mismatch persists."""
    chunk = max(1, len(records) // 2)
    while True:
        index = 0
        changed = False
        while index < len(records):
            candidate = records[:index] + records[index + chunk :]
            if candidate and differs(binary, config, candidate, split, directory, supported)[0]:
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


def supported_flags(binary):
    """The refinement flags `pcsim replay --help` lists."""
    try:
        result = subprocess.run([binary, "replay", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(flag for _, flag in REFINEMENT_FLAGS if flag in result.stdout)


def case_records(kind, seed, supported):
    """(records, split) of one case: a random trace, or a refinement trace without the
    fields this pcsim cannot read yet."""
    if kind == "random":
        return random_traces.generate(seed), False
    records, split = random_traces.generate_refinements(seed)
    unread = [field for flag, fields in REFINEMENT_FIELDS.items() if flag not in supported for field in fields]
    records = [{name: value for name, value in record.items() if name not in unread} for record in records]
    return records, split


def check_case(binary, kind, seed, configs, supported, directory):
    """Runs configs on one seed's trace of kind ("random", "refinements");
    returns (passed, [failure reports])."""
    records, split = case_records(kind, seed, supported)
    failures = []
    passed = 0
    paths = write_case(records, split, directory)
    try:
        for config in configs:
            got = run_pcsim(binary, config, paths, supported)
            want = run_reference(config, paths)
            if got == want:
                passed += 1
                continue
            small = shrink(binary, config, records, split, directory, supported)
            _, small_got, small_want = differs(binary, config, small, split, directory, supported)
            files = [part for part in random_traces.split_files(small, split) if part]
            names = [f"TRACE{index + 1}.jsonl" for index in range(len(files))]
            text = [
                f"FAIL {kind} seed {seed}, policy {describe(config)}",
                "  command: " + " ".join(pcsim_command(binary, config, names, supported)),
                f"  minimized reproducer ({len(small)} of {len(records)} lines):",
            ]
            for name, part in zip(names, files):
                if len(files) > 1:
                    text.append(f"   {name}:")
                text += ["    " + json.dumps(record) for record in part]
            text += ["  pcsim:", format_summary(small_got), "  reference:", format_summary(small_want)]
            failures.append("\n".join(text))
    finally:
        for path in paths:
            os.unlink(path)
    return passed, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pcsim")
    parser.add_argument("--cases", type=int, default=300, help="random traces (default 300)")
    parser.add_argument("--refinement-cases", type=int, help="refinement traces (default: cases / 3)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--max-reports", type=int, default=20, help="failures printed in full")
    options = parser.parse_args()
    binary = os.path.abspath(options.pcsim)
    if not os.access(binary, os.X_OK):
        print(f"differential_test: {binary} is not executable", file=sys.stderr)
        return 2
    supported = supported_flags(binary)
    refinement_configs = []
    for config in REFINEMENT_CONFIGS:
        missing = missing_flags(config, supported)
        if not missing:
            refinement_configs.append(config)
    for _, flag in REFINEMENT_FLAGS:
        skipped = sum(1 for config in REFINEMENT_CONFIGS if flag in missing_flags(config, supported))
        if skipped:
            print(f"skipped: pcsim has no {flag} ({skipped} refinement configurations)")
    refinement_cases = options.refinement_cases if options.refinement_cases is not None else options.cases // 3
    first = options.first_seed
    cases = [("random", seed, CONFIGS) for seed in range(first, first + options.cases)]
    cases += [("refinements", seed, refinement_configs) for seed in range(first, first + refinement_cases)]
    passed = failed = reported = 0
    with tempfile.TemporaryDirectory(prefix="pcsim-diff-") as directory:
        with concurrent.futures.ThreadPoolExecutor(max_workers=options.jobs) as pool:
            # Threads suffice: most of the time goes to pcsim subprocesses.
            def check(case):
                return check_case(binary, case[0], case[1], case[2], supported, directory)

            for seed_passed, failures in pool.map(check, cases):
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
