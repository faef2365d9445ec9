/* The Monte Carlo report as JSON (schema pcsim.run.v1). */
#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "report_json.h"
#include "report_util.h"
#include "run_stats.h"

/* [low, high], or null when the interval has no value (n < 2). */
static cJSON *interval(double low, double high)
{
    if (!pcs_has_value(low) || !pcs_has_value(high))
        return pcs_report_json_number(NAN);
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, cJSON_CreateNumber(low));
    cJSON_AddItemToArray(pair, cJSON_CreateNumber(high));
    return pair;
}

static cJSON *summary_object(const struct pcs_summary *summary)
{
    cJSON *object = cJSON_CreateObject();
    cJSON_AddItemToObject(object, "n", pcs_report_json_integer(summary->n));
    cJSON_AddItemToObject(object, "mean", pcs_report_json_number(summary->mean));
    cJSON_AddItemToObject(object, "sd", pcs_report_json_number(summary->sd));
    cJSON_AddItemToObject(object, "p5", pcs_report_json_number(summary->p5));
    cJSON_AddItemToObject(object, "p50", pcs_report_json_number(summary->p50));
    cJSON_AddItemToObject(object, "p95", pcs_report_json_number(summary->p95));
    cJSON_AddItemToObject(object, "p99", pcs_report_json_number(summary->p99));
    cJSON_AddItemToObject(object, "ci95", interval(summary->ci95_low, summary->ci95_high));
    return object;
}

static cJSON *strategy_object(const struct pcs_scenario *scenario, const struct strategy_stats *st,
                              const char *first_name)
{
    cJSON *object = cJSON_CreateObject();
    const struct pcs_strategy *strategy = st->strategy;
    cJSON_AddStringToObject(object, "name", strategy->name);
    cJSON *route = cJSON_AddArrayToObject(object, "route");
    for (size_t i = 0; i < strategy->route_count; i++) {
        const struct pcs_scenario_model *model = &scenario->models[strategy->route[i].model];
        cJSON *step = cJSON_CreateObject();
        cJSON_AddStringToObject(step, "model", model->alias);
        cJSON_AddStringToObject(step, "model_id", model->model->id);
        cJSON_AddItemToObject(step, "attempts", pcs_report_json_integer(strategy->route[i].attempts));
        cJSON_AddItemToArray(route, step);
    }
    cJSON_AddStringToObject(object, "tier", pcs_tier_name(strategy->tier));
    cJSON_AddStringToObject(object, "cache", strategy->cache);
    cJSON_AddItemToObject(object, "trials", pcs_report_json_integer(st->trials));
    cJSON_AddItemToObject(object, "trials_with_completion", pcs_report_json_integer(st->trials_with_completion));
    cJSON_AddItemToObject(object, "cost_per_completed_task", summary_object(&st->cost_per_completed_task));
    cJSON *task_cost = cJSON_AddObjectToObject(object, "task_cost");
    cJSON_AddItemToObject(task_cost, "mean", pcs_report_json_number(st->task_cost_mean));
    cJSON_AddItemToObject(task_cost, "p5", pcs_report_json_number(st->task_cost_p5));
    cJSON_AddItemToObject(task_cost, "p50", pcs_report_json_number(st->task_cost_p50));
    cJSON_AddItemToObject(task_cost, "p95", pcs_report_json_number(st->task_cost_p95));
    cJSON_AddItemToObject(task_cost, "p99", pcs_report_json_number(st->task_cost_p99));
    cJSON_AddNumberToObject(object, "completion_rate", st->completion_rate);
    cJSON_AddNumberToObject(object, "attempts_per_task", st->attempts_per_task);
    cJSON_AddNumberToObject(object, "escalation_rate", st->escalation_rate);
    cJSON_AddNumberToObject(object, "failed_request_rate", st->failed_request_rate);
    cJSON_AddNumberToObject(object, "tasks_per_trial", st->tasks_per_trial);
    cJSON_AddItemToObject(object, "requests", pcs_report_json_integer(st->requests));
    cJSON_AddItemToObject(object, "cached_ratio", summary_object(&st->cached_ratio));
    cJSON_AddItemToObject(object, "spend_per_horizon", summary_object(&st->spend));
    if (st->has_paired) {
        cJSON *paired = cJSON_AddObjectToObject(object, "vs_first");
        cJSON_AddStringToObject(paired, "baseline", first_name);
        cJSON_AddItemToObject(paired, "n", pcs_report_json_integer(st->versus_first.n));
        cJSON_AddItemToObject(paired, "mean_difference", pcs_report_json_number(st->versus_first.mean_difference));
        cJSON_AddItemToObject(paired, "ci95", interval(st->versus_first.ci95_low, st->versus_first.ci95_high));
        cJSON_AddItemToObject(paired, "p_cheaper", pcs_report_json_number(st->versus_first.p_cheaper));
    } else {
        cJSON_AddNullToObject(object, "vs_first");
    }
    return object;
}

