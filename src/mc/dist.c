/* Distributions of a scenario's numbers (include/pcsim/dist.h), drawn with
 * GSL's samplers from a pcsim stream (stream.h).
 *
 * pcs_dist_sample expects a distribution that passed pcs_dist_check. It
 * still never loops forever or calls GSL outside a sampler's domain on one
 * that did not: such a draw is NaN. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "pcsim/dist.h"
#include "stream.h"

/* Above these means GSL's unsigned int samplers could overflow: geometric's
 * largest draw is -ln(2^-53) * mean + 1 = 36.8 * mean + 1 < 2^32. */
#define POISSON_MEAN_MAX 1e9
#define GEOMETRIC_MEAN_MAX 1e8

/* Redraws of the normal before the inverse-CDF draw (see sample_normal). */
#define NORMAL_REDRAWS 16

static const char *const kind_names[PCS_DIST_COUNT] = {
    [PCS_DIST_CONSTANT] = "constant",   [PCS_DIST_UNIFORM] = "uniform",     [PCS_DIST_NORMAL] = "normal",
    [PCS_DIST_LOGNORMAL] = "lognormal", [PCS_DIST_GAMMA] = "gamma",         [PCS_DIST_BETA] = "beta",
    [PCS_DIST_POISSON] = "poisson",     [PCS_DIST_GEOMETRIC] = "geometric", [PCS_DIST_EMPIRICAL] = "empirical",
};

struct pcs_dist pcs_dist_constant(double value)
{
    struct pcs_dist dist = {PCS_DIST_CONSTANT, value, 0, 0, NULL};
    return dist;
}

const char *pcs_dist_kind_name(enum pcs_dist_kind kind)
{
    if ((size_t)kind >= PCS_DIST_COUNT)
        return "unknown";
    return kind_names[kind];
}

int pcs_dist_kind_parse(const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < PCS_DIST_COUNT; i++) {
        if (strcmp(name, kind_names[i]) == 0)
            return (int)i;
    }
    return -1;
}

/* ------------------------------------------------------------- checking */

static int reject(char *why, size_t why_size, const char *reason)
{
    if (why && why_size)
        snprintf(why, why_size, "%s", reason);
    return -1;
}

/* The parameter names are the scenario JSON's. */
static const char *check_reason(const struct pcs_dist *dist, char *index_reason, size_t index_reason_size)
{
    const double a = dist->a;
    const double b = dist->b;
    switch (dist->kind) {
    case PCS_DIST_CONSTANT: return isfinite(a) ? NULL : "value must be finite";
    case PCS_DIST_UNIFORM:
        if (!isfinite(a))
            return "min must be finite";
        if (!isfinite(b))
            return "max must be finite";
        return b >= a ? NULL : "max must be >= min";
    case PCS_DIST_NORMAL:
        if (!isfinite(a))
            return "mean must be finite";
        if (!(b > 0))
            return "sd must be > 0";
        return isfinite(b) ? NULL : "sd must be finite";
    case PCS_DIST_LOGNORMAL:
        if (!(a > 0))
            return "median must be > 0";
        if (!isfinite(a))
            return "median must be finite";
        if (!(b > 0))
            return "sigma must be > 0";
        return isfinite(b) ? NULL : "sigma must be finite";
    case PCS_DIST_GAMMA:
        if (!(a > 0))
            return "shape must be > 0";
        if (!isfinite(a))
            return "shape must be finite";
        if (!(b > 0))
            return "scale must be > 0";
        return isfinite(b) ? NULL : "scale must be finite";
    case PCS_DIST_BETA:
        if (!(a > 0))
            return "a must be > 0";
        if (!isfinite(a))
            return "a must be finite";
        if (!(b > 0))
            return "b must be > 0";
        return isfinite(b) ? NULL : "b must be finite";
    case PCS_DIST_POISSON:
        if (!(a >= 0))
            return "mean must be >= 0";
        return a <= POISSON_MEAN_MAX ? NULL : "mean must be <= 1e9 for poisson";
    case PCS_DIST_GEOMETRIC:
        if (!(a >= 1))
            return "mean must be >= 1 for geometric";
        return a <= GEOMETRIC_MEAN_MAX ? NULL : "mean must be <= 1e8 for geometric";
    case PCS_DIST_EMPIRICAL:
        if (dist->count == 0 || !dist->values)
            return "values must not be empty";
        for (size_t i = 0; i < dist->count; i++) {
            if (!isfinite(dist->values[i])) {
                snprintf(index_reason, index_reason_size, "values[%zu] must be finite", i);
                return index_reason;
            }
        }
        return NULL;
    case PCS_DIST_COUNT: break; /* not a kind */
    }
    return "unknown distribution kind";
}

