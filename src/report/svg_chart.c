/* SVG charts for the HTML reports; see svg_chart.h.
 *
 * Layout is computed from estimated text widths (a character of the 12 px
 * font is taken as CHAR_WIDTH pixels): margins fit the widest tick or bar
 * label, and an x tick whose label would touch the previous one is left
 * out, so labels never overlap whatever the range. */
#include "svg_chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

#define CHART_WIDTH 960.0
#define CHAR_WIDTH 7.2
#define LEGEND_ROW 18.0
#define MAX_TICKS 64
#define AXIS_BELOW 52.0 /* tick labels and the x axis title under the plot */
#define DEFAULT_PLOT_HEIGHT 300.0
#define LABEL_ROW 15.0 /* a margin label's height: the 12 px font and a gap */
#define LEADER 20.0    /* from the plot's right edge to an end label */
#define LABEL_GAP 10.0 /* between two marker labels in a row */

/* Okabe-Ito's colour-blind-safe colours (yellow left out: too pale on white). */
static const char *const palette[] = {"#0072b2", "#e69f00", "#009e73", "#d55e00",
                                      "#cc79a7", "#56b4e9", "#8c6d31", "#5f6b77"};

static const char *palette_color(size_t index)
{
    return palette[index % (sizeof palette / sizeof palette[0])];
}

/* A line series' stroke-dasharray by index, the first solid (NULL): series
 * with equal values, drawn on top of each other, still show each. */
static const char *const dash_patterns[] = {NULL, "8 4", "2 3", "12 3 2 3", "5 2", "1 4", "10 6", "6 2 1 2"};

static const char *dash_pattern(size_t index)
{
    return dash_patterns[index % (sizeof dash_patterns / sizeof dash_patterns[0])];
}

/* ------------------------------------------------------------ text output */

static void svg_begin(FILE *out, const char *kind, double height, const char *label)
{
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" width=\"%s\" height=\"%s\" "
            "viewBox=\"0 0 %s %s\" role=\"img\" aria-label=\"",
            kind, pcs_html_px(CHART_WIDTH).text, pcs_html_px(height).text, pcs_html_px(CHART_WIDTH).text,
            pcs_html_px(height).text);
    pcs_html_escaped(out, label);
    fputs("\">\n", out);
}

static void svg_end(FILE *out)
{
    fputs("</svg>\n", out);
}

static void svg_text(FILE *out, double x, double y, const char *anchor, const char *class_name, const char *text)
{
    fprintf(out, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\"", pcs_html_px(x).text, pcs_html_px(y).text, anchor);
    if (class_name)
        fprintf(out, " class=\"%s\"", class_name);
    fputc('>', out);
    pcs_html_escaped(out, text);
    fputs("</text>\n", out);
}

/* Text turned to read upwards, its anchor at (x, y). */
static void svg_text_up(FILE *out, double x, double y, const char *anchor, const char *class_name, const char *text)
{
    fprintf(out, "<text transform=\"translate(%s,%s) rotate(-90)\" text-anchor=\"%s\" class=\"%s\">",
            pcs_html_px(x).text, pcs_html_px(y).text, anchor, class_name);
    pcs_html_escaped(out, text);
    fputs("</text>\n", out);
}

static void svg_line(FILE *out, double x1, double y1, double x2, double y2, const char *class_name)
{
    fprintf(out, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" class=\"%s\"/>\n", pcs_html_px(x1).text,
            pcs_html_px(y1).text, pcs_html_px(x2).text, pcs_html_px(y2).text, class_name);
}

static double text_width(const char *text)
{
    return CHAR_WIDTH * (double)pcs_html_char_count(text);
}

/* ------------------------------------------------------------------ scales */

struct extent {
    int any;
    double min, max;
};

static void extent_add(struct extent *extent, double value)
{
    if (!isfinite(value))
        return;
    if (!extent->any || value < extent->min)
        extent->min = value;
    if (!extent->any || value > extent->max)
        extent->max = value;
    extent->any = 1;
}

static int axis_accepts(const struct chart_axis *axis, double value)
{
    return isfinite(value) && (!axis->log_scale || value > 0);
}

/* The range in data space (log10 of it on a log axis) and its pixels. */
struct scale {
    int log;
    double low, high;
    double step; /* linear: the tick spacing the range was rounded to; 0: from the range */
    double pixel_low, pixel_high;
};

static double scale_pixel(const struct scale *scale, double value)
{
    /* cppcheck-suppress invalidFunctionArg ; bar charts pass 0, on their linear scale only */
    double at = scale->log ? log10(value) : value;
    double share = (at - scale->low) / (scale->high - scale->low);
    return scale->pixel_low + share * (scale->pixel_high - scale->pixel_low);
}

static int scale_contains(const struct scale *scale, double value)
{
    if (scale->log && value <= 0)
        return 0;
    double at = scale->log ? log10(value) : value;
    double slack = 1e-9 * (scale->high - scale->low);
    return at >= scale->low - slack && at <= scale->high + slack;
}

/* 1, 2, 2.5 or 5 times a power of ten, near span / parts. */
static double nice_step(double span, double parts)
{
    double raw = span / parts;
    double magnitude = pow(10, floor(log10(raw)));
    double fraction = raw / magnitude;
    double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
    return nice * magnitude;
}

