#!/usr/bin/env python3
"""Hand-computed cases for the reference's refinements (DESIGN section 3, issue 18).

    reference_selftest.py

Each case builds a few native records, replays them through reference_sim.replay and
compares the token counts with numbers worked out by hand from the design's words
(the working is in the comments), at the rule's edges: 15 against 16 requests in 60 s,
a routing bound ending at 255, 256 or 257 tokens, a cache_key splitting one prefix,
two requests in parallel before and after the first one's ttft, entries 20 and 21
bounds back from a breakpoint, and a block trace exempt from lookback. The differential
test then holds pcsim to this reference. Standard library only; the last line is
"N passed, M failed" and the exit code is 1 if anything failed.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reference_sim  # noqa: E402


def segments(*spec):
    """[("a", 10), ("b", 5, "5m")] -> native segments."""
    out = []
    for item in spec:
        segment = {"id": item[0], "tokens": item[1]}
        if len(item) > 2:
            segment["cache"] = item[2]
        out.append(segment)
    return out


def request(t, prompt, **fields):
    record = {"t": t, "model": "m", "output_tokens": 0, "segments": prompt}
    record.update(fields)
    return record


def replay(records, policy, ttl=300, **options):
    """Totals {field: tokens} and the per-request reads, as the reference replays them."""
    requests = [reference_sim.parse_record(record, f"case:{line}") for line, record in enumerate(records, 1)]
    requests.sort(key=lambda r: r.t_ms)
    reads = []
    ttl_ms = None if ttl is None else ttl * 1000
    for single in range(len(requests)):  # the reads one request at a time: replay prefixes
        report = reference_sim.replay(requests[: single + 1], policy, ttl_ms, ttl_overrides_markers=True, **options)
        before = sum(reads)
        reads.append(report["tokens"]["cache_read"] - before)
    return reference_sim.replay(requests, policy, ttl_ms, ttl_overrides_markers=True, **options)["tokens"], reads


class OverflowRouting(unittest.TestCase):
    PROMPT = segments(("system", 300))  # one bound, ending after 256: it is the routing bound

    def test_15_requests_in_60_s_share_machine_0(self):
        # t = 0, 4, ..., 56 s: r = 1..15 <= 15, m = 1, all on machine 0.
        # The first misses, the other 14 read 300 each: 14 * 300 = 4200.
        records = [request(4 * i, self.PROMPT) for i in range(15)]
        totals, reads = replay(records, "ttl", overflow_rpm=15)
        self.assertEqual(reads, [0] + [300] * 14)
        self.assertEqual(totals["cache_read"], 4200)

    def test_16th_request_in_60_s_goes_to_a_cold_machine(self):
        # The 16th at t = 59 s: the window (-1 s, 59 s] holds all 16, m = ceil(16/15) = 2,
        # c = 15 -> machine 15 mod 2 = 1, a cold cache: it reads 0.
        records = [request(4 * i, self.PROMPT) for i in range(15)] + [request(59, self.PROMPT)]
        _, reads = replay(records, "ttl", overflow_rpm=15)
        self.assertEqual(reads, [0] + [300] * 14 + [0])

    def test_window_excludes_a_request_exactly_60_s_back(self):
        # 16th at t = 60 s: the window (0, 60 s] drops t = 0: r = 14 + 1 = 15, m = 1, c = 15 -> machine 0: reads 300.
        # 17th at 61 s: window (1 s, 61 s] holds 4..60 (15) + itself = 16, m = 2, c = 16 -> machine 0: reads 300.
        # 18th at 62 s: window (2 s, 62 s] holds 4..61 (16) + itself = 17, m = 2, c = 17 -> machine 1: cold, 0.
        # 19th at 63 s: 14 + 60..63 = 18, m = 2, c = 18 -> machine 0: 300. 20th at 64 s: the window
        # (4 s, 64 s] drops t = 4: 8..56 (13) + 60..64 (5) = 18, m = 2, c = 19 -> machine 1, written by
        # the 18th at 62 s (alive until 362 s): 300.
        records = [request(4 * i, self.PROMPT) for i in range(15)]
        records += [request(60 + i, self.PROMPT) for i in range(5)]
        _, reads = replay(records, "ttl", overflow_rpm=15)
        self.assertEqual(reads[15:], [300, 300, 0, 300, 300])

    def test_off_routes_nothing(self):
        # overflow_rpm 0: one cache; the 16th at 59 s reads 300 like the others.
        records = [request(4 * i, self.PROMPT) for i in range(15)] + [request(59, self.PROMPT)]
        totals, reads = replay(records, "ttl")
        self.assertEqual(reads, [0] + [300] * 15)
        self.assertEqual(totals["cache_read"], 4500)

    def test_openai_policy_routes_too(self):
        # openai, min 0, granularity 128, overflow_rpm 1. At 0 s: r = 1, m = 1, c = 0 -> machine 0, cold.
        # At 1 s: r = 2, m = 2, c = 1 -> machine 1, cold. At 61 s: the window (1 s, 61 s] drops the one at
        # exactly 1 s: r = 1, m = 1, c = 2 -> machine 0 (written at 0 s, alive until 300 s): matched 300,
        # floor(300 / 128) * 128 = 256. At 61.5 s: (1.5 s, 61.5 s] holds 61 s and itself: r = 2, m = 2,
        # c = 3 -> machine 1 (written at 1 s): 256.
        records = [request(t, self.PROMPT) for t in (0, 1, 61, 61.5)]
        _, reads = replay(records, "openai", min_tokens=0, granularity=128, overflow_rpm=1)
        self.assertEqual(reads, [0, 0, 256, 256])

    def routed_second_read(self, second_tokens, overflow_rpm=1000):
        # First prompt [x:128]: one bound ending at 128, its routing bound is x.
        # Second prompt [x:128, y:N, z:10]: its routing bound is the deepest ending <= 256.
        # overflow_rpm 1000 keeps m = 1: routing only separates the caches of different keys.
        first = request(0, segments(("x", 128)))
        second = request(1, segments(("x", 128), ("y", second_tokens), ("z", 10)))
        _, reads = replay([first, second], "ttl", overflow_rpm=overflow_rpm)
        return reads[1]

    def test_routing_bound_ends_at_255_256_257(self):
        # y ends at 255 or 256 (<= 256): the routing bound is (x, y), not the first prompt's x,
        # so the second prompt's machine never saw x: it reads 0.
        self.assertEqual(self.routed_second_read(127), 0)
        self.assertEqual(self.routed_second_read(128), 0)
        # y ends at 257 (> 256): the routing bound is x, the same key: it reads x's 128 tokens.
        self.assertEqual(self.routed_second_read(129), 128)
        # Without routing, all three read 128.
        for tokens in (127, 128, 129):
            self.assertEqual(self.routed_second_read(tokens, overflow_rpm=0), 128)

    def test_first_bound_past_256_is_the_routing_bound(self):
        # [w:300] then [w:300, v:10]: both route by w (the first bound ends after 256): reads 300.
        records = [request(0, segments(("w", 300))), request(1, segments(("w", 300), ("v", 10)))]
        _, reads = replay(records, "ttl", overflow_rpm=1000)
        self.assertEqual(reads, [0, 300])

    def test_block_trace_routing_boundary(self):
        # hash_ids [1, 2, 3], 128-token blocks: bounds end 128, 256, 384; routing bound = block 2 (256).
        # A later [1] alone routes by block 1: another key, another cache: it reads 0 (128 without routing).
        first = {"t": 0, "model": "m", "output_tokens": 0, "input_tokens": 384, "hash_ids": [1, 2, 3],
                 "block_tokens": 128}
        second = {"t": 1, "model": "m", "output_tokens": 0, "input_tokens": 128, "hash_ids": [1],
                  "block_tokens": 128}
        self.assertEqual(replay([first, second], "ttl", overflow_rpm=15)[1], [0, 0])
        self.assertEqual(replay([first, second], "ttl")[1], [0, 128])

    def test_cache_key_splits_one_prefix(self):
        # One 500-token prompt with cache_key a, b, a, none: keys a and b are two routing keys, two
        # caches: a misses, b misses, a again reads 500, no key is a third cache and misses.
        prompt = segments(("p", 500))
        records = [request(0, prompt, cache_key="a"), request(1, prompt, cache_key="b"),
                   request(2, prompt, cache_key="a"), request(3, prompt)]
        totals, reads = replay(records, "ttl", overflow_rpm=15)
        self.assertEqual(reads, [0, 0, 500, 0])
        self.assertEqual(totals["cache_read"], 500)
        # With routing off the cache_key is ignored: everything after the first reads 500.
        self.assertEqual(replay(records, "ttl")[1], [0, 500, 500, 500])

    def test_cache_key_splits_breakpoint_writes(self):
        # Breakpoint policy, min 0: a and b each write their own 500-token entry (1000 written); a again reads.
        prompt = segments(("p", 500))
        records = [request(0, prompt, cache_key="a"), request(1, prompt, cache_key="b"),
                   request(2, prompt, cache_key="a")]
        totals, reads = replay(records, "breakpoint", overflow_rpm=15)
        self.assertEqual(reads, [0, 0, 500])
        self.assertEqual(totals["cache_write"], 1000)


class VisibleAfter(unittest.TestCase):
    PROMPT = segments(("doc", 2000))  # unmarked: the breakpoint is the last (only) bound

    def run3(self, ttft, visible_after=True, times=(0, 1, 3)):
        records = [request(t, self.PROMPT, ttft=ttft) for t in times]
        return replay(records, "breakpoint", min_tokens=0, visible_after=visible_after)

    def test_parallel_requests_before_ttft_both_write(self):
        # ttft 2 s: the first writes 2000 at 0 s, readable at 2 s. The second at 1 s finds it alive
        # but not readable: reads 0, writes 2000 again (billed); readable stays min(2 s, 3 s) = 2 s.
        # The third at 3 s reads 2000. Read 2000, written 4000, uncached 6000 - 2000 - 4000 = 0.
        totals, reads = self.run3(2)
        self.assertEqual(reads, [0, 0, 2000])
        self.assertEqual((totals["cache_read"], totals["cache_write"], totals["uncached"]), (2000, 4000, 0))

    def test_second_request_after_ttft_reads(self):
        # ttft 0.5 s: readable at 0.5 s; the second (1 s) and the third (3 s) read 2000 each.
        totals, reads = self.run3(0.5)
        self.assertEqual(reads, [0, 2000, 2000])
        self.assertEqual((totals["cache_read"], totals["cache_write"]), (4000, 2000))

    def test_readable_exactly_at_ttft(self):
        # ttft 1 s, second at exactly 1 s: readable_at 1 s <= 1 s, it reads.
        _, reads = self.run3(1)
        self.assertEqual(reads, [0, 2000, 2000])

    def test_off_ignores_ttft(self):
        totals, reads = self.run3(2, visible_after=False)
        self.assertEqual(reads, [0, 2000, 2000])
        self.assertEqual(totals["cache_write"], 2000)

    def test_rewrite_keeps_the_earlier_readable_time(self):
        # First at 0 s with ttft 5 s (readable 5 s); second at 1 s with ttft 1 s rewrites it:
        # readable = min(5 s, 2 s) = 2 s. A third at 2 s reads 2000.
        records = [request(0, self.PROMPT, ttft=5), request(1, self.PROMPT, ttft=1), request(2, self.PROMPT)]
        _, reads = replay(records, "breakpoint", visible_after=True)
        self.assertEqual(reads, [0, 0, 2000])
        # The other way: first ttft 1 s (readable 1 s), second at 0.5 s with ttft 5 s: not readable,
        # rewritten, readable = min(1 s, 5.5 s) = 1 s; the third at 1 s reads.
        records = [request(0, self.PROMPT, ttft=1), request(0.5, self.PROMPT, ttft=5), request(1, self.PROMPT)]
        totals, reads = replay(records, "breakpoint", visible_after=True)
        self.assertEqual(reads, [0, 0, 2000])
        self.assertEqual(totals["cache_write"], 4000)

    def test_an_expired_entry_rewritten_waits_for_the_new_ttft(self):
        # TTL 10 s. First at 0 s, ttft 0: readable at 0 s, dead from 10 s. Second at 20 s, ttft 3 s:
        # the entry is dead, so absent: written, readable at 23 s (not min(0, 23)). A third at 21 s misses
        # and writes again; a fourth at 23 s reads.
        records = [request(0, self.PROMPT), request(20, self.PROMPT, ttft=3), request(21, self.PROMPT, ttft=9),
                   request(23, self.PROMPT)]
        totals, reads = replay(records, "breakpoint", ttl=10, visible_after=True)
        self.assertEqual(reads, [0, 0, 0, 2000])
        self.assertEqual(totals["cache_write"], 6000)

    def test_an_unreadable_deeper_entry_leaves_a_readable_shallower_one(self):
        # [a:1000 (5m), b:1000 (5m)] at 0 s with ttft 0: writes both (2000). At 1 s the same prompt plus
        # c:500 marked, ttft 10 s: reads 2000, writes c (500), readable at 11 s. At 2 s the same: c is
        # alive but unreadable: reads 2000 (b), writes c again (500). Written 2000 + 500 + 500 = 3000.
        short = segments(("a", 1000, "5m"), ("b", 1000, "5m"))
        long = segments(("a", 1000, "5m"), ("b", 1000, "5m"), ("c", 500, "5m"))
        records = [request(0, short), request(1, long, ttft=10), request(2, long, ttft=10)]
        totals, reads = replay(records, "breakpoint", visible_after=True)
        self.assertEqual(reads, [0, 2000, 2000])
        self.assertEqual(totals["cache_write"], 3000)


class Lookback(unittest.TestCase):
    @staticmethod
    def turns(added, markers=()):
        """Turn 1: u0..u4 (10 tokens each), breakpoint at bound 4 (the last). Turn 2 at 1 s:
        the same plus `added` more units, its last bound 4 + added; markers: bound indices marked."""
        first = segments(*[(f"u{i}", 10) for i in range(5)])
        second = segments(*[(f"u{i}", 10, "5m") if i in markers else (f"u{i}", 10) for i in range(5 + added)])
        return [request(0, first), request(1, second)]

    def test_entry_20_back_is_found(self):
        # Turn 2's breakpoint is bound 24; turn 1's entry at bound 4 is 20 back: checked with L = 20,
        # read 50 (5 x 10), written 250 - 50 = 200.
        totals, reads = replay(self.turns(20), "breakpoint", lookback=20)
        self.assertEqual(reads, [0, 50])
        self.assertEqual(totals["cache_write"], 50 + 200)

    def test_entry_21_back_is_not(self):
        # Breakpoint bound 25: bound 4 is 21 back, not checked: read 0, written 260 (and 50 before).
        totals, reads = replay(self.turns(21), "breakpoint", lookback=20)
        self.assertEqual(reads, [0, 0])
        self.assertEqual(totals["cache_write"], 50 + 260)
        # lookback 0 (off): 50 read.
        self.assertEqual(replay(self.turns(21), "breakpoint")[1], [0, 50])

    def test_an_earlier_breakpoint_within_reach_finds_it(self):
        # Turn 2 marks bounds 15 and 25 (the last, 25, unmarked otherwise would be the only one).
        # Bound 4 is 11 back from breakpoint 15: checked, read 50. Writes at 15 (end 160) and 25 (end 260):
        # 260 - 50 = 210.
        totals, reads = replay(self.turns(21, markers=(15, 25)), "breakpoint", lookback=20)
        self.assertEqual(reads, [0, 50])
        self.assertEqual(totals["cache_write"], 50 + 210)

    def test_bounds_past_the_breakpoint_are_not_checked(self):
        # Turn 1 [u0..u9] writes bound 9 (100). Turn 2 [u0..u9, x] marks bound 2 only (end 30):
        # bound 9 lies after the only breakpoint: not checked, read 0; writes bound 2 (30).
        # With lookback off the lookup sees bound 9: read 100, nothing written (30 <= 100).
        first = segments(*[(f"u{i}", 10) for i in range(10)])
        second = segments(*[(f"u{i}", 10, "5m") if i == 2 else (f"u{i}", 10) for i in range(10)], ("x", 10))
        records = [request(0, first), request(1, second)]
        totals, reads = replay(records, "breakpoint", lookback=20)
        self.assertEqual((reads, totals["cache_write"]), ([0, 0], 100 + 30))
        totals, reads = replay(records, "breakpoint")
        self.assertEqual((reads, totals["cache_write"]), ([0, 100], 100))

    def test_block_trace_is_exempt(self):
        # The same shape in hash_ids (10-token blocks): the entry 21 back is found, lookback or not.
        first = {"t": 0, "model": "m", "output_tokens": 0, "input_tokens": 50, "hash_ids": list(range(5)),
                 "block_tokens": 10}
        second = {"t": 1, "model": "m", "output_tokens": 0, "input_tokens": 260, "hash_ids": list(range(26)),
                  "block_tokens": 10}
        totals, reads = replay([first, second], "breakpoint", lookback=20)
        self.assertEqual(reads, [0, 50])
        self.assertEqual(totals["cache_write"], 50 + 210)

    def test_content_blocks_field_overrides_the_prompt_form(self):
        # Segments marked content_blocks false are exempt: the entry 21 back is read (50, written 210).
        # hash_ids marked true are not: read 0, written 260.
        records = self.turns(21)
        records[1]["content_blocks"] = False
        self.assertEqual(replay(records, "breakpoint", lookback=20)[1], [0, 50])
        first = {"t": 0, "model": "m", "output_tokens": 0, "input_tokens": 50, "hash_ids": list(range(5)),
                 "block_tokens": 10}
        second = {"t": 1, "model": "m", "output_tokens": 0, "input_tokens": 260, "hash_ids": list(range(26)),
                  "block_tokens": 10, "content_blocks": True}
        totals, reads = replay([first, second], "breakpoint", lookback=20)
        self.assertEqual(reads, [0, 0])
        self.assertEqual(totals["cache_write"], 50 + 260)

    def test_lookback_with_visible_after(self):
        # Entry 20 back but written 1 s earlier with ttft 2 s: checked, not yet readable: read 0, write 250.
        records = self.turns(20)
        records[0]["ttft"] = 2
        totals, reads = replay(records, "breakpoint", visible_after=True, lookback=20)
        self.assertEqual(reads, [0, 0])
        self.assertEqual(totals["cache_write"], 50 + 250)


class Reading(unittest.TestCase):
    def test_fields(self):
        record = request(1, segments(("a", 3)), cache_key="k", ttft=1.5)
        parsed = reference_sim.parse_record(record, "x:1")
        self.assertEqual((parsed.cache_key, parsed.ttft_ms, parsed.content_blocks), ("k", 1500, True))
        blocks = {"t": 0, "model": "m", "output_tokens": 0, "input_tokens": 4, "hash_ids": [1], "block_tokens": 4}
        parsed = reference_sim.parse_record(blocks, "x:2")
        self.assertEqual((parsed.cache_key, parsed.ttft_ms, parsed.content_blocks), (None, 0, False))

    def test_bad_fields_say_where(self):
        for field, value in (("cache_key", 5), ("cache_key", ""), ("ttft", -1), ("ttft", "2"), ("content_blocks", 1)):
            with self.assertRaisesRegex(reference_sim.TraceError, f"^x:3: field {field}: "):
                reference_sim.parse_record(request(0, segments(("a", 3)), **{field: value}), "x:3")


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
