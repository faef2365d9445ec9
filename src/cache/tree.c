/* The path-compressed prefix tree; see tree.h.
 *
 * Children are found through one hash table (common/hash_table.h) keyed by
 * (first unit of the child's run, parent), so there are no per-node child
 * arrays; a node's hint (its newest child) answers most lookups without
 * touching the table. Nodes live in one array and are recycled through a
 * free list. */
#include "tree.h"

#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "common/memory.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define INITIAL_NODES 1024
#define INITIAL_CHILDREN 1024

/* Child ids are the table's values, so "no child" is its empty value. */
_Static_assert(TREE_NIL == PCS_HASH_EMPTY, "TREE_NIL marks an empty child-table slot");
_Static_assert(sizeof(struct tree_node) <= 128, "a node is two cache lines at most");

enum pcs_status pcs_tree_init(struct tree *tree, int with_costs)
{
    memset(tree, 0, sizeof *tree);
    tree->with_costs = with_costs;
    tree->free_head = TREE_NIL;
    tree->lru_head = TREE_NIL;
    tree->lru_tail = TREE_NIL;
    tree->last_root = TREE_NIL;
    tree->nodes = malloc(INITIAL_NODES * sizeof *tree->nodes);
    tree->path_cap = 64;
    tree->path = malloc(tree->path_cap * sizeof *tree->path);
    if (with_costs)
        tree->lru = malloc(INITIAL_NODES * sizeof *tree->lru);
    if (!tree->nodes || !tree->path || (with_costs && !tree->lru) ||
        pcs_hash_reserve(&tree->children, INITIAL_CHILDREN) != PCS_OK) {
        pcs_tree_release(tree);
        return PCS_ERR_NOMEM;
    }
    tree->node_cap = INITIAL_NODES;
    return PCS_OK;
}

void pcs_tree_release(struct tree *tree)
{
    for (size_t i = 0; tree->nodes && i < tree->node_top; i++) {
        if (tree->nodes[i].cap > RUN_POOL_MAX_UNITS)
            free(tree->nodes[i].heap_units); /* the pool's own go with it */
        if (tree->lru)
            free(tree->lru[i].costs);
    }
    pcs_run_pool_release(&tree->runs);
    pcs_tree_recall_release(&tree->recall);
    free(tree->nodes);
    free(tree->lru);
    pcs_hash_release(&tree->children);
    free(tree->path);
    memset(tree, 0, sizeof *tree);
}

/* ------------------------------------------------------------ child table */

/* The hint's first unit is kept in the parent, so a wrong hint costs no
 * visit to the hinted node (a shared prefix has many children and its
 * newest is rarely the one asked for). A child's first unit only changes
 * when pcs_tree_cut moves its head to a new node, which takes its place. */
static void node_set_hint(struct tree_node *node, uint32_t child, uint64_t unit)
{
    node->hint_child = child;
    node->hint_unit = unit;
}

static uint32_t child_find(const struct tree *tree, uint32_t parent, uint64_t unit)
{
    /* pcs_hash_find without its emptiness check: the table has slots from
     * pcs_tree_init on, and this is the hottest lookup. */
    return pcs_hash_slot_of(&tree->children, unit, parent)->value;
}

