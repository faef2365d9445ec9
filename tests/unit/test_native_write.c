/* Native JSONL out (pcsim/native_write.h): each line by hand from
 * docs/formats.md "Native trace format", and what the reader makes of it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "common/hash_table.h"
#include "pcsim/native_write.h"
#include "pcsim/trace.h"
#include "trace/trace_internal.h"

static char dir[] = "/tmp/pcsim_test_native_write_XXXXXX";

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

static pcs_trace *open_one(const char *path)
{
    struct pcs_error err = {0};
    pcs_trace *trace = pcs_trace_open(&path, 1, NULL, &err);
    if (!trace)
        fprintf(stderr, "  %s\n", err.message);
    return trace;
}

/* A trace whose model 0 is "m" (for the names the writer prints). */
static pcs_trace *model_trace(void)
{
    pcs_trace *trace = open_one(
        write_file("model.jsonl", "{\"t\": 0, \"model\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1}\n"));
    struct pcs_request req;
    struct pcs_error err = {0};
    CHECK(trace && pcs_trace_next(trace, &req, &err) == PCS_OK);
    return trace;
}

/* One request written alone: its line into line (cap bytes), and the status. */
static enum pcs_status line_of(const pcs_trace *trace, const struct pcs_request *req, char *line, size_t cap)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct pcs_error err = {0};
    pcs_native_writer *writer = pcs_native_writer_new(out, &err);
    enum pcs_status status = writer ? pcs_native_writer_put(writer, trace, req, &err) : PCS_ERR_NOMEM;
    pcs_native_writer_free(writer);
    fclose(out);
    snprintf(line, cap, "%s", text ? text : "");
    free(text);
    return status;
}

static struct pcs_request plain_request(int64_t t_ms)
{
    struct pcs_request req;
    memset(&req, 0, sizeof req);
    req.t_ms = t_ms;
    req.input_tokens = 7;
    req.output_tokens = 3;
    req.ok = 1;
    return req;
}

static void test_times(void)
{
    /* Seconds with the milliseconds exactly, no trailing zeros. */
    pcs_trace *trace = model_trace();
    if (!trace)
        return;
    static const struct {
        int64_t t_ms;
        const char *line;
    } cases[] = {
        {0, "{\"t\":0,\"model\":\"m\",\"input_tokens\":7,\"output_tokens\":3}\n"},
        {1, "{\"t\":0.001,\"model\":\"m\",\"input_tokens\":7,\"output_tokens\":3}\n"},
        {10, "{\"t\":0.01,\"model\":\"m\",\"input_tokens\":7,\"output_tokens\":3}\n"},
        {1500, "{\"t\":1.5,\"model\":\"m\",\"input_tokens\":7,\"output_tokens\":3}\n"},
        {1234567, "{\"t\":1234.567,\"model\":\"m\",\"input_tokens\":7,\"output_tokens\":3}\n"},
        {86400000, "{\"t\":86400,\"model\":\"m\",\"input_tokens\":7,\"output_tokens\":3}\n"},
        /* 2026-03-01T12:00:00.250Z as epoch ms, the kind a request log gives */
        {1772366400250, "{\"t\":1772366400.25,\"model\":\"m\",\"input_tokens\":7,\"output_tokens\":3}\n"},
    };
    char line[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pcs_request req = plain_request(cases[i].t_ms);
        CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
        CHECK(strcmp(line, cases[i].line) == 0);
        if (strcmp(line, cases[i].line) != 0)
            fprintf(stderr, "  got %s", line);
    }
    /* Before 0: no native line can carry it. */
    struct pcs_request early = plain_request(-1);
    CHECK(line_of(trace, &early, line, sizeof line) == PCS_ERR_RANGE);
    CHECK(line[0] == '\0');
    /* Every millisecond of a spread of epochs reads back: the writer checks
     * each against the reader's own rounding, and refuses none of these. */
    int refused = 0;
    for (int64_t t = 1700000000000; t < 1700000000000 + 100000; t += 7)
        for (int64_t scale = 1; scale <= 1000; scale *= 10) {
            struct pcs_request req = plain_request(t / scale);
            refused += line_of(trace, &req, line, sizeof line) != PCS_OK;
        }
    CHECK_U64(refused, 0);
    pcs_trace_free(trace);
}

