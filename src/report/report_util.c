/* Helpers shared by the report writers. */
#include "report_util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/text_append.h"
#include "pcsim/stats.h"

const char *pcs_report_grouped(uint64_t value, char *buf, size_t cap)
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

double pcs_report_cached_ratio(const struct pcs_usage *usage)
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

uint32_t *pcs_report_models_by_name(const struct pcs_replay_report *report)
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

const char *pcs_report_seconds(int64_t ms, char *buf, size_t cap)
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

void pcs_report_policy_parameters_except(const struct pcs_cache_config *config, unsigned skip, char *buf, size_t cap)
{
    const struct pcs_policy_info *info = pcs_policy_info(config->policy);
    unsigned uses = info ? info->uses & ~skip : 0;
    size_t used = 0;
    buf[0] = '\0';
    /* Each parameter the policy reads, by text_rank (pcsim/cache.h), then its summary. */
    for (int rank = 0; rank < PCS_PARAM_COUNT; rank++) {
        for (int p = 0; p < PCS_PARAM_COUNT; p++) {
            const struct pcs_cache_param_info *param = pcs_cache_param_info((enum pcs_cache_param)p);
            if (param->text_rank != rank || !(uses & param->uses) || !param->label)
                continue;
            uint64_t value = pcs_cache_param_get(config, (enum pcs_cache_param)p);
            if (value == 0 && param->off_when_zero)
                continue;
            char number[32];
            const char *joint = used ? ", " : "";
            switch (param->unit) {
            case PCS_UNIT_MS:
                pcs_text_append(buf, cap, &used, "%s%s %s s", joint, param->label,
                                pcs_report_seconds((int64_t)value, number, sizeof number));
                break;
            case PCS_UNIT_TOKENS:
                pcs_text_append(buf, cap, &used, "%s%s %llu %s", joint, param->label, (unsigned long long)value,
                                pcs_report_noun(value, "token", "tokens"));
                break;
            case PCS_UNIT_NUMBER:
            case PCS_UNIT_SWITCH:
                pcs_text_append(buf, cap, &used, "%s%s %llu", joint, param->label, (unsigned long long)value);
                break;
            }
        }
    }
    if (info && info->summary)
        pcs_text_append(buf, cap, &used, "%s%s", used ? ", " : "", info->summary);
}

void pcs_report_policy_parameters(const struct pcs_cache_config *config, char *buf, size_t cap)
{
    pcs_report_policy_parameters_except(config, 0, buf, cap);
}

void pcs_report_money_init(struct report_money *money)
{
    money->decimals = REPORT_MONEY_MIN_DECIMALS;
}

void pcs_report_money_add(struct report_money *money, double usd)
{
    double size = fabs(usd);
    if (!isfinite(size) || size == 0)
        return;
    /* The first significant digit is at 10^floor(log10(size)); the last
     * shown one REPORT_MONEY_DIGITS - 1 places further right. Rounding may
     * carry into a new leading digit (0.09996 -> 0.1000): one more shown
     * digit, no harm. */
    double wanted = (double)(REPORT_MONEY_DIGITS - 1) - floor(log10(size));
    if (wanted > money->decimals)
        money->decimals = wanted >= REPORT_MONEY_MAX_DECIMALS ? REPORT_MONEY_MAX_DECIMALS : (int)wanted;
}

struct report_money pcs_report_money_of(const double *usd, size_t count)
{
    struct report_money money;
    pcs_report_money_init(&money);
    for (size_t i = 0; i < count; i++)
        pcs_report_money_add(&money, usd[i]);
    return money;
}

/* sign, then the currency symbol (may be ""), then the digits. */
static const char *money_format(const struct report_money *money, double usd, const char *symbol, char *buf, size_t cap)
{
    if (!isfinite(usd)) {
        snprintf(buf, cap, "%s", pcs_report_no_value(REPORT_TEXT)); /* as HTML's */
        return buf;
    }
    int decimals = money->decimals;
    double unit = pow(10, -decimals);
    if (usd != 0 && fabs(usd) < unit / 2) {
        /* Not zero, yet it rounds to zero: say how small, not "0.00". */
        snprintf(buf, cap, "%s%s%.*f", usd > 0 ? "<" : ">-", symbol, decimals, unit);
        return buf;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(usd));
    /* A negative amount that rounds to zero was handled above, so a '-' is
     * never put before "0.00". */
    snprintf(buf, cap, "%s%s%s", usd < 0 ? "-" : "", symbol, digits);
    return buf;
}

