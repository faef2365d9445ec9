#!/usr/bin/env python3
"""Writes large, deterministic chat logs in openai-log content form for benchmarks.

A chat application's request log as issue #16's benchmark wants it: one line per
Chat Completions call, {"timestamp", "request", "response"} (the shape of
tools/logs/logshape.py, shared with tools/make-logs), every call re-sending its
conversation's whole history:
  - a few system prompts (300 to 3,000 tokens, Zipf-like popularity) shared by the
    conversations that use them;
  - conversations arriving as a Poisson process, each 1 to 30 turns, a turn adding
    a user message (10 to 400 tokens) after the assistant's previous reply (the
    previous call's completion tokens);
  - think times between turns log-normal around 40 s (some past 5 minutes), so an
    idle TTL matters;
  - no prompt_cache_key or user: one global namespace, so conversations share
    their system prompt's cache entries.
Message texts are exactly as many o200k/cl100k tokens as they have words
(logshape.WORDS); usage.prompt_tokens is their sum, cached_tokens 0 (no provider
served these). Lines come out in time order and are written as they are made:
memory holds the open conversations only, never the file.

Usage:
    gen_logs.py [--gigabytes G] [--requests N] [--seed S] [--model NAME] [--out FILE]

Stops after G GB (default 1.0; 10^9 bytes) or N requests, whichever comes first.
The same options always give a byte-identical file. A summary goes to stderr.
"""

import argparse
import heapq
import math
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "logs"))
import logshape  # noqa: E402

SYSTEM_PROMPTS = 12
SYSTEM_TOKENS = (300, 3000)
USER_TOKENS = (10, 400)
MAX_TURNS = 30
MEAN_EXTRA_TURNS = 8.0
THINK_MEDIAN_SECONDS = 40.0
THINK_SIGMA = 1.5
OUTPUT_MEDIAN_TOKENS = 220.0
OUTPUT_SIGMA = 0.8
OUTPUT_RANGE = (1, 2000)
ARRIVALS_PER_SECOND = 2.0
BASE_MS = 1772323200000  # 2026-03-01T00:00:00Z: pinned, never the wall clock


class Conversation:
    """An open conversation: its messages as JSON text (made once, re-sent every turn)."""

    def __init__(self, number, system, turns):
        self.number = number
        self.messages = [system[0]]
        self.tokens = system[1]
        self.turns_left = turns
        self.turn = 0


def message(role, key, tokens):
    return logshape.dumps({"role": role, "content": logshape.unit_text(key, tokens)})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", default="gpt-4.1-mini")
    parser.add_argument("--out")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    limit_bytes = int(args.gigabytes * 1e9)
    out = open(args.out, "w") if args.out else sys.stdout

    systems = []
    for i in range(SYSTEM_PROMPTS):
        tokens = rng.randint(*SYSTEM_TOKENS)
        systems.append((message("system", "system-%d-%d" % (args.seed, i), tokens), tokens))
    weights = [1.0 / (i + 1) for i in range(SYSTEM_PROMPTS)]

    # Events (t_ms, order, conversation or None for the next arrival), in time order.
    events = [(0, 0, None)]
    order = 1
    conversations = 0
    written = 0
    requests = 0
    model = logshape.dumps(args.model)
    prompt_total = 0
    while events:
        t_ms, _, conversation = heapq.heappop(events)
        if conversation is None:
            turns = min(MAX_TURNS, 1 + int(rng.expovariate(1.0 / MEAN_EXTRA_TURNS)))
            system = rng.choices(systems, weights)[0]
            conversation = Conversation(conversations, system, turns)
            conversations += 1
            gap = rng.expovariate(ARRIVALS_PER_SECOND)
            heapq.heappush(events, (t_ms + int(gap * 1000), order, None))
            order += 1
        # This turn: a user message, then the call; the reply joins the history.
        user_tokens = rng.randint(*USER_TOKENS)
        conversation.messages.append(
            message("user", "c%d-%d-u%d" % (args.seed, conversation.number, conversation.turn), user_tokens))
        conversation.tokens += user_tokens
        output = int(min(OUTPUT_RANGE[1], max(OUTPUT_RANGE[0], rng.lognormvariate(math.log(OUTPUT_MEDIAN_TOKENS),
                                                                                  OUTPUT_SIGMA))))
        usage = logshape.openai_usage(conversation.tokens, output, 0, 0)
        # The line by hand around the kept message texts: the same JSON as
        # logshape.openai_line, without re-encoding the history every turn.
        line = ('{"timestamp":%s,"request":{"model":%s,"messages":[%s]},"response":{"id":"chatcmpl-%d",'
                '"object":"chat.completion","created":%d,"model":%s,"choices":[{"index":0,"message":'
                '{"role":"assistant","content":%s},"finish_reason":"stop"}],"usage":%s}}\n' % (
                    logshape.dumps(logshape.iso_time(BASE_MS + t_ms)), model, ",".join(conversation.messages),
                    requests, (BASE_MS + t_ms) // 1000, model, logshape.dumps(logshape.REPLY),
                    logshape.dumps(usage)))
        out.write(line)
        written += len(line.encode())
        requests += 1
        prompt_total += conversation.tokens
        if written >= limit_bytes or (args.requests and requests >= args.requests):
            break
        conversation.turn += 1
        conversation.turns_left -= 1
        if conversation.turns_left > 0:
            conversation.messages.append(
                message("assistant", "c%d-%d-a%d" % (args.seed, conversation.number, conversation.turn), output))
            conversation.tokens += output
            think = rng.lognormvariate(math.log(THINK_MEDIAN_SECONDS), THINK_SIGMA)
            generation_ms = output * 20
            heapq.heappush(events, (t_ms + generation_ms + int(think * 1000), order, conversation))
            order += 1
    if out is not sys.stdout:
        out.close()
    print("gen_logs: %d requests, %d conversations, %.1f MB, %.0f prompt tokens a request" % (
        requests, conversations, written / 1e6, prompt_total / max(1, requests)), file=sys.stderr)


if __name__ == "__main__":
    main()
