/* Helpers shared by the report writers. */
#include "report_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *report_grouped(uint64_t value, char *buf, size_t cap)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)value);
    size_t out = 0;
    for (int i = 0; i < n && out + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
    return buf;
}

double report_cached_ratio(const struct pcs_usage *usage)
{
    return usage->input ? (double)usage->cache_read / (double)usage->input : 0.0;
}

static const pcs_trace *sort_trace;

static int by_name(const void *a, const void *b)
{
    const char *x = pcs_trace_model_name(sort_trace, *(const uint32_t *)a);
    const char *y = pcs_trace_model_name(sort_trace, *(const uint32_t *)b);
    return strcmp(x, y);
}

uint32_t *report_models_by_name(const struct pcs_replay_report *report)
{
    size_t n = report->result->model_count;
    uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    if (!ids)
        return NULL;
    for (size_t i = 0; i < n; i++)
        ids[i] = (uint32_t)i;
    sort_trace = report->trace;
    qsort(ids, n, sizeof *ids, by_name);
    return ids;
}

const char *report_seconds(int64_t ms, char *buf, size_t cap)
{
    if (ms % 1000 == 0) {
        snprintf(buf, cap, "%lld", (long long)(ms / 1000));
        return buf;
    }
    snprintf(buf, cap, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    return buf;
}

void report_policy_parameters(const struct pcs_cache_config *config, char *buf, size_t cap)
{
    char ttl[32];
    report_seconds(config->ttl_ms, ttl, sizeof ttl);
    switch (config->policy) {
    case PCS_POLICY_NONE:
    case PCS_POLICY_IDEAL: snprintf(buf, cap, "no TTL, unlimited capacity"); break;
    case PCS_POLICY_TTL: snprintf(buf, cap, "idle TTL %s s", ttl); break;
    case PCS_POLICY_OPENAI:
        snprintf(buf, cap, "idle TTL %s s, min %llu tokens, granularity %llu", ttl, (unsigned long long)config->min_tokens, (unsigned long long)config->granularity);
        break;
    case PCS_POLICY_BREAKPOINT:
        snprintf(buf, cap, "idle TTL %s s, min %llu tokens, writes at breakpoints", ttl,
                 (unsigned long long)config->min_tokens);
        break;
    case PCS_POLICY_LRU:
        snprintf(buf, cap, "capacity %llu tokens, least recently used evicted",
                 (unsigned long long)config->capacity_tokens);
        break;
    }
}
