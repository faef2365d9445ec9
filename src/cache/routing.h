/* Overflow routing (internal to src/cache): which machine, and so which
 * cache, serves a request when a provider spreads a hot prefix over more
 * machines (DESIGN §3 "overflow_rpm"; pcsim/cache.h states the rule).
 *
 * A router gives each (request namespace, routing key, machine) its own
 * namespace id, which the cache then uses in place of the request's: the
 * tree's roots are per (namespace, model), so machines never share an
 * entry. Routing does not depend on the TTL, the policy or what is cached,
 * so one router serves every lane of a cache of lanes alike.
 *
 * Memory: a routing key keeps its counter and its machines' namespace ids
 * for good (a later burst continues the count), and the arrival times of
 * its trailing window only: times older than the window are dropped as
 * requests come, and the room they took is given back once the window has
 * shrunk to a quarter of it. Not thread-safe: one router per cache. */
#ifndef PCSIM_CACHE_ROUTING_H
#define PCSIM_CACHE_ROUTING_H

#include <stddef.h>
#include <stdint.h>

#include "common/hash_table.h"
#include "pcsim/request.h"
#include "pcsim/status.h"

struct route_key;

struct router {
    struct pcs_hash_table index; /* hash of a routing key -> its index in keys */
    struct route_key *keys;
    size_t key_count;
    size_t key_cap;
    uint32_t namespaces_used; /* namespace ids handed out: 0..namespaces_used) */
};

/* A zeroed router is empty and valid; pcs_router_release frees it. */
void pcs_router_release(struct router *router);

/* Routes req (bound_count > 0; requests in non-decreasing time order) at
 * overflow_rpm (> 0) requests per minute per machine: counts it in its
 * routing key's window and counter and sets *namespace_id to the namespace
 * of the machine serving it. PCS_ERR_NOMEM when the router cannot grow
 * (more than 2^32 machines in all counts as that); then *namespace_id is
 * unset. */
enum pcs_status pcs_router_route(struct router *router, uint64_t overflow_rpm, const struct pcs_request *req,
                                 uint32_t *namespace_id);

/* The arrival times a router has room for, over all its keys (for tests
 * of the memory bound). */
size_t pcs_router_times_room(const struct router *router);

#endif
