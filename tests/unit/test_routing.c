/* Overflow routing (DESIGN §3 "overflow_rpm"), worked out by hand from the
 * rule: a routing key (model, cache_key, chain key of the deepest bound
 * ending at or before token 256, else of the first bound) seen by r
 * requests in (t - 60 s, t] is served by m = max(1, ceil(r / rpm))
 * machines; the key's counter c (0, 1, 2, ... over its requests) sends a
 * request to machine c mod m; each machine has its own cache. */
#include <stdlib.h>

#include <stdio.h>
#include <unistd.h>

#include "cache/routing.h"
#include "check.h"
#include "pcsim/cache.h"
#include "pcsim/replay.h"
#include "pcsim/sweep.h"
#include "pcsim/trace.h"

/* A request of up to 4 bounds at t_ms. */
struct test_request {
    struct pcs_request req;
    uint64_t units[4];
    uint32_t ends[4];
};

static void make(struct test_request *r, int64_t t_ms, size_t count, const uint64_t *units, const uint32_t *ends)
{
    memset(r, 0, sizeof *r);
    memcpy(r->units, units, count * sizeof *units);
    memcpy(r->ends, ends, count * sizeof *ends);
    r->req.t_ms = t_ms;
    r->req.input_tokens = ends[count - 1];
    r->req.output_tokens = 1;
    r->req.bound_count = count;
    r->req.units = r->units;
    r->req.ends = r->ends;
    r->req.ok = 1;
}

static struct pcs_cache_config ttl_config(uint64_t overflow_rpm)
{
    struct pcs_cache_config config = pcs_cache_config_default(); /* ttl, 300 s */
    config.overflow_rpm = overflow_rpm;
    return config;
}

/* The read of one request with the 2000-token prompt {1: 200, 2: 2000}. */
static uint64_t read_at(pcs_cache *cache, int64_t t_ms, uint64_t cache_key)
{
    static const uint64_t units[] = {1, 2};
    static const uint32_t ends[] = {200, 2000};
    struct test_request r;
    make(&r, t_ms, 2, units, ends);
    r.req.cache_key = cache_key;
    struct pcs_usage usage;
    CHECK(pcs_cache_access(cache, &r.req, &usage) == PCS_OK);
    return usage.cache_read;
}

/* 15 requests of one prefix in 60 s all go to machine 0; the 16th makes r =
 * 16, m = 2, and c = 15 sends it to machine 1: cold, a miss. */
static void test_sixteenth_request(void)
{
    struct pcs_cache_config config = ttl_config(15);
    pcs_cache *cache = pcs_cache_new(&config, NULL);
    CHECK_U64(read_at(cache, 0, 0), 0); /* the first writes */
    for (int i = 1; i < 15; i++)
        CHECK_U64(read_at(cache, 1000 * i, 0), 2000); /* r <= 15: machine 0 */
    CHECK_U64(read_at(cache, 15000, 0), 0);           /* r = 16, m = 2, c = 15: machine 1, cold */
    CHECK_U64(read_at(cache, 16000, 0), 2000);        /* r = 17, c = 16: machine 0 */
    CHECK_U64(read_at(cache, 17000, 0), 2000);        /* r = 18, c = 17: machine 1, warm now */
    CHECK_U64(read_at(cache, 200000, 0), 2000);       /* r = 1, m = 1, c = 18: machine 0 (alive: 184 s idle) */
    pcs_cache_free(cache);

    /* Without routing the 16th reads. */
    config = ttl_config(0);
    cache = pcs_cache_new(&config, NULL);
    for (int i = 0; i < 15; i++)
        read_at(cache, 1000 * i, 0);
    CHECK_U64(read_at(cache, 15000, 0), 2000);
    pcs_cache_free(cache);
}

/* The window is (t - 60 s, t]: a request exactly 60 s after the first no
 * longer counts it. */
static void test_window_edge(void)
{
    for (int late = 0; late <= 1; late++) {
        struct pcs_cache_config config = ttl_config(15);
        pcs_cache *cache = pcs_cache_new(&config, NULL);
        for (int i = 0; i < 15; i++)
            read_at(cache, 1000 * i, 0);
        /* At 59.999 s the window holds all 15 before it: r = 16, m = 2,
         * c = 15 -> machine 1, a miss. At 60 s the one at 0 has left: r =
         * 15, m = 1 -> machine 0, a hit. */
        CHECK_U64(read_at(cache, late ? 60000 : 59999, 0), late ? 2000 : 0);
        pcs_cache_free(cache);
    }
}

