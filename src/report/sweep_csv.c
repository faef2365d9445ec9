/* The sweep report as CSV: one row per point, the ideal ceiling last. */
#include "report_util.h"

enum pcs_status pcs_report_sweep_csv(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    char seconds[32];
    fprintf(out, "%s,requests,input,cache_read,cache_write,cache_write_1h,uncached,output,cached_ratio,cost_usd\n",
            pcs_report_sweep_by_capacity(report->result) ? "capacity_tokens" : "ttl_s");
    for (size_t i = 0; i <= result->point_count; i++) {
        const struct pcs_usage *usage = i < result->point_count ? &result->points[i].total : &result->ideal;
        if (i == result->point_count)
            fputs("ideal", out);
        else if (pcs_report_sweep_by_capacity(report->result))
            fprintf(out, "%llu", (unsigned long long)result->points[i].capacity_tokens);
        else
            fputs(pcs_report_seconds(result->points[i].ttl_ms, seconds, sizeof seconds), out);
        fprintf(out, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.6f,", (unsigned long long)usage->requests,
                (unsigned long long)usage->input, (unsigned long long)usage->cache_read,
                (unsigned long long)usage->cache_write, (unsigned long long)usage->cache_write_1h,
                (unsigned long long)pcs_usage_uncached(usage), (unsigned long long)usage->output,
                pcs_report_cached_ratio(usage));
        if (i < result->point_count && result->points[i].priced)
            fprintf(out, "%.15g", result->points[i].cost.total);
        else if (i == result->point_count && result->priced)
            fprintf(out, "%.15g", result->ideal_cost);
        fputc('\n', out);
    }
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
