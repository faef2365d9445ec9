/* Helpers shared by the JSON report writers; see report_json.h. */
#include "report_json.h"

#include <stdio.h>

#include "pcsim/stats.h"
#include "report_util.h"

cJSON *pcs_report_json_integer(uint64_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)value);
    return cJSON_CreateRaw(text);
}

cJSON *pcs_report_json_ratio(double value)
{
    char text[32];
    snprintf(text, sizeof text, "%.6f", value);
    return cJSON_CreateRaw(text);
}

cJSON *pcs_report_json_number(double value)
{
    if (!pcs_has_value(value))
        return cJSON_CreateRaw(pcs_report_no_value(REPORT_JSON));
    return cJSON_CreateNumber(value);
}

void pcs_report_json_policy_parameters(cJSON *policy, const struct pcs_cache_config *config, unsigned skip)
{
    const struct pcs_policy_info *info = pcs_policy_info(config->policy);
    unsigned uses = info ? info->uses & ~skip : 0;
    char seconds[32];
    if (uses & PCS_USES_TTL)
        cJSON_AddItemToObject(policy, "ttl_s",
                              cJSON_CreateRaw(pcs_report_seconds(config->ttl_ms, seconds, sizeof seconds)));
    if (uses & PCS_USES_MIN_TOKENS)
        cJSON_AddItemToObject(policy, "min_tokens", pcs_report_json_integer(config->min_tokens));
    if (uses & PCS_USES_GRANULARITY)
        cJSON_AddItemToObject(policy, "granularity", pcs_report_json_integer(config->granularity));
    if (uses & PCS_USES_CAPACITY)
        cJSON_AddItemToObject(policy, "capacity_tokens", pcs_report_json_integer(config->capacity_tokens));
}

cJSON *pcs_report_json_tokens(const struct pcs_usage *usage)
{
    cJSON *tokens = cJSON_CreateObject();
    cJSON_AddItemToObject(tokens, "input", pcs_report_json_integer(usage->input));
    cJSON_AddItemToObject(tokens, "cache_read", pcs_report_json_integer(usage->cache_read));
    cJSON_AddItemToObject(tokens, "cache_write", pcs_report_json_integer(usage->cache_write));
    cJSON_AddItemToObject(tokens, "cache_write_1h", pcs_report_json_integer(usage->cache_write_1h));
    cJSON_AddItemToObject(tokens, "uncached", pcs_report_json_integer(pcs_usage_uncached(usage)));
    cJSON_AddItemToObject(tokens, "output", pcs_report_json_integer(usage->output));
    return tokens;
}
