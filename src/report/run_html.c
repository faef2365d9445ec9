/* The Monte Carlo report as a self-contained HTML page: with a sweep, first
 * a summary (each strategy's mean cost per completed task with its 95% CI
 * against the swept value, and a table of every point), then each point
 * folded under its label; per point, the distribution (CDF) of cost per
 * completed task across trials for each strategy, the means with their
 * 95% CIs, and the statistics table. The figures are run_stats.c's, as in
 * the text report. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/text_append.h"
#include "html.h"
#include "report_util.h"
#include "run_stats.h"
#include "run_sweep.h"
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
        const char *cells[] = {strategy->name, route, pcs_run_tier_name(scenario, strategy), strategy->cache_text};
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

/* A cached ratio, or no value when no trial sent input. */
static struct html_number cached_text(double share)
{
    struct html_number text;
    if (pcs_has_value(share))
        return pcs_html_percent(share);
    snprintf(text.text, sizeof text.text, "%s", pcs_report_no_value(REPORT_HTML));
    return text;
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
    snprintf(cells.text[4], sizeof cells.text[4], "%s", cached_text(stats->cached_ratio.mean).text);
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

/* ----------------------------------------------------------- sweep summary */

/* The lines of the summary chart: one per strategy and group (run_sweep.h),
 * its points in the order of the axis. */
struct sweep_lines {
    struct chart_series *series;
    size_t count;
    double *numbers; /* x, y, low and high of every line's points */
    char (*names)[HTML_LABEL_CAP];
};

static void sweep_lines_free(struct sweep_lines *lines)
{
    free(lines->series);
    free(lines->numbers);
    free(lines->names);
}

/* The points of strategy s in group g, by x: few points, so an insertion. */
static size_t sweep_line(const struct run_sweep *sweep, size_t s, size_t g, double *x, double *y, double *low,
                         double *high)
{
    size_t n = 0;
    for (size_t p = 0; p < sweep->point_count; p++) {
        const struct strategy_stats *stats = pcs_run_sweep_stats(sweep, p, s);
        if (!stats || sweep->group[p] != g)
            continue;
        const struct pcs_summary *cost = &stats->cost_per_completed_task;
        size_t at = n++;
        while (at > 0 && x[at - 1] > sweep->x[p]) {
            x[at] = x[at - 1];
            y[at] = y[at - 1];
            low[at] = low[at - 1];
            high[at] = high[at - 1];
            at--;
        }
        x[at] = sweep->x[p];
        y[at] = cost->mean;
        low[at] = cost->ci95_low;
        high[at] = cost->ci95_high;
    }
    return n;
}

/* The name of a strategy: its name at the first point that has it. */
static const char *strategy_name(const struct run_sweep *sweep, size_t s)
{
    for (size_t p = 0; p < sweep->point_count; p++) {
        const struct strategy_stats *stats = pcs_run_sweep_stats(sweep, p, s);
        if (stats)
            return stats->strategy->name;
    }
    return "";
}

static enum pcs_status sweep_lines_build(const struct pcs_run_report *report, const struct run_sweep *sweep,
                                         struct sweep_lines *lines)
{
    size_t most = sweep->strategy_count * sweep->group_count;
    size_t points = sweep->point_count;
    lines->count = 0;
    lines->series = calloc(most + 1, sizeof *lines->series);
    lines->numbers = calloc(4 * (points * sweep->strategy_count) + 1, sizeof *lines->numbers);
    lines->names = calloc(most + 1, sizeof *lines->names);
    if (!lines->series || !lines->numbers || !lines->names)
        return PCS_ERR_NOMEM;
    double *next = lines->numbers;
    for (size_t s = 0; s < sweep->strategy_count; s++) {
        for (size_t g = 0; g < sweep->group_count; g++) {
            /* The group's size, and a point of it to name it by. */
            size_t size = 0, member = 0;
            for (size_t p = 0; p < points; p++) {
                if (sweep->group[p] == g && size++ == 0)
                    member = p;
            }
            double *x = next, *y = next + size, *low = next + 2 * size, *high = next + 3 * size;
            size_t n = sweep_line(sweep, s, g, x, y, low, high);
            next += 4 * size; /* every group of every strategy: 4 x points x strategies in all */
            if (n == 0)
                continue;
            const char *name = strategy_name(sweep, s);
            char group[HTML_LABEL_CAP];
            pcs_run_sweep_group_text(sweep, report, member, group, sizeof group);
            size_t used = 0;
            lines->names[lines->count][0] = '\0';
            pcs_text_append(lines->names[lines->count], HTML_LABEL_CAP, &used, "%s%s%s", name, group[0] ? ", " : "",
                            group);
            lines->series[lines->count] = (struct chart_series){
                .name = lines->names[lines->count], .x = x, .y = y, .low = low, .high = high, .count = n, .markers = 1};
            lines->count++;
        }
    }
    return PCS_OK;
}

/* A swept number as written, whole numbers in full ("10000", not
 * "1e+04"); others in four significant digits. */
static const char *swept_number(double value, char *buf, size_t cap)
{
    if (fabs(value) < 1e15 && value == floor(value))
        snprintf(buf, cap, "%.0f", value);
    else
        snprintf(buf, cap, "%s", pcs_html_g(value).text);
    return buf;
}

/* The x axis's title: the path and, having no unit of its own, how to read it. */
static void sweep_axis_title(const struct run_sweep *sweep, char *buf, size_t cap)
{
    if (sweep->axis_log)
        snprintf(buf, cap, "%s (log scale)", sweep->axis_title);
    else if (sweep->axis_numeric)
        snprintf(buf, cap, "%s (as in the scenario)", sweep->axis_title);
    else if (sweep->varied_count)
        snprintf(buf, cap, "%s (sweep values)", sweep->axis_title);
    else
        snprintf(buf, cap, "sweep point (label)");
}

/* Every point runs with one seed, so the points share their draws
 * (docs/scenario.md, "Sweeps"); a swept seed gives each its own. */
static int same_seed(const struct pcs_run_report *report)
{
    for (size_t p = 1; p < report->point_count; p++)
        if (report->points[p].scenario->seed != report->points[0].scenario->seed)
            return 0;
    return 1;
}

static enum pcs_status sweep_chart(FILE *out, const struct pcs_run_report *report, const struct run_sweep *sweep)
{
    struct sweep_lines lines = {NULL, 0, NULL, NULL};
    enum pcs_status status = sweep_lines_build(report, sweep, &lines);
    double *ticks = status == PCS_OK ? calloc(sweep->point_count + 1, sizeof *ticks) : NULL;
    if (status == PCS_OK && !ticks)
        status = PCS_ERR_NOMEM;
    if (status == PCS_OK) {
        char title[512], label[640];
        sweep_axis_title(sweep, title, sizeof title);
        snprintf(label, sizeof label, "mean cost per completed task against %s, with the 95%% confidence intervals",
                 sweep->axis_title);
        struct line_chart chart = {
            .label = label,
            .x = {.title = title, .log_scale = sweep->axis_log, .tick_format = swept_number},
            .y = {.title = "mean cost per completed task (USD)",
                  .from_zero = 1,
                  .tick_format = pcs_chart_format_usd_tick,
                  .money = &sweep->cost},
            .series = lines.series,
            .series_count = lines.count,
        };
        if (sweep->axis_numeric) {
            /* Ticks at the swept values themselves (those that fit). */
            size_t count = 0;
            for (size_t p = 0; p < sweep->point_count; p++) {
                size_t at = count;
                while (at > 0 && ticks[at - 1] > sweep->x[p])
                    at--;
                if (at > 0 && ticks[at - 1] == sweep->x[p])
                    continue;
                memmove(ticks + at + 1, ticks + at, (count - at) * sizeof *ticks);
                ticks[at] = sweep->x[p];
                count++;
            }
            chart.x.ticks = ticks;
            chart.x.tick_count = count;
        } else {
            for (size_t i = 0; i < sweep->category_count; i++)
                ticks[i] = (double)i;
            chart.x.min = -0.5;
            chart.x.max = (double)sweep->category_count - 0.5;
            chart.x.ticks = ticks;
            chart.x.tick_count = sweep->category_count;
            chart.x.tick_labels = sweep->categories;
        }
        status = pcs_svg_line_chart(out, &chart);
        pcs_html_element(out, "p", "note",
                         same_seed(report)
                             ? "Dots: each strategy's mean cost per completed task at each sweep point, joined by a "
                               "line per strategy; band and whisker: the 95% confidence interval of the mean. Every "
                               "point plays the same trials' random streams (common random numbers), so the "
                               "differences between points are mostly the swept values' doing, not new noise."
                             : "Dots: each strategy's mean cost per completed task at each sweep point, joined by a "
                               "line per strategy; band and whisker: the 95% confidence interval of the mean. The "
                               "points run with different seeds, so each has its own random draws.");
    }
    free(ticks);
    sweep_lines_free(&lines);
    return status;
}

static const char *const sweep_headers[] = {"strategy",           "trials",    "mean",
                                            "95% CI of the mean", "completed", "cached ratio"};
#define SWEEP_FIGURES (sizeof sweep_headers / sizeof sweep_headers[0])

/* One row per point and strategy, as the text report's summary. */
static enum pcs_status sweep_table(FILE *out, const struct pcs_run_report *report, const struct run_sweep *sweep)
{
    size_t columns = sweep->varied_count ? sweep->varied_count : 1;
    size_t width = columns + SWEEP_FIGURES;
    const char **cells = calloc(width, sizeof *cells);
    if (!cells)
        return PCS_ERR_NOMEM;
    for (size_t c = 0; c < columns; c++)
        cells[c] = sweep->varied_count ? report->points[0].settings[sweep->varied[c]].path : "point";
    for (size_t i = 0; i < SWEEP_FIGURES; i++)
        cells[columns + i] = sweep_headers[i];
    pcs_html_table_begin(out, "run-sweep", cells, width, columns + 1);
    for (size_t p = 0; p < sweep->point_count; p++) {
        for (size_t s = 0; s < sweep->strategy_count; s++) {
            const struct strategy_stats *stats = pcs_run_sweep_stats(sweep, p, s);
            if (!stats)
                continue;
            const struct pcs_summary *cost = &stats->cost_per_completed_task;
            char n[32], mean[64], ci[112], completed[48], cached[48];
            for (size_t c = 0; c < columns; c++)
                cells[c] = s > 0                 ? ""
                           : sweep->varied_count ? report->points[p].settings[sweep->varied[c]].value
                                                 : report->points[p].label;
            snprintf(n, sizeof n, "%zu", cost->n);
            snprintf(completed, sizeof completed, "%s", pcs_html_percent(stats->completion_rate).text);
            snprintf(cached, sizeof cached, "%s", cached_text(stats->cached_ratio.mean).text);
            cells[columns] = stats->strategy->name;
            cells[columns + 1] = n;
            cells[columns + 2] = pcs_report_money_text(&sweep->cost, cost->mean, mean, sizeof mean);
            cells[columns + 3] =
                pcs_report_money_interval(&sweep->cost, cost->ci95_low, cost->ci95_high, ci, sizeof ci);
            cells[columns + 4] = completed;
            cells[columns + 5] = cached;
            pcs_html_table_row(out, cells, width, columns + 1);
        }
    }
    pcs_html_table_end(out);
    pcs_html_element(out, "p", "note",
                     "Per point and strategy: the cost per completed task (USD) over the trials that completed a task "
                     "(trials), its mean and the 95% confidence interval of the mean; completed and cached ratio as "
                     "in the point's own table below.");
    free(cells);
    return PCS_OK;
}

static enum pcs_status sweep_summary(FILE *out, const struct pcs_run_report *report)
{
    struct run_sweep sweep;
    enum pcs_status status = pcs_run_sweep_compute(report, &sweep);
    if (status == PCS_OK) {
        pcs_html_element(out, "h2", NULL, "Sweep summary");
        status = sweep_chart(out, report, &sweep);
    }
    if (status == PCS_OK)
        status = sweep_table(out, report, &sweep);
    pcs_run_sweep_free(&sweep);
    return status;
}

/* ------------------------------------------------------------------ points */

/* A point's charts and tables; in a sweep, folded under its label (the
 * summary comes first). */
static enum pcs_status point_section(FILE *out, const struct pcs_run_point_report *point, int folded)
{
    size_t count = point->result->strategy_count;
    struct strategy_stats *stats = calloc(count + 1, sizeof *stats);
    if (!stats)
        return PCS_ERR_NOMEM;
    enum pcs_status status = pcs_run_stats_compute(point, stats);
    if (status == PCS_OK) {
        const char *title = point->label && point->label[0] ? point->label : "Results";
        if (folded) {
            fputs("<details class=\"point\"><summary>", out);
            pcs_html_escaped(out, title);
            fputs("</summary>\n", out);
        } else {
            pcs_html_element(out, "h2", NULL, title);
        }
        strategy_table(out, point);
        status = cdf_chart(out, point, stats);
    }
    if (status == PCS_OK)
        status = mean_chart(out, point, stats);
    if (status == PCS_OK)
        stats_tables(out, point, stats);
    if (status == PCS_OK && folded)
        fputs("</details>\n", out);
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
    if (report->point_count > 1)
        status = sweep_summary(out, report);
    if (report->point_count > 1 && status == PCS_OK)
        pcs_html_element(out, "h2", NULL, "Each point");
    for (size_t p = 0; p < report->point_count && status == PCS_OK; p++)
        status = point_section(out, &report->points[p], report->point_count > 1);
    pcs_html_end(out);
    if (status != PCS_OK)
        return status;
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
