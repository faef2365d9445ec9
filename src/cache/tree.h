/* The prefix tree behind every cache policy (internal to src/cache).
 *
 * A path from a root to a node spells a chain of units; in DESIGN terms the
 * node at depth i stands for key_i. Nodes are path-compressed: a node holds a
 * run of bounds that were created, refreshed and (for lru) ordered together,
 * so they share one last-use time. A request whose prompt extends a cached
 * conversation is matched by comparing its units with the runs and one
 * child lookup per node (usually answered by the parent's hint), never a
 * probe per bound.
 *
 * Roots are per (namespace, model): caches are per model, and ids local to a
 * file never meet another file's. */
#ifndef PCSIM_CACHE_TREE_H
#define PCSIM_CACHE_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash_table.h"
#include "pcsim/cache.h"
#include "pcsim/status.h"
#include "prefetch_internal.h"
#include "run_pool.h"

#define TREE_NIL UINT32_MAX

/* Runs of up to TREE_INLINE bounds (branch stubs, short turns) live in the
 * node itself: one cache line holds what a step of the walk reads. */
#define TREE_INLINE 2

/* Children normally hang at the end of their parent's run and are found
 * through the child table. A side child branches off inside the run
 * instead (see pcs_tree_absorb); a node keeps up to TREE_SIDE of them. */
#define TREE_SIDE 4
#define TREE_END UINT32_MAX
#define TREE_UNKNOWN_S UINT32_MAX

struct tree_node {
    uint64_t inline_units[TREE_INLINE]; /* the run, while cap == TREE_INLINE */
    uint64_t *heap_units;               /* the run, once cap > TREE_INLINE (from the tree's run pool) */
    int64_t used_ms;                    /* last use of every bound in the run */
    uint64_t hint_unit;                 /* the first unit of hint_child's run */
    int64_t entry_ttl_ms;               /* breakpoint: an entry at the run's last bound with this TTL; 0 none */
    uint32_t len;
    uint32_t cap;    /* bounds the run has room for */
    uint32_t parent; /* TREE_NIL for a root; the free list's link when free */
    uint32_t children;
    uint32_t hint_child;             /* the end child found or added last: tried before the table */
    uint32_t live;                   /* 0 on the free list */
    uint32_t attach;                 /* TREE_END, or the offset in the parent's run where this node branches */
    uint32_t side[TREE_SIDE];        /* children that branch off inside the run (TREE_NIL: free slot) */
    uint32_t side_attach[TREE_SIDE]; /* their attach offsets, kept here so that a walk past
                                        the run need not visit them */
    uint32_t side_used_s[TREE_SIDE]; /* a lower bound of each one's last use, in whole seconds
                                        (TREE_UNKNOWN_S: none), so that an alive one need not be
                                        visited to know it */
    uint32_t entry_wait_ms;          /* breakpoint: the entry is readable from used_ms + this
                                        (visible_after); fits the node's padding */
};

/* lru only, parallel to the nodes: per-bound costs and the recency list. */
struct tree_lru {
    uint32_t *costs; /* cap costs (owned) */
    uint64_t tokens; /* sum of the run's costs */
    uint32_t prev;   /* more recent neighbour */
    uint32_t next;   /* less recent neighbour */
};

static inline uint64_t *tree_units(struct tree_node *node)
{
    return node->cap > TREE_INLINE ? node->heap_units : node->inline_units;
}

/* One step of a matched path: node, the depth (in bounds) where its run
 * starts, and how many of its bounds the request matched. */
struct tree_step {
    uint32_t node;
    uint32_t matched;
    uint64_t start_depth;
};

/* A lookahead walk (see pcs_tree_prefetch): where the walk of an announced
 * request has got to, one memory load at a time. */
enum tree_walk_stage { WALK_DONE, WALK_CHILD, WALK_SLOT, WALK_NODE };

struct tree_walk {
    const uint64_t *units;
    uint64_t count;
    uint64_t depth; /* the bounds before node's run (WALK_NODE) or after it */
    size_t slot;    /* WALK_SLOT: the child-table slot loading */
    uint32_t node;  /* WALK_CHILD: the node whose child comes next; WALK_NODE: the node loading */
    uint32_t stage; /* enum tree_walk_stage */
};

/* What the caller knows of the next request's prompt (pcs_tree_expect):
 * prompt_id names its units (two prompts with one nonzero id have equal
 * units), and its first prefix_shared units are those of the prompt named
 * prefix_of (0: none). */
struct tree_expect {
    uint64_t prompt_id;
    uint64_t prefix_of;
    uint64_t prefix_shared;
};

/* A root's remembered path: the path of prompt prompt_id as the access that
 * sent it left the tree, valid while the tree's epoch is epoch. */
