/* Hand-computed cases for the breakpoint policy's refinements (DESIGN §3,
 * as docs/design.md §3 reads them): visible_after (an entry is readable
 * from its writer's time plus time to first token) and lookback (a request
 * of content blocks looks up only bounds at most lookback before one of its
 * breakpoints); and a cache of lanes giving what plain caches give with
 * both. Each request is built directly: bound i ends at 100 (i + 1) tokens
 * unless said otherwise. */
#include <stdlib.h>

#include "check.h"
#include "pcsim/cache.h"

#define MAX_BOUNDS 64

struct made {
    struct pcs_request req;
    uint64_t units[MAX_BOUNDS];
    uint32_t ends[MAX_BOUNDS];
    uint8_t flags[MAX_BOUNDS];
};

/* A request at t_ms of units first, first + 1, ... (count of them), each
 * of step tokens; no breakpoint marked (so the last bound is one). */
static struct pcs_request *make(struct made *m, int64_t t_ms, uint64_t first, size_t count, uint32_t step)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < count; i++) {
        m->units[i] = first + i;
        m->ends[i] = (uint32_t)(step * (i + 1));
    }
    m->req.t_ms = t_ms;
    m->req.input_tokens = (uint64_t)step * count;
    m->req.output_tokens = 1;
    m->req.bound_count = count;
    m->req.units = m->units;
    m->req.ends = m->ends;
    m->req.ok = 1;
    return &m->req;
}

/* Marks bound b a breakpoint (without a TTL marker). */
static void mark(struct made *m, size_t b)
{
    m->flags[b] = PCS_BOUND_BREAKPOINT;
    m->req.flags = m->flags;
}

static struct pcs_cache_config config_of(int visible_after, uint64_t lookback)
{
    struct pcs_cache_config config = pcs_cache_config_default();
    config.policy = PCS_POLICY_BREAKPOINT;
    config.ttl_ms = 300000;
    config.visible_after = visible_after;
    config.lookback = lookback;
    return config;
}

static pcs_cache *cache_of(int visible_after, uint64_t lookback)
{
    struct pcs_cache_config config = config_of(visible_after, lookback);
    struct pcs_error err;
    pcs_cache *cache = pcs_cache_new(&config, &err);
    if (!cache) {
        fprintf(stderr, "cannot create cache: %s\n", err.message);
        exit(1);
    }
    return cache;
}

/* Plays req with its ttft; checks what it read and wrote. */
static void expect(pcs_cache *cache, struct pcs_request *req, int64_t ttft_ms, uint64_t read, uint64_t written,
                   int line)
{
    struct pcs_usage usage;
    req->ttft_ms = ttft_ms;
    CHECK(pcs_cache_access(cache, req, &usage) == PCS_OK);
    if (usage.cache_read != read || usage.cache_write != written) {
        fprintf(stderr, "line %d: read %llu, wrote %llu; expected %llu and %llu\n", line,
                (unsigned long long)usage.cache_read, (unsigned long long)usage.cache_write, (unsigned long long)read,
                (unsigned long long)written);
        check_failed++;
    } else {
        check_passed++;
    }
}

#define EXPECT(cache, req, ttft, read, written) expect(cache, req, ttft, read, written, __LINE__)

/* The spec's case: two requests at 0 and 1 s with the same 2000-token
 * prompt, ttft 2 s: the first write is readable only from 2 s, so the
 * second misses and writes 2000 again (both billed); a third at 3 s reads
 * 2000. With ttft 0.5 s the second reads. */
