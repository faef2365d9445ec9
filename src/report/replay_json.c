/* The replay report as JSON (schema pcsim.replay.v1). Token counts are
 * written as exact integers (cJSON numbers are doubles, so they go in raw). */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "report_util.h"

static cJSON *integer(uint64_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)value);
    return cJSON_CreateRaw(text);
}

static cJSON *ratio(double value)
{
    char text[32];
    snprintf(text, sizeof text, "%.6f", value);
    return cJSON_CreateRaw(text);
}

static cJSON *tokens_object(const struct pcs_usage *usage)
{
    cJSON *tokens = cJSON_CreateObject();
    cJSON_AddItemToObject(tokens, "input", integer(usage->input));
    cJSON_AddItemToObject(tokens, "cache_read", integer(usage->cache_read));
    cJSON_AddItemToObject(tokens, "cache_write", integer(usage->cache_write));
    cJSON_AddItemToObject(tokens, "cache_write_1h", integer(usage->cache_write_1h));
    cJSON_AddItemToObject(tokens, "uncached", integer(pcs_usage_uncached(usage)));
    cJSON_AddItemToObject(tokens, "output", integer(usage->output));
    return tokens;
}

static cJSON *policy_object(const struct pcs_replay_report *report)
{
    const struct pcs_cache_config *config = &report->config;
    cJSON *policy = cJSON_CreateObject();
    char seconds[32];
    cJSON_AddStringToObject(policy, "name", report->preset);
    cJSON_AddStringToObject(policy, "policy", pcs_policy_name(config->policy));
    int has_ttl = config->policy == PCS_POLICY_TTL || config->policy == PCS_POLICY_OPENAI ||
                  config->policy == PCS_POLICY_BREAKPOINT;
    if (has_ttl)
        cJSON_AddItemToObject(policy, "ttl_s", cJSON_CreateRaw(report_seconds(config->ttl_ms, seconds, sizeof seconds)));
    if (config->policy == PCS_POLICY_OPENAI || config->policy == PCS_POLICY_BREAKPOINT)
        cJSON_AddItemToObject(policy, "min_tokens", integer(config->min_tokens));
    if (config->policy == PCS_POLICY_OPENAI)
        cJSON_AddItemToObject(policy, "granularity", integer(config->granularity));
    if (config->policy == PCS_POLICY_LRU)
        cJSON_AddItemToObject(policy, "capacity_tokens", integer(config->capacity_tokens));
    return policy;
}

enum pcs_status pcs_report_replay_json(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_replay_result *result = report->result;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "pcsim.replay.v1");
    cJSON_AddItemToObject(root, "policy", policy_object(report));
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < report->path_count; i++) {
        cJSON *file = cJSON_CreateObject();
        cJSON_AddStringToObject(file, "path", report->paths[i]);
        cJSON_AddStringToObject(file, "format", pcs_trace_format_name(pcs_trace_file_format(report->trace, i)));
        cJSON_AddItemToArray(files, file);
    }
    cJSON_AddItemToObject(root, "requests", integer(result->total.requests));
    cJSON_AddItemToObject(root, "skipped", integer(result->skipped));
    cJSON_AddBoolToObject(root, "prefix_identity", !pcs_trace_lacks_prefixes(report->trace));
    cJSON_AddItemToObject(root, "tokens", tokens_object(&result->total));
    cJSON_AddItemToObject(root, "cached_ratio", ratio(report_cached_ratio(&result->total)));
    cJSON *by_model = cJSON_AddArrayToObject(root, "by_model");
    uint32_t *models = report_models_by_name(report);
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
        cJSON_AddItemToObject(model, "requests", integer(usage->requests));
        cJSON_AddItemToObject(model, "tokens", tokens_object(usage));
        cJSON_AddItemToObject(model, "cached_ratio", ratio(report_cached_ratio(usage)));
        cJSON_AddItemToArray(by_model, model);
    }
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
