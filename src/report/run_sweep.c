/* The sweep summary of a run; see run_sweep.h. */
#include "run_sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/text_append.h"

/* Every point carries the same paths, as a loaded scenario set gives them. */
static int settings_usable(const struct pcs_run_report *report)
{
    size_t count = report->points[0].setting_count;
    if (count == 0)
        return 0;
    for (size_t p = 0; p < report->point_count; p++) {
        const struct pcs_run_point_report *point = &report->points[p];
        if (point->setting_count != count || !point->settings)
            return 0;
        for (size_t k = 0; k < count; k++)
            if (strcmp(point->settings[k].path, report->points[0].settings[k].path) != 0)
                return 0;
    }
    return 1;
}

static const char *value_at(const struct pcs_run_report *report, size_t p, size_t k)
{
    return report->points[p].settings[k].value;
}

static enum pcs_status find_varied(const struct pcs_run_report *report, struct run_sweep *sweep)
{
    if (!settings_usable(report))
        return PCS_OK;
    size_t count = report->points[0].setting_count;
    sweep->varied = calloc(count, sizeof *sweep->varied);
    if (!sweep->varied)
        return PCS_ERR_NOMEM;
    for (size_t k = 0; k < count; k++) {
        int differs = 0;
        for (size_t p = 1; p < report->point_count && !differs; p++)
            differs = strcmp(value_at(report, p, k), value_at(report, 0, k)) != 0;
        if (differs)
            sweep->varied[sweep->varied_count++] = k;
    }
    return PCS_OK;
}

/* The first varied path with a number at every point, or count. */
static size_t numeric_path(const struct pcs_run_report *report, const struct run_sweep *sweep)
{
    for (size_t v = 0; v < sweep->varied_count; v++) {
        int numbers = 1;
        for (size_t p = 0; p < report->point_count && numbers; p++)
            numbers = isfinite(report->points[p].settings[sweep->varied[v]].number);
        if (numbers)
            return v;
    }
    return sweep->varied_count;
}

/* Index of text among the first count of list, or count. */
static size_t find_text(const char *const *list, size_t count, const char *text)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], text) == 0)
            return i;
    return count;
}

static enum pcs_status choose_axis(const struct pcs_run_report *report, struct run_sweep *sweep)
{
    size_t points = report->point_count;
    sweep->x = calloc(points, sizeof *sweep->x);
    sweep->categories = calloc(points, sizeof *sweep->categories);
    if (!sweep->x || !sweep->categories)
        return PCS_ERR_NOMEM;
    sweep->axis_path = numeric_path(report, sweep);
    if (sweep->axis_path < sweep->varied_count) {
        size_t k = sweep->varied[sweep->axis_path];
        double low = INFINITY, high = -INFINITY;
        for (size_t p = 0; p < points; p++) {
            sweep->x[p] = report->points[p].settings[k].number;
            low = fmin(low, sweep->x[p]);
            high = fmax(high, sweep->x[p]);
        }
        sweep->axis_numeric = 1;
        sweep->axis_log = low > 0 && high > 10 * low;
        sweep->axis_title = report->points[0].settings[k].path;
        return PCS_OK;
    }
    sweep->axis_path = 0;
    sweep->axis_title = sweep->varied_count ? report->points[0].settings[sweep->varied[0]].path : "sweep point";
    for (size_t p = 0; p < points; p++) {
        const char *value = sweep->varied_count ? value_at(report, p, sweep->varied[0]) : report->points[p].label;
        size_t at = find_text(sweep->categories, sweep->category_count, value);
        if (at == sweep->category_count)
            sweep->categories[sweep->category_count++] = value;
        sweep->x[p] = (double)at;
    }
    return PCS_OK;
}

/* Points p and q agree on every varied path but the axis. */
static int same_group(const struct pcs_run_report *report, const struct run_sweep *sweep, size_t p, size_t q)
{
    for (size_t v = 0; v < sweep->varied_count; v++)
        if (v != sweep->axis_path &&
            strcmp(value_at(report, p, sweep->varied[v]), value_at(report, q, sweep->varied[v])) != 0)
            return 0;
    return 1;
}

static enum pcs_status find_groups(const struct pcs_run_report *report, struct run_sweep *sweep)
{
    size_t points = report->point_count;
    size_t *first = calloc(points, sizeof *first); /* the first point of each group */
    sweep->group = calloc(points, sizeof *sweep->group);
    enum pcs_status status = first && sweep->group ? PCS_OK : PCS_ERR_NOMEM;
    for (size_t p = 0; p < points && status == PCS_OK; p++) {
        size_t g = 0;
        while (g < sweep->group_count && !same_group(report, sweep, first[g], p))
            g++;
        if (g == sweep->group_count)
            first[sweep->group_count++] = p;
        sweep->group[p] = g;
    }
    free(first);
    return status;
}

enum pcs_status pcs_run_sweep_compute(const struct pcs_run_report *report, struct run_sweep *sweep)
{
    memset(sweep, 0, sizeof *sweep);
    sweep->point_count = report->point_count;
    pcs_report_money_init(&sweep->cost);
    for (size_t p = 0; p < report->point_count; p++)
        if (report->points[p].result->strategy_count > sweep->strategy_count)
            sweep->strategy_count = report->points[p].result->strategy_count;
    sweep->stats = calloc(report->point_count * sweep->strategy_count + 1, sizeof *sweep->stats);
    enum pcs_status status = sweep->stats ? PCS_OK : PCS_ERR_NOMEM;
    for (size_t p = 0; p < report->point_count && status == PCS_OK; p++)
        status = pcs_run_stats_compute(&report->points[p], &sweep->stats[p * sweep->strategy_count]);
    for (size_t p = 0; p < report->point_count && status == PCS_OK; p++) {
        for (size_t s = 0; s < sweep->strategy_count; s++) {
            const struct strategy_stats *stats = pcs_run_sweep_stats(sweep, p, s);
            if (!stats)
                continue;
            pcs_report_money_add(&sweep->cost, stats->cost_per_completed_task.mean);
            pcs_report_money_add(&sweep->cost, stats->cost_per_completed_task.ci95_low);
            pcs_report_money_add(&sweep->cost, stats->cost_per_completed_task.ci95_high);
        }
    }
    if (status == PCS_OK)
        status = find_varied(report, sweep);
    if (status == PCS_OK)
        status = choose_axis(report, sweep);
    if (status == PCS_OK)
        status = find_groups(report, sweep);
    return status;
}

void pcs_run_sweep_free(struct run_sweep *sweep)
{
    free(sweep->stats);
    free(sweep->varied);
    free(sweep->x);
    free(sweep->categories);
    free(sweep->group);
    memset(sweep, 0, sizeof *sweep);
}

const struct strategy_stats *pcs_run_sweep_stats(const struct run_sweep *sweep, size_t p, size_t s)
{
    const struct strategy_stats *stats = &sweep->stats[p * sweep->strategy_count + s];
    return stats->strategy ? stats : NULL;
}

const char *pcs_run_sweep_group_text(const struct run_sweep *sweep, const struct pcs_run_report *report, size_t p,
                                     char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    if (sweep->group_count < 2)
        return buf;
    for (size_t v = 0; v < sweep->varied_count; v++) {
        if (v == sweep->axis_path)
            continue;
        const struct pcs_sweep_setting *setting = &report->points[p].settings[sweep->varied[v]];
        pcs_text_append(buf, cap, &used, "%s%s=%s", used ? ", " : "", setting->path, setting->value);
    }
    return buf;
}
