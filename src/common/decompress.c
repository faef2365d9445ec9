/* gzip (zlib's inflate) and zstd (its streaming API) decoded into a file;
 * see decompress.h.
 *
 * Both decoders insist on a complete stream: a file cut short, a corrupt
 * block or bytes after the last member or frame is an error naming the
 * line of text where it happened, never a shorter text. */
#include "decompress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#define DECODE_OUT_BYTES ((size_t)256 << 10)

enum codec pcs_codec_detect(const unsigned char *head, size_t len)
{
    if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        return CODEC_GZIP;
    if (len >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
        return CODEC_ZSTD;
    return CODEC_NONE;
}

/* "gzip", "zstd" (or "plain"). */
static const char *codec_name(enum codec codec)
{
    switch (codec) {
    case CODEC_GZIP: return "gzip";
    case CODEC_ZSTD: return "zstd";
    case CODEC_NONE: break;
    }
    return "plain";
}

enum pcs_status pcs_byte_reader_fill(struct byte_reader *in, const char *name, struct pcs_error *err)
{
    if (in->pos < in->len || in->eof)
        return PCS_OK;
    for (;;) {
        ssize_t n = read(in->fd, in->buf, in->cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pcs_error_set(err, PCS_ERR_IO, "%s: read failed: %s", name, strerror(errno));
        in->pos = 0;
        in->len = (size_t)n;
        in->eof = n == 0;
        return PCS_OK;
    }
}

enum pcs_status pcs_text_sink_write(struct text_sink *out, const void *data, size_t len, const char *name,
                                    struct pcs_error *err)
{
    const char *bytes = data;
    for (size_t i = 0; i < len; i++)
        out->newlines += bytes[i] == '\n';
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(out->fd, bytes + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return pcs_error_set(err, PCS_ERR_IO, "%s: cannot keep the text read: %s", name, strerror(errno));
        done += (size_t)n;
    }
    out->size += len;
    return PCS_OK;
}

/* "NAME:LINE: CODEC data PROBLEM: DETAIL (after N bytes of text)". */
static enum pcs_status decode_error(const struct text_sink *out, const char *name, enum codec codec,
                                    const char *problem, const char *detail, struct pcs_error *err)
{
    return pcs_error_set(err, PCS_ERR_PARSE, "%s:%llu: %s data %s%s%s (after %llu bytes of text)", name,
                         (unsigned long long)out->newlines + 1, codec_name(codec), problem, detail ? ": " : "",
                         detail ? detail : "", (unsigned long long)out->size);
}

static enum pcs_status gzip_decode(struct byte_reader *in, struct text_sink *out, const char *name, unsigned char *obuf,
                                   struct pcs_error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 16) != Z_OK) /* gzip wrapper only */
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory for gzip", name);
    enum pcs_status status = PCS_OK;
    int in_member = 1;
    for (;;) {
        status = pcs_byte_reader_fill(in, name, err);
        if (status != PCS_OK || in->pos == in->len)
            break;
        if (!in_member) {
            /* Another member may follow (gzip a b > c concatenates); anything else is not ours to drop. */
            if (in->buf[in->pos] != 0x1f) {
                status = decode_error(out, name, CODEC_GZIP, "has trailing bytes after its end", NULL, err);
                break;
            }
            inflateReset(&z);
            in_member = 1;
        }
        z.next_in = in->buf + in->pos;
        z.avail_in = (uInt)(in->len - in->pos);
        int rc;
        do {
            z.next_out = obuf;
            z.avail_out = (uInt)DECODE_OUT_BYTES;
            rc = inflate(&z, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
                status = decode_error(out, name, CODEC_GZIP, "is corrupt", z.msg ? z.msg : zError(rc), err);
                break;
            }
            status = pcs_text_sink_write(out, obuf, DECODE_OUT_BYTES - z.avail_out, name, err);
            if (status != PCS_OK || rc != Z_OK)
                break;
        } while (z.avail_in > 0 || z.avail_out == 0);
        in->pos = in->len - z.avail_in;
        if (status != PCS_OK)
            break;
        if (rc == Z_STREAM_END)
            in_member = 0;
    }
    if (status == PCS_OK && in_member)
        status = decode_error(out, name, CODEC_GZIP, "is truncated", "the file ends inside the stream", err);
    inflateEnd(&z);
    return status;
}

static enum pcs_status zstd_decode(struct byte_reader *in, struct text_sink *out, const char *name, unsigned char *obuf,
                                   struct pcs_error *err)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory for zstd", name);
    enum pcs_status status = PCS_OK;
    size_t hint = 1; /* 0 once a frame is complete and flushed */
    for (;;) {
        status = pcs_byte_reader_fill(in, name, err);
        if (status != PCS_OK || in->pos == in->len)
            break;
        ZSTD_inBuffer src = {in->buf + in->pos, in->len - in->pos, 0};
        ZSTD_outBuffer dst = {obuf, DECODE_OUT_BYTES, DECODE_OUT_BYTES};
        while (src.pos < src.size || dst.pos == dst.size) {
            dst.pos = 0;
            hint = ZSTD_decompressStream(dctx, &dst, &src);
            if (ZSTD_isError(hint)) {
                status = decode_error(out, name, CODEC_ZSTD, "is corrupt", ZSTD_getErrorName(hint), err);
                break;
            }
            status = pcs_text_sink_write(out, obuf, dst.pos, name, err);
            if (status != PCS_OK)
                break;
        }
        in->pos += src.pos;
        if (status != PCS_OK)
            break;
    }
    if (status == PCS_OK && hint != 0)
        status = decode_error(out, name, CODEC_ZSTD, "is truncated", "the file ends inside a frame", err);
    ZSTD_freeDCtx(dctx);
    return status;
}

enum pcs_status pcs_codec_decode(enum codec codec, struct byte_reader *in, struct text_sink *out, const char *name,
                                 struct pcs_error *err)
{
    unsigned char *obuf = malloc(DECODE_OUT_BYTES);
    if (!obuf)
        return pcs_error_set(err, PCS_ERR_NOMEM, "%s: out of memory", name);
    enum pcs_status status = PCS_OK;
    if (codec == CODEC_GZIP)
        status = gzip_decode(in, out, name, obuf, err);
    else if (codec == CODEC_ZSTD)
        status = zstd_decode(in, out, name, obuf, err);
    free(obuf);
    return status;
}
