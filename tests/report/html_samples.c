/* HTML reports from inputs built by hand: writes replay.html,
 * replay_unpriced.html, sweep_ttl.html, sweep_capacity.html, run.html,
 * run_partial.html, run_twins.html and three edge_*.html of degenerate inputs into the
 * directory given as argv[1], for check_html.py
 * (and for people: tools/render-png). Along the way it checks that each
 * report is byte-identical when written twice and that a failed write
 * gives PCS_ERR_IO.
 *
 * Values check_html.py looks for: the TTL sweep's ideal cache reads 78.50%
 * of its input; strategy "mini-only" at the first run point costs exactly
 * $0.05 per completed task on average. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/check.h"
#include "pcsim/report.h"

#define TRIALS 40
#define STRATEGIES 3
#define RUN_POINTS 2
#define TTL_POINTS 20
#define CAPACITY_POINTS 12
#define MODELS 3

/* A small deterministic generator: uniform in [0, 1). */
static double uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*state >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------------------- the models */

static const struct pcs_provider providers[MODELS] = {
    {.id = "anthropic", .name = "Anthropic", .region_uplift = 1},
    {.id = "openai", .name = "OpenAI", .region_uplift = 1},
    {.id = "deepseek", .name = "DeepSeek", .region_uplift = 1},
};

static const struct pcs_model catalog_models[MODELS] = {
    {.id = "claude-sonnet-4-5", .name = "Claude Sonnet 4.5", .provider = &providers[0], .cache_preset = "anthropic-5m"},
    {.id = "gpt-5-mini", .name = "GPT-5 mini", .provider = &providers[1], .cache_preset = "openai"},
    {.id = "deepseek-chat", .name = "DeepSeek Chat", .provider = &providers[2], .cache_preset = "deepseek"},
};

/* USD per million tokens: input, output (reads 0.1x input, writes 1.25x, 1-hour writes 2x). */
static const double input_price[MODELS] = {3, 0.25, 0.56};
static const double output_price[MODELS] = {15, 2, 1.68};

static struct pcs_cost price(size_t model, const struct pcs_usage *usage)
{
    double per_token = input_price[model] / 1e6;
    struct pcs_cost cost = {0};
    cost.uncached = (double)pcs_usage_uncached(usage) * per_token;
    cost.cache_read = (double)usage->cache_read * per_token * 0.1;
    cost.cache_write = (double)(usage->cache_write - usage->cache_write_1h) * per_token * 1.25;
    cost.cache_write_1h = (double)usage->cache_write_1h * per_token * 2;
    cost.output = (double)usage->output * output_price[model] / 1e6;
    cost.total = cost.uncached + cost.cache_read + cost.cache_write + cost.cache_write_1h + cost.output;
    return cost;
}

/* A trace naming the three models (the reports take model names from it). */
static pcs_trace *model_trace(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    for (size_t m = 0; m < MODELS; m++)
        fprintf(f,
                "{\"t\": %zu, \"model\": \"%s\", \"input_tokens\": 10, \"output_tokens\": 1, \"hash_ids\": [1], "
                "\"block_tokens\": 10}\n",
                m, catalog_models[m].id);
    if (fclose(f) != 0)
        return NULL;
    struct pcs_trace_config config = pcs_trace_config_default();
    struct pcs_error err = {0};
    const char *paths[] = {path};
    pcs_trace *trace = pcs_trace_open(paths, 1, &config, &err);
    struct pcs_request req;
    while (trace && pcs_trace_next(trace, &req, &err) == PCS_OK)
        continue;
    return trace;
}

/* ---------------------------------------------------------------- replay */

/* One model's usage in one 10-minute bucket: the cached ratio climbs as the
 * cache warms, differently per model; bucket 17 has no requests. */
static struct pcs_usage bucket_usage(size_t bucket, size_t model, uint64_t *state)
{
    struct pcs_usage usage = {0};
    if (bucket == 17)
        return usage;
    double warm = 1 - exp(-(double)bucket / (8.0 + 6.0 * (double)model));
    double ratio = (0.2 + 0.6 * warm - 0.1 * (double)model) * (0.9 + 0.2 * uniform(state));
    usage.requests = 20 + (bucket * 7 + model * 13) % 15;
    usage.input = usage.requests * (9000 + 2500 * model);
    usage.cache_read = (uint64_t)((double)usage.input * ratio);
    usage.cache_write = (usage.input - usage.cache_read) * 6 / 10;
    usage.cache_write_1h = model == 0 ? usage.cache_write / 4 : 0;
    usage.output = usage.requests * (300 + 100 * model);
    return usage;
}

