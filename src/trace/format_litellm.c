/* litellm: LiteLLM's StandardLoggingPayload, one call per line
 * (docs/formats.md, "litellm"; docs/design.md §8):
 *
 *   {"id": ..., "trace_id": ..., "call_type": "acompletion", "status": "success",
 *    "startTime": 1767268800.25, "model": "gpt-5.4", "messages": [...],
 *    "response": {...}, "prompt_tokens": 5000, "completion_tokens": 300,
 *    "metadata": {"usage_object": {...}}, "model_parameters": {...}, ...}
 *
 * LiteLLM reports usage the OpenAI way whatever the provider (prompt_tokens
 * counts every prompt token); the cache tokens are in the usage object it
 * keeps (metadata.usage_object, else hidden_params.usage_object, else
 * response.usage). messages are OpenAI chat messages; a prompt LiteLLM was
 * told not to log leaves counts alone, chained by session_id, else trace_id. */
#include <string.h>

#include "api_log.h"

/* The call in record (any thread); its time to first token is
 * completionStartTime - startTime. */
static enum pcs_status read_litellm(const char *record, size_t len, const struct record_loc *loc,
                                    struct api_log_read *read, struct pcs_error *err)
{
    static const char *const keys[] = {
        "startTime",     "model",  "messages",   "response", "prompt_tokens",    "completion_tokens",   "metadata",
        "hidden_params", "status", "session_id", "trace_id", "model_parameters", "completionStartTime", NULL};
    enum {
        K_START,
        K_MODEL,
        K_MESSAGES,
        K_RESPONSE,
        K_PROMPT,
        K_COMPLETION,
        K_METADATA,
        K_HIDDEN,
        K_STATUS,
        K_SESSION,
        K_TRACE,
        K_PARAMETERS,
        K_FIRST_TOKEN
    };
    static const char *const usage_keys[] = {"usage_object", NULL};
    static const char *const parameter_keys[] = {"tools", "service_tier", NULL};
    struct api_log_call *call = &read->call;
    struct api_span v[16];
    enum pcs_status status = pcs_api_record_members(record, len, keys, v, loc, err);
    if (status != PCS_OK)
        return status;
    if (!v[K_START].p)
        return pcs_field_missing(loc, "startTime", err);
    if ((status = pcs_api_time(&v[K_START], "startTime", loc, &read->t_ms, err)) != PCS_OK)
        return status;
    /* The time to first token: completionStartTime - startTime (LiteLLM
     * sets it to endTime when it did not see the first token; then it is
     * the whole call's). */
    int64_t first_token_ms = 0;
    if (v[K_FIRST_TOKEN].p &&
        (status = pcs_api_time(&v[K_FIRST_TOKEN], "completionStartTime", loc, &first_token_ms, err)) != PCS_OK)
        return status;
    read->ttft_ms = first_token_ms > read->t_ms ? first_token_ms - read->t_ms : 0;
    pcs_api_log_call_init(call, PCS_FORMAT_LITELLM, API_OPENAI_CHAT, record);
    call->usage_field = "prompt_tokens";
    if (v[K_MODEL].p && (status = pcs_api_model(call, &v[K_MODEL], "model", loc, err)) != PCS_OK)
        return status;
    if (v[K_STATUS].p) {
        char word[32];
        size_t word_len;
        if ((status = pcs_api_string(&v[K_STATUS], "status", loc, word, sizeof word, &word_len, err)) != PCS_OK)
            return status;
        if (strcmp(word, "success") != 0 && strcmp(word, "failure") != 0)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "status",
                                         "expected \"success\" or \"failure\", found \"%s\"", word);
        call->failed = strcmp(word, "failure") == 0;
    }
    if (v[K_SESSION].p)
        status = pcs_api_session(call, &v[K_SESSION], "session_id", loc, err);
    if (status == PCS_OK && !call->has_session && v[K_TRACE].p)
        status = pcs_api_session(call, &v[K_TRACE], "trace_id", loc, err);
    if (status != PCS_OK)
        return status;
    /* The usage object LiteLLM kept, where it kept it. */
    struct api_span usage = {NULL, 0};
    const char *usage_field = NULL;
    for (int k = K_METADATA; k <= K_HIDDEN && !usage.p; k++) {
        struct api_span u[16];
        const char *where = k == K_METADATA ? "metadata" : "hidden_params";
        if (v[k].p && (status = pcs_api_members(&v[k], where, usage_keys, u, loc, record, err)) != PCS_OK)
            return status;
        if (v[k].p && u[0].p) {
            usage = u[0];
            usage_field = k == K_METADATA ? "metadata.usage_object" : "hidden_params.usage_object";
        }
    }
    if (usage.p) {
        if ((status = pcs_api_usage_openai(call, &usage, usage_field, loc, err)) != PCS_OK)
            return status;
        call->observed = 1;
    } else if (v[K_RESPONSE].p && v[K_RESPONSE].p[0] == '{') {
        static const char *const response_keys[] = {"usage", NULL};
        struct api_span r[16];
        if ((status = pcs_api_members(&v[K_RESPONSE], "response", response_keys, r, loc, record, err)) != PCS_OK)
            return status;
        if (r[0].p) {
            if ((status = pcs_api_usage_openai(call, &r[0], "response.usage", loc, err)) != PCS_OK)
                return status;
            call->observed = 1;
        }
    }
    /* The payload's own counts stand. */
    if (v[K_PROMPT].p) {
        if ((status = pcs_api_count(&v[K_PROMPT], "prompt_tokens", loc, &call->prompt_tokens, err)) != PCS_OK)
            return status;
        call->has_usage = call->has_prompt_tokens = 1;
    }
    if (v[K_COMPLETION].p &&
        (status = pcs_api_count(&v[K_COMPLETION], "completion_tokens", loc, &call->output_tokens, err)) != PCS_OK)
        return status;
    if (v[K_PARAMETERS].p) {
        struct api_span p[16];
        if ((status = pcs_api_members(&v[K_PARAMETERS], "model_parameters", parameter_keys, p, loc, record, err)) !=
            PCS_OK)
            return status;
        call->tools = p[0];
        if (p[1].p && (status = pcs_api_tier(call, &p[1], "model_parameters.service_tier", loc, err)) != PCS_OK)
            return status;
    }
    if (v[K_MESSAGES].p && !pcs_api_log_redacted(&v[K_MESSAGES])) {
        call->messages = v[K_MESSAGES];
    } else {
        call->tools = (struct api_span){NULL, 0}; /* no prompt: counts alone */
    }
    return PCS_OK;
}

