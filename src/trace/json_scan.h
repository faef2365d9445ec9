/* A small JSON scanner for trace records.
 *
 * Trace files hold millions of numbers; building a tree node per number (as
 * a general JSON library does) costs more than the simulation. This scanner
 * walks a buffer in place: the caller asks for the value it expects and gets
 * it converted, or an error saying what was found instead. It accepts exactly
 * RFC 8259 JSON. Internal to src/trace. */
#ifndef PCSIM_TRACE_JSON_SCAN_H
#define PCSIM_TRACE_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the digit runs below read words as little-endian"
#endif

/* JSON's white space (' ', '\t', '\n', '\r'), in one test for the usual
 * byte (above ' '). */
static inline int js_is_space(char ch)
{
    const uint64_t spaces = (1ull << ' ') | (1ull << '\t') | (1ull << '\n') | (1ull << '\r');
    unsigned char byte = (unsigned char)ch;
    return byte <= ' ' && ((spaces >> byte) & 1);
}

/* Numbers eight bytes at a time. js_digit_run reads the 8 bytes at p (the
 * caller makes sure they are there) and returns how many of them, from the
 * first, are decimal digits (0 to 8), leaving in *digits the bytes as
 * digit values; js_digits_value converts the first width (1 to 8) of them.
 * A byte is not a digit iff its value is then above 9; a carry out of a
 * non-digit byte may spoil the bytes above it, never below, and only the
 * first non-digit counts. */
static inline unsigned js_digit_run(const char *p, uint64_t *digits)
{
    uint64_t bytes;
    memcpy(&bytes, p, sizeof bytes);
    uint64_t t = bytes ^ 0x3030303030303030ull;
    uint64_t not_digit = (t | (t + 0x7676767676767676ull)) & 0x8080808080808080ull;
    *digits = t;
    return not_digit ? (unsigned)__builtin_ctzll(not_digit) / 8 : 8;
}

static inline uint64_t js_digits_value(uint64_t digits, unsigned width)
{
    digits <<= 8 * (8 - width) & 63; /* leading zeros fill the low bytes */
    digits = (digits & 0x0F0F0F0F0F0F0F0Full) * 2561 >> 8;
    digits = (digits & 0x00FF00FF00FF00FFull) * 6553601 >> 16;
    return (uint32_t)((digits & 0x0000FFFF0000FFFFull) * 42949672960001ull >> 32);
}

/* Deepest nesting pcs_js_skip accepts before failing (no recursion bombs). */
#define JS_MAX_DEPTH 64

struct js_cursor {
    const char *p;
    const char *end;
    const char *problem; /* static text set by a failing call: "expected ','" */
};

void pcs_js_init(struct js_cursor *c, const char *begin, const char *end);

/* Skips whitespace; returns the next byte or 0 at the end. */
char pcs_js_peek(struct js_cursor *c);

/* Consumes the byte ch (after whitespace); 0 on success, -1 otherwise. */
int pcs_js_expect(struct js_cursor *c, char ch);

/* Object iteration: after pcs_js_expect(c, '{'), call pcs_js_next_key until it
 * returns 0 (end of object, '}' consumed) or -1 (error). On 1, the key is in
 * key[0..*key_len) (unescaped, truncated to key_cap - 1 and NUL-terminated)
 * and the cursor is at its value. first must point to an int set to 1 before
 * the loop. */
int pcs_js_next_key(struct js_cursor *c, int *first, char *key, size_t key_cap, size_t *key_len);

/* pcs_js_next_key without copying: *key points at the key's bytes in the
 * buffer (not NUL-terminated), or, for a key with escapes, at its
 * unescaped form in buf (cap bytes). Comparing a key where it is costs
 * less than copying it first: loading what was just stored narrowly
 * waits for the stores before it. */
int pcs_js_next_key_ref(struct js_cursor *c, int *first, const char **key, size_t *key_len, char *buf, size_t cap);

/* Whether the key (from pcs_js_next_key_ref) is the string literal name. */
#define JS_KEY_IS(key, key_len, name) ((key_len) == sizeof(name) - 1 && memcmp((key), (name), sizeof(name) - 1) == 0)

/* Array iteration, the same protocol: 1 at an element, 0 at ']', -1 error. */
int pcs_js_next_element(struct js_cursor *c, int *first);

/* A string value, unescaped into buf (NUL-terminated). -1 if not a string,
 * malformed, or longer than cap - 1 bytes. */
int pcs_js_string(struct js_cursor *c, char *buf, size_t cap, size_t *len);

/* An integer value without fraction or exponent: -1 if not a number,
 * 1 if a number but not an integer, 2 if outside int64; 0 on success. */
int pcs_js_int64(struct js_cursor *c, int64_t *value);

/* Any number as a double; -1 if not a number or not finite. */
int pcs_js_number(struct js_cursor *c, double *value);

/* true/false; -1 otherwise. */
int pcs_js_bool(struct js_cursor *c, int *value);

/* Skips any value; -1 if malformed or nested deeper than JS_MAX_DEPTH. */
int pcs_js_skip(struct js_cursor *c);

/* Skips any value, checking only its outline: a flat array (no nested
 * array, object or string inside) is passed with a few memchr calls without
 * looking at its elements. For finding one field of a record quickly when
 * the record will be validated in full later. -1 if the outline is broken. */
int pcs_js_skip_lax(struct js_cursor *c);

/* The first byte in [p, end) that ends a string's plain run ('"', '\\' or
 * below 0x20), or end. The scanner finds these 16 bytes at a time where
 * SSE2 is there; portable = 1 asks for the eight-at-a-time way every target
 * has, so a test can hold the two to the same answers. */
const char *pcs_js_stop_scan(const char *p, const char *end, int portable);

/* A short name of the value at the cursor: "string", "number", "array", ... */
const char *pcs_js_kind(struct js_cursor *c);

#endif
