/* The MPI build of src/dist/dist.h (-DPCSIM_MPI=ON): Open MPI, used from the
 * main thread only. A process not started by a launcher never initialises
 * MPI: it is one rank of one, as in the default build, and behaves exactly
 * like it. */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist/dist.h"

static int started;   /* MPI_Init_thread was called */
static unsigned rank; /* 0 .. size - 1 */
static unsigned size = 1;

/* The variables Open MPI's, PMIx's and MPICH's launchers set in the
 * processes they start. */
static int launched(void)
{
    static const char *const names[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (getenv(names[i]))
            return 1;
    return 0;
}

enum pcs_status pcs_dist_start(struct pcs_error *err)
{
    if (started || !launched())
        return PCS_OK;
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return pcs_error_set(err, PCS_ERR_ARG, "MPI could not start");
    started = 1;
    /* Errors come back as codes, so a failed call is reported, not a hang. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int world_rank = 0;
    int world_size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    rank = (unsigned)world_rank;
    size = (unsigned)world_size;
    if (provided < MPI_THREAD_FUNNELED)
        return pcs_error_set(err, PCS_ERR_ARG, "MPI gives no thread support (MPI_THREAD_FUNNELED)");
    return PCS_OK;
}

void pcs_dist_finish(void)
{
    if (started)
        MPI_Finalize();
    started = 0;
}

unsigned pcs_dist_rank(void)
{
    return rank;
}

unsigned pcs_dist_size(void)
{
    return size;
}

int pcs_dist_is_root(void)
{
    return rank == 0;
}

int pcs_dist_owns(uint64_t index)
{
    return index % size == rank;
}

size_t pcs_dist_owned_count(size_t count)
{
    return count > rank ? (count - rank - 1) / size + 1 : 0;
}

void pcs_dist_abort(const char *command, int code)
{
    if (!started || size == 1)
        return;
    fprintf(stderr, "pcsim %s: rank %u of %u failed (exit status %d); ending every rank\n", command, rank, size, code);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code); /* MPI_Abort does not return; should it, this rank still ends */
}

int pcs_dist_any(int flag)
{
    if (size == 1)
        return flag;
    int mine = flag != 0;
    int any = mine;
    if (MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD) != MPI_SUCCESS)
        pcs_dist_abort("(scale-out)", 1);
    return any;
}

static enum pcs_status mpi_failed(struct pcs_error *err, const char *what)
{
    return pcs_error_set(err, PCS_ERR_IO, "rank %u of %u: MPI failed %s", rank, size, what);
}

/* Gathers each rank's bytes (mine[0..mine_bytes)) to rank 0, rank after
 * rank, into *all (allocated there; NULL elsewhere) with each rank's count
 * and offset in counts[]/offsets[] (size entries, rank 0's). */
