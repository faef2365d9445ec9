/* The path-compressed prefix tree; see tree.h.
 *
 * Children are found through one open-addressing table keyed by
 * (parent, first unit of the child's run), linear probing with
 * backward-shift deletion, so there are no per-node child arrays and no
 * tombstones. Nodes live in one array and are recycled through a free list. */
#include "tree.h"

#include <stdlib.h>
#include <string.h>

#define INITIAL_NODES 1024
#define INITIAL_SLOTS 2048

static size_t slot_home(const struct tree *tree, uint32_t parent, uint64_t unit)
{
    uint64_t x = unit ^ ((uint64_t)parent * 0x9E3779B97F4A7C15ull);
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return (size_t)x & tree->slot_mask;
}

enum pcs_status tree_init(struct tree *tree, int with_costs)
{
    memset(tree, 0, sizeof *tree);
    tree->with_costs = with_costs;
    tree->free_head = TREE_NIL;
    tree->lru_head = TREE_NIL;
    tree->lru_tail = TREE_NIL;
    tree->nodes = malloc(INITIAL_NODES * sizeof *tree->nodes);
    tree->slots = malloc(INITIAL_SLOTS * sizeof *tree->slots);
    tree->path_cap = 64;
    tree->path = malloc(tree->path_cap * sizeof *tree->path);
    if (!tree->nodes || !tree->slots || !tree->path) {
        tree_release(tree);
        return PCS_ERR_NOMEM;
    }
    tree->node_cap = INITIAL_NODES;
    tree->slot_mask = INITIAL_SLOTS - 1;
    for (size_t i = 0; i < INITIAL_SLOTS; i++)
        tree->slots[i].child = TREE_NIL;
    return PCS_OK;
}

void tree_release(struct tree *tree)
{
    for (size_t i = 0; tree->nodes && i < tree->node_top; i++) {
        free(tree->nodes[i].units);
        free(tree->nodes[i].costs);
    }
    free(tree->nodes);
    free(tree->slots);
    free(tree->path);
    memset(tree, 0, sizeof *tree);
}

/* ------------------------------------------------------------ child table */

static uint32_t child_find(const struct tree *tree, uint32_t parent, uint64_t unit)
{
    size_t i = slot_home(tree, parent, unit);
    for (;;) {
        const struct child_slot *slot = &tree->slots[i];
        if (slot->child == TREE_NIL)
            return TREE_NIL;
        if (slot->unit == unit && slot->parent == parent)
            return slot->child;
        i = (i + 1) & tree->slot_mask;
    }
}

static size_t child_slot_of(const struct tree *tree, uint32_t parent, uint64_t unit)
{
    size_t i = slot_home(tree, parent, unit);
    while (tree->slots[i].child != TREE_NIL && (tree->slots[i].unit != unit || tree->slots[i].parent != parent))
        i = (i + 1) & tree->slot_mask;
    return i;
}

static enum pcs_status child_table_grow(struct tree *tree)
{
    size_t old_cap = tree->slot_mask + 1;
    struct child_slot *old = tree->slots;
    size_t cap = old_cap * 2;
    struct child_slot *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < cap; i++)
        slots[i].child = TREE_NIL;
    tree->slots = slots;
    tree->slot_mask = cap - 1;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].child == TREE_NIL)
            continue;
        size_t j = slot_home(tree, old[i].parent, old[i].unit);
        while (slots[j].child != TREE_NIL)
            j = (j + 1) & tree->slot_mask;
        slots[j] = old[i];
    }
    free(old);
    return PCS_OK;
}

static enum pcs_status child_insert(struct tree *tree, uint32_t parent, uint64_t unit, uint32_t child)
{
    if ((tree->slot_used + 1) * 2 > tree->slot_mask + 1 && child_table_grow(tree) != PCS_OK)
        return PCS_ERR_NOMEM;
    size_t i = child_slot_of(tree, parent, unit);
    if (tree->slots[i].child == TREE_NIL)
        tree->slot_used++;
    tree->slots[i].unit = unit;
    tree->slots[i].parent = parent;
    tree->slots[i].child = child;
    return PCS_OK;
}

