/* Pricing (src/pricing) and the replay coster (src/sim/replay_cost.c):
 * catalog loading and its errors, name resolution, prices in effect, price
 * classes, the cost of usage, tier multipliers, per-model caches, the
 * ledger, price times, and the dollars of a tiny native trace. Every
 * expected figure is worked out by hand in the comment beside it, from
 * tests/data/prices/catalog.json and tests/data/prices/unit/. argv[1] is the
 * tests/data directory. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "pcsim/pricing.h"
#include "pcsim/replay_cost.h"
#include "pcsim/trace.h"

static const char *data_dir;

/* Unix seconds of some UTC midnights: days since 1970-01-01 × 86400. */
#define JUN_01_2026 1780272000.0 /* (56·365 + 14 leap days + 151) = 20605 days */
#define JUL_01_2026 1782864000.0 /* 20454 + 181 = 20635 days */
#define JUL_02_2026 1782950400.0 /* 20636 days */
#define NOV_23_2026 1795392000.0 /* 20454 + 304 + 22 = 20780 days */

static const char *data_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, 512, "%s/%s", data_dir, name);
    return path;
}

/* Dollars agree within 1e-12 relative (an expected 0 must be exactly 0). */
#define CHECK_USD(actual, expected) check_usd(__LINE__, #actual, (actual), (expected))

static void check_usd(int line, const char *what, double actual, double expected)
{
    if (fabs(actual - expected) <= 1e-12 * fabs(expected)) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: %s is %.17g, expected %.17g\n", __FILE__, line, what, actual, expected);
    }
}

/* Strings equal; NULL reads as "(null)". */
#define CHECK_STR(actual, expected) check_str(__LINE__, #actual, (actual), (expected))

static void check_str(int line, const char *what, const char *actual, const char *expected)
{
    const char *a = actual ? actual : "(null)";
    const char *e = expected ? expected : "(null)";
    if (strcmp(a, e) == 0) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, line, what, a, e);
    }
}

static pcs_catalog *load_or_exit(const char *name)
{
    struct pcs_error err = {0};
    pcs_catalog *catalog = pcs_catalog_load(data_path(name), &err);
    if (!catalog) {
        fprintf(stderr, "cannot load %s: %s\n", name, err.message);
        exit(1);
    }
    return catalog;
}

/* The id a name resolves to, or NULL. */
static const char *resolved(const pcs_catalog *catalog, const char *name, const char *provider_id)
{
    const struct pcs_model *model = pcs_catalog_resolve(catalog, name, provider_id);
    return model ? model->id : NULL;
}

static const struct pcs_model *model_or_exit(const pcs_catalog *catalog, const char *id)
{
    const struct pcs_model *model = pcs_catalog_resolve(catalog, id, NULL);
    if (!model) {
        const struct pcs_provider *provider = pcs_catalog_find_provider(catalog, "batchonly");
        for (size_t i = 0; provider && i < provider->model_count; i++)
            if (strcmp(provider->models[i].id, id) == 0)
                model = &provider->models[i];
    }
    if (!model) {
        fprintf(stderr, "model %s is not in the catalog\n", id);
        exit(1);
    }
    return model;
}

/* The input_mtok base price in effect for model at t. */
static double input_price_at(const struct pcs_model *model, double t)
{
    return pcs_model_prices_at(model, t)->prices[PCS_PRICE_INPUT].base;
}

static struct pcs_usage usage_of(uint64_t requests, uint64_t input, uint64_t cache_read, uint64_t cache_write,
                                 uint64_t cache_write_1h, uint64_t output)
{
    struct pcs_usage usage = {requests, input, cache_read, cache_write, cache_write_1h, output};
    return usage;
}

/* ------------------------------------------------------------------ loading */

static void test_load(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    /* acme, cachers, router */
    CHECK_U64(pcs_catalog_provider_count(catalog), 3);
    CHECK_STR(pcs_catalog_provider(catalog, 0)->id, "acme");
    CHECK_STR(pcs_catalog_provider(catalog, 1)->id, "cachers");
    CHECK_STR(pcs_catalog_provider(catalog, 2)->id, "router");
    CHECK(pcs_catalog_provider(catalog, 3) == NULL);
    /* acme: small, large, mini, 2025-06-01, long, dated; cachers: 3; router: 1 */
    CHECK_U64(pcs_catalog_provider(catalog, 0)->model_count, 6);
    CHECK_U64(pcs_catalog_provider(catalog, 1)->model_count, 3);
    CHECK_U64(pcs_catalog_provider(catalog, 2)->model_count, 1);
    /* package + ", exported " + exported; no version. */
    CHECK_STR(pcs_catalog_source(catalog), "hand-written test catalog, exported 2026-11-23");

    const struct pcs_provider *acme = pcs_catalog_find_provider(catalog, "ACME");
    CHECK(acme == pcs_catalog_provider(catalog, 0));
    CHECK(pcs_catalog_find_provider(catalog, "Router") == pcs_catalog_provider(catalog, 2));
    CHECK(pcs_catalog_find_provider(catalog, "acm") == NULL);
    CHECK(pcs_catalog_find_provider(catalog, "acme-x") == NULL);
    CHECK(pcs_catalog_find_provider(catalog, "") == NULL);
    if (acme) {
        CHECK_STR(acme->name, "Acme AI");
        CHECK_USD(acme->region_uplift, 1.1);
        CHECK_STR(acme->models[0].id, "acme-small");
        CHECK(acme->models[0].provider == acme);
        CHECK_STR(acme->models[0].name, "acme-small"); /* no name: the id */
        CHECK_STR(acme->models[0].cache_preset, "openai");
        CHECK_U64(acme->models[0].min_tokens, 1024);
        CHECK_U64(acme->models[0].period_count, 1);
        CHECK_U64(acme->models[4].context_window, 1000000); /* acme-long */
        CHECK_U64(acme->models[5].period_count, 3);         /* acme-dated */
        CHECK(acme->models[5].periods[1].constraint == PCS_PRICE_FROM_DATE);
        CHECK(acme->models[5].periods[1].start_date_s == (int64_t)JUL_01_2026);
        CHECK(acme->models[5].periods[2].constraint == PCS_PRICE_TIME_OF_DAY);
        CHECK_USD(acme->models[5].periods[2].day_start_s, 59400); /* 16:30 = 16·3600 + 30·60 */
        CHECK_USD(acme->models[5].periods[2].day_end_s, 1800);    /* 00:30 */
    }
    const struct pcs_provider *cachers = pcs_catalog_find_provider(catalog, "cachers");
    if (cachers) {
        CHECK_USD(cachers->region_uplift, 1); /* absent: 1 */
        CHECK(cachers->models[0].periods[0].set.prices[PCS_PRICE_CACHE_WRITE_1H].set);
        CHECK(!cachers->models[1].periods[0].set.prices[PCS_PRICE_CACHE_WRITE].set);
        CHECK(!cachers->models[2].periods[0].set.prices[PCS_PRICE_CACHE_READ].set);
    }
    CHECK_STR(pcs_price_key_name(PCS_PRICE_INPUT), "input_mtok");
    CHECK_STR(pcs_price_key_name(PCS_PRICE_CACHE_WRITE_1H), "cache_write_1h_mtok");
    CHECK_STR(pcs_price_key_name(PCS_PRICE_REQUESTS), "requests_kcount");
    pcs_catalog_free(catalog);
    pcs_catalog_free(NULL);

    /* A catalog without a source stamp is named by its file. */
    catalog = load_or_exit("prices/unit/extra.json");
    CHECK_STR(pcs_catalog_source(catalog), data_path("prices/unit/extra.json"));
    const struct pcs_provider *batchonly = pcs_catalog_provider(catalog, 0);
    CHECK_STR(batchonly->name, "batchonly"); /* no name: the id */
    /* Tiers of multi-tier's input are sorted ascending: 100000 then 500000. */
    const struct pcs_price *input = &batchonly->models[3].periods[0].set.prices[PCS_PRICE_INPUT];
    CHECK_U64(input->tier_count, 2);
    CHECK_U64(input->tiers[0].start, 100000);
    CHECK_U64(input->tiers[1].start, 500000);
    pcs_catalog_free(catalog);
}

