/* The TTL classes providers sell (pcsim/ttl_class.h): the built-in rows
 * load with a source and a date, agree with the catalog's write prices,
 * the sale rule picks the shortest class at least as long, and a broken
 * row is named field by field. Hand-computed from DESIGN §3 and §7. */
#include "check.h"
#include "pcsim/pricing.h"
#include "pcsim/ttl_class.h"

#include <math.h>
#include <string.h>

static void test_builtin(void)
{
    size_t count;
    struct pcs_error err = {0};
    const struct pcs_ttl_class *classes = pcs_ttl_classes(&count, &err);
    CHECK(count >= 7);
    for (size_t i = 0; i < count; i++) {
        CHECK(classes[i].source && classes[i].source[0] != '\0');
        CHECK(classes[i].as_of && strlen(classes[i].as_of) == 10);
        CHECK(classes[i].presets[0] != NULL);
    }
    const struct pcs_ttl_class *rows[8];
    CHECK_U64(pcs_ttl_classes_of("anthropic-5m", rows, 8), 2);
    CHECK_U64(pcs_ttl_classes_of("breakpoint", rows, 8), 0);
}

/* DESIGN §3: the smallest sold class with TTL >= the point's; above the
 * longest, or a provider without a TTL choice, is not sold. */
static void test_sale(void)
{
    const struct pcs_ttl_class *sold;
    CHECK(pcs_ttl_sale_of("anthropic-5m", 300000, &sold) == PCS_TTL_SOLD && sold && sold->ttl_s == 300 &&
          sold->write_multiplier == 1.25 && !pcs_ttl_class_bills_1h(sold));
    CHECK(pcs_ttl_sale_of("anthropic-5m", 300001, &sold) == PCS_TTL_SOLD && sold && sold->ttl_s == 3600 &&
          sold->write_multiplier == 2 && pcs_ttl_class_bills_1h(sold));
    CHECK(pcs_ttl_sale_of("anthropic-1h", 600000, &sold) == PCS_TTL_SOLD && sold && sold->ttl_s == 3600);
    CHECK(pcs_ttl_sale_of("anthropic-5m", 3600000, &sold) == PCS_TTL_SOLD && sold && sold->ttl_s == 3600);
    CHECK(pcs_ttl_sale_of("anthropic-5m", 3600001, &sold) == PCS_TTL_ABOVE_LONGEST && sold == NULL);
    CHECK(pcs_ttl_sale_of("openai-bp", 1800000, &sold) == PCS_TTL_SOLD && sold && sold->ttl_s == 1800 &&
          sold->write_multiplier == 1.25);
    /* GPT-5.6+ breakpoints take "30m" or "12h", both written at 1.25x. */
    CHECK(pcs_ttl_sale_of("openai-bp", 1800001, &sold) == PCS_TTL_SOLD && sold && sold->ttl_s == 43200 &&
          sold->write_multiplier == 1.25 && pcs_ttl_class_bills_1h(sold));
    CHECK(pcs_ttl_sale_of("openai-bp", 43200001, NULL) == PCS_TTL_ABOVE_LONGEST);
    CHECK(pcs_ttl_sale_of("gemini", 60000, &sold) == PCS_TTL_NO_CHOICE && sold == NULL);
    CHECK(pcs_ttl_sale_of("deepseek", 60000, NULL) == PCS_TTL_NO_CHOICE);
    CHECK(pcs_ttl_sale_of("breakpoint", 60000, NULL) == PCS_TTL_NO_SELLER);
    CHECK(pcs_ttl_sale_of("openai", 600000, &sold) == PCS_TTL_SOLD && sold && sold->write_multiplier == 0);
    CHECK(strcmp(pcs_ttl_sale_name(PCS_TTL_ABOVE_LONGEST), "not sold: longer than the longest class") == 0);
}

/* The multipliers of the rules file and the catalog's prices state the same
 * facts: Claude Sonnet 4.5 writes at 1.25x and 2x its input price. */
static void test_catalog_agrees(void)
{
    struct pcs_error err = {0};
    pcs_catalog *catalog = pcs_catalog_load_builtin(&err);
    CHECK(catalog != NULL);
    if (!catalog)
        return;
    const struct pcs_model *model = pcs_catalog_resolve(catalog, "claude-sonnet-4-5", NULL);
    CHECK(model != NULL);
    if (model) {
        const struct pcs_price_set *set = pcs_model_prices_at(model, 1795435200.0); /* 2026-11-23 noon */
        double input = set->prices[PCS_PRICE_INPUT].base;
        const struct pcs_ttl_class *five, *hour;
        pcs_ttl_sale_of("anthropic-5m", 300000, &five);
        pcs_ttl_sale_of("anthropic-5m", 3600000, &hour);
        CHECK(five && fabs(set->prices[PCS_PRICE_CACHE_WRITE].base - five->write_multiplier * input) < 1e-9);
        CHECK(hour && fabs(set->prices[PCS_PRICE_CACHE_WRITE_1H].base - hour->write_multiplier * input) < 1e-9);
    }
    pcs_catalog_free(catalog);
}

