/* Claude Code transcripts (docs/formats.md, "Claude Code transcripts"):
 * ~/.claude/projects/<project>/<session>.jsonl and the subagents'
 * <session>/subagents/agent-<id>.jsonl, one JSON object a line:
 *
 *   {"parentUuid": "u1", "isSidechain": false, "type": "assistant",
 *    "uuid": "a1", "timestamp": "2026-03-01T12:00:01.250Z", "requestId": "req_1",
 *    "message": {"id": "msg_1", "model": "claude-sonnet-4-5", "role": "assistant",
 *                "content": [...], "usage": {"input_tokens": 3,
 *                "cache_creation_input_tokens": 120, "cache_read_input_tokens": 4000,
 *                "cache_creation": {"ephemeral_5m_input_tokens": 120,
 *                                   "ephemeral_1h_input_tokens": 0},
 *                "output_tokens": 250, "service_tier": "standard"}}}
 *
 * One API call is one request, however many lines (one per content block,
 * each with the call's message.id) it was written on. A transcript does
 * not hold the prompt's text (the system prompt and tools are never
 * written), so prefix identity comes from counts alone (DESIGN §8): a
 * call's prompt is its predecessor's (the nearest call among the
 * parentUuid ancestors of its first line) plus one unit of the difference,
 * or a new chain when its input is smaller.
 *
 * A whole-document format: pass one reads every line, since a call's time
 * and predecessor come from other lines (its parent's, its ancestors'),
 * and keeps each call compactly (struct cc_log_call); pass two builds a
 * call's bounds from those, without reading the file again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "common/civil_date.h"
#include "common/grow.h"
#include "common/hash_table.h"
#include "fields.h"
#include "log_units.h"

#define NO_CALL UINT32_MAX
/* Longest uuid, message id, line type or service tier accepted. */
#define CC_ID_MAX 256
#define CC_ID_SEED 0xcc10

/* What pass one keeps of a call (records[i] of the file's doc records is
 * the same call: its model and token counts). */
struct cc_log_call {
    uint64_t id_hash; /* message.id */
    uint64_t root;    /* its chain's root (the first call's id hash) */
    uint64_t unit;    /* the unit its prompt ends with, when it added one */
    uint64_t cache_read;
    uint64_t cache_write;
    uint64_t cache_write_1h;
    int64_t t_ms;
    uint64_t model_at; /* the model of its last line: the value's offset in the document */
    uint32_t line;     /* its first line */
    uint32_t pred;     /* its predecessor, or NO_CALL */
    uint32_t owner;    /* the call that added the last unit of its prompt (itself, or
                        * an ancestor when its input equals theirs); NO_CALL: none */
    uint32_t prev;     /* for a call that added a unit: the owner before it, or NO_CALL */
    uint32_t depth;    /* units in its prompt */
    uint32_t extended; /* successors that added a unit to its prompt */
    uint8_t tier;
};

/* A line with a uuid, as its children need it. */
struct cc_node {
    int64_t t_ms;  /* its timestamp, or -1 without one */
    uint32_t near; /* the nearest call at or above it (NO_CALL: none) */
    uint8_t sidechain;
};

/* The fields of one line, as parse_line found them. */
struct cc_line {
    char type[CC_ID_MAX];
    size_t type_len;
    int has_uuid;
    uint64_t uuid;
    int has_parent;
    uint64_t parent;
    int sidechain;
    int api_error;
    int has_time;
    int64_t t_ms;
    const char *message; /* the value of "message", or NULL */
};

/* The usage and identity of an assistant line's call. */
struct cc_message {
    uint64_t id_hash;
    uint64_t model_at;
    int synthetic; /* model "<synthetic>": written by Claude Code, not by the API */
    uint64_t input;
    uint64_t output;
    uint64_t cache_read;
    uint64_t cache_write;
    uint64_t cache_write_1h;
    uint8_t tier;
};

