#!/usr/bin/env python3
"""Writes a large, deterministic, conversation-like trace in Mooncake JSONL for benchmarks.

The workload is built so that prefix caching and its timing matter:
  - a handful of global system prompts (4-20 blocks each, Zipf-like popularity)
    shared by every session that uses them;
  - many concurrent sessions arriving as a Poisson process over a few hours,
    each lasting 1-40 turns and re-sending its whole growing history every turn
    (1-2 new full blocks per turn, after an optional pasted context of 0-8 blocks);
  - gaps between turns of generation time plus a log-normal think time (seconds
    to minutes, about one in eleven above five minutes), so an idle TTL matters.
Every request ends with a partial block whose content is new (the next turn
extends it), so len(hash_ids) == ceil(input_length / 512) and distinct prefix
content always gets a distinct integer id.

Usage:
    gen_trace.py [--requests N] [--seed S] [--hours H] [--out FILE]

Defaults: 1,000,000 requests, seed 1, sessions starting over 3 hours, stdout.
The same options always give a byte-identical file. Summary statistics go to stderr.
"""

import argparse
import heapq
import math
import os
import random
import sys

BLOCK_TOKENS = 512
SYSTEM_PROMPT_COUNT = 8
SYSTEM_PROMPT_BLOCKS = (4, 20)
PASTED_CONTEXT_BLOCKS = (0, 8)
NEW_BLOCKS_PER_TURN = (1, 2)
MAX_TURNS = 40
MEAN_EXTRA_TURNS = 10.0           # turns = 1 + floor(exponential), capped at MAX_TURNS
THINK_MEDIAN_SECONDS = 45.0
THINK_SIGMA = 1.4                 # log-normal spread of think times
THINK_RANGE_SECONDS = (1.0, 3600.0)
OUTPUT_MEDIAN_TOKENS = 250.0
OUTPUT_SIGMA = 0.9
OUTPUT_RANGE_TOKENS = (1, 4096)
GENERATION_MS_PER_TOKEN = 20      # the response streams before the user thinks
TTL_REFERENCE_MS = 300_000        # only for the summary: share of gaps above 5 minutes


class IdAllocator:
    """Hands out fresh integer hash ids: one per distinct block of content."""

    def __init__(self):
        self.next_id = 0

    def take(self, count):
        first = self.next_id
        self.next_id += count
        return list(range(first, first + count))


class Session:
    def __init__(self, system_prompt, pasted_context, turns):
        self.system_prompt = system_prompt  # shared list of ids
        self.history = list(pasted_context)  # this session's full blocks so far
        self.turns_left = turns


def expected_turns():
    """Mean of min(MAX_TURNS, 1 + floor(Exp(mean MEAN_EXTRA_TURNS)))."""
    return sum(math.exp(-(turn - 1) / MEAN_EXTRA_TURNS) for turn in range(1, MAX_TURNS + 1))


def clamp(value, low, high):
    return max(low, min(high, value))


def sample_turns(rng):
    return min(MAX_TURNS, 1 + int(rng.expovariate(1.0 / MEAN_EXTRA_TURNS)))


def sample_think_ms(rng):
    seconds = rng.lognormvariate(math.log(THINK_MEDIAN_SECONDS), THINK_SIGMA)
    return int(clamp(seconds, *THINK_RANGE_SECONDS) * 1000)


def sample_output_tokens(rng):
    tokens = int(rng.lognormvariate(math.log(OUTPUT_MEDIAN_TOKENS), OUTPUT_SIGMA))
    return clamp(tokens, *OUTPUT_RANGE_TOKENS)


