/* Loading Monte Carlo scenarios (schema pcsim.scenario.v1); see
 * pcsim/scenario.h and docs/scenario.md. Every field is checked and an
 * error names the file and the path of the field, as the catalog loader
 * does: "scenario.json: workload.task_types[0].steps.mean: missing".
 * Unknown fields are errors: a typo must never silently change a result.
 *
 * A sweep is expanded on the JSON tree, before anything is interpreted:
 * each point is a copy of the document with the swept values put in place,
 * loaded as a scenario of its own. The value checks therefore hold for
 * every point, whatever field is swept. */
#include "pcsim/scenario.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/json_doc.h"
#include "common/text_append.h"
#include "pcsim/cache.h"
#include "scenario_values.h"
#include "trace_requests.h"

#define SCENARIO_SCHEMA "pcsim.scenario.v1"
#define SCENARIO_EXPECTED "a scenario (schema " SCENARIO_SCHEMA ")"
#define MAX_SWEEP_POINTS 10000
#define MAX_SWEEP_PATHS 64
#define MAX_WHOLE 9007199254740992.0 /* 2^53: the largest whole number a JSON number holds exactly */

/* Limits that keep the engine's arithmetic finite (docs/scenario.md). A
 * constant above the engine's own clamps (scenario.h) is refused here
 * rather than silently cut there. */
#define MAX_TRIALS 10000000.0
#define MAX_HORIZON_HOURS 87600.0 /* ten years */
#define MAX_TASKS_PER_HOUR 1e9
#define MAX_DIURNAL 1e6
#define MAX_STEPS ((double)PCS_SCENARIO_MAX_STEPS)
#define MAX_TOKENS ((double)PCS_SCENARIO_MAX_TOKENS)
#define MAX_SECONDS 1e9
#define MAX_VARIANTS 100000.0
#define MAX_ATTEMPTS 100.0
/* How long after it is sent a batch request may run: the providers'
 * batch APIs promise completion within 24 hours. */
#define DEFAULT_BATCH_WINDOW_HOURS 24.0

static const struct quantity rate_quantity = {0, MAX_TASKS_PER_HOUR, 0, 1, 0};
static const struct quantity steps_quantity = {1, MAX_STEPS, 1, 0, 0};
static const struct quantity tokens_quantity = {0, MAX_TOKENS, 1, 0, 0};
static const struct quantity seconds_quantity = {0, MAX_SECONDS, 0, 0, 0};
static const struct quantity probability_quantity = {0, 1, 0, 0, 1};

/* --------------------------------------------------------------- workload */

static enum pcs_status load_segment(struct loader *loader, const cJSON *json, struct pcs_prefix_segment *segment)
{
    static const char *const fields[] = {"id", "tokens", "scope", "variants", NULL};
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a prefix segment {\"id\": ..., \"tokens\": ...}");
    enum pcs_status status = pcs_loader_check_members(loader, json, fields);
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "id", 1, &segment->id);
    if (status == PCS_OK)
        status = pcs_loader_field_dist(loader, json, "tokens", 1, &tokens_quantity, &segment->tokens);
    const char *scope = "global";
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "scope", 0, &scope);
    segment->scope = strcmp(scope, "task") == 0 ? PCS_PREFIX_TASK : PCS_PREFIX_GLOBAL;
    if (status == PCS_OK && segment->scope == PCS_PREFIX_GLOBAL && strcmp(scope, "global") != 0)
        status = pcs_loader_fail_at(loader, "scope", PCS_ERR_PARSE, "expected \"global\" or \"task\"");
    uint64_t variants = 1;
    if (status == PCS_OK && segment->scope == PCS_PREFIX_TASK && loader_member(json, "variants"))
        status = pcs_loader_fail_at(loader, "variants", PCS_ERR_PARSE,
                                    "only a global segment has variants (a task segment is new for every task)");
    if (status == PCS_OK)
        status = pcs_loader_field_whole(loader, json, "variants", 1, MAX_VARIANTS, &variants);
    segment->variants = (uint32_t)variants;
    return status;
}

static enum pcs_status load_prefix(struct loader *loader, const cJSON *json, struct pcs_task_type *type)
{
    int count = cJSON_IsArray(json) ? cJSON_GetArraySize(json) : -1;
    if (count < 0)
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected an array of prefix segments");
    if (count > PCS_SCENARIO_MAX_PREFIX)
        return pcs_loader_failf(loader, PCS_ERR_RANGE, "at most %d prefix segments", PCS_SCENARIO_MAX_PREFIX);
    struct pcs_prefix_segment *segments = pcs_arena_array(&loader->set->arena, (size_t)count, sizeof *segments);
    if (!segments)
        return pcs_loader_nomem(loader);
    type->prefix = segments;
    enum pcs_status status = PCS_OK;
    size_t i = 0;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next, i++) {
        size_t old = pcs_loader_push_index(loader, i);
        status = load_segment(loader, item, &segments[i]);
        for (size_t j = 0; j < i && status == PCS_OK; j++)
            if (strcmp(segments[j].id, segments[i].id) == 0)
                status = pcs_loader_fail_at(loader, "id", PCS_ERR_PARSE, "an earlier segment has the same id");
        pcs_loader_pop(loader, old);
        type->prefix_count = i + 1;
    }
    return status;
}

static enum pcs_status load_task_type(struct loader *loader, const cJSON *json, size_t index,
                                      struct pcs_task_type *type)
{
    static const char *const fields[] = {
        "name", "weight", "steps", "gap_seconds", "prefix", "step_input_tokens", "output_tokens", "history", NULL};
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a task type object");
    enum pcs_status status = pcs_loader_check_members(loader, json, fields);
    type->weight = 1;
    type->steps = pcs_dist_constant(1);
    type->gap_seconds = pcs_dist_constant(0);
    if (status == PCS_OK && !loader_member(json, "name")) {
        char name[64];
        snprintf(name, sizeof name, "task_types[%zu]", index);
        type->name = pcs_arena_strndup(&loader->set->arena, name, strlen(name));
        if (!type->name)
            status = pcs_loader_nomem(loader);
    }
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "name", 0, &type->name);
    if (status == PCS_OK)
        status = pcs_loader_field_number(loader, json, "weight", 0, 0, HUGE_VAL, 1, &type->weight);
    if (status == PCS_OK)
        status = pcs_loader_field_dist(loader, json, "steps", 0, &steps_quantity, &type->steps);
    if (status == PCS_OK)
        status = pcs_loader_field_dist(loader, json, "gap_seconds", 0, &seconds_quantity, &type->gap_seconds);
    const cJSON *prefix = loader_member(json, "prefix");
    if (status == PCS_OK && prefix) {
        size_t old = pcs_loader_push_key(loader, "prefix");
        status = load_prefix(loader, prefix, type);
        pcs_loader_pop(loader, old);
    }
    if (status == PCS_OK)
        status =
            pcs_loader_field_dist(loader, json, "step_input_tokens", 1, &tokens_quantity, &type->step_input_tokens);
    if (status == PCS_OK)
        status = pcs_loader_field_dist(loader, json, "output_tokens", 1, &tokens_quantity, &type->output_tokens);
    if (status == PCS_OK)
        status = pcs_loader_field_bool(loader, json, "history", &type->history);
    return status;
}

