/* Report helpers (src/report/report_util.c): money as people read it, one
 * precision per column, and counts with their noun in the right number;
 * the column tables (src/report/columns.c) are well formed; a JSON writer
 * that runs out of memory says so and prints nothing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report/columns.h"
#include "report/report_util.h"

#define CHECK_TEXT(actual, expected)                                                                                   \
    do {                                                                                                               \
        const char *check_x = (actual);                                                                                \
        if (strcmp(check_x, (expected)) == 0) {                                                                        \
            check_passed++;                                                                                            \
        } else {                                                                                                       \
            check_failed++;                                                                                            \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual, check_x,            \
                    (expected));                                                                                       \
        }                                                                                                              \
    } while (0)

/* A column's precision: three significant digits for its smallest
 * non-zero amount, at least cents, at most six decimals; every amount of
 * the column printed with it. */
static void test_money_column(void)
{
    char buf[64];
    const double costs[] = {34.6193, 3.3479, 0, 160.8691};
    struct report_money money = pcs_report_money_of(costs, 4);
    CHECK_U64(money.decimals, 2);
    CHECK_TEXT(pcs_report_money_text(&money, 3.3479, buf, sizeof buf), "3.35");
    CHECK_TEXT(pcs_report_money_text(&money, 160.8691, buf, sizeof buf), "160.87");
    CHECK_TEXT(pcs_report_money_text(&money, 0, buf, sizeof buf), "0.00");
    CHECK_TEXT(pcs_report_money_text(&money, -10.8691, buf, sizeof buf), "-10.87");

    const double means[] = {0.05, 0.10951648, 0.06900698};
    money = pcs_report_money_of(means, 3);
    CHECK_U64(money.decimals, 4);
    CHECK_TEXT(pcs_report_money_text(&money, 0.05, buf, sizeof buf), "0.0500");
    CHECK_TEXT(pcs_report_money_text(&money, 0.10951648, buf, sizeof buf), "0.1095");
    /* A spread beside them takes their precision. */
    CHECK_TEXT(pcs_report_money_dollars(&money, 0.00037388, buf, sizeof buf), "$0.0004");
    CHECK_TEXT(pcs_report_money_dollars(&money, -0.0690, buf, sizeof buf), "-$0.0690");

    /* Non-finite amounts change nothing and print as n/a. */
    pcs_report_money_add(&money, NAN);
    pcs_report_money_add(&money, INFINITY);
    CHECK_U64(money.decimals, 4);
    CHECK_TEXT(pcs_report_money_text(&money, NAN, buf, sizeof buf), "n/a");

    /* Never more than six decimals. */
    const double tiny[] = {2.5, 1e-9};
    money = pcs_report_money_of(tiny, 2);
    CHECK_U64(money.decimals, REPORT_MONEY_MAX_DECIMALS);
    CHECK_TEXT(pcs_report_money_text(&money, 2.5, buf, sizeof buf), "2.500000");
}

/* A non-zero amount never reads as zero: below the column's last digit it
 * says so. */
static void test_money_tiny(void)
{
    char buf[64];
    struct report_money money;
    pcs_report_money_init(&money);
    CHECK_TEXT(pcs_report_money_text(&money, 0.004, buf, sizeof buf), "<0.01");
    CHECK_TEXT(pcs_report_money_dollars(&money, 0.004, buf, sizeof buf), "<$0.01");
    CHECK_TEXT(pcs_report_money_dollars(&money, -0.004, buf, sizeof buf), ">-$0.01");
    CHECK_TEXT(pcs_report_money_text(&money, 0.005, buf, sizeof buf), "0.01");
    CHECK_TEXT(pcs_report_money_text(&money, -0.0, buf, sizeof buf), "0.00");
    money.decimals = REPORT_MONEY_MAX_DECIMALS;
    CHECK_TEXT(pcs_report_money_text(&money, 1e-9, buf, sizeof buf), "<0.000001");
    /* On its own an amount gets its own precision. */
    CHECK_TEXT(pcs_report_usd(0.000412345, buf, sizeof buf), "0.000412");
    CHECK_TEXT(pcs_report_usd(187.2905, buf, sizeof buf), "187.29");
    CHECK_TEXT(pcs_report_usd(150, buf, sizeof buf), "150.00");
    CHECK_TEXT(pcs_report_usd(1e-12, buf, sizeof buf), "<0.000001");
}

