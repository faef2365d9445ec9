/* pcsim: statistics of Monte Carlo results (DESIGN §5), on GSL.
 *
 * Summaries across trials (one value per trial, in trial order), paired
 * comparisons of two strategies over the same trials, and a streaming
 * histogram for quantiles of values too many to keep (per-task costs).
 * Everything is deterministic: the same inputs in the same order give the
 * same bits. */
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
    double mean;     /* NaN when n == 0 */
    double sd;       /* sample standard deviation (n - 1); NaN when n < 2 */
    double min, max; /* NaN when n == 0 */
    double p5, p50, p95, p99; /* GSL's quantile_from_sorted_data interpolation; NaN when n == 0 */
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
    double mean_difference;              /* mean of d; NaN when n == 0 */
    double ci95_low, ci95_high;          /* t-interval of the mean of d; NaN when n < 2 */
    double p_cheaper;                    /* share of trials with b_i < a_i; NaN when n == 0 */
};

enum pcs_status pcs_compare_paired(const double *a, const double *b, size_t n, struct pcs_paired *paired);

/* A log-spaced histogram for positive values (costs in USD). Its counts,
 * min and max merge in any order with the same result (sum is floating
 * point: its last bits depend on the order). Values <= low go to an
 * underflow bin, values >= high to an overflow bin, NaN nowhere. */
struct pcs_log_histogram {
    double low, high;
    size_t bins;        /* between low and high */
    uint64_t *counts;   /* bins + 2: [0] underflow (and zeros), [bins + 1] overflow */
    uint64_t total;
    double sum;         /* of every value added, for the mean */
    double min, max;    /* exact extremes seen */
};

/* bins log-spaced bins over (low, high) (0 < low < high, bins >= 1). */
enum pcs_status pcs_log_histogram_init(struct pcs_log_histogram *histogram, double low, double high, size_t bins);
void pcs_log_histogram_free(struct pcs_log_histogram *histogram);
void pcs_log_histogram_add(struct pcs_log_histogram *histogram, double value);
/* Adds every count of from into into (same low, high, bins). */
enum pcs_status pcs_log_histogram_merge(struct pcs_log_histogram *into, const struct pcs_log_histogram *from);
/* The q-quantile (0 <= q <= 1), interpolated log-linearly inside its bin and
 * clamped to [min, max]; 0 when empty. Accurate to the bin width. */
double pcs_log_histogram_quantile(const struct pcs_log_histogram *histogram, double q);

#endif
