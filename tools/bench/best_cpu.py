#!/usr/bin/env python3
"""Runs a command RUNS times (stdout dropped) and prints the least user + system CPU time in
seconds, measured with getrusage to the microsecond (/usr/bin/time counts in hundredths).

Usage: best_cpu.py RUNS COMMAND [ARG...]"""
import resource
import subprocess
import sys

runs, command = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    best = cpu if best is None else min(best, cpu)
print(f"{best:.4f}")
