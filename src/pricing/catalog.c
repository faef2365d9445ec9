/* Loading a price catalog (schema pcsim.catalog.v1) from JSON; see
 * pcsim/pricing.h. Every field is checked, and an error names the file and
 * the path of the field: "prices.json: providers[2].models[7].prices.
 * input_mtok: expected a number >= 0". Unknown fields are errors, so a typo
 * never silently drops a price. */
#include "pricing_internal.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/civil_date.h"
#include "common/json_doc.h"
#include "common/text_append.h"

#define CATALOG_SCHEMA "pcsim.catalog.v1"
#define CATALOG_EXPECTED "a catalog (schema " CATALOG_SCHEMA ")"
#define MAX_RULE_DEPTH 32

/* The loader's state: where errors go and the path of the current field. */
struct loader {
    pcs_catalog *catalog;
    const char *name; /* the file, for messages */
    struct pcs_error *err;
    char path[256];
    size_t path_len;
};

static const char *const price_key_names[PCS_PRICE_KEY_COUNT] = {
    "input_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok", "output_mtok", "requests_kcount"};

const char *pcs_price_key_name(enum pcs_price_key key)
{
    return (unsigned)key < PCS_PRICE_KEY_COUNT ? price_key_names[key] : "unknown";
}

/* ------------------------------------------------------------ field paths */

/* Appends ".key" (or "key" at the root) to the path; returns the old length
 * for path_pop. Paths too long for the buffer are cut, never overrun. */
static size_t path_push_key(struct loader *loader, const char *key)
{
    size_t old = loader->path_len;
    int n = snprintf(loader->path + old, sizeof loader->path - old, "%s%s", old ? "." : "", key);
    if (n > 0)
        loader->path_len = old + (size_t)n < sizeof loader->path ? old + (size_t)n : sizeof loader->path - 1;
    return old;
}

static size_t path_push_index(struct loader *loader, size_t index)
{
    size_t old = loader->path_len;
    int n = snprintf(loader->path + old, sizeof loader->path - old, "[%zu]", index);
    if (n > 0)
        loader->path_len = old + (size_t)n < sizeof loader->path ? old + (size_t)n : sizeof loader->path - 1;
    return old;
}

static void path_pop(struct loader *loader, size_t old)
{
    loader->path_len = old;
    loader->path[old] = '\0';
}

/* "prices.json: providers[2].name: <what>". */
static enum pcs_status fail(struct loader *loader, enum pcs_status status, const char *what)
{
    if (loader->path_len)
        return pcs_error_set(loader->err, status, "%s: %s: %s", loader->name, loader->path, what);
    return pcs_error_set(loader->err, status, "%s: %s", loader->name, what);
}

static enum pcs_status fail_nomem(struct loader *loader)
{
    return pcs_error_set(loader->err, PCS_ERR_NOMEM, "%s: out of memory loading the catalog", loader->name);
}

/* Rejects members of object not in allowed (NULL-terminated). */
static enum pcs_status check_members(struct loader *loader, const cJSON *object, const char *const *allowed)
{
    for (const cJSON *member = object->child; member; member = member->next) {
        int known = 0;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(member->string, allowed[i]) == 0;
        if (!known) {
            char what[200];
            size_t used = 0;
            pcs_text_append(what, sizeof what, &used, "unknown field (expected one of:");
            for (size_t i = 0; allowed[i]; i++)
                pcs_text_append(what, sizeof what, &used, "%s %s", i ? "," : "", allowed[i]);
            pcs_text_append(what, sizeof what, &used, ")");
            size_t old = path_push_key(loader, member->string);
            enum pcs_status status = fail(loader, PCS_ERR_PARSE, what);
            path_pop(loader, old);
            return status;
        }
    }
    return PCS_OK;
}

/* ----------------------------------------------------------- field values */

static enum pcs_status get_string(struct loader *loader, const cJSON *value, const char **out)
{
    if (!cJSON_IsString(value) || !value->valuestring[0])
        return fail(loader, PCS_ERR_PARSE, "expected a non-empty string");
    *out = pcs_arena_strndup(&loader->catalog->arena, value->valuestring, strlen(value->valuestring));
    return *out ? PCS_OK : fail_nomem(loader);
}

static enum pcs_status get_number(struct loader *loader, const cJSON *value, double *out)
{
    if (!cJSON_IsNumber(value) || !isfinite(value->valuedouble) || value->valuedouble < 0)
        return fail(loader, PCS_ERR_PARSE, "expected a number >= 0");
    *out = value->valuedouble;
    return PCS_OK;
}

