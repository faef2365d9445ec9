/* pcsim: report writers (usage -> text, JSON, CSV).
 *
 * Writers print to a FILE the caller owns and return PCS_ERR_IO if a write
 * failed, PCS_ERR_NOMEM if building the output ran out of memory. Output is
 * deterministic: the same inputs give byte-identical reports.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: call the
 * writers from one thread at a time (model ordering sorts through a
 * file-level key in report_util.c). Ownership: a report struct and
 * everything it points to are the caller's and only read; NULL pointers
 * in it mean what each field says (no cost: not priced). Units: token
 * counts, USD, Unix seconds for price times, multipliers as factors. */
#ifndef PCSIM_REPORT_H
#define PCSIM_REPORT_H

#include <stdio.h>

#include "pcsim/calibrate.h"
#include "pcsim/mc.h"
#include "pcsim/pricing.h"
#include "pcsim/replay.h"
#include "pcsim/replay_cost.h"
#include "pcsim/sweep.h"
#include "pcsim/timeline.h"

struct pcs_replay_report {
    const char *const *paths; /* the trace files */
    size_t path_count;
    const char *preset;             /* the preset or policy name the user chose */
    struct pcs_cache_config config; /* its parameters after overrides */
    const pcs_trace *trace;
    const struct pcs_replay_result *result;
    /* When the preset's parameters depend on the model (auto, anthropic-*,
     * gemini): each trace model's cache, indexed by model id; else NULL. */
    const struct pcs_cache_config *model_configs;
    /* Dollars (NULL when not priced), and how they were priced. */
    const struct pcs_replay_cost *cost;
    const char *catalog_source;
    double price_time_s;
    int tier_override; /* an enum pcs_tier, or -1: each request's own */
    double region_uplift;
    int partial; /* interrupted (SIGINT): the requests before it only */
    /* Observed against simulated (NULL: no request carries observed usage,
     * and the report is what it was before reconciliation existed). Its
     * dollars are shown when it is priced. */
    const struct pcs_reconciliation *reconciliation;
    /* A sharded replay of a capacity-bound cache (lru) over this many
     * ranks: each rank was one server of a prefix-affinity-routed cluster
     * with the capacity of its own, which the report says (0: not so; a
     * sharded replay of any other policy is exact and reports as one). */
    unsigned sharded_servers;
};

/* A human-readable table: totals and per model, policy echoed. */
enum pcs_status pcs_report_replay_text(FILE *out, const struct pcs_replay_report *report);

/* {"schema": "pcsim.replay.v1", "policy": {...}, "requests": N,
 *  "tokens": {"input", "cache_read", "cache_write", "uncached", "output"},
 *  "cached_ratio": x, "by_model": [...]} with integer token counts, and
 *  "reconciliation": {...} when the report has one. */
enum pcs_status pcs_report_replay_json(FILE *out, const struct pcs_replay_report *report);

/* scope,model,requests,input,cache_read,cache_write,cache_write_1h,uncached,output,cached_ratio,
 * cost_usd,cost_without_cache_usd,cost_ideal_usd (the costs empty when not priced); the columns
 * of every usage table are described once, in src/report/columns.c. With a reconciliation, a
 * blank line and its own table follow: scope,model,place, then its columns (scope total, model
 * or request: one of the requests that disagree most, at place). */
enum pcs_status pcs_report_replay_csv(FILE *out, const struct pcs_replay_report *report);

/* Per-request CSV: the header, then one row per request:
 * t_ms,model,input,cache_read,cache_write,output,cache_write_1h,cost_usd,
 * observed_cache_read,observed_cache_write,observed_cache_write_1h,source
 * (usage simulated; cost_usd empty when the model has no price; the
 * observed_* columns empty when the request carries no observed usage;
 * source the request's place, "path:line", may be NULL: empty). */
