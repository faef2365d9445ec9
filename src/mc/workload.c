/* One trial's traffic: its parameters, task arrivals and every task's
 * draws (DESIGN §5), generated once and shared by all strategies of the
 * trial (common random numbers). */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "mc_internal.h"

/* Grows *array to hold count elements of size bytes (doubling). */
static int reserve(void **array, size_t *cap, size_t count, size_t size)
{
    if (count <= *cap)
        return 0;
    size_t grown = grow_capacity(*cap, count, 256, size);
    void *memory = grown ? realloc(*array, grown * size) : NULL;
    if (!memory)
        return -1;
    *array = memory;
    *cap = grown;
    return 0;
}

static int reserve_tasks(struct trial_traffic *traffic, size_t count)
{
    if (count <= traffic->task_cap)
        return 0;
    size_t cap = traffic->task_cap;
    size_t old = cap;
    if (reserve((void **)&traffic->arrival_ms, &cap, count, sizeof *traffic->arrival_ms) != 0)
        return -1;
    void **arrays[] = {(void **)&traffic->type, (void **)&traffic->step_count, (void **)&traffic->first_step,
                       (void **)&traffic->first_prefix};
    size_t sizes[] = {sizeof *traffic->type, sizeof *traffic->step_count, sizeof *traffic->first_step,
                      sizeof *traffic->first_prefix};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        void *memory = realloc(*arrays[i], cap * sizes[i]);
        if (!memory) {
            traffic->task_cap = old; /* arrival_ms grew; the others are re-grown next time */
            return -1;
        }
        *arrays[i] = memory;
    }
    traffic->task_cap = cap;
    return 0;
}

static int reserve_steps(struct trial_traffic *traffic, size_t count)
{
    if (count <= traffic->step_cap)
        return 0;
    size_t cap = traffic->step_cap;
    size_t old = cap;
    if (reserve((void **)&traffic->step_input, &cap, count, sizeof *traffic->step_input) != 0)
        return -1;
    void **arrays[] = {(void **)&traffic->step_output, (void **)&traffic->step_gap_ms, (void **)&traffic->step_latent};
    size_t sizes[] = {sizeof *traffic->step_output, sizeof *traffic->step_gap_ms, sizeof *traffic->step_latent};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        void *memory = realloc(*arrays[i], cap * sizes[i]);
        if (!memory) {
            traffic->step_cap = old;
            return -1;
        }
        *arrays[i] = memory;
    }
    traffic->step_cap = cap;
    return 0;
}

static int reserve_prefix(struct trial_traffic *traffic, size_t count)
{
    if (count <= traffic->prefix_cap)
        return 0;
    size_t cap = traffic->prefix_cap;
    size_t old = cap;
    if (reserve((void **)&traffic->prefix_unit, &cap, count, sizeof *traffic->prefix_unit) != 0)
        return -1;
    uint32_t *tokens = realloc(traffic->prefix_tokens, cap * sizeof *tokens);
    if (!tokens) {
        traffic->prefix_cap = old;
        return -1;
    }
    traffic->prefix_tokens = tokens;
    traffic->prefix_cap = cap;
    return 0;
}

void pcs_traffic_free(struct trial_traffic *traffic)
{
    free(traffic->arrival_ms);
    free(traffic->type);
    free(traffic->step_count);
    free(traffic->first_step);
    free(traffic->first_prefix);
    free(traffic->prefix_unit);
    free(traffic->prefix_tokens);
    free(traffic->step_input);
    free(traffic->step_output);
    free(traffic->step_gap_ms);
    free(traffic->step_latent);
    free(traffic->variant_tokens);
    memset(traffic, 0, sizeof *traffic);
}

/* 64-bit mix of a few words: ids of prompt content. */
static uint64_t content_id(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full ^ c;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ h >> 33;
}

static uint32_t draw_tokens(const struct pcs_dist *dist, gsl_rng *rng)
{
    return (uint32_t)pcs_dist_sample_count(dist, rng, 0, PCS_SCENARIO_MAX_TOKENS);
}

/* The trial's own parameters: traffic level, failure rates, the sizes of
 * every global segment's variants; drawn in a fixed order. */
