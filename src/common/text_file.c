/* Whole-file reads; see text_file.h. */
#include "text_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum pcs_status text_file_read(const char *path, char **data, size_t *size, struct pcs_error *err)
{
    *data = NULL;
    *size = 0;
    FILE *file = fopen(path, "rb");
    if (!file)
        return pcs_error_set(err, PCS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 65536;
    size_t len = 0;
    char *buffer = malloc(cap + 1);
    enum pcs_status status = buffer ? PCS_OK : PCS_ERR_NOMEM;
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
        size_t got = fread(buffer + len, 1, cap - len, file);
        len += got;
        if (got == 0) {
            if (ferror(file))
                status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
    }
    fclose(file);
    if (status == PCS_ERR_NOMEM)
        pcs_error_set(err, status, "%s: out of memory reading the file", path);
    if (status != PCS_OK) {
        free(buffer);
        return status;
    }
    buffer[len] = '\0';
    *data = buffer;
    *size = len;
    return PCS_OK;
}

void text_position(const char *text, size_t offset, unsigned long *line, unsigned long *column)
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
