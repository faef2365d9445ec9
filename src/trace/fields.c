/* Field parsers shared by the trace formats; see fields.h. */
#include "fields.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/civil_date.h"
#include "common/grow.h"
#include "common/memory.h"

enum pcs_status pcs_field_wrong(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                const char *expected, struct pcs_error *err)
{
    return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "expected %s, found %s", expected, pcs_js_kind(c));
}

enum pcs_status pcs_field_missing(const struct record_loc *loc, const char *field, struct pcs_error *err)
{
    return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "missing");
}

enum pcs_status pcs_field_syntax(struct js_cursor *c, const struct record_loc *loc, const char *record,
                                 struct pcs_error *err)
{
    long column = (long)(c->p - record) + 1;
    return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "malformed JSON at column %ld: %s", column,
                                 c->problem ? c->problem : "unexpected input");
}

enum pcs_status pcs_field_find_time(const char *record, size_t len, const char *key, int64_t unit_ms, int iso_ok,
                                    const struct record_loc *loc, int64_t *t_ms, struct pcs_error *err)
{
    struct js_cursor c;
    pcs_js_init(&c, record, record + len);
    if (pcs_js_expect(&c, '{') != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "expected a JSON object, found %s",
                                     pcs_js_kind(&c));
    int first = 1;
    char name[32];
    size_t name_len;
    int r;
    while ((r = pcs_js_next_key(&c, &first, name, sizeof name, &name_len)) == 1) {
        if (strcmp(name, key) != 0) {
            if (pcs_js_skip_lax(&c) != 0)
                return pcs_field_syntax(&c, loc, record, err);
            continue;
        }
        if (iso_ok && unit_ms == 1000)
            return pcs_field_time_or_iso(&c, loc, key, t_ms, err);
        return pcs_field_time(&c, loc, key, 0.0, unit_ms, t_ms, err);
    }
    if (r < 0)
        return pcs_field_syntax(&c, loc, record, err);
    return pcs_field_missing(loc, key, err);
}

enum pcs_status pcs_field_record_end(struct js_cursor *c, const struct record_loc *loc, struct pcs_error *err)
{
    if (pcs_js_peek(c) != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, NULL, "unexpected text after the record");
    return PCS_OK;
}

static enum pcs_status integer(struct js_cursor *c, const struct record_loc *loc, const char *field, int64_t *out,
                               struct pcs_error *err)
{
    int r = pcs_js_int64(c, out);
    if (r == 1)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "expected an integer, found a fraction");
    if (r == 2)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "integer overflows 64 bits");
    if (r != 0)
        return pcs_field_wrong(c, loc, field, "an integer", err);
    return PCS_OK;
}

enum pcs_status pcs_field_tokens(struct js_cursor *c, const struct record_loc *loc, const char *field, uint64_t *out,
                                 struct pcs_error *err)
{
    int64_t value;
    enum pcs_status status = integer(c, loc, field, &value, err);
    if (status != PCS_OK)
        return status;
    if (value < 0)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "negative token count %lld", (long long)value);
    if ((uint64_t)value > PCS_MAX_REQUEST_TOKENS)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "%lld tokens is more than the limit of %llu",
                                     (long long)value, PCS_MAX_REQUEST_TOKENS);
    *out = (uint64_t)value;
    return PCS_OK;
}

enum pcs_status pcs_field_ttft(struct js_cursor *c, const struct record_loc *loc, const char *field, int64_t *ms,
                               struct pcs_error *err)
{
    double seconds;
    if (pcs_js_number(c, &seconds) != 0)
        return pcs_field_wrong(c, loc, field, "a number of seconds", err);
    if (seconds < 0 || pcs_trace_seconds_to_ms(seconds, ms) != PCS_OK)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "time to first token %g s is out of range",
                                     seconds);
    return PCS_OK;
}

enum pcs_status pcs_field_positive(struct js_cursor *c, const struct record_loc *loc, const char *field, uint64_t max,
                                   uint64_t *out, struct pcs_error *err)
{
    int64_t value;
    enum pcs_status status = integer(c, loc, field, &value, err);
    if (status != PCS_OK)
        return status;
    if (value <= 0 || (uint64_t)value > max)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "%lld is not in 1..%llu", (long long)value,
                                     (unsigned long long)max);
    *out = (uint64_t)value;
    return PCS_OK;
}

