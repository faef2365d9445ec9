/* JavaScript RegExp.test for the catalog's model-name rules (see regex.h).
 *
 * Compiling builds a small tree in one array: a sequence is a chain of nodes
 * linked by next, a group is a list of branches each heading a sequence, a
 * repeat or lookahead points at what it applies to. Matching walks the tree
 * by backtracking in continuation-passing style: every call gets the rest
 * of the match as a chain of frames on the C stack, so nothing is allocated
 * per match and a const regex can be shared between threads.
 *
 * test() only asks whether some match exists. Without captures or
 * backreferences the set of matches does not depend on the order in which
 * alternatives and repeat counts are tried (lookaheads only answer yes or
 * no), so that order changes the work done but never the answer. The single
 * character repeat below uses this to run in a loop instead of recursing
 * once per character. */
#include "regex.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODE_NONE UINT32_MAX
#define COUNT_UNBOUNDED UINT32_MAX

enum node_kind {
    NODE_CHAR,   /* one code unit equal to unit */
    NODE_ANY,    /* . */
    NODE_CLASS,  /* one code unit in set */
    NODE_START,  /* ^ */
    NODE_END,    /* $ */
    NODE_GROUP,  /* (...) (?:...): child is the first NODE_BRANCH */
    NODE_BRANCH, /* one alternative: child heads its sequence, alt is the next branch */
    NODE_REPEAT, /* child (one atom, its next is NODE_NONE) min..max times */
    NODE_AHEAD,  /* (?=...) or, with negate, (?!...): child is the first NODE_BRANCH */
};

/* Which code units >= 128 a class holds. Patterns are ASCII, so above 127
 * only the class escapes reach, and they split those units into just two
 * kinds: JavaScript's white space (\s) and everything else. One bit each
 * keeps union and complement exact. */
#define BEYOND_SPACES 1u
#define BEYOND_OTHERS 2u

struct char_set {
    uint32_t ascii[4];
    unsigned beyond;
};

struct node {
    enum node_kind kind;
    uint32_t next;       /* the following node of the same sequence; NODE_NONE at its end */
    uint32_t child;      /* see enum node_kind */
    uint32_t alt;        /* NODE_BRANCH: the next branch of the group */
    uint32_t min;        /* NODE_REPEAT */
    uint32_t max;        /* NODE_REPEAT; COUNT_UNBOUNDED for * + {n,} */
    int lazy;            /* NODE_REPEAT */
    int negate;          /* NODE_AHEAD */
    uint16_t unit;       /* NODE_CHAR */
    struct char_set set; /* NODE_CLASS */
};

struct pcs_regex {
    uint32_t root; /* a NODE_GROUP holding the top-level alternatives */
    int anchored;  /* every top-level branch starts with ^: try position 0 only */
    uint32_t count;
    uint32_t cap;
    struct node nodes[];
};

/* ---- character sets ---------------------------------------------------- */

static int is_js_space(uint32_t unit)
{
    /* ECMAScript WhiteSpace and LineTerminator, what \s matches. */
    return (unit >= 9 && unit <= 13) || unit == 32 || unit == 0xA0 || unit == 0x1680 ||
           (unit >= 0x2000 && unit <= 0x200A) || unit == 0x2028 || unit == 0x2029 || unit == 0x202F || unit == 0x205F ||
           unit == 0x3000 || unit == 0xFEFF;
}

static int is_line_terminator(uint32_t unit)
{
    return unit == '\n' || unit == '\r' || unit == 0x2028 || unit == 0x2029;
}

static void set_add_range(struct char_set *set, unsigned lo, unsigned hi)
{
    for (unsigned c = lo; c <= hi && c < 128; c++) {
        set->ascii[c >> 5] |= 1u << (c & 31);
    }
}

static void set_add_set(struct char_set *set, const struct char_set *other)
{
    for (int i = 0; i < 4; i++) {
        set->ascii[i] |= other->ascii[i];
    }
    set->beyond |= other->beyond;
}

