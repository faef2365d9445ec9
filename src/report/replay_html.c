/* The replay report as a self-contained HTML page: the usage tables, the
 * cached ratio over time (timeline) and by model, and the dollars when
 * priced (with, without and with the ideal cache, and the parts of the
 * cost with the cache). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "html.h"
#include "reconcile_report.h"
#include "report_util.h"
#include "svg_chart.h"

/* The total (model < 0) or one model's usage. */
static void usage_row(FILE *out, const struct pcs_replay_report *report, int64_t model)
{
    struct report_usage_row row = pcs_report_replay_row(report, model);
    const char *label = model < 0 ? "total" : pcs_trace_model_name(report->trace, (uint32_t)model);
    pcs_report_table_html_row(out, &pcs_report_replay_table, label, &row, report->cost != NULL, NULL);
}

static void trace_line(FILE *out, const struct pcs_replay_report *report)
{
    char files[64];
    fputs("<p class=\"meta\">", out);
    pcs_html_escapedf(out, "trace (%s): ", pcs_report_count(report->path_count, "file", "files", files, sizeof files));
    for (size_t i = 0; i < report->path_count; i++) {
        pcs_html_escaped(out, i ? ", " : "");
        pcs_html_escaped(out, report->paths[i]);
    }
    fputs("</p>\n", out);
}

static void replay_header(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_replay_result *result = report->result;
    char parameters[160], count[64], bounds[64];
    pcs_report_policy_parameters(&report->config, parameters, sizeof parameters);
    trace_line(out, report);
    if (report->model_configs)
        pcs_html_elementf(out, "p", "meta", "policy: %s (per model, below)", report->preset);
    else
        pcs_html_elementf(out, "p", "meta", "policy: %s (%s: %s)", report->preset,
                          pcs_policy_name(report->config.policy), parameters);
    int64_t marker_ttl_ms;
    enum report_markers markers = pcs_report_replay_markers(report, &marker_ttl_ms);
    if (markers != REPORT_MARKERS_NONE) {
        char sentence[320];
        pcs_html_element(
            out, "p", "meta",
            pcs_report_markers_text(markers, result->marked_requests, marker_ttl_ms, sentence, sizeof sentence));
    }
    pcs_html_elementf(out, "p", "meta", "%s, %s",
                      pcs_report_count(result->total.requests, "request", "requests", count, sizeof count),
                      pcs_report_count(result->bounds, "prefix bound", "prefix bounds", bounds, sizeof bounds));
    if (result->skipped)
        pcs_html_elementf(out, "p", "meta", "skipped: %s (--lenient)",
                          pcs_report_count(result->skipped, "bad record", "bad records", count, sizeof count));
    if (pcs_trace_lacks_prefixes(report->trace))
        pcs_html_elementf(out, "p", "meta",
                          "note: %s %s trace has arrivals and lengths only, no prefix identity: "
                          "nothing in it can be cached",
                          pcs_report_article(pcs_trace_prefixless_format(report->trace)),
                          pcs_trace_prefixless_format(report->trace));
    char note[320];
    if (pcs_report_counts_only_note(report->trace, note, sizeof note))
        pcs_html_element(out, "p", "meta", note);
}

static void usage_table(FILE *out, const struct pcs_replay_report *report, const uint32_t *models)
{
    const struct pcs_replay_result *result = report->result;
    pcs_html_element(out, "h2", NULL, "Tokens");
    pcs_report_table_html_begin(out, "usage", &pcs_report_replay_table, "", report->cost != NULL);
    usage_row(out, report, -1);
    for (size_t i = 0; i < result->model_count; i++)
        if (result->by_model[models[i]].requests)
            usage_row(out, report, models[i]);
    pcs_html_table_end(out);
    pcs_html_element(out, "p", "note",
                     "Tokens summed over the requests: input counts every prompt token; cache_read were read from the "
                     "cache, cache_write written to it, uncached neither. Cached ratio = cache_read / input.");
}

