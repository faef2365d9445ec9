/* Replay: trace -> cache -> usage sums; see pcsim/replay.h. */
#include "pcsim/replay.h"

#include <stdlib.h>
#include <string.h>

static enum pcs_status grow_models(struct pcs_replay_result *result, size_t count)
{
    if (count <= result->model_count)
        return PCS_OK;
    struct pcs_usage *by_model = realloc(result->by_model, count * sizeof *by_model);
    if (!by_model)
        return PCS_ERR_NOMEM;
    memset(by_model + result->model_count, 0, (count - result->model_count) * sizeof *by_model);
    result->by_model = by_model;
    result->model_count = count;
    return PCS_OK;
}

enum pcs_status pcs_replay(pcs_trace *trace, const struct pcs_cache_config *config, pcs_replay_observer observer,
                           void *context, struct pcs_replay_result *result, struct pcs_error *err)
{
    enum pcs_status status = pcs_cache_config_check(config, err);
    memset(result, 0, sizeof *result);
    if (status != PCS_OK)
        return status;
    pcs_cache *cache = pcs_cache_new(config, &status);
    if (!cache)
        return pcs_error_set(err, status, "cannot create the cache: %s", pcs_strerror(status));
    status = grow_models(result, pcs_trace_model_count(trace));
    struct pcs_request req;
    struct pcs_usage usage;
    while (status == PCS_OK) {
        status = pcs_trace_next(trace, &req, err);
        if (status != PCS_OK)
            break;
        if (req.model >= result->model_count) {
            status = grow_models(result, pcs_trace_model_count(trace));
            if (status != PCS_OK)
                break;
        }
        status = pcs_cache_access(cache, &req, &usage);
        if (status != PCS_OK) {
            pcs_error_set(err, status, "the cache failed: %s", pcs_strerror(status));
            break;
        }
        pcs_usage_add(&result->total, &usage);
        pcs_usage_add(&result->by_model[req.model], &usage);
        result->bounds += req.bound_count;
        if (observer)
            status = observer(context, &req, &usage);
    }
    pcs_cache_free(cache);
    if (status == PCS_END)
        status = PCS_OK;
    if (status == PCS_OK)
        status = grow_models(result, pcs_trace_model_count(trace));
    result->skipped = pcs_trace_skipped_count(trace);
    if (status != PCS_OK) {
        if (status == PCS_ERR_NOMEM)
            pcs_error_set(err, status, "out of memory during replay");
        pcs_replay_result_free(result);
    }
    return status;
}

void pcs_replay_result_free(struct pcs_replay_result *result)
{
    free(result->by_model);
    result->by_model = NULL;
    result->model_count = 0;
}
