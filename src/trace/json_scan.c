/* The in-place JSON scanner; see json_scan.h. */
#include "json_scan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void pcs_js_init(struct js_cursor *c, const char *begin, const char *end)
{
    c->p = begin;
    c->end = end;
    c->problem = NULL;
}

static int fail(struct js_cursor *c, const char *problem)
{
    c->problem = problem;
    return -1;
}

char pcs_js_peek(struct js_cursor *c)
{
    const char *p = c->p;
    while (p < c->end && js_is_space(*p))
        p++;
    c->p = p;
    return p < c->end ? *p : 0;
}

int pcs_js_expect(struct js_cursor *c, char ch)
{
    if (pcs_js_peek(c) != ch) {
        switch (ch) {
        case '{': return fail(c, "expected an object");
        case '[': return fail(c, "expected an array");
        case ':': return fail(c, "expected ':'");
        default: return fail(c, "unexpected character");
        }
    }
    c->p++;
    return 0;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int read_hex4(const char *p, const char *end, unsigned *out)
{
    unsigned value = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        int digit = hex_value(p[i]);
        if (digit < 0)
            return -1;
        value = value * 16 + (unsigned)digit;
    }
    *out = value;
    return 0;
}

/* Appends code point cp as UTF-8; returns bytes written or -1 if no room. */
static int put_utf8(char *buf, size_t room, unsigned cp)
{
    if (cp < 0x80 && room >= 1) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800 && room >= 2) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000 && room >= 3) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp >= 0x10000 && room >= 4) {
        buf[0] = (char)(0xF0 | (cp >> 18));
        buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return -1;
}

static const char *plain_run_end(const char *p, const char *end);

/* Scans a string at c->p (the opening quote). With buf, unescapes into it. */
static int scan_string(struct js_cursor *c, char *buf, size_t cap, size_t *len)
{
    const char *p = c->p;
    size_t n = 0;
    if (p >= c->end || *p != '"')
        return fail(c, "expected a string");
    p++;
    for (;;) {
        /* Plain bytes 16 (or 8) at a time, copied whole when unescaping (a
         * request log's prompt texts are most of its bytes, and the texts a
         * reader counts tokens of are unescaped). */
        const char *stop = plain_run_end(p, c->end);
        size_t run = (size_t)(stop - p);
        if (buf && run > 0) {
            if (n + run >= cap)
                return fail(c, "string too long");
            memcpy(buf + n, p, run);
        }
        n += run;
        p = stop;
        if (p >= c->end)
            return fail(c, "unterminated string");
        unsigned char ch = (unsigned char)*p;
        if (ch == '"')
            break;
        if (ch < 0x20)
            return fail(c, "control character in string");
        /* A backslash: plain_run_end stops at nothing else. */
        if (p + 1 >= c->end)
            return fail(c, "unterminated string");
        char esc = p[1];
        unsigned cp;
        p += 2;
        switch (esc) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (read_hex4(p, c->end, &cp) != 0)
                return fail(c, "bad \\u escape in string");
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned low;
                if (c->end - p < 6 || p[0] != '\\' || p[1] != 'u' || read_hex4(p + 2, c->end, &low) != 0 ||
                    low < 0xDC00 || low > 0xDFFF)
                    return fail(c, "unpaired surrogate in string");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                p += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(c, "unpaired surrogate in string");
            }
            break;
        default: return fail(c, "bad escape in string");
        }
        if (buf) {
            int wrote = n + 1 < cap ? put_utf8(buf + n, cap - 1 - n, cp) : -1;
            if (wrote < 0)
                return fail(c, "string too long");
            n += (size_t)wrote;
        } else {
            n++;
        }
    }
    c->p = p + 1;
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return 0;
}

