/* pcsim: Monte Carlo scenarios (schema pcsim.scenario.v1, DESIGN §5).
 *
 * A scenario describes a workload (task arrivals, task types, prompt
 * structure), failure rates, and strategies that route each task's
 * attempts to models at a tier with a cache. Any number may be a
 * distribution (pcsim/dist.h). The loader checks every field and names its
 * path in errors: "scenario.json: strategies[1].route[0].model: unknown
 * model alias "mni"". A "sweep" makes one scenario per point of the
 * product of its lists.
 *
 * When each draw happens (the engine's contract):
 *   per trial:  workload.tasks_per_hour, failure.p of each model, and the
 *               token size of each global prefix segment variant;
 *   per task:   its type (by weight), steps, the variant of each global
 *               segment, the size of each task-scoped segment;
 *   per step:   step_input_tokens, output_tokens, gap_seconds, the latent
 *               failure draw;
 *   per attempt: its model's ttft_seconds and duration_seconds, from a
 *               stream of their own keyed by (trial, task, step, attempt).
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: a loaded set
 * is never changed: any threads may read it (the engine's do). Ownership:
 * every string, array and scenario reached from a set lives as long as the
 * set (pcs_scenario_set_free releases them all); a set borrows nothing from
 * the catalog but its models, so the catalog must outlive the set. Units:
 * tokens for token sizes, seconds for gaps, delays and latencies, hours for the
 * horizon, tasks per hour for rates, probabilities in [0, 1]. */
#ifndef PCSIM_SCENARIO_H
#define PCSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/cache.h"
#include "pcsim/dist.h"
#include "pcsim/pricing.h"
#include "pcsim/request.h"
#include "pcsim/status.h"
#include "pcsim/trace.h"

#define PCS_SCENARIO_MAX_MODELS 16
#define PCS_SCENARIO_MAX_STRATEGIES 32
#define PCS_SCENARIO_MAX_ROUTE 8
#define PCS_SCENARIO_MAX_PREFIX 16
/* Most steps a task may have, and the largest token count one drawn
 * quantity may take: draws are clamped to them, constants above them are
 * refused, and every prompt sum stays in range. */
#define PCS_SCENARIO_MAX_STEPS 10000ull
#define PCS_SCENARIO_MAX_TOKENS 10000000ull

enum pcs_prefix_scope {
    PCS_PREFIX_GLOBAL = 0, /* the same content for every task (or one of `variants`) */
    PCS_PREFIX_TASK        /* content of its own for each task */
};

struct pcs_prefix_segment {
    const char *id;
    struct pcs_dist tokens; /* global: drawn once per trial and variant; task: per task */
    enum pcs_prefix_scope scope;
    uint32_t variants; /* global: >= 1, one chosen uniformly per task; task: 1 */
};

struct pcs_task_type {
    const char *name;
    double weight;               /* > 0; chosen with probability weight / sum */
    struct pcs_dist steps;       /* requests in sequence, >= 1 */
    struct pcs_dist gap_seconds; /* from the end of a step's successful attempt to the next step's start */
    size_t prefix_count;
    const struct pcs_prefix_segment *prefix;
    struct pcs_dist step_input_tokens; /* a step's own new input */
    struct pcs_dist output_tokens;     /* a step's output (a failed attempt's: times failed_output_fraction) */
    int history;                       /* a step's prompt carries every earlier step's input and output */
};

/* Which task a trace's request is a step of (DESIGN §10). */
enum pcs_trace_task {
    PCS_TRACE_TASK_SESSION = 0, /* its session: the file it came from (a Claude-Code session with its subagents) */
    PCS_TRACE_TASK_TASK,        /* its native `task` field (a request without one is a task of its own) */
    PCS_TRACE_TASK_REQUEST      /* itself */
};

/* The requests of a trace workload as loaded once (opaque, read-only, shared
 * by every point, trial and thread; owned by the set). */
struct pcs_trace_requests;

/* A workload replayed from a trace (DESIGN §10): every request a step of
 * its task at its own time times time_scale. */
struct pcs_trace_workload {
    size_t path_count;
    const char *const *paths;   /* as opened: relative ones joined to the scenario's directory */
    int input_format;           /* an enum pcs_trace_format (pcsim/trace.h); 0 (auto) detects per file */
    const char *model;          /* the model name for formats without one ("default" when absent) */
    enum pcs_trace_task task;   /* default session */
    struct pcs_dist time_scale; /* per trial, > 0; constant 1 when absent */
    const struct pcs_trace_requests *requests;
    size_t request_count; /* the trace's requests (>= 1) */
    size_t task_count;    /* the tasks they are steps of */
};

struct pcs_workload {
    /* NULL: synthetic traffic (the fields below); else the trace's requests
     * and the fields below are unused. */
    const struct pcs_trace_workload *trace;
    struct pcs_dist tasks_per_hour; /* per trial */
    double diurnal[24];             /* hourly multipliers of the rate (hour of the horizon mod 24); 1 when absent */
    size_t task_type_count;
    const struct pcs_task_type *task_types;
};

/* A model alias and, optionally, its latency (docs/scenario.md#latency),
 * drawn per attempt: an attempt sent at s has its first token at s + ttft
 * and ends at s + max(ttft, duration), a distribution not given counting as
 * 0. Without either, responses are instant (every end is its send). */
