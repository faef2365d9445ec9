/* The replay report and the per-request rows as CSV. */
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "reconcile_report.h"
#include "report_util.h"

/* A row's cells (costs empty when not priced) and its newline. */
static void csv_cells(FILE *out, const struct pcs_replay_report *report, int64_t model)
{
    struct report_usage_row row = pcs_report_replay_row(report, model);
    pcs_report_table_csv_cells(out, &pcs_report_replay_table, &row);
    fputc('\n', out);
}

/* Model names go into CSV unquoted unless they need quotes. */
static void csv_field(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\n\r")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', out);
        fputc(*text, out);
    }
    fputc('"', out);
}

enum pcs_status pcs_report_replay_csv(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_replay_result *result = report->result;
    fputs("scope,model", out);
    pcs_report_table_csv_header(out, &pcs_report_replay_table);
    fputc('\n', out);
    fputs("total,", out);
    csv_cells(out, report, -1);
    uint32_t *models = pcs_report_models_by_name(report);
    if (!models)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < result->model_count; i++) {
        if (!result->by_model[models[i]].requests)
            continue;
        fputs("model,", out);
        csv_field(out, pcs_trace_model_name(report->trace, models[i]));
        csv_cells(out, report, models[i]);
    }
    free(models);
    if (report->reconciliation && pcs_report_reconcile_csv(out, report) != PCS_OK)
        return PCS_ERR_NOMEM;
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

enum pcs_status pcs_report_requests_header(FILE *out)
{
    fputs("t_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd,"
          "observed_cache_read,observed_cache_write,observed_cache_write_1h,source\n",
          out);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

enum pcs_status pcs_report_requests_row(FILE *out, const char *model, const struct pcs_request *req,
                                        const struct pcs_usage *usage, double cost_usd, const char *source)
{
    fprintf(out, "%lld,", (long long)req->t_ms);
    csv_field(out, model);
    fprintf(out, ",%llu,%llu,%llu,%llu,%llu,", (unsigned long long)usage->input, (unsigned long long)usage->cache_read,
            (unsigned long long)usage->cache_write, (unsigned long long)usage->output,
            (unsigned long long)usage->cache_write_1h);
    if (cost_usd >= 0)
        fprintf(out, "%.15g", cost_usd);
    if (req->has_observed)
        fprintf(out, ",%llu,%llu,%llu,", (unsigned long long)req->observed.cache_read,
                (unsigned long long)req->observed.cache_write, (unsigned long long)req->observed.cache_write_1h);
    else
        fputs(",,,,", out);
    if (source != NULL)
        csv_field(out, source);
    fputc('\n', out);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
