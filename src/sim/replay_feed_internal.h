/* A replay run over a feed (internal to the library: src/sim gives it,
 * src/dist's sharded replay uses it; docs/design.md §11).
 *
 * A sharded replay plays each rank's requests through the run's lanes
 * (the chosen cache and, when priced, the ideal one) on that rank, and
 * prices, reconciles and watches them all on rank 0, in the whole trace's
 * order, with the usages the shards gave. Both are pcs_replay_run over a
 * feed trace (src/trace/feed_internal.h): the same lanes, the same
 * per-model configurations, the same accounting, so that the report is the
 * one a plain replay gives. */
#ifndef PCSIM_SIM_REPLAY_FEED_INTERNAL_H
#define PCSIM_SIM_REPLAY_FEED_INTERNAL_H

#include <stddef.h>

#include "pcsim/replay.h"

struct pcs_replay_feed {
    pcs_trace *trace; /* a feed trace, read on the calling thread; the outcome takes it over */
    /* A shard's run: the caches are played and each request's usages,
     * lane by lane, handed here; nothing is priced, reconciled or watched.
     * Anything but PCS_OK stops the run with that status. */
    enum pcs_status (*played)(void *context, const pcs_trace *trace, const struct pcs_request *req,
                              const struct pcs_usage *usages, size_t lane_count);
    /* The reporting rank's run (played NULL): no cache is played; the
     * usages of the request the feed gave last, lane by lane, are these.
     * With both NULL, the caches are played and every request accounted,
     * as pcs_replay_run does (one rank of one). */
    const struct pcs_usage *(*given)(void *context);
    void *context;
};

/* The lanes a run of job plays: 1, or 2 when it prices a cache other than
 * the ideal one (or per-model presets) and so plays the ideal one beside it. */
size_t pcs_replay_run_lanes(const struct pcs_replay_job *job);

/* As pcs_replay_run, over feed->trace instead of job->inputs, on the
 * calling thread (job->threads is not used). On a shard's run the outcome
 * holds the trace and the lanes' usage sums, nothing priced. */
enum pcs_status pcs_replay_run_feed(const struct pcs_replay_job *job, const struct pcs_replay_feed *feed,
                                    struct pcs_replay_outcome *outcome, struct pcs_error *err);

/* pcs_replay_lanes with the usages given (see pcs_replay_feed.given):
 * every model met is configured as pcs_replay_lanes would configure it,
 * and the sums and the observer are the same, but no cache is played. */
enum pcs_status pcs_replay_lanes_given(pcs_trace *trace, struct pcs_replay_lane *lanes, size_t lane_count,
                                       const struct pcs_usage *(*given)(void *context), void *given_context,
                                       pcs_replay_lanes_observer observer, void *context, struct pcs_error *err);

#endif
