#!/usr/bin/env python3
"""A deliberately simple, per-bound reference of pcsim's cache model (DESIGN section 3).

It reads pcsim's native JSONL and replays it through one of the bare policies
ideal, ttl, openai, breakpoint, lru or none, one bound at a time, with no cleverness:
an entry is a dict item keyed by the whole chained prefix
(namespace, model, (unit_0, ..., unit_i)), so two prompts share an entry iff they
share the namespace, the model and every unit up to that bound. Caches are per
model because the model is part of every key.

It exists to be compared with `pcsim replay` (tests/reference/differential_test.py),
so it is written from the design text, not from pcsim's source. Standard library only.

The refinements of DESIGN section 3, each off (0) unless asked for, as the project
reads them (issue 18):
  --overflow-rpm N   OpenAI overflow routing (any policy): a request's routing key is
                     (model, its cache_key, the chain key of its deepest bound ending at
                     or before token 256, else of its first bound); with r requests of
                     that key in the trailing 60 s (t - 60 s < t' <= t, this one
                     included) the key has m = max(1, ceil(r / N)) machines, the request
                     goes to machine c mod m (c: the key's earlier requests), and each
                     (key, machine) is a cache of its own.
  --visible-after on An entry written by a request at t is readable from t + the
                     request's ttft; lookups see alive and readable entries only
                     (breakpoint policy).
  --lookback N       From each breakpoint the lookup checks N bounds back
                     (breakpoint policy; requests whose units are content blocks, that
                     is native segments; hash_ids requests are exempt).
The native fields cache_key (text), ttft (seconds) and content_blocks (true or
false; default: true with segments, false with hash_ids) are read for them.

Usage:
    reference_sim.py [--policy ideal|ttl|openai|breakpoint|lru|none] [--ttl SECONDS]
                     [--min-tokens N] [--granularity N] [--capacity TOKENS]
                     [--overflow-rpm N] [--visible-after on|off] [--lookback N] TRACE...

Prints one JSON object like `pcsim replay --format json`:
    {"policy": {...}, "requests": N,
     "tokens": {"input", "cache_read", "cache_write", "cache_write_1h", "uncached", "output"},
     "by_model": [{"model": name, "requests": n, "tokens": {...}}, ...]}
Exit 0 on success, 1 on bad input, 2 on a usage error.
"""

import argparse
import collections
import json
import math
import sys

TTL_5M_MS = 300 * 1000
TTL_1H_MS = 3600 * 1000
MARKER_TTL_MS = {"5m": TTL_5M_MS, "1h": TTL_1H_MS}
GLOBAL_NAMESPACE = ("global",)
TOKEN_FIELDS = ("input", "cache_read", "cache_write", "cache_write_1h", "uncached", "output")
KNOWN_FIELDS = {
    "t", "model", "input_tokens", "output_tokens", "hash_ids", "block_tokens", "segments",
    "task", "attempt", "ok", "tier", "session", "meta", "cache_key", "ttft", "content_blocks",
}
ROUTING_PREFIX_TOKENS = 256  # overflow routing looks at the prompt's first 256 tokens
ROUTING_WINDOW_MS = 60 * 1000  # and counts a routing key's requests over the trailing minute

# One bound of a prompt: key identifies the whole prefix up to end; marker is
# None, "5m" or "1h" (a segment's "cache"), or True (a breakpoint on the policy's TTL).
Bound = collections.namedtuple("Bound", "key end marker")
# cache_key: the request's text cache_key or None; ttft_ms: its time to first token
# (0 when unknown); content_blocks: its units are content blocks (native segments),
# not fixed-size blocks (hash_ids), so lookback applies to it.
Request = collections.namedtuple(
    "Request",
    "t_ms model input_tokens output_tokens bounds cache_key ttft_ms content_blocks",
    defaults=(None, 0, False),
)


class TraceError(Exception):
    pass


# ------------------------------------------------------------------ reading


def round_half_away(value):
    """llround(): nearest integer, halves away from zero."""
    whole = math.floor(value)
    fraction = value - whole
    if fraction > 0.5 or (fraction == 0.5 and value >= 0):
        whole += 1
    return int(whole)


def seconds_to_ms(seconds):
    return round_half_away(float(seconds) * 1000.0)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def id_text(value, where):
    """A segment id or session name: a string or an integer; 5 and "5" are one id."""
    if isinstance(value, str) and value:
        return value
    if is_int(value):
        return str(value)
    raise TraceError(f"{where}: expected a non-empty string or an integer")


