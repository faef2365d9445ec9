/* The replay report as JSON (schema pcsim.replay.v1). Token counts are
 * written as exact integers (cJSON numbers are doubles, so they go in raw). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report_json.h"
#include "report_util.h"

static cJSON *policy_object(const char *name, const struct pcs_cache_config *config)
{
    cJSON *policy = cJSON_CreateObject();
    cJSON_AddStringToObject(policy, "name", name);
    cJSON_AddStringToObject(policy, "policy", pcs_policy_name(config->policy));
    pcs_report_json_policy_parameters(policy, config, 0);
    return policy;
}

static cJSON *parts_object(const struct pcs_cost *cost)
{
    cJSON *parts = cJSON_CreateObject();
    cJSON_AddNumberToObject(parts, "input", cost->uncached);
    cJSON_AddNumberToObject(parts, "cache_read", cost->cache_read);
    cJSON_AddNumberToObject(parts, "cache_write", cost->cache_write);
    cJSON_AddNumberToObject(parts, "cache_write_1h", cost->cache_write_1h);
    cJSON_AddNumberToObject(parts, "output", cost->output);
    cJSON_AddNumberToObject(parts, "requests", cost->requests);
    return parts;
}

/* total, without_cache, ideal, savings and the parts, in USD. */
static void add_costs(cJSON *object, const struct pcs_cost *with, double without, double ideal)
{
    cJSON_AddNumberToObject(object, "total", with->total);
    cJSON_AddNumberToObject(object, "without_cache", without);
    cJSON_AddNumberToObject(object, "ideal", ideal);
    cJSON_AddNumberToObject(object, "savings", without - with->total);
    cJSON_AddItemToObject(object, "parts", parts_object(with));
}

static cJSON *cost_object(const struct pcs_replay_report *report, const uint32_t *models)
{
    const struct pcs_replay_cost *cost = report->cost;
    const struct pcs_replay_result *result = report->result;
    char when[40];
    cJSON *object = cJSON_CreateObject();
    cJSON_AddStringToObject(object, "currency", "USD");
    cJSON_AddStringToObject(object, "catalog", report->catalog_source);
    cJSON_AddStringToObject(object, "price_time", pcs_report_utc_time(report->price_time_s, when, sizeof when));
    if (report->tier_override >= 0)
        cJSON_AddStringToObject(object, "tier", pcs_tier_name((enum pcs_tier)report->tier_override));
    else
        cJSON_AddNullToObject(object, "tier");
    if (report->region_uplift < 0)
        cJSON_AddStringToObject(object, "region_uplift", "catalog");
    else
        cJSON_AddNumberToObject(object, "region_uplift", report->region_uplift);
    add_costs(object, &cost->with_cache, cost->without_cache, cost->ideal);
    cJSON_AddItemToObject(object, "priced_requests", pcs_report_json_integer(cost->priced_requests));
    cJSON_AddItemToObject(object, "unpriced_requests", pcs_report_json_integer(cost->unpriced_requests));
    cJSON *by_model = cJSON_AddArrayToObject(object, "by_model");
    cJSON *unpriced = cJSON_AddArrayToObject(object, "unpriced_models");
    for (size_t i = 0; i < result->model_count; i++) {
        if (!result->by_model[models[i]].requests)
            continue;
        const char *name = pcs_trace_model_name(report->trace, models[i]);
        const struct pcs_model_cost *model_cost = models[i] < cost->model_count ? &cost->by_model[models[i]] : NULL;
        if (!model_cost || !model_cost->priced_as) {
            cJSON_AddItemToArray(unpriced, cJSON_CreateString(name));
            continue;
        }
        cJSON *model = cJSON_CreateObject();
        cJSON_AddStringToObject(model, "model", name);
        cJSON_AddStringToObject(model, "priced_as", model_cost->priced_as->id);
        cJSON_AddStringToObject(model, "provider", model_cost->priced_as->provider->id);
        add_costs(model, &model_cost->with_cache, model_cost->without_cache, model_cost->ideal);
        cJSON_AddItemToArray(by_model, model);
    }
    return object;
}