/* Pass one's state for one file. */
struct cc_index {
    struct trace_file *file;
    const char *doc;
    struct index_sink *sink;
    struct cc_node *nodes;
    size_t node_count;
    size_t node_cap;
    struct pcs_hash_table by_uuid;    /* uuid hash -> node */
    struct pcs_hash_table by_message; /* message.id hash -> call */
    struct cc_log_call *calls;
    size_t call_count;
    size_t call_cap;
    uint64_t *inputs; /* each call's input (and output), until kept as doc records */
    uint64_t *outputs;
};

/* A string no longer than CC_ID_MAX - 1 bytes, unescaped into buf. */
static enum pcs_status parse_id(struct js_cursor *c, const struct record_loc *loc, const char *field, char *buf,
                                size_t *len, struct pcs_error *err)
{
    if (pcs_js_peek(c) != '"')
        return pcs_field_wrong(c, loc, field, "a string", err);
    if (pcs_js_string(c, buf, CC_ID_MAX, len) != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "%s",
                                     c->problem ? c->problem : "a string longer than 255 bytes");
    return PCS_OK;
}

static enum pcs_status parse_id_hash(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                     uint64_t *hash, struct pcs_error *err)
{
    char buf[CC_ID_MAX];
    size_t len;
    enum pcs_status status = parse_id(c, loc, field, buf, &len, err);
    if (status != PCS_OK)
        return status;
    if (len == 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "empty");
    *hash = XXH3_64bits_withSeed(buf, len, CC_ID_SEED);
    return PCS_OK;
}

static int is_null(struct js_cursor *c)
{
    if (pcs_js_peek(c) != 'n')
        return 0;
    if ((size_t)(c->end - c->p) < 4 || memcmp(c->p, "null", 4) != 0)
        return 0;
    c->p += 4;
    return 1;
}

static enum pcs_status parse_bool(struct js_cursor *c, const struct record_loc *loc, const char *field, int *value,
                                  struct pcs_error *err)
{
    if (is_null(c)) {
        *value = 0;
        return PCS_OK;
    }
    if (pcs_js_bool(c, value) != 0)
        return pcs_field_wrong(c, loc, field, "true or false", err);
    return PCS_OK;
}

/* An ISO 8601 time with its offset ("2026-03-01T12:00:01.250Z"). */
static enum pcs_status parse_timestamp(struct js_cursor *c, const struct record_loc *loc, int64_t *t_ms,
                                       struct pcs_error *err)
{
    char buf[CC_ID_MAX];
    size_t len;
    enum pcs_status status = parse_id(c, loc, "timestamp", buf, &len, err);
    if (status != PCS_OK)
        return status;
    if (pcs_iso8601_to_ms(buf, len, t_ms) != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "timestamp",
                                     "\"%s\" is not an ISO 8601 time with an offset", buf);
    if (*t_ms < 0 || *t_ms > PCS_MAX_TIME_MS)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, "timestamp", "\"%s\" is before 1970 or too late", buf);
    return PCS_OK;
}

/* A token count that may be null or absent (0). */
static enum pcs_status parse_count(struct js_cursor *c, const struct record_loc *loc, const char *field, uint64_t *out,
                                   struct pcs_error *err)
{
    if (is_null(c)) {
        *out = 0;
        return PCS_OK;
    }
    return pcs_field_tokens(c, loc, field, out, err);
}

/* message.usage.cache_creation: the split of the writes by TTL. */
static enum pcs_status parse_split(struct js_cursor *c, const struct record_loc *loc, const char *doc,
                                   uint64_t *write_5m, uint64_t *write_1h, struct pcs_error *err)
{
    if (pcs_js_expect(c, '{') != 0)
        return pcs_field_wrong(c, loc, "message.usage.cache_creation", "an object", err);
    int first = 1;
    char buf[64];
    const char *key;
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key_ref(c, &first, &key, &key_len, buf, sizeof buf)) == 1) {
        enum pcs_status status;
        if (JS_KEY_IS(key, key_len, "ephemeral_5m_input_tokens"))
            status = parse_count(c, loc, "message.usage.cache_creation.ephemeral_5m_input_tokens", write_5m, err);
        else if (JS_KEY_IS(key, key_len, "ephemeral_1h_input_tokens"))
            status = parse_count(c, loc, "message.usage.cache_creation.ephemeral_1h_input_tokens", write_1h, err);
        else
            status = pcs_js_skip(c) == 0 ? PCS_OK : pcs_field_syntax(c, loc, doc, err);
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(c, loc, doc, err);
    return PCS_OK;
}

