/* Native JSONL out: one request a line (pcsim/native_write.h).
 *
 * A line is built whole in a buffer and written with one fwrite: a long
 * conversation's prompt has a thousand segments, and a line is never left
 * half written by an error found midway. */
#include "pcsim/native_write.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/grow.h"
#include "common/hash_table.h"
#include "trace_internal.h"

struct pcs_native_writer {
    FILE *out;
    char *line; /* the line being built */
    size_t len, cap;
    int out_of_memory; /* an append could not grow the line */
    uint64_t count;
    /* Session names: each input namespace's suffix (the name is its id in
     * hex, then ".k" when k > 0), and the namespaces the reader will make
     * of the names given so far, so that no two namespaces meet in one. */
    struct pcs_hash_table suffix_of;
    struct pcs_hash_table taken;
};

pcs_native_writer *pcs_native_writer_new(FILE *out, struct pcs_error *err)
{
    pcs_native_writer *writer = calloc(1, sizeof *writer);
    if (!writer) {
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    writer->out = out;
    return writer;
}

void pcs_native_writer_free(pcs_native_writer *writer)
{
    if (!writer)
        return;
    pcs_hash_release(&writer->suffix_of);
    pcs_hash_release(&writer->taken);
    free(writer->line);
    free(writer);
}

uint64_t pcs_native_writer_count(const pcs_native_writer *writer)
{
    return writer->count;
}

/* Room for more bytes (and a NUL) past len; 0, or -1 out of memory. */
static int reserve(pcs_native_writer *writer, size_t more)
{
    if (writer->len + more + 1 <= writer->cap)
        return 0;
    size_t cap = grow_capacity(writer->cap, writer->len + more + 1, 4096, 1);
    char *line = cap ? realloc(writer->line, cap) : NULL;
    if (!line) {
        writer->out_of_memory = 1;
        return -1;
    }
    writer->line = line;
    writer->cap = cap;
    return 0;
}

static void append(pcs_native_writer *writer, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void append(pcs_native_writer *writer, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char piece[128]; /* every piece but a model name fits */
    int n = vsnprintf(piece, sizeof piece, format, args);
    va_end(args);
    if (n < 0 || (size_t)n >= sizeof piece || reserve(writer, (size_t)n) != 0) {
        writer->out_of_memory = 1;
        return;
    }
    memcpy(writer->line + writer->len, piece, (size_t)n + 1);
    writer->len += (size_t)n;
}

/* text as a JSON string: quotes, backslashes and control bytes escaped,
 * every other byte as it is (the reader unescapes the same way). */
static void append_string(pcs_native_writer *writer, const char *text)
{
    if (reserve(writer, 6 * strlen(text) + 2) != 0)
        return;
    char *at = writer->line + writer->len;
    *at++ = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *at++ = '\\';
            *at++ = (char)*p;
        } else if (*p < 0x20) {
            at += snprintf(at, 7, "\\u%04x", *p);
        } else {
            *at++ = (char)*p;
        }
    }
    *at++ = '"';
    *at = '\0';
    writer->len = (size_t)(at - writer->line);
}

/* ms as seconds into text (cap >= 32), exactly ms / 1000 with no trailing
 * zeros; 0, or -1 when ms is negative or would not read back (strtod, then
 * the readers' own rounding) to the same ms. */
static int seconds_text(int64_t ms, char *text, size_t cap)
{
    if (ms < 0)
        return -1;
    int64_t frac = ms % 1000;
    if (frac == 0) {
        snprintf(text, cap, "%" PRId64, ms / 1000);
        return 0;
    }
    int n = snprintf(text, cap, "%" PRId64 ".%03" PRId64, ms / 1000, frac);
    while (n > 0 && text[n - 1] == '0')
        text[--n] = '\0';
    int64_t back = -1;
    return pcs_trace_seconds_to_ms(strtod(text, NULL), &back) == PCS_OK && back == ms ? 0 : -1;
}

/* A request no native line can carry: its place (from its trace, else the
 * caller's source and the line it would have been), what and why. */
static enum pcs_status cannot_carry(const pcs_native_writer *writer, const pcs_trace *trace, const char *source,
                                    const struct pcs_request *req, const char *field, int64_t ms, struct pcs_error *err)
{
    char place[512];
    if (trace)
        pcs_trace_request_place(trace, req, place, sizeof place);
    else
        snprintf(place, sizeof place, "%s: line %" PRIu64, source, writer->count + 1);
    return pcs_error_set(err, PCS_ERR_RANGE, "%s: field %s: %" PRId64 " ms %s: a native trace cannot carry it", place,
                         field, ms, ms < 0 ? "is before 0" : "does not survive seconds as a double");
}

/* The session name of namespace_id into name (cap >= 32), chosen once per
 * namespace: its id in hex, unless the reader would hash that name into a
 * namespace an earlier one got (then ".1", ".2", ... after it). */
static enum pcs_status session_name(pcs_native_writer *writer, uint32_t namespace_id, char *name, size_t cap,
                                    struct pcs_error *err)
{
    uint32_t suffix = pcs_hash_find(&writer->suffix_of, namespace_id, 0);
    int known = suffix != PCS_HASH_EMPTY;
    if (!known)
        suffix = 0;
    for (;;) {
        int n = suffix ? snprintf(name, cap, "%" PRIx32 ".%" PRIu32, namespace_id, suffix)
                       : snprintf(name, cap, "%" PRIx32, namespace_id);
        if (known)
            return PCS_OK;
        uint32_t read_as = pcs_trace_session_namespace(name, (size_t)n);
        if (pcs_hash_find(&writer->taken, read_as, 0) == PCS_HASH_EMPTY) {
            if (pcs_hash_put(&writer->taken, read_as, 0, 0) != PCS_OK ||
                pcs_hash_put(&writer->suffix_of, namespace_id, 0, suffix) != PCS_OK)
                return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
            return PCS_OK;
        }
        suffix++; /* 2^31 namespaces would be needed to run out */
    }
}