struct replay_sample {
    struct pcs_timeline timeline;
    struct pcs_usage by_model[MODELS];
    struct pcs_replay_result result;
    struct pcs_model_cost model_costs[MODELS];
    struct pcs_replay_cost cost;
    struct pcs_cache_config configs[MODELS];
};

static void build_replay(struct replay_sample *sample)
{
    uint64_t state = 7;
    memset(sample, 0, sizeof *sample);
    pcs_timeline_init(&sample->timeline);
    sample->timeline.started = 1;
    sample->timeline.start_ms = 1767225600000;
    sample->timeline.bucket_ms = 600000;
    sample->timeline.count = 50;
    for (size_t b = 0; b < 50; b++) {
        for (size_t m = 0; m < MODELS; m++) {
            struct pcs_usage usage = bucket_usage(b, m, &state);
            pcs_usage_add(&sample->timeline.buckets[b], &usage);
            pcs_usage_add(&sample->by_model[m], &usage);
            pcs_usage_add(&sample->result.total, &usage);
        }
    }
    sample->result.by_model = sample->by_model;
    sample->result.model_count = MODELS;
    sample->result.bounds = 48213;
    for (size_t m = 0; m < MODELS; m++) {
        struct pcs_model_cost *cost = &sample->model_costs[m];
        const struct pcs_usage *usage = &sample->by_model[m];
        cost->priced_as = &catalog_models[m];
        cost->with_cache = price(m, usage);
        cost->without_cache = (double)usage->input * input_price[m] / 1e6 + cost->with_cache.output;
        cost->ideal = 0.8 * cost->with_cache.total;
        sample->cost.with_cache.uncached += cost->with_cache.uncached;
        sample->cost.with_cache.cache_read += cost->with_cache.cache_read;
        sample->cost.with_cache.cache_write += cost->with_cache.cache_write;
        sample->cost.with_cache.cache_write_1h += cost->with_cache.cache_write_1h;
        sample->cost.with_cache.output += cost->with_cache.output;
        sample->cost.with_cache.total += cost->with_cache.total;
        sample->cost.without_cache += cost->without_cache;
        sample->cost.ideal += cost->ideal;
        pcs_model_cache_config(catalog_models[m].cache_preset, &catalog_models[m], &sample->configs[m]);
    }
    sample->cost.model_count = MODELS;
    sample->cost.by_model = sample->model_costs;
    sample->cost.priced_requests = sample->result.total.requests;
    sample->cost.tasks = (struct pcs_task_stats){.tasks = 120,
                                                 .completed = 111,
                                                 .requests = 402,
                                                 .spend = 0.8 * sample->cost.with_cache.total,
                                                 .failed_spend = 0.05 * sample->cost.with_cache.total};
}

static const char *const replay_paths[] = {"traces/day-1 & <night>.jsonl", "traces/day-2.jsonl"};

static struct pcs_replay_report replay_report(const struct replay_sample *sample, const pcs_trace *trace)
{
    struct pcs_replay_report report = {
        .paths = replay_paths,
        .path_count = 2,
        .preset = "auto",
        .config = pcs_cache_config_default(),
        .trace = trace,
        .result = &sample->result,
        .model_configs = sample->configs,
        .cost = &sample->cost,
        .catalog_source = "@pydantic/genai-prices 0.1.8 (sample)",
        .price_time_s = 1767225600,
        .tier_override = -1,
        .region_uplift = 1,
    };
    return report;
}

/* ----------------------------------------------------------------- sweeps */

struct sweep_sample {
    struct pcs_sweep_point points[TTL_POINTS];
    struct pcs_usage by_model[TTL_POINTS];
    struct pcs_sweep_result result;
};

static struct pcs_usage sweep_usage(double ratio)
{
    struct pcs_usage usage = {.requests = 5000, .input = 40000000, .output = 2000000};
    usage.cache_read = (uint64_t)(40000000.0 * ratio);
    usage.cache_write = (usage.input - usage.cache_read) * 7 / 10;
    return usage;
}

static void fill_point(struct sweep_sample *sample, size_t slot, double ratio, int priced)
{
    struct pcs_sweep_point *point = &sample->points[slot];
    point->total = sweep_usage(ratio);
    sample->by_model[slot] = point->total;
    point->by_model = &sample->by_model[slot];
    point->priced = priced;
    if (priced)
        point->cost = price(0, &point->total);
}

