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

/* Whether a count of words fits one MPI message (an int). */
static enum pcs_status check_words(uint64_t words, unsigned peer, struct pcs_error *err)
{
    if (words <= INT_MAX)
        return PCS_OK;
    return pcs_error_set(err, PCS_ERR_RANGE,
                         "rank %u of %u: %llu words to move between ranks %u and %u at once, more than MPI takes "
                         "(%d); use more ranks",
                         rank, size, (unsigned long long)words, rank, peer, INT_MAX);
}

/* Posts the receive of count words from peer into a new *box. */
static enum pcs_status post_receive(uint64_t **box, uint64_t count, unsigned peer, MPI_Request *request,
                                    struct pcs_error *err)
{
    *box = NULL;
    *request = MPI_REQUEST_NULL;
    if (count == 0)
        return PCS_OK;
    if (!(*box = malloc((size_t)count * sizeof **box)))
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory receiving %llu words", (unsigned long long)count);
    if (MPI_Irecv(*box, (int)count, MPI_UINT64_T, (int)peer, 0, MPI_COMM_WORLD, request) != MPI_SUCCESS)
        return mpi_failed(err, "receiving");
    return PCS_OK;
}

enum pcs_status pcs_dist_exchange(uint64_t **box, size_t *words, struct pcs_error *err)
{
    if (size == 1)
        return PCS_OK;
    uint64_t *counts = calloc(2 * (size_t)size, sizeof *counts);
    uint64_t **inbox = calloc(size, sizeof *inbox);
    MPI_Request *requests = malloc(2 * (size_t)size * sizeof *requests);
    enum pcs_status status = counts && inbox && requests ? PCS_OK : pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    uint64_t *incoming = counts ? counts + size : NULL;
    for (unsigned r = 0; status == PCS_OK && r < size; r++) {
        counts[r] = words[r];
        if (r != rank)
            status = check_words(words[r], r, err);
    }
    /* Every rank takes part even when one failed, or the others would wait. */
    if (!pcs_dist_any(status != PCS_OK) &&
        MPI_Alltoall(counts, 1, MPI_UINT64_T, incoming, 1, MPI_UINT64_T, MPI_COMM_WORLD) != MPI_SUCCESS)
        status = mpi_failed(err, "exchanging sizes");
    for (unsigned r = 0; r < size; r++)
        if (requests)
            requests[r] = requests[size + r] = MPI_REQUEST_NULL;
    for (unsigned r = 0; status == PCS_OK && r < size; r++)
        if (r != rank && (status = check_words(incoming[r], r, err)) == PCS_OK)
            status = post_receive(&inbox[r], incoming[r], r, &requests[r], err);
    if (pcs_dist_any(status != PCS_OK)) {
        for (unsigned r = 0; requests && r < size; r++)
            if (requests[r] != MPI_REQUEST_NULL) {
                MPI_Cancel(&requests[r]);
                MPI_Request_free(&requests[r]);
            }
        for (unsigned r = 0; inbox && r < size; r++)
            free(inbox[r]);
        free(inbox);
        free(requests);
        free(counts);
        return status != PCS_OK ? status : pcs_error_set(err, PCS_ERR_NOMEM, "another rank failed to receive");
    }
    for (unsigned r = 0; r < size; r++)
        if (r != rank && words[r] > 0 &&
            MPI_Isend(box[r], (int)words[r], MPI_UINT64_T, (int)r, 0, MPI_COMM_WORLD, &requests[size + r]) !=
                MPI_SUCCESS)
            status = mpi_failed(err, "sending requests");
    if (MPI_Waitall(2 * (int)size, requests, MPI_STATUSES_IGNORE) != MPI_SUCCESS && status == PCS_OK)
        status = mpi_failed(err, "exchanging requests");
    for (unsigned r = 0; r < size; r++) {
        if (r == rank)
            continue;
        free(box[r]);
        box[r] = inbox[r];
        words[r] = (size_t)incoming[r];
    }
    free(inbox);
    free(requests);
    free(counts);
    return status;
}

enum pcs_status pcs_dist_gather_words(const uint64_t *words, size_t count, uint64_t **from, size_t *counts,
                                      struct pcs_error *err)
{
    if (size == 1 || rank == 0) {
        from[0] = NULL;
        counts[0] = count;
    }
    if (size == 1)
        return PCS_OK;
    uint64_t mine = count;
    uint64_t *all = rank == 0 ? calloc(size, sizeof *all) : NULL;
    MPI_Request *requests = rank == 0 ? malloc(size * sizeof *requests) : NULL;
    enum pcs_status status =
        rank != 0 || (all && requests) ? PCS_OK : pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (status == PCS_OK)
        status = check_words(count, 0, err);
    if (!pcs_dist_any(status != PCS_OK) &&
        MPI_Gather(&mine, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        status = mpi_failed(err, "gathering sizes");
    if (rank == 0) {
        for (unsigned r = 0; requests && r < size; r++)
            requests[r] = MPI_REQUEST_NULL;
        for (unsigned r = 1; status == PCS_OK && r < size; r++) {
            counts[r] = (size_t)all[r];
            if ((status = check_words(all[r], r, err)) == PCS_OK)
                status = post_receive(&from[r], all[r], r, &requests[r], err);
        }
    }
    if (pcs_dist_any(status != PCS_OK)) {
        for (unsigned r = 1; rank == 0 && requests && r < size; r++) {
            if (requests[r] != MPI_REQUEST_NULL) {
                MPI_Cancel(&requests[r]);
                MPI_Request_free(&requests[r]);
            }
            free(from[r]);
            from[r] = NULL;
        }
        free(requests);
        free(all);
        return status != PCS_OK ? status : pcs_error_set(err, PCS_ERR_NOMEM, "rank 0 failed to gather");
    }
    if (rank != 0 && count > 0 && MPI_Send(words, (int)count, MPI_UINT64_T, 0, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        status = mpi_failed(err, "sending results");
    if (rank == 0 && MPI_Waitall((int)size, requests, MPI_STATUSES_IGNORE) != MPI_SUCCESS)
        status = mpi_failed(err, "gathering results");
    free(requests);
    free(all);
    return status;
}
