/* Counter-based streams and the distributions of a scenario (dist.h).
 *
 * Every statistical check uses fixed keys, so each is a fixed computation:
 * it passes or fails the same way every run. The tolerances are what a
 * correct sampler meets with wide margin (5 standard errors), and what a
 * wrong parameterisation (mu = median instead of ln median, p = mean
 * instead of 1/mean, scale for rate) misses by far. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "mc/stream.h"
#include "pcsim/dist.h"

#define SEED UINT64_C(20240601)

static gsl_rng *stream_or_die(void)
{
    gsl_rng *rng = pcs_stream_new(NULL);
    if (!rng) {
        fprintf(stderr, "cannot allocate a stream\n");
        exit(1);
    }
    return rng;
}

/* CHECK(|actual - expected| <= tolerance), saying which and by how much. */
static void check_near(const char *what, double actual, double expected, double tolerance)
{
    int ok = fabs(actual - expected) <= tolerance;
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s: %.10g, expected %.10g +- %.3g\n", what, actual, expected, tolerance);
}

static struct pcs_dist dist_of(enum pcs_dist_kind kind, double a, double b)
{
    struct pcs_dist dist = {kind, a, b, 0, NULL};
    return dist;
}

/* ------------------------------------------------------------- streams */

static void test_same_key_same_sequence(void)
{
    gsl_rng *first = stream_or_die();
    gsl_rng *second = stream_or_die();
    pcs_stream_key(first, SEED, 1, 2, 3);
    pcs_stream_key(second, SEED, 1, 2, 3);
    int same = 1;
    for (int i = 0; i < 1000; i++) {
        if (gsl_rng_get(first) != gsl_rng_get(second))
            same = 0;
    }
    CHECK(same);
    /* Mixed calls consume one counter each, so they stay in step too. */
    CHECK(gsl_rng_uniform(first) == gsl_rng_uniform(second));
    CHECK(gsl_rng_get(first) == gsl_rng_get(second));
    gsl_rng_free(first);
    gsl_rng_free(second);
}

/* Counts equal draws at the same position in two streams' first 1000. */
static int equal_draws(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    gsl_rng *base = stream_or_die();
    gsl_rng *other = stream_or_die();
    pcs_stream_key(base, SEED, 1, 2, 3);
    pcs_stream_key(other, seed, a, b, c);
    int equal = 0;
    for (int i = 0; i < 1000; i++) {
        if (gsl_rng_get(base) == gsl_rng_get(other))
            equal++;
    }
    gsl_rng_free(base);
    gsl_rng_free(other);
    return equal;
}

static void test_different_keys_differ(void)
{
    /* Against (SEED, 1, 2, 3): each field off by one, fields swapped. With
     * 32-bit draws an equal pair has chance 2^-32 per position. */
    CHECK(equal_draws(SEED + 1, 1, 2, 3) == 0);
    CHECK(equal_draws(SEED, 0, 2, 3) == 0);
    CHECK(equal_draws(SEED, 1, 3, 3) == 0);
    CHECK(equal_draws(SEED, 1, 2, 4) == 0);
    CHECK(equal_draws(SEED, 2, 1, 3) == 0);
    CHECK(equal_draws(SEED, 1, 2, 3) == 1000); /* the harness itself */

    /* Neighbouring keys are not shifted copies: the first draw of (task i)
     * appears nowhere in the first 64 draws of (task i + 1). */
    gsl_rng *rng = stream_or_die();
    int shifted = 0;
    for (uint64_t task = 0; task < 100; task++) {
        pcs_stream_key(rng, SEED, 7, task, 0);
        unsigned long first = gsl_rng_get(rng);
        pcs_stream_key(rng, SEED, 7, task + 1, 0);
        for (int i = 0; i < 64; i++) {
            if (gsl_rng_get(rng) == first)
                shifted++;
        }
    }
    CHECK(shifted == 0);
    gsl_rng_free(rng);
}

