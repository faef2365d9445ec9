/* The rank tables: the generated .ranks file of an encoding (its layout is
 * described in tools/tokenizer/export.mjs), decompressed once and indexed by
 * a hash of each token's bytes. */
#include "ranks.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <zstd.h>

#include "common/memory.h"
#include "tokens/generated/source.h"

/* The generated files, built into the library by cmake/embed.cmake. */
extern const unsigned char pcs_tokens_o200k_base_ranks[];
extern const size_t pcs_tokens_o200k_base_ranks_size;
extern const unsigned char pcs_tokens_cl100k_base_ranks[];
extern const size_t pcs_tokens_cl100k_base_ranks_size;

static _Atomic(struct pcs_ranks *) built[PCS_ENCODING_COUNT];
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

static void ranks_free(struct pcs_ranks *ranks)
{
    if (ranks == NULL)
        return;
    free(ranks->data);
    free(ranks->start);
    free(ranks->slots);
    free(ranks->pair_rank);
    free(ranks);
}

static enum pcs_status damaged(struct pcs_error *err, enum pcs_encoding encoding, const char *what)
{
    return pcs_error_set(err, PCS_ERR_FORMAT, "built-in token ranks of %s: %s (rebuild pcsim)",
                         pcs_encoding_name(encoding), what);
}

static enum pcs_status decompress(struct pcs_ranks *ranks, const unsigned char *blob, size_t blob_size, size_t *size,
                                  struct pcs_error *err)
{
    unsigned long long content = ZSTD_getFrameContentSize(blob, blob_size);
    if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN || content > UINT32_MAX)
        return damaged(err, ranks->encoding, "not a zstd frame of known size");
    ranks->data = malloc((size_t)content + 1);
    if (ranks->data == NULL)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    size_t got = ZSTD_decompress(ranks->data, (size_t)content, blob, blob_size);
    if (ZSTD_isError(got) || got != content)
        return damaged(err, ranks->encoding, "zstd frame does not decode");
    ranks->data[got] = 0;
    *size = got;
    return PCS_OK;
}

/* "pcsim-ranks 1 ENCODING COUNT gpt-tokenizer VERSION\n": checks the name
 * and takes the count; returns the header's length, 0 when it does not read. */
static size_t read_header(struct pcs_ranks *ranks, size_t size)
{
    const char *text = (const char *)ranks->data;
    const char *newline = memchr(text, '\n', size < 200 ? size : 200);
    if (newline == NULL)
        return 0;
    const char *name = pcs_encoding_name(ranks->encoding);
    static const char magic[] = "pcsim-ranks 1 ";
    size_t magic_len = sizeof magic - 1;
    size_t name_len = strlen(name);
    if (strncmp(text, magic, magic_len) != 0 || strncmp(text + magic_len, name, name_len) != 0 ||
        text[magic_len + name_len] != ' ')
        return 0;
    char *end = NULL;
    unsigned long long count = strtoull(text + magic_len + name_len + 1, &end, 10);
    if (end == NULL || *end != ' ' || count < 256 || count >= UINT32_MAX / 2)
        return 0;
    ranks->count = (uint32_t)count;
    return (size_t)(newline - text) + 1;
}