enum pcs_status pcs_field_time(struct js_cursor *c, const struct record_loc *loc, const char *field,
                               double base_seconds, int64_t unit_ms, int64_t *t_ms, struct pcs_error *err)
{
    const char *unit = unit_ms == 1 ? "ms" : "s";
    int64_t whole;
    /* The cursor's fields one at a time, not copied whole: a 16-byte load
     * of a pointer just stored alone waits for every store before it. */
    const char *start = c->p;
    const char *problem = c->problem;
    if (base_seconds == 0.0) {
        if (pcs_js_int64(c, &whole) == 0 && whole >= 0 && whole <= PCS_MAX_TIME_MS / unit_ms) {
            *t_ms = whole * unit_ms; /* an integral time, the usual kind: exact, without strtod */
            return PCS_OK;
        }
        c->p = start;
        c->problem = problem;
    }
    double value;
    if (pcs_js_number(c, &value) != 0)
        return pcs_field_wrong(c, loc, field, unit_ms == 1 ? "a number of milliseconds" : "a number of seconds", err);
    if (value < 0)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "negative time %g", value);
    double seconds = unit_ms == 1000 ? value : value * (double)unit_ms / 1000.0;
    if (pcs_trace_seconds_to_ms(base_seconds + seconds, t_ms) != PCS_OK)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "time %g %s is out of range", value, unit);
    return PCS_OK;
}

enum pcs_status pcs_field_time_or_iso(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                      int64_t *t_ms, struct pcs_error *err)
{
    if (pcs_js_peek(c) != '"')
        return pcs_field_time(c, loc, field, 0.0, 1000, t_ms, err);
    char text[64];
    size_t len;
    if (pcs_js_string(c, text, sizeof text, &len) != 0 || pcs_iso8601_to_ms(text, len, t_ms) != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field,
                                     "expected seconds or an ISO 8601 time like \"2026-03-01T12:00:00.250Z\"");
    if (*t_ms < 0)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "time \"%s\" is before 1970", text);
    if (*t_ms > PCS_MAX_TIME_MS)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "time \"%s\" is out of range", text);
    return PCS_OK;
}

enum pcs_status pcs_field_model_name(struct js_cursor *c, const struct record_loc *loc, const char *field,
                                     char name[FIELD_MODEL_MAX], size_t *len, struct pcs_error *err)
{
    if (pcs_js_peek(c) != '"')
        return pcs_field_wrong(c, loc, field, "a model name", err);
    if (pcs_js_string(c, name, FIELD_MODEL_MAX, len) != 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "%s", c->problem);
    if (*len == 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "empty model name");
    /* Model names are C strings from here on: a \u0000 would cut one short
     * (and split one model into many, as the table compares lengths). */
    if (memchr(name, '\0', *len))
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "model name contains \\u0000");
    return PCS_OK;
}

enum pcs_status pcs_field_model(struct pcs_trace *trace, struct js_cursor *c, const struct record_loc *loc,
                                const char *field, uint32_t *model, struct pcs_error *err)
{
    char name[FIELD_MODEL_MAX];
    size_t len;
    enum pcs_status status = pcs_field_model_name(c, loc, field, name, &len, err);
    if (status != PCS_OK)
        return status;
    if (pcs_trace_model_id(trace, name, len, model) != PCS_OK)
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
    int r = pcs_js_int64(c, &id);
    if (r == 2)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, what, "id overflows 64 bits");
    if (r == 1)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, what, "expected an integer id, found a fraction");
    if (r == 0 && id < 0)
        return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, what, "negative id %lld", (long long)id);
    if (r == 0)
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "expected ',' or ']' after element %zu", index);
    return pcs_field_wrong(c, loc, what, "an integer id", err);
}

/* The run of decimal digits at p (at most 8), converted 8 bytes at a time:
 * returns how many digits there are (0 if none or more than 8) and their
 * value. Reads 8 bytes at p: buffers carry TRACE_READ_PADDING bytes after
 * their end. */
