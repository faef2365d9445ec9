/* Summaries, paired comparisons and the log histogram (stats.h), on small
 * arrays computed by hand.
 *
 * Quantiles are GSL's gsl_stats_quantile_from_sorted_data: for a share f of
 * n sorted values x[0..n), delta = (n - 1) f, i = floor(delta), and the
 * quantile is (1 - (delta - i)) x[i] + (delta - i) x[i + 1]. The 95% CIs use
 * t(0.975, n - 1): 12.706204736174698 (1 degree of freedom),
 * 3.182446305284263 (3), 2.7764451051977987 (4). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "pcsim/stats.h"

static void check_near(const char *what, double actual, double expected, double tolerance)
{
    int ok = fabs(actual - expected) <= tolerance;
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s: %.17g, expected %.17g +- %.3g\n", what, actual, expected, tolerance);
}

/* ------------------------------------------------------------ summaries */

static void test_summary_four(void)
{
    /* 1, 2, 3, 4 given out of order: mean 2.5; sd^2 = (1.5^2 + 0.5^2 +
     * 0.5^2 + 1.5^2) / 3 = 5/3, sd 1.2909944487358056;
     * p5: delta 3 * 0.05 = 0.15 -> 1 + 0.15 (2 - 1) = 1.15;
     * p50: delta 1.5 -> 2.5; p95: delta 2.85 -> 3.85; p99: delta 2.97 -> 3.97;
     * CI half-width 3.182446305284263 * 1.2909944487358056 / 2
     * = 2.054260256760879. */
    const double values[] = {4, 1, 3, 2};
    struct pcs_summary summary;
    CHECK(pcs_summarize(values, 4, &summary) == PCS_OK);
    CHECK(values[0] == 4 && values[1] == 1 && values[2] == 3 && values[3] == 2); /* not sorted in place */
    CHECK_U64(summary.n, 4);
    check_near("mean", summary.mean, 2.5, 1e-15);
    check_near("sd", summary.sd, 1.2909944487358056, 1e-15);
    CHECK(summary.min == 1 && summary.max == 4);
    check_near("p5", summary.p5, 1.15, 1e-15);
    check_near("p50", summary.p50, 2.5, 1e-15);
    check_near("p95", summary.p95, 3.85, 1e-15);
    check_near("p99", summary.p99, 3.97, 1e-15);
    check_near("ci95_low", summary.ci95_low, 2.5 - 2.054260256760879, 1e-12);
    check_near("ci95_high", summary.ci95_high, 2.5 + 2.054260256760879, 1e-12);
    check_near("relative half-width", pcs_summary_relative_half_width(&summary), 2.054260256760879 / 2.5, 1e-12);
}

static void test_summary_five(void)
{
    /* 10, 20, 30, 40, 100: mean 40; squares of deviations 900 + 400 + 100 +
     * 0 + 3600 = 5000, sd sqrt(5000 / 4) = 35.35533905932738;
     * p5: delta 4 * 0.05 = 0.2 -> 12; p50: delta 2 -> 30;
     * p95: delta 3.8 -> 40 + 0.8 * 60 = 88; p99: delta 3.96 -> 97.6;
     * CI half-width 2.7764451051977987 * 35.35533905932738 / sqrt 5
     * = 43.89945165425422. */
    const double values[] = {30, 100, 10, 40, 20};
    struct pcs_summary summary;
    CHECK(pcs_summarize(values, 5, &summary) == PCS_OK);
    check_near("mean", summary.mean, 40, 1e-13);
    check_near("sd", summary.sd, 35.35533905932738, 1e-12);
    CHECK(summary.min == 10 && summary.max == 100);
    check_near("p5", summary.p5, 12, 1e-13);
    check_near("p50", summary.p50, 30, 1e-13);
    check_near("p95", summary.p95, 88, 1e-13);
    check_near("p99", summary.p99, 97.6, 1e-12);
    check_near("ci95_low", summary.ci95_low, 40 - 43.89945165425422, 1e-10);
    check_near("ci95_high", summary.ci95_high, 40 + 43.89945165425422, 1e-10);
}

