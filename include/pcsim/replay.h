/* pcsim: replay a trace through a cache model (trace -> usage).
 *
 * Requests come from the trace in time order, each goes through the cache,
 * and its usage is summed overall and per model. An observer, if given,
 * sees every request with its usage (for per-request output). */
#ifndef PCSIM_REPLAY_H
#define PCSIM_REPLAY_H

#include "pcsim/cache.h"
#include "pcsim/trace.h"

struct pcs_replay_result {
    struct pcs_usage total;
    struct pcs_usage *by_model; /* model_count entries, indexed by trace model id */
    size_t model_count;
    uint64_t bounds;            /* prefix bounds processed */
    uint64_t skipped;           /* records skipped in lenient mode */
};

typedef enum pcs_status (*pcs_replay_observer)(void *context, const struct pcs_request *req,
                                               const struct pcs_usage *usage);

/* Replays every remaining request of trace through a new cache built from
 * config. With threads >= 2, on a long trace, a second thread parses the
 * trace ahead while this one runs the cache; the result is the same for
 * any thread count.
 * The observer runs on the calling thread. On success fills *result
 * (release with pcs_replay_result_free). Errors: the trace's (err names
 * file, line, field), PCS_ERR_ARG for a bad config, PCS_ERR_NOMEM, or what
 * the observer returned. */
enum pcs_status pcs_replay(pcs_trace *trace, const struct pcs_cache_config *config, unsigned threads,
                           pcs_replay_observer observer, void *context, struct pcs_replay_result *result,
                           struct pcs_error *err);

void pcs_replay_result_free(struct pcs_replay_result *result);

#endif