/* A non-negative integer that a double holds exactly. */
static enum pcs_status get_count(struct loader *loader, const cJSON *value, uint64_t *out)
{
    double number = cJSON_IsNumber(value) ? value->valuedouble : -1;
    if (!(number >= 0 && number <= 9007199254740992.0 && floor(number) == number))
        return fail(loader, PCS_ERR_PARSE, "expected a whole number >= 0");
    *out = (uint64_t)number;
    return PCS_OK;
}

static char *lowercase_copy(struct arena *arena, const char *text, size_t len)
{
    char *copy = pcs_arena_strndup(arena, text, len);
    if (copy)
        for (size_t i = 0; i < len; i++)
            copy[i] = (char)tolower((unsigned char)copy[i]);
    return copy;
}

/* ------------------------------------------------------------ match rules */

static enum pcs_status keep_regex(struct loader *loader, pcs_regex *regex)
{
    pcs_catalog *catalog = loader->catalog;
    if (catalog->regex_count == catalog->regex_cap) {
        size_t cap = catalog->regex_cap ? catalog->regex_cap * 2 : 16;
        pcs_regex **grown = realloc(catalog->regexes, cap * sizeof *grown);
        if (!grown) {
            pcs_regex_free(regex);
            return fail_nomem(loader);
        }
        catalog->regexes = grown;
        catalog->regex_cap = cap;
    }
    catalog->regexes[catalog->regex_count++] = regex;
    return PCS_OK;
}

static enum pcs_status load_rule(struct loader *loader, const cJSON *json, struct match_rule *rule, int depth)
{
    static const char *const kinds[] = {"equals", "starts_with", "ends_with", "contains", "regex", "or", "and", NULL};
    if (depth > MAX_RULE_DEPTH)
        return fail(loader, PCS_ERR_RANGE, "match rule nested too deeply");
    if (!cJSON_IsObject(json) || !json->child || json->child->next)
        return fail(loader, PCS_ERR_PARSE,
                    "expected a match rule: an object with one of equals, starts_with, ends_with, contains, "
                    "regex, or, and");
    enum pcs_status status = check_members(loader, json, kinds);
    if (status != PCS_OK)
        return status;
    const cJSON *value = json->child;
    size_t old = path_push_key(loader, value->string);
    for (int kind = MATCH_EQUALS; kind <= MATCH_AND; kind++)
        if (strcmp(value->string, kinds[kind]) == 0)
            rule->kind = (enum match_kind)kind;
    if (rule->kind == MATCH_OR || rule->kind == MATCH_AND) {
        int count = cJSON_GetArraySize(value);
        if (!cJSON_IsArray(value) || count == 0) {
            status = fail(loader, PCS_ERR_PARSE, "expected a non-empty array of match rules");
        } else {
            rule->child_count = (size_t)count;
            rule->children = pcs_arena_array(&loader->catalog->arena, rule->child_count, sizeof *rule->children);
            status = rule->children ? PCS_OK : fail_nomem(loader);
        }
        size_t i = 0;
        for (const cJSON *child = cJSON_IsArray(value) ? value->child : NULL; child && status == PCS_OK;
             child = child->next, i++) {
            size_t item = path_push_index(loader, i);
            status = load_rule(loader, child, &rule->children[i], depth + 1);
            path_pop(loader, item);
        }
    } else if (!cJSON_IsString(value)) {
        status = fail(loader, PCS_ERR_PARSE, "expected a string");
    } else if (rule->kind == MATCH_REGEX) {
        char message[160];
        rule->text = pcs_arena_strndup(&loader->catalog->arena, value->valuestring, strlen(value->valuestring));
        rule->regex = rule->text ? pcs_regex_compile(rule->text, message, sizeof message) : NULL;
        if (!rule->text)
            status = fail_nomem(loader);
        else if (!rule->regex)
            status = fail(loader, PCS_ERR_PARSE, message);
        else
            status = keep_regex(loader, rule->regex);
    } else {
        rule->text_len = strlen(value->valuestring);
        rule->text = lowercase_copy(&loader->catalog->arena, value->valuestring, rule->text_len);
        status = rule->text ? PCS_OK : fail_nomem(loader);
    }
    path_pop(loader, old);
    return status;
}

