/* The sweep report as a table, as JSON (schema pcsim.sweep.v1) and as CSV. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report_util.h"

static int is_capacity(const struct pcs_sweep_report *report)
{
    return report->result->base.policy == PCS_POLICY_LRU;
}

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
    if (is_capacity(report))
        return report_grouped(point->capacity_tokens, buf, cap);
    return duration(point->ttl_ms, buf, cap);
}

enum pcs_status pcs_report_sweep_text(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    char parameters[160], count[32], label[48], read[32], write[32], usd[48];
    report_policy_parameters(&result->base, parameters, sizeof parameters);
    fprintf(out, "pcsim sweep: %s requests from %zu file%s\n", report_grouped(result->ideal.requests, count, sizeof count),
            report->path_count, report->path_count == 1 ? "" : "s");
    if (is_capacity(report))
        fprintf(out, "policy: %s (lru), one pass over %zu capacities\n", report->preset, result->point_count);
    else
        fprintf(out, "policy: %s (%s: %s; the TTL varies), one pass over %zu TTLs\n", report->preset,
                pcs_policy_name(result->base.policy), parameters, result->point_count);
    if (result->skipped)
        fprintf(out, "skipped: %llu bad record%s (--lenient)\n", (unsigned long long)result->skipped,
                result->skipped == 1 ? "" : "s");
    if (result->priced)
        fprintf(out, "cost in USD: catalog %s; without any cache %s\n", report->catalog_source,
                report_usd(result->without_cache_cost, usd, sizeof usd));
    fprintf(out, "\n%-16s %16s %16s %9s%s\n", is_capacity(report) ? "capacity" : "ttl", "cache_read", "cache_write",
            "cached", result->priced ? "        cost" : "");
    for (size_t i = 0; i < result->point_count; i++) {
        const struct pcs_sweep_point *point = &result->points[i];
        fprintf(out, "%-16s %16s %16s %8.2f%%", point_label(report, point, label, sizeof label),
                report_grouped(point->total.cache_read, read, sizeof read),
                report_grouped(point->total.cache_write, write, sizeof write), 100.0 * report_cached_ratio(&point->total));
        if (point->priced)
            fprintf(out, " %12s", report_usd(point->cost.total, usd, sizeof usd));
        fputc('\n', out);
    }
    fprintf(out, "%-16s %16s %16s %8.2f%%", "ideal", report_grouped(result->ideal.cache_read, read, sizeof read),
            report_grouped(result->ideal.cache_write, write, sizeof write), 100.0 * report_cached_ratio(&result->ideal));
    if (result->priced)
        fprintf(out, " %12s", report_usd(result->ideal_cost, usd, sizeof usd));
    fputc('\n', out);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

static cJSON *integer(uint64_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)value);
    return cJSON_CreateRaw(text);
}

static cJSON *ratio(double value)
{
    char text[32];
    snprintf(text, sizeof text, "%.6f", value);
    return cJSON_CreateRaw(text);
}

static cJSON *tokens_object(const struct pcs_usage *usage)
{
    cJSON *tokens = cJSON_CreateObject();
    cJSON_AddItemToObject(tokens, "input", integer(usage->input));
    cJSON_AddItemToObject(tokens, "cache_read", integer(usage->cache_read));
    cJSON_AddItemToObject(tokens, "cache_write", integer(usage->cache_write));
    cJSON_AddItemToObject(tokens, "cache_write_1h", integer(usage->cache_write_1h));
    cJSON_AddItemToObject(tokens, "uncached", integer(pcs_usage_uncached(usage)));
    cJSON_AddItemToObject(tokens, "output", integer(usage->output));
    return tokens;
}

enum pcs_status pcs_report_sweep_json(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    const struct pcs_cache_config *base = &result->base;
    char seconds[32];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", "pcsim.sweep.v1");
    cJSON *policy = cJSON_AddObjectToObject(root, "policy");
    cJSON_AddStringToObject(policy, "name", report->preset);
    cJSON_AddStringToObject(policy, "policy", pcs_policy_name(base->policy));
    if (base->policy == PCS_POLICY_OPENAI || base->policy == PCS_POLICY_BREAKPOINT)
        cJSON_AddItemToObject(policy, "min_tokens", integer(base->min_tokens));
    if (base->policy == PCS_POLICY_OPENAI)
        cJSON_AddItemToObject(policy, "granularity", integer(base->granularity));
    cJSON *files = cJSON_AddArrayToObject(root, "files");
    for (size_t i = 0; i < report->path_count; i++)
        cJSON_AddItemToArray(files, cJSON_CreateString(report->paths[i]));
    cJSON_AddItemToObject(root, "requests", integer(result->ideal.requests));
    cJSON_AddItemToObject(root, "skipped", integer(result->skipped));
    cJSON *points = cJSON_AddArrayToObject(root, "points");
    for (size_t i = 0; i < result->point_count; i++) {
        const struct pcs_sweep_point *point = &result->points[i];
        cJSON *object = cJSON_CreateObject();
        if (is_capacity(report))
            cJSON_AddItemToObject(object, "capacity_tokens", integer(point->capacity_tokens));
        else
            cJSON_AddItemToObject(object, "ttl_s", cJSON_CreateRaw(report_seconds(point->ttl_ms, seconds, sizeof seconds)));
        cJSON_AddItemToObject(object, "tokens", tokens_object(&point->total));
        cJSON_AddItemToObject(object, "cached_ratio", ratio(report_cached_ratio(&point->total)));
        if (point->priced)
            cJSON_AddNumberToObject(object, "cost", point->cost.total);
        cJSON_AddItemToArray(points, object);
    }
    cJSON *ideal = cJSON_AddObjectToObject(root, "ideal");
    cJSON_AddItemToObject(ideal, "tokens", tokens_object(&result->ideal));
    cJSON_AddItemToObject(ideal, "cached_ratio", ratio(report_cached_ratio(&result->ideal)));
    if (result->priced) {
        cJSON_AddNumberToObject(ideal, "cost", result->ideal_cost);
        cJSON_AddNumberToObject(root, "without_cache_cost", result->without_cache_cost);
        cJSON_AddStringToObject(root, "catalog", report->catalog_source);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return PCS_ERR_NOMEM;
    fputs(text, out);
    fputc('\n', out);
    cJSON_free(text);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

enum pcs_status pcs_report_sweep_csv(FILE *out, const struct pcs_sweep_report *report)
{
    const struct pcs_sweep_result *result = report->result;
    char seconds[32];
    fprintf(out, "%s,requests,input,cache_read,cache_write,cache_write_1h,uncached,output,cached_ratio,cost_usd\n",
            is_capacity(report) ? "capacity_tokens" : "ttl_s");
    for (size_t i = 0; i <= result->point_count; i++) {
        const struct pcs_usage *usage = i < result->point_count ? &result->points[i].total : &result->ideal;
        if (i == result->point_count)
            fputs("ideal", out);
        else if (is_capacity(report))
            fprintf(out, "%llu", (unsigned long long)result->points[i].capacity_tokens);
        else
            fputs(report_seconds(result->points[i].ttl_ms, seconds, sizeof seconds), out);
        fprintf(out, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.6f,", (unsigned long long)usage->requests,
                (unsigned long long)usage->input, (unsigned long long)usage->cache_read,
                (unsigned long long)usage->cache_write, (unsigned long long)usage->cache_write_1h,
                (unsigned long long)pcs_usage_uncached(usage), (unsigned long long)usage->output,
                report_cached_ratio(usage));
        if (i < result->point_count && result->points[i].priced)
            fprintf(out, "%.15g", result->points[i].cost.total);
        else if (i == result->point_count && result->priced)
            fprintf(out, "%.15g", result->ideal_cost);
        fputc('\n', out);
    }
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
