/* Breakpoint caches at several configurations played as one; see
 * pcs_cache_new_lanes in pcsim/cache.h.
 *
 * What a breakpoint cache answers depends only on which (chain, depth)
 * holds an entry and on that entry's last use, TTL and readable time
 * (policy_breakpoint.c):
 * the tree's shape, where its nodes are cut and when dead nodes go, only
 * spell the chains. So the lanes share one tree holding every chain that
 * some lane holds, cut wherever some lane wrote; a node where an entry was
 * ever written gets a slot, and the slot holds each lane's last use, TTL
 * and readable time side by side (TTL 0: that lane has no entry there, as a node without an
 * entry). A slot moves with its node's end when the node is cut, as an
 * entry does. A node is dead when no lane's entry in it is alive, and the
 * slots of the nodes a sweep freed are taken back after it. */
#include "cache_internal.h"

#include <stdlib.h>
#include <string.h>

struct lane_entry {
    int64_t used_ms;
    int64_t ttl_ms;      /* 0: no entry in this lane */
    int64_t readable_ms; /* visible_after: readable from this time on */
};

struct lane_entries {
    size_t lane_count;
    struct lane_entry *entries; /* slot * lane_count + lane */
    size_t slot_top;            /* slots [0, slot_top) have been handed out */
    size_t slot_cap;
    uint32_t *free_slots; /* slots handed back by sweeps */
    size_t free_count;
    uint8_t *slot_used; /* sweep scratch, slot_cap bytes */
    /* Per lane, the current request's: */
    uint64_t *read;       /* tokens read */
    uint64_t *written_to; /* where the last write ended */
    uint32_t *served;     /* the slot that served the read, or TREE_NIL */
    uint64_t *served_depth;
    uint64_t *lookback; /* pcs_breakpoint_lookback of the lane's config */
};

/* A node's slot is kept in its entry field, plus one (0: no slot). */
static uint32_t node_slot(const struct tree_node *node)
{
    return node->entry_ttl_ms > 0 ? (uint32_t)(node->entry_ttl_ms - 1) : TREE_NIL;
}

static int lane_alive(const struct lane_entry *entry, int64_t t)
{
    return entry->ttl_ms > 0 && t < entry->used_ms + entry->ttl_ms;
}

/* Seen by a lookup at t: alive and readable. */
static int lane_visible(const struct lane_entry *entry, int64_t t)
{
    return lane_alive(entry, t) && entry->readable_ms <= t;
}

/* A node where no lane holds an alive entry. */
static int node_unused(const struct tree_node *node, const void *context)
{
    const struct sweep_context *sweep = context;
    const struct lane_entries *lanes = sweep->cache->lanes;
    uint32_t slot = node_slot(node);
    if (slot == TREE_NIL)
        return 1;
    const struct lane_entry *entry = &lanes->entries[(size_t)slot * lanes->lane_count];
    for (size_t i = 0; i < lanes->lane_count; i++)
        if (lane_alive(&entry[i], sweep->now_ms))
            return 0;
    return 1;
}

/* After a sweep: the slots of freed nodes go back. */
static void reclaim_slots(const struct tree *tree, struct lane_entries *lanes)
{
    memset(lanes->slot_used, 0, lanes->slot_top);
    for (size_t i = 0; i < tree->node_top; i++) {
        const struct tree_node *node = &tree->nodes[i];
        uint32_t slot = node_slot(node);
        if (node->live && slot != TREE_NIL)
            lanes->slot_used[slot] = 1;
    }
    lanes->free_count = 0;
    for (size_t s = 0; s < lanes->slot_top; s++)
        if (!lanes->slot_used[s])
            lanes->free_slots[lanes->free_count++] = (uint32_t)s;
}

/* The slot of node, made (with no entry in any lane) if it has none. */
static enum pcs_status slot_of(struct tree *tree, struct lane_entries *lanes, uint32_t node, uint32_t *slot)
{
    *slot = node_slot(&tree->nodes[node]);
    if (*slot != TREE_NIL)
        return PCS_OK;
    if (lanes->free_count > 0) {
        *slot = lanes->free_slots[--lanes->free_count];
    } else {
        if (lanes->slot_top == lanes->slot_cap) {
            size_t cap = lanes->slot_cap ? lanes->slot_cap * 2 : 256;
            if (cap > UINT32_MAX - 1)
                return PCS_ERR_NOMEM;
            struct lane_entry *entries = realloc(lanes->entries, cap * lanes->lane_count * sizeof *entries);
            if (!entries)
                return PCS_ERR_NOMEM;
            lanes->entries = entries;
            uint32_t *free_slots = realloc(lanes->free_slots, cap * sizeof *free_slots);
            if (!free_slots)
                return PCS_ERR_NOMEM;
            lanes->free_slots = free_slots;
            uint8_t *slot_used = realloc(lanes->slot_used, cap);
            if (!slot_used)
                return PCS_ERR_NOMEM;
            lanes->slot_used = slot_used;
            lanes->slot_cap = cap;
        }
        *slot = (uint32_t)lanes->slot_top++;
    }
    memset(&lanes->entries[(size_t)*slot * lanes->lane_count], 0, lanes->lane_count * sizeof *lanes->entries);
    tree->nodes[node].entry_ttl_ms = (int64_t)*slot + 1;
    return PCS_OK;
}

