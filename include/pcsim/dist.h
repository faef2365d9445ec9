/* pcsim: random numbers for the Monte Carlo engine (DESIGN §5).
 *
 * Streams: every random quantity of a trial comes from a counter-based
 * stream keyed by a tuple (seed, trial, task, ...), so a draw depends only
 * on what it is for, never on the order of other draws or on threads: two
 * strategies that meet the same task see the same numbers (common random
 * numbers), and any thread count gives the same output. A stream is a GSL
 * generator (gsl_rng) of pcsim's own type, so GSL's samplers draw from it.
 *
 * Distributions: any number of a scenario may be one of these. */
#ifndef PCSIM_DIST_H
#define PCSIM_DIST_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

/* ------------------------------------------------------------- streams */

/* A new stream generator (gsl_rng_free to release); NULL when out of memory. */
gsl_rng *pcs_stream_new(void);

/* Restarts rng (a pcs_stream_new generator) as the stream keyed by
 * (seed, a, b, c): the same key always gives the same sequence, different
 * keys independent-looking ones. Cheap: a trial re-keys it per task. */
void pcs_stream_key(gsl_rng *rng, uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* One uniform draw in [0, 1) keyed by (seed, a, b, c), without a generator
 * (53 random bits): for single draws such as an attempt's failure. It is
 * independent of the stream pcs_stream_key gives the same tuple. */
double pcs_stream_uniform(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* --------------------------------------------------------- distributions */

enum pcs_dist_kind {
    PCS_DIST_CONSTANT = 0, /* value: a */
    PCS_DIST_UNIFORM,      /* [a, b) */
    PCS_DIST_NORMAL,       /* mean a, sd b, truncated at 0 (redrawn while negative) */
    PCS_DIST_LOGNORMAL,    /* median a (= e^mu), sigma b */
    PCS_DIST_GAMMA,        /* shape a, scale b */
    PCS_DIST_BETA,         /* a, b */
    PCS_DIST_POISSON,      /* mean a */
    PCS_DIST_GEOMETRIC,    /* mean a >= 1: trials until the first success, 1, 2, ... (p = 1/a) */
    PCS_DIST_EMPIRICAL,    /* one of values[0..count), uniformly */
    PCS_DIST_COUNT         /* not a distribution: how many there are */
};

struct pcs_dist {
    enum pcs_dist_kind kind;
    double a, b;
    size_t count;          /* empirical */
    const double *values;  /* empirical; owned by whoever built the dist */
};

/* A constant. */
struct pcs_dist pcs_dist_constant(double value);

/* The kind's name ("lognormal") and its parse (-1 when unknown). */
const char *pcs_dist_kind_name(enum pcs_dist_kind kind);
int pcs_dist_kind_parse(const char *name);

/* Checks the parameters (finite; sd, sigma, scale, shape, a, b > 0 where
 * needed; min <= max; geometric mean >= 1; empirical non-empty and
 * finite). Returns 0, or -1 with a reason ("sigma must be > 0") in why. */
int pcs_dist_check(const struct pcs_dist *dist, char *why, size_t why_size);

/* One draw from a distribution that passed pcs_dist_check (NaN otherwise). */
double pcs_dist_sample(const struct pcs_dist *dist, gsl_rng *rng);

/* The distribution's mean (truncated normal: the truncated mean). */
double pcs_dist_mean(const struct pcs_dist *dist);

/* A draw rounded to a whole count >= minimum (token counts, steps):
 * llround of the sample, clamped to [minimum, maximum]. */
uint64_t pcs_dist_sample_count(const struct pcs_dist *dist, gsl_rng *rng, uint64_t minimum, uint64_t maximum);

#endif
