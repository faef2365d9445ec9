/* pcsim: one trial's traffic, attempt by attempt (DESIGN §10: "pcsim gen").
 *
 * pcs_gen_trial plays one trial of a scenario through one strategy exactly
 * as pcs_run does (pcsim/mc.h: the same traffic, failure draws, routes and
 * caches; trial t here is trial t of a run with the same seed) and shows
 * every attempt to an observer in the order the caches saw them: time
 * order, ties by task index (a trace workload, DESIGN §10: a pending retry
 * or batch run before the trace's next request, then by request index).
 * Written as a native trace
 * (pcsim/native_write.h), the attempts replay, under the strategy's cache
 * preset, to the trial's own tokens (docs/gen.md says what must match).
 *
 * Contract (the rules are in pcsim/status.h). Thread safety: the scenario
 * and catalog are only read; one call runs on the calling thread and calls
 * the observer there. Ownership: what an attempt points to is valid only
 * during the observer's call. Units: ms on the trial's clock (0 is the
 * horizon's start), tokens, USD. */
#ifndef PCSIM_GEN_H
#define PCSIM_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcsim/cache.h"
#include "pcsim/mc.h"
#include "pcsim/request.h"
#include "pcsim/scenario.h"
#include "pcsim/status.h"

/* One attempt, as its cache saw it. A trial has one cache per model
 * alias; a trace workload's route entry "trace" runs each request on the
 * trace's own model (after the strategy's model_map): on the cache of the
 * first alias that names that catalog model, else on one of its own, one
 * per such catalog model. The request's fields:
 *   t_ms           when it was sent (a trace workload: the trace's time
 *                  from its first request x the trial's time_scale, plus
 *                  retry delays and failed attempts' drawn durations, plus
 *                  a batch attempt's wait);
 *   model          the attempt's cache: below scenario->model_count the
 *                  scenario's model index (scenario->models[model]); from
 *                  it on (trace workloads only) a cache of the trace's own
 *                  model, numbered in the trace's model order;
 *   input_tokens, output_tokens (a failed attempt's output is already
 *                  times failed_output_fraction);
 *   units, ends, flags, bound_count   the prompt's bounds: unit ids (equal
 *                  ids are equal content: a global prefix variant is one id
 *                  in every task, a task's history its own), cumulative
 *                  token ends, PCS_BOUND_BREAKPOINT at the end of the prefix
 *                  and of the prompt; a trace workload: the request's own,
 *                  as the trace gave them;
 *   namespace_id   0: a synthetic trial's prompts share one namespace per
 *                  cache; a trace workload: the request's own (its session);
 *   task, has_task the task's index in the trial (arrival order; a trace
 *                  workload: in the order of its tasks' first requests), 1;
 *   attempt        1-based try of the task's current step (1: its first);
 *   ok             1 when the attempt succeeded;
 *   tier           the strategy's tier (a trace workload whose strategy
 *                  names none: the request's own);
 *   ttft_ms        the attempt's drawn ttft when its model alias has
 *                  ttft_seconds; else a trace workload's recorded one; else 0. */
struct pcs_gen_attempt {
    const struct pcs_request *request;
    uint32_t step;                 /* 0-based step of the task (a trace workload: its request's place in it) */
    const struct pcs_usage *usage; /* what the cache answered (requests 1) */
    double cost;                   /* USD: tier multiplier and regional uplift included */
    const struct pcs_model *model; /* the catalog model it ran on */
    const char *model_name;        /* the alias; a cache of the trace's own model: its name after model_map */
};

/* Sees one attempt. Anything but PCS_OK stops the trial with that status
 * (the observer fills err). */
typedef enum pcs_status (*pcs_gen_observer)(void *context, const struct pcs_gen_attempt *attempt,
                                            struct pcs_error *err);