static void set_invert(struct char_set *set)
{
    for (int i = 0; i < 4; i++) {
        set->ascii[i] = ~set->ascii[i];
    }
    set->beyond ^= BEYOND_SPACES | BEYOND_OTHERS;
}

static int set_has(const struct char_set *set, uint32_t unit)
{
    if (unit < 128) {
        return (int)((set->ascii[unit >> 5] >> (unit & 31)) & 1u);
    }
    return (set->beyond & (is_js_space(unit) ? BEYOND_SPACES : BEYOND_OTHERS)) != 0;
}

/* The set of \d \D \w \W \s \S; letter is one of dDwWsS. */
static struct char_set set_of_escape(char letter)
{
    struct char_set set;
    memset(&set, 0, sizeof set);
    switch (letter) {
    case 'd':
    case 'D': set_add_range(&set, '0', '9'); break;
    case 'w':
    case 'W':
        set_add_range(&set, '0', '9');
        set_add_range(&set, 'A', 'Z');
        set_add_range(&set, 'a', 'z');
        set_add_range(&set, '_', '_');
        break;
    default: /* s, S */
        set_add_range(&set, 9, 13);
        set_add_range(&set, ' ', ' ');
        set.beyond = BEYOND_SPACES;
        break;
    }
    if (letter == 'D' || letter == 'W' || letter == 'S') {
        set_invert(&set);
    }
    return set;
}

/* ---- parsing ------------------------------------------------------------ */

struct parser {
    const char *pattern;
    size_t at; /* offset of the next byte to read */
    pcs_regex *re;
    unsigned nesting;
    char *err;
    size_t err_size;
    int failed;
};

/* Records the first failure only: later ones are consequences of it. */
static void fail(struct parser *p, size_t offset, int unsupported, const char *what)
{
    if (p->failed) {
        return;
    }
    p->failed = 1;
    if (p->err_size > 0) {
        snprintf(p->err, p->err_size, "%s at offset %zu: %s",
                 unsupported ? "unsupported regex syntax" : "invalid regex", offset, what);
    }
}

static char peek(const struct parser *p, size_t ahead)
{
    /* Never reads past the NUL: callers look further only after a non-NUL. */
    return p->pattern[p->at + ahead];
}

static uint32_t new_node(struct parser *p, enum node_kind kind)
{
    pcs_regex *re = p->re;
    if (re->count >= re->cap) {
        /* Unreachable: the table is sized for two nodes per pattern byte. */
        fail(p, p->at, 0, "internal error: node table full");
        return NODE_NONE;
    }
    uint32_t id = re->count++;
    struct node *n = &re->nodes[id];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->next = NODE_NONE;
    n->child = NODE_NONE;
    n->alt = NODE_NONE;
    return id;
}

/* Length of a braced quantifier {n} {n,} {n,m} starting at s, 0 if s does
 * not start one (then JavaScript without the u flag reads '{' as a literal).
 * Counts above PCS_REGEX_MAX_COUNT set *too_big and are clamped. */
static size_t scan_braces(const char *s, uint32_t *min, uint32_t *max, int *too_big)
{
    size_t i = 1;
    uint32_t values[2] = {0, 0};
    int have_comma = 0;
    int have_max = 0;
    *too_big = 0;
    if (s[0] != '{' || s[1] < '0' || s[1] > '9') {
        return 0;
    }
    for (int which = 0; which < 2; which++) {
        size_t digits = 0;
        while (s[i] >= '0' && s[i] <= '9') {
            uint32_t digit = (uint32_t)(s[i] - '0');
            if (values[which] > PCS_REGEX_MAX_COUNT) {
                *too_big = 1;
            } else {
                values[which] = values[which] * 10 + digit;
            }
            i++;
            digits++;
        }
        if (values[which] > PCS_REGEX_MAX_COUNT) {
            *too_big = 1;
        }
        if (which == 1) {
            have_max = digits > 0;
            break;
        }
        if (s[i] != ',') {
            break;
        }
        have_comma = 1;
        i++;
    }
    if (s[i] != '}') {
        return 0;
    }
    *min = values[0];
    if (!have_comma) {
        *max = values[0];
    } else if (have_max) {
        *max = values[1];
    } else {
        *max = COUNT_UNBOUNDED;
    }
    return i + 1;
}

