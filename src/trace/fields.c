/* Field parsers shared by the trace formats; see fields.h. */
#include "fields.h"

#include <string.h>

enum pcs_status field_wrong(struct js_cursor *c, const struct record_loc *loc, const char *field,
                            const char *expected, struct pcs_error *err)
{
    return trace_field_error(err, PCS_ERR_PARSE, loc, field, "expected %s, found %s", expected, js_kind(c));
}

enum pcs_status field_missing(const struct record_loc *loc, const char *field, struct pcs_error *err)
{
    return trace_field_error(err, PCS_ERR_PARSE, loc, field, "missing");
}

enum pcs_status field_syntax(struct js_cursor *c, const struct record_loc *loc, const char *record,
                             struct pcs_error *err)
{
    long column = (long)(c->p - record) + 1;
    return trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "malformed JSON at column %ld: %s", column,
                             c->problem ? c->problem : "unexpected input");
}

enum pcs_status field_find_time(const char *record, size_t len, const char *key, int64_t unit_ms,
                                const struct record_loc *loc, int64_t *t_ms, struct pcs_error *err)
{
    struct js_cursor c;
    js_init(&c, record, record + len);
    if (js_expect(&c, '{') != 0)
        return trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s", js_kind(&c));
    int first = 1;
    char name[32];
    size_t name_len;
    int r;
    while ((r = js_next_key(&c, &first, name, sizeof name, &name_len)) == 1) {
        if (strcmp(name, key) != 0) {
            if (js_skip_lax(&c) != 0)
                return field_syntax(&c, loc, record, err);
            continue;
        }
        return field_time(&c, loc, key, 0.0, unit_ms, t_ms, err);
    }
    if (r < 0)
        return field_syntax(&c, loc, record, err);
    return field_missing(loc, key, err);
}

enum pcs_status field_record_end(struct js_cursor *c, const struct record_loc *loc, struct pcs_error *err)
{
    if (js_peek(c) != 0)
        return trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "unexpected text after the record");
    return PCS_OK;
}

static enum pcs_status integer(struct js_cursor *c, const struct record_loc *loc, const char *field, int64_t *out,
                               struct pcs_error *err)
{
    int r = js_int64(c, out);
    if (r == 1)
        return trace_field_error(err, PCS_ERR_PARSE, loc, field, "expected an integer, found a fraction");
    if (r == 2)
        return trace_field_error(err, PCS_ERR_RANGE, loc, field, "integer overflows 64 bits");
    if (r != 0)
        return field_wrong(c, loc, field, "an integer", err);
    return PCS_OK;
}

enum pcs_status field_tokens(struct js_cursor *c, const struct record_loc *loc, const char *field, uint64_t *out,
                             struct pcs_error *err)
{
    int64_t value;
    enum pcs_status status = integer(c, loc, field, &value, err);
    if (status != PCS_OK)
        return status;
    if (value < 0)
        return trace_field_error(err, PCS_ERR_RANGE, loc, field, "negative token count %lld", (long long)value);
    if ((uint64_t)value > PCS_MAX_REQUEST_TOKENS)
        return trace_field_error(err, PCS_ERR_RANGE, loc, field, "%lld tokens is more than the limit of %llu",
                                 (long long)value, PCS_MAX_REQUEST_TOKENS);
    *out = (uint64_t)value;
    return PCS_OK;
}

enum pcs_status field_positive(struct js_cursor *c, const struct record_loc *loc, const char *field, uint64_t max,
                               uint64_t *out, struct pcs_error *err)
{
    int64_t value;
    enum pcs_status status = integer(c, loc, field, &value, err);
    if (status != PCS_OK)
        return status;
    if (value <= 0 || (uint64_t)value > max)
        return trace_field_error(err, PCS_ERR_RANGE, loc, field, "%lld is not in 1..%llu", (long long)value,
                                 (unsigned long long)max);
    *out = (uint64_t)value;
    return PCS_OK;
}