static void test_parallel_before_and_after_ttft(void)
{
    struct made m;
    pcs_cache *cache = cache_of(1, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 2000, 0, 2000);
    EXPECT(cache, make(&m, 1000, 1, 20, 100), 2000, 0, 2000);
    EXPECT(cache, make(&m, 3000, 1, 20, 100), 2000, 2000, 0);
    pcs_cache_free(cache);

    cache = cache_of(1, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 500, 0, 2000);
    EXPECT(cache, make(&m, 1000, 1, 20, 100), 500, 2000, 0);
    pcs_cache_free(cache);

    /* The edge: readable at t + ttft itself (readable_at <= t), not a
     * millisecond before. */
    cache = cache_of(1, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 2000, 0, 2000);
    EXPECT(cache, make(&m, 1999, 1, 20, 100), 0, 0, 2000);
    pcs_cache_free(cache);
    cache = cache_of(1, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 2000, 0, 2000);
    EXPECT(cache, make(&m, 2000, 1, 20, 100), 0, 2000, 0);
    pcs_cache_free(cache);

    /* Off, the second request reads what the first wrote, ttft or not. */
    cache = cache_of(0, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 2000, 0, 2000);
    EXPECT(cache, make(&m, 1000, 1, 20, 100), 2000, 2000, 0);
    pcs_cache_free(cache);
}

/* Written again while not yet readable, an entry is readable from the
 * earlier of its two times (min(old, t + ttft)); a refresh leaves that
 * time alone. */
static void test_rewrite_keeps_earlier_readable_time(void)
{
    struct made m;
    /* Readable at 5 s, then rewritten at 1 s with ttft 1 s: readable at 2 s. */
    pcs_cache *cache = cache_of(1, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 5000, 0, 2000);
    EXPECT(cache, make(&m, 1000, 1, 20, 100), 1000, 0, 2000);
    EXPECT(cache, make(&m, 2000, 1, 20, 100), 0, 2000, 0);
    pcs_cache_free(cache);
    /* Readable at 1 s, rewritten at 0.5 s with ttft 5 s: still at 1 s. */
    cache = cache_of(1, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 1000, 0, 2000);
    EXPECT(cache, make(&m, 500, 1, 20, 100), 5000, 0, 2000);
    EXPECT(cache, make(&m, 1000, 1, 20, 100), 0, 2000, 0);
    pcs_cache_free(cache);
    /* A readable entry read (and so refreshed) at 3 s by a request with a
     * long ttft stays readable: a request at 3.001 s reads it. */
    cache = cache_of(1, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 2000, 0, 2000);
    EXPECT(cache, make(&m, 3000, 1, 20, 100), 60000, 2000, 0);
    EXPECT(cache, make(&m, 3001, 1, 20, 100), 0, 2000, 0);
    pcs_cache_free(cache);
    /* A longer prompt reads the readable 2000 and writes its own end
     * (3000), not readable until its ttft has passed: a request at 4 s
     * still reads 2000 and writes 2000..3000 again. */
    cache = cache_of(1, 0);
    EXPECT(cache, make(&m, 0, 1, 20, 100), 0, 0, 2000);
    EXPECT(cache, make(&m, 1000, 1, 30, 100), 5000, 2000, 1000);
    EXPECT(cache, make(&m, 4000, 1, 30, 100), 0, 2000, 1000);
    EXPECT(cache, make(&m, 4000, 1, 30, 100), 0, 3000, 0);
    pcs_cache_free(cache);
}

/* A content-block request's lookup with lookback 20: an entry 20 bounds
 * before its breakpoint is found, one 21 bounds before is not, unless
 * another breakpoint is within 20 of it. */