static void linear_range(const struct chart_axis *axis, struct extent data, struct scale *scale)
{
    double low = data.any ? data.min : 0, high = data.any ? data.max : 1;
    if (axis->from_zero) {
        low = fmin(low, 0);
        high = fmax(high, 0);
    }
    if (high <= low) {
        double pad = low != 0 ? fabs(low) * 0.1 : 1;
        high += pad;
        low = axis->from_zero && low == 0 ? 0 : low - pad;
    }
    double step = nice_step(high - low, 5);
    scale->low = floor(low / step + 1e-9) * step;
    scale->high = ceil(high / step - 1e-9) * step;
    scale->step = step;
}

static void log_range(struct extent data, struct scale *scale)
{
    double low = data.any ? log10(data.min) : 0, high = data.any ? log10(data.max) : 1;
    if (high <= low) {
        low -= 0.5;
        high += 0.5;
    }
    double pad = 0.03 * (high - low);
    scale->low = low - pad;
    scale->high = high + pad;
}

static void axis_range(const struct chart_axis *axis, struct extent data, struct scale *scale)
{
    scale->log = axis->log_scale;
    scale->step = 0;
    if (axis->min < axis->max && (!axis->log_scale || axis->min > 0)) {
        scale->low = axis->log_scale ? log10(axis->min) : axis->min;
        scale->high = axis->log_scale ? log10(axis->max) : axis->max;
    } else if (axis->log_scale) {
        log_range(data, scale);
    } else {
        linear_range(axis, data, scale);
    }
}

static size_t linear_ticks(double low, double high, double step, double *ticks)
{
    if (!(step > 0))
        step = nice_step(high - low, 5);
    double first = ceil(low / step - 1e-9);
    size_t count = 0;
    for (double i = first; count < MAX_TICKS && i * step <= high + 1e-9 * step; i++) {
        double value = i * step;
        ticks[count++] = fabs(value) < 1e-9 * step ? 0 : value;
    }
    return count;
}

/* Powers of ten, with 2 and 5 times them when the range has few of those. */
static size_t log_ticks(const struct scale *scale, double *ticks)
{
    static const double multiples[] = {1, 2, 5};
    size_t decades = (size_t)fmax(0, floor(scale->high) - ceil(scale->low) + 1);
    size_t kinds = decades >= 3 ? 1 : 3;
    size_t count = 0;
    for (double power = floor(scale->low); power <= ceil(scale->high) && count < MAX_TICKS; power++) {
        for (size_t k = 0; k < kinds && count < MAX_TICKS; k++) {
            double value = multiples[k] * pow(10, power);
            if (scale_contains(scale, value))
                ticks[count++] = value;
        }
    }
    if (count >= 2)
        return count;
    /* Less than a decade: round values of the range itself. */
    count = linear_ticks(pow(10, scale->low), pow(10, scale->high), 0, ticks);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (ticks[i] > 0)
            ticks[kept++] = ticks[i];
    return kept;
}

static size_t axis_ticks(const struct chart_axis *axis, const struct scale *scale, double *ticks)
{
    if (!axis->ticks)
        return scale->log ? log_ticks(scale, ticks) : linear_ticks(scale->low, scale->high, scale->step, ticks);
    size_t count = 0;
    for (size_t i = 0; i < axis->tick_count && count < MAX_TICKS; i++)
        if (scale_contains(scale, axis->ticks[i]))
            ticks[count++] = axis->ticks[i];
    return count;
}

static const char *tick_label(const struct chart_axis *axis, double value, char *buf, size_t cap)
{
    for (size_t i = 0; axis->tick_labels && i < axis->tick_count; i++) {
        if (axis->ticks[i] == value) {
            snprintf(buf, cap, "%s", axis->tick_labels[i]);
            return buf;
        }
    }
    if (axis->tick_format)
        return axis->tick_format(value, buf, cap);
    snprintf(buf, cap, "%s", pcs_html_g(value).text);
    return buf;
}

static const char *value_label(const struct chart_axis *axis, double value, char *buf, size_t cap)
{
    if (axis->tick_labels)
        return tick_label(axis, value, buf, cap);
    if (axis->money)
        return pcs_report_money_dollars(axis->money, value, buf, cap);
    if (axis->value_format)
        return axis->value_format(value, buf, cap);
    return tick_label(axis, value, buf, cap);
}

/* ------------------------------------------------------------------- axes */

/* The plot area inside the svg. */
struct frame {
    double left, top, right, bottom;
};

static double widest_tick_label(const struct chart_axis *axis, const struct scale *scale)
{
    double ticks[MAX_TICKS], widest = 0;
    size_t count = axis_ticks(axis, scale, ticks);
    for (size_t i = 0; i < count; i++) {
        char label[64];
        widest = fmax(widest, text_width(tick_label(axis, ticks[i], label, sizeof label)));
    }
    return widest;
}

/* Ticks, grid lines and labels under the plot, then the axis title. */
static void x_axis(FILE *out, const struct chart_axis *axis, const struct scale *scale, const struct frame *frame)
{
    double ticks[MAX_TICKS], last_right = -INFINITY;
    size_t count = axis_ticks(axis, scale, ticks);
    for (size_t i = 0; i < count; i++) {
        char label[64];
        double x = scale_pixel(scale, ticks[i]);
        double half = text_width(tick_label(axis, ticks[i], label, sizeof label)) / 2;
        if (x - half < last_right + 10)
            continue;
        last_right = x + half;
        svg_line(out, x, frame->top, x, frame->bottom, "grid");
        svg_line(out, x, frame->bottom, x, frame->bottom + 5, "axis");
        svg_text(out, x, frame->bottom + 19, "middle", "tick", label);
    }
    svg_line(out, frame->left, frame->bottom, frame->right, frame->bottom, "axis");
    svg_text(out, (frame->left + frame->right) / 2, frame->bottom + 44, "middle", "axis-title", axis->title);
}