static int at_quantifier(const struct parser *p)
{
    uint32_t min;
    uint32_t max;
    int too_big;
    char c = peek(p, 0);
    return c == '*' || c == '+' || c == '?' || scan_braces(p->pattern + p->at, &min, &max, &too_big) > 0;
}

enum escape_result { ESCAPE_FAILED, ESCAPE_UNIT, ESCAPE_SET };

/* Reads the escape at p->at (a backslash) as one unit or a set. */
static enum escape_result read_escape(struct parser *p, int in_class, uint16_t *unit, struct char_set *set)
{
    size_t start = p->at;
    char c = peek(p, 1);
    char what[64];
    if (c == '\0') {
        fail(p, start, 0, "\\ at end of pattern");
        return ESCAPE_FAILED;
    }
    p->at += 2;
    switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 's':
    case 'S': *set = set_of_escape(c); return ESCAPE_SET;
    case 't': *unit = '\t'; return ESCAPE_UNIT;
    case 'n': *unit = '\n'; return ESCAPE_UNIT;
    case 'v': *unit = '\v'; return ESCAPE_UNIT;
    case 'f': *unit = '\f'; return ESCAPE_UNIT;
    case 'r': *unit = '\r'; return ESCAPE_UNIT;
    case 'b': fail(p, start, 1, in_class ? "\\b (backspace) in a class" : "\\b (word boundary)"); return ESCAPE_FAILED;
    case 'B': fail(p, start, 1, "\\B (non-word boundary)"); return ESCAPE_FAILED;
    case 'k': fail(p, start, 1, "named backreference \\k"); return ESCAPE_FAILED;
    case 'u': fail(p, start, 1, "unicode escape \\u"); return ESCAPE_FAILED;
    case 'x': fail(p, start, 1, "hex escape \\x"); return ESCAPE_FAILED;
    case 'c': fail(p, start, 1, "control escape \\c"); return ESCAPE_FAILED;
    case 'p':
    case 'P': fail(p, start, 1, "unicode property escape"); return ESCAPE_FAILED;
    default: break;
    }
    if (c >= '0' && c <= '9') {
        /* Outside a class \1 is a backreference; inside one, and \0
         * anywhere, JavaScript reads an octal escape. */
        snprintf(what, sizeof what, "%s \\%c", in_class || c == '0' ? "octal escape" : "backreference", c);
        fail(p, start, 1, what);
        return ESCAPE_FAILED;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        snprintf(what, sizeof what, "escape \\%c", c);
        fail(p, start, 1, what);
        return ESCAPE_FAILED;
    }
    if (c < ' ' || c > '~') {
        fail(p, start, 1, "escaped control or non-ASCII byte");
        return ESCAPE_FAILED;
    }
    *unit = (uint16_t)c;
    return ESCAPE_UNIT;
}

/* One member of a class: a literal, an escaped unit or a class escape. */
static enum escape_result read_class_atom(struct parser *p, uint16_t *unit, struct char_set *set)
{
    char c = peek(p, 0);
    if (c == '\\') {
        return read_escape(p, 1, unit, set);
    }
    if ((unsigned char)c >= 0x80) {
        fail(p, p->at, 1, "non-ASCII character");
        return ESCAPE_FAILED;
    }
    *unit = (uint16_t)c;
    p->at++;
    return ESCAPE_UNIT;
}