static enum pcs_status load_rule_field(struct loader *loader, const cJSON *json, struct match_rule **rule)
{
    *rule = pcs_arena_alloc(&loader->catalog->arena, sizeof **rule);
    return *rule ? load_rule(loader, json, *rule, 0) : fail_nomem(loader);
}

/* ----------------------------------------------------------------- prices */

static enum pcs_status load_price(struct loader *loader, const cJSON *json, struct pcs_price *price)
{
    price->set = 1;
    if (cJSON_IsNumber(json))
        return get_number(loader, json, &price->base);
    static const char *const fields[] = {"base", "tiers", NULL};
    if (!cJSON_IsObject(json))
        return fail(loader, PCS_ERR_PARSE, "expected a number >= 0 or {\"base\": x, \"tiers\": [...]}");
    enum pcs_status status = check_members(loader, json, fields);
    const cJSON *base = cJSON_GetObjectItemCaseSensitive(json, "base");
    const cJSON *tiers = cJSON_GetObjectItemCaseSensitive(json, "tiers");
    if (status == PCS_OK && (!base || !tiers))
        status = fail(loader, PCS_ERR_PARSE, "a tiered price needs \"base\" and \"tiers\"");
    if (status != PCS_OK)
        return status;
    size_t old = path_push_key(loader, "base");
    status = get_number(loader, base, &price->base);
    path_pop(loader, old);
    old = path_push_key(loader, "tiers");
    if (status == PCS_OK && !cJSON_IsArray(tiers))
        status = fail(loader, PCS_ERR_PARSE, "expected an array of {\"start\": n, \"price\": x}");
    struct pcs_price_tier *list = NULL;
    if (status == PCS_OK) {
        price->tier_count = (size_t)cJSON_GetArraySize(tiers);
        list = pcs_arena_array(&loader->catalog->arena, price->tier_count, sizeof *list);
        status = list ? PCS_OK : fail_nomem(loader);
    }
    size_t i = 0;
    for (const cJSON *tier = status == PCS_OK ? tiers->child : NULL; tier && status == PCS_OK; tier = tier->next, i++) {
        static const char *const tier_fields[] = {"start", "price", NULL};
        size_t item = path_push_index(loader, i);
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(tier, "start");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(tier, "price");
        if (!cJSON_IsObject(tier) || !start || !value)
            status = fail(loader, PCS_ERR_PARSE, "expected {\"start\": n, \"price\": x}");
        if (status == PCS_OK)
            status = check_members(loader, tier, tier_fields);
        size_t field = path_push_key(loader, "start");
        if (status == PCS_OK)
            status = get_count(loader, start, &list[i].start);
        path_pop(loader, field);
        field = path_push_key(loader, "price");
        if (status == PCS_OK)
            status = get_number(loader, value, &list[i].price);
        path_pop(loader, field);
        path_pop(loader, item);
    }
    path_pop(loader, old);
    /* calcPrice sorts tiers by start; a later tier wins among equal starts. */
    for (size_t a = 1; status == PCS_OK && a < price->tier_count; a++)
        for (size_t b = a; b > 0 && list[b - 1].start > list[b].start; b--) {
            struct pcs_price_tier swap = list[b - 1];
            list[b - 1] = list[b];
            list[b] = swap;
        }
    price->tiers = list;
    return status;
}

static enum pcs_status load_price_set(struct loader *loader, const cJSON *json, struct pcs_price_set *set)
{
    if (!cJSON_IsObject(json))
        return fail(loader, PCS_ERR_PARSE, "expected an object of prices (input_mtok, output_mtok, ...)");
    static const char *const keys[] = {
        "input_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok", "output_mtok", "requests_kcount",
        NULL};
    enum pcs_status status = check_members(loader, json, keys);
    for (int key = 0; key < PCS_PRICE_KEY_COUNT && status == PCS_OK; key++) {
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(json, price_key_names[key]);
        if (!value)
            continue;
        size_t old = path_push_key(loader, price_key_names[key]);
        status = load_price(loader, value, &set->prices[key]);
        path_pop(loader, old);
    }
    /* As calcPrice: a class priced apart needs its parent's price. */
    if (status == PCS_OK && set->prices[PCS_PRICE_CACHE_WRITE_1H].set && !set->prices[PCS_PRICE_CACHE_WRITE].set)
        status = fail(loader, PCS_ERR_PARSE, "cache_write_1h_mtok needs cache_write_mtok as well");
    return status;
}