static enum pcs_status parse_litellm(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                     double base_seconds, const struct record_loc *loc, struct pcs_request *req,
                                     struct pcs_error *err)
{
    (void)file;
    (void)base_seconds;
    memset(req, 0, sizeof *req); /* a record that fails leaves no stale fields */
    struct api_log_read read;
    enum pcs_status status = read_litellm(record, len, loc, &read, err);
    return status == PCS_OK ? pcs_api_log_request(trace, &read, NULL, loc, req, err) : status;
}

static enum pcs_status time_litellm(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                    const struct record_loc *loc, int64_t *t_ms, struct pcs_error *err)
{
    (void)trace;
    (void)file;
    struct api_span start;
    enum pcs_status status = pcs_api_member_lax(record, len, "startTime", loc, &start, err);
    if (status != PCS_OK)
        return status;
    if (!start.p)
        return pcs_field_missing(loc, "startTime", err);
    return pcs_api_time(&start, "startTime", loc, t_ms, err);
}

const struct trace_format pcs_trace_format_litellm = {
    .id = PCS_FORMAT_LITELLM,
    .name = "litellm",
    .label = "LiteLLM log",
    .detect = pcs_api_detect_litellm,
    .has_prefix_identity = 1,
    .index_time = time_litellm,
    .parse = parse_litellm,
    .read_call = read_litellm,
};