int pcs_js_string(struct js_cursor *c, char *buf, size_t cap, size_t *len)
{
    if (pcs_js_peek(c) != '"')
        return fail(c, "expected a string");
    return scan_string(c, buf, cap, len);
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* A string's plain bytes end at a stop: '"', '\\' or a byte below 0x20.
 * With SSE2 (baseline on x86-64) the scan takes 16 bytes at a time; the
 * portable way (SWAR, eight bytes in a word) is the fallback on other
 * targets and the tail of both: the two give the same answer
 * (pcs_js_stop_scan, tests/unit/test_trace.c). */
#if defined(__SSE2__)
/* Bit i set iff p[i] is a stop, for the 16 bytes at p. */
static inline unsigned stops16(const char *p)
{
    __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'));
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1F)), bytes);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control));
}
#endif

/* The first stop from p, or end if there is none; wide: 16 bytes at a time
 * where SSE2 is there, else eight at a time while eight remain (a borrow
 * may flag bytes above the first stop, never below it). */
static inline const char *stop_from(const char *p, const char *end, int wide)
{
#if defined(__SSE2__)
    if (wide) {
        while (end - p >= 16) {
            unsigned stops = stops16(p);
            if (stops)
                return p + __builtin_ctz(stops);
            p += 16;
        }
    }
#else
    (void)wide;
#endif
    while (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, sizeof v);
        uint64_t quote = v ^ (ONES * '"');
        uint64_t backslash = v ^ (ONES * '\\');
        uint64_t stops = ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) | ((v - ONES * 0x20) & ~v);
        stops &= HIGHS;
        if (stops)
            return p + __builtin_ctzll(stops) / 8;
        p += 8;
    }
    while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
        p++;
    return p;
}

/* The closing quote of a string whose text starts at p, if the text has no
 * escape and no control byte before it; else NULL. */
static const char *plain_string_end(const char *p, const char *end)
{
    p = stop_from(p, end, 1);
    return p < end && *p == '"' ? p : NULL;
}

/* The first stop from p, or end if there is none. */
static const char *plain_run_end(const char *p, const char *end)
{
    return stop_from(p, end, 1);
}

const char *pcs_js_stop_scan(const char *p, const char *end, int portable)
{
    return stop_from(p, end, !portable);
}

int pcs_js_next_key_ref(struct js_cursor *c, int *first, const char **key, size_t *key_len, char *buf, size_t cap)
{
    char ch = pcs_js_peek(c);
    if (ch == '}') {
        c->p++;
        return 0;
    }
    if (!*first) {
        if (ch != ',')
            return fail(c, "expected ',' or '}' in object");
        c->p++;
        ch = pcs_js_peek(c);
    }
    *first = 0;
    if (ch != '"')
        return fail(c, "expected a field name");
    /* The usual key has no escapes: it is named where it is. */
    const char *start = c->p + 1;
    const char *quote = plain_string_end(start, c->end);
    size_t n = quote ? (size_t)(quote - start) : 0;
    if (quote) {
        *key = start;
        *key_len = n;
        c->p = quote + 1;
    } else {
        /* Unescaped into buf; a long one is truncated (it matches no
         * known name). */
        const char *begin = c->p;
        if (scan_string(c, NULL, 0, NULL) != 0)
            return -1;
        struct js_cursor sub = {begin, c->p, NULL};
        char tmp[256];
        if (scan_string(&sub, tmp, sizeof tmp, &n) != 0) {
            n = cap > 1 ? cap - 1 : 0;
            memset(tmp, '?', sizeof tmp);
        }
        if (memchr(tmp, '\0', n))
            memset(tmp, '?', n); /* "t\u0000x" must not read as "t" */
        if (n >= cap)
            n = cap - 1;
        memcpy(buf, tmp, n);
        buf[n] = '\0';
        *key = buf;
        *key_len = n;
    }
    return pcs_js_expect(c, ':') == 0 ? 1 : -1;
}

