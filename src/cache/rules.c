/* The provider presets as data: the hand-kept rules file
 * scenarios/rules/cache_rules.json (schema pcsim.cache_rules.v1), assembled into
 * the library at build time and read once; see pcsim/cache.h. */
#include "cache_internal.h"
#include "common/civil_date.h"
#include "common/json_doc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifndef PCSIM_CACHE_RULES
#error "PCSIM_CACHE_RULES must name the rules file (set by CMake)"
#endif

/* The file's bytes, then a NUL (the parser requires one), then their count;
 * as src/pricing/builtin.c does for the catalog. */
__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl pcs_builtin_cache_rules\n"
        ".hidden pcs_builtin_cache_rules\n"
        "pcs_builtin_cache_rules:\n"
        ".incbin \"" PCSIM_CACHE_RULES "\"\n"
        ".Lpcs_builtin_cache_rules_end:\n"
        ".byte 0\n"
        ".balign 8\n"
        ".globl pcs_builtin_cache_rules_size\n"
        ".hidden pcs_builtin_cache_rules_size\n"
        "pcs_builtin_cache_rules_size:\n"
        ".quad .Lpcs_builtin_cache_rules_end - pcs_builtin_cache_rules\n"
        ".previous\n");

extern const char pcs_builtin_cache_rules[] __attribute__((visibility("hidden")));
extern const uint64_t pcs_builtin_cache_rules_size __attribute__((visibility("hidden")));

static const char *string_field(const cJSON *row, const char *key, const char *name, size_t index,
                                struct pcs_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(row, key);
    if (!cJSON_IsString(item) || item->valuestring[0] == '\0') {
        pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu].%s: %s", name, index, key,
                      item ? "must be a non-empty string" : "missing");
        return NULL;
    }
    return item->valuestring;
}

static enum pcs_status whole_field(const cJSON *row, const char *key, double low, const char *name, size_t index,
                                   double *value, struct pcs_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(row, key);
    if (!item)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu].%s: missing", name, index, key);
    if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) || item->valuedouble < low ||
        item->valuedouble > 1e15)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu].%s: must be a whole number of at least %.0f", name,
                             index, key, low);
    *value = item->valuedouble;
    return PCS_OK;
}

static char *copy_text(const char *text)
{
    size_t len = strlen(text) + 1;
    char *copy = malloc(len);
    if (copy)
        memcpy(copy, text, len);
    return copy;
}

/* Frees text this file copied (the public struct holds it as const). */
static void free_text(const char *text)
{
    void *block;
    memcpy(&block, &text, sizeof block);
    free(block);
}

void pcs_cache_rules_release(struct pcs_cache_rule *rules, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free_text(rules[i].name);
        free_text(rules[i].source);
        free_text(rules[i].as_of);
    }
}

static enum pcs_status row_parse(const cJSON *row, const char *name, size_t index, struct pcs_cache_rule *rule,
                                 struct pcs_error *err)
{
    if (!cJSON_IsObject(row))
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu]: must be an object", name, index);
    const char *preset = string_field(row, "name", name, index, err);
    const char *policy = preset ? string_field(row, "policy", name, index, err) : NULL;
    const char *source = policy ? string_field(row, "source", name, index, err) : NULL;
    const char *as_of = source ? string_field(row, "as_of", name, index, err) : NULL;
    if (!as_of)
        return PCS_ERR_PARSE;
    int kind = pcs_policy_parse(policy);
    if (kind < 0)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu].policy: unknown policy \"%s\"", name, index, policy);
    int64_t midnight;
    const char *end;
    if (pcs_civil_date_parse(as_of, &midnight, &end) != 0 || *end != '\0')
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu].as_of: must be a date YYYY-MM-DD, not \"%s\"", name,
                             index, as_of);
    double ttl_s, min_tokens, granularity;
    if (whole_field(row, "ttl_s", 1, name, index, &ttl_s, err) != PCS_OK ||
        whole_field(row, "min_tokens", 0, name, index, &min_tokens, err) != PCS_OK ||
        whole_field(row, "granularity", 1, name, index, &granularity, err) != PCS_OK)
        return PCS_ERR_PARSE;
    if (ttl_s * 1000 > (double)PCS_MAX_TTL_MS)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu].ttl_s: at most %lld s", name, index,
                             (long long)(PCS_MAX_TTL_MS / 1000));
    const cJSON *per_model = cJSON_GetObjectItemCaseSensitive(row, "per_model");
    if (!cJSON_IsBool(per_model))
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu].per_model: %s", name, index,
                             per_model ? "must be true or false" : "missing");
    rule->policy = (enum pcs_policy)kind;
    rule->ttl_s = (int64_t)ttl_s;
    rule->min_tokens = (uint64_t)min_tokens;
    rule->granularity = (uint64_t)granularity;
    rule->per_model = cJSON_IsTrue(per_model);
    rule->name = copy_text(preset);
    rule->source = copy_text(source);
    rule->as_of = copy_text(as_of);
    if (!rule->name || !rule->source || !rule->as_of) {
        pcs_cache_rules_release(rule, 1);
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", name);
    }
    return PCS_OK;
}