static void test_lookback_20_and_21_back(void)
{
    struct made m;
    /* An entry at bound 9 (end 1000); the request's only breakpoint is its
     * last bound, 29: 29 - 9 = 20, found. */
    pcs_cache *cache = cache_of(0, 20);
    EXPECT(cache, make(&m, 0, 1, 10, 100), 0, 0, 1000);
    make(&m, 10, 1, 30, 100);
    m.req.content_blocks = 1;
    EXPECT(cache, &m.req, 0, 1000, 2000);
    pcs_cache_free(cache);

    /* An entry at bound 8 (end 900): 29 - 8 = 21, not found; the request
     * writes its whole prompt. */
    cache = cache_of(0, 20);
    EXPECT(cache, make(&m, 0, 1, 9, 100), 0, 0, 900);
    make(&m, 10, 1, 30, 100);
    m.req.content_blocks = 1;
    EXPECT(cache, &m.req, 0, 0, 3000);
    pcs_cache_free(cache);

    /* The same with a second breakpoint at bound 25 (25 - 8 = 17): found
     * from there; the writes at 25 (2600) and 29 (3000) bill 900..3000. */
    cache = cache_of(0, 20);
    EXPECT(cache, make(&m, 0, 1, 9, 100), 0, 0, 900);
    make(&m, 10, 1, 30, 100);
    mark(&m, 25);
    mark(&m, 29);
    m.req.content_blocks = 1;
    EXPECT(cache, &m.req, 0, 900, 2100);
    pcs_cache_free(cache);

    /* lookback 21 reaches it from bound 29; lookback 0 is off. */
    for (uint64_t lookback = 0; lookback <= 21; lookback += 21) {
        cache = cache_of(0, lookback);
        EXPECT(cache, make(&m, 0, 1, 9, 100), 0, 0, 900);
        make(&m, 10, 1, 30, 100);
        m.req.content_blocks = 1;
        EXPECT(cache, &m.req, 0, 900, 2100);
        pcs_cache_free(cache);
    }

    /* A bound past the request's last breakpoint is never looked up: an
     * entry at bound 29 (end 3000) is not found by a request whose only
     * breakpoint is bound 20 (it writes 2100); as a block request, exempt,
     * it reads 3000 and writes nothing. */
    for (int blocks = 1; blocks >= 0; blocks--) {
        cache = cache_of(0, 20);
        EXPECT(cache, make(&m, 0, 1, 30, 100), 0, 0, 3000);
        make(&m, 1, 1, 30, 100);
        mark(&m, 20);
        m.req.content_blocks = (uint8_t)blocks;
        EXPECT(cache, &m.req, 0, blocks ? 0 : 3000, blocks ? 2100 : 0);
        pcs_cache_free(cache);
    }
}

/* Block traces (units not content blocks) are exempt: the entry 21 bounds
 * back is found whatever the lookback. */
static void test_lookback_exempt_on_blocks(void)
{
    struct made m;
    pcs_cache *cache = cache_of(0, 20);
    EXPECT(cache, make(&m, 0, 1, 9, 100), 0, 0, 900);
    make(&m, 10, 1, 30, 100);
    m.req.content_blocks = 0;
    EXPECT(cache, &m.req, 0, 900, 2100);
    pcs_cache_free(cache);
}

/* A deterministic pseudo-random number in [0, n). */
static uint32_t next_random(uint64_t *state, uint32_t n)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*state >> 33) % n;
}

/* A cache of lanes gives, request by request, what a breakpoint cache of
 * each lane's configuration gives on its own, refinements included: lanes
 * with and without visible_after and lookback at several TTLs, over
 * conversations that grow, branch and come back, requests in parallel
 * bursts with a time to first token, of content blocks or not, with
 * breakpoints marked here and there. */
