/* The Monte Carlo engine's parts (internal to src/mc): one trial's
 * generated traffic (workload.c) and its play through a strategy
 * (trial.c); engine.c runs trials on threads. */
#ifndef PCSIM_MC_INTERNAL_H
#define PCSIM_MC_INTERNAL_H

#include <gsl/gsl_rng.h>

#include "common/bound_arrays.h"
#include "pcsim/cache.h"
#include "pcsim/gen.h"
#include "pcsim/mc.h"
#include "stream.h"

/* Stream tags: the second key word of every stream says what it draws. */
enum {
    STREAM_TRIAL = 1,    /* the trial's parameters */
    STREAM_ARRIVALS = 2, /* one hour's arrivals */
    STREAM_TASK = 3,     /* one task's draws */
    STREAM_FRESH = 4,    /* an attempt's fresh failure draw */
    STREAM_MIX = 5,      /* whether an attempt reuses the step's latent draw */
    STREAM_BATCH = 6,    /* when within the batch window a batch attempt runs */
    STREAM_LATENT = 7,   /* a trace request's latent failure draw */
    STREAM_LATENCY = 8   /* an attempt's ttft and duration */
};

/* One horizon of traffic, shared read-only by every strategy of a trial. */
struct trial_traffic {
    double p[PCS_SCENARIO_MAX_MODELS]; /* failure probability per model alias */
    double p_trace;                    /* trace workloads: the "trace" alias's */
    double time_scale;                 /* trace workloads: request times are multiplied by it */
    size_t task_count;
    int64_t *arrival_ms;   /* per task, non-decreasing */
    uint32_t *type;        /* per task */
    uint32_t *step_count;  /* per task */
    size_t *first_step;    /* per task: index into the step arrays */
    size_t *first_prefix;  /* per task: index into the prefix arrays */
    uint64_t *prefix_unit; /* per task and segment: the content's id */
    uint32_t *prefix_tokens;
    uint32_t *step_input; /* per step */
    uint32_t *step_output;
    int64_t *step_gap_ms; /* before the step (step 0's unused) */
    double *step_latent;  /* the step's latent failure draw */
    size_t step_total, prefix_total;
    size_t task_cap, step_cap, prefix_cap;
    uint32_t *variant_tokens; /* per task type, segment and variant: sizes drawn for this trial */
    size_t variant_cap;
};

/* How many attempts a trial plays (or tasks it generates) between looks at
 * the stop flag: often enough that a trial of millions of tasks stops within
 * milliseconds, rare enough to cost nothing. */
#define TRIAL_STOP_CHECK_ATTEMPTS 4096

/* Generates trial's traffic into traffic (its arrays grow and are reused
 * from trial to trial). rng is a stream generator to re-key. When *stop
 * (may be NULL) becomes non-zero: PCS_END, the traffic unfinished. */
enum pcs_status pcs_traffic_generate(const struct pcs_scenario *scenario, uint64_t trial, gsl_rng *rng,
                                     struct trial_traffic *traffic, const volatile int *stop, struct pcs_error *err);
void pcs_traffic_free(struct trial_traffic *traffic);

/* A model a trace workload's requests may run on, with its own cache: one
 * per model alias, then one per other (mapped) model name of the trace. */
struct plan_slot {
    const char *name; /* as written in models, or the trace's name after model_map */
    const struct pcs_model *model;
    struct pcs_cache_config cache;
    const struct pcs_price_set *prices;
};

/* A strategy's fixed parts: each route model's cache configuration and
 * prices. */
struct strategy_plan {
    const struct pcs_strategy *strategy;
    struct pcs_cache_config cache[PCS_SCENARIO_MAX_MODELS]; /* per model alias */
    const struct pcs_price_set *prices[PCS_SCENARIO_MAX_MODELS];
    double multiplier[PCS_SCENARIO_MAX_MODELS]; /* tier x uplift */
    /* Trace workloads (else 0 and NULL): the slots (the aliases' first, in
     * alias order), and the slot each trace model runs on for a route entry
     * of model "trace". */
    size_t slot_count;
    struct plan_slot *slots;
    uint32_t *trace_slot; /* per trace model */
    double region_uplift;
};

/* Fills plan; release it with pcs_plan_free (also after an error). */
enum pcs_status pcs_plan_strategy(const struct pcs_scenario *scenario, const struct pcs_strategy *strategy,
                                  const struct pcs_run_config *config, struct strategy_plan *plan,
                                  struct pcs_error *err);
void pcs_plan_free(struct strategy_plan *plan);