static void test_rekey_resets(void)
{
    gsl_rng *rng = stream_or_die();
    double first[5];
    double again[5];
    pcs_stream_key(rng, SEED, 4, 5, 6);
    for (int i = 0; i < 5; i++)
        first[i] = gsl_rng_uniform(rng);
    pcs_stream_key(rng, SEED, 9, 9, 9); /* elsewhere, then back */
    (void)gsl_rng_get(rng);
    pcs_stream_key(rng, SEED, 4, 5, 6);
    for (int i = 0; i < 5; i++)
        again[i] = gsl_rng_uniform(rng);
    CHECK(memcmp(first, again, sizeof first) == 0);

    /* gsl_rng_set(rng, s) is the stream (s, 0, 0, 0); a clone continues. */
    gsl_rng_set(rng, 77);
    unsigned long by_set = gsl_rng_get(rng);
    pcs_stream_key(rng, 77, 0, 0, 0);
    CHECK(gsl_rng_get(rng) == by_set);
    gsl_rng *clone = gsl_rng_clone(rng);
    CHECK(clone != NULL);
    if (clone) {
        CHECK(gsl_rng_get(clone) == gsl_rng_get(rng));
        gsl_rng_free(clone);
    }
    CHECK(strcmp(gsl_rng_name(rng), "pcsim-rrmxmx-counter") == 0);
    CHECK(gsl_rng_min(rng) == 0 && gsl_rng_max(rng) == 0xFFFFFFFFUL);
    gsl_rng_free(rng);
}

static void test_stream_uniform(void)
{
    /* 1e6 single draws from consecutive tuples: all in [0, 1), mean within
     * 0.002 of 1/2 (its standard error is sqrt(1/12 / 1e6) = 0.00029), and
     * 100 equal buckets passing chi-square: with 99 degrees of freedom the
     * statistic has mean 99 and sd 14, and 200 is p < 1e-9. */
    enum { N = 1000000, BUCKETS = 100 };
    static uint32_t buckets[BUCKETS];
    int in_range = 1;
    double sum = 0;
    for (uint64_t i = 0; i < N; i++) {
        double u = pcs_stream_uniform(SEED, 3, i / 1000, i % 1000);
        if (!(u >= 0 && u < 1))
            in_range = 0;
        sum += u;
        size_t bucket = (size_t)(u * BUCKETS);
        buckets[bucket < BUCKETS ? bucket : BUCKETS - 1]++;
    }
    CHECK(in_range);
    check_near("mean of pcs_stream_uniform", sum / N, 0.5, 0.002);
    double chi2 = 0;
    const double expected = (double)N / BUCKETS;
    for (int b = 0; b < BUCKETS; b++)
        chi2 += (buckets[b] - expected) * (buckets[b] - expected) / expected;
    CHECK(chi2 < 200);
    if (chi2 >= 200)
        fprintf(stderr, "  chi-square of pcs_stream_uniform: %.1f\n", chi2);

    /* Deterministic, and not the first draw of the stream with that key. */
    CHECK(pcs_stream_uniform(SEED, 1, 2, 3) == pcs_stream_uniform(SEED, 1, 2, 3));
    CHECK(pcs_stream_uniform(SEED, 1, 2, 3) != pcs_stream_uniform(SEED, 1, 2, 4));
    gsl_rng *rng = stream_or_die();
    pcs_stream_key(rng, SEED, 1, 2, 3);
    CHECK(gsl_rng_uniform(rng) != pcs_stream_uniform(SEED, 1, 2, 3));
    gsl_rng_free(rng);
}

