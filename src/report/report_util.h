/* Helpers shared by the report writers (internal to src/report). */
#ifndef PCSIM_REPORT_UTIL_H
#define PCSIM_REPORT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcsim/pricing.h"
#include "pcsim/report.h"

/* "61,194,628" into buf (at least 32 bytes). */
const char *report_grouped(uint64_t value, char *buf, size_t cap);

/* cache_read / input, 0 when input is 0. */
double report_cached_ratio(const struct pcs_usage *usage);

/* Model ids of the result ordered by model name (caller frees). */
uint32_t *report_models_by_name(const struct pcs_replay_report *report);

/* Milliseconds as seconds without trailing zeros: "300", "0.5". */
const char *report_seconds(int64_t ms, char *buf, size_t cap);

/* The policy's parameters as text: "ttl 300 s, min 1024 tokens, ...". */
void report_policy_parameters(const struct pcs_cache_config *config, char *buf, size_t cap);

/* Dollars without a currency sign, trailing zeros dropped down to two
 * decimals: up to four decimals from one dollar up ("187.2905"), up to
 * eight below ("0.00041235"). */
const char *report_usd(double usd, char *buf, size_t cap);

/* A figure without a value (pcs_has_value() false: a mean over no trial, a
 * CI over fewer than two) is written the same way by every writer of a
 * format, from this one table: "n/a" in text and HTML, an empty field in
 * CSV, null in JSON. Never 0, which would read as a real figure. */
enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON, REPORT_HTML };
const char *report_no_value(enum report_format format);

/* report_usd, or the format's no value. */
const char *report_usd_or_none(double usd, enum report_format format, char *buf, size_t cap);

/* "[low, high]" in report_usd's digits, or the format's no value when the
 * interval has none. */
const char *report_interval_or_none(double low, double high, enum report_format format, char *buf, size_t cap);

/* A CSV number ("%.10g"), or the CSV no value (an empty field). */
void report_csv_number(FILE *out, double value);

/* A Unix time as "2026-11-23T12:00:00Z". */
const char *report_utc_time(double unix_time_s, char *buf, size_t cap);

/* A price times multiplier as text: "3", "3 / 6 above 200000". */
const char *report_price(const struct pcs_price *price, double multiplier, char *buf, size_t cap);

#endif
