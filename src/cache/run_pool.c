/* Power-of-two runs carved from chunks; see run_pool.h. */
#include "run_pool.h"

#include <stdlib.h>
#include <string.h>

#include "common/memory.h"

/* Chunks start small (a sweep plays hundreds of small caches) and double. */
#define FIRST_CHUNK_BYTES ((size_t)16 << 10)
#define LAST_CHUNK_BYTES ((size_t)1 << 20)

void pcs_run_pool_init(struct run_pool *pool)
{
    memset(pool, 0, sizeof *pool);
}

static unsigned size_class(uint32_t cap)
{
    unsigned shift = cap <= (1u << RUN_POOL_MIN_SHIFT) ? RUN_POOL_MIN_SHIFT : 32 - (unsigned)__builtin_clz(cap - 1);
    return shift - RUN_POOL_MIN_SHIFT;
}

uint32_t pcs_run_pool_capacity(uint32_t cap)
{
    if (cap > RUN_POOL_MAX_UNITS)
        return cap;
    return (uint32_t)1 << (size_class(cap) + RUN_POOL_MIN_SHIFT);
}

/* Carves bytes from the current chunk, starting a new one when it is short
 * (what is left of the old one stays unused). */
static void *carve(struct run_pool *pool, size_t bytes)
{
    if (pool->chunk_left < bytes) {
        size_t size = pool->next_chunk ? pool->next_chunk : FIRST_CHUNK_BYTES;
        while (size < bytes)
            size *= 2;
        if (pool->chunk_count == pool->chunk_cap) {
            size_t cap = pool->chunk_cap ? pool->chunk_cap * 2 : 16;
            void **chunks = realloc(pool->chunks, cap * sizeof *chunks);
            if (!chunks)
                return NULL;
            pool->chunks = chunks;
            pool->chunk_cap = cap;
        }
        char *chunk = pcs_memory_alloc_whole(size); /* carved whole soon */
        if (!chunk)
            return NULL;
        pool->chunks[pool->chunk_count++] = chunk;
        pool->chunk = chunk;
        pool->chunk_left = size;
        pool->next_chunk = size < LAST_CHUNK_BYTES ? size * 2 : LAST_CHUNK_BYTES;
    }
    void *run = pool->chunk;
    pool->chunk += bytes;
    pool->chunk_left -= bytes;
    return run;
}

uint64_t *pcs_run_pool_alloc(struct run_pool *pool, uint32_t cap)
{
    if (cap > RUN_POOL_MAX_UNITS)
        return malloc((size_t)cap * sizeof(uint64_t));
    unsigned c = size_class(cap);
    uint64_t *run = pool->free[c];
    if (run) {
        uint64_t *next;
        memcpy(&next, run, sizeof next);
        pool->free[c] = next;
        return run;
    }
    return carve(pool, ((size_t)1 << (c + RUN_POOL_MIN_SHIFT)) * sizeof(uint64_t));
}

void pcs_run_pool_free(struct run_pool *pool, uint64_t *run, uint32_t cap)
{
    if (!run)
        return;
    if (cap > RUN_POOL_MAX_UNITS) {
        free(run);
        return;
    }
    unsigned c = size_class(cap);
    uint64_t *next = pool->free[c];
    memcpy(run, &next, sizeof next);
    pool->free[c] = run;
}

void pcs_run_pool_release(struct run_pool *pool)
{
    for (size_t i = 0; i < pool->chunk_count; i++)
        free(pool->chunks[i]);
    free(pool->chunks);
    pcs_run_pool_init(pool);
}