static void test_stream_through_gsl(void)
{
    /* The same checks on one stream's sequence, plus the lag-1 correlation
     * of successive draws (standard error 1/sqrt(N) = 0.001). */
    enum { N = 1000000, BUCKETS = 100 };
    static uint32_t buckets[BUCKETS];
    gsl_rng *rng = stream_or_die();
    pcs_stream_key(rng, SEED, 11, 0, 0);
    double sum = 0;
    double lag_product = 0;
    double previous = 0.5;
    int in_range = 1;
    for (int i = 0; i < N; i++) {
        double u = gsl_rng_uniform(rng);
        if (!(u >= 0 && u < 1))
            in_range = 0;
        sum += u;
        lag_product += (u - 0.5) * (previous - 0.5);
        previous = u;
        buckets[(size_t)(u * BUCKETS)]++;
    }
    CHECK(in_range);
    check_near("mean of gsl_rng_uniform", sum / N, 0.5, 0.002);
    check_near("lag-1 correlation", lag_product / N * 12, 0, 0.005);
    double chi2 = 0;
    const double expected = (double)N / BUCKETS;
    for (int b = 0; b < BUCKETS; b++)
        chi2 += (buckets[b] - expected) * (buckets[b] - expected) / expected;
    CHECK(chi2 < 200);

    /* gsl_rng_get covers [0, 2^32): both ends show up in 1e5 draws (a draw
     * lands in the top or bottom 2^-12 of the range with chance 2^-12). */
    unsigned long lowest = 0xFFFFFFFFUL;
    unsigned long highest = 0;
    for (int i = 0; i < 100000; i++) {
        unsigned long v = gsl_rng_get(rng);
        if (v < lowest)
            lowest = v;
        if (v > highest)
            highest = v;
    }
    CHECK(lowest < 0x100000UL);
    CHECK(highest > 0xFFF00000UL && highest <= 0xFFFFFFFFUL);

    /* gsl_rng_uniform_int: a fair die, each face 1/6 +- 0.005 of 600000
     * (standard error 0.00048). */
    uint32_t faces[6] = {0};
    int die_in_range = 1;
    for (int i = 0; i < 600000; i++) {
        unsigned long face = gsl_rng_uniform_int(rng, 6);
        if (face >= 6)
            die_in_range = 0;
        else
            faces[face]++;
    }
    CHECK(die_in_range);
    for (int f = 0; f < 6; f++)
        check_near("die face share", faces[f] / 600000.0, 1 / 6.0, 0.005);
    gsl_rng_free(rng);
}

/* ------------------------------------------------------- distributions */

/* Draws n values from dist on the stream (SEED, 100, id, 0) and checks the
 * sample mean within 5 standard errors sqrt(var / n) of mean, and the
 * sample variance within 5 of its large-n standard error
 * var sqrt((kurtosis - 1) / n), kurtosis being E[(X - mean)^4] / var^2. */
static void check_moments(const char *name, uint64_t id, const struct pcs_dist *dist, double mean, double var,
                          double kurtosis, int n)
{
    gsl_rng *rng = stream_or_die();
    pcs_stream_key(rng, SEED, 100, id, 0);
    double running_mean = 0;
    double squares = 0;
    for (int i = 0; i < n; i++) {
        double x = pcs_dist_sample(dist, rng);
        double delta = x - running_mean;
        running_mean += delta / (i + 1);
        squares += delta * (x - running_mean);
    }
    gsl_rng_free(rng);
    char what[96];
    snprintf(what, sizeof what, "%s sample mean", name);
    check_near(what, running_mean, mean, 5 * sqrt(var / n));
    snprintf(what, sizeof what, "%s sample variance", name);
    check_near(what, squares / (n - 1), var, 5 * var * sqrt((kurtosis - 1) / n));
}