static enum pcs_status point_strategies(const struct pcs_run_point_report *point, cJSON *array)
{
    size_t count = point->result->strategy_count;
    struct strategy_stats *stats = calloc(count + 1, sizeof *stats);
    if (!stats)
        return PCS_ERR_NOMEM;
    enum pcs_status status = pcs_run_stats_compute(point, stats);
    for (size_t s = 0; s < count && status == PCS_OK; s++)
        cJSON_AddItemToArray(array, strategy_object(point->scenario, &stats[s], stats[0].strategy->name));
    free(stats);
    return status;
}

enum pcs_status pcs_report_run_json(FILE *out, const struct pcs_run_report *report)
{
    char when[40];
    const struct pcs_scenario *first = report->points[0].scenario;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "pcsim.run.v1");
    cJSON_AddStringToObject(root, "scenario", report->name);
    cJSON_AddStringToObject(root, "file", report->path);
    cJSON_AddItemToObject(root, "seed", pcs_report_json_integer(report->seed));
    cJSON_AddStringToObject(root, "rng", "pcsim-rrmxmx-counter: counter-based streams keyed by XXH3 of (seed, trial, task, ...)");
    cJSON_AddItemToObject(root, "trials", pcs_report_json_integer(report->points[0].result->trial_count));
    cJSON_AddBoolToObject(root, "trials_auto", report->trials_auto);
    if (report->trials_auto) {
        int converged;
        double widest;
        pcs_run_auto_outcome(report, &converged, &widest);
        cJSON_AddNumberToObject(root, "target_relative_half_width", report->target_relative_half_width);
        cJSON_AddBoolToObject(root, "converged", converged);
        cJSON_AddItemToObject(root, "half_width_reached", pcs_report_json_number(isfinite(widest) ? widest : NAN));
    }
    cJSON_AddNumberToObject(root, "horizon_hours", first->horizon_hours);
    cJSON_AddBoolToObject(root, "partial", report->partial);
    cJSON_AddStringToObject(root, "catalog", report->catalog_source);
    cJSON_AddStringToObject(root, "price_time", pcs_report_utc_time(report->price_time_s, when, sizeof when));
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (size_t m = 0; m < first->model_count; m++) {
        cJSON *model = cJSON_CreateObject();
        cJSON_AddStringToObject(model, "alias", first->models[m].alias);
        cJSON_AddStringToObject(model, "model_id", first->models[m].model->id);
        cJSON_AddStringToObject(model, "provider", first->models[m].model->provider->id);
        cJSON_AddItemToArray(models, model);
    }
    enum pcs_status status = PCS_OK;
    cJSON *points = cJSON_AddArrayToObject(root, "points");
    for (size_t p = 0; p < report->point_count && status == PCS_OK; p++) {
        cJSON *point = cJSON_CreateObject();
        cJSON_AddStringToObject(point, "label", report->points[p].label);
        cJSON_AddItemToObject(point, "trials", pcs_report_json_integer(report->points[p].result->trial_count));
        if (report->trials_auto) {
            const struct pcs_run_result *result = report->points[p].result;
            cJSON_AddBoolToObject(point, "converged", result->converged);
            cJSON_AddItemToObject(
                point, "half_width_reached",
                pcs_report_json_number(isfinite(result->relative_half_width) ? result->relative_half_width : NAN));
        }
        status = point_strategies(&report->points[p], cJSON_AddArrayToObject(point, "strategies"));
        cJSON_AddItemToArray(points, point);
    }
    /* Without a sweep the one point's strategies also sit at the top. */
    if (status == PCS_OK && report->point_count == 1)
        status = point_strategies(&report->points[0], cJSON_AddArrayToObject(root, "strategies"));
    char *text = status == PCS_OK ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return status == PCS_OK ? PCS_ERR_NOMEM : status;
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
