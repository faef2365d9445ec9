/* The claude-code-log reader (docs/formats.md, "Claude Code transcripts"):
 * the shipped project directory read whole, hand-computed from the rules
 * (time, normalised usage, observed usage, the counts-only chain with its
 * compaction, sidechain and branch cases), then located errors, lenient
 * skips and detection on small files. argv[1]: tests/data. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pcsim/trace.h"

static char dir[] = "/tmp/pcsim_test_cclog_XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char paths[8][256];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    return path;
}

static pcs_trace *open_with(const char *path, unsigned threads, int lenient, struct pcs_error *err)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    config.threads = threads;
    config.lenient = lenient;
    return pcs_trace_open(&path, 1, &config, err);
}

/* 2026-03-01T12:00:00Z in Unix ms: 2026-03-01 is day 20513 since 1970-01-01
 * (56 years with 14 leap days, then 31 + 28 days). */
#define NOON (20513ull * 86400000ull + 12ull * 3600000ull)

/* One request as the rules of docs/formats.md give it. */
struct expected {
    uint64_t t_ms;
    const char *model;
    uint64_t input, output;
    uint64_t read, write, write_1h;
    int tier;
    size_t bounds;
    uint32_t ends[3];
    const char *file; /* the end of its file's path */
    uint64_t line;    /* the line of its first content block */
};

/* tests/data/claude_code_log/project: session-a.jsonl (a call on two lines,
 * the cache_creation split present and absent, an ISO time at +05:45, a
 * compaction, an API error, a branch, a shorter input), its subagent's
 * transcript (and the companions a directory read skips), and
 * session-b.jsonl (a sidechain line below a main-chain call). */
static const struct expected project[] = {
    /* msg_A on lines 4 and 5: the time of u1 (12:00:00), which it answers;
     * input 10 + 0 + 2000; output from its last line (120, not 1). */
    {NOON, "claude-sonnet-4-5", 2010, 120, 0, 2000, 0, PCS_TIER_STANDARD, 1, {2010}, "session-a.jsonl", 4},
    /* msg_B: answers u2 (12:00:04); 5 + 2010 + 300; no split: all 5m;
     * no service_tier: standard; predecessor msg_A: one more unit. */
    {NOON + 4000,
     "claude-sonnet-4-5",
     2315,
     40,
     2010,
     300,
     0,
     PCS_TIER_STANDARD,
     2,
     {2010, 2315},
     "session-a.jsonl",
     7},
    /* The subagent's first call answers s1 (12:00:07): its own chain. */
    {NOON + 7000, "claude-haiku-4-5", 1500, 30, 0, 0, 0, PCS_TIER_STANDARD, 1, {1500}, "agent-x1.jsonl", 2},
    /* msg_C answers u3, 17:45:10+05:45 = 12:00:10Z; the split's 1h part;
     * service_tier priority. */
    {NOON + 10000,
     "claude-sonnet-4-5",
     2416,
     7,
     2315,
     100,
     100,
     PCS_TIER_PRIORITY,
     3,
     {2010, 2315, 2416},
     "session-a.jsonl",
     9},
    {NOON + 11000, "claude-haiku-4-5", 1520, 25, 1500, 0, 0, PCS_TIER_STANDARD, 2, {1500, 1520}, "agent-x1.jsonl", 4},
    /* msg_D after the compact boundary (parentUuid null): a new chain,
     * though 2604 > 2416. */
    {NOON + 600500, "claude-sonnet-4-5", 2604, 30, 0, 2600, 0, PCS_TIER_STANDARD, 1, {2604}, "session-a.jsonl", 12},
    /* msg_F: its ancestors pass the API error line (no call) to msg_D. */
    {NOON + 660000,
     "claude-sonnet-4-5",
     2656,
     60,
     2604,
     50,
     0,
     PCS_TIER_STANDARD,
     2,
     {2604, 2656},
     "session-a.jsonl",
     16},
    /* msg_G and msg_H both extend msg_F (a branch). */
    {NOON + 720000,
     "claude-sonnet-4-5",
     2700,
     9,
     2656,
     40,
     0,
     PCS_TIER_STANDARD,
     3,
     {2604, 2656, 2700},
     "session-a.jsonl",
     18},
    {NOON + 780000,
     "claude-sonnet-4-5",
     2759,
     11,
     2656,
     100,
     0,
     PCS_TIER_STANDARD,
     3,
     {2604, 2656, 2759},
     "session-a.jsonl",
     20},
    /* msg_I: 800 < 2759, a new chain. */
    {NOON + 840000, "claude-sonnet-4-5", 800, 5, 0, 0, 0, PCS_TIER_STANDARD, 1, {800}, "session-a.jsonl", 22},
    {NOON + 3600000, "claude-sonnet-4-5", 5000, 50, 0, 0, 0, PCS_TIER_STANDARD, 1, {5000}, "session-b.jsonl", 2},
    /* A sidechain call below a main-chain one: its own chain. */
    {NOON + 3605000, "claude-sonnet-4-5", 6000, 20, 0, 0, 0, PCS_TIER_STANDARD, 1, {6000}, "session-b.jsonl", 4},
    {NOON + 3660000,
     "claude-sonnet-4-5",
     5100,
     15,
     5000,
     0,
     0,
     PCS_TIER_STANDARD,
     2,
     {5000, 5100},
     "session-b.jsonl",
     6},
};
#define PROJECT_COUNT (sizeof project / sizeof project[0])

