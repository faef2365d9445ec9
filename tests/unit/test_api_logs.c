/* Request-log readers (openai-log, anthropic-log, litellm): usage
 * normalised as docs/design.md §8 says, observed usage kept, the prompt's
 * units from content (token counts checked against gpt-tokenizer, the npm
 * package the ranks come from) and from counts alone, and located errors.
 * Every expectation is worked out by hand from the design's rules. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pcsim/trace.h"
#include "trace/api_log.h"
#include "trace/one_pass_internal.h"
#include "trace/trace_internal.h"

static char dir[] = "/tmp/pcsim_test_api_logs_XXXXXX";

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

static pcs_trace *open_as(const char *path, enum pcs_trace_format format, int lenient, struct pcs_error *err)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    config.format = format;
    config.lenient = lenient;
    return pcs_trace_open(&path, 1, &config, err);
}

/* The one error opening (or reading) text gives. */
static void expect_error(const char *name, const char *text, const char *part)
{
    const char *path = write_file(name, text);
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    struct pcs_request req;
    enum pcs_status status = PCS_OK;
    while (trace && (status = pcs_trace_next(trace, &req, &err)) == PCS_OK)
        ;
    CHECK(trace == NULL || status != PCS_END);
    CHECK_CONTAINS(err.message, part);
    pcs_trace_free(trace);
}

/* 2026-03-01T12:00:00Z */
#define MARCH_1_NOON_MS 1772366400000ll

/* Token counts by gpt-tokenizer (o200k_base; cl100k_base the same unless
 * said): "You are a helpful assistant." 6, "Hello, world!" 4, "Hi" 1, the
 * tool definition {"type":"function","function":{"name":"get_weather"}} 12,
 * "Be brief." 3, "What is 2+2?" 7, "Привет, мир!" 5 (cl100k_base: 7). */

static void test_openai_chat(void)
{
    const char *path = write_file(
        "chat.jsonl",
        "{\"timestamp\": \"2026-03-01T12:00:00.250Z\", \"request\": {\"model\": \"gpt-4o\", "
        "\"tools\": [{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}], "
        "\"messages\": [{\"role\": \"system\", \"content\": \"You are a helpful assistant.\"}, "
        "{\"role\": \"user\", \"content\": \"Hello, world!\"}], \"prompt_cache_key\": \"k1\", \"service_tier\": "
        "\"auto\"}, \"response\": {\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"created\": 1772366400, "
        "\"model\": \"gpt-4o-2024-08-06\", \"service_tier\": \"flex\", \"choices\": [], \"usage\": "
        "{\"prompt_tokens\": 2200, \"completion_tokens\": 5, \"total_tokens\": 2205, \"prompt_tokens_details\": "
        "{\"cached_tokens\": 1024}}}}\n"
        /* The next turn re-sends the history and adds two messages. */
        "{\"timestamp\": \"2026-03-01T12:01:00Z\", \"request\": {\"model\": \"gpt-4o\", "
        "\"tools\": [{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}], "
        "\"messages\": [{\"role\": \"system\", \"content\": \"You are a helpful assistant.\"}, "
        "{\"role\": \"user\", \"content\": \"Hello, world!\"}, {\"role\": \"assistant\", \"content\": \"Hi\"}, "
        "{\"role\": \"user\", \"content\": \"Hello, world!\"}]}, \"response\": {\"object\": \"chat.completion\", "
        "\"usage\": {\"prompt_tokens\": 23, \"completion_tokens\": 1}}}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    CHECK(pcs_trace_file_format(trace, 0) == PCS_FORMAT_OPENAI_LOG);
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, MARCH_1_NOON_MS + 250);
    CHECK(strcmp(pcs_trace_model_name(trace, req.model), "gpt-4o") == 0); /* the request's model */
    CHECK_U64(req.input_tokens, 2200); /* OpenAI's prompt_tokens include the cached ones */
    CHECK_U64(req.output_tokens, 5);
    CHECK(req.has_observed);
    CHECK_U64(req.observed.cache_read, 1024);
    CHECK_U64(req.observed.cache_write, 0);
    CHECK_U64(req.tier, PCS_TIER_FLEX); /* the response's tier: the one that served */
    CHECK(req.ok);
    /* Units 12, 6, 4 (C = 22) scaled to 2200: 1200, 600, 400. */
    CHECK_U64(req.bound_count, 3);
    CHECK_U64(req.ends[0], 1200);
    CHECK_U64(req.ends[1], 1800);
    CHECK_U64(req.ends[2], 2200);
    CHECK(req.flags == NULL);
    uint64_t first_units[3];
    memcpy(first_units, req.units, sizeof first_units);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, MARCH_1_NOON_MS + 60000);
    /* Units 12, 6, 4, 1, 4 (C = 27) scaled to 23: 10.22, 5.11, 3.41, 0.85,
     * 3.41 -> 10, 5, 3, 0, 3 (21), and the 2 left go to the largest
     * fractional parts, 0.85 and then 0.41 (the earlier unit): 10, 5, 4, 1, 3. */
    CHECK_U64(req.bound_count, 5);
    CHECK_U64(req.ends[0], 10);
    CHECK_U64(req.ends[1], 15);
    CHECK_U64(req.ends[2], 19);
    CHECK_U64(req.ends[3], 20);
    CHECK_U64(req.ends[4], 23);
    /* The same tool, system and first user message: the same units. */
    CHECK(req.units[0] == first_units[0] && req.units[1] == first_units[1] && req.units[2] == first_units[2]);
    /* The same text in another role is another unit. */
    CHECK(req.units[4] == req.units[2]);
    CHECK(req.units[3] != req.units[2]);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    CHECK(pcs_trace_counts_only_format(trace) == NULL);
    pcs_trace_free(trace);
}

/* GPT-5.6+ explicit breakpoints (docs/design.md §7): a content block's
 * prompt_cache_breakpoint marks its end; in the default implicit mode
 * OpenAI also writes at the newest message (the last unit), in explicit
 * mode only at the marked blocks. cache_write_tokens is the observed
 * write; prompt_cache_key is the request's cache_key. */