/* "HH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" -> UTC seconds of the day. */
static int parse_time_of_day(const char *text, double *seconds)
{
    int hour, minute, second;
    const char *p = text;
    int digits[6];
    for (int i = 0; i < 6; i++) {
        if (i == 2 || i == 4) {
            if (*p++ != ':')
                return -1;
        }
        if (!isdigit((unsigned char)*p))
            return -1;
        digits[i] = *p++ - '0';
    }
    hour = digits[0] * 10 + digits[1];
    minute = digits[2] * 10 + digits[3];
    second = digits[4] * 10 + digits[5];
    double fraction = 0;
    if (*p == '.') {
        double scale = 0.1;
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        for (; isdigit((unsigned char)*p); p++, scale /= 10)
            fraction += (*p - '0') * scale;
    }
    int offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '+' ? 1 : -1;
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2] != ':' ||
            !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[4]))
            return -1;
        int off_hour = (p[0] - '0') * 10 + (p[1] - '0');
        int off_minute = (p[3] - '0') * 10 + (p[4] - '0');
        if (off_hour > 23 || off_minute > 59)
            return -1;
        offset = sign * (off_hour * 3600 + off_minute * 60);
        p += 5;
    } else {
        return -1;
    }
    if (*p || hour > 23 || minute > 59 || second > 59)
        return -1;
    *seconds = fmod(hour * 3600.0 + minute * 60.0 + second + fraction - offset + 86400.0, 86400.0);
    return 0;
}

static enum pcs_status load_constraint(struct loader *loader, const cJSON *json, struct pcs_price_period *period)
{
    static const char *const fields[] = {"type", "start_date", "start_time", "end_time", NULL};
    if (!cJSON_IsObject(json))
        return fail(loader, PCS_ERR_PARSE,
                    "expected {\"type\": \"start_date\", \"start_date\": \"YYYY-MM-DD\"} "
                    "or {\"type\": \"time_of_date\", \"start_time\": ..., \"end_time\": ...}");
    enum pcs_status status = check_members(loader, json, fields);
    if (status != PCS_OK)
        return status;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(json, "type");
    const cJSON *date = cJSON_GetObjectItemCaseSensitive(json, "start_date");
    const cJSON *start = cJSON_GetObjectItemCaseSensitive(json, "start_time");
    const cJSON *end = cJSON_GetObjectItemCaseSensitive(json, "end_time");
    const char *kind = cJSON_IsString(type) ? type->valuestring : date ? "start_date" : "time_of_date";
    if (type && !cJSON_IsString(type))
        kind = "";
    if (strcmp(kind, "start_date") == 0 && date && !start && !end) {
        period->constraint = PCS_PRICE_FROM_DATE;
        size_t old = path_push_key(loader, "start_date");
        const char *date_end = NULL;
        if (!cJSON_IsString(date) || pcs_civil_date_parse(date->valuestring, &period->start_date_s, &date_end) != 0 ||
            *date_end)
            status = fail(loader, PCS_ERR_PARSE, "expected a date YYYY-MM-DD");
        path_pop(loader, old);
        return status;
    }
    if (strcmp(kind, "time_of_date") == 0 && start && end && !date) {
        period->constraint = PCS_PRICE_TIME_OF_DAY;
        size_t old = path_push_key(loader, "start_time");
        if (!cJSON_IsString(start) || parse_time_of_day(start->valuestring, &period->day_start_s) != 0)
            status = fail(loader, PCS_ERR_PARSE, "expected a time HH:MM:SS followed by Z or +HH:MM");
        path_pop(loader, old);
        old = path_push_key(loader, "end_time");
        if (status == PCS_OK && (!cJSON_IsString(end) || parse_time_of_day(end->valuestring, &period->day_end_s) != 0))
            status = fail(loader, PCS_ERR_PARSE, "expected a time HH:MM:SS followed by Z or +HH:MM");
        path_pop(loader, old);
        return status;
    }
    return fail(loader, PCS_ERR_PARSE,
                "expected type \"start_date\" with start_date, or \"time_of_date\" with start_time and end_time");
}

