/* The Monte Carlo report as a self-contained HTML page: per sweep point,
 * the distribution (CDF) of cost per completed task across trials for
 * each strategy, the means with their 95% CIs, and the statistics table.
 * The figures are run_stats.c's, as in the text report. */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report_util.h"
#include "run_stats.h"
#include "svg_chart.h"

/* ------------------------------------------------------------------ header */

static void models_line(FILE *out, const struct pcs_scenario *scenario)
{
    fputs("<p class=\"meta\">models: ", out);
    for (size_t m = 0; m < scenario->model_count; m++) {
        const struct pcs_scenario_model *model = &scenario->models[m];
        pcs_html_escapedf(out, "%s%s = %s (%s)", m ? ", " : "", model->alias, model->model->id,
                          model->model->provider->id);
    }
    fputs("</p>\n", out);
}

static void run_header(FILE *out, const struct pcs_run_report *report)
{
    const struct pcs_scenario *first = report->points[0].scenario;
    size_t trials = report->points[0].result->trial_count;
    char when[40], trial_count[64], strategies[64], points[64], automatic[200];
    pcs_html_elementf(out, "p", "meta", "scenario: %s (%s)", report->name, report->path);
    pcs_html_elementf(out, "p", "meta", "seed %llu, %s%s, horizon %s h, %s, %s", (unsigned long long)report->seed,
                      pcs_report_count(trials, "trial", "trials", trial_count, sizeof trial_count),
                      pcs_run_auto_text(report, automatic, sizeof automatic), pcs_html_g(first->horizon_hours).text,
                      pcs_report_count(first->strategy_count, "strategy", "strategies", strategies, sizeof strategies),
                      pcs_report_count(report->point_count, "sweep point", "sweep points", points, sizeof points));
    pcs_html_elementf(out, "p", "meta", "prices of %s; regional uplift x%s; catalog: %s",
                      pcs_report_utc_time(report->price_time_s, when, sizeof when),
                      pcs_html_g(report->region_uplift).text,
                      report->catalog_source ? report->catalog_source : "(unknown)");
    models_line(out, first);
    if (report->partial)
        pcs_html_element(out, "p", "partial",
                         "PARTIAL: interrupted; only the trials finished before the interruption are reported");
}

/* ------------------------------------------------------------ strategies */

static void strategy_table(FILE *out, const struct pcs_run_point_report *point)
{
    static const char *const headers[] = {"strategy", "route", "tier", "cache"};
    const struct pcs_scenario *scenario = point->scenario;
    pcs_html_table_begin(out, "strategies", headers, 4, 4);
    for (size_t s = 0; s < point->result->strategy_count; s++) {
        const struct pcs_strategy *strategy = &scenario->strategies[s];
        char route[256];
        pcs_run_route_text(scenario, strategy, " \xe2\x86\x92 ", route, sizeof route);
        const char *cells[] = {strategy->name, route, pcs_tier_name(strategy->tier), strategy->cache};
        pcs_html_table_row(out, cells, 4, 4);
    }
    pcs_html_table_end(out);
}

/* ------------------------------------------------------------------ charts */

static enum pcs_status cdf_chart(FILE *out, const struct pcs_run_point_report *point,
                                 const struct strategy_stats *stats)
{
    const struct pcs_run_result *result = point->result;
    size_t trials = result->trial_count ? result->trial_count : 1;
    double *values = malloc(result->strategy_count * trials * sizeof *values + 1);
    struct chart_sample *samples = calloc(result->strategy_count + 1, sizeof *samples);
    enum pcs_status status = PCS_ERR_NOMEM;
    if (values && samples) {
        for (size_t s = 0; s < result->strategy_count; s++) {
            samples[s].name = stats[s].strategy->name;
            samples[s].values = values + s * trials;
            samples[s].count =
                pcs_run_cost_per_completed_task(&result->strategies[s], result->trial_count, values + s * trials);
        }
        struct cdf_chart chart = {
            .label = "distribution of cost per completed task across trials",
            .x = {.title = "cost per completed task (USD)",
                  .tick_format = pcs_chart_format_usd_tick,
                  .value_format = pcs_html_format_usd},
            .y_title = "share of trials (%)",
            .samples = samples,
            .sample_count = result->strategy_count,
        };
        pcs_html_element(out, "h3", NULL, "Cost per completed task across trials");
        status = pcs_svg_cdf_chart(out, &chart);
        pcs_html_elementf(out, "p", "note",
                          "For each strategy, the share of trials (of %zu) whose cost per completed task (the trial's "
                          "spend over its completed tasks) is at most x. Further left: cheaper; steeper: steadier.",
                          result->trial_count);
    }
    free(values);
    free(samples);
    return status;
}

