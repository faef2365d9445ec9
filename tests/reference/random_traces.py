#!/usr/bin/env python3
"""Small random native JSONL traces that stress the edges of pcsim's cache model.

    random_traces.py --seed S --out FILE [--requests N]

Each trace is a handful of requests whose prompts are built from earlier ones, so that:
  - prompts share prefixes and diverge at every depth, are strict prefixes of
    earlier prompts, or repeat an earlier prompt exactly; half the traces are
    "conversations" (threads that grow a turn at a time, retry and fork), the
    others draw from a pool of all earlier prompts;
  - times sit on a coarse grid with gaps drawn from TIME_GAPS, which holds every
    TTL the differential test uses (and the 5m/1h marker TTLs), so t == u + ttl
    (a miss) happens often; gaps of 0 give equal timestamps; some times are
    jittered by a millisecond or half of one (t_ms = llround(t * 1000));
  - several models and sessions (session 7 and "7" are one namespace; segment
    id 3 and "3" are one id) and the global namespace;
  - segments with and without cache markers (mixed "5m"/"1h"), hash_ids with a
    partial last block or an uncacheable tail, prompts with nothing cacheable;
  - the same ids with different token counts (the same chained key with another end);
  - token counts around the min_tokens values 5 and 64 (reached exactly);
  - lines written partly out of time order (the reader must sort, stably).
generate_refinements(seed) (--refinements) makes longer traces for the refinements of
DESIGN section 3: hot prefixes above 15 requests a minute with pauses at the 60 s
window's edge, first bounds ending at 255, 256 and 257 tokens (segments and blocks),
cache_key on some requests, bursts of parallel requests with ttft, conversations
growing 15-25 segments a turn with breakpoints 20 or 21 bounds apart, and segments
and hash_ids requests mixed, sometimes in two files.
Standard library only; the same seed gives the same file.
"""

import argparse
import json
import random

