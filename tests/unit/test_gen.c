/* One trial, attempt by attempt (src/mc/gen.c, pcsim/gen.h; docs/gen.md):
 * the attempts of a scenario whose every number is a constant, checked
 * against what DESIGN §5 says they must be (mini always fails, full never:
 * each step goes mini, then full retry_delay later; a step's prompt is the
 * prefix, the earlier steps' input and output, its own input; a failed
 * attempt's output is times failed_output_fraction; a step's prompt finds
 * the previous step's whole prompt in the cache of its model); every
 * outcome of pcs_gen_trial against pcs_run's for the same trial; the native
 * lines (byte-identical twice, fields as docs/formats.md spells them,
 * aliases of one model in sessions of their own); a trace workload's
 * attempts by hand (gen/tiny_trace.jsonl) and its every outcome against
 * pcs_run's (gen/trace_escalation.json); latency (docs/scenario.md#latency):
 * send times and ttfts by hand, synthetic and trace, and that it moves no
 * other draw. argv[1] is tests/data. */
#include <stdlib.h>

#include "check.h"
#include "pcsim/gen.h"
#include "pcsim/mc.h"
#include "pcsim/scenario.h"

static pcs_catalog *catalog;

/* Every number constant: 20 tasks an hour over 2 hours, 3 steps 10 s apart,
 * a 1500-token system prefix, 100 tokens in and 40 out a step, history on.
 * mini fails every attempt, full none; a failed attempt keeps half its
 * output; a redo waits 2 s. The batch tier prices them; with
 * batch_window_hours 0 its attempts run when sent (standard timing). */
static const char by_hand[] =
    "{\"schema\": \"pcsim.scenario.v1\", \"name\": \"by hand\", \"seed\": 3, \"trials\": 1, \"horizon_hours\": 2,"
    " \"batch_window_hours\": 0,"
    " \"models\": {\"mini\": \"gpt-5.4-mini\", \"full\": \"gpt-5.4\"},"
    " \"workload\": {\"tasks_per_hour\": 20, \"task_types\": [{\"name\": \"chat\", \"steps\": 3,"
    "   \"gap_seconds\": 10, \"prefix\": [{\"id\": \"system\", \"tokens\": 1500}],"
    "   \"step_input_tokens\": 100, \"output_tokens\": 40, \"history\": true}]},"
    " \"failure\": {\"p\": {\"mini\": 1, \"full\": 0}, \"failed_output_fraction\": 0.5, \"retry_delay_seconds\": 2},"
    " \"strategies\": [{\"name\": \"escalate\", \"route\": [{\"model\": \"mini\"}, {\"model\": \"full\"}],"
    "   \"cache\": \"ttl\", \"tier\": \"batch\"}]}";

/* What an observer keeps of one attempt. */
struct seen {
    int64_t t_ms, ttft_ms;
    uint32_t model, task, attempt, step;
    uint8_t ok, tier, has_task;
    uint64_t input, output, cache_read;
    size_t bounds;
    uint64_t first_unit, last_unit;
    uint32_t last_end;
    int last_is_breakpoint, prefix_is_breakpoint;
    uint64_t history_units[4]; /* units 1, 3, ... : earlier steps' inputs */
};

struct seen_list {
    struct seen items[400];
    size_t count;
};

static enum pcs_status keep(void *context, const struct pcs_gen_attempt *attempt, struct pcs_error *err)
{
    (void)err;
    struct seen_list *list = context;
    const struct pcs_request *req = attempt->request;
    if (list->count == sizeof list->items / sizeof list->items[0])
        return PCS_ERR_RANGE;
    struct seen *s = &list->items[list->count++];
    memset(s, 0, sizeof *s);
    s->t_ms = req->t_ms;
    s->ttft_ms = req->ttft_ms;
    s->model = req->model;
    s->task = (uint32_t)req->task;
    s->has_task = req->has_task;
    s->attempt = req->attempt;
    s->step = attempt->step;
    s->ok = req->ok;
    s->tier = req->tier;
    s->input = req->input_tokens;
    s->output = req->output_tokens;
    s->cache_read = attempt->usage->cache_read;
    s->bounds = req->bound_count;
    s->first_unit = req->units[0];
    s->last_unit = req->units[req->bound_count - 1];
    s->last_end = req->ends[req->bound_count - 1];
    s->prefix_is_breakpoint = req->flags && (req->flags[0] & PCS_BOUND_BREAKPOINT);
    s->last_is_breakpoint = req->flags && (req->flags[req->bound_count - 1] & PCS_BOUND_BREAKPOINT);
    for (size_t i = 1, k = 0; i < req->bound_count - 1 && k < 4; i += 2, k++)
        s->history_units[k] = req->units[i];
    return PCS_OK;
}

static const char *data_dir = ".";

