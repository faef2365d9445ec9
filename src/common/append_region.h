/* Arrays laid one after another in a single mapping, each kept until the
 * region is freed; the last one, still open, may grow in place. Internal
 * to the library.
 *
 * On a virtual machine the first write to a page costs far more than
 * filling it: on the development machine 11.5 us per 4 KiB page when it
 * faults, 2.5 us when MADV_POPULATE_WRITE maps it ahead. Many arrays of a
 * few pages each (a Claude-Code file's kept hash ids) would each start on
 * fresh pages and fault them one at a time. Here they share pages, and the
 * region maps them APPEND_REGION_STEP bytes per call as the open array
 * grows: at most one step is mapped and unused.
 *
 * A region is used by one thread at a time. Its mapping is reserved, not
 * committed (MAP_NORESERVE), and made on the first open; where mapping is
 * unavailable, open returns NULL and the caller uses the heap. */
#ifndef PCSIM_COMMON_APPEND_REGION_H
#define PCSIM_COMMON_APPEND_REGION_H

#include <stddef.h>
#include <stdint.h>

#define APPEND_REGION_STEP ((size_t)64 << 10)

/* Address space a region reserves unless told otherwise: nothing is
 * committed until mapped, and an array that outgrows it goes elsewhere.
 * (Less under AddressSanitizer, which marks all of it unaddressable.) */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define APPEND_REGION_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(APPEND_REGION_ASAN)
#define APPEND_REGION_ASAN 1
#endif

#if defined(APPEND_REGION_ASAN)
#define APPEND_REGION_RESERVE ((size_t)64 << 20)
#elif SIZE_MAX > 0xFFFFFFFFu
#define APPEND_REGION_RESERVE ((size_t)1 << 30)
#else
#define APPEND_REGION_RESERVE ((size_t)64 << 20)
#endif

/* Zero-initialised, a region is empty and reserves APPEND_REGION_RESERVE;
 * set reserve (a multiple of the page size) before the first open for
 * another size. */
struct append_region {
    size_t reserve;  /* bytes to reserve at the first open; 0: APPEND_REGION_RESERVE */
    char *base;      /* the mapping; NULL until the first open */
    size_t reserved; /* its bytes */
    size_t used;     /* closed arrays end here */
    size_t mapped;   /* pages are mapped from base up to here */
};

/* Opens an array at the end of the region, aligned to 64 bytes; *room is
 * how many bytes of it are mapped (may be 0). NULL, with the region left
 * as it was, if the region has no mapping or is full; the open array must
 * be closed before another is opened. */
void *pcs_append_region_open(struct append_region *region, size_t *room);

/* Maps enough of the open array at p for `bytes` bytes; *room becomes how
 * many are mapped. -1 if the reservation cannot hold them (the array is
 * still open, unchanged: close it, at 0 bytes if it moves elsewhere). */
int pcs_append_region_grow(struct append_region *region, const void *p, size_t bytes, size_t *room);

/* Closes the open array at p, `bytes` long: the next array starts after it. */
void pcs_append_region_close(struct append_region *region, const void *p, size_t bytes);

/* Room for at least `bytes` in an array that is either region's open
 * array (*in_region) or on the heap (NULL or malloc'd; region unused):
 * in place while the region can hold them; otherwise on the heap, where
 * an array leaving the region is moved with all its *room bytes and the
 * region's array is closed at 0 bytes. Heap arrays grow by doubling.
 * *room becomes the array's bytes. Returns the array, or NULL when out of
 * memory (the array, *room and *in_region unchanged). */
void *pcs_append_region_grow_array(struct append_region *region, void *array, size_t *room, size_t bytes,
                                   int *in_region);

/* Empties the region, keeping its mapping: every array in it is gone,
 * and the next opens on pages already mapped. */
void pcs_append_region_empty(struct append_region *region);

/* Unmaps the region; every array in it is gone. The region is empty and
 * reusable, with the same reserve. */
void pcs_append_region_free(struct append_region *region);

#endif
