#!/usr/bin/env python3
"""tools/bench/log_baseline.py counts and replays as pcsim does, so the benchmark compares like with like.

    log_baseline_test.py PCSIM SOURCE_DIR

  - its BPE counts (--count) of every file of tests/data/tokens, in o200k_base and
    cl100k_base, are `pcsim tokens`'s, file for file;
  - a two-call log whose system prompt "Hello, world!" is 4 o200k_base tokens
    ("Hello" "," " world" "!") and 2 words, the user turns 2 tokens each, each call 6
    input tokens: the second call reads the system prompt's bound, 4 tokens by BPE
    and 3 by words (2 of 4 words scaled to 6); pcsim reads 4;
  - a generated chat log (tools/bench/gen_logs.py, 300 calls): the same requests,
    input and cache_read as `pcsim replay`.

Skipped (77) when the regex module is missing. Prints one line per failure, then
`N passed, M failed`; exits 1 if any failed.
"""
import json
import os
import subprocess
import sys
import tempfile

if len(sys.argv) != 3:
    print(__doc__.splitlines()[2].strip(), file=sys.stderr)
    sys.exit(2)
PCSIM = os.path.abspath(sys.argv[1])
os.chdir(sys.argv[2])
BASELINE = ["python3", "tools/bench/log_baseline.py"]
try:
    import regex  # noqa: F401
except ImportError:
    print("log_baseline_test: skipped: no regex module")
    sys.exit(77)

passed = 0
failed = 0


def report(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s%s" % (what, ": " + why if why else ""))


def run(command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def replay_totals(log):
    out = json.loads(run([PCSIM, "replay", "--no-cost", "--policy", "ttl", "--ttl", "300", "--input-format",
                          "openai-log", "--format", "json", log]))
    return out["requests"], out["tokens"]["input"], out["tokens"]["cache_read"]


def baseline_totals(log, *options):
    out = json.loads(run(BASELINE + ["--ttl", "300"] + list(options) + [log]))
    return out["requests"], out["tokens"]["input"], out["tokens"]["cache_read"]


corpus = sorted(os.path.join("tests/data/tokens", name) for name in os.listdir("tests/data/tokens"))
for encoding, model in (("o200k_base", "gpt-4o"), ("cl100k_base", "gpt-4")):
    ours = run(BASELINE + ["--count", "--encoding", encoding] + corpus)
    pcsim = run([PCSIM, "tokens", "--model", model] + corpus)
    report(ours == pcsim, "counts of tests/data/tokens, %s" % encoding, "\n%s\nagainst pcsim's\n%s" % (ours, pcsim))

with tempfile.TemporaryDirectory() as work:
    small = os.path.join(work, "two_calls.jsonl")
    with open(small, "w") as log:
        for second, user in ((0, "hi there"), (10, "bye now")):
            messages = [{"role": "system", "content": "Hello, world!"}, {"role": "user", "content": user}]
            log.write(json.dumps({"timestamp": second, "request": {"model": "gpt-4.1", "messages": messages},
                                  "response": {"usage": {"prompt_tokens": 6, "completion_tokens": 1}}}) + "\n")
    report(baseline_totals(small) == (2, 12, 4), "two calls, bpe", str(baseline_totals(small)))
    report(baseline_totals(small, "--tokens", "words") == (2, 12, 3), "two calls, words",
           str(baseline_totals(small, "--tokens", "words")))
    report(replay_totals(small) == (2, 12, 4), "two calls, pcsim", str(replay_totals(small)))

    generated = os.path.join(work, "chat.jsonl")
    subprocess.run(["python3", "tools/bench/gen_logs.py", "--requests", "300", "--seed", "3", "--out", generated],
                   check=True, capture_output=True)
    ours = baseline_totals(generated)
    pcsim = replay_totals(generated)
    report(ours == pcsim and ours[2] > 0, "generated log", "baseline %s, pcsim %s" % (ours, pcsim))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