static pcs_scenario_set *parse(const char *text)
{
    struct pcs_error err;
    char base[4096];
    snprintf(base, sizeof base, "%s/gen", data_dir);
    pcs_scenario_set *set = pcs_scenario_parse(text, strlen(text), "inline.json", base, catalog, &err);
    if (!set)
        fprintf(stderr, "cannot parse the test scenario: %s\n", err.message);
    return set;
}

static struct pcs_run_config prices(void)
{
    struct pcs_run_config config = pcs_run_config_default();
    config.price_time_s = 1795435200; /* 2026-11-23T12:00:00Z, the shipped catalog's export day */
    return config;
}

/* The attempts of task `task` among list, in order, into out (at most 6). */
static size_t attempts_of(const struct seen_list *list, uint32_t task, const struct seen **out)
{
    size_t n = 0;
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i].task == task && n < 6)
            out[n++] = &list->items[i];
    return n;
}

static void test_by_hand(void)
{
    pcs_scenario_set *set = parse(by_hand);
    CHECK(set != NULL);
    if (!set)
        return;
    const struct pcs_scenario *scenario = &pcs_scenario_point(set, 0)->scenario;
    struct pcs_run_config config = prices();
    struct seen_list *list = calloc(1, sizeof *list);
    struct pcs_trial_outcome outcome;
    struct pcs_error err;
    CHECK(pcs_gen_trial(scenario, &config, 0, 0, keep, list, &outcome, NULL, &err) == PCS_OK);
    CHECK(outcome.tasks > 0);
    /* Every step: one failed attempt on mini, one good one on full. */
    CHECK_U64(list->count, 6 * outcome.tasks);
    CHECK_U64(outcome.requests, 6 * outcome.tasks);
    CHECK_U64(outcome.failed_requests, 3 * outcome.tasks);
    CHECK_U64(outcome.completed, outcome.tasks);
    CHECK_U64(outcome.escalated, outcome.tasks);
    int ordered = 1;
    for (size_t i = 1; i < list->count; i++)
        ordered &= list->items[i - 1].t_ms <= list->items[i].t_ms;
    CHECK(ordered);
    int shapes = 1, reads = 1, units = 1;
    uint64_t input = 0, cache_read = 0;
    for (uint32_t task = 0; task < outcome.tasks; task++) {
        const struct seen *a[6];
        CHECK_U64(attempts_of(list, task, a), 6);
        int64_t arrival = a[0]->t_ms;
        for (uint32_t k = 0; k < 6; k++) {
            uint32_t step = k / 2;
            int on_full = k % 2;
            /* step j starts 12 s after step j-1 (2 s redo, then 10 s gap) */
            int64_t when = arrival + 12000 * step + (on_full ? 2000 : 0);
            uint64_t prompt = 1500 + 140 * (uint64_t)step + 100;
            shapes &= a[k]->t_ms == when && a[k]->model == (uint32_t)on_full && a[k]->step == step &&
                      a[k]->attempt == (uint32_t)on_full + 1 && a[k]->ok == on_full && a[k]->has_task &&
                      a[k]->tier == PCS_TIER_BATCH && a[k]->input == prompt && a[k]->last_end == prompt &&
                      a[k]->output == (on_full ? 40u : 20u) && a[k]->bounds == 2 + 2 * (size_t)step &&
                      a[k]->prefix_is_breakpoint && a[k]->last_is_breakpoint;
            /* From step 1 on, the previous step's whole prompt is alive in this model's cache. */
            if (step > 0)
                reads &= a[k]->cache_read == 1600 + 140 * (uint64_t)(step - 1);
            /* One system prompt for all; a step's history is the earlier steps' own input. */
            units &= a[k]->first_unit == list->items[0].first_unit;
            for (uint32_t j = 0; j < step; j++)
                units &= a[k]->history_units[j] == a[2 * j]->last_unit && a[k]->last_unit != a[2 * j]->last_unit;
            input += a[k]->input;
            cache_read += a[k]->cache_read;
        }
    }
    CHECK(shapes);
    CHECK(reads);
    CHECK(units);
    /* The first task finds every cache empty. */
    CHECK_U64(list->items[0].cache_read, 0);
    CHECK_U64(outcome.input_tokens, input);
    CHECK_U64(outcome.cache_read_tokens, cache_read);
    free(list);
    pcs_scenario_set_free(set);
}