static enum pcs_status load_prices(struct loader *loader, const cJSON *json, struct pcs_model *model)
{
    struct pcs_price_period *periods;
    if (!cJSON_IsArray(json)) {
        periods = pcs_arena_alloc(&loader->catalog->arena, sizeof *periods);
        if (!periods)
            return fail_nomem(loader);
        model->period_count = 1;
        model->periods = periods;
        return load_price_set(loader, json, &periods->set);
    }
    int count = cJSON_GetArraySize(json);
    if (count == 0)
        return fail(loader, PCS_ERR_PARSE,
                    "expected a price object or a non-empty array of "
                    "{\"constraint\": ..., \"prices\": ...}");
    periods = pcs_arena_array(&loader->catalog->arena, (size_t)count, sizeof *periods);
    if (!periods)
        return fail_nomem(loader);
    model->period_count = (size_t)count;
    model->periods = periods;
    enum pcs_status status = PCS_OK;
    size_t i = 0;
    for (const cJSON *entry = json->child; entry && status == PCS_OK; entry = entry->next, i++) {
        static const char *const fields[] = {"constraint", "prices", NULL};
        size_t old = path_push_index(loader, i);
        const cJSON *constraint = cJSON_GetObjectItemCaseSensitive(entry, "constraint");
        const cJSON *prices = cJSON_GetObjectItemCaseSensitive(entry, "prices");
        if (!cJSON_IsObject(entry) || !prices)
            status = fail(loader, PCS_ERR_PARSE, "expected {\"constraint\": ..., \"prices\": {...}}");
        if (status == PCS_OK)
            status = check_members(loader, entry, fields);
        if (status == PCS_OK && constraint) {
            size_t field = path_push_key(loader, "constraint");
            status = load_constraint(loader, constraint, &periods[i]);
            path_pop(loader, field);
        }
        if (status == PCS_OK) {
            size_t field = path_push_key(loader, "prices");
            status = load_price_set(loader, prices, &periods[i].set);
            path_pop(loader, field);
        }
        path_pop(loader, old);
    }
    return status;
}

/* ------------------------------------------------------- models, providers */

static enum pcs_status check_preset(struct loader *loader, const cJSON *json, const char **preset)
{
    enum pcs_status status = get_string(loader, json, preset);
    struct pcs_cache_config config;
    if (status == PCS_OK && pcs_cache_preset(*preset, &config) != PCS_OK) {
        char presets[280], what[360];
        snprintf(what, sizeof what, "unknown cache preset \"%.32s\" (expected one of: %s)", *preset,
                 pcs_cache_preset_list(1, presets, sizeof presets));
        return fail(loader, PCS_ERR_PARSE, what);
    }
    /* "auto" makes the model's cache from its preset alone: lru would need a
     * capacity, which a scenario (and a replay without --capacity) lacks. */
    if (status == PCS_OK && pcs_cache_config_check(&config, NULL) != PCS_OK)
        return fail(loader, PCS_ERR_PARSE, "a model's cache cannot be lru (it needs a capacity)");
    return status;
}

static enum pcs_status load_model(struct loader *loader, const cJSON *json, struct provider_entry *provider,
                                  size_t index)
{
    static const char *const fields[] = {"id",         "name",         "match",  "context_window",
                                         "min_tokens", "cache_preset", "prices", NULL};
    struct pcs_model *model = &provider->models[index];
    struct match_rule *rule = &provider->model_rules[index];
    model->provider = &provider->public;
    if (!cJSON_IsObject(json))
        return fail(loader, PCS_ERR_PARSE, "expected a model object");
    enum pcs_status status = check_members(loader, json, fields);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
    const cJSON *prices = cJSON_GetObjectItemCaseSensitive(json, "prices");
    if (status == PCS_OK && (!id || !prices))
        status = fail(loader, PCS_ERR_PARSE, "a model needs \"id\" and \"prices\"");
    for (const cJSON *field = json->child; field && status == PCS_OK; field = field->next) {
        size_t old = path_push_key(loader, field->string);
        const char *key = field->string;
        if (strcmp(key, "id") == 0) {
            status = get_string(loader, field, &model->id);
        } else if (strcmp(key, "name") == 0) {
            status = get_string(loader, field, &model->name);
        } else if (strcmp(key, "match") == 0) {
            status = load_rule(loader, field, rule, 0);
        } else if (strcmp(key, "context_window") == 0) {
            status = get_count(loader, field, &model->context_window);
        } else if (strcmp(key, "min_tokens") == 0) {
            status = get_count(loader, field, &model->min_tokens);
            if (status == PCS_OK && model->min_tokens > PCS_MAX_REQUEST_TOKENS)
                status = fail(loader, PCS_ERR_RANGE, "min_tokens is larger than any prompt");
        } else if (strcmp(key, "cache_preset") == 0) {
            status = check_preset(loader, field, &model->cache_preset);
        } else {
            status = load_prices(loader, field, model);
        }
        path_pop(loader, old);
    }
    if (status != PCS_OK)
        return status;
    if (!model->name)
        model->name = model->id;
    if (!cJSON_GetObjectItemCaseSensitive(json, "match")) {
        /* Without a rule a model answers to its own id. */
        rule->kind = MATCH_EQUALS;
        rule->text_len = strlen(model->id);
        rule->text = lowercase_copy(&loader->catalog->arena, model->id, rule->text_len);
        if (!rule->text)
            return fail_nomem(loader);
    }
    return PCS_OK;
}

