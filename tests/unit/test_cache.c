/* Hand-computed cases for every cache policy rule (DESIGN §3). Each request
 * is built directly: units name the prefix blocks, ends their token offsets. */
#include <stdlib.h>

#include "cache/prefetch_internal.h"
#include "cache/run_pool.h"
#include "cache/tree.h"
#include "check.h"
#include "pcsim/cache.h"

/* A request of count bounds with units base+0.. and ends step, 2 step, ... */
struct made {
    struct pcs_request req;
    uint64_t units[64];
    uint32_t ends[64];
    uint8_t flags[64];
};

static struct pcs_request *make(struct made *m, int64_t t_ms, uint32_t model, const uint64_t *units, size_t count,
                                uint32_t step, uint64_t input)
{
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < count; i++) {
        m->units[i] = units[i];
        m->ends[i] = (uint32_t)(step * (i + 1));
    }
    m->req.t_ms = t_ms;
    m->req.model = model;
    m->req.input_tokens = input;
    m->req.output_tokens = 7;
    m->req.bound_count = count;
    m->req.units = m->units;
    m->req.ends = m->ends;
    m->req.ok = 1;
    return &m->req;
}

static pcs_cache *cache_of(enum pcs_policy policy, int64_t ttl_ms, uint64_t min, uint64_t gran, uint64_t capacity)
{
    struct pcs_cache_config config = pcs_cache_config_default();
    struct pcs_error err;
    config.policy = policy;
    config.ttl_ms = ttl_ms;
    config.min_tokens = min;
    config.granularity = gran;
    config.capacity_tokens = capacity;
    pcs_cache *cache = pcs_cache_new(&config, &err);
    if (!cache) {
        fprintf(stderr, "cannot create cache: %s\n", err.message);
        exit(1);
    }
    return cache;
}

static uint64_t read_of(pcs_cache *cache, struct pcs_request *req)
{
    struct pcs_usage usage;
    CHECK(pcs_cache_access(cache, req, &usage) == PCS_OK);
    return usage.cache_read;
}

static void test_ttl_boundary(void)
{
    const uint64_t units[] = {1, 2, 3};
    struct made m;
    pcs_cache *cache = cache_of(PCS_POLICY_TTL, 1000, 0, 1, 0);
    CHECK_U64(read_of(cache, make(&m, 0, 0, units, 3, 100, 300)), 0);
    /* Alive while t < u + ttl: 999 < 0 + 1000 hits and refreshes u = 999. */
    CHECK_U64(read_of(cache, make(&m, 999, 0, units, 3, 100, 300)), 300);
    /* Exactly at u + ttl = 1999 the entry has expired. */
    CHECK_U64(read_of(cache, make(&m, 1999, 0, units, 3, 100, 300)), 0);
    /* A prefix of the chain refreshes only the prefix. */
    CHECK_U64(read_of(cache, make(&m, 2500, 0, units, 1, 100, 100)), 100);
    /* At 2999 bounds 1-2 (last used 1999) are dead, bound 0 (used 2500) alive. */
    CHECK_U64(read_of(cache, make(&m, 2999, 0, units, 3, 100, 300)), 100);
    pcs_cache_free(cache);
}

static void test_ideal_divergence(void)
{
    const uint64_t a[] = {1, 2, 3, 4};
    const uint64_t b[] = {1, 2, 9, 4};
    const uint64_t c[] = {5, 2, 3, 4};
    struct made m;
    pcs_cache *cache = cache_of(PCS_POLICY_IDEAL, 300000, 0, 1, 0);
    CHECK_U64(read_of(cache, make(&m, 0, 0, a, 4, 10, 45)), 0);
    /* Shares units 0..1 only: a later equal unit does not count (chained keys). */
    CHECK_U64(read_of(cache, make(&m, 1, 0, b, 4, 10, 45)), 20);
    CHECK_U64(read_of(cache, make(&m, 2, 0, c, 4, 10, 45)), 0);
    /* No TTL: hours later everything written is still there. */
    CHECK_U64(read_of(cache, make(&m, 36000000, 0, a, 4, 10, 45)), 40);
    CHECK_U64(read_of(cache, make(&m, 36000001, 0, b, 3, 10, 45)), 30);
    pcs_cache_free(cache);
}

static void test_models_and_namespaces_separate(void)
{
    const uint64_t a[] = {1, 2};
    struct made m;
    pcs_cache *cache = cache_of(PCS_POLICY_IDEAL, 300000, 0, 1, 0);
    CHECK_U64(read_of(cache, make(&m, 0, 0, a, 2, 10, 20)), 0);
    /* The same prompt on another model misses: caches are per model. */
    CHECK_U64(read_of(cache, make(&m, 1, 1, a, 2, 10, 20)), 0);
    CHECK_U64(read_of(cache, make(&m, 2, 1, a, 2, 10, 20)), 20);
    /* Another namespace (ids local to another file) misses too. */
    make(&m, 3, 0, a, 2, 10, 20);
    m.req.namespace_id = 7;
    CHECK_U64(read_of(cache, &m.req), 0);
    CHECK_U64(read_of(cache, make(&m, 4, 0, a, 2, 10, 20)), 20);
    pcs_cache_free(cache);
}

