/* Reading checked values for the scenario loader: field paths for
 * messages, numbers, strings, and distributions (empirical ones from a
 * trace); see scenario_values.h and docs/scenario.md. */
#include "scenario_values.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text_append.h"
#include "pcsim/trace.h"

/* ------------------------------------------------------------ field paths */

/* Appends ".key" (or "key" at the root) to the path; returns the old length
 * for pcs_loader_pop. Paths too long for the buffer are cut, never overrun. */
size_t pcs_loader_push_key(struct loader *loader, const char *key)
{
    size_t old = loader->path_len;
    int n = snprintf(loader->path + old, sizeof loader->path - old, "%s%s", old ? "." : "", key);
    if (n > 0)
        loader->path_len = old + (size_t)n < sizeof loader->path ? old + (size_t)n : sizeof loader->path - 1;
    return old;
}

size_t pcs_loader_push_index(struct loader *loader, size_t index)
{
    size_t old = loader->path_len;
    int n = snprintf(loader->path + old, sizeof loader->path - old, "[%zu]", index);
    if (n > 0)
        loader->path_len = old + (size_t)n < sizeof loader->path ? old + (size_t)n : sizeof loader->path - 1;
    return old;
}

void pcs_loader_pop(struct loader *loader, size_t old)
{
    loader->path_len = old;
    loader->path[old] = '\0';
}

/* "scenario.json: models.mini: <what>". */
enum pcs_status pcs_loader_fail(struct loader *loader, enum pcs_status status, const char *what)
{
    if (loader->path_len)
        return pcs_error_set(loader->err, status, "%s: %s: %s", loader->name, loader->path, what);
    return pcs_error_set(loader->err, status, "%s: %s", loader->name, what);
}