enum pcs_status field_time(struct js_cursor *c, const struct record_loc *loc, const char *field,
                           double base_seconds, int64_t unit_ms, int64_t *t_ms, struct pcs_error *err)
{
    const char *unit = unit_ms == 1 ? "ms" : "s";
    int64_t whole;
    struct js_cursor probe = *c;
    if (base_seconds == 0.0 && js_int64(&probe, &whole) == 0 && whole >= 0 && whole <= PCS_MAX_TIME_MS / unit_ms) {
        *c = probe; /* an integral time, the usual kind: exact, without strtod */
        *t_ms = whole * unit_ms;
        return PCS_OK;
    }
    double value;
    if (js_number(c, &value) != 0)
        return field_wrong(c, loc, field, unit_ms == 1 ? "a number of milliseconds" : "a number of seconds", err);
    if (value < 0)
        return trace_field_error(err, PCS_ERR_RANGE, loc, field, "negative time %g", value);
    double seconds = unit_ms == 1000 ? value : value * (double)unit_ms / 1000.0;
    if (trace_seconds_to_ms(base_seconds + seconds, t_ms) != PCS_OK)
        return trace_field_error(err, PCS_ERR_RANGE, loc, field, "time %g %s is out of range", value, unit);
    return PCS_OK;
}

enum pcs_status field_model(struct pcs_trace *trace, struct js_cursor *c, const struct record_loc *loc,
                            const char *field, uint32_t *model, struct pcs_error *err)
{
    char name[256];
    size_t len;
    if (js_peek(c) != '"')
        return field_wrong(c, loc, field, "a model name", err);
    if (js_string(c, name, sizeof name, &len) != 0)
        return trace_field_error(err, PCS_ERR_PARSE, loc, field, "%s", c->problem);
    if (len == 0)
        return trace_field_error(err, PCS_ERR_PARSE, loc, field, "empty model name");
    /* Model names are C strings from here on: a \u0000 would cut one short
     * (and split one model into many, as the table compares lengths). */
    if (memchr(name, '\0', len))
        return trace_field_error(err, PCS_ERR_PARSE, loc, field, "model name contains \\u0000");
    if (trace_model_id(trace, name, len, model) != PCS_OK)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    return PCS_OK;
}

/* The precise error for the element at c (the fast loop gave up on it). */
static enum pcs_status bad_id(struct js_cursor *c, const struct record_loc *loc, const char *field, size_t index,
                              struct pcs_error *err)
{
    char what[64];
    int64_t id;
    snprintf(what, sizeof what, "%s[%zu]", field, index);
    int r = js_int64(c, &id);
    if (r == 2)
        return trace_field_error(err, PCS_ERR_RANGE, loc, what, "id overflows 64 bits");
    if (r == 1)
        return trace_field_error(err, PCS_ERR_PARSE, loc, what, "expected an integer id, found a fraction");
    if (r == 0 && id < 0)
        return trace_field_error(err, PCS_ERR_RANGE, loc, what, "negative id %lld", (long long)id);
    if (r == 0)
        return trace_field_error(err, PCS_ERR_PARSE, loc, field, "expected ',' or ']' after element %zu", index);
    return field_wrong(c, loc, what, "an integer id", err);
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
}

/* The run of decimal digits at p (at most 8), converted 8 bytes at a time:
 * returns how many digits there are (0 if none or more than 8) and their
 * value. Reads 8 bytes at p: buffers carry TRACE_READ_PADDING bytes after
 * their end. */
