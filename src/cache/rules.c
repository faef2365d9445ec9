/* The provider presets as data: the hand-kept rules file
 * scenarios/rules/cache_rules.json (schema pcsim.cache_rules.v1), assembled into
 * the library at build time and read once; see pcsim/cache.h. */
#include "pcsim/ttl_class.h"

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

/* A row of a table, as messages name it: "presets[3]". */
struct row_place {
    const char *name;  /* the document's */
    const char *table; /* "presets", "refinements" */
    size_t index;
};

static const char *row_string(const cJSON *row, const char *key, const struct row_place *at, struct pcs_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(row, key);
    if (!cJSON_IsString(item) || item->valuestring[0] == '\0') {
        pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu].%s: %s", at->name, at->table, at->index, key,
                      item ? "must be a non-empty string" : "missing");
        return NULL;
    }
    return item->valuestring;
}

static const char *string_field(const cJSON *row, const char *key, const char *name, size_t index,
                                struct pcs_error *err)
{
    const struct row_place at = {name, "presets", index};
    return row_string(row, key, &at, err);
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

char *pcs_rules_text_copy(const char *text)
{
    size_t len = strlen(text) + 1;
    char *copy = malloc(len);
    if (copy)
        memcpy(copy, text, len);
    return copy;
}

void pcs_rules_text_free(const char *text)
{
    void *block;
    memcpy(&block, &text, sizeof block);
    free(block);
}

void pcs_cache_rules_release(struct pcs_cache_rule *rules, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        pcs_rules_text_free(rules[i].name);
        pcs_rules_text_free(rules[i].source);
        pcs_rules_text_free(rules[i].as_of);
        for (size_t r = 0; r < rules[i].refinement_count; r++) {
            pcs_rules_text_free(rules[i].refinements[r].source);
            pcs_rules_text_free(rules[i].refinements[r].as_of);
        }
        rules[i].refinement_count = 0;
    }
}

static enum pcs_status row_parse(const cJSON *row, const char *name, size_t index, struct pcs_cache_rule *rule,
                                 struct pcs_error *err)
{
    rule->refinement_count = 0;
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
    rule->name = pcs_rules_text_copy(preset);
    rule->source = pcs_rules_text_copy(source);
    rule->as_of = pcs_rules_text_copy(as_of);
    if (!rule->name || !rule->source || !rule->as_of) {
        pcs_cache_rules_release(rule, 1);
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", name);
    }
    return PCS_OK;
}

/* One row of the refinements table, attached to its preset among
 * rules[0..count). */