int pcs_js_next_key(struct js_cursor *c, int *first, char *key, size_t key_cap, size_t *key_len)
{
    const char *text;
    int r = pcs_js_next_key_ref(c, first, &text, key_len, key, key_cap);
    if (r == 1 && text != key) {
        size_t copy = *key_len < key_cap ? *key_len : key_cap - 1;
        memcpy(key, text, copy);
        key[copy] = '\0';
        *key_len = copy;
    }
    return r;
}

int pcs_js_next_element(struct js_cursor *c, int *first)
{
    char ch = pcs_js_peek(c);
    if (ch == ']') {
        c->p++;
        return 0;
    }
    if (!*first) {
        if (ch != ',')
            return fail(c, "expected ',' or ']' in array");
        c->p++;
        if (pcs_js_peek(c) == ']')
            return fail(c, "trailing ',' in array");
    }
    *first = 0;
    if (c->p >= c->end)
        return fail(c, "unterminated array");
    return 1;
}

/* The extent of a JSON number at c->p, per the RFC grammar. */
static const char *number_end(const char *p, const char *end, int *is_integer)
{
    *is_integer = 1;
    if (p < end && *p == '-')
        p++;
    if (p >= end)
        return NULL;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    } else {
        return NULL;
    }
    if (p < end && *p == '.') {
        *is_integer = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        *is_integer = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    return p;
}

int pcs_js_int64(struct js_cursor *c, int64_t *value)
{
    char ch = pcs_js_peek(c);
    const char *p = c->p;
    int negative = 0;
    if (ch == '-') {
        negative = 1;
        p++;
    }
    if (p >= c->end || *p < '0' || *p > '9') {
        fail(c, "expected an integer");
        return -1;
    }
    uint64_t magnitude = 0;
    const char *digits = p;
    /* The usual number, 1 to 8 digits followed by something else, converted
     * 8 bytes at a time. */
    if (c->end - p > 8) {
        uint64_t t;
        unsigned width = js_digit_run(p, &t);
        char next = p[width];
        if (width > 0 && (width == 1 || *p != '0') && (unsigned)(next - '0') > 9 && next != '.' && next != 'e' &&
            next != 'E') {
            magnitude = js_digits_value(t, width);
            *value = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
            c->p = p + width;
            return 0;
        }
    }
    /* Otherwise a plain run of digits, converted in one loop. */
    while (p < c->end && *p >= '0' && *p <= '9') {
        unsigned digit = (unsigned)(*p - '0');
        /* 18 digits always fit; only longer runs need the check. */
        if (p - digits >= 18 && magnitude > (UINT64_MAX - digit) / 10) {
            c->problem = "integer out of range";
            return 2;
        }
        magnitude = magnitude * 10 + digit;
        p++;
    }
    if (*digits == '0' && p - digits > 1) {
        fail(c, "leading zero in number");
        return -1;
    }
    if (p < c->end && (*p == '.' || *p == 'e' || *p == 'E')) {
        int is_integer;
        if (number_end(c->p, c->end, &is_integer) == NULL) {
            fail(c, "malformed number");
            return -1;
        }
        c->problem = "expected an integer, found a fraction";
        return 1;
    }
    if (magnitude > (uint64_t)INT64_MAX + (uint64_t)negative) {
        c->problem = "integer out of range";
        return 2;
    }
    *value = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    c->p = p;
    return 0;
}

int pcs_js_number(struct js_cursor *c, double *value)
{
    char ch = pcs_js_peek(c);
    int is_integer;
    if (ch != '-' && (ch < '0' || ch > '9'))
        return fail(c, "expected a number");
    const char *end = number_end(c->p, c->end, &is_integer);
    if (end == NULL)
        return fail(c, "malformed number");
    char tmp[64];
    size_t n = (size_t)(end - c->p);
    if (n >= sizeof tmp)
        return fail(c, "number too long");
    memcpy(tmp, c->p, n);
    tmp[n] = '\0';
    char *stop;
    double v = strtod(tmp, &stop);
    if (stop != tmp + n || !isfinite(v))
        return fail(c, "number out of range");
    *value = v;
    c->p = end;
    return 0;
}