static void test_moments(void)
{
    const int n = 200000;
    struct pcs_dist dist;

    /* uniform [2, 5): mean (a + b) / 2 = 3.5, var (b - a)^2 / 12 = 0.75,
     * kurtosis 9/5. */
    dist = dist_of(PCS_DIST_UNIFORM, 2, 5);
    check_moments("uniform", 1, &dist, 3.5, 0.75, 1.8, n);

    /* lognormal median 100, sigma 0.5 (mu = ln 100): mean
     * e^(mu + s^2/2) = 100 e^0.125 = 113.3148453, var
     * (e^(s^2) - 1) e^(2 mu + s^2) = (e^0.25 - 1) 1e4 e^0.25 = 3646.958540,
     * kurtosis e^(4s^2) + 2e^(3s^2) + 3e^(2s^2) - 3 = 8.898. */
    dist = dist_of(PCS_DIST_LOGNORMAL, 100, 0.5);
    check_moments("lognormal", 2, &dist, 113.3148453067, 3646.958540124, 8.9, n);

    /* gamma shape k = 2, scale theta = 3: mean k theta = 6, var
     * k theta^2 = 18, kurtosis 3 + 6/k = 6. */
    dist = dist_of(PCS_DIST_GAMMA, 2, 3);
    check_moments("gamma", 3, &dist, 6, 18, 6, n);

    /* beta(2, 5): mean a/(a+b) = 2/7, var ab/((a+b)^2 (a+b+1)) = 10/392,
     * excess kurtosis 6[(a-b)^2(a+b+1) - ab(a+b+2)] / [ab(a+b+2)(a+b+3)]
     * = 6(72 - 90)/900 = -0.12. */
    dist = dist_of(PCS_DIST_BETA, 2, 5);
    check_moments("beta", 4, &dist, 2.0 / 7, 10.0 / 392, 2.88, n);

    /* poisson mean 3.5: var 3.5, kurtosis 3 + 1/3.5. */
    dist = dist_of(PCS_DIST_POISSON, 3.5, 0);
    check_moments("poisson", 5, &dist, 3.5, 3.5, 3.29, n);

    /* geometric mean 4 (p = 1/4, support 1, 2, ...): var (1-p)/p^2 = 12,
     * excess kurtosis 6 + p^2/(1-p) = 6.083. */
    dist = dist_of(PCS_DIST_GEOMETRIC, 4, 0);
    check_moments("geometric", 6, &dist, 4, 12, 9.09, n);

    /* Truncated normals, with alpha = -mean/sd and lambda the inverse Mills
     * ratio phi(alpha)/Q(alpha): mean + sd lambda and
     * sd^2 (1 + alpha lambda - lambda^2) (kurtosis by numerical
     * integration). mean 0, sd 1 is the half-normal: sqrt(2/pi) and
     * 1 - 2/pi. */
    dist = dist_of(PCS_DIST_NORMAL, 0, 1);
    check_moments("half-normal", 7, &dist, 0.7978845608028654, 0.3633802276324186, 3.87, n);
    dist = dist_of(PCS_DIST_NORMAL, 1, 2);
    check_moments("normal 1, 2", 8, &dist, 2.018320867674067, 1.944701742785468, 3.38, n);
    /* Untruncated in practice: 3 sd above 0 cuts 0.13% of the mass. */
    dist = dist_of(PCS_DIST_NORMAL, 3, 1);
    check_moments("normal 3, 1", 9, &dist, 3.004437839042126, 0.9866667884582592, 3.1, n);
    /* Far below 0: the inverse-CDF branch, and past Q's underflow the
     * far-tail branch (mean 1/a - 2/a^3 + ... = 0.0199840319). */
    dist = dist_of(PCS_DIST_NORMAL, -5, 1);
    check_moments("normal -5, 1", 10, &dist, 0.18650396712583017, 0.03269643461717564, 7.76, n);
    dist = dist_of(PCS_DIST_NORMAL, -30, 1);
    check_moments("normal -30, 1", 11, &dist, 0.033259667430147744, 0.0011037715137419135, 8.95, n);
    dist = dist_of(PCS_DIST_NORMAL, -50, 1);
    check_moments("normal -50, 1", 12, &dist, 0.019984031905280003, 0.00039904318747063187, 8.99, n);

    /* empirical {1, 2, 10}: mean 13/3, var (1 + 4 + 100)/3 - (13/3)^2 =
     * 146/9, kurtosis (fourth central moment / var^2) = 1.5. */
    static const double values[] = {1, 2, 10};
    struct pcs_dist empirical = {PCS_DIST_EMPIRICAL, 0, 0, 3, values};
    check_moments("empirical", 13, &empirical, 13.0 / 3, 146.0 / 9, 1.5, n);
}

