/* Arrays one after another in one mapping; see append_region.h. */
#include "append_region.h"

#include <stdint.h>
#include <string.h>

#include "big_alloc.h"
#include "grow.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#define REGION_ALIGN ((size_t)64)

/* Under AddressSanitizer the region marks what it has not handed out as
 * unaddressable, as the heap would: a write past an array's room is
 * reported, not lost in the reservation. */
#if defined(APPEND_REGION_ASAN)
#include <sanitizer/asan_interface.h>
#define REGION_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define REGION_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define REGION_POISON(p, n) ((void)(p), (void)(n))
#define REGION_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) & ~(to - 1);
}

static int region_reserve(struct append_region *region)
{
#if defined(__linux__) && defined(MAP_NORESERVE)
    size_t bytes = region->reserve ? region->reserve : APPEND_REGION_RESERVE;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    region->base = p;
    region->reserved = bytes;
    region->used = 0;
    region->mapped = 0;
    REGION_POISON(p, bytes);
    return 0;
#else
    (void)region;
    return -1;
#endif
}

/* Maps the region's pages up to end (at least), a step at a time. Where
 * the kernel cannot (no MADV_POPULATE_WRITE before Linux 5.14), the pages
 * fault in as they are written, which changes only the time. */
static void region_map_to(struct append_region *region, size_t end)
{
    size_t to = round_up(end, APPEND_REGION_STEP);
    if (to > region->reserved)
        to = region->reserved;
    if (to <= region->mapped)
        return;
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    (void)madvise(region->base + region->mapped, to - region->mapped, MADV_POPULATE_WRITE);
#endif
    region->mapped = to;
}

void *pcs_append_region_open(struct append_region *region, size_t *room)
{
    if (!region->base && region_reserve(region) != 0)
        return NULL;
    size_t start = round_up(region->used, REGION_ALIGN);
    if (start >= region->reserved)
        return NULL;
    *room = region->mapped > start ? region->mapped - start : 0;
    REGION_UNPOISON(region->base + start, *room);
    return region->base + start;
}

int pcs_append_region_grow(struct append_region *region, const void *p, size_t bytes, size_t *room)
{
    size_t start = (size_t)((const char *)p - region->base);
    if (bytes > region->reserved - start)
        return -1;
    region_map_to(region, start + bytes);
    *room = region->mapped - start;
    REGION_UNPOISON(region->base + start, *room);
    return 0;
}

void pcs_append_region_close(struct append_region *region, const void *p, size_t bytes)
{
    region->used = (size_t)((const char *)p - region->base) + bytes;
    if (region->mapped > region->used)
        REGION_POISON(region->base + region->used, region->mapped - region->used);
}

void *pcs_append_region_grow_array(struct append_region *region, void *array, size_t *room, size_t bytes,
                                   int *in_region)
{
    size_t grown;
    if (*in_region && pcs_append_region_grow(region, array, bytes, &grown) == 0) {
        *room = grown;
        return array;
    }
    size_t cap = grow_capacity(*room, bytes, 4096, 1);
    if (cap == 0)
        return NULL;
    void *moved = pcs_big_realloc(*in_region ? NULL : array, cap);
    if (!moved)
        return NULL;
    if (*in_region) {
        memcpy(moved, array, *room);
        pcs_append_region_close(region, array, 0);
        *in_region = 0;
    }
    *room = cap;
    return moved;
}

void pcs_append_region_empty(struct append_region *region)
{
    region->used = 0;
    if (region->mapped > 0)
        REGION_POISON(region->base, region->mapped);
}

void pcs_append_region_free(struct append_region *region)
{
#if defined(__linux__) && defined(MAP_NORESERVE)
    if (region->base) {
        REGION_UNPOISON(region->base, region->reserved);
        (void)munmap(region->base, region->reserved);
    }
#endif
    size_t reserve = region->reserve;
    memset(region, 0, sizeof *region);
    region->reserve = reserve;
}
