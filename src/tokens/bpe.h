/* Byte-pair merging of one pre-tokenised piece (DESIGN §8, docs/tokens.md):
 * start from single bytes; while some adjacent pair of parts is a token,
 * merge the pair of lowest rank (the leftmost of equal ones); the parts left
 * are the piece's tokens. Internal to src/tokens. */
#ifndef PCSIM_TOKENS_BPE_H
#define PCSIM_TOKENS_BPE_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"
#include "ranks.h"

/* Pieces up to this many bytes merge by scanning the pair ranks (short pieces,
 * nearly all of them: few cache misses); longer ones through a tournament
 * tree, in O(n log n), with the same result. */
#define PCS_BPE_SCAN_MAX 128

/* Working memory, grown to the longest piece seen; zeroed it is empty. */
struct pcs_bpe_scratch {
    uint32_t *a;     /* scan: part starts; long: node ends */
    uint32_t *b;     /* scan: pair ranks; long: previous nodes */
    uint64_t *tree;  /* long: the tournament tree of pair keys */
    size_t capacity; /* entries of a and b */
    size_t tree_capacity;
};

void pcs_bpe_scratch_free(struct pcs_bpe_scratch *scratch);

/* Merges piece[0..len) (len >= 1) and returns its number of tokens; when ids
 * is not NULL, writes their ranks there in order (room for len). Returns 0
 * when scratch memory could not be had (a piece is never 0 tokens). */
size_t pcs_bpe_merge(const struct pcs_ranks *ranks, const uint8_t *piece, size_t len, struct pcs_bpe_scratch *scratch,
                     uint32_t *ids);

/* pcs_bpe_merge the way of long pieces, whatever the length (the tests compare the two ways). */
size_t pcs_bpe_merge_long(const struct pcs_ranks *ranks, const uint8_t *piece, size_t len,
                          struct pcs_bpe_scratch *scratch, uint32_t *ids);

#endif
