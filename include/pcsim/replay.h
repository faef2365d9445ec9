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

#include <signal.h>

#include "pcsim/cache.h"
#include "pcsim/input.h"
#include "pcsim/pricing.h"
#include "pcsim/replay_cost.h"
#include "pcsim/timeline.h"
#include "pcsim/trace.h"

struct pcs_replay_result {
    struct pcs_usage total;
    struct pcs_usage *by_model; /* model_count entries, indexed by trace model id (owned) */
    size_t model_count;
    uint64_t bounds;          /* prefix bounds processed (a count) */
    uint64_t marked_requests; /* requests with a breakpoint marked "5m" or "1h" */
    uint64_t skipped;         /* records skipped in lenient mode */
};

typedef enum pcs_status (*pcs_replay_observer)(void *context, const struct pcs_request *req,
                                               const struct pcs_usage *usage);

/* Replays every remaining request of trace through a new cache built from
 * config (observer may be NULL; context is passed to it). With threads >= 2, on a long trace, a second thread parses
 * the trace ahead while this one runs the cache; the result is the same for any thread count. The observer runs on the
 * calling thread. On success fills *result (release with pcs_replay_result_free). Errors: the trace's (err names file,
 * line, field), PCS_ERR_ARG for a bad config, PCS_ERR_NOMEM, or what the observer returned. */
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
    struct pcs_replay_result result; /* filled by pcs_replay_lanes */
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

/* ---- A whole replay: inputs -> trace -> caches -> usage and dollars ----
 *
 * pcs_replay_run does what 'pcsim replay' does between its command line and
 * its report: it opens the trace, plays the chosen cache (a preset, with
 * each model's own configuration for presets that depend on the model) and,
 * when priced, the ideal one beside it for its cost, prices every request,
 * and hands each request to an observer. */

/* The configuration a replay with preset plays: the preset's ("auto": the
 * none policy, each model's own being chosen as it is met) with overrides
 * applied (NULL: none). PCS_ERR_ARG for an unknown preset (config is left
 * alone). The result is not checked: see pcs_cache_config_check. */
enum pcs_status pcs_replay_preset_config(const char *preset, const struct pcs_cache_overrides *overrides,
                                         struct pcs_cache_config *config);

/* What a replay run shows its caller for each request, on the calling
 * thread. start is called before the first request, and again when the run
 * starts over (after a one-pass read met a time going back; see
 * pcs_replay_job.restartable): whatever the caller made of the requests
 * seen until then must be dropped. request sees the request, its usage with
 * the chosen cache and its cost in USD (-1: not priced). Returning anything
 * but PCS_OK stops the run with that status (PCS_END: stop early and report
 * what was replayed, as a stop flag does). Either may be NULL. */
struct pcs_replay_watch {
    enum pcs_status (*start)(void *context, const pcs_trace *trace);
    enum pcs_status (*request)(void *context, const pcs_trace *trace, const struct pcs_request *req,
                               const struct pcs_usage *usage, double cost_usd);
    void *context;
};

/* One replay. The job only borrows: inputs, the catalog, the strings and
 * the flag must outlive the run (the trace read keeps pointing at the
 * model names and inputs until pcs_replay_outcome_free). */
struct pcs_replay_job {
    const pcs_inputs *inputs;      /* the traces, opened (pcsim/input.h) */
    struct pcs_trace_config trace; /* how to read them; its threads is set from threads */
    const char *preset;            /* a pcs_cache_preset name or "auto" */
    struct pcs_cache_overrides overrides;
    /* The catalog per-model presets take their parameters from (needed for
     * them), and the prices when pricing is not NULL. */
    const pcs_catalog *catalog;
    const struct pcs_replay_cost_config *pricing; /* NULL: tokens only, no dollars */
    unsigned threads;                             /* 1: all on the calling thread; 2 or more: read ahead */
    int timeline;                                 /* 1: fill pcs_replay_outcome.timeline */
    struct pcs_replay_watch watch;                /* optional */
    /* 1 if what watch made of the requests can be dropped at a restart
     * (start is called again); then a large trace may be read in one pass.
     * 0 (say, rows written through to a pipe): every trace is indexed first. */
    int restartable;
    /* Optional; set (by a signal handler, say) to stop after the request under
     * way: the outcome holds the requests replayed so far, marked partial. */
    const volatile sig_atomic_t *stop;
};

/* What a replay run gives: everything a replay report (pcsim/report.h)
 * shows. */
struct pcs_replay_outcome {
    pcs_trace *trace;                /* as read: model names, skips, formats */
    struct pcs_cache_config config;  /* the chosen preset with the overrides */
    struct pcs_replay_result result; /* the chosen cache's usage */
    /* For per-model presets: each trace model's configuration (model_count
     * entries, indexed by model id); else NULL. */
    struct pcs_cache_config *model_configs;
    struct pcs_replay_cost cost;  /* all zero when not priced */
    int priced;                   /* 1 if cost was computed */
    struct pcs_timeline timeline; /* when pcs_replay_job.timeline */
    int partial;                  /* stopped early (job.stop or PCS_END) */
    /* Observed against simulated (pcsim/reconcile.h), filled when at least
     * one replayed request carries observed usage (then reconciled is 1);
     * its dollars when priced. */
    struct pcs_reconciliation reconciliation;
    int reconciled;
};

/* Runs job into *outcome (release with pcs_replay_outcome_free, also after
 * an error: it then holds nothing but, when the trace opened, the trace, so
 * a caller can tell an input it could not open from a failure midway).
 * Errors: PCS_ERR_ARG for an unknown preset or a bad configuration; the
 * trace's (err names file, line, field; outcome->trace NULL when it could
 * not be opened); PCS_ERR_NOMEM; or what watch returned. Reentrant: runs on
 * different threads may share the catalog and the inputs, which they only
 * read, but not a watch's context. */
enum pcs_status pcs_replay_run(const struct pcs_replay_job *job, struct pcs_replay_outcome *outcome,
                               struct pcs_error *err);

void pcs_replay_outcome_free(struct pcs_replay_outcome *outcome); /* NULL is a no-op */

#endif
