/* Capacity curves (lru) in one pass; see pcsim/sweep.h.
 *
 * What an lru cache does (src/cache/pcs_policy_lru.c), stated per bound: a
 * request reads its longest cached prefix, then touches all its bounds
 * deepest first (a prefix is always more recent than its extensions),
 * inserting the missing ones at their cost end_k - end_{k-1}; then least
 * recently used bounds are evicted, one at a time, until the cached tokens
 * fit. One cache serves every (namespace, model) of a replay, so they share
 * the capacity and the recency order. Times play no part beyond the order
 * of requests (equal times keep the trace's order).
 *
 * So the bounds ever touched form one recency stack, and each capacity's
 * cache is always a most recent part of it: a request puts its bounds on top
 * (all cached at that moment, whatever the capacity), eviction cuts from the
 * bottom. A point needs only its cut (a bound is cached iff its last-touch
 * stamp is >= the cut) and the tokens it holds; a request's matched prefix
 * at a point is the run of its bounds at or above the cut (stamps fall
 * strictly along a chain). Each stamp carries its bound's cost, with
 * sums over aligned spans of 16, 256 and 4096 stamps: a touch moves a cost
 * in O(1), and eviction walks up from the cut, the widest span at a time
 * that does not cover the excess (a cut usually moves by about one
 * request's bounds).
 *
 * Why not plain stack distances: a cached bound keeps the cost it was
 * inserted with, and one chain of units can come with other ends (a Mooncake
 * prompt whose last, partial block is later sent longer or shorter). A cache
 * still holding the bound keeps the old cost; one that had evicted it takes
 * the new one. Costs, and with them stack distances, thus depend on the
 * capacity, and a larger cache can even miss where a smaller one hits. The
 * stamps carry each bound's latest cost, what a point inserting it takes;
 * a point that holds a bound at another cost keeps the difference in its
 * own table, by bound (empty unless ends change under a chain). A touch at
 * an unchanged cost thus costs nothing per point, one at a new cost visits
 * the points that hold the bound, and eviction reads a point's table only
 * at bounds that some point holds at another cost (counted per span, so
 * spans without any are still skipped whole).
 *
 * The ideal ceiling is the same pass: a bound is in the ideal cache iff it
 * was ever seen.
 *
 * threads is ignored: the stack is one sequence, played in one pass; the
 * result is the same for any thread count. */
#include "pcsim/sweep.h"
#include "common/grow.h"
#include "common/hash_table.h"
#include "request_loop.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define SPAN_BITS 4 /* a span of level l holds 16^(l + 1) stamps */
#define LEVELS 3
#define TOP_SPAN ((size_t)1 << (SPAN_BITS * LEVELS))
#define MIN_STAMPS TOP_SPAN
#define MIN_BOUNDS 1024
/* Stamps and bound ids are 32-bit: the most distinct bounds a sweep keeps. */
#define MAX_BOUNDS (UINT32_MAX / 4)

/* A distinct bound ever seen: its chained key (pcs_request_keys seeds the
 * chain with the namespace and the model, so the key tells them apart). */
struct bound {
    uint64_t key;
    uint64_t holder_bits; /* bit i % 64 clear: point i is not a holder */
    uint32_t stamp;       /* last touch */
    uint32_t cost;        /* at the last touch */
    uint32_t holders;     /* points holding it at another cost */
};

struct point_state {
    uint64_t capacity;
    uint64_t tokens; /* cached */
    uint32_t cut;    /* bounds whose stamp is >= cut are cached */
    /* The bounds it holds at another cost than their latest: held maps
     * such a bound to k, and it is held at its cost + held_deltas[k]. The
     * k in use are among [0, held_used); the others freed since form a
     * list from held_free (NIL: none) through held_deltas. */
    struct pcs_hash_table held;
    int64_t *held_deltas;
    size_t held_count; /* bounds held */
    size_t held_used;
    size_t held_cap;
    uint32_t held_free;
    pcs_replay_coster *coster;
};

/* A point's cut, for renumbering. */
struct cut_rank {
    uint32_t cut;
    uint32_t point;
};

