/* Claude-Code session JSON (the kv-cache-tester format): one document,
 *   {"block_size": 64, "requests": [{"t": s, "model": "...", "in": N,
 *    "out": N, "hash_ids": [...]}, {"type": "subagent", "t": s,
 *    "requests": [... times relative to the entry's t ...]}, ...]}
 * hash_ids name full blocks only: bound i ends at block_size (i + 1) and the
 * tail after the last full block is never cacheable. Ids are local to the
 * file, so each file gets a namespace of its own. */
#include <string.h>

#include "fields.h"

#define CLAUDE_MAX_BLOCK_SIZE (1u << 20)
#define CLAUDE_MAX_NESTING 8

static enum pcs_status parse_claude(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                    double base_seconds, const struct record_loc *loc, struct pcs_request *req,
                                    struct pcs_error *err)
{
    struct js_cursor c;
    enum pcs_status status;
    int seen_time = 0, seen_model = 0, seen_in = 0, seen_out = 0, seen_ids = 0;
    size_t id_count = 0;
    const uint64_t *ids = NULL;

    memset(req, 0, sizeof *req);
    req->ok = 1;
    req->namespace_id = file->namespace_id;
    js_init(&c, record, record + len);
    if (js_expect(&c, '{') != 0)
        return trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a request object, found %s", js_kind(&c));
    int first = 1;
    char key[32];
    size_t key_len;
    int r;
    while ((r = js_next_key(&c, &first, key, sizeof key, &key_len)) == 1) {
        int *seen;
        if (strcmp(key, "t") == 0) {
            seen = &seen_time;
            status = field_time(&c, loc, "t", base_seconds, 1000, &req->t_ms, err);
        } else if (strcmp(key, "model") == 0) {
            seen = &seen_model;
            status = field_model(trace, &c, loc, "model", &req->model, err);
        } else if (strcmp(key, "in") == 0) {
            seen = &seen_in;
            status = field_tokens(&c, loc, "in", &req->input_tokens, err);
        } else if (strcmp(key, "out") == 0) {
            seen = &seen_out;
            status = field_tokens(&c, loc, "out", &req->output_tokens, err);
        } else if (strcmp(key, "hash_ids") == 0) {
            seen = &seen_ids;
            status = field_hash_ids(trace, &c, loc, "hash_ids", &file->ids_memo, &ids, &id_count, err);
        } else {
            if (js_skip(&c) != 0)
                return field_syntax(&c, loc, record, err);
            continue;
        }
        if (status != PCS_OK)
            return status;
        if (*seen)
            return trace_field_error(err, PCS_ERR_PARSE, loc, key, "appears twice");
        *seen = 1;
    }
    if (r < 0)
        return field_syntax(&c, loc, record, err);
    if (!seen_time)
        return field_missing(loc, "t", err);
    if (!seen_model)
        return field_missing(loc, "model", err);
    if (!seen_in)
        return field_missing(loc, "in", err);
    if (!seen_out)
        return field_missing(loc, "out", err);
    if (!seen_ids)
        return field_missing(loc, "hash_ids", err);
    const uint32_t *ends;
    status = field_block_ends(trace, loc, "hash_ids", id_count, file->block_size, req->input_tokens, 0, &ends, err);
    if (status != PCS_OK)
        return status;
    req->bound_count = id_count;
    req->units = ids;
    req->ends = ends;
    return PCS_OK;
}

/* What the first pass needs of an entry of a requests array. */
struct entry_scan {
    int is_subagent;
    const char *time;     /* the value of "t", or NULL */
    const char *requests; /* a subagent's requests array, or NULL */
};

/* Walks one entry by its outline: its type, where its t and requests are,
 * and (through the cursor) where it ends. Requests are validated in full
 * when pass two parses them. */
static enum pcs_status scan_entry(struct js_cursor *c, const struct record_loc *loc, const char *doc,
                                  struct entry_scan *scan, struct pcs_error *err)
{
    memset(scan, 0, sizeof *scan);
    if (js_expect(c, '{') != 0)
        return trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a request object, found %s", js_kind(c));
    int first = 1;
    char key[32];
    size_t key_len;
    int r;
    while ((r = js_next_key(c, &first, key, sizeof key, &key_len)) == 1) {
        if (strcmp(key, "t") == 0) {
            scan->time = c->p;
        } else if (strcmp(key, "requests") == 0) {
            scan->requests = c->p;
        } else if (strcmp(key, "type") == 0 && js_peek(c) == '"') {
            char type[16];
            size_t type_len;
            struct js_cursor probe = *c;
            scan->is_subagent = js_string(&probe, type, sizeof type, &type_len) == 0 && strcmp(type, "subagent") == 0;
        }
        if (js_skip_lax(c) != 0)
            return field_syntax(c, loc, doc, err);
    }
    if (r < 0)
        return field_syntax(c, loc, doc, err);
    return PCS_OK;
}

