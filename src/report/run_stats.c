/* Summaries of a run's outcomes for the reports; see run_stats.h. Sums go
 * in trial order, so the figures never depend on the thread count. */
#include "run_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text_append.h"

static enum pcs_status compute_one(const struct pcs_run_result *result, size_t s, double *values, double *first,
                                   struct strategy_stats *stats)
{
    const struct pcs_strategy_outcomes *outcomes = &result->strategies[s];
    size_t trials = result->trial_count;
    stats->trials = trials;
    uint64_t tasks = 0, completed = 0, requests = 0, failed = 0, escalated = 0, task_time_ms = 0;
    double spend = 0;
    for (size_t t = 0; t < trials; t++) {
        const struct pcs_trial_outcome *outcome = &outcomes->trials[t];
        tasks += outcome->tasks;
        completed += outcome->completed;
        requests += outcome->requests;
        failed += outcome->failed_requests;
        escalated += outcome->escalated;
        task_time_ms += outcome->task_time_ms;
        spend += outcome->spend;
    }
    stats->requests = requests;
    stats->tasks_per_trial = trials ? (double)tasks / (double)trials : 0;
    stats->completion_rate = tasks ? (double)completed / (double)tasks : 0;
    stats->attempts_per_task = tasks ? (double)requests / (double)tasks : 0;
    stats->escalation_rate = tasks ? (double)escalated / (double)tasks : 0;
    stats->failed_request_rate = requests ? (double)failed / (double)requests : 0;
    stats->task_duration_s = tasks ? (double)task_time_ms / 1000.0 / (double)tasks : NAN;
    stats->task_cost_mean = tasks ? spend / (double)tasks : NAN;
    stats->task_cost_p5 = pcs_sketch_quantile(&outcomes->task_costs, 0.05);
    stats->task_cost_p50 = pcs_sketch_quantile(&outcomes->task_costs, 0.50);
    stats->task_cost_p95 = pcs_sketch_quantile(&outcomes->task_costs, 0.95);
    stats->task_cost_p99 = pcs_sketch_quantile(&outcomes->task_costs, 0.99);

    size_t n = pcs_run_cost_per_completed_task(outcomes, trials, values);
    stats->trials_with_completion = n;
    enum pcs_status status = pcs_summarize(values, n, &stats->cost_per_completed_task);
    for (size_t t = 0; t < trials; t++)
        values[t] = outcomes->trials[t].spend;
    if (status == PCS_OK)
        status = pcs_summarize(values, trials, &stats->spend);
    /* A trial that sent no input has no cached ratio: left out, not 0. */
    size_t with_input = 0;
    for (size_t t = 0; t < trials; t++) {
        const struct pcs_trial_outcome *outcome = &outcomes->trials[t];
        if (outcome->input_tokens)
            values[with_input++] = (double)outcome->cache_read_tokens / (double)outcome->input_tokens;
    }
    if (status == PCS_OK)
        status = pcs_summarize(values, with_input, &stats->cached_ratio);
    if (status != PCS_OK || s == 0)
        return status;
    /* Paired over the trials where both strategies completed a task. */
    const struct pcs_strategy_outcomes *base = &result->strategies[0];
    size_t pairs = 0;
    for (size_t t = 0; t < trials; t++) {
        const struct pcs_trial_outcome *a = &base->trials[t], *b = &outcomes->trials[t];
        if (!a->completed || !b->completed)
            continue;
        first[pairs] = a->spend / (double)a->completed;
        values[pairs] = b->spend / (double)b->completed;
        pairs++;
    }
    stats->has_paired = 1;
    return pcs_compare_paired(first, values, pairs, &stats->versus_first);
}

