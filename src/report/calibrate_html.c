/* The calibration report as a self-contained HTML page: E against the TTL
 * (the best TTL, its interval and the preset's own TTL marked), the points
 * as a table, and the presets' costs at the best TTL. */
#include <stdlib.h>

#include "calibrate_util.h"
#include "html.h"
#include "report_util.h"
#include "svg_chart.h"

static const char *error_text(double error, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.6f", error);
    return buf;
}

static void header(FILE *out, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_result *result = report->result;
    char count[64], input[32], parameters[160], when[40];
    fputs("<p class=\"meta\">", out);
    pcs_html_escapedf(out, "trace (%s): ", pcs_report_count(report->path_count, "file", "files", count, sizeof count));
    for (size_t i = 0; i < report->path_count; i++) {
        pcs_html_escaped(out, i ? ", " : "");
        pcs_html_escaped(out, report->paths[i]);
    }
    fputs("</p>\n", out);
    pcs_report_policy_parameters_except(&result->base, PCS_USES_TTL, parameters, sizeof parameters);
    pcs_html_elementf(out, "p", "meta", "policy: %s (%s%s%s), calibrated over %s", report->preset,
                      pcs_policy_name(result->base.policy), parameters[0] ? ": " : "", parameters,
                      pcs_report_count(result->point_count, "TTL", "TTLs", count, sizeof count));
    pcs_html_elementf(out, "p", "meta", "observed usage: %s of %s, input %s %s",
                      pcs_report_count(result->observed_requests, "request", "requests", count, sizeof count),
                      pcs_report_grouped(result->requests, parameters, sizeof parameters),
                      pcs_report_grouped(result->observed.input, input, sizeof input),
                      pcs_report_noun(result->observed.input, "token", "tokens"));
    if (result->skipped)
        pcs_html_elementf(out, "p", "meta", "skipped: %s (--lenient)",
                          pcs_report_count(result->skipped, "bad record", "bad records", count, sizeof count));
    if (report->costs)
        pcs_html_elementf(out, "p", "meta", "prices of %s; catalog: %s",
                          pcs_report_utc_time(report->price_time_s, when, sizeof when),
                          report->catalog_source ? report->catalog_source : "(unknown)");
    struct calibrate_notes notes;
    pcs_calibrate_notes(report, &notes);
    for (size_t i = 0; i < notes.count; i++)
        pcs_html_element(out, "p", "note", notes.text[i]);
}

static void answer(FILE *out, const struct pcs_calibrate_result *result)
{
    char ttl[32], low[32], high[32];
    const struct pcs_calibrate_point *best = &result->points[result->best];
    pcs_html_elementf(out, "p", NULL, "Best TTL: %s s, E = %.6f; interval %s..%s s (E within %g of the best).",
                      pcs_report_seconds(best->ttl_ms, ttl, sizeof ttl), best->error,
                      pcs_report_seconds(result->points[result->interval_low].ttl_ms, low, sizeof low),
                      pcs_report_seconds(result->points[result->interval_high].ttl_ms, high, sizeof high),
                      PCS_CALIBRATE_TOLERANCE);
    pcs_html_elementf(out, "p", NULL, "The preset's own TTL: %s s, E = %.6f.",
                      pcs_report_seconds(result->nominal.ttl_ms, ttl, sizeof ttl), result->nominal.error);
}

static enum pcs_status error_chart(FILE *out, const struct pcs_calibrate_result *result, const size_t *order)
{
    size_t count = result->point_count;
    double *x = malloc(2 * count * sizeof *x);
    if (!x)
        return PCS_ERR_NOMEM;
    double *y = x + count;
    for (size_t k = 0; k < count; k++) {
        x[k] = (double)result->points[order[k]].ttl_ms / 1000;
        y[k] = result->points[order[k]].error;
    }
    char best_label[64], nominal_label[64], low_label[64], high_label[64], level_label[64], ttl[32];
    snprintf(best_label, sizeof best_label, "best %s",
             pcs_chart_format_duration((double)result->points[result->best].ttl_ms / 1000, ttl, sizeof ttl));
    snprintf(nominal_label, sizeof nominal_label, "preset's own %s",
             pcs_chart_format_duration((double)result->nominal.ttl_ms / 1000, ttl, sizeof ttl));
    snprintf(low_label, sizeof low_label, "interval from");
    snprintf(high_label, sizeof high_label, "interval to");
    struct chart_marker markers[4] = {
        {(double)result->points[result->best].ttl_ms / 1000, best_label},
        {(double)result->nominal.ttl_ms / 1000, nominal_label},
    };
    size_t marker_count = 2;
    if (result->interval_low != result->best)
        markers[marker_count++] =
            (struct chart_marker){(double)result->points[result->interval_low].ttl_ms / 1000, low_label};
    if (result->points[result->interval_high].ttl_ms != result->points[result->best].ttl_ms)
        markers[marker_count++] =
            (struct chart_marker){(double)result->points[result->interval_high].ttl_ms / 1000, high_label};
    double tolerance = result->points[result->best].error + PCS_CALIBRATE_TOLERANCE;
    snprintf(level_label, sizeof level_label, "best + %g", PCS_CALIBRATE_TOLERANCE);
    struct chart_level level = {.y = tolerance, .label = level_label, .color = "#009e73"};
    size_t tick_count = 0;
    const double *ticks = pcs_chart_duration_ticks(x[0], x[count - 1], &tick_count);
    struct chart_series series = {.name = "E", .x = x, .y = y, .count = count, .markers = 1};
    struct line_chart chart = {
        .label = "error E against the TTL",
        .x = {.title = "idle TTL (log scale)",
              .log_scale = 1,
              .ticks = ticks,
              .tick_count = tick_count,
              .tick_format = pcs_chart_format_duration},
        .y = {.title = "E (deviation tokens per input token)", .from_zero = 1},
        .series = &series,
        .series_count = 1,
        .markers = markers,
        .marker_count = marker_count,
        .levels = &level,
        .level_count = 1,
    };
    pcs_html_element(out, "h2", NULL, "Error against the TTL");
    enum pcs_status status = pcs_svg_line_chart(out, &chart);
    pcs_html_element(out, "p", "note",
                     "E at each idle TTL: the simulated cache reads and writes against what the provider reported, in "
                     "tokens per input token of the requests with observed usage. Dashed: the best error plus the "
                     "tolerance; the TTLs under it around the best make the interval.");
    free(x);
    return status;
}

