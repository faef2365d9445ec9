/* pcsim's native JSONL: one request per line (docs/formats.md, "Native trace format").
 *
 *   {"t": 12.5, "model": "gpt-5.4", "input_tokens": 5000, "output_tokens": 300,
 *    "segments": [{"id": "system", "tokens": 2000, "cache": "1h"}, ...],
 *    "task": "T1", "attempt": 1, "ok": true, "tier": "batch", "session": "s9",
 *    "ttft": 0.8, "observed": {"cache_read": 2000, "cache_write": 0, "cache_write_1h": 0},
 *    "cache_key": "user-42"}
 *
 * t is seconds or an ISO 8601 time with its offset; observed is the cache
 * usage the provider reported (an imported log's), which replay reconciles
 * with its own.
 *
 * The prompt is either hash_ids + block_tokens (bound i ends at
 * min(block_tokens (i + 1), input_tokens)) or segments (a bound at the end of
 * each, a breakpoint where "cache" is set: "5m" and "1h" mark its TTL, true
 * leaves it to the policy), or absent (nothing cacheable). Segments are
 * content blocks and hash_ids blocks (the breakpoint policy's lookback
 * applies to content blocks only) unless "content_blocks" says otherwise.
 * Unknown fields are errors, so a typo never silently disables caching; put
 * free-form data under "meta". */
#include <string.h>

#include <xxhash.h>

#include "fields.h"

#define NATIVE_MAX_BLOCK_TOKENS (1u << 20)
#define SEGMENT_ID_SEED 0x5e6d
#define TASK_ID_SEED 0x7a5c

enum native_field {
    F_T,
    F_MODEL,
    F_INPUT,
    F_OUTPUT,
    F_HASH_IDS,
    F_BLOCK,
    F_SEGMENTS,
    F_TASK,
    F_ATTEMPT,
    F_OK,
    F_TIER,
    F_SESSION,
    F_META,
    F_TTFT,
    F_OBSERVED,
    F_CONTENT_BLOCKS,
    F_CACHE_KEY,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "t",  "model", "input_tokens", "output_tokens", "hash_ids", "block_tokens", "segments",       "task",     "attempt",
    "ok", "tier",  "session",      "meta",          "ttft",     "observed",     "content_blocks", "cache_key"};

/* A string or integer identifier, hashed (the integer 5 and "5" are one id). */
static enum pcs_status parse_name_hash(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                       uint64_t seed, uint64_t *hash, char *text, size_t text_cap, size_t *text_len,
                                       struct pcs_error *err)
{
    size_t len;
    char ch = pcs_js_peek(c);
    if (ch == '"') {
        if (pcs_js_string(c, text, text_cap, &len) != 0)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "%s", c->problem);
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
        int64_t value;
        int r = pcs_js_int64(c, &value);
        if (r != 0)
            return pcs_field_wrong(c, loc, field, "a string or an integer", err);
        int n = snprintf(text, text_cap, "%lld", (long long)value);
        len = (size_t)n;
    } else {
        return pcs_field_wrong(c, loc, field, "a string or an integer", err);
    }
    if (len == 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "empty id");
    *hash = XXH3_64bits_withSeed(text, len, seed);
    if (text_len)
        *text_len = len;
    return PCS_OK;
}

/* observed: {"cache_read": N, "cache_write": N, "cache_write_1h": N}, each
 * optional (0); checked against input_tokens by the caller. */
static enum pcs_status parse_observed(struct js_cursor *c, const struct record_loc *loc, struct pcs_observed *obs,
                                      struct pcs_error *err)
{
    static const char *const names[] = {"cache_read", "cache_write", "cache_write_1h"};
    uint64_t *const values[] = {&obs->cache_read, &obs->cache_write, &obs->cache_write_1h};
    int seen[3] = {0};
    if (pcs_js_peek(c) != '{')
        return pcs_field_wrong(c, loc, "observed", "an object of token counts", err);
    c->p++;
    int first = 1;
    char key[32];
    size_t key_len;
    int r;
    memset(obs, 0, sizeof *obs);
    while ((r = pcs_js_next_key(c, &first, key, sizeof key, &key_len)) == 1) {
        char field[64];
        size_t i = 0;
        snprintf(field, sizeof field, "observed.%s", key);
        while (i < 3 && strcmp(key, names[i]) != 0)
            i++;
        if (i == 3)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field,
                                         "unknown field (observed has cache_read, cache_write and cache_write_1h)");
        if (seen[i])
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "appears twice");
        seen[i] = 1;
        enum pcs_status status = pcs_field_tokens(c, loc, field, values[i], err);
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "observed", "%s", c->problem);
    if (obs->cache_write_1h > obs->cache_write)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, "observed.cache_write_1h",
                                     "%llu is more than cache_write %llu", (unsigned long long)obs->cache_write_1h,
                                     (unsigned long long)obs->cache_write);
    return PCS_OK;
}

