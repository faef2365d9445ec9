/* One trial of a trace workload through one strategy (DESIGN §10): every
 * request of the trace is a step of its task, sent at its own time x the
 * trial's time_scale (from the trace's first request), with its own
 * prompt, input and output. Its attempts follow the strategy's route as a
 * synthetic step's do (trial.c): an attempt fails with its model's
 * probability, drawn from streams keyed by (request, attempt) so every
 * strategy sees the same draws; a redo re-sends the same prompt
 * retry_delay after the failed attempt's end (its alias's drawn duration,
 * else at once: the trace's times already hold the real latency) to the
 * route's next model, with its own cache. A step
 * that exhausts the route fails its task, whose requests after that are
 * not sent. A batch-tier attempt runs at a uniform time within the batch
 * window after it is sent.
 *
 * The caches see requests in time order: the next event is the earlier of
 * the trace's next request and the earliest pending attempt (a retry, or a
 * batch attempt waiting for its run time); on a tie the pending one goes
 * first (it comes from an earlier request), pending ones among themselves
 * by request index.
 *
 * An observer (pcsim gen) sees every attempt as its slot's cache saw it;
 * without one the loop does what it did, at the same speed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc_internal.h"
#include "trace_requests.h"

/* An attempt waiting for its time. */
struct trace_event {
    int64_t time;
    uint32_t request;
    uint32_t entry_tries; /* attempts made on the route entry */
    uint32_t step_tries;  /* attempts made for the request */
    uint32_t step;        /* the request's place among its task's, from 0 */
    uint8_t entry;        /* the route entry */
    uint8_t batch_waited; /* it has waited for its batch run time */
};

static int event_before(const struct trace_event *a, const struct trace_event *b)
{
    return a->time < b->time || (a->time == b->time && a->request < b->request);
}

static enum pcs_status event_push(struct trial_scratch *scratch, const struct trace_event *event)
{
    if (scratch->event_count == scratch->event_cap) {
        size_t cap = scratch->event_cap ? 2 * scratch->event_cap : 256;
        struct trace_event *events = realloc(scratch->events, cap * sizeof *events);
        if (!events)
            return PCS_ERR_NOMEM;
        scratch->events = events;
        scratch->event_cap = cap;
    }
    struct trace_event *heap = scratch->events;
    size_t at = scratch->event_count++;
    heap[at] = *event;
    while (at > 0 && event_before(&heap[at], &heap[(at - 1) / 2])) {
        struct trace_event swap = heap[at];
        heap[at] = heap[(at - 1) / 2];
        heap[(at - 1) / 2] = swap;
        at = (at - 1) / 2;
    }
    return PCS_OK;
}

static struct trace_event event_pop(struct trial_scratch *scratch)
{
    struct trace_event *heap = scratch->events;
    struct trace_event top = heap[0];
    heap[0] = heap[--scratch->event_count];
    size_t at = 0;
    for (;;) {
        size_t left = 2 * at + 1, right = left + 1, best = at;
        if (left < scratch->event_count && event_before(&heap[left], &heap[best]))
            best = left;
        if (right < scratch->event_count && event_before(&heap[right], &heap[best]))
            best = right;
        if (best == at)
            return top;
        struct trace_event swap = heap[at];
        heap[at] = heap[best];
        heap[best] = swap;
        at = best;
    }
}

struct trace_play {
    const struct pcs_scenario *scenario;
    const struct strategy_plan *plan;
    const struct pcs_trace_requests *requests;
    uint64_t trial;
    const struct trial_traffic *traffic;
    struct trial_scratch *scratch;
    struct pcs_trial_outcome *outcome;
    struct pcs_error *err;
    int64_t start;             /* the trace's first request's time: the trial's 0 */
    pcs_gen_observer observer; /* NULL: none */
    void *observer_context;
};

/* Per task in the scratch arrays: step[] holds these flags. */
enum { TASK_SEEN = 1, TASK_FAILED = 2 };