static void test_openai_breakpoints(void)
{
#define BP_INPUT(options)                                                                                              \
    "{\"timestamp\": 1772366400, \"request\": {\"model\": \"gpt-5.6\", " options "\"input\": [{\"role\": "             \
    "\"developer\", \"content\": [{\"type\": \"input_text\", \"text\": \"You are a helpful assistant.\", "             \
    "\"prompt_cache_breakpoint\": {\"mode\": \"explicit\"}}]}, {\"role\": \"user\", \"content\": [{\"type\": "         \
    "\"input_text\", \"text\": \"Hello, world!\"}]}]}, \"response\": {\"object\": \"response\", \"usage\": "           \
    "{\"input_tokens\": 2200, \"output_tokens\": 5, \"input_tokens_details\": {\"cached_tokens\": 0, "                 \
    "\"cache_write_tokens\": 1500}}}}\n"
    const char *path =
        write_file("breakpoints.jsonl", BP_INPUT("\"prompt_cache_key\": \"user-1\", ") BP_INPUT(
                                            "\"prompt_cache_options\": {\"mode\": \"explicit\", \"ttl\": \"30m\"}, "));
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    CHECK(trace != NULL);
    if (!trace)
        return;
    struct pcs_request req;
    /* Units 6 and 4 tokens (C = 10) scaled to 2200: 1320 and 880. */
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.bound_count, 2);
    CHECK_U64(req.ends[0], 1320);
    CHECK(req.flags != NULL);
    CHECK(req.flags && req.flags[0] == PCS_BOUND_BREAKPOINT && req.flags[1] == PCS_BOUND_BREAKPOINT);
    CHECK(req.has_observed);
    CHECK_U64(req.observed.cache_write, 1500);
    CHECK(req.cache_key == pcs_request_cache_key_hash("user-1", 6));
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK(req.flags && req.flags[0] == PCS_BOUND_BREAKPOINT && req.flags[1] == 0); /* explicit: the marked only */
    CHECK_U64(req.cache_key, 0);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
#undef BP_INPUT
    expect_error("bp_mode.jsonl",
                 "{\"timestamp\": 1772366400, \"request\": {\"model\": \"gpt-5.6\", \"input\": [{\"role\": "
                 "\"user\", \"content\": [{\"type\": \"input_text\", \"text\": \"Hi\", \"prompt_cache_breakpoint\": "
                 "{\"mode\": \"implicit\"}}]}]}, \"response\": {\"object\": \"response\", \"usage\": "
                 "{\"input_tokens\": 20, \"output_tokens\": 5}}}\n",
                 "bp_mode.jsonl:1: field request.input[0].content[0].prompt_cache_breakpoint.mode: unknown mode "
                 "\"implicit\" (explicit)");
    expect_error("bp_options.jsonl",
                 "{\"timestamp\": 1772366400, \"request\": {\"model\": \"gpt-5.6\", \"prompt_cache_options\": "
                 "{\"mode\": \"auto\"}, \"input\": \"Hi\"}, \"response\": {\"object\": \"response\", \"usage\": "
                 "{\"input_tokens\": 20, \"output_tokens\": 5}}}\n",
                 "bp_options.jsonl:1: field request.prompt_cache_options.mode: unknown mode \"auto\" (implicit or "
                 "explicit)");
}

static void test_openai_responses_and_stream(void)
{
    const char *path = write_file(
        "responses.jsonl",
        /* No timestamp: the response's created_at. */
        "{\"request\": {\"model\": \"gpt-5.4\", \"instructions\": \"Be brief.\", \"input\": \"What is 2+2?\"}, "
        "\"response\": {\"id\": \"resp_1\", \"object\": \"response\", \"created_at\": 1772366400, \"status\": "
        "\"completed\", \"error\": null, \"usage\": {\"input_tokens\": 1001, \"input_tokens_details\": "
        "{\"cached_tokens\": 512, \"cache_write_tokens\": 256}, \"output_tokens\": 9, \"output_tokens_details\": "
        "{\"reasoning_tokens\": 0}, \"total_tokens\": 1010}}}\n"
        /* A stream (stream_options.include_usage): the usage is on the last chunk. */
        "{\"request\": {\"model\": \"gpt-4o\", \"stream\": true, \"stream_options\": {\"include_usage\": true}, "
        "\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hello, world!\"}]}]}, "
        "\"response\": [{\"object\": \"chat.completion.chunk\", \"created\": 1772366401, \"choices\": [{\"index\": 0, "
        "\"delta\": {\"content\": \"Hi\"}}], \"usage\": null}, {\"object\": \"chat.completion.chunk\", \"created\": "
        "1772366401, \"choices\": [], \"usage\": {\"prompt_tokens\": 2048, \"completion_tokens\": 7, "
        "\"prompt_tokens_details\": {\"cached_tokens\": 1024}}}]}\n"
        /* A Responses stream: response.created, then response.completed with the usage. */
        "{\"request\": {\"model\": \"gpt-5.4\", \"stream\": true, \"input\": [{\"type\": \"message\", \"role\": "
        "\"user\", \"content\": [{\"type\": \"input_text\", \"text\": \"Hello, world!\"}]}, {\"type\": "
        "\"function_call_output\", \"call_id\": \"c1\", \"output\": \"42\"}]}, \"response\": [{\"type\": "
        "\"response.created\", \"response\": {\"object\": \"response\", \"created_at\": 1772366402, \"status\": "
        "\"in_progress\", \"usage\": null}}, {\"type\": \"response.completed\", \"response\": {\"object\": "
        "\"response\", \"created_at\": 1772366402, \"status\": \"completed\", \"usage\": {\"input_tokens\": 50, "
        "\"input_tokens_details\": {\"cached_tokens\": 0}, \"output_tokens\": 4}}}]}\n"
        /* Empty texts count 0 tokens: C = 0 puts all of the input on the
         * last unit, and the first, left with none, folds into it. */
        "{\"timestamp\": 1772366403, \"request\": {\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", "
        "\"content\": \"\"}, {\"role\": \"assistant\", \"content\": \"\"}]}, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 7, \"completion_tokens\": 1}}}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, MARCH_1_NOON_MS);
    CHECK_U64(req.input_tokens, 1001);
    CHECK_U64(req.observed.cache_read, 512);
    CHECK_U64(req.observed.cache_write, 256); /* GPT-5.6+ reports its writes */
    /* instructions 3 and input 7 (C = 10) scaled to 1001: 300.3 and 700.7
     * -> 300 and 700, the one left to the larger fraction: 300, 701. */
    CHECK_U64(req.bound_count, 2);
    CHECK_U64(req.ends[0], 300);
    CHECK_U64(req.ends[1], 1001);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, MARCH_1_NOON_MS + 1000); /* the first chunk's created */
    CHECK_U64(req.input_tokens, 2048);
    CHECK_U64(req.output_tokens, 7);
    CHECK_U64(req.observed.cache_read, 1024);
    CHECK_U64(req.bound_count, 1); /* one text block */
    CHECK_U64(req.ends[0], 2048);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, MARCH_1_NOON_MS + 2000); /* the first event's response.created_at */
    CHECK_U64(req.input_tokens, 50);
    CHECK_U64(req.output_tokens, 4);
    /* The input_text block's text (4 tokens) and the function_call_output
     * item, whose tokens are its JSON text's as logged, {"type":
     * "function_call_output", "call_id": "c1", "output": "42"}: 22 (C = 26);
     * scaled to 50: 7.69 and 42.31 -> 7 and 42, the one left to the larger
     * fraction: 8, 42. */
    CHECK_U64(req.bound_count, 2);
    CHECK_U64(req.ends[0], 8);
    CHECK_U64(req.ends[1], 50);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.input_tokens, 7);
    CHECK_U64(req.bound_count, 1);
    CHECK_U64(req.ends[0], 7);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
}