static enum pcs_status child_insert(struct tree *tree, uint32_t parent, uint64_t unit, uint32_t child)
{
    if (pcs_hash_put(&tree->children, unit, parent, child) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (parent != TREE_NIL)
        node_set_hint(&tree->nodes[parent], child, unit);
    return PCS_OK;
}

static void child_remove(struct tree *tree, uint32_t parent, uint64_t unit)
{
    pcs_hash_remove(&tree->children, unit, parent);
}

/* The end child of parent whose run starts with unit, or TREE_NIL. */
static uint32_t child_of(const struct tree *tree, uint32_t parent, uint64_t unit)
{
    const struct tree_node *node = &tree->nodes[parent];
    if (node->hint_child != TREE_NIL && node->hint_unit == unit)
        return node->hint_child;
    return child_find(tree, parent, unit);
}

/* The side child of parent branching at offset with first unit, or TREE_NIL. */
static uint32_t side_of(const struct tree *tree, uint32_t parent, uint32_t offset, uint64_t unit)
{
    const struct tree_node *node = &tree->nodes[parent];
    for (int i = 0; i < TREE_SIDE; i++) {
        uint32_t side = node->side[i];
        if (side != TREE_NIL && node->side_attach[i] == offset && tree_units(&tree->nodes[side])[0] == unit)
            return side;
    }
    return TREE_NIL;
}

/* A node's children that hang at the end of its run (found through the
 * child table), as opposed to its side children. */
static uint32_t end_children(const struct tree_node *node)
{
    uint32_t sides = 0;
    for (int i = 0; i < TREE_SIDE; i++)
        sides += node->side[i] != TREE_NIL;
    return node->children - sides;
}

/* Side slot i of parent holds child (TREE_NIL: none), attached at offset
 * attach; with the child's last use as it is now. */
static void side_put(struct tree *tree, uint32_t parent, int i, uint32_t child, uint32_t attach)
{
    struct tree_node *node = &tree->nodes[parent];
    node->side[i] = child;
    node->side_attach[i] = attach;
    node->side_used_s[i] = TREE_UNKNOWN_S;
    if (child != TREE_NIL) {
        int64_t used = tree->nodes[child].used_ms;
        if (used >= 0 && used / 1000 < TREE_UNKNOWN_S)
            node->side_used_s[i] = (uint32_t)(used / 1000);
    }
}

/* Puts new_id, attached at offset attach, in the side slot of old_id
 * (TREE_NIL: a free slot) of parent. */
static void side_replace(struct tree *tree, uint32_t parent, uint32_t old_id, uint32_t new_id, uint32_t attach)
{
    for (int i = 0; i < TREE_SIDE; i++) {
        if (tree->nodes[parent].side[i] == old_id) {
            side_put(tree, parent, i, new_id, attach);
            return;
        }
    }
}

/* ------------------------------------------------------------------ nodes */

/* Makes *array (*room bytes) hold at least need bytes, doubling. */
static int tree_array_grow(void **array, size_t *room, size_t need)
{
    size_t cap = grow_capacity(*room, need, 4096, 1);
    void *grown = cap ? pcs_memory_grow(*array, cap) : NULL;
    if (!grown)
        return -1;
    *array = grown;
    *room = cap;
    return 0;
}

/* Room for at least one more node, and its lru entry. */
static enum pcs_status tree_arrays_grow(struct tree *tree)
{
    if (tree->node_cap >= TREE_NIL / 2)
        return PCS_ERR_NOMEM;
    size_t room = tree->node_cap * sizeof *tree->nodes;
    void *nodes = tree->nodes;
    if (tree_array_grow(&nodes, &room, (tree->node_cap + 1) * sizeof *tree->nodes) != 0)
        return PCS_ERR_NOMEM;
    tree->nodes = nodes;
    size_t cap = room / sizeof *tree->nodes;
    if (cap > TREE_NIL / 2)
        cap = TREE_NIL / 2;
    if (tree->with_costs) {
        size_t lru_room = tree->node_cap * sizeof *tree->lru;
        void *lru = tree->lru;
        if (tree_array_grow(&lru, &lru_room, cap * sizeof *tree->lru) != 0)
            return PCS_ERR_NOMEM;
        tree->lru = lru;
    }
    tree->node_cap = cap;
    return PCS_OK;
}

static enum pcs_status node_new(struct tree *tree, uint32_t *id)
{
    if (tree->free_head != TREE_NIL) {
        *id = tree->free_head;
        tree->free_head = tree->nodes[*id].parent;
        /* Freed nodes are cold: start loading the next one now. */
        if (tree->free_head != TREE_NIL)
            __builtin_prefetch(&tree->nodes[tree->free_head], 1);
    } else {
        if (tree->node_top == tree->node_cap && tree_arrays_grow(tree) != PCS_OK)
            return PCS_ERR_NOMEM;
        *id = (uint32_t)tree->node_top++;
        if (tree->with_costs)
            tree->lru[*id].costs = NULL;
    }
    struct tree_node *node = &tree->nodes[*id];
    memset(node, 0, sizeof *node);
    node->cap = TREE_INLINE;
    node->parent = TREE_NIL;
    node->hint_child = TREE_NIL;
    node->live = 1;
    node->attach = TREE_END;
    for (int i = 0; i < TREE_SIDE; i++)
        node->side[i] = TREE_NIL;
    if (tree->with_costs) {
        struct tree_lru *lru = &tree->lru[*id];
        free(lru->costs);
        lru->costs = NULL;
        lru->tokens = 0;
        lru->prev = TREE_NIL;
        lru->next = TREE_NIL;
    }
    tree->live_nodes++;
    return PCS_OK;
}

/* Makes room for cap bounds in the run of node id (costs too when kept). */
static enum pcs_status node_reserve(struct tree *tree, uint32_t id, uint32_t cap)
{
    struct tree_node *node = &tree->nodes[id];
    if (cap > node->cap)
        cap = pcs_run_pool_capacity(cap);
    if (tree->with_costs && (cap > node->cap || !tree->lru[id].costs)) {
        uint32_t room = cap > node->cap ? cap : node->cap;
        uint32_t *costs = realloc(tree->lru[id].costs, room * sizeof *costs);
        if (!costs)
            return PCS_ERR_NOMEM;
        tree->lru[id].costs = costs;
    }
    if (cap <= node->cap)
        return PCS_OK;
    uint64_t *units = pcs_run_pool_alloc(&tree->runs, cap);
    if (!units)
        return PCS_ERR_NOMEM;
    memcpy(units, tree_units(node), node->len * sizeof *units);
    if (node->cap > TREE_INLINE)
        pcs_run_pool_free(&tree->runs, node->heap_units, node->cap);
    node->heap_units = units;
    node->cap = cap;
    return PCS_OK;
}

/* Appends len units (and costs) to the run of node id. */
static enum pcs_status node_extend(struct tree *tree, uint32_t id, const uint64_t *units, const uint32_t *costs,
                                   uint32_t len)
{
    struct tree_node *node = &tree->nodes[id];
    if ((uint64_t)node->len + len > UINT32_MAX)
        return PCS_ERR_ARG;
    uint32_t need = node->len + len;
    uint32_t cap = node->cap;
    if (need > cap)
        cap = cap < UINT32_MAX / 2 && cap * 2 > need ? cap * 2 : need;
    if (node_reserve(tree, id, cap) != PCS_OK)
        return PCS_ERR_NOMEM;
    node = &tree->nodes[id];
    if (len > 0)
        memcpy(tree_units(node) + node->len, units, len * sizeof *units);
    if (tree->with_costs && len > 0) {
        struct tree_lru *lru = &tree->lru[id];
        memcpy(lru->costs + node->len, costs, len * sizeof *costs);
        for (uint32_t i = 0; i < len; i++)
            lru->tokens += costs[i];
    }
    node->len = need;
    return PCS_OK;
}

static void node_release(struct tree *tree, uint32_t id)
{
    struct tree_node *node = &tree->nodes[id];
    if (node->cap > TREE_INLINE)
        pcs_run_pool_free(&tree->runs, node->heap_units, node->cap);
    node->heap_units = NULL;
    node->cap = TREE_INLINE;
    node->len = 0;
    node->live = 0;
    if (tree->with_costs) {
        free(tree->lru[id].costs);
        tree->lru[id].costs = NULL;
    }
    node->parent = tree->free_head;
    tree->free_head = id;
    tree->live_nodes--;
}

/* A root's key in the child table, under parent TREE_NIL. */
static uint64_t root_key(uint32_t namespace_id, uint32_t model)
{
    return ((uint64_t)namespace_id << 32) | model;
}

uint32_t pcs_tree_root_find(struct tree *tree, uint32_t namespace_id, uint32_t model)
{
    uint64_t key = root_key(namespace_id, model);
    if (tree->last_root != TREE_NIL && tree->last_root_key == key)
        return tree->last_root;
    return child_find(tree, TREE_NIL, key);
}

enum pcs_status pcs_tree_root(struct tree *tree, uint32_t namespace_id, uint32_t model, uint32_t *root)
{
    uint64_t key = root_key(namespace_id, model);
    uint32_t found = pcs_tree_root_find(tree, namespace_id, model);
    if (found == TREE_NIL) {
        if (node_new(tree, &found) != PCS_OK)
            return PCS_ERR_NOMEM;
        if (child_insert(tree, TREE_NIL, key, found) != PCS_OK) {
            node_release(tree, found);
            return PCS_ERR_NOMEM;
        }
    }
    tree->last_root = found;
    tree->last_root_key = key;
    *root = found;
    return PCS_OK;
}

/* ---------------------------------------------------------------- lookahead */

/* Bytes of a run prefetched at once: the hardware prefetcher takes a
 * longer run from there. */
#define WALK_RUN_BYTES 256
/* Bytes of an announced request's units prefetched. */
#define WALK_UNITS_BYTES 1024

static void walk_prefetch_node(const struct tree *tree, uint32_t id)
{
    const char *node = (const char *)&tree->nodes[id];
    __builtin_prefetch(node);
    __builtin_prefetch(node + sizeof(struct tree_node) - 1);
}

static void walk_step(const struct tree *tree, struct tree_walk *w)
{
    switch (w->stage) {
    case WALK_CHILD: {
        if (w->depth >= w->count) {
            w->stage = WALK_DONE;
            return;
        }
        const struct tree_node *node = &tree->nodes[w->node];
        uint64_t unit = w->units[w->depth];
        if (node->hint_child != TREE_NIL && node->hint_unit == unit) {
            w->node = node->hint_child;
            walk_prefetch_node(tree, w->node);
            w->stage = WALK_NODE;
            return;
        }
        w->slot = pcs_hash_home(&tree->children, unit, w->node);
        __builtin_prefetch(&tree->children.slots[w->slot]);
        w->stage = WALK_SLOT;
        return;
    }
    case WALK_SLOT: {
        uint64_t unit = w->units[w->depth];
        /* Bounded: the tree may have changed under the walk. */
        uint32_t child = pcs_hash_find_from(&tree->children, w->slot, unit, w->node, 8);
        if (child != TREE_NIL) {
            w->node = child;
            walk_prefetch_node(tree, w->node);
            w->stage = WALK_NODE;
            return;
        }
        w->stage = WALK_DONE;
        return;
    }
    case WALK_NODE: {
        const struct tree_node *node = &tree->nodes[w->node];
        uint64_t rest = w->count - w->depth;
        if (!node->live || node->len == 0) {
            w->stage = WALK_DONE;
            return;
        }
        uint64_t bytes = (node->len < rest ? node->len : rest) * sizeof(uint64_t);
        const char *run = (const char *)(node->cap > TREE_INLINE ? node->heap_units : node->inline_units);
        for (uint64_t offset = 0; offset < bytes && offset < WALK_RUN_BYTES; offset += 64)
            __builtin_prefetch(run + offset);
        /* Guess that the request goes on past the run, to an end child if
         * there is one. */
        w->depth += node->len;
        w->stage = node->len < rest && end_children(node) > 0 ? WALK_CHILD : WALK_DONE;
        return;
    }
    default: return;
    }
}

void pcs_tree_prefetch(struct tree *tree, uint32_t root, const uint64_t *units, uint64_t count)
{
    for (int i = 0; i < PCS_CACHE_LOOKAHEAD; i++)
        walk_step(tree, &tree->walks[i]);
    struct tree_walk *w = &tree->walks[tree->walk_next];
    tree->walk_next = (tree->walk_next + 1) % PCS_CACHE_LOOKAHEAD;
    w->units = units;
    w->count = count;
    w->depth = 0;
    w->slot = 0;
    w->node = root;
    w->stage = count > 0 ? WALK_CHILD : WALK_DONE;
    /* The request's units come from another thread's cache: the walk reads
     * them from its next step on. */
    const char *bytes = (const char *)units;
    for (uint64_t offset = 0; offset < count * sizeof *units && offset < WALK_UNITS_BYTES; offset += 64)
        __builtin_prefetch(bytes + offset);
}

void pcs_tree_prefetch_forget(struct tree *tree, const uint64_t *units)
{
    for (int i = 0; i < PCS_CACHE_LOOKAHEAD; i++)
        if (tree->walks[i].units == units)
            tree->walks[i].stage = WALK_DONE;
}

/* ------------------------------------------------------------------- paths */

static enum pcs_status path_reserve(struct tree *tree, size_t len)
{
    if (len <= tree->path_cap)
        return PCS_OK;
    size_t cap = tree->path_cap * 2;
    while (cap < len)
        cap *= 2;
    struct tree_step *path = realloc(tree->path, cap * sizeof *path);
    if (!path)
        return PCS_ERR_NOMEM;
    tree->path = path;
    tree->path_cap = cap;
    return PCS_OK;
}

/* The first i in [from, limit) where run[i] != want[i], else limit. A
 * request re-sends its whole history, so this compares every bound of
 * every request: four units per step while four remain. */
static inline uint32_t units_match(const uint64_t *run, const uint64_t *want, uint32_t from, uint32_t limit)
{
    uint32_t i = from;
#if defined(__SSE2__)
    while (limit - i >= 4) {
        __m128i low = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(run + i)),
                                      _mm_loadu_si128((const __m128i *)(const void *)(want + i)));
        __m128i high = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(run + i + 2)),
                                       _mm_loadu_si128((const __m128i *)(const void *)(want + i + 2)));
        if (_mm_movemask_epi8(_mm_and_si128(low, high)) != 0xFFFF)
            break;
        i += 4;
    }
