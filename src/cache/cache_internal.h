/* The cache object and the policy vtable (internal to src/cache). Each
 * policy lives in its own file and exports only its ops. */
#ifndef PCSIM_CACHE_INTERNAL_H
#define PCSIM_CACHE_INTERNAL_H

#include "pcsim/cache.h"
#include "routing.h"
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
    struct lane_entries *lanes; /* pcs_cache_new_lanes: the lanes' entries; NULL otherwise */
    struct router router;       /* overflow routing (config.overflow_rpm, or each lane's) */
};

/* The namespace req is looked up and written in at overflow_rpm: its own
 * when routing is off (0, or the none policy), else its machine's
 * (routing.h). Call once per request, after the time order is checked. */
enum pcs_status pcs_cache_route(pcs_cache *cache, uint64_t overflow_rpm, const struct pcs_request *req,
                                uint32_t *namespace_id);

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
    const pcs_cache *cache;
};

/* Frees the dead parts of the tree once it has grown by half since the last
 * time (policies with expiry call this before each access), so memory
 * follows the live entries, not every prefix ever seen. */
void pcs_cache_sweep_if_due(pcs_cache *cache, int64_t now_ms, tree_dead_fn is_dead);

/* TTL in ms of a bound's entry: the policy's when it overrides markers,
 * else its marker's, else the policy's. */
int64_t pcs_cache_bound_ttl(const pcs_cache *cache, const struct pcs_request *req, size_t bound);
int64_t pcs_cache_config_bound_ttl(const struct pcs_cache_config *config, const struct pcs_request *req, size_t bound);

/* The breakpoint policy's reading of a request and of the path
 * (policy_breakpoint.c, breakpoint_lanes.c). */
static inline int pcs_breakpoint_at(const struct pcs_request *req, size_t bound)
{
    if (req->flags)
        return (req->flags[bound] & PCS_BOUND_BREAKPOINT) != 0;
    return bound + 1 == req->bound_count;
}

/* visible_after: how long after a request's time an entry it writes
 * becomes readable (0 when the refinement is off or ttft unknown). */
static inline int64_t pcs_breakpoint_wait_ms(const struct pcs_cache_config *config, const struct pcs_request *req)
{
    if (!config->visible_after || req->ttft_ms <= 0)
        return 0;
    return req->ttft_ms < PCS_MAX_TTFT_MS ? req->ttft_ms : PCS_MAX_TTFT_MS;
}

/* lookback: the most bounds a lookup looks back from a breakpoint for req,
 * or UINT64_MAX when every bound is looked up (off, or req's units are not
 * content blocks). */
static inline uint64_t pcs_breakpoint_lookback(const struct pcs_cache_config *config, const struct pcs_request *req)
{
    if (config->lookback == 0 || !req->content_blocks)
        return UINT64_MAX;
    return config->lookback < UINT64_MAX - 1 ? config->lookback : UINT64_MAX - 1;
}

/* How many bounds past bound the nearest breakpoint at or after it lies
 * (UINT64_MAX: none). *next carries the scan from call to call: start it
 * at 0 and ask for non-decreasing bounds, so a request costs one pass. */
static inline uint64_t pcs_breakpoint_distance(const struct pcs_request *req, size_t *next, size_t bound)
{
    if (*next < bound)
        *next = bound;
    while (*next < req->bound_count && !pcs_breakpoint_at(req, *next))
        (*next)++;
    return *next < req->bound_count ? *next - bound : UINT64_MAX;
}

/* The first breakpoint at or after bound from, or req->bound_count if there
 * is none: a prompt has few breakpoints among many bounds (one, its last,
 * when none is marked), so loops over them step from one to the next. */
static inline size_t pcs_breakpoint_next(const struct pcs_request *req, size_t from)
{
    if (!req->flags)
        return from < req->bound_count ? req->bound_count - 1 : req->bound_count;
    while (from < req->bound_count && !(req->flags[from] & PCS_BOUND_BREAKPOINT))
        from++;
    return from;
}

/* The path step whose node ends exactly at depth, or -1. */
static inline long pcs_breakpoint_step_ending_at(const struct tree *tree, uint64_t depth)
{
    for (size_t s = 0; s < tree->path_len; s++) {
        const struct tree_step *step = &tree->path[s];
        uint64_t end = step->start_depth + step->matched;
        if (end == depth && step->matched == tree->nodes[step->node].len)
            return (long)s;
        if (end > depth)
            break;
    }
    return -1;
}

void pcs_cache_lanes_free(struct lane_entries *lanes);

/* The rules file's parsers (rules.c, ttl_classes.c) keep each text of a
 * parsed row in a block of its own: a malloc'ed copy of text (NULL when
 * out of memory), freed by pcs_rules_text_free (NULL is a no-op; the
 * public rows hold their texts as const). */
char *pcs_rules_text_copy(const char *text);
void pcs_rules_text_free(const char *text);

#define CACHE_ONE_HOUR_MS 3600000

#endif