static void child_remove(struct tree *tree, uint32_t parent, uint64_t unit)
{
    size_t i = child_slot_of(tree, parent, unit);
    if (tree->slots[i].child == TREE_NIL)
        return;
    tree->slot_used--;
    /* Backward-shift deletion: pull later members of the probe run into the hole. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & tree->slot_mask;
        if (tree->slots[j].child == TREE_NIL)
            break;
        size_t home = slot_home(tree, tree->slots[j].parent, tree->slots[j].unit);
        int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        tree->slots[i] = tree->slots[j];
        i = j;
    }
    tree->slots[i].child = TREE_NIL;
}

/* ------------------------------------------------------------------ nodes */

static enum pcs_status node_new(struct tree *tree, uint32_t *id)
{
    if (tree->free_head != TREE_NIL) {
        *id = tree->free_head;
        tree->free_head = tree->nodes[*id].parent;
    } else {
        if (tree->node_top == tree->node_cap) {
            if (tree->node_cap >= TREE_NIL / 2)
                return PCS_ERR_NOMEM;
            struct tree_node *nodes = realloc(tree->nodes, tree->node_cap * 2 * sizeof *nodes);
            if (!nodes)
                return PCS_ERR_NOMEM;
            tree->nodes = nodes;
            tree->node_cap *= 2;
        }
        *id = (uint32_t)tree->node_top++;
    }
    struct tree_node *node = &tree->nodes[*id];
    memset(node, 0, sizeof *node);
    node->parent = TREE_NIL;
    node->lru_prev = TREE_NIL;
    node->lru_next = TREE_NIL;
    tree->live_nodes++;
    return PCS_OK;
}

/* Makes room for cap bounds in node's run (costs too when kept). */
static enum pcs_status node_reserve(struct tree *tree, struct tree_node *node, uint32_t cap)
{
    if (cap <= node->cap && node->units)
        return PCS_OK;
    uint64_t *units = realloc(node->units, (cap ? cap : 1) * sizeof *units);
    if (!units)
        return PCS_ERR_NOMEM;
    node->units = units;
    if (tree->with_costs) {
        uint32_t *costs = realloc(node->costs, (cap ? cap : 1) * sizeof *costs);
        if (!costs)
            return PCS_ERR_NOMEM;
        node->costs = costs;
    }
    node->cap = cap;
    return PCS_OK;
}

/* Appends len units (and costs) to node's run. */
static enum pcs_status node_extend(struct tree *tree, struct tree_node *node, const uint64_t *units,
                                   const uint32_t *costs, uint32_t len)
{
    if (len == 0)
        return node_reserve(tree, node, node->cap);
    if ((uint64_t)node->len + len > UINT32_MAX)
        return PCS_ERR_ARG;
    uint32_t need = node->len + len;
    if (need > node->cap) {
        uint32_t cap = node->cap && node->cap < UINT32_MAX / 2 ? node->cap * 2 : need;
        if (node_reserve(tree, node, cap > need ? cap : need) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    memcpy(node->units + node->len, units, len * sizeof *units);
    if (tree->with_costs) {
        memcpy(node->costs + node->len, costs, len * sizeof *costs);
        for (uint32_t i = 0; i < len; i++)
            node->tokens += costs[i];
    }
    node->len = need;
    return PCS_OK;
}

/* Gives a new node a run of len units (and costs) copied from the arrays. */
static enum pcs_status node_fill(struct tree *tree, uint32_t id, const uint64_t *units, const uint32_t *costs,
                                 uint32_t len)
{
    struct tree_node *node = &tree->nodes[id];
    if (node_reserve(tree, node, len) != PCS_OK)
        return PCS_ERR_NOMEM;
    return node_extend(tree, node, units, costs, len);
}

static void node_release(struct tree *tree, uint32_t id)
{
    struct tree_node *node = &tree->nodes[id];
    free(node->units);
    free(node->costs);
    node->units = NULL;
    node->costs = NULL;
    node->len = 0;
    node->cap = 0;
    node->parent = tree->free_head;
    tree->free_head = id;
    tree->live_nodes--;
}

enum pcs_status tree_root(struct tree *tree, uint32_t namespace_id, uint32_t model, uint32_t *root)
{
    uint64_t key = ((uint64_t)namespace_id << 32) | model;
    uint32_t found = child_find(tree, TREE_NIL, key);
    if (found != TREE_NIL) {
        *root = found;
        return PCS_OK;
    }
    uint32_t id;
    if (node_new(tree, &id) != PCS_OK || node_fill(tree, id, NULL, NULL, 0) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (child_insert(tree, TREE_NIL, key, id) != PCS_OK)
        return PCS_ERR_NOMEM;
    *root = id;
    return PCS_OK;
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

uint64_t tree_match(struct tree *tree, uint32_t root, const uint64_t *units, uint64_t count)
{
    uint64_t depth = 0;
    uint32_t node = root;
    tree->path_len = 0;
    while (depth < count) {
        uint32_t child = child_find(tree, node, units[depth]);
        if (child == TREE_NIL)
            break;
        const struct tree_node *n = &tree->nodes[child];
        uint64_t rest = count - depth;
        uint32_t limit = rest < n->len ? (uint32_t)rest : n->len;
        uint32_t matched = 1; /* the first unit matched through the table */
        const uint64_t *want = units + depth;
        while (matched < limit && n->units[matched] == want[matched])
            matched++;
        if (path_reserve(tree, tree->path_len + 1) != PCS_OK)
            break; /* out of memory: treat the rest as unmatched */
        tree->path[tree->path_len].node = child;
        tree->path[tree->path_len].matched = matched;
        tree->path[tree->path_len].start_depth = depth;
        tree->path_len++;
        depth += matched;
        if (matched < n->len)
            break;
        node = child;
    }
    return depth;
}

/* lru list helpers */
static void lru_unlink(struct tree *tree, uint32_t id)
{
    struct tree_node *node = &tree->nodes[id];
    if (node->lru_prev != TREE_NIL)
        tree->nodes[node->lru_prev].lru_next = node->lru_next;
    else if (tree->lru_head == id)
        tree->lru_head = node->lru_next;
    else
        return; /* not in the list */
    if (node->lru_next != TREE_NIL)
        tree->nodes[node->lru_next].lru_prev = node->lru_prev;
    else
        tree->lru_tail = node->lru_prev;
    node->lru_prev = TREE_NIL;
    node->lru_next = TREE_NIL;
}

static void lru_insert_before(struct tree *tree, uint32_t id, uint32_t before)
{
    struct tree_node *node = &tree->nodes[id];
    if (before == TREE_NIL) { /* append at the tail */
        node->lru_prev = tree->lru_tail;
        node->lru_next = TREE_NIL;
        if (tree->lru_tail != TREE_NIL)
            tree->nodes[tree->lru_tail].lru_next = id;
        else
            tree->lru_head = id;
        tree->lru_tail = id;
        return;
    }
    struct tree_node *next = &tree->nodes[before];
    node->lru_next = before;
    node->lru_prev = next->lru_prev;
    if (next->lru_prev != TREE_NIL)
        tree->nodes[next->lru_prev].lru_next = id;
    else
        tree->lru_head = id;
    next->lru_prev = id;
}

void tree_lru_touch(struct tree *tree, uint32_t id)
{
    if (tree->lru_head == id)
        return;
    lru_unlink(tree, id);
    lru_insert_before(tree, id, tree->lru_head);
}

enum pcs_status tree_cut(struct tree *tree, uint64_t depth, size_t *step_index)
{
    size_t s = 0;
    while (s < tree->path_len && tree->path[s].start_depth + tree->path[s].matched < depth)
        s++;
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
    uint32_t head_id;
    if (node_new(tree, &head_id) != PCS_OK)
        return PCS_ERR_NOMEM;
    struct tree_node *tail = &tree->nodes[tail_id];
    if (node_fill(tree, head_id, tail->units, tail->costs, j) != PCS_OK) {
        node_release(tree, head_id);
        return PCS_ERR_NOMEM;
    }
    struct tree_node *head = &tree->nodes[head_id];
    tail = &tree->nodes[tail_id];
    uint64_t first_unit = tail->units[0];
    head->used_ms = tail->used_ms;
    head->parent = tail->parent;
    head->children = 1;
    /* The head takes the tail's place under its parent: same key, new child. */
    tree->slots[child_slot_of(tree, tail->parent, first_unit)].child = head_id;
    /* The tail keeps its id (its children's keys stay valid), loses its head. */
    uint32_t rest = tail->len - j;
    memmove(tail->units, tail->units + j, rest * sizeof *tail->units);
    if (tree->with_costs) {
        memmove(tail->costs, tail->costs + j, rest * sizeof *tail->costs);
        tail->tokens -= head->tokens;
        /* Shallower bounds are more recent: the head goes just before the tail. */
        if (tail->lru_prev != TREE_NIL || tree->lru_head == tail_id)
            lru_insert_before(tree, head_id, tail_id);
    }
    tail->len = rest;
    tail->parent = head_id;
    if (child_insert(tree, head_id, tail->units[0], tail_id) != PCS_OK)
        return PCS_ERR_NOMEM;
    /* The path: the step becomes the head; the tail follows it if the
     * request matched into it (a cut at the end of the match drops it). */
    uint32_t matched = tree->path[s].matched;
    tree->path[s].node = head_id;
    tree->path[s].matched = j;
    if (matched > j) {
        memmove(&tree->path[s + 2], &tree->path[s + 1], (tree->path_len - s - 1) * sizeof *tree->path);
        tree->path_len++;
        tree->path[s + 1].node = tail_id;
        tree->path[s + 1].matched = matched - j;
        tree->path[s + 1].start_depth = depth;
    }
    *step_index = s;
    return PCS_OK;
}

enum pcs_status tree_append(struct tree *tree, uint32_t root, const uint64_t *units, const uint32_t *costs,
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
    if (parent != root && p->children == 0 && p->entry_ttl_ms == 0) {
        /* A conversation's next turn extends its own leaf: the leaf's run
         * grows instead of a chain of one node per turn. The caller makes
         * the whole path share the request's time (or recency). */
        if (node_extend(tree, p, units + from, costs ? costs + from : NULL, len) != PCS_OK)
            return PCS_ERR_NOMEM;
        p->used_ms = used_ms;
        tree->path[tree->path_len - 1].matched += len;
        *leaf = parent;
        return PCS_OK;
    }
    if (path_reserve(tree, tree->path_len + 1) != PCS_OK)
        return PCS_ERR_NOMEM;
    uint32_t id;
    if (node_new(tree, &id) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (node_fill(tree, id, units + from, costs ? costs + from : NULL, len) != PCS_OK ||
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

void tree_free_leaf(struct tree *tree, uint32_t leaf)
{
    struct tree_node *node = &tree->nodes[leaf];
    if (node->cap > 0)
        child_remove(tree, node->parent, node->units[0]);
    if (node->parent != TREE_NIL)
        tree->nodes[node->parent].children--;
    if (tree->with_costs)
        lru_unlink(tree, leaf);
    node_release(tree, leaf);
}

size_t tree_sweep(struct tree *tree, tree_dead_fn is_dead, const void *context)
{
    size_t freed = 0;
    for (size_t i = 0; i < tree->node_top; i++) {
        uint32_t id = (uint32_t)i;
        /* Free nodes have no run; roots have an empty one. */
        while (tree->nodes[id].units && tree->nodes[id].len > 0 && tree->nodes[id].children == 0 &&
               is_dead(&tree->nodes[id], context)) {
            uint32_t parent = tree->nodes[id].parent;
            tree_free_leaf(tree, id);
            freed++;
            id = parent;
        }
    }
    return freed;
}

uint64_t tree_trim_leaf(struct tree *tree, uint32_t leaf)
{
    struct tree_node *node = &tree->nodes[leaf];
    uint64_t cost = node->costs[node->len - 1];
    node->len--;
    node->tokens -= cost;
    if (node->len == 0)
        tree_free_leaf(tree, leaf);
    return cost;
}
