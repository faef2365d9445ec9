/* The replay report and the per-request rows as CSV. */
#include <stdlib.h>
#include <string.h>

#include "report_util.h"

/* The columns after scope and model. */
static void csv_counts(FILE *out, const struct pcs_usage *usage)
{
    fprintf(out, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.6f\n", (unsigned long long)usage->requests, (unsigned long long)usage->input,
            (unsigned long long)usage->cache_read, (unsigned long long)usage->cache_write,
            (unsigned long long)usage->cache_write_1h, (unsigned long long)pcs_usage_uncached(usage),
            (unsigned long long)usage->output, report_cached_ratio(usage));
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
    fputs("scope,model,requests,input,cache_read,cache_write,cache_write_1h,uncached,output,cached_ratio\n", out);
    fputs("total,", out);
    csv_counts(out, &result->total);
    uint32_t *models = report_models_by_name(report);
    if (!models)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_usage *usage = &result->by_model[models[i]];
        if (!usage->requests)
            continue;
        fputs("model,", out);
        csv_field(out, pcs_trace_model_name(report->trace, models[i]));
        csv_counts(out, usage);
    }
    free(models);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

enum pcs_status pcs_report_requests_header(FILE *out)
{
    fputs("t_ms,model,input,cache_read,cache_write,output\n", out);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

enum pcs_status pcs_report_requests_row(FILE *out, const char *model, const struct pcs_request *req,
                                        const struct pcs_usage *usage)
{
    fprintf(out, "%lld,", (long long)req->t_ms);
    csv_field(out, model);
    fprintf(out, ",%llu,%llu,%llu,%llu\n", (unsigned long long)usage->input, (unsigned long long)usage->cache_read,
            (unsigned long long)usage->cache_write, (unsigned long long)usage->output);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
