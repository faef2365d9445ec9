/* What the run reports say about one strategy at one sweep point,
 * computed once from its per-trial outcomes (internal to src/report). */
#ifndef PCSIM_REPORT_RUN_STATS_H
#define PCSIM_REPORT_RUN_STATS_H

#include "pcsim/report.h"

#include "report_util.h"

struct strategy_stats {
    const struct pcs_strategy *strategy;
    size_t trials;
    size_t trials_with_completion;              /* trials that completed at least one task */
    struct pcs_summary cost_per_completed_task; /* USD, over trials_with_completion */
    struct pcs_summary spend;                   /* USD per horizon, over trials */
    struct pcs_summary cached_ratio;            /* cache_read / input per trial, over the trials with input */
    double task_cost_mean;                      /* USD per task, all tasks of all trials */
    double task_cost_p5, task_cost_p50, task_cost_p95, task_cost_p99;
    double tasks_per_trial;
    double completion_rate;     /* completed / tasks, pooled over trials */
    double attempts_per_task;   /* requests / tasks */
    double escalation_rate;     /* escalated / tasks */
    double failed_request_rate; /* failed requests / requests */
    uint64_t requests;
    int has_task_duration;          /* a synthetic workload whose models have a latency */
    double task_duration_s;         /* then: the tasks' mean time from the first send to the last attempt's end, s */
    int has_paired;                 /* not the first strategy */
    struct pcs_paired versus_first; /* cost per completed task, over trials where both completed */
};

/* A strategy's route for people: each step "alias xN", the steps joined by
 * arrow (" -> " in text, an arrow sign in HTML); cut at cap. */
void pcs_run_route_text(const struct pcs_scenario *scenario, const struct pcs_strategy *strategy, const char *arrow,
                        char *buf, size_t cap);

/* A strategy's tier for reports: its tier's name, or "trace" when the
 * workload is a trace and the strategy names no tier (each request keeps
 * its own, DESIGN §10). Static storage. */
const char *pcs_run_tier_name(const struct pcs_scenario *scenario, const struct pcs_strategy *strategy);

/* With trials_auto: whether every point converged, and the widest relative
 * 95% CI half-width over the points (infinity: a strategy had no CI). */
void pcs_run_auto_outcome(const struct pcs_run_report *report, int *converged, double *widest);

/* What --trials auto reached, for people: " (--trials auto: converged: ...)",
 * "" without trials_auto. */
const char *pcs_run_auto_text(const struct pcs_run_report *report, char *buf, size_t cap);

/* Fills stats[0..strategy_count) for one point. PCS_ERR_NOMEM. */
enum pcs_status pcs_run_stats_compute(const struct pcs_run_point_report *point, struct strategy_stats *stats);

/* The money columns of one point's tables, one precision each for the
 * text and HTML reports (report_money): the cost per completed task (mean,
 * CI bounds and quantiles; its sd and the CI's half-width take the same
 * precision), the cost per task (mean and quantiles), the spend per
 * horizon, and the paired difference against the first strategy (mean and
 * CI bounds). */
struct run_money {
    struct report_money cost_per_completed_task;
    struct report_money task_cost;
    struct report_money spend;
    struct report_money difference;
};

void pcs_run_stats_money(const struct strategy_stats *stats, size_t count, struct run_money *money);

#endif
