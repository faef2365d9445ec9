/* The scenario loader (src/mc/scenario.c, pcsim/scenario.h,
 * docs/scenario.md): the issue's example, every default, each
 * distribution's parameters, sweeps (labels, order, string fields, whole
 * objects), empirical distributions read from a trace, relative paths, and
 * one malformed file per error rule under tests/data/scenarios/bad/, each
 * refused with the field's path in the message. Nothing is sampled. argv[1]
 * is the tests/data directory. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "pcsim/scenario.h"

static const char *data_dir;
static pcs_catalog *catalog;

/* Strings equal; NULL reads as "(null)". */
#define CHECK_STR(actual, expected) check_str(__LINE__, #actual, (actual), (expected))

static void check_str(int line, const char *what, const char *actual, const char *expected)
{
    const char *a = actual ? actual : "(null)";
    const char *e = expected ? expected : "(null)";
    if (strcmp(a, e) == 0) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, line, what, a, e);
    }
}

/* A distribution's kind and parameters. */
#define CHECK_DIST(dist, kind_, a_, b_) check_dist(__LINE__, #dist, &(dist), (kind_), (a_), (b_))

static void check_dist(int line, const char *what, const struct pcs_dist *dist, enum pcs_dist_kind kind, double a,
                       double b)
{
    if (dist->kind == kind && dist->a == a && dist->b == b) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "%s:%d: %s is %s(%.17g, %.17g), expected %s(%.17g, %.17g)\n", __FILE__, line, what,
                pcs_dist_kind_name(dist->kind), dist->a, dist->b, pcs_dist_kind_name(kind), a, b);
    }
}

static pcs_scenario_set *load(const char *name, struct pcs_error *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", data_dir, name);
    err->message[0] = '\0';
    pcs_scenario_set *set = pcs_scenario_load(path, catalog, err);
    if (!set && strncmp(name, "bad/", 4) != 0)
        fprintf(stderr, "cannot load %s: %s\n", name, err->message);
    return set;
}

static pcs_scenario_set *parse(const char *text, const char *base_dir, struct pcs_error *err)
{
    err->message[0] = '\0';
    return pcs_scenario_parse(text, strlen(text), "inline.json", base_dir, catalog, err);
}

/* A minimal scenario with extra fields in its task type and at the top
 * level (", \"x\": ..." or ""). The text lives until the next call. */
static char *minimal_text;

#define MINIMAL_FORMAT                                                                                                 \
    "{\"schema\": \"pcsim.scenario.v1\", \"horizon_hours\": 1, \"models\": {\"m\": \"gpt-5.4\"},"                      \
    " \"workload\": {\"tasks_per_hour\": 10, \"task_types\": [{\"step_input_tokens\": 1, \"output_tokens\": 1%s}]},"   \
    " \"strategies\": [{\"name\": \"s\", \"route\": [{\"model\": \"m\"}]}]%s}"

static const char *minimal(const char *task_extra, const char *top_extra)
{
    size_t size = strlen(MINIMAL_FORMAT) + strlen(task_extra) + strlen(top_extra) + 1;
    free(minimal_text);
    minimal_text = malloc(size);
    if (!minimal_text) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    snprintf(minimal_text, size, MINIMAL_FORMAT, task_extra, top_extra);
    return minimal_text;
}

/* ------------------------------------------------------------ the issue */

static void check_issue_point(const struct pcs_scenario *s, double median)
{
    CHECK_STR(s->name, "Support bot: mini first, full on failure");
    CHECK_U64(s->seed, 42);
    CHECK_U64(s->trials, 200);
    CHECK(s->horizon_hours == 24);
    CHECK_U64(s->model_count, 2);
    CHECK_STR(s->models[0].alias, "mini");
    CHECK_STR(s->models[0].name, "gpt-5.4-mini");
    CHECK(s->models[0].model && strcmp(s->models[0].model->id, "gpt-5.4-mini") == 0);
    CHECK(s->models[0].model && strcmp(s->models[0].model->provider->id, "openai") == 0);
    CHECK_STR(s->models[1].alias, "full");
    CHECK(s->models[1].model && strcmp(s->models[1].model->id, "gpt-5.4") == 0);

    const struct pcs_workload *w = &s->workload;
    CHECK_DIST(w->tasks_per_hour, PCS_DIST_LOGNORMAL, median, 0.3);
    CHECK(w->diurnal[0] == 0.4 && w->diurnal[9] == 1.5 && w->diurnal[18] == 1.1 && w->diurnal[23] == 0.5);
    CHECK_U64(w->task_type_count, 1);
    const struct pcs_task_type *t = &w->task_types[0];
    CHECK_STR(t->name, "ticket");
    CHECK(t->weight == 1);
    CHECK_DIST(t->steps, PCS_DIST_GEOMETRIC, 3, 0);
    CHECK_DIST(t->gap_seconds, PCS_DIST_LOGNORMAL, 20, 1);
    CHECK_U64(t->prefix_count, 2);
    CHECK_STR(t->prefix[0].id, "system");
    CHECK_DIST(t->prefix[0].tokens, PCS_DIST_CONSTANT, 2200, 0);
    CHECK(t->prefix[0].scope == PCS_PREFIX_GLOBAL);
    CHECK_U64(t->prefix[0].variants, 1);
    CHECK_STR(t->prefix[1].id, "kb");
    CHECK_DIST(t->prefix[1].tokens, PCS_DIST_UNIFORM, 1000, 6000);
    CHECK(t->prefix[1].scope == PCS_PREFIX_GLOBAL);
    CHECK_U64(t->prefix[1].variants, 50);
    CHECK_DIST(t->step_input_tokens, PCS_DIST_LOGNORMAL, 300, 0.8);
    CHECK_DIST(t->output_tokens, PCS_DIST_LOGNORMAL, 250, 0.6);
    CHECK(t->history == 1);

    CHECK_DIST(s->failure.p[0], PCS_DIST_BETA, 15, 85);
    CHECK_DIST(s->failure.p[1], PCS_DIST_CONSTANT, 0.03, 0);
    CHECK_DIST(s->failure.p[2], PCS_DIST_CONSTANT, 0, 0); /* beyond the models: constant 0 */
    CHECK(s->failure.correlation == 0.6);
    CHECK(s->failure.failed_output_fraction == 1.0);
    CHECK(s->failure.retry_delay_s == 2);

    CHECK_U64(s->strategy_count, 3);
    const struct pcs_strategy *full_only = &s->strategies[0];
    CHECK_STR(full_only->name, "full-only");
    CHECK_U64(full_only->route_count, 1);
    CHECK_U64(full_only->route[0].model, 1);
    CHECK_U64(full_only->route[0].attempts, 2);
    CHECK_STR(full_only->cache, "auto");
    CHECK(full_only->tier == PCS_TIER_STANDARD);
    const struct pcs_strategy *mini_first = &s->strategies[1];
    CHECK_STR(mini_first->name, "mini-first");
    CHECK_U64(mini_first->route_count, 2);
    CHECK_U64(mini_first->route[0].model, 0);
    CHECK_U64(mini_first->route[0].attempts, 1);
    CHECK_U64(mini_first->route[1].model, 1);
    CHECK_U64(mini_first->route[1].attempts, 2);
    CHECK(mini_first->tier == PCS_TIER_STANDARD);
    const struct pcs_strategy *batch = &s->strategies[2];
    CHECK_STR(batch->name, "mini-first-batch");
    CHECK_U64(batch->route_count, 2);
    CHECK_STR(batch->cache, "auto"); /* the default */
    CHECK(batch->tier == PCS_TIER_BATCH);
}

