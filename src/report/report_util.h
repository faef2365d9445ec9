/* Helpers shared by the report writers (internal to src/report). */
#ifndef PCSIM_REPORT_UTIL_H
#define PCSIM_REPORT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcsim/pricing.h"
#include "pcsim/report.h"
#include "pcsim/sweep.h"

/* "61,194,628" into buf (at least 32 bytes). */
const char *pcs_report_grouped(uint64_t value, char *buf, size_t cap);

/* cache_read / input, 0 when input is 0. */
double pcs_report_cached_ratio(const struct pcs_usage *usage);

/* Model ids of the result ordered by model name (caller frees). */
uint32_t *pcs_report_models_by_name(const struct pcs_replay_report *report);

/* Milliseconds as seconds without trailing zeros: "300", "0.5". */
const char *pcs_report_seconds(int64_t ms, char *buf, size_t cap);

/* The policy's parameters as text, those it reads (pcs_policy_info) in one
 * order, then its summary: "idle TTL 300 s, min 1024 tokens, granularity
 * 128", "capacity 3000000 tokens, least recently used evicted". */
void pcs_report_policy_parameters(const struct pcs_cache_config *config, char *buf, size_t cap);

/* The same without the parameters in skip (PCS_USES_*: what a sweep varies);
 * "" when nothing is left. */
void pcs_report_policy_parameters_except(const struct pcs_cache_config *config, unsigned skip, char *buf, size_t cap);

/* What a trace's "5m"/"1h" breakpoint markers did (DESIGN §3): nothing to
 * say (no marked request, or no breakpoint policy), they stood (the policy
 * TTL covered unmarked breakpoints only), or a what-if TTL overrode them. */
enum report_markers { REPORT_MARKERS_NONE, REPORT_MARKERS_STAND, REPORT_MARKERS_OVERRIDDEN };

/* The markers of a replay; *ttl_ms is the breakpoint policy's TTL, or -1
 * when per-model caches have different ones. */
enum report_markers pcs_report_replay_markers(const struct pcs_replay_report *report, int64_t *ttl_ms);

/* "stand", "overridden" or NULL (REPORT_MARKERS_NONE), for JSON. */
const char *pcs_report_markers_name(enum report_markers markers);

/* The sentence people read, e.g. "markers stand: 3 requests mark
 * breakpoints "5m" or "1h" and those entries live by their marker; the
 * policy TTL 3600 s applies to unmarked breakpoints"; "" for NONE. */
const char *pcs_report_markers_text(enum report_markers markers, uint64_t marked_requests, int64_t ttl_ms, char *buf,
                                    size_t cap);

/* The same sentence for a TTL sweep over a marked trace (every point
 * overrides the markers: DESIGN §3); "" when no request is marked. */
const char *pcs_report_sweep_markers_text(const struct pcs_sweep_result *result, char *buf, size_t cap);

/* Money for people (text and HTML reports; JSON and CSV carry the numbers
 * unrounded). Every amount of a column is printed with the same number of
 * decimals, so the column aligns and reads like money: the precision is
 * chosen once from the column's amounts, enough for the smallest non-zero
 * one to show REPORT_MONEY_DIGITS significant digits, at least
 * REPORT_MONEY_MIN_DECIMALS (cents) and at most REPORT_MONEY_MAX_DECIMALS.
 * An amount that is not zero but would print as zero at that precision
 * prints as "<0.0001" (">-0.0001" below zero), never as "0.0000"; an
 * amount that is not finite (no value: pcs_has_value) as "n/a", pcs_report_no_value()'s.
 *
 * Usage: pcs_report_money_init, pcs_report_money_add for each amount of the column
 * (or pcs_report_money_of an array), then pcs_report_money_text or
 * pcs_report_money_dollars for each cell. Spreads printed beside a value (an
 * sd, a CI's half-width) take the value's column and are not added to it. */
#define REPORT_MONEY_DIGITS 3
#define REPORT_MONEY_MIN_DECIMALS 2
#define REPORT_MONEY_MAX_DECIMALS 6

