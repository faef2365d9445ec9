/* A replay's reconciliation (DESIGN §9; pcsim/reconcile.h): observed
 * against simulated on tiny native traces whose simulated usage is worked
 * out by hand from DESIGN §3 (tests/data/README.md has the traces), the
 * worst list's order and cap, and the same reconciliation for one thread
 * and two and after a one-pass read starts over. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pcsim/replay.h"

static const char *data_dir = "tests/data";

/* Replays path with preset (threads) and returns the outcome (the caller
 * frees it). */
static struct pcs_replay_outcome run(const char *path, const char *preset, unsigned threads)
{
    struct pcs_error err = {0};
    pcs_inputs *inputs = pcs_inputs_open(&path, 1, &err);
    CHECK(inputs != NULL);
    if (!inputs) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    struct pcs_replay_job job;
    memset(&job, 0, sizeof job);
    job.inputs = inputs;
    job.trace = pcs_trace_config_default();
    job.preset = preset;
    job.threads = threads;
    job.restartable = 1;
    struct pcs_replay_outcome outcome;
    enum pcs_status status = pcs_replay_run(&job, &outcome, &err);
    CHECK(status == PCS_OK);
    if (status != PCS_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    pcs_inputs_free(inputs);
    return outcome;
}

static void data_path(const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s", data_dir, name);
}

/* The model id of name in the outcome's trace. */
static uint32_t model_id(const struct pcs_replay_outcome *outcome, const char *name)
{
    for (uint32_t i = 0; i < outcome->reconciliation.model_count; i++)
        if (strcmp(pcs_trace_model_name(outcome->trace, i), name) == 0)
            return i;
    CHECK(!"model not found");
    return 0;
}

/* The place ends with ":line". */
static int place_is_line(const char *place, const char *file, unsigned line)
{
    char tail[64];
    snprintf(tail, sizeof tail, ":%u", line);
    size_t length = strlen(place), tail_length = strlen(tail);
    return strstr(place, file) && length > tail_length && strcmp(place + length - tail_length, tail) == 0;
}

/* reconcile_ttl.jsonl under ttl (300 s): simulated cache_read by line
 * 0, 1500 (A, B alive at 60), 0 (A last used at 60 expires at 360 <= 400),
 * 2000 (A-D written at 400), [line 5 has no observed usage], 0 (another
 * model's cache), 1000 (A written at 430 on gpt-4o-mini). Observed 0, 1024,
 * 1792, 1920, -, 0, 524. Deviations 0, 476, 1792, 80, -, 0, 476; tolerance
 * max(128, 1% of input) = 128 for every one, so lines 1, 4 and 6 agree. */
static void test_ttl(unsigned threads)
{
    char path[512];
    data_path("reconcile_ttl.jsonl", path, sizeof path);
    struct pcs_replay_outcome outcome = run(path, "ttl", threads);
    const struct pcs_reconciliation *r = &outcome.reconciliation;
    CHECK(outcome.reconciled);
    CHECK_U64(r->total.observed.requests, 6);
    CHECK_U64(r->without_observed, 1);
    CHECK_U64(r->total.observed.input, 1500 + 1800 + 2000 + 2000 + 1000 + 1800);
    CHECK_U64(r->total.simulated.input, 10100);
    CHECK_U64(r->total.observed.cache_read, 0 + 1024 + 1792 + 1920 + 0 + 524);
    CHECK_U64(r->total.simulated.cache_read, 0 + 1500 + 0 + 2000 + 0 + 1000);
    CHECK_U64(r->total.observed.cache_write + r->total.simulated.cache_write, 0);
    CHECK_U64(r->total.deviation, 476 + 1792 + 80 + 476);
    CHECK_U64(r->total.agreeing, 3);
    CHECK(pcs_reconcile_error(&r->total) == 2824.0 / 10100.0);
    CHECK(pcs_reconcile_agreement(&r->total) == 0.5);
    CHECK(!r->total.priced);
    uint32_t big = model_id(&outcome, "gpt-4o"), mini = model_id(&outcome, "gpt-4o-mini");
    CHECK_U64(r->by_model[big].observed.requests, 4);
    CHECK_U64(r->by_model[big].observed.input, 7300);
    CHECK_U64(r->by_model[big].observed.cache_read, 4736);
    CHECK_U64(r->by_model[big].simulated.cache_read, 3500);
    CHECK_U64(r->by_model[big].deviation, 2348);
    CHECK_U64(r->by_model[big].agreeing, 2);
    CHECK_U64(r->by_model[mini].observed.requests, 2);
    CHECK_U64(r->by_model[mini].observed.input, 2800);
    CHECK_U64(r->by_model[mini].deviation, 476);
    CHECK_U64(r->by_model[mini].agreeing, 1);
    /* Lines 3, 2 and 7 disagree: 1792 first, then the two of 476 in the
     * order they came. */
    CHECK_U64(r->disagreeing, 3);
    CHECK_U64(r->worst_count, 3);
    if (r->worst_count == 3) {
        CHECK(place_is_line(r->worst[0].place, "reconcile_ttl.jsonl", 3));
        CHECK(place_is_line(r->worst[1].place, "reconcile_ttl.jsonl", 2));
        CHECK(place_is_line(r->worst[2].place, "reconcile_ttl.jsonl", 7));
        CHECK_U64(r->worst[0].deviation, 1792);
        CHECK_U64(r->worst[0].observed.cache_read, 1792);
        CHECK_U64(r->worst[0].simulated.cache_read, 0);
        CHECK_U64(r->worst[0].observed.input, 2000);
        CHECK_U64(r->worst[1].deviation, 476);
        CHECK_U64(r->worst[2].deviation, 476);
        CHECK(r->worst[2].model == mini);
        CHECK(r->worst[2].t_ms == 440000);
    }
    pcs_replay_outcome_free(&outcome);
}

/* The same trace under openai (min 1024, granularity 128): simulated
 * 0, 1408 (1500 matched), 0, 1920 (2000), -, 0, 0 (1000 matched < 1024).
 * Deviations 0, 384, 1792, 0, -, 0, 524: lines 3, 7, 2 disagree, in that
 * order. */
static void test_openai(void)
{
    char path[512];
    data_path("reconcile_ttl.jsonl", path, sizeof path);
    struct pcs_replay_outcome outcome = run(path, "openai", 1);
    const struct pcs_reconciliation *r = &outcome.reconciliation;
    CHECK_U64(r->total.simulated.cache_read, 1408 + 1920);
    CHECK_U64(r->total.deviation, 384 + 1792 + 524);
    CHECK(pcs_reconcile_error(&r->total) == 2700.0 / 10100.0);
    CHECK_U64(r->total.agreeing, 3);
    CHECK_U64(r->worst_count, 3);
    if (r->worst_count == 3) {
        CHECK(place_is_line(r->worst[0].place, "reconcile_ttl.jsonl", 3));
        CHECK(place_is_line(r->worst[1].place, "reconcile_ttl.jsonl", 7));
        CHECK(place_is_line(r->worst[2].place, "reconcile_ttl.jsonl", 2));
        CHECK_U64(r->worst[1].deviation, 524);
        CHECK_U64(r->worst[2].deviation, 384);
    }
    pcs_replay_outcome_free(&outcome);
}

/* reconcile_breakpoint.jsonl under breakpoint (300 s, min 0): line 1 reads
 * nothing and writes S (2000); line 2 reads S (2000) and writes U2 (2800 -
 * 2000 = 800, marked "1h"); line 3 reads U2 (2800) and writes U3 (400).
 * Observed: 0/2000, 2000/800 (800 1h), 0/3200. Deviations 0, 0, 2800 +
 * 2800 = 5600 (tolerance max(128, 32) = 128). */
static void test_breakpoint(void)
{
    char path[512];
    data_path("reconcile_breakpoint.jsonl", path, sizeof path);
    struct pcs_replay_outcome outcome = run(path, "breakpoint", 1);
    const struct pcs_reconciliation *r = &outcome.reconciliation;
    CHECK_U64(r->without_observed, 0);
    CHECK_U64(r->total.observed.requests, 3);
    CHECK_U64(r->total.observed.input, 8500);
    CHECK_U64(r->total.observed.cache_read, 2000);
    CHECK_U64(r->total.simulated.cache_read, 4800);
    CHECK_U64(r->total.observed.cache_write, 6000);
    CHECK_U64(r->total.simulated.cache_write, 3200);
    CHECK_U64(r->total.observed.cache_write_1h, 800);
    CHECK_U64(r->total.simulated.cache_write_1h, 800);
    CHECK_U64(r->total.deviation, 5600);
    CHECK_U64(r->total.agreeing, 2);
    CHECK_U64(r->worst_count, 1);
    if (r->worst_count == 1)
        CHECK(place_is_line(r->worst[0].place, "reconcile_breakpoint.jsonl", 3));
    pcs_replay_outcome_free(&outcome);
}

/* A trace without observed usage has no reconciliation. */
static void test_none(void)
{
    char path[512];
    data_path("native_segments.jsonl", path, sizeof path);
    struct pcs_replay_outcome outcome = run(path, "ttl", 1);
    CHECK(!outcome.reconciled);
    CHECK(outcome.reconciliation.worst == NULL && outcome.reconciliation.by_model == NULL);
    pcs_replay_outcome_free(&outcome);
}

/* The worst list by hand: 13 requests of input 1000 (tolerance 128), their
 * deviations below; the list keeps the 10 largest, equal deviations in the
 * order the requests came, and leaves out those that agree. */
static void test_worst_order(void)
{
    static const uint64_t deviations[] = {500, 300, 500, 900, 128, 300, 200, 1000, 500, 150, 300, 129, 300};
    /* By deviation, then line: 8 (1000), 4 (900), 1, 3, 9 (500), 2, 6, 11, 13
     * (300), 7 (200); 10 (150) and 12 (129) fall off; 5 (128) agrees. */
    static const unsigned expected_lines[] = {8, 4, 1, 3, 9, 2, 6, 11, 13, 7};
    char path[512];
    data_path("reconcile_ttl.jsonl", path, sizeof path);
    struct pcs_error err = {0};
    const char *paths[] = {path};
    struct pcs_trace_config config = pcs_trace_config_default();
    pcs_trace *trace = pcs_trace_open(paths, 1, &config, &err);
    CHECK(trace != NULL);
    pcs_reconciler *reconciler = pcs_reconciler_new(&err);
    CHECK(reconciler != NULL);
    if (!trace || !reconciler)
        exit(1);
    struct pcs_request first;
    CHECK(pcs_trace_next(trace, &first, &err) == PCS_OK); /* a real request: its file and model */
    for (size_t i = 0; i < sizeof deviations / sizeof deviations[0]; i++) {
        struct pcs_request req = first;
        req.bound_count = 0;
        req.input_tokens = 1000;
        req.source_line = i + 1;
        req.has_observed = 1;
        memset(&req.observed, 0, sizeof req.observed);
        req.observed.cache_read = 1000 - deviations[i];
        struct pcs_usage simulated = {1, 1000, 1000, 0, 0, 10};
        CHECK(pcs_reconciler_add(reconciler, &req, &simulated) == PCS_OK);
    }
    struct pcs_request without = first;
    without.has_observed = 0;
    struct pcs_usage simulated = {1, 1000, 1000, 0, 0, 10};
    CHECK(pcs_reconciler_add(reconciler, &without, &simulated) == PCS_OK);
    struct pcs_reconciliation r;
    CHECK(pcs_reconciler_finish(reconciler, trace, &r, &err) == PCS_OK);
    CHECK_U64(r.total.observed.requests, 13);
    CHECK_U64(r.without_observed, 1);
    CHECK_U64(r.disagreeing, 12);
    CHECK_U64(r.total.agreeing, 1);
    CHECK_U64(r.worst_count, PCS_RECONCILE_WORST);
    for (size_t i = 0; i < r.worst_count && i < 10; i++) {
        CHECK(place_is_line(r.worst[i].place, "reconcile_ttl.jsonl", expected_lines[i]));
        CHECK_U64(r.worst[i].deviation, deviations[expected_lines[i] - 1]);
    }
    pcs_reconciliation_free(&r);
    pcs_reconciler_free(reconciler);
    pcs_trace_free(trace);
}

/* A native trace of 16 MiB or more (read in one pass), every line with
 * observed usage; with swap, lines 3 and 4 change places so the one-pass
 * read meets a time going back and the replay starts over. */
static void write_big(const char *path, int swap)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    char held[512] = "";
    for (int i = 1; i <= 110000; i++) {
        char line[512];
        int session = i % 97;
        snprintf(line, sizeof line,
                 "{\"t\": %d.%03d, \"model\": \"m-%d\", \"input_tokens\": 3000, \"output_tokens\": 5, \"segments\": "
                 "[{\"id\": \"sys\", \"tokens\": 1500}, {\"id\": \"s%d\", \"tokens\": 1000}, {\"id\": \"q%d\", "
                 "\"tokens\": 500}], \"observed\": {\"cache_read\": %d, \"cache_write\": %d}, \"meta\": "
                 "\"padding padding padding\"}\n",
                 i / 10, (i % 10) * 100, session % 3, session, i, (i * 37) % 2600, (i * 11) % 300);
        if (swap && i == 3) {
            snprintf(held, sizeof held, "%s", line);
            continue;
        }
        fputs(line, f);
        if (swap && i == 4)
            fputs(held, f);
    }
    if (fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static int same_sums(const struct pcs_reconcile_sums *a, const struct pcs_reconcile_sums *b)
{
    return memcmp(&a->observed, &b->observed, sizeof a->observed) == 0 &&
           memcmp(&a->simulated, &b->simulated, sizeof a->simulated) == 0 && a->deviation == b->deviation &&
           a->agreeing == b->agreeing;
}

static int same_reconciliation(const struct pcs_reconciliation *a, const struct pcs_reconciliation *b)
{
    if (!same_sums(&a->total, &b->total) || a->model_count != b->model_count || a->worst_count != b->worst_count ||
        a->without_observed != b->without_observed || a->disagreeing != b->disagreeing)
        return 0;
    for (size_t i = 0; i < a->model_count; i++)
        if (!same_sums(&a->by_model[i], &b->by_model[i]))
            return 0;
    for (size_t i = 0; i < a->worst_count; i++)
        if (a->worst[i].deviation != b->worst[i].deviation || a->worst[i].t_ms != b->worst[i].t_ms)
            return 0;
    return 1;
}

static void test_restart_and_threads(void)
{
    char sorted[] = "/tmp/pcsim_test_reconcile_sorted_XXXXXX";
    char swapped[] = "/tmp/pcsim_test_reconcile_swapped_XXXXXX";
    int fd1 = mkstemp(sorted), fd2 = mkstemp(swapped);
    if (fd1 < 0 || fd2 < 0)
        exit(1);
    close(fd1);
    close(fd2);
    write_big(sorted, 0);
    write_big(swapped, 1);
    struct pcs_replay_outcome one = run(sorted, "ttl", 1);
    struct pcs_replay_outcome two = run(sorted, "ttl", 2);
    struct pcs_replay_outcome again = run(swapped, "ttl", 2);
    CHECK_U64(one.reconciliation.total.observed.requests, 110000);
    CHECK_U64(again.reconciliation.total.observed.requests, 110000);
    CHECK(one.reconciliation.worst_count == PCS_RECONCILE_WORST);
    CHECK(same_reconciliation(&one.reconciliation, &two.reconciliation));
    CHECK(same_reconciliation(&one.reconciliation, &again.reconciliation));
    pcs_replay_outcome_free(&one);
    pcs_replay_outcome_free(&two);
    pcs_replay_outcome_free(&again);
    remove(sorted);
    remove(swapped);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        data_dir = argv[1];
    test_ttl(1);
    test_ttl(2);
    test_openai();
    test_breakpoint();
    test_none();
    test_worst_order();
    test_restart_and_threads();
    return check_summary();
}
