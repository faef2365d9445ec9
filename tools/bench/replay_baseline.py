#!/usr/bin/env python3
"""Python baseline for `pcsim replay`: the DESIGN section 3 cache model, written plainly.

This is the reference a user would write in an afternoon with the json module and
dicts: load every request, sort by time, walk the prefix chain bound by bound.
It serves two purposes: a cross-check of pcsim's numbers, and the baseline that
tools/bench/run measures pcsim's speed and memory against. It favours obviousness
over speed on purpose; do not optimise it.

Usage:
    replay_baseline.py [--policy ideal|ttl|openai|breakpoint|lru|none]
                       [--ttl SECONDS] [--min-tokens N] [--granularity N]
                       [--capacity TOKENS] TRACE...

Formats (detected per file):
    Mooncake JSONL   one object per line: timestamp (ms), input_length,
                     output_length, hash_ids (one per 512-token block; bound i
                     ends at min(512*(i+1), input_length)); one global namespace.
    Claude-Code JSON one object: block_size, requests[] with t (s), model, in,
                     out, hash_ids (full blocks; bound i ends at
                     block_size*(i+1)); entries with "type": "subagent" hold
                     their own requests[], timed relative to the entry's t.
                     Each file is its own namespace.

Prints one JSON object on stdout:
    {"policy": {...}, "requests": N, "bounds": B,
     "tokens": {"input", "cache_read", "cache_write", "uncached", "output"},
     "cached_ratio": x}
Exit 0 on success, 1 on bad input, 2 on a usage error.
"""

import argparse
import collections
import json
import math
import sys

MOONCAKE_BLOCK_TOKENS = 512
MOONCAKE_NAMESPACE = "mooncake"  # one global namespace for every Mooncake file
MOONCAKE_MODEL = ""              # Mooncake traces carry no model name

# One normalised request. bound i covers tokens [0, min(block_tokens*(i+1), input_tokens)).
Request = collections.namedtuple(
    "Request",
    "t_ms model namespace input_tokens output_tokens block_tokens units",
)


class TraceError(Exception):
    """Bad input: the message names the file, the line or request, and the field."""


def round_half_away(value):
    """llround(): to the nearest integer, halves away from zero (DESIGN section 2)."""
    whole = math.floor(value)
    fraction = value - whole  # exact for doubles of trace magnitude
    if fraction > 0.5 or (fraction == 0.5 and value >= 0):
        whole += 1
    return int(whole)


def seconds_to_ms(seconds):
    return round_half_away(seconds * 1000.0)


def expect_count(value, where, field):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TraceError(f"{where}: field {field}: expected a non-negative integer")
    return value


def expect_units(value, where):
    if not isinstance(value, list) or not all(
        isinstance(unit, int) and not isinstance(unit, bool) for unit in value
    ):
        raise TraceError(f"{where}: field hash_ids: expected array of integers")
    return value


def expect_seconds(value, where, field):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TraceError(f"{where}: field {field}: expected a number of seconds")
    return value


def load_mooncake(path, lines):
    requests = []
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{line_number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise TraceError(f"{where}: not JSON: {error.msg}") from None
        if not isinstance(record, dict):
            raise TraceError(f"{where}: expected an object")
        timestamp = record.get("timestamp")
        if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)):
            raise TraceError(f"{where}: field timestamp: expected milliseconds")
        input_tokens = expect_count(record.get("input_length"), where, "input_length")
        output_tokens = expect_count(record.get("output_length"), where, "output_length")
        units = expect_units(record.get("hash_ids"), where)
        # Every block must start inside the prompt, or two bounds would share an end.
        if MOONCAKE_BLOCK_TOKENS * (len(units) - 1) >= input_tokens and units:
            raise TraceError(
                f"{where}: field hash_ids: {len(units)} blocks do not fit input_length {input_tokens}"
            )
        requests.append(
            Request(
                t_ms=timestamp if isinstance(timestamp, int) else round_half_away(timestamp),
                model=MOONCAKE_MODEL,
                namespace=MOONCAKE_NAMESPACE,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                block_tokens=MOONCAKE_BLOCK_TOKENS,
                units=units,
            )
        )
    return requests