static uint32_t parse_class(struct parser *p)
{
    size_t start = p->at;
    struct char_set set;
    int negate = 0;
    memset(&set, 0, sizeof set);
    p->at++;
    if (peek(p, 0) == '^') {
        negate = 1;
        p->at++;
    }
    for (;;) {
        char c = peek(p, 0);
        if (c == '\0') {
            fail(p, start, 0, "unterminated character class");
            return NODE_NONE;
        }
        if (c == ']') {
            p->at++;
            break;
        }
        size_t atom_at = p->at;
        uint16_t lo = 0;
        struct char_set lo_set;
        enum escape_result lo_kind = read_class_atom(p, &lo, &lo_set);
        if (lo_kind == ESCAPE_FAILED) {
            return NODE_NONE;
        }
        /* '-' is a range only between two members; before ']' it is literal. */
        if (peek(p, 0) == '-' && peek(p, 1) != ']' && peek(p, 1) != '\0') {
            uint16_t hi = 0;
            struct char_set hi_set;
            p->at++;
            enum escape_result hi_kind = read_class_atom(p, &hi, &hi_set);
            if (hi_kind == ESCAPE_FAILED) {
                return NODE_NONE;
            }
            if (lo_kind == ESCAPE_SET || hi_kind == ESCAPE_SET) {
                fail(p, atom_at, 1, "class escape as a range end");
                return NODE_NONE;
            }
            if (lo > hi) {
                fail(p, atom_at, 0, "range out of order in character class");
                return NODE_NONE;
            }
            set_add_range(&set, lo, hi);
        } else if (lo_kind == ESCAPE_SET) {
            set_add_set(&set, &lo_set);
        } else {
            set_add_range(&set, lo, lo);
        }
    }
    if (negate) {
        set_invert(&set);
    }
    uint32_t id = new_node(p, NODE_CLASS);
    if (id != NODE_NONE) {
        p->re->nodes[id].set = set;
    }
    return id;
}

static uint32_t parse_alternatives(struct parser *p);

static uint32_t parse_group(struct parser *p)
{
    size_t start = p->at;
    int ahead = 0;
    int negate = 0;
    p->at++;
    if (peek(p, 0) == '?') {
        char kind = peek(p, 1);
        if (kind == ':' || kind == '=' || kind == '!') {
            ahead = kind != ':';
            negate = kind == '!';
            p->at += 2;
        } else if (kind == '<' && (peek(p, 2) == '=' || peek(p, 2) == '!')) {
            fail(p, start, 1, "lookbehind");
            return NODE_NONE;
        } else if (kind == '<') {
            fail(p, start, 1, "named group");
            return NODE_NONE;
        } else if (kind == 'i' || kind == 'm' || kind == 's' || kind == '-') {
            fail(p, start, 1, "group modifier (?");
            return NODE_NONE;
        } else {
            fail(p, start, 0, "invalid group");
            return NODE_NONE;
        }
    }
    if (p->nesting >= PCS_REGEX_MAX_NESTING) {
        fail(p, start, 1, "groups nested too deeply");
        return NODE_NONE;
    }
    p->nesting++;
    uint32_t id = parse_alternatives(p);
    p->nesting--;
    if (p->failed) {
        return NODE_NONE;
    }
    if (peek(p, 0) != ')') {
        fail(p, start, 0, "unterminated group");
        return NODE_NONE;
    }
    p->at++;
    if (ahead) {
        p->re->nodes[id].kind = NODE_AHEAD;
        p->re->nodes[id].negate = negate;
    }
    return id;
}