static void test_issue_example(void)
{
    struct pcs_error err;
    pcs_scenario_set *set = load("issue_example.json", &err);
    CHECK(set != NULL);
    if (!set)
        return;
    CHECK_U64(pcs_scenario_point_count(set), 3);
    static const char *const labels[] = {"workload.tasks_per_hour.median=60", "workload.tasks_per_hour.median=600",
                                         "workload.tasks_per_hour.median=6000"};
    static const double medians[] = {60, 600, 6000};
    for (size_t i = 0; i < 3 && i < pcs_scenario_point_count(set); i++) {
        const struct pcs_scenario_point *point = pcs_scenario_point(set, i);
        CHECK_STR(point->label, labels[i]);
        check_issue_point(&point->scenario, medians[i]);
        /* The same value, for reports that plot against it. */
        CHECK_U64(point->setting_count, 1);
        if (point->setting_count == 1) {
            CHECK_STR(point->settings[0].path, "workload.tasks_per_hour.median");
            CHECK_STR(point->settings[0].value, labels[i] + strlen("workload.tasks_per_hour.median="));
            CHECK(point->settings[0].number == medians[i]);
        }
    }
    CHECK(pcs_scenario_point(set, 3) == NULL);
    pcs_scenario_set_free(set);
}

/* ------------------------------------------------------------- defaults */

static void test_defaults(void)
{
    struct pcs_error err;
    pcs_scenario_set *set = load("defaults.json", &err);
    CHECK(set != NULL);
    if (!set)
        return;
    CHECK_U64(pcs_scenario_point_count(set), 1);
    const struct pcs_scenario_point *point = pcs_scenario_point(set, 0);
    CHECK_STR(point->label, "");
    CHECK_U64(point->setting_count, 0);
    const struct pcs_scenario *s = &point->scenario;
    CHECK_STR(s->name, "defaults.json"); /* the file name */
    CHECK_U64(s->seed, 1);
    CHECK_U64(s->trials, 100);
    CHECK(s->horizon_hours == 1);
    CHECK(s->batch_window_hours == 24 && s->workload.trace == NULL);
    CHECK_U64(s->model_count, 1);
    CHECK_DIST(s->workload.tasks_per_hour, PCS_DIST_CONSTANT, 10, 0);
    int all_one = 1;
    for (int hour = 0; hour < 24; hour++)
        all_one &= s->workload.diurnal[hour] == 1;
    CHECK(all_one);
    CHECK_U64(s->workload.task_type_count, 1);
    const struct pcs_task_type *t = &s->workload.task_types[0];
    CHECK_STR(t->name, "task_types[0]");
    CHECK(t->weight == 1);
    CHECK_DIST(t->steps, PCS_DIST_CONSTANT, 1, 0);
    CHECK_DIST(t->gap_seconds, PCS_DIST_CONSTANT, 0, 0);
    CHECK_U64(t->prefix_count, 0);
    CHECK_DIST(t->step_input_tokens, PCS_DIST_CONSTANT, 100, 0);
    CHECK_DIST(t->output_tokens, PCS_DIST_CONSTANT, 50, 0);
    CHECK(t->history == 0);
    int all_zero = 1;
    for (size_t i = 0; i < PCS_SCENARIO_MAX_MODELS; i++)
        all_zero &= s->failure.p[i].kind == PCS_DIST_CONSTANT && s->failure.p[i].a == 0;
    CHECK(all_zero);
    CHECK(s->failure.correlation == 0);
    CHECK(s->failure.failed_output_fraction == 1);
    CHECK(s->failure.retry_delay_s == 0);
    CHECK_U64(s->strategy_count, 1);
    CHECK_STR(s->strategies[0].name, "plain");
    CHECK_U64(s->strategies[0].route_count, 1);
    CHECK_U64(s->strategies[0].route[0].model, 0);
    CHECK_U64(s->strategies[0].route[0].attempts, 1);
    CHECK_STR(s->strategies[0].cache, "auto");
    CHECK(s->strategies[0].tier == PCS_TIER_STANDARD);
    pcs_scenario_set_free(set);

    /* A failure object that gives only some fields keeps the others' defaults. */
    set = parse(minimal("", ", \"failure\": {\"correlation\": 0.25}"), NULL, &err);
    CHECK(set != NULL);
    if (set) {
        s = &pcs_scenario_point(set, 0)->scenario;
        CHECK(s->failure.correlation == 0.25);
        CHECK(s->failure.failed_output_fraction == 1);
        CHECK_DIST(s->failure.p[0], PCS_DIST_CONSTANT, 0, 0);
        CHECK_STR(s->name, "inline.json");
    }
    pcs_scenario_set_free(set);
}

/* Every kind maps its parameters to a and b as pcsim/dist.h says. */
static void test_all_dists(void)
{
    struct pcs_error err;
    pcs_scenario_set *set = load("all_dists.json", &err);
    CHECK(set != NULL);
    if (!set)
        return;
    const struct pcs_scenario *s = &pcs_scenario_point(set, 0)->scenario;
    CHECK_U64(s->seed, 9007199254740992ull);
    CHECK_U64(s->trials, 1);
    CHECK(s->horizon_hours == 0.5);
    CHECK_DIST(s->workload.tasks_per_hour, PCS_DIST_GAMMA, 2, 50);
    CHECK_U64(s->workload.task_type_count, 2);
    const struct pcs_task_type *a = &s->workload.task_types[0];
    CHECK(a->weight == 3);
    CHECK_DIST(a->steps, PCS_DIST_POISSON, 4, 0);
    CHECK_DIST(a->gap_seconds, PCS_DIST_NORMAL, 5, 2);
    CHECK_U64(a->prefix_count, 1);
    CHECK(a->prefix[0].scope == PCS_PREFIX_TASK);
    CHECK_U64(a->prefix[0].variants, 1);
    CHECK_DIST(a->prefix[0].tokens, PCS_DIST_CONSTANT, 10, 0);
    CHECK(a->step_input_tokens.kind == PCS_DIST_EMPIRICAL);
    CHECK_U64(a->step_input_tokens.count, 3);
    CHECK(a->step_input_tokens.values && a->step_input_tokens.values[0] == 1 && a->step_input_tokens.values[2] == 3);
    CHECK_DIST(a->output_tokens, PCS_DIST_UNIFORM, 0, 10);
    const struct pcs_task_type *b = &s->workload.task_types[1];
    CHECK_STR(b->name, "task_types[1]");
    CHECK(b->weight == 0.5);
    CHECK_DIST(b->step_input_tokens, PCS_DIST_CONSTANT, 0, 0);
    CHECK(!signbit(b->step_input_tokens.a)); /* -0.0 reads as 0 */
    CHECK(b->history == 0);
    CHECK_DIST(s->failure.p[0], PCS_DIST_UNIFORM, 0, 0.2);
    CHECK_U64(s->strategies[0].route[0].attempts, 100);
    CHECK_STR(s->strategies[0].cache, "none");
    CHECK(s->strategies[0].tier == PCS_TIER_PRIORITY);
    pcs_scenario_set_free(set);

    /* {"dist": "constant"} and a failure probability that is a distribution. */
    set = parse(minimal(", \"gap_seconds\": {\"dist\": \"constant\", \"value\": 7}",
                        ", \"failure\": {\"p\": {\"m\": {\"dist\": \"lognormal\", \"median\": 0.1, \"sigma\": 3}}}"),
                NULL, &err);
    CHECK(set != NULL);
    if (set) {
        s = &pcs_scenario_point(set, 0)->scenario;
        CHECK_DIST(s->workload.task_types[0].gap_seconds, PCS_DIST_CONSTANT, 7, 0);
        CHECK_DIST(s->failure.p[0], PCS_DIST_LOGNORMAL, 0.1, 3);
    }
    pcs_scenario_set_free(set);
}