void pcs_cache_lanes_free(struct lane_entries *lanes)
{
    if (!lanes)
        return;
    free(lanes->entries);
    free(lanes->free_slots);
    free(lanes->slot_used);
    free(lanes->read);
    free(lanes->written_to);
    free(lanes->served);
    free(lanes->served_depth);
    free(lanes->lookback);
    free(lanes);
}

pcs_cache *pcs_cache_new_lanes(size_t lane_count, struct pcs_error *err)
{
    if (lane_count == 0 || lane_count > PCS_CACHE_MAX_LANES) {
        pcs_error_set(err, PCS_ERR_ARG, "a cache of lanes has 1 to %d lanes", PCS_CACHE_MAX_LANES);
        return NULL;
    }
    struct pcs_cache_config config;
    pcs_cache_preset("breakpoint", &config);
    pcs_cache *cache = pcs_cache_new(&config, err);
    if (!cache)
        return NULL;
    struct lane_entries *lanes = calloc(1, sizeof *lanes);
    if (lanes) {
        lanes->lane_count = lane_count;
        lanes->read = malloc(lane_count * sizeof *lanes->read);
        lanes->written_to = malloc(lane_count * sizeof *lanes->written_to);
        lanes->served = malloc(lane_count * sizeof *lanes->served);
        lanes->served_depth = malloc(lane_count * sizeof *lanes->served_depth);
        lanes->lookback = malloc(lane_count * sizeof *lanes->lookback);
    }
    cache->lanes = lanes;
    if (!lanes || !lanes->read || !lanes->written_to || !lanes->served || !lanes->served_depth || !lanes->lookback) {
        pcs_cache_free(cache);
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a cache");
        return NULL;
    }
    return cache;
}

/* Refreshes lane i's alive entry at a bound of req (when it is readable
 * stays). */
static void refresh(struct lane_entry *entry, int64_t t, int64_t ttl_ms)
{
    entry->used_ms = t;
    entry->ttl_ms = ttl_ms;
}

/* Writes lane i's entry at a bound of req: readable from readable_ms, or
 * from the earlier time of an entry alive but not yet readable. */
static void write_entry(struct lane_entry *entry, int64_t t, int64_t ttl_ms, int64_t readable_ms)
{
    if (!lane_alive(entry, t) || entry->readable_ms > readable_ms)
        entry->readable_ms = readable_ms;
    refresh(entry, t, ttl_ms);
}

