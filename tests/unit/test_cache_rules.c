/* The provider presets as data (scenarios/rules/cache_rules.json): the built-in
 * file loads with a source and a date on every row, a rules document is
 * read field by field, and each broken field is named. */
#include "check.h"
#include "pcsim/cache.h"
#include "pcsim/pricing.h"

#include <string.h>

static void test_builtin(void)
{
    size_t count;
    struct pcs_error err = {0};
    const struct pcs_cache_rule *rules = pcs_cache_rules(&count, &err);
    CHECK_U64(count, 12); /* openai, openai-24h, openai-bp, anthropic-5m/1h, gemini, deepseek, five generic */
    for (size_t i = 0; i < count; i++) {
        CHECK(rules[i].source && rules[i].source[0] != '\0');
        CHECK(rules[i].as_of && strlen(rules[i].as_of) == 10 && rules[i].as_of[4] == '-');
    }
    /* DESIGN §7: deepseek serves whole prefix units, no minimum, no
     * rounding inside a unit; the preset reads its row. */
    const struct pcs_cache_rule *deepseek = pcs_cache_rule_find("deepseek");
    CHECK(deepseek && deepseek->policy == PCS_POLICY_OPENAI && deepseek->granularity == 1 && deepseek->min_tokens == 0);
    struct pcs_cache_config config;
    CHECK(pcs_cache_preset("deepseek", &config) == PCS_OK);
    CHECK(deepseek && config.ttl_ms == deepseek->ttl_s * 1000 && config.granularity == deepseek->granularity);
    CHECK(pcs_cache_rule_find("no-such-preset") == NULL);
    const char *first = pcs_cache_preset_name(0);
    CHECK(first && strcmp(first, "openai") == 0 && pcs_cache_preset_name((unsigned)count) == NULL);
}

#define ROW_HEAD "{\"schema\": \"pcsim.cache_rules.v1\", \"presets\": ["

static enum pcs_status parse(const char *text, struct pcs_cache_rule *rules, size_t *count, struct pcs_error *err)
{
    return pcs_cache_rules_parse(text, strlen(text), "rules.json", rules, 4, count, err);
}

