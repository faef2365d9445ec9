/* The calibration report as text for people: the answer first (the best
 * TTL, its interval, the preset's own TTL), then the curve in TTL order,
 * then the presets' costs at the best TTL. */
#include <stdlib.h>

#include "calibrate_util.h"
#include "report_util.h"

static void answer(FILE *out, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_result *result = report->result;
    const struct pcs_calibrate_point *best = &result->points[result->best];
    char ttl[32], low[32], high[32];
    fprintf(out, "best TTL: %s s, E = %.6f; interval %s..%s s (E within %g of the best)\n",
            pcs_report_seconds(best->ttl_ms, ttl, sizeof ttl), best->error,
            pcs_report_seconds(result->points[result->interval_low].ttl_ms, low, sizeof low),
            pcs_report_seconds(result->points[result->interval_high].ttl_ms, high, sizeof high),
            PCS_CALIBRATE_TOLERANCE);
    fprintf(out, "the preset's own TTL: %s s, E = %.6f\n", pcs_report_seconds(result->nominal.ttl_ms, ttl, sizeof ttl),
            result->nominal.error);
}

static void curve(FILE *out, const struct pcs_calibrate_result *result, const size_t *order)
{
    char ttl[32], deviation[32], read[32], write[32];
    fprintf(out, "%12s %10s %16s %16s %16s  %s\n", "ttl_s", "error", "deviation", "cache_read", "cache_write", "fit");
    for (size_t k = 0; k < result->point_count; k++) {
        const struct pcs_calibrate_point *point = &result->points[order[k]];
        const char *fit = pcs_calibrate_fit(result, order[k]);
        fprintf(out, "%12s %10.6f %16s %16s %16s%s%s\n", pcs_report_seconds(point->ttl_ms, ttl, sizeof ttl),
                point->error, pcs_report_grouped(point->deviation, deviation, sizeof deviation),
                pcs_report_grouped(point->cache_read, read, sizeof read),
                pcs_report_grouped(point->cache_write, write, sizeof write), *fit ? "  " : "", fit);
    }
    fprintf(out, "%12s %10s %16s %16s %16s\n", "observed", "", "",
            pcs_report_grouped(result->observed.cache_read, read, sizeof read),
            pcs_report_grouped(result->observed.cache_write, write, sizeof write));
}

static void costs_table(FILE *out, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_costs *costs = report->costs;
    char ttl[32], usd[48];
    struct report_money money;
    pcs_report_money_init(&money);
    for (size_t i = 0; i < costs->count; i++)
        pcs_report_money_add(&money, costs->costs[i].cost.total);
    pcs_report_money_add(&money, costs->without_cache_cost);
    pcs_report_money_add(&money, costs->ideal_cost);
    fprintf(out, "\ncost in USD with the best TTL %s s: catalog %s\n",
            pcs_report_seconds(costs->ttl_ms, ttl, sizeof ttl), report->catalog_source);
    fprintf(out, "%-16s %14s  %s\n", "preset", "cost", "cached_ratio");
    for (size_t i = 0; i < costs->count; i++) {
        const struct pcs_calibrate_cost *cost = &costs->costs[i];
        fprintf(out, "%-16s %14s  %.6f", cost->preset, pcs_report_money_text(&money, cost->cost.total, usd, sizeof usd),
                pcs_report_cached_ratio(&cost->total));
        if (cost->same_as != i)
            fprintf(out, "  (the cache of %s)", costs->costs[cost->same_as].preset);
        char sale[96];
        if (*pcs_calibrate_sale_text(costs, i, sale, sizeof sale))
            fprintf(out, "  (%s)", sale);
        fputc('\n', out);
    }
    fprintf(out, "%-16s %14s\n", "ideal", pcs_report_money_text(&money, costs->ideal_cost, usd, sizeof usd));
    fprintf(out, "%-16s %14s\n", "without a cache",
            pcs_report_money_text(&money, costs->without_cache_cost, usd, sizeof usd));
}

enum pcs_status pcs_report_calibrate_text(FILE *out, const struct pcs_calibrate_report *report)
{
    const struct pcs_calibrate_result *result = report->result;
    size_t *order = pcs_calibrate_order(result);
    if (!order)
        return PCS_ERR_NOMEM;
    char parameters[160], count[64], files[64], input[32];
    pcs_report_policy_parameters_except(&result->base, PCS_USES_TTL, parameters, sizeof parameters);
    fprintf(out, "pcsim calibrate: %s from %s\n",
            pcs_report_count(result->requests, "request", "requests", count, sizeof count),
            pcs_report_count(report->path_count, "file", "files", files, sizeof files));
    fprintf(out, "policy: %s (%s%s%s; the TTL varies), one pass over %s\n", report->preset,
            pcs_policy_name(result->base.policy), parameters[0] ? ": " : "", parameters,
            pcs_report_count(result->point_count, "TTL", "TTLs", count, sizeof count));
    fprintf(out, "observed usage: %s, input %s %s\n",
            pcs_report_count(result->observed_requests, "request", "requests", count, sizeof count),
            pcs_report_grouped(result->observed.input, input, sizeof input),
            pcs_report_noun(result->observed.input, "token", "tokens"));
    if (result->skipped)
        fprintf(out, "skipped: %s (--lenient)\n",
                pcs_report_count(result->skipped, "bad record", "bad records", count, sizeof count));
    struct calibrate_notes notes;
    pcs_calibrate_notes(report, &notes);
    for (size_t i = 0; i < notes.count; i++)
        fprintf(out, "note: %s\n", notes.text[i]);
    fputc('\n', out);
    answer(out, report);
    fputc('\n', out);
    curve(out, result, order);
    if (report->costs)
        costs_table(out, report);
    free(order);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
