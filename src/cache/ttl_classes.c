/* The TTL classes providers sell: the ttl_classes rows of the hand-kept
 * rules file, parsed here; the built-in file is read once with the
 * presets by rules.c (pcs_ttl_classes); see pcsim/ttl_class.h. Kept apart from the presets' parser: a row here is a
 * fact about selling, not a cache's parameters. */
#include "pcsim/ttl_class.h"

#include "cache_internal.h"

#include "common/civil_date.h"
#include "common/json_doc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void pcs_ttl_classes_release(struct pcs_ttl_class *classes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        pcs_rules_text_free(classes[i].seller);
        for (size_t j = 0; classes[i].presets[j]; j++)
            pcs_rules_text_free(classes[i].presets[j]);
        pcs_rules_text_free(classes[i].source);
        pcs_rules_text_free(classes[i].as_of);
        memset(&classes[i], 0, sizeof classes[i]);
    }
}

static const char *string_field(const cJSON *row, const char *key, const char *name, size_t index,
                                struct pcs_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(row, key);
    if (!cJSON_IsString(item) || item->valuestring[0] == '\0') {
        pcs_error_set(err, PCS_ERR_PARSE, "%s: ttl_classes[%zu].%s: %s", name, index, key,
                      item ? "must be a non-empty string" : "missing");
        return NULL;
    }
    return item->valuestring;
}

/* ttl_s: a whole number of seconds >= 1 (at most a year), or null: no choice (0). */
static enum pcs_status ttl_field(const cJSON *row, const char *name, size_t index, int64_t *ttl_s,
                                 struct pcs_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(row, "ttl_s");
    if (!item)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: ttl_classes[%zu].ttl_s: missing", name, index);
    if (cJSON_IsNull(item)) {
        *ttl_s = 0;
        return PCS_OK;
    }
    if (!cJSON_IsNumber(item) || item->valuedouble != floor(item->valuedouble) || item->valuedouble < 1 ||
        item->valuedouble > 366.0 * 86400)
        return pcs_error_set(err, PCS_ERR_PARSE,
                             "%s: ttl_classes[%zu].ttl_s: must be a whole number of seconds from 1 to a year, or null "
                             "(no TTL choice)",
                             name, index);
    *ttl_s = (int64_t)item->valuedouble;
    return PCS_OK;
}

static enum pcs_status presets_field(const cJSON *row, const char *name, size_t index, struct pcs_ttl_class *class,
                                     struct pcs_error *err)
{
    const cJSON *presets = cJSON_GetObjectItemCaseSensitive(row, "presets");
    int size = cJSON_IsArray(presets) ? cJSON_GetArraySize(presets) : 0;
    if (size < 1 || size > PCS_TTL_CLASS_MAX_PRESETS)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: ttl_classes[%zu].presets: %s", name, index,
                             presets ? "must be an array of 1 to 8 preset names" : "missing");
    size_t j = 0;
    for (const cJSON *item = presets->child; item; item = item->next, j++) {
        if (!cJSON_IsString(item) || item->valuestring[0] == '\0')
            return pcs_error_set(err, PCS_ERR_PARSE, "%s: ttl_classes[%zu].presets[%zu]: must be a preset name", name,
                                 index, j);
        if (!(class->presets[j] = pcs_rules_text_copy(item->valuestring)))
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", name);
    }
    return PCS_OK;
}

static enum pcs_status row_parse(const cJSON *row, const char *name, size_t index, struct pcs_ttl_class *class,
                                 struct pcs_error *err)
{
    memset(class, 0, sizeof *class);
    if (!cJSON_IsObject(row))
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: ttl_classes[%zu]: must be an object", name, index);
    const char *seller = string_field(row, "seller", name, index, err);
    const char *source = seller ? string_field(row, "source", name, index, err) : NULL;
    const char *as_of = source ? string_field(row, "as_of", name, index, err) : NULL;
    if (!as_of)
        return PCS_ERR_PARSE;
    int64_t midnight;
    const char *end;
    if (pcs_civil_date_parse(as_of, &midnight, &end) != 0 || *end != '\0')
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: ttl_classes[%zu].as_of: must be a date YYYY-MM-DD, not \"%s\"",
                             name, index, as_of);
    if (ttl_field(row, name, index, &class->ttl_s, err) != PCS_OK)
        return PCS_ERR_PARSE;
    const cJSON *multiplier = cJSON_GetObjectItemCaseSensitive(row, "write_multiplier");
    if (!cJSON_IsNumber(multiplier) || !(multiplier->valuedouble >= 0) || multiplier->valuedouble > 1000)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: ttl_classes[%zu].write_multiplier: %s", name, index,
                             multiplier ? "must be a number >= 0 (0: writes are free)" : "missing");
    class->write_multiplier = multiplier->valuedouble;
    enum pcs_status status = presets_field(row, name, index, class, err);
    if (status == PCS_OK) {
        class->seller = pcs_rules_text_copy(seller);
        class->source = pcs_rules_text_copy(source);
        class->as_of = pcs_rules_text_copy(as_of);
        if (!class->seller || !class->source || !class->as_of)
            status = pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", name);
    }
    if (status != PCS_OK)
        pcs_ttl_classes_release(class, 1);
    return status;
}

