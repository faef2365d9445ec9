/* Reading a trace in one pass (internal to the library: src/trace gives
 * it, src/sim's replay run uses it). An optimisation, not a contract: the
 * requests, skips and errors are those of the two passes pcsim/trace.h
 * describes; only a time that goes back shows, as PCS_ERR_ORDER. */
#ifndef PCSIM_TRACE_ONE_PASS_INTERNAL_H
#define PCSIM_TRACE_ONE_PASS_INTERNAL_H

#include <stdint.h>

#include "common/status_internal.h"
#include "pcsim/trace.h"

/* The smallest file worth reading in one pass: below it the index costs
 * little. */
#define PCS_TRACE_ONE_PASS_MIN_BYTES ((uint64_t)16 << 20)

/* As pcs_trace_open_inputs, betting that the trace is in time order: when
 * it is a single line file of at least min_bytes, it is read in file order
 * without an index. If a time then goes back, pcs_trace_next returns
 * PCS_ERR_ORDER and the caller must start over with a trace opened by
 * pcs_trace_open_inputs (the inputs may be opened again). */
pcs_trace *pcs_trace_open_one_pass(const pcs_inputs *inputs, const struct pcs_trace_config *config, uint64_t min_bytes,
                                   struct pcs_error *err);

/* The same over paths, as pcs_trace_open (for tests). */
pcs_trace *pcs_trace_open_paths_one_pass(const char *const *paths, size_t path_count,
                                         const struct pcs_trace_config *config, uint64_t min_bytes,
                                         struct pcs_error *err);

/* 1 if the trace is read in one pass. */
int pcs_trace_streams(const pcs_trace *trace);

/* Request logs read in one pass: workers threads read calls ahead of
 * pcs_trace_next, chunk_bytes of the file at a time (0: the default),
 * and count their prompts' tokens (src/trace/log_feed.h); pcs_trace_next
 * finishes them in file order. The requests, skips and errors are those
 * pcs_trace_next gives alone, and memory does not grow with the file.
 * Returns 1 if the workers started, 0 if pcs_trace_next reads alone (not
 * one pass, not a request log, or no thread or memory). Call both from
 * the thread that reads the trace; pcs_trace_free stops the workers too,
 * and pcs_trace_next reads on alone from where they stopped. */
int pcs_trace_read_ahead(pcs_trace *trace, unsigned workers, size_t chunk_bytes);
void pcs_trace_read_ahead_stop(pcs_trace *trace);

#endif
