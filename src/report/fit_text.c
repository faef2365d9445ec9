/* The fit report for people (include/pcsim/fit.h, docs/fit.md). */
#include <math.h>
#include <stdio.h>

#include "pcsim/fit.h"

/* "mean M (N values)" of a fitted distribution, or "none observed". */
static void print_sizes(FILE *out, const char *what, const struct pcs_fit_sizes *sizes, const char *unit)
{
    if (sizes->observations == 0) {
        fprintf(out, "  %-18s none observed\n", what);
        return;
    }
    fprintf(out, "  %-18s mean %.6g %s, %llu observed, %zu value%s\n", what, sizes->mean, unit,
            (unsigned long long)sizes->observations, sizes->count, sizes->count == 1 ? "" : "s");
}

static void print_type(FILE *out, const struct pcs_fit *fit, const struct pcs_fit_type *type)
{
    fprintf(out, "task type %s: %llu task%s (%.1f%%), %llu request%s\n", type->name, (unsigned long long)type->tasks,
            type->tasks == 1 ? "" : "s", 100.0 * (double)type->tasks / (double)fit->tasks,
            (unsigned long long)type->requests, type->requests == 1 ? "" : "s");
    if (type->global_tokens.observations > 0) {
        fprintf(out, "  global prefix      %llu distinct shared prefix%s over %llu tasks -> %llu variant%s\n",
                (unsigned long long)type->prefixes_seen, type->prefixes_seen == 1 ? "" : "es",
                (unsigned long long)type->tasks, (unsigned long long)type->variants, type->variants == 1 ? "" : "s");
        print_sizes(out, "prefix tokens", &type->global_tokens, "tokens");
    }
    fprintf(out, "  history            %s: %llu of %llu later steps re-send the previous prompt\n",
            type->history ? "yes" : "no", (unsigned long long)type->extending_steps,
            (unsigned long long)type->later_steps);
    if (type->history)
        print_sizes(out, "opening prompt", &type->opening_tokens, "tokens");
    print_sizes(out, "steps", &type->steps, "requests");
    print_sizes(out, "gap", &type->gap_seconds, "s");
    print_sizes(out, "step input", &type->step_input_tokens, "tokens");
    print_sizes(out, "output", &type->output_tokens, "tokens");
}

int pcs_fit_report_text(FILE *out, const struct pcs_fit *fit, const struct pcs_fit_check *check)
{
    fprintf(out, "pcsim fit: %llu request%s, %llu task%s (a task is a %s)\n", (unsigned long long)fit->requests,
            fit->requests == 1 ? "" : "s", (unsigned long long)fit->tasks, fit->tasks == 1 ? "" : "s",
            pcs_fit_task_rule_name(fit->rule));
    fprintf(out, "model: %s (%llu of the requests; %zu model%s in the trace)\n", fit->model,
            (unsigned long long)fit->model_requests, fit->model_count, fit->model_count == 1 ? "" : "s");
    fprintf(out, "span %.3f h from %02d:%02d UTC on the trace's clock; horizon %.4g h; %.6g tasks per hour\n",
            (double)(fit->last_ms - fit->first_ms) / 3600000.0, (int)(fit->first_utc_minute / 60),
            (int)(fit->first_utc_minute % 60), fit->horizon_hours, fit->tasks_per_hour);
    fputs("diurnal (hour from the first request: tasks arrived, hours seen, rate / mean rate):\n", out);
    for (size_t i = 0; i < 24; i++)
        if (fit->exposure_hours[i] > 0)
            fprintf(out, "  %2zu: %llu, %.4g h, %.4g\n", i, (unsigned long long)fit->arrivals[i],
                    fit->exposure_hours[i], fit->diurnal[i]);
    for (size_t k = 0; k < PCS_FIT_TYPE_COUNT; k++)
        if (fit->types[k].tasks > 0)
            print_type(out, fit, &fit->types[k]);
    if (check) {
        fprintf(out, "check (cache %s):\n", check->preset);
        fprintf(out, "  trace replay          cached ratio %.2f%%\n", 100 * check->trace_cached_ratio);
        fprintf(out,
                "  fitted scenario       cached ratio %.2f%% (mean of %llu trials with requests of %llu, sd %.2f%%)\n",
                100 * check->trial_cached_ratio, (unsigned long long)check->trials_with_input,
                (unsigned long long)check->trials, 100 * check->trial_cached_ratio_sd);
        fprintf(out, "  a trial               %.4g tasks, %.4g requests on average\n", check->trial_tasks,
                check->trial_requests);
        if (isfinite(check->relative_difference))
            fprintf(out, "  relative difference   %+.1f%%\n", 100 * check->relative_difference);
        else
            fputs("  relative difference   n/a (the trace caches nothing)\n", out);
    }
    return ferror(out) ? -1 : 0;
}
