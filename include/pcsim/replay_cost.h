/* pcsim: dollars for a replay (usage -> pricing, DESIGN §4).
 *
 * A coster sees each replayed request with its usage under the chosen
 * cache and under the ideal one, sums them per (model, tier, price class)
 * and prices the sums: the cost with the cache, without any cache (every
 * prompt token uncached) and with the ideal cache, per model and in all.
 * Requests that carry a task (native traces) also give the cost per
 * completed task: all spend on tasks, failed attempts and abandoned tasks
 * included, over the tasks whose last request succeeded. Requests that
 * carry observed usage (DESIGN §9) have it priced too, as if the cache had
 * produced it, beside the chosen cache's usage of the same requests: the
 * dollars of a reconciliation (pcsim/reconcile.h).
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a coster is
 * changed by every add, so one thread uses it at a time; distinct costers
 * are independent (the catalog and trace they borrow are only read).
 * Ownership: a pcs_replay_cost is filled only on PCS_OK and released with
 * pcs_replay_cost_free. Units: money in USD; counts are requests or tasks. */
#ifndef PCSIM_REPLAY_COST_H
#define PCSIM_REPLAY_COST_H

#include "pcsim/pricing.h"
#include "pcsim/reconcile.h"
#include "pcsim/trace.h"

struct pcs_replay_cost_config {
    const pcs_catalog *catalog; /* borrowed; must outlive the coster */
    double price_time_s;        /* prices in effect then, Unix seconds (pcs_model_prices_at) */
    int tier_override;          /* an enum pcs_tier for every request, or -1: each request's own */
    double region_uplift;       /* multiplier, 1 for none; < 0: each provider's from the catalog */
    /* A what-if TTL priced as it is sold (sweeps and calibration; DESIGN
     * §3): when sold_preset names a provider's preset that sells the TTL
     * sold_ttl_ms (pcsim/ttl_class.h: pcs_ttl_sale_of), every write of the
     * chosen cache is billed at the sold class's write price (all of them
     * as 1-hour writes when the class is an hour or longer, none when
     * shorter). NULL, or a TTL not sold: writes are billed by the TTL they
     * were written with. */
    const char *sold_preset;
    int64_t sold_ttl_ms;
};

/* One trace model's cost. */
struct pcs_model_cost {
    const struct pcs_model *priced_as; /* NULL: not in the catalog, left out of the totals */
    struct pcs_cost with_cache;        /* the chosen cache, part by part, USD */
    double without_cache;              /* USD, nothing cached */
    double ideal;                      /* USD, the ideal cache */
    /* Requests asking for a tier the provider does not sell, by that tier;
     * they are priced at the standard tier. */
    uint64_t unsold_tier_requests[PCS_TIER_COUNT];
};

struct pcs_task_stats {
    uint64_t tasks;      /* distinct task ids */
    uint64_t completed;  /* tasks whose last request succeeded */
    uint64_t requests;   /* requests that carry a task */
    double spend;        /* their cost with the cache, USD */
    double failed_spend; /* of which on failed requests */
};

struct pcs_replay_cost {
    size_t model_count;              /* the trace's models */
    struct pcs_model_cost *by_model; /* indexed by trace model id (owned) */
    struct pcs_cost with_cache;      /* over the priced models, USD */
    double without_cache;            /* USD */
    double ideal;                    /* USD */
    uint64_t priced_requests;
    uint64_t unpriced_requests;
    struct pcs_task_stats tasks; /* tasks == 0 when no request carries one */
};

typedef struct pcs_replay_coster pcs_replay_coster;

/* A coster for requests of trace, with a copy of config (config->catalog
 * and trace are borrowed: it reads prices and model names from them, and
 * both must outlive the coster). NULL with err filled (PCS_ERR_NOMEM) when
 * out of memory. */
pcs_replay_coster *pcs_replay_coster_new(const struct pcs_replay_cost_config *config, const pcs_trace *trace,
                                         struct pcs_error *err);
void pcs_replay_coster_free(pcs_replay_coster *coster); /* NULL is a no-op */

/* The catalog model a trace model is priced as (NULL: none), resolved once;
 * it lives as long as the catalog. */
const struct pcs_model *pcs_replay_coster_model(pcs_replay_coster *coster, uint32_t model);

/* Adds one request: its usage with the chosen cache and with the ideal one
 * (ideal may be NULL when the chosen cache is the ideal one). Sets
 * *request_cost to the request's own cost with the cache in USD, or -1 when
 * its model is not priced. A tier the provider does not sell is priced as
 * standard and counted (pcs_model_cost.unsold_tier_requests). Errors:
 * PCS_ERR_ARG when usage is inconsistent (cache_read + cache_write > input;
 * nothing is recorded then), PCS_ERR_NOMEM. */
enum pcs_status pcs_replay_coster_add(pcs_replay_coster *coster, const struct pcs_request *req,
                                      const struct pcs_usage *chosen, const struct pcs_usage *ideal,
                                      double *request_cost, struct pcs_error *err);

/* Prices the sums into *cost (release with pcs_replay_cost_free; on failure
 * there is nothing to release). */
enum pcs_status pcs_replay_coster_finish(pcs_replay_coster *coster, struct pcs_replay_cost *cost,
                                         struct pcs_error *err);
void pcs_replay_cost_free(struct pcs_replay_cost *cost);

/* Fills the dollars of reconciliation (from pcs_reconciler_finish over the
 * same requests): each priced model's and, over the priced models, the
 * total's observed_usd and simulated_usd, priced as pcs_replay_coster_finish
 * prices (the same tiers, classes and multipliers); priced is set on the
 * total and on each model the catalog knows. Errors: PCS_ERR_NOMEM. */
enum pcs_status pcs_replay_coster_reconcile(pcs_replay_coster *coster, struct pcs_reconciliation *reconciliation,
                                            struct pcs_error *err);

#endif