/* ---------------------------------------------------------------- sweeps */

static void test_sweep_strings(void)
{
    struct pcs_error err;
    pcs_scenario_set *set = load("sweep_strings.json", &err);
    CHECK(set != NULL);
    if (!set)
        return;
    CHECK_U64(pcs_scenario_point_count(set), 6);
    static const char *const tiers[] = {"standard", "batch", "flex"};
    static const enum pcs_tier tier_values[] = {PCS_TIER_STANDARD, PCS_TIER_BATCH, PCS_TIER_FLEX};
    for (size_t i = 0; i < 6 && i < pcs_scenario_point_count(set); i++) {
        const struct pcs_scenario_point *point = pcs_scenario_point(set, i);
        char label[256];
        snprintf(label, sizeof label, "strategies[0].tier=%s, workload.task_types.0.steps=%s", tiers[i / 2],
                 i % 2 ? "{\"dist\":\"geometric\",\"mean\":2}" : "1");
        CHECK_STR(point->label, label);
        const struct pcs_scenario *s = &point->scenario;
        CHECK_STR(s->name, "tier and steps sweep");
        CHECK(s->strategies[0].tier == tier_values[i / 2]);
        CHECK(s->strategies[1].tier == PCS_TIER_STANDARD); /* not swept */
        CHECK_STR(s->strategies[1].cache, "anthropic-1h");
        CHECK_U64(s->strategies[1].route[0].attempts, 3);
        if (i % 2)
            CHECK_DIST(s->workload.task_types[0].steps, PCS_DIST_GEOMETRIC, 2, 0);
        else
            CHECK_DIST(s->workload.task_types[0].steps, PCS_DIST_CONSTANT, 1, 0);
        CHECK(s->failure.correlation == 0.1);
    }
    pcs_scenario_set_free(set);

    /* A whole object swept, [i] into an array, a string with a quote. */
    const char *text =
        "{\"schema\": \"pcsim.scenario.v1\", \"horizon_hours\": 1, \"models\": {\"m\": \"gpt-5.4\"},"
        " \"workload\": {\"tasks_per_hour\": 10, \"diurnal\": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],"
        " \"task_types\": [{\"step_input_tokens\": 1, \"output_tokens\": 1}]},"
        " \"strategies\": [{\"name\": \"s\", \"route\": [{\"model\": \"m\"}]}],"
        " \"sweep\": {\"workload.tasks_per_hour\": [{\"dist\": \"poisson\", \"mean\": 5}],"
        " \"workload.diurnal[3]\": [0, 2.5], \"strategies.0.name\": [\"say \\\"hi\\\"\"]}}";
    set = parse(text, NULL, &err);
    CHECK(set != NULL);
    if (set) {
        CHECK_U64(pcs_scenario_point_count(set), 2);
        const struct pcs_scenario_point *point = pcs_scenario_point(set, 1);
        CHECK_STR(point->label, "workload.tasks_per_hour={\"dist\":\"poisson\",\"mean\":5}, "
                                "workload.diurnal[3]=2.5, strategies.0.name=say \"hi\"");
        CHECK_U64(point->setting_count, 3);
        if (point->setting_count == 3) {
            CHECK_STR(point->settings[0].value, "{\"dist\":\"poisson\",\"mean\":5}");
            CHECK(isnan(point->settings[0].number)); /* an object is no number */
            CHECK_STR(point->settings[1].path, "workload.diurnal[3]");
            CHECK(point->settings[1].number == 2.5);
            CHECK_STR(point->settings[2].value, "say \"hi\""); /* a string without its quotes */
            CHECK(isnan(point->settings[2].number));
        }
        CHECK_DIST(point->scenario.workload.tasks_per_hour, PCS_DIST_POISSON, 5, 0);
        CHECK(point->scenario.workload.diurnal[3] == 2.5 && point->scenario.workload.diurnal[2] == 1);
        CHECK(pcs_scenario_point(set, 0)->scenario.workload.diurnal[3] == 0);
        CHECK_STR(point->scenario.strategies[0].name, "say \"hi\"");
    }
    pcs_scenario_set_free(set);

    /* An empty sweep is one point; "$comment" is not a path. */
    set = parse(minimal("", ", \"sweep\": {\"$comment\": \"nothing yet\"}"), NULL, &err);
    CHECK(set != NULL);
    if (set) {
        CHECK_U64(pcs_scenario_point_count(set), 1);
        CHECK_STR(pcs_scenario_point(set, 0)->label, "");
    }
    pcs_scenario_set_free(set);

    /* 100 x 100 = 10000 points is the most a sweep may have. */
    char big[8192];
    size_t used = 0;
    used += (size_t)snprintf(big + used, sizeof big - used, ", \"sweep\": {\"seed\": [");
    for (int i = 0; i < 100; i++)
        used += (size_t)snprintf(big + used, sizeof big - used, "%s%d", i ? "," : "", i);
    used += (size_t)snprintf(big + used, sizeof big - used, "], \"trials\": [");
    for (int i = 0; i < 100; i++)
        used += (size_t)snprintf(big + used, sizeof big - used, "%s%d", i ? "," : "", i + 1);
    snprintf(big + used, sizeof big - used, "]}, \"seed\": 0, \"trials\": 1");
    set = parse(minimal("", big), NULL, &err);
    CHECK(set != NULL);
    if (set) {
        CHECK_U64(pcs_scenario_point_count(set), 10000);
        const struct pcs_scenario_point *last = pcs_scenario_point(set, 9999);
        CHECK_STR(last->label, "seed=99, trials=100");
        CHECK_U64(last->scenario.seed, 99);
        CHECK_U64(last->scenario.trials, 100);
        CHECK_U64(pcs_scenario_point(set, 101)->scenario.seed, 1);
        CHECK_U64(pcs_scenario_point(set, 101)->scenario.trials, 2);
    }
    pcs_scenario_set_free(set);
}

/* ------------------------------------------------------- empirical traces */

static const double trace_inputs[] = {600, 700, 600, 600, 600, 300, 1000};
static const double trace_outputs[] = {5, 6, 7, 8, 9, 10, 11};

static int same_values(const struct pcs_dist *dist, const double *expected, size_t count)
{
    if (dist->kind != PCS_DIST_EMPIRICAL || dist->count != count || !dist->values)
        return 0;
    for (size_t i = 0; i < count; i++)
        if (dist->values[i] != expected[i])
            return 0;
    return 1;
}

