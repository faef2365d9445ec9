#!/usr/bin/env python3
"""pcsim convert keeps every replay: usage: roundtrip.py PCSIM SOURCE_DIR [SHARED_DATA]

DESIGN §8 and issue #16: `pcsim convert` writes native JSONL whose replay equals the
replay of what it read, byte for byte but for what names the files read. For every
trace below (each format pcsim reads, the shipped traces, and the real sessions of
SHARED_DATA when present) and every cache preset, with a few overrides besides, this
converts the trace once and replays both:

  - the JSON report must be equal but for "files" (paths and formats) and the place
    (file:line) of each request the reconciliation lists;
  - the per-request CSV (--requests) must be equal byte for byte but for its last
    column, the source file:line: every request's time, model, usage, cost and
    observed usage, in the same order;
  - for the first option set, the text report but for its first line (the count of
    files) and the note that a log's prompts were rebuilt from counts alone (convert
    says that; the JSON's "prefixes_from_counts" likewise), and the CSV report must be
    equal too.

The presets come from pcsim itself (the list an unknown --policy prints), so a new
one is covered without an edit here. Prints one line per failure and then
`N passed, M failed`; exits 1 if any case failed.
"""
import csv
import glob
import io
import json
import os
import re
import subprocess
import sys
import tempfile


def usage():
    print(__doc__.splitlines()[0], file=sys.stderr)
    sys.exit(2)


if len(sys.argv) not in (3, 4):
    usage()
PCSIM = os.path.abspath(sys.argv[1])
SOURCE = sys.argv[2]
SHARED = sys.argv[3] if len(sys.argv) == 4 else ""
os.chdir(SOURCE)
ENV = dict(os.environ, LC_ALL="C")
with open("tests/pinned.env") as pinned:
    for line in pinned:
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            ENV[key] = value

# (name, input paths, extra reading options). Every format pcsim reads but Azure CSV,
# which has no prefix identity to keep (its replay says so; convert notes it, and
# the native file it writes has no prompts: tested in tests/cli/convert_tests.sh).
TRACES = [
    ("mooncake shipped", ["scenarios/traces/mooncake_synthetic_trace.jsonl"], ["--model", "gpt-4o"]),
    ("claude-code 0126", ["scenarios/traces/claude-code/trace_0126.json"], []),
    ("claude-code 0276 (subagents)", ["scenarios/traces/claude-code/trace_0276.json"], []),
    ("claude-code both", sorted(glob.glob("scenarios/traces/claude-code/*.json")), []),
    ("mooncake tiny", ["tests/data/mooncake_tiny.jsonl"], ["--model", "gpt-4o"]),
    ("mooncake tiny zstd", ["tests/data/mooncake_tiny.jsonl.zst"], ["--model", "gpt-4o"]),
    ("claude-code tiny", ["tests/data/claude_code_tiny.json"], []),
    ("native segments", ["tests/data/native_segments.jsonl"], []),
    ("native blocks and sessions", ["tests/data/native_blocks.jsonl"], []),
    ("native breakpoint rules", ["tests/data/native_breakpoint_rules.jsonl"], []),
    ("native ttl markers", ["tests/data/native_ttl_markers.jsonl"], []),
    ("native log fields (ISO t, ttft, observed, cache true)", ["tests/data/native_log_fields.jsonl"], []),
    ("three formats merged", ["tests/data/mooncake_tiny.jsonl", "tests/data/claude_code_tiny.json",
                              "tests/data/native_blocks.jsonl"], ["--model", "gpt-4o"]),
    ("model map", ["tests/data/native_segments.jsonl"], ["--model-map", "claude-sonnet-4-5=claude-opus-4-5"]),
    ("claude-code-log project directory", ["tests/data/claude_code_log/project"], []),
]
# Request logs (DESIGN §8) converted the same way, once their readers and samples exist.
for path in sorted(glob.glob("tests/data/logs/*.jsonl")):
    TRACES.append(("log " + os.path.basename(path), [path], []))
if SHARED and os.path.isdir(os.path.join(SHARED, "claude-code")):
    real = sorted(glob.glob(os.path.join(SHARED, "claude-code", "*.json")))
    if real:
        TRACES.append(("the real Claude-Code sessions", real, []))


