/* The machine seam; see memory.h. With PCSIM_PLAIN_MEMORY each function is
 * its plain meaning; otherwise the tuning sits beside it, under the
 * platform tests that make it possible (elsewhere, plain again). */
#if !defined(PCSIM_PLAIN_MEMORY)
#define _GNU_SOURCE /* CPU sets, sched_getcpu, pthread affinity */
#endif
#include "memory.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(PCSIM_PLAIN_MEMORY)

void *pcs_memory_grow(void *block, size_t bytes)
{
    return realloc(block, bytes);
}

void *pcs_memory_alloc_whole(size_t bytes)
{
    return malloc(bytes);
}

int pcs_memory_thread_start(pthread_t *thread, void *(*run)(void *), void *arg)
{
    return pthread_create(thread, NULL, run, arg);
}

void pcs_memory_prefer_reuse(void)
{
}

#else /* tuned */

#include <sched.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#define PAGE_BYTES ((size_t)4096)

/* ------------------------------------------------------------ huge pages */

/* On a virtual machine a page fault costs more than filling the 4 KiB
 * page it maps (docs/performance.md), and an array of tens of MiB takes
 * thousands of them: huge pages take one per 2 MiB. Only whole huge
 * pages inside a block can be huge; where the kernel does not offer them
 * the advice does nothing. */
static void advise_huge(void *block, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes < PCS_MEMORY_LARGE)
        return;
    uintptr_t start = ((uintptr_t)block + PCS_MEMORY_LARGE - 1) & ~(uintptr_t)(PCS_MEMORY_LARGE - 1);
    uintptr_t end = ((uintptr_t)block + bytes) & ~(uintptr_t)(PCS_MEMORY_LARGE - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)block;
    (void)bytes;
#endif
}

void *pcs_memory_grow(void *block, size_t bytes)
{
    void *grown = realloc(block, bytes);
    if (grown)
        advise_huge(grown, bytes);
    return grown;
}

void *pcs_memory_alloc_whole(size_t bytes)
{
    if (bytes > SIZE_MAX - PCS_MEMORY_LARGE)
        return NULL;
    size_t rounded = (bytes + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
    /* Aligned to a huge page when it spans one, so that all of it can be
     * huge. posix_memalign, not aligned_alloc: C11 asks aligned_alloc for
     * a size that is a multiple of the alignment. */
    void *block = NULL;
    if (rounded < PCS_MEMORY_LARGE)
        block = malloc(bytes);
    else if (posix_memalign(&block, PCS_MEMORY_LARGE, rounded) != 0)
        block = NULL;
    if (!block)
        return NULL;
    advise_huge(block, rounded);
    return block;
}

/* --------------------------------------------------------- thread placing */

/* A new thread may start on its caller's CPU, the other CPUs idle, and
 * move only when the kernel next balances its run queues: up to a timer
 * tick with both threads sharing one CPU. So it starts on the others and
 * takes back the caller's set once running. */
struct apart_start {
    void *(*run)(void *);
    void *arg;
#if defined(__linux__) && defined(CPU_SETSIZE)
    cpu_set_t allowed; /* the caller's CPUs, given back once running */
#endif
    int placed;        /* started on a restricted set */
};

static void *apart_main(void *p)
{
    struct apart_start start = *(struct apart_start *)p;
    free(p);
#if defined(__linux__) && defined(CPU_SETSIZE)
    if (start.placed)
        (void)pthread_setaffinity_np(pthread_self(), sizeof start.allowed, &start.allowed);
#endif
    return start.run(start.arg);
}

int pcs_memory_thread_start(pthread_t *thread, void *(*run)(void *), void *arg)
{
    struct apart_start *start = malloc(sizeof *start);
    if (!start)
        return pthread_create(thread, NULL, run, arg);
    start->run = run;
    start->arg = arg;
    start->placed = 0;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        free(start);
        return pthread_create(thread, NULL, run, arg);
    }
#if defined(__linux__) && defined(CPU_SETSIZE)
    int cpu = sched_getcpu();
    if (cpu >= 0 && sched_getaffinity(0, sizeof start->allowed, &start->allowed) == 0 &&
        CPU_ISSET(cpu, &start->allowed)) {
        cpu_set_t others = start->allowed;
        CPU_CLR(cpu, &others);
        if (CPU_COUNT(&others) > 0 && pthread_attr_setaffinity_np(&attr, sizeof others, &others) == 0)
            start->placed = 1;
    }
#endif
    int result = pthread_create(thread, &attr, apart_main, start);
    pthread_attr_destroy(&attr);
    if (result != 0)
        free(start);
    return result;
}

/* ------------------------------------------------------------------- heap */

void pcs_memory_prefer_reuse(void)
{
#if defined(__GLIBC__)
    /* Freed memory stays for the next blocks (a document's read buffer
     * becomes the cache's nodes) rather than going back to the kernel and
     * coming back a fault a page; one heap for all threads, so that what
     * pass one's helper freed serves the cache too. */
    (void)mallopt(M_MMAP_THRESHOLD, 8 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
    (void)mallopt(M_ARENA_MAX, 1);
#endif
}

#endif
