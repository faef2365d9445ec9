/* The scenario fields of trace workloads (DESIGN §10, docs/scenario.md):
 * workload.trace and its companions, and a strategy's model_map. The
 * trace is read here, once per set for each way of reading it. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text_append.h"
#include "scenario_values.h"
#include "trace_requests.h"

/* time_scale: a positive factor; 10^6 either way is far past any use. */
static const struct quantity time_scale_quantity = {0, 1e6, 0, 1, 0};

const char *pcs_trace_model_mapped(const struct pcs_strategy *strategy, const char *trace_name)
{
    for (size_t i = 0; i < strategy->model_map_count; i++)
        if (strcmp(strategy->model_map[i].from, trace_name) == 0)
            return strategy->model_map[i].to;
    return trace_name;
}

/* "trace": a path or a non-empty array of them, each joined to the
 * scenario's directory. */
static enum pcs_status load_paths(struct loader *loader, const cJSON *json, struct pcs_trace_workload *trace)
{
    size_t count = cJSON_IsString(json) ? 1 : cJSON_IsArray(json) ? (size_t)cJSON_GetArraySize(json) : 0;
    if (count == 0)
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a file name or a non-empty array of file names");
    const char **paths = pcs_arena_array(&loader->set->arena, count, sizeof *paths);
    if (!paths)
        return pcs_loader_nomem(loader);
    size_t i = 0;
    for (const cJSON *item = cJSON_IsString(json) ? json : json->child; i < count; item = item->next, i++) {
        size_t old = cJSON_IsArray(json) ? pcs_loader_push_index(loader, i) : loader->path_len;
        if (!cJSON_IsString(item) || !item->valuestring[0]) {
            enum pcs_status status = pcs_loader_fail(loader, PCS_ERR_PARSE, "expected a file name");
            pcs_loader_pop(loader, old);
            return status;
        }
        pcs_loader_pop(loader, old);
        char *joined = pcs_loader_join_path(loader->base_dir, item->valuestring);
        paths[i] = joined ? pcs_arena_strndup(&loader->set->arena, joined, strlen(joined)) : NULL;
        free(joined);
        if (!paths[i])
            return pcs_loader_nomem(loader);
    }
    trace->paths = paths;
    trace->path_count = count;
    return PCS_OK;
}

/* The requests for trace's way of reading, read now or shared. */
static enum pcs_status load_requests(struct loader *loader, struct pcs_trace_workload *trace)
{
    char key[4096] = "";
    size_t used = 0;
    pcs_text_append(key, sizeof key, &used, "%d|%d|%s", trace->input_format, (int)trace->task, trace->model);
    for (size_t i = 0; i < trace->path_count; i++)
        pcs_text_append(key, sizeof key, &used, "|%s", trace->paths[i]);
    struct loaded_trace *entry = loader->set->traces;
    while (entry && strcmp(entry->key, key) != 0)
        entry = entry->next;
    if (!entry) {
        struct pcs_error trace_err;
        struct pcs_trace_requests *requests = pcs_trace_requests_load(
            trace->paths, trace->path_count, trace->input_format, trace->model, trace->task, &trace_err);
        if (!requests)
            return trace_err.status == PCS_ERR_NOMEM ? pcs_loader_nomem(loader)
                                                     : pcs_loader_fail(loader, trace_err.status, trace_err.message);
        entry = pcs_arena_alloc(&loader->set->arena, sizeof *entry);
        if (entry)
            entry->key = pcs_arena_strndup(&loader->set->arena, key, strlen(key));
        if (!entry || !entry->key) {
            pcs_trace_requests_free(requests);
            return pcs_loader_nomem(loader);
        }
        entry->requests = requests;
        entry->next = loader->set->traces;
        loader->set->traces = entry;
    }
    trace->requests = entry->requests;
    trace->request_count = entry->requests->count;
    trace->task_count = entry->requests->task_count;
    return PCS_OK;
}

static enum pcs_status load_task_mode(struct loader *loader, const cJSON *json, struct pcs_trace_workload *trace)
{
    const char *task = "session";
    enum pcs_status status = pcs_loader_field_string(loader, json, "task", 0, &task);
    if (status != PCS_OK)
        return status;
    if (strcmp(task, "session") == 0)
        trace->task = PCS_TRACE_TASK_SESSION;
    else if (strcmp(task, "task") == 0)
        trace->task = PCS_TRACE_TASK_TASK;
    else if (strcmp(task, "request") == 0)
        trace->task = PCS_TRACE_TASK_REQUEST;
    else
        return pcs_loader_fail_at(loader, "task", PCS_ERR_PARSE, "expected \"session\", \"task\" or \"request\"");
    return PCS_OK;
}

