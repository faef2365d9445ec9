/* pcsim: observed against simulated cache usage (docs/design.md §9).
 *
 * A request imported from a provider's log carries the cache usage the
 * provider reported (pcs_request.observed). These are the two rules every
 * comparison of it with a simulation uses: a request's deviation, whose sum
 * over the requests divided by their input is the error E, and whether the
 * two agree. Pure functions, thread-safe. Units: tokens. */
#ifndef PCSIM_RECONCILE_H
#define PCSIM_RECONCILE_H

#include <stdint.h>

#include "pcsim/cache.h"
#include "pcsim/request.h"

/* Tokens a request agrees within at least, and the share of its input
 * (1%) it agrees within when that is more. */
#define PCS_AGREE_MIN_TOKENS 128u
#define PCS_AGREE_INPUT_SHARE 0.01

/* |sim.cache_read - obs.cache_read| + |sim.cache_write - obs.cache_write|:
 * the request's part of E = sum(deviation) / sum(input). */
uint64_t pcs_observed_deviation(const struct pcs_observed *obs, const struct pcs_usage *sim);

/* 1 if the deviation is at most max(PCS_AGREE_MIN_TOKENS,
 * PCS_AGREE_INPUT_SHARE x input_tokens), else 0. */
int pcs_observed_agrees(const struct pcs_observed *obs, const struct pcs_usage *sim, uint64_t input_tokens);

#endif
