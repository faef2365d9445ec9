/* Whole-file reads; see text_file.h. */
#include "text_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input_source.h"

enum pcs_status pcs_text_file_read(const char *path, char **data, size_t *size, struct pcs_error *err)
{
    *data = NULL;
    *size = 0;
    struct input_source src;
    enum pcs_status status = pcs_input_source_open(path, &src, err);
    if (status != PCS_OK)
        return status;
    int fd = src.fd >= 0 ? src.fd : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot open: %s", src.name, strerror(errno));
        pcs_input_source_close(&src);
        return status;
    }
    size_t cap = 65536;
    size_t len = 0;
    char *buffer = malloc(cap + 1);
    status = buffer ? PCS_OK : PCS_ERR_NOMEM;
    while (status == PCS_OK) {
        if (len == cap) {
            char *grown = cap < ((size_t)-1) / 4 ? realloc(buffer, cap * 2 + 1) : NULL;
            if (!grown) {
                status = PCS_ERR_NOMEM;
                break;
            }
            buffer = grown;
            cap *= 2;
        }
        /* pread: a stream kept by src is read from its start. */
        ssize_t got = pread(fd, buffer + len, cap - len, (off_t)len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot read: %s", src.name, strerror(errno));
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    if (status == PCS_ERR_NOMEM)
        pcs_error_set(err, status, "%s: out of memory reading the file", src.name);
    if (fd != src.fd)
        close(fd);
    pcs_input_source_close(&src);
    if (status != PCS_OK) {
        free(buffer);
        return status;
    }
    buffer[len] = '\0';
    *data = buffer;
    *size = len;
    return PCS_OK;
}

void pcs_text_position(const char *text, size_t offset, unsigned long *line, unsigned long *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            ++*line;
            *column = 1;
        } else {
            ++*column;
        }
    }
}