static enum pcs_status load_task_types(struct loader *loader, const cJSON *json, struct pcs_workload *workload)
{
    int count = cJSON_IsArray(json) ? cJSON_GetArraySize(json) : 0;
    if (count <= 0)
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a non-empty array of task types");
    struct pcs_task_type *types = pcs_arena_array(&loader->set->arena, (size_t)count, sizeof *types);
    if (!types)
        return pcs_loader_nomem(loader);
    workload->task_types = types;
    enum pcs_status status = PCS_OK;
    double weight_sum = 0;
    size_t i = 0;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next, i++) {
        size_t old = pcs_loader_push_index(loader, i);
        status = load_task_type(loader, item, i, &types[i]);
        for (size_t j = 0; j < i && status == PCS_OK; j++)
            if (strcmp(types[j].name, types[i].name) == 0)
                status =
                    pcs_loader_failf(loader, PCS_ERR_PARSE, "task type name \"%s\" is also the name of task_types[%zu]",
                                     types[i].name, j);
        weight_sum += types[i].weight;
        if (status == PCS_OK && !isfinite(weight_sum))
            status =
                pcs_loader_fail_at(loader, "weight", PCS_ERR_RANGE, "the weights add up to more than a double holds");
        pcs_loader_pop(loader, old);
        workload->task_type_count = i + 1;
    }
    return status;
}

static enum pcs_status load_diurnal(struct loader *loader, const cJSON *json, double *diurnal)
{
    if (!cJSON_IsArray(json) || cJSON_GetArraySize(json) != 24)
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected an array of exactly 24 hourly multipliers");
    enum pcs_status status = PCS_OK;
    double sum = 0;
    size_t hour = 0;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next, hour++) {
        size_t old = pcs_loader_push_index(loader, hour);
        status = pcs_loader_read_number(loader, item, 0, MAX_DIURNAL, 0, &diurnal[hour]);
        sum += diurnal[hour];
        pcs_loader_pop(loader, old);
    }
    if (status == PCS_OK && sum == 0)
        status = pcs_loader_fail(loader, PCS_ERR_RANGE, "all 24 multipliers are 0: no task would ever arrive");
    return status;
}

static enum pcs_status load_workload(struct loader *loader, const cJSON *json, struct pcs_scenario *scenario)
{
    static const char *const fields[] = {"tasks_per_hour", "diurnal", "task_types", NULL};
    struct pcs_workload *workload = &scenario->workload;
    for (int hour = 0; hour < 24; hour++)
        workload->diurnal[hour] = 1;
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected an object with tasks_per_hour and task_types");
    if (loader_member(json, "trace"))
        return pcs_loader_trace_workload(loader, json, &workload->trace);
    enum pcs_status status = pcs_loader_check_members(loader, json, fields);
    if (status == PCS_OK)
        status = pcs_loader_field_dist(loader, json, "tasks_per_hour", 1, &rate_quantity, &workload->tasks_per_hour);
    const cJSON *diurnal = loader_member(json, "diurnal");
    if (status == PCS_OK && diurnal) {
        size_t old = pcs_loader_push_key(loader, "diurnal");
        status = load_diurnal(loader, diurnal, workload->diurnal);
        pcs_loader_pop(loader, old);
    }
    const cJSON *types = loader_member(json, "task_types");
    if (status == PCS_OK && !types)
        status = pcs_loader_field_missing(loader, "task_types");
    if (status == PCS_OK) {
        size_t old = pcs_loader_push_key(loader, "task_types");
        status = load_task_types(loader, types, workload);
        pcs_loader_pop(loader, old);
    }
    return status;
}

/* ----------------------------------------------------------------- models */

/* "mini, full". */
static void alias_list(const struct pcs_scenario *scenario, char *text, size_t size)
{
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < scenario->model_count; i++)
        pcs_text_append(text, size, &used, "%s%s", i ? ", " : "", scenario->models[i].alias);
}

/* The index of alias in scenario's models, or an error naming the known ones. */
static enum pcs_status find_alias(struct loader *loader, const struct pcs_scenario *scenario, const char *alias,
                                  uint32_t *index)
{
    if (scenario->workload.trace && strcmp(alias, "trace") == 0) {
        *index = PCS_ROUTE_TRACE_MODEL; /* each request's own model */
        return PCS_OK;
    }
    for (size_t i = 0; i < scenario->model_count; i++)
        if (strcmp(scenario->models[i].alias, alias) == 0) {
            *index = (uint32_t)i;
            return PCS_OK;
        }
    char known[200];
    alias_list(scenario, known, sizeof known);
    return pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown model alias \"%s\" (known: %s%s)", alias, known,
                            scenario->workload.trace ? ", trace" : "");
}

/* The catalog model named by model->name (at the current path). */
static enum pcs_status resolve_model(struct loader *loader, struct pcs_scenario_model *model)
{
    model->model = pcs_catalog_resolve(loader->catalog, model->name, NULL);
    if (model->model)
        return PCS_OK;
    const char *nearest[3];
    size_t count = pcs_catalog_nearest(loader->catalog, model->name, nearest, 3);
    char list[200] = "";
    size_t used = 0;
    for (size_t i = 0; i < count; i++)
        pcs_text_append(list, sizeof list, &used, "%s%s", i ? ", " : "", nearest[i]);
    if (count == 0)
        return pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown model \"%s\" (not in the price catalog)", model->name);
    return pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown model \"%s\" (nearest known: %s)", model->name, list);
}

/* A model's latency (docs/scenario.md#latency): both distributions in
 * seconds; a duration is from sending to the last token, so constants
 * must not put it before the first token (a drawn one is raised to the
 * attempt's ttft by the engine). */
