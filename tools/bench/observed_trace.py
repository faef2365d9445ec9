#!/usr/bin/env python3
"""Writes a native JSONL trace whose every request carries "observed" usage: what pcsim's own replay
at a known TTL gives it. The ground truth a calibration must find again (issue #16), and the input
of tools/bench/calibrate.

Reads Mooncake JSONL (timestamp ms, input_length, output_length, hash_ids: blocks of 512 tokens,
one global namespace) and Claude-Code session JSON (block_size, requests[] with subagent entries
whose times are relative to theirs; one namespace per file, so each file becomes a native
"session"); writes them as native JSONL (hash_ids + block_tokens: the same bounds, DESIGN §2) in
time order, replays that with `pcsim replay --policy P --ttl TTL --requests`, and writes it again
with each request's replayed cache_read, cache_write and cache_write_1h as its "observed" usage.

Usage: observed_trace.py PCSIM --policy P --ttl SECONDS --out FILE [--model NAME] TRACE...
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile


def to_ms(seconds):
    """llround(seconds x 1000), as pcsim rounds (half away from zero; times are >= 0)."""
    return int(math.floor(seconds * 1000 + 0.5))


def read_claude_code(path, session):
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    block = document["block_size"]
    records = []

    def add(entries, base):
        for entry in entries:
            seconds = base + entry["t"]
            if entry.get("type") == "subagent":
                add(entry["requests"], seconds)
                continue
            record = {"t_ms": to_ms(seconds), "model": entry["model"], "input_tokens": entry["in"],
                      "output_tokens": entry["out"], "hash_ids": entry["hash_ids"], "block_tokens": block,
                      "session": session}
            if entry.get("ttft"):
                record["ttft"] = entry["ttft"]
            records.append(record)

    add(document["requests"], 0.0)
    return records


def read_mooncake(path, model):
    records = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                records.append({"t_ms": r["timestamp"], "model": model, "input_tokens": r["input_length"],
                                "output_tokens": r["output_length"], "hash_ids": r["hash_ids"],
                                "block_tokens": 512})
    return records


def write(records, path, observed=None):
    """One native line per record; "t" in seconds with exactly three decimals (whole ms)."""
    with open(path, "w", encoding="utf-8") as f:
        for i, record in enumerate(records):
            rest = {k: v for k, v in record.items() if k != "t_ms"}
            if observed is not None:
                rest["observed"] = observed[i]
            t = f"{record['t_ms'] // 1000}.{record['t_ms'] % 1000:03d}"
            f.write(f'{{"t":{t},' + json.dumps(rest, separators=(",", ":"))[1:] + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pcsim")
    parser.add_argument("--policy", required=True)
    parser.add_argument("--ttl", required=True, help="seconds")
    parser.add_argument("--out", required=True)
    parser.add_argument("--model", default="kimi-k2.5", help="the model of Mooncake requests")
    parser.add_argument("traces", nargs="+")
    args = parser.parse_args()
    records = []
    for path in args.traces:
        with open(path, encoding="utf-8") as f:
            head = f.read(1)
        if path.endswith(".json"):
            records += read_claude_code(path, os.path.basename(path))
        elif head == "{":
            records += read_mooncake(path, args.model)
        else:
            sys.exit(f"{path}: neither Claude-Code JSON nor Mooncake JSONL")
    order = sorted(range(len(records)), key=lambda i: (records[i]["t_ms"], i))  # stable: pcsim's order
    records = [records[i] for i in order]
    with tempfile.TemporaryDirectory() as work:
        plain = os.path.join(work, "plain.jsonl")
        rows_path = os.path.join(work, "rows.csv")
        write(records, plain)
        subprocess.run([args.pcsim, "replay", "--policy", args.policy, "--ttl", args.ttl, "--no-cost",
                        "--requests", rows_path, plain], check=True, stdout=subprocess.DEVNULL)
        with open(rows_path, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    if len(rows) != len(records):
        sys.exit(f"{len(rows)} replayed requests for {len(records)} records")
    observed = []
    for record, row in zip(records, rows):
        if int(row["t_ms"]) != record["t_ms"] or int(row["input"]) != record["input_tokens"]:
            sys.exit("the replay's requests are not in the trace's order")
        observed.append({"cache_read": int(row["cache_read"]), "cache_write": int(row["cache_write"]),
                         "cache_write_1h": int(row["cache_write_1h"])})
    write(records, args.out, observed)
    print(f"{args.out}: {len(records)} requests, observed from a replay at {args.ttl} s ({args.policy})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
