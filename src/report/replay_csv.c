/* The replay report and the per-request rows as CSV. */
#include <stdlib.h>
#include <string.h>

#include "report_util.h"

/* The columns after scope and model: counts, then the costs (empty when
 * not priced). */
static void csv_counts(FILE *out, const struct pcs_usage *usage, const struct pcs_cost *with, double without,
                       double ideal)
{
    fprintf(out, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.6f", (unsigned long long)usage->requests,
            (unsigned long long)usage->input, (unsigned long long)usage->cache_read,
            (unsigned long long)usage->cache_write, (unsigned long long)usage->cache_write_1h,
            (unsigned long long)pcs_usage_uncached(usage), (unsigned long long)usage->output,
            pcs_report_cached_ratio(usage));
    if (with)
        fprintf(out, ",%.15g,%.15g,%.15g\n", with->total, without, ideal);
    else
        fputs(",,,\n", out);
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
    const struct pcs_replay_cost *cost = report->cost;
    fputs("scope,model,requests,input,cache_read,cache_write,cache_write_1h,uncached,output,cached_ratio,"
          "cost_usd,cost_without_cache_usd,cost_ideal_usd\n",
          out);
    fputs("total,", out);
    csv_counts(out, &result->total, cost ? &cost->with_cache : NULL, cost ? cost->without_cache : 0,
               cost ? cost->ideal : 0);
    uint32_t *models = pcs_report_models_by_name(report);
    if (!models)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_usage *usage = &result->by_model[models[i]];
        if (!usage->requests)
            continue;
        fputs("model,", out);
        csv_field(out, pcs_trace_model_name(report->trace, models[i]));
        const struct pcs_model_cost *model = cost && models[i] < cost->model_count ? &cost->by_model[models[i]] : NULL;
        if (model && !model->priced_as)
            model = NULL;
        csv_counts(out, usage, model ? &model->with_cache : NULL, model ? model->without_cache : 0,
                   model ? model->ideal : 0);
    }
    free(models);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

enum pcs_status pcs_report_requests_header(FILE *out)
{
    fputs("t_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd\n", out);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

enum pcs_status pcs_report_requests_row(FILE *out, const char *model, const struct pcs_request *req,
                                        const struct pcs_usage *usage, double cost_usd)
{
    fprintf(out, "%lld,", (long long)req->t_ms);
    csv_field(out, model);
    fprintf(out, ",%llu,%llu,%llu,%llu,%llu,", (unsigned long long)usage->input,
            (unsigned long long)usage->cache_read, (unsigned long long)usage->cache_write,
            (unsigned long long)usage->output, (unsigned long long)usage->cache_write_1h);
    if (cost_usd >= 0)
        fprintf(out, "%.15g", cost_usd);
    fputc('\n', out);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