/* pcs_gen_trial's trial t is pcs_run's trial t, field for field. */
static void test_same_as_run(const char *text)
{
    pcs_scenario_set *set = parse(text);
    CHECK(set != NULL);
    if (!set)
        return;
    const struct pcs_scenario *scenario = &pcs_scenario_point(set, 0)->scenario;
    struct pcs_run_config config = prices();
    config.trials = 4;
    config.threads = 2;
    struct pcs_run_result result;
    struct pcs_error err;
    CHECK(pcs_run(scenario, &config, &result, &err) == PCS_OK);
    for (size_t s = 0; s < scenario->strategy_count; s++)
        for (uint64_t t = 0; t < 4; t++) {
            struct pcs_trial_outcome outcome;
            CHECK(pcs_gen_trial(scenario, &config, s, t, NULL, NULL, &outcome, NULL, &err) == PCS_OK);
            const struct pcs_trial_outcome *want = &result.strategies[s].trials[t];
            CHECK(outcome.spend == want->spend);
            CHECK_U64(outcome.tasks, want->tasks);
            CHECK_U64(outcome.completed, want->completed);
            CHECK_U64(outcome.requests, want->requests);
            CHECK_U64(outcome.failed_requests, want->failed_requests);
            CHECK_U64(outcome.escalated, want->escalated);
            CHECK_U64(outcome.input_tokens, want->input_tokens);
            CHECK_U64(outcome.cache_read_tokens, want->cache_read_tokens);
            CHECK_U64(outcome.cache_write_tokens, want->cache_write_tokens);
            CHECK_U64(outcome.task_time_ms, want->task_time_ms);
        }
    struct pcs_trial_outcome unused;
    CHECK(pcs_gen_trial(scenario, &config, scenario->strategy_count, 0, NULL, NULL, &unused, NULL, &err) ==
          PCS_ERR_ARG);
    pcs_run_result_free(&result);
    pcs_scenario_set_free(set);
}

/* The trace of trial `trial` into a new buffer (freed by the caller). */
static char *native_text(const struct pcs_scenario *scenario, uint64_t trial, struct pcs_gen_summary *summary)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct pcs_run_config config = prices();
    struct pcs_error err;
    enum pcs_status status = pcs_gen_write_native(scenario, &config, 0, trial, out, summary, NULL, &err);
    fclose(out);
    CHECK(status == PCS_OK);
    return text;
}

static size_t count_of(const char *text, const char *part)
{
    size_t n = 0;
    for (const char *at = strstr(text, part); at; at = strstr(at + 1, part))
        n++;
    return n;
}

static void test_native_lines(void)
{
    pcs_scenario_set *set = parse(by_hand);
    if (!set)
        return;
    const struct pcs_scenario *scenario = &pcs_scenario_point(set, 0)->scenario;
    struct pcs_gen_summary first, second;
    char *one = native_text(scenario, 1, &first);
    char *two = native_text(scenario, 1, &second);
    CHECK(strcmp(one, two) == 0); /* deterministic */
    uint64_t tasks = first.outcome.tasks;
    CHECK(tasks > 0);
    CHECK_U64(first.lines, 6 * tasks);
    CHECK_U64(count_of(one, "\n"), 6 * tasks);
    CHECK_U64(count_of(one, "\"model\":\"gpt-5.4-mini\""), 3 * tasks);
    CHECK_U64(count_of(one, "\"attempt\":1,\"ok\":false,\"tier\":\"batch\""), 3 * tasks);
    CHECK_U64(count_of(one, "\"attempt\":2,\"tier\":\"batch\""), 3 * tasks);
    CHECK_U64(count_of(one, "\"session\""), 0); /* one alias a model: one namespace */
    CHECK_U64(count_of(one, "\"task\":\"0\""), 6);
    CHECK_CONTAINS(one, ",\"tokens\":1500,\"cache\":true},");
    /* The summary sums the lines: per model and in total. */
    CHECK_U64(first.by_model[0].usage.requests, 3 * tasks);
    CHECK_U64(first.by_model[0].failed, 3 * tasks);
    CHECK_U64(first.by_model[1].failed, 0);
    CHECK_U64(first.by_model[0].usage.output, 3 * tasks * 20);
    CHECK_U64(first.by_model[1].usage.output, 3 * tasks * 40);
    CHECK_U64(first.total.input, first.outcome.input_tokens);
    CHECK_U64(first.total.cache_read, first.outcome.cache_read_tokens);
    CHECK_U64(first.total.cache_write, first.outcome.cache_write_tokens);
    CHECK_U64(first.total.requests, first.outcome.requests);
    CHECK(first.by_model[0].cost + first.by_model[1].cost > 0);
    free(one);
    free(two);
    pcs_gen_summary_free(&first);
    pcs_gen_summary_free(&second);
    pcs_scenario_set_free(set);

    /* Two aliases of one model: a cache each in the trial, a session each in the trace. */
    char twin[sizeof by_hand + 64];
    const char *models = strstr(by_hand, "\"gpt-5.4-mini\"");
    size_t head = (size_t)(models - by_hand);
    snprintf(twin, sizeof twin, "%.*s\"gpt-5.4\"%s", (int)head, by_hand, models + strlen("\"gpt-5.4-mini\""));
    set = parse(twin);
    CHECK(set != NULL);
    if (!set)
        return;
    scenario = &pcs_scenario_point(set, 0)->scenario;
    struct pcs_gen_summary twins;
    char *text = native_text(scenario, 0, &twins);
    CHECK_U64(count_of(text, "\"model\":\"gpt-5.4\""), 6 * twins.outcome.tasks);
    CHECK_U64(count_of(text, "\"session\":\"1\""), 3 * twins.outcome.tasks);
    CHECK_U64(count_of(text, "\"session\":\"2\""), 3 * twins.outcome.tasks);
    free(text);
    pcs_gen_summary_free(&twins);
    pcs_scenario_set_free(set);
}

