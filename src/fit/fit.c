/* A synthetic workload fitted to a trace (include/pcsim/fit.h).
 *
 * One pass over the trace keeps a few words per request (its task, sizes,
 * gap, whether it re-sends its predecessor) and, per task, its first
 * prompt's chained keys: what the global prefix is found from once every
 * task is known (a prefix is global when another task also starts with
 * it, which a later task may show). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "common/hash_table.h"
#include "pcsim/fit.h"

#define MS_PER_HOUR 3600000.0
#define MS_PER_MINUTE 60000
#define MAX_VARIANTS 100000

/* Hash table tags: which kind of key an entry holds. */
enum { TAG_TASK = 1, TAG_SESSION = 2 };

struct fit_task {
    int64_t first_ms;
    int64_t last_ms;
    uint64_t last_input;
    uint64_t last_output;
    uint32_t steps;
    size_t first_keys; /* where the first prompt's keys start in keys[] */
    size_t first_key_count;
};

struct fit_step {
    uint32_t task;
    uint32_t index; /* 0 for a task's first step */
    uint64_t input;
    uint64_t output;
    int64_t gap_ms;  /* from the task's previous step; 0 for the first */
    int64_t delta;   /* input - previous input - previous output */
    uint8_t extends; /* re-sends the previous step's prompt */
};

/* A growable array of doubles: one quantity's observations. */
struct sample {
    double *values;
    size_t count, cap;
};

struct fit_state {
    enum pcs_fit_task_rule rule;
    struct fit_task *tasks;
    size_t task_count, task_cap;
    struct fit_step *steps;
    size_t step_count, step_cap;
    uint64_t *keys; /* every task's first prompt's keys, then their ends */
    uint32_t *ends;
    size_t key_count, key_cap;
    uint64_t *scratch_keys;
    size_t scratch_cap;
    uint64_t *model_requests;
    size_t model_cap;
    struct pcs_hash_table task_of;    /* native task or session namespace -> task */
    struct pcs_hash_table chain_end;  /* a prompt's deepest key -> its step (the latest) */
    struct pcs_hash_table first_uses; /* a first prompt's key -> tasks whose first prompt has it */
};

static const char *const rule_names[] = {"session", "task", "request"};

const char *pcs_fit_task_rule_name(enum pcs_fit_task_rule rule)
{
    if ((size_t)rule >= sizeof rule_names / sizeof rule_names[0])
        return "unknown";
    return rule_names[rule];
}

int pcs_fit_task_rule_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (strcmp(name, rule_names[i]) == 0)
            return (int)i;
    return -1;
}

/* Grows *array (element size bytes) to hold count; 0 or -1. */
static int grow(void **array, size_t *cap, size_t count, size_t size)
{
    if (count <= *cap)
        return 0;
    size_t grown = grow_capacity(*cap, count, 64, size);
    void *memory = grown ? realloc(*array, grown * size) : NULL;
    if (!memory)
        return -1;
    *array = memory;
    *cap = grown;
    return 0;
}

static int sample_add(struct sample *sample, double value)
{
    if (grow((void **)&sample->values, &sample->cap, sample->count + 1, sizeof *sample->values) != 0)
        return -1;
    sample->values[sample->count++] = value;
    return 0;
}

/* The chained keys of req, mixed with its namespace: equal unit ids in two
 * namespaces (two Claude-Code files) are different content. */
static void namespaced_keys(const struct pcs_request *req, uint64_t *keys)
{
    pcs_request_keys(req, keys);
    uint64_t salt = (uint64_t)req->namespace_id * 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; salt && i < req->bound_count; i++)
        keys[i] ^= salt;
}

