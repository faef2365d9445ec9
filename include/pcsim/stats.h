/* pcsim: statistics of Monte Carlo results (DESIGN §5), on GSL.
 *
 * Summaries across trials (one value per trial, in trial order), paired
 * comparisons of two strategies over the same trials, and a quantile
 * sketch with a relative-error bound for values too many to keep (per-task
 * costs).
 * Everything is deterministic: the same inputs in the same order give the
 * same bits.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: the summary
 * functions share no state; a sketch is one thread's at a time. Ownership:
 * the caller's arrays are only read; a sketch owns its counters. Units: a
 * figure has the unit of the values summarised (USD for costs). */
#ifndef PCSIM_STATS_H
#define PCSIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"

/* A figure with no value (a mean of nothing, a spread of one value) is NaN:
 * never 0, which would read as a real figure. pcs_has_value tells them
 * apart; the reports print each format's "no value" for it. */
int pcs_has_value(double figure);

/* Mean, spread and quantiles of n values. */
struct pcs_summary {
    size_t n;
    double mean;                /* NaN when n == 0 */
    double sd;                  /* sample standard deviation (n - 1); NaN when n < 2 */
    double min, max;            /* NaN when n == 0 */
    double p5, p50, p95, p99;   /* GSL's quantile_from_sorted_data interpolation; NaN when n == 0 */
    double ci95_low, ci95_high; /* 95% CI of the mean: mean -/+ t(0.975, n-1) sd / sqrt(n); NaN when n < 2 */
};

/* Summarises values[0..n) (not modified; n may be 0: every figure NaN).
 * PCS_ERR_NOMEM when the scratch copy cannot be made. */
enum pcs_status pcs_summarize(const double *values, size_t n, struct pcs_summary *summary);

/* Half-width of the 95% CI of the mean, as a share of |mean| (infinity when
 * the mean is 0 and the width is not, 0 when both are; NaN when the CI has
 * no value, n < 2). */
double pcs_summary_relative_half_width(const struct pcs_summary *summary);

/* b against a over the same n trials: d_i = b_i - a_i. */
struct pcs_paired {
    size_t n;
    double mean_difference;     /* mean of d; NaN when n == 0 */
    double ci95_low, ci95_high; /* t-interval of the mean of d; NaN when n < 2 */
    double p_cheaper;           /* share of trials with b_i < a_i; NaN when n == 0 */
};

enum pcs_status pcs_compare_paired(const double *a, const double *b, size_t n, struct pcs_paired *paired);

/* A quantile sketch (DDSketch: Masson, Rim and Lee, VLDB 2019) for
 * non-negative values (per-task costs in USD), with a stated bound: for
 * relative accuracy alpha, the q-quantile it returns is within alpha * x of
 * x, the value of rank floor(q (n - 1)) (0-based) among the n values added
 * in sorted order. Bucket i counts the values in (gamma^(i-1), gamma^i],
 * gamma = (1 + alpha) / (1 - alpha), and stands for 2 gamma^i / (gamma + 1);
 * values below PCS_SKETCH_MIN_VALUE (zeros) have a bucket of their own that
 * stands for 0 (so the bound holds for non-negative values; a negative value
 * counts as 0). Memory: one counter per bucket between the smallest and the
 * largest value, about ln(max / min) / (2 alpha) of them (a factor of 10^14
 * at alpha 0.005: 3,200 counters). Counts are integers, so a merge gives the
 * same sketch in any order. Not thread-safe: one sketch per thread. */
#define PCS_SKETCH_MIN_VALUE 1e-300

struct pcs_sketch {
    double alpha;     /* relative accuracy */
    double log_gamma; /* ln((1 + alpha) / (1 - alpha)) */
    int32_t first;    /* the bucket index of counts[0] */
    size_t used;      /* counts[0..used) cover buckets first..first + used - 1 */
    size_t capacity;
    uint64_t *counts;
    uint64_t zeros;  /* values below PCS_SKETCH_MIN_VALUE */
    uint64_t total;  /* every value added (NaN is not) */
    double min, max; /* exact extremes seen */
};

/* Sets *sketch up empty, with relative accuracy alpha (0.0001 <= alpha <
 * 0.5, so every bucket index fits 32 bits): PCS_ERR_ARG with err filled
 * otherwise (the sketch is then empty and holds nothing). It allocates as
 * values arrive; release it with pcs_sketch_free. */
enum pcs_status pcs_sketch_init(struct pcs_sketch *sketch, double alpha, struct pcs_error *err);
/* Releases the counters; the sketch is empty again. NULL is a no-op. */
void pcs_sketch_free(struct pcs_sketch *sketch);
/* Empties the sketch and keeps its memory (for reuse trial after trial). */
void pcs_sketch_clear(struct pcs_sketch *sketch);
/* Adds value (NaN is ignored). PCS_ERR_NOMEM when the counters cannot grow
 * (the sketch is unchanged). */
enum pcs_status pcs_sketch_add(struct pcs_sketch *sketch, double value);
/* Adds every count of from into into (the same alpha: PCS_ERR_ARG
 * otherwise); PCS_ERR_NOMEM leaves into unchanged. */
enum pcs_status pcs_sketch_merge(struct pcs_sketch *into, const struct pcs_sketch *from);
/* The q-quantile (q clamped to [0, 1]) within the bound above, clamped to
 * [min, max]; the smallest and largest values (ranks 0 and n - 1) exactly;
 * NaN (no value) when the sketch is empty. */
double pcs_sketch_quantile(const struct pcs_sketch *sketch, double q);

#endif