/* Ticks, grid lines and labels left of the plot, the title turned upwards. */
static void y_axis(FILE *out, const struct chart_axis *axis, const struct scale *scale, const struct frame *frame)
{
    double ticks[MAX_TICKS];
    size_t count = axis_ticks(axis, scale, ticks);
    for (size_t i = 0; i < count; i++) {
        char label[64];
        double y = scale_pixel(scale, ticks[i]);
        svg_line(out, frame->left, y, frame->right, y, "grid");
        svg_line(out, frame->left - 5, y, frame->left, y, "axis");
        svg_text(out, frame->left - 8, y + 4, "end", "tick", tick_label(axis, ticks[i], label, sizeof label));
    }
    svg_line(out, frame->left, frame->top, frame->left, frame->bottom, "axis");
    svg_text_up(out, 18, (frame->top + frame->bottom) / 2, "middle", "axis-title", axis->title);
}

/* ----------------------------------------------------------------- legend */

struct legend_item {
    const char *name;
    const char *color;
    const char *dash; /* NULL: solid */
    int box;          /* a filled square (bars) rather than a line */
};

static void legend_swatch(FILE *out, const struct legend_item *item, double x, double y)
{
    if (item->box) {
        fprintf(out, "<rect x=\"%s\" y=\"%s\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", pcs_html_px(x + 6).text,
                pcs_html_px(y - 10).text, item->color);
        return;
    }
    fprintf(out, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"%s\" stroke-width=\"2.5\"",
            pcs_html_px(x).text, pcs_html_px(y - 4).text, pcs_html_px(x + 22).text, pcs_html_px(y - 4).text,
            item->color);
    if (item->dash)
        fprintf(out, " stroke-dasharray=\"%s\"", item->dash);
    fputs("/>\n", out);
}

/* Lays the items out in rows from (left, top) within right; draws them
 * when out is not NULL. Returns the rows used. */
static size_t legend_flow(FILE *out, const struct legend_item *items, size_t count, double left, double top,
                          double right)
{
    double x = left;
    size_t rows = count ? 1 : 0;
    for (size_t i = 0; i < count; i++) {
        double width = 30 + text_width(items[i].name) + 18;
        if (x > left && x + width > right) {
            x = left;
            rows++;
        }
        double baseline = top + (double)rows * LEGEND_ROW - 4;
        if (out) {
            legend_swatch(out, &items[i], x, baseline);
            svg_text(out, x + 30, baseline, "start", NULL, items[i].name);
        }
        x += width;
    }
    return rows;
}

/* ------------------------------------------------------------- line chart */

static void series_extents(const struct line_chart *chart, struct extent *x, struct extent *y)
{
    for (size_t s = 0; s < chart->series_count; s++) {
        const struct chart_series *series = &chart->series[s];
        for (size_t i = 0; i < series->count; i++) {
            if (!axis_accepts(&chart->x, series->x[i]) || !axis_accepts(&chart->y, series->y[i]))
                continue;
            extent_add(x, series->x[i]);
            extent_add(y, series->y[i]);
            if (series->low && series->high && axis_accepts(&chart->y, series->low[i]) &&
                axis_accepts(&chart->y, series->high[i])) {
                extent_add(y, series->low[i]);
                extent_add(y, series->high[i]);
            }
        }
    }
    for (size_t l = 0; l < chart->level_count; l++)
        if (axis_accepts(&chart->y, chart->levels[l].y))
            extent_add(y, chart->levels[l].y);
}

static const char *series_color(const struct line_chart *chart, size_t index)
{
    return chart->series[index].color ? chart->series[index].color : palette_color(index);
}

/* The path's commands: straight segments, or steps holding each y until
 * the next x; a point the axes cannot show lifts the pen. */
static void series_path(FILE *out, const struct line_chart *chart, const struct chart_series *series,
                        const struct scale *x_scale, const struct scale *y_scale)
{
    int pen_down = 0;
    for (size_t i = 0; i < series->count; i++) {
        if (!axis_accepts(&chart->x, series->x[i]) || !axis_accepts(&chart->y, series->y[i])) {
            pen_down = 0;
            continue;
        }
        double x = scale_pixel(x_scale, series->x[i]), y = scale_pixel(y_scale, series->y[i]);
        if (!pen_down)
            fprintf(out, "M%s %s", pcs_html_px(x).text, pcs_html_px(y).text);
        else if (series->step)
            fprintf(out, "V%s", pcs_html_px(y).text);
        else
            fprintf(out, "L%s %s", pcs_html_px(x).text, pcs_html_px(y).text);
        pen_down = 1;
        if (series->step && i + 1 < series->count && axis_accepts(&chart->x, series->x[i + 1]))
            fprintf(out, "H%s", pcs_html_px(scale_pixel(x_scale, series->x[i + 1])).text);
    }
}

/* Whether point i of the series has an interval the axes can show. */
static int has_interval(const struct line_chart *chart, const struct chart_series *series, size_t i)
{
    return axis_accepts(&chart->x, series->x[i]) && axis_accepts(&chart->y, series->y[i]) &&
           axis_accepts(&chart->y, series->low[i]) && axis_accepts(&chart->y, series->high[i]);
}

