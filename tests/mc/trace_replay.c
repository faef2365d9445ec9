/* A trace workload is `pcsim replay` of its trace (DESIGN §10): with every
 * failure probability 0, time_scale 1 and no batch wait, one trial of a
 * scenario whose only strategy runs each request on its own model ("trace")
 * sends the same requests to the same caches, so its input, cache-read and
 * cache-write tokens equal the replay's token for token and its spend the
 * replay's cost (to 1e-9 relative: a replay prices its sums per model and
 * tier, a trial each request). Every cache preset a scenario takes (all but
 * lru), on the shipped traces, the request logs and tests/data's native
 * traces, and on edge cases written here: requests at equal times (in one
 * file and across two), several files, a Claude-Code session with
 * subagents; and on ../shared/data's Claude-Code sessions, Mooncake and
 * Azure traces when they are there.
 *
 * Usage: test_trace_replay SOURCE_DIR [SHARED_DATA_DIR]; exits 77 (skipped)
 * only when SHARED_DATA_DIR is given and absent. */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../unit/check.h"
#include "pcsim/input.h"
#include "pcsim/mc.h"
#include "pcsim/replay.h"
#include "pcsim/scenario.h"

/* 2026-11-23T12:00:00Z, the pinned price date (tests/pinned.env). */
#define PRICE_TIME_S 1795435200.0

static pcs_catalog *catalog;
static char work_dir[256];

struct trace_case {
    const char *what;
    const char *paths[4]; /* NULL-terminated */
    const char *model;    /* for formats without one (NULL: "default") */
};

/* The replay's tokens and dollars of case c under preset. */
static int replay(const struct trace_case *c, size_t path_count, const char *preset, struct pcs_usage *usage,
                  double *cost)
{
    struct pcs_error err = {0};
    pcs_inputs *inputs = pcs_inputs_open(c->paths, path_count, &err);
    if (!inputs) {
        fprintf(stderr, "%s: %s\n", c->what, err.message);
        return -1;
    }
    struct pcs_replay_cost_config pricing = {catalog, PRICE_TIME_S, -1, 1.0, NULL, 0};
    struct pcs_replay_job job;
    memset(&job, 0, sizeof job);
    job.inputs = inputs;
    job.trace = pcs_trace_config_default();
    if (c->model)
        job.trace.default_model = c->model;
    job.preset = preset;
    job.catalog = catalog;
    job.pricing = &pricing;
    job.threads = 1;
    struct pcs_replay_outcome outcome;
    enum pcs_status status = pcs_replay_run(&job, &outcome, &err);
    if (status == PCS_OK) {
        *usage = outcome.result.total;
        *cost = outcome.cost.with_cache.total;
    } else {
        fprintf(stderr, "%s: replay %s: %s\n", c->what, preset, err.message);
    }
    pcs_replay_outcome_free(&outcome);
    pcs_inputs_free(inputs);
    return status == PCS_OK ? 0 : -1;
}

/* One trial of the trace workload of case c under preset. */
static int trial(const struct trace_case *c, size_t path_count, const char *preset, struct pcs_trial_outcome *out)
{
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text,
                                   "{\"schema\": \"pcsim.scenario.v1\", \"name\": \"replay\", \"seed\": 3, "
                                   "\"trials\": 1, \"batch_window_hours\": 0, \"models\": {\"m\": \"gpt-4.1\"}, "
                                   "\"workload\": {\"model\": \"%s\", \"trace\": [",
                                   c->model ? c->model : "default");
    for (size_t i = 0; i < path_count; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "%s\"%s\"", i ? ", " : "", c->paths[i]);
    snprintf(text + used, sizeof text - used,
             "]}, \"strategies\": [{\"name\": \"as-is\", \"route\": [{\"model\": \"trace\", \"attempts\": 1}], "
             "\"cache\": \"%s\"}]}",
             preset);
    struct pcs_error err = {0};
    pcs_scenario_set *set = pcs_scenario_parse(text, strlen(text), c->what, NULL, catalog, &err);
    if (!set) {
        fprintf(stderr, "%s: scenario with %s: %s\n", c->what, preset, err.message);
        return -1;
    }
    struct pcs_run_config config = pcs_run_config_default();
    config.price_time_s = PRICE_TIME_S;
    struct pcs_run_result result;
    enum pcs_status status = pcs_run(&pcs_scenario_point(set, 0)->scenario, &config, &result, &err);
    if (status == PCS_OK) {
        *out = result.strategies[0].trials[0];
        pcs_run_result_free(&result);
    } else {
        fprintf(stderr, "%s: run with %s: %s\n", c->what, preset, err.message);
    }
    pcs_scenario_set_free(set);
    return status == PCS_OK ? 0 : -1;
}

