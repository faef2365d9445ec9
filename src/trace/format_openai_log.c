/* openai-log: one OpenAI API call per line (docs/formats.md, "openai-log";
 * docs/design.md §8):
 *
 *   {"timestamp": "2026-03-01T12:00:00.250Z", "request": BODY, "response": BODY}
 *
 * BODY a Chat Completions or Responses request and its response (or, for
 * a stream, the array of its chunks or events; the usage is on the last).
 * The request's prompt gives the prefix identity (tools, instructions,
 * messages or input); without one, counts alone do, chained by
 * prompt_cache_key, else user. prompt_cache_key is also the request's
 * cache_key, which overflow routing reads. */
#include <string.h>

#include "api_log.h"

/* GPT-5.6+ prompt_cache_options: mode "implicit" (the default: OpenAI adds
 * its own breakpoint at the newest message) or "explicit" (only the marked
 * blocks); its ttl ("30m", the only value) is the policy's. */
static enum pcs_status cache_options(struct api_log_call *call, const struct api_span *span,
                                     const struct record_loc *loc, struct pcs_error *err)
{
    static const char *const keys[] = {"mode", NULL};
    struct api_span v[16]; /* pcs_api_members fills up to 16 */
    enum pcs_status status = pcs_api_members(span, "request.prompt_cache_options", keys, v, loc, call->record, err);
    if (status != PCS_OK || !v[0].p)
        return status;
    char mode[16];
    size_t len;
    const char *field = "request.prompt_cache_options.mode";
    if ((status = pcs_api_string(&v[0], field, loc, mode, sizeof mode, &len, err)) != PCS_OK)
        return status;
    if (strcmp(mode, "implicit") != 0 && strcmp(mode, "explicit") != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "unknown mode \"%s\" (implicit or explicit)",
                                     mode);
    call->implicit_breakpoint = strcmp(mode, "implicit") == 0;
    return PCS_OK;
}

/* The call in record (any thread). */
static enum pcs_status read_openai_log(const char *record, size_t len, const struct record_loc *loc,
                                       struct api_log_read *read, struct pcs_error *err)
{
    static const char *const keys[] = {"model", "messages",         "input",        "instructions",         "tools",
                                       "user",  "prompt_cache_key", "service_tier", "prompt_cache_options", NULL};
    enum { K_MODEL, K_MESSAGES, K_INPUT, K_INSTRUCTIONS, K_TOOLS, K_USER, K_CACHE_KEY, K_TIER, K_CACHE_OPTIONS };
    struct api_log_call *call = &read->call;
    struct api_envelope envelope;
    struct api_span v[16];
    enum pcs_status status = pcs_api_envelope(record, len, keys, v, loc, &envelope, err);
    if (status != PCS_OK)
        return status;
    read->t_ms = envelope.t_ms;
    read->ttft_ms = 0;
    if (v[K_MESSAGES].p && (v[K_INPUT].p || v[K_INSTRUCTIONS].p))
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "request.input",
                                     "a request has messages (Chat Completions) or input and instructions "
                                     "(Responses), not both");
    pcs_api_log_call_init(call, PCS_FORMAT_OPENAI_LOG, v[K_MESSAGES].p ? API_OPENAI_CHAT : API_OPENAI_RESPONSES,
                          record);
    call->failed = envelope.failed;
    call->tools = v[K_TOOLS];
    call->system = v[K_INSTRUCTIONS];
    call->messages = call->dialect == API_OPENAI_CHAT ? v[K_MESSAGES] : v[K_INPUT];
    if (v[K_MODEL].p && (status = pcs_api_model(call, &v[K_MODEL], "request.model", loc, err)) != PCS_OK)
        return status;
    if (v[K_CACHE_KEY].p)
        status = pcs_api_cache_key(call, &v[K_CACHE_KEY], "request.prompt_cache_key", loc, err);
    if (status == PCS_OK && !call->has_session && v[K_USER].p)
        status = pcs_api_session(call, &v[K_USER], "request.user", loc, err);
    if (status == PCS_OK && v[K_TIER].p)
        status = pcs_api_tier(call, &v[K_TIER], "request.service_tier", loc, err);
    call->implicit_breakpoint = 1;
    if (status == PCS_OK && v[K_CACHE_OPTIONS].p)
        status = cache_options(call, &v[K_CACHE_OPTIONS], loc, err);
    if (status != PCS_OK)
        return status;
    /* The response's usage (and the tier that served it). */
    if ((status = pcs_api_response_usage(call, &envelope.response, pcs_api_usage_openai, loc, err)) != PCS_OK)
        return status;
    call->observed = call->has_usage;
    return PCS_OK;
}

static enum pcs_status parse_openai_log(struct pcs_trace *trace, struct trace_file *file, const char *record,
                                        size_t len, double base_seconds, const struct record_loc *loc,
                                        struct pcs_request *req, struct pcs_error *err)
{
    (void)file;
    (void)base_seconds;
    memset(req, 0, sizeof *req); /* a record that fails leaves no stale fields */
    struct api_log_read read;
    enum pcs_status status = read_openai_log(record, len, loc, &read, err);
    return status == PCS_OK ? pcs_api_log_request(trace, &read, NULL, loc, req, err) : status;
}

static enum pcs_status time_openai_log(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                       const struct record_loc *loc, int64_t *t_ms, struct pcs_error *err)
{
    (void)trace;
    (void)file;
    return pcs_api_envelope_time(record, len, loc, t_ms, err);
}

static void detect_openai_log(const char *head, size_t len, struct detect_verdict *verdict)
{
    pcs_api_detect_envelope(head, len, 0, verdict);
}

const struct trace_format pcs_trace_format_openai_log = {
    .id = PCS_FORMAT_OPENAI_LOG,
    .name = "openai-log",
    .label = "OpenAI request log",
    .detect = detect_openai_log,
    .has_prefix_identity = 1,
    .index_time = time_openai_log,
    .parse = parse_openai_log,
    .read_call = read_openai_log,
};
