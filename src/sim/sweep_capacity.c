/* Capacity curves (lru) in one pass; see pcsim/sweep.h.
 *
 * What an lru cache does (src/cache/policy_lru.c), stated per bound: a
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
 * bottom. A point needs only its cut, a last-touch stamp (a bound is cached
 * iff its stamp >= the cut), and the tokens it holds; a request's matched
 * prefix at a point is the run of its bounds at or above the cut (stamps
 * fall strictly along a chain). Each stamp carries its bound's cost, with
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
 * stamps carry one cost per bound: the one it was inserted with as long as
 * some point holds it, else its latest. A point that holds a bound at
 * another cost keeps the difference in its exception list (sorted by stamp;
 * empty unless ends change under a chain; such points are mostly small
 * caches, which evict the bound soon).
 *
 * The ideal ceiling is the same pass: a bound is in the ideal cache iff it
 * was ever seen.
 *
 * threads is ignored: the stack is one sequence, played in one pass; the
 * result is the same for any thread count. */
#include "pcsim/sweep.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define SPAN_BITS 4 /* a span of level l holds 16^(l + 1) stamps */
#define LEVELS 3
#define TOP_SPAN ((size_t)1 << (SPAN_BITS * LEVELS))
#define MIN_STAMPS TOP_SPAN
#define MIN_SLOTS 1024
/* Stamps and bound ids are 32-bit: the most distinct bounds a sweep keeps. */
#define MAX_BOUNDS (UINT32_MAX / 4)

/* A distinct bound ever seen: its chained key (pcs_request_keys seeds the
 * chain with the namespace and the model, so the key tells them apart). */
struct bound {
    uint64_t key;
    uint32_t stamp;      /* last touch */
    uint32_t cost;       /* what its stamp carries (see above) */
    uint32_t exceptions; /* points holding it at another cost */
};

/* A point holds the bound at stamp at cost + delta (cost: the bound's). */
struct exception {
    uint32_t stamp;
    int64_t delta;
};

struct point_state {
    uint64_t capacity;
    uint64_t tokens; /* cached */
    uint32_t cut;    /* bounds whose stamp is >= cut are cached */
    struct exception *exceptions; /* [first, len) live, sorted by stamp */
    int64_t exception_sum;        /* their deltas */
    size_t first;
    size_t len;
    size_t cap;
    pcs_replay_coster *coster;
};

/* A point's cut, for renumbering. */
struct cut_rank {
    uint32_t cut;
    uint32_t point;
};

