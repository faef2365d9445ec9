/* The replay report as a table for people. */
#include <stdlib.h>

#include "report_util.h"

static void usage_row(FILE *out, const char *label, const struct pcs_usage *usage)
{
    char requests[32], input[32], read[32], write[32], uncached[32], output[32];
    fprintf(out, "%-28s %10s %15s %15s %15s %15s %13s %7.2f%%\n", label,
            report_grouped(usage->requests, requests, sizeof requests),
            report_grouped(usage->input, input, sizeof input), report_grouped(usage->cache_read, read, sizeof read),
            report_grouped(usage->cache_write, write, sizeof write),
            report_grouped(pcs_usage_uncached(usage), uncached, sizeof uncached),
            report_grouped(usage->output, output, sizeof output), 100.0 * report_cached_ratio(usage));
}

enum pcs_status pcs_report_replay_text(FILE *out, const struct pcs_replay_report *report)
{
    const struct pcs_replay_result *result = report->result;
    char parameters[160];
    char count[32];
    report_policy_parameters(&report->config, parameters, sizeof parameters);
    fprintf(out, "pcsim replay: %s requests from %zu file%s\n",
            report_grouped(result->total.requests, count, sizeof count), report->path_count,
            report->path_count == 1 ? "" : "s");
    fprintf(out, "policy: %s (%s: %s)\n", report->preset, pcs_policy_name(report->config.policy), parameters);
    if (result->skipped)
        fprintf(out, "skipped: %llu bad record%s (--lenient)\n", (unsigned long long)result->skipped,
                result->skipped == 1 ? "" : "s");
    if (pcs_trace_lacks_prefixes(report->trace))
        fprintf(out, "note: an Azure CSV trace has arrivals and lengths only, no prefix identity: "
                     "nothing in it can be cached\n");
    fprintf(out, "\n%-28s %10s %15s %15s %15s %15s %13s %8s\n", "", "requests", "input", "cache_read", "cache_write",
            "uncached", "output", "cached");
    usage_row(out, "total", &result->total);
    uint32_t *models = report_models_by_name(report);
    if (!models)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_usage *usage = &result->by_model[models[i]];
        if (usage->requests)
            usage_row(out, pcs_trace_model_name(report->trace, models[i]), usage);
    }
    free(models);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