static enum pcs_status index_tokens(struct pcs_ranks *ranks, size_t header, size_t size, struct pcs_error *err)
{
    ranks->start = malloc(ranks->count * sizeof *ranks->start);
    size_t capacity = 1024;
    while (capacity < 2 * (size_t)ranks->count)
        capacity *= 2;
    /* Probes land anywhere in the table: on huge pages they miss the TLB far less. */
    ranks->slots = pcs_memory_alloc_whole(capacity * sizeof *ranks->slots);
    if (ranks->slots != NULL)
        memset(ranks->slots, 0, capacity * sizeof *ranks->slots);
    ranks->pair_rank = malloc(65536 * sizeof *ranks->pair_rank);
    if (ranks->start == NULL || ranks->slots == NULL || ranks->pair_rank == NULL)
        return pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
    ranks->mask = capacity - 1;
    for (size_t i = 0; i < 256; i++)
        ranks->byte_rank[i] = PCS_RANK_NONE;
    for (size_t i = 0; i < 65536; i++)
        ranks->pair_rank[i] = PCS_RANK_NONE;
    size_t pos = header;
    for (uint32_t rank = 0; rank < ranks->count; rank++) {
        if (pos >= size || ranks->data[pos] == 0 || size - pos - 1 < ranks->data[pos])
            return damaged(err, ranks->encoding, "a token runs past the end");
        size_t len = ranks->data[pos];
        const uint8_t *bytes = ranks->data + pos + 1;
        ranks->start[rank] = (uint32_t)(pos + 1);
        pos += 1 + len;
        if (len > ranks->max_token)
            ranks->max_token = len;
        if (pcs_ranks_find(ranks, bytes, len) != PCS_RANK_NONE)
            return damaged(err, ranks->encoding, "a token given twice");
        if (len == 1) {
            ranks->byte_rank[bytes[0]] = rank;
        } else if (len == 2) {
            ranks->pair_rank[(size_t)bytes[0] << 8 | bytes[1]] = rank;
        } else {
            size_t i = pcs_ranks_home(ranks, bytes, len);
            while (ranks->slots[i].rank_plus_one != 0)
                i = (i + 1) & ranks->mask;
            ranks->slots[i].prefix = pcs_ranks_prefix(bytes, len);
            ranks->slots[i].rank_plus_one = rank + 1;
            ranks->slots[i].len = (uint32_t)len;
        }
    }
    if (pos != size)
        return damaged(err, ranks->encoding, "bytes after the last token");
    for (size_t i = 0; i < 256; i++)
        if (ranks->byte_rank[i] == PCS_RANK_NONE)
            return damaged(err, ranks->encoding, "a byte that is not a token");
    return PCS_OK;
}

static struct pcs_ranks *ranks_build(enum pcs_encoding encoding, struct pcs_error *err)
{
    struct pcs_ranks *ranks = calloc(1, sizeof *ranks);
    if (ranks == NULL) {
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory");
        return NULL;
    }
    ranks->encoding = encoding;
    ranks->source = PCS_TOKENS_SOURCE;
    const unsigned char *blob =
        encoding == PCS_ENCODING_O200K_BASE ? pcs_tokens_o200k_base_ranks : pcs_tokens_cl100k_base_ranks;
    size_t blob_size =
        encoding == PCS_ENCODING_O200K_BASE ? pcs_tokens_o200k_base_ranks_size : pcs_tokens_cl100k_base_ranks_size;
    size_t size = 0;
    if (decompress(ranks, blob, blob_size, &size, err) != PCS_OK) {
        ranks_free(ranks);
        return NULL;
    }
    size_t header = read_header(ranks, size);
    if (header == 0) {
        damaged(err, encoding, "no header naming the encoding");
        ranks_free(ranks);
        return NULL;
    }
    if (index_tokens(ranks, header, size, err) != PCS_OK) {
        ranks_free(ranks);
        return NULL;
    }
    return ranks;
}

const struct pcs_ranks *pcs_ranks_get(enum pcs_encoding encoding, struct pcs_error *err)
{
    if ((unsigned)encoding >= PCS_ENCODING_COUNT) {
        pcs_error_set(err, PCS_ERR_ARG, "unknown encoding %d", (int)encoding);
        return NULL;
    }
    struct pcs_ranks *ranks = atomic_load_explicit(&built[encoding], memory_order_acquire);
    if (ranks != NULL)
        return ranks;
    pthread_mutex_lock(&build_lock);
    ranks = atomic_load_explicit(&built[encoding], memory_order_relaxed);
    if (ranks == NULL) {
        ranks = ranks_build(encoding, err);
        if (ranks != NULL)
            atomic_store_explicit(&built[encoding], ranks, memory_order_release);
    }
    pthread_mutex_unlock(&build_lock);
    return ranks;
}
