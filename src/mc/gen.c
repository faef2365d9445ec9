/* One trial through one strategy, attempt by attempt; see pcsim/gen.h.
 * The engine's own steps (pcs_plan_strategy, pcs_traffic_generate, and
 * pcs_trial_play_observed or, for a trace workload, pcs_trial_play_trace,
 * chosen as engine.c chooses) on one thread, so trial t is pcs_run's
 * trial t. */
#include "pcsim/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash_table.h"
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
    if (status != PCS_OK) {
        pcs_plan_free(&plan);
        return status;
    }
    gsl_rng *rng = pcs_stream_new(err);
    if (!rng) {
        pcs_plan_free(&plan);
        return PCS_ERR_NOMEM;
    }
    struct trial_traffic traffic;
    struct trial_scratch scratch;
    struct pcs_sketch task_costs;
    memset(&traffic, 0, sizeof traffic);
    memset(&scratch, 0, sizeof scratch);
    status = pcs_sketch_init(&task_costs, PCS_RUN_TASK_COST_ACCURACY, err);
    if (status == PCS_OK) {
        status = pcs_traffic_generate(scenario, trial, rng, &traffic, stop, err);
        if (status == PCS_OK && scenario->workload.trace)
            status = pcs_trial_play_trace(scenario, &plan, trial, &traffic, &scratch, outcome, &task_costs, observer,
                                          context, stop, err);
        else if (status == PCS_OK)
            status = pcs_trial_play_observed(scenario, &plan, trial, &traffic, &scratch, outcome, &task_costs, observer,
                                             context, stop, err);
        pcs_sketch_free(&task_costs);
    }
    pcs_trial_scratch_free(&scratch);
    pcs_traffic_free(&traffic);
    gsl_rng_free(rng);
    pcs_plan_free(&plan);
    return status;
}

/* ---------------------------------------------------- the native trace */

struct writing {
    const struct pcs_scenario *scenario;
    pcs_native_writer *writer;
    struct pcs_gen_summary *summary;
    uint8_t shares_model[PCS_SCENARIO_MAX_MODELS]; /* per model alias: another alias names its catalog model */
    /* Such an alias's namespaces: (namespace, alias + 1) -> the line's;
     * namespace 0 is alias + 1, the others from PCS_SCENARIO_MAX_MODELS + 1
     * on, so no two caches of one catalog model meet in one session. */
    struct pcs_hash_table shared_namespaces;
    uint32_t next_namespace;
    char source[64]; /* "trial K", for errors */
};

/* Room for cache in summary->by_model. */
static enum pcs_status summary_reserve(struct pcs_gen_summary *summary, size_t cache)
{
    if (cache < summary->model_count)
        return PCS_OK;
    struct pcs_gen_model_summary *grown = realloc(summary->by_model, (cache + 1) * sizeof *grown);
    if (!grown)
        return PCS_ERR_NOMEM;
    memset(grown + summary->model_count, 0, (cache + 1 - summary->model_count) * sizeof *grown);
    summary->by_model = grown;
    summary->model_count = cache + 1;
    return PCS_OK;
}

/* The line's namespace of a prompt in namespace on alias m's cache. */
static enum pcs_status line_namespace(struct writing *writing, uint32_t m, uint32_t *namespace_id,
                                      struct pcs_error *err)
{
    if (m >= writing->scenario->model_count || !writing->shares_model[m])
        return PCS_OK; /* the only cache of its catalog model: its namespaces are apart already */
    if (*namespace_id == 0) {
        *namespace_id = m + 1;
        return PCS_OK;
    }
    uint32_t found = pcs_hash_find(&writing->shared_namespaces, *namespace_id, m + 1);
    if (found == PCS_HASH_EMPTY) {
        if (writing->next_namespace == PCS_HASH_EMPTY - 1)
            return pcs_error_set(err, PCS_ERR_RANGE, "%s: more than %u namespaces", writing->source,
                                 PCS_HASH_EMPTY - 1);
        found = writing->next_namespace++;
        if (pcs_hash_put(&writing->shared_namespaces, *namespace_id, m + 1, found) != PCS_OK)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for the namespaces");
    }
    *namespace_id = found;
    return PCS_OK;
}

static enum pcs_status write_attempt(void *context, const struct pcs_gen_attempt *attempt, struct pcs_error *err)
{
    struct writing *writing = context;
    struct pcs_request line = *attempt->request;
    uint32_t m = line.model;
    if (summary_reserve(writing->summary, m) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for the summary");
    struct pcs_gen_model_summary *model = &writing->summary->by_model[m];
    model->name = attempt->model_name;
    model->model = attempt->model;
    pcs_usage_add(&model->usage, attempt->usage);
    pcs_usage_add(&writing->summary->total, attempt->usage);
    model->failed += line.ok ? 0 : 1;
    model->cost += attempt->cost;
    enum pcs_status status = line_namespace(writing, m, &line.namespace_id, err);
    if (status != PCS_OK)
        return status;
    status = pcs_native_writer_put_named(writing->writer, attempt->model->id, writing->source, &line, err);
    writing->summary->lines = pcs_native_writer_count(writing->writer);
    return status;
}

void pcs_gen_summary_free(struct pcs_gen_summary *summary)
{
    free(summary->by_model);
    summary->by_model = NULL;
    summary->model_count = 0;
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
                writing.shares_model[m] = 1;
    writing.next_namespace = PCS_SCENARIO_MAX_MODELS + 1;
    if (scenario->model_count > 0 && summary_reserve(summary, scenario->model_count - 1) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for the summary");
    for (size_t m = 0; m < scenario->model_count; m++) {
        summary->by_model[m].name = scenario->models[m].alias;
        summary->by_model[m].model = scenario->models[m].model;
    }
    writing.writer = pcs_native_writer_new(out, err);
    if (!writing.writer)
        return PCS_ERR_NOMEM;
    enum pcs_status status =
        pcs_gen_trial(scenario, config, strategy, trial, write_attempt, &writing, &summary->outcome, stop, err);
    pcs_native_writer_free(writing.writer);
    pcs_hash_release(&writing.shared_namespaces);
    return status;
}