/* ------------------------------------------------------------- latency */

/* by_hand with its models given as objects: extra (NULL: none) after each
 * model's name; with three steps and the standard tier. */
static char *with_models(const char *mini_extra, const char *full_extra)
{
    static const char format[] =
        "{\"schema\": \"pcsim.scenario.v1\", \"name\": \"latency\", \"seed\": 3, \"trials\": 1, \"horizon_hours\": 2,"
        " \"models\": {\"mini\": {\"model\": \"gpt-5.4-mini\"%s}, \"full\": {\"model\": \"gpt-5.4\"%s}},"
        " \"workload\": {\"tasks_per_hour\": 20, \"task_types\": [{\"name\": \"chat\", \"steps\": 3,"
        "   \"gap_seconds\": 10, \"prefix\": [{\"id\": \"system\", \"tokens\": 1500}],"
        "   \"step_input_tokens\": 100, \"output_tokens\": 40, \"history\": true}]},"
        " \"failure\": {\"p\": {\"mini\": 1, \"full\": 0}, \"failed_output_fraction\": 0.5, \"retry_delay_seconds\": "
        "2},"
        " \"strategies\": [{\"name\": \"escalate\", \"route\": [{\"model\": \"mini\"}, {\"model\": \"full\"}],"
        "   \"cache\": \"ttl\"}]}";
    size_t size = sizeof format + strlen(mini_extra) + strlen(full_extra);
    char *text = malloc(size);
    if (text)
        snprintf(text, size, format, mini_extra, full_extra);
    return text;
}

/* Each step goes mini (fails), then full (succeeds). Every attempt is sent
 * at the previous attempt's end plus retry_delay (2 s), or at the previous
 * step's end plus the gap (10 s); an attempt ends max(ttft, duration)
 * after it is sent, and carries its ttft. want_step: ms between a task's
 * steps; want_redo: from mini's attempt to full's. */
static void check_latency_times(const char *mini_extra, const char *full_extra, int64_t want_step, int64_t want_redo,
                                int64_t mini_ttft, int64_t full_ttft)
{
    char *text = with_models(mini_extra, full_extra);
    pcs_scenario_set *set = text ? parse(text) : NULL;
    free(text);
    CHECK(set != NULL);
    if (!set)
        return;
    struct pcs_run_config config = prices();
    struct seen_list *list = calloc(1, sizeof *list);
    struct pcs_trial_outcome outcome;
    struct pcs_error err;
    CHECK(pcs_gen_trial(&pcs_scenario_point(set, 0)->scenario, &config, 0, 0, keep, list, &outcome, NULL, &err) ==
          PCS_OK);
    CHECK(outcome.tasks > 1);
    CHECK_U64(list->count, 6 * outcome.tasks);
    int times = 1, ttfts = 1;
    for (uint32_t task = 0; task < outcome.tasks; task++) {
        const struct seen *a[6];
        CHECK_U64(attempts_of(list, task, a), 6);
        for (uint32_t k = 0; k < 6; k++) {
            int on_full = k % 2;
            times &= a[k]->t_ms == a[0]->t_ms + want_step * (k / 2) + (on_full ? want_redo : 0);
            times &= a[k]->step == k / 2 && a[k]->model == (uint32_t)on_full && a[k]->ok == on_full;
            ttfts &= a[k]->ttft_ms == (on_full ? full_ttft : mini_ttft);
        }
    }
    CHECK(times);
    CHECK(ttfts);
    free(list);
    pcs_scenario_set_free(set);
}