# Every TTL the differential test passes (seconds) is a gap, and so are the marker TTLs.
TIME_GAPS = (0, 0, 0, 0.5, 1, 1, 2, 2.5, 5, 5, 7.5, 10, 60, 300, 3600, 299.999, 0.001, 0.0005)
JITTER = (0.0005, -0.0005, 0.001, -0.001, 0.0004, 0.0006, -0.0015)
MODELS = ("m1", "m2", "m3")
SESSIONS = (None, None, "s1", 7, "7", "s2")
BLOCK_TOKENS = (1, 4, 5, 8, 16, 32, 64)
SEGMENT_TOKENS = (1, 2, 3, 4, 5, 8, 11, 16, 32, 59, 60, 64)
MARKER_STYLES = ("none", "none", "last", "5m", "1h", "mixed", "mixed", "sticky")


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        rng = self.rng
        self.models = MODELS[: rng.choice((1, 1, 2, 3))]
        self.sessions = SESSIONS if rng.random() < 0.4 else (None,)
        self.segment_share = rng.choice((0.0, 0.5, 0.9, 0.9))
        self.block_tokens = rng.choice(BLOCK_TOKENS)
        self.marker_style = rng.choice(MARKER_STYLES)
        self.conversation = rng.random() < 0.5
        self.fresh = 0
        self.pool = []  # (kind, units) of every prompt so far
        self.threads = []  # conversation threads: {"kind", "model", "session", "turns": [units]}
        self.segment_tokens = {}  # str(id) -> tokens, usually one size per id
        self.sticky_markers = {}  # str(id) -> marker, for the "sticky" style

    def new_unit(self, kind):
        """A fresh unit id: an int for hash_ids, a str or an int for segments."""
        self.fresh += 1
        if kind == "segments" and self.rng.random() < 0.6:
            return f"u{self.fresh}"
        return self.fresh

    def new_units(self, kind, low, high):
        return [self.new_unit(kind) for _ in range(self.rng.randint(low, high))]

    def from_pool(self, kind):
        """New units, or an earlier prompt repeated, cut, extended or diverged."""
        rng = self.rng
        same_kind = [units for units_kind, units in self.pool if units_kind == kind]
        if not same_kind or rng.random() < 0.2:
            return self.new_units(kind, 0, 6)
        return self.vary(kind, list(rng.choice(same_kind)))

    def vary(self, kind, base):
        rng = self.rng
        action = rng.random()
        if action < 0.25:  # identical
            return base
        if action < 0.45:  # strict prefix
            return base[: rng.randint(0, max(0, len(base) - 1))]
        if action < 0.7:  # extend
            return base + self.new_units(kind, 1, 3)
        cut = rng.randint(0, len(base))  # diverge at depth cut
        tail = self.new_units(kind, 1, 3)
        if cut < len(base) and rng.random() < 0.3:
            tail += base[cut + 1 :]  # the same suffix after a different unit
        return base[:cut] + tail

    def from_thread(self, kind):
        """(units, model, session) for the next turn of a conversation."""
        rng = self.rng
        threads = [thread for thread in self.threads if thread["kind"] == kind]
        if not threads or rng.random() < 0.15:
            thread = {
                "kind": kind,
                "model": rng.choice(self.models),
                "session": rng.choice(self.sessions),
                "turns": [],
            }
            shared = [units for units_kind, units in self.pool if units_kind == kind]
            start = list(rng.choice(shared)[: rng.randint(0, 2)]) if shared and rng.random() < 0.5 else []
            units = start + self.new_units(kind, 1, 3)  # maybe a shared system prompt
            self.threads.append(thread)
        else:
            thread = rng.choice(threads)
            last = thread["turns"][-1]
            action = rng.random()
            if action < 0.55:  # the next turn
                units = last + self.new_units(kind, 1, 2)
            elif action < 0.65:  # a retry
                units = list(last)
            elif action < 0.8:  # a fork from an earlier turn
                units = list(rng.choice(thread["turns"])) + self.new_units(kind, 1, 2)
            else:  # an earlier turn again, or any variation of one
                units = self.vary(kind, list(rng.choice(thread["turns"])))
        thread["turns"].append(units)
        model = thread["model"] if rng.random() < 0.9 else rng.choice(self.models)  # a redo elsewhere
        return units, model, thread["session"]

    def marker(self, unit, last):
        rng = self.rng
        style = self.marker_style
        if style == "none":
            return None
        if style == "last":
            return rng.choice(("5m", "1h")) if last and rng.random() < 0.7 else None
        if style == "sticky":  # each id keeps its marker, as clients re-send cache_control
            key = str(unit)
            if key not in self.sticky_markers:
                self.sticky_markers[key] = rng.choice((None, None, "5m", "1h"))
            return self.sticky_markers[key]
        roll = rng.random()
        if style == "5m":
            return "5m" if roll < 0.4 else None
        if style == "1h":
            return "1h" if roll < 0.4 else None
        return "5m" if roll < 0.25 else ("1h" if roll < 0.5 else None)

    def record(self, t):
        rng = self.rng
        roll = rng.random()
        kind = "segments" if roll < self.segment_share else ("hash_ids" if roll < 0.95 else "plain")
        model, session = rng.choice(self.models), rng.choice(self.sessions)
        record = {"t": t}
        if kind == "plain":  # nothing cacheable
            record["input_tokens"] = rng.choice((0, 5, 64, 100))
        else:
            if self.conversation:
                units, model, session = self.from_thread(kind)
            else:
                units = self.from_pool(kind)
            self.pool.append((kind, units))
            if kind == "hash_ids":
                self.hash_prompt(record, units)
            else:
                self.segment_prompt(record, units)
        record["model"] = model
        record["output_tokens"] = rng.randint(0, 20)
        if session is not None:
            record["session"] = session
        if rng.random() < 0.1:  # fields that do not affect the cache
            record["task"] = rng.choice(("T1", 2))
            record["attempt"] = rng.randint(1, 3)
            record["ok"] = rng.random() < 0.8
            record["tier"] = rng.choice(("standard", "batch", "flex", "priority"))
            record["meta"] = {"note": "ignored", "n": [1, 2]}
        return record

    def hash_prompt(self, record, units):
        rng = self.rng
        block = self.block_tokens if rng.random() < 0.85 else rng.choice(BLOCK_TOKENS)
        if units:
            full = block * len(units)
            shape = rng.random()
            if shape < 0.4 or block == 1:
                input_tokens = full  # exact
            elif shape < 0.8:
                input_tokens = full - rng.randint(1, block - 1)  # a partial last block
            else:
                input_tokens = full + rng.randint(1, 2 * block)  # an uncacheable tail
        else:
            input_tokens = rng.randint(0, 80)
        record["input_tokens"] = input_tokens
        record["hash_ids"] = units
        record["block_tokens"] = block

    def segment_prompt(self, record, units):
        rng = self.rng
        segments = []
        for index, unit in enumerate(units):
            key = str(unit)
            if key not in self.segment_tokens or rng.random() < 0.05:
                self.segment_tokens[key] = rng.choice(SEGMENT_TOKENS)
            spelled = str(unit) if isinstance(unit, int) and rng.random() < 0.15 else unit  # 3 == "3"
            segment = {"id": spelled, "tokens": self.segment_tokens[key]}
            marker = self.marker(unit, index == len(units) - 1)
            if marker:
                segment["cache"] = marker
            segments.append(segment)
        record["segments"] = segments
        total = sum(segment["tokens"] for segment in segments)
        shape = rng.random()
        if shape < 0.5:
            pass  # input_tokens defaults to the segments' sum
        elif shape < 0.75:
            record["input_tokens"] = total
        else:
            record["input_tokens"] = total + rng.choice((1, 5, 64 - total if total < 64 else 3))


