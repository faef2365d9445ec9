/* The sweep report as a self-contained HTML page: the cached ratio (and
 * the cost, when priced) against the TTL or the cache's capacity, with the
 * ideal ceiling and the providers' TTLs marked, then the points as a table.
 * Points are shown in order of their TTL or capacity, whatever the order
 * they were asked in. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "html.h"
#include "report_util.h"
#include "ttl_sale.h"
#include "svg_chart.h"

/* The TTLs the provider presets run (DESIGN §3). */
static const struct chart_marker provider_ttls[] = {
    {300, "OpenAI / Anthropic 5m"}, {1800, "OpenAI GPT-5.6"}, {3600, "Anthropic 1h"},
    {21600, "DeepSeek (assumed)"},  {86400, "OpenAI 24h"},
};

struct sweep_view {
    const struct pcs_sweep_report *report;
    int by_capacity; /* lru: capacity curve; else TTL curve */
    size_t count;
    size_t *order;            /* point indices by x */
    double *x;                /* seconds or tokens, in that order */
    double *ratio;            /* cached ratio, % */
    double *cost;             /* USD with the cache; NaN when the point is not priced */
    struct sweep_money money; /* the precision of the costs and the savings */
};

static double point_x(const struct sweep_view *view, const struct pcs_sweep_point *point)
{
    return view->by_capacity ? (double)point->capacity_tokens : (double)point->ttl_ms / 1000;
}

struct keyed_index {
    double key;
    size_t index;
};

static int by_key_then_index(const void *a, const void *b)
{
    const struct keyed_index *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static enum pcs_status view_sort(struct sweep_view *view)
{
    const struct pcs_sweep_result *result = view->report->result;
    struct keyed_index *keys = malloc((view->count + 1) * sizeof *keys);
    if (!keys)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < view->count; i++) {
        keys[i].key = point_x(view, &result->points[i]);
        keys[i].index = i;
    }
    qsort(keys, view->count, sizeof *keys, by_key_then_index);
    for (size_t i = 0; i < view->count; i++)
        view->order[i] = keys[i].index;
    free(keys);
    return PCS_OK;
}

static enum pcs_status view_init(struct sweep_view *view, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    memset(view, 0, sizeof *view);
    view->report = report;
    view->by_capacity = pcs_report_sweep_by_capacity(result);
    view->count = result->point_count;
    view->order = malloc((view->count + 1) * sizeof *view->order);
    view->x = malloc((3 * view->count + 1) * sizeof *view->x);
    if (!view->order || !view->x || view_sort(view) != PCS_OK)
        return PCS_ERR_NOMEM;
    view->ratio = view->x + view->count;
    view->cost = view->ratio + view->count;
    for (size_t i = 0; i < view->count; i++) {
        const struct pcs_sweep_point *point = &result->points[view->order[i]];
        view->x[i] = point_x(view, point);
        view->ratio[i] = 100.0 * pcs_report_cached_ratio(&point->total);
        view->cost[i] = point->priced ? point->cost.total : NAN;
    }
    pcs_report_sweep_money(result, &view->money);
    return PCS_OK;
}

static void view_free(struct sweep_view *view)
{
    free(view->order);
    free(view->x);
}

/* ------------------------------------------------------------------ header */

static void policy_line(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_cache_config *base = &report->result->base;
    const char *policy = pcs_policy_name(base->policy);
    const char *preset = report->preset ? report->preset : policy;
    int by_capacity = pcs_report_sweep_by_capacity(report->result);
    const char *swept = by_capacity ? "capacity" : "idle TTL";
    char detail[160], parameters[128] = "";
    if (!by_capacity)
        pcs_report_policy_parameters_except(base, PCS_USES_TTL, parameters, sizeof parameters); /* the TTL varies */
    snprintf(detail, sizeof detail, "%s%s%s", policy, parameters[0] ? ": " : "", parameters);
    if (strcmp(detail, preset) == 0)
        pcs_html_elementf(out, "p", "meta", "policy: %s, swept over the %s", preset, swept);
    else
        pcs_html_elementf(out, "p", "meta", "policy: %s (%s), swept over the %s", preset, detail, swept);
}