static inline __attribute__((always_inline)) unsigned digits8(const char *p, const char *end, uint64_t *value)
{
    uint64_t t;
    unsigned n = js_digit_run(p, &t);
    if (n == 8 && end - p > 8 && (unsigned)(p[8] - '0') < 10)
        return 0; /* longer than 8 digits */
    if ((ptrdiff_t)n > end - p)
        n = (unsigned)(end - p);
    if (n == 0)
        return 0;
    *value = js_digits_value(t, n);
    return n;
}

int pcs_ids_store_open(struct ids_store *store, size_t reserve)
{
    if (reserve > SIZE_MAX / sizeof *store->ids)
        return -1;
    uint64_t *ids = malloc(reserve * sizeof *ids);
    if (!ids && reserve > 0)
        return -1;
    store->ids = ids;
    store->cap = reserve;
    return 0;
}

void pcs_ids_store_free(struct ids_store *store)
{
    free(store->ids);
    store->ids = NULL;
    store->count = store->cap = 0;
}

/* Room for count ids, doubling (whatever the old room holds moves with
 * it: parsing may have written past count). */
static int store_grow(struct ids_store *store, size_t count)
{
    size_t cap = grow_capacity(store->cap, count, 4096, sizeof *store->ids);
    uint64_t *ids = cap ? pcs_memory_grow(store->ids, cap * sizeof *ids) : NULL;
    if (!ids)
        return -1;
    store->ids = ids;
    store->cap = cap;
    return 0;
}

/* Where parsed ids go: the trace's scratch, or a store from base on. */
struct id_sink {
    struct pcs_trace *trace;
    struct ids_store *store; /* NULL: the scratch */
    size_t base;
    uint64_t *ids;
    size_t cap;
};

static int sink_grow(struct id_sink *sink, size_t need)
{
    if (!sink->store) {
        struct bound_arrays *scratch = pcs_trace_scratch(sink->trace, need);
        if (!scratch)
            return -1;
        sink->ids = scratch->units;
        sink->cap = scratch->cap;
        return 0;
    }
    struct ids_store *store = sink->store;
    if (need > SIZE_MAX / sizeof *store->ids - sink->base)
        return -1;
    if (sink->base + need > store->cap && store_grow(store, sink->base + need) != 0)
        return -1;
    sink->ids = store->ids + sink->base;
    sink->cap = store->cap - sink->base;
    return 0;
}

/* How many leading bytes a and b share (of at most n): 32 at a time with
 * SSE2, then 8, then one. */
static size_t common_prefix(const char *a, const char *b, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    /* A conversation's arrays share most of their bytes: 32 at a time. */
    for (; i + 32 <= n; i += 32) {
        __m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
        __m128i b0 = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)(a + i + 16));
        __m128i b1 = _mm_loadu_si128((const __m128i *)(const void *)(b + i + 16));
        unsigned same0 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a0, b0));
        unsigned same1 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(a1, b1));
        uint32_t same = same0 | same1 << 16;
        if (same != 0xFFFFFFFFu)
            return i + (size_t)__builtin_ctz(~same);
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return i + (size_t)__builtin_ctzll(x ^ y) / 8; /* little-endian: the first byte is the lowest */
    }
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

/* The number of commas in text[0..n). */
static size_t count_commas(const char *text, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t highs = 0x8080808080808080ull;
    size_t count = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, text + i, 8);
        x ^= ones * ',';
        /* A byte is zero (a comma) iff its high bit ends up set: exact, no
         * borrow between bytes. */
        uint64_t zero = ~(((x & ~highs) + ~highs) | x) & highs;
        count += (size_t)(((zero >> 7) * ones) >> 56); /* adds up the bytes' ones */
    }
    for (; i < n; i++)
        count += text[i] == ',';
    return count;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "common_prefix assumes a little-endian machine"
#endif

/* With a store: how many ids the array at p shares with the store's last
 * array, judged by their bytes. The shared bytes end at a comma that both
 * arrays have, so the ids before it are the same ids; *resume is where
 * parsing goes on. */