/* A quantifier after atom, if there is one. */
static uint32_t parse_quantifier(struct parser *p, uint32_t atom)
{
    size_t start = p->at;
    uint32_t min = 0;
    uint32_t max = COUNT_UNBOUNDED;
    size_t length = 1;
    char c = peek(p, 0);
    if (c == '+') {
        min = 1;
    } else if (c == '?') {
        max = 1;
    } else if (c == '{') {
        int too_big;
        length = scan_braces(p->pattern + p->at, &min, &max, &too_big);
        if (length == 0) {
            return atom;
        }
        if (too_big) {
            char what[64];
            snprintf(what, sizeof what, "repeat count above %d", PCS_REGEX_MAX_COUNT);
            fail(p, start, 1, what);
            return NODE_NONE;
        }
        if (min > max) {
            fail(p, start, 0, "numbers out of order in {} quantifier");
            return NODE_NONE;
        }
    } else if (c != '*') {
        return atom;
    }
    p->at += length;
    int lazy = 0;
    if (peek(p, 0) == '?') {
        lazy = 1;
        p->at++;
    }
    if (at_quantifier(p)) {
        fail(p, p->at, 0, "nothing to repeat");
        return NODE_NONE;
    }
    uint32_t id = new_node(p, NODE_REPEAT);
    if (id != NODE_NONE) {
        struct node *n = &p->re->nodes[id];
        n->child = atom;
        n->min = min;
        n->max = max;
        n->lazy = lazy;
    }
    return id;
}

/* One atom and its quantifier, or an assertion. */
static uint32_t parse_term(struct parser *p)
{
    size_t start = p->at;
    char c = peek(p, 0);
    uint32_t atom;
    uint16_t unit = 0;
    struct char_set set;
    memset(&set, 0, sizeof set);
    switch (c) {
    case '^':
    case '$':
        p->at++;
        if (at_quantifier(p)) {
            fail(p, p->at, 0, "nothing to repeat");
            return NODE_NONE;
        }
        return new_node(p, c == '^' ? NODE_START : NODE_END);
    case '(': atom = parse_group(p); break;
    case '[': atom = parse_class(p); break;
    case '.':
        p->at++;
        atom = new_node(p, NODE_ANY);
        break;
    case '*':
    case '+':
    case '?': fail(p, start, 0, "nothing to repeat"); return NODE_NONE;
    case '\\': {
        enum escape_result kind = read_escape(p, 0, &unit, &set);
        if (kind == ESCAPE_FAILED) {
            return NODE_NONE;
        }
        atom = new_node(p, kind == ESCAPE_SET ? NODE_CLASS : NODE_CHAR);
        if (atom != NODE_NONE) {
            p->re->nodes[atom].unit = unit;
            p->re->nodes[atom].set = set;
        }
        break;
    }
    default:
        if (c == '{' && at_quantifier(p)) {
            fail(p, start, 0, "nothing to repeat");
            return NODE_NONE;
        }
        if ((unsigned char)c >= 0x80) {
            fail(p, start, 1, "non-ASCII character");
            return NODE_NONE;
        }
        p->at++;
        atom = new_node(p, NODE_CHAR);
        if (atom != NODE_NONE) {
            p->re->nodes[atom].unit = (uint16_t)c;
        }
        break;
    }
    if (p->failed) {
        return NODE_NONE;
    }
    return parse_quantifier(p, atom);
}

/* Terms up to '|', ')' or the end; NODE_NONE for an empty sequence. */
static uint32_t parse_sequence(struct parser *p)
{
    uint32_t head = NODE_NONE;
    uint32_t tail = NODE_NONE;
    for (;;) {
        char c = peek(p, 0);
        if (c == '\0' || c == '|' || c == ')') {
            return head;
        }
        uint32_t term = parse_term(p);
        if (p->failed) {
            return NODE_NONE;
        }
        if (tail == NODE_NONE) {
            head = term;
        } else {
            p->re->nodes[tail].next = term;
        }
        tail = term;
    }
}

/* Branches separated by '|', up to ')' or the end, as a NODE_GROUP. */
static uint32_t parse_alternatives(struct parser *p)
{
    uint32_t group = new_node(p, NODE_GROUP);
    uint32_t last = NODE_NONE;
    for (;;) {
        uint32_t branch = new_node(p, NODE_BRANCH);
        if (p->failed) {
            return NODE_NONE;
        }
        if (last == NODE_NONE) {
            p->re->nodes[group].child = branch;
        } else {
            p->re->nodes[last].alt = branch;
        }
        last = branch;
        uint32_t sequence = parse_sequence(p);
        if (p->failed) {
            return NODE_NONE;
        }
        p->re->nodes[branch].child = sequence;
        if (peek(p, 0) != '|') {
            return group;
        }
        p->at++;
    }
}