static void test_prompt_and_task(void)
{
    /* A bound a segment: id the unit in hex, tokens the difference of ends,
     * "cache" with the marker of a breakpoint; the tail past the last end
     * stays in input_tokens. Task in hex, attempt, ok only when false, tier
     * only when not standard; the session of namespace 0 is none. */
    pcs_trace *trace = model_trace();
    if (!trace)
        return;
    static const uint64_t units[] = {0x1, 0xabc, UINT64_MAX};
    static const uint32_t ends[] = {10, 25, 40};
    static const uint8_t flags[] = {PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H, 0,
                                    PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M};
    struct pcs_request req = plain_request(2000);
    req.input_tokens = 50;
    req.bound_count = 3;
    req.units = units;
    req.ends = ends;
    req.flags = flags;
    req.content_blocks = 1; /* as segments read: no "content_blocks" written */
    req.has_task = 1;
    req.task = 0x2a;
    req.attempt = 3;
    req.ok = 0;
    req.tier = PCS_TIER_BATCH;
    char line[512];
    CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
    const char *want =
        "{\"t\":2,\"model\":\"m\",\"input_tokens\":50,\"output_tokens\":3,\"task\":\"2a\",\"attempt\":3,"
        "\"ok\":false,\"tier\":\"batch\",\"segments\":[{\"id\":\"1\",\"tokens\":10,\"cache\":\"1h\"},"
        "{\"id\":\"abc\",\"tokens\":15},{\"id\":\"ffffffffffffffff\",\"tokens\":15,\"cache\":\"5m\"}]}\n";
    CHECK(strcmp(line, want) == 0);
    if (strcmp(line, want) != 0)
        fprintf(stderr, "  got %s", line);
    /* Without flags no segment is marked. */
    req.flags = NULL;
    req.has_task = 0;
    req.attempt = 0;
    req.ok = 1;
    req.tier = PCS_TIER_STANDARD;
    CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
    want =
        "{\"t\":2,\"model\":\"m\",\"input_tokens\":50,\"output_tokens\":3,\"segments\":[{\"id\":\"1\",\"tokens\":10},"
        "{\"id\":\"abc\",\"tokens\":15},{\"id\":\"ffffffffffffffff\",\"tokens\":15}]}\n";
    CHECK(strcmp(line, want) == 0);
    /* A block trace's prompt (units not content blocks) says so, and reads
     * back as blocks: the breakpoint policy's lookback stays off for it. */
    req.content_blocks = 0;
    CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
    want = "{\"t\":2,\"model\":\"m\",\"input_tokens\":50,\"output_tokens\":3,\"content_blocks\":false,"
           "\"segments\":[{\"id\":\"1\",\"tokens\":10},{\"id\":\"abc\",\"tokens\":15},"
           "{\"id\":\"ffffffffffffffff\",\"tokens\":15}]}\n";
    CHECK(strcmp(line, want) == 0);
    if (strcmp(line, want) != 0)
        fprintf(stderr, "  got %s", line);
    for (int blocks = 0; blocks <= 1; blocks++) {
        req.content_blocks = (uint8_t)blocks;
        CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
        pcs_trace *back = open_one(write_file("blocks.jsonl", line));
        struct pcs_request again;
        struct pcs_error err = {0};
        CHECK(back && pcs_trace_next(back, &again, &err) == PCS_OK);
        CHECK(back && again.bound_count == 3 && again.content_blocks == blocks);
        pcs_trace_free(back);
    }
    pcs_trace_free(trace);
}

static void test_model_names_escaped(void)
{
    /* A name with a quote, a backslash, a control byte and UTF-8 is
     * written so that the reader gives the same name back. */
    pcs_trace *trace = open_one(write_file(
        "odd.jsonl",
        "{\"t\": 0, \"model\": \"q\\\"b\\\\s\\u0001\xc3\xa9\", \"input_tokens\": 1, \"output_tokens\": 1}\n"));
    if (!trace)
        return;
    struct pcs_request req;
    struct pcs_error err = {0};
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    char line[256];
    CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
    CHECK_CONTAINS(line, "\"model\":\"q\\\"b\\\\s\\u0001\xc3\xa9\",");
    pcs_trace *back = open_one(write_file("odd_back.jsonl", line));
    struct pcs_request again;
    CHECK(back && pcs_trace_next(back, &again, &err) == PCS_OK);
    CHECK(back && strcmp(pcs_trace_model_name(back, again.model), pcs_trace_model_name(trace, req.model)) == 0);
    pcs_trace_free(back);
    pcs_trace_free(trace);
}

