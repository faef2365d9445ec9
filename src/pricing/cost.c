/* Prices in effect, long-context classes and the cost of usage; see
 * pcsim/pricing.h. The arithmetic follows @pydantic/genai-prices' calcPrice
 * (each token class billed at its own price, a class without a price billed
 * in its parent), so totals agree with it. */
#include "pcsim/pricing.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "common/civil_date.h"

const struct pcs_price_set *pcs_model_prices_at(const struct pcs_model *model, double unix_time_s)
{
    double second_of_day = fmod(unix_time_s, 86400.0);
    if (second_of_day < 0)
        second_of_day += 86400.0;
    /* The last period whose constraint holds wins, as in calcPrice. */
    for (size_t i = model->period_count; i-- > 0;) {
        const struct pcs_price_period *period = &model->periods[i];
        switch (period->constraint) {
        case PCS_PRICE_ALWAYS: return &period->set;
        case PCS_PRICE_FROM_DATE:
            if (unix_time_s >= (double)period->start_date_s)
                return &period->set;
            break;
        case PCS_PRICE_TIME_OF_DAY:
            if (period->day_end_s < period->day_start_s) {
                if (second_of_day >= period->day_start_s || second_of_day < period->day_end_s)
                    return &period->set;
            } else if (second_of_day >= period->day_start_s && second_of_day < period->day_end_s) {
                return &period->set;
            }
            break;
        }
    }
    return &model->periods[0].set;
}

double pcs_provider_tier_multiplier(const struct pcs_provider *provider, enum pcs_tier tier)
{
    for (size_t i = 0; i < provider->tier_count; i++)
        if (provider->tiers[i].tier == tier)
            return provider->tiers[i].multiplier;
    return 0;
}

uint64_t pcs_price_class(const struct pcs_price_set *set, uint64_t input_tokens)
{
    uint64_t class_start = 0;
    for (int key = 0; key < PCS_PRICE_KEY_COUNT; key++) {
        const struct pcs_price *price = &set->prices[key];
        for (size_t i = 0; i < price->tier_count; i++)
            if (price->tiers[i].start < input_tokens && price->tiers[i].start + 1 > class_start)
                class_start = price->tiers[i].start + 1;
    }
    return class_start;
}

uint64_t pcs_price_class_average(const struct pcs_price_set *set, uint64_t input_tokens, uint64_t request_count)
{
    if (request_count == 0)
        request_count = 1;
    /* A tier applies when the average exceeds its start; an average of
     * start + a fraction does, and so does its ceiling, start + 1. */
    uint64_t average_ceiling = input_tokens / request_count + (input_tokens % request_count != 0);
    return pcs_price_class(set, average_ceiling);
}

/* The price per unit for prompts of prompt_class tokens: a tier applies
 * when the prompt has more tokens than its start. */
static double unit_price(const struct pcs_price *price, uint64_t prompt_class)
{
    double value = price->base;
    for (size_t i = 0; i < price->tier_count; i++)
        if (prompt_class > price->tiers[i].start)
            value = price->tiers[i].price;
    return value;
}

static double part(const struct pcs_price_set *set, enum pcs_price_key key, uint64_t count, uint64_t prompt_class,
                   double per)
{
    const struct pcs_price *price = &set->prices[key];
    if (!price->set || count == 0)
        return 0;
    return unit_price(price, prompt_class) * (double)count / per;
}

enum pcs_status pcs_price_usage(const struct pcs_price_set *set, const struct pcs_usage *usage, uint64_t prompt_class,
                                double multiplier, struct pcs_cost *cost, struct pcs_error *err)
{
    memset(cost, 0, sizeof *cost);
    if (usage->cache_read > usage->input || usage->cache_write > usage->input - usage->cache_read)
        return pcs_error_set(err, PCS_ERR_ARG,
                             "cache_read (%llu) plus cache_write (%llu) exceeds the input tokens (%llu), which "
                             "count every prompt token",
                             (unsigned long long)usage->cache_read, (unsigned long long)usage->cache_write,
                             (unsigned long long)usage->input);
    if (usage->cache_write_1h > usage->cache_write)
        return pcs_error_set(err, PCS_ERR_ARG,
                             "cache_write_1h (%llu) exceeds cache_write (%llu), which counts every written token",
                             (unsigned long long)usage->cache_write_1h, (unsigned long long)usage->cache_write);
    if (!(multiplier >= 0) || !isfinite(multiplier))
        return pcs_error_set(err, PCS_ERR_ARG, "the price multiplier must be a number >= 0");
    /* Each class priced apart leaves its parent; an unpriced one stays in it. */
    const struct pcs_price *prices = set->prices;
    uint64_t write_1h = prices[PCS_PRICE_CACHE_WRITE_1H].set ? usage->cache_write_1h : 0;
    uint64_t write = prices[PCS_PRICE_CACHE_WRITE].set ? usage->cache_write - write_1h : 0;
    uint64_t read = prices[PCS_PRICE_CACHE_READ].set ? usage->cache_read : 0;
    uint64_t input = usage->input - read - write - write_1h;
    cost->uncached = part(set, PCS_PRICE_INPUT, input, prompt_class, 1e6) * multiplier;
    cost->cache_read = part(set, PCS_PRICE_CACHE_READ, read, prompt_class, 1e6) * multiplier;
    cost->cache_write = part(set, PCS_PRICE_CACHE_WRITE, write, prompt_class, 1e6) * multiplier;
    cost->cache_write_1h = part(set, PCS_PRICE_CACHE_WRITE_1H, write_1h, prompt_class, 1e6) * multiplier;
    cost->output = part(set, PCS_PRICE_OUTPUT, usage->output, prompt_class, 1e6) * multiplier;
    cost->requests = part(set, PCS_PRICE_REQUESTS, usage->requests, prompt_class, 1e3) * multiplier;
    cost->total =
        cost->uncached + cost->cache_read + cost->cache_write + cost->cache_write_1h + cost->output + cost->requests;
    return PCS_OK;
}

enum pcs_status pcs_parse_price_time(const char *text, double *unix_time_s, struct pcs_error *err)
{
    if (strcmp(text, "now") == 0) {
        *unix_time_s = (double)time(NULL);
        return PCS_OK;
    }
    int64_t midnight_s = 0;
    const char *p = text;
    int valid = pcs_civil_date_parse(text, &midnight_s, &p) == 0 && midnight_s >= 0;
    double seconds = 43200; /* a bare date means noon UTC */
    if (valid && (*p == 'T' || *p == ' ')) {
        unsigned hour = 99, minute = 99, second = 99;
        p++;
        valid = isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':' &&
                isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) && p[5] == ':' &&
                isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7]);
        if (valid) {
            hour = (unsigned)((p[0] - '0') * 10 + (p[1] - '0'));
            minute = (unsigned)((p[3] - '0') * 10 + (p[4] - '0'));
            second = (unsigned)((p[6] - '0') * 10 + (p[7] - '0'));
            p += 8;
        }
        valid = valid && hour <= 23 && minute <= 59 && second <= 59;
        seconds = hour * 3600.0 + minute * 60.0 + second;
        if (valid && *p == '.') {
            double scale = 0.1;
            valid = isdigit((unsigned char)p[1]);
            for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
                seconds += (*p - '0') * scale;
        }
        if (valid && *p == 'Z')
            p++;
        else
            valid = 0;
    }
    if (!valid || *p)
        return pcs_error_set(err, PCS_ERR_ARG,
                             "'%s' is not a UTC date or time: expected 2026-11-23, 2026-11-23T08:30:00Z or now", text);
    *unix_time_s = (double)midnight_s + seconds;
    return PCS_OK;
}
