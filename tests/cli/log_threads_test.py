#!/usr/bin/env python3
"""Request logs replay the same on one thread and on several (docs/design.md §8).

    log_threads_test.py PCSIM SOURCE_DIR

With --threads 2 a request log of 16 MiB or more read in one pass is read
and its tokens counted on both threads, and finished in order on one; with
--threads 1 on one. For each case the two must agree byte for byte: the
report (json), the per-request CSV (--requests), stderr and the exit code.

  - the log fixtures (tests/data/logs; short: read alone either way);
  - a generated chat log of 20 MB (tools/bench/gen_logs.py), o200k_base, and
    one of another model (cl100k_base);
  - the generated log with a field error in line 501 and malformed JSON in
    line 1201: strict, the first (in file order) is the error, named by its
    line; --lenient, both are skipped and counted;
  - --threads 3 on the generated log;
  - bad lines where the workers' chunks meet, strict and --lenient: each
    named by the line number counted by this script.

Prints one line per failure, then `N passed, M failed`; exits 1 if any failed.
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
SOURCE = os.path.abspath(sys.argv[2])

passed = 0
failed = 0


def report(ok, what, why=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s%s" % (what, (": " + why) if why else ""))


def replay(path, threads, work, extra=()):
    """(exit code, stdout, stderr, the --requests CSV) of one replay."""
    csv = os.path.join(work, "requests_%d.csv" % threads)
    if os.path.exists(csv):
        os.remove(csv)
    run = subprocess.run([PCSIM, "replay", "--no-cost", "--policy", "ttl", "--ttl", "300", "--format", "json",
                          "--threads", str(threads), "--requests", csv, *extra, path],
                         capture_output=True)
    rows = open(csv, "rb").read() if os.path.exists(csv) else b""
    return run.returncode, run.stdout, run.stderr, rows


def same_on_threads(name, path, work, extra=(), threads=2, expect_code=0, expect_err=b""):
    one = replay(path, 1, work, extra)
    many = replay(path, threads, work, extra)
    report(one[0] == expect_code, name + ": exit code", "%d, expected %d: %s" % (one[0], expect_code, one[2][-300:]))
    report(expect_err in one[2], name + ": stderr says", "%r not in %r" % (expect_err, one[2][-300:]))
    for i, part in enumerate(("exit code", "stdout", "stderr", "requests CSV")):
        report(one[i] == many[i], "%s: %s with --threads 1 and %d" % (name, part, threads),
               "differ" if i else "%r vs %r" % (one[0], many[0]))
    return one


def with_lines(src, dst, bad):
    """Copies src to dst with bad[n] inserted as line n (1-based), each
    formatted with the time of the line before it (times must not go back:
    the log is still read in one pass)."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        n = 1
        time = b"0"
        for line in f:
            while n in bad:
                out.write(bad[n].replace(b"TIME", time))
                n += 1
            out.write(line)
            time = json.dumps(json.loads(line)["timestamp"]).encode()
            n += 1


with tempfile.TemporaryDirectory(prefix="pcsim_log_threads_") as work:
    logs = os.path.join(SOURCE, "tests", "data", "logs")
    for name in sorted(os.listdir(logs)):
        same_on_threads(name, os.path.join(logs, name), work)

    generated = os.path.join(work, "chat.jsonl")
    other = os.path.join(work, "chat_gpt4.jsonl")
    for path, extra in ((generated, []), (other, ["--model", "gpt-4"])):
        subprocess.run([sys.executable, os.path.join(SOURCE, "tools", "bench", "gen_logs.py"), "--gigabytes",
                        "0.02", "--seed", "7", "--out", path, *extra], check=True, capture_output=True)
    report(os.path.getsize(generated) >= 16 << 20, "the generated log is read in one pass (16 MiB or more)")
    one = same_on_threads("generated log", generated, work)
    report(b'"requests"' in one[1] and one[3].count(b"\n") > 1000, "generated log: a report and its requests")
    same_on_threads("generated log, cl100k_base", other, work)
    same_on_threads("generated log, 3 threads", generated, work, threads=3)

    field_error = (b'{"timestamp": TIME, "request": {"model": "gpt-4o", "messages": '
                   b'[{"role": "robot", "content": "Hi"}]}, "response": {"usage": {"prompt_tokens": 5}}}\n')
    broken = b'{"timestamp": TIME, "request": {"model": \n'
    bad = os.path.join(work, "chat_bad.jsonl")
    with_lines(generated, bad, {501: field_error, 1201: broken})
    same_on_threads("bad log, strict", bad, work, expect_code=1,
                    expect_err=b"chat_bad.jsonl:501: field request.messages[0].role: unknown role")
    same_on_threads("bad log, lenient", bad, work, extra=["--lenient"], expect_err=b"skipped 2 bad records")

    # Bad lines where the workers' chunks meet (2 MiB each, a line belonging
    # to the chunk it starts in; src/trace/log_feed.h): the last line of the
    # first chunk, the first three of the second, the first of the third.
    # Each is an existing line with its first "system" role made "systex"
    # (same length, so no line moves); line numbers counted here.
    chunk = 2 << 20
    data = open(generated, "rb").read()
    starts = [0] + [i + 1 for i, c in enumerate(data) if c == 0x0A and i + 1 < len(data)]
    first_of = [next(n for n, at in enumerate(starts) if at >= k * chunk) for k in (1, 2)]
    edges = [first_of[0] - 1, first_of[0], first_of[0] + 1, first_of[0] + 2, first_of[1]]
    lines = data.split(b"\n")
    for n in edges:
        report(lines[n].count(b'"role":"system"') >= 1, "edge line %d has a system message" % (n + 1))
        lines[n] = lines[n].replace(b'"role":"system"', b'"role":"systex"', 1)
    edge = os.path.join(work, "chat_edges.jsonl")
    open(edge, "wb").write(b"\n".join(lines))
    report(os.path.getsize(edge) == len(data), "edge lines keep their length")
    message = b'field request.messages[0].role: unknown role "systex"'
    same_on_threads("chunk edges, strict", edge, work, expect_code=1,
                    expect_err=b"chat_edges.jsonl:%d: %s" % (edges[0] + 1, message))
    one = same_on_threads("chunk edges, lenient", edge, work, extra=["--lenient"],
                          expect_err=b"skipped 5 bad records")
    for n in edges:
        report(b"chat_edges.jsonl:%d: %s" % (n + 1, message) in one[2], "chunk edges: line %d shown" % (n + 1))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
