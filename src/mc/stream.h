/* Random numbers for the Monte Carlo engine (DESIGN §5): keyed streams and
 * the samplers that draw a scenario's distributions (pcsim/dist.h) from
 * them. Internal to libpcsim: GSL's types stay out of the public headers.
 *
 * Every random quantity of a trial comes from a counter-based stream keyed
 * by a tuple (seed, trial, task, ...), so a draw depends only on what it is
 * for, never on the order of other draws or on threads: two strategies that
 * meet the same task see the same numbers (common random numbers), and any
 * thread count gives the same output. A stream is a GSL generator (gsl_rng)
 * of pcsim's own type, so GSL's samplers draw from it.
 *
 * Thread safety: a stream is one thread's (one per worker); the functions
 * that take none share no state. */
#ifndef PCSIM_MC_STREAM_H
#define PCSIM_MC_STREAM_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "pcsim/dist.h"
#include "pcsim/status.h"

/* A new stream generator (release with gsl_rng_free); NULL with err filled
 * (PCS_ERR_NOMEM) when out of memory. */
gsl_rng *pcs_stream_new(struct pcs_error *err);

/* Restarts rng (a pcs_stream_new generator) as the stream keyed by
 * (seed, a, b, c): the same key always gives the same sequence, different
 * keys independent-looking ones. Cheap: a trial re-keys it per task. */
void pcs_stream_key(gsl_rng *rng, uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* One uniform draw in [0, 1) keyed by (seed, a, b, c), without a generator
 * (53 random bits): for single draws such as an attempt's failure. It is
 * independent of the stream pcs_stream_key gives the same tuple. */
double pcs_stream_uniform(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* One draw from a distribution that passed pcs_dist_check (NaN otherwise),
 * in the distribution's unit. */
double pcs_dist_sample(const struct pcs_dist *dist, gsl_rng *rng);

/* A draw rounded to a whole count >= minimum (token counts, steps):
 * llround of the sample, clamped to [minimum, maximum]. */
uint64_t pcs_dist_sample_count(const struct pcs_dist *dist, gsl_rng *rng, uint64_t minimum, uint64_t maximum);

#endif