/* The cache each model got when the preset depends on the model. */
static void model_cache_table(FILE *out, const struct pcs_replay_report *report, const uint32_t *models)
{
    static const char *const headers[] = {"model", "policy", "parameters"};
    const struct pcs_replay_result *result = report->result;
    pcs_html_elementf(out, "h3", NULL, "Cache per model (%s: %s)", report->preset,
                      strcmp(report->preset, "auto") == 0 ? "each model's provider preset from the price catalog"
                                                          : "each model's minimum prefix from the price catalog");
    pcs_html_table_begin(out, NULL, headers, 3, 3);
    for (size_t i = 0; i < result->model_count; i++) {
        if (!result->by_model[models[i]].requests)
            continue;
        const struct pcs_cache_config *config = &report->model_configs[models[i]];
        char parameters[160];
        pcs_report_policy_parameters(config, parameters, sizeof parameters);
        const char *cells[] = {pcs_trace_model_name(report->trace, models[i]), pcs_policy_name(config->policy),
                               parameters};
        pcs_html_table_row(out, cells, 3, 3);
    }
    pcs_html_table_end(out);
}

/* ---------------------------------------------------------------- timeline */

struct time_unit {
    double ms;
    const char *name;
};

/* Hours for a long trace, minutes or seconds for a short one. */
static struct time_unit timeline_unit(const struct pcs_timeline *timeline)
{
    double span_ms = (double)timeline->bucket_ms * (double)timeline->count;
    if (span_ms >= 2 * 3600e3)
        return (struct time_unit){3600e3, "hours"};
    if (span_ms >= 2 * 60e3)
        return (struct time_unit){60e3, "minutes"};
    return (struct time_unit){1e3, "seconds"};
}

/* Bucket starts and their cached ratios (NaN: no input), and the end. */
static void timeline_points(const struct pcs_timeline *timeline, struct time_unit unit, double *x, double *y)
{
    size_t count = timeline->count;
    for (size_t i = 0; i < count; i++) {
        const struct pcs_usage *bucket = &timeline->buckets[i];
        x[i] = (double)i * (double)timeline->bucket_ms / unit.ms;
        y[i] = bucket->input ? 100.0 * pcs_report_cached_ratio(bucket) : NAN;
    }
    x[count] = (double)count * (double)timeline->bucket_ms / unit.ms;
    y[count] = y[count - 1];
}

static enum pcs_status timeline_chart(FILE *out, const struct pcs_replay_report *report,
                                      const struct pcs_timeline *timeline)
{
    pcs_html_element(out, "h2", NULL, "Cached ratio over time");
    if (!timeline || !timeline->count) {
        pcs_html_element(out, "p", "note", "No requests: no timeline.");
        return PCS_OK;
    }
    size_t count = timeline->count + 1;
    double *x = malloc(2 * count * sizeof *x);
    if (!x)
        return PCS_ERR_NOMEM;
    double *y = x + count;
    struct time_unit unit = timeline_unit(timeline);
    timeline_points(timeline, unit, x, y);
    char x_title[64], overall[64], width[32];
    snprintf(x_title, sizeof x_title, "time since the first request (%s)", unit.name);
    snprintf(overall, sizeof overall, "whole trace: %s",
             pcs_html_percent(pcs_report_cached_ratio(&report->result->total)).text);
    struct chart_series series = {.name = "cached ratio per bucket", .x = x, .y = y, .count = count, .step = 1};
    struct chart_level level = {.y = 100.0 * pcs_report_cached_ratio(&report->result->total), .label = overall};
    struct line_chart chart = {
        .label = "cached ratio over time",
        .x = {.title = x_title, .min = 0, .max = x[count - 1]},
        .y = {.title = "cached ratio (% of input tokens)",
              .min = 0,
              .max = 100,
              .tick_format = pcs_chart_format_percent_tick,
              .value_format = pcs_chart_format_percent_value},
        .series = &series,
        .series_count = 1,
        .levels = &level,
        .level_count = 1,
    };
    enum pcs_status status = pcs_svg_line_chart(out, &chart);
    pcs_html_elementf(out, "p", "note",
                      "Share of the input tokens read from the cache in each %s bucket since the first request; "
                      "gaps are buckets without requests. Dashed: the whole trace.",
                      pcs_chart_format_duration((double)timeline->bucket_ms / 1000, width, sizeof width));
    free(x);
    return status;
}

/* -------------------------------------------------------- ratio by model */

