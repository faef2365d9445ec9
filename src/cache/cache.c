/* The cache object: configuration, presets and dispatch to the policies;
 * see pcsim/cache.h. */
#include "cache_internal.h"

#include <stdlib.h>
#include <string.h>

/* A sweep comes once the live nodes are half as many again as the last one
 * left, and never below SWEEP_MIN_NODES. The tree's footprint decides its
 * speed more than the sweeps' cost: on the generated 1M-request trace, a
 * threshold of 65536 nodes doubling made the cache thread 15% slower than
 * this (sweeping costs O(nodes) per sweep, so any factor above 1 keeps it
 * linear overall). */
#define SWEEP_MIN_NODES 16384

static const struct policy_ops *const all_policies[] = {&policy_none, &policy_ideal, &policy_ttl,
                                                       &policy_openai, &policy_breakpoint, &policy_lru};

static const char *const policy_names[] = {"none", "ideal", "ttl", "openai", "breakpoint", "lru"};

const char *pcs_policy_name(enum pcs_policy policy)
{
    return (unsigned)policy < sizeof policy_names / sizeof policy_names[0] ? policy_names[policy] : "unknown";
}

int pcs_policy_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof policy_names / sizeof policy_names[0]); i++)
        if (strcmp(name, policy_names[i]) == 0)
            return i;
    return -1;
}

struct pcs_cache_config pcs_cache_config_default(void)
{
    struct pcs_cache_config config;
    memset(&config, 0, sizeof config);
    config.policy = PCS_POLICY_TTL;
    config.ttl_ms = 300000;
    config.granularity = 1;
    return config;
}

enum pcs_status pcs_cache_config_check(const struct pcs_cache_config *config, struct pcs_error *err)
{
    if ((unsigned)config->policy > PCS_POLICY_LRU)
        return pcs_error_set(err, PCS_ERR_ARG, "unknown cache policy %d", (int)config->policy);
    if (config->ttl_ms <= 0 || config->ttl_ms > PCS_MAX_TTL_MS)
        return pcs_error_set(err, PCS_ERR_ARG, "ttl must be positive and at most %lld s",
                             (long long)(PCS_MAX_TTL_MS / 1000));
    if (config->granularity == 0)
        return pcs_error_set(err, PCS_ERR_ARG, "granularity must be at least 1");
    if (config->policy == PCS_POLICY_LRU && config->capacity_tokens == 0)
        return pcs_error_set(err, PCS_ERR_ARG, "the lru policy needs a capacity in tokens (--capacity)");
    return PCS_OK;
}

/* Provider presets (DESIGN §3, §7). */
struct preset {
    const char *name;
    enum pcs_policy policy;
    int64_t ttl_s;
    uint64_t min_tokens;
    uint64_t granularity;
};

static const struct preset presets[] = {
    {"openai", PCS_POLICY_OPENAI, 300, 1024, 128},
    {"openai-24h", PCS_POLICY_OPENAI, 86400, 1024, 128},
    {"openai-bp", PCS_POLICY_BREAKPOINT, 1800, 1024, 1},
    {"anthropic-5m", PCS_POLICY_BREAKPOINT, 300, 1024, 1},
    {"anthropic-1h", PCS_POLICY_BREAKPOINT, 3600, 1024, 1},
    {"gemini", PCS_POLICY_OPENAI, 300, 1024, 1},
    {"deepseek", PCS_POLICY_OPENAI, 21600, 64, 64},
    {"ttl", PCS_POLICY_TTL, 300, 0, 1},
    {"breakpoint", PCS_POLICY_BREAKPOINT, 300, 0, 1},
    {"ideal", PCS_POLICY_IDEAL, 300, 0, 1},
    {"lru", PCS_POLICY_LRU, 300, 0, 1},
    {"none", PCS_POLICY_NONE, 300, 0, 1},
};

enum pcs_status pcs_cache_preset(const char *name, struct pcs_cache_config *config)
{
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        if (strcmp(name, presets[i].name) != 0)
            continue;
        *config = pcs_cache_config_default();
        config->policy = presets[i].policy;
        config->ttl_ms = presets[i].ttl_s * 1000;
        config->min_tokens = presets[i].min_tokens;
        config->granularity = presets[i].granularity;
        return PCS_OK;
    }
    return PCS_ERR_ARG;
}