static void test_sessions_never_meet(void)
{
    /* Two namespaces whose hex names the reader hashes into one namespace
     * (31 bits: a pair among some 60,000 ids) must still read back as two:
     * the second gets another name. */
    struct pcs_hash_table seen = {0};
    uint32_t first = 0, second = 0;
    for (uint32_t id = 1; id < (1u << 22) && !second; id++) {
        char name[16];
        int n = snprintf(name, sizeof name, "%x", id);
        uint32_t read_as = pcs_trace_session_namespace(name, (size_t)n);
        uint32_t earlier = pcs_hash_find(&seen, read_as, 0);
        if (earlier != PCS_HASH_EMPTY) {
            first = earlier;
            second = id;
        } else if (pcs_hash_put(&seen, read_as, 0, id) != PCS_OK) {
            break;
        }
    }
    pcs_hash_release(&seen);
    CHECK(second != 0);
    pcs_trace *trace = model_trace();
    if (!trace || !second) {
        pcs_trace_free(trace);
        return;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct pcs_error err = {0};
    pcs_native_writer *writer = pcs_native_writer_new(out, &err);
    const uint32_t namespaces[] = {first, second, first, 0};
    for (int i = 0; i < 4; i++) {
        struct pcs_request req = plain_request(1000 * i);
        req.namespace_id = namespaces[i];
        CHECK(pcs_native_writer_put(writer, trace, &req, &err) == PCS_OK);
    }
    CHECK_U64(pcs_native_writer_count(writer), 4);
    pcs_native_writer_free(writer);
    fclose(out);
    char want[64];
    snprintf(want, sizeof want, "\"session\":\"%x\",", first);
    CHECK_CONTAINS(text, want);
    snprintf(want, sizeof want, "\"session\":\"%x.1\",", second);
    CHECK_CONTAINS(text, want);
    pcs_trace *back = open_one(write_file("sessions.jsonl", text));
    uint32_t read[4] = {0};
    struct pcs_request req;
    for (int i = 0; back && i < 4; i++) {
        CHECK(pcs_trace_next(back, &req, &err) == PCS_OK);
        read[i] = req.namespace_id;
    }
    CHECK(read[0] != read[1]);
    CHECK(read[0] == read[2]);
    CHECK(read[0] != 0 && read[1] != 0);
    CHECK(read[3] == 0);
    pcs_trace_free(back);
    pcs_trace_free(trace);
    free(text);
}

/* cache_key: read from a native line as a hash of its text, written as
 * that hash in hex, and read back so that equal keys stay equal and
 * distinct ones distinct; a bad one is located. */
static void test_cache_key(void)
{
    pcs_trace *trace =
        open_one(write_file("keys.jsonl", "{\"t\": 0, \"model\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1, "
                                          "\"cache_key\": \"user-1\"}\n"
                                          "{\"t\": 1, \"model\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1, "
                                          "\"cache_key\": \"user-2\"}\n"
                                          "{\"t\": 2, \"model\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1, "
                                          "\"cache_key\": \"user-1\"}\n"
                                          "{\"t\": 3, \"model\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1}\n"));
    struct pcs_error err = {0};
    struct pcs_request req;
    char lines[4][256];
    uint64_t keys[4] = {0};
    for (int i = 0; trace && i < 4; i++) {
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        keys[i] = req.cache_key;
        CHECK(line_of(trace, &req, lines[i], sizeof lines[i]) == PCS_OK);
    }
    CHECK(keys[0] == pcs_request_cache_key_hash("user-1", 6) && keys[1] == pcs_request_cache_key_hash("user-2", 6));
    CHECK(keys[2] == keys[0] && keys[3] == 0);
    char want[64];
    snprintf(want, sizeof want, ",\"cache_key\":\"%016" PRIx64 "\"", keys[0]);
    CHECK_CONTAINS(lines[0], want);
    CHECK(strstr(lines[3], "cache_key") == NULL);
    char text[1024];
    snprintf(text, sizeof text, "%s%s%s%s", lines[0], lines[1], lines[2], lines[3]);
    pcs_trace *back = open_one(write_file("keys_back.jsonl", text));
    uint64_t again[4] = {0};
    for (int i = 0; back && i < 4; i++) {
        CHECK(pcs_trace_next(back, &req, &err) == PCS_OK);
        again[i] = req.cache_key;
    }
    CHECK(again[0] != 0 && again[0] == again[2] && again[0] != again[1] && again[3] == 0);
    pcs_trace_free(back);
    pcs_trace_free(trace);
    static const struct {
        const char *line;
        const char *message;
    } bad[] = {
        {"{\"t\": 0, \"model\": \"m\", \"output_tokens\": 1, \"cache_key\": 5}\n",
         "bad_key.jsonl:1: field cache_key: expected a string"},
        {"{\"t\": 0, \"model\": \"m\", \"output_tokens\": 1, \"cache_key\": \"\"}\n",
         "bad_key.jsonl:1: field cache_key: empty cache key"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = write_file("bad_key.jsonl", bad[i].line);
        struct pcs_error open_err = {0};
        pcs_trace *broken = pcs_trace_open(&path, 1, NULL, &open_err);
        enum pcs_status status = PCS_OK;
        while (broken && (status = pcs_trace_next(broken, &req, &open_err)) == PCS_OK)
            ;
        CHECK(broken == NULL || status != PCS_END);
        CHECK_CONTAINS(open_err.message, bad[i].message);
        pcs_trace_free(broken);
    }
}

static void test_write_trace_stops(void)
{
    /* The loop: every request in time order; a stop flag set ends it with
     * PCS_END and the count so far. */
    const char *path =
        write_file("three.jsonl", "{\"t\": 2, \"model\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1}\n"
                                  "{\"t\": 1, \"model\": \"m\", \"input_tokens\": 2, \"output_tokens\": 1}\n"
                                  "{\"t\": 3, \"model\": \"m\", \"input_tokens\": 3, \"output_tokens\": 1}\n");
    pcs_trace *trace = open_one(path);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    uint64_t written = 99;
    struct pcs_error err = {0};
    CHECK(trace && pcs_native_write_trace(trace, out, NULL, &written, &err) == PCS_OK);
    fclose(out);
    CHECK_U64(written, 3);
    CHECK(text && strcmp(text, "{\"t\":1,\"model\":\"m\",\"input_tokens\":2,\"output_tokens\":1}\n"
                               "{\"t\":2,\"model\":\"m\",\"input_tokens\":1,\"output_tokens\":1}\n"
                               "{\"t\":3,\"model\":\"m\",\"input_tokens\":3,\"output_tokens\":1}\n") == 0);
    free(text);
    pcs_trace_free(trace);

    trace = open_one(path);
    text = NULL;
    out = open_memstream(&text, &len);
    volatile sig_atomic_t stop = 1;
    CHECK(trace && pcs_native_write_trace(trace, out, &stop, &written, &err) == PCS_END);
    fclose(out);
    CHECK_U64(written, 0);
    CHECK(text && text[0] == '\0');
    free(text);
    pcs_trace_free(trace);
}

static void test_unmarked_breakpoint(void)
{
    /* A breakpoint without a TTL marker (a counts-only log's last unit: the
     * policy's TTL applies) is "cache": true, and reads back as one: a
     * breakpoint, no marker. */
    pcs_trace *trace = model_trace();
    if (!trace)
        return;
    static const uint64_t units[] = {0x10, 0x11};
    static const uint32_t ends[] = {100, 250};
    static const uint8_t flags[] = {0, PCS_BOUND_BREAKPOINT};
    struct pcs_request req = plain_request(0);
    req.input_tokens = 250;
    req.bound_count = 2;
    req.units = units;
    req.ends = ends;
    req.flags = flags;
    req.content_blocks = 1; /* a request log's units */
    char line[512];
    CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
    const char *want = "{\"t\":0,\"model\":\"m\",\"input_tokens\":250,\"output_tokens\":3,\"segments\":[{\"id\":\"10\","
                       "\"tokens\":100},{\"id\":\"11\",\"tokens\":150,\"cache\":true}]}\n";
    CHECK(strcmp(line, want) == 0);
    if (strcmp(line, want) != 0)
        fprintf(stderr, "  got %s", line);
    pcs_trace *back = open_one(write_file("unmarked.jsonl", line));
    struct pcs_request again;
    struct pcs_error err = {0};
    CHECK(back && pcs_trace_next(back, &again, &err) == PCS_OK);
    if (back && again.flags) {
        CHECK_U64(again.bound_count, 2);
        CHECK_U64(again.flags[0], 0);
        CHECK_U64(again.flags[1], PCS_BOUND_BREAKPOINT);
        CHECK(!pcs_request_has_ttl_marker(&again));
    } else {
        CHECK(back && again.flags);
    }
    pcs_trace_free(back);
    pcs_trace_free(trace);
}

static void test_observed_and_ttft(void)
{
    /* What the provider reported, all three counts, and the time to first
     * token in seconds, read back to the same values. */
    pcs_trace *trace = model_trace();
    if (!trace)
        return;
    struct pcs_request req = plain_request(1500);
    req.input_tokens = 5000;
    req.has_observed = 1;
    req.observed.cache_read = 4096;
    req.observed.cache_write = 800;
    req.observed.cache_write_1h = 300;
    req.ttft_ms = 850;
    char line[512];
    CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
    const char *want = "{\"t\":1.5,\"model\":\"m\",\"input_tokens\":5000,\"output_tokens\":3,\"ttft\":0.85,"
                       "\"observed\":{\"cache_read\":4096,\"cache_write\":800,\"cache_write_1h\":300}}\n";
    CHECK(strcmp(line, want) == 0);
    if (strcmp(line, want) != 0)
        fprintf(stderr, "  got %s", line);
    pcs_trace *back = open_one(write_file("observed.jsonl", line));
    struct pcs_request again;
    struct pcs_error err = {0};
    CHECK(back && pcs_trace_next(back, &again, &err) == PCS_OK);
    if (back) {
        CHECK(again.has_observed);
        CHECK_U64(again.observed.cache_read, 4096);
        CHECK_U64(again.observed.cache_write, 800);
        CHECK_U64(again.observed.cache_write_1h, 300);
        CHECK_U64(again.ttft_ms, 850);
    }
    pcs_trace_free(back);
    /* Observed zeros are still observed: the provider said nothing was cached. */
    req.observed.cache_read = req.observed.cache_write = req.observed.cache_write_1h = 0;
    req.ttft_ms = 0;
    CHECK(line_of(trace, &req, line, sizeof line) == PCS_OK);
    CHECK_CONTAINS(line, ",\"observed\":{\"cache_read\":0,\"cache_write\":0,\"cache_write_1h\":0}}");
    CHECK(strstr(line, "ttft") == NULL);
    pcs_trace_free(trace);
}

/* A request from no trace: the caller names its model, and an error names
 * the caller's source and the line the request would have been. */
static void test_named(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct pcs_error err = {0};
    pcs_native_writer *writer = pcs_native_writer_new(out, &err);
    struct pcs_request req = plain_request(1500);
    CHECK(writer && pcs_native_writer_put_named(writer, "gpt-5.4 \"x\"", "trial 4", &req, &err) == PCS_OK);
    req.t_ms = -1;
    CHECK(writer && pcs_native_writer_put_named(writer, "m", "trial 4", &req, &err) == PCS_ERR_RANGE);
    CHECK_CONTAINS(err.message, "trial 4: line 2: field t: -1 ms is before 0");
    CHECK(writer && pcs_native_writer_count(writer) == 1);
    pcs_native_writer_free(writer);
    fclose(out);
    CHECK(text &&
          strcmp(text, "{\"t\":1.5,\"model\":\"gpt-5.4 \\\"x\\\"\",\"input_tokens\":7,\"output_tokens\":3}\n") == 0);
    free(text);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_times();
    test_prompt_and_task();
    test_model_names_escaped();
    test_sessions_never_meet();
    test_write_trace_stops();
    test_unmarked_breakpoint();
    test_observed_and_ttft();
    test_named();
    test_cache_key();
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