/* The models with requests, in name order, "all models" first when more than one. */
static size_t ratio_bars(const struct pcs_replay_report *report, const uint32_t *models, const char **names,
                         double *values, struct html_labels *labels)
{
    const struct pcs_replay_result *result = report->result;
    size_t count = 0, active = 0;
    for (size_t i = 0; i < result->model_count; i++)
        active += result->by_model[i].requests != 0;
    if (active > 1) {
        names[count] = "all models";
        values[count++] = 100.0 * pcs_report_cached_ratio(&result->total);
    }
    for (size_t i = 0; i < result->model_count; i++) {
        if (!result->by_model[models[i]].requests)
            continue;
        names[count] = pcs_trace_model_name(report->trace, models[i]);
        values[count++] = 100.0 * pcs_report_cached_ratio(&result->by_model[models[i]]);
    }
    for (size_t i = 0; i < count; i++)
        snprintf(labels->text[i], sizeof labels->text[i], "%s", pcs_html_percent_value(values[i]).text);
    return count;
}

static enum pcs_status model_ratio_chart(FILE *out, const struct pcs_replay_report *report, const uint32_t *models)
{
    size_t cap = report->result->model_count + 1;
    const char **names = calloc(cap, sizeof *names);
    double *values = calloc(cap, sizeof *values);
    struct html_labels labels = {0, NULL, NULL};
    enum pcs_status status = names && values ? pcs_html_labels_new(&labels, cap) : PCS_ERR_NOMEM;
    if (status == PCS_OK) {
        size_t count = ratio_bars(report, models, names, values, &labels);
        pcs_html_element(out, "h2", NULL, "Cached ratio by model");
        struct bar_chart chart = {
            .label = "cached ratio by model",
            .value = {.title = "cached ratio (% of input tokens)",
                      .min = 0,
                      .max = 100,
                      .tick_format = pcs_chart_format_percent_tick,
                      .value_format = pcs_chart_format_percent_value},
            .categories = names,
            .category_count = count,
            .series_count = 1,
            .values = values,
            .labels = labels.list,
        };
        status = count ? pcs_svg_bar_chart(out, &chart) : PCS_OK;
        pcs_html_element(out, "p", "note", count ? "cache_read / input over each model's requests." : "No requests.");
    }
    pcs_html_labels_free(&labels);
    free(names);
    free(values);
    return status;
}

/* -------------------------------------------------------------------- cost */

static const struct pcs_model_cost *model_cost(const struct pcs_replay_report *report, uint32_t model)
{
    const struct pcs_replay_cost *cost = report->cost;
    return model < cost->model_count && cost->by_model[model].priced_as ? &cost->by_model[model] : NULL;
}

/* The priced models with requests, in name order; returns how many. */
static size_t priced_models(const struct pcs_replay_report *report, const uint32_t *models, uint32_t *priced)
{
    size_t count = 0;
    for (size_t i = 0; i < report->result->model_count; i++)
        if (report->result->by_model[models[i]].requests && model_cost(report, models[i]))
            priced[count++] = models[i];
    return count;
}

static void cost_header(FILE *out, const struct pcs_replay_report *report)
{
    char when[40], uplift[64];
    if (report->region_uplift < 0)
        snprintf(uplift, sizeof uplift, "each provider's");
    else
        snprintf(uplift, sizeof uplift, "x%s", pcs_html_g(report->region_uplift).text);
    pcs_html_element(out, "h2", NULL, "Cost (USD)");
    pcs_html_elementf(
        out, "p", "meta", "prices of %s; tier %s; regional uplift %s",
        pcs_report_utc_time(report->price_time_s, when, sizeof when),
        report->tier_override >= 0 ? pcs_tier_name((enum pcs_tier)report->tier_override) : "of each request", uplift);
    pcs_html_elementf(out, "p", "meta", "catalog: %s", report->catalog_source ? report->catalog_source : "(unknown)");
}

static void cost_row(FILE *out, const char *label, const char *priced_as, const struct pcs_cost *with, double without,
                     double ideal, const struct replay_money *money)
{
    char a[48], b[48], c[48], d[48];
    double savings = without - with->total;
    struct html_number saved = pcs_html_percent(without > 0 ? savings / without : 0.0);
    const char *cells[] = {label,
                           priced_as,
                           pcs_report_money_text(&money->cost, with->total, a, sizeof a),
                           pcs_report_money_text(&money->cost, without, b, sizeof b),
                           pcs_report_money_text(&money->cost, ideal, c, sizeof c),
                           pcs_report_money_text(&money->savings, savings, d, sizeof d),
                           saved.text};
    pcs_html_table_row(out, cells, sizeof cells / sizeof cells[0], 2);
}