static size_t shared_prefix(const struct ids_store *store, const char *p, const char *end, const char **resume)
{
    if (!store || !store->prev_text)
        return 0;
    size_t avail = (size_t)(end - p);
    size_t same = common_prefix(p, store->prev_text, avail < store->prev_len ? avail : store->prev_len);
    while (same > 0 && store->prev_text[same - 1] != ',')
        same--;
    if (same == 0)
        return 0;
    *resume = p + same;
    /* The last array's commas separate its prev_count ids. */
    return store->prev_count - 1 - count_commas(store->prev_text + same, store->prev_len - same);
}

/* The store's part once the array is parsed: the ids after the shared
 * ones are at ids[base + shared .. base + n), base being the store's end.
 * Returns where the array's ids now start. */
static size_t store_place(struct ids_store *store, size_t base, size_t shared, size_t n)
{
    uint64_t *ids = store->ids;
    size_t prev_end = store->prev_at + store->prev_count;
    if (shared > 0 && prev_end == base && n >= store->prev_count &&
        memcmp(ids + base + shared, ids + store->prev_at + shared, (store->prev_count - shared) * sizeof *ids) == 0) {
        /* It goes on from the last array: append the new ids to it. */
        memmove(ids + base, ids + base + store->prev_count, (n - store->prev_count) * sizeof *ids);
        store->count = base + (n - store->prev_count);
        return store->prev_at;
    }
    memcpy(ids + base, ids + store->prev_at, shared * sizeof *ids);
    store->count = base + n;
    return base;
}

/* The run of usual elements at p, 1 to 8 digits without a leading zero
 * and then ", " or ",", while out has room: stores them from out[*count]
 * on, adds them to *count and returns where the run ends (at the last
 * element, or anything else, which the caller reads in general). One
 * 8-byte load finds an element's digits; it may read past end, into the
 * padding every record buffer carries (TRACE_READ_PADDING). */
static const char *ids_usual_run(const char *p, const char *end, uint64_t *out, size_t cap, size_t *count)
{
    size_t n = *count;
    while (n < cap) {
        uint64_t t;
        unsigned width = js_digit_run(p, &t);
        if (width == 0 || ((t & 0xFF) == 0 && width > 1) || end - p < (ptrdiff_t)width + 2)
            break;
        uint16_t separator;
        memcpy(&separator, p + width, sizeof separator);
        /* Two branches, not one sum: the next element's address must not
         * wait on comparing the byte after the comma (the branch is
         * predicted). */
        if (separator == (uint16_t)(',' | ' ' << 8))
            p += width + 2;
        else if (p[width] == ',')
            p += width + 1;
        else
            break;
        out[n++] = js_digits_value(t, width);
    }
    *count = n;
    return p;
}

/* hash_ids arrays hold most of a trace's bytes, so their usual elements
 * are read by a tight loop of their own (ids_usual_run); the last element
 * and anything unusual (spaces, a sign, a fraction, 9+ digits) are read
 * one at a time here, 19+ digits through the general scanner. */
enum pcs_status pcs_field_hash_ids(struct pcs_trace *trace, struct js_cursor *c, const struct record_loc *loc,
                                   const char *field, struct ids_store *store, const uint64_t **ids, size_t *count,
                                   struct pcs_error *err)
{
    if (pcs_js_peek(c) != '[')
        return pcs_field_wrong(c, loc, field, "an array of integers", err);
    const char *array = c->p;
    const char *p = array + 1;
    const char *end = c->end;
    /* The shared ids' slots are left for store_place to fill. */
    size_t n = shared_prefix(store, array, end, &p);
    size_t shared = n;
    struct id_sink sink = {trace, store, store ? store->count : 0, NULL, 0};
    if (sink_grow(&sink, n + 256) != 0)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    /* Locals, not the struct: a store through out must not make the
     * compiler read cap back (both are 64-bit integers, which may alias). */
    uint64_t *out = sink.ids;
    size_t cap = sink.cap;
    if (n == 0) {
        p = array + 1;
        while (p < end && js_is_space(*p))
            p++;
        if (p < end && *p == ']') {
            p++;
            goto done;
        }
    }
    for (;;) {
        p = ids_usual_run(p, end, out, cap, &n);
        if (n == cap) {
            if (n >= TRACE_MAX_BOUNDS)
                return pcs_trace_field_error(err, PCS_ERR_RANGE, loc, field, "more than %zu ids", TRACE_MAX_BOUNDS);
            if (sink_grow(&sink, n + 1) != 0)
                return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
            out = sink.ids;
            cap = sink.cap;
            continue;
        }
        /* One element read in general: the last, or an unusual one. */
        while (p < end && js_is_space(*p))
            p++;
        uint64_t id = 0;
        size_t width = digits8(p, end, &id);
        const char *digits = p;
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
            if (width > 18 && width < 21 && pcs_js_int64(&probe, &wide) == 0 && wide >= 0) {
                id = (uint64_t)wide; /* a valid id of 19 digits */
                p = probe.p;
            } else {
                return bad_id(c, loc, field, n, err);
            }
        }
        out[n++] = id;
        while (p < end && js_is_space(*p))
            p++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == ']') {
            p++;
            break;
        }
        if (p >= end)
            return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "unterminated array (truncated record?)");
        return pcs_trace_field_error(err, PCS_ERR_PARSE, loc, field, "expected ',' or ']' after element %zu", n - 1);
    }
