/* The sweep report as JSON (schema pcsim.sweep.v1). */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "report_json.h"
#include "report_util.h"

enum pcs_status pcs_report_sweep_json(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    const struct pcs_cache_config *base = &result->base;
    char seconds[32];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "pcsim.sweep.v1");
    cJSON *policy = cJSON_AddObjectToObject(root, "policy");
    cJSON_AddStringToObject(policy, "name", report->preset);
    cJSON_AddStringToObject(policy, "policy", pcs_policy_name(base->policy));
    pcs_report_json_policy_parameters(policy, base, PCS_USES_TTL | PCS_USES_CAPACITY); /* what the points vary */
    if (result->marked_requests)
        cJSON_AddStringToObject(policy, "ttl_markers", pcs_report_markers_name(REPORT_MARKERS_OVERRIDDEN));
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < report->path_count; i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(report->paths[i]));
    cJSON_AddItemToObject(root, "requests", pcs_report_json_integer(result->ideal.requests));
    cJSON_AddItemToObject(root, "skipped", pcs_report_json_integer(result->skipped));
    cJSON *points = cJSON_AddArrayToObject(root, "points");
    for (size_t i = 0; i < result->point_count; i++) {
        const struct pcs_sweep_point *point = &result->points[i];
        cJSON *object = cJSON_CreateObject();
        if (pcs_report_sweep_by_capacity(report->result))
            cJSON_AddItemToObject(object, "capacity_tokens", pcs_report_json_integer(point->capacity_tokens));
        else
            cJSON_AddItemToObject(object, "ttl_s",
                                  cJSON_CreateRaw(pcs_report_seconds(point->ttl_ms, seconds, sizeof seconds)));
        cJSON_AddItemToObject(object, "tokens", pcs_report_json_tokens(&point->total));
        cJSON_AddItemToObject(object, "cached_ratio", pcs_report_json_ratio(pcs_report_cached_ratio(&point->total)));
        if (point->priced)
            cJSON_AddNumberToObject(object, "cost", point->cost.total);
        cJSON_AddItemToArray(points, object);
    }
    cJSON *ideal = cJSON_AddObjectToObject(root, "ideal");
    cJSON_AddItemToObject(ideal, "tokens", pcs_report_json_tokens(&result->ideal));
    cJSON_AddItemToObject(ideal, "cached_ratio", pcs_report_json_ratio(pcs_report_cached_ratio(&result->ideal)));
    if (result->priced) {
        cJSON_AddNumberToObject(ideal, "cost", result->ideal_cost);
        cJSON_AddNumberToObject(root, "without_cache_cost", result->without_cache_cost);
        cJSON_AddStringToObject(root, "catalog", report->catalog_source);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return PCS_ERR_NOMEM;
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