static void mean_bar(const struct strategy_stats *stats, const struct report_money *money, double *value, double *low,
                     double *high, char *label, size_t cap)
{
    const struct pcs_summary *cost = &stats->cost_per_completed_task;
    char mean[48], half[48];
    *value = cost->mean;
    *low = cost->ci95_low;
    *high = cost->ci95_high;
    /* No bar without a mean; no whisker, and no \xc2\xb1, without a CI (n < 2). */
    if (!pcs_has_value(cost->mean))
        snprintf(label, cap, "%s", pcs_report_no_value(REPORT_HTML));
    else if (!pcs_has_value(cost->ci95_low))
        snprintf(label, cap, "%s", pcs_report_money_dollars(money, cost->mean, mean, sizeof mean));
    else
        snprintf(label, cap, "%s \xc2\xb1 %s", pcs_report_money_dollars(money, cost->mean, mean, sizeof mean),
                 pcs_report_money_dollars(money, (cost->ci95_high - cost->ci95_low) / 2, half, sizeof half));
}

static enum pcs_status mean_chart(FILE *out, const struct pcs_run_point_report *point,
                                  const struct strategy_stats *stats)
{
    size_t count = point->result->strategy_count;
    const char **names = calloc(count + 1, sizeof *names);
    double *numbers = calloc(3 * count + 1, sizeof *numbers);
    struct html_labels labels = {0, NULL, NULL};
    enum pcs_status status = names && numbers ? pcs_html_labels_new(&labels, count) : PCS_ERR_NOMEM;
    struct run_money money;
    pcs_run_stats_money(stats, count, &money);
    if (status == PCS_OK) {
        for (size_t s = 0; s < count; s++) {
            names[s] = stats[s].strategy->name;
            mean_bar(&stats[s], &money.cost_per_completed_task, &numbers[s], &numbers[count + s],
                     &numbers[2 * count + s], labels.text[s], sizeof labels.text[s]);
        }
        struct bar_chart chart = {
            .label = "mean cost per completed task with its 95% confidence interval",
            .value = {.title = "mean cost per completed task (USD)",
                      .from_zero = 1,
                      .tick_format = pcs_chart_format_usd_tick,
                      .money = &money.cost_per_completed_task},
            .categories = names,
            .category_count = count,
            .series_count = 1,
            .values = numbers,
            .low = numbers + count,
            .high = numbers + 2 * count,
            .labels = labels.list,
        };
        pcs_html_element(out, "h3", NULL, "Mean cost per completed task");
        status = pcs_svg_bar_chart(out, &chart);
        pcs_html_element(out, "p", "note",
                         "Bars: the mean over trials of the cost per completed task; whiskers and \xc2\xb1: the 95% "
                         "confidence interval of the mean.");
    }
    pcs_html_labels_free(&labels);
    free(names);
    free(numbers);
    return status;
}

/* ------------------------------------------------------------------ tables */

#define MAX_COLUMNS 9

struct row_cells {
    char text[MAX_COLUMNS][64];
    const char *list[MAX_COLUMNS];
};

static void row_write(FILE *out, struct row_cells *cells, size_t count)
{
    for (size_t i = 0; i < count; i++)
        cells->list[i] = cells->text[i];
    pcs_html_table_row(out, cells->list, count, 1);
}

static void interval(const struct report_money *money, double low, double high, char *buf, size_t cap)
{
    pcs_report_money_interval(money, low, high, buf, cap);
}

static const char *const cost_headers[] = {"strategy", "trials", "mean", "95% CI of the mean", "sd", "p5",
                                           "p50",      "p95",    "p99"};

static void cost_row(FILE *out, const struct strategy_stats *stats, const struct run_money *money)
{
    const struct pcs_summary *cost = &stats->cost_per_completed_task;
    const struct report_money *usd = &money->cost_per_completed_task;
    struct row_cells cells;
    snprintf(cells.text[0], sizeof cells.text[0], "%s", stats->strategy->name);
    snprintf(cells.text[1], sizeof cells.text[1], "%zu", stats->trials_with_completion);
    pcs_report_money_text(usd, cost->mean, cells.text[2], sizeof cells.text[2]);
    interval(usd, cost->ci95_low, cost->ci95_high, cells.text[3], sizeof cells.text[3]);
    pcs_report_money_text(usd, cost->sd, cells.text[4], sizeof cells.text[4]);
    pcs_report_money_text(usd, cost->p5, cells.text[5], sizeof cells.text[5]);
    pcs_report_money_text(usd, cost->p50, cells.text[6], sizeof cells.text[6]);
    pcs_report_money_text(usd, cost->p95, cells.text[7], sizeof cells.text[7]);
    pcs_report_money_text(usd, cost->p99, cells.text[8], sizeof cells.text[8]);
    row_write(out, &cells, 9);
}

