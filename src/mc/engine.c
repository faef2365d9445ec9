/* Trials on threads; see pcsim/mc.h. Workers take trial indexes from a
 * shared counter and write each outcome into its trial's slot, so the
 * result is the same for any thread count. Each trial's per-task costs go
 * into sketches of its own, merged into the result in trial order once
 * every earlier trial has been: the result's sketches hold exactly the
 * trials reported (an unfinished trial, or one finished after a gap when
 * the run is stopped, never leaks into them).
 *
 * With a share (pcsim/mc.h: pcs_run_share), the workers take only the
 * share's trials, each round is cut at round_trials, and a finished trial's
 * sketches stay parked until the round's exchange has filled in the other
 * processes' trials and merged what the run reports. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/memory.h"
#include "mc_internal.h"

/* One trial's per-task cost sketches, one per strategy; finished ones wait
 * in engine.pending until their turn, used ones wait in engine.spare. */
struct trial_sketches {
    struct pcs_sketch task_costs[PCS_SCENARIO_MAX_STRATEGIES];
    struct trial_sketches *next; /* in the spare list */
};

struct pcs_run_config pcs_run_config_default(void)
{
    struct pcs_run_config config;
    memset(&config, 0, sizeof config);
    config.threads = 1;
    config.target_relative_half_width = 0.01;
    config.max_trials = 10000;
    config.auto_batch = 50;
    config.region_uplift = 1.0;
    return config;
}

struct engine {
    const struct pcs_scenario *scenario;
    const struct pcs_run_config *config;
    struct strategy_plan plans[PCS_SCENARIO_MAX_STRATEGIES];
    struct pcs_run_result *result;
    pthread_mutex_t lock;
    uint64_t next_trial;             /* the next trial to hand out */
    uint64_t end_trial;              /* this round stops before it */
    uint64_t done;                   /* trials finished so far (in a share: its own) */
    uint64_t planned;                /* for progress */
    uint8_t *finished;               /* per trial slot */
    struct trial_sketches **pending; /* per trial slot: finished, not yet merged */
    uint64_t merged;                 /* trials [0, merged) are in the result's sketches */
    struct trial_sketches *spare;
    int share_stopped;      /* a share's exchange said some process was asked to stop */
    enum pcs_status status; /* the first error */
    struct pcs_error error;
};

struct worker {
    struct engine *engine;
    pthread_t thread;
    gsl_rng *rng;
    struct trial_traffic traffic;
    struct trial_scratch scratch;
    struct trial_sketches *sketches; /* the trial under way's */
    uint64_t requests;
};

static void sketches_free(struct trial_sketches *sketches)
{
    while (sketches) {
        struct trial_sketches *next = sketches->next;
        for (size_t s = 0; s < PCS_SCENARIO_MAX_STRATEGIES; s++)
            pcs_sketch_free(&sketches->task_costs[s]);
        free(sketches);
        sketches = next;
    }
}

/* Empty sketches for a trial: a spare set, or a new one (NULL: no memory).
 * Called under the lock. */
static struct trial_sketches *sketches_take(struct engine *engine)
{
    struct trial_sketches *sketches = engine->spare;
    if (sketches) {
        engine->spare = sketches->next;
    } else {
        sketches = calloc(1, sizeof *sketches);
        if (!sketches)
            return NULL;
        for (size_t s = 0; s < PCS_SCENARIO_MAX_STRATEGIES; s++)
            pcs_sketch_init(&sketches->task_costs[s], PCS_RUN_TASK_COST_ACCURACY, NULL);
    }
    sketches->next = NULL;
    for (size_t s = 0; s < engine->scenario->strategy_count; s++)
        pcs_sketch_clear(&sketches->task_costs[s]);
    return sketches;
}

/* Parks a finished trial's sketches and merges every waiting trial whose
 * predecessors are all merged, in trial order (in a share the exchange
 * merges them). Called under the lock. */
