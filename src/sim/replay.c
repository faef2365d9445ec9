/* Replay: trace -> caches -> usage sums; see pcsim/replay.h. */
#include "pcsim/replay.h"

#include "cache/prefetch_internal.h"
#include "request_loop.h"
#include "replay_feed_internal.h"

#include <stdlib.h>
#include <string.h>

/* Most lanes a replay plays at once (the chosen cache and its ideal bound
 * are two; a breakpoint TTL curve plays one per point). */
#define MAX_LANES 256

/* A lane's caches: one per distinct configuration, and for each model the
 * cache it plays in (NULL until the model is first met). */
struct lane_state {
    struct pcs_replay_lane *lane;
    size_t cache_count;
    struct pcs_cache_config *configs;
    pcs_cache **caches;
    pcs_cache **by_model;
    size_t model_cap;
};

struct replay {
    pcs_trace *trace;
    struct lane_state lanes[MAX_LANES];
    size_t lane_count;
    struct pcs_usage usages[MAX_LANES]; /* the current request's, lane by lane */
    pcs_replay_lanes_observer observer;
    void *context;
    /* Usages given (pcs_replay_lanes_given), not played; NULL: play. */
    const struct pcs_usage *(*given)(void *context);
    void *given_context;
    struct pcs_error *err;
};

static enum pcs_status grow_models(struct pcs_replay_result *result, size_t count)
{
    if (count <= result->model_count)
        return PCS_OK;
    struct pcs_usage *by_model = realloc(result->by_model, count * sizeof *by_model);
    if (!by_model)
        return PCS_ERR_NOMEM;
    memset(by_model + result->model_count, 0, (count - result->model_count) * sizeof *by_model);
    result->by_model = by_model;
    result->model_count = count;
    return PCS_OK;
}

static enum pcs_status grow_lane_models(struct lane_state *state, size_t count)
{
    if (count > state->model_cap) {
        size_t cap = state->model_cap ? state->model_cap : 8;
        while (cap < count)
            cap *= 2;
        pcs_cache **by_model = realloc(state->by_model, cap * sizeof *by_model);
        if (!by_model)
            return PCS_ERR_NOMEM;
        memset(by_model + state->model_cap, 0, (cap - state->model_cap) * sizeof *by_model);
        state->by_model = by_model;
        state->model_cap = cap;
    }
    return grow_models(&state->lane->result, count);
}

/* The cache of a model met for the first time: its configuration's, made
 * when no other model has that configuration. */
static enum pcs_status attach_model(struct replay *replay, struct lane_state *state, uint32_t model)
{
    struct pcs_cache_config config = state->lane->config;
    enum pcs_status status;
    if (state->lane->model_config) {
        status = state->lane->model_config(state->lane->model_config_context, model,
                                           pcs_trace_model_name(replay->trace, model), &config, replay->err);
        if (status != PCS_OK)
            return status;
        status = pcs_cache_config_check(&config, replay->err);
        if (status != PCS_OK)
            return status;
    }
    for (size_t i = 0; i < state->cache_count; i++)
        if (pcs_cache_config_equal(&state->configs[i], &config)) {
            state->by_model[model] = state->caches[i];
            return PCS_OK;
        }
    size_t count = state->cache_count + 1;
    struct pcs_cache_config *configs = realloc(state->configs, count * sizeof *configs);
    if (configs)
        state->configs = configs;
    pcs_cache **caches = configs ? realloc(state->caches, count * sizeof *caches) : NULL;
    if (caches)
        state->caches = caches;
    struct pcs_error cache_err;
    pcs_cache *cache = caches ? pcs_cache_new(&config, &cache_err) : NULL;
    if (!cache)
        return caches ? pcs_error_set(replay->err, cache_err.status, "cannot create a cache: %s",
                                      pcs_strerror(cache_err.status))
                      : PCS_ERR_NOMEM;
    state->configs[state->cache_count] = config;
    state->caches[state->cache_count++] = cache;
    state->by_model[model] = cache;
    return PCS_OK;
}

/* Plays one request through every lane, adds its usage, shows the observer. */
static enum pcs_status play(void *context, const struct pcs_request *req)
{
    struct replay *replay = context;
    const int marked = pcs_request_has_ttl_marker(req);
    const struct pcs_usage *given = replay->given ? replay->given(replay->given_context) : NULL;
    for (size_t i = 0; i < replay->lane_count; i++) {
        struct lane_state *state = &replay->lanes[i];
        struct pcs_replay_result *result = &state->lane->result;
        enum pcs_status status = PCS_OK;
        if (req->model >= state->model_cap || req->model >= result->model_count)
            status = grow_lane_models(state, (size_t)req->model + 1);
        if (status == PCS_OK && !state->by_model[req->model])
            status = attach_model(replay, state, req->model);
        if (status != PCS_OK)
            return status;
        struct pcs_usage *usage = &replay->usages[i];
        if (given)
            *usage = given[i];
        else
            status = pcs_cache_access(state->by_model[req->model], req, usage);
        if (status != PCS_OK)
            return pcs_error_set(replay->err, status, "the cache failed: %s", pcs_strerror(status));
        pcs_usage_add(&result->total, usage);
        pcs_usage_add(&result->by_model[req->model], usage);
        result->bounds += req->bound_count;
        result->marked_requests += (uint64_t)marked;
    }
    return replay->observer ? replay->observer(replay->context, req, replay->usages) : PCS_OK;
}