static void test_load_missing_file(void)
{
    struct pcs_error err = {0};
    const char *path = data_path("prices/no_such_catalog.json");
    CHECK(pcs_catalog_load(path, &err) == NULL);
    /* The status comes in err, and the message says where and why. */
    CHECK(err.status == PCS_ERR_IO);
    CHECK_CONTAINS(err.message, path);
    CHECK_CONTAINS(err.message, "cannot open");
}

struct bad_case {
    const char *file;
    const char *fragment; /* besides the file name */
};

static void test_load_bad(void)
{
    static const struct bad_case cases[] = {
        {"bad_date.json", "providers[0].models[0].prices[0].constraint.start_date"},
        {"bad_regex.json", "providers[0].models[0].match.regex"},
        {"duplicate_key_nested.json",
         "duplicate_key_nested.json: providers[0].models[1].prices.input_mtok: given twice"},
        {"duplicate_key_top.json", "duplicate_key_top.json: providers: given twice"},
        {"duplicate_provider.json", "providers[1].id"},
        {"empty.json", "empty"},
        {"fractional_tier_start.json", "providers[0].models[0].prices.input_mtok.tiers[0].start"},
        {"malformed.json", "malformed.json:3:"}, /* the '}' closing an array on line 3 */
        {"negative_price.json", "providers[0].models[0].prices.input_mtok: expected a number >= 0"},
        {"trailing_garbage.json", "malformed JSON"},
        {"unknown_fallback.json", "providers[0].fallback_model_providers[0]"},
        {"unknown_preset.json", "providers[0].models[0].cache_preset"},
        {"unknown_price_key.json", "providers[0].models[0].prices.inptu_mtok"},
        {"unknown_tier.json", "providers[0].tiers.turbo"},
        {"write_1h_alone.json", "providers[0].models[0].prices: cache_write_1h_mtok needs cache_write_mtok"},
        {"wrong_schema.json", "schema"},
    };
    size_t case_count = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < case_count; i++) {
        char name[128];
        struct pcs_error err = {0};
        snprintf(name, sizeof name, "prices/bad/%s", cases[i].file);
        pcs_catalog *catalog = pcs_catalog_load(data_path(name), &err);
        CHECK(catalog == NULL);
        pcs_catalog_free(catalog);
        CHECK_CONTAINS(err.message, cases[i].file);
        CHECK_CONTAINS(err.message, cases[i].fragment);
    }
    /* Every file of the directory is one of the cases above. */
    DIR *dir = opendir(data_path("prices/bad"));
    CHECK(dir != NULL);
    size_t files = 0;
    for (struct dirent *entry = dir ? readdir(dir) : NULL; entry; entry = readdir(dir)) {
        if (entry->d_name[0] == '.')
            continue;
        files++;
        int listed = 0;
        for (size_t i = 0; i < case_count; i++)
            listed |= strcmp(entry->d_name, cases[i].file) == 0;
        if (!listed)
            fprintf(stderr, "prices/bad/%s has no case in test_load_bad\n", entry->d_name);
        CHECK(listed);
    }
    if (dir)
        closedir(dir);
    CHECK_U64(files, case_count);
}

static void test_builtin(void)
{
    struct pcs_error err = {0};
    pcs_catalog *catalog = pcs_catalog_load_builtin(&err);
    CHECK(catalog != NULL);
    if (!catalog) {
        fprintf(stderr, "built-in catalog: %s\n", err.message);
        return;
    }
    CHECK(pcs_catalog_provider_count(catalog) > 20);
    CHECK_CONTAINS(pcs_catalog_source(catalog), "@pydantic/genai-prices");
    /* anthropic's claude-opus-4-5 matches starts_with "claude-opus-4-5". */
    CHECK_STR(resolved(catalog, "claude-opus-4-5-20251101", NULL), "claude-opus-4-5");
    const struct pcs_model *mini = pcs_catalog_resolve(catalog, "gpt-4o-mini", NULL);
    CHECK(mini != NULL);
    if (mini) {
        CHECK_STR(mini->id, "gpt-4o-mini");
        CHECK_STR(mini->provider->id, "openai");
    }
    /* gpt-4o-mini is listed by several providers: suggested once. */
    const char *names[8];
    size_t count = pcs_catalog_nearest(catalog, "gpt-4o-mni", names, 8);
    CHECK_U64(count, 8);
    CHECK_STR(count ? names[0] : NULL, "gpt-4o-mini"); /* one insertion */
    for (size_t i = 0; i < count; i++)
        for (size_t j = i + 1; j < count; j++)
            CHECK(strcmp(names[i], names[j]) != 0);
    /* The header caps max at PCS_NEAREST_MAX (16). */
    const char *many[20];
    CHECK_U64(pcs_catalog_nearest(catalog, "gpt-4o-mni", many, 20), PCS_NEAREST_MAX);
    pcs_catalog_free(catalog);
}

/* --------------------------------------------------------------- resolution */

static void test_resolve(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    /* Exact ids, through the provider whose model_match accepts them. */
    CHECK_STR(resolved(catalog, "acme-small", NULL), "acme-small");
    CHECK_STR(resolved(catalog, "acme-large", NULL), "acme-large");
    CHECK_STR(resolved(catalog, "acme-long", NULL), "acme-long");
    CHECK_STR(resolved(catalog, "cacher-writes", NULL), "cacher-writes"); /* contains "cacher" */
    CHECK_STR(resolved(catalog, "cacher-plain", NULL), "cacher-plain");
    const struct pcs_model *writes = pcs_catalog_resolve(catalog, "cacher-writes", NULL);
    CHECK(writes && strcmp(writes->provider->id, "cachers") == 0);
    /* Case and surrounding white space do not matter. */
    CHECK_STR(resolved(catalog, "ACME-Small", NULL), "acme-small");
    CHECK_STR(resolved(catalog, "  acme-large\t\n", NULL), "acme-large");
    CHECK_STR(resolved(catalog, " CACHER-NOWRITE ", NULL), "cacher-nowrite");
    /* A starts_with rule: acme-mini answers to acme-mini-anything. */
    CHECK_STR(resolved(catalog, "acme-mini-2", NULL), "acme-mini");
    /* The regex ^acme-small-\d{8}$ of acme-small. */
    CHECK_STR(resolved(catalog, "acme-small-20250101", NULL), "acme-small");
    CHECK_STR(resolved(catalog, "acme-small-2025010", NULL), NULL); /* 7 digits */
    /* -YYYYMMDD -> -YYYY-MM-DD when nothing matches as written. */
    CHECK_STR(resolved(catalog, "acme-20250601", NULL), "acme-2025-06-01");
    CHECK_STR(resolved(catalog, "acme-2025-06-01", NULL), "acme-2025-06-01");
    CHECK_STR(resolved(catalog, "acme-20250231", NULL), NULL); /* February 31st: no rewrite */
    CHECK_STR(resolved(catalog, "acme-20251301", NULL), NULL); /* month 13 */
    /* provider_id chooses the provider (case-insensitively). */
    CHECK_STR(resolved(catalog, "acme-small", "acme"), "acme-small");
    CHECK_STR(resolved(catalog, "acme-small", "ACME"), "acme-small");
    CHECK_STR(resolved(catalog, "router-own", "router"), "router-own");
    CHECK_STR(resolved(catalog, "acme-small", "cachers"), NULL); /* not among cachers' models */
    CHECK_STR(resolved(catalog, "acme-small", "no-such-provider"), NULL);
    /* router has no model_match: its own model needs the provider named. */
    CHECK_STR(resolved(catalog, "router-own", NULL), NULL);
    /* "PROVIDER:model". */
    CHECK_STR(resolved(catalog, "router:router-own", NULL), "router-own");
    CHECK_STR(resolved(catalog, "cachers:cacher-plain", NULL), "cacher-plain");
    CHECK_STR(resolved(catalog, "ROUTER:Router-Own", NULL), "router-own");
    /* Fallback providers: router falls back on acme. */
    const struct pcs_model *fallback = pcs_catalog_resolve(catalog, "router:acme-small", NULL);
    CHECK(fallback != NULL);
    if (fallback) {
        CHECK_STR(fallback->id, "acme-small");
        CHECK_STR(fallback->provider->id, "acme");
    }
    CHECK_STR(resolved(catalog, "acme-large", "router"), "acme-large");
    CHECK_STR(resolved(catalog, "router:acme-20250601", NULL), "acme-2025-06-01"); /* fallback after rewrite */
    CHECK_STR(resolved(catalog, "router:cacher-plain", NULL), NULL); /* cachers is no fallback of router */
    /* Names that resolve to nothing. */
    CHECK_STR(resolved(catalog, "gpt-4o", NULL), NULL);       /* no provider accepts it */
    CHECK_STR(resolved(catalog, "acme-nothing", NULL), NULL); /* acme accepts, no model does */
    CHECK_STR(resolved(catalog, "cacher-unknown", NULL), NULL);
    CHECK_STR(resolved(catalog, "", NULL), NULL);
    CHECK_STR(resolved(catalog, "nobody:acme-small", NULL), NULL); /* acme's rule sees "nobody:..." */
    pcs_catalog_free(catalog);

    /* A provider without model_match answers only when named. */
    catalog = load_or_exit("prices/unit/extra.json");
    CHECK_STR(resolved(catalog, "multi-tier", NULL), NULL);
    CHECK_STR(resolved(catalog, "multi-tier", "batchonly"), "multi-tier");
    CHECK_STR(resolved(catalog, "batchonly:MULTI-TIER", NULL), "multi-tier");
    pcs_catalog_free(catalog);
}