enum pcs_status pcs_cache_rules_parse(const char *text, size_t size, const char *name, struct pcs_cache_rule *rules,
                                      size_t cap, size_t *count, struct pcs_error *err)
{
    *count = 0;
    cJSON *root;
    enum pcs_status status =
        pcs_json_doc_parse(text, size, name, "cache rules (schema pcsim.cache_rules.v1)", &root, err);
    if (status != PCS_OK)
        return status;
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    const cJSON *presets = cJSON_GetObjectItemCaseSensitive(root, "presets");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, "pcsim.cache_rules.v1") != 0)
        status = pcs_error_set(err, PCS_ERR_PARSE, "%s: schema: must be \"pcsim.cache_rules.v1\"", name);
    else if (!cJSON_IsArray(presets) || cJSON_GetArraySize(presets) == 0)
        status = pcs_error_set(err, PCS_ERR_PARSE, "%s: presets: must be a non-empty array", name);
    size_t index = 0;
    for (const cJSON *row = presets ? presets->child : NULL; status == PCS_OK && row; row = row->next, index++) {
        if (index == cap) {
            status = pcs_error_set(err, PCS_ERR_RANGE, "%s: presets: more than %zu rows", name, cap);
            break;
        }
        status = row_parse(row, name, index, &rules[index], err);
        if (status != PCS_OK)
            break;
        for (size_t j = 0; j < index; j++)
            if (strcmp(rules[j].name, rules[index].name) == 0) {
                status = pcs_error_set(err, PCS_ERR_PARSE, "%s: presets[%zu].name: \"%s\" given twice", name, index,
                                       rules[index].name);
                pcs_cache_rules_release(&rules[index], 1); /* not yet counted in *count */
                break;
            }
        if (status != PCS_OK)
            break;
        *count = index + 1;
    }
    cJSON_Delete(root);
    if (status != PCS_OK) {
        pcs_cache_rules_release(rules, *count);
        *count = 0;
    }
    return status;
}

/* The built-in rules, read once. */
static struct pcs_cache_rule builtin_rules[PCS_CACHE_RULES_MAX];
static size_t builtin_count;
static struct pcs_error builtin_error;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_load(void)
{
    pcs_cache_rules_parse(pcs_builtin_cache_rules, (size_t)pcs_builtin_cache_rules_size, "built-in cache_rules.json",
                          builtin_rules, PCS_CACHE_RULES_MAX, &builtin_count, &builtin_error);
}

const struct pcs_cache_rule *pcs_cache_rules(size_t *count, struct pcs_error *err)
{
    pthread_once(&builtin_once, builtin_load);
    *count = builtin_count;
    if (builtin_count == 0 && err)
        *err = builtin_error;
    return builtin_rules;
}

const struct pcs_cache_rule *pcs_cache_rule_find(const char *name)
{
    size_t count;
    const struct pcs_cache_rule *rules = pcs_cache_rules(&count, NULL);
    for (size_t i = 0; i < count; i++)
        if (strcmp(name, rules[i].name) == 0)
            return &rules[i];
    return NULL;
}
