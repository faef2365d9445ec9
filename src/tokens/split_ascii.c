/* The split patterns of split.c, matched by hand on ASCII text: each function
 * below follows its pattern's alternatives in order, as PCRE2 tries them,
 * with the backtracking worked out (comments give each alternative). On
 * ASCII the classes are plain: \p{L} is A-Z a-z (\p{Lu} A-Z, \p{Ll} a-z; no
 * ASCII character is Lt, Lm, Lo or M), \p{N} is 0-9, JavaScript's \s is tab,
 * LF, VT, FF, CR and space; every other ASCII character (punctuation,
 * controls, NUL, DEL) is in none of them. A non-ASCII byte could be in any,
 * so whenever one is needed the answer is "not sure" (split.h). */
#include <string.h>

#include "split.h"

enum {
    UPPER = 1,    /* A-Z */
    LOWER = 2,    /* a-z */
    DIGIT = 4,    /* 0-9 */
    SPACE = 8,    /* JavaScript's \s among ASCII: \t \n \v \f \r and space */
    NEWLINE = 16, /* \r \n (also SPACE) */
    OTHER = 32,   /* ASCII in none of the classes above */
    UNSURE = 64,  /* a byte of a non-ASCII character */
    END = 128,    /* the end of the text (no byte) */
    LETTER = UPPER | LOWER,
};

/* [^\r\n\p{L}\p{N}]: the optional character before a letter run. */
static inline int prefix(unsigned class)
{
    return (class & (OTHER | SPACE)) && !(class & NEWLINE);
}

