/* Usage sums keyed by (model, kind, tier, price class); see
 * pcsim/pricing.h. A replay adds every request, so the entries are found
 * through a hash table (common/hash_table.h): a hash of the whole key,
 * compared against the entries themselves. */
#include "pcsim/pricing.h"

#include <stdlib.h>
#include <string.h>

#include "common/hash_table.h"

struct pcs_ledger {
    struct pcs_ledger_entry *entries;
    size_t count;
    size_t cap;
    struct pcs_hash_table index; /* entry_hash -> entry index */
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
    ledger->index.premixed = 1; /* entry_hash mixes */
    if (pcs_hash_reserve(&ledger->index, 32) != PCS_OK) {
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
    pcs_hash_release(&ledger->index);
    free(ledger);
}

/* What pcs_ledger_add looks for: the entry with the same key. */
struct entry_key {
    const pcs_ledger *ledger;
    uint32_t model;
    uint32_t kind;
    enum pcs_tier tier;
    uint64_t prompt_class;
};

static int same_entry(const void *context, uint32_t index)
{
    const struct entry_key *key = context;
    const struct pcs_ledger_entry *entry = &key->ledger->entries[index];
    return entry->model == key->model && entry->kind == key->kind && entry->tier == key->tier &&
           entry->prompt_class == key->prompt_class;
}

enum pcs_status pcs_ledger_add(pcs_ledger *ledger, uint32_t model, uint32_t kind, enum pcs_tier tier,
                               uint64_t prompt_class, const struct pcs_usage *usage)
{
    uint64_t hash = entry_hash(model, kind, tier, prompt_class);
    const struct entry_key key = {ledger, model, kind, tier, prompt_class};
    uint32_t found = pcs_hash_find_match(&ledger->index, hash, 0, same_entry, &key);
    if (found != PCS_HASH_EMPTY) {
        pcs_usage_add(&ledger->entries[found].usage, usage);
        return PCS_OK;
    }
    if (ledger->count >= UINT32_MAX - 1)
        return PCS_ERR_NOMEM;
    if (ledger->count == ledger->cap) {
        size_t cap = ledger->cap ? ledger->cap * 2 : 16;
        struct pcs_ledger_entry *entries = realloc(ledger->entries, cap * sizeof *entries);
        if (!entries)
            return PCS_ERR_NOMEM;
        ledger->entries = entries;
        ledger->cap = cap;
    }
    if (pcs_hash_add(&ledger->index, hash, 0, (uint32_t)ledger->count) != PCS_OK)
        return PCS_ERR_NOMEM;
    struct pcs_ledger_entry *entry = &ledger->entries[ledger->count++];
    memset(entry, 0, sizeof *entry);
    entry->model = model;
    entry->kind = kind;
    entry->tier = tier;
    entry->prompt_class = prompt_class;
    entry->usage = *usage;
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