static void test_counts(void)
{
    char buf[64];
    CHECK_TEXT(pcs_report_count(0, "request", "requests", buf, sizeof buf), "0 requests");
    CHECK_TEXT(pcs_report_count(1, "request", "requests", buf, sizeof buf), "1 request");
    CHECK_TEXT(pcs_report_count(2, "request", "requests", buf, sizeof buf), "2 requests");
    CHECK_TEXT(pcs_report_count(1234567, "strategy", "strategies", buf, sizeof buf), "1,234,567 strategies");
    CHECK_TEXT(pcs_report_count(1, "strategy", "strategies", buf, sizeof buf), "1 strategy");
    CHECK_TEXT(pcs_report_noun(1, "token", "tokens"), "token");
    CHECK_TEXT(pcs_report_noun(1024, "token", "tokens"), "tokens");
    /* The article follows the phrase, not one format: a new format without prefixes reads right. */
    CHECK_TEXT(pcs_report_article("Azure CSV"), "an");
    CHECK_TEXT(pcs_report_article("toy CSV"), "a");
}

/* Every column is shown somewhere, reads its value the way its kind
 * spells it, has a text width when text shows it, and no two columns of a
 * table share a name in one format. */
static void check_table(const struct report_table *table)
{
    CHECK(table->count > 0 && table->count <= REPORT_MAX_COLUMNS);
    for (size_t i = 0; i < table->count; i++) {
        const struct report_column *column = &table->columns[i];
        CHECK(column->text_header || column->html_header || column->csv_name || column->json_key);
        if (column->kind == REPORT_KIND_COUNT || column->kind == REPORT_KIND_TOKENS)
            CHECK(!column->number &&
                  (column->count || column->usage_offset + sizeof(uint64_t) <= sizeof(struct pcs_usage)));
        else
            CHECK(column->number && !column->count);
        CHECK(!column->text_header || column->text_width > 0);
        CHECK(column->priced == (column->kind == REPORT_KIND_MONEY));
        for (size_t j = 0; j < i; j++) {
            const struct report_column *other = &table->columns[j];
            CHECK(!column->csv_name || !other->csv_name || strcmp(column->csv_name, other->csv_name) != 0);
            CHECK(!column->json_key || !other->json_key || strcmp(column->json_key, other->json_key) != 0);
            CHECK(!column->html_header || !other->html_header || strcmp(column->html_header, other->html_header) != 0);
        }
    }
}

static void test_tables(void)
{
    check_table(&pcs_report_replay_table);
    check_table(&pcs_report_sweep_table);
}

/* cJSON's allocator, failing from the allocation numbered fail_at on. */
static long allocations, fail_at;

static void *failing_malloc(size_t size)
{
    return allocations++ >= fail_at ? NULL : malloc(size);
}

/* A small sweep's JSON with every allocation from the first to the last
 * failing in turn: PCS_ERR_NOMEM and nothing printed, until there are
 * enough allocations and the document is whole. */
static void test_json_out_of_memory(void)
{
    struct pcs_usage usages[3] = {{10, 1000, 200, 300, 0, 50}, {10, 1000, 400, 100, 0, 50}, {10, 1000, 600, 0, 0, 50}};
    struct pcs_sweep_point points[2] = {{.ttl_ms = 60000, .total = usages[0], .priced = 1, .cost = {.total = 0.5}},
                                        {.ttl_ms = 300000, .total = usages[1], .priced = 1, .cost = {.total = 0.25}}};
    struct pcs_sweep_result result = {.point_count = 2,
                                      .points = points,
                                      .ideal = usages[2],
                                      .priced = 1,
                                      .ideal_cost = 0.125,
                                      .without_cache_cost = 1.0};
    result.base.policy = PCS_POLICY_TTL;
    const char *paths[] = {"trace.jsonl"};
    struct pcs_sweep_report report = {
        .paths = paths, .path_count = 1, .preset = "ttl", .result = &result, .catalog_source = "test"};
    FILE *out = tmpfile();
    CHECK(out != NULL);
    if (!out)
        return;
    cJSON_Hooks hooks = {failing_malloc, free};
    cJSON_InitHooks(&hooks);
    enum pcs_status status = PCS_ERR_NOMEM;
    int silent = 1;
    for (fail_at = 0; status == PCS_ERR_NOMEM && fail_at < 100000; fail_at++) {
        allocations = 0;
        rewind(out);
        status = pcs_report_sweep_json(out, &report);
        if (status == PCS_ERR_NOMEM && ftell(out) != 0)
            silent = 0;
    }
    cJSON_InitHooks(NULL);
    CHECK(fail_at > 10);     /* many allocations failed in turn */
    CHECK(status == PCS_OK); /* then the document was whole */
    CHECK(silent);           /* and no failure printed a part of it */
    CHECK(ftell(out) > 0);
    fclose(out);
}

int main(void)
{
    test_tables();
    test_json_out_of_memory();
    test_money_column();
    test_money_tiny();
    test_counts();
    return check_summary();
}