static void check_case(const struct trace_case *c)
{
    size_t path_count = 0;
    while (path_count < 4 && c->paths[path_count])
        path_count++;
    for (unsigned p = 0; pcs_cache_preset_name(p); p++) {
        const char *preset = pcs_cache_preset_name(p);
        if (strcmp(preset, "lru") == 0)
            continue; /* a scenario cannot give it a capacity */
        struct pcs_usage usage;
        double cost = 0;
        struct pcs_trial_outcome outcome;
        if (replay(c, path_count, preset, &usage, &cost) != 0 || trial(c, path_count, preset, &outcome) != 0) {
            check_failed++;
            continue;
        }
        int same = outcome.requests == usage.requests && outcome.input_tokens == usage.input &&
                   outcome.cache_read_tokens == usage.cache_read && outcome.cache_write_tokens == usage.cache_write &&
                   fabs(outcome.spend - cost) <= 1e-9 * fabs(cost) && outcome.failed_requests == 0;
        if (same) {
            check_passed++;
            continue;
        }
        check_failed++;
        fprintf(stderr,
                "%s, %s: the trial sent %" PRIu64 " requests, %" PRIu64 " input, %" PRIu64 " read, %" PRIu64
                " written, $%.12g; replay: %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", $%.12g\n",
                c->what, preset, outcome.requests, outcome.input_tokens, outcome.cache_read_tokens,
                outcome.cache_write_tokens, outcome.spend, usage.requests, usage.input, usage.cache_read,
                usage.cache_write, cost);
    }
}