static enum pcs_status load_tiers(struct loader *loader, const cJSON *json, struct pcs_provider *provider)
{
    if (!cJSON_IsObject(json))
        return fail(loader, PCS_ERR_PARSE, "expected an object of tier multipliers: {\"batch\": 0.5, ...}");
    size_t count = (size_t)cJSON_GetArraySize(json);
    struct pcs_tier_multiplier *tiers = pcs_arena_array(&loader->catalog->arena, count + 1, sizeof *tiers);
    if (!tiers)
        return fail_nomem(loader);
    size_t used = 0;
    int has_standard = 0;
    enum pcs_status status = PCS_OK;
    for (const cJSON *field = json->child; field && status == PCS_OK; field = field->next) {
        size_t old = path_push_key(loader, field->string);
        int tier = pcs_tier_parse(field->string);
        if (tier < 0)
            status = fail(loader, PCS_ERR_PARSE, "unknown tier (expected standard, batch, flex or priority)");
        if (status == PCS_OK)
            status = get_number(loader, field, &tiers[used].multiplier);
        tiers[used].tier = (enum pcs_tier)(tier < 0 ? 0 : tier);
        has_standard |= tier == PCS_TIER_STANDARD;
        used++;
        path_pop(loader, old);
    }
    if (status == PCS_OK && !has_standard) {
        tiers[used].tier = PCS_TIER_STANDARD;
        tiers[used].multiplier = 1;
        used++;
    }
    provider->tier_count = used;
    provider->tiers = tiers;
    return status;
}

static enum pcs_status load_provider(struct loader *loader, const cJSON *json, struct provider_entry *entry,
                                     const cJSON **fallbacks)
{
    static const char *const fields[] = {
        "id",     "name", "model_match", "provider_match", "fallback_model_providers", "tiers", "region_uplift",
        "models", NULL};
    struct pcs_provider *provider = &entry->public;
    provider->region_uplift = 1;
    if (!cJSON_IsObject(json))
        return fail(loader, PCS_ERR_PARSE, "expected a provider object");
    enum pcs_status status = check_members(loader, json, fields);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(json, "models");
    if (status == PCS_OK && (!id || !models))
        status = fail(loader, PCS_ERR_PARSE, "a provider needs \"id\" and \"models\"");
    for (const cJSON *field = json->child; field && status == PCS_OK; field = field->next) {
        size_t old = path_push_key(loader, field->string);
        const char *key = field->string;
        if (strcmp(key, "id") == 0) {
            status = get_string(loader, field, &provider->id);
            for (const char *c = provider->id; status == PCS_OK && *c; c++)
                if (isupper((unsigned char)*c))
                    status = fail(loader, PCS_ERR_PARSE, "provider ids are lowercase");
        } else if (strcmp(key, "name") == 0) {
            status = get_string(loader, field, &provider->name);
        } else if (strcmp(key, "model_match") == 0) {
            struct match_rule *rule;
            status = load_rule_field(loader, field, &rule);
            entry->model_match = rule;
        } else if (strcmp(key, "provider_match") == 0) {
            struct match_rule *rule;
            status = load_rule_field(loader, field, &rule);
            entry->provider_match = rule;
        } else if (strcmp(key, "fallback_model_providers") == 0) {
            *fallbacks = field;
            if (!cJSON_IsArray(field))
                status = fail(loader, PCS_ERR_PARSE, "expected an array of provider ids");
        } else if (strcmp(key, "tiers") == 0) {
            status = load_tiers(loader, field, provider);
        } else if (strcmp(key, "region_uplift") == 0) {
            status = get_number(loader, field, &provider->region_uplift);
        } else if (!cJSON_IsArray(field)) {
            status = fail(loader, PCS_ERR_PARSE, "expected an array of models");
        } else {
            size_t count = (size_t)cJSON_GetArraySize(field);
            provider->model_count = count;
            entry->models = pcs_arena_array(&loader->catalog->arena, count, sizeof *entry->models);
            entry->model_rules = pcs_arena_array(&loader->catalog->arena, count, sizeof *entry->model_rules);
            provider->models = entry->models;
            if (!entry->models || !entry->model_rules)
                status = fail_nomem(loader);
            size_t i = 0;
            for (const cJSON *model = field->child; model && status == PCS_OK; model = model->next, i++) {
                size_t item = path_push_index(loader, i);
                status = load_model(loader, model, entry, i);
                path_pop(loader, item);
            }
        }
        path_pop(loader, old);
    }
    if (status == PCS_OK && !provider->name)
        provider->name = provider->id;
    if (status == PCS_OK && !provider->tiers) {
        static const struct pcs_tier_multiplier standard_only = {PCS_TIER_STANDARD, 1.0};
        provider->tier_count = 1;
        provider->tiers = &standard_only;
    }
    return status;
}

