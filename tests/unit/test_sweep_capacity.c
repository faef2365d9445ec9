/* The one-pass lru capacity curve (src/sim/sweep_capacity.c): every point
 * equals, field by field and in dollars, a separate lru replay with that
 * capacity on a freshly opened trace, and the ideal ceiling an ideal
 * replay. Traces: the tiny ones of tests/data, the shipped Mooncake
 * synthetic trace, a hand-made case where a larger cache reads less, and
 * random native traces (conversations sharing prefixes whose last, partial
 * block grows into a full one, several models and sessions, equal times,
 * requests larger than the capacity, segments whose tokens change). argv[1]
 * is tests/data. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "pcsim/replay.h"
#include "pcsim/sweep.h"

#define NOV_23_2026_NOON (1795392000.0 + 43200)

static char data_dir[4096];

static const char *data_path(const char *name)
{
    static char path[8192];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    return path;
}

static pcs_trace *open_trace(const char *path, int lenient)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    config.lenient = lenient;
    struct pcs_error err = {0};
    pcs_trace *trace = pcs_trace_open(&path, 1, &config, &err);
    if (!trace) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        exit(1);
    }
    return trace;
}

static int same_usage(const struct pcs_usage *a, const struct pcs_usage *b)
{
    return a->requests == b->requests && a->input == b->input && a->cache_read == b->cache_read &&
           a->cache_write == b->cache_write && a->cache_write_1h == b->cache_write_1h && a->output == b->output;
}

static void report_usage(const char *what, const char *path, uint64_t capacity, const struct pcs_usage *got,
                         const struct pcs_usage *want)
{
    fprintf(stderr,
            "%s: capacity %" PRIu64 ": %s is {requests %" PRIu64 ", input %" PRIu64 ", read %" PRIu64 ", write %" PRIu64
            ", write_1h %" PRIu64 ", output %" PRIu64 "}, replay gives {%" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64
            ", %" PRIu64 ", %" PRIu64 "}\n",
            path, capacity, what, got->requests, got->input, got->cache_read, got->cache_write, got->cache_write_1h,
            got->output, want->requests, want->input, want->cache_read, want->cache_write, want->cache_write_1h,
            want->output);
}

static void check_usage(const char *what, const char *path, uint64_t capacity, const struct pcs_usage *got,
                        const struct pcs_usage *want)
{
    int same = same_usage(got, want);
    CHECK(same);
    if (!same)
        report_usage(what, path, capacity, got, want);
}

/* ---------------------------------------------------------- the reference */

struct cost_sink {
    pcs_replay_coster *coster;
    struct pcs_error *err;
};

static enum pcs_status observe_cost(void *context, const struct pcs_request *req, const struct pcs_usage *usages)
{
    struct cost_sink *sink = context;
    double ignored;
    return pcs_replay_coster_add(sink->coster, req, &usages[0], &usages[1], &ignored, sink->err);
}

/* An lru replay at capacity and an ideal one, priced as pcsim replay prices
 * (the ideal lane's usage beside the chosen one) when pricing is given. */
struct reference {
    struct pcs_replay_lane lanes[2];
    struct pcs_replay_cost cost;
    int priced;
};

static void reference_replay(const char *path, int lenient, uint64_t capacity,
                             const struct pcs_replay_cost_config *pricing, struct reference *ref)
{
    memset(ref, 0, sizeof *ref);
    pcs_cache_preset("lru", &ref->lanes[0].config);
    ref->lanes[0].config.capacity_tokens = capacity;
    pcs_cache_preset("ideal", &ref->lanes[1].config);
    pcs_trace *trace = open_trace(path, lenient);
    struct pcs_error err = {0};
    struct cost_sink sink = {NULL, &err};
    if (pricing)
        sink.coster = pcs_replay_coster_new(pricing, trace, NULL);
    enum pcs_status status = pcs_replay_lanes(trace, ref->lanes, 2, 1, sink.coster ? observe_cost : NULL, &sink, &err);
    CHECK(status == PCS_OK);
    if (status != PCS_OK) {
        fprintf(stderr, "%s: replay: %s\n", path, err.message);
        exit(1);
    }
    if (sink.coster) {
        CHECK(pcs_replay_coster_finish(sink.coster, &ref->cost, &err) == PCS_OK);
        ref->priced = 1;
    }
    pcs_replay_coster_free(sink.coster);
    pcs_trace_free(trace);
}

