/* How well a fitted scenario reproduces its trace (include/pcsim/fit.h):
 * the trace's replay against the mean of the scenario's trials. */
#include <math.h>
#include <string.h>

#include "pcsim/fit.h"
#include "pcsim/mc.h"
#include "pcsim/replay.h"

static enum pcs_status replay_ratio(const struct pcs_fit_check_job *job, double *ratio, struct pcs_error *err)
{
    struct pcs_replay_job replay;
    memset(&replay, 0, sizeof replay);
    replay.inputs = job->inputs;
    replay.trace = job->trace;
    replay.preset = job->preset;
    replay.catalog = job->catalog;
    replay.threads = job->threads;
    replay.restartable = 1;
    struct pcs_replay_outcome outcome;
    enum pcs_status status = pcs_replay_run(&replay, &outcome, err);
    if (status == PCS_OK) {
        const struct pcs_usage *total = &outcome.result.total;
        *ratio = total->input ? (double)total->cache_read / (double)total->input : 0;
    }
    pcs_replay_outcome_free(&outcome);
    return status;
}

static enum pcs_status trials_ratio(const struct pcs_fit_check_job *job, struct pcs_fit_check *check,
                                    struct pcs_error *err)
{
    pcs_scenario_set *set =
        pcs_scenario_parse(job->scenario_json, strlen(job->scenario_json), "fitted scenario", NULL, job->catalog, err);
    if (!set)
        return err ? err->status : PCS_ERR_PARSE;
    struct pcs_run_config config = pcs_run_config_default();
    config.threads = job->threads ? job->threads : 1;
    config.trials = job->trials;
    config.price_time_s = job->price_time_s;
    struct pcs_run_result result;
    enum pcs_status status = pcs_run(&pcs_scenario_point(set, 0)->scenario, &config, &result, err);
    if (status == PCS_OK) {
        double sum = 0, sum_squares = 0, tasks = 0, requests = 0, counted = 0;
        const struct pcs_trial_outcome *trials = result.strategies[0].trials;
        for (size_t t = 0; t < result.trial_count; t++) {
            tasks += (double)trials[t].tasks;
            requests += (double)trials[t].requests;
            if (trials[t].input_tokens == 0)
                continue; /* no traffic: no ratio */
            double ratio = (double)trials[t].cache_read_tokens / (double)trials[t].input_tokens;
            counted++;
            sum += ratio;
            sum_squares += ratio * ratio;
        }
        double all = (double)result.trial_count;
        double n = counted;
        check->trials = result.trial_count;
        check->trials_with_input = (uint64_t)counted;
        check->trial_cached_ratio = n > 0 ? sum / n : 0;
        check->trial_tasks = all > 0 ? tasks / all : 0;
        check->trial_requests = all > 0 ? requests / all : 0;
        double variance = n > 1 ? (sum_squares - sum * sum / n) / (n - 1) : 0;
        check->trial_cached_ratio_sd = variance > 0 ? sqrt(variance) : 0;
        pcs_run_result_free(&result);
    }
    pcs_scenario_set_free(set);
    return status;
}

enum pcs_status pcs_fit_check_run(const struct pcs_fit_check_job *job, struct pcs_fit_check *check,
                                  struct pcs_error *err)
{
    memset(check, 0, sizeof *check);
    check->preset = job->preset;
    enum pcs_status status = replay_ratio(job, &check->trace_cached_ratio, err);
    if (status == PCS_OK)
        status = trials_ratio(job, check, err);
    if (status == PCS_OK && check->trace_cached_ratio > 0)
        check->relative_difference = check->trial_cached_ratio / check->trace_cached_ratio - 1;
    else if (status == PCS_OK && check->trial_cached_ratio > 0)
        check->relative_difference = INFINITY;
    return status;
}