static void test_nearest(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    const char *names[16];
    /* Edit distances from "cacher-write": cacher-writes 1 (add s),
     * cacher-nowrite 2 (add n, o), cacher-plain 5 (write -> plain), every
     * acme- id 7 or more. */
    size_t count = pcs_catalog_nearest(catalog, "cacher-write", names, 3);
    CHECK_U64(count, 3);
    CHECK_STR(names[0], "cacher-writes");
    CHECK_STR(names[1], "cacher-nowrite");
    CHECK_STR(names[2], "cacher-plain");
    /* max is respected. */
    CHECK_U64(pcs_catalog_nearest(catalog, "cacher-write", names, 1), 1);
    CHECK_STR(names[0], "cacher-writes");
    CHECK_U64(pcs_catalog_nearest(catalog, "cacher-write", names, 0), 0);
    /* Room for all: the catalog's 10 ids, each once, nearest first. */
    count = pcs_catalog_nearest(catalog, "cacher-write", names, 16);
    CHECK_U64(count, 10);
    CHECK_STR(names[0], "cacher-writes");
    CHECK_STR(names[count - 1], "acme-2025-06-01"); /* 12: the farthest */
    for (size_t i = 0; i < count; i++)
        for (size_t j = i + 1; j < count; j++)
            CHECK(strcmp(names[i], names[j]) != 0);
    /* Case-insensitive: "ACME-LARGE" is acme-large (0), then acme-long (3:
     * a->o, r->n, drop e), then acme-dated (4). */
    count = pcs_catalog_nearest(catalog, "ACME-LARGE", names, 3);
    CHECK_U64(count, 3);
    CHECK_STR(names[0], "acme-large");
    CHECK_STR(names[1], "acme-long");
    CHECK_STR(names[2], "acme-dated");
    /* A misspelling: "acme-smal" is acme-small (1). */
    count = pcs_catalog_nearest(catalog, "acme-smal", names, 2);
    CHECK_U64(count, 2);
    CHECK_STR(names[0], "acme-small");
    pcs_catalog_free(catalog);
}

/* --------------------------------------------------------- prices in effect */

static void test_prices_at(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    const struct pcs_model *dated = model_or_exit(catalog, "acme-dated");
    /* Periods: always $1; from 2026-07-01 $2; 16:30-00:30 UTC $0.5; the
     * last that holds wins. */
    CHECK_USD(input_price_at(dated, JUN_01_2026 + 43200), 1); /* noon, before the date */
    CHECK_USD(input_price_at(dated, JUL_01_2026 + 43200), 2); /* noon, on the date */
    CHECK_USD(input_price_at(dated, NOV_23_2026 + 43200), 2); /* noon, later */
    CHECK_USD(input_price_at(dated, JUL_01_2026 - 43200), 1); /* noon the day before */
    /* Midnight is inside the evening window, which comes last. */
    CHECK_USD(input_price_at(dated, JUL_01_2026), 0.5);     /* 00:00 */
    CHECK_USD(input_price_at(dated, JUL_01_2026 - 1), 0.5); /* 23:59:59 */
    /* The window [16:30, 00:30) on 2026-07-02 (after the date: $2 outside). */
    CHECK_USD(input_price_at(dated, JUL_02_2026 + 59400), 0.5);        /* 16:30:00, start included */
    CHECK_USD(input_price_at(dated, JUL_02_2026 + 59399), 2);          /* 16:29:59 */
    CHECK_USD(input_price_at(dated, JUL_02_2026 + 59399.5), 2);        /* 16:29:59.5 */
    CHECK_USD(input_price_at(dated, JUL_02_2026 + 86400 + 1799), 0.5); /* 00:29:59 next day */
    CHECK_USD(input_price_at(dated, JUL_02_2026 + 86400 + 1800), 2);   /* 00:30:00, end excluded */
    CHECK_USD(input_price_at(dated, JUL_02_2026 + 82800), 0.5);        /* 23:00 */
    /* The window holds before the date too ($1 outside). */
    CHECK_USD(input_price_at(dated, JUN_01_2026 + 61200), 0.5); /* 17:00 */
    CHECK_USD(input_price_at(dated, JUN_01_2026 + 1800), 1);    /* 00:30 */
    /* A model with one period has it always. */
    CHECK_USD(input_price_at(model_or_exit(catalog, "acme-large"), JUN_01_2026), 5);
    pcs_catalog_free(catalog);

    catalog = load_or_exit("prices/unit/extra.json");
    /* dated-only: $1, then $2 from 2026-07-01 00:00 UTC exactly. */
    const struct pcs_model *dated_only = model_or_exit(catalog, "dated-only");
    CHECK_USD(input_price_at(dated_only, JUL_01_2026), 2);
    CHECK_USD(input_price_at(dated_only, JUL_01_2026 - 1), 1);
    CHECK_USD(input_price_at(dated_only, JUL_01_2026 - 0.001), 1);
    CHECK_USD(input_price_at(dated_only, 0), 1);
    /* morning: 09:00+01:00 to 10:00+01:00 is [08:00, 09:00) UTC = [28800, 32400). */
    const struct pcs_model *morning = model_or_exit(catalog, "morning");
    CHECK_USD(input_price_at(morning, NOV_23_2026 + 28800), 3);
    CHECK_USD(input_price_at(morning, NOV_23_2026 + 28799), 1);
    CHECK_USD(input_price_at(morning, NOV_23_2026 + 32399), 3);
    CHECK_USD(input_price_at(morning, NOV_23_2026 + 32400), 1);
    CHECK_USD(input_price_at(morning, NOV_23_2026 + 32400 + 3600), 1); /* 10:00 UTC */
    pcs_catalog_free(catalog);
}

