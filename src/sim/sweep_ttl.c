/* TTL curves; see pcsim/sweep.h.
 *
 * ttl and openai: one cache that never expires plays the trace once and
 * gives, per request, its matched prefix as a step function of the TTL
 * (pcs_cache_profile); each point takes the step its TTL selects, then
 * openai's minimum and granularity. The same profile at an infinite TTL is
 * the ideal ceiling.
 * breakpoint: one cache whose lanes are the points (pcs_cache_new_lanes:
 * one walk of the tree per request serves every TTL), beside an ideal one
 * over the same read of the trace (pcs_replay_lanes). */
#include "pcsim/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "pcsim/replay.h"

#include "request_loop.h"
#include "sweep_internal.h"

/* Most points of a breakpoint curve: lanes of one cache. */
#define SWEEP_MAX_LANE_POINTS 255

struct sweep_state {
    struct pcs_sweep_result *result;
    const pcs_trace *trace;
    pcs_replay_coster **costers; /* per point, then the ideal's; NULL without prices */
    pcs_model_config_fn model_config;
    void *model_config_context;
    struct pcs_cache_config *model_configs; /* profiled curves: per trace model, once met */
    uint8_t *model_known;
    size_t model_cap;
    size_t *order;            /* point indexes by increasing TTL */
    pcs_sweep_watch_fn watch; /* NULL: nobody watches */
    void *watch_context;
    struct pcs_usage *usages; /* with watch, profiled curves: a request's usage per point */
    struct pcs_error *err;
};

/* A breakpoint lane's model configuration: the caller's, at the lane's TTL. */
struct lane_config {
    struct sweep_state *state;
    int64_t ttl_ms;
};

static enum pcs_status configure_lane(void *context, uint32_t model, const char *name, struct pcs_cache_config *config,
                                      struct pcs_error *err)
{
    const struct lane_config *lane = context;
    enum pcs_status status = lane->state->model_config(lane->state->model_config_context, model, name, config, err);
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
        enum pcs_status status =
            state->model_config(state->model_config_context, model, pcs_trace_model_name(trace, model),
                                &state->model_configs[model], state->err);
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
    pcs_usage_add(&point->by_model[req->model], usage); /* the total is their sum (sum_models) */
    if (!state->costers)
        return PCS_OK;
    double ignored;
    return pcs_replay_coster_add(state->costers[i], req, usage, ideal, &ignored, state->err);
}

/* sum += now - before, member by member (modulo 2^64: a difference may
 * wrap, the running sums of sum_differences come back exact). */
static void add_difference(struct pcs_usage *sum, const struct pcs_usage *now, const struct pcs_usage *before)
{
    sum->requests += now->requests - before->requests;
    sum->input += now->input - before->input;
    sum->cache_read += now->cache_read - before->cache_read;
    sum->cache_write += now->cache_write - before->cache_write;
    sum->cache_write_1h += now->cache_write_1h - before->cache_write_1h;
    sum->output += now->output - before->output;
}

/* One request of a profiled curve: its matched prefix per point, from its
 * gap profile and the points in increasing TTL order, and so the whole
 * usage each point sees. A point's usage changes only where the walk
 * crosses a step of the profile, so while a curve plays, each point's
 * by_model holds the difference from the point before it in TTL order
 * (sum_differences turns them into the points' own usage): a request costs
 * one add per step, not one per point, and every count of a point is its
 * own. */
