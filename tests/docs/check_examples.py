#!/usr/bin/env python3
"""The examples of the README and docs/*.md are real output.

    check_examples.py PCSIM SOURCE_DIR

An example is a fenced block whose first line is `$ pcsim ARGS`. The command
runs with bash in SOURCE_DIR (globs and comments as a shell reads them),
PCSIM in place of `pcsim`, in the environment given (ctest gives every test
tests/pinned.env). The block's other lines must be the command's stdout,
trailing spaces aside, where a line `...` stands for lines left out: each run
of lines between elisions appears in the output in order, the first at its
start unless the block starts with `...`, the last at its end unless the
block ends with `...`. Prints one line per example, then `N passed, M failed`.
"""
import pathlib
import re
import shlex
import subprocess
import sys

FENCE = re.compile(r"^\s*(```|~~~)")
ELISION = "..."


def examples(page):
    """(line number, command, expected lines) of each example of a page."""
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            end = i + 1
            while end < len(lines) and not FENCE.match(lines[end]):
                end += 1
            body = lines[i + 1:end]
            if body and body[0].startswith("$ pcsim "):
                yield i + 2, body[0][len("$ pcsim "):], [line.rstrip() for line in body[1:]]
            i = end + 1
        else:
            i += 1


def find(output, run, start):
    """The first index >= start where run appears in output, or -1."""
    for at in range(start, len(output) - len(run) + 1):
        if output[at:at + len(run)] == run:
            return at
    return -1


def matches(expected, output):
    """None if expected (with elisions) is output, else what differs."""
    runs, run = [], []
    for line in expected:
        if line == ELISION:
            runs.append(run)
            run = []
        else:
            run.append(line)
    runs.append(run)
    # runs[0] is before the first elision (empty if the block starts with one), runs[-1] after the last.
    if len(runs) == 1:
        return None if expected == output else "the output differs (no `...` in the example)"
    if output[:len(runs[0])] != runs[0]:
        return f"the output does not start with: {runs[0][0] if runs[0] else ''!r}"
    at = len(runs[0])
    for run in runs[1:-1]:
        found = find(output, run, at)
        if found < 0:
            return f"not in the output, in order: {run[0]!r}"
        at = found + len(run)
    last = runs[-1]
    if last and (len(output) - len(last) < at or output[len(output) - len(last):] != last):
        return f"the output does not end with: {last[-1]!r}"
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_examples.py PCSIM SOURCE_DIR")
    pcsim = str(pathlib.Path(sys.argv[1]).resolve())
    root = pathlib.Path(sys.argv[2]).resolve()
    pages = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    outputs = {}
    passed = failed = 0
    for page in pages:
        for number, command, expected in examples(page):
            if command not in outputs:
                done = subprocess.run(["bash", "-c", f"{shlex.quote(pcsim)} {command}"], cwd=root,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                outputs[command] = (done.returncode, [line.rstrip() for line in done.stdout.splitlines()])
            status, output = outputs[command]
            problem = f"exit status {status}" if status != 0 else matches(expected, output)
            where = f"{page.relative_to(root)}:{number}: pcsim {command}"
            if problem:
                failed += 1
                print(f"FAIL {where}: {problem}")
            else:
                passed += 1
                print(f"ok   {where}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
