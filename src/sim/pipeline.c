/* The reader thread for replay; see pipeline.h.
 *
 * A ring of batches: the reader fills the next free batch and marks it
 * full; the consumer takes full batches in order and hands them back. One
 * mutex and two condition variables guard the ring's two counters. */
#include "pipeline.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/memory.h"

#define RING 8

struct pipeline {
    pcs_trace *trace;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t filled;  /* signalled when a batch becomes full */
    pthread_cond_t emptied; /* signalled when a batch is handed back */
    struct pipeline_batch batches[RING];
    uint64_t produced; /* batches filled so far */
    uint64_t consumed; /* batches handed back so far */
    int stopping;
};

/* Reads up to PIPELINE_BATCH requests (or PIPELINE_BATCH_BOUNDS bounds) into
 * batch, copying their arrays. */
static void fill(struct pipeline *pipe, struct pipeline_batch *batch)
{
    size_t used = 0;
    batch->count = 0;
    batch->status = PCS_OK;
    batch->error.message[0] = '\0';
    while (batch->count < PIPELINE_BATCH && (batch->count == 0 || used < PIPELINE_BATCH_BOUNDS)) {
        struct pcs_request *req = &batch->requests[batch->count];
        enum pcs_status status = pcs_trace_next(pipe->trace, req, &batch->error);
        if (status != PCS_OK) {
            batch->status = status;
            break;
        }
        /* Room for a full batch from the start: no copies as it fills. */
        if (pcs_bound_arrays_reserve(&batch->bounds, used + req->bound_count, PIPELINE_BATCH_BOUNDS + 4096) != 0) {
            batch->status = pcs_error_set(&batch->error, PCS_ERR_NOMEM, "out of memory while reading the trace");
            break;
        }
        size_t n = req->bound_count;
        memcpy(batch->bounds.units + used, req->units, n * sizeof *batch->bounds.units);
        memcpy(batch->bounds.ends + used, req->ends, n * sizeof *batch->bounds.ends);
        if (req->flags)
            memcpy(batch->bounds.flags + used, req->flags, n);
        /* Offsets for now: the buffers may still move. */
        req->units = (const uint64_t *)(uintptr_t)used;
        req->flags = req->flags ? (const uint8_t *)(uintptr_t)(used + 1) : NULL;
        used += n;
        batch->count++;
    }
    for (size_t i = 0; i < batch->count; i++) {
        struct pcs_request *req = &batch->requests[i];
        size_t offset = (size_t)(uintptr_t)req->units;
        req->units = batch->bounds.units + offset;
        req->ends = batch->bounds.ends + offset;
        if (req->flags)
            req->flags = batch->bounds.flags + offset;
    }
    batch->model_count = pcs_trace_model_count(pipe->trace);
}

static void *reader(void *arg)
{
    struct pipeline *pipe = arg;
    for (;;) {
        pthread_mutex_lock(&pipe->lock);
        while (pipe->produced - pipe->consumed == RING && !pipe->stopping)
            pthread_cond_wait(&pipe->emptied, &pipe->lock);
        int stopping = pipe->stopping;
        struct pipeline_batch *batch = &pipe->batches[pipe->produced % RING];
        pthread_mutex_unlock(&pipe->lock);
        if (stopping)
            return NULL;
        fill(pipe, batch);
        pthread_mutex_lock(&pipe->lock);
        pipe->produced++;
        pthread_cond_signal(&pipe->filled);
        pthread_mutex_unlock(&pipe->lock);
        if (batch->status != PCS_OK)
            return NULL;
    }
}

struct pipeline *pcs_pipeline_start(pcs_trace *trace)
{
    struct pipeline *pipe = calloc(1, sizeof *pipe);
    if (!pipe)
        return NULL;
    pipe->trace = trace;
    pthread_mutex_init(&pipe->lock, NULL);
    pthread_cond_init(&pipe->filled, NULL);
    pthread_cond_init(&pipe->emptied, NULL);
    if (pcs_memory_thread_start(&pipe->thread, reader, pipe) != 0) {
        pthread_mutex_destroy(&pipe->lock);
        pthread_cond_destroy(&pipe->filled);
        pthread_cond_destroy(&pipe->emptied);
        free(pipe);
        return NULL;
    }
    return pipe;
}

struct pipeline_batch *pcs_pipeline_next(struct pipeline *pipe)
{
    pthread_mutex_lock(&pipe->lock);
    while (pipe->produced == pipe->consumed)
        pthread_cond_wait(&pipe->filled, &pipe->lock);
    struct pipeline_batch *batch = &pipe->batches[pipe->consumed % RING];
    pthread_mutex_unlock(&pipe->lock);
    return batch;
}

void pcs_pipeline_release(struct pipeline *pipe, struct pipeline_batch *batch)
{
    (void)batch;
    pthread_mutex_lock(&pipe->lock);
    pipe->consumed++;
    pthread_cond_signal(&pipe->emptied);
    pthread_mutex_unlock(&pipe->lock);
}

void pcs_pipeline_stop(struct pipeline *pipe)
{
    if (!pipe)
        return;
    pthread_mutex_lock(&pipe->lock);
    pipe->stopping = 1;
    pthread_cond_signal(&pipe->emptied);
    pthread_mutex_unlock(&pipe->lock);
    pthread_join(pipe->thread, NULL);
    for (int i = 0; i < RING; i++)
        pcs_bound_arrays_free(&pipe->batches[i].bounds);
    pthread_mutex_destroy(&pipe->lock);
    pthread_cond_destroy(&pipe->filled);
    pthread_cond_destroy(&pipe->emptied);
    free(pipe);
}