static enum pcs_status sketches_finish(struct engine *engine, uint64_t trial, struct trial_sketches *sketches)
{
    engine->pending[trial] = sketches;
    if (engine->config->share)
        return PCS_OK;
    while (engine->merged < engine->end_trial && engine->pending[engine->merged]) {
        struct trial_sketches *next = engine->pending[engine->merged];
        for (size_t s = 0; s < engine->scenario->strategy_count; s++)
            if (pcs_sketch_merge(&engine->result->strategies[s].task_costs, &next->task_costs[s]) != PCS_OK)
                return PCS_ERR_NOMEM;
        engine->pending[engine->merged++] = NULL;
        next->next = engine->spare;
        engine->spare = next;
    }
    return PCS_OK;
}

static int stop_requested(const struct engine *engine)
{
    return engine->config->stop && *engine->config->stop;
}

/* Whether the run stops after its round: as asked here, or in a share as
 * the last exchange agreed (the same on every process). */
static int run_stopped(const struct engine *engine)
{
    return engine->config->share ? engine->share_stopped : stop_requested(engine);
}

/* The first trial from `from` on that this process plays, and the step to
 * the next: every trial, or a share's. */
static uint64_t first_own(const struct engine *engine, uint64_t from)
{
    const struct pcs_run_share *share = engine->config->share;
    if (!share)
        return from;
    uint64_t offset = (share->index + share->count - from % share->count) % share->count;
    return from + offset;
}

static uint64_t own_step(const struct engine *engine)
{
    return engine->config->share ? engine->config->share->count : 1;
}

/* How many trials of [0, until) this process plays (progress counts them). */
static uint64_t own_count(const struct engine *engine, uint64_t until)
{
    uint64_t first = first_own(engine, 0);
    return until > first ? (until - first - 1) / own_step(engine) + 1 : 0;
}

static void *work(void *argument)
{
    struct worker *worker = argument;
    struct engine *engine = worker->engine;
    const struct pcs_scenario *scenario = engine->scenario;
    for (;;) {
        pthread_mutex_lock(&engine->lock);
        uint64_t trial = engine->next_trial;
        int go = engine->status == PCS_OK && trial < engine->end_trial && !stop_requested(engine);
        if (go)
            engine->next_trial += own_step(engine);
        pthread_mutex_unlock(&engine->lock);
        if (!go)
            return NULL;
        struct pcs_error err = {0};
        enum pcs_status status =
            pcs_traffic_generate(scenario, trial, worker->rng, &worker->traffic, engine->config->stop, &err);
        for (size_t s = 0; s < scenario->strategy_count && status == PCS_OK; s++)
            pcs_sketch_clear(&worker->sketches->task_costs[s]);
        for (size_t s = 0; s < scenario->strategy_count && status == PCS_OK; s++) {
            struct pcs_trial_outcome *outcome = &engine->result->strategies[s].trials[trial];
            if (scenario->workload.trace)
                status = pcs_trial_play_trace(scenario, &engine->plans[s], trial, &worker->traffic, &worker->scratch,
                                              outcome, &worker->sketches->task_costs[s], NULL, NULL,
                                              engine->config->stop, &err);
            else
                status = pcs_trial_play(scenario, &engine->plans[s], trial, &worker->traffic, &worker->scratch, outcome,
                                        &worker->sketches->task_costs[s], engine->config->stop, &err);
            worker->requests += outcome->requests;
        }
        pthread_mutex_lock(&engine->lock);
        if (status == PCS_END) {
            /* Stopped inside the trial: it stays unfinished, and so does the run. */
            pthread_mutex_unlock(&engine->lock);
            return NULL;
        }
        if (status != PCS_OK && engine->status == PCS_OK) {
            engine->status = status;
            engine->error = err;
        }
        if (status == PCS_OK) {
            status = sketches_finish(engine, trial, worker->sketches);
            worker->sketches = sketches_take(engine);
            if ((status != PCS_OK || !worker->sketches) && engine->status == PCS_OK) {
                engine->status = PCS_ERR_NOMEM;
                pcs_error_set(&engine->error, PCS_ERR_NOMEM, "out of memory for the per-task cost sketches");
            }
        }
        if (status == PCS_OK && worker->sketches) {
            engine->finished[trial] = 1;
            engine->done++;
            if (engine->config->progress)
                engine->config->progress(engine->config->progress_context, engine->done, engine->planned);
        }
        pthread_mutex_unlock(&engine->lock);
    }
}

