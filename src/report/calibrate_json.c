/* The calibration report as JSON (schema pcsim.calibrate.v1, DESIGN §9:
 * docs/schemas/calibrate.schema.json). */
#include "calibrate_util.h"
#include "report_json.h"
#include "report_util.h"

/* {"ttl_s", "error"} of a point, into object. */
static void point_error(struct report_json *doc, cJSON *object, const struct pcs_calibrate_point *point)
{
    char seconds[32];
    pcs_report_json_add_raw(doc, object, "ttl_s", pcs_report_seconds(point->ttl_ms, seconds, sizeof seconds));
    pcs_report_json_put(doc, object, "error", pcs_report_json_ratio(point->error));
}

static void costs_json(struct report_json *doc, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_costs *costs = report->costs;
    char seconds[32];
    cJSON *object = pcs_report_json_object(doc, doc->root, "costs");
    pcs_report_json_add_raw(doc, object, "ttl_s", pcs_report_seconds(costs->ttl_ms, seconds, sizeof seconds));
    pcs_report_json_add_string(doc, object, "catalog", report->catalog_source);
    cJSON *presets = pcs_report_json_array(doc, object, "presets");
    for (size_t i = 0; i < costs->count; i++) {
        const struct pcs_calibrate_cost *cost = &costs->costs[i];
        cJSON *row = pcs_report_json_object(doc, presets, NULL);
        pcs_report_json_add_string(doc, row, "preset", cost->preset);
        pcs_report_json_add_number(doc, row, "cost", cost->cost.total);
        pcs_report_json_put(doc, row, "cached_ratio", pcs_report_json_ratio(pcs_report_cached_ratio(&cost->total)));
        pcs_report_json_add_string(doc, row, "same_cache_as",
                                   cost->same_as != i ? costs->costs[cost->same_as].preset : NULL);
        if (cost->sale != PCS_TTL_NO_SELLER) { /* a provider's breakpoint preset */
            pcs_report_json_add_bool(doc, row, "sold", cost->sale == PCS_TTL_SOLD);
            if (cost->sale == PCS_TTL_SOLD) {
                cJSON *class = pcs_report_json_object(doc, row, "sold_as");
                pcs_report_json_put(doc, class, "ttl_s", pcs_report_json_integer((uint64_t)cost->sold->ttl_s));
                pcs_report_json_add_number(doc, class, "write_multiplier", cost->sold->write_multiplier);
            }
        }
    }
    pcs_report_json_add_number(doc, object, "ideal_cost", costs->ideal_cost);
    pcs_report_json_add_number(doc, object, "without_cache_cost", costs->without_cache_cost);
}

enum pcs_status pcs_report_calibrate_json(FILE *out, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_result *result = report->result;
    struct report_json doc;
    pcs_report_json_begin(&doc, "pcsim.calibrate.v1");
    cJSON *root = doc.root;
    cJSON *policy = pcs_report_json_object(&doc, root, "policy");
    pcs_report_json_add_string(&doc, policy, "name", report->preset);
    pcs_report_json_add_string(&doc, policy, "policy", pcs_policy_name(result->base.policy));
    pcs_report_json_policy_parameters(&doc, policy, &result->base, PCS_USES_TTL); /* what the points vary */
    pcs_report_json_add_string(&doc, policy, "ttl_markers", pcs_report_markers_name(REPORT_MARKERS_OVERRIDDEN));
    cJSON *files = pcs_report_json_array(&doc, root, "files");
    for (size_t i = 0; i < report->path_count; i++)
        pcs_report_json_add_string(&doc, files, NULL, report->paths[i]);
    pcs_report_json_put(&doc, root, "requests", pcs_report_json_integer(result->requests));
    pcs_report_json_put(&doc, root, "observed_requests", pcs_report_json_integer(result->observed_requests));
    pcs_report_json_put(&doc, root, "unobserved_requests", pcs_report_json_integer(result->unobserved_requests));
    pcs_report_json_put(&doc, root, "marked_requests", pcs_report_json_integer(result->marked_requests));
    pcs_report_json_put(&doc, root, "skipped", pcs_report_json_integer(result->skipped));
    cJSON *observed = pcs_report_json_object(&doc, root, "observed");
    pcs_report_json_put(&doc, observed, "input", pcs_report_json_integer(result->observed.input));
    pcs_report_json_put(&doc, observed, "cache_read", pcs_report_json_integer(result->observed.cache_read));
    pcs_report_json_put(&doc, observed, "cache_write", pcs_report_json_integer(result->observed.cache_write));
    pcs_report_json_put(&doc, observed, "cache_write_1h", pcs_report_json_integer(result->observed.cache_write_1h));
    cJSON *points = pcs_report_json_array(&doc, root, "points");
    for (size_t i = 0; i < result->point_count; i++) {
        const struct pcs_calibrate_point *point = &result->points[i];
        cJSON *object = pcs_report_json_object(&doc, points, NULL);
        point_error(&doc, object, point);
        pcs_report_json_put(&doc, object, "deviation", pcs_report_json_integer(point->deviation));
        pcs_report_json_put(&doc, object, "cache_read", pcs_report_json_integer(point->cache_read));
        pcs_report_json_put(&doc, object, "cache_write", pcs_report_json_integer(point->cache_write));
    }
    cJSON *best = pcs_report_json_object(&doc, root, "best");
    point_error(&doc, best, &result->points[result->best]);
    cJSON *interval = pcs_report_json_array(&doc, best, "interval");
    char seconds[32];
    pcs_report_json_add_raw(&doc, interval, NULL,
                            pcs_report_seconds(result->points[result->interval_low].ttl_ms, seconds, sizeof seconds));
    pcs_report_json_add_raw(&doc, interval, NULL,
                            pcs_report_seconds(result->points[result->interval_high].ttl_ms, seconds, sizeof seconds));
    pcs_report_json_add_number(&doc, best, "tolerance", PCS_CALIBRATE_TOLERANCE);
    cJSON *nominal = pcs_report_json_object(&doc, root, "nominal");
    point_error(&doc, nominal, &result->nominal);
    if (report->costs)
        costs_json(&doc, report);
    struct calibrate_notes notes;
    pcs_calibrate_notes(report, &notes);
    cJSON *list = pcs_report_json_array(&doc, root, "notes");
    for (size_t i = 0; i < notes.count; i++)
        pcs_report_json_add_string(&doc, list, NULL, notes.text[i]);
    return pcs_report_json_finish(out, &doc);
}