static void test_latency_by_hand(void)
{
    /* mini: ttft 0.8 s, 5 s in all; full: 1.5 s, 12 s. Redo 5 + 2 s after
     * mini's send; full ends 12 s after its send, the next step 10 s later:
     * 7 + 12 + 10 = 29 s a step. */
    check_latency_times(", \"ttft_seconds\": 0.8, \"duration_seconds\": 5",
                        ", \"ttft_seconds\": 1.5, \"duration_seconds\": 12", 29000, 7000, 800, 1500);
    /* A duration alone: no ttft (0). A ttft alone: the response ends at its first token. */
    check_latency_times(", \"duration_seconds\": 5", ", \"ttft_seconds\": 1.5", 7000 + 1500 + 10000, 7000, 0, 1500);
    /* No latency, models as objects: by_hand's instant timing (2 s redo, 10 s gap). */
    check_latency_times("", "", 12000, 2000, 0, 0);

    /* As objects without a latency, the models give the string form's bytes. */
    char *objects = with_models("", "");
    char *strings = with_models("", "");
    if (objects && strings) {
        char *mini = strstr(strings, "{\"model\": \"gpt-5.4-mini\"}");
        memmove(mini, mini + strlen("{\"model\": "), strlen(mini + strlen("{\"model\": ")) + 1);
        mini = strstr(strings, "\"gpt-5.4-mini\"}") + strlen("\"gpt-5.4-mini\"");
        memmove(mini, mini + 1, strlen(mini + 1) + 1);
        char *full = strstr(strings, "{\"model\": \"gpt-5.4\"}");
        memmove(full, full + strlen("{\"model\": "), strlen(full + strlen("{\"model\": ")) + 1);
        full = strstr(strings, "\"gpt-5.4\"}") + strlen("\"gpt-5.4\"");
        memmove(full, full + 1, strlen(full + 1) + 1);
        CHECK_CONTAINS(strings, "\"models\": {\"mini\": \"gpt-5.4-mini\", \"full\": \"gpt-5.4\"}");
        pcs_scenario_set *a = parse(objects), *b = parse(strings);
        CHECK(a && b);
        if (a && b) {
            struct pcs_gen_summary sa, sb;
            char *ta = native_text(&pcs_scenario_point(a, 0)->scenario, 0, &sa);
            char *tb = native_text(&pcs_scenario_point(b, 0)->scenario, 0, &sb);
            CHECK(ta && tb && strcmp(ta, tb) == 0);
            CHECK_U64(count_of(ta, "\"ttft\""), 0);
            free(ta);
            free(tb);
            pcs_gen_summary_free(&sa);
            pcs_gen_summary_free(&sb);
        }
        pcs_scenario_set_free(a);
        pcs_scenario_set_free(b);
    }
    free(objects);
    free(strings);

    /* Written: each attempt's ttft, in seconds. */
    char *text = with_models(", \"ttft_seconds\": 0.8, \"duration_seconds\": 5", ", \"ttft_seconds\": 1.5");
    pcs_scenario_set *set = text ? parse(text) : NULL;
    free(text);
    if (set) {
        struct pcs_gen_summary summary;
        char *lines = native_text(&pcs_scenario_point(set, 0)->scenario, 0, &summary);
        CHECK(summary.lines > 0);
        CHECK_U64(count_of(lines, "\"model\":\"gpt-5.4-mini\""), summary.lines / 2);
        CHECK_U64(count_of(lines, "\"ok\":false,\"ttft\":0.8,"), summary.lines / 2);
        CHECK_U64(count_of(lines, "\"attempt\":2,\"ttft\":1.5,"), summary.lines / 2);
        free(lines);
        pcs_gen_summary_free(&summary);
        pcs_scenario_set_free(set);
    }
}

/* Drawn latencies: a duration below the attempt's ttft counts as the ttft;
 * they move no other draw (the same failures, tokens and tasks as without);
 * two strategies that send a step's first attempt to mini see the same
 * latency for it. */
