/* See text_append.h. */
#include "text_append.h"

#include <stdarg.h>
#include <stdio.h>

void pcs_text_append(char *buf, size_t cap, size_t *at, const char *format, ...)
{
    if (*at >= cap)
        return;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buf + *at, cap - *at, format, args);
    va_end(args);
    if (n > 0)
        *at = *at + (size_t)n < cap ? *at + (size_t)n : cap;
}