/* segments: [{"id": ..., "tokens": N, "cache": "5m" | "1h" | true}, ...] */
static enum pcs_status parse_segments(struct pcs_trace *trace, struct js_cursor *c, const struct record_loc *loc,
                                      size_t *count, uint64_t *total, struct pcs_error *err)
{
    if (pcs_js_peek(c) != '[')
        return pcs_field_wrong(c, loc, "segments", "an array of segment objects", err);
    c->p++;
    size_t n = 0;
    uint64_t end = 0;
    int first = 1;
    int r;
    while ((r = pcs_js_next_element(c, &first)) == 1) {
        char where[64];
        snprintf(where, sizeof where, "segments[%zu]", n);
        if (n >= TRACE_MAX_BOUNDS)
            return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, "segments", "more than %zu segments",
                                         TRACE_MAX_BOUNDS);
        struct bound_arrays *scratch = pcs_trace_scratch(trace, n + 1);
        if (!scratch)
            return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        if (pcs_js_peek(c) != '{')
            return pcs_field_wrong(c, loc, where, "a segment object", err);
        c->p++;
        int seen_id = 0, seen_tokens = 0, seen_cache = 0;
        uint64_t unit = 0;
        uint64_t tokens = 0;
        uint8_t flags = 0;
        int inner_first = 1;
        char key[32];
        size_t key_len;
        int kr;
        while ((kr = pcs_js_next_key(c, &inner_first, key, sizeof key, &key_len)) == 1) {
            char field[96];
            enum pcs_status status = PCS_OK;
            int *seen;
            snprintf(field, sizeof field, "%s.%s", where, key);
            if (strcmp(key, "id") == 0) {
                char text[256];
                seen = &seen_id;
                status = parse_name_hash(c, loc, field, SEGMENT_ID_SEED, &unit, text, sizeof text, NULL, err);
            } else if (strcmp(key, "tokens") == 0) {
                seen = &seen_tokens;
                status = pcs_field_positive(c, loc, field, PCS_MAX_REQUEST_TOKENS, &tokens, err);
            } else if (strcmp(key, "cache") == 0) {
                char ttl[16];
                size_t ttl_len;
                int bare;
                seen = &seen_cache;
                if (pcs_js_peek(c) == 't' && pcs_js_bool(c, &bare) == 0 && bare) {
                    flags = PCS_BOUND_BREAKPOINT; /* no marker: the policy's TTL */
                } else if (pcs_js_peek(c) != '"' || pcs_js_string(c, ttl, sizeof ttl, &ttl_len) != 0) {
                    return pcs_field_wrong(c, loc, field, "\"5m\", \"1h\" or true", err);
                } else if (strcmp(ttl, "5m") == 0)
                    flags = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_5M;
                else if (strcmp(ttl, "1h") == 0)
                    flags = PCS_BOUND_BREAKPOINT | PCS_BOUND_TTL_1H;
                else
                    return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field,
                                                 "expected \"5m\", \"1h\" or true, found \"%s\"", ttl);
            } else {
                return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field,
                                             "unknown field (a segment has id, tokens and cache)");
            }
            if (status != PCS_OK)
                return status;
            if (*seen)
                return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "appears twice");
            *seen = 1;
        }
        if (kr < 0)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, where, "%s", c->problem);
        if (!seen_id || !seen_tokens) {
            char field[96];
            snprintf(field, sizeof field, "%s.%s", where, seen_id ? "tokens" : "id");
            return pcs_field_missing(loc, field, err);
        }
        end += tokens;
        if (end > PCS_MAX_REQUEST_TOKENS)
            return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, "segments",
                                         "segments add up to more than %llu tokens", PCS_MAX_REQUEST_TOKENS);
        scratch->units[n] = unit;
        scratch->ends[n] = (uint32_t)end;
        scratch->flags[n] = flags;
        n++;
    }
    if (r < 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "segments", "%s", c->problem);
    *count = n;
    *total = end;
    return PCS_OK;
}