static void test_encoding_by_model(void)
{
    /* "Привет, мир!" is 5 tokens in o200k_base (gpt-4o) and 7 in
     * cl100k_base (gpt-4); with "Hello, world!" (4) scaled to 99:
     * 5, 4 -> 55, 44; 7, 4 -> 63, 36. */
    const char *path = write_file(
        "encodings.jsonl",
        "{\"timestamp\": 1, \"request\": {\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": "
        "\"Привет, мир!\"}, {\"role\": \"user\", \"content\": \"Hello, world!\"}]}, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 99, \"completion_tokens\": 1}}}\n"
        "{\"timestamp\": 2, \"request\": {\"model\": \"gpt-4\", \"messages\": [{\"role\": \"user\", \"content\": "
        "\"Привет, мир!\"}, {\"role\": \"user\", \"content\": \"Hello, world!\"}]}, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 99, \"completion_tokens\": 1}}}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_OPENAI_LOG, 0, &err);
    CHECK(trace != NULL);
    if (!trace)
        return;
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.ends[0], 55);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.ends[0], 63);
    pcs_trace_free(trace);
}

static void test_anthropic(void)
{
    const char *path = write_file(
        "anthropic.jsonl",
        /* 17:45 at +05:45 is noon UTC. */
        "{\"timestamp\": \"2026-03-01T17:45:00+05:45\", \"request\": {\"model\": \"claude-sonnet-4-6\", "
        "\"max_tokens\": 100, \"system\": [{\"type\": \"text\", \"text\": \"You are a helpful assistant.\", "
        "\"cache_control\": {\"type\": \"ephemeral\", \"ttl\": \"1h\"}}], \"messages\": [{\"role\": \"user\", "
        "\"content\": \"Hello, world!\"}], \"metadata\": {\"user_id\": \"u1\"}}, \"response\": {\"id\": \"msg_1\", "
        "\"type\": \"message\", \"role\": \"assistant\", \"model\": \"claude-sonnet-4-6\", \"content\": [], "
        "\"usage\": {\"input_tokens\": 10, \"cache_creation_input_tokens\": 2000, \"cache_read_input_tokens\": 0, "
        "\"cache_creation\": {\"ephemeral_5m_input_tokens\": 0, \"ephemeral_1h_input_tokens\": 2000}, "
        "\"output_tokens\": 50, \"service_tier\": \"priority\"}}}\n"
        /* A stream: message_start's usage, then message_delta's output;
         * automatic caching (a top-level cache_control); no 5m/1h split. */
        "{\"timestamp\": \"2026-03-01T12:00:05Z\", \"request\": {\"model\": \"claude-sonnet-4-6\", "
        "\"max_tokens\": 100, \"cache_control\": {\"type\": \"ephemeral\"}, \"messages\": [{\"role\": \"user\", "
        "\"content\": [{\"type\": \"text\", \"text\": \"Hello, world!\"}, {\"type\": \"text\", \"text\": \"Hi\"}]}]}, "
        "\"response\": [{\"type\": \"message_start\", \"message\": {\"id\": \"msg_2\", \"type\": \"message\", "
        "\"model\": \"claude-sonnet-4-6\", \"usage\": {\"input_tokens\": 5, \"cache_read_input_tokens\": 100, "
        "\"cache_creation_input_tokens\": 20, \"output_tokens\": 1}}}, {\"type\": \"content_block_delta\", "
        "\"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"ok\"}}, {\"type\": \"message_delta\", "
        "\"delta\": {\"stop_reason\": \"end_turn\"}, \"usage\": {\"output_tokens\": 42}}]}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    CHECK(pcs_trace_file_format(trace, 0) == PCS_FORMAT_ANTHROPIC_LOG);
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, MARCH_1_NOON_MS);
    /* Anthropic's input_tokens leave the cache out: 10 + 0 + 2000. */
    CHECK_U64(req.input_tokens, 2010);
    CHECK_U64(req.output_tokens, 50);
    CHECK_U64(req.observed.cache_read, 0);
    CHECK_U64(req.observed.cache_write, 2000);
    CHECK_U64(req.observed.cache_write_1h, 2000);
    CHECK_U64(req.tier, PCS_TIER_PRIORITY);
    /* The system block's text (6) and the user's string (4), C = 10, to 2010. */
    CHECK_U64(req.bound_count, 2);
    CHECK_U64(req.ends[0], 1206);
    CHECK_U64(req.ends[1], 2010);
    CHECK(req.flags != NULL);
    if (req.flags) {
        CHECK_U64(req.flags[0], PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H);
        CHECK_U64(req.flags[1], 0);
    }
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.input_tokens, 125); /* 5 + 100 + 20 */
    CHECK_U64(req.output_tokens, 42); /* message_delta's count is the final one */
    CHECK_U64(req.observed.cache_read, 100);
    CHECK_U64(req.observed.cache_write, 20);
    CHECK_U64(req.observed.cache_write_1h, 0); /* no split: all 5-minute */
    /* Blocks 4 and 1 (C = 5) to 125: 100, 25; the last unit is the
     * automatic breakpoint, 5 minutes. */
    CHECK_U64(req.bound_count, 2);
    CHECK_U64(req.ends[0], 100);
    CHECK(req.flags != NULL);
    if (req.flags) {
        CHECK_U64(req.flags[0], 0);
        CHECK_U64(req.flags[1], PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M);
    }
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
}