static enum pcs_status load_latency(struct loader *loader, const cJSON *json, struct pcs_scenario_model *model)
{
    model->ttft_seconds = pcs_dist_constant(0);
    model->duration_seconds = pcs_dist_constant(0);
    model->has_ttft = loader_member(json, "ttft_seconds") != NULL;
    model->has_duration = loader_member(json, "duration_seconds") != NULL;
    enum pcs_status status =
        pcs_loader_field_dist(loader, json, "ttft_seconds", 0, &seconds_quantity, &model->ttft_seconds);
    if (status == PCS_OK)
        status =
            pcs_loader_field_dist(loader, json, "duration_seconds", 0, &seconds_quantity, &model->duration_seconds);
    if (status == PCS_OK && model->has_ttft && model->has_duration && model->ttft_seconds.kind == PCS_DIST_CONSTANT &&
        model->duration_seconds.kind == PCS_DIST_CONSTANT && model->duration_seconds.a < model->ttft_seconds.a) {
        size_t old = pcs_loader_push_key(loader, "duration_seconds");
        status = pcs_loader_failf(loader, PCS_ERR_RANGE,
                                  "%g is shorter than ttft_seconds (%g): a duration runs from sending to the last "
                                  "token",
                                  model->duration_seconds.a, model->ttft_seconds.a);
        pcs_loader_pop(loader, old);
    }
    return status;
}

/* "mini": "gpt-5.4-mini", or "mini": {"model": "gpt-5.4-mini",
 * "ttft_seconds": dist, "duration_seconds": dist}. */
static enum pcs_status load_model(struct loader *loader, const cJSON *json, struct pcs_scenario_model *model)
{
    static const char *const fields[] = {"model", "ttft_seconds", "duration_seconds", NULL};
    model->alias = pcs_arena_strndup(&loader->set->arena, json->string, strlen(json->string));
    if (!model->alias)
        return pcs_loader_nomem(loader);
    if (!json->string[0])
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "a model alias must not be empty");
    if (!cJSON_IsObject(json)) {
        if (!cJSON_IsString(json))
            return pcs_loader_fail(loader, PCS_ERR_PARSE,
                                   "expected a non-empty string (a model name) or {\"model\": NAME, "
                                   "\"ttft_seconds\": ..., \"duration_seconds\": ...}");
        enum pcs_status status = pcs_loader_read_string(loader, json, &model->name);
        return status == PCS_OK ? resolve_model(loader, model) : status;
    }
    enum pcs_status status = pcs_loader_check_members(loader, json, fields);
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "model", 1, &model->name);
    if (status == PCS_OK) {
        size_t old = pcs_loader_push_key(loader, "model");
        status = resolve_model(loader, model);
        pcs_loader_pop(loader, old);
    }
    return status == PCS_OK ? load_latency(loader, json, model) : status;
}

static enum pcs_status load_models(struct loader *loader, const cJSON *json, struct pcs_scenario *scenario)
{
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE,
                               "expected an object of model aliases: {\"mini\": \"gpt-5.4-mini\", ...}");
    enum pcs_status status = PCS_OK;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next) {
        if (pcs_loader_is_comment(item))
            continue;
        if (scenario->model_count == PCS_SCENARIO_MAX_MODELS)
            return pcs_loader_failf(loader, PCS_ERR_RANGE, "at most %d models", PCS_SCENARIO_MAX_MODELS);
        size_t old = pcs_loader_push_key(loader, item->string);
        status = load_model(loader, item, &scenario->models[scenario->model_count++]);
        pcs_loader_pop(loader, old);
    }
    if (status == PCS_OK && scenario->model_count == 0)
        status =
            pcs_loader_fail(loader, PCS_ERR_PARSE, "expected at least one model: {\"mini\": \"gpt-5.4-mini\", ...}");
    return status;
}

/* ---------------------------------------------------------------- failure */

static enum pcs_status load_failure_p(struct loader *loader, const cJSON *json, struct pcs_scenario *scenario)
{
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected an object of failure probabilities by model alias");
    enum pcs_status status = PCS_OK;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next) {
        if (pcs_loader_is_comment(item))
            continue;
        size_t old = pcs_loader_push_key(loader, item->string);
        uint32_t model = 0;
        status = find_alias(loader, scenario, item->string, &model);
        struct pcs_dist *p = model == PCS_ROUTE_TRACE_MODEL ? &scenario->failure.p_trace : &scenario->failure.p[model];
        if (status == PCS_OK)
            status = pcs_loader_read_dist(loader, item, &probability_quantity, p);
        pcs_loader_pop(loader, old);
    }
    return status;
}

static enum pcs_status load_failure(struct loader *loader, const cJSON *json, struct pcs_scenario *scenario)
{
    static const char *const fields[] = {"p", "correlation", "failed_output_fraction", "retry_delay_seconds", NULL};
    struct pcs_failure *failure = &scenario->failure;
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE,
                               "expected an object with p, correlation, failed_output_fraction, "
                               "retry_delay_seconds");
    enum pcs_status status = pcs_loader_check_members(loader, json, fields);
    const cJSON *p = loader_member(json, "p");
    if (status == PCS_OK && p) {
        size_t old = pcs_loader_push_key(loader, "p");
        status = load_failure_p(loader, p, scenario);
        pcs_loader_pop(loader, old);
    }
    if (status == PCS_OK)
        status = pcs_loader_field_number(loader, json, "correlation", 0, 0, 1, 0, &failure->correlation);
    if (status == PCS_OK)
        status = pcs_loader_field_number(loader, json, "failed_output_fraction", 0, 0, 1, 0,
                                         &failure->failed_output_fraction);
    if (status == PCS_OK)
        status =
            pcs_loader_field_number(loader, json, "retry_delay_seconds", 0, 0, MAX_SECONDS, 0, &failure->retry_delay_s);
    return status;
}

/* ------------------------------------------------------------- strategies */

static enum pcs_status load_route(struct loader *loader, const cJSON *json, const struct pcs_scenario *scenario,
                                  struct pcs_strategy *strategy)
{
    int count = cJSON_IsArray(json) ? cJSON_GetArraySize(json) : 0;
    if (count <= 0)
        return pcs_loader_fail(loader, PCS_ERR_PARSE,
                               "expected a non-empty array of {\"model\": alias, \"attempts\": n}");
    if (count > PCS_SCENARIO_MAX_ROUTE)
        return pcs_loader_failf(loader, PCS_ERR_RANGE, "at most %d route steps", PCS_SCENARIO_MAX_ROUTE);
    enum pcs_status status = PCS_OK;
    size_t i = 0;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next, i++) {
        static const char *const fields[] = {"model", "attempts", NULL};
        struct pcs_route_step *step = &strategy->route[i];
        size_t old = pcs_loader_push_index(loader, i);
        if (!cJSON_IsObject(item))
            status = pcs_loader_fail(loader, PCS_ERR_PARSE, "expected {\"model\": alias, \"attempts\": n}");
        if (status == PCS_OK)
            status = pcs_loader_check_members(loader, item, fields);
        const char *alias = NULL;
        if (status == PCS_OK)
            status = pcs_loader_field_string(loader, item, "model", 1, &alias);
        if (status == PCS_OK) {
            size_t field = pcs_loader_push_key(loader, "model");
            status = find_alias(loader, scenario, alias, &step->model);
            pcs_loader_pop(loader, field);
        }
        uint64_t attempts = 1;
        if (status == PCS_OK)
            status = pcs_loader_field_whole(loader, item, "attempts", 1, MAX_ATTEMPTS, &attempts);
        step->attempts = (uint32_t)attempts;
        pcs_loader_pop(loader, old);
        strategy->route_count = i + 1;
    }
    return status;
}

