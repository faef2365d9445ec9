/* Large arrays on huge pages; see big_alloc.h. */
#include "big_alloc.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

void *big_realloc(void *p, size_t size)
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