/* Automatic caching (a top-level cache_control, DESIGN §8) marks the
 * prompt's last unit as a block's cache_control marks its block: its TTL
 * "1h" or, by default or "5m", 5 minutes; any other TTL is an error. */
static void test_anthropic_automatic_caching(void)
{
    const char *line_head = "{\"timestamp\": 10, \"request\": {\"model\": \"claude-sonnet-4-6\", \"max_tokens\": 9, ";
    const char *line_tail =
        "\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Hello, world!\"}, "
        "{\"type\": \"text\", \"text\": \"Hi\"}]}]}, \"response\": {\"id\": \"msg_1\", \"type\": \"message\", "
        "\"model\": \"claude-sonnet-4-6\", \"content\": [], \"usage\": {\"input_tokens\": 500, "
        "\"cache_creation_input_tokens\": 0, \"cache_read_input_tokens\": 0, \"output_tokens\": 5}}}\n";
    static const struct {
        const char *cache_control;
        uint8_t last_flags;
    } cases[] = {
        {"\"cache_control\": {\"type\": \"ephemeral\", \"ttl\": \"1h\"}, ", PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H},
        {"\"cache_control\": {\"type\": \"ephemeral\", \"ttl\": \"5m\"}, ", PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M},
        {"\"cache_control\": {\"type\": \"ephemeral\"}, ", PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M},
        {"", 0}, /* none: no flags at all, the policy's last bound */
    };
    char text[2048];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "%s%s%s", line_head, cases[i].cache_control, line_tail);
        const char *path = write_file("automatic.jsonl", text);
        struct pcs_error err = {0};
        pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
        CHECK(trace != NULL);
        if (!trace) {
            fprintf(stderr, "%s\n", err.message);
            continue;
        }
        struct pcs_request req;
        CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
        /* Blocks of 4 and 1 tokens (C = 5) to 500: 400, 100. */
        CHECK_U64(req.bound_count, 2);
        CHECK_U64(req.ends[0], 400);
        CHECK(req.content_blocks == 1);
        if (cases[i].last_flags == 0) {
            CHECK(req.flags == NULL);
        } else {
            CHECK(req.flags != NULL);
            if (req.flags) {
                CHECK_U64(req.flags[0], 0);
                CHECK_U64(req.flags[1], cases[i].last_flags);
            }
        }
        pcs_trace_free(trace);
    }
    snprintf(text, sizeof text, "%s\"cache_control\": {\"type\": \"ephemeral\", \"ttl\": \"10m\"}, %s", line_head,
             line_tail);
    expect_error("automatic_ttl.jsonl", text, "automatic_ttl.jsonl:1: field request.cache_control.ttl");
}

static void test_failed_calls(void)
{
    const char *path = write_file(
        "failed.jsonl",
        /* Refused (HTTP 429): no usage, nothing read, written or billed. */
        "{\"timestamp\": 10, \"status\": 429, \"request\": {\"model\": \"gpt-4o\", \"messages\": [{\"role\": "
        "\"user\", \"content\": \"Hi\"}]}, \"response\": {\"error\": {\"message\": \"Rate limit reached\", "
        "\"type\": \"requests\"}}}\n"
        /* A Responses call that failed after the model had read its prompt. */
        "{\"timestamp\": 11, \"request\": {\"model\": \"gpt-5.4\", \"input\": \"Hi\"}, \"response\": {\"object\": "
        "\"response\", \"status\": \"failed\", \"error\": {\"code\": \"server_error\"}, \"usage\": "
        "{\"input_tokens\": 30, \"output_tokens\": 2}}}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK(!req.ok);
    CHECK_U64(req.input_tokens, 0);
    CHECK_U64(req.bound_count, 0);
    CHECK(!req.has_observed);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK(!req.ok);
    CHECK_U64(req.input_tokens, 30);
    CHECK(req.has_observed);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    pcs_trace_free(trace);
}

static void test_counts_only_chains(void)
{
    /* No prompt in the log: alice's calls 1000, 1500, then 800 (a
     * compaction), 900; bob's 1500 in between. */
    const char *path = write_file(
        "counts.jsonl",
        "{\"timestamp\": 1, \"request\": {\"model\": \"gpt-4o\", \"user\": \"alice\"}, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 1000, \"completion_tokens\": 1}}}\n"
        "{\"timestamp\": 2, \"request\": {\"model\": \"gpt-4o\", \"user\": \"alice\"}, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 1500, \"completion_tokens\": 1}}}\n"
        "{\"timestamp\": 3, \"request\": {\"model\": \"gpt-4o\", \"user\": \"bob\"}, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 1500, \"completion_tokens\": 1}}}\n"
        "{\"timestamp\": 4, \"request\": {\"model\": \"gpt-4o\", \"user\": \"alice\"}, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 800, \"completion_tokens\": 1}}}\n"
        "{\"timestamp\": 5, \"request\": {\"model\": \"gpt-4o\", \"user\": \"alice\"}, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 900, \"completion_tokens\": 1}}}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    struct pcs_request req;
    uint64_t alice0, alice1, bob0, again0;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.bound_count, 1);
    CHECK_U64(req.ends[0], 1000);
    CHECK(req.flags && (req.flags[0] & PCS_BOUND_BREAKPOINT));
    CHECK(req.content_blocks == 0); /* rebuilt from counts: lookback does not apply (DESIGN §8) */
    alice0 = req.units[0];
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.bound_count, 2); /* the previous prompt plus one unit of 500 */
    CHECK_U64(req.ends[0], 1000);
    CHECK_U64(req.ends[1], 1500);
    CHECK(req.units[0] == alice0);
    CHECK(req.flags && (req.flags[1] & PCS_BOUND_BREAKPOINT));
    alice1 = req.units[1];
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.bound_count, 1); /* bob's own chain */
    CHECK_U64(req.ends[0], 1500);
    bob0 = req.units[0];
    CHECK(bob0 != alice0 && bob0 != alice1);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.bound_count, 1); /* shrank: a new chain */
    CHECK_U64(req.ends[0], 800);
    again0 = req.units[0];
    CHECK(again0 != alice0 && again0 != bob0);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.bound_count, 2);
    CHECK_U64(req.ends[1], 900);
    CHECK(req.units[0] == again0);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    CHECK(pcs_trace_counts_only_format(trace) &&
          strcmp(pcs_trace_counts_only_format(trace), "OpenAI request log") == 0);
    pcs_trace_free(trace);
}