/* "auto" or a preset whose cache a scenario can build (lru needs a
 * capacity, which a scenario does not give). */
static enum pcs_status check_cache(struct loader *loader, const char *cache)
{
    struct pcs_cache_config config;
    if (strcmp(cache, "auto") == 0 ||
        (pcs_cache_preset(cache, &config) == PCS_OK && pcs_cache_config_check(&config, NULL) == PCS_OK))
        return PCS_OK;
    char presets[280], list[300];
    snprintf(list, sizeof list, "auto, %s", pcs_cache_preset_list(1, presets, sizeof presets));
    if (pcs_cache_preset(cache, &config) == PCS_OK)
        return pcs_loader_failf(loader, PCS_ERR_PARSE,
                                "cache preset \"%s\" needs settings a scenario cannot give (use one of: %s)", cache,
                                list);
    return pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown cache preset \"%s\" (expected one of: %s)", cache, list);
}

/* The parameter whose report key is key (pcs_cache_param_info's json_key:
 * "ttl_s", "lookback", ...), or PCS_PARAM_COUNT. */
static enum pcs_cache_param param_of_key(const char *key)
{
    for (int p = 0; p < PCS_PARAM_COUNT; p++) {
        const struct pcs_cache_param_info *info = pcs_cache_param_info((enum pcs_cache_param)p);
        if (info->json_key && strcmp(info->json_key, key) == 0)
            return (enum pcs_cache_param)p;
    }
    return PCS_PARAM_COUNT;
}

/* "cache": {"preset": NAME, KEY: value, ...}: a preset with some of its
 * parameters changed, each KEY a parameter as reports name it (the policy
 * object of a JSON report), a duration in seconds, a count or a switch
 * (0/1 or false/true). A key the preset's policy does not read is an
 * error (with "auto", the key is only checked to be a parameter). */
static enum pcs_status load_cache_object(struct loader *loader, const cJSON *json, struct pcs_strategy *strategy)
{
    enum pcs_status status = pcs_loader_field_string(loader, json, "preset", 1, &strategy->cache);
    size_t old = pcs_loader_push_key(loader, "preset");
    if (status == PCS_OK)
        status = check_cache(loader, strategy->cache);
    pcs_loader_pop(loader, old);
    if (status != PCS_OK)
        return status;
    struct pcs_cache_config config;
    int automatic = strcmp(strategy->cache, "auto") == 0;
    if (!automatic && pcs_cache_preset(strategy->cache, &config) != PCS_OK)
        return pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown cache preset \"%s\"", strategy->cache);
    char text[256];
    size_t used = (size_t)snprintf(text, sizeof text, "%s", strategy->cache);
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next) {
        if (strcmp(item->string, "preset") == 0)
            continue;
        old = pcs_loader_push_key(loader, item->string);
        enum pcs_cache_param param = param_of_key(item->string);
        const struct pcs_cache_param_info *info = pcs_cache_param_info(param);
        if (!info || param == PCS_PARAM_MARKERS) {
            char known[200] = "";
            size_t k = 0;
            for (int p = 0; p < PCS_PARAM_COUNT; p++) {
                const struct pcs_cache_param_info *each = pcs_cache_param_info((enum pcs_cache_param)p);
                if (each->json_key && p != PCS_PARAM_MARKERS)
                    k += (size_t)snprintf(known + k, k < sizeof known ? sizeof known - k : 0, "%s%s", k ? ", " : "",
                                          each->json_key);
            }
            status = pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown cache parameter (known: preset, %s)", known);
        } else if (!automatic && !(pcs_policy_info(config.policy)->uses & info->uses)) {
            status = pcs_loader_failf(loader, PCS_ERR_PARSE, "the %s policy of preset \"%s\" does not use it",
                                      pcs_policy_name(config.policy), strategy->cache);
        } else {
            double value = 0;
            if (cJSON_IsBool(item) && info->unit == PCS_UNIT_SWITCH)
                value = cJSON_IsTrue(item);
            else if (info->unit == PCS_UNIT_SWITCH)
                status = pcs_loader_read_number(loader, item, 0, 1, 0, &value);
            else
                status = pcs_loader_read_number(loader, item, 0, 1e15, 0, &value);
            if (status == PCS_OK && value != (double)(uint64_t)value)
                status = pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a whole number");
            if (status == PCS_OK) {
                uint64_t stored = info->unit == PCS_UNIT_MS ? (uint64_t)value * 1000 : (uint64_t)value;
                strategy->cache_overrides.given |= info->uses;
                strategy->cache_overrides.value[param] = stored;
                if (used < sizeof text)
                    used += (size_t)snprintf(text + used, sizeof text - used, "%s%s %.0f", used ? ", " : "",
                                             item->string, value);
            }
        }
        pcs_loader_pop(loader, old);
    }
    if (status != PCS_OK)
        return status;
    if (!automatic) {
        struct pcs_error err = {0};
        pcs_cache_overrides_apply(&strategy->cache_overrides, &config);
        if (pcs_cache_config_check(&config, &err) != PCS_OK)
            return pcs_loader_failf(loader, PCS_ERR_PARSE, "%s", err.message);
    }
    strategy->cache_text = pcs_arena_strndup(&loader->set->arena, text, strlen(text));
    return strategy->cache_text ? PCS_OK : pcs_loader_nomem(loader);
}

enum pcs_status pcs_strategy_cache_config(const struct pcs_strategy *strategy, const struct pcs_model *model,
                                          struct pcs_cache_config *config)
{
    enum pcs_status status = pcs_model_cache_config(strategy->cache, model, config);
    if (status == PCS_OK)
        pcs_cache_overrides_apply(&strategy->cache_overrides, config);
    return status;
}

/* A model of a route must be sold at its strategy's tier. */
static enum pcs_status check_model_tier(struct loader *loader, const struct pcs_strategy *strategy, const char *alias,
                                        const struct pcs_model *model)
{
    const struct pcs_provider *provider = model->provider;
    if (pcs_provider_tier_multiplier(provider, strategy->tier) > 0)
        return PCS_OK;
    char sold[100] = "";
    size_t used = 0;
    for (size_t t = 0; t < provider->tier_count; t++)
        if (provider->tiers[t].multiplier > 0)
            pcs_text_append(sold, sizeof sold, &used, "%s%s", used ? ", " : "", pcs_tier_name(provider->tiers[t].tier));
    return pcs_loader_failf(loader, PCS_ERR_PARSE,
                            "model \"%s\" (%s, provider %s) is not sold at tier \"%s\" (%s sells: %s)", alias,
                            model->id, provider->id, pcs_tier_name(strategy->tier), provider->id, sold);
}