static void test_latency_draws(void)
{
    static const char format[] =
        "{\"schema\": \"pcsim.scenario.v1\", \"name\": \"drawn latency\", \"seed\": 5, \"trials\": 1,"
        " \"horizon_hours\": 2,"
        " \"models\": {\"mini\": {\"model\": \"gpt-5.4-mini\"%s}, \"full\": \"gpt-5.4\"},"
        " \"workload\": {\"tasks_per_hour\": 30, \"task_types\": [{\"name\": \"chat\","
        "   \"steps\": {\"dist\": \"geometric\", \"mean\": 3}, \"gap_seconds\": {\"dist\": \"lognormal\", \"median\": "
        "20,"
        "   \"sigma\": 1}, \"prefix\": [{\"id\": \"system\", \"tokens\": 1500}],"
        "   \"step_input_tokens\": {\"dist\": \"lognormal\", \"median\": 100, \"sigma\": 0.5}, \"output_tokens\": 40,"
        "   \"history\": true}]},"
        " \"failure\": {\"p\": {\"mini\": 0.4, \"full\": 0.1}, \"correlation\": 0.5, \"retry_delay_seconds\": 3},"
        " \"strategies\": [{\"name\": \"x\", \"route\": [{\"model\": \"mini\", \"attempts\": 2}, {\"model\": "
        "\"full\"}]},"
        "  {\"name\": \"y\", \"route\": [{\"model\": \"mini\"}, {\"model\": \"full\", \"attempts\": 2}]}]}";
    char with[sizeof format + 200], without[sizeof format];
    snprintf(with, sizeof with, format,
             ", \"ttft_seconds\": 1, \"duration_seconds\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 2}");
    snprintf(without, sizeof without, format, "");
    pcs_scenario_set *a = parse(with), *b = parse(without);
    CHECK(a && b);
    if (!a || !b) {
        pcs_scenario_set_free(a);
        pcs_scenario_set_free(b);
        return;
    }
    struct pcs_run_config config = prices();
    struct pcs_error err;
    struct pcs_trial_outcome oa, ob, oy;
    struct seen_list *la = calloc(1, sizeof *la), *lb = calloc(1, sizeof *lb), *ly = calloc(1, sizeof *ly);
    CHECK(pcs_gen_trial(&pcs_scenario_point(a, 0)->scenario, &config, 0, 0, keep, la, &oa, NULL, &err) == PCS_OK);
    CHECK(pcs_gen_trial(&pcs_scenario_point(b, 0)->scenario, &config, 0, 0, keep, lb, &ob, NULL, &err) == PCS_OK);
    CHECK(pcs_gen_trial(&pcs_scenario_point(a, 0)->scenario, &config, 1, 0, keep, ly, &oy, NULL, &err) == PCS_OK);
    CHECK(oa.tasks > 20);
    CHECK_U64(oa.tasks, ob.tasks);
    CHECK_U64(oa.requests, ob.requests);
    CHECK_U64(oa.failed_requests, ob.failed_requests);
    CHECK_U64(oa.completed, ob.completed);
    CHECK_U64(oa.input_tokens, ob.input_tokens);
    int same = 1, clamped = 0, below = 0, shared = 0, equal = 1;
    for (uint32_t task = 0; task < oa.tasks; task++) {
        const struct seen *x[6], *y[6], *plain[6];
        size_t n = attempts_of(la, task, x);
        size_t ny = attempts_of(ly, task, y);
        same &= attempts_of(lb, task, plain) == n;
        for (size_t k = 0; k < n && same; k++)
            same &= x[k]->step == plain[k]->step && x[k]->attempt == plain[k]->attempt && x[k]->ok == plain[k]->ok &&
                    x[k]->model == plain[k]->model && x[k]->input == plain[k]->input && plain[k]->ttft_ms == 0;
        for (size_t k = 0; k + 1 < n; k++) {
            if (x[k]->ok || x[k]->model != 0)
                continue; /* a failed attempt on mini: the redo comes max(1 s, duration) + 3 s later */
            int64_t apart = x[k + 1]->t_ms - x[k]->t_ms;
            clamped += apart == 4000;
            below += apart < 4000 || apart > 5000;
            equal &= x[k]->ttft_ms == 1000;
        }
        /* Each step's first attempt is on mini in both strategies: the same draw. */
        for (size_t k = 0; k < n; k++)
            for (size_t j = 0; j < ny; j++)
                if (x[k]->attempt == 1 && y[j]->attempt == 1 && x[k]->step == y[j]->step) {
                    shared++;
                    equal &= x[k]->ttft_ms == y[j]->ttft_ms && x[k]->model == 0 && y[j]->model == 0;
                }
    }
    CHECK(same);
    CHECK(clamped > 0);
    CHECK_U64(below, 0);
    CHECK(shared > 0);
    CHECK(equal);
    free(la);
    free(lb);
    free(ly);
    pcs_scenario_set_free(a);
    pcs_scenario_set_free(b);
}

/* A trace workload (gen/tiny_trace_ttft.jsonl: tiny_trace.jsonl with
 * recorded ttfts 0.7, 0.9 and 1.1 s) at time_scale 2: requests at 0, 20
 * and 60 s. full (Sonnet, ttft 2 s, 4 s in all) fails every attempt, the
 * trace's own models none; a redo waits 5 s after the failed attempt's
 * end, so each request runs on full at its time, then on its own model 9 s
 * later, with its recorded ttft; the trace's times stand. */
static void test_latency_trace(void)
{
    pcs_scenario_set *set = parse(
        "{\"schema\": \"pcsim.scenario.v1\", \"name\": \"trace latency\", \"seed\": 1, \"trials\": 1,"
        " \"models\": {\"full\": {\"model\": \"claude-sonnet-4-5\", \"ttft_seconds\": 2, \"duration_seconds\": 4}},"
        " \"workload\": {\"trace\": \"tiny_trace_ttft.jsonl\", \"time_scale\": 2},"
        " \"failure\": {\"p\": {\"trace\": 0, \"full\": 1}, \"retry_delay_seconds\": 5},"
        " \"strategies\": [{\"name\": \"full-then-own\", \"route\": [{\"model\": \"full\"}, {\"model\": \"trace\"}],"
        "   \"cache\": \"ttl\"}]}");
    CHECK(set != NULL);
    if (!set)
        return;
    const struct pcs_scenario *scenario = &pcs_scenario_point(set, 0)->scenario;
    struct pcs_run_config config = prices();
    struct pcs_trial_outcome outcome;
    struct pcs_error err;
    struct seen_list *list = calloc(1, sizeof *list);
    CHECK(pcs_gen_trial(scenario, &config, 0, 0, keep, list, &outcome, NULL, &err) == PCS_OK);
    static const struct {
        int64_t t_ms, ttft_ms;
        uint32_t model, attempt;
        uint8_t ok;
    } want[] = {
        {0, 2000, 0, 1, 0},    {9000, 700, 1, 2, 1},   {20000, 2000, 0, 1, 0},
        {29000, 900, 1, 2, 1}, {60000, 2000, 0, 1, 0}, {69000, 1100, 0, 2, 1},
    };
    CHECK_U64(list->count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < list->count && i < sizeof want / sizeof want[0]; i++) {
        CHECK(list->items[i].t_ms == want[i].t_ms);
        CHECK(list->items[i].ttft_ms == want[i].ttft_ms);
        CHECK_U64(list->items[i].model, want[i].model);
        CHECK_U64(list->items[i].attempt, want[i].attempt);
        CHECK_U64(list->items[i].ok, want[i].ok);
    }
    free(list);
    /* Written: every attempt's ttft, the recorded ones too. */
    struct pcs_gen_summary summary;
    char *text = native_text(scenario, 0, &summary);
    CHECK_U64(count_of(text, "\"ttft\":2,"), 3);
    CHECK_U64(count_of(text, "\"ttft\":0.7,"), 1);
    CHECK_U64(count_of(text, "\"ttft\":0.9,"), 1);
    CHECK_U64(count_of(text, "\"ttft\":1.1,"), 1);
    free(text);
    pcs_gen_summary_free(&summary);
    pcs_scenario_set_free(set);
}

