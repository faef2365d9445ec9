/* pcsim: scale-out over processes (docs/design.md §11): the seam between the
 * commands and MPI.
 *
 * `mpirun -n N pcsim run|sweep|calibrate ...` starts N processes (ranks)
 * with the same command line. Work with an index (a trial, a sweep point, a
 * TTL point) is dealt by index: index i belongs to rank i mod N, so the
 * random streams of a trial (keyed by its index) and every result are the
 * same for any N. Each rank computes its indices; the results are gathered
 * to rank 0 in index order, and rank 0 alone reports and writes. The
 * engines know nothing of this: a Monte Carlo run takes a share of its
 * trials (pcsim/mc.h: pcs_run_share) and the curves take a subset of their
 * points.
 *
 * Without the MPI build (-DPCSIM_MPI=ON), or when the process was not
 * started by an MPI launcher, there is one rank of one: every index is its
 * own, a gather does nothing, and no MPI code runs (dist_single.c).
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: every function
 * is called from the thread that called pcs_dist_start (MPI is initialised
 * for that thread only, MPI_THREAD_FUNNELED); the others may run worker
 * threads meanwhile. A function marked collective must be called by every
 * rank, in the same order, with the same sizes, or the job hangs; a rank
 * that fails between two collectives calls pcs_dist_abort, which ends every
 * rank, never leaving them waiting. */
#ifndef PCSIM_DIST_DIST_H
#define PCSIM_DIST_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/mc.h"
#include "pcsim/status.h"

/* Joins the job when an MPI launcher started the process, else stays one
 * rank of one. Call once, before any other pcs_dist function. PCS_ERR_ARG
 * with err set when MPI cannot start (the MPI library said why). */
enum pcs_status pcs_dist_start(struct pcs_error *err);

/* Leaves the job (every rank calls it once, last). No-op in one process. */
void pcs_dist_finish(void);

/* This process's rank, 0 .. size - 1, and the number of ranks (1 before
 * pcs_dist_start). */
unsigned pcs_dist_rank(void);
unsigned pcs_dist_size(void);

/* Whether this rank reports and writes outputs: rank 0. */
int pcs_dist_is_root(void);

/* Whether index belongs to this rank (index mod size == rank). */
int pcs_dist_owns(uint64_t index);

/* How many of the indices [0, count) belong to this rank. */
size_t pcs_dist_owned_count(size_t count);

/* Ends every rank at once with exit status code, after printing
 * "pcsim COMMAND: rank R of N failed (exit status CODE)" to stderr (the
 * rank's own error was printed before). Returns only in one process (one
 * rank of one: there is no one to tell), and then does nothing. */
void pcs_dist_abort(const char *command, int code);

/* Collective: whether any rank's flag is non-zero. In one process, flag. */
int pcs_dist_any(int flag);

/* Collective: gathers to rank 0, in index order, records dealt by index:
 * records[0 .. count) of record_size bytes each, where each rank has
 * filled those of its own indices. On return rank 0's array holds every
 * rank's records; the others' arrays are unchanged. PCS_ERR_NOMEM or
 * PCS_ERR_IO (MPI failed) with err set. */
enum pcs_status pcs_dist_gather(void *records, size_t count, size_t record_size, struct pcs_error *err);

/* A Monte Carlo run's share for this rank: fills *share (its exchange
 * gathers the other ranks' trial outcomes to every rank, and their trials'
 * per-task cost sketches to rank 0, which merges them) and returns it; NULL
 * in one process (the run then plays every trial). stop is the run's stop
 * flag (the config's), which the exchange sets on every rank when any
 * rank's is set; threads is the run's thread count (a round gives each
 * rank's threads a few trials each). share and stop must outlive the run. */
const struct pcs_run_share *pcs_dist_run_share(struct pcs_run_share *share, volatile int *stop, unsigned threads);

/* Collective: a curve's points dealt by index (pcsim/sweep.h). Each rank
 * has swept its own of count points, in index order, into *result (a rank
 * that owns none passes an empty result: point_count 0). On rank 0,
 * *result becomes the whole curve, every point in its place (the curve's
 * other fields are rank 0's: every rank read the same trace); the others'
 * results are left as they were. PCS_ERR_NOMEM (result unchanged) or the
 * gather's error, with err set. */
struct pcs_sweep_result;
enum pcs_status pcs_dist_gather_sweep(struct pcs_sweep_result *result, size_t count, struct pcs_error *err);

/* A calibration's share of TTL points for this rank (pcsim/calibrate.h;
 * its gather brings every point to rank 0); NULL in one process. share
 * must outlive the calibration. */
struct pcs_calibrate_share;
const struct pcs_calibrate_share *pcs_dist_calibrate_share(struct pcs_calibrate_share *share);

/* Collective: every rank sends box[r][0..words[r]) to each other rank r,
 * and on return box[r] holds, and words[r] counts, what rank r sent it;
 * box[rank] and words[rank], a rank's words for itself, stay as they were
 * (nothing is copied). box and words have size entries; every box is the
 * caller's (malloc'd, NULL when empty), before and after: those sent are
 * freed here, those received allocated. In one process nothing moves.
 * PCS_ERR_NOMEM, PCS_ERR_RANGE (more than MPI moves at once) or PCS_ERR_IO
 * (MPI failed), with err set; the boxes are then those the caller gave or
 * NULL, each safe to free. */
enum pcs_status pcs_dist_exchange(uint64_t **box, size_t *words, struct pcs_error *err);

/* Collective: every rank's words[0..count) to rank 0. On rank 0, from[r]
 * (r >= 1) is allocated (the caller frees it; NULL when empty) and holds
 * counts[r] words from rank r, while from[0] is NULL and counts[0] is
 * count: rank 0's own words stay where they are. from and counts have
 * size entries; elsewhere they are left alone. Errors as
 * pcs_dist_exchange's. */
enum pcs_status pcs_dist_gather_words(const uint64_t *words, size_t count, uint64_t **from, size_t *counts,
                                      struct pcs_error *err);

/* Collective: `pcsim replay --shard` (shard.c; docs/design.md §11). Each
 * rank reads its part of job's inputs (pcsim/trace.h, "Parts"), sends each
 * request to the rank owning its prefix root (namespace, model, first
 * bound key), replays what it was sent through the job's caches, and sends
 * the usages to rank 0, which prices, reconciles and watches every request
 * in the trace's order as pcs_replay_run does. On rank 0 *outcome is then
 * what pcs_replay_run gives for the whole trace (exact for every policy but
 * lru, whose capacity is each rank's); on the others it holds nothing (its
 * trace NULL). In one process it is one part of one: the same result as
 * pcs_replay_run. job->threads threads read; the caches play on the
 * calling thread. Errors are pcs_replay_run's, and the exchanges'; a rank
 * that fails must call pcs_dist_abort (the others may be waiting for it).
 * Release the outcome with pcs_replay_outcome_free. */
struct pcs_replay_job;
struct pcs_replay_outcome;
enum pcs_status pcs_dist_replay_shard(const struct pcs_replay_job *job, struct pcs_replay_outcome *outcome,
                                      struct pcs_error *err);

#endif