const char *pcs_cache_preset_name(unsigned index)
{
    return index < sizeof presets / sizeof presets[0] ? presets[index].name : NULL;
}

void pcs_usage_add(struct pcs_usage *sum, const struct pcs_usage *usage)
{
    sum->requests += usage->requests;
    sum->input += usage->input;
    sum->cache_read += usage->cache_read;
    sum->cache_write += usage->cache_write;
    sum->cache_write_1h += usage->cache_write_1h;
    sum->output += usage->output;
}

pcs_cache *pcs_cache_new(const struct pcs_cache_config *config, enum pcs_status *status)
{
    if (pcs_cache_config_check(config, NULL) != PCS_OK) {
        *status = PCS_ERR_ARG;
        return NULL;
    }
    pcs_cache *cache = calloc(1, sizeof *cache);
    if (!cache) {
        *status = PCS_ERR_NOMEM;
        return NULL;
    }
    cache->config = *config;
    cache->ops = all_policies[config->policy];
    cache->last_t_ms = INT64_MIN;
    cache->sweep_at = SWEEP_MIN_NODES;
    if (tree_init(&cache->tree, cache->ops->with_costs) != PCS_OK) {
        free(cache);
        *status = PCS_ERR_NOMEM;
        return NULL;
    }
    *status = PCS_OK;
    return cache;
}

enum pcs_status pcs_cache_access(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage)
{
    if (req->t_ms < cache->last_t_ms)
        return PCS_ERR_ARG;
    cache->last_t_ms = req->t_ms;
    tree_prefetch_forget(&cache->tree, req->units);
    memset(usage, 0, sizeof *usage);
    cache->profile_len = 0;
    usage->requests = 1;
    usage->input = req->input_tokens;
    usage->output = req->output_tokens;
    if (req->bound_count == 0)
        return PCS_OK;
    return cache->ops->access(cache, req, usage);
}

void pcs_cache_prefetch(pcs_cache *cache, const struct pcs_request *req)
{
    if (cache->config.policy == PCS_POLICY_NONE || req->bound_count == 0)
        return;
    uint32_t root = tree_root_find(&cache->tree, req->namespace_id, req->model);
    if (root != TREE_NIL)
        tree_prefetch(&cache->tree, root, req->units, req->bound_count);
}

void cache_sweep_if_due(pcs_cache *cache, int64_t now_ms, tree_dead_fn is_dead)
{
    if (cache->tree.live_nodes < cache->sweep_at)
        return;
    struct sweep_context context = {now_ms, cache->config.ttl_ms};
    tree_sweep(&cache->tree, is_dead, &context);
    uint64_t next = cache->tree.live_nodes + cache->tree.live_nodes / 2;
    cache->sweep_at = next > SWEEP_MIN_NODES ? next : SWEEP_MIN_NODES;
}

int64_t cache_bound_ttl(const pcs_cache *cache, const struct pcs_request *req, size_t bound)
{
    if (cache->config.ttl_overrides_markers)
        return cache->config.ttl_ms;
    uint8_t flags = req->flags ? req->flags[bound] : 0;
    if (flags & PCS_BOUND_TTL_1H)
        return CACHE_ONE_HOUR_MS;
    if (flags & PCS_BOUND_TTL_5M)
        return 300000;
    return cache->config.ttl_ms;
}

uint64_t pcs_cache_node_count(const pcs_cache *cache)
{
    return cache->tree.live_nodes;
}

uint64_t pcs_cache_cached_tokens(const pcs_cache *cache)
{
    return cache->cached_tokens;
}

enum pcs_status pcs_cache_enable_profile(pcs_cache *cache)
{
    enum pcs_policy policy = cache->config.policy;
    if (policy != PCS_POLICY_TTL && policy != PCS_POLICY_OPENAI && policy != PCS_POLICY_IDEAL)
        return PCS_ERR_ARG;
    cache->profiling = 1;
    return PCS_OK;
}

const struct pcs_gap_step *pcs_cache_profile(const pcs_cache *cache, size_t *count)
{
    *count = cache->profiling ? cache->profile_len : 0;
    return cache->profile;
}

void pcs_cache_free(pcs_cache *cache)
{
    if (!cache)
        return;
    tree_release(&cache->tree);
    free(cache->costs);
    free(cache->profile);
    free(cache);
}