#endif
    while (i < limit && run[i] == want[i])
        i++;
    return i;
}

/* The node that continues a match past a path step that matched matched
 * bounds of node's run, the next unit being unit: a side child where the
 * match leaves the run, else an end child; TREE_NIL if none. */
static uint32_t match_next(struct tree *tree, uint32_t node, uint32_t matched, uint64_t unit)
{
    const struct tree_node *n = &tree->nodes[node];
    if (matched < n->len)
        return side_of(tree, node, matched, unit); /* leaves the run sideways */
    if (end_children(n) == 0)
        return TREE_NIL; /* no end child: no need to ask the table (a conversation's next turn) */
    uint32_t child = child_of(tree, node, unit);
    if (child != TREE_NIL)
        node_set_hint(&tree->nodes[node], child, unit);
    return child;
}

/* Goes on matching units[depth..count) from child (whose first unit the
 * lookup matched), adding steps to the path. */
static enum pcs_status match_from(struct tree *tree, uint32_t child, const uint64_t *units, uint64_t count,
                                  uint64_t depth, uint64_t *bounds_matched)
{
    while (child != TREE_NIL) {
        struct tree_node *n = &tree->nodes[child];
        const uint64_t *run = tree_units(n);
        uint64_t rest = count - depth;
        uint32_t limit = rest < n->len ? (uint32_t)rest : n->len;
        /* The first unit matched through the lookup. */
        uint32_t matched = units_match(run, units + depth, 1, limit);
        if (path_reserve(tree, tree->path_len + 1) != PCS_OK)
            return PCS_ERR_NOMEM;
        tree->path[tree->path_len].node = child;
        tree->path[tree->path_len].matched = matched;
        tree->path[tree->path_len].start_depth = depth;
        tree->path_len++;
        depth += matched;
        if (depth >= count)
            break;
        child = match_next(tree, child, matched, units[depth]);
    }
    *bounds_matched = depth;
    return PCS_OK;
}

