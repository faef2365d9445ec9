/* The fitter (pcsim/fit.h) on tests/data/fit_tiny.jsonl, a native trace
 * made by hand, every expectation computed by hand from docs/fit.md.
 *
 * The trace: five tasks (native "task"), the first request at
 * 2026-01-01T10:30:00Z (epoch 1767263400 s), the last 1.5 h later.
 *   T1 +0 s     [sys 1000, u1 100]                      in 1100 out 50
 *      +10 s    [.. u1, a1 50, u2 200]                  in 1350 out 30
 *      +40 s    [.. u2, a2 30, u3 20]                   in 1400 out 10
 *   T2 +1800 s  [sys 1000, v1 300]                      in 1300 out 40
 *      +1860 s  [.. v1, b1 40, v2 60]                   in 1400 out 20
 *   T3 +4200 s  [sys2 500, w1 100]                      in 600  out 5
 *   T4 +4800 s  [sys 1000, kbX 400, x1 50]              in 1450 out 7
 *   T5 +5400 s  [sys 1000, kbX 400, y1 70]              in 1470 out 9
 * Global prefixes (first prompts' bounds seen in two tasks or more): T1, T2
 * share [sys] (1000), T4, T5 share [sys, kbX] (1400); T3 shares nothing. */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "pcsim/fit.h"
#include "pcsim/scenario.h"

static const char *data_dir = "tests/data";

static void check_near(const char *what, double actual, double expected, double tolerance)
{
    int ok = fabs(actual - expected) <= tolerance;
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  %s: %.10g, expected %.10g +- %.3g\n", what, actual, expected, tolerance);
}

/* Fits path under rule into *fit; 0, or -1 after saying why. */
static int fit_file(const char *path, enum pcs_fit_task_rule rule, struct pcs_fit *fit)
{
    struct pcs_error err = {0};
    pcs_trace *trace = pcs_trace_open(&path, 1, NULL, &err);
    if (!trace) {
        fprintf(stderr, "cannot open %s: %s\n", path, err.message);
        return -1;
    }
    enum pcs_status status = pcs_fit_trace(trace, rule, fit, &err);
    pcs_trace_free(trace);
    if (status != PCS_OK) {
        fprintf(stderr, "cannot fit %s: %s\n", path, err.message);
        return -1;
    }
    return 0;
}

static void check_values(const char *what, const struct pcs_fit_sizes *sizes, const double *expected, size_t count)
{
    CHECK_U64(sizes->count, count);
    for (size_t i = 0; i < count && i < sizes->count; i++)
        check_near(what, sizes->values[i], expected[i], 0);
}