static void test_supports(void)
{
    gsl_rng *rng = stream_or_die();
    const int n = 200000;

    struct pcs_dist normal_low = dist_of(PCS_DIST_NORMAL, -5, 1);
    struct pcs_dist normal_far = dist_of(PCS_DIST_NORMAL, -1e6, 1);
    struct pcs_dist normal_mid = dist_of(PCS_DIST_NORMAL, 0.5, 3);
    int positive = 1;
    int nonnegative = 1;
    pcs_stream_key(rng, SEED, 200, 1, 0);
    for (int i = 0; i < n; i++) {
        double x = pcs_dist_sample(&normal_low, rng);
        double far = pcs_dist_sample(&normal_far, rng);
        if (!(x > 0) || !(far > 0))
            positive = 0;
        if (!(pcs_dist_sample(&normal_mid, rng) >= 0))
            nonnegative = 0;
    }
    CHECK(positive);
    CHECK(nonnegative);

    /* Geometric: whole numbers >= 1 and 1 itself common (P = p = 1/4). */
    struct pcs_dist geometric = dist_of(PCS_DIST_GEOMETRIC, 4, 0);
    struct pcs_dist geometric_one = dist_of(PCS_DIST_GEOMETRIC, 1, 0);
    int support = 1;
    int ones = 0;
    pcs_stream_key(rng, SEED, 200, 2, 0);
    for (int i = 0; i < n; i++) {
        double x = pcs_dist_sample(&geometric, rng);
        if (!(x >= 1) || x != floor(x))
            support = 0;
        ones += x == 1;
        if (pcs_dist_sample(&geometric_one, rng) != 1)
            support = 0;
    }
    CHECK(support);
    check_near("geometric P(1)", (double)ones / n, 0.25, 0.005);

    /* Poisson: whole numbers >= 0; P(0) = e^-3.5 = 0.030197. */
    struct pcs_dist poisson = dist_of(PCS_DIST_POISSON, 3.5, 0);
    struct pcs_dist poisson_zero = dist_of(PCS_DIST_POISSON, 0, 0);
    int whole = 1;
    int zeros = 0;
    pcs_stream_key(rng, SEED, 200, 3, 0);
    for (int i = 0; i < n; i++) {
        double x = pcs_dist_sample(&poisson, rng);
        if (!(x >= 0) || x != floor(x))
            whole = 0;
        zeros += x == 0;
        if (pcs_dist_sample(&poisson_zero, rng) != 0)
            whole = 0;
    }
    CHECK(whole);
    check_near("poisson P(0)", (double)zeros / n, exp(-3.5), 0.002);

    /* Empirical: only the listed values, each a third of the time
     * (standard error sqrt(1/3 * 2/3 / n) = 0.00105). */
    static const double values[] = {0.25, 7, 1000};
    struct pcs_dist empirical = {PCS_DIST_EMPIRICAL, 0, 0, 3, values};
    int counts[3] = {0, 0, 0};
    int listed = 1;
    pcs_stream_key(rng, SEED, 200, 4, 0);
    for (int i = 0; i < n; i++) {
        double x = pcs_dist_sample(&empirical, rng);
        if (x == values[0])
            counts[0]++;
        else if (x == values[1])
            counts[1]++;
        else if (x == values[2])
            counts[2]++;
        else
            listed = 0;
    }
    CHECK(listed);
    for (int v = 0; v < 3; v++)
        check_near("empirical share", (double)counts[v] / n, 1 / 3.0, 0.006);

    /* Constant: exact, and draws nothing from the stream. */
    struct pcs_dist constant = pcs_dist_constant(7.25);
    pcs_stream_key(rng, SEED, 200, 5, 0);
    CHECK(pcs_dist_sample(&constant, rng) == 7.25);
    CHECK(pcs_dist_sample(&constant, rng) == 7.25);
    unsigned long next = gsl_rng_get(rng);
    pcs_stream_key(rng, SEED, 200, 5, 0);
    CHECK(gsl_rng_get(rng) == next);

    /* Uniform with min == max is that value. */
    struct pcs_dist point = dist_of(PCS_DIST_UNIFORM, 3, 3);
    CHECK(pcs_dist_sample(&point, rng) == 3);

    /* The same key gives the same draws of every kind. */
    struct pcs_dist gamma = dist_of(PCS_DIST_GAMMA, 0.7, 2);
    pcs_stream_key(rng, SEED, 200, 6, 0);
    double first = pcs_dist_sample(&gamma, rng);
    double second = pcs_dist_sample(&normal_low, rng);
    pcs_stream_key(rng, SEED, 200, 6, 0);
    CHECK(pcs_dist_sample(&gamma, rng) == first);
    CHECK(pcs_dist_sample(&normal_low, rng) == second);
    gsl_rng_free(rng);
}