static void points_table(FILE *out, const struct pcs_calibrate_result *result, const size_t *order)
{
    static const char *const headers[] = {"idle TTL (s)", "E", "deviation", "cache_read", "cache_write", "fit"};
    pcs_html_element(out, "h2", NULL, "Points");
    pcs_html_table_begin(out, "points", headers, 6, 0);
    for (size_t k = 0; k < result->point_count; k++) {
        const struct pcs_calibrate_point *point = &result->points[order[k]];
        char ttl[32], error[32], deviation[32], read[32], write[32];
        const char *cells[] = {pcs_report_seconds(point->ttl_ms, ttl, sizeof ttl),
                               error_text(point->error, error, sizeof error),
                               pcs_report_grouped(point->deviation, deviation, sizeof deviation),
                               pcs_report_grouped(point->cache_read, read, sizeof read),
                               pcs_report_grouped(point->cache_write, write, sizeof write),
                               pcs_calibrate_fit(result, order[k])};
        pcs_html_table_row(out, cells, 6, 0);
    }
    char read[32], write[32];
    const char *observed[] = {"observed",
                              "",
                              "",
                              pcs_report_grouped(result->observed.cache_read, read, sizeof read),
                              pcs_report_grouped(result->observed.cache_write, write, sizeof write),
                              ""};
    pcs_html_table_row(out, observed, 6, 1);
    pcs_html_table_end(out);
}

static void costs_table(FILE *out, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_costs *costs = report->costs;
    static const char *const headers[] = {"preset", "cache", "cost (USD)", "cached ratio"};
    char ttl[32];
    struct report_money money;
    pcs_report_money_init(&money);
    for (size_t i = 0; i < costs->count; i++)
        pcs_report_money_add(&money, costs->costs[i].cost.total);
    pcs_report_money_add(&money, costs->without_cache_cost);
    pcs_report_money_add(&money, costs->ideal_cost);
    pcs_html_elementf(out, "h2", NULL, "Cost with the best TTL (%s s)",
                      pcs_report_seconds(costs->ttl_ms, ttl, sizeof ttl));
    pcs_html_table_begin(out, "costs", headers, 4, 2);
    for (size_t i = 0; i < costs->count; i++) {
        const struct pcs_calibrate_cost *cost = &costs->costs[i];
        char usd[48], same[160], sale[96];
        pcs_calibrate_sale_text(costs, i, sale, sizeof sale);
        snprintf(same, sizeof same, "%s%s%s%s", cost->same_as != i ? "the cache of " : "",
                 cost->same_as != i ? costs->costs[cost->same_as].preset : "", cost->same_as != i && *sale ? "; " : "",
                 sale);
        struct html_number ratio = pcs_html_percent(pcs_report_cached_ratio(&cost->total));
        const char *cells[] = {cost->preset, same, pcs_report_money_text(&money, cost->cost.total, usd, sizeof usd),
                               ratio.text};
        pcs_html_table_row(out, cells, 4, 2);
    }
    char usd[48];
    const char *ideal[] = {"ideal", "", pcs_report_money_text(&money, costs->ideal_cost, usd, sizeof usd), ""};
    pcs_html_table_row(out, ideal, 4, 2);
    char without_usd[48];
    const char *without[] = {"without a cache", "",
                             pcs_report_money_text(&money, costs->without_cache_cost, without_usd, sizeof without_usd),
                             ""};
    pcs_html_table_row(out, without, 4, 2);
    pcs_html_table_end(out);
}

enum pcs_status pcs_report_calibrate_html(FILE *out, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_result *result = report->result;
    size_t *order = pcs_calibrate_order(result);
    if (!order)
        return PCS_ERR_NOMEM;
    pcs_html_begin(out, "pcsim calibrate: TTL");
    header(out, report);
    answer(out, result);
    enum pcs_status status = error_chart(out, result, order);
    points_table(out, result, order);
    if (report->costs)
        costs_table(out, report);
    pcs_html_end(out);
    free(order);
    if (status != PCS_OK)
        return status;
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
