/* pcsim: observed against simulated cache usage (docs/design.md §9).
 *
 * A request imported from a provider's log carries the cache usage the
 * provider reported (pcs_request.observed). These are the two rules every
 * comparison of it with a simulation uses: a request's deviation, whose sum
 * over the requests divided by their input is the error E, and whether the
 * two agree (pure functions, thread-safe); and the reconciliation of a
 * replay that sums them (below). Units: tokens. */
#ifndef PCSIM_RECONCILE_H
#define PCSIM_RECONCILE_H

#include <stdint.h>

#include "pcsim/cache.h"
#include "pcsim/request.h"
#include "pcsim/status.h"
#include "pcsim/trace.h"

/* Tokens a request agrees within at least, and the share of its input
 * (1%) it agrees within when that is more. */
#define PCS_AGREE_MIN_TOKENS 128u
#define PCS_AGREE_INPUT_SHARE 0.01

/* |sim.cache_read - obs.cache_read| + |sim.cache_write - obs.cache_write|:
 * the request's part of E = sum(deviation) / sum(input). */
uint64_t pcs_observed_deviation(const struct pcs_observed *obs, const struct pcs_usage *sim);

/* 1 if the deviation is at most max(PCS_AGREE_MIN_TOKENS,
 * PCS_AGREE_INPUT_SHARE x input_tokens), else 0. */
int pcs_observed_agrees(const struct pcs_observed *obs, const struct pcs_usage *sim, uint64_t input_tokens);

/* ---- The reconciliation of a replay: every request's observed usage
 * against its simulated usage, summed (DESIGN §9) ----
 *
 * A reconciler sees every replayed request with its simulated usage (the
 * chosen cache's). Requests without observed usage are counted, never
 * silently dropped; the sums below are over the requests that carry it, so
 * both sides of every comparison cover the same requests. Besides the sums
 * it keeps the requests that disagree most: those outside the agreement
 * tolerance (pcs_observed_agrees) with the largest deviation, the earlier
 * request first among equal deviations.
 *
 * Thread safety: a reconciler is changed by every add; one thread uses it
 * at a time. Ownership: a pcs_reconciliation is filled only on PCS_OK and
 * released with pcs_reconciliation_free. Units: tokens, USD. */

/* How many requests the worst list of a replay's reconciliation keeps. */
#define PCS_RECONCILE_WORST 10

/* Observed and simulated sums over a set of requests that carry observed
 * usage (the whole trace, or one model). */
struct pcs_reconcile_sums {
    /* The observed usage as if a cache had produced it (pcs_observed_usage)
     * and the simulated one, summed: requests, input and output are the same
     * on both sides. */
    struct pcs_usage observed;
    struct pcs_usage simulated;
    uint64_t deviation; /* Σ pcs_observed_deviation, tokens */
    uint64_t agreeing;  /* requests for which pcs_observed_agrees */
    /* Both usages priced by the replay's catalog, in USD; set when priced
     * (the replay is priced and, for a model, the catalog knows it). */
    int priced;
    double observed_usd;
    double simulated_usd;
};

/* One request of the worst list. */
struct pcs_reconcile_request {
    char *place; /* "path:line" or "path: requests[i]..." (pcs_trace_request_place; owned) */
    uint32_t model;
    int64_t t_ms;
    struct pcs_usage observed; /* this request's (pcs_observed_usage) */
    struct pcs_usage simulated;
    uint64_t deviation; /* pcs_observed_deviation, tokens */
};

struct pcs_reconciliation {
    struct pcs_reconcile_sums total;
    struct pcs_reconcile_sums *by_model; /* model_count entries, by trace model id (owned) */
    size_t model_count;
    uint64_t without_observed; /* replayed requests that carry no observed usage */
    /* The requests that disagree most: largest deviation first, the earlier
     * request first among equals; at most PCS_RECONCILE_WORST (owned). */
    struct pcs_reconcile_request *worst;
    size_t worst_count;
    uint64_t disagreeing; /* every request that does not agree, listed or not */
};

/* The usage a request's observed cache usage stands for, as if a cache had
 * produced it: one request, req's input and output, the observed
 * cache_read, cache_write and cache_write_1h. */
void pcs_observed_usage(const struct pcs_request *req, struct pcs_usage *usage);

/* DESIGN §9's E over sums: deviation / Σ input (0 when there is no input). */
double pcs_reconcile_error(const struct pcs_reconcile_sums *sums);

/* The share of the requests that agree (0 when there are none). */
double pcs_reconcile_agreement(const struct pcs_reconcile_sums *sums);

typedef struct pcs_reconciler pcs_reconciler;

/* An empty reconciler; NULL with err filled (PCS_ERR_NOMEM). */
pcs_reconciler *pcs_reconciler_new(struct pcs_error *err);
void pcs_reconciler_free(pcs_reconciler *reconciler); /* NULL is a no-op */

/* Adds one replayed request with its simulated usage; requests must come in
 * replay order (the worst list's tie-break). PCS_ERR_NOMEM. */
enum pcs_status pcs_reconciler_add(pcs_reconciler *reconciler, const struct pcs_request *req,
                                   const struct pcs_usage *simulated);

/* 1 once a request with observed usage was added. */
int pcs_reconciler_has_observed(const pcs_reconciler *reconciler);

/* The sums, per trace model (trace gives the model count and the worst
 * requests' places; it is the trace the requests came from, read to the end
 * or stopped). The dollars are left unset (priced 0); see
 * pcs_replay_coster_reconcile. On PCS_OK release *out with
 * pcs_reconciliation_free; PCS_ERR_NOMEM leaves nothing to release. */
enum pcs_status pcs_reconciler_finish(const pcs_reconciler *reconciler, const pcs_trace *trace,
                                      struct pcs_reconciliation *out, struct pcs_error *err);

void pcs_reconciliation_free(struct pcs_reconciliation *reconciliation); /* NULL is a no-op */

#endif
