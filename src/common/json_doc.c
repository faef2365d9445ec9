/* One loader for whole JSON documents; see json_doc.h.
 *
 * cJSON returns NULL both for malformed text and when an allocation fails,
 * and its parse end says nothing about which. So when cJSON fails, a
 * checker that allocates nothing walks the text: the first syntax error it
 * finds is the one reported, with its line, column and reason; if it finds
 * none, cJSON ran out of memory. The checker is RFC 8259 JSON plus the
 * limits of cJSON that well-formed JSON can meet (nesting depth, unpaired
 * UTF-16 surrogates), so it never calls text cJSON refuses well-formed.
 * (cJSON releases before the Debian-patched 1.7.15 also refused numbers
 * longer than 63 characters; with those, such a number would read as out
 * of memory.) Text cJSON accepts is never checked by it: cJSON's leniency
 * (leading zeros, control characters in strings) stays as it was. */
#include "json_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_file.h"

/* ------------------------------------------------------- syntax checking */

struct syntax {
    const char *text;
    size_t size;
    size_t at;           /* where the problem is, once found */
    const char *problem; /* NULL while the text is well-formed */
};

static int syntax_fail(struct syntax *s, const char *problem)
{
    s->problem = problem;
    return -1;
}

static void skip_space(struct syntax *s)
{
    while (s->at < s->size && s->text[s->at] && strchr(" \t\r\n", s->text[s->at]))
        s->at++;
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* The four hex digits after "\u" at s->at + 2; -1 if they are not. */
static long hex4(const struct syntax *s, size_t at)
{
    if (s->size - at < 6)
        return -1;
    long value = 0;
    for (size_t i = at + 2; i < at + 6; i++) {
        char ch = s->text[i];
        int digit = is_digit(ch)             ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

static int check_string(struct syntax *s)
{
    s->at++; /* the opening quote */
    while (s->at < s->size) {
        unsigned char ch = (unsigned char)s->text[s->at];
        if (ch == '"') {
            s->at++;
            return 0;
        }
        if (ch < 0x20)
            return syntax_fail(s, "control character in a string (escape it)");
        if (ch != '\\') {
            s->at++;
            continue;
        }
        char escape = s->at + 1 < s->size ? s->text[s->at + 1] : '\0';
        if (escape && strchr("\"\\/bfnrt", escape)) {
            s->at += 2;
            continue;
        }
        if (escape != 'u')
            return syntax_fail(s, "unknown escape in a string");
        long code = hex4(s, s->at);
        if (code < 0)
            return syntax_fail(s, "expected four hex digits after \\u");
        if (code >= 0xDC00 && code <= 0xDFFF)
            return syntax_fail(s, "unpaired UTF-16 surrogate");
        if (code >= 0xD800 && code <= 0xDBFF) {
            long low = s->size - s->at >= 12 && s->text[s->at + 6] == '\\' && s->text[s->at + 7] == 'u'
                           ? hex4(s, s->at + 6)
                           : -1;
            if (low < 0xDC00 || low > 0xDFFF)
                return syntax_fail(s, "unpaired UTF-16 surrogate");
            s->at += 6;
        }
        s->at += 6;
    }
    return syntax_fail(s, "unterminated string");
}

static int check_number(struct syntax *s)
{
    if (s->text[s->at] == '-')
        s->at++;
    if (s->at < s->size && s->text[s->at] == '0') {
        s->at++;
    } else if (s->at < s->size && is_digit(s->text[s->at])) {
        while (s->at < s->size && is_digit(s->text[s->at]))
            s->at++;
    } else {
        return syntax_fail(s, "expected a digit");
    }
    if (s->at < s->size && s->text[s->at] == '.') {
        s->at++;
        if (s->at >= s->size || !is_digit(s->text[s->at]))
            return syntax_fail(s, "expected a digit after '.'");
        while (s->at < s->size && is_digit(s->text[s->at]))
            s->at++;
    }
    if (s->at < s->size && (s->text[s->at] == 'e' || s->text[s->at] == 'E')) {
        s->at++;
        if (s->at < s->size && (s->text[s->at] == '+' || s->text[s->at] == '-'))
            s->at++;
        if (s->at >= s->size || !is_digit(s->text[s->at]))
            return syntax_fail(s, "expected a digit in the exponent");
        while (s->at < s->size && is_digit(s->text[s->at]))
            s->at++;
    }
    return 0;
}

static int check_value(struct syntax *s, int depth);

/* An object or array at s->at (its opening bracket). */
static int check_container(struct syntax *s, int depth)
{
    int object = s->text[s->at] == '{';
    char close = object ? '}' : ']';
    if (depth >= CJSON_NESTING_LIMIT)
        return syntax_fail(s, "nested too deeply");
    s->at++;
    skip_space(s);
    if (s->at < s->size && s->text[s->at] == close) {
        s->at++;
        return 0;
    }
    for (;;) {
        if (object) {
            if (s->at >= s->size || s->text[s->at] != '"')
                return syntax_fail(s, "expected a key in double quotes");
            if (check_string(s) != 0)
                return -1;
            skip_space(s);
            if (s->at >= s->size || s->text[s->at] != ':')
                return syntax_fail(s, "expected ':'");
            s->at++;
            skip_space(s);
        }
        if (check_value(s, depth + 1) != 0)
            return -1;
        skip_space(s);
        if (s->at < s->size && s->text[s->at] == close) {
            s->at++;
            return 0;
        }
        if (s->at >= s->size || s->text[s->at] != ',')
            return syntax_fail(s, object ? "expected ',' or '}'" : "expected ',' or ']'");
        s->at++;
        skip_space(s);
    }
}

static int check_literal(struct syntax *s, const char *word)
{
    size_t len = strlen(word);
    if (s->size - s->at < len || memcmp(s->text + s->at, word, len) != 0)
        return syntax_fail(s, "expected a value");
    s->at += len;
    return 0;
}

/* The value at s->at (white space skipped), depth containers deep. */
static int check_value(struct syntax *s, int depth)
{
    if (s->at >= s->size)
        return syntax_fail(s, "unexpected end of the text; expected a value");
    switch (s->text[s->at]) {
    case '{':
    case '[': return check_container(s, depth);
    case '"': return check_string(s);
    case 't': return check_literal(s, "true");
    case 'f': return check_literal(s, "false");
    case 'n': return check_literal(s, "null");
    default: break;
    }
    if (s->text[s->at] == '-' || is_digit(s->text[s->at]))
        return check_number(s);
    return syntax_fail(s, "expected a value");
}

/* The first syntax error in text[0..size) (s.problem NULL: none). */
static struct syntax check_syntax(const char *text, size_t size)
{
    struct syntax s = {text, size, 0, NULL};
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        s.at = 3; /* a UTF-8 byte order mark, which cJSON skips too */
    skip_space(&s);
    if (check_value(&s, 0) == 0) {
        skip_space(&s);
        if (s.at < size)
            syntax_fail(&s, "unexpected text after the document");
    }
    return s;
}

/* ------------------------------------------------------ keys given twice */

/* The path of the member being checked, as the loaders name fields. */
struct key_path {
    char text[256];
    size_t len;
};

/* Appends the key (".key", or "key" at the root; quoted unless a plain
 * name) or "[index]"; returns the old length. Cut, never overrun. */
static size_t path_push(struct key_path *path, const char *key, size_t index)
{
    size_t old = path->len;
    char *at = path->text + old;
    size_t room = sizeof path->text - old;
    int n;
    if (!key) {
        n = snprintf(at, room, "[%zu]", index);
    } else {
        int plain = key[0] != '\0';
        for (const char *p = key; *p && plain; p++)
            plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || is_digit(*p) || strchr("_-$", *p);
        n = snprintf(at, room, "%s%s", old ? "." : "", plain ? key : "\"");
        for (const char *p = key; !plain && *p && n > 0 && (size_t)n < room; p++) {
            unsigned char ch = (unsigned char)*p;
            int more = ch == '"' || ch == '\\' ? snprintf(at + n, room - (size_t)n, "\\%c", ch)
                       : ch < 0x20             ? snprintf(at + n, room - (size_t)n, "\\u%04x", ch)
                                               : snprintf(at + n, room - (size_t)n, "%c", ch);
            n += more > 0 ? more : 0;
        }
        if (!plain && n > 0 && (size_t)n < room)
            n += snprintf(at + n, room - (size_t)n, "\"");
    }
    if (n > 0)
        path->len = (size_t)n < room ? old + (size_t)n : sizeof path->text - 1;
    return old;
}

static void path_pop(struct key_path *path, size_t old)
{
    path->len = old;
    path->text[old] = '\0';
}

struct key_entry {
    const char *key;
    size_t index;
};

static int compare_keys(const void *a, const void *b)
{
    const struct key_entry *x = a;
    const struct key_entry *y = b;
    int order = strcmp(x->key, y->key);
    if (order)
        return order;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Beyond this many members, sorting beats comparing each with the ones
 * before it. */
#define FEW_MEMBERS 16

/* The index of the first member of object whose key an earlier member has;
 * count if none; -1 out of memory. */
static long first_repeat(const cJSON *object, size_t count)
{
    if (count <= FEW_MEMBERS) {
        size_t index = 0;
        for (const cJSON *member = object->child; member; member = member->next, index++)
            for (const cJSON *earlier = object->child; earlier != member; earlier = earlier->next)
                if (strcmp(earlier->string, member->string) == 0)
                    return (long)index;
        return (long)count;
    }
    struct key_entry *entries = malloc(count * sizeof *entries);
    if (!entries)
        return -1;
    size_t index = 0;
    for (const cJSON *member = object->child; member; member = member->next, index++)
        entries[index] = (struct key_entry){member->string, index};
    qsort(entries, count, sizeof *entries, compare_keys);
    size_t first = count;
    for (size_t i = 1; i < count; i++)
        if (strcmp(entries[i - 1].key, entries[i].key) == 0 && entries[i].index < first)
            first = entries[i].index;
    free(entries);
    return (long)first;
}

/* The first member, in the order of the text, of node or anything in it
 * whose key an earlier member of its object has; NULL when there is none
 * (and *nomem set when out of memory). No paths are built on the way: a
 * catalog has tens of thousands of members, and a repeat is rare. */
static const cJSON *first_repeated(const cJSON *node, int *nomem)
{
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return NULL;
    int object = cJSON_IsObject(node);
    size_t count = 0;
    for (const cJSON *member = node->child; member; member = member->next)
        count++;
    long repeat = object ? first_repeat(node, count) : (long)count;
    if (repeat < 0) {
        *nomem = 1;
        return NULL;
    }
    size_t index = 0;
    for (const cJSON *member = node->child; member; member = member->next, index++) {
        if (object && index == (size_t)repeat)
            return member;
        const cJSON *found = first_repeated(member, nomem);
        if (found || *nomem)
            return found;
    }
    return NULL;
}

/* Fills path with the path of target inside node; 1 when it is there. */
static int path_to(const cJSON *node, const cJSON *target, struct key_path *path)
{
    int object = cJSON_IsObject(node);
    size_t index = 0;
    for (const cJSON *member = node->child; member; member = member->next, index++) {
        size_t old = path_push(path, object ? member->string : NULL, index);
        if (member == target || path_to(member, target, path))
            return 1;
        path_pop(path, old);
    }
    return 0;
}

/* ------------------------------------------------------------ public API */

enum pcs_status pcs_json_doc_parse(const char *text, size_t size, const char *name, const char *expected, cJSON **root,
                                   struct pcs_error *err)
{
    *root = NULL;
    if (strspn(text, " \t\r\n") == size)
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: the file is empty; expected %s", name, expected);
    const char *end = NULL;
    /* text[size] is the NUL: requiring it rejects trailing garbage. */
    cJSON *tree = cJSON_ParseWithLengthOpts(text, size + 1, &end, 1);
    if (!tree) {
        struct syntax syntax = check_syntax(text, size);
        if (!syntax.problem)
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory parsing the JSON", name);
        unsigned long line, column;
        pcs_text_position(text, syntax.at, &line, &column);
        return pcs_error_set(err, PCS_ERR_PARSE, "%s:%lu:%lu: malformed JSON: %s", name, line, column, syntax.problem);
    }
    int nomem = 0;
    const cJSON *repeated = first_repeated(tree, &nomem);
    if (nomem || repeated) {
        struct key_path path = {{0}, 0};
        if (repeated)
            path_to(tree, repeated, &path);
        cJSON_Delete(tree);
        if (nomem)
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory parsing the JSON", name);
        return pcs_error_set(err, PCS_ERR_PARSE, "%s: %s: given twice", name, path.text);
    }
    *root = tree;
    return PCS_OK;
}

enum pcs_status pcs_json_doc_load(const char *path, const char *expected, cJSON **root, struct pcs_error *err)
{
    char *text;
    size_t size;
    *root = NULL;
    enum pcs_status status = pcs_text_file_read(path, &text, &size, err);
    if (status != PCS_OK)
        return status;
    status = pcs_json_doc_parse(text, size, path, expected, root, err);
    free(text);
    return status;
}