/* TTLs from 10 s to 7 days, asked in a shuffled order; the ideal reads 78.50%. */
static void build_ttl_sweep(struct sweep_sample *sample)
{
    memset(sample, 0, sizeof *sample);
    for (size_t i = 0; i < TTL_POINTS; i++) {
        size_t slot = (i * 7) % TTL_POINTS;
        double ttl_s = 10 * pow(60480.0, (double)i / (TTL_POINTS - 1));
        sample->points[slot].ttl_ms = (int64_t)llround(ttl_s * 1000);
        fill_point(sample, slot, 0.785 * (1 - exp(-sqrt(ttl_s / 900))), 1);
    }
    struct pcs_sweep_result *result = &sample->result;
    result->base = pcs_cache_config_default();
    result->base.policy = PCS_POLICY_OPENAI;
    result->base.min_tokens = 1024;
    result->base.granularity = 128;
    result->point_count = TTL_POINTS;
    result->points = sample->points;
    result->model_count = 1;
    result->ideal = sweep_usage(0.785);
    result->priced = 1;
    result->ideal_cost = price(0, &result->ideal).total;
    result->without_cache_cost = 40000000.0 * 3 / 1e6 + 2000000.0 * 15 / 1e6;
    result->bounds = 91234;
}

/* Capacities from 100k to 1B tokens, not priced. */
static void build_capacity_sweep(struct sweep_sample *sample)
{
    memset(sample, 0, sizeof *sample);
    for (size_t i = 0; i < CAPACITY_POINTS; i++) {
        double capacity = 1e5 * pow(1e4, (double)i / (CAPACITY_POINTS - 1));
        sample->points[i].capacity_tokens = (uint64_t)llround(capacity);
        fill_point(sample, i, 0.62 / (1 + exp(-2.2 * (log10(capacity) - 6.5))), 0);
    }
    struct pcs_sweep_result *result = &sample->result;
    result->base = pcs_cache_config_default();
    result->base.policy = PCS_POLICY_LRU;
    result->base.capacity_tokens = 1000000;
    result->point_count = CAPACITY_POINTS;
    result->points = sample->points;
    result->model_count = 1;
    result->ideal = sweep_usage(0.62);
    result->bounds = 91234;
}

/* -------------------------------------------------------------------- run */

struct run_sample {
    struct pcs_scenario scenario;
    struct pcs_trial_outcome trials[RUN_POINTS][STRATEGIES][TRIALS];
    struct pcs_strategy_outcomes outcomes[RUN_POINTS][STRATEGIES];
    struct pcs_run_result results[RUN_POINTS];
    struct pcs_run_point_report points[RUN_POINTS];
};

static void build_scenario(struct pcs_scenario *scenario)
{
    memset(scenario, 0, sizeof *scenario);
    scenario->name = "coding agent";
    scenario->seed = 42;
    scenario->trials = TRIALS;
    scenario->horizon_hours = 8;
    scenario->model_count = 2;
    scenario->models[0] =
        (struct pcs_scenario_model){.alias = "mini", .name = "gpt-5-mini", .model = &catalog_models[1]};
    scenario->models[1] =
        (struct pcs_scenario_model){.alias = "sonnet", .name = "claude-sonnet-4-5", .model = &catalog_models[0]};
    scenario->strategy_count = STRATEGIES;
    scenario->strategies[0] = (struct pcs_strategy){.name = "mini-only", .route_count = 1, .route = {{0, 3}}};
    scenario->strategies[1] = (struct pcs_strategy){.name = "sonnet-only", .route_count = 1, .route = {{1, 2}}};
    scenario->strategies[2] =
        (struct pcs_strategy){.name = "mini, then sonnet", .route_count = 2, .route = {{0, 2}, {1, 1}}};
    for (size_t s = 0; s < STRATEGIES; s++) {
        scenario->strategies[s].cache = "auto";
        scenario->strategies[s].tier = PCS_TIER_STANDARD;
    }
}

/* Trial t of strategy s at point p. Strategy 0 at point 0 costs exactly
 * 0.05 + 0.0001 (t - 19.5) per completed task: a mean of $0.05. */