def load_claude_code(path, session):
    where = path
    block_tokens = session.get("block_size")
    if isinstance(block_tokens, bool) or not isinstance(block_tokens, int) or block_tokens <= 0:
        raise TraceError(f"{where}: field block_size: expected a positive integer")
    requests = []

    def add_entries(entries, base_seconds, label):
        if not isinstance(entries, list):
            raise TraceError(f"{where}: {label}: field requests: expected an array")
        for index, entry in enumerate(entries):
            entry_where = f"{where}: {label}[{index}]"
            if not isinstance(entry, dict):
                raise TraceError(f"{entry_where}: expected an object")
            seconds = base_seconds + expect_seconds(entry.get("t"), entry_where, "t")
            if entry.get("type") == "subagent":
                add_entries(entry.get("requests"), seconds, f"{label}[{index}].requests")
                continue
            model = entry.get("model")
            if not isinstance(model, str):
                raise TraceError(f"{entry_where}: field model: expected a string")
            input_tokens = expect_count(entry.get("in"), entry_where, "in")
            output_tokens = expect_count(entry.get("out"), entry_where, "out")
            units = expect_units(entry.get("hash_ids"), entry_where)
            if block_tokens * len(units) > input_tokens:
                raise TraceError(
                    f"{entry_where}: field hash_ids: {len(units)} full blocks exceed in {input_tokens}"
                )
            requests.append(
                Request(
                    t_ms=seconds_to_ms(seconds),
                    model=model,
                    namespace=path,
                    input_tokens=input_tokens,
                    output_tokens=output_tokens,
                    block_tokens=block_tokens,
                    units=units,
                )
            )

    add_entries(session.get("requests"), 0.0, "requests")
    return requests


def load_trace(path):
    """Reads one file. A Claude-Code session is one JSON object with block_size;
    anything else is read as Mooncake JSONL, a line at a time."""
    try:
        with open(path, encoding="utf-8") as trace_file:
            first_line = trace_file.readline()
            try:
                first_record = json.loads(first_line)
            except json.JSONDecodeError:
                first_record = None  # a session object spread over several lines
            if first_record is None:
                trace_file.seek(0)
                try:
                    session = json.load(trace_file)
                except json.JSONDecodeError as error:
                    raise TraceError(f"{path}:{error.lineno}: not JSON: {error.msg}") from None
                if not (isinstance(session, dict) and "block_size" in session):
                    raise TraceError(f"{path}: not a Mooncake or Claude-Code trace")
                return load_claude_code(path, session)
            if isinstance(first_record, dict) and "block_size" in first_record:
                if trace_file.read().strip():
                    raise TraceError(f"{path}:2: text after the session object")
                return load_claude_code(path, first_record)
            trace_file.seek(0)
            return load_mooncake(path, trace_file)
    except OSError as error:
        raise TraceError(f"{path}: {error.strerror}") from None


def bound_ends(request):
    return [
        min(request.block_tokens * (index + 1), request.input_tokens)
        for index in range(len(request.units))
    ]


def chain_keys(request):
    """key_0 = hash((model, namespace, unit_0)), key_i = hash((key_{i-1}, unit_i))."""
    keys = []
    key = (request.model, request.namespace)
    for unit in request.units:
        key = hash((key, unit))
        keys.append(key)
    return keys


class PrefixCache:
    """ideal, ttl and openai: every bound is an entry, last_use[key] = u."""

    def __init__(self, ttl_ms):
        self.ttl_ms = ttl_ms  # None: no expiry (ideal)
        self.last_use = {}

    def alive(self, key, t_ms):
        if key not in self.last_use:
            return False
        return self.ttl_ms is None or t_ms < self.last_use[key] + self.ttl_ms

    def access(self, request, keys, ends):
        """Returns (matched tokens, written tokens)."""
        matched = 0
        for key, end in zip(keys, ends):
            if not self.alive(key, request.t_ms):
                break
            matched = end
        for key in keys:
            self.last_use[key] = request.t_ms
        return matched, 0


class OpenAICache(PrefixCache):
    def __init__(self, ttl_ms, min_tokens, granularity):
        super().__init__(ttl_ms)
        self.min_tokens = min_tokens
        self.granularity = granularity

    def access(self, request, keys, ends):
        matched, written = super().access(request, keys, ends)
        if request.input_tokens < self.min_tokens or matched < self.min_tokens:
            return 0, written
        return matched // self.granularity * self.granularity, written


class BreakpointCache:
    """Entries only at the last bound (these formats mark no breakpoints)."""

    def __init__(self, ttl_ms, min_tokens):
        self.ttl_ms = ttl_ms
        self.min_tokens = min_tokens
        self.last_use = {}

    def alive(self, key, t_ms):
        return key in self.last_use and t_ms < self.last_use[key] + self.ttl_ms

    def access(self, request, keys, ends):
        if not keys:
            return 0, 0
        t_ms = request.t_ms
        read = 0
        for key, end in zip(reversed(keys), reversed(ends)):
            if self.alive(key, t_ms):
                read = end
                self.last_use[key] = t_ms  # the entry that served the read
                break
        last_key, last_end = keys[-1], ends[-1]
        written = 0
        if last_end >= self.min_tokens and last_end > read:
            self.last_use[last_key] = t_ms
            written = last_end - read
        elif self.alive(last_key, t_ms):
            self.last_use[last_key] = t_ms
        return read, written


