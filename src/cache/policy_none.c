/* none: nothing is cached; the baseline every saving is measured against. */
#include "cache_internal.h"

static enum pcs_status access_none(pcs_cache *cache, const struct pcs_request *req, struct pcs_usage *usage)
{
    (void)cache;
    (void)req;
    (void)usage;
    return PCS_OK;
}

const struct policy_ops pcs_policy_none = {PCS_POLICY_NONE, 0, access_none};