static void test_openai_min_and_granularity(void)
{
    uint64_t units[8];
    for (int i = 0; i < 8; i++)
        units[i] = (uint64_t)i + 100;
    struct made m;
    pcs_cache *cache = cache_of(PCS_POLICY_OPENAI, 300000, 1024, 128, 0);
    /* Blocks of 300 tokens: matched 1500 floors to 1408 (11 x 128). */
    CHECK_U64(read_of(cache, make(&m, 0, 0, units, 5, 300, 1600)), 0);
    CHECK_U64(read_of(cache, make(&m, 1, 0, units, 5, 300, 1600)), 1408);
    /* matched 900 < min 1024: nothing. */
    CHECK_U64(read_of(cache, make(&m, 2, 0, units, 3, 300, 1600)), 0);
    /* matched 1200 >= min but input 1000 < min is impossible; input 1200: 1152. */
    CHECK_U64(read_of(cache, make(&m, 3, 0, units, 4, 300, 1200)), 1152);
    /* input below min: 0 even though bounds match. */
    make(&m, 4, 0, units, 3, 300, 1000);
    CHECK_U64(read_of(cache, &m.req), 0);
    pcs_cache_free(cache);
}

static void test_breakpoint_last_bound(void)
{
    const uint64_t a[] = {1, 2, 3, 4};
    struct made m;
    struct pcs_usage usage;
    pcs_cache *cache = cache_of(PCS_POLICY_BREAKPOINT, 1000, 150, 1, 0);
    /* No marks: only the last bound (end 400) is written: write 400. */
    CHECK(pcs_cache_access(cache, make(&m, 0, 0, a, 4, 100, 450), &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 0);
    CHECK_U64(usage.cache_write, 400);
    /* A shorter prompt (3 bounds) has no entry on its chain: no read; it
     * writes its own last bound (300). */
    CHECK(pcs_cache_access(cache, make(&m, 10, 0, a, 3, 100, 300), &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 0);
    CHECK_U64(usage.cache_write, 300);
    /* The full prompt reads its deepest alive entry (400); nothing new to write. */
    CHECK(pcs_cache_access(cache, make(&m, 20, 0, a, 4, 100, 450), &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 400);
    CHECK_U64(usage.cache_write, 0);
    /* Below min_tokens (a 1-bound prompt of 100 < 150) nothing is written. */
    CHECK(pcs_cache_access(cache, make(&m, 30, 0, a, 1, 100, 100), &usage) == PCS_OK);
    CHECK_U64(usage.cache_write, 0);
    /* The entry at 400 was refreshed at 20: alive at 1019, dead at 1020;
     * the entry at 300 was last used at 10 and is dead at 1010. */
    CHECK(pcs_cache_access(cache, make(&m, 1019, 0, a, 4, 100, 450), &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 400);
    CHECK(pcs_cache_access(cache, make(&m, 2019, 0, a, 4, 100, 450), &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 0);
    CHECK_U64(usage.cache_write, 400);
    pcs_cache_free(cache);
}

static void test_breakpoint_markers(void)
{
    const uint64_t a[] = {1, 2, 3, 4};
    struct made m;
    struct pcs_usage usage;
    pcs_cache *cache = cache_of(PCS_POLICY_BREAKPOINT, 300000, 0, 1, 0);
    /* Marks at bound 1 ("1h") and bound 3 ("5m"): writes 0..200 at 1 h and
     * 200..400 at 5 min; cache_write 400, of which 200 at the 1-hour price. */
    make(&m, 0, 0, a, 4, 100, 500);
    m.flags[1] = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H;
    m.flags[3] = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M;
    m.req.flags = m.flags;
    CHECK(pcs_cache_access(cache, &m.req, &usage) == PCS_OK);
    CHECK_U64(usage.cache_write, 400);
    CHECK_U64(usage.cache_write_1h, 200);
    CHECK_U64(pcs_usage_uncached(&usage), 100);
    /* Ten minutes later the 5-minute entry is gone, the 1-hour one serves 200
     * and the 5-minute breakpoint is written again (200 tokens). */
    make(&m, 600000, 0, a, 4, 100, 500);
    m.flags[1] = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H;
    m.flags[3] = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M;
    m.req.flags = m.flags;
    CHECK(pcs_cache_access(cache, &m.req, &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 200);
    CHECK_U64(usage.cache_write, 200);
    CHECK_U64(usage.cache_write_1h, 0);
    /* An unmarked request on the same chain: its last bound is the only
     * breakpoint; it reads the deepest alive entry (400). */
    CHECK(pcs_cache_access(cache, make(&m, 600001, 0, a, 4, 100, 500), &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 400);
    CHECK_U64(usage.cache_write, 0);
    /* 1 h 10 min after its last refresh at 600000 the 1-hour entry has died. */
    CHECK(pcs_cache_access(cache, make(&m, 600000 + 3600000, 0, a, 2, 100, 200), &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 0);
    CHECK_U64(usage.cache_write, 200);
    pcs_cache_free(cache);
}

static void test_lru_eviction_order(void)
{
    const uint64_t a[] = {1, 2, 3};
    const uint64_t b[] = {1, 2, 7};
    const uint64_t c[] = {9, 8};
    struct made m;
    /* Capacity 50 tokens, blocks of 10. */
    pcs_cache *cache = cache_of(PCS_POLICY_LRU, 300000, 0, 1, 50);
    CHECK_U64(read_of(cache, make(&m, 0, 0, a, 3, 10, 30)), 0);  /* holds 1,2,3: 30 */
    CHECK_U64(read_of(cache, make(&m, 1, 0, b, 3, 10, 30)), 20); /* adds 7: 40 */
    CHECK_U64(pcs_cache_cached_tokens(cache), 40);
    /* Adding 9,8 (20) makes 60 > 50: the least recent is bound 3 of a
     * (touched at 0; 1 and 2 were touched again at 1): evicted first. */
    CHECK_U64(read_of(cache, make(&m, 2, 0, c, 2, 10, 20)), 0);
    CHECK_U64(pcs_cache_cached_tokens(cache), 50);
    CHECK_U64(read_of(cache, make(&m, 3, 0, a, 3, 10, 30)), 20);
    /* That re-inserted 3 (60): next least recent is b's bound 7, then... */
    CHECK_U64(read_of(cache, make(&m, 4, 0, b, 3, 10, 30)), 20);
    /* A prefix is never evicted before its extensions: 9 survives while 8 goes. */
    CHECK_U64(read_of(cache, make(&m, 5, 0, c, 2, 10, 20)), 10);
    CHECK(pcs_cache_cached_tokens(cache) <= 50);
    pcs_cache_free(cache);
}

static void test_none(void)
{
    const uint64_t a[] = {1, 2};
    struct made m;
    struct pcs_usage usage;
    pcs_cache *cache = cache_of(PCS_POLICY_NONE, 300000, 0, 1, 0);
    CHECK(pcs_cache_access(cache, make(&m, 0, 0, a, 2, 10, 25), &usage) == PCS_OK);
    CHECK(pcs_cache_access(cache, make(&m, 1, 0, a, 2, 10, 25), &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 0);
    CHECK_U64(pcs_usage_uncached(&usage), 25);
    CHECK_U64(usage.output, 7);
    /* Time must not go backwards. */
    CHECK(pcs_cache_access(cache, make(&m, 0, 0, a, 2, 10, 25), &usage) == PCS_ERR_ARG);
    pcs_cache_free(cache);
    pcs_cache_free(NULL);
}

/* A conversation whose last block is partial: each turn replaces it. The
 * tree keeps the replaced blocks as side branches of one run; requests that
 * go back through them must still read exactly what the per-bound rules say. */
static void test_side_branches(enum pcs_policy policy)
{
    struct made m;
    pcs_cache *cache = cache_of(policy, 1000, 0, 1, 0);
    const uint64_t r1[] = {1, 2, 3};
    const uint64_t r2[] = {1, 2, 4, 5, 6};
    const uint64_t r4[] = {1, 2, 4, 5, 6, 7};
    CHECK_U64(read_of(cache, make(&m, 0, 0, r1, 3, 10, 30)), 0);
    CHECK_U64(read_of(cache, make(&m, 10, 0, r2, 5, 10, 50)), 20);
    /* Back through the replaced block 3 (last used at 0): all three bounds. */
    CHECK_U64(read_of(cache, make(&m, 20, 0, r1, 3, 10, 30)), 30);
    /* 1, 2 were used at 20, 4-6 at 10: alive at 1005 under a 1 s TTL. */
    CHECK_U64(read_of(cache, make(&m, 1005, 0, r4, 6, 10, 60)), 50);
    /* Block 3 was last used at 20: dead at 1021 (ttl), alive forever (ideal). */
    CHECK_U64(read_of(cache, make(&m, 1021, 0, r1, 3, 10, 30)), policy == PCS_POLICY_IDEAL ? 30 : 20);
    pcs_cache_free(cache);

    /* Side branches move with a cut: before it to the head, after it with
     * the tail (offsets shifted). */
    cache = cache_of(policy, 100000, 0, 1, 0);
    const uint64_t s1[] = {1, 2, 3, 9};
    const uint64_t s2[] = {1, 2, 3, 8, 7};
    const uint64_t s3[] = {1, 2, 3, 8, 6};
    const uint64_t s4[] = {1, 2, 5};
    CHECK_U64(read_of(cache, make(&m, 0, 0, s1, 4, 10, 40)), 0);
    CHECK_U64(read_of(cache, make(&m, 1, 0, s2, 5, 10, 50)), 30);
    CHECK_U64(read_of(cache, make(&m, 2, 0, s3, 5, 10, 50)), 40);
    CHECK_U64(read_of(cache, make(&m, 3, 0, s4, 3, 10, 30)), 20);
    CHECK_U64(read_of(cache, make(&m, 4, 0, s1, 4, 10, 40)), 40);
    CHECK_U64(read_of(cache, make(&m, 5, 0, s2, 5, 10, 50)), 50);
    CHECK_U64(read_of(cache, make(&m, 6, 0, s3, 5, 10, 50)), 50);
    CHECK_U64(read_of(cache, make(&m, 7, 0, s4, 3, 10, 30)), 30);
    pcs_cache_free(cache);

    /* A long conversation stays a few nodes: 200 turns, each adding
     * a block and replacing the partial one, 600 ms apart under a 1 s TTL. */
    if (policy == PCS_POLICY_TTL) {
        cache = cache_of(policy, 1000, 0, 1, 0);
        uint64_t units[64];
        for (int turn = 0; turn < 200; turn++) {
            size_t n = (size_t)(turn % 60) + 2;
            units[0] = 5000 + (uint64_t)(turn / 60); /* a new conversation every 60 turns */
            for (size_t i = 1; i + 1 < n; i++)
                units[i] = 100 + i;
            units[n - 1] = 10000 + (uint64_t)turn; /* the partial last block */
            read_of(cache, make(&m, turn * 600, 0, units, n, 10, n * 10));
        }
        /* Without side branches: two nodes a turn (400); with them, a few per
         * conversation (dead conversations wait for the next sweep). */
        CHECK(pcs_cache_node_count(cache) < 40);
        pcs_cache_free(cache);
    }
}

/* A deterministic pseudo-random number in [0, n). */
static uint32_t next_random(uint64_t *state, uint32_t n)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*state >> 33) % n;
}

#define LOOK_REQUESTS 4000
#define LOOK_MAX_BOUNDS 48

/* Conversations as a trace has them: sessions on two models sharing system
 * prompts, each turn re-sending its history with its partial last block
 * replaced, some turns going back to an older prefix, and gaps about the
 * TTL so that entries expire. */
static struct pcs_request *look_requests(void)
{
    static struct pcs_request reqs[LOOK_REQUESTS];
    static uint64_t units[LOOK_REQUESTS][LOOK_MAX_BOUNDS];
    static uint32_t ends[LOOK_REQUESTS][LOOK_MAX_BOUNDS];
    uint64_t history[12][LOOK_MAX_BOUNDS];
    size_t length[12] = {0};
    uint64_t state = 42, fresh = 1000;
    int64_t t = 0;
    for (size_t i = 0; i < LOOK_REQUESTS; i++) {
        uint32_t s = next_random(&state, 12);
        uint32_t what = next_random(&state, 10);
        if (length[s] == 0 || length[s] + 3 > LOOK_MAX_BOUNDS || what == 0) {
            /* A new session: one of three system prompts, then its own blocks. */
            uint32_t prompt = next_random(&state, 3);
            length[s] = 0;
            for (uint32_t b = 0; b < 2 + prompt; b++)
                history[s][length[s]++] = 10 * prompt + b;
            history[s][length[s]++] = fresh++;
        } else if (what == 1) {
            length[s] = 1 + next_random(&state, (uint32_t)length[s]); /* back to an older prefix */
        } else {
            length[s]--; /* the partial block is replaced */
            for (uint32_t b = 0; b < 1 + next_random(&state, 3); b++)
                history[s][length[s]++] = fresh++;
        }
        t += next_random(&state, 300);
        memcpy(units[i], history[s], length[s] * sizeof units[i][0]);
        for (size_t b = 0; b < length[s]; b++)
            ends[i][b] = (uint32_t)(100 * (b + 1));
        reqs[i] = (struct pcs_request){.t_ms = t,
                                       .model = s % 2,
                                       .input_tokens = 100 * length[s],
                                       .output_tokens = 1,
                                       .bound_count = length[s],
                                       .units = units[i],
                                       .ends = ends[i],
                                       .ok = 1};
    }
    return reqs;
}

static void test_lookahead_changes_nothing(void)
{
    /* Announcing requests ahead (and some that come much later, or never)
     * only prefetches: every policy gives the same usage, request by
     * request, and ends with the same tree. */
    struct pcs_request *reqs = look_requests();
    const enum pcs_policy policies[] = {PCS_POLICY_IDEAL, PCS_POLICY_TTL, PCS_POLICY_OPENAI, PCS_POLICY_BREAKPOINT,
                                        PCS_POLICY_LRU};
    for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
        pcs_cache *plain = cache_of(policies[p], 2000, 200, 100, 3000);
        pcs_cache *ahead = cache_of(policies[p], 2000, 200, 100, 3000);
        uint64_t state = 7;
        int same = 1;
        uint64_t read = 0;
        for (size_t i = 0; i < LOOK_REQUESTS; i++) {
            if (i + PCS_CACHE_LOOKAHEAD < LOOK_REQUESTS)
                pcs_cache_prefetch(ahead, &reqs[i + PCS_CACHE_LOOKAHEAD]);
            if (next_random(&state, 4) == 0)
                pcs_cache_prefetch(ahead, &reqs[next_random(&state, LOOK_REQUESTS)]);
            struct pcs_usage a, b;
            CHECK(pcs_cache_access(plain, &reqs[i], &a) == PCS_OK);
            CHECK(pcs_cache_access(ahead, &reqs[i], &b) == PCS_OK);
            same &= a.cache_read == b.cache_read && a.cache_write == b.cache_write;
            read += a.cache_read;
        }
        CHECK(same);
        CHECK(read > 0); /* the trace does hit */
        CHECK_U64(pcs_cache_node_count(ahead), pcs_cache_node_count(plain));
        pcs_cache_free(plain);
        pcs_cache_free(ahead);
    }
}

/* The reference for ideal with no minimum and granularity 1: a request
 * reads up to its deepest bound whose whole prefix an earlier request
 * had (prefixes as chained hashes in an open-addressing set). */
#define BIG_REQUESTS 150000
#define BIG_SET_BITS 21
#define BIG_SET (1u << BIG_SET_BITS)
static uint64_t prefix_set[BIG_SET];

static int prefix_seen(uint64_t key, int insert)
{
    key |= 1; /* 0 marks an empty slot */
    size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull >> (64 - BIG_SET_BITS));
    while (prefix_set[i] != 0 && prefix_set[i] != key)
        i = (i + 1) & (BIG_SET - 1);
    if (prefix_set[i] == key)
        return 1;
    if (insert)
        prefix_set[i] = key;
    return 0;
}

/* What ideal reads for units[0..4) (ends 10, 20, ...) in the stream whose
 * prefixes are salted with salt; the prefixes are then seen. */
static uint64_t reference_read(const uint64_t *units, uint64_t salt)
{
    uint64_t key = salt, expected = 0;
    int reading = 1;
    for (size_t b = 0; b < 4; b++) {
        key = (key ^ units[b]) * 0x100000001B3ull + b;
        int seen = prefix_seen(key, 1);
        if (reading && seen)
            expected = 10 * (b + 1);
        reading &= seen;
    }
    return expected;
}

/* Large trees, whose arrays (nodes, and lru's costs) grow many times,
 * twice on one thread (the second on the first's freed memory). Ideal,
 * and an LRU too large to evict (with a request of its own every fifth,
 * so that the two trees differ), read exactly what the reference says,
 * request by request. */
static void large_tree_round(void)
{
    pcs_cache *ideal = cache_of(PCS_POLICY_IDEAL, 300000, 0, 1, 0);
    pcs_cache *lru = cache_of(PCS_POLICY_LRU, 300000, 0, 1, (uint64_t)1 << 40);
    memset(prefix_set, 0, sizeof prefix_set);
    uint64_t state = 7, fresh = 1000000, wrong_ideal = 0, wrong_lru = 0, reads = 0;
    static uint64_t past[BIG_REQUESTS][4]; /* 4.8 MB */
    struct made m;
    for (size_t r = 0; r < BIG_REQUESTS; r++) {
        uint64_t units[4];
        if (r > 0 && next_random(&state, 3) == 0) {
            memcpy(units, past[next_random(&state, (uint32_t)r)], sizeof units); /* an earlier request again */
        } else {
            uint32_t prompt = next_random(&state, 50);
            units[0] = 10 * prompt;
            units[1] = 10 * prompt + 1;
            units[2] = fresh++;
            units[3] = fresh++;
        }
        memcpy(past[r], units, sizeof units);
        struct pcs_request *req = make(&m, (int64_t)r, 0, units, 4, 10, 40);
        uint64_t expected = reference_read(units, 0);
        wrong_ideal += read_of(ideal, req) != expected;
        wrong_lru += read_of(lru, req) != reference_read(units, 1);
        reads += expected;
        if (r % 5 == 0) {
            const uint64_t own[4] = {units[0], units[1], fresh++, 7};
            wrong_lru += read_of(lru, make(&m, (int64_t)r, 0, own, 4, 10, 40)) != reference_read(own, 1);
        }
    }
    CHECK_U64(wrong_ideal, 0);
    CHECK_U64(wrong_lru, 0);
    CHECK(reads > 0);
    /* Nodes past 8 MiB: grown a dozen times, well onto huge pages. */
    CHECK(pcs_cache_node_count(ideal) * sizeof(struct tree_node) > ((size_t)8 << 20));
    pcs_cache_free(ideal);
    pcs_cache_free(lru);
}

static void test_large_tree(void)
{
    for (int round = 0; round < 2; round++)
        large_tree_round();
}

static void test_run_pool(void)
{
    /* Capacities round up to powers of two from 4; past the largest pooled
     * one they are kept as asked. */
    CHECK_U64(pcs_run_pool_capacity(1), 4);
    CHECK_U64(pcs_run_pool_capacity(4), 4);
    CHECK_U64(pcs_run_pool_capacity(5), 8);
    CHECK_U64(pcs_run_pool_capacity(RUN_POOL_MAX_UNITS), RUN_POOL_MAX_UNITS);
    CHECK_U64(pcs_run_pool_capacity(RUN_POOL_MAX_UNITS + 1), RUN_POOL_MAX_UNITS + 1);
    struct run_pool pool;
    pcs_run_pool_init(&pool);
    /* Runs of every class, written whole, stay apart. */
    uint64_t *runs[RUN_POOL_CLASSES + 1];
    uint32_t caps[RUN_POOL_CLASSES + 1];
    for (int c = 0; c <= RUN_POOL_CLASSES; c++) {
        caps[c] = c < RUN_POOL_CLASSES ? (uint32_t)1 << (c + RUN_POOL_MIN_SHIFT) : RUN_POOL_MAX_UNITS * 2;
        runs[c] = pcs_run_pool_alloc(&pool, caps[c]);
        CHECK(runs[c] != NULL);
        for (uint32_t i = 0; runs[c] && i < caps[c]; i++)
            runs[c][i] = (uint64_t)c << 32 | i;
    }
    int intact = 1;
    for (int c = 0; c <= RUN_POOL_CLASSES; c++)
        for (uint32_t i = 0; runs[c] && i < caps[c]; i++)
            intact &= runs[c][i] == ((uint64_t)c << 32 | i);
    CHECK(intact);
    /* A freed run is handed out again for any capacity of its class, last
     * freed first. */
    pcs_run_pool_free(&pool, runs[1], caps[1]);
    pcs_run_pool_free(&pool, runs[0], caps[0]);
    CHECK(pcs_run_pool_alloc(&pool, 3) == runs[0]);
    CHECK(pcs_run_pool_alloc(&pool, 7) == runs[1]);
    uint64_t *fresh = pcs_run_pool_alloc(&pool, 8);
    CHECK(fresh != NULL && fresh != runs[1]);
    pcs_run_pool_free(&pool, runs[RUN_POOL_CLASSES], caps[RUN_POOL_CLASSES]); /* from malloc */
    pcs_run_pool_release(&pool);
}

static void test_request_keys(void)
{
    const uint64_t a[] = {1, 2, 3};
    const uint64_t b[] = {1, 2, 4};
    struct made x, y;
    uint64_t kx[3], ky[3];
    /* Chained keys: equal while the prefixes are, different from the first
     * differing unit on; another model or namespace changes every key. */
    pcs_request_keys(make(&x, 0, 0, a, 3, 10, 30), kx);
    pcs_request_keys(make(&y, 0, 0, b, 3, 10, 30), ky);
    CHECK(kx[0] == ky[0] && kx[1] == ky[1] && kx[2] != ky[2]);
    CHECK(kx[0] != kx[1] && kx[1] != kx[2]);
    pcs_request_keys(make(&y, 0, 1, a, 3, 10, 30), ky);
    CHECK(kx[0] != ky[0] && kx[2] != ky[2]);
    make(&y, 0, 0, a, 3, 10, 30);
    y.req.namespace_id = 3;
    pcs_request_keys(&y.req, ky);
    CHECK(kx[0] != ky[0]);
}

static void test_presets(void)
{
    struct pcs_cache_config config;
    CHECK(pcs_cache_preset("openai", &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_OPENAI && config.ttl_ms == 300000 && config.min_tokens == 1024 &&
          config.granularity == 128);
    CHECK(pcs_cache_preset("anthropic-1h", &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_BREAKPOINT && config.ttl_ms == 3600000);
    CHECK(pcs_cache_preset("openai-bp", &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_BREAKPOINT && config.ttl_ms == 1800000);
    CHECK(pcs_cache_preset("no-such-preset", &config) == PCS_ERR_ARG);
    config = pcs_cache_config_default();
    config.policy = PCS_POLICY_LRU;
    CHECK(pcs_cache_config_check(&config, NULL) == PCS_ERR_ARG); /* lru needs a capacity */
    /* A constructor returns NULL with the status and the reason in err (or
     * in nothing: err may be NULL). */
    struct pcs_error err = {0};
    CHECK(pcs_cache_new(&config, &err) == NULL);
    CHECK(err.status == PCS_ERR_ARG);
    CHECK(strstr(err.message, "capacity") != NULL);
    CHECK(pcs_cache_new(&config, NULL) == NULL);
    char list[300];
    CHECK(strcmp(pcs_cache_preset_list(0, list, sizeof list),
                 "openai, openai-24h, openai-bp, anthropic-5m, anthropic-1h, gemini, deepseek, ttl, breakpoint, ideal, "
                 "lru, none") == 0);
    CHECK(strstr(pcs_cache_preset_list(1, list, sizeof list), "lru") == NULL);
    CHECK(pcs_cache_preset_per_model("anthropic-1h") && pcs_cache_preset_per_model("gemini") &&
          !pcs_cache_preset_per_model("openai") && !pcs_cache_preset_per_model("no-such-preset"));
}

/* The policy table states which configuration fields each policy reads
 * (pcs_policy_info), and everything from pcs_cache_config_equal to the
 * reports trusts it. Checked against behaviour: on a trace of conversations
 * with marked breakpoints, changing a field the table says a policy reads
 * changes some request's usage and makes the configurations unequal;
 * changing any other field changes nothing and leaves them equal. */
static int usages_differ(const struct pcs_cache_config *a, const struct pcs_cache_config *b,
                         const struct pcs_request *reqs, size_t count)
{
    pcs_cache *first = pcs_cache_new(a, NULL);
    pcs_cache *second = pcs_cache_new(b, NULL);
    CHECK(first && second);
    int differ = 0;
    for (size_t i = 0; first && second && i < count && !differ; i++) {
        struct pcs_usage x, y;
        CHECK(pcs_cache_access(first, &reqs[i], &x) == PCS_OK);
        CHECK(pcs_cache_access(second, &reqs[i], &y) == PCS_OK);
        differ = x.cache_read != y.cache_read || x.cache_write != y.cache_write || x.cache_write_1h != y.cache_write_1h;
    }
    pcs_cache_free(first);
    pcs_cache_free(second);
    return differ;
}

static void test_policy_table(void)
{
    static struct pcs_request marked[LOOK_REQUESTS];
    static uint8_t flags[LOOK_REQUESTS][LOOK_MAX_BOUNDS];
    const struct pcs_request *plain = look_requests();
    for (size_t i = 0; i < LOOK_REQUESTS; i++) {
        marked[i] = plain[i];
        marked[i].ttft_ms = 100 * (int64_t)(i % 4); /* parallel turns before and after it (visible_after) */
        marked[i].content_blocks = 1;               /* so lookback applies */
        size_t last = plain[i].bound_count - 1;
        /* Every third request marks its system prompt's last block for an hour and the end of
         * its prompt for 5 minutes; the others are unmarked, so the policy's TTL still counts. */
        if (i % 3)
            continue;
        flags[i][1] = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H;
        flags[i][last] = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M;
        marked[i].flags = flags[i];
    }
    /* A second value of each parameter, in its unit; a parameter added to
     * the table without one here fails below. */
    static const uint64_t other_value[PCS_PARAM_COUNT] = {
        [PCS_PARAM_CAPACITY] = 1500,   [PCS_PARAM_TTL] = 120,    [PCS_PARAM_MIN_TOKENS] = 700,
        [PCS_PARAM_GRANULARITY] = 300, [PCS_PARAM_MARKERS] = 1,  [PCS_PARAM_OVERFLOW_RPM] = 15,
        [PCS_PARAM_VISIBLE_AFTER] = 1, [PCS_PARAM_LOOKBACK] = 1,
    };
    char names[96];
    CHECK(strcmp(pcs_policy_ttl_curve_names(names, sizeof names), "ttl, openai and breakpoint") == 0);
    CHECK(pcs_policy_info(PCS_POLICY_COUNT) == NULL);
    CHECK(pcs_cache_param_info(PCS_PARAM_COUNT) == NULL);
    unsigned all_uses = 0;
    for (int f = 0; f < PCS_PARAM_COUNT; f++) {
        const struct pcs_cache_param_info *param = pcs_cache_param_info((enum pcs_cache_param)f);
        CHECK(param && param->name && param->uses && !(all_uses & param->uses)); /* one bit each */
        CHECK(other_value[f] != 0);
        all_uses |= param ? param->uses : 0;
    }
    for (int p = 0; p < PCS_POLICY_COUNT; p++) {
        const struct pcs_policy_info *info = pcs_policy_info((enum pcs_policy)p);
        CHECK(info && info->name && pcs_policy_parse(info->name) == p);
        if (!info)
            continue;
        CHECK((info->uses & ~all_uses) == 0); /* every bit a policy reads is a parameter */
        struct pcs_cache_config base = pcs_cache_config_default();
        base.policy = (enum pcs_policy)p;
        base.ttl_ms = 1000;
        base.min_tokens = 300;
        base.granularity = 200;
        base.capacity_tokens = 3000;
        for (int f = 0; f < PCS_PARAM_COUNT; f++) {
            const struct pcs_cache_param_info *param = pcs_cache_param_info((enum pcs_cache_param)f);
            struct pcs_cache_config changed = base;
            pcs_cache_param_set(&changed, (enum pcs_cache_param)f, other_value[f]);
            CHECK(pcs_cache_param_get(&changed, (enum pcs_cache_param)f) == other_value[f]);
            /* set touches its own field only */
            struct pcs_cache_config back = changed;
            pcs_cache_param_set(&back, (enum pcs_cache_param)f, pcs_cache_param_get(&base, (enum pcs_cache_param)f));
            CHECK(back.policy == base.policy && back.ttl_ms == base.ttl_ms && back.min_tokens == base.min_tokens &&
                  back.granularity == base.granularity && back.capacity_tokens == base.capacity_tokens &&
                  back.ttl_overrides_markers == base.ttl_overrides_markers);
            int uses = (info->uses & param->uses) != 0;
            int differ = usages_differ(&base, &changed, marked, LOOK_REQUESTS);
            int equal = pcs_cache_config_equal(&base, &changed);
            if (differ != uses || equal == uses)
                fprintf(stderr, "policy %s, parameter %s: the table says %s; usage %s, configs %s\n", info->name,
                        param->name, uses ? "read" : "not read", differ ? "changed" : "unchanged",
                        equal ? "equal" : "unequal");
            CHECK(differ == uses);
            CHECK(equal == !uses);
        }
        struct pcs_cache_config other = base;
        other.policy = (enum pcs_policy)((p + 1) % PCS_POLICY_COUNT);
        CHECK(!pcs_cache_config_equal(&base, &other));
    }
}

static pcs_cache *lanes_of(size_t count)
{
    struct pcs_error err;
    pcs_cache *cache = pcs_cache_new_lanes(count, &err);
    if (!cache) {
        fprintf(stderr, "cannot create a cache of lanes: %s\n", err.message);
        exit(1);
    }
    return cache;
}

static struct pcs_cache_config breakpoint_config(int64_t ttl_ms, uint64_t min, int overrides)
{
    struct pcs_cache_config config = pcs_cache_config_default();
    config.policy = PCS_POLICY_BREAKPOINT;
    config.ttl_ms = ttl_ms;
    config.min_tokens = min;
    config.ttl_overrides_markers = overrides;
    return config;
}

/* Two lanes of one breakpoint cache, TTLs 1 s and 5 s, each answering as
 * its own cache would (DESIGN §3's breakpoint row). */
static void test_breakpoint_lanes(void)
{
    const uint64_t a[] = {1, 2, 3, 4};
    struct made m;
    struct pcs_usage usages[2];
    struct pcs_cache_config configs[2] = {breakpoint_config(1000, 150, 1), breakpoint_config(5000, 150, 1)};
    pcs_cache *cache = lanes_of(2);
    /* Both write the last bound (400). */
    CHECK(pcs_cache_access_lanes(cache, make(&m, 0, 0, a, 4, 100, 450), configs, usages) == PCS_OK);
    CHECK_U64(usages[0].cache_write, 400);
    CHECK_U64(usages[1].cache_write, 400);
    CHECK_U64(usages[1].requests, 1);
    CHECK_U64(usages[1].input, 450);
    CHECK_U64(usages[1].output, 7);
    /* 2 s later the 1 s entry is dead: lane 0 writes 400 again, lane 1 reads it. */
    CHECK(pcs_cache_access_lanes(cache, make(&m, 2000, 0, a, 4, 100, 450), configs, usages) == PCS_OK);
    CHECK_U64(usages[0].cache_read, 0);
    CHECK_U64(usages[0].cache_write, 400);
    CHECK_U64(usages[1].cache_read, 400);
    CHECK_U64(usages[1].cache_write, 0);
    /* A 3-bound prompt at 2500: no entry ends at 300 in either lane, both
     * write it (300; nothing on its chain was read). */
    CHECK(pcs_cache_access_lanes(cache, make(&m, 2500, 0, a, 3, 100, 300), configs, usages) == PCS_OK);
    CHECK_U64(usages[0].cache_read, 0);
    CHECK_U64(usages[0].cache_write, 300);
    CHECK_U64(usages[1].cache_read, 0);
    CHECK_U64(usages[1].cache_write, 300);
    /* At 3400: lane 0's entry at 400 (used at 2000) is dead at 3000, the one
     * at 300 (2500) alive: it reads 300 and writes 300..400 (100). Lane 1
     * reads its entry at 400, refreshed at 2000. */
    CHECK(pcs_cache_access_lanes(cache, make(&m, 3400, 0, a, 4, 100, 450), configs, usages) == PCS_OK);
    CHECK_U64(usages[0].cache_read, 300);
    CHECK_U64(usages[0].cache_write, 100);
    CHECK_U64(usages[1].cache_read, 400);
    CHECK_U64(usages[1].cache_write, 0);
    /* Time goes forward only; nothing changes on a refusal. */
    CHECK(pcs_cache_access_lanes(cache, make(&m, 3399, 0, a, 4, 100, 450), configs, usages) == PCS_ERR_ARG);
    CHECK(pcs_cache_access(cache, make(&m, 3400, 0, a, 4, 100, 450), &usages[0]) == PCS_ERR_ARG);
    /* Markers: where the lane's TTL does not override them, a "1h" mark's
     * write is a 1-hour one; where it does, the lane's TTL (5 s) decides. */
    const uint64_t b[] = {7, 8};
    struct pcs_cache_config marked[2] = {breakpoint_config(1000, 0, 0), breakpoint_config(5000, 0, 1)};
    make(&m, 4000, 1, b, 2, 100, 250);
    m.flags[0] = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H;
    m.req.flags = m.flags;
    CHECK(pcs_cache_access_lanes(cache, &m.req, marked, usages) == PCS_OK);
    CHECK_U64(usages[0].cache_write, 100);
    CHECK_U64(usages[0].cache_write_1h, 100);
    CHECK_U64(usages[1].cache_write, 100);
    CHECK_U64(usages[1].cache_write_1h, 0);
    /* 10 s later only lane 0's 1-hour entry is alive. */
    CHECK(pcs_cache_access_lanes(cache, make(&m, 14000, 1, b, 1, 100, 150), marked, usages) == PCS_OK);
    CHECK_U64(usages[0].cache_read, 100);
    CHECK_U64(usages[0].cache_write, 0);
    CHECK_U64(usages[1].cache_read, 0);
    CHECK_U64(usages[1].cache_write, 100);
    pcs_cache_free(cache);
    struct pcs_error err;
    CHECK(pcs_cache_new_lanes(0, &err) == NULL && err.status == PCS_ERR_ARG);
}

/* A cache of lanes gives, request by request, what a breakpoint cache of
 * each lane's configuration gives on its own: over many conversations that
 * grow, branch and come back after gaps, with and without markers, two
 * models, and enough nodes that dead ones are swept. */
static void test_breakpoint_lanes_as_caches(void)
{
    enum { LANES = 7, CONVERSATIONS = 3000, REQUESTS = 60000 };
    const int64_t ttls[LANES] = {500, 2000, 7000, 20000, 60000, 300000, 3600000};
    struct pcs_cache_config configs[2][LANES];
    pcs_cache *alone[2][LANES];
    for (int model = 0; model < 2; model++)
        for (int i = 0; i < LANES; i++) {
            configs[model][i] = breakpoint_config(ttls[i], model == 0 ? (uint64_t)(i % 3) * 150 : 600, i % 2);
            struct pcs_error err;
            alone[model][i] = pcs_cache_new(&configs[model][i], &err);
            CHECK(alone[model][i] != NULL);
        }
    pcs_cache *lanes = lanes_of(LANES);
    static uint64_t chains[CONVERSATIONS][64];
    static uint8_t lengths[CONVERSATIONS];
    uint64_t x = 1, next_unit = 1, most_nodes = 0, differences = 0, reads = 0, diverged = 0;
    int64_t t = 0;
    for (int r = 0; r < REQUESTS; r++) {
        size_t c = next_random(&x, CONVERSATIONS);
        uint64_t *chain = chains[c];
        unsigned roll = next_random(&x, 10);
        if (lengths[c] == 0 || lengths[c] > 60) { /* a new conversation */
            lengths[c] = 1;
            chain[0] = next_unit++;
        } else if (roll < 6) { /* the next turn */
            chain[lengths[c]++] = next_unit++;
        } else if (roll < 8) { /* a branch from earlier in the conversation */
            lengths[c] = (uint8_t)(1 + next_random(&x, lengths[c]));
            chain[lengths[c]++] = next_unit++;
        } /* else: the same prompt again */
        t += (int64_t)(next_random(&x, 50) == 0 ? next_random(&x, 20000) : next_random(&x, 5));
        struct made m;
        make(&m, t, (uint32_t)(c % 2), chain, lengths[c], 100, 100u * lengths[c] + 5);
        m.req.namespace_id = (uint32_t)(c % 3);
        if (next_random(&x, 3) == 0) { /* marked breakpoints, some with a TTL */
            for (size_t b = 0; b < lengths[c]; b++)
                if (next_random(&x, 5) == 0 || b + 1 == lengths[c])
                    m.flags[b] = (uint8_t)(PCS_BOUND_BREAKPOINT | (next_random(&x, 3) == 0   ? PCS_BOUND_TTL_1H
                                                                   : next_random(&x, 2) == 0 ? PCS_BOUND_TTL_5M
                                                                                             : 0));
            m.req.flags = m.flags;
        }
        struct pcs_usage usages[LANES];
        CHECK(pcs_cache_access_lanes(lanes, &m.req, configs[m.req.model], usages) == PCS_OK);
        for (int i = 0; i < LANES; i++) {
            struct pcs_usage usage;
            CHECK(pcs_cache_access(alone[m.req.model][i], &m.req, &usage) == PCS_OK);
            differences += memcmp(&usage, &usages[i], sizeof usage) != 0;
            reads += usage.cache_read > 0;
        }
        diverged += usages[0].cache_read != usages[LANES - 1].cache_read;
        if (pcs_cache_node_count(lanes) > most_nodes)
            most_nodes = pcs_cache_node_count(lanes);
    }
    CHECK_U64(differences, 0);
    CHECK(diverged > REQUESTS / 10); /* the TTLs tell apart */
    CHECK(reads > REQUESTS);         /* the lanes read, not only write */
    CHECK(most_nodes > 16384);       /* sweeps came (cache.c's SWEEP_MIN_NODES) */
    CHECK(pcs_cache_node_count(lanes) < most_nodes);
    pcs_cache_free(lanes);
    for (int model = 0; model < 2; model++)
        for (int i = 0; i < LANES; i++)
            pcs_cache_free(alone[model][i]);
}

int main(void)
{
    test_ttl_boundary();
    test_ideal_divergence();
    test_models_and_namespaces_separate();
    test_openai_min_and_granularity();
    test_breakpoint_last_bound();
    test_breakpoint_markers();
    test_breakpoint_lanes();
    test_breakpoint_lanes_as_caches();
    test_lru_eviction_order();
    test_none();
    test_side_branches(PCS_POLICY_TTL);
    test_side_branches(PCS_POLICY_IDEAL);
    test_side_branches(PCS_POLICY_OPENAI);
    test_lookahead_changes_nothing();
    test_run_pool();
    test_large_tree();
    test_request_keys();
    test_presets();
    test_policy_table();
    return check_summary();
}