/* A route entry of model "trace": every model of the trace, after the
 * strategy's model_map, must be priced (and sold at a tier the strategy
 * names). */
static enum pcs_status check_trace_models(struct loader *loader, const struct pcs_scenario *scenario,
                                          struct pcs_strategy *strategy)
{
    const struct pcs_trace_requests *requests = scenario->workload.trace->requests;
    const struct pcs_model **models =
        pcs_arena_array(&loader->set->arena, requests->model_count ? requests->model_count : 1, sizeof *models);
    if (!models)
        return pcs_loader_nomem(loader);
    strategy->trace_models = models;
    for (size_t m = 0; m < requests->model_count; m++) {
        const char *name = pcs_trace_model_mapped(strategy, requests->model_names[m]);
        const struct pcs_model *model = pcs_catalog_resolve(loader->catalog, name, NULL);
        if (!model)
            return pcs_loader_failf(loader, PCS_ERR_PARSE,
                                    "the trace's model \"%s\" (first at %s) is not in the price catalog; map it to "
                                    "one in the strategy's model_map",
                                    name, requests->places[m]);
        models[m] = model;
        if (strategy->tier_given && strategy->tier != PCS_TIER_STANDARD) {
            enum pcs_status status = check_model_tier(loader, strategy, name, model);
            if (status != PCS_OK)
                return status;
        }
    }
    return PCS_OK;
}

/* Every model of the route must be sold at the tier. */
static enum pcs_status check_tier(struct loader *loader, const struct pcs_scenario *scenario,
                                  struct pcs_strategy *strategy)
{
    for (size_t i = 0; i < strategy->route_count; i++) {
        enum pcs_status status = PCS_OK;
        if (strategy->route[i].model == PCS_ROUTE_TRACE_MODEL) {
            size_t old = pcs_loader_push_index(loader, i);
            status = check_trace_models(loader, scenario, strategy);
            pcs_loader_pop(loader, old);
        } else if (strategy->tier != PCS_TIER_STANDARD) {
            const struct pcs_scenario_model *model = &scenario->models[strategy->route[i].model];
            status = check_model_tier(loader, strategy, model->alias, model->model);
        }
        if (status != PCS_OK)
            return status;
    }
    return PCS_OK;
}

static enum pcs_status load_strategy(struct loader *loader, const cJSON *json, const struct pcs_scenario *scenario,
                                     struct pcs_strategy *strategy)
{
    static const char *const fields[] = {"name", "route", "cache", "tier", "model_map", NULL};
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a strategy {\"name\": ..., \"route\": [...]}");
    enum pcs_status status = pcs_loader_check_members(loader, json, fields);
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "name", 1, &strategy->name);
    const cJSON *model_map = loader_member(json, "model_map");
    if (status == PCS_OK && model_map) {
        size_t old = pcs_loader_push_key(loader, "model_map");
        status = pcs_loader_model_map(loader, model_map, scenario->workload.trace, strategy);
        pcs_loader_pop(loader, old);
    }
    const cJSON *route = loader_member(json, "route");
    if (status == PCS_OK && !route)
        status = pcs_loader_field_missing(loader, "route");
    if (status == PCS_OK) {
        size_t old = pcs_loader_push_key(loader, "route");
        status = load_route(loader, route, scenario, strategy);
        pcs_loader_pop(loader, old);
    }
    strategy->cache = "auto";
    const cJSON *cache = loader_member(json, "cache");
    if (status == PCS_OK && cache) {
        size_t old = pcs_loader_push_key(loader, "cache");
        status = cJSON_IsObject(cache) ? load_cache_object(loader, cache, strategy)
                                       : pcs_loader_read_string(loader, cache, &strategy->cache);
        if (status == PCS_OK && !cJSON_IsObject(cache))
            status = check_cache(loader, strategy->cache);
        pcs_loader_pop(loader, old);
    }
    if (status == PCS_OK && !strategy->cache_text)
        strategy->cache_text = strategy->cache;
    const char *tier = "standard";
    strategy->tier_given = loader_member(json, "tier") != NULL;
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "tier", 0, &tier);
    int parsed = pcs_tier_parse(tier);
    strategy->tier = parsed < 0 ? PCS_TIER_STANDARD : (enum pcs_tier)parsed;
    size_t old = pcs_loader_push_key(loader, "tier");
    if (status == PCS_OK && parsed < 0)
        status = pcs_loader_failf(loader, PCS_ERR_PARSE,
                                  "unknown tier \"%s\" (expected standard, batch, flex or priority)", tier);
    pcs_loader_pop(loader, old);
    if (status == PCS_OK) {
        /* Tier problems are the tier's; a trace model the catalog lacks is the route's. */
        old = pcs_loader_push_key(loader, strategy->tier_given ? "tier" : "route");
        status = check_tier(loader, scenario, strategy);
        pcs_loader_pop(loader, old);
    }
    return status;
}

static enum pcs_status load_strategies(struct loader *loader, const cJSON *json, struct pcs_scenario *scenario)
{
    int count = cJSON_IsArray(json) ? cJSON_GetArraySize(json) : 0;
    if (count <= 0)
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a non-empty array of strategies");
    if (count > PCS_SCENARIO_MAX_STRATEGIES)
        return pcs_loader_failf(loader, PCS_ERR_RANGE, "at most %d strategies", PCS_SCENARIO_MAX_STRATEGIES);
    enum pcs_status status = PCS_OK;
    size_t i = 0;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next, i++) {
        struct pcs_strategy *strategy = &scenario->strategies[i];
        size_t old = pcs_loader_push_index(loader, i);
        status = load_strategy(loader, item, scenario, strategy);
        for (size_t j = 0; j < i && status == PCS_OK; j++)
            if (strcmp(scenario->strategies[j].name, strategy->name) == 0)
                status = pcs_loader_fail_at(loader, "name", PCS_ERR_PARSE, "an earlier strategy has the same name");
        pcs_loader_pop(loader, old);
        scenario->strategy_count = i + 1;
    }
    return status;
}

/* --------------------------------------------------------------- scenario */

