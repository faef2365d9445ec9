/* libFuzzer harness for the price catalog loader (pcsim/pricing.h): the
 * input is the catalog's JSON text, parsed by pcs_catalog_parse as
 * pcs_catalog_load would after reading a file.
 *
 * Whatever the bytes, the loader must either fail with a message that
 * starts with the file's name or give a catalog that keeps the header's
 * promises: names set, at least one price period per model, tiers in
 * ascending order, a standard tier for every provider, non-negative finite
 * prices, and presets that make a cache. Resolving names gives NULL or a
 * model of this catalog; pricing a consistent usage succeeds with
 * non-negative parts, an inconsistent one fails with a message. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "pcsim/cache.h"
#include "pcsim/pricing.h"
#include "pricing/pricing_internal.h"

#define CATALOG_NAME "fuzz-catalog.json"
/* Resolutions per input stay few: each may run every provider's regex up to
 * PCS_REGEX_MAX_STEPS (regex.h), by design, and a timeout would stop the run. */
#define MODELS_RESOLVED 4 /* of the catalog's own ids, each with and without its provider */
#define MODELS_PRICED 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if model is one of catalog's models. */
static int in_catalog(const pcs_catalog *catalog, const struct pcs_model *model)
{
    for (size_t p = 0; p < pcs_catalog_provider_count(catalog); p++) {
        const struct pcs_provider *provider = pcs_catalog_provider(catalog, p);
        if (model >= provider->models && model < provider->models + provider->model_count)
            return model->provider == provider;
    }
    return 0;
}

static void check_price(const struct pcs_price *price)
{
    if (!price->set) {
        FUZZ_CHECK(price->tier_count == 0);
        return;
    }
    FUZZ_CHECK(isfinite(price->base) && price->base >= 0);
    FUZZ_CHECK(price->tier_count == 0 || price->tiers != NULL);
    for (size_t i = 0; i < price->tier_count; i++) {
        FUZZ_CHECK(isfinite(price->tiers[i].price) && price->tiers[i].price >= 0);
        if (i > 0)
            FUZZ_CHECK(price->tiers[i].start >= price->tiers[i - 1].start);
    }
}

static void check_model(const struct pcs_provider *provider, const struct pcs_model *model)
{
    FUZZ_CHECK(model->id != NULL && model->id[0] != '\0');
    FUZZ_CHECK(model->name != NULL && model->name[0] != '\0');
    FUZZ_CHECK(model->provider == provider);
    FUZZ_CHECK(model->min_tokens <= PCS_MAX_REQUEST_TOKENS);
    FUZZ_CHECK(model->period_count >= 1 && model->periods != NULL);
    for (size_t i = 0; i < model->period_count; i++) {
        const struct pcs_price_period *period = &model->periods[i];
        FUZZ_CHECK(period->constraint <= PCS_PRICE_TIME_OF_DAY);
        if (period->constraint == PCS_PRICE_TIME_OF_DAY)
            FUZZ_CHECK(period->day_start_s >= 0 && period->day_start_s < 86400 && period->day_end_s >= 0 &&
                       period->day_end_s <= 86400);
        for (int key = 0; key < PCS_PRICE_KEY_COUNT; key++)
            check_price(&period->set.prices[key]);
        const struct pcs_price_set *set = &period->set;
        if (set->prices[PCS_PRICE_CACHE_WRITE_1H].set)
            FUZZ_CHECK(set->prices[PCS_PRICE_CACHE_WRITE].set);
    }
    /* The model's own cache (its preset, min_tokens) must be one a replay can make. */
    struct pcs_cache_config config;
    FUZZ_CHECK(pcs_model_cache_config("auto", model, &config) == PCS_OK);
    FUZZ_CHECK(pcs_cache_config_check(&config, NULL) == PCS_OK);
}

static void check_provider(const pcs_catalog *catalog, const struct pcs_provider *provider)
{
    FUZZ_CHECK(provider->id != NULL && provider->id[0] != '\0');
    FUZZ_CHECK(provider->name != NULL && provider->name[0] != '\0');
    FUZZ_CHECK(isfinite(provider->region_uplift) && provider->region_uplift >= 0);
    FUZZ_CHECK(pcs_catalog_find_provider(catalog, provider->id) != NULL);
    int standard = 0;
    for (size_t i = 0; i < provider->tier_count; i++) {
        FUZZ_CHECK(provider->tiers[i].tier <= PCS_TIER_PRIORITY);
        FUZZ_CHECK(isfinite(provider->tiers[i].multiplier) && provider->tiers[i].multiplier >= 0);
        standard |= provider->tiers[i].tier == PCS_TIER_STANDARD;
    }
    FUZZ_CHECK(standard);
    FUZZ_CHECK(provider->model_count == 0 || provider->models != NULL);
    for (size_t m = 0; m < provider->model_count; m++)
        check_model(provider, &provider->models[m]);
}

static void check_cost(const struct pcs_cost *cost)
{
    const double parts[] = {cost->uncached, cost->cache_read, cost->cache_write, cost->cache_write_1h,
                            cost->output,   cost->requests,   cost->total};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        FUZZ_CHECK(!isnan(parts[i]) && parts[i] >= 0);
}

