/* The request record's helpers; see pcsim/request.h. */
#include "pcsim/request.h"

#include <string.h>

#include <xxhash.h>

/* The chain's seed: the namespace and the model (DESIGN §2). */
static uint64_t chain_seed(const struct pcs_request *req)
{
    return ((uint64_t)req->namespace_id << 32) | req->model;
}

static uint64_t chain_next(uint64_t previous, uint64_t unit)
{
    uint64_t chain[2] = {previous, unit};
    return XXH3_64bits(chain, sizeof chain);
}

void pcs_request_keys(const struct pcs_request *req, uint64_t *keys)
{
    uint64_t key = chain_seed(req);
    for (size_t i = 0; i < req->bound_count; i++) {
        key = chain_next(key, req->units[i]);
        keys[i] = key;
    }
}

uint64_t pcs_request_key_at(const struct pcs_request *req, size_t bound)
{
    uint64_t key = chain_seed(req);
    for (size_t i = 0; i <= bound; i++)
        key = chain_next(key, req->units[i]);
    return key;
}

#define CACHE_KEY_SEED 0xc4c3e5eeull

uint64_t pcs_request_cache_key_hash(const char *text, size_t len)
{
    uint64_t hash = XXH3_64bits_withSeed(text, len, CACHE_KEY_SEED);
    return hash ? hash : 1;
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