/* The object and schema checks shared by the whole file and each point. */
static enum pcs_status check_root(struct loader *loader, const cJSON *root)
{
    static const char *const fields[] = {
        "schema",   "name",    "description", "seed",  "trials", "horizon_hours", "batch_window_hours", "models",
        "workload", "failure", "strategies",  "sweep", NULL};
    if (!cJSON_IsObject(root))
        return pcs_loader_fail(loader, PCS_ERR_PARSE,
                               "expected a JSON object with \"schema\": \"" SCENARIO_SCHEMA "\"");
    const cJSON *schema = loader_member(root, "schema");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, SCENARIO_SCHEMA) != 0)
        return pcs_loader_fail_at(loader, "schema", PCS_ERR_FORMAT, "expected \"" SCENARIO_SCHEMA "\"");
    return pcs_loader_check_members(loader, root, fields);
}

/* One of the scenario's parts (models first: the others name them). */
typedef enum pcs_status (*part_loader)(struct loader *loader, const cJSON *json, struct pcs_scenario *scenario);

static enum pcs_status load_part(struct loader *loader, const cJSON *root, const char *key, int required,
                                 part_loader load, struct pcs_scenario *scenario)
{
    const cJSON *json = loader_member(root, key);
    if (!json)
        return required ? pcs_loader_field_missing(loader, key) : PCS_OK;
    size_t old = pcs_loader_push_key(loader, key);
    enum pcs_status status = load(loader, json, scenario);
    pcs_loader_pop(loader, old);
    return status;
}

/* The last component of a path ("dir/x.json" -> "x.json"). */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* A trace workload's horizon (the trace's span from its first request when
 * not given), and the alias "trace" kept for each request's own model. */
static enum pcs_status settle_trace_workload(struct loader *loader, const cJSON *root, struct pcs_scenario *scenario)
{
    for (size_t i = 0; i < scenario->model_count; i++)
        if (strcmp(scenario->models[i].alias, "trace") == 0) {
            size_t old = pcs_loader_push_key(loader, "models");
            enum pcs_status status = pcs_loader_fail_at(loader, "trace", PCS_ERR_PARSE,
                                                        "in a trace workload \"trace\" names each request's own model; "
                                                        "give this model another alias");
            pcs_loader_pop(loader, old);
            return status;
        }
    if (!loader_member(root, "horizon_hours")) {
        const struct pcs_trace_requests *requests = scenario->workload.trace->requests;
        scenario->horizon_hours = (double)(requests->t_ms[requests->count - 1] - requests->t_ms[0]) / 3.6e6;
        scenario->horizon_from_trace = 1;
    }
    return PCS_OK;
}

static enum pcs_status load_scenario(struct loader *loader, const cJSON *root, struct pcs_scenario *scenario)
{
    memset(scenario, 0, sizeof *scenario);
    scenario->seed = 1;
    scenario->trials = 100;
    scenario->failure.failed_output_fraction = 1;
    for (size_t i = 0; i < PCS_SCENARIO_MAX_MODELS; i++)
        scenario->failure.p[i] = pcs_dist_constant(0);
    enum pcs_status status = check_root(loader, root);
    const cJSON *description = loader_member(root, "description");
    if (status == PCS_OK && description && !cJSON_IsString(description))
        status = pcs_loader_fail_at(loader, "description", PCS_ERR_PARSE, "expected a string");
    if (status == PCS_OK && !loader_member(root, "name")) {
        const char *file = base_name(loader->file);
        scenario->name = pcs_arena_strndup(&loader->set->arena, file, strlen(file));
        if (!scenario->name)
            status = pcs_loader_nomem(loader);
    }
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, root, "name", 0, &scenario->name);
    if (status == PCS_OK)
        status = pcs_loader_field_whole(loader, root, "seed", 0, MAX_WHOLE, &scenario->seed);
    if (status == PCS_OK)
        status = pcs_loader_field_whole(loader, root, "trials", 1, MAX_TRIALS, &scenario->trials);
    /* A trace workload's horizon may be left to the trace's span. */
    const cJSON *workload = loader_member(root, "workload");
    int trace_workload = cJSON_IsObject(workload) && loader_member(workload, "trace");
    if (status == PCS_OK)
        status = pcs_loader_field_number(loader, root, "horizon_hours", !trace_workload, 0, MAX_HORIZON_HOURS, 1,
                                         &scenario->horizon_hours);
    scenario->batch_window_hours = DEFAULT_BATCH_WINDOW_HOURS;
    if (status == PCS_OK)
        status = pcs_loader_field_number(loader, root, "batch_window_hours", 0, 0, MAX_HORIZON_HOURS, 0,
                                         &scenario->batch_window_hours);

    if (status == PCS_OK)
        status = load_part(loader, root, "models", 1, load_models, scenario);
    if (status == PCS_OK)
        status = load_part(loader, root, "workload", 1, load_workload, scenario);
    if (status == PCS_OK && scenario->workload.trace)
        status = settle_trace_workload(loader, root, scenario);
    if (status == PCS_OK)
        status = load_part(loader, root, "failure", 0, load_failure, scenario);
    if (status == PCS_OK)
        status = load_part(loader, root, "strategies", 1, load_strategies, scenario);
    return status;
}

/* ------------------------------------------------------------------ sweep */

/* One step of a sweep path, as it resolves in the document: an array
 * index or an object key. */
struct path_step {
    const char *key; /* NULL for an index */
    int index;
};

struct sweep_path {
    const char *text;        /* as written: the sweep's key */
    const cJSON *values;     /* the array of values */
    char *buffer;            /* the keys of steps point into it (malloc) */
    struct path_step *steps; /* malloc */
    size_t step_count;
};

static enum pcs_status sweep_fail(struct loader *loader, const char *path, enum pcs_status status, const char *what)
{
    return pcs_error_set(loader->err, status, "%s: sweep.\"%s\": %s", loader->name, path, what);
}

/* A run of digits as an index (at most INT_MAX), else -1. */
static int parse_index(const char *text, size_t len)
{
    if (len == 0 || len > 9)
        return -1;
    int index = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        index = index * 10 + (text[i] - '0');
    }
    return index;
}

/* Splits "a.b[0].c.1" into steps: keys, and [i] indices; a key of digits
 * stays a key here and becomes an index where it meets an array. Returns
 * 0, -1 when malformed, -2 when out of memory. */
static int parse_sweep_path(struct sweep_path *sweep)
{
    size_t len = strlen(sweep->text);
    sweep->buffer = malloc(2 * len + 2);
    sweep->steps = malloc((len + 1) * sizeof *sweep->steps);
    if (!sweep->buffer || !sweep->steps)
        return -2;
    const char *p = sweep->text;
    char *pool = sweep->buffer;
    while (*p) {
        struct path_step *step = &sweep->steps[sweep->step_count++];
        if (*p == '[') {
            const char *close = strchr(p, ']');
            step->key = NULL;
            step->index = close ? parse_index(p + 1, (size_t)(close - p - 1)) : -1;
            if (step->index < 0)
                return -1;
            p = close + 1;
        } else {
            size_t key_len = strcspn(p, ".[]");
            if (key_len == 0)
                return -1;
            memcpy(pool, p, key_len);
            pool[key_len] = '\0';
            step->key = pool;
            step->index = parse_index(p, key_len);
            pool += key_len + 1;
            p += key_len;
        }
        if (*p == '.') {
            p++;
            if (!*p || *p == '.' || *p == '[' || *p == ']')
                return -1;
        } else if (*p && *p != '[') {
            return -1;
        }
    }
    return sweep->step_count ? 0 : -1;
}

