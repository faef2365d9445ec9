/* Trace-format detection (src/trace/detect.h): the shared helpers, each
 * format's detect() through the registry, and the description of a head
 * no format fits. */
#include <string.h>

#include "check.h"
#include "trace/trace_internal.h"

static void test_json_keys(void)
{
    static const char *const keys[] = {"timestamp", "input_length", NULL};
    struct detect_verdict v;
    const char *rec = "{\"model\": \"m\", \"input_length\": 5, \"timestamp\": 1}\n";
    pcs_trace_detect_json_keys(rec, strlen(rec), keys, &v);
    CHECK(v.fits);
    CHECK_U64(v.rank, 2); /* the second key told: 1 + its index (0 is a decisive sign's) */
    CHECK(strcmp(v.looked_for, "JSON with timestamp/input_length") == 0);

    const char *bom = "\xEF\xBB\xBF{\"timestamp\": 1}";
    pcs_trace_detect_json_keys(bom, strlen(bom), keys, &v);
    CHECK(v.fits && v.rank == 1);

    const char *other = "{\"a\": 1, \"b\": [1, 2]}";
    pcs_trace_detect_json_keys(other, strlen(other), keys, &v);
    CHECK(!v.fits);
    CHECK(strcmp(v.looked_for, "JSON with timestamp/input_length") == 0); /* set either way */

    const char *cut = "{\"a\": [1, 2"; /* breaks off before any key of ours */
    pcs_trace_detect_json_keys(cut, strlen(cut), keys, &v);
    CHECK(!v.fits);

    const char *csv = "timestamp,input_length\n";
    pcs_trace_detect_json_keys(csv, strlen(csv), keys, &v);
    CHECK(!v.fits); /* not a JSON object */
}

static void test_csv_column(void)
{
    struct detect_verdict v;
    const char *head = "TIMESTAMP,ContextTokens,GeneratedTokens\n1,2,3\n";
    pcs_trace_detect_csv_column(head, strlen(head), "ContextTokens", &v);
    CHECK(v.fits);
    CHECK(strcmp(v.looked_for, "a CSV header with ContextTokens") == 0);
    const char *later = "a,b\nContextTokens\n"; /* only the first line counts */
    pcs_trace_detect_csv_column(later, strlen(later), "ContextTokens", &v);
    CHECK(!v.fits);
    const char *json = "{\"ContextTokens\": 1}";
    pcs_trace_detect_csv_column(json, strlen(json), "ContextTokens", &v);
    CHECK(!v.fits);
}

/* Every registered format detects its own kind of head, and no other does
 * better: the earliest telling key wins across formats. */
static enum pcs_trace_format best_format(const char *head)
{
    enum pcs_trace_format best = PCS_FORMAT_AUTO;
    uint64_t best_rank = 0;
    for (int f = PCS_FORMAT_AUTO + 1; f < PCS_FORMAT_COUNT; f++) {
        const struct trace_format *ops = pcs_trace_format_ops((enum pcs_trace_format)f);
        struct detect_verdict v;
        if (!ops->detect)
            continue;
        ops->detect(head, strlen(head), &v);
        if (v.fits && (best == PCS_FORMAT_AUTO || v.rank < best_rank)) {
            best = ops->id;
            best_rank = v.rank;
        }
    }
    return best;
}

