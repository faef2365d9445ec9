/* Statistics of Monte Carlo results (include/pcsim/stats.h), on GSL.
 *
 * Means and standard deviations are GSL's (running-mean algorithms, so the
 * same values in the same order give the same bits), quantiles GSL's
 * interpolation on sorted data, and confidence intervals Student's t.
 * Per-task quantiles come from a DDSketch-style sketch (see stats.h). */
#include <float.h>
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

/* ---------------------------------------------------------------- sketch */

enum pcs_status pcs_sketch_init(struct pcs_sketch *sketch, double alpha, struct pcs_error *err)
{
    memset(sketch, 0, sizeof *sketch);
    if (!(alpha >= 1e-4 && alpha < 0.5))
        return pcs_error_set(err, PCS_ERR_ARG, "a sketch's relative accuracy must be in [0.0001, 0.5), not %g", alpha);
    sketch->alpha = alpha;
    sketch->log_gamma = log((1 + alpha) / (1 - alpha));
    return PCS_OK;
}

void pcs_sketch_free(struct pcs_sketch *sketch)
{
    if (!sketch)
        return;
    free(sketch->counts);
    sketch->counts = NULL;
    sketch->capacity = 0;
    pcs_sketch_clear(sketch);
}

void pcs_sketch_clear(struct pcs_sketch *sketch)
{
    if (sketch->counts)
        memset(sketch->counts, 0, sketch->used * sizeof *sketch->counts);
    sketch->used = 0;
    sketch->first = 0;
    sketch->zeros = 0;
    sketch->total = 0;
    sketch->min = 0;
    sketch->max = 0;
}

/* The bucket of a value >= PCS_SKETCH_MIN_VALUE: ceil(log_gamma(value)),
 * within int32 for every finite double at any alpha the init accepts. */
static int32_t bucket_of(const struct pcs_sketch *sketch, double value)
{
    return (int32_t)ceil(log(value) / sketch->log_gamma);
}

/* Room for buckets low..high (and what is there already), the counters
 * moved to their new places. */
static enum pcs_status cover(struct pcs_sketch *sketch, int32_t low, int32_t high)
{
    if (sketch->used > 0) {
        int32_t last = sketch->first + (int32_t)sketch->used - 1;
        if (low >= sketch->first && high <= last)
            return PCS_OK;
        if (sketch->first < low)
            low = sketch->first;
        if (last > high)
            high = last;
    }
    size_t need = (size_t)((int64_t)high - low + 1);
    if (need > sketch->capacity) {
        size_t capacity = sketch->capacity ? sketch->capacity : 64;
        while (capacity < need)
            capacity *= 2;
        uint64_t *counts = realloc(sketch->counts, capacity * sizeof *counts);
        if (!counts)
            return PCS_ERR_NOMEM;
        memset(counts + sketch->capacity, 0, (capacity - sketch->capacity) * sizeof *counts);
        sketch->counts = counts;
        sketch->capacity = capacity;
    }
    if (sketch->used > 0 && low < sketch->first) {
        size_t shift = (size_t)((int64_t)sketch->first - low);
        memmove(sketch->counts + shift, sketch->counts, sketch->used * sizeof *sketch->counts);
        memset(sketch->counts, 0, shift * sizeof *sketch->counts);
    }
    sketch->first = low;
    sketch->used = need;
    return PCS_OK;
}

static void extremes(struct pcs_sketch *sketch, double min, double max)
{
    if (sketch->total == 0) {
        sketch->min = min;
        sketch->max = max;
        return;
    }
    if (min < sketch->min)
        sketch->min = min;
    if (max > sketch->max)
        sketch->max = max;
}

enum pcs_status pcs_sketch_add(struct pcs_sketch *sketch, double value)
{
    if (isnan(value))
        return PCS_OK;
    if (value < PCS_SKETCH_MIN_VALUE) {
        sketch->zeros++;
    } else {
        if (value > DBL_MAX)
            value = DBL_MAX; /* infinity: the last bucket */
        int32_t bucket = bucket_of(sketch, value);
        if (cover(sketch, bucket, bucket) != PCS_OK)
            return PCS_ERR_NOMEM;
        sketch->counts[bucket - sketch->first]++;
    }
    extremes(sketch, value, value);
    sketch->total++;
    return PCS_OK;
}

enum pcs_status pcs_sketch_merge(struct pcs_sketch *into, const struct pcs_sketch *from)
{
    if (into->alpha != from->alpha)
        return PCS_ERR_ARG;
    if (from->total == 0)
        return PCS_OK;
    if (from->used > 0) {
        if (cover(into, from->first, from->first + (int32_t)from->used - 1) != PCS_OK)
            return PCS_ERR_NOMEM;
        size_t offset = (size_t)((int64_t)from->first - into->first);
        for (size_t i = 0; i < from->used; i++)
            into->counts[offset + i] += from->counts[i];
    }
    into->zeros += from->zeros;
    extremes(into, from->min, from->max);
    into->total += from->total;
    return PCS_OK;
}

double pcs_sketch_quantile(const struct pcs_sketch *sketch, double q)
{
    if (sketch->total == 0)
        return NAN;
    if (!(q > 0))
        q = 0;
    if (q > 1)
        q = 1;
    /* The bucket holding the value of rank floor(q (n - 1)). */
    uint64_t rank = (uint64_t)floor(q * (double)(sketch->total - 1));
    if (rank == 0)
        return sketch->min; /* the extremes are kept exactly */
    if (rank >= sketch->total - 1)
        return sketch->max;
    double value = sketch->max;
    if (rank < sketch->zeros) {
        value = 0;
    } else {
        uint64_t seen = sketch->zeros;
        const double gamma = exp(sketch->log_gamma);
        for (size_t i = 0; i < sketch->used; i++) {
            seen += sketch->counts[i];
            if (seen > rank) {
                value = 2 * exp((double)(sketch->first + (int32_t)i) * sketch->log_gamma) / (gamma + 1);
                break;
            }
        }
    }
    if (value < sketch->min)
        value = sketch->min;
    if (value > sketch->max)
        value = sketch->max;
    return value;
}