static void test_empirical_trace(void)
{
    struct pcs_error err;
    /* tests/data/scenarios/empirical_trace.json names "../native_blocks.jsonl":
     * relative to its own directory. */
    pcs_scenario_set *set = load("empirical_trace.json", &err);
    CHECK(set != NULL);
    if (set) {
        const struct pcs_task_type *t = &pcs_scenario_point(set, 0)->scenario.workload.task_types[0];
        CHECK(same_values(&t->step_input_tokens, trace_inputs, 7));
        CHECK(same_values(&t->output_tokens, trace_outputs, 7));
        CHECK_STR(pcs_scenario_point(set, 0)->scenario.strategies[0].cache, "openai");
    }
    pcs_scenario_set_free(set);

    /* pcs_scenario_parse: relative to base_dir; absolute paths as they are. */
    const char *relative = ", \"gap_seconds\": {\"dist\": \"empirical\", \"trace\": \"native_blocks.jsonl\", "
                           "\"field\": \"output_tokens\"}";
    set = parse(minimal(relative, ""), data_dir, &err);
    CHECK(set != NULL);
    if (set)
        CHECK(same_values(&pcs_scenario_point(set, 0)->scenario.workload.task_types[0].gap_seconds, trace_outputs, 7));
    pcs_scenario_set_free(set);
    set = parse(minimal(", \"steps\": {\"dist\": \"empirical\", \"trace\": \"no/such/dir/native_blocks.jsonl\", "
                        "\"field\": \"input_tokens\"}",
                        ""),
                data_dir, &err);
    CHECK(set == NULL);
    CHECK_CONTAINS(err.message, "inline.json: workload.task_types[0].steps.trace: ");
    CHECK_CONTAINS(err.message, "no/such/dir/native_blocks.jsonl");
    char absolute[1200];
    snprintf(absolute, sizeof absolute,
             ", \"gap_seconds\": {\"dist\": \"empirical\", \"trace\": \"%s/native_blocks.jsonl\", "
             "\"field\": \"input_tokens\"}",
             data_dir);
    if (data_dir[0] == '/') {
        set = parse(minimal(absolute, ""), "/nonexistent", &err);
        CHECK(set != NULL);
        if (set)
            CHECK(
                same_values(&pcs_scenario_point(set, 0)->scenario.workload.task_types[0].gap_seconds, trace_inputs, 7));
        pcs_scenario_set_free(set);
    }

    /* The points of a sweep share one read of a trace. */
    set = parse(minimal(", \"gap_seconds\": {\"dist\": \"empirical\", \"trace\": \"native_blocks.jsonl\", "
                        "\"field\": \"input_tokens\"}",
                        ", \"trials\": 1, \"sweep\": {\"trials\": [1, 2, 3]}"),
                data_dir, &err);
    CHECK(set != NULL);
    if (set) {
        CHECK_U64(pcs_scenario_point_count(set), 3);
        const double *first = pcs_scenario_point(set, 0)->scenario.workload.task_types[0].gap_seconds.values;
        const double *third = pcs_scenario_point(set, 2)->scenario.workload.task_types[0].gap_seconds.values;
        CHECK(first != NULL && first == third);
    }
    pcs_scenario_set_free(set);

    /* Inline lists are shared too, between points and between equal lists;
     * a list read before a trace does not confuse the trace's lookup. */
    set = parse(minimal(", \"steps\": {\"dist\": \"empirical\", \"values\": [1, 2]}, "
                        "\"gap_seconds\": {\"dist\": \"empirical\", \"trace\": \"native_blocks.jsonl\", "
                        "\"field\": \"output_tokens\"}, "
                        "\"prefix\": [{\"id\": \"a\", \"tokens\": {\"dist\": \"empirical\", \"values\": [1, 2]}},"
                        " {\"id\": \"b\", \"tokens\": {\"dist\": \"empirical\", \"values\": [2, 1]}}]",
                        ", \"trials\": 1, \"sweep\": {\"trials\": [1, 2]}"),
                data_dir, &err);
    CHECK(set != NULL);
    if (set) {
        const struct pcs_task_type *t0 = &pcs_scenario_point(set, 0)->scenario.workload.task_types[0];
        const struct pcs_task_type *t1 = &pcs_scenario_point(set, 1)->scenario.workload.task_types[0];
        static const double one_two[] = {1, 2};
        static const double two_one[] = {2, 1};
        CHECK(same_values(&t0->steps, one_two, 2));
        CHECK(same_values(&t0->prefix[0].tokens, one_two, 2));
        CHECK(same_values(&t0->prefix[1].tokens, two_one, 2));
        CHECK(same_values(&t1->gap_seconds, trace_outputs, 7));
        CHECK(t0->steps.values == t1->steps.values && t0->steps.values == t0->prefix[0].tokens.values);
        CHECK(t0->prefix[1].tokens.values != t0->steps.values);
        CHECK(t0->gap_seconds.values == t1->gap_seconds.values);
    }
    pcs_scenario_set_free(set);

    /* A trace's values must suit the quantity: steps are >= 1, and the
     * second request of scenarios/zero_output.jsonl has 0 output tokens. */
    set = parse(minimal(", \"steps\": {\"dist\": \"empirical\", \"trace\": \"scenarios/zero_output.jsonl\", "
                        "\"field\": \"output_tokens\"}",
                        ""),
                data_dir, &err);
    CHECK(set == NULL);
    CHECK_CONTAINS(err.message, "inline.json: workload.task_types[0].steps.trace: request 2 has 0 tokens; "
                                "expected a whole number in [1, 10000]");
    set = parse(minimal(", \"steps\": {\"dist\": \"empirical\", \"trace\": \"scenarios/zero_output.jsonl\", "
                        "\"field\": \"input_tokens\"}",
                        ""),
                data_dir, &err);
    CHECK(set != NULL);
    if (set) {
        static const double inputs[] = {50, 60};
        CHECK(same_values(&pcs_scenario_point(set, 0)->scenario.workload.task_types[0].steps, inputs, 2));
    }
    pcs_scenario_set_free(set);
}

/* ---------------------------------------------------------------- latency */

/* A model as an object: its name and latency distributions; a string is
 * the same model with none; sweeps reach into it. */
/* A strategy's "cache" object: a preset with parameters changed, each by
 * its report key; a name alone changes nothing. */