done:
    c->p = p;
    *count = n;
    if (!store) {
        *ids = out;
        return PCS_OK;
    }
    size_t at = store_place(store, sink.base, shared, n);
    store->prev_text = array;
    store->prev_len = (size_t)(p - array);
    store->prev_at = at;
    store->prev_count = n;
    *ids = store->ids + at;
    return PCS_OK;
}

enum pcs_status pcs_field_ids_fit(const struct record_loc *loc, const char *field, size_t count, uint64_t block,
                                  uint64_t input, int partial_last, struct pcs_error *err)
{
    uint64_t allowed = partial_last ? (input + block - 1) / block : input / block;
    if (count > allowed)
        return pcs_trace_field_error(
            err, PCS_ERR_RANGE, loc, field,
            "%zu ids of %llu-token blocks need more than the %llu input tokens (at most %llu ids)", count,
            (unsigned long long)block, (unsigned long long)input, (unsigned long long)allowed);
    return PCS_OK;
}

enum pcs_status pcs_field_block_ends(struct pcs_trace *trace, const struct record_loc *loc, const char *field,
                                     size_t count, uint64_t block, uint64_t input, int partial_last,
                                     const uint32_t **ends, struct pcs_error *err)
{
    enum pcs_status status = pcs_field_ids_fit(loc, field, count, block, input, partial_last, err);
    if (status != PCS_OK)
        return status;
    struct block_ends *table = pcs_trace_block_ends(trace, count);
    if (!table)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    /* ends[i] = block (i + 1) for every bound but a last partial one, so
     * the table keeps its exact entries from one request to the next and
     * only the new ones, and the last, are written. */
    size_t exact = table->block == block ? table->exact : 0;
    size_t from = exact < count ? exact : count - (count > 0);
    for (size_t i = from; i < count; i++) {
        uint64_t end = block * (uint64_t)(i + 1);
        table->ends[i] = (uint32_t)(end < input ? end : input);
    }
    int clamped = count > 0 && block * (uint64_t)count > input;
    table->block = block;
    table->exact = clamped ? count - 1 : (exact > count ? exact : count);
    *ends = table->ends;
    return PCS_OK;
}

enum pcs_status pcs_doc_records_model(struct doc_records *doc, struct doc_record *rec, const char *name, size_t len)
{
    rec->model_len = (uint32_t)len;
    if (doc->count > 0) {
        const struct doc_record *prev = &doc->records[doc->count - 1];
        if (prev->model_len == len && memcmp(doc->names + prev->model_at, name, len) == 0) {
            rec->model_at = prev->model_at;
            return PCS_OK;
        }
    }
    if (len > doc->names_cap - doc->names_len) {
        size_t cap = grow_capacity(doc->names_cap, doc->names_len + len, 256, 1);
        char *names = cap ? realloc(doc->names, cap) : NULL;
        if (!names)
            return PCS_ERR_NOMEM;
        doc->names = names;
        doc->names_cap = cap;
    }
    memcpy(doc->names + doc->names_len, name, len);
    rec->model_at = doc->names_len;
    doc->names_len += len;
    return PCS_OK;
}
