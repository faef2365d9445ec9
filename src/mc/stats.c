/* Statistics of Monte Carlo results (include/pcsim/stats.h), on GSL.
 *
 * Means and standard deviations are GSL's (running-mean algorithms, so the
 * same values in the same order give the same bits), quantiles GSL's
 * interpolation on sorted data, and confidence intervals Student's t. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "pcsim/stats.h"

/* --------------------------------------------------------------- summaries */

int pcs_has_value(double figure)
{
    return !isnan(figure);
}

/* The 95% t-interval of the mean of n values with this mean and sample sd;
 * none when n < 2 (no spread to estimate: a zero-width interval would claim
 * certainty). */
static void mean_interval(size_t n, double mean, double sd, double *low, double *high)
{
    if (n < 2) {
        *low = NAN;
        *high = NAN;
        return;
    }
    double half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
    *low = mean - half;
    *high = mean + half;
}

enum pcs_status pcs_summarize(const double *values, size_t n, struct pcs_summary *summary)
{
    memset(summary, 0, sizeof *summary);
    summary->mean = summary->sd = summary->min = summary->max = NAN;
    summary->p5 = summary->p50 = summary->p95 = summary->p99 = NAN;
    summary->ci95_low = summary->ci95_high = NAN;
    if (n == 0)
        return PCS_OK;
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return PCS_ERR_NOMEM;
    memcpy(sorted, values, n * sizeof *sorted);
    gsl_sort(sorted, 1, n);

    summary->n = n;
    summary->mean = gsl_stats_mean(values, 1, n);
    summary->sd = n >= 2 ? gsl_stats_sd_m(values, 1, n, summary->mean) : NAN;
    summary->min = sorted[0];
    summary->max = sorted[n - 1];
    summary->p5 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.05);
    summary->p50 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.50);
    summary->p95 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.95);
    summary->p99 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.99);
    mean_interval(n, summary->mean, summary->sd, &summary->ci95_low, &summary->ci95_high);
    free(sorted);
    return PCS_OK;
}

double pcs_summary_relative_half_width(const struct pcs_summary *summary)
{
    double half = (summary->ci95_high - summary->ci95_low) / 2;
    if (!pcs_has_value(half))
        return NAN;
    if (summary->mean == 0)
        return half == 0 ? 0 : INFINITY;
    return half / fabs(summary->mean);
}

/* ---------------------------------------------------------------- paired */

enum pcs_status pcs_compare_paired(const double *a, const double *b, size_t n, struct pcs_paired *paired)
{
    memset(paired, 0, sizeof *paired);
    paired->mean_difference = paired->ci95_low = paired->ci95_high = paired->p_cheaper = NAN;
    if (n == 0)
        return PCS_OK;
    double *difference = malloc(n * sizeof *difference);
    if (!difference)
        return PCS_ERR_NOMEM;
    size_t cheaper = 0;
    for (size_t i = 0; i < n; i++) {
        difference[i] = b[i] - a[i];
        if (b[i] < a[i])
            cheaper++;
    }
    double mean = gsl_stats_mean(difference, 1, n);
    double sd = n >= 2 ? gsl_stats_sd_m(difference, 1, n, mean) : 0;
    free(difference);

    paired->n = n;
    paired->mean_difference = mean;
    mean_interval(n, mean, sd, &paired->ci95_low, &paired->ci95_high);
    paired->p_cheaper = (double)cheaper / (double)n;
    return PCS_OK;
}

/* ------------------------------------------------------------- histogram */

enum pcs_status pcs_log_histogram_init(struct pcs_log_histogram *histogram, double low, double high, size_t bins)
{
    memset(histogram, 0, sizeof *histogram);
    if (!(low > 0) || !(high > low) || !isfinite(high) || bins == 0 || bins > SIZE_MAX / sizeof(uint64_t) - 2)
        return PCS_ERR_ARG;
    histogram->counts = calloc(bins + 2, sizeof *histogram->counts);
    if (!histogram->counts)
        return PCS_ERR_NOMEM;
    histogram->low = low;
    histogram->high = high;
    histogram->bins = bins;
    return PCS_OK;
}