static void test_sample_count(void)
{
    gsl_rng *rng = stream_or_die();
    struct pcs_dist dist;
    dist = pcs_dist_constant(2.5); /* llround: halves away from zero */
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 0, 100), 3);
    dist = pcs_dist_constant(2.49);
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 0, 100), 2);
    dist = pcs_dist_constant(-3);
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 1, 100), 1);
    dist = pcs_dist_constant(0.4);
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 1, 100), 1);
    dist = pcs_dist_constant(7.4);
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 0, 5), 5);
    dist = pcs_dist_constant(1e30);
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 0, UINT64_MAX), UINT64_MAX);
    dist = pcs_dist_constant(INFINITY);
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 0, 1000), 1000);
    dist = pcs_dist_constant(NAN); /* unchecked: still a count */
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 4, 1000), 4);
    dist = pcs_dist_constant(1e19); /* past llround's range, below 2^64 */
    CHECK_U64(pcs_dist_sample_count(&dist, rng, 0, UINT64_MAX), UINT64_C(10000000000000000000));

    /* Geometric counts are its draws: >= 1 and, rounding nothing, whole. */
    dist = dist_of(PCS_DIST_GEOMETRIC, 3, 0);
    pcs_stream_key(rng, SEED, 300, 0, 0);
    int bounded = 1;
    for (int i = 0; i < 10000; i++) {
        uint64_t count = pcs_dist_sample_count(&dist, rng, 1, 20);
        if (count < 1 || count > 20)
            bounded = 0;
    }
    CHECK(bounded);
    gsl_rng_free(rng);
}

/* ---------------------------------------------------- checks and means */

static void check_rejects(struct pcs_dist dist, const char *reason)
{
    char why[128] = "";
    CHECK(pcs_dist_check(&dist, why, sizeof why) == -1);
    CHECK_CONTAINS(why, reason);
}

