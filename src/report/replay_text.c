/* The replay report as a table for people. */
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "reconcile_report.h"
#include "report_util.h"

/* The total (model < 0) or one model's usage. */
static void usage_row(FILE *out, const struct pcs_replay_report *report, int64_t model)
{
    struct report_usage_row row = pcs_report_replay_row(report, model);
    const char *label = model < 0 ? "total" : pcs_trace_model_name(report->trace, (uint32_t)model);
    pcs_report_table_text_row(out, &pcs_report_replay_table, label, &row, report->cost != NULL, NULL);
}

/* The cache each model got when the preset depends on the model. */
static void model_caches(FILE *out, const struct pcs_replay_report *report, const uint32_t *models)
{
    const struct pcs_replay_result *result = report->result;
    fprintf(out, "\ncache per model (%s: %s):\n", report->preset,
            strcmp(report->preset, "auto") == 0 ? "each model's provider preset from the price catalog"
                                                : "each model's minimum prefix from the price catalog");
    for (size_t i = 0; i < result->model_count; i++) {
        if (!result->by_model[models[i]].requests)
            continue;
        const struct pcs_cache_config *config = &report->model_configs[models[i]];
        char parameters[160];
        pcs_report_policy_parameters(config, parameters, sizeof parameters);
        fprintf(out, "  %-28s %s: %s\n", pcs_trace_model_name(report->trace, models[i]),
                pcs_policy_name(config->policy), parameters);
    }
}

/* A row of the cost table: the total or one priced model. */
struct cost_line {
    const char *label, *priced_as;
    const struct pcs_cost *with;
    double without, ideal;
};

static void cost_row(FILE *out, const struct cost_line *line, const struct replay_money *money)
{
    char a[48], b[48], c[48], d[48];
    double savings = line->without - line->with->total;
    fprintf(out, "%-28s %-22s %14s %14s %14s %14s %7.2f%%\n", line->label, line->priced_as,
            pcs_report_money_text(&money->cost, line->with->total, a, sizeof a),
            pcs_report_money_text(&money->cost, line->without, b, sizeof b),
            pcs_report_money_text(&money->cost, line->ideal, c, sizeof c),
            pcs_report_money_text(&money->savings, savings, d, sizeof d),
            line->without > 0 ? 100.0 * savings / line->without : 0.0);
}

/* The total, then the priced models with requests in name order; returns
 * how many lines (at most model_count + 1). */
static size_t cost_lines(const struct pcs_replay_report *report, const uint32_t *models, struct cost_line *lines)
{
    const struct pcs_replay_cost *cost = report->cost;
    const struct pcs_replay_result *result = report->result;
    size_t count = 0;
    lines[count++] = (struct cost_line){"total", "", &cost->with_cache, cost->without_cache, cost->ideal};
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_model_cost *model = models[i] < cost->model_count ? &cost->by_model[models[i]] : NULL;
        if (!result->by_model[models[i]].requests || !model || !model->priced_as)
            continue;
        lines[count++] = (struct cost_line){pcs_trace_model_name(report->trace, models[i]), model->priced_as->id,
                                            &model->with_cache, model->without_cache, model->ideal};
    }
    return count;
}

static enum pcs_status cost_table(FILE *out, const struct pcs_replay_report *report, const uint32_t *models)
{
    const struct pcs_replay_cost *cost = report->cost;
    const struct pcs_replay_result *result = report->result;
    char when[40], count[64], uplift[32];
    if (report->region_uplift < 0)
        snprintf(uplift, sizeof uplift, "each provider's");
    else
        snprintf(uplift, sizeof uplift, "x%g", report->region_uplift);
    fprintf(out, "\ncost in USD (prices of %s; tier %s; regional uplift %s)\n",
            pcs_report_utc_time(report->price_time_s, when, sizeof when),
            report->tier_override >= 0 ? pcs_tier_name((enum pcs_tier)report->tier_override) : "of each request",
            uplift);
    fprintf(out, "catalog: %s\n\n", report->catalog_source);
    fprintf(out, "%-28s %-22s %14s %14s %14s %14s %8s\n", "", "priced as", "with cache", "without cache", "ideal cache",
            "savings", "saved");
    struct cost_line *lines = malloc((result->model_count + 1) * sizeof *lines);
    if (!lines)
        return PCS_ERR_NOMEM;
    size_t line_count = cost_lines(report, models, lines);
    struct replay_money money;
    pcs_report_replay_money(report, &money);
    for (size_t i = 0; i < line_count; i++)
        cost_row(out, &lines[i], &money);
    free(lines);
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_model_cost *model = models[i] < cost->model_count ? &cost->by_model[models[i]] : NULL;
        uint64_t requests = result->by_model[models[i]].requests;
        if (requests && (!model || !model->priced_as))
            fprintf(out, "not priced: %s (%s): not in the price catalog\n",
                    pcs_trace_model_name(report->trace, models[i]),
                    pcs_report_count(requests, "request", "requests", count, sizeof count));
    }
    const struct pcs_cost *parts = &cost->with_cache;
    const double part_values[] = {parts->uncached, parts->cache_read, parts->cache_write, parts->cache_write_1h,
                                  parts->output};
    struct report_money part_money = pcs_report_money_of(part_values, sizeof part_values / sizeof part_values[0]);
    char a[48], b[48], c[48], d[48], e[48];
    fprintf(out, "with cache, by part: input %s, cache_read %s, cache_write %s, cache_write_1h %s, output %s\n",
            pcs_report_money_text(&part_money, parts->uncached, a, sizeof a),
            pcs_report_money_text(&part_money, parts->cache_read, b, sizeof b),
            pcs_report_money_text(&part_money, parts->cache_write, c, sizeof c),
            pcs_report_money_text(&part_money, parts->cache_write_1h, d, sizeof d),
            pcs_report_money_text(&part_money, parts->output, e, sizeof e));
    return PCS_OK;
}

