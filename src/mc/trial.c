/* One trial through one strategy: tasks step by step, attempts along the
 * route, every request through the strategy's cache of its model, every
 * attempt priced (DESIGN §5). An attempt ends its model's drawn duration
 * after it is sent (at once without a latency); the step's next attempt
 * is sent retry_delay after that end, the next step its gap after the
 * end of the step's last attempt. Requests reach the caches in time order: the
 * next event is the earlier of the next arrival and the earliest pending
 * attempt (ties by task index, so the order never depends on anything but
 * the traffic). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc_internal.h"
#include "common/grow.h"
#include "trace_requests.h"

/* A trace workload's slots: the aliases', then one per other model the
 * trace's models run on (after the strategy's model_map), so that a redo on
 * another model misses and a request on a model that is also an alias's
 * (by any of its names) shares that alias's cache, as at the provider. */
static enum pcs_status plan_trace_slots(const struct pcs_scenario *scenario, const struct pcs_strategy *strategy,
                                        const struct pcs_run_config *config, struct strategy_plan *plan,
                                        struct pcs_error *err)
{
    const struct pcs_trace_requests *requests = scenario->workload.trace->requests;
    size_t most = scenario->model_count + requests->model_count;
    plan->slots = calloc(most, sizeof *plan->slots);
    plan->trace_slot = calloc(requests->model_count ? requests->model_count : 1, sizeof *plan->trace_slot);
    if (!plan->slots || !plan->trace_slot)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory planning strategy %s", strategy->name);
    for (size_t m = 0; m < scenario->model_count; m++) {
        struct plan_slot *slot = &plan->slots[plan->slot_count++];
        slot->name = scenario->models[m].name;
        slot->model = scenario->models[m].model;
        slot->cache = plan->cache[m];
        slot->prices = plan->prices[m];
    }
    for (size_t t = 0; t < requests->model_count; t++) {
        const char *name = pcs_trace_model_mapped(strategy, requests->model_names[t]);
        const struct pcs_model *model = strategy->trace_models ? strategy->trace_models[t] : NULL;
        size_t s = 0;
        while (s < plan->slot_count && !(model && plan->slots[s].model == model) &&
               strcmp(plan->slots[s].name, name) != 0)
            s++;
        plan->trace_slot[t] = (uint32_t)s;
        if (s < plan->slot_count)
            continue;
        struct plan_slot *slot = &plan->slots[plan->slot_count++];
        slot->name = name;
        slot->model = model;
        if (!slot->model)
            continue; /* no route entry runs the trace's own models */
        if (pcs_strategy_cache_config(strategy, slot->model, &slot->cache) != PCS_OK)
            return pcs_error_set(err, PCS_ERR_ARG, "strategy %s: unknown cache preset '%s'", strategy->name,
                                 strategy->cache);
        slot->prices = pcs_model_prices_at(slot->model, config->price_time_s);
    }
    return PCS_OK;
}

enum pcs_status pcs_plan_strategy(const struct pcs_scenario *scenario, const struct pcs_strategy *strategy,
                                  const struct pcs_run_config *config, struct strategy_plan *plan,
                                  struct pcs_error *err)
{
    memset(plan, 0, sizeof *plan);
    plan->strategy = strategy;
    for (size_t m = 0; m < scenario->model_count; m++) {
        const struct pcs_model *model = scenario->models[m].model;
        if (!model)
            return pcs_error_set(err, PCS_ERR_ARG, "model %s (%s) has no prices", scenario->models[m].alias,
                                 scenario->models[m].name);
        if (pcs_strategy_cache_config(strategy, model, &plan->cache[m]) != PCS_OK)
            return pcs_error_set(err, PCS_ERR_ARG, "strategy %s: unknown cache preset '%s'", strategy->name,
                                 strategy->cache);
        plan->prices[m] = pcs_model_prices_at(model, config->price_time_s);
        double tier = pcs_provider_tier_multiplier(model->provider, strategy->tier);
        if (tier <= 0 && strategy->tier == PCS_TIER_STANDARD)
            tier = 1;
        plan->multiplier[m] = tier * config->region_uplift;
    }
    plan->region_uplift = config->region_uplift;
    return scenario->workload.trace ? plan_trace_slots(scenario, strategy, config, plan, err) : PCS_OK;
}

