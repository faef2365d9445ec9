/* The prefix tree behind every cache policy (internal to src/cache).
 *
 * A path from a root to a node spells a chain of units; in DESIGN terms the
 * node at depth i stands for key_i. Nodes are path-compressed: a node holds a
 * run of bounds that were created, refreshed and (for lru) ordered together,
 * so they share one last-use time. A request whose prompt extends a cached
 * conversation is matched by comparing its units with the runs (a memcmp per
 * node) and one hash probe per node, never per bound.
 *
 * Roots are per (namespace, model): caches are per model, and ids local to a
 * file never meet another file's. */
#ifndef PCSIM_CACHE_TREE_H
#define PCSIM_CACHE_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"

#define TREE_NIL UINT32_MAX

struct tree_node {
    uint64_t *units;   /* the run: len units (owned) */
    uint32_t *costs;   /* per-bound token costs (lru only) */
    int64_t used_ms;   /* last use of every bound in the run */
    int64_t entry_ttl_ms; /* breakpoint: an entry at the run's last bound with this TTL; 0 none */
    uint64_t tokens;   /* lru: sum of costs */
    uint32_t len;
    uint32_t cap;      /* bounds allocated */
    uint32_t parent;   /* TREE_NIL for a root */
    uint32_t children;
    uint32_t lru_prev; /* lru list, most recent at the head */
    uint32_t lru_next;
};

/* One step of a matched path: node, the depth (in bounds) where its run
 * starts, and how many of its bounds the request matched. */
struct tree_step {
    uint32_t node;
    uint32_t matched;
    uint64_t start_depth;
};

struct child_slot {
    uint64_t unit;
    uint32_t parent;
    uint32_t child; /* TREE_NIL: empty */
};

struct tree {
    struct tree_node *nodes;
    size_t node_cap;
    size_t node_top;     /* nodes[0..node_top) have been handed out */
    size_t live_nodes;
    uint32_t free_head;  /* free list through parent */
    struct child_slot *slots;
    size_t slot_mask;    /* capacity - 1, a power of two minus one */
    size_t slot_used;
    int with_costs;        /* lru: keep per-bound costs and the recency list */
    uint32_t lru_head;     /* most recently used */
    uint32_t lru_tail;     /* least recently used */
    /* The current request's path. */
    struct tree_step *path;
    size_t path_len;
    size_t path_cap;
};

enum pcs_status tree_init(struct tree *tree, int with_costs);
void tree_release(struct tree *tree);

/* The root of (namespace, model), created on first use. */
enum pcs_status tree_root(struct tree *tree, uint32_t namespace_id, uint32_t model, uint32_t *root);

/* Matches units[0..count) from root; fills tree->path (the root excluded)
 * and returns the number of bounds matched. The last step may be partial. */
uint64_t tree_match(struct tree *tree, uint32_t root, const uint64_t *units, uint64_t count);

/* Makes a node boundary at depth (0 < depth <= matched bounds) of the path
 * by splitting the step that spans it; returns the path index of the step
 * that now ends exactly at depth. The head of a split is a new node with the
 * old run's last use; the tail keeps its id, children and list place. The
 * tail stays on the path only if the request matched some of it. */
enum pcs_status tree_cut(struct tree *tree, uint64_t depth, size_t *step_index);

/* Adds units[from..to) (costs[from..to) when the tree keeps costs) below
 * the last fully matched step (or root), which must end at depth from, and
 * puts them on the path. A leaf without an entry simply grows (a
 * conversation's next turn); otherwise a new leaf is made. *leaf is the node
 * now holding them. The caller refreshes the path. */
enum pcs_status tree_append(struct tree *tree, uint32_t root, const uint64_t *units, const uint32_t *costs,
                            uint64_t from, uint64_t to, int64_t used_ms, uint32_t *leaf);

/* Removes the last bound of a leaf (lru eviction); frees the leaf when empty.
 * Returns the cost removed. */
uint64_t tree_trim_leaf(struct tree *tree, uint32_t leaf);

/* Frees a leaf node (no children) entirely. */
void tree_free_leaf(struct tree *tree, uint32_t leaf);

/* Frees every node that is_dead says holds nothing alive and that has no
 * children left, leaves first, cascading up to parents that become such
 * leaves; roots stay. Returns the number of nodes freed. */
typedef int (*tree_dead_fn)(const struct tree_node *node, const void *context);
size_t tree_sweep(struct tree *tree, tree_dead_fn is_dead, const void *context);

/* lru: moves node to the head of the recency list (inserting it if new). */
void tree_lru_touch(struct tree *tree, uint32_t node);

#endif