static void test_summary_edges(void)
{
    struct pcs_summary summary;
    /* n = 0: no figure has a value (NaN, never 0), and values may be NULL. */
    memset(&summary, 0, sizeof summary);
    CHECK(pcs_summarize(NULL, 0, &summary) == PCS_OK);
    CHECK(summary.n == 0 && !pcs_has_value(summary.mean) && !pcs_has_value(summary.sd));
    CHECK(!pcs_has_value(summary.min) && !pcs_has_value(summary.max));
    CHECK(!pcs_has_value(summary.p5) && !pcs_has_value(summary.p50) && !pcs_has_value(summary.p95) &&
          !pcs_has_value(summary.p99));
    CHECK(!pcs_has_value(summary.ci95_low) && !pcs_has_value(summary.ci95_high));
    CHECK(!pcs_has_value(pcs_summary_relative_half_width(&summary)));

    /* n = 1: the value everywhere, but no spread: sd and CI have no value
     * (a zero-width interval would claim certainty). */
    const double one[] = {7};
    CHECK(pcs_summarize(one, 1, &summary) == PCS_OK);
    CHECK(summary.n == 1 && summary.mean == 7 && !pcs_has_value(summary.sd) && summary.min == 7 && summary.max == 7);
    CHECK(summary.p5 == 7 && summary.p50 == 7 && summary.p95 == 7 && summary.p99 == 7);
    CHECK(!pcs_has_value(summary.ci95_low) && !pcs_has_value(summary.ci95_high));
    CHECK(!pcs_has_value(pcs_summary_relative_half_width(&summary)));
    CHECK(pcs_has_value(0) && pcs_has_value(-1) && pcs_has_value(INFINITY) && !pcs_has_value(NAN));

    /* -1, -3: mean -2, sd sqrt 2, half-width 12.7062047 sqrt 2 / sqrt 2;
     * the relative half-width divides by |mean|. */
    const double negative[] = {-1, -3};
    CHECK(pcs_summarize(negative, 2, &summary) == PCS_OK);
    check_near("ci95_low", summary.ci95_low, -2 - 12.706204736174698, 1e-11);
    check_near("relative half-width", pcs_summary_relative_half_width(&summary), 12.706204736174698 / 2, 1e-11);

    /* Mean 0: infinite relative width when the CI has width, 0 when not. */
    const double around_zero[] = {-1, 1};
    CHECK(pcs_summarize(around_zero, 2, &summary) == PCS_OK);
    CHECK(summary.mean == 0);
    CHECK(isinf(pcs_summary_relative_half_width(&summary)));
    const double zeros[] = {0, 0, 0};
    CHECK(pcs_summarize(zeros, 3, &summary) == PCS_OK);
    CHECK(summary.ci95_low == 0 && summary.ci95_high == 0);
    CHECK(pcs_summary_relative_half_width(&summary) == 0);
}

/* ---------------------------------------------------------------- paired */

static void test_paired(void)
{
    struct pcs_paired paired;
    const double same[] = {3, 5, 8, 1.25};
    CHECK(pcs_compare_paired(same, same, 4, &paired) == PCS_OK);
    CHECK_U64(paired.n, 4);
    CHECK(paired.mean_difference == 0 && paired.ci95_low == 0 && paired.ci95_high == 0);
    CHECK(paired.p_cheaper == 0);

    /* d = b - a = -1, 0, -2, 1: mean -0.5, sd sqrt(5/3) as in
     * test_summary_four, so the CI is -0.5 -/+ 2.054260256760879; b is
     * cheaper in trials 0 and 2: p_cheaper 0.5. */
    const double a[] = {10, 12, 9, 11};
    const double b[] = {9, 12, 7, 12};
    CHECK(pcs_compare_paired(a, b, 4, &paired) == PCS_OK);
    check_near("mean_difference", paired.mean_difference, -0.5, 1e-15);
    check_near("paired ci95_low", paired.ci95_low, -0.5 - 2.054260256760879, 1e-12);
    check_near("paired ci95_high", paired.ci95_high, -0.5 + 2.054260256760879, 1e-12);
    CHECK(paired.p_cheaper == 0.5);
    /* Swapped, everything mirrors; a is cheaper only in trial 3. */
    CHECK(pcs_compare_paired(b, a, 4, &paired) == PCS_OK);
    check_near("mirrored mean_difference", paired.mean_difference, 0.5, 1e-15);
    check_near("mirrored ci95_low", paired.ci95_low, 0.5 - 2.054260256760879, 1e-12);
    CHECK(paired.p_cheaper == 0.25);

    CHECK(pcs_compare_paired(NULL, NULL, 0, &paired) == PCS_OK);
    CHECK(paired.n == 0 && !pcs_has_value(paired.mean_difference) && !pcs_has_value(paired.p_cheaper));
    CHECK(!pcs_has_value(paired.ci95_low) && !pcs_has_value(paired.ci95_high));
    const double one_a[] = {2};
    const double one_b[] = {1};
    CHECK(pcs_compare_paired(one_a, one_b, 1, &paired) == PCS_OK);
    CHECK(paired.mean_difference == -1 && !pcs_has_value(paired.ci95_low) && !pcs_has_value(paired.ci95_high));
    CHECK(paired.p_cheaper == 1);
}

