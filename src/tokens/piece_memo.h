/* A memo of short pieces' token counts, one per tokenizer: common words then
 * skip both the rank table (a cache miss in 11 MB) and the merge. A table
 * of PCS_PIECE_MEMO_SLOTS slots, each holding a piece of up to
 * PCS_PIECE_MEMO_MAX_PIECE bytes, whole, and its count; a piece goes to one
 * slot, chosen by a hash of its bytes, and replaces what was there. A lookup
 * compares the bytes and length exactly, so the hash only picks the slot: a
 * count comes back only for the very piece it was stored with. Internal to
 * src/tokens; not thread-safe (its tokenizer's thread only). */
#ifndef PCSIM_TOKENS_PIECE_MEMO_H
#define PCSIM_TOKENS_PIECE_MEMO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Longer pieces are not memoised. */
#define PCS_PIECE_MEMO_MAX_PIECE 16
#define PCS_PIECE_MEMO_BITS 13
#define PCS_PIECE_MEMO_SLOTS ((size_t)1 << PCS_PIECE_MEMO_BITS)

struct pcs_piece_memo_slot {
    uint64_t head;   /* bytes 0..7 of the piece, zero-padded */
    uint64_t tail;   /* bytes 8..15, zero-padded */
    uint32_t len;    /* the piece's bytes; 0: an empty slot */
    uint32_t tokens; /* its count */
};

/* A piece's key: its bytes as two zero-padded words, and the slot they hash to. */
struct pcs_piece_key {
    uint64_t head;
    uint64_t tail;
    size_t slot;
};

/* Sixteen bytes of 0xFF then sixteen of 0: the eight bytes at (16 - len)
 * and at (24 - len) mask the first len bytes of two words, in any byte order. */
static const uint8_t pcs_piece_mask_bytes[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

/* The key of piece[0..len) (1 <= len <= PCS_PIECE_MEMO_MAX_PIECE), read from
 * a text that holds room bytes from piece on (room >= len; with room >= 16
 * the bytes are read in two loads and masked). */
static inline struct pcs_piece_key pcs_piece_key(const uint8_t *piece, size_t len, size_t room)
{
    struct pcs_piece_key key;
    if (room >= 16) {
        memcpy(&key.head, piece, 8);
        memcpy(&key.tail, piece + 8, 8);
    } else {
        uint8_t bytes[16] = {0};
        memcpy(bytes, piece, len);
        memcpy(&key.head, bytes, 8);
        memcpy(&key.tail, bytes + 8, 8);
    }
    uint64_t head_mask;
    uint64_t tail_mask;
    memcpy(&head_mask, pcs_piece_mask_bytes + 16 - len, 8);
    memcpy(&tail_mask, pcs_piece_mask_bytes + 24 - len, 8);
    key.head &= head_mask;
    key.tail &= tail_mask;
    uint64_t hash = (key.head ^ len) * 0x9E3779B97F4A7C15ULL + key.tail * 0xC2B2AE3D27D4EB4FULL;
    key.slot = (size_t)(hash >> (64 - PCS_PIECE_MEMO_BITS));
    return key;
}

/* The count memoised for the piece of key and len, or 0 when there is none. */
static inline uint32_t pcs_piece_memo_find(const struct pcs_piece_memo_slot *memo, const struct pcs_piece_key *key,
                                           size_t len)
{
    const struct pcs_piece_memo_slot *slot = &memo[key->slot];
    if (slot->len == len && slot->head == key->head && slot->tail == key->tail)
        return slot->tokens;
    return 0;
}

static inline void pcs_piece_memo_store(struct pcs_piece_memo_slot *memo, const struct pcs_piece_key *key, size_t len,
                                        uint32_t tokens)
{
    struct pcs_piece_memo_slot *slot = &memo[key->slot];
    slot->head = key->head;
    slot->tail = key->tail;
    slot->len = (uint32_t)len;
    slot->tokens = tokens;
}

#endif