static void test_cache_object(void)
{
    struct pcs_error err;
    const char *text =
        "{\"schema\": \"pcsim.scenario.v1\", \"horizon_hours\": 1,"
        " \"models\": {\"s\": \"claude-sonnet-4-5\", \"g\": \"gpt-5.4\"},"
        " \"workload\": {\"tasks_per_hour\": 10, \"task_types\": [{\"step_input_tokens\": 1, \"output_tokens\": 1}]},"
        " \"strategies\": [{\"name\": \"a\", \"route\": [{\"model\": \"s\"}], \"cache\": {\"preset\": \"anthropic-5m\","
        "   \"lookback\": 0, \"visible_after\": false, \"ttl_s\": 600}},"
        "  {\"name\": \"b\", \"route\": [{\"model\": \"g\"}], \"cache\": {\"preset\": \"auto\", \"overflow_rpm\": 30}},"
        "  {\"name\": \"c\", \"route\": [{\"model\": \"s\"}], \"cache\": \"anthropic-5m\"}]}";
    pcs_scenario_set *set = parse(text, NULL, &err);
    CHECK(set != NULL);
    if (!set) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    const struct pcs_scenario *sc = &pcs_scenario_point(set, 0)->scenario;
    const struct pcs_strategy *a = &sc->strategies[0], *b = &sc->strategies[1], *c = &sc->strategies[2];
    CHECK_STR(a->cache, "anthropic-5m");
    CHECK_STR(a->cache_text, "anthropic-5m, lookback 0, visible_after 0, ttl_s 600");
    struct pcs_cache_config config;
    CHECK(pcs_strategy_cache_config(a, sc->models[0].model, &config) == PCS_OK);
    CHECK_U64(config.lookback, 0);
    CHECK_U64(config.visible_after, 0);
    CHECK_U64(config.ttl_ms, 600000);
    CHECK_U64(config.min_tokens, 1024); /* the model's own minimum still comes from the catalog */
    CHECK(pcs_strategy_cache_config(c, sc->models[0].model, &config) == PCS_OK);
    CHECK_U64(config.lookback, 20); /* the preset's default (the rules file) */
    CHECK_U64(config.visible_after, 1);
    CHECK_U64(config.ttl_ms, 300000);
    CHECK_STR(c->cache_text, "anthropic-5m");
    CHECK(pcs_strategy_cache_config(b, sc->models[1].model, &config) == PCS_OK);
    CHECK(config.policy == PCS_POLICY_OPENAI); /* auto: the model's provider preset, then the change */
    CHECK_U64(config.overflow_rpm, 30);
    pcs_scenario_set_free(set);
}

static void test_latency(void)
{
    struct pcs_error err;
    const char *text =
        "{\"schema\": \"pcsim.scenario.v1\", \"horizon_hours\": 1,"
        " \"models\": {\"m\": {\"model\": \"gpt-5.4\", \"ttft_seconds\": {\"dist\": \"lognormal\", \"median\": 0.8,"
        "   \"sigma\": 0.5}, \"duration_seconds\": 12}, \"n\": {\"model\": \"gpt-5.4-mini\"},"
        "   \"o\": {\"model\": \"gpt-5.4-mini\", \"duration_seconds\": 3, \"$comment\": \"no ttft\"}, \"p\": "
        "\"gpt-5.4\"},"
        " \"workload\": {\"tasks_per_hour\": 10, \"task_types\": [{\"step_input_tokens\": 1, \"output_tokens\": 1}]},"
        " \"strategies\": [{\"name\": \"s\", \"route\": [{\"model\": \"m\"}]}],"
        " \"sweep\": {\"models.m.duration_seconds\": [2, 30]}}";
    pcs_scenario_set *set = parse(text, NULL, &err);
    CHECK(set != NULL);
    if (!set) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    CHECK_U64(pcs_scenario_point_count(set), 2);
    for (size_t i = 0; i < pcs_scenario_point_count(set); i++) {
        const struct pcs_scenario *sc = &pcs_scenario_point(set, i)->scenario;
        CHECK_U64(sc->model_count, 4);
        CHECK_STR(sc->models[0].alias, "m");
        CHECK_STR(sc->models[0].name, "gpt-5.4");
        CHECK(sc->models[0].model && strcmp(sc->models[0].model->id, "gpt-5.4") == 0);
        CHECK(sc->models[0].has_ttft && sc->models[0].has_duration);
        CHECK_DIST(sc->models[0].ttft_seconds, PCS_DIST_LOGNORMAL, 0.8, 0.5);
        CHECK_DIST(sc->models[0].duration_seconds, PCS_DIST_CONSTANT, i ? 30 : 2, 0);
        CHECK(sc->models[1].model && strcmp(sc->models[1].model->id, "gpt-5.4-mini") == 0);
        CHECK(!sc->models[1].has_ttft && !sc->models[1].has_duration);
        CHECK(!sc->models[2].has_ttft && sc->models[2].has_duration);
        CHECK_DIST(sc->models[2].duration_seconds, PCS_DIST_CONSTANT, 3, 0);
        CHECK(!sc->models[3].has_ttft && !sc->models[3].has_duration);
    }
    /* A duration below a drawn ttft is the engine's to raise: only two constants are compared. */
    CHECK_STR(pcs_scenario_point(set, 0)->label, "models.m.duration_seconds=2");
    pcs_scenario_set_free(set);
    /* Equal constants: a response whose last token is its first. */
    set = parse("{\"schema\": \"pcsim.scenario.v1\", \"horizon_hours\": 1,"
                " \"models\": {\"m\": {\"model\": \"gpt-5.4\", \"ttft_seconds\": 1, \"duration_seconds\": 1}},"
                " \"workload\": {\"tasks_per_hour\": 10, \"task_types\": [{\"step_input_tokens\": 1,"
                " \"output_tokens\": 1}]}, \"strategies\": [{\"name\": \"s\", \"route\": [{\"model\": \"m\"}]}]}",
                NULL, &err);
    CHECK(set != NULL);
    pcs_scenario_set_free(set);
    /* Neither a string nor an object. */
    set = parse("{\"schema\": \"pcsim.scenario.v1\", \"horizon_hours\": 1, \"models\": {\"m\": [\"gpt-5.4\"]}}", NULL,
                &err);
    CHECK(set == NULL);
    CHECK_CONTAINS(err.message,
                   "inline.json: models.m: expected a non-empty string (a model name) or {\"model\": NAME,");
    pcs_scenario_set_free(set);
}

/* ------------------------------------------------------------ bad inputs */

struct bad_case {
    const char *file;
    const char *expect; /* part of the message: the file, the field's path and what is wrong */
};