/* Room for trials [0, count) in every strategy's outcomes. */
static enum pcs_status grow_trials(struct engine *engine, uint64_t count)
{
    struct pcs_run_result *result = engine->result;
    for (size_t s = 0; s < result->strategy_count; s++) {
        struct pcs_trial_outcome *trials = realloc(result->strategies[s].trials, count * sizeof *trials);
        if (!trials)
            return PCS_ERR_NOMEM;
        result->strategies[s].trials = trials;
    }
    uint8_t *finished = realloc(engine->finished, count);
    if (!finished)
        return PCS_ERR_NOMEM;
    memset(finished + (engine->end_trial < count ? engine->end_trial : count), 0,
           count - (engine->end_trial < count ? engine->end_trial : count));
    engine->finished = finished;
    struct trial_sketches **pending = realloc(engine->pending, count * sizeof *pending);
    if (!pending)
        return PCS_ERR_NOMEM;
    for (uint64_t t = engine->end_trial; t < count; t++)
        pending[t] = NULL;
    engine->pending = pending;
    return PCS_OK;
}

/* Runs trials [end_trial, until) on the workers. */
static enum pcs_status run_round(struct engine *engine, struct worker *workers, unsigned threads, uint64_t until)
{
    enum pcs_status status = grow_trials(engine, until);
    if (status != PCS_OK)
        return pcs_error_set(&engine->error, status, "out of memory for %llu trials", (unsigned long long)until);
    engine->next_trial = first_own(engine, engine->end_trial);
    engine->end_trial = until;
    unsigned started = 0;
    for (unsigned i = 1; i < threads; i++) {
        if (pcs_memory_thread_start(&workers[i].thread, work, &workers[i]) != 0)
            break; /* fewer threads; the same result */
        started = i;
    }
    work(&workers[0]);
    for (unsigned i = 1; i <= started; i++)
        pthread_join(workers[i].thread, NULL);
    return engine->status;
}

/* A share's round: the exchange fills in the other processes' trials of
 * [first, end) and merges the sketches the run reports; the parked
 * sketches then go back to the spare list. */
static enum pcs_status exchange_round(struct engine *engine, uint64_t first, uint64_t end)
{
    const struct pcs_run_share *share = engine->config->share;
    size_t strategies = engine->scenario->strategy_count;
    const struct pcs_sketch **task_costs = calloc((size_t)(end - first) * strategies, sizeof *task_costs);
    if (!task_costs)
        return pcs_error_set(&engine->error, PCS_ERR_NOMEM, "out of memory for a round's exchange");
    for (uint64_t t = first; t < end; t++)
        for (size_t s = 0; s < strategies && engine->pending[t]; s++)
            task_costs[(t - first) * strategies + s] = &engine->pending[t]->task_costs[s];
    struct pcs_run_exchange exchange = {
        first, end, strategies, engine->finished, engine->result->strategies, task_costs, &engine->share_stopped};
    enum pcs_status status = share->exchange(share->context, &exchange, &engine->error);
    free(task_costs);
    for (uint64_t t = first; t < end; t++) {
        if (engine->pending[t]) {
            engine->pending[t]->next = engine->spare;
            engine->spare = engine->pending[t];
            engine->pending[t] = NULL;
        }
    }
    engine->merged = end;
    return status;
}

