/* The Monte Carlo report as JSON (schema pcsim.run.v1). */
#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "report_json.h"
#include "report_util.h"
#include "run_stats.h"

/* [low, high], or null when the interval has no value (n < 2). */
static cJSON *interval(struct report_json *doc, double low, double high)
{
    if (!pcs_has_value(low) || !pcs_has_value(high))
        return pcs_report_json_number(NAN);
    cJSON *pair = cJSON_CreateArray();
    pcs_report_json_put(doc, pair, NULL, cJSON_CreateNumber(low));
    pcs_report_json_put(doc, pair, NULL, cJSON_CreateNumber(high));
    return pair;
}

static cJSON *summary_object(struct report_json *doc, const struct pcs_summary *summary)
{
    cJSON *object = cJSON_CreateObject();
    pcs_report_json_put(doc, object, "n", pcs_report_json_integer(summary->n));
    pcs_report_json_put(doc, object, "mean", pcs_report_json_number(summary->mean));
    pcs_report_json_put(doc, object, "sd", pcs_report_json_number(summary->sd));
    pcs_report_json_put(doc, object, "p5", pcs_report_json_number(summary->p5));
    pcs_report_json_put(doc, object, "p50", pcs_report_json_number(summary->p50));
    pcs_report_json_put(doc, object, "p95", pcs_report_json_number(summary->p95));
    pcs_report_json_put(doc, object, "p99", pcs_report_json_number(summary->p99));
    pcs_report_json_put(doc, object, "ci95", interval(doc, summary->ci95_low, summary->ci95_high));
    return object;
}

static cJSON *strategy_object(struct report_json *doc, const struct pcs_scenario *scenario,
                              const struct strategy_stats *st, const char *first_name)
{
    cJSON *object = cJSON_CreateObject();
    const struct pcs_strategy *strategy = st->strategy;
    pcs_report_json_add_string(doc, object, "name", strategy->name);
    cJSON *route = pcs_report_json_array(doc, object, "route");
    for (size_t i = 0; i < strategy->route_count; i++) {
        cJSON *step = cJSON_CreateObject();
        if (strategy->route[i].model == PCS_ROUTE_TRACE_MODEL) {
            pcs_report_json_add_string(doc, step, "model", "trace"); /* each request's own: no one id */
        } else {
            const struct pcs_scenario_model *model = &scenario->models[strategy->route[i].model];
            pcs_report_json_add_string(doc, step, "model", model->alias);
            pcs_report_json_add_string(doc, step, "model_id", model->model->id);
        }
        pcs_report_json_put(doc, step, "attempts", pcs_report_json_integer(strategy->route[i].attempts));
        pcs_report_json_put(doc, route, NULL, step);
    }
    pcs_report_json_add_string(doc, object, "tier", pcs_run_tier_name(scenario, strategy));
    pcs_report_json_add_string(doc, object, "cache", strategy->cache);
    pcs_report_json_cache_overrides(doc, object, "cache_parameters", &strategy->cache_overrides);
    pcs_report_json_put(doc, object, "trials", pcs_report_json_integer(st->trials));
    pcs_report_json_put(doc, object, "trials_with_completion", pcs_report_json_integer(st->trials_with_completion));
    pcs_report_json_put(doc, object, "cost_per_completed_task", summary_object(doc, &st->cost_per_completed_task));
    cJSON *task_cost = pcs_report_json_object(doc, object, "task_cost");
    pcs_report_json_put(doc, task_cost, "mean", pcs_report_json_number(st->task_cost_mean));
    pcs_report_json_put(doc, task_cost, "p5", pcs_report_json_number(st->task_cost_p5));
    pcs_report_json_put(doc, task_cost, "p50", pcs_report_json_number(st->task_cost_p50));
    pcs_report_json_put(doc, task_cost, "p95", pcs_report_json_number(st->task_cost_p95));
    pcs_report_json_put(doc, task_cost, "p99", pcs_report_json_number(st->task_cost_p99));
    pcs_report_json_add_number(doc, object, "completion_rate", st->completion_rate);
    pcs_report_json_add_number(doc, object, "attempts_per_task", st->attempts_per_task);
    pcs_report_json_add_number(doc, object, "escalation_rate", st->escalation_rate);
    pcs_report_json_add_number(doc, object, "failed_request_rate", st->failed_request_rate);
    pcs_report_json_add_number(doc, object, "tasks_per_trial", st->tasks_per_trial);
    pcs_report_json_put(doc, object, "requests", pcs_report_json_integer(st->requests));
    pcs_report_json_put(doc, object, "cached_ratio", summary_object(doc, &st->cached_ratio));
    pcs_report_json_put(doc, object, "spend_per_horizon", summary_object(doc, &st->spend));
    if (st->has_task_duration)
        pcs_report_json_put(doc, object, "task_duration_s", pcs_report_json_number(st->task_duration_s));
    if (st->has_paired) {
        cJSON *paired = pcs_report_json_object(doc, object, "vs_first");
        pcs_report_json_add_string(doc, paired, "baseline", first_name);
        pcs_report_json_put(doc, paired, "n", pcs_report_json_integer(st->versus_first.n));
        pcs_report_json_put(doc, paired, "mean_difference", pcs_report_json_number(st->versus_first.mean_difference));
        pcs_report_json_put(doc, paired, "ci95", interval(doc, st->versus_first.ci95_low, st->versus_first.ci95_high));
        pcs_report_json_put(doc, paired, "p_cheaper", pcs_report_json_number(st->versus_first.p_cheaper));
    } else {
        pcs_report_json_add_null(doc, object, "vs_first");
    }
    return object;
}