def run(args, check=True):
    done = subprocess.run([PCSIM] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    if check and done.returncode != 0:
        raise RuntimeError("pcsim %s: exit %d: %s" % (" ".join(args), done.returncode,
                                                      done.stderr.decode(errors="replace")[:400]))
    return done


def presets():
    done = run(["replay", "--policy", "no-such-preset", "tests/data/mooncake_tiny.jsonl"], check=False)
    text = done.stderr.decode()
    marker = "choose one of:"
    if marker not in text:
        raise RuntimeError("cannot read the preset list from: " + text[:200])
    return text.split(marker, 1)[1].splitlines()[0].split()


def option_sets():
    sets = []
    for preset in presets():
        policy = ["--policy", preset]
        if preset == "lru":
            policy += ["--capacity", "3M"]
        sets.append(policy)
    # What-ifs over the same files: a TTL overriding every marker, no minimum.
    sets.append(["--policy", "anthropic-1h", "--ttl", "420"])
    sets.append(["--policy", "breakpoint", "--ttl", "7m", "--min-tokens", "0"])
    sets.append(["--policy", "openai", "--min-tokens", "0", "--granularity", "1"])
    sets.append(["--policy", "lru", "--capacity", "20k"])
    # The breakpoint refinements: the converted trace keeps each request's ttft and whether its
    # units are content blocks (lookback applies) or blocks (exempt).
    sets.append(["--policy", "breakpoint", "--min-tokens", "0", "--visible-after", "on", "--lookback", "2"])
    return sets


def json_without_files(raw):
    """The report but for what names the inputs, and the flag that prompts came from
    counts alone: a converted trace states the prompts (convert says where they came
    from, once)."""
    report = json.loads(raw)
    report.pop("files", None)
    report.pop("prefixes_from_counts", None)
    for worst in report.get("reconciliation", {}).get("worst", []):
        worst.pop("place", None)  # file:line of the file read
    return report


PLACE = re.compile(rb"\s\S+(:\d+|: requests\[\d+\](\.requests\[\d+\])?)$")


def csv_without_places(text):
    """A CSV report with the place of each request row (the reconciliation's) taken out."""
    rows = list(csv.reader(io.StringIO(text.decode())))
    for row in rows:
        if row and row[0] == "request" and len(row) > 2:
            row[2] = "PLACE"
    return rows


def rows_without_source(data):
    """The per-request CSV with each row's last column, its source file:line, taken out."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    if not rows or rows[0][-1] != "source":
        return None  # never equal to anything: the column is missing
    return [row[:-1] for row in rows]


def without_places(text):
    """A text report with each line's trailing place (file:line) taken out."""
    return b"\n".join(PLACE.sub(b" PLACE", line) for line in text.split(b"\n"))


def is_counts_note(line):
    """The text report's note that prompts were rebuilt from token counts alone."""
    return b"prefixes come from token counts alone" in line or line.startswith(b"note: a request log without")


passed = 0
failed = 0


def report(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s\n     %s" % (what, why))


def directory_notes(a, b):
    """Equal notes but for those a directory input gives about what it skips."""
    keep = [line for line in a.splitlines() if b": skipped: " not in line]
    return keep == b.splitlines()


def compare(name, inputs, reading, native, options, work, first):
    what = "%s, %s" % (name, " ".join(options))
    rows_in = os.path.join(work, "in.csv")
    rows_out = os.path.join(work, "out.csv")
    a = run(["replay", "--format", "json", "--requests", rows_in] + reading + options + inputs)
    b = run(["replay", "--format", "json", "--requests", rows_out] + options + [native])
    if json_without_files(a.stdout) != json_without_files(b.stdout):
        report(False, what, "JSON reports differ beyond \"files\"")
        return
    with open(rows_in, "rb") as fa, open(rows_out, "rb") as fb:
        if rows_without_source(fa.read()) != rows_without_source(fb.read()):
            report(False, what, "per-request CSV rows differ")
            return
    if first:
        text_a = run(["replay"] + reading + options + inputs).stdout.split(b"\n", 1)[1]
        # A log without prompts has them rebuilt from counts, and its report says so; the
        # converted trace states its prompts, so the assumption is said by convert, once.
        text_a = b"\n".join(line for line in text_a.split(b"\n") if not is_counts_note(line))
        text_b = run(["replay"] + options + [native]).stdout.split(b"\n", 1)[1]
        csv_a = run(["replay", "--format", "csv"] + reading + options + inputs).stdout
        csv_b = run(["replay", "--format", "csv"] + options + [native]).stdout
        if without_places(text_a) != without_places(text_b) or csv_without_places(csv_a) != csv_without_places(csv_b):
            report(False, what, "text or CSV reports differ")
            return
    if a.stderr != b.stderr and not directory_notes(a.stderr, b.stderr):
        report(False, what, "notes differ: %r against %r" % (a.stderr[:200], b.stderr[:200]))
        return
    report(True, what)


def main():
    sets = option_sets()
    with tempfile.TemporaryDirectory(prefix="pcsim-convert.") as work:
        for name, inputs, reading in TRACES:
            native = os.path.join(work, "converted.jsonl")
            try:
                run(["convert", "--output", native] + reading + inputs)
            except RuntimeError as error:
                report(False, "convert " + name, str(error))
                continue
            for i, options in enumerate(sets):
                try:
                    compare(name, inputs, reading, native, options, work, i == 0)
                except RuntimeError as error:
                    report(False, "%s, %s" % (name, " ".join(options)), str(error))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