static void test_tiny_by_task(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/fit_tiny.jsonl", data_dir);
    struct pcs_fit fit;
    if (fit_file(path, PCS_FIT_TASK_TASK, &fit) != 0) {
        CHECK(0);
        return;
    }
    CHECK_U64(fit.requests, 8);
    CHECK_U64(fit.tasks, 5);
    CHECK(strcmp(fit.model, "gpt-5.4") == 0);
    CHECK_U64(fit.model_requests, 8);
    /* Hours from 10:30 UTC: T1, T2 in hour 0; T3, T4, T5 in hour 1, which
     * the 1.5 h horizon sees for half an hour. 5 tasks / 1.5 h = 3.33 an
     * hour; hour 0's rate 2 / 1 h, hour 1's 3 / 0.5 h. */
    CHECK_U64(fit.first_utc_minute, 10 * 60 + 30);
    check_near("horizon", fit.horizon_hours, 1.5, 1e-12);
    check_near("tasks per hour", fit.tasks_per_hour, 5 / 1.5, 1e-12);
    CHECK_U64(fit.arrivals[0], 2);
    CHECK_U64(fit.arrivals[1], 3);
    check_near("exposure 0", fit.exposure_hours[0], 1, 1e-12);
    check_near("exposure 1", fit.exposure_hours[1], 0.5, 1e-12);
    check_near("diurnal 0", fit.diurnal[0], 2 / (5 / 1.5), 1e-12);
    check_near("diurnal 1", fit.diurnal[1], 6 / (5 / 1.5), 1e-12);
    check_near("diurnal 2 (not in the horizon)", fit.diurnal[2], 1, 0);

    const struct pcs_fit_type *shared = &fit.types[PCS_FIT_TYPE_SHARED];
    CHECK_U64(shared->tasks, 4);
    CHECK_U64(shared->requests, 7);
    const double global[] = {1000, 1000, 1400, 1400};
    check_values("global tokens", &shared->global_tokens, global, 4);
    /* Two distinct shared prefixes over 4 tasks: V (1 - (1 - 1/V)^4) = 2
     * lies between V = 2 (1.875) and V = 2.5 (2.176): 2 variants. */
    CHECK_U64(shared->prefixes_seen, 2);
    CHECK_U64(shared->variants, 2);
    CHECK(shared->history == 1);
    CHECK_U64(shared->later_steps, 3);
    CHECK_U64(shared->extending_steps, 3);
    /* Opening: first input past the global prefix: 100, 300, 50, 70. */
    const double opening[] = {50, 70, 100, 300};
    check_values("opening", &shared->opening_tokens, opening, 4);
    const double steps[] = {1, 1, 2, 3};
    check_values("steps", &shared->steps, steps, 4);
    const double gaps[] = {10, 30, 60};
    check_values("gaps", &shared->gap_seconds, gaps, 3);
    /* 1350 - 1100 - 50, 1400 - 1350 - 30, 1400 - 1300 - 40. */
    const double input[] = {20, 60, 200};
    check_values("step input", &shared->step_input_tokens, input, 3);
    const double output[] = {7, 9, 10, 20, 30, 40, 50};
    check_values("output", &shared->output_tokens, output, 7);
    check_near("output mean", shared->output_tokens.mean, 166.0 / 7, 1e-12);

    const struct pcs_fit_type *own = &fit.types[PCS_FIT_TYPE_OWN];
    CHECK_U64(own->tasks, 1);
    CHECK(own->history == 0);
    CHECK_U64(own->global_tokens.count, 0);
    const double own_input[] = {600};
    check_values("own step input", &own->step_input_tokens, own_input, 1);
    CHECK_U64(own->gap_seconds.observations, 0);

    /* The scenario loads, with the catalog, as pcsim validate loads it. */
    char *json = pcs_fit_scenario_json(&fit, "tiny", 20, "auto");
    CHECK(json != NULL);
    struct pcs_error err = {0};
    pcs_catalog *catalog = pcs_catalog_load_builtin(&err);
    CHECK(catalog != NULL);
    if (json && catalog) {
        pcs_scenario_set *set = pcs_scenario_parse(json, strlen(json), "tiny", NULL, catalog, &err);
        CHECK(set != NULL);
        if (!set)
            fprintf(stderr, "  %s\n", err.message);
        if (set) {
            const struct pcs_scenario *scenario = &pcs_scenario_point(set, 0)->scenario;
            check_near("scenario horizon", scenario->horizon_hours, 1.5, 1e-12);
            CHECK_U64(scenario->workload.task_type_count, 2);
            CHECK_U64(scenario->workload.task_types[0].prefix_count, 2); /* global, opening */
            CHECK_U64(scenario->workload.task_types[0].prefix[0].variants, 2);
            CHECK(scenario->workload.task_types[0].prefix[0].scope == PCS_PREFIX_GLOBAL);
            CHECK(scenario->workload.task_types[0].prefix[1].scope == PCS_PREFIX_TASK);
            CHECK(scenario->workload.task_types[0].history == 1);
            CHECK(scenario->workload.task_types[1].history == 0);
            check_near("shared weight", scenario->workload.task_types[0].weight, 4, 0);
        }
        pcs_scenario_set_free(set);
    }
    pcs_catalog_free(catalog);
    free(json);
    pcs_fit_free(&fit);
}

/* Without sessions (namespace 0), session joins a request to the task of
 * the prompt it extends: the same five tasks. By request: eight. */