struct report_money {
    int decimals; /* REPORT_MONEY_MIN_DECIMALS to REPORT_MONEY_MAX_DECIMALS */
};

void pcs_report_money_init(struct report_money *money);

/* Widens the precision for usd when it needs more decimals; non-finite
 * amounts and zero change nothing. */
void pcs_report_money_add(struct report_money *money, double usd);

/* The column of count amounts. */
struct report_money pcs_report_money_of(const double *usd, size_t count);

/* Without a currency sign: "3.25", "0.0500", "-0.000525", "<0.0001". */
const char *pcs_report_money_text(const struct report_money *money, double usd, char *buf, size_t cap);

/* With one: "$3.25", "-$0.0500", "<$0.0001". */
const char *pcs_report_money_dollars(const struct report_money *money, double usd, char *buf, size_t cap);

/* One amount on its own (a column of one): pcs_report_money_text. */
const char *pcs_report_usd(double usd, char *buf, size_t cap);

/* The money columns of a priced replay's cost tables (text and HTML),
 * over the total and every priced model with requests: one precision for
 * the three costs (with, without and with the ideal cache: one kind of
 * amount, plotted side by side), one for the savings (without - with). */
struct replay_money {
    struct report_money cost;
    struct report_money savings;
};

void pcs_report_replay_money(const struct pcs_replay_report *report, struct replay_money *money);

/* 1 if the sweep's points vary the capacity (its policy has a capacity
 * curve), 0 if they vary the TTL. */
int pcs_report_sweep_by_capacity(const struct pcs_sweep_result *result);

/* The same for a priced sweep (text and HTML): one precision for the
 * costs (every priced point's, the ideal cache's and the cost without a
 * cache), one for the savings against the cost without a cache. */
struct sweep_money {
    struct report_money cost;
    struct report_money savings;
};

void pcs_report_sweep_money(const struct pcs_sweep_result *result, struct sweep_money *money);

/* "1 request", "2 requests", "1,234 requests": count grouped as
 * pcs_report_grouped does, then singular when count is exactly 1, else plural.
 * buf holds at least 32 bytes more than the longer noun. */
const char *pcs_report_count(uint64_t count, const char *singular, const char *plural, char *buf, size_t cap);

/* The noun alone, for a count printed otherwise ("min 1024 tokens"):
 * singular when count is exactly 1, else plural. */
const char *pcs_report_noun(uint64_t count, const char *singular, const char *plural);

/* The indefinite article for a noun phrase, by its first letter: "an" before
 * a vowel ("an Azure CSV trace"), else "a". */
const char *pcs_report_article(const char *phrase);

/* The note a report prints when trace's prompts come from token counts
 * alone (pcs_trace_counts_only_format), in buf[0..cap): "note: a Claude
 * Code transcript trace holds no prompt text: ..."; NULL when they do not. */
const char *pcs_report_counts_only_note(const pcs_trace *trace, char *buf, size_t cap);

/* A figure without a value (pcs_has_value() false: a mean over no trial, a
 * CI over fewer than two) is written the same way by every writer of a
 * format, from this one table: "n/a" in text and HTML, an empty field in
 * CSV, null in JSON. Never 0, which would read as a real figure. */
enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON, REPORT_HTML };
const char *pcs_report_no_value(enum report_format format);

/* "[low, high]" in money's column precision, or the no value of text and
 * HTML ("n/a") when the interval has none (fewer than two trials). */
const char *pcs_report_money_interval(const struct report_money *money, double low, double high, char *buf, size_t cap);

/* A CSV number ("%.10g"), or the CSV no value (an empty field). */
void pcs_report_csv_number(FILE *out, double value);

/* A Unix time as "2026-11-23T12:00:00Z". */
const char *pcs_report_utc_time(double unix_time_s, char *buf, size_t cap);

/* A price times multiplier as text: "3", "3 / 6 above 200000". */
const char *pcs_report_price(const struct pcs_price *price, double multiplier, char *buf, size_t cap);

#endif