static void cost_table(FILE *out, const struct pcs_replay_report *report, const uint32_t *models,
                       const uint32_t *priced, size_t priced_count, const struct replay_money *money)
{
    static const char *const headers[] = {"",        "priced as", "with cache", "without cache", "ideal cache",
                                          "savings", "saved"};
    const struct pcs_replay_cost *cost = report->cost;
    pcs_html_table_begin(out, "cost", headers, sizeof headers / sizeof headers[0], 2);
    cost_row(out, "total", "", &cost->with_cache, cost->without_cache, cost->ideal, money);
    for (size_t i = 0; i < priced_count; i++) {
        const struct pcs_model_cost *model = model_cost(report, priced[i]);
        cost_row(out, pcs_trace_model_name(report->trace, priced[i]), model->priced_as->id, &model->with_cache,
                 model->without_cache, model->ideal, money);
    }
    pcs_html_table_end(out);
    for (size_t i = 0; i < report->result->model_count; i++) {
        uint64_t requests = report->result->by_model[models[i]].requests;
        char count[64];
        if (requests && !model_cost(report, models[i]))
            pcs_html_elementf(out, "p", "meta", "not priced: %s (%s): not in the price catalog",
                              pcs_trace_model_name(report->trace, models[i]),
                              pcs_report_count(requests, "request", "requests", count, sizeof count));
    }
}

static enum pcs_status cost_comparison_chart(FILE *out, const struct pcs_replay_report *report, const uint32_t *priced,
                                             size_t count, const char **names, const struct report_money *money)
{
    static const char *const series[] = {"with the cache", "without a cache", "with the ideal cache"};
    static const char *const colors[] = {"#0072b2", "#8c959f", "#009e73"};
    double *values = calloc(3 * count + 1, sizeof *values);
    struct html_labels labels = {0, NULL, NULL};
    enum pcs_status status = values ? pcs_html_labels_new(&labels, 3 * count) : PCS_ERR_NOMEM;
    if (status != PCS_OK) {
        free(values);
        return status;
    }
    for (size_t i = 0; i < count; i++) {
        const struct pcs_model_cost *model = model_cost(report, priced[i]);
        values[3 * i] = model->with_cache.total;
        values[3 * i + 1] = model->without_cache;
        values[3 * i + 2] = model->ideal;
    }
    for (size_t i = 0; i < 3 * count; i++)
        pcs_report_money_dollars(money, values[i], labels.text[i], sizeof labels.text[0]);
    struct bar_chart chart = {
        .label = "cost by model with, without and with the ideal cache",
        .value = {.title = "cost (USD)", .from_zero = 1, .tick_format = pcs_chart_format_usd_tick, .money = money},
        .categories = names,
        .category_count = count,
        .series_names = series,
        .series_count = 3,
        .values = values,
        .labels = labels.list,
        .colors = colors,
    };
    pcs_html_element(out, "h3", NULL, "Cost by model");
    status = pcs_svg_bar_chart(out, &chart);
    pcs_html_element(
        out, "p", "note",
        "Each model's cost with the chosen cache, without any cache (every prompt token at the input price) "
        "and with the ideal cache (unlimited TTL and capacity).");
    pcs_html_labels_free(&labels);
    free(values);
    return status;
}

#define COST_PARTS 6

/* The parts of a cost in chart order; the request fees only when some are due. */
static size_t cost_parts(const struct pcs_cost *cost, double *parts)
{
    parts[0] = cost->uncached;
    parts[1] = cost->cache_read;
    parts[2] = cost->cache_write;
    parts[3] = cost->cache_write_1h;
    parts[4] = cost->output;
    parts[5] = cost->requests;
    return cost->requests != 0 ? 6 : 5;
}

