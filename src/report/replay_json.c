/* The replay report as JSON (schema pcsim.replay.v1). Token counts are
 * written as exact integers (cJSON numbers are doubles, so they go in raw). */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "columns.h"
#include "reconcile_report.h"
#include "report_json.h"
#include "report_util.h"

static cJSON *policy_object(struct report_json *doc, cJSON *parent, const char *name,
                            const struct pcs_cache_config *config)
{
    cJSON *policy = pcs_report_json_object(doc, parent, "policy");
    pcs_report_json_add_string(doc, policy, "name", name);
    pcs_report_json_add_string(doc, policy, "policy", pcs_policy_name(config->policy));
    pcs_report_json_policy_parameters(doc, policy, config, 0);
    return policy;
}

static void parts_object(struct report_json *doc, cJSON *parent, const struct pcs_cost *cost)
{
    cJSON *parts = pcs_report_json_object(doc, parent, "parts");
    pcs_report_json_add_number(doc, parts, "input", cost->uncached);
    pcs_report_json_add_number(doc, parts, "cache_read", cost->cache_read);
    pcs_report_json_add_number(doc, parts, "cache_write", cost->cache_write);
    pcs_report_json_add_number(doc, parts, "cache_write_1h", cost->cache_write_1h);
    pcs_report_json_add_number(doc, parts, "output", cost->output);
    pcs_report_json_add_number(doc, parts, "requests", cost->requests);
}

/* total, without_cache, ideal, savings and the parts, in USD. */
static void add_costs(struct report_json *doc, cJSON *object, const struct pcs_cost *with, double without, double ideal)
{
    pcs_report_json_add_number(doc, object, "total", with->total);
    pcs_report_json_add_number(doc, object, "without_cache", without);
    pcs_report_json_add_number(doc, object, "ideal", ideal);
    pcs_report_json_add_number(doc, object, "savings", without - with->total);
    parts_object(doc, object, with);
}

static void cost_object(struct report_json *doc, const struct pcs_replay_report *report, const uint32_t *models)
{
    const struct pcs_replay_cost *cost = report->cost;
    const struct pcs_replay_result *result = report->result;
    char when[40];
    cJSON *object = pcs_report_json_object(doc, doc->root, "cost");
    pcs_report_json_add_string(doc, object, "currency", "USD");
    pcs_report_json_add_string(doc, object, "catalog", report->catalog_source);
    pcs_report_json_add_string(doc, object, "price_time", pcs_report_utc_time(report->price_time_s, when, sizeof when));
    if (report->tier_override >= 0)
        pcs_report_json_add_string(doc, object, "tier", pcs_tier_name((enum pcs_tier)report->tier_override));
    else
        pcs_report_json_add_null(doc, object, "tier");
    if (report->region_uplift < 0)
        pcs_report_json_add_string(doc, object, "region_uplift", "catalog");
    else
        pcs_report_json_add_number(doc, object, "region_uplift", report->region_uplift);
    add_costs(doc, object, &cost->with_cache, cost->without_cache, cost->ideal);
    pcs_report_json_put(doc, object, "priced_requests", pcs_report_json_integer(cost->priced_requests));
    pcs_report_json_put(doc, object, "unpriced_requests", pcs_report_json_integer(cost->unpriced_requests));
    cJSON *by_model = pcs_report_json_array(doc, object, "by_model");
    cJSON *unpriced = pcs_report_json_array(doc, object, "unpriced_models");
    for (size_t i = 0; i < result->model_count; i++) {
        if (!result->by_model[models[i]].requests)
            continue;
        const char *name = pcs_trace_model_name(report->trace, models[i]);
        const struct pcs_model_cost *model_cost = models[i] < cost->model_count ? &cost->by_model[models[i]] : NULL;
        if (!model_cost || !model_cost->priced_as) {
            pcs_report_json_add_string(doc, unpriced, NULL, name);
            continue;
        }
        cJSON *model = pcs_report_json_object(doc, by_model, NULL);
        pcs_report_json_add_string(doc, model, "model", name);
        pcs_report_json_add_string(doc, model, "priced_as", model_cost->priced_as->id);
        pcs_report_json_add_string(doc, model, "provider", model_cost->priced_as->provider->id);
        add_costs(doc, model, &model_cost->with_cache, model_cost->without_cache, model_cost->ideal);
    }
}

