/* Replay (src/sim): the reader thread gives the same results as one thread,
 * request by request, on a trace long enough to use it; and the totals add
 * up per model. A whole run (pcs_replay_run) gives what the lanes give, and
 * stops early when its watch says so. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pcsim/replay.h"

#define REQUESTS 30000

/* A native trace of conversations on two models: each of 500 sessions sends
 * a growing history (ids unique to the session) after a shared prefix. */
static void write_trace(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    uint64_t state = 42;
    int turns[500] = {0};
    for (int i = 0; i < REQUESTS; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        int session = (int)((state >> 33) % 500);
        int turn = ++turns[session];
        fprintf(f,
                "{\"t\": %d.%03d, \"model\": \"%s\", \"input_tokens\": %d, \"output_tokens\": 9, "
                "\"block_tokens\": 100, \"hash_ids\": [1, 2",
                i / 10, (i % 10) * 100, session % 2 ? "m-odd" : "m-even", 100 * (turn + 2) + 50);
        for (int k = 0; k < turn; k++)
            fprintf(f, ", %d", 1000 + session * 1000 + k);
        fprintf(f, "]}\n");
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

struct digest {
    uint64_t requests;
    uint64_t mix; /* order-sensitive mix of every request's usage */
};

static enum pcs_status observe(void *context, const struct pcs_request *req, const struct pcs_usage *usage)
{
    struct digest *d = context;
    d->requests++;
    d->mix = d->mix * 1099511628211ull ^ ((uint64_t)req->t_ms * 31 + usage->cache_read * 7 + usage->cache_write);
    return PCS_OK;
}

/* routed: keep the preset's overflow routing; else turn it off. */
static void replay_routed(const char *path, const char *preset, int routed, unsigned threads,
                          struct pcs_replay_result *result, struct digest *digest)
{
    struct pcs_trace_config trace_config = pcs_trace_config_default();
    struct pcs_cache_config config;
    struct pcs_error err = {0};
    enum pcs_status status;
    CHECK(pcs_cache_preset(preset, &config) == PCS_OK);
    config.capacity_tokens = 5000000;
    if (!routed)
        config.overflow_rpm = 0;
    pcs_trace *trace = pcs_trace_open(&path, 1, &trace_config, &err);
    CHECK(trace != NULL);
    if (!trace)
        exit(1);
    memset(digest, 0, sizeof *digest);
    status = pcs_replay(trace, &config, threads, digest ? observe : NULL, digest, result, &err);
    CHECK(status == PCS_OK);
    pcs_trace_free(trace);
}

static void replay(const char *path, const char *preset, unsigned threads, struct pcs_replay_result *result,
                   struct digest *digest)
{
    replay_routed(path, preset, 1, threads, result, digest);
}

/* What a run's watch saw. */
struct watched {
    unsigned starts;
    uint64_t requests;
    uint64_t cache_read;
    uint64_t stop_after; /* 0: never */
};

static enum pcs_status watch_start(void *context, const pcs_trace *trace)
{
    struct watched *w = context;
    (void)trace;
    w->starts++;
    w->requests = 0;
    w->cache_read = 0;
    return PCS_OK;
}

static enum pcs_status watch_request(void *context, const pcs_trace *trace, const struct pcs_request *req,
                                     const struct pcs_usage *usage, double cost_usd)
{
    struct watched *w = context;
    (void)trace;
    (void)req;
    CHECK(cost_usd == -1); /* not priced */
    w->requests++;
    w->cache_read += usage->cache_read;
    return w->stop_after && w->requests == w->stop_after ? PCS_END : PCS_OK;
}

static void test_run(const char *path)
{
    enum pcs_status status;
    struct pcs_error err = {0};
    pcs_inputs *inputs = pcs_inputs_open(&path, 1, &err);
    CHECK(inputs != NULL);
    if (!inputs)
        return;
    struct pcs_replay_result lanes;
    struct digest digest;
    replay(path, "openai", 1, &lanes, &digest);
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct watched watched = {0, 0, 0, 0};
        struct pcs_replay_job job;
        memset(&job, 0, sizeof job);
        job.inputs = inputs;
        job.trace = pcs_trace_config_default();
        job.preset = "openai";
        job.threads = threads;
        job.restartable = 1;
        struct pcs_replay_watch watch = {watch_start, watch_request, &watched};
        job.watch = watch;
        struct pcs_replay_outcome outcome;
        status = pcs_replay_run(&job, &outcome, &err);
        CHECK(status == PCS_OK);
        CHECK(watched.starts == 1);
        CHECK_U64(watched.requests, REQUESTS);
        CHECK(memcmp(&outcome.result.total, &lanes.total, sizeof lanes.total) == 0);
        CHECK_U64(watched.cache_read, lanes.total.cache_read);
        CHECK(!outcome.partial && !outcome.priced && !outcome.model_configs);
        pcs_replay_outcome_free(&outcome);

        /* A watch that says stop: the run reports what it replayed, partial. */
        watched.stop_after = 1000;
        status = pcs_replay_run(&job, &outcome, &err);
        CHECK(status == PCS_OK);
        CHECK_U64(outcome.result.total.requests, 1000);
        CHECK(outcome.partial);
        pcs_replay_outcome_free(&outcome);
    }
    pcs_replay_result_free(&lanes);

    /* An unknown preset is refused before the trace is read. */
    struct pcs_replay_job bad;
    memset(&bad, 0, sizeof bad);
    bad.inputs = inputs;
    bad.trace = pcs_trace_config_default();
    bad.preset = "no-such-preset";
    struct pcs_replay_outcome outcome;
    CHECK(pcs_replay_run(&bad, &outcome, &err) == PCS_ERR_ARG && outcome.trace == NULL);
    pcs_replay_outcome_free(&outcome);
    pcs_inputs_free(inputs);
}

int main(void)
{
    char path[] = "/tmp/pcsim_test_replay_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    write_trace(path);
    const char *presets[] = {"openai", "anthropic-5m", "lru", "ideal"};
    for (int p = 0; p < 4; p++) {
        struct pcs_replay_result one, two;
        struct digest d1, d2;
        replay_routed(path, presets[p], 0, 1, &one, &d1); /* routing below */
        replay_routed(path, presets[p], 0, 2, &two, &d2);
        CHECK_U64(one.total.requests, REQUESTS);
        CHECK_U64(d1.requests, REQUESTS);
        CHECK_U64(d2.requests, REQUESTS);
        CHECK(d1.mix == d2.mix);
        CHECK(memcmp(&one.total, &two.total, sizeof one.total) == 0);
        CHECK_U64(one.model_count, 2);
        CHECK(two.model_count == 2 && memcmp(one.by_model, two.by_model, 2 * sizeof *one.by_model) == 0);
        /* Per-model sums make the total. */
        CHECK_U64(one.by_model[0].cache_read + one.by_model[1].cache_read, one.total.cache_read);
        CHECK_U64(one.by_model[0].input + one.by_model[1].input, one.total.input);
        /* Conversations re-send their history: caching must find some. */
        CHECK(one.total.cache_read > one.total.input / 4);
        pcs_replay_result_free(&one);
        pcs_replay_result_free(&two);
    }
    /* With the openai preset's overflow routing (15 requests a minute), the
     * trace's 10 requests a second share one 200-token routing prefix per
     * model (blocks 1 and 2): about 300 a minute each, over some 20
     * machines, so a conversation's next turn mostly lands on a machine
     * that never saw it. The same on one thread and two, and fewer reads. */
    {
        struct pcs_replay_result plain, one, two;
        struct digest d0, d1, d2;
        replay_routed(path, "openai", 0, 1, &plain, &d0);
        replay_routed(path, "openai", 1, 1, &one, &d1);
        replay_routed(path, "openai", 1, 2, &two, &d2);
        CHECK(d1.mix == d2.mix && memcmp(&one.total, &two.total, sizeof one.total) == 0);
        CHECK(one.total.cache_read < plain.total.cache_read / 2);
        pcs_replay_result_free(&plain);
        pcs_replay_result_free(&one);
        pcs_replay_result_free(&two);
    }
    test_run(path);
    remove(path);
    return check_summary();
}