struct capacity_sweep {
    struct pcs_sweep_result *result;
    struct point_state *points;
    size_t point_count;
    /* Distinct bounds and the table that finds them by key. */
    struct bound *bounds;
    size_t bound_count;
    size_t bound_cap;
    uint32_t *slots; /* bound ids, NIL empty; open addressing, load <= 1/2 */
    size_t slot_mask;
    /* Stamps: owner[s] is the bound last touched at s and cost[s] its cost
     * (NIL and 0: touched since); span_sum[l] the sums over level l spans. */
    uint32_t *owner;
    uint32_t *cost;
    uint64_t *span_sum[LEVELS];
    size_t stamp_cap; /* a multiple of TOP_SPAN */
    size_t next_stamp;
    uint32_t min_cut; /* no point holds a bound below min_cut; every point holds */
    uint32_t max_cut; /* those at max_cut and above */
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

/* ------------------------------------------------------------ bound table */

static size_t slot_home(const struct capacity_sweep *sweep, uint64_t key)
{
    return (size_t)(key ^ (key >> 32)) & sweep->slot_mask; /* keys are XXH3 outputs: already mixed */
}

static uint32_t bound_find(const struct capacity_sweep *sweep, uint64_t key)
{
    for (size_t i = slot_home(sweep, key);; i = (i + 1) & sweep->slot_mask) {
        uint32_t id = sweep->slots[i];
        if (id == NIL || sweep->bounds[id].key == key)
            return id;
    }
}

static void slot_insert(struct capacity_sweep *sweep, uint32_t id)
{
    size_t i = slot_home(sweep, sweep->bounds[id].key);
    while (sweep->slots[i] != NIL)
        i = (i + 1) & sweep->slot_mask;
    sweep->slots[i] = id;
}

/* Room for count more bounds in the arrays and the table. */
static enum pcs_status reserve_bounds(struct capacity_sweep *sweep, size_t count)
{
    size_t need = sweep->bound_count + count;
    if (need > MAX_BOUNDS)
        return PCS_ERR_NOMEM;
    if (need > sweep->bound_cap) {
        size_t cap = sweep->bound_cap ? sweep->bound_cap : MIN_SLOTS;
        while (cap < need)
            cap *= 2;
        struct bound *bounds = realloc(sweep->bounds, cap * sizeof *bounds);
        if (!bounds)
            return PCS_ERR_NOMEM;
        sweep->bounds = bounds;
        sweep->bound_cap = cap;
    }
    size_t slot_count = sweep->slots ? sweep->slot_mask + 1 : 0;
    if (need * 2 <= slot_count)
        return PCS_OK;
    size_t cap = slot_count ? slot_count : MIN_SLOTS;
    while (need * 2 > cap)
        cap *= 2;
    uint32_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return PCS_ERR_NOMEM;
    free(sweep->slots);
    sweep->slots = slots;
    sweep->slot_mask = cap - 1;
    memset(slots, 0xff, cap * sizeof *slots); /* NIL */
    for (size_t id = 0; id < sweep->bound_count; id++)
        slot_insert(sweep, (uint32_t)id);
    return PCS_OK;
}

/* -------------------------------------------------------------- stamps */

static int by_cut(const void *a, const void *b)
{
    const struct cut_rank *x = a, *y = b;
    return (x->cut > y->cut) - (x->cut < y->cut);
}

/* Room for count more stamps: when the stamps run out, renumber the live
 * ones (one per bound) densely in their order, and move every cut and
 * exception along; the stamps grow so that at least half of them are free. */
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
            uint64_t *sums = realloc(sweep->span_sum[l], (cap >> (SPAN_BITS * (l + 1))) * sizeof *sums);
            if (!sums)
                return PCS_ERR_NOMEM;
            sweep->span_sum[l] = sums;
        }
        sweep->stamp_cap = cap;
    }
    /* Exceptions name their bound while the stamps move. */
    for (size_t i = 0; i < sweep->point_count; i++) {
        struct point_state *point = &sweep->points[i];
        for (size_t e = point->first; e < point->len; e++)
            point->exceptions[e].stamp = sweep->owner[point->exceptions[e].stamp];
        sweep->cuts[i].cut = point->cut;
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
    sweep->min_cut = UINT32_MAX;
    sweep->max_cut = 0;
    for (size_t i = 0; i < sweep->point_count; i++) {
        struct point_state *point = &sweep->points[i];
        for (size_t e = point->first; e < point->len; e++)
            point->exceptions[e].stamp = sweep->bounds[point->exceptions[e].stamp].stamp;
        sweep->min_cut = point->cut < sweep->min_cut ? point->cut : sweep->min_cut;
        sweep->max_cut = point->cut > sweep->max_cut ? point->cut : sweep->max_cut;
    }
    sweep->next_stamp = next;
    for (size_t s = next; s < cap; s++) {
        sweep->owner[s] = NIL;
        sweep->cost[s] = 0;
    }
    for (int l = 0; l < LEVELS; l++) {
        uint64_t *sums = sweep->span_sum[l];
        memset(sums, 0, (cap >> (SPAN_BITS * (l + 1))) * sizeof *sums);
        for (size_t s = 0; s < next; s++)
            sums[s >> (SPAN_BITS * (l + 1))] += sweep->cost[s];
    }
    return PCS_OK;
}

