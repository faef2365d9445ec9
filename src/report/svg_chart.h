/* A small SVG chart toolkit for the HTML reports (internal to src/report):
 * line charts (several series, linear, log or category x, straight or step
 * lines, confidence bands, vertical markers and horizontal levels), CDF
 * charts, and horizontal bar
 * charts (grouped or stacked, with error bars). Axes get ticks at nice
 * values (or the caller's), titles with units, and a legend when there is
 * more than one series.
 *
 * Each chart is one <svg xmlns="http://www.w3.org/2000/svg"> element; its
 * look comes from the report's style sheet (html.c) through classes. The
 * output depends only on the input: coordinates are "%.1f", values "%.4g"
 * unless the caller formats them, all in the C locale's notation. */
#ifndef PCSIM_REPORT_SVG_CHART_H
#define PCSIM_REPORT_SVG_CHART_H

#include <stddef.h>
#include <stdio.h>

#include "pcsim/status.h"
#include "report_util.h"

/* Writes value as text into buf (cap bytes) and returns buf. */
typedef const char *(*chart_format_fn)(double value, char *buf, size_t cap);

struct chart_axis {
    const char *title;   /* with its unit: "TTL (log scale)", "cost (USD)" */
    int log_scale;       /* values <= 0 are left out on a log axis */
    double min, max;     /* the range shown; min >= max: from the data */
    int from_zero;       /* a linear range from the data includes 0 */
    const double *ticks; /* candidate tick values (those in range are used); NULL: nice values */
    size_t tick_count;
    const char *const *tick_labels;   /* NULL, or one per ticks[i]: its label, also in tooltips (categories
                                         at 0, 1, 2, ...); over tick_format and value_format */
    chart_format_fn tick_format;      /* tick labels; NULL: "%.4g" */
    chart_format_fn value_format;     /* a point's value in its tooltip; NULL: tick_format */
    const struct report_money *money; /* not NULL: tooltips in dollars at this precision (over value_format) */
};

struct chart_series {
    const char *name;
    const double *x, *y; /* count points, x ascending; a non-finite y breaks the line */
    size_t count;
    int step;          /* y holds from each x to the next; the last point ends the line */
    int markers;       /* a dot per point, its values as tooltip */
    const char *color; /* NULL: the palette's, by series index */
    /* NULL, or count values each: an interval around y at each x (a 95% CI),
     * drawn as a shaded band in the series' colour between neighbouring
     * points and a whisker at each point; a non-finite bound leaves the
     * point's interval out. With markers, each dot also carries its values
     * unrounded for machines: data-x, data-y, data-low and data-high
     * ("%.10g", absent when not finite). */
    const double *low, *high;
};

/* A vertical line at x with a label (shown when x is in range), the
 * label above the plot. */
struct chart_marker {
    double x;
    const char *label;
};

/* A horizontal dashed line at y with a label (the range includes it), the
 * label in the right margin. */
struct chart_level {
    double y;
    const char *label;
    const char *color; /* NULL: dark grey */
};

/* Labels never lie on the plot, so no label hides a line: the levels' and,
 * with more than one series, each series' name sit in a right margin at
 * their line's height, pushed apart where they would overlap and joined to
 * their line by a leader; the markers' labels sit in rows above the plot.
 * Each series has its own dash pattern (the first solid), so two series
 * with the same values still show as two. */
struct line_chart {
    const char *label; /* what the chart shows, for screen readers */
    struct chart_axis x, y;
    double plot_height; /* pixels; 0: 300 */
    const struct chart_series *series;
    size_t series_count;
    const struct chart_marker *markers;
    size_t marker_count;
    const struct chart_level *levels;
    size_t level_count;
};

enum pcs_status pcs_svg_line_chart(FILE *out, const struct line_chart *chart);

/* One distribution of a CDF chart. */
struct chart_sample {
    const char *name;
    const double *values; /* count values, any order (not modified) */
    size_t count;
};

/* Empirical CDFs as step lines: x the values, y the share of them <= x
 * (0 to 100 %). PCS_ERR_NOMEM when the sorted copies cannot be made. */
struct cdf_chart {
    const char *label;
    struct chart_axis x;
    const char *y_title; /* "share of trials (%)" */
    const struct chart_sample *samples;
    size_t sample_count;
};

enum pcs_status pcs_svg_cdf_chart(FILE *out, const struct cdf_chart *chart);

/* Horizontal bars: one band per category (top to bottom), in it one bar
 * per series side by side, or the series stacked into one bar. */
struct bar_chart {
    const char *label;
    struct chart_axis value; /* the horizontal axis */
    const char *const *categories;
    size_t category_count;
    const char *const *series_names; /* legend when more than one */
    size_t series_count;
    const double *values;      /* [category * series_count + series] */
    const double *low, *high;  /* NULL, or the same shape: an error bar from low to high */
    const char *const *labels; /* NULL, or text at each bar's end (stacked: one per category) */
    int stacked;
    const char *const *colors; /* NULL, or one per series: else the palette */
};

enum pcs_status pcs_svg_bar_chart(FILE *out, const struct bar_chart *chart);

/* Seconds as "30 s", "5 min", "1 h", "24 h", "7 d". */
const char *pcs_chart_format_duration(double seconds, char *buf, size_t cap);

/* Token counts as "500k", "1M", "2.5B". */
const char *pcs_chart_format_tokens(double tokens, char *buf, size_t cap);

/* A percentage value (0 to 100) as "20%" (ticks) or "62.35%" (values). */
const char *pcs_chart_format_percent_tick(double percent, char *buf, size_t cap);
const char *pcs_chart_format_percent_value(double percent, char *buf, size_t cap);

/* Dollars as "$0.05", "$1200" (ticks). */
const char *pcs_chart_format_usd_tick(double usd, char *buf, size_t cap);

/* Tick candidates for a duration axis in seconds (1 s to 30 d): the round
 * ones, and the finer list for narrow ranges. Sets *count. */
const double *pcs_chart_duration_ticks(double low_s, double high_s, size_t *count);

#endif