int pcs_dist_check(const struct pcs_dist *dist, char *why, size_t why_size)
{
    char index_reason[64];
    const char *reason = check_reason(dist, index_reason, sizeof index_reason);
    if (reason)
        return reject(why, why_size, reason);
    return 0;
}

/* ------------------------------------------------------------- sampling */

/* The normal excess over a standardised lower bound alpha far in the tail,
 * where Q(alpha) underflows: t > 0 with density proportional to
 * exp(-alpha t - t^2 / 2). Proposals come from the density
 * (alpha + t) exp(-alpha t - t^2 / 2), inverted in closed form, and are
 * kept with probability alpha / (alpha + t) >= 1 - 1/alpha^2 or so; after
 * NORMAL_REDRAWS rejections (never seen: about alpha^-32) the last stands. */
static double normal_far_tail(double alpha, gsl_rng *rng)
{
    double t = 0;
    for (int i = 0; i < NORMAL_REDRAWS; i++) {
        double twice_log = -2 * log(gsl_rng_uniform_pos(rng));
        t = twice_log / (alpha + sqrt(alpha * alpha + twice_log));
        if (gsl_rng_uniform(rng) * (alpha + t) < alpha)
            break;
    }
    return t;
}

/* A normal truncated to [0, inf). Redrawing while negative is the obvious
 * exact method but takes about 1/Q(alpha) draws (3.5 million for a mean of
 * -5 sd); so when more than a sixth of the mass is cut (alpha > 1), or after
 * NORMAL_REDRAWS misses, the draw inverts the truncated CDF instead:
 * z = Qinv(u Q(alpha)) for u uniform in (0, 1). Both branches give the exact
 * truncated law, so switching between them changes no distribution. */
static double sample_normal(double mean, double sd, gsl_rng *rng)
{
    if (!(sd > 0) || !isfinite(sd) || !isfinite(mean))
        return NAN;
    const double alpha = -mean / sd;
    if (alpha <= 1) {
        for (int i = 0; i < NORMAL_REDRAWS; i++) {
            double x = mean + gsl_ran_gaussian(rng, sd);
            if (x >= 0)
                return x;
        }
    }
    const double tail = gsl_cdf_ugaussian_Q(alpha);
    /* Below 1e-280, u * tail could leave the normal doubles, and Qinv its
     * accurate range: the far-tail sampler takes over (alpha > 35.7). */
    if (tail < 1e-280)
        return sd * normal_far_tail(alpha, rng);
    double z = gsl_cdf_ugaussian_Qinv(gsl_rng_uniform_pos(rng) * tail);
    double x = mean + sd * z;
    return x > 0 ? x : 0;
}

static double sample_empirical(const struct pcs_dist *dist, gsl_rng *rng)
{
    if (dist->count == 0 || !dist->values)
        return NAN;
    size_t index;
    if (dist->count <= 0xFFFFFFFFu) {
        index = (size_t)gsl_rng_uniform_int(rng, (unsigned long int)dist->count);
    } else {
        index = (size_t)(gsl_rng_uniform(rng) * (double)dist->count);
        if (index >= dist->count)
            index = dist->count - 1;
    }
    return dist->values[index];
}

