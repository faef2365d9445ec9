/* The TTL sweep seen request by request (internal to src/sim): what a
 * calibration (calibrate.c) needs that a curve's sums do not keep. */
#ifndef PCSIM_SIM_SWEEP_INTERNAL_H
#define PCSIM_SIM_SWEEP_INTERNAL_H

#include "pcsim/sweep.h"

/* Sees one request with its usage at every point (usages[0..count), in the
 * order the points were asked; valid during the call), on the calling
 * thread. Anything but PCS_OK stops the sweep with that status. */
typedef enum pcs_status (*pcs_sweep_watch_fn)(void *context, const struct pcs_request *req,
                                              const struct pcs_usage *usages);

/* pcs_sweep_ttl_per_model, with watch (may be NULL) called for every
 * request after its points are counted. */
enum pcs_status pcs_sweep_ttl_watched(pcs_trace *trace, const struct pcs_cache_config *base, const int64_t *ttls_ms,
                                      size_t count, const struct pcs_replay_cost_config *pricing, unsigned threads,
                                      pcs_model_config_fn model_config, void *model_config_context,
                                      pcs_sweep_watch_fn watch, void *watch_context, struct pcs_sweep_result *result,
                                      struct pcs_error *err);

#endif