def count(record, field, where, positive=False):
    value = record.get(field)
    if not is_int(value) or value < 0 or (positive and value == 0):
        raise TraceError(f"{where}: field {field}: expected a {'positive' if positive else 'non-negative'} integer")
    return value


def parse_record(record, where):
    if not isinstance(record, dict):
        raise TraceError(f"{where}: expected an object")
    for field in record:
        if field not in KNOWN_FIELDS:
            raise TraceError(f"{where}: field {field}: unknown field")
    seconds = record.get("t")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise TraceError(f"{where}: field t: expected a non-negative number of seconds")
    model = record.get("model")
    if not isinstance(model, str) or not model:
        raise TraceError(f"{where}: field model: expected a model name")
    output_tokens = count(record, "output_tokens", where)
    if "session" in record:
        namespace = ("session", id_text(record["session"], f"{where}: field session"))
    else:
        namespace = GLOBAL_NAMESPACE
    if "hash_ids" in record and "segments" in record:
        raise TraceError(f"{where}: give either hash_ids or segments, not both")
    cache_key = record.get("cache_key")
    if "cache_key" in record and (not isinstance(cache_key, str) or not cache_key):
        raise TraceError(f"{where}: field cache_key: expected a non-empty string")
    ttft_ms = 0
    if "ttft" in record:
        ttft = record["ttft"]
        if isinstance(ttft, bool) or not isinstance(ttft, (int, float)) or ttft < 0:
            raise TraceError(f"{where}: field ttft: expected a non-negative number of seconds")
        ttft_ms = seconds_to_ms(ttft)
    content_blocks = "segments" in record  # segments are content blocks, hash_ids blocks are not
    if "content_blocks" in record:
        content_blocks = record["content_blocks"]
        if not isinstance(content_blocks, bool):
            raise TraceError(f"{where}: field content_blocks: expected true or false")

    # units[i] identifies unit i; ends[i] is where bound i ends; markers[i] its cache marker.
    units, ends, markers = [], [], []
    if "segments" in record:
        segments = record["segments"]
        if not isinstance(segments, list):
            raise TraceError(f"{where}: field segments: expected an array")
        end = 0
        for index, segment in enumerate(segments):
            here = f"{where}: segments[{index}]"
            if not isinstance(segment, dict) or "id" not in segment:
                raise TraceError(f"{here}: expected an object with id and tokens")
            end += count(segment, "tokens", here, positive=True)
            marker = segment.get("cache")
            if marker is not None and marker is not True and marker not in MARKER_TTL_MS:
                raise TraceError(f'{here}: field cache: expected "5m", "1h" or true')
            units.append(("segment", id_text(segment["id"], f"{here}: field id")))
            ends.append(end)
            markers.append(marker)
        input_tokens = count(record, "input_tokens", where) if "input_tokens" in record else end
        if end > input_tokens:
            raise TraceError(f"{where}: segments add up to more than input_tokens")
    else:
        input_tokens = count(record, "input_tokens", where)
        if "hash_ids" in record:
            ids = record["hash_ids"]
            if not isinstance(ids, list) or not all(is_int(unit) and unit >= 0 for unit in ids):
                raise TraceError(f"{where}: field hash_ids: expected an array of non-negative integers")
            block_tokens = count(record, "block_tokens", where, positive=True)
            if len(ids) > -(-input_tokens // block_tokens):
                raise TraceError(f"{where}: field hash_ids: more blocks than input_tokens holds")
            for index, unit in enumerate(ids):
                units.append(("block", unit))
                ends.append(min(block_tokens * (index + 1), input_tokens))
                markers.append(None)
        elif "block_tokens" in record:
            raise TraceError(f"{where}: block_tokens without hash_ids")

    bounds = []
    for index in range(len(units)):
        key = (namespace, model, tuple(units[: index + 1]))  # the chained key, spelled out
        bounds.append(Bound(key, ends[index], markers[index]))
    return Request(
        seconds_to_ms(seconds), model, input_tokens, output_tokens, bounds, cache_key, ttft_ms, content_blocks
    )


def load(paths):
    requests = []
    for path in paths:
        with open(path, encoding="utf-8") as trace_file:
            for line_number, line in enumerate(trace_file, start=1):
                if not line.strip():
                    continue
                where = f"{path}:{line_number}"
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise TraceError(f"{where}: not JSON: {error.msg}") from None
                requests.append(parse_record(record, where))
    requests.sort(key=lambda request: request.t_ms)  # stable: ties keep file order
    return requests


# ------------------------------------------------------------------ policies
# Each access(request) returns (cache_read, cache_write, cache_write_1h).


class Ideal:
    """ideal (ttl_ms None), ttl: every bound is an entry with last use u."""

    def __init__(self, ttl_ms=None):
        self.ttl_ms = ttl_ms
        self.last_use = {}

    def alive(self, key, t_ms):
        if key not in self.last_use:
            return False
        return self.ttl_ms is None or t_ms < self.last_use[key] + self.ttl_ms

    def matched(self, request):
        """End of the deepest bound k such that bounds 0..k are all alive."""
        read = 0
        for bound in request.bounds:
            if not self.alive(bound.key, request.t_ms):
                break
            read = bound.end
        return read

    def access(self, request):
        read = self.matched(request)
        for bound in request.bounds:
            self.last_use[bound.key] = request.t_ms
        return read, 0, 0


class OpenAI(Ideal):
    def __init__(self, ttl_ms, min_tokens, granularity):
        super().__init__(ttl_ms)
        self.min_tokens = min_tokens
        self.granularity = granularity

    def access(self, request):
        matched, _, _ = super().access(request)
        if request.input_tokens < self.min_tokens or matched < self.min_tokens:
            return 0, 0, 0
        return matched // self.granularity * self.granularity, 0, 0


class Breakpoint:
    """Entries only where written, each with its own last use and TTL.

    An entry written or refreshed at a marked breakpoint lives by its marker's
    TTL, unless the TTL is a what-if (an explicit --ttl, a sweep point): then
    ttl_ms is every entry's TTL, marked or not (DESIGN section 3).

    visible_after: an entry written by a request at t is readable from
    t + the request's ttft (else at once); lookups see alive and readable entries
    only. lookback (0 = off): for a request whose units are content blocks, the
    lookup checks a bound only if it lies at most lookback bounds before one of the
    request's breakpoints."""

    def __init__(self, ttl_ms, min_tokens, ttl_overrides_markers=False, visible_after=False, lookback=0):
        self.ttl_ms = ttl_ms
        self.min_tokens = min_tokens
        self.ttl_overrides_markers = ttl_overrides_markers
        self.visible_after = visible_after
        self.lookback = lookback
        self.entries = {}  # key -> [u, ttl_ms, readable_at]

    def alive(self, key, t_ms):
        entry = self.entries.get(key)
        return entry is not None and t_ms < entry[0] + entry[1]

    def readable(self, key, t_ms):
        return self.alive(key, t_ms) and self.entries[key][2] <= t_ms

    def access(self, request):
        t = request.t_ms
        bounds = request.bounds
        if not bounds:
            return 0, 0, 0
        marked = [index for index, bound in enumerate(bounds) if bound.marker is not None]
        breakpoints = marked if marked else [len(bounds) - 1]
        ttft = request.ttft_ms if self.visible_after else 0
        lookback = self.lookback if request.content_blocks else 0

        def breakpoint_ttl(index):
            marker = bounds[index].marker
            if marker is None or marker is True or self.ttl_overrides_markers:
                return self.ttl_ms
            return MARKER_TTL_MS[marker]

        def checked(index):
            if lookback == 0:
                return True
            return any(index <= b and b - index <= lookback for b in breakpoints)

        # Lookup: the deepest checked, alive and readable entry on the prompt's chain,
        # contiguous or not.
        served = None
        for index in reversed(range(len(bounds))):
            if checked(index) and self.readable(bounds[index].key, t):
                served = index
                break
        read = bounds[served].end if served is not None else 0
        alive_breakpoints = [index for index in breakpoints if self.alive(bounds[index].key, t)]

        # Writes: every breakpoint at or above min and beyond what was read. An entry
        # alive there but not yet readable is written again (billed) and becomes
        # readable at the earlier of its two times; a dead or absent one at t + ttft.
        write = write_1h = 0
        previous_end = read
        for index in breakpoints:
            end = bounds[index].end
            if end >= self.min_tokens and end > read:
                key = bounds[index].key
                readable_at = t + ttft
                if self.alive(key, t):
                    readable_at = min(self.entries[key][2], readable_at)
                ttl = breakpoint_ttl(index)
                self.entries[key] = [t, ttl, readable_at]
                span = end - previous_end
                write += span
                if ttl >= TTL_1H_MS:
                    write_1h += span
                previous_end = end

        # Refresh: the entry that served the read, then every alive breakpoint entry;
        # a refresh never changes when an entry became readable.
        if served is not None:
            entry = self.entries[bounds[served].key]
            entry[0] = t
            if bounds[served].marker is not None:
                entry[1] = breakpoint_ttl(served)
        for index in alive_breakpoints:
            entry = self.entries[bounds[index].key]
            entry[0] = t
            entry[1] = breakpoint_ttl(index)
        return read, write, write_1h


class LRU:
    """No TTL; capacity in tokens; bound k costs end_k - end_{k-1}, fixed when inserted."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.entries = collections.OrderedDict()  # key -> cost; first = least recently used
        self.total = 0

    def access(self, request):
        read = 0
        for bound in request.bounds:
            if bound.key not in self.entries:
                break
            read = bound.end
        for index in reversed(range(len(request.bounds))):  # deepest first
            bound = request.bounds[index]
            if bound.key in self.entries:
                self.entries.move_to_end(bound.key)
            else:
                cost = bound.end - (request.bounds[index - 1].end if index > 0 else 0)
                self.entries[bound.key] = cost
                self.total += cost
        while self.total > self.capacity:
            _, cost = self.entries.popitem(last=False)
            self.total -= cost
        return read, 0, 0


class NoCache:
    def access(self, request):
        return 0, 0, 0


class OverflowRouter:
    """OpenAI overflow routing in front of any cache (DESIGN section 3, overflow_rpm).

    Every request is counted, cacheable or not. The window counts the requests of
    the key replayed so far (time order, ties in input order) and this one, so of
    several requests at one time the later ones see the earlier ones but not the
    reverse. Each (routing key, machine) is a cache of its own: the request's keys
    are moved into that namespace before the cache sees them. (For lru the machines
    are namespaces of one cache and share its capacity.)"""

    def __init__(self, cache, overflow_rpm):
        self.cache = cache
        self.overflow_rpm = overflow_rpm
        self.times = {}  # routing key -> times of its requests so far
        self.counter = {}  # routing key -> requests so far

    @staticmethod
    def routing_key(request):
        anchor = None
        for bound in request.bounds:
            if bound.end <= ROUTING_PREFIX_TOKENS:
                anchor = bound.key  # the deepest such bound wins
        if anchor is None and request.bounds:
            anchor = request.bounds[0].key  # the first bound already ends after 256
        return (request.model, request.cache_key, anchor)

    def access(self, request):
        t = request.t_ms
        routing_key = self.routing_key(request)
        times = self.times.setdefault(routing_key, [])
        times.append(t)
        recent = sum(1 for earlier in times if t - ROUTING_WINDOW_MS < earlier <= t)
        machines = max(1, -(-recent // self.overflow_rpm))  # ceil, in integers
        machine = self.counter.get(routing_key, 0) % machines
        self.counter[routing_key] = self.counter.get(routing_key, 0) + 1
        namespace = ("routed", routing_key, machine)
        bounds = [Bound((namespace, bound.key), bound.end, bound.marker) for bound in request.bounds]
        return self.cache.access(request._replace(bounds=bounds))


# ------------------------------------------------------------------ replay

DEFAULTS = {  # bare policies as pcsim presets them: ttl seconds, min tokens, granularity
    "ideal": (None, 0, 1),
    "ttl": (300, 0, 1),
    "openai": (300, 1024, 128),
    "breakpoint": (300, 0, 1),
    "lru": (None, 0, 1),
    "none": (None, 0, 1),
}


def make_cache(policy, ttl_ms, min_tokens, granularity, capacity, ttl_overrides_markers=False,
               overflow_rpm=0, visible_after=False, lookback=0):
    if overflow_rpm and policy != "none":
        cache = make_cache(policy, ttl_ms, min_tokens, granularity, capacity, ttl_overrides_markers,
                           visible_after=visible_after, lookback=lookback)
        return OverflowRouter(cache, overflow_rpm)
    if policy == "ideal":
        return Ideal(None)
    if policy == "ttl":
        return Ideal(ttl_ms)
    if policy == "openai":
        return OpenAI(ttl_ms, min_tokens, granularity)
    if policy == "breakpoint":
        return Breakpoint(ttl_ms, min_tokens, ttl_overrides_markers, visible_after, lookback)
    if policy == "lru":
        return LRU(capacity)
    return NoCache()


def replay(requests, policy, ttl_ms=None, min_tokens=0, granularity=1, capacity=None, ttl_overrides_markers=False,
           overflow_rpm=0, visible_after=False, lookback=0):
    """ttl_overrides_markers: the TTL was given explicitly (a what-if), so it
    overrides the "5m"/"1h" markers too. overflow_rpm, visible_after, lookback:
    the refinements, 0/False = off (visible_after and lookback: breakpoint only)."""
    cache = make_cache(policy, ttl_ms, min_tokens, granularity, capacity, ttl_overrides_markers,
                       overflow_rpm, visible_after, lookback)
    totals = dict.fromkeys(TOKEN_FIELDS, 0)
    by_model = {}  # model -> [requests, totals], in order of first appearance
    for request in requests:
        read, write, write_1h = cache.access(request)
        usage = {
            "input": request.input_tokens,
            "cache_read": read,
            "cache_write": write,
            "cache_write_1h": write_1h,
            "uncached": request.input_tokens - read - write,
            "output": request.output_tokens,
        }
        slot = by_model.setdefault(request.model, [0, dict.fromkeys(TOKEN_FIELDS, 0)])
        slot[0] += 1
        for field in TOKEN_FIELDS:
            totals[field] += usage[field]
            slot[1][field] += usage[field]
    return {
        "requests": len(requests),
        "tokens": totals,
        "by_model": [
            {"model": model, "requests": slot[0], "tokens": slot[1]} for model, slot in by_model.items()
        ],
    }


def parse_seconds(text):
    scale = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if text and text[-1] in scale:
        return float(text[:-1]) * scale[text[-1]]
    return float(text)


def main(argv):
    parser = argparse.ArgumentParser(description="Per-bound reference of pcsim's cache model.")
    parser.add_argument("--policy", default="ttl", choices=sorted(DEFAULTS))
    parser.add_argument("--ttl", help="idle TTL: 300, 0.5, 5m, 1h; given, it overrides the 5m/1h markers too")
    parser.add_argument("--min-tokens", type=int)
    parser.add_argument("--granularity", type=int)
    parser.add_argument("--capacity", type=int)
    parser.add_argument("--overflow-rpm", type=int, help="overflow routing: requests per minute per machine (0 = off)")
    parser.add_argument("--visible-after", choices=("on", "off", "1", "0"),
                        help="entries readable only from the writer's t + ttft (breakpoint)")
    parser.add_argument("--lookback", type=int, help="bounds checked back from each breakpoint (breakpoint; 0 = off)")
    parser.add_argument("traces", nargs="+", metavar="TRACE")
    options = parser.parse_args(argv)
    ttl_s, min_tokens, granularity = DEFAULTS[options.policy]
    if options.ttl is not None:
        ttl_s = parse_seconds(options.ttl)
    if options.min_tokens is not None:
        min_tokens = options.min_tokens
    if options.granularity is not None:
        granularity = options.granularity
    ttl_ms = None if ttl_s is None else round_half_away(ttl_s * 1000.0)
    if ttl_ms is not None and ttl_ms <= 0:
        parser.error("--ttl must be positive")
    if granularity < 1 or min_tokens < 0:
        parser.error("--granularity must be >= 1 and --min-tokens >= 0")
    if options.policy == "lru" and (options.capacity is None or options.capacity <= 0):
        parser.error("--policy lru needs a positive --capacity")
    overflow_rpm = options.overflow_rpm or 0
    visible_after = options.visible_after in ("on", "1")
    lookback = options.lookback or 0
    if overflow_rpm < 0 or lookback < 0:
        parser.error("--overflow-rpm and --lookback must be >= 0")
    if (visible_after or lookback) and options.policy != "breakpoint":
        parser.error("--visible-after and --lookback apply to --policy breakpoint only")
    try:
        requests = load(options.traces)
    except (OSError, TraceError) as error:
        print(f"reference_sim: {error}", file=sys.stderr)
        return 1
    report = replay(requests, options.policy, ttl_ms, min_tokens, granularity, options.capacity,
                    ttl_overrides_markers=options.ttl is not None, overflow_rpm=overflow_rpm,
                    visible_after=visible_after, lookback=lookback)
    policy = {"name": options.policy}
    if ttl_ms is not None:
        policy["ttl_ms"] = ttl_ms
    if options.policy in ("openai", "breakpoint"):
        policy["min_tokens"] = min_tokens
    if options.policy == "openai":
        policy["granularity"] = granularity
    if options.policy == "lru":
        policy["capacity_tokens"] = options.capacity
    if options.overflow_rpm is not None:  # the refinements are echoed when given
        policy["overflow_rpm"] = overflow_rpm
    if options.visible_after is not None:
        policy["visible_after"] = int(visible_after)
    if options.lookback is not None:
        policy["lookback"] = lookback
    print(json.dumps({"policy": policy, **report}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