pcs_regex *pcs_regex_compile(const char *pattern, char *err, size_t err_size)
{
    struct parser p;
    if (err_size > 0) {
        err[0] = '\0';
    }
    memset(&p, 0, sizeof p);
    p.err = err;
    p.err_size = err_size;
    if (!pattern) {
        fail(&p, 0, 0, "no pattern");
        return NULL;
    }
    size_t length = strlen(pattern);
    /* Each byte makes at most two nodes ('(' a group and its first branch),
     * plus the top-level group and branch. */
    if (length > (UINT32_MAX - 2) / 2 - 1) {
        fail(&p, 0, 1, "pattern too long");
        return NULL;
    }
    uint32_t cap = (uint32_t)length * 2 + 2;
    pcs_regex *re = malloc(sizeof *re + (size_t)cap * sizeof(struct node));
    if (!re) {
        if (err_size > 0) {
            snprintf(err, err_size, "out of memory");
        }
        return NULL;
    }
    re->count = 0;
    re->cap = cap;
    p.pattern = pattern;
    p.re = re;
    re->root = parse_alternatives(&p);
    if (!p.failed && peek(&p, 0) == ')') {
        fail(&p, p.at, 0, "unmatched ')'");
    }
    if (p.failed) {
        free(re);
        return NULL;
    }
    re->anchored = 1;
    for (uint32_t b = re->nodes[re->root].child; b != NODE_NONE; b = re->nodes[b].alt) {
        uint32_t first = re->nodes[b].child;
        if (first == NODE_NONE || re->nodes[first].kind != NODE_START) {
            re->anchored = 0;
        }
    }
    return re;
}

void pcs_regex_free(pcs_regex *re)
{
    free(re);
}

/* ---- matching ----------------------------------------------------------- */

/* Positions count UTF-16 code units, as JavaScript's string indices do:
 * position = 2 * byte offset + half, where half is 1 only between the two
 * surrogates of a character outside the BMP (a 4-byte UTF-8 sequence). */
struct matcher {
    const pcs_regex *re;
    const unsigned char *text;
    size_t length; /* bytes */
    size_t end;    /* the position of the end of the text */
    unsigned long steps;
    unsigned depth;
    int gave_up;
};

/* What to do once the current sequence has matched. */
enum frame_kind {
    FRAME_ACCEPT, /* the whole pattern or a lookahead body matched */
    FRAME_THEN,   /* continue at node, then with up */
    FRAME_REPEAT, /* iteration count of repeat node, begun at start, ended */
};

struct frame {
    enum frame_kind kind;
    uint32_t node;
    uint32_t count;
    size_t start;
    const struct frame *up;
};

/* Decodes one character as the WHATWG UTF-8 decoder (TextDecoder, and what
 * Node does with a Buffer) does: a malformed sequence becomes U+FFFD and
 * ends before the first byte that does not fit. Returns bytes used (>= 1). */
