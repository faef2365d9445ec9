/* A Monte Carlo run's trials over MPI ranks (src/dist/dist.h,
 * pcsim/mc.h: pcs_run_share). After each round every rank has every
 * trial's outcomes (an all-gather: each rank then decides alike when a
 * --trials auto run has converged, and which trials a stopped run keeps),
 * and rank 0 merges the per-task cost sketches of the trials kept, which
 * each rank has merged into one per strategy first. Records travel as
 * bytes: the ranks run one build on one kind of machine. */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "dist/dist.h"

/* A round has this many trials per thread of each rank: enough that the
 * wait for the slowest rank at its end is small against the round (trial
 * times vary: mini-vs-full's requests per trial have a coefficient of
 * variation of 0.31, so a sum of 128 trials varies by 2.7%, and the slowest
 * of 64 ranks is about 6.5% behind the mean; docs/performance.md), few
 * enough that the sketches parked until then stay small (about 12 KB a
 * trial there: 1.5 MB per thread). */
#define ROUND_TRIALS_PER_THREAD 128

struct run_exchange_context {
    volatile int *stop;
};

static struct run_exchange_context exchange_context;

/* The trials of [first, end) that rank r plays: how many, and the first. */
static size_t trials_of_rank(uint64_t first, uint64_t end, unsigned r, unsigned size, uint64_t *own_first)
{
    uint64_t start = first + (r + size - first % size) % size;
    *own_first = start;
    return start < end ? (size_t)((end - start - 1) / size + 1) : 0;
}

/* A trial's record: finished, then each strategy's outcome. */
static size_t record_bytes(size_t strategy_count)
{
    return sizeof(uint64_t) + strategy_count * sizeof(struct pcs_trial_outcome);
}

static enum pcs_status share_outcomes(const struct pcs_run_exchange *exchange, struct pcs_error *err)
{
    unsigned rank = pcs_dist_rank();
    unsigned size = pcs_dist_size();
    size_t record = record_bytes(exchange->strategy_count);
    int *counts = calloc(size, sizeof *counts);
    int *offsets = calloc(size, sizeof *offsets);
    size_t total = 0;
    for (unsigned r = 0; counts && offsets && r < size; r++) {
        uint64_t own_first;
        size_t n = trials_of_rank(exchange->first, exchange->end, r, size, &own_first);
        offsets[r] = (int)total;
        counts[r] = (int)(n * record);
        total += n * record;
    }
    unsigned char *all = malloc(total ? total : 1);
    int ok = counts && offsets && all;
    if (pcs_dist_any(!ok)) {
        free(counts);
        free(offsets);
        free(all);
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory exchanging a round of %llu trials",
                             (unsigned long long)(exchange->end - exchange->first));
    }
    uint64_t own_first;
    size_t own = trials_of_rank(exchange->first, exchange->end, rank, size, &own_first);
    unsigned char *mine = all + offsets[rank];
    for (size_t k = 0; k < own; k++) {
        uint64_t t = own_first + k * size;
        uint64_t finished = exchange->finished[t];
        unsigned char *at = mine + k * record;
        memcpy(at, &finished, sizeof finished);
        for (size_t s = 0; s < exchange->strategy_count; s++)
            memcpy(at + sizeof finished + s * sizeof(struct pcs_trial_outcome), &exchange->strategies[s].trials[t],
                   sizeof(struct pcs_trial_outcome));
    }
    int status = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, counts, offsets, MPI_BYTE, MPI_COMM_WORLD);
    for (unsigned r = 0; status == MPI_SUCCESS && r < size; r++) {
        size_t n = trials_of_rank(exchange->first, exchange->end, r, size, &own_first);
        for (size_t k = 0; r != rank && k < n; k++) {
            uint64_t t = own_first + k * size;
            const unsigned char *at = all + offsets[r] + k * record;
            uint64_t finished;
            memcpy(&finished, at, sizeof finished);
            exchange->finished[t] = finished != 0;
            for (size_t s = 0; s < exchange->strategy_count; s++)
                memcpy(&exchange->strategies[s].trials[t], at + sizeof finished + s * sizeof(struct pcs_trial_outcome),
                       sizeof(struct pcs_trial_outcome));
        }
    }
    free(counts);
    free(offsets);
    free(all);
    if (status != MPI_SUCCESS)
        return pcs_error_set(err, PCS_ERR_IO, "rank %u of %u: MPI failed sharing trial outcomes", rank, size);
    return PCS_OK;
}

/* A sketch as words: first, used, zeros, total, min, max, then the counts. */
enum { SKETCH_HEADER_WORDS = 6 };

static size_t sketch_words(const struct pcs_sketch *sketch)
{
    return SKETCH_HEADER_WORDS + sketch->used;
}

static uint64_t *sketch_pack(uint64_t *at, const struct pcs_sketch *sketch)
{
    int64_t first = sketch->first;
    memcpy(&at[0], &first, sizeof first);
    at[1] = sketch->used;
    at[2] = sketch->zeros;
    at[3] = sketch->total;
    memcpy(&at[4], &sketch->min, sizeof sketch->min);
    memcpy(&at[5], &sketch->max, sizeof sketch->max);
    if (sketch->used)
        memcpy(at + SKETCH_HEADER_WORDS, sketch->counts, sketch->used * sizeof *sketch->counts);
    return at + sketch_words(sketch);
}

/* Merges the packed sketch at `at` (of `left` words) into into; the words it
 * took, or 0 when they are not a sketch. */
