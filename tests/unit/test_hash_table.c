/* The library's hash table (src/common/hash_table.h): growth, collisions,
 * removal, hashed keys with a comparison callback, and the out-of-memory
 * path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/hash_table.h"

/* A zeroed table finds nothing; puts, replaces and finds. */
static void test_put_find_replace(void)
{
    struct pcs_hash_table table = {0};
    CHECK_U64(pcs_hash_find(&table, 7, 0), PCS_HASH_EMPTY);
    CHECK_U64(pcs_hash_remove(&table, 7, 0), PCS_HASH_EMPTY);
    CHECK(pcs_hash_put(&table, 7, 0, 70) == PCS_OK);
    CHECK(pcs_hash_put(&table, 7, 1, 71) == PCS_OK); /* the tag is part of the key */
    CHECK_U64(pcs_hash_find(&table, 7, 0), 70);
    CHECK_U64(pcs_hash_find(&table, 7, 1), 71);
    CHECK_U64(pcs_hash_find(&table, 7, 2), PCS_HASH_EMPTY);
    CHECK(pcs_hash_put(&table, 7, 0, 700) == PCS_OK);
    CHECK_U64(pcs_hash_find(&table, 7, 0), 700);
    CHECK_U64(table.count, 2);
    pcs_hash_release(&table);
    CHECK(table.slots == NULL && table.count == 0);
    pcs_hash_release(NULL);
}

/* Many entries: the table doubles, keeps load <= 1/2 and loses none. */
static void test_grow(void)
{
    struct pcs_hash_table table = {0};
    const uint32_t n = 100000;
    for (uint32_t i = 0; i < n; i++)
        CHECK(pcs_hash_put(&table, (uint64_t)i * 1000003u, i % 3, i) == PCS_OK);
    CHECK_U64(table.count, n);
    CHECK(((table.mask + 1) & table.mask) == 0); /* a power of two */
    CHECK(table.count * 2 <= table.mask + 1);
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < n; i++)
        wrong += pcs_hash_find(&table, (uint64_t)i * 1000003u, i % 3) != i;
    CHECK_U64(wrong, 0);
    size_t entries = 0;
    for (size_t i = 0; i <= table.mask; i++)
        entries += table.slots[i].value != PCS_HASH_EMPTY;
    CHECK_U64(entries, n);
    /* Reserving what it holds already changes nothing. */
    struct pcs_hash_slot *slots = table.slots;
    CHECK(pcs_hash_reserve(&table, n) == PCS_OK);
    CHECK(table.slots == slots);
    pcs_hash_release(&table);
}

/* Keys whose homes collide form one probe run; removing from its middle
 * and its start leaves the rest findable (backward shift, no tombstones). */
static void test_collide_remove(void)
{
    struct pcs_hash_table table = {0};
    CHECK(pcs_hash_reserve(&table, 8) == PCS_OK);
    CHECK_U64(table.mask + 1, 16);
    /* Find keys with the same home. */
    uint64_t keys[6];
    size_t found = 0;
    size_t home = pcs_hash_home(&table, 0, 0);
    for (uint64_t k = 0; found < 6; k++)
        if (pcs_hash_home(&table, k, 0) == home)
            keys[found++] = k;
    for (uint32_t i = 0; i < 6; i++)
        CHECK(pcs_hash_put(&table, keys[i], 0, i) == PCS_OK);
    CHECK_U64(table.mask + 1, 16); /* no growth: 6 <= 8 */
    for (uint32_t i = 0; i < 6; i++)
        CHECK_U64(pcs_hash_find(&table, keys[i], 0), i);
    CHECK_U64(pcs_hash_remove(&table, keys[2], 0), 2);
    CHECK_U64(pcs_hash_remove(&table, keys[2], 0), PCS_HASH_EMPTY);
    CHECK_U64(pcs_hash_remove(&table, keys[0], 0), 0);
    CHECK_U64(table.count, 4);
    CHECK_U64(pcs_hash_find(&table, keys[0], 0), PCS_HASH_EMPTY);
    CHECK_U64(pcs_hash_find(&table, keys[2], 0), PCS_HASH_EMPTY);
    for (uint32_t i = 1; i < 6; i++)
        if (i != 2)
            CHECK_U64(pcs_hash_find(&table, keys[i], 0), i);
    /* Removing everything leaves every slot empty. */
    for (uint32_t i = 1; i < 6; i++)
        if (i != 2)
            CHECK_U64(pcs_hash_remove(&table, keys[i], 0), i);
    size_t used = 0;
    for (size_t i = 0; i <= table.mask; i++)
        used += table.slots[i].value != PCS_HASH_EMPTY;
    CHECK_U64(used, 0);
    pcs_hash_release(&table);
}

