/* pcsim: the distributions a scenario's numbers may follow (DESIGN §5).
 *
 * Any number of a scenario may be one of these. This header describes and
 * checks them; the Monte Carlo engine draws from them with its own keyed
 * random streams (src/mc/stream.h, internal), so no GSL type is public.
 *
 * Thread safety: every function here is pure (no state, no allocation).
 * Ownership: a struct pcs_dist borrows its empirical values; whoever built
 * it keeps them alive as long as it (a scenario's live in its set). Units:
 * a distribution has its quantity's unit (tokens, seconds, a probability,
 * tasks per hour), as the field that holds it says. */
#ifndef PCSIM_DIST_H
#define PCSIM_DIST_H

#include <stddef.h>

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
    size_t count;         /* empirical */
    const double *values; /* empirical; owned by whoever built the dist */
};

/* A constant. */
struct pcs_dist pcs_dist_constant(double value);

/* The kind's name ("lognormal"; "unknown" outside the range; static text)
 * and its parse (-1 when unknown). */
const char *pcs_dist_kind_name(enum pcs_dist_kind kind);
int pcs_dist_kind_parse(const char *name);

/* Checks the parameters (finite; sd, sigma, scale, shape, a, b > 0 where
 * needed; min <= max; geometric mean >= 1; empirical non-empty and
 * finite). Returns 0, or -1 with a reason ("sigma must be > 0") in
 * why[0..why_size) (cut short to fit; why may be NULL: no reason). */
int pcs_dist_check(const struct pcs_dist *dist, char *why, size_t why_size);

/* The distribution's mean (truncated normal: the truncated mean), in its
 * quantity's unit. */
double pcs_dist_mean(const struct pcs_dist *dist);

#endif
