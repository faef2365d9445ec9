#!/usr/bin/env python3
"""Validates pcsim's JSON outputs against docs/schemas/*.schema.json.

Runs replay (several policies, every trace format), sweep (TTL and capacity), calibrate, run (the shipped
scenarios, one with --trials auto), prices (list, show, cost) and tokens with --format json, and gen with
--summary -, and checks each
document against the schema its "schema" member names. Then proves the check can fail: a copy of
the replay schema without one of its members must reject a real replay output.

Usage: validate.py PCSIM SOURCE_DIR. Exit 0 all valid, 1 a document is invalid, 77 no jsonschema.
"""
import copy
import glob
import json
import os
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("schemas: skipped: python3-jsonschema is not installed (tools/setup installs it)")
    sys.exit(77)

PCSIM, SOURCE = sys.argv[1], sys.argv[2]
SCHEMAS = os.path.join(SOURCE, "docs", "schemas")
ENV = dict(os.environ, PCSIM_PRICE_DATE="2026-11-23", LC_ALL="C", TZ="UTC")
MOONCAKE = "scenarios/traces/mooncake_synthetic_trace.jsonl"
CLAUDE = sorted(glob.glob(os.path.join(SOURCE, "scenarios/traces/claude-code/*.json")))
TEST_PRICES = "tests/data/prices/catalog.json"


