#!/usr/bin/env python3
"""tools/make-logs makes logs whose observed usage pcsim reproduces at their TTL.

    make_logs_test.py PCSIM SOURCE_DIR

Issue #16, "ground truth round trip". For a few traces (the shipped Mooncake and
Claude-Code ones cut short, and the tiny ones of tests/data), at a TTL of 7 minutes
under two policies, this generates every form and checks:

  - native form: its observed usage is, request for request, what `pcsim replay
    --requests` of the original trace gives at that TTL (so E = 0 there), and not
    what it gives at 1 minute or 1 hour on at least one trace (the check can fail);
  - every form: replaying its implied trace (the prompts pcsim rebuilds from the
    log) at the TTL gives its observed usage;
  - content forms: each message holds as many words as its unit has tokens, the
    units sum to the logged input, and the usage fields add up as the SDKs define
    them; with node and the npm package gpt-tokenizer at hand ($GPT_TOKENIZER, or
    /tmp/gt/package), the words are exactly that many o200k_base and cl100k_base
    tokens;
  - counts-only form: the chains of claude_code_tiny.json, by hand from DESIGN §8;
  - once pcsim reads request logs (openai-log, anthropic-log): replaying each log
    gives the per-request rows of its implied trace, byte for byte; and, for every
    log and the native form, replay at 7 minutes reconciles with E = 0 and
    calibrate puts 7 minutes inside its interval with E = 0;
  - the shipped example of scenarios/logs/ is what its make-example makes.

Prints one line per failure, then `N passed, M failed`; exits 1 if any failed.
"""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

if len(sys.argv) != 3:
    print(__doc__.splitlines()[2].strip(), file=sys.stderr)
    sys.exit(2)
PCSIM = os.path.abspath(sys.argv[1])
os.chdir(sys.argv[2])
MAKE_LOGS = os.path.abspath("tools/make-logs")
TTL = "7m"

# (name, traces, reading options for make-logs and replay alike, first requests only or None)
CASES = [
    ("claude-code tiny", ["tests/data/claude_code_tiny.json"], [], None),
    ("mooncake tiny", ["tests/data/mooncake_tiny.jsonl"], ["--model", "gpt-4.1"], None),
    ("native segments and log fields", ["tests/data/native_segments.jsonl", "tests/data/native_log_fields.jsonl"],
     [], None),
    ("mooncake shipped, 400 requests", ["scenarios/traces/mooncake_synthetic_trace.jsonl"], ["--model", "gpt-4.1"],
     400),
    ("claude-code 0276, 14 requests", ["scenarios/traces/claude-code/trace_0276.json"], [], 14),
]
POLICIES = [["--policy", "ttl"], ["--policy", "anthropic-5m"]]

passed = 0
failed = 0