static cJSON *tasks_object(const struct pcs_task_stats *tasks)
{
    cJSON *object = cJSON_CreateObject();
    cJSON_AddItemToObject(object, "tasks", pcs_report_json_integer(tasks->tasks));
    cJSON_AddItemToObject(object, "completed", pcs_report_json_integer(tasks->completed));
    cJSON_AddItemToObject(object, "requests", pcs_report_json_integer(tasks->requests));
    cJSON_AddNumberToObject(object, "completion_rate", (double)tasks->completed / (double)tasks->tasks);
    cJSON_AddNumberToObject(object, "attempts_per_task", (double)tasks->requests / (double)tasks->tasks);
    cJSON_AddNumberToObject(object, "spend", tasks->spend);
    if (tasks->completed)
        cJSON_AddNumberToObject(object, "cost_per_completed_task", tasks->spend / (double)tasks->completed);
    else
        cJSON_AddNullToObject(object, "cost_per_completed_task");
    cJSON_AddNumberToObject(object, "failed_spend_share", tasks->spend > 0 ? tasks->failed_spend / tasks->spend : 0.0);
    return object;
}

enum pcs_status pcs_report_replay_json(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_replay_result *result = report->result;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "pcsim.replay.v1");
    if (report->model_configs && strcmp(report->preset, "auto") == 0) {
        /* Each model took its provider's policy (by_model[].policy); the
         * base config is only the fallback for models outside the catalog. */
        cJSON *policy = cJSON_AddObjectToObject(root, "policy");
        cJSON_AddStringToObject(policy, "name", report->preset);
        cJSON_AddStringToObject(policy, "policy", "auto");
    } else {
        cJSON_AddItemToObject(root, "policy", policy_object(report->preset, &report->config));
    }
    int64_t marker_ttl_ms;
    const char *markers = pcs_report_markers_name(pcs_report_replay_markers(report, &marker_ttl_ms));
    if (markers)
        cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(root, "policy"), "ttl_markers", markers);
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < report->path_count; i++) {
        cJSON *file = cJSON_CreateObject();
        cJSON_AddStringToObject(file, "path", report->paths[i]);
        cJSON_AddStringToObject(file, "format", pcs_trace_format_name(pcs_trace_file_format(report->trace, i)));
        cJSON_AddItemToArray(files, file);
    }
    cJSON_AddItemToObject(root, "requests", pcs_report_json_integer(result->total.requests));
    cJSON_AddItemToObject(root, "skipped", pcs_report_json_integer(result->skipped));
    cJSON_AddBoolToObject(root, "partial", report->partial);
    cJSON_AddBoolToObject(root, "prefix_identity", !pcs_trace_lacks_prefixes(report->trace));
    cJSON_AddItemToObject(root, "tokens", pcs_report_json_tokens(&result->total));
    cJSON_AddItemToObject(root, "cached_ratio", pcs_report_json_ratio(pcs_report_cached_ratio(&result->total)));
    cJSON *by_model = cJSON_AddArrayToObject(root, "by_model");
    uint32_t *models = pcs_report_models_by_name(report);
    if (!models) {
        cJSON_Delete(root);
        return PCS_ERR_NOMEM;
    }
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_usage *usage = &result->by_model[models[i]];
        if (!usage->requests)
            continue;
        cJSON *model = cJSON_CreateObject();
        cJSON_AddStringToObject(model, "model", pcs_trace_model_name(report->trace, models[i]));
        cJSON_AddItemToObject(model, "requests", pcs_report_json_integer(usage->requests));
        cJSON_AddItemToObject(model, "tokens", pcs_report_json_tokens(usage));
        cJSON_AddItemToObject(model, "cached_ratio", pcs_report_json_ratio(pcs_report_cached_ratio(usage)));
        if (report->model_configs)
            cJSON_AddItemToObject(model, "policy", policy_object(report->preset, &report->model_configs[models[i]]));
        cJSON_AddItemToArray(by_model, model);
    }
    cJSON_AddItemToObject(root, "cost", report->cost ? cost_object(report, models) : cJSON_CreateNull());
    cJSON_AddItemToObject(root, "tasks", report->cost && report->cost->tasks.tasks ? tasks_object(&report->cost->tasks)
                                                                                   : cJSON_CreateNull());
    free(models);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return PCS_ERR_NOMEM;
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