const char *pcs_report_money_text(const struct report_money *money, double usd, char *buf, size_t cap)
{
    return money_format(money, usd, "", buf, cap);
}

const char *pcs_report_money_dollars(const struct report_money *money, double usd, char *buf, size_t cap)
{
    return money_format(money, usd, "$", buf, cap);
}

enum report_markers pcs_report_replay_markers(const struct pcs_replay_report *report, int64_t *ttl_ms)
{
    const struct pcs_replay_result *result = report->result;
    *ttl_ms = report->config.ttl_ms;
    if (!result->marked_requests)
        return REPORT_MARKERS_NONE;
    if (!report->model_configs)
        return report->config.policy != PCS_POLICY_BREAKPOINT ? REPORT_MARKERS_NONE
               : report->config.ttl_overrides_markers         ? REPORT_MARKERS_OVERRIDDEN
                                                              : REPORT_MARKERS_STAND;
    /* Per model: what the breakpoint caches that served requests share. */
    int found = 0, overrides = 0;
    for (size_t i = 0; i < result->model_count; i++) {
        const struct pcs_cache_config *config = &report->model_configs[i];
        if (!result->by_model[i].requests || config->policy != PCS_POLICY_BREAKPOINT)
            continue;
        if (found && config->ttl_ms != *ttl_ms)
            *ttl_ms = -1;
        else if (!found)
            *ttl_ms = config->ttl_ms;
        overrides = config->ttl_overrides_markers; /* one --ttl for every model */
        found = 1;
    }
    if (!found)
        return REPORT_MARKERS_NONE;
    return overrides ? REPORT_MARKERS_OVERRIDDEN : REPORT_MARKERS_STAND;
}

const char *pcs_report_markers_name(enum report_markers markers)
{
    switch (markers) {
    case REPORT_MARKERS_STAND: return "stand";
    case REPORT_MARKERS_OVERRIDDEN: return "overridden";
    case REPORT_MARKERS_NONE: break;
    }
    return NULL;
}

const char *pcs_report_markers_text(enum report_markers markers, uint64_t marked_requests, int64_t ttl_ms, char *buf,
                                    size_t cap)
{
    char ttl[48], seconds[32];
    if (ttl_ms < 0)
        snprintf(ttl, sizeof ttl, "of each model");
    else
        snprintf(ttl, sizeof ttl, "%s s", pcs_report_seconds(ttl_ms, seconds, sizeof seconds));
    char requests[64];
    pcs_report_count(marked_requests, "request", "requests", requests, sizeof requests);
    const char *verb = marked_requests == 1 ? "marks" : "mark";
    switch (markers) {
    case REPORT_MARKERS_STAND:
        snprintf(buf, cap,
                 "markers stand: %s %s breakpoints \"5m\" or \"1h\" and those entries live by "
                 "their marker; the policy TTL %s applies to unmarked breakpoints",
                 requests, verb, ttl);
        break;
    case REPORT_MARKERS_OVERRIDDEN:
        snprintf(buf, cap,
                 "markers overridden: every entry lives by the TTL %s (a what-if), whatever the \"5m\" or "
                 "\"1h\" markers of %s",
                 ttl, requests);
        break;
    case REPORT_MARKERS_NONE: snprintf(buf, cap, "%s", ""); break;
    }
    return buf;
}

const char *pcs_report_sweep_markers_text(const struct pcs_sweep_result *result, char *buf, size_t cap)
{
    char requests[64];
    buf[0] = '\0';
    if (result->marked_requests)
        snprintf(buf, cap,
                 "markers overridden: each point's TTL is every entry's (a what-if), whatever the \"5m\" or "
                 "\"1h\" markers of %s",
                 pcs_report_count(result->marked_requests, "request", "requests", requests, sizeof requests));
    return buf;
}

const char *pcs_report_usd(double usd, char *buf, size_t cap)
{
    struct report_money money = pcs_report_money_of(&usd, 1);
    return pcs_report_money_text(&money, usd, buf, cap);
}

static void replay_money_add(struct replay_money *money, const struct pcs_cost *with, double without, double ideal)
{
    pcs_report_money_add(&money->cost, with->total);
    pcs_report_money_add(&money->cost, without);
    pcs_report_money_add(&money->cost, ideal);
    pcs_report_money_add(&money->savings, without - with->total);
}

