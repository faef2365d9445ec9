/* libFuzzer harness for the scenario loader (pcsim/scenario.h): the input
 * is a scenario's JSON text, parsed against the built-in price catalog.
 *
 * Whatever the bytes, the loader must either fail with a message that
 * starts with the file's name or give a set of sweep points each of which
 * keeps scenario.h's promises: counts within their limits, every model
 * resolved, every route naming a model, every distribution passing
 * pcs_dist_check and drawing numbers (never NaN, counts within their
 * clamps), caches a strategy can build, tiers its models are sold at.
 *
 * Relative empirical-trace paths resolve from a directory made under /tmp
 * at start-up, holding small traces under the names the seeds use
 * (../native_blocks.jsonl, ../../native_blocks.jsonl, x.jsonl,
 * zero_output.jsonl); it is removed at exit (a crash, which ends the process
 * at once, leaves it behind). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "fuzz_check.h"
#include "mc/stream.h"
#include "pcsim/cache.h"
#include "pcsim/dist.h"
#include "pcsim/pricing.h"
#include "pcsim/scenario.h"

#define SCENARIO_NAME "fuzz-scenario.json"
#define DRAWS_PER_DIST 4

static pcs_catalog *catalog;
static gsl_rng *rng;
static char root_dir[PATH_MAX]; /* /tmp/pcsim-fuzz-scenario.XXXXXX */
static char base_dir[PATH_MAX]; /* root_dir/a/b: the scenario's directory */

/* The traces laid out around base_dir, as paths relative to root_dir. */
static const char native_trace[] =
    "{\"t\": 0.0, \"model\": \"gpt-4.1\", \"input_tokens\": 600, \"output_tokens\": 5, \"hash_ids\": [10, 11, 12], "
    "\"block_tokens\": 256, \"session\": \"a\"}\n"
    "{\"t\": 1.5, \"model\": \"gpt-4.1\", \"input_tokens\": 700, \"output_tokens\": 6, \"hash_ids\": [10, 11, 13], "
    "\"block_tokens\": 256, \"task\": \"T1\", \"attempt\": 2, \"ok\": false, \"tier\": \"flex\"}\n"
    "{\"t\": 5.0, \"model\": \"gpt-4.1\", \"input_tokens\": 1000, \"output_tokens\": 11, \"hash_ids\": [10, 11], "
    "\"block_tokens\": 512, \"session\": 7}\n";
static const char mooncake_trace[] =
    "{\"timestamp\": 0, \"input_length\": 1200, \"output_length\": 30, \"hash_ids\": [1, 2, 3]}\n"
    "{\"timestamp\": 2500, \"input_length\": 700, \"output_length\": 0, \"hash_ids\": [1, 2]}\n";
static const char zero_output_trace[] = "{\"t\": 0, \"model\": \"m\", \"input_tokens\": 100, \"output_tokens\": 3}\n"
                                        "{\"t\": 1, \"model\": \"m\", \"input_tokens\": 120, \"output_tokens\": 0}\n";

static const struct {
    const char *path;
    const char *text;
} trace_files[] = {
    {"native_blocks.jsonl", native_trace},
    {"a/native_blocks.jsonl", native_trace},
    {"a/b/x.jsonl", mooncake_trace},
    {"a/b/zero_output.jsonl", zero_output_trace},
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail_setup(const char *what)
{
    perror(what);
    abort();
}

static void join(char *out, const char *dir, const char *name)
{
    if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
        fail_setup("path too long");
}

static void remove_traces(void)
{
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof trace_files / sizeof trace_files[0]; i++) {
        join(path, root_dir, trace_files[i].path);
        unlink(path);
    }
    join(path, root_dir, "a/b");
    rmdir(path);
    join(path, root_dir, "a");
    rmdir(path);
    rmdir(root_dir);
}