/* message.usage, normalised (DESIGN §8): input = input_tokens +
 * cache_read_input_tokens + cache_creation_input_tokens. */
static enum pcs_status parse_usage(struct js_cursor *c, const struct record_loc *loc, const char *doc,
                                   struct cc_message *m, struct pcs_error *err)
{
    if (pcs_js_expect(c, '{') != 0)
        return pcs_field_wrong(c, loc, "message.usage", "an object", err);
    uint64_t input_tokens = 0, write_5m = 0, write_1h = 0;
    int seen_input = 0, seen_output = 0, seen_split = 0;
    m->cache_read = 0;
    m->cache_write = 0;
    m->tier = PCS_TIER_STANDARD;
    int first = 1;
    char buf[64];
    const char *key;
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key_ref(c, &first, &key, &key_len, buf, sizeof buf)) == 1) {
        enum pcs_status status = PCS_OK;
        if (JS_KEY_IS(key, key_len, "input_tokens")) {
            seen_input = 1;
            status = pcs_field_tokens(c, loc, "message.usage.input_tokens", &input_tokens, err);
        } else if (JS_KEY_IS(key, key_len, "output_tokens")) {
            seen_output = 1;
            status = pcs_field_tokens(c, loc, "message.usage.output_tokens", &m->output, err);
        } else if (JS_KEY_IS(key, key_len, "cache_read_input_tokens")) {
            status = parse_count(c, loc, "message.usage.cache_read_input_tokens", &m->cache_read, err);
        } else if (JS_KEY_IS(key, key_len, "cache_creation_input_tokens")) {
            status = parse_count(c, loc, "message.usage.cache_creation_input_tokens", &m->cache_write, err);
        } else if (JS_KEY_IS(key, key_len, "cache_creation")) {
            if (!is_null(c)) {
                seen_split = 1;
                status = parse_split(c, loc, doc, &write_5m, &write_1h, err);
            }
        } else if (JS_KEY_IS(key, key_len, "service_tier")) {
            if (!is_null(c)) {
                char tier[CC_ID_MAX];
                size_t tier_len;
                status = parse_id(c, loc, "message.usage.service_tier", tier, &tier_len, err);
                int parsed = status == PCS_OK ? pcs_tier_parse(tier) : 0;
                if (parsed < 0)
                    status = pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "message.usage.service_tier",
                                                   "unknown tier \"%s\"", tier);
                else
                    m->tier = (uint8_t)parsed;
            }
        } else if (pcs_js_skip(c) != 0) {
            status = pcs_field_syntax(c, loc, doc, err);
        }
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(c, loc, doc, err);
    if (!seen_input)
        return pcs_field_missing(loc, "message.usage.input_tokens", err);
    if (!seen_output)
        return pcs_field_missing(loc, "message.usage.output_tokens", err);
    m->cache_write_1h = 0;
    if (seen_split) {
        if (write_5m + write_1h != m->cache_write)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "message.usage.cache_creation",
                                         "ephemeral_5m_input_tokens %llu + ephemeral_1h_input_tokens %llu differ "
                                         "from cache_creation_input_tokens %llu",
                                         (unsigned long long)write_5m, (unsigned long long)write_1h,
                                         (unsigned long long)m->cache_write);
        m->cache_write_1h = write_1h;
    }
    m->input = input_tokens + m->cache_read + m->cache_write; /* each < 2^32: no overflow */
    if (m->input > PCS_MAX_REQUEST_TOKENS)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, "message.usage",
                                     "input_tokens + cache_read_input_tokens + cache_creation_input_tokens = %llu "
                                     "is more than the limit of %llu",
                                     (unsigned long long)m->input, PCS_MAX_REQUEST_TOKENS);
    return PCS_OK;
}

