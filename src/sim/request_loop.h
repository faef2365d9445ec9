/* The one loop that feeds a trace's requests to a simulation (internal to
 * src/sim): replay and both sweeps pull their requests through it.
 *
 * On one thread it reads a request and plays it, in turn. With two threads
 * on a long trace a reader thread parses ahead in batches (pipeline.h), and
 * each request may be announced a few requests before its turn (for the
 * caches' read-ahead, cache/prefetch_internal.h). Requests are played in
 * trace order either way, so results do not depend on the thread count. */
#ifndef PCSIM_SIM_REQUEST_LOOP_H
#define PCSIM_SIM_REQUEST_LOOP_H

#include "pcsim/trace.h"

struct request_visitor {
    /* Plays one request (its arrays are valid during the call). Anything
     * but PCS_OK ends the loop with that status; PCS_END ends it early as
     * the trace's end does. Runs on the calling thread. While a reader
     * thread runs, play may only ask the trace for model names and counts
     * (which are locked), nothing that reads it. */
    enum pcs_status (*play)(void *context, const struct pcs_request *req);
    /* Optional: req will be played PCS_CACHE_LOOKAHEAD requests from now
     * (or sooner); called with a reader thread only. Must not change a
     * result. */
    void (*announce)(void *context, const struct pcs_request *req);
    void *context;
};

/* Plays every remaining request of trace through visitor, reading ahead on
 * a second thread when threads >= 2 and the trace is long. Returns PCS_OK
 * at the trace's end (or when play returned PCS_END), else the first error
 * (the trace's, with err filled, or play's). */
enum pcs_status pcs_request_loop(pcs_trace *trace, unsigned threads, const struct request_visitor *visitor,
                                 struct pcs_error *err);

#endif
