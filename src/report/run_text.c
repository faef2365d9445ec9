/* The Monte Carlo report as tables for people: with a sweep, one summary
 * table across the points first, then each point's tables. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_util.h"
#include "run_stats.h"
#include "run_sweep.h"

/* A share as "81.58%", or the text no value when there is none (a
 * cached ratio when no trial sent input). */
static const char *percent_text(double share, char *buf, size_t cap)
{
    if (pcs_has_value(share))
        snprintf(buf, cap, "%.2f%%", 100.0 * share);
    else
        snprintf(buf, cap, "%s", pcs_report_no_value(REPORT_TEXT));
    return buf;
}

static void print_point(FILE *out, const struct pcs_run_point_report *point, const struct strategy_stats *stats)
{
    const struct pcs_scenario *scenario = point->scenario;
    size_t count = point->result->strategy_count;
    char a[48], b[48], c[48], d[48], e[48], f[48], g[48], trials[64];
    struct run_money money;
    pcs_run_stats_money(stats, count, &money);
    const struct report_money *usd = &money.cost_per_completed_task;
    if (point->label[0])
        fprintf(out, "\n== %s\n", point->label);
    fprintf(out, "\nstrategies:\n");
    for (size_t s = 0; s < count; s++) {
        char route[256];
        pcs_run_route_text(scenario, stats[s].strategy, " -> ", route, sizeof route);
        fprintf(out, "  %-22s %s; tier %s; cache %s\n", stats[s].strategy->name, route,
                pcs_run_tier_name(scenario, stats[s].strategy), stats[s].strategy->cache_text);
    }
    /* n: the trials each strategy's figures are over, those that completed a
     * task; the heading says so when that is not every trial run. */
    int every_trial = 1, one_n = 1;
    for (size_t s = 0; s < count; s++) {
        every_trial &= stats[s].cost_per_completed_task.n == point->result->trial_count;
        one_n &= stats[s].cost_per_completed_task.n == stats[0].cost_per_completed_task.n;
    }
    if (every_trial)
        fprintf(out, "\ncost per completed task, USD, across %s:\n",
                pcs_report_count(point->result->trial_count, "trial", "trials", trials, sizeof trials));
    else if (one_n)
        fprintf(out, "\ncost per completed task, USD, across %s with a completed task (of %zu run):\n",
                pcs_report_count(stats[0].cost_per_completed_task.n, "trial", "trials", trials, sizeof trials),
                point->result->trial_count);
    else
        fprintf(out, "\ncost per completed task, USD, across n trials with a completed task (of %zu run):\n",
                point->result->trial_count);
    fprintf(out, "  %-22s %6s %12s %12s %25s %12s %12s %12s %12s\n", "strategy", "n", "mean", "sd",
            "95% CI of the mean", "p5", "p50", "p95", "p99");
    for (size_t s = 0; s < count; s++) {
        const struct pcs_summary *cost = &stats[s].cost_per_completed_task;
        char ci[112];
        pcs_report_money_interval(usd, cost->ci95_low, cost->ci95_high, ci, sizeof ci);
        fprintf(out, "  %-22s %6zu %12s %12s %25s %12s %12s %12s %12s\n", stats[s].strategy->name, cost->n,
                pcs_report_money_text(usd, cost->mean, c, sizeof c), pcs_report_money_text(usd, cost->sd, d, sizeof d),
                ci, pcs_report_money_text(usd, cost->p5, e, sizeof e),
                pcs_report_money_text(usd, cost->p50, f, sizeof f), pcs_report_money_text(usd, cost->p95, g, sizeof g),
                pcs_report_money_text(usd, cost->p99, a, sizeof a));
    }
    fprintf(out, "\nper task and per horizon:\n");
    fprintf(out, "  %-22s %10s %9s %9s %9s %8s %12s %12s %12s %14s\n", "strategy", "completed", "attempts", "escalated",
            "failed", "cached", "task mean", "task p50", "task p99", "spend/horizon");
    for (size_t s = 0; s < count; s++) {
        const struct strategy_stats *st = &stats[s];
        char cached[32];
        fprintf(out, "  %-22s %9.2f%% %9.3f %8.2f%% %8.2f%% %8s %12s %12s %12s %14s\n", st->strategy->name,
                100.0 * st->completion_rate, st->attempts_per_task, 100.0 * st->escalation_rate,
                100.0 * st->failed_request_rate, percent_text(st->cached_ratio.mean, cached, sizeof cached),
                pcs_report_money_text(&money.task_cost, st->task_cost_mean, a, sizeof a),
                pcs_report_money_text(&money.task_cost, st->task_cost_p50, b, sizeof b),
                pcs_report_money_text(&money.task_cost, st->task_cost_p99, c, sizeof c),
                pcs_report_money_text(&money.spend, st->spend.mean, d, sizeof d));
    }
    if (count > 0 && stats[0].has_task_duration) {
        fprintf(out, "\ntask duration, seconds (from a task's first send to its last attempt's end, the models' "
                     "latency drawn):\n");
        fprintf(out, "  %-22s %12s\n", "strategy", "mean");
        for (size_t s = 0; s < count; s++) {
            if (pcs_has_value(stats[s].task_duration_s))
                snprintf(a, sizeof a, "%.1f", stats[s].task_duration_s);
            else
                snprintf(a, sizeof a, "%s", pcs_report_no_value(REPORT_TEXT));
            fprintf(out, "  %-22s %12s\n", stats[s].strategy->name, a);
        }
    }
    if (count > 1) {
        fprintf(out, "\nagainst %s (paired over the same trials; negative = cheaper):\n", stats[0].strategy->name);
        fprintf(out, "  %-22s %6s %14s %29s %11s\n", "strategy", "n", "difference", "95% CI", "P(cheaper)");
        for (size_t s = 1; s < count; s++) {
            const struct pcs_paired *paired = &stats[s].versus_first;
            char ci[112], cheaper[32];
            pcs_report_money_interval(&money.difference, paired->ci95_low, paired->ci95_high, ci, sizeof ci);
            if (pcs_has_value(paired->p_cheaper))
                snprintf(cheaper, sizeof cheaper, "%.1f%%", 100.0 * paired->p_cheaper);
            else
                snprintf(cheaper, sizeof cheaper, "%s", pcs_report_no_value(REPORT_TEXT));
            fprintf(out, "  %-22s %6zu %14s %29s %11s\n", stats[s].strategy->name, paired->n,
                    pcs_report_money_text(&money.difference, paired->mean_difference, c, sizeof c), ci, cheaper);
        }
    }
}

