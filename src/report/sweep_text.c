/* The sweep report as a table for people. */
#include "columns.h"
#include "report_util.h"
#include "ttl_sale.h"

#include <string.h>

/* "5 min", "1 h", "90 s", "1.5 h": hours from an hour up, minutes from a
 * minute up, else seconds. */
static const char *duration(int64_t ms, char *buf, size_t cap)
{
    if (ms >= 3600000)
        snprintf(buf, cap, "%.4g h", (double)ms / 3600000.0);
    else if (ms >= 60000)
        snprintf(buf, cap, "%.4g min", (double)ms / 60000.0);
    else
        snprintf(buf, cap, "%.4g s", (double)ms / 1000.0);
    return buf;
}

static const char *point_label(const struct pcs_sweep_report *report, const struct pcs_sweep_point *point, char *buf,
                               size_t cap)
{
    if (pcs_report_sweep_by_capacity(report->result))
        return pcs_report_grouped(point->capacity_tokens, buf, cap);
    duration(point->ttl_ms, buf, cap);
    if (pcs_report_marks_sales(report->preset, report->result->base.policy) &&
        pcs_ttl_sale_of(report->preset, point->ttl_ms, NULL) != PCS_TTL_SOLD) {
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s", PCS_REPORT_UNSOLD_MARK);
    }
    return buf;
}

enum pcs_status pcs_report_sweep_text(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    char parameters[160], count[64], files[64], label[48], usd[48];
    pcs_report_policy_parameters(&result->base, parameters, sizeof parameters);
    fprintf(out, "pcsim sweep: %s from %s\n",
            pcs_report_count(result->ideal.requests, "request", "requests", count, sizeof count),
            pcs_report_count(report->path_count, "file", "files", files, sizeof files));
    if (pcs_report_sweep_by_capacity(report->result))
        fprintf(out, "policy: %s (lru), one pass over %s\n", report->preset,
                pcs_report_count(result->point_count, "capacity", "capacities", count, sizeof count));
    else
        fprintf(out, "policy: %s (%s: %s; the TTL varies), one pass over %s\n", report->preset,
                pcs_policy_name(result->base.policy), parameters,
                pcs_report_count(result->point_count, "TTL", "TTLs", count, sizeof count));
    char markers[320];
    if (*pcs_report_sweep_markers_text(result, markers, sizeof markers))
        fprintf(out, "%s\n", markers);
    if (result->skipped)
        fprintf(out, "skipped: %s (--lenient)\n",
                pcs_report_count(result->skipped, "bad record", "bad records", count, sizeof count));
    char note[512];
    if (pcs_report_counts_only_note(report->trace, note, sizeof note))
        fprintf(out, "%s\n", note);
    if (!pcs_report_sweep_by_capacity(result) && pcs_report_marks_sales(report->preset, result->base.policy))
        fprintf(out, "%s\n", pcs_report_sales_note(report->preset, note, sizeof note));
    struct sweep_money money;
    pcs_report_sweep_money(result, &money);
    if (result->priced)
        fprintf(out, "cost in USD: catalog %s; without any cache %s\n", report->catalog_source,
                pcs_report_money_text(&money.cost, result->without_cache_cost, usd, sizeof usd));
    const struct report_money columns_money[REPORT_MONEY_GROUP_COUNT] = {
        [REPORT_MONEY_COST] = money.cost, [REPORT_MONEY_SAVINGS] = money.savings};
    fputc('\n', out);
    pcs_report_table_text_header(out, &pcs_report_sweep_table,
                                 pcs_report_sweep_by_capacity(report->result) ? "capacity" : "ttl", result->priced);
    for (size_t i = 0; i <= result->point_count; i++) {
        struct report_usage_row row = pcs_report_sweep_row(result, i);
        const char *name =
            i < result->point_count ? point_label(report, &result->points[i], label, sizeof label) : "ideal";
        pcs_report_table_text_row(out, &pcs_report_sweep_table, name, &row, result->priced, columns_money);
    }
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