/* A series' intervals: a shaded band over each run of neighbouring points
 * that have one (high bounds forwards, low bounds back), then a whisker at
 * each point, so a lone point's interval shows too. */
static void series_band(FILE *out, const struct line_chart *chart, const struct chart_series *series, const char *color,
                        const struct scale *x_scale, const struct scale *y_scale)
{
    for (size_t start = 0; start < series->count;) {
        if (!has_interval(chart, series, start)) {
            start++;
            continue;
        }
        size_t end = start + 1;
        while (end < series->count && has_interval(chart, series, end))
            end++;
        if (end - start >= 2) {
            fprintf(out, "<path class=\"band\" fill=\"%s\" fill-opacity=\"0.15\" stroke=\"none\" d=\"", color);
            for (size_t i = start; i < end; i++)
                fprintf(out, "%s%s %s", i == start ? "M" : "L", pcs_html_px(scale_pixel(x_scale, series->x[i])).text,
                        pcs_html_px(scale_pixel(y_scale, series->high[i])).text);
            for (size_t i = end; i-- > start;)
                fprintf(out, "L%s %s", pcs_html_px(scale_pixel(x_scale, series->x[i])).text,
                        pcs_html_px(scale_pixel(y_scale, series->low[i])).text);
            fputs("Z\"/>\n", out);
        }
        start = end;
    }
    for (size_t i = 0; i < series->count; i++) {
        if (!has_interval(chart, series, i))
            continue;
        double x = scale_pixel(x_scale, series->x[i]);
        fprintf(out,
                "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" class=\"interval\" stroke=\"%s\" "
                "stroke-width=\"1.5\"/>\n",
                pcs_html_px(x).text, pcs_html_px(scale_pixel(y_scale, series->low[i])).text, pcs_html_px(x).text,
                pcs_html_px(scale_pixel(y_scale, series->high[i])).text, color);
    }
}

static void series_dots(FILE *out, const struct line_chart *chart, const struct chart_series *series, const char *color,
                        const struct scale *x_scale, const struct scale *y_scale)
{
    for (size_t i = 0; i < series->count; i++) {
        if (!axis_accepts(&chart->x, series->x[i]) || !axis_accepts(&chart->y, series->y[i]))
            continue;
        char x_text[64], y_text[64];
        fprintf(out, "<circle cx=\"%s\" cy=\"%s\" r=\"3.2\" fill=\"%s\"",
                pcs_html_px(scale_pixel(x_scale, series->x[i])).text,
                pcs_html_px(scale_pixel(y_scale, series->y[i])).text, color);
        int interval = series->low && series->high && has_interval(chart, series, i);
        if (series->low && series->high) {
            fprintf(out, " data-x=\"%s\" data-y=\"%s\"", pcs_html_exact(series->x[i]).text,
                    pcs_html_exact(series->y[i]).text);
            if (interval)
                fprintf(out, " data-low=\"%s\" data-high=\"%s\"", pcs_html_exact(series->low[i]).text,
                        pcs_html_exact(series->high[i]).text);
        }
        fputs("><title>", out);
        pcs_html_escapedf(out, "%s: %s, %s", series->name, value_label(&chart->x, series->x[i], x_text, sizeof x_text),
                          value_label(&chart->y, series->y[i], y_text, sizeof y_text));
        if (interval) {
            char low[64], high[64];
            pcs_html_escapedf(out, " (95%% CI %s to %s)", value_label(&chart->y, series->low[i], low, sizeof low),
                              value_label(&chart->y, series->high[i], high, sizeof high));
        }
        fputs("</title></circle>\n", out);
    }
}

static void draw_series(FILE *out, const struct line_chart *chart, const struct scale *x_scale,
                        const struct scale *y_scale)
{
    /* Every band under every line. */
    for (size_t s = 0; s < chart->series_count; s++)
        if (chart->series[s].low && chart->series[s].high)
            series_band(out, chart, &chart->series[s], series_color(chart, s), x_scale, y_scale);
    for (size_t s = 0; s < chart->series_count; s++) {
        const struct chart_series *series = &chart->series[s];
        const char *color = series_color(chart, s);
        fprintf(out, "<path class=\"series\" stroke=\"%s\"", color);
        if (dash_pattern(s))
            fprintf(out, " stroke-dasharray=\"%s\"", dash_pattern(s));
        fputs(" d=\"", out);
        series_path(out, chart, series, x_scale, y_scale);
        fputs("\"><title>", out);
        pcs_html_escaped(out, series->name);
        fputs("</title></path>\n", out);
        if (series->markers)
            series_dots(out, chart, series, color, x_scale, y_scale);
    }
}

/* Marker labels above the plot, centred on their line where the chart's
 * width allows: each goes into the first row (0 nearest the plot) where
 * it keeps LABEL_GAP from the labels already there. Sets row[m] (-1: out
 * of range) and returns the rows used. */