/* The match from a remembered path (pcs_tree_recall) that spells units up
 * to depth shared: the path is cut there, its last step goes on along its
 * run as far as units agree, then the walk goes on as from the root. The
 * tree is a trie, so the path of units[0..shared) is the one remembered;
 * what a walk from the root would have compared again is skipped. */
static enum pcs_status match_resumed(struct tree *tree, uint32_t root, const uint64_t *units, uint64_t count,
                                     uint64_t shared, uint64_t *bounds_matched)
{
    size_t s = tree->path_len;
    while (s > 1 && tree->path[s - 1].start_depth >= shared)
        s--;
    struct tree_step *step = &tree->path[s - 1];
    struct tree_node *n = &tree->nodes[step->node];
    uint64_t kept = shared - step->start_depth;
    if (!n->live || kept > n->len || step->start_depth >= shared) {
        /* Not a path of this tree: a caller's broken promise, or a bug.
         * Walk from the root rather than trust it. */
        tree->path_len = 0;
        uint32_t child = child_of(tree, root, units[0]);
        if (child != TREE_NIL)
            node_set_hint(&tree->nodes[root], child, units[0]);
        return match_from(tree, child, units, count, 0, bounds_matched);
    }
    tree->path_len = s;
    uint64_t rest = count - step->start_depth;
    uint32_t limit = rest < n->len ? (uint32_t)rest : n->len;
    step->matched = units_match(tree_units(n), units + step->start_depth, (uint32_t)kept, limit);
    uint64_t depth = step->start_depth + step->matched;
    if (depth >= count) {
        *bounds_matched = depth;
        return PCS_OK;
    }
    return match_from(tree, match_next(tree, step->node, step->matched, units[depth]), units, count, depth,
                      bounds_matched);
}