static void make_traces(void)
{
    snprintf(root_dir, sizeof root_dir, "/tmp/pcsim-fuzz-scenario.XXXXXX");
    if (!mkdtemp(root_dir))
        fail_setup("mkdtemp");
    char path[PATH_MAX];
    join(path, root_dir, "a");
    if (mkdir(path, 0700) != 0)
        fail_setup(path);
    join(base_dir, root_dir, "a/b");
    if (mkdir(base_dir, 0700) != 0)
        fail_setup(base_dir);
    atexit(remove_traces);
    for (size_t i = 0; i < sizeof trace_files / sizeof trace_files[0]; i++) {
        join(path, root_dir, trace_files[i].path);
        FILE *file = fopen(path, "w");
        if (!file || fputs(trace_files[i].text, file) == EOF || fclose(file) != 0)
            fail_setup(path);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct pcs_error err;
    catalog = pcs_catalog_load_builtin(&err);
    if (!catalog) {
        fprintf(stderr, "fuzz_scenario: %s\n", err.message);
        abort();
    }
    rng = pcs_stream_new(NULL);
    if (!rng)
        fail_setup("pcs_stream_new");
    make_traces();
    return 0;
}

/* A distribution the loader accepted: it passes the check, has a mean,
 * and draws numbers (NaN would mean the check let a bad one through). */
static void check_dist(const struct pcs_dist *dist, uint64_t seed, uint64_t which, uint64_t minimum, uint64_t maximum)
{
    char why[200];
    why[0] = '\0';
    if (pcs_dist_check(dist, why, sizeof why) != 0)
        fprintf(stderr, "pcs_dist_check: %s\n", why);
    FUZZ_CHECK(pcs_dist_check(dist, why, sizeof why) == 0);
    FUZZ_CHECK(!isnan(pcs_dist_mean(dist)));
    pcs_stream_key(rng, seed, which, 0, 0);
    for (int i = 0; i < DRAWS_PER_DIST; i++) {
        double x = pcs_dist_sample(dist, rng);
        FUZZ_CHECK(!isnan(x));
        switch (dist->kind) {
        case PCS_DIST_CONSTANT: FUZZ_CHECK(x == dist->a); break;
        case PCS_DIST_UNIFORM: FUZZ_CHECK(x >= dist->a && x <= dist->b); break;
        case PCS_DIST_NORMAL:
        case PCS_DIST_LOGNORMAL:
        case PCS_DIST_GAMMA:
        case PCS_DIST_POISSON: FUZZ_CHECK(x >= 0); break;
        case PCS_DIST_BETA: FUZZ_CHECK(x >= 0 && x <= 1); break;
        case PCS_DIST_GEOMETRIC: FUZZ_CHECK(x >= 1); break;
        case PCS_DIST_EMPIRICAL: break;
        case PCS_DIST_COUNT: FUZZ_CHECK(!"a distribution kind out of range"); break;
        }
        uint64_t count = pcs_dist_sample_count(dist, rng, minimum, maximum);
        FUZZ_CHECK(count >= minimum && count <= maximum);
    }
}

static void check_workload(const struct pcs_scenario *scenario)
{
    const struct pcs_workload *workload = &scenario->workload;
    uint64_t seed = scenario->seed;
    check_dist(&workload->tasks_per_hour, seed, 1, 0, 1000000000);
    double diurnal_sum = 0;
    for (int hour = 0; hour < 24; hour++) {
        FUZZ_CHECK(isfinite(workload->diurnal[hour]) && workload->diurnal[hour] >= 0);
        diurnal_sum += workload->diurnal[hour];
    }
    FUZZ_CHECK(diurnal_sum > 0);
    FUZZ_CHECK(workload->task_type_count >= 1 && workload->task_types != NULL);
    for (size_t t = 0; t < workload->task_type_count; t++) {
        const struct pcs_task_type *type = &workload->task_types[t];
        FUZZ_CHECK(type->name != NULL);
        for (size_t u = 0; u < t; u++)
            FUZZ_CHECK(strcmp(type->name, workload->task_types[u].name) != 0);
        FUZZ_CHECK(isfinite(type->weight) && type->weight > 0);
        check_dist(&type->steps, seed, 2, 1, PCS_SCENARIO_MAX_STEPS);
        check_dist(&type->gap_seconds, seed, 3, 0, UINT32_MAX);
        check_dist(&type->step_input_tokens, seed, 4, 0, PCS_SCENARIO_MAX_TOKENS);
        check_dist(&type->output_tokens, seed, 5, 0, PCS_SCENARIO_MAX_TOKENS);
        FUZZ_CHECK(type->history == 0 || type->history == 1);
        FUZZ_CHECK(type->prefix_count <= PCS_SCENARIO_MAX_PREFIX);
        FUZZ_CHECK(type->prefix_count == 0 || type->prefix != NULL);
        for (size_t k = 0; k < type->prefix_count; k++) {
            const struct pcs_prefix_segment *segment = &type->prefix[k];
            FUZZ_CHECK(segment->id != NULL);
            for (size_t j = 0; j < k; j++)
                FUZZ_CHECK(strcmp(segment->id, type->prefix[j].id) != 0);
            FUZZ_CHECK(segment->scope == PCS_PREFIX_GLOBAL || segment->scope == PCS_PREFIX_TASK);
            FUZZ_CHECK(segment->variants >= 1);
            if (segment->scope == PCS_PREFIX_TASK)
                FUZZ_CHECK(segment->variants == 1);
            check_dist(&segment->tokens, seed, 6 + k, 0, PCS_SCENARIO_MAX_TOKENS);
        }
    }
}

static void check_strategies(const struct pcs_scenario *scenario)
{
    FUZZ_CHECK(scenario->strategy_count >= 1 && scenario->strategy_count <= PCS_SCENARIO_MAX_STRATEGIES);
    for (size_t s = 0; s < scenario->strategy_count; s++) {
        const struct pcs_strategy *strategy = &scenario->strategies[s];
        FUZZ_CHECK(strategy->name != NULL);
        for (size_t u = 0; u < s; u++)
            FUZZ_CHECK(strcmp(strategy->name, scenario->strategies[u].name) != 0);
        FUZZ_CHECK(strategy->route_count >= 1 && strategy->route_count <= PCS_SCENARIO_MAX_ROUTE);
        FUZZ_CHECK(strategy->tier <= PCS_TIER_PRIORITY);
        FUZZ_CHECK(strategy->cache != NULL);
        for (size_t r = 0; r < strategy->route_count; r++) {
            const struct pcs_route_step *step = &strategy->route[r];
            FUZZ_CHECK(step->model < scenario->model_count);
            FUZZ_CHECK(step->attempts >= 1 && step->attempts <= 100);
            const struct pcs_model *model = scenario->models[step->model].model;
            struct pcs_cache_config config;
            FUZZ_CHECK(pcs_model_cache_config(strategy->cache, model, &config) == PCS_OK);
            FUZZ_CHECK(pcs_cache_config_check(&config, NULL) == PCS_OK);
            FUZZ_CHECK(pcs_provider_tier_multiplier(model->provider, strategy->tier) > 0);
        }
    }
}

static void check_scenario(const struct pcs_scenario *scenario)
{
    FUZZ_CHECK(scenario->name != NULL);
    FUZZ_CHECK(scenario->trials >= 1 && scenario->trials <= 10000000);
    FUZZ_CHECK(isfinite(scenario->horizon_hours) && scenario->horizon_hours > 0);
    FUZZ_CHECK(scenario->model_count >= 1 && scenario->model_count <= PCS_SCENARIO_MAX_MODELS);
    for (size_t m = 0; m < scenario->model_count; m++) {
        const struct pcs_scenario_model *model = &scenario->models[m];
        FUZZ_CHECK(model->alias != NULL && model->alias[0] != '\0');
        for (size_t u = 0; u < m; u++)
            FUZZ_CHECK(strcmp(model->alias, scenario->models[u].alias) != 0);
        FUZZ_CHECK(model->name != NULL && model->model != NULL);
        FUZZ_CHECK(pcs_catalog_resolve(catalog, model->name, NULL) == model->model);
    }
    check_workload(scenario);
    const struct pcs_failure *failure = &scenario->failure;
    for (size_t m = 0; m < PCS_SCENARIO_MAX_MODELS; m++) {
        if (m >= scenario->model_count) {
            FUZZ_CHECK(failure->p[m].kind == PCS_DIST_CONSTANT && failure->p[m].a == 0);
            continue;
        }
        FUZZ_CHECK(pcs_dist_check(&failure->p[m], NULL, 0) == 0);
        if (failure->p[m].kind == PCS_DIST_CONSTANT)
            FUZZ_CHECK(failure->p[m].a >= 0 && failure->p[m].a <= 1);
        FUZZ_CHECK(!isnan(pcs_dist_sample(&failure->p[m], rng)));
    }
    FUZZ_CHECK(failure->correlation >= 0 && failure->correlation <= 1);
    FUZZ_CHECK(failure->failed_output_fraction >= 0 && failure->failed_output_fraction <= 1);
    FUZZ_CHECK(isfinite(failure->retry_delay_s) && failure->retry_delay_s >= 0);
    check_strategies(scenario);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The loader reads text[size], which must be the NUL. */
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    struct pcs_error err;
    err.message[0] = '\0';
    pcs_scenario_set *set = pcs_scenario_parse(text, size, SCENARIO_NAME, base_dir, catalog, &err);
    free(text);
    if (!set) {
        fuzz_check_error(&err, NULL);
        if (strncmp(err.message, SCENARIO_NAME, strlen(SCENARIO_NAME)) != 0)
            fprintf(stderr, "message: %s\n", err.message);
        FUZZ_CHECK(strncmp(err.message, SCENARIO_NAME, strlen(SCENARIO_NAME)) == 0);
        return 0;
    }
    size_t points = pcs_scenario_point_count(set);
    FUZZ_CHECK(points >= 1 && points <= 10000);
    FUZZ_CHECK(pcs_scenario_point(set, points) == NULL);
    for (size_t i = 0; i < points; i++) {
        const struct pcs_scenario_point *point = pcs_scenario_point(set, i);
        FUZZ_CHECK(point != NULL && point->label != NULL);
        if (points > 1)
            FUZZ_CHECK(point->label[0] != '\0');
        check_scenario(&point->scenario);
    }
    pcs_scenario_set_free(set);
    return 0;
}