/* The message of a line of type type: an assistant's id, model and usage
 * into m (want_usage), or, for any line, its role checked against the
 * type's. A line that is not an assistant's must not carry usage. */
static enum pcs_status parse_message(const struct cc_line *line, const struct record_loc *loc, const char *doc,
                                     const char *end, int want_usage, struct cc_message *m, struct pcs_error *err)
{
    struct js_cursor c = {line->message, end, NULL};
    if (pcs_js_expect(&c, '{') != 0)
        return pcs_field_wrong(&c, loc, "message", "an object", err);
    int seen_id = 0, seen_model = 0, seen_usage = 0;
    int first = 1;
    char buf[64];
    const char *key;
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key_ref(&c, &first, &key, &key_len, buf, sizeof buf)) == 1) {
        enum pcs_status status = PCS_OK;
        if (JS_KEY_IS(key, key_len, "role")) {
            char role[CC_ID_MAX];
            size_t role_len;
            status = parse_id(&c, loc, "message.role", role, &role_len, err);
            const char *expected = want_usage ? "assistant" : strcmp(line->type, "user") == 0 ? "user" : NULL;
            if (status == PCS_OK && expected && strcmp(role, expected) != 0)
                status = pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "message.role",
                                               "unknown role \"%s\" in a line of type \"%s\" (want \"%s\")", role,
                                               line->type, expected);
        } else if (JS_KEY_IS(key, key_len, "usage") && !is_null(&c)) {
            seen_usage = 1;
            if (!want_usage)
                return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "type",
                                             "a line of type \"%s\" carries message.usage (only assistant lines "
                                             "are API calls)",
                                             line->type);
            status = parse_usage(&c, loc, doc, m, err);
        } else if (want_usage && JS_KEY_IS(key, key_len, "id")) {
            seen_id = 1;
            status = parse_id_hash(&c, loc, "message.id", &m->id_hash, err);
        } else if (want_usage && JS_KEY_IS(key, key_len, "model")) {
            seen_model = 1;
            m->model_at = (uint64_t)(c.p - doc);
            char model[FIELD_MODEL_MAX];
            size_t model_len;
            status = pcs_field_model_name(&c, loc, "message.model", model, &model_len, err);
            m->synthetic = status == PCS_OK && strcmp(model, "<synthetic>") == 0;
        } else if (pcs_js_skip(&c) != 0) {
            status = pcs_field_syntax(&c, loc, doc, err);
        }
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, doc, err);
    if (!want_usage)
        return PCS_OK;
    if (!seen_model)
        return pcs_field_missing(loc, "message.model", err);
    if (m->synthetic)
        return PCS_OK; /* not a call: its other fields do not matter */
    if (!seen_id)
        return pcs_field_missing(loc, "message.id", err);
    if (!seen_usage)
        return pcs_field_missing(loc, "message.usage", err);
    return PCS_OK;
}