static enum pcs_status draw_parameters(const struct pcs_scenario *scenario, uint64_t trial, gsl_rng *rng,
                                       struct trial_traffic *traffic, double *tasks_per_hour)
{
    pcs_stream_key(rng, scenario->seed, trial, STREAM_TRIAL, 0);
    *tasks_per_hour = pcs_dist_sample(&scenario->workload.tasks_per_hour, rng);
    if (!(*tasks_per_hour > 0))
        *tasks_per_hour = 0;
    for (size_t m = 0; m < scenario->model_count; m++) {
        double p = pcs_dist_sample(&scenario->failure.p[m], rng);
        traffic->p[m] = p < 0 ? 0 : p > 1 ? 1 : p;
    }
    size_t variants = 0;
    for (size_t t = 0; t < scenario->workload.task_type_count; t++) {
        const struct pcs_task_type *type = &scenario->workload.task_types[t];
        for (size_t k = 0; k < type->prefix_count; k++)
            variants += type->prefix[k].scope == PCS_PREFIX_GLOBAL ? type->prefix[k].variants : 0;
    }
    if (reserve((void **)&traffic->variant_tokens, &traffic->variant_cap, variants + 1,
                sizeof *traffic->variant_tokens) != 0)
        return PCS_ERR_NOMEM;
    size_t at = 0;
    for (size_t t = 0; t < scenario->workload.task_type_count; t++) {
        const struct pcs_task_type *type = &scenario->workload.task_types[t];
        for (size_t k = 0; k < type->prefix_count; k++)
            for (uint32_t v = 0; type->prefix[k].scope == PCS_PREFIX_GLOBAL && v < type->prefix[k].variants; v++)
                traffic->variant_tokens[at++] = draw_tokens(&type->prefix[k].tokens, rng);
    }
    return PCS_OK;
}