enum pcs_status pcs_loader_trace_workload(struct loader *loader, const cJSON *json,
                                          const struct pcs_trace_workload **out)
{
    static const char *const fields[] = {"trace", "input_format", "model", "task", "time_scale", NULL};
    struct pcs_trace_workload *trace = pcs_arena_alloc(&loader->set->arena, sizeof *trace);
    if (!trace)
        return pcs_loader_nomem(loader);
    memset(trace, 0, sizeof *trace);
    trace->model = "default";
    trace->time_scale = pcs_dist_constant(1);
    enum pcs_status status = pcs_loader_check_members(loader, json, fields);
    if (status == PCS_OK) {
        size_t old = pcs_loader_push_key(loader, "trace");
        status = load_paths(loader, loader_member(json, "trace"), trace);
        pcs_loader_pop(loader, old);
    }
    const char *format = "auto";
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "input_format", 0, &format);
    int parsed = pcs_trace_format_parse(format);
    if (status == PCS_OK && parsed < 0) {
        char list[300];
        size_t old = pcs_loader_push_key(loader, "input_format");
        status = pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown format \"%s\" (expected %s)", format,
                                  pcs_trace_format_list(list, sizeof list));
        pcs_loader_pop(loader, old);
    }
    trace->input_format = parsed < 0 ? 0 : parsed;
    if (status == PCS_OK)
        status = pcs_loader_field_string(loader, json, "model", 0, &trace->model);
    if (status == PCS_OK)
        status = load_task_mode(loader, json, trace);
    if (status == PCS_OK)
        status = pcs_loader_field_dist(loader, json, "time_scale", 0, &time_scale_quantity, &trace->time_scale);
    if (status == PCS_OK) {
        size_t old = pcs_loader_push_key(loader, "trace");
        status = load_requests(loader, trace);
        pcs_loader_pop(loader, old);
    }
    *out = trace;
    return status;
}

enum pcs_status pcs_loader_model_map(struct loader *loader, const cJSON *json, const struct pcs_trace_workload *trace,
                                     struct pcs_strategy *strategy)
{
    if (!trace)
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "only a trace workload's strategies map its models");
    if (!cJSON_IsObject(json))
        return pcs_loader_fail(loader, PCS_ERR_PARSE, "expected an object: {\"trace model\": \"model to run it on\"}");
    size_t count = 0;
    for (const cJSON *item = json->child; item; item = item->next)
        count += !pcs_loader_is_comment(item);
    struct pcs_model_alias *map = pcs_arena_array(&loader->set->arena, count ? count : 1, sizeof *map);
    if (!map)
        return pcs_loader_nomem(loader);
    const struct pcs_trace_requests *requests = trace->requests;
    enum pcs_status status = PCS_OK;
    size_t i = 0;
    for (const cJSON *item = json->child; item && status == PCS_OK; item = item->next) {
        if (pcs_loader_is_comment(item))
            continue;
        size_t old = pcs_loader_push_key(loader, item->string);
        size_t m = 0;
        while (m < requests->model_count && strcmp(requests->model_names[m], item->string) != 0)
            m++;
        if (m == requests->model_count) {
            char known[300] = "";
            size_t used = 0;
            for (size_t k = 0; k < requests->model_count; k++)
                pcs_text_append(known, sizeof known, &used, "%s%s", k ? ", " : "", requests->model_names[k]);
            status = pcs_loader_failf(loader, PCS_ERR_PARSE, "no request of the trace has model \"%s\" (it has: %s)",
                                      item->string, known);
        }
        const char *to = NULL;
        if (status == PCS_OK)
            status = pcs_loader_read_string(loader, item, &to);
        if (status == PCS_OK && !pcs_catalog_resolve(loader->catalog, to, NULL))
            status = pcs_loader_failf(loader, PCS_ERR_PARSE, "unknown model \"%s\" (not in the price catalog)", to);
        if (status == PCS_OK) {
            map[i].from = requests->model_names[m];
            map[i].to = to;
            i++;
        }
        pcs_loader_pop(loader, old);
    }
    strategy->model_map = map;
    strategy->model_map_count = i;
    return status;
}
