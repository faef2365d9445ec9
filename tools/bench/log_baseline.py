#!/usr/bin/env python3
"""Python baseline for `pcsim replay` on request logs: import and replay, written plainly.

What a user would write in an afternoon to answer "what would prompt caching save on
our logs": read openai-log lines (DESIGN §8: {"timestamp", "request", "response"}
around Chat Completions bodies) with the json module, turn each prompt into units,
and replay them through an idle-TTL prefix cache (DESIGN §3, policy ttl) in dicts.
tools/bench/logs measures pcsim against it; it favours obviousness over speed on
purpose: do not optimise it.

  - units: every message's content, in order (a string is one unit, each block of a
    list one unit); a unit's id is a hash of its role and its JSON text;
  - tokens: a simple estimate, the unit's text's words (exact on the logs of
    tools/bench/gen_logs.py, whose words are one token each), scaled so the units
    sum to usage.prompt_tokens by DESIGN §8's largest remainder rule;
  - namespace: request prompt_cache_key, else user, else the global one;
  - the cache: an entry per (namespace, model, prefix of units) with its last use;
    a request reads the deepest bound whose whole prefix is alive (t < last use +
    TTL) and refreshes and writes every bound.
Lines must be in time order (as a log is written); one that goes back is an error.
Memory: the cache's entries (they expire lazily: a swept dict), not the file.

Usage:
    log_baseline.py [--ttl SECONDS] LOG...

Prints one JSON object: {"requests", "units", "tokens": {"input", "cache_read",
"output"}, "cached_ratio"}. Exit 0, 1 on bad input, 2 on a usage error.
"""

import argparse
import datetime
import hashlib
import json
import sys


class LogError(Exception):
    pass


def timestamp_ms(value, where):
    if isinstance(value, (int, float)):
        return int(round(value * 1000))
    if isinstance(value, str):
        try:
            when = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise LogError("%s: field timestamp: not an ISO 8601 time" % where)
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        return int(round(when.timestamp() * 1000))
    raise LogError("%s: field timestamp: expected a time" % where)


def units_of(messages):
    """(id, text) per unit of a Chat Completions message list."""
    units = []
    for message in messages:
        role = message.get("role", "")
        content = message.get("content")
        blocks = [content] if isinstance(content, str) else (content or [])
        for block in blocks:
            text = block if isinstance(block, str) else block.get("text", json.dumps(block))
            unit_json = json.dumps([role, block], separators=(",", ":"))
            units.append((hashlib.blake2b(unit_json.encode(), digest_size=8).digest(), text))
    return units


def scale(counts, total):
    """Largest remainder: unit i gets floor(c_i total / C), the rest one each to the
    largest fractional parts (ties: the earlier unit); C = 0 puts all on the last."""
    whole = sum(counts)
    if whole == 0:
        return [0] * (len(counts) - 1) + [total]
    shares = [c * total // whole for c in counts]
    left = total - sum(shares)
    order = sorted(range(len(counts)), key=lambda i: (-(counts[i] * total % whole), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ttl", type=float, default=300.0)
    parser.add_argument("logs", nargs="+")
    args = parser.parse_args()
    ttl_ms = int(args.ttl * 1000)
    last_use = {}  # key -> ms
    requests = units_total = input_total = read_total = output_total = 0
    last_t = None
    sweep_at = 0
    try:
        for path in args.logs:
            with open(path) as log:
                for number, line in enumerate(log, 1):
                    if not line.strip():
                        continue
                    where = "%s:%d" % (path, number)
                    try:
                        record = json.loads(line)
                        request, response = record["request"], record["response"]
                        usage = response["usage"]
                        prompt_tokens = int(usage["prompt_tokens"])
                        output_tokens = int(usage.get("completion_tokens", 0))
                    except (ValueError, KeyError, TypeError) as error:
                        raise LogError("%s: %s" % (where, error))
                    t = timestamp_ms(record.get("timestamp"), where)
                    if last_t is not None and t < last_t:
                        raise LogError("%s: time goes back" % where)
                    last_t = t
                    namespace = request.get("prompt_cache_key") or request.get("user") or ""
                    units = units_of(request.get("messages", []))
                    tokens = scale([len(text.split()) for _, text in units], prompt_tokens) if units else []
                    key = hashlib.blake2b((namespace + "\x00" + request.get("model", "")).encode(),
                                          digest_size=8).digest()
                    end = 0
                    read = 0
                    alive = True
                    for (unit, _), count in zip(units, tokens):
                        if count == 0:
                            continue  # a unit scaled to nothing is no bound
                        key = hashlib.blake2b(key + unit, digest_size=8).digest()
                        end += count
                        used = last_use.get(key)
                        alive = alive and used is not None and t < used + ttl_ms
                        if alive:
                            read = end
                        last_use[key] = t
                        units_total += 1
                    requests += 1
                    input_total += prompt_tokens
                    read_total += read
                    output_total += output_tokens
                    if t >= sweep_at:  # expired entries can never be read again
                        last_use = {k: u for k, u in last_use.items() if t < u + ttl_ms}
                        sweep_at = t + ttl_ms
    except (LogError, OSError) as error:
        print("log_baseline: %s" % error, file=sys.stderr)
        return 1
    print(json.dumps({"requests": requests, "units": units_total,
                      "tokens": {"input": input_total, "cache_read": read_total, "output": output_total},
                      "cached_ratio": round(read_total / input_total, 6) if input_total else 0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
