#!/usr/bin/env python3
"""Regenerates the fuzz seed corpora in tests/fuzz/corpus/ (see README.md).

    tests/fuzz/make_corpus.py [SHARED_DATA]

Seeds come from the test data, the shipped scenarios and price catalog,
the inputs fuzzing found (tests/data/regress), and a few records of the
real public traces in SHARED_DATA (default ../shared/data; skipped when
absent). Every seed stays under 20 KB and the
whole corpus under 1 MB. Trace seeds start with fuzz_trace's selector byte.
"""
import json
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fuzz/corpus"
MAX_SEED = 20 * 1024
MAX_CORPUS = 1024 * 1024

# fuzz_trace's selector byte: the format number's bits 0-2 in the low bits and its
# bit 3 at 0x10 (selector() builds it), 0x08 for two files.
AUTO, MOONCAKE, CLAUDE, NATIVE, AZURE, CLAUDE_LOG, OPENAI_LOG, ANTHROPIC_LOG, LITELLM = 0, 1, 2, 3, 4, 5, 6, 7, 8
TWO_FILES = 0x08


def selector(fmt):
    return (fmt & 0x07) | (fmt & 0x08) << 1


def write(kind, name, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        sys.exit(f"make_corpus: seed {kind}/{name} is {len(data)} bytes (limit {MAX_SEED})")
    (CORPUS / kind / name).write_bytes(data)


def trace_seed(name, formats, data, two_files=False):
    for fmt in formats:
        byte = selector(fmt) | (TWO_FILES if two_files else 0)
        write("trace", f"{name}.f{byte}", bytes([byte]) + data)


def trace_seeds(shared):
    data = ROOT / "tests/data"
    known = {".csv": AZURE, ".json": CLAUDE}
    for path in sorted(data.glob("*.*")) + sorted((data / "bad").glob("*")):
        if path.suffix == ".md":
            continue
        if path.name.startswith(("openai_", "anthropic_")):
            continue  # request logs, seeded below
        fmt = known.get(path.suffix, NATIVE if path.name.startswith("native") else MOONCAKE)
        if path.name.startswith("cclog_"):
            fmt = CLAUDE_LOG
        trace_seed(path.stem, [AUTO, fmt] if path.parent == data else [fmt], path.read_bytes())
    project = data / "claude_code_log/project"
    for path in sorted(project.rglob("*.jsonl")):
        trace_seed(f"cclog_{path.stem}", [AUTO, CLAUDE_LOG], path.read_bytes())
    trace_seed("two_files_cclog", [CLAUDE_LOG],
               (project / "session-a.jsonl").read_bytes() + b"\f" +
               (project / "session-a/subagents/agent-x1.jsonl").read_bytes(), two_files=True)
    logs = {"openai_chat": OPENAI_LOG, "anthropic": ANTHROPIC_LOG, "litellm": LITELLM}
    for path in sorted((data / "logs").glob("*.jsonl")):
        trace_seed(f"log_{path.stem}", [AUTO, logs[path.stem]], path.read_bytes())
    for path in sorted((data / "bad").glob("*.jsonl")):
        if path.stem.startswith("openai_"):
            trace_seed(path.stem, [OPENAI_LOG], path.read_bytes())
        elif path.stem.startswith("anthropic_"):
            trace_seed(path.stem, [ANTHROPIC_LOG], path.read_bytes())
    scenario_traces = data / "scenarios/zero_output.jsonl"
    trace_seed("zero_output", [AUTO], scenario_traces.read_bytes())
    trace_seed("two_files_jsonl", [AUTO],
               (data / "mooncake_tiny.jsonl").read_bytes() + b"\f" + (data / "native_blocks.jsonl").read_bytes(),
               two_files=True)
    trace_seed("two_files_claude", [CLAUDE],
               (data / "claude_code_tiny.json").read_bytes() + b"\f" + (data / "claude_code_tiny.json").read_bytes(),
               two_files=True)
    if not shared.is_dir():
        print(f"make_corpus: {shared} is absent; no real-trace seeds", file=sys.stderr)
        return
    # Mooncake (Apache-2.0): the first lines, as they are.
    lines = (shared / "mooncake_synthetic_trace.jsonl").read_bytes().splitlines(keepends=True)
    trace_seed("real_mooncake_head", [AUTO, MOONCAKE], b"".join(lines[:6]))
    # Claude Code (Apache-2.0): a small session whole, and the head of one with subagents.
    trace_seed("real_claude_code_0026", [AUTO], (shared / "claude-code/trace_0026.json").read_bytes())
    session = json.loads((shared / "claude-code/trace_0276.json").read_text())
    plain = [r for r in session["requests"] if r.get("type") != "subagent"][:3]
    subagent = next(r for r in session["requests"] if r.get("type") == "subagent")
    subagent = dict(subagent, requests=subagent["requests"][:2])
    cut = dict(session, requests=plain + [subagent])
    trace_seed("real_claude_code_0276_cut", [CLAUDE], json.dumps(cut).encode())
    # Azure (CC-BY-4.0): the header and the first rows.
    rows = (shared / "AzureLLMInferenceTrace_code_2023.csv").read_bytes().splitlines(keepends=True)
    trace_seed("real_azure_head", [AUTO, AZURE], b"".join(rows[:16]))


def catalog_seeds():
    prices = ROOT / "tests/data/prices"
    for path in [prices / "catalog.json", prices / "unit/extra.json"] + sorted((prices / "bad").glob("*.json")):
        write("catalog", path.name if path.parent == prices else f"{path.parent.name}_{path.name}", path.read_bytes())
    shipped = json.loads((ROOT / "scenarios/prices.json").read_text())
    by_id = {p["id"]: p for p in shipped["providers"]}

    def cut(name, picks):
        providers = []
        for provider_id, count in picks:
            provider = dict(by_id[provider_id], models=by_id[provider_id]["models"][:count])
            providers.append(provider)
        ids = {p["id"] for p in providers}
        for provider in providers:
            if "fallback_model_providers" in provider:
                provider["fallback_model_providers"] = [f for f in provider["fallback_model_providers"] if f in ids]
        write("catalog", name, json.dumps(dict(shipped, providers=providers), indent=1))

    cut("shipped_anthropic.json", [("anthropic", 12)])
    cut("shipped_openai.json", [("openai", 25)])
    cut("shipped_google_fallbacks.json", [("google", 10), ("anthropic", 3), ("openai", 3), ("azure", 5)])
    cut("shipped_mixed.json", [("deepseek", 7), ("x-ai", 6), ("aws", 8), ("mistral", 6), ("cloudflare", 5)])


def scenario_seeds():
    sources = [("scenarios", "shipped"), ("tests/mc/scenarios", "mc"), ("tests/data/scenarios", "data"),
               ("tests/data/scenarios/bad", "bad")]
    for directory, prefix in sources:
        for path in sorted((ROOT / directory).glob("*.json")):
            if path.name != "prices.json":
                write("scenario", f"{prefix}_{path.name}", path.read_bytes())


def regress_seeds():
    """tests/data/regress: the inputs fuzzing found, so every run checks them again."""
    for path in sorted((ROOT / "tests/data/regress").glob("*")):
        if path.suffix == ".jsonl":
            trace_seed(f"regress_{path.stem}", [AUTO], path.read_bytes())
        elif path.name.endswith("_catalog.json"):
            write("catalog", f"regress_{path.name}", path.read_bytes())
        elif path.name.endswith("_scenario.json"):
            write("scenario", f"regress_{path.name}", path.read_bytes())


def main():
    shared = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data"
    for kind in ("trace", "catalog", "scenario"):
        shutil.rmtree(CORPUS / kind, ignore_errors=True)
        (CORPUS / kind).mkdir(parents=True)
    trace_seeds(shared)
    catalog_seeds()
    scenario_seeds()
    regress_seeds()
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    if total > MAX_CORPUS:
        sys.exit(f"make_corpus: the corpus is {total} bytes (limit {MAX_CORPUS})")
    for kind in ("trace", "catalog", "scenario"):
        print(f"{kind}: {len(list((CORPUS / kind).iterdir()))} seeds")
    print(f"total: {total} bytes")


if __name__ == "__main__":
    main()
