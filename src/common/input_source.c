/* One named input as a file that pread can read; see input_source.h.
 *
 * The readers are tuned for a regular file (pread windows, pieces indexed
 * on several threads, a second pass), so everything else is made into
 * one: a stream is read once into an anonymous file, which also means a
 * FIFO is never opened twice. A regular file costs one extra open and a
 * 4-byte read, to see that it is not compressed. */
#define _GNU_SOURCE /* memfd_create */
#include "input_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress.h"

#define SPOOL_READ_BYTES ((size_t)256 << 10)
/* Enough bytes to tell every codec's magic. */
#define MAGIC_BYTES 4

/* A file with no name that holds what a stream gave. */
static int anonymous_file(void)
{
#ifdef MFD_CLOEXEC
    int memory_fd = memfd_create("pcsim-input", MFD_CLOEXEC);
    if (memory_fd >= 0)
        return memory_fd;
#endif
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/pcsim-input.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

/* Reads in_fd from where it stands to its end into an anonymous file,
 * decoded if its first bytes are a codec's magic. */
static enum pcs_status spool(int in_fd, const char *name, struct input_source *src, struct pcs_error *err)
{
    struct byte_reader in = {in_fd, malloc(SPOOL_READ_BYTES), SPOOL_READ_BYTES, 0, 0, 0};
    if (!in.buf)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", name);
    enum pcs_status status = PCS_OK;
    /* A pipe may hand out a byte at a time: read until the magic can be told. */
    while (in.len < MAGIC_BYTES && !in.eof) {
        ssize_t n = read(in_fd, in.buf + in.len, in.cap - in.len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            status = pcs_error_set(err, PCS_ERR_IO, "%s: read failed: %s", name, strerror(errno));
            break;
        }
        in.len += (size_t)n;
        in.eof = n == 0;
    }
    struct text_sink out = {-1, 0, 0};
    if (status == PCS_OK) {
        out.fd = anonymous_file();
        if (out.fd < 0)
            status =
                pcs_error_set(err, PCS_ERR_IO, "%s: cannot make a file to hold the input: %s", name, strerror(errno));
    }
    enum codec codec = pcs_codec_detect(in.buf, in.len);
    if (status == PCS_OK && codec != CODEC_NONE) {
        status = pcs_codec_decode(codec, &in, &out, name, err);
    } else {
        while (status == PCS_OK && in.len > in.pos) {
            status = pcs_text_sink_write(&out, in.buf + in.pos, in.len - in.pos, name, err);
            in.pos = in.len;
            if (status == PCS_OK)
                status = pcs_byte_reader_fill(&in, name, err);
        }
    }
    free(in.buf);
    if (status != PCS_OK) {
        if (out.fd >= 0)
            close(out.fd);
        return status;
    }
    src->fd = out.fd;
    src->size = out.size;
    return PCS_OK;
}

enum pcs_status pcs_input_source_open(const char *path, struct input_source *src, struct pcs_error *err)
{
    memset(src, 0, sizeof *src);
    src->fd = -1;
    int is_stdin = strcmp(path, "-") == 0;
    src->name = strdup(is_stdin ? INPUT_STDIN_NAME : path);
    if (!src->name)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", path);
    int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        enum pcs_status status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot open: %s", src->name, strerror(errno));
        pcs_input_source_close(src);
        return status;
    }
    struct stat st;
    enum pcs_status status = PCS_OK;
    if (fstat(fd, &st) != 0)
        status = pcs_error_set(err, PCS_ERR_IO, "%s: cannot stat: %s", src->name, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        status = pcs_error_set(err, PCS_ERR_IO, "%s: is a directory", src->name);
    /* A regular file read from its start is read in place unless compressed
     * (standard input redirected from a file may stand past its start). */
    int in_place = status == PCS_OK && S_ISREG(st.st_mode) && (!is_stdin || lseek(fd, 0, SEEK_CUR) == 0);
    if (in_place) {
        unsigned char head[MAGIC_BYTES];
        ssize_t got;
        do
            got = pread(fd, head, sizeof head, 0);
        while (got < 0 && errno == EINTR);
        if (got < 0) {
            status = pcs_error_set(err, PCS_ERR_IO, "%s: read failed: %s", src->name, strerror(errno));
        } else if (pcs_codec_detect(head, (size_t)got) == CODEC_NONE) {
            if (is_stdin) { /* it has no name to open: keep the descriptor */
                src->fd = fd;
                src->size = (uint64_t)st.st_size;
                return PCS_OK;
            }
            close(fd); /* the reader opens it by name, as it always has */
            return PCS_OK;
        }
    }
    if (status == PCS_OK)
        status = spool(fd, src->name, src, err);
    close(fd);
    if (status != PCS_OK)
        pcs_input_source_close(src);
    return status;
}

void pcs_input_source_close(struct input_source *src)
{
    if (src->fd >= 0)
        close(src->fd);
    free(src->name);
    src->name = NULL;
    src->fd = -1;
    src->size = 0;
}