def report(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s\n     %s" % (what, why))


def pcsim(args, check=True):
    done = subprocess.run([PCSIM] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and done.returncode != 0:
        raise RuntimeError("pcsim %s: exit %d: %s" % (" ".join(args), done.returncode, done.stderr.decode()[:300]))
    return done


def rows(args, work):
    """(t_ms, input, cache_read, cache_write, cache_write_1h) per request of a replay."""
    path = os.path.join(work, "rows.csv")
    pcsim(["replay", "--no-cost", "--requests", path] + args)
    with open(path, newline="") as f:
        return [(int(r["t_ms"]), int(r["input"]), int(r["cache_read"]), int(r["cache_write"]),
                 int(r["cache_write_1h"])) for r in csv.DictReader(f)]


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def observed_of(line):
    o = line["observed"]
    return (o.get("cache_read", 0), o.get("cache_write", 0), o.get("cache_write_1h", 0))


def error_e(observed, simulated, inputs):
    """DESIGN §9's E: sum of |read| and |write| differences over the input."""
    diff = sum(abs(o[0] - s[0]) + abs(o[1] - s[1]) for o, s in zip(observed, simulated))
    return diff / max(1, sum(inputs))


def tokenizer_dir():
    for path in (os.environ.get("GPT_TOKENIZER", ""), "/tmp/gt/package"):
        if path and os.path.isfile(os.path.join(path, "cjs", "encoding", "o200k_base.js")):
            return path
    return None


def check_token_counts(texts, what):
    """Every text is len(text.split()) tokens in both encodings (node), or a skip."""
    package = tokenizer_dir()
    if not package or not shutil.which("node"):
        print("skip %s: node or gpt-tokenizer not at hand" % what)
        return
    script = ("const o=require(process.argv[1]+'/cjs/encoding/o200k_base.js');"
              "const c=require(process.argv[1]+'/cjs/encoding/cl100k_base.js');"
              "const texts=JSON.parse(require('fs').readFileSync(0));"
              "console.log(JSON.stringify(texts.map(t=>[o.encode(t).length,c.encode(t).length])));")
    done = subprocess.run(["node", "-e", script, package], input=json.dumps(texts).encode(), stdout=subprocess.PIPE)
    counts = json.loads(done.stdout)
    wrong = [(len(t.split()), c) for t, c in zip(texts, counts) if c[0] != len(t.split()) or c[1] != len(t.split())]
    report(not wrong and len(counts) == len(texts), what, "word counts against o200k/cl100k: %s" % wrong[:3])


def message_texts(message):
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(block["text"] for block in content)


def check_content(out, form, what):
    """Messages against implied segments and usage."""
    log = read_lines(os.path.join(out, form + ".jsonl"))
    implied = read_lines(os.path.join(out, "implied", form + ".jsonl"))
    problems = []
    texts = []
    for index, (line, imp) in enumerate(zip(log, implied)):
        messages = line["request"]["messages"]
        words = [len(message_texts(m).split()) for m in messages]
        tokens = [s["tokens"] for s in imp.get("segments", [])]
        usage = line["response"]["usage"]
        if form.startswith("openai"):
            logged_input = usage["prompt_tokens"]
            read = usage["prompt_tokens_details"]["cached_tokens"]
        else:
            logged_input = usage["input_tokens"] + usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"]
            read = usage["cache_read_input_tokens"]
        if words != tokens:
            problems.append("request %d: words %s, tokens %s" % (index, words[:4], tokens[:4]))
        if sum(words) != logged_input or logged_input != imp["input_tokens"]:
            problems.append("request %d: %d words for a logged input of %d" % (index, sum(words), logged_input))
        if read != imp["observed"]["cache_read"]:
            problems.append("request %d: usage read %d, observed %d" % (index, read, imp["observed"]["cache_read"]))
        if index < 40:
            texts.extend(message_texts(m) for m in messages[:3])
    report(not problems, "%s: %s messages match the units and the usage" % (what, form), "; ".join(problems[:3]))
    return texts


def check_counts_tiny(out):
    """claude_code_tiny.json's chains by hand (one session, the file's): 350; 520
    extends by 170; the subagent's 250 is shorter, a new chain; 640 extends it by
    390; 260 is shorter, a new chain; 700 extends it by 440."""
    implied = read_lines(os.path.join(out, "implied", "openai-counts.jsonl"))
    got = [[s["tokens"] for s in line["segments"]] for line in implied]
    want = [[350], [350, 170], [250], [250, 390], [260], [260, 440]]
    roots = [line["segments"][0]["id"].split(":")[0] for line in implied]
    marked = all(line["segments"][-1].get("cache") is True and
                 all("cache" not in s for s in line["segments"][:-1]) for line in implied)
    report(got == want and roots[0] == roots[1] != roots[2] == roots[3] != roots[4] == roots[5] and marked,
           "claude-code tiny: counts-only chains by hand", "got %s, roots %s" % (got, roots))


# Calibration points: every minute to 30 minutes, then 1 hour. 7 minutes is one of them:
# calibrate's interval is made of grid points.
CALIBRATION_GRID = ",".join([str(60 * m) for m in range(1, 31)] + ["3600"])
TTL_SECONDS = 420


def check_ground_truth(options, path, what):
    """Issue #16's ground truth: replay at the TTL the log was made with shows E = 0, and
    calibrate puts that TTL inside its interval with E = 0."""
    replay = json.loads(pcsim(["replay", "--no-cost", "--format", "json", "--ttl", TTL] + options + [path])
                        .stdout)
    rec = replay.get("reconciliation", {})
    report(rec.get("error") == 0 and rec.get("requests_without_observed") == 0 and rec.get("requests", 0) > 0,
           what + ": replay at 7m reconciles with E = 0",
           "reconciliation: %s" % {k: rec.get(k) for k in ("requests", "error", "requests_without_observed")})
    calibration = json.loads(pcsim(["calibrate", "--no-cost", "--format", "json", "--ttl", CALIBRATION_GRID]
                                   + options + [path]).stdout)
    best = calibration.get("best", {})
    low, high = best.get("interval", [None, None])
    report(best.get("error") == 0 and low is not None and low <= TTL_SECONDS <= high,
           what + ": calibrate puts 7m inside its interval with E = 0", "best: %s" % best)


def reads_logs():
    probe = pcsim(["replay", "--input-format", "openai-log", "--no-cost", "/dev/null"], check=False)
    return b"unknown format" not in probe.stderr


def main():
    logs_readable = reads_logs()
    if not logs_readable:
        print("skip replaying the logs themselves: this pcsim reads no openai-log yet")
    discriminates = False
    with tempfile.TemporaryDirectory(prefix="pcsim-make-logs.") as work:
        for name, traces, reading, limit in CASES:
            options = reading + (["--limit", str(limit)] if limit else [])
            for policy in POLICIES:
                what = "%s, %s" % (name, " ".join(policy))
                out = os.path.join(work, "out")
                shutil.rmtree(out, ignore_errors=True)
                done = subprocess.run([sys.executable, MAKE_LOGS, "--pcsim", PCSIM, "--out", out, "--ttl", TTL]
                                      + policy + options + traces, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                if done.returncode != 0:
                    report(False, what, "make-logs: exit %d: %s" % (done.returncode, done.stderr.decode()[-300:]))
                    continue
                # Native: the original trace's own replay, not make-logs's.
                native = read_lines(os.path.join(out, "native.jsonl"))
                whole = rows(policy + ["--ttl", TTL] + reading + traces, work)
                at = whole[:len(native)]  # a replay is causal: the first requests do not see the rest
                observed = [observed_of(line) for line in native]
                report([r[2:] for r in at] == observed and [r[1] for r in at] == [n["input_tokens"] for n in native],
                       what + ": native observed = the trace's replay at the TTL (E = 0)")
                if len(native) == len(whole):
                    for other in ("1m", "1h"):
                        sim = rows(policy + ["--ttl", other, os.path.join(out, "native.jsonl")], work)
                        if error_e(observed, [r[2:] for r in sim], [r[1] for r in sim]) > 0:
                            discriminates = True
                for form in ("native", "openai-content", "anthropic-content", "openai-counts", "anthropic-counts"):
                    implied_path = os.path.join(out, "implied", form + ".jsonl")
                    implied = read_lines(implied_path)
                    sim = rows(policy + ["--ttl", TTL, implied_path], work)
                    report([r[2:] for r in sim] == [observed_of(line) for line in implied],
                           "%s: %s implied trace replays to its observed usage" % (what, form))
                    if logs_readable and form != "native":
                        # The format named: a Claude model in Chat Completions
                        # (a proxy's log) reads as anthropic-log by its shape.
                        log_format = form.split("-")[0] + "-log"
                        log_rows = rows(policy + ["--ttl", TTL, "--input-format", log_format,
                                                  os.path.join(out, form + ".jsonl")], work)
                        report(log_rows == sim, "%s: %s log replays as its implied trace" % (what, form))
                        check_ground_truth(policy + ["--input-format", log_format], os.path.join(out, form + ".jsonl"),
                                           "%s: %s log" % (what, form))
                    elif form == "native":
                        check_ground_truth(policy, os.path.join(out, "native.jsonl"), "%s: native" % what)
                if policy == POLICIES[0]:
                    texts = check_content(out, "openai-content", name)
                    texts += check_content(out, "anthropic-content", name)
                    check_token_counts(texts[:200], name + ": message texts are their word counts in tokens")
                    if name == "claude-code tiny":
                        check_counts_tiny(out)
    report(discriminates, "observed at 7m differs from a replay at 1m or 1h somewhere (the check can fail)")
    with tempfile.TemporaryDirectory(prefix="pcsim-example.") as work:
        done = subprocess.run([sys.executable, "scenarios/logs/make-example", PCSIM, work], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        same = done.returncode == 0
        for name in ("support-chat.trace.jsonl", "openai-chat.jsonl", "anthropic-chat.jsonl"):
            with open(os.path.join("scenarios/logs", name), "rb") as a:
                shipped = a.read()
            path = os.path.join(work, name)
            same = same and os.path.exists(path) and open(path, "rb").read() == shipped
        report(same, "scenarios/logs is what scenarios/logs/make-example makes", done.stderr.decode()[-300:])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