static const char *const task_headers[] = {"strategy",  "completed",    "attempts per task",
                                           "escalated", "cached ratio", "vs first (USD)",
                                           "95% CI",    "P(cheaper)"};

static void task_row(FILE *out, const struct strategy_stats *stats, const struct run_money *money)
{
    struct row_cells cells;
    snprintf(cells.text[0], sizeof cells.text[0], "%s", stats->strategy->name);
    snprintf(cells.text[1], sizeof cells.text[1], "%s", pcs_html_percent(stats->completion_rate).text);
    snprintf(cells.text[2], sizeof cells.text[2], "%s", pcs_html_g(stats->attempts_per_task).text);
    snprintf(cells.text[3], sizeof cells.text[3], "%s", pcs_html_percent(stats->escalation_rate).text);
    snprintf(cells.text[4], sizeof cells.text[4], "%s", pcs_html_percent(stats->cached_ratio.mean).text);
    if (stats->has_paired) {
        const struct pcs_paired *paired = &stats->versus_first;
        pcs_report_money_text(&money->difference, paired->mean_difference, cells.text[5], sizeof cells.text[5]);
        interval(&money->difference, paired->ci95_low, paired->ci95_high, cells.text[6], sizeof cells.text[6]);
        snprintf(cells.text[7], sizeof cells.text[7], "%s",
                 pcs_has_value(paired->p_cheaper) ? pcs_html_percent(paired->p_cheaper).text
                                                  : pcs_report_no_value(REPORT_HTML));
    } else {
        for (size_t i = 5; i < 8; i++)
            snprintf(cells.text[i], sizeof cells.text[i], "-");
    }
    row_write(out, &cells, 8);
}

static void stats_tables(FILE *out, const struct pcs_run_point_report *point, const struct strategy_stats *stats)
{
    size_t count = point->result->strategy_count;
    struct run_money money;
    pcs_run_stats_money(stats, count, &money);
    pcs_html_element(out, "h3", NULL, "Cost per completed task (USD)");
    pcs_html_table_begin(out, "run-cost", cost_headers, 9, 1);
    for (size_t s = 0; s < count; s++)
        cost_row(out, &stats[s], &money);
    pcs_html_table_end(out);
    pcs_html_element(out, "p", "note",
                     "Over the trials that completed a task (trials): mean, 95% confidence interval of the mean, "
                     "standard deviation and quantiles of the cost per completed task.");
    pcs_html_element(out, "h3", NULL, "Tasks, and against the first strategy");
    pcs_html_table_begin(out, "run-tasks", task_headers, 8, 1);
    for (size_t s = 0; s < count; s++)
        task_row(out, &stats[s], &money);
    pcs_html_table_end(out);
    pcs_html_elementf(out, "p", "note",
                      "Completed, attempts per task and escalated are pooled over every task of every trial; cached "
                      "ratio is the mean over trials. vs first: the paired difference in cost per completed task "
                      "against %s over the same trials (negative = cheaper), its 95%% CI, and P(cheaper) the share of "
                      "trials where it was cheaper.",
                      count ? stats[0].strategy->name : "-");
}

/* ------------------------------------------------------------------ points */

static enum pcs_status point_section(FILE *out, const struct pcs_run_point_report *point)
{
    size_t count = point->result->strategy_count;
    struct strategy_stats *stats = calloc(count + 1, sizeof *stats);
    if (!stats)
        return PCS_ERR_NOMEM;
    enum pcs_status status = pcs_run_stats_compute(point, stats);
    if (status == PCS_OK) {
        pcs_html_element(out, "h2", NULL, point->label && point->label[0] ? point->label : "Results");
        strategy_table(out, point);
        status = cdf_chart(out, point, stats);
    }
    if (status == PCS_OK)
        status = mean_chart(out, point, stats);
    if (status == PCS_OK)
        stats_tables(out, point, stats);
    free(stats);
    return status;
}

enum pcs_status pcs_report_run_html(FILE *out, const struct pcs_run_report *report)
{
    enum pcs_status status = PCS_OK;
    char title[256];
    snprintf(title, sizeof title, "pcsim run: %s", report->name ? report->name : "");
    pcs_html_begin(out, title);
    if (report->point_count)
        run_header(out, report);
    for (size_t p = 0; p < report->point_count && status == PCS_OK; p++)
        status = point_section(out, &report->points[p]);
    pcs_html_end(out);
    if (status != PCS_OK)
        return status;
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