static void tasks_object(struct report_json *doc, const struct pcs_task_stats *tasks)
{
    cJSON *object = pcs_report_json_object(doc, doc->root, "tasks");
    pcs_report_json_put(doc, object, "tasks", pcs_report_json_integer(tasks->tasks));
    pcs_report_json_put(doc, object, "completed", pcs_report_json_integer(tasks->completed));
    pcs_report_json_put(doc, object, "requests", pcs_report_json_integer(tasks->requests));
    pcs_report_json_add_number(doc, object, "completion_rate", (double)tasks->completed / (double)tasks->tasks);
    pcs_report_json_add_number(doc, object, "attempts_per_task", (double)tasks->requests / (double)tasks->tasks);
    pcs_report_json_add_number(doc, object, "spend", tasks->spend);
    if (tasks->completed)
        pcs_report_json_add_number(doc, object, "cost_per_completed_task", tasks->spend / (double)tasks->completed);
    else
        pcs_report_json_add_null(doc, object, "cost_per_completed_task");
    pcs_report_json_add_number(doc, object, "failed_spend_share",
                               tasks->spend > 0 ? tasks->failed_spend / tasks->spend : 0.0);
}

enum pcs_status pcs_report_replay_json(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_replay_result *result = report->result;
    const struct report_table *table = &pcs_report_replay_table;
    struct report_json doc;
    pcs_report_json_begin(&doc, "pcsim.replay.v1");
    cJSON *root = doc.root;
    cJSON *policy;
    if (report->model_configs && strcmp(report->preset, "auto") == 0) {
        /* Each model took its provider's policy (by_model[].policy); the
         * base config is only the fallback for models outside the catalog. */
        policy = pcs_report_json_object(&doc, root, "policy");
        pcs_report_json_add_string(&doc, policy, "name", report->preset);
        pcs_report_json_add_string(&doc, policy, "policy", "auto");
    } else {
        policy = policy_object(&doc, root, report->preset, &report->config);
    }
    int64_t marker_ttl_ms;
    const char *markers = pcs_report_markers_name(pcs_report_replay_markers(report, &marker_ttl_ms));
    if (markers)
        pcs_report_json_add_string(&doc, policy, "ttl_markers", markers);
    cJSON *files = pcs_report_json_array(&doc, root, "files");
    for (size_t i = 0; i < report->path_count; i++) {
        cJSON *file = pcs_report_json_object(&doc, files, NULL);
        pcs_report_json_add_string(&doc, file, "path", report->paths[i]);
        pcs_report_json_add_string(&doc, file, "format",
                                   pcs_trace_format_name(pcs_trace_file_format(report->trace, i)));
    }
    struct report_usage_row total = pcs_report_replay_row(report, -1);
    pcs_report_table_json(&doc, root, table, &total, REPORT_JSON_HEAD);
    pcs_report_json_put(&doc, root, "skipped", pcs_report_json_integer(result->skipped));
    pcs_report_json_add_bool(&doc, root, "partial", report->partial);
    if (report->sharded_servers) /* only then: other reports stay as they were */
        pcs_report_json_put(&doc, root, "sharded_servers", pcs_report_json_integer(report->sharded_servers));
    pcs_report_json_add_bool(&doc, root, "prefix_identity", !pcs_trace_lacks_prefixes(report->trace));
    if (pcs_trace_counts_only_format(report->trace)) /* only then: other reports stay as they were */
        pcs_report_json_add_bool(&doc, root, "prefixes_from_counts", 1);
    pcs_report_table_json(&doc, root, table, &total, REPORT_JSON_BODY);
    cJSON *by_model = pcs_report_json_array(&doc, root, "by_model");
    uint32_t *models = pcs_report_models_by_name(report);
    if (!models) {
        pcs_report_json_discard(&doc);
        return PCS_ERR_NOMEM;
    }
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_usage *usage = &result->by_model[models[i]];
        if (!usage->requests)
            continue;
        struct report_usage_row row = pcs_report_replay_row(report, models[i]);
        cJSON *model = pcs_report_json_object(&doc, by_model, NULL);
        pcs_report_json_add_string(&doc, model, "model", pcs_trace_model_name(report->trace, models[i]));
        pcs_report_table_json(&doc, model, table, &row, REPORT_JSON_HEAD);
        pcs_report_table_json(&doc, model, table, &row, REPORT_JSON_BODY);
        if (report->model_configs)
            policy_object(&doc, model, report->preset, &report->model_configs[models[i]]);
    }
    if (report->cost)
        cost_object(&doc, report, models);
    else
        pcs_report_json_add_null(&doc, root, "cost");
    if (report->cost && report->cost->tasks.tasks)
        tasks_object(&doc, &report->cost->tasks);
    else
        pcs_report_json_add_null(&doc, root, "tasks");
    free(models);
    if (report->reconciliation && pcs_report_reconcile_json(&doc, report) != PCS_OK) {
        pcs_report_json_discard(&doc);
        return PCS_ERR_NOMEM;
    }
    return pcs_report_json_finish(out, &doc);
}