/* Two requests whose prompts share the first bound (ends 100) and differ
 * in the second: the second bound ends at 255, 256 or 257. Ending at or
 * before 256 it is the routing prefix, and the two requests have different
 * routing keys and separate caches (the second reads nothing); ending at
 * 257 the routing prefix is the first bound, shared: the second reads 100. */
static void test_routing_boundary(void)
{
    static const uint32_t second_end[] = {255, 256, 257};
    static const uint64_t expected[] = {0, 0, 100};
    for (int k = 0; k < 3; k++) {
        struct pcs_cache_config config = ttl_config(15);
        pcs_cache *cache = pcs_cache_new(&config, NULL);
        uint32_t ends[] = {100, second_end[k], 3000};
        const uint64_t first[] = {1, 101, 7}, second[] = {1, 102, 7};
        struct test_request a, b;
        make(&a, 0, 3, first, ends);
        make(&b, 1000, 3, second, ends);
        struct pcs_usage usage;
        CHECK(pcs_cache_access(cache, &a.req, &usage) == PCS_OK);
        CHECK(pcs_cache_access(cache, &b.req, &usage) == PCS_OK);
        CHECK_U64(usage.cache_read, expected[k]);
        pcs_cache_free(cache);

        /* Unrouted, the shared first bound always serves. */
        config = ttl_config(0);
        cache = pcs_cache_new(&config, NULL);
        CHECK(pcs_cache_access(cache, &a.req, &usage) == PCS_OK);
        CHECK(pcs_cache_access(cache, &b.req, &usage) == PCS_OK);
        CHECK_U64(usage.cache_read, 100);
        pcs_cache_free(cache);
    }
    /* A first bound that ends past 256 is the routing prefix itself. */
    struct pcs_cache_config config = ttl_config(15);
    pcs_cache *cache = pcs_cache_new(&config, NULL);
    const uint64_t first[] = {1, 101}, second[] = {1, 102};
    const uint32_t ends[] = {300, 3000};
    struct test_request a, b;
    make(&a, 0, 2, first, ends);
    make(&b, 1000, 2, second, ends);
    struct pcs_usage usage;
    CHECK(pcs_cache_access(cache, &a.req, &usage) == PCS_OK);
    CHECK(pcs_cache_access(cache, &b.req, &usage) == PCS_OK);
    CHECK_U64(usage.cache_read, 300);
    pcs_cache_free(cache);
}

/* Two cache_keys on one prefix never share entries; without routing the
 * key is ignored. */
static void test_cache_key_splits(void)
{
    struct pcs_cache_config config = ttl_config(15);
    pcs_cache *cache = pcs_cache_new(&config, NULL);
    CHECK_U64(read_at(cache, 0, 11), 0);
    CHECK_U64(read_at(cache, 1000, 22), 0);    /* another key: another cache */
    CHECK_U64(read_at(cache, 2000, 11), 2000); /* its own key's */
    CHECK_U64(read_at(cache, 3000, 0), 0);     /* no key is a key of its own */
    CHECK_U64(read_at(cache, 4000, 22), 2000);
    pcs_cache_free(cache);

    config = ttl_config(0);
    cache = pcs_cache_new(&config, NULL);
    CHECK_U64(read_at(cache, 0, 11), 0);
    CHECK_U64(read_at(cache, 1000, 22), 2000);
    pcs_cache_free(cache);

    CHECK(pcs_request_cache_key_hash("user-1", 6) == pcs_request_cache_key_hash("user-1", 6));
    CHECK(pcs_request_cache_key_hash("user-1", 6) != pcs_request_cache_key_hash("user-2", 6));
    CHECK(pcs_request_cache_key_hash("", 0) != 0);
}

/* A random trace of bursts: conversations on three shared prefixes (two
 * under 256 tokens, one past it), some with cache keys. */
#define RANDOM_REQUESTS 3000
static struct test_request random_trace[RANDOM_REQUESTS];

static uint32_t next_random(uint64_t *state, uint32_t bound)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((*state >> 33) % bound);
}