static void test_litellm(void)
{
    const char *path = write_file(
        "litellm.jsonl",
        "{\"id\": \"a\", \"trace_id\": \"t1\", \"call_type\": \"acompletion\", \"status\": \"success\", "
        "\"startTime\": 1772366400.25, \"completionStartTime\": 1772366400.75, \"endTime\": 1772366401.0, "
        "\"model\": \"gpt-4o\", \"messages\": "
        "[{\"role\": \"user\", \"content\": \"Hello, world!\"}], \"prompt_tokens\": 1500, \"completion_tokens\": 20, "
        "\"metadata\": {\"usage_object\": {\"prompt_tokens\": 1500, \"completion_tokens\": 20, "
        "\"prompt_tokens_details\": {\"cached_tokens\": 1024}}}, \"model_parameters\": {\"service_tier\": "
        "\"flex\"}}\n"
        /* Anthropic through LiteLLM: OpenAI-style counts, Anthropic's cache names. */
        "{\"id\": \"b\", \"trace_id\": \"t2\", \"call_type\": \"acompletion\", \"status\": \"success\", "
        "\"startTime\": 1772366402, \"model\": \"claude-sonnet-4-6\", \"messages\": \"redacted by litellm. "
        "'litellm.turn_off_message_logging=True'\", \"prompt_tokens\": 1300, \"completion_tokens\": 3, "
        "\"metadata\": {\"usage_object\": {\"prompt_tokens\": 1300, \"completion_tokens\": 3, "
        "\"cache_creation_input_tokens\": 300, \"cache_read_input_tokens\": 900}}}\n"
        "{\"id\": \"c\", \"trace_id\": \"t3\", \"call_type\": \"acompletion\", \"status\": \"failure\", "
        "\"startTime\": 1772366403, \"model\": \"gpt-4o\", \"messages\": [], \"prompt_tokens\": 0, "
        "\"completion_tokens\": 0, \"error_str\": \"timeout\"}\n"
        /* The usage object in hidden_params, with the 5m/1h split. */
        "{\"call_type\": \"acompletion\", \"status\": \"success\", \"startTime\": 1772366404, \"model\": "
        "\"claude-sonnet-4-6\", \"prompt_tokens\": 2000, \"completion_tokens\": 5, \"hidden_params\": "
        "{\"usage_object\": {\"prompt_tokens\": 2000, \"prompt_tokens_details\": {\"cached_tokens\": 1000, "
        "\"cache_creation_tokens\": 500, \"cache_creation_token_details\": {\"ephemeral_5m_input_tokens\": 200, "
        "\"ephemeral_1h_input_tokens\": 300}}}}}\n"
        /* Only the response's usage; no usage at all: not observed. */
        "{\"call_type\": \"acompletion\", \"status\": \"success\", \"startTime\": 1772366405, \"model\": "
        "\"gpt-4o\", \"prompt_tokens\": 1100, \"completion_tokens\": 5, \"response\": {\"usage\": "
        "{\"prompt_tokens\": 1100, \"prompt_tokens_details\": {\"cached_tokens\": 1024}}}}\n"
        "{\"call_type\": \"acompletion\", \"status\": \"success\", \"startTime\": 1772366406, \"model\": "
        "\"gpt-4o\", \"prompt_tokens\": 1100, \"completion_tokens\": 5}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    CHECK(trace != NULL);
    if (!trace) {
        fprintf(stderr, "%s\n", err.message);
        return;
    }
    CHECK(pcs_trace_file_format(trace, 0) == PCS_FORMAT_LITELLM);
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.t_ms, MARCH_1_NOON_MS + 250);
    CHECK_U64(req.ttft_ms, 500);    /* completionStartTime - startTime */
    CHECK(req.content_blocks == 1); /* a request log's units: lookback applies */
    CHECK_U64(req.input_tokens, 1500);
    CHECK_U64(req.observed.cache_read, 1024);
    CHECK_U64(req.tier, PCS_TIER_FLEX);
    CHECK_U64(req.bound_count, 1);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.input_tokens, 1300); /* prompt_tokens already count the cache */
    CHECK_U64(req.observed.cache_read, 900);
    CHECK_U64(req.observed.cache_write, 300);
    CHECK_U64(req.bound_count, 1); /* redacted: counts alone */
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK(!req.ok);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.input_tokens, 2000);
    CHECK_U64(req.observed.cache_read, 1000);
    CHECK_U64(req.observed.cache_write, 500);
    CHECK_U64(req.observed.cache_write_1h, 300);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK(req.has_observed);
    CHECK_U64(req.observed.cache_read, 1024);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK(!req.has_observed); /* LiteLLM kept no usage object */
    CHECK_U64(req.input_tokens, 1100);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    CHECK(pcs_trace_counts_only_format(trace) && strcmp(pcs_trace_counts_only_format(trace), "LiteLLM log") == 0);
    pcs_trace_free(trace);
}