/* The width of the text column: its header's and its cells'. */
static int column_width(const char *header, const struct pcs_run_report *report, size_t k)
{
    size_t width = strlen(header);
    for (size_t p = 0; p < report->point_count; p++) {
        size_t length = strlen(k == SIZE_MAX ? report->points[p].label : report->points[p].settings[k].value);
        width = length > width ? length : width;
    }
    return width > 60 ? 60 : (int)width;
}

/* One row per point and strategy: the point's swept values (those that
 * vary; its label when none does) on its first row, then the strategy's
 * figures, as its point's tables below print them. */
static void print_sweep_rows(FILE *out, const struct pcs_run_report *report, const struct run_sweep *sweep,
                             const int *widths, int name_width)
{
    size_t columns = sweep->varied_count ? sweep->varied_count : 1;
    for (size_t p = 0; p < sweep->point_count; p++) {
        for (size_t s = 0; s < sweep->strategy_count; s++) {
            const struct strategy_stats *stats = pcs_run_sweep_stats(sweep, p, s);
            if (!stats)
                continue;
            fputs(" ", out);
            for (size_t c = 0; c < columns; c++) {
                const char *value =
                    sweep->varied_count ? report->points[p].settings[sweep->varied[c]].value : report->points[p].label;
                fprintf(out, " %-*s", widths[c], s == 0 ? value : "");
            }
            const struct pcs_summary *cost = &stats->cost_per_completed_task;
            char mean[48], ci[112], cached[32];
            pcs_report_money_interval(&sweep->cost, cost->ci95_low, cost->ci95_high, ci, sizeof ci);
            fprintf(out, " %-*s %6zu %12s %25s %9.2f%% %8s\n", name_width, stats->strategy->name, cost->n,
                    pcs_report_money_text(&sweep->cost, cost->mean, mean, sizeof mean), ci,
                    100.0 * stats->completion_rate, percent_text(stats->cached_ratio.mean, cached, sizeof cached));
        }
    }
}

