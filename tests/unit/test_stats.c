/* Summaries and paired comparisons (stats.h), on small arrays computed by
 * hand; the quantile sketch against exact sample quantiles.
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

/* ---------------------------------------------------------------- sketch */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A deterministic uniform in (0, 1) (splitmix64), so the test needs no RNG library. */
static double uniform01(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* Values of five shapes of cost distribution: lognormal (sigma 1 and 2.5),
 * uniform, exponential, Pareto (alpha 1.2: a heavy tail), and a mixture with
 * zeros and repeated values. */
static double draw(int shape, uint64_t *state)
{
    double u = uniform01(state), v = uniform01(state);
    double normal = sqrt(-2 * log(u)) * cos(2 * M_PI * v);
    switch (shape) {
    case 0: return 0.01 * exp(normal);
    case 1: return 0.002 * exp(2.5 * normal);
    case 2: return 0.001 + 0.05 * u;
    case 3: return -0.02 * log(u);
    case 4: return 0.0005 * pow(u, -1 / 1.2);
    default: return u < 0.1 ? 0 : u < 0.3 ? 0.0125 : 1e-7 * exp(10 * v);
    }
}

/* The documented bound: quantile q is within alpha x of x, the value of rank
 * floor(q (n - 1)) of the sorted values, for every q; and the extremes are
 * exact. */
static void test_sketch_bound(void)
{
    enum { N = 20000 };
    static double values[N];
    uint64_t state = 42;
    const double alpha = 0.005;
    for (int shape = 0; shape < 6; shape++) {
        struct pcs_sketch sketch;
        CHECK(pcs_sketch_init(&sketch, alpha, NULL) == PCS_OK);
        for (size_t i = 0; i < N; i++) {
            values[i] = draw(shape, &state);
            CHECK(pcs_sketch_add(&sketch, values[i]) == PCS_OK);
        }
        qsort(values, N, sizeof values[0], by_value);
        CHECK_U64(sketch.total, N);
        double worst = 0;
        for (int k = 0; k <= 1000; k++) {
            double q = k / 1000.0;
            double exact = values[(size_t)floor(q * (N - 1))];
            double estimate = pcs_sketch_quantile(&sketch, q);
            double error = exact > 0 ? fabs(estimate - exact) / exact : fabs(estimate);
            if (error > worst)
                worst = error;
        }
        /* alpha plus the rounding of one log and one exp */
        CHECK(worst <= alpha * (1 + 1e-9));
        if (worst > alpha * (1 + 1e-9))
            fprintf(stderr, "  shape %d: worst relative error %.6f > alpha %.3f\n", shape, worst, alpha);
        CHECK(pcs_sketch_quantile(&sketch, 0) == values[0]);
        CHECK(pcs_sketch_quantile(&sketch, 1) == values[N - 1]);
        pcs_sketch_free(&sketch);
    }
}

/* Split into two sketches and merged in either order: the same counts, so
 * the same quantiles, as one sketch of everything. */
static void test_sketch_merge(void)
{
    struct pcs_sketch odd, even, all, left, right;
    CHECK(pcs_sketch_init(&odd, 0.01, NULL) == PCS_OK);
    CHECK(pcs_sketch_init(&even, 0.01, NULL) == PCS_OK);
    CHECK(pcs_sketch_init(&all, 0.01, NULL) == PCS_OK);
    CHECK(pcs_sketch_init(&left, 0.01, NULL) == PCS_OK);
    CHECK(pcs_sketch_init(&right, 0.01, NULL) == PCS_OK);
    uint64_t state = 7;
    for (int i = 0; i < 5000; i++) {
        double value = draw(i % 6, &state) * (i < 2500 ? 1e-3 : 1e3); /* ranges apart: the merge grows both ways */
        CHECK(pcs_sketch_add(i % 2 ? &odd : &even, value) == PCS_OK);
        CHECK(pcs_sketch_add(&all, value) == PCS_OK);
    }
    CHECK(pcs_sketch_merge(&left, &odd) == PCS_OK);
    CHECK(pcs_sketch_merge(&left, &even) == PCS_OK);
    CHECK(pcs_sketch_merge(&right, &even) == PCS_OK);
    CHECK(pcs_sketch_merge(&right, &odd) == PCS_OK);
    CHECK_U64(left.total, 5000);
    CHECK(left.min == all.min && left.max == all.max && right.min == all.min && right.max == all.max);
    int same = 1;
    for (int step = 0; step <= 100; step++) {
        double q = step / 100.0;
        same &= pcs_sketch_quantile(&left, q) == pcs_sketch_quantile(&all, q);
        same &= pcs_sketch_quantile(&right, q) == pcs_sketch_quantile(&all, q);
    }
    CHECK(same);
    struct pcs_sketch coarse;
    CHECK(pcs_sketch_init(&coarse, 0.02, NULL) == PCS_OK);
    CHECK(pcs_sketch_merge(&all, &coarse) == PCS_ERR_ARG); /* another alpha */
    pcs_sketch_free(&odd);
    pcs_sketch_free(&even);
    pcs_sketch_free(&all);
    pcs_sketch_free(&left);
    pcs_sketch_free(&right);
    pcs_sketch_free(&coarse);
}

static void test_sketch_edges(void)
{
    struct pcs_sketch sketch;
    CHECK(pcs_sketch_init(&sketch, 0.005, NULL) == PCS_OK);
    CHECK(!pcs_has_value(pcs_sketch_quantile(&sketch, 0.5))); /* empty: no value */
    CHECK(pcs_sketch_add(&sketch, NAN) == PCS_OK);            /* not counted */
    CHECK_U64(sketch.total, 0);
    CHECK(pcs_sketch_add(&sketch, 3) == PCS_OK);
    CHECK(pcs_sketch_quantile(&sketch, 0) == 3); /* one value: clamped to it */
    CHECK(pcs_sketch_quantile(&sketch, 0.5) == 3);
    CHECK(pcs_sketch_quantile(&sketch, -1) == 3 && pcs_sketch_quantile(&sketch, 2) == 3);
    CHECK(pcs_sketch_add(&sketch, 0) == PCS_OK);
    CHECK(pcs_sketch_quantile(&sketch, 0) == 0); /* zeros have a bucket of their own */
    CHECK(pcs_sketch_add(&sketch, 1e300) == PCS_OK && pcs_sketch_add(&sketch, 1e-300) == PCS_OK);
    CHECK(pcs_sketch_quantile(&sketch, 1) == 1e300);
    pcs_sketch_clear(&sketch);
    CHECK_U64(sketch.total, 0);
    CHECK(!pcs_has_value(pcs_sketch_quantile(&sketch, 0.5)));
    CHECK(pcs_sketch_add(&sketch, 5) == PCS_OK && pcs_sketch_quantile(&sketch, 0.5) == 5);
    pcs_sketch_free(&sketch);
    pcs_sketch_free(&sketch); /* twice is harmless */
    pcs_sketch_free(NULL);
    CHECK(pcs_sketch_init(&sketch, 0, NULL) == PCS_ERR_ARG);
    CHECK(pcs_sketch_init(&sketch, 0.5, NULL) == PCS_ERR_ARG);
    CHECK(pcs_sketch_init(&sketch, 1e-5, NULL) == PCS_ERR_ARG);
    CHECK(pcs_sketch_init(&sketch, NAN, NULL) == PCS_ERR_ARG);
    struct pcs_error err = {0};
    CHECK(pcs_sketch_init(&sketch, 0.7, &err) == PCS_ERR_ARG);
    CHECK(err.status == PCS_ERR_ARG && strstr(err.message, "0.7") != NULL);
    pcs_sketch_free(&sketch); /* a failed init holds nothing, and free accepts it */
}

int main(void)
{
    test_summary_four();
    test_summary_five();
    test_summary_edges();
    test_paired();
    test_sketch_bound();
    test_sketch_merge();
    test_sketch_edges();
    return check_summary();
}