static enum pcs_status reserve_scratch(struct capacity_sweep *sweep, size_t count)
{
    if (count <= sweep->scratch_cap)
        return PCS_OK;
    size_t cap = sweep->scratch_cap ? sweep->scratch_cap : 256;
    while (cap < count)
        cap *= 2;
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

/* ------------------------------------------------------------ exceptions */

static enum pcs_status exception_append(struct point_state *point, uint32_t stamp, int64_t delta)
{
    if (point->len == point->cap && point->first > 0) {
        memmove(point->exceptions, point->exceptions + point->first,
                (point->len - point->first) * sizeof *point->exceptions);
        point->len -= point->first;
        point->first = 0;
    }
    if (point->len == point->cap) {
        size_t cap = point->cap ? point->cap * 2 : 16;
        struct exception *exceptions = realloc(point->exceptions, cap * sizeof *exceptions);
        if (!exceptions)
            return PCS_ERR_NOMEM;
        point->exceptions = exceptions;
        point->cap = cap;
    }
    point->exceptions[point->len].stamp = stamp;
    point->exceptions[point->len].delta = delta;
    point->len++;
    point->exception_sum += delta;
    return PCS_OK;
}

/* Removes the exception at stamp, if any; returns its delta (0: none). */
static int64_t exception_take(struct point_state *point, uint32_t stamp)
{
    size_t lo = point->first, hi = point->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (point->exceptions[mid].stamp < stamp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == point->len || point->exceptions[lo].stamp != stamp)
        return 0;
    int64_t delta = point->exceptions[lo].delta;
    point->exception_sum -= delta;
    memmove(point->exceptions + lo, point->exceptions + lo + 1, (point->len - lo - 1) * sizeof *point->exceptions);
    point->len--;
    return delta;
}

/* A bound touched at a cost other than the one it is held at somewhere.
 * Each point that holds it keeps the cost it holds; each one that does not
 * inserts it at the new cost. The stamp's cost stays: it is what the point
 * holding the most (the lowest cut) holds unless capacities disagree, and
 * points that evict sooner take the exceptions. */
static enum pcs_status rebase_bound(struct capacity_sweep *sweep, struct bound *bound, uint32_t old_stamp,
                                    uint32_t new_stamp, uint32_t cost)
{
    for (size_t i = 0; i < sweep->point_count; i++) {
        struct point_state *point = &sweep->points[i];
        int64_t delta = (int64_t)cost - (int64_t)bound->cost; /* inserted anew here */
        if (old_stamp >= point->cut) {
            delta = 0; /* held here: kept, with its exception if it has one */
            if (bound->exceptions) {
                delta = exception_take(point, old_stamp);
                bound->exceptions -= delta != 0;
            }
        }
        if (delta != 0) {
            if (exception_append(point, new_stamp, delta) != PCS_OK)
                return PCS_ERR_NOMEM;
            bound->exceptions++;
        }
    }
    return PCS_OK;
}

/* ------------------------------------------------------------- requests */

/* The deltas of the point's exceptions below stamp (all are at or above
 * its cut); with drop, they are evicted. */
static int64_t exceptions_below(struct capacity_sweep *sweep, struct point_state *point, size_t stamp, int drop)
{
    int64_t sum = 0;
    size_t e = point->first;
    for (; e < point->len && point->exceptions[e].stamp < stamp; e++) {
        sum += point->exceptions[e].delta;
        if (drop)
            sweep->bounds[sweep->owner[point->exceptions[e].stamp]].exceptions--;
    }
    if (drop) {
        point->first = e;
        point->exception_sum -= sum;
        if (point->first == point->len)
            point->first = point->len = 0;
    }
    return sum;
}

/* Evicts stamps [from, from + span), whose costs sum to sum, if the
 * tokens the point holds there (*held) do not cover need; returns whether
 * it did (if not, the walk goes down a level). */
static int skip_span(struct capacity_sweep *sweep, struct point_state *point, size_t from, size_t span,
                     uint64_t sum, uint64_t need, uint64_t *held)
{
    int has_exceptions = point->first < point->len && point->exceptions[point->first].stamp < from + span;
    int64_t tokens = (int64_t)sum + (has_exceptions ? exceptions_below(sweep, point, from + span, 0) : 0);
    if ((uint64_t)tokens >= need)
        return 0;
    if (has_exceptions)
        exceptions_below(sweep, point, from + span, 1);
    *held = (uint64_t)tokens;
    return 1;
}

/* Evicts the point's least recently used bounds until its tokens fit: the
 * cut moves up past the fewest bottom bounds whose tokens cover the excess,
 * exceptions on the way with them. */
static void evict(struct capacity_sweep *sweep, struct point_state *point)
{
    if (point->tokens <= point->capacity)
        return;
    const uint64_t excess = point->tokens - point->capacity;
    uint64_t evicted = 0;
    size_t s = point->cut;
    while (s < sweep->next_stamp && evicted < excess) {
        /* The widest span starting at s that the excess goes beyond. */
        size_t span = 0;
        uint64_t span_held = 0;
        for (int l = LEVELS - 1; l >= 0 && span == 0; l--) {
            unsigned bits = SPAN_BITS * (unsigned)(l + 1);
            if ((s & (((size_t)1 << bits) - 1)) == 0 &&
                skip_span(sweep, point, s, (size_t)1 << bits, sweep->span_sum[l][s >> bits], excess - evicted,
                          &span_held))
                span = (size_t)1 << bits;
        }
        if (span) {
            evicted += span_held;
            s += span;
            continue;
        }
        int64_t held = sweep->cost[s];
        if (point->first < point->len && point->exceptions[point->first].stamp == s)
            held += exceptions_below(sweep, point, s + 1, 1);
        evicted += (uint64_t)held;
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
            bound->exceptions = 0;
            slot_insert(sweep, id);
        } else {
            bound = &sweep->bounds[id];
            uint32_t old = bound->stamp;
            stamp_clear(sweep, old);
            if (old < sweep->min_cut) {
                bound->cost = cost; /* held nowhere: every point inserts it anew */
            } else if ((bound->cost != cost && old < sweep->max_cut) || bound->exceptions) {
                if (rebase_bound(sweep, bound, old, stamp, cost) != PCS_OK)
                    return PCS_ERR_NOMEM;
            } /* else every point holds it at its cost, or inserts it at that cost */
        }
        bound->stamp = stamp;
        stamp_set(sweep, stamp, id, bound->cost);
    }
    return PCS_OK;
}

