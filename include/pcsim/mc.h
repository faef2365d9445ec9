/* pcsim: the Monte Carlo engine (DESIGN §5): scenario -> trials -> outcomes.
 *
 * Each trial draws the scenario's uncertain parameters, generates one
 * horizon of tasks and plays them through every strategy with common random
 * numbers: the same tasks, token sizes, gaps and failure draws (attempt k of
 * a step draws the same numbers whichever model it goes to), each strategy
 * with its own caches (one per model, its preset from the strategy). A
 * trial's random numbers come from streams keyed by (seed, trial, ...), so
 * its outcome depends on nothing else: any thread count gives the same
 * outcomes, and trial t of a longer run equals trial t of a shorter one.
 *
 * A task's steps run in sequence, each gap after the end of the last; a
 * step's attempts follow the strategy's route (each entry's model up to
 * `attempts` times, each retry_delay after the end of the one before; an
 * attempt ends its model's drawn duration after it is sent, at once
 * without a latency);
 * an attempt fails with its model's probability p: its uniform draw is the
 * step's latent draw with probability rho (failure.correlation), a fresh one
 * otherwise, and it fails iff that draw < p. A failed attempt pays its input
 * and failed_output_fraction of its output; a step that exhausts the route
 * fails its task and the task's remaining steps are not sent.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: pcs_run
 * starts config.threads threads and joins them before it returns; the
 * scenario and catalog are only read, so several runs may share them.
 * Ownership: a result is filled only on PCS_OK and released with
 * pcs_run_result_free; on failure there is nothing to release. Units:
 * money in USD, token counts tokens, counts of tasks and attempts. */
#ifndef PCSIM_MC_H
#define PCSIM_MC_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/pricing.h"
#include "pcsim/scenario.h"
#include "pcsim/stats.h"

/* What one strategy did in one trial. */
struct pcs_trial_outcome {
    double spend;                /* USD, failed attempts and abandoned tasks included */
    uint64_t tasks;              /* tasks that arrived in the horizon */
    uint64_t completed;          /* tasks whose every step succeeded */
    uint64_t requests;           /* attempts sent */
    uint64_t failed_requests;    /* attempts that failed */
    uint64_t escalated;          /* tasks that went past the route's first entry */
    uint64_t input_tokens;       /* prompt tokens of every attempt */
    uint64_t cache_read_tokens;  /* of which read from the cache */
    uint64_t cache_write_tokens; /* of which written to it */
    uint64_t task_time_ms;       /* synthetic workloads: each task's first send to its last attempt's end, summed
                                    over the tasks (ms); 0 for a trace workload */
};

struct pcs_strategy_outcomes {
    struct pcs_trial_outcome *trials; /* trial_count, in trial order (owned) */
    struct pcs_sketch task_costs;     /* every task's cost (USD) over the trial_count trials; its
                                         quantiles within PCS_RUN_TASK_COST_ACCURACY */
};

struct pcs_run_result {
    size_t trial_count;
    size_t strategy_count;
    struct pcs_strategy_outcomes *strategies;
    uint64_t simulated_requests; /* over every strategy and trial */
    int stopped_early;           /* 1 when a stop request cut the run short (fewer trials) */
    /* With trials_auto: whether every strategy reached the target before
     * the cap (0 when it stopped at max_trials or early), and the largest
     * relative half-width over the strategies at the last check (infinity
     * when a strategy had fewer than two trials with a completed task). */
    int converged;
    double relative_half_width;
};

/* The relative accuracy of per-task cost quantiles (pcs_sketch): 0.5%. */
#define PCS_RUN_TASK_COST_ACCURACY 0.005

/* The most trials a run may have (trials, max_trials). */
#define PCS_RUN_MAX_TRIALS 100000000u

/* Called from the engine's threads, one at a time (under a lock), after
 * each trial: done of planned trials (planned grows with --trials auto). */
typedef void (*pcs_run_progress_fn)(void *context, uint64_t done, uint64_t planned);