struct capacity_sweep {
    struct pcs_sweep_result *result;
    const pcs_trace *trace; /* its model count, as requests come */
    struct point_state *points;
    size_t point_count;
    /* Distinct bounds and the table that finds them by key. */
    struct bound *bounds;
    size_t bound_count;
    size_t bound_cap;
    struct pcs_hash_table bound_ids; /* key -> bound id */
    /* Stamps: owner[s] is the bound last touched at s and cost[s] its cost
     * (NIL and 0: touched since); over level l spans, span_sum[l] sums the
     * costs and span_holders[l] counts the bounds with holders. */
    uint32_t *owner;
    uint32_t *cost;
    uint64_t *span_sum[LEVELS];
    uint32_t *span_holders[LEVELS];
    size_t stamp_cap; /* a multiple of TOP_SPAN */
    size_t next_stamp;
    uint32_t min_cut;      /* no point holds a bound below it */
    struct cut_rank *cuts; /* compaction scratch: point_count */
    /* The current request's keys, bound ids and their stamps. */
    uint64_t *keys;
    uint32_t *ids;
    uint32_t *stamps;
    size_t scratch_cap;
    /* Usage: the ideal cache's per model; a point's by_model sums only its
     * cache_read until finish_usage (the other fields are the ideal's). */
    struct pcs_usage *ideal_by_model;
    int64_t last_t_ms;
    struct pcs_error *err;
};

/* ------------------------------------------------------------- stamp sums */

static void stamp_set(struct capacity_sweep *sweep, size_t stamp, uint32_t id, uint32_t cost)
{
    sweep->owner[stamp] = id;
    sweep->cost[stamp] = cost;
    for (int l = 0; l < LEVELS; l++)
        sweep->span_sum[l][stamp >> (SPAN_BITS * (l + 1))] += cost;
}

static void stamp_clear(struct capacity_sweep *sweep, size_t stamp)
{
    uint32_t cost = sweep->cost[stamp];
    sweep->owner[stamp] = NIL;
    sweep->cost[stamp] = 0;
    for (int l = 0; l < LEVELS; l++)
        sweep->span_sum[l][stamp >> (SPAN_BITS * (l + 1))] -= cost;
}

/* Counts (step 1) or uncounts (step -1) a bound with holders at stamp. */
static void count_holders(struct capacity_sweep *sweep, size_t stamp, uint32_t step)
{
    for (int l = 0; l < LEVELS; l++)
        sweep->span_holders[l][stamp >> (SPAN_BITS * (l + 1))] += step; /* unsigned: -1 wraps */
}

/* ------------------------------------------------------------ bound table */

static uint32_t bound_find(const struct capacity_sweep *sweep, uint64_t key)
{
    return pcs_hash_find(&sweep->bound_ids, key, 0); /* NIL if absent */
}

/* Room for count more bounds in the arrays and the table. */
static enum pcs_status reserve_bounds(struct capacity_sweep *sweep, size_t count)
{
    size_t need = sweep->bound_count + count;
    if (need > MAX_BOUNDS)
        return PCS_ERR_NOMEM;
    if (need > sweep->bound_cap) {
        size_t cap = sweep->bound_cap ? sweep->bound_cap : MIN_BOUNDS;
        while (cap < need)
            cap *= 2;
        struct bound *bounds = realloc(sweep->bounds, cap * sizeof *bounds);
        if (!bounds)
            return PCS_ERR_NOMEM;
        sweep->bounds = bounds;
        sweep->bound_cap = cap;
    }
    return pcs_hash_reserve(&sweep->bound_ids, need > MIN_BOUNDS ? need : MIN_BOUNDS);
}

/* -------------------------------------------------------------- stamps */

static int by_cut(const void *a, const void *b)
{
    const struct cut_rank *x = a, *y = b;
    return (x->cut > y->cut) - (x->cut < y->cut);
}

/* Room for count more stamps: when the stamps run out, renumber the live
 * ones (one per bound) densely in their order, and move every cut along;
 * the stamps grow so that at least half of them are free. */