/* An observer's error stops the trial with it. */
static enum pcs_status refuse(void *context, const struct pcs_gen_attempt *attempt, struct pcs_error *err)
{
    (void)attempt;
    ++*(int *)context;
    return pcs_error_set(err, PCS_ERR_IO, "no room");
}

/* A trace workload (gen/tiny_trace.jsonl: one session, requests at 100 s
 * and 110 s on Haiku, at 130 s on Sonnet) at twice the recorded pace's
 * gaps: the trace's own models fail every attempt, the alias "full"
 * (Sonnet) none, a redo waits 5 s. So each request fails on its own model
 * and succeeds on full: Haiku's requests run on a cache of their own (the
 * cache after the aliases), Sonnet's on full's. */
static void test_trace_by_hand(void)
{
    pcs_scenario_set *set = parse(
        "{\"schema\": \"pcsim.scenario.v1\", \"name\": \"trace by hand\", \"seed\": 1, \"trials\": 1,"
        " \"models\": {\"full\": \"claude-sonnet-4-5\"},"
        " \"workload\": {\"trace\": \"tiny_trace.jsonl\", \"time_scale\": 2},"
        " \"failure\": {\"p\": {\"trace\": 1, \"full\": 0}, \"failed_output_fraction\": 0.5,"
        "  \"retry_delay_seconds\": 5},"
        " \"strategies\": [{\"name\": \"own-then-full\", \"route\": [{\"model\": \"trace\"}, {\"model\": \"full\"}],"
        "   \"cache\": \"ttl\"}]}");
    CHECK(set != NULL);
    if (!set)
        return;
    const struct pcs_scenario *scenario = &pcs_scenario_point(set, 0)->scenario;
    struct pcs_run_config config = prices();
    struct pcs_trial_outcome outcome;
    struct pcs_error err;
    struct seen_list *list = calloc(1, sizeof *list);
    CHECK(pcs_gen_trial(scenario, &config, 0, 0, keep, list, &outcome, NULL, &err) == PCS_OK);
    static const struct {
        int64_t t_ms;
        uint32_t model, attempt, step;
        uint8_t ok;
        uint64_t input, output;
    } want[] = {
        {0, 1, 1, 0, 0, 1000, 50},      {5000, 0, 2, 0, 1, 1000, 100}, {20000, 1, 1, 1, 0, 1200, 50},
        {25000, 0, 2, 1, 1, 1200, 100}, {60000, 0, 1, 2, 0, 500, 30},  {65000, 0, 2, 2, 1, 500, 60},
    };
    CHECK_U64(list->count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < list->count && i < sizeof want / sizeof want[0]; i++) {
        const struct seen *got = &list->items[i];
        CHECK(got->t_ms == want[i].t_ms);
        CHECK_U64(got->model, want[i].model);
        CHECK_U64(got->attempt, want[i].attempt);
        CHECK_U64(got->step, want[i].step);
        CHECK_U64(got->ok, want[i].ok);
        CHECK_U64(got->input, want[i].input);
        CHECK_U64(got->output, want[i].output);
        CHECK_U64(got->task, 0);
        CHECK_U64(got->has_task, 1);
    }
    CHECK_U64(outcome.tasks, 1);
    CHECK_U64(outcome.completed, 1);
    CHECK_U64(outcome.escalated, 1);
    CHECK_U64(outcome.requests, 6);
    CHECK_U64(outcome.failed_requests, 3);
    free(list);

    /* Written: Haiku's lines name the catalog Haiku, the rest Sonnet; the summary has a cache for each. */
    struct pcs_gen_summary summary;
    char *text = native_text(scenario, 0, &summary);
    CHECK_U64(count_of(text, "\"model\":\"claude-haiku-4-5\""), 2);
    CHECK_U64(count_of(text, "\"model\":\"claude-sonnet-4-5\""), 4);
    CHECK_U64(count_of(text, "\"session\":"), 6); /* the trace's session, kept */
    CHECK_U64(count_of(text, "\"ttft\""), 0);
    CHECK_U64(summary.model_count, 2);
    if (summary.model_count == 2) {
        CHECK(summary.by_model[1].model && strcmp(summary.by_model[1].model->id, "claude-haiku-4-5") == 0);
        CHECK_U64(summary.by_model[1].usage.requests, 2);
        CHECK_U64(summary.by_model[1].failed, 2);
        CHECK_U64(summary.by_model[0].usage.requests, 4);
    }
    free(text);
    pcs_gen_summary_free(&summary);
    pcs_scenario_set_free(set);
}