/* A share of a run's trials, for a run spread over several processes
 * (pcsim's MPI layer, src/dist/, fills it; the engine knows nothing of how
 * the processes talk). Process `index` of `count` plays the trials t with
 * t % count == index, in rounds of at most round_trials trials (a round is
 * every process's part of [first, end)); after each round every process
 * calls exchange with the same round, which must:
 *   - fill finished[t] and every strategy's trials[t] for the trials of
 *     [first, end) played elsewhere (each process filled its own);
 *   - on one process (the one that reports), merge into the result's
 *     sketches task_costs[(t - first) * strategy_count + s] of every trial
 *     t of the unbroken run of finished trials from first, wherever it was
 *     played (this process's are given; NULL where not played or not
 *     finished here); the engine itself merges none in a share;
 *   - set *stopped to whether any process was asked to stop, the same on
 *     every process (the engine decides on it alone whether to go on: a
 *     stop request that arrives during the exchange on one process only
 *     must not let the processes part ways), and set the run's stop flag
 *     (the config's, which the exchange's owner holds writable) when so.
 * Trial outcomes do not depend on where they are played, so the result is
 * the one process's (the reporting process's sketches; the others' are
 * empty). The exchange returns PCS_OK or an error with err set (the run
 * then fails with it). Called on the thread that called pcs_run. */
struct pcs_run_exchange {
    uint64_t first, end; /* the round: trials [first, end) */
    size_t strategy_count;
    uint8_t *finished;                        /* indexed by trial */
    struct pcs_strategy_outcomes *strategies; /* the result's; trials indexed by trial */
    const struct pcs_sketch *const *task_costs;
    int *stopped; /* out: whether any process was asked to stop */
};

struct pcs_run_share {
    unsigned index, count; /* 0 <= index < count */
    uint64_t round_trials; /* >= 1: trials of one round, over every process */
    enum pcs_status (*exchange)(void *context, const struct pcs_run_exchange *exchange, struct pcs_error *err);
    void *context;
};

struct pcs_run_config {
    unsigned threads;                  /* >= 1 */
    uint64_t trials;                   /* 0: the scenario's */
    int trials_auto;                   /* run until every strategy's 95% CI half-width of the mean cost per
                                          completed task is <= target_relative_half_width of the mean */
    double target_relative_half_width; /* default 0.01 */
    uint64_t max_trials;               /* cap for trials_auto; default 10000 */
    uint64_t auto_batch;               /* trials between checks; default 50 (fixed: results do not depend on threads) */
    double price_time_s;               /* prices in effect then, Unix seconds */
    double region_uplift;              /* multiplier; 1 for none */
    pcs_run_progress_fn progress;      /* NULL: no progress calls */
    void *progress_context;
    const volatile int *stop; /* NULL: never stop; else when *stop becomes non-zero, no further trial starts and the
                                 trials under way end unfinished within a few thousand attempts */
    const struct pcs_run_share *share; /* NULL: every trial here; else this process's share (above), with
                                          progress counting this share's trials, and stop writable */
};

/* threads 1, trials from the scenario, target 0.01, max 10000, batch 50,
 * uplift 1, price time 0 (set it). */
struct pcs_run_config pcs_run_config_default(void);

/* Runs the scenario. On success fills *result (release with
 * pcs_run_result_free). Errors: PCS_ERR_ARG for a bad config (trials or
 * max_trials above PCS_RUN_MAX_TRIALS) or a model
 * without prices, PCS_ERR_NOMEM, with err set. */
enum pcs_status pcs_run(const struct pcs_scenario *scenario, const struct pcs_run_config *config,
                        struct pcs_run_result *result, struct pcs_error *err);

void pcs_run_result_free(struct pcs_run_result *result);

/* Per-trial cost per completed task of a strategy in USD (spend / completed;
 * trials without a completed task are left out). Writes up to trial_count
 * values into the caller's values[0..trial_count), returns how many. */
size_t pcs_run_cost_per_completed_task(const struct pcs_strategy_outcomes *outcomes, size_t trial_count,
                                       double *values);

#endif