/* One request: its usage at every point and in the ideal cache, then the
 * touches and each point's eviction. */
static enum pcs_status play(struct capacity_sweep *sweep, const pcs_trace *trace, const struct pcs_request *req)
{
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
    sweep->max_cut = 0;
    for (size_t i = 0; i < sweep->point_count; i++) {
        struct point_state *point = &sweep->points[i];
        evict(sweep, point);
        sweep->min_cut = point->cut < sweep->min_cut ? point->cut : sweep->min_cut;
        sweep->max_cut = point->cut > sweep->max_cut ? point->cut : sweep->max_cut;
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
        free(sweep->points[i].exceptions);
        pcs_replay_coster_free(sweep->points[i].coster);
    }
    free(sweep->points);
    free(sweep->bounds);
    free(sweep->slots);
    free(sweep->owner);
    free(sweep->cost);
    for (int l = 0; l < LEVELS; l++)
        free(sweep->span_sum[l]);
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
    (void)threads;
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
        if (pricing && !(sweep.points[i].coster = pcs_replay_coster_new(pricing, trace)))
            status = PCS_ERR_NOMEM;
    }
    if (status == PCS_OK)
        status = grow_models(&sweep, pcs_trace_model_count(trace));
    struct pcs_request req;
    while (status == PCS_OK) {
        status = pcs_trace_next(trace, &req, err);
        if (status == PCS_OK)
            status = play(&sweep, trace, &req);
    }
    if (status == PCS_END)
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