enum pcs_status pcs_cache_access_lanes(pcs_cache *cache, const struct pcs_request *req,
                                       const struct pcs_cache_config *configs, struct pcs_usage *usages)
{
    struct lane_entries *lanes = cache->lanes;
    if (!lanes || req->t_ms < cache->last_t_ms)
        return PCS_ERR_ARG;
    const size_t n = lanes->lane_count;
    for (size_t i = 1; i < n; i++) /* routing does not depend on the TTL: one route for every lane */
        if (configs[i].overflow_rpm != configs[0].overflow_rpm)
            return PCS_ERR_ARG;
    cache->last_t_ms = req->t_ms;
    for (size_t i = 0; i < n; i++) {
        memset(&usages[i], 0, sizeof usages[i]);
        usages[i].requests = 1;
        usages[i].input = req->input_tokens;
        usages[i].output = req->output_tokens;
    }
    const size_t count = req->bound_count;
    if (count == 0)
        return PCS_OK;
    struct tree *tree = &cache->tree;
    const int64_t t = req->t_ms;
    const size_t live_before = tree->live_nodes;
    pcs_cache_sweep_if_due(cache, t, node_unused);
    if (tree->live_nodes < live_before)
        reclaim_slots(tree, lanes);
    uint32_t namespace_id, root;
    if (pcs_cache_route(cache, configs[0].overflow_rpm, req, &namespace_id) != PCS_OK ||
        pcs_tree_root(tree, namespace_id, req->model, &root) != PCS_OK)
        return PCS_ERR_NOMEM;
    uint64_t matched;
    if (pcs_tree_match(tree, root, req->units, count, &matched) != PCS_OK)
        return PCS_ERR_NOMEM;

    /* Each lane's read: its deepest visible entry on the matched chain
     * (with lookback, among the bounds it looks up). */
    int any_lookback = 0;
    for (size_t i = 0; i < n; i++) {
        lanes->served[i] = TREE_NIL;
        lanes->served_depth[i] = 0;
        lanes->lookback[i] = pcs_breakpoint_lookback(&configs[i], req);
        any_lookback |= lanes->lookback[i] != UINT64_MAX;
    }
    size_t next_breakpoint = 0;
    for (size_t s = 0; s < tree->path_len; s++) {
        const struct tree_step *step = &tree->path[s];
        const struct tree_node *node = &tree->nodes[step->node];
        uint32_t slot = node_slot(node);
        if (step->matched != node->len || slot == TREE_NIL)
            continue;
        const struct lane_entry *entry = &lanes->entries[(size_t)slot * n];
        const uint64_t depth = step->start_depth + step->matched;
        const uint64_t distance = any_lookback ? pcs_breakpoint_distance(req, &next_breakpoint, depth - 1) : 0;
        for (size_t i = 0; i < n; i++)
            if (lane_visible(&entry[i], t) && distance <= lanes->lookback[i]) {
                lanes->served[i] = slot;
                lanes->served_depth[i] = depth;
            }
    }
    for (size_t i = 0; i < n; i++) {
        const uint64_t depth = lanes->served_depth[i];
        lanes->read[i] = depth ? req->ends[depth - 1] : 0;
        lanes->written_to[i] = lanes->read[i];
        usages[i].cache_read = lanes->read[i];
    }

    /* The deepest breakpoint some lane writes decides how much chain must exist. */
    size_t deepest_write = SIZE_MAX;
    for (size_t b = count; b-- > 0 && deepest_write == SIZE_MAX;) {
        if (!pcs_breakpoint_at(req, b))
            continue;
        for (size_t i = 0; i < n; i++)
            if (req->ends[b] >= configs[i].min_tokens && req->ends[b] > lanes->read[i]) {
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

    /* Each served entry is refreshed (by its marker's TTL if this request
     * marks it), then each breakpoint is written or refreshed, lane by lane. */
    for (size_t i = 0; i < n; i++) {
        if (lanes->served[i] == TREE_NIL)
            continue;
        struct lane_entry *entry = &lanes->entries[(size_t)lanes->served[i] * n + i];
        const size_t bound = lanes->served_depth[i] - 1;
        entry->used_ms = t;
        if (req->flags && pcs_breakpoint_at(req, bound))
            entry->ttl_ms = pcs_cache_config_bound_ttl(&configs[i], req, bound);
    }
    for (size_t b = 0; b < count && b + 1 <= matched; b++) {
        if (!pcs_breakpoint_at(req, b))
            continue;
        const uint64_t end = req->ends[b];
        int writes = 0;
        for (size_t i = 0; i < n && !writes; i++)
            writes = end >= configs[i].min_tokens && end > lanes->read[i];
        uint32_t slot;
        if (writes) {
            size_t s;
            if (pcs_tree_cut(tree, b + 1, &s) != PCS_OK)
                return PCS_ERR_NOMEM;
            if (slot_of(tree, lanes, tree->path[s].node, &slot) != PCS_OK)
                return PCS_ERR_NOMEM;
        } else {
            long s = pcs_breakpoint_step_ending_at(tree, b + 1);
            slot = s >= 0 ? node_slot(&tree->nodes[tree->path[s].node]) : TREE_NIL;
            if (slot == TREE_NIL)
                continue;
        }
        struct lane_entry *entry = &lanes->entries[(size_t)slot * n];
        for (size_t i = 0; i < n; i++) {
            const int64_t ttl = pcs_cache_config_bound_ttl(&configs[i], req, b);
            if (end >= configs[i].min_tokens && end > lanes->read[i]) {
                write_entry(&entry[i], t, ttl, t + pcs_breakpoint_wait_ms(&configs[i], req));
                usages[i].cache_write += end - lanes->written_to[i];
                if (ttl >= CACHE_ONE_HOUR_MS)
                    usages[i].cache_write_1h += end - lanes->written_to[i];
                lanes->written_to[i] = end;
            } else if (lane_alive(&entry[i], t)) {
                refresh(&entry[i], t, ttl);
            }
        }
    }
    return PCS_OK;
}