enum pcs_status pcs_report_requests_header(FILE *out);
enum pcs_status pcs_report_requests_row(FILE *out, const char *model, const struct pcs_request *req,
                                        const struct pcs_usage *usage, double cost_usd, const char *source);

/* One usage priced ('pcsim prices cost'). */
struct pcs_price_quote {
    const pcs_catalog *catalog;
    const struct pcs_model *model;
    const struct pcs_price_set *set; /* the model's prices at price_time_s */
    double price_time_s;
    enum pcs_tier tier;
    double tier_multiplier;
    double region_uplift; /* a multiplier: 1.1 for +10% */
    struct pcs_usage usage;
    uint64_t prompt_class; /* pcs_price_class_average of usage */
    struct pcs_cost cost;
};

/* The cost, line by line: tokens, USD per unit after multipliers, USD. */
enum pcs_status pcs_report_price_quote_text(FILE *out, const struct pcs_price_quote *quote);

/* {"schema": "pcsim.prices.v1", "model", "provider", "tier", ..., "usage":
 *  {...}, "unit_prices": {...}, "parts": {...}, "total": USD}. */
enum pcs_status pcs_report_price_quote_json(FILE *out, const struct pcs_price_quote *quote);

/* Every model of provider (NULL: of every provider) with its prices at
 * price_time_s: a table, or {"schema": "pcsim.prices.v1", "models": [...]}. */
enum pcs_status pcs_report_price_list_text(FILE *out, const pcs_catalog *catalog, const struct pcs_provider *provider,
                                           double price_time_s);
enum pcs_status pcs_report_price_list_json(FILE *out, const pcs_catalog *catalog, const struct pcs_provider *provider,
                                           double price_time_s);

/* One model: its provider, cache preset, minimum prefix, tiers, the prices
 * in effect at price_time_s and every dated or timed price it has. */
enum pcs_status pcs_report_price_model_text(FILE *out, const pcs_catalog *catalog, const struct pcs_model *model,
                                            double price_time_s);
enum pcs_status pcs_report_price_model_json(FILE *out, const pcs_catalog *catalog, const struct pcs_model *model,
                                            double price_time_s);

/* One Monte Carlo run ('pcsim run'): every sweep point's result. */
struct pcs_run_point_report {
    const char *label; /* "" without a sweep */
    const struct pcs_scenario *scenario;
    const struct pcs_run_result *result;
    size_t setting_count;                     /* the sweep's paths; 0 without a sweep */
    const struct pcs_sweep_setting *settings; /* the point's value of each (pcsim/scenario.h) */
};

struct pcs_run_report {
    const char *path; /* the scenario file */
    const char *name; /* the scenario's name */
    uint64_t seed;
    int trials_auto;
    double target_relative_half_width; /* with trials_auto */
    const char *catalog_source;
    double price_time_s;
    double region_uplift;
    size_t point_count;
    const struct pcs_run_point_report *points;
    int partial; /* stopped early (SIGINT): fewer trials than planned */
};

/* Per strategy (and sweep point): cost per completed task across trials
 * (mean, sd, p5, p50, p95, p99, 95% CI of the mean), per-task cost
 * quantiles, completion rate, attempts per task, escalation rate, cached
 * ratio, spend per horizon, and against the first strategy the paired mean
 * difference with its 95% CI and P(cheaper) (docs/scenario.md, "What the
 * figures mean"). Text (with a sweep, a summary table across the points
 * first), JSON (schema pcsim.run.v1) or CSV (one row per point and
 * strategy). The output never depends on the thread count. */
enum pcs_status pcs_report_run_text(FILE *out, const struct pcs_run_report *report);
enum pcs_status pcs_report_run_json(FILE *out, const struct pcs_run_report *report);
enum pcs_status pcs_report_run_csv(FILE *out, const struct pcs_run_report *report);

