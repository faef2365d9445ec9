/* gzip and zstd streams decoded into a file (input_source.c's spool).
 * Internal to the library. */
#ifndef PCSIM_COMMON_DECOMPRESS_H
#define PCSIM_COMMON_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"

enum codec {
    CODEC_NONE = 0,
    CODEC_GZIP, /* 1f 8b: one or more gzip members */
    CODEC_ZSTD  /* 28 b5 2f fd: one or more zstd frames (skippable ones too) */
};

/* The codec whose magic bytes head[0..len) start with; CODEC_NONE when none
 * (fewer than 4 bytes may still be gzip). */
enum codec pcs_codec_detect(const unsigned char *head, size_t len);

/* Bytes read from an fd in order, buf[pos..len) not yet used. */
struct byte_reader {
    int fd;
    unsigned char *buf;
    size_t cap;
    size_t len;
    size_t pos;
    int eof;
};

/* Reads more into the reader when all of it is used (pos == len); sets eof
 * at the end. PCS_ERR_IO (err names name) if read fails. */
enum pcs_status pcs_byte_reader_fill(struct byte_reader *in, const char *name, struct pcs_error *err);

/* Where the text goes: an fd written in order, and what was written (its
 * lines, for messages). */
struct text_sink {
    int fd;
    uint64_t size;
    uint64_t newlines;
};

/* Appends data[0..len) to the sink. PCS_ERR_IO naming name. */
enum pcs_status pcs_text_sink_write(struct text_sink *out, const void *data, size_t len, const char *name,
                                    struct pcs_error *err);

/* Decodes the whole stream from in (its unused bytes first) into out.
 * Corrupt, truncated or trailing data fails with PCS_ERR_PARSE, "NAME:LINE:
 * CODEC data ...: REASON" where LINE is the line of the text being decoded
 * when it failed. PCS_ERR_NOMEM, PCS_ERR_IO as the reader and sink. */
enum pcs_status pcs_codec_decode(enum codec codec, struct byte_reader *in, struct text_sink *out, const char *name,
                                 struct pcs_error *err);

#endif