def load_schema(name):
    with open(os.path.join(SCHEMAS, name + ".schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def pcsim_json(*args):
    result = subprocess.run([PCSIM, *args, "--format", "json"], cwd=SOURCE, env=ENV, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        sys.exit(f"schemas: pcsim {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return json.loads(result.stdout)


def gen_summaries():
    """pcsim gen's summaries (it has no --format: --summary - writes one to stdout)."""
    cases = [["--strategy", "batch-1h", "tests/data/gen/escalation.json"], ["--point", "2", "tests/data/gen/sweep.json"]]
    cases += [[s] for s in sorted(glob.glob(os.path.join(SOURCE, "scenarios/*.json"))) if not s.endswith("prices.json")]
    for args in cases:
        result = subprocess.run([PCSIM, "gen", "--output", "/dev/null", "--summary", "-", *args], cwd=SOURCE, env=ENV,
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"schemas: pcsim gen {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
        yield ["gen", *args], json.loads(result.stdout)


def commands():
    traces = [["--model", "kimi-k2.5", MOONCAKE], CLAUDE, ["tests/data/native_segments.jsonl"],
              ["tests/data/native_ttl_markers.jsonl"], ["tests/data/azure_tiny.csv"]]
    for policy in ["openai", "anthropic-5m", "anthropic-1h", "gemini", "deepseek", "breakpoint", "ideal", "none",
                   "auto"]:
        for trace in traces:
            yield ["replay", "--policy", policy, *trace]
    yield ["replay", "--policy", "ttl", "--ttl", "1h", "--min-tokens", "10", "--granularity", "4",
           "tests/data/native_blocks.jsonl"]
    yield ["replay", "--policy", "lru", "--capacity", "3M", MOONCAKE]
    yield ["replay", "--policy", "openai", "--model-map", "kimi-k2.5=gpt-4o", MOONCAKE]
    yield ["replay", "--policy", "anthropic-5m", "--tier", "batch", "--region-uplift", "catalog", *CLAUDE]
    yield ["replay", "--policy", "openai", "--no-cost", *CLAUDE]
    yield ["replay", "--policy", "openai", "--lenient", "tests/data/lenient_late_bad.jsonl"]
    yield ["replay", "--policy", "anthropic-5m", "tests/data/claude_code_log/project"]
    # With observed usage: the reconciliation, priced and not.
    yield ["replay", "--policy", "ttl", "tests/data/reconcile_ttl.jsonl"]
    yield ["replay", "--policy", "breakpoint", "--no-cost", "tests/data/reconcile_breakpoint.jsonl"]
    yield ["replay", "--policy", "ttl", "--prices", TEST_PRICES, "tests/data/reconcile_prices.jsonl",
           "tests/data/reconcile_ttl.jsonl"]
    for policy in ["ttl", "openai", "breakpoint", "anthropic-5m"]:
        yield ["sweep", "--policy", policy, "--ttl", "1m,5m,1h", *CLAUDE]
    yield ["sweep", "--policy", "openai", "--ttl", "30s..24h:8", "--model", "kimi-k2.5", MOONCAKE]
    yield ["sweep", "--policy", "openai", "--ttl", "1m..1h:5", "--no-cost", *CLAUDE]
    yield ["sweep", "--capacity", "1M..8M:4", "--model", "kimi-k2.5", MOONCAKE]
    yield ["sweep", "--capacity", "100k..10M:6", *CLAUDE]
    for policy, trace in [("ttl", "tests/data/calibrate_curve.jsonl"), ("breakpoint", "tests/data/calibrate_breakpoint.jsonl"),
                          ("anthropic-5m", "tests/data/calibrate_curve.jsonl")]:
        yield ["calibrate", "--policy", policy, "--ttl", "60,350,700", "--prices", TEST_PRICES, "--model-map",
               "m=acme-small", trace]
    yield ["calibrate", "--ttl", "1m..1h:8", "--no-cost", "tests/data/calibrate_two_valleys.jsonl"]
    # The breakpoint refinements on: their members in the policy object.
    refinements = ["--visible-after", "on", "--lookback", "20"]
    yield ["replay", "--policy", "anthropic-5m", *refinements, "tests/data/native_visible_after.jsonl"]
    yield ["sweep", "--policy", "breakpoint", "--ttl", "1m,5m", *refinements, "tests/data/native_lookback.jsonl"]
    yield ["calibrate", "--policy", "breakpoint", "--ttl", "60,350", *refinements, "--no-cost",
           "tests/data/calibrate_breakpoint.jsonl"]
    for scenario in sorted(glob.glob(os.path.join(SOURCE, "scenarios/*.json"))):
        if os.path.basename(scenario) != "prices.json":
            yield ["run", "--trials", "20", scenario]
    yield ["run", "--trials", "auto", "--max-trials", "200", "scenarios/mini-vs-full.json"]
    yield ["run", "--trials", "5", "tests/data/gen/latency.json"]  # task_duration_s
    for scenario in ["no_tasks", "never_completes", "sparse_tasks"]:
        yield ["run", "--trials", "10", "--prices", TEST_PRICES, f"tests/data/scenarios/{scenario}.json"]
    yield ["prices", "list"]
    yield ["prices", "list", "anthropic"]
    yield ["prices", "show", "gpt-4o"]
    yield ["prices", "show", "claude-sonnet-4-5"]
    yield ["prices", "cost", "gpt-4o", "--input", "1M", "--cache-read", "200k", "--output", "1M"]
    yield ["prices", "cost", "claude-sonnet-4-5", "--input", "15M", "--output", "30M", "--requests", "300000",
           "--tier", "batch"]
    yield ["tokens", "tests/data/tokens/prose.txt", "tests/data/tokens/empty.txt"]
    yield ["tokens", "--model", "gpt-4", "tests/data/tokens/cjk.txt"]


def main():
    schemas = {}
    for path in sorted(glob.glob(os.path.join(SCHEMAS, "*.schema.json"))):
        name = os.path.basename(path)[: -len(".schema.json")]
        schemas[f"pcsim.{name}.v1"] = load_schema(name)
    failures = 0
    checked = {}
    first_replay = None
    documents = [(args, None) for args in commands()] + list(gen_summaries())
    for args, document in documents:
        if document is None:
            document = pcsim_json(*args)
        name = document.get("schema")
        if name not in schemas:
            print(f"schemas: pcsim {' '.join(args)}: no schema for {name!r}")
            failures += 1
            continue
        errors = list(jsonschema.Draft202012Validator(schemas[name]).iter_errors(document))
        for error in errors[:3]:
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"schemas: pcsim {' '.join(args)}: {name} at /{where}: {error.message[:300]}")
        failures += bool(errors)
        checked[name] = checked.get(name, 0) + 1
        if name == "pcsim.replay.v1" and first_replay is None:
            first_replay = document

    # A schema that lacks a member the output has must reject it.
    broken = copy.deepcopy(schemas["pcsim.replay.v1"])
    del broken["properties"]["prefix_identity"]
    broken["required"].remove("prefix_identity")
    if jsonschema.Draft202012Validator(broken).is_valid(first_replay):
        print("schemas: a replay schema without prefix_identity accepted a replay output")
        failures += 1

    print("schemas: " + ", ".join(f"{n} {name}" for name, n in sorted(checked.items())) +
          f"; {failures} invalid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