/* A sweep ('pcsim sweep'): the curve and where it came from. */
struct pcs_sweep_report {
    const char *const *paths; /* the trace files */
    size_t path_count;
    const char *preset; /* the preset or policy name the user chose */
    const struct pcs_sweep_result *result;
    const pcs_trace *trace;     /* model names */
    const char *catalog_source; /* NULL when not priced */
    double price_time_s;
};

/* A table (one row per point, the ideal ceiling last), JSON {"schema":
 * "pcsim.sweep.v1", "policy": {...}, "points": [{"ttl_s" or
 * "capacity_tokens", "tokens": {"input", "cache_read", "cache_write",
 * "cache_write_1h", "uncached", "output"}, "cached_ratio", "cost"?}],
 * "ideal": {...}}, or CSV (one row per point). */
enum pcs_status pcs_report_sweep_text(FILE *out, const struct pcs_sweep_report *report);
enum pcs_status pcs_report_sweep_json(FILE *out, const struct pcs_sweep_report *report);
enum pcs_status pcs_report_sweep_csv(FILE *out, const struct pcs_sweep_report *report);

/* A calibration ('pcsim calibrate'): the error curve, the best TTL and,
 * when priced, the presets' costs at it. */
struct pcs_calibrate_report {
    const char *const *paths; /* the trace files */
    size_t path_count;
    const char *preset; /* the preset or policy name the user chose */
    const struct pcs_calibrate_result *result;
    const struct pcs_calibrate_costs *costs; /* NULL when not priced */
    const char *catalog_source;              /* NULL when not priced */
    double price_time_s;
    const pcs_trace *trace; /* as calibrated: what it says of its prompts (NULL: nothing) */
};

/* Text (the best TTL, its interval, the nominal TTL's error, one row per
 * point in TTL order, the costs), JSON {"schema": "pcsim.calibrate.v1",
 * "policy": {...}, "files", "requests", "observed_requests",
 * "unobserved_requests", "skipped", "observed": {tokens}, "points":
 * [{"ttl_s", "error", "deviation", "cache_read", "cache_write"}], "best":
 * {"ttl_s", "error", "interval": [lo, hi]}, "nominal": {"ttl_s", "error"},
 * "costs"?: {...}, "notes": [...]} (docs/schemas/calibrate.schema.json), CSV
 * (one row per point, in the order asked) and HTML (E against the TTL). */
enum pcs_status pcs_report_calibrate_text(FILE *out, const struct pcs_calibrate_report *report);
enum pcs_status pcs_report_calibrate_json(FILE *out, const struct pcs_calibrate_report *report);
enum pcs_status pcs_report_calibrate_csv(FILE *out, const struct pcs_calibrate_report *report);
enum pcs_status pcs_report_calibrate_html(FILE *out, const struct pcs_calibrate_report *report);

/* Self-contained HTML reports (inline SVG and CSS; no scripts, no external
 * assets), readable at a glance: axes with units and labels.
 * replay: cached ratio over time (timeline) and by model, the cost
 *   breakdown (when priced), and the reconciliation (when the report has
 *   one: its table, observed and simulated totals, the worst requests);
 * sweep: the cached-ratio (and cost, when priced) curve against the TTL or
 *   the capacity, the ideal ceiling, and the provider presets' TTLs marked
 *   (5 min, 30 min, 1 h, 6 h, 24 h);
 * run: per strategy the distribution (CDF) of cost per completed task across
 *   trials, and a bar chart of the means with their 95% CIs (per sweep
 *   point); with a sweep, first one chart of each strategy's mean with its
 *   95% CI against the swept value and a table of every point, the points
 *   then folded (<details>). */
enum pcs_status pcs_report_replay_html(FILE *out, const struct pcs_replay_report *report,
                                       const struct pcs_timeline *timeline);
enum pcs_status pcs_report_sweep_html(FILE *out, const struct pcs_sweep_report *report);
enum pcs_status pcs_report_run_html(FILE *out, const struct pcs_run_report *report);

#endif
