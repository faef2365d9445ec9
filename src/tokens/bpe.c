/* Two ways to the same merges: a scan over the pair ranks for short pieces
 * (what tiktoken and gpt-tokenizer do for every piece), and a binary heap of
 * (rank, position) for long ones, where the scan would be quadratic (a
 * megabyte of letters without a space is one piece). The heap orders by rank
 * and then by position, so it pops the pair the scan would find: the lowest
 * rank, leftmost among equal ones. */
#include "bpe.h"

#include <stdlib.h>
#include <string.h>

void pcs_bpe_scratch_free(struct pcs_bpe_scratch *scratch)
{
    free(scratch->a);
    free(scratch->b);
    free(scratch->c);
    free(scratch->heap);
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
    uint32_t *c = realloc(scratch->c, capacity * sizeof *c);
    if (c == NULL)
        return 0;
    scratch->c = c;
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

static void heap_push(uint64_t *heap, size_t *size, uint64_t key)
{
    size_t i = (*size)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (heap[parent] <= key)
            break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = key;
}

static uint64_t heap_pop(uint64_t *heap, size_t *size)
{
    uint64_t top = heap[0];
    uint64_t last = heap[--*size];
    size_t n = *size;
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && heap[child + 1] < heap[child])
            child++;
        if (last <= heap[child])
            break;
        heap[i] = heap[child];
        i = child;
    }
    if (n > 0)
        heap[i] = last;
    return top;
}

size_t pcs_bpe_merge_heap(const struct pcs_ranks *ranks, const uint8_t *piece, size_t len,
                          struct pcs_bpe_scratch *scratch, uint32_t *ids)
{
    if (!reserve(scratch, len + 1))
        return 0;
    /* Every merge pushes at most two pairs: len - 1 first pairs + 2 per merge. */
    size_t heap_need = 3 * len + 1;
    if (heap_need > scratch->heap_capacity) {
        uint64_t *heap = realloc(scratch->heap, heap_need * sizeof *heap);
        if (heap == NULL)
            return 0;
        scratch->heap = heap;
        scratch->heap_capacity = heap_need;
    }
    /* Node s is the part starting at byte s: end[s] its end (0: merged into
     * the part before), prev[s] the part before it, pair[s] the rank of it
     * merged with the next part. */
    uint32_t *end = scratch->a;
    uint32_t *prev = scratch->b;
    uint32_t *pair = scratch->c;
    uint64_t *heap = scratch->heap;
    size_t heap_size = 0;
    for (size_t i = 0; i < len; i++) {
        end[i] = (uint32_t)(i + 1);
        prev[i] = (uint32_t)(i ? i - 1 : 0);
        pair[i] = i + 1 < len ? ranks->pair_rank[(size_t)piece[i] << 8 | piece[i + 1]] : PCS_RANK_NONE;
        if (pair[i] != PCS_RANK_NONE)
            heap_push(heap, &heap_size, (uint64_t)pair[i] << 32 | i);
    }
    size_t parts = len;
    while (heap_size > 0) {
        uint64_t key = heap_pop(heap, &heap_size);
        uint32_t rank = (uint32_t)(key >> 32);
        uint32_t s = (uint32_t)key;
        if (end[s] == 0 || pair[s] != rank)
            continue; /* stale: the pair changed since it was pushed */
        uint32_t next = end[s];
        uint32_t after = end[next];
        end[next] = 0;
        end[s] = after;
        parts--;
        if (after < len) {
            prev[after] = s;
            pair[s] = pcs_ranks_find(ranks, piece + s, end[after] - s);
            if (pair[s] != PCS_RANK_NONE)
                heap_push(heap, &heap_size, (uint64_t)pair[s] << 32 | s);
        } else {
            pair[s] = PCS_RANK_NONE;
        }
        if (s > 0) {
            uint32_t p = prev[s];
            pair[p] = pcs_ranks_find(ranks, piece + p, after - p);
            if (pair[p] != PCS_RANK_NONE)
                heap_push(heap, &heap_size, (uint64_t)pair[p] << 32 | p);
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
        return pcs_bpe_merge_heap(ranks, piece, len, scratch, ids);
    if (!reserve(scratch, len + 1))
        return 0;
    return merge_scan(ranks, piece, len, scratch, ids);
}
