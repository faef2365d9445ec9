/* Two ways to the same merges: a scan over the pair ranks for short pieces
 * (what tiktoken and gpt-tokenizer do for every piece), and a tournament tree
 * (a segment tree of minimums) over the pairs' keys for long ones, where the
 * scan would be quadratic (a megabyte of letters without a space is one
 * piece). A key orders by rank and then by position, so the tree's minimum
 * is the pair the scan would find: the lowest rank, leftmost among equal
 * ones. A merge changes three leaves, each fixed in at most log2(n) steps (fewer
 * when a minimum above does not change); a binary heap with lazy deletion
 * was half as fast on long whitespace runs (its sift-downs mispredict). */
#include "bpe.h"

#include <stdlib.h>
#include <string.h>

void pcs_bpe_scratch_free(struct pcs_bpe_scratch *scratch)
{
    free(scratch->a);
    free(scratch->b);
    free(scratch->tree);
    memset(scratch, 0, sizeof *scratch);
}

static int reserve(struct pcs_bpe_scratch *scratch, size_t entries)
{
    if (entries <= scratch->capacity)
        return 1;
    size_t capacity = scratch->capacity ? scratch->capacity : 256;
    while (capacity < entries)
        capacity *= 2;
    uint32_t *a = realloc(scratch->a, capacity * sizeof *a);
    if (a == NULL)
        return 0;
    scratch->a = a;
    uint32_t *b = realloc(scratch->b, capacity * sizeof *b);
    if (b == NULL)
        return 0;
    scratch->b = b;
    scratch->capacity = capacity;
    return 1;
}

static size_t merge_scan(const struct pcs_ranks *ranks, const uint8_t *piece, size_t len,
                         struct pcs_bpe_scratch *scratch, uint32_t *ids)
{
    uint32_t *starts = scratch->a; /* parts + 1 entries: part i is piece[starts[i] .. starts[i + 1]) */
    uint32_t *pair = scratch->b;   /* parts entries: pair[i] the rank of parts i and i + 1 merged */
    size_t parts = len;
    for (size_t i = 0; i <= len; i++)
        starts[i] = (uint32_t)i;
    for (size_t i = 0; i + 1 < len; i++)
        pair[i] = ranks->pair_rank[(size_t)piece[i] << 8 | piece[i + 1]];
    pair[len - 1] = PCS_RANK_NONE;
    while (parts > 1) {
        uint32_t lowest = PCS_RANK_NONE;
        size_t at = 0;
        for (size_t i = 0; i + 1 < parts; i++) {
            if (pair[i] < lowest) {
                lowest = pair[i];
                at = i;
            }
        }
        if (lowest == PCS_RANK_NONE)
            break;
        /* Parts at and at + 1 become one: drop the start of at + 1. */
        memmove(starts + at + 1, starts + at + 2, (parts - at - 1) * sizeof *starts);
        memmove(pair + at, pair + at + 1, (parts - at - 1) * sizeof *pair);
        parts--;
        pair[at] =
            at + 1 < parts ? pcs_ranks_find(ranks, piece + starts[at], starts[at + 2] - starts[at]) : PCS_RANK_NONE;
        if (at > 0)
            pair[at - 1] = pcs_ranks_find(ranks, piece + starts[at - 1], starts[at + 1] - starts[at - 1]);
    }
    if (ids != NULL)
        for (size_t i = 0; i < parts; i++)
            ids[i] = pcs_ranks_find(ranks, piece + starts[i], starts[i + 1] - starts[i]);
    return parts;
}

/* Sets leaf i of the tournament tree to key and fixes the minimums above it. */
static void tree_set(uint64_t *tree, size_t leaves, size_t i, uint64_t key)
{
    size_t node = leaves + i;
    tree[node] = key;
    for (node /= 2; node > 0; node /= 2) {
        uint64_t left = tree[2 * node];
        uint64_t right = tree[2 * node + 1];
        uint64_t least = left < right ? left : right;
        if (tree[node] == least)
            break; /* the minimums above are what they were */
        tree[node] = least;
    }
}

/* The key of a pair: its rank, then its position, so that the minimum is
 * the lowest rank and, among equal ranks, the leftmost pair. */
static uint64_t pair_key(uint32_t rank, size_t position)
{
    return rank == PCS_RANK_NONE ? UINT64_MAX : (uint64_t)rank << 32 | position;
}

size_t pcs_bpe_merge_long(const struct pcs_ranks *ranks, const uint8_t *piece, size_t len,
                          struct pcs_bpe_scratch *scratch, uint32_t *ids)
{
    size_t leaves = 1;
    while (leaves < len)
        leaves *= 2;
    if (!reserve(scratch, len + 1))
        return 0;
    if (2 * leaves > scratch->tree_capacity) {
        uint64_t *tree = realloc(scratch->tree, 2 * leaves * sizeof *tree);
        if (tree == NULL)
            return 0;
        scratch->tree = tree;
        scratch->tree_capacity = 2 * leaves;
    }
    /* Node s is the part starting at byte s: end[s] its end (0: merged into
     * the part before), prev[s] the part before it. Leaf s of the tree holds
     * the key of node s merged with the next part (UINT64_MAX: none). */
    uint32_t *end = scratch->a;
    uint32_t *prev = scratch->b;
    uint64_t *tree = scratch->tree;
    for (size_t i = 0; i < len; i++) {
        end[i] = (uint32_t)(i + 1);
        prev[i] = (uint32_t)(i ? i - 1 : 0);
        uint32_t rank = i + 1 < len ? ranks->pair_rank[(size_t)piece[i] << 8 | piece[i + 1]] : PCS_RANK_NONE;
        tree[leaves + i] = pair_key(rank, i);
    }
    for (size_t i = len; i < leaves; i++)
        tree[leaves + i] = UINT64_MAX;
    for (size_t node = leaves - 1; node > 0; node--)
        tree[node] = tree[2 * node] < tree[2 * node + 1] ? tree[2 * node] : tree[2 * node + 1];
    size_t parts = len;
    while (leaves > 1 && tree[1] != UINT64_MAX) {
        uint32_t s = (uint32_t)tree[1];
        uint32_t next = end[s];
        uint32_t after = end[next];
        end[next] = 0;
        end[s] = after;
        parts--;
        tree_set(tree, leaves, next, UINT64_MAX);
        uint32_t rank = PCS_RANK_NONE;
        if (after < len) {
            prev[after] = s;
            rank = pcs_ranks_find(ranks, piece + s, end[after] - s);
        }
        tree_set(tree, leaves, s, pair_key(rank, s));
        if (s > 0) {
            uint32_t p = prev[s];
            tree_set(tree, leaves, p, pair_key(pcs_ranks_find(ranks, piece + p, after - p), p));
        }
    }
    if (ids != NULL) {
        size_t k = 0;
        for (uint32_t s = 0; s < len; s = end[s])
            ids[k++] = pcs_ranks_find(ranks, piece + s, end[s] - s);
    }
    return parts;
}

size_t pcs_bpe_merge(const struct pcs_ranks *ranks, const uint8_t *piece, size_t len, struct pcs_bpe_scratch *scratch,
                     uint32_t *ids)
{
    if (len > PCS_BPE_SCAN_MAX)
        return pcs_bpe_merge_long(ranks, piece, len, scratch, ids);
    if (!reserve(scratch, len + 1))
        return 0;
    return merge_scan(ranks, piece, len, scratch, ids);
}
