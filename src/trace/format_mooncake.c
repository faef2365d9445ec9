/* Mooncake JSONL (FAST'25 traces): one request per line,
 *   {"timestamp": ms, "input_length": N, "output_length": N, "hash_ids": [...]}
 * one unit per 512-token block; bound i ends at min(512 (i + 1), input_length);
 * one global namespace; the model is the configured default. */
#include <string.h>

#include "fields.h"

#define MOONCAKE_BLOCK_TOKENS 512

static enum pcs_status parse_mooncake(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                      double base_seconds, const struct record_loc *loc, struct pcs_request *req,
                                      struct pcs_error *err)
{
    struct js_cursor c;
    enum pcs_status status;
    int seen_time = 0;
    int seen_input = 0;
    int seen_output = 0;
    int seen_ids = 0;
    size_t id_count = 0;
    const uint64_t *ids = NULL;
    (void)file;

    memset(req, 0, sizeof *req);
    req->ok = 1;
    pcs_js_init(&c, record, record + len);
    if (pcs_js_expect(&c, '{') != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s",
                                     pcs_js_kind(&c));
    int first = 1;
    char buf[32];
    const char *key;
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key_ref(&c, &first, &key, &key_len, buf, sizeof buf)) == 1) {
        int *seen = NULL;
        const char *name;
        if (JS_KEY_IS(key, key_len, "timestamp")) {
            seen = &seen_time;
            name = "timestamp";
            status = pcs_field_time(&c, loc, name, base_seconds, 1, &req->t_ms, err);
        } else if (JS_KEY_IS(key, key_len, "input_length")) {
            seen = &seen_input;
            name = "input_length";
            status = pcs_field_tokens(&c, loc, name, &req->input_tokens, err);
        } else if (JS_KEY_IS(key, key_len, "output_length")) {
            seen = &seen_output;
            name = "output_length";
            status = pcs_field_tokens(&c, loc, name, &req->output_tokens, err);
        } else if (JS_KEY_IS(key, key_len, "hash_ids")) {
            seen = &seen_ids;
            name = "hash_ids";
            status = pcs_field_hash_ids(trace, &c, loc, name, NULL, &ids, &id_count, err);
        } else {
            if (pcs_js_skip(&c) != 0)
                return pcs_field_syntax(&c, loc, record, err);
            continue;
        }
        if (status != PCS_OK)
            return status;
        if (*seen)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, name, "appears twice");
        *seen = 1;
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, record, err);
    status = pcs_field_record_end(&c, loc, err);
    if (status != PCS_OK)
        return status;
    if (!seen_time)
        return pcs_field_missing(loc, "timestamp", err);
    if (!seen_input)
        return pcs_field_missing(loc, "input_length", err);
    if (!seen_output)
        return pcs_field_missing(loc, "output_length", err);
    if (!seen_ids)
        return pcs_field_missing(loc, "hash_ids", err);
    const uint32_t *ends;
    status =
        pcs_field_block_ends(trace, loc, "hash_ids", id_count, MOONCAKE_BLOCK_TOKENS, req->input_tokens, 1, &ends, err);
    if (status != PCS_OK)
        return status;
    status = pcs_trace_default_model(trace, &req->model);
    if (status != PCS_OK)
        return pcs_error_set(err, status, "out of memory");
    req->bound_count = id_count;
    req->units = ids;
    req->ends = ends;
    req->flags = NULL;
    return PCS_OK;
}

static enum pcs_status time_mooncake(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                     const struct record_loc *loc, int64_t *t_ms, struct pcs_error *err)
{
    (void)trace;
    (void)file;
    return pcs_field_find_time(record, len, "timestamp", 1, 0, loc, t_ms, err);
}

/* Any of these keys in the first record (no other format's). */
static void detect_mooncake(const char *head, size_t len, struct detect_verdict *verdict)
{
    static const char *const keys[] = {"timestamp", "input_length", "output_length", NULL};
    pcs_trace_detect_json_keys(head, len, keys, verdict);
}

const struct trace_format pcs_trace_format_mooncake = {
    .id = PCS_FORMAT_MOONCAKE,
    .name = "mooncake",
    .label = "Mooncake JSONL",
    .detect = detect_mooncake,
    .has_prefix_identity = 1,
    .index_time = time_mooncake,
    .parse = parse_mooncake,
};