/* Plays trial `trial` of scenario through strategies[strategy] with
 * config's prices (price_time_s, region_uplift; its threads and trial counts
 * are not read), calling observer (may be NULL) for every attempt, and fills
 * *outcome as pcs_run fills that trial's. *stop (may be NULL) as in
 * pcs_run_config: when it becomes non-zero, PCS_END, the trial unfinished.
 * Errors: PCS_ERR_ARG (strategy out of range, a model without prices),
 * PCS_ERR_RANGE (a prompt too long), PCS_ERR_NOMEM, or the observer's. */
enum pcs_status pcs_gen_trial(const struct pcs_scenario *scenario, const struct pcs_run_config *config, size_t strategy,
                              uint64_t trial, pcs_gen_observer observer, void *context,
                              struct pcs_trial_outcome *outcome, const volatile int *stop, struct pcs_error *err);

/* ---- The trial as a native trace ----
 *
 * pcs_gen_write_native writes every attempt of the trial as one native JSONL
 * line (pcsim/native_write.h), in the order the caches saw them: its time,
 * its model's catalog id, its tokens, its prompt as segments (hashed unit
 * ids: the same content has the same id on every line, so a replay sees
 * the trial's prefix structure: global prefixes shared across tasks, each
 * variant its own, each task's history its own), the task (its index in
 * hex), attempt, ok and tier; the session when the prompt has a namespace
 * (a trace workload's session). Caches are per attempt cache (above) in a
 * trial and per (model, session) in a replay: aliases that name one
 * catalog model get a session each (each of their namespaces one), so
 * their prompts stay apart as in the trial; a cache of the trace's own
 * model never shares its catalog model with another cache. */

/* One cache's share of the trial (pcs_gen_attempt: request->model). */
struct pcs_gen_model_summary {
    const char *name;              /* the alias, or the trace's model name; NULL: no attempt used it */
    const struct pcs_model *model; /* the catalog model; NULL as name */
    struct pcs_usage usage;        /* usage.requests: attempts sent to it */
    uint64_t failed;               /* of which failed */
    double cost;                   /* USD */
};

/* What the trial did, summed from its attempts. Release with
 * pcs_gen_summary_free. */
struct pcs_gen_summary {
    struct pcs_trial_outcome outcome;       /* as pcs_run reports this trial */
    struct pcs_usage total;                 /* over every model */
    struct pcs_gen_model_summary *by_model; /* per cache: model_count entries, the scenario's aliases first */
    size_t model_count;                     /* >= scenario->model_count once written */
    uint64_t lines;                         /* lines written */
};

/* pcs_gen_trial writing every attempt to out (which stays the caller's).
 * Fills *summary (also on failure: what was written up to then; release it
 * with pcs_gen_summary_free in either case). Errors: pcs_gen_trial's, and
 * PCS_ERR_IO when a write fails. */
enum pcs_status pcs_gen_write_native(const struct pcs_scenario *scenario, const struct pcs_run_config *config,
                                     size_t strategy, uint64_t trial, FILE *out, struct pcs_gen_summary *summary,
                                     const volatile int *stop, struct pcs_error *err);

/* Frees summary->by_model and zeroes it. */
void pcs_gen_summary_free(struct pcs_gen_summary *summary);

/* ---- The summary as JSON (schema pcsim.gen.v1, docs/gen.md) ---- */

struct pcs_gen_report {
    const char *file; /* the scenario's path as given */
    const struct pcs_scenario *scenario;
    const char *point; /* the sweep point's label; NULL without a sweep */
    size_t strategy;   /* index into scenario->strategies */
    uint64_t trial;
    const char *catalog; /* the catalog's source line */
    double price_time_s; /* Unix seconds */
    double region_uplift;
    const struct pcs_gen_summary *summary;
};

/* Writes report to out. PCS_ERR_NOMEM (nothing written) or PCS_ERR_IO. */
enum pcs_status pcs_report_gen_json(FILE *out, const struct pcs_gen_report *report);

#endif