/* Provider ids are unique and fallbacks name providers of the catalog. */
static enum pcs_status link_providers(struct loader *loader, const cJSON **fallbacks)
{
    pcs_catalog *catalog = loader->catalog;
    for (size_t p = 0; p < catalog->provider_count; p++) {
        struct provider_entry *entry = &catalog->providers[p];
        size_t old = path_push_index(loader, p);
        for (size_t q = 0; q < p; q++)
            if (strcmp(catalog->providers[q].public.id, entry->public.id) == 0) {
                size_t field = path_push_key(loader, "id");
                enum pcs_status status = fail(loader, PCS_ERR_PARSE, "a provider with this id comes earlier");
                path_pop(loader, field);
                return status;
            }
        path_pop(loader, old);
    }
    for (size_t p = 0; p < catalog->provider_count; p++) {
        struct provider_entry *entry = &catalog->providers[p];
        if (!fallbacks[p])
            continue;
        size_t count = (size_t)cJSON_GetArraySize(fallbacks[p]);
        entry->fallbacks = pcs_arena_array(&catalog->arena, count, sizeof *entry->fallbacks);
        if (!entry->fallbacks)
            return fail_nomem(loader);
        size_t i = 0;
        for (const cJSON *id = fallbacks[p]->child; id; id = id->next, i++) {
            const struct pcs_provider *found =
                cJSON_IsString(id) ? pcs_catalog_find_provider(catalog, id->valuestring) : NULL;
            if (!found) {
                size_t old = path_push_index(loader, p);
                size_t field = path_push_key(loader, "fallback_model_providers");
                size_t item = path_push_index(loader, i);
                enum pcs_status status = fail(loader, PCS_ERR_PARSE, "not the id of a provider in this catalog");
                path_pop(loader, item);
                path_pop(loader, field);
                path_pop(loader, old);
                return status;
            }
            entry->fallbacks[entry->fallback_count++] = (const struct provider_entry *)found;
        }
    }
    return PCS_OK;
}

static enum pcs_status load_source(struct loader *loader, const cJSON *json)
{
    const cJSON *package = cJSON_GetObjectItemCaseSensitive(json, "package");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(json, "version");
    const cJSON *exported = cJSON_GetObjectItemCaseSensitive(json, "exported");
    if (!cJSON_IsObject(json))
        return fail(loader, PCS_ERR_PARSE, "expected an object describing where the prices come from");
    char text[256];
    snprintf(text, sizeof text, "%s%s%s%s%s", cJSON_IsString(package) ? package->valuestring : loader->name,
             cJSON_IsString(version) ? " " : "", cJSON_IsString(version) ? version->valuestring : "",
             cJSON_IsString(exported) ? ", exported " : "", cJSON_IsString(exported) ? exported->valuestring : "");
    loader->catalog->source = pcs_arena_strndup(&loader->catalog->arena, text, strlen(text));
    return loader->catalog->source ? PCS_OK : fail_nomem(loader);
}