static const struct bad_case bad_cases[] = {
    {"malformed.json", "malformed.json:3:"},
    {"empty.json", "empty.json: the file is empty"},
    {"not_object.json", "not_object.json: expected a JSON object"},
    {"wrong_schema.json", "wrong_schema.json: schema: expected \"pcsim.scenario.v1\""},
    {"unknown_top.json", "unknown_top.json: horizon_hour: unknown field"},
    {"missing_horizon.json", "missing_horizon.json: horizon_hours: missing"},
    {"horizon_huge.json", "horizon_huge.json: horizon_hours: expected a number in (0, 87600]"},
    {"horizon_infinite.json", "horizon_infinite.json: horizon_hours: expected a number"},
    {"description_number.json", "description_number.json: description: expected a string"},
    {"duplicate_field.json", "duplicate_field.json: trials: given twice"},
    {"seed_fraction.json", "seed_fraction.json: seed: expected a whole number in [0, 9007199254740992]"},
    {"trials_zero.json", "trials_zero.json: trials: expected a whole number in [1,"},
    {"steps_mean_missing.json", "steps_mean_missing.json: workload.task_types[0].steps.mean: missing"},
    {"steps_fraction.json", "steps_fraction.json: workload.task_types[0].steps: expected a whole number in [1, 10000]"},
    {"steps_geometric_below_1.json", "steps_geometric_below_1.json: workload.task_types[0].steps: mean must be >= 1"},
    {"unknown_dist.json", "unknown_dist.json: workload.tasks_per_hour.dist: unknown distribution \"lognorm\""},
    {"unknown_param.json",
     "unknown_param.json: workload.tasks_per_hour.mean: unknown field (expected one of: dist, median, sigma)"},
    {"bad_sigma.json", "bad_sigma.json: workload.tasks_per_hour: sigma must be > 0"},
    {"dist_not_number.json", "dist_not_number.json: workload.tasks_per_hour.median: expected a number"},
    {"rate_zero.json", "rate_zero.json: workload.tasks_per_hour: expected a number in (0, 1000000000]"},
    {"rate_median_huge.json",
     "rate_median_huge.json: workload.tasks_per_hour: the median 1e+308 is above the largest allowed value"},
    {"missing_tasks_per_hour.json", "missing_tasks_per_hour.json: workload.tasks_per_hour: missing"},
    {"no_task_types.json", "no_task_types.json: workload.task_types: expected a non-empty array of task types"},
    {"diurnal_23.json", "diurnal_23.json: workload.diurnal: expected an array of exactly 24 hourly multipliers"},
    {"diurnal_zero.json", "diurnal_zero.json: workload.diurnal: all 24 multipliers are 0"},
    {"diurnal_negative.json", "diurnal_negative.json: workload.diurnal[3]: expected a number in [0,"},
    {"weight_zero.json", "weight_zero.json: workload.task_types[0].weight: expected a number > 0"},
    {"weights_overflow.json", "weights_overflow.json: workload.task_types[1].weight: the weights add up to more"},
    {"task_type_same_name.json",
     "task_type_same_name.json: workload.task_types[1]: task type name \"ticket\" is also the name of task_types[0]"},
    {"missing_step_input.json", "missing_step_input.json: workload.task_types[0].step_input_tokens: missing"},
    {"missing_output.json", "missing_output.json: workload.task_types[0].output_tokens: missing"},
    {"tokens_negative.json",
     "tokens_negative.json: workload.task_types[0].prefix[0].tokens: expected a whole number in [0, 10000000]"},
    {"tokens_huge.json",
     "tokens_huge.json: workload.task_types[0].output_tokens: expected a whole number in [0, 10000000]"},
    {"tokens_uniform_negative.json",
     "tokens_uniform_negative.json: workload.task_types[0].step_input_tokens.min: expected a number in [0, 10000000]"},
    {"empirical_value_fraction.json",
     "empirical_value_fraction.json: workload.task_types[0].output_tokens.values[1]: expected a whole number"},
    {"empirical_both.json",
     "empirical_both.json: workload.task_types[0].output_tokens: give \"values\" or \"trace\" and \"field\", not both"},
    {"empirical_no_trace_file.json", "empirical_no_trace_file.json: workload.task_types[0].output_tokens.trace: "},
    {"empirical_bad_field.json", "empirical_bad_field.json: workload.task_types[0].output_tokens.field: expected "
                                 "\"input_tokens\" or \"output_tokens\""},
    {"history_string.json", "history_string.json: workload.task_types[0].history: expected true or false"},
    {"bad_scope.json", "bad_scope.json: workload.task_types[0].prefix[0].scope: expected \"global\" or \"task\""},
    {"task_variants.json",
     "task_variants.json: workload.task_types[0].prefix[0].variants: only a global segment has variants"},
    {"variants_zero.json",
     "variants_zero.json: workload.task_types[0].prefix[0].variants: expected a whole number in [1,"},
    {"segment_same_id.json",
     "segment_same_id.json: workload.task_types[0].prefix[1].id: an earlier segment has the same id"},
    {"too_many_segments.json", "too_many_segments.json: workload.task_types[0].prefix: at most 16 prefix segments"},
    {"unknown_model.json",
     "unknown_model.json: models.mini: unknown model \"gpt-5.4-mnii\" (nearest known: gpt-5.4-mini"},
    {"no_models.json", "no_models.json: models: expected at least one model"},
    {"too_many_models.json", "too_many_models.json: models: at most 16 models"},
    {"model_not_string.json", "model_not_string.json: models.full: expected a non-empty string"},
    {"route_unknown_alias.json",
     "route_unknown_alias.json: strategies[1].route[0].model: unknown model alias \"mni\" (known: mini, full)"},
    {"route_empty.json", "route_empty.json: strategies[0].route: expected a non-empty array"},
    {"route_missing.json", "route_missing.json: strategies[0].route: missing"},
    {"route_too_long.json", "route_too_long.json: strategies[0].route: at most 8 route steps"},
    {"attempts_zero.json", "attempts_zero.json: strategies[1].route[1].attempts: expected a whole number in [1, 100]"},
    {"strategy_no_name.json", "strategy_no_name.json: strategies[1].name: missing"},
    {"strategy_same_name.json", "strategy_same_name.json: strategies[1].name: an earlier strategy has the same name"},
    {"no_strategies.json", "no_strategies.json: strategies: expected a non-empty array of strategies"},
    {"too_many_strategies.json", "too_many_strategies.json: strategies: at most 32 strategies"},
    {"bad_cache.json",
     "bad_cache.json: strategies[0].cache: unknown cache preset \"openia\" (expected one of: auto, openai,"},
    {"cache_unknown_parameter.json",
     "cache_unknown_parameter.json: strategies[0].cache.lookbak: unknown cache parameter (known: preset, ttl_s, "},
    {"cache_parameter_unused.json", "cache_parameter_unused.json: strategies[0].cache.lookback: the openai policy of "
                                    "preset \"openai\" does not use it"},
    {"cache_no_preset.json", "cache_no_preset.json: strategies[0].cache.preset: missing"},
    {"cache_switch_range.json",
     "cache_switch_range.json: strategies[0].cache.visible_after: expected a number in [0, 1]"},
    {"cache_lru.json",
     "cache_lru.json: strategies[0].cache: cache preset \"lru\" needs settings a scenario cannot give"},
    {"bad_tier.json",
     "bad_tier.json: strategies[1].tier: unknown tier \"cheap\" (expected standard, batch, flex or priority)"},
    {"tier_not_sold.json", "tier_not_sold.json: strategies[0].tier: model \"ds\" (deepseek-chat, provider deepseek) is "
                           "not sold at tier \"batch\" (deepseek sells: standard)"},
    /* trace workloads (DESIGN §10) and batch timing */
    {"trace_synthetic_field.json", "trace_synthetic_field.json: workload.tasks_per_hour: unknown field (expected one "
                                   "of: trace, input_format, model, task, time_scale)"},
    {"trace_bad_task.json", "trace_bad_task.json: workload.task: expected \"session\", \"task\" or \"request\""},
    {"trace_time_scale.json", "trace_time_scale.json: workload.time_scale: expected a number in (0, 1000000]"},
    {"trace_no_file.json", "trace_no_file.json: workload.trace: "},
    {"trace_bad_record.json", "bad_negative.jsonl:2: field input_length: negative token count -5"},
    {"trace_alias.json", "trace_alias.json: models.trace: in a trace workload \"trace\" names each request's own "
                         "model; give this model another alias"},
    {"trace_not_priced.json",
     "trace_not_priced.json: strategies[0].route[0]: the trace's model \"default\" (first at "},
    {"route_trace_synthetic.json",
     "route_trace_synthetic.json: strategies[0].route[0].model: unknown model alias \"trace\" (known: mini)"},
    {"model_map_synthetic.json",
     "model_map_synthetic.json: strategies[0].model_map: only a trace workload's strategies map its models"},
    {"model_map_not_in_trace.json",
     "model_map_not_in_trace.json: strategies[0].model_map.gpt-5: no request of the trace has model \"gpt-5\""},
    {"model_map_unknown_model.json", "model_map_unknown_model.json: strategies[0].model_map.claude-sonnet-4-5: unknown "
                                     "model \"claude-sonnet-9\" (not in the price catalog)"},
    {"batch_window_negative.json", "batch_window_negative.json: batch_window_hours: expected a number in [0, 87600]"},
    /* latency (docs/scenario.md#latency) */
    {"latency_order.json", "latency_order.json: models.mini.duration_seconds: 0.5 is shorter than ttft_seconds (0.8): "
                           "a duration runs from sending to the last token"},
    {"latency_unknown_field.json", "latency_unknown_field.json: models.mini.ttft: unknown field (expected one of: "
                                   "model, ttft_seconds, duration_seconds)"},
    {"latency_negative.json", "latency_negative.json: models.mini.ttft_seconds: expected a number in [0, 1000000000]"},
    {"latency_no_model.json", "latency_no_model.json: models.mini.model: missing"},
    {"latency_unknown_model.json",
     "latency_unknown_model.json: models.mini.model: unknown model \"gpt-5.4-mnii\" (nearest known: gpt-5.4-mini"},
    {"latency_bad_dist.json", "latency_bad_dist.json: models.mini.duration_seconds.sigma: missing"},
    {"failure_unknown_alias.json",
     "failure_unknown_alias.json: failure.p.mnii: unknown model alias \"mnii\" (known: mini, full)"},
    {"failure_p_range.json", "failure_p_range.json: failure.p.full: expected a number in [0, 1]"},
    {"failure_correlation.json", "failure_correlation.json: failure.correlation: expected a number in [0, 1]"},
    {"failure_fraction.json", "failure_fraction.json: failure.failed_output_fraction: expected a number in [0, 1]"},
    {"failure_unknown.json", "failure_unknown.json: failure.retry_delay: unknown field"},
    {"sweep_no_field.json", "sweep_no_field.json: sweep.\"workload.tasks_per_hour.medain\": no such field"},
    {"sweep_bad_index.json", "sweep_bad_index.json: sweep.\"strategies[2].tier\": no such field"},
    {"sweep_malformed_path.json", "sweep_malformed_path.json: sweep.\"workload..tasks_per_hour\": malformed path"},
    {"sweep_empty_values.json",
     "sweep_empty_values.json: sweep.\"failure.correlation\": expected a non-empty array of values"},
    {"sweep_overlap.json",
     "sweep_overlap.json: sweep.\"workload.tasks_per_hour.median\": overlaps the sweep of \"workload.tasks_per_hour\""},
    {"sweep_itself.json", "sweep_itself.json: sweep.\"sweep\": a sweep cannot change the sweep"},
    {"sweep_too_many.json", "sweep_too_many.json: sweep: more than 10000 points"},
    {"sweep_not_object.json", "sweep_not_object.json: sweep: expected an object"},
    {"sweep_point_error.json", "sweep_point_error.json (sweep point failure.correlation=2, trials=3): "
                               "failure.correlation: expected a number in [0, 1]"},
    {"deep_nesting.json", "deep_nesting.json:1:"},
    {"trailing_garbage.json", "trailing_garbage.json:"},
};

