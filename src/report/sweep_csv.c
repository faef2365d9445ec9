/* The sweep report as CSV: one row per point, the ideal ceiling last. */
#include "columns.h"
#include "report_util.h"
#include "ttl_sale.h"

enum pcs_status pcs_report_sweep_csv(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    char seconds[32];
    fputs(pcs_report_sweep_by_capacity(report->result) ? "capacity_tokens" : "ttl_s", out);
    /* A breakpoint curve of a provider's preset: the class each point is
     * sold as (empty: not sold). */
    int sales = !pcs_report_sweep_by_capacity(result) && pcs_report_marks_sales(report->preset, result->base.policy);
    if (sales)
        fputs(",sold_as_ttl_s", out);
    pcs_report_table_csv_header(out, &pcs_report_sweep_table);
    fputc('\n', out);
    for (size_t i = 0; i <= result->point_count; i++) {
        struct report_usage_row row = pcs_report_sweep_row(result, i);
        if (i == result->point_count)
            fputs("ideal", out);
        else if (pcs_report_sweep_by_capacity(report->result))
            fprintf(out, "%llu", (unsigned long long)result->points[i].capacity_tokens);
        else
            fputs(pcs_report_seconds(result->points[i].ttl_ms, seconds, sizeof seconds), out);
        const struct pcs_ttl_class *sold;
        if (sales && i < result->point_count &&
            pcs_ttl_sale_of(report->preset, result->points[i].ttl_ms, &sold) == PCS_TTL_SOLD)
            fprintf(out, ",%lld", (long long)sold->ttl_s);
        else if (sales)
            fputc(',', out);
        pcs_report_table_csv_cells(out, &pcs_report_sweep_table, &row);
        fputc('\n', out);
    }
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
