/* Storage for the prefix tree's runs of units (internal to src/cache).
 *
 * A conversation's run grows by a few units a turn and is freed when the
 * conversation expires: in a large replay, hundreds of thousands of times,
 * and malloc, realloc and free took a sixth of the cache's time. A pool
 * hands out runs whose capacities are powers of two, keeps a free list per
 * capacity, and carves new runs from chunks it frees only when released.
 * Runs longer than RUN_POOL_MAX_UNITS come from malloc. */
#ifndef PCSIM_CACHE_RUN_POOL_H
#define PCSIM_CACHE_RUN_POOL_H

#include <stddef.h>
#include <stdint.h>

#define RUN_POOL_MIN_SHIFT 2  /* the smallest run: 4 units */
#define RUN_POOL_MAX_SHIFT 13 /* the largest pooled run: 8192 units, 64 KiB */
#define RUN_POOL_MAX_UNITS ((uint32_t)1 << RUN_POOL_MAX_SHIFT)
#define RUN_POOL_CLASSES (RUN_POOL_MAX_SHIFT - RUN_POOL_MIN_SHIFT + 1)

struct run_pool {
    uint64_t *free[RUN_POOL_CLASSES]; /* freed runs of each capacity, linked through their first unit */
    char *chunk;                      /* where the next new run is carved */
    size_t chunk_left;                /* bytes left there */
    size_t next_chunk;                /* bytes of the next chunk (doubling to a limit) */
    void **chunks;                    /* every chunk, for pcs_run_pool_release */
    size_t chunk_count;
    size_t chunk_cap;
};

/* An empty pool (all zero is one too). */
void pcs_run_pool_init(struct run_pool *pool);

/* The capacity a run asked for with room for at least cap units gets. */
uint32_t pcs_run_pool_capacity(uint32_t cap);

/* A run of pcs_run_pool_capacity(cap) units (uninitialised); NULL when out of
 * memory. */
uint64_t *pcs_run_pool_alloc(struct run_pool *pool, uint32_t cap);

/* Gives back a run that pcs_run_pool_alloc returned for capacity cap (the
 * rounded capacity or the one asked for: they have the same class). */
void pcs_run_pool_free(struct run_pool *pool, uint64_t *run, uint32_t cap);

/* Frees every chunk; runs from malloc must have been given back. */
void pcs_run_pool_release(struct run_pool *pool);

#endif
