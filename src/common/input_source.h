/* One named input turned into something the readers handle: a file whose
 * bytes can be read at any offset (pread). Internal to the library.
 *
 * A regular, uncompressed file stays as it is: the reader opens it by
 * name, as before. Anything else is read once, to its end, into an
 * anonymous file (memfd_create; an unlinked temporary file where that is
 * missing): standard input ("-"), a FIFO, a character device such as
 * /dev/stdin or a process substitution, and a gzip or zstd stream (told by
 * its magic bytes, not by its name; decompressed on the way). Messages
 * keep naming the input as the user gave it ("<stdin>" for "-"), and line
 * numbers are those of the decompressed text. Not thread-safe: opening
 * consumes the input. */
#ifndef PCSIM_COMMON_INPUT_SOURCE_H
#define PCSIM_COMMON_INPUT_SOURCE_H

#include <stdint.h>

#include "pcsim/status.h"

/* The name standard input goes by in messages and reports. */
#define INPUT_STDIN_NAME "<stdin>"

struct input_source {
    char *name;    /* for messages: path as given, or INPUT_STDIN_NAME (owned) */
    int fd;        /* -1: a regular uncompressed file, open name; else bytes
                    * [0, size) are the text, read with pread (owned) */
    uint64_t size; /* with fd >= 0 */
};

/* Opens path ("-" is standard input). A directory is PCS_ERR_IO ("is a
 * directory"). A corrupt or truncated compressed stream fails with
 * "NAME:LINE: ..." (LINE: of the text decoded so far). Errors also:
 * PCS_ERR_IO (open, read, the anonymous file), PCS_ERR_NOMEM. On failure
 * src holds nothing. */
enum pcs_status pcs_input_source_open(const char *path, struct input_source *src, struct pcs_error *err);

/* Closes the fd and frees the name; src may be half-filled or zeroed. */
void pcs_input_source_close(struct input_source *src);

#endif