/* Prices a usage at a few times: the chosen set is one of the model's. */
static void price_model(const struct pcs_model *model)
{
    static const double times_s[] = {0, 1.7e9, 1.7e9 + 13 * 3600.5, 4.1e9, -86400.25};
    struct pcs_usage usage = {1, 300000, 120000, 50000, 20000, 4000};
    const struct pcs_provider *provider = model->provider;
    for (size_t t = 0; t < sizeof times_s / sizeof times_s[0]; t++) {
        const struct pcs_price_set *set = pcs_model_prices_at(model, times_s[t]);
        int known = 0;
        for (size_t i = 0; i < model->period_count; i++)
            known |= set == &model->periods[i].set;
        FUZZ_CHECK(known);
        uint64_t prompt_class = pcs_price_class(set, usage.input);
        FUZZ_CHECK(prompt_class <= usage.input);
        FUZZ_CHECK(pcs_price_class(set, prompt_class) == prompt_class);
        double multiplier = pcs_provider_tier_multiplier(provider, PCS_TIER_STANDARD) * provider->region_uplift;
        struct pcs_cost cost;
        struct pcs_error err;
        err.message[0] = '\0';
        FUZZ_CHECK(pcs_price_usage(set, &usage, prompt_class, multiplier, &cost, &err) == PCS_OK);
        check_cost(&cost);
        struct pcs_usage bad = usage;
        bad.cache_write_1h = bad.cache_write + 1;
        FUZZ_CHECK(pcs_price_usage(set, &bad, prompt_class, multiplier, &cost, &err) == PCS_ERR_ARG);
        fuzz_check_error(&err, NULL);
        err.message[0] = '\0';
        FUZZ_CHECK(pcs_price_usage(set, &usage, prompt_class, -1.0, &cost, &err) == PCS_ERR_ARG);
        fuzz_check_error(&err, NULL);
    }
}

static void resolve_and_price(const pcs_catalog *catalog, const char *name, const char *provider_id)
{
    const struct pcs_model *model = pcs_catalog_resolve(catalog, name, provider_id);
    if (!model)
        return;
    FUZZ_CHECK(in_catalog(catalog, model));
    price_model(model);
}

static void check_nearest(const pcs_catalog *catalog, const char *name, size_t model_total)
{
    const char *names[PCS_NEAREST_MAX];
    size_t n = pcs_catalog_nearest(catalog, name, names, PCS_NEAREST_MAX);
    FUZZ_CHECK(n <= PCS_NEAREST_MAX && n <= model_total);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(names[i] != NULL);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(names[i], names[j]) != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader reads text[size], which must be the NUL. */
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    struct pcs_error err;
    err.message[0] = '\0';
    pcs_catalog *catalog = pcs_catalog_parse(text, size, CATALOG_NAME, &err);
    free(text);
    if (!catalog) {
        fuzz_check_error(&err, NULL);
        FUZZ_CHECK(strncmp(err.message, CATALOG_NAME, strlen(CATALOG_NAME)) == 0);
        return 0;
    }

    FUZZ_CHECK(pcs_catalog_source(catalog) != NULL && pcs_catalog_source(catalog)[0] != '\0');
    size_t provider_count = pcs_catalog_provider_count(catalog);
    FUZZ_CHECK(provider_count >= 1);
    FUZZ_CHECK(pcs_catalog_provider(catalog, provider_count) == NULL);
    size_t model_total = 0;
    for (size_t p = 0; p < provider_count; p++) {
        const struct pcs_provider *provider = pcs_catalog_provider(catalog, p);
        FUZZ_CHECK(provider != NULL);
        check_provider(catalog, provider);
        model_total += provider->model_count;
    }

    static const char *const names[] = {"GPT-4o-Mini",
                                        "openai:gpt-4.1",
                                        "claude-3-5-sonnet-20241022",
                                        "",
                                        "x:",
                                        "a-long-model-name-with-a-date-20250101-v2"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        resolve_and_price(catalog, names[i], NULL);
    resolve_and_price(catalog, "gpt-4o", pcs_catalog_provider(catalog, 0)->id);
    FUZZ_CHECK(pcs_catalog_resolve(catalog, "gpt-4o", "no-such-provider") == NULL);

    size_t resolved = 0;
    size_t priced = 0;
    for (size_t p = 0; p < provider_count; p++) {
        const struct pcs_provider *provider = pcs_catalog_provider(catalog, p);
        for (size_t m = 0; m < provider->model_count; m++) {
            const struct pcs_model *model = &provider->models[m];
            if (resolved < MODELS_RESOLVED) {
                resolve_and_price(catalog, model->id, NULL);
                resolve_and_price(catalog, model->id, provider->id);
                resolved++;
            }
            if (priced < MODELS_PRICED) {
                price_model(model);
                priced++;
            }
        }
    }
    check_nearest(catalog, "gpt-4o-mini", model_total);
    check_nearest(catalog, "", model_total);
    pcs_catalog_free(catalog);
    return 0;
}