static int ends_with(const char *text, const char *tail)
{
    size_t n = strlen(text), m = strlen(tail);
    return n >= m && strcmp(text + n - m, tail) == 0;
}

static void test_project(const char *data, unsigned threads)
{
    char path[512];
    snprintf(path, sizeof path, "%s/claude_code_log/project", data);
    struct pcs_error err = {0};
    pcs_trace *trace = open_with(path, threads, 0, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    uint64_t units[PROJECT_COUNT][3] = {{0}};
    uint32_t namespaces[PROJECT_COUNT] = {0};
    struct pcs_request req;
    for (size_t i = 0; i < PROJECT_COUNT; i++) {
        const struct expected *e = &project[i];
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        CHECK_U64(req.t_ms, e->t_ms);
        CHECK(strcmp(pcs_trace_model_name(trace, req.model), e->model) == 0);
        CHECK_U64(req.input_tokens, e->input);
        CHECK_U64(req.output_tokens, e->output);
        CHECK(req.has_observed == 1);
        CHECK_U64(req.observed.cache_read, e->read);
        CHECK_U64(req.observed.cache_write, e->write);
        CHECK_U64(req.observed.cache_write_1h, e->write_1h);
        CHECK_U64(req.tier, e->tier);
        CHECK(req.ok == 1);
        CHECK_U64(req.ttft_ms, 0);      /* transcripts do not say */
        CHECK(req.content_blocks == 0); /* units rebuilt from counts: not content blocks (DESIGN §8) */
        CHECK_U64(req.bound_count, e->bounds);
        for (size_t k = 0; k < e->bounds && k < req.bound_count; k++) {
            CHECK_U64(req.ends[k], e->ends[k]);
            CHECK(req.flags && req.flags[k] == (k + 1 == e->bounds ? PCS_BOUND_BREAKPOINT : 0));
            units[i][k] = req.units[k];
        }
        namespaces[i] = req.namespace_id;
        char place[512];
        pcs_trace_request_place(trace, &req, place, sizeof place);
        char tail[128];
        snprintf(tail, sizeof tail, "%s:%llu", e->file, (unsigned long long)e->line);
        CHECK(ends_with(place, tail));
        if (!ends_with(place, tail))
            fprintf(stderr, "place %s, want ...%s\n", place, tail);
    }
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    CHECK(pcs_trace_format_name(pcs_trace_file_format(trace, 0)) != NULL);
    CHECK(pcs_trace_file_format(trace, 0) == PCS_FORMAT_CLAUDE_CODE_LOG);
    pcs_trace_free(trace);

    /* A chain's requests share their predecessors' units. */
    CHECK(units[1][0] == units[0][0]);
    CHECK(units[3][0] == units[0][0] && units[3][1] == units[1][1]);
    CHECK(units[4][0] == units[2][0]);
    CHECK(units[6][0] == units[5][0]);
    CHECK(units[7][0] == units[5][0] && units[7][1] == units[6][1]);
    CHECK(units[12][0] == units[10][0]);
    /* Two chains never share a prefix: compaction, a shorter input, a
     * sidechain each start one. */
    CHECK(units[5][0] != units[0][0]);
    CHECK(units[9][0] != units[5][0] && units[9][0] != units[0][0]);
    CHECK(units[11][0] != units[10][0]);
    /* The branch: msg_H shares msg_F's two units, not msg_G's third. */
    CHECK(units[8][0] == units[7][0] && units[8][1] == units[7][1]);
    CHECK(units[8][2] != units[7][2]);
    /* Each file is its own namespace. */
    CHECK(namespaces[0] == namespaces[1] && namespaces[2] != namespaces[0] && namespaces[10] != namespaces[0]);
}

/* A line (with its file's earlier good lines) that must fail, strict, with
 * its place and field. */
static void expect_error(const char *name, const char *lines, const char *place, const char *field)
{
    const char *path = write_file(name, lines);
    struct pcs_error err = {0};
    pcs_trace *trace = open_with(path, 1, 0, &err);
    enum pcs_status status = trace ? PCS_OK : PCS_ERR_PARSE;
    struct pcs_request req;
    while (status == PCS_OK)
        status = pcs_trace_next(trace, &req, &err);
    CHECK(status != PCS_END && status != PCS_OK);
    CHECK_CONTAINS(err.message, place);
    if (field)
        CHECK_CONTAINS(err.message, field);
    pcs_trace_free(trace);
}

#define USER1 "{\"type\":\"user\",\"uuid\":\"u1\",\"parentUuid\":null,\"timestamp\":\"2026-03-01T12:00:00Z\"}\n"
#define CALL(uuid, parent, usage)                                                                                      \
    "{\"type\":\"assistant\",\"uuid\":\"" uuid "\",\"parentUuid\":\"" parent                                           \
    "\",\"timestamp\":\"2026-03-01T12:00:01Z\","                                                                       \
    "\"message\":{\"id\":\"msg_" uuid "\",\"model\":\"claude-sonnet-4-5\",\"role\":\"assistant\",\"usage\":" usage     \
    "}}\n"
#define GOOD_USAGE "{\"input_tokens\":10,\"output_tokens\":2}"

static void test_errors(void)
{
    expect_error("syntax.jsonl", USER1 "{\"type\":\"user\",\n", "syntax.jsonl:2", "malformed JSON");
    expect_error("no_usage.jsonl",
                 USER1 "{\"type\":\"assistant\",\"uuid\":\"a1\",\"parentUuid\":\"u1\",\"timestamp\":\"2026-03-01T12:"
                       "00:01Z\",\"message\":{\"id\":\"m\",\"model\":\"claude-sonnet-4-5\",\"role\":\"assistant\"}}\n",
                 "no_usage.jsonl:2", "field message.usage: missing");
    expect_error("negative.jsonl", USER1 CALL("a1", "u1", "{\"input_tokens\":-5,\"output_tokens\":2}"),
                 "negative.jsonl:2", "message.usage.input_tokens");
    expect_error("fraction.jsonl", USER1 CALL("a1", "u1", "{\"input_tokens\":5,\"output_tokens\":2.5}"),
                 "fraction.jsonl:2", "message.usage.output_tokens");
    expect_error("read.jsonl",
                 USER1 CALL("a1", "u1", "{\"input_tokens\":5,\"output_tokens\":2,\"cache_read_input_tokens\":\"9\"}"),
                 "read.jsonl:2", "message.usage.cache_read_input_tokens");
    expect_error("split.jsonl",
                 USER1 CALL("a1", "u1",
                            "{\"input_tokens\":5,\"output_tokens\":2,\"cache_creation_input_tokens\":100,"
                            "\"cache_creation\":{\"ephemeral_5m_input_tokens\":60,\"ephemeral_1h_input_tokens\":50}}"),
                 "split.jsonl:2", "message.usage.cache_creation");
    expect_error("tier.jsonl",
                 USER1 CALL("a1", "u1", "{\"input_tokens\":5,\"output_tokens\":2,\"service_tier\":\"gold\"}"),
                 "tier.jsonl:2", "message.usage.service_tier");
    expect_error("role.jsonl",
                 "{\"type\":\"user\",\"uuid\":\"u1\",\"parentUuid\":null,\"message\":{\"role\":\"robot\",\"content\":"
                 "\"hi\"}}\n",
                 "role.jsonl:1", "message.role");
    expect_error(
        "type_usage.jsonl",
        USER1 "{\"type\":\"tool_call\",\"uuid\":\"t1\",\"parentUuid\":\"u1\",\"message\":{\"usage\":" GOOD_USAGE "}}\n",
        "type_usage.jsonl:2", "field type");
    expect_error("no_type.jsonl", USER1 "{\"uuid\":\"x\"}\n", "no_type.jsonl:2", "field type: missing");
    expect_error("orphan.jsonl", USER1 CALL("a1", "gone", GOOD_USAGE), "orphan.jsonl:2", "field parentUuid");
    expect_error("time.jsonl",
                 "{\"type\":\"user\",\"uuid\":\"u1\",\"parentUuid\":null,\"timestamp\":\"yesterday\"}\n" CALL(
                     "a1", "u1", GOOD_USAGE),
                 "time.jsonl:1", "field timestamp");
}

/* --lenient skips a bad line and counts it; a line of a type that carries
 * no call is no error at all, and the chain passes through it. */
static void test_lenient_and_unknown_types(void)
{
    const char *path = write_file(
        "lenient.jsonl",
        USER1 CALL(
            "a1", "u1",
            "{\"input_tokens\":100,\"output_tokens\":2}") "{\"type\":\"a-future-line-type\",\"uuid\":\"f1\","
                                                          "\"parentUuid\":\"a1\",\"timestamp\":\"2026-03-01T12:00:"
                                                          "05Z\"}\n"
                                                          "{\"type\":\"user\",\"uuid\":\"u2\",\"parentUuid\":\"f1\","
                                                          "\"timestamp\":\"2026-03-01T12:00:06Z\"}\n"
                                                          "{\"type\":\"assistant\",\"uuid\":\"a2\",\"parentUuid\":"
                                                          "\"u2\",\"timestamp\":\"2026-03-01T12:00:07Z\","
                                                          "\"message\":{\"id\":\"msg_a2\",\"model\":\"claude-sonnet-4-"
                                                          "5\",\"role\":\"assistant\",\"usage\":"
                                                          "{\"input_tokens\":150,\"output_tokens\":2}}}\n"
                                                          "{\"type\":\"assistant\",\"uuid\":\"bad\",\"parentUuid\":"
                                                          "\"u2\",\"timestamp\":\"2026-03-01T12:00:08Z\","
                                                          "\"message\":{\"id\":\"msg_bad\",\"model\":\"claude-sonnet-4-"
                                                          "5\",\"role\":\"assistant\",\"usage\":"
                                                          "{\"input_tokens\":-1,\"output_tokens\":2}}}\n");
    struct pcs_error err = {0};
    pcs_trace *strict = open_with(path, 1, 0, &err);
    CHECK(strict == NULL);
    CHECK_CONTAINS(err.message, "lenient.jsonl:6");
    pcs_trace_free(strict);
    pcs_trace *trace = open_with(path, 1, 1, &err);
    CHECK(trace != NULL);
    if (!trace)
        return;
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, NOON); /* answers u1 */
    uint64_t first_unit = req.bound_count ? req.units[0] : 0;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, NOON + 6000); /* answers u2 */
    CHECK_U64(req.bound_count, 2);    /* its predecessor found through the unknown line */
    CHECK(req.bound_count == 2 && req.units[0] == first_unit && req.ends[1] == 150);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    CHECK_U64(pcs_trace_skipped_count(trace), 1);
    pcs_trace_free(trace);
}