enum pcs_status pcs_loader_failf(struct loader *loader, enum pcs_status status, const char *format, ...)
{
    char what[PCS_ERROR_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    return pcs_loader_fail(loader, status, what);
}

/* The same with key pushed on the path for the message only. */
enum pcs_status pcs_loader_fail_at(struct loader *loader, const char *key, enum pcs_status status, const char *what)
{
    size_t old = pcs_loader_push_key(loader, key);
    pcs_loader_fail(loader, status, what);
    pcs_loader_pop(loader, old);
    return status;
}

enum pcs_status pcs_loader_nomem(struct loader *loader)
{
    return pcs_error_set(loader->err, PCS_ERR_NOMEM, "%s: out of memory loading the scenario", loader->name);
}

/* "$comment" members are allowed in every object and ignored. */
int pcs_loader_is_comment(const cJSON *member)
{
    return strcmp(member->string, "$comment") == 0;
}

/* Rejects members of object not in allowed (NULL-terminated). Keys given
 * twice never get here: json_doc refuses them for the whole document. */
enum pcs_status pcs_loader_check_members(struct loader *loader, const cJSON *object, const char *const *allowed)
{
    for (const cJSON *member = object->child; member; member = member->next) {
        if (pcs_loader_is_comment(member))
            continue;
        int known = 0;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(member->string, allowed[i]) == 0;
        if (!known) {
            char what[300];
            size_t used = 0;
            pcs_text_append(what, sizeof what, &used, "unknown field (expected one of:");
            for (size_t i = 0; allowed[i]; i++)
                pcs_text_append(what, sizeof what, &used, "%s %s", i ? "," : "", allowed[i]);
            pcs_text_append(what, sizeof what, &used, ")");
            return pcs_loader_fail_at(loader, member->string, PCS_ERR_PARSE, what);
        }
    }
    return PCS_OK;
}

/* ----------------------------------------------------------- field values */

enum pcs_status pcs_loader_read_string(struct loader *loader, const cJSON *value, const char **out)
{
    if (!cJSON_IsString(value) || !value->valuestring[0])
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a non-empty string");
    *out = pcs_arena_strndup(&loader->set->arena, value->valuestring, strlen(value->valuestring));
    return *out ? PCS_OK : pcs_loader_nomem(loader);
}

/* A finite number in [min, max] ((min, max] when above_min). */
enum pcs_status pcs_loader_read_number(struct loader *loader, const cJSON *value, double min, double max, int above_min,
                                       double *out)
{
    if (!cJSON_IsNumber(value) || !isfinite(value->valuedouble))
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a number");
    double number = value->valuedouble;
    if (number >= min && number <= max && !(above_min && number == min)) {
        *out = number + 0.0; /* -0 reads as 0 */
        return PCS_OK;
    }
    if (isinf(max))
        return pcs_loader_failf(loader, PCS_ERR_RANGE, "expected a number %s %.15g", above_min ? ">" : ">=", min);
    return pcs_loader_failf(loader, PCS_ERR_RANGE, "expected a number in %c%.15g, %.15g]", above_min ? '(' : '[', min,
                            max);
}

/* A whole number in [min, max] (max <= 2^53). */
static enum pcs_status read_whole(struct loader *loader, const cJSON *value, double min, double max, uint64_t *out)
{
    double number = cJSON_IsNumber(value) ? value->valuedouble : NAN;
    if (!(number >= min && number <= max && floor(number) == number))
        return pcs_loader_failf(loader, cJSON_IsNumber(value) ? PCS_ERR_RANGE : PCS_ERR_PARSE,
                                "expected a whole number in [%.0f, %.0f]", min, max);
    *out = (uint64_t)number;
    return PCS_OK;
}

/* Field helpers: object.key read into *out, which keeps its default when
 * the field is absent and not required. */
enum pcs_status pcs_loader_field_missing(struct loader *loader, const char *key)
{
    return pcs_loader_fail_at(loader, key, PCS_ERR_PARSE, "missing");
}

enum pcs_status pcs_loader_field_string(struct loader *loader, const cJSON *object, const char *key, int required,
                                        const char **out)
{
    const cJSON *value = loader_member(object, key);
    if (!value)
        return required ? pcs_loader_field_missing(loader, key) : PCS_OK;
    size_t old = pcs_loader_push_key(loader, key);
    enum pcs_status status = pcs_loader_read_string(loader, value, out);
    pcs_loader_pop(loader, old);
    return status;
}

enum pcs_status pcs_loader_field_number(struct loader *loader, const cJSON *object, const char *key, int required,
                                        double min, double max, int above_min, double *out)
{
    const cJSON *value = loader_member(object, key);
    if (!value)
        return required ? pcs_loader_field_missing(loader, key) : PCS_OK;
    size_t old = pcs_loader_push_key(loader, key);
    enum pcs_status status = pcs_loader_read_number(loader, value, min, max, above_min, out);
    pcs_loader_pop(loader, old);
    return status;
}

enum pcs_status pcs_loader_field_whole(struct loader *loader, const cJSON *object, const char *key, double min,
                                       double max, uint64_t *out)
{
    const cJSON *value = loader_member(object, key);
    if (!value)
        return PCS_OK;
    size_t old = pcs_loader_push_key(loader, key);
    enum pcs_status status = read_whole(loader, value, min, max, out);
    pcs_loader_pop(loader, old);
    return status;
}

enum pcs_status pcs_loader_field_bool(struct loader *loader, const cJSON *object, const char *key, int *out)
{
    const cJSON *value = loader_member(object, key);
    if (!value)
        return PCS_OK;
    if (!cJSON_IsBool(value))
        return pcs_loader_fail_at(loader, key, PCS_ERR_PARSE, "expected true or false");
    *out = cJSON_IsTrue(value);
    return PCS_OK;
}

/* ---------------------------------------------------------- distributions */

/* The parameters of each kind, in the order of pcs_dist's a and b. */
static const char *const dist_params[PCS_DIST_COUNT][2] = {
    [PCS_DIST_CONSTANT] = {"value", NULL}, [PCS_DIST_UNIFORM] = {"min", "max"},
    [PCS_DIST_NORMAL] = {"mean", "sd"},    [PCS_DIST_LOGNORMAL] = {"median", "sigma"},
    [PCS_DIST_GAMMA] = {"shape", "scale"}, [PCS_DIST_BETA] = {"a", "b"},
    [PCS_DIST_POISSON] = {"mean", NULL},   [PCS_DIST_GEOMETRIC] = {"mean", NULL},
    [PCS_DIST_EMPIRICAL] = {NULL, NULL},
};

/* "constant, uniform, ..." into text. */
static void dist_kind_list(char *text, size_t size)
{
    size_t used = 0;
    text[0] = '\0';
    for (int kind = PCS_DIST_CONSTANT; kind < PCS_DIST_COUNT; kind++)
        pcs_text_append(text, size, &used, "%s%s", kind ? ", " : "", pcs_dist_kind_name((enum pcs_dist_kind)kind));
}

/* One value of a quantity (a constant, an empirical value), with key pushed
 * for the message when not NULL. */
static enum pcs_status check_value(struct loader *loader, double value, const struct quantity *quantity,
                                   const char *key)
{
    int below = quantity->positive ? value <= quantity->min : value < quantity->min;
    if (!below && value <= quantity->max && (!quantity->whole || floor(value) == value))
        return PCS_OK;
    size_t old = key ? pcs_loader_push_key(loader, key) : loader->path_len;
    pcs_loader_failf(loader, PCS_ERR_RANGE, "expected %s in %c%.15g, %.15g]",
                     quantity->whole ? "a whole number" : "a number", quantity->positive ? '(' : '[', quantity->min,
                     quantity->max);
    pcs_loader_pop(loader, old);
    return PCS_ERR_RANGE;
}

/* A distribution's values must suit the quantity: constants, empirical
 * values and uniform bounds within its range, and the centre (mean or
 * median) of an unbounded one no larger than its maximum. Other draws
 * outside the range are clamped by the engine. */
static enum pcs_status check_quantity(struct loader *loader, const struct pcs_dist *dist,
                                      const struct quantity *quantity, const cJSON *json)
{
    enum pcs_status status = PCS_OK;
    size_t old;
    const char *centre = NULL;
    double centre_value = 0;
    if (dist->kind == PCS_DIST_CONSTANT)
        return check_value(loader, dist->a, quantity, cJSON_IsObject(json) ? "value" : NULL);
    if (quantity->constants_only)
        return PCS_OK;
    switch (dist->kind) {
    case PCS_DIST_UNIFORM:
        if (dist->a >= quantity->min && dist->b <= quantity->max)
            return PCS_OK;
        old = pcs_loader_push_key(loader, dist->a < quantity->min ? "min" : "max");
        status = pcs_loader_failf(loader, PCS_ERR_RANGE, "expected a number in [%.15g, %.15g]", quantity->min,
                                  quantity->max);
        pcs_loader_pop(loader, old);
        return status;
    case PCS_DIST_EMPIRICAL:
        for (size_t i = 0; i < dist->count && status == PCS_OK; i++) {
            if (loader_member(json, "values")) {
                old = pcs_loader_push_key(loader, "values");
                size_t item = pcs_loader_push_index(loader, i);
                status = check_value(loader, dist->values[i], quantity, NULL);
                pcs_loader_pop(loader, item);
                pcs_loader_pop(loader, old);
            } else if (check_value(loader, dist->values[i], quantity, NULL) != PCS_OK) {
                old = pcs_loader_push_key(loader, "trace");
                status = pcs_loader_failf(
                    loader, PCS_ERR_RANGE, "request %zu has %.15g tokens; expected %s in [%.15g, %.15g]", i + 1,
                    dist->values[i], quantity->whole ? "a whole number" : "a number", quantity->min, quantity->max);
                pcs_loader_pop(loader, old);
            }
        }
        return status;
    case PCS_DIST_NORMAL:
    case PCS_DIST_POISSON:
    case PCS_DIST_GEOMETRIC:
        centre = "mean";
        centre_value = dist->a;
        break;
    case PCS_DIST_LOGNORMAL:
        centre = "median";
        centre_value = dist->a;
        break;
    case PCS_DIST_GAMMA:
        centre = "mean (shape x scale)";
        centre_value = dist->a * dist->b;
        break;
    default: break;
    }
    if (centre && !(centre_value <= quantity->max))
        return pcs_loader_failf(loader, PCS_ERR_RANGE, "the %s %.15g is above the largest allowed value %.15g", centre,
                                centre_value, quantity->max);
    return PCS_OK;
}

char *pcs_loader_join_path(const char *base_dir, const char *file)
{
    size_t base_len = base_dir && file[0] != '/' ? strlen(base_dir) : 0;
    int slash = base_len && base_dir[base_len - 1] != '/';
    size_t size = base_len + (size_t)slash + strlen(file) + 1;
    char *joined = malloc(size);
    if (joined)
        snprintf(joined, size, "%.*s%s%s", (int)base_len, base_len ? base_dir : "", slash ? "/" : "", file);
    return joined;
}

/* Reads every request's input or output tokens of a trace. */
static enum pcs_status read_trace(struct loader *loader, const char *path, int output, struct value_list *entry)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    struct pcs_error trace_err;
    enum pcs_status status = PCS_OK;
    const char *paths[1] = {path};
    pcs_trace *trace = pcs_trace_open(paths, 1, &config, &trace_err);
    if (!trace)
        return trace_err.status == PCS_ERR_NOMEM ? pcs_loader_nomem(loader)
                                                 : pcs_loader_fail(loader, trace_err.status, trace_err.message);
    double *values = NULL;
    size_t count = 0;
    size_t cap = 0;
    struct pcs_request req;
    for (;;) {
        status = pcs_trace_next(trace, &req, &trace_err);
        if (status != PCS_OK)
            break;
        if (count == cap) {
            size_t grown_cap = cap ? cap * 2 : 1024;
            double *grown = grown_cap < SIZE_MAX / sizeof *grown ? realloc(values, grown_cap * sizeof *grown) : NULL;
            if (!grown) {
                status = PCS_ERR_NOMEM;
                break;
            }
            values = grown;
            cap = grown_cap;
        }
        values[count++] = (double)(output ? req.output_tokens : req.input_tokens);
    }
    pcs_trace_free(trace);
    if (status == PCS_END && count == 0)
        status = pcs_loader_fail(loader, PCS_ERR_PARSE, "the trace has no requests");
    else if (status == PCS_END)
        status = PCS_OK;
    else if (status == PCS_ERR_NOMEM)
        pcs_loader_nomem(loader);
    else
        pcs_loader_fail(loader, status, trace_err.message);
    double *kept = status == PCS_OK ? pcs_arena_array(&loader->set->arena, count, sizeof *kept) : NULL;
    if (status == PCS_OK && !kept)
        status = pcs_loader_nomem(loader);
    if (status == PCS_OK) {
        memcpy(kept, values, count * sizeof *kept);
        entry->count = count;
        entry->values = kept;
    }
    free(values);
    return status;
}

