/* pcsim: calibration of a cache model's TTL against observed usage
 * (DESIGN §9, docs/design.md §9).
 *
 * Requests that carry what the provider reported (pcs_request.observed)
 * are replayed at every TTL of a list in one pass over the trace (the TTL
 * sweep's machinery, pcsim/sweep.h), and each TTL gets the token-weighted
 * error
 *     E(tau) = sum over observed requests of pcs_observed_deviation
 *              / sum of their input tokens
 * (pcsim/reconcile.h holds the deviation: one place for the rule). The best
 * TTL tau* is the smallest TTL with the least E; its interval is the run of
 * TTLs, in TTL order, around tau* whose E is within 0.001 of the best (an
 * interval claims every TTL in it, so the run stops at the first point
 * outside); the preset's own TTL gets its E too. Every point is a what-if
 * TTL: it overrides the trace's "5m"/"1h" breakpoint markers (DESIGN §3).
 * Requests without observed usage are replayed (they change the cache) but
 * are not part of E; they are counted.
 *
 * A second pass (pcs_calibrate_costs) prices the trace under each provider
 * preset whose TTL can be set, at tau*.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a calibration
 * reads its trace to the end, so one trace is calibrated by one call at a
 * time; threads it starts are joined before it returns. Ownership: results
 * are filled only on PCS_OK and released with their _free; on failure there
 * is nothing to release. Units: TTLs in ms, tokens, errors as ratios (E is
 * tokens of deviation per input token, >= 0 and at most 2), costs in USD. */
#ifndef PCSIM_CALIBRATE_H
#define PCSIM_CALIBRATE_H

#include "pcsim/cache.h"
#include "pcsim/replay.h"
#include "pcsim/replay_cost.h"
#include "pcsim/ttl_class.h"
#include "pcsim/trace.h"

/* Two errors closer than this are the same fit: the interval's tolerance. */
#define PCS_CALIBRATE_TOLERANCE 0.001

struct pcs_calibrate_config {
    /* The policy (one with a TTL curve: ttl, openai, breakpoint) and its
     * fixed parameters; base.ttl_ms is the preset's own (nominal) TTL. */
    struct pcs_cache_config base;
    const int64_t *ttls_ms; /* ttl_count TTLs, each > 0, any order (borrowed) */
    size_t ttl_count;
    /* Each model's cache as replay configures it (per-model minimums of the
     * Anthropic and Gemini presets; the TTL is the point's); may be NULL. */
    pcs_model_config_fn model_config;
    void *model_config_context;
    unsigned threads; /* 2 or more: read ahead on a second thread */
    /* NULL, or this process's share of the points, for a calibration
     * spread over processes (src/dist/ fills it): see below. */
    const struct pcs_calibrate_share *share;
};

/* A share of a calibration's points: the asked TTLs, then the nominal one
 * when it was not asked, are points 0, 1, ...; process `index` of `count`
 * sweeps the points i with i % count == index (point 0 is always process
 * 0's), then gather, called on every process with every point (this
 * process's filled), must fill in the others' points on the process that
 * reports, before tau* is found. Only that process's result is whole; a
 * process without points reads nothing and returns an empty result. */
struct pcs_calibrate_point;
struct pcs_calibrate_share {
    unsigned index, count; /* 0 <= index < count */
    enum pcs_status (*gather)(void *context, struct pcs_calibrate_point *points, size_t count, struct pcs_error *err);
    void *context;
};

struct pcs_calibrate_point {
    int64_t ttl_ms;
    uint64_t deviation;   /* sum of pcs_observed_deviation over observed requests, tokens */
    double error;         /* E: deviation / observed input */
    uint64_t cache_read;  /* simulated, summed over the observed requests alone */
    uint64_t cache_write; /* the same */
};

struct pcs_calibrate_result {
    struct pcs_cache_config base;
    size_t point_count;
    struct pcs_calibrate_point *points; /* in the order asked (owned) */
    size_t best;                        /* index of tau* in points */
    size_t interval_low, interval_high; /* indexes of the interval's ends (TTL order) */
    size_t within_tolerance;            /* points within the tolerance, also outside the interval */
    struct pcs_calibrate_point nominal; /* at base.ttl_ms */
    uint64_t requests;                  /* every request replayed */
    uint64_t observed_requests;         /* those with observed usage (part of E) */
    uint64_t unobserved_requests;       /* those without (not part of E) */
    struct pcs_usage observed;          /* what the provider reported, over observed requests; its
                                         * input is E's denominator */
    uint64_t marked_requests;           /* requests with "5m"/"1h" markers, which every point overrides */
    uint64_t skipped;                   /* lenient mode */
};

/* Calibrates config->base's TTL on every remaining request of trace.
 * Errors: PCS_ERR_ARG for a policy without a TTL curve or a bad TTL list;
 * PCS_ERR_RANGE when no request carries observed usage, or their input is
 * 0 tokens (E has no denominator); the trace's errors (err names file,
 * line, field); PCS_ERR_NOMEM. */
enum pcs_status pcs_calibrate(pcs_trace *trace, const struct pcs_calibrate_config *config,
                              struct pcs_calibrate_result *result, struct pcs_error *err);

/* Releases what a result holds and empties it (the struct is the caller's). */
void pcs_calibrate_result_free(struct pcs_calibrate_result *result);

/* The presets pcs_calibrate_costs prices (static text, in their order):
 * every provider preset whose cache has a TTL; NULL past the last. */
const char *pcs_calibrate_cost_preset(size_t index);

/* One preset's cost at the calibrated TTL. */
struct pcs_calibrate_cost {
    const char *preset;     /* static text */
    size_t same_as;         /* index of the first preset whose cache is this one's at the TTL
                             * (its own index when none is): equal caches are played once */
    struct pcs_cost cost;   /* the trace's cost with that cache, USD */
    struct pcs_usage total; /* its usage */
    /* breakpoint presets: whether the preset's provider sells the TTL
     * (pcsim/ttl_class.h); when sold, the writes are billed at the sold
     * class's write price (sold, a built-in row); PCS_TTL_NO_SELLER for
     * the other presets, whose writes are billed as written. */
    enum pcs_ttl_sale sale;
    const struct pcs_ttl_class *sold;
};

struct pcs_calibrate_costs {
    int64_t ttl_ms; /* the TTL every preset ran with */
    size_t count;
    struct pcs_calibrate_cost *costs; /* owned */
    double without_cache_cost;        /* USD, nothing cached */
    double ideal_cost;                /* USD, the ideal cache */
    uint64_t priced_requests, unpriced_requests;
};

/* Plays every remaining request of trace once under each preset of
 * pcs_calibrate_cost_preset, each with ttl_ms overriding its own TTL and
 * every breakpoint marker (each model's cache from catalog, as replay
 * configures it: per-model minimums), and prices each (pricing must not be
 * NULL; its sold_preset and sold_ttl_ms are ignored): a breakpoint preset's
 * writes as its provider sells ttl_ms (pcs_calibrate_cost.sale). Errors: the trace's, PCS_ERR_ARG for a bad TTL,
 * PCS_ERR_NOMEM. */
enum pcs_status pcs_calibrate_costs(pcs_trace *trace, int64_t ttl_ms, const struct pcs_replay_cost_config *pricing,
                                    unsigned threads, struct pcs_calibrate_costs *costs, struct pcs_error *err);

void pcs_calibrate_costs_free(struct pcs_calibrate_costs *costs);

#endif
