/* Text built a piece at a time into a fixed buffer (lists and messages),
 * cut at the buffer's end, never overrun. Internal to the library. */
#ifndef PCSIM_COMMON_TEXT_APPEND_H
#define PCSIM_COMMON_TEXT_APPEND_H

#include <stddef.h>

/* Appends printf text to buf[0..cap) at *at and advances *at, truncating
 * (then *at == cap and buf stays NUL-terminated). Start with *at = 0 and
 * buf[0] = '\0'; cap >= 1. */
void pcs_text_append(char *buf, size_t cap, size_t *at, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