/* {"trace": "path", "field": "input_tokens" | "output_tokens"}. */
static enum pcs_status load_trace_values(struct loader *loader, const cJSON *json, struct pcs_dist *dist)
{
    const char *file = NULL;
    const char *field = NULL;
    enum pcs_status status = pcs_loader_field_string(loader, json, "trace", 1, &file);
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "field", 1, &field);
    int output = field && strcmp(field, "output_tokens") == 0;
    if (status == PCS_OK && !output && strcmp(field, "input_tokens") != 0)
        status = pcs_loader_fail_at(loader, "field", PCS_ERR_PARSE, "expected \"input_tokens\" or \"output_tokens\"");
    if (status != PCS_OK)
        return status;
    char *path = pcs_loader_join_path(loader->base_dir, file);
    if (!path)
        return pcs_loader_nomem(loader);
    struct value_list *entry = loader->set->value_lists;
    while (entry && (!entry->path || entry->output != output || strcmp(entry->path, path) != 0))
        entry = entry->next;
    if (!entry) {
        entry = pcs_arena_alloc(&loader->set->arena, sizeof *entry);
        if (entry)
            entry->path = pcs_arena_strndup(&loader->set->arena, path, strlen(path));
        if (!entry || !entry->path) {
            free(path);
            return pcs_loader_nomem(loader);
        }
        entry->output = output;
        size_t old = pcs_loader_push_key(loader, "trace");
        status = read_trace(loader, path, output, entry);
        pcs_loader_pop(loader, old);
        if (status == PCS_OK) {
            entry->next = loader->set->value_lists;
            loader->set->value_lists = entry;
        }
    }
    free(path);
    dist->count = entry->count;
    dist->values = entry->values;
    return status;
}