/* Announces req to the caches it will be played in (those that exist). */
static void announce(void *context, const struct pcs_request *req)
{
    struct replay *replay = context;
    for (size_t i = 0; i < replay->lane_count; i++) {
        struct lane_state *state = &replay->lanes[i];
        if (req->model < state->model_cap && state->by_model[req->model])
            pcs_cache_prefetch(state->by_model[req->model], req);
    }
}

static void free_lane_state(struct lane_state *state)
{
    for (size_t i = 0; i < state->cache_count; i++)
        pcs_cache_free(state->caches[i]);
    free(state->caches);
    free(state->configs);
    free(state->by_model);
}

static enum pcs_status replay_lanes(pcs_trace *trace, struct pcs_replay_lane *lanes, size_t lane_count,
                                    unsigned threads, const struct pcs_usage *(*given)(void *context),
                                    void *given_context, pcs_replay_lanes_observer observer, void *context,
                                    struct pcs_error *err)
{
    if (lane_count == 0 || lane_count > MAX_LANES)
        return pcs_error_set(err, PCS_ERR_ARG, "a replay plays 1 to %d cache models, not %zu", MAX_LANES, lane_count);
    struct replay replay;
    memset(&replay, 0, sizeof replay);
    replay.trace = trace;
    replay.lane_count = lane_count;
    replay.observer = observer;
    replay.context = context;
    replay.given = given;
    replay.given_context = given_context;
    replay.err = err;
    enum pcs_status status = PCS_OK;
    for (size_t i = 0; i < lane_count; i++) {
        memset(&lanes[i].result, 0, sizeof lanes[i].result);
        replay.lanes[i].lane = &lanes[i];
        if (status == PCS_OK)
            status = pcs_cache_config_check(&lanes[i].config, err);
    }
    struct request_visitor visitor = {play, announce, &replay};
    if (status == PCS_OK)
        status = pcs_request_loop(trace, threads, &visitor, err);
    for (size_t i = 0; i < lane_count; i++) {
        free_lane_state(&replay.lanes[i]);
        if (status == PCS_OK)
            status = grow_models(&lanes[i].result, pcs_trace_model_count(trace));
        lanes[i].result.skipped = pcs_trace_skipped_count(trace);
    }
    if (status != PCS_OK) {
        if (status == PCS_ERR_NOMEM)
            pcs_error_set(err, status, "out of memory during replay");
        for (size_t i = 0; i < lane_count; i++)
            pcs_replay_result_free(&lanes[i].result);
    }
    return status;
}

enum pcs_status pcs_replay_lanes(pcs_trace *trace, struct pcs_replay_lane *lanes, size_t lane_count, unsigned threads,
                                 pcs_replay_lanes_observer observer, void *context, struct pcs_error *err)
{
    return replay_lanes(trace, lanes, lane_count, threads, NULL, NULL, observer, context, err);
}

enum pcs_status pcs_replay_lanes_given(pcs_trace *trace, struct pcs_replay_lane *lanes, size_t lane_count,
                                       const struct pcs_usage *(*given)(void *context), void *given_context,
                                       pcs_replay_lanes_observer observer, void *context, struct pcs_error *err)
{
    /* One thread: given speaks of the request the trace gave last. */
    return replay_lanes(trace, lanes, lane_count, 1, given, given_context, observer, context, err);
}

/* pcs_replay's observer sees the one lane's usage. */
struct single_observer {
    pcs_replay_observer observer;
    void *context;
};

static enum pcs_status observe_single(void *context, const struct pcs_request *req, const struct pcs_usage *usages)
{
    struct single_observer *single = context;
    return single->observer(single->context, req, &usages[0]);
}

enum pcs_status pcs_replay(pcs_trace *trace, const struct pcs_cache_config *config, unsigned threads,
                           pcs_replay_observer observer, void *context, struct pcs_replay_result *result,
                           struct pcs_error *err)
{
    struct pcs_replay_lane lane;
    memset(&lane, 0, sizeof lane);
    lane.config = *config;
    struct single_observer single = {observer, context};
    enum pcs_status status = pcs_replay_lanes(trace, &lane, 1, threads, observer ? observe_single : NULL, &single, err);
    *result = lane.result;
    if (status != PCS_OK)
        memset(result, 0, sizeof *result);
    return status;
}

void pcs_replay_result_free(struct pcs_replay_result *result)
{
    free(result->by_model);
    result->by_model = NULL;
    result->model_count = 0;
}