/* Writes text to work_dir/name; the path in path[0..cap). */
static const char *write_file(const char *name, const char *text, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", work_dir, name);
    FILE *file = fopen(path, "w");
    if (!file || fputs(text, file) < 0 || fclose(file) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    return path;
}

/* Requests at equal times sharing prefixes (in one file and across two),
 * a hot prefix that expires and comes back, a task with attempts. */
static void check_edge_cases(void)
{
    static const char equal_times[] =
        "{\"t\": 0, \"model\": \"claude-sonnet-4-5\", \"output_tokens\": 10, \"segments\": "
        "[{\"id\": \"sys\", \"tokens\": 2000, \"cache\": \"5m\"}, {\"id\": \"a\", \"tokens\": 50}]}\n"
        "{\"t\": 0, \"model\": \"claude-sonnet-4-5\", \"output_tokens\": 10, \"segments\": "
        "[{\"id\": \"sys\", \"tokens\": 2000, \"cache\": \"5m\"}, {\"id\": \"b\", \"tokens\": 60}]}\n"
        "{\"t\": 0, \"model\": \"gpt-5.4\", \"input_tokens\": 3000, \"output_tokens\": 7, "
        "\"hash_ids\": [1, 2, 3], \"block_tokens\": 1024, \"tier\": \"batch\"}\n"
        "{\"t\": 200, \"model\": \"claude-sonnet-4-5\", \"output_tokens\": 10, \"segments\": "
        "[{\"id\": \"sys\", \"tokens\": 2000, \"cache\": \"5m\"}, {\"id\": \"a\", \"tokens\": 50}, "
        "{\"id\": \"a2\", \"tokens\": 1500, \"cache\": \"1h\"}], \"task\": \"t1\", \"attempt\": 1, \"ok\": false}\n"
        "{\"t\": 200, \"model\": \"claude-sonnet-4-5\", \"output_tokens\": 10, \"segments\": "
        "[{\"id\": \"sys\", \"tokens\": 2000, \"cache\": \"5m\"}, {\"id\": \"a\", \"tokens\": 50}, "
        "{\"id\": \"a2\", \"tokens\": 1500, \"cache\": \"1h\"}], \"task\": \"t1\", \"attempt\": 2}\n"
        "{\"t\": 900, \"model\": \"gpt-5.4\", \"input_tokens\": 3100, \"output_tokens\": 7, "
        "\"hash_ids\": [1, 2, 3, 4], \"block_tokens\": 1024, \"tier\": \"flex\"}\n"
        "{\"t\": 900, \"model\": \"claude-sonnet-4-5\", \"output_tokens\": 10, \"segments\": "
        "[{\"id\": \"sys\", \"tokens\": 2000, \"cache\": \"5m\"}, {\"id\": \"c\", \"tokens\": 70}]}\n";
    static const char other_file[] =
        "{\"t\": 0, \"model\": \"claude-sonnet-4-5\", \"output_tokens\": 3, \"segments\": "
        "[{\"id\": \"sys\", \"tokens\": 2000, \"cache\": \"5m\"}, {\"id\": \"z\", \"tokens\": 5}]}\n"
        "{\"t\": 200, \"model\": \"gpt-5.4\", \"input_tokens\": 3000, \"output_tokens\": 7, "
        "\"hash_ids\": [1, 2, 3], \"block_tokens\": 1024}\n"
        "{\"t\": 1100.5, \"model\": \"claude-sonnet-4-5\", \"output_tokens\": 3, \"segments\": "
        "[{\"id\": \"sys\", \"tokens\": 2000, \"cache\": \"5m\"}, {\"id\": \"z\", \"tokens\": 5}]}\n";
    char one[512], two[512];
    write_file("equal_times.jsonl", equal_times, one, sizeof one);
    write_file("other.jsonl", other_file, two, sizeof two);
    struct trace_case equal = {"equal times", {one, NULL}, NULL};
    check_case(&equal);
    struct trace_case both = {"equal times across two files", {one, two, NULL}, NULL};
    check_case(&both);
    struct trace_case reversed = {"the same two files the other way round", {two, one, NULL}, NULL};
    check_case(&reversed);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SOURCE_DIR [SHARED_DATA_DIR]\n", argv[0]);
        return 2;
    }
    struct stat info;
    if (argc > 2 && stat(argv[2], &info) != 0) {
        printf("skipped: %s is absent\n", argv[2]);
        return 77;
    }
    if (chdir(argv[1]) != 0) {
        fprintf(stderr, "cannot enter %s\n", argv[1]);
        return 2;
    }
    struct pcs_error err = {0};
    catalog = pcs_catalog_load_builtin(&err);
    if (!catalog) {
        fprintf(stderr, "catalog: %s\n", err.message);
        return 1;
    }
    if (argc > 2) {
        char claude[1024], mooncake[1024], azure[1024];
        snprintf(claude, sizeof claude, "%s/claude-code", argv[2]);
        snprintf(mooncake, sizeof mooncake, "%s/mooncake_synthetic_trace.jsonl", argv[2]);
        snprintf(azure, sizeof azure, "%s/AzureLLMInferenceTrace_code_2023.csv", argv[2]);
        const struct trace_case shared[] = {
            {"the Claude-Code sessions (a directory)", {claude, NULL}, NULL},
            {"Mooncake", {mooncake, NULL}, "kimi-k2.5"},
            {"Azure", {azure, NULL}, "gpt-4.1"},
        };
        for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
            if (stat(shared[i].paths[0], &info) == 0)
                check_case(&shared[i]);
    } else {
        const struct trace_case shipped[] = {
            {"two Claude-Code sessions, one with subagents",
             {"scenarios/traces/claude-code/trace_0126.json", "scenarios/traces/claude-code/trace_0276.json", NULL},
             NULL},
            {"Mooncake", {"scenarios/traces/mooncake_synthetic_trace.jsonl", NULL}, "kimi-k2.5"},
            {"request logs of two providers",
             {"scenarios/logs/openai-chat.jsonl", "scenarios/logs/anthropic-chat.jsonl", NULL},
             NULL},
            {"a Claude Code projects directory", {"tests/data/claude_code_log/project", NULL}, NULL},
            {"a LiteLLM log", {"tests/data/logs/litellm.jsonl", NULL}, NULL},
            {"native segments with 5m/1h markers", {"tests/data/native_segments.jsonl", NULL}, NULL},
            {"native blocks with sessions and a flex request", {"tests/data/native_blocks.jsonl", NULL}, NULL},
            {"Azure CSV", {"tests/data/azure_tiny.csv", NULL}, "gpt-4.1"},
        };
        for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++)
            check_case(&shipped[i]);
        snprintf(work_dir, sizeof work_dir, "/tmp/pcsim_trace_replay_XXXXXX");
        if (!mkdtemp(work_dir)) {
            fprintf(stderr, "cannot make a temporary directory\n");
            return 1;
        }
        check_edge_cases();
        char path[512];
        unlink(write_file("equal_times.jsonl", "", path, sizeof path));
        unlink(write_file("other.jsonl", "", path, sizeof path));
        rmdir(work_dir);
    }
    pcs_catalog_free(catalog);
    return check_summary();
}