struct tree_memory {
    uint64_t prompt_id; /* 0: nothing remembered */
    uint64_t epoch;
    struct tree_step *steps;
    size_t len;
    size_t cap;
};

/* The remembered paths of a tree, one per root (see pcs_tree_expect). */
struct tree_recall {
    struct tree_memory *memories;
    size_t memory_count;
    size_t memory_cap;
    struct pcs_hash_table memory_of; /* (root, 0) -> index into memories */
    /* Moves when a change may have reshaped a root other than the one
     * being accessed (a sweep, an eviction): every memory is then stale. */
    uint64_t epoch;
    struct tree_expect expect; /* for the next pcs_tree_match; zero: nothing known */
    /* Set by the last pcs_tree_match that was expected: */
    uint64_t matched_prompt; /* the prompt it matched (0: none to remember) */
    uint64_t matched_epoch;
    uint32_t matched_root;
    uint64_t resumed; /* matches that started from a memory (benchmarks, tests) */
};

/* A policy's test: does this node hold nothing alive? */
typedef int (*tree_dead_fn)(const struct tree_node *node, const void *context);

/* What a policy knows of life without visiting a node: everything last
 * used at u is alive at now_ms if now_ms < u + alive_ms (ideal: forever).
 * Lets pcs_tree_cut_aside and pcs_tree_absorb pass over side children that are
 * surely alive. */
struct tree_alive {
    int64_t now_ms;
    int64_t alive_ms;
};

struct tree {
    struct tree_node *nodes;
    struct run_pool runs; /* the runs longer than TREE_INLINE */
    struct tree_lru *lru; /* with_costs only: node_cap entries */
    size_t node_cap;
    size_t node_top; /* nodes[0..node_top) have been handed out */
    size_t live_nodes;
    uint32_t free_head; /* free list through parent */
    /* The end children: (first unit of the child's run, parent) -> child. */
    struct pcs_hash_table children;
    int with_costs;         /* lru: keep per-bound costs and the recency list */
    uint32_t lru_head;      /* most recently used */
    uint32_t lru_tail;      /* least recently used */
    uint32_t last_cut_tail; /* the tail pcs_tree_cut split off last in this request */
    uint32_t last_root;     /* the root pcs_tree_root found last (roots are never freed), or TREE_NIL */
    uint64_t last_root_key; /* its (namespace, model) */
    struct tree_walk walks[PCS_CACHE_LOOKAHEAD]; /* lookahead walks, a ring */
    unsigned walk_next;                          /* the ring's oldest */
    /* The current request's path. */
    struct tree_step *path;
    size_t path_len;
    size_t path_cap;
    struct tree_recall recall; /* remembered paths (tree_recall.c) */
};

enum pcs_status pcs_tree_init(struct tree *tree, int with_costs);
void pcs_tree_release(struct tree *tree);

/* The root of (namespace, model), created on first use. */
enum pcs_status pcs_tree_root(struct tree *tree, uint32_t namespace_id, uint32_t model, uint32_t *root);

/* Matches units[0..count) from root; fills tree->path (the root excluded)
 * and sets *bounds_matched to the number of bounds matched. A step is partial
 * (matched < its node's run) where the request leaves the run: at the last
 * step, or where it continues into a side child. PCS_ERR_NOMEM when the
 * path cannot grow (then *bounds_matched is unset and the path is incomplete). */
enum pcs_status pcs_tree_match(struct tree *tree, uint32_t root, const uint64_t *units, uint64_t count,
                               uint64_t *bounds_matched);

/* The root of (namespace, model) if it exists, else TREE_NIL. */
uint32_t pcs_tree_root_find(struct tree *tree, uint32_t namespace_id, uint32_t model);

/* Moves every lookahead walk on by one memory load (the one its previous
 * step prefetched, so it should not wait), then starts a walk of
 * units[0..count) from root in place of the oldest. A walk only reads the
 * tree and issues prefetches: it follows hints, the child table and runs'
 * lengths without comparing units, so a wrong guess costs a wasted load,
 * never a wrong result. Nodes and slots are read by index, so a walk that
 * the tree has changed under stays inside the tree's arrays. */
void pcs_tree_prefetch(struct tree *tree, uint32_t root, const uint64_t *units, uint64_t count);

/* Ends the lookahead walks of units (their request is being accessed, and
 * its arrays may go away after). */
void pcs_tree_prefetch_forget(struct tree *tree, const uint64_t *units);

/* Makes a node boundary at depth (0 < depth <= matched bounds) of the path
 * by splitting the step that spans it; returns the path index of the step
 * that now ends exactly at depth. The head of a split is a new node with the
 * old run's last use; the tail keeps its id, children and list place. The
 * tail stays on the path only if the request matched some of it. */
enum pcs_status pcs_tree_cut(struct tree *tree, uint64_t depth, size_t *step_index);