/* Scratch reused across trials by one thread. */
struct trial_scratch {
    /* per task */
    uint32_t *step;        /* current step */
    uint8_t *route_entry;  /* current route entry */
    uint32_t *entry_tries; /* attempts made on the current entry */
    uint32_t *step_tries;  /* attempts made in the current step (trace workloads: requests arrived) */
    uint8_t *escalated;
    double *task_cost;
    uint8_t *batch_waited; /* the pending attempt has waited for its batch run time */
    size_t task_cap;
    /* the event heap: tasks with a pending attempt, by (time, task) */
    int64_t *heap_time;
    uint32_t *heap_task;
    size_t heap_count, heap_cap;
    struct bound_arrays prompt; /* one request's bounds */
    /* Trace workloads: pending attempts (retries, batch runs) by (time,
     * request), and a cache per plan slot. */
    struct trace_event *events;
    size_t event_count, event_cap;
    pcs_cache **slot_caches;
    size_t slot_cap;
    gsl_rng *latency_rng; /* made by pcs_latency_prepare when a model has a latency */
};

/* Room for count tasks in scratch's per-task arrays. */
enum pcs_status pcs_trial_reserve_tasks(struct trial_scratch *scratch, size_t count);

void pcs_trial_scratch_free(struct trial_scratch *scratch);

/* ------------------------------------------------------------- latency */

/* One attempt's latency (src/mc/latency.c), ms after it is sent (runs, at
 * the batch tier). */
struct attempt_latency {
    int64_t ttft_ms;     /* the first token: the drawn ttft, 0 when the model gives none */
    int64_t duration_ms; /* the end: max(ttft, drawn duration); 0 when the model gives no latency */
};

static inline int pcs_model_has_latency(const struct pcs_scenario_model *model)
{
    return model->has_ttft || model->has_duration;
}

/* Makes scratch->latency_rng when scenario has a latency and it has none
 * yet; PCS_ERR_NOMEM (err filled) when out of memory. */
enum pcs_status pcs_latency_prepare(const struct pcs_scenario *scenario, struct trial_scratch *scratch,
                                    struct pcs_error *err);

/* Model's latency for one attempt, drawn from the stream keyed by (trial,
 * key, which) (rng, re-keyed; unused when the model has none: all 0). The
 * same key gives the same draw in every strategy. */
void pcs_latency_draw(const struct pcs_scenario *scenario, const struct pcs_scenario_model *model, uint64_t trial,
                      uint64_t key, uint64_t which, gsl_rng *rng, struct attempt_latency *latency);

/* Counts one attempt of task in *outcome and in the task's cost: what both
 * trial players (synthetic and trace) add for every attempt sent. */
static inline void pcs_outcome_count_attempt(struct pcs_trial_outcome *outcome, struct trial_scratch *scratch,
                                             uint32_t task, const struct pcs_usage *usage, double cost, int failed)
{
    outcome->spend += cost;
    outcome->requests++;
    outcome->failed_requests += failed ? 1 : 0;
    outcome->input_tokens += usage->input;
    outcome->cache_read_tokens += usage->cache_read;
    outcome->cache_write_tokens += usage->cache_write;
    scratch->task_cost[task] += cost;
}

/* Plays traffic through one strategy with fresh caches; fills *outcome and
 * adds every task's cost to task_costs. When *stop (may be NULL) becomes
 * non-zero the trial ends unfinished: PCS_END, outcome and task_costs
 * partial (the caller drops them). */
enum pcs_status pcs_trial_play(const struct pcs_scenario *scenario, const struct strategy_plan *plan, uint64_t trial,
                               const struct trial_traffic *traffic, struct trial_scratch *scratch,
                               struct pcs_trial_outcome *outcome, struct pcs_sketch *task_costs,
                               const volatile int *stop, struct pcs_error *err);

/* pcs_trial_play with an observer (may be NULL: then it is pcs_trial_play)
 * called with every attempt right after its model's cache answered
 * (pcsim/gen.h); its error stops the trial. */
enum pcs_status pcs_trial_play_observed(const struct pcs_scenario *scenario, const struct strategy_plan *plan,
                                        uint64_t trial, const struct trial_traffic *traffic,
                                        struct trial_scratch *scratch, struct pcs_trial_outcome *outcome,
                                        struct pcs_sketch *task_costs, pcs_gen_observer observer, void *context,
                                        const volatile int *stop, struct pcs_error *err);

/* pcs_trial_play_observed for a trace workload (src/mc/trial_trace.c):
 * every request of the trace a step of its task at its own time x
 * traffic->time_scale. observer (may be NULL, as the engine calls it) sees
 * every attempt right after its slot's cache answered: request->model is
 * the plan's slot (< scenario->model_count: that alias), namespace_id the
 * trace's own, t_ms from the trace's first request (pcsim/gen.h). */
enum pcs_status pcs_trial_play_trace(const struct pcs_scenario *scenario, const struct strategy_plan *plan,
                                     uint64_t trial, const struct trial_traffic *traffic, struct trial_scratch *scratch,
                                     struct pcs_trial_outcome *outcome, struct pcs_sketch *task_costs,
                                     pcs_gen_observer observer, void *context, const volatile int *stop,
                                     struct pcs_error *err);

/* When a batch-tier attempt sent at sent_ms runs: uniformly within the
 * scenario's batch window after it, drawn from (trial, key, which). */
int64_t pcs_batch_run_time(const struct pcs_scenario *scenario, uint64_t trial, uint64_t key, uint64_t which,
                           int64_t sent_ms);

#endif
