/* Telling a trace file's format from its head; see detect.h. */
#include "detect.h"

#include <string.h>

#include "common/text_append.h"
#include "json_scan.h"

/* Where the head's content starts: past a UTF-8 byte-order mark. */
static size_t content_start(const char *head, size_t len)
{
    return len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* A cursor on the head's first record if it is a JSON object (at its first
 * key), else 0. */
static int first_object(const char *head, size_t len, struct js_cursor *c)
{
    size_t start = content_start(head, len);
    pcs_js_init(c, head + start, head + len);
    if (pcs_js_peek(c) != '{')
        return 0;
    c->p++;
    return 1;
}

static int key_is(const char *key, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(key, *names) == 0)
            return 1;
    return 0;
}

void pcs_trace_detect_json_keys(const char *head, size_t len, const char *const *keys, struct detect_verdict *verdict)
{
    size_t at = 0;
    verdict->fits = 0;
    verdict->rank = 0;
    verdict->looked_for[0] = '\0';
    pcs_text_append(verdict->looked_for, sizeof verdict->looked_for, &at, "JSON with ");
    for (size_t k = 0; keys[k]; k++)
        pcs_text_append(verdict->looked_for, sizeof verdict->looked_for, &at, "%s%s", k ? "/" : "", keys[k]);

    struct js_cursor c;
    if (!first_object(head, len, &c))
        return;
    int first_key = 1;
    char key[64];
    size_t key_len;
    for (uint64_t index = 0; pcs_js_next_key(&c, &first_key, key, sizeof key, &key_len) == 1; index++) {
        if (key_is(key, keys)) {
            verdict->fits = 1;
            verdict->rank = index + 1; /* 0 is a decisive sign's (detect.h) */
            return;
        }
        if (pcs_js_skip(&c) != 0)
            return;
    }
}

void pcs_trace_detect_csv_column(const char *head, size_t len, const char *column, struct detect_verdict *verdict)
{
    size_t at = 0;
    verdict->fits = 0;
    verdict->rank = 0;
    verdict->looked_for[0] = '\0';
    pcs_text_append(verdict->looked_for, sizeof verdict->looked_for, &at, "a CSV header with %s", column);

    struct js_cursor c;
    if (first_object(head, len, &c))
        return;
    size_t start = content_start(head, len);
    const char *line = head + start;
    const char *nl = memchr(line, '\n', len - start);
    size_t line_len = nl ? (size_t)(nl - line) : len - start;
    size_t column_len = strlen(column);
    for (size_t i = 0; i + column_len <= line_len; i++) {
        if (memcmp(line + i, column, column_len) == 0) {
            verdict->fits = 1;
            verdict->rank = 1;
            return;
        }
    }
}

/* A JSON object that no format's keys tell: its keys, and whether it breaks off. */
static void describe_object(struct js_cursor *c, char *why, size_t cap)
{
    size_t at = 0;
    int first_key = 1;
    char key[64];
    size_t key_len;
    int rc;
    unsigned keys = 0;
    while ((rc = pcs_js_next_key(c, &first_key, key, sizeof key, &key_len)) == 1) {
        pcs_text_append(why, cap, &at, "%s\"%s\"", keys ? ", " : "", key);
        keys++;
        if (pcs_js_skip(c) != 0) {
            rc = -1;
            break;
        }
    }
    char keys_text[160];
    size_t keys_at = 0;
    pcs_text_append(keys_text, sizeof keys_text, &keys_at, "%s", why);
    at = 0;
    if (rc == 0)
        pcs_text_append(why, cap, &at, "the first record is a JSON object whose keys (%s) are none of these",
                        keys ? keys_text : "none");
    else
        pcs_text_append(why, cap, &at,
                        "the first record is a JSON object with none of these keys%s%s%s that breaks "
                        "off or is malformed (%s)",
                        keys ? " (" : "", keys ? keys_text : "", keys ? ")" : "",
                        c->problem ? c->problem : "malformed JSON");
}

void pcs_trace_detect_describe(const char *head, size_t len, char *why, size_t cap)
{
    size_t at = 0;
    why[0] = '\0';
    struct js_cursor c;
    if (first_object(head, len, &c)) {
        describe_object(&c, why, cap);
        return;
    }
    size_t probe = len < DETECT_FIRST_BYTES ? len : DETECT_FIRST_BYTES;
    if (memchr(head, '\0', probe) != NULL) {
        pcs_text_append(why, cap, &at, "the file holds binary data (a NUL byte in its first %zu bytes)", probe);
        return;
    }
    /* Show where the line starts, printable bytes only. */
    size_t start = content_start(head, len);
    const char *line = head + start;
    const char *nl = memchr(line, '\n', len - start);
    size_t line_len = nl ? (size_t)(nl - line) : len - start;
    char shown[41];
    size_t n = 0;
    for (; n < line_len && n + 1 < sizeof shown; n++)
        shown[n] = (unsigned char)line[n] >= 0x20 && (unsigned char)line[n] < 0x7f ? line[n] : '?';
    shown[n] = '\0';
    pcs_text_append(why, cap, &at,
                    "the first line (\"%s%s\") is not a JSON object and not a CSV header with those columns", shown,
                    line_len > n ? "..." : "");
}