/* The top-level fields of the line text[0..len) (an object). */
static enum pcs_status parse_line(const char *text, size_t len, const struct record_loc *loc, struct cc_line *line,
                                  struct pcs_error *err)
{
    struct js_cursor c;
    pcs_js_init(&c, text, text + len);
    memset(line, 0, sizeof *line);
    if (pcs_js_expect(&c, '{') != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s",
                                     pcs_js_kind(&c));
    int seen_type = 0;
    int first = 1;
    char buf[64];
    const char *key;
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key_ref(&c, &first, &key, &key_len, buf, sizeof buf)) == 1) {
        enum pcs_status status = PCS_OK;
        if (JS_KEY_IS(key, key_len, "type")) {
            seen_type = 1;
            status = parse_id(&c, loc, "type", line->type, &line->type_len, err);
        } else if (JS_KEY_IS(key, key_len, "uuid")) {
            line->has_uuid = 1;
            status = parse_id_hash(&c, loc, "uuid", &line->uuid, err);
        } else if (JS_KEY_IS(key, key_len, "parentUuid")) {
            line->has_parent = !is_null(&c);
            if (line->has_parent)
                status = parse_id_hash(&c, loc, "parentUuid", &line->parent, err);
        } else if (JS_KEY_IS(key, key_len, "isSidechain")) {
            status = parse_bool(&c, loc, "isSidechain", &line->sidechain, err);
        } else if (JS_KEY_IS(key, key_len, "isApiErrorMessage")) {
            status = parse_bool(&c, loc, "isApiErrorMessage", &line->api_error, err);
        } else if (JS_KEY_IS(key, key_len, "timestamp")) {
            line->has_time = 1;
            status = parse_timestamp(&c, loc, &line->t_ms, err);
        } else if (JS_KEY_IS(key, key_len, "message")) {
            line->message = c.p;
            if (pcs_js_skip(&c) != 0)
                status = pcs_field_syntax(&c, loc, text, err);
        } else if (pcs_js_skip(&c) != 0) {
            status = pcs_field_syntax(&c, loc, text, err);
        }
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, text, err);
    enum pcs_status status = pcs_field_record_end(&c, loc, err);
    if (status != PCS_OK)
        return status;
    if (!seen_type)
        return pcs_field_missing(loc, "type", err);
    return PCS_OK;
}

static enum pcs_status add_node(struct cc_index *x, uint64_t uuid, const struct cc_node *node)
{
    if (pcs_hash_find(&x->by_uuid, uuid, 0) != PCS_HASH_EMPTY)
        return PCS_OK; /* the first line with a uuid stands for it */
    if (x->node_count == x->node_cap) {
        size_t cap = grow_capacity(x->node_cap, x->node_count + 1, 256, sizeof *x->nodes);
        struct cc_node *nodes = cap && cap <= NO_CALL ? realloc(x->nodes, cap * sizeof *nodes) : NULL;
        if (!nodes)
            return PCS_ERR_NOMEM;
        x->nodes = nodes;
        x->node_cap = cap;
    }
    x->nodes[x->node_count] = *node;
    if (pcs_hash_add(&x->by_uuid, uuid, 0, (uint32_t)x->node_count) != PCS_OK)
        return PCS_ERR_NOMEM;
    x->node_count++;
    return PCS_OK;
}

static enum pcs_status add_call(struct cc_index *x, const struct cc_log_call *call, const struct cc_message *m)
{
    if (x->call_count == x->call_cap) {
        size_t cap = grow_capacity(x->call_cap, x->call_count + 1, 64, sizeof *x->calls);
        if (cap == 0 || cap >= NO_CALL)
            return PCS_ERR_NOMEM;
        struct cc_log_call *calls = realloc(x->calls, cap * sizeof *calls);
        if (calls)
            x->calls = calls;
        uint64_t *inputs = calls ? realloc(x->inputs, cap * sizeof *inputs) : NULL;
        if (inputs)
            x->inputs = inputs;
        uint64_t *outputs = inputs ? realloc(x->outputs, cap * sizeof *outputs) : NULL;
        if (!outputs)
            return PCS_ERR_NOMEM;
        x->outputs = outputs;
        x->call_cap = cap;
    }
    x->calls[x->call_count] = *call;
    x->inputs[x->call_count] = m->input;
    x->outputs[x->call_count] = m->output;
    if (pcs_hash_add(&x->by_message, m->id_hash, 0, (uint32_t)x->call_count) != PCS_OK)
        return PCS_ERR_NOMEM;
    x->call_count++;
    return PCS_OK;
}

/* A call's usage, model and tier from its line m (the last line of a call
 * written on several carries its final usage). */
static void take_usage(struct cc_index *x, uint32_t call, const struct cc_message *m)
{
    struct cc_log_call *c = &x->calls[call];
    c->cache_read = m->cache_read;
    c->cache_write = m->cache_write;
    c->cache_write_1h = m->cache_write_1h;
    c->model_at = m->model_at;
    c->tier = m->tier;
    x->inputs[call] = m->input;
    x->outputs[call] = m->output;
}

