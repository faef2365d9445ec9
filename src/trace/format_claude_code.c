/* Claude-Code session JSON (the kv-cache-tester format): one document,
 *   {"block_size": 64, "requests": [{"t": s, "model": "...", "in": N,
 *    "out": N, "hash_ids": [...], "ttft": s}, {"type": "subagent", "t": s,
 *    "requests": [... times relative to the entry's t ...]}, ...]}
 * hash_ids name full blocks only: bound i ends at block_size (i + 1) and the
 * tail after the last full block is never cacheable. Ids are local to the
 * file, so each file gets a namespace of its own. */
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "fields.h"

#define CLAUDE_MAX_BLOCK_SIZE (1u << 20)
#define CLAUDE_MAX_NESTING 8
/* A file's kept ids may take half as many bytes as the file, or this
 * many: with the document read whole in pass one, a file takes at most
 * one and a half times its size. */
#define KEEP_MIN_BYTES ((uint64_t)1 << 20)

/* The most bytes of ids a file keeps. */
static uint64_t keep_limit(const struct trace_file *file)
{
    return file->size / 2 > KEEP_MIN_BYTES ? file->size / 2 : KEEP_MIN_BYTES;
}

/* Undoes what parsing one more array did to the store. */
static void store_rollback(struct ids_store *store, const struct ids_store *before)
{
    store->count = before->count;
    store->prev_text = before->prev_text;
    store->prev_len = before->prev_len;
    store->prev_at = before->prev_at;
    store->prev_count = before->prev_count;
}

/* What an entry of a requests array holds: a request's fields, or a
 * subagent's time and requests. */
struct entry_fields {
    int is_subagent;
    const char *time;     /* the value of "t", or NULL */
    const char *requests; /* the value of "requests", or NULL */
    int64_t t_ms;
    char model[FIELD_MODEL_MAX];
    size_t model_len;
    uint64_t input_tokens;
    uint64_t output_tokens;
    int64_t ttft_ms;     /* optional "ttft" (seconds), 0 when absent */
    const uint64_t *ids; /* in the store (or the trace's scratch) */
    size_t id_count;
};

static int skip_value(struct js_cursor *c, int outline)
{
    return outline ? pcs_js_skip_lax(c) : pcs_js_skip(c);
}

/* Parses the entry at c into e. In outline mode, or once the entry says it
 * is a subagent, the fields of a request are skipped by their outline
 * only. The ids go to store, or without one to the trace's scratch. */
static enum pcs_status parse_entry(struct pcs_trace *trace, struct js_cursor *c, const struct record_loc *loc,
                                   const char *doc, double base_seconds, int outline, struct ids_store *store,
                                   struct entry_fields *e, struct pcs_error *err)
{
    int seen_time = 0, seen_model = 0, seen_in = 0, seen_out = 0, seen_ids = 0, seen_ttft = 0;
    e->is_subagent = 0;
    e->ttft_ms = 0;
    e->time = NULL;
    e->requests = NULL;
    if (pcs_js_expect(c, '{') != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a request object, found %s",
                                     pcs_js_kind(c));
    int first = 1;
    char buf[32];
    const char *key;
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key_ref(c, &first, &key, &key_len, buf, sizeof buf)) == 1) {
        enum pcs_status status;
        int *seen;
        const char *name;
        if (JS_KEY_IS(key, key_len, "type") && pcs_js_peek(c) == '"') {
            char type[16];
            size_t type_len;
            const char *value = c->p;
            if (pcs_js_string(c, type, sizeof type, &type_len) == 0 && strcmp(type, "subagent") == 0) {
                e->is_subagent = 1;
                outline = 1;
            }
            c->p = value;
            if (skip_value(c, outline) != 0)
                return pcs_field_syntax(c, loc, doc, err);
            continue;
        }
        int is_time = JS_KEY_IS(key, key_len, "t");
        if (JS_KEY_IS(key, key_len, "requests"))
            e->requests = c->p;
        if (is_time)
            e->time = c->p;
        if (outline) {
            if (pcs_js_skip_lax(c) != 0)
                return pcs_field_syntax(c, loc, doc, err);
            continue;
        }
        if (is_time) {
            seen = &seen_time;
            name = "t";
            status = pcs_field_time(c, loc, name, base_seconds, 1000, &e->t_ms, err);
        } else if (JS_KEY_IS(key, key_len, "model")) {
            seen = &seen_model;
            name = "model";
            status = pcs_field_model_name(c, loc, name, e->model, &e->model_len, err);
        } else if (JS_KEY_IS(key, key_len, "in")) {
            seen = &seen_in;
            name = "in";
            status = pcs_field_tokens(c, loc, name, &e->input_tokens, err);
        } else if (JS_KEY_IS(key, key_len, "out")) {
            seen = &seen_out;
            name = "out";
            status = pcs_field_tokens(c, loc, name, &e->output_tokens, err);
        } else if (JS_KEY_IS(key, key_len, "hash_ids")) {
            seen = &seen_ids;
            name = "hash_ids";
            status = pcs_field_hash_ids(trace, c, loc, name, store, &e->ids, &e->id_count, err);
        } else if (JS_KEY_IS(key, key_len, "ttft")) {
            seen = &seen_ttft;
            name = "ttft";
            status = pcs_field_ttft(c, loc, name, &e->ttft_ms, err);
        } else {
            if (pcs_js_skip(c) != 0)
                return pcs_field_syntax(c, loc, doc, err);
            continue;
        }
        if (status != PCS_OK)
            return status;
        if (*seen)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, name, "appears twice");
        *seen = 1;
    }
    if (r < 0)
        return pcs_field_syntax(c, loc, doc, err);
    if (outline)
        return PCS_OK;
    if (!seen_time)
        return pcs_field_missing(loc, "t", err);
    if (!seen_model)
        return pcs_field_missing(loc, "model", err);
    if (!seen_in)
        return pcs_field_missing(loc, "in", err);
    if (!seen_out)
        return pcs_field_missing(loc, "out", err);
    if (!seen_ids)
        return pcs_field_missing(loc, "hash_ids", err);
    return PCS_OK;
}