/* A trace workload's defaults (DESIGN §10; docs/scenario.md): the task is
 * the session, time_scale 1, the horizon the trace's span, each request's
 * own tier, a 24 h batch window; task modes and model_map. */
static void test_trace_workload(void)
{
    static const char format[] =
        "{\"schema\": \"pcsim.scenario.v1\", \"models\": {\"m\": \"gpt-5.4\"}%s,"
        " \"workload\": {\"trace\": \"native_segments.jsonl\"%s},"
        " \"strategies\": [{\"name\": \"s\", \"route\": [{\"model\": \"trace\"}, {\"model\": \"m\"}]%s}]}";
    char text[1024];
    struct pcs_error err;
    snprintf(text, sizeof text, format, "", "", "");
    pcs_scenario_set *set = parse(text, data_dir, &err);
    CHECK(set != NULL);
    if (set) {
        const struct pcs_scenario *s = &pcs_scenario_point(set, 0)->scenario;
        const struct pcs_trace_workload *trace = s->workload.trace;
        CHECK(trace != NULL);
        CHECK_U64(trace->path_count, 1);
        CHECK(trace->task == PCS_TRACE_TASK_SESSION);
        CHECK_DIST(trace->time_scale, PCS_DIST_CONSTANT, 1, 0);
        CHECK_U64(trace->request_count, 6);
        CHECK_U64(trace->task_count, 1); /* one file, no sessions: one session */
        CHECK(s->horizon_hours == 4600 / 3600.0 && s->horizon_from_trace);
        CHECK(s->batch_window_hours == 24);
        CHECK(s->strategies[0].route[0].model == PCS_ROUTE_TRACE_MODEL && s->strategies[0].route[1].model == 0);
        CHECK(!s->strategies[0].tier_given && s->strategies[0].model_map_count == 0);
        CHECK_DIST(s->failure.p_trace, PCS_DIST_CONSTANT, 0, 0);
    }
    pcs_scenario_set_free(set);

    snprintf(text, sizeof text, format, ", \"horizon_hours\": 0.5, \"batch_window_hours\": 0",
             ", \"task\": \"task\", \"time_scale\": 2", ", \"model_map\": {\"gpt-5.4\": \"gpt-5.4-mini\"}");
    set = parse(text, data_dir, &err);
    CHECK(set != NULL);
    if (set) {
        const struct pcs_scenario *s = &pcs_scenario_point(set, 0)->scenario;
        CHECK_U64(s->workload.trace->task_count, 6); /* T1, T2, 3 and three requests without a task */
        CHECK_DIST(s->workload.trace->time_scale, PCS_DIST_CONSTANT, 2, 0);
        CHECK(s->horizon_hours == 0.5 && !s->horizon_from_trace);
        CHECK(s->batch_window_hours == 0);
        const struct pcs_strategy *strategy = &s->strategies[0];
        CHECK_U64(strategy->model_map_count, 1);
        CHECK_STR(strategy->model_map[0].to, "gpt-5.4-mini");
        int mapped = 0;
        for (size_t m = 0; m < 2; m++)
            mapped += strategy->trace_models[m] && strcmp(strategy->trace_models[m]->id, "gpt-5.4-mini") == 0;
        CHECK(mapped == 1);
    }
    pcs_scenario_set_free(set);

    snprintf(text, sizeof text, format, "", ", \"task\": \"request\"", "");
    set = parse(text, data_dir, &err);
    CHECK(set != NULL && pcs_scenario_point(set, 0)->scenario.workload.trace->task_count == 6);
    pcs_scenario_set_free(set);
}

static void test_bad_files(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        struct pcs_error err;
        char name[256];
        snprintf(name, sizeof name, "bad/%s", bad_cases[i].file);
        pcs_scenario_set *set = load(name, &err);
        CHECK(set == NULL);
        CHECK_CONTAINS(err.message, bad_cases[i].expect);
        pcs_scenario_set_free(set);
    }
    struct pcs_error err;
    CHECK(load("bad/no-such-file.json", &err) == NULL);
    CHECK_CONTAINS(err.message, "no-such-file.json: cannot open");
}

