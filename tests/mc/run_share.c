/* A run's share (pcsim/mc.h: pcs_run_share, the seam of the MPI layer,
 * docs/design.md §11), in one process and without MPI: the other
 * processes' shares are run first and their rounds recorded, then process
 * 0's share, whose exchange fills in the recorded trials and merges their
 * per-task cost sketches, must give the run of one process trial for trial
 * (every outcome equal, the sketches' quantiles equal). A recorded trial
 * that did not finish (a process stopped) must stop process 0 after that
 * round with exactly the trials before it, as a stopped run of one process
 * keeps its unbroken run; and a share's progress counts its own trials.
 *
 * Usage: test_run_share SOURCE_DIR. */
#include <math.h>
#include <stdlib.h>

#include "../unit/check.h"
#include "pcsim/mc.h"
#include "pcsim/scenario.h"

/* 2026-11-23T12:00:00Z, the pinned price date (tests/pinned.env). */
#define PRICE_TIME_S 1795435200.0
#define TRIALS 40
#define ROUND 8
#define MAX_PROCESSES 4

/* One recorded round of one process: its own trials of [first, end). */
struct round_record {
    uint64_t first, end;
    uint8_t finished[ROUND];
    struct pcs_trial_outcome outcomes[ROUND][PCS_SCENARIO_MAX_STRATEGIES];
    struct pcs_sketch sketches[ROUND][PCS_SCENARIO_MAX_STRATEGIES];
};

struct recording {
    unsigned index, count;
    uint64_t unfinished_trial; /* recorded as not finished (a stop); UINT64_MAX: none */
    size_t round_count;
    struct round_record rounds[TRIALS / ROUND + 1];
};

static struct recording recordings[MAX_PROCESSES];
static volatile int stop_flag;

static enum pcs_status record_round(void *context, const struct pcs_run_exchange *exchange, struct pcs_error *err)
{
    (void)err;
    struct recording *recording = context;
    *exchange->stopped = stop_flag;
    struct round_record *round = &recording->rounds[recording->round_count++];
    round->first = exchange->first;
    round->end = exchange->end;
    for (uint64_t t = exchange->first; t < exchange->end; t++) {
        if (t % recording->count != recording->index)
            continue;
        size_t k = (size_t)(t - exchange->first);
        round->finished[k] = exchange->finished[t] && t != recording->unfinished_trial;
        for (size_t s = 0; s < exchange->strategy_count; s++) {
            round->outcomes[k][s] = exchange->strategies[s].trials[t];
            pcs_sketch_init(&round->sketches[k][s], PCS_RUN_TASK_COST_ACCURACY, NULL);
            const struct pcs_sketch *sketch = exchange->task_costs[k * exchange->strategy_count + s];
            if (round->finished[k] && sketch && pcs_sketch_merge(&round->sketches[k][s], sketch) != PCS_OK)
                return PCS_ERR_NOMEM;
        }
    }
    return PCS_OK;
}

/* The recorded round [first, end) of a process, or NULL. */
static const struct round_record *recorded_round(const struct recording *recording, uint64_t first, uint64_t end)
{
    for (size_t r = 0; r < recording->round_count; r++)
        if (recording->rounds[r].first == first && recording->rounds[r].end == end)
            return &recording->rounds[r];
    return NULL;
}

/* Process 0's exchange: the recorded processes' trials filled in, the
 * unbroken run's sketches merged, a recorded stop passed on. */
static enum pcs_status fill_round(void *context, const struct pcs_run_exchange *exchange, struct pcs_error *err)
{
    (void)err;
    unsigned count = *(const unsigned *)context;
    for (uint64_t t = exchange->first; t < exchange->end; t++) {
        if (t % count == 0)
            continue;
        const struct round_record *round = recorded_round(&recordings[t % count], exchange->first, exchange->end);
        if (!round)
            return PCS_ERR_ARG; /* the rounds differ between processes */
        size_t k = (size_t)(t - exchange->first);
        exchange->finished[t] = round->finished[k];
        if (!round->finished[k])
            stop_flag = 1;
        for (size_t s = 0; s < exchange->strategy_count; s++)
            exchange->strategies[s].trials[t] = round->outcomes[k][s];
    }
    *exchange->stopped = stop_flag;
    for (uint64_t t = exchange->first; t < exchange->end && exchange->finished[t]; t++) {
        size_t k = (size_t)(t - exchange->first);
        const struct round_record *round =
            t % count ? recorded_round(&recordings[t % count], exchange->first, exchange->end) : NULL;
        for (size_t s = 0; s < exchange->strategy_count; s++) {
            const struct pcs_sketch *sketch =
                round ? &round->sketches[k][s] : exchange->task_costs[k * exchange->strategy_count + s];
            if (!sketch || pcs_sketch_merge(&exchange->strategies[s].task_costs, sketch) != PCS_OK)
                return PCS_ERR_ARG;
        }
    }
    return PCS_OK;
}

static uint64_t last_done, last_planned;

static void note_progress(void *context, uint64_t done, uint64_t planned)
{
    (void)context;
    last_done = done;
    last_planned = planned;
}

static void free_recordings(void)
{
    for (unsigned p = 0; p < MAX_PROCESSES; p++) {
        for (size_t r = 0; r < recordings[p].round_count; r++)
            for (size_t k = 0; k < ROUND; k++)
                for (size_t s = 0; s < PCS_SCENARIO_MAX_STRATEGIES; s++)
                    pcs_sketch_free(&recordings[p].rounds[r].sketches[k][s]);
        recordings[p].round_count = 0;
    }
}