static unsigned digits8(const char *p, const char *end, uint64_t *value)
{
    uint64_t bytes;
    memcpy(&bytes, p, sizeof bytes);
    /* Digits become 0..9; a byte is not a digit iff it is then above 9. A
     * carry out of a non-digit byte may spoil the bytes above it, but only
     * the first non-digit matters. */
    uint64_t t = bytes ^ 0x3030303030303030ull;
    uint64_t not_digit = (t | (t + 0x7676767676767676ull)) & 0x8080808080808080ull;
    unsigned n = not_digit ? (unsigned)__builtin_ctzll(not_digit) / 8 : 8;
    if (n == 8 && not_digit == 0 && end - p > 8 && (unsigned)(p[8] - '0') < 10)
        return 0; /* longer than 8 digits */
    if ((ptrdiff_t)n > end - p)
        n = (unsigned)(end - p);
    if (n == 0)
        return 0;
    t <<= 8 * (8 - n); /* leading zeros fill the low bytes */
    t = (t & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
    t = (t & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
    *value = (uint32_t)((t & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32);
    return n;
}

/* hash_ids arrays hold most of a trace's bytes, so they are scanned by a
 * tight loop of their own: digits, then ", " or "]". Anything unusual (a
 * sign, a fraction, 19+ digits) goes through the general scanner. */
enum pcs_status field_hash_ids(struct pcs_trace *trace, struct js_cursor *c, const struct record_loc *loc,
                               const char *field, size_t *count, struct pcs_error *err)
{
    if (js_peek(c) != '[')
        return field_wrong(c, loc, field, "an array of integers", err);
    struct bound_arrays *scratch = trace_scratch(trace, 256);
    if (!scratch)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    const char *p = c->p + 1;
    const char *end = c->end;
    size_t n = 0;
    while (p < end && is_space(*p))
        p++;
    if (p < end && *p == ']') {
        c->p = p + 1;
        *count = 0;
        return PCS_OK;
    }
    for (;;) {
        if (n == scratch->cap) {
            if (n >= TRACE_MAX_BOUNDS)
                return trace_field_error(err, PCS_ERR_RANGE, loc, field, "more than %zu ids", TRACE_MAX_BOUNDS);
            scratch = trace_scratch(trace, n + 1);
            if (!scratch)
                return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        }
        const char *digits = p;
        uint64_t id = 0;
        size_t width = digits8(p, end, &id);
        if (width > 0 && end - p >= (ptrdiff_t)width + 2 && p[width] == ',' && p[width + 1] == ' ' &&
            (width == 1 || *p != '0')) {
            /* The usual element: digits then ", ". */
            scratch->units[n++] = id;
            p += width + 2;
            continue;
        }
        if (width > 0) {
            p += width;
        } else {
            while (p < end && (unsigned)(*p - '0') < 10) {
                id = id * 10 + (uint64_t)(*p - '0');
                p++;
            }
            width = (size_t)(p - digits);
        }
        if (width == 0 || width > 18 || (width > 1 && *digits == '0') ||
            (p < end && (*p == '.' || *p == 'e' || *p == 'E'))) {
            c->p = digits;
            int64_t wide;
            struct js_cursor probe = *c;
            if (width > 18 && width < 21 && js_int64(&probe, &wide) == 0 && wide >= 0) {
                id = (uint64_t)wide; /* a valid id of 19 digits */
                p = probe.p;
            } else {
                return bad_id(c, loc, field, n, err);
            }
        }
        scratch->units[n++] = id;
        while (p < end && is_space(*p))
            p++;
        if (p < end && *p == ',') {
            p++;
            while (p < end && is_space(*p))
                p++;
            continue;
        }
        if (p < end && *p == ']') {
            c->p = p + 1;
            *count = n;
            return PCS_OK;
        }
        if (p >= end)
            return trace_field_error(err, PCS_ERR_PARSE, loc, field, "unterminated array (truncated record?)");
        return trace_field_error(err, PCS_ERR_PARSE, loc, field, "expected ',' or ']' after element %zu", n - 1);
    }
}

enum pcs_status field_block_ends(struct pcs_trace *trace, const struct record_loc *loc, const char *field,
                                 size_t count, uint64_t block, uint64_t input, int partial_last,
                                 struct pcs_error *err)
{
    struct bound_arrays *scratch = trace_scratch(trace, count);
    if (!scratch)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    uint64_t allowed = partial_last ? (input + block - 1) / block : input / block;
    if (count > allowed)
        return trace_field_error(err, PCS_ERR_RANGE, loc, field,
                                 "%zu ids of %llu-token blocks need more than the %llu input tokens (at most %llu ids)",
                                 count, (unsigned long long)block, (unsigned long long)input,
                                 (unsigned long long)allowed);
    uint32_t *ends = scratch->ends;
    uint64_t end = 0;
    for (size_t i = 0; i < count; i++) {
        end += block;
        ends[i] = (uint32_t)(end < input ? end : input);
    }
    return PCS_OK;
}