static void test_forced_format(void)
{
    /* An Anthropic-looking body read as openai-log: input_tokens is taken
     * the OpenAI way (every prompt token). */
    const char *path = write_file("forced.jsonl", "{\"timestamp\": 1, \"request\": {\"model\": \"claude-x\"}, "
                                                  "\"response\": {\"type\": \"message\", \"usage\": "
                                                  "{\"input_tokens\": 10, \"output_tokens\": 1}}}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_OPENAI_LOG, 0, &err);
    CHECK(trace != NULL);
    if (!trace)
        return;
    CHECK(pcs_trace_file_format(trace, 0) == PCS_FORMAT_OPENAI_LOG);
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK_U64(req.input_tokens, 10);
    pcs_trace_free(trace);
    trace = open_as(path, PCS_FORMAT_AUTO, 0, &err);
    CHECK(trace && pcs_trace_file_format(trace, 0) == PCS_FORMAT_ANTHROPIC_LOG);
    pcs_trace_free(trace);
}

/* Reads path one way (0: two passes, 1: two passes indexed on two
 * threads, 2: one pass) into a digest of every request: the session
 * chains and the memoised counts must not depend on how it was read. */
static uint64_t digest_of(const char *path, int way, uint64_t *requests)
{
    struct pcs_trace_config config = pcs_trace_config_default();
    config.threads = way == 1 ? 2 : 1;
    struct pcs_error err = {0};
    pcs_trace *trace =
        way == 2 ? pcs_trace_open_paths_one_pass(&path, 1, &config, 0, &err) : pcs_trace_open(&path, 1, &config, &err);
    CHECK(trace != NULL);
    if (!trace)
        return 0;
    CHECK(pcs_trace_streams(trace) == (way == 2));
    uint64_t digest = 1469598103934665603ull;
    struct pcs_request req;
    *requests = 0;
    while (pcs_trace_next(trace, &req, &err) == PCS_OK) {
        uint64_t words[5] = {(uint64_t)req.t_ms, req.input_tokens, req.bound_count, req.observed.cache_read, req.ok};
        for (size_t i = 0; i < 5; i++)
            digest = (digest ^ words[i]) * 1099511628211ull;
        for (size_t i = 0; i < req.bound_count; i++)
            digest = (digest ^ req.units[i] ^ ((uint64_t)req.ends[i] << 32) ^ (req.flags ? req.flags[i] : 0)) *
                     1099511628211ull;
        (*requests)++;
    }
    pcs_trace_free(trace);
    return digest;
}

static void test_ways_of_reading(void)
{
    /* Two sessions interleaved, with prompts and without, in time order. */
    char text[8192];
    size_t at = 0;
    for (int i = 0; i < 24; i++) {
        const char *user = i % 2 ? "alice" : "bob";
        if (i % 3 == 0)
            at += (size_t)snprintf(text + at, sizeof text - at,
                                   "{\"timestamp\": %d, \"request\": {\"model\": \"gpt-4o\", \"user\": \"%s\"}, "
                                   "\"response\": {\"usage\": {\"prompt_tokens\": %d, \"completion_tokens\": 1}}}\n",
                                   i, user, 1000 + 100 * i - (i == 12 ? 900 : 0));
        else
            at += (size_t)snprintf(text + at, sizeof text - at,
                                   "{\"timestamp\": %d, \"request\": {\"model\": \"gpt-4o\", \"user\": \"%s\", "
                                   "\"messages\": [{\"role\": \"user\", \"content\": \"Hello, world!\"}, "
                                   "{\"role\": \"user\", \"content\": \"turn %d\"}]}, \"response\": {\"usage\": "
                                   "{\"prompt_tokens\": %d, \"completion_tokens\": 1, \"prompt_tokens_details\": "
                                   "{\"cached_tokens\": %d}}}}\n",
                                   i, user, i, 500 + i, i % 4 ? 128 : 0);
    }
    const char *path = write_file("ways.jsonl", text);
    uint64_t n0, n1, n2;
    uint64_t d0 = digest_of(path, 0, &n0);
    uint64_t d1 = digest_of(path, 1, &n1);
    uint64_t d2 = digest_of(path, 2, &n2);
    CHECK_U64(n0, 24);
    CHECK_U64(n1, 24);
    CHECK_U64(n2, 24);
    CHECK(d0 == d1);
    CHECK(d0 == d2);
}

#define OK_REQUEST "\"request\": {\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"

static void test_errors(void)
{
    expect_error("e1.jsonl", "{\"timestamp\": 1, " OK_REQUEST ", \"response\": {\"usage\": {\"prompt_tokens\": 5,}}}\n",
                 "e1.jsonl:1: malformed JSON");
    expect_error("e2.jsonl", "{\"timestamp\": 1, " OK_REQUEST ", \"response\": {\"object\": \"chat.completion\"}}\n",
                 "e2.jsonl:1: field response.usage: missing");
    expect_error("e3.jsonl", "{\"timestamp\": 1, " OK_REQUEST ", \"response\": {\"usage\": {\"prompt_tokens\": -5}}}\n",
                 "e3.jsonl:1: field response.usage.prompt_tokens: negative token count -5");
    expect_error("e4.jsonl",
                 "{\"timestamp\": 1, " OK_REQUEST ", \"response\": {\"usage\": {\"prompt_tokens\": 5.5}}}\n",
                 "e4.jsonl:1: field response.usage.prompt_tokens: expected an integer");
    expect_error("e5.jsonl",
                 "{\"timestamp\": 1, " OK_REQUEST ", \"response\": {\"usage\": {\"prompt_tokens\": 5, "
                 "\"prompt_tokens_details\": {\"cached_tokens\": 6}}}}\n",
                 "e5.jsonl:1: field response.usage: 6 cached tokens is more than the 5 input tokens");
    expect_error("e6.jsonl",
                 "{\"timestamp\": 1, \"request\": {\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"robot\", "
                 "\"content\": \"Hi\"}]}, \"response\": {\"usage\": {\"prompt_tokens\": 5}}}\n",
                 "e6.jsonl:1: field request.messages[0].role: unknown role \"robot\"");
    expect_error("e7.jsonl", "{\"timestamp\": 1, \"response\": {\"usage\": {\"prompt_tokens\": 5}}}\n",
                 "e7.jsonl:1: field request: missing");
    expect_error("e8.jsonl", "{\"timestamp\": \"yesterday\", " OK_REQUEST ", \"response\": {}}\n",
                 "e8.jsonl:1: field timestamp: expected an ISO 8601 time");
    expect_error("e9.jsonl",
                 "{\"timestamp\": 1, \"request\": {\"model\": \"claude-x\", \"messages\": []}, \"response\": "
                 "{\"usage\": {\"input_tokens\": 1, \"cache_creation_input_tokens\": 10, \"cache_creation\": "
                 "{\"ephemeral_5m_input_tokens\": 4, \"ephemeral_1h_input_tokens\": 5}}}}\n",
                 "e9.jsonl:1: field response.usage: 5-minute (4) and 1-hour (5) cache writes do not add up");
    /* Pass one reads a line's time alone, quickly: a time given twice must
     * not be taken once from the first and once from the second. */
    expect_error("e11.jsonl",
                 "{\"timestamp\": 1, " OK_REQUEST ", \"response\": {\"usage\": {\"prompt_tokens\": 5}}, "
                 "\"timestamp\": 0}\n",
                 "e11.jsonl:1: field timestamp: appears twice");
    expect_error("e12.jsonl",
                 "{\"timestamp\": 1, \"request\": {\"messages\": []}, \"response\": {\"usage\": "
                 "{\"prompt_tokens\": 5}}}\n",
                 "e12.jsonl:1: field request.model: missing");
    expect_error("e13.jsonl", "{\"startTime\": 1, \"call_type\": \"x\", \"prompt_tokens\": 5}\n",
                 "e13.jsonl:1: field model: missing");
    expect_error("e10.jsonl",
                 "{\"startTime\": 1, \"model\": \"m\", \"call_type\": \"x\", \"status\": \"success\", "
                 "\"messages\": []}\n",
                 "e10.jsonl:1: field prompt_tokens: missing");

    /* --lenient skips and counts. */
    const char *path =
        write_file("lenient.jsonl", "{\"timestamp\": 1, " OK_REQUEST ", \"response\": {\"usage\": {\"prompt_tokens\": "
                                    "5}}}\n{\"timestamp\": 2, " OK_REQUEST ", \"response\": {}}\n");
    struct pcs_error err = {0};
    pcs_trace *trace = open_as(path, PCS_FORMAT_AUTO, 1, &err);
    CHECK(trace != NULL);
    if (!trace)
        return;
    struct pcs_request req;
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_OK);
    CHECK(pcs_trace_next(trace, &req, &err) == PCS_END);
    CHECK_U64(pcs_trace_skipped_count(trace), 1);
    pcs_trace_free(trace);
}