/* Adds units[from..to) (costs[from..to) when the tree keeps costs) below
 * the last fully matched step (or root), which must end at depth from, and
 * puts them on the path. A leaf without an entry simply grows (a
 * conversation's next turn); otherwise a new leaf is made. *leaf is the node
 * now holding them. The caller refreshes the path. */
enum pcs_status pcs_tree_append(struct tree *tree, uint32_t root, const uint64_t *units, const uint32_t *costs,
                                uint64_t from, uint64_t to, int64_t used_ms, uint32_t *leaf);

/* Call before pcs_tree_append when the request goes on where pcs_tree_cut has just
 * split a leaf (a conversation whose last, partial block the next turn
 * replaces): the cut-off tail becomes a side child, so pcs_tree_append grows
 * the conversation's own run instead of adding a node per turn. For
 * policies whose refresh keeps a run's bounds in step (ideal, ttl, openai).
 * When the node's side slots are full, a side child that is_dead frees is
 * reclaimed (one that alive says is alive is not visited); otherwise
 * nothing changes. */
void pcs_tree_absorb(struct tree *tree, tree_dead_fn is_dead, const void *context, const struct tree_alive *alive);

/* pcs_tree_cut then pcs_tree_absorb in one step, for the usual case where the
 * path's last step leaves its run partway, the node has no end children
 * and no side child at or past the cut, and a side slot is free (or
 * is_dead frees one): the cut-off tail becomes a side child at once,
 * without passing through the child table. Returns 1 if it did so (the
 * path's last step now ends with its node), 0 if not (at most a dead side
 * child was freed) and the caller must use pcs_tree_cut and pcs_tree_absorb. Not
 * for trees with costs. alive: what is known without a visit. */
int pcs_tree_cut_aside(struct tree *tree, tree_dead_fn is_dead, const void *context, const struct tree_alive *alive);

/* Removes the last bound of a leaf (lru eviction); frees the leaf when empty.
 * Returns the cost removed. */
uint64_t pcs_tree_trim_leaf(struct tree *tree, uint32_t leaf);

/* Frees a leaf node (no children) entirely. */
void pcs_tree_free_leaf(struct tree *tree, uint32_t leaf);

/* Frees every node that is_dead says holds nothing alive and that has no
 * children left, leaves first, cascading up to parents that become such
 * leaves; roots stay. Returns the number of nodes freed. */
size_t pcs_tree_sweep(struct tree *tree, tree_dead_fn is_dead, const void *context);

/* Resuming walks (tree_recall.c). A conversation re-sends its history
 * every turn, so most of a request's units are those of its root's previous
 * request; matching them again costs a comparison per bound. Instead the
 * caller states what it knows with pcs_tree_expect before the access, and
 * pcs_tree_remember after it keeps the path that access left for its root.
 * The next pcs_tree_match in that root whose expectation names the
 * remembered prompt (as prompt_id: the same prompt again; or as prefix_of)
 * starts from the remembered path cut to the shared units, and compares
 * only the rest: the path, the match and every hint it leaves that a
 * result depends on are what a walk from the root gives.
 *
 * A memory stays valid while only its own root's accesses change its part of
 * the tree (every pcs_tree_match of a root forgets the root's memory, and
 * an expected access remembers it again at its end). A change to another
 * root's part (pcs_tree_sweep, lru eviction) must call pcs_tree_forget_all.
 * An expectation is the caller's promise: a false one gives wrong matches. */

/* Sets the expectation of the next pcs_tree_match (NULL: none). */
void pcs_tree_expect(struct tree *tree, const struct tree_expect *expect);

/* After an access whose match was expected: keeps the path the access
 * left (tree->path, which is empty after) for the matched root. Nothing is
 * kept if pcs_tree_forget_all was called since the match. */
void pcs_tree_remember(struct tree *tree);

/* Every remembered path is stale (a change outside the accessed root). */
void pcs_tree_forget_all(struct tree *tree);

/* For pcs_tree_match, which has set tree->path_len to 0: forgets root's
 * memory and, when the expectation names it, puts its path in tree->path
 * and sets *shared to the depth in bounds (>= 1, <= count) up to which
 * that path spells the request's units; returns 1 then, else 0. Takes the
 * expectation (the next match has none unless set again). */
int pcs_tree_recall(struct tree *tree, uint32_t root, uint64_t count, uint64_t *shared);

/* Frees the remembered paths. */
void pcs_tree_recall_release(struct tree_recall *recall);

/* lru: moves node to the head of the recency list (inserting it if new). */
void pcs_tree_lru_touch(struct tree *tree, uint32_t node);

/* lru: the tokens a node's run holds. */
uint64_t pcs_tree_lru_tokens(const struct tree *tree, uint32_t node);

#endif