static void test_price_class(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    /* acme-long: input, cache_read and output tiers start at 200000. */
    const struct pcs_price_set *set = pcs_model_prices_at(model_or_exit(catalog, "acme-long"), NOV_23_2026);
    CHECK_U64(pcs_price_class(set, 0), 0);
    CHECK_U64(pcs_price_class(set, 1000), 0);
    CHECK_U64(pcs_price_class(set, 200000), 0);      /* at the start: not above it */
    CHECK_U64(pcs_price_class(set, 200001), 200001); /* start + 1 */
    CHECK_U64(pcs_price_class(set, 1000000), 200001);
    /* A flat model has one class. */
    set = pcs_model_prices_at(model_or_exit(catalog, "acme-small"), NOV_23_2026);
    CHECK_U64(pcs_price_class(set, 5000000), 0);
    pcs_catalog_free(catalog);

    /* multi-tier: input tiers at 100000 and 500000, output at 300000. */
    catalog = load_or_exit("prices/unit/extra.json");
    set = pcs_model_prices_at(model_or_exit(catalog, "multi-tier"), NOV_23_2026);
    CHECK_U64(pcs_price_class(set, 100000), 0);
    CHECK_U64(pcs_price_class(set, 100001), 100001);
    CHECK_U64(pcs_price_class(set, 300000), 100001);
    CHECK_U64(pcs_price_class(set, 300001), 300001);
    CHECK_U64(pcs_price_class(set, 500001), 500001);
    CHECK_U64(pcs_price_class(set, 9000000), 500001);
    pcs_catalog_free(catalog);
}

/* ---------------------------------------------------------- cost of usage */

/* Prices usage of model (at 2026-11-23 noon) in class, times multiplier. */
static struct pcs_cost cost_of(const pcs_catalog *catalog, const char *model, struct pcs_usage usage,
                               uint64_t prompt_class, double multiplier)
{
    struct pcs_cost cost;
    struct pcs_error err = {0};
    const struct pcs_price_set *set = pcs_model_prices_at(model_or_exit(catalog, model), NOV_23_2026 + 43200);
    enum pcs_status status = pcs_price_usage(set, &usage, prompt_class, multiplier, &cost, &err);
    CHECK(status == PCS_OK);
    if (status != PCS_OK)
        fprintf(stderr, "pricing %s: %s\n", model, err.message);
    return cost;
}

static void check_total_is_sum(int line, const struct pcs_cost *cost)
{
    check_usd(line, "total = sum of the parts", cost->total,
              cost->uncached + cost->cache_read + cost->cache_write + cost->cache_write_1h + cost->output +
                  cost->requests);
}