/* ------------------------------------------------------- read ahead */

/* A digest of every request read from trace (time, place, model, counts,
 * observed usage, bounds), the number read, and how reading ended. */
struct reading {
    uint64_t digest;
    uint64_t requests;
    enum pcs_status status;
    char message[PCS_ERROR_MAX];
    uint64_t skipped;
};

static void read_all(pcs_trace *trace, struct reading *r, uint64_t stop_after)
{
    struct pcs_request req;
    struct pcs_error err = {0};
    while ((r->status = pcs_trace_next(trace, &req, &err)) == PCS_OK) {
        uint64_t words[9] = {(uint64_t)req.t_ms, req.source_line,         req.model, req.input_tokens,
                             req.output_tokens,  req.observed.cache_read, req.ok,    (uint64_t)req.ttft_ms,
                             req.bound_count};
        for (size_t i = 0; i < 9; i++)
            r->digest = (r->digest ^ words[i]) * 1099511628211ull;
        for (size_t i = 0; i < req.bound_count; i++)
            r->digest = (r->digest ^ req.units[i] ^ ((uint64_t)req.ends[i] << 32) ^ (req.flags ? req.flags[i] : 0)) *
                        1099511628211ull;
        if (++r->requests == stop_after)
            return;
    }
    snprintf(r->message, sizeof r->message, "%s", err.message);
    r->skipped = pcs_trace_skipped_count(trace);
}

/* Reads path in one pass: alone (workers 0) or with workers reading
 * ahead in chunks of chunk bytes, stopped after stop_after requests
 * (0: never) and read on alone. *counted: the units pass two tokenized. */
static struct reading read_ahead_way(const char *path, int lenient, unsigned workers, size_t chunk, uint64_t stop_after,
                                     uint64_t *counted)
{
    struct reading r = {1469598103934665603ull, 0, PCS_OK, "", 0};
    struct pcs_trace_config config = pcs_trace_config_default();
    config.lenient = lenient;
    struct pcs_error err = {0};
    pcs_trace *trace = pcs_trace_open_paths_one_pass(&path, 1, &config, 0, &err);
    CHECK(trace != NULL);
    if (!trace)
        return r;
    CHECK(pcs_trace_read_ahead(trace, workers, chunk) == (workers > 0));
    read_all(trace, &r, stop_after);
    if (stop_after && r.status == PCS_OK) {
        pcs_trace_read_ahead_stop(trace);
        read_all(trace, &r, 0);
    }
    *counted = pcs_api_log_state_counted(pcs_trace_api_log(trace));
    pcs_trace_free(trace);
    return r;
}

