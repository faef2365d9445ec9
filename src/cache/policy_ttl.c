/* ideal, ttl and openai: every bound is an entry, written and refreshed by
 * every request that carries it; the read is the deepest bound whose whole
 * prefix is alive.
 *
 * Refreshing a request's whole chain keeps last-use times non-increasing
 * from root to leaf, so the alive bounds of a chain are a prefix of it and
 * the walk may stop at the first dead node. */
#include "cache_internal.h"

#include <stdlib.h>

/* A node whose bounds have all expired. Last uses never increase from root
 * to leaf, so its descendants have expired too. */
static int node_expired(const struct tree_node *node, const void *context)
{
    const struct sweep_context *sweep = context;
    return sweep->now_ms >= node->used_ms + sweep->ttl_ms;
}

static int node_never_dead(const struct tree_node *node, const void *context)
{
    (void)node;
    (void)context;
    return 0;
}

/* The matched path as (gap, end) steps, merging steps of equal gaps. */
static enum pcs_status record_profile(pcs_cache *cache, const struct pcs_request *req)
{
    const struct tree *tree = &cache->tree;
    if (tree->path_len > cache->profile_cap) {
        size_t cap = cache->profile_cap ? cache->profile_cap : 16;
        while (cap < tree->path_len)
            cap *= 2;
        struct pcs_gap_step *profile = realloc(cache->profile, cap * sizeof *profile);
        if (!profile)
            return PCS_ERR_NOMEM;
        cache->profile = profile;
        cache->profile_cap = cap;
    }
    size_t len = 0;
    uint64_t depth = 0;
    for (size_t s = 0; s < tree->path_len; s++) {
        const struct tree_step *step = &tree->path[s];
        if (step->matched == 0)
            break;
        depth += step->matched;
        int64_t gap = req->t_ms - tree->nodes[step->node].used_ms;
        if (len > 0 && cache->profile[len - 1].gap_ms == gap) {
            cache->profile[len - 1].end = req->ends[depth - 1];
        } else {
            cache->profile[len].gap_ms = gap;
            cache->profile[len].end = req->ends[depth - 1];
            len++;
        }
    }
    cache->profile_len = len;
    return PCS_OK;
}

static enum pcs_status access_prefix(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage,
                                     int has_ttl)
{
    struct tree *tree = &cache->tree;
    const int64_t t = req->t_ms;
    uint32_t root;
    if (has_ttl)
        pcs_cache_sweep_if_due(cache, t, node_expired);
    if (pcs_tree_root(tree, req->namespace_id, req->model, &root) != PCS_OK)
        return PCS_ERR_NOMEM;
    uint64_t count = req->bound_count;
    uint64_t matched;
    if (pcs_tree_match(tree, root, req->units, count, &matched) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (cache->profiling && record_profile(cache, req) != PCS_OK)
        return PCS_ERR_NOMEM;

    uint64_t alive = 0;
    for (size_t s = 0; s < tree->path_len; s++) {
        const struct tree_step *step = &tree->path[s];
        if (has_ttl && t >= tree->nodes[step->node].used_ms + cache->config.ttl_ms)
            break;
        alive += step->matched;
    }
    usage->cache_read = pcs_cache_read_of_match(&cache->config, req->input_tokens, alive ? req->ends[alive - 1] : 0);

    /* Write and refresh every bound: cut each node the request leaves
     * partway (at the end, or into a side child) so only what it matched is
     * refreshed, refresh the path, and add what the tree did not have. */
    struct sweep_context context = {t, cache->config.ttl_ms, cache};
    tree_dead_fn is_dead = has_ttl ? node_expired : node_never_dead;
    struct tree_alive known = {t, has_ttl ? cache->config.ttl_ms : INT64_MAX / 2};
    int aside = matched < count && pcs_tree_cut_aside(tree, is_dead, &context, &known);
    for (size_t s = 0; s < tree->path_len; s++) {
        const struct tree_step *step = &tree->path[s];
        if (step->matched < tree->nodes[step->node].len) {
            size_t ignored;
            if (pcs_tree_cut(tree, step->start_depth + step->matched, &ignored) != PCS_OK)
                return PCS_ERR_NOMEM;
        }
    }
    for (size_t s = 0; s < tree->path_len; s++)
        tree->nodes[tree->path[s].node].used_ms = t;
    if (matched < count) {
        if (!aside)
            pcs_tree_absorb(tree, is_dead, &context, &known);
        uint32_t leaf;
        if (pcs_tree_append(tree, root, req->units, NULL, matched, count, t, &leaf) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    return PCS_OK;
}

static enum pcs_status access_ideal(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage)
{
    return access_prefix(cache, req, usage, 0);
}

static enum pcs_status access_ttl(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage)
{
    return access_prefix(cache, req, usage, 1);
}

const struct policy_ops pcs_policy_ideal = {PCS_POLICY_IDEAL, 0, access_ideal};
const struct policy_ops pcs_policy_ttl = {PCS_POLICY_TTL, 0, access_ttl};
const struct policy_ops pcs_policy_openai = {PCS_POLICY_OPENAI, 0, access_ttl};