static enum pcs_status point_strategies(struct report_json *doc, const struct pcs_run_point_report *point, cJSON *array)
{
    size_t count = point->result->strategy_count;
    struct strategy_stats *stats = calloc(count + 1, sizeof *stats);
    if (!stats)
        return PCS_ERR_NOMEM;
    enum pcs_status status = pcs_run_stats_compute(point, stats);
    for (size_t s = 0; s < count && status == PCS_OK; s++)
        pcs_report_json_put(doc, array, NULL,
                            strategy_object(doc, point->scenario, &stats[s], stats[0].strategy->name));
    free(stats);
    return status;
}

enum pcs_status pcs_report_run_json(FILE *out, const struct pcs_run_report *report)
{
    char when[40];
    const struct pcs_scenario *first = report->points[0].scenario;
    struct report_json json;
    struct report_json *doc = &json;
    pcs_report_json_begin(doc, "pcsim.run.v1");
    cJSON *root = doc->root;
    pcs_report_json_add_string(doc, root, "scenario", report->name);
    pcs_report_json_add_string(doc, root, "file", report->path);
    pcs_report_json_put(doc, root, "seed", pcs_report_json_integer(report->seed));
    pcs_report_json_add_string(doc, root, "rng",
                               "pcsim-rrmxmx-counter: counter-based streams keyed by XXH3 of (seed, trial, task, ...)");
    pcs_report_json_put(doc, root, "trials", pcs_report_json_integer(report->points[0].result->trial_count));
    pcs_report_json_add_bool(doc, root, "trials_auto", report->trials_auto);
    if (report->trials_auto) {
        int converged;
        double widest;
        pcs_run_auto_outcome(report, &converged, &widest);
        pcs_report_json_add_number(doc, root, "target_relative_half_width", report->target_relative_half_width);
        pcs_report_json_add_bool(doc, root, "converged", converged);
        pcs_report_json_put(doc, root, "half_width_reached", pcs_report_json_number(isfinite(widest) ? widest : NAN));
    }
    pcs_report_json_add_number(doc, root, "horizon_hours", first->horizon_hours);
    pcs_report_json_add_bool(doc, root, "partial", report->partial);
    pcs_report_json_add_string(doc, root, "catalog", report->catalog_source);
    pcs_report_json_add_string(doc, root, "price_time", pcs_report_utc_time(report->price_time_s, when, sizeof when));
    cJSON *models = pcs_report_json_array(doc, root, "models");
    for (size_t m = 0; m < first->model_count; m++) {
        cJSON *model = cJSON_CreateObject();
        pcs_report_json_add_string(doc, model, "alias", first->models[m].alias);
        pcs_report_json_add_string(doc, model, "model_id", first->models[m].model->id);
        pcs_report_json_add_string(doc, model, "provider", first->models[m].model->provider->id);
        pcs_report_json_put(doc, models, NULL, model);
    }
    enum pcs_status status = PCS_OK;
    cJSON *points = pcs_report_json_array(doc, root, "points");
    for (size_t p = 0; p < report->point_count && status == PCS_OK; p++) {
        cJSON *point = cJSON_CreateObject();
        pcs_report_json_add_string(doc, point, "label", report->points[p].label);
        pcs_report_json_put(doc, point, "trials", pcs_report_json_integer(report->points[p].result->trial_count));
        if (report->trials_auto) {
            const struct pcs_run_result *result = report->points[p].result;
            pcs_report_json_add_bool(doc, point, "converged", result->converged);
            pcs_report_json_put(
                doc, point, "half_width_reached",
                pcs_report_json_number(isfinite(result->relative_half_width) ? result->relative_half_width : NAN));
        }
        status = point_strategies(doc, &report->points[p], pcs_report_json_array(doc, point, "strategies"));
        pcs_report_json_put(doc, points, NULL, point);
    }
    /* Without a sweep the one point's strategies also sit at the top. */
    if (status == PCS_OK && report->point_count == 1)
        status = point_strategies(doc, &report->points[0], pcs_report_json_array(doc, root, "strategies"));
    if (status != PCS_OK) {
        pcs_report_json_discard(doc);
        return status;
    }
    return pcs_report_json_finish(out, doc);
}