static void append_segments(pcs_native_writer *writer, const struct pcs_request *req)
{
    if (req->bound_count == 0)
        return;
    append(writer, ",\"segments\":[");
    uint32_t start = 0;
    for (size_t i = 0; i < req->bound_count; i++) {
        uint8_t flags = req->flags ? req->flags[i] : 0;
        const char *cache = "";
        if (flags & PCS_BOUND_BREAKPOINT)
            cache = (flags & PCS_BOUND_TTL_1H)   ? ",\"cache\":\"1h\""
                    : (flags & PCS_BOUND_TTL_5M) ? ",\"cache\":\"5m\""
                                                 : ",\"cache\":true"; /* the policy's TTL */
        append(writer, "%s{\"id\":\"%" PRIx64 "\",\"tokens\":%" PRIu32 "%s}", i ? "," : "", req->units[i],
               req->ends[i] - start, cache);
        start = req->ends[i];
    }
    append(writer, "]");
}

/* One line: req's model is model_name; trace (may be NULL) or source
 * names the request in an error. */
static enum pcs_status put_line(pcs_native_writer *writer, const char *model_name, const pcs_trace *trace,
                                const char *source, const struct pcs_request *req, struct pcs_error *err)
{
    writer->len = 0;
    writer->out_of_memory = 0;
    char seconds[48];
    if (seconds_text(req->t_ms, seconds, sizeof seconds) != 0)
        return cannot_carry(writer, trace, source, req, "t", req->t_ms, err);
    append(writer, "{\"t\":%s,\"model\":", seconds);
    append_string(writer, model_name);
    if (req->namespace_id != 0) {
        char name[32];
        enum pcs_status status = session_name(writer, req->namespace_id, name, sizeof name, err);
        if (status != PCS_OK)
            return status;
        append(writer, ",\"session\":\"%s\"", name);
    }
    append(writer, ",\"input_tokens\":%" PRIu64 ",\"output_tokens\":%" PRIu64, req->input_tokens, req->output_tokens);
    if (req->has_task)
        append(writer, ",\"task\":\"%" PRIx64 "\"", req->task);
    if (req->attempt)
        append(writer, ",\"attempt\":%" PRIu32, req->attempt);
    if (!req->ok)
        append(writer, ",\"ok\":false");
    if (req->tier != PCS_TIER_STANDARD)
        append(writer, ",\"tier\":\"%s\"", pcs_tier_name((enum pcs_tier)req->tier));
    if (req->ttft_ms != 0) {
        if (seconds_text(req->ttft_ms, seconds, sizeof seconds) != 0)
            return cannot_carry(writer, trace, source, req, "ttft", req->ttft_ms, err);
        append(writer, ",\"ttft\":%s", seconds);
    }
    if (req->cache_key) /* its hash stands for it: equal keys stay equal, distinct ones distinct */
        append(writer, ",\"cache_key\":\"%016" PRIx64 "\"", req->cache_key);
    if (req->has_observed)
        append(writer,
               ",\"observed\":{\"cache_read\":%" PRIu64 ",\"cache_write\":%" PRIu64 ",\"cache_write_1h\":%" PRIu64 "}",
               req->observed.cache_read, req->observed.cache_write, req->observed.cache_write_1h);
    if (req->bound_count > 0 && !req->content_blocks)
        append(writer, ",\"content_blocks\":false"); /* segments read back as content blocks otherwise */
    append_segments(writer, req);
    append(writer, "}\n");
    if (writer->out_of_memory)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    if (fwrite(writer->line, 1, writer->len, writer->out) != writer->len)
        return pcs_error_set(err, PCS_ERR_IO, "write failed: %s", strerror(errno));
    writer->count++;
    return PCS_OK;
}

enum pcs_status pcs_native_writer_put(pcs_native_writer *writer, const pcs_trace *trace, const struct pcs_request *req,
                                      struct pcs_error *err)
{
    return put_line(writer, pcs_trace_model_name(trace, req->model), trace, NULL, req, err);
}

enum pcs_status pcs_native_writer_put_named(pcs_native_writer *writer, const char *model_name, const char *source,
                                            const struct pcs_request *req, struct pcs_error *err)
{
    return put_line(writer, model_name, NULL, source, req, err);
}

enum pcs_status pcs_native_write_trace(pcs_trace *trace, FILE *out, const volatile sig_atomic_t *stop,
                                       uint64_t *written, struct pcs_error *err)
{
    if (written)
        *written = 0;
    pcs_native_writer *writer = pcs_native_writer_new(out, err);
    if (!writer)
        return PCS_ERR_NOMEM;
    enum pcs_status status = PCS_OK;
    struct pcs_request req;
    int stopped = 0;
    for (;;) {
        stopped = stop && *stop;
        if (stopped)
            break;
        status = pcs_trace_next(trace, &req, err);
        if (status != PCS_OK)
            break;
        status = pcs_native_writer_put(writer, trace, &req, err);
        if (written)
            *written = writer->count;
        if (status != PCS_OK)
            break;
    }
    if (stopped)
        status = PCS_END;
    else if (status == PCS_END)
        status = PCS_OK;
    pcs_native_writer_free(writer);
    return status;
}