/* Runs trials [end_trial, until): at once, or a share's in rounds, each
 * followed by its exchange. */
static enum pcs_status run_rounds(struct engine *engine, struct worker *workers, unsigned threads, uint64_t until)
{
    const struct pcs_run_share *share = engine->config->share;
    if (!share)
        return run_round(engine, workers, threads, until);
    uint64_t round = share->round_trials ? share->round_trials : 1;
    while (engine->end_trial < until) {
        uint64_t first = engine->end_trial;
        uint64_t end = until - first > round ? first + round : until;
        enum pcs_status status = run_round(engine, workers, threads, end);
        if (status == PCS_OK)
            status = exchange_round(engine, first, end);
        if (status != PCS_OK)
            return engine->status = status;
        if (engine->share_stopped)
            break;
    }
    return PCS_OK;
}

/* The largest relative 95% CI half-width of the mean cost per completed
 * task over the strategies, after trials [0, trials): the run has converged
 * when it is at most the target. Infinity when a strategy has no CI yet
 * (fewer than two trials with a completed task). */
static double widest_half_width(const struct engine *engine, uint64_t trials)
{
    const struct pcs_run_result *result = engine->result;
    double *values = malloc((trials ? trials : 1) * sizeof *values);
    if (!values)
        return INFINITY;
    double widest = 0;
    for (size_t s = 0; s < result->strategy_count; s++) {
        size_t n = pcs_run_cost_per_completed_task(&result->strategies[s], trials, values);
        struct pcs_summary summary;
        double width = INFINITY;
        if (pcs_summarize(values, n, &summary) == PCS_OK && pcs_has_value(pcs_summary_relative_half_width(&summary)))
            width = pcs_summary_relative_half_width(&summary);
        if (width > widest)
            widest = width;
    }
    free(values);
    return widest;
}

enum pcs_status pcs_run(const struct pcs_scenario *scenario, const struct pcs_run_config *config,
                        struct pcs_run_result *result, struct pcs_error *err)
{
    memset(result, 0, sizeof *result);
    if (config->threads < 1 || scenario->strategy_count < 1 || scenario->strategy_count > PCS_SCENARIO_MAX_STRATEGIES)
        return pcs_error_set(err, PCS_ERR_ARG, "a run needs at least one thread and one strategy");
    if (config->trials > PCS_RUN_MAX_TRIALS || config->max_trials > PCS_RUN_MAX_TRIALS ||
        (!config->trials && scenario->trials > PCS_RUN_MAX_TRIALS))
        return pcs_error_set(err, PCS_ERR_ARG, "a run has at most %u trials", PCS_RUN_MAX_TRIALS);
    if (config->share &&
        (config->share->count < 1 || config->share->index >= config->share->count || !config->share->exchange))
        return pcs_error_set(err, PCS_ERR_ARG, "a run's share needs an index below its count and an exchange");
    struct engine engine;
    memset(&engine, 0, sizeof engine);
    engine.scenario = scenario;
    engine.config = config;
    engine.result = result;
    for (size_t s = 0; s < scenario->strategy_count; s++) {
        enum pcs_status status = pcs_plan_strategy(scenario, &scenario->strategies[s], config, &engine.plans[s], err);
        if (status != PCS_OK) {
            for (size_t t = 0; t <= s; t++)
                pcs_plan_free(&engine.plans[t]);
            return status;
        }
    }
    result->strategy_count = scenario->strategy_count;
    result->strategies = calloc(scenario->strategy_count, sizeof *result->strategies);
    unsigned threads = config->threads > 256 ? 256 : config->threads;
    struct worker *workers = calloc(threads, sizeof *workers);
    enum pcs_status status = result->strategies && workers ? PCS_OK : PCS_ERR_NOMEM;
    for (size_t s = 0; s < scenario->strategy_count && status == PCS_OK; s++)
        status = pcs_sketch_init(&result->strategies[s].task_costs, PCS_RUN_TASK_COST_ACCURACY, NULL);
    for (unsigned i = 0; i < threads && status == PCS_OK; i++) {
        workers[i].engine = &engine;
        workers[i].rng = pcs_stream_new(NULL);
        workers[i].sketches = sketches_take(&engine);
        status = workers[i].rng && workers[i].sketches ? PCS_OK : PCS_ERR_NOMEM;
    }
    if (status != PCS_OK)
        pcs_error_set(err, status, "out of memory starting the run");
    if (status == PCS_OK && pthread_mutex_init(&engine.lock, NULL) != 0)
        status = pcs_error_set(err, PCS_ERR_NOMEM, "cannot create a lock");
    int locked = status == PCS_OK;