void pcs_plan_free(struct strategy_plan *plan)
{
    free(plan->slots);
    free(plan->trace_slot);
    plan->slots = NULL;
    plan->trace_slot = NULL;
    plan->slot_count = 0;
}

void pcs_trial_scratch_free(struct trial_scratch *scratch)
{
    free(scratch->step);
    free(scratch->route_entry);
    free(scratch->entry_tries);
    free(scratch->step_tries);
    free(scratch->escalated);
    free(scratch->task_cost);
    free(scratch->batch_waited);
    free(scratch->events);
    free(scratch->slot_caches);
    free(scratch->heap_time);
    free(scratch->heap_task);
    if (scratch->latency_rng)
        gsl_rng_free(scratch->latency_rng);
    pcs_bound_arrays_free(&scratch->prompt);
    memset(scratch, 0, sizeof *scratch);
}

enum pcs_status pcs_trial_reserve_tasks(struct trial_scratch *scratch, size_t count)
{
    if (count <= scratch->task_cap)
        return PCS_OK;
    size_t cap = grow_capacity(scratch->task_cap, count, 1024, sizeof *scratch->heap_time); /* the widest */
    if (cap == 0)
        return PCS_ERR_NOMEM;
    void **arrays[] = {(void **)&scratch->step,       (void **)&scratch->route_entry, (void **)&scratch->entry_tries,
                       (void **)&scratch->step_tries, (void **)&scratch->escalated,   (void **)&scratch->task_cost,
                       (void **)&scratch->heap_time,  (void **)&scratch->heap_task,   (void **)&scratch->batch_waited};
    size_t sizes[] = {sizeof *scratch->step,       sizeof *scratch->route_entry, sizeof *scratch->entry_tries,
                      sizeof *scratch->step_tries, sizeof *scratch->escalated,   sizeof *scratch->task_cost,
                      sizeof *scratch->heap_time,  sizeof *scratch->heap_task,   sizeof *scratch->batch_waited};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        void *memory = realloc(*arrays[i], cap * sizes[i]);
        if (!memory)
            return PCS_ERR_NOMEM; /* the grown ones stay valid; task_cap stays */
        *arrays[i] = memory;
    }
    scratch->task_cap = cap;
    scratch->heap_cap = cap;
    return PCS_OK;
}

/* ---------------------------------------------------------- event heap */

static int heap_before(const struct trial_scratch *heap, size_t a, size_t b)
{
    return heap->heap_time[a] < heap->heap_time[b] ||
           (heap->heap_time[a] == heap->heap_time[b] && heap->heap_task[a] < heap->heap_task[b]);
}

static void heap_swap(struct trial_scratch *heap, size_t a, size_t b)
{
    int64_t time = heap->heap_time[a];
    uint32_t task = heap->heap_task[a];
    heap->heap_time[a] = heap->heap_time[b];
    heap->heap_task[a] = heap->heap_task[b];
    heap->heap_time[b] = time;
    heap->heap_task[b] = task;
}

/* Each task has at most one pending attempt, so the heap never outgrows
 * the task arrays. */
static void heap_push(struct trial_scratch *heap, int64_t time, uint32_t task)
{
    size_t at = heap->heap_count++;
    heap->heap_time[at] = time;
    heap->heap_task[at] = task;
    while (at > 0 && heap_before(heap, at, (at - 1) / 2)) {
        heap_swap(heap, at, (at - 1) / 2);
        at = (at - 1) / 2;
    }
}

