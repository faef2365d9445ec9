/* Growable bound arrays; see bound_arrays.h. */
#include "bound_arrays.h"

#include <stdlib.h>

#include "common/memory.h"
#include "common/grow.h"

/* First arrays: made whole (pcs_memory_alloc_whole): the first requests
 * are copied into all of them at once. */
static int arrays_first(struct bound_arrays *arrays, size_t cap)
{
    arrays->units = pcs_memory_alloc_whole(cap * sizeof *arrays->units);
    arrays->ends = pcs_memory_alloc_whole(cap * sizeof *arrays->ends);
    arrays->flags = pcs_memory_alloc_whole(cap * sizeof *arrays->flags);
    if (!arrays->units || !arrays->ends || !arrays->flags) {
        pcs_bound_arrays_free(arrays);
        return -1;
    }
    arrays->cap = cap;
    return 0;
}

int pcs_bound_arrays_reserve(struct bound_arrays *arrays, size_t count, size_t initial)
{
    if (count <= arrays->cap)
        return 0;
    size_t cap = grow_capacity(arrays->cap, count, initial, sizeof *arrays->units);
    if (cap == 0)
        return -1;
    if (arrays->cap == 0)
        return arrays_first(arrays, cap);
    uint64_t *units = realloc(arrays->units, cap * sizeof *units);
    if (units)
        arrays->units = units;
    uint32_t *ends = realloc(arrays->ends, cap * sizeof *ends);
    if (ends)
        arrays->ends = ends;
    uint8_t *flags = realloc(arrays->flags, cap * sizeof *flags);
    if (flags)
        arrays->flags = flags;
    if (!units || !ends || !flags)
        return -1;
    arrays->cap = cap;
    return 0;
}

void pcs_bound_arrays_free(struct bound_arrays *arrays)
{
    free(arrays->units);
    free(arrays->ends);
    free(arrays->flags);
    arrays->units = NULL;
    arrays->ends = NULL;
    arrays->flags = NULL;
    arrays->cap = 0;
}