/* The node at the first count steps from root, or NULL. A key of digits
 * that meets an array becomes an index, so that paths compare as resolved. */
static cJSON *walk_path(const cJSON *root, struct path_step *steps, size_t count)
{
    cJSON *node = NULL;
    const cJSON *at = root;
    for (size_t i = 0; i < count && at; i++) {
        struct path_step *step = &steps[i];
        if (cJSON_IsArray(at) && step->index >= 0) {
            step->key = NULL;
            node = cJSON_GetArrayItem(at, step->index);
        } else if (cJSON_IsObject(at) && step->key) {
            node = cJSON_GetObjectItemCaseSensitive(at, step->key);
        } else {
            node = NULL;
        }
        at = node;
    }
    return node;
}

/* 1 if one path leads into the other (or both to the same field). */
static int paths_overlap(const struct sweep_path *a, const struct sweep_path *b)
{
    size_t count = a->step_count < b->step_count ? a->step_count : b->step_count;
    for (size_t i = 0; i < count; i++) {
        const struct path_step *x = &a->steps[i];
        const struct path_step *y = &b->steps[i];
        if ((x->key == NULL) != (y->key == NULL))
            return 0;
        if (x->key ? strcmp(x->key, y->key) != 0 : x->index != y->index)
            return 0;
    }
    return 1;
}

/* Puts a copy of value at the sweep's path in root. */
static int replace_at(cJSON *root, struct sweep_path *sweep, const cJSON *value)
{
    cJSON *parent = sweep->step_count > 1 ? walk_path(root, sweep->steps, sweep->step_count - 1) : root;
    cJSON *copy = parent ? cJSON_Duplicate(value, 1) : NULL;
    if (!copy)
        return -1;
    const struct path_step *last = &sweep->steps[sweep->step_count - 1];
    cJSON_bool done = last->key ? cJSON_ReplaceItemInObjectCaseSensitive(parent, last->key, copy)
                                : cJSON_ReplaceItemInArray(parent, last->index, copy);
    if (!done)
        cJSON_Delete(copy);
    return done ? 0 : -1;
}

/* A growing string for labels. */
struct text {
    char *data;
    size_t len, cap;
    int failed;
};

static void text_add(struct text *text, const char *part)
{
    size_t len = strlen(part);
    if (text->failed)
        return;
    if (text->len + len + 1 > text->cap) {
        size_t cap = (text->len + len + 1) * 2;
        char *grown = realloc(text->data, cap);
        if (!grown) {
            text->failed = 1;
            return;
        }
        text->data = grown;
        text->cap = cap;
    }
    memcpy(text->data + text->len, part, len + 1);
    text->len += len;
}

/* A swept value as labels show it: compact JSON, strings bare. */
static void add_value(struct text *text, const cJSON *value)
{
    if (cJSON_IsString(value)) {
        text_add(text, value->valuestring);
        return;
    }
    char *printed = cJSON_PrintUnformatted(value);
    if (printed)
        text_add(text, printed);
    else
        text->failed = 1;
    cJSON_free(printed);
}

/* "path=value, path=value". */
static void add_label_part(struct text *label, const struct sweep_path *sweep, const cJSON *value)
{
    if (label->len)
        text_add(label, ", ");
    text_add(label, sweep->text);
    text_add(label, "=");
    add_value(label, value);
}

/* The point's value of one path, kept in the set's arena. */
static int set_setting(struct arena *arena, const struct sweep_path *sweep, const cJSON *value,
                       struct pcs_sweep_setting *setting)
{
    struct text text = {NULL, 0, 0, 0};
    text_add(&text, "");
    add_value(&text, value);
    setting->path = pcs_arena_strndup(arena, sweep->text, strlen(sweep->text));
    setting->value = text.failed ? NULL : pcs_arena_strndup(arena, text.data, text.len);
    setting->number = cJSON_IsNumber(value) ? value->valuedouble : NAN;
    free(text.data);
    return setting->path && setting->value ? 0 : -1;
}

/* Reads the sweep's paths and checks each against the document. */
static enum pcs_status load_sweep_paths(struct loader *loader, const cJSON *root, const cJSON *json,
                                        struct sweep_path *paths, size_t *count)
{
    enum pcs_status status = PCS_OK;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next) {
        if (pcs_loader_is_comment(item))
            continue;
        if (*count == MAX_SWEEP_PATHS)
            return pcs_loader_fail_at(loader, "sweep", PCS_ERR_RANGE, "at most 64 paths");
        struct sweep_path *sweep = &paths[(*count)++];
        sweep->text = item->string;
        sweep->values = item;
        int parsed = parse_sweep_path(sweep);
        if (parsed == -2)
            return pcs_loader_nomem(loader);
        if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) == 0)
            status = sweep_fail(loader, item->string, PCS_ERR_PARSE, "expected a non-empty array of values");
        else if (parsed < 0)
            status = sweep_fail(loader, item->string, PCS_ERR_PARSE,
                                "malformed path (expected keys and indices: workload.task_types[0].steps.mean)");
        else if (sweep->steps[0].key && strcmp(sweep->steps[0].key, "sweep") == 0)
            status = sweep_fail(loader, item->string, PCS_ERR_PARSE, "a sweep cannot change the sweep");
        else if (!walk_path(root, sweep->steps, sweep->step_count))
            status = sweep_fail(loader, item->string, PCS_ERR_PARSE, "no such field");
        for (size_t i = 0; i + 1 < *count && status == PCS_OK; i++)
            if (paths_overlap(&paths[i], sweep)) {
                char what[PCS_ERROR_MAX];
                snprintf(what, sizeof what, "overlaps the sweep of \"%s\"", paths[i].text);
                status = sweep_fail(loader, item->string, PCS_ERR_PARSE, what);
            }
    }
    return status;
}

/* Loads point index of the product: its copy of the document, label and
 * scenario. The first path varies slowest. */