/* The class of each ASCII byte, sixteen to a row. */
#define O OTHER
#define S SPACE
#define R (SPACE | NEWLINE)
#define D DIGIT
#define U UPPER
#define L LOWER
static const uint8_t ascii_class[128] = {
    O, O, O, O, O, O, O, O, O, S, R, S, S, R, O, O, /* 0x00: \t \n \v \f \r */
    O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, /* 0x10 */
    S, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, /* 0x20: space ! " # $ % & ' ( ) * + , - . / */
    D, D, D, D, D, D, D, D, D, D, O, O, O, O, O, O, /* 0x30: 0-9 : ; < = > ? */
    O, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 0x40: @ A-O */
    U, U, U, U, U, U, U, U, U, U, U, O, O, O, O, O, /* 0x50: P-Z [ \ ] ^ _ */
    O, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 0x60: ` a-o */
    L, L, L, L, L, L, L, L, L, L, L, O, O, O, O, O, /* 0x70: p-z { | } ~ DEL */
};
#undef O
#undef S
#undef R
#undef D
#undef U
#undef L

/* The class of byte b. */
static inline unsigned byte_class(uint8_t b)
{
    return b < 0x80 ? ascii_class[b] : UNSURE;
}

static inline unsigned class_at(const uint8_t *text, size_t len, size_t i)
{
    return i < len ? byte_class(text[i]) : END;
}

/* The first position from i on whose class is not in run. */
static inline size_t run_end(const uint8_t *text, size_t len, size_t i, unsigned run)
{
    while (i < len && (byte_class(text[i]) & run))
        i++;
    return i;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "letter_run_end reads words as little-endian"
#endif

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS (ONES * 0x80)

/* The first position from i on that is not a lower case letter (fold 0) or
 * not a letter of either case (fold ONES * 0x20: setting bit 5 maps A-Z onto
 * a-z and no other ASCII byte into a-z), eight bytes a word while eight are
 * left: with the high bits cleared no byte carries into the next, so adding
 * 0x1F sets a byte's high bit from 0x61 ('a') on and adding 0x05 from 0x7B
 * (past 'z'); a non-ASCII byte is never a letter here. */
static inline size_t letter_run_end(const uint8_t *text, size_t len, size_t i, uint64_t fold)
{
    unsigned run = fold ? LETTER : LOWER;
    for (; len - i >= 8; i += 8) {
        uint64_t word;
        memcpy(&word, text + i, 8);
        uint64_t low = (word | fold) & ~HIGHS;
        uint64_t letters = (low + ONES * 0x1F) & ~(low + ONES * 0x05) & ~word & HIGHS;
        uint64_t stops = letters ^ HIGHS;
        if (stops)
            return i + (size_t)__builtin_ctzll(stops) / 8;
    }
    return run_end(text, len, i, run);
}

/* '(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]) at text[at] (an
 * apostrophe): its length, 0 when none matches, -1 when not sure. */
static inline int contraction(const uint8_t *text, size_t len, size_t at)
{
    unsigned first = class_at(text, len, at + 1);
    if (first & UNSURE)
        return -1;
    if (!(first & LETTER))
        return 0;
    switch (text[at + 1] | 0x20) {
    case 's':
    case 'd':
    case 'm':
    case 't': return 2;
    case 'l':
    case 'v':
    case 'r': break;
    default: return 0;
    }
    unsigned second = class_at(text, len, at + 2);
    if (second & UNSURE)
        return -1;
    if (!(second & LETTER))
        return 0;
    uint8_t want = (text[at + 1] | 0x20) == 'l' ? 'l' : 'e';
    return (text[at + 2] | 0x20) == want ? 3 : 0;
}

/* \p{N}{1,3} at a digit. */
static inline size_t digits(const uint8_t *text, size_t len, size_t pos)
{
    size_t end = pos + 1;
    while (end < pos + 3) {
        unsigned next = class_at(text, len, end);
        if (next & UNSURE)
            return 0;
        if (!(next & DIGIT))
            break;
        end++;
    }
    return end;
}

/* Not sure, from punctuation (a piece never ends at SIZE_MAX). */
#define PUNCTUATION_UNSURE SIZE_MAX

/* ' ?[^\s\p{L}\p{N}]+' then [\r\n]* (or [\r\n/]* when slash) at pos: the
 * end, pos when it does not match, PUNCTUATION_UNSURE when not sure. */
static inline size_t punctuation(const uint8_t *text, size_t len, size_t pos, int slash)
{
    size_t i = text[pos] == ' ' ? pos + 1 : pos;
    unsigned first = class_at(text, len, i);
    if (first & UNSURE)
        return PUNCTUATION_UNSURE;
    if (!(first & OTHER))
        return pos; /* without the space, a space is not [^\s...] either */
    size_t end = run_end(text, len, i + 1, OTHER);
    for (;; end++) {
        unsigned next = class_at(text, len, end);
        if (next & UNSURE)
            return PUNCTUATION_UNSURE;
        if (!(next & NEWLINE) && !(slash && !(next & END) && text[end] == '/'))
            return end;
    }
}

size_t pcs_split_ascii_cl100k(const uint8_t *text, size_t len, size_t pos)
{
    unsigned here = byte_class(text[pos]);
    if (here & UNSURE)
        return 0;
    /* 1. the contractions */
    if (text[pos] == '\'') {
        int n = contraction(text, len, pos);
        if (n < 0)
            return 0;
        if (n > 0)
            return pos + (size_t)n;
    }
    /* 2. [^\r\n\p{L}\p{N}]?\p{L}+ */
    size_t letters = pos;
    if (prefix(here)) {
        unsigned next = class_at(text, len, pos + 1);
        if (next & UNSURE)
            return 0;
        if (next & LETTER)
            letters = pos + 1;
    }
    if (byte_class(text[letters]) & LETTER) {
        size_t end = letter_run_end(text, len, letters + 1, ONES * 0x20);
        return class_at(text, len, end) & UNSURE ? 0 : end;
    }
    /* 3. \p{N}{1,3} */
    if (here & DIGIT)
        return digits(text, len, pos);
    /* 4. ' ?[^\s\p{L}\p{N}]+[\r\n]*' */
    size_t end = punctuation(text, len, pos, 0);
    if (end == PUNCTUATION_UNSURE)
        return 0;
    if (end != pos)
        return end;
    /* Only whitespace is left: its run is [pos, run). */
    size_t run = run_end(text, len, pos + 1, SPACE);
    if (class_at(text, len, run) & UNSURE)
        return 0;
    /* 5. \s++$ */
    if (run == len)
        return run;
    /* 6. \s*[\r\n]: the run up to its last newline */
    for (size_t i = run; i > pos; i--)
        if (byte_class(text[i - 1]) & NEWLINE)
            return i;
    /* 7. \s+(?!\S): all but the last of the run, which a non-space follows */
    if (run - pos >= 2)
        return run - 1;
    /* 8. \s */
    return pos + 1;
}

size_t pcs_split_ascii_o200k(const uint8_t *text, size_t len, size_t pos)
{
    unsigned here = byte_class(text[pos]);
    if (here & UNSURE)
        return 0;
    /* 1. [^\r\n\p{L}\p{N}]?[\p{Lu}...]*[\p{Ll}...]+(?:contraction)?
     * 2. [^\r\n\p{L}\p{N}]?[\p{Lu}...]+[\p{Ll}...]*(?:contraction)?
     * On ASCII the two classes do not meet, so giving back upper case
     * letters never lets a lower case run start: 1 matches when the upper
     * case run (maybe empty) is followed by a lower case one, else 2 when
     * the upper case run is not empty; the prefix is taken only before a
     * letter, since without it the letter runs would start at it. */
    size_t letters = pos;
    if (prefix(here)) {
        unsigned next = class_at(text, len, pos + 1);
        if (next & UNSURE)
            return 0;
        if (next & LETTER)
            letters = pos + 1;
    }
    if (byte_class(text[letters]) & LETTER) {
        size_t end = run_end(text, len, letters, UPPER);
        unsigned next = class_at(text, len, end);
        if (next & LOWER) {
            end = letter_run_end(text, len, end + 1, 0);
            next = class_at(text, len, end);
        }
        if (next & UNSURE)
            return 0;
        if (end < len && text[end] == '\'') {
            int n = contraction(text, len, end);
            if (n < 0)
                return 0;
            end += (size_t)n;
        }
        return end;
    }
    /* 3. \p{N}{1,3} */
    if (here & DIGIT)
        return digits(text, len, pos);
    /* 4. ' ?[^\s\p{L}\p{N}]+[\r\n/]*' */
    size_t end = punctuation(text, len, pos, 1);
    if (end == PUNCTUATION_UNSURE)
        return 0;
    if (end != pos)
        return end;
    /* Only whitespace is left: its run is [pos, run). */
    size_t run = run_end(text, len, pos + 1, SPACE);
    if (class_at(text, len, run) & UNSURE)
        return 0;
    /* 5. \s*[\r\n]+: the run up to its last newline (the newlines after it
     * in the run are none, so [\r\n]+ takes that one alone) */
    for (size_t i = run; i > pos; i--)
        if (byte_class(text[i - 1]) & NEWLINE)
            return i;
    /* 6. \s+(?!\S): the run at the end of the text, else all but its last */
    if (run == len)
        return run;
    if (run - pos >= 2)
        return run - 1;
    /* 7. \s+ */
    return run;
}

pcs_split_ascii_fn *pcs_split_ascii(enum pcs_encoding encoding)
{
    return encoding == PCS_ENCODING_CL100K_BASE ? pcs_split_ascii_cl100k : pcs_split_ascii_o200k;
}