static void make_random_trace(void)
{
    uint64_t state = 7;
    int64_t t = 0;
    for (size_t i = 0; i < RANDOM_REQUESTS; i++) {
        uint32_t prefix = next_random(&state, 3);
        uint32_t session = next_random(&state, 40);
        uint32_t turn = 1 + next_random(&state, 2);
        uint64_t units[4] = {prefix + 1, 100 + session, 1000 + 10 * session + turn, 5000 + i};
        uint32_t ends[4] = {prefix == 2 ? 300 : 120, 1500, 2500, 3000};
        size_t count = 2 + turn;
        make(&random_trace[i], t, count, units, ends);
        random_trace[i].req.model = session % 2;
        random_trace[i].req.cache_key = session % 5 == 0 ? 0 : 1 + session % 3;
        uint32_t flags = next_random(&state, 4);
        if (flags == 0 && count > 1) {
            static uint8_t marked[RANDOM_REQUESTS][4];
            marked[i][0] = PCS_BOUND_BREAKPOINT;
            marked[i][count - 1] = PCS_BOUND_BREAKPOINT;
            random_trace[i].req.flags = marked[i];
        }
        t += next_random(&state, 50) == 0 ? 20000 : next_random(&state, 100); /* bursts and pauses */
    }
}

/* With overflow_rpm 0 a cache ignores cache_key: the same usage with and
 * without keys. */
static void test_off_is_unchanged(void)
{
    static const enum pcs_policy policies[] = {PCS_POLICY_IDEAL, PCS_POLICY_TTL, PCS_POLICY_OPENAI,
                                               PCS_POLICY_BREAKPOINT, PCS_POLICY_LRU};
    for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
        struct pcs_cache_config config = ttl_config(0);
        config.policy = policies[p];
        config.capacity_tokens = 20000;
        config.min_tokens = 1024;
        config.granularity = 128;
        pcs_cache *with = pcs_cache_new(&config, NULL), *without = pcs_cache_new(&config, NULL);
        config.overflow_rpm = 15;
        pcs_cache *routed = pcs_cache_new(&config, NULL);
        int any_differs = 0;
        for (size_t i = 0; i < RANDOM_REQUESTS; i++) {
            struct pcs_request keyless = random_trace[i].req;
            keyless.cache_key = 0;
            struct pcs_usage a, b, c;
            CHECK(pcs_cache_access(with, &random_trace[i].req, &a) == PCS_OK);
            CHECK(pcs_cache_access(without, &keyless, &b) == PCS_OK);
            CHECK(pcs_cache_access(routed, &random_trace[i].req, &c) == PCS_OK);
            CHECK(memcmp(&a, &b, sizeof a) == 0);
            any_differs |= memcmp(&a, &c, sizeof a) != 0;
        }
        CHECK(any_differs); /* and the trace is one where routing shows */
        pcs_cache_free(with);
        pcs_cache_free(without);
        pcs_cache_free(routed);
    }
}

/* A cache of lanes routes as each lane's own cache does. */
static void test_lanes_route(void)
{
    enum { LANES = 3 };
    static const int64_t ttls[LANES] = {20000, 300000, 1800000};
    struct pcs_cache_config configs[LANES];
    pcs_cache *single[LANES];
    for (int l = 0; l < LANES; l++) {
        pcs_cache_preset("openai-bp", &configs[l]);
        CHECK_U64(configs[l].overflow_rpm, 15);
        configs[l].ttl_ms = ttls[l];
        configs[l].ttl_overrides_markers = 1;
        configs[l].min_tokens = 100;
        single[l] = pcs_cache_new(&configs[l], NULL);
    }
    pcs_cache *lanes = pcs_cache_new_lanes(LANES, NULL);
    uint64_t read = 0;
    for (size_t i = 0; i < RANDOM_REQUESTS; i++) {
        struct pcs_usage together[LANES], alone;
        CHECK(pcs_cache_access_lanes(lanes, &random_trace[i].req, configs, together) == PCS_OK);
        for (int l = 0; l < LANES; l++) {
            CHECK(pcs_cache_access(single[l], &random_trace[i].req, &alone) == PCS_OK);
            CHECK(memcmp(&alone, &together[l], sizeof alone) == 0);
        }
        read += together[LANES - 1].cache_read;
    }
    CHECK(read > 0);
    /* Lanes route alike: a rate that differs between lanes is refused. */
    struct pcs_cache_config mixed[LANES];
    memcpy(mixed, configs, sizeof mixed);
    mixed[1].overflow_rpm = 0;
    struct pcs_usage usages[LANES];
    struct pcs_request later = random_trace[RANDOM_REQUESTS - 1].req;
    CHECK(pcs_cache_access_lanes(lanes, &later, mixed, usages) == PCS_ERR_ARG);
    for (int l = 0; l < LANES; l++)
        pcs_cache_free(single[l]);
    pcs_cache_free(lanes);
}

