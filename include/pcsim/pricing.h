/* pcsim: the price catalog and the cost of usage (DESIGN §4).
 *
 * A catalog holds providers, each with models, in the order of the
 * @pydantic/genai-prices data it is generated from (tools/update-prices):
 * a model name resolves as that package's calcPrice resolves it. Prices are
 * USD per million tokens (requests_kcount: per thousand requests); a price
 * is a number or a base with long-context tiers selected by the request's
 * whole prompt size; a model may list prices that take effect on a date or
 * apply at a time of day.
 *
 * Cost of usage u at prices P (the package's convention: u.input counts all
 * prompt tokens, u.cache_write all written ones, u.cache_write_1h the part
 * written with a one-hour TTL):
 *
 *   uncached·input_mtok + cache_read·cache_read_mtok
 *     + (cache_write − cache_write_1h)·cache_write_mtok
 *     + cache_write_1h·cache_write_1h_mtok + output·output_mtok    all / 1e6
 *   + requests·requests_kcount / 1e3
 *
 * times the tier multiplier and the regional uplift. A token class whose
 * price is missing is billed in its parent: 1-hour writes at
 * cache_write_mtok, writes and reads at input_mtok.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a loaded
 * catalog is never changed, so any number of threads may read it, resolve
 * names and price usage at once; a ledger is one thread's at a time.
 * Ownership: every provider, model, price and string reached from a
 * catalog lives as long as the catalog (pcs_catalog_free releases them
 * all). Units: prices USD per million tokens (requests: per thousand
 * requests), costs USD, token counts tokens, times Unix seconds (UTC). */
#ifndef PCSIM_PRICING_H
#define PCSIM_PRICING_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/cache.h"
#include "pcsim/request.h"
#include "pcsim/status.h"

enum pcs_price_key {
    PCS_PRICE_INPUT = 0,      /* input_mtok */
    PCS_PRICE_CACHE_READ,     /* cache_read_mtok */
    PCS_PRICE_CACHE_WRITE,    /* cache_write_mtok: 5-minute or default writes */
    PCS_PRICE_CACHE_WRITE_1H, /* cache_write_1h_mtok */
    PCS_PRICE_OUTPUT,         /* output_mtok */
    PCS_PRICE_REQUESTS,       /* requests_kcount */
    PCS_PRICE_KEY_COUNT
};

/* The catalog field name of a key ("input_mtok", ...). */
const char *pcs_price_key_name(enum pcs_price_key key);

struct pcs_price_tier {
    uint64_t start; /* applies when the prompt has more than start tokens */
    double price;   /* USD per unit (the key's: million tokens, thousand requests) */
};

struct pcs_price {
    int set;                            /* 0: the model has no such price */
    double base;                        /* USD per unit below the first tier */
    size_t tier_count;                  /* 0: a flat price */
    const struct pcs_price_tier *tiers; /* ascending start */
};

/* The prices of one model in effect at one time. */
struct pcs_price_set {
    struct pcs_price prices[PCS_PRICE_KEY_COUNT];
};

enum pcs_price_constraint { PCS_PRICE_ALWAYS = 0, PCS_PRICE_FROM_DATE, PCS_PRICE_TIME_OF_DAY };

struct pcs_price_period {
    enum pcs_price_constraint constraint;
    int64_t start_date_s; /* FROM_DATE: in effect from this UTC midnight (Unix seconds) */
    double day_start_s;   /* TIME_OF_DAY: [start, end) in UTC seconds of the day; */
    double day_end_s;     /*   end < start wraps past midnight */
    struct pcs_price_set set;
};

struct pcs_provider;

struct pcs_model {
    const char *id;
    const char *name; /* display name; may equal id */
    const struct pcs_provider *provider;
    uint64_t context_window;  /* 0 when unknown */
    uint64_t min_tokens;      /* shortest cacheable prefix; 0 when unknown */
    const char *cache_preset; /* the cache its provider runs ("openai", ...); NULL: none known */
    size_t period_count;      /* >= 1 */
    const struct pcs_price_period *periods;
};

struct pcs_tier_multiplier {
    enum pcs_tier tier;
    double multiplier;
};

struct pcs_provider {
    const char *id;
    const char *name;
    double region_uplift; /* multiplier for regional processing; 1 when none */
    size_t tier_count;    /* tiers the provider sells; standard among them */
    const struct pcs_tier_multiplier *tiers;
    size_t model_count;
    const struct pcs_model *models;
};

typedef struct pcs_catalog pcs_catalog;

/* Loads a catalog (schema pcsim.catalog.v1) from path (a file, "-", a FIFO
 * or a gzip/zstd file as in pcsim/input.h); NULL on failure with err naming
 * the file and the field ("prices.json: providers[2].models[7].
 * prices.input_mtok: expected a number >= 0"): PCS_ERR_IO, PCS_ERR_PARSE,
 * PCS_ERR_NOMEM. */
pcs_catalog *pcs_catalog_load(const char *path, struct pcs_error *err);

/* The catalog built into the binary (scenarios/prices.json at build time);
 * NULL with err set only if it is broken or memory runs out. */
pcs_catalog *pcs_catalog_load_builtin(struct pcs_error *err);

void pcs_catalog_free(pcs_catalog *catalog); /* NULL is a no-op */

/* Where the catalog came from: "@pydantic/genai-prices 0.1.8, exported
 * 2026-11-23", or the file name when it carries no source stamp. */
const char *pcs_catalog_source(const pcs_catalog *catalog);