static int compare_ms(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A Poisson process whose rate is tasks_per_hour x diurnal[hour]: hour by
 * hour, a Poisson count of arrivals placed uniformly in the hour. */
static enum pcs_status draw_arrivals(const struct pcs_scenario *scenario, uint64_t trial, double tasks_per_hour,
                                     gsl_rng *rng, struct trial_traffic *traffic)
{
    traffic->task_count = 0;
    double horizon_s = scenario->horizon_hours * 3600.0;
    for (uint64_t hour = 0; (double)hour * 3600.0 < horizon_s; hour++) {
        double start = (double)hour * 3600.0;
        double length = horizon_s - start < 3600.0 ? horizon_s - start : 3600.0;
        double mean = tasks_per_hour * scenario->workload.diurnal[hour % 24] * length / 3600.0;
        pcs_stream_key(rng, scenario->seed, trial, STREAM_ARRIVALS, hour);
        unsigned int count = mean > 0 ? gsl_ran_poisson(rng, mean) : 0;
        if (reserve_tasks(traffic, traffic->task_count + count) != 0)
            return PCS_ERR_NOMEM;
        int64_t *times = traffic->arrival_ms + traffic->task_count;
        for (unsigned int i = 0; i < count; i++)
            times[i] = llround((start + gsl_rng_uniform(rng) * length) * 1000.0);
        if (count > 1) /* times is NULL while nothing has been reserved: no qsort(NULL, 0) */
            qsort(times, count, sizeof *times, compare_ms);
        traffic->task_count += count;
    }
    return PCS_OK;
}

/* One task's draws, in a fixed order from its own stream. */
static enum pcs_status draw_task(const struct pcs_scenario *scenario, uint64_t trial, size_t task, gsl_rng *rng,
                                 struct trial_traffic *traffic, double total_weight)
{
    const struct pcs_workload *workload = &scenario->workload;
    pcs_stream_key(rng, scenario->seed, trial, STREAM_TASK, task);
    double pick = gsl_rng_uniform(rng) * total_weight;
    uint32_t type_index = 0;
    while (type_index + 1 < workload->task_type_count && pick >= workload->task_types[type_index].weight) {
        pick -= workload->task_types[type_index].weight;
        type_index++;
    }
    const struct pcs_task_type *type = &workload->task_types[type_index];
    uint32_t steps = (uint32_t)pcs_dist_sample_count(&type->steps, rng, 1, PCS_SCENARIO_MAX_STEPS);
    traffic->type[task] = type_index;
    traffic->step_count[task] = steps;
    traffic->first_prefix[task] = traffic->prefix_total;
    traffic->first_step[task] = traffic->step_total;
    if (reserve_prefix(traffic, traffic->prefix_total + type->prefix_count) != 0 ||
        reserve_steps(traffic, traffic->step_total + steps) != 0)
        return PCS_ERR_NOMEM;
    /* Where this type's global variant sizes start in variant_tokens. */
    size_t variant_at = 0;
    for (uint32_t t = 0; t < type_index; t++)
        for (size_t k = 0; k < workload->task_types[t].prefix_count; k++)
            if (workload->task_types[t].prefix[k].scope == PCS_PREFIX_GLOBAL)
                variant_at += workload->task_types[t].prefix[k].variants;
    for (size_t k = 0; k < type->prefix_count; k++) {
        const struct pcs_prefix_segment *segment = &type->prefix[k];
        size_t at = traffic->prefix_total++;
        if (segment->scope == PCS_PREFIX_GLOBAL) {
            uint32_t variant = segment->variants > 1 ? (uint32_t)gsl_rng_uniform_int(rng, segment->variants) : 0;
            traffic->prefix_unit[at] = content_id(type_index, k, variant);
            traffic->prefix_tokens[at] = traffic->variant_tokens[variant_at + variant];
            variant_at += segment->variants;
        } else {
            traffic->prefix_unit[at] = content_id(((uint64_t)1 << 63) | task, k, 0);
            traffic->prefix_tokens[at] = draw_tokens(&segment->tokens, rng);
        }
    }
    for (uint32_t j = 0; j < steps; j++) {
        size_t at = traffic->step_total++;
        traffic->step_input[at] = draw_tokens(&type->step_input_tokens, rng);
        traffic->step_output[at] = draw_tokens(&type->output_tokens, rng);
        double gap = pcs_dist_sample(&type->gap_seconds, rng);
        traffic->step_gap_ms[at] = gap > 0 ? llround(gap < 1e12 ? gap * 1000.0 : 1e15) : 0;
        traffic->step_latent[at] = gsl_rng_uniform(rng);
    }
    return PCS_OK;
}

/* A trace workload's trial draws only its parameters: the time scale, then
 * each alias's failure probability and the "trace" alias's; the requests
 * are the trace's. */
static void draw_trace_parameters(const struct pcs_scenario *scenario, uint64_t trial, gsl_rng *rng,
                                  struct trial_traffic *traffic)
{
    pcs_stream_key(rng, scenario->seed, trial, STREAM_TRIAL, 0);
    double scale = pcs_dist_sample(&scenario->workload.trace->time_scale, rng);
    traffic->time_scale = scale > 0 ? scale : 0;
    for (size_t m = 0; m < scenario->model_count; m++) {
        double p = pcs_dist_sample(&scenario->failure.p[m], rng);
        traffic->p[m] = p < 0 ? 0 : p > 1 ? 1 : p;
    }
    double p = pcs_dist_sample(&scenario->failure.p_trace, rng);
    traffic->p_trace = p < 0 ? 0 : p > 1 ? 1 : p;
    traffic->task_count = 0;
}

enum pcs_status pcs_traffic_generate(const struct pcs_scenario *scenario, uint64_t trial, gsl_rng *rng,
                                     struct trial_traffic *traffic, const volatile int *stop, struct pcs_error *err)
{
    if (scenario->workload.trace) {
        draw_trace_parameters(scenario, trial, rng, traffic);
        return PCS_OK;
    }
    double tasks_per_hour;
    enum pcs_status status = draw_parameters(scenario, trial, rng, traffic, &tasks_per_hour);
    if (status == PCS_OK)
        status = draw_arrivals(scenario, trial, tasks_per_hour, rng, traffic);
    double total_weight = 0;
    for (size_t t = 0; t < scenario->workload.task_type_count; t++)
        total_weight += scenario->workload.task_types[t].weight;
    traffic->step_total = 0;
    traffic->prefix_total = 0;
    for (size_t task = 0; task < traffic->task_count && status == PCS_OK; task++) {
        if (task % TRIAL_STOP_CHECK_ATTEMPTS == TRIAL_STOP_CHECK_ATTEMPTS - 1 && stop && *stop)
            return PCS_END; /* stopped from outside: the traffic is unfinished */
        status = draw_task(scenario, trial, task, rng, traffic, total_weight);
    }
    if (status == PCS_ERR_NOMEM)
        pcs_error_set(err, status, "out of memory generating trial %llu's traffic", (unsigned long long)trial);
    return status;
}