static size_t marker_rows(const struct line_chart *chart, const struct scale *x_scale, int *row)
{
    double row_right[64];
    size_t rows = 0;
    for (size_t m = 0; m < chart->marker_count; m++) {
        const struct chart_marker *marker = &chart->markers[m];
        row[m] = -1;
        if (!axis_accepts(&chart->x, marker->x) || !scale_contains(x_scale, marker->x))
            continue;
        double width = text_width(marker->label);
        double left = fmin(fmax(scale_pixel(x_scale, marker->x) - width / 2, 4), CHART_WIDTH - 4 - width);
        size_t r = 0;
        while (r < rows && left < row_right[r] + LABEL_GAP)
            r++;
        if (r == sizeof row_right / sizeof row_right[0])
            r--; /* 64 rows of labels: the chart is unreadable anyway */
        if (r == rows)
            rows++;
        row_right[r] = left + width;
        row[m] = (int)r;
    }
    return rows;
}

/* The markers' vertical lines, from the plot's top to its bottom. */
static void draw_marker_lines(FILE *out, const struct line_chart *chart, const struct scale *x_scale,
                              const struct frame *frame, const int *row)
{
    for (size_t m = 0; m < chart->marker_count; m++) {
        if (row[m] < 0)
            continue;
        double x = scale_pixel(x_scale, chart->markers[m].x);
        svg_line(out, x, frame->top, x, frame->bottom, "marker");
    }
}

/* The markers' labels in their rows above the plot (see marker_rows). */
static void draw_marker_labels(FILE *out, const struct line_chart *chart, const struct scale *x_scale,
                               const struct frame *frame, const int *row)
{
    for (size_t m = 0; m < chart->marker_count; m++) {
        if (row[m] < 0)
            continue;
        const struct chart_marker *marker = &chart->markers[m];
        double width = text_width(marker->label);
        double left = fmin(fmax(scale_pixel(x_scale, marker->x) - width / 2, 4), CHART_WIDTH - 4 - width);
        svg_text(out, left, frame->top - 6 - LABEL_ROW * row[m], "start", "marker-label", marker->label);
    }
}

/* Horizontal dashed lines across the plot; their labels are end labels. */
static void draw_levels(FILE *out, const struct line_chart *chart, const struct scale *y_scale,
                        const struct frame *frame)
{
    for (size_t l = 0; l < chart->level_count; l++) {
        const struct chart_level *level = &chart->levels[l];
        if (!axis_accepts(&chart->y, level->y) || !scale_contains(y_scale, level->y))
            continue;
        double y = scale_pixel(y_scale, level->y);
        fprintf(out, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" class=\"level\" stroke=\"%s\"/>\n",
                pcs_html_px(frame->left).text, pcs_html_px(y).text, pcs_html_px(frame->right).text, pcs_html_px(y).text,
                level->color ? level->color : "#3d444d");
    }
}

/* ------------------------------------------------------------ end labels */

/* A label in the right margin: the name of a series (at its last point) or
 * of a level, at the height of its line (anchor) or pushed from it (y). */
struct end_label {
    const char *text;
    const char *color;
    double anchor, y;
    size_t order; /* series first, then levels: ties keep it */
};

