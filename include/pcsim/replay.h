/* pcsim: replay a trace through a cache model (trace -> usage).
 *
 * Requests come from the trace in time order, each goes through the cache,
 * and its usage is summed overall and per model. An observer, if given,
 * sees every request with its usage (for per-request output).
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a replay
 * reads its trace to the end, so one trace is replayed by one call at a
 * time; the threads it starts are joined before it returns, and observers
 * and model_config functions run on the calling thread. Ownership: a
 * result is filled only on PCS_OK and released with pcs_replay_result_free;
 * on failure there is nothing to release. Units: token counts. */
#ifndef PCSIM_REPLAY_H
#define PCSIM_REPLAY_H

#include "pcsim/cache.h"
#include "pcsim/trace.h"

struct pcs_replay_result {
    struct pcs_usage total;
    struct pcs_usage *by_model; /* model_count entries, indexed by trace model id (owned) */
    size_t model_count;
    uint64_t bounds;            /* prefix bounds processed (a count) */
    uint64_t marked_requests;   /* requests with a breakpoint marked "5m" or "1h" */
    uint64_t skipped;           /* records skipped in lenient mode */
};

typedef enum pcs_status (*pcs_replay_observer)(void *context, const struct pcs_request *req,
                                               const struct pcs_usage *usage);

/* Replays every remaining request of trace through a new cache built from
 * config (observer may be NULL; context is passed to it). With threads >= 2, on a long trace, a second thread parses the
 * trace ahead while this one runs the cache; the result is the same for
 * any thread count.
 * The observer runs on the calling thread. On success fills *result
 * (release with pcs_replay_result_free). Errors: the trace's (err names
 * file, line, field), PCS_ERR_ARG for a bad config, PCS_ERR_NOMEM, or what
 * the observer returned. */
enum pcs_status pcs_replay(pcs_trace *trace, const struct pcs_cache_config *config, unsigned threads,
                           pcs_replay_observer observer, void *context, struct pcs_replay_result *result,
                           struct pcs_error *err);

/* Chooses the cache configuration of one model (the trace's model id and
 * name) when the replay first meets it; config holds the lane's own on entry.
 * Returning anything but PCS_OK stops the replay with that status (the
 * function fills err, which may be NULL). */
typedef enum pcs_status (*pcs_model_config_fn)(void *context, uint32_t model, const char *name,
                                               struct pcs_cache_config *config, struct pcs_error *err);

/* One cache model played over the trace. Models whose configurations are
 * equal share one cache (so an lru capacity is shared, as on one server). */
struct pcs_replay_lane {
    struct pcs_cache_config config;   /* every model's, unless model_config changes it */
    pcs_model_config_fn model_config; /* NULL: config for every model */
    void *model_config_context;
    struct pcs_replay_result result;  /* filled by pcs_replay_lanes */
};

/* The lanes' usages of one request, lane by lane. */
typedef enum pcs_status (*pcs_replay_lanes_observer)(void *context, const struct pcs_request *req,
                                                     const struct pcs_usage *usages);

/* As pcs_replay, for several cache models at once: the trace is read once
 * and every request goes through every lane (lane_count >= 1). On success
 * each lane's result is filled (release each with pcs_replay_result_free);
 * on failure none is. */
enum pcs_status pcs_replay_lanes(pcs_trace *trace, struct pcs_replay_lane *lanes, size_t lane_count, unsigned threads,
                                 pcs_replay_lanes_observer observer, void *context, struct pcs_error *err);

/* Releases what a result holds and empties it (the struct is the caller's). */
void pcs_replay_result_free(struct pcs_replay_result *result);

#endif