int pcs_js_bool(struct js_cursor *c, int *value)
{
    char ch = pcs_js_peek(c);
    if (ch == 't' && c->end - c->p >= 4 && memcmp(c->p, "true", 4) == 0) {
        c->p += 4;
        *value = 1;
        return 0;
    }
    if (ch == 'f' && c->end - c->p >= 5 && memcmp(c->p, "false", 5) == 0) {
        c->p += 5;
        *value = 0;
        return 0;
    }
    return fail(c, "expected true or false");
}

static int skip_value(struct js_cursor *c, int depth)
{
    char ch = pcs_js_peek(c);
    int first = 1;
    int r;
    if (depth > JS_MAX_DEPTH)
        return fail(c, "nested too deeply");
    switch (ch) {
    case '{':
        c->p++;
        for (;;) {
            char key[8];
            size_t key_len;
            r = pcs_js_next_key(c, &first, key, sizeof key, &key_len);
            if (r <= 0)
                return r;
            if (skip_value(c, depth + 1) != 0)
                return -1;
        }
    case '[':
        c->p++;
        for (;;) {
            r = pcs_js_next_element(c, &first);
            if (r <= 0)
                return r;
            /* Numbers, the bulk of a trace, are skipped without a call. */
            int is_integer;
            const char *end = number_end(c->p, c->end, &is_integer);
            if (end) {
                c->p = end;
                continue;
            }
            if (skip_value(c, depth + 1) != 0)
                return -1;
        }
    case '"': return scan_string(c, NULL, 0, NULL);
    case 't':
    case 'f': {
        int ignored;
        return pcs_js_bool(c, &ignored);
    }
    case 'n':
        if (c->end - c->p >= 4 && memcmp(c->p, "null", 4) == 0) {
            c->p += 4;
            return 0;
        }
        return fail(c, "unexpected character");
    case 0: return fail(c, "unexpected end of input");
    default: {
        int is_integer;
        const char *end = number_end(c->p, c->end, &is_integer);
        if (end == NULL)
            return fail(c, "unexpected character");
        c->p = end;
        return 0;
    }
    }
}

int pcs_js_skip(struct js_cursor *c)
{
    return skip_value(c, 0);
}

/* The first of '[', ']', '{' or '"' in [p, end), or end: what ends a
 * flat array or shows that it nests. */
static const char *find_bracket(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i open = _mm_set1_epi8('[');
    const __m128i close = _mm_set1_epi8(']');
    const __m128i brace = _mm_set1_epi8('{');
    const __m128i quote = _mm_set1_epi8('"');
    while (end - p >= 16) {
        __m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, open), _mm_cmpeq_epi8(bytes, close)),
                                   _mm_or_si128(_mm_cmpeq_epi8(bytes, brace), _mm_cmpeq_epi8(bytes, quote)));
        int mask = _mm_movemask_epi8(hit);
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#endif
    while (p < end && *p != '[' && *p != ']' && *p != '{' && *p != '"')
        p++;
    return p;
}

int pcs_js_skip_lax(struct js_cursor *c)
{
    if (pcs_js_peek(c) == '[') {
        /* A flat array (of numbers, in practice) is skipped in one scan. */
        const char *stop = find_bracket(c->p + 1, c->end);
        if (stop < c->end && *stop == ']') {
            c->p = stop + 1;
            return 0;
        }
    }
    return skip_value(c, 0);
}

const char *pcs_js_kind(struct js_cursor *c)
{
    switch (pcs_js_peek(c)) {
    case '{': return "an object";
    case '[': return "an array";
    case '"': return "a string";
    case 't':
    case 'f': return "a boolean";
    case 'n': return "null";
    case 0: return "the end of input";
    default: return (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) ? "a number" : "an invalid character";
    }
}