static void test_registry(void)
{
    CHECK(best_format("{\"timestamp\": 0, \"input_length\": 1}") == PCS_FORMAT_MOONCAKE);
    CHECK(best_format("{\"block_size\": 16, \"requests\": []}") == PCS_FORMAT_CLAUDE_CODE);
    CHECK(best_format("{\"t\": 0, \"input_tokens\": 1}") == PCS_FORMAT_NATIVE);
    CHECK(best_format("{\"model\": \"m\", \"timestamp\": 0}") == PCS_FORMAT_NATIVE); /* model comes first */
    CHECK(best_format("TIMESTAMP,ContextTokens,GeneratedTokens\n") == PCS_FORMAT_AZURE);
    CHECK(best_format("{\"x\": 1}") == PCS_FORMAT_AUTO);
    /* Request logs: the envelope is decisive, though mooncake's "timestamp"
     * comes first; its bodies tell OpenAI from Anthropic. */
    CHECK(best_format("{\"timestamp\": 0, \"request\": {\"model\": \"gpt-5.4\", \"messages\": []}}") ==
          PCS_FORMAT_OPENAI_LOG);
    CHECK(best_format("{\"timestamp\": 0, \"request\": {\"model\": \"claude-sonnet-4-6\", \"messages\": []}}") ==
          PCS_FORMAT_ANTHROPIC_LOG);
    CHECK(best_format("{\"timestamp\": 0, \"request\": {\"max_tokens\": 9, \"system\": \"s\"}}") ==
          PCS_FORMAT_ANTHROPIC_LOG);
    CHECK(best_format("{\"response\": {\"type\": \"message\", \"usage\": {}}, \"request\": {}}") ==
          PCS_FORMAT_ANTHROPIC_LOG);
    CHECK(best_format("{\"response\": [{\"object\": \"chat.completion.chunk\"}], \"request\": {}}") ==
          PCS_FORMAT_OPENAI_LOG);
    CHECK(best_format("{\"timestamp\": 0, \"request\": {\"instructions\": \"be brief\", \"model\": \"claude\"}}") ==
          PCS_FORMAT_OPENAI_LOG); /* the first key that tells decides */
    CHECK(best_format("{\"timestamp\": 0, \"request\": {\"model\": \"claude\", \"instructions\": \"be brief\"}}") ==
          PCS_FORMAT_OPENAI_LOG); /* a key decides over a Claude model named before it */
    /* Chat Completions of a Claude model through an OpenAI-compatible
     * gateway: the model only hints; the response's keys decide. */
    CHECK(best_format("{\"request\": {\"model\": \"claude-sonnet-4-6\", \"messages\": []}, "
                      "\"response\": {\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"choices\": []}}") ==
          PCS_FORMAT_OPENAI_LOG);
    CHECK(best_format("{\"request\": {\"model\": \"claude-sonnet-4-6\", \"messages\": []}, "
                      "\"response\": {\"id\": \"msg_1\", \"content\": []}}") == PCS_FORMAT_ANTHROPIC_LOG);
    /* A request that says nothing: the response after it decides. */
    CHECK(best_format("{\"timestamp\": 0, \"request\": {\"model\": \"m\", \"max_tokens\": 5, \"messages\": []}, "
                      "\"response\": {\"id\": \"msg_1\", \"type\": \"message\"}}") == PCS_FORMAT_ANTHROPIC_LOG);
    CHECK(best_format("{\"timestamp\": 0, \"request\": {\"model\": \"m\", \"messages\": []}, "
                      "\"response\": {\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\"}}") ==
          PCS_FORMAT_OPENAI_LOG);
    /* A long first line cut inside the request's messages: a role only
     * Chat Completions has decides over the Claude model's hint (a gateway's
     * log of a Claude model); a role both have leaves the hint to decide. */
    CHECK(best_format("{\"request\": {\"model\": \"claude-opus-4-5\", \"messages\": [{\"role\": \"system\", "
                      "\"content\": \"a prompt longer than the head") == PCS_FORMAT_OPENAI_LOG);
    CHECK(best_format("{\"request\": {\"model\": \"claude-opus-4-5\", \"messages\": [{\"content\": \"hi\", "
                      "\"role\": \"user\"}, {\"role\": \"developer\", \"content\": \"cut") == PCS_FORMAT_OPENAI_LOG);
    CHECK(best_format("{\"request\": {\"model\": \"claude-opus-4-5\", \"messages\": [{\"role\": \"user\", "
                      "\"content\": \"a prompt longer than the head") == PCS_FORMAT_ANTHROPIC_LOG);
    CHECK(best_format("{\"request\": {\"model\": \"anthropic.claude-3-haiku\", \"messages\": []}}") ==
          PCS_FORMAT_ANTHROPIC_LOG);
    CHECK(best_format("{\"request\": {\"model\": \"m\", \"cache_control\": {\"type\": \"ephemeral\"}}}") ==
          PCS_FORMAT_ANTHROPIC_LOG);
    /* LiteLLM's payload, even with model first (native's key). */
    CHECK(best_format("{\"model\": \"gpt-5.4\", \"startTime\": 1.5, \"messages\": []}") == PCS_FORMAT_LITELLM);
    CHECK(best_format("{\"id\": \"x\", \"call_type\": \"acompletion\"}") == PCS_FORMAT_LITELLM);
    /* A native or Mooncake record is not taken for a log. */
    CHECK(best_format("{\"t\": 0, \"model\": \"m\", \"input_tokens\": 1, \"meta\": {\"request\": 1}}") ==
          PCS_FORMAT_NATIVE);
}

static void test_describe(void)
{
    char why[256];
    const char *keys = "{\"x\": 1, \"y\": 2}";
    pcs_trace_detect_describe(keys, strlen(keys), why, sizeof why);
    CHECK(strcmp(why, "the first record is a JSON object whose keys (\"x\", \"y\") are none of these") == 0);
    const char binary[] = "ab\0cd";
    pcs_trace_detect_describe(binary, sizeof binary - 1, why, sizeof why);
    CHECK(strcmp(why, "the file holds binary data (a NUL byte in its first 5 bytes)") == 0);
    const char *line = "hello,world\n1,2\n";
    pcs_trace_detect_describe(line, strlen(line), why, sizeof why);
    CHECK_CONTAINS(why, "the first line (\"hello,world\") is not a JSON object");
}

int main(void)
{
    test_json_keys();
    test_csv_column();
    test_registry();
    test_describe();
    return check_summary();
}