    uint64_t trials = config->trials ? config->trials : scenario->trials;
    uint64_t batch = config->auto_batch ? config->auto_batch : 50;
    uint64_t cap = config->max_trials ? config->max_trials : 10000;
    uint64_t until = config->trials_auto ? (batch < cap ? batch : cap) : trials;
    engine.planned = own_count(&engine, until);
    while (status == PCS_OK) {
        status = run_rounds(&engine, workers, threads, until);
        if (status != PCS_OK) {
            *err = engine.error;
            break;
        }
        if (run_stopped(&engine) || !config->trials_auto)
            break;
        result->relative_half_width = widest_half_width(&engine, until);
        result->converged = result->relative_half_width <= config->target_relative_half_width;
        if (result->converged || until >= cap)
            break;
        until = until + batch < cap ? until + batch : cap;
        engine.planned = own_count(&engine, until);
    }
    /* The outcome is the unbroken run of finished trials from 0. */
    uint64_t kept = 0;
    while (status == PCS_OK && kept < engine.end_trial && engine.finished[kept])
        kept++;
    result->trial_count = kept;
    result->stopped_early = status == PCS_OK && kept < engine.end_trial;
    if (result->stopped_early && config->trials_auto) {
        /* Stopped, not converged: the width of the trials kept. */
        result->relative_half_width = widest_half_width(&engine, kept);
        result->converged = 0;
    }
    /* The sketches merged are those of trials [0, kept); later ones wait in vain. */
    for (uint64_t t = engine.merged; t < engine.end_trial && engine.pending; t++)
        sketches_free(engine.pending[t]);
    sketches_free(engine.spare);
    free(engine.pending);
    for (unsigned i = 0; i < threads && workers; i++) {
        sketches_free(workers[i].sketches);
        if (workers[i].rng)
            gsl_rng_free(workers[i].rng);
        pcs_traffic_free(&workers[i].traffic);
        pcs_trial_scratch_free(&workers[i].scratch);
    }
    for (size_t s = 0; s < result->strategy_count && result->strategies; s++)
        for (uint64_t t = 0; t < kept; t++)
            result->simulated_requests += result->strategies[s].trials[t].requests;
    free(workers);
    free(engine.finished);
    for (size_t s = 0; s < scenario->strategy_count; s++)
        pcs_plan_free(&engine.plans[s]);
    if (locked)
        pthread_mutex_destroy(&engine.lock);
    if (status != PCS_OK)
        pcs_run_result_free(result);
    return status;
}

void pcs_run_result_free(struct pcs_run_result *result)
{
    for (size_t s = 0; s < result->strategy_count && result->strategies; s++) {
        free(result->strategies[s].trials);
        pcs_sketch_free(&result->strategies[s].task_costs);
    }
    free(result->strategies);
    memset(result, 0, sizeof *result);
}

size_t pcs_run_cost_per_completed_task(const struct pcs_strategy_outcomes *outcomes, size_t trial_count, double *values)
{
    size_t n = 0;
    for (size_t t = 0; t < trial_count; t++)
        if (outcomes->trials[t].completed)
            values[n++] = outcomes->trials[t].spend / (double)outcomes->trials[t].completed;
    return n;
}
