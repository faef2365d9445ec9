/* 'pcsim prices' output as JSON (schema pcsim.prices.v1). Dollar amounts
 * are numbers printed so they read back to the same double. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "report_json.h"
#include "report_util.h"

#define PRICES_SCHEMA "pcsim.prices.v1"

static cJSON *price_value(const struct pcs_price *price, double multiplier)
{
    if (!price->tier_count)
        return cJSON_CreateNumber(price->base * multiplier);
    cJSON *value = cJSON_CreateObject();
    cJSON *tiers = cJSON_CreateArray();
    cJSON_AddNumberToObject(value, "base", price->base * multiplier);
    for (size_t i = 0; i < price->tier_count; i++) {
        cJSON *tier = cJSON_CreateObject();
        cJSON_AddItemToObject(tier, "start", pcs_report_json_integer(price->tiers[i].start));
        cJSON_AddNumberToObject(tier, "price", price->tiers[i].price * multiplier);
        cJSON_AddItemToArray(tiers, tier);
    }
    cJSON_AddItemToObject(value, "tiers", tiers);
    return value;
}

static cJSON *price_set_object(const struct pcs_price_set *set, double multiplier)
{
    cJSON *object = cJSON_CreateObject();
    for (int key = 0; key < PCS_PRICE_KEY_COUNT; key++)
        if (set->prices[key].set)
            cJSON_AddItemToObject(object, pcs_price_key_name((enum pcs_price_key)key),
                                  price_value(&set->prices[key], multiplier));
    return object;
}

/* Prints root (taking it) and a newline. */
static enum pcs_status print_document(FILE *out, cJSON *root)
{
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return PCS_ERR_NOMEM;
    fputs(text, out);
    fputc('\n', out);
    free(text);
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

static cJSON *document(const pcs_catalog *catalog, double price_time_s)
{
    char when[40];
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema", PRICES_SCHEMA);
    cJSON_AddStringToObject(root, "catalog", pcs_catalog_source(catalog));
    cJSON_AddStringToObject(root, "price_time", pcs_report_utc_time(price_time_s, when, sizeof when));
    return root;
}

enum pcs_status pcs_report_price_quote_json(FILE *out, const struct pcs_price_quote *quote)
{
    cJSON *root = document(quote->catalog, quote->price_time_s);
    const struct pcs_usage *usage = &quote->usage;
    cJSON_AddStringToObject(root, "model", quote->model->id);
    cJSON_AddStringToObject(root, "provider", quote->model->provider->id);
    cJSON_AddStringToObject(root, "tier", pcs_tier_name(quote->tier));
    cJSON_AddNumberToObject(root, "tier_multiplier", quote->tier_multiplier);
    cJSON_AddNumberToObject(root, "region_uplift", quote->region_uplift);
    cJSON *counts = cJSON_AddObjectToObject(root, "usage");
    cJSON_AddItemToObject(counts, "input", pcs_report_json_integer(usage->input));
    cJSON_AddItemToObject(counts, "cache_read", pcs_report_json_integer(usage->cache_read));
    cJSON_AddItemToObject(counts, "cache_write", pcs_report_json_integer(usage->cache_write));
    cJSON_AddItemToObject(counts, "cache_write_1h", pcs_report_json_integer(usage->cache_write_1h));
    cJSON_AddItemToObject(counts, "output", pcs_report_json_integer(usage->output));
    cJSON_AddItemToObject(counts, "requests", pcs_report_json_integer(usage->requests));
    /* The unit prices this usage pays, after the tier and the uplift. */
    cJSON *units = cJSON_AddObjectToObject(root, "unit_prices");
    uint64_t prompt_class = quote->prompt_class;
    double multiplier = quote->tier_multiplier * quote->region_uplift;
    for (int key = 0; key < PCS_PRICE_KEY_COUNT; key++) {
        const struct pcs_price *price = &quote->set->prices[key];
        if (!price->set)
            continue;
        double value = price->base;
        for (size_t i = 0; i < price->tier_count; i++)
            if (prompt_class > price->tiers[i].start)
                value = price->tiers[i].price;
        cJSON_AddNumberToObject(units, pcs_price_key_name((enum pcs_price_key)key), value * multiplier);
    }
    cJSON *parts = cJSON_AddObjectToObject(root, "parts");
    cJSON_AddNumberToObject(parts, "input", quote->cost.uncached);
    cJSON_AddNumberToObject(parts, "cache_read", quote->cost.cache_read);
    cJSON_AddNumberToObject(parts, "cache_write", quote->cost.cache_write);
    cJSON_AddNumberToObject(parts, "cache_write_1h", quote->cost.cache_write_1h);
    cJSON_AddNumberToObject(parts, "output", quote->cost.output);
    cJSON_AddNumberToObject(parts, "requests", quote->cost.requests);
    cJSON_AddNumberToObject(root, "total", quote->cost.total);
    return print_document(out, root);
}

static cJSON *model_object(const struct pcs_model *model, double price_time_s)
{
    cJSON *object = cJSON_CreateObject();
    cJSON_AddStringToObject(object, "provider", model->provider->id);
    cJSON_AddStringToObject(object, "id", model->id);
    cJSON_AddStringToObject(object, "name", model->name);
    if (model->context_window)
        cJSON_AddItemToObject(object, "context_window", pcs_report_json_integer(model->context_window));
    cJSON_AddStringToObject(object, "cache_preset", model->cache_preset ? model->cache_preset : "none");
    if (model->min_tokens)
        cJSON_AddItemToObject(object, "min_tokens", pcs_report_json_integer(model->min_tokens));
    cJSON_AddItemToObject(object, "prices", price_set_object(pcs_model_prices_at(model, price_time_s), 1.0));
    return object;
}

enum pcs_status pcs_report_price_list_json(FILE *out, const pcs_catalog *catalog, const struct pcs_provider *provider,
                                           double price_time_s)
{
    cJSON *root = document(catalog, price_time_s);
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    size_t count = pcs_catalog_provider_count(catalog);
    for (size_t p = 0; p < count; p++) {
        const struct pcs_provider *current = pcs_catalog_provider(catalog, p);
        if (provider && current != provider)
            continue;
        for (size_t m = 0; m < current->model_count; m++)
            cJSON_AddItemToArray(models, model_object(&current->models[m], price_time_s));
    }
    return print_document(out, root);
}

enum pcs_status pcs_report_price_model_json(FILE *out, const pcs_catalog *catalog, const struct pcs_model *model,
                                            double price_time_s)
{
    cJSON *root = document(catalog, price_time_s);
    cJSON *object = model_object(model, price_time_s);
    const struct pcs_provider *provider = model->provider;
    cJSON *tiers = cJSON_AddObjectToObject(object, "tiers");
    for (size_t i = 0; i < provider->tier_count; i++)
        cJSON_AddNumberToObject(tiers, pcs_tier_name(provider->tiers[i].tier), provider->tiers[i].multiplier);
    cJSON_AddNumberToObject(object, "region_uplift", provider->region_uplift);
    cJSON *periods = cJSON_AddArrayToObject(object, "price_periods");
    for (size_t i = 0; i < model->period_count; i++) {
        const struct pcs_price_period *period = &model->periods[i];
        cJSON *entry = cJSON_CreateObject();
        char start[40], end[40];
        if (period->constraint == PCS_PRICE_FROM_DATE) {
            pcs_report_utc_time((double)period->start_date_s, start, sizeof start);
            start[10] = '\0';
            cJSON_AddStringToObject(entry, "start_date", start);
        } else if (period->constraint == PCS_PRICE_TIME_OF_DAY) {
            cJSON_AddStringToObject(entry, "start_time",
                                    pcs_report_utc_time(period->day_start_s, start, sizeof start) + 11);
            cJSON_AddStringToObject(entry, "end_time", pcs_report_utc_time(period->day_end_s, end, sizeof end) + 11);
        }
        cJSON_AddItemToObject(entry, "prices", price_set_object(&period->set, 1.0));
        cJSON_AddItemToArray(periods, entry);
    }
    cJSON_AddItemToObject(root, "model", object);
    return print_document(out, root);
}
