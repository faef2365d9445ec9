/* A whole replay: the trace read, the chosen and ideal caches played,
 * every request priced and watched; see pcsim/replay.h. */
#include "pcsim/replay.h"

#include <stdlib.h>
#include <string.h>

#include "common/status_internal.h"
#include "replay_feed_internal.h"
#include "trace/one_pass_internal.h"

enum pcs_status pcs_replay_preset_config(const char *preset, const struct pcs_cache_overrides *overrides,
                                         struct pcs_cache_config *config)
{
    struct pcs_cache_config chosen;
    if (pcs_cache_preset(strcmp(preset, "auto") == 0 ? "none" : preset, &chosen) != PCS_OK)
        return PCS_ERR_ARG;
    if (overrides)
        pcs_cache_overrides_apply(overrides, &chosen);
    *config = chosen;
    return PCS_OK;
}

/* Per-model caches for presets that depend on the model: each model's
 * configuration, kept for the report. */
struct model_caches {
    const struct pcs_replay_job *job;
    struct pcs_cache_config *configs; /* by trace model id */
    size_t count;
};

/* Room for configs[0..count), the new ones set to fill. */
static enum pcs_status grow_configs(struct model_caches *caches, size_t count, const struct pcs_cache_config *fill)
{
    if (count <= caches->count)
        return PCS_OK;
    struct pcs_cache_config *configs = realloc(caches->configs, count * sizeof *configs);
    if (!configs)
        return PCS_ERR_NOMEM;
    for (size_t i = caches->count; i < count; i++)
        configs[i] = *fill;
    caches->configs = configs;
    caches->count = count;
    return PCS_OK;
}

