/* Usage sums keyed by (model, kind, tier, price class); see
 * pcsim/pricing.h. A replay adds every request, so the lookup is a small
 * open-addressing table over the entries. */
#include "pcsim/pricing.h"

#include <stdlib.h>
#include <string.h>

struct pcs_ledger {
    struct pcs_ledger_entry *entries;
    size_t count;
    size_t cap;
    uint32_t *slots; /* entry index + 1; 0 is empty */
    size_t slot_mask;
};

static uint64_t entry_hash(uint32_t model, uint32_t kind, enum pcs_tier tier, uint64_t prompt_class)
{
    uint64_t h = ((uint64_t)model << 32 | (uint64_t)kind << 8 | (uint64_t)tier) ^ prompt_class * 0x9E3779B97F4A7C15ull;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ h >> 29;
}

pcs_ledger *pcs_ledger_new(struct pcs_error *err)
{
    pcs_ledger *ledger = calloc(1, sizeof *ledger);
    if (!ledger) {
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a ledger");
        return NULL;
    }
    ledger->slot_mask = 63;
    ledger->slots = calloc(ledger->slot_mask + 1, sizeof *ledger->slots);
    if (!ledger->slots) {
        free(ledger);
        pcs_error_set(err, PCS_ERR_NOMEM, "out of memory for a ledger");
        return NULL;
    }
    return ledger;
}

void pcs_ledger_free(pcs_ledger *ledger)
{
    if (!ledger)
        return;
    free(ledger->entries);
    free(ledger->slots);
    free(ledger);
}

static void place(pcs_ledger *ledger, size_t index)
{
    const struct pcs_ledger_entry *entry = &ledger->entries[index];
    size_t slot = entry_hash(entry->model, entry->kind, entry->tier, entry->prompt_class) & ledger->slot_mask;
    while (ledger->slots[slot])
        slot = (slot + 1) & ledger->slot_mask;
    ledger->slots[slot] = (uint32_t)index + 1;
}

static enum pcs_status grow(pcs_ledger *ledger)
{
    size_t cap = ledger->cap ? ledger->cap * 2 : 16;
    struct pcs_ledger_entry *entries = realloc(ledger->entries, cap * sizeof *entries);
    if (!entries)
        return PCS_ERR_NOMEM;
    ledger->entries = entries;
    ledger->cap = cap;
    if ((cap * 2) > ledger->slot_mask + 1) {
        size_t slot_count = (ledger->slot_mask + 1) * 4;
        uint32_t *slots = calloc(slot_count, sizeof *slots);
        if (!slots)
            return PCS_ERR_NOMEM;
        free(ledger->slots);
        ledger->slots = slots;
        ledger->slot_mask = slot_count - 1;
        for (size_t i = 0; i < ledger->count; i++)
            place(ledger, i);
    }
    return PCS_OK;
}

enum pcs_status pcs_ledger_add(pcs_ledger *ledger, uint32_t model, uint32_t kind, enum pcs_tier tier,
                               uint64_t prompt_class, const struct pcs_usage *usage)
{
    size_t slot = entry_hash(model, kind, tier, prompt_class) & ledger->slot_mask;
    for (; ledger->slots[slot]; slot = (slot + 1) & ledger->slot_mask) {
        struct pcs_ledger_entry *entry = &ledger->entries[ledger->slots[slot] - 1];
        if (entry->model == model && entry->kind == kind && entry->tier == tier &&
            entry->prompt_class == prompt_class) {
            pcs_usage_add(&entry->usage, usage);
            return PCS_OK;
        }
    }
    if (ledger->count == ledger->cap || ledger->count >= UINT32_MAX - 1) {
        if (ledger->count >= UINT32_MAX - 1 || grow(ledger) != PCS_OK)
            return PCS_ERR_NOMEM;
    }
    struct pcs_ledger_entry *entry = &ledger->entries[ledger->count];
    memset(entry, 0, sizeof *entry);
    entry->model = model;
    entry->kind = kind;
    entry->tier = tier;
    entry->prompt_class = prompt_class;
    entry->usage = *usage;
    place(ledger, ledger->count++);
    return PCS_OK;
}

size_t pcs_ledger_count(const pcs_ledger *ledger)
{
    return ledger->count;
}

const struct pcs_ledger_entry *pcs_ledger_entry(const pcs_ledger *ledger, size_t index)
{
    return index < ledger->count ? &ledger->entries[index] : NULL;
}