/* A scenario file of tests/data as text (freed by the caller). */
static char *data_text(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    FILE *in = fopen(path, "rb");
    CHECK(in != NULL);
    if (!in)
        return NULL;
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    text[n] = 0;
    char *copy = malloc(n + 1);
    if (copy)
        memcpy(copy, text, n + 1);
    return copy;
}

static void test_observer_error(void)
{
    pcs_scenario_set *set = parse(by_hand);
    if (!set)
        return;
    struct pcs_run_config config = prices();
    struct pcs_trial_outcome outcome;
    struct pcs_error err;
    int calls = 0;
    CHECK(pcs_gen_trial(&pcs_scenario_point(set, 0)->scenario, &config, 0, 0, refuse, &calls, &outcome, NULL, &err) ==
          PCS_ERR_IO);
    CHECK(calls == 1);
    CHECK_CONTAINS(err.message, "no room");
    pcs_scenario_set_free(set);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        data_dir = argv[1];
    struct pcs_error err;
    catalog = pcs_catalog_load_builtin(&err);
    if (!catalog) {
        fprintf(stderr, "cannot load the built-in catalog: %s\n", err.message);
        return 1;
    }
    test_by_hand();
    test_same_as_run(by_hand);
    /* Uncertain numbers, correlated failures, variants, two task types, a 1-hour cache with writes. */
    test_same_as_run(
        "{\"schema\": \"pcsim.scenario.v1\", \"name\": \"drawn\", \"seed\": 11, \"trials\": 4, \"horizon_hours\": 3,"
        " \"models\": {\"haiku\": \"claude-haiku-4-5\", \"sonnet\": \"claude-sonnet-4-5\"},"
        " \"workload\": {\"tasks_per_hour\": {\"dist\": \"lognormal\", \"median\": 40, \"sigma\": 0.4},"
        "  \"task_types\": [{\"name\": \"a\", \"weight\": 2, \"steps\": {\"dist\": \"geometric\", \"mean\": 3},"
        "    \"gap_seconds\": {\"dist\": \"lognormal\", \"median\": 30, \"sigma\": 1},"
        "    \"prefix\": [{\"id\": \"sys\", \"tokens\": 5000}, {\"id\": \"kb\", \"tokens\": 3000, \"variants\": 4}],"
        "    \"step_input_tokens\": {\"dist\": \"lognormal\", \"median\": 200, \"sigma\": 0.5},"
        "    \"output_tokens\": 80, \"history\": true},"
        "   {\"name\": \"b\", \"prefix\": [{\"id\": \"own\", \"tokens\": 2000, \"scope\": \"task\"}],"
        "    \"step_input_tokens\": 500, \"output_tokens\": 50}]},"
        " \"failure\": {\"p\": {\"haiku\": {\"dist\": \"beta\", \"a\": 3, \"b\": 7}, \"sonnet\": 0.05},"
        "  \"correlation\": 0.5, \"failed_output_fraction\": 0.3, \"retry_delay_seconds\": 1},"
        " \"strategies\": [{\"name\": \"x\", \"route\": [{\"model\": \"haiku\", \"attempts\": 2},"
        "   {\"model\": \"sonnet\", \"attempts\": 2}], \"cache\": \"anthropic-1h\"},"
        "  {\"name\": \"y\", \"route\": [{\"model\": \"sonnet\"}], \"tier\": \"batch\"}]}");
    test_native_lines();
    test_trace_by_hand();
    /* A trace workload: redos, escalation, batch waits, the trace's own models, a model_map. */
    char *trace_escalation = data_text("gen/trace_escalation.json");
    if (trace_escalation)
        test_same_as_run(trace_escalation);
    free(trace_escalation);
    test_observer_error();
    test_latency_by_hand();
    test_latency_draws();
    test_latency_trace();
    /* Latency with two threads in the engine and one in gen: the same trials. */
    char *latency = with_models(", \"ttft_seconds\": {\"dist\": \"lognormal\", \"median\": 0.8, \"sigma\": 0.5}",
                                ", \"duration_seconds\": {\"dist\": \"gamma\", \"shape\": 4, \"scale\": 3}");
    if (latency)
        test_same_as_run(latency);
    free(latency);
    pcs_catalog_free(catalog);
    return check_summary();
}