#define HEAD "{\"schema\": \"pcsim.cache_rules.v1\", \"presets\": [], \"ttl_classes\": ["

static void test_parse(void)
{
    struct pcs_ttl_class classes[2];
    size_t count;
    struct pcs_error err = {0};
    const char *good =
        HEAD "{\"seller\": \"acme\", \"presets\": [\"a\", \"b\"], \"ttl_s\": 600, "
             "\"write_multiplier\": 1.5, \"source\": \"https://example.org\", \"as_of\": \"2026-12-07\"}, "
             "{\"seller\": \"acme\", \"presets\": [\"c\"], \"ttl_s\": null, \"write_multiplier\": 0, "
             "\"source\": \"s\", \"as_of\": \"2026-12-07\"}]}";
    CHECK(pcs_ttl_classes_parse(good, strlen(good), "rules.json", classes, 2, &count, &err) == PCS_OK);
    CHECK_U64(count, 2);
    CHECK(count == 2 && strcmp(classes[0].seller, "acme") == 0 && classes[0].ttl_s == 600 &&
          classes[0].write_multiplier == 1.5 && strcmp(classes[0].presets[1], "b") == 0 && !classes[0].presets[2]);
    CHECK(count == 2 && classes[1].ttl_s == 0 && strcmp(classes[1].presets[0], "c") == 0);
    pcs_ttl_classes_release(classes, count);
    const char *none = "{\"schema\": \"pcsim.cache_rules.v1\", \"presets\": []}";
    CHECK(pcs_ttl_classes_parse(none, strlen(none), "rules.json", classes, 2, &count, &err) == PCS_OK && count == 0);

    static const struct {
        const char *text;
        const char *message;
    } bad[] = {
        {HEAD "{\"presets\": [\"a\"], \"ttl_s\": 1, \"write_multiplier\": 1, \"source\": \"s\", \"as_of\": "
              "\"2026-12-07\"}]}",
         "rules.json: ttl_classes[0].seller: missing"},
        {HEAD "{\"seller\": \"x\", \"presets\": [\"a\"], \"ttl_s\": 0, \"write_multiplier\": 1, \"source\": \"s\", "
              "\"as_of\": \"2026-12-07\"}]}",
         "rules.json: ttl_classes[0].ttl_s: must be a whole number of seconds from 1 to a year, or null"},
        {HEAD "{\"seller\": \"x\", \"presets\": [\"a\"], \"ttl_s\": 60, \"write_multiplier\": -1, \"source\": \"s\", "
              "\"as_of\": \"2026-12-07\"}]}",
         "rules.json: ttl_classes[0].write_multiplier: must be a number >= 0"},
        {HEAD "{\"seller\": \"x\", \"presets\": [], \"ttl_s\": 60, \"write_multiplier\": 1, \"source\": \"s\", "
              "\"as_of\": \"2026-12-07\"}]}",
         "rules.json: ttl_classes[0].presets: must be an array of 1 to 8 preset names"},
        {HEAD "{\"seller\": \"x\", \"presets\": [\"a\"], \"ttl_s\": 60, \"write_multiplier\": 1, \"source\": \"s\", "
              "\"as_of\": \"Dec 2026\"}]}",
         "rules.json: ttl_classes[0].as_of: must be a date YYYY-MM-DD"},
        {HEAD "{\"seller\": \"x\", \"presets\": [\"a\", 3], \"ttl_s\": 60, \"write_multiplier\": 1, \"source\": \"s\", "
              "\"as_of\": \"2026-12-07\"}]}",
         "rules.json: ttl_classes[0].presets[1]: must be a preset name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        CHECK(pcs_ttl_classes_parse(bad[i].text, strlen(bad[i].text), "rules.json", classes, 2, &count, &err) ==
              PCS_ERR_PARSE);
        CHECK(count == 0);
        CHECK_CONTAINS(err.message, bad[i].message);
    }
    const char *three = HEAD "{\"seller\": \"x\", \"presets\": [\"a\"], \"ttl_s\": 1, \"write_multiplier\": 1, "
                             "\"source\": \"s\", \"as_of\": \"2026-12-07\"}, {\"seller\": \"x\", \"presets\": [\"a\"], "
                             "\"ttl_s\": 2, \"write_multiplier\": 1, \"source\": \"s\", \"as_of\": \"2026-12-07\"}, "
                             "{\"seller\": \"x\", \"presets\": [\"a\"], \"ttl_s\": 3, \"write_multiplier\": 1, "
                             "\"source\": \"s\", \"as_of\": \"2026-12-07\"}]}";
    CHECK(pcs_ttl_classes_parse(three, strlen(three), "rules.json", classes, 2, &count, &err) == PCS_ERR_RANGE &&
          count == 0);
}

int main(void)
{
    test_builtin();
    test_sale();
    test_catalog_agrees();
    test_parse();
    return check_summary();
}