/* Appends a chat's turn: tools, a system prompt, and the history, the
 * conversation re-sent (the units a memo shares between lines). */
static size_t chat_line(char *text, size_t cap, int i)
{
    size_t at = (size_t)snprintf(text, cap,
                                 "{\"timestamp\": %d, \"request\": {\"model\": \"%s\", \"user\": \"u%d\", "
                                 "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"tool_%d\"}}], "
                                 "\"messages\": [{\"role\": \"system\", \"content\": \"You are bot %d.\"}",
                                 100 + i, i % 5 ? "gpt-4o" : "gpt-4", i % 3, i % 3, i % 3);
    for (int turn = 0; turn <= i % 7; turn++)
        at += (size_t)snprintf(text + at, cap - at,
                               ", {\"role\": \"%s\", \"content\": [{\"type\": \"text\", \"text\": \"turn %d of "
                               "chat %d: some words\\n to count\"}]}",
                               turn % 2 ? "assistant" : "user", turn, i % 3);
    at += (size_t)snprintf(text + at, cap - at,
                           "]}, \"response\": {\"usage\": {\"prompt_tokens\": %d, \"completion_tokens\": 3, "
                           "\"prompt_tokens_details\": {\"cached_tokens\": %d}}}}\n",
                           200 + 10 * i, i % 4 ? 16 : 0);
    return at;
}

static void test_read_ahead(void)
{
    /* Content lines, counts-only lines chained by user, a refused call,
     * blank and CRLF lines; then the same with two bad lines (the first
     * a field error, the second malformed), strict and lenient. */
    static char text[1 << 17];
    static char bad[1 << 17];
    size_t at = 0;
    size_t bad_at = 0;
    for (int i = 0; i < 120; i++) {
        char line[4096];
        size_t len;
        if (i % 11 == 5)
            len = (size_t)snprintf(line, sizeof line,
                                   "{\"timestamp\": %d, \"request\": {\"model\": \"gpt-4o\", \"user\": \"u%d\"}, "
                                   "\"response\": {\"usage\": {\"prompt_tokens\": %d}}}\r\n",
                                   100 + i, i % 3, 300 + 10 * i);
        else if (i == 40)
            len =
                (size_t)snprintf(line, sizeof line,
                                 "{\"timestamp\": %d, " OK_REQUEST ", \"status\": 429, \"response\": {}}\n\n", 100 + i);
        else
            len = chat_line(line, sizeof line, i);
        memcpy(text + at, line, len);
        at += len;
        if (i == 70)
            bad_at += (size_t)snprintf(bad + bad_at, sizeof bad - bad_at,
                                       "{\"timestamp\": %d, \"request\": {\"model\": \"gpt-4o\", \"messages\": "
                                       "[{\"role\": \"robot\", \"content\": \"Hi\"}]}, \"response\": {\"usage\": "
                                       "{\"prompt_tokens\": 5}}}\n",
                                       100 + i);
        if (i == 90)
            bad_at +=
                (size_t)snprintf(bad + bad_at, sizeof bad - bad_at, "{\"timestamp\": %d, \"request\": {\n", 100 + i);
        memcpy(bad + bad_at, line, len);
        bad_at += len;
    }
    text[at] = '\0';
    bad[bad_at] = '\0';
    const char *good_path = write_file("ahead.jsonl", text);
    const char *bad_path = write_file("ahead_bad.jsonl", bad);

    uint64_t alone_counted;
    struct reading alone = read_ahead_way(good_path, 0, 0, 0, 0, &alone_counted);
    CHECK(alone.status == PCS_END);
    CHECK_U64(alone.requests, 120);
    CHECK(alone_counted > 0);
    struct reading strict_alone = read_ahead_way(bad_path, 0, 0, 0, 0, &alone_counted);
    CHECK(strict_alone.status == PCS_ERR_PARSE);
    CHECK_CONTAINS(strict_alone.message, "ahead_bad.jsonl:72: field request.messages[0].role: unknown role");
    CHECK_U64(strict_alone.requests, 70);
    struct reading lenient_alone = read_ahead_way(bad_path, 1, 0, 0, 0, &alone_counted);
    CHECK(lenient_alone.status == PCS_END);
    CHECK_U64(lenient_alone.requests, 120);
    CHECK_U64(lenient_alone.skipped, 2);
    CHECK(lenient_alone.digest != alone.digest); /* the lines after the bad ones moved */

    /* Chunks smaller than a line, a few lines, the whole file. */
    static const size_t chunks[] = {1, 97, 1000, 4096, 1 << 20};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        for (unsigned workers = 1; workers <= 3; workers++) {
            uint64_t counted;
            struct reading r = read_ahead_way(good_path, 0, workers, chunks[c], 0, &counted);
            CHECK(r.status == PCS_END);
            CHECK_U64(r.requests, alone.requests);
            CHECK(r.digest == alone.digest);
            CHECK_U64(counted, 0); /* the workers counted every unit */
            r = read_ahead_way(good_path, 0, workers, chunks[c], 33, &counted);
            CHECK(r.status == PCS_END);
            CHECK(r.digest == alone.digest);
            r = read_ahead_way(bad_path, 0, workers, chunks[c], 0, &counted);
            CHECK(r.status == strict_alone.status);
            CHECK_U64(r.requests, strict_alone.requests);
            CHECK(r.digest == strict_alone.digest);
            CHECK(strcmp(r.message, strict_alone.message) == 0);
            r = read_ahead_way(bad_path, 1, workers, chunks[c], 0, &counted);
            CHECK(r.status == PCS_END);
            CHECK_U64(r.skipped, 2);
            CHECK(r.digest == lenient_alone.digest);
        }
    }
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_openai_chat();
    test_openai_breakpoints();
    test_openai_responses_and_stream();
    test_encoding_by_model();
    test_anthropic();
    test_anthropic_automatic_caching();
    test_failed_calls();
    test_counts_only_chains();
    test_litellm();
    test_forced_format();
    test_ways_of_reading();
    test_errors();
    test_read_ahead();
    char command[300];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_summary();
}