static void test_price_usage(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    struct pcs_cost cost;

    /* Flat, acme-large ($5 in, $15 out): 1000 in, 200 out. */
    cost = cost_of(catalog, "acme-large", usage_of(1, 1000, 0, 0, 0, 200), 0, 1);
    CHECK_USD(cost.uncached, 0.005); /* 1000 x $5 / 1e6 */
    CHECK_USD(cost.output, 0.003);   /* 200 x $15 / 1e6 */
    CHECK_USD(cost.cache_read, 0);
    CHECK_USD(cost.requests, 0); /* no requests_kcount price */
    CHECK_USD(cost.total, 0.008);
    check_total_is_sum(__LINE__, &cost);

    /* Cache read, acme-small ($0.15 in, $0.075 read, $0.6 out): 10000 in of
     * which 8000 read, 500 out. */
    cost = cost_of(catalog, "acme-small", usage_of(1, 10000, 8000, 0, 0, 500), 0, 1);
    CHECK_USD(cost.uncached, 0.0003);   /* 2000 x $0.15 / 1e6 */
    CHECK_USD(cost.cache_read, 0.0006); /* 8000 x $0.075 / 1e6 */
    CHECK_USD(cost.output, 0.0003);     /* 500 x $0.6 / 1e6 */
    CHECK_USD(cost.total, 0.0012);
    check_total_is_sum(__LINE__, &cost);

    /* 5m and 1h writes, cacher-writes ($3 in, $0.3 read, $3.75 write, $6
     * 1h write, $15 out): 100000 in = 20000 read + 50000 written (10000 of
     * them 1h) + 30000 uncached; 1000 out. */
    struct pcs_usage writes = usage_of(1, 100000, 20000, 50000, 10000, 1000);
    cost = cost_of(catalog, "cacher-writes", writes, 0, 1);
    CHECK_USD(cost.uncached, 0.09);       /* 30000 x $3 / 1e6 */
    CHECK_USD(cost.cache_read, 0.006);    /* 20000 x $0.3 / 1e6 */
    CHECK_USD(cost.cache_write, 0.15);    /* 40000 x $3.75 / 1e6 */
    CHECK_USD(cost.cache_write_1h, 0.06); /* 10000 x $6 / 1e6 */
    CHECK_USD(cost.output, 0.015);        /* 1000 x $15 / 1e6 */
    CHECK_USD(cost.total, 0.321);         /* 0.09 + 0.006 + 0.15 + 0.06 + 0.015 */
    check_total_is_sum(__LINE__, &cost);

    /* The multiplier scales every part: x 0.55 (batch 0.5 x uplift 1.1). */
    cost = cost_of(catalog, "cacher-writes", writes, 0, 0.55);
    CHECK_USD(cost.uncached, 0.0495);      /* 0.09 x 0.55 */
    CHECK_USD(cost.cache_read, 0.0033);    /* 0.006 x 0.55 */
    CHECK_USD(cost.cache_write, 0.0825);   /* 0.15 x 0.55 */
    CHECK_USD(cost.cache_write_1h, 0.033); /* 0.06 x 0.55 */
    CHECK_USD(cost.output, 0.00825);       /* 0.015 x 0.55 */
    CHECK_USD(cost.total, 0.17655);        /* 0.321 x 0.55 */
    check_total_is_sum(__LINE__, &cost);
    cost = cost_of(catalog, "cacher-writes", writes, 0, 0);
    CHECK_USD(cost.total, 0);

    /* No cache_write price, cacher-nowrite ($2 in, $0.5 read, $8 out): the
     * 50000 written tokens (1h ones too) are billed as input. */
    cost = cost_of(catalog, "cacher-nowrite", writes, 0, 1);
    CHECK_USD(cost.uncached, 0.16);   /* (100000 - 20000 read) x $2 / 1e6 */
    CHECK_USD(cost.cache_read, 0.01); /* 20000 x $0.5 / 1e6 */
    CHECK_USD(cost.cache_write, 0);
    CHECK_USD(cost.cache_write_1h, 0);
    CHECK_USD(cost.output, 0.008); /* 1000 x $8 / 1e6 */
    CHECK_USD(cost.total, 0.178);  /* 0.16 + 0.01 + 0.008 */
    check_total_is_sum(__LINE__, &cost);

    /* No cache_read price, cacher-plain ($1 in, $4 out): reads billed as
     * input. */
    cost = cost_of(catalog, "cacher-plain", usage_of(1, 100000, 60000, 0, 0, 1000), 0, 1);
    CHECK_USD(cost.uncached, 0.1); /* 100000 x $1 / 1e6 */
    CHECK_USD(cost.cache_read, 0);
    CHECK_USD(cost.output, 0.004); /* 1000 x $4 / 1e6 */
    CHECK_USD(cost.total, 0.104);
    check_total_is_sum(__LINE__, &cost);

    /* Tiered, acme-long above 200000 (class 200001): $6 in, $0.6 read,
     * $3.75 write, $6 1h write (flat), $22.5 out, $2 per 1000 requests.
     * 300000 in = 100000 read + 50000 written (20000 1h) + 150000 uncached. */
    struct pcs_usage long_usage = usage_of(1, 300000, 100000, 50000, 20000, 2000);
    cost = cost_of(catalog, "acme-long", long_usage, 200001, 1);
    CHECK_USD(cost.uncached, 0.9);        /* 150000 x $6 / 1e6 */
    CHECK_USD(cost.cache_read, 0.06);     /* 100000 x $0.6 / 1e6 */
    CHECK_USD(cost.cache_write, 0.1125);  /* 30000 x $3.75 / 1e6 */
    CHECK_USD(cost.cache_write_1h, 0.12); /* 20000 x $6 / 1e6 */
    CHECK_USD(cost.output, 0.045);        /* 2000 x $22.5 / 1e6 */
    CHECK_USD(cost.requests, 0.002);      /* 1 x $2 / 1000 */
    CHECK_USD(cost.total, 1.2395);        /* 0.9 + 0.06 + 0.1125 + 0.12 + 0.045 + 0.002 */
    check_total_is_sum(__LINE__, &cost);
    /* The same usage in the base class: $3 in, $0.3 read, $15 out. */
    cost = cost_of(catalog, "acme-long", long_usage, 0, 1);
    CHECK_USD(cost.uncached, 0.45);   /* 150000 x $3 / 1e6 */
    CHECK_USD(cost.cache_read, 0.03); /* 100000 x $0.3 / 1e6 */
    CHECK_USD(cost.cache_write, 0.1125);
    CHECK_USD(cost.cache_write_1h, 0.12);
    CHECK_USD(cost.output, 0.03);  /* 2000 x $15 / 1e6 */
    CHECK_USD(cost.total, 0.7445); /* 0.45 + 0.03 + 0.1125 + 0.12 + 0.03 + 0.002 */
    /* One request's input tokens do as its class: 200000 is not above the
     * tier start, 200001 is. */
    cost = cost_of(catalog, "acme-long", usage_of(1, 200000, 0, 0, 0, 1000), 200000, 1);
    CHECK_USD(cost.uncached, 0.6); /* 200000 x $3 / 1e6 */
    CHECK_USD(cost.output, 0.015); /* 1000 x $15 / 1e6 */
    cost = cost_of(catalog, "acme-long", usage_of(1, 200001, 0, 0, 0, 1000), 200001, 1);
    CHECK_USD(cost.uncached, 1.200006); /* 200001 x $6 / 1e6 */
    CHECK_USD(cost.output, 0.0225);     /* 1000 x $22.5 / 1e6 */
    /* Per-request fee alone: 5 requests x $2 / 1000. */
    cost = cost_of(catalog, "acme-long", usage_of(5, 0, 0, 0, 0, 0), 0, 1);
    CHECK_USD(cost.requests, 0.01);
    CHECK_USD(cost.total, 0.01);

    /* Inconsistent usage and multipliers. */
    const struct pcs_price_set *set = pcs_model_prices_at(model_or_exit(catalog, "cacher-writes"), NOV_23_2026);
    struct pcs_error err = {0};
    struct pcs_usage bad = usage_of(1, 100, 60, 50, 0, 0); /* 60 + 50 > 100 */
    CHECK(pcs_price_usage(set, &bad, 0, 1, &cost, &err) == PCS_ERR_ARG);
    CHECK(err.message[0] != '\0');
    bad = usage_of(1, 100, 120, 0, 0, 0); /* 120 > 100 */
    CHECK(pcs_price_usage(set, &bad, 0, 1, &cost, &err) == PCS_ERR_ARG);
    bad = usage_of(1, 100, 50, 50, 0, 0); /* 50 + 50 = 100: fine */
    CHECK(pcs_price_usage(set, &bad, 0, 1, &cost, &err) == PCS_OK);
    CHECK_USD(cost.total, 0.0002025); /* 50 x $0.3 / 1e6 + 50 x $3.75 / 1e6 = 0.000015 + 0.0001875 */
    err.message[0] = '\0';
    bad = usage_of(1, 100, 0, 10, 11, 0); /* 1h 11 > written 10 */
    CHECK(pcs_price_usage(set, &bad, 0, 1, &cost, &err) == PCS_ERR_ARG);
    CHECK(err.message[0] != '\0');
    err.message[0] = '\0';
    CHECK(pcs_price_usage(set, &writes, 0, -0.5, &cost, &err) == PCS_ERR_ARG);
    CHECK(err.message[0] != '\0');
    CHECK(pcs_price_usage(set, &writes, 0, NAN, &cost, &err) == PCS_ERR_ARG);
    pcs_catalog_free(catalog);

    catalog = load_or_exit("prices/unit/extra.json");
    /* No 1h price, writes-5m-only ($2 in, $2.5 write, $10 out): 1h writes
     * are billed at cache_write_mtok. 10000 in, 8000 written (3000 1h). */
    cost = cost_of(catalog, "writes-5m-only", usage_of(1, 10000, 0, 8000, 3000, 100), 0, 1);
    CHECK_USD(cost.uncached, 0.004);   /* 2000 x $2 / 1e6 */
    CHECK_USD(cost.cache_write, 0.02); /* 8000 x $2.5 / 1e6 */
    CHECK_USD(cost.cache_write_1h, 0);
    CHECK_USD(cost.output, 0.001); /* 100 x $10 / 1e6 */
    CHECK_USD(cost.total, 0.025);
    /* multi-tier, 1e6 in and 1000 out in each class: input $1 / $2 (> 100000)
     * / $3 (> 500000), output $4 / $5 (> 300000). */
    struct pcs_usage big = usage_of(1, 1000000, 0, 0, 0, 1000);
    cost = cost_of(catalog, "multi-tier", big, 0, 1);
    CHECK_USD(cost.total, 1.004); /* 1e6 x $1 / 1e6 + 1000 x $4 / 1e6 */
    cost = cost_of(catalog, "multi-tier", big, 100001, 1);
    CHECK_USD(cost.total, 2.004); /* $2 + 1000 x $4 / 1e6 */
    cost = cost_of(catalog, "multi-tier", big, 300001, 1);
    CHECK_USD(cost.total, 2.005); /* $2 + 1000 x $5 / 1e6 */
    cost = cost_of(catalog, "multi-tier", big, 500001, 1);
    CHECK_USD(cost.uncached, 3);
    CHECK_USD(cost.total, 3.005); /* $3 + 1000 x $5 / 1e6 */
    pcs_catalog_free(catalog);
}

static void test_tier_multiplier(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    const struct pcs_provider *acme = pcs_catalog_find_provider(catalog, "acme");
    CHECK_USD(pcs_provider_tier_multiplier(acme, PCS_TIER_STANDARD), 1);
    CHECK_USD(pcs_provider_tier_multiplier(acme, PCS_TIER_BATCH), 0.5);
    CHECK_USD(pcs_provider_tier_multiplier(acme, PCS_TIER_FLEX), 0.5);
    CHECK_USD(pcs_provider_tier_multiplier(acme, PCS_TIER_PRIORITY), 2);
    /* cachers has no "tiers": standard only, at 1. */
    const struct pcs_provider *cachers = pcs_catalog_find_provider(catalog, "cachers");
    CHECK_U64(cachers->tier_count, 1);
    CHECK_USD(pcs_provider_tier_multiplier(cachers, PCS_TIER_STANDARD), 1);
    CHECK_USD(pcs_provider_tier_multiplier(cachers, PCS_TIER_BATCH), 0);
    CHECK_USD(pcs_provider_tier_multiplier(cachers, PCS_TIER_PRIORITY), 0);
    pcs_catalog_free(catalog);
    /* batchonly sells {"batch": 0.5}: standard is added at 1. */
    catalog = load_or_exit("prices/unit/extra.json");
    const struct pcs_provider *batchonly = pcs_catalog_find_provider(catalog, "batchonly");
    CHECK_U64(batchonly->tier_count, 2);
    CHECK_USD(pcs_provider_tier_multiplier(batchonly, PCS_TIER_STANDARD), 1);
    CHECK_USD(pcs_provider_tier_multiplier(batchonly, PCS_TIER_BATCH), 0.5);
    CHECK_USD(pcs_provider_tier_multiplier(batchonly, PCS_TIER_FLEX), 0);
    pcs_catalog_free(catalog);
}