void pcs_log_histogram_free(struct pcs_log_histogram *histogram)
{
    if (!histogram)
        return;
    free(histogram->counts);
    histogram->counts = NULL;
    histogram->bins = 0;
    histogram->total = 0;
}

/* The counts[] index of value: bin floor(bins log(v / low) / log(high / low))
 * of the log-spaced ones, shifted past the underflow bin. */
static size_t bin_of(const struct pcs_log_histogram *histogram, double value)
{
    if (value <= histogram->low)
        return 0;
    if (value >= histogram->high)
        return histogram->bins + 1;
    double position = (double)histogram->bins * log(value / histogram->low) / log(histogram->high / histogram->low);
    size_t bin = (size_t)position; /* 0 <= position < bins, up to rounding */
    if (bin >= histogram->bins)
        bin = histogram->bins - 1;
    return bin + 1;
}

/* NaN has no bin and no place in the sum: it is not counted. */
void pcs_log_histogram_add(struct pcs_log_histogram *histogram, double value)
{
    if (isnan(value) || !histogram->counts)
        return;
    histogram->counts[bin_of(histogram, value)]++;
    if (histogram->total == 0) {
        histogram->min = value;
        histogram->max = value;
    } else {
        if (value < histogram->min)
            histogram->min = value;
        if (value > histogram->max)
            histogram->max = value;
    }
    histogram->total++;
    histogram->sum += value;
}

enum pcs_status pcs_log_histogram_merge(struct pcs_log_histogram *into, const struct pcs_log_histogram *from)
{
    if (into->low != from->low || into->high != from->high || into->bins != from->bins || !into->counts ||
        !from->counts)
        return PCS_ERR_ARG;
    if (from->total == 0)
        return PCS_OK;
    if (into->total == 0) {
        into->min = from->min;
        into->max = from->max;
    } else {
        if (from->min < into->min)
            into->min = from->min;
        if (from->max > into->max)
            into->max = from->max;
    }
    for (size_t i = 0; i < into->bins + 2; i++)
        into->counts[i] += from->counts[i];
    into->total += from->total;
    into->sum += from->sum;
    return PCS_OK;
}

/* The value a share fraction of the way through counts[index], log-linearly
 * between its edges. The underflow bin spans [min, low] and the overflow
 * bin [high, max]; the underflow bin may hold zeros, so it interpolates
 * linearly when min is not positive. */
static double bin_value(const struct pcs_log_histogram *histogram, size_t index, double fraction)
{
    if (index == 0) {
        double lower = histogram->min;
        double upper = histogram->low;
        if (lower > 0)
            return lower * pow(upper / lower, fraction);
        return lower + (upper - lower) * fraction;
    }
    if (index == histogram->bins + 1)
        return histogram->high * pow(histogram->max / histogram->high, fraction);
    double position = ((double)(index - 1) + fraction) / (double)histogram->bins;
    return histogram->low * exp(position * log(histogram->high / histogram->low));
}

double pcs_log_histogram_quantile(const struct pcs_log_histogram *histogram, double q)
{
    if (histogram->total == 0 || !histogram->counts)
        return 0;
    if (!(q > 0))
        q = 0;
    if (q > 1)
        q = 1;
    /* The bin holding rank q * total: the first non-empty one whose
     * cumulative count reaches it, and how far into the bin the rank is. */
    const double rank = q * (double)histogram->total;
    uint64_t before = 0;
    size_t last = histogram->bins + 1;
    size_t index = 0;
    for (index = 0; index <= last; index++) {
        uint64_t count = histogram->counts[index];
        if (count && (double)(before + count) >= rank)
            break;
        before += count;
    }
    if (index > last)
        return histogram->max; /* rounding past the last count */
    double fraction = (rank - (double)before) / (double)histogram->counts[index];
    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    double value = bin_value(histogram, index, fraction);
    if (value < histogram->min)
        value = histogram->min;
    if (value > histogram->max)
        value = histogram->max;
    return value;
}