static enum pcs_status reserve_stamps(struct capacity_sweep *sweep, size_t count)
{
    if (sweep->next_stamp + count <= sweep->stamp_cap)
        return PCS_OK;
    size_t live = sweep->bound_count;
    size_t cap = sweep->stamp_cap ? sweep->stamp_cap : MIN_STAMPS;
    while (cap < 2 * (live + count))
        cap *= 2;
    if (cap > (size_t)UINT32_MAX / 2)
        return PCS_ERR_NOMEM;
    if (cap > sweep->stamp_cap) {
        uint32_t *owner = realloc(sweep->owner, cap * sizeof *owner);
        if (owner)
            sweep->owner = owner;
        uint32_t *cost = owner ? realloc(sweep->cost, cap * sizeof *cost) : NULL;
        if (!cost)
            return PCS_ERR_NOMEM;
        sweep->cost = cost;
        for (int l = 0; l < LEVELS; l++) {
            size_t spans = cap >> (SPAN_BITS * (l + 1));
            uint64_t *sums = realloc(sweep->span_sum[l], spans * sizeof *sums);
            if (sums)
                sweep->span_sum[l] = sums;
            uint32_t *counts = sums ? realloc(sweep->span_holders[l], spans * sizeof *counts) : NULL;
            if (!counts)
                return PCS_ERR_NOMEM;
            sweep->span_holders[l] = counts;
        }
        sweep->stamp_cap = cap;
    }
    for (size_t i = 0; i < sweep->point_count; i++) {
        sweep->cuts[i].cut = sweep->points[i].cut;
        sweep->cuts[i].point = (uint32_t)i;
    }
    qsort(sweep->cuts, sweep->point_count, sizeof *sweep->cuts, by_cut);
    /* Live stamps move down in order; a cut goes to the number of live
     * stamps below it. */
    size_t next_cut = 0;
    uint32_t next = 0;
    for (size_t s = 0; s < sweep->next_stamp; s++) {
        for (; next_cut < sweep->point_count && sweep->cuts[next_cut].cut <= s; next_cut++)
            sweep->points[sweep->cuts[next_cut].point].cut = next;
        uint32_t id = sweep->owner[s];
        if (id == NIL)
            continue;
        sweep->owner[next] = id;
        sweep->cost[next] = sweep->cost[s];
        sweep->bounds[id].stamp = next;
        next++;
    }
    for (; next_cut < sweep->point_count; next_cut++)
        sweep->points[sweep->cuts[next_cut].point].cut = next;
    sweep->min_cut = sweep->points[sweep->cuts[0].point].cut;
    sweep->next_stamp = next;
    for (size_t s = next; s < cap; s++) {
        sweep->owner[s] = NIL;
        sweep->cost[s] = 0;
    }
    for (int l = 0; l < LEVELS; l++) {
        unsigned bits = SPAN_BITS * (unsigned)(l + 1);
        uint64_t *sums = sweep->span_sum[l];
        uint32_t *counts = sweep->span_holders[l];
        memset(sums, 0, (cap >> bits) * sizeof *sums);
        memset(counts, 0, (cap >> bits) * sizeof *counts);
        for (size_t s = 0; s < next; s++) {
            sums[s >> bits] += sweep->cost[s];
            counts[s >> bits] += sweep->bounds[sweep->owner[s]].holders != 0;
        }
    }
    return PCS_OK;
}

static enum pcs_status reserve_scratch(struct capacity_sweep *sweep, size_t count)
{
    if (count <= sweep->scratch_cap)
        return PCS_OK;
    size_t cap = grow_capacity(sweep->scratch_cap, count, 256, sizeof *sweep->keys);
    if (cap == 0)
        return PCS_ERR_NOMEM;
    uint64_t *keys = realloc(sweep->keys, cap * sizeof *keys);
    if (keys)
        sweep->keys = keys;
    uint32_t *ids = keys ? realloc(sweep->ids, cap * sizeof *ids) : NULL;
    if (ids)
        sweep->ids = ids;
    uint32_t *stamps = ids ? realloc(sweep->stamps, cap * sizeof *stamps) : NULL;
    if (!stamps)
        return PCS_ERR_NOMEM;
    sweep->stamps = stamps;
    sweep->scratch_cap = cap;
    return PCS_OK;
}

/* ------------------------------------------------------- held costs */

