/* The library's one hash table: internal to the library.
 *
 * Maps a key of 96 bits (a 64-bit word and a 32-bit tag) to a 32-bit value,
 * usually an index into the caller's own array: open addressing with
 * linear probing in a power-of-two array of 16-byte slots, grown (doubled)
 * before an insertion would take it past half full, backward-shift removal
 * (no tombstones). In the spirit of redis's dict, but flat: a probe reads
 * consecutive slots, which is what the radix tree's child lookups
 * (src/cache/tree.c) need to stay fast; the lookups are static inline so
 * that the compiler sees through them.
 *
 * Keys the caller cannot fit in 96 bits (strings, wider tuples) go in
 * hashed: key = a 64-bit hash (XXH3 for strings), the value indexes the
 * caller's store, and pcs_hash_find_match compares through a callback;
 * pcs_hash_add then admits two entries under one key (a hash collision).
 *
 * Ownership: the table owns its slot array only; values are the caller's.
 * Errors: growing reports PCS_ERR_NOMEM and leaves the table as it was
 * (every entry still found), never a wrong answer. Not thread-safe: one
 * writer, and no readers while it writes. */
#ifndef PCSIM_COMMON_HASH_TABLE_H
#define PCSIM_COMMON_HASH_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "pcsim/status.h"

/* A value no entry may hold: it marks an empty slot. */
#define PCS_HASH_EMPTY UINT32_MAX

struct pcs_hash_slot {
    uint64_t key;
    uint32_t tag;   /* the key's second word (a parent id, a namespace), or 0 */
    uint32_t value; /* PCS_HASH_EMPTY: an empty slot */
};

/* Zeroed (memset or = {0}) it is a valid empty table with no slots;
 * pcs_hash_release returns it to that state (premixed aside). Callers may read the fields
 * (e.g. iterate slots[0..mask] for the entries, value != PCS_HASH_EMPTY)
 * but change them only through the functions below. */
struct pcs_hash_table {
    struct pcs_hash_slot *slots; /* mask + 1 slots, or NULL */
    size_t mask;                 /* capacity - 1 (capacity a power of two); 0 without slots */
    size_t count;                /* entries */
    /* Set by the caller before the first insertion, never changed after:
     * 1 if keys are hash outputs already (XXH3: every bit mixed), whose
     * home is then taken from their bits without mixing them again (a
     * sweep looks up every bound of every request); 0 (zeroed) mixes. */
    int premixed;
};

/* Makes room for entries (in all, not more) without a further growth;
 * returns PCS_ERR_NOMEM (table unchanged) if the memory is not there or
 * the capacity would overflow. A zeroed table needs no call: the first
 * insertion sizes it. */
enum pcs_status pcs_hash_reserve(struct pcs_hash_table *table, size_t entries);

/* Frees the slots; the table is empty after (premixed kept). NULL: nothing. */
void pcs_hash_release(struct pcs_hash_table *table);

/* Sets key's value (replacing its old value if the key is in the table).
 * value must not be PCS_HASH_EMPTY. PCS_ERR_NOMEM: the table needed to
 * grow and could not; it is unchanged. */
enum pcs_status pcs_hash_put(struct pcs_hash_table *table, uint64_t key, uint32_t tag, uint32_t value);

/* Adds an entry without looking for the key first: for hashed keys, where
 * equal keys may stand for different items (see pcs_hash_find_match), or
 * where the caller knows the key is new. Errors as pcs_hash_put. */
enum pcs_status pcs_hash_add(struct pcs_hash_table *table, uint64_t key, uint32_t tag, uint32_t value);

/* Removes key's entry (the first, for a hashed key added twice); returns
 * its value, or PCS_HASH_EMPTY if the key was not there. */
uint32_t pcs_hash_remove(struct pcs_hash_table *table, uint64_t key, uint32_t tag);

/* The slot where (key, tag) starts its probe: a 64-bit finaliser mix
 * (murmur3's) of key and tag, so neither needs to be well mixed already
 * (unless the table says its keys are). Requires slots. */
static inline size_t pcs_hash_home(const struct pcs_hash_table *table, uint64_t key, uint32_t tag)
{
    uint64_t x = key ^ ((uint64_t)tag * 0x9E3779B97F4A7C15ull);
    if (table->premixed)
        return (size_t)(x ^ (x >> 32)) & table->mask;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return (size_t)x & table->mask;
}

/* The slot that holds (key, tag), or the empty slot where its probe ends
 * (where it would go). Requires slots (a table that has held an entry or
 * been reserved). */
static inline struct pcs_hash_slot *pcs_hash_slot_of(const struct pcs_hash_table *table, uint64_t key, uint32_t tag)
{
    size_t i = pcs_hash_home(table, key, tag);
    for (;;) {
        struct pcs_hash_slot *slot = &table->slots[i];
        if (slot->value == PCS_HASH_EMPTY || (slot->key == key && slot->tag == tag))
            return slot;
        i = (i + 1) & table->mask;
    }
}

/* key's value, or PCS_HASH_EMPTY if it is not in the table. */
static inline uint32_t pcs_hash_find(const struct pcs_hash_table *table, uint64_t key, uint32_t tag)
{
    if (table->count == 0)
        return PCS_HASH_EMPTY;
    return pcs_hash_slot_of(table, key, tag)->value;
}

/* Like pcs_hash_find, but starts at slot start (a home computed earlier,
 * e.g. before a prefetch; masked here, so a table grown since is safe)
 * and gives up after max_probes slots: PCS_HASH_EMPTY then too. */
static inline uint32_t pcs_hash_find_from(const struct pcs_hash_table *table, size_t start, uint64_t key, uint32_t tag,
                                          int max_probes)
{
    size_t i = start & table->mask;
    for (int probe = 0; probe < max_probes && table->slots; probe++) {
        const struct pcs_hash_slot *slot = &table->slots[i];
        if (slot->value == PCS_HASH_EMPTY)
            break;
        if (slot->key == key && slot->tag == tag)
            return slot->value;
        i = (i + 1) & table->mask;
    }
    return PCS_HASH_EMPTY;
}

/* The value of an entry under (key, tag) that same(context, value) accepts,
 * or PCS_HASH_EMPTY: for hashed keys, whose items the caller compares in
 * its own store. */
typedef int (*pcs_hash_same_fn)(const void *context, uint32_t value);

static inline uint32_t pcs_hash_find_match(const struct pcs_hash_table *table, uint64_t key, uint32_t tag,
                                           pcs_hash_same_fn same, const void *context)
{
    if (table->count == 0)
        return PCS_HASH_EMPTY;
    size_t i = pcs_hash_home(table, key, tag);
    for (;;) {
        const struct pcs_hash_slot *slot = &table->slots[i];
        if (slot->value == PCS_HASH_EMPTY)
            return PCS_HASH_EMPTY;
        if (slot->key == key && slot->tag == tag && same(context, slot->value))
            return slot->value;
        i = (i + 1) & table->mask;
    }
}

#endif
