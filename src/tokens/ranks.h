/* The token ranks of an encoding, built once per process from the ranks
 * generated into the library (src/tokens/generated/, tools/update-tokenizer),
 * and shared read-only by every tokenizer. Internal to src/tokens.
 *
 * A token is a byte string of 1..PCS_RANKS_MAX_TOKEN bytes; its rank is its
 * id and its merge priority (lower merges first). Every single byte is a token. */
#ifndef PCSIM_TOKENS_RANKS_H
#define PCSIM_TOKENS_RANKS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "pcsim/status.h"
#include "pcsim/tokens.h"

/* No token: greater than every rank, so a minimum over ranks never picks it. */
#define PCS_RANK_NONE UINT32_MAX
/* The longest token, in bytes, that a table may hold (the length is a byte of the generated file). */
#define PCS_RANKS_MAX_TOKEN 255

struct pcs_ranks {
    enum pcs_encoding encoding;
    uint32_t count;     /* tokens: ranks 0 .. count - 1 */
    size_t max_token;   /* the longest token's bytes */
    const char *source; /* "gpt-tokenizer 4.0.0": the package the ranks came from */
    uint8_t *data; /* the generated file, decompressed: rank r's bytes at data + start[r], length data[start[r] - 1] */
    uint32_t *start; /* count offsets into data */
    uint64_t *slots; /* open addressing, linear probing: (hash >> 32) << 32 | (rank + 1); 0 empty */
    size_t mask;     /* slots - 1 */
    uint32_t byte_rank[256];
    uint32_t *pair_rank; /* 65536: the rank of the two bytes (a << 8 | b), or PCS_RANK_NONE */
};

/* The ranks of encoding, built on first use (thread-safe; a failed build is
 * tried again at the next call). NULL with err set: PCS_ERR_NOMEM, or
 * PCS_ERR_FORMAT when the generated data does not read (a build problem). */
const struct pcs_ranks *pcs_ranks_get(enum pcs_encoding encoding, struct pcs_error *err);

static inline size_t pcs_ranks_token_len(const struct pcs_ranks *ranks, uint32_t rank)
{
    return ranks->data[ranks->start[rank] - 1];
}

static inline const uint8_t *pcs_ranks_token_bytes(const struct pcs_ranks *ranks, uint32_t rank)
{
    return ranks->data + ranks->start[rank];
}

/* The rank of the len bytes at p, or PCS_RANK_NONE when they are not a token. */
static inline uint32_t pcs_ranks_find(const struct pcs_ranks *ranks, const uint8_t *p, size_t len)
{
    if (len == 2)
        return ranks->pair_rank[(size_t)p[0] << 8 | p[1]];
    if (len == 1)
        return ranks->byte_rank[p[0]];
    if (len > ranks->max_token || len == 0)
        return PCS_RANK_NONE;
    uint64_t hash = XXH3_64bits(p, len);
    uint32_t tag = (uint32_t)(hash >> 32);
    for (size_t i = (size_t)hash & ranks->mask;; i = (i + 1) & ranks->mask) {
        uint64_t slot = ranks->slots[i];
        if (slot == 0)
            return PCS_RANK_NONE;
        if ((uint32_t)(slot >> 32) == tag) {
            uint32_t rank = (uint32_t)slot - 1;
            if (pcs_ranks_token_len(ranks, rank) == len && memcmp(pcs_ranks_token_bytes(ranks, rank), p, len) == 0)
                return rank;
        }
    }
}

#endif