enum pcs_status pcs_tree_match(struct tree *tree, uint32_t root, const uint64_t *units, uint64_t count,
                               uint64_t *bounds_matched)
{
    tree->path_len = 0;
    tree->last_cut_tail = TREE_NIL;
    uint64_t shared;
    if (pcs_tree_recall(tree, root, count, &shared))
        return match_resumed(tree, root, units, count, shared, bounds_matched);
    uint32_t child = count > 0 ? child_of(tree, root, units[0]) : TREE_NIL;
    if (child != TREE_NIL)
        node_set_hint(&tree->nodes[root], child, units[0]);
    return match_from(tree, child, units, count, 0, bounds_matched);
}

/* lru list helpers */
static void lru_unlink(struct tree *tree, uint32_t id)
{
    struct tree_lru *node = &tree->lru[id];
    if (node->prev != TREE_NIL)
        tree->lru[node->prev].next = node->next;
    else if (tree->lru_head == id)
        tree->lru_head = node->next;
    else
        return; /* not in the list */
    if (node->next != TREE_NIL)
        tree->lru[node->next].prev = node->prev;
    else
        tree->lru_tail = node->prev;
    node->prev = TREE_NIL;
    node->next = TREE_NIL;
}

static void lru_insert_before(struct tree *tree, uint32_t id, uint32_t before)
{
    struct tree_lru *node = &tree->lru[id];
    if (before == TREE_NIL) { /* append at the tail */
        node->prev = tree->lru_tail;
        node->next = TREE_NIL;
        if (tree->lru_tail != TREE_NIL)
            tree->lru[tree->lru_tail].next = id;
        else
            tree->lru_head = id;
        tree->lru_tail = id;
        return;
    }
    struct tree_lru *next = &tree->lru[before];
    node->next = before;
    node->prev = next->prev;
    if (next->prev != TREE_NIL)
        tree->lru[next->prev].next = id;
    else
        tree->lru_head = id;
    next->prev = id;
}

void pcs_tree_lru_touch(struct tree *tree, uint32_t id)
{
    if (tree->lru_head == id)
        return;
    lru_unlink(tree, id);
    lru_insert_before(tree, id, tree->lru_head);
}

uint64_t pcs_tree_lru_tokens(const struct tree *tree, uint32_t node)
{
    return tree->lru[node].tokens;
}

/* After a cut at j bounds into path step s: the step becomes the head; the
 * tail follows it if the request matched into it (a cut at the end of the
 * match drops it). The path has room for one more step. */
static void path_split_step(struct tree *tree, size_t s, uint32_t j, uint32_t head_id, uint32_t tail_id)
{
    uint32_t matched = tree->path[s].matched;
    tree->path[s].node = head_id;
    tree->path[s].matched = j;
    if (matched > j) {
        memmove(&tree->path[s + 2], &tree->path[s + 1], (tree->path_len - s - 1) * sizeof *tree->path);
        tree->path_len++;
        tree->path[s + 1].node = tail_id;
        tree->path[s + 1].matched = matched - j;
        tree->path[s + 1].start_depth = tree->path[s].start_depth + j;
    }
}

/* Moves the run of head_id from offset j (0 < j < len) on into a new node
 * *tail_id, whose parent it is, not yet linked as a child: the tail has
 * the head's last use and its entry, if any (an entry sits at the run's
 * end). Side children stay with the head. */
