/* TTL curves; see pcsim/sweep.h.
 *
 * ttl and openai: one cache that never expires plays the trace once and
 * gives, per request, its matched prefix as a step function of the TTL
 * (pcs_cache_profile); each point takes the step its TTL selects, then
 * openai's minimum and granularity. The same profile at an infinite TTL is
 * the ideal ceiling.
 * breakpoint: one cache per TTL and an ideal one, over the same read of the
 * trace (pcs_replay_lanes). */
#include "pcsim/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "pcsim/replay.h"

#include "pipeline.h"

/* Most points of a breakpoint curve: one cache each, over one read. */
#define SWEEP_MAX_LANE_POINTS 255

struct sweep_state {
    struct pcs_sweep_result *result;
    const pcs_trace *trace;
    pcs_replay_coster **costers;   /* per point, then the ideal's; NULL without prices */
    pcs_model_config_fn model_config;
    void *model_config_context;
    struct pcs_cache_config *model_configs; /* profiled curves: per trace model, once met */
    uint8_t *model_known;
    size_t model_cap;
    size_t *order;                 /* point indexes by increasing TTL */
    struct pcs_usage common;       /* profiled curves: what every point shares */
    struct pcs_usage *common_by_model;
    size_t common_models;
    struct pcs_error *err;
};

static enum pcs_status grow_common(struct sweep_state *state, size_t count)
{
    if (count <= state->common_models)
        return PCS_OK;
    struct pcs_usage *by_model = realloc(state->common_by_model, count * sizeof *by_model);
    if (!by_model)
        return PCS_ERR_NOMEM;
    memset(by_model + state->common_models, 0, (count - state->common_models) * sizeof *by_model);
    state->common_by_model = by_model;
    state->common_models = count;
    return PCS_OK;
}

/* A breakpoint lane's model configuration: the caller's, at the lane's TTL. */
struct lane_config {
    struct sweep_state *state;
    int64_t ttl_ms;
};

static enum pcs_status configure_lane(void *context, uint32_t model, const char *name,
                                      struct pcs_cache_config *config, struct pcs_error *err)
{
    const struct lane_config *lane = context;
    enum pcs_status status =
        lane->state->model_config(lane->state->model_config_context, model, name, config, err);
    config->ttl_ms = lane->ttl_ms;
    config->ttl_overrides_markers = 1; /* a sweep point is a what-if TTL */
    return status;
}

/* A profiled curve's configuration of req's model (min tokens, granularity). */
static enum pcs_status model_config(struct sweep_state *state, const pcs_trace *trace, uint32_t model,
                                    const struct pcs_cache_config *base, const struct pcs_cache_config **config)
{
    if (!state->model_config) {
        *config = base;
        return PCS_OK;
    }
    if (model >= state->model_cap) {
        size_t cap = state->model_cap ? state->model_cap * 2 : 8;
        while (cap <= model)
            cap *= 2;
        struct pcs_cache_config *configs = realloc(state->model_configs, cap * sizeof *configs);
        if (!configs)
            return PCS_ERR_NOMEM;
        state->model_configs = configs;
        uint8_t *known = realloc(state->model_known, cap);
        if (!known)
            return PCS_ERR_NOMEM;
        memset(known + state->model_cap, 0, cap - state->model_cap);
        state->model_known = known;
        state->model_cap = cap;
    }
    if (!state->model_known[model]) {
        state->model_configs[model] = *base;
        enum pcs_status status = state->model_config(state->model_config_context, model,
                                                     pcs_trace_model_name(trace, model), &state->model_configs[model],
                                                     state->err);
        if (status != PCS_OK)
            return status;
        state->model_known[model] = 1;
    }
    *config = &state->model_configs[model];
    return PCS_OK;
}

static enum pcs_status grow_models(struct pcs_sweep_result *result, size_t count)
{
    if (count <= result->model_count)
        return PCS_OK;
    for (size_t i = 0; i < result->point_count; i++) {
        struct pcs_usage *by_model = realloc(result->points[i].by_model, count * sizeof *by_model);
        if (!by_model)
            return PCS_ERR_NOMEM;
        memset(by_model + result->model_count, 0, (count - result->model_count) * sizeof *by_model);
        result->points[i].by_model = by_model;
    }
    result->model_count = count;
    return PCS_OK;
}

/* Adds point i's usage of req (and prices it). */
static enum pcs_status add_point(struct sweep_state *state, size_t i, const struct pcs_request *req,
                                 const struct pcs_usage *usage, const struct pcs_usage *ideal)
{
    struct pcs_sweep_point *point = &state->result->points[i];
    pcs_usage_add(&point->total, usage);
    pcs_usage_add(&point->by_model[req->model], usage);
    if (!state->costers)
        return PCS_OK;
    double ignored;
    return pcs_replay_coster_add(state->costers[i], req, usage, ideal, &ignored, state->err);
}

