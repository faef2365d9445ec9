/* A reader thread for the request loop (internal to src/sim; see
 * request_loop.h).
 *
 * Parsing a trace and playing it through a cache take comparable time, and
 * the cache must see requests one at a time in order; so a second thread
 * parses ahead into batches while the caller's thread runs the cache. The
 * batches come out in trace order, so results do not depend on threads. */
#ifndef PCSIM_SIM_PIPELINE_H
#define PCSIM_SIM_PIPELINE_H

#include "common/bound_arrays.h"
#include "pcsim/trace.h"

/* Requests a batch holds. A handoff between the threads may cost a futex
 * wake of several microseconds on a virtual machine, so batches are large
 * (and a ring of them absorbs either side's bursts, such as a sweep). */
#define PIPELINE_BATCH 1024
/* Traces shorter than this are read inline even when threads are allowed. */
#define PIPELINE_MIN_REQUESTS 20000

/* A batch closes early once it holds this many bounds, so its buffers stay
 * small (a single longer request still gets a batch of its own). */
#define PIPELINE_BATCH_BOUNDS ((size_t)1 << 16)

struct pipeline_batch {
    struct pcs_request requests[PIPELINE_BATCH];
    size_t count;
    size_t model_count;     /* the trace's models once this batch was read */
    enum pcs_status status; /* PCS_OK, PCS_END after the last batch, or the reader's error */
    struct pcs_error error;
    struct bound_arrays bounds; /* the batch's own copies of the requests' arrays */
};

struct pipeline;

/* Starts the reader thread on trace; NULL if it cannot (out of memory or
 * no thread): the caller then reads inline. The trace belongs to the
 * reader until pcs_pipeline_stop. */
struct pipeline *pcs_pipeline_start(pcs_trace *trace);

/* The next batch in order (blocks). Hand it back with pcs_pipeline_release
 * before asking for another. A batch whose status is not PCS_OK is the last. */
struct pipeline_batch *pcs_pipeline_next(struct pipeline *pipe);
void pcs_pipeline_release(struct pipeline *pipe, struct pipeline_batch *batch);

/* Stops the reader (even midway) and frees everything. */
void pcs_pipeline_stop(struct pipeline *pipe);

#endif
