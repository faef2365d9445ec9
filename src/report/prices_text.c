/* 'pcsim prices' output for people: a priced usage, the model list, one
 * model. */
#include <string.h>

#include "report_util.h"
#include "ttl_sale.h"

static const char *const price_labels[PCS_PRICE_KEY_COUNT] = {"input",          "cache_read", "cache_write",
                                                              "cache_write_1h", "output",     "requests"};

/* The billed count of each key, as pcs_price_usage splits the usage. */
static void billed_counts(const struct pcs_price_set *set, const struct pcs_usage *usage,
                          uint64_t counts[PCS_PRICE_KEY_COUNT])
{
    const struct pcs_price *prices = set->prices;
    counts[PCS_PRICE_CACHE_WRITE_1H] = prices[PCS_PRICE_CACHE_WRITE_1H].set ? usage->cache_write_1h : 0;
    counts[PCS_PRICE_CACHE_WRITE] =
        prices[PCS_PRICE_CACHE_WRITE].set ? usage->cache_write - counts[PCS_PRICE_CACHE_WRITE_1H] : 0;
    counts[PCS_PRICE_CACHE_READ] = prices[PCS_PRICE_CACHE_READ].set ? usage->cache_read : 0;
    counts[PCS_PRICE_INPUT] =
        usage->input - counts[PCS_PRICE_CACHE_READ] - counts[PCS_PRICE_CACHE_WRITE] - counts[PCS_PRICE_CACHE_WRITE_1H];
    counts[PCS_PRICE_OUTPUT] = usage->output;
    counts[PCS_PRICE_REQUESTS] = usage->requests;
}