static size_t sketch_merge_packed(struct pcs_sketch *into, const uint64_t *at, size_t left, enum pcs_status *status)
{
    if (left < SKETCH_HEADER_WORDS || at[1] > left - SKETCH_HEADER_WORDS)
        return 0;
    struct pcs_sketch from = *into;
    int64_t first;
    memcpy(&first, &at[0], sizeof first);
    from.first = (int32_t)first;
    from.used = (size_t)at[1];
    from.capacity = from.used;
    from.zeros = at[2];
    from.total = at[3];
    memcpy(&from.min, &at[4], sizeof from.min);
    memcpy(&from.max, &at[5], sizeof from.max);
    from.counts = (uint64_t *)(uintptr_t)(at + SKETCH_HEADER_WORDS); /* only read by the merge */
    *status = pcs_sketch_merge(into, &from);
    return SKETCH_HEADER_WORDS + from.used;
}

/* Rank 0 merges every kept trial's sketches: those of [first, kept_end).
 * Each rank first merges its own kept trials' into one sketch per
 * strategy (counts add, so the ranks' sketches merge in any order to the
 * sketch of one process), so a round sends a few sketches per rank, not
 * one per trial. */
static enum pcs_status merge_sketches(const struct pcs_run_exchange *exchange, uint64_t kept_end, struct pcs_error *err)
{
    unsigned rank = pcs_dist_rank();
    unsigned size = pcs_dist_size();
    size_t strategies = exchange->strategy_count;
    struct pcs_sketch merged[PCS_SCENARIO_MAX_STRATEGIES];
    enum pcs_status status = PCS_OK;
    size_t words = 0;
    for (size_t s = 0; s < strategies; s++) {
        pcs_sketch_init(&merged[s], exchange->strategies[s].task_costs.alpha, NULL);
        for (uint64_t t = exchange->first; t < kept_end && status == PCS_OK; t++) {
            const struct pcs_sketch *sketch = exchange->task_costs[(t - exchange->first) * strategies + s];
            if (pcs_dist_owns(t) && sketch)
                status = pcs_sketch_merge(&merged[s], sketch);
        }
        words += sketch_words(&merged[s]);
    }
    uint64_t *mine = malloc(words * sizeof *mine);
    int *counts = calloc(size, sizeof *counts);
    int *offsets = calloc(size, sizeof *offsets);
    int ok = status == PCS_OK && mine && counts && offsets;
    if (pcs_dist_any(!ok)) {
        for (size_t s = 0; s < strategies; s++)
            pcs_sketch_free(&merged[s]);
        free(mine);
        free(counts);
        free(offsets);
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory gathering per-task cost sketches");
    }
    uint64_t *at = mine;
    for (size_t s = 0; s < strategies; s++) {
        at = sketch_pack(at, &merged[s]);
        pcs_sketch_free(&merged[s]);
    }
    unsigned char *all = NULL;
    int mpi = MPI_Gather(&(int){(int)(words * sizeof *mine)}, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    size_t total = 0;
    if (mpi == MPI_SUCCESS && rank == 0) {
        for (unsigned r = 0; r < size; r++) {
            offsets[r] = (int)total;
            total += (size_t)counts[r];
        }
        all = malloc(total ? total : 1);
    }
    int root_ok = rank != 0 || all;
    if (mpi == MPI_SUCCESS)
        mpi = MPI_Bcast(&root_ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (mpi == MPI_SUCCESS && root_ok)
        mpi =
            MPI_Gatherv(mine, (int)(words * sizeof *mine), MPI_BYTE, all, counts, offsets, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (mpi != MPI_SUCCESS)
        status =
            pcs_error_set(err, PCS_ERR_IO, "rank %u of %u: MPI failed gathering per-task cost sketches", rank, size);
    else if (!root_ok)
        status = pcs_error_set(err, PCS_ERR_NOMEM, "out of memory gathering per-task cost sketches");
    for (unsigned r = 0; status == PCS_OK && rank == 0 && r < size; r++) {
        const uint64_t *from = (const uint64_t *)(all + offsets[r]);
        size_t left = (size_t)counts[r] / sizeof *from;
        for (size_t s = 0; s < strategies && status == PCS_OK; s++) {
            size_t took = sketch_merge_packed(&exchange->strategies[s].task_costs, from, left, &status);
            if (took == 0)
                status = pcs_error_set(err, PCS_ERR_IO, "rank %u sent a malformed sketch", r);
            else if (status != PCS_OK)
                pcs_error_set(err, status, "out of memory merging per-task cost sketches");
            from += took;
            left -= took;
        }
    }
    free(all);
    free(mine);
    free(counts);
    free(offsets);
    return status;
}

static enum pcs_status exchange_round(void *context, const struct pcs_run_exchange *exchange, struct pcs_error *err)
{
    struct run_exchange_context *state = context;
    *exchange->stopped = pcs_dist_any(*state->stop);
    if (*exchange->stopped)
        *state->stop = 1;
    enum pcs_status status = share_outcomes(exchange, err);
    if (status != PCS_OK)
        return status;
    /* The trials kept: the unbroken run of finished ones from the round's first. */
    uint64_t kept_end = exchange->first;
    while (kept_end < exchange->end && exchange->finished[kept_end])
        kept_end++;
    return merge_sketches(exchange, kept_end, err);
}

const struct pcs_run_share *pcs_dist_run_share(struct pcs_run_share *share, volatile int *stop, unsigned threads)
{
    if (pcs_dist_size() == 1)
        return NULL;
    exchange_context.stop = stop;
    memset(share, 0, sizeof *share);
    share->index = pcs_dist_rank();
    share->count = pcs_dist_size();
    share->round_trials = (uint64_t)share->count * (threads ? threads : 1) * ROUND_TRIALS_PER_THREAD;
    share->exchange = exchange_round;
    share->context = &exchange_context;
    return share;
}
