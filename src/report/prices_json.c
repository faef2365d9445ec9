/* 'pcsim prices' output as JSON (schema pcsim.prices.v1). Dollar amounts
 * are numbers printed so they read back to the same double. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "report_json.h"
#include "report_util.h"
#include "ttl_sale.h"

#define PRICES_SCHEMA "pcsim.prices.v1"

static cJSON *price_value(struct report_json *doc, const struct pcs_price *price, double multiplier)
{
    if (!price->tier_count)
        return cJSON_CreateNumber(price->base * multiplier);
    cJSON *value = cJSON_CreateObject();
    cJSON *tiers = cJSON_CreateArray();
    pcs_report_json_add_number(doc, value, "base", price->base * multiplier);
    for (size_t i = 0; i < price->tier_count; i++) {
        cJSON *tier = cJSON_CreateObject();
        pcs_report_json_put(doc, tier, "start", pcs_report_json_integer(price->tiers[i].start));
        pcs_report_json_add_number(doc, tier, "price", price->tiers[i].price * multiplier);
        pcs_report_json_put(doc, tiers, NULL, tier);
    }
    pcs_report_json_put(doc, value, "tiers", tiers);
    return value;
}

static cJSON *price_set_object(struct report_json *doc, const struct pcs_price_set *set, double multiplier)
{
    cJSON *object = cJSON_CreateObject();
    for (int key = 0; key < PCS_PRICE_KEY_COUNT; key++)
        if (set->prices[key].set)
            pcs_report_json_put(doc, object, pcs_price_key_name((enum pcs_price_key)key),
                                price_value(doc, &set->prices[key], multiplier));
    return object;
}

/* Starts doc: the schema, the catalog and the price time. */
static cJSON *document(struct report_json *doc, const pcs_catalog *catalog, double price_time_s)
{
    char when[40];
    pcs_report_json_begin(doc, PRICES_SCHEMA);
    cJSON *root = doc->root;
    pcs_report_json_add_string(doc, root, "catalog", pcs_catalog_source(catalog));
    pcs_report_json_add_string(doc, root, "price_time", pcs_report_utc_time(price_time_s, when, sizeof when));
    return root;
}

enum pcs_status pcs_report_price_quote_json(FILE *out, const struct pcs_price_quote *quote)
{
    struct report_json json;
    struct report_json *doc = &json;
    cJSON *root = document(doc, quote->catalog, quote->price_time_s);
    const struct pcs_usage *usage = &quote->usage;
    pcs_report_json_add_string(doc, root, "model", quote->model->id);
    pcs_report_json_add_string(doc, root, "provider", quote->model->provider->id);
    pcs_report_json_add_string(doc, root, "tier", pcs_tier_name(quote->tier));
    pcs_report_json_add_number(doc, root, "tier_multiplier", quote->tier_multiplier);
    pcs_report_json_add_number(doc, root, "region_uplift", quote->region_uplift);
    cJSON *counts = pcs_report_json_object(doc, root, "usage");
    pcs_report_json_put(doc, counts, "input", pcs_report_json_integer(usage->input));
    pcs_report_json_put(doc, counts, "cache_read", pcs_report_json_integer(usage->cache_read));
    pcs_report_json_put(doc, counts, "cache_write", pcs_report_json_integer(usage->cache_write));
    pcs_report_json_put(doc, counts, "cache_write_1h", pcs_report_json_integer(usage->cache_write_1h));
    pcs_report_json_put(doc, counts, "output", pcs_report_json_integer(usage->output));
    pcs_report_json_put(doc, counts, "requests", pcs_report_json_integer(usage->requests));
    /* The unit prices this usage pays, after the tier and the uplift. */
    cJSON *units = pcs_report_json_object(doc, root, "unit_prices");
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
        pcs_report_json_add_number(doc, units, pcs_price_key_name((enum pcs_price_key)key), value * multiplier);
    }
    cJSON *parts = pcs_report_json_object(doc, root, "parts");
    pcs_report_json_add_number(doc, parts, "input", quote->cost.uncached);
    pcs_report_json_add_number(doc, parts, "cache_read", quote->cost.cache_read);
    pcs_report_json_add_number(doc, parts, "cache_write", quote->cost.cache_write);
    pcs_report_json_add_number(doc, parts, "cache_write_1h", quote->cost.cache_write_1h);
    pcs_report_json_add_number(doc, parts, "output", quote->cost.output);
    pcs_report_json_add_number(doc, parts, "requests", quote->cost.requests);
    pcs_report_json_add_number(doc, root, "total", quote->cost.total);
    return pcs_report_json_finish(out, doc);
}

static cJSON *model_object(struct report_json *doc, const struct pcs_model *model, double price_time_s)
{
    cJSON *object = cJSON_CreateObject();
    pcs_report_json_add_string(doc, object, "provider", model->provider->id);
    pcs_report_json_add_string(doc, object, "id", model->id);
    pcs_report_json_add_string(doc, object, "name", model->name);
    if (model->context_window)
        pcs_report_json_put(doc, object, "context_window", pcs_report_json_integer(model->context_window));
    pcs_report_json_add_string(doc, object, "cache_preset", model->cache_preset ? model->cache_preset : "none");
    if (model->min_tokens)
        pcs_report_json_put(doc, object, "min_tokens", pcs_report_json_integer(model->min_tokens));
    pcs_report_json_put(doc, object, "prices", price_set_object(doc, pcs_model_prices_at(model, price_time_s), 1.0));
    return object;
}