/* ------------------------------------------------------ per-model caches */

static void test_model_cache_config(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    const struct pcs_model *small = model_or_exit(catalog, "acme-small");     /* openai, min 1024 */
    const struct pcs_model *writes = model_or_exit(catalog, "cacher-writes"); /* anthropic-5m, min 2048 */
    const struct pcs_model *large = model_or_exit(catalog, "acme-large");     /* neither */
    struct pcs_cache_config config;

    CHECK(pcs_model_cache_config("auto", small, &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_OPENAI);
    CHECK_U64(config.min_tokens, 1024);
    CHECK_U64(config.granularity, 128);
    CHECK_U64(config.ttl_ms, 300000);
    CHECK(pcs_model_cache_config("auto", NULL, &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_NONE);
    CHECK(pcs_model_cache_config("auto", large, &config) == PCS_OK); /* no cache_preset */
    CHECK(config.policy == PCS_POLICY_NONE);
    CHECK(pcs_model_cache_config("auto", writes, &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_BREAKPOINT);
    CHECK_U64(config.ttl_ms, 300000);
    CHECK_U64(config.min_tokens, 2048);
    CHECK(pcs_model_cache_config("anthropic-5m", writes, &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_BREAKPOINT);
    CHECK_U64(config.min_tokens, 2048);
    CHECK(pcs_model_cache_config("anthropic-1h", writes, &config) == PCS_OK);
    CHECK_U64(config.ttl_ms, 3600000);
    CHECK_U64(config.min_tokens, 2048);
    CHECK(pcs_model_cache_config("gemini", writes, &config) == PCS_OK);
    CHECK_U64(config.min_tokens, 2048);
    /* Unknown min_tokens: the preset's own 1024. */
    CHECK(pcs_model_cache_config("anthropic-5m", large, &config) == PCS_OK);
    CHECK_U64(config.min_tokens, 1024);
    CHECK(pcs_model_cache_config("anthropic-5m", NULL, &config) == PCS_OK);
    CHECK_U64(config.min_tokens, 1024);
    /* openai ignores the model. */
    CHECK(pcs_model_cache_config("openai", writes, &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_OPENAI);
    CHECK_U64(config.min_tokens, 1024);
    CHECK(pcs_model_cache_config("lru", writes, &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_LRU);
    CHECK(pcs_model_cache_config("fastest", writes, &config) == PCS_ERR_ARG);
    CHECK(pcs_model_cache_config("fastest", NULL, &config) == PCS_ERR_ARG);
    pcs_catalog_free(catalog);

    /* auto takes the model's min_tokens over its preset's: openai, 4096. */
    catalog = load_or_exit("prices/unit/extra.json");
    CHECK(pcs_model_cache_config("auto", model_or_exit(catalog, "writes-5m-only"), &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_OPENAI);
    CHECK_U64(config.min_tokens, 4096);
    CHECK(pcs_model_cache_config("openai", model_or_exit(catalog, "writes-5m-only"), &config) == PCS_OK);
    CHECK_U64(config.min_tokens, 1024);
    pcs_catalog_free(catalog);

    CHECK(pcs_preset_is_per_model("auto"));
    CHECK(pcs_preset_is_per_model("anthropic-5m"));
    CHECK(pcs_preset_is_per_model("anthropic-1h"));
    CHECK(pcs_preset_is_per_model("gemini"));
    CHECK(!pcs_preset_is_per_model("openai"));
    CHECK(!pcs_preset_is_per_model("lru"));
    CHECK(!pcs_preset_is_per_model("none"));
    CHECK(!pcs_preset_is_per_model("fastest"));
}

/* ------------------------------------------------------------------ ledger */

static void test_ledger(void)
{
    pcs_ledger *ledger = pcs_ledger_new(NULL);
    CHECK(ledger != NULL);
    if (!ledger)
        return;
    struct pcs_usage a = usage_of(1, 100, 10, 20, 5, 7);
    struct pcs_usage b = usage_of(2, 1000, 100, 200, 50, 70);
    CHECK(pcs_ledger_add(ledger, 3, 0, PCS_TIER_STANDARD, 0, &a) == PCS_OK);
    CHECK(pcs_ledger_add(ledger, 1, 0, PCS_TIER_STANDARD, 0, &a) == PCS_OK);
    CHECK(pcs_ledger_add(ledger, 3, 0, PCS_TIER_STANDARD, 0, &b) == PCS_OK); /* merges into the first */
    /* Each part of the key keeps entries apart. */
    CHECK(pcs_ledger_add(ledger, 3, 1, PCS_TIER_STANDARD, 0, &a) == PCS_OK);
    CHECK(pcs_ledger_add(ledger, 3, 0, PCS_TIER_BATCH, 0, &a) == PCS_OK);
    CHECK(pcs_ledger_add(ledger, 3, 0, PCS_TIER_STANDARD, 200001, &a) == PCS_OK);
    CHECK_U64(pcs_ledger_count(ledger), 5);
    const struct pcs_ledger_entry *first = pcs_ledger_entry(ledger, 0);
    CHECK_U64(first->model, 3);
    CHECK_U64(first->usage.requests, 3);      /* 1 + 2 */
    CHECK_U64(first->usage.input, 1100);      /* 100 + 1000 */
    CHECK_U64(first->usage.cache_read, 110);  /* 10 + 100 */
    CHECK_U64(first->usage.cache_write, 220); /* 20 + 200 */
    CHECK_U64(first->usage.cache_write_1h, 55);
    CHECK_U64(first->usage.output, 77);
    CHECK_U64(pcs_ledger_entry(ledger, 1)->model, 1);
    CHECK_U64(pcs_ledger_entry(ledger, 1)->usage.input, 100);
    CHECK_U64(pcs_ledger_entry(ledger, 2)->kind, 1);
    CHECK(pcs_ledger_entry(ledger, 3)->tier == PCS_TIER_BATCH);
    CHECK_U64(pcs_ledger_entry(ledger, 4)->prompt_class, 200001);
    CHECK_U64(pcs_ledger_entry(ledger, 4)->usage.input, 100);
    CHECK(pcs_ledger_entry(ledger, 5) == NULL);
    pcs_ledger_free(ledger);
    pcs_ledger_free(NULL);

    /* 5000 keys, each added twice (the second time after all the others):
     * the table grows and still finds every one. */
    enum { KEYS = 5000 };
    ledger = pcs_ledger_new(NULL);
    CHECK(ledger != NULL);
    if (!ledger)
        return;
    int ok = 1;
    for (int round = 0; round < 2; round++)
        for (uint32_t i = 0; i < KEYS; i++) {
            struct pcs_usage u = usage_of(1, i, 0, 0, 0, round);
            ok &= pcs_ledger_add(ledger, i / 7, i % 7, (enum pcs_tier)(i % 4), (uint64_t)i * 1000, &u) == PCS_OK;
        }
    CHECK(ok);
    CHECK_U64(pcs_ledger_count(ledger), KEYS);
    int all_found = 1;
    for (uint32_t i = 0; i < KEYS; i++) {
        const struct pcs_ledger_entry *entry = pcs_ledger_entry(ledger, i);
        all_found &= entry && entry->model == i / 7 && entry->kind == i % 7 && entry->tier == (enum pcs_tier)(i % 4) &&
                     entry->prompt_class == (uint64_t)i * 1000 && entry->usage.requests == 2 &&
                     entry->usage.input == 2 * (uint64_t)i && entry->usage.output == 1; /* 0 + 1 */
    }
    CHECK(all_found);
    pcs_ledger_free(ledger);
}

/* -------------------------------------------------------------- price time */

static void test_parse_price_time(void)
{
    struct pcs_error err = {0};
    double t = -1;
    CHECK(pcs_parse_price_time("2026-11-23", &t, &err) == PCS_OK);
    CHECK_USD(t, 1795435200); /* 20780 days x 86400 + 43200 (noon) */
    CHECK(pcs_parse_price_time("2024-02-29", &t, &err) == PCS_OK);
    CHECK_USD(t, 1709208000); /* (54·365 + 13 + 31 + 28) = 19782 days x 86400 + 43200 */
    CHECK(pcs_parse_price_time("1970-01-01", &t, &err) == PCS_OK);
    CHECK_USD(t, 43200);
    CHECK(pcs_parse_price_time("2026-11-23T08:30:00Z", &t, &err) == PCS_OK);
    CHECK_USD(t, 1795422600); /* 1795392000 + 8.5 x 3600 */
    CHECK(pcs_parse_price_time("2026-11-23T00:00:00Z", &t, &err) == PCS_OK);
    CHECK_USD(t, NOV_23_2026);
    CHECK(pcs_parse_price_time("2026-11-23T23:59:59Z", &t, &err) == PCS_OK);
    CHECK_USD(t, 1795478399); /* 1795392000 + 86399 */
    CHECK(pcs_parse_price_time("2026-11-23T08:30:00.25Z", &t, &err) == PCS_OK);
    CHECK_USD(t, 1795422600.25);
    CHECK(pcs_parse_price_time("now", &t, &err) == PCS_OK);
    CHECK(t > 1.7e9); /* after 2023-11 */

    static const char *const invalid[] = {
        "2026-13-01",
        "2026-02-29",
        "2026-11-23T25:00:00Z",
        "2026-11-23T08:30:00",
        "2026-11-23x",
        "2026-11-23T08:30:00Zx",
        "2026-11-23T08:60:00Z",
        "2026-11-23T08:30Z",
        "2026-11-23T08:30:00+01:00",
        "26-11-23",
        "",
        "Now",
        "2026-11-23 ",
        "yesterday",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        err.message[0] = '\0';
        enum pcs_status status = pcs_parse_price_time(invalid[i], &t, &err);
        if (status != PCS_ERR_ARG)
            fprintf(stderr, "pcs_parse_price_time(\"%s\") accepted\n", invalid[i]);
        CHECK(status == PCS_ERR_ARG);
        CHECK_CONTAINS(err.message, invalid[i]);
    }
}

/* ------------------------------------------------------------ replay coster */

/* tests/data/prices/unit/trace.jsonl, request by request (r1..r5), with
 * the usages the test gives them under the chosen and the ideal cache. */
struct trace_case {
    struct pcs_usage chosen;
    struct pcs_usage ideal;
    int ideal_is_chosen; /* pass NULL */
    double request_cost; /* expected; -1 when unpriced */
};

static void test_replay_coster(void)
{
    pcs_catalog *catalog = load_or_exit("prices/catalog.json");
    const struct trace_case cases[] = {
        /* r1 acme-small, standard (x1), task A attempt 1 failed: 10000 in,
         * 500 out. Chosen: 8000 read: 2000 x 0.15 + 8000 x 0.075 + 500 x 0.6
         * = 0.0003 + 0.0006 + 0.0003 = 0.0012. */
        {usage_of(1, 10000, 8000, 0, 0, 500), usage_of(1, 10000, 9000, 0, 0, 500), 0, 0.0012},
        /* r2 cacher-writes, batch: not sold by cachers, so standard (x1);
         * task A attempt 2 ok. Chosen as in test_price_usage: 0.321. */
        {usage_of(1, 100000, 20000, 50000, 10000, 1000), usage_of(1, 100000, 80000, 0, 0, 1000), 0, 0.321},
        /* r3 mystery-model: unpriced; task B ok. */
        {usage_of(1, 5000, 0, 0, 0, 100), usage_of(1, 5000, 0, 0, 0, 100), 0, -1},
        /* r4 acme-small, batch (x0.5), task C failed: 0.0012 x 0.5. */
        {usage_of(1, 10000, 8000, 0, 0, 500), usage_of(1, 0, 0, 0, 0, 0), 1, 0.0006},
        /* r5 acme-long, priority (x2), no task, 300000 in (class 200001):
         * 1.2395 (test_price_usage) x 2. */
        {usage_of(1, 300000, 100000, 50000, 20000, 2000), usage_of(1, 0, 0, 0, 0, 0), 1, 2.479},
    };
    enum { CASES = sizeof cases / sizeof cases[0] };
    const char *path = data_path("prices/unit/trace.jsonl");
    struct pcs_trace_config trace_config = pcs_trace_config_default();
    struct pcs_error err = {0};
    enum pcs_status status;
    pcs_trace *trace = pcs_trace_open(&path, 1, &trace_config, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        pcs_catalog_free(catalog);
        return;
    }
    struct pcs_replay_cost_config config = {catalog, NOV_23_2026 + 43200, -1, 1, NULL, 0};
    pcs_replay_coster *coster = pcs_replay_coster_new(&config, trace, &err);
    CHECK(coster != NULL);
    if (!coster) {
        pcs_trace_free(trace);
        pcs_catalog_free(catalog);
        return;
    }
    uint32_t model_of[CASES] = {0};
    struct pcs_request req;
    size_t n = 0;
    while ((status = pcs_trace_next(trace, &req, &err)) == PCS_OK && n < CASES) {
        double request_cost = 0;
        const struct trace_case *c = &cases[n];
        model_of[n] = req.model;
        CHECK(pcs_replay_coster_add(coster, &req, &c->chosen, c->ideal_is_chosen ? NULL : &c->ideal, &request_cost,
                                    &err) == PCS_OK);
        CHECK_USD(request_cost, c->request_cost);
        n++;
    }
    CHECK(status == PCS_END);
    CHECK_U64(n, CASES);
    CHECK_U64(pcs_trace_model_count(trace), 4); /* acme-small, cacher-writes, mystery-model, acme-long */
    CHECK(pcs_replay_coster_model(coster, model_of[0]) == model_or_exit(catalog, "acme-small"));
    CHECK(pcs_replay_coster_model(coster, model_of[2]) == NULL);

    struct pcs_replay_cost cost;
    CHECK(pcs_replay_coster_finish(coster, &cost, &err) == PCS_OK);
    CHECK_U64(cost.model_count, 4);
    CHECK_U64(cost.priced_requests, 4);   /* r1, r2, r4, r5 */
    CHECK_U64(cost.unpriced_requests, 1); /* r3 */
    /* With the cache, part by part (r1 + r2 + r4 + r5):
     *   uncached 0.0003 + 0.09 + 0.00015 + 0.9 x 2     = 1.89045
     *   read     0.0006 + 0.006 + 0.0003 + 0.06 x 2    = 0.1269
     *   write    0.15 + 0.1125 x 2                     = 0.375
     *   write 1h 0.06 + 0.12 x 2                       = 0.3
     *   output   0.0003 + 0.015 + 0.00015 + 0.045 x 2  = 0.10545
     *   requests 0.002 x 2                             = 0.004
     *   total    0.0012 + 0.321 + 0.0006 + 2.479       = 2.8018 */
    CHECK_USD(cost.with_cache.uncached, 1.89045);
    CHECK_USD(cost.with_cache.cache_read, 0.1269);
    CHECK_USD(cost.with_cache.cache_write, 0.375);
    CHECK_USD(cost.with_cache.cache_write_1h, 0.3);
    CHECK_USD(cost.with_cache.output, 0.10545);
    CHECK_USD(cost.with_cache.requests, 0.004);
    CHECK_USD(cost.with_cache.total, 2.8018);
    /* Without any cache, every prompt token at the input price:
     *   r1 10000 x 0.15 + 500 x 0.6                    = 0.0018
     *   r2 100000 x 3 + 1000 x 15                      = 0.315
     *   r4 0.0018 x 0.5                                = 0.0009
     *   r5 (300000 x 6 + 2000 x 22.5 + $0.002) x 2     = (1.8 + 0.045 + 0.002) x 2 = 3.694
     *   total                                          = 4.0117 */
    CHECK_USD(cost.without_cache, 4.0117);
    /* Ideal: r1 1000 x 0.15 + 9000 x 0.075 + 0.0003 = 0.00015 + 0.000675 + 0.0003 = 0.001125;
     * r2 20000 x 3 + 80000 x 0.3 + 0.015 = 0.06 + 0.024 + 0.015 = 0.099; r4, r5 as chosen
     * 0.0006 + 2.479: total 2.579725. */
    CHECK_USD(cost.ideal, 2.579725);
    if (cost.model_count == 4) {
        const struct pcs_model_cost *small = &cost.by_model[model_of[0]];
        CHECK_STR(small->priced_as ? small->priced_as->id : NULL, "acme-small");
        CHECK_USD(small->with_cache.total, 0.0018);                /* r1 0.0012 + r4 0.0006 */
        CHECK_USD(small->without_cache, 0.0027);                   /* 0.0018 + 0.0009 */
        CHECK_USD(small->ideal, 0.001725);                         /* 0.001125 + 0.0006 */
        CHECK_U64(small->unsold_tier_requests[PCS_TIER_BATCH], 0); /* acme sells batch */
        const struct pcs_model_cost *writes = &cost.by_model[model_of[1]];
        CHECK_STR(writes->priced_as ? writes->priced_as->id : NULL, "cacher-writes");
        CHECK_USD(writes->with_cache.total, 0.321);
        CHECK_USD(writes->with_cache.cache_write_1h, 0.06);
        CHECK_USD(writes->without_cache, 0.315);
        CHECK_USD(writes->ideal, 0.099);
        CHECK_U64(writes->unsold_tier_requests[PCS_TIER_BATCH], 1);
        CHECK_U64(writes->unsold_tier_requests[PCS_TIER_STANDARD], 0);
        const struct pcs_model_cost *mystery = &cost.by_model[model_of[2]];
        CHECK(mystery->priced_as == NULL);
        CHECK_USD(mystery->with_cache.total, 0);
        CHECK_USD(mystery->without_cache, 0);
        CHECK_USD(mystery->ideal, 0);
        const struct pcs_model_cost *long_model = &cost.by_model[model_of[4]];
        CHECK_STR(long_model->priced_as ? long_model->priced_as->id : NULL, "acme-long");
        CHECK_USD(long_model->with_cache.total, 2.479);
        CHECK_USD(long_model->with_cache.requests, 0.004);
        CHECK_USD(long_model->without_cache, 3.694);
        CHECK_USD(long_model->ideal, 2.479);
        CHECK_U64(long_model->unsold_tier_requests[PCS_TIER_PRIORITY], 0);
    }
    /* Tasks A (r1 failed, r2 ok: completed), B (r3 ok, unpriced: completed),
     * C (r4 failed). Spend on priced task requests: r1 + r2 + r4 = 0.0012 +
     * 0.321 + 0.0006 = 0.3228, of which failed r1 + r4 = 0.0018. */
    CHECK_U64(cost.tasks.tasks, 3);
    CHECK_U64(cost.tasks.completed, 2);
    CHECK_U64(cost.tasks.requests, 4);
    CHECK_USD(cost.tasks.spend, 0.3228);
    CHECK_USD(cost.tasks.failed_spend, 0.0018);
    pcs_replay_cost_free(&cost);
    pcs_replay_coster_free(coster);
    pcs_replay_coster_free(NULL);
    pcs_trace_free(trace);

    /* Every request at flex with a 10% uplift: acme sells flex (x0.5),
     * cachers does not (standard x1, counted). */
    trace = pcs_trace_open(&path, 1, &trace_config, &err);
    CHECK(trace != NULL);
    if (!trace) {
        pcs_catalog_free(catalog);
        return;
    }
    struct pcs_replay_cost_config flex = {catalog, NOV_23_2026 + 43200, PCS_TIER_FLEX, 1.1, NULL, 0};
    coster = pcs_replay_coster_new(&flex, trace, &err);
    CHECK(coster != NULL);
    const double flex_costs[CASES] = {
        0.00066, /* r1 0.0012 x 0.5 x 1.1 */
        0.3531,  /* r2 0.321 x 1 x 1.1 */
        -1,      /* r3 unpriced */
        0.00066, /* r4 0.0012 x 0.5 x 1.1 */
        0.681725 /* r5 1.2395 x 0.5 x 1.1 */
    };
    n = 0;
    while (coster && pcs_trace_next(trace, &req, &err) == PCS_OK && n < CASES) {
        double request_cost = 0;
        CHECK(pcs_replay_coster_add(coster, &req, &cases[n].chosen, NULL, &request_cost, &err) == PCS_OK);
        CHECK_USD(request_cost, flex_costs[n]);
        n++;
    }
    if (coster) {
        CHECK(pcs_replay_coster_finish(coster, &cost, &err) == PCS_OK);
        /* 0.00066 + 0.3531 + 0.00066 + 0.681725 */
        CHECK_USD(cost.with_cache.total, 1.036145);
        CHECK_USD(cost.ideal, 1.036145); /* ideal NULL: the chosen usage */
        if (cost.model_count == 4) {
            CHECK_U64(cost.by_model[model_of[1]].unsold_tier_requests[PCS_TIER_FLEX], 1);
            CHECK_U64(cost.by_model[model_of[0]].unsold_tier_requests[PCS_TIER_FLEX], 0);
        }
        pcs_replay_cost_free(&cost);
    }
    pcs_replay_coster_free(coster);
    pcs_trace_free(trace);

    /* Inconsistent usage (read 60 + written 50 > 100 in) is refused, and
     * says why (the header lists only PCS_ERR_NOMEM; the code gives
     * PCS_ERR_ARG from pcs_price_usage). */
    trace = pcs_trace_open(&path, 1, &trace_config, &err);
    coster = trace ? pcs_replay_coster_new(&config, trace, &err) : NULL;
    CHECK(coster != NULL);
    if (coster && pcs_trace_next(trace, &req, &err) == PCS_OK) {
        struct pcs_usage bad = usage_of(1, 100, 60, 50, 0, 0);
        double request_cost = 0;
        err.message[0] = '\0';
        CHECK(pcs_replay_coster_add(coster, &req, &bad, NULL, &request_cost, &err) != PCS_OK);
        CHECK(err.message[0] != '\0');
    }
    pcs_replay_coster_free(coster);
    pcs_trace_free(trace);
    pcs_catalog_free(catalog);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_pricing TESTS_DATA_DIR\n");
        return 2;
    }
    data_dir = argv[1];
    test_load();
    test_load_missing_file();
    test_load_bad();
    test_builtin();
    test_resolve();
    test_nearest();
    test_prices_at();
    test_price_class();
    test_price_usage();
    test_tier_multiplier();
    test_model_cache_config();
    test_ledger();
    test_parse_price_time();
    test_replay_coster();
    return check_summary();
}
