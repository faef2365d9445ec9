/* Trace readers: normalised records, time order, and located errors. Each
 * case writes a small file to a temporary directory and reads it back. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pcsim/trace.h"
#include "trace/fields.h"
#include "trace/one_pass_internal.h"

static char dir[] = "/tmp/pcsim_test_trace_XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char paths[16][256];
    static int next;
    char *path = paths[next++ % 16];
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    return path;
}

static pcs_trace *open_one(const char *path, struct pcs_error *err)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    return pcs_trace_open(&path, 1, &config, err);
}

/* Opens path with threads, lenient or not; returns the trace or NULL with err. */
static pcs_trace *open_with(const char *path, unsigned threads, int lenient, struct pcs_error *err)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    config.threads = threads;
    config.lenient = lenient;
    return pcs_trace_open(&path, 1, &config, err);
}

static void test_mooncake_bounds(void)
{
    const char *path = write_file("m.jsonl", "{\"timestamp\": 5, \"input_length\": 1100, \"output_length\": 3, "
                                             "\"hash_ids\": [7, 8, 9]}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_one(path, &err);
    CHECK(trace != NULL);
    if (!trace)
        return;
    CHECK(pcs_trace_file_format(trace, 0) == PCS_FORMAT_MOONCAKE);
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, 5);
    CHECK_U64(req.bound_count, 3);
    /* Bound i ends at min(512 (i + 1), input_length). */
    CHECK_U64(req.ends[0], 512);
    CHECK_U64(req.ends[1], 1024);
    CHECK_U64(req.ends[2], 1100);
    CHECK_U64(req.units[2], 9);
    CHECK(req.content_blocks == 0); /* fixed-size blocks: lookback does not apply */
    CHECK(strcmp(pcs_trace_model_name(trace, req.model), "default") == 0);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
}

static void test_claude_subagent_offsets(void)
{
    /* The subagent at t = 10 s has requests at 0.5 s and 30.25 s after it:
     * 10500 ms and 40250 ms, merged between the parent's 0, 20 s and 50 s. */
    const char *path = write_file(
        "c.json", "{\"id\": \"x\", \"block_size\": 4, \"requests\": ["
                  "{\"t\": 0, \"type\": \"n\", \"model\": \"big\", \"in\": 9, \"out\": 1, \"hash_ids\": [1, 2]},"
                  "{\"t\": 10, \"type\": \"subagent\", \"requests\": ["
                  "  {\"t\": 0.5, \"model\": \"small\", \"in\": 4, \"out\": 1, \"hash_ids\": [5], \"ttft\": 1.25},"
                  "  {\"t\": 30.25, \"model\": \"small\", \"in\": 8, \"out\": 1, \"hash_ids\": [5, 6]}]},"
                  "{\"t\": 20, \"type\": \"n\", \"ttft\": 0.75, \"model\": \"big\", \"in\": 13, \"out\": 2, "
                  "\"hash_ids\": [1, 2, 3]},"
                  "{\"t\": 50, \"type\": \"n\", \"model\": \"big\", \"in\": 3, \"out\": 2, \"hash_ids\": []}]}");
    struct pcs_error err = {0};
    pcs_trace *trace = open_one(path, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    const int64_t times[] = {0, 10500, 20000, 40250, 50000};
    const char *models[] = {"big", "small", "big", "small", "big"};
    const int64_t ttfts[] = {0, 1250, 750, 0, 0}; /* the optional ttft, seconds */
    struct pcs_request req;
    for (int i = 0; i < 5; i++) {
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        CHECK_U64(req.t_ms, times[i]);
        CHECK_U64(req.ttft_ms, ttfts[i]);
        CHECK(req.content_blocks == 0); /* hash_ids are blocks */
        CHECK(strcmp(pcs_trace_model_name(trace, req.model), models[i]) == 0);
        CHECK(req.namespace_id != 0); /* ids are local to the file */
        if (i == 2) {
            /* Full blocks only: bound i ends at block_size (i + 1). */
            CHECK_U64(req.bound_count, 3);
            CHECK_U64(req.ends[2], 12);
            CHECK_U64(req.input_tokens, 13);
        }
    }
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
}

static void test_native_segments_and_order(void)
{
    /* Out of order lines are sorted; equal times keep file order. */
    const char *path = write_file(
        "n.jsonl",
        "{\"t\": 2, \"model\": \"m\", \"output_tokens\": 1, \"segments\": [{\"id\": \"sys\", \"tokens\": 100, "
        "\"cache\": \"1h\"}, {\"id\": 42, \"tokens\": 50}, {\"id\": \"q\", \"tokens\": 5, \"cache\": \"5m\"}]}\n"
        "{\"t\": 1.0005, \"model\": \"m\", \"input_tokens\": 10, \"output_tokens\": 1, \"task\": \"A\", "
        "\"attempt\": 2, \"ok\": false, \"tier\": \"batch\"}\n"
        "\n"
        "{\"t\": 2, \"model\": \"m\", \"input_tokens\": 70, \"output_tokens\": 1, \"hash_ids\": [1, 2, 3], "
        "\"block_tokens\": 32, \"session\": \"s1\"}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_one(path, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, 1001); /* llround(1.0005 * 1000) */
    CHECK(req.has_task && req.attempt == 2 && req.ok == 0 && req.tier == PCS_TIER_BATCH);
    CHECK_U64(req.bound_count, 0);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, 2000);
    CHECK_U64(req.input_tokens, 155); /* the segments' sum */
    CHECK(req.content_blocks == 1);   /* segments are content blocks */
    CHECK_U64(req.bound_count, 3);
    CHECK_U64(req.ends[1], 150);
    CHECK(req.flags != NULL);
    if (req.flags) {
        CHECK(req.flags[0] == (PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H));
        CHECK(req.flags[1] == 0);
        CHECK(req.flags[2] == (PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M));
    }
    CHECK(req.namespace_id == 0);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.ends[2], 70); /* min(96, input 70) */
    CHECK(req.content_blocks == 0);
    CHECK(req.namespace_id != 0);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
}

