/* Large arrays that grow: trace indexes, read windows, cache trees.
 * Internal to the library.
 *
 * On a virtual machine a page fault costs more than filling the 4 KiB page
 * it maps, and a growing array of tens of MiB takes thousands of them. So
 * arrays of BIG_ALLOC_HUGE bytes or more ask the kernel for transparent
 * huge pages (madvise; nothing happens where the kernel does not offer
 * them). Otherwise these behave exactly as realloc and free. */
#ifndef PCSIM_COMMON_BIG_ALLOC_H
#define PCSIM_COMMON_BIG_ALLOC_H

#include <stddef.h>

#define BIG_ALLOC_HUGE ((size_t)2 << 20)

/* realloc(p, size), then the advice for size >= BIG_ALLOC_HUGE. */
void *pcs_big_realloc(void *p, size_t size);

/* A block of size bytes that is about to be written whole and will not
 * grow (free it with free): its pages are mapped in one call rather than
 * a fault at a time, whole huge pages inside it on huge pages. Costs no
 * more memory than malloc. */
void *pcs_big_alloc_whole(size_t size);

#endif