/* One request of a profiled curve: its matched prefix per point, from its
 * gap profile and the points in increasing TTL order. Only cache_read
 * differs between points; the counts all points share are summed once
 * (state->common) and filled into every point at the end. */
static enum pcs_status profile_request(struct sweep_state *state, pcs_cache *cache, const pcs_trace *trace,
                                       const struct pcs_request *req, const struct pcs_cache_config *base,
                                       const int64_t *ttls_ms)
{
    struct pcs_sweep_result *result = state->result;
    if (req->model >= result->model_count) {
        size_t models = pcs_trace_model_count(trace) > req->model ? pcs_trace_model_count(trace) : (size_t)req->model + 1;
        if (grow_models(result, models) != PCS_OK || grow_common(state, models) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    const struct pcs_cache_config *config;
    enum pcs_status status = model_config(state, trace, req->model, base, &config);
    if (status != PCS_OK)
        return status;
    struct pcs_usage usage;
    status = pcs_cache_access(cache, req, &usage);
    if (status != PCS_OK)
        return pcs_error_set(state->err, status, "the cache failed: %s", pcs_strerror(status));
    result->bounds += req->bound_count;
    size_t steps;
    const struct pcs_gap_step *profile = pcs_cache_profile(cache, &steps);
    struct pcs_usage ideal = usage;
    ideal.cache_read = steps ? profile[steps - 1].end : 0; /* every step counts */
    pcs_usage_add(&result->ideal, &ideal);
    struct pcs_usage common = usage;
    common.cache_read = 0;
    pcs_usage_add(&state->common, &common);
    pcs_usage_add(&state->common_by_model[req->model], &common);
    /* Gaps never decrease along the profile, so one walk serves every TTL. */
    size_t s = 0;
    uint64_t matched = 0;
    for (size_t k = 0; k < result->point_count; k++) {
        size_t i = state->order[k];
        while (s < steps && profile[s].gap_ms < ttls_ms[i])
            matched = profile[s++].end;
        uint64_t read = pcs_cache_read_of_match(config, req->input_tokens, matched);
        result->points[i].total.cache_read += read;
        result->points[i].by_model[req->model].cache_read += read;
        if (state->costers) {
            struct pcs_usage point = usage;
            point.cache_read = read;
            double ignored;
            status = pcs_replay_coster_add(state->costers[i], req, &point, &ideal, &ignored, state->err);
            if (status != PCS_OK)
                return status;
        }
    }
    if (!state->costers)
        return PCS_OK;
    double ignored;
    return pcs_replay_coster_add(state->costers[result->point_count], req, &ideal, &ideal, &ignored, state->err);
}

static enum pcs_status play_profiled(struct sweep_state *state, pcs_cache *cache, pcs_trace *trace,
                                     const struct pcs_cache_config *base, const int64_t *ttls_ms, unsigned threads)
{
    /* As replay: on a long trace a second thread parses ahead. */
    int pipelined = threads >= 2 && pcs_trace_request_count(trace) >= PIPELINE_MIN_REQUESTS;
    struct pipeline *pipe = pipelined ? pcs_pipeline_start(trace) : NULL;
    enum pcs_status status = PCS_OK;
    if (!pipe) {
        struct pcs_request req;
        while (status == PCS_OK) {
            status = pcs_trace_next(trace, &req, state->err);
            if (status == PCS_OK)
                status = profile_request(state, cache, trace, &req, base, ttls_ms);
        }
        return status;
    }
    while (status == PCS_OK) {
        struct pipeline_batch *batch = pcs_pipeline_next(pipe);
        for (size_t i = 0; i < batch->count && status == PCS_OK; i++)
            status = profile_request(state, cache, trace, &batch->requests[i], base, ttls_ms);
        if (status == PCS_OK && batch->status != PCS_OK) {
            status = batch->status;
            *state->err = batch->error;
        }
        pcs_pipeline_release(pipe, batch);
    }
    pcs_pipeline_stop(pipe);
    return status;
}

/* Fills every point's shared counts after a profiled curve. */
static void fill_common(struct sweep_state *state)
{
    struct pcs_sweep_result *result = state->result;
    for (size_t i = 0; i < result->point_count; i++) {
        struct pcs_sweep_point *point = &result->points[i];
        uint64_t read = point->total.cache_read;
        point->total = state->common;
        point->total.cache_read = read;
        for (size_t m = 0; m < result->model_count && m < state->common_models; m++) {
            read = point->by_model[m].cache_read;
            point->by_model[m] = state->common_by_model[m];
            point->by_model[m].cache_read = read;
        }
    }
}

/* order[0..count) = point indexes by increasing TTL (stable; count is small). */
static void sort_by_ttl(size_t *order, size_t count, const int64_t *ttls_ms)
{
    for (size_t i = 0; i < count; i++) {
        size_t at = i;
        while (at > 0 && ttls_ms[order[at - 1]] > ttls_ms[i]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
}

/* breakpoint lanes: lane i is point i, the last lane the ideal. */
static enum pcs_status observe_lanes(void *context, const struct pcs_request *req, const struct pcs_usage *usages)
{
    struct sweep_state *state = context;
    struct pcs_sweep_result *result = state->result;
    if (req->model >= result->model_count && grow_models(result, (size_t)req->model + 1) != PCS_OK)
        return PCS_ERR_NOMEM;
    const struct pcs_usage *ideal = &usages[result->point_count];
    for (size_t i = 0; i < result->point_count; i++) {
        enum pcs_status status = add_point(state, i, req, &usages[i], ideal);
        if (status != PCS_OK)
            return status;
    }
    if (!state->costers)
        return PCS_OK;
    double ignored;
    return pcs_replay_coster_add(state->costers[result->point_count], req, ideal, ideal, &ignored, state->err);
}

static enum pcs_status play_lanes(struct sweep_state *state, pcs_trace *trace, const struct pcs_cache_config *base,
                                  const int64_t *ttls_ms, unsigned threads)
{
    struct pcs_sweep_result *result = state->result;
    struct pcs_replay_lane *lanes = calloc(result->point_count + 1, sizeof *lanes);
    struct lane_config *contexts = calloc(result->point_count, sizeof *contexts);
    if (!lanes || !contexts) {
        free(lanes);
        free(contexts);
        return PCS_ERR_NOMEM;
    }
    for (size_t i = 0; i < result->point_count; i++) {
        lanes[i].config = *base;
        lanes[i].config.ttl_ms = ttls_ms[i];
        lanes[i].config.ttl_overrides_markers = 1; /* a sweep point is a what-if TTL */
        contexts[i].state = state;
        contexts[i].ttl_ms = ttls_ms[i];
        if (state->model_config) {
            lanes[i].model_config = configure_lane;
            lanes[i].model_config_context = &contexts[i];
        }
    }
    pcs_cache_preset("ideal", &lanes[result->point_count].config);
    enum pcs_status status =
        pcs_replay_lanes(trace, lanes, result->point_count + 1, threads, observe_lanes, state, state->err);
    if (status == PCS_OK) {
        result->ideal = lanes[result->point_count].result.total;
        result->bounds = lanes[0].result.bounds;
        result->marked_requests = lanes[0].result.marked_requests;
    }
    for (size_t i = 0; status == PCS_OK && i <= result->point_count; i++)
        pcs_replay_result_free(&lanes[i].result);
    free(lanes);
    free(contexts);
    return status;
}

/* Prices every point from its coster (nothing when no model is priced). */
static enum pcs_status finish_costs(struct sweep_state *state)
{
    struct pcs_sweep_result *result = state->result;
    for (size_t i = 0; i <= result->point_count; i++) {
        struct pcs_replay_cost cost;
        enum pcs_status status = pcs_replay_coster_finish(state->costers[i], &cost, state->err);
        if (status != PCS_OK)
            return status;
        if (cost.priced_requests == 0) { /* no model of the trace has prices */
            pcs_replay_cost_free(&cost);
            return PCS_OK;
        }
        if (i < result->point_count) {
            result->points[i].priced = 1;
            result->points[i].cost = cost.with_cache;
        } else {
            result->ideal_cost = cost.with_cache.total;
            result->without_cache_cost = cost.without_cache;
        }
        pcs_replay_cost_free(&cost);
    }
    result->priced = 1;
    return PCS_OK;
}

enum pcs_status pcs_sweep_ttl(pcs_trace *trace, const struct pcs_cache_config *base, const int64_t *ttls_ms,
                              size_t count, const struct pcs_replay_cost_config *pricing, unsigned threads,
                              struct pcs_sweep_result *result, struct pcs_error *err)
{
    return pcs_sweep_ttl_per_model(trace, base, ttls_ms, count, pricing, threads, NULL, NULL, result, err);
}

enum pcs_status pcs_sweep_ttl_per_model(pcs_trace *trace, const struct pcs_cache_config *base, const int64_t *ttls_ms,
                                        size_t count, const struct pcs_replay_cost_config *pricing, unsigned threads,
                                        pcs_model_config_fn model_config_fn, void *model_config_context,
                                        struct pcs_sweep_result *result, struct pcs_error *err)
{
    memset(result, 0, sizeof *result);
    enum pcs_policy policy = base->policy;
    const struct pcs_policy_info *info = pcs_policy_info(policy);
    if (!info || !info->ttl_curve) {
        char names[96];
        return pcs_error_set(err, PCS_ERR_ARG, "a TTL curve is for the %s policies, not %s",
                             pcs_policy_ttl_curve_names(names, sizeof names), pcs_policy_name(policy));
    }
    if (count == 0 || (policy == PCS_POLICY_BREAKPOINT && count > SWEEP_MAX_LANE_POINTS))
        return pcs_error_set(err, PCS_ERR_ARG, "a TTL curve needs 1 to %d points%s", SWEEP_MAX_LANE_POINTS,
                             policy == PCS_POLICY_BREAKPOINT ? " with the breakpoint policy" : "");
    for (size_t i = 0; i < count; i++)
        if (ttls_ms[i] <= 0 || ttls_ms[i] > PCS_MAX_TTL_MS)
            return pcs_error_set(err, PCS_ERR_ARG, "TTL %zu of the curve is not a positive duration", i + 1);
    result->base = *base;
    result->point_count = count;
    result->points = calloc(count, sizeof *result->points);
    struct sweep_state state;
    memset(&state, 0, sizeof state);
    state.result = result;
    state.trace = trace;
    state.model_config = model_config_fn;
    state.model_config_context = model_config_context;
    state.err = err;
    enum pcs_status status = result->points ? PCS_OK : PCS_ERR_NOMEM;
    for (size_t i = 0; status == PCS_OK && i < count; i++)
        result->points[i].ttl_ms = ttls_ms[i];
    if (status == PCS_OK)
        status = grow_models(result, pcs_trace_model_count(trace) ? pcs_trace_model_count(trace) : 1);
    if (status == PCS_OK && pricing) {
        state.costers = calloc(count + 1, sizeof *state.costers);
        for (size_t i = 0; state.costers && i <= count && status == PCS_OK; i++)
            if (!(state.costers[i] = pcs_replay_coster_new(pricing, trace, NULL)))
                status = PCS_ERR_NOMEM;
        if (!state.costers)
            status = PCS_ERR_NOMEM;
    }
    if (status == PCS_OK && policy == PCS_POLICY_BREAKPOINT) {
        status = play_lanes(&state, trace, base, ttls_ms, threads);
    } else if (status == PCS_OK) {
        /* A cache that never expires: its profile serves every TTL. */
        struct pcs_cache_config forever = *base;
        forever.policy = PCS_POLICY_TTL;
        forever.ttl_ms = PCS_MAX_TTL_MS;
        struct pcs_error cache_err;
        pcs_cache *cache = pcs_cache_new(&forever, &cache_err);
        status = cache ? pcs_cache_enable_profile(cache) : cache_err.status;
        state.order = malloc(count * sizeof *state.order);
        if (status == PCS_OK && !state.order)
            status = PCS_ERR_NOMEM;
        if (status == PCS_OK) {
            sort_by_ttl(state.order, count, ttls_ms);
            status = grow_common(&state, result->model_count);
        }
        if (status == PCS_OK)
            status = play_profiled(&state, cache, trace, base, ttls_ms, threads);
        if (status == PCS_END)
            status = PCS_OK;
        if (status == PCS_OK)
            status = grow_models(result, pcs_trace_model_count(trace)) == PCS_OK
                         ? grow_common(&state, pcs_trace_model_count(trace))
                         : PCS_ERR_NOMEM;
        if (status == PCS_OK)
            fill_common(&state);
        pcs_cache_free(cache);
    }
    if (status == PCS_OK)
        status = grow_models(result, pcs_trace_model_count(trace));
    if (status == PCS_OK && state.costers)
        status = finish_costs(&state);
    result->skipped = pcs_trace_skipped_count(trace);
    for (size_t i = 0; state.costers && i <= count; i++)
        pcs_replay_coster_free(state.costers[i]);
    free(state.costers);
    free(state.model_configs);
    free(state.model_known);
    free(state.order);
    free(state.common_by_model);
    if (status != PCS_OK) {
        if (status == PCS_ERR_NOMEM)
            pcs_error_set(err, status, "out of memory computing the TTL curve");
        pcs_sweep_result_free(result);
    }
    return status;
}

void pcs_sweep_result_free(struct pcs_sweep_result *result)
{
    for (size_t i = 0; result->points && i < result->point_count; i++)
        free(result->points[i].by_model);
    free(result->points);
    memset(result, 0, sizeof *result);
}