/* Odd inputs that must give an error, never a crash. */
static void test_odd_inputs(void)
{
    struct pcs_error err;
    CHECK(parse("", NULL, &err) == NULL);
    CHECK_CONTAINS(err.message, "inline.json: the file is empty");
    CHECK(parse(" \n\t ", NULL, &err) == NULL);
    CHECK_CONTAINS(err.message, "inline.json: the file is empty");
    CHECK(parse("null", NULL, &err) == NULL);
    CHECK_CONTAINS(err.message, "inline.json: expected a JSON object");
    CHECK(parse("{\"schema\": 1}", NULL, &err) == NULL);
    CHECK_CONTAINS(err.message, "inline.json: schema: expected \"pcsim.scenario.v1\"");
    CHECK(pcs_scenario_parse("{}", 2, NULL, NULL, catalog, &err) == NULL); /* no name: "scenario" */
    CHECK_CONTAINS(err.message, "scenario: schema: expected");
    CHECK(err.status == PCS_ERR_FORMAT); /* the status comes in err: not a scenario */
    CHECK(pcs_scenario_parse("{}", 2, "x.json", NULL, catalog, NULL) == NULL); /* no err */
    pcs_scenario_set_free(NULL);

    /* A field name far longer than the path buffer is cut, not overrun. */
    char text[8192];
    char key[3001];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    snprintf(text, sizeof text, "{\"schema\": \"pcsim.scenario.v1\", \"workload\": {\"%s\": 1}}", key);
    CHECK(parse(text, NULL, &err) == NULL);
    CHECK_CONTAINS(err.message, "inline.json: ");

    /* Duplicate aliases; "$comment" everywhere. */
    CHECK(parse(minimal("", ", \"models\": {\"m\": \"gpt-5.4\"}"), NULL, &err) == NULL);
    CHECK_CONTAINS(err.message, "inline.json: models: given twice");
    const char *comments =
        "{\"schema\": \"pcsim.scenario.v1\", \"$comment\": 1, \"horizon_hours\": 1,"
        " \"models\": {\"$comment\": \"aliases\", \"m\": \"gpt-5.4\"},"
        " \"workload\": {\"$comment\": [], \"tasks_per_hour\": {\"$comment\": \"per hour\", \"dist\": \"poisson\","
        " \"mean\": 3}, \"task_types\": [{\"step_input_tokens\": 1, \"output_tokens\": 1,"
        " \"prefix\": [{\"$comment\": 0, \"id\": \"p\", \"tokens\": 5}]}]},"
        " \"failure\": {\"$comment\": {}, \"p\": {\"$comment\": \"by alias\", \"m\": 0.5}},"
        " \"strategies\": [{\"$comment\": null, \"name\": \"s\", \"route\": [{\"$comment\": 1, \"model\": \"m\"}]}]}";
    pcs_scenario_set *set = parse(comments, NULL, &err);
    CHECK(set != NULL);
    if (set) {
        const struct pcs_scenario *s = &pcs_scenario_point(set, 0)->scenario;
        CHECK_U64(s->model_count, 1);
        CHECK_DIST(s->failure.p[0], PCS_DIST_CONSTANT, 0.5, 0);
        CHECK_DIST(s->workload.tasks_per_hour, PCS_DIST_POISSON, 3, 0);
    }
    pcs_scenario_set_free(set);

    /* Huge arrays: 200000 empirical values, 3000 task types. */
    size_t size = 200000 * 4 + 4096;
    char *huge = malloc(size);
    CHECK(huge != NULL);
    if (!huge)
        return;
    size_t used = (size_t)snprintf(huge, size, ", \"gap_seconds\": {\"dist\": \"empirical\", \"values\": [");
    for (int i = 0; i < 200000; i++)
        used += (size_t)snprintf(huge + used, size - used, "%s%d", i ? "," : "", i % 10);
    snprintf(huge + used, size - used, "]}");
    char *doc = malloc(size + 4096);
    CHECK(doc != NULL);
    if (doc) {
        set = parse(minimal(huge, ""), NULL, &err);
        CHECK(set != NULL);
        if (set)
            CHECK_U64(pcs_scenario_point(set, 0)->scenario.workload.task_types[0].gap_seconds.count, 200000);
        pcs_scenario_set_free(set);
        used = (size_t)snprintf(doc, size,
                                "{\"schema\": \"pcsim.scenario.v1\", \"horizon_hours\": 1, "
                                "\"models\": {\"m\": \"gpt-5.4\"}, \"workload\": {\"tasks_per_hour\": 1, "
                                "\"task_types\": [");
        for (int i = 0; i < 3000; i++)
            used += (size_t)snprintf(doc + used, size - used,
                                     "%s{\"name\": \"t%d\", \"step_input_tokens\": 1, \"output_tokens\": %s}",
                                     i ? "," : "", i, i == 2999 ? "-1" : "1");
        snprintf(doc + used, size - used, "]}, \"strategies\": [{\"name\": \"s\", \"route\": [{\"model\": \"m\"}]}]}");
        set = parse(doc, NULL, &err);
        CHECK(set == NULL);
        CHECK_CONTAINS(err.message, "inline.json: workload.task_types[2999].output_tokens: expected a whole number");
        free(doc);
    }
    free(huge);
}

/* Every prefix of a good file and many one-byte changes load or fail with a
 * message; nothing crashes or leaks (run under ASan). */
static void test_damaged_inputs(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/issue_example.json", data_dir);
    FILE *file = fopen(path, "rb");
    CHECK(file != NULL);
    if (!file)
        return;
    static char text[8192];
    size_t size = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[size] = '\0';
    static char copy[8192];
    int failures_with_message = 0;
    int failures = 0;
    for (size_t len = 0; len < size; len++) {
        struct pcs_error err;
        memcpy(copy, text, len);
        copy[len] = '\0';
        err.message[0] = '\0';
        pcs_scenario_set *set = pcs_scenario_parse(copy, len, "cut.json", NULL, catalog, &err);
        failures += set == NULL;
        failures_with_message += set == NULL && strncmp(err.message, "cut.json", 8) == 0;
        pcs_scenario_set_free(set);
    }
    /* Cutting the last newline still leaves a whole document. */
    CHECK_U64(failures, size - 1);
    CHECK_U64(failures_with_message, failures);
    static const char replacements[] = "0-9.e\"[]{},: xa";
    uint64_t state = 12345;
    failures = failures_with_message = 0;
    for (int round = 0; round < 3000; round++) {
        struct pcs_error err;
        memcpy(copy, text, size + 1);
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        size_t at = (size_t)(state >> 33) % size;
        copy[at] = replacements[(state >> 13) % (sizeof replacements - 1)];
        err.message[0] = '\0';
        pcs_scenario_set *set = pcs_scenario_parse(copy, size, "changed.json", NULL, catalog, &err);
        failures += set == NULL;
        failures_with_message += set == NULL && strncmp(err.message, "changed.json", 12) == 0;
        pcs_scenario_set_free(set);
    }
    CHECK_U64(failures_with_message, failures);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_scenario TESTS_DATA_DIR\n");
        return 2;
    }
    data_dir = argv[1];
    struct pcs_error err;
    catalog = pcs_catalog_load_builtin(&err);
    if (!catalog) {
        fprintf(stderr, "cannot load the built-in catalog: %s\n", err.message);
        return 1;
    }
    test_issue_example();
    test_defaults();
    test_all_dists();
    test_sweep_strings();
    test_empirical_trace();
    test_trace_workload();
    test_cache_object();
    test_latency();
    test_bad_files();
    test_odd_inputs();
    test_damaged_inputs();
    pcs_catalog_free(catalog);
    free(minimal_text);
    return check_summary();
}
