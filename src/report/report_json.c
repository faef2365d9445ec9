/* Helpers shared by the JSON report writers; see report_json.h. */
#include "report_json.h"

#include <stdio.h>

#include "pcsim/stats.h"
#include "report_util.h"

cJSON *report_json_integer(uint64_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)value);
    return cJSON_CreateRaw(text);
}

cJSON *report_json_ratio(double value)
{
    char text[32];
    snprintf(text, sizeof text, "%.6f", value);
    return cJSON_CreateRaw(text);
}

cJSON *report_json_number(double value)
{
    if (!pcs_has_value(value))
        return cJSON_CreateRaw(report_no_value(REPORT_JSON));
    return cJSON_CreateNumber(value);
}

void report_json_policy_parameters(cJSON *policy, const struct pcs_cache_config *config, unsigned skip)
{
    const struct pcs_policy_info *info = pcs_policy_info(config->policy);
    unsigned uses = info ? info->uses & ~skip : 0;
    char seconds[32];
    if (uses & PCS_USES_TTL)
        cJSON_AddItemToObject(policy, "ttl_s", cJSON_CreateRaw(report_seconds(config->ttl_ms, seconds, sizeof seconds)));
    if (uses & PCS_USES_MIN_TOKENS)
        cJSON_AddItemToObject(policy, "min_tokens", report_json_integer(config->min_tokens));
    if (uses & PCS_USES_GRANULARITY)
        cJSON_AddItemToObject(policy, "granularity", report_json_integer(config->granularity));
    if (uses & PCS_USES_CAPACITY)
        cJSON_AddItemToObject(policy, "capacity_tokens", report_json_integer(config->capacity_tokens));
}

cJSON *report_json_tokens(const struct pcs_usage *usage)
{
    cJSON *tokens = cJSON_CreateObject();
    cJSON_AddItemToObject(tokens, "input", report_json_integer(usage->input));
    cJSON_AddItemToObject(tokens, "cache_read", report_json_integer(usage->cache_read));
    cJSON_AddItemToObject(tokens, "cache_write", report_json_integer(usage->cache_write));
    cJSON_AddItemToObject(tokens, "cache_write_1h", report_json_integer(usage->cache_write_1h));
    cJSON_AddItemToObject(tokens, "uncached", report_json_integer(pcs_usage_uncached(usage)));
    cJSON_AddItemToObject(tokens, "output", report_json_integer(usage->output));
    return tokens;
}
