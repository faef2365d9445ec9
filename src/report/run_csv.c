/* The Monte Carlo report as CSV: one row per sweep point and strategy. */
#include <stdlib.h>

#include "report_util.h"
#include "run_stats.h"

static void csv_text(FILE *out, const char *text)
{
    fputc('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', out);
        fputc(*text, out);
    }
    fputc('"', out);
}

enum pcs_status pcs_report_run_csv(FILE *out, const struct pcs_run_report *report)
{
    fputs("point,strategy,trials,n,cost_per_completed_task_mean,sd,ci95_low,ci95_high,p5,p50,p95,p99,"
          "task_cost_mean,task_cost_p5,task_cost_p50,task_cost_p95,task_cost_p99,completion_rate,"
          "attempts_per_task,escalation_rate,failed_request_rate,cached_ratio_mean,spend_per_horizon_mean,"
          "difference_n,difference_vs_first,difference_ci95_low,difference_ci95_high,p_cheaper,partial\n",
          out);
    for (size_t p = 0; p < report->point_count; p++) {
        const struct pcs_run_point_report *point = &report->points[p];
        size_t count = point->result->strategy_count;
        struct strategy_stats *stats = calloc(count + 1, sizeof *stats);
        if (!stats)
            return PCS_ERR_NOMEM;
        enum pcs_status status = pcs_run_stats_compute(point, stats);
        for (size_t s = 0; s < count && status == PCS_OK; s++) {
            const struct strategy_stats *st = &stats[s];
            const struct pcs_summary *cost = &st->cost_per_completed_task;
            csv_text(out, point->label);
            fputc(',', out);
            csv_text(out, st->strategy->name);
            /* n: the trials the cost per completed task is over (those that
             * completed a task); a figure without a value is an empty field. */
            fprintf(out, ",%zu,%zu", st->trials, cost->n);
            const double cost_figures[] = {cost->mean,         cost->sd,         cost->ci95_low,    cost->ci95_high,
                                           cost->p5,           cost->p50,        cost->p95,         cost->p99,
                                           st->task_cost_mean, st->task_cost_p5, st->task_cost_p50, st->task_cost_p95,
                                           st->task_cost_p99};
            for (size_t i = 0; i < sizeof cost_figures / sizeof cost_figures[0]; i++) {
                fputc(',', out);
                pcs_report_csv_number(out, cost_figures[i]);
            }
            fprintf(out, ",%.10g,%.10g,%.10g,%.10g,", st->completion_rate, st->attempts_per_task, st->escalation_rate,
                    st->failed_request_rate);
            pcs_report_csv_number(out, st->cached_ratio.mean); /* none when no trial sent input */
            fprintf(out, ",%.10g,", st->spend.mean);
            if (st->has_paired) {
                const double paired_figures[] = {st->versus_first.mean_difference, st->versus_first.ci95_low,
                                                 st->versus_first.ci95_high, st->versus_first.p_cheaper};
                fprintf(out, "%zu", st->versus_first.n);
                for (size_t i = 0; i < sizeof paired_figures / sizeof paired_figures[0]; i++) {
                    fputc(',', out);
                    pcs_report_csv_number(out, paired_figures[i]);
                }
                fputc(',', out);
            } else {
                fputs(",,,,,", out);
            }
            fprintf(out, "%d\n", report->partial);
        }
        free(stats);
        if (status != PCS_OK)
            return status;
    }
    return ferror(out) ? PCS_ERR_IO : PCS_OK;
}