static void test_lanes_as_caches(void)
{
    enum { LANES = 8, CONVERSATIONS = 40, REQUESTS = 30000 };
    struct pcs_cache_config configs[LANES];
    pcs_cache *alone[LANES];
    for (int i = 0; i < LANES; i++) {
        /* Lanes 0 to 5 differ only in the refinements: even ones without
         * visible_after, odd ones with, by pairs lookback 0, 20 and 1. */
        static const uint64_t lookbacks[4] = {0, 20, 1, 0};
        configs[i] = config_of(i % 2, lookbacks[i / 2]);
        configs[i].ttl_ms = i < 6 ? 5000 : 60000;
        configs[i].min_tokens = i < 6 ? 0 : 200;
        struct pcs_error err;
        alone[i] = pcs_cache_new(&configs[i], &err);
        CHECK(alone[i] != NULL);
    }
    struct pcs_error err;
    pcs_cache *lanes = pcs_cache_new_lanes(LANES, &err);
    CHECK(lanes != NULL);
    static uint64_t chains[CONVERSATIONS][MAX_BOUNDS];
    static uint8_t lengths[CONVERSATIONS];
    uint64_t x = 7, next_unit = 1, differences = 0, unreadable = 0, looked_short = 0;
    int64_t t = 0;
    for (int r = 0; lanes && r < REQUESTS; r++) {
        size_t c = next_random(&x, CONVERSATIONS);
        uint64_t *chain = chains[c];
        unsigned roll = next_random(&x, 10);
        if (lengths[c] == 0 || lengths[c] > 60) {
            lengths[c] = 1;
            chain[0] = next_unit++;
        } else if (roll < 5) { /* the next turn, one or a few blocks */
            for (unsigned b = next_random(&x, 4); b-- > 0 && lengths[c] < MAX_BOUNDS;)
                chain[lengths[c]++] = next_unit++;
        } else if (roll < 7) { /* a branch from earlier */
            lengths[c] = (uint8_t)(1 + next_random(&x, lengths[c]));
            chain[lengths[c]++] = next_unit++;
        } /* else: the same prompt again, as a parallel request would */
        t += next_random(&x, 10) == 0 ? (int64_t)next_random(&x, 3000) : (int64_t)next_random(&x, 50);
        struct made m;
        memset(&m, 0, sizeof m);
        for (size_t b = 0; b < lengths[c]; b++) {
            m.units[b] = chain[b];
            m.ends[b] = (uint32_t)(100 * (b + 1));
        }
        m.req.t_ms = t;
        m.req.namespace_id = (uint32_t)(c % 2);
        m.req.input_tokens = 100u * lengths[c] + 5;
        m.req.bound_count = lengths[c];
        m.req.units = m.units;
        m.req.ends = m.ends;
        m.req.ok = 1;
        m.req.ttft_ms = next_random(&x, 5) == 0 ? 0 : (int64_t)next_random(&x, 3000);
        m.req.content_blocks = (uint8_t)(next_random(&x, 4) != 0);
        if (next_random(&x, 2) == 0) {
            for (size_t b = 0; b < lengths[c]; b++)
                if (next_random(&x, 6) == 0 || b + 1 == lengths[c])
                    m.flags[b] = (uint8_t)(PCS_BOUND_BREAKPOINT | (next_random(&x, 4) == 0 ? PCS_BOUND_TTL_1H : 0));
            m.req.flags = m.flags;
        }
        struct pcs_usage usages[LANES], usage[LANES];
        CHECK(pcs_cache_access_lanes(lanes, &m.req, configs, usages) == PCS_OK);
        for (int i = 0; i < LANES; i++) {
            CHECK(pcs_cache_access(alone[i], &m.req, &usage[i]) == PCS_OK);
            differences += memcmp(&usage[i], &usages[i], sizeof usage[i]) != 0;
        }
        /* The refinements tell lanes apart. */
        unreadable += usage[0].cache_read != usage[1].cache_read;
        looked_short += usage[0].cache_read != usage[4].cache_read;
    }
    CHECK_U64(differences, 0);
    CHECK(unreadable > REQUESTS / 100);
    CHECK(looked_short > REQUESTS / 100);
    pcs_cache_free(lanes);
    for (int i = 0; i < LANES; i++)
        pcs_cache_free(alone[i]);
}

int main(void)
{
    test_parallel_before_and_after_ttft();
    test_rewrite_keeps_earlier_readable_time();
    test_lookback_20_and_21_back();
    test_lookback_exempt_on_blocks();
    test_lanes_as_caches();
    return check_summary();
}