def generate(seed, requests=None):
    """The records of seed's trace, in file order."""
    gen = Generator(seed)
    rng = gen.rng
    n = requests if requests is not None else rng.randint(3, 40)
    # A time grid: often multiples of one step so that expiries coincide with arrivals.
    step = rng.choice((1, 1, 2.5, 10, 60, 300))
    t = rng.choice((0, 0, 1.5, 100))
    records = []
    for _ in range(n):
        emitted = t
        if t >= 1 and rng.random() < 0.15:  # a millisecond either side of an expiry
            emitted = round(t + rng.choice(JITTER), 4)
        records.append(gen.record(emitted))
        gap = rng.choice(TIME_GAPS)
        if step > 1 and gap not in (0.001, 0.0005, 299.999) and rng.random() < 0.5:
            gap = rng.choice((0, 1, 1, 2)) * step
        t = t + gap
        if isinstance(t, float) and t.is_integer() and rng.random() < 0.5:
            t = int(t)
    # Out-of-order lines: swap a few neighbours and move one line elsewhere.
    if rng.random() < 0.5 and len(records) > 2:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(records) - 1)
            records[i], records[i + 1] = records[i + 1], records[i]
        moved = records.pop(rng.randrange(len(records)))
        records.insert(rng.randrange(len(records) + 1), moved)
    return records


# ------------------------------------------------------------------ refinements
# Traces for the refinements of DESIGN section 3 (overflow routing, visible_after,
# lookback); generate() above is left as it was, so its seeds keep their traces.

REFINEMENT_GAPS = (0, 0, 0, 0.5, 1, 1, 1, 2, 2, 2.5, 4, 5)  # 12-60+ requests a minute per hot prefix
REFINEMENT_PAUSES = (60, 59.999, 60.001, 30, 300, 7.5)  # a window's edge, a TTL's
TTFTS = (0, 0.5, 1, 1, 2, 2, 2.5, 5, 0.001, 10)  # equal to gaps, so readable_at == t happens
CACHE_KEYS = ("tenant-a", "tenant-b", "7")
ROUTING_TARGETS = (255, 256, 256, 257, 300, 128, 40)  # where the first bounds end, around token 256
ROUTING_BLOCKS = (64, 128, 85, 86, 255, 256, 257, 32)  # 85 x 3 = 255, 86 x 3 = 258, 64 x 4 = 256
TURN_UNITS = (1, 2, 3, 15, 19, 20, 20, 21, 21, 22, 25)  # breakpoints 20 and 21 bounds apart, often
LONG_SEGMENT_TOKENS = (1, 2, 3, 5, 8, 13, 20)
THREAD_UNITS = 60  # a conversation this long starts over: the reference's keys spell out whole prefixes