/* One line of the transcript: a node of the uuid tree, and, for an
 * assistant's line, a call or another line of one. */
static enum pcs_status index_line(struct cc_index *x, const char *text, size_t len, const struct record_loc *loc,
                                  struct pcs_error *err)
{
    struct cc_line line;
    enum pcs_status status = parse_line(text, len, loc, &line, err);
    if (status != PCS_OK)
        return status;
    int assistant = strcmp(line.type, "assistant") == 0;
    struct cc_message m = {0};
    if (assistant && line.api_error)
        assistant = 0; /* Claude Code's own error message: no call, whatever it carries */
    else if (line.message) {
        status = parse_message(&line, loc, x->doc, text + len, assistant, &m, err);
        if (status != PCS_OK)
            return status;
    } else if (assistant) {
        return pcs_field_missing(loc, "message", err);
    }
    /* The line's place in the tree: its parent, when it has one. */
    const struct cc_node *parent = NULL;
    if (line.has_parent) {
        uint32_t p = pcs_hash_find(&x->by_uuid, line.parent, 0);
        if (p != PCS_HASH_EMPTY)
            parent = &x->nodes[p];
    }
    struct cc_node node = {line.has_time ? line.t_ms : -1, NO_CALL, (uint8_t)(line.sidechain != 0)};
    /* Sidechains start their own chains: the nearest call is on the
     * line's own side. */
    if (parent && parent->sidechain == node.sidechain)
        node.near = parent->near;
    int is_call = assistant && !m.synthetic;
    if (is_call) {
        if (!line.has_uuid)
            return pcs_field_missing(loc, "uuid", err);
        if (!line.has_time)
            return pcs_field_missing(loc, "timestamp", err);
        if (line.has_parent && !parent)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "parentUuid",
                                         "the line this response answers is not in the file before it");
        uint32_t call = pcs_hash_find(&x->by_message, m.id_hash, 0);
        if (call == PCS_HASH_EMPTY) {
            struct cc_log_call c = {0};
            c.id_hash = m.id_hash;
            c.t_ms = parent && parent->t_ms >= 0 ? parent->t_ms : line.t_ms;
            c.line = (uint32_t)loc->line;
            c.pred = node.near;
            c.owner = NO_CALL;
            c.prev = NO_CALL;
            if (add_call(x, &c, &m) != PCS_OK)
                return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", x->file->path);
            call = (uint32_t)(x->call_count - 1);
        }
        take_usage(x, call, &m);
        node.near = call;
    }
    if (line.has_uuid && add_node(x, line.uuid, &node) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", x->file->path);
    return PCS_OK;
}

/* Where a call's prompt comes from (DESIGN §8, prefix identity from counts
 * alone): its predecessor's prompt plus one unit of R - R_p tokens (none
 * when R = R_p), or a new chain of one unit of R when it has none or R <
 * R_p. A unit's id hashes (chain root, position), so two chains never
 * share a prefix; and a branch (a predecessor's second successor that adds
 * a unit, and later ones) hashes its own message id in too, so that two
 * branches share their predecessor's units and no more. */
static void place_call(struct cc_index *x, uint32_t i)
{
    struct cc_log_call *c = &x->calls[i];
    uint64_t input = x->inputs[i];
    uint32_t p = c->pred;
    if (input == 0) {
        c->owner = NO_CALL;
        c->depth = 0;
        c->root = c->id_hash;
        return;
    }
    if (p == NO_CALL || input < x->inputs[p] || x->calls[p].owner == NO_CALL) {
        c->root = c->id_hash;
        c->prev = NO_CALL;
        c->depth = 1;
        c->unit = pcs_log_chain_unit(c->root, 0);
        c->owner = i;
        return;
    }
    struct cc_log_call *pred = &x->calls[p];
    c->root = pred->root;
    if (input == x->inputs[p]) {
        c->owner = pred->owner;
        c->depth = pred->depth;
        return;
    }
    c->prev = pred->owner;
    c->depth = pred->depth + 1;
    c->unit = pcs_log_chain_unit(c->root, c->depth - 1);
    if (pred->extended++ > 0)
        c->unit = XXH3_64bits_withSeed(&c->id_hash, sizeof c->id_hash, c->unit);
    c->owner = i;
}