/* Random puts and removes against a plain array: the table agrees. */
static void test_against_array(void)
{
    enum { KEYS = 512 };
    uint32_t model[KEYS];
    for (int i = 0; i < KEYS; i++)
        model[i] = PCS_HASH_EMPTY;
    struct pcs_hash_table table = {0};
    uint64_t state = 1;
    uint32_t wrong = 0;
    for (uint32_t step = 0; step < 200000; step++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t key = (uint32_t)(state >> 33) % KEYS;
        if ((state >> 20) & 1) {
            CHECK(pcs_hash_put(&table, key, 5, step) == PCS_OK);
            model[key] = step;
        } else {
            wrong += pcs_hash_remove(&table, key, 5) != model[key];
            model[key] = PCS_HASH_EMPTY;
        }
        uint32_t probe = (uint32_t)(state >> 45) % KEYS;
        wrong += pcs_hash_find(&table, probe, 5) != model[probe];
    }
    CHECK_U64(wrong, 0);
    pcs_hash_release(&table);
}

/* Hashed keys: two names under one (colliding) hash stay apart through
 * the callback. */
static const char *const names[] = {"alpha", "beta"};

static int same_name(const void *context, uint32_t value)
{
    return strcmp(names[value], context) == 0;
}

static void test_find_match(void)
{
    struct pcs_hash_table table = {0};
    CHECK(pcs_hash_add(&table, 42, 0, 0) == PCS_OK);
    CHECK(pcs_hash_add(&table, 42, 0, 1) == PCS_OK); /* the same hash, another name */
    CHECK_U64(table.count, 2);
    CHECK_U64(pcs_hash_find_match(&table, 42, 0, same_name, "alpha"), 0);
    CHECK_U64(pcs_hash_find_match(&table, 42, 0, same_name, "beta"), 1);
    CHECK_U64(pcs_hash_find_match(&table, 42, 0, same_name, "gamma"), PCS_HASH_EMPTY);
    CHECK_U64(pcs_hash_find_match(&table, 43, 0, same_name, "alpha"), PCS_HASH_EMPTY);
    /* A bounded probe from the home finds what the full one finds. */
    CHECK_U64(pcs_hash_find_from(&table, pcs_hash_home(&table, 42, 0), 42, 0, 8), 0);
    CHECK_U64(pcs_hash_find_from(&table, pcs_hash_home(&table, 42, 0), 42, 1, 8), PCS_HASH_EMPTY);
    pcs_hash_release(&table);
}

/* Out of memory is a status and leaves the table as it was: a capacity
 * whose size overflows is refused. (A failing malloc takes the same
 * return; the test does not provoke one, since a sanitizer build aborts
 * on an impossible request instead of returning NULL.) */
static void test_out_of_memory(void)
{
    struct pcs_hash_table table = {0};
    CHECK(pcs_hash_put(&table, 1, 0, 10) == PCS_OK);
    struct pcs_hash_slot *slots = table.slots;
    size_t mask = table.mask;
    CHECK(pcs_hash_reserve(&table, SIZE_MAX / 2) == PCS_ERR_NOMEM);
    CHECK(pcs_hash_reserve(&table, SIZE_MAX / 16) == PCS_ERR_NOMEM); /* 16 bytes a slot, load 1/2: past SIZE_MAX */
    CHECK(table.slots == slots && table.mask == mask);
    CHECK_U64(pcs_hash_find(&table, 1, 0), 10);
    pcs_hash_release(&table);
}

int main(void)
{
    test_put_find_replace();
    test_grow();
    test_collide_remove();
    test_against_array();
    test_find_match();
    test_out_of_memory();
    return check_summary();
}