static int by_anchor(const void *a, const void *b)
{
    const struct end_label *x = a, *y = b;
    if (x->anchor != y->anchor)
        return x->anchor < y->anchor ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* The y pixel of the series' last point the axes can show; 0 if none. */
static int series_end(const struct line_chart *chart, const struct chart_series *series, const struct scale *y_scale,
                      double *y)
{
    for (size_t i = series->count; i-- > 0;) {
        if (axis_accepts(&chart->x, series->x[i]) && axis_accepts(&chart->y, series->y[i])) {
            *y = scale_pixel(y_scale, series->y[i]);
            return 1;
        }
    }
    return 0;
}

/* The end labels with their anchors (sorted), not yet placed; returns how
 * many. Series are named here only when there are several. labels holds
 * series_count + level_count. */
static size_t end_labels(const struct line_chart *chart, const struct scale *y_scale, struct end_label *labels)
{
    size_t count = 0;
    for (size_t s = 0; chart->series_count > 1 && s < chart->series_count; s++) {
        double y;
        if (!series_end(chart, &chart->series[s], y_scale, &y))
            continue;
        labels[count] = (struct end_label){chart->series[s].name, series_color(chart, s), y, y, count};
        count++;
    }
    for (size_t l = 0; l < chart->level_count; l++) {
        const struct chart_level *level = &chart->levels[l];
        if (!axis_accepts(&chart->y, level->y) || !scale_contains(y_scale, level->y))
            continue;
        double y = scale_pixel(y_scale, level->y);
        labels[count] = (struct end_label){level->label, level->color ? level->color : "#3d444d", y, y, count};
        count++;
    }
    qsort(labels, count, sizeof *labels, by_anchor);
    return count;
}

/* Pushes the labels apart to LABEL_ROW between neighbours, each as near its
 * anchor as that allows, within [low, high]: down from the top, then back
 * up from the bottom, then down again when the range is too short. */
static void place_end_labels(struct end_label *labels, size_t count, double low, double high)
{
    for (size_t i = 0; i < count; i++)
        labels[i].y = fmax(labels[i].anchor, i ? labels[i - 1].y + LABEL_ROW : low);
    for (size_t i = count; i-- > 0;)
        labels[i].y = fmin(labels[i].y, i + 1 < count ? labels[i + 1].y - LABEL_ROW : high);
    for (size_t i = 0; i < count; i++)
        labels[i].y = fmax(labels[i].y, i ? labels[i - 1].y + LABEL_ROW : low);
}

static double widest_end_label(const struct end_label *labels, size_t count)
{
    double widest = 0;
    for (size_t i = 0; i < count; i++)
        widest = fmax(widest, text_width(labels[i].text));
    return widest;
}

/* Each label at x = right + LEADER, its middle at its y, and a leader from
 * the plot's edge at the line's height to it. */
static void draw_end_labels(FILE *out, const struct end_label *labels, size_t count, double right)
{
    for (size_t i = 0; i < count; i++) {
        fprintf(out, "<polyline class=\"leader\" points=\"%s,%s %s,%s %s,%s\" stroke=\"%s\"/>\n",
                pcs_html_px(right + 2).text, pcs_html_px(labels[i].anchor).text, pcs_html_px(right + 8).text,
                pcs_html_px(labels[i].anchor).text, pcs_html_px(right + LEADER - 4).text, pcs_html_px(labels[i].y).text,
                labels[i].color);
        fprintf(out, "<text x=\"%s\" y=\"%s\" text-anchor=\"start\" class=\"end-label\" style=\"fill:%s\">",
                pcs_html_px(right + LEADER).text, pcs_html_px(labels[i].y + 4).text, labels[i].color);
        pcs_html_escaped(out, labels[i].text);
        fputs("</text>\n", out);
    }
}

static size_t line_legend(const struct line_chart *chart, struct legend_item *items)
{
    if (chart->series_count < 2)
        return 0;
    for (size_t s = 0; s < chart->series_count; s++) {
        items[s].name = chart->series[s].name;
        items[s].color = series_color(chart, s);
        items[s].dash = dash_pattern(s);
        items[s].box = 0;
    }
    return chart->series_count;
}

enum pcs_status pcs_svg_line_chart(FILE *out, const struct line_chart *chart)
{
    struct extent x_data = {0, 0, 0}, y_data = {0, 0, 0};
    struct scale x_scale, y_scale;
    series_extents(chart, &x_data, &y_data);
    axis_range(&chart->x, x_data, &x_scale);
    axis_range(&chart->y, y_data, &y_scale);

    struct legend_item *items = calloc(chart->series_count + 1, sizeof *items);
    struct end_label *labels = calloc(chart->series_count + chart->level_count + 1, sizeof *labels);
    int *rows = calloc(chart->marker_count + 1, sizeof *rows);
    if (!items || !labels || !rows) {
        free(items);
        free(labels);
        free(rows);
        return PCS_ERR_NOMEM;
    }
    size_t item_count = line_legend(chart, items);
    /* The margins first (the end labels' width, the marker rows), then the
     * plot in what is left; the labels' heights depend only on the y
     * scale's share, so they are placed once the plot is. */
    y_scale.pixel_low = 1;
    y_scale.pixel_high = 0;
    size_t label_count = end_labels(chart, &y_scale, labels);
    struct frame frame;
    frame.left = 40 + widest_tick_label(&chart->y, &y_scale);
    frame.right = CHART_WIDTH - (label_count ? LEADER + widest_end_label(labels, label_count) + 8 : 28);
    x_scale.pixel_low = frame.left;
    x_scale.pixel_high = frame.right;
    size_t marker_row_count = marker_rows(chart, &x_scale, rows);
    frame.top = 14 + LEGEND_ROW * (double)legend_flow(NULL, items, item_count, frame.left, 0, frame.right) +
                LABEL_ROW * (double)marker_row_count;
    frame.bottom = frame.top + (chart->plot_height > 0 ? chart->plot_height : DEFAULT_PLOT_HEIGHT);
    y_scale.pixel_low = frame.bottom;
    y_scale.pixel_high = frame.top;
    label_count = end_labels(chart, &y_scale, labels);
    place_end_labels(labels, label_count, frame.top - 6, frame.bottom + AXIS_BELOW - 12);

    svg_begin(out, "line-chart", frame.bottom + AXIS_BELOW, chart->label);
    legend_flow(out, items, item_count, frame.left, 6, frame.right);
    x_axis(out, &chart->x, &x_scale, &frame);
    y_axis(out, &chart->y, &y_scale, &frame);
    draw_marker_lines(out, chart, &x_scale, &frame, rows);
    draw_levels(out, chart, &y_scale, &frame);
    draw_series(out, chart, &x_scale, &y_scale);
    draw_marker_labels(out, chart, &x_scale, &frame, rows);
    draw_end_labels(out, labels, label_count, frame.right);
    svg_end(out);
    free(items);
    free(labels);
    free(rows);
    return PCS_OK;
}

/* -------------------------------------------------------------- CDF chart */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A sample's empirical CDF as a step line: (v0, 0), then (v[i-1], i / n). */
static void cdf_points(const struct chart_sample *sample, double *x, double *y)
{
    memcpy(x + 1, sample->values, sample->count * sizeof *x);
    qsort(x + 1, sample->count, sizeof *x, compare_doubles);
    x[0] = sample->count ? x[1] : 0;
    y[0] = 0;
    for (size_t i = 1; i <= sample->count; i++)
        y[i] = 100.0 * (double)i / (double)sample->count;
}

enum pcs_status pcs_svg_cdf_chart(FILE *out, const struct cdf_chart *chart)
{
    size_t points = 0;
    for (size_t s = 0; s < chart->sample_count; s++)
        points += chart->samples[s].count + 1;
    double *buffer = malloc((2 * points + 1) * sizeof *buffer);
    struct chart_series *series = calloc(chart->sample_count + 1, sizeof *series);
    if (!buffer || !series) {
        free(buffer);
        free(series);
        return PCS_ERR_NOMEM;
    }
    double *next = buffer;
    for (size_t s = 0; s < chart->sample_count; s++) {
        const struct chart_sample *sample = &chart->samples[s];
        series[s].name = sample->name;
        series[s].x = next;
        series[s].y = next + sample->count + 1;
        series[s].count = sample->count ? sample->count + 1 : 0;
        series[s].step = 1;
        cdf_points(sample, next, next + sample->count + 1);
        next += 2 * (sample->count + 1);
    }
    struct line_chart line = {
        .label = chart->label,
        .x = chart->x,
        .y = {.title = chart->y_title, .min = 0, .max = 100, .tick_format = pcs_chart_format_percent_tick},
        .series = series,
        .series_count = chart->sample_count,
    };
    enum pcs_status status = pcs_svg_line_chart(out, &line);
    free(buffer);
    free(series);
    return status;
}

/* -------------------------------------------------------------- bar chart */

struct bar_layout {
    size_t bars_per_band;
    double bar_height;
    double band_height;
};

static size_t bar_index(const struct bar_chart *chart, size_t category, size_t series)
{
    return category * chart->series_count + series;
}

static double stacked_total(const struct bar_chart *chart, size_t category)
{
    double total = 0;
    for (size_t s = 0; s < chart->series_count; s++)
        if (isfinite(chart->values[bar_index(chart, category, s)]))
            total += chart->values[bar_index(chart, category, s)];
    return total;
}

static struct extent bar_extent(const struct bar_chart *chart)
{
    struct extent extent = {0, 0, 0};
    for (size_t c = 0; c < chart->category_count; c++) {
        if (chart->stacked) {
            extent_add(&extent, stacked_total(chart, c));
            continue;
        }
        for (size_t s = 0; s < chart->series_count; s++) {
            size_t i = bar_index(chart, c, s);
            extent_add(&extent, chart->values[i]);
            if (chart->low && chart->high) {
                extent_add(&extent, chart->low[i]);
                extent_add(&extent, chart->high[i]);
            }
        }
    }
    return extent;
}

static double widest_bar_label(const struct bar_chart *chart)
{
    double widest = 0;
    size_t count = chart->stacked ? chart->category_count : chart->category_count * chart->series_count;
    for (size_t i = 0; chart->labels && i < count; i++)
        widest = fmax(widest, text_width(chart->labels[i]));
    return widest;
}

#define CATEGORY_CHARS 34

static double widest_category(const struct bar_chart *chart)
{
    double widest = 0;
    for (size_t c = 0; c < chart->category_count; c++) {
        char shortened[256];
        widest = fmax(
            widest, text_width(pcs_html_shortened(chart->categories[c], CATEGORY_CHARS, shortened, sizeof shortened)));
    }
    return widest;
}

static const char *bar_color(const struct bar_chart *chart, size_t series)
{
    return chart->colors && chart->colors[series] ? chart->colors[series] : palette_color(series);
}

static void category_label(FILE *out, const char *category, double x, double y)
{
    char shortened[256];
    pcs_html_shortened(category, CATEGORY_CHARS, shortened, sizeof shortened);
    fprintf(out, "<text x=\"%s\" y=\"%s\" text-anchor=\"end\">", pcs_html_px(x).text, pcs_html_px(y).text);
    pcs_html_escaped(out, shortened);
    if (strcmp(shortened, category) != 0) {
        fputs("<title>", out);
        pcs_html_escaped(out, category);
        fputs("</title>", out);
    }
    fputs("</text>\n", out);
}

static void bar_rect(FILE *out, const struct bar_chart *chart, const struct scale *scale, double from, double to,
                     double y, double height, size_t category, size_t series)
{
    double x0 = scale_pixel(scale, from), x1 = scale_pixel(scale, to);
    char value[64];
    fprintf(out, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"><title>",
            pcs_html_px(fmin(x0, x1)).text, pcs_html_px(y).text, pcs_html_px(fabs(x1 - x0)).text,
            pcs_html_px(height).text, bar_color(chart, series));
    pcs_html_escaped(out, chart->categories[category]);
    if (chart->series_names)
        pcs_html_escapedf(out, ", %s", chart->series_names[series]);
    pcs_html_escapedf(out, ": %s", value_label(&chart->value, to - from, value, sizeof value));
    fputs("</title></rect>\n", out);
}

/* An error bar from low to high across the bar's middle; returns its right end. */
static double whisker(FILE *out, const struct scale *scale, double low, double high, double middle)
{
    double x0 = scale_pixel(scale, low), x1 = scale_pixel(scale, high);
    svg_line(out, x0, middle, x1, middle, "whisker");
    svg_line(out, x0, middle - 5, x0, middle + 5, "whisker");
    svg_line(out, x1, middle - 5, x1, middle + 5, "whisker");
    return fmax(x0, x1);
}

static void draw_band(FILE *out, const struct bar_chart *chart, const struct bar_layout *layout,
                      const struct scale *scale, size_t category, double top)
{
    double y = top + 6, start = 0;
    double end = scale_pixel(scale, 0);
    for (size_t s = 0; s < chart->series_count; s++) {
        size_t i = bar_index(chart, category, s);
        double value = chart->values[i];
        if (!isfinite(value))
            continue;
        double from = chart->stacked ? start : 0;
        bar_rect(out, chart, scale, from, from + value, y, layout->bar_height - 2, category, s);
        end = fmax(end, scale_pixel(scale, from + value));
        if (chart->stacked) {
            start += value;
            continue;
        }
        double middle = y + (layout->bar_height - 2) / 2;
        if (chart->low && chart->high && isfinite(chart->low[i]) && isfinite(chart->high[i]))
            end = fmax(end, whisker(out, scale, chart->low[i], chart->high[i], middle));
        if (chart->labels)
            svg_text(out, end + 6, middle + 4, "start", NULL, chart->labels[i]);
        y += layout->bar_height;
        end = scale_pixel(scale, 0);
    }
    if (chart->stacked && chart->labels)
        svg_text(out, end + 6, y + (layout->bar_height - 2) / 2 + 4, "start", NULL, chart->labels[category]);
}

static size_t bar_legend(const struct bar_chart *chart, struct legend_item *items)
{
    if (chart->series_count < 2 || !chart->series_names)
        return 0;
    for (size_t s = 0; s < chart->series_count; s++) {
        items[s].name = chart->series_names[s];
        items[s].color = bar_color(chart, s);
        items[s].dash = NULL;
        items[s].box = 1;
    }
    return chart->series_count;
}

enum pcs_status pcs_svg_bar_chart(FILE *out, const struct bar_chart *chart)
{
    struct bar_layout layout;
    layout.bars_per_band = chart->stacked ? 1 : chart->series_count;
    layout.bar_height = layout.bars_per_band > 1 ? 16 : 22;
    layout.band_height = (double)layout.bars_per_band * layout.bar_height + 12;

    struct scale scale;
    struct chart_axis axis = chart->value;
    axis.log_scale = 0;
    axis_range(&axis, bar_extent(chart), &scale);
    struct legend_item *items = calloc(chart->series_count + 1, sizeof *items);
    if (!items)
        return PCS_ERR_NOMEM;
    size_t item_count = bar_legend(chart, items);
    struct frame frame;
    frame.left = fmax(60, 24 + 1.15 * widest_category(chart)); /* names hold wide letters */
    frame.right = CHART_WIDTH - fmax(28, widest_bar_label(chart) + 16);
    frame.top = 12 + LEGEND_ROW * (double)legend_flow(NULL, items, item_count, frame.left, 0, frame.right);
    frame.bottom = frame.top + layout.band_height * (double)chart->category_count;
    scale.pixel_low = frame.left;
    scale.pixel_high = frame.right;

    svg_begin(out, "bar-chart", frame.bottom + AXIS_BELOW, chart->label);
    legend_flow(out, items, item_count, frame.left, 4, frame.right);
    x_axis(out, &axis, &scale, &frame);
    for (size_t c = 0; c < chart->category_count; c++) {
        double top = frame.top + layout.band_height * (double)c;
        category_label(out, chart->categories[c], frame.left - 8, top + layout.band_height / 2 + 4);
        draw_band(out, chart, &layout, &scale, c, top);
    }
    svg_line(out, frame.left, frame.top, frame.left, frame.bottom, "axis");
    svg_end(out);
    free(items);
    return PCS_OK;
}

/* ------------------------------------------------------------- formatters */

const char *pcs_chart_format_duration(double seconds, char *buf, size_t cap)
{
    if (seconds < 60)
        snprintf(buf, cap, "%s s", pcs_html_g(seconds).text);
    else if (seconds < 3600)
        snprintf(buf, cap, "%s min", pcs_html_g(seconds / 60).text);
    else if (seconds < 2 * 86400)
        snprintf(buf, cap, "%s h", pcs_html_g(seconds / 3600).text);
    else
        snprintf(buf, cap, "%s d", pcs_html_g(seconds / 86400).text);
    return buf;
}

const char *pcs_chart_format_tokens(double tokens, char *buf, size_t cap)
{
    if (tokens >= 1e9)
        snprintf(buf, cap, "%sB", pcs_html_g(tokens / 1e9).text);
    else if (tokens >= 1e6)
        snprintf(buf, cap, "%sM", pcs_html_g(tokens / 1e6).text);
    else if (tokens >= 1e3)
        snprintf(buf, cap, "%sk", pcs_html_g(tokens / 1e3).text);
    else
        snprintf(buf, cap, "%s", pcs_html_g(tokens).text);
    return buf;
}

const char *pcs_chart_format_percent_tick(double percent, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%%", pcs_html_g(percent).text);
    return buf;
}

const char *pcs_chart_format_percent_value(double percent, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", pcs_html_percent_value(percent).text);
    return buf;
}

const char *pcs_chart_format_usd_tick(double usd, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s$%s", usd < 0 ? "-" : "", pcs_html_g(fabs(usd)).text);
    return buf;
}

static const double round_durations[] = {1, 10, 60, 300, 3600, 21600, 86400, 604800, 2592000};
static const double fine_durations[] = {1,     2,     5,     10,    15,     20,     30,      60,
                                        120,   300,   600,   900,   1200,   1800,   3600,    7200,
                                        10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000};

const double *pcs_chart_duration_ticks(double low_s, double high_s, size_t *count)
{
    size_t inside = 0;
    for (size_t i = 0; i < sizeof round_durations / sizeof round_durations[0]; i++)
        inside += round_durations[i] >= low_s && round_durations[i] <= high_s;
    if (inside >= 4) {
        *count = sizeof round_durations / sizeof round_durations[0];
        return round_durations;
    }
    *count = sizeof fine_durations / sizeof fine_durations[0];
    return fine_durations;
}