static enum pcs_status parse_native(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                    double base_seconds, const struct record_loc *loc, struct pcs_request *req,
                                    struct pcs_error *err)
{
    struct js_cursor c;
    int seen[F_COUNT] = {0};
    size_t id_count = 0;
    const uint64_t *ids = NULL;
    size_t segment_count = 0;
    uint64_t segment_tokens = 0;
    uint64_t block_tokens = 0;
    int marked = 0;
    int content_blocks = 0;
    (void)file;

    memset(req, 0, sizeof *req);
    req->ok = 1;
    pcs_js_init(&c, record, record + len);
    if (pcs_js_expect(&c, '{') != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s",
                                     pcs_js_kind(&c));
    int first = 1;
    char key[32];
    size_t key_len;
    int r;
    while ((r = pcs_js_next_key(&c, &first, key, sizeof key, &key_len)) == 1) {
        int field = 0;
        while (field < F_COUNT && strcmp(key, field_names[field]) != 0)
            field++;
        if (field == F_COUNT)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, key,
                                         "unknown field (known: t, model, input_tokens, output_tokens, hash_ids, "
                                         "block_tokens, segments, task, attempt, ok, tier, session, meta, ttft, "
                                         "observed, content_blocks, cache_key)");
        if (seen[field])
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, key, "appears twice");
        seen[field] = 1;
        enum pcs_status status = PCS_OK;
        char text[256];
        size_t text_len;
        switch ((enum native_field)field) {
        case F_T:
            status = base_seconds == 0.0 ? pcs_field_time_or_iso(&c, loc, key, &req->t_ms, err)
                                         : pcs_field_time(&c, loc, key, base_seconds, 1000, &req->t_ms, err);
            break;
        case F_TTFT: status = pcs_field_ttft(&c, loc, key, &req->ttft_ms, err); break;
        case F_OBSERVED:
            status = parse_observed(&c, loc, &req->observed, err);
            req->has_observed = 1;
            break;
        case F_MODEL: status = pcs_field_model(trace, &c, loc, key, &req->model, err); break;
        case F_INPUT: status = pcs_field_tokens(&c, loc, key, &req->input_tokens, err); break;
        case F_OUTPUT: status = pcs_field_tokens(&c, loc, key, &req->output_tokens, err); break;
        case F_HASH_IDS: status = pcs_field_hash_ids(trace, &c, loc, key, NULL, &ids, &id_count, err); break;
        case F_BLOCK: status = pcs_field_positive(&c, loc, key, NATIVE_MAX_BLOCK_TOKENS, &block_tokens, err); break;
        case F_SEGMENTS: status = parse_segments(trace, &c, loc, &segment_count, &segment_tokens, err); break;
        case F_TASK:
            status = parse_name_hash(&c, loc, key, TASK_ID_SEED, &req->task, text, sizeof text, NULL, err);
            req->has_task = 1;
            break;
        case F_ATTEMPT: {
            uint64_t attempt;
            status = pcs_field_positive(&c, loc, key, UINT32_MAX, &attempt, err);
            req->attempt = (uint32_t)attempt;
            break;
        }
        case F_CONTENT_BLOCKS:
            if (pcs_js_bool(&c, &content_blocks) != 0)
                return pcs_field_wrong(&c, loc, key, "true or false", err);
            break;
        case F_OK: {
            int ok;
            if (pcs_js_bool(&c, &ok) != 0)
                return pcs_field_wrong(&c, loc, key, "true or false", err);
            req->ok = (uint8_t)ok;
            break;
        }
        case F_TIER: {
            if (pcs_js_peek(&c) != '"' || pcs_js_string(&c, text, sizeof text, &text_len) != 0)
                return pcs_field_wrong(&c, loc, key, "a tier name", err);
            int tier = pcs_tier_parse(text);
            if (tier < 0)
                return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, key,
                                             "unknown tier \"%s\" (standard, batch, flex or priority)", text);
            req->tier = (uint8_t)tier;
            break;
        }
        case F_SESSION: {
            uint64_t ignored;
            status = parse_name_hash(&c, loc, key, 0, &ignored, text, sizeof text, &text_len, err);
            if (status == PCS_OK)
                req->namespace_id = pcs_trace_session_namespace(text, text_len);
            break;
        }
        case F_CACHE_KEY:
            if (pcs_js_peek(&c) != '"')
                return pcs_field_wrong(&c, loc, key, "a string", err);
            if (pcs_js_string(&c, text, sizeof text, &text_len) != 0)
                return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, key, "%s", c.problem);
            if (text_len == 0)
                return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, key, "empty cache key (leave the field out)");
            req->cache_key = pcs_request_cache_key_hash(text, text_len);
            break;
        case F_META:
            if (pcs_js_skip(&c) != 0)
                return pcs_field_syntax(&c, loc, record, err);
            break;
        case F_COUNT: break;
        }
        if (status != PCS_OK)
            return status;
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, record, err);
    enum pcs_status status = pcs_field_record_end(&c, loc, err);
    if (status != PCS_OK)
        return status;
    if (!seen[F_T])
        return pcs_field_missing(loc, "t", err);
    if (!seen[F_MODEL])
        return pcs_field_missing(loc, "model", err);
    if (!seen[F_OUTPUT])
        return pcs_field_missing(loc, "output_tokens", err);
    if (seen[F_HASH_IDS] && seen[F_SEGMENTS])
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, "segments", "give either hash_ids or segments, not both");
    if (seen[F_HASH_IDS] != seen[F_BLOCK])
        return pcs_field_missing(loc, seen[F_HASH_IDS] ? "block_tokens" : "hash_ids", err);
    if (!seen[F_INPUT]) {
        if (!seen[F_SEGMENTS])
            return pcs_field_missing(loc, "input_tokens", err);
        req->input_tokens = segment_tokens; /* the prompt is exactly its segments */
    }
    if (req->has_observed && req->observed.cache_read + req->observed.cache_write > req->input_tokens)
        return pcs_trace_field_error(
            err, PCS_ERR_RANGE, loc, "observed", "cache_read %llu + cache_write %llu is more than input_tokens %llu",
            (unsigned long long)req->observed.cache_read, (unsigned long long)req->observed.cache_write,
            (unsigned long long)req->input_tokens);
    if (seen[F_HASH_IDS]) {
        const uint32_t *ends;
        status = pcs_field_block_ends(trace, loc, "hash_ids", id_count, block_tokens, req->input_tokens, 1, &ends, err);
        if (status != PCS_OK)
            return status;
        req->bound_count = id_count;
        req->units = ids;
        req->ends = ends;
        req->flags = NULL;
        req->content_blocks = (uint8_t)(seen[F_CONTENT_BLOCKS] && content_blocks);
        return PCS_OK;
    }
    struct bound_arrays *scratch = pcs_trace_scratch(trace, 0);
    if (seen[F_SEGMENTS]) {
        if (segment_tokens > req->input_tokens)
            return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, "segments",
                                         "segments add up to %llu tokens, more than input_tokens %llu",
                                         (unsigned long long)segment_tokens, (unsigned long long)req->input_tokens);
        for (size_t i = 0; i < segment_count; i++)
            marked |= scratch->flags[i] != 0;
        req->bound_count = segment_count;
        /* Segments are content blocks (lookback applies, DESIGN §3) unless the line says they are
         * blocks of a block trace, as convert writes them. */
        req->content_blocks = (uint8_t)(!seen[F_CONTENT_BLOCKS] || content_blocks);
    }
    req->units = scratch->units;
    req->ends = scratch->ends;
    req->flags = marked ? scratch->flags : NULL;
    return PCS_OK;
}

static enum pcs_status time_native(struct pcs_trace *trace, struct trace_file *file, const char *record, size_t len,
                                   const struct record_loc *loc, int64_t *t_ms, struct pcs_error *err)
{
    (void)trace;
    (void)file;
    return pcs_field_find_time(record, len, "t", 1000, 1, loc, t_ms, err);
}

/* Any of these keys in the first record (no other format's). */
static void detect_native(const char *head, size_t len, struct detect_verdict *verdict)
{
    static const char *const keys[] = {
        "t", "input_tokens", "output_tokens", "segments", "block_tokens", "model", "task", NULL};
    pcs_trace_detect_json_keys(head, len, keys, verdict);
}

const struct trace_format pcs_trace_format_native = {
    .id = PCS_FORMAT_NATIVE,
    .name = "native",
    .label = "native JSONL",
    .detect = detect_native,
    .has_prefix_identity = 1,
    .index_time = time_native,
    .parse = parse_native,
};