static struct pcs_run_config base_config(uint64_t trials)
{
    struct pcs_run_config config = pcs_run_config_default();
    config.trials = trials;
    config.price_time_s = PRICE_TIME_S;
    config.stop = &stop_flag;
    return config;
}

/* The run of `trials` trials in one process and the same run over `count`
 * processes, process `unfinished_trial % count` recording that trial as not
 * finished (UINT64_MAX: none); process 0's result against the one process's
 * run of `expected_trials` trials. */
static void check_shares(const struct pcs_scenario *scenario, unsigned count, uint64_t unfinished_trial,
                         uint64_t expected_trials)
{
    struct pcs_error err = {0};
    struct pcs_run_config config = base_config(expected_trials);
    struct pcs_run_result one;
    stop_flag = 0;
    CHECK(pcs_run(scenario, &config, &one, &err) == PCS_OK);
    free_recordings();
    for (unsigned p = 1; p < count; p++) {
        recordings[p].index = p;
        recordings[p].count = count;
        recordings[p].unfinished_trial = unfinished_trial;
        struct pcs_run_share share = {p, count, ROUND, record_round, &recordings[p]};
        config = base_config(TRIALS);
        config.share = &share;
        config.threads = 2;
        struct pcs_run_result ignored;
        stop_flag = 0;
        CHECK(pcs_run(scenario, &config, &ignored, &err) == PCS_OK);
        pcs_run_result_free(&ignored);
    }
    struct pcs_run_share share = {0, count, ROUND, fill_round, &count};
    config = base_config(TRIALS);
    config.share = &share;
    struct pcs_run_result spread;
    stop_flag = 0;
    CHECK(pcs_run(scenario, &config, &spread, &err) == PCS_OK);
    CHECK_U64(spread.trial_count, expected_trials);
    CHECK_U64(spread.stopped_early, expected_trials < TRIALS);
    CHECK_U64(spread.simulated_requests, one.simulated_requests);
    for (size_t s = 0; s < scenario->strategy_count; s++) {
        size_t differing = 0;
        for (size_t t = 0; t < expected_trials && t < spread.trial_count; t++)
            differing += memcmp(&spread.strategies[s].trials[t], &one.strategies[s].trials[t],
                                sizeof(struct pcs_trial_outcome)) != 0;
        CHECK_U64(differing, 0);
        const struct pcs_sketch *a = &spread.strategies[s].task_costs, *b = &one.strategies[s].task_costs;
        CHECK_U64(a->total, b->total);
        CHECK(a->total > 0);
        const double quantiles[] = {0, 0.05, 0.5, 0.95, 0.99, 1};
        for (size_t q = 0; q < sizeof quantiles / sizeof quantiles[0]; q++)
            CHECK(pcs_sketch_quantile(a, quantiles[q]) == pcs_sketch_quantile(b, quantiles[q]));
    }
    pcs_run_result_free(&spread);
    pcs_run_result_free(&one);
    free_recordings();
}

/* Process 1 of 3 plays trials 1, 4, ..., 37 of 40: 13, and its progress
 * says 13 of 13 at the end. */
static void check_progress(const struct pcs_scenario *scenario)
{
    recordings[1].index = 1;
    recordings[1].count = 3;
    recordings[1].unfinished_trial = UINT64_MAX;
    struct pcs_run_share share = {1, 3, ROUND, record_round, &recordings[1]};
    struct pcs_run_config config = base_config(TRIALS);
    config.share = &share;
    config.progress = note_progress;
    struct pcs_run_result ignored;
    struct pcs_error err = {0};
    stop_flag = 0;
    CHECK(pcs_run(scenario, &config, &ignored, &err) == PCS_OK);
    CHECK_U64(last_done, 13);
    CHECK_U64(last_planned, 13);
    pcs_run_result_free(&ignored);
    free_recordings();
    /* A share's index must be below its count. */
    struct pcs_run_share bad = {3, 3, ROUND, record_round, &recordings[1]};
    config.share = &bad;
    CHECK(pcs_run(scenario, &config, &ignored, &err) == PCS_ERR_ARG);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOURCE_DIR\n", argv[0]);
        return 2;
    }
    struct pcs_error err = {0};
    pcs_catalog *catalog = pcs_catalog_load_builtin(&err);
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/support-bot-cache.json", argv[1]);
    pcs_scenario_set *set = catalog ? pcs_scenario_load(path, catalog, &err) : NULL;
    if (!set) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    const struct pcs_scenario *scenario = &pcs_scenario_point(set, 0)->scenario;
    check_shares(scenario, 1, UINT64_MAX, TRIALS);
    check_shares(scenario, 2, UINT64_MAX, TRIALS);
    check_shares(scenario, 3, UINT64_MAX, TRIALS);
    /* Trial 17 is process 2's (17 mod 3), in the round [16, 24): process 0
     * stops after it with trials 0..16. */
    check_shares(scenario, 3, 17, 17);
    /* Trial 9, process 1's of 4, in the round [8, 16). */
    check_shares(scenario, 4, 9, 9);
    check_progress(scenario);
    pcs_scenario_set_free(set);
    pcs_catalog_free(catalog);
    return check_summary();
}
