/* Where pcsim meets the machine: the one seam for tuning that is about the
 * host (its page faults, its allocator, its scheduler), never about the
 * algorithms. Internal to the library and the programs.
 *
 * Everything here has a plain meaning, given with each function, and that
 * is all it does in a build with PCSIM_PLAIN_MEMORY (CMake option of the
 * same name): malloc, realloc, pthread_create, nothing. The default build
 * may add what measured faster on a virtual machine (docs/performance.md
 * says what was kept and why), but never changes a result: callers may
 * rely on the plain meaning alone, and the test suite runs on both builds.
 *
 * Blocks: every block returned here is an ordinary heap block. free()
 * releases it, realloc() or pcs_memory_grow() resizes it, and its contents
 * are what malloc/realloc would leave (new bytes uninitialised). On failure
 * (NULL) nothing is allocated and a block passed in is untouched.
 *
 * Thread safety: every function may be called from any thread at any
 * time, except pcs_memory_prefer_reuse (below). */
#ifndef PCSIM_COMMON_MEMORY_H
#define PCSIM_COMMON_MEMORY_H

#include <pthread.h>
#include <stddef.h>

/* realloc(block, bytes), for arrays that grow large (trace indexes, read
 * windows, cache nodes): block may be NULL. Tuned: a block of
 * PCS_MEMORY_LARGE bytes or more is asked onto transparent huge pages,
 * which take one page fault per 2 MiB instead of 512. */
void *pcs_memory_grow(void *block, size_t bytes);

/* malloc(bytes), for a block its caller is about to write whole (a
 * document's read buffer, a rehashed table, a pool chunk). Tuned: a block
 * of PCS_MEMORY_LARGE bytes or more is aligned to a huge page and asked
 * onto huge pages, all of it. Costs no more memory than malloc. */
void *pcs_memory_alloc_whole(size_t bytes);

/* Blocks from this size on are worth huge pages (2 MiB: one huge page). */
#define PCS_MEMORY_LARGE ((size_t)2 << 20)

/* pthread_create(thread, NULL, run, arg), for a helper thread that works
 * beside its caller (pass one's readers, Monte Carlo workers). Tuned: the
 * thread starts on another CPU than the caller's when the caller may run
 * on others, then may run on any CPU the caller may. Returns
 * pthread_create's result. */
int pcs_memory_thread_start(pthread_t *thread, void *(*run)(void *), void *arg);

/* Nothing, plainly. Tuned (glibc): the process's heap keeps freed memory
 * for reuse rather than returning it to the kernel (blocks up to 8 MiB
 * come from the heap, which is not trimmed below 64 MiB, and all threads
 * share one heap). For a replay, whose freed read buffers become its
 * cache; not for Monte Carlo runs, whose per-trial blocks grow by realloc
 * and move cheaper as mappings. Process-wide: a program calls it once,
 * before its threads start and before it allocates much; the library
 * itself never does. */
void pcs_memory_prefer_reuse(void);

#endif
