/* Calibration of a TTL against observed usage; see pcsim/calibrate.h.
 *
 * The TTL sweep (sweep_ttl.c) already knows every point's usage of each
 * request while it plays; E needs it request by request (a deviation is an
 * absolute value, so sums of usage do not give it), and the sweep's watch
 * hands it over. The preset's own TTL rides along as one more point. */
#include "pcsim/calibrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcsim/pricing.h"
#include "pcsim/reconcile.h"

#include "sweep_internal.h"

struct calibration {
    struct pcs_calibrate_result *result;
    struct pcs_calibrate_point *points; /* the asked points, then the nominal one */
    size_t count;
};

static enum pcs_status watch_request(void *context, const struct pcs_request *req, const struct pcs_usage *usages)
{
    struct calibration *calibration = context;
    struct pcs_calibrate_result *result = calibration->result;
    result->requests++;
    if (!req->has_observed) {
        result->unobserved_requests++;
        return PCS_OK;
    }
    result->observed_requests++;
    struct pcs_usage observed;
    pcs_observed_usage(req, &observed);
    pcs_usage_add(&result->observed, &observed);
    for (size_t i = 0; i < calibration->count; i++) {
        struct pcs_calibrate_point *point = &calibration->points[i];
        point->deviation += pcs_observed_deviation(&req->observed, &usages[i]);
        point->cache_read += usages[i].cache_read;
        point->cache_write += usages[i].cache_write;
    }
    return PCS_OK;
}

/* E_i - E_best <= PCS_CALIBRATE_TOLERANCE, in whole tokens: E is
 * deviation / input, so the difference of deviations may be at most
 * input * tolerance, i.e. (the deviations being integers) at most
 * floor(input / (1 / tolerance)). Exact, where doubles would blur the
 * edge. */
static int within_tolerance(const struct pcs_calibrate_result *result, const struct pcs_calibrate_point *point)
{
    uint64_t parts = (uint64_t)llround(1.0 / PCS_CALIBRATE_TOLERANCE);
    uint64_t best = result->points[result->best].deviation;
    return point->deviation - best <= result->observed.input / parts;
}