def generate(requests_wanted, seed, hours, out):
    """Writes requests_wanted lines to out in time order; returns summary statistics."""
    rng = random.Random(seed)
    ids = IdAllocator()
    system_prompts = [ids.take(rng.randint(*SYSTEM_PROMPT_BLOCKS)) for _ in range(SYSTEM_PROMPT_COUNT)]
    system_weights = [1.0 / (rank + 1) for rank in range(SYSTEM_PROMPT_COUNT)]

    session_count_goal = requests_wanted / expected_turns()
    mean_session_gap_ms = hours * 3_600_000 / max(session_count_goal, 1.0)

    # Sessions waiting for their next turn: (time ms, session number, session).
    # The session number breaks ties, so the output never depends on object order.
    waiting = []
    next_start_ms = 0.0
    turns_planned = 0
    sessions_started = 0
    stats = {
        "requests": 0,
        "sessions": 0,
        "hash_ids": 0,
        "max_hash_ids": 0,
        "input_tokens": 0,
        "output_tokens": 0,
        "bytes": 0,
        "peak_concurrent_sessions": 0,
        "gaps": 0,
        "gaps_over_ttl": 0,
        "last_ms": 0,
    }
    lines = []

    while stats["requests"] < requests_wanted:
        start_due = turns_planned < requests_wanted and (not waiting or next_start_ms <= waiting[0][0])
        if start_due:
            turns = min(sample_turns(rng), requests_wanted - turns_planned)
            turns_planned += turns
            system_prompt = rng.choices(system_prompts, weights=system_weights)[0]
            pasted_context = ids.take(rng.randint(*PASTED_CONTEXT_BLOCKS))
            heapq.heappush(
                waiting,
                (int(next_start_ms), sessions_started, Session(system_prompt, pasted_context, turns)),
            )
            sessions_started += 1
            stats["peak_concurrent_sessions"] = max(stats["peak_concurrent_sessions"], len(waiting))
            next_start_ms += rng.expovariate(1.0 / mean_session_gap_ms)
            continue

        now_ms, session_number, session = heapq.heappop(waiting)
        session.history.extend(ids.take(rng.randint(*NEW_BLOCKS_PER_TURN)))
        tail_tokens = rng.randint(1, BLOCK_TOKENS)
        hash_ids = session.system_prompt + session.history + ids.take(1)
        input_tokens = BLOCK_TOKENS * (len(hash_ids) - 1) + tail_tokens
        output_tokens = sample_output_tokens(rng)

        line = '{"timestamp": %d, "input_length": %d, "output_length": %d, "hash_ids": [%s]}\n' % (
            now_ms,
            input_tokens,
            output_tokens,
            ", ".join(map(str, hash_ids)),
        )
        lines.append(line)
        if len(lines) >= 10_000:
            out.write("".join(lines))
            lines.clear()

        stats["requests"] += 1
        stats["hash_ids"] += len(hash_ids)
        stats["max_hash_ids"] = max(stats["max_hash_ids"], len(hash_ids))
        stats["input_tokens"] += input_tokens
        stats["output_tokens"] += output_tokens
        stats["bytes"] += len(line)
        stats["last_ms"] = now_ms

        session.turns_left -= 1
        if session.turns_left > 0:
            gap_ms = output_tokens * GENERATION_MS_PER_TOKEN + sample_think_ms(rng)
            stats["gaps"] += 1
            stats["gaps_over_ttl"] += gap_ms >= TTL_REFERENCE_MS
            heapq.heappush(waiting, (now_ms + gap_ms, session_number, session))

    out.write("".join(lines))
    stats["sessions"] = sessions_started
    stats["distinct_ids"] = ids.next_id
    return stats


def print_summary(stats, seed, out_name):
    requests = stats["requests"]
    print(
        f"gen_trace: wrote {requests:,} requests to {out_name} (seed {seed}, {stats['bytes'] / 1e6:.1f} MB)\n"
        f"  sessions {stats['sessions']:,} (mean {requests / max(stats['sessions'], 1):.1f} turns), "
        f"peak concurrent {stats['peak_concurrent_sessions']:,}\n"
        f"  span {stats['last_ms'] / 3_600_000:.2f} h, "
        f"gaps >= 300 s between turns: {stats['gaps_over_ttl'] / max(stats['gaps'], 1):.1%}\n"
        f"  hash_ids per request: mean {stats['hash_ids'] / max(requests, 1):.1f}, "
        f"max {stats['max_hash_ids']}; distinct ids {stats['distinct_ids']:,}\n"
        f"  tokens: input {stats['input_tokens']:,} "
        f"(mean {stats['input_tokens'] / max(requests, 1):,.0f}), output {stats['output_tokens']:,}",
        file=sys.stderr,
    )


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return value


def positive_float(text):
    value = float(text)
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def main(argv):
    parser = argparse.ArgumentParser(description="Generate a synthetic conversation trace (Mooncake JSONL).")
    parser.add_argument("--requests", type=positive_int, default=1_000_000, help="number of requests (default 1000000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--hours", type=positive_float, default=3.0, help="span of session starts (default 3)")
    parser.add_argument("--out", default="-", help="output file (default: stdout)")
    options = parser.parse_args(argv)

    if options.out == "-":
        stats = generate(options.requests, options.seed, options.hours, sys.stdout)
        out_name = "stdout"
    else:
        # Write beside the target and rename, so an interrupted run leaves no partial trace.
        temporary = options.out + ".partial"
        with open(temporary, "w", encoding="ascii") as out:
            stats = generate(options.requests, options.seed, options.hours, out)
        os.replace(temporary, options.out)
        out_name = options.out
    print_summary(stats, options.seed, out_name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