enum pcs_status pcs_run_stats_compute(const struct pcs_run_point_report *point, struct strategy_stats *stats)
{
    const struct pcs_run_result *result = point->result;
    size_t trials = result->trial_count ? result->trial_count : 1;
    double *values = malloc(trials * sizeof *values);
    double *first = malloc(trials * sizeof *first);
    enum pcs_status status = values && first ? PCS_OK : PCS_ERR_NOMEM;
    for (size_t s = 0; s < result->strategy_count && status == PCS_OK; s++) {
        memset(&stats[s], 0, sizeof stats[s]);
        stats[s].strategy = &point->scenario->strategies[s];
        status = compute_one(result, s, values, first, &stats[s]);
        /* Only a synthetic workload times its tasks; without latency a task's time is its gaps and redo delays. */
        stats[s].has_task_duration = !point->scenario->workload.trace && pcs_scenario_has_latency(point->scenario);
    }
    free(values);
    free(first);
    return status;
}

void pcs_run_stats_money(const struct strategy_stats *stats, size_t count, struct run_money *money)
{
    pcs_report_money_init(&money->cost_per_completed_task);
    pcs_report_money_init(&money->task_cost);
    pcs_report_money_init(&money->spend);
    pcs_report_money_init(&money->difference);
    for (size_t s = 0; s < count; s++) {
        const struct pcs_summary *cost = &stats[s].cost_per_completed_task;
        const double levels[] = {cost->mean, cost->ci95_low, cost->ci95_high, cost->p5,
                                 cost->p50,  cost->p95,      cost->p99};
        for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
            pcs_report_money_add(&money->cost_per_completed_task, levels[i]);
        const double task[] = {stats[s].task_cost_mean, stats[s].task_cost_p5, stats[s].task_cost_p50,
                               stats[s].task_cost_p95, stats[s].task_cost_p99};
        for (size_t i = 0; i < sizeof task / sizeof task[0]; i++)
            pcs_report_money_add(&money->task_cost, task[i]);
        pcs_report_money_add(&money->spend, stats[s].spend.mean);
        if (stats[s].has_paired) {
            pcs_report_money_add(&money->difference, stats[s].versus_first.mean_difference);
            pcs_report_money_add(&money->difference, stats[s].versus_first.ci95_low);
            pcs_report_money_add(&money->difference, stats[s].versus_first.ci95_high);
        }
    }
}

void pcs_run_auto_outcome(const struct pcs_run_report *report, int *converged, double *widest)
{
    *converged = 1;
    *widest = 0;
    for (size_t p = 0; p < report->point_count; p++) {
        const struct pcs_run_result *result = report->points[p].result;
        *converged &= result->converged != 0;
        if (!(result->relative_half_width <= *widest))
            *widest = result->relative_half_width;
    }
}

const char *pcs_run_auto_text(const struct pcs_run_report *report, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!report->trials_auto)
        return buf;
    int converged;
    double widest;
    pcs_run_auto_outcome(report, &converged, &widest);
    char width[64];
    if (isfinite(widest))
        snprintf(width, sizeof width, "95%% CI half-width %.3g%% of the mean", 100.0 * widest);
    else
        snprintf(width, sizeof width, "no 95%% CI yet (under 2 trials with a completed task)");
    snprintf(buf, cap, " (--trials auto: %s: %s, target %.3g%%)",
             converged         ? "converged"
             : report->partial ? "did not converge, interrupted"
                               : "did not converge, stopped at the cap",
             width, 100.0 * report->target_relative_half_width);
    return buf;
}

const char *pcs_run_tier_name(const struct pcs_scenario *scenario, const struct pcs_strategy *strategy)
{
    return scenario->workload.trace && !strategy->tier_given ? "trace" : pcs_tier_name(strategy->tier);
}

void pcs_run_route_text(const struct pcs_scenario *scenario, const struct pcs_strategy *strategy, const char *arrow,
                        char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < strategy->route_count; i++) {
        const struct pcs_route_step *step = &strategy->route[i];
        pcs_text_append(buf, cap, &used, "%s%s x%u", i ? arrow : "",
                        step->model == PCS_ROUTE_TRACE_MODEL ? "trace" : scenario->models[step->model].alias,
                        step->attempts);
    }
}