/* Whether attempt `tries` of request fails with probability p. */
static int request_attempt_fails(const struct trace_play *play, uint32_t request, uint32_t tries, double p)
{
    if (p <= 0)
        return 0;
    const struct pcs_failure *failure = &play->scenario->failure;
    uint64_t seed = play->scenario->seed;
    double draw;
    if (failure->correlation > 0 &&
        pcs_stream_uniform(seed, play->trial, (uint64_t)STREAM_MIX << 56 | request, tries) < failure->correlation)
        draw = pcs_stream_uniform(seed, play->trial, (uint64_t)STREAM_LATENT << 56 | request, 0);
    else
        draw = pcs_stream_uniform(seed, play->trial, (uint64_t)STREAM_FRESH << 56 | request, tries);
    return draw < p;
}

/* The cache of slot, made when first used in the trial. */
static enum pcs_status slot_cache(struct trace_play *play, uint32_t slot, pcs_cache **cache)
{
    struct trial_scratch *scratch = play->scratch;
    if (!scratch->slot_caches[slot]) {
        struct pcs_error cache_err;
        scratch->slot_caches[slot] = pcs_cache_new(&play->plan->slots[slot].cache, &cache_err);
        if (!scratch->slot_caches[slot])
            return pcs_error_set(play->err, cache_err.status, "cannot create a cache: %s",
                                 pcs_strerror(cache_err.status));
    }
    *cache = scratch->slot_caches[slot];
    return PCS_OK;
}

/* The tier multiplier and uplift of a request on model at tier, priced as
 * replay prices it: a tier the provider does not sell at the standard one. */
static double price_multiplier(const struct trace_play *play, const struct pcs_model *model, enum pcs_tier tier)
{
    double multiplier = pcs_provider_tier_multiplier(model->provider, tier);
    if (multiplier <= 0 && tier != PCS_TIER_STANDARD)
        multiplier = pcs_provider_tier_multiplier(model->provider, PCS_TIER_STANDARD);
    if (multiplier <= 0)
        multiplier = 1;
    return multiplier * play->plan->region_uplift;
}

/* Shows the observer an attempt just played on slot: req as the cache saw
 * it, with the fields a trace line carries filled in (pcsim/gen.h). */
static enum pcs_status show_attempt(const struct trace_play *play, const struct trace_event *event, uint32_t slot,
                                    int failed, struct pcs_request *req, const struct pcs_usage *usage, double cost)
{
    req->t_ms = event->time - play->start;
    req->model = slot;
    req->task = play->requests->task[event->request];
    req->has_task = 1;
    req->attempt = event->step_tries + 1;
    req->ok = failed ? 0 : 1;
    const struct plan_slot *model = &play->plan->slots[slot];
    const char *name = slot < play->scenario->model_count ? play->scenario->models[slot].alias : model->name;
    struct pcs_gen_attempt seen = {req, event->step, usage, cost, model->model, name};
    return play->observer(play->observer_context, &seen, play->err);
}

