/* Mooncake JSONL (FAST'25 traces): one request per line,
 *   {"timestamp": ms, "input_length": N, "output_length": N, "hash_ids": [...]}
 * one unit per 512-token block; bound i ends at min(512 (i + 1), input_length);
 * one global namespace; the model is the configured default. */
#include <string.h>

#include "fields.h"

#define MOONCAKE_BLOCK_TOKENS 512

/* The layout Mooncake's own traces (and json.dumps) write, key for key. */
#define LAYOUT_TIME "{\"timestamp\": "
#define LAYOUT_INPUT ", \"input_length\": "
#define LAYOUT_OUTPUT ", \"output_length\": "
#define LAYOUT_IDS ", \"hash_ids\": "

/* Skips text at the cursor if it is there and followed by a byte in
 * [first, last] (where a value of the expected kind starts). */
static int skip_literal(struct js_cursor *c, const char *text, size_t len, char first, char last)
{
    if ((size_t)(c->end - c->p) <= len || memcmp(c->p, text, len) != 0 || c->p[len] < first || c->p[len] > last)
        return 0;
    c->p += len;
    return 1;
}

/* The number at the cursor if it is 1 to 8 digits without a leading zero
 * followed by ',' (a value no field refuses): consumed and returned. Else
 * -1, the cursor unmoved: the field's own parser decides. */
static int64_t plain_number(struct js_cursor *c)
{
    const char *p = c->p;
    if (c->end - p <= 8)
        return -1;
    uint64_t digits;
    unsigned width = js_digit_run(p, &digits);
    if (width == 0 || (width > 1 && *p == '0') || p[width] != ',')
        return -1;
    c->p = p + width;
    return (int64_t)js_digits_value(digits, width);
}

/* A token count of the layout: a plain number converted in place, anything
 * else by pcs_field_tokens. */
static enum pcs_status layout_tokens(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                     uint64_t *out, struct pcs_error *err)
{
    int64_t value = plain_number(c);
    if (value < 0)
        return pcs_field_tokens(c, loc, field, out, err);
    *out = (uint64_t)value;
    return PCS_OK;
}

/* The request of a record laid out exactly as LAYOUT_*, then "]}": the
 * keys are compared as whole literals instead of being scanned. Returns 1
 * with *status set when the record has that layout up to the point where
 * a field parser decided (so *status is what the general parse would
 * give: same fields, same order), 0 when it does not (nothing reported;
 * the caller parses in general). */
static int parse_layout(struct pcs_trace *trace, const char *record, size_t len, double base_seconds,
                        const struct record_loc *loc, struct pcs_request *req, const uint64_t **ids,
                        size_t *id_count, enum pcs_status *status, struct pcs_error *err)
{
    struct js_cursor c;
    pcs_js_init(&c, record, record + len);
    if (!skip_literal(&c, LAYOUT_TIME, sizeof LAYOUT_TIME - 1, '0', '9'))
        return 0;
    int64_t value = base_seconds == 0.0 ? plain_number(&c) : -1; /* milliseconds, as they are */
    if (value >= 0)
        req->t_ms = value;
    else if ((*status = pcs_field_time(&c, loc, "timestamp", base_seconds, 1, &req->t_ms, err)) != PCS_OK)
        return 1;
    if (!skip_literal(&c, LAYOUT_INPUT, sizeof LAYOUT_INPUT - 1, '0', '9'))
        return 0;
    if ((*status = layout_tokens(&c, loc, "input_length", &req->input_tokens, err)) != PCS_OK)
        return 1;
    if (!skip_literal(&c, LAYOUT_OUTPUT, sizeof LAYOUT_OUTPUT - 1, '0', '9'))
        return 0;
    if ((*status = layout_tokens(&c, loc, "output_length", &req->output_tokens, err)) != PCS_OK)
        return 1;
    if (!skip_literal(&c, LAYOUT_IDS, sizeof LAYOUT_IDS - 1, '[', '['))
        return 0;
    *status = pcs_field_hash_ids(trace, &c, loc, "hash_ids", NULL, ids, id_count, err);
    if (*status != PCS_OK)
        return 1;
    if (c.p == c.end || *c.p != '}')
        return 0;
    c.p++;
    *status = pcs_field_record_end(&c, loc, err);
    return 1;
}

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
    if (parse_layout(trace, record, len, base_seconds, loc, req, &ids, &id_count, &status, err)) {
        if (status != PCS_OK)
            return status;
        goto fields_done;
    }
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
fields_done:;
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
    return pcs_field_find_time(record, len, "timestamp", 1, loc, t_ms, err);
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