/* The point holds bound at its cost + delta (delta != 0). */
static enum pcs_status held_put(struct point_state *point, uint32_t bound, int64_t delta)
{
    uint32_t k = pcs_hash_find(&point->held, bound, 0);
    if (k != PCS_HASH_EMPTY) {
        point->held_deltas[k] = delta;
        return PCS_OK;
    }
    if (point->held_free == NIL && point->held_used == point->held_cap) {
        size_t cap = point->held_cap ? point->held_cap * 2 : 32;
        int64_t *deltas = cap < NIL ? realloc(point->held_deltas, cap * sizeof *deltas) : NULL;
        if (!deltas)
            return PCS_ERR_NOMEM;
        point->held_deltas = deltas;
        point->held_cap = cap;
    }
    k = point->held_free != NIL ? point->held_free : (uint32_t)point->held_used;
    if (!point->held.slots && pcs_hash_reserve(&point->held, 32) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (pcs_hash_add(&point->held, bound, 0, k) != PCS_OK)
        return PCS_ERR_NOMEM;
    if (k == point->held_free)
        point->held_free = (uint32_t)point->held_deltas[k];
    else
        point->held_used++;
    point->held_deltas[k] = delta;
    point->held_count++;
    return PCS_OK;
}

/* Forgets what the point holds bound at; returns the delta (0: none). */
static int64_t held_take(struct point_state *point, uint32_t bound)
{
    if (point->held_count == 0)
        return 0;
    uint32_t k = pcs_hash_remove(&point->held, bound, 0);
    if (k == PCS_HASH_EMPTY)
        return 0;
    int64_t delta = point->held_deltas[k];
    point->held_deltas[k] = point->held_free; /* k joins the free list */
    point->held_free = k;
    point->held_count--;
    return delta;
}

static uint64_t holder_bit(size_t point)
{
    return (uint64_t)1 << (point % 64);
}

/* What point i holds bound id at, less its cost; forgotten. */
static int64_t take_held(struct capacity_sweep *sweep, size_t i, uint32_t id)
{
    struct bound *bound = &sweep->bounds[id];
    if (!(bound->holder_bits & holder_bit(i)))
        return 0;
    int64_t delta = held_take(&sweep->points[i], id);
    if (delta == 0)
        return 0;
    if (--bound->holders == 0)
        bound->holder_bits = 0;
    else if (sweep->point_count <= 64)
        bound->holder_bits &= ~holder_bit(i); /* the bit is point i's alone */
    return delta;
}

/* A bound touched at a new cost: each point that holds it keeps the cost
 * it holds, now a difference from the new one; the others insert it at the
 * new cost, which the stamp carries. */
static enum pcs_status rebase_bound(struct capacity_sweep *sweep, uint32_t id, uint32_t old_stamp, uint32_t cost)
{
    for (size_t i = 0; i < sweep->point_count; i++) {
        if (old_stamp < sweep->points[i].cut)
            continue; /* evicted here: no difference left */
        int64_t delta = take_held(sweep, i, id) + (int64_t)sweep->bounds[id].cost - (int64_t)cost;
        if (delta != 0) {
            if (held_put(&sweep->points[i], id, delta) != PCS_OK)
                return PCS_ERR_NOMEM;
            sweep->bounds[id].holders++;
            sweep->bounds[id].holder_bits |= holder_bit(i);
        }
    }
    sweep->bounds[id].cost = cost;
    return PCS_OK;
}

/* ------------------------------------------------------------- requests */

/* Sets *tokens to what the point holds in the span of level l at from;
 * returns 0 instead when that takes a closer look (some bound there has
 * holders, and the point holds some bound at another cost). */
static int span_tokens(const struct capacity_sweep *sweep, const struct point_state *point, int l, size_t from,
                       uint64_t *tokens)
{
    size_t index = from >> (SPAN_BITS * (l + 1));
    if (point->held_count && sweep->span_holders[l][index])
        return 0;
    *tokens = sweep->span_sum[l][index];
    return 1;
}

/* The tokens point i holds at stamp, evicting its held cost there. */
static uint64_t stamp_tokens(struct capacity_sweep *sweep, size_t i, size_t stamp)
{
    uint64_t tokens = sweep->cost[stamp];
    if (tokens == 0 || sweep->points[i].held_count == 0)
        return tokens;
    uint32_t id = sweep->owner[stamp];
    int64_t delta = take_held(sweep, i, id);
    if (delta != 0 && sweep->bounds[id].holders == 0)
        count_holders(sweep, stamp, UINT32_MAX);
    return (uint64_t)((int64_t)tokens + delta);
}

/* Evicts the point's least recently used bounds until its tokens fit: the
 * cut moves up past the fewest bottom bounds whose tokens cover the excess,
 * a whole span at a time where it can. */
static void evict(struct capacity_sweep *sweep, size_t i)
{
    struct point_state *point = &sweep->points[i];
    if (point->tokens <= point->capacity)
        return;
    const uint64_t excess = point->tokens - point->capacity;
    uint64_t evicted = 0;
    size_t s = point->cut;
    while (s < sweep->next_stamp && evicted < excess) {
        /* The widest span starting at s that the excess goes beyond. */
        size_t span = 0;
        for (int l = LEVELS - 1; l >= 0 && span == 0; l--) {
            size_t width = (size_t)1 << (SPAN_BITS * (l + 1));
            uint64_t tokens;
            if ((s & (width - 1)) == 0 && span_tokens(sweep, point, l, s, &tokens) && evicted + tokens < excess) {
                evicted += tokens;
                span = width;
            }
        }
        if (span) {
            s += span;
            continue;
        }
        evicted += stamp_tokens(sweep, i, s);
        s++;
    }
    point->tokens -= evicted;
    point->cut = (uint32_t)s;
}

/* How many of the request's first seen bounds (stamps falling) are >= cut. */
static size_t matched_at(const uint32_t *stamps, size_t seen, uint32_t cut)
{
    size_t lo = 0, hi = seen;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (stamps[mid] >= cut)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Room for count models in the ideal's usage and every point's. */
static enum pcs_status grow_models(struct capacity_sweep *sweep, size_t count)
{
    struct pcs_sweep_result *result = sweep->result;
    if (count <= result->model_count)
        return PCS_OK;
    struct pcs_usage *ideal = realloc(sweep->ideal_by_model, count * sizeof *ideal);
    if (!ideal)
        return PCS_ERR_NOMEM;
    memset(ideal + result->model_count, 0, (count - result->model_count) * sizeof *ideal);
    sweep->ideal_by_model = ideal;
    for (size_t i = 0; i < result->point_count; i++) {
        struct pcs_usage *by_model = realloc(result->points[i].by_model, count * sizeof *by_model);
        if (!by_model)
            return PCS_ERR_NOMEM;
        memset(by_model + result->model_count, 0, (count - result->model_count) * sizeof *by_model);
        result->points[i].by_model = by_model;
    }
    result->model_count = count;
    return PCS_OK;
}

/* Looks the request's bounds up; returns how many lead the chain seen before. */
static size_t look_up(struct capacity_sweep *sweep, const struct pcs_request *req)
{
    size_t count = req->bound_count;
    size_t seen = count;
    pcs_request_keys(req, sweep->keys);
    for (size_t i = 0; i < count; i++) {
        uint32_t id = bound_find(sweep, sweep->keys[i]);
        sweep->ids[i] = id;
        sweep->stamps[i] = id == NIL ? 0 : sweep->bounds[id].stamp;
        if (id == NIL && seen == count)
            seen = i;
    }
    return seen;
}

/* Touches the request's bounds deepest first, inserting the new ones. */
static enum pcs_status touch(struct capacity_sweep *sweep, const struct pcs_request *req)
{
    for (size_t i = req->bound_count; i-- > 0;) {
        uint32_t cost = req->ends[i] - (i ? req->ends[i - 1] : 0);
        uint32_t stamp = (uint32_t)sweep->next_stamp++;
        uint32_t id = sweep->ids[i];
        struct bound *bound;
        if (id == NIL) {
            id = (uint32_t)sweep->bound_count++;
            bound = &sweep->bounds[id];
            bound->key = sweep->keys[i];
            bound->cost = cost;
            bound->holders = 0;
            bound->holder_bits = 0;
            if (pcs_hash_add(&sweep->bound_ids, bound->key, 0, id) != PCS_OK)
                return PCS_ERR_NOMEM; /* not reached: reserve_bounds made room */
        } else {
            bound = &sweep->bounds[id];
            uint32_t old = bound->stamp;
            stamp_clear(sweep, old);
            if (bound->holders)
                count_holders(sweep, old, UINT32_MAX);
            if (bound->cost != cost) {
                if (old < sweep->min_cut)
                    bound->cost = cost; /* held nowhere */
                else if (rebase_bound(sweep, id, old, cost) != PCS_OK)
                    return PCS_ERR_NOMEM;
                bound = &sweep->bounds[id];
            }
            if (bound->holders)
                count_holders(sweep, stamp, 1);
        }
        bound->stamp = stamp;
        stamp_set(sweep, stamp, id, bound->cost);
    }
    return PCS_OK;
}

/* One request: its usage at every point and in the ideal cache, then the
 * touches and each point's eviction. */
static enum pcs_status play_request(void *context, const struct pcs_request *req)
{
    struct capacity_sweep *sweep = context;
    const pcs_trace *trace = sweep->trace;
    struct pcs_sweep_result *result = sweep->result;
    if (req->t_ms < sweep->last_t_ms)
        return pcs_error_set(sweep->err, PCS_ERR_ARG, "the cache failed: %s", pcs_strerror(PCS_ERR_ARG));
    sweep->last_t_ms = req->t_ms;
    if (req->model >= result->model_count) {
        size_t models = pcs_trace_model_count(trace);
        if (grow_models(sweep, models > req->model ? models : (size_t)req->model + 1) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    const size_t count = req->bound_count;
    if (reserve_scratch(sweep, count) != PCS_OK || reserve_bounds(sweep, count) != PCS_OK ||
        reserve_stamps(sweep, count) != PCS_OK)
        return PCS_ERR_NOMEM;
    size_t seen = count ? look_up(sweep, req) : 0;
    struct pcs_usage ideal;
    memset(&ideal, 0, sizeof ideal);
    ideal.requests = 1;
    ideal.input = req->input_tokens;
    ideal.output = req->output_tokens;
    ideal.cache_read = seen ? req->ends[seen - 1] : 0;
    pcs_usage_add(&sweep->ideal_by_model[req->model], &ideal);
    result->bounds += count;
    const uint64_t last_end = count ? req->ends[count - 1] : 0;
    for (size_t i = 0; i < sweep->point_count; i++) {
        struct point_state *point = &sweep->points[i];
        size_t matched = matched_at(sweep->stamps, seen, point->cut);
        uint64_t read = matched ? req->ends[matched - 1] : 0;
        result->points[i].by_model[req->model].cache_read += read;
        point->tokens += last_end - read; /* the bounds it inserts */
        if (point->coster) {
            struct pcs_usage usage = ideal;
            usage.cache_read = read;
            double ignored;
            enum pcs_status status = pcs_replay_coster_add(point->coster, req, &usage, &ideal, &ignored, sweep->err);
            if (status != PCS_OK)
                return status;
        }
    }
    if (count == 0)
        return PCS_OK;
    if (touch(sweep, req) != PCS_OK)
        return PCS_ERR_NOMEM;
    sweep->min_cut = UINT32_MAX;
    for (size_t i = 0; i < sweep->point_count; i++) {
        struct point_state *point = &sweep->points[i];
        evict(sweep, i);
        sweep->min_cut = point->cut < sweep->min_cut ? point->cut : sweep->min_cut;
    }
    return PCS_OK;
}

/* Fills each point's usage from the ideal's and the point's reads. */
static void finish_usage(struct capacity_sweep *sweep)
{
    struct pcs_sweep_result *result = sweep->result;
    for (size_t m = 0; m < result->model_count; m++)
        pcs_usage_add(&result->ideal, &sweep->ideal_by_model[m]);
    for (size_t i = 0; i < result->point_count; i++) {
        struct pcs_sweep_point *point = &result->points[i];
        for (size_t m = 0; m < result->model_count; m++) {
            uint64_t read = point->by_model[m].cache_read;
            point->by_model[m] = sweep->ideal_by_model[m];
            point->by_model[m].cache_read = read;
            pcs_usage_add(&point->total, &point->by_model[m]);
        }
    }
}

/* Prices every point from its coster; the first one also gives the costs
 * without a cache and with the ideal one. */
static enum pcs_status finish_costs(struct capacity_sweep *sweep)
{
    struct pcs_sweep_result *result = sweep->result;
    for (size_t i = 0; i < sweep->point_count; i++) {
        struct pcs_replay_cost cost;
        enum pcs_status status = pcs_replay_coster_finish(sweep->points[i].coster, &cost, sweep->err);
        if (status != PCS_OK)
            return status;
        result->points[i].priced = 1;
        result->points[i].cost = cost.with_cache;
        if (i == 0) {
            result->ideal_cost = cost.ideal;
            result->without_cache_cost = cost.without_cache;
        }
        pcs_replay_cost_free(&cost);
    }
    result->priced = 1;
    return PCS_OK;
}

static void release(struct capacity_sweep *sweep)
{
    for (size_t i = 0; sweep->points && i < sweep->point_count; i++) {
        pcs_hash_release(&sweep->points[i].held);
        free(sweep->points[i].held_deltas);
        pcs_replay_coster_free(sweep->points[i].coster);
    }
    free(sweep->points);
    free(sweep->bounds);
    pcs_hash_release(&sweep->bound_ids);
    free(sweep->owner);
    free(sweep->cost);
    for (int l = 0; l < LEVELS; l++) {
        free(sweep->span_sum[l]);
        free(sweep->span_holders[l]);
    }
    free(sweep->cuts);
    free(sweep->keys);
    free(sweep->ids);
    free(sweep->stamps);
    free(sweep->ideal_by_model);
}

enum pcs_status pcs_sweep_capacity(pcs_trace *trace, const uint64_t *capacities, size_t count,
                                   const struct pcs_replay_cost_config *pricing, unsigned threads,
                                   struct pcs_sweep_result *result, struct pcs_error *err)
{
    memset(result, 0, sizeof *result);
    if (count == 0 || count > UINT32_MAX)
        return pcs_error_set(err, PCS_ERR_ARG, "a capacity curve needs 1 to %u capacities", UINT32_MAX);
    for (size_t i = 0; i < count; i++)
        if (capacities[i] == 0)
            return pcs_error_set(err, PCS_ERR_ARG, "capacity %zu of the curve is not a positive token count", i + 1);
    pcs_cache_preset("lru", &result->base);
    struct capacity_sweep sweep;
    memset(&sweep, 0, sizeof sweep);
    sweep.result = result;
    sweep.last_t_ms = INT64_MIN;
    sweep.err = err;
    sweep.bound_ids.premixed = 1; /* keys are XXH3 outputs */
    result->point_count = count;
    result->points = calloc(count, sizeof *result->points);
    sweep.points = calloc(count, sizeof *sweep.points);
    sweep.cuts = calloc(count, sizeof *sweep.cuts);
    enum pcs_status status = result->points && sweep.points && sweep.cuts ? PCS_OK : PCS_ERR_NOMEM;
    if (status == PCS_OK)
        sweep.point_count = count;
    for (size_t i = 0; status == PCS_OK && i < count; i++) {
        result->points[i].capacity_tokens = capacities[i];
        sweep.points[i].capacity = capacities[i];
        sweep.points[i].held_free = NIL;
        if (pricing && !(sweep.points[i].coster = pcs_replay_coster_new(pricing, trace, NULL)))
            status = PCS_ERR_NOMEM;
    }
    if (status == PCS_OK)
        status = grow_models(&sweep, pcs_trace_model_count(trace));
    sweep.trace = trace;
    struct request_visitor visitor = {play_request, NULL, &sweep};
    if (status == PCS_OK)
        status = pcs_request_loop(trace, threads, &visitor, err);
    if (status == PCS_OK)
        status = grow_models(&sweep, pcs_trace_model_count(trace));
    if (status == PCS_OK)
        finish_usage(&sweep);
    if (status == PCS_OK && pricing)
        status = finish_costs(&sweep);
    result->skipped = pcs_trace_skipped_count(trace);
    release(&sweep);
    if (status != PCS_OK) {
        if (status == PCS_ERR_NOMEM)
            pcs_error_set(err, status, "out of memory computing the capacity curve");
        pcs_sweep_result_free(result);
    }
    return status;
}