static enum pcs_status configure_model(void *context, uint32_t model, const char *name, struct pcs_cache_config *config,
                                       struct pcs_error *err)
{
    struct model_caches *caches = context;
    if (grow_configs(caches, (size_t)model + 1, config) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    const struct pcs_model *priced = pcs_catalog_resolve(caches->job->catalog, name, NULL);
    if (pcs_model_cache_config(caches->job->preset, priced, config) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_ARG, "model %s: no cache preset", name);
    pcs_cache_overrides_apply(&caches->job->overrides, config);
    caches->configs[model] = *config;
    return PCS_OK;
}

/* One try over the trace: what each replayed request passes through. */
struct attempt {
    const struct pcs_replay_job *job;
    const pcs_trace *trace;
    pcs_replay_coster *coster; /* NULL: not priced */
    pcs_reconciler *reconciler;
    size_t lane_count;
    struct pcs_timeline *timeline; /* NULL: none */
    int *stopped;                  /* set when the run stops early */
    struct pcs_error *err;
};

static enum pcs_status observe_request(void *context, const struct pcs_request *req, const struct pcs_usage *usages)
{
    struct attempt *attempt = context;
    double cost = -1;
    if (attempt->coster) {
        enum pcs_status status = pcs_replay_coster_add(
            attempt->coster, req, &usages[0], attempt->lane_count > 1 ? &usages[1] : NULL, &cost, attempt->err);
        if (status != PCS_OK)
            return status;
    }
    if (pcs_reconciler_add(attempt->reconciler, req, &usages[0]) != PCS_OK)
        return pcs_error_set(attempt->err, PCS_ERR_NOMEM, "out of memory");
    if (attempt->timeline)
        pcs_timeline_add(attempt->timeline, req->t_ms, &usages[0]);
    const struct pcs_replay_watch *watch = &attempt->job->watch;
    enum pcs_status status = PCS_OK;
    if (watch->request)
        status = watch->request(watch->context, attempt->trace, req, &usages[0], cost);
    /* A stop: this request is counted everywhere; none after it is read. */
    if (status == PCS_OK && attempt->job->stop && *attempt->job->stop)
        status = PCS_END;
    if (status == PCS_END)
        *attempt->stopped = 1;
    return status;
}

/* Drops what a try made, for the next one or on failure (not the trace). */
static void drop_try(struct pcs_replay_lane *lanes, size_t lane_count, struct model_caches *caches,
                     pcs_replay_coster **coster, pcs_reconciler **reconciler)
{
    pcs_reconciler_free(*reconciler);
    *reconciler = NULL;
    for (size_t i = 0; i < lane_count; i++)
        pcs_replay_result_free(&lanes[i].result);
    free(caches->configs);
    caches->configs = NULL;
    caches->count = 0;
    pcs_replay_coster_free(*coster);
    *coster = NULL;
}

/* A shard's observer: the usages go to the feed's owner. */
struct shard_play {
    const struct pcs_replay_feed *feed;
    const pcs_trace *trace;
    size_t lane_count;
};

static enum pcs_status observe_shard(void *context, const struct pcs_request *req, const struct pcs_usage *usages)
{
    struct shard_play *play = context;
    return play->feed->played(play->feed->context, play->trace, req, usages, play->lane_count);
}

size_t pcs_replay_run_lanes(const struct pcs_replay_job *job)
{
    struct pcs_cache_config config;
    if (pcs_replay_preset_config(job->preset, &job->overrides, &config) != PCS_OK)
        return 1;
    return job->pricing && (config.policy != PCS_POLICY_IDEAL || pcs_preset_is_per_model(job->preset)) ? 2 : 1;
}

/* Opens the trace (in one pass, if one_pass; feed's, if given) and plays
 * it once into lanes; PCS_ERR_ORDER asks for another try with an index. */
static enum pcs_status replay_once(const struct pcs_replay_job *job, const struct pcs_replay_feed *feed,
                                   const struct pcs_trace_config *trace_config, int one_pass,
                                   struct pcs_replay_outcome *outcome, struct pcs_replay_lane *lanes,
                                   size_t *lane_count, struct model_caches *caches, pcs_replay_coster **coster,
                                   pcs_reconciler **reconciler, struct pcs_error *err)
{
    if (feed)
        outcome->trace = feed->trace;
    else
        outcome->trace = one_pass
                             ? pcs_trace_open_one_pass(job->inputs, trace_config, PCS_TRACE_ONE_PASS_MIN_BYTES, err)
                             : pcs_trace_open_inputs(job->inputs, trace_config, err);
    if (!outcome->trace)
        return err->status;
    int per_model = pcs_preset_is_per_model(job->preset);
    /* Lane 0 is the chosen cache; lane 1 the ideal one, for its cost. */
    memset(lanes, 0, 2 * sizeof *lanes);
    lanes[0].config = outcome->config;
    if (per_model && job->catalog) {
        lanes[0].model_config = configure_model;
        lanes[0].model_config_context = caches;
    }
    *lane_count = pcs_replay_run_lanes(job);
    if (*lane_count == 2)
        pcs_cache_preset("ideal", &lanes[1].config);
    if (feed && feed->played) {
        struct shard_play play = {feed, outcome->trace, *lane_count};
        return pcs_replay_lanes(outcome->trace, lanes, *lane_count, job->threads, observe_shard, &play, err);
    }
    struct attempt attempt = {job, outcome->trace, NULL, NULL, *lane_count, NULL, &outcome->partial, err};
    pcs_timeline_init(&outcome->timeline);
    if (job->timeline)
        attempt.timeline = &outcome->timeline;
    if (job->pricing && !(attempt.coster = *coster = pcs_replay_coster_new(job->pricing, outcome->trace, err)))
        return err->status;
    if (!(attempt.reconciler = *reconciler = pcs_reconciler_new(err)))
        return err->status;
    if (job->watch.start) {
        enum pcs_status status = job->watch.start(job->watch.context, outcome->trace);
        if (status != PCS_OK)
            return status;
    }
    if (feed)
        return pcs_replay_lanes_given(outcome->trace, lanes, *lane_count, feed->given, feed->context, observe_request,
                                      &attempt, err);
    return pcs_replay_lanes(outcome->trace, lanes, *lane_count, job->threads, observe_request, &attempt, err);
}

/* pcs_replay_run, over the inputs or (feed not NULL) a feed. */
static enum pcs_status run(const struct pcs_replay_job *job, const struct pcs_replay_feed *feed,
                           struct pcs_replay_outcome *outcome, struct pcs_error *err)
{
    memset(outcome, 0, sizeof *outcome);
    if (feed)
        outcome->trace = feed->trace; /* taken over, whatever happens */
    if (pcs_replay_preset_config(job->preset, &job->overrides, &outcome->config) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_ARG, "unknown cache preset '%s'", job->preset);
    enum pcs_status status = pcs_cache_config_check(&outcome->config, err);
    if (status != PCS_OK)
        return status;
    struct pcs_trace_config trace_config = job->trace;
    trace_config.threads = job->threads;
    /* A large file whose times never go back is read in one pass; if they
     * do go back, the replay starts over with an index. Not when the
     * watcher cannot take back what it made of the first try. */
    int one_pass = job->restartable && !feed;
    struct pcs_replay_lane lanes[2];
    memset(lanes, 0, sizeof lanes);
    size_t lane_count = 0;
    struct model_caches caches = {job, NULL, 0};
    pcs_replay_coster *coster = NULL;
    pcs_reconciler *reconciler = NULL;
    for (;;) {
        status = replay_once(job, feed, &trace_config, one_pass, outcome, lanes, &lane_count, &caches, &coster,
                             &reconciler, err);
        if (status != PCS_ERR_ORDER || feed)
            break;
        /* Everything the first try made goes; the file is indexed. */
        drop_try(lanes, 0, &caches, &coster, &reconciler);
        pcs_trace_free(outcome->trace);
        outcome->trace = NULL;
        one_pass = 0;
    }
    if (job->stop && *job->stop)
        outcome->partial = 1;
    if (status == PCS_OK && coster) {
        status = pcs_replay_coster_finish(coster, &outcome->cost, err);
        outcome->priced = status == PCS_OK;
    }
    if (status == PCS_OK && reconciler && pcs_reconciler_has_observed(reconciler)) {
        status = pcs_reconciler_finish(reconciler, outcome->trace, &outcome->reconciliation, err);
        outcome->reconciled = status == PCS_OK;
        if (status == PCS_OK && coster)
            status = pcs_replay_coster_reconcile(coster, &outcome->reconciliation, err);
    }
    /* Every model met has its configuration; fill any the replay skipped. */
    if (status == PCS_OK && lanes[0].model_config) {
        status = grow_configs(&caches, lanes[0].result.model_count, &outcome->config);
        if (status != PCS_OK)
            pcs_error_set(err, status, "out of memory");
    }
    if (status != PCS_OK) {
        pcs_replay_cost_free(&outcome->cost);
        pcs_reconciliation_free(&outcome->reconciliation);
        drop_try(lanes, lane_count, &caches, &coster, &reconciler);
        outcome->priced = 0;
        outcome->reconciled = 0;
        return status;
    }
    outcome->result = lanes[0].result;
    for (size_t i = 1; i < lane_count; i++)
        pcs_replay_result_free(&lanes[i].result);
    outcome->model_configs = caches.configs;
    pcs_replay_coster_free(coster);
    pcs_reconciler_free(reconciler);
    return PCS_OK;
}

enum pcs_status pcs_replay_run(const struct pcs_replay_job *job, struct pcs_replay_outcome *outcome,
                               struct pcs_error *err)
{
    return run(job, NULL, outcome, err);
}

enum pcs_status pcs_replay_run_feed(const struct pcs_replay_job *job, const struct pcs_replay_feed *feed,
                                    struct pcs_replay_outcome *outcome, struct pcs_error *err)
{
    return run(job, feed, outcome, err);
}

void pcs_replay_outcome_free(struct pcs_replay_outcome *outcome)
{
    if (!outcome)
        return;
    pcs_replay_result_free(&outcome->result);
    pcs_replay_cost_free(&outcome->cost);
    pcs_reconciliation_free(&outcome->reconciliation);
    free(outcome->model_configs);
    pcs_trace_free(outcome->trace);
    memset(outcome, 0, sizeof *outcome);
}