static struct pcs_trial_outcome trial(size_t p, size_t s, size_t t, uint64_t *state)
{
    static const double base_cost[STRATEGIES] = {0.05, 0.11, 0.068};
    struct pcs_trial_outcome outcome = {0};
    double scale = p == 0 ? 1 : 0.82;
    outcome.tasks = 40 + (uint64_t)(30 * uniform(state)) + 10 * p;
    outcome.completed = outcome.tasks - (uint64_t)((s == 0 ? 6 : 2) * uniform(state));
    double per_task =
        p == 0 && s == 0 ? 0.05 + 0.0001 * ((double)t - 19.5) : base_cost[s] * scale * (0.85 + 0.3 * uniform(state));
    outcome.spend = per_task * (double)outcome.completed;
    outcome.requests = outcome.tasks * (5 + s);
    outcome.failed_requests = outcome.requests / (s == 0 ? 9 : 30);
    outcome.escalated = s == 2 ? outcome.tasks / 7 : 0;
    outcome.input_tokens = outcome.requests * 12000;
    outcome.cache_read_tokens = (uint64_t)((double)outcome.input_tokens * (0.55 + 0.1 * (double)s));
    outcome.cache_write_tokens = outcome.input_tokens / 10;
    return outcome;
}

static int build_run(struct run_sample *sample)
{
    static const char *const labels[RUN_POINTS] = {"workload.tasks_per_hour.median=60",
                                                   "workload.tasks_per_hour.median=600"};
    static const struct pcs_sweep_setting settings[RUN_POINTS] = {{"workload.tasks_per_hour.median", "60", 60},
                                                                  {"workload.tasks_per_hour.median", "600", 600}};
    uint64_t state = 11;
    build_scenario(&sample->scenario);
    for (size_t p = 0; p < RUN_POINTS; p++) {
        for (size_t s = 0; s < STRATEGIES; s++) {
            struct pcs_strategy_outcomes *outcomes = &sample->outcomes[p][s];
            if (pcs_sketch_init(&outcomes->task_costs, PCS_RUN_TASK_COST_ACCURACY, NULL) != PCS_OK)
                return -1;
            outcomes->trials = sample->trials[p][s];
            for (size_t t = 0; t < TRIALS; t++) {
                outcomes->trials[t] = trial(p, s, t, &state);
                double mean = outcomes->trials[t].spend / (double)outcomes->trials[t].tasks;
                for (uint64_t k = 0; k < outcomes->trials[t].tasks; k++)
                    if (pcs_sketch_add(&outcomes->task_costs, mean * (0.3 + 1.4 * uniform(&state))) != PCS_OK)
                        return -1;
            }
        }
        sample->results[p] = (struct pcs_run_result){.trial_count = TRIALS,
                                                     .strategy_count = STRATEGIES,
                                                     .strategies = sample->outcomes[p],
                                                     .simulated_requests = 123456};
        sample->points[p] =
            (struct pcs_run_point_report){labels[p], &sample->scenario, &sample->results[p], 1, &settings[p]};
    }
    return 0;
}

static void free_run(struct run_sample *sample)
{
    for (size_t p = 0; p < RUN_POINTS; p++)
        for (size_t s = 0; s < STRATEGIES; s++)
            pcs_sketch_free(&sample->outcomes[p][s].task_costs);
}

static struct pcs_run_report run_report(const struct run_sample *sample, size_t point_count, int partial)
{
    struct pcs_run_report report = {
        .path = "scenarios/coding agent.json",
        .name = sample->scenario.name,
        .seed = 42,
        .catalog_source = "@pydantic/genai-prices 0.1.8 (sample)",
        .price_time_s = 1767225600,
        .region_uplift = 1,
        .point_count = point_count,
        .points = sample->points,
        .partial = partial,
    };
    return report;
}

/* ---------------------------------------------------------------- writing */

enum report_kind { REPLAY, SWEEP, RUN };

struct report_input {
    enum report_kind kind;
    const struct pcs_replay_report *replay;
    const struct pcs_timeline *timeline;
    const struct pcs_sweep_report *sweep;
    const struct pcs_run_report *run;
};

static enum pcs_status write_report(FILE *out, const struct report_input *input)
{
    switch (input->kind) {
    case REPLAY: return pcs_report_replay_html(out, input->replay, input->timeline);
    case SWEEP: return pcs_report_sweep_html(out, input->sweep);
    case RUN: return pcs_report_run_html(out, input->run);
    }
    return PCS_ERR_ARG;
}

/* The report in memory, or NULL. */
static char *render(const struct report_input *input, size_t *size)
{
    char *text = NULL;
    FILE *memory = open_memstream(&text, size);
    if (!memory)
        return NULL;
    enum pcs_status status = write_report(memory, input);
    if (fclose(memory) != 0 || status != PCS_OK) {
        free(text);
        return NULL;
    }
    return text;
}

