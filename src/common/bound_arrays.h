/* Growable arrays for one or more requests' bounds (units, ends, flags),
 * shared by the trace readers' scratch and replay's read-ahead batches.
 * Internal to the library. */
#ifndef PCSIM_COMMON_BOUND_ARRAYS_H
#define PCSIM_COMMON_BOUND_ARRAYS_H

#include <stddef.h>
#include <stdint.h>

struct bound_arrays {
    uint64_t *units;
    uint32_t *ends;
    uint8_t *flags;
    size_t cap;
};

/* Makes room for at least count bounds (doubling from initial); the
 * contents are kept. The first arrays are mapped whole at once: size
 * initial for what will be filled. Returns 0, or -1 when out of memory
 * (the arrays stay valid at their old capacity). */
int pcs_bound_arrays_reserve(struct bound_arrays *arrays, size_t count, size_t initial);

void pcs_bound_arrays_free(struct bound_arrays *arrays);

#endif