/* ------------------------------------------------------------- histogram */

static void test_histogram_bins(void)
{
    /* low 1, high 1000, 3 bins: [1, 10), [10, 100), [100, 1000); bin of v
     * is floor(3 log(v) / log(1000)) = floor(log10 v). */
    struct pcs_log_histogram h;
    CHECK(pcs_log_histogram_init(&h, 1, 1000, 3) == PCS_OK);
    const double values[] = {5, 50, 500, 0, 1, 0.5, 1000, 5000};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        pcs_log_histogram_add(&h, values[i]);
    pcs_log_histogram_add(&h, NAN); /* not counted */
    CHECK_U64(h.counts[0], 3);     /* 0, 0.5, and 1 == low */
    CHECK_U64(h.counts[1], 1);
    CHECK_U64(h.counts[2], 1);
    CHECK_U64(h.counts[3], 1);
    CHECK_U64(h.counts[4], 2);     /* 1000 == high, 5000 */
    CHECK_U64(h.total, 8);
    CHECK(h.sum == 6556.5);
    CHECK(h.min == 0 && h.max == 5000);

    /* q 0 and 1 are min and max. q 0.5 is rank 4 of 8: past the 3
     * underflows, all of bin [1, 10): its top, 10. q 0.25 is rank 2: 2/3
     * into the underflow bin [min, low] = [0, 1], linear since min is 0.
     * q 0.875 is rank 7: half into the overflow bin [1000, max 5000],
     * log-linearly 1000 * 5^0.5 = 2236.0679774997896. */
    CHECK(pcs_log_histogram_quantile(&h, 0) == 0);
    CHECK(pcs_log_histogram_quantile(&h, 1) == 5000);
    check_near("q 0.5", pcs_log_histogram_quantile(&h, 0.5), 10, 1e-12);
    check_near("q 0.25", pcs_log_histogram_quantile(&h, 0.25), 2.0 / 3, 1e-15);
    check_near("q 0.875", pcs_log_histogram_quantile(&h, 0.875), 2236.0679774997896, 1e-9);
    /* q outside [0, 1] is clamped. */
    CHECK(pcs_log_histogram_quantile(&h, -1) == 0);
    CHECK(pcs_log_histogram_quantile(&h, 2) == 5000);
    pcs_log_histogram_free(&h);
    pcs_log_histogram_free(&h); /* twice is harmless */
    pcs_log_histogram_free(NULL);
}

static void test_histogram_quantiles(void)
{
    /* 1, 2, ..., 10000 in bins of ratio (2e4 / 0.5)^(1/460) = 1.0233: the
     * q-quantile, 1 + 9999 q by GSL's definition, within one bin width
     * (v (ratio - 1)) plus 1 for the spacing of the data. */
    const double ratio = exp(log(2e4 / 0.5) / 460);
    struct pcs_log_histogram h;
    CHECK(pcs_log_histogram_init(&h, 0.5, 2e4, 460) == PCS_OK);
    for (int v = 1; v <= 10000; v++)
        pcs_log_histogram_add(&h, v);
    CHECK_U64(h.counts[0], 0);
    CHECK_U64(h.counts[461], 0);
    const double shares[] = {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999};
    for (size_t i = 0; i < sizeof shares / sizeof shares[0]; i++) {
        double expected = 1 + 9999 * shares[i];
        check_near("histogram quantile", pcs_log_histogram_quantile(&h, shares[i]), expected,
                   expected * (ratio - 1) + 1);
    }
    CHECK(pcs_log_histogram_quantile(&h, 0) == 1);
    CHECK(pcs_log_histogram_quantile(&h, 1) == 10000);
    /* Monotone in q. */
    int monotone = 1;
    double previous = 0;
    for (int step = 0; step <= 1000; step++) {
        double value = pcs_log_histogram_quantile(&h, step / 1000.0);
        if (value < previous)
            monotone = 0;
        previous = value;
    }
    CHECK(monotone);
    pcs_log_histogram_free(&h);
}

