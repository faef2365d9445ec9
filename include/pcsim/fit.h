/* pcsim: a scenario's synthetic workload fitted to a trace (DESIGN §10,
 * docs/fit.md).
 *
 * pcs_fit_trace reads a trace to its end and measures what a scenario's
 * workload (docs/scenario.md) describes: tasks and their arrival rate by
 * hour, steps per task, the gaps between a task's steps, the prefix shared
 * across tasks (found from the bounds), whether each step re-sends the
 * previous one (history), and the token sizes, each as an empirical
 * distribution of bounded size. pcs_fit_scenario_json writes the scenario.
 *
 * What is a task (enum pcs_fit_task_rule):
 *   - session: the requests of one prefix namespace (a Claude-Code file, a
 *     native "session"); a request in the global namespace (Mooncake,
 *     request logs) joins the task of the latest earlier request whose
 *     whole prompt its own extends (DESIGN §8's predecessor), else starts a
 *     task of its own;
 *   - task: the native "task"; a request without one is a task of its own;
 *   - request: every request is a task of one step.
 * A task's steps are its requests in time order; it arrives at its first.
 *
 * Hours: hour h of the fitted horizon is [first + h hours, first + (h + 1)
 * hours) on the trace's clock, first being the first request's time; the
 * horizon is the trace's span rounded up to a whole minute (one minute at
 * least), so a trial sees the trace's density of tasks. diurnal[i] is the
 * rate of hours h with h mod 24 = i over the mean rate (1 where the
 * horizon has no such hour). first_utc_minute says where that clock's day
 * starts: the trace's times read as milliseconds since 1970-01-01 UTC.
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a fit is built
 * by one call on one thread; a finished fit is only read. Ownership: the
 * fit owns every array and string in it (pcs_fit_free releases them; a
 * zeroed fit frees as nothing). Units: times in ms, gaps in seconds, sizes
 * in tokens, rates in tasks per hour. */
#ifndef PCSIM_FIT_H
#define PCSIM_FIT_H

#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "pcsim/input.h"
#include "pcsim/pricing.h"
#include "pcsim/status.h"
#include "pcsim/trace.h"

enum pcs_fit_task_rule { PCS_FIT_TASK_SESSION = 0, PCS_FIT_TASK_TASK, PCS_FIT_TASK_REQUEST };

/* "session", "task", "request" (static text; "unknown" outside the range);
 * parse returns -1 for an unknown name. */
const char *pcs_fit_task_rule_name(enum pcs_fit_task_rule rule);
int pcs_fit_task_rule_parse(const char *name);

/* The most values an empirical distribution of a fit holds. */
#define PCS_FIT_MAX_VALUES 200

/* An observed quantity as an empirical distribution: with at most
 * PCS_FIT_MAX_VALUES observations, the observations themselves, sorted;
 * with more, PCS_FIT_MAX_VALUES values, value s the mean of the s-th of
 * PCS_FIT_MAX_VALUES equal shares of the sorted observations (a share may
 * take part of an observation), so the values' mean is the observations'
 * mean whatever their number. Counts (tokens, steps) are rounded to whole
 * numbers, seconds to whole ms. */
struct pcs_fit_sizes {
    double *values; /* count values, ascending (owned) */
    size_t count;
    uint64_t observations; /* how many were observed */
    double mean;           /* the observations' mean (0 when none) */
};

/* The kinds of task a fit finds: those whose first prompt starts with a
 * prefix another task's first prompt also starts with, and the rest. */
enum { PCS_FIT_TYPE_SHARED = 0, PCS_FIT_TYPE_OWN, PCS_FIT_TYPE_COUNT };

struct pcs_fit_type {
    const char *name; /* "shared-prefix", "own-prefix" (static text) */
    uint64_t tasks;   /* 0: the trace has no task of this kind (write no type) */
    uint64_t requests;
    /* History: 1 when at least half of the steps after a task's first
     * re-send the whole prompt of an earlier step of the task (their
     * predecessor: the latest earlier prompt whose deepest bound theirs
     * has, same key at the same depth, DESIGN §2). */
    int history;
    uint64_t later_steps;     /* steps after a task's first */
    uint64_t extending_steps; /* of which re-send the previous prompt */
    /* The global prefix (shared type only): the tokens of a task's first
     * prompt up to the deepest bound some other task's first prompt also
     * has, per task; prefixes_seen, the distinct such bounds (keys); and
     * variants, the number of equally likely contents V with which the
     * tasks' expected distinct picks, V (1 - (1 - 1/V)^tasks), equal
     * prefixes_seen (whole, at most 100,000). */
    struct pcs_fit_sizes global_tokens;
    uint64_t prefixes_seen;
    uint64_t variants;
    /* With history: the first step's input past the global prefix, a
     * segment of the task's own (the opening prompt: system, tools). */
    struct pcs_fit_sizes opening_tokens;
    struct pcs_fit_sizes steps;       /* requests per task */
    struct pcs_fit_sizes gap_seconds; /* from a step's arrival to the next step's, seconds */
    /* A step's own new input: with history, a later step's input minus
     * its predecessor's input and output (the task's previous step's when
     * it has none; 0 when less); without, a step's input minus the task's
     * global prefix. */
    struct pcs_fit_sizes step_input_tokens;
    struct pcs_fit_sizes output_tokens;
};