enum pcs_status pcs_report_price_quote_text(FILE *out, const struct pcs_price_quote *quote)
{
    const struct pcs_model *model = quote->model;
    double multiplier = quote->tier_multiplier * quote->region_uplift;
    uint64_t prompt_class = quote->prompt_class;
    char when[40], usd[48], count[32], price[160];
    fprintf(out, "%s (%s), prices of %s\n", model->id, model->provider->name,
            pcs_report_utc_time(quote->price_time_s, when, sizeof when));
    fprintf(out, "tier %s x%g, regional uplift x%g; catalog: %s\n\n", pcs_tier_name(quote->tier),
            quote->tier_multiplier, quote->region_uplift, pcs_catalog_source(quote->catalog));
    const double parts[PCS_PRICE_KEY_COUNT] = {quote->cost.uncached,    quote->cost.cache_read,
                                               quote->cost.cache_write, quote->cost.cache_write_1h,
                                               quote->cost.output,      quote->cost.requests};
    uint64_t counts[PCS_PRICE_KEY_COUNT];
    billed_counts(quote->set, &quote->usage, counts);
    /* One precision for the USD column, the total included. */
    struct report_money money = pcs_report_money_of(parts, PCS_PRICE_KEY_COUNT);
    pcs_report_money_add(&money, quote->cost.total);
    fprintf(out, "%-16s %16s %22s %16s\n", "", "count", "USD per M (K req)", "USD");
    for (int key = 0; key < PCS_PRICE_KEY_COUNT; key++) {
        const struct pcs_price *unit = &quote->set->prices[key];
        if (!unit->set && (counts[key] == 0 || key == PCS_PRICE_REQUESTS))
            continue;
        struct pcs_price applied = *unit;
        /* Show the one tier this usage pays, not the whole ladder. */
        if (unit->set) {
            for (size_t i = 0; i < unit->tier_count; i++)
                if (prompt_class > unit->tiers[i].start)
                    applied.base = unit->tiers[i].price;
            applied.tier_count = 0;
        }
        char label[40];
        snprintf(label, sizeof label, "%s%s", price_labels[key], unit->set ? "" : " (no price)");
        fprintf(out, "%-16s %16s %22s %16s\n", label, pcs_report_grouped(counts[key], count, sizeof count),
                pcs_report_price(&applied, multiplier, price, sizeof price),
                pcs_report_money_text(&money, parts[key], usd, sizeof usd));
    }
    fprintf(out, "%-16s %16s %22s %16s\n", "total", "", "",
            pcs_report_money_text(&money, quote->cost.total, usd, sizeof usd));
    if (quote->usage.cache_read + quote->usage.cache_write >
        counts[PCS_PRICE_CACHE_READ] + counts[PCS_PRICE_CACHE_WRITE] + counts[PCS_PRICE_CACHE_WRITE_1H])
        fprintf(out, "\nnote: cache tokens without a price of their own are billed at the input price\n");
    if (quote->usage.input && prompt_class)
        fprintf(out, "\nlong-context prices: %s has more than %llu %s\n",
                quote->usage.requests > 1 ? "each request's prompt (input / requests, assuming equal requests)"
                                          : "the prompt",
                (unsigned long long)(prompt_class - 1), pcs_report_noun(prompt_class - 1, "token", "tokens"));
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

enum pcs_status pcs_report_price_list_text(FILE *out, const pcs_catalog *catalog, const struct pcs_provider *provider,
                                           double price_time_s)
{
    char when[40];
    fprintf(out, "USD per million tokens at %s; catalog: %s\n", pcs_report_utc_time(price_time_s, when, sizeof when),
            pcs_catalog_source(catalog));
    fprintf(out, "(a / b above N: long-context price for prompts of more than N tokens; -: no such price)\n\n");
    fprintf(out, "%-16s %-44s %-14s %8s %12s %12s %12s %12s %12s\n", "provider", "model", "cache", "min", "input",
            "cache_read", "cache_write", "write_1h", "output");
    size_t count = pcs_catalog_provider_count(catalog);
    for (size_t p = 0; p < count; p++) {
        const struct pcs_provider *current = pcs_catalog_provider(catalog, p);
        if (provider && current != provider)
            continue;
        for (size_t m = 0; m < current->model_count; m++) {
            const struct pcs_model *model = &current->models[m];
            const struct pcs_price_set *set = pcs_model_prices_at(model, price_time_s);
            char prices[5][160], min[24];
            for (int key = 0; key <= PCS_PRICE_OUTPUT; key++)
                pcs_report_price(&set->prices[key], 1.0, prices[key], sizeof prices[key]);
            snprintf(min, sizeof min, "%llu", (unsigned long long)model->min_tokens);
            fprintf(out, "%-16s %-44s %-14s %8s %12s %12s %12s %12s %12s\n", current->id, model->id,
                    model->cache_preset ? model->cache_preset : "-", model->min_tokens ? min : "-",
                    prices[PCS_PRICE_INPUT], prices[PCS_PRICE_CACHE_READ], prices[PCS_PRICE_CACHE_WRITE],
                    prices[PCS_PRICE_CACHE_WRITE_1H], prices[PCS_PRICE_OUTPUT]);
        }
    }
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}

static void print_price_set(FILE *out, const struct pcs_price_set *set)
{
    char price[200];
    for (int key = 0; key < PCS_PRICE_KEY_COUNT; key++)
        if (set->prices[key].set)
            fprintf(out, "    %-20s %s\n", pcs_price_key_name((enum pcs_price_key)key),
                    pcs_report_price(&set->prices[key], 1.0, price, sizeof price));
}

enum pcs_status pcs_report_price_model_text(FILE *out, const pcs_catalog *catalog, const struct pcs_model *model,
                                            double price_time_s)
{
    const struct pcs_provider *provider = model->provider;
    char when[40], window[32];
    fprintf(out, "%s: %s\n", model->id, model->name);
    fprintf(out, "  provider        %s (%s)\n", provider->id, provider->name);
    snprintf(window, sizeof window, "%llu %s", (unsigned long long)model->context_window,
             pcs_report_noun(model->context_window, "token", "tokens"));
    fprintf(out, "  context window  %s\n", model->context_window ? window : "unknown");
    fprintf(out, "  cache preset    %s\n", model->cache_preset ? model->cache_preset : "none");
    snprintf(window, sizeof window, "%llu %s", (unsigned long long)model->min_tokens,
             pcs_report_noun(model->min_tokens, "token", "tokens"));
    fprintf(out, "  min prefix      %s\n", model->min_tokens ? window : "-");
    /* The preset's row of the rules file, with its source and date. */
    const struct pcs_cache_rule *rule = pcs_cache_rule_find(model->cache_preset ? model->cache_preset : "none");
    if (rule) {
        fprintf(out, "  cache rule      %s policy, idle TTL %lld s, ", pcs_policy_name(rule->policy),
                (long long)rule->ttl_s);
        if (rule->per_model)
            fprintf(out, "min prefix the model's, ");
        else
            fprintf(out, "min prefix %llu, ", (unsigned long long)rule->min_tokens);
        fprintf(out, "granularity %llu\n", (unsigned long long)rule->granularity);
        fprintf(out, "  rule source     %s (as of %s)\n", rule->source, rule->as_of);
        for (size_t i = 0; i < rule->refinement_count; i++) { /* DESIGN §3 "Refinements" */
            const struct pcs_cache_refinement *refinement = &rule->refinements[i];
            fprintf(out, "  refinement      %s %llu: %s (as of %s)\n", pcs_cache_param_info(refinement->param)->name,
                    (unsigned long long)refinement->value, refinement->source, refinement->as_of);
        }
    }
    /* The TTL classes the preset's provider sells, each with its source. */
    const struct pcs_ttl_class *sold[PCS_TTL_CLASSES_MAX];
    size_t sold_count = pcs_ttl_classes_of(model->cache_preset, sold, PCS_TTL_CLASSES_MAX);
    for (size_t i = 0; i < sold_count && i < PCS_TTL_CLASSES_MAX; i++) {
        char ttl[32], writes[48];
        if (sold[i]->write_multiplier > 0)
            snprintf(writes, sizeof writes, "writes %gx input", sold[i]->write_multiplier);
        else
            snprintf(writes, sizeof writes, "writes free");
        fprintf(out, "  TTL sold        %s, %s (%s): %s (as of %s)\n",
                pcs_report_class_ttl(sold[i]->ttl_s, ttl, sizeof ttl), writes, sold[i]->seller, sold[i]->source,
                sold[i]->as_of);
    }
    fprintf(out, "  tiers          ");
    for (size_t i = 0; i < provider->tier_count; i++)
        fprintf(out, " %s x%g", pcs_tier_name(provider->tiers[i].tier), provider->tiers[i].multiplier);
    fprintf(out, "\n  regional uplift x%g\n", provider->region_uplift);
    const struct pcs_price_set *current = pcs_model_prices_at(model, price_time_s);
    fprintf(out, "\nUSD per million tokens (requests_kcount: per thousand requests) at %s:\n",
            pcs_report_utc_time(price_time_s, when, sizeof when));
    print_price_set(out, current);
    if (model->period_count > 1) {
        fprintf(out, "\nAll prices (the last that applies wins):\n");
        for (size_t i = 0; i < model->period_count; i++) {
            const struct pcs_price_period *period = &model->periods[i];
            char start[40], end[40];
            if (period->constraint == PCS_PRICE_FROM_DATE)
                fprintf(out, "  from %.10s:\n", pcs_report_utc_time((double)period->start_date_s, start, sizeof start));
            else if (period->constraint == PCS_PRICE_TIME_OF_DAY)
                fprintf(out, "  daily %s to %s:\n", pcs_report_utc_time(period->day_start_s, start, sizeof start) + 11,
                        pcs_report_utc_time(period->day_end_s, end, sizeof end) + 11);
            else
                fprintf(out, "  otherwise:\n");
            print_price_set(out, &period->set);
        }
    }
    fprintf(out, "\ncatalog: %s\n", pcs_catalog_source(catalog));
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
