/* anthropic-log: one Anthropic Messages API call per line (docs/formats.md,
 * "anthropic-log"; docs/design.md §8):
 *
 *   {"timestamp": "2026-03-01T12:00:00+05:45", "request": BODY, "response": BODY}
 *
 * BODY a Messages request and its response (or, for a stream, the array
 * of its events: message_start carries the usage, message_delta the final
 * counts). input_tokens leaves the cache tokens out: the request's input
 * is input_tokens + cache_read_input_tokens + cache_creation_input_tokens.
 * Prefix identity from the prompt (tools, system, messages' blocks, with
 * their cache_control), else from counts chained by metadata.user_id. */
#include <string.h>

#include "api_log.h"

/* The call in record (any thread). */
static enum pcs_status read_anthropic_log(const char *record, size_t len, const struct record_loc *loc,
                                          struct api_log_read *read, struct pcs_error *err)
{
    static const char *const keys[] = {"model",         "system",   "messages",     "tools",
                                       "cache_control", "metadata", "service_tier", NULL};
    enum { K_MODEL, K_SYSTEM, K_MESSAGES, K_TOOLS, K_CACHE_CONTROL, K_METADATA, K_TIER };
    struct api_log_call *call = &read->call;
    struct api_envelope envelope;
    struct api_span v[16];
    enum pcs_status status = pcs_api_envelope(record, len, keys, v, loc, &envelope, err);
    if (status != PCS_OK)
        return status;
    read->t_ms = envelope.t_ms;
    read->ttft_ms = 0;
    pcs_api_log_call_init(call, PCS_FORMAT_ANTHROPIC_LOG, API_ANTHROPIC, record);
    call->failed = envelope.failed;
    call->tools = v[K_TOOLS];
    call->system = v[K_SYSTEM];
    call->messages = v[K_MESSAGES];
    if (v[K_MODEL].p && (status = pcs_api_model(call, &v[K_MODEL], "request.model", loc, err)) != PCS_OK)
        return status;
    if (v[K_CACHE_CONTROL].p && (status = pcs_api_cache_control(&v[K_CACHE_CONTROL], "request.cache_control", loc,
                                                                record, &call->auto_cache, err)) != PCS_OK)
        return status;
    if (v[K_METADATA].p) {
        static const char *const metadata_keys[] = {"user_id", NULL};
        struct api_span m[16];
        if ((status = pcs_api_members(&v[K_METADATA], "request.metadata", metadata_keys, m, loc, record, err)) !=
                PCS_OK ||
            (m[0].p && (status = pcs_api_session(call, &m[0], "request.metadata.user_id", loc, err)) != PCS_OK))
            return status;
    }
    if (v[K_TIER].p && (status = pcs_api_tier(call, &v[K_TIER], "request.service_tier", loc, err)) != PCS_OK)
        return status;
    if ((status = pcs_api_response_usage(call, &envelope.response, pcs_api_usage_anthropic, loc, err)) != PCS_OK)
        return status;
    call->observed = call->has_usage;
    return PCS_OK;
}

static enum pcs_status parse_anthropic_log(struct pcs_trace *trace, struct trace_file *file, const char *record,
                                           size_t len, double base_seconds, const struct record_loc *loc,
                                           struct pcs_request *req, struct pcs_error *err)
{
    (void)file;
    (void)base_seconds;
    memset(req, 0, sizeof *req); /* a record that fails leaves no stale fields */
    struct api_log_read read;
    enum pcs_status status = read_anthropic_log(record, len, loc, &read, err);
    return status == PCS_OK ? pcs_api_log_request(trace, &read, NULL, loc, req, err) : status;
}

static enum pcs_status time_anthropic_log(struct pcs_trace *trace, struct trace_file *file, const char *record,
                                          size_t len, const struct record_loc *loc, int64_t *t_ms,
                                          struct pcs_error *err)
{
    (void)trace;
    (void)file;
    return pcs_api_envelope_time(record, len, loc, t_ms, err);
}

static void detect_anthropic_log(const char *head, size_t len, struct detect_verdict *verdict)
{
    pcs_api_detect_envelope(head, len, 1, verdict);
}

const struct trace_format pcs_trace_format_anthropic_log = {
    .id = PCS_FORMAT_ANTHROPIC_LOG,
    .name = "anthropic-log",
    .label = "Anthropic request log",
    .detect = detect_anthropic_log,
    .has_prefix_identity = 1,
    .index_time = time_anthropic_log,
    .parse = parse_anthropic_log,
    .read_call = read_anthropic_log,
};
