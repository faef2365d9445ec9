/* pcsim: cache curves in one pass (issue #5): cached tokens as a function
 * of the TTL or of the cache's capacity, every point exact (equal, token for
 * token, to a separate replay with that TTL or capacity).
 *
 * TTL curves (ttl, openai): with refresh on use every bound of a prompt is
 * refreshed at each request whatever the TTL, so last uses do not depend on
 * the TTL; a bound is alive under TTL tau iff its gap since last use is
 * < tau, and gaps never decrease along a prompt's chain, so a request's
 * matched prefix is a step function of tau (min tokens and granularity are
 * applied per point). breakpoint curves play every TTL as a lane of one
 * cache (pcs_cache_new_lanes: one walk of the tree per request), beside the
 * ideal cache over the same read of the trace.
 *
 * Capacity curves (lru): the cache keeps the most recently used bounds
 * whose sizes fit, so every capacity's cache is the recent end of one
 * recency stack: one pass keeps, per capacity, where its cache's end falls.
 * A bound costs what it cost when its cache inserted it, and the same chain
 * may come back with other ends (a partial last block that grows), so a
 * bound's weight can depend on the capacity: each point keeps its own
 * differences, and a larger cache need not hold what a smaller one holds.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a sweep reads
 * its trace to the end, so one trace is swept by one call at a time; the
 * threads it starts are joined before it returns. Ownership: a result is
 * filled only on PCS_OK and released with pcs_sweep_result_free; on failure
 * there is nothing to release. Units: TTLs in ms, capacities and usage in
 * tokens, costs in USD. */
#ifndef PCSIM_SWEEP_H
#define PCSIM_SWEEP_H

#include "pcsim/cache.h"
#include "pcsim/replay.h"
#include "pcsim/replay_cost.h"
#include "pcsim/trace.h"

struct pcs_sweep_point {
    int64_t ttl_ms;             /* TTL curves, ms; 0 for capacity curves */
    uint64_t capacity_tokens;   /* capacity curves, tokens; 0 for TTL curves */
    struct pcs_usage total;     /* as pcs_replay_result.total with that TTL or capacity */
    struct pcs_usage *by_model; /* model_count entries, by trace model id (owned) */
    int priced;                 /* cost below is set */
    struct pcs_cost cost;       /* with prices: the point's cost with the cache, USD */
};

struct pcs_sweep_result {
    struct pcs_cache_config base;   /* the policy and its fixed parameters (min, granularity) */
    size_t point_count;             /* in the order asked */
    struct pcs_sweep_point *points; /* owned */
    size_t model_count;
    struct pcs_usage ideal; /* the ideal cache's usage: the ceiling */
    int priced;
    double ideal_cost;         /* with prices, USD */
    double without_cache_cost; /* with prices, USD: nothing cached */
    uint64_t bounds;
    uint64_t marked_requests; /* breakpoint curves: requests with a "5m"/"1h" marker,
                               * which every point's TTL overrides */
    uint64_t skipped;         /* lenient mode */
};

/* The curve of base.policy (ttl, openai or breakpoint) over ttls_ms[0..count)
 * (each > 0; any order, duplicates allowed), on every remaining request of
 * trace, plus the ideal ceiling. With pricing (NULL: tokens only) each point
 * is priced as replay prices it, but for a breakpoint curve whose
 * pricing->sold_preset names a provider's preset: there each point's writes
 * are billed as that provider sells the point's TTL (pcsim/ttl_class.h;
 * pricing->sold_ttl_ms is ignored, each point's TTL is used). */
enum pcs_status pcs_sweep_ttl(pcs_trace *trace, const struct pcs_cache_config *base, const int64_t *ttls_ms,
                              size_t count, const struct pcs_replay_cost_config *pricing, unsigned threads,
                              struct pcs_sweep_result *result, struct pcs_error *err);

/* As pcs_sweep_ttl, with each model's cache configured as replay configures
 * it (pcsim/replay.h: pcs_model_config_fn; the TTL is the point's, the
 * policy must stay base's): per-model minimums of the Anthropic and Gemini
 * presets. model_config may be NULL. */
enum pcs_status pcs_sweep_ttl_per_model(pcs_trace *trace, const struct pcs_cache_config *base, const int64_t *ttls_ms,
                                        size_t count, const struct pcs_replay_cost_config *pricing, unsigned threads,
                                        pcs_model_config_fn model_config, void *model_config_context,
                                        struct pcs_sweep_result *result, struct pcs_error *err);

/* The lru curve over capacities[0..count) (each > 0), plus the ideal ceiling. */
enum pcs_status pcs_sweep_capacity(pcs_trace *trace, const uint64_t *capacities, size_t count,
                                   const struct pcs_replay_cost_config *pricing, unsigned threads,
                                   struct pcs_sweep_result *result, struct pcs_error *err);

/* Releases what a result holds and empties it (the struct is the caller's). */
void pcs_sweep_result_free(struct pcs_sweep_result *result);

#endif
