/* Replay: trace -> cache -> usage sums; see pcsim/replay.h. */
#include "pcsim/replay.h"

#include "pipeline.h"

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

/* Plays one request through the cache and adds its usage. */
static enum pcs_status play(pcs_cache *cache, const struct pcs_request *req, pcs_replay_observer observer,
                            void *context, struct pcs_replay_result *result, struct pcs_error *err)
{
    struct pcs_usage usage;
    enum pcs_status status = pcs_cache_access(cache, req, &usage);
    if (status != PCS_OK)
        return pcs_error_set(err, status, "the cache failed: %s", pcs_strerror(status));
    pcs_usage_add(&result->total, &usage);
    pcs_usage_add(&result->by_model[req->model], &usage);
    result->bounds += req->bound_count;
    return observer ? observer(context, req, &usage) : PCS_OK;
}

/* One thread: read a request, play it, repeat. */
static enum pcs_status replay_inline(pcs_trace *trace, pcs_cache *cache, pcs_replay_observer observer,
                                     void *context, struct pcs_replay_result *result, struct pcs_error *err)
{
    struct pcs_request req;
    for (;;) {
        enum pcs_status status = pcs_trace_next(trace, &req, err);
        if (status == PCS_OK && req.model >= result->model_count)
            status = grow_models(result, pcs_trace_model_count(trace));
        if (status == PCS_OK)
            status = play(cache, &req, observer, context, result, err);
        if (status != PCS_OK)
            return status;
    }
}

/* Two threads: the pipeline reads batches ahead; this thread plays them. */
static enum pcs_status replay_pipelined(struct pipeline *pipe, pcs_cache *cache, pcs_replay_observer observer,
                                        void *context, struct pcs_replay_result *result, struct pcs_error *err)
{
    enum pcs_status status = PCS_OK;
    while (status == PCS_OK) {
        struct pipeline_batch *batch = pipeline_next(pipe);
        status = grow_models(result, batch->model_count);
        for (size_t i = 0; i < batch->count && status == PCS_OK; i++)
            status = play(cache, &batch->requests[i], observer, context, result, err);
        if (status == PCS_OK && batch->status != PCS_OK) {
            status = batch->status;
            *err = batch->error;
        }
        pipeline_release(pipe, batch);
    }
    return status;
}

enum pcs_status pcs_replay(pcs_trace *trace, const struct pcs_cache_config *config, unsigned threads,
                           pcs_replay_observer observer, void *context, struct pcs_replay_result *result,
                           struct pcs_error *err)
{
    enum pcs_status status = pcs_cache_config_check(config, err);
    memset(result, 0, sizeof *result);
    if (status != PCS_OK)
        return status;
    pcs_cache *cache = pcs_cache_new(config, &status);
    if (!cache)
        return pcs_error_set(err, status, "cannot create the cache: %s", pcs_strerror(status));
    status = grow_models(result, pcs_trace_model_count(trace));
    /* A reader thread pays for itself on long traces only: on short ones
     * copying requests between threads costs more than it saves. */
    int pipelined = threads >= 2 && pcs_trace_request_count(trace) >= PIPELINE_MIN_REQUESTS;
    struct pipeline *pipe = status == PCS_OK && pipelined ? pipeline_start(trace) : NULL;
    if (status == PCS_OK)
        status = pipe ? replay_pipelined(pipe, cache, observer, context, result, err)
                      : replay_inline(trace, cache, observer, context, result, err);
    pipeline_stop(pipe);
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