/* Writes dir/name; checks the report is the same twice over and that a
 * stream that cannot be written gives PCS_ERR_IO. */
static void emit(const char *dir, const char *name, const struct report_input *input)
{
    size_t size_a = 0, size_b = 0;
    char *a = render(input, &size_a), *b = render(input, &size_b);
    CHECK(a && b);
    CHECK(a && b && size_a == size_b && memcmp(a, b, size_a) == 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f && a) {
        CHECK(fwrite(a, 1, size_a, f) == size_a);
        CHECK(fclose(f) == 0);
    } else if (f) {
        fclose(f);
    }
    FILE *read_only = fopen(path, "r");
    if (read_only) {
        CHECK(write_report(read_only, input) == PCS_ERR_IO);
        fclose(read_only);
    }
    free(a);
    free(b);
}

/* A reconciliation of the replay sample: each model's usage simulated, and
 * observed with a tenth fewer reads and a few more writes; two requests
 * that disagree, one of them at a place that needs escaping. */
struct reconcile_sample {
    struct pcs_reconcile_sums by_model[MODELS];
    struct pcs_reconcile_request worst[2];
    struct pcs_reconciliation reconciliation;
};

static void build_reconciliation(const struct replay_sample *replay, struct reconcile_sample *sample)
{
    static char place_a[] = "traces/day-1 & <night>.jsonl:12", place_b[] = "traces/day-2.jsonl:7";
    memset(sample, 0, sizeof *sample);
    struct pcs_reconciliation *r = &sample->reconciliation;
    for (size_t m = 0; m < MODELS; m++) {
        struct pcs_reconcile_sums *sums = &sample->by_model[m];
        sums->simulated = replay->by_model[m];
        sums->observed = replay->by_model[m];
        sums->observed.cache_read -= sums->observed.cache_read / 10;
        sums->observed.cache_write += sums->observed.cache_read / 20;
        sums->deviation = sums->simulated.cache_read / 10 + sums->observed.cache_read / 20;
        sums->agreeing = sums->observed.requests * 3 / 4;
        sums->priced = 1;
        sums->simulated_usd = replay->model_costs[m].with_cache.total;
        sums->observed_usd = 1.05 * sums->simulated_usd;
        pcs_usage_add(&r->total.observed, &sums->observed);
        pcs_usage_add(&r->total.simulated, &sums->simulated);
        r->total.deviation += sums->deviation;
        r->total.agreeing += sums->agreeing;
        r->total.observed_usd += sums->observed_usd;
        r->total.simulated_usd += sums->simulated_usd;
    }
    r->total.priced = 1;
    r->by_model = sample->by_model;
    r->model_count = MODELS;
    r->without_observed = 17;
    r->disagreeing = r->total.observed.requests - r->total.agreeing;
    struct pcs_usage one = {1, 4000, 0, 3000, 0, 200}, other = {1, 4000, 2900, 100, 0, 200};
    sample->worst[0] = (struct pcs_reconcile_request){place_a, 0, 1767229200000, one, other, 5800};
    sample->worst[1] = (struct pcs_reconcile_request){place_b, 1, 1767232800000, other, one, 5800};
    r->worst = sample->worst;
    r->worst_count = 2;
}

static void emit_replays(const char *dir, const pcs_trace *trace)
{
    static struct replay_sample sample;
    static struct reconcile_sample reconciled;
    build_replay(&sample);
    struct pcs_replay_report report = replay_report(&sample, trace);
    struct report_input input = {.kind = REPLAY, .replay = &report, .timeline = &sample.timeline};
    emit(dir, "replay.html", &input);
    /* The same with observed usage. */
    build_reconciliation(&sample, &reconciled);
    report.reconciliation = &reconciled.reconciliation;
    emit(dir, "replay_reconciled.html", &input);
    report.reconciliation = NULL;
    /* Unpriced, one fixed policy, no timeline. */
    report.cost = NULL;
    report.model_configs = NULL;
    report.preset = "anthropic-5m";
    pcs_cache_preset("anthropic-5m", &report.config);
    report.path_count = 1;
    input.timeline = NULL;
    emit(dir, "replay_unpriced.html", &input);
}