static enum pcs_status load_catalog(struct loader *loader, const cJSON *root)
{
    static const char *const fields[] = {"schema", "source", "providers", NULL};
    if (!cJSON_IsObject(root))
        return fail(loader, PCS_ERR_PARSE, "expected a JSON object with \"schema\": \"" CATALOG_SCHEMA "\"");
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, CATALOG_SCHEMA) != 0) {
        size_t old = path_push_key(loader, "schema");
        enum pcs_status status = fail(loader, PCS_ERR_FORMAT, "expected \"" CATALOG_SCHEMA "\"");
        path_pop(loader, old);
        return status;
    }
    enum pcs_status status = check_members(loader, root, fields);
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(root, "source");
    const cJSON *providers = cJSON_GetObjectItemCaseSensitive(root, "providers");
    size_t old = path_push_key(loader, "source");
    if (status == PCS_OK && source)
        status = load_source(loader, source);
    path_pop(loader, old);
    if (status == PCS_OK && !loader->catalog->source) {
        loader->catalog->source = pcs_arena_strndup(&loader->catalog->arena, loader->name, strlen(loader->name));
        status = loader->catalog->source ? PCS_OK : fail_nomem(loader);
    }
    old = path_push_key(loader, "providers");
    if (status == PCS_OK && (!cJSON_IsArray(providers) || cJSON_GetArraySize(providers) == 0))
        status = fail(loader, PCS_ERR_PARSE, "expected a non-empty array of providers");
    const cJSON **fallbacks = NULL;
    if (status == PCS_OK) {
        size_t count = (size_t)cJSON_GetArraySize(providers);
        loader->catalog->providers =
            pcs_arena_array(&loader->catalog->arena, count, sizeof *loader->catalog->providers);
        fallbacks = calloc(count, sizeof *fallbacks);
        if (!loader->catalog->providers || !fallbacks)
            status = fail_nomem(loader);
    }
    for (const cJSON *provider = status == PCS_OK ? providers->child : NULL; provider && status == PCS_OK;
         provider = provider->next) {
        size_t index = loader->catalog->provider_count;
        size_t item = path_push_index(loader, index);
        status = load_provider(loader, provider, &loader->catalog->providers[index], &fallbacks[index]);
        loader->catalog->provider_count++;
        path_pop(loader, item);
    }
    if (status == PCS_OK)
        status = link_providers(loader, fallbacks);
    path_pop(loader, old);
    free(fallbacks);
    return status;
}

/* The catalog in root, which json_doc checked: one JSON document, no key
 * given twice. */
static pcs_catalog *catalog_from_root(const cJSON *root, const char *name, struct pcs_error *err)
{
    pcs_catalog *catalog = calloc(1, sizeof *catalog);
    if (!catalog) {
        pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory loading the catalog", name);
        return NULL;
    }
    struct loader loader = {catalog, name, err, {0}, 0};
    if (load_catalog(&loader, root) != PCS_OK) {
        pcs_catalog_free(catalog);
        return NULL;
    }
    return catalog;
}

pcs_catalog *pcs_catalog_parse(const char *text, size_t size, const char *name, struct pcs_error *err)
{
    cJSON *root;
    if (pcs_json_doc_parse(text, size, name, CATALOG_EXPECTED, &root, err) != PCS_OK)
        return NULL;
    pcs_catalog *catalog = catalog_from_root(root, name, err);
    cJSON_Delete(root);
    return catalog;
}

pcs_catalog *pcs_catalog_load(const char *path, struct pcs_error *err)
{
    cJSON *root;
    if (pcs_json_doc_load(path, CATALOG_EXPECTED, &root, err) != PCS_OK)
        return NULL;
    pcs_catalog *catalog = catalog_from_root(root, path, err);
    cJSON_Delete(root);
    return catalog;
}

void pcs_catalog_free(pcs_catalog *catalog)
{
    if (!catalog)
        return;
    for (size_t i = 0; i < catalog->regex_count; i++)
        pcs_regex_free(catalog->regexes[i]);
    free(catalog->regexes);
    pcs_arena_free(&catalog->arena);
    free(catalog);
}

const char *pcs_catalog_source(const pcs_catalog *catalog)
{
    return catalog->source;
}

size_t pcs_catalog_provider_count(const pcs_catalog *catalog)
{
    return catalog->provider_count;
}

const struct pcs_provider *pcs_catalog_provider(const pcs_catalog *catalog, size_t index)
{
    return index < catalog->provider_count ? &catalog->providers[index].public : NULL;
}

const struct pcs_provider *pcs_catalog_find_provider(const pcs_catalog *catalog, const char *id)
{
    for (size_t i = 0; i < catalog->provider_count; i++) {
        const char *a = catalog->providers[i].public.id;
        const char *b = id;
        while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b)) {
            a++;
            b++;
        }
        if (!*a && !*b)
            return &catalog->providers[i].public;
    }
    return NULL;
}