static void heap_pop(struct trial_scratch *heap)
{
    heap->heap_count--;
    heap->heap_time[0] = heap->heap_time[heap->heap_count];
    heap->heap_task[0] = heap->heap_task[heap->heap_count];
    size_t at = 0;
    for (;;) {
        size_t left = 2 * at + 1, right = left + 1, best = at;
        if (left < heap->heap_count && heap_before(heap, left, best))
            best = left;
        if (right < heap->heap_count && heap_before(heap, right, best))
            best = right;
        if (best == at)
            return;
        heap_swap(heap, at, best);
        at = best;
    }
}

/* ------------------------------------------------------------- prompts */

/* Appends a unit of tokens (none when empty: it holds no content). */
static void add_unit(struct trial_scratch *scratch, size_t *count, uint64_t *end, uint64_t unit, uint32_t tokens)
{
    if (tokens == 0)
        return;
    *end += tokens;
    scratch->prompt.units[*count] = unit;
    scratch->prompt.ends[*count] = (uint32_t)*end;
    scratch->prompt.flags[*count] = 0;
    ++*count;
}

/* A step's content ids: its input, and the output of its successful attempt. */
static uint64_t step_unit(uint32_t task, uint32_t step, int output)
{
    uint64_t h = ((uint64_t)task << 32 | (uint64_t)step << 1 | (uint64_t)output) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ h >> 32 ^ 0x5bd1e995u;
}

/* Builds task's prompt at its current step into scratch and req: the prefix
 * segments, then (with history) every earlier step's input and output, then
 * the step's own input. Explicit breakpoints sit at the end of the prefix and
 * at the end of the prompt, where an application puts cache_control. */
static enum pcs_status build_prompt(const struct pcs_scenario *scenario, const struct trial_traffic *traffic,
                                    struct trial_scratch *scratch, uint32_t task, struct pcs_request *req,
                                    struct pcs_error *err)
{
    const struct pcs_task_type *type = &scenario->workload.task_types[traffic->type[task]];
    uint32_t step = scratch->step[task];
    size_t first_step = traffic->first_step[task];
    size_t first_prefix = traffic->first_prefix[task];
    size_t bounds = type->prefix_count + (type->history ? 2 * (size_t)step : 0) + 1;
    if (pcs_bound_arrays_reserve(&scratch->prompt, bounds, 64) != 0)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory building a prompt");
    size_t count = 0;
    uint64_t end = 0;
    for (size_t k = 0; k < type->prefix_count; k++)
        add_unit(scratch, &count, &end, traffic->prefix_unit[first_prefix + k],
                 traffic->prefix_tokens[first_prefix + k]);
    if (count > 0)
        scratch->prompt.flags[count - 1] = PCS_BOUND_BREAKPOINT;
    for (uint32_t j = 0; type->history && j < step; j++) {
        add_unit(scratch, &count, &end, step_unit(task, j, 0), traffic->step_input[first_step + j]);
        add_unit(scratch, &count, &end, step_unit(task, j, 1), traffic->step_output[first_step + j]);
    }
    add_unit(scratch, &count, &end, step_unit(task, step, 0), traffic->step_input[first_step + step]);
    if (count > 0)
        scratch->prompt.flags[count - 1] = PCS_BOUND_BREAKPOINT;
    if (end > PCS_MAX_REQUEST_TOKENS)
        return pcs_error_set(err, PCS_ERR_RANGE,
                             "a prompt of task type %s grows past %llu tokens at step %u; shorten its history",
                             type->name, (unsigned long long)PCS_MAX_REQUEST_TOKENS, step + 1);
    memset(req, 0, sizeof *req);
    req->input_tokens = end;
    req->bound_count = count;
    req->units = scratch->prompt.units;
    req->ends = scratch->prompt.ends;
    req->flags = scratch->prompt.flags;
    req->content_blocks = 1; /* prefixes and turns are messages' content: lookback applies (DESIGN §3) */
    return PCS_OK;
}

