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

#endif
