/* Large arrays on huge pages; see big_alloc.h. */
#include "big_alloc.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

void *pcs_big_realloc(void *p, size_t size)
{
    void *grown = realloc(p, size);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (grown && size >= BIG_ALLOC_HUGE) {
        /* Only whole huge pages inside the block can be huge. */
        uintptr_t start = ((uintptr_t)grown + BIG_ALLOC_HUGE - 1) & ~(uintptr_t)(BIG_ALLOC_HUGE - 1);
        uintptr_t end = ((uintptr_t)grown + size) & ~(uintptr_t)(BIG_ALLOC_HUGE - 1);
        if (end > start)
            (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
#endif
    return grown;
}

void *pcs_big_alloc_whole(size_t size)
{
    if (size > SIZE_MAX - BIG_ALLOC_HUGE)
        return NULL;
    size_t page = 4096;
    size_t rounded = (size + page - 1) & ~(page - 1);
    /* posix_memalign, not aligned_alloc: C11 asks aligned_alloc for a size
     * that is a multiple of the alignment. */
    void *p = NULL;
    if (rounded < BIG_ALLOC_HUGE)
        p = malloc(size);
    else if (posix_memalign(&p, BIG_ALLOC_HUGE, rounded) != 0)
        p = NULL;
    if (!p)
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    size_t huge = rounded >= BIG_ALLOC_HUGE ? rounded & ~(BIG_ALLOC_HUGE - 1) : 0;
    if (huge > 0)
        (void)madvise(p, huge, MADV_HUGEPAGE);
#endif
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    /* The pages the block lies on (a small block may share its first and
     * last with others: mapping them early changes nothing). */
    uintptr_t start = (uintptr_t)p & ~(uintptr_t)(page - 1);
    uintptr_t end = ((uintptr_t)p + size + page - 1) & ~(uintptr_t)(page - 1);
    (void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#endif
    return p;
}