static void reference_free(struct reference *ref)
{
    pcs_replay_result_free(&ref->lanes[0].result);
    pcs_replay_result_free(&ref->lanes[1].result);
    if (ref->priced)
        pcs_replay_cost_free(&ref->cost);
}

static int same_cost(const struct pcs_cost *a, const struct pcs_cost *b)
{
    return a->uncached == b->uncached && a->cache_read == b->cache_read && a->cache_write == b->cache_write &&
           a->cache_write_1h == b->cache_write_1h && a->output == b->output && a->requests == b->requests &&
           a->total == b->total;
}

/* ------------------------------------------------------------ the checks */

static uint64_t priced_requests_seen;

/* The curve of path over capacities against one replay per capacity. */
static void check_curve(const char *path, int lenient, const uint64_t *capacities, size_t count,
                        const struct pcs_replay_cost_config *pricing)
{
    pcs_trace *trace = open_trace(path, lenient);
    struct pcs_sweep_result curve;
    struct pcs_error err = {0};
    enum pcs_status status = pcs_sweep_capacity(trace, capacities, count, pricing, 2, &curve, &err);
    CHECK(status == PCS_OK);
    if (status != PCS_OK) {
        fprintf(stderr, "%s: sweep: %s\n", path, err.message);
        pcs_trace_free(trace);
        return;
    }
    CHECK(curve.base.policy == PCS_POLICY_LRU);
    CHECK_U64(curve.point_count, count);
    CHECK_U64(curve.priced, pricing != NULL);
    for (size_t i = 0; i < count; i++) {
        const struct pcs_sweep_point *point = &curve.points[i];
        struct reference ref;
        reference_replay(path, lenient, capacities[i], pricing, &ref);
        const struct pcs_replay_result *lru = &ref.lanes[0].result;
        CHECK_U64(point->capacity_tokens, capacities[i]);
        CHECK(point->ttl_ms == 0);
        check_usage("total", path, capacities[i], &point->total, &lru->total);
        CHECK_U64(curve.model_count, lru->model_count);
        for (size_t m = 0; m < curve.model_count && m < lru->model_count; m++)
            check_usage("a model's usage", path, capacities[i], &point->by_model[m], &lru->by_model[m]);
        CHECK_U64(curve.bounds, lru->bounds);
        CHECK_U64(curve.skipped, lru->skipped);
        if (i == 0)
            check_usage("ideal", path, 0, &curve.ideal, &ref.lanes[1].result.total);
        CHECK_U64(point->priced, ref.priced);
        if (ref.priced && point->priced) {
            int same = same_cost(&point->cost, &ref.cost.with_cache);
            CHECK(same);
            if (!same)
                fprintf(stderr, "%s: capacity %" PRIu64 ": cost %.12g, replay gives %.12g\n", path, capacities[i],
                        point->cost.total, ref.cost.with_cache.total);
            if (i == 0) {
                CHECK(curve.ideal_cost == ref.cost.ideal);
                CHECK(curve.without_cache_cost == ref.cost.without_cache);
                priced_requests_seen += ref.cost.priced_requests;
            }
        }
        reference_free(&ref);
    }
    pcs_sweep_result_free(&curve);
    pcs_trace_free(trace);
}

