/* The library's one hash table; see hash_table.h.
 *
 * Load stays at or below one half: linear probing's runs stay short there,
 * and backward-shift removal keeps them so without tombstones. */
#include "common/hash_table.h"

#include <stdlib.h>

#include "common/memory.h"

#define HASH_MIN_SLOTS 16

/* The capacity (a power of two) that holds entries at load <= 1/2, or 0 on
 * overflow. */
static size_t capacity_for(size_t entries)
{
    size_t cap = HASH_MIN_SLOTS;
    while (cap / 2 < entries) {
        if (cap > SIZE_MAX / 2 / sizeof(struct pcs_hash_slot))
            return 0;
        cap *= 2;
    }
    return cap;
}

/* Moves every entry into a new array of cap slots (cap holds them all). */
static enum pcs_status rehash(struct pcs_hash_table *table, size_t cap)
{
    size_t bytes = cap * sizeof(struct pcs_hash_slot);
    struct pcs_hash_slot *slots = pcs_memory_alloc_whole(bytes); /* written whole below */
    if (!slots)
        return PCS_ERR_NOMEM;
    for (size_t i = 0; i < cap; i++)
        slots[i].value = PCS_HASH_EMPTY;
    struct pcs_hash_slot *old = table->slots;
    size_t old_cap = old ? table->mask + 1 : 0;
    table->slots = slots;
    table->mask = cap - 1;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].value == PCS_HASH_EMPTY)
            continue;
        size_t j = pcs_hash_home(table, old[i].key, old[i].tag);
        while (slots[j].value != PCS_HASH_EMPTY)
            j = (j + 1) & table->mask;
        slots[j] = old[i];
    }
    free(old);
    return PCS_OK;
}

enum pcs_status pcs_hash_reserve(struct pcs_hash_table *table, size_t entries)
{
    if (table->slots && entries <= (table->mask + 1) / 2)
        return PCS_OK; /* the usual case, without the search below */
    size_t cap = capacity_for(entries);
    if (cap == 0)
        return PCS_ERR_NOMEM;
    if (table->slots && cap <= table->mask + 1)
        return PCS_OK;
    return rehash(table, cap);
}

void pcs_hash_release(struct pcs_hash_table *table)
{
    if (!table)
        return;
    free(table->slots);
    table->slots = NULL;
    table->mask = 0;
    table->count = 0; /* premixed stays: the keys are the same kind */
}

/* Room for one more entry. */
static enum pcs_status room_for_one(struct pcs_hash_table *table)
{
    if (table->slots && (table->count + 1) * 2 <= table->mask + 1)
        return PCS_OK;
    if (table->count == SIZE_MAX)
        return PCS_ERR_NOMEM;
    return pcs_hash_reserve(table, table->count + 1);
}

enum pcs_status pcs_hash_put(struct pcs_hash_table *table, uint64_t key, uint32_t tag, uint32_t value)
{
    if (table->slots) {
        struct pcs_hash_slot *slot = pcs_hash_slot_of(table, key, tag);
        if (slot->value != PCS_HASH_EMPTY) {
            slot->value = value;
            return PCS_OK;
        }
        if ((table->count + 1) * 2 <= table->mask + 1) { /* the probe's end is the place */
            slot->key = key;
            slot->tag = tag;
            slot->value = value;
            table->count++;
            return PCS_OK;
        }
    }
    return pcs_hash_add(table, key, tag, value);
}

enum pcs_status pcs_hash_add(struct pcs_hash_table *table, uint64_t key, uint32_t tag, uint32_t value)
{
    if (room_for_one(table) != PCS_OK)
        return PCS_ERR_NOMEM;
    size_t i = pcs_hash_home(table, key, tag);
    while (table->slots[i].value != PCS_HASH_EMPTY)
        i = (i + 1) & table->mask;
    table->slots[i].key = key;
    table->slots[i].tag = tag;
    table->slots[i].value = value;
    table->count++;
    return PCS_OK;
}

uint32_t pcs_hash_remove(struct pcs_hash_table *table, uint64_t key, uint32_t tag)
{
    if (table->count == 0)
        return PCS_HASH_EMPTY;
    struct pcs_hash_slot *slots = table->slots;
    size_t i = (size_t)(pcs_hash_slot_of(table, key, tag) - slots);
    uint32_t value = slots[i].value;
    if (value == PCS_HASH_EMPTY)
        return PCS_HASH_EMPTY;
    table->count--;
    /* Backward-shift deletion: pull later members of the probe run into the
     * hole, unless their home lies cyclically in (hole, their slot]. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & table->mask;
        if (slots[j].value == PCS_HASH_EMPTY)
            break;
        size_t home = pcs_hash_home(table, slots[j].key, slots[j].tag);
        int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays)
            continue;
        slots[i] = slots[j];
        i = j;
    }
    slots[i].value = PCS_HASH_EMPTY;
    return value;
}
