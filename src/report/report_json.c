/* Helpers shared by the JSON report writers; see report_json.h. */
#include "report_json.h"

#include <stdio.h>

#include "pcsim/stats.h"
#include "report_util.h"

void pcs_report_json_begin(struct report_json *doc, const char *schema)
{
    doc->out_of_memory = 0;
    doc->root = cJSON_CreateObject();
    if (!doc->root)
        doc->out_of_memory = 1;
    pcs_report_json_add_string(doc, doc->root, "schema", schema);
}

cJSON *pcs_report_json_put(struct report_json *doc, cJSON *parent, const char *key, cJSON *item)
{
    int added = 0;
    if (item && parent)
        added = key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
    if (added)
        return item;
    cJSON_Delete(item);
    doc->out_of_memory = 1;
    return NULL;
}

cJSON *pcs_report_json_object(struct report_json *doc, cJSON *parent, const char *key)
{
    return pcs_report_json_put(doc, parent, key, cJSON_CreateObject());
}

cJSON *pcs_report_json_array(struct report_json *doc, cJSON *parent, const char *key)
{
    return pcs_report_json_put(doc, parent, key, cJSON_CreateArray());
}

void pcs_report_json_add_number(struct report_json *doc, cJSON *parent, const char *key, double value)
{
    pcs_report_json_put(doc, parent, key, cJSON_CreateNumber(value));
}

void pcs_report_json_add_bool(struct report_json *doc, cJSON *parent, const char *key, int value)
{
    pcs_report_json_put(doc, parent, key, cJSON_CreateBool(value));
}

void pcs_report_json_add_null(struct report_json *doc, cJSON *parent, const char *key)
{
    pcs_report_json_put(doc, parent, key, cJSON_CreateNull());
}

void pcs_report_json_add_raw(struct report_json *doc, cJSON *parent, const char *key, const char *raw)
{
    pcs_report_json_put(doc, parent, key, cJSON_CreateRaw(raw));
}

void pcs_report_json_add_string(struct report_json *doc, cJSON *parent, const char *key, const char *text)
{
    pcs_report_json_put(doc, parent, key, text ? cJSON_CreateString(text) : cJSON_CreateNull());
}

enum pcs_status pcs_report_json_finish(FILE *out, struct report_json *doc)
{
    char *text = doc->out_of_memory ? NULL : cJSON_Print(doc->root);
    pcs_report_json_discard(doc);
    if (!text)
        return PCS_ERR_NOMEM;
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

void pcs_report_json_discard(struct report_json *doc)
{
    cJSON_Delete(doc->root);
    doc->root = NULL;
}

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

void pcs_report_json_policy_parameters(struct report_json *doc, cJSON *policy, const struct pcs_cache_config *config,
                                       unsigned skip)
{
    const struct pcs_policy_info *info = pcs_policy_info(config->policy);
    unsigned uses = info ? info->uses & ~skip : 0;
    /* Each parameter the policy reads, in the table's order (pcsim/cache.h). */
    for (int p = 0; p < PCS_PARAM_COUNT; p++) {
        const struct pcs_cache_param_info *param = pcs_cache_param_info((enum pcs_cache_param)p);
        if (!(uses & param->uses) || !param->json_key)
            continue;
        uint64_t value = pcs_cache_param_get(config, (enum pcs_cache_param)p);
        if (param->quiet_when_off && value == 0)
            continue;
        if (param->unit == PCS_UNIT_MS) {
            char seconds[32];
            pcs_report_json_add_raw(doc, policy, param->json_key,
                                    pcs_report_seconds((int64_t)value, seconds, sizeof seconds));
        } else {
            pcs_report_json_put(doc, policy, param->json_key, pcs_report_json_integer(value));
        }
    }
}

void pcs_report_json_cache_overrides(struct report_json *doc, cJSON *parent, const char *key,
                                     const struct pcs_cache_overrides *overrides)
{
    if (!overrides->given)
        return;
    cJSON *object = pcs_report_json_object(doc, parent, key);
    for (int p = 0; p < PCS_PARAM_COUNT; p++) {
        const struct pcs_cache_param_info *param = pcs_cache_param_info((enum pcs_cache_param)p);
        if (!(overrides->given & param->uses) || !param->json_key)
            continue;
        uint64_t value = overrides->value[p];
        if (param->unit == PCS_UNIT_MS) {
            char seconds[32];
            pcs_report_json_add_raw(doc, object, param->json_key,
                                    pcs_report_seconds((int64_t)value, seconds, sizeof seconds));
        } else {
            pcs_report_json_put(doc, object, param->json_key, pcs_report_json_integer(value));
        }
    }
}