enum pcs_status pcs_ttl_classes_parse(const char *text, size_t size, const char *name, struct pcs_ttl_class *classes,
                                      size_t cap, size_t *count, struct pcs_error *err)
{
    *count = 0;
    cJSON *root;
    enum pcs_status status =
        pcs_json_doc_parse(text, size, name, "cache rules (schema pcsim.cache_rules.v1)", &root, err);
    if (status != PCS_OK)
        return status;
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "ttl_classes");
    if (rows && !cJSON_IsArray(rows))
        status = pcs_error_set(err, PCS_ERR_PARSE, "%s: ttl_classes: must be an array", name);
    size_t index = 0;
    for (const cJSON *row = rows ? rows->child : NULL; status == PCS_OK && row; row = row->next, index++) {
        if (index == cap) {
            status = pcs_error_set(err, PCS_ERR_RANGE, "%s: ttl_classes: more than %zu rows", name, cap);
            break;
        }
        status = row_parse(row, name, index, &classes[index], err);
        if (status == PCS_OK)
            *count = index + 1;
    }
    cJSON_Delete(root);
    if (status != PCS_OK) {
        pcs_ttl_classes_release(classes, *count);
        *count = 0;
    }
    return status;
}

static int names_preset(const struct pcs_ttl_class *class, const char *preset)
{
    for (size_t j = 0; class->presets[j]; j++)
        if (strcmp(class->presets[j], preset) == 0)
            return 1;
    return 0;
}

size_t pcs_ttl_classes_of(const char *preset, const struct pcs_ttl_class **rows, size_t cap)
{
    size_t count;
    const struct pcs_ttl_class *classes = pcs_ttl_classes(&count, NULL);
    size_t found = 0;
    for (size_t i = 0; preset && i < count; i++)
        if (names_preset(&classes[i], preset)) {
            if (found < cap)
                rows[found] = &classes[i];
            found++;
        }
    return found;
}

enum pcs_ttl_sale pcs_ttl_sale_of(const char *preset, int64_t ttl_ms, const struct pcs_ttl_class **sold)
{
    if (sold)
        *sold = NULL;
    size_t count;
    const struct pcs_ttl_class *classes = pcs_ttl_classes(&count, NULL);
    int named = 0, choice = 0;
    const struct pcs_ttl_class *best = NULL;
    for (size_t i = 0; preset && i < count; i++) {
        if (!names_preset(&classes[i], preset))
            continue;
        named = 1;
        if (classes[i].ttl_s == 0)
            continue;
        choice = 1;
        if (classes[i].ttl_s * 1000 >= ttl_ms && (!best || classes[i].ttl_s < best->ttl_s))
            best = &classes[i];
    }
    if (!named)
        return PCS_TTL_NO_SELLER;
    if (!choice)
        return PCS_TTL_NO_CHOICE;
    if (!best)
        return PCS_TTL_ABOVE_LONGEST;
    if (sold)
        *sold = best;
    return PCS_TTL_SOLD;
}

int pcs_ttl_class_bills_1h(const struct pcs_ttl_class *sold)
{
    return sold && sold->ttl_s * 1000 >= CACHE_ONE_HOUR_MS; /* the line the caches draw (policy_breakpoint.c) */
}

const char *pcs_ttl_sale_name(enum pcs_ttl_sale sale)
{
    switch (sale) {
    case PCS_TTL_SOLD: return "sold";
    case PCS_TTL_ABOVE_LONGEST: return "not sold: longer than the longest class";
    case PCS_TTL_NO_CHOICE: return "not sold: no TTL choice";
    case PCS_TTL_NO_SELLER: break;
    }
    return "";
}