/* From below one block to beyond everything, in no order, two repeated. */
static const uint64_t small_capacities[] = {
    1,     7,     50,     99,      100,
    101,   150,   255,    256,     300,
    511,   512,   513,    700,     1000,
    1200,  1536,  2000,   3000,    5000,
    10000, 30000, 100000, 1000000, 1000000000000ull,
    1024,  512,
};
#define SMALL_COUNT (sizeof small_capacities / sizeof small_capacities[0])

/* The Mooncake synthetic trace holds about 21 million distinct tokens. */
static const uint64_t mooncake_capacities[] = {
    1,       511,     512,     4096,     30000,     100000,   300000,   1000000,   2000000,
    3000000, 5000000, 8000000, 12000000, 20000000,  40000000, 80000000, 160000000, 1000000000000ull,
    700000,  1500000, 2500000, 3500000,  150000000, 50000000,
};
#define MOONCAKE_COUNT (sizeof mooncake_capacities / sizeof mooncake_capacities[0])

static void test_tiny_traces(const struct pcs_replay_cost_config *pricing)
{
    const char *names[] = {"mooncake_tiny.jsonl", "claude_code_tiny.json", "native_segments.jsonl",
                           "native_blocks.jsonl", "native_breakpoint_rules.jsonl"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_curve(data_path(names[i]), 0, small_capacities, SMALL_COUNT, pricing);
    check_curve(data_path("lenient_mixed.jsonl"), 1, small_capacities, SMALL_COUNT, pricing);
}

static void test_mooncake_synthetic(const struct pcs_replay_cost_config *pricing)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/../../scenarios/traces/mooncake_synthetic_trace.jsonl", data_dir);
    check_curve(path, 0, mooncake_capacities, MOONCAKE_COUNT, pricing);

    /* The figure. */
    const uint64_t capacity = 3000000;
    pcs_trace *trace = open_trace(path, 0);
    struct pcs_sweep_result curve;
    struct pcs_error err = {0};
    enum pcs_status status = pcs_sweep_capacity(trace, &capacity, 1, NULL, 1, &curve, &err);
    CHECK(status == PCS_OK);
    if (status == PCS_OK) {
        CHECK_U64(curve.points[0].total.cache_read, 19414048);
        CHECK_U64(curve.priced, 0);
        CHECK_U64(curve.points[0].priced, 0);
        pcs_sweep_result_free(&curve);
    }
    pcs_trace_free(trace);
}

static void write_or_exit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* A bound keeps the cost it was inserted with. [7] costs 140 first: a
 * 100-token cache drops it, a 150-token one keeps it; sent again at 5
 * tokens, the small cache inserts it at 5, the large one reads it and keeps
 * 140, so [8] (60) makes the large cache evict it while the small one holds
 * both: on the last request the smaller cache reads, the larger misses. */
static void test_capacity_dependent_costs(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/costs.jsonl", dir);
    write_or_exit(path, "{\"timestamp\": 0, \"input_length\": 140, \"output_length\": 1, \"hash_ids\": [7]}\n"
                        "{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 1, \"hash_ids\": [7]}\n"
                        "{\"timestamp\": 2, \"input_length\": 60, \"output_length\": 1, \"hash_ids\": [8]}\n"
                        "{\"timestamp\": 3, \"input_length\": 10, \"output_length\": 1, \"hash_ids\": [7]}\n");
    const uint64_t capacities[] = {100, 150, 1, 60, 65, 70, 140, 145, 200, 205, 1000};
    pcs_trace *trace = open_trace(path, 0);
    struct pcs_sweep_result curve;
    struct pcs_error err = {0};
    enum pcs_status status = pcs_sweep_capacity(trace, capacities, 2, NULL, 1, &curve, &err);
    CHECK(status == PCS_OK);
    if (status == PCS_OK) {
        CHECK_U64(curve.points[0].total.cache_read, 10);
        CHECK_U64(curve.points[1].total.cache_read, 5);
        CHECK_U64(curve.ideal.cache_read, 5 + 10);
        pcs_sweep_result_free(&curve);
    }
    pcs_trace_free(trace);
    check_curve(path, 0, capacities, sizeof capacities / sizeof capacities[0], NULL);
    remove(path);
}