struct pcs_fit {
    enum pcs_fit_task_rule rule;
    uint64_t requests;
    uint64_t tasks;
    int64_t first_ms, last_ms; /* the first and last request's times */
    double horizon_hours;      /* the span rounded up to a whole minute, >= 1/60 */
    double tasks_per_hour;     /* tasks / horizon_hours */
    double diurnal[24];        /* see above; mean over the horizon's hours 1 */
    uint64_t arrivals[24];     /* tasks arriving in hours h with h mod 24 = i */
    double exposure_hours[24]; /* the horizon's hours with h mod 24 = i, the last one partly */
    int64_t first_utc_minute;  /* minute of the UTC day (0..1439) of first_ms */
    char *model;               /* the most frequent model (after the trace's model map); owned */
    uint64_t model_requests;   /* its requests */
    size_t model_count;        /* models in the trace */
    struct pcs_fit_type types[PCS_FIT_TYPE_COUNT];
};

/* Reads every remaining request of trace (one pass) and fills *fit.
 * Errors: the trace's (err names file, line and field), PCS_ERR_ARG for a
 * trace with no request, PCS_ERR_NOMEM. On failure *fit holds nothing. */
enum pcs_status pcs_fit_trace(pcs_trace *trace, enum pcs_fit_task_rule rule, struct pcs_fit *fit,
                              struct pcs_error *err);

void pcs_fit_free(struct pcs_fit *fit); /* NULL is a no-op */

/* The scenario (pcsim.scenario.v1, docs/scenario.md) of fit as JSON text,
 * NUL-terminated, malloc'ed (the caller frees it): name, seed 1, the given
 * trials, the horizon, one model alias "main" for fit->model, the fitted
 * workload, no failures, and one strategy "fitted" on "main" with cache
 * preset (a preset name or "auto"; the scenario loader checks it). NULL
 * when out of memory. */
char *pcs_fit_scenario_json(const struct pcs_fit *fit, const char *name, uint64_t trials, const char *preset);

/* ---- How well it fits ----------------------------------------------
 * The trace's own replay under a cache preset against trials of the
 * fitted scenario (whose one strategy uses that preset). */
struct pcs_fit_check {
    const char *preset;           /* as given (borrowed) */
    double trace_cached_ratio;    /* the replay's cache_read / input */
    uint64_t trials;              /* trials run */
    uint64_t trials_with_input;   /* of which sent a request (a trial may have no task) */
    double trial_cached_ratio;    /* the mean over those trials of each one's cache_read / input */
    double trial_cached_ratio_sd; /* their standard deviation (0 for one trial) */
    double relative_difference;   /* trial_cached_ratio / trace_cached_ratio - 1 (0 when both are 0,
                                   * +infinity when only the trace's is 0) */
    double trial_tasks;           /* mean tasks per trial */
    double trial_requests;        /* mean requests per trial */
};

/* What the check reads: the inputs the fit read and how (trace), the
 * preset, the scenario's JSON text (pcs_fit_scenario_json), the catalog
 * that resolves its model and prices it at price_time_s (Unix seconds),
 * how many trials, on how many threads. All borrowed. */
struct pcs_fit_check_job {
    const pcs_inputs *inputs;
    struct pcs_trace_config trace;
    const char *preset;
    const char *scenario_json;
    const pcs_catalog *catalog;
    double price_time_s;
    uint64_t trials;
    unsigned threads;
};

/* Replays the inputs under the preset and runs the scenario's trials.
 * Errors: the trace's, the scenario loader's (err names the field),
 * PCS_ERR_ARG for an unknown preset, PCS_ERR_NOMEM. Reentrant. */
enum pcs_status pcs_fit_check_run(const struct pcs_fit_check_job *job, struct pcs_fit_check *check,
                                  struct pcs_error *err);

/* The fit report for people (docs/fit.md): what was fitted (counts, rates,
 * sizes, the prefix found) and, when check is not NULL, the check. Returns
 * 0, or -1 when a write failed. */
int pcs_fit_report_text(FILE *out, const struct pcs_fit *fit, const struct pcs_fit_check *check);

#endif