/* -------------------------------------------------------------- a trial */

struct play {
    const struct pcs_scenario *scenario;
    const struct strategy_plan *plan;
    uint64_t trial;
    const struct trial_traffic *traffic;
    struct trial_scratch *scratch;
    pcs_cache *caches[PCS_SCENARIO_MAX_MODELS];
    struct pcs_trial_outcome *outcome;
    struct pcs_sketch *task_costs;
    struct pcs_error *err;
    pcs_gen_observer observer; /* NULL: none */
    void *observer_context;
};

/* Whether attempt `tries` of task's current step fails on model m. */
static int attempt_fails(const struct play *play, uint32_t task, uint32_t tries, size_t m)
{
    const struct trial_traffic *traffic = play->traffic;
    const struct pcs_failure *failure = &play->scenario->failure;
    double p = traffic->p[m];
    if (p <= 0)
        return 0;
    uint32_t step = play->scratch->step[task];
    uint64_t seed = play->scenario->seed;
    uint64_t which = (uint64_t)step << 24 | tries;
    double draw;
    if (failure->correlation > 0 &&
        pcs_stream_uniform(seed, play->trial, (uint64_t)STREAM_MIX << 56 | task, which) < failure->correlation)
        draw = traffic->step_latent[traffic->first_step[task] + step];
    else
        draw = pcs_stream_uniform(seed, play->trial, (uint64_t)STREAM_FRESH << 56 | task, which);
    return draw < p;
}

/* Task ends with its last attempt, at end. */
static enum pcs_status finish_task(struct play *play, uint32_t task, int completed, int64_t end)
{
    struct trial_scratch *scratch = play->scratch;
    play->outcome->completed += completed ? 1 : 0;
    play->outcome->task_time_ms += (uint64_t)(end - play->traffic->arrival_ms[task]);
    play->outcome->escalated += scratch->escalated[task];
    if (pcs_sketch_add(play->task_costs, scratch->task_cost[task]) != PCS_OK)
        return pcs_error_set(play->err, PCS_ERR_NOMEM, "out of memory for the per-task cost sketch");
    return PCS_OK;
}

/* Shows the observer an attempt just played: req as the cache saw it, with
 * the fields a trace line carries filled in (pcsim/gen.h). */
static enum pcs_status show_attempt(const struct play *play, uint32_t task, size_t m, int failed,
                                    struct pcs_request *req, const struct pcs_usage *usage, double cost)
{
    req->model = (uint32_t)m;
    req->task = task;
    req->has_task = 1;
    req->attempt = play->scratch->step_tries[task] + 1;
    req->ok = failed ? 0 : 1;
    req->tier = (uint8_t)play->plan->strategy->tier;
    const struct pcs_scenario_model *model = &play->scenario->models[m];
    struct pcs_gen_attempt seen = {req, play->scratch->step[task], usage, cost, model->model, model->alias};
    return play->observer(play->observer_context, &seen, play->err);
}

int64_t pcs_batch_run_time(const struct pcs_scenario *scenario, uint64_t trial, uint64_t key, uint64_t which,
                           int64_t sent_ms)
{
    double window_ms = scenario->batch_window_hours * 3.6e6;
    double u = pcs_stream_uniform(scenario->seed, trial, (uint64_t)STREAM_BATCH << 56 | key, which);
    return sent_ms + llround(u * window_ms);
}

/* A batch-tier attempt sent at now waits for its run time (DESIGN §10):
 * 1 when it was queued to run later, 0 when it runs now. */