static enum pcs_status split_tail(struct tree *tree, uint32_t head_id, uint32_t j, uint32_t *tail_id)
{
    if (node_new(tree, tail_id) != PCS_OK)
        return PCS_ERR_NOMEM;
    struct tree_node *head = &tree->nodes[head_id];
    if (node_extend(tree, *tail_id, tree_units(head) + j, NULL, head->len - j) != PCS_OK) {
        node_release(tree, *tail_id);
        return PCS_ERR_NOMEM;
    }
    head = &tree->nodes[head_id];
    struct tree_node *tail = &tree->nodes[*tail_id];
    tail->used_ms = head->used_ms;
    tail->entry_ttl_ms = head->entry_ttl_ms;
    tail->entry_wait_ms = head->entry_wait_ms;
    tail->parent = head_id;
    head->entry_ttl_ms = 0;
    head->entry_wait_ms = 0;
    head->len = j;
    return PCS_OK;
}

/* pcs_tree_cut of a node without end children (no lru list to keep in order):
 * the node keeps the head of its run, which is usually long (a
 * conversation), and the tail, usually short (a replaced last block), moves
 * to a new child: nothing long is copied. Side children before the cut
 * stay, one at the cut becomes an end child, later ones go with the tail. */
static enum pcs_status cut_in_place(struct tree *tree, size_t s, uint32_t j, size_t *step_index)
{
    uint32_t head_id = tree->path[s].node;
    uint32_t tail_id;
    if (split_tail(tree, head_id, j, &tail_id) != PCS_OK)
        return PCS_ERR_NOMEM;
    struct tree_node *head = &tree->nodes[head_id];
    for (int i = 0; i < TREE_SIDE; i++) {
        uint32_t side = head->side[i];
        if (side == TREE_NIL || head->side_attach[i] < j)
            continue;
        head->side[i] = TREE_NIL;
        if (head->side_attach[i] == j) {
            tree->nodes[side].attach = TREE_END;
            if (child_insert(tree, head_id, tree_units(&tree->nodes[side])[0], side) != PCS_OK)
                return PCS_ERR_NOMEM;
        } else {
            tree->nodes[side].attach -= j;
            tree->nodes[side].parent = tail_id;
            side_replace(tree, tail_id, TREE_NIL, side, tree->nodes[side].attach);
            tree->nodes[head_id].children--;
            tree->nodes[tail_id].children++;
        }
    }
    head = &tree->nodes[head_id];
    if (child_insert(tree, head_id, tree_units(&tree->nodes[tail_id])[0], tail_id) != PCS_OK)
        return PCS_ERR_NOMEM;
    head->children++;
    path_split_step(tree, s, j, head_id, tail_id);
    tree->last_cut_tail = tail_id;
    *step_index = s;
    return PCS_OK;
}

/* The first path step whose match reaches depth (path_len if none): steps
 * are contiguous, so their ends increase; a conversation's path has a node
 * per turn, and the cut is usually near its end. */
