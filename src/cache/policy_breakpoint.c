/* breakpoint: explicit prompt caching (Anthropic cache_control, OpenAI
 * GPT-5.6+ breakpoints). Entries exist only where written: at a request's
 * breakpoints (its last bound when none is marked) whose end is at least
 * min_tokens and beyond what was read. The read is the deepest alive entry
 * anywhere on the prompt's chain. The entry that served the read and every
 * alive entry at one of the request's breakpoints are refreshed.
 *
 * Refinements (DESIGN §3, docs/design.md §3): with visible_after an entry
 * is readable only from its writer's time plus time to first token, and a
 * breakpoint whose entry is alive but not yet readable is written again;
 * with lookback a request of content blocks looks up only bounds at most
 * lookback before one of its breakpoints.
 *
 * In the tree an entry sits at the last bound of a node (nodes are cut where
 * an entry is written), with its own TTL and readable time; other nodes only
 * spell the chain. */
#include "cache_internal.h"

#include <stdlib.h>

static int entry_alive(const struct tree_node *node, int64_t t)
{
    return node->entry_ttl_ms > 0 && t < node->used_ms + node->entry_ttl_ms;
}

/* When the node's entry is (or was) readable from. */
static int64_t entry_readable_ms(const struct tree_node *node)
{
    return node->used_ms + node->entry_wait_ms;
}

/* Seen by a lookup at t: alive and readable. */
static int entry_visible(const struct tree_node *node, int64_t t)
{
    return entry_alive(node, t) && entry_readable_ms(node) <= t;
}

/* Moves the entry's last use to t; it is readable from readable_ms (no
 * later than t + PCS_MAX_TTFT_MS). */
static void entry_touch(struct tree_node *node, int64_t t, int64_t readable_ms)
{
    node->used_ms = t;
    node->entry_wait_ms = readable_ms > t ? (uint32_t)(readable_ms - t) : 0;
}

/* A node without a live entry (a leaf of such nodes can go: nothing below
 * it can be read). */
static int node_unused(const struct tree_node *node, const void *context)
{
    const struct sweep_context *sweep = context;
    return !entry_alive(node, sweep->now_ms);
}

static enum pcs_status access_breakpoint(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage)
{
    struct tree *tree = &cache->tree;
    const int64_t t = req->t_ms;
    const size_t count = req->bound_count;
    uint32_t root;
    pcs_cache_sweep_if_due(cache, t, node_unused);
    if (pcs_tree_root(tree, req->namespace_id, req->model, &root) != PCS_OK)
        return PCS_ERR_NOMEM;
    uint64_t matched;
    if (pcs_tree_match(tree, root, req->units, count, &matched) != PCS_OK)
        return PCS_ERR_NOMEM;

    /* The read: the deepest visible entry on the matched chain (with
     * lookback, among the bounds looked up), looked for from the deep end
     * (a conversation's path has a node per turn). */
    const uint64_t lookback = pcs_breakpoint_lookback(&cache->config, req);
    uint64_t read_depth = 0;
    uint32_t served = TREE_NIL;
    for (size_t s = tree->path_len; s-- > 0;) {
        const struct tree_step *step = &tree->path[s];
        const struct tree_node *node = &tree->nodes[step->node];
        if (step->matched != node->len || !entry_visible(node, t))
            continue;
        const uint64_t depth = step->start_depth + step->matched;
        if (lookback != UINT64_MAX) {
            const size_t breakpoint = pcs_breakpoint_next(req, (size_t)depth - 1);
            if (breakpoint >= count || breakpoint - (depth - 1) > lookback)
                continue;
        }
        read_depth = depth;
        served = step->node;
        break;
    }
    const uint64_t read = read_depth ? req->ends[read_depth - 1] : 0;
    usage->cache_read = read;

    /* The deepest breakpoint to write decides how much chain must exist. */
    size_t deepest_write = SIZE_MAX;
    for (size_t b = count; b-- > 0;) {
        if (pcs_breakpoint_at(req, b) && req->ends[b] >= cache->config.min_tokens && req->ends[b] > read) {
            deepest_write = b;
            break;
        }
    }
    if (deepest_write != SIZE_MAX && matched < deepest_write + 1) {
        size_t ignored; /* end the path at a node boundary (a no-op if it is one) */
        if (matched > 0 && pcs_tree_cut(tree, matched, &ignored) != PCS_OK)
            return PCS_ERR_NOMEM;
        uint32_t leaf;
        if (pcs_tree_append(tree, root, req->units, NULL, matched, deepest_write + 1, t, &leaf) != PCS_OK)
            return PCS_ERR_NOMEM;
        matched = deepest_write + 1;
    }

    /* The served entry is refreshed (by its marker's TTL if this request
     * marks it), then each breakpoint is written or refreshed. */
    if (served != TREE_NIL) {
        entry_touch(&tree->nodes[served], t, entry_readable_ms(&tree->nodes[served]));
        if (req->flags && pcs_breakpoint_at(req, read_depth - 1))
            tree->nodes[served].entry_ttl_ms = pcs_cache_bound_ttl(cache, req, read_depth - 1);
    }
    const int64_t readable_if_written = t + pcs_breakpoint_wait_ms(&cache->config, req);
    uint64_t written_to = read;
    for (size_t b = pcs_breakpoint_next(req, 0); b < count && b + 1 <= matched; b = pcs_breakpoint_next(req, b + 1)) {
        const int64_t ttl = pcs_cache_bound_ttl(cache, req, b);
        const uint64_t end = req->ends[b];
        if (end >= cache->config.min_tokens && end > read) {
            size_t s;
            if (pcs_tree_cut(tree, b + 1, &s) != PCS_OK)
                return PCS_ERR_NOMEM;
            struct tree_node *node = &tree->nodes[tree->path[s].node];
            /* An entry alive but not yet readable stays readable from the
             * earlier of its time and this write's. */
            int64_t readable = readable_if_written;
            if (entry_alive(node, t) && entry_readable_ms(node) < readable)
                readable = entry_readable_ms(node);
            entry_touch(node, t, readable);
            node->entry_ttl_ms = ttl;
            usage->cache_write += end - written_to;
            if (ttl >= CACHE_ONE_HOUR_MS)
                usage->cache_write_1h += end - written_to;
            written_to = end;
            continue;
        }
        long s = pcs_breakpoint_step_ending_at(tree, b + 1);
        if (s >= 0) {
            struct tree_node *node = &tree->nodes[tree->path[s].node];
            if (entry_alive(node, t)) {
                entry_touch(node, t, entry_readable_ms(node));
                node->entry_ttl_ms = ttl;
            }
        }
    }
    return PCS_OK;
}

const struct policy_ops pcs_policy_breakpoint = {PCS_POLICY_BREAKPOINT, 0, access_breakpoint};
