/* Reading a file through a window; see trace_internal.h. */
#include "trace_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/big_alloc.h"

enum pcs_status window_load(const struct trace_file *file, struct file_window *w, uint64_t offset, size_t len,
                            size_t readahead, struct pcs_error *err)
{
    if (offset >= w->start && offset + len <= w->start + w->len)
        return PCS_OK;
    size_t want = len > readahead ? len : readahead;
    if (offset + want > file->size)
        want = file->size - offset > len ? (size_t)(file->size - offset) : len;
    if (want + TRACE_READ_PADDING > w->cap) {
        char *buf = big_realloc(w->buf, want + TRACE_READ_PADDING);
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

void window_free(struct file_window *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}