/* Plays the attempt event at its time and schedules what follows. */
static enum pcs_status trace_attempt(struct trace_play *play, struct trace_event *event)
{
    const struct pcs_trace_requests *requests = play->requests;
    const struct pcs_scenario *scenario = play->scenario;
    const struct pcs_strategy *strategy = play->plan->strategy;
    struct trial_scratch *scratch = play->scratch;
    uint32_t request = event->request;
    uint32_t task = requests->task[request];
    if (scratch->step[task] & TASK_FAILED)
        return PCS_OK; /* an earlier step failed its task: the rest is not sent */
    enum pcs_tier tier = strategy->tier_given ? strategy->tier : (enum pcs_tier)requests->tier[request];
    if (tier == PCS_TIER_BATCH && scenario->batch_window_hours > 0 && !event->batch_waited) {
        event->batch_waited = 1;
        event->time = pcs_batch_run_time(scenario, play->trial, request, event->step_tries, event->time);
        return event_push(scratch, event) == PCS_OK ? PCS_OK : pcs_error_set(play->err, PCS_ERR_NOMEM, "out of memory");
    }
    const struct pcs_route_step *entry = &strategy->route[event->entry];
    int own = entry->model == PCS_ROUTE_TRACE_MODEL;
    uint32_t slot = own ? play->plan->trace_slot[requests->model[request]] : entry->model;
    double p = own ? play->traffic->p_trace : play->traffic->p[entry->model];
    int failed = request_attempt_fails(play, request, event->step_tries, p);
    struct pcs_request req;
    pcs_trace_requests_get(requests, request, &req);
    /* An alias's latency, when it has one: its ttft replaces the recorded one, and a redo waits for its end. */
    struct attempt_latency latency = {0, 0};
    if (!own && pcs_model_has_latency(&scenario->models[entry->model])) {
        pcs_latency_draw(scenario, &scenario->models[entry->model], play->trial, request, event->step_tries,
                         scratch->latency_rng, &latency);
        if (scenario->models[entry->model].has_ttft)
            req.ttft_ms = latency.ttft_ms;
    }
    req.t_ms = event->time;
    req.model = 0; /* the slot's cache holds one model */
    req.tier = (uint8_t)tier;
    if (failed)
        req.output_tokens = (uint64_t)llround((double)req.output_tokens * scenario->failure.failed_output_fraction);
    pcs_cache *cache = NULL;
    enum pcs_status status = slot_cache(play, slot, &cache);
    if (status != PCS_OK)
        return status;
    struct pcs_usage usage;
    struct pcs_cache_hint hint;
    pcs_trace_requests_hint(requests, request, &hint);
    status = pcs_cache_access_hinted(cache, &req, &hint, &usage);
    if (status != PCS_OK)
        return pcs_error_set(play->err, status, "the cache failed: %s", pcs_strerror(status));
    const struct plan_slot *model = &play->plan->slots[slot];
    struct pcs_cost cost;
    status = pcs_price_usage(model->prices, &usage, pcs_price_class(model->prices, usage.input),
                             price_multiplier(play, model->model, tier), &cost, play->err);
    if (status != PCS_OK)
        return status;
    pcs_outcome_count_attempt(play->outcome, scratch, task, &usage, cost.total, failed);
    if (play->observer) {
        status = show_attempt(play, event, slot, failed, &req, &usage, cost.total);
        if (status != PCS_OK)
            return status;
    }
    if (!failed)
        return PCS_OK;
    event->step_tries++;
    event->batch_waited = 0;
    event->time += latency.duration_ms + llround(scenario->failure.retry_delay_s * 1000.0);
    if (++event->entry_tries >= entry->attempts) {
        if ((size_t)event->entry + 1 >= strategy->route_count) {
            scratch->step[task] |= TASK_FAILED; /* the route is exhausted: the task fails */
            return PCS_OK;
        }
        event->entry++;
        event->entry_tries = 0;
        scratch->escalated[task] = 1;
    }
    return event_push(scratch, event) == PCS_OK ? PCS_OK : pcs_error_set(play->err, PCS_ERR_NOMEM, "out of memory");
}

