/* Read-ahead hints to a cache (internal to the library: src/cache gives
 * them, src/sim's request loop sends them). An optimisation, not a
 * contract: a hint never changes a result. */
#ifndef PCSIM_CACHE_PREFETCH_INTERNAL_H
#define PCSIM_CACHE_PREFETCH_INTERNAL_H

#include "pcsim/cache.h"

/* How many requests ahead pcs_cache_prefetch is meant to be called. */
#define PCS_CACHE_LOOKAHEAD 8

/* Optional, for speed only: announces req, which this cache will be given
 * PCS_CACHE_LOOKAHEAD accesses from now (or sooner), so that the parts of
 * the tree its lookup will visit are on their way into the CPU cache by
 * then; a request's walk waits on a few memory loads in a row, and they
 * overlap with the accesses in between. Never changes a result. req's
 * arrays must stay valid until req is accessed. */
void pcs_cache_prefetch(pcs_cache *cache, const struct pcs_request *req);

#endif