struct pcs_scenario_model {
    const char *alias;                /* the scenario's name for it ("mini") */
    const char *name;                 /* as written ("gpt-5.4-mini") */
    const struct pcs_model *model;    /* resolved in the catalog */
    int has_ttft, has_duration;       /* 1: the distribution below is given */
    struct pcs_dist ttft_seconds;     /* from sending to the first token */
    struct pcs_dist duration_seconds; /* from sending to the last token */
};

struct pcs_failure {
    struct pcs_dist p[PCS_SCENARIO_MAX_MODELS]; /* per model alias, per trial; constant 0 when absent */
    struct pcs_dist p_trace;                    /* the "trace" alias's (trace workloads); constant 0 when absent */
    double correlation;                         /* rho in [0, 1] */
    double failed_output_fraction;              /* in [0, 1]; default 1 */
    double retry_delay_s;                       /* >= 0; default 0 */
};

/* A route entry's model that is each request's own (trace workloads),
 * after the strategy's model_map. */
#define PCS_ROUTE_TRACE_MODEL UINT32_MAX

struct pcs_route_step {
    uint32_t model;    /* index into models, or PCS_ROUTE_TRACE_MODEL */
    uint32_t attempts; /* >= 1 */
};

struct pcs_strategy {
    const char *name;
    size_t route_count;
    struct pcs_route_step route[PCS_SCENARIO_MAX_ROUTE];
    const char *cache; /* "auto" (each model's provider preset) or a preset name */
    /* The strategy's changes to that preset's parameters ("cache": {"preset":
     * NAME, KEY: value, ...}, KEY a parameter's report key such as
     * "lookback" or "ttl_s"); given is 0 when "cache" is a name. Applied to
     * each model's configuration after the preset (pcs_strategy_cache_config). */
    struct pcs_cache_overrides cache_overrides;
    const char *cache_text; /* for reports: the preset, and the parameters changed ("anthropic-5m, lookback 0") */
    enum pcs_tier tier;     /* default standard; each model's provider must sell it */
    int tier_given;         /* 1 when the file names the tier; else a trace request keeps its own */
    /* Trace workloads: a trace model name -> the model name to run it on
     * (for route entries of model "trace"). */
    size_t model_map_count;
    const struct pcs_model_alias *model_map;
    /* Per trace model: the catalog model it runs on (its name after
     * model_map), when a route entry's model is "trace"; else NULL. */
    const struct pcs_model *const *trace_models;
};

struct pcs_scenario {
    const char *name;
    uint64_t seed;
    uint64_t trials;           /* >= 1 */
    double horizon_hours;      /* > 0: tasks arrive in [0, horizon); a trace workload: from its first request */
    int horizon_from_trace;    /* a trace workload without horizon_hours: its span (>= 0), every request plays */
    double batch_window_hours; /* >= 0: a batch-tier attempt runs uniformly within this after it is sent */
    size_t model_count;
    struct pcs_scenario_model models[PCS_SCENARIO_MAX_MODELS];
    struct pcs_workload workload;
    struct pcs_failure failure;
    size_t strategy_count;
    struct pcs_strategy strategies[PCS_SCENARIO_MAX_STRATEGIES];
};

/* One swept field's value at a sweep point, as the label shows it. */
struct pcs_sweep_setting {
    const char *path;  /* the sweep's key as written: "workload.tasks_per_hour.median" */
    const char *value; /* compact JSON, a string without its quotes: "600", "batch" */
    double number;     /* the value when it is a JSON number, else NAN */
};

/* One point of a sweep: its label ("workload.tasks_per_hour.median=600",
 * "" without a sweep), the value of each of the sweep's paths (in the order
 * written; none without a sweep) and its scenario. Owned by the set. */
struct pcs_scenario_point {
    const char *label;
    size_t setting_count;
    const struct pcs_sweep_setting *settings;
    struct pcs_scenario scenario;
};

typedef struct pcs_scenario_set pcs_scenario_set;

/* Loads path (a file, "-", a FIFO or a gzip/zstd file as in pcsim/input.h)
 * and resolves its models in catalog. NULL on failure, with err naming the
 * file and the field's path: PCS_ERR_IO, PCS_ERR_PARSE, PCS_ERR_NOMEM. */
pcs_scenario_set *pcs_scenario_load(const char *path, const pcs_catalog *catalog, struct pcs_error *err);

/* The same from JSON text[0..size) (text[size] must be 0; the text is not
 * kept); name labels errors (NULL: "scenario") and relative paths in it
 * (empirical traces) resolve from base_dir (NULL: the current directory). */
pcs_scenario_set *pcs_scenario_parse(const char *text, size_t size, const char *name, const char *base_dir,
                                     const pcs_catalog *catalog, struct pcs_error *err);

void pcs_scenario_set_free(pcs_scenario_set *set); /* NULL is a no-op */

/* 1 when some model of scenario has a latency (ttft_seconds or
 * duration_seconds), else 0. */
int pcs_scenario_has_latency(const struct pcs_scenario *scenario);

size_t pcs_scenario_point_count(const pcs_scenario_set *set); /* >= 1 */
/* Point index (< pcs_scenario_point_count), owned by the set. */
const struct pcs_scenario_point *pcs_scenario_point(const pcs_scenario_set *set, size_t index);

/* The cache configuration strategy gives a route entry's model (NULL for
 * none: the preset's own parameters): its preset's
 * (pcs_model_cache_config: "auto" picks the model's provider preset) with
 * the strategy's cache_overrides applied. PCS_ERR_ARG for an unknown
 * preset. Thread-safe. */
enum pcs_status pcs_strategy_cache_config(const struct pcs_strategy *strategy, const struct pcs_model *model,
                                          struct pcs_cache_config *config);

#endif