void pcs_report_replay_money(const struct pcs_replay_report *report, struct replay_money *money)
{
    const struct pcs_replay_cost *cost = report->cost;
    const struct pcs_replay_result *result = report->result;
    pcs_report_money_init(&money->cost);
    pcs_report_money_init(&money->savings);
    replay_money_add(money, &cost->with_cache, cost->without_cache, cost->ideal);
    for (size_t i = 0; i < result->model_count && i < cost->model_count; i++) {
        const struct pcs_model_cost *model = &cost->by_model[i];
        if (result->by_model[i].requests && model->priced_as)
            replay_money_add(money, &model->with_cache, model->without_cache, model->ideal);
    }
}

int pcs_report_sweep_by_capacity(const struct pcs_sweep_result *result)
{
    const struct pcs_policy_info *info = pcs_policy_info(result->base.policy);
    return info && info->capacity_curve;
}

void pcs_report_sweep_money(const struct pcs_sweep_result *result, struct sweep_money *money)
{
    pcs_report_money_init(&money->cost);
    pcs_report_money_init(&money->savings);
    if (!result->priced)
        return;
    for (size_t i = 0; i < result->point_count; i++) {
        if (!result->points[i].priced)
            continue;
        pcs_report_money_add(&money->cost, result->points[i].cost.total);
        pcs_report_money_add(&money->savings, result->without_cache_cost - result->points[i].cost.total);
    }
    pcs_report_money_add(&money->cost, result->ideal_cost);
    pcs_report_money_add(&money->cost, result->without_cache_cost);
    pcs_report_money_add(&money->savings, result->without_cache_cost - result->ideal_cost);
}

const char *pcs_report_count(uint64_t count, const char *singular, const char *plural, char *buf, size_t cap)
{
    char digits[32];
    snprintf(buf, cap, "%s %s", pcs_report_grouped(count, digits, sizeof digits),
             pcs_report_noun(count, singular, plural));
    return buf;
}

const char *pcs_report_noun(uint64_t count, const char *singular, const char *plural)
{
    return count == 1 ? singular : plural;
}

const char *pcs_report_no_value(enum report_format format)
{
    static const char *const spelling[] = {
        [REPORT_TEXT] = "n/a", [REPORT_CSV] = "", [REPORT_JSON] = "null", [REPORT_HTML] = "n/a"};
    return spelling[format];
}

const char *pcs_report_money_interval(const struct report_money *money, double low, double high, char *buf, size_t cap)
{
    char a[48], b[48];
    if (pcs_has_value(low) && pcs_has_value(high))
        snprintf(buf, cap, "[%s, %s]", pcs_report_money_text(money, low, a, sizeof a),
                 pcs_report_money_text(money, high, b, sizeof b));
    else
        snprintf(buf, cap, "%s", pcs_report_no_value(REPORT_TEXT));
    return buf;
}

void pcs_report_csv_number(FILE *out, double value)
{
    if (pcs_has_value(value))
        fprintf(out, "%.10g", value);
    else
        fputs(pcs_report_no_value(REPORT_CSV), out);
}

const char *pcs_report_utc_time(double unix_time_s, char *buf, size_t cap)
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

const char *pcs_report_price(const struct pcs_price *price, double multiplier, char *buf, size_t cap)
{
    char number[48];
    if (!price->set) {
        snprintf(buf, cap, "-");
        return buf;
    }
    size_t used = 0;
    buf[0] = '\0';
    pcs_text_append(buf, cap, &used, "%s", plain_number(price->base * multiplier, number, sizeof number));
    for (size_t i = 0; i < price->tier_count; i++)
        pcs_text_append(buf, cap, &used, " / %s above %llu",
                        plain_number(price->tiers[i].price * multiplier, number, sizeof number),
                        (unsigned long long)price->tiers[i].start);
    return buf;
}

const char *pcs_report_article(const char *phrase)
{
    char first = phrase ? (char)tolower((unsigned char)phrase[0]) : 0;
    return first && strchr("aeiou", first) ? "an" : "a";
}

const char *pcs_report_counts_only_note(const pcs_trace *trace, char *buf, size_t cap)
{
    const char *format = pcs_trace_counts_only_format(trace);
    if (!format)
        return NULL;
    snprintf(buf, cap,
             "note: %s %s trace holds no prompt text: prefixes come from token counts alone (a request extends "
             "its predecessor's prompt by the tokens it adds; a shorter one starts a new chain)",
             pcs_report_article(format), format);
    return buf;
}