/* Pass two, for a record whose ids pass one did not keep: the record's
 * bytes, parsed again. */
static enum pcs_status parse_claude(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                    double base_seconds, const struct record_loc *loc, struct pcs_request *req,
                                    struct pcs_error *err)
{
    struct js_cursor c;
    struct entry_fields e;
    pcs_js_init(&c, record, record + len);
    enum pcs_status status = parse_entry(trace, &c, loc, record, base_seconds, 0, NULL, &e, err);
    if (status != PCS_OK)
        return status;
    if (e.is_subagent)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a request, found a subagent entry");
    memset(req, 0, sizeof *req);
    req->ok = 1;
    req->namespace_id = file->namespace_id;
    req->t_ms = e.t_ms;
    req->ttft_ms = e.ttft_ms;
    req->input_tokens = e.input_tokens;
    req->output_tokens = e.output_tokens;
    if (pcs_trace_model_id(trace, e.model, e.model_len, &req->model) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    status =
        pcs_field_block_ends(trace, loc, "hash_ids", e.id_count, file->block_size, e.input_tokens, 0, &req->ends, err);
    if (status != PCS_OK)
        return status;
    req->bound_count = e.id_count;
    req->units = e.ids;
    return PCS_OK;
}

/* Pass two, for a record whose ids pass one kept. */
static enum pcs_status kept_claude(struct pcs_trace *trace, struct trace_file *file, const struct doc_record *rec,
                                   const struct record_loc *loc, struct pcs_request *req, struct pcs_error *err)
{
    struct doc_records *doc = &file->doc;
    memset(req, 0, sizeof *req);
    req->ok = 1;
    req->namespace_id = file->namespace_id;
    req->ttft_ms = rec->ttft_ms;
    req->input_tokens = rec->input_tokens;
    req->output_tokens = rec->output_tokens;
    /* Models are interned as requests come, as for a record parsed here. */
    if (pcs_trace_model_id(trace, doc->names + rec->model_at, rec->model_len, &req->model) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    enum pcs_status status = pcs_field_block_ends(trace, loc, "hash_ids", rec->id_count, file->block_size,
                                                  rec->input_tokens, 0, &req->ends, err);
    if (status != PCS_OK)
        return status;
    req->bound_count = rec->id_count;
    req->units = doc->store.ids + rec->ids_at;
    return PCS_OK;
}

/* Keeps a parsed request as the file's next doc record. Its ids stay in
 * the store unless the store would then pass keep_limit. */
static enum pcs_status keep_record(struct trace_file *file, const struct entry_fields *e, const char *doc_text,
                                   const char *start, const char *end, const struct ids_store *before,
                                   struct pcs_error *err)
{
    struct doc_records *doc = &file->doc;
    struct ids_store *store = &doc->store;
    if ((size_t)(end - start) > UINT32_MAX || e->id_count > UINT32_MAX)
        return pcs_error_set(err, PCS_ERR_RANGE, "%s: request too large", file->path);
    if (doc->count == doc->cap) {
        size_t cap = grow_capacity(doc->cap, doc->count + 1, 64, sizeof *doc->records);
        struct doc_record *records = cap ? realloc(doc->records, cap * sizeof *records) : NULL;
        if (!records)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        doc->records = records;
        doc->cap = cap;
    }
    struct doc_record *rec = &doc->records[doc->count];
    rec->offset = (uint64_t)(start - doc_text);
    rec->length = (uint32_t)(end - start);
    rec->input_tokens = e->input_tokens;
    rec->output_tokens = e->output_tokens;
    rec->ttft_ms = e->ttft_ms;
    rec->id_count = (uint32_t)e->id_count;
    rec->ids_at = store->prev_at;
    rec->kept = 1;
    if ((uint64_t)store->count * sizeof *store->ids > keep_limit(file)) {
        store_rollback(store, before);
        rec->ids_at = 0;
        rec->kept = 0;
    }
    if (pcs_doc_records_model(doc, rec, e->model, e->model_len) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    doc->count++;
    return PCS_OK;
}

static enum pcs_status index_subagent(struct trace_file *file, const char *doc, struct index_sink *sink,
                                      struct js_cursor *c, const struct entry_fields *e, double base_seconds,
                                      const char *where, uint32_t top, int depth, const struct record_loc *loc,
                                      struct pcs_error *err);

static enum pcs_status index_requests(struct trace_file *file, const char *doc, struct index_sink *sink,
                                      struct js_cursor *c, double base_seconds, const char *path, uint32_t top_index,
                                      int depth, struct pcs_error *err)
{
    struct record_loc array_loc = {file->path, 0, path};
    struct ids_store *store = &file->doc.store;
    if (pcs_js_peek(c) != '[')
        return pcs_field_wrong(c, &array_loc, "requests", "an array", err);
    c->p++;
    int first = 1;
    size_t index = 0;
    int r;
    for (; (r = pcs_js_next_element(c, &first)) == 1; index++) {
        char where[256];
        snprintf(where, sizeof where, "%s[%zu]", path, index);
        uint32_t top = depth == 0 ? (uint32_t)index : top_index;
        struct record_loc loc = {file->path, top + 1, where};
        const char *start = c->p;
        struct ids_store before = *store;
        struct entry_fields e;
        enum pcs_status status = parse_entry(NULL, c, &loc, doc, base_seconds, 0, store, &e, err);
        if (status == PCS_OK && !e.is_subagent)
            status = pcs_field_ids_fit(&loc, "hash_ids", e.id_count, file->block_size, e.input_tokens, 0, err);
        if (status == PCS_OK && !e.is_subagent) {
            status = keep_record(file, &e, doc, start, c->p, &before, err);
            if (status == PCS_OK) {
                uint32_t sub = depth == 0 ? 0 : (uint32_t)index + 1;
                status = pcs_index_push_record(sink, file, file->doc.count - 1, e.t_ms, top + 1, sub, err);
            }
            if (status != PCS_OK)
                return status;
            continue;
        }
        store_rollback(store, &before);
        if (status != PCS_OK) {
            /* A bad request, or an entry that turns out to be a subagent:
             * go over it again by its outline. */
            struct js_cursor outline = {start, c->end, NULL};
            struct pcs_error outline_err;
            enum pcs_status walked = parse_entry(NULL, &outline, &loc, doc, base_seconds, 1, store, &e, &outline_err);
            if (walked != PCS_OK) {
                *err = outline_err;
                return walked; /* the document itself is malformed */
            }
            c->p = outline.p;
            if (!e.is_subagent) {
                status = pcs_index_record_failed(sink, skip_place_of(file->index, top + 1, 0), status, err);
                if (status != PCS_OK)
                    return status;
                continue;
            }
        }
        status = index_subagent(file, doc, sink, c, &e, base_seconds, where, top, depth, &loc, err);
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(c, &array_loc, doc, err);
    return PCS_OK;
}

static enum pcs_status index_subagent(struct trace_file *file, const char *doc, struct index_sink *sink,
                                      struct js_cursor *c, const struct entry_fields *e, double base_seconds,
                                      const char *where, uint32_t top, int depth, const struct record_loc *loc,
                                      struct pcs_error *err)
{
    double t = -1;
    struct js_cursor time = {e->time, c->end, NULL};
    int has_time = e->time && pcs_js_number(&time, &t) == 0;
    if (!has_time || t < 0 || !e->requests || depth + 1 >= CLAUDE_MAX_NESTING) {
        const char *problem = !has_time      ? "subagent entry without a numeric t"
                              : t < 0        ? "subagent entry with a negative t"
                              : !e->requests ? "subagent entry without requests"
                                             : "subagents nested too deeply";
        enum pcs_status status = pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "%s", problem);
        return pcs_index_record_failed(sink, skip_place_of(file->index, top + 1, 0), status, err);
    }
    char sub_path[256 + 16];
    snprintf(sub_path, sizeof sub_path, "%s.requests", where);
    struct js_cursor sub = {e->requests, c->end, NULL};
    return index_requests(file, doc, sink, &sub, base_seconds + t, sub_path, top, depth + 1, err);
}

static enum pcs_status index_session(struct trace_file *file, const char *doc, size_t len, struct index_sink *sink,
                                     struct pcs_error *err)
{
    struct js_cursor c;
    struct record_loc loc = {file->path, 0, NULL};
    pcs_js_init(&c, doc, doc + len);
    if (len >= 3 && memcmp(doc, "\xEF\xBB\xBF", 3) == 0)
        c.p += 3;
    /* Room for as many kept ids as keep_record allows, and a last request
     * over the limit (or more, then grown). */
    if (pcs_ids_store_open(&file->doc.store, (size_t)(keep_limit(file) / sizeof(uint64_t)) + 4096) != 0)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", file->path);
    if (pcs_js_expect(&c, '{') != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, &loc, NULL, "expected a session object, found %s",
                                     pcs_js_kind(&c));
    const char *requests = NULL;
    int seen_block = 0;
    int indexed = 0;
    int first = 1;
    char key[32];
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key(&c, &first, key, sizeof key, &key_len)) == 1) {
        if (strcmp(key, "block_size") == 0) {
            uint64_t block;
            enum pcs_status status = pcs_field_positive(&c, &loc, "block_size", CLAUDE_MAX_BLOCK_SIZE, &block, err);
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
        if (pcs_js_skip(&c) != 0)
            return pcs_field_syntax(&c, &loc, doc, err);
    }
    if (r < 0)
        return pcs_field_syntax(&c, &loc, doc, err);
    if (pcs_js_peek(&c) != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, &loc, NULL, "unexpected text after the session object");
    if (!seen_block)
        return pcs_field_missing(&loc, "block_size", err);
    if (!requests)
        return pcs_field_missing(&loc, "requests", err);
    if (!indexed) {
        struct js_cursor list = {requests, doc + len, NULL};
        enum pcs_status status = index_requests(file, doc, sink, &list, 0.0, "requests", 0, 0, err);
        if (status != PCS_OK)
            return status;
    }
    return PCS_OK;
}

static enum pcs_status index_claude(struct trace_file *file, const char *doc, size_t len, struct index_sink *sink,
                                    struct pcs_error *err)
{
    enum pcs_status status = index_session(file, doc, len, sink, err);
    file->doc.store.prev_text = NULL; /* it points into the document */
    return status;
}

/* Any of these keys in the document's object (no other format's). */
static void detect_claude(const char *head, size_t len, struct detect_verdict *verdict)
{
    static const char *const keys[] = {"block_size", "requests", "hash_id_scope", "tool_tokens", NULL};
    pcs_trace_detect_json_keys(head, len, keys, verdict);
}

const struct trace_format pcs_trace_format_claude_code = {
    .id = PCS_FORMAT_CLAUDE_CODE,
    .name = "claude-code",
    .label = "Claude-Code session",
    .detect = detect_claude,
    .namespace_per_file = 1,
    .has_prefix_identity = 1,
    .index_document = index_claude,
    .parse = parse_claude,
    .kept = kept_claude,
};
