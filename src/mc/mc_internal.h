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
    STREAM_MIX = 5       /* whether an attempt reuses the step's latent draw */
};

/* One horizon of traffic, shared read-only by every strategy of a trial. */
struct trial_traffic {
    double p[PCS_SCENARIO_MAX_MODELS]; /* failure probability per model alias */
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

/* A strategy's fixed parts: each route model's cache configuration and
 * prices. */
struct strategy_plan {
    const struct pcs_strategy *strategy;
    struct pcs_cache_config cache[PCS_SCENARIO_MAX_MODELS]; /* per model alias */
    const struct pcs_price_set *prices[PCS_SCENARIO_MAX_MODELS];
    double multiplier[PCS_SCENARIO_MAX_MODELS]; /* tier x uplift */
};

enum pcs_status pcs_plan_strategy(const struct pcs_scenario *scenario, const struct pcs_strategy *strategy,
                                  const struct pcs_run_config *config, struct strategy_plan *plan,
                                  struct pcs_error *err);

/* Scratch reused across trials by one thread. */
struct trial_scratch {
    /* per task */
    uint32_t *step;        /* current step */
    uint8_t *route_entry;  /* current route entry */
    uint32_t *entry_tries; /* attempts made on the current entry */
    uint32_t *step_tries;  /* attempts made in the current step */
    uint8_t *escalated;
    double *task_cost;
    size_t task_cap;
    /* the event heap: tasks with a pending attempt, by (time, task) */
    int64_t *heap_time;
    uint32_t *heap_task;
    size_t heap_count, heap_cap;
    struct bound_arrays prompt; /* one request's bounds */
};

void pcs_trial_scratch_free(struct trial_scratch *scratch);

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

#endif
