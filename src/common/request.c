/* The request record's helpers; see pcsim/request.h. */
#include "pcsim/request.h"

#include <string.h>

#include <xxhash.h>

void pcs_request_keys(const struct pcs_request *req, uint64_t *keys)
{
    uint64_t chain[2];
    chain[0] = ((uint64_t)req->namespace_id << 32) | req->model;
    for (size_t i = 0; i < req->bound_count; i++) {
        chain[1] = req->units[i];
        keys[i] = XXH3_64bits(chain, sizeof chain);
        chain[0] = keys[i];
    }
}

int pcs_request_has_ttl_marker(const struct pcs_request *req)
{
    if (!req->flags)
        return 0;
    for (size_t i = 0; i < req->bound_count; i++)
        if (req->flags[i] & (PCS_BOUND_TTL_1H | PCS_BOUND_TTL_5M))
            return 1;
    return 0;
}

static const char *const tier_names[] = {"standard", "batch", "flex", "priority"};

const char *pcs_tier_name(enum pcs_tier tier)
{
    return (unsigned)tier < sizeof tier_names / sizeof tier_names[0] ? tier_names[tier] : "unknown";
}

int pcs_tier_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof tier_names / sizeof tier_names[0]); i++)
        if (strcmp(name, tier_names[i]) == 0)
            return i;
    return -1;
}