static void emit_sweeps(const char *dir, const pcs_trace *trace)
{
    static struct sweep_sample sample;
    build_ttl_sweep(&sample);
    struct pcs_sweep_report report = {.paths = replay_paths,
                                      .path_count = 2,
                                      .preset = "openai",
                                      .result = &sample.result,
                                      .trace = trace,
                                      .catalog_source = "@pydantic/genai-prices 0.1.8 (sample)",
                                      .price_time_s = 1767225600};
    struct report_input input = {.kind = SWEEP, .sweep = &report};
    emit(dir, "sweep_ttl.html", &input);
    build_capacity_sweep(&sample);
    report.preset = "lru";
    report.catalog_source = NULL;
    emit(dir, "sweep_capacity.html", &input);
}

static void emit_runs(const char *dir)
{
    static struct run_sample sample;
    CHECK(build_run(&sample) == 0);
    struct pcs_run_report report = run_report(&sample, RUN_POINTS, 0);
    struct report_input input = {.kind = RUN, .run = &report};
    emit(dir, "run.html", &input);
    report = run_report(&sample, 1, 1);
    emit(dir, "run_partial.html", &input);
    /* Two strategies with the same trials: one CDF drawn twice, and every
     * line's end label at 100%: they must be pushed apart, and the lines
     * tell apart. */
    memcpy(sample.trials[0][1], sample.trials[0][0], sizeof sample.trials[0][0]);
    sample.scenario.strategies[1].name = "mini-only, again";
    report = run_report(&sample, 1, 0);
    emit(dir, "run_twins.html", &input);
    free_run(&sample);
}

/* Degenerate inputs: nothing replayed, a one-point sweep, a run without
 * trials, and names that are not valid UTF-8 or need escaping. */
static void emit_edges(const char *dir, const pcs_trace *trace)
{
    static const char *const bad_paths[] = {"bad \xff\xfe name <x> & \x01.jsonl"};
    static struct pcs_usage no_usage[MODELS];
    struct pcs_replay_result nothing = {.by_model = no_usage, .model_count = MODELS};
    struct pcs_model_cost no_costs[MODELS] = {{0}};
    struct pcs_replay_cost no_cost = {.model_count = MODELS, .by_model = no_costs};
    struct pcs_timeline empty;
    pcs_timeline_init(&empty);
    struct pcs_replay_report replay = {.paths = bad_paths,
                                       .path_count = 1,
                                       .preset = "ttl\xc3",
                                       .config = pcs_cache_config_default(),
                                       .trace = trace,
                                       .result = &nothing,
                                       .cost = &no_cost,
                                       .tier_override = 2,
                                       .region_uplift = -1};
    struct report_input input = {.kind = REPLAY, .replay = &replay, .timeline = &empty};
    emit(dir, "edge_replay.html", &input);

    static struct sweep_sample sample;
    build_ttl_sweep(&sample);
    sample.result.point_count = 1;
    sample.result.priced = 0;
    struct pcs_sweep_report sweep = {.paths = bad_paths, .path_count = 1, .result = &sample.result, .trace = trace};
    input = (struct report_input){.kind = SWEEP, .sweep = &sweep};
    emit(dir, "edge_sweep.html", &input);

    static struct run_sample run;
    build_scenario(&run.scenario);
    run.scenario.strategies[0].name = "<b>&amp; \xe2\x82";
    run.scenario.strategy_count = 1;
    CHECK(pcs_sketch_init(&run.outcomes[0][0].task_costs, PCS_RUN_TASK_COST_ACCURACY, NULL) == PCS_OK);
    run.outcomes[0][0].trials = run.trials[0][0];
    run.results[0] = (struct pcs_run_result){.trial_count = 0, .strategy_count = 1, .strategies = run.outcomes[0]};
    run.points[0] = (struct pcs_run_point_report){"", &run.scenario, &run.results[0], 0, NULL};
    struct pcs_run_report report = run_report(&run, 1, 1);
    report.name = "\xc0\xaf overlong";
    input = (struct report_input){.kind = RUN, .run = &report};
    emit(dir, "edge_run.html", &input);
    pcs_sketch_free(&run.outcomes[0][0].task_costs);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: html_samples DIR\n");
        return 2;
    }
    char trace_path[4096];
    snprintf(trace_path, sizeof trace_path, "%s/models.jsonl", argv[1]);
    pcs_trace *trace = model_trace(trace_path);
    CHECK(trace != NULL);
    CHECK(trace && pcs_trace_model_count(trace) == MODELS);
    if (!trace || pcs_trace_model_count(trace) != MODELS)
        return check_summary();
    emit_replays(argv[1], trace);
    emit_sweeps(argv[1], trace);
    emit_runs(argv[1]);
    emit_edges(argv[1], trace);
    pcs_trace_free(trace);
    unlink(trace_path);
    return check_summary();
}