/* A key's window keeps the times of the last 60 s only: after a burst of
 * 1000 requests in one second, a request 61 s later leaves room for a few. */
static void test_window_memory(void)
{
    struct router router;
    memset(&router, 0, sizeof router);
    static const uint64_t units[] = {1, 2};
    static const uint32_t ends[] = {200, 2000};
    struct test_request r;
    uint32_t namespace_id;
    for (int i = 0; i < 1000; i++) {
        make(&r, i, 2, units, ends);
        CHECK(pcs_router_route(&router, 15, &r.req, &namespace_id) == PCS_OK);
    }
    CHECK(pcs_router_times_room(&router) >= 1000);
    make(&r, 61000, 2, units, ends);
    CHECK(pcs_router_route(&router, 15, &r.req, &namespace_id) == PCS_OK);
    CHECK(pcs_router_times_room(&router) <= 4);
    /* c = 1000, m = 1: machine 0, the namespace the first request got. */
    CHECK_U64(namespace_id, 0);
    pcs_router_release(&router);
}

/* A TTL curve under routing: each point of the one-pass profile (openai)
 * and of the lanes (openai-bp) equals a replay at that TTL, on a trace of
 * bursts over one hot system prompt. */
static void test_curves_equal_replays(void)
{
    char path[] = "/tmp/pcsim_test_routing_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    CHECK(f != NULL);
    if (!f)
        return;
    uint64_t state = 11;
    double t = 0;
    int turns[30] = {0};
    for (int i = 0; i < 600; i++) {
        int session = (int)next_random(&state, 30);
        int turn = ++turns[session];
        fprintf(f, "{\"t\": %.3f, \"model\": \"gpt-5.4\", \"output_tokens\": 1, ", t);
        if (session % 4 == 0)
            fprintf(f, "\"cache_key\": \"user-%d\", ", session % 8);
        fprintf(f, "\"segments\": [{\"id\": \"system\", \"tokens\": 1200}");
        for (int k = 0; k < turn && k < 6; k++)
            fprintf(f, ", {\"id\": \"s%d-%d\", \"tokens\": 400}", session, k);
        fprintf(f, "]}\n");
        t += next_random(&state, 10) == 0 ? 240.0 : next_random(&state, 3000) / 1000.0;
    }
    fclose(f);
    static const char *const presets[] = {"openai", "openai-bp"};
    static const int64_t ttls[] = {5000, 60000, 300000, 3600000};
    const size_t count = sizeof ttls / sizeof ttls[0];
    for (int p = 0; p < 2; p++) {
        struct pcs_cache_config base;
        CHECK(pcs_cache_preset(presets[p], &base) == PCS_OK);
        CHECK_U64(base.overflow_rpm, 15);
        base.ttl_overrides_markers = 1;
        const char *paths[] = {path};
        struct pcs_error err = {0};
        pcs_trace *trace = pcs_trace_open(paths, 1, NULL, &err);
        struct pcs_sweep_result curve;
        CHECK(trace && pcs_sweep_ttl(trace, &base, ttls, count, NULL, 1, &curve, &err) == PCS_OK);
        pcs_trace_free(trace);
        uint64_t unrouted_read = 0, routed_read = 0;
        for (size_t i = 0; i < count; i++) {
            struct pcs_cache_config config = base;
            config.ttl_ms = ttls[i];
            for (int routed = 1; routed >= 0; routed--) {
                config.overflow_rpm = routed ? 15 : 0;
                trace = pcs_trace_open(paths, 1, NULL, &err);
                struct pcs_replay_result replay;
                CHECK(trace && pcs_replay(trace, &config, 1, NULL, NULL, &replay, &err) == PCS_OK);
                pcs_trace_free(trace);
                if (routed) {
                    CHECK(memcmp(&replay.total, &curve.points[i].total, sizeof replay.total) == 0);
                    routed_read += replay.total.cache_read;
                } else {
                    unrouted_read += replay.total.cache_read;
                }
                pcs_replay_result_free(&replay);
            }
        }
        CHECK(routed_read < unrouted_read); /* the trace is one where routing shows */
        pcs_sweep_result_free(&curve);
    }
    remove(path);
}

int main(void)
{
    test_sixteenth_request();
    test_window_edge();
    test_routing_boundary();
    test_cache_key_splits();
    make_random_trace();
    test_off_is_unchanged();
    test_lanes_route();
    test_window_memory();
    test_curves_equal_replays();
    return check_summary();
}
