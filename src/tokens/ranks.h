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

/* A slot of the rank table: the token's first eight bytes (zero-padded) and
 * its length, so that a lookup of a short piece reads one cache line. */
struct pcs_rank_slot {
    uint64_t prefix;
    uint32_t rank_plus_one; /* 0: an empty slot */
    uint32_t len;
};

struct pcs_ranks {
    enum pcs_encoding encoding;
    uint32_t count;     /* tokens: ranks 0 .. count - 1 */
    size_t max_token;   /* the longest token's bytes */
    const char *source; /* "gpt-tokenizer 4.0.0": the package the ranks came from */
    uint8_t *data; /* the generated file, decompressed: rank r's bytes at data + start[r], length data[start[r] - 1] */
    uint32_t *start;             /* count offsets into data */
    struct pcs_rank_slot *slots; /* tokens of three bytes or more: open addressing, linear probing */
    size_t mask;                 /* slots - 1 */
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

/* The first eight bytes of p[0..len), zero-padded, as a word. */
static inline uint64_t pcs_ranks_prefix(const uint8_t *p, size_t len)
{
    uint64_t word = 0;
    if (len >= 8) {
        memcpy(&word, p, 8);
    } else {
        for (size_t i = 0; i < len; i++)
            word |= (uint64_t)p[i] << (8 * i);
    }
    return word;
}

/* Where the lookup of p[0..len) (len >= 3) starts probing. */
static inline size_t pcs_ranks_home(const struct pcs_ranks *ranks, const uint8_t *p, size_t len)
{
    return (size_t)XXH3_64bits(p, len) & ranks->mask;
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
    uint64_t prefix = pcs_ranks_prefix(p, len);
    for (size_t i = pcs_ranks_home(ranks, p, len);; i = (i + 1) & ranks->mask) {
        const struct pcs_rank_slot *slot = &ranks->slots[i];
        if (slot->rank_plus_one == 0)
            return PCS_RANK_NONE;
        if (slot->prefix == prefix && slot->len == len) {
            uint32_t rank = slot->rank_plus_one - 1;
            if (len <= 8 || memcmp(pcs_ranks_token_bytes(ranks, rank) + 8, p + 8, len - 8) == 0)
                return rank;
        }
    }
}

#endif