static void test_check(void)
{
    static const double values[] = {1, NAN, 3};
    static const double good_values[] = {1, 2};
    struct pcs_dist empty = {PCS_DIST_EMPIRICAL, 0, 0, 0, good_values};
    struct pcs_dist no_values = {PCS_DIST_EMPIRICAL, 0, 0, 2, NULL};
    struct pcs_dist bad_value = {PCS_DIST_EMPIRICAL, 0, 0, 3, values};
    struct pcs_dist good_empirical = {PCS_DIST_EMPIRICAL, 0, 0, 2, good_values};

    check_rejects(pcs_dist_constant(INFINITY), "value must be finite");
    check_rejects(dist_of(PCS_DIST_UNIFORM, 5, 2), "max must be >= min");
    check_rejects(dist_of(PCS_DIST_UNIFORM, NAN, 2), "min must be finite");
    check_rejects(dist_of(PCS_DIST_UNIFORM, 0, INFINITY), "max must be finite");
    check_rejects(dist_of(PCS_DIST_NORMAL, NAN, 1), "mean must be finite");
    check_rejects(dist_of(PCS_DIST_NORMAL, 1, 0), "sd must be > 0");
    check_rejects(dist_of(PCS_DIST_NORMAL, 1, NAN), "sd must be > 0");
    check_rejects(dist_of(PCS_DIST_NORMAL, 1, INFINITY), "sd must be finite");
    check_rejects(dist_of(PCS_DIST_LOGNORMAL, 0, 1), "median must be > 0");
    check_rejects(dist_of(PCS_DIST_LOGNORMAL, 10, -1), "sigma must be > 0");
    check_rejects(dist_of(PCS_DIST_GAMMA, 0, 1), "shape must be > 0");
    check_rejects(dist_of(PCS_DIST_GAMMA, 2, 0), "scale must be > 0");
    check_rejects(dist_of(PCS_DIST_BETA, -1, 1), "a must be > 0");
    check_rejects(dist_of(PCS_DIST_BETA, 1, 0), "b must be > 0");
    check_rejects(dist_of(PCS_DIST_POISSON, -1, 0), "mean must be >= 0");
    check_rejects(dist_of(PCS_DIST_POISSON, 1e10, 0), "mean must be <= 1e9 for poisson");
    check_rejects(dist_of(PCS_DIST_GEOMETRIC, 0.5, 0), "mean must be >= 1 for geometric");
    check_rejects(dist_of(PCS_DIST_GEOMETRIC, 1e9, 0), "mean must be <= 1e8 for geometric");
    check_rejects(empty, "values must not be empty");
    check_rejects(no_values, "values must not be empty");
    check_rejects(bad_value, "values[1] must be finite");
    check_rejects(dist_of((enum pcs_dist_kind)42, 1, 1), "unknown distribution kind");

    char why[64] = "untouched";
    struct pcs_dist good[] = {
        pcs_dist_constant(-2),
        dist_of(PCS_DIST_UNIFORM, 3, 3),
        dist_of(PCS_DIST_NORMAL, -5, 1),
        dist_of(PCS_DIST_LOGNORMAL, 100, 0.5),
        dist_of(PCS_DIST_GAMMA, 0.5, 2),
        dist_of(PCS_DIST_BETA, 0.5, 0.5),
        dist_of(PCS_DIST_POISSON, 0, 0),
        dist_of(PCS_DIST_GEOMETRIC, 1, 0),
        good_empirical,
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(pcs_dist_check(&good[i], why, sizeof why) == 0);
    CHECK(strcmp(why, "untouched") == 0);
    /* why may be NULL, or too small: truncated, still terminated. */
    struct pcs_dist bad = dist_of(PCS_DIST_LOGNORMAL, 10, 0);
    CHECK(pcs_dist_check(&bad, NULL, 0) == -1);
    char tiny[6];
    CHECK(pcs_dist_check(&bad, tiny, sizeof tiny) == -1);
    CHECK(strcmp(tiny, "sigma") == 0);
}

static void test_kind_names(void)
{
    for (int kind = PCS_DIST_CONSTANT; kind <= PCS_DIST_EMPIRICAL; kind++)
        CHECK(pcs_dist_kind_parse(pcs_dist_kind_name((enum pcs_dist_kind)kind)) == kind);
    CHECK(strcmp(pcs_dist_kind_name(PCS_DIST_LOGNORMAL), "lognormal") == 0);
    CHECK(pcs_dist_kind_parse("geometric") == PCS_DIST_GEOMETRIC);
    CHECK(pcs_dist_kind_parse("Normal") == -1);
    CHECK(pcs_dist_kind_parse("") == -1);
    CHECK(pcs_dist_kind_parse(NULL) == -1);
    CHECK(strcmp(pcs_dist_kind_name((enum pcs_dist_kind)99), "unknown") == 0);
}

static void test_means(void)
{
    struct pcs_dist dist;
    dist = pcs_dist_constant(4.5);
    check_near("constant mean", pcs_dist_mean(&dist), 4.5, 0);
    dist = dist_of(PCS_DIST_UNIFORM, 2, 5);
    check_near("uniform mean", pcs_dist_mean(&dist), 3.5, 0);
    dist = dist_of(PCS_DIST_LOGNORMAL, 100, 0.5); /* 100 e^(0.5^2 / 2) */
    check_near("lognormal mean", pcs_dist_mean(&dist), 113.31484530668263, 1e-10);
    dist = dist_of(PCS_DIST_GAMMA, 2, 3);
    check_near("gamma mean", pcs_dist_mean(&dist), 6, 0);
    dist = dist_of(PCS_DIST_BETA, 2, 6);
    check_near("beta mean", pcs_dist_mean(&dist), 0.25, 0);
    dist = dist_of(PCS_DIST_POISSON, 3.5, 0);
    check_near("poisson mean", pcs_dist_mean(&dist), 3.5, 0);
    dist = dist_of(PCS_DIST_GEOMETRIC, 4, 0);
    check_near("geometric mean", pcs_dist_mean(&dist), 4, 0);
    static const double values[] = {1, 2, 10};
    struct pcs_dist empirical = {PCS_DIST_EMPIRICAL, 0, 0, 3, values};
    check_near("empirical mean", pcs_dist_mean(&empirical), 13.0 / 3, 1e-15);

    /* Truncated normal: mean + sd phi(alpha)/Q(alpha), alpha = -mean/sd.
     * (0, 1): phi(0)/Q(0) = (1/sqrt(2 pi)) / (1/2) = sqrt(2/pi).
     * (1, 2): alpha = -1/2, phi = 0.3520653268, Q = 0.6914624613,
     * 1 + 2 * 0.5091604338 = 2.0183208677.
     * (-5, 1): phi(5) / Q(5) - 5 = 1.4867195e-6 / 2.8665157e-7 - 5.
     * (-50, 1): the series 1/50 - 2/50^3 + 10/50^5 - 74/50^7.
     * (40, 1): Q(-40) = 1 to double precision: the mean itself. */
    dist = dist_of(PCS_DIST_NORMAL, 0, 1);
    check_near("half-normal mean", pcs_dist_mean(&dist), sqrt(2 / M_PI), 1e-14);
    dist = dist_of(PCS_DIST_NORMAL, 1, 2);
    check_near("normal 1, 2 mean", pcs_dist_mean(&dist), 2.018320867674067, 1e-12);
    dist = dist_of(PCS_DIST_NORMAL, -5, 1);
    check_near("normal -5, 1 mean", pcs_dist_mean(&dist), 0.18650396712583017, 1e-10);
    dist = dist_of(PCS_DIST_NORMAL, -50, 1);
    check_near("normal -50, 1 mean", pcs_dist_mean(&dist), 0.019984031905280003, 1e-15);
    dist = dist_of(PCS_DIST_NORMAL, -500, 10); /* alpha 50, scaled by 10 */
    check_near("normal -500, 10 mean", pcs_dist_mean(&dist), 0.19984031905280003, 1e-14);
    dist = dist_of(PCS_DIST_NORMAL, 40, 1);
    check_near("normal 40, 1 mean", pcs_dist_mean(&dist), 40, 0);
}

int main(void)
{
    test_same_key_same_sequence();
    test_different_keys_differ();
    test_rekey_resets();
    test_stream_uniform();
    test_stream_through_gsl();
    test_moments();
    test_supports();
    test_sample_count();
    test_check();
    test_kind_names();
    test_means();
    return check_summary();
}