static enum pcs_status print_sweep_summary(FILE *out, const struct pcs_run_report *report)
{
    struct run_sweep sweep;
    enum pcs_status status = pcs_run_sweep_compute(report, &sweep);
    size_t columns = sweep.varied_count ? sweep.varied_count : 1;
    int *widths = status == PCS_OK ? calloc(columns, sizeof *widths) : NULL;
    if (status == PCS_OK && !widths)
        status = PCS_ERR_NOMEM;
    if (status != PCS_OK) {
        pcs_run_sweep_free(&sweep);
        return status;
    }
    int name_width = 22;
    for (size_t p = 0; p < sweep.point_count; p++) {
        for (size_t s = 0; s < sweep.strategy_count; s++) {
            const struct strategy_stats *stats = pcs_run_sweep_stats(&sweep, p, s);
            if (stats && (int)strlen(stats->strategy->name) > name_width)
                name_width = (int)strlen(stats->strategy->name);
        }
    }
    fprintf(out, "\nsweep summary over %zu points (each point in full below):\n", sweep.point_count);
    fprintf(out, "  cost per completed task, USD: its mean and the mean's 95%% CI over the n trials with a completed "
                 "task;\n  completed and cached: as in each point's \"per task and per horizon\" table\n");
    fputs(" ", out);
    for (size_t c = 0; c < columns; c++) {
        const char *header = sweep.varied_count ? report->points[0].settings[sweep.varied[c]].path : "point";
        widths[c] = column_width(header, report, sweep.varied_count ? sweep.varied[c] : SIZE_MAX);
        fprintf(out, " %-*s", widths[c], header);
    }
    fprintf(out, " %-*s %6s %12s %25s %10s %8s\n", name_width, "strategy", "n", "mean", "95% CI of the mean",
            "completed", "cached");
    print_sweep_rows(out, report, &sweep, widths, name_width);
    free(widths);
    pcs_run_sweep_free(&sweep);
    return PCS_OK;
}

enum pcs_status pcs_report_run_text(FILE *out, const struct pcs_run_report *report)
{
    char when[40], trials[64], strategies[64], automatic[200];
    const struct pcs_scenario *first = report->points[0].scenario;
    fprintf(out, "pcsim run: %s (%s)\n", report->name, report->path);
    fprintf(out, "seed %llu, %s%s, horizon %g h, %s%s\n", (unsigned long long)report->seed,
            pcs_report_count(report->points[0].result->trial_count, "trial", "trials", trials, sizeof trials),
            pcs_run_auto_text(report, automatic, sizeof automatic), first->horizon_hours,
            pcs_report_count(first->strategy_count, "strategy", "strategies", strategies, sizeof strategies),
            report->point_count > 1 ? ", sweep" : "");
    fprintf(out, "prices of %s; catalog: %s\n", pcs_report_utc_time(report->price_time_s, when, sizeof when),
            report->catalog_source);
    fprintf(out, "models:");
    for (size_t m = 0; m < first->model_count; m++)
        fprintf(out, " %s = %s (%s)%s", first->models[m].alias, first->models[m].model->id,
                first->models[m].model->provider->id, m + 1 < first->model_count ? "," : "\n");
    if (report->partial)
        fprintf(out, "PARTIAL: interrupted; only the trials finished before the interruption are reported\n");
    if (report->point_count > 1) {
        enum pcs_status status = print_sweep_summary(out, report);
        if (status != PCS_OK)
            return status;
    }
    for (size_t p = 0; p < report->point_count; p++) {
        struct strategy_stats *stats = calloc(report->points[p].result->strategy_count + 1, sizeof *stats);
        if (!stats)
            return PCS_ERR_NOMEM;
        enum pcs_status status = pcs_run_stats_compute(&report->points[p], stats);
        if (status == PCS_OK)
            print_point(out, &report->points[p], stats);
        free(stats);
        if (status != PCS_OK)
            return status;
    }
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