static void sweep_header(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    char requests[64], input[32], bounds[64], points[64], when[40];
    fputs("<p class=\"meta\">", out);
    pcs_html_escapedf(out,
                      "trace (%s): ", pcs_report_count(report->path_count, "file", "files", points, sizeof points));
    for (size_t i = 0; i < report->path_count; i++) {
        pcs_html_escaped(out, i ? ", " : "");
        pcs_html_escaped(out, report->paths[i]);
    }
    fputs("</p>\n", out);
    policy_line(out, report);
    char markers[320];
    if (*pcs_report_sweep_markers_text(result, markers, sizeof markers))
        pcs_html_element(out, "p", "meta", markers);
    pcs_html_elementf(out, "p", "meta", "%s, %s input %s, %s; %s",
                      pcs_report_count(result->ideal.requests, "request", "requests", requests, sizeof requests),
                      pcs_report_grouped(result->ideal.input, input, sizeof input),
                      pcs_report_noun(result->ideal.input, "token", "tokens"),
                      pcs_report_count(result->bounds, "prefix bound", "prefix bounds", bounds, sizeof bounds),
                      pcs_report_count(result->point_count, "point", "points", points, sizeof points));
    if (result->skipped)
        pcs_html_elementf(out, "p", "meta", "skipped: %s (--lenient)",
                          pcs_report_count(result->skipped, "bad record", "bad records", points, sizeof points));
    char note[512];
    if (pcs_report_counts_only_note(report->trace, note, sizeof note))
        pcs_html_element(out, "p", "meta", note);
    if (!pcs_report_sweep_by_capacity(result) && pcs_report_marks_sales(report->preset, result->base.policy))
        pcs_html_element(out, "p", "meta", pcs_report_sales_note(report->preset, note, sizeof note));
    if (result->priced)
        pcs_html_elementf(out, "p", "meta", "prices of %s; catalog: %s",
                          pcs_report_utc_time(report->price_time_s, when, sizeof when),
                          report->catalog_source ? report->catalog_source : "(unknown)");
}

/* ------------------------------------------------------------------ charts */

static struct chart_axis x_axis(const struct sweep_view *view, size_t *tick_count)
{
    struct chart_axis axis = {.log_scale = 1};
    if (view->by_capacity) {
        axis.title = "cache capacity (tokens, log scale)";
        axis.tick_format = pcs_chart_format_tokens;
        return axis;
    }
    axis.title = "idle TTL (log scale)";
    axis.tick_format = pcs_chart_format_duration;
    axis.ticks = pcs_chart_duration_ticks(view->x[0], view->x[view->count - 1], tick_count);
    axis.tick_count = *tick_count;
    return axis;
}

static enum pcs_status ratio_chart(FILE *out, const struct sweep_view *view)
{
    const struct pcs_sweep_result *result = view->report->result;
    size_t tick_count = 0;
    char ideal[80];
    double ideal_ratio = 100.0 * pcs_report_cached_ratio(&result->ideal);
    snprintf(ideal, sizeof ideal, "ideal cache: %s", pcs_html_percent_value(ideal_ratio).text);
    struct chart_series series = {
        .name = "cached ratio", .x = view->x, .y = view->ratio, .count = view->count, .markers = 1};
    struct chart_level level = {.y = ideal_ratio, .label = ideal, .color = "#009e73"};
    struct line_chart chart = {
        .label = view->by_capacity ? "cached ratio against the cache capacity" : "cached ratio against the TTL",
        .x = x_axis(view, &tick_count),
        .y = {.title = "cached ratio (% of input tokens)",
              .min = 0,
              .max = 100,
              .tick_format = pcs_chart_format_percent_tick,
              .value_format = pcs_chart_format_percent_value},
        .series = &series,
        .series_count = 1,
        .markers = view->by_capacity ? NULL : provider_ttls,
        .marker_count = view->by_capacity ? 0 : sizeof provider_ttls / sizeof provider_ttls[0],
        .levels = &level,
        .level_count = 1,
    };
    pcs_html_element(out, "h2", NULL,
                     view->by_capacity ? "Cached ratio against the capacity" : "Cached ratio against the TTL");
    enum pcs_status status = pcs_svg_line_chart(out, &chart);
    if (view->by_capacity)
        pcs_html_element(out, "p", "note",
                         "Share of the input tokens read from the cache (cache_read / input) when the cache holds at "
                         "most that many tokens, least recently used evicted. Dashed: the ideal cache, the ceiling.");
    else
        pcs_html_element(
            out, "p", "note",
            "Share of the input tokens read from the cache (cache_read / input) with each idle TTL. Dashed: "
            "the ideal cache (nothing expires), the ceiling. Dotted verticals: the providers' TTLs.");
    return status;
}