double pcs_dist_sample(const struct pcs_dist *dist, gsl_rng *rng)
{
    const double a = dist->a;
    const double b = dist->b;
    switch (dist->kind) {
    case PCS_DIST_CONSTANT: return a;
    case PCS_DIST_UNIFORM: return gsl_ran_flat(rng, a, b);
    case PCS_DIST_NORMAL: return sample_normal(a, b, rng);
    case PCS_DIST_LOGNORMAL:
        if (!(a > 0))
            return NAN;
        return gsl_ran_lognormal(rng, log(a), b);
    case PCS_DIST_GAMMA:
        if (!(a > 0) || !(b > 0))
            return NAN;
        return gsl_ran_gamma(rng, a, b);
    case PCS_DIST_BETA:
        if (!(a > 0) || !(b > 0))
            return NAN;
        return gsl_ran_beta(rng, a, b);
    case PCS_DIST_POISSON:
        if (!(a >= 0 && a <= POISSON_MEAN_MAX))
            return NAN;
        return (double)gsl_ran_poisson(rng, a);
    case PCS_DIST_GEOMETRIC:
        if (!(a >= 1 && a <= GEOMETRIC_MEAN_MAX))
            return NAN;
        return (double)gsl_ran_geometric(rng, 1 / a);
    case PCS_DIST_EMPIRICAL: return sample_empirical(dist, rng);
    case PCS_DIST_COUNT: break; /* not a kind */
    }
    return NAN;
}

/* ----------------------------------------------------------------- means */

/* lambda(alpha) - alpha, where lambda = phi / Q is the inverse Mills ratio:
 * the standard normal's mean excess over alpha given that it exceeds it.
 * Past alpha = 30 phi and Q head for underflow and their ratio for
 * cancellation; there the asymptotic series 1/a - 2/a^3 + 10/a^5 - 74/a^7
 * is exact to double precision (next term 706/a^9). */
static double normal_excess(double alpha)
{
    if (alpha > 30) {
        double inv = 1 / alpha;
        double inv2 = inv * inv;
        return inv * (1 + inv2 * (-2 + inv2 * (10 + inv2 * -74)));
    }
    return gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_Q(alpha) - alpha;
}

static double empirical_mean(const struct pcs_dist *dist)
{
    if (dist->count == 0 || !dist->values)
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < dist->count; i++)
        sum += dist->values[i];
    return sum / (double)dist->count;
}

double pcs_dist_mean(const struct pcs_dist *dist)
{
    const double a = dist->a;
    const double b = dist->b;
    switch (dist->kind) {
    case PCS_DIST_CONSTANT:
    case PCS_DIST_POISSON:
    case PCS_DIST_GEOMETRIC: return a;
    case PCS_DIST_UNIFORM: return a / 2 + b / 2; /* no overflow for huge bounds */
    case PCS_DIST_NORMAL: {
        /* E[X | X > 0] = mean + sd lambda(alpha) with alpha = -mean / sd,
         * written as sd (lambda - alpha) when alpha is large so that the
         * cancellation of mean against sd alpha happens exactly. */
        const double alpha = -a / b;
        if (alpha > 30)
            return b * normal_excess(alpha);
        /* Mean 30 sd above 0 or more: the cut changes no bit of the mean,
         * and -a / b may have overflowed to -inf (inf - inf below). */
        if (alpha < -30)
            return a;
        return a + b * (normal_excess(alpha) + alpha);
    case PCS_DIST_COUNT: break; /* not a kind */
    }
    case PCS_DIST_LOGNORMAL: return a * exp(b * b / 2);
    case PCS_DIST_GAMMA: return a * b;
    case PCS_DIST_BETA: return a / (a + b);
    case PCS_DIST_EMPIRICAL: return empirical_mean(dist);
    }
    return NAN;
}

/* ---------------------------------------------------------------- counts */

uint64_t pcs_dist_sample_count(const struct pcs_dist *dist, gsl_rng *rng, uint64_t minimum, uint64_t maximum)
{
    if (maximum < minimum)
        maximum = minimum;
    const double x = pcs_dist_sample(dist, rng);
    /* Clamp in floating point first: llround of NaN, of a negative or of
     * anything past 2^63 is undefined. NaN fails the first comparison. */
    if (!(x > (double)minimum))
        return minimum;
    if (x >= (double)maximum)
        return maximum;
    uint64_t count;
    if (x < 0x1.0p63)
        count = (uint64_t)llround(x);
    else
        count = (uint64_t)x; /* doubles this large are whole, and < 2^64 here */
    /* (double)minimum and (double)maximum may have rounded: clamp exactly. */
    if (count < minimum)
        return minimum;
    if (count > maximum)
        return maximum;
    return count;
}
