/* lru: a self-hosted engine's prefix cache (vLLM/SGLang-like): no TTL, a
 * capacity in tokens. Every bound is an entry costing end_k - end_{k-1}
 * tokens (set when it is inserted). A request touches its bounds deepest
 * first, so a prefix is always more recent than its extensions; after each
 * request the least recently used bounds are evicted until the cache fits.
 *
 * In the tree a node's bounds are adjacent in recency, deepest least recent,
 * and a node is more recent than all its descendants; so the least recent
 * node is always a leaf, and eviction trims leaves from their deep end. */
#include "cache_internal.h"

#include <stdlib.h>

#include "common/grow.h"

static enum pcs_status reserve_costs(pcs_cache *cache, size_t count)
{
    if (count <= cache->costs_cap)
        return PCS_OK;
    size_t cap = grow_capacity(cache->costs_cap, count, 256, sizeof *cache->costs);
    uint32_t *costs = cap ? realloc(cache->costs, cap * sizeof *costs) : NULL;
    if (!costs)
        return PCS_ERR_NOMEM;
    cache->costs = costs;
    cache->costs_cap = cap;
    return PCS_OK;
}

static void evict(pcs_cache *cache)
{
    struct tree *tree = &cache->tree;
    if (cache->cached_tokens > cache->config.capacity_tokens)
        pcs_tree_forget_all(tree); /* the victims may be any root's */
    while (cache->cached_tokens > cache->config.capacity_tokens && tree->lru_tail != TREE_NIL) {
        uint32_t victim = tree->lru_tail;
        uint64_t excess = cache->cached_tokens - cache->config.capacity_tokens;
        uint64_t tokens = pcs_tree_lru_tokens(tree, victim);
        if (tokens <= excess) {
            cache->cached_tokens -= tokens;
            pcs_tree_free_leaf(tree, victim);
        } else {
            cache->cached_tokens -= pcs_tree_trim_leaf(tree, victim);
        }
    }
}

static enum pcs_status access_lru(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage)
{
    struct tree *tree = &cache->tree;
    const uint64_t count = req->bound_count;
    uint32_t root;
    if (pcs_tree_root(tree, req->namespace_id, req->model, &root) != PCS_OK)
        return PCS_ERR_NOMEM;
    uint64_t matched;
    if (pcs_tree_match(tree, root, req->units, count, &matched) != PCS_OK)
        return PCS_ERR_NOMEM;
    usage->cache_read = matched ? req->ends[matched - 1] : 0;

    size_t ignored; /* end the path at a node boundary (a no-op if it is one) */
    if (matched > 0 && pcs_tree_cut(tree, matched, &ignored) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (matched < count) {
        if (reserve_costs(cache, count) != PCS_OK)
            return PCS_ERR_NOMEM;
        uint64_t added = 0;
        for (uint64_t i = matched; i < count; i++) {
            cache->costs[i] = req->ends[i] - (i ? req->ends[i - 1] : 0);
            added += cache->costs[i];
        }
        uint32_t leaf;
        if (pcs_tree_append(tree, root, req->units, cache->costs, matched, count, req->t_ms, &leaf) != PCS_OK)
            return PCS_ERR_NOMEM;
        cache->cached_tokens += added;
    }
    for (size_t s = tree->path_len; s-- > 0;)
        pcs_tree_lru_touch(tree, tree->path[s].node);
    evict(cache);
    return PCS_OK;
}

const struct policy_ops pcs_policy_lru = {PCS_POLICY_LRU, 1, access_lru};
