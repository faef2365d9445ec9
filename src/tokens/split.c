/* The split patterns, from gpt-tokenizer 4.0.0's src/encodingParams/constants.ts
 * (CL100K_TOKEN_SPLIT_PATTERN, O200K_TOKEN_SPLIT_PATTERN; the same as
 * tiktoken's openai_public.py), written for PCRE2 so that they match what
 * the JavaScript regular expressions (flags "gu") match:
 *   - \s and \S become JavaScript's whitespace class: PCRE2's \s with UCP
 *     takes U+0085 and leaves out U+FEFF, JavaScript the other way round;
 *   - $ matches only at the very end (PCRE2_DOLLAR_ENDONLY): without it
 *     PCRE2 also matches before a final newline, JavaScript does not; and
 *     cl100k_base's \s+$ is possessive (\s++$), which matches the same
 *     (giving back whitespace cannot reach the end) without backtracking
 *     over a long run: five million spaces took the JIT's whole stack;
 *   - the text they match has stand-ins for the code points node's newer
 *     Unicode tables class differently (pcs_split_stand_ins).
 * \p{...} classes are PCRE2's own Unicode tables (docs/tokens.md: versions). */
#include "split.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "tokens/generated/unicode_remap.h"

/* ECMAScript's WhiteSpace and LineTerminator code points (ECMA-262 §22.2.2.9 "CharacterClassEscape :: s"). */
#define JS_SPACE                                                                                                       \
    "\\t\\n\\x0B\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}"
#define CONTRACTION "'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])"

static const char cl100k_pattern[] = CONTRACTION "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
                                                 "|\\p{N}{1,3}"
                                                 "| ?[^" JS_SPACE "\\p{L}\\p{N}]+[\\r\\n]*"
                                                 "|[" JS_SPACE "]++$"
                                                 "|[" JS_SPACE "]*[\\r\\n]"
                                                 "|[" JS_SPACE "]+(?![^" JS_SPACE "])"
                                                 "|[" JS_SPACE "]";

static const char o200k_pattern[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:" CONTRACTION ")?"
    "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?:" CONTRACTION ")?"
    "|\\p{N}{1,3}"
    "| ?[^" JS_SPACE "\\p{L}\\p{N}]+[\\r\\n/]*"
    "|[" JS_SPACE "]*[\\r\\n]+"
    "|[" JS_SPACE "]+(?![^" JS_SPACE "])"
    "|[" JS_SPACE "]+";

/* The stand-in of code point cp, or 0 when cp needs none. */
static uint32_t stand_in(uint32_t cp)
{
    size_t low = 0;
    size_t high = sizeof unicode_remap / sizeof unicode_remap[0];
    if (cp < unicode_remap[0].first)
        return 0;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (cp < unicode_remap[mid].first)
            high = mid;
        else if (cp > unicode_remap[mid].last)
            low = mid + 1;
        else
            return unicode_remap[mid].stand_in;
    }
    return 0;
}

/* The code point of the well-formed sequence of *len bytes at p (its lead byte gives the length). */
static uint32_t decode(const uint8_t *p, size_t *len)
{
    if (p[0] < 0xE0) {
        *len = 2;
        return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if (p[0] < 0xF0) {
        *len = 3;
        return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    *len = 4;
    return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
}

static void encode(uint32_t cp, size_t len, uint8_t *out)
{
    if (len == 2) {
        out[0] = (uint8_t)(0xC0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
    } else if (len == 3) {
        out[0] = (uint8_t)(0xE0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
    } else {
        out[0] = (uint8_t)(0xF0 | cp >> 18);
        out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    }
}

int pcs_split_stand_ins(const uint8_t *text, size_t len, uint8_t *out)
{
    int replaced = 0;
    size_t pos = 0;
    while (pos < len) {
        if (len - pos >= 8) {
            uint64_t word;
            memcpy(&word, text + pos, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                pos += 8; /* ASCII needs no stand-in */
                continue;
            }
        }
        if (text[pos] < 0x80) {
            pos++;
            continue;
        }
        size_t char_len = 0;
        uint32_t replacement = stand_in(decode(text + pos, &char_len));
        if (replacement != 0) {
            if (!replaced)
                memcpy(out, text, len);
            replaced = 1;
            encode(replacement, char_len, out + pos);
        }
        pos += char_len;
    }
    return replaced;
}

struct compiled {
    pcre2_code *code;
    int jit;
};

static _Atomic(struct compiled *) compiled_patterns[PCS_ENCODING_COUNT];
static struct compiled compiled_storage[PCS_ENCODING_COUNT];
static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;

const char *pcs_split_pattern(enum pcs_encoding encoding)
{
    return encoding == PCS_ENCODING_CL100K_BASE ? cl100k_pattern : o200k_pattern;
}

static enum pcs_status compile(enum pcs_encoding encoding, struct compiled *out, struct pcs_error *err)
{
    int code_error = 0;
    PCRE2_SIZE offset = 0;
    const char *pattern = pcs_split_pattern(encoding);
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                      PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY | PCRE2_NO_UTF_CHECK, &code_error, &offset, NULL);
    if (code == NULL) {
        char message[160];
        pcre2_get_error_message(code_error, (PCRE2_UCHAR *)message, sizeof message);
        return pcs_error_set(err, code_error == PCRE2_ERROR_HEAPLIMIT ? PCS_ERR_NOMEM : PCS_ERR_ARG,
                             "split pattern of %s at offset %zu: %s", pcs_encoding_name(encoding), (size_t)offset,
                             message);
    }
    /* Without JIT support (or memory for it) the interpreter matches the same. */
    out->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    out->code = code;
    return PCS_OK;
}

const pcre2_code *pcs_split_code(enum pcs_encoding encoding, int *jit, struct pcs_error *err)
{
    if ((unsigned)encoding >= PCS_ENCODING_COUNT) {
        pcs_error_set(err, PCS_ERR_ARG, "unknown encoding %d", (int)encoding);
        return NULL;
    }
    struct compiled *done = atomic_load_explicit(&compiled_patterns[encoding], memory_order_acquire);
    if (done == NULL) {
        pthread_mutex_lock(&compile_lock);
        done = atomic_load_explicit(&compiled_patterns[encoding], memory_order_relaxed);
        if (done == NULL && compile(encoding, &compiled_storage[encoding], err) == PCS_OK) {
            done = &compiled_storage[encoding];
            atomic_store_explicit(&compiled_patterns[encoding], done, memory_order_release);
        }
        pthread_mutex_unlock(&compile_lock);
        if (done == NULL)
            return NULL;
    }
    *jit = done->jit;
    return done->code;
}