/* A new task whose first request is req (keys: its keys). */
static enum pcs_status new_task(struct fit_state *state, const struct pcs_request *req, const uint64_t *keys,
                                uint32_t *task)
{
    if (state->task_count >= UINT32_MAX - 1 ||
        grow((void **)&state->tasks, &state->task_cap, state->task_count + 1, sizeof *state->tasks) != 0)
        return PCS_ERR_NOMEM;
    size_t need = state->key_count + req->bound_count;
    size_t cap = state->key_cap;
    if (grow((void **)&state->keys, &cap, need, sizeof *state->keys) != 0)
        return PCS_ERR_NOMEM;
    size_t ends_cap = state->key_cap;
    if (grow((void **)&state->ends, &ends_cap, need, sizeof *state->ends) != 0)
        return PCS_ERR_NOMEM;
    state->key_cap = cap;
    struct fit_task *t = &state->tasks[state->task_count];
    memset(t, 0, sizeof *t);
    t->first_ms = req->t_ms;
    t->first_keys = state->key_count;
    t->first_key_count = req->bound_count;
    for (size_t i = 0; i < req->bound_count; i++) {
        state->keys[state->key_count + i] = keys[i];
        state->ends[state->key_count + i] = req->ends[i];
        uint32_t uses = pcs_hash_find(&state->first_uses, keys[i], 0);
        uses = uses == PCS_HASH_EMPTY ? 1 : uses + 1;
        if (pcs_hash_put(&state->first_uses, keys[i], 0, uses) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    state->key_count = need;
    *task = (uint32_t)state->task_count++;
    return PCS_OK;
}

/* The step (index into steps[]) whose whole prompt req's extends: the
 * deepest of req's bounds that ended an earlier prompt; PCS_HASH_EMPTY when
 * none did. */
static uint32_t predecessor(const struct fit_state *state, const struct pcs_request *req, const uint64_t *keys)
{
    uint32_t found = PCS_HASH_EMPTY;
    for (size_t i = req->bound_count; i-- > 0 && found == PCS_HASH_EMPTY;)
        found = pcs_hash_find(&state->chain_end, keys[i], 0);
    return found;
}

/* The task req belongs to under the rule (a new one when none). */
static enum pcs_status task_of(struct fit_state *state, const struct pcs_request *req, const uint64_t *keys,
                               uint32_t *task)
{
    uint32_t found = PCS_HASH_EMPTY;
    uint64_t key = 0;
    uint32_t tag = 0;
    if (state->rule == PCS_FIT_TASK_TASK && req->has_task) {
        key = req->task;
        tag = TAG_TASK;
    } else if (state->rule == PCS_FIT_TASK_SESSION && req->namespace_id != 0) {
        key = req->namespace_id;
        tag = TAG_SESSION;
    }
    if (tag)
        found = pcs_hash_find(&state->task_of, key, tag);
    if (found == PCS_HASH_EMPTY && state->rule == PCS_FIT_TASK_SESSION && req->namespace_id == 0) {
        uint32_t step = predecessor(state, req, keys);
        if (step != PCS_HASH_EMPTY)
            found = state->steps[step].task;
    }
    if (found != PCS_HASH_EMPTY) {
        *task = found;
        return PCS_OK;
    }
    enum pcs_status status = new_task(state, req, keys, task);
    if (status == PCS_OK && tag)
        status = pcs_hash_put(&state->task_of, key, tag, *task);
    return status;
}

static enum pcs_status add_request(struct fit_state *state, const struct pcs_request *req)
{
    if (grow((void **)&state->scratch_keys, &state->scratch_cap, req->bound_count + 1, sizeof *state->scratch_keys) !=
        0)
        return PCS_ERR_NOMEM;
    uint64_t *keys = state->scratch_keys;
    namespaced_keys(req, keys);
    uint32_t task;
    enum pcs_status status = task_of(state, req, keys, &task);
    if (status != PCS_OK)
        return status;
    if (state->step_count >= UINT32_MAX - 1 ||
        grow((void **)&state->steps, &state->step_cap, state->step_count + 1, sizeof *state->steps) != 0)
        return PCS_ERR_NOMEM;
    /* Requests per model: ids are dense, in order of first appearance. */
    size_t old_cap = state->model_cap;
    if (grow((void **)&state->model_requests, &state->model_cap, (size_t)req->model + 1,
             sizeof *state->model_requests) != 0)
        return PCS_ERR_NOMEM;
    for (size_t m = old_cap; m < state->model_cap; m++)
        state->model_requests[m] = 0;
    struct fit_task *t = &state->tasks[task];
    struct fit_step *step = &state->steps[state->step_count++];
    memset(step, 0, sizeof *step);
    step->task = task;
    step->index = t->steps;
    step->input = req->input_tokens;
    step->output = req->output_tokens;
    if (t->steps > 0) {
        /* The prompt re-sent is the predecessor's when it is the task's
         * (a subagent's requests between a conversation's turns do not
         * break it), else the task's previous request's. */
        uint32_t before = predecessor(state, req, keys);
        int own = before != PCS_HASH_EMPTY && state->steps[before].task == task;
        uint64_t input = own ? state->steps[before].input : t->last_input;
        uint64_t output = own ? state->steps[before].output : t->last_output;
        step->gap_ms = req->t_ms - t->last_ms;
        step->delta = (int64_t)req->input_tokens - (int64_t)input - (int64_t)output;
        step->extends = (uint8_t)own;
    }
    t->steps++;
    t->last_ms = req->t_ms;
    t->last_input = req->input_tokens;
    t->last_output = req->output_tokens;
    state->model_requests[req->model]++;
    if (req->bound_count > 0)
        return pcs_hash_put(&state->chain_end, keys[req->bound_count - 1], 0, (uint32_t)(state->step_count - 1));
    return PCS_OK;
}

/* ------------------------------------------------------- distributions */

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* How a value of a quantity is written: whole (counts) or to the ms. */
enum rounding { ROUND_WHOLE, ROUND_MS };

static double round_value(double x, enum rounding rounding)
{
    if (rounding == ROUND_WHOLE)
        return (double)llround(x);
    return (double)llround(x * 1000.0) / 1000.0;
}

/* The sample as a pcs_fit_sizes (fit.h: at most PCS_FIT_MAX_VALUES values,
 * each the mean of an equal share of the sorted observations). Takes the
 * sample's memory. */
static int sizes_of(struct sample *sample, enum rounding rounding, struct pcs_fit_sizes *sizes)
{
    memset(sizes, 0, sizeof *sizes);
    size_t n = sample->count;
    sizes->observations = n;
    if (n == 0) {
        free(sample->values);
        memset(sample, 0, sizeof *sample);
        return 0;
    }
    double *x = sample->values;
    qsort(x, n, sizeof *x, compare_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    sizes->mean = sum / (double)n;
    if (n <= PCS_FIT_MAX_VALUES) {
        for (size_t i = 0; i < n; i++)
            x[i] = round_value(x[i], rounding);
        sizes->values = x;
        sizes->count = n;
        memset(sample, 0, sizeof *sample);
        return 0;
    }
    double *values = malloc(PCS_FIT_MAX_VALUES * sizeof *values);
    if (!values)
        return -1;
    const double share = (double)n / PCS_FIT_MAX_VALUES;
    for (size_t s = 0; s < PCS_FIT_MAX_VALUES; s++) {
        double from = (double)s * share;
        double to = s + 1 == PCS_FIT_MAX_VALUES ? (double)n : (double)(s + 1) * share;
        double total = 0;
        for (size_t i = (size_t)from; i < n && (double)i < to; i++) {
            double lo = (double)i > from ? (double)i : from;
            double hi = (double)(i + 1) < to ? (double)(i + 1) : to;
            total += (hi - lo) * x[i];
        }
        values[s] = round_value(total / (to - from), rounding);
    }
    free(x);
    memset(sample, 0, sizeof *sample);
    sizes->values = values;
    sizes->count = PCS_FIT_MAX_VALUES;
    return 0;
}

/* V with V (1 - (1 - 1/V)^tasks) = seen: the number of equally likely
 * contents that tasks uniform picks show seen of, on average. Whole, in
 * [seen, MAX_VARIANTS] (seen >= 1). */
static uint64_t variants_for(uint64_t seen, uint64_t tasks)
{
    if (seen <= 1)
        return 1;
    const double n = (double)tasks;
    double lo = (double)seen;
    double hi = MAX_VARIANTS;
    for (int i = 0; i < 100; i++) {
        double v = (lo + hi) / 2;
        double shown = v * -expm1(n * log1p(-1 / v));
        if (shown < (double)seen)
            lo = v;
        else
            hi = v;
    }
    uint64_t v = (uint64_t)llround((lo + hi) / 2);
    return v < seen ? seen : v > MAX_VARIANTS ? MAX_VARIANTS : v;
}

/* ------------------------------------------------------------- the fit */

struct type_samples {
    struct sample global, opening, steps, gaps, input, output;
};

/* Per task: its global prefix's depth (bounds) from first_uses. */
static size_t global_depth(const struct fit_state *state, const struct fit_task *task)
{
    size_t depth = 0;
    while (depth < task->first_key_count) {
        uint32_t uses = pcs_hash_find(&state->first_uses, state->keys[task->first_keys + depth], 0);
        if (uses == PCS_HASH_EMPTY || uses < 2)
            break;
        depth++;
    }
    return depth;
}

static void fill_hours(struct pcs_fit *fit, const struct fit_state *state)
{
    int64_t span_ms = fit->last_ms - fit->first_ms;
    int64_t minutes = span_ms / MS_PER_MINUTE + (span_ms % MS_PER_MINUTE != 0);
    if (minutes < 1)
        minutes = 1;
    fit->horizon_hours = (double)minutes / 60.0;
    int64_t hours = (minutes + 59) / 60;
    for (int64_t h = 0; h < hours; h++) {
        double left = fit->horizon_hours - (double)h;
        fit->exposure_hours[h % 24] += left < 1 ? left : 1;
    }
    /* A task at the very end of a span of whole minutes arrives at the
     * horizon's end: it counts in the last hour, whose rate it is part of. */
    uint64_t last_hour = (uint64_t)ceil(fit->horizon_hours) - 1;
    for (size_t t = 0; t < state->task_count; t++) {
        uint64_t hour = (uint64_t)((double)(state->tasks[t].first_ms - fit->first_ms) / MS_PER_HOUR);
        fit->arrivals[(hour < last_hour ? hour : last_hour) % 24]++;
    }
    fit->tasks_per_hour = (double)fit->tasks / fit->horizon_hours;
    for (size_t i = 0; i < 24; i++)
        fit->diurnal[i] =
            fit->exposure_hours[i] > 0 ? (double)fit->arrivals[i] / fit->exposure_hours[i] / fit->tasks_per_hour : 1;
    int64_t day_ms = (int64_t)24 * 60 * MS_PER_MINUTE;
    int64_t of_day = fit->first_ms % day_ms;
    if (of_day < 0)
        of_day += day_ms;
    fit->first_utc_minute = of_day / MS_PER_MINUTE;
}

static enum pcs_status finish(struct fit_state *state, const pcs_trace *trace, struct pcs_fit *fit)
{
    fit->tasks = state->task_count;
    fit->requests = state->step_count;
    /* The model. */
    size_t models = pcs_trace_model_count(trace);
    fit->model_count = 0;
    size_t best = 0;
    for (size_t m = 0; m < models && m < state->model_cap; m++) {
        fit->model_count += state->model_requests[m] > 0;
        if (state->model_requests[m] > state->model_requests[best])
            best = m;
    }
    fit->model_requests = best < state->model_cap ? state->model_requests[best] : 0;
    fit->model = strdup(pcs_trace_model_name(trace, (uint32_t)best));
    if (!fit->model)
        return PCS_ERR_NOMEM;
    fill_hours(fit, state);
    /* Each task's type and global prefix. */
    uint8_t *type_of = malloc(state->task_count ? state->task_count : 1);
    uint64_t *global_of = malloc((state->task_count ? state->task_count : 1) * sizeof *global_of);
    struct type_samples samples[PCS_FIT_TYPE_COUNT];
    memset(samples, 0, sizeof samples);
    struct pcs_hash_table boundaries = {0};
    enum pcs_status status = type_of && global_of ? PCS_OK : PCS_ERR_NOMEM;
    for (size_t t = 0; t < state->task_count && status == PCS_OK; t++) {
        const struct fit_task *task = &state->tasks[t];
        size_t depth = global_depth(state, task);
        type_of[t] = depth > 0 ? PCS_FIT_TYPE_SHARED : PCS_FIT_TYPE_OWN;
        global_of[t] = depth > 0 ? state->ends[task->first_keys + depth - 1] : 0;
        struct pcs_fit_type *type = &fit->types[type_of[t]];
        type->tasks++;
        type->requests += task->steps;
        if (sample_add(&samples[type_of[t]].steps, task->steps) != 0)
            status = PCS_ERR_NOMEM;
        if (depth > 0) {
            if (sample_add(&samples[type_of[t]].global, (double)global_of[t]) != 0 ||
                pcs_hash_put(&boundaries, state->keys[task->first_keys + depth - 1], 0, 1) != PCS_OK)
                status = PCS_ERR_NOMEM;
        }
    }
    fit->types[PCS_FIT_TYPE_SHARED].prefixes_seen = boundaries.count;
    pcs_hash_release(&boundaries);
    /* History per type, then every step's sizes. */
    for (size_t s = 0; s < state->step_count && status == PCS_OK; s++) {
        const struct fit_step *step = &state->steps[s];
        struct pcs_fit_type *type = &fit->types[type_of[step->task]];
        if (step->index > 0) {
            type->later_steps++;
            type->extending_steps += step->extends;
        }
    }
    for (size_t k = 0; k < PCS_FIT_TYPE_COUNT; k++)
        fit->types[k].history =
            fit->types[k].later_steps > 0 && 2 * fit->types[k].extending_steps >= fit->types[k].later_steps;
    for (size_t s = 0; s < state->step_count && status == PCS_OK; s++) {
        const struct fit_step *step = &state->steps[s];
        const struct pcs_fit_type *type = &fit->types[type_of[step->task]];
        struct type_samples *sample = &samples[type_of[step->task]];
        uint64_t global = global_of[step->task];
        double own = step->input > global ? (double)(step->input - global) : 0;
        int failed = sample_add(&sample->output, (double)step->output);
        if (step->index > 0)
            failed |= sample_add(&sample->gaps, (double)step->gap_ms / 1000.0);
        if (type->history && step->index == 0)
            failed |= sample_add(&sample->opening, own);
        else if (type->history)
            failed |= sample_add(&sample->input, step->delta > 0 ? (double)step->delta : 0);
        else
            failed |= sample_add(&sample->input, own);
        if (failed)
            status = PCS_ERR_NOMEM;
    }
    for (size_t k = 0; k < PCS_FIT_TYPE_COUNT; k++) {
        struct pcs_fit_type *type = &fit->types[k];
        struct type_samples *sample = &samples[k];
        type->name = k == PCS_FIT_TYPE_SHARED ? "shared-prefix" : "own-prefix";
        if (status == PCS_OK && (sizes_of(&sample->global, ROUND_WHOLE, &type->global_tokens) != 0 ||
                                 sizes_of(&sample->opening, ROUND_WHOLE, &type->opening_tokens) != 0 ||
                                 sizes_of(&sample->steps, ROUND_WHOLE, &type->steps) != 0 ||
                                 sizes_of(&sample->gaps, ROUND_MS, &type->gap_seconds) != 0 ||
                                 sizes_of(&sample->input, ROUND_WHOLE, &type->step_input_tokens) != 0 ||
                                 sizes_of(&sample->output, ROUND_WHOLE, &type->output_tokens) != 0))
            status = PCS_ERR_NOMEM;
        struct sample *all[] = {&sample->global, &sample->opening, &sample->steps,
                                &sample->gaps,   &sample->input,   &sample->output};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            free(all[i]->values);
    }
    struct pcs_fit_type *shared = &fit->types[PCS_FIT_TYPE_SHARED];
    if (shared->tasks > 0)
        shared->variants = variants_for(shared->prefixes_seen, shared->tasks);
    free(type_of);
    free(global_of);
    return status;
}

static void state_free(struct fit_state *state)
{
    free(state->tasks);
    free(state->steps);
    free(state->keys);
    free(state->ends);
    free(state->scratch_keys);
    free(state->model_requests);
    pcs_hash_release(&state->task_of);
    pcs_hash_release(&state->chain_end);
    pcs_hash_release(&state->first_uses);
}

enum pcs_status pcs_fit_trace(pcs_trace *trace, enum pcs_fit_task_rule rule, struct pcs_fit *fit, struct pcs_error *err)
{
    memset(fit, 0, sizeof *fit);
    fit->rule = rule;
    struct fit_state state;
    memset(&state, 0, sizeof state);
    state.rule = rule;
    struct pcs_request req;
    enum pcs_status status;
    while ((status = pcs_trace_next(trace, &req, err)) == PCS_OK) {
        if (state.step_count == 0)
            fit->first_ms = req.t_ms;
        fit->last_ms = req.t_ms;
        status = add_request(&state, &req);
        if (status != PCS_OK)
            break;
    }
    if (status == PCS_END && state.step_count == 0)
        status = pcs_error_set(err, PCS_ERR_ARG, "the trace has no request to fit");
    else if (status == PCS_END)
        status = finish(&state, trace, fit);
    if (status == PCS_ERR_NOMEM && (!err || !err->message[0]))
        pcs_error_set(err, status, "out of memory fitting the trace");
    state_free(&state);
    if (status != PCS_OK)
        pcs_fit_free(fit);
    return status;
}

void pcs_fit_free(struct pcs_fit *fit)
{
    if (!fit)
        return;
    free(fit->model);
    for (size_t k = 0; k < PCS_FIT_TYPE_COUNT; k++) {
        struct pcs_fit_type *type = &fit->types[k];
        struct pcs_fit_sizes *all[] = {&type->global_tokens, &type->opening_tokens,    &type->steps,
                                       &type->gap_seconds,   &type->step_input_tokens, &type->output_tokens};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
            free(all[i]->values);
    }
    memset(fit, 0, sizeof *fit);
}