static size_t path_step_reaching(const struct tree *tree, uint64_t depth)
{
    size_t low = 0, high = tree->path_len;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (tree->path[mid].start_depth + tree->path[mid].matched < depth)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

enum pcs_status pcs_tree_cut(struct tree *tree, uint64_t depth, size_t *step_index)
{
    size_t s = path_step_reaching(tree, depth);
    if (s == tree->path_len || depth <= tree->path[s].start_depth)
        return PCS_ERR_ARG;
    struct tree_step *step = &tree->path[s];
    uint32_t j = (uint32_t)(depth - step->start_depth);
    uint32_t tail_id = step->node;
    if (j == tree->nodes[tail_id].len) {
        *step_index = s;
        return PCS_OK;
    }
    if (path_reserve(tree, tree->path_len + 1) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (!tree->with_costs && end_children(&tree->nodes[tail_id]) == 0)
        return cut_in_place(tree, s, j, step_index);
    uint32_t head_id;
    if (node_new(tree, &head_id) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (node_extend(tree, head_id, tree_units(&tree->nodes[tail_id]),
                    tree->with_costs ? tree->lru[tail_id].costs : NULL, j) != PCS_OK) {
        node_release(tree, head_id);
        return PCS_ERR_NOMEM;
    }
    struct tree_node *head = &tree->nodes[head_id];
    struct tree_node *tail = &tree->nodes[tail_id];
    uint64_t *tail_units = tree_units(tail);
    uint64_t first_unit = tail_units[0];
    head->used_ms = tail->used_ms;
    head->parent = tail->parent;
    head->children = 1;
    head->attach = tail->attach;
    /* The head takes the tail's place under its parent: the same key in the
     * child table (or the same side slot), a new child. */
    if (tail->attach == TREE_END)
        pcs_hash_slot_of(&tree->children, first_unit, tail->parent)->value = head_id;
    else
        side_replace(tree, tail->parent, tail_id, head_id, tail->attach);
    if (tree->nodes[tail->parent].hint_child == tail_id)
        tree->nodes[tail->parent].hint_child = head_id;
    tail->attach = TREE_END;
    /* Side children before the cut go with the head; one at the cut becomes
     * the head's end child; later ones stay, their offsets shifted. */
    for (int i = 0; i < TREE_SIDE; i++) {
        uint32_t side = tail->side[i];
        if (side == TREE_NIL || tail->side_attach[i] > j) {
            if (side != TREE_NIL) {
                tree->nodes[side].attach -= j;
                tail->side_attach[i] -= j;
            }
            continue;
        }
        tail->side[i] = TREE_NIL;
        tail->children--;
        tree->nodes[side].parent = head_id;
        head->children++;
        if (tree->nodes[side].attach < j) {
            side_replace(tree, head_id, TREE_NIL, side, tree->nodes[side].attach);
        } else {
            tree->nodes[side].attach = TREE_END;
            if (child_insert(tree, head_id, tree_units(&tree->nodes[side])[0], side) != PCS_OK)
                return PCS_ERR_NOMEM;
            head = &tree->nodes[head_id];
            tail = &tree->nodes[tail_id];
        }
    }
    /* The tail keeps its id (its children's keys stay valid), loses its head. */
    uint32_t rest = tail->len - j;
    memmove(tail_units, tail_units + j, rest * sizeof *tail_units);
    if (tree->with_costs) {
        struct tree_lru *lru = &tree->lru[tail_id];
        memmove(lru->costs, lru->costs + j, rest * sizeof *lru->costs);
        lru->tokens -= tree->lru[head_id].tokens;
        /* Shallower bounds are more recent: the head goes just before the tail. */
        if (lru->prev != TREE_NIL || tree->lru_head == tail_id)
            lru_insert_before(tree, head_id, tail_id);
    }
    tail->len = rest;
    tail->parent = head_id;
    if (child_insert(tree, head_id, tail_units[0], tail_id) != PCS_OK)
        return PCS_ERR_NOMEM;
    path_split_step(tree, s, j, head_id, tail_id);
    tree->last_cut_tail = tail_id;
    *step_index = s;
    return PCS_OK;
}

enum pcs_status pcs_tree_append(struct tree *tree, uint32_t root, const uint64_t *units, const uint32_t *costs,
                                uint64_t from, uint64_t to, int64_t used_ms, uint32_t *leaf)
{
    uint32_t parent = root;
    if (tree->path_len > 0) {
        const struct tree_step *last = &tree->path[tree->path_len - 1];
        if (last->start_depth + last->matched != from || last->matched != tree->nodes[last->node].len)
            return PCS_ERR_ARG;
        parent = last->node;
    } else if (from != 0) {
        return PCS_ERR_ARG;
    }
    if (to - from > UINT32_MAX || to <= from)
        return PCS_ERR_ARG;
    uint32_t len = (uint32_t)(to - from);
    struct tree_node *p = &tree->nodes[parent];
    if (parent != root && end_children(p) == 0 && p->entry_ttl_ms == 0) {
        /* A conversation's next turn extends its own leaf: the leaf's run
         * grows instead of a chain of one node per turn. The caller makes
         * the whole path share the request's time (or recency). */
        if (node_extend(tree, parent, units + from, costs ? costs + from : NULL, len) != PCS_OK)
            return PCS_ERR_NOMEM;
        tree->nodes[parent].used_ms = used_ms;
        tree->path[tree->path_len - 1].matched += len;
        *leaf = parent;
        return PCS_OK;
    }
    if (path_reserve(tree, tree->path_len + 1) != PCS_OK)
        return PCS_ERR_NOMEM;
    uint32_t id;
    if (node_new(tree, &id) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (node_extend(tree, id, units + from, costs ? costs + from : NULL, len) != PCS_OK ||
        child_insert(tree, parent, units[from], id) != PCS_OK) {
        node_release(tree, id);
        return PCS_ERR_NOMEM;
    }
    struct tree_node *node = &tree->nodes[id];
    node->parent = parent;
    node->used_ms = used_ms;
    tree->nodes[parent].children++;
    tree->path[tree->path_len].node = id;
    tree->path[tree->path_len].matched = len;
    tree->path[tree->path_len].start_depth = from;
    tree->path_len++;
    *leaf = id;
    return PCS_OK;
}

void pcs_tree_free_leaf(struct tree *tree, uint32_t leaf)
{
    struct tree_node *node = &tree->nodes[leaf];
    uint32_t parent = node->parent;
    /* A trimmed-out run still holds its first unit: the key to remove. */
    if (node->attach == TREE_END)
        child_remove(tree, parent, tree_units(node)[0]);
    else
        side_replace(tree, parent, leaf, TREE_NIL, 0);
    if (parent != TREE_NIL) {
        tree->nodes[parent].children--;
        if (tree->nodes[parent].hint_child == leaf)
            tree->nodes[parent].hint_child = TREE_NIL;
    }
    if (tree->with_costs)
        lru_unlink(tree, leaf);
    node_release(tree, leaf);
}

/* A side slot of node for a new side child: a free one, else one whose
 * child is_dead frees (a leaf holding nothing alive); -1 if neither. A
 * child that alive says is surely alive is not visited. */
static int side_slot_for_new(struct tree *tree, uint32_t node_id, tree_dead_fn is_dead, const void *context,
                             const struct tree_alive *alive)
{
    struct tree_node *node = &tree->nodes[node_id];
    for (int i = 0; i < TREE_SIDE; i++)
        if (node->side[i] == TREE_NIL)
            return i;
    for (int i = 0; i < TREE_SIDE; i++) {
        uint32_t side = node->side[i];
        uint32_t used_s = node->side_used_s[i];
        if (used_s != TREE_UNKNOWN_S && alive->now_ms - (int64_t)used_s * 1000 < alive->alive_ms)
            continue;
        if (tree->nodes[side].children == 0 && is_dead(&tree->nodes[side], context)) {
            pcs_tree_free_leaf(tree, side);
            return i;
        }
    }
    return -1;
}

int pcs_tree_cut_aside(struct tree *tree, tree_dead_fn is_dead, const void *context, const struct tree_alive *alive)
{
    if (tree->path_len == 0 || tree->with_costs)
        return 0;
    struct tree_step *last = &tree->path[tree->path_len - 1];
    uint32_t head_id = last->node;
    struct tree_node *head = &tree->nodes[head_id];
    uint32_t j = last->matched;
    /* The shape: a run left partway by the path's end, with no end
     * children (so no table keys hang off the cut) and no side child at or
     * past the cut (they would have to move). */
    if (j == 0 || j >= head->len || head->entry_ttl_ms != 0 || end_children(head) != 0)
        return 0;
    for (int i = 0; i < TREE_SIDE; i++)
        if (head->side[i] != TREE_NIL && head->side_attach[i] >= j)
            return 0;
    int slot = side_slot_for_new(tree, head_id, is_dead, context, alive);
    if (slot < 0)
        return 0;
    uint32_t tail_id;
    if (split_tail(tree, head_id, j, &tail_id) != PCS_OK)
        return 0;
    tree->nodes[tail_id].attach = j;
    side_put(tree, head_id, slot, tail_id, j);
    head = &tree->nodes[head_id];
    head->children++;
    head->hint_child = TREE_NIL;
    tree->last_cut_tail = TREE_NIL;
    return 1;
}

void pcs_tree_absorb(struct tree *tree, tree_dead_fn is_dead, const void *context, const struct tree_alive *alive)
{
    if (tree->path_len == 0 || tree->last_cut_tail == TREE_NIL)
        return;
    const struct tree_step *last = &tree->path[tree->path_len - 1];
    uint32_t parent_id = last->node;
    uint32_t stub_id = tree->last_cut_tail;
    struct tree_node *parent = &tree->nodes[parent_id];
    struct tree_node *stub = &tree->nodes[stub_id];
    /* The shape: the path ends where the stub was just cut off, and the
     * stub, a leaf, is the parent's only end child. */
    if (last->matched != parent->len || stub->parent != parent_id || stub->children != 0 || stub->attach != TREE_END ||
        parent->entry_ttl_ms != 0 || end_children(parent) != 1)
        return;
    int slot = side_slot_for_new(tree, parent_id, is_dead, context, alive);
    if (slot < 0)
        return;
    parent = &tree->nodes[parent_id];
    stub = &tree->nodes[stub_id];
    child_remove(tree, parent_id, tree_units(stub)[0]);
    stub->attach = parent->len;
    side_put(tree, parent_id, slot, stub_id, stub->attach);
    parent = &tree->nodes[parent_id];
    parent->hint_child = TREE_NIL;
    tree->last_cut_tail = TREE_NIL;
}

size_t pcs_tree_sweep(struct tree *tree, tree_dead_fn is_dead, const void *context)
{
    size_t freed = 0;
    for (size_t i = 0; i < tree->node_top; i++) {
        uint32_t id = (uint32_t)i;
        /* Roots (parent TREE_NIL) stay. */
        while (tree->nodes[id].live && tree->nodes[id].parent != TREE_NIL && tree->nodes[id].children == 0 &&
               is_dead(&tree->nodes[id], context)) {
            uint32_t parent = tree->nodes[id].parent;
            pcs_tree_free_leaf(tree, id);
            freed++;
            id = parent;
        }
    }
    if (freed > 0)
        pcs_tree_forget_all(tree); /* roots other than the one accessed may have lost nodes */
    return freed;
}

uint64_t pcs_tree_trim_leaf(struct tree *tree, uint32_t leaf)
{
    struct tree_node *node = &tree->nodes[leaf];
    struct tree_lru *lru = &tree->lru[leaf];
    uint64_t cost = lru->costs[node->len - 1];
    node->len--;
    lru->tokens -= cost;
    if (node->len == 0)
        pcs_tree_free_leaf(tree, leaf);
    return cost;
}