static enum pcs_status cost_chart(FILE *out, const struct sweep_view *view)
{
    const struct pcs_sweep_result *result = view->report->result;
    size_t tick_count = 0;
    char without[80], ideal[80], usd[48];
    snprintf(without, sizeof without, "without a cache: %s",
             pcs_report_money_dollars(&view->money.cost, result->without_cache_cost, usd, sizeof usd));
    snprintf(ideal, sizeof ideal, "ideal cache: %s",
             pcs_report_money_dollars(&view->money.cost, result->ideal_cost, usd, sizeof usd));
    struct chart_series series = {
        .name = "cost with the cache", .x = view->x, .y = view->cost, .count = view->count, .markers = 1};
    struct chart_level levels[] = {{.y = result->without_cache_cost, .label = without, .color = "#6e7781"},
                                   {.y = result->ideal_cost, .label = ideal, .color = "#009e73"}};
    struct line_chart chart = {
        .label = view->by_capacity ? "cost against the cache capacity" : "cost against the TTL",
        .x = x_axis(view, &tick_count),
        .y = {.title = "cost (USD)",
              .from_zero = 1,
              .tick_format = pcs_chart_format_usd_tick,
              .money = &view->money.cost},
        .series = &series,
        .series_count = 1,
        .markers = view->by_capacity ? NULL : provider_ttls,
        .marker_count = view->by_capacity ? 0 : sizeof provider_ttls / sizeof provider_ttls[0],
        .levels = levels,
        .level_count = 2,
    };
    pcs_html_element(out, "h2", NULL, "Cost");
    enum pcs_status status = pcs_svg_line_chart(out, &chart);
    pcs_html_element(out, "p", "note",
                     "The trace's cost in USD with the cache at each point (reads and writes at the cache prices), "
                     "against the cost without a cache and with the ideal one (dashed).");
    return status;
}

/* ------------------------------------------------------------------- table */

static const char *point_label(const struct sweep_view *view, const struct pcs_sweep_point *point, char *buf,
                               size_t cap)
{
    char text[48], seconds[32];
    if (view->by_capacity)
        return pcs_report_grouped(point->capacity_tokens, buf, cap);
    pcs_chart_format_duration((double)point->ttl_ms / 1000, text, sizeof text);
    const struct pcs_sweep_report *report = view->report;
    const char *mark = pcs_report_marks_sales(report->preset, report->result->base.policy) &&
                               pcs_ttl_sale_of(report->preset, point->ttl_ms, NULL) != PCS_TTL_SOLD
                           ? PCS_REPORT_UNSOLD_MARK
                           : "";
    if (point->ttl_ms < 60000)
        snprintf(buf, cap, "%s%s", text, mark);
    else
        snprintf(buf, cap, "%s (%s s)%s", text, pcs_report_seconds(point->ttl_ms, seconds, sizeof seconds), mark);
    return buf;
}

static void points_table(FILE *out, const struct sweep_view *view)
{
    const struct pcs_sweep_result *result = view->report->result;
    const struct report_table *table = &pcs_report_sweep_table;
    const struct report_money money[REPORT_MONEY_GROUP_COUNT] = {
        [REPORT_MONEY_COST] = view->money.cost, [REPORT_MONEY_SAVINGS] = view->money.savings};
    int priced = result->priced;
    pcs_html_element(out, "h2", NULL, "Points");
    pcs_report_table_html_begin(out, "points", table, view->by_capacity ? "capacity (tokens)" : "idle TTL", priced);
    for (size_t i = 0; i < view->count; i++) {
        const struct pcs_sweep_point *point = &result->points[view->order[i]];
        struct report_usage_row row = pcs_report_sweep_row(result, view->order[i]);
        char label[64];
        pcs_report_table_html_row(out, table, point_label(view, point, label, sizeof label), &row, priced, money);
    }
    struct report_usage_row ideal = pcs_report_sweep_row(result, result->point_count);
    pcs_report_table_html_row(out, table, "ideal", &ideal, priced, money);
    pcs_html_table_end(out);
    pcs_html_element(out, "p", "note",
                     priced ? "One row per point, the ideal cache last. Savings: against the cost without a cache."
                            : "One row per point, the ideal cache last.");
}

enum pcs_status pcs_report_sweep_html(FILE *out, const struct pcs_sweep_report *report)
{
    struct sweep_view view;
    enum pcs_status status = view_init(&view, report);
    if (status != PCS_OK) {
        view_free(&view);
        return status;
    }
    pcs_html_begin(out, view.by_capacity ? "pcsim sweep: cache capacity" : "pcsim sweep: TTL");
    sweep_header(out, report);
    if (view.count)
        status = ratio_chart(out, &view);
    if (status == PCS_OK && view.count && report->result->priced)
        status = cost_chart(out, &view);
    points_table(out, &view);
    pcs_html_end(out);
    view_free(&view);
    if (status != PCS_OK)
        return status;
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
