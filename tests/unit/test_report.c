/* Report helpers (src/report/report_util.c): money as people read it, one
 * precision per column, and counts with their noun in the right number. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "report/report_util.h"

#define CHECK_TEXT(actual, expected)                                                                  \
    do {                                                                                              \
        const char *check_x = (actual);                                                               \
        if (strcmp(check_x, (expected)) == 0) {                                                       \
            check_passed++;                                                                           \
        } else {                                                                                      \
            check_failed++;                                                                           \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual, check_x, \
                    (expected));                                                                      \
        }                                                                                             \
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
}

int main(void)
{
    test_money_column();
    test_money_tiny();
    test_counts();
    return check_summary();
}
