/* The capacity a growing array takes: internal to the library. */
#ifndef PCSIM_COMMON_GROW_H
#define PCSIM_COMMON_GROW_H

#include <stddef.h>
#include <stdint.h>

/* The capacity, at least count, that an array of cap items grows to: cap
 * (or initial, for an empty array) doubled as often as needed, so that n
 * appends cost O(n) copies. 0 if that overflows, or if it would need more
 * than SIZE_MAX bytes of items of item_size bytes. */
static inline size_t grow_capacity(size_t cap, size_t count, size_t initial, size_t item_size)
{
    size_t grown = cap ? cap : initial;
    if (grown == 0)
        grown = 1;
    while (grown < count) {
        if (grown > SIZE_MAX / 2)
            return 0;
        grown *= 2;
    }
    if (item_size != 0 && grown > SIZE_MAX / item_size)
        return 0;
    return grown;
}

#endif
