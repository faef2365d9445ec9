/* Bump allocation in chunks; see arena.h. */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_MIN 16384

struct arena_chunk {
    struct arena_chunk *next;
    alignas(max_align_t) unsigned char data[];
};

void *pcs_arena_alloc(struct arena *arena, size_t size)
{
    size_t align = alignof(max_align_t);
    size = (size + align - 1) & ~(align - 1);
    if (!arena->chunks || arena->cap - arena->used < size) {
        size_t cap = size > ARENA_CHUNK_MIN ? size : ARENA_CHUNK_MIN;
        if (arena->chunks && arena->cap * 2 > cap && arena->cap < ((size_t)1 << 24))
            cap = arena->cap * 2;
        struct arena_chunk *chunk = malloc(sizeof *chunk + cap);
        if (!chunk)
            return NULL;
        chunk->next = arena->chunks;
        arena->chunks = chunk;
        arena->used = 0;
        arena->cap = cap;
    }
    void *memory = arena->chunks->data + arena->used;
    arena->used += size;
    memset(memory, 0, size);
    return memory;
}

void *pcs_arena_array(struct arena *arena, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / 2 / size)
        return NULL;
    size_t bytes = count * size;
    return pcs_arena_alloc(arena, bytes > 0 ? bytes : 1);
}

char *pcs_arena_strndup(struct arena *arena, const char *text, size_t len)
{
    char *copy = pcs_arena_alloc(arena, len + 1);
    if (copy && len)
        memcpy(copy, text, len);
    return copy;
}

void pcs_arena_free(struct arena *arena)
{
    while (arena->chunks) {
        struct arena_chunk *next = arena->chunks->next;
        free(arena->chunks);
        arena->chunks = next;
    }
    arena->used = 0;
    arena->cap = 0;
}
