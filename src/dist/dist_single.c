/* The default build of src/dist/dist.h: one rank of one, no MPI. Every
 * index is this process's, and a gather has nothing to gather. */
#include "dist/dist.h"

enum pcs_status pcs_dist_start(struct pcs_error *err)
{
    (void)err;
    return PCS_OK;
}

void pcs_dist_finish(void)
{
}

unsigned pcs_dist_rank(void)
{
    return 0;
}

unsigned pcs_dist_size(void)
{
    return 1;
}

int pcs_dist_is_root(void)
{
    return 1;
}

int pcs_dist_owns(uint64_t index)
{
    (void)index;
    return 1;
}

size_t pcs_dist_owned_count(size_t count)
{
    return count;
}

void pcs_dist_abort(const char *command, int code)
{
    (void)command;
    (void)code;
}

int pcs_dist_any(int flag)
{
    return flag;
}

enum pcs_status pcs_dist_gather(void *records, size_t count, size_t record_size, struct pcs_error *err)
{
    (void)records;
    (void)count;
    (void)record_size;
    (void)err;
    return PCS_OK;
}

const struct pcs_run_share *pcs_dist_run_share(struct pcs_run_share *share, volatile int *stop, unsigned threads)
{
    (void)share;
    (void)stop;
    (void)threads;
    return NULL;
}

enum pcs_status pcs_dist_exchange(uint64_t **box, size_t *words, struct pcs_error *err)
{
    (void)box;
    (void)words;
    (void)err;
    return PCS_OK; /* a rank's own words stay */
}

enum pcs_status pcs_dist_gather_words(const uint64_t *words, size_t count, uint64_t **from, size_t *counts,
                                      struct pcs_error *err)
{
    (void)words;
    (void)err;
    from[0] = NULL;
    counts[0] = count;
    return PCS_OK;
}