static enum pcs_status index_requests(struct trace_file *file, const char *doc, struct index_sink *sink,
                                      struct js_cursor *c, double base_seconds, const char *path, uint32_t top_index,
                                      int depth, struct pcs_error *err)
{
    struct record_loc array_loc = {file->path, 0, path};
    if (js_peek(c) != '[')
        return field_wrong(c, &array_loc, "requests", "an array", err);
    c->p++;
    int first = 1;
    size_t index = 0;
    int r;
    for (; (r = js_next_element(c, &first)) == 1; index++) {
        char where[256];
        snprintf(where, sizeof where, "%s[%zu]", path, index);
        uint32_t top = depth == 0 ? (uint32_t)index : top_index;
        struct record_loc loc = {file->path, top + 1, where};
        const char *start = c->p;
        struct entry_scan scan;
        enum pcs_status status = scan_entry(c, &loc, doc, &scan, err);
        if (status != PCS_OK)
            return status; /* the document itself is malformed */
        if (!scan.is_subagent) {
            int64_t t_ms;
            if (!scan.time) {
                status = field_missing(&loc, "t", err);
            } else {
                struct js_cursor time = {scan.time, c->end, NULL};
                status = field_time(&time, &loc, "t", base_seconds, 1000, &t_ms, err);
            }
            if (status == PCS_OK) {
                uint32_t sub = depth == 0 ? 0 : (uint32_t)index + 1;
                status = index_push_record(sink, file, (uint64_t)(start - doc), (size_t)(c->p - start), t_ms, top + 1,
                                           sub, err);
                if (status != PCS_OK)
                    return status;
                continue;
            }
            status = index_record_failed(sink, status, err);
            if (status != PCS_OK)
                return status;
            continue;
        }
        double t = -1;
        struct js_cursor time = {scan.time, c->end, NULL};
        int has_time = scan.time && js_number(&time, &t) == 0;
        if (!has_time || t < 0 || !scan.requests || depth + 1 >= CLAUDE_MAX_NESTING) {
            const char *problem = !has_time       ? "subagent entry without a numeric t"
                                  : t < 0         ? "subagent entry with a negative t"
                                  : !scan.requests ? "subagent entry without requests"
                                                   : "subagents nested too deeply";
            status = trace_field_error(err, PCS_ERR_PARSE, &loc, NULL, "%s", problem);
            status = index_record_failed(sink, status, err);
            if (status != PCS_OK)
                return status;
            continue;
        }
        char sub_path[sizeof where + 16];
        snprintf(sub_path, sizeof sub_path, "%s.requests", where);
        struct js_cursor sub = {scan.requests, c->end, NULL};
        status = index_requests(file, doc, sink, &sub, base_seconds + t, sub_path, top, depth + 1, err);
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return field_syntax(c, &array_loc, doc, err);
    return PCS_OK;
}

static enum pcs_status index_claude(struct trace_file *file, const char *doc, size_t len, struct index_sink *sink,
                                    struct pcs_error *err)
{
    struct js_cursor c;
    struct record_loc loc = {file->path, 0, NULL};
    js_init(&c, doc, doc + len);
    if (len >= 3 && memcmp(doc, "\xEF\xBB\xBF", 3) == 0)
        c.p += 3;
    if (js_expect(&c, '{') != 0)
        return trace_field_error(err, PCS_ERR_PARSE, &loc, NULL, "expected a session object, found %s", js_kind(&c));
    const char *requests = NULL;
    int seen_block = 0;
    int indexed = 0;
    int first = 1;
    char key[32];
    size_t key_len;
    int r;
    while ((r = js_next_key(&c, &first, key, sizeof key, &key_len)) == 1) {
        if (strcmp(key, "block_size") == 0) {
            uint64_t block;
            enum pcs_status status = field_positive(&c, &loc, "block_size", CLAUDE_MAX_BLOCK_SIZE, &block, err);
            if (status != PCS_OK)
                return status;
            file->block_size = (uint32_t)block;
            seen_block = 1;
            continue;
        }
        if (strcmp(key, "requests") == 0) {
            requests = c.p;
            if (seen_block) { /* the usual order: index as we go, no second walk */
                indexed = 1;
                enum pcs_status status = index_requests(file, doc, sink, &c, 0.0, "requests", 0, 0, err);
                if (status != PCS_OK)
                    return status;
                continue;
            }
        }
        if (js_skip(&c) != 0)
            return field_syntax(&c, &loc, doc, err);
    }
    if (r < 0)
        return field_syntax(&c, &loc, doc, err);
    if (js_peek(&c) != 0)
        return trace_field_error(err, PCS_ERR_PARSE, &loc, NULL, "unexpected text after the session object");
    if (!seen_block)
        return field_missing(&loc, "block_size", err);
    if (!requests)
        return field_missing(&loc, "requests", err);
    if (indexed)
        return PCS_OK;
    struct js_cursor list = {requests, doc + len, NULL};
    return index_requests(file, doc, sink, &list, 0.0, "requests", 0, 0, err);
}

const struct trace_format trace_format_claude_code = {PCS_FORMAT_CLAUDE_CODE, NULL, index_claude, NULL,
                                                      parse_claude};