static enum pcs_status cost_parts_chart(FILE *out, const struct pcs_replay_report *report, const uint32_t *priced,
                                        size_t count, const char **names, const struct report_money *money)
{
    static const char *const series[COST_PARTS] = {"input (uncached)", "cache_read", "cache_write (5 min)",
                                                   "cache_write_1h",   "output",     "request fees"};
    static const char *const colors[COST_PARTS] = {"#8c959f", "#009e73", "#e69f00", "#d55e00", "#0072b2", "#cc79a7"};
    double *values = calloc(COST_PARTS * count + 1, sizeof *values);
    struct html_labels labels = {0, NULL, NULL};
    enum pcs_status status = values ? pcs_html_labels_new(&labels, count) : PCS_ERR_NOMEM;
    if (status != PCS_OK) {
        free(values);
        return status;
    }
    size_t parts = 5;
    for (size_t i = 0; i < count; i++)
        if (cost_parts(&model_cost(report, priced[i])->with_cache, values + COST_PARTS * i) == COST_PARTS)
            parts = COST_PARTS;
    for (size_t i = 0; i < count; i++) {
        memmove(values + parts * i, values + COST_PARTS * i, parts * sizeof *values);
        pcs_report_money_dollars(money, model_cost(report, priced[i])->with_cache.total, labels.text[i],
                                 sizeof labels.text[0]);
    }
    struct bar_chart chart = {
        .label = "cost with the cache by part",
        .value = {.title = "cost with the cache (USD)",
                  .from_zero = 1,
                  .tick_format = pcs_chart_format_usd_tick,
                  .money = money},
        .categories = names,
        .category_count = count,
        .series_names = series,
        .series_count = parts,
        .values = values,
        .labels = labels.list,
        .stacked = 1,
        .colors = colors,
    };
    pcs_html_element(out, "h3", NULL, "Cost with the cache, by part");
    status = pcs_svg_bar_chart(out, &chart);
    pcs_html_element(out, "p", "note",
                     "The cost with the cache split by what was paid for: uncached input, cache reads, cache writes "
                     "(5-minute or default, and 1-hour) and output.");
    pcs_html_labels_free(&labels);
    free(values);
    return status;
}

static void task_lines(FILE *out, const struct pcs_task_stats *tasks)
{
    char count[64], completed[32], usd[48];
    pcs_html_element(out, "h3", NULL, "Tasks");
    pcs_html_elementf(out, "p", "meta", "%s, %s completed (%s), %.3f requests per task",
                      pcs_report_count(tasks->tasks, "task", "tasks", count, sizeof count),
                      pcs_report_grouped(tasks->completed, completed, sizeof completed),
                      pcs_html_percent((double)tasks->completed / (double)tasks->tasks).text,
                      (double)tasks->requests / (double)tasks->tasks);
    if (tasks->completed)
        pcs_html_elementf(out, "p", "meta", "cost per completed task: %s USD; spend on failed requests: %s",
                          pcs_report_usd(tasks->spend / (double)tasks->completed, usd, sizeof usd),
                          pcs_html_percent(tasks->spend > 0 ? tasks->failed_spend / tasks->spend : 0.0).text);
    else
        pcs_html_element(out, "p", "meta", "cost per completed task: none completed");
}

static enum pcs_status cost_section(FILE *out, const struct pcs_replay_report *report, const uint32_t *models)
{
    size_t cap = report->result->model_count + 1;
    uint32_t *priced = calloc(cap, sizeof *priced);
    const char **names = calloc(cap, sizeof *names);
    if (!priced || !names) {
        free(priced);
        free(names);
        return PCS_ERR_NOMEM;
    }
    size_t count = priced_models(report, models, priced);
    for (size_t i = 0; i < count; i++)
        names[i] = pcs_trace_model_name(report->trace, priced[i]);
    struct replay_money money;
    pcs_report_replay_money(report, &money);
    cost_header(out, report);
    cost_table(out, report, models, priced, count, &money);
    enum pcs_status status = PCS_OK;
    if (count)
        status = cost_comparison_chart(out, report, priced, count, names, &money.cost);
    if (count && status == PCS_OK)
        status = cost_parts_chart(out, report, priced, count, names, &money.cost);
    if (status == PCS_OK && report->cost->tasks.tasks)
        task_lines(out, &report->cost->tasks);
    free(priced);
    free(names);
    return status;
}

enum pcs_status pcs_report_replay_html(FILE *out, const struct pcs_replay_report *report,
                                       const struct pcs_timeline *timeline)
{
    uint32_t *models = pcs_report_models_by_name(report);
    if (!models)
        return PCS_ERR_NOMEM;
    pcs_html_begin(out, "pcsim replay");
    replay_header(out, report);
    usage_table(out, report, models);
    if (report->model_configs)
        model_cache_table(out, report, models);
    enum pcs_status status = timeline_chart(out, report, timeline);
    if (status == PCS_OK)
        status = model_ratio_chart(out, report, models);
    if (status == PCS_OK && report->cost)
        status = cost_section(out, report, models);
    if (status == PCS_OK && report->reconciliation)
        status = pcs_report_reconcile_html(out, report);
    pcs_html_end(out);
    free(models);
    if (status != PCS_OK)
        return status;
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