static int wait_for_batch(struct play *play, uint32_t task, int64_t now)
{
    struct trial_scratch *scratch = play->scratch;
    if (play->plan->strategy->tier != PCS_TIER_BATCH || !(play->scenario->batch_window_hours > 0) ||
        scratch->batch_waited[task]) {
        scratch->batch_waited[task] = 0;
        return 0;
    }
    uint64_t which = (uint64_t)scratch->step[task] << 24 | scratch->step_tries[task];
    scratch->batch_waited[task] = 1;
    heap_push(scratch, pcs_batch_run_time(play->scenario, play->trial, task, which, now), task);
    return 1;
}

/* Sends task's pending attempt at time now and schedules what follows. */
static enum pcs_status attempt(struct play *play, uint32_t task, int64_t now)
{
    if (wait_for_batch(play, task, now))
        return PCS_OK;
    const struct pcs_scenario *scenario = play->scenario;
    const struct trial_traffic *traffic = play->traffic;
    struct trial_scratch *scratch = play->scratch;
    const struct pcs_strategy *strategy = play->plan->strategy;
    struct pcs_request req;
    enum pcs_status status = build_prompt(scenario, traffic, scratch, task, &req, play->err);
    if (status != PCS_OK)
        return status;
    uint32_t step = scratch->step[task];
    size_t step_index = traffic->first_step[task] + step;
    const struct pcs_route_step *entry = &strategy->route[scratch->route_entry[task]];
    size_t m = entry->model;
    int failed = attempt_fails(play, task, scratch->step_tries[task], m);
    uint64_t output = traffic->step_output[step_index];
    if (failed)
        output = (uint64_t)llround((double)output * scenario->failure.failed_output_fraction);
    /* What follows the attempt starts from its end: its send time plus its drawn duration (0: instant). */
    struct attempt_latency latency = {0, 0};
    if (pcs_model_has_latency(&scenario->models[m]))
        pcs_latency_draw(scenario, &scenario->models[m], play->trial, task,
                         (uint64_t)step << 24 | scratch->step_tries[task], scratch->latency_rng, &latency);
    int64_t end = now + latency.duration_ms;
    req.t_ms = now;
    req.ttft_ms = latency.ttft_ms;
    req.output_tokens = output;
    struct pcs_usage usage;
    status = pcs_cache_access(play->caches[m], &req, &usage);
    if (status != PCS_OK)
        return pcs_error_set(play->err, status, "the cache failed: %s", pcs_strerror(status));
    const struct pcs_price_set *prices = play->plan->prices[m];
    struct pcs_cost cost;
    status = pcs_price_usage(prices, &usage, pcs_price_class(prices, usage.input), play->plan->multiplier[m], &cost,
                             play->err);
    if (status != PCS_OK)
        return status;
    pcs_outcome_count_attempt(play->outcome, scratch, task, &usage, cost.total, failed);
    if (play->observer) {
        status = show_attempt(play, task, m, failed, &req, &usage, cost.total);
        if (status != PCS_OK)
            return status;
    }
    int64_t retry_ms = llround(scenario->failure.retry_delay_s * 1000.0);
    if (!failed) {
        scratch->step[task] = ++step;
        scratch->route_entry[task] = 0;
        scratch->entry_tries[task] = 0;
        scratch->step_tries[task] = 0;
        if (step == traffic->step_count[task])
            return finish_task(play, task, 1, end);
        heap_push(scratch, end + traffic->step_gap_ms[step_index + 1], task);
        return PCS_OK;
    }
    scratch->step_tries[task]++;
    if (++scratch->entry_tries[task] < entry->attempts) {
        heap_push(scratch, end + retry_ms, task);
    } else if ((size_t)scratch->route_entry[task] + 1 < strategy->route_count) {
        scratch->route_entry[task]++;
        scratch->entry_tries[task] = 0;
        scratch->escalated[task] = 1;
        heap_push(scratch, end + retry_ms, task);
    } else {
        return finish_task(play, task, 0, end); /* the route is exhausted: the task fails */
    }
    return PCS_OK;
}