static enum pcs_status refinement_parse(const cJSON *row, const struct row_place *at, struct pcs_cache_rule *rules,
                                        size_t count, struct pcs_error *err)
{
    if (!cJSON_IsObject(row))
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu]: must be an object", at->name, at->table, at->index);
    const char *preset = row_string(row, "preset", at, err);
    const char *parameter = preset ? row_string(row, "parameter", at, err) : NULL;
    const char *source = parameter ? row_string(row, "source", at, err) : NULL;
    const char *as_of = source ? row_string(row, "as_of", at, err) : NULL;
    if (!as_of)
        return PCS_ERR_PARSE;
    struct pcs_cache_rule *rule = NULL;
    for (size_t i = 0; i < count && !rule; i++)
        if (strcmp(rules[i].name, preset) == 0)
            rule = &rules[i];
    if (!rule)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu].preset: unknown preset \"%s\"", at->name, at->table,
                             at->index, preset);
    int param = pcs_cache_param_parse(parameter);
    if (param < 0)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu].parameter: unknown parameter \"%s\"", at->name, at->table,
                             at->index, parameter);
    const struct pcs_cache_param_info *info = pcs_cache_param_info((enum pcs_cache_param)param);
    if (!(pcs_policy_info(rule->policy)->uses & info->uses))
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu].parameter: preset \"%s\" (policy %s) does not use %s",
                             at->name, at->table, at->index, preset, pcs_policy_name(rule->policy), parameter);
    for (size_t r = 0; r < rule->refinement_count; r++)
        if ((int)rule->refinements[r].param == param)
            return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu].parameter: %s of preset \"%s\" given twice", at->name,
                                 at->table, at->index, parameter, preset);
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(row, "value");
    double high = info->unit == PCS_UNIT_SWITCH ? 1 : 1e15;
    if (!value)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu].value: missing", at->name, at->table, at->index);
    if (!cJSON_IsNumber(value) || value->valuedouble != floor(value->valuedouble) || value->valuedouble < 0 ||
        value->valuedouble > high)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu].value: must be %s", at->name, at->table, at->index,
                             info->unit == PCS_UNIT_SWITCH ? "0 or 1" : "a whole number of at least 0");
    int64_t midnight;
    const char *end;
    if (pcs_civil_date_parse(as_of, &midnight, &end) != 0 || *end != '\0')
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s[%zu].as_of: must be a date YYYY-MM-DD, not \"%s\"", at->name,
                             at->table, at->index, as_of);
    struct pcs_cache_refinement *refinement = &rule->refinements[rule->refinement_count];
    refinement->param = (enum pcs_cache_param)param;
    refinement->value = (uint64_t)value->valuedouble;
    refinement->source = pcs_rules_text_copy(source);
    refinement->as_of = pcs_rules_text_copy(as_of);
    rule->refinement_count++; /* counted now, so that release frees what was copied */
    if (!refinement->source || !refinement->as_of)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", at->name);
    return PCS_OK;
}

/* The optional refinements table. */
static enum pcs_status refinements_parse(const cJSON *root, const char *name, struct pcs_cache_rule *rules,
                                         size_t count, struct pcs_error *err)
{
    const cJSON *table = cJSON_GetObjectItemCaseSensitive(root, "refinements");
    if (!table)
        return PCS_OK;
    if (!cJSON_IsArray(table))
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: refinements: must be an array", name);
    struct row_place at = {name, "refinements", 0};
    for (const cJSON *row = table->child; row; row = row->next, at.index++) {
        enum pcs_status status = refinement_parse(row, &at, rules, count, err);
        if (status != PCS_OK)
            return status;
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
    if (status == PCS_OK)
        status = refinements_parse(root, name, rules, *count, err);
    cJSON_Delete(root);
    if (status != PCS_OK) {
        pcs_cache_rules_release(rules, *count);
        *count = 0;
    }
    return status;
}

/* The built-in file's tables, parsed once, together: the presets (with
 * their refinements) and the TTL classes sold. */
static struct {
    struct pcs_cache_rule rules[PCS_CACHE_RULES_MAX];
    size_t rule_count;
    struct pcs_error rule_error;
    struct pcs_ttl_class classes[PCS_TTL_CLASSES_MAX];
    size_t class_count;
    struct pcs_error class_error;
} builtin;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_load(void)
{
    static const char name[] = "built-in cache_rules.json";
    const size_t size = (size_t)pcs_builtin_cache_rules_size;
    pcs_cache_rules_parse(pcs_builtin_cache_rules, size, name, builtin.rules, PCS_CACHE_RULES_MAX, &builtin.rule_count,
                          &builtin.rule_error);
    pcs_ttl_classes_parse(pcs_builtin_cache_rules, size, name, builtin.classes, PCS_TTL_CLASSES_MAX,
                          &builtin.class_count, &builtin.class_error);
}

const struct pcs_cache_rule *pcs_cache_rules(size_t *count, struct pcs_error *err)
{
    pthread_once(&builtin_once, builtin_load);
    *count = builtin.rule_count;
    if (builtin.rule_count == 0 && err)
        *err = builtin.rule_error;
    return builtin.rules;
}

const struct pcs_ttl_class *pcs_ttl_classes(size_t *count, struct pcs_error *err)
{
    pthread_once(&builtin_once, builtin_load);
    *count = builtin.class_count;
    if (builtin.class_count == 0 && err)
        *err = builtin.class_error;
    return builtin.classes;
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
