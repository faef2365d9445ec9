/* Reading a file through a window, and a line file line by line; see
 * trace_internal.h. */
#include "trace_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/memory.h"

enum pcs_status pcs_window_load(const struct trace_file *file, struct file_window *w, uint64_t offset, size_t len,
                                size_t readahead, struct pcs_error *err)
{
    if (offset >= w->start && offset + len <= w->start + w->len)
        return PCS_OK;
    size_t want = len > readahead ? len : readahead;
    if (offset + want > file->size)
        want = file->size - offset > len ? (size_t)(file->size - offset) : len;
    if (want + TRACE_READ_PADDING > w->cap) {
        char *buf = pcs_memory_grow(w->buf, want + TRACE_READ_PADDING);
        if (!buf)
            return pcs_error_set(err, PCS_ERR_NOMEM, "%s: no memory for a %zu-byte record", file->path, len);
        w->buf = buf;
        w->cap = want + TRACE_READ_PADDING;
    }
    size_t got = 0;
    while (got < want) {
        ssize_t n = pread(file->fd, w->buf + got, want - got, (off_t)(offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pcs_error_set(err, PCS_ERR_IO, "%s: read failed: %s", file->path, strerror(errno));
        if (n == 0)
            break;
        got += (size_t)n;
    }
    w->start = offset;
    w->len = got;
    memset(w->buf + got, 0, TRACE_READ_PADDING);
    if (got < len)
        return pcs_error_set(err, PCS_ERR_IO, "%s: file changed while reading", file->path);
    return PCS_OK;
}

void pcs_window_free(struct file_window *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

/* Finds the line that starts at offset: sets *line and *len (without the
 * newline). Reads a new window only when the line runs past the current
 * one. line_no is for messages. */
static enum pcs_status next_line(const struct trace_file *file, struct file_window *w, uint64_t offset,
                                 uint64_t line_no, const char **line, size_t *len, struct pcs_error *err)
{
    size_t need = 1;     /* bytes the window must hold from offset */
    size_t searched = 0; /* bytes from offset known to hold no newline */
    for (;;) {
        enum pcs_status status = pcs_window_load(file, w, offset, need, LINE_WINDOW_BYTES, err);
        if (status != PCS_OK)
            return status;
        const char *start = w->buf + (offset - w->start);
        size_t avail = w->len - (size_t)(offset - w->start);
        const char *nl = memchr(start + searched, '\n', avail - searched);
        if (nl || w->start + w->len >= file->size) {
            *line = start;
            *len = nl ? (size_t)(nl - start) : avail;
            break;
        }
        /* The line runs past the window: read again from its start, more. */
        if (avail >= TRACE_MAX_LINE)
            return pcs_error_set(err, PCS_ERR_RANGE, "%s:%llu: line longer than %zu MiB", file->path,
                                 (unsigned long long)line_no, TRACE_MAX_LINE >> 20);
        searched = avail;
        need = avail + 1;
        if (offset == w->start)
            need = avail * 2 > need ? avail * 2 : need;
        if (need > file->size - offset)
            need = (size_t)(file->size - offset); /* the line ends with the file at the latest */
    }
    if (*len > TRACE_MAX_LINE)
        return pcs_error_set(err, PCS_ERR_RANGE, "%s:%llu: line longer than %zu MiB", file->path,
                             (unsigned long long)line_no, TRACE_MAX_LINE >> 20);
    return PCS_OK;
}

enum pcs_status pcs_line_next(struct line_reader *r, const char **text, size_t *len, uint64_t *at,
                              struct pcs_error *err)
{
    while (r->offset < r->end) {
        const char *line = NULL;
        size_t line_len = 0;
        if (++r->line_no > UINT32_MAX)
            return pcs_error_set(err, PCS_ERR_RANGE, "%s: more than 2^32 lines", r->file->path);
        enum pcs_status status = next_line(r->file, r->w, r->offset, r->line_no, &line, &line_len, err);
        if (status != PCS_OK)
            return status;
        uint64_t line_offset = r->offset;
        r->offset += line_len + 1;
        size_t trimmed = line_len;
        while (trimmed > 0 && (line[trimmed - 1] == '\r' || line[trimmed - 1] == ' ' || line[trimmed - 1] == '\t'))
            trimmed--;
        size_t lead = 0;
        if (line_offset == 0 && trimmed >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
            lead = 3; /* a UTF-8 byte order mark */
        while (lead < trimmed && (line[lead] == ' ' || line[lead] == '\t'))
            lead++;
        if (lead == trimmed)
            continue; /* blank lines carry nothing */
        *text = line + lead;
        *len = trimmed - lead;
        *at = line_offset + lead;
        return PCS_OK;
    }
    return PCS_END;
}