static void test_azure(void)
{
    const char *path = write_file("a.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                           "2023-11-16 18:17:03.9799600,4808,10\n"
                                           "2023-11-16 18:17:04.0319,3180,8\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_one(path, &err);
    CHECK(trace != NULL);
    if (!trace)
        return;
    CHECK(pcs_trace_lacks_prefixes(trace));
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    /* 2023-11-16 is day 19677 since 1970; 18:17:03.97996 rounds to .980. */
    CHECK_U64(req.t_ms, 19677ull * 86400000ull + (18 * 3600 + 17 * 60 + 3) * 1000ull + 980);
    CHECK_U64(req.input_tokens, 4808);
    CHECK_U64(req.bound_count, 0);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.output_tokens, 8);
    CHECK(strcmp(pcs_trace_prefixless_format(trace), "Azure CSV") == 0);
    pcs_trace_free(trace);

    /* Calendar days through the one civil-date helper: a leap day is a day (2024-02-29 is day
     * 19782), 2023-02-29 and 2024-04-31 are not. */
    path = write_file("leap.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                  "2024-02-29 00:00:01,10,1\n");
    trace = open_one(path, &err);
    CHECK(trace != NULL);
    if (trace) {
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        CHECK_U64(req.t_ms, 19782ull * 86400000ull + 1000);
        pcs_trace_free(trace);
    }
    const char *const not_days[] = {"2023-02-29 00:00:01", "2024-04-31 00:00:01"};
    for (size_t i = 0; i < 2; i++) {
        char text[128];
        snprintf(text, sizeof text, "TIMESTAMP,ContextTokens,GeneratedTokens\n%s,10,1\n", not_days[i]);
        trace = open_one(write_file("not_a_day.csv", text), &err);
        CHECK(trace == NULL);
        pcs_trace_free(trace);
    }
}

/* A bad record fails the open (a bad time or JSON outline) or, for other
 * fields, the read that reaches it; either way with its place. */
static void expect_error(const char *name, const char *text, const char *place, const char *field)
{
    const char *path = write_file(name, text);
    struct pcs_error err = {0};
    pcs_trace *trace = open_one(path, &err);
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

static void test_errors(void)
{
    const char *good = "{\"timestamp\": 1, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [1, 2]}\n";
    char text[1024];
    snprintf(text, sizeof text, "%s{\"timestamp\": 2, \"input_length\": -5, \"output_length\": 1, \"hash_ids\": []}\n",
             good);
    expect_error("neg.jsonl", text, "neg.jsonl:2", "input_length");
    snprintf(text, sizeof text,
             "%s{\"timestamp\": 2, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [1, 2, 3]}\n", good);
    expect_error("long.jsonl", text, "long.jsonl:2", "hash_ids");
    snprintf(text, sizeof text,
             "%s%s{\"timestamp\": 2, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [1, 2.5]}\n", good,
             good);
    expect_error("frac.jsonl", text, "frac.jsonl:3", "hash_ids[1]");
    expect_error("zero.jsonl",
                 "{\"timestamp\": 2, \"input_length\": 9000, \"output_length\": 1, "
                 "\"hash_ids\": [1, 007, 2, 3, 4, 5, 6, 7, 8, 9]}\n",
                 "zero.jsonl:1", "hash_ids[1]");
    expect_error("zero8.jsonl",
                 "{\"timestamp\": 2, \"input_length\": 9000, \"output_length\": 1, "
                 "\"hash_ids\": [01234567, 1, 2, 3, 4, 5, 6, 7, 8]}\n",
                 "zero8.jsonl:1", "hash_ids[0]");
    expect_error(
        "big.jsonl",
        "{\"timestamp\": 2, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [123456789012345678901234]}\n",
        "big.jsonl:1", "hash_ids[0]");
    expect_error("missing.jsonl", "{\"timestamp\": 2, \"input_length\": 600, \"hash_ids\": []}\n", "missing.jsonl:1",
                 "output_length");
    snprintf(text, sizeof text, "%s{\"timestamp\": 2, \"input_length\": 600, \"output", good);
    expect_error("truncated.jsonl", text, "truncated.jsonl:2", NULL);
    expect_error("empty.jsonl", "", "empty.jsonl", NULL);
    expect_error("garbage.bin", "\x7f\x45\x4c\x46\x01\x02", "garbage.bin", NULL);
    expect_error("sub.json",
                 "{\"block_size\": 4, \"requests\": [{\"t\": 1, \"type\": \"subagent\", \"requests\": ["
                 "{\"t\": 0, \"model\": \"m\", \"in\": 4, \"out\": 1, \"hash_ids\": [1, 2]}]}]}",
                 "requests[0].requests[0]", "hash_ids");
    expect_error("ttft.json",
                 "{\"block_size\": 4, \"requests\": ["
                 "{\"t\": 0, \"model\": \"m\", \"in\": 4, \"out\": 1, \"hash_ids\": [1], \"ttft\": -0.5}]}",
                 "requests[0]", "field ttft");
    expect_error("unknown.jsonl",
                 "{\"t\": 1, \"model\": \"m\", \"input_tokens\": 1, \"output_tokens\": 1, \"sgments\": []}\n",
                 "unknown.jsonl:1", "sgments");
    expect_error("bad.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03,12,x\n", "bad.csv:2",
                 "GeneratedTokens");

    /* Lenient mode counts bad records and keeps the good ones. */
    snprintf(text, sizeof text, "%snot json\n%s", good, good);
    const char *path = write_file("lenient.jsonl", text);
    struct pcs_trace_config config = pcs_trace_config_default();
    struct pcs_error err = {0};
    config.lenient = 1;
    pcs_trace *trace = pcs_trace_open(&path, 1, &config, &err);
    CHECK(trace != NULL);
    if (trace) {
        CHECK_U64(pcs_trace_request_count(trace), 2);
        CHECK_U64(pcs_trace_skipped_count(trace), 1);
        pcs_trace_free(trace);
    }
}

static void test_merge_files(void)
{
    const char *paths[2];
    paths[0] =
        write_file("f1.jsonl", "{\"timestamp\": 10, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1]}\n"
                               "{\"timestamp\": 30, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [3]}\n");
    paths[1] =
        write_file("f2.jsonl", "{\"timestamp\": 10, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [2]}\n"
                               "{\"timestamp\": 20, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [4]}\n");
    struct pcs_trace_config config = pcs_trace_config_default();
    struct pcs_error err = {0};
    pcs_trace *trace = pcs_trace_open(paths, 2, &config, &err);
    CHECK(trace != NULL);
    if (!trace)
        return;
    /* Time order; the tie at 10 keeps file order. */
    const uint64_t expected[] = {1, 2, 4, 3};
    struct pcs_request req;
    for (int i = 0; i < 4; i++) {
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        CHECK_U64(req.units[0], expected[i]);
    }
    pcs_trace_free(trace);
}

/* The ids of req equal expected[0..count). */
static void check_units(const struct pcs_request *req, const uint64_t *expected, size_t count)
{
    CHECK_U64(req->bound_count, count);
    for (size_t i = 0; i < count && i < req->bound_count; i++)
        CHECK_U64(req->units[i], expected[i]);
}

static void test_claude_continued_arrays(void)
{
    /* A conversation re-sends its array and adds ids; pass two parses only
     * past the bytes a record shares with the file's previous one. Each
     * record here shares bytes that end inside a number, at a space, or
     * after the whole previous array, and one shares nothing. */
    const char *path = write_file(
        "cont.json", "{\"block_size\": 1, \"requests\": ["
                     "{\"t\": 0, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [1,2,34]},"
                     "{\"t\": 1, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [1,2,345,6]},"
                     "{\"t\": 2, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [1,2,3]},"
                     "{\"t\": 3, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [1,2,3 , 4,  5,\t6]},"
                     "{\"t\": 4, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [1,2,3 , 4,  5,\t6,7,8]},"
                     "{\"t\": 5, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [9]},"
                     "{\"t\": 6, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": []},"
                     "{\"t\": 7, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [9,10]},"
                     "{\"t\": 8, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [9,10]}"
                     "]}");
    struct pcs_error err = {0};
    pcs_trace *trace = open_one(path, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    static const uint64_t r0[] = {1, 2, 34}, r1[] = {1, 2, 345, 6}, r2[] = {1, 2, 3}, r3[] = {1, 2, 3, 4, 5, 6},
                          r4[] = {1, 2, 3, 4, 5, 6, 7, 8}, r5[] = {9}, r7[] = {9, 10};
    const uint64_t *expected[] = {r0, r1, r2, r3, r4, r5, NULL, r7, r7};
    const size_t counts[] = {3, 4, 3, 6, 8, 1, 0, 2, 2};
    struct pcs_request req;
    for (int i = 0; i < 9; i++) {
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        check_units(&req, expected[i], counts[i]);
        for (size_t b = 0; b < req.bound_count; b++)
            CHECK_U64(req.ends[b], b + 1); /* block_size 1: full blocks */
    }
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
}

static void test_claude_kept_out_of_order(void)
{
    /* Pass one keeps each record's ids, a conversation's next turn
     * appended to the turn before; pass two hands them out in time order,
     * which here is not file order. Record 4 changes an id the others
     * share, so it cannot be appended in place. A subagent entry that says
     * so only after its hash_ids, and a bad request (skipped in lenient
     * mode) that parsed its ids before failing, leave nothing behind. So
     * does a subagent entry with a bad request field before its type: it
     * is a subagent, not a bad request. */
    const char *text =
        "{\"block_size\": 1, \"requests\": ["
        "{\"t\": 5, \"model\": \"m\", \"in\": 99, \"out\": 1, \"hash_ids\": [1, 2]},"
        "{\"t\": 1, \"model\": \"m\", \"in\": 99, \"out\": 2, \"hash_ids\": [1, 2, 3]},"
        "{\"t\": 3, \"model\": \"m\", \"in\": 99, \"out\": 3, \"hash_ids\": [1, 2, 3, 4]},"
        "{\"t\": 7, \"in\": -1, \"hash_ids\": [1, 2, 3, 4, 5, 6, 7], \"type\": \"subagent\", \"requests\": ["
        "  {\"t\": 0, \"model\": \"s\", \"in\": 99, \"out\": 4, \"hash_ids\": [1, 2, 3, 4, 8]}]},"
        "{\"t\": 0, \"model\": \"m\", \"in\": 99, \"out\": 5, \"hash_ids\": [1, 2, 9, 4, 5]},"
        "{\"t\": 2, \"model\": \"m\", \"in\": -1, \"out\": 6, \"hash_ids\": [1, 2, 9, 4, 5, 6, 6]},"
        "{\"t\": 4, \"model\": \"m\", \"in\": 99, \"out\": 7, \"hash_ids\": [1, 2, 9, 4, 5, 6]}"
        "]}";
    const char *path = write_file("kept.json", text);
    struct pcs_error err = {0};
    pcs_trace *trace = open_with(path, 1, 1, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    CHECK_U64(pcs_trace_skipped_count(trace), 1);
    static const uint64_t r0[] = {1, 2}, r1[] = {1, 2, 3}, r2[] = {1, 2, 3, 4}, r3[] = {1, 2, 3, 4, 8},
                          r4[] = {1, 2, 9, 4, 5}, r6[] = {1, 2, 9, 4, 5, 6};
    /* Time order: out 5 (t 0), 2 (t 1), 3 (t 3), 7 (t 4), 1 (t 5), 4 (t 7). */
    const uint64_t *expected[] = {r4, r1, r2, r6, r0, r3};
    const size_t counts[] = {5, 3, 4, 6, 2, 5};
    const uint64_t outs[] = {5, 2, 3, 7, 1, 4};
    struct pcs_request req;
    for (int i = 0; i < 6; i++) {
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        CHECK_U64(req.output_tokens, outs[i]);
        check_units(&req, expected[i], counts[i]);
        CHECK(strcmp(pcs_trace_model_name(trace, req.model), i == 5 ? "s" : "m") == 0);
    }
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);

    /* Strict mode names the bad request. */
    trace = open_with(path, 1, 0, &err);
    CHECK(trace == NULL);
    CHECK_CONTAINS(err.message, "kept.json: requests[5]: field in: negative");
    pcs_trace_free(trace);
}

static void test_claude_ids_not_kept(void)
{
    /* Records that share no ids would make the kept ids (8 bytes each)
     * outgrow the file: from some point on they are not kept, and pass two
     * reads them again. Every record still comes out whole, in time order
     * (here the reverse of file order). */
    enum { RECORDS = 60, IDS = 4000 };
    static char path[256];
    snprintf(path, sizeof path, "%s/not_kept.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        exit(1);
    fputs("{\"block_size\": 1, \"requests\": [", f);
    for (int r = 0; r < RECORDS; r++) {
        fprintf(f, "%s{\"t\": %d, \"model\": \"m\", \"ttft\": %d.5, \"in\": %d, \"out\": %d, \"hash_ids\": [%d",
                r ? "," : "", RECORDS - r, r, IDS, r, 100000 + r);
        for (int i = 1; i < IDS; i++)
            fprintf(f, ",%d", i);
        fputs("]}", f);
    }
    fputs("]}", f);
    if (fclose(f) != 0)
        exit(1);
    struct pcs_error err = {0};
    pcs_trace *trace = open_with(path, 1, 0, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    struct pcs_request req;
    int whole = 1;
    for (int r = RECORDS - 1; r >= 0; r--) {
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        CHECK_U64(req.output_tokens, (uint64_t)r);
        CHECK_U64(req.ttft_ms, 1000 * (uint64_t)r + 500);
        whole &= req.bound_count == IDS && req.units[0] == (uint64_t)(100000 + r);
        for (size_t i = 1; whole && i < req.bound_count; i++)
            whole &= req.units[i] == i && req.ends[i] == i + 1;
    }
    CHECK(whole);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
}

/* Opens path in one pass (whatever its size) or two. */
static pcs_trace *open_pass(const char *path, int stream, int lenient, struct pcs_error *err)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    config.lenient = lenient;
    if (stream)
        return pcs_trace_open_paths_one_pass(&path, 1, &config, 0, err);
    return pcs_trace_open(&path, 1, &config, err);
}

/* Reads path in one pass and in two and requires the same outcome: the
 * same requests, skips and skip messages when both read to the end, or
 * else the same first error (one pass may hand out requests before it;
 * two passes may fail at opening). Returns the one-pass outcome, its
 * message in err. */
static enum pcs_status same_in_one_pass(const char *path, int lenient, struct pcs_error *err)
{
    struct pcs_error err1 = {0}, err2 = {0};
    pcs_trace *one = open_pass(path, 1, lenient, &err1);
    pcs_trace *two = open_pass(path, 0, lenient, &err2);
    CHECK(one != NULL);
    if (!one) {
        pcs_trace_free(two);
        return PCS_ERR_ARG;
    }
    CHECK(pcs_trace_streams(one));
    enum pcs_status s1, s2 = two ? PCS_OK : PCS_ERR_PARSE;
    struct pcs_request a, b;
    int same = 1;
    while ((s1 = pcs_trace_next(one, &a, &err1)) == PCS_OK) {
        if (s2 == PCS_OK)
            s2 = pcs_trace_next(two, &b, &err2);
        if (s2 != PCS_OK)
            continue;
        same &= a.t_ms == b.t_ms && a.bound_count == b.bound_count && a.input_tokens == b.input_tokens &&
                a.output_tokens == b.output_tokens;
        for (size_t i = 0; same && i < a.bound_count; i++)
            same &= a.units[i] == b.units[i] && a.ends[i] == b.ends[i];
    }
    if (s2 == PCS_OK)
        s2 = pcs_trace_next(two, &b, &err2);
    if (s1 != PCS_ERR_ORDER) { /* otherwise the caller starts over with two passes */
        CHECK(same);
        CHECK(s1 == s2 || (!two && s1 != PCS_END));
        if (s1 != PCS_END) {
            CHECK(strcmp(err1.message, err2.message) == 0);
            if (strcmp(err1.message, err2.message) != 0)
                fprintf(stderr, "one pass: %s\ntwo passes: %s\n", err1.message, err2.message);
        }
    }
    if (two && s1 == PCS_END) {
        CHECK_U64(pcs_trace_skipped_count(one), pcs_trace_skipped_count(two));
        char text1[2048] = "", text2[2048] = "";
        FILE *out1 = fmemopen(text1, sizeof text1, "w");
        FILE *out2 = fmemopen(text2, sizeof text2, "w");
        if (out1 && out2) {
            pcs_trace_print_skips(one, out1, 20);
            pcs_trace_print_skips(two, out2, 20);
            fclose(out1);
            fclose(out2);
            CHECK(strcmp(text1, text2) == 0);
            CHECK(strlen(text1) > 0 || pcs_trace_skipped_count(one) == 0);
        }
    }
    pcs_trace_free(one);
    pcs_trace_free(two);
    *err = err1;
    return s1;
}

enum record_kind { GOOD, BAD_FIELD, BAD_TIME, BLANK };

/* Appends a Mooncake line of kind at time t to text (cap bytes). */
static void add_record(char *text, size_t cap, enum record_kind kind, int t)
{
    char line[256] = "\n";
    if (kind == GOOD)
        snprintf(line, sizeof line,
                 "{\"timestamp\": %d, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [1, 2]}\n", t);
    else if (kind == BAD_FIELD)
        snprintf(line, sizeof line,
                 "{\"timestamp\": %d, \"input_length\": -1, \"output_length\": 1, \"hash_ids\": []}\n", t);
    else if (kind == BAD_TIME)
        snprintf(line, sizeof line,
                 "{\"input_length\": -1, \"timestamp\": \"x%d\", \"output_length\": 1, \"hash_ids\": []}\n", t);
    size_t used = strlen(text);
    snprintf(text + used, cap - used, "%s", line);
}

static void test_one_pass(void)
{
    /* A file in time order read in one pass gives what two passes give:
     * the requests, and in lenient mode the skips and their messages,
     * those pass one would make (a bad time) before those of pass two. */
    char text[4096] = "";
    const enum record_kind kinds[] = {GOOD, BAD_FIELD, GOOD, BAD_TIME, GOOD, BLANK, BAD_FIELD, BAD_TIME, GOOD};
    for (int i = 0; i < 9; i++)
        add_record(text, sizeof text, kinds[i], 10 * i);
    struct pcs_error err;
    const char *path = write_file("one.jsonl", text);
    CHECK(same_in_one_pass(path, 1, &err) == PCS_END);
    /* Strict mode reports what two passes report first: the bad time at
     * line 4, not the bad field at line 2. */
    CHECK(same_in_one_pass(path, 0, &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "one.jsonl:4: field timestamp");

    /* Only a bad field: reported once the rest of the file is known to
     * hold no bad time. */
    text[0] = '\0';
    add_record(text, sizeof text, GOOD, 1);
    add_record(text, sizeof text, BAD_FIELD, 2);
    add_record(text, sizeof text, GOOD, 3);
    path = write_file("one_field.jsonl", text);
    CHECK(same_in_one_pass(path, 0, &err) == PCS_ERR_RANGE);
    CHECK_CONTAINS(err.message, "one_field.jsonl:2: field input_length");

    /* A time that goes back, even on a record to be skipped, ends the one
     * pass: the caller must read with an index. */
    text[0] = '\0';
    add_record(text, sizeof text, GOOD, 5);
    add_record(text, sizeof text, GOOD, 7);
    add_record(text, sizeof text, BAD_FIELD, 6);
    path = write_file("back.jsonl", text);
    CHECK(same_in_one_pass(path, 1, &err) == PCS_ERR_ORDER);
    CHECK_CONTAINS(err.message, "back.jsonl:3: time goes back");
    CHECK(same_in_one_pass(path, 0, &err) == PCS_ERR_ORDER);

    /* Nothing valid: the errors two passes give at opening. */
    text[0] = '\0';
    add_record(text, sizeof text, BAD_TIME, 1);
    path = write_file("none.jsonl", text);
    CHECK(same_in_one_pass(path, 1, &err) == PCS_ERR_PARSE);
    CHECK_CONTAINS(err.message, "no valid records (1 skipped)");

    /* A CSV header, read in one pass too. */
    path = write_file("one.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                 "2023-11-16 18:15:46.6805900,374,44\n"
                                 "2023-11-16 18:15:50.9951690,396,109\n");
    CHECK(same_in_one_pass(path, 0, &err) == PCS_END);

    /* A file smaller than the one-pass minimum is indexed as before. */
    struct pcs_trace_config config = pcs_trace_config_default();
    pcs_trace *trace = pcs_trace_open_paths_one_pass(&path, 1, &config, PCS_TRACE_ONE_PASS_MIN_BYTES, &err);
    CHECK(trace != NULL && !pcs_trace_streams(trace));
    pcs_trace_free(trace);
}

static void test_mooncake_ends_and_spacing(void)
{
    /* Ends stay right from one record to the next whatever the lengths: a
     * longer array after a shorter one, a shorter one whose last bound is
     * partial, then a full one again. Elements may be spaced any way JSON
     * allows. */
    const char *path = write_file(
        "ends.jsonl", "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 1, \"hash_ids\": [1, 2, 3]}\n"
                      "{\"timestamp\": 1, \"input_length\": 2048, \"output_length\": 1, \"hash_ids\": [1,2,3,4]}\n"
                      "{\"timestamp\": 2, \"input_length\": 600, \"output_length\": 1, \"hash_ids\": [1,  2]}\n"
                      "{\"timestamp\": 3, \"input_length\": 5000, \"output_length\": 1, "
                      "\"hash_ids\": [ 1 ,2 ,\t 3, 4,5 ]}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_one(path, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    static const uint32_t e0[] = {512, 1024, 1100}, e1[] = {512, 1024, 1536, 2048}, e2[] = {512, 600},
                          e3[] = {512, 1024, 1536, 2048, 2560};
    const uint32_t *expected[] = {e0, e1, e2, e3};
    const size_t counts[] = {3, 4, 2, 5};
    static const uint64_t units[] = {1, 2, 3, 4, 5};
    struct pcs_request req;
    for (int i = 0; i < 4; i++) {
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        check_units(&req, units, counts[i]);
        for (size_t b = 0; b < counts[i] && b < req.bound_count; b++)
            CHECK_U64(req.ends[b], expected[i][b]);
    }
    pcs_trace_free(trace);
}

/* Everything read from path: each request's fields, units and ends, then
 * how the read ended, with the message from the file's name on. */
static void read_summary(const char *path, char *out, size_t cap)
{
    struct pcs_error err = {0};
    pcs_trace *trace = open_one(path, &err);
    size_t at = 0;
    struct pcs_request req;
    enum pcs_status status = trace ? PCS_OK : PCS_ERR_PARSE;
    while (trace && (status = pcs_trace_next(trace, &req, &err)) == PCS_OK && at < cap) {
        at += (size_t)snprintf(out + at, cap - at, "t=%lld in=%llu out=%llu:", (long long)req.t_ms,
                               (unsigned long long)req.input_tokens, (unsigned long long)req.output_tokens);
        for (size_t b = 0; b < req.bound_count && at < cap; b++)
            at += (size_t)snprintf(out + at, cap - at, " %llu/%u", (unsigned long long)req.units[b], req.ends[b]);
        if (at < cap)
            at += (size_t)snprintf(out + at, cap - at, "\n");
    }
    const char *message = strstr(err.message, ".jsonl:");
    if (at < cap)
        snprintf(out + at, cap - at, "status %d %s", (int)status, status == PCS_END ? "" : message ? message : "?");
    pcs_trace_free(trace);
}

static void test_mooncake_layout(void)
{
    /* A record laid out as Mooncake's traces are, and the same record with
     * its keys in another order, give the same requests, and the same error
     * (after the file's name, which differs by one letter) when bad. */
    static const char *const cases[][4] = {
        {"5", "1100", "3", "7, 8, 9"},
        {"0", "2560", "1", "0, 12345678, 99999999, 100000000, 5"},
        {"1", "1536", "1", "1234567890123456789, 1, 2"},
        {"1", "1536", "1", "1, 007, 2"},
        {"1", "1536", "1", "1, 2.5, 3"},
        {"1", "1536", "1", "1, -2, 3"},
        {"1", "1536", "1", "1,  2 ,3"},
        {"1", "600", "1", "1, 2, 3"},
        {"1", "-5", "1", "1"},
        {"1", "1e3", "1", "1"},
        {"1", "600", "07", "1"},
        {"2.5", "600", "1", "1"},
        {"99999999999999999999", "600", "1", "1"},
        {"1", "600", "1", ""},
        {"1", "600", "1", "1, 2"},
        /* Long enough for the 8-bytes-at-a-time loop. */
        {"1", "9000", "1", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17"},
        {"1", "9000", "1", "1, 2, 3, 007, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14"},
        {"1", "9000", "1", "12345678, 123456789, 1234567, 0, 10, 20, 30, 40, 50"},
        {"1", "9000", "1", "1, 2, 3, 4,5, 6,  7, 8 , 9, 10, 11, 12, 13"},
        {"1", "9000", "1", "1, 2, 3, 4, 5.5, 6, 7, 8, 9, 10, 11, 12, 13"},
        {"1", "9000", "1", "1, 2, 3, 4, -5, 6, 7, 8, 9, 10, 11, 12, 13"},
        {"1", "9000", "1", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18"},
    };
    char layout[512], general[512];
    static char got_layout[4096], got_general[4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const *c = cases[i];
        snprintf(layout, sizeof layout,
                 "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1]}\n"
                 "{\"timestamp\": %s, \"input_length\": %s, \"output_length\": %s, \"hash_ids\": [%s]}\n",
                 c[0], c[1], c[2], c[3]);
        snprintf(general, sizeof general,
                 "{\"input_length\": 1, \"timestamp\": 0, \"output_length\": 1, \"hash_ids\": [1]}\n"
                 "{\"input_length\": %s, \"timestamp\": %s, \"output_length\": %s, \"hash_ids\": [%s]}\n",
                 c[1], c[0], c[2], c[3]);
        read_summary(write_file("layout_L.jsonl", layout), got_layout, sizeof got_layout);
        read_summary(write_file("layout_G.jsonl", general), got_general, sizeof got_general);
        if (strcmp(got_layout, got_general) != 0)
            fprintf(stderr, "case %zu:\n  layout:  %s\n  general: %s\n", i, got_layout, got_general);
        CHECK(strcmp(got_layout, got_general) == 0);
    }
    /* The cases above that are good give these units. */
    read_summary(write_file("layout_L.jsonl", "{\"timestamp\": 0, \"input_length\": 2560, \"output_length\": 1, "
                                              "\"hash_ids\": [0, 12345678, 99999999, 100000000, 5]}\n"),
                 got_layout, sizeof got_layout);
    CHECK_CONTAINS(got_layout, " 0/512 12345678/1024 99999999/1536 100000000/2048 5/2560\nstatus");
}

/* Writes a Mooncake file of about 17 MiB, large enough to be indexed in
 * pieces on several threads: times mostly rising with some going back,
 * and blank lines. */
static const char *write_large(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        exit(1);
    char ids[256];
    int at = 0;
    for (int i = 0; i < 30; i++)
        at += snprintf(ids + at, sizeof ids - (size_t)at, "%s%d", i ? ", " : "", 1000 + i);
    for (unsigned line = 1; line <= 110000; line++) {
        if (line % 50000 == 0)
            fputs("\n", f);
        else
            fprintf(f, "{\"timestamp\": %u, \"input_length\": 15360, \"output_length\": %u, \"hash_ids\": [%s]}\n",
                    line % 7 == 0 ? line / 2 : line, line, ids);
    }
    if (fclose(f) != 0)
        exit(1);
    return path;
}

static void test_index_on_threads(void)
{
    /* Indexed on one thread or in pieces on three, a file gives the same
     * requests in the same order, and the same errors and skips, which name
     * the same lines. */
    const char *good = write_large("large.jsonl");
    struct pcs_error err1 = {0}, err3 = {0};
    pcs_trace *one = open_with(good, 1, 0, &err1);
    pcs_trace *three = open_with(good, 3, 0, &err3);
    CHECK(one != NULL && three != NULL);
    if (one && three) {
        CHECK_U64(pcs_trace_request_count(one), 109998);
        CHECK_U64(pcs_trace_request_count(three), pcs_trace_request_count(one));
        struct pcs_request a, b;
        int same = 1;
        uint64_t n = 0;
        enum pcs_status sa, sb;
        while ((sa = pcs_trace_next(one, &a, &err1)) == PCS_OK && (sb = pcs_trace_next(three, &b, &err3)) == PCS_OK) {
            same &= a.t_ms == b.t_ms && a.output_tokens == b.output_tokens;
            n++;
        }
        CHECK(same);
        CHECK_U64(n, 109998);
    }
    pcs_trace_free(one);
    pcs_trace_free(three);

    /* A record whose time pass one rejects, in the second half: strict
     * mode stops at its line; lenient mode skips it, naming its line. */
    const char *bad = write_large("large_bad.jsonl");
    FILE *f = fopen(bad, "r+b");
    CHECK(f != NULL);
    if (!f)
        return;
    /* Line 80001 starts at a known place: overwrite its time with a string. */
    char line[512];
    long offset = 0;
    for (unsigned i = 1; i < 80001 && fgets(line, sizeof line, f); i++)
        offset = ftell(f);
    fseek(f, offset + (long)strlen("{\"timestamp\": "), SEEK_SET);
    fputc('"', f);
    fclose(f);
    one = open_with(bad, 1, 0, &err1);
    three = open_with(bad, 3, 0, &err3);
    CHECK(one == NULL && three == NULL);
    CHECK_CONTAINS(err1.message, "large_bad.jsonl:80001: field timestamp");
    CHECK(strcmp(err1.message, err3.message) == 0);
    pcs_trace_free(one);
    pcs_trace_free(three);
    one = open_with(bad, 1, 1, &err1);
    three = open_with(bad, 3, 1, &err3);
    CHECK(one != NULL && three != NULL);
    if (one && three) {
        CHECK_U64(pcs_trace_skipped_count(one), 1);
        CHECK_U64(pcs_trace_skipped_count(three), 1);
        CHECK_U64(pcs_trace_request_count(three), 109997);
        char text1[512] = "", text3[512] = "";
        FILE *out1 = fmemopen(text1, sizeof text1, "w");
        FILE *out3 = fmemopen(text3, sizeof text3, "w");
        if (out1 && out3) {
            pcs_trace_print_skips(one, out1, 5);
            pcs_trace_print_skips(three, out3, 5);
            fclose(out1);
            fclose(out3);
            CHECK_CONTAINS(text3, "large_bad.jsonl:80001:");
            CHECK(strcmp(text1, text3) == 0);
        }
    }
    pcs_trace_free(one);
    pcs_trace_free(three);
}

/* Writes Claude-Code session k of the kept-ids test: a conversation of
 * KEPT_TURNS turns, turn j re-sending the ids before it and adding
 * KEPT_STEP_IDS more (ids k*100000+1, +2, ...), and a subagent with 7
 * ids of its own (k*100000+50001, ...). A request's input tokens say
 * which it is: 64 per id, plus 1 + k. */
#define KEPT_TURNS 30
#define KEPT_STEP_IDS 150
static const char *write_kept_ids_session(unsigned k)
{
    char name[32];
    snprintf(name, sizeof name, "kept_ids_%u.json", k);
    size_t cap = (size_t)KEPT_TURNS * KEPT_TURNS * KEPT_STEP_IDS * 8 + 4096;
    char *text = malloc(cap);
    if (!text)
        exit(1);
    size_t len = (size_t)snprintf(text, cap, "{\"block_size\": 64, \"requests\": [");
    for (unsigned j = 0; j < KEPT_TURNS; j++) {
        unsigned n = KEPT_STEP_IDS * (j + 1);
        len += (size_t)snprintf(text + len, cap - len,
                                "%s{\"t\": %u, \"model\": \"m\", \"in\": %u, \"out\": 1, \"hash_ids\": [",
                                j ? ", " : "", j * 10 + k, 64 * n + 1 + k);
        for (unsigned i = 0; i < n; i++)
            len += (size_t)snprintf(text + len, cap - len, "%s%u", i ? "," : "", k * 100000 + i + 1);
        len += (size_t)snprintf(text + len, cap - len, "]}");
        if (j == 2) {
            len += (size_t)snprintf(text + len, cap - len,
                                    ", {\"type\": \"subagent\", \"t\": 25, \"requests\": [{\"t\": 0.5, \"model\": "
                                    "\"m\", \"in\": %u, \"out\": 1, \"hash_ids\": [",
                                    64 * 7 + 1 + k);
            for (unsigned i = 0; i < 7; i++)
                len += (size_t)snprintf(text + len, cap - len, "%s%u", i ? "," : "", k * 100000 + 50000 + i + 1);
            len += (size_t)snprintf(text + len, cap - len, "]}]}");
        }
    }
    snprintf(text + len, cap - len, "]}\n");
    const char *path = write_file(name, text);
    free(text);
    return path;
}

/* Files read on one thread or on two: every request gets exactly its own
 * ids, whichever thread kept them. */
static void test_claude_files_keep_ids(void)
{
    enum { FILES = 5 };
    const char *paths[FILES];
    for (unsigned k = 0; k < FILES; k++)
        paths[k] = write_kept_ids_session(k);
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct pcs_trace_config config = pcs_trace_config_default();
        config.threads = threads;
        struct pcs_error err = {0};
        pcs_trace *trace = pcs_trace_open(paths, FILES, &config, &err);
        CHECK(trace != NULL);
        if (!trace) {
            fprintf(stderr, "%s\n", err.message);
            continue;
        }
        CHECK_U64(pcs_trace_request_count(trace), FILES * (KEPT_TURNS + 1));
        struct pcs_request req;
        uint64_t requests = 0, wrong = 0, subagents = 0;
        while (pcs_trace_next(trace, &req, &err) == PCS_OK) {
            size_t n = req.bound_count;
            uint64_t k = req.input_tokens - 64 * n - 1;
            int subagent = n % KEPT_STEP_IDS != 0;
            subagents += (uint64_t)subagent;
            uint64_t first = k * 100000 + (subagent ? 50000 : 0) + 1;
            for (size_t i = 0; i < n; i++)
                wrong += req.units[i] != first + i;
            requests++;
        }
        CHECK_U64(requests, FILES * (KEPT_TURNS + 1));
        CHECK_U64(subagents, FILES);
        CHECK_U64(wrong, 0);
        pcs_trace_free(trace);
    }
}

/* A store that outgrows its room grows, taking every array it holds. */
static void test_ids_store_grows(void)
{
    struct ids_store store;
    memset(&store, 0, sizeof store);
    CHECK(pcs_ids_store_open(&store, 16) == 0);
    /* Arrays [1..3000], [1..6000] (continues it), [7, 8, 9], [7..20006]:
     * each passes the room the store had. */
    const unsigned firsts[4] = {1, 1, 7, 7};
    const unsigned counts[4] = {3000, 6000, 3, 20000};
    size_t at[4];
    char *texts[4]; /* the store compares each array with the one before */
    for (unsigned a = 0; a < 4; a++) {
        size_t cap = (size_t)counts[a] * 8 + 64;
        char *text = texts[a] = calloc(1, cap + TRACE_READ_PADDING);
        if (!text)
            exit(1);
        size_t len = (size_t)snprintf(text, cap, "[");
        for (unsigned i = 0; i < counts[a]; i++)
            len += (size_t)snprintf(text + len, cap - len, "%s%u", i ? "," : "", firsts[a] + i);
        len += (size_t)snprintf(text + len, cap - len, "]");
        struct js_cursor c;
        pcs_js_init(&c, text, text + len);
        struct record_loc loc = {"store", 1, NULL};
        struct pcs_error err = {0};
        const uint64_t *ids = NULL;
        size_t count = 0;
        CHECK(pcs_field_hash_ids(NULL, &c, &loc, "hash_ids", &store, &ids, &count, &err) == PCS_OK);
        CHECK_U64(count, counts[a]);
        at[a] = ids ? (size_t)(ids - store.ids) : 0;
    }
    CHECK_U64(at[1], at[0]); /* the second array continued the first */
    uint64_t wrong = 0;
    for (unsigned a = 0; a < 4; a++)
        for (unsigned i = 0; i < counts[a]; i++)
            wrong += store.ids[at[a] + i] != firsts[a] + i;
    CHECK_U64(wrong, 0);
    pcs_ids_store_free(&store);
    for (unsigned a = 0; a < 4; a++)
        free(texts[a]);
}

static void test_long_last_line(void)
{
    /* A line longer than the reading window (256 KiB) that ends the file:
     * its window grows past the end of the file, and only the bytes the
     * file has may be asked for (a conversation's thousands of segments
     * make such lines). The same line followed by another must read too. */
    const size_t segments = 12000;
    size_t cap = segments * 40 + 256;
    char *text = malloc(cap);
    CHECK(text != NULL);
    if (!text)
        return;
    for (int with_next = 0; with_next < 2; with_next++) {
        size_t used = (size_t)snprintf(text, cap, "{\"t\": 1, \"model\": \"m\", \"output_tokens\": 1, \"segments\": [");
        for (size_t i = 0; i < segments; i++)
            used += (size_t)snprintf(text + used, cap - used, "%s{\"id\": \"s%zu\", \"tokens\": 1}", i ? ", " : "", i);
        used += (size_t)snprintf(text + used, cap - used, "]}\n");
        if (with_next)
            snprintf(text + used, cap - used,
                     "{\"t\": 2, \"model\": \"m\", \"input_tokens\": 5, \"output_tokens\": 1}\n");
        CHECK(strlen(text) > (size_t)256 << 10);
        struct pcs_error err = {0};
        pcs_trace *trace = open_one(write_file(with_next ? "long_then_short.jsonl" : "long_last.jsonl", text), &err);
        CHECK(trace != NULL);
        struct pcs_request req;
        enum pcs_status status = trace ? pcs_trace_next(trace, &req, &err) : PCS_ERR_IO;
        CHECK(status == PCS_OK);
        if (status == PCS_OK) {
            CHECK_U64(req.bound_count, segments);
            CHECK_U64(req.input_tokens, segments);
        } else {
            fprintf(stderr, "  long line: %s\n", err.message);
        }
        CHECK(trace && pcs_trace_next(trace, &req, &err) == (with_next ? PCS_OK : PCS_END));
        pcs_trace_free(trace);
    }
    free(text);
}

/* The first stop ('"', '\\', below 0x20) in [p, end), or end: byte by byte,
 * as DESIGN words it, for holding the scanner's fast ways to. */
static const char *stop_by_bytes(const char *p, const char *end)
{
    while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
        p++;
    return p;
}

static uint64_t stop_rng = 0x9e3779b97f4a7c15ull;

static unsigned stop_rand(void)
{
    stop_rng ^= stop_rng << 13;
    stop_rng ^= stop_rng >> 7;
    stop_rng ^= stop_rng << 17;
    return (unsigned)(stop_rng >> 32);
}

/* A byte that is no stop, often one next to a stop's value or with a stop's
 * low seven bits under the high one (0xA2 is '"' | 0x80, 0xDC is '\\' | 0x80). */
static char plain_byte(void)
{
    static const unsigned char near[] = {0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0x9F, 0xA0, 0xFF, 'a'};
    unsigned r = stop_rand();
    return (char)(r % 3 ? near[(r >> 8) % sizeof near] : 0x20 + (r >> 8) % 0xE0);
}

static char stop_byte(void)
{
    unsigned r = stop_rand() % 4;
    return (char)(r == 0 ? '"' : r == 1 ? '\\' : stop_rand() % 0x20);
}

static void test_stop_scan_ways_agree(void)
{
    /* The string scanner's 16-byte (SSE2) and 8-byte (SWAR) ways to the
     * end of a plain run agree with a byte-by-byte scan: at every
     * alignment, for lengths around 8/16/32/64, with the stop at every
     * offset (or none, with one just past the end that must not be seen). */
    static const size_t lengths[] = {0,  1,  2,  7,  8,  9,  15, 16, 17, 23, 24, 25,
                                     31, 32, 33, 47, 48, 49, 63, 64, 65, 79, 80, 81};
    _Alignas(16) char buf[160];
    uint64_t wrong = 0, cases = 0;
    for (size_t align = 0; align < 16; align++) {
        for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
            size_t n = lengths[l];
            for (size_t k = 0; k <= n; k++) {
                char *p = buf + align;
                for (size_t i = 0; i < sizeof buf - align; i++)
                    p[i] = plain_byte();
                if (k < n)
                    p[k] = stop_byte();
                if (align + n < sizeof buf)
                    p[n] = '"'; /* past the end */
                if (k + 1 < n && stop_rand() % 2)
                    p[k + 1 + stop_rand() % (n - k - 1)] = stop_byte(); /* a later stop too */
                const char *expected = stop_by_bytes(p, p + n);
                wrong += pcs_js_stop_scan(p, p + n, 0) != expected;
                wrong += pcs_js_stop_scan(p, p + n, 1) != expected;
                cases++;
            }
        }
    }
    /* Random runs with stops scattered at random densities. */
    for (int round = 0; round < 20000; round++) {
        size_t align = stop_rand() % 16, n = stop_rand() % (sizeof buf - 16);
        unsigned density = 1 + stop_rand() % 200;
        char *p = buf + align;
        for (size_t i = 0; i < n; i++)
            p[i] = stop_rand() % density == 0 ? stop_byte() : plain_byte();
        const char *expected = stop_by_bytes(p, p + n);
        wrong += pcs_js_stop_scan(p, p + n, 0) != expected;
        wrong += pcs_js_stop_scan(p, p + n, 1) != expected;
        cases++;
    }
    CHECK(cases > 20000);
    CHECK_U64(wrong, 0);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_mooncake_bounds();
    test_claude_subagent_offsets();
    test_native_segments_and_order();
    test_azure();
    test_errors();
    test_merge_files();
    test_claude_continued_arrays();
    test_claude_kept_out_of_order();
    test_claude_ids_not_kept();
    test_one_pass();
    test_mooncake_ends_and_spacing();
    test_mooncake_layout();
    test_index_on_threads();
    test_claude_files_keep_ids();
    test_ids_store_grows();
    test_long_last_line();
    test_stop_scan_ways_agree();
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
