/* Prefix identity for request logs; see log_units.h. */
#include "log_units.h"

#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "common/grow.h"
#include "pcsim/request.h"

/* How many units' remainders are greater than x. */
static uint64_t remainders_above(const uint64_t *counts, size_t n, uint64_t total, uint64_t sum, uint64_t x)
{
    uint64_t above = 0;
    for (size_t i = 0; i < n; i++)
        above += counts[i] * total % sum > x;
    return above;
}

void pcs_log_scale_units(const uint64_t *counts, size_t n, uint64_t total, uint32_t *ends)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += counts[i];
    if (sum == 0) {
        for (size_t i = 0; i + 1 < n; i++)
            ends[i] = 0;
        ends[n - 1] = (uint32_t)total;
        return;
    }
    /* c_i total fits 64 bits (both are below 2^32): unit i's floor is
     * c_i total / sum, its fractional part's numerator c_i total % sum. */
    uint64_t given = 0;
    for (size_t i = 0; i < n; i++)
        given += counts[i] * total / sum;
    uint64_t left = total - given; /* fewer than n */
    /* The threshold: the least x with at most `left` remainders above it.
     * Units above it get one more; of the units at it, the earliest take
     * what is left. A binary search over [0, sum): no memory, O(n log sum). */
    uint64_t lo = 0, hi = sum;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (remainders_above(counts, n, total, sum, mid) <= left)
            hi = mid;
        else
            lo = mid + 1;
    }
    uint64_t threshold = lo;
    uint64_t at_threshold = left - remainders_above(counts, n, total, sum, threshold);
    uint64_t end = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t scaled = counts[i] * total;
        uint64_t remainder = scaled % sum;
        uint64_t share = scaled / sum;
        if (left > 0 && remainder > threshold) {
            share++;
        } else if (left > 0 && remainder == threshold && at_threshold > 0) {
            share++;
            at_threshold--;
        }
        end += share;
        ends[i] = (uint32_t)end;
    }
}

uint64_t pcs_log_chain_unit(uint64_t root, uint64_t position)
{
    uint64_t words[2] = {root, position};
    return XXH3_64bits(words, sizeof words);
}

static int reserve(struct log_prompt *p, size_t count)
{
    if (count <= p->cap)
        return 0;
    size_t cap = p->cap ? p->cap : 16;
    while (cap < count)
        cap *= 2;
    uint64_t *units = realloc(p->units, cap * sizeof *units);
    if (!units)
        return -1;
    p->units = units;
    uint32_t *ends = realloc(p->ends, cap * sizeof *ends);
    if (!ends)
        return -1;
    p->ends = ends;
    uint8_t *flags = realloc(p->flags, cap * sizeof *flags);
    if (!flags)
        return -1;
    p->flags = flags;
    p->cap = cap;
    return 0;
}

enum pcs_status pcs_log_prompt_follow(struct log_prompt *p, uint64_t input, uint64_t new_root)
{
    if (p->root != 0 && input == p->input)
        return PCS_OK;
    int extend = p->root != 0 && input > p->input;
    size_t count = extend ? p->count + 1 : (input > 0);
    if (reserve(p, count) != 0)
        return PCS_ERR_NOMEM;
    if (!extend) {
        p->root = new_root;
        p->count = 0;
    }
    if (input > 0) {
        if (p->count > 0)
            p->flags[p->count - 1] = 0;
        p->units[p->count] = pcs_log_chain_unit(p->root, p->count);
        p->ends[p->count] = (uint32_t)input;
        p->flags[p->count] = PCS_BOUND_BREAKPOINT;
        p->count++;
    }
    p->input = input;
    return PCS_OK;
}

void pcs_log_prompt_free(struct log_prompt *p)
{
    free(p->units);
    free(p->ends);
    free(p->flags);
    memset(p, 0, sizeof *p);
}
