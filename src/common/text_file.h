/* Whole-file reads for the JSON documents pcsim loads (catalogs,
 * scenarios), and byte offsets turned into line:column for their errors.
 * Internal to the library. */
#ifndef PCSIM_COMMON_TEXT_FILE_H
#define PCSIM_COMMON_TEXT_FILE_H

#include <stddef.h>

#include "pcsim/status.h"

/* Reads path into a NUL-terminated buffer (*data, owned by the caller,
 * free()); *size excludes the NUL. path may be "-" (standard input), a
 * FIFO or a gzip/zstd file (decompressed): see input_source.h. Errors:
 * PCS_ERR_IO naming the file and the reason, PCS_ERR_PARSE (corrupt
 * compressed data, located), PCS_ERR_NOMEM. */
enum pcs_status pcs_text_file_read(const char *path, char **data, size_t *size, struct pcs_error *err);

/* 1-based line and column of byte offset in text. */
void pcs_text_position(const char *text, size_t offset, unsigned long *line, unsigned long *column);

#endif
