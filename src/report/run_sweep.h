/* The cross-point view of a run with a sweep (internal to src/report):
 * every point's figures (run_stats.c's, as each point's own tables show
 * them), which of the sweep's paths vary between the points, and the axis
 * and lines the HTML report draws them as. The text and HTML reports print
 * the same summary from it. */
#ifndef PCSIM_REPORT_RUN_SWEEP_H
#define PCSIM_REPORT_RUN_SWEEP_H

#include "run_stats.h"

struct run_sweep {
    size_t point_count;
    size_t strategy_count;        /* the most strategies a point has */
    struct strategy_stats *stats; /* use pcs_run_sweep_stats */

    /* The sweep's paths whose value differs between points: indices into
     * every point's settings, in the order written. None when the points
     * carry no settings or all carry the same: their labels stand for them. */
    size_t varied_count;
    size_t *varied;

    /* The chart's x axis: the first varied path whose values are all
     * numbers, on a log scale when all are > 0 and the largest is more than
     * ten times the smallest; else the first varied path, its values as
     * categories in the order they first appear; else the points' labels
     * as categories. */
    const char *axis_title; /* the path, or "sweep point" */
    size_t axis_path;       /* the axis's index into varied; varied_count for the labels */
    int axis_numeric, axis_log;
    size_t category_count;
    const char **categories; /* the categories (borrowed from the report) */
    double *x;               /* [point]: its place on the axis (a category's index) */

    /* The chart's lines: one per strategy and combination of the other
     * varied paths' values (group), the groups in the order they first
     * appear. */
    size_t group_count;
    size_t *group; /* [point] */

    /* One precision for every point's cost per completed task: the mean
     * and the CI's bounds. */
    struct report_money cost;
};

/* Fills sweep for report (point_count > 1). PCS_ERR_NOMEM, with sweep left
 * safe to free. */
enum pcs_status pcs_run_sweep_compute(const struct pcs_run_report *report, struct run_sweep *sweep);

void pcs_run_sweep_free(struct run_sweep *sweep);

/* Strategy s's figures at point p; NULL when the point has fewer strategies. */
const struct strategy_stats *pcs_run_sweep_stats(const struct run_sweep *sweep, size_t p, size_t s);

/* What sets point p's group apart, into buf: "path=value" of each varied
 * path but the axis, joined by ", "; "" when there is one group. */
const char *pcs_run_sweep_group_text(const struct run_sweep *sweep, const struct pcs_run_report *report, size_t p,
                                     char *buf, size_t cap);

#endif
