/* A bump allocator for data that lives and dies together (a loaded
 * catalog, a scenario): many small allocations, one free. Internal to the
 * library. */
#ifndef PCSIM_COMMON_ARENA_H
#define PCSIM_COMMON_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *chunks; /* newest first */
    size_t used;                /* bytes used in the newest chunk */
    size_t cap;                 /* its size */
};

/* size bytes aligned for any type, zeroed; NULL when out of memory. */
void *pcs_arena_alloc(struct arena *arena, size_t size);

/* count elements of size bytes each; NULL on overflow or out of memory. */
void *pcs_arena_array(struct arena *arena, size_t count, size_t size);

/* A NUL-terminated copy of text[0..len). */
char *pcs_arena_strndup(struct arena *arena, const char *text, size_t len);

/* Frees every allocation; the arena is empty and reusable. */
void pcs_arena_free(struct arena *arena);

#endif
