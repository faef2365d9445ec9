/* The cache object and the policy vtable (internal to src/cache). Each
 * policy lives in its own file and exports only its ops. */
#ifndef PCSIM_CACHE_INTERNAL_H
#define PCSIM_CACHE_INTERNAL_H

#include "pcsim/cache.h"
#include "tree.h"

struct policy_ops {
    enum pcs_policy policy;
    int with_costs; /* the tree keeps per-bound costs and a recency list */
    enum pcs_status (*access)(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage);
};

struct pcs_cache {
    struct pcs_cache_config config;
    const struct policy_ops *ops;
    struct tree tree;
    int64_t last_t_ms;
    uint64_t cached_tokens; /* lru */
    uint32_t *costs;        /* lru scratch: per-bound costs of a request */
    size_t costs_cap;
    uint64_t sweep_at; /* live nodes that trigger the next sweep of dead ones */
    int profiling;     /* record each request's gap profile (ttl, openai, ideal) */
    struct pcs_gap_step *profile;
    size_t profile_len;
    size_t profile_cap;
};

extern const struct policy_ops pcs_policy_none;
extern const struct policy_ops pcs_policy_ideal;
extern const struct policy_ops pcs_policy_ttl;
extern const struct policy_ops pcs_policy_openai;
extern const struct policy_ops pcs_policy_breakpoint;
extern const struct policy_ops pcs_policy_lru;

/* What a policy's dead-node test is given. */
struct sweep_context {
    int64_t now_ms;
    int64_t ttl_ms;
};

/* Frees the dead parts of the tree once it has grown by half since the last
 * time (policies with expiry call this before each access), so memory
 * follows the live entries, not every prefix ever seen. */
void pcs_cache_sweep_if_due(pcs_cache *cache, int64_t now_ms, tree_dead_fn is_dead);

/* TTL in ms of a bound's entry: the policy's when it overrides markers,
 * else its marker's, else the policy's. */
int64_t pcs_cache_bound_ttl(const pcs_cache *cache, const struct pcs_request *req, size_t bound);

#define CACHE_ONE_HOUR_MS 3600000

#endif