static enum pcs_status gather_bytes(const void *mine, size_t mine_bytes, unsigned char **all, int *counts, int *offsets,
                                    struct pcs_error *err)
{
    *all = NULL;
    if (mine_bytes > INT_MAX)
        return pcs_error_set(err, PCS_ERR_RANGE, "rank %u: %zu bytes to gather, more than MPI takes at once", rank,
                             mine_bytes);
    int my_count = (int)mine_bytes;
    if (MPI_Gather(&my_count, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        return mpi_failed(err, "gathering sizes");
    size_t total = 0;
    if (rank == 0) {
        for (unsigned r = 0; r < size; r++) {
            if (total + (size_t)counts[r] > INT_MAX)
                return pcs_error_set(err, PCS_ERR_RANGE, "more than %d bytes to gather at once", INT_MAX);
            offsets[r] = (int)total;
            total += (size_t)counts[r];
        }
        *all = malloc(total ? total : 1);
        if (!*all)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory gathering %zu bytes", total);
    }
    if (MPI_Gatherv(mine, my_count, MPI_BYTE, *all, counts, offsets, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
        free(*all);
        *all = NULL;
        return mpi_failed(err, "gathering results");
    }
    return PCS_OK;
}

enum pcs_status pcs_dist_gather(void *records, size_t count, size_t record_size, struct pcs_error *err)
{
    if (size == 1)
        return PCS_OK;
    unsigned char *bytes = records;
    size_t owned = pcs_dist_owned_count(count);
    unsigned char *mine = malloc(owned * record_size + 1);
    int *counts = calloc(size, sizeof *counts);
    int *offsets = calloc(size, sizeof *offsets);
    enum pcs_status status = PCS_OK;
    if (!mine || !counts || !offsets)
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory gathering %zu records", count);
    /* Every rank takes part even when short of memory, or the others would wait. */
    if (pcs_dist_any(status != PCS_OK)) {
        free(mine);
        free(counts);
        free(offsets);
        return status != PCS_OK ? status : pcs_error_set(err, PCS_ERR_NOMEM, "another rank ran out of memory");
    }
    for (size_t i = rank, k = 0; i < count; i += size, k++)
        memcpy(mine + k * record_size, bytes + i * record_size, record_size);
    unsigned char *all = NULL;
    status = gather_bytes(mine, owned * record_size, &all, counts, offsets, err);
    if (status == PCS_OK && rank == 0)
        for (unsigned r = 0; r < size; r++)
            for (size_t i = r, k = 0; i < count; i += size, k++)
                memcpy(bytes + i * record_size, all + (size_t)offsets[r] + k * record_size, record_size);
    free(all);
    free(mine);
    free(counts);
    free(offsets);
    return status;
}

/* Word counts as MPI takes them (int), or PCS_ERR_RANGE. */
static enum pcs_status int_counts(const size_t *words, int *counts, int *offsets, const char *what,
                                  struct pcs_error *err)
{
    size_t total = 0;
    for (unsigned r = 0; r < size; r++) {
        if (words[r] > INT_MAX || total + words[r] > INT_MAX)
            return pcs_error_set(err, PCS_ERR_RANGE, "rank %u of %u: more than %d words to %s at once; use more ranks",
                                 rank, size, INT_MAX, what);
        counts[r] = (int)words[r];
        offsets[r] = (int)total;
        total += words[r];
    }
    return PCS_OK;
}

enum pcs_status pcs_dist_exchange(const uint64_t *const *send, const size_t *send_words, uint64_t **recv,
                                  size_t *recv_words, struct pcs_error *err)
{
    *recv = NULL;
    if (size == 1) {
        recv_words[0] = send_words[0];
        return pcs_dist_copy_words(send[0], send_words[0], recv, err);
    }
    int *counts = calloc(4 * (size_t)size, sizeof *counts);
    uint64_t *packed = NULL;
    size_t total = 0;
    enum pcs_status status = counts ? PCS_OK : pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    for (unsigned r = 0; r < size; r++)
        total += send_words[r];
    if (status == PCS_OK && !(packed = malloc(total ? total * sizeof *packed : 1)))
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory packing %zu words", total);
    int *send_counts = counts;
    int *send_offsets = counts ? counts + size : NULL;
    int *recv_counts = counts ? counts + 2 * (size_t)size : NULL;
    int *recv_offsets = counts ? counts + 3 * (size_t)size : NULL;
    if (status == PCS_OK)
        status = int_counts(send_words, send_counts, send_offsets, "send", err);
    /* Every rank takes part even when short of memory, or the others would wait. */
    if (pcs_dist_any(status != PCS_OK)) {
        free(packed);
        free(counts);
        return status != PCS_OK ? status : pcs_error_set(err, PCS_ERR_NOMEM, "another rank failed to pack");
    }
    for (unsigned r = 0; r < size; r++)
        if (send_words[r])
            memcpy(packed + send_offsets[r], send[r], send_words[r] * sizeof *packed);
    if (MPI_Alltoall(send_counts, 1, MPI_INT, recv_counts, 1, MPI_INT, MPI_COMM_WORLD) != MPI_SUCCESS)
        status = mpi_failed(err, "exchanging sizes");
    size_t recv_total = 0;
    for (unsigned r = 0; status == PCS_OK && r < size; r++) {
        recv_words[r] = (size_t)recv_counts[r];
        recv_total += recv_words[r];
    }
    if (status == PCS_OK)
        status = int_counts(recv_words, recv_counts, recv_offsets, "receive", err);
    if (status == PCS_OK && !(*recv = malloc(recv_total ? recv_total * sizeof **recv : 1)))
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory receiving %zu words", recv_total);
    if (pcs_dist_any(status != PCS_OK)) {
        free(packed);
        free(counts);
        free(*recv);
        *recv = NULL;
        return status != PCS_OK ? status : pcs_error_set(err, PCS_ERR_NOMEM, "another rank failed to receive");
    }
    if (MPI_Alltoallv(packed, send_counts, send_offsets, MPI_UINT64_T, *recv, recv_counts, recv_offsets, MPI_UINT64_T,
                      MPI_COMM_WORLD) != MPI_SUCCESS) {
        status = mpi_failed(err, "exchanging requests");
        free(*recv);
        *recv = NULL;
    }
    free(packed);
    free(counts);
    return status;
}

enum pcs_status pcs_dist_gather_words(const uint64_t *words, size_t count, uint64_t **all, size_t *counts,
                                      struct pcs_error *err)
{
    *all = NULL;
    if (size == 1) {
        counts[0] = count;
        return pcs_dist_copy_words(words, count, all, err);
    }
    int *ints = calloc(2 * (size_t)size, sizeof *ints);
    enum pcs_status status = ints ? PCS_OK : pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (status == PCS_OK && count > INT_MAX)
        status = pcs_error_set(err, PCS_ERR_RANGE, "rank %u of %u: more than %d words to gather; use more ranks", rank,
                               size, INT_MAX);
    if (pcs_dist_any(status != PCS_OK)) {
        free(ints);
        return status != PCS_OK ? status : pcs_error_set(err, PCS_ERR_NOMEM, "another rank failed to gather");
    }
    int mine = (int)count;
    if (MPI_Gather(&mine, 1, MPI_INT, ints, 1, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        status = mpi_failed(err, "gathering sizes");
    size_t total = 0;
    if (status == PCS_OK && rank == 0) {
        for (unsigned r = 0; r < size; r++) {
            counts[r] = (size_t)ints[r];
            total += counts[r];
        }
        status = int_counts(counts, ints, ints + size, "gather", err);
        if (status == PCS_OK && !(*all = malloc(total ? total * sizeof **all : 1)))
            status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory gathering %zu words", total);
    }
    if (pcs_dist_any(status != PCS_OK)) {
        free(*all);
        *all = NULL;
        free(ints);
        return status != PCS_OK ? status : pcs_error_set(err, PCS_ERR_NOMEM, "rank 0 failed to gather");
    }
    if (MPI_Gatherv(words, mine, MPI_UINT64_T, *all, ints, ints + size, MPI_UINT64_T, 0, MPI_COMM_WORLD) !=
        MPI_SUCCESS) {
        status = mpi_failed(err, "gathering results");
        free(*all);
        *all = NULL;
    }
    free(ints);
    return status;
}
