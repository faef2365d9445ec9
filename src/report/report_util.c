/* Helpers shared by the report writers. */
#include "report_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcsim/stats.h"

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

const char *report_usd(double usd, char *buf, size_t cap)
{
    /* Cents and a little more for sums people read; fractions of a cent
     * for the small ones, so a cheap request does not show as 0.00. */
    snprintf(buf, cap, usd >= 1 || usd <= -1 ? "%.4f" : "%.8f", usd);
    char *dot = strchr(buf, '.');
    if (dot) {
        size_t n = strlen(buf);
        while (n > (size_t)(dot - buf) + 3 && buf[n - 1] == '0')
            buf[--n] = '\0';
    }
    return buf;
}

const char *report_no_value(enum report_format format)
{
    static const char *const spelling[] = {[REPORT_TEXT] = "n/a", [REPORT_CSV] = "", [REPORT_JSON] = "null",
                                           [REPORT_HTML] = "n/a"};
    return spelling[format];
}

const char *report_usd_or_none(double usd, enum report_format format, char *buf, size_t cap)
{
    if (pcs_has_value(usd))
        return report_usd(usd, buf, cap);
    snprintf(buf, cap, "%s", report_no_value(format));
    return buf;
}

const char *report_interval_or_none(double low, double high, enum report_format format, char *buf, size_t cap)
{
    char a[48], b[48];
    if (pcs_has_value(low) && pcs_has_value(high))
        snprintf(buf, cap, "[%s, %s]", report_usd(low, a, sizeof a), report_usd(high, b, sizeof b));
    else
        snprintf(buf, cap, "%s", report_no_value(format));
    return buf;
}

void report_csv_number(FILE *out, double value)
{
    if (pcs_has_value(value))
        fprintf(out, "%.10g", value);
    else
        fputs(report_no_value(REPORT_CSV), out);
}

const char *report_utc_time(double unix_time_s, char *buf, size_t cap)
{
    time_t seconds = (time_t)unix_time_s;
    struct tm parts;
    if (!gmtime_r(&seconds, &parts) || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0)
        snprintf(buf, cap, "%.0f", unix_time_s);
    return buf;
}

/* A number without trailing zeros: "0.825", "3". */
static const char *plain_number(double value, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.10f", value);
    char *dot = strchr(buf, '.');
    if (dot) {
        size_t n = strlen(buf);
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = '\0';
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = '\0';
    }
    return buf;
}

const char *report_price(const struct pcs_price *price, double multiplier, char *buf, size_t cap)
{
    char number[48];
    if (!price->set) {
        snprintf(buf, cap, "-");
        return buf;
    }
    size_t used = (size_t)snprintf(buf, cap, "%s", plain_number(price->base * multiplier, number, sizeof number));
    for (size_t i = 0; i < price->tier_count && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, " / %s above %llu",
                                 plain_number(price->tiers[i].price * multiplier, number, sizeof number),
                                 (unsigned long long)price->tiers[i].start);
    return buf;
}