enum pcs_status pcs_trial_play(const struct pcs_scenario *scenario, const struct strategy_plan *plan, uint64_t trial,
                               const struct trial_traffic *traffic, struct trial_scratch *scratch,
                               struct pcs_trial_outcome *outcome, struct pcs_sketch *task_costs,
                               const volatile int *stop, struct pcs_error *err)
{
    return pcs_trial_play_observed(scenario, plan, trial, traffic, scratch, outcome, task_costs, NULL, NULL, stop, err);
}

enum pcs_status pcs_trial_play_observed(const struct pcs_scenario *scenario, const struct strategy_plan *plan,
                                        uint64_t trial, const struct trial_traffic *traffic,
                                        struct trial_scratch *scratch, struct pcs_trial_outcome *outcome,
                                        struct pcs_sketch *task_costs, pcs_gen_observer observer, void *context,
                                        const volatile int *stop, struct pcs_error *err)
{
    memset(outcome, 0, sizeof *outcome);
    outcome->tasks = traffic->task_count;
    if (traffic->task_count > UINT32_MAX)
        return pcs_error_set(err, PCS_ERR_RANGE, "a trial of more than %u tasks", UINT32_MAX);
    if (pcs_trial_reserve_tasks(scratch, traffic->task_count) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for %zu tasks", traffic->task_count);
    size_t n = traffic->task_count;
    if (n > 0) { /* with no task the arrays may still be NULL: no memset(NULL, 0, 0) */
        memset(scratch->step, 0, n * sizeof *scratch->step);
        memset(scratch->route_entry, 0, n * sizeof *scratch->route_entry);
        memset(scratch->entry_tries, 0, n * sizeof *scratch->entry_tries);
        memset(scratch->step_tries, 0, n * sizeof *scratch->step_tries);
        memset(scratch->escalated, 0, n * sizeof *scratch->escalated);
        memset(scratch->task_cost, 0, n * sizeof *scratch->task_cost);
        memset(scratch->batch_waited, 0, n * sizeof *scratch->batch_waited);
    }
    scratch->heap_count = 0;

    struct play play = {scenario, plan, trial, traffic, scratch, {NULL}, outcome, task_costs, err, observer, context};
    enum pcs_status status = pcs_latency_prepare(scenario, scratch, err);
    for (size_t m = 0; m < scenario->model_count && status == PCS_OK; m++) {
        struct pcs_error cache_err;
        play.caches[m] = pcs_cache_new(&plan->cache[m], &cache_err);
        if (!play.caches[m])
            status = pcs_error_set(err, cache_err.status, "cannot create a cache: %s", pcs_strerror(cache_err.status));
    }
    size_t next_arrival = 0;
    uint32_t until_check = TRIAL_STOP_CHECK_ATTEMPTS;
    while (status == PCS_OK && (next_arrival < n || scratch->heap_count > 0)) {
        if (--until_check == 0) {
            until_check = TRIAL_STOP_CHECK_ATTEMPTS;
            if (stop && *stop) {
                status = PCS_END; /* stopped from outside: the trial is unfinished */
                break;
            }
        }
        uint32_t task;
        int64_t now;
        /* An arrival goes first on a tie unless the pending task's index is lower. */
        if (next_arrival < n &&
            (scratch->heap_count == 0 || traffic->arrival_ms[next_arrival] < scratch->heap_time[0] ||
             /* cppcheck-suppress arrayIndexThenCheck ; heap_task[0] is a task index, not a bound of arrival_ms */
             (traffic->arrival_ms[next_arrival] == scratch->heap_time[0] && next_arrival < scratch->heap_task[0]))) {
            task = (uint32_t)next_arrival;
            now = traffic->arrival_ms[next_arrival++];
        } else {
            task = scratch->heap_task[0];
            now = scratch->heap_time[0];
            heap_pop(scratch);
        }
        status = attempt(&play, task, now);
    }
    for (size_t m = 0; m < scenario->model_count; m++)
        pcs_cache_free(play.caches[m]);
    return status;
}