static enum pcs_status profile_request(struct sweep_state *state, pcs_cache *cache, const pcs_trace *trace,
                                       const struct pcs_request *req, const struct pcs_cache_config *base,
                                       const int64_t *ttls_ms)
{
    struct pcs_sweep_result *result = state->result;
    if (req->model >= result->model_count) {
        size_t models =
            pcs_trace_model_count(trace) > req->model ? pcs_trace_model_count(trace) : (size_t)req->model + 1;
        if (grow_models(result, models) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    const struct pcs_cache_config *config;
    enum pcs_status status = model_config(state, trace, req->model, base, &config);
    if (status != PCS_OK)
        return status;
    if (config->overflow_rpm != base->overflow_rpm) /* the one cache routes at base's rate */
        return pcs_error_set(state->err, PCS_ERR_ARG, "model %s: overflow_rpm %llu differs from the curve's %llu",
                             pcs_trace_model_name(trace, req->model), (unsigned long long)config->overflow_rpm,
                             (unsigned long long)base->overflow_rpm);
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
    /* Gaps never decrease along the profile, so one walk serves every TTL. */
    size_t s = 0, crossed = 0;
    uint64_t matched = 0;
    struct pcs_usage before = {0}, point = usage;
    for (size_t k = 0; k < result->point_count; k++) {
        size_t i = state->order[k];
        while (s < steps && profile[s].gap_ms < ttls_ms[i])
            matched = profile[s++].end;
        if (k == 0 || s != crossed) { /* the point's usage is a function of the steps crossed */
            point.cache_read = pcs_cache_read_of_match(config, req->input_tokens, matched);
            add_difference(&result->points[i].by_model[req->model], &point, &before);
            before = point;
            crossed = s;
        }
        if (state->usages)
            state->usages[i] = point;
        if (state->costers) {
            double ignored;
            status = pcs_replay_coster_add(state->costers[i], req, &point, &ideal, &ignored, state->err);
            if (status != PCS_OK)
                return status;
        }
    }
    if (state->watch) {
        status = state->watch(state->watch_context, req, state->usages);
        if (status != PCS_OK)
            return status;
    }
    if (!state->costers)
        return PCS_OK;
    double ignored;
    return pcs_replay_coster_add(state->costers[result->point_count], req, &ideal, &ideal, &ignored, state->err);
}

/* A profiled curve's request loop: its state, cache and points. */
struct profiled_curve {
    struct sweep_state *state;
    pcs_cache *cache;
    const pcs_trace *trace;
    const struct pcs_cache_config *base;
    const int64_t *ttls_ms;
};

static enum pcs_status play_profiled_request(void *context, const struct pcs_request *req)
{
    struct profiled_curve *curve = context;
    return profile_request(curve->state, curve->cache, curve->trace, req, curve->base, curve->ttls_ms);
}

/* After a profiled curve: each point's usage per model, the running sum of
 * the differences in TTL order. */
static void sum_differences(struct sweep_state *state)
{
    struct pcs_sweep_result *result = state->result;
    for (size_t m = 0; m < result->model_count; m++) {
        struct pcs_usage running = {0};
        for (size_t k = 0; k < result->point_count; k++) {
            struct pcs_usage *slot = &result->points[state->order[k]].by_model[m];
            pcs_usage_add(&running, slot);
            *slot = running;
        }
    }
}

static enum pcs_status play_profiled(struct sweep_state *state, pcs_cache *cache, pcs_trace *trace,
                                     const struct pcs_cache_config *base, const int64_t *ttls_ms, unsigned threads)
{
    struct profiled_curve curve = {state, cache, trace, base, ttls_ms};
    struct request_visitor visitor = {play_profiled_request, NULL, &curve};
    return pcs_request_loop(trace, threads, &visitor, state->err);
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
    if (state->watch) {
        enum pcs_status status = state->watch(state->watch_context, req, usages);
        if (status != PCS_OK)
            return status;
    }
    if (!state->costers)
        return PCS_OK;
    double ignored;
    return pcs_replay_coster_add(state->costers[result->point_count], req, ideal, ideal, &ignored, state->err);
}

/* A breakpoint curve's points, played as the lanes of one cache beside the
 * ideal (pcs_cache_new_lanes), each with its configuration per model. */
struct lane_curve {
    struct sweep_state *state;
    pcs_cache *cache;
    const pcs_trace *trace;
    struct pcs_cache_config *points; /* point i's configuration before its model's */
    struct lane_config *contexts;
    struct pcs_cache_config *by_model; /* model * point_count + i, once model_met */
    uint8_t *model_met;
    size_t model_cap;
    struct pcs_usage *usages; /* the points', then the ideal's */
};

/* Every point's configuration of a model met for the first time, as a
 * replay lane makes it (replay.c). */
static enum pcs_status meet_model(struct lane_curve *curve, uint32_t model)
{
    const size_t count = curve->state->result->point_count;
    if (model >= curve->model_cap) {
        size_t cap = curve->model_cap ? curve->model_cap * 2 : 8;
        while (cap <= model)
            cap *= 2;
        struct pcs_cache_config *by_model = realloc(curve->by_model, cap * count * sizeof *by_model);
        if (!by_model)
            return PCS_ERR_NOMEM;
        curve->by_model = by_model;
        uint8_t *met = realloc(curve->model_met, cap);
        if (!met)
            return PCS_ERR_NOMEM;
        memset(met + curve->model_cap, 0, cap - curve->model_cap);
        curve->model_met = met;
        curve->model_cap = cap;
    }
    struct pcs_cache_config *configs = &curve->by_model[(size_t)model * count];
    for (size_t i = 0; i < count; i++) {
        configs[i] = curve->points[i];
        if (!curve->state->model_config)
            continue;
        enum pcs_status status = configure_lane(&curve->contexts[i], model, pcs_trace_model_name(curve->trace, model),
                                                &configs[i], curve->state->err);
        if (status == PCS_OK)
            status = pcs_cache_config_check(&configs[i], curve->state->err);
        if (status != PCS_OK)
            return status;
    }
    curve->model_met[model] = 1;
    return PCS_OK;
}

static enum pcs_status observe_lane_curve(void *context, const struct pcs_request *req, const struct pcs_usage *ideal)
{
    struct lane_curve *curve = context;
    const size_t count = curve->state->result->point_count;
    if (req->model >= curve->model_cap || !curve->model_met[req->model]) {
        enum pcs_status status = meet_model(curve, req->model);
        if (status != PCS_OK)
            return status;
    }
    enum pcs_status status =
        pcs_cache_access_lanes(curve->cache, req, &curve->by_model[(size_t)req->model * count], curve->usages);
    if (status != PCS_OK)
        return pcs_error_set(curve->state->err, status, "the cache failed: %s", pcs_strerror(status));
    curve->usages[count] = ideal[0];
    return observe_lanes(curve->state, req, curve->usages);
}

static enum pcs_status play_lanes(struct sweep_state *state, pcs_trace *trace, const struct pcs_cache_config *base,
                                  const int64_t *ttls_ms, unsigned threads)
{
    struct pcs_sweep_result *result = state->result;
    const size_t count = result->point_count;
    struct lane_curve curve;
    memset(&curve, 0, sizeof curve);
    curve.state = state;
    curve.trace = trace;
    curve.points = calloc(count, sizeof *curve.points);
    curve.contexts = calloc(count, sizeof *curve.contexts);
    curve.usages = calloc(count + 1, sizeof *curve.usages);
    enum pcs_status status = curve.points && curve.contexts && curve.usages ? PCS_OK : PCS_ERR_NOMEM;
    for (size_t i = 0; status == PCS_OK && i < count; i++) {
        curve.points[i] = *base;
        curve.points[i].ttl_ms = ttls_ms[i];
        curve.points[i].ttl_overrides_markers = 1; /* a sweep point is a what-if TTL */
        curve.contexts[i].state = state;
        curve.contexts[i].ttl_ms = ttls_ms[i];
        status = pcs_cache_config_check(&curve.points[i], state->err);
    }
    if (status == PCS_OK) {
        struct pcs_error cache_err;
        curve.cache = pcs_cache_new_lanes(count, &cache_err);
        if (!curve.cache)
            status = pcs_error_set(state->err, cache_err.status, "%s", cache_err.message);
    }
    struct pcs_replay_lane ideal;
    memset(&ideal, 0, sizeof ideal);
    pcs_cache_preset("ideal", &ideal.config);
    if (status == PCS_OK)
        status = pcs_replay_lanes(trace, &ideal, 1, threads, observe_lane_curve, &curve, state->err);
    if (status == PCS_OK) {
        result->ideal = ideal.result.total;
        result->bounds = ideal.result.bounds;
        result->marked_requests = ideal.result.marked_requests;
        pcs_replay_result_free(&ideal.result);
    }
    pcs_cache_free(curve.cache);
    free(curve.points);
    free(curve.contexts);
    free(curve.by_model);
    free(curve.model_met);
    free(curve.usages);
    return status;
}

/* Every point's total: the sum of its models' usage. */
static void sum_models(struct pcs_sweep_result *result)
{
    for (size_t i = 0; i < result->point_count; i++) {
        struct pcs_sweep_point *point = &result->points[i];
        memset(&point->total, 0, sizeof point->total);
        for (size_t m = 0; m < result->model_count; m++)
            pcs_usage_add(&point->total, &point->by_model[m]);
    }
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
    return pcs_sweep_ttl_watched(trace, base, ttls_ms, count, pricing, threads, model_config_fn, model_config_context,
                                 NULL, NULL, result, err);
}

enum pcs_status pcs_sweep_ttl_watched(pcs_trace *trace, const struct pcs_cache_config *base, const int64_t *ttls_ms,
                                      size_t count, const struct pcs_replay_cost_config *pricing, unsigned threads,
                                      pcs_model_config_fn model_config_fn, void *model_config_context,
                                      pcs_sweep_watch_fn watch, void *watch_context, struct pcs_sweep_result *result,
                                      struct pcs_error *err)
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
    state.watch = watch;
    state.watch_context = watch_context;
    state.err = err;
    enum pcs_status status = result->points ? PCS_OK : PCS_ERR_NOMEM;
    for (size_t i = 0; status == PCS_OK && i < count; i++)
        result->points[i].ttl_ms = ttls_ms[i];
    if (status == PCS_OK)
        status = grow_models(result, pcs_trace_model_count(trace) ? pcs_trace_model_count(trace) : 1);
    if (status == PCS_OK && pricing) {
        state.costers = calloc(count + 1, sizeof *state.costers);
        for (size_t i = 0; state.costers && i <= count && status == PCS_OK; i++) {
            /* A breakpoint point's writes are billed as its provider sells
             * its TTL (DESIGN §3); other curves write nothing billed, and
             * the ideal (the last coster) is no TTL at all. */
            struct pcs_replay_cost_config point_pricing = *pricing;
            point_pricing.sold_ttl_ms = i < count ? ttls_ms[i] : 0;
            if (i == count || policy != PCS_POLICY_BREAKPOINT)
                point_pricing.sold_preset = NULL;
            if (!(state.costers[i] = pcs_replay_coster_new(&point_pricing, trace, NULL)))
                status = PCS_ERR_NOMEM;
        }
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
        if (status == PCS_OK && watch && !(state.usages = malloc(count * sizeof *state.usages)))
            status = PCS_ERR_NOMEM;
        if (status == PCS_OK)
            sort_by_ttl(state.order, count, ttls_ms);
        if (status == PCS_OK)
            status = play_profiled(&state, cache, trace, base, ttls_ms, threads);
        if (status == PCS_OK)
            sum_differences(&state);
        pcs_cache_free(cache);
    }
    if (status == PCS_OK)
        status = grow_models(result, pcs_trace_model_count(trace));
    if (status == PCS_OK)
        sum_models(result);
    if (status == PCS_OK && state.costers)
        status = finish_costs(&state);
    result->skipped = pcs_trace_skipped_count(trace);
    for (size_t i = 0; state.costers && i <= count; i++)
        pcs_replay_coster_free(state.costers[i]);
    free(state.costers);
    free(state.model_configs);
    free(state.model_known);
    free(state.order);
    free(state.usages);
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