/* Resets the per-task and per-slot scratch for a trial. */
static enum pcs_status trace_scratch_reset(const struct strategy_plan *plan, size_t tasks,
                                           struct trial_scratch *scratch, struct pcs_error *err)
{
    if (tasks > UINT32_MAX)
        return pcs_error_set(err, PCS_ERR_RANGE, "a trace of more than %u tasks", UINT32_MAX);
    if (pcs_trial_reserve_tasks(scratch, tasks) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for %zu tasks", tasks);
    if (plan->slot_count > scratch->slot_cap) {
        pcs_cache **caches = realloc(scratch->slot_caches, plan->slot_count * sizeof *caches);
        if (!caches)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for the caches");
        scratch->slot_caches = caches;
        scratch->slot_cap = plan->slot_count;
    }
    if (plan->slot_count > 0)
        memset(scratch->slot_caches, 0, plan->slot_count * sizeof *scratch->slot_caches);
    if (tasks > 0) {
        memset(scratch->step, 0, tasks * sizeof *scratch->step);
        memset(scratch->step_tries, 0, tasks * sizeof *scratch->step_tries); /* here: requests arrived */
        memset(scratch->escalated, 0, tasks * sizeof *scratch->escalated);
        memset(scratch->task_cost, 0, tasks * sizeof *scratch->task_cost);
    }
    scratch->event_count = 0;
    return PCS_OK;
}

/* Each task that sent a request: counted, its cost into the sketch. */
static enum pcs_status trace_tasks_finish(const struct trace_play *play, size_t tasks, struct pcs_sketch *task_costs)
{
    struct trial_scratch *scratch = play->scratch;
    struct pcs_trial_outcome *outcome = play->outcome;
    for (size_t task = 0; task < tasks; task++) {
        if (!(scratch->step[task] & TASK_SEEN))
            continue;
        outcome->tasks++;
        outcome->completed += (scratch->step[task] & TASK_FAILED) ? 0 : 1;
        outcome->escalated += scratch->escalated[task];
        if (pcs_sketch_add(task_costs, scratch->task_cost[task]) != PCS_OK)
            return pcs_error_set(play->err, PCS_ERR_NOMEM, "out of memory for the per-task cost sketch");
    }
    return PCS_OK;
}

enum pcs_status pcs_trial_play_trace(const struct pcs_scenario *scenario, const struct strategy_plan *plan,
                                     uint64_t trial, const struct trial_traffic *traffic, struct trial_scratch *scratch,
                                     struct pcs_trial_outcome *outcome, struct pcs_sketch *task_costs,
                                     pcs_gen_observer observer, void *context, const volatile int *stop,
                                     struct pcs_error *err)
{
    const struct pcs_trace_requests *requests = scenario->workload.trace->requests;
    memset(outcome, 0, sizeof *outcome);
    enum pcs_status status = trace_scratch_reset(plan, requests->task_count, scratch, err);
    if (status == PCS_OK)
        status = pcs_latency_prepare(scenario, scratch, err);
    if (status != PCS_OK)
        return status;
    if (requests->count > UINT32_MAX)
        return pcs_error_set(err, PCS_ERR_RANGE, "a trace of more than %u requests", UINT32_MAX);
    int64_t start = requests->t_ms[0];
    struct trace_play play = {scenario, plan, requests, trial,    traffic, scratch,
                              outcome,  err,  start,    observer, context};
    /* Without horizon_hours every request plays; with it, those sent before its end. */
    double horizon_ms = scenario->horizon_from_trace ? INFINITY : scenario->horizon_hours * 3.6e6;
    size_t next = 0;
    uint32_t until_check = TRIAL_STOP_CHECK_ATTEMPTS;
    int64_t next_time = 0;
    int arrivals = 1;
    while (status == PCS_OK) {
        if (--until_check == 0) {
            until_check = TRIAL_STOP_CHECK_ATTEMPTS;
            if (stop && *stop) {
                status = PCS_END; /* stopped from outside: the trial is unfinished */
                break;
            }
        }
        if (arrivals && next < requests->count) {
            double offset = (double)(requests->t_ms[next] - start) * traffic->time_scale;
            arrivals = offset < horizon_ms;
            next_time = start + llround(offset);
        } else {
            arrivals = 0;
        }
        struct trace_event event;
        if (scratch->event_count > 0 && (!arrivals || scratch->events[0].time <= next_time)) {
            event = event_pop(scratch);
        } else if (arrivals) {
            memset(&event, 0, sizeof event);
            event.time = next_time;
            event.request = (uint32_t)next++;
            uint32_t task = requests->task[event.request];
            event.step = scratch->step_tries[task]++;
            if (!(scratch->step[task] & TASK_FAILED))
                scratch->step[task] |= TASK_SEEN;
        } else {
            break;
        }
        status = trace_attempt(&play, &event);
    }
    if (status == PCS_OK)
        status = trace_tasks_finish(&play, requests->task_count, task_costs);
    for (size_t slot = 0; slot < plan->slot_count; slot++)
        pcs_cache_free(scratch->slot_caches[slot]);
    return status;
}