/* {"values": [numbers]}, shared with an equal list read before. */
static enum pcs_status load_values(struct loader *loader, const cJSON *json, struct pcs_dist *dist)
{
    size_t old = pcs_loader_push_key(loader, "values");
    int count = cJSON_IsArray(json) ? cJSON_GetArraySize(json) : 0;
    enum pcs_status status = PCS_OK;
    if (count <= 0)
        status = pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a non-empty array of numbers");
    double *values = status == PCS_OK && count > 0 ? malloc((size_t)count * sizeof *values) : NULL;
    if (status == PCS_OK && !values)
        status = pcs_loader_nomem(loader);
    size_t i = 0;
    for (const cJSON *item = status == PCS_OK ? json->child : NULL; item && status == PCS_OK; item = item->next, i++) {
        size_t index = pcs_loader_push_index(loader, i);
        status = pcs_loader_read_number(loader, item, -HUGE_VAL, HUGE_VAL, 0, &values[i]);
        pcs_loader_pop(loader, index);
    }
    pcs_loader_pop(loader, old);
    struct value_list *list = loader->set->value_lists;
    while (
        status == PCS_OK && list &&
        (list->path || list->count != (size_t)count || memcmp(list->values, values, list->count * sizeof *values) != 0))
        list = list->next;
    if (status == PCS_OK && !list) {
        list = pcs_arena_alloc(&loader->set->arena, sizeof *list);
        double *kept = list ? pcs_arena_array(&loader->set->arena, (size_t)count, sizeof *kept) : NULL;
        if (kept) {
            memcpy(kept, values, (size_t)count * sizeof *kept);
            list->count = (size_t)count;
            list->values = kept;
            list->next = loader->set->value_lists;
            loader->set->value_lists = list;
        } else {
            status = pcs_loader_nomem(loader);
        }
    }
    free(values);
    if (status == PCS_OK) {
        dist->count = list->count;
        dist->values = list->values;
    }
    return status;
}