/* Transcripts are told by their keys or their line types, also when a
 * line other formats could claim (a timestamp key) comes first; the
 * kv-cache-tester sessions stay claude-code. */
static void test_detection(const char *data)
{
    const char *path = write_file(
        "queue.jsonl", "{\"type\":\"queue-operation\",\"operation\":\"dequeue\",\"timestamp\":\"2026-03-01T12:00:00Z\","
                       "\"sessionId\":\"s\"}\n" USER1 CALL("a1", "u1", GOOD_USAGE));
    struct pcs_error err = {0};
    pcs_trace *trace = open_with(path, 1, 0, &err);
    CHECK(trace != NULL);
    CHECK(trace && pcs_trace_file_format(trace, 0) == PCS_FORMAT_CLAUDE_CODE_LOG);
    pcs_trace_free(trace);
    char session[512];
    snprintf(session, sizeof session, "%s/claude_code_tiny.json", data);
    trace = open_with(session, 1, 0, &err);
    CHECK(trace && pcs_trace_file_format(trace, 0) == PCS_FORMAT_CLAUDE_CODE);
    pcs_trace_free(trace);
    CHECK(pcs_trace_format_parse("claude-code-log") == PCS_FORMAT_CLAUDE_CODE_LOG);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_claude_code_log TESTS_DATA_DIR\n");
        return 2;
    }
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_project(argv[1], 1);
    test_project(argv[1], 2);
    test_errors();
    test_lenient_and_unknown_types();
    test_detection(argv[1]);
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