static size_t decode_utf8(const unsigned char *s, size_t avail, uint32_t *code_point)
{
    unsigned b = s[0];
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    size_t need;
    uint32_t value;
    if (b < 0x80) {
        *code_point = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        need = 1;
        value = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2;
        value = b & 0x0F;
        lo = b == 0xE0 ? 0xA0 : lo; /* no overlong forms */
        hi = b == 0xED ? 0x9F : hi; /* no surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3;
        value = b & 0x07;
        lo = b == 0xF0 ? 0x90 : lo;
        hi = b == 0xF4 ? 0x8F : hi; /* nothing above U+10FFFF */
    } else {
        *code_point = 0xFFFD;
        return 1;
    }
    size_t used = 1;
    for (; need > 0; need--) {
        if (used >= avail || s[used] < lo || s[used] > hi) {
            *code_point = 0xFFFD;
            return used;
        }
        value = (value << 6) | (s[used] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
        used++;
    }
    *code_point = value;
    return used;
}

/* The code unit at pos and the position after it; 0 at the end. */
static int read_unit(const struct matcher *m, size_t pos, uint32_t *unit, size_t *after)
{
    size_t offset = pos >> 1;
    uint32_t code_point;
    if (offset >= m->length) {
        return 0;
    }
    size_t used = decode_utf8(m->text + offset, m->length - offset, &code_point);
    if (code_point < 0x10000) {
        *unit = code_point;
        *after = (offset + used) << 1;
    } else if ((pos & 1) == 0) {
        *unit = 0xD800 + ((code_point - 0x10000) >> 10);
        *after = pos | 1;
    } else {
        *unit = 0xDC00 + ((code_point - 0x10000) & 0x3FF);
        *after = (offset + used) << 1;
    }
    return 1;
}

static int unit_matches(const struct node *n, uint32_t unit)
{
    switch (n->kind) {
    case NODE_CHAR: return unit == n->unit;
    case NODE_ANY: return !is_line_terminator(unit);
    case NODE_CLASS: return set_has(&n->set, unit);
    default: return 0;
    }
}

static int is_single_unit(const struct node *n)
{
    return n->kind == NODE_CHAR || n->kind == NODE_ANY || n->kind == NODE_CLASS;
}

/* Counts a step; 0 (and gave_up set) once the budget is spent. */
static int spend_step(struct matcher *m)
{
    if (m->gave_up) {
        return 0;
    }
    m->steps++;
    if (m->steps > PCS_REGEX_MAX_STEPS) {
        m->gave_up = 1;
        return 0;
    }
    return 1;
}

static int match_node(struct matcher *m, uint32_t id, size_t pos, const struct frame *k);

static int resume(struct matcher *m, size_t pos, const struct frame *k);

static int match_branches(struct matcher *m, uint32_t first, size_t pos, const struct frame *k)
{
    const struct node *nodes = m->re->nodes;
    for (uint32_t b = first; b != NODE_NONE; b = nodes[b].alt) {
        if (match_node(m, nodes[b].child, pos, k)) {
            return 1;
        }
        if (m->gave_up) {
            return 0;
        }
    }
    return 0;
}

/* Repeat node id has matched count times, ending at pos. */
static int match_repeat(struct matcher *m, uint32_t id, uint32_t count, size_t pos, const struct frame *k)
{
    const struct node *r = &m->re->nodes[id];
    struct frame again = {FRAME_REPEAT, id, count, pos, k};
    if (count < r->min) {
        return match_node(m, r->child, pos, &again);
    }
    if (count >= r->max) {
        return match_node(m, r->next, pos, k);
    }
    uint32_t first = r->lazy ? r->next : r->child;
    uint32_t second = r->lazy ? r->child : r->next;
    if (match_node(m, first, pos, first == r->child ? &again : k)) {
        return 1;
    }
    if (m->gave_up) {
        return 0;
    }
    return match_node(m, second, pos, second == r->child ? &again : k);
}

/* A repeat of one character (.* \d{8} [^/]+): the common case gets a loop
 * instead of a level of recursion per character. It tries the shortest run
 * first whether the repeat is greedy or lazy, which test() cannot tell apart
 * (see the top of this file). */
static int match_repeat_units(struct matcher *m, const struct node *r, size_t pos, const struct frame *k)
{
    const struct node *atom = &m->re->nodes[r->child];
    uint32_t count = 0;
    uint32_t unit;
    size_t after;
    while (count < r->min) {
        if (!spend_step(m) || !read_unit(m, pos, &unit, &after) || !unit_matches(atom, unit)) {
            return 0;
        }
        pos = after;
        count++;
    }
    for (;;) {
        if (match_node(m, r->next, pos, k)) {
            return 1;
        }
        if (m->gave_up || count >= r->max) {
            return 0;
        }
        if (!spend_step(m) || !read_unit(m, pos, &unit, &after) || !unit_matches(atom, unit)) {
            return 0;
        }
        pos = after;
        count++;
    }
}

static int match_here(struct matcher *m, uint32_t id, size_t pos, const struct frame *k)
{
    if (id == NODE_NONE) {
        return resume(m, pos, k);
    }
    const struct node *n = &m->re->nodes[id];
    uint32_t unit;
    size_t after;
    switch (n->kind) {
    case NODE_CHAR:
    case NODE_ANY:
    case NODE_CLASS:
        if (!read_unit(m, pos, &unit, &after) || !unit_matches(n, unit)) {
            return 0;
        }
        return match_node(m, n->next, after, k);
    case NODE_START: return pos == 0 && match_node(m, n->next, pos, k);
    case NODE_END: return pos == m->end && match_node(m, n->next, pos, k);
    case NODE_GROUP: {
        struct frame then = {FRAME_THEN, n->next, 0, 0, k};
        return match_branches(m, n->child, pos, n->next == NODE_NONE ? k : &then);
    }
    case NODE_AHEAD: {
        /* JavaScript does not backtrack into a lookahead once it has
         * answered, so its body ends in its own accept frame. */
        struct frame accept = {FRAME_ACCEPT, NODE_NONE, 0, 0, NULL};
        int found = match_branches(m, n->child, pos, &accept);
        if (m->gave_up || found == n->negate) {
            return 0;
        }
        return match_node(m, n->next, pos, k);
    }
    case NODE_REPEAT:
        if (is_single_unit(&m->re->nodes[n->child])) {
            return match_repeat_units(m, n, pos, k);
        }
        return match_repeat(m, id, 0, pos, k);
    case NODE_BRANCH: break;
    }
    return 0;
}

static int match_node(struct matcher *m, uint32_t id, size_t pos, const struct frame *k)
{
    if (!spend_step(m)) {
        return 0;
    }
    if (m->depth >= PCS_REGEX_MAX_DEPTH) {
        m->gave_up = 1;
        return 0;
    }
    m->depth++;
    int matched = match_here(m, id, pos, k);
    m->depth--;
    return matched;
}

static int resume(struct matcher *m, size_t pos, const struct frame *k)
{
    switch (k->kind) {
    case FRAME_ACCEPT: return 1;
    case FRAME_THEN: return match_node(m, k->node, pos, k->up);
    case FRAME_REPEAT: {
        const struct node *r = &m->re->nodes[k->node];
        /* As JavaScript's RepeatMatcher: an iteration beyond the minimum
         * that consumed nothing fails. Without it (a*)* would never stop. */
        if (k->count >= r->min && pos == k->start) {
            return 0;
        }
        return match_repeat(m, k->node, k->count + 1, pos, k->up);
    }
    }
    return 0;
}

int pcs_regex_test_checked(const pcs_regex *re, const char *text, int *gave_up)
{
    struct matcher m;
    struct frame accept = {FRAME_ACCEPT, NODE_NONE, 0, 0, NULL};
    int found = 0;
    memset(&m, 0, sizeof m);
    if (gave_up) {
        *gave_up = 0;
    }
    if (!re || !text) {
        return 0;
    }
    m.re = re;
    m.text = (const unsigned char *)text;
    m.length = strlen(text);
    if (m.length > SIZE_MAX / 2 - 1) {
        m.gave_up = 1;
    }
    m.end = m.length << 1;
    /* RegExp.test tries each start index in turn, surrogate halves included. */
    size_t pos = 0;
    while (!m.gave_up) {
        if (match_node(&m, re->root, pos, &accept)) {
            found = 1;
            break;
        }
        uint32_t unit;
        size_t after;
        if (re->anchored || !read_unit(&m, pos, &unit, &after)) {
            break;
        }
        pos = after;
    }
    if (gave_up) {
        *gave_up = m.gave_up;
    }
    return found;
}

int pcs_regex_test(const pcs_regex *re, const char *text)
{
    return pcs_regex_test_checked(re, text, NULL);
}