static void test_histogram_merge(void)
{
    struct pcs_log_histogram odd, even, all, empty;
    CHECK(pcs_log_histogram_init(&odd, 1e-4, 1e3, 140) == PCS_OK);
    CHECK(pcs_log_histogram_init(&even, 1e-4, 1e3, 140) == PCS_OK);
    CHECK(pcs_log_histogram_init(&all, 1e-4, 1e3, 140) == PCS_OK);
    CHECK(pcs_log_histogram_init(&empty, 1e-4, 1e3, 140) == PCS_OK);
    for (int i = 0; i < 5000; i++) {
        double value = 1e-4 * i * i + 0.37 * (i % 7); /* zeros, spread, overflow */
        pcs_log_histogram_add(i % 2 ? &odd : &even, value);
        pcs_log_histogram_add(&all, value);
    }
    /* Merging into an empty histogram takes min and max from the other. */
    CHECK(pcs_log_histogram_merge(&empty, &odd) == PCS_OK);
    CHECK(empty.min == odd.min && empty.max == odd.max && empty.total == odd.total);
    CHECK(pcs_log_histogram_merge(&empty, &even) == PCS_OK);
    CHECK(memcmp(empty.counts, all.counts, (all.bins + 2) * sizeof *all.counts) == 0);
    CHECK_U64(empty.total, all.total);
    CHECK(empty.min == all.min && empty.max == all.max);
    check_near("merged sum", empty.sum, all.sum, 1e-9 * all.sum);
    CHECK(all.counts[0] > 0 && all.counts[141] > 0);
    int same = 1;
    for (int step = 0; step <= 100; step++) {
        if (pcs_log_histogram_quantile(&empty, step / 100.0) != pcs_log_histogram_quantile(&all, step / 100.0))
            same = 0;
    }
    CHECK(same);

    /* Merging an empty histogram changes nothing; unlike shapes refuse. */
    struct pcs_log_histogram fresh, other_bins, other_low;
    CHECK(pcs_log_histogram_init(&fresh, 1e-4, 1e3, 140) == PCS_OK);
    CHECK(pcs_log_histogram_merge(&all, &fresh) == PCS_OK);
    CHECK(memcmp(empty.counts, all.counts, (all.bins + 2) * sizeof *all.counts) == 0);
    CHECK(empty.min == all.min && empty.max == all.max && empty.total == all.total);
    CHECK(pcs_log_histogram_init(&other_bins, 1e-4, 1e3, 141) == PCS_OK);
    CHECK(pcs_log_histogram_init(&other_low, 1e-3, 1e3, 140) == PCS_OK);
    CHECK(pcs_log_histogram_merge(&all, &other_bins) == PCS_ERR_ARG);
    CHECK(pcs_log_histogram_merge(&all, &other_low) == PCS_ERR_ARG);

    pcs_log_histogram_free(&odd);
    pcs_log_histogram_free(&even);
    pcs_log_histogram_free(&all);
    pcs_log_histogram_free(&empty);
    pcs_log_histogram_free(&fresh);
    pcs_log_histogram_free(&other_bins);
    pcs_log_histogram_free(&other_low);
}

static void test_histogram_edges(void)
{
    struct pcs_log_histogram h;
    CHECK(pcs_log_histogram_init(&h, 0.01, 100, 10) == PCS_OK);
    CHECK(pcs_log_histogram_quantile(&h, 0.5) == 0); /* empty */
    CHECK(pcs_log_histogram_quantile(&h, 1) == 0);
    pcs_log_histogram_add(&h, 3);
    CHECK(pcs_log_histogram_quantile(&h, 0) == 3); /* one value: clamped to it */
    CHECK(pcs_log_histogram_quantile(&h, 0.5) == 3);
    CHECK(pcs_log_histogram_quantile(&h, 1) == 3);
    pcs_log_histogram_free(&h);

    CHECK(pcs_log_histogram_init(&h, 0, 100, 10) == PCS_ERR_ARG);
    CHECK(pcs_log_histogram_init(&h, -1, 100, 10) == PCS_ERR_ARG);
    CHECK(pcs_log_histogram_init(&h, 5, 5, 10) == PCS_ERR_ARG);
    CHECK(pcs_log_histogram_init(&h, 5, 1, 10) == PCS_ERR_ARG);
    CHECK(pcs_log_histogram_init(&h, 1, INFINITY, 10) == PCS_ERR_ARG);
    CHECK(pcs_log_histogram_init(&h, NAN, 100, 10) == PCS_ERR_ARG);
    CHECK(pcs_log_histogram_init(&h, 1, 100, 0) == PCS_ERR_ARG);
    CHECK(h.counts == NULL);
    pcs_log_histogram_free(&h);
}

int main(void)
{
    test_summary_four();
    test_summary_five();
    test_summary_edges();
    test_paired();
    test_histogram_bins();
    test_histogram_quantiles();
    test_histogram_merge();
    test_histogram_edges();
    return check_summary();
}