static void task_lines(FILE *out, const struct pcs_task_stats *tasks)
{
    char count[32], completed[32], usd[48];
    fprintf(out, "\ntasks: %s, %s completed (%.2f%%), %.3f requests per task\n",
            pcs_report_grouped(tasks->tasks, count, sizeof count),
            pcs_report_grouped(tasks->completed, completed, sizeof completed),
            100.0 * (double)tasks->completed / (double)tasks->tasks, (double)tasks->requests / (double)tasks->tasks);
    if (tasks->completed)
        fprintf(out, "cost per completed task: %s USD",
                pcs_report_usd(tasks->spend / (double)tasks->completed, usd, sizeof usd));
    else
        fprintf(out, "cost per completed task: none completed");
    fprintf(out, "; spend on failed requests: %.2f%%\n",
            tasks->spend > 0 ? 100.0 * tasks->failed_spend / tasks->spend : 0.0);
}

enum pcs_status pcs_report_replay_text(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_replay_result *result = report->result;
    char parameters[160];
    char count[64], files[64];
    pcs_report_policy_parameters(&report->config, parameters, sizeof parameters);
    fprintf(out, "pcsim replay: %s from %s\n",
            pcs_report_count(result->total.requests, "request", "requests", count, sizeof count),
            pcs_report_count(report->path_count, "file", "files", files, sizeof files));
    if (report->model_configs)
        fprintf(out, "policy: %s (per model, below)\n", report->preset);
    else
        fprintf(out, "policy: %s (%s: %s)\n", report->preset, pcs_policy_name(report->config.policy), parameters);
    int64_t marker_ttl_ms;
    enum report_markers markers = pcs_report_replay_markers(report, &marker_ttl_ms);
    if (markers != REPORT_MARKERS_NONE) {
        char sentence[320];
        fprintf(out, "%s\n",
                pcs_report_markers_text(markers, result->marked_requests, marker_ttl_ms, sentence, sizeof sentence));
    }
    if (report->partial)
        fprintf(out, "PARTIAL: interrupted; only the requests replayed before the interruption are counted\n");
    if (report->sharded_servers)
        fprintf(out,
                "sharded: %u ranks, each one server of a cluster that routes requests by prefix root, with the "
                "capacity of its own (not one cache)\n",
                report->sharded_servers);
    if (result->skipped)
        fprintf(out, "skipped: %s (--lenient)\n",
                pcs_report_count(result->skipped, "bad record", "bad records", count, sizeof count));
    if (pcs_trace_lacks_prefixes(report->trace))
        fprintf(out,
                "note: %s %s trace has arrivals and lengths only, no prefix identity: "
                "nothing in it can be cached\n",
                pcs_report_article(pcs_trace_prefixless_format(report->trace)),
                pcs_trace_prefixless_format(report->trace));
    char note[320];
    if (pcs_report_counts_only_note(report->trace, note, sizeof note))
        fprintf(out, "%s\n", note);
    fputc('\n', out);
    pcs_report_table_text_header(out, &pcs_report_replay_table, "", report->cost != NULL);
    usage_row(out, report, -1);
    uint32_t *models = pcs_report_models_by_name(report);
    if (!models)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_usage *usage = &result->by_model[models[i]];
        if (usage->requests)
            usage_row(out, report, models[i]);
    }
    if (report->model_configs)
        model_caches(out, report, models);
    enum pcs_status status = report->cost ? cost_table(out, report, models) : PCS_OK;
    if (status == PCS_OK && report->cost && report->cost->tasks.tasks)
        task_lines(out, &report->cost->tasks);
    free(models);
    if (status == PCS_OK && report->reconciliation)
        status = pcs_report_reconcile_text(out, report);
    if (status != PCS_OK)
        return status;
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