/* ------------------------------------------------------- random traces */

static uint64_t rng_state;

static uint64_t rnd(uint64_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (rng_state >> 33) % n;
}

static const char *const models[] = {"gpt-4.1", "gpt-4.1-mini", "claude-sonnet-4-5"};

/* Conversations in hash_ids form: a shared system prefix (per model, a few
 * variants), then the conversation's own blocks, the last one partial and
 * completed by the next turn; retries resend a turn at another length;
 * sometimes block_tokens changes; sometimes a huge request. */
static void write_blocks_trace(const char *path, uint64_t seed, int requests)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    rng_state = seed;
    enum { CONVERSATIONS = 40 };
    int turns[CONVERSATIONS] = {0};
    int64_t t_ms = 0;
    for (int i = 0; i < requests; i++) {
        if (rnd(3) == 0)
            t_ms += (int64_t)rnd(4) * 500; /* many equal times */
        int c = (int)rnd(CONVERSATIONS);
        int retry = turns[c] > 0 && rnd(5) == 0;
        if (!retry)
            turns[c]++;
        uint64_t block = rnd(8) == 0 ? 100 : 64;
        int own = turns[c] * 2;
        int huge = rnd(25) == 0;
        int system_blocks = 3 + c % 3;
        int count = system_blocks + own + (huge ? 150 : 0);
        uint64_t input = block * (uint64_t)(count - 1) + 1 + rnd(block);
        fprintf(f,
                "{\"t\": %lld.%03lld, \"model\": \"%s\", \"input_tokens\": %llu, \"output_tokens\": %llu, "
                "\"block_tokens\": %llu, ",
                (long long)(t_ms / 1000), (long long)(t_ms % 1000), models[c % 3], (unsigned long long)input,
                (unsigned long long)(1 + rnd(50)), (unsigned long long)block);
        if (c % 4 != 0)
            fprintf(f, "\"session\": \"s%d\", ", c % 3); /* namespaces; a quarter global */
        fprintf(f, "\"hash_ids\": [");
        for (int k = 0; k < count; k++) {
            long long id = k < system_blocks ? 10 + k : k < system_blocks + own ? 1000 * (c + 1) + k : 900000 + k;
            fprintf(f, "%s%lld", k ? ", " : "", id);
        }
        fprintf(f, "]}\n");
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Segments whose token counts change between requests: one chain of ids,
 * other ends. */
static void write_segments_trace(const char *path, uint64_t seed, int requests)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    rng_state = seed;
    for (int i = 0; i < requests; i++) {
        int count = 1 + (int)rnd(6);
        fprintf(f, "{\"t\": %d, \"model\": \"%s\", \"output_tokens\": 3, \"segments\": [", i / 3, models[rnd(2)]);
        for (int k = 0; k < count; k++)
            fprintf(f, "%s{\"id\": \"g%llu\", \"tokens\": %llu}", k ? ", " : "", (unsigned long long)rnd(3),
                    (unsigned long long)(50 + rnd(4) * 50));
        fprintf(f, "]}\n");
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void test_random_traces(const char *dir, const struct pcs_replay_cost_config *pricing)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/blocks.jsonl", dir);
    for (uint64_t seed = 1; seed <= 6; seed++) {
        write_blocks_trace(path, seed, seed <= 3 ? 400 : 2500);
        check_curve(path, 0, small_capacities, SMALL_COUNT, seed % 2 ? pricing : NULL);
    }
    /* More points than bits in a word (the sweep's holder filter shares them). */
    enum { MANY = 100 };
    uint64_t many[MANY];
    for (int i = 0; i < MANY; i++)
        many[i] = 1 + (uint64_t)i * (uint64_t)i * (uint64_t)i / 3;
    check_curve(path, 0, many, MANY, NULL);
    remove(path);
    snprintf(path, sizeof path, "%s/segments.jsonl", dir);
    for (uint64_t seed = 11; seed <= 14; seed++) {
        write_segments_trace(path, seed, 300);
        check_curve(path, 0, small_capacities, SMALL_COUNT, seed % 2 ? pricing : NULL);
    }
    remove(path);
}

/* ------------------------------------------------------------ errors */

static void check_zeroed(const struct pcs_sweep_result *result)
{
    CHECK(result->points == NULL && result->point_count == 0 && result->model_count == 0 && result->bounds == 0);
}

static void test_errors(void)
{
    const char *path = data_path("mooncake_tiny.jsonl");
    const uint64_t capacities[] = {1000, 0};
    struct pcs_sweep_result curve;
    struct pcs_error err = {0};
    pcs_trace *trace = open_trace(path, 0);
    CHECK(pcs_sweep_capacity(trace, capacities, 0, NULL, 1, &curve, &err) == PCS_ERR_ARG);
    check_zeroed(&curve);
    CHECK(pcs_sweep_capacity(trace, capacities, 2, NULL, 1, &curve, &err) == PCS_ERR_ARG);
    CHECK_CONTAINS(err.message, "capacity 2");
    check_zeroed(&curve);
    pcs_trace_free(trace);

    /* A bad record found while reading: the replay's status and message. */
    const char *bad[] = {"bad/mooncake_too_many_ids.jsonl", "bad/native_segments_exceed.jsonl",
                         "bad/native_too_many_ids.jsonl",   "bad/tokens_overflow.jsonl",
                         "bad/native_unknown_tier.jsonl",   "bad/missing_field.jsonl"};
    int compared = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pcs_trace_config config = pcs_trace_config_default();
        const char *bad_path = data_path(bad[i]);
        struct pcs_error open_err = {0};
        pcs_trace *one = pcs_trace_open(&bad_path, 1, &config, &open_err);
        pcs_trace *two = one ? pcs_trace_open(&bad_path, 1, &config, &open_err) : NULL;
        if (one && two) {
            struct pcs_cache_config lru;
            pcs_cache_preset("lru", &lru);
            lru.capacity_tokens = 1000;
            struct pcs_replay_result replayed;
            struct pcs_error replay_err = {0}, sweep_err = {0};
            enum pcs_status want = pcs_replay(one, &lru, 1, NULL, NULL, &replayed, &replay_err);
            enum pcs_status got = pcs_sweep_capacity(two, capacities, 1, NULL, 1, &curve, &sweep_err);
            CHECK(want != PCS_OK);
            CHECK(got == want);
            CHECK(strcmp(sweep_err.message, replay_err.message) == 0);
            check_zeroed(&curve);
            compared++;
        }
        pcs_trace_free(one);
        pcs_trace_free(two);
    }
    CHECK(compared > 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_sweep_capacity TESTS_DATA_DIR\n");
        return 2;
    }
    snprintf(data_dir, sizeof data_dir, "%s", argv[1]);
    char dir[] = "/tmp/pcsim_test_sweep_capacity_XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    struct pcs_error err = {0};
    pcs_catalog *catalog = pcs_catalog_load_builtin(&err);
    if (!catalog) {
        fprintf(stderr, "the built-in catalog: %s\n", err.message);
        return 1;
    }
    struct pcs_replay_cost_config pricing = {catalog, NOV_23_2026_NOON, -1, 1, NULL, 0};

    test_errors();
    test_tiny_traces(&pricing);
    test_capacity_dependent_costs(dir);
    test_mooncake_synthetic(&pricing);
    test_random_traces(dir, &pricing);
    CHECK(priced_requests_seen > 0); /* the dollars compared were not all zero */

    pcs_catalog_free(catalog);
    rmdir(dir);
    return check_summary();
}
