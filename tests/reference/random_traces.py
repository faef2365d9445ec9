#!/usr/bin/env python3
"""Small random native JSONL traces that stress the edges of pcsim's cache model.

    random_traces.py --seed S --out FILE [--requests N]

Each trace is a handful of requests built from a pool of earlier prompts, so that:
  - prompts share prefixes and diverge at every depth, are strict prefixes of
    earlier prompts, or repeat an earlier prompt exactly;
  - times sit on a coarse grid with gaps drawn from TIME_GAPS, which holds every
    TTL the differential test uses (and the 5m/1h marker TTLs), so t == u + ttl
    (a miss) happens often; gaps of 0 give equal timestamps; a few times need
    rounding to milliseconds (t_ms = llround(t * 1000));
  - several models and sessions (session 7 and "7" are one namespace; segment
    id 3 and "3" are one id) and the global namespace;
  - segments with and without cache markers (mixed "5m"/"1h"), hash_ids with a
    partial last block or an uncacheable tail, prompts with nothing cacheable;
  - the same ids with different token counts (the same chained key with another end);
  - token counts around the min_tokens values 5 and 64 (reached exactly);
  - lines written partly out of time order (the reader must sort, stably).
Standard library only; the same seed gives the same file.
"""

import argparse
import json
import random

# Every TTL the differential test passes (seconds), plus the marker TTLs.
TEST_TTLS = (1, 5, 7.5, 60)
MARKER_TTLS = (300, 3600)
TIME_GAPS = (0, 0, 0, 0.5, 1, 1, 2, 2.5, 5, 5, 7.5, 10, 60, 300, 3600, 299.999, 0.001, 0.0005)
MODELS = ("m1", "m2", "m3")
SESSIONS = (None, None, "s1", 7, "7", "s2")
BLOCK_TOKENS = (1, 4, 5, 8, 16, 32, 64)
SEGMENT_TOKENS = (1, 2, 3, 4, 5, 8, 11, 16, 32, 59, 60, 64)


def make_units(rng, kind, fresh):
    """A fresh unit id: an int for hash_ids, a str or an int for segments."""
    fresh[0] += 1
    value = fresh[0]
    if kind == "segments" and rng.random() < 0.6:
        return f"u{value}"
    return value


def prompt_from_pool(rng, pool, kind, fresh):
    """A unit list: new, or an earlier prompt repeated, cut, extended or diverged."""
    same_kind = [units for units_kind, units in pool if units_kind == kind]
    if not same_kind or rng.random() < 0.2:
        return [make_units(rng, kind, fresh) for _ in range(rng.randint(0, 6))]
    base = list(rng.choice(same_kind))
    action = rng.random()
    if action < 0.25:  # identical
        return base
    if action < 0.45:  # strict prefix
        return base[: rng.randint(0, max(0, len(base) - 1))]
    if action < 0.7:  # extend
        return base + [make_units(rng, kind, fresh) for _ in range(rng.randint(1, 3))]
    cut = rng.randint(0, len(base))  # diverge at depth cut
    tail = [make_units(rng, kind, fresh) for _ in range(rng.randint(1, 3))]
    if cut < len(base) and rng.random() < 0.3:
        tail += base[cut + 1 :]  # same suffix after a different unit
    return base[:cut] + tail


def segment_marker(rng, style):
    if style == "none":
        return None
    if style == "last":
        return None  # set on the last segment by the caller
    roll = rng.random()
    if style == "5m":
        return "5m" if roll < 0.4 else None
    if style == "1h":
        return "1h" if roll < 0.4 else None
    return "5m" if roll < 0.25 else ("1h" if roll < 0.5 else None)


def make_record(rng, t, pool, fresh, segment_tokens, options):
    record = {"t": t, "model": rng.choice(options["models"])}
    session = rng.choice(options["sessions"])
    roll = rng.random()
    kind = "segments" if roll < options["segment_share"] else ("hash_ids" if roll < 0.95 else "plain")
    if kind == "plain":  # nothing cacheable
        record["input_tokens"] = rng.choice((0, 5, 64, 100))
    elif kind == "hash_ids":
        units = prompt_from_pool(rng, pool, kind, fresh)
        block = options["block_tokens"] if rng.random() < 0.85 else rng.choice(BLOCK_TOKENS)
        if units:
            full = block * len(units)
            shape = rng.random()
            if shape < 0.4:
                input_tokens = full  # exact
            elif shape < 0.8:
                input_tokens = full - rng.randint(1, block - 1) if block > 1 else full  # partial last block
            else:
                input_tokens = full + rng.randint(1, 2 * block)  # uncacheable tail
        else:
            input_tokens = rng.randint(0, 80)
        record["input_tokens"] = input_tokens
        record["hash_ids"] = units
        record["block_tokens"] = block
        pool.append((kind, units))
    else:
        units = prompt_from_pool(rng, pool, kind, fresh)
        segments = []
        style = options["marker_style"]
        for unit in units:
            key = str(unit)
            if key not in segment_tokens or rng.random() < 0.05:
                segment_tokens[key] = rng.choice(SEGMENT_TOKENS)  # usually one size per id
            if rng.random() < 0.15 and isinstance(unit, int):
                unit = str(unit)  # 3 and "3" are one id
            segment = {"id": unit, "tokens": segment_tokens[key]}
            marker = segment_marker(rng, style)
            if marker:
                segment["cache"] = marker
            segments.append(segment)
        if style == "last" and segments and rng.random() < 0.7:
            segments[-1]["cache"] = rng.choice(("5m", "1h"))
        record["segments"] = segments
        total = sum(segment["tokens"] for segment in segments)
        shape = rng.random()
        if shape < 0.5:
            pass  # input_tokens defaults to the segments' sum
        elif shape < 0.75:
            record["input_tokens"] = total
        else:
            record["input_tokens"] = total + rng.choice((1, 5, 64 - total if total < 64 else 3))
        pool.append((kind, units))
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


def generate(seed, requests=None):
    rng = random.Random(seed)
    n = requests if requests is not None else rng.randint(3, 22)
    options = {
        "models": MODELS[: rng.choice((1, 1, 2, 3))],
        "sessions": SESSIONS if rng.random() < 0.4 else (None,),
        "segment_share": rng.choice((0.0, 0.5, 0.9)),
        "block_tokens": rng.choice(BLOCK_TOKENS),
        "marker_style": rng.choice(("none", "last", "5m", "1h", "mixed", "mixed")),
    }
    # A time grid: mostly multiples of one TTL so expiries coincide with arrivals.
    step_scale = rng.choice((1, 1, 10, 60, 300))
    t = rng.choice((0, 0, 1.5, 100))
    pool, fresh, segment_tokens = [], [0], {}
    records = []
    for _ in range(n):
        records.append(make_record(rng, t, pool, fresh, segment_tokens, options))
        gap = rng.choice(TIME_GAPS)
        if step_scale > 1 and gap not in (0.001, 0.0005, 299.999) and rng.random() < 0.5:
            gap = rng.choice((0, 1, 1, 2)) * step_scale
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


def write_trace(records, path):
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--requests", type=int, help="number of requests (default: random, 3..22)")
    options = parser.parse_args()
    write_trace(generate(options.seed, options.requests), options.out)


if __name__ == "__main__":
    main()