/* Every call, in the order of its first line: its prompt placed, kept as
 * the file's next doc record and indexed at its time. */
static enum pcs_status keep_calls(struct cc_index *x, size_t len, struct pcs_error *err)
{
    struct doc_records *doc = &x->file->doc;
    doc->records = x->call_count ? malloc(x->call_count * sizeof *doc->records) : NULL;
    if (x->call_count && !doc->records)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", x->file->path);
    doc->cap = x->call_count;
    for (size_t i = 0; i < x->call_count; i++) {
        struct cc_log_call *c = &x->calls[i];
        place_call(x, (uint32_t)i);
        struct doc_record *rec = &doc->records[i];
        memset(rec, 0, sizeof *rec);
        rec->input_tokens = x->inputs[i];
        rec->output_tokens = x->outputs[i];
        rec->kept = 1;
        char model[FIELD_MODEL_MAX];
        size_t model_len;
        struct js_cursor mc = {x->doc + c->model_at, x->doc + len, NULL};
        struct record_loc loc = {x->file->path, c->line, NULL};
        enum pcs_status status = pcs_field_model_name(&mc, &loc, "message.model", model, &model_len, err);
        if (status != PCS_OK)
            return status; /* checked when the line was read */
        if (pcs_doc_records_model(doc, rec, model, model_len) != PCS_OK)
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", x->file->path);
        doc->count++;
        status = pcs_index_push_record(x->sink, x->file, i, c->t_ms, c->line, 0, err);
        if (status != PCS_OK)
            return status;
    }
    return PCS_OK;
}

static void index_free(struct cc_index *x)
{
    free(x->nodes);
    pcs_hash_release(&x->by_uuid);
    pcs_hash_release(&x->by_message);
    free(x->inputs);
    free(x->outputs);
}

