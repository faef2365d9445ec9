/* One trial through one strategy, attempt by attempt; see pcsim/gen.h.
 * The engine's own steps (pcs_plan_strategy, pcs_traffic_generate,
 * pcs_trial_play_observed) on one thread, so trial t is pcs_run's trial t. */
#include "pcsim/gen.h"

#include <stdio.h>
#include <string.h>

#include "mc_internal.h"
#include "pcsim/native_write.h"

enum pcs_status pcs_gen_trial(const struct pcs_scenario *scenario, const struct pcs_run_config *config, size_t strategy,
                              uint64_t trial, pcs_gen_observer observer, void *context,
                              struct pcs_trial_outcome *outcome, const volatile int *stop, struct pcs_error *err)
{
    memset(outcome, 0, sizeof *outcome);
    if (strategy >= scenario->strategy_count)
        return pcs_error_set(err, PCS_ERR_ARG, "strategy %zu of %zu", strategy + 1, scenario->strategy_count);
    struct strategy_plan plan;
    enum pcs_status status = pcs_plan_strategy(scenario, &scenario->strategies[strategy], config, &plan, err);
    if (status != PCS_OK)
        return status;
    gsl_rng *rng = pcs_stream_new(err);
    if (!rng)
        return PCS_ERR_NOMEM;
    struct trial_traffic traffic;
    struct trial_scratch scratch;
    struct pcs_sketch task_costs;
    memset(&traffic, 0, sizeof traffic);
    memset(&scratch, 0, sizeof scratch);
    status = pcs_sketch_init(&task_costs, PCS_RUN_TASK_COST_ACCURACY, err);
    if (status == PCS_OK) {
        status = pcs_traffic_generate(scenario, trial, rng, &traffic, stop, err);
        if (status == PCS_OK)
            status = pcs_trial_play_observed(scenario, &plan, trial, &traffic, &scratch, outcome, &task_costs, observer,
                                             context, stop, err);
        pcs_sketch_free(&task_costs);
    }
    pcs_trial_scratch_free(&scratch);
    pcs_traffic_free(&traffic);
    gsl_rng_free(rng);
    return status;
}

/* ---------------------------------------------------- the native trace */

struct writing {
    const struct pcs_scenario *scenario;
    pcs_native_writer *writer;
    struct pcs_gen_summary *summary;
    uint32_t namespace_of[PCS_SCENARIO_MAX_MODELS]; /* per model alias: 0, or its own when it shares a model */
    char source[64];                                /* "trial K", for errors */
};

static enum pcs_status write_attempt(void *context, const struct pcs_gen_attempt *attempt, struct pcs_error *err)
{
    struct writing *writing = context;
    struct pcs_request line = *attempt->request;
    uint32_t m = line.model;
    struct pcs_gen_model_summary *model = &writing->summary->by_model[m];
    pcs_usage_add(&model->usage, attempt->usage);
    pcs_usage_add(&writing->summary->total, attempt->usage);
    model->failed += line.ok ? 0 : 1;
    model->cost += attempt->cost;
    line.namespace_id = writing->namespace_of[m];
    enum pcs_status status = pcs_native_writer_put_named(writing->writer, writing->scenario->models[m].model->id,
                                                         writing->source, &line, err);
    writing->summary->lines = pcs_native_writer_count(writing->writer);
    return status;
}

enum pcs_status pcs_gen_write_native(const struct pcs_scenario *scenario, const struct pcs_run_config *config,
                                     size_t strategy, uint64_t trial, FILE *out, struct pcs_gen_summary *summary,
                                     const volatile int *stop, struct pcs_error *err)
{
    memset(summary, 0, sizeof *summary);
    struct writing writing;
    memset(&writing, 0, sizeof writing);
    writing.scenario = scenario;
    writing.summary = summary;
    snprintf(writing.source, sizeof writing.source, "trial %llu", (unsigned long long)trial);
    for (size_t m = 0; m < scenario->model_count; m++)
        for (size_t other = 0; other < scenario->model_count; other++)
            if (other != m && scenario->models[other].model == scenario->models[m].model)
                writing.namespace_of[m] = (uint32_t)m + 1;
    writing.writer = pcs_native_writer_new(out, err);
    if (!writing.writer)
        return PCS_ERR_NOMEM;
    enum pcs_status status =
        pcs_gen_trial(scenario, config, strategy, trial, write_attempt, &writing, &summary->outcome, stop, err);
    pcs_native_writer_free(writing.writer);
    return status;
}