class RefinementGenerator:
    """Hot prefixes near the 256-token routing boundary, conversations that grow by
    15-25 units a turn, parallel bursts with ttft, cache_key on some requests."""

    def __init__(self, seed):
        self.rng = random.Random(f"refinements-{seed}")
        rng = self.rng
        self.models = MODELS[: rng.choice((1, 1, 2))]
        self.sessions = (None, None, "s1", 7) if rng.random() < 0.3 else (None,)
        self.block_share = rng.choice((0.0, 0.3, 0.5, 1.0))  # hash_ids requests, the rest segments
        self.key_share = rng.choice((0.0, 0.3, 0.6))
        self.ttft_share = rng.choice((0.5, 0.9, 1.0))
        self.marker_style = rng.choice(("none", "turn", "turn", "every"))
        self.fresh = 0
        self.threads = []  # {"kind", "model", "session", "key", "units", "block"}
        self.prefixes = {"segments": [], "hash_ids": []}  # hot prefixes: units

    def new_id(self, kind):
        self.fresh += 1
        if kind == "segments" and self.rng.random() < 0.7:
            return f"r{self.fresh}"
        return self.fresh

    def prefix_units(self, kind):
        """A shared system prompt: segments whose ends reach one of ROUTING_TARGETS, or hash_ids."""
        rng = self.rng
        if kind == "hash_ids":
            return [(self.new_id(kind), None) for _ in range(rng.randint(1, 5))]
        target = rng.choice(ROUTING_TARGETS)
        pieces = rng.randint(1, 3)
        cuts = sorted(rng.sample(range(1, target), pieces - 1)) if target > pieces else []
        sizes = [b - a for a, b in zip([0] + cuts, cuts + [target])]
        return [(self.new_id(kind), size) for size in sizes]

    def new_thread(self):
        rng = self.rng
        kind = "hash_ids" if rng.random() < self.block_share else "segments"
        pool = self.prefixes[kind]
        if not pool or rng.random() < 0.25:
            pool.append(self.prefix_units(kind))
        units = list(rng.choice(pool))
        if kind == "hash_ids" or rng.random() < 0.6:
            units += self.turn(kind, rng.randint(1, 3))
        thread = {
            "kind": kind,
            "model": rng.choice(self.models),
            "session": rng.choice(self.sessions),
            "key": rng.choice(CACHE_KEYS) if rng.random() < self.key_share else None,
            "units": units,
            "block": rng.choice(ROUTING_BLOCKS),
            "turn_ends": [len(units) - 1],
        }
        self.threads.append(thread)
        return thread

    def turn(self, kind, count):
        return [(self.new_id(kind), self.rng.choice(LONG_SEGMENT_TOKENS)) for _ in range(count)]

    def next_prompt(self):
        """(thread, units) of the next request: a new thread, the next turn, a retry or a fork."""
        rng = self.rng
        if not self.threads or rng.random() < 0.12:
            thread = self.new_thread()
            return thread, list(thread["units"])
        thread = rng.choice(self.threads)
        action = rng.random()
        if action < 0.6 and len(thread["units"]) >= THREAD_UNITS:
            thread = self.new_thread()
            return thread, list(thread["units"])
        if action < 0.6:  # the next turn
            thread["units"] = thread["units"] + self.turn(thread["kind"], rng.choice(TURN_UNITS))
            thread["turn_ends"].append(len(thread["units"]) - 1)
            return thread, list(thread["units"])
        if action < 0.8:  # a retry, or a subagent sharing the conversation so far
            return thread, list(thread["units"])
        cut = rng.choice(thread["turn_ends"])  # a fork from an earlier turn
        return thread, thread["units"][: cut + 1] + self.turn(thread["kind"], rng.choice(TURN_UNITS))

    def markers(self, thread, units):
        """Bound index -> "5m" / "1h" for segment prompts."""
        rng = self.rng
        style = self.marker_style
        last = len(units) - 1
        if style == "none":
            return {}
        if style == "every":  # a breakpoint every 15-25 units and at the end
            step = rng.randint(15, 25)
            marked = set(range(step - 1, last, step)) | {last}
        else:  # the system prompt's end and the last turn's, as clients mark them
            marked = {index for index in thread["turn_ends"][:1] if index <= last} | {last}
        ttl = rng.choice(("5m", "5m", "1h"))
        return {index: ttl for index in marked}

    def record(self, t):
        rng = self.rng
        thread, units = self.next_prompt()
        record = {"t": t, "model": thread["model"]}
        if rng.random() < 0.04:  # nothing cacheable, still counted by routing
            record["input_tokens"] = rng.choice((0, 100, 300))
        elif thread["kind"] == "hash_ids":
            block = thread["block"]
            record["input_tokens"] = block * len(units) + rng.choice((0, 0, 1, block // 2))
            record["hash_ids"] = [unit for unit, _ in units]
            record["block_tokens"] = block
        else:
            marked = self.markers(thread, units)
            record["segments"] = [
                dict({"id": unit, "tokens": tokens}, **({"cache": marked[index]} if index in marked else {}))
                for index, (unit, tokens) in enumerate(units)
            ]
        record["output_tokens"] = rng.randint(0, 20)
        if thread["session"] is not None:
            record["session"] = thread["session"]
        key = thread["key"] if rng.random() < 0.9 else rng.choice((None,) + CACHE_KEYS)
        if key is not None:
            record["cache_key"] = key
        if rng.random() < self.ttft_share:
            record["ttft"] = rng.choice(TTFTS)
        if rng.random() < 0.08:  # the prompt form's default said, or turned round
            record["content_blocks"] = rng.random() < 0.5
        return record


def generate_refinements(seed):
    """(records in file order, split): split means the segment records go to one file
    and the others to a second, replayed together (see split_files)."""
    gen = RefinementGenerator(seed)
    rng = gen.rng
    n = rng.randint(30, 100)
    t = rng.choice((0, 0, 1.5))
    records = []
    while len(records) < n:
        burst = rng.choice((1, 1, 1, 2, 3, 4))  # parallel requests: the same time or within ttft
        for _ in range(min(burst, n - len(records))):
            records.append(gen.record(t))
            t += rng.choice((0, 0, 0.5, 1)) if burst > 1 else 0
        t += rng.choice(REFINEMENT_PAUSES) if rng.random() < 0.05 else rng.choice(REFINEMENT_GAPS)
        if isinstance(t, float) and t.is_integer():
            t = int(t)
        t = round(t, 3) if isinstance(t, float) else t
    if rng.random() < 0.3 and len(records) > 2:  # a line out of time order
        moved = records.pop(rng.randrange(len(records)))
        records.insert(rng.randrange(len(records) + 1), moved)
    kinds = {("segments" in record) for record in records}
    return records, len(kinds) == 2 and rng.random() < 0.5


def split_files(records, split):
    """The files of a case, as lists of records: one, or segments first, then the rest."""
    if not split:
        return [records]
    return [[r for r in records if "segments" in r], [r for r in records if "segments" not in r]]


def write_trace(records, path):
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--requests", type=int, help="number of requests (default: random, 3..40)")
    parser.add_argument("--refinements", action="store_true",
                        help="a refinement trace (generate_refinements; --requests ignored); "
                        "a split one writes OUT and OUT.blocks.jsonl")
    options = parser.parse_args()
    if not options.refinements:
        write_trace(generate(options.seed, options.requests), options.out)
        return
    records, split = generate_refinements(options.seed)
    files = split_files(records, split)
    for index, part in enumerate(files):
        write_trace(part, options.out if index == 0 else options.out + ".blocks.jsonl")


if __name__ == "__main__":
    main()
