/* Overflow routing: the machine, and so the cache namespace, of each
 * request; see routing.h and pcsim/cache.h (overflow_rpm).
 *
 * Each routing key keeps the arrival times of its trailing window in a
 * ring (oldest first; requests come in time order, so the window's old end
 * is the ring's head), its counter, and the namespace id given to each of
 * its machines when first used. */
#include "routing.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "common/grow.h"
#include "pcsim/cache.h"

/* Times a key holds without an allocation of its own: most keys are cold
 * (one prefix, a request now and then). */
#define INLINE_TIMES 4
#define NO_NAMESPACE UINT32_MAX

struct route_key {
    /* The routing key (DESIGN §3), with the request's namespace: the chain
     * key already depends on it, but keeping it makes the key exact. */
    uint64_t prefix_key; /* chain key of the routing prefix's bound */
    uint64_t cache_key;  /* 0: none */
    uint32_t namespace_id;
    uint32_t model;
    uint64_t counter; /* requests routed so far */
    /* The window: times[(head + i) % cap] for i < len, oldest first. */
    int64_t inline_times[INLINE_TIMES];
    int64_t *heap_times; /* when cap > INLINE_TIMES */
    uint32_t head;
    uint32_t len;
    uint32_t cap;
    /* Namespace ids by machine: machine 0's here, the others' in
     * more_machines[j - 1] (NO_NAMESPACE until the machine is first used). */
    uint32_t machine0;
    uint32_t more_cap;
    uint32_t *more_machines;
};

static int64_t *key_times(struct route_key *key)
{
    return key->cap > INLINE_TIMES ? key->heap_times : key->inline_times;
}

void pcs_router_release(struct router *router)
{
    for (size_t i = 0; i < router->key_count; i++) {
        free(router->keys[i].heap_times);
        free(router->keys[i].more_machines);
    }
    free(router->keys);
    pcs_hash_release(&router->index);
    memset(router, 0, sizeof *router);
}

size_t pcs_router_times_room(const struct router *router)
{
    size_t room = 0;
    for (size_t i = 0; i < router->key_count; i++)
        room += router->keys[i].cap;
    return room;
}

/* The bound whose chain key routes req: the deepest ending at or before
 * PCS_ROUTING_PREFIX_TOKENS, else the first. */
static size_t routing_bound(const struct pcs_request *req)
{
    size_t bound = 0;
    while (bound + 1 < req->bound_count && req->ends[bound + 1] <= PCS_ROUTING_PREFIX_TOKENS)
        bound++;
    return bound;
}

struct key_probe {
    const struct router *router;
    const struct route_key *wanted;
};

static int same_key(const void *context, uint32_t value)
{
    const struct key_probe *probe = context;
    const struct route_key *have = &probe->router->keys[value];
    const struct route_key *want = probe->wanted;
    return have->prefix_key == want->prefix_key && have->cache_key == want->cache_key &&
           have->namespace_id == want->namespace_id && have->model == want->model;
}

/* The key's index, added (empty) if new. */
static enum pcs_status find_key(struct router *router, const struct route_key *wanted, uint32_t *index)
{
    uint64_t words[3] = {wanted->prefix_key, wanted->cache_key, ((uint64_t)wanted->namespace_id << 32) | wanted->model};
    uint64_t hash = XXH3_64bits(words, sizeof words);
    struct key_probe probe = {router, wanted};
    uint32_t found = pcs_hash_find_match(&router->index, hash, 0, same_key, &probe);
    if (found != PCS_HASH_EMPTY) {
        *index = found;
        return PCS_OK;
    }
    if (router->key_count >= PCS_HASH_EMPTY)
        return PCS_ERR_NOMEM;
    if (router->key_count == router->key_cap) {
        size_t cap = grow_capacity(router->key_cap, router->key_count + 1, 64, sizeof *router->keys);
        struct route_key *keys = cap ? realloc(router->keys, cap * sizeof *keys) : NULL;
        if (!keys)
            return PCS_ERR_NOMEM;
        router->keys = keys;
        router->key_cap = cap;
    }
    router->index.premixed = 1; /* XXH3 keys */
    if (pcs_hash_add(&router->index, hash, 0, (uint32_t)router->key_count) != PCS_OK)
        return PCS_ERR_NOMEM;
    struct route_key *key = &router->keys[router->key_count];
    memset(key, 0, sizeof *key);
    key->prefix_key = wanted->prefix_key;
    key->cache_key = wanted->cache_key;
    key->namespace_id = wanted->namespace_id;
    key->model = wanted->model;
    key->cap = INLINE_TIMES;
    key->machine0 = NO_NAMESPACE;
    *index = (uint32_t)router->key_count++;
    return PCS_OK;
}

