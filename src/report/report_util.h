/* Helpers shared by the report writers (internal to src/report). */
#ifndef PCSIM_REPORT_UTIL_H
#define PCSIM_REPORT_UTIL_H

#include <stddef.h>
#include <stdint.h>

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

/* What a trace's "5m"/"1h" breakpoint markers did (DESIGN §3): nothing to
 * say (no marked request, or no breakpoint policy), they stood (the policy
 * TTL covered unmarked breakpoints only), or a what-if TTL overrode them. */
enum report_markers { REPORT_MARKERS_NONE, REPORT_MARKERS_STAND, REPORT_MARKERS_OVERRIDDEN };

/* The markers of a replay; *ttl_ms is the breakpoint policy's TTL, or -1
 * when per-model caches have different ones. */
enum report_markers report_replay_markers(const struct pcs_replay_report *report, int64_t *ttl_ms);

/* "stand", "overridden" or NULL (REPORT_MARKERS_NONE), for JSON. */
const char *report_markers_name(enum report_markers markers);

/* The sentence people read, e.g. "markers stand: 3 requests mark
 * breakpoints "5m" or "1h" and those entries live by their marker; the
 * policy TTL 3600 s applies to unmarked breakpoints"; "" for NONE. */
const char *report_markers_text(enum report_markers markers, uint64_t marked_requests, int64_t ttl_ms, char *buf,
                                size_t cap);

/* Dollars without a currency sign, trailing zeros dropped down to two
 * decimals: up to four decimals from one dollar up ("187.2905"), up to
 * eight below ("0.00041235"). */
const char *report_usd(double usd, char *buf, size_t cap);

/* A Unix time as "2026-11-23T12:00:00Z". */
const char *report_utc_time(double unix_time_s, char *buf, size_t cap);

/* A price times multiplier as text: "3", "3 / 6 above 200000". */
const char *report_price(const struct pcs_price *price, double multiplier, char *buf, size_t cap);

#endif