size_t pcs_catalog_provider_count(const pcs_catalog *catalog);
const struct pcs_provider *pcs_catalog_provider(const pcs_catalog *catalog, size_t index);
/* The provider with this id (case-insensitive), or NULL. */
const struct pcs_provider *pcs_catalog_find_provider(const pcs_catalog *catalog, const char *id);

/* Resolves a model name as calcPrice does: the provider given by id (or
 * "PROVIDER:model" in name), else the first provider whose model-match rule
 * accepts the name; then its first model whose match rule accepts it, then
 * its fallback providers' models, then the same with a -YYYYMMDD date
 * rewritten as -YYYY-MM-DD. Names compare case-insensitively. provider_id
 * may be NULL. Returns NULL when no model matches. */
const struct pcs_model *pcs_catalog_resolve(const pcs_catalog *catalog, const char *name, const char *provider_id);

/* Fills names[0..n) with the n = min(max, PCS_NEAREST_MAX) distinct model
 * ids nearest to name (edit distance), nearest first; returns n, or fewer
 * when the catalog has fewer ids (the pointers live as long as catalog;
 * names is the caller's array of at least max entries). */
#define PCS_NEAREST_MAX 16
size_t pcs_catalog_nearest(const pcs_catalog *catalog, const char *name, const char **names, size_t max);

/* The prices of model in effect at unix_time_s (the last period whose
 * constraint holds, as calcPrice picks them); never NULL, lives as long as
 * the catalog. */
const struct pcs_price_set *pcs_model_prices_at(const struct pcs_model *model, double unix_time_s);

/* The provider's multiplier for tier; 0 when it does not sell that tier. */
double pcs_provider_tier_multiplier(const struct pcs_provider *provider, enum pcs_tier tier);

/* Long-context pricing depends on a request's whole prompt size. Requests
 * whose sizes select the same tier of every price form one class; this
 * returns the class's smallest prompt size (0 for the base class), so usage
 * can be summed per class and priced once. */
uint64_t pcs_price_class(const struct pcs_price_set *set, uint64_t input_tokens);

/* The class of usage that sums request_count requests assumed equal: each
 * request's prompt is input_tokens / request_count tokens, so a tier
 * applies when that average exceeds its start (not when the sum does).
 * request_count 0 counts as 1. */
uint64_t pcs_price_class_average(const struct pcs_price_set *set, uint64_t input_tokens, uint64_t request_count);

/* A cost and its parts, each in USD. */
struct pcs_cost {
    double uncached;
    double cache_read;
    double cache_write; /* 5-minute or default writes */
    double cache_write_1h;
    double output;
    double requests;
    double total;
};

/* The cost of usage whose requests all fall in price class prompt_class
 * (pcs_price_class of any of them; for one request, its input tokens will
 * do), times multiplier (tier × uplift). Returns PCS_ERR_ARG with err set
 * when the usage is inconsistent (cache_read + cache_write > input,
 * cache_write_1h > cache_write) or multiplier < 0. */
enum pcs_status pcs_price_usage(const struct pcs_price_set *set, const struct pcs_usage *usage, uint64_t prompt_class,
                                double multiplier, struct pcs_cost *cost, struct pcs_error *err);

/* The cache a preset gives one model (DESIGN §3): "auto" takes the
 * model's own preset from the catalog (none when model is NULL, i.e. not
 * in the catalog); anthropic-5m, anthropic-1h, gemini and auto take the
 * model's minimum cacheable prefix when the catalog knows it. Other
 * presets ignore the model. PCS_ERR_ARG for an unknown preset. */
enum pcs_status pcs_model_cache_config(const char *preset, const struct pcs_model *model,
                                       struct pcs_cache_config *config);

/* 1 if the preset's parameters depend on the model (auto, anthropic-*,
 * gemini). */
int pcs_preset_is_per_model(const char *preset);

/* Usage summed per (model, tier, price class, kind), to be priced once per
 * sum: totals stay exact and fast (DESIGN §4). model and kind are the
 * caller's small integers (a trace's model id; e.g. failed or not). A
 * ledger is changed by every add: one thread uses it at a time. */
struct pcs_ledger_entry {
    uint32_t model;
    uint32_t kind;
    enum pcs_tier tier;
    uint64_t prompt_class;
    struct pcs_usage usage;
};

typedef struct pcs_ledger pcs_ledger;

/* An empty ledger; NULL with err filled (PCS_ERR_NOMEM) when out of memory. */
pcs_ledger *pcs_ledger_new(struct pcs_error *err);
void pcs_ledger_free(pcs_ledger *ledger); /* NULL is a no-op */

/* Adds usage to its entry (made on first use). PCS_ERR_NOMEM. */
enum pcs_status pcs_ledger_add(pcs_ledger *ledger, uint32_t model, uint32_t kind, enum pcs_tier tier,
                               uint64_t prompt_class, const struct pcs_usage *usage);

/* The entries, in the order they were first added; an entry lives until the
 * next add (the table may move) or pcs_ledger_free. NULL past the end. */
size_t pcs_ledger_count(const pcs_ledger *ledger);
const struct pcs_ledger_entry *pcs_ledger_entry(const pcs_ledger *ledger, size_t index);

/* Parses a UTC date or time into Unix seconds: "2026-11-23" (noon UTC that
 * day), "2026-11-23T08:30:00Z" or "now" (the only input that reads the
 * clock). PCS_ERR_ARG with err filled for anything else. */
enum pcs_status pcs_parse_price_time(const char *text, double *unix_time_s, struct pcs_error *err);

#endif