/* Moves the window's times into a ring of cap slots (cap >= len). */
static enum pcs_status ring_resize(struct route_key *key, uint32_t cap)
{
    int64_t *times = key_times(key);
    int64_t *heap = NULL;
    int64_t kept[INLINE_TIMES];
    int64_t *to = kept;
    if (cap > INLINE_TIMES) {
        heap = malloc((size_t)cap * sizeof *heap);
        if (!heap)
            return PCS_ERR_NOMEM;
        to = heap;
    }
    for (uint32_t i = 0; i < key->len; i++)
        to[i] = times[(key->head + i) % key->cap];
    if (key->cap > INLINE_TIMES)
        free(key->heap_times);
    key->heap_times = heap;
    if (!heap)
        memcpy(key->inline_times, kept, sizeof kept);
    key->head = 0;
    key->cap = cap;
    return PCS_OK;
}

/* Drops the times at or before now - window, adds now; the window then
 * holds the requests of (now - window, now]. */
static enum pcs_status window_add(struct route_key *key, int64_t now_ms)
{
    int64_t *times = key_times(key);
    while (key->len > 0 && times[key->head] <= now_ms - PCS_ROUTING_WINDOW_MS) {
        key->head = (key->head + 1) % key->cap;
        key->len--;
    }
    if (key->cap > INLINE_TIMES && key->len < key->cap / 4) {
        uint32_t cap = key->cap;
        while (cap > INLINE_TIMES && key->len < cap / 4)
            cap /= 2; /* still at least twice the times kept */
        if (ring_resize(key, cap > INLINE_TIMES ? cap : INLINE_TIMES) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    if (key->len == key->cap) {
        if (key->cap > UINT32_MAX / 2 || ring_resize(key, key->cap * 2) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    times = key_times(key);
    times[(key->head + key->len) % key->cap] = now_ms;
    key->len++;
    return PCS_OK;
}

/* The namespace of the key's machine, given one on first use. */
static enum pcs_status machine_namespace(struct router *router, struct route_key *key, uint64_t machine,
                                         uint32_t *namespace_id)
{
    uint32_t *slot = &key->machine0;
    if (machine > 0) {
        if (machine > key->more_cap) {
            size_t cap = grow_capacity(key->more_cap, (size_t)machine, 4, sizeof *key->more_machines);
            uint32_t *more = cap && cap <= UINT32_MAX ? realloc(key->more_machines, cap * sizeof *more) : NULL;
            if (!more)
                return PCS_ERR_NOMEM;
            for (size_t j = key->more_cap; j < cap; j++)
                more[j] = NO_NAMESPACE;
            key->more_machines = more;
            key->more_cap = (uint32_t)cap;
        }
        slot = &key->more_machines[machine - 1];
    }
    if (*slot == NO_NAMESPACE) {
        if (router->namespaces_used == NO_NAMESPACE)
            return PCS_ERR_NOMEM;
        *slot = router->namespaces_used++;
    }
    *namespace_id = *slot;
    return PCS_OK;
}

enum pcs_status pcs_router_route(struct router *router, uint64_t overflow_rpm, const struct pcs_request *req,
                                 uint32_t *namespace_id)
{
    struct route_key wanted;
    wanted.prefix_key = pcs_request_key_at(req, routing_bound(req));
    wanted.cache_key = req->cache_key;
    wanted.namespace_id = req->namespace_id;
    wanted.model = req->model;
    uint32_t index;
    if (find_key(router, &wanted, &index) != PCS_OK)
        return PCS_ERR_NOMEM;
    struct route_key *key = &router->keys[index];
    if (window_add(key, req->t_ms) != PCS_OK)
        return PCS_ERR_NOMEM;
    uint64_t machines = key->len / overflow_rpm + (key->len % overflow_rpm != 0); /* ceil(r / rpm) >= 1: r >= 1 */
    uint64_t machine = key->counter % machines;
    key->counter++;
    return machine_namespace(router, key, machine, namespace_id);
}