/* A number (a constant) or {"dist": KIND, parameters...}, checked with
 * pcs_dist_check and against the quantity's range. */
enum pcs_status pcs_loader_read_dist(struct loader *loader, const cJSON *json, const struct quantity *quantity,
                                     struct pcs_dist *dist)
{
    memset(dist, 0, sizeof *dist);
    dist->kind = PCS_DIST_CONSTANT;
    if (cJSON_IsNumber(json)) {
        if (!isfinite(json->valuedouble))
            return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a finite number");
        dist->a = json->valuedouble + 0.0;
        return check_quantity(loader, dist, quantity, json);
    }
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE,
                               "expected a number or a distribution {\"dist\": \"lognormal\", ...}");
    const cJSON *name = loader_member(json, "dist");
    char kinds[200];
    dist_kind_list(kinds, sizeof kinds);
    if (!name)
        return pcs_loader_failf(loader, PCS_ERR_PARSE,
                                "expected a number or a distribution {\"dist\": KIND, ...} (KIND: %s)", kinds);
    int kind = cJSON_IsString(name) ? pcs_dist_kind_parse(name->valuestring) : -1;
    if (kind < 0 || kind >= PCS_DIST_COUNT) {
        size_t old = pcs_loader_push_key(loader, "dist");
        if (cJSON_IsString(name))
            pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown distribution \"%s\" (expected one of: %s)",
                             name->valuestring, kinds);
        else
            pcs_loader_failf(loader, PCS_ERR_PARSE, "expected the name of a distribution (one of: %s)", kinds);
        pcs_loader_pop(loader, old);
        return PCS_ERR_PARSE;
    }
    dist->kind = (enum pcs_dist_kind)kind;
    const char *const *params = dist_params[kind];
    enum pcs_status status;
    if (dist->kind == PCS_DIST_EMPIRICAL) {
        static const char *const fields[] = {"dist", "values", "trace", "field", NULL};
        status = pcs_loader_check_members(loader, json, fields);
        const cJSON *values = loader_member(json, "values");
        const cJSON *trace = loader_member(json, "trace");
        if (status == PCS_OK && values && (trace || loader_member(json, "field")))
            status = pcs_loader_fail(loader, PCS_ERR_PARSE, "give \"values\" or \"trace\" and \"field\", not both");
        else if (status == PCS_OK && !values && !trace && !loader_member(json, "field"))
            status = pcs_loader_fail(loader, PCS_ERR_PARSE,
                                     "an empirical distribution needs \"values\": [...] or \"trace\" and \"field\"");
        if (status == PCS_OK)
            status = values ? load_values(loader, values, dist) : load_trace_values(loader, json, dist);
    } else {
        const char *fields[] = {"dist", params[0], params[1], NULL};
        status = pcs_loader_check_members(loader, json, fields);
        for (int i = 0; i < 2 && params[i] && status == PCS_OK; i++) {
            const cJSON *param = loader_member(json, params[i]);
            double value = 0;
            if (!param) {
                status = pcs_loader_field_missing(loader, params[i]);
            } else {
                size_t old = pcs_loader_push_key(loader, params[i]);
                status = pcs_loader_read_number(loader, param, -HUGE_VAL, HUGE_VAL, 0, &value);
                pcs_loader_pop(loader, old);
            }
            if (i == 0)
                dist->a = value;
            else
                dist->b = value;
        }
    }
    char why[200];
    why[0] = '\0';
    if (status == PCS_OK && pcs_dist_check(dist, why, sizeof why) != 0)
        status = pcs_loader_fail(loader, PCS_ERR_RANGE, why[0] ? why : "invalid parameters");
    if (status == PCS_OK)
        status = check_quantity(loader, dist, quantity, json);
    return status;
}

enum pcs_status pcs_loader_field_dist(struct loader *loader, const cJSON *object, const char *key, int required,
                                      const struct quantity *quantity, struct pcs_dist *out)
{
    const cJSON *value = loader_member(object, key);
    if (!value)
        return required ? pcs_loader_field_missing(loader, key) : PCS_OK;
    size_t old = pcs_loader_push_key(loader, key);
    enum pcs_status status = pcs_loader_read_dist(loader, value, quantity, out);
    pcs_loader_pop(loader, old);
    return status;
}