enum pcs_status pcs_report_price_list_json(FILE *out, const pcs_catalog *catalog, const struct pcs_provider *provider,
                                           double price_time_s)
{
    struct report_json json;
    struct report_json *doc = &json;
    cJSON *root = document(doc, catalog, price_time_s);
    cJSON *models = pcs_report_json_array(doc, root, "models");
    size_t count = pcs_catalog_provider_count(catalog);
    for (size_t p = 0; p < count; p++) {
        const struct pcs_provider *current = pcs_catalog_provider(catalog, p);
        if (provider && current != provider)
            continue;
        for (size_t m = 0; m < current->model_count; m++)
            pcs_report_json_put(doc, models, NULL, model_object(doc, &current->models[m], price_time_s));
    }
    return pcs_report_json_finish(out, doc);
}

enum pcs_status pcs_report_price_model_json(FILE *out, const pcs_catalog *catalog, const struct pcs_model *model,
                                            double price_time_s)
{
    struct report_json json;
    struct report_json *doc = &json;
    cJSON *root = document(doc, catalog, price_time_s);
    cJSON *object = model_object(doc, model, price_time_s);
    const struct pcs_provider *provider = model->provider;
    cJSON *tiers = pcs_report_json_object(doc, object, "tiers");
    for (size_t i = 0; i < provider->tier_count; i++)
        pcs_report_json_add_number(doc, tiers, pcs_tier_name(provider->tiers[i].tier), provider->tiers[i].multiplier);
    pcs_report_json_add_number(doc, object, "region_uplift", provider->region_uplift);
    const struct pcs_cache_rule *rule = pcs_cache_rule_find(model->cache_preset ? model->cache_preset : "none");
    if (rule) {
        cJSON *entry = pcs_report_json_object(doc, object, "cache_rule");
        pcs_report_json_add_string(doc, entry, "preset", rule->name);
        pcs_report_json_add_string(doc, entry, "policy", pcs_policy_name(rule->policy));
        pcs_report_json_put(doc, entry, "ttl_s", pcs_report_json_integer((uint64_t)rule->ttl_s));
        pcs_report_json_put(doc, entry, "min_tokens", pcs_report_json_integer(rule->min_tokens));
        pcs_report_json_put(doc, entry, "granularity", pcs_report_json_integer(rule->granularity));
        pcs_report_json_put(doc, entry, "per_model", cJSON_CreateBool(rule->per_model));
        pcs_report_json_add_string(doc, entry, "source", rule->source);
        pcs_report_json_add_string(doc, entry, "as_of", rule->as_of);
        cJSON *refinements = rule->refinement_count ? pcs_report_json_array(doc, entry, "refinements") : NULL;
        for (size_t i = 0; i < rule->refinement_count; i++) { /* DESIGN §3 "Refinements" */
            const struct pcs_cache_refinement *refinement = &rule->refinements[i];
            cJSON *row = pcs_report_json_object(doc, refinements, NULL);
            pcs_report_json_add_string(doc, row, "parameter", pcs_cache_param_info(refinement->param)->name);
            pcs_report_json_put(doc, row, "value", pcs_report_json_integer(refinement->value));
            pcs_report_json_add_string(doc, row, "source", refinement->source);
            pcs_report_json_add_string(doc, row, "as_of", refinement->as_of);
        }
    }
    const struct pcs_ttl_class *sold[PCS_TTL_CLASSES_MAX];
    size_t sold_count = pcs_ttl_classes_of(model->cache_preset, sold, PCS_TTL_CLASSES_MAX);
    if (sold_count) {
        cJSON *classes = pcs_report_json_array(doc, object, "ttl_classes");
        for (size_t i = 0; i < sold_count && i < PCS_TTL_CLASSES_MAX; i++) {
            cJSON *entry = pcs_report_json_object(doc, classes, NULL);
            pcs_report_json_add_string(doc, entry, "seller", sold[i]->seller);
            if (sold[i]->ttl_s)
                pcs_report_json_put(doc, entry, "ttl_s", pcs_report_json_integer((uint64_t)sold[i]->ttl_s));
            else
                pcs_report_json_put(doc, entry, "ttl_s", cJSON_CreateNull());
            pcs_report_json_add_number(doc, entry, "write_multiplier", sold[i]->write_multiplier);
            pcs_report_json_add_string(doc, entry, "source", sold[i]->source);
            pcs_report_json_add_string(doc, entry, "as_of", sold[i]->as_of);
        }
    }
    cJSON *periods = pcs_report_json_array(doc, object, "price_periods");
    for (size_t i = 0; i < model->period_count; i++) {
        const struct pcs_price_period *period = &model->periods[i];
        cJSON *entry = cJSON_CreateObject();
        char start[40], end[40];
        if (period->constraint == PCS_PRICE_FROM_DATE) {
            pcs_report_utc_time((double)period->start_date_s, start, sizeof start);
            start[10] = '\0';
            pcs_report_json_add_string(doc, entry, "start_date", start);
        } else if (period->constraint == PCS_PRICE_TIME_OF_DAY) {
            pcs_report_json_add_string(doc, entry, "start_time",
                                       pcs_report_utc_time(period->day_start_s, start, sizeof start) + 11);
            pcs_report_json_add_string(doc, entry, "end_time",
                                       pcs_report_utc_time(period->day_end_s, end, sizeof end) + 11);
        }
        pcs_report_json_put(doc, entry, "prices", price_set_object(doc, &period->set, 1.0));
        pcs_report_json_put(doc, periods, NULL, entry);
    }
    pcs_report_json_put(doc, root, "model", object);
    return pcs_report_json_finish(out, doc);
}