static enum pcs_status index_transcript(struct trace_file *file, const char *doc, size_t len, struct index_sink *sink,
                                        struct pcs_error *err)
{
    struct cc_index x = {0};
    x.file = file;
    x.doc = doc;
    x.sink = sink;
    x.by_uuid.premixed = 1;
    x.by_message.premixed = 1;
    enum pcs_status status = PCS_OK;
    const char *p = doc, *end = doc + len;
    if (len >= 3 && memcmp(doc, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    uint64_t line_no = 0;
    while (p < end && status == PCS_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        const char *next = nl ? nl + 1 : end;
        line_no++;
        while (p < stop && js_is_space(*p))
            p++;
        const char *last = stop;
        while (last > p && js_is_space(last[-1]))
            last--;
        if (line_no > UINT32_MAX) {
            status = pcs_error_set(err, PCS_ERR_RANGE, "%s: more than 2^32 lines", file->path);
            break;
        }
        if (last > p) {
            struct record_loc loc = {file->path, line_no, NULL};
            status = index_line(&x, p, (size_t)(last - p), &loc, err);
            if (status != PCS_OK)
                status = pcs_index_record_failed(sink, skip_place_of(file->index, line_no, 0), status, err);
        }
        p = next;
    }
    if (status == PCS_OK)
        status = keep_calls(&x, len, err);
    file->doc.cc_log_calls = x.calls;
    index_free(&x);
    return status;
}

/* Pass two: a call's request from what pass one kept. Its prompt's units
 * are its owner's and the owners' before it, written back to front. */
static enum pcs_status kept_transcript(struct pcs_trace *trace, struct trace_file *file, const struct doc_record *rec,
                                       const struct record_loc *loc, struct pcs_request *req, struct pcs_error *err)
{
    (void)loc;
    struct doc_records *doc = &file->doc;
    const struct cc_log_call *calls = doc->cc_log_calls;
    const struct cc_log_call *c = &calls[rec - doc->records];
    memset(req, 0, sizeof *req);
    req->ok = 1;
    req->namespace_id = file->namespace_id;
    req->content_blocks = 0; /* units rebuilt from counts: lookback does not apply (DESIGN §8) */
    req->input_tokens = rec->input_tokens;
    req->output_tokens = rec->output_tokens;
    req->tier = c->tier;
    req->has_observed = 1;
    req->observed.cache_read = c->cache_read;
    req->observed.cache_write = c->cache_write;
    req->observed.cache_write_1h = c->cache_write_1h;
    if (pcs_trace_model_id(trace, doc->names + rec->model_at, rec->model_len, &req->model) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (c->depth == 0)
        return PCS_OK;
    struct bound_arrays *arrays = pcs_trace_scratch(trace, c->depth);
    if (!arrays)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    uint32_t owner = c->owner;
    for (uint32_t k = c->depth; k-- > 0; owner = calls[owner].prev) {
        arrays->units[k] = calls[owner].unit;
        arrays->ends[k] = (uint32_t)doc->records[owner].input_tokens;
        arrays->flags[k] = 0;
    }
    arrays->flags[c->depth - 1] = PCS_BOUND_BREAKPOINT;
    req->bound_count = c->depth;
    req->units = arrays->units;
    req->ends = arrays->ends;
    req->flags = arrays->flags;
    return PCS_OK;
}

/* Pass two, for a record pass one did not keep: there is none (every call
 * is kept). */
static enum pcs_status parse_transcript(struct pcs_trace *trace, struct trace_file *file, const char *record,
                                        size_t len, double base_seconds, const struct record_loc *loc,
                                        struct pcs_request *req, struct pcs_error *err)
{
    (void)trace;
    (void)file;
    (void)record;
    (void)len;
    (void)base_seconds;
    (void)req;
    return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "a transcript line read again");
}

/* The first record is a JSON object with a key only transcripts have, or
 * a "type" that is one of their line types; rank: where in the object. */
static void detect_transcript(const char *head, size_t len, struct detect_verdict *verdict)
{
    static const char *const keys[] = {"parentUuid", "isSidechain", "leafUuid", "logicalParentUuid", NULL};
    static const char *const types[] = {"user",
                                        "assistant",
                                        "system",
                                        "summary",
                                        "file-history-snapshot",
                                        "queue-operation",
                                        "progress",
                                        "attachment",
                                        "custom-title",
                                        "permission-mode",
                                        NULL};
    pcs_trace_detect_json_keys(head, len, keys, verdict);
    snprintf(verdict->looked_for, sizeof verdict->looked_for, "JSON with parentUuid/isSidechain/type");
    struct js_cursor c;
    size_t start = len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    pcs_js_init(&c, head + start, head + len);
    if (pcs_js_expect(&c, '{') != 0)
        return;
    int first = 1;
    char key[64];
    size_t key_len;
    for (uint64_t index = 0; pcs_js_next_key(&c, &first, key, sizeof key, &key_len) == 1; index++) {
        if (verdict->fits && index >= verdict->rank)
            return;
        if (strcmp(key, "type") == 0 && pcs_js_peek(&c) == '"') {
            char type[32];
            size_t type_len;
            if (pcs_js_string(&c, type, sizeof type, &type_len) != 0)
                return;
            for (size_t t = 0; types[t]; t++) {
                if (strcmp(type, types[t]) == 0) {
                    verdict->fits = 1;
                    verdict->rank = index;
                    return;
                }
            }
            continue;
        }
        if (pcs_js_skip(&c) != 0)
            return;
    }
}

const struct trace_format pcs_trace_format_claude_code_log = {
    .id = PCS_FORMAT_CLAUDE_CODE_LOG,
    .name = "claude-code-log",
    .label = "Claude Code transcript",
    .detect = detect_transcript,
    .namespace_per_file = 1,
    .has_prefix_identity = 1,
    .prefixes_from_counts = 1,
    .records_are_lines = 1,
    .index_document = index_transcript,
    .parse = parse_transcript,
    .kept = kept_transcript,
};