static void test_tiny_other_rules(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/fit_tiny.jsonl", data_dir);
    struct pcs_fit fit;
    if (fit_file(path, PCS_FIT_TASK_SESSION, &fit) == 0) {
        CHECK_U64(fit.tasks, 5);
        CHECK_U64(fit.types[PCS_FIT_TYPE_SHARED].tasks, 4);
        CHECK_U64(fit.types[PCS_FIT_TYPE_SHARED].extending_steps, 3);
        pcs_fit_free(&fit);
    } else {
        CHECK(0);
    }
    if (fit_file(path, PCS_FIT_TASK_REQUEST, &fit) == 0) {
        CHECK_U64(fit.tasks, 8);
        /* Every first prompt now: T1's and T2's turns share [sys, u1] and
         * [sys, v1, ...]: still all but T3 start with a shared prefix. */
        CHECK_U64(fit.types[PCS_FIT_TYPE_SHARED].tasks, 7);
        CHECK_U64(fit.types[PCS_FIT_TYPE_SHARED].later_steps, 0);
        CHECK(fit.types[PCS_FIT_TYPE_SHARED].history == 0);
        pcs_fit_free(&fit);
    } else {
        CHECK(0);
    }
}

/* 250 one-step tasks with outputs 1..250: 200 values, each the mean of a
 * share of 1.25 observations, whose mean is the observations' 125.5
 * (within the rounding of each value to a whole token). */
static void test_bounded_values(void)
{
    char path[] = "/tmp/pcsim_test_fit_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *out = fdopen(fd, "w");
    for (int i = 1; i <= 250; i++)
        fprintf(out, "{\"t\":%d,\"model\":\"gpt-5.4\",\"input_tokens\":10,\"output_tokens\":%d}\n", i, i);
    fclose(out);
    struct pcs_fit fit;
    if (fit_file(path, PCS_FIT_TASK_REQUEST, &fit) == 0) {
        const struct pcs_fit_sizes *output = &fit.types[PCS_FIT_TYPE_OWN].output_tokens;
        CHECK_U64(output->count, PCS_FIT_MAX_VALUES);
        CHECK_U64(output->observations, 250);
        check_near("observed mean", output->mean, 125.5, 1e-12);
        double sum = 0;
        for (size_t i = 0; i < output->count; i++)
            sum += output->values[i];
        check_near("values' mean", sum / (double)output->count, 125.5, 0.5);
        /* The first share is observation 1 and a quarter of 2: 1.2 -> 1;
         * the last, a quarter of 249 and 250: 249.8 -> 250. */
        check_near("first value", output->values[0], 1, 0);
        check_near("last value", output->values[output->count - 1], 250, 0);
        pcs_fit_free(&fit);
    } else {
        CHECK(0);
    }
    unlink(path);
}

/* A span of exactly two hours: the horizon is 2 h and the request at its
 * very end counts in hour 1 (not in an hour 2 the horizon has not). */
static void test_whole_span(void)
{
    char path[] = "/tmp/pcsim_test_fit_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *out = fdopen(fd, "w");
    fputs("{\"t\":0,\"model\":\"gpt-5.4\",\"input_tokens\":10,\"output_tokens\":1}\n"
          "{\"t\":7200,\"model\":\"gpt-5.4\",\"input_tokens\":10,\"output_tokens\":1}\n",
          out);
    fclose(out);
    struct pcs_fit fit;
    if (fit_file(path, PCS_FIT_TASK_REQUEST, &fit) == 0) {
        check_near("horizon", fit.horizon_hours, 2, 0);
        CHECK_U64(fit.arrivals[0], 1);
        CHECK_U64(fit.arrivals[1], 1);
        CHECK_U64(fit.arrivals[2], 0);
        check_near("diurnal 0", fit.diurnal[0], 1, 1e-12);
        check_near("diurnal 1", fit.diurnal[1], 1, 1e-12);
        pcs_fit_free(&fit);
    } else {
        CHECK(0);
    }
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        data_dir = argv[1];
    test_tiny_by_task();
    test_tiny_other_rules();
    test_bounded_values();
    test_whole_span();
    return check_summary();
}
