/* The request loop; see request_loop.h. */
#include "request_loop.h"

#include "cache/prefetch_internal.h"
#include "pipeline.h"
#include "trace/one_pass_internal.h"

/* One thread: read a request, play it, repeat. */
static enum pcs_status loop_inline(pcs_trace *trace, const struct request_visitor *visitor, struct pcs_error *err)
{
    struct pcs_request req;
    for (;;) {
        enum pcs_status status = pcs_trace_next(trace, &req, err);
        if (status == PCS_OK)
            status = visitor->play(visitor->context, &req);
        if (status != PCS_OK)
            return status;
    }
}

/* Two threads: the pipeline reads batches ahead; this thread plays them,
 * announcing each request PCS_CACHE_LOOKAHEAD requests before its turn. */
static enum pcs_status loop_pipelined(struct pipeline *pipe, const struct request_visitor *visitor,
                                      struct pcs_error *err)
{
    enum pcs_status status = PCS_OK;
    while (status == PCS_OK) {
        struct pipeline_batch *batch = pcs_pipeline_next(pipe);
        if (visitor->announce)
            for (size_t i = 0; i < batch->count && i < PCS_CACHE_LOOKAHEAD; i++)
                visitor->announce(visitor->context, &batch->requests[i]);
        for (size_t i = 0; i < batch->count && status == PCS_OK; i++) {
            if (visitor->announce && i + PCS_CACHE_LOOKAHEAD < batch->count)
                visitor->announce(visitor->context, &batch->requests[i + PCS_CACHE_LOOKAHEAD]);
            status = visitor->play(visitor->context, &batch->requests[i]);
        }
        if (status == PCS_OK && batch->status != PCS_OK) {
            status = batch->status;
            *err = batch->error;
        }
        pcs_pipeline_release(pipe, batch);
    }
    return status;
}

enum pcs_status pcs_request_loop(pcs_trace *trace, unsigned threads, const struct request_visitor *visitor,
                                 struct pcs_error *err)
{
    /* A reader thread pays for itself on long traces only: on short ones
     * copying requests between threads costs more than it saves. */
    int long_trace = pcs_trace_request_count(trace) >= PIPELINE_MIN_REQUESTS || pcs_trace_streams(trace);
    /* Request logs read in one pass spend nearly all their time reading
     * calls and counting tokens, which workers do on every thread; this
     * one finishes the calls in order and plays them (a reader thread
     * would only add copies). */
    int feeding = threads >= 2 && pcs_trace_read_ahead(trace, threads, 0);
    struct pipeline *pipe = threads >= 2 && !feeding && long_trace ? pcs_pipeline_start(trace) : NULL;
    enum pcs_status status = pipe ? loop_pipelined(pipe, visitor, err) : loop_inline(trace, visitor, err);
    pcs_pipeline_stop(pipe);
    if (feeding)
        pcs_trace_read_ahead_stop(trace);
    return status == PCS_END ? PCS_OK : status;
}