static void test_parse(void)
{
    struct pcs_cache_rule rules[4];
    size_t count;
    struct pcs_error err = {0};
    /* A changed rule is a changed row: Gemini's minimum at 2048. */
    const char *good = ROW_HEAD "{\"name\": \"gemini\", \"policy\": \"openai\", \"ttl_s\": 300, \"min_tokens\": 2048, "
                                "\"granularity\": 1, \"per_model\": true, \"source\": \"https://example.org/caching\", "
                                "\"as_of\": \"2026-12-01\"}]}";
    CHECK(parse(good, rules, &count, &err) == PCS_OK);
    CHECK_U64(count, 1);
    CHECK(count == 1 && strcmp(rules[0].name, "gemini") == 0 && rules[0].policy == PCS_POLICY_OPENAI);
    CHECK(count == 1 && rules[0].ttl_s == 300 && rules[0].min_tokens == 2048 && rules[0].granularity == 1 &&
          rules[0].per_model == 1);
    CHECK(count == 1 && strcmp(rules[0].source, "https://example.org/caching") == 0 &&
          strcmp(rules[0].as_of, "2026-12-01") == 0);
    pcs_cache_rules_release(rules, count);

    static const struct {
        const char *text;
        const char *message;
    } bad[] = {
        {ROW_HEAD "{\"name\": \"x\", \"policy\": \"openai\", \"ttl_s\": 300, \"min_tokens\": 0, \"granularity\": 1, "
                  "\"per_model\": false, \"as_of\": \"2026-12-01\"}]}",
         "rules.json: presets[0].source: missing"},
        {ROW_HEAD "{\"name\": \"x\", \"policy\": \"lfu\", \"ttl_s\": 300, \"min_tokens\": 0, \"granularity\": 1, "
                  "\"per_model\": false, \"source\": \"s\", \"as_of\": \"2026-12-01\"}]}",
         "rules.json: presets[0].policy: unknown policy \"lfu\""},
        {ROW_HEAD "{\"name\": \"x\", \"policy\": \"ttl\", \"ttl_s\": 300, \"min_tokens\": 0, \"granularity\": 1, "
                  "\"per_model\": false, \"source\": \"s\", \"as_of\": \"Dec 2026\"}]}",
         "rules.json: presets[0].as_of: must be a date YYYY-MM-DD"},
        {ROW_HEAD "{\"name\": \"x\", \"policy\": \"ttl\", \"ttl_s\": 0, \"min_tokens\": 0, \"granularity\": 1, "
                  "\"per_model\": false, \"source\": \"s\", \"as_of\": \"2026-12-01\"}]}",
         "rules.json: presets[0].ttl_s: must be a whole number of at least 1"},
        {ROW_HEAD "{\"name\": \"x\", \"policy\": \"ttl\", \"ttl_s\": 300, \"min_tokens\": 1.5, \"granularity\": 1, "
                  "\"per_model\": false, \"source\": \"s\", \"as_of\": \"2026-12-01\"}]}",
         "rules.json: presets[0].min_tokens: must be a whole number"},
        {ROW_HEAD "{\"name\": \"x\", \"policy\": \"ttl\", \"ttl_s\": 300, \"min_tokens\": 0, \"granularity\": 1, "
                  "\"source\": \"s\", \"as_of\": \"2026-12-01\"}]}",
         "rules.json: presets[0].per_model: missing"},
        {ROW_HEAD "{\"name\": \"x\", \"policy\": \"ttl\", \"ttl_s\": 300, \"min_tokens\": 0, \"granularity\": 1, "
                  "\"per_model\": false, \"source\": \"s\", \"as_of\": \"2026-12-01\"}, {\"name\": \"x\", \"policy\": "
                  "\"ttl\", \"ttl_s\": 300, \"min_tokens\": 0, \"granularity\": 1, \"per_model\": false, \"source\": "
                  "\"s\", \"as_of\": \"2026-12-01\"}]}",
         "rules.json: presets[1].name: \"x\" given twice"},
        {"{\"schema\": \"pcsim.catalog.v1\", \"presets\": []}", "rules.json: schema: must be \"pcsim.cache_rules.v1\""},
        {"{\"schema\": \"pcsim.cache_rules.v1\",\n \"presets\": [}", "rules.json:2:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.message[0] = '\0';
        CHECK(parse(bad[i].text, rules, &count, &err) != PCS_OK);
        CHECK_U64(count, 0);
        CHECK_CONTAINS(err.message, bad[i].message);
    }
}

/* DESIGN §3 "Refinements": a preset's default for a parameter is a row of
 * the refinements table, set by pcs_cache_preset. */
#define TWO_PRESETS                                                                                                    \
    "{\"schema\": \"pcsim.cache_rules.v1\", \"presets\": [{\"name\": \"p\", \"policy\": \"openai\", \"ttl_s\": 300, "  \
    "\"min_tokens\": 0, \"granularity\": 1, \"per_model\": false, \"source\": \"s\", \"as_of\": \"2026-12-01\"}, "     \
    "{\"name\": \"n\", \"policy\": \"none\", \"ttl_s\": 300, \"min_tokens\": 0, \"granularity\": 1, \"per_model\": "   \
    "false, \"source\": \"s\", \"as_of\": \"2026-12-01\"}], \"refinements\": ["
#define REFINEMENT(preset, parameter, value)                                                                           \
    "{\"preset\": \"" preset "\", \"parameter\": \"" parameter "\", \"value\": " value                                 \
    ", \"source\": \"cookbook\", \"as_of\": \"2026-12-07\"}"

static void test_refinements(void)
{
    struct pcs_cache_rule rules[4];
    size_t count;
    struct pcs_error err = {0};
    CHECK(parse(TWO_PRESETS REFINEMENT("p", "overflow_rpm", "15") "]}", rules, &count, &err) == PCS_OK);
    CHECK_U64(count, 2);
    CHECK(count == 2 && rules[0].refinement_count == 1 && rules[1].refinement_count == 0);
    if (count == 2 && rules[0].refinement_count == 1) {
        CHECK(rules[0].refinements[0].param == PCS_PARAM_OVERFLOW_RPM);
        CHECK_U64(rules[0].refinements[0].value, 15);
        CHECK(strcmp(rules[0].refinements[0].source, "cookbook") == 0);
        CHECK(strcmp(rules[0].refinements[0].as_of, "2026-12-07") == 0);
    }
    pcs_cache_rules_release(rules, count);

    static const struct {
        const char *row;
        const char *message;
    } bad[] = {
        {REFINEMENT("q", "overflow_rpm", "15"), "rules.json: refinements[0].preset: unknown preset \"q\""},
        {REFINEMENT("p", "overflow", "15"), "rules.json: refinements[0].parameter: unknown parameter \"overflow\""},
        {REFINEMENT("n", "overflow_rpm", "15"),
         "rules.json: refinements[0].parameter: preset \"n\" (policy none) does not use overflow_rpm"},
        {REFINEMENT("p", "overflow_rpm", "1.5"), "rules.json: refinements[0].value: must be a whole number"},
        {REFINEMENT("p", "overflow_rpm", "-1"), "rules.json: refinements[0].value: must be a whole number"},
        {REFINEMENT("p", "overflow_rpm", "\"15\""), "rules.json: refinements[0].value: must be a whole number"},
        {REFINEMENT("p", "overflow_rpm", "15") ", " REFINEMENT("p", "overflow_rpm", "20"),
         "rules.json: refinements[1].parameter: overflow_rpm of preset \"p\" given twice"},
        {"{\"preset\": \"p\", \"parameter\": \"overflow_rpm\", \"value\": 15, \"as_of\": \"2026-12-07\"}",
         "rules.json: refinements[0].source: missing"},
        {"{\"preset\": \"p\", \"parameter\": \"overflow_rpm\", \"source\": \"s\", \"as_of\": \"2026-12-07\"}",
         "rules.json: refinements[0].value: missing"},
        {"{\"preset\": \"p\", \"parameter\": \"overflow_rpm\", \"value\": 15, \"source\": \"s\", \"as_of\": \"soon\"}",
         "rules.json: refinements[0].as_of: must be a date YYYY-MM-DD"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text, "%s%s]}", TWO_PRESETS, bad[i].row);
        err.message[0] = '\0';
        CHECK(parse(text, rules, &count, &err) != PCS_OK);
        CHECK_U64(count, 0);
        CHECK_CONTAINS(err.message, bad[i].message);
    }
    /* A switch takes 0 or 1 only. */
    const char *markers =
        "{\"schema\": \"pcsim.cache_rules.v1\", \"presets\": [{\"name\": \"b\", \"policy\": "
        "\"breakpoint\", \"ttl_s\": 300, \"min_tokens\": 0, \"granularity\": 1, \"per_model\": false, "
        "\"source\": \"s\", \"as_of\": \"2026-12-01\"}], \"refinements\": [" REFINEMENT("b", "ttl_overrides_markers",
                                                                                        "2") "]}";
    CHECK(parse(markers, rules, &count, &err) != PCS_OK);
    CHECK_CONTAINS(err.message, "rules.json: refinements[0].value: must be 0 or 1");

    /* The built-in rules: overflow routing at 15 requests a minute in the
     * OpenAI presets (OpenAI's Prompt Caching 201 cookbook), off elsewhere. */
    static const char *const routed[] = {"openai", "openai-24h", "openai-bp"};
    for (size_t i = 0; i < 3; i++) {
        struct pcs_cache_config config;
        CHECK(pcs_cache_preset(routed[i], &config) == PCS_OK);
        CHECK_U64(config.overflow_rpm, 15);
        const struct pcs_cache_rule *rule = pcs_cache_rule_find(routed[i]);
        CHECK(rule && rule->refinement_count >= 1 && strstr(rule->refinements[0].source, "Prompt Caching 201"));
    }
    static const char *const unrouted[] = {"anthropic-5m", "anthropic-1h", "gemini", "deepseek", "ttl",
                                           "breakpoint",   "ideal",        "lru",    "none"};
    for (size_t i = 0; i < sizeof unrouted / sizeof unrouted[0]; i++) {
        struct pcs_cache_config config;
        CHECK(pcs_cache_preset(unrouted[i], &config) == PCS_OK);
        CHECK_U64(config.overflow_rpm, 0);
    }
}

/* Two requests 1 s apart sharing one bound that ends at tokens (the whole
 * prompt): what the second reads under Gemini 2.5 Flash's own cache. */
static uint64_t gemini_flash_second_read(const struct pcs_cache_config *config, uint32_t tokens)
{
    uint64_t unit = 42;
    uint32_t end = tokens;
    struct pcs_request req;
    memset(&req, 0, sizeof req);
    req.model = 1;
    req.input_tokens = tokens;
    req.output_tokens = 1;
    req.bound_count = 1;
    req.units = &unit;
    req.ends = &end;
    req.ok = 1;
    struct pcs_error err;
    pcs_cache *cache = pcs_cache_new(config, &err);
    struct pcs_usage first, second;
    CHECK(cache && pcs_cache_access(cache, &req, &first) == PCS_OK);
    req.t_ms = 1000;
    CHECK(cache && pcs_cache_access(cache, &req, &second) == PCS_OK);
    pcs_cache_free(cache);
    return cache ? second.cache_read : UINT64_MAX;
}

/* Issue #18: Gemini's implicit cache needs 2048 tokens on 2.5 Flash and
 * 4096 on 3.x (ai.google.dev/gemini-api/docs/caching, updated 2026-10-13).
 * DESIGN §3, the openai policy: a read is 0 when the prompt or the match is
 * below min, else the match (granularity 1 for gemini). */
static void test_gemini_minimums(void)
{
    struct pcs_error err;
    pcs_catalog *catalog = pcs_catalog_load_builtin(&err);
    CHECK(catalog != NULL);
    if (!catalog)
        return;
    const struct pcs_model *flash = pcs_catalog_resolve(catalog, "gemini-2.5-flash", NULL);
    const struct pcs_model *three = pcs_catalog_resolve(catalog, "gemini-3-pro-preview", NULL);
    CHECK(flash && three);
    struct pcs_cache_config config;
    if (flash && pcs_model_cache_config("auto", flash, &config) == PCS_OK) {
        CHECK(config.policy == PCS_POLICY_OPENAI);
        CHECK_U64(config.min_tokens, 2048);
        CHECK_U64(config.granularity, 1);
        CHECK_U64(gemini_flash_second_read(&config, 2047), 0);
        CHECK_U64(gemini_flash_second_read(&config, 2048), 2048);
    } else {
        CHECK(!"gemini-2.5-flash has a cache configuration");
    }
    if (three && pcs_model_cache_config("auto", three, &config) == PCS_OK)
        CHECK_U64(config.min_tokens, 4096);
    pcs_catalog_free(catalog);
}

int main(void)
{
    test_gemini_minimums();
    test_builtin();
    test_parse();
    test_refinements();
    return check_summary();
}
