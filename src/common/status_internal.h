/* Statuses the library's parts pass among themselves and never return
 * through the public API (internal to the library). */
#ifndef PCSIM_COMMON_STATUS_INTERNAL_H
#define PCSIM_COMMON_STATUS_INTERNAL_H

#include "pcsim/status.h"

/* A trace read in one pass (trace/trace_internal.h) is not in time order:
 * read it again with an index. pcs_replay_run starts over on it. Numbered
 * past the public statuses. */
#define PCS_ERR_ORDER ((enum pcs_status)(PCS_ERR_NOMEM + 1))

#endif