static enum pcs_status load_point(struct loader *loader, const cJSON *root, struct sweep_path *paths, size_t count,
                                  size_t index, struct pcs_scenario_point *point)
{
    cJSON *copy = cJSON_Duplicate(root, 1);
    if (!copy)
        return pcs_loader_nomem(loader);
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "sweep");
    const cJSON *chosen[MAX_SWEEP_PATHS];
    size_t rest = index;
    for (size_t k = count; k-- > 0;) {
        size_t size = (size_t)cJSON_GetArraySize(paths[k].values);
        chosen[k] = cJSON_GetArrayItem(paths[k].values, (int)(rest % size));
        rest /= size;
    }
    struct text label = {NULL, 0, 0, 0};
    text_add(&label, "");
    struct pcs_sweep_setting *settings = pcs_arena_array(&loader->set->arena, count, sizeof *settings);
    int failed = !settings;
    for (size_t k = 0; k < count && !failed; k++) {
        add_label_part(&label, &paths[k], chosen[k]);
        failed |= replace_at(copy, &paths[k], chosen[k]);
        failed |= set_setting(&loader->set->arena, &paths[k], chosen[k], &settings[k]);
    }
    point->setting_count = count;
    point->settings = settings;
    enum pcs_status status = PCS_OK;
    point->label = label.failed || failed ? NULL : pcs_arena_strndup(&loader->set->arena, label.data, label.len);
    if (!point->label)
        status = pcs_loader_nomem(loader);
    const char *file_name = loader->name;
    size_t name_size = strlen(file_name) + label.len + 32;
    char *point_name = status == PCS_OK ? malloc(name_size) : NULL;
    if (status == PCS_OK && !point_name)
        status = pcs_loader_nomem(loader);
    if (status == PCS_OK) {
        if (label.len)
            snprintf(point_name, name_size, "%s (sweep point %s)", file_name, point->label);
        else
            snprintf(point_name, name_size, "%s", file_name);
        loader->name = point_name;
        status = load_scenario(loader, copy, &point->scenario);
        loader->name = file_name;
    }
    free(point_name);
    free(label.data);
    cJSON_Delete(copy);
    return status;
}

static enum pcs_status load_sweep(struct loader *loader, const cJSON *root, const cJSON *json)
{
    if (!cJSON_IsObject(json))
        return pcs_loader_fail_at(loader, "sweep", PCS_ERR_PARSE, "expected an object of \"path\": [values]");
    enum pcs_status status = PCS_OK;
    struct sweep_path paths[MAX_SWEEP_PATHS];
    size_t count = 0;
    memset(paths, 0, sizeof paths);
    if (status == PCS_OK)
        status = load_sweep_paths(loader, root, json, paths, &count);
    size_t points = 1;
    for (size_t k = 0; k < count && status == PCS_OK; k++) {
        points *= (size_t)cJSON_GetArraySize(paths[k].values);
        if (points > MAX_SWEEP_POINTS)
            status = pcs_loader_fail_at(loader, "sweep", PCS_ERR_RANGE, "more than 10000 points");
    }
    pcs_scenario_set *set = loader->set;
    if (status == PCS_OK) {
        set->points = pcs_arena_array(&set->arena, points, sizeof *set->points);
        status = set->points ? PCS_OK : pcs_loader_nomem(loader);
    }
    for (size_t i = 0; i < points && status == PCS_OK; i++) {
        status = load_point(loader, root, paths, count, i, &set->points[i]);
        set->point_count = i + 1;
    }
    for (size_t k = 0; k < count; k++) {
        free(paths[k].buffer);
        free(paths[k].steps);
    }
    return status;
}

/* ------------------------------------------------------------- public API */

static enum pcs_status load_set(struct loader *loader, const cJSON *root)
{
    enum pcs_status status = check_root(loader, root);
    if (status != PCS_OK)
        return status;
    const cJSON *sweep = loader_member(root, "sweep");
    if (sweep)
        return load_sweep(loader, root, sweep);
    pcs_scenario_set *set = loader->set;
    set->points = pcs_arena_alloc(&set->arena, sizeof *set->points);
    if (!set->points)
        return pcs_loader_nomem(loader);
    set->point_count = 1;
    set->points[0].label = "";
    set->points[0].setting_count = 0;
    set->points[0].settings = NULL;
    return load_scenario(loader, root, &set->points[0].scenario);
}

/* The set in root, which json_doc checked: one JSON document, no key given
 * twice. */
static pcs_scenario_set *set_from_root(const cJSON *root, const char *name, const char *base_dir,
                                       const pcs_catalog *catalog, struct pcs_error *err)
{
    pcs_scenario_set *set = calloc(1, sizeof *set);
    if (!set) {
        pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory loading the scenario", name);
        return NULL;
    }
    struct loader loader = {set, catalog, name, name, base_dir, err, {0}, 0};
    if (load_set(&loader, root) != PCS_OK) {
        pcs_scenario_set_free(set);
        return NULL;
    }
    return set;
}

pcs_scenario_set *pcs_scenario_parse(const char *text, size_t size, const char *name, const char *base_dir,
                                     const pcs_catalog *catalog, struct pcs_error *err)
{
    if (!name)
        name = "scenario";
    cJSON *root;
    if (pcs_json_doc_parse(text, size, name, SCENARIO_EXPECTED, &root, err) != PCS_OK)
        return NULL;
    pcs_scenario_set *set = set_from_root(root, name, base_dir, catalog, err);
    cJSON_Delete(root);
    return set;
}

pcs_scenario_set *pcs_scenario_load(const char *path, const pcs_catalog *catalog, struct pcs_error *err)
{
    cJSON *root;
    if (pcs_json_doc_load(path, SCENARIO_EXPECTED, &root, err) != PCS_OK)
        return NULL;
    /* Relative trace paths start from the scenario's directory. */
    const char *slash = strrchr(path, '/');
    char *base_dir = NULL;
    if (slash) {
        size_t len = slash == path ? 1 : (size_t)(slash - path);
        base_dir = malloc(len + 1);
        if (!base_dir) {
            cJSON_Delete(root);
            pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory loading the scenario", path);
            return NULL;
        }
        memcpy(base_dir, path, len);
        base_dir[len] = '\0';
    }
    pcs_scenario_set *set = set_from_root(root, path, base_dir, catalog, err);
    free(base_dir);
    cJSON_Delete(root);
    return set;
}

void pcs_scenario_set_free(pcs_scenario_set *set)
{
    if (!set)
        return;
    for (struct loaded_trace *trace = set->traces; trace; trace = trace->next)
        pcs_trace_requests_free(trace->requests);
    pcs_arena_free(&set->arena);
    free(set);
}

size_t pcs_scenario_point_count(const pcs_scenario_set *set)
{
    return set->point_count;
}

const struct pcs_scenario_point *pcs_scenario_point(const pcs_scenario_set *set, size_t index)
{
    return index < set->point_count ? &set->points[index] : NULL;
}