/* Point indexes by increasing TTL (stable). */
static void sort_by_ttl(const struct pcs_calibrate_point *points, size_t count, size_t *order)
{
    for (size_t i = 0; i < count; i++) {
        size_t at = i;
        while (at > 0 && points[order[at - 1]].ttl_ms > points[i].ttl_ms) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
}

/* tau*, its interval and the points within the tolerance. */
static enum pcs_status find_best(struct pcs_calibrate_result *result)
{
    size_t best = 0;
    for (size_t i = 1; i < result->point_count; i++) {
        const struct pcs_calibrate_point *point = &result->points[i], *held = &result->points[best];
        if (point->deviation < held->deviation || (point->deviation == held->deviation && point->ttl_ms < held->ttl_ms))
            best = i;
    }
    result->best = best;
    size_t *order = malloc(result->point_count * sizeof *order);
    if (!order)
        return PCS_ERR_NOMEM;
    sort_by_ttl(result->points, result->point_count, order);
    size_t at = 0;
    while (order[at] != best)
        at++;
    size_t low = at, high = at;
    while (low > 0 && within_tolerance(result, &result->points[order[low - 1]]))
        low--;
    while (high + 1 < result->point_count && within_tolerance(result, &result->points[order[high + 1]]))
        high++;
    result->interval_low = order[low];
    result->interval_high = order[high];
    for (size_t i = 0; i < result->point_count; i++)
        result->within_tolerance += within_tolerance(result, &result->points[i]);
    free(order);
    return PCS_OK;
}

enum pcs_status pcs_calibrate(pcs_trace *trace, const struct pcs_calibrate_config *config,
                              struct pcs_calibrate_result *result, struct pcs_error *err)
{
    memset(result, 0, sizeof *result);
    size_t count = config->ttl_count;
    if (count == 0 || count == SIZE_MAX)
        return pcs_error_set(err, PCS_ERR_ARG, "a calibration needs at least one TTL");
    /* The asked TTLs, then the nominal one unless it was asked: one sweep
     * gives all. */
    size_t nominal = count;
    for (size_t i = 0; i < count && nominal == count; i++)
        if (config->ttls_ms[i] == config->base.ttl_ms)
            nominal = i;
    size_t swept = count + (nominal == count);
    int64_t *ttls = malloc(swept * sizeof *ttls);
    struct pcs_calibrate_point *points = calloc(swept, sizeof *points);
    if (!ttls || !points) {
        free(ttls);
        free(points);
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory calibrating the TTL");
    }
    memcpy(ttls, config->ttls_ms, count * sizeof *ttls);
    ttls[nominal] = config->base.ttl_ms;
    for (size_t i = 0; i < swept; i++)
        points[i].ttl_ms = ttls[i];
    /* A share sweeps its own points, packed to the front, and puts them
     * back in their places afterwards. */
    const struct pcs_calibrate_share *share = config->share;
    size_t own = 0;
    for (size_t i = 0; i < swept; i++)
        if (!share || i % share->count == share->index) {
            ttls[own] = ttls[i];
            points[own++].ttl_ms = ttls[i];
        }
    if (own == 0) {
        /* More processes than points: this one only takes part in the gather. */
        enum pcs_status status = share->gather(share->context, points, swept, err);
        free(ttls);
        free(points);
        return status;
    }
    struct calibration calibration = {result, points, own};
    struct pcs_sweep_result sweep;
    memset(&sweep, 0, sizeof sweep);
    enum pcs_status status =
        pcs_sweep_ttl_watched(trace, &config->base, ttls, own, NULL, config->threads, config->model_config,
                              config->model_config_context, watch_request, &calibration, &sweep, err);
    free(ttls);
    if (status == PCS_OK && share) {
        for (size_t i = swept, k = own; i-- > 0;)
            if (i % share->count == share->index)
                points[i] = points[--k];
            else
                memset(&points[i], 0, sizeof points[i]);
        status = share->gather(share->context, points, swept, err);
    }
    if (status != PCS_OK) {
        pcs_sweep_result_free(&sweep); /* empty when the sweep failed */
        free(points);
        memset(result, 0, sizeof *result);
        return status;
    }
    result->base = config->base;
    result->marked_requests = sweep.marked_requests;
    result->skipped = sweep.skipped;
    pcs_sweep_result_free(&sweep);
    if (result->observed_requests == 0 || result->observed.input == 0) {
        free(points);
        uint64_t requests = result->requests;
        memset(result, 0, sizeof *result);
        if (requests == 0)
            return pcs_error_set(err, PCS_ERR_RANGE, "no request to calibrate on: the trace is empty");
        return pcs_error_set(err, PCS_ERR_RANGE,
                             "no request carries observed usage (\"observed\": what the provider reported), so "
                             "there is nothing to calibrate against");
    }
    for (size_t i = 0; i < swept; i++)
        points[i].error = (double)points[i].deviation / (double)result->observed.input;
    result->points = points;
    result->point_count = count;
    result->nominal = points[nominal];
    status = find_best(result);
    if (status != PCS_OK) {
        pcs_calibrate_result_free(result);
        return pcs_error_set(err, status, "out of memory calibrating the TTL");
    }
    return PCS_OK;
}

void pcs_calibrate_result_free(struct pcs_calibrate_result *result)
{
    free(result->points);
    memset(result, 0, sizeof *result);
}

/* ------------------------------------------------------- costs at tau* */

const char *pcs_calibrate_cost_preset(size_t index)
{
    size_t seen = 0;
    for (unsigned i = 0;; i++) {
        const char *name = pcs_cache_preset_name(i);
        if (!name)
            return NULL;
        struct pcs_cache_config config;
        if (pcs_cache_preset(name, &config) != PCS_OK || !pcs_policy_info(config.policy)->ttl_curve)
            continue;
        if (seen++ == index)
            return name;
    }
}

/* A lane of the cost pass: one preset's cache at the TTL, per model. */
struct cost_lane {
    const char *preset;
    const pcs_catalog *catalog;
    int64_t ttl_ms;
};

static void at_ttl(struct pcs_cache_config *config, int64_t ttl_ms)
{
    config->ttl_ms = ttl_ms;
    config->ttl_overrides_markers = 1; /* a calibrated TTL is a what-if TTL (DESIGN §3) */
}

static enum pcs_status configure_cost_lane(void *context, uint32_t model, const char *name,
                                           struct pcs_cache_config *config, struct pcs_error *err)
{
    (void)model;
    const struct cost_lane *lane = context;
    if (pcs_model_cache_config(lane->preset, pcs_catalog_resolve(lane->catalog, name, NULL), config) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_ARG, "model %s: no cache preset", name);
    at_ttl(config, lane->ttl_ms);
    return PCS_OK;
}

struct cost_pass {
    pcs_replay_coster **costers; /* per lane but the last (the ideal one) */
    size_t lane_count;           /* with the ideal lane */
    struct pcs_error *err;
};

static enum pcs_status observe_costs(void *context, const struct pcs_request *req, const struct pcs_usage *usages)
{
    struct cost_pass *pass = context;
    const struct pcs_usage *ideal = &usages[pass->lane_count - 1];
    for (size_t i = 0; i + 1 < pass->lane_count; i++) {
        double ignored;
        enum pcs_status status = pcs_replay_coster_add(pass->costers[i], req, &usages[i], ideal, &ignored, pass->err);
        if (status != PCS_OK)
            return status;
    }
    return PCS_OK;
}

enum pcs_status pcs_calibrate_costs(pcs_trace *trace, int64_t ttl_ms, const struct pcs_replay_cost_config *pricing,
                                    unsigned threads, struct pcs_calibrate_costs *costs, struct pcs_error *err)
{
    memset(costs, 0, sizeof *costs);
    if (ttl_ms <= 0 || ttl_ms > PCS_MAX_TTL_MS)
        return pcs_error_set(err, PCS_ERR_ARG, "the calibrated TTL is not a positive duration");
    size_t count = 0;
    while (pcs_calibrate_cost_preset(count))
        count++;
    costs->ttl_ms = ttl_ms;
    costs->count = count;
    costs->costs = calloc(count, sizeof *costs->costs);
    /* Lanes: one per distinct cache, then the ideal one. */
    struct pcs_replay_lane *lanes = calloc(count + 1, sizeof *lanes);
    struct cost_lane *contexts = calloc(count, sizeof *contexts);
    size_t *lane_of = calloc(count, sizeof *lane_of);
    pcs_replay_coster **costers = calloc(count, sizeof *costers);
    enum pcs_status status = costs->costs && lanes && contexts && lane_of && costers ? PCS_OK : PCS_ERR_NOMEM;
    size_t lane_count = 0;
    for (size_t i = 0; status == PCS_OK && i < count; i++) {
        const char *preset = pcs_calibrate_cost_preset(i);
        struct pcs_cache_config config;
        pcs_cache_preset(preset, &config);
        at_ttl(&config, ttl_ms);
        costs->costs[i].preset = preset;
        costs->costs[i].same_as = i;
        int sells = config.policy == PCS_POLICY_BREAKPOINT; /* writes billed: priced as sold */
        costs->costs[i].sale = sells ? pcs_ttl_sale_of(preset, ttl_ms, &costs->costs[i].sold) : PCS_TTL_NO_SELLER;
        int per_model = pcs_preset_is_per_model(preset);
        /* Presets that differ only in their own TTL (openai and openai-24h,
         * anthropic-5m and anthropic-1h) make the same cache at one TTL,
         * priced alike when their provider sells the TTL alike. */
        for (size_t j = 0; j < i; j++)
            if (costs->costs[j].same_as == j && pcs_preset_is_per_model(costs->costs[j].preset) == per_model &&
                pcs_cache_config_equal(&lanes[lane_of[j]].config, &config) &&
                costs->costs[j].sale == costs->costs[i].sale && costs->costs[j].sold == costs->costs[i].sold) {
                costs->costs[i].same_as = j;
                lane_of[i] = lane_of[j];
                break;
            }
        if (costs->costs[i].same_as != i)
            continue;
        lane_of[i] = lane_count;
        lanes[lane_count].config = config;
        contexts[lane_count] = (struct cost_lane){preset, pricing->catalog, ttl_ms};
        if (per_model) {
            lanes[lane_count].model_config = configure_cost_lane;
            lanes[lane_count].model_config_context = &contexts[lane_count];
        }
        struct pcs_replay_cost_config lane_pricing = *pricing;
        lane_pricing.sold_preset = sells ? preset : NULL;
        lane_pricing.sold_ttl_ms = ttl_ms;
        if (!(costers[lane_count] = pcs_replay_coster_new(&lane_pricing, trace, err)))
            status = PCS_ERR_NOMEM;
        lane_count++;
    }
    if (status == PCS_OK) {
        pcs_cache_preset("ideal", &lanes[lane_count].config);
        struct cost_pass pass = {costers, lane_count + 1, err};
        status = pcs_replay_lanes(trace, lanes, lane_count + 1, threads, observe_costs, &pass, err);
        for (size_t i = 0; status == PCS_OK && i < count; i++)
            costs->costs[i].total = lanes[lane_of[i]].result.total;
        for (size_t i = 0; status == PCS_OK && i <= lane_count; i++)
            pcs_replay_result_free(&lanes[i].result);
    }
    for (size_t i = 0; status == PCS_OK && i < count; i++) {
        struct pcs_calibrate_cost *cost = &costs->costs[i];
        if (cost->same_as != i) {
            cost->cost = costs->costs[cost->same_as].cost;
            continue;
        }
        struct pcs_replay_cost priced;
        status = pcs_replay_coster_finish(costers[lane_of[i]], &priced, err);
        if (status != PCS_OK)
            break;
        cost->cost = priced.with_cache;
        costs->without_cache_cost = priced.without_cache;
        costs->ideal_cost = priced.ideal;
        costs->priced_requests = priced.priced_requests;
        costs->unpriced_requests = priced.unpriced_requests;
        pcs_replay_cost_free(&priced);
    }
    for (size_t i = 0; costers && i < count; i++)
        pcs_replay_coster_free(costers[i]);
    free(costers);
    free(lane_of);
    free(contexts);
    free(lanes);
    if (status != PCS_OK) {
        if (status == PCS_ERR_NOMEM)
            pcs_error_set(err, status, "out of memory pricing the presets");
        pcs_calibrate_costs_free(costs);
    }
    return status;
}

void pcs_calibrate_costs_free(struct pcs_calibrate_costs *costs)
{
    free(costs->costs);
    memset(costs, 0, sizeof *costs);
}
