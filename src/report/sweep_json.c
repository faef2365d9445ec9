/* The sweep report as JSON (schema pcsim.sweep.v1). */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "columns.h"
#include "report_json.h"
#include "report_util.h"
#include "ttl_sale.h"

enum pcs_status pcs_report_sweep_json(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    const struct pcs_cache_config *base = &result->base;
    const struct report_table *table = &pcs_report_sweep_table;
    char seconds[32];
    struct report_json doc;
    pcs_report_json_begin(&doc, "pcsim.sweep.v1");
    cJSON *root = doc.root;
    cJSON *policy = pcs_report_json_object(&doc, root, "policy");
    pcs_report_json_add_string(&doc, policy, "name", report->preset);
    pcs_report_json_add_string(&doc, policy, "policy", pcs_policy_name(base->policy));
    pcs_report_json_policy_parameters(&doc, policy, base, PCS_USES_TTL | PCS_USES_CAPACITY); /* what the points vary */
    if (result->marked_requests)
        pcs_report_json_add_string(&doc, policy, "ttl_markers", pcs_report_markers_name(REPORT_MARKERS_OVERRIDDEN));
    cJSON *files = pcs_report_json_array(&doc, root, "files");
    for (size_t i = 0; i < report->path_count; i++)
        pcs_report_json_add_string(&doc, files, NULL, report->paths[i]);
    pcs_report_json_put(&doc, root, "requests", pcs_report_json_integer(result->ideal.requests));
    pcs_report_json_put(&doc, root, "skipped", pcs_report_json_integer(result->skipped));
    int sales = !pcs_report_sweep_by_capacity(result) && pcs_report_marks_sales(report->preset, base->policy);
    if (sales) {
        char note[512];
        pcs_report_json_add_string(&doc, root, "ttl_sales", pcs_report_sales_note(report->preset, note, sizeof note));
    }
    cJSON *points = pcs_report_json_array(&doc, root, "points");
    for (size_t i = 0; i < result->point_count; i++) {
        const struct pcs_sweep_point *point = &result->points[i];
        struct report_usage_row row = pcs_report_sweep_row(result, i);
        cJSON *object = pcs_report_json_object(&doc, points, NULL);
        if (pcs_report_sweep_by_capacity(report->result))
            pcs_report_json_put(&doc, object, "capacity_tokens", pcs_report_json_integer(point->capacity_tokens));
        else
            pcs_report_json_add_raw(&doc, object, "ttl_s", pcs_report_seconds(point->ttl_ms, seconds, sizeof seconds));
        if (sales) {
            const struct pcs_ttl_class *sold;
            int is_sold = pcs_ttl_sale_of(report->preset, point->ttl_ms, &sold) == PCS_TTL_SOLD;
            pcs_report_json_put(&doc, object, "sold", cJSON_CreateBool(is_sold));
            if (is_sold) {
                cJSON *class = pcs_report_json_object(&doc, object, "sold_as");
                pcs_report_json_put(&doc, class, "ttl_s", pcs_report_json_integer((uint64_t)sold->ttl_s));
                pcs_report_json_add_number(&doc, class, "write_multiplier", sold->write_multiplier);
            }
        }
        pcs_report_table_json(&doc, object, table, &row, REPORT_JSON_HEAD);
        pcs_report_table_json(&doc, object, table, &row, REPORT_JSON_BODY);
    }
    struct report_usage_row ideal_row = pcs_report_sweep_row(result, result->point_count);
    cJSON *ideal = pcs_report_json_object(&doc, root, "ideal");
    pcs_report_table_json(&doc, ideal, table, &ideal_row, REPORT_JSON_HEAD);
    pcs_report_table_json(&doc, ideal, table, &ideal_row, REPORT_JSON_BODY);
    if (result->priced) {
        pcs_report_json_add_number(&doc, root, "without_cache_cost", result->without_cache_cost);
        pcs_report_json_add_string(&doc, root, "catalog", report->catalog_source);
    }
    return pcs_report_json_finish(out, &doc);
}
