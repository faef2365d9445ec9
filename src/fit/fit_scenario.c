/* A fit as a scenario file (include/pcsim/fit.h, docs/fit.md): the
 * synthetic workload of docs/scenario.md, its numbers from the fit. */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "pcsim/fit.h"

/* A distribution: the one value as a number, else {"dist": "empirical",
 * "values": [...]}. NULL when out of memory. */
static cJSON *distribution(const struct pcs_fit_sizes *sizes)
{
    int constant = 1;
    for (size_t i = 1; i < sizes->count; i++)
        constant &= sizes->values[i] == sizes->values[0];
    if (sizes->count == 0)
        return cJSON_CreateNumber(0);
    if (constant)
        return cJSON_CreateNumber(sizes->values[0]);
    cJSON *dist = cJSON_CreateObject();
    cJSON *values = cJSON_CreateDoubleArray(sizes->values, (int)sizes->count);
    if (!dist || !values || !cJSON_AddStringToObject(dist, "dist", "empirical") ||
        !cJSON_AddItemToObject(dist, "values", values)) {
        cJSON_Delete(values);
        cJSON_Delete(dist);
        return NULL;
    }
    return dist;
}

/* Adds item under name to object (to an array when name is NULL); 0, or
 * -1 (item freed) when out of memory. */
static int add(cJSON *object, const char *name, cJSON *item)
{
    if (!item)
        return -1;
    if (!(name ? cJSON_AddItemToObject(object, name, item) : cJSON_AddItemToArray(object, item))) {
        cJSON_Delete(item);
        return -1;
    }
    return 0;
}

/* A prefix segment added to prefix (a task type's); 0 or -1. */
static int add_segment(cJSON *prefix, const char *id, const struct pcs_fit_sizes *tokens, const char *scope,
                       uint64_t variants)
{
    cJSON *segment = cJSON_CreateObject();
    if (add(prefix, NULL, segment) != 0)
        return -1;
    if (!cJSON_AddStringToObject(segment, "id", id) || add(segment, "tokens", distribution(tokens)) != 0 ||
        !cJSON_AddStringToObject(segment, "scope", scope))
        return -1;
    if (variants > 0 && !cJSON_AddNumberToObject(segment, "variants", (double)variants))
        return -1;
    return 0;
}

/* Adds the task type to types; 0 or -1. */
static int add_task_type(cJSON *types, const struct pcs_fit_type *type)
{
    cJSON *json = cJSON_CreateObject();
    if (add(types, NULL, json) != 0)
        return -1;
    if (!cJSON_AddStringToObject(json, "name", type->name) ||
        !cJSON_AddNumberToObject(json, "weight", (double)type->tasks) ||
        add(json, "steps", distribution(&type->steps)) != 0 ||
        add(json, "gap_seconds", distribution(&type->gap_seconds)) != 0)
        return -1;
    cJSON *prefix = cJSON_AddArrayToObject(json, "prefix");
    if (!prefix)
        return -1;
    if (type->global_tokens.count > 0 &&
        add_segment(prefix, "global", &type->global_tokens, "global", type->variants) != 0)
        return -1;
    if (type->history && type->opening_tokens.count > 0 &&
        add_segment(prefix, "opening", &type->opening_tokens, "task", 0) != 0)
        return -1;
    if (add(json, "step_input_tokens", distribution(&type->step_input_tokens)) != 0 ||
        add(json, "output_tokens", distribution(&type->output_tokens)) != 0 ||
        !cJSON_AddBoolToObject(json, "history", type->history))
        return -1;
    return 0;
}

/* The scenario's fields into root; 0 or -1. */
static int fill(cJSON *root, const struct pcs_fit *fit, const char *name, uint64_t trials, const char *preset)
{
    char comment[256];
    snprintf(comment, sizeof comment,
             "fitted by pcsim fit from %llu requests (tasks by %s); diurnal[0] is the hour from the trace's first "
             "request, %02d:%02d UTC on the trace's clock",
             (unsigned long long)fit->requests, pcs_fit_task_rule_name(fit->rule), (int)(fit->first_utc_minute / 60),
             (int)(fit->first_utc_minute % 60));
    if (!cJSON_AddStringToObject(root, "schema", "pcsim.scenario.v1") || !cJSON_AddStringToObject(root, "name", name) ||
        !cJSON_AddStringToObject(root, "$comment", comment) || !cJSON_AddNumberToObject(root, "seed", 1) ||
        !cJSON_AddNumberToObject(root, "trials", (double)trials) ||
        !cJSON_AddNumberToObject(root, "horizon_hours", fit->horizon_hours))
        return -1;
    cJSON *models = cJSON_AddObjectToObject(root, "models");
    if (!models || !cJSON_AddStringToObject(models, "main", fit->model))
        return -1;
    cJSON *workload = cJSON_AddObjectToObject(root, "workload");
    if (!workload || !cJSON_AddNumberToObject(workload, "tasks_per_hour", fit->tasks_per_hour) ||
        add(workload, "diurnal", cJSON_CreateDoubleArray(fit->diurnal, 24)) != 0)
        return -1;
    cJSON *types = cJSON_AddArrayToObject(workload, "task_types");
    if (!types)
        return -1;
    for (size_t k = 0; k < PCS_FIT_TYPE_COUNT; k++)
        if (fit->types[k].tasks > 0 && add_task_type(types, &fit->types[k]) != 0)
            return -1;
    cJSON *strategies = cJSON_AddArrayToObject(root, "strategies");
    cJSON *strategy = cJSON_CreateObject();
    if (!strategies || add(strategies, NULL, strategy) != 0 || !cJSON_AddStringToObject(strategy, "name", "fitted"))
        return -1;
    cJSON *route = cJSON_AddArrayToObject(strategy, "route");
    cJSON *step = cJSON_CreateObject();
    if (!route || add(route, NULL, step) != 0 || !cJSON_AddStringToObject(step, "model", "main") ||
        !cJSON_AddNumberToObject(step, "attempts", 1) || !cJSON_AddStringToObject(strategy, "cache", preset))
        return -1;
    return 0;
}

char *pcs_fit_scenario_json(const struct pcs_fit *fit, const char *name, uint64_t trials, const char *preset)
{
    cJSON *root = cJSON_CreateObject();
    char *text = root && fill(root, fit, name, trials, preset) == 0 ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    return text;
}