class LRUCache:
    """No TTL; capacity in tokens; bound k costs end_k - end_{k-1}, set when inserted."""

    def __init__(self, capacity_tokens):
        self.capacity_tokens = capacity_tokens
        self.entries = collections.OrderedDict()  # key -> cost; first = least recently used
        self.cached_tokens = 0

    def access(self, request, keys, ends):
        matched = 0
        for key, end in zip(keys, ends):
            if key not in self.entries:
                break
            matched = end
        # Deepest first, so the shallowest bound ends up most recent and a prefix
        # is never evicted before its extensions.
        for index in reversed(range(len(keys))):
            key = keys[index]
            if key in self.entries:
                self.entries.move_to_end(key)
            else:
                cost = ends[index] - (ends[index - 1] if index > 0 else 0)
                self.entries[key] = cost
                self.cached_tokens += cost
        while self.cached_tokens > self.capacity_tokens:
            _, cost = self.entries.popitem(last=False)
            self.cached_tokens -= cost
        return matched, 0


class NoCache:
    def access(self, request, keys, ends):
        return 0, 0


def make_cache(options):
    ttl_ms = seconds_to_ms(options.ttl)
    if options.policy == "ideal":
        return PrefixCache(None)
    if options.policy == "ttl":
        return PrefixCache(ttl_ms)
    if options.policy == "openai":
        return OpenAICache(ttl_ms, options.min_tokens, options.granularity)
    if options.policy == "breakpoint":
        return BreakpointCache(ttl_ms, options.min_tokens)
    if options.policy == "lru":
        return LRUCache(options.capacity)
    return NoCache()


def replay(requests, options):
    # One cache for every model: the model is part of each key, so caches are per model.
    cache = make_cache(options)
    totals = {"input": 0, "cache_read": 0, "cache_write": 0, "uncached": 0, "output": 0}
    bound_count = 0
    for request in requests:
        keys = chain_keys(request)
        ends = bound_ends(request)
        bound_count += len(keys)
        read, written = cache.access(request, keys, ends)
        totals["input"] += request.input_tokens
        totals["cache_read"] += read
        totals["cache_write"] += written
        totals["uncached"] += request.input_tokens - read - written
        totals["output"] += request.output_tokens
    return totals, bound_count


def policy_summary(options):
    summary = {"name": options.policy}
    if options.policy in ("ttl", "openai", "breakpoint"):
        summary["ttl_seconds"] = options.ttl
    if options.policy in ("openai", "breakpoint"):
        summary["min_tokens"] = options.min_tokens
    if options.policy == "openai":
        summary["granularity"] = options.granularity
    if options.policy == "lru":
        summary["capacity_tokens"] = options.capacity
    return summary


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Replay traces through a plain Python model of pcsim's prompt cache."
    )
    parser.add_argument(
        "--policy",
        default="ttl",
        choices=["ideal", "ttl", "openai", "breakpoint", "lru", "none"],
    )
    parser.add_argument("--ttl", type=float, default=300.0, help="idle TTL in seconds (default 300)")
    parser.add_argument("--min-tokens", type=int, default=1024, help="openai, breakpoint (default 1024)")
    parser.add_argument("--granularity", type=int, default=128, help="openai (default 128)")
    parser.add_argument("--capacity", type=int, help="lru: cache capacity in tokens")
    parser.add_argument("traces", nargs="+", metavar="TRACE")
    options = parser.parse_args(argv)
    if options.ttl <= 0:
        parser.error("--ttl must be positive")
    if options.min_tokens < 0:
        parser.error("--min-tokens must not be negative")
    if options.granularity < 1:
        parser.error("--granularity must be at least 1")
    if options.policy == "lru" and (options.capacity is None or options.capacity <= 0):
        parser.error("--policy lru needs a positive --capacity")
    return options


def main(argv):
    options = parse_arguments(argv)
    requests = []
    try:
        for path in options.traces:
            requests.extend(load_trace(path))
    except TraceError as error:
        print(f"replay_baseline: {error}", file=sys.stderr)
        return 1
    requests.sort(key=lambda request: request.t_ms)  # stable: equal times keep input order
    totals, bound_count = replay(requests, options)
    report = {
        "policy": policy_summary(options),
        "requests": len(requests),
        "bounds": bound_count,
        "tokens": totals,
        "cached_ratio": totals["cache_read"] / totals["input"] if totals["input"] else 0.0,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
